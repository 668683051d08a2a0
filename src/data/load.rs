//! Loading a data folder: finds each canonical table's file, reads it in
//! whatever dialect it came in, maps and recodes it, pseudonymises raw
//! personal identifiers, parses and validates every row, and builds one
//! typed polars frame per table. Rows that fail go to the rejects files with
//! their line, column and reason; files that cannot be used stop the load
//! with a [`DataError`]. The result carries a report of rows read, loaded
//! and rejected per table, and a fingerprint of the inputs.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::DataError;
use super::codes::StoredCodes;
use super::dialect::Dialect;
use super::frame::{TableIo, empty_frame, load_table};
use super::mapping::{Mapping, TableMapping, glob_match};
use super::parse;
use super::pseudonym::PseudonymKey;
use super::rejects::{RejectSample, RejectWriter};
use super::schema::{ILO_INDICATORS, NON_ILO_FINDING, Table};
use super::validate::Context;

/// The name of the column that carries each row's source line.
pub const LINE_COLUMN: &str = "_line";
/// How many reject samples per table the report keeps for messages.
pub(super) const SAMPLES_PER_TABLE: usize = 10;

/// How to load a folder.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// A mapping file; default `tilsyn.toml` in the folder if present.
    pub mapping: Option<PathBuf>,
    /// A bundled mapping by name ([`super::mapping::PRESETS`]); wins over
    /// a `tilsyn.toml` in the folder.
    pub preset: Option<String>,
    /// Records dated after this day are rejected; default today.
    pub as_of: Option<NaiveDate>,
    /// Where rejects files go; default a new temporary folder (created only
    /// when a row is rejected).
    pub rejects_dir: Option<PathBuf>,
    /// The pseudonymisation key (from `TILSYN_PSEUDONYM_KEY`).
    pub pseudonym_key: Option<PseudonymKey>,
    /// Indicator ids accepted in `findings` and `tips` besides the 11 ILO ids.
    pub extra_indicators: Vec<String>,
}

/// Whether a table was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableStatus {
    /// Loaded from a file.
    Loaded,
    /// No file: its indicators are not assessable.
    Absent,
}

/// What happened to one table.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TableReport {
    /// The table.
    #[serde(deserialize_with = "canonical_table_name")]
    pub table: TableName,
    /// Loaded or absent.
    pub status: TableStatus,
    /// The file it came from.
    pub file: Option<PathBuf>,
    /// The dialect detected (CSV only).
    pub dialect: Option<Dialect>,
    /// Data rows in the file.
    pub rows_read: usize,
    /// Rows loaded.
    pub rows_loaded: usize,
    /// Rows rejected (written to the rejects file).
    pub rows_rejected: usize,
    /// Rows folded into an earlier row with the same key (the mapping's
    /// `fold`: one record written over several rows).
    #[serde(default)]
    pub rows_folded: usize,
    /// Rows skipped because a column held a value the mapping's `ignore`
    /// names.
    #[serde(default)]
    pub rows_ignored: usize,
    /// Source columns not used (no canonical column maps to them).
    pub ignored_columns: Vec<String>,
    /// Optional canonical columns the file does not have (all missing).
    pub absent_columns: Vec<String>,
    /// The first few rejects, for messages.
    pub samples: Vec<RejectSample>,
}

impl TableReport {
    /// The report of a table with no file.
    pub(super) fn absent(table: Table) -> Self {
        TableReport {
            table: table.name(),
            status: TableStatus::Absent,
            file: None,
            dialect: None,
            rows_read: 0,
            rows_loaded: 0,
            rows_rejected: 0,
            rows_folded: 0,
            rows_ignored: 0,
            ignored_columns: Vec::new(),
            absent_columns: Vec::new(),
            samples: Vec::new(),
        }
    }
}

/// A canonical table's name. (Named so that serde reads it back through
/// [`canonical_table_name`] instead of borrowing it from the input.)
pub type TableName = &'static str;

/// Reads a table name back as the canonical `&'static` name (reports are
/// read back from the manifest of an imported folder).
fn canonical_table_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let name = <String as serde::Deserialize>::deserialize(d)?;
    Table::from_name(&name)
        .map(Table::name)
        .ok_or_else(|| serde::de::Error::custom(format!("`{name}` is not a canonical table")))
}

