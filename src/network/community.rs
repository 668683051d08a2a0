//! Communities of sites: network groups an analyst can act on.
//!
//! Connected groups chain: on data shaped like the real registers one
//! connected component holds 10–20% of all sites. Here the entity graph is
//! first projected onto its sites ([`project`]): two sites are linked, with
//! a weight, when they share a company, an owner or director, a recruiter, a
//! foreign service provider or an address. Louvain community detection
//! (Blondel et al. 2008) then partitions that weighted graph; every
//! community is split into its connected parts (the guarantee of Leiden,
//! Traag, Waltman & van Eck 2019, that Louvain lacks); and a size guard
//! splits communities that are still too large ([`communities`]).
//! [`rank_communities`] orders them by how concentrated their risk is, not
//! by their size.
//!
//! Everything is deterministic: nodes, edges and links are kept in index
//! order, hash maps are only used for look-ups and sums whose order is
//! fixed, and the Louvain visiting order is a shuffle by a seeded ChaCha8
//! stream, so the same graph and seed give the same communities.

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::{Edge, Graph, NodeKind, Relation, Risk};
mod louvain;
mod project;
mod rank;
mod table;
#[cfg(test)]
mod tests;

use louvain::*;
use project::*;
pub use project::{ProjectedLink, Projection, project};
pub use rank::{RankedCommunity, community_of_site, rank_communities};
pub use table::{write_communities_table, write_community_detail};

/// How communities are found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CommunityParams {
    /// A person, recruiter, provider or address with more links than this
    /// is a hub and links no sites.
    pub hub_degree: usize,
    /// Louvain resolution γ: larger gives smaller communities (1 is
    /// classic modularity; a value that is not positive counts as 1).
    pub resolution: f64,
    /// Seed of the Louvain visiting order.
    pub seed: u64,
    /// Size guard: a community with more than this share of all sites and
    /// more than 50 sites is split again at a doubled resolution.
    pub max_share: f64,
}

impl Default for CommunityParams {
    fn default() -> CommunityParams {
        CommunityParams {
            hub_degree: super::HUB_DEGREE,
            resolution: 1.0,
            seed: 0,
            max_share: 0.02,
        }
    }
}

/// A link between two sites of a community, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommunityLink {
    /// One site (node index in the graph), the smaller.
    pub a: usize,
    /// The other site (node index in the graph).
    pub b: usize,
    /// Its weight in the projection.
    pub weight: f64,
    /// The kinds of link behind it, in declaration order.
    pub relations: Vec<Relation>,
    /// The entities behind it (node indices), at most 5.
    pub via: Vec<usize>,
    /// How many entities are behind it (`via` names at most 5).
    pub shared: usize,
    /// A weak tie: no company, owner or director behind it and a weight
    /// below 0.75.
    pub weak: bool,
}

impl CommunityLink {
    /// What the two sites share, e.g. `share recruiter recruiter:R12 (3 and
    /// 5 permit holders, last 2025-04-01); share owner person:P9 (of
    /// company:C1 and company:C3)`. Written when it is shown: a national
    /// register has millions of links, and an analyst reads a few.
    pub fn evidence(&self, graph: &Graph) -> String {
        evidence(graph, self.a, self.b, &self.via, self.shared)
    }
}

/// A community of sites.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Community {
    /// 1-based number: the position in the ranking after
    /// [`rank_communities`], by first site before.
    pub id: usize,
    /// Its sites (node indices in the graph), ascending; two or more.
    pub sites: Vec<usize>,
    /// The companies of its sites (node indices), ascending.
    pub companies: Vec<usize>,
    /// The entities behind its links (node indices, at most 5 per link),
    /// ascending.
    pub entities: Vec<usize>,
    /// The links between its sites, ascending by `(a, b)`.
    pub links: Vec<CommunityLink>,
    /// The summed weight of its links.
    pub weight: f64,
}

