//! Unit tests of recommendations and decisions.

use super::*;
use crate::indicators::{IloStatus, Tier};
use crate::rank::plan::plan;

fn site(i: usize, days: Option<i64>) -> Ranked {
    Ranked {
        rank: i + 1,
        row: i,
        site_id: format!("S{i:04}"),
        company_id: None,
        name: None,
        municipality_code: None,
        municipality: None,
        region: None,
        sector_code: None,
        risk_group: None,
        workers_exposed: 1.0,
        workers_known: true,
        score: 0.0,
        priority: (1000 - i) as f64,
        probability: None,
        contributions: Vec::new(),
        tier: Tier::NoIndication,
        ilo: [IloStatus::Unknown; 11],
        coverage: 0,
        days_since_inspection: days,
        reasons: Vec::new(),
    }
}

fn ranked() -> Vec<Ranked> {
    (0..100)
        .map(|i| site(i, if i % 7 == 0 { Some(30) } else { None }))
        .collect()
}

fn params() -> PlanParams {
    PlanParams {
        capacity: 10,
        explore: 0.2,
        seed: 3,
        explore_blind_spots: None,
    }
}

fn ids(p: &Plan) -> Vec<String> {
    p.rows.iter().map(|r| r.site.site_id.clone()).collect()
}

#[test]
fn the_recommendation_is_the_plan_of_the_eligible_sites() {
    let all = ranked();
    let rec = recommend(&all, &params(), 180);
    let eligible: Vec<Ranked> = all
        .iter()
        .filter(|r| r.days_since_inspection.is_none())
        .cloned()
        .collect();
    let direct = plan(eligible, &params());
    assert_eq!(ids(&rec.plan), ids(&direct));
    assert_eq!(rec.plan.eligible, direct.eligible);
    for (row, &i) in rec.plan.rows.iter().zip(&rec.indices) {
        assert_eq!(all[i].site_id, row.site.site_id);
    }
    assert!(
        rec.plan
            .rows
            .iter()
            .all(|r| r.site.days_since_inspection.is_none())
    );
}

#[test]
fn overrides_parse_and_need_a_reason() {
    let o = Override::parse("S0001=closed; see note = 3").unwrap();
    assert_eq!(o.site_id, "S0001");
    assert_eq!(o.reason, "closed; see note = 3");
    assert_eq!(
        Override::parse("S0001"),
        Err(DecisionError::MissingReason("S0001".into()))
    );
    assert_eq!(
        Override::parse("S0001=   "),
        Err(DecisionError::EmptyReason("S0001".into()))
    );
    assert!(matches!(
        Override::parse("=why"),
        Err(DecisionError::NoSite(_))
    ));
    assert!(
        DecisionError::MissingReason("S1".into())
            .to_string()
            .contains("reason")
    );
}

#[test]
fn decisions_keep_remove_and_add_with_reasons() {
    let all = ranked();
    let rec = recommend(&all, &params(), 180);
    let first = rec.plan.rows[0].site.site_id.clone();
    let outside = all
        .iter()
        .find(|r| !ids(&rec.plan).contains(&r.site_id))
        .unwrap()
        .site_id
        .clone();
    let remove = [Override::new(&first, "visited by SKAT last week").unwrap()];
    let add = [Override::new(&outside, "tip from the union").unwrap()];
    let d = decide(rec.plan.clone(), 10, &all, &remove, &add, "anne").unwrap();
    assert_eq!((d.recommended, d.kept, d.removed, d.added), (10, 9, 1, 1));
    assert_eq!(d.visits(), 10);
    assert_eq!(d.rows.len(), 11);
    let r0 = &d.rows[0];
    assert_eq!(
        (r0.decision, r0.decision_reason.as_deref(), r0.recommended),
        (Decision::Removed, Some("visited by SKAT last week"), true)
    );
    let last = &d.rows[10];
    assert_eq!(last.site.site_id, outside);
    assert_eq!(
        (last.decision, last.recommended, last.selection),
        (Decision::Added, false, None)
    );
    assert_eq!(last.selection_probability, 1.0);
    assert!(d.rows.iter().all(|r| r.decided_by == "anne"));
    assert!(
        d.rows[1..10]
            .iter()
            .all(|r| r.decision == Decision::Keep && r.decision_reason.is_none())
    );

    let mut buf = Vec::new();
    write_csv(&mut buf, &d).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let header = text.lines().next().unwrap();
    for col in [
        "recommended",
        "selection_probability",
        "decision",
        "decision_reason",
        "decided_by",
    ] {
        assert!(header.split(',').any(|h| h == col), "{header}");
    }
    assert!(
        text.contains("removed,visited by SKAT last week,anne"),
        "{text}"
    );
    assert!(text.contains("added,tip from the union,anne"), "{text}");
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["rows"][0]["decision"], "removed");
    assert_eq!(json["rows"][0]["site_id"], first.as_str());
    assert_eq!(json["rows"][10]["selection"], serde_json::Value::Null);
}

