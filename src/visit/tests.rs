//! Visit tests: the bundled checklist and its Delphi items against the
//! catalogue, the site order, the form's round trip and errors, the answer
//! → rows mapping, masking, appending, and the referral's counts.

use super::checklist::{Checklist, SiteContext, dimension_id, indicator_order, to_markdown};
use super::form::{Form, FormError, QuestionAnswer, VisitAnswer, blank_form};
use super::record::{self, RecordError, VisitRecord, to_rows};
use super::referral::{Referral, SchemeCount, SiteFacts};
use crate::data::ILO_INDICATORS;
use crate::indicators::{Catalogue, Dimension, IloStatus};

fn checklist() -> Checklist {
    Checklist::bundled().unwrap_or_else(|e| panic!("{e}"))
}

fn answer(a: VisitAnswer, workers: u32, note: &str) -> QuestionAnswer {
    QuestionAnswer {
        answer: a,
        workers,
        note: note.to_string(),
    }
}

/// A filled form: documents held (2 questions yes), a debt (yes, not
/// counted), violence looked for and not found, hours unknown.
fn filled() -> Form {
    let mut f = Form::new("2000000001");
    f.visit.inspection_id = "V-1".into();
    f.visit.date = chrono::NaiveDate::from_ymd_opt(2026, 6, 15);
    f.visit.agency = "JOINT".into();
    f.visit.trigger = "tip".into();
    f.visit.outcome = "referral_cmm".into();
    f.set(
        "docs_held",
        answer(VisitAnswer::Yes, 3, "passports in the office safe"),
    );
    f.set("docs_seen", answer(VisitAnswer::Yes, 5, ""));
    f.set(
        "debt_owed",
        answer(VisitAnswer::Yes, 0, "fee of two\nmonths' pay"),
    );
    f.set("viol_physical", answer(VisitAnswer::No, 0, ""));
    f.set(
        "hours_excessive",
        answer(VisitAnswer::Unknown, 4, "not asked"),
    );
    f
}

fn ctx_with(statuses: &[(&str, IloStatus)]) -> SiteContext {
    let mut ctx = SiteContext::unscored("2000000001");
    for (id, s) in statuses {
        for l in &mut ctx.ilo {
            if l.id == *id {
                l.status = *s;
                l.because = vec![format!("tip_{id}")];
            }
        }
    }
    ctx
}

#[test]
fn the_bundled_checklist_covers_every_ilo_indicator_with_the_catalogues_delphi_items() {
    let c = checklist();
    let cat = Catalogue::bundled().unwrap_or_else(|e| panic!("{e}"));
    for ilo in ILO_INDICATORS {
        assert!(c.for_indicator(ilo).count() >= 2, "{ilo}");
    }
    for q in &c.questions {
        let Some(d) = &q.delphi else { continue };
        // The same item with the same dimension and strength as some
        // catalogue entry: one reading of the Delphi list in the project.
        assert!(
            cat.indicators
                .iter()
                .any(|i| i.delphi_item.as_deref() == Some(d.item.as_str())
                    && i.delphi_dimension == Some(d.dimension)
                    && i.strength == Some(d.strength)),
            "{}: Delphi item {} is not in the catalogue with that dimension and strength",
            q.id,
            d.item
        );
    }
    assert!(!c.referral.to.is_empty() && !c.referral.route.is_empty());
}

#[test]
fn dimension_ids_are_the_catalogues_spelling() {
    for d in Dimension::ALL {
        assert_eq!(
            serde_json::to_value(d).unwrap(),
            serde_json::Value::String(dimension_id(d).to_string())
        );
    }
}

#[test]
fn bad_checklist_entries_name_the_question_and_line() {
    let text = format!(
        "{}\n[[question]]\nid = \"extra\"\nilo = \"passports\"\nmethod = \"ask\"\ntext = \"t\"\nvictim = \"v\"\npoor_conditions = \"p\"\n",
        super::checklist::BUNDLED
    );
    let e = Checklist::parse(&text, "c.toml").unwrap_err().to_string();
    assert!(
        e.contains("c.toml: line") && e.contains("'extra'") && e.contains("passports"),
        "{e}"
    );
    let half =
        super::checklist::BUNDLED.replacen("delphi_item = \"confiscation_of_documents\"", "", 1);
    let e = Checklist::parse(&half, "c.toml").unwrap_err().to_string();
    assert!(e.contains("all three or none"), "{e}");
}

