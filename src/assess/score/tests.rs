//! Scoring table tests: all risky, all safe, nothing answered, a realistic mix, observed escalation and the unknown rule.

use super::*;

fn questionnaire() -> Questionnaire {
    Questionnaire::bundled().unwrap_or_else(|e| panic!("{e}"))
}

fn all(
    q: &Questionnaire,
    pick: impl Fn(&crate::assess::questionnaire::Question) -> Answer,
) -> Answers {
    let mut a = Answers::empty();
    for question in &q.questions {
        a.set(&question.id, Some(pick(question)));
    }
    a
}

fn assert_ordered(actions: &[Action]) {
    for w in actions.windows(2) {
        assert!(
            w[0].reduction > w[1].reduction
                || (w[0].reduction == w[1].reduction && w[0].question < w[1].question),
            "{} ({}) before {} ({})",
            w[0].question,
            w[0].reduction,
            w[1].question,
            w[1].reduction
        );
    }
    for (i, a) in actions.iter().enumerate() {
        assert_eq!(a.rank, i + 1);
    }
}

#[test]
fn all_risky_is_critical_with_every_covered_ilo_indicator_observed_or_signalled() {
    let q = questionnaire();
    let r = score(&q, &all(&q, |x| x.risky));
    assert_eq!(r.level, RiskLevel::Critical, "{:?}", r.reasons);
    assert!((r.risk_share - 1.0).abs() < 1e-12);
    for line in &r.ilo {
        if line.questions > 0 {
            assert!(
                matches!(line.status, IloStatus::Observed | IloStatus::Signalled),
                "{}: {:?}",
                line.id,
                line.status
            );
        }
    }
    assert!(r.profile.contains(&IloStatus::Observed));
    assert_eq!(r.actions.len(), q.len());
    assert!(r.open.is_empty());
    assert_ordered(&r.actions);
}

#[test]
fn all_safe_is_low_with_everything_clear() {
    let q = questionnaire();
    let r = score(&q, &all(&q, |x| x.safe()));
    assert_eq!(r.level, RiskLevel::Low, "{:?}", r.reasons);
    assert_eq!(r.risk_score, 0.0);
    assert!(r.actions.is_empty());
    assert!(
        r.profile.iter().all(|s| *s == IloStatus::Clear),
        "{}",
        r.strip()
    );
    assert_eq!(r.answered, q.len());
    assert_eq!(r.unknown_share, 0.0);
}

#[test]
fn nothing_answered_is_all_unknown_and_never_low() {
    let q = questionnaire();
    let r = score(&q, &Answers::empty());
    assert_eq!(r.level, RiskLevel::Medium);
    assert!(r.profile.iter().all(|s| *s == IloStatus::Unknown));
    assert_eq!(r.open.len(), q.len());
    assert!((r.unknown_share - 1.0).abs() < 1e-12);
    assert!(
        r.reasons.iter().any(|x| x.contains("never safe")),
        "{:?}",
        r.reasons
    );
}

#[test]
fn a_realistic_mix_is_medium_with_actions_ordered_by_risk_reduction() {
    let q = questionnaire();
    let mut a = all(&q, |x| x.safe());
    for id in [
        "qt_risk_sector",
        "qt_low_paid_foreign",
        "qt_subcontracting",
        "qt_recruiters_abroad",
    ] {
        a.set(id, Some(Answer::Yes));
    }
    for id in [
        "a_spot_checks",
        "a_csr_report",
        "b_photo_id",
        "c_vetting",
        "c_fees_confirmed",
    ] {
        a.set(id, Some(Answer::No));
    }
    for id in [
        "a_grievance",
        "b_hours_recorded",
        "b_interpreter",
        "b_payslips",
        "c_documentation",
        "rf_long_days",
        "rf_pay_complaints",
    ] {
        a.set(id, Some(Answer::Partly));
    }
    for id in [
        "b_housing_standard",
        "b_housing_rent",
        "c_rut",
        "b_free_to_leave_housing",
    ] {
        a.set(id, Some(Answer::Na));
    }
    let r = score(&q, &a);
    assert_eq!(
        r.level,
        RiskLevel::Medium,
        "share {} {:?}",
        r.risk_share,
        r.reasons
    );
    assert!(!r.profile.contains(&IloStatus::Observed), "{}", r.strip());
    assert_eq!(
        r.ilo[7].status,
        IloStatus::Signalled,
        "partly on a weight-3 question is signalled"
    );
    assert_eq!(r.not_applicable, 4);
    assert_ordered(&r.actions);
    let order: Vec<&str> = r.actions.iter().map(|x| x.question.as_str()).collect();
    assert_eq!(
        order[..5],
        [
            "c_fees_confirmed",
            "a_spot_checks",
            "c_vetting",
            "rf_pay_complaints",
            "a_grievance"
        ],
        "{order:?}"
    );
    assert_eq!(order.last(), Some(&"b_interpreter"));
    // Retention of documents: every question answered safely.
    assert_eq!(r.ilo[6].status, IloStatus::Clear);
}

#[test]
fn observed_indicators_raise_the_level() {
    let q = questionnaire();
    let mut a = all(&q, |x| x.safe());
    a.set("b_documents_held", Some(Answer::Yes));
    let r = score(&q, &a);
    assert_eq!(r.level, RiskLevel::High, "{:?}", r.reasons);
    assert_eq!(r.ilo[6].status, IloStatus::Observed);
    assert_eq!(r.actions[0].question, "b_documents_held");
    a.set("b_deposits", Some(Answer::Yes));
    let r = score(&q, &a);
    assert_eq!(r.level, RiskLevel::Critical, "{:?}", r.reasons);
    // A partly answer to the same question only signals.
    a.set("b_deposits", Some(Answer::Partly));
    a.set("b_documents_held", Some(Answer::Partly));
    let r = score(&q, &a);
    assert_eq!(r.ilo[6].status, IloStatus::Signalled);
    assert!(!r.profile.contains(&IloStatus::Observed));
}

#[test]
fn more_than_30_percent_unknown_is_never_low() {
    let q = questionnaire();
    let mut a = Answers::empty();
    for question in q.questions.iter().take(q.len() / 2) {
        a.set(&question.id, Some(question.safe()));
    }
    let r = score(&q, &a);
    assert!(r.unknown_share > MAX_UNKNOWN_FOR_LOW);
    assert_eq!(r.level, RiskLevel::Medium, "{:?}", r.reasons);
    assert!(
        r.reasons.iter().any(|x| x.contains("cannot be low")),
        "{:?}",
        r.reasons
    );
    // Unanswered questions keep their ILO indicators unknown.
    assert!(r.ilo.iter().any(|l| l.status == IloStatus::Unknown));
    // An ILO indicator whose questions are all "na" is clear.
    let mut b = all(&q, |x| x.safe());
    for question in q
        .questions
        .iter()
        .filter(|x| x.ilo.iter().any(|i| i == "retention_of_documents"))
    {
        b.set(&question.id, Some(Answer::Na));
    }
    assert_eq!(score(&q, &b).ilo[6].status, IloStatus::Clear);
}
