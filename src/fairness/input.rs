//! From a scored data set to the audit: the selection (the top share of
//! the ranking), labels from inspections in the label period (through the
//! model's own example builder, so "found exploitation" means exactly what
//! the model was trained on), truth from `truth.csv`, the groups of every
//! site, and the model features for the proxy check.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use polars::prelude::*;

use super::groups::{Population, group_reports};
use super::proxy::proxies;
use super::{Attribute, FairnessParams, FairnessReport, size_band};
use crate::data::Table;
use crate::data::parse::to_days;
use crate::model::matrix::{candidate_features, fit_specs, matrix};
use crate::model::{LabelDefinition, ModelError, examples};
use crate::pipeline::Scored;
use crate::rank::{Filter, rank};

/// Errors of the audit.
#[derive(Debug, thiserror::Error)]
pub enum FairnessError {
    /// The share is not in (0, 1].
    #[error("--top-share {0}: must be a share above 0 and at most 1")]
    TopShare(f64),
    /// Labels or features could not be built.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A dataframe operation failed.
    #[error("fairness audit: {0}")]
    Polars(#[from] PolarsError),
}

/// Inspections whose outcome labels the audit: dated `from` to `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelWindow {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// What counts as "found exploitation".
    pub definition: LabelDefinition,
}

fn str_values(frame: &DataFrame, name: &str) -> Vec<Option<String>> {
    frame
        .column(name)
        .ok()
        .and_then(|c| c.str().ok())
        .map(|ca| ca.iter().map(|v| v.map(str::to_string)).collect())
        .unwrap_or_else(|| vec![None; frame.height()])
}

fn f64_values(frame: &DataFrame, name: &str) -> Vec<Option<f64>> {
    frame
        .column(name)
        .ok()
        .and_then(|c| c.cast(&DataType::Float64).ok())
        .and_then(|c| c.f64().ok().map(|ca| ca.iter().collect()))
        .unwrap_or_else(|| vec![None; frame.height()])
}

/// Label per row: whether any inspection of the site in the window found
/// exploitation; None when it was not inspected then.
fn labels(
    scored: &Scored,
    w: &LabelWindow,
    rows: &HashMap<String, usize>,
) -> Result<Vec<Option<bool>>, ModelError> {
    let mut out = vec![None; scored.assessment.frame.height()];
    let ex = examples::build(&scored.data, &scored.catalogue, &w.definition)?;
    let (from, to) = (to_days(w.from), to_days(w.to));
    for ((&date, site), &label) in ex.dates.iter().zip(&ex.sites).zip(&ex.labels) {
        if date < from || date > to {
            continue;
        }
        if let Some(slot) = rows.get(site).and_then(|&r| out.get_mut(r)) {
            *slot = Some(slot.unwrap_or(false) || label);
        }
    }
    Ok(out)
}

/// Majority nationality of the permit holders on the as-of date per row:
/// `no permit holders`, `(unknown)` when none has a nationality, rare
/// groups (fewer than `min_group` sites) merged into `other`. `None` when
/// the data has no nationality at all.
fn nationality(
    scored: &Scored,
    rows: &HashMap<String, usize>,
    min_group: usize,
) -> PolarsResult<Option<Vec<String>>> {
    let Some(p) = scored.data.get(Table::Permits) else {
        return Ok(None);
    };
    let nat = p.column("nationality")?.str()?;
    if nat.null_count() == nat.len() {
        return Ok(None);
    }
    let site = p.column("site_id")?.str()?;
    let person = p.column("person_id")?.str()?;
    let start = p.column("start_date")?.cast(&DataType::Int32)?;
    let end = p.column("end_date")?.cast(&DataType::Int32)?;
    let day = to_days(scored.as_of);
    // row -> nationality -> persons
    let mut held: HashMap<usize, BTreeMap<Option<&str>, HashSet<&str>>> = HashMap::new();
    let iter = site
        .iter()
        .zip(person.iter())
        .zip(start.i32()?.iter())
        .zip(end.i32()?.iter())
        .zip(nat.iter());
    for ((((s, who), from), to), n) in iter {
        let (Some(s), Some(who)) = (s, who) else {
            continue;
        };
        let valid = from.is_some_and(|f| f <= day) && to.is_none_or(|t| t >= day);
        if let (true, Some(&r)) = (valid, rows.get(s)) {
            held.entry(r).or_default().entry(n).or_default().insert(who);
        }
    }
    let n_rows = scored.assessment.frame.height();
    let mut groups: Vec<String> = (0..n_rows)
        .map(|r| match held.get(&r) {
            None => "no permit holders".to_string(),
            Some(by) => by
                .iter()
                .filter_map(|(k, v)| k.map(|k| (k, v.len())))
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                .map_or_else(|| "(unknown)".to_string(), |(k, _)| k.to_string()),
        })
        .collect();
    let mut sizes: HashMap<String, usize> = HashMap::new();
    for g in &groups {
        *sizes.entry(g.clone()).or_default() += 1;
    }
    for g in groups.iter_mut() {
        let special = g.as_str() == "no permit holders" || g.as_str() == "(unknown)";
        if !special && sizes.get(g.as_str()).copied().unwrap_or(0) < min_group {
            *g = "other".to_string();
        }
    }
    Ok(Some(groups))
}

