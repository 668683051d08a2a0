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
use super::people::active_permits;
use super::{AS_OF, KEY, SITE, YEAR_DAYS, attach, null_columns, table_lazy};
use crate::data::reference::ReferenceData;
use crate::data::{Dataset, Table};

/// Earlier outcomes and findings count for 5 years (as `expire_days`).
const EVIDENCE_DAYS: i32 = 5 * YEAR_DAYS;
/// A predecessor counts when it was dissolved in the last 2 years.
const PHOENIX_DAYS: i32 = 2 * YEAR_DAYS;
/// Persons per room above which an address is overcrowded (the 2025 housing law).
const CROWDED: f64 = 2.0;
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

/// Per target: every other company in which an owner or director of the
/// target's company is (or was) owner or director, both roles started on
/// or before the as-of date. Columns `key`, `as_of`, `_other`, unique.
fn linked_companies(targets: &LazyFrame, roles: LazyFrame) -> LazyFrame {
    let own = roles.clone().select([
        col("company_id").alias("_own"),
        col("person_id").alias("_person"),
        col("from_date").alias("_own_from"),
    ]);
    let other = roles.select([
        col("person_id").alias("_p2"),
        col("company_id").alias("_other"),
        col("from_date").alias("_other_from"),
    ]);
    targets
        .clone()
        .select([col(KEY), col(AS_OF), col("company_id")])
        .inner_join(own, col("company_id"), col("_own"))
        .filter(started("_own_from"))
        .select([col(KEY), col(AS_OF), col("company_id"), col("_person")])
        .inner_join(other, col("_person"), col("_p2"))
        .filter(started("_other_from").and(col("_other").neq(col("company_id"))))
        .select([col(KEY), col(AS_OF), col("_other")])
        .unique(None, UniqueKeepStrategy::Any)
}

/// Other companies sharing an owner or director with severe outcomes.
fn attach_linked_severe(ds: &Dataset, targets: LazyFrame) -> LazyFrame {
    let name = NETWORK_FEATURES[0];
    let (Some(roles), Some(insp), Some(sites)) = (
        leaders(ds),
        table_lazy(ds, Table::Inspections),
        table_lazy(ds, Table::Sites),
    ) else {
        return targets.with_columns(nulls(name));
    };
    let severe = insp
        .filter(one_of("outcome", &SEVERE_OUTCOMES))
        .select([col(SITE).alias("_sev_site"), col("date").alias("_sev_date")])
        .inner_join(
            sites.select([
                col(SITE).alias("_s"),
                col("company_id").alias("_sev_company"),
            ]),
            col("_sev_site"),
            col("_s"),
        )
        .select([col("_sev_company"), col("_sev_date")]);
    let agg = linked_companies(&targets, roles)
        .inner_join(severe, col("_other"), col("_sev_company"))
        .filter(
            col("_sev_date")
                .lt_eq(col(AS_OF))
                .and(col("_sev_date").gt(col(AS_OF) - lit(EVIDENCE_DAYS))),
        )
        .group_by([col(KEY)])
        .agg([col("_other").n_unique().cast(DataType::Int64).alias(name)]);
    attach(targets, agg, &[name])
}

