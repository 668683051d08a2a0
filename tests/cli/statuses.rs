//! The binary's statements about unknown and clear, end to end: a site
//! never inspected shows no finding-only indicator as clear, a header-only
//! table is named as a warning and leaves its indicators unknown, the
//! blind-spots list holds exactly the least covered sites, and every header
//! and export names the scorer that ranked.

use std::path::Path;

use crate::harness::{FIXTURES, copy_files, run_tilsyn, tempdir};

/// The ranking CSV of a folder as rows of (column → value).
fn rank_csv(data: &Path, extra: &[&str]) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut args = vec![
        "rank".to_string(),
        "--data".into(),
        data.display().to_string(),
        "--format".into(),
        "csv".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let run = run_tilsyn(&args, &[]);
    run.assert_code(0);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

const FINDING_ONLY: [&str; 3] = [
    "physical_sexual_violence",
    "intimidation_threats",
    "retention_of_documents",
];

#[test]
fn never_inspected_sites_show_finding_only_indicators_as_unknown() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let rows = rank_csv(&demo, &["--scorer", "rules"]);
    let never: Vec<_> = rows
        .iter()
        .filter(|r| r["days_since_inspection"].is_empty())
        .collect();
    assert!(
        never.len() > 1000,
        "the demo has many sites never inspected"
    );
    for r in &never {
        for id in FINDING_ONLY {
            // Unknown, or signalled by a tip; never clear.
            assert_ne!(
                r[id], "clear",
                "{} was never inspected: {id} cannot be clear",
                r["site_id"]
            );
        }
        if r["days_since_inspection"].is_empty() && r["reasons"].is_empty() {
            for id in FINDING_ONLY {
                assert_eq!(r[id], "unknown", "{}: nothing at all", r["site_id"]);
            }
        }
        let coverage: usize = r["coverage"].parse().unwrap();
        let unknown = tilsyn::data::ILO_INDICATORS
            .iter()
            .filter(|id| r[**id] == "unknown")
            .count();
        assert_eq!(coverage, 11 - unknown, "{}", r["site_id"]);
        assert!(unknown >= 1, "{}", r["site_id"]);
    }
    // Recently inspected sites with nothing recorded are clear.
    let seen = rows
        .iter()
        .filter(|r| {
            r["days_since_inspection"]
                .parse::<i64>()
                .is_ok_and(|d| d < 365)
        })
        .filter(|r| r["physical_sexual_violence"] == "clear")
        .count();
    assert!(seen > 10, "recently inspected sites are assessed");
    // Every row names the scorer.
    assert!(rows.iter().all(|r| r["scorer"] == "rules"));
}

#[test]
fn a_header_only_table_is_a_warning_and_leaves_its_indicators_unknown() {
    let full = Path::new(FIXTURES).join("good/full");
    let dir = tempdir();
    copy_files(
        &full,
        &[
            "sites.csv",
            "inspections.csv",
            "payroll.csv",
            "permits.csv",
            "postings.csv",
            "residences.csv",
            "roles.csv",
            "tips.csv",
        ],
        dir.path(),
    );
    let header = std::fs::read_to_string(full.join("findings.csv")).unwrap();
    let header = header.lines().next().unwrap();
    std::fs::write(dir.path().join("findings.csv"), format!("{header}\n")).unwrap();

    let run = run_tilsyn(
        [
            "rank",
            "--data",
            &dir.path().display().to_string(),
            "--scorer",
            "rules",
            "--format",
            "csv",
        ],
        &[],
    );
    run.assert_code(0);
    run.assert_stderr_line(&["warning", "findings.csv", "no rows", "unknown"]);
    let rows = rank_csv(dir.path(), &["--scorer", "rules"]);
    assert!(!rows.is_empty());
    for r in &rows {
        for id in FINDING_ONLY {
            assert_eq!(r[id], "unknown", "{}: findings has no rows", r["site_id"]);
        }
    }
    // With the findings file, an inspected site shows them clear.
    let with = rank_csv(&full, &["--scorer", "rules"]);
    assert!(
        with.iter()
            .any(|r| r["physical_sexual_violence"] == "clear"),
        "the full fixture assesses findings somewhere"
    );
    // validate names it in its table list.
    let out = tempdir();
    let run = run_tilsyn(
        [
            "validate",
            "--data",
            &dir.path().display().to_string(),
            "--out",
            &out.path().display().to_string(),
        ],
        &[],
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("findings") && l.contains("no rows")),
        "{}",
        run.context()
    );
}

#[test]
fn blind_spots_are_the_least_covered_sites_with_most_workers_first() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let ranked = rank_csv(&demo, &["--scorer", "rules"]);
    let run = run_tilsyn(
        [
            "blind-spots",
            "--data",
            &demo.display().to_string(),
            "--scorer",
            "rules",
            "--max-coverage",
            "2",
            "--top",
            "100000",
            "--format",
            "csv",
        ],
        &[],
    );
    run.assert_code(0);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let spots: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let want = ranked
        .iter()
        .filter(|r| r["coverage"].parse::<u8>().unwrap() <= 2)
        .count();
    assert_eq!(spots.len(), want, "every site with coverage <= 2, no other");
    assert!(want > 0);
    let scores: Vec<f64> = spots.iter().map(|r| r[11].parse().unwrap()).collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "ordered by blind score"
    );
    assert!(spots.iter().all(|r| r[7].parse::<u8>().unwrap() <= 2));
}

#[test]
fn rank_names_the_model_that_ranked() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let run = run_tilsyn(
        ["rank", "--data", &demo.display().to_string(), "--top", "3"],
        &[],
    );
    run.assert_code(0);
    let model: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("models/risk_model.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let kind = model["kind"].as_str().unwrap();
    let first = run.stdout.lines().next().unwrap_or_default();
    assert!(
        first.contains(&format!("scorer model: {kind} (trained to")),
        "{first}"
    );
    // And why it was kept, as the model file records it.
    let why = model["chosen_because"].as_str().unwrap();
    assert!(
        why.starts_with(kind) && why.contains("rules score"),
        "{why}"
    );
    assert_eq!(
        run.stdout.lines().nth(1).unwrap_or_default(),
        format!("kept {why}")
    );
    // The model card carries the comparison of every candidate.
    let card = run_tilsyn(["card"], &[]);
    card.assert_code(0);
    for candidate in ["rules", "logistic", "tree", "forest", "blend"] {
        assert!(
            card.stdout.contains(&format!("| {candidate} |")),
            "{candidate}\n{}",
            card.context()
        );
    }
    assert!(card.stdout.contains(&format!("Kept {why}")));
    let rules = run_tilsyn(
        [
            "rank",
            "--data",
            &demo.display().to_string(),
            "--top",
            "3",
            "--scorer",
            "rules",
        ],
        &[],
    );
    assert!(
        rules
            .stdout
            .lines()
            .next()
            .unwrap_or_default()
            .contains("scorer rules")
    );
}
