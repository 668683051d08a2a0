//! The lists of sites behind the app: which list the selection refers to,
//! moving in it, filtering and sorting the ranking view (in parallel, on
//! indices), searching by id or name, and marking sites into the plan.
//! Every position is clamped, so an empty list is never indexed.

use rayon::prelude::*;

use super::{App, Level, ListKind, Screen};
use crate::rank::Ranked;
use crate::tui::component::InternalEvent;
use crate::tui::rows::RankCol;
use crate::tui::table::{Column, DataTable, sort_view};

/// Whether a site's id or name contains `needle` (lower-case).
fn search_match(r: &Ranked, needle: &str) -> bool {
    r.site_id.to_lowercase().contains(needle)
        || r.name
            .as_deref()
            .is_some_and(|n| n.to_lowercase().contains(needle))
}

impl App {
    /// The list the selection refers to on the open screen.
    pub fn list(&self) -> ListKind {
        match self.screen {
            Screen::Plan | Screen::Agencies => ListKind::Plan,
            Screen::Detail | Screen::Help | Screen::Network | Screen::Checklist => self.focus,
            _ => ListKind::Ranking,
        }
    }

    /// The positions of a list (indices into the rows).
    pub fn list_view(&self, k: ListKind) -> &[usize] {
        match k {
            ListKind::Ranking => &self.view,
            ListKind::Plan => &self.plan_view,
        }
    }

    /// The table component of a list.
    pub fn list_table(&self, k: ListKind) -> &DataTable<RankCol> {
        match k {
            ListKind::Ranking => &self.table,
            ListKind::Plan => &self.plan_table,
        }
    }

    pub(super) fn list_table_mut(&mut self, k: ListKind) -> &mut DataTable<RankCol> {
        match k {
            ListKind::Ranking => &mut self.table,
            ListKind::Plan => &mut self.plan_table,
        }
    }

    /// The index (into the rows) of the selected site, if any.
    pub fn selected_index(&self) -> Option<usize> {
        let k = self.list();
        let view = self.list_view(k);
        self.list_table(k)
            .selected(view.len())
            .and_then(|p| view.get(p))
            .copied()
    }

    /// The selected site, if any.
    pub fn selected(&self) -> Option<&Ranked> {
        self.selected_index().and_then(|i| self.rows.get(i))
    }

    pub(super) fn move_by(&mut self, delta: isize) {
        let k = self.list();
        let len = self.list_view(k).len();
        self.list_table_mut(k).move_by(delta, len);
    }

    /// Re-applies the filter and the sort to every site, keeping the
    /// selected site selected when it is still shown.
    pub(super) fn refilter(&mut self) {
        let keep = self
            .list_view(ListKind::Ranking)
            .get(self.table.selected(self.view.len()).unwrap_or(0))
            .copied();
        let (rows, q) = (&self.rows, &self.query);
        let mut view: Vec<usize> = if q.is_empty() {
            (0..rows.len()).collect()
        } else {
            (0..rows.len())
                .into_par_iter()
                .filter(|i| rows.get(*i).is_some_and(|r| q.matches(r)))
                .collect()
        };
        if let Some((c, o)) = self.table.sort() {
            sort_view(&mut view, rows, c, o);
        }
        self.view = view;
        let pos = keep
            .and_then(|r| self.view.iter().position(|x| *x == r))
            .unwrap_or(0);
        self.table.select(pos, self.view.len());
        self.queue.push(InternalEvent::ViewChanged);
    }

    /// `s` (next column) or `S` (reverse) on the list of the open screen.
    pub(super) fn sort(&mut self, reverse: bool) {
        let k = self.list();
        let table = self.list_table_mut(k);
        let sort = if reverse {
            table.reverse()
        } else {
            table.sort_next()
        };
        let Some((col, order)) = sort else { return };
        let len = self.list_view(k).len();
        let keep = self.selected_index();
        let rows = &self.rows;
        let view = match k {
            ListKind::Ranking => &mut self.view,
            ListKind::Plan => &mut self.plan_view,
        };
        sort_view(view, rows, col, order);
        let pos = keep
            .and_then(|r| view.iter().position(|x| *x == r))
            .unwrap_or(0);
        self.list_table_mut(k).select(pos, len);
        self.notify(
            format!("sorted by {} {}", col.title(), order.arrow()),
            Level::Info,
        );
    }

