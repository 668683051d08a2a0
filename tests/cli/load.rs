//! `tilsyn validate` over the fixture folders in `tests/fixtures/good` and
//! `tests/fixtures/bad` (see `tests/fixtures/bad/README.md`): exit codes,
//! messages that name the file, line and column, rows kept and rejected,
//! the rejects files, and raw personal identifiers never leaking.

use std::path::Path;

use serde_json::json;
use tilsyn::data::parse::parse_date;
use tilsyn::data::pseudonym::PseudonymKey;
use tilsyn::data::{LoadOptions, Table, load_folder};

use crate::harness::{
    ALL_TABLES, AS_OF, KEY_VAR, NO_KEY, Run, copy_files, files_containing, fixture, read_rejects,
    rejects_header, tempdir, validate, validate_format,
};

const SITES_COLUMNS: [&str; 13] = [
    "site_id",
    "company_id",
    "name",
    "address",
    "postcode",
    "municipality_code",
    "lat",
    "lon",
    "sector_code",
    "employees",
    "company_founded",
    "legal_form",
    "smiley",
];

const PERMITS_COLUMNS: [&str; 12] = [
    "permit_id",
    "person_id",
    "site_id",
    "scheme",
    "start_date",
    "end_date",
    "stated_monthly_pay_dkk",
    "stated_weekly_hours",
    "employer_housing",
    "employer_bound",
    "recruiter_id",
    "nationality",
];

const PAYROLL_COLUMNS: [&str; 6] = [
    "site_id",
    "person_id",
    "month",
    "gross_pay_dkk",
    "hours_paid",
    "paid_to_own_account",
];

const INSPECTIONS_COLUMNS: [&str; 8] = [
    "inspection_id",
    "site_id",
    "date",
    "agency",
    "trigger",
    "selection_probability",
    "outcome",
    "scope",
];

/// The raw CPR numbers in the `raw_cpr_*` fixtures, with and without the dash.
const RAW_CPR: [&str; 4] = ["010190-1234", "0101901234", "120385-4321", "1203854321"];

/// A pseudonymisation key long enough to be accepted.
const KEY: &str = "0123456789abcdef0123";

/// Asserts that no raw CPR number is on stdout, stderr or in any file under `out`.
fn assert_no_raw_cpr(run: &Run, out: &Path) {
    for raw in RAW_CPR {
        run.assert_not_printed(raw);
        let files = files_containing(out, raw);
        assert!(
            files.is_empty(),
            "the raw identifier {raw:?} was written to {files:?}\n{}",
            run.context()
        );
    }
}

