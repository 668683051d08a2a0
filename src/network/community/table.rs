//! Communities as an analyst reads them in the terminal: the ranked list
//! (`tilsyn network --groups`) and one community in full (`--group ID`):
//! its sites with their standing, the links that hold it together with
//! their evidence, and a timeline of its companies' leaders starting and
//! ending (a company whose leaders all left, followed by a new one with the
//! same people, is the phoenix pattern).

use std::io::{self, Write};

use chrono::NaiveDate;

use super::*;
use crate::data::columns::plural;
use crate::network::export::first_of;

/// Sites listed per community in the ranked list.
const SITES_SHOWN: usize = 8;

/// Writes the ranked communities, with the reasons each ranks where it does.
pub fn write_communities_table(
    out: &mut dyn Write,
    graph: &Graph,
    ranked: &[&RankedCommunity],
    total: usize,
) -> io::Result<()> {
    if ranked.is_empty() {
        return writeln!(out, "no community links two or more sites");
    }
    writeln!(
        out,
        "{total} communities of two or more sites; ranked by how concentrated their risk is, not by size\n"
    )?;
    for rc in ranked {
        let c = &rc.community;
        writeln!(
            out,
            "community {:>3}  score {:.3}  {}, {}, {}",
            c.id,
            rc.score,
            plural(c.sites.len() as u64, "site", "sites"),
            plural(c.companies.len() as u64, "company", "companies"),
            plural(c.links.len() as u64, "link", "links"),
        )?;
        for why in &rc.why {
            writeln!(out, "      - {why}")?;
        }
        let ids: Vec<&str> = c
            .sites
            .iter()
            .filter_map(|&s| graph.nodes.get(s))
            .map(|n| n.id.as_str())
            .collect();
        writeln!(out, "      sites: {}", first_of(&ids, SITES_SHOWN))?;
    }
    writeln!(
        out,
        "\n`tilsyn network --group ID` shows one community with its links and timeline"
    )
}

/// One dated event of a community's timeline.
struct Event {
    day: NaiveDate,
    text: String,
}

/// The companies' leaders starting and ending, from the role links.
fn timeline(graph: &Graph, c: &Community) -> Vec<Event> {
    let mut events = Vec::new();
    for &company in &c.companies {
        let Some(node) = graph.nodes.get(company) else {
            continue;
        };
        for &e in graph.edges_of(company) {
            let edge = &graph.edges[e];
            if edge.from != company
                || !matches!(edge.relation, Relation::Owner | Relation::Director)
            {
                continue;
            }
            let person = graph.nodes[edge.to].key();
            let role = edge.relation.name();
            if let Some(day) = edge.first {
                events.push(Event {
                    day,
                    text: format!("{person} becomes {role} of company {}", node.id),
                });
            }
            if let Some(day) = edge.last {
                events.push(Event {
                    day,
                    text: format!("{person} ends as {role} of company {}", node.id),
                });
            }
        }
    }
    events.sort_by(|a, b| a.day.cmp(&b.day).then_with(|| a.text.cmp(&b.text)));
    events
}

/// Writes one community in full: why it ranks where it does, its sites,
/// the links between them with their evidence, and its timeline.
pub fn write_community_detail(
    out: &mut dyn Write,
    graph: &Graph,
    rc: &RankedCommunity,
    risk: &Risk,
) -> io::Result<()> {
    let c = &rc.community;
    writeln!(
        out,
        "community {}  score {:.3}  {}, {}, {}",
        c.id,
        rc.score,
        plural(c.sites.len() as u64, "site", "sites"),
        plural(c.companies.len() as u64, "company", "companies"),
        plural(c.entities.len() as u64, "other entity", "other entities"),
    )?;
    for why in &rc.why {
        writeln!(out, "  - {why}")?;
    }
    writeln!(out, "\nsites")?;
    for &s in &c.sites {
        let node = &graph.nodes[s];
        let standing = match (risk.rank(node), risk.priority(node), risk.tier(node)) {
            // A priority that rounds to zero reads 0.0, not -0.0.
            (Some(r), Some(p), Some(t)) => format!(
                "rank {r} · priority {:.1} · {}",
                if p.abs() < 0.05 { 0.0 } else { p },
                t.label()
            ),
            _ => "not ranked".to_string(),
        };
        let label = if node.label == node.id {
            String::new()
        } else {
            format!(" ({})", node.label)
        };
        writeln!(out, "  {}{label} · {standing}", node.id)?;
    }
    writeln!(out, "\nlinks")?;
    for l in &c.links {
        let (a, b) = (&graph.nodes[l.a].id, &graph.nodes[l.b].id);
        let weak = if l.weak { " (weak tie)" } else { "" };
        writeln!(out, "  {a} — {b}  weight {:.2}{weak}", l.weight)?;
        writeln!(out, "      {}", l.evidence(graph))?;
    }
    let events = timeline(graph, c);
    writeln!(out, "\ntimeline of the companies' owners and directors")?;
    if events.is_empty() {
        writeln!(out, "  no dated roles on record")?;
    }
    for e in &events {
        writeln!(out, "  {}  {}", e.day, e.text)?;
    }
    Ok(())
}
