//! `tilsyn screen` on `tests/fixtures/screen` (see its README for the
//! right answers, known by construction): the planted bad recruiter's
//! application is referred for control with the recruiter check among its
//! reasons, the clean one granted, the new employers' ones sent back for
//! documents; the JSON carries the same; crowded planned housing refers; a
//! bad row of the pending file stops with its file, line and column; and
//! no person, recruiter or nationality is printed.

use std::ffi::OsString;
use std::path::Path;

use serde_json::Value;

use super::harness::{AS_OF, Run, fixture, run_tilsyn, tempdir};

/// What must never be printed: the applicants, the recruiters and the
/// nationalities of the pending file.
const PRIVATE: [&str; 10] = [
    "p00000000000000000c01",
    "p00000000000000000c02",
    "p00000000000000000c03",
    "p00000000000000000c04",
    "p00000000000000000bad",
    "p0000000000000000900d",
    "p0000000000000000cafe",
    "PHL",
    "NPL",
    "VNM",
];

fn screen(pending: &str, extra: &[&str]) -> Run {
    screen_on(&fixture("screen"), pending, extra)
}

/// `tilsyn screen` of a file of `tests/fixtures/screen/pending` against
/// the registers in `data`.
fn screen_on(data: &Path, pending: &str, extra: &[&str]) -> Run {
    let rejects = tempdir();
    let mut args: Vec<OsString> = vec![
        "screen".into(),
        "--data".into(),
        data.as_os_str().to_os_string(),
        "--as-of".into(),
        AS_OF.into(),
        "--rejects".into(),
        rejects.path().as_os_str().to_os_string(),
        "--permit".into(),
        fixture(&format!("screen/pending/{pending}"))
            .as_os_str()
            .to_os_string(),
    ];
    args.extend(extra.iter().map(OsString::from));
    run_tilsyn(args, &[])
}

/// The registers of `tests/fixtures/screen` without one table.
fn registers_without(table: &str) -> tempfile::TempDir {
    let data = tempdir();
    for entry in std::fs::read_dir(fixture("screen")).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.is_file() && name.ends_with(".csv") && name != format!("{table}.csv") {
            std::fs::copy(&p, data.path().join(&name)).unwrap();
        }
    }
    data
}

/// The JSON screening of one application, by permit id.
fn application<'a>(json: &'a Value, permit: &str) -> &'a Value {
    json["applications"]
        .as_array()
        .and_then(|apps| {
            apps.iter()
                .find(|a| a["application"]["permit_id"] == permit)
        })
        .unwrap_or_else(|| panic!("no application {permit} in {json:#}"))
}

/// The status of one check of an application.
fn status<'a>(app: &'a Value, check: &str) -> &'a str {
    app["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["check"] == check))
        .and_then(|c| c["status"].as_str())
        .unwrap_or_else(|| panic!("no check {check} in {app:#}"))
}

fn because(app: &Value) -> Vec<String> {
    app["because"]
        .as_array()
        .map(|b| {
            b.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_table_refers_the_bad_recruiter_grants_the_clean_one_and_asks_for_the_new_employers() {
    let run = screen("pending.csv", &[]);
    run.assert_code(0);
    for p in PRIVATE {
        run.assert_not_printed(p);
    }
    // One block per application, headed by its permit id and recommendation.
    let heads: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("SIRI-P-"))
        .collect();
    assert_eq!(
        heads,
        [
            "SIRI-P-0001 — REFER FOR CONTROL (pending.csv:2)",
            "SIRI-P-0002 — GRANT (pending.csv:3)",
            "SIRI-P-0003 — ASK FOR DOCUMENTS (pending.csv:4)",
            "SIRI-P-0004 — ASK FOR DOCUMENTS (pending.csv:5)",
        ],
        "{}",
        run.context()
    );
    // The referral's reasons name the recruiter check and its evidence.
    let block: String = run
        .stdout
        .split("\nSIRI-P-0002")
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        block.contains("    - recruiter: the recruiter placed 2 workers at site 1000000001"),
        "{}",
        run.context()
    );
    assert!(
        block.contains("retention_of_documents"),
        "{}",
        run.context()
    );
    assert!(block.contains("findings.csv:2"), "{}", run.context());
    assert!(block.contains("permits.csv:2"), "{}", run.context());
    // The employer site's indicators, explain-style.
    assert!(
        block.contains("  employer site 1000000006 — Vejle Stål A/S"),
        "{}",
        run.context()
    );
}

#[test]
fn json_carries_the_same_recommendations_checks_and_reasons() {
    let run = screen("pending.csv", &["--format", "json"]);
    run.assert_code(0);
    for p in PRIVATE {
        run.assert_not_printed(p);
    }
    let json = run.json();
    assert_eq!(json["as_of"], AS_OF, "{}", run.context());
    assert_eq!(
        json["applications"].as_array().map(Vec::len),
        Some(4),
        "{}",
        run.context()
    );

    let bad = application(&json, "SIRI-P-0001");
    assert_eq!(bad["recommendation"], "refer_for_control", "{bad:#}");
    assert_eq!(status(bad, "recruiter"), "concern");
    for check in ["employer", "housing", "pay"] {
        assert_eq!(status(bad, check), "clear", "{check}: {bad:#}");
    }
    let reasons = because(bad);
    assert!(!reasons.is_empty(), "{bad:#}");
    assert!(
        reasons.iter().all(|r| r.starts_with("recruiter: ")),
        "{reasons:#?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("site 1000000001"))
            && reasons.iter().any(|r| r.contains("site 1000000002")),
        "{reasons:#?}"
    );
    assert_eq!(bad["application"]["recruiter_named"], true);
    assert!(bad["application"].get("person_id").is_none());
    assert!(bad["application"].get("recruiter_id").is_none());
    assert_eq!(bad["employer"]["site_id"], "1000000006");

    let clean = application(&json, "SIRI-P-0002");
    assert_eq!(clean["recommendation"], "grant", "{clean:#}");
    for check in ["employer", "recruiter", "housing", "pay"] {
        assert_eq!(status(clean, check), "clear", "{check}: {clean:#}");
    }

    let unseen = application(&json, "SIRI-P-0003");
    assert_eq!(unseen["recommendation"], "ask_for_documents", "{unseen:#}");
    assert_eq!(status(unseen, "employer"), "unknown");
    assert!(unseen["employer"].is_null(), "{unseen:#}");
    assert!(
        because(unseen).iter().any(|r| r
            .starts_with("employer: not assessed: site 1000000099 is not in the sites register")),
        "{unseen:#}"
    );

    let young = application(&json, "SIRI-P-0004");
    assert_eq!(young["recommendation"], "ask_for_documents", "{young:#}");
    assert_eq!(status(young, "employer"), "unknown");
    assert_eq!(status(young, "recruiter"), "unknown");
    let reasons = because(young);
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("employer: not assessed: never inspected")),
        "{reasons:#?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("recruiter: not assessed:")
                && r.contains("a recruiter unknown to the registers")),
        "{reasons:#?}"
    );
}

