//! Pay stated against pay received, month by month: each payroll row
//! (person × month at a site) is set against the permit in force for that
//! person at that site in that month, with polars joins and aggregations
//! in the conventions of `features::people` (dates as day counts, each
//! payroll month's last day in [`MONTH_END`]). The stated pay of a month
//! the permit covers only in part is pro-rated by its days; the shortfall
//! is `max(0, stated − received)`; hours above the 48-hour week and
//! third-party accounts are counted; a month without a permit in force (or
//! without a stated or gross pay) is unknown, never a shortfall of 0, and a
//! permit without payroll is listed. Every figure keeps its source lines.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use polars::prelude::*;
use serde::Serialize;

use super::{ClaimError, Note, NoteKind, Totals};
use crate::data::load::LINE_COLUMN;
use crate::data::parse::from_days;
use crate::data::{Dataset, Table};
use crate::features::{MONTH_END, SITE, table_lazy};

/// The average weekly working time the EU Working Time Directive allows
/// (2003/88/EC art. 6, in Danish law the arbejdstidslov).
pub const MAX_WEEKLY_HOURS: f64 = 48.0;

const PERMIT_LINE: &str = "_permit_line";
const PERMIT_LINES: &str = "_permit_lines";
const PERMITS: &str = "_permits";
const PERMIT_DAYS: &str = "_permit_days";
const DAYS: &str = "_days_in_month";
const ROWS: &str = "_rows";
const UNKNOWN: &str = "_unknown";

/// The source files the figures come from (their names, for `file:line`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sources {
    /// The payroll file (`payroll.csv`).
    pub payroll: String,
    /// The permits file (`permits.csv`).
    pub permits: String,
}

/// One payroll row of a worker: one month at the site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthLine {
    /// The month (its first day).
    #[serde(serialize_with = "crate::claims::as_month")]
    pub month: NaiveDate,
    /// The line of the permit in force in the permits file (the one with
    /// the most days in the month when several are), if any.
    pub permit_line: Option<i64>,
    /// The line of the payroll row in the payroll file.
    pub payroll_line: i64,
    /// `payroll.csv:LINE`.
    pub payroll_source: String,
    /// `permits.csv:LINE`, when a permit was in force.
    pub permit_source: Option<String>,
    /// Days in the month.
    pub days_in_month: i64,
    /// Days of the month a permit was in force, when one was.
    pub permit_days: Option<i64>,
    /// Pay stated on the permit for the month (pro-rated by its days).
    pub stated_dkk: Option<f64>,
    /// Gross pay received.
    pub received_dkk: Option<f64>,
    /// `max(0, stated − received)`; unknown when either is, or when the
    /// month cannot be decided (see `unknown`).
    pub shortfall_dkk: Option<f64>,
    /// Paid to an account not the worker's own.
    pub third_party: Option<bool>,
    /// Hours paid in the month.
    pub hours_paid: Option<f64>,
    /// Hours paid above 48 × (days in the month / 7).
    pub hours_over_48: Option<f64>,
    /// Weekly hours stated on the permit × its days in the month / 7.
    pub stated_hours: Option<f64>,
    /// Why the shortfall is unknown, when it is.
    pub unknown: Option<NoteKind>,
}

impl MonthLine {
    /// Whether the permit covers only part of the month (stated pay pro-rated).
    pub fn pro_rated(&self) -> bool {
        self.permit_days.is_some_and(|d| d < self.days_in_month)
    }
}

/// One worker at a site: the pseudonym, the months and their totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkerShortfall {
    /// The pseudonymous person id of the data (nothing else about the person).
    pub person_id: String,
    /// The payroll months, oldest first.
    pub months: Vec<MonthLine>,
    /// Their totals.
    pub totals: Totals,
}

