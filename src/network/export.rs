//! Exports of a graph for case files and analysis tools: GraphML (with
//! `<key>` declarations for every node and edge attribute, so Gephi, yEd
//! and Cytoscape read them), node and edge CSV files in the style i2
//! Analyst's Notebook imports (one entity table, one link table with the
//! two ends), and readable text tables for the terminal.

use std::io::{self, Write};

use super::groups::{Group, Risk};
use super::neighbourhood::Neighbourhood;
use super::{Graph, NodeKind};
use crate::indicators::Tier;

/// What an export shows next to a node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeInfo {
    /// Priority (sites; the best site's for companies).
    pub priority: Option<f64>,
    /// Rank among all sites (sites only).
    pub rank: Option<usize>,
    /// ILO tier (sites and companies).
    pub tier: Option<Tier>,
    /// The community it belongs to (community exports; see `--groups`).
    pub community: Option<usize>,
    /// Links from the start (neighbourhood exports).
    pub depth: Option<usize>,
}

/// The risk of every node of a graph.
pub fn annotate(graph: &Graph, risk: &Risk) -> Vec<NodeInfo> {
    graph
        .nodes
        .iter()
        .map(|n| NodeInfo {
            priority: risk.priority(n),
            rank: risk.rank(n),
            tier: risk.tier(n),
            community: None,
            depth: None,
        })
        .collect()
}

/// Escapes text for XML content and attribute values (`& < > " '`);
/// characters XML 1.0 cannot carry are dropped.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Node attributes: (key id, name, GraphML type).
const NODE_KEYS: [(&str, &str, &str); 7] = [
    ("n_type", "type", "string"),
    ("n_label", "label", "string"),
    ("n_priority", "priority", "double"),
    ("n_rank", "rank", "int"),
    ("n_tier", "tier", "string"),
    ("n_community", "community", "int"),
    ("n_depth", "depth", "int"),
];
/// Edge attributes: (key id, name, GraphML type).
const EDGE_KEYS: [(&str, &str, &str); 6] = [
    ("e_relation", "relation", "string"),
    ("e_source", "source_table", "string"),
    ("e_first", "first_date", "string"),
    ("e_last", "last_date", "string"),
    ("e_count", "count", "long"),
    ("e_evidence", "evidence", "string"),
];

fn data(out: &mut dyn Write, key: &str, value: &str) -> io::Result<()> {
    writeln!(
        out,
        "      <data key=\"{key}\">{}</data>",
        xml_escape(value)
    )
}

/// Writes the graph as GraphML (undirected; node ids are `kind:id`).
pub fn write_graphml(out: &mut dyn Write, graph: &Graph, info: &[NodeInfo]) -> io::Result<()> {
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
         http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">"
    )?;
    for (id, name, ty) in NODE_KEYS {
        writeln!(
            out,
            "  <key id=\"{id}\" for=\"node\" attr.name=\"{name}\" attr.type=\"{ty}\"/>"
        )?;
    }
    for (id, name, ty) in EDGE_KEYS {
        writeln!(
            out,
            "  <key id=\"{id}\" for=\"edge\" attr.name=\"{name}\" attr.type=\"{ty}\"/>"
        )?;
    }
    writeln!(out, "  <graph id=\"tilsyn\" edgedefault=\"undirected\">")?;
    let none = NodeInfo::default();
    for (i, n) in graph.nodes.iter().enumerate() {
        let inf = info.get(i).unwrap_or(&none);
        writeln!(out, "    <node id=\"{}\">", xml_escape(&n.key()))?;
        data(out, "n_type", n.kind.name())?;
        data(out, "n_label", &n.label)?;
        if let Some(p) = inf.priority {
            data(out, "n_priority", &format!("{p:.4}"))?;
        }
        if let Some(r) = inf.rank {
            data(out, "n_rank", &r.to_string())?;
        }
        if let Some(t) = inf.tier {
            data(out, "n_tier", t.id())?;
        }
        if let Some(g) = inf.community {
            data(out, "n_community", &g.to_string())?;
        }
        if let Some(d) = inf.depth {
            data(out, "n_depth", &d.to_string())?;
        }
        writeln!(out, "    </node>")?;
    }
    // Every sentence at once: each shared node's group is read once.
    let evidence = graph.evidence_of(&(0..graph.edges.len()).collect::<Vec<_>>());
    for (i, e) in graph.edges.iter().enumerate() {
        writeln!(
            out,
            "    <edge id=\"e{}\" source=\"{}\" target=\"{}\">",
            i + 1,
            xml_escape(&graph.nodes[e.from].key()),
            xml_escape(&graph.nodes[e.to].key())
        )?;
        data(out, "e_relation", e.relation.name())?;
        data(out, "e_source", e.table())?;
        if let Some(d) = e.first {
            data(out, "e_first", &d.to_string())?;
        }
        if let Some(d) = e.last {
            data(out, "e_last", &d.to_string())?;
        }
        data(out, "e_count", &e.count.to_string())?;
        data(out, "e_evidence", &evidence[i])?;
        writeln!(out, "    </edge>")?;
    }
    writeln!(out, "  </graph>")?;
    writeln!(out, "</graphml>")
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