#[test]
fn impossible_overrides_are_refused() {
    let all = ranked();
    let rec = recommend(&all, &params(), 180);
    let inside = rec.plan.rows[0].site.site_id.clone();
    let outside = "S0099".to_string();
    assert!(!ids(&rec.plan).contains(&outside));
    let o = |s: &str| Override::new(s, "why").unwrap();
    let run = |remove: &[Override], add: &[Override]| {
        decide(rec.plan.clone(), 10, &all, remove, add, "u").map(|_| ())
    };
    assert_eq!(
        run(&[o(&outside)], &[]),
        Err(DecisionError::NotRecommended(outside.clone()))
    );
    assert_eq!(
        run(&[], &[o(&inside)]),
        Err(DecisionError::AlreadyRecommended(inside.clone()))
    );
    assert_eq!(
        run(&[], &[o("NOPE")]),
        Err(DecisionError::UnknownSite("NOPE".into()))
    );
    assert_eq!(
        run(&[o(&inside)], &[o(&inside)]),
        Err(DecisionError::Duplicate(inside.clone()))
    );
    let empty = Override {
        site_id: inside.clone(),
        reason: " ".into(),
    };
    assert_eq!(run(&[empty], &[]), Err(DecisionError::EmptyReason(inside)));
}

#[test]
fn warnings_name_overfull_plans_and_removed_exploration() {
    let all = ranked();
    let rec = recommend(&all, &params(), 180);
    let explore = rec
        .plan
        .rows
        .iter()
        .find(|r| r.selection == Selection::Exploration)
        .unwrap()
        .site
        .site_id
        .clone();
    let d = decide(
        rec.plan.clone(),
        10,
        &all,
        &[Override::new(&explore, "x").unwrap()],
        &[],
        "u",
    )
    .unwrap();
    assert!(d.warnings().iter().any(|w| w.contains("exploration")));
    let extra: Vec<Override> = all
        .iter()
        .filter(|r| !ids(&rec.plan).contains(&r.site_id))
        .take(2)
        .map(|r| Override::new(&r.site_id, "y").unwrap())
        .collect();
    let d = decide(rec.plan, 10, &all, &[], &extra, "u").unwrap();
    assert!(d.warnings().iter().any(|w| w.contains("capacity")));
}

#[test]
fn an_agency_s_window_counts_its_own_joint_and_unattributed_visits() {
    use polars::prelude::*;
    let mut ds = crate::data::Dataset::empty_all_tables().unwrap();
    let day =
        |y, m, d| crate::data::parse::to_days(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap());
    let insp = df!(
        "site_id" => ["A", "B", "C", "D", "E"],
        "agency" => [Some("AT"), Some("SKAT"), Some("JOINT"), None, Some("AT")],
        "date" => [day(2026, 6, 1), day(2026, 6, 1), day(2026, 5, 1), day(2026, 4, 1), day(2026, 7, 1)],
    )
    .unwrap()
    .lazy()
    .with_column(col("date").cast(DataType::Date))
    .collect()
    .unwrap();
    ds.tables.insert(crate::data::Table::Inspections, insp);
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let at = days_since_visit_by(&ds, "AT", as_of).unwrap();
    assert_eq!(at.get("A"), Some(&29));
    assert_eq!(at.get("B"), None, "SKAT's visit is not AT's");
    assert_eq!(at.get("C"), Some(&60), "a joint control is every agency's");
    assert_eq!(at.get("D"), Some(&90), "an unattributed visit may be AT's");
    assert_eq!(at.get("E"), None, "after the as-of date");
}
