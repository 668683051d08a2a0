//! `tilsyn generate`: write a synthetic data set (see `docs/synthetic-data.md`).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use super::common::parse_date_arg;
use crate::synth::{GenerateParams, generate};

/// Arguments of `tilsyn generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Number of sites.
    #[arg(long, default_value_t = 5000)]
    sites: usize,
    /// Random seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// First day of the simulated period.
    #[arg(long, value_parser = parse_date_arg, default_value = "2023-01-01")]
    from: NaiveDate,
    /// Length of the simulated period in years.
    #[arg(long, default_value_t = 3)]
    years: u32,
}

/// Runs `tilsyn generate`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let params = GenerateParams {
        sites: args.sites,
        seed: args.seed,
        from: args.from,
        years: args.years,
        ..GenerateParams::default()
    };
    let summary = generate(&params, &args.out)?;
    for (table, rows) in &summary.rows {
        eprintln!("{table:<12} {rows:>10} rows");
    }
    eprintln!(
        "wrote {} (exploited sites in truth.csv: {})",
        args.out.display(),
        summary.exploited_sites
    );
    Ok(ExitCode::SUCCESS)
}
