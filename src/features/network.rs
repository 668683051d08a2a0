//! Network features: what links a site, as of the as-of date, to other
//! companies and sites through the people who run its company (`roles`),
//! the recruiters of its permit holders (`permits.recruiter_id`) and the
//! addresses where its permit holders live (`residences`).
//!
//! - `network_linked_severe`: other companies sharing an owner or director
//!   with the site's company that had a severe outcome in the last 5 years;
//! - `network_phoenix`: dissolved companies in a risk sector of the
//!   company's owners and directors, dissolved in the last 2 years;
//! - `network_recruiter_findings`: other sites sharing a recruiter with the
//!   site's permit holders where findings were made in the last 5 years;
//! - `network_shared_overcrowded`: addresses where the site's permit
//!   holders live with permit holders of other employers at more than 2
//!   persons per room.
//!
//! Each is a count: 0 when its tables are present and nothing matched,
//! NULL when a table it needs is absent. The exact definitions are in
//! `docs/features.md` ("Network").

use polars::prelude::*;

use super::events::SEVERE_OUTCOMES;
use super::people::{active_permits, lives_then, residence_intervals};
use super::{
    AS_OF, KEY, SITE, YEAR_DAYS, address_day, attach, codes_key, null_columns, run_start,
    running_max, sort_grouped, table_lazy,
};
use crate::data::{Dataset, Table};

/// Earlier outcomes and findings count for 5 years (as `expire_days`).
const EVIDENCE_DAYS: i32 = 5 * YEAR_DAYS;
/// A predecessor counts when it was dissolved in the last 2 years.
const PHOENIX_DAYS: i32 = 2 * YEAR_DAYS;
/// Persons per room above which an address is overcrowded (the 2025 housing law).
const CROWDED: f64 = super::CROWDED_PERSONS_PER_ROOM;
/// Roles that run a company.
const LEADERS: [&str; 2] = ["owner", "director"];

/// The four network feature names, in column order.
pub const NETWORK_FEATURES: [&str; 4] = [
    "network_linked_severe",
    "network_phoenix",
    "network_recruiter_findings",
    "network_shared_overcrowded",
];

fn one_of(column: &str, values: &[&str]) -> Expr {
    values
        .iter()
        .fold(lit(false), |acc, v| acc.or(col(column).eq(lit(*v))))
}

fn nulls(name: &str) -> Vec<Expr> {
    null_columns(&[(name.to_string(), DataType::Int64)])
}

/// A role, or a record, that started on or before the as-of date (a blank
/// start counts as always).
fn started(column: &str) -> Expr {
    col(column).is_null().or(col(column).lt_eq(col(AS_OF)))
}

/// Owner and director roles.
fn leaders(ds: &Dataset) -> Option<LazyFrame> {
    Some(
        table_lazy(ds, Table::Roles)?
            .filter(one_of("role", &LEADERS))
            .select([
                col("company_id"),
                col("person_id"),
                col("from_date"),
                col("to_date"),
            ]),
    )
}

/// The leaders of each target's company: (`key`, `as_of`, `company_id`,
/// `_person`), each role started on or before the as-of date.
fn target_leaders(targets: &LazyFrame, roles: LazyFrame) -> LazyFrame {
    targets
        .clone()
        .select([col(KEY), col(AS_OF), col("company_id")])
        .inner_join(
            roles.select([
                col("company_id").alias("_own"),
                col("person_id").alias("_person"),
                col("from_date").alias("_own_from"),
            ]),
            col("company_id"),
            col("_own"),
        )
        .filter(started("_own_from"))
        // A target has one as-of date and one company: the target and the
        // person, as one integer, say which rows repeat.
        .with_columns([codes_key(KEY, "_person").alias("_kp")])
        .unique(Some(cols(["_kp"])), UniqueKeepStrategy::Any)
        .select([col(KEY), col(AS_OF), col("company_id"), col("_person")])
}

