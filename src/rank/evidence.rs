//! The records behind a site's evidence indicators, with their source file
//! and line: inspections, the findings made at them, and tips about the
//! site or its company. Used by `explain` so a person can check every
//! figure against the input files.

use polars::prelude::*;
use serde::Serialize;

use crate::data::load::LINE_COLUMN;
use crate::data::parse::from_days;
use crate::data::{Dataset, Table};

/// One source record.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// Source table.
    pub table: &'static str,
    /// Source file name.
    pub file: String,
    /// Line in the source file.
    pub line: i64,
    /// The record's date.
    pub date: Option<String>,
    /// Whether it is dated after the as-of date (and so not used).
    pub after_as_of: bool,
    /// A one-line summary of the record.
    pub summary: String,
}

/// `file:line date summary`, and that it is not used when dated after the
/// as-of date: how every text output lists a record.
impl std::fmt::Display for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{} {} {}{}",
            self.file,
            self.line,
            self.date.as_deref().unwrap_or("-"),
            self.summary,
            if self.after_as_of {
                " (after the as-of date: not used)"
            } else {
                ""
            }
        )
    }
}

fn cell(df: &DataFrame, name: &str, i: usize) -> String {
    match df.column(name).ok().and_then(|c| c.get(i).ok()) {
        None | Some(AnyValue::Null) => "-".into(),
        Some(AnyValue::Date(d)) => from_days(d).to_string(),
        Some(v) => v.get_str().map_or_else(|| v.to_string(), str::to_string),
    }
}

fn day(df: &DataFrame, name: &str, i: usize) -> Option<i32> {
    df.column(name)
        .ok()
        .and_then(|c| c.get(i).ok())
        .and_then(|v| match v {
            AnyValue::Date(d) => Some(d),
            _ => None,
        })
}

/// The evidence records of a site, oldest first. Inspectors' notes are
/// free text (masked on load, still personal data): they are in a finding's
/// summary only with `show_notes`.
pub fn records(
    ds: &Dataset,
    site_id: &str,
    company_id: Option<&str>,
    as_of_days: i32,
    show_notes: bool,
) -> PolarsResult<Vec<Record>> {
    let mut out = Vec::new();
    let mut inspection_ids: Vec<(String, Option<i32>)> = Vec::new();
    if let Some(df) = ds.get(Table::Inspections) {
        let mask = df.column("site_id")?.str()?.equal(site_id);
        let sub = df.filter(&mask)?;
        let file = ds.source_file(Table::Inspections);
        for i in 0..sub.height() {
            let d = day(&sub, "date", i);
            inspection_ids.push((cell(&sub, "inspection_id", i), d));
            out.push(Record {
                table: "inspections",
                file: file.clone(),
                line: sub.column(LINE_COLUMN)?.i64()?.get(i).unwrap_or(0),
                date: d.map(|x| from_days(x).to_string()),
                after_as_of: d.is_some_and(|x| x > as_of_days),
                summary: format!(
                    "inspection {} by {} ({}), outcome {}",
                    cell(&sub, "inspection_id", i),
                    cell(&sub, "agency", i),
                    cell(&sub, "trigger", i),
                    cell(&sub, "outcome", i)
                ),
            });
        }
    }
    if let Some(df) = ds.get(Table::Findings) {
        let file = ds.source_file(Table::Findings);
        let ids = df.column("inspection_id")?.str()?;
        for (i, id) in ids.iter().enumerate() {
            let Some((_, d)) = id.and_then(|id| inspection_ids.iter().find(|(x, _)| x == id))
            else {
                continue;
            };
            out.push(Record {
                table: "findings",
                file: file.clone(),
                line: df.column(LINE_COLUMN)?.i64()?.get(i).unwrap_or(0),
                date: d.map(|x| from_days(x).to_string()),
                after_as_of: d.is_some_and(|x| x > as_of_days),
                summary: format!(
                    "finding {} at inspection {}, {} worker(s) affected{}",
                    cell(df, "indicator", i),
                    cell(df, "inspection_id", i),
                    cell(df, "workers_affected", i),
                    match cell(df, "note", i).as_str() {
                        "-" => String::new(),
                        _ if !show_notes => " (note hidden: --show-notes)".to_string(),
                        n => format!(": \"{n}\""),
                    }
                ),
            });
        }
    }
    if let Some(df) = ds.get(Table::Tips) {
        let file = ds.source_file(Table::Tips);
        let sites = df.column("site_id")?.str()?;
        let companies = df.column("company_id")?.str()?;
        for i in 0..df.height() {
            let about_site = sites.get(i) == Some(site_id);
            let about_company =
                sites.get(i).is_none() && company_id.is_some() && companies.get(i) == company_id;
            if !(about_site || about_company) {
                continue;
            }
            let d = day(df, "date", i);
            out.push(Record {
                table: "tips",
                file: file.clone(),
                line: df.column(LINE_COLUMN)?.i64()?.get(i).unwrap_or(0),
                date: d.map(|x| from_days(x).to_string()),
                after_as_of: d.is_some_and(|x| x > as_of_days),
                summary: format!(
                    "tip {} via {} about the {}, indicator {}",
                    cell(df, "tip_id", i),
                    cell(df, "channel", i),
                    if about_site { "site" } else { "company" },
                    cell(df, "indicator", i)
                ),
            });
        }
    }
    out.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then(a.table.cmp(b.table))
            .then(a.line.cmp(&b.line))
    });
    Ok(out)
}
