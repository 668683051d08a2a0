//! Connected groups of the graph and their risk: union-find over the edges
//! (hubs excluded, see [`super::HUB_DEGREE`]), then per group the sites and
//! companies in it, the summed and largest priority of its sites, their ILO
//! tiers, the findings, severe outcomes and inspections on record. The
//! priorities come from a scored data set ([`Risk`]), so groups rank the
//! same way the sites do.

use std::collections::{BTreeSet, HashMap};

use polars::prelude::*;
use serde::Serialize;

use super::{Graph, Node, NodeKind};
use crate::data::ILO_INDICATORS;
use crate::indicators::Tier;
use crate::pipeline::Scored;
use crate::rank::{Filter, Ranked, ranking_order};

/// A site's place in the ranking and its record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteRisk {
    /// Rank among all sites (1 = highest priority).
    pub rank: usize,
    /// Priority (model or rules, as ranked).
    pub priority: f64,
    /// ILO tier.
    pub tier: Tier,
    /// Inspections up to the as-of date.
    pub inspections: i64,
    /// Findings (all ILO indicators) at those inspections.
    pub findings: i64,
    /// Severe outcomes in the last 5 years.
    pub severe_outcomes: i64,
}

/// A company's risk: the highest of its sites.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompanyRisk {
    /// Highest priority of its sites.
    pub priority: f64,
    /// Highest tier of its sites.
    pub tier: Tier,
    /// Its sites in the ranking.
    pub sites: usize,
}

/// The risk of every ranked site and company, by id.
#[derive(Debug, Clone, Default)]
pub struct Risk {
    /// Sites by site id (a fast hash: a national register has a million,
    /// and nothing iterates them in hash order).
    pub sites: PlHashMap<String, SiteRisk>,
    /// Companies by company id.
    pub companies: PlHashMap<String, CompanyRisk>,
}

/// An integer feature per row (0 when missing).
fn counts(frame: &DataFrame, name: &str) -> Vec<i64> {
    frame
        .column(name)
        .ok()
        .and_then(|c| c.cast(&DataType::Int64).ok())
        .and_then(|c| {
            c.i64()
                .ok()
                .map(|ca| ca.iter().map(|v| v.unwrap_or(0)).collect())
        })
        .unwrap_or_else(|| vec![0; frame.height()])
}

/// One ranked site, as the risk keeps it.
struct Site<'a> {
    /// Its row in the assessment frame.
    row: usize,
    id: &'a str,
    rank: usize,
    priority: f64,
    tier: Tier,
    company: Option<&'a str>,
}

/// Each row's record in the assessment frame: inspections, findings and
/// severe outcomes.
struct Record {
    inspections: Vec<i64>,
    findings: Vec<i64>,
    severe: Vec<i64>,
}

impl Record {
    /// The records of an assessment frame's rows.
    fn of(frame: &DataFrame) -> Record {
        let mut findings = vec![0i64; frame.height()];
        for x in ILO_INDICATORS {
            for (f, v) in findings
                .iter_mut()
                .zip(counts(frame, &format!("finding_{x}_count")))
            {
                *f += v;
            }
        }
        Record {
            inspections: counts(frame, "inspections"),
            findings,
            severe: counts(frame, "severe_outcomes_5y"),
        }
    }
}

impl Risk {
    /// Ranks every site of a scored data set and keeps its risk: the rank
    /// order and the few figures kept, read from the assessment, with no
    /// ranked rows built (a national register has a million).
    pub fn from_scored(scored: &Scored) -> Risk {
        let frame = &scored.assessment.frame;
        let text = |name: &str| frame.column(name).ok().and_then(|c| c.str().ok());
        let (ids, companies) = (text("site_id"), text("company_id"));
        let order = ranking_order(scored, &Filter::default());
        let mut risk = Risk::default();
        risk.add(
            &Record::of(frame),
            order.iter().enumerate().map(|(k, &(i, priority))| Site {
                row: i,
                id: ids.and_then(|c| c.get(i)).unwrap_or_default(),
                rank: k + 1,
                priority,
                tier: scored.assessment.sites[i].tier,
                company: companies.and_then(|c| c.get(i)),
            }),
        );
        risk
    }

