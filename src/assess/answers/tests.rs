//! Answers-file tests: unknown ids, invalid values, missing answers, aliases, the template round trip.

use super::*;

fn questionnaire() -> Questionnaire {
    Questionnaire::bundled().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn missing_and_empty_answers_are_unknown() {
    let q = questionnaire();
    let a = Answers::parse(
        "[answers]\nb_fees = \"yes\"\nb_loans = \"\"\n",
        "a.toml",
        &q,
    )
    .expect("valid");
    assert_eq!(a.get("b_fees"), Some(Answer::Yes));
    assert_eq!(a.get("b_loans"), None);
    assert_eq!(a.get("b_deposits"), None);
    assert_eq!(a.given.len(), 1);
    // An empty file is valid: everything unknown.
    let empty = Answers::parse("", "a.toml", &q).expect("empty");
    assert!(empty.given.is_empty());
    assert_eq!(empty.company, Company::default());
}

#[test]
fn unknown_ids_are_an_error_naming_each_id_and_line() {
    let q = questionnaire();
    let text = "[company]\nname = \"X\"\n\n[answers]\nb_fees = \"no\"\nb_feez = \"yes\"\n\"made_up\" = \"no\"\n";
    let e = Answers::parse(text, "a.toml", &q).expect_err("unknown ids");
    let msg = e.to_string();
    assert!(
        msg.starts_with("a.toml: unknown question ids 'b_feez' (line 6), 'made_up' (line 7)"),
        "{msg}"
    );
    assert!(msg.contains("--template"), "{msg}");
}

#[test]
fn invalid_values_name_the_question_value_and_allowed_values() {
    let q = questionnaire();
    let e = Answers::parse(
        "[answers]\nb_fees = \"no\"\nb_loans = \"maybe\"\n",
        "a.toml",
        &q,
    )
    .expect_err("invalid");
    let msg = e.to_string();
    assert!(
        msg.contains("a.toml: line 3: question 'b_loans': \"maybe\" is not an answer"),
        "{msg}"
    );
    assert!(msg.contains("\"partly\""), "{msg}");
    for text in [
        "[answers]\nb_loans = true\n",
        "[answers]\nb_loans = 3\n",
        "[answers]\nb_loans = [\"yes\"]\n",
    ] {
        let e = Answers::parse(text, "a.toml", &q).expect_err(text);
        assert!(e.to_string().contains("question 'b_loans'"), "{e}");
    }
    // Not TOML at all, a wrong table, a wrong company key: errors, never a panic.
    for text in [
        "[answers\nb_fees = ",
        "[answer]\nb_fees = \"yes\"\n",
        "[company]\nowner = \"x\"\n",
        "[company]\ndate = \"soon\"\n",
    ] {
        assert!(Answers::parse(text, "a.toml", &q).is_err(), "{text}");
    }
}

#[test]
fn aliases_and_company() {
    let q = questionnaire();
    let text = "\u{feff}[company]\nname = \"Århus Rengøring I/S\"\ncvr = 31000002\ndate = \"30-06-2026\"\n[answers]\nb_fees = \"Nej\"\nb_loans = \" PARTLY \"\nc_rut = \"n/a\"\n";
    let a = Answers::parse(text, "a.toml", &q).expect("valid");
    assert_eq!(a.get("b_fees"), Some(Answer::No));
    assert_eq!(a.get("b_loans"), Some(Answer::Partly));
    assert_eq!(a.get("c_rut"), Some(Answer::Na));
    assert_eq!(a.company.name.as_deref(), Some("Århus Rengøring I/S"));
    assert_eq!(a.company.cvr.as_deref(), Some("31000002"));
    assert_eq!(a.company.date, NaiveDate::from_ymd_opt(2026, 6, 30));
}

#[test]
fn template_round_trips_to_all_unknown() {
    let q = questionnaire();
    let t = template(&q);
    let a = Answers::parse(&t, "template.toml", &q).unwrap_or_else(|e| panic!("{e}\n{t}"));
    assert!(a.given.is_empty());
    assert_eq!(a.company, Company::default());
    for question in &q.questions {
        assert!(
            t.contains(&format!("\n{} = \"\"\n", question.id)),
            "{} missing",
            question.id
        );
    }
    assert!(t.contains("[checklist_b]"));
}

#[test]
fn answers_round_trip_through_the_file_format() {
    let q = questionnaire();
    let mut a = Answers::empty();
    a.company.name = Some("Test \"Quoted\" A/S \\ Ø".to_string());
    a.company.cvr = Some("12345678".to_string());
    a.company.date = NaiveDate::from_ymd_opt(2026, 6, 30);
    for (i, question) in q.questions.iter().enumerate().take(9) {
        a.set(&question.id, Some(Answer::ALL[i % 4]));
    }
    let text = a.to_toml(&q);
    let back = Answers::parse(&text, "saved.toml", &q).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(back, a);
    a.set(&q.questions[0].id, None);
    assert_eq!(a.given.len(), 8);
}

#[test]
fn wrap_keeps_words_whole() {
    assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
    assert_eq!(wrap("", 5), vec![""]);
    assert_eq!(wrap("abcdefgh ij", 4), vec!["abcdefgh", "ij"]);
}
