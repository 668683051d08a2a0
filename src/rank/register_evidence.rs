//! The register records behind a site's pay, hours and housing signals,
//! with their source file and line: the site's payroll rows of the 12
//! complete months up to the as-of date (the window of the payroll
//! features), and the residences of its permit holders. Used by `explain`
//! so a person can check those figures against the input files. Person and
//! address ids are pseudonyms; nationality is never shown.

use chrono::NaiveDate;
use polars::prelude::*;

use super::evidence::Record;
use crate::data::load::LINE_COLUMN;
use crate::data::parse::{from_days, to_days};
use crate::data::{Dataset, Table};
use crate::features::{MONTH_END, WEEKS_PER_MONTH, YEAR_DAYS, table_lazy};

/// The register records of a site as of a date: its payroll rows in the
/// 12-month window, then the residences of its permit holders, each sorted
/// by date then line.
pub fn register_records(
    ds: &Dataset,
    site_id: &str,
    as_of: NaiveDate,
) -> PolarsResult<Vec<Record>> {
    let as_of_days = to_days(as_of);
    let mut out = payroll_records(ds, site_id, as_of_days)?;
    out.extend(residence_records(ds, site_id, as_of_days)?);
    Ok(out)
}

/// Permit holders of the site as the features count them: permits started
/// on or before the as-of date and not ended more than a year before it,
/// with each person's stated hourly pay (`_stated_hourly`, the median over
/// their permits there).
fn holders(ds: &Dataset, site_id: &str, as_of_days: i32) -> Option<LazyFrame> {
    let permits = table_lazy(ds, Table::Permits)?;
    let stated = when(col("stated_weekly_hours").gt(lit(0.0)))
        .then(
            col("stated_monthly_pay_dkk").cast(DataType::Float64)
                / (col("stated_weekly_hours").cast(DataType::Float64) * lit(WEEKS_PER_MONTH)),
        )
        .otherwise(lit(NULL).cast(DataType::Float64));
    Some(
        permits
            .filter(
                col("site_id")
                    .eq(lit(site_id))
                    .and(col("start_date").lt_eq(lit(as_of_days)))
                    .and(
                        col("end_date")
                            .is_null()
                            .or(col("end_date").gt_eq(lit(as_of_days - YEAR_DAYS))),
                    ),
            )
            .with_columns([stated.alias("_stated_hourly")])
            .group_by([col("person_id")])
            .agg([col("_stated_hourly").median()]),
    )
}

fn payroll_records(ds: &Dataset, site_id: &str, as_of_days: i32) -> PolarsResult<Vec<Record>> {
    let Some(payroll) = table_lazy(ds, Table::Payroll) else {
        return Ok(Vec::new());
    };
    let file = ds.source_file(Table::Payroll);
    // Complete months only: a month counts once its last day is on or
    // before the as-of date, and for a year after that.
    let mut lf = payroll
        .filter(
            col("site_id").eq(lit(site_id)).and(
                col(MONTH_END)
                    .lt_eq(lit(as_of_days))
                    .and(col(MONTH_END).gt(lit(as_of_days - YEAR_DAYS))),
            ),
        )
        .select([
            col("person_id"),
            col("month").cast(DataType::Int32),
            col("gross_pay_dkk").cast(DataType::Float64),
            col("hours_paid").cast(DataType::Float64),
            col("paid_to_own_account").cast(DataType::Boolean),
            col(LINE_COLUMN).cast(DataType::Int64),
        ]);
    lf = match holders(ds, site_id, as_of_days) {
        Some(h) => lf.left_join(h, col("person_id"), col("person_id")),
        None => lf.with_columns([lit(NULL).cast(DataType::Float64).alias("_stated_hourly")]),
    };
    let df = lf
        .with_columns([when(col("hours_paid").gt(lit(0.0)))
            .then(col("gross_pay_dkk") / col("hours_paid"))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias("_hourly")])
        .sort(["month", LINE_COLUMN], SortMultipleOptions::default())
        .collect()?;
    let person = df.column("person_id")?.str()?;
    let month = df.column("month")?.i32()?;
    let gross = df.column("gross_pay_dkk")?.f64()?;
    let hours = df.column("hours_paid")?.f64()?;
    let own = df.column("paid_to_own_account")?.bool()?;
    let line = df.column(LINE_COLUMN)?.i64()?;
    let hourly = df.column("_hourly")?.f64()?;
    let stated = df.column("_stated_hourly")?.f64()?;
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let m = month
            .get(i)
            .map(|d| from_days(d).format("%Y-%m").to_string());
        let pay = gross.get(i).map_or_else(|| "-".to_string(), dkk);
        let time = hours.get(i).map_or_else(
            || "unknown hours".to_string(),
            |h| format!("{h} h ({:.1} h/week)", h / WEEKS_PER_MONTH),
        );
        let ratio = match (hourly.get(i), stated.get(i)) {
            (Some(p), Some(s)) if s > 0.0 => format!(
                ", {p:.0} DKK/h = {:.0}% of the {s:.0} DKK/h stated on the permit",
                p / s * 100.0
            ),
            _ => String::new(),
        };
        let account = match own.get(i) {
            Some(true) => "paid to own account",
            Some(false) => "paid to a third-party account",
            None => "account not known",
        };
        let summary = format!(
            "person {} {}: {pay} DKK gross for {time}{ratio}, {account}",
            person.get(i).unwrap_or("-"),
            m.as_deref().unwrap_or("-"),
        );
        out.push(Record {
            table: "payroll",
            file: file.clone(),
            line: line.get(i).unwrap_or(0),
            date: m,
            after_as_of: false,
            summary,
        });
    }
    Ok(out)
}

