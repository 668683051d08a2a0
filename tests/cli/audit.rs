//! Accountability from the binary: plans are logged with the list shown
//! and the decisions, and any changed byte of the log is found by
//! `tilsyn audit verify`, which names the entry; overrides need a reason;
//! follow rates; the fairness audit on the demo data; the model card
//! holds the metrics of the model file it describes; `--expire-days`
//! makes old evidence stop counting.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tilsyn::data::{LoadOptions, load_folder};
use tilsyn::indicators::Catalogue;
use tilsyn::indicators::catalogue::BUNDLED;
use tilsyn::model::train::train;
use tilsyn::model::{LabelDefinition, ModelParams};
use tilsyn::pipeline::compile;
use tilsyn::synth::{GenerateParams, generate};

use super::harness::{AS_OF, fixture, run_tilsyn, tempdir};

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("test step failed")
}

/// `tilsyn plan` on the demo data with the rules scorer, logging to `log`.
fn plan(log: &Path, user: &str, extra: &[&str]) -> super::harness::Run {
    let mut args = vec![
        "plan".to_string(),
        "--data".into(),
        s(&demo()).to_string(),
        "--capacity".into(),
        "5".into(),
        "--scorer".into(),
        "rules".into(),
        "--audit-log".into(),
        s(log).to_string(),
        "--user".into(),
        user.into(),
    ];
    args.extend(extra.iter().map(|x| x.to_string()));
    run_tilsyn(&args, &[])
}

/// Column `name` of a CSV text, one value per row.
fn csv_column(text: &str, name: &str) -> Vec<String> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().expect("test step failed").clone();
    let i = headers
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    rdr.records()
        .map(|r| r.expect("test step failed")[i].to_string())
        .collect()
}

/// Two logged plans: anne's as recommended, bo's with one site removed and
/// one added. Returns the log and the sites bo removed and added.
fn two_plans(dir: &Path) -> (PathBuf, String, String) {
    let log = dir.join("audit.jsonl");
    let first = plan(&log, "anne", &[]);
    first.assert_code(0);
    let recommended = csv_column(&first.stdout, "site_id");
    assert_eq!(recommended.len(), 5, "{}", first.context());
    assert!(
        csv_column(&first.stdout, "decision")
            .iter()
            .all(|d| d == "keep")
    );
    let removed = recommended[0].clone();
    let added = (1..100)
        .map(|i| format!("S{i:07}"))
        .find(|id| !recommended.contains(id))
        .expect("test step failed");
    let out = dir.join("plan.json");
    let second = plan(
        &log,
        "bo",
        &[
            "--remove",
            &format!("{removed}=visited by SKAT last week"),
            "--add",
            &format!("{added}=tip from the union"),
            "--out",
            s(&out),
        ],
    );
    second.assert_code(0);
    assert!(
        second.stderr.contains("audit entry 2"),
        "{}",
        second.context()
    );
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out).expect("test step failed"))
            .expect("test step failed");
    let rows = json["rows"].as_array().expect("test step failed");
    assert_eq!(rows.len(), 6, "five recommended and one added");
    let by_id = |id: &str| {
        rows.iter()
            .find(|r| r["site_id"] == id)
            .expect("test step failed")
            .clone()
    };
    let r = by_id(&removed);
    assert_eq!(
        (r["recommended"].as_bool(), r["decision"].as_str()),
        (Some(true), Some("removed"))
    );
    assert_eq!(r["decision_reason"], "visited by SKAT last week");
    let a = by_id(&added);
    assert_eq!(
        (a["recommended"].as_bool(), a["decision"].as_str()),
        (Some(false), Some("added"))
    );
    assert_eq!(
        (a["decided_by"].as_str(), a["selection"].clone()),
        (Some("bo"), Value::Null)
    );
    (log, removed, added)
}