/// One site: its workers, totals and notes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteShortfall {
    /// The site id (P-number).
    pub site_id: String,
    /// The site's name.
    pub name: Option<String>,
    /// The first payroll month.
    #[serde(serialize_with = "crate::claims::as_opt_month")]
    pub first_month: Option<NaiveDate>,
    /// The last payroll month.
    #[serde(serialize_with = "crate::claims::as_opt_month")]
    pub last_month: Option<NaiveDate>,
    /// Workers with payroll rows, by person id.
    pub workers: Vec<WorkerShortfall>,
    /// Totals over every worker.
    pub totals: Totals,
    /// Unknown months, permits without payroll, months of several permits.
    pub notes: Vec<Note>,
}

/// The calculation for one site or every site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shortfall {
    /// The source files.
    pub sources: Sources,
    /// Records dated after this day were rejected on load.
    pub records_up_to: NaiveDate,
    /// SHA-256 over the input files and the mapping.
    pub data_fingerprint: String,
    /// The sites, by id.
    pub sites: Vec<SiteShortfall>,
}

/// A site's month lines by person, and its notes, while they are read.
type SiteParts = (BTreeMap<String, Vec<MonthLine>>, Vec<Note>);

/// Pay stated against pay received at one site (`Some(id)`) or at every
/// site with payroll or permits (`None`). Needs `payroll` and `permits`.
pub fn shortfall(ds: &Dataset, site: Option<&str>) -> Result<Shortfall, ClaimError> {
    let dir = &ds.report.data_dir;
    let mut payroll =
        table_lazy(ds, Table::Payroll).ok_or_else(|| ClaimError::missing(Table::Payroll, dir))?;
    let mut permits =
        table_lazy(ds, Table::Permits).ok_or_else(|| ClaimError::missing(Table::Permits, dir))?;
    let names = site_names(ds)?;
    if let Some(s) = site {
        if !names.contains_key(s) {
            return Err(ClaimError::UnknownSite(s.to_string()));
        }
        payroll = payroll.filter(col(SITE).eq(lit(s)));
        permits = permits.filter(col(SITE).eq(lit(s)));
    }
    let sources = Sources {
        payroll: ds.source_file(Table::Payroll),
        permits: ds.source_file(Table::Permits),
    };
    let payroll = payroll.with_columns([
        (col(MONTH_END) - col("month") + lit(1))
            .cast(DataType::Int64)
            .alias(DAYS),
        len()
            .over([col(SITE), col("person_id"), col("month")])?
            .cast(DataType::Int64)
            .alias(ROWS),
    ]);
    let permits = permits.select([
        col(SITE),
        col("person_id"),
        col("start_date"),
        col("end_date"),
        col("stated_monthly_pay_dkk"),
        col("stated_weekly_hours"),
        col(LINE_COLUMN).cast(DataType::Int64).alias(PERMIT_LINE),
    ]);
    let matches = in_force(payroll.clone(), permits.clone()).collect()?;
    let lines = month_lines(payroll, matches.clone().lazy()).collect()?;
    let orphans = permits
        .join(
            matches.lazy().select([col(PERMIT_LINE)]),
            [col(PERMIT_LINE)],
            [col(PERMIT_LINE)],
            JoinArgs::new(JoinType::Anti),
        )
        .select([
            col(SITE),
            col("person_id"),
            col(PERMIT_LINE),
            col("start_date").cast(DataType::Int32),
            col("end_date").cast(DataType::Int32),
        ])
        .sort(
            [SITE, "person_id", PERMIT_LINE],
            SortMultipleOptions::default(),
        )
        .collect()?;

    let mut by_site: BTreeMap<String, SiteParts> = BTreeMap::new();
    if let Some(s) = site {
        by_site.entry(s.to_string()).or_default();
    }
    read_lines(&lines, &sources, |site, person, line, permit_lines| {
        let (workers, notes) = by_site.entry(site.to_string()).or_default();
        notes.extend(Note::of_line(person, &line, permit_lines, &sources));
        workers.entry(person.to_string()).or_default().push(line);
    })?;
    read_orphans(&orphans, &sources, |site, note| {
        by_site.entry(site.to_string()).or_default().1.push(note);
    })?;
    Ok(Shortfall {
        sources,
        records_up_to: ds.report.as_of_limit,
        data_fingerprint: ds.report.fingerprint.clone(),
        sites: by_site
            .into_iter()
            .map(|(id, (workers, notes))| {
                let name = names.get(&id).cloned().flatten();
                SiteShortfall::new(id, name, workers, notes)
            })
            .collect(),
    })
}