/// Whether each company has a site in a risk sector (`company_id`, `_risk`).
fn company_risk(ds: &Dataset) -> PolarsResult<Option<LazyFrame>> {
    let Some(sites) = ds.get(Table::Sites) else {
        return Ok(None);
    };
    let reference = ReferenceData::bundled();
    let risk: Vec<bool> = sites
        .column("sector_code")?
        .str()?
        .iter()
        .map(|c| c.is_some_and(|c| reference.risk_group(c).is_some()))
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

/// Dissolved companies in a risk sector of the company's owners and
/// directors. A company is dissolved at the as-of date when it has owner or
/// director roles started on or before that date and every one of them has
/// ended (`to_date`) on or before it; it counts when the last of them ended
/// within the 2 years (730 days) before the as-of date.
fn attach_phoenix(ds: &Dataset, targets: LazyFrame) -> PolarsResult<LazyFrame> {
    let name = NETWORK_FEATURES[1];
    let (Some(roles), Some(risk)) = (leaders(ds), company_risk(ds)?) else {
        return Ok(targets.with_columns(nulls(name)));
    };
    let their_roles = roles.clone().select([
        col("company_id").alias("_rc"),
        col("from_date").alias("_r_from"),
        col("to_date").alias("_r_to"),
    ]);
    let dissolved = linked_companies(&targets, roles)
        .inner_join(their_roles, col("_other"), col("_rc"))
        .filter(started("_r_from"))
        .group_by([col(KEY), col("_other")])
        .agg([
            (col("_r_to").is_null().or(col("_r_to").gt(col(AS_OF))))
                .any(true)
                .alias("_open"),
            col("_r_to").max().alias("_ended"),
            col(AS_OF).first(),
        ])
        .filter(
            col("_open")
                .not()
                .and(col("_ended").gt_eq(col(AS_OF) - lit(PHOENIX_DAYS))),
        );
    let agg = dissolved
        .inner_join(
            risk.select([col("company_id").alias("_k"), col("_risk")]),
            col("_other"),
            col("_k"),
        )
        .filter(col("_risk"))
        .group_by([col(KEY)])
        .agg([col("_other").n_unique().cast(DataType::Int64).alias(name)]);
    Ok(attach(targets, agg, &[name]))
}

/// Other sites sharing a recruiter with findings in the last 5 years.
fn attach_recruiter_findings(ds: &Dataset, targets: LazyFrame) -> LazyFrame {
    let name = NETWORK_FEATURES[2];
    let (Some(permits), Some(mine), Some(findings), Some(insp)) = (
        table_lazy(ds, Table::Permits),
        active_permits(ds, &targets),
        table_lazy(ds, Table::Findings),
        table_lazy(ds, Table::Inspections),
    ) else {
        return targets.with_columns(nulls(name));
    };
    let others = permits.filter(col("recruiter_id").is_not_null()).select([
        col("recruiter_id").alias("_rec"),
        col(SITE).alias("_other_site"),
        col("start_date").alias("_other_start"),
    ]);
    let linked = mine
        .filter(col("recruiter_id").is_not_null())
        .select([col(KEY), col(SITE), col(AS_OF), col("recruiter_id")])
        .unique(None, UniqueKeepStrategy::Any)
        .inner_join(others, col("recruiter_id"), col("_rec"))
        .filter(
            col("_other_site")
                .neq(col(SITE))
                .and(col("_other_start").lt_eq(col(AS_OF))),
        )
        .select([col(KEY), col(AS_OF), col("_other_site")])
        .unique(None, UniqueKeepStrategy::Any);
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
        .select([col("_f_site"), col("_f_date")]);
    let agg = linked
        .inner_join(found, col("_other_site"), col("_f_site"))
        .filter(
            col("_f_date")
                .lt_eq(col(AS_OF))
                .and(col("_f_date").gt(col(AS_OF) - lit(EVIDENCE_DAYS))),
        )
        .group_by([col(KEY)])
        .agg([col("_other_site")
            .n_unique()
            .cast(DataType::Int64)
            .alias(name)]);
    attach(targets, agg, &[name])
}

/// Residences as intervals: from a person's registration to their next one.
fn residence_intervals(res: LazyFrame) -> PolarsResult<LazyFrame> {
    let next_move = col("from_date").shift(lit(-1)).over([col("person_id")])?;
    Ok(res
        .with_columns([col("from_date").fill_null(lit(i32::MIN / 2))])
        .sort(["person_id", "from_date"], SortMultipleOptions::default())
        .with_columns([next_move.alias("_to")])
        .select([
            col("person_id"),
            col("address_id"),
            col("from_date"),
            col("_to"),
            col("rooms"),
        ]))
}

/// Registered at the address on the as-of date.
fn lives_then() -> Expr {
    col("from_date")
        .lt_eq(col(AS_OF))
        .and(col("_to").is_null().or(col("_to").gt(col(AS_OF))))
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
    let intervals = residence_intervals(res)?;
    let my_addr = mine
        .select([col(KEY), col(AS_OF), col("person_id")])
        .unique(None, UniqueKeepStrategy::Any)
        .inner_join(intervals.clone(), col("person_id"), col("person_id"))
        .filter(lives_then())
        .select([col(KEY), col(AS_OF), col("address_id")])
        .unique(None, UniqueKeepStrategy::Any);
    let residents = my_addr
        .clone()
        .select([col("address_id"), col(AS_OF)])
        .unique(None, UniqueKeepStrategy::Any)
        .inner_join(
            intervals.select([
                col("address_id").alias("_a"),
                col("person_id").alias("_resident"),
                col("from_date"),
                col("_to"),
                col("rooms"),
            ]),
            col("address_id"),
            col("_a"),
        )
        .filter(lives_then())
        .select([
            col("address_id"),
            col(AS_OF),
            col("_resident"),
            col("rooms"),
        ]);
    let crowded = residents
        .clone()
        .group_by([col("address_id"), col(AS_OF)])
        .agg([
            col("_resident")
                .n_unique()
                .cast(DataType::Float64)
                .alias("_persons"),
            col("rooms").max().cast(DataType::Float64).alias("_rooms"),
        ])
        .filter(
            col("_rooms")
                .gt(lit(0.0))
                .and((col("_persons") / col("_rooms")).gt(lit(CROWDED))),
        )
        .select([col("address_id"), col(AS_OF)]);
    // The employers of the residents: the companies of their permits then.
    let employers = residents
        .select([col("address_id"), col(AS_OF), col("_resident")])
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
        .select([col("address_id"), col(AS_OF), col("_emp_company")])
        .unique(None, UniqueKeepStrategy::Any);
    let by_address = [col("address_id"), col(AS_OF)];
    let agg = my_addr
        .join(
            crowded,
            by_address.clone(),
            by_address.clone(),
            JoinArgs::new(JoinType::Inner),
        )
        .inner_join(
            targets.clone().select([
                col(KEY).alias("_k"),
                col("company_id").alias("_own_company"),
            ]),
            col(KEY),
            col("_k"),
        )
        .join(
            employers,
            by_address.clone(),
            by_address,
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("_emp_company").neq(col("_own_company")))
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
    let mut out = base.clone().lazy();
    let steps: [(&str, NetworkStep); 4] = [
        ("linked severe", |ds, t| Ok(attach_linked_severe(ds, t))),
        ("phoenix", attach_phoenix),
        ("recruiter findings", |ds, t| {
            Ok(attach_recruiter_findings(ds, t))
        }),
        ("shared overcrowded", attach_shared_overcrowded),
    ];
    for ((label, step), name) in steps.into_iter().zip(NETWORK_FEATURES) {
        let t = std::time::Instant::now();
        let part = step(ds, base.clone().lazy())?
            .select([col(KEY), col(name)])
            .collect()?;
        crate::pipeline::timing(&format!("features: network {label}"), t);
        out = out.left_join(part.lazy(), col(KEY), col(KEY));
    }
    Ok(out)
}

/// One network feature: targets in, targets with the feature out.
type NetworkStep = fn(&Dataset, LazyFrame) -> PolarsResult<LazyFrame>;
