//! `tilsyn train`: fit the risk model on past inspections and write the
//! model file with its held-out metrics.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use super::common::{DataArgs, MODEL_FILE, parse_date_arg};
use crate::model::params::Learner;
use crate::model::{LabelDefinition, ModelParams};

/// The learner, as a command-line value.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LearnerArg {
    /// Logistic regression with L2 on standardised features.
    Logistic,
    /// A decision tree.
    Tree,
    /// Bagged decision trees.
    Forest,
    /// The rules score itself, mapped to a probability.
    Rules,
    /// The rules score and the logistic regression, averaged in log-odds.
    Blend,
    /// Every candidate above; keep the best precision at the plan sizes on
    /// the validation slice (the rules score wins ties).
    #[value(alias = "auto")]
    Best,
}

/// Model flags shared by `train` and `evaluate`.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Model")]
pub struct ModelArgs {
    #[command(flatten)]
    /// Where the data comes from.
    pub data: DataArgs,
    /// Indicator catalogue (default: the bundled models/indicators.toml).
    #[arg(long, value_name = "FILE")]
    pub catalogue: Option<PathBuf>,
    /// Learner, or `best` (alias `auto`): fit every candidate, keep the best
    /// precision at the plan sizes on the validation slice; the rules score
    /// is a candidate, so a learner is used only where it beats it.
    #[arg(long, value_enum, default_value_t = LearnerArg::Best)]
    pub learner: LearnerArg,
    /// L2 penalty of the logistic regression (per example; strong by default,
    /// since a few thousand inspections cannot support 90 free weights).
    #[arg(long, default_value_t = 200.0)]
    pub l2: f64,
    /// Maximum depth of the tree.
    #[arg(long, default_value_t = 5)]
    pub max_depth: usize,
    /// Cap on inverse-propensity weights.
    #[arg(long, default_value_t = 20.0)]
    pub max_ipw: f64,
    /// First day of the test period (default: the last quarter of inspections).
    #[arg(long, value_parser = parse_date_arg)]
    pub split_date: Option<NaiveDate>,
    /// Seed for resampling and bootstrap.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Bootstrap resamples for the intervals.
    #[arg(long, default_value_t = 300)]
    pub bootstrap: usize,
    /// Outcomes that make a positive label (comma separated).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "labour_exploitation,forced_labour,police_report,referral_cmm"
    )]
    pub label_outcomes: Vec<String>,
}

impl ModelArgs {
    /// The unchecked parameters.
    pub fn params(&self) -> ModelParams {
        ModelParams {
            learner: match self.learner {
                LearnerArg::Logistic => Learner::Logistic,
                LearnerArg::Tree => Learner::Tree,
                LearnerArg::Forest => Learner::Forest,
                LearnerArg::Rules => Learner::Rules,
                LearnerArg::Blend => Learner::Blend,
                LearnerArg::Best => Learner::Best,
            },
            l2: self.l2,
            max_depth: self.max_depth,
            max_ipw: self.max_ipw,
            split_date: self.split_date,
            seed: self.seed,
            bootstrap: self.bootstrap,
            ..ModelParams::default()
        }
    }

    /// The label definition.
    pub fn label(&self) -> LabelDefinition {
        LabelDefinition {
            outcomes: self.label_outcomes.clone(),
            ..LabelDefinition::default()
        }
    }

    /// Loads data and catalogue and trains.
    pub fn train(&self) -> anyhow::Result<crate::model::train::Trained> {
        let params = self.params().check()?;
        let (text, cat) = match &self.catalogue {
            Some(p) => (
                std::fs::read_to_string(p)?,
                crate::indicators::Catalogue::from_file(p)?,
            ),
            None => (
                crate::indicators::catalogue::BUNDLED.to_string(),
                crate::indicators::Catalogue::bundled()?,
            ),
        };
        let compiled = crate::pipeline::compile(cat)?;
        let mut opts = self.data.load_options()?;
        opts.as_of = None;
        opts.extra_indicators.extend(compiled.ids());
        let ds = crate::data::load_folder(&self.data.dir(), &opts)?;
        super::common::warn_load(&ds.report);
        Ok(crate::model::train::train(
            &ds,
            &compiled,
            &text,
            &self.label(),
            &params,
        )?)
    }
}

/// Arguments of `tilsyn train`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// Data and model parameters.
    pub model: ModelArgs,
    /// Where to write the model.
    #[arg(long = "out", value_name = "FILE", default_value = MODEL_FILE)]
    pub out_file: PathBuf,
}

/// Runs `tilsyn train`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let trained = args.model.train()?;
    trained.file.save(&args.out_file)?;
    let f = &trained.file;
    eprintln!(
        "trained {} on {} inspections ({} to {}; fitted on the first four fifths, compared and calibrated on the last), {} features",
        f.kind.name(),
        trained.examples.len() - trained.test_rows.len(),
        f.training_period.0,
        f.training_period.1,
        f.features.len()
    );
    eprintln!("kept {}", f.chosen_because);
    if let Some(m) = &f.metrics {
        eprintln!(
            "held-out ROC AUC {} on {} inspections from {}; calibration error {:.3}",
            m.auc, m.n_test, m.split_date, m.calibration_error
        );
    }
    eprintln!("wrote {}", args.out_file.display());
    Ok(ExitCode::SUCCESS)
}
