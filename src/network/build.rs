//! Building the graph from a data set with polars: one aggregation per
//! kind of link (site → company from `sites`, company → person from
//! `roles`, site → recruiter from `permits`, site → provider from
//! `postings`, site → address from `residences` joined to `permits` on the
//! person), collected once, then turned into nodes and edges with their
//! evidence sentences. Links of one recruiter, provider or address are
//! described together ("3 permit holders of site S1 and 2 of site S6 ..."),
//! so one edge shows who else is behind the same node.

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use rayon::prelude::*;

use super::{Edge, Graph, Node, NodeKind, Relation};
use crate::data::columns::{bools, days, ints, plural, str_refs};
use crate::data::parse::{from_days, to_days};
use crate::data::{Dataset, Table};
use crate::features::table_lazy;

/// Nodes and edges while the graph is built.
#[derive(Default)]
struct Builder {
    nodes: Vec<Node>,
    /// Each kind's nodes by id (looked up by `&str`, without a copy of the
    /// id: the graph of a national register looks up millions).
    index: [PlHashMap<String, usize>; NodeKind::ALL.len()],
    edges: Vec<Edge>,
}

impl Builder {
    /// Room for `n` more nodes of a kind, so that the index of a national
    /// register is not rehashed (every id read again) as it grows.
    fn reserve(&mut self, kind: NodeKind, n: usize) {
        let slot = NodeKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        self.index[slot].reserve(n);
        self.nodes.reserve(n);
    }

    /// The node of a kind and id, added on first use; a label replaces a
    /// label that is only the id.
    fn node(&mut self, kind: NodeKind, id: &str, label: Option<&str>) -> usize {
        let slot = NodeKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        if let Some(&i) = self.index[slot].get(id) {
            if let Some(l) = label
                && self.nodes[i].label == self.nodes[i].id
            {
                self.nodes[i].label = l.to_string();
            }
            return i;
        }
        let i = self.nodes.len();
        self.nodes.push(Node {
            kind,
            id: id.to_string(),
            label: label.unwrap_or(id).to_string(),
        });
        self.index[slot].insert(id.to_string(), i);
        i
    }
}

/// "in 2025", "in 2023–2025", or nothing without dates.
fn years(first: Option<NaiveDate>, last: Option<NaiveDate>) -> String {
    match (first.map(|d| d.year()), last.map(|d| d.year())) {
        (Some(a), Some(b)) if a == b => format!(" in {a}"),
        (Some(a), Some(b)) => format!(" in {}–{}", a.min(b), a.max(b)),
        (Some(a), None) | (None, Some(a)) => format!(" in {a}"),
        (None, None) => String::new(),
    }
}

/// A company's label: the name of its first site without the branch part.
fn company_label(site_name: &str) -> &str {
    site_name.split(" afd. ").next().unwrap_or(site_name).trim()
}

/// Keeps rows dated on or before the as-of day (a blank date is kept).
fn up_to(lf: LazyFrame, column: &str, as_of: Option<i32>) -> LazyFrame {
    match as_of {
        Some(d) => lf.filter(col(column).is_null().or(col(column).lt_eq(lit(d)))),
        None => lf,
    }
}

/// Builds the entity graph of a data set. With `as_of`, records dated after
/// it (role, permit, posting and residence starts) are left out and roles
/// ending after it count as current.
pub fn build(ds: &Dataset, as_of: Option<NaiveDate>) -> PolarsResult<Graph> {
    let as_of_days = as_of.map(to_days);
    let mut b = Builder::default();
    sites(ds, &mut b)?;
    roles(ds, &mut b, as_of_days)?;
    recruiters(ds, &mut b, as_of_days)?;
    providers(ds, &mut b, as_of_days)?;
    addresses(ds, &mut b, as_of_days)?;
    // The builder's index (a copy of every id) goes before the graph sorts
    // its nodes: at national size that is a few hundred MB at the peak.
    let Builder {
        nodes,
        edges,
        index,
    } = b;
    drop(index);
    Ok(Graph::from_parts(nodes, edges))
}

