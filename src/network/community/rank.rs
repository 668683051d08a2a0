//! Ranking communities by the concentration of their risk, not their
//! size, with the reasons each ranks where it does.

use super::*;

/// Score weight of the mean site priority.
pub(super) const S_MEAN: f64 = 0.4;

/// Score weight of the largest site priority.
pub(super) const S_MAX: f64 = 0.2;

/// Score weight of findings per site (capped at 1).
pub(super) const S_FINDINGS: f64 = 0.15;

/// Score weight of severe outcomes per site (capped at 1).
pub(super) const S_SEVERE: f64 = 0.15;

/// Score weight of the kinds of link (capped at [`LINK_TYPES_FULL`]).
pub(super) const S_LINKS: f64 = 0.1;

/// Kinds of link that earn the full link part of the score.
pub(super) const LINK_TYPES_FULL: f64 = 4.0;

/// A community with its risk, ready to be ranked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedCommunity {
    /// The community (its id is its rank).
    pub community: Community,
    /// The ranking score (see [`rank_communities`]).
    pub score: f64,
    /// Mean standing of its sites in the ranking, from 1 (ranked first) to
    /// near 0 (ranked last); an unranked site counts as 0. The standing,
    /// not the priority, so the score reads the same with either scorer.
    pub mean_priority: f64,
    /// Best standing of its sites, on the same scale.
    pub max_priority: f64,
    /// Best rank of its sites.
    pub best_rank: Option<usize>,
    /// Findings at its sites' inspections.
    pub findings: i64,
    /// Its sites with findings.
    pub sites_with_findings: usize,
    /// Findings per site.
    pub findings_per_site: f64,
    /// Severe outcomes at its sites in the last 5 years.
    pub severe_outcomes: i64,
    /// Its sites with severe outcomes.
    pub sites_with_severe: usize,
    /// Severe outcomes per site.
    pub severe_per_site: f64,
    /// Distinct kinds of link among its links.
    pub link_types: usize,
    /// Its links that are weak ties.
    pub weak_links: usize,
    /// Short reasons, for the analyst.
    pub why: Vec<String>,
}

/// The noun of a kind of link in the reasons.
pub(super) fn link_noun(r: Relation) -> &'static str {
    match r {
        Relation::SiteOf => "company",
        Relation::Owner => "owner",
        Relation::Director => "director",
        Relation::Contact => "contact",
        Relation::RecruitedBy => "recruiter",
        Relation::PostedBy => "service provider",
        Relation::HousedAt => "address",
    }
}

/// The ranking score of a community (see [`rank_communities`]).
pub(super) fn score(
    mean: f64,
    max: f64,
    findings_per_site: f64,
    severe_per_site: f64,
    link_types: usize,
    sites: usize,
) -> f64 {
    let base = S_MEAN * mean
        + S_MAX * max
        + S_FINDINGS * findings_per_site.min(1.0)
        + S_SEVERE * severe_per_site.min(1.0)
        + S_LINKS * (link_types as f64 / LINK_TYPES_FULL).min(1.0);
    base * (1.0 - 1.0 / (1.0 + sites as f64))
}

