//! Issue #14: no raw personal identifier can escape. `tests/fixtures/canary`
//! (see its README) holds every table with raw values, the canaries, in
//! every personal column (a CPR number with and without its dash, a passport
//! number, a name, an e-mail address, a phone number, a recruiter and a
//! street address) and in the inspectors' notes, and one rejected row each
//! in `permits` and `payroll`. With `TILSYN_PSEUDONYM_KEY` set, every command
//! that reads data runs over a copy of it with every output format, and no
//! canary may appear on stdout, on stderr, in any file written (outputs,
//! rejects files, the audit log, imported Parquet read back, the temporary
//! folder), on a TUI screen or in the TUI's export. Without the key the
//! folder is refused without repeating a value. And the loaded frames
//! themselves hold only pseudonyms in personal columns: a pseudonymiser
//! that returned its input would fail here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tilsyn::data::pseudonym::{PseudonymKey, is_pseudonym};
use tilsyn::data::{Dataset, LoadOptions, Table, load_folder};
use tilsyn::indicators::Catalogue;
use tilsyn::model::ModelFile;
use tilsyn::pipeline::{compile, load_and_assess};
use tilsyn::synth::{GenerateParams, generate};
use tilsyn::tui::app::{App, AppOptions, Screen};
use tilsyn::tui::ui;

use crate::harness::{
    ALL_TABLES, AS_OF, KEY_VAR, NO_KEY, Run, fixture, read_rejects, run_tilsyn, tempdir, validate,
};

/// The pseudonymisation key of every keyed run (it must never be shown either).
const KEY: &str = "s3cret-pseudonym-key-for-tests-0042";

/// What must never appear in an output, compared ignoring ASCII case: the
/// raw values of the fixture and their obvious variants. `canary` covers
/// the name (`Jens Peter Canary`), the e-mail address
/// (`canary.person@example.dk`), the street (`Canaryvej 12, 2. th`) and the
/// recruiter (`Canary Rekruttering ApS Jensen`), whatever their case.
const CANARIES: [&str; 10] = [
    "canary",
    "010190-1234",
    "0101901234",
    "010190 1234",
    "XA9876543",
    "+45 20 30 40 50",
    "45 20 30 40 50",
    "20304050",
    "Rekruttering ApS Jensen",
    KEY,
];

/// The raw values as the fixture writes them (for the checks that they are
/// really there).
const RAW: [&str; 8] = [
    "Jens Peter Canary",
    "010190-1234",
    "0101901234",
    "XA9876543",
    "canary.person@example.dk",
    "+45 20 30 40 50",
    "Canary Rekruttering ApS Jensen",
    "Canaryvej 12, 2. th",
];

/// Sites of the fixture: the one with the findings (notes), the permit
/// holder `010190-1234` and the recruiter; and the one of `Jens Peter Canary`.
const SITE_WITH_NOTES: &str = "1000000004";
const SITE_OF_JENS: &str = "1000000001";

/// The analysis date of the tests.
pub fn as_of() -> NaiveDate {
    NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap()
}

fn key() -> PseudonymKey {
    PseudonymKey::new(KEY.as_bytes()).unwrap()
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The canaries found in some bytes, ignoring ASCII case.
fn leaks(bytes: &[u8]) -> Vec<&'static str> {
    let lower = bytes.to_ascii_lowercase();
    CANARIES
        .into_iter()
        .filter(|c| contains(&lower, c.to_ascii_lowercase().as_bytes()))
        .collect()
}

/// Asserts that neither stdout nor stderr of a run holds a canary.
fn assert_not_printed(run: &Run) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let found = leaks(text.as_bytes());
        assert!(
            found.is_empty(),
            "{stream} holds the canaries {found:?}\n{}",
            run.context()
        );
    }
}

/// Every file under `dir` (recursively), and those holding a canary with
/// the canaries each holds.
fn walk(dir: &Path) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for entry in entries {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let leaked = leaks(&bytes);
            if !leaked.is_empty() {
                found.push(format!("{}: {leaked:?}", p.display()));
            }
            files.push(p);
        }
    }
    files.sort();
    (files, found)
}

