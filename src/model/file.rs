//! The model file (`models/risk_model.json`): the learner, the features with
//! their transforms and scaling, the coefficients or tree, the label
//! definition, the training and test periods, the data fingerprint, the
//! held-out metrics, the tilsyn version and the training date. Written with
//! stable field order and no wall-clock time, so the same data and
//! parameters give the same bytes. Also applies a model to assessed sites.

use std::path::Path;

use ndarray::Axis;
use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::examples::LabelDefinition;
use super::fit::{Fitted, ModelKind};
use super::matrix::{FeatureSpec, check_features, matrix};
use super::metrics::{CalibrationBin, Interval};
use super::params::ModelError;

/// Format version of the model file.
pub const FORMAT: u32 = 1;

/// Precision and recall at one plan size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AtK {
    /// "50 visits" or "top 5%".
    pub label: String,
    /// The plan size.
    pub k: usize,
    /// Precision of the model's top k.
    pub precision: Interval,
    /// Recall of the model's top k.
    pub recall: Interval,
    /// Precision of the rules scorer's top k.
    pub rules_precision: f64,
    /// Lift over random selection (precision / population rate).
    pub lift_random: f64,
    /// Lift over the historical selection (precision / rate the inspections found).
    pub lift_historical: f64,
}

/// Held-out metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// First day of the test period.
    pub split_date: String,
    /// Training examples.
    pub n_train: usize,
    /// Test examples.
    pub n_test: usize,
    /// Positive test examples.
    pub test_positives: usize,
    /// ROC AUC of the model.
    pub auc: Interval,
    /// ROC AUC of the rules scorer.
    pub rules_auc: Option<f64>,
    /// Rate the test-period inspections found (the historical selection).
    pub historical_rate: f64,
    /// Inverse-propensity estimate of the population rate (random selection).
    pub population_rate: f64,
    /// Precision and recall at plan sizes.
    pub at_k: Vec<AtK>,
    /// Calibration by decile.
    pub calibration: Vec<CalibrationBin>,
    /// Expected calibration error.
    pub calibration_error: f64,
}

/// One learner's held-out result in the comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The learner.
    pub kind: ModelKind,
    /// Its ROC AUC on the validation slice (the last fifth of the training
    /// period); reported, not used to choose.
    pub validation_auc: Option<f64>,
    /// Its mean precision in the top 5%, 10% and 20% of the validation
    /// slice, ranked as `rank` ranks (probability × exposure; the rules
    /// candidate by the rules priority), examples weighted by inverse
    /// propensity: what chooses between candidates.
    #[serde(default)]
    pub validation_precision: Option<f64>,
    /// Share of resamples of the validation slice in which it ranked better
    /// than the rules score (none for the rules score itself).
    #[serde(default)]
    pub beats_rules: Option<f64>,
    /// Its held-out ROC AUC on the test period (reported, never used to choose).
    pub auc: Option<f64>,
    /// Its precision in the top 5% of test examples.
    pub precision_top5: f64,
}

/// The model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    /// Format version.
    pub format: u32,
    /// tilsyn version that wrote it.
    pub tilsyn_version: String,
    /// The latest date in the training data (the model's "as of").
    pub trained_as_of: String,
    /// The learner.
    pub kind: ModelKind,
    /// Model features with transforms and scaling, in matrix order.
    pub features: Vec<FeatureSpec>,
    /// The fitted model.
    pub model: Fitted,
    /// The label definition.
    pub label: LabelDefinition,
    /// Inspection dates the model was fitted on.
    pub training_period: (String, String),
    /// Inspection dates it was evaluated on.
    pub test_period: Option<(String, String)>,
    /// SHA-256 of the input files and mapping.
    pub data_fingerprint: String,
    /// SHA-256 of the catalogue text.
    pub catalogue_fingerprint: String,
    /// Parameters (L2, depth, IPW cap, class weighting, seed).
    pub params: serde_json::Value,
    /// Held-out metrics of this model.
    pub metrics: Option<Metrics>,
    /// The learners compared on the same split.
    pub comparison: Vec<Comparison>,
    /// Why this learner was kept, in words.
    #[serde(default)]
    pub chosen_because: String,
    /// The calibration map fitted on the validation slice, applied to every
    /// probability the model gives.
    #[serde(default)]
    pub calibration: Option<super::calibrate::Calibration>,
}

