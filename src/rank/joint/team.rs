//! The team rule of a joint plan: a site's reasons split by the agency
//! that acts on them (the catalogue's `agencies`), who goes and why, and
//! the days since each member's last visit that the exclusion window reads
//! (the rules are in the parent module's doc and `docs/plan.md`).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{CALLED_IN, JointParams, PLANNING_AGENCIES, inspects};
use crate::data::Dataset;
use crate::indicators::catalogue::ACTING_AGENCIES;
use crate::indicators::{Catalogue, Indicator};
use crate::rank::decision::days_since_visit_by;
use crate::rank::rows::{Ranked, Reason};

/// Days since each site's last visit by each inspecting agency (its own
/// visits and joint controls), up to the as-of date.
#[derive(Debug, Clone, Default)]
pub struct LastVisits {
    by_agency: HashMap<String, HashMap<String, i64>>,
}

impl LastVisits {
    /// Reads the inspections table (no table: no visits).
    pub fn load(ds: &Dataset, as_of: NaiveDate) -> polars::prelude::PolarsResult<LastVisits> {
        let mut by_agency = HashMap::new();
        for a in PLANNING_AGENCIES {
            by_agency.insert((*a).to_string(), days_since_visit_by(ds, a, as_of)?);
        }
        Ok(LastVisits { by_agency })
    }

    /// Records a visit `days` before the as-of date (the most recent one
    /// counts).
    pub fn insert(&mut self, agency: &str, site_id: &str, days: i64) {
        let d = self
            .by_agency
            .entry(agency.to_string())
            .or_default()
            .entry(site_id.to_string())
            .or_insert(days);
        *d = (*d).min(days);
    }

    /// Days since `agency` (or a joint control) last visited the site.
    pub fn days(&self, agency: &str, site_id: &str) -> Option<i64> {
        self.by_agency
            .get(agency)
            .and_then(|m| m.get(site_id))
            .copied()
    }
}

/// Why an agency is in a site's team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// One of the plan's agencies, with reasons at the site.
    Listed,
    /// Not one of the plan's agencies: called in by its reasons (police, CMM).
    CalledIn,
    /// The lead agency, going where no reason points to an agency of the plan.
    Lead,
}

/// One member of a site's team.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    /// Agency code.
    pub agency: String,
    /// Why it is in the team.
    pub role: Role,
    /// The indicators that put it there (empty for the lead by default).
    pub indicators: Vec<String>,
    /// Days since its last visit to the site, its own or a joint control
    /// (none on record, or CMM: null).
    pub days_since_visit: Option<i64>,
    /// The reason in words.
    pub why: String,
}

/// A site's reasons for one agency.
#[derive(Debug, Clone, Serialize)]
pub struct AgencyReasons {
    /// Agency code.
    pub agency: String,
    /// Whether the agency is in the site's team.
    pub in_team: bool,
    /// The reasons, heaviest first.
    pub reasons: Vec<Reason>,
}

/// Where a site's team comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// From the site's reasons.
    Reasons,
    /// No reason points to an agency: the lead agency goes.
    Lead,
    /// Every reason is for agencies outside the plan: not recommended.
    OutOfScope,
}

/// A site's team and its reasons split by agency.
#[derive(Debug, Clone, Serialize)]
pub struct SiteTeam {
    /// Site id.
    pub site_id: String,
    /// Where the team comes from.
    pub basis: Basis,
    /// Who goes, in the plan's order, then the agencies called in.
    pub team: Vec<Member>,
    /// Every agency with a reason at the site, in the order of
    /// [`ACTING_AGENCIES`], whether or not it is in the team.
    pub reasons: Vec<AgencyReasons>,
    /// Reasons whose indicator is for no agency.
    pub without_agency: Vec<Reason>,
}

impl SiteTeam {
    /// The team's agency codes.
    pub fn agencies(&self) -> Vec<&str> {
        self.team.iter().map(|m| m.agency.as_str()).collect()
    }

    /// The site's reasons for one agency (empty when it has none).
    pub fn reasons_for(&self, agency: &str) -> &[Reason] {
        self.reasons
            .iter()
            .find(|r| r.agency == agency)
            .map(|r| r.reasons.as_slice())
            .unwrap_or(&[])
    }

    /// The days that count for the exclusion window: none when an
    /// inspecting member has no visit on record (or none inspects), else
    /// the oldest of the members' last visits, so a site is left out only
    /// when every member visited it within the window.
    pub fn window_days(&self) -> Option<i64> {
        let mut oldest: Option<i64> = None;
        for m in self.team.iter().filter(|m| inspects(&m.agency)) {
            let d = m.days_since_visit?;
            oldest = Some(oldest.map_or(d, |o| o.max(d)));
        }
        oldest
    }
}

/// The team rule over one catalogue and one set of plan agencies.
#[derive(Debug, Clone)]
pub struct TeamRule<'a> {
    params: &'a JointParams,
    index: HashMap<&'a str, &'a Indicator>,
}

