//! Site features as of a date: one row per *target* (a site at an as-of
//! date), computed with polars' lazy engine from every table present, using
//! only records dated on or before the target's as-of date.
//!
//! A target is `(key, site_id, as_of)`. Ranking uses one target per site at
//! one date; training uses one target per past inspection, as of the day
//! before it. Both go through [`compute`], so there is one implementation of
//! every feature. A feature whose table is absent is null, never zero; counts
//! are zero when the table is present and nothing matched. The feature list
//! with meanings is in `docs/features.md`.

mod events;
mod people;
mod site;

use chrono::NaiveDate;
use polars::prelude::*;

use crate::data::parse::to_days;
use crate::data::{Dataset, Table};

/// The 11 ILO ids, re-exported for feature naming.
pub use crate::data::ILO_INDICATORS;

/// Columns of a targets frame.
pub const KEY: &str = "key";
/// The site column.
pub const SITE: &str = "site_id";
/// The as-of column (days since 1970-01-01, Int32).
pub const AS_OF: &str = "as_of";

/// Average weeks per month, to turn monthly hours into weekly hours.
pub const WEEKS_PER_MONTH: f64 = 4.33;
/// A day count for "within the last year".
pub const YEAR_DAYS: i32 = 365;

/// One target per site, all at `as_of`; the key is the site id.
pub fn site_targets(ds: &Dataset, as_of: NaiveDate) -> PolarsResult<LazyFrame> {
    let sites = sites_frame(ds)?;
    Ok(sites.lazy().select([
        col(SITE).alias(KEY),
        col(SITE),
        lit(to_days(as_of)).cast(DataType::Int32).alias(AS_OF),
    ]))
}

fn sites_frame(ds: &Dataset) -> PolarsResult<DataFrame> {
    ds.get(Table::Sites)
        .cloned()
        .ok_or_else(|| polars_err!(ComputeError: "the sites table is required"))
}

/// A table as a lazy frame with its date columns as day counts (Int32).
pub(crate) fn table_lazy(ds: &Dataset, table: Table) -> Option<LazyFrame> {
    let df = ds.get(table)?;
    let dates: Vec<Expr> = table
        .columns()
        .iter()
        .filter(|c| {
            matches!(
                c.ty,
                crate::data::ColType::Date | crate::data::ColType::Month
            )
        })
        .map(|c| col(c.name).cast(DataType::Int32))
        .collect();
    Some(df.clone().lazy().with_columns(dates))
}

/// Typed null columns for features whose table is absent.
pub(crate) fn null_columns(names: &[(String, DataType)]) -> Vec<Expr> {
    names
        .iter()
        .map(|(n, t)| lit(NULL).cast(t.clone()).alias(n.as_str()))
        .collect()
}

/// Left-joins a per-key aggregate onto the targets; `counts` are filled
/// with zero (the table is present, nothing matched).
pub(crate) fn attach(targets: LazyFrame, agg: LazyFrame, counts: &[&str]) -> LazyFrame {
    let fills: Vec<Expr> = counts.iter().map(|c| col(*c).fill_null(lit(0))).collect();
    targets
        .left_join(agg, col(KEY), col(KEY))
        .with_columns(fills)
}

/// Computes every feature for the targets (`key`, `site_id`, `as_of`).
/// The result has one row per target, sorted by key.
pub fn compute(ds: &Dataset, targets: LazyFrame) -> PolarsResult<LazyFrame> {
    let mut lf = site::attach_site(ds, targets)?;
    lf = people::attach_permits(ds, lf);
    lf = people::attach_payroll(ds, lf);
    lf = people::attach_residences(ds, lf);
    lf = events::attach_postings(ds, lf);
    lf = events::attach_inspections(ds, lf);
    lf = events::attach_findings(ds, lf);
    lf = events::attach_tips(ds, lf);
    lf = events::attach_company(ds, lf);
    Ok(lf.sort([KEY], SortMultipleOptions::default()))
}

/// Features for every site as of one date, collected.
pub fn for_sites(ds: &Dataset, as_of: NaiveDate) -> PolarsResult<DataFrame> {
    compute(ds, site_targets(ds, as_of)?)?.collect()
}

/// The schema of the feature table (every feature, computed over an empty
/// data set with every table present).
pub fn schema() -> PolarsResult<Schema> {
    let ds = Dataset::empty_all_tables()?;
    let targets = site_targets(&ds, crate::data::parse::epoch())?;
    let schema = compute(&ds, targets)?.collect_schema()?;
    Ok(schema.as_ref().clone())
}