/// Site → company, from `sites`.
fn sites(ds: &Dataset, b: &mut Builder) -> PolarsResult<()> {
    let sites = ds
        .get(Table::Sites)
        .ok_or_else(|| polars_err!(ComputeError: "the sites table is required"))?;
    let ids = str_refs(sites, "site_id")?;
    let companies = str_refs(sites, "company_id")?;
    let names = str_refs(sites, "name")?;
    b.reserve(NodeKind::Site, sites.height());
    b.reserve(NodeKind::Company, sites.height());
    b.edges.reserve(sites.height());
    // The sentences are written on every core; the nodes, which the
    // builder numbers in order, are found one row after the other.
    let evidence: Vec<Option<String>> = (0..ids.len())
        .into_par_iter()
        .map(|i| {
            let (Some(site), Some(company)) = (ids[i], companies[i]) else {
                return None;
            };
            let named = names[i].map_or_else(String::new, |n| format!(" ({n})"));
            Some(format!(
                "site {site}{named} is a workplace of company {company} (sites register)"
            ))
        })
        .collect();
    for (i, evidence) in evidence.into_iter().enumerate() {
        let (Some(site), Some(company), Some(evidence)) = (ids[i], companies[i], evidence) else {
            continue;
        };
        let name = names[i];
        let s = b.node(NodeKind::Site, site, name);
        let c = b.node(NodeKind::Company, company, name.map(company_label));
        b.edges.push(Edge {
            from: s,
            to: c,
            relation: Relation::SiteOf,
            first: None,
            last: None,
            count: 1,
            evidence,
        });
    }
    Ok(())
}

/// Company → person, one edge per company, person and role, from `roles`.
fn roles(ds: &Dataset, b: &mut Builder, as_of: Option<i32>) -> PolarsResult<()> {
    let Some(roles) = table_lazy(ds, Table::Roles) else {
        return Ok(());
    };
    let open = match as_of {
        Some(d) => col("to_date").is_null().or(col("to_date").gt(lit(d))),
        None => col("to_date").is_null(),
    };
    let df = up_to(roles, "from_date", as_of)
        .group_by([col("company_id"), col("person_id"), col("role")])
        .agg([
            col("from_date").min().alias("first"),
            col("to_date").max().alias("last"),
            open.any(true).alias("open"),
            len().cast(DataType::Int64).alias("n"),
        ])
        .sort(
            ["company_id", "person_id", "role"],
            SortMultipleOptions::default(),
        )
        .collect()?;
    let (companies, persons, roles) = (
        str_refs(&df, "company_id")?,
        str_refs(&df, "person_id")?,
        str_refs(&df, "role")?,
    );
    b.reserve(NodeKind::Person, df.height());
    b.edges.reserve(df.height());
    let (first, last, open, n) = (
        days(&df, "first")?,
        days(&df, "last")?,
        bools(&df, "open")?,
        ints(&df, "n")?,
    );
    // The role of each row, its dates and its sentence (on every core);
    // the nodes are then found, and the edges made, in row order.
    let role_of = |i: usize| -> Option<(&str, &str, &str, Relation)> {
        let (Some(company), Some(person), Some(role)) = (companies[i], persons[i], roles[i]) else {
            return None;
        };
        Some((company, person, role, Relation::of_role(role)?))
    };
    let dates = |i: usize| {
        let first = first[i].map(from_days);
        let is_open = open[i].unwrap_or(true);
        let last = if is_open {
            None
        } else {
            last[i].map(from_days)
        };
        (first, last, is_open)
    };
    // Each row's link, read and worded once, on every core.
    type Link<'a> = (
        &'a str,
        &'a str,
        Relation,
        Option<NaiveDate>,
        Option<NaiveDate>,
        String,
    );
    let links: Vec<Option<Link>> = (0..df.height())
        .into_par_iter()
        .map(|i| {
            let (company, person, role, relation) = role_of(i)?;
            let (first, last, is_open) = dates(i);
            let evidence = match (first, last, is_open) {
                (Some(f), _, true) => format!(
                    "person {person} has been {role} of company {company} since {f} (roles)"
                ),
                (None, _, true) => {
                    format!("person {person} is {role} of company {company} (roles, no start date)")
                }
                (Some(f), Some(l), false) => format!(
                    "person {person} was {role} of company {company} from {f} to {l} (roles)"
                ),
                (None, Some(l), false) => {
                    format!("person {person} was {role} of company {company} until {l} (roles)")
                }
                (_, None, false) => {
                    format!("person {person} was {role} of company {company} (roles)")
                }
            };
            Some((company, person, relation, first, last, evidence))
        })
        .collect();
    for (i, link) in links.into_iter().enumerate() {
        let Some((company, person, relation, first, last, evidence)) = link else {
            continue;
        };
        let c = b.node(NodeKind::Company, company, None);
        let p = b.node(NodeKind::Person, person, None);
        b.edges.push(Edge {
            from: c,
            to: p,
            relation,
            first,
            last,
            count: n[i].unwrap_or(1).max(0) as u64,
            evidence,
        });
    }
    Ok(())
}

