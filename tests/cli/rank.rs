//! The whole pipeline (load, features as of a date, indicators, ranking,
//! explanation) on the small folders in `tests/fixtures/rank/` (see its
//! README) and on a generated data set: no record after the as-of date
//! leaks into a site's features, absent tables make indicators unknown,
//! the same input gives the same ranking with ties by site id, the rules
//! put truly exploited sites at the top, and `explain` prints numbers a
//! person can check against the input files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::DataType;
use tilsyn::data::{ILO_INDICATORS, Table};
use tilsyn::indicators::IloStatus;
use tilsyn::pipeline::{Scored, load_and_assess};
use tilsyn::rank::Filter;

use crate::harness::{FIXTURES, run_tilsyn, tempdir};
use crate::indicators::compiled;

/// A folder under `tests/fixtures/rank/`.
fn rank_fixture(name: &str) -> PathBuf {
    let p = Path::new(FIXTURES).join("rank").join(name);
    assert!(
        p.is_dir(),
        "fixture folder {} is missing (see tests/fixtures/rank/README.md)",
        p.display()
    );
    p
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("bad date {s}: {e}"))
}

/// Loads and assesses a fixture folder as of a date; the fixture must load
/// without a rejected row.
fn score(dir: &Path, as_of: &str) -> Scored {
    let scored = load_and_assess(
        dir,
        crate::harness::keyed_options(),
        compiled(),
        Some(date(as_of)),
    )
    .unwrap_or_else(|e| panic!("{}: cannot load and assess: {e}", dir.display()));
    let rejects: Vec<String> = scored
        .data
        .report
        .tables
        .iter()
        .flat_map(|t| t.samples.iter().map(|s| s.to_string()))
        .collect();
    assert_eq!(
        scored.data.report.total_rejected(),
        0,
        "{}: the fixture must load without rejects: {rejects:#?}",
        dir.display()
    );
    assert_eq!(scored.as_of, date(as_of));
    scored
}

/// The row of a site in the assessment.
fn row_of(s: &Scored, site: &str) -> usize {
    let ids = s
        .assessment
        .frame
        .column("site_id")
        .unwrap_or_else(|e| panic!("no site_id column: {e}"))
        .str()
        .unwrap_or_else(|e| panic!("site_id is not text: {e}"));
    ids.iter()
        .position(|x| x == Some(site))
        .unwrap_or_else(|| panic!("site {site} is not in the assessment"))
}

/// A whole-number feature of one row.
fn int_feature(s: &Scored, name: &str, row: usize) -> Option<i64> {
    let c = s
        .assessment
        .frame
        .column(name)
        .unwrap_or_else(|e| panic!("no feature '{name}': {e}"))
        .cast(&DataType::Int64)
        .unwrap_or_else(|e| panic!("feature '{name}' is not a number: {e}"));
    c.i64().unwrap_or_else(|e| panic!("'{name}': {e}")).get(row)
}

/// Ids of the indicators that fired at a row.
fn fired(s: &Scored, row: usize) -> BTreeSet<String> {
    let cat = &s.catalogue.catalogue;
    s.assessment.sites[row]
        .fired
        .iter()
        .map(|(i, _)| cat.indicators[*i].id.clone())
        .collect()
}

