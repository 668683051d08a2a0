//! The recruiter check: the other sites the recruiter named on the
//! application placed workers at (permits in the register naming it,
//! started on or before the as-of date) and what inspections found there
//! after the placement, read from the site features of the scoring run
//! (`severe_outcomes_5y`, `finding_<ilo>_count` and `_age_days`,
//! `days_since_inspection`), never recomputed.
//!
//! The placements of every recruiter in the file come from one polars
//! group-by over the permits (per recruiter and site: permit holders, the
//! first start, the first line) joined to the site features. As in the
//! `network_recruiter_findings` feature, a finding or an outcome counts
//! only when it is dated after the recruiter's first permit at that site
//! and within the evidence window (the catalogue's `expire_days`).
//!
//! Strong: findings of coercion ([`rule::COERCION_FINDINGS`]) or a severe
//! outcome at [`rule::RECRUITER_REFER_SITES`] or more other sites. Medium:
//! other findings there. Made (clear possible) when at least one of those
//! sites was inspected after the placement, in the last 5 years; a
//! recruiter with no placement elsewhere is unknown to the registers.

use chrono::NaiveDate;
use polars::prelude::*;

use super::{
    Application, Check, CheckKind, Reason, ScreenError, Weight, days, floats, ints,
    is_severe_inspection, plural, rule, strs, within,
};
use crate::data::load::LINE_COLUMN;
use crate::data::parse::{from_days, to_days};
use crate::data::{ILO_INDICATORS, Table};
use crate::features::{SITE, table_lazy};
use crate::pipeline::Scored;
use crate::rank::evidence::{Record, records};

/// One recruiter's placements at one site, with that site's features.
#[derive(Debug, Clone)]
pub(super) struct Placement {
    recruiter: String,
    site: String,
    /// Distinct permit holders placed there.
    holders: i64,
    /// The first permit's start (days since 1970-01-01).
    first: Option<i32>,
    /// The first permit's line in the permits file.
    line: Option<i64>,
    days_since_inspection: Option<f64>,
    severe_outcomes_5y: Option<f64>,
    severe_outcome_age_days: Option<f64>,
    /// Per ILO id: (findings, days since the latest).
    findings: Vec<(&'static str, Option<f64>, Option<f64>)>,
}

/// The placements of the recruiters named, each at each site, from the
/// permits register joined to the site features; none when the data has
/// no permits table.
pub(super) fn placements(
    scored: &Scored,
    recruiters: &[String],
) -> Result<Option<Vec<Placement>>, ScreenError> {
    let Some(permits) = table_lazy(&scored.data, Table::Permits) else {
        return Ok(None);
    };
    if recruiters.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let as_of = to_days(scored.as_of);
    let wanted = DataFrame::new(
        recruiters.len(),
        vec![Column::new("_wanted".into(), recruiters.to_vec())],
    )?;
    let mut feature_cols = vec![
        col(SITE).alias("_feature_site"),
        col("days_since_inspection"),
        col("severe_outcomes_5y"),
        col("severe_outcome_age_days"),
    ];
    for ilo in ILO_INDICATORS {
        feature_cols.push(col(format!("finding_{ilo}_count")));
        feature_cols.push(col(format!("finding_{ilo}_age_days")));
    }
    let features = scored.assessment.frame.clone().lazy().select(feature_cols);
    let df = permits
        .filter(
            col("recruiter_id")
                .is_not_null()
                .and(col("start_date").lt_eq(lit(as_of))),
        )
        .inner_join(wanted.lazy(), col("recruiter_id"), col("_wanted"))
        .group_by([col("recruiter_id"), col(SITE)])
        .agg([
            col("person_id")
                .n_unique()
                .cast(DataType::Int64)
                .alias("_holders"),
            col("start_date").min().alias("_first"),
            // The line of that first permit (ties: the earlier line), so
            // the record's line and date belong to one row.
            col(LINE_COLUMN)
                .sort_by(
                    [col("start_date"), col(LINE_COLUMN)],
                    SortMultipleOptions::default(),
                )
                .first()
                .alias("_first_line"),
        ])
        .left_join(features, col(SITE), col("_feature_site"))
        .sort(["recruiter_id", SITE], SortMultipleOptions::default())
        .collect()?;
    let recruiter = strs(&df, "recruiter_id")?;
    let site = strs(&df, SITE)?;
    let holders = ints(&df, "_holders")?;
    let first = days(&df, "_first")?;
    let line = ints(&df, "_first_line")?;
    let since = floats(&df, "days_since_inspection")?;
    let severe = floats(&df, "severe_outcomes_5y")?;
    let severe_age = floats(&df, "severe_outcome_age_days")?;
    let mut findings = Vec::with_capacity(ILO_INDICATORS.len());
    for ilo in ILO_INDICATORS {
        findings.push((
            ilo,
            floats(&df, &format!("finding_{ilo}_count"))?,
            floats(&df, &format!("finding_{ilo}_age_days"))?,
        ));
    }
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let (Some(r), Some(s)) = (recruiter[i].clone(), site[i].clone()) else {
            continue;
        };
        out.push(Placement {
            recruiter: r,
            site: s,
            holders: holders[i].unwrap_or(0),
            first: first[i],
            line: line[i],
            days_since_inspection: since[i],
            severe_outcomes_5y: severe[i],
            severe_outcome_age_days: severe_age[i],
            findings: findings
                .iter()
                .map(|(ilo, count, age)| (*ilo, count[i], age[i]))
                .collect(),
        });
    }
    Ok(Some(out))
}