#[test]
fn flagged_indicators_come_first_observed_before_signalled() {
    let ctx = ctx_with(&[
        ("retention_of_documents", IloStatus::Signalled),
        ("excessive_overtime", IloStatus::Observed),
        ("deception", IloStatus::Clear),
    ]);
    let order = indicator_order(&ctx);
    assert_eq!(order[0], "excessive_overtime");
    assert_eq!(order[1], "retention_of_documents");
    assert_eq!(order[10], "deception", "clear last");
    assert_eq!(order.len(), 11);
    assert_eq!(
        ctx.flagged(),
        vec!["excessive_overtime", "retention_of_documents"]
    );
    let c = checklist();
    let md = to_markdown(&c, &ctx);
    let pos = |needle: &str| md.find(needle).unwrap_or_else(|| panic!("{needle}\n{md}"));
    assert!(pos("## 1. Excessive overtime") < pos("## 2. Retention of identity documents"));
    assert!(pos("## 2. Retention") < pos("Abuse of vulnerability (not assessed"));
    let form = blank_form(&c, &ctx);
    assert!(form.find("[answers.hours_excessive]") < form.find("[answers.docs_held]"));
    assert!(form.find("[answers.docs_held]") < form.find("[answers.vuln_dependency]"));
}

#[test]
fn a_written_form_reads_back_as_written() {
    let c = checklist();
    let ctx = SiteContext::unscored("2000000001");
    let mut f = filled();
    f.visit.selection_probability = Some(0.25);
    let text = f.to_toml(&c, &ctx);
    let back = Form::parse(&text, "form.toml", &c).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(back.site_id, f.site_id);
    assert_eq!(back.visit, f.visit);
    for q in &c.questions {
        let want = f.answer(&q.id);
        let got = back.answer(&q.id);
        assert_eq!(got.answer, want.answer, "{}", q.id);
        assert_eq!(got.workers, want.workers, "{}", q.id);
        assert_eq!(got.note, want.note, "{}", q.id);
    }
    // The blank form holds every question, unanswered.
    let blank = blank_form(&c, &ctx);
    let empty = Form::parse(&blank, "blank.toml", &c).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(empty.answers.len(), c.questions.len());
    assert!(
        empty
            .answers
            .values()
            .all(|a| a.answer == VisitAnswer::Unknown && a.workers == 0 && a.note.is_empty())
    );
}

