//! `tilsyn assess` through the real binary: the template, reports from an
//! answers file (the same JSON twice, Markdown with the ILO table and the
//! actions, text when stdin is not a terminal), bad answers files exiting
//! with 1 and naming the question, and the subcontractor screening.

use super::harness::{AS_OF, fixture, run_tilsyn, tempdir};

fn answers() -> String {
    fixture("assess/answers.toml").display().to_string()
}

#[test]
fn template_lists_every_question_unanswered() {
    let run = run_tilsyn(["assess", "--template"], &[]);
    run.assert_code(0);
    let table: toml::Table =
        toml::from_str(&run.stdout).unwrap_or_else(|e| panic!("not TOML: {e}\n{}", run.context()));
    let answers = table
        .get("answers")
        .and_then(|a| a.as_table())
        .expect("an [answers] table");
    assert!(
        answers.len() >= 40,
        "only {} questions\n{}",
        answers.len(),
        run.context()
    );
    for (id, value) in answers {
        assert_eq!(value.as_str(), Some(""), "{id} is not unanswered");
    }
    for id in [
        "qt_risk_sector",
        "b_fees",
        "b_documents_held",
        "c_zero_tolerance",
        "rf_debt",
    ] {
        assert!(answers.contains_key(id), "{id} missing");
    }
    // Every question is listed with its text as a comment.
    assert!(
        run.stdout
            .contains("# [checklist_b] Do any of your workers"),
        "{}",
        run.context()
    );
    // Parsing the template gives all-unknown answers.
    let q = tilsyn::assess::Questionnaire::bundled().expect("bundled questionnaire");
    let parsed =
        tilsyn::assess::Answers::parse(&run.stdout, "template", &q).expect("the template parses");
    assert!(parsed.given.is_empty());
}

#[test]
fn an_answers_file_gives_the_same_json_report_twice() {
    let a = answers();
    let first = run_tilsyn(["assess", "--answers", &a, "--format", "json"], &[]);
    first.assert_code(0);
    let second = run_tilsyn(["assess", "--answers", &a, "--format", "json"], &[]);
    second.assert_code(0);
    assert_eq!(
        first.stdout, second.stdout,
        "the same answers must give the same report"
    );
    let json = first.json();
    let result = &json["result"];
    assert_eq!(json["company"]["name"], "Køge Byggeservice ApS");
    assert_eq!(json["date"], "2026-06-30");
    assert_eq!(result["level"], "medium", "{}", first.context());
    let profile = result["profile"].as_array().expect("profile");
    assert_eq!(profile.len(), 11);
    assert!(
        !profile.iter().any(|s| s == "observed"),
        "{}",
        first.context()
    );
    // Two questions are unanswered: open items, never safe.
    let open: Vec<&str> = result["open"]
        .as_array()
        .expect("open")
        .iter()
        .filter_map(|o| o["question"].as_str())
        .collect();
    assert_eq!(open, ["c_worker_interviews", "rf_authority_reactions"]);
    // Actions ordered by how much they lower the risk score.
    let actions = result["actions"].as_array().expect("actions");
    assert_eq!(actions[0]["question"], "c_fees_confirmed");
    let reductions: Vec<f64> = actions
        .iter()
        .filter_map(|a| a["reduction"].as_f64())
        .collect();
    assert_eq!(reductions.len(), actions.len());
    assert!(
        reductions.windows(2).all(|w| w[0] >= w[1]),
        "{reductions:?}"
    );
}

