//! The neighbourhood of one site or company: every entity within a number
//! of links (breadth-first), as a tree of links in reading order (each
//! entity under the one it was reached from, with the edge and its
//! evidence). Hubs are shown but not expanded through.

use super::Graph;

/// How a node was reached: (parent node, edge from the parent, depth).
type Reach = (Option<usize>, Option<usize>, usize);

/// One entity of a neighbourhood and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The entity (index into the graph).
    pub node: usize,
    /// The entity it was reached from (none for the start).
    pub parent: Option<usize>,
    /// The edge it was reached by (index into the graph).
    pub edge: Option<usize>,
    /// Links from the start.
    pub depth: usize,
    /// A hub: shown, not expanded.
    pub hub: bool,
}

/// The entities around a start node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbourhood {
    /// The start (index into the graph).
    pub start: usize,
    /// The depth asked for.
    pub depth: usize,
    /// Every entity reached, in tree order: the start first, then each
    /// entity followed by those reached from it (by kind and id).
    pub links: Vec<Link>,
}

impl Neighbourhood {
    /// The nodes reached, ascending.
    pub fn nodes(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.links.iter().map(|l| l.node).collect();
        v.sort_unstable();
        v
    }

    /// The subgraph of the nodes reached and every edge between them.
    pub fn subgraph(&self, graph: &Graph) -> Graph {
        graph.subgraph(&self.nodes())
    }

    /// The depth of each reached node, by node index.
    pub fn depth_of(&self, node: usize) -> Option<usize> {
        self.links.iter().find(|l| l.node == node).map(|l| l.depth)
    }
}

/// Everything within `depth` links of `start`. A hub other than the start
/// (see [`super::HUB_DEGREE`]) is included but not expanded.
pub fn neighbourhood(
    graph: &Graph,
    start: usize,
    depth: usize,
    hub_degree: usize,
) -> Neighbourhood {
    let n = graph.nodes.len();
    // Per node: (parent node, edge from the parent, depth), once reached.
    let mut reached: Vec<Option<Reach>> = vec![None; n];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    if start >= n {
        return Neighbourhood {
            start,
            depth,
            links: Vec::new(),
        };
    }
    reached[start] = Some((None, None, 0));
    let mut frontier = vec![start];
    for d in 1..=depth {
        let mut next = Vec::new();
        for &u in &frontier {
            if u != start && graph.is_hub(u, hub_degree) {
                continue;
            }
            let mut around: Vec<(usize, usize)> = graph
                .edges_of(u)
                .iter()
                .map(|&e| (graph.other(e, u), e))
                .collect();
            around.sort_unstable();
            for (v, e) in around {
                if reached[v].is_none() {
                    reached[v] = Some((Some(u), Some(e), d));
                    children[u].push(v);
                    next.push(v);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        next.sort_unstable();
        frontier = next;
    }
    // Tree order: depth-first over the breadth-first tree.
    let mut links = Vec::new();
    let mut stack = vec![start];
    while let Some(u) = stack.pop() {
        if let Some((parent, edge, d)) = reached[u] {
            links.push(Link {
                node: u,
                parent,
                edge,
                depth: d,
                hub: u != start && graph.is_hub(u, hub_degree),
            });
        }
        for &c in children[u].iter().rev() {
            stack.push(c);
        }
    }
    Neighbourhood {
        start,
        depth,
        links,
    }
}