/// Probabilities and contributions for assessed sites.
#[derive(Debug, Clone)]
pub struct ScoredSites {
    /// Probability per row of the assessment frame.
    pub probability: Vec<f64>,
    /// The largest contributions per row: (feature index, contribution), largest |c| first.
    pub contributions: Vec<Vec<(usize, f64)>>,
    /// Feature names by index.
    pub feature_names: Vec<std::sync::Arc<str>>,
}

/// Rows scored at a time (a chunk's matrix is a few megabytes).
const SCORE_CHUNK: usize = 16_384;

/// The probabilities and top contributions of one chunk of rows.
type ChunkScores = (Vec<f64>, Vec<Vec<(usize, f64)>>);

impl ModelFile {
    /// Scores one chunk of rows.
    fn score_chunk(&self, frame: &DataFrame, top: usize) -> Result<ChunkScores, ModelError> {
        let x = matrix(frame, &self.features, None)?;
        let probability = self.probabilities(&x);
        let contributions = x
            .axis_iter(Axis(0))
            .map(|row| {
                let c = self.model.contributions(row);
                let mut idx: Vec<(usize, f64)> = c
                    .into_iter()
                    .enumerate()
                    .filter(|(_, v)| *v != 0.0)
                    .collect();
                // Largest first, ties by feature: a total order, so picking
                // the `top` first and sorting only those gives the same list
                // as sorting all (a model has a hundred features; a site
                // shows a handful).
                let order = |a: &(usize, f64), b: &(usize, f64)| {
                    b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0))
                };
                if idx.len() > top {
                    idx.select_nth_unstable_by(top, order);
                    idx.truncate(top);
                }
                idx.sort_by(order);
                // Kept for every site: without this each row would hold
                // room for all the features (1.4 GB at a million sites).
                idx.shrink_to_fit();
                idx
            })
            .collect();
        Ok((probability, contributions))
    }

    /// Calibrated probabilities for the rows of a model matrix.
    pub fn probabilities(&self, x: &ndarray::Array2<f64>) -> Vec<f64> {
        let raw = self.model.predict(x);
        match &self.calibration {
            Some(c) => raw.into_iter().map(|p| c.apply(p)).collect(),
            None => raw,
        }
    }

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<ModelFile, ModelError> {
        let err = |message: String| ModelError::File {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        let m: ModelFile = serde_json::from_str(&text)
            .map_err(|e| err(format!("not a tilsyn model file: {e}")))?;
        if m.format != FORMAT {
            return Err(err(format!(
                "model format {} is not supported (this tilsyn reads format {FORMAT}); retrain",
                m.format
            )));
        }
        if !m.model.fits_features(m.features.len()) {
            return Err(err(
                "the model's coefficients do not match its feature list".into(),
            ));
        }
        Ok(m)
    }

    /// Writes the model file as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        let err = |message: String| ModelError::File {
            path: path.display().to_string(),
            message,
        };
        let mut text = serde_json::to_string_pretty(self).map_err(|e| err(e.to_string()))?;
        text.push('\n');
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| err(format!("cannot create the folder: {e}")))?;
        }
        std::fs::write(path, text).map_err(|e| err(format!("cannot write: {e}")))
    }

    /// Scores the rows of an assessment frame; refuses a frame that lacks a
    /// model feature, naming what differs.
    pub fn score(&self, frame: &DataFrame, top: usize) -> Result<ScoredSites, ModelError> {
        check_features(frame, &self.features)?;
        // In chunks of rows, so the model matrix of a national register
        // never exists whole; chunks are scored in parallel, kept in order.
        let chunks: Vec<(i64, usize)> = (0..frame.height())
            .step_by(SCORE_CHUNK)
            .map(|start| (start as i64, SCORE_CHUNK.min(frame.height() - start)))
            .collect();
        let stage = crate::progress::stage("score sites with the model");
        let scored: Vec<ChunkScores> = chunks
            .into_par_iter()
            .map(|(offset, len)| {
                let out = self.score_chunk(&frame.slice(offset, len), top);
                stage.add(len as u64);
                out
            })
            .collect::<Result<_, _>>()?;
        let mut probability = Vec::with_capacity(frame.height());
        let mut contributions = Vec::with_capacity(frame.height());
        for (p, c) in scored {
            probability.extend(p);
            contributions.extend(c);
        }
        Ok(ScoredSites {
            probability,
            contributions,
            feature_names: self
                .features
                .iter()
                .map(|f| f.name.as_str().into())
                .collect(),
        })
    }
}
