//! `tilsyn evaluate`: train on inspections before a split date, test on the
//! ones after, and print ROC AUC, precision and recall at plan sizes, lift,
//! and calibration, each with a bootstrap interval; on generated data also
//! the true precision and recall against `truth.csv`. `--plot DIR` writes
//! the charts.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;

use super::train::ModelArgs;
use crate::data::parse::parse_date;
use crate::model::file::Metrics;
use crate::rank::truth::TruthCheck;

/// Arguments of `tilsyn evaluate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// Data and model parameters.
    pub model: ModelArgs,
    /// Write PNG charts (precision@k, calibration) into this folder.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Output formats.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// A readable report.
    Table,
    /// JSON.
    Json,
}

#[derive(Serialize)]
struct Report<'a> {
    kind: crate::model::ModelKind,
    comparison: &'a [crate::model::file::Comparison],
    metrics: Option<&'a Metrics>,
    truth: Option<TruthCheck>,
}

/// Runs `tilsyn evaluate`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let trained = args.model.train()?;
    let file = &trained.file;
    let truth = truth_check(&args, file)?;
    if let (Some(dir), Some(m)) = (&args.plot, &file.metrics) {
        std::fs::create_dir_all(dir)?;
        let ex = &trained.examples;
        let y: Vec<bool> = trained.test_rows.iter().map(|&i| ex.labels[i]).collect();
        let rules: Vec<f64> = trained
            .test_rows
            .iter()
            .map(|&i| ex.rule_priority[i])
            .collect();
        crate::report::plot::precision_curve(
            &dir.join("precision_at_k.png"),
            &trained.test_p,
            &rules,
            &y,
            m.population_rate,
            m.historical_rate,
        )?;
        crate::report::plot::calibration(&dir.join("calibration.png"), &m.calibration)?;
        eprintln!(
            "wrote {} and {}",
            dir.join("precision_at_k.png").display(),
            dir.join("calibration.png").display()
        );
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            let r = Report {
                kind: file.kind,
                comparison: &file.comparison,
                metrics: file.metrics.as_ref(),
                truth,
            };
            serde_json::to_writer_pretty(&mut out, &r)?;
            writeln!(out)?;
        }
        Format::Table => write_table(&mut out, file, truth.as_ref())?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_table(
    out: &mut impl Write,
    file: &crate::model::ModelFile,
    truth: Option<&TruthCheck>,
) -> std::io::Result<()> {
    writeln!(
        out,
        "model: {}, {} features, trained on inspections {} to {}",
        file.kind.name(),
        file.features.len(),
        file.training_period.0,
        file.training_period.1
    )?;
    writeln!(out, "label: {}", file.label.describe())?;
    let num = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.3}"));
    for c in &file.comparison {
        writeln!(
            out,
            "  compared {:<9} validation precision {}  beats rules in {}  validation AUC {}  held-out AUC {}  precision top 5% {:.3}",
            c.kind.name(),
            num(c.validation_precision),
            c.beats_rules
                .map_or("-".to_string(), |b| format!("{:.0}%", b * 100.0)),
            num(c.validation_auc),
            num(c.auc),
            c.precision_top5
        )?;
    }
    if !file.chosen_because.is_empty() {
        writeln!(out, "kept {}", file.chosen_because)?;
    }
    let Some(m) = &file.metrics else {
        return writeln!(
            out,
            "no test period: every inspection is before the split date"
        );
    };
    writeln!(out)?;
    writeln!(
        out,
        "held-out period from {}: {} inspections, {} found exploitation ({} train)",
        m.split_date, m.n_test, m.test_positives, m.n_train
    )?;
    writeln!(
        out,
        "ROC AUC {} (rules scorer {:.3}); intervals are bootstrap 95%",
        m.auc,
        m.rules_auc.unwrap_or(f64::NAN)
    )?;
    writeln!(
        out,
        "rate found by the historical selection {:.3}; population estimate (inverse propensity) {:.3}",
        m.historical_rate, m.population_rate
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<12} {:>24} {:>24} {:>8} {:>9} {:>11}",
        "plan", "precision", "recall", "rules", "lift/rnd", "lift/hist"
    )?;
    for a in &m.at_k {
        writeln!(
            out,
            "{:<12} {:>24} {:>24} {:>8.3} {:>9.2} {:>11.2}",
            a.label,
            a.precision.to_string(),
            a.recall.to_string(),
            a.rules_precision,
            a.lift_random,
            a.lift_historical
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "calibration (expected calibration error {:.3}):",
        m.calibration_error
    )?;
    for b in &m.calibration {
        writeln!(
            out,
            "  decile {:>2}: {:>5} inspections, predicted {:.3}, observed {:.3}",
            b.decile, b.n, b.predicted, b.observed
        )?;
    }
    if let Some(t) = truth {
        writeln!(out)?;
        writeln!(
            out,
            "against truth.csv (generated data), all {} sites as of {}, top 5% = {} sites:",
            t.sites, t.as_of, t.k
        )?;
        writeln!(
            out,
            "  model precision {:.3}, recall {:.3}",
            t.model_precision, t.model_recall
        )?;
        writeln!(
            out,
            "  rules precision {:.3}, recall {:.3}",
            t.rules_precision, t.rules_recall
        )?;
        writeln!(out, "  base rate {:.3} (random selection)", t.base_rate)?;
    }
    Ok(())
}

/// When the data folder has `truth.csv`, scores every site as of the day
/// before the test period and checks the top 5% against it.
fn truth_check(args: &Args, file: &crate::model::ModelFile) -> anyhow::Result<Option<TruthCheck>> {
    let path = args.model.data.dir().join("truth.csv");
    let Some(m) = &file.metrics else {
        return Ok(None);
    };
    if !path.is_file() {
        return Ok(None);
    }
    let exploited = crate::rank::truth::read_truth(&path)?;
    let as_of = parse_date(&m.split_date).map_err(anyhow::Error::msg)? - chrono::Duration::days(1);
    let cat = match &args.model.catalogue {
        Some(p) => crate::indicators::Catalogue::from_file(p)?,
        None => crate::indicators::Catalogue::bundled()?,
    };
    let compiled = crate::pipeline::compile(cat)?;
    let mut opts = args.model.data.load_options()?;
    opts.as_of = None;
    let scored =
        crate::pipeline::load_and_assess(&args.model.data.dir(), opts, compiled, Some(as_of))?;
    Ok(Some(crate::rank::truth::check(
        scored, file, &exploited, 0.05,
    )?))
}
