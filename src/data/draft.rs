//! Drafting a mapping file for a folder of agency exports (`tilsyn mapping
//! --draft`): each CSV file's header is matched against the usual Danish and
//! English names of the canonical columns, every guess is checked against a
//! sample of the file's values, each file is assigned the table its columns
//! fit best, and the result is written as a `tilsyn.toml` whose every
//! guessed line says how sure it is and why. Enumeration values in Danish
//! are recoded where the term is known and left for a person to fill in
//! where it is not. A draft is a start for a person to check, never a
//! mapping to load unread.

use std::cmp::Reverse;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::DataError;
use super::dialect::{self, Encoding};
use super::parse::{self, Decimal, Value};
use super::pseudonym::looks_like_cpr;
use super::schema::{ColType, ColumnSpec, Table};

mod matching;
mod names;
mod render;
#[cfg(test)]
mod tests;

use matching::*;
use names::*;

/// Rows read from each file to check the guesses against.
pub const SAMPLE_ROWS: usize = 200;
/// The most bytes of a file (after decompression) read for its sample.
const SAMPLE_BYTES: u64 = 4 << 20;
/// The shortest name a header may merely contain to match ("dato" does,
/// "fra" must be the whole header).
const MIN_WITHIN: usize = 4;
/// The least score (2 per required column found, 1 per optional one) that
/// makes a file a table's when its name does not say so.
const MIN_SCORE: usize = 3;

/// How sure a guess is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// The values speak against the guess: check it first.
    Low,
    /// The header contains a usual name of the column.
    Medium,
    /// The header is a usual name of the column, or contains one and the
    /// values confirm it.
    High,
}

