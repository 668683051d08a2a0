//! Unit tests of the team rule, the per-agency exclusion window, the
//! catalogue's `agencies` and the assembled plan (bundling has its own
//! tests in `bundle.rs`).

use super::*;
use crate::indicators::catalogue::BUNDLED;
use crate::indicators::{Catalogue, IloStatus, Kind, Tier};
use crate::rank::decision::decide;
use crate::rank::rows::Reason;

fn reason(id: &str) -> Reason {
    Reason {
        indicator: id.to_string(),
        kind: Kind::Signal,
        ilo: Vec::new(),
        weight: 1.0,
        text: format!("{id} fired"),
    }
}

fn site(i: usize, municipality: i64, reasons: &[&str]) -> Ranked {
    Ranked {
        rank: i + 1,
        row: i,
        site_id: format!("S{i:04}"),
        company_id: None,
        name: None,
        municipality_code: Some(municipality),
        municipality: Some(format!("Kommune {municipality}")),
        region: None,
        sector_code: None,
        risk_group: None,
        workers_exposed: 1.0,
        workers_known: true,
        score: 0.0,
        priority: (100 - i) as f64,
        probability: None,
        contributions: Vec::new(),
        tier: Tier::NoIndication,
        ilo: [IloStatus::Unknown; 11],
        coverage: 0,
        days_since_inspection: None,
        reasons: reasons.iter().copied().map(reason).collect(),
    }
}

fn params(agencies: &[&str], bundling: Option<Bundling>) -> JointParams {
    let list: Vec<String> = agencies.iter().map(|a| (*a).to_string()).collect();
    JointParams::new(&list, 180, bundling).unwrap()
}

fn catalogue() -> Catalogue {
    Catalogue::bundled().unwrap()
}

fn ids(reasons: &[Reason]) -> Vec<&str> {
    reasons.iter().map(|r| r.indicator.as_str()).collect()
}

#[test]
fn every_bundled_indicator_names_its_agencies_and_the_default_is_documented() {
    let cat = catalogue();
    assert!(cat.indicators.iter().all(|d| !d.agencies.is_empty()));
    let mut evidence = cat
        .indicators
        .iter()
        .find(|d| d.kind == Kind::Evidence)
        .unwrap()
        .clone();
    evidence.agencies.clear();
    assert_eq!(evidence.acting_agencies(), ["POLICE"]);
    let mut signal = cat
        .indicators
        .iter()
        .find(|d| d.kind == Kind::Signal)
        .unwrap()
        .clone();
    signal.agencies.clear();
    assert!(signal.acting_agencies().is_empty());
}

