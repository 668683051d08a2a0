//! The network view of the selected site: the entity graph and its
//! communities are built once, on the first `w`, on a background thread
//! (seconds on a national register; the screen stays live and the view
//! opens when they are ready), then each opening lists the companies,
//! people, recruiters, providers, addresses and sites within a few links
//! of the site, each with the evidence of the link it was reached by.
//! Enter on a linked site selects it in the ranking (clearing a filter
//! that hides it). The communities' panes are in `communities`.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, TryRecvError};

use super::communities::Pane;
use super::{App, Level, ListKind, Screen};
use crate::indicators::Tier;
use crate::network::{self, Graph, HUB_DEGREE, NodeKind, RankedCommunity, Risk, neighbourhood};
use crate::tui::keymap::Action;
use crate::tui::query::Query;

/// Links followed from the selected site.
pub const NETWORK_DEPTH: usize = 3;

/// One linked entity as the network list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkLine {
    /// Links from the site (0 for the site itself).
    pub depth: usize,
    /// What it is.
    pub kind: NodeKind,
    /// Its id (a pseudonym for persons, recruiters and addresses).
    pub id: String,
    /// Its name, or the id.
    pub label: String,
    /// Priority (sites; the best site's for companies).
    pub priority: Option<f64>,
    /// Rank (sites).
    pub rank: Option<usize>,
    /// ILO tier (sites and companies).
    pub tier: Option<Tier>,
    /// The evidence of the link it was reached by.
    pub evidence: Option<String>,
    /// The table that link comes from.
    pub source: Option<&'static str>,
    /// A hub: shown, not followed.
    pub hub: bool,
}

/// The community a site belongs to, as the network view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CommunityLine {
    /// Its number in the community ranking (`tilsyn network --group N`).
    pub id: usize,
    /// Its sites.
    pub sites: usize,
    /// Why it ranks where it does (the first reasons).
    pub why: Vec<String>,
}

/// The open network view.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkView {
    /// The site it is about.
    pub site_id: String,
    /// The site's community, if it is in one.
    pub community: Option<CommunityLine>,
    /// The linked entities, in tree order (the site first).
    pub lines: Vec<NetworkLine>,
    /// The selected line.
    pub selected: usize,
    /// Where Esc returns to.
    pub back: Screen,
    /// What the view shows: the tree, the list of communities or one
    /// community.
    pub pane: Pane,
}

/// The graph (built on first use) and the open view.
#[derive(Debug, Default)]
pub struct NetworkState {
    pub(super) graph: Option<Result<Graph, String>>,
    pub(super) risk: Option<Risk>,
    /// Every community, riskiest first (the first is number 1).
    pub(super) ranked: Vec<RankedCommunity>,
    /// The community of each site in one (its place in `ranked`), by
    /// site id.
    communities: HashMap<String, usize>,
    pub(super) view: Option<NetworkView>,
    /// The build under way, if any.
    building: Option<Building>,
}

/// What a background build hands back.
struct Built {
    graph: Result<Graph, String>,
    /// Every community, riskiest first.
    ranked: Vec<RankedCommunity>,
    /// The community of each site in one (its place in `ranked`), by
    /// site id.
    lines: HashMap<String, usize>,
    /// The sites' and companies' risk.
    risk: Risk,
}

impl Built {
    /// A build that failed.
    fn failed(why: &str) -> Built {
        Built {
            graph: Err(why.to_string()),
            ranked: Vec::new(),
            lines: HashMap::new(),
            risk: Risk::default(),
        }
    }
}

/// A build under way on its own thread.
#[derive(Debug)]
struct Building {
    result: Receiver<Built>,
    /// The screen `w` was pressed on: the view opens when the build ends
    /// only if the user is still there.
    from: Screen,
}

/// What a build reads: the data set and the ranking (shared, not copied).
struct Inputs {
    data: crate::data::Dataset,
    as_of: chrono::NaiveDate,
    frame: polars::prelude::DataFrame,
    rows: Arc<Vec<crate::rank::Ranked>>,
}

/// Builds the risk, the graph and its communities (what `w` waits for).
fn build(inputs: &Inputs) -> Built {
    // The risk reads the ranking, the graph the tables: side by side.
    let (risk, built) = rayon::join(
        || Risk::from_ranked(&inputs.frame, &inputs.rows),
        || network::build(&inputs.data, Some(inputs.as_of)),
    );
    let graph = built.map_err(|e| format!("cannot build the network: {e}"));
    let ranked = match &graph {
        Ok(g) => {
            let found = network::communities(g, &network::CommunityParams::default());
            network::rank_communities(g, found, &risk)
        }
        Err(_) => Vec::new(),
    };
    let lines = match &graph {
        Ok(g) => community_lines(g, &ranked),
        Err(_) => HashMap::new(),
    };
    Built {
        graph,
        ranked,
        lines,
        risk,
    }
}

