//! `tilsyn card`: the model card and algorithm-register record of a model
//! file, as Markdown (see `crate::report::card`); with `--data`, the
//! fairness audit on that data is part of it.

use std::path::PathBuf;
use std::process::ExitCode;

use super::common::{DataArgs, ScoreArgs, Scorer, default_model};
use crate::fairness::FairnessParams;
use crate::model::ModelFile;
use crate::report::card::{CardInput, card};

/// Arguments of `tilsyn card`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model file (default: models/risk_model.json).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Write the card here; default stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Run the fairness audit on this data folder and include it.
    #[arg(long, short = 'd', value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Share of all sites selected in the fairness audit.
    #[arg(long, value_name = "SHARE", default_value_t = 0.05)]
    pub top_share: f64,
    /// Bootstrap resamples of the fairness audit.
    #[arg(long, default_value_t = 200)]
    pub bootstrap: usize,
    /// Seed of the fairness audit's bootstrap.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// Runs `tilsyn card`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let path = args.model.clone().unwrap_or_else(default_model);
    let model = ModelFile::load(&path)?;
    let sha = crate::audit::file_sha256(&path)?;
    let fairness = match &args.data {
        Some(dir) => {
            let score = ScoreArgs {
                data: DataArgs {
                    data: Some(dir.clone()),
                    mapping: None,
                    preset: None,
                    as_of: None,
                    rejects: None,
                },
                catalogue: None,
                model: Some(path.clone()),
                scorer: Scorer::Model,
                expire_days: None,
            };
            let params = FairnessParams {
                top_share: args.top_share,
                reps: args.bootstrap,
                seed: args.seed,
                ..FairnessParams::default()
            };
            Some(super::fairness::report(&score, &params)?)
        }
        None => None,
    };
    let text = card(&CardInput {
        model: &model,
        model_path: &path.display().to_string(),
        model_sha256: &sha,
        fairness: fairness.as_ref(),
    });
    match &args.out {
        Some(out) => {
            std::fs::write(out, text.as_bytes())?;
            eprintln!("wrote {}", out.display());
        }
        None => {
            use std::io::Write;
            let mut o = std::io::stdout().lock();
            o.write_all(text.as_bytes())?;
            o.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
