//! The feature frames behind a ranking or a model, kept for analysis.
//!
//! With `TILSYN_FRAMES=DIR` set, `rank` (and every command that assesses
//! sites) writes `DIR/features-sites.parquet`: every site's features, rule columns
//! and rules score as of the analysis date; `train` writes
//! `DIR/features-examples.parquet`: one row per past inspection with its features
//! as of the day before, its label (`label`), date (`inspection_date`),
//! selection probability, rules priority and exposure. The frames hold site,
//! company and inspection ids and aggregates only, never a person's id.
//! This is how a learner can be studied outside tilsyn (docs/model.md,
//! "How far a learner could go"). Unset, nothing is written.

use std::path::PathBuf;

use polars::prelude::*;

/// The environment variable naming the folder.
pub const FRAMES_VAR: &str = "TILSYN_FRAMES";

/// Writes `frame` as `<name>.parquet` into the folder `TILSYN_FRAMES` names,
/// if it is set; the extra columns are appended first.
pub fn keep(name: &str, frame: &DataFrame, extra: Vec<Column>) -> PolarsResult<()> {
    let Some(dir) = std::env::var_os(FRAMES_VAR).filter(|d| !d.is_empty()) else {
        return Ok(());
    };
    let mut out = frame.clone();
    for c in extra {
        out.with_column(c)?;
    }
    let path = PathBuf::from(dir).join(format!("{name}.parquet"));
    let file = std::fs::File::create(&path).map_err(
        |e| polars_err!(ComputeError: "{}: cannot write the {name} frame: {e}", path.display()),
    )?;
    ParquetWriter::new(file).finish(&mut out)?;
    Ok(())
}