#[test]
fn no_leakage_a_finding_one_day_after_as_of_changes_nothing() {
    let dir = rank_fixture("leakage");
    let before = score(&dir, "2025-06-30");
    let after = score(&dir, "2025-07-01");
    let cat = &before.catalogue.catalogue;

    // As of 2025-06-30, S2's inspection, finding, tip, permit and payroll
    // month (all dated 2025-07-01) do not exist.
    let b2 = row_of(&before, "S2");
    for x in ILO_INDICATORS {
        for f in [format!("finding_{x}_count"), format!("tip_{x}_count")] {
            assert_eq!(
                int_feature(&before, &f, b2),
                Some(0),
                "S2 as of 2025-06-30: '{f}' counts a record dated 2025-07-01"
            );
        }
        let age = format!("finding_{x}_age_days");
        assert_eq!(
            int_feature(&before, &age, b2),
            None,
            "S2 as of 2025-06-30: '{age}'"
        );
    }
    for f in [
        "inspections",
        "severe_outcomes_5y",
        "orders_3y",
        "permit_workers",
        "payroll_workers",
        "tips_12m",
    ] {
        assert_eq!(
            int_feature(&before, f, b2),
            Some(0),
            "S2 as of 2025-06-30: '{f}' counts a record dated 2025-07-01"
        );
    }
    assert_eq!(
        int_feature(&before, "days_since_inspection", b2),
        None,
        "S2 as of 2025-06-30 was never inspected"
    );
    for id in fired(&before, b2) {
        let d = cat
            .indicators
            .iter()
            .find(|d| d.id == id)
            .unwrap_or_else(|| panic!("{id}"));
        assert!(
            d.needs.iter().all(|t| t == "sites"),
            "S2 as of 2025-06-30 fires '{id}' (needs {:?}) from records dated after the as-of date",
            d.needs
        );
    }
    // S3 shares S2's company: the severe outcome at S2 is not yet known.
    let b3 = row_of(&before, "S3");
    assert_eq!(
        int_feature(&before, "company_severe_other_sites", b3),
        Some(0)
    );
    assert!(!fired(&before, b3).contains("company_severe_elsewhere"));
    // Control: S1's finding of 2025-03-10 counts on both dates.
    let b1 = row_of(&before, "S1");
    assert_eq!(
        int_feature(&before, "finding_excessive_overtime_count", b1),
        Some(1)
    );
    assert!(fired(&before, b1).contains("finding_excessive_overtime"));

    // As of 2025-07-01 every one of them counts.
    let a2 = row_of(&after, "S2");
    assert_eq!(
        int_feature(&after, "finding_retention_of_documents_count", a2),
        Some(1)
    );
    assert_eq!(
        int_feature(&after, "finding_retention_of_documents_age_days", a2),
        Some(0)
    );
    assert_eq!(int_feature(&after, "tip_debt_bondage_count", a2), Some(1));
    assert_eq!(int_feature(&after, "severe_outcomes_5y", a2), Some(1));
    assert_eq!(int_feature(&after, "permit_workers", a2), Some(1));
    // The 2025-07 payroll month is not complete on 2025-07-01: pay for the
    // rest of the month is not known yet, so it does not count until the 31st.
    assert_eq!(int_feature(&after, "payroll_workers", a2), Some(0));
    let f2 = fired(&after, a2);
    for id in [
        "finding_retention_of_documents",
        "severe_outcome",
        "tip_debt_bondage",
    ] {
        assert!(
            f2.contains(id),
            "S2 as of 2025-07-01 must fire '{id}'; fired: {f2:?}"
        );
    }
    let a3 = row_of(&after, "S3");
    assert_eq!(
        int_feature(&after, "company_severe_other_sites", a3),
        Some(1)
    );
    assert!(fired(&after, a3).contains("company_severe_elsewhere"));
    assert!(fired(&after, row_of(&after, "S1")).contains("finding_excessive_overtime"));

    // The binary shows the records, marked as after the as-of date.
    let data = dir.to_string_lossy().into_owned();
    for (as_of, after_as_of, status) in [
        // Before its first inspection the site was never looked at: unknown.
        ("2025-06-30", true, "unknown"),
        ("2025-07-01", false, "fired"),
    ] {
        let run = run_tilsyn(
            [
                "explain",
                "S2",
                "--data",
                data.as_str(),
                "--as-of",
                as_of,
                "--format",
                "json",
            ],
            &[],
        );
        run.assert_code(0);
        let json = run.json();
        let records = json["records"]
            .as_array()
            .unwrap_or_else(|| panic!("no `records` array\n{}", run.context()));
        let tables: BTreeSet<&str> = records.iter().filter_map(|r| r["table"].as_str()).collect();
        for t in ["inspections", "findings", "tips"] {
            assert!(
                tables.contains(t),
                "explain S2 --as-of {as_of} lists no {t} record\n{}",
                run.context()
            );
        }
        for r in records {
            assert_eq!(
                r["after_as_of"].as_bool(),
                Some(after_as_of),
                "explain S2 --as-of {as_of}: record {r} (dated 2025-07-01)\n{}",
                run.context()
            );
        }
        let line = json["indicators"]
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|i| i["id"] == "finding_retention_of_documents")
            })
            .unwrap_or_else(|| panic!("no finding_retention_of_documents line\n{}", run.context()));
        assert_eq!(
            line["status"],
            status,
            "explain S2 --as-of {as_of}\n{}",
            run.context()
        );
    }
}