#[test]
fn plans_are_logged_and_every_changed_byte_is_found_at_its_entry() {
    let dir = tempdir();
    let (log, removed, added) = two_plans(dir.path());
    let ok = run_tilsyn(["audit", "verify", "--audit-log", s(&log)], &[]);
    ok.assert_code(0);
    assert!(ok.stdout.contains("ok: 2 entries"), "{}", ok.context());

    // What the log holds: the list shown with its scores and reasons, and the decisions.
    let show = run_tilsyn(
        ["audit", "show", "--audit-log", s(&log), "--format", "json"],
        &[],
    );
    show.assert_code(0);
    let entries = show.json();
    let entries = entries.as_array().expect("test step failed");
    assert_eq!(entries.len(), 2);
    let second = &entries[1];
    assert_eq!(
        (second["seq"].as_u64(), second["user"].as_str()),
        (Some(2), Some("bo"))
    );
    assert_eq!(second["command"], "plan");
    assert_eq!(second["prev_hash"].as_str().map(str::len), Some(64));
    assert!(
        second["data_fingerprint"]
            .as_str()
            .is_some_and(|f| f.len() == 64)
    );
    assert_eq!(
        second["model_sha256"],
        Value::Null,
        "the rules scorer has no model file"
    );
    assert_eq!(second["parameters"]["capacity"], 5);
    let sites = second["plan"]["sites"]
        .as_array()
        .expect("test step failed");
    assert_eq!(sites.len(), 6);
    let shown = sites
        .iter()
        .find(|x| x["site_id"] == removed.as_str())
        .expect("test step failed");
    assert_eq!(shown["decision"], "removed");
    assert_eq!(shown["decision_reason"], "visited by SKAT last week");
    assert!(shown["priority"].as_f64().is_some() && shown["rank"].as_u64().is_some());
    assert!(shown["tier"].as_str().is_some() && shown["reasons"].is_array());
    assert!(
        sites
            .iter()
            .any(|x| x["site_id"] == added.as_str() && x["decision"] == "added")
    );
    let table = run_tilsyn(
        ["audit", "show", "--audit-log", s(&log), "--last", "1"],
        &[],
    );
    table.assert_code(0);
    assert!(
        table.stdout.contains("tip from the union") && !table.stdout.contains("anne"),
        "{}",
        table.context()
    );

    // Tampering: one byte at a time, in each entry, in every part of it.
    let bytes = std::fs::read(&log).expect("test step failed");
    let first_end = bytes
        .iter()
        .position(|b| *b == b'\n')
        .expect("test step failed");
    let text = String::from_utf8(bytes.clone()).expect("test step failed");
    let in_second = |needle: &str| {
        first_end
            + 1
            + text[first_end + 1..]
                .find(needle)
                .expect("test step failed")
    };
    let positions = [
        (0, 1),
        (first_end / 3, 1),
        (text.find("\"seq\":1").expect("test step failed") + 6, 1),
        (
            text.find("\"user\":\"anne\"").expect("test step failed") + 9,
            1,
        ),
        (first_end - 5, 1),
        (first_end, 1),
        (first_end + 1, 2),
        (in_second("\"prev_hash\":\"") + 14, 2),
        (in_second("visited by SKAT") + 3, 2),
        (in_second("\"priority\":") + 12, 2),
        (in_second("\"hash\":\"") + 10, 2),
        (bytes.len() - 1, 2),
    ];
    let tampered = dir.path().join("tampered.jsonl");
    for (pos, entry) in positions {
        let mut t = bytes.clone();
        t[pos] = if t[pos] == b'x' { b'y' } else { b'x' };
        std::fs::write(&tampered, t.as_slice()).expect("test step failed");
        let r = run_tilsyn(["audit", "verify", "--audit-log", s(&tampered)], &[]);
        r.assert_code(1);
        let named = format!("entry {entry} (line {entry})");
        assert!(
            r.stdout.contains(&named) && r.stderr.contains(&named),
            "byte {pos} changed: expected {named}\n{}",
            r.context()
        );
    }
    // Removing the first entry is found at the (new) first line.
    std::fs::write(&tampered, &bytes[first_end + 1..]).expect("test step failed");
    let r = run_tilsyn(["audit", "verify", "--audit-log", s(&tampered)], &[]);
    r.assert_code(1);
    assert!(r.stdout.contains("entry 1 (line 1)"), "{}", r.context());
    // A damaged log is not appended to.
    let mut t = bytes.clone();
    t.pop();
    std::fs::write(&tampered, t.as_slice()).expect("test step failed");
    let r = plan(&tampered, "anne", &[]);
    r.assert_code(2);
    assert!(
        r.stdout.is_empty() && r.stderr.contains("damaged"),
        "{}",
        r.context()
    );

    // Follow rates: anne kept all 5, bo kept 4 of 5 and added 1.
    let f = run_tilsyn(
        [
            "audit",
            "follow-rate",
            "--audit-log",
            s(&log),
            "--format",
            "json",
        ],
        &[],
    );
    f.assert_code(0);
    let lines = f.json();
    let line = |k: &str| {
        lines
            .as_array()
            .expect("test step failed")
            .iter()
            .find(|l| l["key"] == k)
            .expect("test step failed")
            .clone()
    };
    assert_eq!(line("anne")["follow_rate"].as_f64(), Some(1.0));
    assert_eq!(line("bo")["follow_rate"].as_f64(), Some(0.8));
    assert_eq!(line("bo")["added"].as_u64(), Some(1));
    assert_eq!(line("all")["follow_rate"].as_f64(), Some(0.9));
    let by_month = run_tilsyn(
        [
            "audit",
            "follow-rate",
            "--audit-log",
            s(&log),
            "--by",
            "month",
        ],
        &[],
    );
    by_month.assert_code(0);
    assert!(by_month.stdout.contains("90.0%"), "{}", by_month.context());
}

