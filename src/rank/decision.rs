//! Human oversight of a plan (EU AI Act Art. 14(4)(d); Datatilsynet: the
//! person must be able to override): the tool *recommends* a plan, and a
//! person decides. A recommended site can be removed and a site that was
//! not recommended can be added, each only with a reason. The decided
//! plan carries both: `recommended`, `selection` and
//! `selection_probability` say what the tool proposed; `decision`
//! (keep, removed, added), `decision_reason` and `decided_by` say what
//! the person did. Removed sites stay in the export (not as visits), so
//! nothing the tool proposed disappears from the record.
//!
//! An added site's `selection_probability` is 1: it was chosen by a person,
//! deterministically, not drawn. Removing an exploration pick weakens the
//! random sample that keeps next year's labels unbiased, and is warned of.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::plan::{Plan, PlanParams, Selection, explorable, select_from};
use super::rows::Ranked;

/// The default share of a plan drawn at random (as `tilsyn plan`).
pub const DEFAULT_EXPLORE: f64 = 0.1;
/// The default seed of the exploration draw.
pub const DEFAULT_SEED: u64 = 42;
/// Sites inspected within this many days are not recommended by default.
pub const DEFAULT_EXCLUDE_INSPECTED_DAYS: i64 = 180;

/// What a person decided about a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// A recommended site stays in the plan.
    Keep,
    /// A recommended site was taken out.
    Removed,
    /// A site that was not recommended was put in.
    Added,
}

impl Decision {
    /// `keep`, `removed` or `added`.
    pub fn id(self) -> &'static str {
        match self {
            Decision::Keep => "keep",
            Decision::Removed => "removed",
            Decision::Added => "added",
        }
    }
}

/// A removal or an addition with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// The site.
    pub site_id: String,
    /// Why (never empty).
    pub reason: String,
}

/// An override that is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// No `=REASON` part.
    #[error(
        "'{0}' has no reason: write SITE_ID=REASON, e.g. '{0}=visited last week by SKAT'; every override needs a reason, and it is written to the audit log"
    )]
    MissingReason(String),
    /// An empty reason.
    #[error(
        "the reason for site {0} is empty: every override needs a reason, and it is written to the audit log"
    )]
    EmptyReason(String),
    /// No site id.
    #[error("'{0}' names no site: write SITE_ID=REASON")]
    NoSite(String),
    /// Removing a site the plan does not recommend.
    #[error("site {0} is not in the recommended plan, so it cannot be removed")]
    NotRecommended(String),
    /// Adding a site the plan already recommends.
    #[error("site {0} is already in the recommended plan; add only sites it does not recommend")]
    AlreadyRecommended(String),
    /// Adding a site that is not in the ranked list.
    #[error("site {0} is not in the data or not selected by the filters, so it cannot be added")]
    UnknownSite(String),
    /// The same site overridden twice.
    #[error("site {0} is overridden more than once")]
    Duplicate(String),
}

impl Override {
    /// Parses `SITE_ID=REASON` (the reason may contain `=`).
    pub fn parse(s: &str) -> Result<Override, DecisionError> {
        let Some((site, reason)) = s.split_once('=') else {
            return Err(DecisionError::MissingReason(s.trim().to_string()));
        };
        let site = site.trim();
        if site.is_empty() {
            return Err(DecisionError::NoSite(s.to_string()));
        }
        Override::new(site, reason)
    }

    /// An override, refused when the reason is empty.
    pub fn new(site_id: &str, reason: &str) -> Result<Override, DecisionError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(DecisionError::EmptyReason(site_id.to_string()));
        }
        Ok(Override {
            site_id: site_id.trim().to_string(),
            reason: reason.to_string(),
        })
    }
}

/// The recommended plan and where its rows are in the ranked list.
#[derive(Debug, Clone)]
pub struct Recommendation {
    /// The plan.
    pub plan: Plan,
    /// For each plan row, its index in the ranked list.
    pub indices: Vec<usize>,
}

/// The plan the tool recommends: sites inspected within
/// `exclude_inspected_days` are left out, then [`select_from`] picks.
pub fn recommend(
    ranked: &[Ranked],
    params: &PlanParams,
    exclude_inspected_days: i64,
) -> Recommendation {
    recommend_for(ranked, params, exclude_inspected_days, |r| {
        r.days_since_inspection
    })
}

/// [`recommend`], with the days since a site's last visit that counts for
/// the exclusion window given by `last_visit` (a visit by the planning
/// agency, say: [`days_since_visit_by`]).
pub fn recommend_for(
    ranked: &[Ranked],
    params: &PlanParams,
    exclude_inspected_days: i64,
    last_visit: impl Fn(&Ranked) -> Option<i64>,
) -> Recommendation {
    let eligible: Vec<usize> = ranked
        .iter()
        .enumerate()
        .filter(|(_, r)| last_visit(r).is_none_or(|d| d >= exclude_inspected_days))
        .map(|(i, _)| i)
        .collect();
    let pool = explorable(eligible.iter().filter_map(|&i| ranked.get(i)), params);
    let s = select_from(eligible.len(), params, pool.as_deref());
    let mut rows = Vec::with_capacity(s.picks.len());
    let mut indices = Vec::with_capacity(s.picks.len());
    for &(p, selection, selection_probability) in &s.picks {
        let Some(&i) = eligible.get(p) else { continue };
        let Some(site) = ranked.get(i) else { continue };
        indices.push(i);
        rows.push(super::plan::PlanRow {
            site: site.clone(),
            selection,
            selection_probability,
        });
    }
    Recommendation {
        plan: Plan {
            rows,
            eligible: eligible.len(),
            priority_visits: s.priority_visits,
            exploration_visits: s.exploration_visits,
            exploration_probability: s.exploration_probability,
            seed: params.seed,
        },
        indices,
    }
}

