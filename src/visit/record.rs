//! The record of a visit: a filled form becomes one `inspections` row (scope
//! `forced_labour`) and one `findings` row per ILO indicator with a question
//! answered "yes" (its workers the largest count among those answers, its
//! note their notes, masked as the loader masks `findings.note`); "no" and
//! "unknown" make no row. The rows are checked against the data folder (the
//! site exists, the inspection id is new, the date is not after the load's
//! limit) and appended to `inspections.csv` and `findings.csv` in the
//! canonical layout with the csv writer, so the next load counts them.
//!
//! A "no" says the indicator was looked for and not found. That is what an
//! inspection of scope `forced_labour` already says of all 11 indicators
//! (`scope_covers`), so a "no" needs no row of its own; it also means an
//! indicator whose questions all stayed unknown reads as looked for too,
//! which [`VisitRecord::not_answered`] lists so the caller can warn.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::PolarsError;

use super::checklist::Checklist;
use super::form::{Form, FormError, VisitAnswer};
use crate::data::schema::AGENCIES;
use crate::data::{Dataset, ILO_INDICATORS, Table};

/// The scope of a recorded visit: the checklist looks for all 11 indicators.
pub const SCOPE: &str = "forced_labour";

/// The canonical columns of a table, in order: the header tilsyn writes.
pub fn canonical_header(table: Table) -> Vec<&'static str> {
    table.columns().iter().map(|c| c.name).collect()
}

/// The `inspections` row of a visit.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectionRow {
    /// The visit's case id.
    pub inspection_id: String,
    /// The site visited.
    pub site_id: String,
    /// The day of the visit.
    pub date: NaiveDate,
    /// Who inspected.
    pub agency: String,
    /// Why (blank when not given).
    pub trigger: String,
    /// The chance the site had of being selected, when known.
    pub selection_probability: Option<f64>,
    /// What it led to (blank when not given).
    pub outcome: String,
    /// Always [`SCOPE`].
    pub scope: &'static str,
}

impl InspectionRow {
    /// The value of one canonical column, as written to the CSV.
    pub fn value(&self, column: &str) -> String {
        match column {
            "inspection_id" => self.inspection_id.clone(),
            "site_id" => self.site_id.clone(),
            "date" => self.date.to_string(),
            "agency" => self.agency.clone(),
            "trigger" => self.trigger.clone(),
            "selection_probability" => self
                .selection_probability
                .map(|p| p.to_string())
                .unwrap_or_default(),
            "outcome" => self.outcome.clone(),
            "scope" => self.scope.to_string(),
            _ => String::new(),
        }
    }

    /// The row's fields in the canonical column order.
    pub fn fields(&self) -> Vec<String> {
        canonical_header(Table::Inspections)
            .into_iter()
            .map(|c| self.value(c))
            .collect()
    }
}

/// One `findings` row: an ILO indicator answered "yes".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingRow {
    /// The visit's case id.
    pub inspection_id: String,
    /// The ILO indicator.
    pub indicator: &'static str,
    /// The largest workers count of the "yes" answers (none when all were 0).
    pub workers_affected: Option<u32>,
    /// The notes of the "yes" answers, `question: note`, joined by `; `.
    pub note: String,
    /// The questions answered "yes" (not written; for summaries).
    pub questions: Vec<String>,
}

impl FindingRow {
    /// The value of one canonical column, as written to the CSV.
    pub fn value(&self, column: &str) -> String {
        match column {
            "inspection_id" => self.inspection_id.clone(),
            "indicator" => self.indicator.to_string(),
            "workers_affected" => self
                .workers_affected
                .map(|w| w.to_string())
                .unwrap_or_default(),
            "note" => self.note.clone(),
            _ => String::new(),
        }
    }

    /// The row's fields in the canonical column order.
    pub fn fields(&self) -> Vec<String> {
        canonical_header(Table::Findings)
            .into_iter()
            .map(|c| self.value(c))
            .collect()
    }
}

/// What a filled form records.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitRecord {
    /// The `inspections` row.
    pub inspection: InspectionRow,
    /// One `findings` row per ILO indicator answered "yes", in the ILO's order.
    pub findings: Vec<FindingRow>,
    /// ILO indicators none of whose questions was answered yes or no: the
    /// scope `forced_labour` still says they were looked for.
    pub not_answered: Vec<&'static str>,
}

