//! Fuzzing with proptest: whatever bytes an export holds, whatever text a
//! catalogue rule or a mapping file holds, tilsyn answers with a value or an
//! error, never a panic. With the key set, whatever loads holds only
//! pseudonyms in its personal columns. `TILSYN_FUZZ_CASES` sets the cases
//! per test (default 64, so a normal test run stays fast); a long run is
//! described in `docs/privacy.md`:
//!
//! ```sh
//! TILSYN_FUZZ_CASES=220000 cargo test --test cli fuzz
//! ```

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use tilsyn::data::mapping::Mapping;
use tilsyn::data::pseudonym::{PseudonymKey, is_pseudonym};
use tilsyn::data::{LoadOptions, Table, load_folder};
use tilsyn::indicators::{Catalogue, CompiledCatalogue};

use crate::canary::{as_of, person_values};
use crate::harness::tempdir;

/// Cases per test: `TILSYN_FUZZ_CASES`, default 64.
fn cases() -> u32 {
    std::env::var("TILSYN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(64)
}

/// Runs `test` on `cases()` values of `strategy`; a panic or a failed
/// `prop_assert!` fails the test with the smallest input that shows it.
fn fuzz<S: Strategy>(strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let config = ProptestConfig {
        // The failing input is in the message; no regression file is written.
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases())
    };
    let mut runner = TestRunner::new(config);
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{e}");
    }
}

fn key() -> PseudonymKey {
    PseudonymKey::new(b"fuzz-secret-key-0123456789").unwrap()
}

/// A small valid `sites` table, for the `permits` cases.
const SITES: &str = "site_id,sector_code\n1000000001,41.20\n1000000002,81.21\n";

/// A small valid `permits` table, for the mapping cases.
const PERMITS: &str = "permit_id,person_id,site_id,start_date,recruiter_id\nSIRI-1,W0000001,1000000001,2024-02-01,R-1\nSIRI-2,Jens Hansen,1000000002,2024-05-01,\n";

/// Pieces of CSV-ish text: delimiters, quotes, line ends, letters, digits,
/// Danish letters, headers and values that mean something to the loader.
const CSV_PIECES: &[&str] = &[
    ",",
    ";",
    "\"",
    "\n",
    "\r",
    "\r\n",
    "\t",
    " ",
    "a",
    "Z",
    "x",
    "0",
    "1",
    "9",
    "-",
    ".",
    "æ",
    "ø",
    "å",
    "Æ",
    "Ø",
    "Å",
    "é",
    "\u{feff}",
    "site_id",
    "sector_code",
    "company_id",
    "lat",
    "employees",
    "municipality_code",
    "postcode",
    "smiley",
    "permit_id",
    "person_id",
    "start_date",
    "recruiter_id",
    "stated_monthly_pay_dkk",
    "1000000001",
    "41.20",
    "55,4580",
    "1.234,50",
    "2024-02-01",
    "2024-02-30",
    "31-12-2024",
    "010190-1234",
    "p0123456789abcdef0123",
    "Jens Peter",
    "a@b.dk",
    "ja",
    "nej",
    "true",
    "green",
    "-5",
    "1e308",
    "NaN",
];

fn csv_like() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(CSV_PIECES), 0..400).prop_map(|p| p.concat())
}

/// The canonical header of a table.
fn header(table: Table) -> String {
    let names: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
    names.join(",")
}

/// Writes `bytes` as `sites.csv`, or as `permits.csv` next to a valid
/// `sites.csv`, and loads the folder (with or without the key): Ok or Err,
/// never a panic; with the key, every personal value loaded is a pseudonym.
fn load_case(bytes: &[u8], as_permits: bool, keyed: bool) -> Result<(), TestCaseError> {
    let tmp = tempdir();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    if as_permits {
        std::fs::write(data.join("sites.csv"), SITES).unwrap();
        std::fs::write(data.join("permits.csv"), bytes).unwrap();
    } else {
        std::fs::write(data.join("sites.csv"), bytes).unwrap();
    }
    let opts = LoadOptions {
        as_of: Some(as_of()),
        rejects_dir: Some(tmp.path().join("rejects")),
        pseudonym_key: keyed.then(key),
        ..LoadOptions::default()
    };
    if let (Ok(ds), true) = (load_folder(&data, &opts), keyed) {
        for (table, column, value) in person_values(&ds) {
            prop_assert!(
                is_pseudonym(&value),
                "{table}.{column} loaded {value:?}, not a pseudonym"
            );
        }
    }
    Ok(())
}

#[test]
fn arbitrary_bytes_never_panic_the_loader() {
    let strategy = (
        prop::collection::vec(any::<u8>(), 0..2048),
        any::<bool>(),
        any::<bool>(),
    );
    fuzz(strategy, |(bytes, as_permits, keyed)| {
        load_case(&bytes, as_permits, keyed)
    });
}

#[test]
fn csv_like_text_never_panics_the_loader() {
    let strategy = (
        prop_oneof![csv_like(), any::<String>()],
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    );
    fuzz(strategy, |(body, as_permits, with_header, keyed)| {
        let table = if as_permits {
            Table::Permits
        } else {
            Table::Sites
        };
        let text = if with_header {
            format!("{}\n{body}", header(table))
        } else {
            body
        };
        load_case(text.as_bytes(), as_permits, keyed)
    });
}

