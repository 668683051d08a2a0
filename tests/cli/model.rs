//! The learned model: point-in-time examples, the model file round trip and
//! its refusal of mismatched data, quality on generated data against the
//! hidden truth, the reproducible bundled model, and plans from the binary.

use std::path::Path;

use tilsyn::data::{LoadOptions, load_folder};
use tilsyn::indicators::Catalogue;
use tilsyn::indicators::catalogue::BUNDLED;
use tilsyn::model::train::{Trained, train};
use tilsyn::model::{LabelDefinition, ModelError, ModelFile, ModelParams, examples};
use tilsyn::pipeline::{self, compile};
use tilsyn::synth::{GenerateParams, generate};

use super::harness::{fixture, run_tilsyn, tempdir};

fn generated(sites: usize, seed: u64) -> (tempfile::TempDir, tilsyn::data::Dataset) {
    let dir = tempdir();
    generate(
        &GenerateParams {
            sites,
            seed,
            ..GenerateParams::default()
        },
        dir.path(),
    )
    .unwrap();
    let compiled = compile(Catalogue::bundled().unwrap()).unwrap();
    let opts = LoadOptions {
        extra_indicators: compiled.ids(),
        ..LoadOptions::default()
    };
    let ds = load_folder(dir.path(), &opts).unwrap();
    (dir, ds)
}

fn trained(ds: &tilsyn::data::Dataset, params: ModelParams) -> Trained {
    let compiled = compile(Catalogue::bundled().unwrap()).unwrap();
    train(
        ds,
        &compiled,
        BUNDLED,
        &LabelDefinition::default(),
        &params.check().unwrap(),
    )
    .unwrap()
}

#[test]
fn examples_see_only_the_days_before_their_inspection() {
    let compiled = compile(Catalogue::bundled().unwrap()).unwrap();
    let ds = load_folder(&fixture("rank/leakage"), &crate::harness::keyed_options()).unwrap();
    let ex = examples::build(&ds, &compiled, &LabelDefinition::default()).unwrap();
    let keys: Vec<String> = ex
        .frame
        .column("key")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|k| k.unwrap().to_string())
        .collect();
    let row = |k: &str| keys.iter().position(|x| x == k).unwrap();
    let count = |k: &str, col: &str| {
        ex.frame
            .column(col)
            .unwrap()
            .get(row(k))
            .unwrap()
            .extract::<i64>()
    };
    // The inspection's own finding and outcome are not features of it.
    let joint = row("JOINT-L-002");
    assert!(ex.labels[joint], "labour_exploitation is a positive label");
    assert_eq!(
        count("JOINT-L-002", "finding_retention_of_documents_count"),
        Some(0)
    );
    assert_eq!(count("JOINT-L-002", "severe_outcomes_5y"), Some(0));
    assert_eq!(count("JOINT-L-002", "inspections"), Some(0));
    assert_eq!(
        count("AT-L-001", "finding_excessive_overtime_count"),
        Some(0)
    );
    // A strong finding makes the label positive even with an `order` outcome.
    assert!(ex.labels[row("AT-L-001")]);
}

#[test]
fn model_file_round_trip_and_mismatched_features_are_refused() {
    let (_dir, ds) = generated(3000, 21);
    let t = trained(
        &ds,
        ModelParams {
            bootstrap: 20,
            ..ModelParams::default()
        },
    );
    let out = tempdir();
    let path = out.path().join("m.json");
    t.file.save(&path).unwrap();
    let back = ModelFile::load(&path).unwrap();
    // JSON keeps every field; floats may differ in the last bit only.
    assert_eq!(back.features.len(), t.file.features.len());
    assert_eq!(back.label, t.file.label);
    assert_eq!(back.data_fingerprint, t.file.data_fingerprint);
    assert_eq!(back.training_period, t.file.training_period);
    assert_eq!(back.kind, t.file.kind);
    let x = tilsyn::model::matrix::matrix(&t.examples.frame, &t.file.features, None).unwrap();
    for (a, b) in t.file.model.predict(&x).iter().zip(back.model.predict(&x)) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }
    assert!(back.metrics.is_some() && !back.features.is_empty());
    assert!(
        back.features
            .iter()
            .all(|f| !f.name.contains("nationality"))
    );

    let compiled = compile(Catalogue::bundled().unwrap()).unwrap();
    let scored = pipeline::assess(ds, compiled, None).unwrap();
    let s = back.score(&scored.assessment.frame, 3).unwrap();
    assert_eq!(s.probability.len(), scored.assessment.frame.height());
    assert!(s.probability.iter().all(|p| (0.0..=1.0).contains(p)));
    // What every site keeps has no spare room: at a million sites, room
    // for every feature in each site's top contributions took 1.4 GB.
    assert!(s.contributions.iter().any(|c| !c.is_empty()));
    assert!(
        s.contributions
            .iter()
            .all(|c| c.capacity() == c.len() && c.len() <= 3)
    );
    // Each site's kept contributions are the first of all its contributions
    // sorted by size (ties by feature), as a full sort gives them.
    let x = tilsyn::model::matrix::matrix(&scored.assessment.frame, &back.features, None).unwrap();
    for (row, kept) in x.rows().into_iter().zip(&s.contributions) {
        let mut all: Vec<(usize, f64)> = back
            .model
            .contributions(row)
            .into_iter()
            .enumerate()
            .filter(|(_, v)| *v != 0.0)
            .collect();
        all.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        all.truncate(3);
        assert_eq!(kept, &all);
    }
    for a in &scored.assessment.sites {
        assert_eq!(a.fired.capacity(), a.fired.len());
        assert_eq!(a.unknown.capacity(), a.unknown.len());
        assert_eq!(a.expired.capacity(), a.expired.len());
    }
    let missing = back.features[0].name.clone();
    let frame = scored.assessment.frame.drop(&missing).unwrap();
    match back.score(&frame, 3) {
        Err(ModelError::FeatureMismatch(msg)) => assert!(msg.contains(&missing), "{msg}"),
        other => panic!("expected a feature mismatch, got {other:?}"),
    }
    // A corrupt model file is refused with its path.
    std::fs::write(&path, "{\"format\": 1}").unwrap();
    let err = ModelFile::load(&path).unwrap_err().to_string();
    assert!(err.contains("m.json"), "{err}");
}