/// Turns a filled form into its rows (notes as written: see [`mask_notes`]).
/// The visit needs an inspection id, a date and an agency, and at least one
/// question answered yes or no; `file` names the form in errors.
pub fn to_rows(form: &Form, checklist: &Checklist, file: &str) -> Result<VisitRecord, FormError> {
    let field_err = |field: &str, message: String| FormError::Field {
        file: file.to_string(),
        line: form.line_of(field),
        field: field.to_string(),
        message,
    };
    if form.site_id.is_empty() {
        return Err(field_err(
            "site_id",
            "is empty: write the site id (P-number) of the site visited".to_string(),
        ));
    }
    if form.visit.inspection_id.is_empty() {
        return Err(field_err(
            "visit.inspection_id",
            "is empty: write the visit's case id (it becomes the inspection_id and must not be in inspections.csv already)".to_string(),
        ));
    }
    let Some(date) = form.visit.date else {
        return Err(field_err(
            "visit.date",
            "is empty: write the day of the visit as YYYY-MM-DD".to_string(),
        ));
    };
    if form.visit.agency.is_empty() {
        return Err(field_err(
            "visit.agency",
            format!(
                "is empty: write who inspected, one of {}",
                AGENCIES.join(", ")
            ),
        ));
    }
    let answered = checklist
        .questions
        .iter()
        .filter(|q| {
            form.get(&q.id)
                .is_some_and(|a| a.answer != VisitAnswer::Unknown)
        })
        .count();
    if answered == 0 {
        return Err(crate::tomlfile::TomlFileError::Parse {
            file: file.to_string(),
            message: "no question is answered yes or no: fill in the form before recording the visit (a visit recorded with scope forced_labour and no answer would read as if all 11 indicators were looked for and not found)".to_string(),
        }
        .into());
    }
    let mut findings = Vec::new();
    let mut not_answered = Vec::new();
    for ilo in ILO_INDICATORS {
        let mut looked = false;
        let mut yes = Vec::new();
        for q in checklist.for_indicator(ilo) {
            let Some(a) = form.get(&q.id) else {
                continue;
            };
            match a.answer {
                VisitAnswer::Yes => {
                    looked = true;
                    yes.push((q, a));
                }
                VisitAnswer::No => looked = true,
                VisitAnswer::Unknown => {}
            }
        }
        if !looked {
            not_answered.push(ilo);
        }
        if yes.is_empty() {
            continue;
        }
        let workers = yes.iter().map(|(_, a)| a.workers).max().unwrap_or(0);
        let note = yes
            .iter()
            .filter(|(_, a)| !a.note.trim().is_empty())
            .map(|(q, a)| {
                format!(
                    "{}: {}",
                    q.id,
                    a.note.split_whitespace().collect::<Vec<_>>().join(" ")
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        findings.push(FindingRow {
            inspection_id: form.visit.inspection_id.clone(),
            indicator: ilo,
            workers_affected: (workers > 0).then_some(workers),
            note,
            questions: yes.iter().map(|(q, _)| q.id.clone()).collect(),
        });
    }
    Ok(VisitRecord {
        inspection: InspectionRow {
            inspection_id: form.visit.inspection_id.clone(),
            site_id: form.site_id.clone(),
            date,
            agency: form.visit.agency.clone(),
            trigger: form.visit.trigger.clone(),
            selection_probability: form.visit.selection_probability,
            outcome: form.visit.outcome.clone(),
            scope: SCOPE,
        },
        findings,
        not_answered,
    })
}

/// Masks one note as the loader masks `findings.note` (CPR, e-mail,
/// document and phone numbers; `crate::data::mask`).
pub fn mask_note(text: &str) -> Result<String, PolarsError> {
    let df = polars::df!("note" => [text])?;
    let out = crate::data::mask::free_text(Table::Findings, df)?;
    Ok(out
        .column("note")?
        .str()?
        .get(0)
        .unwrap_or_default()
        .to_string())
}

/// Masks the note of every finding of a record.
pub fn mask_notes(record: &mut VisitRecord) -> Result<(), PolarsError> {
    for f in &mut record.findings {
        if !f.note.is_empty() {
            f.note = mask_note(&f.note)?;
        }
    }
    Ok(())
}

/// A record that cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The form is wrong.
    #[error(transparent)]
    Form(#[from] FormError),
    /// The site is not in the data.
    #[error(
        "{form}: site_id '{site_id}' is not in the sites table of {}; write the P-number of the site visited (`tilsyn rank --data DIR` lists them)",
        dir.display()
    )]
    UnknownSite {
        /// The form file.
        form: String,
        /// The site id in the form.
        site_id: String,
        /// The data folder.
        dir: PathBuf,
    },
    /// The visit is dated after the last day the data may hold.
    #[error(
        "{form}: visit.date {date} is after {limit}, the last day the data may hold (today, or --as-of): the load would reject the record; check the date"
    )]
    AfterLimit {
        /// The form file.
        form: String,
        /// The visit date.
        date: NaiveDate,
        /// The load's limit.
        limit: NaiveDate,
    },
    /// The inspection id is taken.
    #[error(
        "{form}: inspection_id '{inspection_id}' is already in {}; nothing was written. A visit is recorded once: give this one its own inspection_id in the form",
        place.display()
    )]
    Duplicate {
        /// The form file.
        form: String,
        /// The id.
        inspection_id: String,
        /// Where it already is.
        place: PathBuf,
    },
    /// The target file is not a plain canonical CSV tilsyn can append to.
    #[error(
        "{}: {message}; nothing was written. Write the record to another folder with --out DIR and add its rows to your export",
        path.display()
    )]
    NotCanonical {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Reading or writing CSV failed.
    #[error("{}: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: csv::Error,
    },
    /// Masking the notes failed.
    #[error("masking the notes: {0}")]
    Polars(#[from] PolarsError),
}