#[test]
fn bad_answers_name_the_form_the_line_and_the_question() {
    let c = checklist();
    let text = "version = 1\nsite_id = \"S1\"\n\n[visit]\ndate = \"2026-06-15\"\n\n[answers.docs_held]\nanswer = \"maybe\"\nworkers = 2\n";
    let e = Form::parse(text, "filled.toml", &c).unwrap_err();
    assert!(matches!(e, FormError::Question { line: 8, .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.starts_with("filled.toml: line 8: question 'docs_held':") && !msg.contains("maybe"),
        "{msg}"
    );
    let text = "[answers.docs_held]\nanswer = \"yes\"\nworkers = \"3\"\n";
    let msg = Form::parse(text, "f.toml", &c).unwrap_err().to_string();
    assert!(
        msg.contains("line 3") && msg.contains("docs_held") && msg.contains("whole number"),
        "{msg}"
    );
    let text = "[answers.no_such_question]\nanswer = \"yes\"\n";
    let e = Form::parse(text, "f.toml", &c).unwrap_err();
    assert!(matches!(e, FormError::UnknownQuestions { .. }), "{e:?}");
    assert!(e.to_string().contains("'no_such_question' (line 1)"), "{e}");
    let text = "[visit]\nagency = \"FBI\"\n";
    let msg = Form::parse(text, "f.toml", &c).unwrap_err().to_string();
    assert!(
        msg.contains("line 2: visit.agency") && msg.contains("JOINT"),
        "{msg}"
    );
    let text = "[visit]\ndate = \"2026-02-30\"\n";
    let msg = Form::parse(text, "f.toml", &c).unwrap_err().to_string();
    assert!(msg.contains("visit.date"), "{msg}");
    // Danish answers, a bare TOML date and unknown answers are fine.
    let text = "[visit]\ndate = 2026-06-15\nagency = \"at\"\n[answers]\ndocs_held = \"ja\"\ndocs_seen = \"ved ikke\"\n";
    let f = Form::parse(text, "f.toml", &c).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(f.visit.agency, "AT");
    assert_eq!(f.answer("docs_held").answer, VisitAnswer::Yes);
    assert_eq!(f.answer("docs_seen").answer, VisitAnswer::Unknown);
}

#[test]
fn yes_answers_become_one_finding_per_ilo_indicator() {
    let c = checklist();
    let r = to_rows(&filled(), &c, "form.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        r.inspection.fields(),
        vec![
            "V-1",
            "2000000001",
            "2026-06-15",
            "JOINT",
            "tip",
            "",
            "referral_cmm",
            "forced_labour"
        ]
    );
    let rows: Vec<Vec<String>> = r.findings.iter().map(|f| f.fields()).collect();
    assert_eq!(
        rows,
        vec![
            vec![
                "V-1".to_string(),
                "retention_of_documents".into(),
                "5".into(),
                "docs_held: passports in the office safe".into(),
            ],
            vec![
                "V-1".to_string(),
                "debt_bondage".into(),
                String::new(),
                "debt_owed: fee of two months' pay".into(),
            ],
        ]
    );
    assert_eq!(r.findings[0].questions, vec!["docs_held", "docs_seen"]);
    // "no" and "unknown" make no row; only indicators with no yes/no answer
    // at all are listed as not answered.
    assert!(!r.not_answered.contains(&"physical_sexual_violence"));
    assert!(r.not_answered.contains(&"excessive_overtime"));
    assert_eq!(r.not_answered.len(), 8);
}

#[test]
fn a_form_without_answers_or_visit_fields_is_refused_with_the_field() {
    let c = checklist();
    let mut f = filled();
    f.visit.inspection_id.clear();
    let e = to_rows(&f, &c, "form.toml").unwrap_err().to_string();
    assert!(
        e.contains("form.toml: visit.inspection_id: is empty"),
        "{e}"
    );
    let mut f = filled();
    f.answers.clear();
    let e = to_rows(&f, &c, "form.toml").unwrap_err().to_string();
    assert!(e.contains("no question is answered"), "{e}");
}

#[test]
fn notes_are_masked_before_they_are_written() {
    let masked = record::mask_note("Pas AB1234567 hos formand, CPR 010170-1234, tlf 12 34 56 78")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        masked,
        "Pas [document no.] hos formand, CPR [cpr], tlf [phone]"
    );
    let c = checklist();
    let mut f = filled();
    f.set(
        "docs_held",
        answer(VisitAnswer::Yes, 3, "kontakt jens@firma.dk"),
    );
    let mut r = to_rows(&f, &c, "form.toml").unwrap_or_else(|e| panic!("{e}"));
    record::mask_notes(&mut r).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.findings[0].note, "docs_held: kontakt [e-mail]");
}

