//! `tilsyn visit` on the visit fixture (tests/fixtures/visit/README.md): the
//! checklist asks the indicators the ranking flagged first and its form
//! holds every question; a filled form (the fixture's, and the generated
//! one filled in) is recorded into a copy of the folder as the expected
//! `inspections` and `findings` rows, which `validate` loads with no reject
//! and counts and `explain` shows; a taken inspection id and a bad answer
//! are refused, naming the form and the question, with nothing written; the
//! referral holds the indicators and the scheme counts and no pseudonym.

use std::path::{Path, PathBuf};

use tilsyn::visit::Checklist;

use crate::harness::{AS_OF, Run, copy_files, fixture, run_tilsyn, tempdir, validate};

/// The site the fixture's form is about.
const SITE: &str = "2000000001";

/// The fixture's tables.
const TABLES: [&str; 5] = [
    "sites.csv",
    "permits.csv",
    "inspections.csv",
    "findings.csv",
    "tips.csv",
];

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p.as_ref())
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.as_ref().display()))
}

/// A copy of the fixture's tables in `tmp/data`.
fn data_copy(tmp: &Path) -> PathBuf {
    let data = tmp.join("data");
    std::fs::create_dir(&data).unwrap();
    copy_files(&fixture("visit"), &TABLES, &data);
    data
}

fn record(form: &Path, data: &Path) -> Run {
    run_tilsyn(
        [
            "visit",
            "record",
            "--form",
            form.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
            "--as-of",
            AS_OF,
        ],
        &[],
    )
}

/// The first `p` followed by 20 lower-case hex digits (a pseudonym), if any.
fn pseudonym_in(text: &str) -> Option<String> {
    let b = text.as_bytes();
    (0..b.len()).find_map(|i| {
        let hex = |c: &u8| c.is_ascii_digit() || (b'a'..=b'f').contains(c);
        (b[i] == b'p' && b.len() >= i + 21 && b[i + 1..i + 21].iter().all(hex))
            .then(|| text[i..i + 21].to_string())
    })
}