/// The lines of a site's neighbourhood.
fn lines_for(graph: &Graph, risk: &Risk, site: &str) -> Result<Vec<NetworkLine>, String> {
    let start = graph
        .find(NodeKind::Site, site)
        .ok_or_else(|| format!("site {site} is not in the graph"))?;
    let n = neighbourhood(graph, start, NETWORK_DEPTH, HUB_DEGREE);
    Ok(n.links
        .iter()
        .map(|l| {
            let node = &graph.nodes[l.node];
            let edge = l.edge.and_then(|e| graph.edges.get(e));
            let evidence = l.edge.map(|e| graph.evidence(e).into_owned());
            NetworkLine {
                depth: l.depth,
                kind: node.kind,
                id: node.id.clone(),
                label: node.label.clone(),
                priority: risk.priority(node),
                rank: risk.rank(node),
                tier: risk.tier(node),
                evidence,
                source: edge.map(|e| e.table()),
                hub: l.hub,
            }
        })
        .collect())
}

/// The community of every site in one (the same as `tilsyn network
/// --groups`): its place in the ranking of communities.
fn community_lines(graph: &Graph, ranked: &[RankedCommunity]) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for (i, rc) in ranked.iter().enumerate() {
        for &s in &rc.community.sites {
            out.insert(graph.nodes[s].id.clone(), i);
        }
    }
    out
}

/// The line the network view shows for a community.
fn community_line(rc: &RankedCommunity) -> CommunityLine {
    CommunityLine {
        id: rc.community.id,
        sites: rc.community.sites.len(),
        why: rc.why.iter().take(2).cloned().collect(),
    }
}

impl App {
    /// The open network view, if any.
    pub fn network(&self) -> Option<&NetworkView> {
        self.network.view.as_ref()
    }

    /// Whether the network is being built in the background.
    pub fn network_building(&self) -> bool {
        self.network.building.is_some()
    }

    /// `w`: opens the network of the selected site (or closes it).
    pub(super) fn open_network(&mut self) {
        if self.screen == Screen::Network {
            self.close_network();
            return;
        }
        let Some(site) = self.selected().map(|r| r.site_id.clone()) else {
            self.notify("no site selected", Level::Warn);
            return;
        };
        self.focus = self.list();
        if self.network.graph.is_none() {
            self.start_network_build();
            return;
        }
        let empty = Risk::default();
        let risk = self.network.risk.as_ref().unwrap_or(&empty);
        let lines = match &self.network.graph {
            Some(Ok(g)) => lines_for(g, risk, &site),
            Some(Err(e)) => Err(e.clone()),
            None => Err("the network is not built".to_string()),
        };
        match lines {
            Ok(lines) => {
                let linked = lines.len().saturating_sub(1);
                self.network.view = Some(NetworkView {
                    community: self
                        .network
                        .communities
                        .get(&site)
                        .and_then(|&i| self.network.ranked.get(i))
                        .map(community_line),
                    site_id: site.clone(),
                    lines,
                    selected: 0,
                    back: self.screen,
                    pane: Pane::Tree,
                });
                self.screen = Screen::Network;
                self.notify(
                    format!("{linked} entities within {NETWORK_DEPTH} links of {site} · Enter on a site jumps to it · o its community · l every community"),
                    Level::Info,
                );
            }
            Err(e) => self.notify(e, Level::Error),
        }
    }

    /// Starts building the graph and its communities on a background
    /// thread (the data set's frames are shared, not copied); built in
    /// place if no thread can be started.
    fn start_network_build(&mut self) {
        if self.network.building.is_some() {
            self.notify(
                "still building the network; it opens when ready",
                Level::Info,
            );
            return;
        }
        let inputs = self.network_inputs();
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("tilsyn-network".into())
            .spawn(move || {
                let _ = tx.send(build(&inputs));
            });
        match spawned {
            Ok(_) => {
                self.network.building = Some(Building {
                    result: rx,
                    from: self.screen,
                });
                self.notify(
                    format!(
                        "building the network of {} sites (links and communities); it opens when ready",
                        self.rows.len()
                    ),
                    Level::Info,
                );
            }
            Err(_) => {
                let built = build(&self.network_inputs());
                self.finish_network_build(built, true);
            }
        }
    }

