//! `tilsyn generate`: write a synthetic data set (see `docs/synthetic-data.md`).
//!
//! Besides the size and window, the scale and shape options (`--shape`,
//! `--workers-per-site`, `--recruiters`, ...) make country-sized registers,
//! and `--world` picks a world preset of the latent model (faint register
//! signals, biased inspection history, noisy findings, drift); with none of
//! them given the output is today's model, byte for byte.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use super::common::parse_date_arg;
use crate::synth::{GenerateParams, Shape, WORLD_FILE, WorldName, generate};

/// A named preset for the scale and shape of the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShapeArg {
    /// Today's model (the demo data): ~0.43 permit holders per site.
    Standard,
    /// A country-sized register: 2.6x permit holders per site, 90 % of sites
    /// recruiting through max(10, sites/5500) recruiters, address and owner skew 0.5.
    National,
}

impl From<ShapeArg> for Shape {
    fn from(s: ShapeArg) -> Shape {
        match s {
            ShapeArg::Standard => Shape::Standard,
            ShapeArg::National => Shape::National,
        }
    }
}

/// A world preset of the latent model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WorldArg {
    /// Today's model (the demo data).
    Baseline,
    /// Register signals (payroll, housing, permits, postings) at 0.3 of baseline strength.
    FaintSignals,
    /// Strongly targeted inspection history (little random share, tips and permit holders followed): selection bias.
    BiasedHistory,
    /// Inspectors miss most exploitation and record false findings at clean sites.
    NoisyFindings,
    /// Two thirds into the period exploitation leaves the payroll for housing, and new companies shift sector.
    Drift,
}

impl From<WorldArg> for WorldName {
    fn from(w: WorldArg) -> WorldName {
        match w {
            WorldArg::Baseline => WorldName::Baseline,
            WorldArg::FaintSignals => WorldName::FaintSignals,
            WorldArg::BiasedHistory => WorldName::BiasedHistory,
            WorldArg::NoisyFindings => WorldName::NoisyFindings,
            WorldArg::Drift => WorldName::Drift,
        }
    }
}

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
    /// Months of payroll history, ending with the last month of the period (1-120) [default: 18].
    #[arg(long, value_name = "N")]
    payroll_months: Option<u32>,
    /// Preset for the scale and shape options below; options given explicitly override it.
    #[arg(long, value_enum, value_name = "SHAPE")]
    shape: Option<ShapeArg>,
    /// Multiplier on the permit holders per site (and on their cap of 40), above 0, at most 50 [default: 1].
    #[arg(long, value_name = "X")]
    workers_per_site: Option<f64>,
    /// Size of the recruiter pool [default: max(10, sites/150)].
    #[arg(long, value_name = "N")]
    recruiters: Option<u32>,
    /// Probability (0-1) that a site's permit holders come through a recruiter, replacing the rates by sector and state.
    #[arg(long, value_name = "P")]
    recruiter_share: Option<f64>,
    /// Zipf exponent (0-10) of the recruiter draw: recruiter r has weight 1/(r+1)^S; 0 is uniform [default: 0].
    #[arg(long, value_name = "S")]
    recruiter_skew: Option<f64>,
    /// Concentration (0-10) of workers at a few large shared addresses; 0 is none [default: 0].
    #[arg(long, value_name = "S")]
    address_skew: Option<f64>,
    /// Concentration (0-10) of company ownership in a few persons; 0 is none [default: 0].
    #[arg(long, value_name = "S")]
    owner_skew: Option<f64>,
    /// World preset of the latent model: how informative the registers are, how biased past inspections, how noisy their findings, whether the pattern drifts [default: baseline].
    #[arg(long, value_enum, value_name = "WORLD")]
    world: Option<WorldArg>,
}

impl Args {
    /// The generator's parameters: the defaults, then the shape, then the options given.
    fn params(&self) -> GenerateParams {
        let defaults = GenerateParams::default();
        GenerateParams {
            sites: self.sites,
            seed: self.seed,
            from: self.from,
            years: self.years,
            payroll_months: self.payroll_months.unwrap_or(defaults.payroll_months),
            shape: self.shape.map_or(defaults.shape, Shape::from),
            workers_per_site: self.workers_per_site,
            recruiters: self.recruiters,
            recruiter_share: self.recruiter_share,
            recruiter_skew: self.recruiter_skew,
            address_skew: self.address_skew,
            owner_skew: self.owner_skew,
            world: self.world.map_or(defaults.world, WorldName::from),
            ..defaults
        }
    }
}

/// Runs `tilsyn generate`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let params = args.params();
    let summary = generate(&params, &args.out)?;
    for (table, rows) in &summary.rows {
        eprintln!("{table:<12} {rows:>10} rows");
    }
    eprintln!(
        "wrote {} (exploited sites in truth.csv: {})",
        args.out.display(),
        summary.exploited_sites
    );
    if params.world != WorldName::Baseline {
        eprintln!(
            "world {}: its knobs are in {}",
            params.world,
            args.out.join(WORLD_FILE).display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
