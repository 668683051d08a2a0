//! `tilsyn import`: load a folder once, exactly as `validate` does (the same
//! report, the same rejects files, the same exit code), then write its typed
//! tables as Parquet with a manifest into `--out`, so that every later
//! command reads that folder without parsing or checking a cell again
//! (`docs/import.md`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::common::DataArgs;
use super::validate::{Format, write_table};
use crate::data::import::{MANIFEST_FILE, Manifest, write_import};
use crate::data::{Table, load_folder};

/// Arguments of `tilsyn import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Folder to write the imported tables to (<table>.parquet and tilsyn-import.json); rejected rows go to OUT/rejects/<table>.csv.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Output format of the load report.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Runs `tilsyn import`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let dir = args.data.dir();
    check_out(&dir, &args.out)?;
    let mut opts = args.data.load_options()?;
    opts.rejects_dir = Some(args.out.join("rejects"));
    // Keep every row a scoring command would use: findings and tips may
    // name the catalogue's own indicator ids besides the 11 ILO ones.
    let catalogue = crate::pipeline::compile(crate::indicators::Catalogue::bundled()?)?;
    opts.extra_indicators.extend(catalogue.ids());
    let ds = load_folder(&dir, &opts)?;
    let manifest = write_import(&ds, &args.out)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &ds.report)?;
            writeln!(out)?;
        }
        Format::Table => {
            write_table(&mut out, &ds.report)?;
            write_manifest(&mut out, &args.out, &manifest)?;
        }
    }
    out.flush()?;
    Ok(super::common::finish_load(&ds.report))
}

/// Refuses an output folder that is the data folder or holds input tables:
/// the manifest would make every command read the import instead of them.
fn check_out(data: &Path, out: &Path) -> anyhow::Result<()> {
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(data), std::fs::canonicalize(out))
        && a == b
    {
        anyhow::bail!(
            "--out {} is the data folder; import into another folder",
            out.display()
        );
    }
    for table in Table::ALL {
        for ext in ["csv", "csv.gz"] {
            let p = out.join(format!("{}.{ext}", table.name()));
            if p.is_file() {
                anyhow::bail!(
                    "--out {} holds the input file {}; import into an empty folder or an earlier import",
                    out.display(),
                    p.display()
                );
            }
        }
    }
    Ok(())
}

/// Writes what the import wrote, after the load report.
fn write_manifest(out: &mut impl Write, dir: &Path, m: &Manifest) -> std::io::Result<()> {
    writeln!(
        out,
        "imported to: {} ({} tables; manifest {MANIFEST_FILE})",
        dir.display(),
        m.tables.len()
    )?;
    for t in &m.tables {
        writeln!(
            out,
            "  {:<22} {:>10} rows  sha256 {}",
            t.file,
            t.rows,
            t.sha256.get(..16).unwrap_or(&t.sha256)
        )?;
    }
    Ok(())
}
