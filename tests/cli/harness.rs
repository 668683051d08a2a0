//! Runs the built `tilsyn` binary and reads what it wrote: exit code,
//! stdout, stderr, the `--format json` report and the rejects files.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The fixture folders.
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// The canonical tables in load order.
pub const ALL_TABLES: [&str; 9] = [
    "sites",
    "permits",
    "postings",
    "payroll",
    "residences",
    "inspections",
    "findings",
    "tips",
    "roles",
];

/// The analysis date every test passes, so nothing depends on today.
pub const AS_OF: &str = "2026-06-30";

/// The environment variable holding the pseudonymisation key.
pub const KEY_VAR: &str = "TILSYN_PSEUDONYM_KEY";

/// The key every run gets unless the test sets another, or `""` for none.
/// Fixture folders name people by readable ids (`pA`, `w11`), as a source
/// system would, and personal columns load only as pseudonyms: without a
/// key such a folder is refused.
pub const TEST_KEY: &str = "harness-pseudonym-key-0123456789";

/// The environment entry that runs without a key.
pub const NO_KEY: (&str, &str) = (KEY_VAR, "");

/// [`TEST_KEY`] for tests that load a folder through the library.
pub fn test_key() -> tilsyn::data::pseudonym::PseudonymKey {
    tilsyn::data::pseudonym::PseudonymKey::new(TEST_KEY.as_bytes()).expect("a valid key")
}

/// Load options with [`TEST_KEY`], for fixture folders loaded through the
/// library.
pub fn keyed_options() -> tilsyn::data::LoadOptions {
    tilsyn::data::LoadOptions {
        pseudonym_key: Some(test_key()),
        ..tilsyn::data::LoadOptions::default()
    }
}

/// The pseudonym of a fixture's readable id under [`TEST_KEY`]: what every
/// output shows for it.
pub fn pn(raw: &str) -> String {
    test_key().pseudonym(raw)
}

/// A fixture folder or file, e.g. `fixture("bad/bom")`.
pub fn fixture(rel: &str) -> PathBuf {
    let p = Path::new(FIXTURES).join(rel);
    assert!(
        p.exists(),
        "fixture {} is missing (rebuild with python3 tests/fixtures/generate.py)",
        p.display()
    );
    p
}

/// A fresh temporary folder, removed when dropped.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("cannot create a temporary folder")
}

/// What one run of the binary gave.
#[derive(Debug)]
pub struct Run {
    /// The arguments, for messages.
    pub args: Vec<String>,
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Everything on stdout.
    pub stdout: String,
    /// Everything on stderr.
    pub stderr: String,
}