fn residence_records(ds: &Dataset, site_id: &str, as_of_days: i32) -> PolarsResult<Vec<Record>> {
    let (Some(res), Some(holders)) = (
        table_lazy(ds, Table::Residences),
        holders(ds, site_id, as_of_days),
    ) else {
        return Ok(Vec::new());
    };
    let file = ds.source_file(Table::Residences);
    let persons = res
        .clone()
        .group_by([col("address_id")])
        .agg([col("person_id")
            .n_unique()
            .cast(DataType::Int64)
            .alias("_persons")]);
    let df = res
        .inner_join(
            holders.select([col("person_id")]),
            col("person_id"),
            col("person_id"),
        )
        .left_join(persons, col("address_id"), col("address_id"))
        .select([
            col("person_id"),
            col("address_id"),
            col("from_date").cast(DataType::Int32),
            col("employer_provided").cast(DataType::Boolean),
            col("rooms").cast(DataType::Int64),
            col("_persons"),
            col(LINE_COLUMN).cast(DataType::Int64),
        ])
        .sort(["from_date", LINE_COLUMN], SortMultipleOptions::default())
        .collect()?;
    let person = df.column("person_id")?.str()?;
    let address = df.column("address_id")?.str()?;
    let from = df.column("from_date")?.i32()?;
    let employer = df.column("employer_provided")?.bool()?;
    let rooms = df.column("rooms")?.i64()?;
    let count = df.column("_persons")?.i64()?;
    let line = df.column(LINE_COLUMN)?.i64()?;
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let d = from.get(i);
        let date = d.map(|x| from_days(x).to_string());
        let room_text = match rooms.get(i) {
            Some(1) => "1 room".to_string(),
            Some(n) => format!("{n} rooms"),
            None => "rooms not known".to_string(),
        };
        let provider = match employer.get(i) {
            Some(true) => "employer-provided",
            Some(false) => "not employer-provided",
            None => "provider not known",
        };
        let n = count.get(i).unwrap_or(0);
        out.push(Record {
            table: "residences",
            file: file.clone(),
            line: line.get(i).unwrap_or(0),
            after_as_of: d.is_some_and(|x| x > as_of_days),
            summary: format!(
                "person {} registered at address {} from {} ({room_text}, {provider}); {n} person{} registered at that address in all",
                person.get(i).unwrap_or("-"),
                address.get(i).unwrap_or("-"),
                date.as_deref().unwrap_or("always"),
                if n == 1 { "" } else { "s" },
            ),
            date,
        });
    }
    Ok(out)
}

/// An amount in whole DKK with thousands separators: `18,000`.
fn dkk(v: f64) -> String {
    crate::claims::report::grouped(v, 0)
}

#[cfg(test)]
mod tests {
    use super::dkk;

    #[test]
    fn amounts_have_thousands_separators() {
        assert_eq!(dkk(18_000.0), "18,000");
        assert_eq!(dkk(999.6), "1,000");
        assert_eq!(dkk(1_234_567.0), "1,234,567");
        assert_eq!(dkk(0.0), "0");
        assert_eq!(dkk(-4_500.0), "-4,500");
    }
}
