//! Financial calculations for claims: what the registers say workers were
//! owed and did not receive, for the tax authority's calculations for the
//! police and prosecutors (`tilsyn shortfall`).
//!
//! - `shortfall`: pay stated on each worker's permit against the gross pay
//!   reported month by month, hours above the 48-hour week and months paid
//!   to third-party accounts, per worker and per site, every figure with its
//!   source rows (`payroll.csv:1234`, `permits.csv:56`);
//! - `report`: the readable table, the Markdown report for a case file and
//!   the CSV export.
//!
//! This module owns the error, the totals and the notes they share.
//! Workers are named only by the pseudonym the data carries (raw
//! identifiers are replaced on load); nothing else about a person is read.
//! `docs/shortfall.md` describes the arithmetic and its limits.

pub mod report;
pub mod shortfall;

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use crate::data::Table;

pub use shortfall::{
    MAX_WEEKLY_HOURS, MonthLine, Shortfall, SiteShortfall, Sources, WorkerShortfall, shortfall,
};

/// Why a calculation could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    /// The site asked for is not in the sites table.
    #[error("site '{0}' is not in the sites table; `tilsyn rank` lists the site ids")]
    UnknownSite(String),
    /// A table the calculation needs is not in the data folder.
    #[error(
        "the `{table}` table is not in {dir}: the shortfall calculation needs it ({why}); add {table}.csv (or .csv.gz or .parquet) to the folder"
    )]
    MissingTable {
        /// The table's name.
        table: &'static str,
        /// The data folder.
        dir: String,
        /// What the calculation takes from it.
        why: &'static str,
    },
    /// A dataframe operation failed.
    #[error("computing the shortfall: {0}")]
    Polars(#[from] polars::error::PolarsError),
}

impl ClaimError {
    /// The error for a table absent from the data set loaded from `dir`.
    pub fn missing(table: Table, dir: &std::path::Path) -> ClaimError {
        let why = match table {
            Table::Payroll => "the pay received and the hours paid, month by month",
            Table::Permits => "the pay stated on each permit and when it was in force",
            _ => "its rows",
        };
        ClaimError::MissingTable {
            table: table.name(),
            dir: dir.display().to_string(),
            why,
        }
    }
}

/// Sums over payroll months. Stated and received pay are summed over the
/// months whose shortfall is known, so that they compare with it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Payroll months.
    pub months: usize,
    /// Months whose shortfall is known (0 or more).
    pub months_known: usize,
    /// Months whose shortfall is unknown (see the notes).
    pub months_unknown: usize,
    /// Months with a shortfall above 0.
    pub months_short: usize,
    /// Pay stated over the known months.
    pub stated_dkk: f64,
    /// Gross pay received over the known months.
    pub received_dkk: f64,
    /// The estimated shortfall.
    pub shortfall_dkk: f64,
    /// Months paid to a third-party account.
    pub third_party_months: usize,
    /// Months with hours paid above the 48-hour week.
    pub months_over_48: usize,
    /// Hours paid above the 48-hour week.
    pub hours_over_48: f64,
}

impl Totals {
    /// The totals of some months.
    pub fn of(months: &[MonthLine]) -> Totals {
        let mut t = Totals::default();
        for m in months {
            t.months += 1;
            match (m.shortfall_dkk, m.stated_dkk, m.received_dkk) {
                (Some(short), Some(stated), Some(received)) => {
                    t.months_known += 1;
                    t.stated_dkk += stated;
                    t.received_dkk += received;
                    t.shortfall_dkk += short;
                    t.months_short += usize::from(short > 0.0);
                }
                _ => t.months_unknown += 1,
            }
            t.third_party_months += usize::from(m.third_party == Some(true));
            if let Some(h) = m.hours_over_48.filter(|h| *h > 0.0) {
                t.months_over_48 += 1;
                t.hours_over_48 += h;
            }
        }
        t
    }

    /// Adds another's totals (a worker's to a site's).
    pub fn accumulate(&mut self, o: &Totals) {
        self.months += o.months;
        self.months_known += o.months_known;
        self.months_unknown += o.months_unknown;
        self.months_short += o.months_short;
        self.stated_dkk += o.stated_dkk;
        self.received_dkk += o.received_dkk;
        self.shortfall_dkk += o.shortfall_dkk;
        self.third_party_months += o.third_party_months;
        self.months_over_48 += o.months_over_48;
        self.hours_over_48 += o.hours_over_48;
    }
}

