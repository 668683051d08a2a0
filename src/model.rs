//! The learned risk model: training examples from past inspections (each
//! site's features as of the day before it was inspected, and a label from
//! what the inspection found), linfa-style parameters (`ModelParams` →
//! `check()` → fit → an immutable model), logistic regression with L2 and a
//! decision tree compared on a time split, evaluation with bootstrap
//! intervals, and the versioned model file with its model card fields.

pub mod calibrate;
pub mod examples;
pub mod file;
pub mod fit;
pub mod matrix;
pub mod metrics;
pub mod params;
pub mod train;

pub use examples::{Examples, LabelDefinition};
pub use file::{ModelFile, ScoredSites};
pub use fit::{Fitted, ModelKind};
pub use matrix::FeatureSpec;
pub use params::{ModelError, ModelParams, ValidModelParams};
