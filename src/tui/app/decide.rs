//! Human oversight in the TUI: the plan opens with the tool's
//! recommendation (the core's `rank::decision::recommend`, with the same
//! defaults as `tilsyn plan`). Marking a recommended site out of the plan,
//! or a site that was not recommended into it, asks for a reason in a
//! prompt (Esc cancels, an empty reason is refused); undoing an override
//! (putting a removed site back, taking an added one out) needs none. The
//! export (`export.rs`) turns the marks and reasons into the core's
//! decided plan and logs it.

use std::collections::{BTreeMap, BTreeSet};

use super::{App, Level};
use crate::rank::Ranked;
use crate::rank::decision::{
    DEFAULT_EXCLUDE_INSPECTED_DAYS, DEFAULT_EXPLORE, DEFAULT_SEED, Recommendation, recommend,
};
use crate::rank::plan::PlanParams;
use crate::tui::component::Prompt;

/// The recommendation and a person's overrides of it.
#[derive(Debug, Clone)]
pub(super) struct Oversight {
    /// The recommended plan (rows without reasons; the export adds them).
    pub(super) recommendation: Recommendation,
    /// The recommended sites (indices into the rows).
    pub(super) recommended: BTreeSet<usize>,
    /// The reason for each standing override (removed or added site).
    pub(super) reasons: BTreeMap<usize, String>,
}

impl Oversight {
    /// The recommended plan of `capacity` visits over every ranked site.
    pub(super) fn new(rows: &[Ranked], capacity: usize) -> Oversight {
        let params = PlanParams {
            capacity: capacity.max(1),
            explore: DEFAULT_EXPLORE,
            seed: DEFAULT_SEED,
            explore_blind_spots: None,
        };
        let recommendation = recommend(rows, &params, DEFAULT_EXCLUDE_INSPECTED_DAYS);
        let recommended = recommendation.indices.iter().copied().collect();
        Oversight {
            recommendation,
            recommended,
            reasons: BTreeMap::new(),
        }
    }
}

impl App {
    /// Whether the tool recommended a site (index into [`App::rows`]).
    pub fn is_recommended(&self, row: usize) -> bool {
        self.oversight.recommended.contains(&row)
    }

    /// The reason a person gave for overriding the recommendation on a
    /// site (removed, or added), if the override stands.
    pub fn override_reason(&self, row: usize) -> Option<&str> {
        self.oversight.reasons.get(&row).map(String::as_str)
    }

    /// Sites recommended, removed from the recommendation, and added.
    pub fn decision_counts(&self) -> (usize, usize, usize) {
        let removed = self.oversight.recommended.difference(&self.marked).count();
        let added = self.marked.difference(&self.oversight.recommended).count();
        (self.oversight.recommended.len(), removed, added)
    }

    /// `space` (or `x` in the plan): toggles the selected site, asking for a
    /// reason when that overrides the recommendation.
    pub(super) fn decide_mark(&mut self) {
        let Some(row) = self.selected_index() else {
            self.toggle_mark(); // says that no site is selected
            return;
        };
        let id = self
            .rows
            .get(row)
            .map(|r| r.site_id.clone())
            .unwrap_or_default();
        let marked = self.marked.contains(&row);
        let recommended = self.oversight.recommended.contains(&row);
        let full = self.marked.len() >= self.opts.capacity;
        match (marked, recommended) {
            (true, true) => {
                self.prompt = Some(Prompt::reason(
                    row,
                    format!("why remove recommended site {id}? "),
                ));
            }
            (false, false) if !full => {
                self.prompt = Some(Prompt::reason(
                    row,
                    format!("why add site {id}, which is not recommended? "),
                ));
            }
            (false, false) => self.toggle_mark(), // says the plan is full
            (true, false) | (false, true) => {
                // Undoing an override: the recommendation stands again.
                let was = self.marked.len();
                self.toggle_mark();
                if self.marked.len() != was {
                    self.oversight.reasons.remove(&row);
                }
            }
        }
    }

    /// Enter in the reason prompt: refuses an empty reason, else applies
    /// the override to the site the prompt was opened on.
    pub(super) fn submit_reason(&mut self, mut p: Prompt, text: &str) {
        let row = p.origin;
        if text.trim().is_empty() {
            p.error =
                Some("a reason is required (it is written to the audit log) · Esc cancels".into());
            self.prompt = Some(p);
            return;
        }
        if self.selected_index() != Some(row) {
            self.notify("the selection changed: nothing was decided", Level::Warn);
            return;
        }
        let was = self.marked.len();
        self.toggle_mark();
        if self.marked.len() == was {
            return; // refused (the plan is full); toggle_mark said why
        }
        self.oversight.reasons.insert(row, text.trim().to_string());
        let id = self
            .rows
            .get(row)
            .map(|r| r.site_id.clone())
            .unwrap_or_default();
        let verb = if self.marked.contains(&row) {
            "added"
        } else {
            "removed"
        };
        self.notify(
            format!(
                "{verb} {id} ({}/{}): \"{}\" · the reason is logged when the plan is exported",
                self.marked.len(),
                self.opts.capacity,
                text.trim()
            ),
            Level::Info,
        );
    }
}