/// "1 finding", "3 findings".
pub(super) fn count_of(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A community's risk and reasons.
pub(super) fn assess(graph: &Graph, community: Community, risk: &Risk) -> RankedCommunity {
    let n = community.sites.len();
    let (mut sum, mut max) = (0.0f64, 0.0f64);
    let mut best_rank: Option<usize> = None;
    let total = risk.sites.len().max(1) as f64;
    let (mut findings, mut with_findings) = (0i64, 0usize);
    let (mut severe, mut with_severe) = (0i64, 0usize);
    for &s in &community.sites {
        let Some(r) = graph.nodes.get(s).and_then(|node| risk.sites.get(&node.id)) else {
            continue;
        };
        let standing = 1.0 - r.rank.saturating_sub(1) as f64 / total;
        sum += standing;
        max = max.max(standing);
        best_rank = Some(best_rank.map_or(r.rank, |b: usize| b.min(r.rank)));
        if r.findings > 0 {
            findings += r.findings;
            with_findings += 1;
        }
        if r.severe_outcomes > 0 {
            severe += r.severe_outcomes;
            with_severe += 1;
        }
    }
    let per = n.max(1) as f64;
    let mean = sum / per;
    let findings_per_site = findings as f64 / per;
    let severe_per_site = severe as f64 / per;
    let mut mask = 0u8;
    let mut weak = 0usize;
    for l in &community.links {
        for &r in &l.relations {
            mask |= bit(r);
        }
        if l.weak {
            weak += 1;
        }
    }
    let types = relations_of(mask);
    let mut nouns: Vec<String> = types.iter().map(|&r| link_noun(r).to_string()).collect();
    nouns.dedup();
    let mut linked = format!("{n} sites linked by {} ties", and_list(&nouns));
    if weak > 0 {
        linked.push_str(&format!(
            " ({weak} of {} links weak)",
            community.links.len()
        ));
    }
    let standing = match best_rank {
        Some(b) => format!(
            "its sites stand on average in the top {:.0}% of the ranking; the best is ranked {b}",
            (100.0 * (1.0 - mean)).max(1.0)
        ),
        None => "none of its sites is ranked".to_string(),
    };
    let mut why = vec![linked, standing];
    if findings > 0 {
        why.push(format!(
            "{} at {with_findings} of {n} sites",
            count_of(findings, "finding", "findings")
        ));
    } else {
        why.push("no findings on record".to_string());
    }
    if severe > 0 {
        why.push(format!(
            "{} in the last 5 years at {with_severe} of {n} sites",
            count_of(severe, "severe outcome", "severe outcomes")
        ));
    }
    let link_types = types.len();
    RankedCommunity {
        score: score(mean, max, findings_per_site, severe_per_site, link_types, n),
        community,
        mean_priority: mean,
        max_priority: max,
        best_rank,
        findings,
        sites_with_findings: with_findings,
        findings_per_site,
        severe_outcomes: severe,
        sites_with_severe: with_severe,
        severe_per_site,
        link_types,
        weak_links: weak,
        why,
    }
}

/// The smallest site id of a community.
pub(super) fn first_id<'g>(graph: &'g Graph, c: &Community) -> Option<&'g str> {
    c.sites
        .iter()
        .filter_map(|&s| graph.nodes.get(s))
        .map(|n| n.id.as_str())
        .min()
}

/// Ranks communities by concentration of risk, not size, and numbers them
/// from 1 in that order.
///
/// A site's standing is `1 − (rank − 1)/sites ranked`: 1 for the first.
/// The score is `(0.4·mean standing + 0.2·best standing +
/// 0.15·min(1, findings per site) + 0.15·min(1, severe outcomes per site) +
/// 0.1·min(1, kinds of link / 4)) · (1 − 1/(1 + sites))`.
/// Means and per-site rates reward dense risk, so 4 sites sharing an owner,
/// a recruiter and an address with findings rank above hundreds of loosely
/// linked low-priority sites; the last factor (2/3 for a pair, 0.8 for 4
/// sites, near 1 from 20) keeps a lone pair from outranking a larger group
/// of the same risk. Ties go to the smallest site id.
pub fn rank_communities(
    graph: &Graph,
    communities: Vec<Community>,
    risk: &Risk,
) -> Vec<RankedCommunity> {
    let mut out: Vec<RankedCommunity> = communities
        .into_iter()
        .map(|c| assess(graph, c, risk))
        .collect();
    out.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then_with(|| first_id(graph, &x.community).cmp(&first_id(graph, &y.community)))
    });
    for (i, r) in out.iter_mut().enumerate() {
        r.community.id = i + 1;
    }
    out
}

/// The id of the community holding a site (node index), if any.
pub fn community_of_site(communities: &[Community], site: usize) -> Option<usize> {
    communities
        .iter()
        .find(|c| c.sites.binary_search(&site).is_ok())
        .map(|c| c.id)
}
