//! From the feature frame to the model's matrix: which columns are model
//! features, how each is transformed (decay for ages, log for counts, 0/1
//! for booleans and rule results), how missing values are filled, and the
//! standardisation learned on the training rows. The spec is saved in the
//! model file so scoring builds exactly the same matrix.

use ndarray::Array2;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::params::{ModelError, PROTECTED};
use crate::indicators::engine::RULE_PREFIX;

/// Columns that are never model features: identifiers, descriptions, places,
/// and the site's current smiley (a snapshot that may postdate an inspection).
const NOT_FEATURES: [&str; 15] = [
    "key",
    "site_id",
    "as_of",
    "company_id",
    "name",
    "postcode",
    "municipality_code",
    "lat",
    "lon",
    "sector_code",
    "smiley",
    "smiley_red",
    "risk_group",
    "region",
    "municipality",
];

/// How a column becomes a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// As it is.
    Raw,
    /// `ln(1 + max(x, 0))` for counts.
    Log1p,
    /// `0.5^(age / 730)` for ages in days; missing (no such event) is 0.
    Decay,
    /// 1 for true, 0 for false.
    Bool,
}

/// One model feature with its transform and scaling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSpec {
    /// Column name in the feature frame.
    pub name: String,
    /// Transform.
    pub transform: Transform,
    /// Value used when missing (after the transform).
    pub fill: f64,
    /// Mean of the transformed, filled training values.
    pub mean: f64,
    /// Standard deviation of the same (1 when constant).
    pub std: f64,
}

/// The transform for a column, or `None` if it is not a model feature.
pub fn transform_for(name: &str, dtype: &DataType) -> Option<Transform> {
    // Inspection history says how the historical policy chose sites, not
    // whether exploitation is there; it stays out of the model.
    let history = name == "days_since_inspection"
        || name == "inspections"
        || name.starts_with(crate::features::LOOKED_FOR_PREFIX);
    if history || NOT_FEATURES.contains(&name) || name.starts_with('_') || name.contains("smiley") {
        return None;
    }
    let lower = name.to_lowercase();
    if PROTECTED.iter().any(|p| lower.contains(p)) {
        return None;
    }
    if name.starts_with(RULE_PREFIX) || dtype == &DataType::Boolean {
        return Some(Transform::Bool);
    }
    if name.ends_with("_age_days") || name == "days_since_inspection" {
        return Some(Transform::Decay);
    }
    if dtype.is_integer() {
        return Some(Transform::Log1p);
    }
    if dtype.is_float() {
        return Some(Transform::Raw);
    }
    None
}

/// Counts kept as model features; the other counts duplicate a rule result
/// (`finding_x_count > 0`) or an age's decay, and only add noise.
const COUNTS_KEPT: [&str; 4] = ["employees", "permit_workers", "posted_workers", "tips_12m"];

/// The default model features of a frame, in column order: every rule
/// result and the rules score (the catalogue's knowledge), the continuous
/// register signals, the decayed ages of evidence, and a few sizes.
pub fn candidate_features(frame: &DataFrame) -> Vec<(String, Transform)> {
    frame
        .columns()
        .iter()
        .filter_map(|c| transform_for(c.name(), c.dtype()).map(|t| (c.name().to_string(), t)))
        .filter(|(n, t)| *t != Transform::Log1p || COUNTS_KEPT.contains(&n.as_str()))
        .collect()
}

fn transformed(
    frame: &DataFrame,
    name: &str,
    t: Transform,
) -> Result<Vec<Option<f64>>, ModelError> {
    let c = frame.column(name).map_err(|_| {
        ModelError::FeatureMismatch(format!(
            "feature '{name}' is not in the data's feature table"
        ))
    })?;
    let c = c.cast(&DataType::Float64)?;
    let ca = c.f64()?;
    Ok(ca
        .iter()
        .map(|v| match (t, v) {
            (Transform::Decay, None) => Some(0.0),
            (Transform::Decay, Some(a)) => Some(0.5f64.powf(a.max(0.0) / 730.0)),
            (Transform::Log1p, Some(x)) => Some(x.max(0.0).ln_1p()),
            (Transform::Raw | Transform::Bool, Some(x)) => Some(x),
            (_, None) => None,
        })
        .collect())
}

/// Learns fill values and scaling from the training rows.
pub fn fit_specs(
    frame: &DataFrame,
    rows: &[usize],
    features: &[(String, Transform)],
) -> Result<Vec<FeatureSpec>, ModelError> {
    let mut specs = Vec::with_capacity(features.len());
    for (name, t) in features {
        let vals = transformed(frame, name, *t)?;
        let present: Vec<f64> = rows
            .iter()
            .filter_map(|&r| vals[r])
            .filter(|x| x.is_finite())
            .collect();
        let fill = if present.is_empty() {
            0.0
        } else {
            present.iter().sum::<f64>() / present.len() as f64
        };
        let filled: Vec<f64> = rows
            .iter()
            .map(|&r| vals[r].filter(|x| x.is_finite()).unwrap_or(fill))
            .collect();
        let n = filled.len().max(1) as f64;
        let mean = filled.iter().sum::<f64>() / n;
        let var = filled.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        let std = if var > 1e-12 { var.sqrt() } else { 1.0 };
        specs.push(FeatureSpec {
            name: name.clone(),
            transform: *t,
            fill,
            mean,
            std,
        });
    }
    Ok(specs)
}

/// The standardised matrix of the given rows (all rows when `rows` is None).
pub fn matrix(
    frame: &DataFrame,
    specs: &[FeatureSpec],
    rows: Option<&[usize]>,
) -> Result<Array2<f64>, ModelError> {
    let all: Vec<usize>;
    let rows = match rows {
        Some(r) => r,
        None => {
            all = (0..frame.height()).collect();
            &all
        }
    };
    let mut x = Array2::<f64>::zeros((rows.len(), specs.len()));
    for (j, s) in specs.iter().enumerate() {
        let vals = transformed(frame, &s.name, s.transform)?;
        for (i, &r) in rows.iter().enumerate() {
            let v = vals[r].filter(|x| x.is_finite()).unwrap_or(s.fill);
            x[[i, j]] = (v - s.mean) / s.std;
        }
    }
    Ok(x)
}

/// Checks that a frame has every feature a model needs; names what differs.
pub fn check_features(frame: &DataFrame, specs: &[FeatureSpec]) -> Result<(), ModelError> {
    let missing: Vec<&str> = specs
        .iter()
        .filter(|s| frame.column(&s.name).is_err())
        .map(|s| s.name.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ModelError::FeatureMismatch(format!(
            "the model uses {} feature(s) that the data's feature table lacks: {} (retrain with `tilsyn train` on this data, or use the catalogue the model was trained with)",
            missing.len(),
            missing.join(", ")
        )))
    }
}
