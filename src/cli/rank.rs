//! `tilsyn rank`: every site with rank, priority, ILO tier, the 11-indicator
//! profile and the top reasons, as a readable list, CSV or JSON.

use std::io::Write;
use std::process::ExitCode;

use rayon::prelude::*;

use super::common::ScoreArgs;
use crate::data::ILO_INDICATORS;
use crate::indicators::explain::NoDecimals;
use crate::pipeline::Scored;
use crate::rank::{Detail, Filter, Ranked, rank, rank_in_blocks};

/// Arguments of `tilsyn rank`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// Data, catalogue, model and scorer.
    pub score: ScoreArgs,
    /// Show only the first N sites.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    #[command(flatten)]
    /// Which sites.
    pub filter: FilterArgs,
    /// Reasons shown per site.
    #[arg(long, default_value_t = 3)]
    pub reasons: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Filter flags shared by `rank` and `plan`.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Filters")]
pub struct FilterArgs {
    /// Sector: a risk group (construction, cleaning, agriculture, hotels_restaurants, transport, domestic_work, fishing) or a DB07 code prefix (41, 41.20). Repeatable.
    #[arg(long, value_name = "SECTOR")]
    pub sector: Vec<String>,
    /// Municipality code or name. Repeatable.
    #[arg(long, value_name = "MUNICIPALITY")]
    pub municipality: Vec<String>,
    /// Region (Hovedstaden, Sjælland, Syddanmark, Midtjylland, Nordjylland). Repeatable.
    #[arg(long, value_name = "REGION")]
    pub region: Vec<String>,
    /// ILO tier (0-3 or its name). Repeatable.
    #[arg(long, value_name = "TIER")]
    pub tier: Vec<String>,
    /// Lowest ILO tier shown.
    #[arg(long, value_name = "TIER")]
    pub min_tier: Option<String>,
}