/// Whether `s` is a pseudonym as tilsyn writes them: `p` and 20 lower-case hex digits.
fn is_pseudonym(s: &str) -> bool {
    s.len() == 21
        && s.starts_with('p')
        && s[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The `permits.person_id` values of a folder loaded through the library
/// with `key`, in row order: what every command works on.
fn loaded_permit_holders(dir: &Path, key: &PseudonymKey) -> Vec<String> {
    let rejects = tempdir();
    let ds = load_folder(
        dir,
        &LoadOptions {
            as_of: Some(parse_date(AS_OF).unwrap()),
            rejects_dir: Some(rejects.path().join("rejects")),
            pseudonym_key: Some(key.clone()),
            ..LoadOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    ds.get(Table::Permits)
        .unwrap_or_else(|| panic!("{}: no permits loaded", dir.display()))
        .column("person_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or_default().to_string())
        .collect()
}

/// Asserts that the raw CPR numbers of the `raw_cpr_*` fixtures load as
/// their keyed pseudonyms. A clean `validate` prints no row values and
/// writes no file, so its output alone would pass even if nothing were
/// hashed: the loaded values themselves are checked.
fn assert_loaded_as_pseudonyms(dir: &Path) {
    let key = PseudonymKey::new(KEY.as_bytes()).unwrap();
    let loaded = loaded_permit_holders(dir, &key);
    let expected: Vec<String> = ["010190-1234", "120385-4321"]
        .iter()
        .map(|raw| key.pseudonym(raw))
        .collect();
    assert_eq!(
        loaded,
        expected,
        "{}: person_id must hold the keyed pseudonyms of the raw numbers",
        dir.display()
    );
    assert!(
        loaded.iter().all(|p| is_pseudonym(p.as_str())),
        "{loaded:?}"
    );
    for raw in RAW_CPR {
        assert!(
            loaded.iter().all(|p| !p.contains(raw)),
            "{raw} was loaded: {loaded:?}"
        );
    }
}

/// Asserts a clean load: exit 0, no `rejected:` lines, no rejects folder.
fn assert_clean(run: &Run, out: &Path) {
    run.assert_code(0);
    assert!(
        !run.stderr.contains("rejected:"),
        "a clean load printed rejects\n{}",
        run.context()
    );
    assert!(
        run.json()["rejects_dir"].is_null(),
        "rejects_dir must be null on a clean load\n{}",
        run.context()
    );
    assert!(
        !out.join("rejects").exists(),
        "a clean load created {}\n{}",
        out.join("rejects").display(),
        run.context()
    );
}

// ------------------------------------------------------------------ good

#[test]
fn good_minimal_loads_its_three_sites_and_reports_the_other_tables_absent() {
    let out = tempdir();
    let run = validate(&fixture("good/minimal"), out.path(), &[], &[]);
    assert_clean(&run, out.path());
    run.assert_status("sites", "loaded")
        .assert_rows("sites", 3, 3, 0);
    for t in &ALL_TABLES[1..] {
        run.assert_status(t, "absent").assert_rows(t, 0, 0, 0);
    }
    let report = run.json();
    assert_eq!(report["as_of_limit"], AS_OF, "{}", run.context());
    let order: Vec<&str> = report["tables"]
        .as_array()
        .map(|ts| ts.iter().filter_map(|t| t["table"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        order,
        ALL_TABLES,
        "the report lists every table in load order\n{}",
        run.context()
    );
    let sites = run.table("sites");
    assert_eq!(sites["absent_columns"], json!([]), "{}", run.context());
    assert_eq!(sites["ignored_columns"], json!([]), "{}", run.context());
    assert_eq!(sites["dialect"]["encoding"], "utf8", "{}", run.context());
    assert_eq!(sites["dialect"]["delimiter"], ",", "{}", run.context());
    assert_eq!(sites["dialect"]["gzip"], false, "{}", run.context());
    assert!(
        sites["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("sites.csv")),
        "the report names the file\n{}",
        run.context()
    );
}

#[test]
fn good_full_loads_all_nine_tables_with_no_rejects() {
    let out = tempdir();
    let dir = fixture("good/full");
    let run = validate(&dir, out.path(), &[], &[]);
    assert_clean(&run, out.path());
    let expected = [
        ("sites", 5),
        ("permits", 3),
        ("postings", 2),
        ("payroll", 4),
        ("residences", 3),
        ("inspections", 4),
        ("findings", 3),
        ("tips", 3),
        ("roles", 3),
    ];
    for (table, n) in expected {
        run.assert_status(table, "loaded")
            .assert_rows(table, n, n, 0);
        let t = run.table(table);
        assert_eq!(
            t["absent_columns"],
            json!([]),
            "`{table}` has every column\n{}",
            run.context()
        );
        assert_eq!(
            t["ignored_columns"],
            json!([]),
            "`{table}` has no extra column\n{}",
            run.context()
        );
        assert_eq!(
            t["dialect"]["encoding"],
            "utf8",
            "`{table}`\n{}",
            run.context()
        );
        assert_eq!(
            t["dialect"]["delimiter"],
            ",",
            "`{table}`\n{}",
            run.context()
        );
    }
    let fingerprint = run.json()["fingerprint"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_default();
    assert!(
        fingerprint.len() == 64 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
        "fingerprint must be a SHA-256 in hex, got {fingerprint:?}\n{}",
        run.context()
    );
    let out2 = tempdir();
    let again = validate(&dir, out2.path(), &[], &[]);
    again.assert_code(0);
    assert_eq!(
        again.json()["fingerprint"],
        fingerprint.as_str(),
        "the same input gives the same fingerprint\n{}",
        again.context()
    );
}

#[test]
fn good_full_as_a_table_reports_zero_rejected_rows() {
    let out = tempdir();
    let run = validate_format("table", &fixture("good/full"), out.path(), &[], &[]);
    run.assert_code(0);
    for needle in [
        "sites",
        "permits",
        "roles",
        "rejected rows: 0",
        "fingerprint:",
        AS_OF,
    ] {
        assert!(
            run.stdout.contains(needle),
            "stdout lacks {needle:?}\n{}",
            run.context()
        );
    }
}

#[test]
fn good_agency_export_loads_through_its_mapping_with_zero_rejects() {
    let out = tempdir();
    let run = validate(&fixture("good/agency_export"), out.path(), &[], &[]);
    assert_clean(&run, out.path());
    run.assert_rows("sites", 4, 4, 0)
        .assert_rows("permits", 3, 3, 0)
        .assert_rows("inspections", 4, 4, 0);
    for t in [
        "postings",
        "payroll",
        "residences",
        "findings",
        "tips",
        "roles",
    ] {
        run.assert_status(t, "absent");
    }
    let report = run.json();
    assert!(
        report["mapping"]
            .as_str()
            .is_some_and(|m| m.ends_with("tilsyn.toml")),
        "the folder's tilsyn.toml is used and reported\n{}",
        run.context()
    );

    let sites = run.table("sites");
    assert_eq!(
        sites["dialect"]["encoding"],
        "windows1252",
        "{}",
        run.context()
    );
    assert_eq!(sites["dialect"]["delimiter"], ";", "{}", run.context());
    assert_eq!(
        sites["absent_columns"],
        json!([]),
        "every sites column is mapped\n{}",
        run.context()
    );
    assert_eq!(
        sites["ignored_columns"],
        json!(["Bemærkning"]),
        "the unmapped Danish header is reported, decoded from Windows-1252\n{}",
        run.context()
    );

    let permits = run.table("permits");
    assert_eq!(
        permits["dialect"]["encoding"],
        "windows1252",
        "detected without a setting\n{}",
        run.context()
    );
    assert_eq!(
        permits["dialect"]["delimiter"],
        ";",
        "sniffed\n{}",
        run.context()
    );
    assert_eq!(permits["absent_columns"], json!([]), "{}", run.context());
    assert_eq!(permits["ignored_columns"], json!([]), "{}", run.context());

    let inspections = run.table("inspections");
    assert!(
        inspections["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("tilsynsbesoeg.csv")),
        "inspections come from the file named in the mapping\n{}",
        run.context()
    );
    assert_eq!(
        inspections["dialect"]["encoding"],
        "windows1252",
        "{}",
        run.context()
    );
    assert_eq!(
        inspections["absent_columns"],
        json!(["scope"]),
        "agency comes from a constant; the export does not say what its visits looked for\n{}",
        run.context()
    );
}

#[test]
fn agency_export_needs_its_mapping_and_accepts_it_from_the_mapping_option() {
    let fixture_dir = fixture("good/agency_export");
    let data = tempdir();
    copy_files(
        &fixture_dir,
        &["sites.csv", "permits.csv", "tilsynsbesoeg.csv"],
        data.path(),
    );

    let out = tempdir();
    let run = validate(data.path(), out.path(), &[], &[]);
    run.assert_fatal(&["sites.csv: line 1:", "'site_id'"]);

    let out = tempdir();
    let mapping = fixture_dir.join("tilsyn.toml");
    let mapping = mapping.to_str().expect("the fixture path is UTF-8");
    let run = validate(data.path(), out.path(), &["--mapping", mapping], &[]);
    assert_clean(&run, out.path());
    run.assert_rows("sites", 4, 4, 0)
        .assert_rows("permits", 3, 3, 0)
        .assert_rows("inspections", 4, 4, 0);
    assert_eq!(run.json()["mapping"], mapping, "{}", run.context());
}

#[test]
fn good_parquet_loads_typed_columns() {
    let out = tempdir();
    let run = validate(&fixture("good/parquet"), out.path(), &[], &[]);
    assert_clean(&run, out.path());
    run.assert_rows("sites", 3, 3, 0);
    let sites = run.table("sites");
    assert!(
        sites["dialect"].is_null(),
        "Parquet has no CSV dialect\n{}",
        run.context()
    );
    assert_eq!(
        sites["absent_columns"],
        json!(["address", "legal_form"]),
        "{}",
        run.context()
    );
    assert!(
        sites["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("sites.parquet")),
        "{}",
        run.context()
    );
}

#[test]
fn good_gzip_loads_a_compressed_csv() {
    let out = tempdir();
    let run = validate(&fixture("good/gzip"), out.path(), &[], &[]);
    assert_clean(&run, out.path());
    run.assert_rows("sites", 3, 3, 0);
    let sites = run.table("sites");
    assert_eq!(sites["dialect"]["gzip"], true, "{}", run.context());
    assert_eq!(sites["dialect"]["encoding"], "utf8", "{}", run.context());
    assert!(
        sites["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("sites.csv.gz")),
        "{}",
        run.context()
    );
}

// ------------------------------------------------------------------ dialects that must load

#[test]
fn latin1_semicolon_decimal_comma_loads_without_a_mapping() {
    let out = tempdir();
    let run = validate(
        &fixture("bad/latin1_semicolon_decimal_comma"),
        out.path(),
        &[],
        &[],
    );
    assert_clean(&run, out.path());
    run.assert_rows("sites", 3, 3, 0);
    let sites = run.table("sites");
    assert_eq!(
        sites["dialect"]["encoding"],
        "windows1252",
        "{}",
        run.context()
    );
    assert_eq!(sites["dialect"]["delimiter"], ";", "{}", run.context());
    assert_eq!(
        sites["ignored_columns"],
        json!(["bemærkning"]),
        "the extra Latin-1 header is decoded, with æ intact\n{}",
        run.context()
    );
    assert_eq!(sites["absent_columns"], json!([]), "{}", run.context());
}

#[test]
fn bom_is_stripped_from_the_first_header() {
    let out = tempdir();
    let run = validate(&fixture("bad/bom"), out.path(), &[], &[]);
    assert_clean(&run, out.path());
    run.assert_rows("sites", 3, 3, 0);
    let sites = run.table("sites");
    assert_eq!(
        sites["dialect"]["encoding"],
        "utf8_bom",
        "{}",
        run.context()
    );
    assert_eq!(
        sites["ignored_columns"],
        json!([]),
        "`site_id` is recognised despite the BOM\n{}",
        run.context()
    );
}

#[test]
fn crlf_line_ends_load() {
    let out = tempdir();
    let run = validate(&fixture("bad/crlf"), out.path(), &[], &[]);
    assert_clean(&run, out.path());
    run.assert_rows("sites", 3, 3, 0);
    let sites = run.table("sites");
    assert_eq!(sites["dialect"]["encoding"], "utf8", "{}", run.context());
    assert_eq!(sites["dialect"]["delimiter"], ",", "{}", run.context());
    assert_eq!(
        sites["ignored_columns"],
        json!([]),
        "no `\\r` is left on the last header\n{}",
        run.context()
    );
}

// ------------------------------------------------------------------ rows rejected

#[test]
fn quoted_newline_shifts_the_line_of_the_bad_row_after_it() {
    let out = tempdir();
    let run = validate(&fixture("bad/quoted_newline"), out.path(), &[], &[]);
    run.assert_code(1).assert_rows("sites", 4, 3, 1);
    run.assert_stderr_line(&[
        "rejected: sites.csv: line 5: column 'employees':",
        "negative",
    ]);
    let samples = run.samples("sites");
    assert_eq!(samples.len(), 1, "{}", run.context());
    assert_eq!(samples[0]["file"], "sites.csv", "{}", run.context());
    assert_eq!(samples[0]["line"], json!(5), "{}", run.context());
    assert_eq!(samples[0]["column"], "employees", "{}", run.context());

    let rejects = read_rejects(out.path(), "sites");
    assert_eq!(
        rejects.header,
        rejects_header(&SITES_COLUMNS),
        "{}",
        run.context()
    );
    assert_eq!(rejects.lines(), vec![5], "{}", run.context());
    let row = rejects.at_line(5);
    assert_eq!(row["column"], "employees", "{}", run.context());
    assert_eq!(row["site_id"], "1000000003", "{}", run.context());
    assert_eq!(row["employees"], "-5", "{}", run.context());
    assert!(
        row["reason"].contains("negative"),
        "{row:?}\n{}",
        run.context()
    );
}

#[test]
fn crlf_bad_row_is_rejected_at_its_true_line_with_its_text_decoded() {
    let out = tempdir();
    let run = validate(&fixture("bad/crlf_bad_row"), out.path(), &[], &[]);
    run.assert_code(1).assert_rows("sites", 4, 3, 1);
    let sites = run.table("sites");
    assert_eq!(
        sites["dialect"]["encoding"],
        "windows1252",
        "{}",
        run.context()
    );
    assert_eq!(sites["dialect"]["delimiter"], ";", "{}", run.context());

    let rejects = read_rejects(out.path(), "sites");
    assert_eq!(rejects.rows.len(), 1, "{}", run.context());
    let row = &rejects.rows[0];
    assert_eq!(row["column"], "employees", "{}", run.context());
    assert_eq!(
        row["name"],
        "Ærøskøbing Fisk & Skaldyr A/S",
        "Windows-1252 text is decoded\n{}",
        run.context()
    );
    assert_eq!(
        rejects.lines(),
        vec![4],
        "the bad row is on line 4 of a CRLF file (header line 1, data lines 2-5)\n{}",
        run.context()
    );
    run.assert_stderr_line(&[
        "rejected: sites.csv: line 4: column 'employees':",
        "negative",
    ]);
}

#[test]
fn invalid_dates_are_rejected_and_the_other_permits_kept() {
    let out = tempdir();
    let run = validate(&fixture("bad/invalid_dates"), out.path(), &[], &[]);
    run.assert_code(1)
        .assert_rows("sites", 3, 3, 0)
        .assert_rows("permits", 4, 2, 2);
    run.assert_stderr_line(&[
        "rejected: permits.csv: line 3: column 'start_date':",
        "31-02-2024",
    ]);
    run.assert_stderr_line(&[
        "rejected: permits.csv: line 4: column 'start_date':",
        "2024-13-01",
    ]);

    let rejects = read_rejects(out.path(), "permits");
    assert_eq!(
        rejects.header,
        rejects_header(&PERMITS_COLUMNS),
        "{}",
        run.context()
    );
    assert_eq!(rejects.lines(), vec![3, 4], "{}", run.context());
    for (line, permit, date) in [
        (3, "SIRI-2024-0002", "31-02-2024"),
        (4, "SIRI-2024-0003", "2024-13-01"),
    ] {
        let row = rejects.at_line(line);
        assert_eq!(row["column"], "start_date", "{}", run.context());
        assert_eq!(row["permit_id"], permit, "{}", run.context());
        assert!(
            row["reason"].contains(date),
            "the reason quotes the value: {row:?}\n{}",
            run.context()
        );
    }
}

#[test]
fn future_dates_are_rejected_after_the_as_of_date_only() {
    let out = tempdir();
    let run = validate(&fixture("bad/future_dates"), out.path(), &[], &[]);
    run.assert_code(1).assert_rows("inspections", 3, 2, 1);
    run.assert_stderr_line(&[
        "rejected: inspections.csv: line 3: column 'date':",
        "after the as-of date",
    ]);

    let rejects = read_rejects(out.path(), "inspections");
    assert_eq!(
        rejects.header,
        rejects_header(&INSPECTIONS_COLUMNS),
        "{}",
        run.context()
    );
    assert_eq!(
        rejects.lines(),
        vec![3],
        "an inspection on the as-of day itself is kept\n{}",
        run.context()
    );
    let row = rejects.at_line(3);
    assert_eq!(row["column"], "date", "{}", run.context());
    assert_eq!(row["inspection_id"], "AT-2026-0002", "{}", run.context());
    assert!(
        row["reason"].contains("after the as-of date"),
        "{row:?}\n{}",
        run.context()
    );
    assert!(
        row["reason"].contains(AS_OF),
        "the reason names the as-of date: {row:?}\n{}",
        run.context()
    );
}

#[test]
fn duplicate_ids_reject_the_second_row_and_name_the_first() {
    let out = tempdir();
    let run = validate(&fixture("bad/duplicate_ids"), out.path(), &[], &[]);
    run.assert_code(1).assert_rows("sites", 4, 3, 1);
    run.assert_stderr_line(&[
        "rejected: sites.csv: line 4: column 'site_id':",
        "duplicate",
        "line 2",
    ]);

    let rejects = read_rejects(out.path(), "sites");
    assert_eq!(rejects.lines(), vec![4], "{}", run.context());
    let row = rejects.at_line(4);
    assert_eq!(row["column"], "site_id", "{}", run.context());
    assert_eq!(row["site_id"], "1000000001", "{}", run.context());
    assert_eq!(
        row["name"],
        "Fiskeeksport Æbelø A/S (dublet)",
        "the second row is the one rejected\n{}",
        run.context()
    );
    assert!(
        row["reason"].contains("duplicate") && row["reason"].contains("line 2"),
        "{row:?}\n{}",
        run.context()
    );
}

#[test]
fn dangling_site_id_is_rejected_and_the_good_permits_kept() {
    let out = tempdir();
    let run = validate(&fixture("bad/dangling_site_id"), out.path(), &[], &[]);
    run.assert_code(1)
        .assert_rows("sites", 3, 3, 0)
        .assert_rows("permits", 3, 2, 1);
    run.assert_stderr_line(&[
        "rejected: permits.csv: line 3: column 'site_id':",
        "1000000099",
    ]);

    let rejects = read_rejects(out.path(), "permits");
    assert_eq!(rejects.lines(), vec![3], "{}", run.context());
    let row = rejects.at_line(3);
    assert_eq!(row["column"], "site_id", "{}", run.context());
    assert_eq!(row["site_id"], "1000000099", "{}", run.context());
}

#[test]
fn negative_pay_is_rejected() {
    let out = tempdir();
    let run = validate(&fixture("bad/negative_pay"), out.path(), &[], &[]);
    run.assert_code(1).assert_rows("payroll", 3, 2, 1);
    run.assert_stderr_line(&[
        "rejected: payroll.csv: line 3: column 'gross_pay_dkk':",
        "negative",
    ]);

    let rejects = read_rejects(out.path(), "payroll");
    assert_eq!(
        rejects.header,
        rejects_header(&PAYROLL_COLUMNS),
        "{}",
        run.context()
    );
    assert_eq!(rejects.lines(), vec![3], "{}", run.context());
    let row = rejects.at_line(3);
    assert_eq!(row["column"], "gross_pay_dkk", "{}", run.context());
    assert!(
        row["reason"].contains("negative"),
        "{row:?}\n{}",
        run.context()
    );
}

#[test]
fn unknown_enum_is_rejected_with_the_allowed_values() {
    let out = tempdir();
    let run = validate(&fixture("bad/unknown_enum"), out.path(), &[], &[]);
    run.assert_code(1).assert_rows("inspections", 3, 2, 1);
    run.assert_stderr_line(&[
        "rejected: inspections.csv: line 3: column 'outcome':",
        "'maybe'",
        "none, guidance, order, prohibition, fine, referral_siri, police_report, referral_cmm, labour_exploitation, forced_labour",
    ]);
    let rejects = read_rejects(out.path(), "inspections");
    assert_eq!(rejects.lines(), vec![3], "{}", run.context());
    assert_eq!(rejects.at_line(3)["column"], "outcome", "{}", run.context());
}

#[test]
fn lat_outside_denmark_is_rejected() {
    let out = tempdir();
    let run = validate(&fixture("bad/lat_outside_denmark"), out.path(), &[], &[]);
    run.assert_code(1).assert_rows("sites", 3, 2, 1);
    run.assert_stderr_line(&["rejected: sites.csv: line 3: column 'lat':", "48.85"]);
    let rejects = read_rejects(out.path(), "sites");
    assert_eq!(rejects.lines(), vec![3], "{}", run.context());
    let row = rejects.at_line(3);
    assert_eq!(row["column"], "lat", "{}", run.context());
    assert_eq!(row["lat"], "48.85", "{}", run.context());
}

#[test]
fn ragged_row_is_rejected_as_a_whole_row() {
    let out = tempdir();
    let run = validate(&fixture("bad/ragged_row"), out.path(), &[], &[]);
    run.assert_code(1).assert_rows("sites", 3, 2, 1);
    run.assert_stderr_line(&["rejected: sites.csv: line 3: column '(row)':", "14", "13"]);
    let rejects = read_rejects(out.path(), "sites");
    assert_eq!(rejects.lines(), vec![3], "{}", run.context());
    assert_eq!(rejects.at_line(3)["column"], "(row)", "{}", run.context());
}

// ------------------------------------------------------------------ fatal

#[test]
fn missing_required_column_names_file_line_and_column() {
    let out = tempdir();
    let run = validate(
        &fixture("bad/missing_required_column"),
        out.path(),
        &[],
        &[],
    );
    run.assert_fatal(&["sites.csv: line 1:", "'sector_code'"]);
}

#[test]
fn wrong_delimiter_names_file_line_and_the_delimiter() {
    let out = tempdir();
    let run = validate(&fixture("bad/wrong_delimiter"), out.path(), &[], &[]);
    run.assert_fatal(&["sites.csv: line 1:", "delimiter"]);
}

#[test]
fn empty_file_is_refused() {
    let out = tempdir();
    let run = validate(&fixture("bad/empty_file"), out.path(), &[], &[]);
    run.assert_fatal(&["sites.csv", "empty"]);
}

#[test]
fn header_only_is_refused() {
    let out = tempdir();
    let run = validate(&fixture("bad/header_only"), out.path(), &[], &[]);
    run.assert_fatal(&["sites.csv: line 1:", "no rows"]);
}

#[test]
fn parquet_wrong_type_names_file_and_column() {
    let out = tempdir();
    let run = validate(&fixture("bad/parquet_wrong_type"), out.path(), &[], &[]);
    run.assert_fatal(&["sites.parquet", "'employees'"]);
}

#[test]
fn bad_mapping_names_the_mapping_file_and_the_column() {
    let out = tempdir();
    let run = validate(&fixture("bad/bad_mapping"), out.path(), &[], &[]);
    run.assert_fatal(&["tilsyn.toml", "'p_number'"]);
}

#[test]
fn missing_sites_table_is_refused() {
    let out = tempdir();
    let run = validate(&fixture("bad/missing_sites_table"), out.path(), &[], &[]);
    run.assert_fatal(&["missing_sites_table", "no `sites` table"]);
}

#[test]
fn ambiguous_table_names_both_files() {
    let out = tempdir();
    let run = validate(&fixture("bad/ambiguous_table"), out.path(), &[], &[]);
    run.assert_fatal(&["sites.csv", "sites.csv.gz"]);
}

// ------------------------------------------------------------------ raw personal identifiers

#[test]
fn raw_cpr_without_key_is_refused_without_printing_it() {
    let out = tempdir();
    let run = validate(
        &fixture("bad/raw_cpr_without_key"),
        out.path(),
        &[],
        &[NO_KEY],
    );
    run.assert_fatal(&["permits.csv", KEY_VAR, "'person_id'"]);
    assert_no_raw_cpr(&run, out.path());
}

#[test]
fn raw_cpr_with_key_is_pseudonymised_and_loads() {
    let out = tempdir();
    let run = validate(
        &fixture("bad/raw_cpr_without_key"),
        out.path(),
        &[],
        &[(KEY_VAR, KEY)],
    );
    assert_clean(&run, out.path());
    run.assert_rows("sites", 3, 3, 0)
        .assert_rows("permits", 2, 2, 0);
    assert_no_raw_cpr(&run, out.path());
    assert_loaded_as_pseudonyms(&fixture("bad/raw_cpr_without_key"));
}

#[test]
fn raw_cpr_unmarked_is_refused_naming_file_line_and_column_without_printing_it() {
    let out = tempdir();
    let run = validate(&fixture("bad/raw_cpr_unmarked"), out.path(), &[], &[NO_KEY]);
    run.assert_fatal(&["permits.csv: line 2:", "'person_id'"]);
    assert_no_raw_cpr(&run, out.path());

    // With a key, a personal column is pseudonymised whether or not the
    // mapping marks it: the schema says it holds personal data.
    let out = tempdir();
    let run = validate(
        &fixture("bad/raw_cpr_unmarked"),
        out.path(),
        &[],
        &[(KEY_VAR, KEY)],
    );
    assert_clean(&run, out.path());
    run.assert_rows("permits", 2, 2, 0);
    assert_no_raw_cpr(&run, out.path());
    assert_loaded_as_pseudonyms(&fixture("bad/raw_cpr_unmarked"));
}

#[test]
fn raw_cpr_in_a_rejected_row_is_written_as_its_pseudonym() {
    let dir = fixture("bad/raw_cpr_rejected_row");
    let pseudonym_with = |key: &str| -> String {
        let out = tempdir();
        let run = validate(&dir, out.path(), &[], &[(KEY_VAR, key)]);
        run.assert_code(1).assert_rows("permits", 2, 1, 1);
        run.assert_stderr_line(&[
            "rejected: permits.csv: line 3: column 'start_date':",
            "2024-02-30",
        ]);
        assert_no_raw_cpr(&run, out.path());
        let rejects = read_rejects(out.path(), "permits");
        assert_eq!(rejects.lines(), vec![3], "{}", run.context());
        let person = rejects.at_line(3)["person_id"].clone();
        assert!(
            is_pseudonym(&person),
            "person_id in the rejects file is {person:?}, not a pseudonym\n{}",
            run.context()
        );
        person
    };
    let first = pseudonym_with(KEY);
    assert_eq!(
        pseudonym_with(KEY),
        first,
        "the same key gives the same pseudonym"
    );
    assert_ne!(
        pseudonym_with("another-secret-key-0000"),
        first,
        "another key gives another pseudonym"
    );
}

#[test]
fn a_file_without_a_header_row_is_refused_without_echoing_its_first_row() {
    let data = tempdir();
    let out = tempdir();
    // The first line is data: a CPR-shaped value and a name.
    std::fs::write(
        data.path().join("sites.csv"),
        "0101701234,Jens Hansen,2300,101,41.20\n0202702345,Ole Olsen,2300,101,41.20\n",
    )
    .unwrap();
    let run = validate(data.path(), out.path(), &[], &[]);
    run.assert_fatal(&["sites.csv: line 1:", "header row"]);
    run.assert_not_printed("0101701234");
    run.assert_not_printed("Jens Hansen");
}

/// Without `--rejects`, rejected rows go to a folder under the system temp
/// folder whose name cannot be guessed and which only its owner can enter.
#[cfg(unix)]
#[test]
fn the_default_rejects_folder_is_private_and_unpredictable() {
    use std::os::unix::fs::PermissionsExt;
    let data = fixture("bad/negative_pay");
    let run = crate::harness::run_tilsyn(
        [
            "rank",
            "--data",
            &data.display().to_string(),
            "--scorer",
            "rules",
            "--top",
            "1",
        ],
        &[],
    );
    run.assert_code(0);
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("rejected; every one is in"))
        .unwrap_or_else(|| panic!("no rejects notice\n{}", run.context()));
    assert!(line.contains("input rows"), "{line}");
    let dir = line
        .split("every one is in ")
        .nth(1)
        .and_then(|r| r.split(" with its line").next())
        .map(std::path::PathBuf::from)
        .unwrap();
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let suffix = name.rsplit('-').next().unwrap();
    assert!(
        name.starts_with("tilsyn-rejects-") && suffix.len() == 16,
        "{name}"
    );
    assert!(suffix.bytes().all(|b| b.is_ascii_hexdigit()), "{name}");
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{}", dir.display());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Notes are masked on load and shown only when asked for.
#[test]
fn inspectors_notes_are_masked_and_hidden_unless_asked_for() {
    let full = fixture("good/full");
    let data = tempdir();
    let files: Vec<String> = ALL_TABLES.iter().map(|t| format!("{t}.csv")).collect();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    copy_files(&full, &files, data.path());
    let findings = std::fs::read_to_string(full.join("findings.csv")).unwrap();
    let findings = findings.replace(
        "timesedler manglede",
        "timesedler manglede; CPR 010170-1234; tlf 12 34 56 78; pas AB1234567; jens@firma.dk",
    );
    assert!(findings.contains("010170-1234"));
    std::fs::write(data.path().join("findings.csv"), findings).unwrap();
    let explain = |extra: &[&str]| {
        let dir = data.path().display().to_string();
        let mut args = vec![
            "explain",
            "1000000004",
            "--data",
            dir.as_str(),
            "--scorer",
            "rules",
        ];
        args.extend_from_slice(extra);
        let run = crate::harness::run_tilsyn(args, &[]);
        run.assert_code(0);
        for raw in ["010170-1234", "12 34 56 78", "AB1234567", "jens@firma.dk"] {
            run.assert_not_printed(raw);
        }
        run
    };
    let hidden = explain(&[]);
    assert!(
        hidden.stdout.contains("note hidden"),
        "{}",
        hidden.context()
    );
    assert!(
        !hidden.stdout.contains("timesedler"),
        "{}",
        hidden.context()
    );
    let shown = explain(&["--show-notes"]);
    for masked in [
        "timesedler manglede",
        "[cpr]",
        "[phone]",
        "[document no.]",
        "[e-mail]",
    ] {
        assert!(
            shown.stdout.contains(masked),
            "{masked}\n{}",
            shown.context()
        );
    }
}

/// A rejected row's personal columns are withheld in the rejects file (the
/// line number finds the row); other columns stay, to show what to fix.
#[test]
fn rejects_files_withhold_personal_columns() {
    let full = fixture("good/full");
    let data = tempdir();
    let out = tempdir();
    let files: Vec<String> = ALL_TABLES.iter().map(|t| format!("{t}.csv")).collect();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    copy_files(&full, &files, data.path());
    let mut permits = std::fs::read_to_string(full.join("permits.csv")).unwrap();
    permits.push_str(
        "SIRI-2024-0999,Jens Hansen,1000000001,pay_limit,2024-02-01,2026-01-31,-5,37,false,false,Anna Berg,UKR\n",
    );
    std::fs::write(data.path().join("permits.csv"), permits).unwrap();
    // Without a key, names in personal columns stop the load, unprinted.
    let run = validate(data.path(), out.path(), &[], &[NO_KEY]);
    run.assert_fatal(&["permits.csv: line", "'person_id'", "TILSYN_PSEUDONYM_KEY"]);
    run.assert_not_printed("Jens Hansen");
    run.assert_not_printed("Anna Berg");
    // With one, they are pseudonymised on load; the bad row is rejected
    // and its rejects line shows the pseudonyms, never the names.
    let out = tempdir();
    let run = validate(data.path(), out.path(), &[], &[(KEY_VAR, KEY)]);
    run.assert_code(1);
    run.assert_not_printed("Jens Hansen");
    run.assert_not_printed("Anna Berg");
    let rejects = read_rejects(out.path(), "permits");
    let row = rejects
        .rows
        .iter()
        .find(|r| r["permit_id"] == "SIRI-2024-0999")
        .unwrap();
    assert_eq!(row["column"], "stated_monthly_pay_dkk", "{row:?}");
    assert!(is_pseudonym(&row["person_id"]), "{row:?}");
    assert!(is_pseudonym(&row["recruiter_id"]), "{row:?}");
    let text = std::fs::read_to_string(&rejects.path).unwrap();
    assert!(
        !text.contains("Jens Hansen") && !text.contains("Anna Berg"),
        "{text}"
    );
}

/// Without a key a personal column takes pseudonyms only: a passport
/// number or a source system's id, which no shape test could tell from an
/// id, is refused like a CPR number; a value in the project's pseudonym
/// format loads as it is.
#[test]
fn without_a_key_only_pseudonyms_load_in_personal_columns() {
    let full = fixture("good/full");
    let header = "permit_id,person_id,site_id,scheme,start_date,end_date,stated_monthly_pay_dkk,stated_weekly_hours,employer_housing,employer_bound,recruiter_id,nationality\n";
    let row = |person: &str, recruiter: &str| {
        format!(
            "{header}SIRI-1,{person},1000000001,pay_limit,2024-02-01,2026-01-31,46000,37,false,false,{recruiter},UKR\n"
        )
    };
    for (person, recruiter, column) in [
        ("XA9876543", "", "'person_id'"),
        ("W0000135", "", "'person_id'"),
        ("p0123456789abcdef0123", "R-17", "'recruiter_id'"),
    ] {
        let data = tempdir();
        copy_files(&full, &["sites.csv"], data.path());
        std::fs::write(data.path().join("permits.csv"), row(person, recruiter)).unwrap();
        let out = tempdir();
        let run = validate(data.path(), out.path(), &[], &[NO_KEY]);
        run.assert_fatal(&["permits.csv: line 2:", column, KEY_VAR]);
        run.assert_not_printed(if column == "'person_id'" {
            person
        } else {
            recruiter
        });
    }
    let data = tempdir();
    copy_files(&full, &["sites.csv"], data.path());
    std::fs::write(
        data.path().join("permits.csv"),
        row("p0123456789abcdef0123", "p0000000000000000b009"),
    )
    .unwrap();
    let out = tempdir();
    let run = validate(data.path(), out.path(), &[], &[NO_KEY]);
    run.assert_code(0);
}
