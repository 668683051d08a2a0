//! `tilsyn explain SITE_ID`: everything behind one site's rank, as text or JSON.

use std::io::Write;
use std::process::ExitCode;

use super::common::ScoreArgs;
use crate::rank::explanation::{Explanation, explain_with};

/// How many register records the text output lists (JSON has them all).
const REGISTER_RECORDS_SHOWN: usize = 20;

/// Arguments of `tilsyn explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site id (P-number) to explain.
    pub site_id: String,
    #[command(flatten)]
    /// Data, catalogue, model and scorer.
    pub score: ScoreArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Show the inspectors' notes of the findings (free text: masked for
    /// CPR, document and phone numbers and e-mail addresses on load, but
    /// still about people; hidden by default).
    #[arg(long)]
    pub show_notes: bool,
}

/// Output formats.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// Readable text.
    Text,
    /// JSON.
    Json,
}

/// Runs `tilsyn explain`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let scored = args.score.score()?;
    let e = explain_with(&scored, &args.site_id, args.show_notes)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &e)?;
            writeln!(out)?;
        }
        Format::Text => write_text(&mut out, &e)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Writes an explanation as text.
pub fn write_text(out: &mut impl Write, e: &Explanation) -> std::io::Result<()> {
    writeln!(
        out,
        "{} — {}",
        e.site_id,
        e.name.as_deref().unwrap_or("(no name)")
    )?;
    writeln!(
        out,
        "company {} · {} ({}) · sector {} {}{}",
        e.company_id.as_deref().unwrap_or("?"),
        e.municipality.as_deref().unwrap_or("?"),
        e.region.as_deref().unwrap_or("?"),
        e.sector_code.as_deref().unwrap_or("?"),
        e.sector_name.as_deref().unwrap_or(""),
        e.risk_group
            .as_ref()
            .map_or(String::new(), |g| format!(" (risk sector: {g})"))
    )?;
    writeln!(
        out,
        "as of {} · rank {} of {} · scorer {} · {}/11 ILO indicators assessed",
        e.as_of, e.rank, e.of, e.scorer, e.coverage
    )?;
    match e.probability {
        Some(p) => writeln!(
            out,
            "priority {:.3} = probability {:.3} × exposure {:.2} (1 + ln(1 + {:.0} workers exposed)) × recency × unacted tips (docs/model.md)",
            e.priority, p, e.exposure, e.workers_exposed
        )?,
        None => writeln!(
            out,
            "priority {:.2} = indicator score {:.2} × exposure {:.2} (1 + ln(1 + {:.0} workers exposed)) × recency × unacted tips (docs/model.md)",
            e.priority, e.score, e.exposure, e.workers_exposed
        )?,
    }
    if !e.contributions.is_empty() {
        writeln!(out, "model's largest contributions (log-odds):")?;
        for c in &e.contributions {
            writeln!(out, "  {:+.3}  {}", c.value, c.feature)?;
        }
    }
    writeln!(out, "ILO tier: {}", e.tier)?;
    writeln!(out)?;
    writeln!(
        out,
        "Delphi dimensions (positive with 2 strong, 1 strong + 1 other, 3 medium, or 2 medium + 1 weak):"
    )?;
    for d in &e.dimensions {
        writeln!(
            out,
            "  {} {:<40} {}",
            if d.positive { "+" } else { " " },
            d.label,
            if d.indicators.is_empty() {
                "-".to_string()
            } else {
                d.indicators.join(", ")
            }
        )?;
    }
    writeln!(out)?;
    writeln!(out, "ILO indicators:")?;
    for l in &e.ilo {
        writeln!(
            out,
            "  {} {:<26} {:<9} {}",
            l.status.symbol(),
            l.id,
            l.status.name(),
            if l.because.is_empty() {
                String::new()
            } else {
                l.because.join(", ")
            }
        )?;
    }
    writeln!(out)?;
    writeln!(out, "Indicators:")?;
    for i in &e.indicators {
        writeln!(out, "  {}", i.heading())?;
        if i.status != "clear" {
            writeln!(out, "        {}", i.text)?;
        }
        if !i.missing_tables.is_empty() {
            writeln!(
                out,
                "        not assessable: table(s) {} absent",
                i.missing_tables.join(", ")
            )?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Source records:")?;
    if e.records.is_empty() {
        writeln!(out, "  none")?;
    }
    for r in &e.records {
        write_record(out, r)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Register records behind the pay, hours and housing signals:"
    )?;
    if e.register_records.is_empty() {
        writeln!(out, "  none")?;
    }
    for r in e.register_records.iter().take(REGISTER_RECORDS_SHOWN) {
        write_record(out, r)?;
    }
    if e.register_records.len() > REGISTER_RECORDS_SHOWN {
        writeln!(
            out,
            "  … and {} more (all in --format json)",
            e.register_records.len() - REGISTER_RECORDS_SHOWN
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Missing data: {}",
        if e.absent_tables.is_empty() {
            "no table absent".into()
        } else {
            format!("tables absent: {}", e.absent_tables.join(", "))
        }
    )?;
    if !e.unknown_features.is_empty() {
        writeln!(
            out,
            "  features without a value here: {}",
            e.unknown_features.join(", ")
        )?;
    }
    Ok(())
}

/// One source record: `file:line date summary`.
/// One record: `  file:line date summary`.
fn write_record(out: &mut impl Write, r: &crate::rank::evidence::Record) -> std::io::Result<()> {
    writeln!(out, "  {r}")
}