fn visit_text(agency: &str, days: Option<i64>) -> String {
    if !inspects(agency) {
        return String::new();
    }
    match days {
        Some(0) => ", visited today (own or joint)".to_string(),
        Some(1) => ", last visit 1 day ago (own or joint)".to_string(),
        Some(d) => format!(", last visit {d} days ago (own or joint)"),
        None => ", no visit on record".to_string(),
    }
}

/// The indicators that call `agency` in, from the per-agency split.
fn calls_in(per: &[(&str, Vec<Reason>, Vec<String>)], agency: &str) -> Vec<String> {
    per.iter()
        .find(|s| s.0 == agency)
        .map_or_else(Vec::new, |s| s.2.clone())
}

impl<'a> TeamRule<'a> {
    /// The rule for a catalogue and a plan.
    pub fn new(catalogue: &'a Catalogue, params: &'a JointParams) -> TeamRule<'a> {
        TeamRule {
            params,
            index: catalogue
                .indicators
                .iter()
                .map(|d| (d.id.as_str(), d))
                .collect(),
        }
    }

    /// The team of one ranked site (with all its reasons: rank with an
    /// unlimited number of reasons per site).
    pub fn team(&self, site: &Ranked, visits: &LastVisits) -> SiteTeam {
        // Per acting agency: its reasons, and the indicators that call it in.
        let mut per: Vec<(&str, Vec<Reason>, Vec<String>)> = ACTING_AGENCIES
            .iter()
            .map(|a| (*a, Vec::new(), Vec::new()))
            .collect();
        let mut without_agency = Vec::new();
        for reason in &site.reasons {
            let d = self.index.get(reason.indicator.as_str());
            let acting = d.map(|d| d.acting_agencies()).unwrap_or_default();
            if acting.is_empty() {
                without_agency.push(reason.clone());
                continue;
            }
            let context = d.is_some_and(|d| d.context_only());
            for a in acting {
                if let Some(slot) = per.iter_mut().find(|s| s.0 == a) {
                    slot.1.push(reason.clone());
                    if !context {
                        slot.2.push(reason.indicator.clone());
                    }
                }
            }
        }
        let member = |agency: &str, role: Role, indicators: Vec<String>| {
            let days = if inspects(agency) {
                visits.days(agency, &site.site_id)
            } else {
                None
            };
            let ids = indicators.join(", ");
            let why = match role {
                Role::Listed => format!(
                    "{agency}: {} reason(s) for it here ({ids}){}",
                    indicators.len(),
                    visit_text(agency, days)
                ),
                Role::CalledIn if agency == "CMM" => format!(
                    "CMM: joins to identify and support possible victims, called in by {ids}"
                ),
                Role::CalledIn => format!(
                    "{agency}: called in by {ids} (not among the plan's agencies){}",
                    visit_text(agency, days)
                ),
                Role::Lead => String::new(),
            };
            Member {
                agency: agency.to_string(),
                role,
                indicators,
                days_since_visit: days,
                why,
            }
        };
        let mut team: Vec<Member> = Vec::new();
        for a in &self.params.agencies {
            let ids = calls_in(&per, a.as_str());
            if !ids.is_empty() {
                team.push(member(a.as_str(), Role::Listed, ids));
            }
        }
        for &a in CALLED_IN {
            if self.params.lists(a) {
                continue;
            }
            let ids = calls_in(&per, a);
            if !ids.is_empty() {
                team.push(member(a, Role::CalledIn, ids));
            }
        }
        let others: Vec<&str> = per
            .iter()
            .filter(|s| !s.2.is_empty())
            .map(|s| s.0)
            .collect();
        let basis = if !team.is_empty() {
            Basis::Reasons
        } else if others.is_empty() {
            Basis::Lead
        } else {
            Basis::OutOfScope
        };
        if team.is_empty() {
            let lead = self.params.lead();
            let mut m = member(lead, Role::Lead, Vec::new());
            let visit = visit_text(lead, m.days_since_visit);
            m.why = if basis == Basis::Lead {
                format!(
                    "{lead}: the lead agency (listed first) goes, as no reason here is for an agency{visit}"
                )
            } else {
                format!(
                    "{lead}: the lead agency (listed first) goes if a person adds the site: its reasons are for {} only{visit}",
                    others.join(", ")
                )
            };
            team.push(m);
        }
        let reasons = per
            .into_iter()
            .filter(|s| !s.1.is_empty())
            .map(|(a, reasons, _)| AgencyReasons {
                agency: a.to_string(),
                in_team: team.iter().any(|m| m.agency == a),
                reasons,
            })
            .collect();
        SiteTeam {
            site_id: site.site_id.clone(),
            basis,
            team,
            reasons,
            without_agency,
        }
    }

    /// The teams of every ranked site, by site id.
    pub fn teams(&self, ranked: &[Ranked], visits: &LastVisits) -> HashMap<String, SiteTeam> {
        ranked
            .iter()
            .map(|r| (r.site_id.clone(), self.team(r, visits)))
            .collect()
    }
}
