//! Imported folders: what `tilsyn import` writes and how [`load_folder`]
//! reads it back. An import is a folder loaded once, every cell parsed and
//! every row checked as `load` does, then written as one typed Parquet file
//! per loaded table (`<table>.parquet`: the canonical columns with their
//! loaded types, and `_line` with each row's source line) and a manifest
//! (`tilsyn-import.json`: the format version, the tilsyn version, the
//! original load report and fingerprint, and per table its row count and the
//! SHA-256 of its file).
//!
//! Reading an import parses no cell and checks no row again. It trusts a
//! file only when its SHA-256 is the one in the manifest and its columns and
//! types are exactly the canonical ones; otherwise it stops with a
//! [`DataError`] that names the file and says to run `tilsyn import` again.
//! The data set read back carries the original fingerprint, so models and
//! audit entries match those of the original folder.
//!
//! [`load_folder`]: super::load_folder

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use polars::prelude::*;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::DataError;
use super::codes::StoredCodes;
use super::frame::empty_frame;
use super::load::{Dataset, LoadReport, TableStatus};
use super::schema::Table;

/// The manifest's file name; a folder holding it is an imported folder.
pub const MANIFEST_FILE: &str = "tilsyn-import.json";

/// The version of the imported-folder format this tilsyn writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// What `tilsyn import` wrote, as recorded in `tilsyn-import.json`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// The format version ([`FORMAT_VERSION`] when written).
    pub format_version: u32,
    /// The version of tilsyn that wrote the folder.
    pub tilsyn_version: String,
    /// The fingerprint of the original inputs (SHA-256 over their files and
    /// the mapping), which the data set read back carries.
    pub fingerprint: String,
    /// One entry per table written, in load order.
    pub tables: Vec<ImportedTable>,
    /// The report of the load that was imported.
    pub report: LoadReport,
}

/// One table file of an imported folder.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ImportedTable {
    /// The table (`sites`).
    pub table: String,
    /// Its file in the folder (`sites.parquet`).
    pub file: String,
    /// Rows in the file.
    pub rows: usize,
    /// SHA-256 of the file's bytes, in hex.
    pub sha256: String,
}

/// The file of a table in an imported folder.
fn file_name(table: Table) -> String {
    format!("{}.parquet", table.name())
}

/// Whether `dir` is an imported folder (it holds the manifest).
pub fn is_imported(dir: &Path) -> bool {
    dir.join(MANIFEST_FILE).is_file()
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> DataError {
    let path = path.to_path_buf();
    move |source| DataError::ImportWrite { path, source }
}

/// Writes a loaded data set into `out` as an imported folder: one
/// `<table>.parquet` per loaded table, then the manifest. The manifest is
/// removed first and written last (through a temporary file), so a folder
/// whose writing stopped half-way is never taken for an import. Returns the
/// manifest written.
pub fn write_import(ds: &Dataset, out: &Path) -> Result<Manifest, DataError> {
    std::fs::create_dir_all(out).map_err(write_err(out))?;
    let manifest_path = out.join(MANIFEST_FILE);
    match std::fs::remove_file(&manifest_path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(DataError::ImportWrite {
                path: manifest_path,
                source,
            });
        }
    }
    // The id codes go beside the ids, so that a run on the import does not
    // code them again.
    let codes = StoredCodes::of_tables(&ds.tables).map_err(|source| DataError::ImportParquet {
        path: out.to_path_buf(),
        source,
    })?;
    let mut tables = Vec::with_capacity(ds.tables.len());
    for (table, df) in &ds.tables {
        let file = file_name(*table);
        let path = out.join(&file);
        let mut frame = codes
            .attach(*table, df)
            .map_err(|source| DataError::ImportParquet {
                path: path.clone(),
                source,
            })?;
        let mut bytes: Vec<u8> = Vec::new();
        ParquetWriter::new(&mut bytes)
            .with_compression(ParquetCompression::Zstd(None))
            .finish(&mut frame)
            .map_err(|source| DataError::ImportParquet {
                path: path.clone(),
                source,
            })?;
        std::fs::write(&path, &bytes).map_err(write_err(&path))?;
        tables.push(ImportedTable {
            table: table.name().to_string(),
            file,
            rows: df.height(),
            sha256: hex::encode(Sha256::digest(&bytes)),
        });
    }
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        tilsyn_version: env!("CARGO_PKG_VERSION").to_string(),
        fingerprint: ds.report.fingerprint.clone(),
        tables,
        report: ds.report.clone(),
    };
    let mut json = serde_json::to_vec_pretty(&manifest).map_err(|e| DataError::ImportWrite {
        path: manifest_path.clone(),
        source: std::io::Error::other(e),
    })?;
    json.push(b'\n');
    let tmp = out.join(format!("{MANIFEST_FILE}.tmp"));
    std::fs::write(&tmp, &json).map_err(write_err(&tmp))?;
    std::fs::rename(&tmp, &manifest_path).map_err(write_err(&manifest_path))?;
    Ok(manifest)
}