#[test]
fn an_override_without_a_reason_is_refused() {
    let dir = tempdir();
    let log = dir.path().join("audit.jsonl");
    for flag in ["--remove", "--add"] {
        for value in ["S0000001", "S0000001=", "S0000001=   "] {
            let r = plan(&log, "anne", &[flag, value]);
            r.assert_code(2);
            assert!(r.stdout.is_empty(), "{}", r.context());
            assert!(r.stderr.contains("reason"), "{}", r.context());
        }
    }
    assert!(
        !log.exists(),
        "nothing is logged when the command line is refused"
    );
    // Overrides that make no sense are refused too, naming the site.
    let r = plan(&log, "anne", &["--add", "NOPE=because"]);
    r.assert_code(2);
    assert!(r.stderr.contains("NOPE"), "{}", r.context());
}

#[test]
fn expire_days_makes_an_old_finding_stop_counting() {
    let data = fixture("good/full");
    let explain = |extra: &[&str]| {
        let mut args = vec![
            "explain",
            "1000000004",
            "--data",
            data.to_str().expect("test step failed"),
            "--as-of",
            AS_OF,
            "--scorer",
            "rules",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let r = run_tilsyn(&args, &[]);
        r.assert_code(0);
        r.json()
    };
    let status = |e: &Value, s: &str| -> Vec<String> {
        e["indicators"]
            .as_array()
            .expect("test step failed")
            .iter()
            .filter(|i| {
                i["id"]
                    .as_str()
                    .is_some_and(|id| id.starts_with("finding_"))
                    && i["status"] == s
            })
            .map(|i| i["id"].as_str().expect("test step failed").to_string())
            .collect()
    };
    let default = explain(&[]);
    let fired = status(&default, "fired");
    assert!(
        fired.contains(&"finding_retention_of_documents".to_string()),
        "{fired:?}"
    );
    // The finding of 2026-03-18 is 104 days old on 2026-06-30: past 30 days.
    let short = explain(&["--expire-days", "30"]);
    assert!(
        status(&short, "fired").is_empty(),
        "{:?}",
        status(&short, "fired")
    );
    let expired: HashSet<String> = status(&short, "expired").into_iter().collect();
    assert!(
        fired.iter().all(|f| expired.contains(f)),
        "{fired:?} vs {expired:?}"
    );
    assert!(short["score"].as_f64() < default["score"].as_f64());
    let text = run_tilsyn(
        [
            "explain",
            "1000000004",
            "--data",
            data.to_str().expect("test step failed"),
            "--as-of",
            AS_OF,
            "--scorer",
            "rules",
            "--expire-days",
            "30",
        ],
        &[],
    );
    assert!(text.stdout.contains("expired"), "{}", text.context());
    run_tilsyn(
        [
            "rank",
            "--data",
            data.to_str().expect("test step failed"),
            "--as-of",
            AS_OF,
            "--expire-days",
            "0",
        ],
        &[],
    )
    .assert_code(2);
}

#[test]
fn the_fairness_audit_covers_every_attribute_and_the_proxy_check() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/risk_model.json");
    let r = run_tilsyn(
        [
            "fairness",
            "--data",
            s(&demo()),
            "--model",
            s(&model),
            "--bootstrap",
            "20",
            "--format",
            "json",
        ],
        &[],
    );
    r.assert_code(0);
    let j = r.json();
    let attrs: Vec<&str> = j["attributes"]
        .as_array()
        .expect("test step failed")
        .iter()
        .map(|a| a["attribute"].as_str().expect("test step failed"))
        .collect();
    assert_eq!(
        attrs,
        [
            "region",
            "municipality",
            "sector_risk_group",
            "size_band",
            "nationality"
        ]
    );
    assert!(
        j["labels"]
            .as_str()
            .is_some_and(|l| l.contains("inspections from")),
        "{j}"
    );
    assert_eq!(j["truth"], true);
    let sites = j["overall"]["sites"].as_u64().expect("test step failed");
    assert_eq!(j["k"].as_u64(), Some(sites.div_ceil(20)));
    let regions = j["attributes"][0]["groups"]
        .as_array()
        .expect("test step failed");
    assert_eq!(
        regions
            .iter()
            .map(|g| g["sites"].as_u64().expect("test step failed"))
            .sum::<u64>(),
        sites
    );
    let proxies = j["proxies"].as_array().expect("test step failed");
    assert!(
        !proxies.is_empty()
            && proxies.iter().all(|p| !p["feature"]
                .as_str()
                .expect("test step failed")
                .contains("nationality"))
    );
    let md = run_tilsyn(
        [
            "fairness",
            "--data",
            s(&demo()),
            "--scorer",
            "rules",
            "--bootstrap",
            "10",
            "--format",
            "markdown",
        ],
        &[],
    );
    md.assert_code(0);
    assert!(
        md.stdout.contains("### By region") && md.stdout.contains("### Proxy check"),
        "{}",
        md.context()
    );
}

