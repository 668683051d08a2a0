//! Features about the people working at a site: permit holders (housing,
//! employer-bound permits, recruiters, stated pay), their payroll over the
//! last 12 months (paid vs stated hourly pay, weekly hours, zero-pay months,
//! third-party accounts, pay from other sites) and where they live (persons
//! per room at employer-provided and other addresses).

use polars::prelude::*;

use super::{
    AS_OF, CROWDED_PERSONS_PER_ROOM, KEY, MONTH_END, SITE, WEEKS_PER_MONTH, YEAR_DAYS, address_day,
    as_of_span, attach, codes_key, codes_of_key, mark_sorted, null_columns, table_lazy,
};
use crate::data::{Dataset, Table};

/// Permit holders of each target's site: permits started on or before the
/// as-of date and not ended more than a year before it.
pub(super) fn active_permits(ds: &Dataset, targets: &LazyFrame) -> Option<LazyFrame> {
    let permits = table_lazy(ds, Table::Permits)?;
    Some(
        targets
            .clone()
            .select([col(KEY), col(SITE), col(AS_OF)])
            .inner_join(permits, col(SITE), col(SITE))
            .filter(
                col("start_date").lt_eq(col(AS_OF)).and(
                    col("end_date")
                        .is_null()
                        .or(col("end_date").gt_eq(col(AS_OF) - lit(YEAR_DAYS))),
                ),
            )
            .with_columns([when(col("stated_weekly_hours").gt(lit(0.0)))
                .then(
                    col("stated_monthly_pay_dkk")
                        / (col("stated_weekly_hours") * lit(WEEKS_PER_MONTH)),
                )
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("_stated_hourly")]),
    )
}

/// Annual pay is compared with this share of the scheme's threshold: the
/// threshold counts employer pension contributions and holiday allowance,
/// which gross pay in the payroll register leaves out.
pub const THRESHOLD_SHARE_OF_GROSS: f64 = 0.85;

/// Each permit's annual pay threshold (`_threshold`): that of its scheme in
/// force on the permit's start date, from the bundled scheme table; null
/// for schemes without one and for permits dated before the first year
/// whose thresholds are bundled (2025), which are not assessed.
fn scheme_threshold() -> Expr {
    let reference = crate::data::reference::ReferenceData::bundled();
    let from = |y: i32| {
        chrono::NaiveDate::from_ymd_opt(y, 1, 1).map_or(i32::MAX, crate::data::parse::to_days)
    };
    let mut expr = lit(NULL).cast(DataType::Float64);
    for s in &reference.schemes {
        for (year, v) in s.pay_thresholds() {
            // Later years are tested last, so they win.
            expr = when(
                col("scheme")
                    .eq(lit(s.scheme.as_str()))
                    .and(col("start_date").gt_eq(lit(from(year)))),
            )
            .then(lit(v))
            .otherwise(expr);
        }
    }
    expr.alias("_threshold")
}

fn share(cond: Expr) -> Expr {
    cond.cast(DataType::Float64).mean()
}

/// Permit features.
pub fn attach_permits(ds: &Dataset, targets: LazyFrame) -> LazyFrame {
    let names = [
        ("permit_workers", DataType::Int64),
        ("share_employer_housing", DataType::Float64),
        ("share_employer_bound", DataType::Float64),
        ("share_recruiter", DataType::Float64),
        ("share_bound_housing_recruiter", DataType::Float64),
        ("stated_hourly_dkk", DataType::Float64),
        ("share_au_pair", DataType::Float64),
    ];
    let Some(p) = active_permits(ds, &targets) else {
        return targets.with_columns(null_columns(&owned(&names)));
    };
    let agg = p.group_by([col(KEY)]).agg([
        col("person_id")
            .n_unique()
            .cast(DataType::Int64)
            .alias("permit_workers"),
        share(col("employer_housing")).alias("share_employer_housing"),
        share(col("employer_bound")).alias("share_employer_bound"),
        share(col("recruiter_id").is_not_null()).alias("share_recruiter"),
        share(
            col("employer_bound")
                .and(col("employer_housing"))
                .and(col("recruiter_id").is_not_null()),
        )
        .alias("share_bound_housing_recruiter"),
        col("_stated_hourly").median().alias("stated_hourly_dkk"),
        share(col("scheme").eq(lit("au_pair"))).alias("share_au_pair"),
    ]);
    attach(targets, agg, &["permit_workers"])
}

