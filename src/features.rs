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
//!
//! Inside [`compute`] every id column is an integer code (one dictionary
//! per kind of id, see `codes`), so joins and group-bys compare integers;
//! the result carries the ids as text again.

pub(crate) mod codes;
mod events;
mod network;
mod people;
mod site;

use chrono::NaiveDate;
use polars::prelude::*;

use crate::data::parse::to_days;
use crate::data::{Dataset, Table};

/// The 11 ILO ids, re-exported for feature naming.
pub use crate::data::ILO_INDICATORS;
pub use events::{LOOKED_FOR_PREFIX, SEVERE_OUTCOMES};
pub(crate) use people::{address_occupancy, lives_then, residence_intervals};

/// Columns of a targets frame.
pub const KEY: &str = "key";
/// The site column.
pub const SITE: &str = "site_id";
/// The as-of column (days since 1970-01-01, Int32).
pub const AS_OF: &str = "as_of";

/// Average weeks per month, to turn monthly hours into weekly hours.
pub const WEEKS_PER_MONTH: f64 = 4.33;
/// The column with the last day of a payroll month (days since 1970-01-01).
pub const MONTH_END: &str = "_month_end";

/// A day count for "within the last year".
pub const YEAR_DAYS: i32 = 365;

/// Persons per room above which an address is overcrowded: the 2025
/// employer-housing law's rule of at most 2 persons per room. The one
/// definition for the housing features, the network signal and permit
/// screening (`overcrowded_employer_housing` in the catalogue says `> 2`).
pub const CROWDED_PERSONS_PER_ROOM: f64 = 2.0;

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
            ) && df.schema().contains(c.name)
        })
        .map(|c| col(c.name).cast(DataType::Int32))
        .collect();
    let lf = df.clone().lazy().with_columns(dates);
    if table != Table::Payroll {
        return Some(lf);
    }
    // Payroll months are stored as their first day; add each month's last
    // day (a national year has tens of millions of rows but a few distinct
    // months, so each month's end is computed once).
    let mut known: std::collections::HashMap<i32, i32> = std::collections::HashMap::new();
    let ends: Vec<Option<i32>> = df
        .column("month")
        .ok()
        .and_then(|c| c.cast(&DataType::Int32).ok())
        .and_then(|c| {
            c.i32().ok().map(|ca| {
                ca.iter()
                    .map(|d| d.map(|d| *known.entry(d).or_insert_with(|| month_end(d))))
                    .collect()
            })
        })
        .unwrap_or_else(|| vec![None; df.height()]);
    Some(lf.with_columns([lit(Series::new(MONTH_END.into(), ends)).alias(MONTH_END)]))
}

/// The last day of the month that starts on `first` (days since 1970-01-01).
fn month_end(first: i32) -> i32 {
    use chrono::Datelike;
    let d = crate::data::parse::from_days(first);
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).map_or(first + 30, |next| to_days(next) - 1)
}

/// The earliest and latest as-of date of the targets, when there are any.
/// Rows outside every target's window can be dropped before any join; for
/// a ranking, where all targets share one date, that is the window itself.
pub(crate) fn as_of_span(targets: &LazyFrame) -> Option<(i32, i32)> {
    let df = targets
        .clone()
        .select([col(AS_OF).min().alias("lo"), col(AS_OF).max().alias("hi")])
        .collect()
        .ok()?;
    let get = |name: &str| df.column(name).ok()?.i32().ok()?.get(0);
    Some((get("lo")?, get("hi")?))
}

/// Sorts rows so that each group's rows are together and in order, for
/// the window functions and shifts that follow: coded ids sort as their
/// integers (a categorical by its codes, text as text); the order between
/// groups is not used.
pub(crate) fn sort_grouped(lf: LazyFrame, keys: &[&str]) -> LazyFrame {
    let by: Vec<Expr> = keys.iter().map(|k| col(*k).to_physical()).collect();
    lf.sort_by_exprs(by, SortMultipleOptions::default())
}

/// Whether each row starts a run of equal `keys` in rows sorted by them
/// (see [`sort_grouped`]): the first row, or one whose keys differ from
/// the row before.
pub(crate) fn run_start(keys: &[&str]) -> Expr {
    keys.iter().fold(lit(false), |acc, k| {
        acc.or(col(*k).neq_missing(col(*k).shift(lit(1))))
    })
}