/// The report of a whole load.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct LoadReport {
    /// The data folder.
    pub data_dir: PathBuf,
    /// The mapping file used, if any.
    pub mapping: Option<PathBuf>,
    /// Records after this day were rejected.
    pub as_of_limit: NaiveDate,
    /// One entry per canonical table, in load order.
    pub tables: Vec<TableReport>,
    /// The rejects folder, when any row was rejected.
    pub rejects_dir: Option<PathBuf>,
    /// SHA-256 over the input files and the mapping.
    pub fingerprint: String,
    /// When the folder was written by `tilsyn import`: the folder whose
    /// files were parsed and checked. The table reports, the as-of limit,
    /// the mapping and the fingerprint are those of that load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported_from: Option<PathBuf>,
}

impl LoadReport {
    /// Total rows rejected.
    pub fn total_rejected(&self) -> usize {
        self.tables.iter().map(|t| t.rows_rejected).sum()
    }

    /// The report of one table.
    pub fn table(&self, table: Table) -> Option<&TableReport> {
        self.tables.iter().find(|t| t.table == table.name())
    }

    /// Tables loaded from a file that holds no row (after rejects): their
    /// indicators are unknown at every site, which a user should be told.
    pub fn empty_tables(&self) -> Vec<&TableReport> {
        self.tables
            .iter()
            .filter(|t| t.status == TableStatus::Loaded && t.rows_loaded == 0)
            .collect()
    }
}

/// A loaded folder: one typed frame per table present.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Frames by table; every canonical column is present with its type
    /// (all-null where the file lacked an optional column), plus `_line`.
    pub tables: BTreeMap<Table, DataFrame>,
    /// What happened.
    pub report: LoadReport,
    /// The id codes an import stored beside its tables (empty for a folder
    /// of exports); see [`super::codes`].
    pub codes: StoredCodes,
}

impl Dataset {
    /// A table's frame, if the table was present.
    pub fn get(&self, table: Table) -> Option<&DataFrame> {
        self.tables.get(&table)
    }

    /// Keeps only the listed tables, and of each only the listed columns
    /// (those it has), to free memory once a step needs no more (the load
    /// report still describes the whole load).
    pub fn keep_only_columns(&mut self, keep: &[(Table, &[&str])]) -> PolarsResult<()> {
        self.tables.retain(|t, _| keep.iter().any(|(k, _)| k == t));
        self.codes
            .retain(|t, c| keep.iter().any(|(k, cols)| *k == t && cols.contains(&c)));
        for (table, columns) in keep {
            if let Some(df) = self.tables.get_mut(table) {
                let names: Vec<&str> = columns
                    .iter()
                    .copied()
                    .filter(|c| df.schema().contains(c))
                    .collect();
                *df = df.select(names)?;
            }
        }
        Ok(())
    }

    /// Whether a table was present.
    pub fn has(&self, table: Table) -> bool {
        self.tables.contains_key(&table)
    }

    /// Whether a table holds rows: present with no row (a header-only
    /// file) says nothing about any site, so its indicators are unknown.
    pub fn has_rows(&self, table: Table) -> bool {
        self.tables.get(&table).is_some_and(|df| df.height() > 0)
    }

    /// The tables whose indicators can be assessed: present and not empty.
    pub fn assessable_tables(&self) -> Vec<Table> {
        self.tables
            .iter()
            .filter(|(_, df)| df.height() > 0)
            .map(|(t, _)| *t)
            .collect()
    }

    /// The latest event date in the data (inspections, tips, payroll months,
    /// permit and posting starts): the natural as-of date of the data set.
    pub fn latest_event_date(&self) -> Option<NaiveDate> {
        let mut latest: Option<i32> = None;
        for (table, df) in &self.tables {
            for col in table.event_date_columns() {
                if *table == Table::Sites {
                    continue; // a founding date is not an event of the data set
                }
                let max = df.column(col).ok().and_then(|c| {
                    c.as_materialized_series()
                        .to_physical_repr()
                        .i32()
                        .ok()
                        .and_then(|ca| ca.max())
                });
                latest = latest.max(max);
            }
        }
        latest.map(parse::from_days)
    }
}

