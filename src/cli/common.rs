//! Arguments shared by the commands that read a data folder, and the
//! resolved load options they build.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::data::pseudonym::PseudonymKey;
use crate::data::{Dataset, LoadOptions, LoadReport, load_folder};

/// The bundled demo data set.
pub const DEMO_DIR: &str = "datasets/demo";

/// Where the data comes from.
#[derive(Debug, Clone, clap::Args)]
pub struct DataArgs {
    /// Folder of input tables (sites.csv, permits.csv, ...); default the bundled demo data.
    #[arg(long, short = 'd', value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Mapping file (default: tilsyn.toml in the data folder, if present).
    #[arg(long, value_name = "FILE", conflicts_with = "preset")]
    pub mapping: Option<PathBuf>,
    /// A bundled mapping for a public export format (see `tilsyn mapping --presets`), e.g. at-smiley.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Analysis date (YYYY-MM-DD): records after it are ignored by scoring and rejected on load.
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    pub as_of: Option<NaiveDate>,
    /// Folder for the rejects files (default: a temporary folder, printed when rows are rejected).
    #[arg(long, value_name = "DIR")]
    pub rejects: Option<PathBuf>,
}

/// Parses a `--as-of` style date.
pub fn parse_date_arg(s: &str) -> Result<NaiveDate, String> {
    crate::data::parse::parse_date(s)
}

impl DataArgs {
    /// The data folder: `--data`, or the demo folder.
    pub fn dir(&self) -> PathBuf {
        self.data.clone().unwrap_or_else(demo_dir)
    }

    /// Resolves the arguments into load options.
    pub fn load_options(&self) -> anyhow::Result<LoadOptions> {
        Ok(LoadOptions {
            mapping: self.mapping.clone(),
            preset: self.preset.clone(),
            as_of: self.as_of,
            rejects_dir: self.rejects.clone(),
            pseudonym_key: PseudonymKey::from_env()?,
            extra_indicators: Vec::new(),
        })
    }

    /// Loads the folder and prints a short notice of rejects on stderr.
    pub fn load(&self) -> anyhow::Result<Dataset> {
        let ds = load_folder(&self.dir(), &self.load_options()?)?;
        warn_load(&ds.report);
        Ok(ds)
    }
}

/// The demo folder: relative to the working directory when it exists
/// there, else next to the crate's manifest (for `cargo run` elsewhere).
pub fn demo_dir() -> PathBuf {
    let local = PathBuf::from(DEMO_DIR);
    if local.is_dir() {
        local
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEMO_DIR)
    }
}

/// Prints what a user must know of a load: tables that hold no row (their
/// indicators are unknown everywhere), and the rejected rows (a sample per
/// table) and where the rest are.
pub fn warn_load(report: &LoadReport) {
    for t in report.empty_tables() {
        let file = t
            .file
            .as_ref()
            .map_or_else(|| t.table.to_string(), |f| f.display().to_string());
        eprintln!(
            "warning: {file} holds no rows: `{}` is treated as not assessed, so its indicators are unknown at every site, not clear",
            t.table
        );
    }
    let total = report.total_rejected();
    if total == 0 {
        return;
    }
    if let Some(from) = &report.imported_from {
        eprintln!(
            "note: {total} row(s) of {} were rejected when it was imported; they are not in {}",
            from.display(),
            report.data_dir.display()
        );
        return;
    }
    for t in &report.tables {
        for s in &t.samples {
            eprintln!("rejected: {s}");
        }
        if t.rows_rejected > t.samples.len() {
            eprintln!(
                "rejected: ... and {} more rows of `{}`",
                t.rows_rejected - t.samples.len(),
                t.table
            );
        }
    }
    if let Some(dir) = &report.rejects_dir {
        eprintln!(
            "warning: {total} row(s) rejected; every one is in {} with its line, column and reason (the folder holds input rows as they were: it is readable by you only; delete it when done)",
            dir.display()
        );
    }
}

/// Arguments of the commands that score sites.
#[derive(Debug, Clone, clap::Args)]
pub struct ScoreArgs {
    #[command(flatten)]
    /// Where the data comes from.
    pub data: DataArgs,
    /// Indicator catalogue (default: the bundled models/indicators.toml).
    #[arg(long, value_name = "FILE")]
    pub catalogue: Option<PathBuf>,
    /// Model file (default: models/risk_model.json).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Scorer: the learned model, or the transparent rules baseline.
    #[arg(long, value_enum, default_value_t = Scorer::Model)]
    pub scorer: Scorer,
    /// Evidence older than this many days no longer counts (default: the catalogue's `[scoring] expire_days`, 1825 = 5 years).
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    pub expire_days: Option<u32>,
}

/// Which score ranks the sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scorer {
    /// Probability from the trained model × workers exposed, adjusted for recency and unacted tips.
    Model,
    /// Weighted sum of indicator strengths × workers exposed.
    Rules,
}

/// The bundled model file.
pub const MODEL_FILE: &str = "models/risk_model.json";

/// The default model file: in the working directory, else next to the manifest.
pub fn default_model() -> PathBuf {
    let local = PathBuf::from(MODEL_FILE);
    if local.is_file() {
        local
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(MODEL_FILE)
    }
}

impl ScoreArgs {
    /// Loads the catalogue named, or the bundled one, applies `--expire-days`, and compiles it.
    pub fn catalogue(&self) -> anyhow::Result<crate::indicators::CompiledCatalogue> {
        let mut cat = match &self.catalogue {
            Some(p) => crate::indicators::Catalogue::from_file(p)?,
            None => crate::indicators::Catalogue::bundled()?,
        };
        if let Some(days) = self.expire_days {
            cat.scoring.expire_days = f64::from(days);
        }
        Ok(crate::pipeline::compile(cat)?)
    }

    /// Loads the data and assesses every site. Records dated after today
    /// are rejected on load; `--as-of` only moves the analysis date, and
    /// records after it are ignored by the features, not rejected.
    pub fn score(&self) -> anyhow::Result<crate::pipeline::Scored> {
        let compiled = self.catalogue()?;
        let mut opts = self.data.load_options()?;
        opts.as_of = None;
        let scored =
            crate::pipeline::load_and_assess(&self.data.dir(), opts, compiled, self.data.as_of)?;
        warn_load(&scored.data.report);
        if self.scorer == Scorer::Rules {
            return Ok(scored);
        }
        let path = self.model.clone().unwrap_or_else(default_model);
        if self.model.is_none() && !path.is_file() {
            eprintln!(
                "note: no model at {}; ranking with the rules scorer (run `tilsyn train`)",
                path.display()
            );
            return Ok(scored);
        }
        let model = crate::model::ModelFile::load(&path)?;
        Ok(scored.with_model(model)?)
    }
}

/// Ends a command whose job is the load itself (`validate`, `import`): the
/// rejects notice on stderr, and exit code 1 when any row was rejected.
pub fn finish_load(report: &crate::data::LoadReport) -> std::process::ExitCode {
    warn_load(report);
    if report.total_rejected() > 0 {
        std::process::ExitCode::from(1)
    } else {
        std::process::ExitCode::SUCCESS
    }
}

/// Writes a report to `out` (and says so on stderr), or to stdout.
pub fn write_out(out: Option<&Path>, bytes: impl AsRef<[u8]>) -> anyhow::Result<()> {
    let bytes = bytes.as_ref();
    match out {
        Some(path) => {
            std::fs::write(path, bytes)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(bytes)?;
            stdout.flush()?;
        }
    }
    Ok(())
}
