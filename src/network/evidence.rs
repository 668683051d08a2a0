//! The evidence sentence of each edge, written when it is shown: a
//! national graph has millions of edges and an analyst reads a few, so the
//! graph keeps each edge's counts and dates and [`Graph::evidence`] words
//! them. The links of one recruiter, provider or address are described
//! together ("3 permit holders of site S1 and 2 of site S6 ..."), from the
//! other edges of the same node, so one edge shows who else is behind it.
//! A subgraph keeps the sentences of its parent graph ([`Graph::subgraph`]).

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use super::{Edge, Graph, NodeKind, Relation};
use crate::data::columns::plural;

/// "in 2025", "in 2023–2025", or nothing without dates.
fn years(first: Option<NaiveDate>, last: Option<NaiveDate>) -> String {
    match (first.map(|d| d.year()), last.map(|d| d.year())) {
        (Some(a), Some(b)) if a == b => format!(" in {a}"),
        (Some(a), Some(b)) => format!(" in {}–{}", a.min(b), a.max(b)),
        (Some(a), None) | (None, Some(a)) => format!(" in {a}"),
        (None, None) => String::new(),
    }
}

/// One site's share of a shared node (recruiter, provider, address).
struct Share<'a> {
    site: &'a str,
    count: u64,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    extra: Option<i64>,
}

/// Everything said about a shared node once: its shares, their order
/// largest first, and what holds for the whole group (its period, rooms).
struct Group<'a> {
    shares: Vec<Share<'a>>,
    /// The edge of each share.
    edges: Vec<usize>,
    order: Vec<usize>,
    about: String,
}

/// The shares of a group, largest first (ties by site): sorted once per
/// group, so naming the others of each share is linear in the group.
fn largest_first(group: &[Share]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..group.len()).collect();
    order.sort_by(|a, b| {
        group[*b]
            .count
            .cmp(&group[*a].count)
            .then(group[*a].site.cmp(group[*b].site))
    });
    order
}

/// " and 2 of site S6, 1 of site S7 and 3 more sites": the largest other
/// shares of the same node (at most three named).
fn others(group: &Group, me: usize, describe: impl Fn(&Share) -> String) -> String {
    let named: Vec<String> = group
        .order
        .iter()
        .filter(|&&j| j != me)
        .take(3)
        .map(|&j| describe(&group.shares[j]))
        .collect();
    let more = group.shares.len().saturating_sub(1 + named.len());
    match (named.len(), more) {
        (0, _) => String::new(),
        (1, 0) => format!(" and {}", named[0]),
        (_, 0) => {
            let (last, rest) = named
                .split_last()
                .map_or((String::new(), &[][..]), |(l, r)| (l.clone(), r));
            format!(", {} and {last}", rest.join(", "))
        }
        (_, m) => format!(
            ", {} and {}",
            named.join(", "),
            plural(m as u64, "more site", "more sites")
        ),
    }
}

/// The period of a whole group of shares.
fn group_years(group: &[Share]) -> String {
    let first = group.iter().filter_map(|s| s.first).min();
    let last = group.iter().filter_map(|s| s.last.or(s.first)).max();
    years(first, last)
}

/// Whether an edge is one site's share of a shared node, and that node.
fn shared_node(graph: &Graph, e: &Edge) -> Option<usize> {
    let kind = graph.nodes.get(e.to)?.kind;
    matches!(
        (e.relation, kind),
        (Relation::RecruitedBy, NodeKind::Recruiter)
            | (Relation::PostedBy, NodeKind::Provider)
            | (Relation::HousedAt, NodeKind::Address)
    )
    .then_some(e.to)
}

