//! `tilsyn plan --agencies` on `tests/fixtures/joint` (see its README for
//! what each site is built to show): the team and the reasons per agency
//! of each site, the police and CMM called in, the exclusion window that
//! counts each team member's own visits, day routes within `--days` and
//! `--visits-per-day` that keep a municipality together and report what is
//! left over, the shared CSV, the audit record, and the briefings with the
//! reasons per agency and their source lines but no person.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::harness::{AS_OF, Run, files_containing, fixture, run_tilsyn, tempdir};

/// The three-agency site: findings (POLICE, CMM), pay (SKAT), housing (AT), permits (SIRI).
const J1: &str = "7000000001";
/// Third-party pay (SKAT only); AT visited 29 days before the as-of date.
const J2: &str = "7000000002";
/// Long hours (AT only); AT visited 28 days before.
const J3: &str = "7000000003";
/// Third-party pay (SKAT only); a joint control 46 days before.
const J4: &str = "7000000004";
/// Red smiley in a risk sector (AT only), København like J1 and J2.
const J5: &str = "7000000005";
/// A tip of intimidation (POLICE, CMM), Aarhus.
const J6: &str = "7000000006";
/// A young company in a risk sector (SKAT); no municipality, postcode 8000.
const J7: &str = "7000000007";
/// Nothing fired, Odense.
const J8: &str = "7000000008";

/// `tilsyn plan` on the fixture with the rules scorer, no exploration, a
/// capacity of 6 unless `extra` gives one, the audit log in `dir`, then
/// `extra`.
fn plan(dir: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<OsString> = vec![
        "plan".into(),
        "--data".into(),
        fixture("joint").into_os_string(),
        "--as-of".into(),
        AS_OF.into(),
        "--scorer".into(),
        "rules".into(),
        "--explore".into(),
        "0".into(),
        "--audit-log".into(),
        dir.join("audit.jsonl").into_os_string(),
        "--user".into(),
        "tester".into(),
    ];
    if !extra.contains(&"--capacity") {
        args.extend(["--capacity".into(), "6".into()]);
    }
    args.extend(extra.iter().map(OsString::from));
    run_tilsyn(args, &[])
}

/// The plan written as JSON to `dir/plan.json`.
fn plan_json(dir: &Path, extra: &[&str]) -> (Run, Value) {
    let out = dir.join("plan.json");
    let out_text = out.display().to_string();
    let mut all: Vec<&str> = extra.to_vec();
    all.extend(["--out", out_text.as_str()]);
    let run = plan(dir, &all);
    run.assert_code(0);
    let text = std::fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("no plan at {}: {e}\n{}", out.display(), run.context()));
    let json: Value = serde_json::from_str(&text).unwrap();
    (run, json)
}

fn rows(plan: &Value) -> &Vec<Value> {
    plan["rows"].as_array().expect("the plan has rows")
}

fn row<'a>(plan: &'a Value, site: &str) -> &'a Value {
    rows(plan)
        .iter()
        .find(|r| r["site_id"] == site)
        .unwrap_or_else(|| panic!("site {site} is not in the plan: {plan:#}"))
}

fn planned(plan: &Value) -> BTreeSet<String> {
    rows(plan)
        .iter()
        .filter(|r| r["decision"] != "removed")
        .map(|r| r["site_id"].as_str().unwrap().to_string())
        .collect()
}

fn team(r: &Value) -> Vec<String> {
    r["team"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["agency"].as_str().unwrap().to_string())
        .collect()
}