#[test]
fn unknown_when_tables_absent() {
    // (folder, the tables it holds)
    let mut folders = vec![
        (rank_fixture("sites_only"), vec![Table::Sites]),
        (
            rank_fixture("no_permits"),
            vec![Table::Sites, Table::Payroll],
        ),
    ];
    let minimal = Path::new(FIXTURES).join("good").join("minimal");
    if minimal.is_dir() {
        folders.push((minimal, vec![Table::Sites]));
    }
    // Every violation, so one run shows them all.
    let mut wrong: Vec<String> = Vec::new();
    for (dir, tables) in folders {
        let s = score(&dir, "2025-06-30");
        let present: Vec<Table> = Table::ALL.into_iter().filter(|t| s.data.has(*t)).collect();
        assert_eq!(present, tables, "{}: the tables loaded", dir.display());
        let names: BTreeSet<&str> = present.iter().map(|t| t.name()).collect();
        let cat = &s.catalogue.catalogue;
        // An indicator is assessable only when every table it needs is present.
        let assessable =
            |d: &tilsyn::indicators::Indicator| d.needs.iter().all(|t| names.contains(t.as_str()));
        let covered: BTreeSet<usize> = cat
            .indicators
            .iter()
            .filter(|d| assessable(d))
            .flat_map(|d| d.ilo_indices())
            .collect();
        let ids = s
            .assessment
            .frame
            .column("site_id")
            .expect("site_id")
            .str()
            .expect("text")
            .clone();
        assert!(!s.assessment.sites.is_empty());
        for (row, site) in s.assessment.sites.iter().enumerate() {
            let id = ids.get(row).unwrap_or("?");
            for (i, d) in cat
                .indicators
                .iter()
                .enumerate()
                .filter(|(_, d)| !assessable(d))
            {
                let status = if site.fired.iter().any(|(j, _)| *j == i) {
                    "fired"
                } else if site.expired.contains(&i) {
                    "expired"
                } else if site.unknown.contains(&i) {
                    "unknown"
                } else {
                    "clear"
                };
                if status != "unknown" {
                    wrong.push(format!(
                        "{}: site {id}: '{}' is {status}, but it needs {:?} and only {names:?} are present (rule `{}`)",
                        dir.display(),
                        d.id,
                        d.needs,
                        d.rule
                    ));
                }
            }
            for (x, status) in site.ilo.iter().enumerate() {
                if !covered.contains(&x) && *status != IloStatus::Unknown {
                    wrong.push(format!(
                        "{}: site {id}: ILO '{}' is {}, but none of its indicators is assessable with only {names:?}",
                        dir.display(),
                        ILO_INDICATORS[x],
                        status.name()
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "an absent table must make its indicators not assessable (unknown, never \"no risk\"):\n{}",
        wrong.join("\n")
    );
}

/// The ranking of `tests/fixtures/rank/ties`: one site above, five
/// identical sites tied (listed by site id, not file order), one below.
const TIES_ORDER: [&str; 7] = [
    "1000000300",
    "1000000201",
    "1000000202",
    "1000000203",
    "1000000204",
    "1000000205",
    "1000000001",
];

#[test]
fn same_input_same_ranking_ties_by_site_id() {
    let dir = rank_fixture("ties");
    let s = score(&dir, "2025-06-30");
    let ranked = tilsyn::rank::rank(&s, &Filter::default(), None, 3);
    let order: Vec<&str> = ranked.iter().map(|r| r.site_id.as_str()).collect();
    assert_eq!(order, TIES_ORDER, "priority descending, ties by site id");
    let ranks: Vec<usize> = ranked.iter().map(|r| r.rank).collect();
    assert_eq!(ranks, (1..=7).collect::<Vec<_>>());
    let tied = &ranked[1..6];
    for r in tied {
        assert_eq!(
            r.priority, tied[0].priority,
            "{} should tie with {}",
            r.site_id, tied[0].site_id
        );
        assert_eq!(r.tier, tied[0].tier);
    }
    assert!(
        ranked[0].priority > tied[0].priority,
        "{} ranks above the tied sites",
        ranked[0].site_id
    );
    assert!(
        tied[0].priority > ranked[6].priority,
        "{} ranks below the tied sites",
        ranked[6].site_id
    );

    // Again from scratch: the same list.
    let again = score(&dir, "2025-06-30");
    let ranked2 = tilsyn::rank::rank(&again, &Filter::default(), None, 3);
    let pairs = |v: &[tilsyn::rank::Ranked]| -> Vec<(String, f64)> {
        v.iter().map(|r| (r.site_id.clone(), r.priority)).collect()
    };
    assert_eq!(pairs(&ranked), pairs(&ranked2));

    // The binary: byte-identical CSV on two runs, in the same order.
    let data = dir.to_string_lossy().into_owned();
    let args = [
        "rank",
        "--scorer",
        "rules",
        "--format",
        "csv",
        "--data",
        data.as_str(),
        "--as-of",
        "2025-06-30",
    ];
    let first = run_tilsyn(args, &[]);
    first.assert_code(0);
    let second = run_tilsyn(args, &[]);
    second.assert_code(0);
    assert_eq!(
        first.stdout,
        second.stdout,
        "two runs on the same input differ\n{}",
        second.context()
    );
    let mut rdr = csv::Reader::from_reader(first.stdout.as_bytes());
    let header = rdr
        .headers()
        .unwrap_or_else(|e| panic!("no CSV header: {e}\n{}", first.context()))
        .clone();
    let col = header
        .iter()
        .position(|h| h == "site_id")
        .unwrap_or_else(|| panic!("no site_id column\n{}", first.context()));
    let csv_order: Vec<String> = rdr
        .records()
        .map(|r| {
            r.unwrap_or_else(|e| panic!("bad CSV row: {e}\n{}", first.context()))[col].to_string()
        })
        .collect();
    assert_eq!(csv_order, TIES_ORDER, "{}", first.context());
}

#[test]
fn rules_top_5pct_beats_base_rate_threefold() {
    let dir = tempdir();
    let params = tilsyn::synth::GenerateParams {
        sites: 4000,
        seed: 7,
        ..Default::default()
    };
    let summary =
        tilsyn::synth::generate(&params, dir.path()).unwrap_or_else(|e| panic!("generate: {e}"));

    let mut rdr = csv::Reader::from_path(dir.path().join("truth.csv"))
        .unwrap_or_else(|e| panic!("truth.csv: {e}"));
    let header = rdr
        .headers()
        .unwrap_or_else(|e| panic!("truth.csv header: {e}"))
        .clone();
    let pos = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("truth.csv has no {name}"))
    };
    let (site_col, exploited_col) = (pos("site_id"), pos("exploited"));
    let mut truth: BTreeMap<String, bool> = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.unwrap_or_else(|e| panic!("truth.csv: {e}"));
        truth.insert(rec[site_col].to_string(), &rec[exploited_col] == "true");
    }
    assert_eq!(truth.len(), 4000);

    let scored = load_and_assess(
        dir.path(),
        crate::harness::keyed_options(),
        compiled(),
        Some(summary.as_of),
    )
    .unwrap_or_else(|e| panic!("load and assess the generated data: {e}"));
    let ranked = tilsyn::rank::rank(&scored, &Filter::default(), None, 0);
    assert_eq!(ranked.len(), truth.len(), "every generated site is ranked");
    let n = ranked.len();
    let k = (n as f64 * 0.05).ceil() as usize;
    let is_exploited = |site: &str| {
        *truth
            .get(site)
            .unwrap_or_else(|| panic!("site {site} is not in truth.csv"))
    };
    let hits = ranked[..k]
        .iter()
        .filter(|r| is_exploited(&r.site_id))
        .count();
    let exploited = truth.values().filter(|b| **b).count();
    let base = exploited as f64 / n as f64;
    let precision = hits as f64 / k as f64;
    assert!(base > 0.0, "the generated data has no exploited site");
    let lift = precision / base;
    eprintln!(
        "rules ranking, {n} sites as of {}: top 5% ({k} sites) holds {hits} exploited = {:.1}%, base rate {:.1}% ({exploited} sites), lift {lift:.2}; {} rows rejected on load",
        summary.as_of,
        precision * 100.0,
        base * 100.0,
        scored.data.report.total_rejected()
    );
    assert!(
        lift >= 3.0,
        "the top 5% of the rules ranking holds {:.1}% truly exploited sites against a base rate of {:.1}%: lift {lift:.2} < 3",
        precision * 100.0,
        base * 100.0
    );
}

#[test]
fn explain_shows_values_a_person_can_check() {
    let dir = rank_fixture("explain");
    let as_of = "2025-06-30";
    let s = score(&dir, as_of);
    let row = row_of(&s, "E1");
    let f = fired(&s, row);
    for id in ["pay_far_below_stated", "finding_withholding_of_wages"] {
        assert!(f.contains(id), "E1 must fire '{id}'; fired: {f:?}");
    }

    // What a person computes from the files: permits.csv states 40,000 DKK a
    // month at 37 h a week; payroll.csv pays 16,000 DKK for 160 h.
    let stated = 40_000.0 / (37.0 * 4.33);
    let paid = 16_000.0 / 160.0;
    assert_eq!(format!("{stated:.0}"), "250");
    let age = (date(as_of) - date("2025-02-10")).num_days();

    let data = dir.to_string_lossy().into_owned();
    let run = run_tilsyn(
        [
            "explain",
            "E1",
            "--data",
            data.as_str(),
            "--as-of",
            as_of,
            "--format",
            "text",
        ],
        &[],
    );
    run.assert_code(0);
    let needles = [
        "pay_far_below_stated".to_string(),
        format!(
            "paid {:.0}% of the hourly pay stated",
            paid / stated * 100.0
        ),
        format!("{paid:.0} DKK/h against {stated:.0} DKK/h stated (3 workers on payroll"),
        "finding_withholding_of_wages".to_string(),
        format!("recorded withholding of wages 1 time(s), the latest {age} days before"),
        // Source records with their file and line: the inspection (line 3),
        // its finding (line 3; line 2 is another site's) and the tip (line 2).
        "inspections.csv:3".to_string(),
        "findings.csv:3".to_string(),
        "tips.csv:2".to_string(),
        as_of.to_string(),
    ];
    for n in &needles {
        assert!(
            run.stdout.contains(n.as_str()),
            "explain E1 does not show {n:?}\n{}",
            run.context()
        );
    }
    for other in ["findings.csv:2", "inspections.csv:2"] {
        assert!(
            !run.stdout.contains(other),
            "explain E1 lists another site's record {other}\n{}",
            run.context()
        );
    }
}

/// The exclusion window of one agency's plan counts its own visits and
/// joint controls only. In `good/full` (as of 2026-06-30), site 1000000003
/// had a SKAT visit 56 days before and site 1000000004 a joint control 104
/// days before: with a 180-day window, a SKAT plan (or a plan for every
/// agency) leaves both out, an AT or police plan only the joint one.
#[test]
fn the_exclusion_window_counts_visits_per_agency() {
    let data = Path::new(FIXTURES).join("good/full");
    let plan = |agency: Option<&str>| -> BTreeSet<String> {
        let mut args = vec![
            "plan",
            "--data",
            data.to_str().unwrap(),
            "--as-of",
            "2026-06-30",
            "--scorer",
            "rules",
            "--capacity",
            "10",
            "--explore",
            "0",
            "--exclude-inspected-days",
            "180",
            "--user",
            "tester",
        ];
        if let Some(a) = agency {
            args.extend(["--agency", a]);
        }
        let run = run_tilsyn(&args, &[]);
        run.assert_code(0);
        let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let site = headers.iter().position(|h| h == "site_id").unwrap();
        reader
            .records()
            .map(|r| r.unwrap()[site].to_string())
            .collect()
    };
    let all = plan(None);
    let skat = plan(Some("SKAT"));
    let at = plan(Some("at"));
    let police = plan(Some("POLICE"));
    for p in [&all, &skat, &at, &police] {
        assert!(
            !p.contains("1000000004"),
            "a joint control counts for every agency: {p:?}"
        );
    }
    assert!(
        !all.contains("1000000003") && !skat.contains("1000000003"),
        "{all:?} {skat:?}"
    );
    assert!(
        at.contains("1000000003") && police.contains("1000000003"),
        "{at:?} {police:?}"
    );
    assert_eq!(at.len(), all.len() + 1);
    run_tilsyn(["plan", "--capacity", "5", "--agency", "NAV"], &[])
        .assert_code(2)
        .assert_stderr_contains(&["'NAV' is not an agency"]);
}