/// What inspections found at one placement site after the placement.
struct Found {
    inspected: bool,
    severe: bool,
    coercion: Vec<&'static str>,
    other: Vec<&'static str>,
}

fn found(p: &Placement, as_of: i32, expire_days: f64, findings_known: bool) -> Found {
    // A dated thing `age` days before the as-of date is after the placement
    // when it is no older than the placement itself.
    let since_placement = |age: f64| p.first.is_none_or(|f| age <= f64::from(as_of - f));
    // An inspection that could have found nothing tells nothing without
    // the findings table: only its severe outcome counts then.
    let inspected = findings_known
        && p.days_since_inspection
            .is_some_and(|d| d < rule::HISTORY_DAYS as f64 && since_placement(d));
    let severe = p.severe_outcomes_5y.is_some_and(|n| n > 0.0)
        && p.severe_outcome_age_days.is_some_and(since_placement);
    let mut coercion = Vec::new();
    let mut other = Vec::new();
    for (ilo, count, age) in &p.findings {
        let counts = count.is_some_and(|n| n > 0.0)
            && age.is_some_and(|a| a <= expire_days && since_placement(a));
        if !counts {
            continue;
        }
        if rule::COERCION_FINDINGS.contains(ilo) {
            coercion.push(*ilo);
        } else {
            other.push(*ilo);
        }
    }
    Found {
        inspected,
        severe,
        coercion,
        other,
    }
}

/// The permit line that starts a recruiter's placements at a site.
fn placement_record(scored: &Scored, p: &Placement) -> Record {
    let date = p.first.map(|d| from_days(d).to_string());
    Record {
        table: "permits",
        file: scored.data.source_file(Table::Permits),
        line: p.line.unwrap_or(0),
        date,
        after_as_of: false,
        summary: format!(
            "the recruiter's first permit at site {}: {} through it there",
            p.site,
            plural(
                u64::try_from(p.holders).unwrap_or(0),
                "permit holder",
                "permit holders"
            )
        ),
    }
}

/// The findings and severe outcomes at a site after a placement, with file
/// and line, from `explain`'s source records.
fn site_records(
    scored: &Scored,
    p: &Placement,
    expire_days: f64,
) -> Result<Vec<Record>, ScreenError> {
    let as_of = scored.as_of;
    let placed = p.first.map(from_days);
    let after_placement = |r: &Record| -> bool {
        let day = r
            .date
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        match (day, placed) {
            (Some(d), Some(first)) => d >= first,
            (Some(_), None) => true,
            (None, _) => false,
        }
    };
    let window = expire_days.round() as i64;
    Ok(records(&scored.data, &p.site, None, to_days(as_of), false)?
        .into_iter()
        .filter(|r| !r.after_as_of && after_placement(r))
        .filter(|r| {
            (r.table == "findings" && within(r, as_of, window))
                || (is_severe_inspection(r) && within(r, as_of, rule::HISTORY_DAYS))
        })
        .collect())
}