/// Loads every canonical table found in `dir`.
///
/// A folder written by `tilsyn import` (it holds `tilsyn-import.json`) is
/// read from its Parquet files instead, with no cell parsed or checked again
/// (see [`super::import`]): the mapping, rejects folder, pseudonymisation key
/// and extra indicators of `opts` were applied by the import and are not
/// used, and the import's as-of limit stands for `opts.as_of` (no row dated
/// after it exists; an earlier `opts.as_of` drops nothing, so import again
/// with that `--as-of` to reject those rows).
///
/// Free-text columns are masked for CPR numbers, document numbers, e-mail
/// addresses and phone numbers ([`super::mask`]).
pub fn load_folder(dir: &Path, opts: &LoadOptions) -> Result<Dataset, DataError> {
    let mut ds = read_folder(dir, opts)?;
    // Free text is masked whatever the source (a folder imported before
    // masking existed included), so nothing downstream sees it raw.
    for (table, df) in std::mem::take(&mut ds.tables) {
        let df = super::mask::free_text(table, df).map_err(|source| DataError::Polars {
            path: dir.join(table.name()),
            source,
        })?;
        ds.tables.insert(table, df);
    }
    Ok(ds)
}

fn read_folder(dir: &Path, opts: &LoadOptions) -> Result<Dataset, DataError> {
    if !dir.is_dir() {
        return Err(DataError::NotAFolder {
            path: dir.to_path_buf(),
        });
    }
    if super::import::is_imported(dir) {
        return super::import::read_import(dir);
    }
    let preset = match &opts.preset {
        Some(name) => Some(super::mapping::preset(name)?),
        None => None,
    };
    let mapping_path = match &preset {
        Some((_, m)) => m.path.clone(),
        None => opts.mapping.clone().or_else(|| {
            let p = dir.join("tilsyn.toml");
            p.is_file().then_some(p)
        }),
    };
    let mapping = match (&preset, &mapping_path) {
        (Some((_, m)), _) => m.clone(),
        (None, Some(p)) => Mapping::from_file(p)?,
        (None, None) => Mapping::default(),
    };
    let as_of_limit = opts
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    // Rejected rows are input rows: the folder is private (created 0700 on
    // first use), and the default one under the system temp folder has a
    // name nobody can predict.
    let rejects_dir = rejects_dir(opts);
    let mut hasher = Sha256::new();
    match (&preset, &mapping_path) {
        (Some((text, _)), _) => hasher.update(text.as_bytes()),
        (None, Some(p)) => hasher.update(std::fs::read(p).map_err(|source| DataError::Io {
            path: p.clone(),
            source,
        })?),
        (None, None) => {}
    }
    let mut ctx = Context {
        ids: HashMap::new(),
        company_ids: PlHashSet::new(),
        indicators: indicator_ids(opts),
        as_of_limit,
        check_references: true,
    };
    let mut tables = BTreeMap::new();
    let mut reports: BTreeMap<Table, TableReport> = BTreeMap::new();
    let mut digests: BTreeMap<Table, Vec<u8>> = BTreeMap::new();
    let mut any_rejects = false;
    // Tables in one stage depend only on earlier stages (their references),
    // so each stage loads its tables in parallel.
    let stages: [&[Table]; 3] = [
        &[Table::Sites],
        &[
            Table::Permits,
            Table::Postings,
            Table::Payroll,
            Table::Residences,
            Table::Inspections,
            Table::Tips,
            Table::Roles,
        ],
        &[Table::Findings],
    ];
    for stage in stages {
        let loaded: Vec<Result<LoadedTable, DataError>> = stage
            .par_iter()
            .map(|&table| {
                let tm = mapping.table(table);
                let Some(path) = find_file(dir, table, &tm)? else {
                    if table.required() {
                        return Err(DataError::MissingTable {
                            dir: dir.to_path_buf(),
                            table: table.name(),
                        });
                    }
                    return Ok((table, None));
                };
                let mut rejects = RejectWriter::new(rejects_dir.clone());
                let mut hasher = Sha256::new();
                let stage = crate::progress::stage(format!("load {}", table.name()));
                let io = TableIo {
                    rejects: &mut rejects,
                    hasher: &mut hasher,
                    stage: &stage,
                };
                let (df, report) = load_table(table, &path, &tm, opts, &ctx, io)?;
                let any = rejects.any();
                rejects.finish()?;
                Ok((table, Some((df, report, hasher.finalize().to_vec(), any))))
            })
            .collect();
        for result in loaded {
            let (table, found) = result?;
            let Some((df, report, digest, any)) = found else {
                reports.insert(table, TableReport::absent(table));
                continue;
            };
            any_rejects |= any;
            if let Some(key) = table.unique_key() {
                ctx.ids.insert(table, string_set(&df, key));
            }
            if table == Table::Sites {
                ctx.company_ids = string_set(&df, "company_id");
            }
            digests.insert(table, digest);
            tables.insert(table, df);
            reports.insert(table, report);
        }
    }
    for d in digests.values() {
        hasher.update(d);
    }
    let reports: Vec<TableReport> = Table::ALL
        .iter()
        .filter_map(|t| reports.remove(t))
        .collect();
    Ok(Dataset {
        tables,
        report: LoadReport {
            data_dir: dir.to_path_buf(),
            mapping: mapping_path,
            as_of_limit,
            tables: reports,
            rejects_dir: any_rejects.then_some(rejects_dir),
            fingerprint: hex::encode(hasher.finalize()),
            imported_from: None,
        },
        codes: StoredCodes::default(),
    })
}

