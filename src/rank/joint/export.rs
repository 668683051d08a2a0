//! One shared joint plan: the decided plan with each visit's team, its
//! reasons per agency, and its day and place in a route when the plan is
//! bundled; written as JSON (serde) or as CSV with the columns of a plan
//! export ([`PLAN_COLUMNS`]) followed by the joint columns ([`JOINT_COLUMNS`]).
//!
//! Rows come in visiting order: the scheduled visits by day and stop, then
//! the visits no day could take (each with the reason), then the sites a
//! person removed (they carry no visit number). Without bundling the
//! visits keep the decided plan's order.

use std::collections::HashMap;

use serde::Serialize;

use super::bundle::{Area, Bundle, Bundling, Day, Stop, Unscheduled, bundle};
use super::{AgencyReasons, Basis, JointParams, Member, Role, SiteTeam};
use crate::indicators::catalogue::ACTING_AGENCIES;
use crate::rank::decision::{DecidedPlan, DecidedRow, PLAN_COLUMNS, plan_record};
use crate::rank::rows::{Ranked, Reason};

/// The columns a joint plan adds to [`PLAN_COLUMNS`]: the day, the stop in
/// the day, the area, why a visit has no day, the team and why each member
/// is in it, and the reasons of each acting agency (then those for none).
pub const JOINT_COLUMNS: [&str; 12] = [
    "day",
    "stop",
    "area",
    "unscheduled",
    "team",
    "team_why",
    "reasons_at",
    "reasons_skat",
    "reasons_siri",
    "reasons_police",
    "reasons_cmm",
    "reasons_no_agency",
];

/// One site of a joint plan.
#[derive(Debug, Clone, Serialize)]
pub struct JointRow {
    /// The site as decided (with the site as ranked, flattened).
    #[serde(flatten)]
    pub row: DecidedRow,
    /// Visit number in visiting order (none for a removed site).
    pub visit: Option<usize>,
    /// Its day, when scheduled.
    pub day: Option<usize>,
    /// Its 1-based place in the day's route.
    pub stop: Option<usize>,
    /// Its area.
    pub area: Area,
    /// Why no day took it (bundled plans only).
    pub unscheduled: Option<String>,
    /// Where its team comes from.
    pub team_basis: Basis,
    /// Who goes and why.
    pub team: Vec<Member>,
    /// Its reasons per agency.
    pub reasons_by_agency: Vec<AgencyReasons>,
    /// Its reasons for no agency.
    pub reasons_without_agency: Vec<Reason>,
}

/// One day of a bundled plan.
#[derive(Debug, Clone, Serialize)]
pub struct Route {
    /// The day, its area and its sites.
    #[serde(flatten)]
    pub day: Day,
    /// Every agency that goes to at least one of the day's visits.
    pub team: Vec<String>,
}

/// A joint plan.
#[derive(Debug, Clone, Serialize)]
pub struct JointPlan {
    /// The planning agencies, lead first.
    pub agencies: Vec<String>,
    /// Days of the exclusion window.
    pub exclude_inspected_days: i64,
    /// Days and visits a day, when bundled.
    pub bundling: Option<Bundling>,
    /// The as-of date of the scores.
    pub as_of: String,
    /// Visits available.
    pub capacity: usize,
    /// Sites the recommendation was drawn from.
    pub eligible: usize,
    /// Sites left out because every reason is for agencies outside the plan.
    pub out_of_scope: usize,
    /// Sites recommended.
    pub recommended: usize,
    /// Recommended sites kept.
    pub kept: usize,
    /// Recommended sites removed.
    pub removed: usize,
    /// Sites added.
    pub added: usize,
    /// The exploration draw's selection probability.
    pub exploration_probability: f64,
    /// The seed of the draw.
    pub seed: u64,
    /// The day routes (empty when not bundled).
    pub days: Vec<Route>,
    /// Visits no day could take (empty when not bundled).
    pub unscheduled: Vec<Unscheduled>,
    /// Every site, in visiting order (see the module doc).
    pub rows: Vec<JointRow>,
}

impl JointPlan {
    /// Visits planned (kept + added), scheduled or not.
    pub fn visits(&self) -> usize {
        self.kept + self.added
    }
}

/// A team of the lead agency alone, for a site without a computed team.
fn lead_only(site_id: &str, lead: &str) -> SiteTeam {
    SiteTeam {
        site_id: site_id.to_string(),
        basis: Basis::Lead,
        team: vec![Member {
            agency: lead.to_string(),
            role: Role::Lead,
            indicators: Vec::new(),
            days_since_visit: None,
            why: format!("{lead}: the lead agency (listed first) goes"),
        }],
        reasons: Vec::new(),
        without_agency: Vec::new(),
    }
}