fn recorded() -> VisitRecord {
    to_rows(&filled(), &checklist(), "form.toml").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn append_writes_the_canonical_layout_and_refuses_a_second_copy() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // An existing canonical inspections.csv without a final newline.
    std::fs::write(
        dir.path().join("inspections.csv"),
        "inspection_id,site_id,date,agency,trigger,selection_probability,outcome,scope\nA-1,2000000001,2025-05-12,AT,risk,0.4,order,working_environment",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut r = recorded();
    r.findings[0].note = "docs_held: safe, locked".into();
    let w = record::append(dir.path(), &r, "form.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.findings_rows, 2);
    let insp = std::fs::read_to_string(dir.path().join("inspections.csv")).unwrap_or_default();
    assert_eq!(
        insp,
        "inspection_id,site_id,date,agency,trigger,selection_probability,outcome,scope\nA-1,2000000001,2025-05-12,AT,risk,0.4,order,working_environment\nV-1,2000000001,2026-06-15,JOINT,tip,,referral_cmm,forced_labour\n"
    );
    let find = std::fs::read_to_string(dir.path().join("findings.csv")).unwrap_or_default();
    assert_eq!(
        find,
        "inspection_id,indicator,workers_affected,note\nV-1,retention_of_documents,5,\"docs_held: safe, locked\"\nV-1,debt_bondage,,debt_owed: fee of two months' pay\n"
    );
    let e = record::append(dir.path(), &r, "form.toml").unwrap_err();
    assert!(matches!(e, RecordError::Duplicate { .. }), "{e:?}");
    assert!(e.to_string().contains("'V-1' is already in"), "{e}");
    let again = std::fs::read_to_string(dir.path().join("findings.csv")).unwrap_or_default();
    assert_eq!(again, find, "nothing written on refusal");
    // A file in another layout is never appended to.
    let other = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        other.path().join("inspections.csv"),
        "Besøg;P-nummer\n1;2\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let e = record::append(other.path(), &r, "form.toml").unwrap_err();
    assert!(matches!(e, RecordError::NotCanonical { .. }), "{e:?}");
    assert!(!other.path().join("findings.csv").exists());
}

#[test]
fn the_referral_holds_indicators_and_counts_and_no_person() {
    let site = SiteFacts {
        site_id: "2000000001".into(),
        name: Some("Gartneri | Syd".into()),
        municipality: Some("Esbjerg (561)".into()),
        permits_present: true,
        permit_holders: 4,
        schemes: vec![SchemeCount {
            scheme: Some("herdsman_farm_hand".into()),
            label: "Herdsmen and farm handlers (`herdsman_farm_hand`)".into(),
            holders: 2,
        }],
    };
    let c = checklist();
    let r = Referral::new(&recorded(), &c, site);
    assert_eq!(r.workers_concerned, Some(5));
    // Documents (strong) and debt bondage (strong): coercion at destination.
    assert_eq!(
        r.positive_dimensions,
        vec![Dimension::CoercionAtDestination]
    );
    let md = r.to_markdown();
    for needle in [
        "| Site | 2000000001 — Gartneri / Syd |",
        "| Municipality | Esbjerg (561) |",
        "| Retention of identity documents | coercion at destination: confiscation of documents (strong) | 5 | docs_held, docs_seen |",
        "| Debt bondage | coercion at destination: debt bondage (strong) | not counted | debt_owed |",
        "| Herdsmen and farm handlers (`herdsman_farm_hand`) | 2 |",
        "at the site on 2026-06-15",
        ": 4.",
        "Center mod Menneskehandel",
    ] {
        assert!(md.contains(needle), "{needle}\n{md}");
    }
    assert!(
        !md.contains("passports in the office safe"),
        "no note: {md}"
    );
}

#[test]
fn form_errors_never_repeat_what_the_inspector_wrote() {
    let list = checklist();
    let cases = [
        // An unescaped quote: toml's own message would quote the line.
        "version = 1\nsite_id = \"S1\"\n[answers.docs_held]\nanswer = \"yes\"\nnote = \"he said \"boss keeps it\", CPR 010190-1234\"\n",
        "version = 1\nsite_id = \"S1\"\n[answers.docs_held]\nanswer = \"yes, passport AB1234567 kept\"\n",
        "version = 1\nsite_id = \"S1\"\n[answers.docs_held]\nanswer = \"yes\"\nnote = [\"Jens Hansen 010190-1234\"]\n",
        "version = 1\nsite_id = \"S1\"\n[answers.docs_held]\nanswer = [\"AB1234567\"]\n",
    ];
    for text in cases {
        let e = Form::parse(text, "form.toml", &list)
            .err()
            .unwrap_or_else(|| panic!("accepted: {text}"))
            .to_string();
        for secret in ["010190", "AB1234567", "Jens", "boss"] {
            assert!(!e.contains(secret), "{secret} in: {e}");
        }
        assert!(e.contains("form.toml"), "{e}");
    }
    let e = Form::parse(cases[0], "form.toml", &list)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("line 5"), "{e}");
}

#[test]
fn append_keeps_a_windows_file_s_line_endings() {
    let mut r = to_rows(&filled(), &checklist(), "form.toml").unwrap_or_else(|e| panic!("{e}"));
    record::mask_notes(&mut r).unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let header = record::canonical_header(crate::data::Table::Inspections).join(",");
    // Saved on Windows, and without a final line end.
    std::fs::write(
        dir.path().join("inspections.csv"),
        format!("{header}\r\nAT-1,2000000001,2025-01-10,AT,risk,,none,forced_labour"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    record::append(dir.path(), &r, "form.toml").unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(dir.path().join("inspections.csv"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text.matches('\n').count(), 3, "{text:?}");
    assert_eq!(text.matches("\r\n").count(), 3, "{text:?}");
    assert!(text.ends_with("forced_labour\r\n"), "{text:?}");
    assert!(record::ids_in(dir.path()).contains("V-1"));
}

#[test]
fn lines_inside_a_multi_line_note_are_not_keys() {
    let c = checklist();
    let text = "version = 1\nsite_id = \"S1\"\n[answers.docs_held]\nanswer = \"yes\"\nnote = \"\"\"kept in the office\n[answers.debt_owed]\nanswer = yes\n\"\"\"\n[answers.debt_owed]\nanswer = \"maybe\"\n";
    let e = Form::parse(text, "f.toml", &c).unwrap_err().to_string();
    assert!(e.contains("line 10") && e.contains("debt_owed"), "{e}");
}
