//! `tilsyn fairness`: selection rate, precision and recall of the model's
//! top share by region, municipality, sector risk group, company size and
//! nationality mix, as ratios to all sites with bootstrap intervals, and
//! the proxy check of every model feature against nationality (see
//! `crate::fairness`). Sites are scored as of the day before the model's
//! test period, and labelled by the inspections in it; `--as-of` scores as
//! of another day and labels by every later inspection.

use std::io::Write;
use std::process::ExitCode;

use chrono::NaiveDate;

use super::common::{ScoreArgs, Scorer, default_model};
use crate::data::parse::parse_date;
use crate::fairness::{FairnessParams, FairnessReport, LabelWindow, audit, render};
use crate::model::{LabelDefinition, ModelFile};

/// Arguments of `tilsyn fairness`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// Data, catalogue, model and scorer.
    pub score: ScoreArgs,
    /// Share of all sites selected (the top of the ranking).
    #[arg(long, value_name = "SHARE", default_value_t = 0.05)]
    pub top_share: f64,
    /// Bootstrap resamples for the intervals.
    #[arg(long, default_value_t = 200)]
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Output formats.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// Readable text.
    Table,
    /// JSON.
    Json,
    /// Markdown (as in the model card).
    Markdown,
}

/// The model file the scorer will use, if any.
fn model_file(score: &ScoreArgs) -> anyhow::Result<Option<ModelFile>> {
    if score.scorer == Scorer::Rules {
        return Ok(None);
    }
    let path = score.model.clone().unwrap_or_else(default_model);
    if score.model.is_none() && !path.is_file() {
        return Ok(None);
    }
    Ok(Some(ModelFile::load(&path)?))
}

fn date(s: &str) -> anyhow::Result<NaiveDate> {
    parse_date(s).map_err(anyhow::Error::msg)
}

/// Runs the audit for scoring arguments (also used by `tilsyn card --data`).
pub fn report(score: &ScoreArgs, params: &FairnessParams) -> anyhow::Result<FairnessReport> {
    let model = model_file(score)?;
    let definition = model
        .as_ref()
        .map_or_else(LabelDefinition::default, |m| m.label.clone());
    let (as_of, window) = match (
        score.data.as_of,
        model.as_ref().and_then(|m| m.test_period.as_ref()),
    ) {
        (Some(d), _) => (
            Some(d),
            d.succ_opt().map(|from| LabelWindow {
                from,
                to: NaiveDate::MAX,
                definition,
            }),
        ),
        (None, Some((from, to))) => {
            let from = date(from)?;
            (
                from.pred_opt(),
                Some(LabelWindow {
                    from,
                    to: date(to)?,
                    definition,
                }),
            )
        }
        (None, None) => (None, None),
    };
    let mut args = score.clone();
    args.data.as_of = as_of;
    let scored = args.score()?;
    let truth_path = args.data.dir().join("truth.csv");
    let truth = if truth_path.is_file() {
        Some(crate::rank::truth::read_truth(&truth_path)?)
    } else {
        None
    };
    Ok(audit(&scored, window.as_ref(), truth.as_ref(), params)?)
}

/// Runs `tilsyn fairness`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let params = FairnessParams {
        top_share: args.top_share,
        reps: args.bootstrap,
        seed: args.seed,
        ..FairnessParams::default()
    };
    let r = report(&args.score, &params)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &r)?;
            writeln!(out)?;
        }
        Format::Table => write!(out, "{}", render::table(&r))?,
        Format::Markdown => write!(out, "{}", render::markdown(&r))?,
    }
    out.flush()?;
    if !r.warnings.is_empty() {
        eprintln!(
            "warning: {} group ratio(s) outside {:.2}-{:.2}",
            r.warnings.len(),
            r.band.0,
            r.band.1
        );
    }
    let proxies = r.proxies.iter().filter(|p| p.possible_proxy).count();
    if proxies > 0 {
        eprintln!(
            "warning: {proxies} model feature(s) may stand in for nationality (see the proxy check)"
        );
    }
    Ok(ExitCode::SUCCESS)
}