/// One site's share of a shared node (recruiter, provider, address).
struct Share<'a> {
    site: &'a str,
    count: u64,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    extra: Option<i64>,
}

/// Rows of `df` (sorted by `key`, then site) as shares per key.
fn shares<'a>(
    df: &'a DataFrame,
    key: &str,
    extra: Option<&str>,
) -> PolarsResult<Vec<(&'a str, Vec<Share<'a>>)>> {
    let keys = str_refs(df, key)?;
    let sites = str_refs(df, "site_id")?;
    let (n, first, last) = (ints(df, "n")?, days(df, "first")?, days(df, "last")?);
    let extra = match extra {
        Some(name) => ints(df, name)?,
        None => vec![None; df.height()],
    };
    let mut out: Vec<(&str, Vec<Share>)> = Vec::new();
    for i in 0..df.height() {
        let (Some(k), Some(site)) = (keys[i], sites[i]) else {
            continue;
        };
        let share = Share {
            site,
            count: n[i].unwrap_or(0).max(0) as u64,
            first: first[i].map(from_days),
            last: last[i].map(from_days),
            extra: extra[i],
        };
        match out.last_mut() {
            Some((last_key, v)) if *last_key == k => v.push(share),
            _ => out.push((k, vec![share])),
        }
    }
    Ok(out)
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
/// shares of the same node (at most three named); `order` is
/// [`largest_first`] of the group.
fn others(
    group: &[Share],
    order: &[usize],
    me: usize,
    describe: impl Fn(&Share) -> String,
) -> String {
    let named: Vec<String> = order
        .iter()
        .filter(|&&j| j != me)
        .take(3)
        .map(|&j| describe(&group[j]))
        .collect();
    let more = group.len().saturating_sub(1 + named.len());
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

/// Links each group's sites to its node (`kind`) by `relation`, one edge
/// per share. `about` says what holds for a whole group, once per group
/// (its period, say), from its key and shares; `sentence` writes a share's
/// evidence from that, the group, the group's [`largest_first`] order and
/// the share's place. The sentences are written on every core, and only
/// the node look-ups, which number the nodes, are made one after the other.
fn link_shares<T>(
    b: &mut Builder,
    groups: &[(&str, Vec<Share<'_>>)],
    (kind, relation): (NodeKind, Relation),
    about: impl Fn(&str, &[Share<'_>]) -> T + Sync,
    sentence: impl Fn(&T, &[Share<'_>], &[usize], usize) -> String + Sync,
) {
    let sentences: Vec<Vec<String>> = groups
        .par_iter()
        .map(|(key, group)| {
            let order = largest_first(group);
            let whole = about(key, group);
            (0..group.len())
                .map(|i| sentence(&whole, group, &order, i))
                .collect()
        })
        .collect();
    for ((key, group), texts) in groups.iter().zip(sentences) {
        let entity = b.node(kind, key, None);
        for (share, evidence) in group.iter().zip(texts) {
            let site = b.node(NodeKind::Site, share.site, None);
            b.edges.push(Edge {
                from: site,
                to: entity,
                relation,
                first: share.first,
                last: share.last,
                count: share.count,
                evidence,
            });
        }
    }
}

/// "3 permit holders of site S1 and 2 of site S6{tail}": a share of a
/// recruiter's or an address's permit holders, with the group's largest
/// other shares.
fn holders_sentence(group: &[Share<'_>], order: &[usize], i: usize, tail: &str) -> String {
    let share = &group[i];
    let also = others(group, order, i, |o| {
        format!("{} of site {}", o.count, o.site)
    });
    format!(
        "{} of site {}{also}{tail}",
        plural(share.count, "permit holder", "permit holders"),
        share.site
    )
}

/// Site → recruiter, from permits naming a recruiter.
fn recruiters(ds: &Dataset, b: &mut Builder, as_of: Option<i32>) -> PolarsResult<()> {
    let Some(permits) = table_lazy(ds, Table::Permits) else {
        return Ok(());
    };
    let df = up_to(permits, "start_date", as_of)
        .filter(col("recruiter_id").is_not_null())
        .group_by([col("recruiter_id"), col("site_id")])
        .agg([
            col("person_id").n_unique().cast(DataType::Int64).alias("n"),
            col("start_date").min().alias("first"),
            col("start_date").max().alias("last"),
        ])
        .sort(["recruiter_id", "site_id"], SortMultipleOptions::default())
        .collect()?;
    b.edges.reserve(df.height());
    let groups = shares(&df, "recruiter_id", None)?;
    link_shares(
        b,
        &groups,
        (NodeKind::Recruiter, Relation::RecruitedBy),
        |recruiter, group| {
            let period = group_years(group);
            format!(" came through recruiter {recruiter} (permits starting{period})")
        },
        |tail, group, order, i| holders_sentence(group, order, i, tail),
    );
    Ok(())
}

/// Site → foreign service provider, from postings.
fn providers(ds: &Dataset, b: &mut Builder, as_of: Option<i32>) -> PolarsResult<()> {
    let Some(postings) = table_lazy(ds, Table::Postings) else {
        return Ok(());
    };
    let df = up_to(postings, "start_date", as_of)
        .group_by([col("provider_id"), col("site_id")])
        .agg([
            len().cast(DataType::Int64).alias("n"),
            when(col("workers").is_not_null().any(true))
                .then(col("workers").sum())
                .otherwise(lit(NULL))
                .cast(DataType::Int64)
                .alias("workers"),
            col("start_date").min().alias("first"),
            col("end_date")
                .fill_null(col("start_date"))
                .max()
                .alias("last"),
        ])
        .sort(["provider_id", "site_id"], SortMultipleOptions::default())
        .collect()?;
    let groups = shares(&df, "provider_id", Some("workers"))?;
    link_shares(
        b,
        &groups,
        (NodeKind::Provider, Relation::PostedBy),
        |provider, _| provider.to_string(),
        |provider, group, order, i| {
            let share = &group[i];
            let workers = share.extra.map_or_else(
                || "workers (number not recorded)".to_string(),
                |w| plural(w.max(0) as u64, "worker", "workers"),
            );
            let dates = match (share.first, share.last) {
                (Some(a), Some(z)) => format!(" from {a} to {z}"),
                (Some(a), None) => format!(" from {a}"),
                _ => String::new(),
            };
            let also = others(group, order, i, |o| format!("site {}", o.site));
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
        },
    );
    Ok(())
}

/// Site → address, from residences of the site's permit holders.
fn addresses(ds: &Dataset, b: &mut Builder, as_of: Option<i32>) -> PolarsResult<()> {
    let (Some(res), Some(permits)) = (
        table_lazy(ds, Table::Residences),
        table_lazy(ds, Table::Permits),
    ) else {
        return Ok(());
    };
    let holders = up_to(permits, "start_date", as_of).select([col("person_id"), col("site_id")]);
    let df = up_to(res, "from_date", as_of)
        .select([
            col("person_id"),
            col("address_id"),
            col("from_date"),
            col("rooms"),
        ])
        .inner_join(holders, col("person_id"), col("person_id"))
        .group_by([col("address_id"), col("site_id")])
        .agg([
            col("person_id").n_unique().cast(DataType::Int64).alias("n"),
            col("from_date").min().alias("first"),
            col("from_date").max().alias("last"),
            col("rooms").max().cast(DataType::Int64).alias("rooms"),
        ])
        .sort(["address_id", "site_id"], SortMultipleOptions::default())
        .collect()?;
    b.reserve(NodeKind::Address, df.height());
    b.edges.reserve(df.height());
    let groups = shares(&df, "address_id", Some("rooms"))?;
    link_shares(
        b,
        &groups,
        (NodeKind::Address, Relation::HousedAt),
        |address, group| {
            let period = group_years(group);
            let rooms = group
                .iter()
                .filter_map(|s| s.extra)
                .max()
                .map_or_else(String::new, |r| {
                    format!(" ({})", plural(r.max(0) as u64, "room", "rooms"))
                });
            format!(" registered at address {address}{period}{rooms}")
        },
        |tail, group, order, i| holders_sentence(group, order, i, tail),
    );
    Ok(())
}

#[cfg(test)]
mod tests;