/// The values of a string column of a loaded table (empty when the table is absent).
fn column_values(
    ds: &Dataset,
    table: Table,
    column: &str,
) -> Result<BTreeSet<String>, PolarsError> {
    let Some(df) = ds.get(table) else {
        return Ok(BTreeSet::new());
    };
    Ok(df
        .column(column)?
        .str()?
        .iter()
        .flatten()
        .map(str::to_string)
        .collect())
}

/// Checks a record against the loaded data folder: the site is in `sites`,
/// the visit is not dated after the load's limit, and the inspection id is
/// not in `inspections` (whatever file the folder reads it from).
pub fn check_against(record: &VisitRecord, ds: &Dataset, form: &str) -> Result<(), RecordError> {
    let insp = &record.inspection;
    if !column_values(ds, Table::Sites, "site_id")?.contains(&insp.site_id) {
        return Err(RecordError::UnknownSite {
            form: form.to_string(),
            site_id: insp.site_id.clone(),
            dir: ds.report.data_dir.clone(),
        });
    }
    if insp.date > ds.report.as_of_limit {
        return Err(RecordError::AfterLimit {
            form: form.to_string(),
            date: insp.date,
            limit: ds.report.as_of_limit,
        });
    }
    if column_values(ds, Table::Inspections, "inspection_id")?.contains(&insp.inspection_id) {
        return Err(RecordError::Duplicate {
            form: form.to_string(),
            inspection_id: insp.inspection_id.clone(),
            place: ds.report.data_dir.join(ds.source_file(Table::Inspections)),
        });
    }
    Ok(())
}

/// What [`append`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The inspections file.
    pub inspections: PathBuf,
    /// The findings file.
    pub findings: PathBuf,
    /// Findings rows written.
    pub findings_rows: usize,
}

/// A file to append to.
struct Target {
    path: PathBuf,
    exists: bool,
    needs_newline: bool,
    /// The file ends its lines with `\r\n` (saved on Windows): appended
    /// lines do too.
    crlf: bool,
    /// The first column's values (`inspection_id` in both tables).
    ids: BTreeSet<String>,
}

/// Checks a table's file in `dir`: absent, or a plain UTF-8 CSV with the
/// canonical header.
fn target(dir: &Path, table: Table) -> Result<Target, RecordError> {
    for ext in ["csv.gz", "parquet"] {
        let p = dir.join(format!("{}.{ext}", table.name()));
        if p.exists() {
            return Err(RecordError::NotCanonical {
                path: p,
                message: format!(
                    "the folder holds `{}` in this file; tilsyn appends only to a plain {}.csv",
                    table.name(),
                    table.name()
                ),
            });
        }
    }
    let path = dir.join(format!("{}.csv", table.name()));
    if !path.exists() {
        return Ok(Target {
            path,
            exists: false,
            needs_newline: false,
            crlf: false,
            ids: BTreeSet::new(),
        });
    }
    let bytes = std::fs::read(&path).map_err(|source| RecordError::Io {
        path: path.clone(),
        source,
    })?;
    let body = bytes
        .strip_prefix(&[0xEF, 0xBB, 0xBF][..])
        .unwrap_or(&bytes);
    if body.iter().all(u8::is_ascii_whitespace) {
        // An empty file: written anew with its header.
        return Ok(Target {
            path,
            exists: false,
            needs_newline: false,
            crlf: false,
            ids: BTreeSet::new(),
        });
    }
    if std::str::from_utf8(body).is_err() {
        return Err(RecordError::NotCanonical {
            path,
            message: "the file is not UTF-8 (an export in Windows-1252?)".to_string(),
        });
    }
    let canonical = canonical_header(table);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(body);
    let header: Vec<String> = reader
        .headers()
        .map_err(|source| RecordError::Csv {
            path: path.clone(),
            source,
        })?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if header != canonical {
        return Err(RecordError::NotCanonical {
            path,
            message: format!(
                "its header is not the canonical layout `{}` (a folder read through a mapping holds the agency's own files)",
                canonical.join(",")
            ),
        });
    }
    let mut ids = BTreeSet::new();
    for record in reader.records() {
        let record = record.map_err(|source| RecordError::Csv {
            path: path.clone(),
            source,
        })?;
        if let Some(id) = record.get(0) {
            ids.insert(id.trim().to_string());
        }
    }
    Ok(Target {
        path,
        exists: true,
        needs_newline: body.last() != Some(&b'\n'),
        crlf: body.windows(2).any(|w| w == b"\r\n"),
        ids,
    })
}

