//! `tilsyn validate`: load a folder and report, per table, rows read,
//! loaded and rejected, as a readable table or JSON. Exits 1 when any row
//! was rejected, so it can guard a data delivery in a script.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::common::DataArgs;
use crate::data::{LoadReport, TableStatus, load_folder};

/// Arguments of `tilsyn validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Output folder: rejected rows go to OUT/rejects/<table>.csv.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// How the report is written.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// A readable table.
    Table,
    /// JSON.
    Json,
}

/// Runs `tilsyn validate`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut opts = args.data.load_options()?;
    if let Some(out) = &args.out {
        opts.rejects_dir = Some(out.join("rejects"));
    }
    let ds = load_folder(&args.data.dir(), &opts)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &ds.report)?;
            writeln!(out)?;
        }
        Format::Table => write_table(&mut out, &ds.report)?,
    }
    out.flush()?;
    Ok(super::common::finish_load(&ds.report))
}

/// Writes the load report as a table.
pub fn write_table(out: &mut impl Write, r: &LoadReport) -> std::io::Result<()> {
    writeln!(out, "data:        {}", r.data_dir.display())?;
    if let Some(from) = &r.imported_from {
        writeln!(out, "imported:    from {}", from.display())?;
    }
    writeln!(
        out,
        "mapping:     {}",
        r.mapping
            .as_ref()
            .map_or("none".into(), |p| p.display().to_string())
    )?;
    writeln!(out, "dated up to: {}", r.as_of_limit)?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<12} {:<22} {:>10} {:>10} {:>9}  notes",
        "table", "file", "read", "loaded", "rejected"
    )?;
    for t in &r.tables {
        let file = t
            .file
            .as_ref()
            .and_then(|f| f.file_name())
            .map_or("-".into(), |f| f.to_string_lossy().into_owned());
        let mut notes = Vec::new();
        if t.status == TableStatus::Absent {
            notes.push("absent: its indicators are not assessable".to_string());
        } else if t.rows_loaded == 0 {
            notes.push("no rows: its indicators are unknown at every site".to_string());
        }
        if t.rows_folded > 0 {
            notes.push(format!(
                "{} rows folded into the records before them (same key)",
                t.rows_folded
            ));
        }
        if t.rows_ignored > 0 {
            notes.push(format!(
                "{} rows skipped (a value the mapping ignores)",
                t.rows_ignored
            ));
        }
        if let Some(d) = &t.dialect {
            let delim = if d.delimiter == '\t' {
                "tab".to_string()
            } else {
                format!("'{}'", d.delimiter)
            };
            notes.push(format!(
                "{:?} {delim}{}",
                d.encoding,
                if d.gzip { " gzip" } else { "" }
            ));
        }
        if !t.absent_columns.is_empty() {
            notes.push(format!("no {}", t.absent_columns.join(", ")));
        }
        if !t.ignored_columns.is_empty() {
            notes.push(format!("ignored {}", t.ignored_columns.join(", ")));
        }
        writeln!(
            out,
            "{:<12} {:<22} {:>10} {:>10} {:>9}  {}",
            t.table,
            file,
            t.rows_read,
            t.rows_loaded,
            t.rows_rejected,
            notes.join("; ")
        )?;
    }
    writeln!(out)?;
    match &r.rejects_dir {
        Some(d) => writeln!(
            out,
            "rejected rows: {} in {}",
            r.total_rejected(),
            d.display()
        )?,
        // An imported folder: its rows were rejected when it was imported.
        None if r.total_rejected() > 0 => writeln!(
            out,
            "rejected rows: {} (when the folder was imported)",
            r.total_rejected()
        )?,
        None => writeln!(out, "rejected rows: 0")?,
    }
    writeln!(out, "fingerprint: {}", r.fingerprint)
}