/// Every value of every personal column of a loaded data set, as (table,
/// column, value); blanks are left out.
pub fn person_values(ds: &Dataset) -> Vec<(Table, &'static str, String)> {
    let mut out = Vec::new();
    for (table, df) in &ds.tables {
        for spec in table.columns().iter().filter(|c| c.person_id) {
            let column = df
                .column(spec.name)
                .unwrap_or_else(|e| panic!("{table}.{}: {e}", spec.name));
            let values = column
                .str()
                .unwrap_or_else(|e| panic!("{table}.{} is not text: {e}", spec.name));
            out.extend(
                values
                    .iter()
                    .flatten()
                    .map(|v| (*table, spec.name, v.to_string())),
            );
        }
    }
    out
}

/// The canaries in any text cell of a loaded data set.
fn dataset_leaks(ds: &Dataset) -> Vec<String> {
    let mut found = Vec::new();
    for (table, df) in &ds.tables {
        for column in df.columns() {
            let Ok(values) = column.str() else {
                continue;
            };
            for v in values.iter().flatten() {
                for c in leaks(v.as_bytes()) {
                    found.push(format!("{table}.{}: {c:?}", column.name()));
                }
            }
        }
    }
    found
}

/// Asserts that every personal value of a data set is a pseudonym, and
/// that every personal column of every table holds some.
fn assert_only_pseudonyms(ds: &Dataset, what: &str) {
    let values = person_values(ds);
    let raw: Vec<&(Table, &str, String)> =
        values.iter().filter(|(_, _, v)| !is_pseudonym(v)).collect();
    assert!(
        raw.is_empty(),
        "{what}: personal values that are not pseudonyms: {raw:?}"
    );
    for table in Table::ALL {
        for spec in table.columns().iter().filter(|c| c.person_id) {
            assert!(
                values
                    .iter()
                    .any(|(t, c, _)| *t == table && *c == spec.name),
                "{what}: {table}.{} holds no value, so it proves nothing",
                spec.name
            );
        }
    }
}

/// The canary tables copied into a new folder (commands read the copy, so
/// nothing can be written next to the fixture, and no path names it).
fn canary_copy() -> tempfile::TempDir {
    let dir = tempdir();
    for t in ALL_TABLES {
        let name = format!("{t}.csv");
        std::fs::copy(fixture("canary").join(&name), dir.path().join(&name)).unwrap();
    }
    dir
}

/// The file names in a folder.
fn names_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// The outputs of a series of runs: every file any run writes is under one
/// folder, which also serves as the runs' temporary folder (`TMPDIR`: the
/// default rejects folder of the commands without `--rejects` lands there)
/// and holds their audit log.
struct Outputs {
    dir: tempfile::TempDir,
    rejects: usize,
}

impl Outputs {
    fn new() -> Outputs {
        let dir = tempdir();
        std::fs::create_dir(dir.path().join("tmp")).unwrap();
        Outputs { dir, rejects: 0 }
    }

    /// A path in the output folder.
    fn path(&self, name: &str) -> String {
        s(&self.dir.path().join(name))
    }

    /// A new rejects folder for one run.
    fn rejects(&mut self) -> String {
        self.rejects += 1;
        self.path(&format!("rejects-{}", self.rejects))
    }

    /// The audit log every run writes to.
    fn log(&self) -> String {
        self.path("audit.jsonl")
    }

    /// Runs `tilsyn` with the key, asserts its exit code and that it
    /// printed no canary.
    fn run(&self, args: &[&str], code: i32) -> Run {
        let log = self.log();
        let tmp = self.path("tmp");
        let run = run_tilsyn(
            args.iter().copied(),
            &[
                (KEY_VAR, KEY),
                ("TILSYN_AUDIT_LOG", log.as_str()),
                ("TILSYN_USER", "inspector-7"),
                ("TMPDIR", tmp.as_str()),
            ],
        );
        run.assert_code(code);
        assert_not_printed(&run);
        run
    }

    /// Asserts that each of `expected` was written, and that no file under
    /// the output folder holds a canary.
    fn assert_nothing_leaked(&self, expected: &[&str]) {
        let (files, found) = walk(self.dir.path());
        for e in expected {
            let p = self.dir.path().join(e);
            assert!(
                p.exists(),
                "{} was not written; the files are {files:#?}",
                p.display()
            );
        }
        assert!(
            found.is_empty(),
            "files written hold canaries:\n{}",
            found.join("\n")
        );
    }
}