impl Confidence {
    /// `low`, `medium` or `high`.
    pub fn label(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// A canonical column guessed from a source header.
#[derive(Debug, Clone)]
pub struct DraftColumn {
    /// The canonical column.
    pub column: &'static str,
    /// The source header, as the file writes it.
    pub header: String,
    /// How sure the guess is.
    pub confidence: Confidence,
    /// Why: the name matched and what the sampled values showed.
    pub why: String,
}

/// One source value of an enumeration column that is not a canonical code.
#[derive(Debug, Clone)]
pub struct DraftValue {
    /// The value as the file writes it.
    pub source: String,
    /// The canonical code, when the term is a known one.
    pub canonical: Option<&'static str>,
}

/// The recoding drafted for one enumeration column.
#[derive(Debug, Clone)]
pub struct DraftRecode {
    /// The canonical column.
    pub column: &'static str,
    /// Its canonical codes.
    pub allowed: &'static [&'static str],
    /// The distinct sampled values that are not canonical codes, sorted.
    pub values: Vec<DraftValue>,
}

/// The draft of one table: its file, how the file is read, and its columns.
#[derive(Debug, Clone)]
pub struct DraftTable {
    /// The table.
    pub table: Table,
    /// The source file's name in the folder.
    pub file: String,
    /// Whether the mapping must name the file (it is not `<table>.csv`, or
    /// another file could also be read for the table by its name).
    pub write_file: bool,
    /// Why the file was taken for this table.
    pub file_why: String,
    /// The encoding detected.
    pub encoding: Encoding,
    /// The delimiter detected.
    pub delimiter: char,
    /// Whether the file is gzip-compressed.
    pub gzip: bool,
    /// Data rows sampled.
    pub rows_sampled: usize,
    /// Whether the file holds more rows than were sampled.
    pub more_rows: bool,
    /// Whether the numbers sampled are written with a decimal comma (and
    /// none with a decimal point), so the draft sets `decimal = ","`.
    pub decimal_comma: bool,
    /// What was seen of decimal marks, for the comment.
    pub decimal_note: Option<String>,
    /// The columns guessed, in canonical order.
    pub columns: Vec<DraftColumn>,
    /// Recodings drafted for enumeration columns.
    pub recodes: Vec<DraftRecode>,
    /// Personal columns whose sampled values look like CPR numbers, with
    /// how many of them do.
    pub pseudonymise: Vec<(&'static str, String)>,
    /// Source headers no canonical column was guessed for.
    pub unmapped_headers: Vec<String>,
    /// Required canonical columns not found.
    pub missing_required: Vec<&'static str>,
    /// Optional canonical columns not found.
    pub missing_optional: Vec<&'static str>,
}

/// A CSV file of the folder that matches no table.
#[derive(Debug, Clone)]
pub struct UnmatchedFile {
    /// The file's name.
    pub name: String,
    /// Its headers.
    pub headers: Vec<String>,
    /// The table its columns come closest to, if any (taken by a better
    /// file, or too few columns found).
    pub closest: Option<Table>,
}

/// A draft mapping of a folder: which file feeds which table, and how its
/// headers and values map onto the canonical columns.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The folder.
    pub dir: PathBuf,
    /// One entry per table a file was found for, in load order.
    pub tables: Vec<DraftTable>,
    /// Required tables no file was found for.
    pub missing_tables: Vec<Table>,
    /// CSV files that match no table.
    pub unmatched: Vec<UnmatchedFile>,
    /// CSV files that could not be read: the name and why.
    pub unreadable: Vec<(String, String)>,
}

/// The first rows of one CSV file.
struct Sample {
    name: String,
    encoding: Encoding,
    delimiter: char,
    gzip: bool,
    headers: Vec<String>,
    /// The sampled values, one vector per header.
    values: Vec<Vec<String>>,
    rows: usize,
    more_rows: bool,
}

/// Drafts a mapping for the CSV files (`.csv`, `.csv.gz`) in `dir`.
///
/// Files are taken in name order; a file named `<table>.csv` is that
/// table's, any other goes to the table its columns fit best (each table
/// gets at most one file). A file that cannot be read is listed, not an
/// error; a folder that cannot be listed is.
pub fn draft(dir: &Path) -> Result<Draft, DataError> {
    if !dir.is_dir() {
        return Err(DataError::NotAFolder {
            path: dir.to_path_buf(),
        });
    }
    let io = |source: std::io::Error| DataError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        if entry.path().is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();

    let mut samples: Vec<Sample> = Vec::new();
    let mut unreadable = Vec::new();
    for name in names.iter().filter(|n| is_csv_name(n)) {
        match read_sample(&dir.join(name), name) {
            Ok(s) => samples.push(s),
            Err(reason) => unreadable.push((name.clone(), reason)),
        }
    }

    // Every file against every table.
    let matchings: Vec<Vec<Matching>> = samples
        .iter()
        .map(|s| {
            let norm: Vec<(String, String)> = s
                .headers
                .iter()
                .map(|h| (normalise(h), normalise(&strip_brackets(h))))
                .collect();
            Table::ALL
                .iter()
                .map(|t| match_table(*t, s, &norm))
                .collect()
        })
        .collect();

    // A file named after a table is that table's; the others go, best fit
    // first, to the tables still free.
    let mut assigned: Vec<Option<usize>> = vec![None; samples.len()];
    let mut taken = vec![false; Table::ALL.len()];
    for (fi, s) in samples.iter().enumerate() {
        if let Some(ti) = Table::ALL.iter().position(|t| named_for(&s.name, *t))
            && !taken[ti]
        {
            assigned[fi] = Some(ti);
            taken[ti] = true;
        }
    }
    let mut pairs: Vec<(usize, usize, usize, usize, usize)> = Vec::new();
    for (fi, s) in samples.iter().enumerate() {
        if assigned[fi].is_some() {
            continue;
        }
        for (ti, m) in matchings[fi].iter().enumerate() {
            if !taken[ti] && m.score >= MIN_SCORE && m.required_found > 0 {
                let hint = usize::from(name_hints(&s.name, Table::ALL[ti]));
                pairs.push((m.score, hint, m.missing_required, ti, fi));
            }
        }
    }
    pairs.sort_by_key(|&(score, hint, missing, ti, fi)| {
        (Reverse(score), Reverse(hint), missing, ti, fi)
    });
    for (_, _, _, ti, fi) in pairs {
        if assigned[fi].is_none() && !taken[ti] {
            assigned[fi] = Some(ti);
            taken[ti] = true;
        }
    }

    let mut tables = Vec::new();
    for (ti, table) in Table::ALL.iter().enumerate() {
        let Some(fi) = assigned.iter().position(|a| *a == Some(ti)) else {
            continue;
        };
        let by_name = named_for(&samples[fi].name, *table);
        tables.push(build_table(
            *table,
            &samples[fi],
            &matchings[fi][ti],
            by_name,
            &names,
        ));
    }
    let missing_tables = Table::ALL
        .iter()
        .enumerate()
        .filter(|(ti, t)| t.required() && !taken[*ti])
        .map(|(_, t)| *t)
        .collect();
    let unmatched = samples
        .iter()
        .enumerate()
        .filter(|(fi, _)| assigned[*fi].is_none())
        .map(|(fi, s)| {
            let closest = matchings[fi]
                .iter()
                .enumerate()
                .filter(|(_, m)| m.score > 0)
                .max_by_key(|(ti, m)| (m.score, Reverse(*ti)))
                .map(|(ti, _)| Table::ALL[ti]);
            UnmatchedFile {
                name: s.name.clone(),
                headers: s.headers.clone(),
                closest,
            }
        })
        .collect();
    Ok(Draft {
        dir: dir.to_path_buf(),
        tables,
        missing_tables,
        unmatched,
        unreadable,
    })
}

/// Whether a file name is one the draft reads (`.csv` or `.csv.gz`).
fn is_csv_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".csv") || lower.ends_with(".csv.gz")
}

