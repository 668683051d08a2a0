//! `tilsyn shortfall` on `tests/fixtures/shortfall` (see its README for
//! the hand computation): the figures per month, worker and site in every
//! format, the source rows a prosecutor can find, the month without a
//! permit listed as unknown, nothing about a person but the pseudonym, and
//! the errors of a folder without payroll, an unknown site and `--all` in a
//! format meant for one site.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;

use serde_json::Value;

use super::harness::{AS_OF, Run, copy_files, fixture, run_tilsyn, tempdir};

/// What must never be printed: the nationalities, the recruiter and the
/// permit ids of the fixture.
const PRIVATE: [&str; 4] = ["PHL", "VNM", "p0000000000000000b009", "SIRI-SF"];

fn shortfall(data: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<OsString> = vec![
        "shortfall".into(),
        "--data".into(),
        data.as_os_str().to_os_string(),
        "--as-of".into(),
        AS_OF.into(),
    ];
    args.extend(extra.iter().map(OsString::from));
    run_tilsyn(args, &[])
}

fn site(format: &str) -> Run {
    let run = shortfall(&fixture("shortfall"), &["--site", "S1", "--format", format]);
    run.assert_code(0);
    for p in PRIVATE {
        run.assert_not_printed(p);
    }
    run
}

/// CSV rows keyed by (person, month).
fn csv_rows(run: &Run) -> BTreeMap<(String, String), BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_reader(run.stdout.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let mut rows = BTreeMap::new();
    for rec in rdr.records() {
        let row: BTreeMap<String, String> = header
            .iter()
            .cloned()
            .zip(rec.unwrap().iter().map(str::to_string))
            .collect();
        rows.insert((row["person_id"].clone(), row["month"].clone()), row);
    }
    rows
}

fn close(v: &Value, want: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - want).abs() < 1e-6)
}

#[test]
fn csv_has_a_row_per_worker_month_with_its_source_rows() {
    let run = site("csv");
    let rows = csv_rows(&run);
    assert_eq!(rows.len(), 6, "{}", run.context());
    let get = |p: &str, m: &str| &rows[&(p.to_string(), m.to_string())];

    let jan = get("p0000000000000000a001", "2025-01");
    assert_eq!(jan["shortfall_dkk"], "0.00");
    let feb = get("p0000000000000000a001", "2025-02");
    assert_eq!(feb["stated_dkk"], "30000.00");
    assert_eq!(feb["received_dkk"], "18000.00");
    assert_eq!(feb["shortfall_dkk"], "12000.00");
    let mar = get("p0000000000000000a001", "2025-03");
    assert_eq!(mar["shortfall_dkk"], "10000.00");
    assert_eq!(mar["third_party"], "true");
    assert_eq!(mar["hours_paid"], "260.00");
    assert_eq!(mar["hours_over_48"], "47.43");
    assert_eq!(mar["stated_hours"], "163.86");
    assert_eq!(mar["payroll_source"], "payroll.csv:4");
    assert_eq!(mar["permit_source"], "permits.csv:2");

    let b_feb = get("p0000000000000000a002", "2025-02");
    assert_eq!(b_feb["permit_days"], "14");
    assert_eq!(b_feb["days_in_month"], "28");
    assert_eq!(b_feb["stated_dkk"], "14000.00");
    assert_eq!(b_feb["shortfall_dkk"], "4000.00");
    assert_eq!(b_feb["stated_hours"], "74.00");
    assert_eq!(b_feb["payroll_source"], "payroll.csv:5");
    assert_eq!(b_feb["permit_source"], "permits.csv:3");
    assert!(b_feb["note"].contains("pro-rated"), "{b_feb:?}");
    assert_eq!(
        get("p0000000000000000a002", "2025-03")["shortfall_dkk"],
        "0.00"
    );

    // A month without a permit in force: unknown, not a shortfall of 0.
    let apr = get("p0000000000000000a002", "2025-04");
    assert_eq!(apr["unknown"], "no_permit");
    assert_eq!(apr["stated_dkk"], "");
    assert_eq!(apr["shortfall_dkk"], "");
    assert_eq!(apr["received_dkk"], "15000.00");
    assert_eq!(apr["permit_source"], "");
    assert_eq!(apr["payroll_source"], "payroll.csv:7");

    let total: f64 = rows
        .values()
        .filter_map(|r| r["shortfall_dkk"].parse::<f64>().ok())
        .sum();
    assert!((total - 26_000.0).abs() < 1e-6, "{total}");
}

