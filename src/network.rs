//! The entity graph for police intelligence analysts: which workplaces are
//! linked through the companies that run them, the people in those
//! companies (`roles`), the recruiters of their permit holders
//! (`permits.recruiter_id`), their foreign service providers
//! (`postings.provider_id`) and the addresses their permit holders live at
//! (`residences.address_id`).
//!
//! - `build`: the graph from a loaded data set, built with polars joins
//!   and aggregations; every edge carries its source table, first and last
//!   date and a count, and `evidence` words them as a sentence fit for a
//!   case file when the edge is shown;
//! - `evidence`: each edge's sentence, written when it is shown from the
//!   edge's counts and dates and the other edges of the same node;
//! - `community`: communities of sites (site projection, Louvain, ranking
//!   by concentration of risk);
//! - `groups`: connected groups (union-find) with their aggregated risk
//!   from a scored data set ([`Risk`]);
//! - `neighbourhood`: the entities around one site or company to a depth
//!   (breadth-first), as a tree of links;
//! - `export`: GraphML (Gephi, yEd, Cytoscape), node and edge CSV
//!   (i2-style) and readable tables.
//!
//! Node ids are the ids already in the data. Persons, recruiters and
//! addresses are pseudonyms there (raw identifiers are replaced on load), so
//! nothing exported names a person; workers are never nodes, only counts on
//! edges. `docs/network.md` describes the graph and its exports.

mod build;
mod community;
mod evidence;
mod export;
mod groups;
mod neighbourhood;

use std::collections::HashMap;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

pub use build::build;
pub use community::{
    Community, CommunityLink, CommunityParams, ProjectedLink, Projection, RankedCommunity,
    communities, community_of_site, project, rank_communities, write_communities_table,
    write_community_detail,
};
pub use export::{
    NodeInfo, annotate, write_edges_csv, write_graphml, write_groups_table,
    write_neighbourhood_table, write_nodes_csv, xml_escape,
};
pub use groups::{CompanyRisk, Group, Risk, SiteRisk, components, groups};
pub use neighbourhood::{Link, Neighbourhood, neighbourhood};

/// The tables and columns the graph is built from; the others can be
/// dropped first (at national size the sites' addresses and the permits'
/// pay and schemes alone are a few hundred megabytes).
pub const GRAPH_COLUMNS: &[(crate::data::Table, &[&str])] = &[
    (
        crate::data::Table::Sites,
        &["site_id", "company_id", "name"],
    ),
    (
        crate::data::Table::Roles,
        &["company_id", "person_id", "role", "from_date", "to_date"],
    ),
    (
        crate::data::Table::Permits,
        &["site_id", "person_id", "recruiter_id", "start_date"],
    ),
    (
        crate::data::Table::Postings,
        &[
            "provider_id",
            "site_id",
            "workers",
            "start_date",
            "end_date",
        ],
    ),
    (
        crate::data::Table::Residences,
        &["person_id", "address_id", "from_date", "rooms"],
    ),
];

/// Default hub threshold: a person, recruiter, provider or address linked
/// to more than this many nodes joins no group and is not expanded through
/// (a large agency or an accountant on many boards would otherwise join
/// half the country into one group).
pub const HUB_DEGREE: usize = 50;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// A workplace (production unit) from `sites`.
    Site,
    /// A company (CVR) from `sites` or `roles`.
    Company,
    /// An owner, director or contact from `roles` (a pseudonym).
    Person,
    /// A recruiter from `permits.recruiter_id` (a pseudonym).
    Recruiter,
    /// A foreign service provider from `postings.provider_id`.
    Provider,
    /// An address from `residences.address_id` (a pseudonym).
    Address,
}

impl NodeKind {
    /// Every kind, in node order.
    pub const ALL: [NodeKind; 6] = [
        NodeKind::Site,
        NodeKind::Company,
        NodeKind::Person,
        NodeKind::Recruiter,
        NodeKind::Provider,
        NodeKind::Address,
    ];