/// One integer per (site, person) pair from their codes (see `features`'
/// id codes): a group-by or join on one 64-bit key instead of two
/// columns, which polars would encode row by row (about half the time and
/// memory on a national payroll). The site's code is the high half, so
/// rows sorted by the key are sorted by site as well.
fn pair_key() -> Expr {
    codes_key(SITE, "person_id").alias("_pair")
}

/// One integer per (target, person): a permit holder of a target's site.
fn holder_key() -> Expr {
    codes_key(KEY, "person_id").alias("_holder")
}

/// Payroll features over the 12 months up to the as-of date.
pub fn attach_payroll(ds: &Dataset, targets: LazyFrame) -> PolarsResult<LazyFrame> {
    let names = [
        ("payroll_workers", DataType::Int64),
        ("paid_hourly_dkk", DataType::Float64),
        ("pay_ratio_median", DataType::Float64),
        ("share_below_80pct", DataType::Float64),
        ("weekly_hours_mean", DataType::Float64),
        ("weekly_hours_p90", DataType::Float64),
        ("share_months_over_48h", DataType::Float64),
        ("zero_pay_months", DataType::Int64),
        ("share_third_party_pay", DataType::Float64),
        ("share_paid_elsewhere", DataType::Float64),
        ("threshold_workers", DataType::Int64),
        ("share_below_scheme_threshold", DataType::Float64),
    ];
    let Some(mut payroll) = table_lazy(ds, Table::Payroll) else {
        return Ok(targets.with_columns(null_columns(&owned(&names))));
    };
    // Only months that fall in some target's window take part in the joins.
    // One as-of date for every target (a ranking): the window is the same
    // for all, so payroll is aggregated per site and per (person, site)
    // before it meets the targets, never joined row by row.
    let span = as_of_span(&targets);
    let single = span.is_some_and(|(lo, hi)| lo == hi);
    if let Some((lo, hi)) = span {
        payroll = payroll.filter(
            col(MONTH_END)
                .lt_eq(lit(hi))
                .and(col(MONTH_END).gt(lit(lo) - lit(YEAR_DAYS))),
        );
    }
    // Only complete months: a month counts once its last day is on or
    // before the as-of date (pay for the rest of a month is not known yet).
    let in_window = |lf: LazyFrame| {
        lf.filter(
            col(MONTH_END)
                .lt_eq(col(AS_OF))
                .and(col(MONTH_END).gt(col(AS_OF) - lit(YEAR_DAYS))),
        )
    };
    let site_aggs = [
        col("person_id")
            .n_unique()
            .cast(DataType::Int64)
            .alias("payroll_workers"),
        col("_weekly").mean().alias("weekly_hours_mean"),
        col("_weekly")
            .quantile(lit(0.9), QuantileMethod::Linear)
            .alias("weekly_hours_p90"),
        share(col("_weekly").gt(lit(48.0))).alias("share_months_over_48h"),
        col("gross_pay_dkk")
            .eq(lit(0.0))
            .cast(DataType::Int64)
            .sum()
            .alias("zero_pay_months"),
        share(col("paid_to_own_account").not()).alias("share_third_party_pay"),
    ];
    let hourly = when(col("hours_paid").gt(lit(0.0)))
        .then(col("gross_pay_dkk") / col("hours_paid"))
        .otherwise(lit(NULL))
        .alias("_hourly");
    // One as-of date: the window's rows are taken once (only the columns
    // used), and every person's pay at each site is aggregated once; the
    // site's counts of workers and who was paid where come from those
    // pairs, not from more passes over the rows.
    let (pairs, site_parts): (Option<DataFrame>, Option<DataFrame>) = if single {
        // The window's rows sorted by pair, and so by site (each pair's
        // months kept in their order): both aggregations below read runs
        // of rows instead of hashing ten million keys and gathering every
        // group's values.
        let (site, person) = codes_of_key("_pair");
        let mut windowed = payroll
            .clone()
            .select([
                pair_key(),
                col(MONTH_END),
                (col("hours_paid") / lit(WEEKS_PER_MONTH)).alias("_weekly"),
                col("gross_pay_dkk"),
                col("paid_to_own_account"),
                hourly.clone(),
            ])
            .sort(
                ["_pair"],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .with_columns([site.clone().alias(SITE)])
            .collect()?;
        mark_sorted(&mut windowed, "_pair")?;
        mark_sorted(&mut windowed, SITE)?;
        // The pair's person and site are read back from its key, not
        // gathered from the rows.
        let mut per_pair = windowed
            .clone()
            .lazy()
            // Stable: the pairs come out in key order, so by site too.
            .group_by_stable([col("_pair")])
            .agg([
                col("_hourly").median(),
                col("gross_pay_dkk").mean(),
                col(MONTH_END).max(),
            ])
            .with_columns([person.alias("person_id"), site.alias(SITE)])
            .collect()?;
        mark_sorted(&mut per_pair, SITE)?;
        let per_site = windowed
            .lazy()
            .group_by([col(SITE)])
            .agg(&site_aggs[1..])
            .join(
                per_pair
                    .clone()
                    .lazy()
                    .group_by([col(SITE)])
                    .agg([len().cast(DataType::Int64).alias("payroll_workers")]),
                [col(SITE)],
                [col(SITE)],
                JoinArgs::new(JoinType::Left),
            )
            .collect()?;
        (Some(per_pair), Some(per_site))
    } else {
        (None, None)
    };
    let site_agg = match site_parts {
        Some(per_site) => {
            let names: Vec<Expr> = std::iter::once(col(KEY))
                .chain(site_aggs.iter().map(|e| {
                    e.clone()
                        .meta()
                        .output_name()
                        .map_or_else(|_| col(KEY), col)
                }))
                .collect();
            targets
                .clone()
                .select([col(KEY), col(SITE)])
                .inner_join(per_site.lazy(), col(SITE), col(SITE))
                .select(names)
        }
        // Many as-of dates (training): every payroll row of the site in
        // its target's window.
        None => in_window(
            targets
                .clone()
                .select([col(KEY), col(SITE), col(AS_OF)])
                .inner_join(payroll.clone(), col(SITE), col(SITE)),
        )
        .with_columns([(col("hours_paid") / lit(WEEKS_PER_MONTH)).alias("_weekly")])
        .group_by([col(KEY)])
        .agg(site_aggs),
    };
    let mut lf = attach(
        targets.clone(),
        site_agg,
        &["payroll_workers", "zero_pay_months"],
    );

    // Paid vs stated hourly pay, for permit holders.
    let ratio_names = [
        ("paid_hourly_dkk", DataType::Float64),
        ("pay_ratio_median", DataType::Float64),
        ("share_below_80pct", DataType::Float64),
        ("share_paid_elsewhere", DataType::Float64),
        ("threshold_workers", DataType::Int64),
        ("share_below_scheme_threshold", DataType::Float64),
    ];
    let Some(permits) = active_permits(ds, &targets) else {
        return Ok(lf.with_columns(null_columns(&owned(&ratio_names))));
    };
    // One row per permit holder of each target, keyed by (target, person)
    // and by (person, site) for the pay joins, each as one integer.
    let holders = permits
        .with_columns([scheme_threshold(), holder_key()])
        // Sorted, a holder's permits are one run of rows: grouped without
        // hashing a million keys (what `first` takes is the same on every
        // permit of a holder).
        .sort(["_holder"], SortMultipleOptions::default())
        .group_by([col("_holder")])
        .agg([
            col(KEY).first(),
            col("person_id").first(),
            col(SITE).first(),
            col(AS_OF).first(),
            col("_stated_hourly").median(),
            col("_threshold").min(),
        ])
        .with_columns([pair_key()]);
    // Pay from this site only: joined on person and site together.
    let by_pair = || [col("_pair")];
    let per_person = if let Some(pay) = &pairs {
        holders
            .clone()
            .join(
                pay.clone()
                    .lazy()
                    .select([col("_pair"), col("_hourly"), col("gross_pay_dkk")]),
                by_pair(),
                by_pair(),
                JoinArgs::new(JoinType::Inner),
            )
            .select([
                col(KEY),
                col("_hourly"),
                col("_stated_hourly"),
                col("gross_pay_dkk"),
                col("_threshold"),
            ])
    } else {
        let rows = payroll.clone().select([
            pair_key(),
            col(MONTH_END),
            col("hours_paid"),
            col("gross_pay_dkk"),
        ]);
        in_window(
            holders
                .clone()
                .join(rows, by_pair(), by_pair(), JoinArgs::new(JoinType::Inner)),
        )
        .with_columns([hourly])
        .group_by([col("_holder")])
        .agg([
            col(KEY).first(),
            col("_hourly").median(),
            col("_stated_hourly").first(),
            col("gross_pay_dkk").mean(),
            col("_threshold").first(),
        ])
    }
    .with_columns([(col("_hourly") / col("_stated_hourly")).alias("_ratio")]);
    let ratio_agg = per_person.group_by([col(KEY)]).agg([
        col("_hourly").median().alias("paid_hourly_dkk"),
        col("_ratio").median().alias("pay_ratio_median"),
        share(col("_ratio").lt(lit(0.8))).alias("share_below_80pct"),
        col("_threshold")
            .is_not_null()
            .and(col("gross_pay_dkk").is_not_null())
            .cast(DataType::Int64)
            .sum()
            .alias("threshold_workers"),
        share(
            (col("gross_pay_dkk") * lit(12.0))
                .lt(col("_threshold") * lit(THRESHOLD_SHARE_OF_GROSS)),
        )
        .alias("share_below_scheme_threshold"),
    ]);
    lf = attach(lf, ratio_agg, &["threshold_workers"]);

    // Permit holders paid only by other sites in the window.
    let paid = match pairs {
        // Who was paid by which site: one row per pair, whatever the months.
        Some(pairs) => pairs
            .lazy()
            .select([col("person_id"), col(SITE), col(MONTH_END)]),
        None => payroll,
    };
    let elsewhere = in_window(holders.inner_join(paid, col("person_id"), col("person_id")))
        .group_by([col("_holder")])
        .agg([
            col(KEY).first(),
            col("site_id_right").eq(col(SITE)).any(true).alias("_here"),
            col("site_id_right")
                .neq(col(SITE))
                .any(true)
                .alias("_there"),
        ])
        .group_by([col(KEY)])
        .agg([share(col("_there").and(col("_here").not())).alias("share_paid_elsewhere")]);
    Ok(attach(lf, elsewhere, &[]))
}

/// Housing features: where each permit holder lives at the as-of date and
/// how crowded that address is then.
pub fn attach_residences(ds: &Dataset, targets: LazyFrame) -> LazyFrame {
    let names = [
        ("housed_workers", DataType::Int64),
        ("max_persons_per_room_employer", DataType::Float64),
        ("max_persons_per_room", DataType::Float64),
        ("share_overcrowded", DataType::Float64),
    ];
    let (Some(residences), Some(permits)) = (
        table_lazy(ds, Table::Residences),
        active_permits(ds, &targets),
    ) else {
        return targets.with_columns(null_columns(&owned(&names)));
    };
    let Ok(intervals) = residence_intervals(residences) else {
        return targets.with_columns(null_columns(&owned(&names)));
    };
    let holders = permits
        .with_columns([holder_key()])
        // In runs of one holder, as for the payroll features.
        .sort(["_holder"], SortMultipleOptions::default())
        .group_by([col("_holder")])
        .agg([
            col(KEY).first(),
            col("person_id").first(),
            col(AS_OF).first(),
        ]);
    let worker_addr = holders
        .inner_join(intervals.clone(), col("person_id"), col("person_id"))
        .filter(lives_then())
        .select([
            col(KEY),
            col("person_id"),
            col(AS_OF),
            col("address_id"),
            address_day().alias("_ad"),
            col("employer_provided"),
        ]);
    // Each address on each date once, keyed by one integer.
    let addr_dates = worker_addr
        .clone()
        .select([col("_ad"), col("address_id"), col(AS_OF)])
        .unique(Some(cols(["_ad"])), UniqueKeepStrategy::Any);
    let occupancy = address_occupancy(intervals, addr_dates, &[col("_ad")]);
    let agg = worker_addr
        .join(
            occupancy,
            [col("_ad")],
            [col("_ad")],
            JoinArgs::new(JoinType::Left),
        )
        .group_by([col(KEY)])
        .agg([
            col("person_id")
                .n_unique()
                .cast(DataType::Int64)
                .alias("housed_workers"),
            // 0 when none of the housed workers lives in employer housing;
            // unknown (null) when one does but its rooms are not known.
            when(
                col("employer_provided")
                    .fill_null(lit(false))
                    .or(col("_employer_any").fill_null(lit(false)))
                    .any(true),
            )
            .then(
                col("_ppr")
                    .filter(
                        col("employer_provided")
                            .fill_null(lit(false))
                            .or(col("_employer_any").fill_null(lit(false))),
                    )
                    .max(),
            )
            .otherwise(lit(0.0))
            .alias("max_persons_per_room_employer"),
            col("_ppr").max().alias("max_persons_per_room"),
            share(col("_ppr").gt(lit(CROWDED_PERSONS_PER_ROOM))).alias("share_overcrowded"),
        ]);
    // No employer-provided address among the housed workers: 0 persons per room there.
    attach(
        targets,
        agg,
        &["housed_workers", "max_persons_per_room_employer"],
    )
}

/// How crowded each address is on each date asked: `addr_dates` holds
/// (`address_id`, `as_of`) pairs, `intervals` the residences as
/// [`residence_intervals`] gives them. One row per pair with anyone
/// registered there then: `_persons` (distinct persons registered),
/// `_rooms` (its rooms, the largest figure given), `_employer_any`
/// (whether any of their registrations there is employer-provided) and
/// `_ppr`, persons per room (null when the rooms are not known or 0).
/// Grouped `by` the pair's two columns, or by one column that stands for
/// the pair (the features' coded address-day, [`super::address_day`]).
/// One implementation for the housing features, the network features and
/// permit screening.
pub(crate) fn address_occupancy(
    intervals: LazyFrame,
    addr_dates: LazyFrame,
    by: &[Expr],
) -> LazyFrame {
    addr_dates
        .inner_join(intervals, col("address_id"), col("address_id"))
        .filter(lives_then())
        .group_by(by)
        .agg([
            col("person_id")
                .n_unique()
                .cast(DataType::Float64)
                .alias("_persons"),
            col("rooms").max().cast(DataType::Float64).alias("_rooms"),
            col("employer_provided").any(true).alias("_employer_any"),
        ])
        .with_columns([when(col("_rooms").gt(lit(0.0)))
            .then(col("_persons") / col("_rooms"))
            .otherwise(lit(NULL))
            .alias("_ppr")])
}

/// Registered at the address on the as-of date, in [`residence_intervals`]
/// terms: the registration started on or before it and the next one (if
/// any) after it. One rule for the housing and network features and for
/// permit screening.
pub(crate) fn lives_then() -> Expr {
    col("from_date")
        .lt_eq(col(AS_OF))
        .and(col("_to").is_null().or(col("_to").gt(col(AS_OF))))
}

/// Residences as intervals: from a person's registration (a blank date is
/// "always") to their next one (`_to`, null while they still live there).
/// One implementation for the housing and the network features and for
/// permit screening.
pub(crate) fn residence_intervals(res: LazyFrame) -> PolarsResult<LazyFrame> {
    // Sorted by person, the next row is the next move when it is the same
    // person's (a shift, not a window per person: no grouping needed).
    let next_move = when(col("person_id").shift(lit(-1)).eq(col("person_id")))
        .then(col("from_date").shift(lit(-1)))
        .otherwise(lit(NULL).cast(DataType::Int32));
    Ok(super::sort_grouped(
        res.with_columns([col("from_date").fill_null(lit(i32::MIN / 2))]),
        &["person_id", "from_date"],
    )
    .with_columns([next_move.alias("_to")]))
}

fn owned(names: &[(&str, DataType)]) -> Vec<(String, DataType)> {
    names
        .iter()
        .map(|(n, t)| ((*n).to_string(), t.clone()))
        .collect()
}