/// Puts a decided plan together with the sites' teams and, when
/// `params.bundling` is set, bundles its visits into days. `locate` gives a
/// site's area and point ([`super::area_of`] and
/// [`crate::rank::rows::coordinates`] read them from the assessment).
pub fn assemble(
    decided: DecidedPlan,
    teams: &HashMap<String, SiteTeam>,
    params: &JointParams,
    as_of: &str,
    out_of_scope: usize,
    locate: impl Fn(&Ranked) -> (Area, Option<(f64, f64)>),
) -> JointPlan {
    let bundled: Option<Bundle> = params.bundling.map(|b| {
        let stops: Vec<Stop> = decided
            .rows
            .iter()
            .filter(|r| r.visited())
            .map(|r| Stop {
                site_id: r.site.site_id.clone(),
                priority: r.site.priority,
                area: locate(&r.site).0,
                point: locate(&r.site).1,
            })
            .collect();
        bundle(&stops, b)
    });
    // Visiting order: (group, first, second) with groups 0 scheduled (or
    // every visit when not bundled), 1 unscheduled, 2 removed.
    let mut keyed: Vec<((u8, usize, usize), DecidedRow)> = decided
        .rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let key = if !r.visited() {
                (2, i, 0)
            } else if let Some(b) = &bundled {
                match b.day_of(&r.site.site_id) {
                    Some((day, stop)) => (0, day, stop),
                    None => (
                        1,
                        b.unscheduled
                            .iter()
                            .position(|u| u.site_id == r.site.site_id)
                            .unwrap_or(i),
                        0,
                    ),
                }
            } else {
                (0, i, 0)
            };
            (key, r)
        })
        .collect();
    keyed.sort_by_key(|(k, _)| *k);
    let mut visit = 0;
    let rows: Vec<JointRow> = keyed
        .into_iter()
        .map(|(_, r)| {
            let t = teams
                .get(r.site.site_id.as_str())
                .cloned()
                .unwrap_or_else(|| lead_only(&r.site.site_id, params.lead()));
            let number = r.visited().then(|| {
                visit += 1;
                visit
            });
            let place = bundled
                .as_ref()
                .and_then(|b| b.day_of(&r.site.site_id))
                .filter(|_| r.visited());
            let unscheduled = bundled.as_ref().and_then(|b| {
                b.unscheduled
                    .iter()
                    .find(|u| u.site_id == r.site.site_id)
                    .map(|u| u.reason.clone())
            });
            JointRow {
                area: locate(&r.site).0,
                visit: number,
                day: place.map(|p| p.0),
                stop: place.map(|p| p.1),
                unscheduled: unscheduled.filter(|_| r.visited()),
                team_basis: t.basis,
                team: t.team,
                reasons_by_agency: t.reasons,
                reasons_without_agency: t.without_agency,
                row: r,
            }
        })
        .collect();
    let (days, unscheduled) = match bundled {
        Some(b) => {
            let routes = b
                .days
                .into_iter()
                .map(|day| {
                    let mut team: Vec<String> = Vec::new();
                    for t in day.site_ids.iter().filter_map(|id| teams.get(id.as_str())) {
                        for m in &t.team {
                            if !team.contains(&m.agency) {
                                team.push(m.agency.clone());
                            }
                        }
                    }
                    team.sort_by_key(|a| ACTING_AGENCIES.iter().position(|x| x == a));
                    Route { day, team }
                })
                .collect();
            (routes, b.unscheduled)
        }
        None => (Vec::new(), Vec::new()),
    };
    JointPlan {
        agencies: params.agencies.clone(),
        exclude_inspected_days: params.exclude_inspected_days,
        bundling: params.bundling,
        as_of: as_of.to_string(),
        capacity: decided.capacity,
        eligible: decided.eligible,
        out_of_scope,
        recommended: decided.recommended,
        kept: decided.kept,
        removed: decided.removed,
        added: decided.added,
        exploration_probability: decided.exploration_probability,
        seed: decided.seed,
        days,
        unscheduled,
        rows,
    }
}

/// `indicator: sentence; ...` for a list of reasons.
fn reason_list(reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(|x| format!("{}: {}", x.indicator, x.text))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Writes a joint plan as CSV: the plan export's columns, then
/// [`JOINT_COLUMNS`]; one row per site in visiting order.
pub fn write_csv(out: impl std::io::Write, p: &JointPlan) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(PLAN_COLUMNS.iter().chain(JOINT_COLUMNS.iter()).copied())?;
    for r in &p.rows {
        let visit = r.visit.map(|v| v.to_string()).unwrap_or_default();
        let mut record: Vec<String> = plan_record(&r.row, visit).into_iter().collect();
        record.push(r.day.map(|d| d.to_string()).unwrap_or_default());
        record.push(r.stop.map(|d| d.to_string()).unwrap_or_default());
        record.push(r.area.label.clone());
        record.push(r.unscheduled.clone().unwrap_or_default());
        record.push(
            r.team
                .iter()
                .map(|m| m.agency.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        );
        record.push(
            r.team
                .iter()
                .map(|m| m.why.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        );
        for a in ACTING_AGENCIES {
            let reasons = r
                .reasons_by_agency
                .iter()
                .find(|x| x.agency == *a)
                .map(|x| x.reasons.as_slice())
                .unwrap_or(&[]);
            record.push(reason_list(reasons));
        }
        record.push(reason_list(&r.reasons_without_agency));
        w.write_record(&record)?;
    }
    w.flush()?;
    Ok(())
}