#[test]
fn json_carries_totals_per_worker_and_site_and_the_notes() {
    let run = site("json");
    let j = run.json();
    assert_eq!(j["sources"]["payroll"], "payroll.csv");
    assert_eq!(j["sources"]["permits"], "permits.csv");
    let s = &j["sites"][0];
    assert_eq!(s["site_id"], "S1");
    assert_eq!(s["first_month"], "2025-01");
    assert_eq!(s["last_month"], "2025-04");
    let t = &s["totals"];
    assert!(close(&t["shortfall_dkk"], 26_000.0), "{t}");
    assert!(close(&t["stated_dkk"], 132_000.0), "{t}");
    assert!(close(&t["received_dkk"], 106_000.0), "{t}");
    assert_eq!(t["months"], 6);
    assert_eq!(t["months_unknown"], 1);
    assert_eq!(t["third_party_months"], 1);
    assert!(close(&t["hours_over_48"], 260.0 - 48.0 * 31.0 / 7.0), "{t}");

    let a = &s["workers"][0];
    assert_eq!(a["person_id"], "p0000000000000000a001");
    assert!(close(&a["totals"]["shortfall_dkk"], 22_000.0));
    let mar = &a["months"][2];
    assert_eq!(mar["month"], "2025-03");
    assert_eq!(mar["payroll_line"], 4);
    assert_eq!(mar["permit_line"], 2);
    assert_eq!(mar["third_party"], true);
    let b = &s["workers"][1];
    assert_eq!(b["person_id"], "p0000000000000000a002");
    assert!(close(&b["totals"]["shortfall_dkk"], 4_000.0));
    let apr = &b["months"][2];
    assert_eq!(apr["month"], "2025-04");
    assert_eq!(apr["unknown"], "no_permit");
    assert!(apr["shortfall_dkk"].is_null());
    assert!(apr["permit_line"].is_null());

    let notes = s["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["kind"] == "no_permit"
            && n["person_id"] == "p0000000000000000a002"
            && n["month"] == "2025-04"
            && n["sources"][0] == "payroll.csv:7"),
        "{notes:#?}"
    );
}

#[test]
fn the_markdown_report_is_fit_for_a_case_file() {
    let run = site("markdown");
    let md = &run.stdout;
    for needle in [
        "# Estimated wage shortfall: site S1 (Fynsk Byggeservice ApS)",
        "| Period | payroll months 2025-01 to 2025-04 |",
        "**26,000.00 DKK**",
        "## Method",
        "48 × (days in the month / 7)",
        "## Worker p0000000000000000a001",
        "## Worker p0000000000000000a002",
        "| 2025-02 | 14 of 28 | 14,000.00 | 10,000.00 | **4,000.00** |",
        "| 2025-03 | 31 of 31 | 30,000.00 | 20,000.00 | **10,000.00** | third party | 260.00 | 47.43 |",
        "payroll.csv:4, permits.csv:2",
        "| 2025-04 | none | unknown | 15,000.00 | unknown |",
        "## Totals",
        "| **Site** | 6 | 5 | 1 | 132,000.00 | 106,000.00 | 26,000.00 | 1 | 47.43 |",
        "## Notes",
        "p0000000000000000a002 2025-04: no permit of this person at this site in force in this month",
        "checked against payslips",
    ] {
        assert!(md.contains(needle), "the report lacks {needle:?}\n{md}");
    }
}

#[test]
fn the_table_has_a_block_per_worker_with_totals() {
    let run = site("table");
    let text = &run.stdout;
    for needle in [
        "S1 — Fynsk Byggeservice ApS",
        "estimated shortfall 26,000.00 DKK",
        "p0000000000000000a001",
        "payroll.csv:4 permits.csv:2",
        "pro-rated: permit in force 14 of 28 days",
        "  total     90,000.00   68,000.00   22,000.00",
        "p0000000000000000a002 2025-04: no permit of this person",
        "payslips",
    ] {
        assert!(text.contains(needle), "the table lacks {needle:?}\n{text}");
    }
}

#[test]
fn out_writes_the_report_to_a_file() {
    let dir = tempdir();
    let path = dir.path().join("report.md");
    let run = shortfall(
        &fixture("shortfall"),
        &[
            "--site",
            "S1",
            "--format",
            "md",
            "--out",
            path.to_str().unwrap(),
        ],
    );
    run.assert_code(0);
    assert!(run.stdout.is_empty(), "{}", run.context());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("**26,000.00 DKK**"), "{text}");
}

#[test]
fn all_lists_every_site_with_a_shortfall_in_csv_or_json_only() {
    let run = shortfall(&fixture("shortfall"), &["--all"]);
    run.assert_code(0);
    let rows = csv_rows(&run);
    assert_eq!(rows.len(), 6, "{}", run.context());
    assert!(rows.values().all(|r| r["site_id"] == "S1"));
    shortfall(&fixture("shortfall"), &["--all", "--format", "table"])
        .assert_code(2)
        .assert_stderr_contains(&["--all writes csv or json"]);
    shortfall(&fixture("shortfall"), &[]).assert_code(2);
}

#[test]
fn a_folder_without_payroll_is_refused_naming_the_table() {
    let dir = tempdir();
    copy_files(
        &fixture("shortfall"),
        &["sites.csv", "permits.csv"],
        dir.path(),
    );
    shortfall(dir.path(), &["--site", "S1"]).assert_fatal(&["`payroll`", "needs it"]);
}

#[test]
fn an_unknown_site_is_a_usage_error() {
    shortfall(&fixture("shortfall"), &["--site", "NOPE"])
        .assert_code(2)
        .assert_stderr_contains(&["NOPE", "not in the sites table"]);
}