/// Reads the manifest of an imported folder, refusing one of another
/// format version.
pub fn read_manifest(dir: &Path) -> Result<Manifest, DataError> {
    let path = dir.join(MANIFEST_FILE);
    let bytes = std::fs::read(&path).map_err(|source| DataError::Io {
        path: path.clone(),
        source,
    })?;
    let bad = |message: String| DataError::ImportManifest {
        path: path.clone(),
        message,
    };
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("not readable JSON: {e}")))?;
    match value
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(v) if v == u64::from(FORMAT_VERSION) => {}
        Some(v) => {
            let by = value
                .get("tilsyn_version")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("?");
            return Err(bad(format!(
                "the folder was imported in format version {v} (by tilsyn {by}); this tilsyn ({}) reads format version {FORMAT_VERSION}",
                env!("CARGO_PKG_VERSION")
            )));
        }
        None => {
            return Err(bad(
                "no `format_version`: not a manifest written by `tilsyn import`".into(),
            ));
        }
    }
    serde_json::from_value(value).map_err(|e| bad(format!("not a valid manifest: {e}")))
}

/// Reads an imported folder into a [`Dataset`] without parsing or checking
/// a cell: each `<table>.parquet` must have the SHA-256 the manifest
/// records, its row count, and exactly the canonical columns and types. The
/// report is the original load's (its tables, as-of limit, mapping and
/// fingerprint), with `data_dir` this folder, `imported_from` the folder
/// the rows were loaded from, and no rejects folder.
pub fn read_import(dir: &Path) -> Result<Dataset, DataError> {
    let manifest = read_manifest(dir)?;
    let manifest_path = dir.join(MANIFEST_FILE);
    let bad = |message: String| DataError::ImportManifest {
        path: manifest_path.clone(),
        message,
    };
    let stored = &manifest.report;
    let origin = stored
        .imported_from
        .clone()
        .unwrap_or_else(|| stored.data_dir.clone());

    let mut entries: Vec<(Table, &ImportedTable)> = Vec::with_capacity(manifest.tables.len());
    for entry in &manifest.tables {
        let table = Table::from_name(&entry.table)
            .ok_or_else(|| bad(format!("`{}` is not a canonical table", entry.table)))?;
        if entry.file != file_name(table) {
            return Err(bad(format!(
                "the `{table}` table must be in {}, not {}",
                file_name(table),
                entry.file
            )));
        }
        if entries.iter().any(|(t, _)| *t == table) {
            return Err(bad(format!("the `{table}` table is listed twice")));
        }
        entries.push((table, entry));
    }
    let frames: Vec<(Table, DataFrame, StoredCodes)> = entries
        .par_iter()
        .map(|(table, entry)| {
            read_table(*table, dir, &origin, entry).map(|(df, codes)| (*table, df, codes))
        })
        .collect::<Result<_, DataError>>()?;
    let mut tables: BTreeMap<Table, DataFrame> = BTreeMap::new();
    let mut codes = StoredCodes::default();
    for (table, df, stored) in frames {
        codes.extend(stored);
        tables.insert(table, df);
    }

    // The report and the table list must agree, table by table.
    let mut reports = Vec::with_capacity(stored.tables.len());
    for report in &stored.tables {
        let report = report.clone();
        let table = Table::from_name(report.table)
            .ok_or_else(|| bad(format!("`{}` is not a canonical table", report.table)))?;
        let listed = entries.iter().find(|(e, _)| *e == table).map(|(_, e)| e);
        let agree = match (report.status, listed) {
            (TableStatus::Loaded, Some(e)) => e.rows == report.rows_loaded,
            (TableStatus::Absent, None) => true,
            _ => false,
        };
        if !agree {
            return Err(bad(format!(
                "the report and the table list disagree about the `{table}` table"
            )));
        }
        reports.push(report);
    }
    for (table, _) in &entries {
        if !reports.iter().any(|r| r.table == table.name()) {
            return Err(bad(format!("the report has no `{table}` table")));
        }
    }
    if !tables.contains_key(&Table::Sites) {
        return Err(bad("no `sites` table".into()));
    }
    Ok(Dataset {
        tables,
        report: LoadReport {
            data_dir: dir.to_path_buf(),
            mapping: stored.mapping.clone(),
            as_of_limit: stored.as_of_limit,
            tables: reports,
            rejects_dir: None,
            fingerprint: manifest.fingerprint.clone(),
            imported_from: Some(origin),
        },
        codes,
    })
}