    /// The risk of sites already ranked (unfiltered), with the records of
    /// their assessment frame.
    pub fn from_ranked(frame: &DataFrame, ranked: &[Ranked]) -> Risk {
        let mut risk = Risk::default();
        risk.add(
            &Record::of(frame),
            ranked.iter().map(|r| Site {
                row: r.row,
                id: &r.site_id,
                rank: r.rank,
                priority: r.priority,
                tier: r.tier,
                company: r.company_id.as_deref(),
            }),
        );
        risk
    }

    /// Adds ranked sites and their companies.
    fn add<'a>(&mut self, record: &Record, sites: impl ExactSizeIterator<Item = Site<'a>>) {
        self.sites.reserve(sites.len());
        for r in sites {
            let at = |v: &[i64]| v.get(r.row).copied().unwrap_or(0);
            self.sites.insert(
                r.id.to_string(),
                SiteRisk {
                    rank: r.rank,
                    priority: r.priority,
                    tier: r.tier,
                    inspections: at(&record.inspections),
                    findings: at(&record.findings),
                    severe_outcomes: at(&record.severe),
                },
            );
            let Some(c) = r.company else {
                continue;
            };
            // Looked up by `&str` first: most companies have several sites.
            match self.companies.get_mut(c) {
                Some(e) => {
                    e.priority = e.priority.max(r.priority);
                    e.tier = e.tier.max(r.tier);
                    e.sites += 1;
                }
                None => {
                    self.companies.insert(
                        c.to_string(),
                        CompanyRisk {
                            priority: r.priority,
                            tier: r.tier,
                            sites: 1,
                        },
                    );
                }
            }
        }
    }

    /// A node's priority: its own (site) or its best site's (company).
    pub fn priority(&self, node: &Node) -> Option<f64> {
        match node.kind {
            NodeKind::Site => self.sites.get(&node.id).map(|s| s.priority),
            NodeKind::Company => self.companies.get(&node.id).map(|c| c.priority),
            _ => None,
        }
    }

    /// A node's tier (sites and companies).
    pub fn tier(&self, node: &Node) -> Option<Tier> {
        match node.kind {
            NodeKind::Site => self.sites.get(&node.id).map(|s| s.tier),
            NodeKind::Company => self.companies.get(&node.id).map(|c| c.tier),
            _ => None,
        }
    }

    /// A site node's rank.
    pub fn rank(&self, node: &Node) -> Option<usize> {
        match node.kind {
            NodeKind::Site => self.sites.get(&node.id).map(|s| s.rank),
            _ => None,
        }
    }
}

/// Union-find with path halving and union by size.
struct UnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }
}

/// The group of every node: the smallest node index of its connected
/// component. Edges at hubs (more than `hub_degree` edges, not a site or a
/// company) are not followed, so each hub is a group of its own.
pub fn components(graph: &Graph, hub_degree: usize) -> Vec<usize> {
    let n = graph.nodes.len();
    let mut uf = UnionFind::new(n);
    for e in &graph.edges {
        if graph.is_hub(e.from, hub_degree) || graph.is_hub(e.to, hub_degree) {
            continue;
        }
        uf.union(e.from, e.to);
    }
    let mut smallest: HashMap<usize, usize> = HashMap::new();
    let roots: Vec<usize> = (0..n).map(|i| uf.find(i)).collect();
    for (i, r) in roots.iter().enumerate() {
        smallest.entry(*r).or_insert(i);
    }
    roots.iter().map(|r| smallest[r]).collect()
}

