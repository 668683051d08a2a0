//! Tests of the world presets: the baseline is today's model and writes
//! today's files, every preset's knobs are in range and its data loads, and
//! each other preset moves what it names, measured on small worlds with
//! fixed seeds against the baseline of the same seed.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{Datelike, NaiveDate};

use super::*;
use crate::data::{LoadOptions, load_folder};
use crate::synth::network::tests::read;
use crate::synth::world::{Group, World, ym};
use crate::synth::{GenerateParams, OUTPUT_FILES, generate};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn generated(world: WorldName, sites: usize, seed: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let params = GenerateParams::new().sites(sites).seed(seed).world(world);
    generate(&params, dir.path()).expect("generate");
    dir
}

/// Whether each site is exploited (`truth.csv`).
fn exploited(dir: &Path) -> HashMap<String, bool> {
    read(dir, "truth")
        .into_iter()
        .map(|t| (t["site_id"].clone(), t["exploited"] == "true"))
        .collect()
}

/// Each site's hidden state and severity (`truth.csv` without the planted networks).
fn states(dir: &Path) -> Vec<(String, String, String)> {
    read(dir, "truth")
        .into_iter()
        .map(|t| {
            (
                t["site_id"].clone(),
                t["state"].clone(),
                t["severity"].clone(),
            )
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn share(n: usize, of: usize) -> f64 {
    n as f64 / of.max(1) as f64
}

/// The median paid hourly wage over the stated one at clean sites minus
/// that at exploited sites, over the payroll rows whose month (`YYYY-MM`)
/// `keep` accepts: how far the payroll tells exploited sites apart.
fn pay_gap(dir: &Path, keep: impl Fn(&str) -> bool) -> f64 {
    let ex = exploited(dir);
    let stated: HashMap<String, f64> = read(dir, "permits")
        .into_iter()
        .filter_map(|p| {
            let pay: f64 = p["stated_monthly_pay_dkk"].parse().ok()?;
            let hours: f64 = p["stated_weekly_hours"].parse().ok()?;
            Some((p["person_id"].clone(), pay / (hours * 52.0 / 12.0)))
        })
        .collect();
    let (mut clean, mut bad) = (Vec::new(), Vec::new());
    for r in read(dir, "payroll") {
        if !keep(&r["month"]) {
            continue;
        }
        let (Some(s), Ok(gross), Ok(hours)) = (
            stated.get(&r["person_id"]),
            r["gross_pay_dkk"].parse::<f64>(),
            r["hours_paid"].parse::<f64>(),
        ) else {
            continue;
        };
        if hours <= 0.0 {
            continue;
        }
        let ratio = gross / hours / s;
        if ex.get(&r["site_id"]).copied().unwrap_or(false) {
            bad.push(ratio);
        } else {
            clean.push(ratio);
        }
    }
    assert!(
        clean.len() > 100 && bad.len() > 50,
        "{} clean and {} exploited payroll rows",
        clean.len(),
        bad.len()
    );
    median(clean) - median(bad)
}

/// The share of permits in employer housing at exploited and at clean
/// sites (au pairs left out: they nearly always live with the host), over
/// the permits whose start date (`YYYY-MM-DD`) `keep` accepts.
fn housed(dir: &Path, keep: impl Fn(&str) -> bool) -> (f64, f64) {
    let ex = exploited(dir);
    let (mut n, mut yes) = ([0usize; 2], [0usize; 2]);
    for p in read(dir, "permits") {
        if p["scheme"] == "au_pair" || p["employer_housing"].is_empty() || !keep(&p["start_date"]) {
            continue;
        }
        let k = usize::from(ex.get(&p["site_id"]).copied().unwrap_or(false));
        n[k] += 1;
        yes[k] += usize::from(p["employer_housing"] == "true");
    }
    assert!(n[0] > 100 && n[1] > 50, "{n:?} clean and exploited permits");
    (share(yes[1], n[1]), share(yes[0], n[0]))
}

/// What the inspections of a data set found.
#[derive(Debug, Default)]
struct Visits {
    /// Inspections of clean sites, and those with at least one finding.
    clean: usize,
    clean_with_findings: usize,
    /// Inspections of clean sites with an outcome that `tilsyn train` counts as positive.
    clean_labelled: usize,
    /// Inspections of exploited sites, and those with a positive outcome.
    exploited: usize,
    exploited_labelled: usize,
    /// Inspections triggered by the random arm of the policy.
    random: usize,
    /// Distinct sites inspected, and how many of them are exploited.
    sites: usize,
    exploited_sites: usize,
}

fn visits(dir: &Path) -> Visits {
    let ex = exploited(dir);
    let with_findings: HashSet<String> = read(dir, "findings")
        .into_iter()
        .map(|f| f["inspection_id"].clone())
        .collect();
    let positive = ["labour_exploitation", "forced_labour", "police_report"];
    let mut v = Visits::default();
    let mut sites = HashSet::new();
    for i in read(dir, "inspections") {
        let bad = ex.get(&i["site_id"]).copied().unwrap_or(false);
        let labelled = positive.contains(&i["outcome"].as_str());
        if bad {
            v.exploited += 1;
            v.exploited_labelled += usize::from(labelled);
        } else {
            v.clean += 1;
            v.clean_with_findings += usize::from(with_findings.contains(&i["inspection_id"]));
            v.clean_labelled += usize::from(labelled);
        }
        v.random += usize::from(i["trigger"] == "random");
        if sites.insert(i["site_id"].clone()) {
            v.sites += 1;
            v.exploited_sites += usize::from(bad);
        }
    }
    v
}

#[test]
fn every_preset_has_its_own_name_and_knobs_in_range_and_only_baseline_is_todays_model() {
    assert_eq!(WorldName::default(), WorldName::Baseline);
    assert_eq!(GenerateParams::default().world, WorldName::Baseline);
    assert_eq!(WorldPreset::default(), WorldPreset::baseline());
    let mut names = HashSet::new();
    for w in WorldName::ALL {
        assert!(names.insert(w.as_str()), "{w} named twice");
        let p = w.preset();
        assert_eq!(
            p == WorldPreset::baseline(),
            w == WorldName::Baseline,
            "{w}"
        );
        for (knob, v) in p.knobs() {
            let max = match knob {
                "payroll_signal" | "housing_signal" | "permit_signal" => 3.0,
                "targeting" => 4.0,
                "permit_target" => 10.0,
                _ => 1.0,
            };
            assert!((0.0..=max).contains(&v), "{w}: {knob} = {v}");
        }
        assert!(p.targeting > 0.0 && p.tip_follow > 0.0, "{w}");
        if let Some(d) = p.drift {
            assert!(d.at > 0.0 && d.at < 1.0, "{w}: drift at {}", d.at);
            assert!((0.0..=3.0).contains(&d.payroll_signal), "{w}");
            assert!((0.0..=3.0).contains(&d.housing_signal), "{w}");
        }
    }
}

#[test]
fn the_drift_date_is_two_thirds_into_the_window_and_only_drift_has_one() {
    let from = day(2023, 1, 1);
    assert_eq!(
        WorldPreset::drift().drift_date(from, 3),
        Some(day(2025, 1, 1))
    );
    for w in WorldName::ALL {
        if w != WorldName::Drift {
            assert_eq!(w.preset().drift_date(from, 3), None, "{w}");
        }
    }
    let params = GenerateParams::new()
        .world(WorldName::Drift)
        .check()
        .expect("valid");
    let world = World::new(&params);
    assert_eq!(world.drift_date, Some(day(2025, 1, 1)));
    assert!(!world.drifted(day(2024, 12, 31)) && world.drifted(day(2025, 1, 1)));
    assert_eq!(world.payroll_signal(ym(day(2024, 12, 1))), 1.0);
    assert_eq!(world.payroll_signal(ym(day(2025, 1, 1))), 0.3);
    assert_eq!(world.housing_signal(day(2024, 6, 1)), 1.0);
    assert_eq!(world.housing_signal(day(2025, 6, 1)), 1.8);
    assert_eq!(
        world.sector_shift(Group::Construction, day(2020, 1, 1)),
        None
    );
    assert_eq!(
        world.sector_shift(Group::Construction, day(2025, 3, 1)),
        Some(-1.0)
    );
    let baseline = World::new(&GenerateParams::new().check().expect("valid"));
    assert_eq!(baseline.drift_date, None);
    assert!(!baseline.drifted(day(2025, 12, 31)));
    assert_eq!(baseline.sector_shift(Group::Other, day(2025, 12, 1)), None);
}

#[test]
fn baseline_writes_todays_files_and_other_worlds_record_their_knobs() {
    let params = GenerateParams::new().sites(400).seed(13);
    let (a, b) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    generate(&params, a.path()).expect("generate default");
    // A stale record from an earlier run into the same folder is removed.
    std::fs::write(b.path().join(WORLD_FILE), "world = \"drift\"\n").expect("write");
    generate(&params.clone().world(WorldName::Baseline), b.path()).expect("generate baseline");
    for f in OUTPUT_FILES {
        let (x, y) = (
            std::fs::read(a.path().join(f)).expect(f),
            std::fs::read(b.path().join(f)).expect(f),
        );
        assert!(
            x == y,
            "{f} differs between the default and --world baseline"
        );
    }
    assert!(!a.path().join(WORLD_FILE).exists());
    assert!(!b.path().join(WORLD_FILE).exists());

    let c = generated(WorldName::Drift, 400, 13);
    let text = std::fs::read_to_string(c.path().join(WORLD_FILE)).expect("world.toml");
    for want in [
        "world = \"drift\"",
        "payroll_signal = 1.0",
        "[drift]",
        "date = 2025-01-01",
        "housing_signal = 1.8",
    ] {
        assert!(text.contains(want), "world.toml lacks {want}:\n{text}");
    }
    assert!(
        OUTPUT_FILES.iter().any(|f| {
            std::fs::read(a.path().join(f)).expect(f) != std::fs::read(c.path().join(f)).expect(f)
        }),
        "the drift world wrote the baseline's bytes"
    );
}

#[test]
fn every_world_writes_data_that_loads_without_a_rejected_row() {
    for w in WorldName::ALL {
        let dir = tempfile::tempdir().expect("tempdir");
        let params = GenerateParams::new().sites(300).seed(21).world(w);
        let summary = generate(&params, dir.path()).expect("generate");
        let opts = LoadOptions {
            as_of: Some(summary.as_of),
            ..LoadOptions::default()
        };
        let ds = load_folder(dir.path(), &opts).expect("load");
        assert_eq!(ds.report.total_rejected(), 0, "{w}");
        assert_eq!(
            dir.path().join(WORLD_FILE).exists(),
            w != WorldName::Baseline
        );
    }
}

#[test]
fn faint_signals_shrink_the_payroll_and_housing_gaps() {
    let base = generated(WorldName::Baseline, 3_000, 5);
    let faint = generated(WorldName::FaintSignals, 3_000, 5);
    // The hidden state is drawn before any record, so it is the same.
    assert_eq!(states(base.path()), states(faint.path()));

    let all = |_: &str| true;
    let (pay_base, pay_faint) = (pay_gap(base.path(), all), pay_gap(faint.path(), all));
    assert!(pay_base > 0.2, "baseline payroll gap {pay_base}");
    assert!(
        pay_faint < 0.6 * pay_base,
        "faint payroll gap {pay_faint} against baseline {pay_base}"
    );

    let ((ex_base, clean_base), (ex_faint, clean_faint)) =
        (housed(base.path(), all), housed(faint.path(), all));
    let (gap_base, gap_faint) = (ex_base - clean_base, ex_faint - clean_faint);
    assert!(gap_base > 0.25, "baseline housing gap {gap_base}");
    assert!(
        gap_faint < 0.7 * gap_base,
        "faint housing gap {gap_faint} against baseline {gap_base}"
    );
}

#[test]
fn noisy_findings_put_findings_at_clean_sites_and_miss_exploited_ones() {
    let base = visits(generated(WorldName::Baseline, 5_000, 8).path());
    let noisy = visits(generated(WorldName::NoisyFindings, 5_000, 8).path());
    assert!(base.clean > 200 && base.exploited > 30, "{base:?}");
    assert!(noisy.clean > 200 && noisy.exploited > 30, "{noisy:?}");
    let (fb, fnoisy) = (
        share(base.clean_with_findings, base.clean),
        share(noisy.clean_with_findings, noisy.clean),
    );
    assert!(
        fnoisy > fb + 0.05,
        "clean inspections with findings: noisy {fnoisy}, baseline {fb}"
    );
    // Baseline never labels a clean site positive; the noisy world does.
    assert_eq!(base.clean_labelled, 0, "{base:?}");
    assert!(noisy.clean_labelled > 0, "{noisy:?}");
    let (lb, lnoisy) = (
        share(base.exploited_labelled, base.exploited),
        share(noisy.exploited_labelled, noisy.exploited),
    );
    assert!(
        lnoisy + 0.05 < lb,
        "exploited inspections labelled: noisy {lnoisy}, baseline {lb}"
    );
}

#[test]
fn biased_history_inspects_a_larger_share_of_exploited_sites() {
    let base_dir = generated(WorldName::Baseline, 5_000, 3);
    let biased_dir = generated(WorldName::BiasedHistory, 5_000, 3);
    // Inspections come after the hidden state: the same sites are exploited.
    assert_eq!(states(base_dir.path()), states(biased_dir.path()));
    let (base, biased) = (visits(base_dir.path()), visits(biased_dir.path()));
    assert!(
        base.sites > 150 && biased.sites > 150,
        "{base:?} {biased:?}"
    );
    let (sb, sbiased) = (
        share(base.exploited_sites, base.sites),
        share(biased.exploited_sites, biased.sites),
    );
    assert!(
        sbiased > sb + 0.07,
        "exploited share of inspected sites: biased {sbiased}, baseline {sb}"
    );
    let (inspections_base, inspections_biased) =
        (base.clean + base.exploited, biased.clean + biased.exploited);
    let volume = share(inspections_biased, inspections_base);
    assert!(
        (0.6..1.6).contains(&volume),
        "biased history has {volume} times the baseline's inspections"
    );
    assert!(
        share(biased.random, inspections_biased) < 0.5 * share(base.random, inspections_base),
        "random visits: biased {biased:?}, baseline {base:?}"
    );
}

#[test]
fn drift_moves_the_signal_from_payroll_to_housing_at_the_drift_date() {
    let at = WorldPreset::drift()
        .drift_date(GenerateParams::default().from, 3)
        .expect("drift date");
    let month = format!("{:04}-{:02}", at.year(), at.month());
    let date = at.to_string();
    let base = generated(WorldName::Baseline, 4_000, 2);
    let drift = generated(WorldName::Drift, 4_000, 2);

    let early = |m: &str| m < month.as_str();
    let late = |m: &str| m >= month.as_str();
    let (base_early, base_late) = (pay_gap(base.path(), early), pay_gap(base.path(), late));
    let (drift_early, drift_late) = (pay_gap(drift.path(), early), pay_gap(drift.path(), late));
    assert!(
        base_late > 0.8 * base_early,
        "baseline payroll gap {base_early} before, {base_late} after"
    );
    assert!(drift_early > 0.2, "drift payroll gap before {drift_early}");
    assert!(
        drift_late < 0.6 * drift_early,
        "drift payroll gap {drift_early} before, {drift_late} after"
    );

    let (ex_early, _) = housed(drift.path(), |d| d < date.as_str());
    let (ex_late, _) = housed(drift.path(), |d| d >= date.as_str());
    assert!(
        ex_late > ex_early + 0.1,
        "exploited sites' permits in employer housing: {ex_early} before, {ex_late} after"
    );
}
