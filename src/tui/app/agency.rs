//! The agency view (`a`): the planned visits as one joint control plan of
//! the agencies given to `tilsyn tui --agencies` (every inspecting agency
//! when none is given). Each visit gets its team (who goes, in which role,
//! and why: the core's sentence), its reasons split by the agency that
//! acts on them, and with `--days` and `--visits-per-day` its day and
//! area. All of it is the core's (`rank::joint`: `TeamRule`, `assemble`
//! and the day bundling), computed as `tilsyn plan --agencies` computes it
//! from the decided plan; this module caches it until the plan changes and
//! moves the selection, which is the plan table's selected site (so Enter,
//! `w`, `c` and space act on the visit shown).

use std::collections::HashMap;

use super::App;
use crate::rank::decision::DEFAULT_EXCLUDE_INSPECTED_DAYS;
use crate::rank::joint::{
    self, JointParams, JointPlan, LastVisits, PLANNING_AGENCIES, SiteTeam, TeamRule,
};
use crate::rank::rows::reasons;
use crate::tui::keymap::Action;

/// The joint plan of the planned visits, and what it is computed from.
#[derive(Debug)]
pub struct AgencyState {
    /// The agencies (the first leads) and the day routes.
    pub(super) params: JointParams,
    /// Days since each site's last visit by each agency (read once).
    pub(super) visits: Option<Result<LastVisits, String>>,
    /// The team of each site computed so far, by site id.
    pub(super) teams: HashMap<String, SiteTeam>,
    /// The joint plan of the visits (removed sites left out), until the
    /// plan changes.
    pub(super) plan: Option<Result<JointPlan, String>>,
    /// Scroll position of the team and reasons.
    pub(super) scroll: u16,
}

impl Default for AgencyState {
    fn default() -> AgencyState {
        AgencyState {
            params: default_params(),
            visits: None,
            teams: HashMap::new(),
            plan: None,
            scroll: 0,
        }
    }
}

/// Every inspecting agency (`AT, SKAT, SIRI, POLICE`, AT leading), the
/// default exclusion window, no day routes.
pub fn default_params() -> JointParams {
    JointParams {
        agencies: PLANNING_AGENCIES.iter().map(|a| (*a).to_string()).collect(),
        exclude_inspected_days: DEFAULT_EXCLUDE_INSPECTED_DAYS,
        bundling: None,
    }
}

/// At most how many lines the team and reasons of a visit take when
/// wrapped at the narrowest width the UI draws (a line every 30 characters).
fn pane_lines(r: &joint::JointRow) -> usize {
    let wrapped = |chars: usize| 1 + chars / 30;
    let team: usize = r.team.iter().map(|m| wrapped(20 + m.why.len())).sum();
    let reasons: usize = r
        .reasons_by_agency
        .iter()
        .map(|a| {
            1 + a
                .reasons
                .iter()
                .map(|x| wrapped(8 + x.indicator.len() + x.text.len()))
                .sum::<usize>()
        })
        .sum();
    let without: usize = r
        .reasons_without_agency
        .iter()
        .map(|x| 1 + wrapped(8 + x.indicator.len() + x.text.len()))
        .sum();
    6 + wrapped(r.area.label.len() + 20)
        + wrapped(r.unscheduled.as_ref().map_or(0, String::len))
        + team
        + reasons
        + without
}

impl App {
    /// Sets the agencies (and day routes) of the agency view.
    pub fn set_joint(&mut self, params: JointParams) {
        self.agency.params = params;
        self.agency.teams.clear();
        self.agency.plan = None;
    }

    /// The agencies (the first leads) and day routes of the agency view.
    pub fn joint_params(&self) -> &JointParams {
        &self.agency.params
    }

    /// The joint plan of the planned visits in visiting order (removed
    /// sites left out), once the agency view has computed it.
    pub fn joint_plan(&self) -> Option<&Result<JointPlan, String>> {
        self.agency.plan.as_ref()
    }

    /// The position of the selected site among the joint plan's rows.
    pub fn joint_selected(&self) -> Option<usize> {
        let plan = self.agency.plan.as_ref()?.as_ref().ok()?;
        let id = &self.selected()?.site_id;
        plan.rows.iter().position(|r| &r.row.site.site_id == id)
    }

    /// Scroll position of the selected visit's team and reasons.
    pub fn agency_scroll(&self) -> u16 {
        self.agency.scroll
    }

    /// Tells the app how many lines the open screen's scrolling pane shows
    /// (the render functions call it), so PgUp and PgDn move a page.
    pub fn set_pane_page(&self, lines: u16) {
        self.pane_page.set(lines.max(1));
    }

