//! Model parameters in linfa's style: an unchecked builder, `check()` that
//! rejects bad values before any fitting, and the valid form that alone can
//! fit. Nationality, or any feature named after it, is refused here.

use chrono::NaiveDate;

/// Words that mark a protected attribute; a feature whose name contains one is refused.
pub const PROTECTED: [&str; 4] = ["nationality", "citizenship", "country_of_origin", "ethnic"];

/// Errors of the model: bad parameters, unusable training data, a model
/// file that does not match the data.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A parameter is out of range.
    #[error("model parameter {name} = {value}: {reason}")]
    InvalidParam {
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: String,
        /// What is allowed.
        reason: String,
    },
    /// A protected attribute was asked for as a feature.
    #[error(
        "'{0}' is a protected attribute (or derived from one) and is never a model feature; it is used only in the fairness report"
    )]
    ProtectedAttribute(String),
    /// No training examples.
    #[error("no training examples: {0}")]
    EmptyTraining(String),
    /// Only one class in the training labels.
    #[error(
        "the training labels hold only one class ({0}); the model needs inspections that found exploitation and inspections that did not"
    )]
    SingleClass(String),
    /// The model's features are not in the data.
    #[error("the model does not match the data: {0}")]
    FeatureMismatch(String),
    /// The model file cannot be read or written.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// Fitting failed inside linfa.
    #[error("fitting failed: {0}")]
    Fit(String),
    /// A dataframe operation failed.
    #[error("computing training data: {0}")]
    Polars(#[from] polars::error::PolarsError),
}

/// Which learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Learner {
    /// Logistic regression with L2 on standardised features.
    Logistic,
    /// A decision tree with leaf probabilities.
    Tree,
    /// Bagged decision trees.
    Forest,
    /// The rules score itself, as a probability.
    Rules,
    /// The rules score and the logistic regression averaged in log-odds.
    Blend,
    /// Every candidate; keep the one with the best precision at the plan
    /// sizes on the validation slice (the rules score wins ties).
    Best,
}

/// Unchecked model parameters.
#[derive(Debug, Clone)]
pub struct ModelParams {
    /// Learner.
    pub learner: Learner,
    /// L2 penalty of the logistic regression.
    pub l2: f64,
    /// Maximum depth of the tree.
    pub max_depth: usize,
    /// Minimum weight in a tree leaf.
    pub min_leaf_weight: f64,
    /// Cap on inverse-propensity weights (1 / selection_probability).
    pub max_ipw: f64,
    /// Balance the classes by weight.
    pub class_weighting: bool,
    /// First day of the test period (default: the last 25% of inspection dates).
    pub split_date: Option<NaiveDate>,
    /// Seed for resampling and bootstrap.
    pub seed: u64,
    /// Bootstrap resamples for intervals.
    pub bootstrap: usize,
    /// Features to use (default: all model features of the feature table).
    pub features: Option<Vec<String>>,
}

impl Default for ModelParams {
    fn default() -> Self {
        ModelParams {
            learner: Learner::Logistic,
            l2: 200.0,
            max_depth: 5,
            min_leaf_weight: 10.0,
            max_ipw: 20.0,
            class_weighting: true,
            split_date: None,
            seed: 42,
            bootstrap: 300,
            features: None,
        }
    }
}

/// Checked model parameters: only these can fit.
#[derive(Debug, Clone)]
pub struct ValidModelParams(ModelParams);

impl std::ops::Deref for ValidModelParams {
    type Target = ModelParams;
    fn deref(&self) -> &ModelParams {
        &self.0
    }
}

impl ModelParams {
    /// Checks every value; nothing is fitted with bad parameters.
    pub fn check(self) -> Result<ValidModelParams, ModelError> {
        let bad = |name, value: String, reason: &str| {
            Err(ModelError::InvalidParam {
                name,
                value,
                reason: reason.into(),
            })
        };
        if !self.l2.is_finite() || self.l2 < 0.0 {
            return bad("l2", self.l2.to_string(), "must be a finite number ≥ 0");
        }
        if self.max_depth == 0 || self.max_depth > 30 {
            return bad(
                "max_depth",
                self.max_depth.to_string(),
                "must be between 1 and 30",
            );
        }
        if !self.min_leaf_weight.is_finite() || self.min_leaf_weight < 1.0 {
            return bad(
                "min_leaf_weight",
                self.min_leaf_weight.to_string(),
                "must be ≥ 1",
            );
        }
        if !self.max_ipw.is_finite() || self.max_ipw < 1.0 {
            return bad(
                "max_ipw",
                self.max_ipw.to_string(),
                "must be ≥ 1 (1 turns weighting off)",
            );
        }
        if self.bootstrap > 100_000 {
            return bad(
                "bootstrap",
                self.bootstrap.to_string(),
                "must be at most 100000",
            );
        }
        if let Some(f) = &self.features {
            if f.is_empty() {
                return bad(
                    "features",
                    "[]".into(),
                    "name at least one feature, or leave it out for all",
                );
            }
            for name in f {
                let lower = name.to_lowercase();
                if PROTECTED.iter().any(|p| lower.contains(p)) {
                    return Err(ModelError::ProtectedAttribute(name.clone()));
                }
            }
        }
        Ok(ValidModelParams(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_parameters_fail_before_fitting() {
        assert!(matches!(
            ModelParams {
                l2: -1.0,
                ..Default::default()
            }
            .check(),
            Err(ModelError::InvalidParam { name: "l2", .. })
        ));
        assert!(matches!(
            ModelParams {
                l2: f64::NAN,
                ..Default::default()
            }
            .check(),
            Err(ModelError::InvalidParam { .. })
        ));
        assert!(matches!(
            ModelParams {
                max_depth: 0,
                ..Default::default()
            }
            .check(),
            Err(ModelError::InvalidParam { .. })
        ));
        assert!(matches!(
            ModelParams {
                max_ipw: 0.5,
                ..Default::default()
            }
            .check(),
            Err(ModelError::InvalidParam { .. })
        ));
        let nat = ModelParams {
            features: Some(vec!["share_nationality_PHL".into()]),
            ..Default::default()
        };
        assert!(matches!(
            nat.check(),
            Err(ModelError::ProtectedAttribute(_))
        ));
        assert!(ModelParams::default().check().is_ok());
    }
}