/// The rejects folder of a load: the one asked for, or a new private one
/// under the system temp folder with a name nobody can predict (created
/// only when a row is rejected).
fn rejects_dir(opts: &LoadOptions) -> PathBuf {
    match &opts.rejects_dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!(
            "tilsyn-rejects-{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        )),
    }
}

/// The indicator ids accepted in `findings` and `tips`: the 11 ILO ids,
/// `other`, and the extra ids of the options.
fn indicator_ids(opts: &LoadOptions) -> PlHashSet<String> {
    let mut indicators: PlHashSet<String> = ILO_INDICATORS
        .iter()
        .chain([&NON_ILO_FINDING])
        .map(|s| (*s).to_string())
        .collect();
    indicators.extend(opts.extra_indicators.iter().cloned());
    indicators
}

/// One file of a canonical table, loaded on its own ([`load_file`]).
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// The typed frame: every canonical column, plus `_line`.
    pub frame: DataFrame,
    /// Rows read, loaded and rejected, with the first rejects as samples.
    pub report: TableReport,
    /// The rejects folder, when a row was rejected.
    pub rejects_dir: Option<PathBuf>,
}

/// Loads one file of a canonical table on its own, outside a data folder
/// (a file of pending permit applications, say), with the checks and the
/// pseudonymisation of a folder's load: canonical headers (no mapping),
/// CSV in any dialect or Parquet, personal identifiers replaced with the
/// key of `opts`, raw ones refused without it, every cell parsed and
/// checked, ids unique, rejected rows written to the rejects folder.
///
/// Two checks of a folder's load do not apply: references to other tables
/// (the file may name sites the folder does not hold) and dates after the
/// as-of date (an application starts in the future).
pub fn load_file(table: Table, path: &Path, opts: &LoadOptions) -> Result<LoadedFile, DataError> {
    if !path.is_file() {
        return Err(DataError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    let ctx = Context {
        ids: HashMap::new(),
        company_ids: PlHashSet::new(),
        indicators: indicator_ids(opts),
        as_of_limit: NaiveDate::MAX,
        check_references: false,
    };
    let mut rejects = RejectWriter::new(rejects_dir(opts));
    let mut hasher = Sha256::new();
    let stage = crate::progress::stage(format!("load {}", table.name()));
    let io = TableIo {
        rejects: &mut rejects,
        hasher: &mut hasher,
        stage: &stage,
    };
    let (frame, report) = load_table(table, path, &TableMapping::default(), opts, &ctx, io)?;
    let rejects_dir = rejects.any().then(|| rejects.dir().to_path_buf());
    rejects.finish()?;
    let frame = super::mask::free_text(table, frame).map_err(|source| DataError::Polars {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(LoadedFile {
        frame,
        report,
        rejects_dir,
    })
}

/// One table's load: its frame, report, digest and whether rows were rejected
/// (`None` when the table is absent).
type LoadedTable = (Table, Option<(DataFrame, TableReport, Vec<u8>, bool)>);

/// The distinct values of a string column.
fn string_set(df: &DataFrame, column: &str) -> PlHashSet<String> {
    df.column(column)
        .ok()
        .and_then(|c| {
            c.str()
                .ok()
                .map(|ca| ca.iter().flatten().map(str::to_string).collect())
        })
        .unwrap_or_default()
}

fn find_file(dir: &Path, table: Table, tm: &TableMapping) -> Result<Option<PathBuf>, DataError> {
    if let Some(f) = tm.file.as_deref().filter(|f| f.contains('*')) {
        // A pattern (a preset cannot know what the export was saved as):
        // exactly one file of the folder must match it.
        let mut found: Vec<String> = std::fs::read_dir(dir)
            .map_err(|source| DataError::Io {
                path: dir.to_path_buf(),
                source,
            })?
            .flatten()
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| glob_match(f, name))
            .collect();
        found.sort();
        return match found.as_slice() {
            [one] => Ok(Some(dir.join(one))),
            [] if !table.required() => Ok(None),
            _ => Err(DataError::Mapping {
                path: dir.to_path_buf(),
                message: format!(
                    "the mapping reads `{}` from the file matching \"{f}\", and {} files match{}; rename the export so that one does, or name it with `file` in tilsyn.toml",
                    table.name(),
                    found.len(),
                    if found.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", found.join(", "))
                    }
                ),
            }),
        };
    }
    if let Some(f) = &tm.file {
        let p = dir.join(f);
        return if p.is_file() {
            Ok(Some(p))
        } else {
            Err(DataError::Io {
                path: p,
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "named in the mapping file but not found",
                ),
            })
        };
    }
    let found: Vec<String> = ["csv", "csv.gz", "parquet"]
        .iter()
        .map(|ext| format!("{}.{ext}", table.name()))
        .filter(|name| dir.join(name).is_file())
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(dir.join(one))),
        [first, second, ..] => Err(DataError::AmbiguousTable {
            dir: dir.to_path_buf(),
            table: table.name(),
            first: first.clone(),
            second: second.clone(),
        }),
    }
}