impl SiteShortfall {
    fn new(
        site_id: String,
        name: Option<String>,
        workers: BTreeMap<String, Vec<MonthLine>>,
        mut notes: Vec<Note>,
    ) -> SiteShortfall {
        let workers: Vec<WorkerShortfall> = workers
            .into_iter()
            .map(|(person_id, months)| WorkerShortfall {
                totals: Totals::of(&months),
                person_id,
                months,
            })
            .collect();
        let mut totals = Totals::default();
        for w in &workers {
            totals.accumulate(&w.totals);
        }
        let months = || {
            workers
                .iter()
                .flat_map(|w| w.months.iter().map(|m| m.month))
        };
        let (first_month, last_month) = (months().min(), months().max());
        notes.sort_by(|a, b| a.person_id.cmp(&b.person_id).then(a.month.cmp(&b.month)));
        SiteShortfall {
            site_id,
            name,
            first_month,
            last_month,
            totals,
            workers,
            notes,
        }
    }
}

/// Every payroll row joined to each permit of the same person at the same
/// site in force in its month, with the permit's days in the month and its
/// stated pay and hours pro-rated by them.
fn in_force(payroll: LazyFrame, permits: LazyFrame) -> LazyFrame {
    let from = when(col("start_date").gt(col("month")))
        .then(col("start_date"))
        .otherwise(col("month"));
    let to = when(col("end_date").lt(col(MONTH_END)))
        .then(col("end_date"))
        .otherwise(col(MONTH_END));
    let days = col(PERMIT_DAYS).cast(DataType::Float64);
    payroll
        .select([
            col(LINE_COLUMN),
            col(SITE),
            col("person_id"),
            col("month"),
            col(MONTH_END),
            col(DAYS),
        ])
        .join(
            permits,
            [col(SITE), col("person_id")],
            [col(SITE), col("person_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            col("start_date").lt_eq(col(MONTH_END)).and(
                col("end_date")
                    .is_null()
                    .or(col("end_date").gt_eq(col("month"))),
            ),
        )
        .with_columns([(to - from + lit(1))
            .cast(DataType::Int64)
            .alias(PERMIT_DAYS)])
        .filter(col(PERMIT_DAYS).gt(lit(0)))
        .with_columns([
            (col("stated_monthly_pay_dkk") * days.clone() / col(DAYS).cast(DataType::Float64))
                .alias("_stated_part"),
            (col("stated_weekly_hours") * days / lit(7.0)).alias("_hours_part"),
        ])
}

/// One row per payroll row: the permit(s) in force, the stated and
/// received pay, the shortfall, the hours above the 48-hour week and why a
/// month is unknown; sorted by site, person, month and line.
fn month_lines(payroll: LazyFrame, matches: LazyFrame) -> LazyFrame {
    let most_days_first = SortMultipleOptions::default().with_order_descending_multi([true; 3]);
    let per_row = matches.group_by([col(LINE_COLUMN)]).agg([
        len().cast(DataType::Int64).alias(PERMITS),
        col(PERMIT_DAYS).sum().alias(PERMIT_DAYS),
        col("_stated_part").sum().alias("_stated"),
        col("stated_monthly_pay_dkk")
            .is_null()
            .any(true)
            .alias("_pay_missing"),
        col("_hours_part").sum().alias("_stated_hours"),
        col("stated_weekly_hours")
            .is_null()
            .any(true)
            .alias("_hours_missing"),
        col(PERMIT_LINE)
            .sort_by(
                [col(PERMIT_DAYS), col("start_date"), col(PERMIT_LINE)],
                most_days_first,
            )
            .first()
            .alias(PERMIT_LINE),
        col(PERMIT_LINE)
            .sort(SortOptions::default())
            .cast(DataType::String)
            .str()
            .join(" ", true)
            .alias(PERMIT_LINES),
    ]);
    let null_f64 = || lit(NULL).cast(DataType::Float64);
    // One permit, or several whose days fit in the month (a renewal).
    let permit_ok = col(PERMITS)
        .is_not_null()
        .and(col(PERMIT_DAYS).lt_eq(col(DAYS)));
    let stated = when(permit_ok.clone().and(col("_pay_missing").not()))
        .then(col("_stated"))
        .otherwise(null_f64());
    let stated_hours = when(permit_ok.and(col("_hours_missing").not()))
        .then(col("_stated_hours"))
        .otherwise(null_f64());
    let unknown = when(col(ROWS).gt(lit(1)))
        .then(lit(NoteKind::DuplicateRows.id()))
        .when(col(PERMITS).is_null())
        .then(lit(NoteKind::NoPermit.id()))
        .when(col(PERMIT_DAYS).gt(col(DAYS)))
        .then(lit(NoteKind::OverlappingPermits.id()))
        .when(col("_pay_missing"))
        .then(lit(NoteKind::NoStatedPay.id()))
        .when(col("gross_pay_dkk").is_null())
        .then(lit(NoteKind::NoGrossPay.id()))
        .otherwise(lit(NULL).cast(DataType::String));
    let limit = lit(MAX_WEEKLY_HOURS) * col(DAYS).cast(DataType::Float64) / lit(7.0);
    payroll
        .left_join(per_row, col(LINE_COLUMN), col(LINE_COLUMN))
        .with_columns([
            stated.alias("stated_dkk"),
            stated_hours.alias("stated_hours"),
            unknown.alias(UNKNOWN),
            (col("hours_paid") - limit)
                .clip_min(lit(0.0))
                .alias("hours_over_48"),
            col("paid_to_own_account").not().alias("third_party"),
        ])
        .with_columns([when(col(UNKNOWN).is_null())
            .then((col("stated_dkk") - col("gross_pay_dkk")).clip_min(lit(0.0)))
            .otherwise(null_f64())
            .alias("shortfall_dkk")])
        .sort(
            [SITE, "person_id", "month", LINE_COLUMN],
            SortMultipleOptions::default(),
        )
        .select([
            col(SITE).cast(DataType::String),
            col("person_id").cast(DataType::String),
            col("month").cast(DataType::Int32),
            col(LINE_COLUMN).cast(DataType::Int64),
            col(PERMIT_LINE).cast(DataType::Int64),
            col(PERMIT_LINES).cast(DataType::String),
            col(PERMITS).cast(DataType::Int64),
            col(PERMIT_DAYS).cast(DataType::Int64),
            col(DAYS).cast(DataType::Int64),
            col("stated_dkk").cast(DataType::Float64),
            col("gross_pay_dkk").cast(DataType::Float64),
            col("shortfall_dkk").cast(DataType::Float64),
            col("third_party").cast(DataType::Boolean),
            col("hours_paid").cast(DataType::Float64),
            col("hours_over_48").cast(DataType::Float64),
            col("stated_hours").cast(DataType::Float64),
            col(UNKNOWN).cast(DataType::String),
        ])
}

fn f64s<'a>(df: &'a DataFrame, name: &str) -> PolarsResult<&'a Float64Chunked> {
    df.column(name)?.f64()
}

