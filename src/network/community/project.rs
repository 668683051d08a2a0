//! The projection of the entity graph onto its sites: two sites are linked,
//! with a weight, when they share a company, an owner or director, a
//! recruiter, a provider or an address; hubs link nothing.

use super::*;

/// Weight of two sites of one company (strong).
pub(super) const W_COMPANY: f64 = 3.0;
/// Weight of two sites of different companies that share an owner or a
/// director (strong).
pub(super) const W_ROLE: f64 = 2.0;
/// Weight of two sites whose permit holders came through one recruiter
/// (medium).
pub(super) const W_RECRUITER: f64 = 1.0;
/// Weight of two sites that one foreign service provider posted workers to
/// (medium).
pub(super) const W_PROVIDER: f64 = 1.0;
/// Weight of two sites whose permit holders are registered at one address
/// (medium), before the worker factor: times
/// `min(1, log2(1 + w) / 2)` for the smaller number `w` of permit holders
/// of the two sites there (0.5 for one, 0.79 for two, 1 from three).
pub(super) const W_ADDRESS: f64 = 1.0;
/// A link whose latest date lies more than this many years before the
/// newest date in the graph is old.
pub(super) const RECENT_YEARS: u32 = 3;
/// Factor of an old link.
pub(super) const OLD_FACTOR: f64 = 0.5;
/// A link with no company, owner or director behind it and a total weight
/// below this is a weak tie (one address with one permit holder of each
/// site weighs 0.5; a recruiter shared by three sites 0.5 per pair). Weak
/// ties are kept: modularity decides whether they hold a community
/// together, and a single one never outweighs a dense group.
pub(super) const WEAK_TIE: f64 = 0.75;
/// The most sites one entity is projected onto as a clique (every pair
/// linked). The invariant that keeps memory linear: an entity linking `k`
/// sites emits `k·(k−1)/2` pairs only while `k ≤ min(hub degree, this)`;
/// above that (a company with many workplaces, a person on the boards of
/// large companies) its sites are linked as a ring, `k` pairs. Hubs (more
/// than the hub degree links) emit nothing.
pub(super) const MAX_CLIQUE_SITES: usize = 50;
/// Entities kept per link as evidence.
pub(super) const MAX_VIA: usize = 5;
/// A site with no place in the projection.
pub(super) const NO_SITE: u32 = u32::MAX;

/// Every relation, in declaration order: bit `i` of a mask is `RELATIONS[i]`.
pub(super) const RELATIONS: [Relation; 7] = [
    Relation::SiteOf,
    Relation::Owner,
    Relation::Director,
    Relation::Contact,
    Relation::RecruitedBy,
    Relation::PostedBy,
    Relation::HousedAt,
];

/// The bit of a relation in a mask.
pub(super) fn bit(r: Relation) -> u8 {
    1u8 << (r as u8)
}

/// The relations of a mask, in declaration order.
pub(super) fn relations_of(mask: u8) -> Vec<Relation> {
    RELATIONS
        .iter()
        .copied()
        .filter(|&r| mask & bit(r) != 0)
        .collect()
}

/// One link of the site projection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectedLink {
    /// One site (node index in the graph), the smaller.
    pub a: usize,
    /// The other site (node index in the graph).
    pub b: usize,
    /// The summed weight of every entity the two sites share.
    pub weight: f64,
    /// The kinds of link behind it, in declaration order.
    pub relations: Vec<Relation>,
    /// The entities behind it (node indices), at most 5, in node order.
    pub via: Vec<usize>,
    /// How many entities are behind it (`via` names at most 5).
    pub shared: usize,
}

/// The entity graph projected onto its sites: a weighted undirected
/// site–site graph.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Projection {
    /// Every site (node indices in the graph), ascending.
    pub sites: Vec<usize>,
    /// The links, ascending by `(a, b)`, each pair once.
    pub links: Vec<ProjectedLink>,
}

impl Projection {
    /// The link between two sites (node indices, in either order).
    pub fn link(&self, a: usize, b: usize) -> Option<&ProjectedLink> {
        let key = (a.min(b), a.max(b));
        self.links
            .binary_search_by(|l| (l.a, l.b).cmp(&key))
            .ok()
            .and_then(|i| self.links.get(i))
    }

    /// The weight of the link between two sites, if they are linked.
    pub fn weight(&self, a: usize, b: usize) -> Option<f64> {
        self.link(a, b).map(|l| l.weight)
    }

    /// Neighbours and weights per site, by position in `sites`, over the
    /// links that `keep` accepts.
    pub(super) fn adjacency(
        &self,
        keep: impl Fn(&ProjectedLink) -> bool,
    ) -> Vec<Vec<(usize, f64)>> {
        let mut adj = vec![Vec::new(); self.sites.len()];
        for l in self.links.iter().filter(|l| keep(l)) {
            if let (Ok(a), Ok(b)) = (
                self.sites.binary_search(&l.a),
                self.sites.binary_search(&l.b),
            ) {
                adj[a].push((b, l.weight));
                adj[b].push((a, l.weight));
            }
        }
        adj
    }
}