/// The inspection ids in a folder's own `inspections.csv`, rejected rows
/// included (a load leaves those out): what a record written elsewhere must
/// not repeat. Empty when the folder has no plain canonical file.
pub fn ids_in(dir: &Path) -> BTreeSet<String> {
    target(dir, Table::Inspections).map_or_else(|_| BTreeSet::new(), |t| t.ids)
}

fn write_rows(t: &Target, table: Table, rows: &[Vec<String>]) -> Result<(), RecordError> {
    let io = |source: std::io::Error| RecordError::Io {
        path: t.path.clone(),
        source,
    };
    let csv_err = |source: csv::Error| RecordError::Csv {
        path: t.path.clone(),
        source,
    };
    let mut file = if t.exists {
        std::fs::OpenOptions::new()
            .append(true)
            .open(&t.path)
            .map_err(io)?
    } else {
        std::fs::File::create(&t.path).map_err(io)?
    };
    if t.exists && t.needs_newline {
        file.write_all(if t.crlf { b"\r\n" } else { b"\n" })
            .map_err(io)?;
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(if t.crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(file);
    if !t.exists {
        w.write_record(canonical_header(table)).map_err(csv_err)?;
    }
    for r in rows {
        w.write_record(r).map_err(csv_err)?;
    }
    w.flush().map_err(io)?;
    Ok(())
}

/// Appends a record to `inspections.csv` and `findings.csv` in `dir`
/// (created with the canonical header when absent). Nothing is written
/// when either file is not a plain canonical CSV, when `dir` is an imported
/// folder, or when either file already holds the inspection id.
pub fn append(dir: &Path, record: &VisitRecord, form: &str) -> Result<Written, RecordError> {
    if crate::data::import::is_imported(dir) {
        return Err(RecordError::NotCanonical {
            path: dir.to_path_buf(),
            message: "the folder was written by `tilsyn import`: its tables are Parquet, and its manifest refuses changed files".to_string(),
        });
    }
    std::fs::create_dir_all(dir).map_err(|source| RecordError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let inspections = target(dir, Table::Inspections)?;
    let findings = target(dir, Table::Findings)?;
    let id = &record.inspection.inspection_id;
    for t in [&inspections, &findings] {
        if t.ids.contains(id) {
            return Err(RecordError::Duplicate {
                form: form.to_string(),
                inspection_id: id.clone(),
                place: t.path.clone(),
            });
        }
    }
    // Findings first, then the inspection: an inspection row without its
    // findings would read as "looked for everything, found nothing" (its
    // scope is forced_labour). If the inspection cannot be written, the
    // findings file is cut back to its length before, so a retry starts
    // clean.
    let rows: Vec<Vec<String>> = record.findings.iter().map(FindingRow::fields).collect();
    let before = std::fs::metadata(&findings.path).map(|m| m.len()).ok();
    write_rows(&findings, Table::Findings, &rows)?;
    if let Err(e) = write_rows(
        &inspections,
        Table::Inspections,
        &[record.inspection.fields()],
    ) {
        let restored = match before {
            Some(len) => std::fs::OpenOptions::new()
                .write(true)
                .open(&findings.path)
                .and_then(|f| f.set_len(len)),
            None => std::fs::remove_file(&findings.path),
        };
        if let Err(source) = restored {
            return Err(RecordError::Io {
                path: findings.path.clone(),
                source,
            });
        }
        return Err(e);
    }
    Ok(Written {
        inspections: inspections.path,
        findings: findings.path,
        findings_rows: rows.len(),
    })
}