/// Counts, per target, the distinct other companies `_other` reached from
/// the target's leaders (`led`, see [`target_leaders`]) through
/// `evidence`: rows (`_p2`, `_other`, `_other_from`, `_a`, `_b`) saying
/// that person `_p2` has been a leader of `_other` since `_other_from` and
/// that `_other` counts at every as-of date in `[_a, _b)`.
///
/// `evidence` holds only the companies that carry the signal (a severe
/// outcome, a dissolution), never every company of a person, so the join
/// grows with the signal, not with the square of a person's companies.
fn count_linked(led: LazyFrame, evidence: LazyFrame, name: &str) -> LazyFrame {
    led.inner_join(evidence, col("_person"), col("_p2"))
        .filter(
            started("_other_from")
                .and(col("_other").neq(col("company_id")))
                .and(col("_a").lt_eq(col(AS_OF)))
                .and(col("_b").gt(col(AS_OF))),
        )
        .group_by([col(KEY)])
        .agg([col("_other").n_unique().cast(DataType::Int64).alias(name)])
}

/// Leader roles of the companies in `companies` (`_c`, plus any columns to
/// keep), keyed by person: (`_p2`, `_other`, `_other_from`, kept columns).
fn leaders_of(roles: LazyFrame, companies: LazyFrame, keep: &[&str]) -> LazyFrame {
    let mut cols = vec![col("_p2"), col("_other"), col("_other_from")];
    cols.extend(keep.iter().map(|c| col(*c)));
    roles
        .select([
            col("person_id").alias("_p2"),
            col("company_id").alias("_other"),
            col("from_date").alias("_other_from"),
        ])
        .inner_join(companies, col("_other"), col("_c"))
        .select(cols)
}

/// Other companies sharing an owner or director with severe outcomes.
fn attach_linked_severe(ds: &Dataset, targets: LazyFrame, led: Option<&DataFrame>) -> LazyFrame {
    let name = NETWORK_FEATURES[0];
    let (Some(roles), Some(led), Some(insp), Some(sites)) = (
        leaders(ds),
        led,
        table_lazy(ds, Table::Inspections),
        table_lazy(ds, Table::Sites),
    ) else {
        return targets.with_columns(nulls(name));
    };
    // A severe outcome dated d counts at every as-of date in [d, d + 5 years).
    let severe = insp
        .filter(one_of("outcome", &SEVERE_OUTCOMES))
        .select([col(SITE).alias("_sev_site"), col("date").alias("_a")])
        .inner_join(
            sites.select([col(SITE).alias("_s"), col("company_id").alias("_c")]),
            col("_sev_site"),
            col("_s"),
        )
        .select([
            col("_c"),
            col("_a"),
            (col("_a") + lit(EVIDENCE_DAYS)).alias("_b"),
        ]);
    let evidence = leaders_of(roles, severe, &["_a", "_b"]);
    let agg = count_linked(led.clone().lazy(), evidence, name);
    attach(targets, agg, &[name])
}

/// Whether each company has a site in a risk sector (`company_id`, `_risk`).
fn company_risk(ds: &Dataset) -> PolarsResult<Option<LazyFrame>> {
    let Some(sites) = ds.get(Table::Sites) else {
        return Ok(None);
    };
    let risk: Vec<bool> = super::site::sector_risk(sites.column("sector_code")?.str()?)
        .into_iter()
        .map(|(group, _)| group.is_some())
        .collect();
    let df = DataFrame::new(
        sites.height(),
        vec![
            sites.column("company_id")?.clone(),
            Column::new("_risk".into(), risk),
        ],
    )?;
    Ok(Some(
        df.lazy()
            .group_by([col("company_id")])
            .agg([col("_risk").any(true)]),
    ))
}