/// A connected group of entities with its aggregated risk.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// 1-based rank among the groups listed (summed priority, descending).
    pub rank: usize,
    /// Its nodes (indices into the graph), ascending.
    #[serde(skip)]
    pub nodes: Vec<usize>,
    /// Its sites, highest priority first.
    pub sites: Vec<String>,
    /// Number of companies.
    pub companies: usize,
    /// Number of persons (owners, directors, contacts).
    pub persons: usize,
    /// Number of recruiters.
    pub recruiters: usize,
    /// Number of foreign service providers.
    pub providers: usize,
    /// Number of addresses.
    pub addresses: usize,
    /// Sum of its sites' priorities.
    pub priority_sum: f64,
    /// Largest priority of its sites.
    pub priority_max: f64,
    /// Its sites per ILO tier, lowest tier first.
    pub tiers: [usize; 4],
    /// Findings at its sites' inspections.
    pub findings: i64,
    /// Severe outcomes at its sites in the last 5 years.
    pub severe_outcomes: i64,
    /// Inspections of its sites.
    pub inspections: i64,
    /// Hubs linked to it but not merged into it (`kind:id`).
    pub hubs: Vec<String>,
}

impl Group {
    /// The highest tier among its sites.
    pub fn max_tier(&self) -> Tier {
        Tier::ALL
            .iter()
            .rev()
            .zip(self.tiers.iter().rev())
            .find(|(_, n)| **n > 0)
            .map_or(Tier::NoIndication, |(t, _)| *t)
    }
}

/// The connected groups with at least `min_sites` sites, riskiest first
/// (summed priority descending; ties by their first site id).
pub fn groups(graph: &Graph, risk: &Risk, hub_degree: usize, min_sites: usize) -> Vec<Group> {
    let comp = components(graph, hub_degree);
    let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, c) in comp.iter().enumerate() {
        members.entry(*c).or_default().push(i);
    }
    let mut out: Vec<Group> = members
        .into_values()
        .filter_map(|nodes| group_of(graph, risk, hub_degree, nodes, min_sites))
        .collect();
    out.sort_by(|a, b| {
        b.priority_sum
            .total_cmp(&a.priority_sum)
            .then_with(|| a.sites.iter().min().cmp(&b.sites.iter().min()))
    });
    for (i, g) in out.iter_mut().enumerate() {
        g.rank = i + 1;
    }
    out
}

fn group_of(
    graph: &Graph,
    risk: &Risk,
    hub_degree: usize,
    mut nodes: Vec<usize>,
    min_sites: usize,
) -> Option<Group> {
    nodes.sort_unstable();
    let count = |k: NodeKind| nodes.iter().filter(|&&i| graph.nodes[i].kind == k).count();
    let mut sites: Vec<(f64, &str)> = Vec::new();
    let mut g = Group {
        rank: 0,
        nodes: Vec::new(),
        sites: Vec::new(),
        companies: count(NodeKind::Company),
        persons: count(NodeKind::Person),
        recruiters: count(NodeKind::Recruiter),
        providers: count(NodeKind::Provider),
        addresses: count(NodeKind::Address),
        priority_sum: 0.0,
        priority_max: 0.0,
        tiers: [0; 4],
        findings: 0,
        severe_outcomes: 0,
        inspections: 0,
        hubs: Vec::new(),
    };
    let mut hubs = BTreeSet::new();
    for &i in &nodes {
        let node = &graph.nodes[i];
        for &e in graph.edges_of(i) {
            let o = graph.other(e, i);
            if graph.is_hub(o, hub_degree) && o != i {
                hubs.insert(graph.nodes[o].key());
            }
        }
        if node.kind != NodeKind::Site {
            continue;
        }
        let s = risk.sites.get(&node.id);
        let p = s.map_or(0.0, |s| s.priority);
        sites.push((p, node.id.as_str()));
        if let Some(s) = s {
            g.priority_sum += s.priority;
            g.priority_max = g.priority_max.max(s.priority);
            g.tiers[s.tier as usize] += 1;
            g.findings += s.findings;
            g.severe_outcomes += s.severe_outcomes;
            g.inspections += s.inspections;
        }
    }
    if sites.len() < min_sites.max(1) {
        return None;
    }
    sites.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    g.sites = sites.into_iter().map(|(_, id)| id.to_string()).collect();
    g.hubs = hubs.into_iter().collect();
    g.nodes = nodes;
    Some(g)
}