    pub(super) fn count_matches(&self, text: &str) -> usize {
        let needle = text.to_lowercase();
        let rows = &self.rows;
        self.list_view(self.list())
            .par_iter()
            .filter(|i| rows.get(**i).is_some_and(|r| search_match(r, &needle)))
            .count()
    }

    /// The first position from `from` (wrapping) whose site matches.
    fn find(&self, from: usize, forward: bool, text: &str) -> Option<usize> {
        let view = self.list_view(self.list());
        let n = view.len();
        if n == 0 {
            return None;
        }
        let needle = text.to_lowercase();
        let from = from % n;
        (0..n)
            .map(|s| {
                if forward {
                    (from + s) % n
                } else {
                    (from + n - s) % n
                }
            })
            .find(|p| {
                view.get(*p)
                    .and_then(|i| self.rows.get(*i))
                    .is_some_and(|r| search_match(r, &needle))
            })
    }

    /// Moves to the first match at or after where the prompt opened.
    pub(super) fn search_incremental(&mut self, text: &str) {
        let Some(origin) = self.prompt.as_ref().map(|p| p.origin) else {
            return;
        };
        let k = self.list();
        let len = self.list_view(k).len();
        let pos = if text.trim().is_empty() {
            Some(origin)
        } else {
            self.find(origin, true, text.trim())
        };
        if let Some(pos) = pos {
            self.list_table_mut(k).select(pos, len);
        }
    }

    /// `n` / `N`: the next or previous match of the confirmed search.
    pub(super) fn search_step(&mut self, forward: bool) {
        let Some(text) = self.search.clone() else {
            self.notify(
                "no search yet: press / and type a site id or name",
                Level::Warn,
            );
            return;
        };
        let k = self.list();
        let len = self.list_view(k).len();
        let cur = self.list_table(k).selected(len).unwrap_or(0);
        let from = if forward {
            cur + 1
        } else {
            cur + len.saturating_sub(1)
        };
        match self.find(from, forward, &text) {
            Some(pos) => self.list_table_mut(k).select(pos, len),
            None => self.notify(format!("no shown site matches \"{text}\""), Level::Warn),
        }
    }

    /// `space`: marks the selected site into the plan, or removes it.
    pub(super) fn toggle_mark(&mut self) {
        let Some(row) = self.selected_index() else {
            self.notify("no site selected", Level::Warn);
            return;
        };
        let id = self
            .rows
            .get(row)
            .map(|r| r.site_id.clone())
            .unwrap_or_default();
        let cap = self.opts.capacity;
        if self.marked.remove(&row) {
            self.notify(
                format!("removed {id} from the plan ({}/{cap})", self.marked.len()),
                Level::Info,
            );
        } else if self.marked.len() >= cap {
            self.notify(
                format!("the plan is full ({cap}/{cap}): remove a site first (x in the plan) or start with a larger --capacity"),
                Level::Warn,
            );
            return;
        } else {
            self.marked.insert(row);
            self.notify(
                format!(
                    "marked {id} for the plan ({}/{cap}) · p shows the plan, e exports it",
                    self.marked.len()
                ),
                Level::Info,
            );
            if self.screen == Screen::Ranking {
                self.move_by(1);
            }
        }
        self.plan_view = self.marked.iter().copied().collect();
        if let Some((c, o)) = self.plan_table.sort() {
            sort_view(&mut self.plan_view, &self.rows, c, o);
        }
        let len = self.plan_view.len();
        let pos = self.plan_table.selected(len).unwrap_or(0);
        self.plan_table.select(pos, len);
        self.queue.push(InternalEvent::PlanChanged);
    }
}