impl Graph {
    /// The group of a shared node: every edge at it of its relation.
    fn group(&self, node: usize, relation: Relation) -> Group<'_> {
        let mut shares = Vec::new();
        let mut edges = Vec::new();
        for &i in self.edges_of(node) {
            let e = &self.edges[i];
            if e.relation != relation || e.to != node {
                continue;
            }
            shares.push(Share {
                site: &self.nodes[e.from].id,
                count: e.count,
                first: e.first,
                last: e.last,
                extra: e.extra,
            });
            edges.push(i);
        }
        let order = largest_first(&shares);
        let id = &self.nodes[node].id;
        let about = match relation {
            Relation::RecruitedBy => format!(
                " came through recruiter {id} (permits starting{})",
                group_years(&shares)
            ),
            Relation::HousedAt => {
                let rooms = shares
                    .iter()
                    .filter_map(|s| s.extra)
                    .max()
                    .map_or_else(String::new, |r| {
                        format!(" ({})", plural(r.max(0) as u64, "room", "rooms"))
                    });
                format!(" registered at address {id}{}{rooms}", group_years(&shares))
            }
            _ => id.clone(),
        };
        Group {
            shares,
            edges,
            order,
            about,
        }
    }

    /// The evidence sentence of edge `e`: the sentence it carries, or one
    /// written from the graph (an edge that is not in the graph has none).
    pub fn evidence(&self, e: usize) -> Cow<'_, str> {
        let Some(edge) = self.edges.get(e) else {
            return Cow::Borrowed("");
        };
        if let Some(text) = &edge.evidence {
            return Cow::Borrowed(text);
        }
        Cow::Owned(match shared_node(self, edge) {
            Some(node) => {
                let group = self.group(node, edge.relation);
                let me = group.edges.iter().position(|&i| i == e).unwrap_or(0);
                share_sentence(&group, edge.relation, me)
            }
            None => self.own_sentence(edge),
        })
    }

    /// The evidence sentences of many edges, each shared node's group read
    /// once (a hub's thousands of edges are not each read again).
    pub fn evidence_of(&self, edges: &[usize]) -> Vec<String> {
        let mut groups: HashMap<usize, Group<'_>> = HashMap::new();
        edges
            .iter()
            .map(|&e| {
                let Some(edge) = self.edges.get(e) else {
                    return String::new();
                };
                if let Some(text) = &edge.evidence {
                    return text.clone();
                }
                match shared_node(self, edge) {
                    Some(node) => {
                        let group = groups
                            .entry(node)
                            .or_insert_with(|| self.group(node, edge.relation));
                        let me = group.edges.binary_search(&e).unwrap_or(0);
                        share_sentence(group, edge.relation, me)
                    }
                    None => self.own_sentence(edge),
                }
            })
            .collect()
    }

    /// The sentence of an edge that is not a share: a site of a company,
    /// or a person's role in a company.
    fn own_sentence(&self, e: &Edge) -> String {
        let (from, to) = (&self.nodes[e.from], &self.nodes[e.to]);
        match e.relation {
            Relation::SiteOf => {
                let named = if from.label != from.id {
                    format!(" ({})", from.label)
                } else {
                    String::new()
                };
                format!(
                    "site {}{named} is a workplace of company {} (sites register)",
                    from.id, to.id
                )
            }
            Relation::Owner | Relation::Director | Relation::Contact => {
                let (company, person, role) = (&from.id, &to.id, e.relation.name());
                // A role without a last date is current (see the builder).
                match (e.first, e.last) {
                    (Some(f), None) => format!(
                        "person {person} has been {role} of company {company} since {f} (roles)"
                    ),
                    (None, None) => format!(
                        "person {person} is {role} of company {company} (roles, no start date)"
                    ),
                    (Some(f), Some(l)) => format!(
                        "person {person} was {role} of company {company} from {f} to {l} (roles)"
                    ),
                    (None, Some(l)) => {
                        format!("person {person} was {role} of company {company} until {l} (roles)")
                    }
                }
            }
            Relation::RecruitedBy | Relation::PostedBy | Relation::HousedAt => format!(
                "{} {} {} {} ({})",
                from.kind,
                from.id,
                e.relation.name(),
                to.id,
                e.table()
            ),
        }
    }
}

/// "3 permit holders of site S1 and 2 of site S6 came through recruiter
/// R1 ...": the sentence of share `me` of a group.
fn share_sentence(group: &Group, relation: Relation, me: usize) -> String {
    let Some(share) = group.shares.get(me) else {
        return String::new();
    };
    if relation != Relation::PostedBy {
        let also = others(group, me, |o| format!("{} of site {}", o.count, o.site));
        return format!(
            "{} of site {}{also}{}",
            plural(share.count, "permit holder", "permit holders"),
            share.site,
            group.about
        );
    }
    let provider = &group.about;
    let workers = share.extra.map_or_else(
        || "workers (number not recorded)".to_string(),
        |w| plural(w.max(0) as u64, "worker", "workers"),
    );
    let dates = match (share.first, share.last) {
        (Some(a), Some(z)) => format!(" from {a} to {z}"),
        (Some(a), None) => format!(" from {a}"),
        _ => String::new(),
    };
    let also = others(group, me, |o| format!("site {}", o.site));
    let also = if also.is_empty() {
        String::new()
    } else {
        format!(
            "; it also posted workers to{}",
            also.trim_start_matches(" and").trim_start_matches(',')
        )
    };
    format!(
        "foreign service provider {provider} posted {workers} to site {} in {}{dates} (RUT){also}",
        share.site,
        plural(share.count, "posting", "postings"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(site: &str, count: u64) -> Share<'_> {
        Share {
            site,
            count,
            first: None,
            last: None,
            extra: None,
        }
    }

    fn group<'a>(shares: Vec<Share<'a>>) -> Group<'a> {
        Group {
            order: largest_first(&shares),
            edges: (0..shares.len()).collect(),
            shares,
            about: String::new(),
        }
    }

    #[test]
    fn other_shares_are_named_largest_first_and_the_rest_counted() {
        let all = || {
            vec![
                share("S1", 12),
                share("S2", 7),
                share("S3", 1),
                share("S4", 2),
                share("S5", 2),
            ]
        };
        let d = |s: &Share| format!("{} of site {}", s.count, s.site);
        let o = |n: usize, me: usize| {
            let mut g = all();
            g.truncate(n);
            others(&group(g), me, d)
        };
        assert_eq!(o(2, 0), " and 7 of site S2");
        assert_eq!(o(3, 0), ", 7 of site S2 and 1 of site S3");
        assert_eq!(
            o(5, 0),
            ", 7 of site S2, 2 of site S4, 2 of site S5 and 1 more site"
        );
        // Another share's others: the largest, S1, comes first.
        assert_eq!(
            o(5, 1),
            ", 12 of site S1, 2 of site S4, 2 of site S5 and 1 more site"
        );
        assert_eq!(o(1, 0), "");
    }

    #[test]
    fn years_of_a_period() {
        let d = |y| NaiveDate::from_ymd_opt(y, 3, 1);
        assert_eq!(years(d(2025), d(2025)), " in 2025");
        assert_eq!(years(d(2023), d(2025)), " in 2023–2025");
        assert_eq!(years(None, d(2024)), " in 2024");
        assert_eq!(years(None, None), "");
    }
}
