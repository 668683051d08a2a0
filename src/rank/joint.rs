//! Joint control plans: one visit plan for several agencies at once. Each
//! site's reasons are split by the agency that acts on them (the
//! catalogue's `agencies`), a team is proposed per site (who goes, and why),
//! and the exclusion window counts the visits of the team's own members
//! ([`team`]).
//! The visits are then bundled into day routes by area ([`bundle`](mod@bundle)),
//! exported as CSV and JSON ([`export`]) and written as one printable
//! briefing per visit ([`briefing`]). Everything here is a pure function of
//! the ranked rows, the catalogue and the visits on record, so the terminal
//! UI can call the same code as `tilsyn plan --agencies`.
//!
//! The rules (`docs/plan.md`):
//!
//! - **Team.** An agency of the plan joins a site's team when at least one
//!   of the site's reasons is for it. The police and CMM are *called in*:
//!   they join whenever a reason is for them (coercion findings, tips,
//!   severe outcomes, severe network links), listed or not. A reason from
//!   a context-only indicator (`weight = 0`) is shown under its agency but
//!   puts no one in the team. A site where no reason is for any agency
//!   (nothing fired, or an exploration pick) gets the lead agency, the
//!   first one listed. A site whose reasons are all for agencies outside
//!   the plan is out of scope: it is not recommended (a person may still
//!   add it, and the lead agency then goes).
//! - **Exclusion window.** A site is left out only when *every* inspecting
//!   member of its team (CMM inspects nothing) visited it, on its own or in
//!   a joint control, within the window: one member's recent visit does
//!   not keep the others away.

pub mod briefing;
pub mod bundle;
pub mod export;
pub mod team;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use serde::Serialize;

use super::decision::{Recommendation, recommend_for};
use super::plan::PlanParams;
use super::rows::Ranked;
use crate::pipeline::Scored;

pub use bundle::{
    Area, Bundle, Bundling, DEFAULT_MAX_KM, Day, Stop, Unscheduled, bundle, distance_km,
};
pub use export::{JointPlan, JointRow, Route, assemble, write_csv};
pub use team::{AgencyReasons, Basis, LastVisits, Member, Role, SiteTeam, TeamRule};

/// The agencies that can plan visits together (`--agencies`): the ones that
/// inspect. A joint control (`JOINT` in the inspections table) is several
/// of them at once, and CMM inspects nothing.
pub const PLANNING_AGENCIES: &[&str] = &["AT", "SKAT", "SIRI", "POLICE"];

/// The agencies that join a team whenever one of the site's reasons is for
/// them, whether or not the plan lists them.
pub const CALLED_IN: &[&str] = &["POLICE", "CMM"];

/// Whether an agency inspects, so that its visits count in the exclusion
/// window.
pub fn inspects(agency: &str) -> bool {
    PLANNING_AGENCIES.contains(&agency)
}

/// A joint plan that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JointError {
    /// No agency given.
    #[error("a joint plan needs at least one agency")]
    NoAgencies,
    /// An agency that does not plan visits.
    #[error("'{agency}' does not plan visits; use one of {known}")]
    NotPlanning {
        /// The code given.
        agency: String,
        /// The codes that can plan.
        known: String,
    },
    /// A bundling parameter of 0.
    #[error("{name} = 0: a route needs at least one day and one visit a day")]
    Bundling {
        /// `days` or `visits_per_day`.
        name: &'static str,
    },
}

/// The parameters of a joint plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JointParams {
    /// The planning agencies, upper case, each once, in the order given:
    /// the first is the lead agency.
    pub agencies: Vec<String>,
    /// Days of the exclusion window.
    pub exclude_inspected_days: i64,
    /// Day routes, when the plan is bundled.
    pub bundling: Option<Bundling>,
}

impl JointParams {
    /// Checks the agencies (codes of [`PLANNING_AGENCIES`], any case; a
    /// repeated code counts once).
    pub fn new(
        agencies: &[String],
        exclude_inspected_days: i64,
        bundling: Option<Bundling>,
    ) -> Result<JointParams, JointError> {
        let mut list: Vec<String> = Vec::with_capacity(agencies.len());
        for a in agencies {
            let up = a.trim().to_uppercase();
            if !inspects(&up) {
                return Err(JointError::NotPlanning {
                    agency: a.clone(),
                    known: PLANNING_AGENCIES.join(", "),
                });
            }
            if !list.contains(&up) {
                list.push(up);
            }
        }
        if list.is_empty() {
            return Err(JointError::NoAgencies);
        }
        Ok(JointParams {
            agencies: list,
            exclude_inspected_days,
            bundling,
        })
    }

    /// The lead agency: the first listed.
    pub fn lead(&self) -> &str {
        self.agencies.first().map_or("AT", String::as_str)
    }

    /// Whether the plan lists an agency.
    pub fn lists(&self, agency: &str) -> bool {
        self.agencies.iter().any(|a| a == agency)
    }
}

/// A site's postcode from the assessment's site columns.
pub fn postcode_of(scored: &Scored, site: &Ranked) -> Option<String> {
    scored
        .assessment
        .frame
        .column("postcode")
        .ok()
        .and_then(|c| c.str().ok())
        .and_then(|c| c.get(site.row))
        .map(str::to_string)
}

/// A site's area for day routes: its municipality, else its postcode's
/// first two digits ([`Area::of_site`]).
pub fn area_of(scored: &Scored, site: &Ranked) -> Area {
    Area::of_site(
        site.municipality_code,
        site.municipality.as_deref(),
        postcode_of(scored, site).as_deref(),
        &site.site_id,
    )
}

/// A joint plan's recommendation.
#[derive(Debug, Clone)]
pub struct JointRecommendation {
    /// The plan as [`recommend_for`] makes it, over the sites in scope;
    /// `indices` point into the full ranked list.
    pub recommendation: Recommendation,
    /// Sites left out because every reason is for agencies outside the plan.
    pub out_of_scope: usize,
}

/// The recommended joint plan: sites out of scope are left out, then a
/// site is left out when every inspecting member of its team visited it
/// within the window ([`SiteTeam::window_days`]); the plan is picked from
/// the rest as [`recommend_for`] picks.
pub fn recommend(
    ranked: &[Ranked],
    teams: &HashMap<String, SiteTeam>,
    params: &PlanParams,
    exclude_inspected_days: i64,
) -> JointRecommendation {
    let mut positions = Vec::with_capacity(ranked.len());
    let mut in_scope = Vec::with_capacity(ranked.len());
    for (i, r) in ranked.iter().enumerate() {
        let scoped = teams
            .get(r.site_id.as_str())
            .is_none_or(|t| t.basis != Basis::OutOfScope);
        if scoped {
            positions.push(i);
            in_scope.push(r.clone());
        }
    }
    let out_of_scope = ranked.len() - in_scope.len();
    let mut recommendation = recommend_for(&in_scope, params, exclude_inspected_days, |r| {
        teams
            .get(r.site_id.as_str())
            .and_then(SiteTeam::window_days)
    });
    recommendation.indices = recommendation
        .indices
        .iter()
        .filter_map(|&i| positions.get(i).copied())
        .collect();
    JointRecommendation {
        recommendation,
        out_of_scope,
    }
}
