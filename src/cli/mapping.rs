//! `tilsyn mapping`: help with the mapping file. `--draft DIR` writes a
//! draft `tilsyn.toml` for a folder of agency exports, guessed from its
//! headers and values (see `crate::data::draft`), to stdout or `--out`;
//! `--presets` lists the mappings bundled for public export formats.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use crate::data::draft::draft;
use crate::data::mapping::PRESETS;

/// Arguments of `tilsyn mapping`.
#[derive(Debug, clap::Args)]
#[command(group(
    clap::ArgGroup::new("action")
        .required(true)
        .multiple(false)
        .args(["draft", "presets"])
))]
pub struct Args {
    /// Write a draft mapping for this folder of agency exports, guessed from each CSV file's headers and first rows.
    #[arg(long, value_name = "DIR")]
    pub draft: Option<PathBuf>,
    /// List the mappings bundled for public export formats (use one with `--preset NAME`).
    #[arg(long)]
    pub presets: bool,
    /// Write the draft to this file instead of stdout.
    #[arg(long, value_name = "FILE", requires = "draft")]
    pub out: Option<PathBuf>,
    /// Overwrite the --out file if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
}

/// Runs `tilsyn mapping`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.presets {
        list_presets()?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(dir) = &args.draft else {
        anyhow::bail!("give --draft DIR or --presets");
    };
    let d = draft(dir)?;
    let text = d.to_toml();
    let missing = d.missing_required();
    match &args.out {
        Some(out) => {
            write_new(out, text.as_bytes(), args.force)?;
            eprintln!(
                "wrote a draft mapping for {} to {}: check every line (each says how sure it is and why)",
                dir.display(),
                out.display()
            );
            if !missing.is_empty() {
                eprintln!(
                    "not found, required: {}; map them in {} before loading",
                    missing.join(", "),
                    out.display()
                );
            }
            eprintln!(
                "next: tilsyn validate --data {} --mapping {}",
                dir.display(),
                out.display()
            );
        }
        None => {
            let mut o = std::io::stdout().lock();
            o.write_all(text.as_bytes())?;
            o.flush()?;
            if !missing.is_empty() {
                eprintln!(
                    "not found, required: {}; map them in the draft before loading",
                    missing.join(", ")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Lists the bundled presets: name and what each reads.
fn list_presets() -> anyhow::Result<()> {
    let mut o = std::io::stdout().lock();
    let width = PRESETS
        .iter()
        .map(|(name, _, _)| name.len())
        .max()
        .unwrap_or(0);
    for (name, description, _) in PRESETS {
        writeln!(o, "{name:<width$}  {description}")?;
    }
    writeln!(o)?;
    writeln!(
        o,
        "Use one with `--preset NAME` (e.g. `tilsyn validate --data DIR --preset NAME`), or copy datasets/mappings/NAME.toml into the data folder as tilsyn.toml and edit it."
    )?;
    o.flush()?;
    Ok(())
}

/// Writes a file, refusing to replace one that exists unless `force`.
fn write_new(path: &Path, bytes: &[u8], force: bool) -> anyhow::Result<()> {
    let mut file = if force {
        std::fs::File::create(path)
    } else {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    }
    .map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::anyhow!(
                "{} exists; choose another --out, or add --force to overwrite it",
                path.display()
            )
        } else {
            anyhow::Error::new(e).context(format!("cannot create {}", path.display()))
        }
    })?;
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