/// One site's tie to an entity being projected.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tie {
    /// The site (position in the projection's sites).
    pub(super) site: u32,
    /// Pairs of one group are not linked by a person (sites of one
    /// company, already linked through it); the company node for persons,
    /// the site node otherwise.
    pub(super) group: usize,
    /// The relations behind the tie.
    pub(super) mask: u8,
    /// Its latest date; none while current or undated.
    pub(super) last: Option<NaiveDate>,
    /// Permit holders or postings behind it.
    pub(super) count: u64,
}

/// The later of two latest dates, none (current) winning.
pub(super) fn later(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        _ => None,
    }
}

/// The older of two latest dates: when both sites last used the entity.
pub(super) fn older(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// The base weight of an entity's links; none for sites.
pub(super) fn entity_weight(kind: NodeKind) -> Option<f64> {
    match kind {
        NodeKind::Site => None,
        NodeKind::Company => Some(W_COMPANY),
        NodeKind::Person => Some(W_ROLE),
        NodeKind::Recruiter => Some(W_RECRUITER),
        NodeKind::Provider => Some(W_PROVIDER),
        NodeKind::Address => Some(W_ADDRESS),
    }
}

/// The address factor of the smaller number of permit holders.
pub(super) fn address_factor(workers: u64) -> f64 {
    let w = workers.max(1) as f64;
    ((1.0 + w).log2() / 2.0).min(1.0)
}

/// The sites an entity links, one tie per site, by group and site.
pub(super) fn ties_of(graph: &Graph, entity: usize, local: &[u32], out: &mut Vec<Tie>) {
    out.clear();
    let kind = graph.nodes[entity].kind;
    for &ei in graph.edges_of(entity) {
        let edge = &graph.edges[ei];
        let other = graph.other(ei, entity);
        match (kind, edge.relation) {
            (NodeKind::Company, Relation::SiteOf)
            | (NodeKind::Recruiter, Relation::RecruitedBy)
            | (NodeKind::Provider, Relation::PostedBy)
            | (NodeKind::Address, Relation::HousedAt) => {
                if let Some(&site) = local.get(other)
                    && site != NO_SITE
                {
                    out.push(Tie {
                        site,
                        group: other,
                        mask: bit(edge.relation),
                        last: edge.last.or(edge.first),
                        count: edge.count,
                    });
                }
            }
            (NodeKind::Person, Relation::Owner | Relation::Director) => {
                // `other` is the company; its sites share this person.
                for &si in graph.edges_of(other) {
                    if graph.edges[si].relation != Relation::SiteOf {
                        continue;
                    }
                    let s = graph.other(si, other);
                    if let Some(&site) = local.get(s)
                        && site != NO_SITE
                    {
                        out.push(Tie {
                            site,
                            group: other,
                            mask: bit(edge.relation),
                            last: edge.last,
                            count: 1,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|t| t.site);
    out.dedup_by(|next, kept| {
        if next.site != kept.site {
            return false;
        }
        kept.mask |= next.mask;
        kept.count += next.count;
        kept.last = later(kept.last, next.last);
        true
    });
    out.sort_by_key(|t| (t.group, t.site));
}

/// The entity whose pairs are being added.
pub(super) struct Shared {
    /// Its node index.
    pub(super) node: u32,
    /// The weight of one pair before the address and recency factors.
    pub(super) weight: f64,
    /// Whether the worker factor applies (addresses).
    pub(super) address: bool,
}

/// One entity's contribution to one pair of sites.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pair {
    /// The two sites (positions in the projection's sites), the smaller in
    /// the high half.
    pub(super) key: u64,
    pub(super) weight: f64,
    pub(super) mask: u8,
    /// The entity (node index).
    pub(super) node: u32,
}

/// The pair of two ties through an entity: its weight after the address
/// and recency factors, and the relations behind it.
pub(super) fn pair(by: &Shared, a: &Tie, b: &Tie, cutoff: Option<NaiveDate>) -> Pair {
    let mut w = by.weight;
    if by.address {
        w *= address_factor(a.count.min(b.count));
    }
    if let (Some(cut), Some(last)) = (cutoff, older(a.last, b.last))
        && last < cut
    {
        w *= OLD_FACTOR;
    }
    let (x, y) = (a.site.min(b.site), a.site.max(b.site));
    Pair {
        key: (u64::from(x) << 32) | u64::from(y),
        weight: w,
        mask: a.mask | b.mask,
        node: by.node,
    }
}

/// The newest date on any edge.
pub(super) fn newest(graph: &Graph) -> Option<NaiveDate> {
    graph
        .edges
        .iter()
        .flat_map(|e| [e.first, e.last])
        .flatten()
        .max()
}

/// Projects the entity graph onto its sites.
///
/// Two sites are linked when they share a company (weight 3), an owner or
/// director of their two companies (2; sites of one company are not linked
/// again through its people), a recruiter (1), a foreign service provider
/// (1) or an address where permit holders of both live (1, times
/// `min(1, log2(1 + w) / 2)` for the smaller number `w` of the two sites'
/// permit holders there). An entity shared by `k` sites spreads its weight:
/// each pair gets `weight / (k − 1)`, so every site receives the full
/// weight once from each entity, however many sites share it, and a
/// recruiter of forty sites does not outweigh one owner. A link used by
/// either site only more than 3 years before the newest date in the graph
/// weighs half (an open role, a register link and an undated edge are
/// current). Weights of one pair add up over the entities behind it.
///
/// Hubs (`graph.is_hub(node, hub_degree)`) link nothing. An entity linking
/// more than `min(hub_degree, 50)` sites links them as a ring in node order
/// (each pair half the weight) instead of every pair, so memory stays
/// linear in the edges.
pub fn project(graph: &Graph, hub_degree: usize) -> Projection {
    project_in_blocks(graph, hub_degree, PROJECT_BLOCK)
}

/// [`project`], listing the pairs of `block` nodes at a time.
pub(super) fn project_in_blocks(graph: &Graph, hub_degree: usize, block: usize) -> Projection {
    use rayon::prelude::*;
    let sites: Vec<usize> = graph
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind == NodeKind::Site)
        .map(|(i, _)| i)
        .collect();
    let mut local = vec![NO_SITE; graph.nodes.len()];
    for (l, &s) in sites.iter().enumerate() {
        local[s] = l as u32;
    }
    let cutoff = newest(graph).and_then(|d| d.checked_sub_months(Months::new(12 * RECENT_YEARS)));
    // The clique invariant: at most cap·(cap−1)/2 pairs per entity.
    let cap = hub_degree.clamp(2, MAX_CLIQUE_SITES);
    // Every entity's pairs, in node order, listed on every core a block
    // of nodes at a time; a stable sort then brings each pair's
    // contributions together still in node order, so its weight is summed
    // in the same order whatever the number of cores.
    let n = graph.nodes.len();
    let block = block.max(1);
    let blocks: Vec<Vec<Pair>> = (0..n.div_ceil(block))
        .into_par_iter()
        .map(|b| {
            let mut out = Vec::new();
            let mut ties = Vec::new();
            for e in b * block..n.min((b + 1) * block) {
                entity_pairs(
                    graph,
                    e,
                    (&local, cap, hub_degree, cutoff),
                    &mut ties,
                    &mut out,
                );
            }
            out
        })
        .collect();
    let mut pairs: Vec<Pair> = blocks.concat();
    drop(blocks);
    pairs.par_sort_by_key(|p| p.key);
    // The runs of one key, each a link.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, p) in pairs.iter().enumerate() {
        match runs.last_mut() {
            Some((start, end)) if pairs[*start].key == p.key => *end = i + 1,
            _ => runs.push((i, i + 1)),
        }
    }
    let links = runs
        .par_iter()
        .map(|&(start, end)| {
            let run = &pairs[start..end];
            let key = run[0].key;
            let (a, b) = ((key >> 32) as usize, (key & u64::from(u32::MAX)) as usize);
            let mut weight = 0.0;
            let mut mask = 0u8;
            for p in run {
                weight += p.weight;
                mask |= p.mask;
            }
            ProjectedLink {
                a: sites[a],
                b: sites[b],
                weight,
                relations: relations_of(mask),
                via: run.iter().take(MAX_VIA).map(|p| p.node as usize).collect(),
                shared: run.len(),
            }
        })
        .collect();
    Projection { sites, links }
}

/// Nodes listed per block while the projection is built.
const PROJECT_BLOCK: usize = 1 << 14;

/// The pairs of sites one entity links (none for a site or a hub): every
/// pair of its `k` sites while `k ≤ cap`, a ring in site order above.
fn entity_pairs(
    graph: &Graph,
    e: usize,
    (local, cap, hub_degree, cutoff): (&[u32], usize, usize, Option<NaiveDate>),
    ties: &mut Vec<Tie>,
    out: &mut Vec<Pair>,
) {
    let node = &graph.nodes[e];
    let Some(base) = entity_weight(node.kind) else {
        return;
    };
    if graph.is_hub(e, hub_degree) {
        return;
    }
    ties_of(graph, e, local, ties);
    let k = ties.len();
    if k < 2 {
        return;
    }
    let person = node.kind == NodeKind::Person;
    let address = node.kind == NodeKind::Address;
    if k <= cap {
        let by = Shared {
            node: e as u32,
            weight: base / (k - 1) as f64,
            address,
        };
        for (i, a) in ties.iter().enumerate() {
            for b in &ties[i + 1..] {
                let same = person && a.group == b.group;
                if !same {
                    out.push(pair(&by, a, b, cutoff));
                }
            }
        }
    } else {
        // k > cap ≥ 2, so the ring's k pairs are distinct.
        let by = Shared {
            node: e as u32,
            weight: base / 2.0,
            address,
        };
        for (i, a) in ties.iter().enumerate() {
            let b = &ties[(i + 1) % k];
            let same = person && a.group == b.group;
            if !same {
                out.push(pair(&by, a, b, cutoff));
            }
        }
    }
}
