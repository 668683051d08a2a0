//! `tilsyn plan`: a visit plan within a capacity, with a random exploration
//! share, filters, and the sites inspected recently left out; every row
//! carries its selection probability, reasons and explanation.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::common::ScoreArgs;
use super::rank::FilterArgs;
use crate::rank::plan::{PlanParams, plan, write_csv};
use crate::rank::rank;

/// Arguments of `tilsyn plan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// Data, catalogue, model and scorer.
    pub score: ScoreArgs,
    #[command(flatten)]
    /// Which sites.
    pub filter: FilterArgs,
    /// Visits available.
    #[arg(long, value_name = "N")]
    pub capacity: usize,
    /// Share of the capacity drawn at random from the rest (exploration).
    #[arg(long, default_value_t = 0.1)]
    pub explore: f64,
    /// Seed of the exploration draw.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Leave out sites inspected within this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 180)]
    pub exclude_inspected_days: i64,
    /// Write the plan here (.csv or .json); default CSV on stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Runs `tilsyn plan`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let params = PlanParams {
        capacity: args.capacity,
        explore: args.explore,
        seed: args.seed,
    }
    .check()?;
    let filter = args.filter.filter()?;
    let scored = args.score.score()?;
    let eligible: Vec<_> = rank(&scored, &filter, None, 3)
        .into_iter()
        .filter(|r| {
            r.days_since_inspection
                .is_none_or(|d| d >= args.exclude_inspected_days)
        })
        .collect();
    let p = plan(eligible, &params);
    match &args.out {
        Some(path)
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json")) =>
        {
            let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
            serde_json::to_writer_pretty(&mut f, &p)?;
            writeln!(f)?;
            f.flush()?;
        }
        Some(path) => write_csv(std::io::BufWriter::new(std::fs::File::create(path)?), &p)?,
        None => write_csv(std::io::BufWriter::new(std::io::stdout().lock()), &p)?,
    }
    eprintln!(
        "plan: {} visits ({} by priority, {} exploration drawn from {} sites with probability {:.4} each, seed {}){}",
        p.rows.len(),
        p.priority_visits,
        p.exploration_visits,
        p.eligible - p.priority_visits,
        p.exploration_probability,
        p.seed,
        args.out
            .as_ref()
            .map_or(String::new(), |o| format!("; wrote {}", o.display()))
    );
    Ok(ExitCode::SUCCESS)
}