/// Whether a file is named after a table (`<table>.csv` or `<table>.csv.gz`).
fn named_for(name: &str, table: Table) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == format!("{}.csv", table.name()) || lower == format!("{}.csv.gz", table.name())
}

/// Whether a file's name holds a word that suggests the table (a tie-break
/// between tables its columns fit equally well).
fn name_hints(name: &str, table: Table) -> bool {
    let words: &[&str] = match table {
        Table::Sites => &["site", "produktionsenhed", "penhed", "arbejdssted"],
        Table::Permits => &["permit", "tilladelse"],
        Table::Postings => &["posting", "udstationer", "rut"],
        Table::Payroll => &["payroll", "indkomst", "loen"],
        Table::Residences => &["residence", "bopael", "bolig", "adresse"],
        Table::Inspections => &["inspection", "tilsyn", "besoeg", "kontrol", "smiley"],
        Table::Findings => &["finding", "fund", "problem", "overtraedelse"],
        Table::Tips => &["tip", "henvendelse", "anmeldelse"],
        Table::Roles => &["role", "rolle", "ledelse", "ejer"],
    };
    let stem = normalise(name);
    words.iter().any(|w| stem.contains(w))
}

/// Reads the first bytes of a file (decompressed when it is gzip) and
/// whether it was gzip.
fn read_prefix(path: &Path) -> std::io::Result<(Vec<u8>, bool)> {
    let mut head = Vec::new();
    std::fs::File::open(path)?
        .take(SAMPLE_BYTES)
        .read_to_end(&mut head)?;
    if !head.starts_with(&[0x1f, 0x8b]) {
        return Ok((head, false));
    }
    let mut out = Vec::new();
    let file = std::io::BufReader::new(std::fs::File::open(path)?);
    flate2::read::MultiGzDecoder::new(file)
        .take(SAMPLE_BYTES)
        .read_to_end(&mut out)?;
    Ok((out, true))
}

/// Reads a file's header and first [`SAMPLE_ROWS`] rows as the loader
/// would: decoded, its delimiter sniffed. The error says why it cannot be.
fn read_sample(path: &Path, name: &str) -> Result<Sample, String> {
    let (mut bytes, gzip) = read_prefix(path).map_err(|e| format!("cannot read it: {e}"))?;
    let cut = bytes.len() as u64 >= SAMPLE_BYTES;
    // A cut ends at a line end, so no character is split (a '\n' is never
    // part of a UTF-8 sequence) and the encoding is detected right.
    if cut && let Some(end) = bytes.iter().rposition(|b| *b == b'\n') {
        bytes.truncate(end + 1);
    }
    let (text, encoding) = dialect::decode(&bytes, None);
    if text.iter().all(u8::is_ascii_whitespace) {
        return Err("the file is empty; it needs a header row naming the columns".into());
    }
    if text.contains(&0u8) {
        return Err("the file holds binary data (NUL bytes), not CSV text".into());
    }
    let delimiter = dialect::sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter as u8)
        .flexible(true)
        .has_headers(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(&text[..]);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("no readable header row: {e}"))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err("the first line names no column; it needs a header row".into());
    }
    let mut values: Vec<Vec<String>> = vec![Vec::new(); headers.len()];
    let mut records = reader.records();
    let mut rows = 0usize;
    // The sample is what reads cleanly; the load reports the rest.
    while rows < SAMPLE_ROWS
        && let Some(Ok(record)) = records.next()
    {
        rows += 1;
        for (i, column) in values.iter_mut().enumerate() {
            column.push(record.get(i).unwrap_or("").trim().to_string());
        }
    }
    let more_rows = cut || (rows == SAMPLE_ROWS && records.next().is_some());
    Ok(Sample {
        name: name.to_string(),
        encoding,
        delimiter,
        gzip,
        headers,
        values,
        rows,
        more_rows,
    })
}