    /// The id used in exports (`site`, `company`, ...).
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Site => "site",
            NodeKind::Company => "company",
            NodeKind::Person => "person",
            NodeKind::Recruiter => "recruiter",
            NodeKind::Provider => "provider",
            NodeKind::Address => "address",
        }
    }

    /// The name of more than one (`sites`, `companies`, ...).
    pub fn plural(self) -> &'static str {
        match self {
            NodeKind::Site => "sites",
            NodeKind::Company => "companies",
            NodeKind::Person => "persons",
            NodeKind::Recruiter => "recruiters",
            NodeKind::Provider => "providers",
            NodeKind::Address => "addresses",
        }
    }

    /// Whether a node of this kind can be a hub (sites and companies never are).
    pub fn can_be_hub(self) -> bool {
        !matches!(self, NodeKind::Site | NodeKind::Company)
    }
}

impl std::fmt::Display for NodeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What an edge says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// Site → company: the site is a unit of the company.
    SiteOf,
    /// Company → person: owner.
    Owner,
    /// Company → person: director.
    Director,
    /// Company → person: contact.
    Contact,
    /// Site → recruiter: permit holders came through the recruiter.
    RecruitedBy,
    /// Site → provider: the provider posted workers to the site.
    PostedBy,
    /// Site → address: permit holders registered at the address.
    HousedAt,
}

impl Relation {
    /// The id used in exports.
    pub fn name(self) -> &'static str {
        match self {
            Relation::SiteOf => "site_of",
            Relation::Owner => "owner",
            Relation::Director => "director",
            Relation::Contact => "contact",
            Relation::RecruitedBy => "recruited_by",
            Relation::PostedBy => "posted_by",
            Relation::HousedAt => "housed_at",
        }
    }

    /// The input table the edge comes from.
    pub fn table(self) -> &'static str {
        match self {
            Relation::SiteOf => "sites",
            Relation::Owner | Relation::Director | Relation::Contact => "roles",
            Relation::RecruitedBy => "permits",
            Relation::PostedBy => "postings",
            Relation::HousedAt => "residences",
        }
    }

    /// The relation of a `roles.role` value.
    pub fn of_role(role: &str) -> Option<Relation> {
        match role {
            "owner" => Some(Relation::Owner),
            "director" => Some(Relation::Director),
            "contact" => Some(Relation::Contact),
            _ => None,
        }
    }
}

/// One entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// Its id in the data (a pseudonym for persons, recruiters and addresses).
    pub id: String,
    /// A readable label (the site or company name; the id otherwise).
    pub label: String,
}

impl Node {
    /// The node's id in exports: `kind:id`, unique across kinds.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.name(), self.id)
    }
}

/// One link between two entities, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    /// The node it starts at (the site, or the company for roles).
    pub from: usize,
    /// The node it ends at.
    pub to: usize,
    /// What it says.
    pub relation: Relation,
    /// The earliest date behind it (role start, permit start, ...).
    pub first: Option<NaiveDate>,
    /// The latest date behind it (role end, latest permit start, ...).
    pub last: Option<NaiveDate>,
    /// How many records or persons stand behind it (see docs/network.md).
    pub count: u64,
    /// The workers posted (postings) or the most rooms of the address
    /// (residences), when recorded.
    pub extra: Option<i64>,
    /// A sentence stating the link, when it was given one; otherwise
    /// [`Graph::evidence`] writes it from the counts and dates.
    pub evidence: Option<String>,
}

impl Edge {
    /// The input table it comes from.
    pub fn table(&self) -> &'static str {
        self.relation.table()
    }
}

/// The entity graph: nodes sorted by kind and id, edges by their ends.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// The entities.
    pub nodes: Vec<Node>,
    /// The links.
    pub edges: Vec<Edge>,
    /// The edges at each node, node after node: node `i`'s are
    /// `adjacency[starts[i]..starts[i + 1]]`, ascending.
    adjacency: Vec<usize>,
    starts: Vec<usize>,
}

impl Graph {
    /// Builds a graph from nodes and edges (edge ends index `nodes`): sorts
    /// nodes by kind and id and edges by their ends, so the same data always
    /// gives the same graph.
    pub fn from_parts(nodes: Vec<Node>, edges: Vec<Edge>) -> Graph {
        // The nodes' order (ids compared as text, millions at national
        // size) is sorted on every core; it sorts indices, so its buffer is
        // small. The edges sort in place on their integer ends.
        let mut order: Vec<usize> = (0..nodes.len()).collect();
        order.par_sort_by(|&a, &b| {
            nodes[a]
                .kind
                .cmp(&nodes[b].kind)
                .then_with(|| nodes[a].id.cmp(&nodes[b].id))
        });
        let mut new_of = vec![0usize; nodes.len()];
        for (new, old) in order.iter().enumerate() {
            new_of[*old] = new;
        }
        let mut slots: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
        let nodes: Vec<Node> = order.iter().filter_map(|old| slots[*old].take()).collect();
        let edges: Vec<Edge> = edges
            .into_iter()
            .map(|mut e| {
                e.from = new_of[e.from];
                e.to = new_of[e.to];
                e
            })
            .collect();
        Graph::from_numbered(nodes, edges)
    }