/// Pieces of SQL-ish rule text: features, operators, literals, keywords the
/// catalogue allows and some it does not.
const RULE_PIECES: &[&str] = &[
    "permit_workers",
    "share_employer_bound",
    "risk_sector",
    "smiley_red",
    "inspections",
    "finding_deception_count",
    "days_since_check_deception",
    "max_persons_per_room",
    "tips_12m",
    "pay_ratio_median",
    "no_such_feature",
    "AND",
    "OR",
    "NOT",
    "(",
    ")",
    ">",
    ">=",
    "<",
    "<=",
    "=",
    "<>",
    "!=",
    "IS NULL",
    "IS NOT NULL",
    "0",
    "1",
    "0.75",
    "-1",
    "1e400",
    "'text'",
    "\"",
    "'",
    "NULL",
    "TRUE",
    "FALSE",
    "+",
    "*",
    "/",
    ",",
    ";",
    "BETWEEN",
    "IN",
    "LIKE",
    "CASE WHEN",
    "THEN",
    "ELSE",
    "END",
    "SELECT",
    "FROM",
    "abs(",
    "æøå",
    "--",
];

fn rule_like() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(RULE_PIECES), 0..16).prop_map(|p| p.join(" "))
}

#[test]
fn arbitrary_rules_never_panic_the_rule_compiler() {
    let schema = tilsyn::features::schema().unwrap();
    // One indicator, so that a case compiles one rule, not the catalogue.
    let mut base = Catalogue::bundled().unwrap();
    base.indicators.truncate(1);
    base.lines.truncate(1);
    assert!(
        CompiledCatalogue::compile(base.clone(), &schema).is_ok(),
        "the first bundled indicator compiles as it is"
    );
    let strategy = (prop_oneof![rule_like(), any::<String>()], any::<bool>());
    fuzz(strategy, |(text, as_assessed)| {
        let mut cat = base.clone();
        if as_assessed {
            cat.indicators[0].assessed = Some(text);
        } else {
            cat.indicators[0].rule = text;
        }
        // Compiled or refused with a message; never a panic.
        let _ = CompiledCatalogue::compile(cat, &schema);
        Ok(())
    });
}

/// Lines of TOML-ish mapping text: the sections and keys of a mapping
/// file, with good and bad values, and broken TOML.
const MAPPING_LINES: &[&str] = &[
    "[defaults]",
    "[tables.sites]",
    "[tables.permits]",
    "[tables.inspections]",
    "[tables.nowhere]",
    "[tables.sites.columns]",
    "[tables.permits.columns]",
    "[tables.inspections.columns]",
    "[tables.sites.recode.smiley]",
    "[tables.permits.recode.scheme]",
    "[tables.sites.constants]",
    "[tables.permits.ignore]",
    "[tables.sites.lookup]",
    "file = \"sites.csv\"",
    "file = \"*.csv\"",
    "file = \"*\"",
    "file = \"\"",
    "encoding = \"latin-1\"",
    "encoding = \"utf-8\"",
    "encoding = \"ebcdic\"",
    "delimiter = \";\"",
    "delimiter = \"\\t\"",
    "delimiter = \"\"",
    "delimiter = \"ab\"",
    "delimiter = \"æ\"",
    "decimal = \",\"",
    "decimal = \".\"",
    "decimal = \"x\"",
    "site_id = \"site_id\"",
    "site_id = \"P-nummer\"",
    "site_id = [\"site_id\", \"sector_code\"]",
    "site_id = [\"site_id\"]",
    "person_id = [\"person_id\", \"permit_id\"]",
    "person_id = \"person_id\"",
    "person_id = [\"x\"]",
    "sector_code = \"db07_title\"",
    "sector_code = \"title\"",
    "fold = true",
    "fold = \"yes\"",
    "pseudonymise = [\"person_id\"]",
    "pseudonymise = [\"recruiter_id\", \"nope\"]",
    "pseudonymise = \"person_id\"",
    "\"grøn\" = \"green\"",
    "\"*\" = \"none\"",
    "\"*x*\" = \"red\"",
    "agency = \"AT\"",
    "scheme = \"pay_limit\"",
    "x = 1",
    "= =",
    "[[tables]]",
    "[",
    "\"",
    "# a comment æøå",
    "",
];

fn mapping_like() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(MAPPING_LINES), 0..24).prop_map(|l| l.join("\n"))
}

#[test]
fn arbitrary_mapping_files_never_panic_the_parser_or_the_loader() {
    let strategy = (prop_oneof![mapping_like(), any::<String>()], any::<bool>());
    fuzz(strategy, |(text, load)| {
        let parsed = Mapping::from_str(&text, Path::new("tilsyn.toml")).is_ok();
        // A mapping that parses is also used to load a small folder.
        if parsed && load {
            let tmp = tempdir();
            let data = tmp.path().join("data");
            std::fs::create_dir(&data).unwrap();
            std::fs::write(data.join("sites.csv"), SITES).unwrap();
            std::fs::write(data.join("permits.csv"), PERMITS).unwrap();
            std::fs::write(data.join("tilsyn.toml"), &text).unwrap();
            let opts = LoadOptions {
                as_of: Some(as_of()),
                rejects_dir: Some(tmp.path().join("rejects")),
                pseudonym_key: Some(key()),
                ..LoadOptions::default()
            };
            if let Ok(ds) = load_folder(&data, &opts) {
                for (table, column, value) in person_values(&ds) {
                    prop_assert!(
                        is_pseudonym(&value),
                        "{table}.{column} loaded {value:?} through the mapping {text:?}"
                    );
                }
            }
        }
        Ok(())
    });
}
