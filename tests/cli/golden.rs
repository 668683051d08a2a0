//! Golden outputs: the features, rule columns and rankings of the demo data
//! and of every fixture folder, as recorded before the scale rewrite of the
//! loader and the feature engine. A change to any value fails here; a change
//! the project means to make is re-recorded with `TILSYN_BLESS=1 cargo test
//! golden` and explained in its commit.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use polars::prelude::*;
use tilsyn::data::LoadOptions;
use tilsyn::data::pseudonym::PseudonymKey;
use tilsyn::indicators::Catalogue;
use tilsyn::pipeline;

use crate::harness::{AS_OF, FIXTURES, run_tilsyn, tempdir};

/// The key every golden run pseudonymises with.
const KEY: &str = "golden-outputs-test-key-0123456789";

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Every folder with golden outputs: the demo and each fixture folder.
fn folders() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![("demo".to_string(), root.join("datasets/demo"))];
    for group in ["good", "bad", "rank"] {
        let Ok(entries) = std::fs::read_dir(Path::new(FIXTURES).join(group)) else {
            continue;
        };
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for d in dirs {
            let name = d.file_name().unwrap().to_string_lossy().into_owned();
            out.push((format!("{group}-{name}"), d));
        }
    }
    out.push(("network".to_string(), Path::new(FIXTURES).join("network")));
    out
}

fn gz(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

fn ungz(bytes: &[u8]) -> String {
    let mut s = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// Features and rule columns of every site, as CSV ("" when the folder
/// does not load).
fn features_csv(dir: &Path, as_of: Option<&str>) -> String {
    let rejects = tempdir();
    let opts = LoadOptions {
        pseudonym_key: Some(PseudonymKey::new(KEY.as_bytes()).unwrap()),
        as_of: Some(chrono::NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap()),
        rejects_dir: Some(rejects.path().to_path_buf()),
        ..LoadOptions::default()
    };
    let compiled = pipeline::compile(Catalogue::bundled().unwrap()).unwrap();
    let as_of = as_of.map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap());
    let Ok(scored) = pipeline::load_and_assess(dir, opts, compiled, as_of) else {
        return String::new();
    };
    let mut frame = scored.assessment.frame.clone();
    let mut buf = Vec::new();
    CsvWriter::new(&mut buf).finish(&mut frame).unwrap();
    String::from_utf8(buf).unwrap()
}

/// `tilsyn rank` as CSV with a scorer, and its exit code.
fn rank_csv(dir: &Path, as_of: Option<&str>, scorer: &str) -> String {
    let rejects = tempdir();
    let mut args = vec![
        "rank".to_string(),
        "--data".into(),
        dir.display().to_string(),
        "--format".into(),
        "csv".into(),
        "--scorer".into(),
        scorer.into(),
        "--rejects".into(),
        rejects.path().display().to_string(),
    ];
    if let Some(d) = as_of {
        args.extend(["--as-of".to_string(), d.to_string()]);
    }
    if scorer == "model" {
        let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/risk_model.json");
        args.extend(["--model".to_string(), model.display().to_string()]);
    }
    let run = run_tilsyn(&args, &[("TILSYN_PSEUDONYM_KEY", KEY)]);
    format!("exit code: {}\n{}", run.code, run.stdout)
}

/// Compares with (or, with `TILSYN_BLESS=1`, records) one golden file.
fn check(name: &str, actual: &str, failures: &mut Vec<String>) {
    let path = golden_dir().join(format!("{name}.gz"));
    if std::env::var_os("TILSYN_BLESS").is_some() {
        std::fs::write(&path, gz(actual)).unwrap();
        return;
    }
    let Ok(bytes) = std::fs::read(&path) else {
        failures.push(format!("{name}: no golden file {}", path.display()));
        return;
    };
    let expected = ungz(&bytes);
    if expected == actual {
        return;
    }
    let first = expected
        .lines()
        .zip(actual.lines())
        .enumerate()
        .find(|(_, (e, a))| e != a);
    let detail = match first {
        Some((i, (e, a))) => format!("line {}:\n  expected {e}\n  actual   {a}", i + 1),
        None => format!(
            "{} lines expected, {} lines now",
            expected.lines().count(),
            actual.lines().count()
        ),
    };
    failures.push(format!("{name}: {detail}"));
}

#[test]
fn features_and_ranks_match_the_golden_outputs() {
    let mut failures = Vec::new();
    for (name, dir) in folders() {
        // The demo ranks as of its own latest event; fixtures as of the tests' date.
        let as_of = (name != "demo").then_some(AS_OF);
        check(
            &format!("{name}.features.csv"),
            &features_csv(&dir, as_of),
            &mut failures,
        );
        for scorer in ["rules", "model"] {
            check(
                &format!("{name}.rank-{scorer}.csv"),
                &rank_csv(&dir, as_of, scorer),
                &mut failures,
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden output(s) differ (re-record with TILSYN_BLESS=1 only for an intended change):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