#[test]
fn the_model_card_holds_the_metrics_of_its_model_file() {
    let dir = tempdir();
    let data = dir.path().join("data");
    generate(
        &GenerateParams {
            sites: 3000,
            seed: 21,
            ..GenerateParams::default()
        },
        &data,
    )
    .expect("test step failed");
    let compiled =
        compile(Catalogue::bundled().expect("test step failed")).expect("test step failed");
    let opts = LoadOptions {
        extra_indicators: compiled.ids(),
        pseudonym_key: Some(crate::harness::test_key()),
        ..LoadOptions::default()
    };
    let ds = load_folder(&data, &opts).expect("test step failed");
    let params = ModelParams {
        bootstrap: 20,
        ..ModelParams::default()
    }
    .check()
    .expect("test step failed");
    let t = train(
        &ds,
        &compiled,
        BUNDLED,
        &LabelDefinition::default(),
        &params,
    )
    .expect("test step failed");
    let path = dir.path().join("m.json");
    t.file.save(&path).expect("test step failed");
    let m = t.file.metrics.clone().expect("test step failed");

    let r = run_tilsyn(["card", "--model", s(&path)], &[]);
    r.assert_code(0);
    let card = &r.stdout;
    assert!(
        card.contains(&format!("| ROC AUC | {} |", m.auc)),
        "AUC {}:\n{card}",
        m.auc
    );
    assert!(card.contains(&format!("{:.3}", m.auc.value)));
    for a in &m.at_k {
        assert!(
            card.contains(&format!(
                "| {} | {} | {} | {} |",
                a.label, a.k, a.precision, a.recall
            )),
            "{}:\n{card}",
            a.label
        );
    }
    let sha = tilsyn::audit::file_sha256(&path).expect("test step failed");
    for needle in [
        sha.as_str(),
        t.file.data_fingerprint.as_str(),
        t.file.features[0].name.as_str(),
        "## Intended use and users",
        "No sanction without a human decision",
        "Not a score of persons",
        "## Algorithm register record",
        "Legal basis",
        "TO BE FILLED IN",
        "fairness audit was not run",
    ] {
        assert!(card.contains(needle), "the card lacks {needle:?}:\n{card}");
    }
    let out = dir.path().join("card.md");
    let with_data = run_tilsyn(
        [
            "card",
            "--model",
            s(&path),
            "--data",
            s(&data),
            "--bootstrap",
            "10",
            "--out",
            s(&out),
        ],
        &[],
    );
    with_data.assert_code(0);
    let card = std::fs::read_to_string(out).expect("test step failed");
    assert!(
        card.contains("### By company size band") && card.contains("### Proxy check"),
        "{card}"
    );
    assert!(!card.contains("fairness audit was not run"));
}