/// One site of a decided plan.
#[derive(Debug, Clone, Serialize)]
pub struct DecidedRow {
    /// The site as ranked, with its reasons.
    #[serde(flatten)]
    pub site: Ranked,
    /// Whether the tool recommended it.
    pub recommended: bool,
    /// How the recommendation selected it (null when added by a person).
    pub selection: Option<Selection>,
    /// The recommendation's selection probability; 1 for an added site.
    pub selection_probability: f64,
    /// keep, removed or added.
    pub decision: Decision,
    /// Why it was removed or added.
    pub decision_reason: Option<String>,
    /// Who decided.
    pub decided_by: String,
}

impl DecidedRow {
    /// Whether the site is visited (kept or added).
    pub fn visited(&self) -> bool {
        self.decision != Decision::Removed
    }
}

/// A plan as recommended and as decided.
#[derive(Debug, Clone, Serialize)]
pub struct DecidedPlan {
    /// Recommended sites in plan order (kept and removed), then added sites by rank.
    pub rows: Vec<DecidedRow>,
    /// Visits available.
    pub capacity: usize,
    /// Sites the recommendation was drawn from.
    pub eligible: usize,
    /// Priority picks of the recommendation.
    pub priority_visits: usize,
    /// Exploration picks of the recommendation.
    pub exploration_visits: usize,
    /// The exploration draw's selection probability.
    pub exploration_probability: f64,
    /// The seed used.
    pub seed: u64,
    /// Sites recommended.
    pub recommended: usize,
    /// Recommended sites kept.
    pub kept: usize,
    /// Recommended sites removed.
    pub removed: usize,
    /// Sites added.
    pub added: usize,
}

impl DecidedPlan {
    /// Visits planned (kept + added).
    pub fn visits(&self) -> usize {
        self.kept + self.added
    }

    /// What a person should know about the decisions: a plan over its
    /// capacity, exploration picks removed.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if self.visits() > self.capacity {
            w.push(format!(
                "the decided plan has {} visits, more than the capacity of {}",
                self.visits(),
                self.capacity
            ));
        }
        let explore_removed = self
            .rows
            .iter()
            .filter(|r| {
                r.decision == Decision::Removed && r.selection == Some(Selection::Exploration)
            })
            .count();
        if explore_removed > 0 {
            w.push(format!(
                "{explore_removed} exploration visit(s) removed: the random share keeps next year's labels unbiased; consider keeping them"
            ));
        }
        w
    }
}

/// Applies a person's removals and additions to the recommended plan.
/// Added sites are looked up in `pool` (the ranked list the plan came from,
/// with their reasons). Refuses empty reasons, removals of sites the plan
/// does not recommend, additions of sites it does or that `pool` lacks,
/// and a site overridden twice.
pub fn decide(
    plan: Plan,
    capacity: usize,
    pool: &[Ranked],
    remove: &[Override],
    add: &[Override],
    user: &str,
) -> Result<DecidedPlan, DecisionError> {
    let mut seen: HashSet<&str> = HashSet::new();
    for o in remove.iter().chain(add) {
        if o.reason.trim().is_empty() {
            return Err(DecisionError::EmptyReason(o.site_id.clone()));
        }
        if !seen.insert(o.site_id.as_str()) {
            return Err(DecisionError::Duplicate(o.site_id.clone()));
        }
    }
    let in_plan: HashSet<&str> = plan.rows.iter().map(|r| r.site.site_id.as_str()).collect();
    if let Some(o) = remove
        .iter()
        .find(|o| !in_plan.contains(o.site_id.as_str()))
    {
        return Err(DecisionError::NotRecommended(o.site_id.clone()));
    }
    let mut added: Vec<DecidedRow> = Vec::with_capacity(add.len());
    for o in add {
        if in_plan.contains(o.site_id.as_str()) {
            return Err(DecisionError::AlreadyRecommended(o.site_id.clone()));
        }
        let site = pool
            .iter()
            .find(|r| r.site_id == o.site_id)
            .ok_or_else(|| DecisionError::UnknownSite(o.site_id.clone()))?;
        added.push(DecidedRow {
            site: site.clone(),
            recommended: false,
            selection: None,
            selection_probability: 1.0,
            decision: Decision::Added,
            decision_reason: Some(o.reason.trim().to_string()),
            decided_by: user.to_string(),
        });
    }
    added.sort_by(|a, b| {
        a.site
            .rank
            .cmp(&b.site.rank)
            .then(a.site.site_id.cmp(&b.site.site_id))
    });
    let recommended = plan.rows.len();
    let mut rows: Vec<DecidedRow> = plan
        .rows
        .into_iter()
        .map(|r| {
            let removal = remove.iter().find(|o| o.site_id == r.site.site_id);
            DecidedRow {
                recommended: true,
                selection: Some(r.selection),
                selection_probability: r.selection_probability,
                decision: if removal.is_some() {
                    Decision::Removed
                } else {
                    Decision::Keep
                },
                decision_reason: removal.map(|o| o.reason.trim().to_string()),
                decided_by: user.to_string(),
                site: r.site,
            }
        })
        .collect();
    let n_added = added.len();
    rows.extend(added);
    Ok(DecidedPlan {
        rows,
        capacity,
        eligible: plan.eligible,
        priority_visits: plan.priority_visits,
        exploration_visits: plan.exploration_visits,
        exploration_probability: plan.exploration_probability,
        seed: plan.seed,
        recommended,
        kept: recommended - remove.len(),
        removed: remove.len(),
        added: n_added,
    })
}