/// The communities of the sites, by first site, numbered from 1 in that
/// order.
///
/// Louvain (local moving until no node moves, aggregation, repeated until
/// nothing merges) on the projection ([`project`]); every community is then
/// split into its connected parts, so no community holds sites that are not
/// linked within it. Size guard: a community with more than `max_share` of
/// all sites and more than 50 sites is partitioned again by Louvain inside
/// it at twice the resolution, up to 4 times. Sites without links belong to
/// no community; every community has two or more sites.
pub fn communities(graph: &Graph, params: &CommunityParams) -> Vec<Community> {
    let proj = {
        let _stage = crate::progress::stage("communities: site graph");
        project(graph, params.hub_degree)
    };
    let n = proj.sites.len();
    // A single weak tie (one worker at a shared address, an old recruiter)
    // never merges communities: communities are found over the other links.
    let adj = proj.adjacency(|l| !is_weak(l));
    let gamma = if params.resolution.is_finite() && params.resolution > 0.0 {
        params.resolution
    } else {
        1.0
    };
    let all: Vec<usize> = (0..n).collect();
    let louvain_stage = crate::progress::stage("communities: louvain");
    let member = louvain_by_component(&adj, gamma, params.seed);
    let limit = params.max_share.clamp(0.0, 1.0) * n as f64;
    let too_big = |size: usize| size > GUARD_MIN_SITES && size as f64 > limit;
    let mut todo: Vec<(Vec<usize>, f64, usize)> = split_connected(&adj, groups_of(&member, &all))
        .into_iter()
        .map(|p| (p, gamma, 0))
        .collect();
    let mut parts: Vec<Vec<usize>> = Vec::new();
    while let Some((part, g, round)) = todo.pop() {
        if part.len() < 2 {
            continue;
        }
        if round >= GUARD_ROUNDS || !too_big(part.len()) {
            parts.push(part);
            continue;
        }
        let g = g * 2.0;
        for piece in split_connected(&adj, within(&adj, &part, g, params.seed)) {
            todo.push((piece, g, round + 1));
        }
    }
    parts.sort_unstable();
    drop(louvain_stage);
    let _stage = crate::progress::stage("communities: links and evidence");
    assemble(graph, &proj, &parts)
}

/// The companies of a site.
fn companies_of(graph: &Graph, site: usize) -> impl Iterator<Item = usize> + '_ {
    graph
        .edges_of(site)
        .iter()
        .filter(move |&&e| graph.edges[e].relation == Relation::SiteOf)
        .map(move |&e| graph.other(e, site))
}

/// The communities of parts (positions into the projection's sites), on
/// every core: each community's links are its links in the projection's
/// order, so its weight is summed in the same order whatever the cores.
fn assemble(graph: &Graph, proj: &Projection, parts: &[Vec<usize>]) -> Vec<Community> {
    use rayon::prelude::*;
    let mut label = vec![usize::MAX; graph.nodes.len()];
    for (c, part) in parts.iter().enumerate() {
        for &l in part {
            if let Some(&site) = proj.sites.get(l) {
                label[site] = c;
            }
        }
    }
    // The links inside a community, by community, each in link order.
    let mut inside: Vec<(usize, usize)> = proj
        .links
        .par_iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let c = *label.get(l.a)?;
            (c != usize::MAX && label.get(l.b) == Some(&c)).then_some((c, i))
        })
        .collect();
    inside.par_sort_by_key(|&(c, _)| c);
    let mut first = vec![inside.len(); parts.len() + 1];
    for (k, &(c, _)) in inside.iter().enumerate().rev() {
        first[c] = k;
    }
    for c in (0..parts.len()).rev() {
        first[c] = first[c].min(first[c + 1]);
    }
    parts
        .par_iter()
        .enumerate()
        .map(|(c, part)| {
            let sites: Vec<usize> = part.iter().map(|&l| proj.sites[l]).collect();
            let mut companies: Vec<usize> =
                sites.iter().flat_map(|&s| companies_of(graph, s)).collect();
            companies.sort_unstable();
            companies.dedup();
            let mut weight = 0.0;
            let mut entities = Vec::new();
            let links: Vec<CommunityLink> = inside[first[c]..first[c + 1]]
                .iter()
                .map(|&(_, i)| {
                    let l = &proj.links[i];
                    weight += l.weight;
                    entities.extend(&l.via);
                    CommunityLink {
                        a: l.a,
                        b: l.b,
                        weight: l.weight,
                        relations: l.relations.clone(),
                        via: l.via.clone(),
                        shared: l.shared,
                        weak: is_weak(l),
                    }
                })
                .collect();
            entities.sort_unstable();
            entities.dedup();
            Community {
                id: c + 1,
                sites,
                companies,
                entities,
                links,
                weight,
            }
        })
        .collect()
}