fn i64s<'a>(df: &'a DataFrame, name: &str) -> PolarsResult<&'a Int64Chunked> {
    df.column(name)?.i64()
}

/// Turns the month-lines frame into lines: `each(site, person, line,
/// permit lines in force)` in frame order.
fn read_lines(
    df: &DataFrame,
    sources: &Sources,
    mut each: impl FnMut(&str, &str, MonthLine, &[i64]),
) -> PolarsResult<()> {
    let site = df.column(SITE)?.str()?;
    let person = df.column("person_id")?.str()?;
    let month = df.column("month")?.i32()?;
    let line = i64s(df, LINE_COLUMN)?;
    let permit_line = i64s(df, PERMIT_LINE)?;
    let permit_lines = df.column(PERMIT_LINES)?.str()?;
    let permit_days = i64s(df, PERMIT_DAYS)?;
    let days = i64s(df, DAYS)?;
    let stated = f64s(df, "stated_dkk")?;
    let received = f64s(df, "gross_pay_dkk")?;
    let short = f64s(df, "shortfall_dkk")?;
    let third_party = df.column("third_party")?.bool()?;
    let hours = f64s(df, "hours_paid")?;
    let over = f64s(df, "hours_over_48")?;
    let stated_hours = f64s(df, "stated_hours")?;
    let unknown = df.column(UNKNOWN)?.str()?;
    for i in 0..df.height() {
        let (Some(s), Some(p), Some(m), Some(l)) =
            (site.get(i), person.get(i), month.get(i), line.get(i))
        else {
            continue; // required columns: never null after the load
        };
        let lines: Vec<i64> = permit_lines
            .get(i)
            .map(|t| t.split(' ').filter_map(|x| x.parse().ok()).collect())
            .unwrap_or_default();
        let pl = permit_line.get(i);
        let month_line = MonthLine {
            month: from_days(m),
            permit_line: pl,
            payroll_line: l,
            payroll_source: format!("{}:{l}", sources.payroll),
            permit_source: pl.map(|x| format!("{}:{x}", sources.permits)),
            days_in_month: days.get(i).unwrap_or_default(),
            permit_days: pl.and(permit_days.get(i)),
            stated_dkk: stated.get(i),
            received_dkk: received.get(i),
            shortfall_dkk: short.get(i),
            third_party: third_party.get(i),
            hours_paid: hours.get(i),
            hours_over_48: over.get(i),
            stated_hours: stated_hours.get(i),
            unknown: unknown.get(i).and_then(NoteKind::from_id),
        };
        each(s, p, month_line, &lines);
    }
    Ok(())
}