impl Run {
    /// The command, exit code, stdout and stderr, for assertion messages.
    pub fn context(&self) -> String {
        format!(
            "$ tilsyn {}\nexit code: {}\n--- stdout ---\n{}\n--- stderr ---\n{}\n--------------",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }

    /// Asserts the exit code.
    pub fn assert_code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code,
            expected,
            "unexpected exit code\n{}",
            self.context()
        );
        self
    }

    /// Asserts that stderr contains every one of `needles`.
    pub fn assert_stderr_contains(&self, needles: &[&str]) -> &Self {
        for n in needles {
            assert!(
                self.stderr.contains(n),
                "stderr does not contain {n:?}\n{}",
                self.context()
            );
        }
        self
    }

    /// Asserts that stderr has a line containing every one of `needles`
    /// (so a file, a line number and a column are named together).
    pub fn assert_stderr_line(&self, needles: &[&str]) -> &Self {
        let found = self
            .stderr
            .lines()
            .any(|l| needles.iter().all(|n| l.contains(n)));
        assert!(
            found,
            "no stderr line contains all of {needles:?}\n{}",
            self.context()
        );
        self
    }

    /// Asserts a fatal load: exit 1, nothing on stdout, an `error:` line on
    /// stderr that contains every one of `needles`.
    pub fn assert_fatal(&self, needles: &[&str]) -> &Self {
        self.assert_code(1);
        assert!(
            self.stdout.trim().is_empty(),
            "a failed load must print nothing on stdout\n{}",
            self.context()
        );
        let mut all = vec!["error: "];
        all.extend_from_slice(needles);
        self.assert_stderr_line(&all)
    }

    /// Asserts that neither stdout nor stderr contains `needle`.
    pub fn assert_not_printed(&self, needle: &str) -> &Self {
        assert!(
            !self.stdout.contains(needle),
            "stdout contains {needle:?}\n{}",
            self.context()
        );
        assert!(
            !self.stderr.contains(needle),
            "stderr contains {needle:?}\n{}",
            self.context()
        );
        self
    }

    /// stdout parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{}", self.context()))
    }

    /// The `--format json` report's entry for one table.
    pub fn table(&self, name: &str) -> Value {
        let report = self.json();
        let tables = report["tables"]
            .as_array()
            .unwrap_or_else(|| panic!("the report has no `tables` array\n{}", self.context()));
        tables
            .iter()
            .find(|t| t["table"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("the report has no table `{name}`\n{}", self.context()))
    }

    /// Asserts a table's (rows_read, rows_loaded, rows_rejected).
    pub fn assert_rows(&self, table: &str, read: u64, loaded: u64, rejected: u64) -> &Self {
        let t = self.table(table);
        let got = (
            t["rows_read"].as_u64(),
            t["rows_loaded"].as_u64(),
            t["rows_rejected"].as_u64(),
        );
        assert_eq!(
            got,
            (Some(read), Some(loaded), Some(rejected)),
            "(rows_read, rows_loaded, rows_rejected) of `{table}`\n{}",
            self.context()
        );
        self
    }

    /// Asserts that a table is `loaded` or `absent`.
    pub fn assert_status(&self, table: &str, status: &str) -> &Self {
        let t = self.table(table);
        assert_eq!(
            t["status"],
            status,
            "status of `{table}`\n{}",
            self.context()
        );
        self
    }

    /// The reject samples of a table in the JSON report.
    pub fn samples(&self, table: &str) -> Vec<Value> {
        self.table(table)["samples"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

/// The audit log of test runs that do not name one, so that tests never
/// write to the user's own log (one file per test process).
pub fn test_audit_log() -> PathBuf {
    std::env::temp_dir().join(format!("tilsyn-test-audit-{}.jsonl", std::process::id()))
}

/// Runs `tilsyn` with `args`; `TILSYN_PSEUDONYM_KEY` is [`TEST_KEY`],
/// `TILSYN_AUDIT_LOG` points at [`test_audit_log`], then `env` is set
/// (`(KEY_VAR, "")` runs without a key).
pub fn run_tilsyn<I, S>(args: I, env: &[(&str, &str)]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<OsString> = args
        .into_iter()
        .map(|a| a.as_ref().to_os_string())
        .collect();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tilsyn"));
    cmd.args(&args)
        .env(KEY_VAR, TEST_KEY)
        .env("TILSYN_AUDIT_LOG", test_audit_log());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", env!("CARGO_BIN_EXE_tilsyn")));
    Run {
        args: args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `tilsyn validate --data DATA --as-of 2026-06-30 --out OUT --format FORMAT EXTRA...`.
pub fn validate_format(
    format: &str,
    data: &Path,
    out: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Run {
    let mut args: Vec<OsString> = vec![
        "validate".into(),
        "--data".into(),
        data.as_os_str().to_os_string(),
        "--as-of".into(),
        AS_OF.into(),
        "--out".into(),
        out.as_os_str().to_os_string(),
        "--format".into(),
        format.into(),
    ];
    args.extend(extra.iter().map(|s| OsString::from(*s)));
    run_tilsyn(args, env)
}

/// `tilsyn validate ... --format json`.
pub fn validate(data: &Path, out: &Path, extra: &[&str], env: &[(&str, &str)]) -> Run {
    validate_format("json", data, out, extra, env)
}

/// A rejects file: its header and its rows as column → value.
#[derive(Debug)]
pub struct Rejects {
    /// The file.
    pub path: PathBuf,
    /// The header row.
    pub header: Vec<String>,
    /// The rows, keyed by header.
    pub rows: Vec<BTreeMap<String, String>>,
}

impl Rejects {
    /// The `line` of every row, in file order.
    pub fn lines(&self) -> Vec<u64> {
        self.rows
            .iter()
            .map(|r| {
                r.get("line")
                    .and_then(|l| l.parse::<u64>().ok())
                    .unwrap_or_else(|| {
                        panic!(
                            "{}: a row has no numeric `line`: {r:?}",
                            self.path.display()
                        )
                    })
            })
            .collect()
    }

    /// The row rejected at `line`.
    pub fn at_line(&self, line: u64) -> &BTreeMap<String, String> {
        self.rows
            .iter()
            .find(|r| r.get("line").map(String::as_str) == Some(line.to_string().as_str()))
            .unwrap_or_else(|| {
                panic!(
                    "{}: no rejected row at line {line}: {:#?}",
                    self.path.display(),
                    self.rows
                )
            })
    }
}

/// Reads `OUT/rejects/<table>.csv`.
pub fn read_rejects(out: &Path, table: &str) -> Rejects {
    let path = out.join("rejects").join(format!("{table}.csv"));
    let mut rdr = csv::Reader::from_path(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let header: Vec<String> = rdr
        .headers()
        .unwrap_or_else(|e| panic!("{}: no header: {e}", path.display()))
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows: Vec<BTreeMap<String, String>> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.unwrap_or_else(|e| panic!("{}: unreadable row: {e}", path.display()));
        assert_eq!(
            rec.len(),
            header.len(),
            "{}: a row's width differs from the header's",
            path.display()
        );
        rows.push(
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect(),
        );
    }
    Rejects { path, header, rows }
}

/// The expected header of a rejects file: `line,column,reason` and the
/// table's canonical columns.
pub fn rejects_header(canonical: &[&str]) -> Vec<String> {
    ["line", "column", "reason"]
        .iter()
        .chain(canonical)
        .map(|s| (*s).to_string())
        .collect()
}

/// Every file under `dir` (recursively) whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p)
                && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
            {
                found.push(p);
            }
        }
    }
    found
}

/// Copies the named files of a fixture folder into `dest`.
pub fn copy_files(from: &Path, names: &[&str], dest: &Path) {
    for n in names {
        std::fs::copy(from.join(n), dest.join(n)).unwrap_or_else(|e| {
            panic!(
                "cannot copy {} to {}: {e}",
                from.join(n).display(),
                dest.display()
            )
        });
    }
}
