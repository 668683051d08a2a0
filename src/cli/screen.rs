//! `tilsyn screen --permit FILE`: pending permit applications screened
//! against the registers before they are granted (`crate::screen`,
//! `docs/screen.md`): per application a recommendation (grant, ask for
//! documents, refer for control) with its reasons, the four checks with
//! their evidence, and the employer site's indicators as `explain` shows
//! them. A rejected row of the file exits with 1, naming its file, line and
//! column; no application is then screened.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::InputRejected;
use super::common::ScoreArgs;
use crate::rank::evidence::Record;
use crate::screen::{self, ScreenError, ScreenResult, Screening};

/// How many records each reason lists in the table (JSON has them all).
const RECORDS_SHOWN: usize = 5;

/// Arguments of `tilsyn screen`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// The registers: data, catalogue, model and scorer.
    pub score: ScoreArgs,
    /// The pending applications: a file in the permits layout (CSV,
    /// .csv.gz or Parquet; canonical headers), one row per application.
    #[arg(long, value_name = "FILE")]
    pub permit: PathBuf,
    /// The planned housing of the application, as an address id of the
    /// residences table (pseudonymised as they are); for a file with one
    /// application.
    #[arg(long, value_name = "ADDRESS_ID")]
    pub housing: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable text: one block per application.
    Table,
    /// Everything, as JSON.
    Json,
}

/// Runs `tilsyn screen`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let opts = args.score.data.load_options()?;
    // The applications first: a rejected row stops before the registers
    // are loaded and scored.
    let applications = screen::load_pending(&args.permit, &opts).map_err(rejected)?;
    let housing = match &args.housing {
        Some(raw) => Some(
            screen::planned_address(raw, opts.pseudonym_key.as_ref(), applications.len())
                .map_err(rejected)?,
        ),
        None => None,
    };
    let scored = args.score.score()?;
    let result = screen::screen(&scored, &applications, housing.as_deref())?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &result)?;
            writeln!(out)?;
        }
        Format::Table => write_table(&mut out, &result)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// A wrong input exits with 1, a wrong command line with 2.
fn rejected(e: ScreenError) -> anyhow::Error {
    if e.is_usage() {
        anyhow::Error::new(e)
    } else {
        anyhow::Error::new(InputRejected(e.to_string()))
    }
}

/// Writes the screening as text: one block per application.
pub fn write_table(out: &mut impl Write, r: &ScreenResult) -> std::io::Result<()> {
    writeln!(
        out,
        "{} application(s) screened against the registers as of {} · scorer {}",
        r.applications.len(),
        r.as_of,
        r.scorer
    )?;
    for s in &r.applications {
        writeln!(out)?;
        write_application(out, s)?;
    }
    Ok(())
}

fn write_application(out: &mut impl Write, s: &Screening) -> std::io::Result<()> {
    let a = &s.application;
    writeln!(
        out,
        "{} — {} ({}:{})",
        a.permit_id,
        s.recommendation.label().to_uppercase(),
        a.file,
        a.line
    )?;
    writeln!(
        out,
        "  site {} · scheme {} · from {} · stated pay {} DKK a month · employer housing {} · recruiter {}",
        a.site_id,
        a.scheme.as_deref().unwrap_or("?"),
        a.start_date
            .map_or_else(|| "?".to_string(), |d| d.to_string()),
        a.stated_monthly_pay_dkk
            .map_or_else(|| "?".to_string(), |p| crate::claims::report::grouped(p, 0)),
        match a.employer_housing {
            Some(true) => "yes",
            Some(false) => "no",
            None => "?",
        },
        if a.recruiter_named { "named" } else { "none" }
    )?;
    writeln!(out, "  because:")?;
    for b in &s.because {
        writeln!(out, "    - {b}")?;
    }
    writeln!(out, "  checks:")?;
    for c in &s.checks {
        writeln!(out, "    {:<10} {}", c.check.name(), c.status.name())?;
        for reason in &c.reasons {
            let mark = reason
                .concern
                .map_or("-".to_string(), |w| format!("[{}]", w.name()));
            writeln!(out, "      {mark} {}", reason.text)?;
            for rec in reason.evidence.iter().take(RECORDS_SHOWN) {
                write_record(out, rec)?;
            }
            if reason.evidence.len() > RECORDS_SHOWN {
                writeln!(
                    out,
                    "          … and {} more (all in --format json)",
                    reason.evidence.len() - RECORDS_SHOWN
                )?;
            }
        }
    }
    match &s.employer {
        None => writeln!(out, "  employer site: not in the sites register")?,
        Some(e) => {
            writeln!(
                out,
                "  employer site {} — {} · rank {} of {} · ILO tier {} · {}/11 ILO indicators assessed",
                e.site_id,
                e.name.as_deref().unwrap_or("(no name)"),
                e.rank,
                e.of,
                e.tier,
                e.coverage
            )?;
            let mut clear = 0usize;
            let mut unknown = 0usize;
            for i in &e.indicators {
                match i.status {
                    "clear" => clear += 1,
                    "unknown" => unknown += 1,
                    _ => {
                        writeln!(out, "    {}", i.heading())?;
                        writeln!(out, "          {}", i.text)?;
                    }
                }
            }
            writeln!(
                out,
                "    {clear} indicator(s) clear, {unknown} unknown (each in --format json, or `tilsyn explain {}`)",
                e.site_id
            )?;
        }
    }
    Ok(())
}

/// One record: `file:line date summary`.
fn write_record(out: &mut impl Write, r: &Record) -> std::io::Result<()> {
    writeln!(out, "          {r}")
}