#[test]
fn crowded_planned_housing_refers_and_unknown_housing_asks() {
    let planned = "p0000000000000000a001";
    let run = screen(
        "one_application.csv",
        &["--format", "json", "--housing", planned],
    );
    run.assert_code(0);
    run.assert_not_printed(planned);
    let json = run.json();
    let app = application(&json, "SIRI-P-0005");
    assert_eq!(app["recommendation"], "refer_for_control", "{app:#}");
    assert_eq!(status(app, "housing"), "concern");
    let reasons = because(app);
    assert!(
        reasons.iter().any(|r| r
            .starts_with("housing: the planned address: 3 person(s) registered in 1 room(s)")
            && r.contains("4.0 per room")),
        "{reasons:#?}"
    );
    // Workers of the two other employers registered there: medium.
    let housing = app["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["check"] == "housing"))
        .cloned()
        .unwrap_or_default();
    assert!(
        housing["reasons"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["concern"] == "medium"
                && r["text"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("workers of 2 other employer(s)")))),
        "{housing:#}"
    );

    // Without --housing: employer housing stated, none known.
    let run = screen("one_application.csv", &["--format", "json"]);
    run.assert_code(0);
    let json = run.json();
    let app = application(&json, "SIRI-P-0005");
    assert_eq!(app["recommendation"], "ask_for_documents", "{app:#}");
    assert_eq!(status(app, "housing"), "unknown");

    // --housing is for a file of one application.
    screen("pending.csv", &["--housing", planned]).assert_code(2);
}

#[test]
fn a_bad_row_of_the_pending_file_names_its_file_line_and_column() {
    let run = screen("bad_row.csv", &[]);
    run.assert_fatal(&["bad_row.csv", "line 3", "stated_monthly_pay_dkk"]);
    run.assert_not_printed("p00000000000000000c06");
}

#[test]
fn a_missing_pending_file_is_an_input_error() {
    let data = fixture("screen");
    let missing = Path::new(&data).join("pending").join("no_such_file.csv");
    let run = run_tilsyn(
        [
            OsString::from("screen"),
            "--data".into(),
            data.as_os_str().to_os_string(),
            "--as-of".into(),
            AS_OF.into(),
            "--permit".into(),
            missing.as_os_str().to_os_string(),
        ],
        &[],
    );
    run.assert_fatal(&["no_such_file.csv"]);
}

/// Without a permits table nobody's employer is known: the housing check
/// says so and is unknown, never "0 other employers".
#[test]
fn without_permits_the_other_employers_at_the_housing_are_unknown() {
    let data = registers_without("permits");
    let run = screen_on(
        data.path(),
        "one_application.csv",
        &["--format", "json", "--housing", "p0000000000000000a001"],
    );
    run.assert_code(0);
    let json = run.json();
    let app = application(&json, "SIRI-P-0005");
    let housing = app["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["check"] == "housing"))
        .cloned()
        .unwrap_or_default();
    let texts: Vec<&str> = housing["reasons"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["text"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("not known: no permits table")),
        "{housing:#}"
    );
    assert!(
        !texts.iter().any(|t| t.starts_with("workers of 0 other")),
        "{housing:#}"
    );
    assert_ne!(status(app, "housing"), "clear", "{housing:#}");
}

/// Without a findings table an inspection's "nothing found" is not known:
/// the clean application is no longer granted on its history.
#[test]
fn without_findings_a_clean_history_is_not_a_grant() {
    let data = registers_without("findings");
    let run = screen_on(data.path(), "pending.csv", &["--format", "json"]);
    run.assert_code(0);
    let json = run.json();
    let clean = application(&json, "SIRI-P-0002");
    assert_eq!(clean["recommendation"], "ask_for_documents", "{clean:#}");
    assert_eq!(status(clean, "employer"), "unknown", "{clean:#}");
    assert_eq!(status(clean, "recruiter"), "unknown", "{clean:#}");
}
