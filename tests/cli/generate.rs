//! The generator as users meet it: the demo data's README command
//! regenerates the committed files byte for byte, and any generated table
//! reads back identically through CSV and Parquet.

use std::path::Path;

use polars::prelude::*;
use proptest::prelude::*;
use tilsyn::data::load::LINE_COLUMN;
use tilsyn::data::{LoadOptions, Table, load_folder};
use tilsyn::synth::{GenerateParams, generate};

use super::harness::{run_tilsyn, tempdir};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo");

/// The `tilsyn generate` arguments written in `datasets/demo/README.md`.
fn readme_generate_args() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(DEMO).join("README.md"))
        .expect("datasets/demo/README.md");
    let line = readme
        .lines()
        .find(|l| l.contains("-- generate"))
        .expect("the demo README names the generate command");
    let after = line.split("-- ").nth(1).expect("arguments after --");
    after.split_whitespace().map(str::to_string).collect()
}

#[test]
fn demo_readme_command_regenerates_the_demo_byte_for_byte() {
    let dir = tempdir();
    let mut args = readme_generate_args();
    let out = args
        .iter()
        .position(|a| a == "--out")
        .expect("--out in the README command");
    args[out + 1] = dir.path().display().to_string();
    run_tilsyn(&args, &[]).assert_code(0);
    let mut compared = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let committed = std::fs::read(Path::new(DEMO).join(&name))
            .unwrap_or_else(|_| panic!("datasets/demo/{name} is not committed"));
        let fresh = std::fs::read(&path).unwrap();
        assert!(
            committed == fresh,
            "datasets/demo/{name} differs from what the README command writes"
        );
        compared += 1;
    }
    assert_eq!(compared, 10, "nine tables and truth.csv");
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let (a, b, c) = (tempdir(), tempdir(), tempdir());
    let p = GenerateParams {
        sites: 400,
        seed: 11,
        ..GenerateParams::default()
    };
    generate(&p, a.path()).unwrap();
    generate(&p, b.path()).unwrap();
    generate(
        &GenerateParams {
            seed: 12,
            ..p.clone()
        },
        c.path(),
    )
    .unwrap();
    for t in Table::ALL {
        let f = format!("{}.csv", t.name());
        assert_eq!(
            std::fs::read(a.path().join(&f)).unwrap(),
            std::fs::read(b.path().join(&f)).unwrap(),
            "{f}"
        );
    }
    assert_ne!(
        std::fs::read(a.path().join("sites.csv")).unwrap(),
        std::fs::read(c.path().join("sites.csv")).unwrap()
    );
}

fn without_line(df: &DataFrame) -> DataFrame {
    df.drop(LINE_COLUMN).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// Any generated data set loads with zero rejects, and every table
    /// written to Parquet reads back identical to its CSV load.
    #[test]
    fn generated_tables_read_back_identically_from_csv_and_parquet(sites in 20usize..150, seed in any::<u64>()) {
        let csv_dir = tempdir();
        let summary = generate(&GenerateParams { sites, seed, ..GenerateParams::default() }, csv_dir.path()).unwrap();
        let opts = LoadOptions { as_of: Some(summary.as_of), ..LoadOptions::default() };
        let from_csv = load_folder(csv_dir.path(), &opts).unwrap();
        prop_assert_eq!(from_csv.report.total_rejected(), 0);
        let pq_dir = tempdir();
        for (t, df) in &from_csv.tables {
            let rows = summary.rows.iter().find(|(n, _)| n == t.name()).map(|(_, r)| *r).unwrap();
            prop_assert_eq!(df.height(), rows, "{} rows", t.name());
            let mut out = without_line(df);
            let f = std::fs::File::create(pq_dir.path().join(format!("{}.parquet", t.name()))).unwrap();
            ParquetWriter::new(f).finish(&mut out).unwrap();
        }
        let from_pq = load_folder(pq_dir.path(), &opts).unwrap();
        prop_assert_eq!(from_pq.report.total_rejected(), 0);
        for (t, df) in &from_csv.tables {
            let back = from_pq.get(*t).unwrap();
            prop_assert!(without_line(df).equals_missing(&without_line(back)), "{} differs after Parquet", t.name());
        }
    }
}