#[test]
fn markdown_has_the_ilo_table_actions_and_open_items() {
    let a = answers();
    let run = run_tilsyn(["assess", "--answers", &a, "--format", "markdown"], &[]);
    run.assert_code(0);
    for needle in [
        "# Forced-labour risk self-assessment: Køge Byggeservice ApS (CVR 31000001)",
        "## Risk level: medium",
        "| # | ILO indicator | Status |",
        "| 8 | Withholding of wages | **signalled** |",
        "| 7 | Retention of identity documents | clear |",
        "## Actions",
        "## Open items",
        "- [ ] `rf_authority_reactions`",
    ] {
        assert!(
            run.stdout.contains(needle),
            "markdown lacks {needle:?}\n{}",
            run.context()
        );
    }
    // --out writes the file instead of stdout.
    let dir = tempdir();
    let out = dir.path().join("report.md");
    let run = run_tilsyn(
        [
            "assess",
            "--answers",
            &a,
            "--format",
            "md",
            "--out",
            &out.display().to_string(),
        ],
        &[],
    );
    run.assert_code(0);
    assert!(run.stdout.is_empty(), "{}", run.context());
    let written = std::fs::read_to_string(&out).expect("report written");
    assert!(written.contains("## Actions"));
}

#[test]
fn without_a_terminal_the_text_report_is_written() {
    let a = answers();
    let run = run_tilsyn(["assess", "--answers", &a], &[]);
    run.assert_code(0);
    assert!(
        run.stdout.contains("Risk level: MEDIUM"),
        "{}",
        run.context()
    );
    assert!(
        run.stdout.contains("  1. Require a no-fee declaration"),
        "{}",
        run.context()
    );
    assert!(run.stdout.contains("Open items: 2"), "{}", run.context());
}

#[test]
fn a_bad_answers_file_exits_1_naming_the_question() {
    let unknown = fixture("assess/bad_unknown_id.toml").display().to_string();
    let run = run_tilsyn(["assess", "--answers", &unknown, "--format", "json"], &[]);
    run.assert_fatal(&[
        "bad_unknown_id.toml",
        "'b_feez' (line 8)",
        "'made_up_question' (line 9)",
    ]);

    let value = fixture("assess/bad_value.toml").display().to_string();
    let run = run_tilsyn(["assess", "--answers", &value, "--format", "text"], &[]);
    run.assert_fatal(&["line 5", "question 'b_loans'", "\"maybe\"", "\"partly\""]);

    let dir = tempdir();
    let missing = dir.path().join("nothing.toml").display().to_string();
    let run = run_tilsyn(["assess", "--answers", &missing, "--format", "json"], &[]);
    run.assert_fatal(&["no such answers file", "--template"]);

    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "[answers]\nb_fees = \"yes\nb_loans = 3\n").expect("write");
    let run = run_tilsyn(
        [
            "assess",
            "--answers",
            &broken.display().to_string(),
            "--format",
            "json",
        ],
        &[],
    );
    run.assert_fatal(&["broken.toml"]);
}

#[test]
fn subcontractor_screening_lists_companies() {
    let dir = fixture("good/full").display().to_string();
    let run = run_tilsyn(
        [
            "assess",
            "--subcontractors",
            &dir,
            "--format",
            "json",
            "--as-of",
            AS_OF,
        ],
        &[],
    );
    run.assert_code(0);
    let json = run.json();
    let subs = json["subcontractors"]
        .as_array()
        .unwrap_or_else(|| panic!("no subcontractors\n{}", run.context()));
    let ids: Vec<&str> = subs
        .iter()
        .filter_map(|s| s["company_id"].as_str())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        ["31000001", "31000002", "31000003", "31000004"],
        "{}",
        run.context()
    );
    assert_eq!(json["sites"], 5);
    for s in subs {
        assert_eq!(s["ilo"].as_array().map(Vec::len), Some(11));
        assert!(s["tier"].is_string());
    }
    assert!(
        subs.iter()
            .any(|s| s["raise"].as_array().is_some_and(|r| !r.is_empty())),
        "some subcontractor has items to raise\n{}",
        run.context()
    );
    let md = run_tilsyn(["assess", "--subcontractors", &dir, "--as-of", AS_OF], &[]);
    md.assert_code(0);
    assert!(
        md.stdout.contains("# Subcontractor screening"),
        "{}",
        md.context()
    );
    assert!(
        md.stdout.contains("Items to raise with it (checklist C)"),
        "{}",
        md.context()
    );
}