/// Reads one table file of an imported folder and checks it against the
/// manifest and the canonical columns; the id codes stored beside them are
/// taken off the frame.
fn read_table(
    table: Table,
    dir: &Path,
    origin: &Path,
    entry: &ImportedTable,
) -> Result<(DataFrame, StoredCodes), DataError> {
    let path = dir.join(&entry.file);
    let changed = |reason: String| DataError::ImportChanged {
        path: path.clone(),
        reason,
        origin: origin.to_path_buf(),
        dir: dir.to_path_buf(),
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(changed("the file is missing".into()));
        }
        Err(source) => {
            return Err(DataError::Io {
                path: path.clone(),
                source,
            });
        }
    };
    let sha = hex::encode(Sha256::digest(&bytes));
    if !sha.eq_ignore_ascii_case(&entry.sha256) {
        return Err(changed(format!(
            "the file has changed since it was imported (its SHA-256 is {sha}; the manifest records {})",
            entry.sha256
        )));
    }
    let df = ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(|e| changed(format!("not a readable Parquet file: {e}")))?;
    if df.height() != entry.rows {
        return Err(changed(format!(
            "the file holds {} rows; the manifest records {}",
            df.height(),
            entry.rows
        )));
    }
    let mut codes = StoredCodes::default();
    let df = codes.split_off(table, df).map_err(changed)?;
    let mismatch = column_mismatch(table, &df).map_err(|source| DataError::Polars {
        path: path.clone(),
        source,
    })?;
    if let Some(reason) = mismatch {
        return Err(changed(reason));
    }
    Ok((df, codes))
}

