//! Real agency exports as they come: Arbejdstilsynet's smiley register,
//! copied unchanged into `tests/fixtures/good/at_smiley`, loads with the
//! bundled `at-smiley` preset and nothing else. The expected counts are
//! read from the export here with the `csv` crate, not from tilsyn.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use polars::prelude::*;
use tilsyn::data::{LoadOptions, Table, load_folder};

use crate::harness::{AS_OF, fixture, run_tilsyn, tempdir, validate};

/// One row of the export, by header.
type Row = BTreeMap<String, String>;

fn smiley_dir() -> PathBuf {
    fixture("good/at_smiley")
}

/// The export's rows, read independently of tilsyn.
fn export_rows() -> Vec<Row> {
    let path = smiley_dir().join("at_smiley_fyn_red_events.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn load_smiley() -> tilsyn::data::Dataset {
    let opts = LoadOptions {
        preset: Some("at-smiley".into()),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 6, 30),
        rejects_dir: Some(tempdir().path().join("rejects")),
        ..LoadOptions::default()
    };
    load_folder(&smiley_dir(), &opts).unwrap()
}

fn strs(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    df.column(name)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

#[test]
fn the_smiley_export_loads_with_its_preset_and_nothing_else() {
    let rows = export_rows();
    assert_eq!(rows.len(), 385, "the fixture is the export, unchanged");
    let workplaces: BTreeSet<&str> = rows.iter().map(|r| r["workplace"].as_str()).collect();
    let visits: BTreeSet<(&str, &str)> = rows
        .iter()
        .map(|r| (r["workplace"].as_str(), r["SMILEY_DATO"].as_str()))
        .collect();
    let problem_lines = rows
        .iter()
        .filter(|r| !r["ARBEJDSMILJØPROBLEMER"].trim().is_empty())
        .count();

    let out = tempdir();
    let run = validate(&smiley_dir(), out.path(), &["--preset", "at-smiley"], &[]);
    run.assert_code(0);
    run.assert_rows("sites", 385, workplaces.len() as u64, 0)
        .assert_rows("inspections", 385, visits.len() as u64, 0)
        .assert_rows("findings", 385, problem_lines as u64, 0);
    for t in [
        "permits",
        "postings",
        "payroll",
        "residences",
        "tips",
        "roles",
    ] {
        run.assert_status(t, "absent");
    }
    let sites = run.table("sites");
    assert_eq!(
        sites["rows_folded"].as_u64(),
        Some((385 - workplaces.len()) as u64),
        "{}",
        run.context()
    );
    assert!(
        !sites["absent_columns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "municipality_code"),
        "the municipality is derived from the postcode, not absent\n{}",
        run.context()
    );
    assert_eq!(
        run.table("findings")["rows_ignored"].as_u64(),
        Some((385 - problem_lines) as u64),
        "blank problem lines are skipped and counted\n{}",
        run.context()
    );
    assert_eq!(
        run.json()["mapping"],
        "preset:at-smiley",
        "{}",
        run.context()
    );
}

#[test]
fn smiley_sites_get_their_municipality_and_db07_code_from_the_reference_tables() {
    let ds = load_smiley();
    let sites = ds.get(Table::Sites).unwrap();
    let ids = strs(sites, "site_id");
    let sectors = strs(sites, "sector_code");
    let municipalities: Vec<Option<i64>> = sites
        .column("municipality_code")
        .unwrap()
        .cast(&DataType::Int64)
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .collect();
    let at = |id: &str| ids.iter().position(|s| s.as_deref() == Some(id)).unwrap();
    // Svendborg (postcode 5700, municipality 479); a title cut at 50
    // characters, "Fremstilling af øvrige maskiner til specielle form",
    // is DB07 class 28.99.
    let i = at("Wb305b6f2dd");
    assert_eq!(municipalities[i], Some(479));
    assert_eq!(sectors[i].as_deref(), Some("28.99"));
    // Odense N (5270, Odense 461); "Tømrer- og bygningssnedkervirksomhed" is 43.32.
    let i = at("W5c63787f47");
    assert_eq!(municipalities[i], Some(461));
    assert_eq!(sectors[i].as_deref(), Some("43.32"));
    assert!(
        municipalities.iter().all(Option::is_some),
        "every postcode is known"
    );
    assert!(sectors.iter().all(Option::is_some));
    // The register has no CVR number.
    assert!(strs(sites, "company_id").iter().all(Option::is_none));
}

#[test]
fn one_smiley_visit_is_one_inspection_with_its_most_serious_reaction() {
    let rows = export_rows();
    let ds = load_smiley();
    let insp = ds.get(Table::Inspections).unwrap();
    let ids = strs(insp, "inspection_id");
    let outcomes = strs(insp, "outcome");
    let scopes = strs(insp, "scope");
    assert!(
        scopes
            .iter()
            .all(|s| s.as_deref() == Some("working_environment"))
    );
    let outcome_of = |workplace: &str, date: &str| {
        let id = format!("{workplace}|{date}");
        let i = ids.iter().position(|s| s.as_deref() == Some(&id)).unwrap();
        outcomes[i].clone()
    };
    // Every visit with a Forbud row is a prohibition; a visit whose rows
    // are all orders of one kind or another is an order.
    let mut by_visit: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in &rows {
        by_visit
            .entry((r["workplace"].clone(), r["SMILEY_DATO"].clone()))
            .or_default()
            .push(r["REAKTIONS_TYPE"].clone());
    }
    let mut checked = 0;
    for ((w, d), reactions) in &by_visit {
        let got = outcome_of(w, d);
        if reactions.iter().any(|x| x == "Forbud") {
            assert_eq!(got.as_deref(), Some("prohibition"), "{w} {d}");
            checked += 1;
        } else if reactions
            .iter()
            .all(|x| x.contains("åbud") || x.starts_with("Kompetence"))
        {
            assert_eq!(got.as_deref(), Some("order"), "{w} {d} {reactions:?}");
            checked += 1;
        }
    }
    assert!(checked > 50, "{checked}");

    // One finding per problem line of each visit.
    let findings = ds.get(Table::Findings).unwrap();
    let f_ids = strs(findings, "inspection_id");
    let indicators = strs(findings, "indicator");
    let w = "Wb305b6f2dd|02-09-2022 00:00:00";
    let expected = rows
        .iter()
        .filter(|r| r["workplace"] == "Wb305b6f2dd" && r["SMILEY_DATO"] == "02-09-2022 00:00:00")
        .filter(|r| !r["ARBEJDSMILJØPROBLEMER"].trim().is_empty())
        .count();
    assert_eq!(
        f_ids.iter().filter(|s| s.as_deref() == Some(w)).count(),
        expected
    );
    // Psychosocial problems bear on an ILO indicator; falls do not.
    for (r, ind) in rows
        .iter()
        .filter(|r| !r["ARBEJDSMILJØPROBLEMER"].trim().is_empty())
        .zip(&indicators)
    {
        let problem = &r["ARBEJDSMILJØPROBLEMER"];
        if problem.starts_with("06") {
            assert_eq!(ind.as_deref(), Some("abusive_conditions"), "{problem}");
        }
        if problem.starts_with("094") {
            assert_eq!(ind.as_deref(), Some("other"), "{problem}");
        }
    }
}

/// `tilsyn rank --scorer rules` on the smiley export with its preset.
fn rank_smiley(extra: &[&str]) -> crate::harness::Run {
    let dir = smiley_dir();
    let mut args = vec![
        "rank",
        "--data",
        dir.to_str().unwrap(),
        "--preset",
        "at-smiley",
        "--as-of",
        AS_OF,
        "--scorer",
        "rules",
    ];
    args.extend_from_slice(extra);
    run_tilsyn(&args, &[])
}

#[test]
fn rank_on_the_smiley_export_shows_what_an_at_visit_did_not_look_at_as_unknown() {
    let run = rank_smiley(&["--format", "csv"]);
    run.assert_code(0);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (wages, cond, coverage) = (
        col("withholding_of_wages"),
        col("abusive_conditions"),
        col("coverage"),
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 77, "{}", run.context());
    for r in &rows {
        // Nothing about pay was looked at: never clear.
        assert_eq!(&r[wages], "unknown", "{r:?}");
        assert!(r[coverage].parse::<u32>().unwrap() <= 2, "{r:?}");
    }
    assert!(
        rows.iter().any(|r| &r[cond] == "observed"),
        "a psychosocial order is an observed abusive-conditions finding\n{}",
        run.context()
    );
}

#[test]
fn an_unknown_preset_is_refused_with_the_list_of_presets() {
    let out = tempdir();
    let run = validate(&smiley_dir(), out.path(), &["--preset", "nope"], &[]);
    run.assert_fatal(&["nope", "at-smiley"]);
}

#[test]
fn without_a_cvr_number_the_company_indicators_are_unknown_not_zero() {
    let compiled =
        tilsyn::pipeline::compile(tilsyn::indicators::Catalogue::bundled().unwrap()).unwrap();
    let opts = LoadOptions {
        preset: Some("at-smiley".into()),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 6, 30),
        rejects_dir: Some(tempdir().path().join("rejects")),
        ..LoadOptions::default()
    };
    let scored = tilsyn::pipeline::load_and_assess(&smiley_dir(), opts, compiled, None).unwrap();
    let frame = &scored.assessment.frame;
    assert_eq!(frame.height(), 77);
    for name in tilsyn::features::COMPANY_FEATURES {
        let c = frame.column(name).unwrap();
        assert_eq!(c.null_count(), 77, "{name} must be unknown at every site");
    }
    // The catalogue's company rule is unknown too, not "does not hold".
    let rule = frame.column("rule:company_severe_elsewhere").unwrap();
    assert_eq!(rule.null_count(), 77);
}

#[test]
fn an_ambiguous_or_unknown_sector_title_is_rejected_with_what_to_do() {
    let data = tempdir();
    std::fs::write(
        data.path().join("sites.csv"),
        "site_id,Branche\nP1,Tømrer- og bygningssnedkervirksomhed\nP2,Fremstilling af\nP3,Rumfart på Mars\n",
    )
    .unwrap();
    std::fs::write(
        data.path().join("tilsyn.toml"),
        "[tables.sites.columns]\nsector_code = \"Branche\"\n[tables.sites.lookup]\nsector_code = \"db07_title\"\n",
    )
    .unwrap();
    let out = tempdir();
    let run = validate(data.path(), out.path(), &[], &[]);
    run.assert_code(1).assert_rows("sites", 3, 1, 2);
    let reasons: Vec<String> = run
        .samples("sites")
        .iter()
        .map(|s| s["reason"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("'Fremstilling af' begins the DB07 titles of")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("'Rumfart på Mars' is no DB07 title")),
        "{reasons:?}"
    );
}

#[test]
fn where_no_table_counts_workers_the_count_is_shown_as_unknown() {
    let run = rank_smiley(&["--top", "5"]);
    run.assert_code(0);
    assert_eq!(
        run.stdout.matches("· ? workers").count(),
        5,
        "the register has no worker counts: unknown, not 1\n{}",
        run.context()
    );
    // The demo has permits and payroll: its counts are known.
    let run = run_tilsyn(["rank", "--scorer", "rules", "--top", "5"], &[]);
    run.assert_code(0);
    assert!(!run.stdout.contains("? workers"), "{}", run.context());
}