impl Dataset {
    /// The name of a table's source file (`payroll.csv`), for citing a
    /// record as `file:line`; `<table>.csv` when the table has no file.
    pub fn source_file(&self, t: Table) -> String {
        self.report
            .table(t)
            .and_then(|r| r.file.as_ref())
            .and_then(|f| f.file_name())
            .map_or_else(
                || format!("{}.csv", t.name()),
                |f| f.to_string_lossy().into_owned(),
            )
    }

    /// A data set with every table present and empty: the feature schema
    /// with every feature computed (used to check catalogue rules).
    pub fn empty_all_tables() -> PolarsResult<Dataset> {
        let mut tables = BTreeMap::new();
        for t in Table::ALL {
            tables.insert(t, empty_frame(t)?);
        }
        Ok(Dataset {
            tables,
            report: LoadReport {
                data_dir: PathBuf::new(),
                mapping: None,
                as_of_limit: parse::epoch(),
                tables: Vec::new(),
                rejects_dir: None,
                fingerprint: String::new(),
                imported_from: None,
            },
            codes: StoredCodes::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy of the network fixture (every table but payroll and tips).
    fn network_copy() -> tempfile::TempDir {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/network");
        let dir = tempfile::tempdir().expect("tempdir");
        for table in Table::ALL {
            let name = format!("{}.csv", table.name());
            if src.join(&name).exists() {
                std::fs::copy(src.join(&name), dir.path().join(&name)).expect("copy");
            }
        }
        dir
    }

    fn fingerprint(dir: &Path) -> (String, usize) {
        let rejects = tempfile::tempdir().expect("tempdir");
        let opts = LoadOptions {
            rejects_dir: Some(rejects.path().to_path_buf()),
            pseudonym_key: Some(super::super::pseudonym::test_key()),
            ..Default::default()
        };
        let ds = load_folder(dir, &opts).expect("the network fixture loads");
        let rows = ds.report.tables.iter().map(|t| t.rows_loaded).sum();
        (ds.report.fingerprint, rows)
    }

    /// The fingerprint written out from its definition: SHA-256 over each
    /// table's SHA-256 of its file name and bytes, in table order.
    fn expected(dir: &Path) -> String {
        let mut all = Sha256::new();
        for table in Table::ALL {
            let name = format!("{}.csv", table.name());
            let Ok(bytes) = std::fs::read(dir.join(&name)) else {
                continue;
            };
            let mut one = Sha256::new();
            one.update(name.as_bytes());
            one.update(&bytes);
            all.update(one.finalize());
        }
        hex::encode(all.finalize())
    }

    #[test]
    fn the_fingerprint_is_the_digest_of_the_files_bytes() {
        let dir = network_copy();
        let (a, rows) = fingerprint(dir.path());
        assert_eq!(a, expected(dir.path()));
        assert_eq!(
            fingerprint(dir.path()).0,
            a,
            "the same files, the same fingerprint"
        );
        // The same rows in other bytes (a header in capitals) are other input.
        let permits = dir.path().join("permits.csv");
        let text = std::fs::read_to_string(&permits).expect("read");
        std::fs::write(&permits, text.replacen("permit_id", "PERMIT_ID", 1)).expect("write");
        let (b, rows_b) = fingerprint(dir.path());
        assert_eq!(rows_b, rows);
        assert_ne!(b, a);
        assert_eq!(b, expected(dir.path()));
    }
}
