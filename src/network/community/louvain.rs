//! Louvain community detection (Blondel et al. 2008) on the projected
//! graph, seeded, one connected component at a time on every core; the
//! split of each community into its connected parts (the guarantee of
//! Leiden, Traag et al. 2019).

use super::*;

/// Passes of the Louvain local moving phase per level, at most.
pub(super) const MAX_PASSES: usize = 32;

/// Louvain levels (local moving, then aggregation), at most.
pub(super) const MAX_LEVELS: usize = 32;

/// A move must gain more than this (in units of link weight).
pub(super) const EPS: f64 = 1e-12;

/// The size guard leaves communities of at most this many sites alone.
pub(super) const GUARD_MIN_SITES: usize = 50;

/// Times the size guard re-runs Louvain inside a community (each time with
/// the resolution doubled).
pub(super) const GUARD_ROUNDS: usize = 4;

/// One level of Louvain: a weighted graph with self-loops.
pub(super) struct Level {
    /// Neighbours and weights, no self-loops, each edge in both lists.
    pub(super) adj: Vec<Vec<(usize, f64)>>,
    /// Self-loop weight per node (the weight inside an aggregated node).
    pub(super) loops: Vec<f64>,
}

impl Level {
    /// A node's strength: its link weights, self-loops counted twice.
    pub(super) fn strength(&self, i: usize) -> f64 {
        self.adj[i].iter().map(|&(_, w)| w).sum::<f64>() + 2.0 * self.loops[i]
    }

    /// The local moving phase: each node, in `order`, moves to the
    /// neighbouring community with the largest modularity gain, until a
    /// pass moves nothing. Ties go to the smaller community id, and a node
    /// stays unless a move gains strictly. None when nothing moved.
    /// `m2` is twice the total link weight of the whole graph (of which
    /// this level may be one component).
    pub(super) fn local_moving(&self, gamma: f64, m2: f64, order: &[usize]) -> Option<Vec<usize>> {
        let n = self.adj.len();
        let k: Vec<f64> = (0..n).map(|i| self.strength(i)).collect();
        if m2 <= 0.0 {
            return None;
        }
        let mut comm: Vec<usize> = (0..n).collect();
        let mut tot = k.clone();
        let mut w_to = vec![0.0f64; n];
        let mut seen = vec![false; n];
        let mut near: Vec<usize> = Vec::new();
        let mut moved_any = false;
        for _ in 0..MAX_PASSES {
            let mut moved = false;
            for &i in order {
                let ci = comm[i];
                near.clear();
                seen[ci] = true;
                w_to[ci] = 0.0;
                near.push(ci);
                for &(j, w) in &self.adj[i] {
                    let c = comm[j];
                    if !seen[c] {
                        seen[c] = true;
                        w_to[c] = 0.0;
                        near.push(c);
                    }
                    w_to[c] += w;
                }
                tot[ci] -= k[i];
                near.sort_unstable();
                // Gain of joining c, times m: k_i,in − γ·Σ_tot·k_i / 2m.
                let gain = |c: usize| w_to[c] - gamma * tot[c] * k[i] / m2;
                let mut best = ci;
                let mut best_gain = gain(ci);
                for &c in &near {
                    let g = gain(c);
                    if g > best_gain + EPS {
                        best = c;
                        best_gain = g;
                    }
                }
                tot[best] += k[i];
                for &c in &near {
                    seen[c] = false;
                }
                if best != ci {
                    comm[i] = best;
                    moved = true;
                }
            }
            if !moved {
                break;
            }
            moved_any = true;
        }
        moved_any.then_some(comm)
    }

    /// The graph of the communities (one node each, numbered by their
    /// first node) and each node's new number.
    pub(super) fn aggregate(&self, comm: &[usize]) -> (Level, Vec<usize>) {
        let renum = by_first(comm, self.adj.len());
        let count = renum.iter().max().map_or(0, |m| m + 1);
        let mut loops = vec![0.0f64; count];
        let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
        for (i, nbrs) in self.adj.iter().enumerate() {
            let ci = renum[i];
            loops[ci] += self.loops[i];
            for &(j, w) in nbrs {
                if j <= i {
                    continue;
                }
                let cj = renum[j];
                if ci == cj {
                    loops[ci] += w;
                } else {
                    pairs.push((ci.min(cj), ci.max(cj), w));
                }
            }
        }
        pairs.sort_by_key(|&(a, b, _)| (a, b));
        let mut merged: Vec<(usize, usize, f64)> = Vec::new();
        for (a, b, w) in pairs {
            if let Some(last) = merged.last_mut()
                && (last.0, last.1) == (a, b)
            {
                last.2 += w;
                continue;
            }
            merged.push((a, b, w));
        }
        let mut adj = vec![Vec::new(); count];
        for (a, b, w) in merged {
            adj[a].push((b, w));
            adj[b].push((a, w));
        }
        (Level { adj, loops }, renum)
    }
}

/// Twice the total link weight of a graph (each link is in both lists):
/// the sum of the nodes' strengths, added node by node as local moving
/// adds them.
fn twice_weight(adj: &[Vec<(usize, f64)>]) -> f64 {
    adj.iter()
        .map(|l| l.iter().map(|&(_, w)| w).sum::<f64>())
        .sum()
}

/// Louvain (Blondel et al. 2008) with resolution `gamma`: the community of
/// every node, numbered by first node. Each level visits its nodes in an
/// order shuffled by a ChaCha8 stream seeded with `seed`.
pub(super) fn louvain(adj: Vec<Vec<(usize, f64)>>, gamma: f64, seed: u64) -> Vec<usize> {
    let m2 = twice_weight(&adj);
    louvain_in(adj, gamma, m2, ChaCha8Rng::seed_from_u64(seed))
}