    /// Computes the joint plan when it is not cached (the agency view is
    /// open), and keeps the selection on one of its visits.
    pub(super) fn refresh_joint(&mut self) {
        if self.agency.plan.is_none() {
            let plan = self.compute_joint();
            self.agency.plan = Some(plan);
        }
        if self.joint_selected().is_none() {
            let first = match &self.agency.plan {
                Some(Ok(p)) => p.rows.first().map(|r| r.row.site.site_id.clone()),
                _ => None,
            };
            if let Some(id) = first {
                self.select_planned(&id);
            }
        }
    }

    /// The decided plan with each visit's team and, when bundled, its day.
    fn compute_joint(&mut self) -> Result<JointPlan, String> {
        let decided = self
            .decided_plan()
            .map_err(|e| format!("cannot make the plan: {e:#}"))?;
        if self.agency.visits.is_none() {
            self.agency.visits = Some(
                LastVisits::load(&self.scored.data, self.scored.as_of)
                    .map_err(|e| format!("cannot read the visits on record: {e}")),
            );
        }
        let state = &mut self.agency;
        let visits = match &state.visits {
            Some(Ok(v)) => v,
            Some(Err(e)) => return Err(e.clone()),
            None => return Err("the visits on record were not read".to_string()),
        };
        let rule = TeamRule::new(&self.scored.catalogue.catalogue, &state.params);
        for r in decided.rows.iter().filter(|r| r.visited()) {
            if !state.teams.contains_key(&r.site.site_id) {
                // The team rule reads every reason of the site.
                let mut site = r.site.clone();
                site.reasons = reasons(&self.scored, site.row, usize::MAX);
                let team = rule.team(&site, visits);
                state.teams.insert(site.site_id, team);
            }
        }
        let points: HashMap<&str, (f64, f64)> = self
            .marked
            .iter()
            .filter_map(|&i| {
                let id = self.rows.get(i)?.site_id.as_str();
                let p = self.coords.get(i).copied().flatten()?;
                Some((id, p))
            })
            .collect();
        let scored = &self.scored;
        let as_of = scored.as_of.to_string();
        let mut plan = joint::assemble(decided, &state.teams, &state.params, &as_of, 0, |r| {
            (
                joint::area_of(scored, r),
                points.get(r.site_id.as_str()).copied(),
            )
        });
        plan.rows.retain(|r| r.visit.is_some());
        Ok(plan)
    }

    /// Selects a planned site in the plan table (the agency view shows it).
    fn select_planned(&mut self, id: &str) {
        let len = self.plan_view.len();
        let rows = &self.rows;
        if let Some(pos) = self
            .plan_view
            .iter()
            .position(|&i| rows.get(i).is_some_and(|r| r.site_id == id))
        {
            self.plan_table.select(pos, len);
        }
        self.agency.scroll = 0;
    }

    /// Moves the selection `delta` visits in visiting order (clamped).
    pub(super) fn agency_move(&mut self, delta: isize) {
        let target = match &self.agency.plan {
            Some(Ok(p)) if !p.rows.is_empty() => {
                let last = p.rows.len() - 1;
                let pos = self.joint_selected().unwrap_or(0);
                let to = pos.saturating_add_signed(delta).min(last);
                p.rows.get(to).map(|r| r.row.site.site_id.clone())
            }
            _ => None,
        };
        if let Some(id) = target {
            self.select_planned(&id);
        }
    }

    /// Handles an action on the agency view; true when it was consumed.
    pub(super) fn agency_action(&mut self, action: Action) -> bool {
        match action {
            Action::Up => self.agency_move(-1),
            Action::Down => self.agency_move(1),
            Action::First => self.agency_move(isize::MIN / 2),
            Action::Last => self.agency_move(isize::MAX / 2),
            Action::PageUp | Action::ScrollUp => {
                let page = self.pane_page.get().max(1);
                self.agency.scroll = self.agency.scroll.saturating_sub(page);
            }
            Action::PageDown | Action::ScrollDown => {
                let page = self.pane_page.get().max(1);
                let limit = match (&self.agency.plan, self.joint_selected()) {
                    (Some(Ok(p)), Some(i)) => p.rows.get(i).map_or(0, pane_lines),
                    _ => 0,
                };
                let limit = u16::try_from(limit).unwrap_or(u16::MAX);
                self.agency.scroll = self.agency.scroll.saturating_add(page).min(limit);
            }
            _ => return false,
        }
        true
    }
}
