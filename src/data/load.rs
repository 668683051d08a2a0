//! Loading a data folder: finds each canonical table's file, reads it in
//! whatever dialect it came in, maps and recodes it, pseudonymises raw
//! personal identifiers, parses and validates every row, and builds one
//! typed polars frame per table. Rows that fail go to the rejects files with
//! their line, column and reason; files that cannot be used stop the load
//! with a [`DataError`]. The result carries a report of rows read, loaded
//! and rejected per table, and a fingerprint of the inputs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::DataError;
use super::dialect::Dialect;
use super::mapping::{ColumnSource, Mapping, TableMapping, glob_match};
use super::parse::{self, Decimal, Value};
use super::pseudonym::PseudonymKey;
use super::rejects::{RejectSample, RejectWriter};
use super::rows::{FieldSource, RowChecker, RowOut};
use super::schema::{ColType, ColumnSpec, ILO_INDICATORS, NON_ILO_FINDING, OUTCOMES, Table};
use super::source::{canonical_for, open_csv, open_parquet};
use super::validate::{Context, check_unique};

/// The name of the column that carries each row's source line.
pub const LINE_COLUMN: &str = "_line";
/// How many reject samples per table the report keeps for messages.
const SAMPLES_PER_TABLE: usize = 10;

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
    fn absent(table: Table) -> Self {
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
}

impl Dataset {
    /// A table's frame, if the table was present.
    pub fn get(&self, table: Table) -> Option<&DataFrame> {
        self.tables.get(&table)
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
    let rejects_dir = match &opts.rejects_dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!(
            "tilsyn-rejects-{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        )),
    };
    let mut hasher = Sha256::new();
    match (&preset, &mapping_path) {
        (Some((text, _)), _) => hasher.update(text.as_bytes()),
        (None, Some(p)) => hasher.update(std::fs::read(p).map_err(|source| DataError::Io {
            path: p.clone(),
            source,
        })?),
        (None, None) => {}
    }
    let mut indicators: HashSet<String> = ILO_INDICATORS
        .iter()
        .chain([&NON_ILO_FINDING])
        .map(|s| (*s).to_string())
        .collect();
    indicators.extend(opts.extra_indicators.iter().cloned());

    let mut ctx = Context {
        ids: HashMap::new(),
        company_ids: HashSet::new(),
        indicators,
        as_of_limit,
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
    })
}

/// One table's load: its frame, report, digest and whether rows were rejected
/// (`None` when the table is absent).
type LoadedTable = (Table, Option<(DataFrame, TableReport, Vec<u8>, bool)>);

/// The distinct values of a string column.
fn string_set(df: &DataFrame, column: &str) -> HashSet<String> {
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

/// A typed column under construction.
enum Builder {
    Str(StringChunkedBuilder),
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    Date(Vec<Option<i32>>),
}

impl Builder {
    fn new(spec: &ColumnSpec, capacity: usize) -> Self {
        match spec.ty {
            ColType::Str | ColType::Enum(_) => {
                Builder::Str(StringChunkedBuilder::new(spec.name.into(), capacity))
            }
            ColType::Int => Builder::Int(Vec::with_capacity(capacity)),
            ColType::Float | ColType::Amount => Builder::Float(Vec::with_capacity(capacity)),
            ColType::Bool => Builder::Bool(Vec::with_capacity(capacity)),
            ColType::Date | ColType::Month => Builder::Date(Vec::with_capacity(capacity)),
        }
    }

    fn push(&mut self, v: &Value) {
        match (self, v) {
            (Builder::Str(b), Value::Str(s)) => b.append_value(s),
            (Builder::Str(b), _) => b.append_null(),
            (Builder::Int(b), Value::Int(x)) => b.push(Some(*x)),
            (Builder::Int(b), _) => b.push(None),
            (Builder::Float(b), v) => b.push(v.as_f64()),
            (Builder::Bool(b), Value::Bool(x)) => b.push(Some(*x)),
            (Builder::Bool(b), _) => b.push(None),
            (Builder::Date(b), Value::Date(x)) => b.push(Some(*x)),
            (Builder::Date(b), _) => b.push(None),
        }
    }

    fn finish(self, name: &str) -> PolarsResult<Column> {
        let name: PlSmallStr = name.into();
        Ok(match self {
            Builder::Str(b) => b.finish().into_series().into(),
            Builder::Int(v) => Column::new(name, v),
            Builder::Float(v) => Column::new(name, v),
            Builder::Bool(v) => Column::new(name, v),
            Builder::Date(v) => Column::new(name, v).cast(&DataType::Date)?,
        })
    }
}

/// Where one table's load writes: its rejects, the digest of its file, and
/// the progress stage that counts its rows.
struct TableIo<'a> {
    rejects: &'a mut RejectWriter,
    hasher: &'a mut Sha256,
    stage: &'a crate::progress::Stage,
}