/// The periods in which each company counts as recently dissolved:
/// (`_c`, `_a`, `_b`), meaning dissolved at every as-of date in `[_a, _b)`.
///
/// A leader role covers the days `[from_date, to_date)` (a blank start is
/// "always", a blank end "still open"). The roles of a company are merged
/// into blocks of overlapping roles; after a block that ends on day E the
/// company is dissolved from E until the next block starts, and it counts
/// for the 2 years (730 days) after E: `[E, min(E + 731, next start))`.
/// This is the definition in `docs/features.md`, as intervals, so that it
/// is computed once per company rather than once per target.
fn dissolution_periods(roles: LazyFrame) -> PolarsResult<LazyFrame> {
    let open_end = lit(i32::MAX);
    let blocks = merge_intervals(
        roles.select([
            col("company_id"),
            col("from_date").fill_null(lit(i32::MIN / 2)).alias("_a"),
            col("to_date").fill_null(open_end.clone()).alias("_b"),
        ]),
        &["company_id"],
    );
    // The blocks come in order: the next row's, if it is the same company's.
    let next = when(col("company_id").shift(lit(-1)).eq(col("company_id")))
        .then(col("_a").shift(lit(-1)))
        .otherwise(lit(NULL).cast(DataType::Int32));
    Ok(blocks
        .with_columns([next.alias("_next")])
        .filter(col("_b").neq(open_end))
        .select([
            col("company_id").alias("_c"),
            col("_b").alias("_a"),
            polars::lazy::dsl::min_horizontal([col("_b") + lit(PHOENIX_DAYS + 1), col("_next")])?
                .alias("_b"),
        ])
        .filter(col("_a").lt(col("_b"))))
}

/// Dissolved companies in a risk sector of the company's owners and
/// directors, dissolved in the 2 years (730 days) before the as-of date.
fn attach_phoenix(
    ds: &Dataset,
    targets: LazyFrame,
    led: Option<&DataFrame>,
) -> PolarsResult<LazyFrame> {
    let name = NETWORK_FEATURES[1];
    let (Some(roles), Some(led), Some(risk)) = (leaders(ds), led, company_risk(ds)?) else {
        return Ok(targets.with_columns(nulls(name)));
    };
    // Only companies in a risk sector can count: their roles alone are
    // turned into dissolution periods.
    let risky = risk
        .filter(col("_risk"))
        .select([col("company_id")])
        .collect()?;
    let risky_roles = roles.clone().join(
        risky.lazy(),
        [col("company_id")],
        [col("company_id")],
        JoinArgs::new(JoinType::Semi),
    );
    let dissolved = dissolution_periods(risky_roles)?;
    let evidence = leaders_of(roles, dissolved, &["_a", "_b"]);
    let agg = count_linked(led.clone().lazy(), evidence, name);
    Ok(attach(targets, agg, &[name]))
}

/// For each query (`_q`, `_g`, `_t`), the number of intervals `[_a, _b)` of
/// group `_g` that contain day `_t` (`_b` may be null: open-ended).
///
/// A sweep, not a join: +1 at every start, -1 at every end, sorted by group
/// and day with the events of a day before its queries; the running sum at
/// a query is the number of intervals open then. It costs a sort of
/// intervals plus queries, however many queries share a group.
fn open_at(intervals: LazyFrame, queries: LazyFrame) -> PolarsResult<LazyFrame> {
    let event = |day: &str, delta: i64| {
        [
            col("_g"),
            col(day).alias("_day"),
            lit(delta).alias("_delta"),
            lit(0i32).alias("_kind"),
            lit(NULL).cast(IDX_DTYPE).alias("_q"),
        ]
    };
    let starts = intervals.clone().select(event("_a", 1));
    let ends = intervals
        .filter(col("_b").is_not_null())
        .select(event("_b", -1));
    let asks = queries.select([
        col("_g"),
        col("_t").alias("_day"),
        lit(0i64).alias("_delta"),
        lit(1i32).alias("_kind"),
        col("_q"),
    ]);
    let sweep = sort_grouped(
        concat([starts, ends, asks], UnionArgs::default())?,
        &["_g", "_day", "_kind"],
    )
    .with_columns([col("_delta")
        .cum_sum(false)
        .over([col("_g")])?
        .alias("_open")]);
    Ok(sweep
        .filter(col("_kind").eq(lit(1i32)))
        .select([col("_q"), col("_open")]))
}

