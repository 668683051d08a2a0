//! `tilsyn import` over the fixture folders (see `docs/import.md`): an
//! imported folder ranks byte for byte as the folder it came from and
//! carries the original report and fingerprint; a changed Parquet file is
//! refused by name; a folder with rejects imports its good rows with the
//! same counts and rejects files as `validate`.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;

use serde_json::Value;

use crate::harness::{
    ALL_TABLES, AS_OF, Run, fixture, read_rejects, run_tilsyn, tempdir, validate,
};

/// `tilsyn import --data DATA --out OUT --as-of 2026-06-30 --format FORMAT`.
fn import(data: &Path, out: &Path, format: &str) -> Run {
    let args: Vec<OsString> = vec![
        "import".into(),
        "--data".into(),
        data.as_os_str().to_os_string(),
        "--out".into(),
        out.as_os_str().to_os_string(),
        "--as-of".into(),
        AS_OF.into(),
        "--format".into(),
        format.into(),
    ];
    run_tilsyn(args, &[])
}

/// `tilsyn rank --data DATA --format csv --scorer rules --as-of 2026-06-30`.
fn rank_csv(data: &Path) -> Run {
    let args: Vec<OsString> = vec![
        "rank".into(),
        "--data".into(),
        data.as_os_str().to_os_string(),
        "--format".into(),
        "csv".into(),
        "--scorer".into(),
        "rules".into(),
        "--as-of".into(),
        AS_OF.into(),
    ];
    run_tilsyn(args, &[])
}

/// The manifest of an imported folder.
fn manifest(dir: &Path) -> Value {
    let path = dir.join("tilsyn-import.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}

/// A table's (status, rows_read, rows_loaded, rows_rejected) in a JSON report.
fn counts(run: &Run, table: &str) -> (Value, Value, Value, Value) {
    let t = run.table(table);
    (
        t["status"].clone(),
        t["rows_read"].clone(),
        t["rows_loaded"].clone(),
        t["rows_rejected"].clone(),
    )
}

#[test]
fn rank_on_an_imported_folder_is_byte_identical_to_rank_on_the_original() {
    let original = fixture("good/full");
    let v_out = tempdir();
    let v = validate(&original, v_out.path(), &[], &[]);
    v.assert_code(0);
    let fingerprint = v.json()["fingerprint"].clone();

    let out = tempdir();
    let imported = out.path().join("full");
    let run = import(&original, &imported, "json");
    run.assert_code(0);
    assert_eq!(
        run.stdout,
        v.stdout,
        "import prints the report validate prints\n{}",
        run.context()
    );

    let m = manifest(&imported);
    assert_eq!(m["format_version"], 1, "{m:#}");
    assert_eq!(m["tilsyn_version"], env!("CARGO_PKG_VERSION"), "{m:#}");
    assert_eq!(m["fingerprint"], fingerprint, "{m:#}");
    let tables = m["tables"].as_array().cloned().unwrap_or_default();
    assert_eq!(tables.len(), 9, "{m:#}");
    for t in &tables {
        let name = t["table"].as_str().unwrap_or_default();
        let file = format!("{name}.parquet");
        assert_eq!(t["file"], file.as_str(), "{m:#}");
        assert!(imported.join(&file).is_file(), "{file} was not written");
        let sha = t["sha256"].as_str().unwrap_or_default();
        assert!(
            sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
            "{name}: sha256 {sha:?}"
        );
        assert_eq!(t["rows"], v.table(name)["rows_loaded"], "{name}");
    }

    let a = rank_csv(&original);
    a.assert_code(0);
    let b = rank_csv(&imported);
    b.assert_code(0);
    assert!(
        a.stdout.lines().count() > 1,
        "rank printed no sites\n{}",
        a.context()
    );
    assert_eq!(
        a.stdout,
        b.stdout,
        "rank on the import differs from rank on the original\n{}\n{}",
        a.context(),
        b.context()
    );

    // Loading the import gives the original report and fingerprint.
    let w_out = tempdir();
    let w = validate(&imported, w_out.path(), &[], &[]);
    w.assert_code(0);
    let j = w.json();
    assert_eq!(j["fingerprint"], fingerprint, "{}", w.context());
    assert_eq!(
        j["data_dir"],
        imported.to_string_lossy().into_owned(),
        "{}",
        w.context()
    );
    assert_eq!(
        j["imported_from"],
        original.to_string_lossy().into_owned(),
        "{}",
        w.context()
    );
    assert!(
        v.json().get("imported_from").is_none(),
        "a plain load has no imported_from\n{}",
        v.context()
    );
    for table in ALL_TABLES {
        assert_eq!(
            counts(&w, table),
            counts(&v, table),
            "`{table}`\n{}",
            w.context()
        );
    }
}

#[test]
fn a_changed_parquet_file_is_refused_naming_the_file() {
    let out = tempdir();
    let imported = out.path().join("full");
    let run = import(&fixture("good/full"), &imported, "table");
    run.assert_code(0);
    for needle in ["rejected rows: 0", "imported to:", "permits.parquet"] {
        assert!(
            run.stdout.contains(needle),
            "stdout lacks {needle:?}\n{}",
            run.context()
        );
    }

    let path = imported.join("permits.parquet");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    f.write_all(b"\0").unwrap();
    drop(f);

    let rank = rank_csv(&imported);
    assert_ne!(
        rank.code,
        0,
        "a changed file must stop rank\n{}",
        rank.context()
    );
    assert!(
        rank.stdout.trim().is_empty(),
        "nothing is ranked from a changed import\n{}",
        rank.context()
    );
    rank.assert_stderr_line(&["error: ", "permits.parquet", "tilsyn import"]);

    let v_out = tempdir();
    validate(&imported, v_out.path(), &[], &[]).assert_fatal(&[
        "permits.parquet",
        "changed",
        "tilsyn import",
    ]);
}

#[test]
fn a_folder_with_rejects_imports_its_good_rows_with_the_counts_of_validate() {
    let dir = fixture("bad/negative_pay");
    let v_out = tempdir();
    let v = validate(&dir, v_out.path(), &[], &[]);
    v.assert_code(1).assert_rows("payroll", 3, 2, 1);

    let out = tempdir();
    let imported = out.path().join("negative_pay");
    let run = import(&dir, &imported, "json");
    run.assert_code(1).assert_rows("payroll", 3, 2, 1);
    for table in ALL_TABLES {
        assert_eq!(
            counts(&run, table),
            counts(&v, table),
            "`{table}`\n{}",
            run.context()
        );
    }
    run.assert_stderr_line(&[
        "rejected: payroll.csv: line 3: column 'gross_pay_dkk':",
        "negative",
    ]);
    let a = read_rejects(v_out.path(), "payroll");
    let b = read_rejects(&imported, "payroll");
    assert_eq!(a.header, b.header);
    assert_eq!(a.rows, b.rows);

    // The import holds the two good payroll rows.
    let m = manifest(&imported);
    let payroll = m["tables"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["table"] == "payroll"))
        .cloned()
        .unwrap_or_else(|| panic!("no payroll in the manifest: {m:#}"));
    assert_eq!(payroll["rows"], 2, "{m:#}");
    assert!(imported.join("payroll.parquet").is_file());

    // Loading the import keeps the counts and rejects nothing again.
    let w_out = tempdir();
    let w = validate(&imported, w_out.path(), &[], &[]);
    w.assert_code(1).assert_rows("payroll", 3, 2, 1);
    w.assert_stderr_contains(&["rejected when it was imported"]);
    assert!(
        !w_out.path().join("rejects").exists(),
        "no row is rejected again\n{}",
        w.context()
    );
}