/// Rows read, then checked in parallel, at a time.
const BATCH_ROWS: usize = 1 << 16;

fn load_table(
    table: Table,
    path: &Path,
    tm: &TableMapping,
    opts: &LoadOptions,
    ctx: &Context,
    io: TableIo<'_>,
) -> Result<(DataFrame, TableReport), DataError> {
    let TableIo {
        rejects,
        hasher,
        stage,
    } = io;
    let is_parquet = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    let source = if is_parquet {
        open_parquet(table, path, tm, hasher)?
    } else {
        open_csv(path, tm, hasher)?
    };
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let specs = table.columns();

    // The headers as a message may show them: when none is a known header
    // the first line is probably data (a file without a header row), and
    // data may be personal, so only the count is shown.
    let shown_headers = if source
        .headers
        .iter()
        .any(|h| canonical_for(table, tm, h).is_some())
    {
        source.headers.join(", ")
    } else {
        format!(
            "{} column(s), none of them a header of `{}`: does the file start with a header row? Its values are not shown, as they may be personal data",
            source.headers.len(),
            table.name()
        )
    };
    // Resolve where each canonical column comes from.
    let mut used = vec![false; source.headers.len()];
    let mut sources = Vec::with_capacity(specs.len());
    let mut absent_columns = Vec::new();
    for spec in specs {
        let idx = source
            .headers
            .iter()
            .position(|h| canonical_for(table, tm, h).is_some_and(|s| s.name == spec.name));
        if let Some(ColumnSource::Joined(wanted)) = tm.columns.get(spec.name) {
            let mut idxs = Vec::with_capacity(wanted.len());
            for w in wanted {
                let Some(i) = source
                    .headers
                    .iter()
                    .position(|h| h.trim().eq_ignore_ascii_case(w.trim()))
                else {
                    return Err(DataError::MissingColumn {
                        path: path.to_path_buf(),
                        table: table.name(),
                        column: spec.name,
                        found: shown_headers.clone(),
                        hint: format!(
                            "The mapping file makes '{}' of the headers {wanted:?}, and the file has no \"{w}\"; correct the header name in the mapping.",
                            spec.name
                        ),
                    });
                };
                used[i] = true;
                idxs.push(i);
            }
            sources.push(FieldSource::Joined(idxs));
            continue;
        }
        let src = match (idx, tm.constants.get(spec.name)) {
            (Some(i), _) => {
                used[i] = true;
                FieldSource::Index(i)
            }
            (None, Some(c)) => FieldSource::Constant(c.clone()),
            (None, None) if spec.required => {
                let found = shown_headers.clone();
                let hint = if source.headers.len() == 1 {
                    "The header has a single column: is the delimiter one of ',', ';' or tab? Set `delimiter` in tilsyn.toml if it is another.".to_string()
                } else {
                    format!(
                        "Rename the column in the file, or map it in tilsyn.toml: [tables.{}.columns] {} = \"<source header>\".",
                        table.name(),
                        spec.name
                    )
                };
                return Err(DataError::MissingColumn {
                    path: path.to_path_buf(),
                    table: table.name(),
                    column: spec.name,
                    found: if found.is_empty() {
                        "no columns".into()
                    } else {
                        found
                    },
                    hint,
                });
            }
            (None, None) => {
                if let Some(wanted) = tm.columns.get(spec.name) {
                    return Err(DataError::MissingColumn {
                        path: path.to_path_buf(),
                        table: table.name(),
                        column: spec.name,
                        found: shown_headers.clone(),
                        hint: format!(
                            "The mapping file maps '{}' to the header \"{wanted}\", which the file does not have; correct the header name in tilsyn.toml.",
                            spec.name
                        ),
                    });
                }
                absent_columns.push(spec.name.to_string());
                FieldSource::Missing
            }
        };
        sources.push(src);
    }
    // A blank municipality code is derived from the postcode (rows.rs).
    if table == Table::Sites
        && sources
            .get(
                specs
                    .iter()
                    .position(|s| s.name == "postcode")
                    .unwrap_or(usize::MAX),
            )
            .is_some_and(|s| !matches!(s, FieldSource::Missing))
    {
        absent_columns.retain(|c| c != "municipality_code");
    }
    let ignored_columns: Vec<String> = source
        .headers
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(h, _)| h.clone())
        .collect();

    // Raw personal identifiers: hash them, and refuse them without a key.
    let to_hash: Vec<bool> = specs
        .iter()
        .map(|s| tm.pseudonymise.iter().any(|p| p == s.name))
        .collect();
    if to_hash.iter().any(|b| *b) && opts.pseudonym_key.is_none() {
        let cols: Vec<String> = specs
            .iter()
            .zip(&to_hash)
            .filter(|(_, h)| **h)
            .map(|(s, _)| format!("'{}'", s.name))
            .collect();
        return Err(DataError::PseudonymKeyMissing {
            path: path.to_path_buf(),
            columns: cols.join(", "),
        });
    }

    let col_names: Vec<&str> = specs.iter().map(|s| s.name).collect();
    let mut builders: Vec<Builder> = specs.iter().map(|s| Builder::new(s, 1024)).collect();
    let mut lines: Vec<i64> = Vec::new();
    let mut seen_keys: HashMap<String, u64> = HashMap::new();
    // With `fold`, kept rows wait here (a later row may still add to them).
    let mut folded: Option<Vec<Vec<Value>>> = tm.fold.then(Vec::new);
    let key_idx = table
        .unique_key()
        .and_then(|k| specs.iter().position(|s| s.name == k));
    let mut report = TableReport::absent(table);
    report.status = TableStatus::Loaded;
    report.file = Some(path.to_path_buf());
    report.dialect = source.dialect.clone();
    report.ignored_columns = ignored_columns;
    report.absent_columns = absent_columns;

    let checker = RowChecker {
        table,
        path,
        specs,
        sources: &sources,
        tm,
        to_hash: &to_hash,
        key: opts.pseudonym_key.as_ref(),
        key_idx,
        ctx,
        n_headers: (!is_parquet).then_some(source.headers.len()),
        decimal: if is_parquet {
            Decimal::Point
        } else {
            tm.decimal
        },
    };
    // Rows are read in batches; each batch is mapped and checked on every
    // core, then merged in line order: the unique-key check, the rejects
    // file and the typed columns see the rows exactly as one thread would.
    let mut rows = source.rows;
    let mut batch: Vec<(u64, csv::StringRecord)> = Vec::with_capacity(BATCH_ROWS);
    loop {
        batch.clear();
        let mut read_error = None;
        while batch.len() < BATCH_ROWS {
            match rows.next() {
                Some(Ok(row)) => batch.push(row),
                Some(Err(e)) => {
                    read_error = Some(e);
                    break;
                }
                None => break,
            }
        }
        let outs: Vec<Result<RowOut, DataError>> = batch
            .par_iter()
            .with_min_len(1024)
            .map(|(line, record)| checker.check(*line, record))
            .collect();
        for ((line, record), out) in batch.iter().zip(outs) {
            let line = *line;
            report.rows_read += 1;
            let (fields, (column, reason)) = match out? {
                RowOut::Ignored => {
                    report.rows_ignored += 1;
                    continue;
                }
                RowOut::Rejected(fields, failure) => (fields, failure),
                RowOut::Parsed { values, key, late } => {
                    // Folding: a later row of a record already kept adds
                    // to it instead of being a duplicate.
                    if let (Some(folded), Some(text), None) = (folded.as_mut(), &key, &late)
                        && let Some(&at) = seen_keys.get(text)
                    {
                        fold_into(&mut folded[at as usize], values, specs);
                        report.rows_folded += 1;
                        continue;
                    }
                    let dup = match (key_idx, &key) {
                        (Some(k), Some(text))
                            if folded.is_none() && seen_keys.contains_key(text) =>
                        {
                            let fields = checker.fields(line, record)?;
                            check_unique(specs, &fields, k, &seen_keys)
                                .err()
                                .map(|f| (fields, f))
                        }
                        _ => None,
                    };
                    match (dup, late) {
                        (Some(rejected), _) => rejected,
                        (None, Some(failure)) => (checker.fields(line, record)?, failure),
                        (None, None) => {
                            match folded.as_mut() {
                                Some(rows) => {
                                    if let Some(key) = key {
                                        // Folded tables keep the row's index, not its line.
                                        seen_keys.insert(key, rows.len() as u64);
                                    }
                                    rows.push(values);
                                }
                                None => {
                                    if let Some(key) = key {
                                        seen_keys.insert(key, line);
                                    }
                                    for (b, v) in builders.iter_mut().zip(&values) {
                                        b.push(v);
                                    }
                                }
                            }
                            lines.push(line as i64);
                            report.rows_loaded += 1;
                            continue;
                        }
                    }
                }
            };
            report.rows_rejected += 1;
            let sample = RejectSample {
                file: file_name.clone(),
                line,
                column,
                reason,
            };
            // Personal columns are never written raw, not even here.
            let fields: Vec<String> = fields
                .iter()
                .zip(specs)
                .map(|(v, spec)| {
                    let free_text = super::mask::FREE_TEXT.contains(&(table, spec.name));
                    if spec.person_id {
                        super::pseudonym::shown_in_rejects(v)
                    } else if free_text && !v.is_empty() {
                        // Notes may name anyone: never copied, the line finds them.
                        "[free text: withheld]".to_string()
                    } else {
                        v.clone()
                    }
                })
                .collect();
            rejects.write(table, &col_names, &sample, &fields)?;
            if report.samples.len() < SAMPLES_PER_TABLE {
                report.samples.push(sample);
            }
        }
        stage.add(batch.len() as u64);
        if let Some(e) = read_error {
            return Err(e);
        }
        if batch.len() < BATCH_ROWS {
            break;
        }
    }
    if report.rows_read == 0 && table.required() {
        return Err(DataError::NoRows {
            path: path.to_path_buf(),
            table: table.name(),
        });
    }
    let polars_err = |source| DataError::Polars {
        path: path.to_path_buf(),
        source,
    };
    for row in folded.unwrap_or_default() {
        for (b, v) in builders.iter_mut().zip(&row) {
            b.push(v);
        }
    }
    let mut columns = Vec::with_capacity(specs.len() + 1);
    for (b, spec) in builders.into_iter().zip(specs) {
        columns.push(b.finish(spec.name).map_err(polars_err)?);
    }
    columns.push(Column::new(LINE_COLUMN.into(), lines));
    let df = DataFrame::new(report.rows_loaded, columns).map_err(polars_err)?;
    Ok((df, report))
}

/// Folds a later row of a record into the row kept for it: an outcome
/// takes the more serious of the two, any other column keeps the first
/// value and fills a blank from the later row.
fn fold_into(kept: &mut [Value], later: Vec<Value>, specs: &[ColumnSpec]) {
    for ((k, v), spec) in kept.iter_mut().zip(later).zip(specs) {
        let take = match (&*k, &v, spec.ty) {
            (Value::Null, _, _) => true,
            (Value::Str(a), Value::Str(b), ColType::Enum(values)) if values == OUTCOMES => {
                let rank = |x: &str| values.iter().position(|o| *o == x);
                rank(b) > rank(a)
            }
            _ => false,
        };
        if take {
            *k = v;
        }
    }
}

/// An empty typed frame of a table (all canonical columns and `_line`).
pub fn empty_frame(table: Table) -> PolarsResult<DataFrame> {
    let mut columns = Vec::new();
    for spec in table.columns() {
        columns.push(Builder::new(spec, 0).finish(spec.name)?);
    }
    columns.push(Column::new(LINE_COLUMN.into(), Vec::<i64>::new()));
    DataFrame::new(0, columns)
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
        })
    }
}