/// Turns the permits without payroll into notes: `each(site, note)`.
fn read_orphans(
    df: &DataFrame,
    sources: &Sources,
    mut each: impl FnMut(&str, Note),
) -> PolarsResult<()> {
    let site = df.column(SITE)?.str()?;
    let person = df.column("person_id")?.str()?;
    let line = i64s(df, PERMIT_LINE)?;
    let start = df.column("start_date")?.i32()?;
    let end = df.column("end_date")?.i32()?;
    for i in 0..df.height() {
        let (Some(s), Some(p), Some(l)) = (site.get(i), person.get(i), line.get(i)) else {
            continue;
        };
        let to = end.get(i).map_or_else(
            || "open-ended".to_string(),
            |d| format!("to {}", from_days(d)),
        );
        let from = start
            .get(i)
            .map_or_else(|| "?".to_string(), |d| from_days(d).to_string());
        each(
            s,
            Note {
                person_id: p.to_string(),
                month: None,
                kind: NoteKind::PermitWithoutPayroll,
                sources: vec![format!("{}:{l}", sources.permits)],
                text: format!(
                    "permit in force from {from} ({to}) has no payroll row at this site while in force: the pay received is unknown, not 0"
                ),
            },
        );
    }
    Ok(())
}

/// Site id → name.
fn site_names(ds: &Dataset) -> PolarsResult<HashMap<String, Option<String>>> {
    let Some(sites) = ds.get(Table::Sites) else {
        return Ok(HashMap::new());
    };
    let ids = sites.column(SITE)?.str()?;
    let names = sites.column("name")?.str()?;
    Ok(ids
        .iter()
        .zip(names.iter())
        .filter_map(|(id, name)| Some((id?.to_string(), name.map(str::to_string))))
        .collect())
}

#[cfg(test)]
mod tests;
