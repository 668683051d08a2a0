//! Building the graph from a data set with polars: one aggregation per
//! kind of link (site → company from `sites`, company → person from
//! `roles`, site → recruiter from `permits`, site → provider from
//! `postings`, site → address from `residences` joined to `permits` on the
//! person), grouped on the ids' integer codes (`crate::data::codes`), then
//! turned into edges that keep their counts and dates. Nodes are numbered
//! from the codes in order of kind and id, so no id is hashed or copied
//! while the graph is built; the evidence sentences are written when shown
//! (`super::evidence`).

use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;

use super::{Edge, Graph, Node, NodeKind, Relation};
use crate::data::columns::{bools, days, ints, str_refs};
use crate::data::parse::{from_days, to_days};
use crate::data::{Dataset, Table};
use crate::features::table_lazy;

/// The ids of every kind as codes while the graph is built, and the
/// edges between codes.
struct Builder<'a> {
    /// The text of each code, by kind (in [`NodeKind::ALL`] order).
    text: Vec<Vec<&'a str>>,
    /// Whether the graph has a node for the code, by kind.
    used: Vec<Vec<bool>>,
    /// The label of a site or company code, when the data names it.
    labels: Vec<Vec<Option<&'a str>>>,
    /// Edges whose ends are codes of the relation's two kinds.
    edges: Vec<Edge>,
}

/// The position of a kind in [`NodeKind::ALL`].
fn slot(kind: NodeKind) -> usize {
    NodeKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// The kinds an edge of a relation goes from and to.
fn ends(relation: Relation) -> (NodeKind, NodeKind) {
    match relation {
        Relation::SiteOf => (NodeKind::Site, NodeKind::Company),
        Relation::Owner | Relation::Director | Relation::Contact => {
            (NodeKind::Company, NodeKind::Person)
        }
        Relation::RecruitedBy => (NodeKind::Site, NodeKind::Recruiter),
        Relation::PostedBy => (NodeKind::Site, NodeKind::Provider),
        Relation::HousedAt => (NodeKind::Site, NodeKind::Address),
    }
}

/// The id column of a kind.
fn id_column(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Site => "site_id",
        NodeKind::Company => "company_id",
        NodeKind::Person => "person_id",
        NodeKind::Recruiter => "recruiter_id",
        NodeKind::Provider => "provider_id",
        NodeKind::Address => "address_id",
    }
}

/// The codes of a column.
fn codes(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<u32>>> {
    Ok(df.column(name)?.u32()?.iter().collect())
}

/// A link between two codes; `from` and `to` are numbered as nodes later.
struct Link {
    from: u32,
    to: u32,
    relation: Relation,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    count: u64,
    extra: Option<i64>,
}

impl Builder<'_> {
    /// Adds an edge between two codes and marks both as nodes.
    fn link(&mut self, l: Link) {
        let (a, b) = ends(l.relation);
        for (kind, code) in [(a, l.from), (b, l.to)] {
            if let Some(u) = self.used[slot(kind)].get_mut(code as usize) {
                *u = true;
            }
        }
        self.edges.push(Edge {
            from: l.from as usize,
            to: l.to as usize,
            relation: l.relation,
            first: l.first,
            last: l.last,
            count: l.count,
            extra: l.extra,
            evidence: None,
        });
    }

    /// The nodes (by kind, then id) and the edges between them.
    fn finish(self) -> Graph {
        let Builder {
            text,
            used,
            labels,
            mut edges,
        } = self;
        // Each kind's used codes in the order of their ids, on every core.
        let sorted: Vec<Vec<u32>> = text
            .par_iter()
            .zip(&used)
            .map(|(text, used)| {
                let mut codes: Vec<u32> = (0..used.len() as u32)
                    .filter(|&c| used[c as usize])
                    .collect();
                codes.par_sort_unstable_by(|&a, &b| text[a as usize].cmp(text[b as usize]));
                codes
            })
            .collect();
        let mut node_of: Vec<Vec<usize>> = Vec::with_capacity(sorted.len());
        let mut nodes = Vec::with_capacity(sorted.iter().map(Vec::len).sum());
        for (k, codes) in sorted.iter().enumerate() {
            let kind = NodeKind::ALL[k];
            let mut index = vec![usize::MAX; used[k].len()];
            for &c in codes {
                index[c as usize] = nodes.len();
                let id = text[k][c as usize];
                let label = labels[k].get(c as usize).copied().flatten().unwrap_or(id);
                nodes.push(Node {
                    kind,
                    id: id.to_string(),
                    label: label.to_string(),
                });
            }
            node_of.push(index);
        }
        edges.par_iter_mut().for_each(|e| {
            let (a, b) = ends(e.relation);
            e.from = node_of[slot(a)][e.from];
            e.to = node_of[slot(b)][e.to];
        });
        Graph::from_numbered(nodes, edges)
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
    // Only the graph's columns are coded (an import's stored codes are
    // taken as they are).
    let mut narrow = ds.clone();
    narrow.keep_only_columns(super::GRAPH_COLUMNS)?;
    let no_targets = DataFrame::empty();
    let (coded, _, texts) = crate::features::codes::code(&narrow, &no_targets)?;
    let text: Vec<Vec<&str>> = NodeKind::ALL
        .par_iter()
        .map(|&k| texts.text(id_column(k)))
        .collect();
    let mut b = Builder {
        used: text.iter().map(|t| vec![false; t.len()]).collect(),
        labels: NodeKind::ALL.iter().map(|_| Vec::new()).collect(),
        text,
        edges: Vec::new(),
    };
    sites(&narrow, &coded, &mut b)?;
    roles(&coded, &mut b, as_of_days)?;
    recruiters(&coded, &mut b, as_of_days)?;
    providers(&coded, &mut b, as_of_days)?;
    addresses(&coded, &mut b, as_of_days)?;
    Ok(b.finish())
}

/// Site → company, from `sites`; names label the sites and companies.
fn sites<'a>(ds: &'a Dataset, coded: &Dataset, b: &mut Builder<'a>) -> PolarsResult<()> {
    let (Some(text), Some(sites)) = (ds.get(Table::Sites), coded.get(Table::Sites)) else {
        return Err(polars_err!(ComputeError: "the sites table is required"));
    };
    let ids = codes(sites, "site_id")?;
    let companies = codes(sites, "company_id")?;
    let names = str_refs(text, "name")?;
    b.labels[slot(NodeKind::Site)] = vec![None; b.used[slot(NodeKind::Site)].len()];
    b.labels[slot(NodeKind::Company)] = vec![None; b.used[slot(NodeKind::Company)].len()];
    b.edges.reserve(sites.height());
    for i in 0..ids.len() {
        let (Some(site), Some(company)) = (ids[i], companies[i]) else {
            continue;
        };
        // The first name given labels the site, and its company.
        if let Some(name) = names[i] {
            let l = &mut b.labels[slot(NodeKind::Site)][site as usize];
            l.get_or_insert(name);
            let l = &mut b.labels[slot(NodeKind::Company)][company as usize];
            l.get_or_insert(company_label(name));
        }
        b.link(Link {
            from: site,
            to: company,
            relation: Relation::SiteOf,
            first: None,
            last: None,
            count: 1,
            extra: None,
        });
    }
    Ok(())
}