/// What a note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// A payroll month with no permit of the person at the site in force.
    NoPermit,
    /// The permit in force states no monthly pay.
    NoStatedPay,
    /// The payroll row has no gross pay.
    NoGrossPay,
    /// Permits in force overlap in the month.
    OverlappingPermits,
    /// More than one payroll row for the person and month at the site.
    DuplicateRows,
    /// More than one permit in force in the month, one after the other.
    SeveralPermits,
    /// A permit with no payroll row at its site while in force.
    PermitWithoutPayroll,
}

impl NoteKind {
    /// Every kind.
    pub const ALL: [NoteKind; 7] = [
        NoteKind::NoPermit,
        NoteKind::NoStatedPay,
        NoteKind::NoGrossPay,
        NoteKind::OverlappingPermits,
        NoteKind::DuplicateRows,
        NoteKind::SeveralPermits,
        NoteKind::PermitWithoutPayroll,
    ];

    /// The id (as serialised).
    pub const fn id(self) -> &'static str {
        match self {
            NoteKind::NoPermit => "no_permit",
            NoteKind::NoStatedPay => "no_stated_pay",
            NoteKind::NoGrossPay => "no_gross_pay",
            NoteKind::OverlappingPermits => "overlapping_permits",
            NoteKind::DuplicateRows => "duplicate_rows",
            NoteKind::SeveralPermits => "several_permits",
            NoteKind::PermitWithoutPayroll => "permit_without_payroll",
        }
    }

    /// The kind of an id.
    pub fn from_id(id: &str) -> Option<NoteKind> {
        NoteKind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// What it means, in a sentence.
    pub fn text(self) -> &'static str {
        match self {
            NoteKind::NoPermit => {
                "no permit of this person at this site in force in this month: the stated pay is unknown, not a shortfall of 0"
            }
            NoteKind::NoStatedPay => {
                "the permit in force states no monthly pay: the shortfall is unknown"
            }
            NoteKind::NoGrossPay => "the payroll row has no gross pay: the shortfall is unknown",
            NoteKind::OverlappingPermits => {
                "permits in force overlap in this month (their days add up to more than the month): the stated pay is unknown until it is known which one applied"
            }
            NoteKind::DuplicateRows => {
                "more than one payroll row for this person and month at this site: the shortfall is unknown; check the rows by hand"
            }
            NoteKind::SeveralPermits => {
                "more than one permit in force in this month, one after the other: the stated pay adds each permit's pay pro-rated by its days"
            }
            NoteKind::PermitWithoutPayroll => {
                "a permit with no payroll row at this site while in force: the pay received is unknown, not 0"
            }
        }
    }
}

/// Something a reader of the figures must know: an unknown month, a
/// permit without payroll, a month of several permits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    /// The pseudonymous person id.
    pub person_id: String,
    /// The payroll month, when the note is about one.
    #[serde(serialize_with = "as_opt_month")]
    pub month: Option<NaiveDate>,
    /// What it is about.
    pub kind: NoteKind,
    /// The source rows (`payroll.csv:12`, `permits.csv:3`).
    pub sources: Vec<String>,
    /// The note in a sentence.
    pub text: String,
}

impl Note {
    /// The note of a month line, if it needs one: an unknown month, or a
    /// month of several permits (`permit_lines`, the lines of the permits
    /// in force).
    pub fn of_line(
        person_id: &str,
        line: &MonthLine,
        permit_lines: &[i64],
        sources: &Sources,
    ) -> Option<Note> {
        let kind = match line.unknown {
            Some(kind) => kind,
            None if permit_lines.len() > 1 => NoteKind::SeveralPermits,
            None => return None,
        };
        let mut rows = vec![line.payroll_source.clone()];
        rows.extend(
            permit_lines
                .iter()
                .map(|l| format!("{}:{l}", sources.permits)),
        );
        Some(Note {
            person_id: person_id.to_string(),
            month: Some(line.month),
            kind,
            sources: rows,
            text: kind.text().to_string(),
        })
    }
}

/// A month as `YYYY-MM`.
pub fn month_text(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}", d.year(), d.month())
}

fn as_month<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&month_text(*d))
}

fn as_opt_month<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&month_text(*d)),
        None => s.serialize_none(),
    }
}