/// The columns of a plan export, in order ([`write_csv`]; a joint plan
/// adds its own after them).
pub const PLAN_COLUMNS: [&str; 20] = [
    "visit",
    "rank",
    "site_id",
    "name",
    "municipality",
    "region",
    "sector_code",
    "risk_group",
    "workers_exposed",
    "priority",
    "probability",
    "tier",
    "recommended",
    "selection",
    "selection_probability",
    "decision",
    "decision_reason",
    "decided_by",
    "reasons",
    "model_contributions",
];

/// One row of a plan export, in the order of [`PLAN_COLUMNS`]; `visit` is
/// the visit number (empty for a removed site).
pub fn plan_record(r: &DecidedRow, visit: String) -> [String; 20] {
    let s = &r.site;
    [
        visit,
        s.rank.to_string(),
        s.site_id.clone(),
        s.name.clone().unwrap_or_default(),
        s.municipality.clone().unwrap_or_default(),
        s.region.clone().unwrap_or_default(),
        s.sector_code.clone().unwrap_or_default(),
        s.risk_group.clone().unwrap_or_default(),
        format!("{:.0}", s.workers_exposed),
        format!("{:.4}", s.priority),
        s.probability.map(|p| format!("{p:.4}")).unwrap_or_default(),
        s.tier.id().to_string(),
        r.recommended.to_string(),
        r.selection
            .map(|x| format!("{x:?}").to_lowercase())
            .unwrap_or_default(),
        format!("{:.6}", r.selection_probability),
        r.decision.id().to_string(),
        r.decision_reason.clone().unwrap_or_default(),
        r.decided_by.clone(),
        s.reasons
            .iter()
            .map(|x| format!("{}: {}", x.indicator, x.text))
            .collect::<Vec<_>>()
            .join("; "),
        s.contributions
            .iter()
            .map(|c| format!("{} {:+.2}", c.feature, c.value))
            .collect::<Vec<_>>()
            .join("; "),
    ]
}

/// Writes a decided plan as CSV: one row per recommended or added site,
/// with the recommendation and the decision; `visit` numbers the visits
/// (empty for removed sites).
pub fn write_csv(out: impl std::io::Write, p: &DecidedPlan) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(PLAN_COLUMNS)?;
    let mut visit = 0;
    for r in &p.rows {
        let number = if r.visited() {
            visit += 1;
            visit.to_string()
        } else {
            String::new()
        };
        w.write_record(plan_record(r, number))?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests;

/// Days since each site's last visit by `agency` or a joint control (which
/// every agency takes part in), up to the as-of date: the exclusion window
/// of one agency's plan counts its own visits, not another agency's. A
/// visit whose agency the export does not say may have been this agency's,
/// so it counts too, as it does in a plan for no agency in particular.
pub fn days_since_visit_by(
    ds: &crate::data::Dataset,
    agency: &str,
    as_of: chrono::NaiveDate,
) -> polars::prelude::PolarsResult<std::collections::HashMap<String, i64>> {
    use polars::prelude::*;
    let Some(insp) = ds.get(crate::data::Table::Inspections) else {
        return Ok(std::collections::HashMap::new());
    };
    let as_of = crate::data::parse::to_days(as_of);
    let last = insp
        .clone()
        .lazy()
        .filter(
            col("agency")
                .eq(lit(agency))
                .or(col("agency").eq(lit("JOINT")))
                .or(col("agency").is_null())
                .and(col("date").cast(DataType::Int32).lt_eq(lit(as_of))),
        )
        .group_by([col("site_id")])
        .agg([(lit(as_of) - col("date").cast(DataType::Int32).max())
            .cast(DataType::Int64)
            .alias("days")])
        .collect()?;
    let ids = last.column("site_id")?.str()?;
    let days = last.column("days")?.i64()?;
    Ok(ids
        .iter()
        .zip(days.iter())
        .filter_map(|(s, d)| Some((s?.to_string(), d?)))
        .collect())
}