/// Asserts that a rejects file's row shows no raw personal value: each is a
/// pseudonym, withheld, or blank.
fn assert_rejects_withhold(out: &str, table: &str, line: u64, columns: &[&str]) {
    let rejects = read_rejects(Path::new(out), table);
    let row = rejects.at_line(line);
    for c in columns {
        let v = &row[*c];
        assert!(
            v.is_empty() || is_pseudonym(v) || v == "[personal: withheld]",
            "{}: line {line}: {c} is {v:?}",
            rejects.path.display()
        );
    }
}

#[test]
fn the_canaries_are_raw_in_the_source_files() {
    let dir = fixture("canary");
    let source: String = ALL_TABLES
        .iter()
        .map(|t| std::fs::read_to_string(dir.join(format!("{t}.csv"))).unwrap())
        .collect();
    for raw in RAW {
        assert!(source.contains(raw), "the fixture lacks {raw:?}");
    }
    // Every personal column holds a value that is not a pseudonym.
    for table in Table::ALL {
        let path = dir.join(format!("{}.csv", table.name()));
        let mut rdr = csv::Reader::from_path(&path).unwrap();
        let header = rdr.headers().unwrap().clone();
        let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
        for spec in table.columns().iter().filter(|c| c.person_id) {
            let i = header
                .iter()
                .position(|h| h == spec.name)
                .unwrap_or_else(|| panic!("{} has no column {}", path.display(), spec.name));
            assert!(
                rows.iter()
                    .any(|r| r.get(i).is_some_and(|v| !v.is_empty() && !is_pseudonym(v))),
                "{table}.{} holds no raw value",
                spec.name
            );
        }
    }
}