/// The recruiter check of one application. `placements` is `None` when
/// the data has no permits table.
pub(super) fn check(
    scored: &Scored,
    app: &Application,
    placements: Option<&[Placement]>,
) -> Result<Check, ScreenError> {
    let Some(recruiter) = app.recruiter_id.as_deref() else {
        return Ok(Check::new(
            CheckKind::Recruiter,
            true,
            vec![Reason::note(
                "the application names no recruiter: the employer hires directly",
            )],
        ));
    };
    let Some(placements) = placements else {
        return Ok(Check::new(
            CheckKind::Recruiter,
            false,
            vec![Reason::note(
                "the data has no permits table: the recruiter's placements are not known",
            )],
        ));
    };
    let mine: Vec<&Placement> = placements
        .iter()
        .filter(|p| p.recruiter == recruiter)
        .collect();
    let elsewhere: Vec<&Placement> = mine
        .iter()
        .copied()
        .filter(|p| p.site != app.site_id)
        .collect();
    let as_of = scored.as_of;
    if elsewhere.is_empty() {
        let also = if mine.is_empty() {
            ""
        } else {
            " (only at this employer's site)"
        };
        return Ok(Check::new(
            CheckKind::Recruiter,
            false,
            vec![Reason::note(format!(
                "the recruiter named on the application placed no worker at another site in the permits register up to {as_of}{also}: a recruiter unknown to the registers"
            ))],
        ));
    }
    let expire_days = scored.catalogue.catalogue.scoring.expire_days;
    let as_of_days = to_days(as_of);
    let mut reasons = Vec::new();
    let mut inspected = 0usize;
    let mut refer_sites = 0usize;
    for p in &elsewhere {
        let f = found(p, as_of_days, expire_days, scored.data.has(Table::Findings));
        inspected += usize::from(f.inspected);
        if !(f.severe || !f.coercion.is_empty() || !f.other.is_empty()) {
            continue;
        }
        let mut what = Vec::new();
        if !f.coercion.is_empty() {
            what.push(format!("findings of {}", f.coercion.join(", ")));
        }
        if !f.other.is_empty() {
            what.push(format!("findings of {}", f.other.join(", ")));
        }
        if f.severe {
            what.push(
                "an inspection that ended in a police report, labour exploitation or forced labour"
                    .to_string(),
            );
        }
        let strong = f.severe || !f.coercion.is_empty();
        refer_sites += usize::from(strong);
        let mut evidence = vec![placement_record(scored, p)];
        evidence.extend(site_records(scored, p, expire_days)?);
        let text = format!(
            "the recruiter placed {} at site {} (from {}), where inspections since found {}",
            plural(u64::try_from(p.holders).unwrap_or(0), "worker", "workers"),
            p.site,
            p.first.map_or_else(
                || "an unknown date".to_string(),
                |d| from_days(d).to_string()
            ),
            what.join(" and ")
        );
        reasons.push((strong, text, evidence));
    }
    let total: i64 = elsewhere.iter().map(|p| p.holders).sum();
    let summary = format!(
        "the recruiter placed {} at {} other than this one; {} inspected since the placement in the last 5 years",
        plural(u64::try_from(total).unwrap_or(0), "worker", "workers"),
        plural(elsewhere.len() as u64, "site", "sites"),
        inspected
    );
    let mut out: Vec<Reason> = reasons
        .into_iter()
        .map(|(strong, text, evidence)| {
            // A strong site counts toward a referral once enough of them hold.
            let weight = if strong && refer_sites >= rule::RECRUITER_REFER_SITES {
                Weight::Strong
            } else {
                Weight::Medium
            };
            Reason::concern(weight, text).with_evidence(evidence)
        })
        .collect();
    out.push(
        Reason::note(summary).with_evidence(
            elsewhere
                .iter()
                .map(|p| placement_record(scored, p))
                .collect(),
        ),
    );
    Ok(Check::new(CheckKind::Recruiter, inspected > 0, out))
}