/// Louvain on every connected component of `adj` apart, on every core:
/// the community of every node, numbered by first node.
///
/// Modularity's gain of a move only involves the node's own component, and
/// `m2` stays the whole graph's, so this optimises the same objective as
/// one run over the whole graph; what it saves is visiting a million
/// settled sites again while one large component still moves. Each
/// component shuffles its own order from a ChaCha8 stream seeded with
/// `seed` and numbered by the component's first node, so the result does
/// not depend on the number of cores.
pub(super) fn louvain_by_component(adj: &[Vec<(usize, f64)>], gamma: f64, seed: u64) -> Vec<usize> {
    use rayon::prelude::*;
    let n = adj.len();
    let m2 = twice_weight(adj);
    let all: Vec<usize> = (0..n).collect();
    let components: Vec<Vec<usize>> = split_connected(adj, vec![all])
        .into_iter()
        .filter(|c| c.len() > 1)
        .collect();
    // A node's place in its component (components are disjoint).
    let mut place = vec![0usize; n];
    for c in &components {
        for (i, &v) in c.iter().enumerate() {
            place[v] = i;
        }
    }
    let found: Vec<Vec<usize>> = components
        .par_iter()
        .map(|c| {
            let local: Vec<Vec<(usize, f64)>> = c
                .iter()
                .map(|&v| adj[v].iter().map(|&(u, w)| (place[u], w)).collect())
                .collect();
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(c[0] as u64);
            louvain_in(local, gamma, m2, rng)
        })
        .collect();
    // Every node its own community, then each component's communities
    // labelled by a member node; numbered by first node below.
    let mut label: Vec<usize> = (0..n).collect();
    for (c, member) in components.iter().zip(&found) {
        // Communities are numbered by first node: community m's first node
        // is the first not in communities 0..m.
        let mut first: Vec<usize> = Vec::new();
        for (&v, &m) in c.iter().zip(member) {
            if m == first.len() {
                first.push(v);
            }
            label[v] = first.get(m).copied().unwrap_or(v);
        }
    }
    by_first(&label, n)
}

/// Labels (each below `n`) renumbered 0, 1, 2, ... in order of first
/// appearance.
fn by_first(labels: &[usize], n: usize) -> Vec<usize> {
    let mut id = vec![usize::MAX; n];
    let mut count = 0;
    labels
        .iter()
        .map(|&l| {
            if id[l] == usize::MAX {
                id[l] = count;
                count += 1;
            }
            id[l]
        })
        .collect()
}

/// Louvain on one graph (`m2` twice the weight of the graph it belongs
/// to), drawing its visiting orders from `rng`.
fn louvain_in(adj: Vec<Vec<(usize, f64)>>, gamma: f64, m2: f64, mut rng: ChaCha8Rng) -> Vec<usize> {
    let n = adj.len();
    let mut level = Level {
        adj,
        loops: vec![0.0; n],
    };
    let mut member: Vec<usize> = (0..n).collect();
    for _ in 0..MAX_LEVELS {
        let size = level.adj.len();
        let mut order: Vec<usize> = (0..size).collect();
        order.shuffle(&mut rng);
        let Some(comm) = level.local_moving(gamma, m2, &order) else {
            break;
        };
        let (next, renum) = level.aggregate(&comm);
        for m in &mut member {
            *m = renum[*m];
        }
        let merged = next.adj.len() < size;
        level = next;
        if !merged {
            break;
        }
    }
    member
}

/// The members (`ids[i]` for node `i`) of each community of a membership.
pub(super) fn groups_of(member: &[usize], ids: &[usize]) -> Vec<Vec<usize>> {
    let n = member.iter().max().map_or(0, |m| m + 1);
    let mut out = vec![Vec::new(); n];
    for (&m, &id) in member.iter().zip(ids) {
        out[m].push(id);
    }
    out.retain(|g| !g.is_empty());
    out
}

/// Louvain inside one part (positions into `adj`) at resolution `gamma`.
pub(super) fn within(
    adj: &[Vec<(usize, f64)>],
    part: &[usize],
    gamma: f64,
    seed: u64,
) -> Vec<Vec<usize>> {
    let pos: HashMap<usize, usize> = part.iter().enumerate().map(|(i, &s)| (s, i)).collect();
    let sub: Vec<Vec<(usize, f64)>> = part
        .iter()
        .map(|&s| {
            adj[s]
                .iter()
                .filter_map(|&(t, w)| pos.get(&t).map(|&j| (j, w)))
                .collect()
        })
        .collect();
    groups_of(&louvain(sub, gamma, seed), part)
}

/// Splits every group into its connected parts (links inside the group
/// only), each part ascending.
pub(super) fn split_connected(
    adj: &[Vec<(usize, f64)>],
    groups: Vec<Vec<usize>>,
) -> Vec<Vec<usize>> {
    let n = adj.len();
    let mut owner = vec![usize::MAX; n];
    for (g, members) in groups.iter().enumerate() {
        for &i in members {
            owner[i] = g;
        }
    }
    let mut seen = vec![false; n];
    let mut out = Vec::new();
    for members in &groups {
        for &start in members {
            if seen[start] {
                continue;
            }
            seen[start] = true;
            let mut part = vec![start];
            let mut stack = vec![start];
            while let Some(u) = stack.pop() {
                for &(v, _) in &adj[u] {
                    if !seen[v] && owner[v] == owner[u] {
                        seen[v] = true;
                        part.push(v);
                        stack.push(v);
                    }
                }
            }
            part.sort_unstable();
            out.push(part);
        }
    }
    out
}
