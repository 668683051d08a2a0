//! `tilsyn indicators`: the catalogue, grouped by ILO indicator, as a
//! table, JSON or Markdown.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::data::ILO_INDICATORS;
use crate::indicators::{Catalogue, Indicator};

/// Arguments of `tilsyn indicators`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Catalogue file (default: the bundled models/indicators.toml).
    #[arg(long, value_name = "FILE")]
    pub catalogue: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Output formats.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// A readable table.
    Table,
    /// JSON.
    Json,
    /// Markdown.
    Markdown,
}

/// Runs `tilsyn indicators`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cat = match &args.catalogue {
        Some(p) => Catalogue::from_file(p)?,
        None => Catalogue::bundled()?,
    };
    // Compile too, so a wrong rule is reported here as well.
    let compiled = crate::pipeline::compile(cat)?;
    let cat = &compiled.catalogue;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, cat)?;
            writeln!(out)?;
        }
        Format::Table => {
            for ilo in ILO_INDICATORS {
                writeln!(out, "{ilo}")?;
                for d in group(cat, ilo) {
                    let strength = d
                        .strength
                        .map_or("-".to_string(), |s| format!("{s:?}").to_lowercase());
                    writeln!(
                        out,
                        "  {:<36} {:<8} {:<7} {}",
                        d.id,
                        format!("{:?}", d.kind).to_lowercase(),
                        strength,
                        d.rule
                    )?;
                }
                writeln!(out)?;
            }
        }
        Format::Markdown => {
            writeln!(out, "# Indicator catalogue\n")?;
            for ilo in ILO_INDICATORS {
                writeln!(out, "## {ilo}\n")?;
                writeln!(
                    out,
                    "| id | kind | Delphi | strength | rule | needs | source |"
                )?;
                writeln!(out, "|---|---|---|---|---|---|---|")?;
                for d in group(cat, ilo) {
                    writeln!(
                        out,
                        "| `{}` | {:?} | {} | {} | `{}` | {} | {} |",
                        d.id,
                        d.kind,
                        d.delphi_dimension.map_or("-", |x| x.label()),
                        d.strength
                            .map_or("-".to_string(), |s| format!("{s:?}").to_lowercase()),
                        d.rule.replace('|', "\\|"),
                        d.needs.join(", "),
                        d.source.replace('|', "\\|")
                    )?;
                }
                writeln!(out)?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn group<'a>(cat: &'a Catalogue, ilo: &str) -> Vec<&'a Indicator> {
    cat.indicators
        .iter()
        .filter(|d| d.ilo.iter().any(|x| x == ilo))
        .collect()
}
