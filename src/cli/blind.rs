//! `tilsyn blind-spots`: sites with many workers where few of the 11 ILO
//! indicators could be assessed, as a list, CSV or JSON. A low rank there
//! means nothing was looked at, not that nothing is there.

use std::io::Write;
use std::process::ExitCode;

use super::common::ScoreArgs;
use crate::rank::blind::{BlindSpot, DEFAULT_MAX_COVERAGE, blind_spots};

/// Arguments of `tilsyn blind-spots`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// Data, catalogue, model and scorer.
    pub score: ScoreArgs,
    /// Show only the first N sites.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub top: usize,
    /// A site is a blind spot when at most this many of the 11 ILO indicators were assessed.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_COVERAGE, value_parser = clap::value_parser!(u8).range(0..=10))]
    pub max_coverage: u8,
    /// Output format.
    #[arg(long, value_enum, default_value_t = super::rank::Format::Table)]
    pub format: super::rank::Format,
}

/// Runs `tilsyn blind-spots`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let scored = args.score.score()?;
    let spots = blind_spots(&scored, args.max_coverage, Some(args.top));
    // How many there are in all, for the header (the list is cut at --top).
    let all = scored
        .assessment
        .sites
        .iter()
        .filter(|s| s.coverage <= args.max_coverage)
        .count();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        super::rank::Format::Json => {
            serde_json::to_writer_pretty(&mut out, &spots)?;
            writeln!(out)?;
        }
        super::rank::Format::Csv => write_csv(&mut out, &spots)?,
        super::rank::Format::Table => {
            writeln!(
                out,
                "tilsyn blind-spots · {} · as of {} · {} of {} sites have at most {}/11 ILO indicators assessed; most workers unseen first",
                scored.data.report.data_dir.display(),
                scored.as_of,
                all,
                scored.assessment.frame.height(),
                args.max_coverage
            )?;
            writeln!(
                out,
                "A low rank at these sites means nothing was looked at, not that nothing is there."
            )?;
            writeln!(out)?;
            for s in &spots {
                writeln!(
                    out,
                    "{} · {}/11 assessed · {}",
                    super::rank::site_heading(
                        s.rank,
                        &s.site_id,
                        s.name.as_deref(),
                        s.municipality.as_deref(),
                        s.risk_group.as_deref().or(s.sector_code.as_deref()),
                        &format!("{:.0}", s.workers_exposed)
                    ),
                    s.coverage,
                    s.days_since_inspection
                        .map_or("never inspected".to_string(), |d| format!(
                            "last inspected {d} days ago"
                        ))
                )?;
                writeln!(out, "      unknown: {}", s.unknown.join(", "))?;
                if !s.missing.is_empty() {
                    writeln!(out, "      missing: {}", s.missing.join("; "))?;
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_csv(out: &mut impl Write, spots: &[BlindSpot]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "rank",
        "site_id",
        "name",
        "municipality",
        "sector_code",
        "risk_group",
        "workers_exposed",
        "coverage",
        "unknown",
        "days_since_inspection",
        "missing",
        "blind_score",
    ])?;
    for s in spots {
        w.write_record([
            s.rank.to_string(),
            s.site_id.clone(),
            s.name.clone().unwrap_or_default(),
            s.municipality.clone().unwrap_or_default(),
            s.sector_code.clone().unwrap_or_default(),
            s.risk_group.clone().unwrap_or_default(),
            format!("{:.0}", s.workers_exposed),
            s.coverage.to_string(),
            s.unknown.join(" "),
            s.days_since_inspection
                .map(|d| d.to_string())
                .unwrap_or_default(),
            s.missing.join("; "),
            format!("{:.3}", s.blind_score),
        ])?;
    }
    w.flush()?;
    Ok(())
}