#[test]
fn a_single_class_or_no_inspections_fail_before_fitting() {
    let compiled = compile(Catalogue::bundled().unwrap()).unwrap();
    let ds = load_folder(
        &fixture("rank/sites_only"),
        &crate::harness::keyed_options(),
    )
    .unwrap();
    let p = ModelParams::default().check().unwrap();
    let err = train(&ds, &compiled, BUNDLED, &LabelDefinition::default(), &p).unwrap_err();
    assert!(matches!(err, ModelError::EmptyTraining(_)), "{err}");
    // No outcome counts as positive: one class only.
    let (_dir, ds) = generated(300, 3);
    let none = LabelDefinition {
        outcomes: vec![],
        min_strong: 99,
        min_medium: 99,
    };
    let err = train(&ds, &compiled, BUNDLED, &none, &p).unwrap_err();
    assert!(matches!(err, ModelError::SingleClass(_)), "{err}");
}

/// Quality on generated data (not timed), fixed seed, against the truth the
/// generator planted (not the labels the model learns from): the default
/// scorer (every candidate compared, the rules score among them) ranks all
/// sites at least as well as the rules scorer, at least four times the base
/// rate, and its probabilities are calibrated on the held-out inspections.
/// The benchmark over world presets and seeds is `benches/worlds.sh`
/// (docs/model.md).
#[test]
fn default_scorer_is_never_below_the_rules_and_is_calibrated() {
    let (dir, ds) = generated(60_000, 2026);
    let t = trained(
        &ds,
        ModelParams {
            bootstrap: 50,
            learner: tilsyn::model::params::Learner::Best,
            ..ModelParams::default()
        },
    );
    let m = t.file.metrics.clone().unwrap();
    let top5 = m.at_k.iter().find(|a| a.label == "top 5%").unwrap();
    let exploited = tilsyn::rank::truth::read_truth(&dir.path().join("truth.csv")).unwrap();
    let as_of = tilsyn::data::parse::parse_date(&m.split_date).unwrap() - chrono::Duration::days(1);
    let compiled = compile(Catalogue::bundled().unwrap()).unwrap();
    let scored = pipeline::assess(ds, compiled, Some(as_of)).unwrap();
    let c = tilsyn::rank::truth::check(scored, &t.file, &exploited, 0.05).unwrap();
    eprintln!(
        "kept {}; held-out top 5% of {} inspections: precision {} vs rules {:.3}; lift {:.2}; calibration error {:.3}",
        t.file.chosen_because,
        m.n_test,
        top5.precision,
        top5.rules_precision,
        top5.lift_random,
        m.calibration_error
    );
    eprintln!(
        "truth check, all {} sites as of {}: default precision {:.3} recall {:.3}; rules precision {:.3} recall {:.3}; base rate {:.3}",
        c.sites,
        c.as_of,
        c.model_precision,
        c.model_recall,
        c.rules_precision,
        c.rules_recall,
        c.base_rate
    );
    assert_eq!(t.file.comparison.len(), 5, "every candidate is compared");
    assert!(!t.file.chosen_because.is_empty());
    assert!(c.model_precision >= c.rules_precision - 1e-9, "{c:?}");
    assert!(c.model_precision >= 4.0 * c.base_rate, "{c:?}");
    assert!(top5.lift_random >= 4.0, "{top5:?}");
    assert!(
        m.calibration_error.is_finite() && m.calibration_error <= 0.05,
        "calibration error {}",
        m.calibration_error
    );
}