/// The running maximum of the `Int32` `value` within each run of equal
/// `keys` (rows sorted by them), up to and including the row.
///
/// One pass over all rows, not a window per group (polars evaluates
/// `cum_max().over()` group by group, which is slow with a hundred
/// thousand groups): the run's number is the high half of one integer and
/// the value, offset to be non-negative, the low half, so the running
/// maximum over all rows so far is always one of the row's own run.
pub(crate) fn running_max(keys: &[&str], value: Expr) -> Expr {
    let run = run_start(keys).cast(DataType::UInt32).cum_sum(false);
    let offset = || lit(1i64 << 31);
    let packed = halves(run, value.strict_cast(DataType::Int64) + offset()).cum_max(false);
    ((packed % lit(1u64 << 32)).strict_cast(DataType::Int64) - offset())
        .strict_cast(DataType::Int32)
}

/// `df`'s column `name` marked as sorted ascending, which the caller knows
/// it is: polars then groups it in runs of equal values instead of
/// hashing every row.
pub(crate) fn mark_sorted(df: &mut DataFrame, name: &str) -> PolarsResult<()> {
    let mut column = df.column(name)?.clone();
    column.set_sorted_flag(polars::series::IsSorted::Ascending);
    df.with_column(column)?;
    Ok(())
}

/// One 64-bit integer for a pair of coded ids (`hi`, `lo`): grouping or
/// joining on it hashes one integer where two columns would be encoded
/// row by row. The casts are strict: an id that was not coded fails the
/// plan instead of turning into a null key.
pub(crate) fn codes_key(hi: &str, lo: &str) -> Expr {
    halves(col(hi), col(lo))
}

/// Two values of at most 32 bits as the high and low halves of one
/// `UInt64` (strict casts: a value that does not fit fails the plan).
fn halves(hi: Expr, lo: Expr) -> Expr {
    (hi.to_physical().strict_cast(DataType::UInt64) * lit(1u64 << 32))
        + lo.to_physical().strict_cast(DataType::UInt64)
}

/// One integer for a coded address on the as-of date (`_ad`): the
/// address's code in the high half, the day (offset to be non-negative) in
/// the low half. The housing and network features join and group on it.
pub(crate) fn address_day() -> Expr {
    halves(
        col("address_id"),
        col(AS_OF).strict_cast(DataType::Int64) + lit(1i64 << 31),
    )
}

/// The two codes a [`codes_key`] holds, as (`hi`, `lo`) `UInt32` columns.
pub(crate) fn codes_of_key(key: &str) -> (Expr, Expr) {
    let half = || lit(1u64 << 32);
    (
        col(key).floor_div(half()).strict_cast(DataType::UInt32),
        (col(key) % half()).strict_cast(DataType::UInt32),
    )
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
    let targets = targets.with_row_index(ROW, None).collect()?;
    // The coded tables and the dictionaries are freed before the result is
    // sorted (they would otherwise add to the peak memory at national size).
    let out = {
        let (coded, coded_targets, codes) = {
            let _stage = crate::progress::stage("features: ids");
            codes::code(ds, &targets)?
        };
        compute_coded(&coded, coded_targets.lazy(), &codes)?
    };
    Ok(out
        .lazy()
        .drop(by_name([ROW], true, false))
        .sort([KEY], SortMultipleOptions::default()))
}

/// The row index that joins each feature group back to its target.
const ROW: &str = "_row";