fn role(r: &Value, agency: &str) -> String {
    r["team"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["agency"] == agency)
        .map(|m| m["role"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The indicator ids of a site's reasons for an agency, sorted.
fn reasons(r: &Value, agency: &str) -> Vec<String> {
    let mut ids: Vec<String> = r["reasons_by_agency"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["agency"] == agency)
        .flat_map(|a| a["reasons"].as_array().unwrap().iter())
        .map(|x| x["indicator"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| (*s).to_string()).collect();
    v.sort();
    v
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).to_string()).collect()
}

#[test]
fn a_three_agency_plan_gives_each_site_its_team_and_reasons_per_agency() {
    let dir = tempdir();
    let (_, p) = plan_json(dir.path(), &["--agencies", "AT,SKAT,POLICE"]);
    assert_eq!(p["agencies"], serde_json::json!(["AT", "SKAT", "POLICE"]));
    assert_eq!(planned(&p), set(&[J1, J2, J5, J6, J7, J8]));

    let j1 = row(&p, J1);
    assert_eq!(team(j1), ["AT", "SKAT", "POLICE", "CMM"]);
    assert_eq!(role(j1, "POLICE"), "listed");
    assert_eq!(role(j1, "CMM"), "called_in");
    assert_eq!(
        reasons(j1, "AT"),
        sorted(&[
            "overcrowded_employer_housing",
            "employer_housing_not_as_promised",
            "overcrowding_any_address"
        ])
    );
    assert_eq!(
        reasons(j1, "SKAT"),
        sorted(&[
            "pay_far_below_stated",
            "many_paid_below_80pct",
            "low_absolute_pay"
        ])
    );
    assert_eq!(reasons(j1, "POLICE"), ["finding_retention_of_documents"]);
    assert_eq!(reasons(j1, "CMM"), ["finding_retention_of_documents"]);
    // SIRI's reasons are shown, but SIRI is not one of the plan's agencies.
    assert_eq!(
        reasons(j1, "SIRI"),
        sorted(&[
            "bound_housed_recruited",
            "mostly_via_recruiters",
            "mostly_employer_bound"
        ])
    );
    let siri = j1["reasons_by_agency"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agency"] == "SIRI")
        .unwrap();
    assert_eq!(siri["in_team"], false);
    let why = j1["team"][0]["why"].as_str().unwrap();
    assert!(why.contains("overcrowded_employer_housing"), "{why}");

    let j2 = row(&p, J2);
    assert_eq!(team(j2), ["SKAT"]);
    assert_eq!(reasons(j2, "SKAT"), ["third_party_pay"]);
    assert_eq!(team(row(&p, J5)), ["AT"]);
    assert_eq!(reasons(row(&p, J5), "AT"), ["red_smiley_risk_sector"]);
    let j6 = row(&p, J6);
    assert_eq!(team(j6), ["POLICE", "CMM"]);
    assert_eq!(reasons(j6, "POLICE"), ["tip_intimidation_threats"]);
    assert_eq!(team(row(&p, J7)), ["SKAT"]);
    // Nothing fired at J8: the lead agency goes.
    let j8 = row(&p, J8);
    assert_eq!(team(j8), ["AT"]);
    assert_eq!(j8["team_basis"], "lead");
    assert_eq!(role(j8, "AT"), "lead");

    // The shared CSV: the plan's columns, then day, team and reasons per agency.
    let csv_run = plan(dir.path(), &["--agencies", "AT,SKAT,POLICE"]);
    csv_run.assert_code(0);
    let mut rdr = csv::Reader::from_reader(csv_run.stdout.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    for c in [
        "visit",
        "site_id",
        "decision",
        "day",
        "area",
        "team",
        "team_why",
        "reasons_at",
        "reasons_skat",
        "reasons_siri",
        "reasons_police",
        "reasons_cmm",
    ] {
        assert!(header.iter().any(|h| h == c), "no column {c}: {header:?}");
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let records: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let first = records
        .iter()
        .find(|r| &r[col("site_id")] == J1)
        .expect("J1 in the CSV");
    assert_eq!(&first[col("team")], "AT; SKAT; POLICE; CMM");
    assert!(first[col("reasons_at")].contains("overcrowded_employer_housing: "));
    assert!(first[col("reasons_skat")].contains("pay_far_below_stated: "));
    assert!(!first[col("reasons_skat")].contains("overcrowded"));
    assert!(first[col("reasons_police")].starts_with("finding_retention_of_documents: "));
    assert!(first[col("reasons_siri")].contains("bound_housed_recruited: "));
}

#[test]
fn the_police_and_cmm_are_called_in_where_coercion_is_recorded() {
    let dir = tempdir();
    let (_, p) = plan_json(dir.path(), &["--agencies", "AT,SKAT"]);
    let j6 = row(&p, J6);
    assert_eq!(team(j6), ["POLICE", "CMM"]);
    assert_eq!(role(j6, "POLICE"), "called_in");
    let j1 = row(&p, J1);
    assert_eq!(team(j1), ["AT", "SKAT", "POLICE", "CMM"]);
    assert_eq!(role(j1, "POLICE"), "called_in");
    // A plan of AT and SKAT does not list the police: J1 is not left out
    // because the police is called in, and CMM inspects nothing.
    assert!(planned(&p).contains(J1));
}

#[test]
fn the_exclusion_window_counts_each_team_members_own_visits() {
    let dir = tempdir();
    // J2 (SKAT's reason) is planned although AT visited it last month; J3
    // (only AT's reasons, AT visited) is not; J4 had a joint control, which
    // counts for every agency.
    let (_, p) = plan_json(dir.path(), &["--agencies", "AT,SKAT,POLICE"]);
    let got = planned(&p);
    assert!(got.contains(J2), "{got:?}");
    assert!(!got.contains(J3), "{got:?}");
    assert!(!got.contains(J4), "{got:?}");
    assert_eq!(row(&p, J2)["team"][0]["days_since_visit"], Value::Null);
    assert_eq!(row(&p, J1)["team"][0]["days_since_visit"], 288);

    // One agency's plan: AT's visit keeps J2 out of AT's plan, not of SKAT's.
    let (_, at) = plan_json(dir.path(), &["--agency", "AT"]);
    assert!(!planned(&at).contains(J2));
    let (_, skat) = plan_json(dir.path(), &["--agency", "SKAT"]);
    assert!(planned(&skat).contains(J2));
    assert!(!planned(&skat).contains(J4));

    // A window of 20 days: the visits of 28, 29 and 46 days ago no longer count.
    let (_, short) = plan_json(
        dir.path(),
        &[
            "--agencies",
            "AT,SKAT,POLICE",
            "--exclude-inspected-days",
            "20",
            "--capacity",
            "8",
        ],
    );
    let got = planned(&short);
    for s in [J2, J3, J4] {
        assert!(got.contains(s), "{s}: {got:?}");
    }

    // --agency and --agencies are one or the other.
    plan(dir.path(), &["--agency", "AT", "--agencies", "AT,SKAT"]).assert_code(2);
    plan(dir.path(), &["--agencies", "AT,JOINT"]).assert_code(2);
}

/// The day routes of a plan: (day, area label, sites).
fn days(p: &Value) -> Vec<(u64, String, Vec<String>)> {
    p["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["day"].as_u64().unwrap(),
                d["area"]["label"].as_str().unwrap().to_string(),
                d["site_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

fn unscheduled(p: &Value) -> Vec<String> {
    p["unscheduled"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["site_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn visits_are_bundled_into_days_within_capacity_by_municipality() {
    let dir = tempdir();
    // Six visits by priority: J1, J5 (København), J6 (Aarhus), J2
    // (København), J7 (postcode 80xx), J8 (Odense). Two days of two.
    let (run, p) = plan_json(
        dir.path(),
        &[
            "--agencies",
            "AT,SKAT,POLICE",
            "--days",
            "2",
            "--visits-per-day",
            "2",
        ],
    );
    let d = days(&p);
    assert!(d.len() <= 2);
    assert!(d.iter().all(|(_, _, sites)| sites.len() <= 2));
    assert_eq!(
        d,
        [
            (
                1,
                "København (101)".to_string(),
                vec![J1.to_string(), J5.to_string()]
            ),
            (2, "Aarhus (751)".to_string(), vec![J6.to_string()]),
        ]
    );
    // Nothing is dropped: the three visits without a day are reported.
    assert_eq!(unscheduled(&p), [J2, J7, J8]);
    assert_eq!(planned(&p).len(), 6);
    let j2 = row(&p, J2);
    assert_eq!(j2["day"], Value::Null);
    assert!(j2["unscheduled"].as_str().unwrap().contains("full"));
    assert_eq!(row(&p, J5)["day"], 1);
    assert_eq!(row(&p, J5)["stop"], 2);
    run.assert_stderr_contains(&["warning: 3 visit(s) have no day", J7, "do not fit"]);
    // The route of day 1 is joined by every agency of its two visits.
    assert_eq!(
        p["days"][0]["team"],
        serde_json::json!(["AT", "SKAT", "POLICE", "CMM"])
    );

    // Three days of three: København's three visits share day 1, and the
    // site without a municipality is routed by its postcode.
    let (_, p) = plan_json(
        dir.path(),
        &[
            "--agencies",
            "AT,SKAT,POLICE",
            "--days",
            "3",
            "--visits-per-day",
            "3",
        ],
    );
    assert_eq!(
        days(&p),
        [
            (
                1,
                "København (101)".to_string(),
                vec![J1.to_string(), J5.to_string(), J2.to_string()]
            ),
            (2, "Aarhus (751)".to_string(), vec![J6.to_string()]),
            (3, "postcode 80xx".to_string(), vec![J7.to_string()]),
        ]
    );
    assert_eq!(unscheduled(&p), [J8]);
    // Visits are numbered in visiting order.
    let visits: Vec<(String, u64)> = rows(&p)
        .iter()
        .map(|r| {
            (
                r["site_id"].as_str().unwrap().to_string(),
                r["visit"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        visits,
        [J1, J5, J2, J6, J7, J8]
            .iter()
            .zip(1..)
            .map(|(s, v)| (s.to_string(), v))
            .collect::<Vec<_>>()
    );

    // --days and --visits-per-day go together, and with --agencies.
    plan(dir.path(), &["--agencies", "AT", "--days", "2"]).assert_code(2);
    plan(dir.path(), &["--days", "2", "--visits-per-day", "2"]).assert_code(2);
    plan(
        dir.path(),
        &["--agencies", "AT", "--days", "0", "--visits-per-day", "2"],
    )
    .assert_code(2);
}

#[test]
fn briefings_carry_the_team_reasons_and_source_lines_but_no_person() {
    let dir = tempdir();
    let out = dir.path().join("briefings");
    let out_text = out.display().to_string();
    let (run, _) = plan_json(
        dir.path(),
        &[
            "--agencies",
            "AT,SKAT,POLICE",
            "--days",
            "3",
            "--visits-per-day",
            "3",
            "--briefing",
            &out_text,
        ],
    );
    run.assert_stderr_contains(&["wrote 6 briefing(s)"]);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let want: Vec<String> = [
        format!("day01_{J1}.md"),
        format!("day01_{J2}.md"),
        format!("day01_{J5}.md"),
        format!("day02_{J6}.md"),
        format!("day03_{J7}.md"),
        format!("unscheduled_{J8}.md"),
    ]
    .into_iter()
    .collect();
    assert_eq!(names, want);

    let j1: PathBuf = out.join(format!("day01_{J1}.md"));
    let text = std::fs::read_to_string(&j1).unwrap();
    for needle in [
        "# Visit briefing: site 7000000001 (Havnebyg ApS)",
        "day 1 of 3, visit 1 of 3 that day",
        "**AT** (plan agency)",
        "**CMM** (called in)",
        "### AT (in the team)",
        "### SKAT (in the team)",
        "### POLICE (in the team)",
        "### CMM (in the team)",
        "### SIRI (not in the team)",
        "`overcrowded_employer_housing`",
        "`pay_far_below_stated`",
        "`finding_retention_of_documents`",
        "`inspections.csv:2`",
        "`findings.csv:2`",
        "`payroll.csv:2-10`",
        "`residences.csv:2-4`",
        "| permit holders | 3 |",
        "behind the reasons of POLICE, CMM",
    ] {
        assert!(
            text.contains(needle),
            "{} lacks {needle:?}:\n{text}",
            j1.display()
        );
    }
    // J2's briefing names AT's visit of last month among its records.
    let j2 = std::fs::read_to_string(out.join(format!("day01_{J2}.md"))).unwrap();
    assert!(j2.contains("`inspections.csv:3`"), "{j2}");
    assert!(j2.contains("`payroll.csv:11-16`"), "{j2}");

    // No person: no pseudonym (persons, recruiter, address), no
    // nationality, no inspector's note.
    for secret in ["p0000000000000000", "PHL", "skurvognen"] {
        let found = files_containing(&out, secret);
        assert!(found.is_empty(), "{secret} is in {found:?}");
    }

    // The audit record holds the joint plan's parameters.
    let log = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    let last: Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    let params = &last["parameters"];
    assert_eq!(
        params["agencies"],
        serde_json::json!(["AT", "SKAT", "POLICE"])
    );
    assert_eq!(params["days"], 3);
    assert_eq!(params["visits_per_day"], 3);
    assert_eq!(params["briefing"], out_text.as_str());

    // Run again with two days: the third day's briefing of the first plan
    // stays (the user's file) but is named as not from this plan.
    let (again, _) = plan_json(
        dir.path(),
        &[
            "--agencies",
            "AT,SKAT,POLICE",
            "--days",
            "2",
            "--visits-per-day",
            "3",
            "--briefing",
            &out_text,
        ],
    );
    again.assert_stderr_contains(&["from an earlier plan", &format!("day03_{J7}.md")]);
    assert!(out.join(format!("day03_{J7}.md")).exists());
}