#[test]
fn bundled_model_is_reproduced_by_its_documented_command() {
    let readme = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/demo/README.md"
    ))
    .unwrap();
    let line = readme
        .lines()
        .find(|l| l.contains("-- train"))
        .expect("the demo README documents the train command");
    let mut args: Vec<String> = line
        .split("-- ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let out = tempdir();
    let o = args.iter().position(|a| a == "--out").unwrap();
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join(&args[o + 1]);
    args[o + 1] = out.path().join("m.json").display().to_string();
    let d = args.iter().position(|a| a == "--data").unwrap();
    args[d + 1] = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(&args[d + 1])
        .display()
        .to_string();
    run_tilsyn(&args, &[]).assert_code(0);
    let fresh = std::fs::read_to_string(out.path().join("m.json")).unwrap();
    let committed = std::fs::read_to_string(&bundled).unwrap();
    // The data fingerprint hashes file names and bytes, not paths, so the files are identical.
    assert!(
        fresh == committed,
        "models/risk_model.json is not what `{line}` writes; retrain and commit it"
    );
}

#[test]
fn plans_respect_capacity_exploration_and_seed() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo");
    let run = |seed: &str| {
        let r = run_tilsyn(
            [
                "plan",
                "--data",
                demo,
                "--capacity",
                "30",
                "--explore",
                "0.1",
                "--seed",
                seed,
                "--scorer",
                "rules",
            ],
            &[],
        );
        r.assert_code(0);
        r.stdout
    };
    let a = run("5");
    assert_eq!(a, run("5"), "same seed, same plan");
    assert_ne!(a, run("6"), "another seed draws other exploration visits");
    let mut rdr = csv::Reader::from_reader(a.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let sel = headers.iter().position(|h| h == "selection").unwrap();
    let prob = headers
        .iter()
        .position(|h| h == "selection_probability")
        .unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 30);
    let explore = rows.iter().filter(|r| &r[sel] == "exploration").count();
    assert!(
        (2..=4).contains(&explore),
        "{explore} exploration visits of 30 at 10%"
    );
    assert!(rows.iter().all(|r| r[prob].parse::<f64>().unwrap() > 0.0));
    assert!(rows.iter().all(
        |r| !r[headers.iter().position(|h| h == "reasons").unwrap()].is_empty()
            || &r[sel] == "exploration"
    ));
}

/// `TILSYN_FRAMES` keeps the frames a learner is studied on: one row per
/// site from `rank`, one per past inspection (with its label) from `train`,
/// and never a person's id; unset, nothing is written.
#[test]
fn frames_are_kept_only_when_asked_and_hold_no_person_ids() {
    use polars::prelude::*;
    let dir = tempdir();
    let frames = dir.path().join("frames");
    std::fs::create_dir(&frames).unwrap();
    let demo = fixture("../../datasets/demo");
    let demo = demo.to_str().unwrap();
    let model = dir.path().join("m.json");
    let model = model.to_str().unwrap();
    let var = tilsyn::frames::FRAMES_VAR;
    let frames_s = frames.to_str().unwrap();
    run_tilsyn(
        ["rank", "--data", demo, "--scorer", "rules", "--top", "1"],
        &[(var, "")],
    )
    .assert_code(0);
    assert_eq!(
        std::fs::read_dir(&frames).unwrap().count(),
        0,
        "nothing is written when unset"
    );
    run_tilsyn(
        ["rank", "--data", demo, "--scorer", "rules", "--top", "1"],
        &[(var, frames_s)],
    )
    .assert_code(0);
    run_tilsyn(
        [
            "train",
            "--data",
            demo,
            "--out",
            model,
            "--learner",
            "logistic",
            "--bootstrap",
            "5",
        ],
        &[(var, frames_s)],
    )
    .assert_code(0);
    let read = |name: &str| {
        let f = std::fs::File::open(frames.join(format!("{name}.parquet"))).unwrap();
        ParquetReader::new(f).finish().unwrap()
    };
    let sites = read("features-sites");
    let examples = read("features-examples");
    let count = |file: &str| {
        std::fs::read_to_string(Path::new(demo).join(file))
            .unwrap()
            .lines()
            .count()
            - 1
    };
    assert_eq!(sites.height(), count("sites.csv"));
    assert_eq!(examples.height(), count("inspections.csv"));
    let labels = examples.column("label").unwrap().bool().unwrap();
    assert!(labels.sum().unwrap() > 0 && labels.sum().unwrap() < labels.len() as IdxSize);
    for frame in [&sites, &examples] {
        assert!(frame.column("rule_score").is_ok());
        for personal in ["person_id", "recruiter_id", "address_id"] {
            assert!(
                frame.column(personal).is_err(),
                "{personal} is in a kept frame"
            );
        }
    }
}