/// Model features as the model sees them (transformed, scaled), one
/// vector per feature; the candidate features when scored by rules.
fn feature_columns(scored: &Scored) -> Result<Vec<(String, Vec<f64>)>, ModelError> {
    let frame = &scored.assessment.frame;
    let specs = match &scored.model {
        Some((m, _)) => m.features.clone(),
        None => {
            let rows: Vec<usize> = (0..frame.height()).collect();
            fit_specs(frame, &rows, &candidate_features(frame))?
        }
    };
    let x = matrix(frame, &specs, None)?;
    Ok(specs
        .iter()
        .enumerate()
        .map(|(j, s)| (s.name.clone(), x.column(j).to_vec()))
        .collect())
}

/// Runs the audit on a scored data set (with its model applied, or by rules).
pub fn audit(
    scored: &Scored,
    window: Option<&LabelWindow>,
    truth: Option<&HashSet<String>>,
    params: &FairnessParams,
) -> Result<FairnessReport, FairnessError> {
    let share_ok = params.top_share > 0.0 && params.top_share <= 1.0;
    if !share_ok {
        return Err(FairnessError::TopShare(params.top_share));
    }
    let frame = &scored.assessment.frame;
    let n = frame.height();
    let ids = str_values(frame, "site_id");
    let rows: HashMap<String, usize> = ids
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.clone().map(|s| (s, i)))
        .collect();
    let ranked = rank(scored, &Filter::default(), None, 0);
    let k = ((n as f64) * params.top_share).ceil() as usize;
    let k = k.clamp(usize::from(n > 0), n);
    let mut selected = vec![false; n];
    for r in ranked.iter().take(k) {
        if let Some(s) = selected.get_mut(r.row) {
            *s = true;
        }
    }
    let mut notes = Vec::new();
    let label = match window {
        Some(w) => labels(scored, w, &rows)?,
        None => {
            notes.push("no label period (no model test period): precision and recall against inspections are not assessed".to_string());
            vec![None; n]
        }
    };
    let truth_vec = truth.map(|t| {
        ids.iter()
            .map(|s| s.as_ref().is_some_and(|s| t.contains(s)))
            .collect::<Vec<bool>>()
    });
    let unknown = |v: Option<String>| v.unwrap_or_else(|| "(unknown)".to_string());
    let mut attributes: Vec<(Attribute, Vec<String>)> = vec![
        (
            Attribute::Region,
            str_values(frame, "region")
                .into_iter()
                .map(unknown)
                .collect(),
        ),
        (
            Attribute::Municipality,
            str_values(frame, "municipality")
                .into_iter()
                .map(unknown)
                .collect(),
        ),
        (
            Attribute::SectorRiskGroup,
            str_values(frame, "risk_group")
                .into_iter()
                .map(|g| g.unwrap_or_else(|| "other sectors".to_string()))
                .collect(),
        ),
        (
            Attribute::SizeBand,
            f64_values(frame, "employees")
                .into_iter()
                .map(|e| size_band(e).to_string())
                .collect(),
        ),
    ];
    let nat = nationality(scored, &rows, params.min_group)?;
    let mut proxy_lines = Vec::new();
    match &nat {
        Some(groups) => {
            attributes.push((Attribute::Nationality, groups.clone()));
            let known: Vec<Option<String>> = groups
                .iter()
                .map(|g| (g.as_str() != "no permit holders" && g.as_str() != "(unknown)").then(|| g.clone()))
                .collect();
            proxy_lines = proxies(&feature_columns(scored)?, &known, params.min_group, params.proxy_threshold);
            if proxy_lines.is_empty() {
                notes.push(format!(
                    "proxy check not possible: fewer than two nationality groups of at least {} sites",
                    params.min_group
                ));
            }
        }
        None => notes.push(
            "permits carry no nationality: the nationality audit and the proxy check are not possible".to_string(),
        ),
    }
    notes.push(format!(
        "ratios are to all sites; intervals are bootstrap 95% over sites ({} resamples, seed {}); groups under {} sites raise no warning, their ratios are too noisy to judge",
        params.reps, params.seed, params.min_group
    ));
    let pop = Population {
        selected,
        label,
        truth: truth_vec,
        attributes,
    };
    let (overall, attribute_reports, warnings) = group_reports(&pop, params);
    Ok(FairnessReport {
        as_of: scored.as_of.to_string(),
        scorer: scored.model.as_ref().map_or_else(
            || "rules".to_string(),
            |(m, _)| format!("model ({:?})", m.kind).to_lowercase(),
        ),
        top_share: params.top_share,
        k,
        labels: window.map(|w| {
            format!(
                "inspections from {} to {}: {}",
                w.from,
                w.to,
                w.definition.describe()
            )
        }),
        truth: truth.is_some(),
        bootstrap: (params.reps, params.seed),
        band: params.band,
        overall,
        attributes: attribute_reports,
        warnings,
        proxy_threshold: params.proxy_threshold,
        proxies: proxy_lines,
        notes,
    })
}
