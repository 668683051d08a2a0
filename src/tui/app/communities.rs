//! The communities inside the network view: `l` lists every community,
//! riskiest first (what `tilsyn network --groups` lists), and `o`, or
//! Enter in that list, shows one in full: why it ranks where it does, its
//! sites with their rank, the links between them with their evidence, and
//! the timeline of its companies' owners and directors (what `tilsyn
//! network --group N` prints, from the same writer). Esc steps back: from a
//! community to the list it was opened from, from the list to the tree.

use super::{App, Level};
use crate::network::{RankedCommunity, write_community_detail};
use crate::tui::keymap::Action;

/// What the network view shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Pane {
    /// The site's neighbourhood, as a tree of links.
    #[default]
    Tree,
    /// Every community, riskiest first.
    List {
        /// The selected community (position in the ranking).
        selected: usize,
    },
    /// One community in full.
    Community {
        /// Its number (rank).
        id: usize,
        /// Its text, line by line.
        lines: Vec<String>,
        /// The first line shown.
        scroll: usize,
        /// Opened from the list (Esc returns there) rather than the tree.
        from_list: bool,
    },
}

/// Lines moved by PgUp and PgDn.
const PAGE: usize = 10;

/// `position` moved by `delta` within `0..len`.
fn moved(position: usize, delta: isize, len: usize) -> usize {
    let last = len.saturating_sub(1);
    position.saturating_add_signed(delta).min(last)
}

/// How far a key moves.
fn delta(action: Action) -> Option<isize> {
    match action {
        Action::Up | Action::ScrollUp => Some(-1),
        Action::Down | Action::ScrollDown => Some(1),
        Action::PageUp => Some(-(PAGE as isize)),
        Action::PageDown => Some(PAGE as isize),
        Action::First => Some(isize::MIN / 2),
        Action::Last => Some(isize::MAX / 2),
        _ => None,
    }
}

impl App {
    /// Every community of the network, riskiest first (empty before the
    /// network is built).
    pub fn communities(&self) -> &[RankedCommunity] {
        &self.network.ranked
    }

    /// One community's text, as `tilsyn network --group N` prints it.
    fn community_text(&self, id: usize) -> Option<Vec<String>> {
        let rc = self
            .network
            .ranked
            .get(id.checked_sub(1)?)
            .filter(|rc| rc.community.id == id)?;
        let (Some(Ok(graph)), Some(risk)) = (&self.network.graph, &self.network.risk) else {
            return None;
        };
        let mut out: Vec<u8> = Vec::new();
        write_community_detail(&mut out, graph, rc, risk).ok()?;
        Some(
            String::from_utf8_lossy(&out)
                .lines()
                .map(str::to_string)
                .collect(),
        )
    }

    /// Shows community `id` in full (Esc returns to the list when
    /// `from_list`, else to the tree).
    fn open_community(&mut self, id: usize, from_list: bool) {
        let Some(lines) = self.community_text(id) else {
            self.notify(format!("community {id} is not in the network"), Level::Warn);
            return;
        };
        if let Some(view) = self.network.view.as_mut() {
            view.pane = Pane::Community {
                id,
                lines,
                scroll: 0,
                from_list,
            };
        }
        self.notify(
            format!(
                "community {id} · ↑/↓ scroll · Esc back · tilsyn network --group {id} prints it"
            ),
            Level::Info,
        );
    }

    /// Handles the communities' keys in the network view; true when the
    /// action was consumed.
    pub(super) fn community_action(&mut self, action: Action) -> bool {
        let Some(view) = self.network.view.as_ref() else {
            return false;
        };
        let own = view.community.as_ref().map(|c| c.id);
        let site = view.site_id.clone();
        let count = self.network.ranked.len();
        // A community opened from the list keeps its way back there.
        let from_list = matches!(
            view.pane,
            Pane::List { .. }
                | Pane::Community {
                    from_list: true,
                    ..
                }
        );
        match action {
            Action::Community => {
                match own {
                    Some(id) => self.open_community(id, from_list),
                    None => self.notify(
                        format!("{site} is in no community: no strong link to another site"),
                        Level::Warn,
                    ),
                }
                return true;
            }
            Action::Communities => {
                if count == 0 {
                    self.notify("the network has no community", Level::Warn);
                    return true;
                }
                if let Some(view) = self.network.view.as_mut() {
                    view.pane = Pane::List {
                        selected: own.unwrap_or(1).saturating_sub(1).min(count - 1),
                    };
                }
                self.notify(
                    format!("{count} communities, riskiest first · Enter opens one · Esc back to the tree"),
                    Level::Info,
                );
                return true;
            }
            _ => {}
        }
        let Some(view) = self.network.view.as_mut() else {
            return false;
        };
        let mut open = None;
        let consumed = match &mut view.pane {
            Pane::Tree => false,
            Pane::List { selected } => {
                if let Some(d) = delta(action) {
                    *selected = moved(*selected, d, count);
                } else if action == Action::Jump {
                    open = Some(*selected + 1);
                } else if action == Action::Back {
                    view.pane = Pane::Tree;
                } else {
                    return false;
                }
                true
            }
            Pane::Community {
                id,
                lines,
                scroll,
                from_list,
            } => {
                if let Some(d) = delta(action) {
                    *scroll = moved(*scroll, d, lines.len());
                } else if action == Action::Back {
                    view.pane = if *from_list {
                        Pane::List {
                            selected: id.saturating_sub(1),
                        }
                    } else {
                        Pane::Tree
                    };
                } else if action != Action::Jump {
                    // Enter does nothing in a community's text; other keys
                    // (w, q, ...) go on to the view and the app.
                    return false;
                }
                true
            }
        };
        if let Some(id) = open {
            self.open_community(id, true);
        }
        consumed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_stay_within_the_list() {
        assert_eq!(moved(0, -1, 5), 0);
        assert_eq!(moved(3, 10, 5), 4);
        assert_eq!(moved(3, isize::MIN / 2, 5), 0);
        assert_eq!(moved(0, isize::MAX / 2, 5), 4);
        assert_eq!(moved(0, 1, 0), 0);
        assert_eq!(delta(Action::PageDown), Some(PAGE as isize));
        assert_eq!(delta(Action::Jump), None);
    }
}
