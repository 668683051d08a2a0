//! `tilsyn shortfall`: pay stated against pay received, per site and per
//! pseudonymised worker, for the tax authority's financial calculations
//! for the police and prosecutors (`crate::claims`, `docs/shortfall.md`):
//! a table, CSV, JSON or a Markdown report for a case file. A data folder
//! without `payroll` or `permits` exits with 1; an unknown site with 2.

use std::path::PathBuf;
use std::process::ExitCode;

use super::InputRejected;
use super::common::DataArgs;
use crate::claims::{ClaimError, report, shortfall};

/// Arguments of `tilsyn shortfall`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// Where the data comes from.
    pub data: DataArgs,
    /// The site id (P-number) to calculate.
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub site: Option<String>,
    /// Every site with a shortfall (csv or json).
    #[arg(long)]
    pub all: bool,
    /// Output format (default: table with --site, csv with --all).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable text: one block per worker, with totals.
    Table,
    /// One row per worker-month, with its source rows.
    Csv,
    /// Everything, as JSON.
    Json,
    /// A report for a case file.
    #[value(alias = "md")]
    Markdown,
}

/// Runs `tilsyn shortfall`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let format = args
        .format
        .unwrap_or(if args.all { Format::Csv } else { Format::Table });
    if args.all && matches!(format, Format::Table | Format::Markdown) {
        anyhow::bail!(
            "--all writes csv or json; a table or a Markdown report is for one site (--site ID)"
        );
    }
    let ds = args.data.load()?;
    let mut result = shortfall(&ds, args.site.as_deref()).map_err(|e| {
        // A folder that lacks a table the calculation needs is an input
        // the command rejects (exit 1), like a folder without sites.
        if matches!(e, ClaimError::MissingTable { .. }) {
            anyhow::Error::new(InputRejected(e.to_string()))
        } else {
            anyhow::Error::new(e)
        }
    })?;
    if args.all {
        result.sites.retain(|s| s.totals.shortfall_dkk > 0.0);
    }
    let bytes = match format {
        Format::Table => report::to_table(&result).into_bytes(),
        Format::Markdown => report::to_markdown(&result).into_bytes(),
        Format::Json => {
            let mut b = serde_json::to_vec_pretty(&result)?;
            b.push(b'\n');
            b
        }
        Format::Csv => {
            let mut b: Vec<u8> = Vec::new();
            report::write_csv(&mut b, &result)?;
            b
        }
    };
    super::common::write_out(args.out.as_deref(), &bytes)?;
    Ok(ExitCode::SUCCESS)
}
