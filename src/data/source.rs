//! Reading a table's file into rows of text with their source lines: CSV in
//! any of the dialects `dialect` detects, or Parquet with its column types
//! checked, and the mapping of source headers onto canonical columns.

use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;
use sha2::{Digest, Sha256};

use super::DataError;
use super::dialect::{self, Dialect};
use super::mapping::{ColumnSource, TableMapping};
use super::schema::{ColType, ColumnSpec, Table};

/// One data row: its source line and its text fields.
pub(super) type RowResult = Result<(u64, csv::StringRecord), DataError>;

/// A source of rows: header names and records of text fields with lines.
pub(super) struct Source {
    pub(super) headers: Vec<String>,
    /// (line, fields) per data row.
    pub(super) rows: Box<dyn Iterator<Item = RowResult> + Send>,
    pub(super) dialect: Option<Dialect>,
    /// Bytes of decoded text the rows come from (CSV only), to size the columns.
    pub(super) text_bytes: Option<usize>,
    /// The file's digest, still being computed beside the parsing (CSV);
    /// `None` when the caller's hasher already holds it.
    pub(super) digest: Option<std::thread::JoinHandle<Sha256>>,
}

/// Puts a [`Source`]'s digest in `hasher` once its thread has taken it
/// (nothing to do when there is none: the hasher already holds it).
pub(super) fn finish_digest(digest: Option<std::thread::JoinHandle<Sha256>>, hasher: &mut Sha256) {
    if let Some(handle) = digest {
        *hasher = handle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    }
}

/// A file's text for the CSV reader: the bytes as read (shared with the
/// thread that digests them), from an offset past a byte-order mark, or
/// text decoded from another encoding.
enum Text {
    Read(Arc<Vec<u8>>, usize),
    Decoded(Vec<u8>),
}

impl AsRef<[u8]> for Text {
    fn as_ref(&self) -> &[u8] {
        match self {
            Text::Read(bytes, from) => bytes.get(*from..).unwrap_or_default(),
            Text::Decoded(bytes) => bytes,
        }
    }
}