#[test]
fn a_pseudonymiser_that_returns_its_input_would_leak() {
    let dir = fixture("canary");
    let rejects = tempdir();
    let key = key();
    let ds = load_folder(
        &dir,
        &LoadOptions {
            as_of: Some(as_of()),
            rejects_dir: Some(rejects.path().join("rejects")),
            pseudonym_key: Some(key.clone()),
            ..LoadOptions::default()
        },
    )
    .unwrap();
    assert_eq!(ds.report.total_rejected(), 2, "{:#?}", ds.report);
    // Raw values are not in the pseudonym format: a no-op fails here.
    assert_only_pseudonyms(&ds, "the canary folder loaded with the key");
    let values = person_values(&ds);
    let has = |table: Table, column: &str, value: &str| {
        values
            .iter()
            .any(|(t, c, v)| *t == table && *c == column && v == value)
    };
    // The pseudonyms are the keyed ones, and the same in every table, so a
    // person's permit, pay and home still join.
    let jens = key.pseudonym("Jens Peter Canary");
    let cpr = key.pseudonym("010190-1234");
    for table in [Table::Permits, Table::Payroll, Table::Residences] {
        assert!(has(table, "person_id", &jens), "{table}: {jens} missing");
        assert!(has(table, "person_id", &cpr), "{table}: {cpr} missing");
    }
    assert!(has(
        Table::Permits,
        "recruiter_id",
        &key.pseudonym("Canary Rekruttering ApS Jensen")
    ));
    assert!(has(
        Table::Residences,
        "address_id",
        &key.pseudonym("Canaryvej 12, 2. th")
    ));
    assert!(has(
        Table::Residences,
        "person_id",
        &key.pseudonym("+45 20 30 40 50")
    ));
    assert!(has(
        Table::Roles,
        "person_id",
        &key.pseudonym("canary.person@example.dk")
    ));
    // A value that already is a pseudonym is kept as it is.
    assert!(has(Table::Permits, "person_id", "p0123456789abcdef0123"));
    assert!(has(Table::Roles, "person_id", "p00112233445566778899"));
    // No canary is left in any text cell (the notes are masked).
    let found = dataset_leaks(&ds);
    assert!(found.is_empty(), "{found:#?}");
    // Nor in the rejects files.
    let (files, found) = walk(rejects.path());
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn without_the_key_the_canary_folder_is_refused_without_echoing_it() {
    let data = canary_copy();
    let out = tempdir();
    let tmp = out.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let tmp = s(&tmp);
    let env = [("TMPDIR", tmp.as_str()), NO_KEY];
    let run = validate(data.path(), out.path(), &[], &env);
    run.assert_fatal(&["permits.csv: line 2:", "'person_id'"]);
    assert_not_printed(&run);
    let d = s(data.path());
    let rank = run_tilsyn(["rank", "--data", d.as_str(), "--as-of", AS_OF], &env);
    assert_ne!(rank.code, 0, "{}", rank.context());
    assert!(rank.stdout.is_empty(), "{}", rank.context());
    rank.assert_stderr_line(&["error: ", "permits.csv: line 2:", "'person_id'"]);
    assert_not_printed(&rank);
    let (_, found) = walk(out.path());
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn no_canary_escapes_loading_ranking_or_explaining() {
    let data = canary_copy();
    let before = names_in(data.path());
    let d = s(data.path());
    let mut o = Outputs::new();

    // validate: the report, and the rejects files with their rows.
    for format in ["table", "json"] {
        let out = o.path(&format!("validate-{format}"));
        let run = o.run(
            &[
                "validate", "--data", &d, "--as-of", AS_OF, "--out", &out, "--format", format,
            ],
            1,
        );
        if format == "json" {
            run.assert_rows("sites", 5, 5, 0)
                .assert_rows("permits", 5, 4, 1)
                .assert_rows("payroll", 6, 5, 1)
                .assert_rows("residences", 4, 4, 0)
                .assert_rows("roles", 4, 4, 0)
                .assert_rows("findings", 3, 3, 0);
        }
        assert_rejects_withhold(&out, "permits", 6, &["person_id", "recruiter_id"]);
        assert_rejects_withhold(&out, "payroll", 7, &["person_id"]);
    }

    // import, and what it wrote read back: the Parquet files are
    // compressed, so their bytes alone would prove nothing.
    for format in ["table", "json"] {
        let out = o.path(&format!("import-{format}"));
        o.run(
            &[
                "import", "--data", &d, "--as-of", AS_OF, "--out", &out, "--format", format,
            ],
            1,
        );
        let ds = load_folder(Path::new(&out), &LoadOptions::default()).unwrap();
        assert_only_pseudonyms(&ds, &out);
        let found = dataset_leaks(&ds);
        assert!(found.is_empty(), "{out}: {found:#?}");
    }
    let imported = o.path("import-json");
    let r = o.rejects();
    o.run(
        &[
            "rank",
            "--data",
            &imported,
            "--as-of",
            AS_OF,
            "--rejects",
            &r,
            "--format",
            "json",
        ],
        0,
    );

    // rank, with the model and with the rules.
    for format in ["table", "csv", "json"] {
        let r = o.rejects();
        o.run(
            &[
                "rank",
                "--data",
                &d,
                "--as-of",
                AS_OF,
                "--rejects",
                &r,
                "--format",
                format,
            ],
            0,
        );
    }
    let r = o.rejects();
    o.run(
        &[
            "rank",
            "--data",
            &d,
            "--as-of",
            AS_OF,
            "--rejects",
            &r,
            "--scorer",
            "rules",
            "--format",
            "csv",
        ],
        0,
    );

    // explain: notes hidden, then shown (masked).
    for site in [SITE_WITH_NOTES, SITE_OF_JENS] {
        for format in ["text", "json"] {
            for notes in [false, true] {
                let r = o.rejects();
                let mut args = vec![
                    "explain",
                    site,
                    "--data",
                    &d,
                    "--as-of",
                    AS_OF,
                    "--rejects",
                    &r,
                    "--format",
                    format,
                ];
                if notes {
                    args.push("--show-notes");
                }
                let run = o.run(&args, 0);
                if site == SITE_WITH_NOTES && notes {
                    for masked in ["[cpr]", "[document no.]", "[e-mail]", "[phone]"] {
                        assert!(run.stdout.contains(masked), "{masked}\n{}", run.context());
                    }
                } else if site == SITE_WITH_NOTES {
                    assert!(run.stdout.contains("note hidden"), "{}", run.context());
                }
            }
        }
    }

    // blind-spots and fairness, every format.
    for format in ["table", "csv", "json"] {
        let r = o.rejects();
        o.run(
            &[
                "blind-spots",
                "--data",
                &d,
                "--as-of",
                AS_OF,
                "--rejects",
                &r,
                "--format",
                format,
            ],
            0,
        );
    }
    for format in ["table", "json", "markdown"] {
        let r = o.rejects();
        o.run(
            &[
                "fairness",
                "--data",
                &d,
                "--rejects",
                &r,
                "--bootstrap",
                "10",
                "--format",
                format,
            ],
            0,
        );
    }

    // The wage shortfall of the canary worker's site, every format, and of
    // every site to a file: workers appear by pseudonym only.
    for format in ["table", "csv", "json", "markdown"] {
        let r = o.rejects();
        o.run(
            &[
                "shortfall",
                "--data",
                &d,
                "--as-of",
                AS_OF,
                "--rejects",
                &r,
                "--site",
                SITE_OF_JENS,
                "--format",
                format,
            ],
            0,
        );
    }
    let all = o.path("shortfall-all.csv");
    let r = o.rejects();
    o.run(
        &[
            "shortfall",
            "--data",
            &d,
            "--as-of",
            AS_OF,
            "--rejects",
            &r,
            "--all",
            "--out",
            &all,
        ],
        0,
    );

    // The bundled model's card with the fairness audit on the canaries
    // (card has no --rejects: its rejects go to TMPDIR).
    let card = o.path("card-bundled.txt");
    o.run(
        &["card", "--data", &d, "--bootstrap", "10", "--out", &card],
        0,
    );

    // A draft mapping shows headers and enumeration values, never values
    // of personal columns.
    o.run(&["mapping", "--draft", &d], 0);
    let draft = o.path("draft.toml");
    o.run(&["mapping", "--draft", &d, "--out", &draft], 0);

    // The subcontractor screening loads the folder too.
    o.run(
        &[
            "assess",
            "--subcontractors",
            &d,
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
        0,
    );
    let report = o.path("subcontractors.txt");
    o.run(
        &[
            "assess",
            "--subcontractors",
            &d,
            "--as-of",
            AS_OF,
            "--format",
            "markdown",
            "--out",
            &report,
        ],
        0,
    );

    o.assert_nothing_leaked(&[
        "validate-json/rejects/permits.csv",
        "validate-json/rejects/payroll.csv",
        "import-json/permits.parquet",
        "import-json/tilsyn-import.json",
        "import-json/rejects/permits.csv",
        "rejects-2/permits.csv",
        "card-bundled.txt",
        "draft.toml",
        "subcontractors.txt",
    ]);
    assert_eq!(
        names_in(data.path()),
        before,
        "a command wrote into the data folder"
    );
}

#[test]
fn no_canary_escapes_plans_networks_or_the_audit_log() {
    let data = canary_copy();
    let d = s(data.path());
    let mut o = Outputs::new();
    let log = o.log();

    // plan: CSV on stdout, then into .csv and .json files; each run is logged.
    let plan_csv = o.path("plan.csv");
    let plan_json = o.path("plan.json");
    for out in [None, Some(plan_csv.as_str()), Some(plan_json.as_str())] {
        let r = o.rejects();
        let mut args = vec![
            "plan",
            "--data",
            &d,
            "--as-of",
            AS_OF,
            "--rejects",
            &r,
            "--capacity",
            "3",
            "--audit-log",
            &log,
        ];
        if let Some(out) = out {
            args.extend(["--out", out]);
        }
        o.run(&args, 0);
    }

    // audit: every subcommand that shows entries.
    o.run(&["audit", "verify", "--audit-log", &log], 0);
    for format in ["table", "json"] {
        o.run(
            &["audit", "show", "--audit-log", &log, "--format", format],
            0,
        );
        o.run(
            &[
                "audit",
                "follow-rate",
                "--audit-log",
                &log,
                "--format",
                format,
            ],
            0,
        );
    }
    o.run(
        &["audit", "follow-rate", "--audit-log", &log, "--by", "month"],
        0,
    );

    // network: around a site, around a company, the groups and one group,
    // each as a table, GraphML and CSV on stdout.
    let starts: [&[&str]; 4] = [
        &["--site", SITE_WITH_NOTES],
        &["--company", "31000001"],
        &["--groups"],
        &["--group", "1"],
    ];
    for start in starts {
        for format in ["table", "graphml", "csv"] {
            let r = o.rejects();
            let mut args = vec![
                "network",
                "--data",
                &d,
                "--as-of",
                AS_OF,
                "--rejects",
                &r,
                "--format",
                format,
            ];
            args.extend_from_slice(start);
            o.run(&args, 0);
        }
    }
    // ... and into files.
    let nodes_dir = o.path("network-csv");
    let groups_dir = o.path("groups-csv");
    let graphml = o.path("network.graphml");
    let table = o.path("network.txt");
    for (start, format, out) in [
        (SITE_WITH_NOTES, "csv", nodes_dir.as_str()),
        (SITE_WITH_NOTES, "graphml", graphml.as_str()),
        (SITE_WITH_NOTES, "table", table.as_str()),
    ] {
        let r = o.rejects();
        o.run(
            &[
                "network",
                "--data",
                &d,
                "--as-of",
                AS_OF,
                "--rejects",
                &r,
                "--site",
                start,
                "--format",
                format,
                "--out",
                out,
            ],
            0,
        );
    }
    let r = o.rejects();
    o.run(
        &[
            "network",
            "--data",
            &d,
            "--as-of",
            AS_OF,
            "--rejects",
            &r,
            "--groups",
            "--format",
            "csv",
            "--out",
            &groups_dir,
        ],
        0,
    );
    // The people, recruiters and addresses are there, as pseudonyms.
    let mut rdr = csv::Reader::from_path(Path::new(&nodes_dir).join("nodes.csv")).unwrap();
    let header = rdr.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (kind, id) = (col("type"), col("id"));
    let entities: Vec<(String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[kind].to_string(), r[id].to_string())
        })
        .filter(|(k, _)| ["person", "recruiter", "address"].contains(&k.as_str()))
        .collect();
    assert!(
        entities.iter().any(|(k, _)| k == "recruiter"),
        "the site's recruiter is not in the network: {entities:?}"
    );
    assert!(
        entities.iter().all(|(_, id)| is_pseudonym(id)),
        "{entities:?}"
    );

    o.assert_nothing_leaked(&[
        "audit.jsonl",
        "plan.csv",
        "plan.json",
        "network-csv/nodes.csv",
        "network-csv/edges.csv",
        "groups-csv/nodes.csv",
        "network.graphml",
        "network.txt",
    ]);
}

/// `train` and `evaluate` need hundreds of inspections: the canary rows are
/// appended to a generated data set, and go through training with it.
#[test]
fn no_canary_escapes_training_evaluation_or_the_model_card() {
    let world = tempdir();
    generate(
        &GenerateParams {
            sites: 3000,
            seed: 21,
            ..GenerateParams::default()
        },
        world.path(),
    )
    .unwrap();
    append_canaries(world.path());
    let w = s(world.path());
    let mut o = Outputs::new();
    let model = o.path("model.json");
    let r = o.rejects();
    let train = o.run(
        &[
            "train",
            "--data",
            &w,
            "--rejects",
            &r,
            "--learner",
            "logistic",
            "--bootstrap",
            "20",
            "--out",
            &model,
        ],
        0,
    );
    assert!(
        train.stderr.contains("rejected: permits.csv"),
        "the canary rows were not read\n{}",
        train.context()
    );
    for format in ["table", "json"] {
        let r = o.rejects();
        o.run(
            &[
                "evaluate",
                "--data",
                &w,
                "--rejects",
                &r,
                "--learner",
                "logistic",
                "--bootstrap",
                "20",
                "--format",
                format,
            ],
            0,
        );
    }
    // The card of that model, alone and with the fairness audit on the
    // canary folder; the fairness audit with it.
    let data = canary_copy();
    let d = s(data.path());
    o.run(&["card", "--model", &model], 0);
    let card = o.path("card.txt");
    o.run(
        &[
            "card",
            "--model",
            &model,
            "--data",
            &d,
            "--bootstrap",
            "10",
            "--out",
            &card,
        ],
        0,
    );
    let r = o.rejects();
    o.run(
        &[
            "fairness",
            "--data",
            &d,
            "--model",
            &model,
            "--rejects",
            &r,
            "--bootstrap",
            "10",
            "--format",
            "json",
        ],
        0,
    );
    o.assert_nothing_leaked(&["model.json", "card.txt", "rejects-1/permits.csv"]);
}

/// Appends the canary rows to each table of a generated folder (by column
/// name: the generator writes the canonical columns).
fn append_canaries(dir: &Path) {
    let canary = fixture("canary");
    for t in ALL_TABLES {
        let name = format!("{t}.csv");
        let target = dir.join(&name);
        let mut text = std::fs::read_to_string(&target).unwrap();
        let header: Vec<String> = csv::Reader::from_reader(text.as_bytes())
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        let mut rdr = csv::Reader::from_path(canary.join(&name)).unwrap();
        let canary_header = rdr.headers().unwrap().clone();
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        for record in rdr.records() {
            let record = record.unwrap();
            let row: Vec<&str> = header
                .iter()
                .map(|h| {
                    canary_header
                        .iter()
                        .position(|c| c == h)
                        .and_then(|i| record.get(i))
                        .unwrap_or("")
                })
                .collect();
            w.write_record(row).unwrap();
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&String::from_utf8(w.into_inner().unwrap()).unwrap());
        std::fs::write(&target, text).unwrap();
    }
}

// ------------------------------------------------------------------ TUI

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// The screen as text, one line per row.
fn screen(app: &App) -> String {
    let (w, h) = (240, 200);
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::render(f, app)).unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Selects a site by searching for its id.
fn select(app: &mut App, id: &str) {
    press(app, KeyCode::Char('/'));
    typed(app, id);
    press(app, KeyCode::Enter);
    assert_eq!(
        app.selected().map(|r| r.site_id.as_str()),
        Some(id),
        "search selects {id}"
    );
}

#[test]
fn no_canary_escapes_the_tui_screens_or_its_export() {
    let data = canary_copy();
    let out = tempdir();
    let compiled = compile(Catalogue::bundled().unwrap()).unwrap();
    let opts = LoadOptions {
        as_of: Some(as_of()),
        rejects_dir: Some(out.path().join("rejects")),
        pseudonym_key: Some(key()),
        ..LoadOptions::default()
    };
    let scored = load_and_assess(data.path(), opts, compiled, Some(as_of())).unwrap();
    let model =
        ModelFile::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("models/risk_model.json"))
            .unwrap();
    let scored = scored.with_model(model).unwrap();
    let export = out.path().join("export");
    let mut app = App::new(
        scored,
        AppOptions {
            dataset: s(data.path()),
            export_dir: export.clone(),
            capacity: 20,
            audit: Some(tilsyn::audit::AuditContext {
                log: out.path().join("audit.jsonl"),
                user: "inspector-7".into(),
                model_sha256: None,
            }),
        },
    );
    let mut screens: Vec<(&str, String)> = vec![("ranking", screen(&app))];
    select(&mut app, SITE_WITH_NOTES);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Detail);
    screens.push(("detail", screen(&app)));
    press(&mut app, KeyCode::Char('o'));
    assert!(app.show_notes());
    let notes = screen(&app);
    assert!(notes.contains("timer/uge"), "{notes}");
    screens.push(("detail with notes", notes));
    press(&mut app, KeyCode::Char('w'));
    app.wait_for_background();
    assert_eq!(app.screen(), Screen::Network);
    screens.push(("network", screen(&app)));
    press(&mut app, KeyCode::Esc);
    for (name, c) in [
        ("map", 'm'),
        ("insights", 'i'),
        ("plan", 'p'),
        ("help", '?'),
    ] {
        press(&mut app, KeyCode::Char(c));
        screens.push((name, screen(&app)));
    }
    // The export: the recommendation plus one site added with a reason.
    press(&mut app, KeyCode::Char('r'));
    assert_eq!(app.screen(), Screen::Ranking);
    select(&mut app, SITE_WITH_NOTES);
    press(&mut app, KeyCode::Char(' '));
    typed(&mut app, "tip from the union");
    press(&mut app, KeyCode::Enter);
    assert!(!app.plan_view().is_empty(), "nothing to export");
    press(&mut app, KeyCode::Char('e'));
    let message = app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(message.contains("exported"), "{message}");
    screens.push(("after the export", screen(&app)));
    for (name, text) in &screens {
        let found = leaks(text.as_bytes());
        assert!(
            found.is_empty(),
            "the {name} screen shows {found:?}:\n{text}"
        );
    }
    let (files, found) = walk(out.path());
    for stem in ["csv", "json"] {
        let p = export.join(format!("tilsyn-plan-{AS_OF}.{stem}"));
        assert!(files.contains(&p), "{} not written: {files:?}", p.display());
    }
    assert!(files.contains(&out.path().join("audit.jsonl")), "{files:?}");
    assert!(found.is_empty(), "{found:#?}");
}

