//! The employer check: the applicant's site as `explain` sees it (the same
//! scoring path and explanation: rank, ILO tier, fired indicators, source
//! records) and the features about its history, company and owners
//! (`docs/features.md`): `severe_outcomes_5y`, `company_severe_other_sites`,
//! `network_linked_severe`, `network_phoenix`, `days_since_inspection`.
//!
//! Strong: the site in a top tier ([`rule::REFER_TIER`]), a severe outcome
//! at the site or at another site of its company in the last 5 years.
//! Medium: exploitation signals ([`rule::ASK_TIER`]), a linked company with
//! a severe outcome, a dissolved predecessor of the owners, any other
//! indicator that fired with weight. The check is made (clear possible)
//! only for a site inspected in the last 5 years: a site never inspected,
//! or not in the sites register at all, has no history and is unknown.

use super::{
    Application, Check, CheckKind, Reason, ScreenError, Weight, feature, is_severe_inspection,
    rule, site_row, within,
};
use crate::pipeline::Scored;
use crate::rank::explanation::{Explanation, explain_with};

/// Indicators the check states in its own words (not listed again among
/// the fired indicators).
const STATED: [&str; 4] = [
    "severe_outcome",
    "company_severe_elsewhere",
    "network_linked_severe",
    "network_phoenix",
];

/// The employer check of one application, and the explanation of the
/// employer's site (none when the site is not in the sites register).
pub(super) fn check(
    scored: &Scored,
    app: &Application,
) -> Result<(Check, Option<Explanation>), ScreenError> {
    let frame = &scored.assessment.frame;
    let Some(row) = site_row(frame, &app.site_id)? else {
        let reason = Reason::note(format!(
            "site {} is not in the sites register: an employer the registers have never seen",
            app.site_id
        ));
        return Ok((Check::new(CheckKind::Employer, false, vec![reason]), None));
    };
    let mut e = explain_with(scored, &app.site_id, false)
        .map_err(|err| ScreenError::Explain(format!("{err:#}")))?;
    // Payroll months and residences by person are not for a permit
    // decision: the screening names no person.
    e.register_records.clear();
    let f = |name: &str| feature(frame, name, row);
    let as_of = scored.as_of;
    let mut reasons = Vec::new();

    let standing = format!(
        "rank {} of {}, ILO tier {}, {}/11 ILO indicators assessed",
        e.rank, e.of, e.tier, e.coverage
    );
    if e.tier >= rule::REFER_TIER {
        reasons.push(Reason::concern(
            Weight::Strong,
            format!("the site is in a top ILO tier: {standing}"),
        ));
    } else if e.tier >= rule::ASK_TIER {
        reasons.push(Reason::concern(
            Weight::Medium,
            format!("the site shows exploitation signals: {standing}"),
        ));
    }
    if let Some(n) = f("severe_outcomes_5y").filter(|n| *n > 0.0) {
        let records = e
            .records
            .iter()
            .filter(|r| is_severe_inspection(r) && within(r, as_of, rule::HISTORY_DAYS))
            .cloned()
            .collect();
        reasons.push(
            Reason::concern(
                Weight::Strong,
                format!(
                    "{n:.0} inspection(s) of the site in the last 5 years ended in a police report, labour exploitation or forced labour"
                ),
            )
            .with_evidence(records),
        );
    }
    if let Some(n) = f("company_severe_other_sites").filter(|n| *n > 0.0) {
        reasons.push(Reason::concern(
            Weight::Strong,
            format!(
                "the company's other sites had {n:.0} severe outcome(s) (police report, labour exploitation, forced labour) in the last 5 years"
            ),
        ));
    }
    if let Some(n) = f("network_linked_severe").filter(|n| *n > 0.0) {
        reasons.push(Reason::concern(
            Weight::Medium,
            format!(
                "{n:.0} other company(ies) with an owner or director of this one had a severe outcome in the last 5 years"
            ),
        ));
    }
    if let Some(n) = f("network_phoenix").filter(|n| *n > 0.0) {
        reasons.push(Reason::concern(
            Weight::Medium,
            format!(
                "{n:.0} company(ies) in a risk sector run by its owners or directors were dissolved in the last 2 years"
            ),
        ));
    }
    let fired: Vec<String> = e
        .indicators
        .iter()
        .filter(|i| i.status == "fired" && i.weight.is_some_and(|w| w > 0.0))
        .filter(|i| !STATED.contains(&i.id.as_str()))
        .map(|i| format!("{} ({})", i.id, i.text))
        .collect();
    if !fired.is_empty() {
        reasons.push(Reason::concern(
            Weight::Medium,
            format!("indicators fired at the site: {}", fired.join("; ")),
        ));
    }

    // History: an inspection in the last 5 years is what makes the check.
    let since = f("days_since_inspection");
    let inspections = f("inspections").unwrap_or(0.0);
    // Without the findings table an inspection's "nothing found" is not
    // known: the history is then no check.
    let assessed = since.is_some_and(|d| d < rule::HISTORY_DAYS as f64)
        && scored.data.has(crate::data::Table::Findings);
    let inspection_records: Vec<_> = e
        .records
        .iter()
        .filter(|r| r.table == "inspections" && !r.after_as_of)
        .cloned()
        .collect();
    let history = match since {
        Some(d) if assessed => format!(
            "inspected {inspections:.0} time(s), the latest {d:.0} days before {as_of}; {standing}"
        ),
        Some(d) => format!(
            "last inspected {d:.0} days before {as_of}: no inspection in the last 5 years, no history to go by; {standing}"
        ),
        None => format!("never inspected: no history to go by; {standing}"),
    };
    reasons.push(Reason::note(history).with_evidence(inspection_records));
    if let Some(age) = f("company_age_years").filter(|a| *a < 2.0) {
        reasons.push(Reason::note(format!(
            "the company was founded {age:.1} years before {as_of}"
        )));
    }
    if let Some(n) = f("permit_workers") {
        reasons.push(Reason::note(format!(
            "{n:.0} permit holder(s) at the site now"
        )));
    }
    Ok((Check::new(CheckKind::Employer, assessed, reasons), Some(e)))
}