    /// Builds a graph from nodes already sorted by kind and id and edges
    /// between them: sorts the edges by their ends (stable, on every core).
    pub(crate) fn from_numbered(nodes: Vec<Node>, mut edges: Vec<Edge>) -> Graph {
        debug_assert!(
            nodes
                .windows(2)
                .all(|w| (w[0].kind, &w[0].id) < (w[1].kind, &w[1].id))
        );
        edges.par_sort_by_key(|e| (e.from, e.to, e.relation, e.first));
        // Two passes over the edges (count, then place) instead of a list
        // per node: a national graph has millions of nodes.
        let mut starts = vec![0usize; nodes.len() + 1];
        for e in &edges {
            starts[e.from + 1] += 1;
            if e.to != e.from {
                starts[e.to + 1] += 1;
            }
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut adjacency = vec![0usize; starts[nodes.len()]];
        for (i, e) in edges.iter().enumerate() {
            adjacency[next[e.from]] = i;
            next[e.from] += 1;
            if e.to != e.from {
                adjacency[next[e.to]] = i;
                next[e.to] += 1;
            }
        }
        Graph {
            nodes,
            edges,
            adjacency,
            starts,
        }
    }

    /// The node of a kind with an id: a binary search, since the nodes are
    /// sorted by kind and id (no second copy of every id in an index).
    pub fn find(&self, kind: NodeKind, id: &str) -> Option<usize> {
        self.nodes
            .binary_search_by(|n| n.kind.cmp(&kind).then_with(|| n.id.as_str().cmp(id)))
            .ok()
    }

    /// The edges at a node.
    pub fn edges_of(&self, node: usize) -> &[usize] {
        match (self.starts.get(node), self.starts.get(node + 1)) {
            (Some(&a), Some(&b)) => self.adjacency.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The number of edges at a node.
    pub fn degree(&self, node: usize) -> usize {
        self.edges_of(node).len()
    }

    /// Whether a node is a hub at this threshold.
    pub fn is_hub(&self, node: usize, hub_degree: usize) -> bool {
        self.nodes[node].kind.can_be_hub() && self.degree(node) > hub_degree
    }

    /// The other end of an edge.
    pub fn other(&self, edge: usize, node: usize) -> usize {
        let e = &self.edges[edge];
        if e.from == node { e.to } else { e.from }
    }

    /// The number of nodes of a kind.
    pub fn count(&self, kind: NodeKind) -> usize {
        self.nodes.iter().filter(|n| n.kind == kind).count()
    }

    /// The subgraph of the given nodes and every edge between them.
    pub fn subgraph(&self, keep: &[usize]) -> Graph {
        let mut new_of: HashMap<usize, usize> = HashMap::with_capacity(keep.len());
        let mut nodes = Vec::with_capacity(keep.len());
        for &k in keep {
            if let Some(n) = self.nodes.get(k)
                && !new_of.contains_key(&k)
            {
                new_of.insert(k, nodes.len());
                nodes.push(n.clone());
            }
        }
        // The kept edges take their sentences with them: a shared node's
        // sentence names its other sites, which the subgraph may not hold.
        let kept: Vec<usize> = (0..self.edges.len())
            .filter(|&i| {
                new_of.contains_key(&self.edges[i].from) && new_of.contains_key(&self.edges[i].to)
            })
            .collect();
        let texts = self.evidence_of(&kept);
        let edges = kept
            .iter()
            .zip(texts)
            .map(|(&i, text)| {
                let mut e = self.edges[i].clone();
                e.from = new_of[&e.from];
                e.to = new_of[&e.to];
                e.evidence = Some(text);
                e
            })
            .collect();
        Graph::from_parts(nodes, edges)
    }
}