pub(super) fn open_csv(
    path: &Path,
    tm: &TableMapping,
    hasher: &mut Sha256,
) -> Result<Source, DataError> {
    let (bytes, gzip) = dialect::read_bytes(path)?;
    // The digest is taken on another thread while the rows are parsed (a
    // national payroll file is most of a gigabyte).
    let bytes = Arc::new(bytes);
    let digest = {
        let bytes = Arc::clone(&bytes);
        let mut hasher = hasher.clone();
        let tag = table_tag(path);
        std::thread::spawn(move || {
            hasher.update(tag);
            hasher.update(bytes.as_slice());
            hasher
        })
    };
    if tm.encoding == Some(dialect::Encoding::Utf8)
        && let Err(e) = std::str::from_utf8(
            bytes
                .strip_prefix(&[0xEF, 0xBB, 0xBF][..])
                .unwrap_or(&bytes),
        )
    {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        return Err(DataError::NotATable {
                path: path.to_path_buf(),
                line,
                reason: "the mapping says utf-8 but the file is not valid UTF-8; set encoding = \"latin-1\" (or \"auto\")".into(),
            });
    }
    // UTF-8 as it is (most files): the bytes read become the text, without
    // a copy of the whole file; after a BOM, the text starts past it.
    let (text, encoding) = match dialect::decode(&bytes, tm.encoding) {
        (std::borrow::Cow::Owned(t), encoding) => (Text::Decoded(t), encoding),
        (std::borrow::Cow::Borrowed(t), encoding) => {
            let skip = bytes.len() - t.len();
            (Text::Read(Arc::clone(&bytes), skip), encoding)
        }
    };
    drop(bytes);
    let text_bytes = Some(text.as_ref().len());
    if text.as_ref().iter().all(u8::is_ascii_whitespace) {
        return Err(DataError::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    if text.as_ref().contains(&0u8) {
        return Err(DataError::NotATable {
            path: path.to_path_buf(),
            line: 1,
            reason: "the file holds binary data (NUL bytes); export it as CSV or Parquet".into(),
        });
    }
    let delimiter = tm
        .delimiter
        .unwrap_or_else(|| dialect::sniff_delimiter(text.as_ref()) as u8);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        // CRLF files: end records at '\n' so line numbers stay true (the
        // stray '\r' is trimmed with the other whitespace).
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(std::io::Cursor::new(text));
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| DataError::NotATable {
            path: path.to_path_buf(),
            line: 1,
            reason: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let path_buf = path.to_path_buf();
    let rows = reader.into_records().map(move |r| match r {
        Ok(rec) => {
            let line = rec.position().map_or(0, |p| p.line());
            Ok((line, rec))
        }
        Err(e) => Err(DataError::NotATable {
            path: path_buf.clone(),
            line: e.position().map_or(0, |p| p.line()),
            reason: e.to_string(),
        }),
    });
    Ok(Source {
        headers,
        rows: Box::new(rows),
        dialect: Some(Dialect {
            encoding,
            delimiter: delimiter as char,
            gzip,
        }),
        text_bytes,
        digest: Some(digest),
    })
}

fn table_tag(path: &Path) -> Vec<u8> {
    path.file_name()
        .map(|n| n.to_string_lossy().as_bytes().to_vec())
        .unwrap_or_default()
}

pub(super) fn open_parquet(
    table: Table,
    path: &Path,
    tm: &TableMapping,
    hasher: &mut Sha256,
) -> Result<Source, DataError> {
    let bytes = std::fs::read(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    hasher.update(table_tag(path));
    hasher.update(&bytes);
    let df = ParquetReader::new(std::io::Cursor::new(bytes))
        .finish()
        .map_err(|e| DataError::NotATable {
            path: path.to_path_buf(),
            line: 0,
            reason: format!("not a Parquet file: {e}"),
        })?;
    let headers: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    // Check the type of every column that maps onto a canonical one.
    let mut text_cols: Vec<StringChunked> = Vec::with_capacity(headers.len());
    for h in &headers {
        let col = df.column(h).map_err(|source| DataError::Polars {
            path: path.to_path_buf(),
            source,
        })?;
        if let Some(spec) = canonical_for(table, tm, h) {
            let dt = col.dtype();
            let ok = match spec.ty {
                ColType::Str | ColType::Enum(_) => {
                    dt.is_primitive() || dt.is_string() || dt.is_categorical()
                }
                ColType::Int => dt.is_integer(),
                ColType::Float | ColType::Amount => dt.is_primitive_numeric(),
                ColType::Bool => dt == &DataType::Boolean || dt.is_string(),
                ColType::Date | ColType::Month => dt.is_temporal() || dt.is_string(),
            };
            if !ok {
                return Err(DataError::WrongColumnType {
                    path: path.to_path_buf(),
                    table: table.name(),
                    column: spec.name,
                    found: dt.to_string(),
                    expected: spec.ty.describe(),
                });
            }
        }
        let s = col
            .cast(&DataType::String)
            .map_err(|source| DataError::Polars {
                path: path.to_path_buf(),
                source,
            })?;
        let ca = s
            .str()
            .map_err(|source| DataError::Polars {
                path: path.to_path_buf(),
                source,
            })?
            .clone();
        text_cols.push(ca);
    }
    let height = df.height();
    let rows = (0..height).map(move |i| {
        let fields = text_cols
            .iter()
            .map(|ca| ca.get(i).unwrap_or("").to_string())
            .collect();
        Ok((i as u64 + 1, fields))
    });
    Ok(Source {
        headers,
        rows: Box::new(rows),
        dialect: None,
        text_bytes: None,
        digest: None,
    })
}

/// The canonical column a source header maps onto.
pub(super) fn canonical_for(
    table: Table,
    tm: &TableMapping,
    header: &str,
) -> Option<&'static ColumnSpec> {
    let mapped = tm
        .columns
        .iter()
        .find(|(_, src)| {
            matches!(src, ColumnSource::Header(h) if h.trim().eq_ignore_ascii_case(header))
        })
        .map(|(c, _)| c.as_str());
    match mapped {
        Some(c) => table.column(c),
        None => {
            let spec = table.column(&header.to_ascii_lowercase())?;
            // A header that another column's mapping claims is not also read as itself.
            (!tm.columns.contains_key(spec.name)).then_some(spec)
        }
    }
}
