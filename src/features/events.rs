//! Features from dated events at or about a site: RUT postings,
//! inspections and their outcomes, findings per ILO indicator with their
//! age, tips per ILO indicator, and severe outcomes at the company's other
//! sites. Every event counts only when dated on or before the as-of date.

use polars::prelude::*;

use super::{AS_OF, ILO_INDICATORS, KEY, SITE, YEAR_DAYS, attach, null_columns, table_lazy};
use crate::data::{Dataset, SCOPES, Table, scope_covers};

/// Outcomes that count as labour exploitation found (a referral of a
/// possible victim to CMM is the inspector's finding of one; docs/visit.md).
pub const SEVERE_OUTCOMES: [&str; 4] = [
    "police_report",
    "referral_cmm",
    "labour_exploitation",
    "forced_labour",
];
const ORDER_OUTCOMES: [&str; 3] = ["order", "prohibition", "fine"];

fn any_of(column: &str, values: &[&str]) -> Expr {
    values
        .iter()
        .fold(lit(false), |acc, v| acc.or(col(column).eq(lit(*v))))
}

fn key_targets(targets: &LazyFrame) -> LazyFrame {
    targets.clone().select([col(KEY), col(SITE), col(AS_OF)])
}

/// RUT postings active in the last year.
pub fn attach_postings(ds: &Dataset, targets: LazyFrame) -> LazyFrame {
    let Some(postings) = table_lazy(ds, Table::Postings) else {
        return targets.with_columns(null_columns(&[
            ("postings".into(), DataType::Int64),
            ("posted_workers".into(), DataType::Int64),
            ("postings_without_rut".into(), DataType::Int64),
            ("postings_without_rut_age_days".into(), DataType::Int32),
        ]));
    };
    let agg = key_targets(&targets)
        .inner_join(postings, col(SITE), col(SITE))
        .filter(
            col("start_date").lt_eq(col(AS_OF)).and(
                col("end_date")
                    .is_null()
                    .or(col("end_date").gt_eq(col(AS_OF) - lit(YEAR_DAYS))),
            ),
        )
        .group_by([col(KEY)])
        .agg([
            len().cast(DataType::Int64).alias("postings"),
            col("workers")
                .sum()
                .cast(DataType::Int64)
                .alias("posted_workers"),
            col("rut_notified")
                .eq(lit(false))
                .cast(DataType::Int64)
                .sum()
                .alias("postings_without_rut"),
            (col(AS_OF).first()
                - col("start_date")
                    .filter(col("rut_notified").eq(lit(false)))
                    .max())
            .alias("postings_without_rut_age_days"),
        ]);
    attach(
        targets,
        agg,
        &["postings", "posted_workers", "postings_without_rut"],
    )
}

/// The prefix of the features "days since an inspection that looked for
/// indicator x" (`days_since_check_<ilo id>`): what says a finding-based
/// indicator was assessed.
pub const LOOKED_FOR_PREFIX: &str = "days_since_check_";

fn looked_for_names() -> Vec<(String, DataType)> {
    ILO_INDICATORS
        .iter()
        .map(|x| (format!("{LOOKED_FOR_PREFIX}{x}"), DataType::Int32))
        .collect()
}

/// Inspections and outcomes on or before the as-of date.
pub fn attach_inspections(ds: &Dataset, targets: LazyFrame) -> LazyFrame {
    let Some(insp) = table_lazy(ds, Table::Inspections) else {
        return targets
            .with_columns(null_columns(&[
                ("inspections".into(), DataType::Int64),
                ("days_since_inspection".into(), DataType::Int32),
                ("severe_outcomes_5y".into(), DataType::Int64),
                ("severe_outcome_age_days".into(), DataType::Int32),
                ("orders_3y".into(), DataType::Int64),
            ]))
            .with_columns(null_columns(&looked_for_names()));
    };
    let severe = any_of("outcome", &SEVERE_OUTCOMES);
    // Days since an inspection looked for each indicator (its scope covers it).
    let looked_for: Vec<Expr> = ILO_INDICATORS
        .iter()
        .map(|x| {
            let scopes: Vec<&str> = SCOPES
                .iter()
                .copied()
                .filter(|s| scope_covers(s, x))
                .collect();
            let covers = col("scope").is_null().or(any_of("scope", &scopes));
            (col(AS_OF).first() - col("date").filter(covers).max())
                .alias(format!("{LOOKED_FOR_PREFIX}{x}"))
        })
        .collect();
    let mut aggs = vec![
        len().cast(DataType::Int64).alias("inspections"),
        (col(AS_OF).first() - col("date").max()).alias("days_since_inspection"),
        severe
            .clone()
            .and(col("date").gt(col(AS_OF) - lit(5 * YEAR_DAYS)))
            .cast(DataType::Int64)
            .sum()
            .alias("severe_outcomes_5y"),
        (col(AS_OF).first() - col("date").filter(severe).max()).alias("severe_outcome_age_days"),
        any_of("outcome", &ORDER_OUTCOMES)
            .and(col("date").gt(col(AS_OF) - lit(3 * YEAR_DAYS)))
            .cast(DataType::Int64)
            .sum()
            .alias("orders_3y"),
    ];
    aggs.extend(looked_for);
    let agg = key_targets(&targets)
        .inner_join(insp, col(SITE), col(SITE))
        .filter(col("date").lt_eq(col(AS_OF)))
        .group_by([col(KEY)])
        .agg(aggs);
    attach(
        targets,
        agg,
        &["inspections", "severe_outcomes_5y", "orders_3y"],
    )
}

fn per_indicator(prefix: &str) -> Vec<(String, DataType)> {
    ILO_INDICATORS
        .iter()
        .flat_map(|x| {
            [
                (format!("{prefix}_{x}_count"), DataType::Int64),
                (format!("{prefix}_{x}_age_days"), DataType::Int32),
            ]
        })
        .collect()
}