#[test]
fn unknown_or_repeated_agencies_in_the_catalogue_are_refused() {
    let bad = BUNDLED.replacen("agencies = [\"SKAT\"]", "agencies = [\"IRS\"]", 1);
    let e = Catalogue::parse(&bad, "test.toml").unwrap_err().to_string();
    assert!(e.contains("'IRS'") && e.contains("agencies"), "{e}");
    let twice = BUNDLED.replacen("agencies = [\"AT\"]", "agencies = [\"AT\", \"AT\"]", 1);
    let e = Catalogue::parse(&twice, "test.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("twice"), "{e}");
}

#[test]
fn plan_agencies_are_checked_and_deduplicated() {
    let p = JointParams::new(&["at".into(), "AT".into(), " skat ".into()], 180, None).unwrap();
    assert_eq!(p.agencies, ["AT", "SKAT"]);
    assert_eq!(p.lead(), "AT");
    assert!(matches!(
        JointParams::new(&["JOINT".into()], 180, None),
        Err(JointError::NotPlanning { .. })
    ));
    assert!(matches!(
        JointParams::new(&["CMM".into()], 180, None),
        Err(JointError::NotPlanning { .. })
    ));
    assert_eq!(
        JointParams::new(&[], 180, None),
        Err(JointError::NoAgencies)
    );
}

#[test]
fn a_three_agency_site_gets_each_agency_with_its_own_reasons() {
    let cat = catalogue();
    let p = params(&["AT", "SKAT", "POLICE"], None);
    let rule = TeamRule::new(&cat, &p);
    let s = site(
        0,
        101,
        &[
            "finding_retention_of_documents",
            "pay_far_below_stated",
            "overcrowded_employer_housing",
            "bound_housed_recruited",
            "mostly_employer_bound",
        ],
    );
    let t = rule.team(&s, &LastVisits::default());
    assert_eq!(t.basis, Basis::Reasons);
    assert_eq!(t.agencies(), ["AT", "SKAT", "POLICE", "CMM"]);
    let roles: Vec<Role> = t.team.iter().map(|m| m.role).collect();
    assert_eq!(
        roles,
        [Role::Listed, Role::Listed, Role::Listed, Role::CalledIn]
    );
    assert_eq!(ids(t.reasons_for("AT")), ["overcrowded_employer_housing"]);
    assert_eq!(ids(t.reasons_for("SKAT")), ["pay_far_below_stated"]);
    assert_eq!(
        ids(t.reasons_for("POLICE")),
        ["finding_retention_of_documents"]
    );
    assert_eq!(
        ids(t.reasons_for("CMM")),
        ["finding_retention_of_documents"]
    );
    // SIRI's reasons are shown, but SIRI is not one of the plan's agencies.
    assert_eq!(
        ids(t.reasons_for("SIRI")),
        ["bound_housed_recruited", "mostly_employer_bound"]
    );
    let siri = t.reasons.iter().find(|r| r.agency == "SIRI").unwrap();
    assert!(!siri.in_team);
    assert!(t.team[0].why.contains("overcrowded_employer_housing"));
    assert!(t.team[0].why.contains("no visit on record"));
}

#[test]
fn the_police_and_cmm_are_called_in_when_not_listed() {
    let cat = catalogue();
    let p = params(&["AT", "SKAT"], None);
    let t = TeamRule::new(&cat, &p).team(
        &site(0, 101, &["tip_intimidation_threats"]),
        &LastVisits::default(),
    );
    assert_eq!(t.agencies(), ["POLICE", "CMM"]);
    assert!(t.team.iter().all(|m| m.role == Role::CalledIn));
    assert!(
        t.team[0]
            .why
            .contains("called in by tip_intimidation_threats")
    );
}

#[test]
fn context_only_reasons_call_no_one_and_sites_without_reasons_get_the_lead() {
    let cat = catalogue();
    let p = params(&["SIRI", "AT"], None);
    let rule = TeamRule::new(&cat, &p);
    let visits = LastVisits::default();
    let context = rule.team(&site(0, 101, &["mostly_employer_bound"]), &visits);
    assert_eq!(context.basis, Basis::Lead);
    assert_eq!(context.agencies(), ["SIRI"]);
    assert_eq!(context.team[0].role, Role::Lead);
    assert_eq!(ids(context.reasons_for("SIRI")), ["mostly_employer_bound"]);
    let nothing = rule.team(&site(1, 101, &[]), &visits);
    assert_eq!(nothing.basis, Basis::Lead);
    assert_eq!(nothing.agencies(), ["SIRI"]);
    let bound = rule.team(&site(2, 101, &["bound_housed_recruited"]), &visits);
    assert_eq!(bound.basis, Basis::Reasons);
    assert_eq!(bound.agencies(), ["SIRI"]);
}

#[test]
fn sites_whose_reasons_are_for_other_agencies_only_are_out_of_scope() {
    let cat = catalogue();
    let p = params(&["AT"], None);
    let t = TeamRule::new(&cat, &p).team(
        &site(0, 101, &["pay_far_below_stated"]),
        &LastVisits::default(),
    );
    assert_eq!(t.basis, Basis::OutOfScope);
    assert_eq!(t.agencies(), ["AT"]);
    assert!(t.team[0].why.contains("SKAT only"), "{}", t.team[0].why);
}

/// S0 SKAT only, AT visited 30 days ago; S1 AT only, AT visited 30 days
/// ago; S2 AT and SKAT, both visited; S3 AT and SKAT, only AT visited;
/// S4 SIRI only (out of scope); S5 nothing fired.
fn window_case() -> (Vec<Ranked>, LastVisits) {
    let ranked = vec![
        site(0, 101, &["pay_far_below_stated"]),
        site(1, 101, &["hours_p90_over_48"]),
        site(2, 101, &["hours_p90_over_48", "third_party_pay"]),
        site(3, 751, &["hours_p90_over_48", "third_party_pay"]),
        site(4, 751, &["paid_elsewhere"]),
        site(5, 461, &[]),
    ];
    let mut visits = LastVisits::default();
    for s in ["S0000", "S0001", "S0002", "S0003"] {
        visits.insert("AT", s, 30);
    }
    visits.insert("SKAT", "S0002", 100);
    visits.insert("SKAT", "S0002", 10);
    (ranked, visits)
}

#[test]
fn the_exclusion_window_needs_every_team_member_to_have_visited() {
    let cat = catalogue();
    let p = params(&["AT", "SKAT", "POLICE"], None);
    let (ranked, visits) = window_case();
    let teams = TeamRule::new(&cat, &p).teams(&ranked, &visits);
    assert_eq!(teams["S0000"].window_days(), None);
    assert_eq!(teams["S0001"].window_days(), Some(30));
    // The most recent visit of each member counts; the oldest member's decides.
    assert_eq!(teams["S0002"].window_days(), Some(30));
    assert_eq!(teams["S0003"].window_days(), None);
    let plan_params = PlanParams {
        capacity: 10,
        explore: 0.0,
        seed: 1,
        explore_blind_spots: None,
    };
    let rec = recommend(&ranked, &teams, &plan_params, 180);
    assert_eq!(rec.out_of_scope, 1);
    let planned: Vec<&str> = rec
        .recommendation
        .plan
        .rows
        .iter()
        .map(|r| r.site.site_id.as_str())
        .collect();
    assert_eq!(planned, ["S0000", "S0003", "S0005"]);
    assert_eq!(rec.recommendation.indices, [0, 3, 5]);
    // A window of 20 days: AT's visits 30 days ago no longer count.
    let short = recommend(&ranked, &teams, &plan_params, 20);
    assert_eq!(short.recommendation.plan.rows.len(), 5);
}

#[test]
fn the_assembled_plan_orders_visits_by_day_and_exports_reasons_per_agency() {
    let cat = catalogue();
    let p = params(
        &["AT", "SKAT", "POLICE"],
        Some(Bundling::new(2, 1).unwrap()),
    );
    let (ranked, visits) = window_case();
    let teams = TeamRule::new(&cat, &p).teams(&ranked, &visits);
    let plan_params = PlanParams {
        capacity: 10,
        explore: 0.0,
        seed: 1,
        explore_blind_spots: None,
    };
    let rec = recommend(&ranked, &teams, &plan_params, 180);
    let decided = decide(rec.recommendation.plan, 10, &ranked, &[], &[], "anne").unwrap();
    let jp = assemble(decided, &teams, &p, "2026-06-30", rec.out_of_scope, |r| {
        let area = Area::of_site(
            r.municipality_code,
            r.municipality.as_deref(),
            None,
            &r.site_id,
        );
        (area, None)
    });
    assert_eq!(jp.visits(), 3);
    assert_eq!(jp.days.len(), 2);
    assert_eq!(jp.days[0].day.site_ids, ["S0000"]);
    assert_eq!(jp.days[1].day.site_ids, ["S0003"]);
    assert_eq!(jp.days[1].team, ["AT", "SKAT"]);
    assert_eq!(jp.unscheduled.len(), 1);
    assert_eq!(jp.unscheduled[0].site_id, "S0005");
    let order: Vec<(&str, Option<usize>, Option<usize>)> = jp
        .rows
        .iter()
        .map(|r| (r.row.site.site_id.as_str(), r.visit, r.day))
        .collect();
    assert_eq!(
        order,
        [
            ("S0000", Some(1), Some(1)),
            ("S0003", Some(2), Some(2)),
            ("S0005", Some(3), None)
        ]
    );
    assert!(jp.rows[2].unscheduled.is_some());

    let mut buf = Vec::new();
    write_csv(&mut buf, &jp).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[1][col("site_id")], "S0003");
    assert_eq!(&rows[1][col("team")], "AT; SKAT");
    assert!(rows[1][col("reasons_at")].starts_with("hours_p90_over_48: "));
    assert!(rows[1][col("reasons_skat")].starts_with("third_party_pay: "));
    assert_eq!(&rows[1][col("reasons_police")], "");
    assert_eq!(&rows[2][col("day")], "");
    assert!(!rows[2][col("unscheduled")].is_empty());
    let json = serde_json::to_value(&jp).unwrap();
    assert_eq!(json["rows"][1]["site_id"], "S0003");
    assert_eq!(json["rows"][1]["team"][0]["agency"], "AT");
    assert_eq!(json["rows"][1]["day"], 2);
}