/// What differs between a frame's columns and the canonical ones of
/// `table` (names, order and types, as `load` builds them), if anything.
fn column_mismatch(table: Table, df: &DataFrame) -> PolarsResult<Option<String>> {
    let expected = empty_frame(table)?;
    let want: Vec<(&str, &DataType)> = expected
        .columns()
        .iter()
        .map(|c| (c.name().as_str(), c.dtype()))
        .collect();
    let got: Vec<(&str, &DataType)> = df
        .columns()
        .iter()
        .map(|c| (c.name().as_str(), c.dtype()))
        .collect();
    if want == got {
        return Ok(None);
    }
    for (name, dtype) in &want {
        match got.iter().find(|(n, _)| n == name) {
            None => {
                return Ok(Some(format!(
                    "column '{name}' of the `{table}` table is missing"
                )));
            }
            Some((_, found)) if found != dtype => {
                return Ok(Some(format!(
                    "column '{name}' has type {found}, but the `{table}` table holds {dtype}"
                )));
            }
            Some(_) => {}
        }
    }
    if let Some((extra, _)) = got.iter().find(|(n, _)| !want.iter().any(|(w, _)| w == n)) {
        return Ok(Some(format!(
            "column '{extra}' is not a column of the `{table}` table"
        )));
    }
    let order: Vec<&str> = got.iter().map(|(n, _)| *n).collect();
    Ok(Some(format!(
        "the columns are not in the canonical order ({})",
        order.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::load::{LoadOptions, load_folder};

    const SITES: &str = "site_id,company_id,name,address,postcode,municipality_code,lat,lon,sector_code,employees,company_founded,legal_form,smiley
1000000001,31000001,Køge Byggeservice ApS,Søndre Allé 4,4600,259,55.4580,12.1821,41.20,12,2019-03-01,ApS,green
1000000002,31000002,Århus Rengøring I/S,Åboulevarden 17,8000,751,56.1567,10.2108,81.21,,,I/S,
";
    const PERMITS: &str = "permit_id,person_id,site_id,scheme,start_date,end_date,stated_monthly_pay_dkk,stated_weekly_hours,employer_housing,employer_bound,nationality
SIRI-2024-0001,pa1b2c3d4e5,1000000001,pay_limit,2024-02-01,2026-01-31,46000,37,false,false,UKR
SIRI-2025-0003,p99887766aa,1000000002,positive_list_skilled,2025-01-15,,32000,40,true,,NPL
";
    const PAYROLL: &str = "site_id,person_id,month,gross_pay_dkk,hours_paid,paid_to_own_account
1000000001,pa1b2c3d4e5,2026-04,45800.00,160.33,true
1000000002,p99887766aa,2026-05,31000,173,
";

    /// A small folder (sites, permits with an absent column, payroll)
    /// loaded as of 2026-06-30, and a folder it was imported into.
    fn imported() -> (tempfile::TempDir, tempfile::TempDir, Dataset) {
        let input = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("sites.csv", SITES),
            ("permits.csv", PERMITS),
            ("payroll.csv", PAYROLL),
        ] {
            std::fs::write(input.path().join(name), text).unwrap();
        }
        let opts = LoadOptions {
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 6, 30),
            rejects_dir: Some(input.path().join("rejects")),
            pseudonym_key: Some(crate::data::pseudonym::test_key()),
            ..LoadOptions::default()
        };
        let ds = load_folder(input.path(), &opts).unwrap();
        assert_eq!(ds.report.total_rejected(), 0, "{:#?}", ds.report);
        let out = tempfile::tempdir().unwrap();
        let manifest = write_import(&ds, out.path()).unwrap();
        assert_eq!(manifest.format_version, FORMAT_VERSION);
        assert_eq!(manifest.fingerprint, ds.report.fingerprint);
        assert_eq!(manifest.tables.len(), 3);
        (input, out, ds)
    }

    #[test]
    fn an_import_reads_back_to_equal_frames_and_the_original_report() {
        let (input, out, ds) = imported();
        assert!(is_imported(out.path()));
        assert!(!is_imported(input.path()));
        let back = load_folder(out.path(), &LoadOptions::default()).unwrap();
        assert_eq!(
            back.tables.keys().collect::<Vec<_>>(),
            ds.tables.keys().collect::<Vec<_>>()
        );
        for (t, df) in &ds.tables {
            let got = &back.tables[t];
            assert_eq!(got.dtypes(), df.dtypes(), "{t}");
            assert!(got.equals_missing(df), "{t}: wrote\n{df}\nread\n{got}");
        }
        // The id codes came back with the ids, as coding them again gives.
        assert!(ds.codes.is_empty());
        let fresh = StoredCodes::of_tables(&back.tables).unwrap();
        for kind in ["site_id", "person_id"] {
            let read = back.codes.valid_kind(kind, &back.tables).unwrap();
            let want = fresh.valid_kind(kind, &back.tables).unwrap();
            assert_eq!(read.len(), want.len(), "{kind}");
            for ((t, _, r), (_, _, w)) in read.iter().zip(&want) {
                assert!(
                    (*r).clone()
                        .into_series()
                        .equals_missing(&(*w).clone().into_series()),
                    "{kind} in {t}"
                );
            }
        }
        let (a, b) = (&ds.report, &back.report);
        assert_eq!(b.fingerprint, a.fingerprint);
        assert_eq!(b.as_of_limit, a.as_of_limit);
        assert_eq!(b.data_dir, out.path());
        assert_eq!(b.imported_from.as_deref(), Some(input.path()));
        assert_eq!(b.rejects_dir, None);
        assert_eq!(b.tables.len(), a.tables.len());
        for (x, y) in a.tables.iter().zip(&b.tables) {
            assert_eq!(
                (
                    x.table,
                    x.status,
                    x.rows_read,
                    x.rows_loaded,
                    x.rows_rejected
                ),
                (
                    y.table,
                    y.status,
                    y.rows_read,
                    y.rows_loaded,
                    y.rows_rejected
                )
            );
            assert_eq!(x.file, y.file);
            assert_eq!(x.absent_columns, y.absent_columns);
        }
    }

    #[test]
    fn a_changed_table_file_is_refused_naming_the_file() {
        let (_input, out, _ds) = imported();
        let path = out.path().join("permits.parquet");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.push(0);
        std::fs::write(&path, bytes).unwrap();
        let err = read_import(out.path()).unwrap_err();
        assert!(matches!(err, DataError::ImportChanged { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains("permits.parquet"), "{msg}");
        assert!(msg.contains("tilsyn import"), "{msg}");
    }

    #[test]
    fn another_format_version_is_refused() {
        let (_input, out, _ds) = imported();
        let path = out.path().join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.replacen("\"format_version\": 1", "\"format_version\": 99", 1);
        std::fs::write(&path, text).unwrap();
        let err = read_import(out.path()).unwrap_err();
        assert!(matches!(err, DataError::ImportManifest { .. }), "{err}");
        assert!(err.to_string().contains("format version 99"), "{err}");
    }
}