fn indicator_aggs(prefix: &str) -> Vec<Expr> {
    ILO_INDICATORS
        .iter()
        .flat_map(|x| {
            let is_x = col("indicator").eq(lit(*x));
            [
                is_x.clone()
                    .cast(DataType::Int64)
                    .sum()
                    .alias(format!("{prefix}_{x}_count")),
                (col(AS_OF).first() - col("date").filter(is_x).max())
                    .alias(format!("{prefix}_{x}_age_days")),
            ]
        })
        .collect()
}

/// Findings per ILO indicator at inspections on or before the as-of date.
pub fn attach_findings(ds: &Dataset, targets: LazyFrame) -> LazyFrame {
    let mut names = per_indicator("finding");
    names.push(("findings_workers_affected_max".into(), DataType::Int64));
    let (Some(findings), Some(insp)) = (
        table_lazy(ds, Table::Findings),
        table_lazy(ds, Table::Inspections),
    ) else {
        return targets.with_columns(null_columns(&names));
    };
    let dated = findings
        .select([
            col("inspection_id"),
            col("indicator"),
            col("workers_affected"),
        ])
        .inner_join(
            insp.select([col("inspection_id"), col(SITE), col("date")]),
            col("inspection_id"),
            col("inspection_id"),
        );
    let mut aggs = indicator_aggs("finding");
    aggs.push(
        col("workers_affected")
            .max()
            .cast(DataType::Int64)
            .alias("findings_workers_affected_max"),
    );
    let agg = key_targets(&targets)
        .inner_join(dated, col(SITE), col(SITE))
        .filter(col("date").lt_eq(col(AS_OF)))
        .group_by([col(KEY)])
        .agg(aggs);
    let counts: Vec<String> = ILO_INDICATORS
        .iter()
        .map(|x| format!("finding_{x}_count"))
        .collect();
    let counts: Vec<&str> = counts.iter().map(String::as_str).collect();
    attach(targets, agg, &counts)
}

/// Tips about the site (or its company) in the last two years.
pub fn attach_tips(ds: &Dataset, targets: LazyFrame) -> LazyFrame {
    let mut names = per_indicator("tip");
    names.push(("tips_12m".into(), DataType::Int64));
    names.push(("last_tip_age_days".into(), DataType::Int32));
    let Some(tips) = table_lazy(ds, Table::Tips) else {
        return targets.with_columns(null_columns(&names));
    };
    let Some(sites) = table_lazy(ds, Table::Sites) else {
        return targets.with_columns(null_columns(&names));
    };
    // A tip about a company concerns each of its sites.
    let by_site = tips.clone().filter(col(SITE).is_not_null()).select([
        col(SITE),
        col("date"),
        col("indicator"),
    ]);
    let by_company = tips
        .filter(col(SITE).is_null().and(col("company_id").is_not_null()))
        .select([col("company_id"), col("date"), col("indicator")])
        .inner_join(
            sites.select([col(SITE), col("company_id")]),
            col("company_id"),
            col("company_id"),
        )
        .select([col(SITE), col("date"), col("indicator")]);
    let all_tips = concat([by_site, by_company], UnionArgs::default());
    let all_tips = match all_tips {
        Ok(lf) => lf,
        Err(_) => return targets.with_columns(null_columns(&names)),
    };
    let mut aggs = indicator_aggs("tip");
    aggs.push(
        col("date")
            .gt(col(AS_OF) - lit(YEAR_DAYS))
            .cast(DataType::Int64)
            .sum()
            .alias("tips_12m"),
    );
    aggs.push((col(AS_OF).first() - col("date").max()).alias("last_tip_age_days"));
    let agg = key_targets(&targets)
        .inner_join(all_tips, col(SITE), col(SITE))
        .filter(
            col("date")
                .lt_eq(col(AS_OF))
                .and(col("date").gt(col(AS_OF) - lit(2 * YEAR_DAYS))),
        )
        .group_by([col(KEY)])
        .agg(aggs);
    let mut counts: Vec<String> = ILO_INDICATORS
        .iter()
        .map(|x| format!("tip_{x}_count"))
        .collect();
    counts.push("tips_12m".into());
    let counts: Vec<&str> = counts.iter().map(String::as_str).collect();
    attach(targets, agg, &counts)
}

/// Severe outcomes in the last five years at the company's other sites.
pub fn attach_company(ds: &Dataset, targets: LazyFrame) -> LazyFrame {
    let (Some(insp), Some(sites)) = (
        table_lazy(ds, Table::Inspections),
        table_lazy(ds, Table::Sites),
    ) else {
        return targets.with_columns(null_columns(&[(
            "company_severe_other_sites".into(),
            DataType::Int64,
        )]));
    };
    let severe = insp
        .filter(any_of("outcome", &SEVERE_OUTCOMES))
        .select([col(SITE).alias("_other_site"), col("date")])
        .inner_join(
            sites.select([col(SITE), col("company_id")]),
            col("_other_site"),
            col(SITE),
        )
        .select([col("_other_site"), col("company_id"), col("date")]);
    let agg = targets
        .clone()
        .select([col(KEY), col(SITE), col(AS_OF), col("company_id")])
        .inner_join(severe, col("company_id"), col("company_id"))
        .filter(
            col("_other_site")
                .neq(col(SITE))
                .and(col("date").lt_eq(col(AS_OF)))
                .and(col("date").gt(col(AS_OF) - lit(5 * YEAR_DAYS))),
        )
        .group_by([col(KEY)])
        .agg([len()
            .cast(DataType::Int64)
            .alias("company_severe_other_sites")]);
    attach(targets, agg, &["company_severe_other_sites"])
}