/// Company → person, one edge per company, person and role, from `roles`.
/// A role open on the as-of day (or without an end) has no last date.
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
        .collect()?;
    let (companies, persons, roles) = (
        codes(&df, "company_id")?,
        codes(&df, "person_id")?,
        str_refs(&df, "role")?,
    );
    let (first, last, open, n) = (
        days(&df, "first")?,
        days(&df, "last")?,
        bools(&df, "open")?,
        ints(&df, "n")?,
    );
    b.edges.reserve(df.height());
    for i in 0..df.height() {
        let (Some(company), Some(person), Some(relation)) = (
            companies[i],
            persons[i],
            roles[i].and_then(Relation::of_role),
        ) else {
            continue;
        };
        let is_open = open[i].unwrap_or(true);
        b.link(Link {
            from: company,
            to: person,
            relation,
            first: first[i].map(from_days),
            last: if is_open {
                None
            } else {
                last[i].map(from_days)
            },
            count: n[i].unwrap_or(1).max(0) as u64,
            extra: None,
        });
    }
    Ok(())
}

/// Links each site to the shared node of `key` (a recruiter, provider or
/// address) by `relation`, one edge per row of `df` (site, key, n, first,
/// last and, if named, `extra`).
fn link_shares(
    b: &mut Builder,
    df: &DataFrame,
    key: &str,
    relation: Relation,
    extra: Option<&str>,
) -> PolarsResult<()> {
    let keys = codes(df, key)?;
    let sites = codes(df, "site_id")?;
    let (n, first, last) = (ints(df, "n")?, days(df, "first")?, days(df, "last")?);
    let extra = match extra {
        Some(name) => ints(df, name)?,
        None => vec![None; df.height()],
    };
    b.edges.reserve(df.height());
    for i in 0..df.height() {
        let (Some(k), Some(site)) = (keys[i], sites[i]) else {
            continue;
        };
        b.link(Link {
            from: site,
            to: k,
            relation,
            first: first[i].map(from_days),
            last: last[i].map(from_days),
            count: n[i].unwrap_or(0).max(0) as u64,
            extra: extra[i],
        });
    }
    Ok(())
}

/// Site → recruiter, from permits naming a recruiter: the permit holders
/// and the first and latest permit start.
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
        .collect()?;
    link_shares(b, &df, "recruiter_id", Relation::RecruitedBy, None)
}

/// Site → foreign service provider, from postings: the postings, the
/// workers posted and the first start and last end.
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
        .collect()?;
    link_shares(b, &df, "provider_id", Relation::PostedBy, Some("workers"))
}

/// Site → address, from residences of the site's permit holders: the
/// permit holders registered there, their first and latest move-in and the
/// most rooms recorded.
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
        .collect()?;
    link_shares(b, &df, "address_id", Relation::HousedAt, Some("rooms"))
}

#[cfg(test)]
mod tests;