/// [`compute`] on the coded data set: the site's columns (decoded) and
/// every feature group side by side, one row per target in [`ROW`] order.
fn compute_coded(
    ds: &Dataset,
    targets: LazyFrame,
    codes: &codes::Codes<'_>,
) -> PolarsResult<DataFrame> {
    // The site's own columns, materialised once; every feature group is then
    // computed from this narrow base and joined back on the row. (Chaining
    // the groups as one plan made every group re-evaluate the ones before
    // it, which grew exponentially with the number of groups.)
    let site = {
        let _stage = crate::progress::stage("features: site");
        site::attach_site(ds, targets)?.collect()?
    };
    let base_cols: [&str; 5] = [KEY, SITE, AS_OF, "company_id", ROW];
    let base = site.select(base_cols)?.lazy();
    type Step = fn(&Dataset, LazyFrame) -> PolarsResult<LazyFrame>;
    let steps: [(&str, Step); 9] = [
        ("permits", |ds, t| Ok(people::attach_permits(ds, t))),
        ("payroll", people::attach_payroll),
        ("residences", |ds, t| Ok(people::attach_residences(ds, t))),
        ("postings", |ds, t| Ok(events::attach_postings(ds, t))),
        ("inspections", |ds, t| Ok(events::attach_inspections(ds, t))),
        ("findings", |ds, t| Ok(events::attach_findings(ds, t))),
        ("tips", |ds, t| Ok(events::attach_tips(ds, t))),
        ("company", |ds, t| Ok(events::attach_company(ds, t))),
        ("network", network::attach_network),
    ];
    let mut out = in_row_order(codes.decode(site)?)?.0;
    for (label, step) in steps {
        let part = {
            let _stage = crate::progress::stage(format!("features: {label}"));
            step(ds, base.clone())?.collect()?
        };
        let new: Vec<String> = part
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .filter(|n| n == ROW || !base_cols.contains(&n.as_str()))
            .collect();
        if new.len() > 1 {
            out = beside(out, part.select(new)?)?;
        }
    }
    // A site whose company is not known (an export without CVR numbers)
    // cannot show what its company's other sites or leaders did: those
    // features are unknown there, never 0.
    let unknown_company: Vec<Expr> = COMPANY_FEATURES
        .iter()
        .map(|f| {
            when(col("company_id").is_null())
                .then(lit(NULL))
                .otherwise(col(*f))
                .alias(*f)
        })
        .collect();
    out.lazy().with_columns(unknown_company).collect()
}

/// `df` sorted by [`ROW`] (left as it is when it already is in order),
/// and whether it then holds exactly the rows 0, 1, 2, ...
fn in_row_order(df: DataFrame) -> PolarsResult<(DataFrame, bool)> {
    if is_row_order(&df)? {
        return Ok((df, true));
    }
    let df = df.sort([ROW], SortMultipleOptions::default())?;
    let exact = is_row_order(&df)?;
    Ok((df, exact))
}

/// Whether `df` holds rows 0, 1, 2, ... in that order.
fn is_row_order(df: &DataFrame) -> PolarsResult<bool> {
    let rows = df.column(ROW)?.idx()?;
    Ok(rows
        .iter()
        .enumerate()
        .all(|(i, r)| r.is_some_and(|r| r as usize == i)))
}

/// A feature group's columns added to `out` (rows 0, 1, 2, ...): side by
/// side once the group is in row order (no hashing), joined on [`ROW`] if
/// its rows do not line up (a group that lost or repeated a target; then
/// its missing targets get nulls, as with a join).
fn beside(out: DataFrame, part: DataFrame) -> PolarsResult<DataFrame> {
    let (part, exact) = in_row_order(part)?;
    if exact && part.height() == out.height() {
        let cols: Vec<Column> = part
            .columns()
            .iter()
            .filter(|c| c.name().as_str() != ROW)
            .cloned()
            .collect();
        return out.hstack(&cols);
    }
    let joined = out
        .lazy()
        .left_join(part.lazy(), col(ROW), col(ROW))
        .collect()?;
    Ok(in_row_order(joined)?.0)
}