#[test]
fn the_checklist_asks_the_flagged_indicators_first_and_its_form_holds_every_question() {
    let tmp = tempdir();
    let form = tmp.path().join("form.toml");
    let run = run_tilsyn(
        [
            "visit",
            "checklist",
            "--site",
            SITE,
            "--data",
            fixture("visit").to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--scorer",
            "rules",
            "--form",
            form.to_str().unwrap(),
        ],
        &[],
    );
    run.assert_code(0);
    let headings: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("## ") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
        .collect();
    assert_eq!(
        headings.len(),
        11,
        "one section per ILO indicator\n{}",
        run.context()
    );
    assert!(
        headings[0].starts_with("## 1. Excessive overtime (flagged, observed"),
        "{headings:#?}"
    );
    let pos = |label: &str| {
        headings
            .iter()
            .position(|h| h.contains(label))
            .unwrap_or_else(|| panic!("no heading with {label:?}: {headings:#?}"))
    };
    let violence = pos("Physical and sexual violence (not assessed");
    for flagged in [
        "Retention of identity documents (flagged, signalled",
        "Withholding of wages (flagged, signalled",
    ] {
        assert!(pos(flagged) < violence, "{flagged}: {headings:#?}");
    }
    assert!(
        run.stdout
            .contains("**Flagged by the ranking (asked first):**"),
        "{}",
        run.context()
    );
    // The form lists every question of the checklist, unanswered, the
    // flagged indicators' questions first, and the visit fields.
    let text = read(&form);
    let list = Checklist::bundled().unwrap();
    for q in &list.questions {
        assert!(
            text.contains(&format!(
                "[answers.{}]\nanswer = \"\"\nworkers = 0\nnote = \"\"\n",
                q.id
            )),
            "question {} is not in the form:\n{text}",
            q.id
        );
    }
    for line in [
        "site_id = \"2000000001\"",
        "inspection_id = \"\"",
        "date = \"\"",
        "agency = \"\"",
        "trigger = \"\"",
        "outcome = \"\"",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    assert!(text.find("[answers.hours_excessive]") < text.find("[answers.docs_held]"));
    assert!(text.find("[answers.docs_held]") < text.find("[answers.viol_physical]"));

    // Filled in (as a TUI or an editor would) and recorded, it loads back.
    let mut t: toml::Table = toml::from_str(&text).unwrap();
    {
        let v = t.get_mut("visit").unwrap().as_table_mut().unwrap();
        v.insert("inspection_id".into(), "AT-V-0100".into());
        v.insert("date".into(), "2026-06-20".into());
        v.insert("agency".into(), "AT".into());
        v.insert("outcome".into(), "referral_siri".into());
        let a = t.get_mut("answers").unwrap().as_table_mut().unwrap();
        let q = a.get_mut("hours_forced").unwrap().as_table_mut().unwrap();
        q.insert("answer".into(), "yes".into());
        q.insert("workers".into(), toml::Value::Integer(4));
        let q = a.get_mut("cond_work").unwrap().as_table_mut().unwrap();
        q.insert("answer".into(), "no".into());
    }
    let filled = tmp.path().join("filled.toml");
    std::fs::write(&filled, toml::to_string(&t).unwrap()).unwrap();
    // Asking for a blank form again does not overwrite the filled one.
    let fixture_dir = fixture("visit");
    let again = |extra: &[&str]| {
        let mut args = vec![
            "visit",
            "checklist",
            "--site",
            SITE,
            "--data",
            fixture_dir.to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--form",
            filled.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        run_tilsyn(args, &[])
    };
    let kept = toml::to_string(&t).unwrap();
    again(&[])
        .assert_code(1)
        .assert_stderr_line(&["filled.toml exists", "--force"]);
    assert_eq!(read(&filled), kept);
    again(&["--force"]).assert_code(0);
    assert_ne!(read(&filled), kept);
    std::fs::write(&filled, &kept).unwrap();
    let data = data_copy(tmp.path());
    record(&filled, &data).assert_code(0);
    assert!(
        read(data.join("inspections.csv"))
            .ends_with("\nAT-V-0100,2000000001,2026-06-20,AT,,,referral_siri,forced_labour\n")
    );
    assert!(read(data.join("findings.csv")).ends_with("\nAT-V-0100,excessive_overtime,4,\n"));
    let out = tempdir();
    validate(&data, out.path(), &[], &[])
        .assert_code(0)
        .assert_rows("inspections", 3, 3, 0)
        .assert_rows("findings", 2, 2, 0);
}

#[test]
fn a_filled_form_is_recorded_as_rows_that_load_count_and_explain() {
    let tmp = tempdir();
    let data = data_copy(tmp.path());
    let form = fixture("visit/filled_form.toml");
    let run = record(&form, &data);
    run.assert_code(0)
        .assert_stderr_contains(&["recorded visit JOINT-V-0042 at site 2000000001"]);
    let inspections = read(data.join("inspections.csv"));
    assert_eq!(
        inspections,
        format!(
            "{}JOINT-V-0042,2000000001,2026-06-15,JOINT,tip,,referral_cmm,forced_labour\n",
            read(fixture("visit").join("inspections.csv"))
        )
    );
    let findings = read(data.join("findings.csv"));
    assert_eq!(
        findings,
        format!(
            "{}{}{}",
            read(fixture("visit").join("findings.csv")),
            "JOINT-V-0042,retention_of_documents,3,docs_held: Passports kept in the office safe; the foreman has the key. Passport no. [document no.] seen there\n",
            "JOINT-V-0042,debt_bondage,2,\"debt_owed: Recruitment fee of 2 months' pay, repaid from wages; the recruiter answers on [phone]\"\n"
        )
    );

    // The new rows load with no reject and are counted.
    let out = tempdir();
    validate(&data, out.path(), &[], &[])
        .assert_code(0)
        .assert_rows("inspections", 3, 3, 0)
        .assert_rows("findings", 3, 3, 0);

    // The site's explanation shows the recorded visit and its findings.
    let run = run_tilsyn(
        [
            "explain",
            SITE,
            "--data",
            data.to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--scorer",
            "rules",
        ],
        &[],
    );
    run.assert_code(0);
    for needle in [
        "inspection JOINT-V-0042 by JOINT (tip), outcome referral_cmm",
        "finding retention_of_documents at inspection JOINT-V-0042, 3 worker(s) affected",
        "finding debt_bondage at inspection JOINT-V-0042, 2 worker(s) affected",
        "[fired] severe_outcome",
    ] {
        assert!(run.stdout.contains(needle), "{needle}\n{}", run.context());
    }
    assert!(
        run.stdout
            .lines()
            .any(|l| l.contains("retention_of_documents") && l.contains("observed")),
        "{}",
        run.context()
    );

    // The same visit twice: refused, nothing written.
    let again = record(&form, &data);
    again.assert_code(1).assert_stderr_line(&[
        "error: ",
        "filled_form.toml",
        "inspection_id 'JOINT-V-0042' is already in",
    ]);
    assert_eq!(read(data.join("inspections.csv")), inspections);
    assert_eq!(read(data.join("findings.csv")), findings);
}

#[test]
fn a_bad_answer_is_refused_naming_the_form_and_the_question() {
    let tmp = tempdir();
    let data = data_copy(tmp.path());
    let text = read(fixture("visit/filled_form.toml"));
    let bad = text.replacen(
        "answer = \"yes\"\nworkers = 2\nnote = \"\"",
        "answer = \"maybe\"\nworkers = 2\nnote = \"\"",
        1,
    );
    assert_ne!(bad, text);
    let form = tmp.path().join("bad_form.toml");
    std::fs::write(&form, bad).unwrap();
    let run = record(&form, &data);
    run.assert_code(1).assert_stderr_line(&[
        "error: ",
        "bad_form.toml: line ",
        "question 'docs_seen'",
        "the answer is not one of",
        "\"yes\", \"no\" or \"unknown\"",
    ]);
    // What the inspector wrote is never repeated (it may be a note).
    run.assert_not_printed("maybe");
    assert_eq!(
        read(data.join("inspections.csv")),
        read(fixture("visit").join("inspections.csv"))
    );
    assert_eq!(
        read(data.join("findings.csv")),
        read(fixture("visit").join("findings.csv"))
    );
}

#[test]
fn the_referral_holds_the_indicators_and_scheme_counts_and_no_person() {
    let run = run_tilsyn(
        [
            "visit",
            "referral",
            "--form",
            fixture("visit/filled_form.toml").to_str().unwrap(),
            "--data",
            fixture("visit").to_str().unwrap(),
            "--as-of",
            AS_OF,
        ],
        &[],
    );
    run.assert_code(0);
    let md = &run.stdout;
    for needle in [
        "# Referral to Center mod Menneskehandel (CMM)",
        "| Site | 2000000001 — Gartneriet Vestermark ApS |",
        "| Municipality | Esbjerg (561) |",
        "| Date of the visit | 2026-06-15 |",
        "| Outcome recorded | `referral_cmm` |",
        "| Retention of identity documents | coercion at destination: confiscation of documents (strong) | 3 | docs_held, docs_seen |",
        "| Debt bondage | coercion at destination: debt bondage (strong) | 2 | debt_owed |",
        "marks positive: coercion at destination",
        "At least 3 worker(s) concerned",
        "(work and residence permits in force, from the permits register): 4.",
        "| Positive List for Skilled Work (`positive_list_skilled`) | 1 |",
        "| Herdsmen and farm handlers (`herdsman_farm_hand`) | 2 |",
        "| scheme not given | 1 |",
        "## Contact route",
        "menneskehandel.dk",
    ] {
        assert!(md.contains(needle), "{needle}\n{}", run.context());
    }
    assert_eq!(pseudonym_in(md), None, "{}", run.context());
    assert_eq!(pseudonym_in(&run.stderr), None, "{}", run.context());
    for raw in [
        "PHL",
        "UKR",
        "AB1234567",
        "12 34 56 78",
        "office safe",
        "trainee",
    ] {
        assert!(
            !md.contains(raw),
            "{raw} in the referral\n{}",
            run.context()
        );
    }
}
