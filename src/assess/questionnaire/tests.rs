//! Questionnaire tests: the bundled files have no dangling reference; bad entries are errors naming the question and line.

use super::*;

fn catalogue() -> Catalogue {
    Catalogue::bundled().expect("bundled catalogue")
}

/// Fails on any dangling reference in the bundled files: every
/// indicator id exists in the bundled catalogue, every ILO id is one of
/// the 11, and every question has something to guard against.
#[test]
fn bundled_questions_map_to_existing_catalogue_and_ilo_ids() {
    let q = Questionnaire::bundled().unwrap_or_else(|e| panic!("{e}"));
    assert!(q.len() >= 40, "only {} questions", q.len());
    let cat = catalogue();
    for question in &q.questions {
        for x in &question.indicators {
            assert!(
                cat.indicators.iter().any(|d| &d.id == x),
                "{}: dangling indicator {x}",
                question.id
            );
        }
        for x in &question.ilo {
            assert!(
                ILO_INDICATORS.contains(&x.as_str()),
                "{}: dangling ILO id {x}",
                question.id
            );
        }
        assert!(
            !question.ilo.is_empty() || !question.indicators.is_empty(),
            "{}",
            question.id
        );
    }
    // Every step and every ILO indicator has questions.
    for step in Step::ALL {
        assert!(q.in_step(step).count() > 0, "no questions in {step:?}");
    }
    for id in ILO_INDICATORS {
        assert!(
            q.questions.iter().any(|x| x.ilo.iter().any(|i| i == id)),
            "no question for {id}"
        );
    }
    // Every id found its line.
    assert!(q.lines.iter().all(|l| *l > 0));
}

fn one(extra: &str) -> String {
    format!(
        "version = 1\n\n[[question]]\nid = \"x_one\"\nstep = \"checklist_b\"\ntext = \"Q?\"\nrisky = \"yes\"\nweight = 3.0\naction = \"Do it.\"\n{extra}"
    )
}

#[test]
fn a_dangling_indicator_is_an_error_naming_question_and_line() {
    let text = one("indicators = [\"no_such_indicator\"]\n");
    let e = Questionnaire::parse(&text, "q.toml", &catalogue()).expect_err("dangling");
    let msg = e.to_string();
    assert!(msg.contains("q.toml: line 4: question 'x_one'"), "{msg}");
    assert!(msg.contains("no_such_indicator"), "{msg}");
}

#[test]
fn bad_entries_are_errors() {
    let cat = catalogue();
    let cases = [
        (one("ilo = [\"slavery\"]\n"), "not an ILO indicator id"),
        (one("ilo = []\nindicators = []\n"), "both empty"),
        (one("ilo = [\"deception\"]\npartly = 2.0\n"), "partly"),
        (
            one("ilo = [\"deception\"]\n").replace("weight = 3.0", "weight = 0.0"),
            "positive",
        ),
        (
            one("ilo = [\"deception\"]\n").replace("checklist_b", "checklist_z"),
            "not a step",
        ),
        (
            one("ilo = [\"deception\"]\n").replace("risky = \"yes\"", "risky = \"maybe\""),
            "risky",
        ),
        (
            format!(
                "{}\n{}",
                one("ilo = [\"deception\"]\n"),
                one("ilo = [\"deception\"]\n").replace("version = 1\n", "")
            ),
            "duplicate",
        ),
    ];
    for (text, needle) in cases {
        let e = Questionnaire::parse(&text, "q.toml", &cat).expect_err(needle);
        assert!(
            e.to_string().contains(needle),
            "{e} should contain {needle}"
        );
    }
    let ok = Questionnaire::parse(&one("ilo = [\"deception\"]\n"), "q.toml", &cat).expect("valid");
    assert_eq!(ok.questions[0].partly, 0.5);
    assert_eq!(ok.questions[0].risky_share(Answer::Yes), 1.0);
    assert_eq!(ok.questions[0].risky_share(Answer::No), 0.0);
    assert_eq!(ok.questions[0].risky_share(Answer::Na), 0.0);
    assert_eq!(ok.questions[0].risky_share(Answer::Partly), 0.5);
    assert_eq!(ok.questions[0].safe(), Answer::No);
}