/// The features that describe a site's company, its other sites or its
/// owners and directors: unknown where the company is.
pub const COMPANY_FEATURES: [&str; 4] = [
    "company_sites",
    "company_severe_other_sites",
    "network_linked_severe",
    "network_phoenix",
];

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

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(idx: &[IdxSize], name: &str, values: &[f64]) -> PolarsResult<DataFrame> {
        DataFrame::new(
            idx.len(),
            vec![
                Column::new(ROW.into(), idx),
                Column::new(name.into(), values),
            ],
        )
    }

    fn f64s(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
        Ok(df.column(name)?.f64()?.iter().collect())
    }

    #[test]
    fn a_group_out_of_order_is_put_beside_its_own_targets() -> PolarsResult<()> {
        let out = rows(&[0, 1, 2], "a", &[10.0, 11.0, 12.0])?;
        let part = rows(&[2, 0, 1], "b", &[2.0, 0.0, 1.0])?;
        let both = beside(out, part)?;
        assert_eq!(f64s(&both, "b")?, vec![Some(0.0), Some(1.0), Some(2.0)]);
        assert_eq!(both.height(), 3);
        Ok(())
    }

    #[test]
    fn a_group_missing_a_target_leaves_it_unknown() -> PolarsResult<()> {
        let out = rows(&[0, 1, 2], "a", &[10.0, 11.0, 12.0])?;
        let part = rows(&[2, 0], "b", &[2.0, 0.0])?;
        let both = beside(out, part)?;
        assert_eq!(f64s(&both, "b")?, vec![Some(0.0), None, Some(2.0)]);
        assert_eq!(f64s(&both, "a")?, vec![Some(10.0), Some(11.0), Some(12.0)]);
        Ok(())
    }

    #[test]
    fn an_address_day_is_one_integer_per_address_and_date() -> PolarsResult<()> {
        // Dates before 1970 (negative day counts) and the largest code too.
        let df = df!(
            "address_id" => [0u32, 0, 1, u32::MAX, u32::MAX],
            AS_OF => [-1i32, 0, -1, i32::MIN, i32::MAX],
        )?;
        let keys: Vec<Option<u64>> = df
            .lazy()
            .select([address_day().alias("_ad")])
            .collect()?
            .column("_ad")?
            .u64()?
            .iter()
            .collect();
        assert!(keys.iter().all(Option::is_some), "{keys:?}");
        let distinct: std::collections::BTreeSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len(), "{keys:?}");
        Ok(())
    }

    #[test]
    fn a_pair_key_gives_back_both_codes() -> PolarsResult<()> {
        let df = df!("p" => [7u32, u32::MAX], "s" => [u32::MAX, 0u32])?;
        let (hi, lo) = codes_of_key("_k");
        let back = df
            .lazy()
            .with_columns([codes_key("p", "s").alias("_k")])
            .select([hi.alias("p2"), lo.alias("s2"), col("p"), col("s")])
            .collect()?;
        let u32s = |n: &str| -> PolarsResult<Vec<Option<u32>>> {
            Ok(back.column(n)?.u32()?.iter().collect())
        };
        assert_eq!(u32s("p2")?, u32s("p")?);
        assert_eq!(u32s("s2")?, u32s("s")?);
        Ok(())
    }

    #[test]
    fn a_running_maximum_restarts_with_each_run_of_keys() -> PolarsResult<()> {
        // Runs of (g, h), sorted; values at both ends of Int32 and a run
        // whose first value is below the previous run's maximum.
        let g = [1u32, 1, 1, 1, 2, 2, 3, 3, 3];
        let h = ["a", "a", "b", "b", "a", "a", "a", "a", "a"];
        let v = [5i32, 3, -7, i32::MIN, i32::MAX, 0, -2, -9, 4];
        let df = df!("g" => g, "h" => h, "v" => v)?
            .lazy()
            .with_columns([
                run_start(&["g", "h"]).alias("start"),
                running_max(&["g", "h"], col("v")).alias("max"),
            ])
            .collect()?;
        // The same by hand, run by run.
        let mut expected = Vec::new();
        let mut starts = Vec::new();
        for i in 0..v.len() {
            let start = i == 0 || (g[i], h[i]) != (g[i - 1], h[i - 1]);
            let prev = if start { i32::MIN } else { expected[i - 1] };
            starts.push(start);
            expected.push(prev.max(v[i]));
        }
        let got_max: Vec<Option<i32>> = df.column("max")?.i32()?.iter().collect();
        let got_start: Vec<Option<bool>> = df.column("start")?.bool()?.iter().collect();
        assert_eq!(got_max, expected.into_iter().map(Some).collect::<Vec<_>>());
        assert_eq!(got_start, starts.into_iter().map(Some).collect::<Vec<_>>());
        Ok(())
    }
}