/// Whether a link is a weak tie (see `WEAK_TIE`).
fn is_weak(l: &ProjectedLink) -> bool {
    let strong = l
        .relations
        .iter()
        .any(|r| matches!(r, Relation::SiteOf | Relation::Owner | Relation::Director));
    !strong && l.weight < WEAK_TIE
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// The edge between a site and an entity.
fn edge_between(graph: &Graph, site: usize, entity: usize) -> Option<&Edge> {
    graph
        .edges_of(site)
        .iter()
        .find(|&&e| graph.other(e, site) == entity)
        .and_then(|&e| graph.edges.get(e))
}

/// ", last 2025-04-01" or ", last 2024-02-01 and 2025-04-01" (first site,
/// second site), or nothing without dates.
fn last_dates(a: Option<NaiveDate>, b: Option<NaiveDate>) -> String {
    match (a, b) {
        (Some(x), Some(y)) if x == y => format!(", last {x}"),
        (Some(x), Some(y)) => format!(", last {x} and {y}"),
        (Some(x), None) | (None, Some(x)) => format!(", last {x}"),
        (None, None) => String::new(),
    }
}

/// What sites `a` and `b` share through one entity.
fn shared_by(graph: &Graph, a: usize, b: usize, entity: usize) -> Option<String> {
    let node = graph.nodes.get(entity)?;
    let key = node.key();
    let text = match node.kind {
        NodeKind::Site => return None,
        NodeKind::Company => format!("share company {key}"),
        NodeKind::Person => {
            let mut roles: Vec<Relation> = Vec::new();
            let mut of: Vec<String> = Vec::new();
            for site in [a, b] {
                for company in companies_of(graph, site) {
                    for &e in graph.edges_of(company) {
                        let edge = &graph.edges[e];
                        let role = matches!(edge.relation, Relation::Owner | Relation::Director);
                        if !role || graph.other(e, company) != entity {
                            continue;
                        }
                        roles.push(edge.relation);
                        let until = edge
                            .last
                            .map_or_else(String::new, |d| format!(" until {d}"));
                        of.push(format!("{}{until}", graph.nodes[company].key()));
                    }
                }
            }
            roles.sort_unstable();
            roles.dedup();
            of.dedup();
            let roles: Vec<&str> = roles.iter().map(|r| r.name()).collect();
            format!("share {} {key} (of {})", roles.join(" and "), and_list(&of))
        }
        NodeKind::Recruiter | NodeKind::Provider | NodeKind::Address => {
            let ea = edge_between(graph, a, entity)?;
            let eb = edge_between(graph, b, entity)?;
            let noun = if node.kind == NodeKind::Provider {
                "postings"
            } else {
                "permit holders"
            };
            let dates = last_dates(ea.last.or(ea.first), eb.last.or(eb.first));
            format!(
                "share {} {key} ({} and {} {noun}{dates})",
                node.kind.name(),
                ea.count,
                eb.count
            )
        }
    };
    Some(text)
}

/// The evidence sentence of a link between sites `a` and `b`: what they
/// share, entity by entity (`via`, of `shared` in all).
fn evidence(graph: &Graph, a: usize, b: usize, via: &[usize], shared: usize) -> String {
    let mut parts: Vec<String> = via
        .iter()
        .filter_map(|&e| shared_by(graph, a, b, e))
        .collect();
    let more = shared.saturating_sub(via.len());
    if more > 0 {
        let noun = if more == 1 { "entity" } else { "entities" };
        parts.push(format!("and {more} more shared {noun}"));
    }
    parts.join("; ")
}