/// The commands around a visit: a joint plan with its briefings, the
/// checklist and its form, the form recorded back and the CMM referral, and
/// permit screening of applications that name people raw.
#[test]
fn no_canary_escapes_joint_plans_visits_or_screening() {
    let data = canary_copy();
    let d = s(data.path());
    let mut o = Outputs::new();
    let log = o.log();

    // A joint plan, bundled into days, as CSV and JSON, with briefings.
    let briefings = o.path("briefings");
    for out in ["joint.csv", "joint.json"] {
        let r = o.rejects();
        let out = o.path(out);
        o.run(
            &[
                "plan",
                "--data",
                &d,
                "--as-of",
                AS_OF,
                "--rejects",
                &r,
                "--capacity",
                "5",
                "--agencies",
                "AT,SKAT,POLICE",
                "--days",
                "2",
                "--visits-per-day",
                "2",
                "--briefing",
                &briefings,
                "--audit-log",
                &log,
                "--out",
                &out,
            ],
            0,
        );
    }
    let written = std::fs::read_dir(&briefings).unwrap().count();
    assert!(written > 0, "no briefing written");

    // The checklist of the site whose notes name identifiers, and its form.
    for site in [SITE_WITH_NOTES, SITE_OF_JENS] {
        let r = o.rejects();
        let md = o.path(&format!("checklist-{site}.md"));
        let form = o.path(&format!("form-{site}.toml"));
        o.run(
            &[
                "visit",
                "checklist",
                "--site",
                site,
                "--data",
                &d,
                "--as-of",
                AS_OF,
                "--rejects",
                &r,
                "--out",
                &md,
                "--form",
                &form,
            ],
            0,
        );
    }
    // Fill the form as an inspector would, with identifiers in the note.
    let form_path = o.path(&format!("form-{SITE_OF_JENS}.toml"));
    let mut form: toml::Table = std::fs::read_to_string(&form_path)
        .unwrap()
        .parse()
        .unwrap();
    let visit = form.get_mut("visit").unwrap().as_table_mut().unwrap();
    for (k, v) in [
        ("inspection_id", "JOINT-C-0001"),
        ("date", "2026-06-20"),
        ("agency", "JOINT"),
        ("trigger", "tip"),
        ("outcome", "referral_cmm"),
    ] {
        visit.insert(k.into(), toml::Value::String(v.into()));
    }
    let answers = form.get_mut("answers").unwrap().as_table_mut().unwrap();
    let id = answers.keys().next().unwrap().clone();
    let first = answers.get_mut(&id).unwrap().as_table_mut().unwrap();
    first.insert("answer".into(), toml::Value::String("yes".into()));
    first.insert("workers".into(), toml::Value::Integer(2));
    first.insert(
        "note".into(),
        toml::Value::String("Pas XA9876543 hos formanden, cpr 010190-1234, tlf 20304050".into()),
    );
    let filled = data.path().join("filled.toml");
    std::fs::write(&filled, toml::to_string(&form).unwrap()).unwrap();
    let filled = s(&filled);
    let recorded = o.path("recorded");
    o.run(
        &[
            "visit", "record", "--form", &filled, "--data", &d, "--as-of", AS_OF, "--out",
            &recorded,
        ],
        0,
    );
    let referral = o.path("referral.md");
    o.run(
        &[
            "visit", "referral", "--form", &filled, "--data", &d, "--as-of", AS_OF, "--out",
            &referral,
        ],
        0,
    );
    o.run(
        &[
            "visit", "referral", "--form", &filled, "--data", &d, "--as-of", AS_OF,
        ],
        0,
    );

    // Screening: pending applications that name the person, the recruiter
    // and the planned housing raw (the pending file sits with the input).
    let pending = data.path().join("pending.csv");
    std::fs::write(
        &pending,
        "permit_id,person_id,site_id,scheme,start_date,end_date,stated_monthly_pay_dkk,stated_weekly_hours,employer_housing,employer_bound,recruiter_id,nationality\n\
         SIRI-C-0001,Jens Peter Canary,1000000001,pay_limit,2026-08-01,2028-07-31,48000,37,true,false,Canary Rekruttering ApS Jensen,UKR\n",
    )
    .unwrap();
    let pending = s(&pending);
    for format in ["table", "json"] {
        let r = o.rejects();
        o.run(
            &[
                "screen",
                "--data",
                &d,
                "--as-of",
                AS_OF,
                "--rejects",
                &r,
                "--permit",
                &pending,
                "--housing",
                "Canaryvej 12, 2. th",
                "--format",
                format,
            ],
            0,
        );
    }
    o.assert_nothing_leaked(&[
        "joint.csv",
        "joint.json",
        "referral.md",
        "recorded/inspections.csv",
        "recorded/findings.csv",
    ]);
    let findings = std::fs::read_to_string(o.path("recorded/findings.csv")).unwrap();
    assert!(
        findings.contains("[document no.]") && findings.contains("[phone]"),
        "the recorded note is masked: {findings}"
    );
}