/// Writes the entity table: `node_id,type,id,label,priority,rank,tier,community,depth`.
pub fn write_nodes_csv(out: &mut dyn Write, graph: &Graph, info: &[NodeInfo]) -> csv::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    w.write_record([
        "node_id",
        "type",
        "id",
        "label",
        "priority",
        "rank",
        "tier",
        "community",
        "depth",
    ])?;
    let none = NodeInfo::default();
    for (i, n) in graph.nodes.iter().enumerate() {
        let inf = info.get(i).unwrap_or(&none);
        w.write_record([
            n.key(),
            n.kind.name().to_string(),
            n.id.clone(),
            n.label.clone(),
            inf.priority.map_or_else(String::new, |p| format!("{p:.4}")),
            opt(inf.rank),
            inf.tier.map_or_else(String::new, |t| t.id().to_string()),
            opt(inf.community),
            opt(inf.depth),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Writes the link table:
/// `source,target,relation,source_table,first_date,last_date,count,evidence`.
pub fn write_edges_csv(out: &mut dyn Write, graph: &Graph) -> csv::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    w.write_record([
        "source",
        "target",
        "relation",
        "source_table",
        "first_date",
        "last_date",
        "count",
        "evidence",
    ])?;
    // Every sentence at once: each shared node's group is read once.
    let evidence = graph.evidence_of(&(0..graph.edges.len()).collect::<Vec<_>>());
    for (i, e) in graph.edges.iter().enumerate() {
        w.write_record([
            graph.nodes[e.from].key(),
            graph.nodes[e.to].key(),
            e.relation.name().to_string(),
            e.table().to_string(),
            opt(e.first),
            opt(e.last),
            e.count.to_string(),
            evidence[i].clone(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// " · priority 1.23 · rank 4 · forced-labour indication" for sites and companies.
fn risk_note(info: &NodeInfo) -> String {
    let mut s = String::new();
    if let Some(p) = info.priority {
        s.push_str(&format!(" · priority {p:.2}"));
    }
    if let Some(r) = info.rank {
        s.push_str(&format!(" · rank {r}"));
    }
    if let Some(t) = info.tier {
        s.push_str(&format!(" · {}", t.label()));
    }
    s
}

/// Writes a neighbourhood as an indented tree: each entity with the
/// evidence of the link it was reached by.
pub fn write_neighbourhood_table(
    out: &mut dyn Write,
    graph: &Graph,
    n: &Neighbourhood,
    info: &[NodeInfo],
) -> io::Result<()> {
    let none = NodeInfo::default();
    let Some(first) = n.links.first() else {
        return writeln!(out, "nothing found");
    };
    let start = &graph.nodes[first.node];
    writeln!(
        out,
        "Network of {} {} ({}) to depth {}: {} entities linked",
        start.kind,
        start.id,
        start.label,
        n.depth,
        n.links.len().saturating_sub(1)
    )?;
    for k in NodeKind::ALL {
        let c = n
            .links
            .iter()
            .filter(|l| graph.nodes[l.node].kind == k)
            .count();
        if c > 0 {
            write!(out, "  {k}: {c}")?;
        }
    }
    writeln!(out)?;
    writeln!(out)?;
    for l in &n.links {
        let node = &graph.nodes[l.node];
        let inf = info.get(l.node).unwrap_or(&none);
        let indent = "  ".repeat(l.depth);
        let label = if node.label != node.id {
            format!(" {}", node.label)
        } else {
            String::new()
        };
        let hub = if l.hub { " [hub: not expanded]" } else { "" };
        writeln!(
            out,
            "{indent}{} {}{label}{}{hub}",
            node.kind,
            node.id,
            risk_note(inf)
        )?;
        if let Some((i, e)) = l.edge.and_then(|i| Some((i, graph.edges.get(i)?))) {
            let dates = match (e.first, e.last) {
                (Some(a), Some(b)) if a != b => format!(", {a} to {b}"),
                (Some(a), _) => format!(", {a}"),
                (None, Some(b)) => format!(", to {b}"),
                (None, None) => String::new(),
            };
            let evidence = graph.evidence(i);
            writeln!(out, "{indent}    └ {evidence} [{}{dates}]", e.table())?;
        }
    }
    Ok(())
}

/// The first `n` of a list of ids, joined, and how many more there are.
pub(super) fn first_of(ids: &[&str], n: usize) -> String {
    let shown = ids.iter().take(n).copied().collect::<Vec<_>>().join(", ");
    match ids.len().saturating_sub(n) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// Writes the groups as a table, with their sites.
pub fn write_groups_table(out: &mut dyn Write, graph: &Graph, groups: &[&Group]) -> io::Result<()> {
    if groups.is_empty() {
        return writeln!(out, "no group links two or more sites");
    }
    writeln!(
        out,
        "{:>4}  {:>9}  {:>8}  {:>5}  {:>5}  {:>7}  {:>6}  {:>5}  {:<26}  members",
        "rank", "priority", "max", "sites", "comp", "finding", "severe", "insp", "highest tier"
    )?;
    for g in groups {
        writeln!(
            out,
            "{:>4}  {:>9.2}  {:>8.2}  {:>5}  {:>5}  {:>7}  {:>6}  {:>5}  {:<26}  {} persons, {} recruiters, {} providers, {} addresses",
            g.rank,
            g.priority_sum,
            g.priority_max,
            g.sites.len(),
            g.companies,
            g.findings,
            g.severe_outcomes,
            g.inspections,
            g.max_tier().label(),
            g.persons,
            g.recruiters,
            g.providers,
            g.addresses
        )?;
        let ids: Vec<&str> = g.sites.iter().map(String::as_str).collect();
        writeln!(out, "      sites: {}", first_of(&ids, 8))?;
        if !g.hubs.is_empty() {
            writeln!(out, "      linked hubs (not merged): {}", g.hubs.join(", "))?;
        }
    }
    writeln!(
        out,
        "\n{} entities in the graph; `tilsyn network --site ID` shows the links of one site",
        graph.nodes.len()
    )
}