    /// What a network build reads; frames share their columns, so these
    /// copies hold no rows of their own.
    fn network_inputs(&self) -> Inputs {
        Inputs {
            data: self.scored.data.clone(),
            as_of: self.scored.as_of,
            frame: self.scored.assessment.frame.clone(),
            rows: Arc::clone(&self.rows),
        }
    }

    /// Takes a finished background build, if there is one; true when the
    /// screen changed. The event loop calls it on every tick.
    pub fn poll_background(&mut self) -> bool {
        let Some(b) = &self.network.building else {
            return false;
        };
        match b.result.try_recv() {
            Ok(built) => {
                let open = b.from == self.screen;
                self.network.building = None;
                self.finish_network_build(built, open);
                true
            }
            Err(TryRecvError::Empty) => false,
            Err(TryRecvError::Disconnected) => {
                self.network.building = None;
                self.notify("the network build stopped before it finished", Level::Error);
                true
            }
        }
    }

    /// Waits for the background build, if one is under way, and takes it
    /// (as [`App::poll_background`] would when it ends).
    pub fn wait_for_background(&mut self) {
        if let Some(b) = self.network.building.take() {
            let built = b
                .result
                .recv()
                .unwrap_or_else(|_| Built::failed("the network build stopped before it finished"));
            let open = b.from == self.screen;
            self.finish_network_build(built, open);
        }
    }

    /// Keeps a build's graph and communities, and opens the view of the
    /// selected site when `open` (else says that `w` now opens at once).
    fn finish_network_build(&mut self, built: Built, open: bool) {
        self.network.communities = built.lines;
        self.network.ranked = built.ranked;
        self.network.risk = Some(built.risk);
        self.network.graph = Some(built.graph);
        if open {
            self.open_network();
        } else {
            self.notify("the network is ready: w opens it", Level::Info);
        }
    }

    /// Leaves the network view for the screen it was opened from.
    fn close_network(&mut self) {
        if let Some(v) = self.network.view.take() {
            self.screen = if v.back == Screen::Network {
                Screen::Ranking
            } else {
                v.back
            };
        } else {
            self.screen = Screen::Ranking;
        }
    }

    /// Handles an action on the network screen; true when it was consumed.
    pub(super) fn network_action(&mut self, action: Action) -> bool {
        if self.community_action(action) {
            return true;
        }
        let Some(view) = self.network.view.as_mut() else {
            return false;
        };
        let last = view.lines.len().saturating_sub(1);
        match action {
            Action::Up | Action::ScrollUp => view.selected = view.selected.saturating_sub(1),
            Action::Down | Action::ScrollDown => view.selected = (view.selected + 1).min(last),
            Action::PageUp => view.selected = view.selected.saturating_sub(10),
            Action::PageDown => view.selected = (view.selected + 10).min(last),
            Action::First => view.selected = 0,
            Action::Last => view.selected = last,
            Action::Jump => self.jump_to_linked(),
            Action::Back | Action::Network => self.close_network(),
            _ => return false,
        }
        true
    }

    /// Enter: selects the linked site of the selected line in the ranking.
    fn jump_to_linked(&mut self) {
        let Some(line) = self
            .network
            .view
            .as_ref()
            .and_then(|v| v.lines.get(v.selected))
        else {
            return;
        };
        if line.kind != NodeKind::Site {
            let msg = format!(
                "{} {} is a {}: select a linked site to jump to it",
                line.kind, line.id, line.kind
            );
            self.notify(msg, Level::Warn);
            return;
        }
        let id = line.id.clone();
        let Some(row) = self.rows.iter().position(|r| r.site_id == id) else {
            self.notify(format!("site {id} is not ranked"), Level::Warn);
            return;
        };
        let mut cleared = false;
        if !self.view.contains(&row) {
            self.query = Query::default();
            self.refilter();
            cleared = true;
        }
        let len = self.view.len();
        let pos = self.view.iter().position(|x| *x == row).unwrap_or(0);
        self.table.select(pos, len);
        self.focus = ListKind::Ranking;
        self.network.view = None;
        self.screen = Screen::Ranking;
        let rank = self.rows.get(row).map_or(0, |r| r.rank);
        self.notify(
            format!(
                "jumped to {id} (rank {rank}){} · w shows its network",
                if cleared {
                    " · filter cleared to show it"
                } else {
                    ""
                }
            ),
            Level::Info,
        );
    }
}
