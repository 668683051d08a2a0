//! Training examples: one per past inspection, with the site's features as
//! of the day before the inspection (through the one features module, so
//! there is no second implementation), a label from what the inspection
//! found, and its inverse-propensity weight. Findings of the inspection
//! being labelled are never features of it: the features stop the day before.

use std::collections::{HashMap, HashSet};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::params::ModelError;
use crate::data::parse::from_days;
use crate::data::{Dataset, Table};
use crate::features::{self, AS_OF, KEY, SITE};
use crate::indicators::{CompiledCatalogue, Kind, Strength};

/// What counts as "the inspection found labour exploitation".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelDefinition {
    /// Outcomes that make a positive label.
    pub outcomes: Vec<String>,
    /// Findings with at least this many strong indicators make a positive label.
    pub min_strong: usize,
    /// ... or at least this many medium (or stronger) indicators.
    pub min_medium: usize,
}

impl Default for LabelDefinition {
    fn default() -> Self {
        LabelDefinition {
            outcomes: vec![
                "labour_exploitation".into(),
                "forced_labour".into(),
                "police_report".into(),
                "referral_cmm".into(),
            ],
            min_strong: 1,
            min_medium: 2,
        }
    }
}

impl LabelDefinition {
    /// A one-line description for model cards.
    pub fn describe(&self) -> String {
        format!(
            "outcome in {{{}}}, or findings with ≥{} strong or ≥{} medium indicators (strengths from the catalogue's finding_* entries)",
            self.outcomes.join(", "),
            self.min_strong,
            self.min_medium
        )
    }
}

/// Training examples with their features.
#[derive(Debug, Clone)]
pub struct Examples {
    /// Features and rule columns, one row per inspection (key = inspection id), sorted by key.
    pub frame: DataFrame,
    /// Label per row.
    pub labels: Vec<bool>,
    /// Inspection date per row (days since 1970-01-01).
    pub dates: Vec<i32>,
    /// Selection probability per row, where recorded.
    pub selection_probability: Vec<Option<f64>>,
    /// Site per row.
    pub sites: Vec<String>,
    /// The rules scorer's priority per row (the baseline).
    pub rule_priority: Vec<f64>,
    /// The exposure factor per row (`1 + ln(1 + workers exposed)`), which
    /// every ranking multiplies in.
    pub exposure: Vec<f64>,
}

impl Examples {
    /// Number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// First and last inspection date.
    pub fn period(&self) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
        let lo = self.dates.iter().min()?;
        let hi = self.dates.iter().max()?;
        Some((from_days(*lo), from_days(*hi)))
    }
}

/// The strength of each ILO id as a finding, from the catalogue's
/// `finding_*` evidence entries.
fn finding_strengths(catalogue: &CompiledCatalogue) -> HashMap<String, Strength> {
    let mut out = HashMap::new();
    for d in &catalogue.catalogue.indicators {
        if d.kind == Kind::Evidence
            && d.needs.iter().any(|n| n == "findings")
            && d.ilo.len() == 1
            && let Some(s) = d.strength
        {
            out.insert(d.ilo[0].clone(), s);
        }
    }
    out
}

/// Builds one example per inspection: features as of the day before it.
pub fn build(
    ds: &Dataset,
    catalogue: &CompiledCatalogue,
    label: &LabelDefinition,
) -> Result<Examples, ModelError> {
    let insp = ds.get(Table::Inspections).ok_or_else(|| {
        ModelError::EmptyTraining(
            "the data has no inspections table; past inspections are the training data".into(),
        )
    })?;
    if insp.height() == 0 {
        return Err(ModelError::EmptyTraining(
            "the inspections table is empty".into(),
        ));
    }
    // Labels from outcomes and findings.
    let strengths = finding_strengths(catalogue);
    let mut strong: HashMap<String, usize> = HashMap::new();
    let mut medium: HashMap<String, usize> = HashMap::new();
    if let Some(f) = ds.get(Table::Findings) {
        let ids = f.column("inspection_id")?.str()?;
        let ind = f.column("indicator")?.str()?;
        let mut seen: HashSet<(String, String)> = HashSet::new();
        for (id, x) in ids.iter().zip(ind.iter()) {
            let (Some(id), Some(x)) = (id, x) else {
                continue;
            };
            if !seen.insert((id.to_string(), x.to_string())) {
                continue;
            }
            match strengths.get(x) {
                Some(Strength::Strong) => {
                    *strong.entry(id.to_string()).or_default() += 1;
                    *medium.entry(id.to_string()).or_default() += 1;
                }
                Some(Strength::Medium) => *medium.entry(id.to_string()).or_default() += 1,
                _ => {}
            }
        }
    }
    let targets = insp
        .clone()
        .lazy()
        .select([
            col("inspection_id").alias(KEY),
            col(SITE),
            (col("date").cast(DataType::Int32) - lit(1)).alias(AS_OF),
        ])
        .sort([KEY], SortMultipleOptions::default());
    let feats = features::compute(ds, targets)?;
    let present: Vec<Table> = ds.assessable_tables();
    let assessment = catalogue.assess_with_tables(feats, &present)?;
    let workers = crate::rank::rows::workers_exposed(&assessment.frame);
    let exposure: Vec<f64> = workers
        .iter()
        .map(|w| crate::rank::rows::exposure(*w))
        .collect();
    let rule_priority: Vec<f64> = assessment
        .sites
        .iter()
        .zip(&exposure)
        .map(|(s, e)| s.rule_score * e)
        .collect();
    let frame = assessment.frame;

    let by_id: HashMap<&str, usize> = insp
        .column("inspection_id")?
        .str()?
        .iter()
        .enumerate()
        .filter_map(|(i, x)| x.map(|x| (x, i)))
        .collect();
    let outcome = insp.column("outcome")?.str()?;
    let sel = insp.column("selection_probability")?.f64()?;
    let date = insp.column("date")?.cast(&DataType::Int32)?;
    let date = date.i32()?;
    let keys = frame.column(KEY)?.str()?;
    let sites = frame.column(SITE)?.str()?;
    let n = frame.height();
    let mut labels = Vec::with_capacity(n);
    let mut dates = Vec::with_capacity(n);
    let mut probs = Vec::with_capacity(n);
    let mut site_ids = Vec::with_capacity(n);
    for r in 0..n {
        let key = keys.get(r).unwrap_or_default();
        let i = by_id.get(key).copied().unwrap_or(0);
        let by_outcome = outcome
            .get(i)
            .is_some_and(|o| label.outcomes.iter().any(|x| x == o));
        let by_findings = strong.get(key).copied().unwrap_or(0) >= label.min_strong.max(1)
            || medium.get(key).copied().unwrap_or(0) >= label.min_medium.max(1);
        labels.push(by_outcome || by_findings);
        dates.push(date.get(i).unwrap_or(0));
        probs.push(sel.get(i));
        site_ids.push(sites.get(r).unwrap_or_default().to_string());
    }
    Ok(Examples {
        frame,
        labels,
        dates,
        selection_probability: probs,
        sites: site_ids,
        rule_priority,
        exposure,
    })
}