impl FilterArgs {
    /// The checked filter.
    pub fn filter(&self) -> anyhow::Result<Filter> {
        Ok(Filter::parse(
            &self.sector,
            &self.municipality,
            &self.region,
            &self.tier,
            self.min_tier.as_deref(),
        )?)
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// A readable list with reasons.
    Table,
    /// One row per site.
    Csv,
    /// An array of objects.
    Json,
}

/// Runs `tilsyn rank`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let filter = args.filter.filter()?;
    let scored = args.score.score()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if let Format::Csv = args.format {
        // Ranked and written a block at a time: the rows of a national
        // ranking are never all held at once.
        let _stage = crate::progress::stage("rank and write csv");
        write_csv(&mut out, &scored, &filter, args.top, args.reasons)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows = {
        let _stage = crate::progress::stage("rank");
        rank(&scored, &filter, args.top, args.reasons)
    };
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
        // Written above.
        Format::Csv => {}
        Format::Table => {
            let chips = filter.chips();
            writeln!(
                out,
                "tilsyn rank · {} · as of {} · scorer {} · {} of {} sites{}",
                scored.data.report.data_dir.display(),
                scored.as_of,
                scored.scorer_label(),
                rows.len(),
                scored.assessment.frame.height(),
                if chips.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", chips.join(" "))
                }
            )?;
            if let Some((m, _)) = &scored.model
                && !m.chosen_because.is_empty()
            {
                writeln!(out, "kept {}", m.chosen_because)?;
            }
            writeln!(
                out,
                "ILO strip: {} = observed ● signalled ◐ clear · unknown ? (coverage: how many of the 11 were assessed)",
                strip_legend()
            )?;
            writeln!(out)?;
            for r in &rows {
                write_site(&mut out, r)?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The strip's column order as short labels.
pub fn strip_legend() -> String {
    [
        "vuln", "decep", "move", "isol", "viol", "threat", "docs", "wages", "debt", "cond", "hours",
    ]
    .join(" ")
}

/// The first line of a site in a readable list: rank, id, name,
/// municipality, risk group (or sector) and workers exposed.
pub fn site_heading(
    rank: usize,
    site_id: &str,
    name: Option<&str>,
    municipality: Option<&str>,
    group: Option<&str>,
    workers: &str,
) -> String {
    format!(
        "{rank:>4}. {site_id}  {}  · {} · {} · {workers} workers",
        name.unwrap_or("(no name)"),
        municipality.unwrap_or("?"),
        group.unwrap_or("?"),
    )
}

fn write_site(out: &mut impl Write, r: &Ranked) -> std::io::Result<()> {
    let strip: String = r.ilo.iter().map(|s| s.symbol()).collect();
    writeln!(
        out,
        "{} · priority {:.1} · {}",
        site_heading(
            r.rank,
            &r.site_id,
            r.name.as_deref(),
            r.municipality.as_deref(),
            r.risk_group.as_deref().or(r.sector_code.as_deref()),
            &crate::rank::rows::workers_text(r.workers_exposed, r.workers_known)
        ),
        r.priority,
        r.tier
    )?;
    let last = r
        .days_since_inspection
        .map_or("never inspected".to_string(), |d| {
            format!("last inspected {d} days ago")
        });
    writeln!(
        out,
        "      ILO {strip}  {}/11 assessed   {last}",
        r.coverage
    )?;
    for reason in &r.reasons {
        writeln!(out, "      - {} [{}]", reason.text, reason.indicator)?;
    }
    writeln!(out)
}

/// The ranking as CSV: the header, then the ranked rows a block at a time.
fn write_csv(
    out: &mut impl Write,
    scored: &Scored,
    filter: &Filter,
    top: Option<usize>,
    reasons: usize,
) -> anyhow::Result<()> {
    let scorer = scored.scorer_label();
    let mut w = csv::Writer::from_writer(&mut *out);
    let mut header: Vec<String> = [
        "rank",
        "site_id",
        "company_id",
        "name",
        "municipality_code",
        "municipality",
        "region",
        "sector_code",
        "risk_group",
        "workers_exposed",
        "score",
        "priority",
        "tier",
        "coverage",
        "scorer",
        "days_since_inspection",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    header.extend(ILO_INDICATORS.iter().map(|s| (*s).to_string()));
    header.push("reasons".into());
    w.write_record(&header)?;
    w.flush()?;
    drop(w);
    // A national ranking is a million rows of 29 fields: blocks of rows are
    // formatted on every core, each into its own buffer, and written in
    // order; one block at a time keeps the buffers small.
    const BLOCK: usize = 1 << 16;
    const CHUNK: usize = 1 << 12;
    // The CSV has no column for the model's contributions.
    let detail = Detail {
        reasons,
        contributions: false,
    };
    rank_in_blocks(scored, filter, top, detail, BLOCK, |block| {
        let parts = block
            .par_chunks(CHUNK)
            .map(|rows| csv_rows(rows, &scorer))
            .collect::<csv::Result<Vec<Vec<u8>>>>()?;
        for part in parts {
            out.write_all(&part)?;
        }
        Ok::<(), anyhow::Error>(())
    })
}

/// Ranked rows as CSV records (no header), field by field, numbers through
/// one reused buffer.
fn csv_rows(rows: &[Ranked], scorer: &str) -> csv::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 256));
    let mut buf = String::new();
    let mut reasons = String::new();
    let mut field = |w: &mut csv::Writer<_>, v: std::fmt::Arguments| -> csv::Result<()> {
        buf.clear();
        let _ = std::fmt::Write::write_fmt(&mut buf, v);
        w.write_field(&buf)
    };
    for r in rows {
        field(&mut w, format_args!("{}", r.rank))?;
        w.write_field(&r.site_id)?;
        w.write_field(r.company_id.as_deref().unwrap_or_default())?;
        w.write_field(r.name.as_deref().unwrap_or_default())?;
        match r.municipality_code {
            Some(c) => field(&mut w, format_args!("{c}"))?,
            None => w.write_field("")?,
        }
        w.write_field(r.municipality.as_deref().unwrap_or_default())?;
        w.write_field(r.region.as_deref().unwrap_or_default())?;
        w.write_field(r.sector_code.as_deref().unwrap_or_default())?;
        w.write_field(r.risk_group.as_deref().unwrap_or_default())?;
        field(&mut w, format_args!("{}", NoDecimals(r.workers_exposed)))?;
        field(&mut w, format_args!("{:.3}", r.score))?;
        field(&mut w, format_args!("{:.3}", r.priority))?;
        w.write_field(r.tier.id())?;
        field(&mut w, format_args!("{}", r.coverage))?;
        w.write_field(scorer)?;
        match r.days_since_inspection {
            Some(d) => field(&mut w, format_args!("{d}"))?,
            None => w.write_field("")?,
        }
        for s in &r.ilo {
            w.write_field(s.name())?;
        }
        reasons.clear();
        for (k, x) in r.reasons.iter().enumerate() {
            let sep = if k == 0 { "" } else { "; " };
            let _ = std::fmt::Write::write_fmt(
                &mut reasons,
                format_args!("{sep}{}: {}", x.indicator, x.text),
            );
        }
        w.write_field(&reasons)?;
        w.write_record(None::<&[u8]>)?;
    }
    w.into_inner()
        .map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
}