/// Other sites sharing a recruiter with findings in the last 5 years.
///
/// Counted per recruiter, never per pair of sites: for each recruiter, the
/// sites it served (a permit started on or before the as-of date) that
/// have a finding in the 5 years up to it, less the site itself; summed
/// over the site's recruiters (a site reached through two recruiters
/// counts for each).
fn attach_recruiter_findings(ds: &Dataset, targets: LazyFrame) -> PolarsResult<LazyFrame> {
    let name = NETWORK_FEATURES[2];
    let (Some(permits), Some(mine), Some(findings), Some(insp)) = (
        table_lazy(ds, Table::Permits),
        active_permits(ds, &targets),
        table_lazy(ds, Table::Findings),
        table_lazy(ds, Table::Inspections),
    ) else {
        return Ok(targets.with_columns(nulls(name)));
    };
    // Each recruiter's link to each site starts with its first permit there.
    let links = permits
        .filter(
            col("recruiter_id")
                .is_not_null()
                .and(col("start_date").is_not_null()),
        )
        .group_by([col("recruiter_id"), col(SITE)])
        .agg([col("start_date").min().alias("_first")]);
    let found = findings
        .select([col("inspection_id")])
        .inner_join(
            insp.select([
                col("inspection_id").alias("_insp"),
                col(SITE).alias("_f_site"),
                col("date").alias("_f_date"),
            ]),
            col("inspection_id"),
            col("_insp"),
        )
        .select([col("_f_site"), col("_f_date")])
        .unique(None, UniqueKeepStrategy::Any);
    // A finding dated f at a site the recruiter reached on day `_first`
    // counts at every as-of date in [max(f, first), f + 5 years); the
    // periods of one (recruiter, site) are merged so the site counts once.
    let raw = links
        .inner_join(found, col(SITE), col("_f_site"))
        .select([
            col("recruiter_id").alias("_g"),
            col(SITE).alias("_s"),
            polars::lazy::dsl::max_horizontal([col("_f_date"), col("_first")])?.alias("_a"),
            (col("_f_date") + lit(EVIDENCE_DAYS)).alias("_b"),
        ])
        .filter(col("_a").lt(col("_b")));
    let intervals = merge_intervals(raw, &["_g", "_s"]);
    let asks = mine
        .filter(col("recruiter_id").is_not_null())
        .select([
            col(KEY),
            col(SITE),
            col(AS_OF),
            col("recruiter_id").alias("_g"),
        ])
        // A target has one site and one as-of date: the target and the
        // recruiter, as one integer, say which rows repeat.
        .with_columns([codes_key(KEY, "_g").alias("_kg")])
        .unique(Some(cols(["_kg"])), UniqueKeepStrategy::Any)
        .drop(by_name(["_kg"], true, false))
        .with_row_index("_q", None)
        .collect()?
        .lazy();
    let counts = open_at(
        intervals.clone(),
        asks.clone()
            .select([col("_q"), col("_g"), col(AS_OF).alias("_t")]),
    )?;
    // The site's own findings through the same recruiter do not count.
    let own = asks
        .clone()
        .select([col("_q"), col("_g"), col(SITE), col(AS_OF)])
        .join(
            intervals,
            [col("_g"), col(SITE)],
            [col("_g"), col("_s")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("_a").lt_eq(col(AS_OF)).and(col("_b").gt(col(AS_OF))))
        .group_by([col("_q")])
        .agg([len().cast(DataType::Int64).alias("_own")]);
    let agg = asks
        .select([col("_q"), col(KEY)])
        .left_join(counts, col("_q"), col("_q"))
        .left_join(own, col("_q"), col("_q"))
        .group_by([col(KEY)])
        .agg([
            (col("_open").fill_null(lit(0i64)) - col("_own").fill_null(lit(0i64)))
                .sum()
                .cast(DataType::Int64)
                .alias(name),
        ]);
    Ok(attach(targets, agg, &[name]))
}

/// Merges overlapping day intervals `[_a, _b)` (`Int32` days, `_b` never
/// null) that share the `keys`, so that each key counts at most once on
/// any day. The merged intervals come sorted by keys and start.
///
/// Sorted by keys and start, an interval opens a new run when it is its
/// keys' first or starts after every earlier one of its keys has ended;
/// the runs are numbered over all keys by a running sum. These are shifts
/// and running sums over all rows, not windows per key, which polars
/// evaluates key by key (slow with a hundred thousand companies).
fn merge_intervals(intervals: LazyFrame, keys: &[&str]) -> LazyFrame {
    let mut order: Vec<&str> = keys.to_vec();
    order.push("_a");
    let ended_before = running_max(keys, col("_b")).shift(lit(1));
    let opens = run_start(keys).or(col("_a").gt(ended_before));
    let mut aggs: Vec<Expr> = keys.iter().map(|k| col(*k).first()).collect();
    aggs.extend([col("_a").min(), col("_b").max()]);
    let mut out: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    out.extend([col("_a"), col("_b")]);
    sort_grouped(intervals, &order)
        .with_columns([opens.cast(DataType::UInt32).cum_sum(false).alias("_run")])
        .group_by_stable([col("_run")])
        .agg(aggs)
        .select(out)
}

/// Addresses where the site's permit holders live, on the as-of date, with
/// permit holders of another company, at more than 2 persons per room.
fn attach_shared_overcrowded(ds: &Dataset, targets: LazyFrame) -> PolarsResult<LazyFrame> {
    let name = NETWORK_FEATURES[3];
    let (Some(res), Some(mine), Some(permits), Some(sites)) = (
        table_lazy(ds, Table::Residences),
        active_permits(ds, &targets),
        table_lazy(ds, Table::Permits),
        table_lazy(ds, Table::Sites),
    ) else {
        return Ok(targets.with_columns(nulls(name)));
    };
    // Sorted once, used three times.
    let intervals = residence_intervals(res)?.collect()?.lazy();
    // An address on an as-of date is one integer (`_ad`), and so is a
    // target's address (`_ka`): the joins and groupings below hash one
    // column instead of encoding two or three row by row.
    let my_addr = mine
        .select([
            col(KEY),
            col(AS_OF),
            col("person_id"),
            codes_key(KEY, "person_id").alias("_kp"),
        ])
        .unique(Some(cols(["_kp"])), UniqueKeepStrategy::Any)
        .inner_join(intervals.clone(), col("person_id"), col("person_id"))
        .filter(lives_then())
        .select([
            col(KEY),
            col(AS_OF),
            col("address_id"),
            address_day().alias("_ad"),
            // A target has one as-of date: its key and the address say it all.
            codes_key(KEY, "address_id").alias("_ka"),
        ])
        .unique(Some(cols(["_ka"])), UniqueKeepStrategy::Any)
        .collect()?
        .lazy();
    let addr_dates = my_addr
        .clone()
        .select([col("_ad"), col("address_id"), col(AS_OF)])
        .unique(Some(cols(["_ad"])), UniqueKeepStrategy::Any);
    let residents = addr_dates
        .clone()
        .inner_join(
            intervals.clone().select([
                col("address_id").alias("_a"),
                col("person_id").alias("_resident"),
                col("from_date"),
                col("_to"),
            ]),
            col("address_id"),
            col("_a"),
        )
        .filter(lives_then())
        .select([col("_ad"), col(AS_OF), col("_resident")]);
    // Crowded by the one persons-per-room rule of the housing features.
    let crowded = super::address_occupancy(intervals, addr_dates, &[col("_ad")])
        .filter(col("_ppr").gt(lit(CROWDED)))
        .select([col("_ad")]);
    // The employers of the residents: the companies of their permits then.
    // Per address and day: how many employer companies, and which one when
    // there is only one. "Another company lives there" is then a lookup,
    // not a pairing of every resident's employer with every target there.
    let employers = residents
        .inner_join(
            permits.select([
                col("person_id").alias("_pp"),
                col(SITE).alias("_emp_site"),
                col("start_date").alias("_ps"),
                col("end_date").alias("_pe"),
            ]),
            col("_resident"),
            col("_pp"),
        )
        .filter(
            col("_ps").lt_eq(col(AS_OF)).and(
                col("_pe")
                    .is_null()
                    .or(col("_pe").gt_eq(col(AS_OF) - lit(YEAR_DAYS))),
            ),
        )
        .inner_join(
            sites.select([
                col(SITE).alias("_s"),
                col("company_id").alias("_emp_company"),
            ]),
            col("_emp_site"),
            col("_s"),
        )
        .filter(col("_emp_company").is_not_null())
        .group_by([col("_ad")])
        .agg([
            col("_emp_company").n_unique().alias("_n_emp"),
            // Read only where there is one employer: then it is that one.
            col("_emp_company").first().alias("_only_emp"),
        ]);
    let agg = my_addr
        .select([col(KEY), col("address_id"), col("_ad")])
        .join(
            crowded,
            [col("_ad")],
            [col("_ad")],
            JoinArgs::new(JoinType::Semi),
        )
        .inner_join(
            targets.clone().select([
                col(KEY).alias("_k"),
                col("company_id").alias("_own_company"),
            ]),
            col(KEY),
            col("_k"),
        )
        .inner_join(employers, col("_ad"), col("_ad"))
        .filter(
            col("_own_company").is_not_null().and(
                col("_n_emp")
                    .gt(lit(1))
                    .or(col("_only_emp").neq(col("_own_company"))),
            ),
        )
        .group_by([col(KEY)])
        .agg([col("address_id")
            .n_unique()
            .cast(DataType::Int64)
            .alias(name)]);
    Ok(attach(targets, agg, &[name]))
}

/// Attaches the four network features.
pub fn attach_network(ds: &Dataset, targets: LazyFrame) -> PolarsResult<LazyFrame> {
    // Each feature from the same narrow, materialised base (see `compute`).
    let base = targets.collect()?;
    // The leaders of each target's company, for both leader features.
    let led = {
        let _stage = crate::progress::stage("features: network leaders");
        leaders(ds)
            .map(|roles| target_leaders(&base.clone().lazy(), roles).collect())
            .transpose()?
    };
    type Step<'a> = &'a dyn Fn(LazyFrame) -> PolarsResult<LazyFrame>;
    let steps: [(&str, Step); 4] = [
        ("linked severe", &|t| {
            Ok(attach_linked_severe(ds, t, led.as_ref()))
        }),
        ("phoenix", &|t| attach_phoenix(ds, t, led.as_ref())),
        ("recruiter findings", &|t| attach_recruiter_findings(ds, t)),
        ("shared overcrowded", &|t| attach_shared_overcrowded(ds, t)),
    ];
    let mut out = base.clone().lazy();
    for ((label, step), name) in steps.into_iter().zip(NETWORK_FEATURES) {
        let part = {
            let _stage = crate::progress::stage(format!("features: network {label}"));
            step(base.clone().lazy())?
                .select([col(KEY), col(name)])
                .collect()?
        };
        out = out.left_join(part.lazy(), col(KEY), col(KEY));
    }
    Ok(out)
}
