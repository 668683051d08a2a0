//! The recommendation rule and its thresholds: deterministic, the same
//! checks always give the same recommendation and the same reasons.
//!
//! - **refer for control** when any check raises a strong concern: the
//!   recruiter's other sites with findings of coercion or a severe outcome
//!   after the placement, the employer's site in a top ILO tier or with a
//!   severe outcome (or its company's other sites), stated pay below the
//!   scheme's threshold, crowded housing;
//! - **ask for documents** when only medium concerns hold, or when a check
//!   could not be made (unknown: an employer without history, a recruiter
//!   the registers do not know, housing or pay not stated);
//! - **grant** when every check was made and none raised a concern.
//!
//! The thresholds are the constants below, so that analysts can retune
//! them in one place (`docs/screen.md` lists them).

use serde::Serialize;

use super::{Check, Status, Weight};
use crate::indicators::Tier;

/// The lowest ILO tier of the employer's site that is a strong concern
/// (deception and exploitation, forced-labour indication).
pub const REFER_TIER: Tier = Tier::DeceptionAndExploitation;

/// The lowest ILO tier of the employer's site that is a medium concern
/// (exploitation signals).
pub const ASK_TIER: Tier = Tier::ExploitationSignals;

/// Days back an inspection counts as history: an employer, or a site a
/// recruiter placed workers at, inspected within them was looked at (the
/// evidence window of the catalogue, 5 years): less than this many days
/// before the as-of date, as the `severe_outcomes_5y` feature counts.
pub const HISTORY_DAYS: i64 = 1825;

/// Findings that show coercion (the ILO's menace of penalty and
/// involuntariness at destination): one at another site of the recruiter,
/// after the placement, is a strong concern; other findings are medium.
pub const COERCION_FINDINGS: [&str; 7] = [
    "restriction_of_movement",
    "isolation",
    "physical_sexual_violence",
    "intimidation_threats",
    "retention_of_documents",
    "withholding_of_wages",
    "debt_bondage",
];

/// Other sites of the recruiter with coercion findings or a severe outcome
/// from which the recruiter is a strong concern.
pub const RECRUITER_REFER_SITES: usize = 1;

/// Other employers housing workers at the address from which the housing
/// is a medium concern (crowding itself is strong: the overcrowding rule
/// is `crate::features::CROWDED_PERSONS_PER_ROOM`).
pub const SHARED_HOUSING_EMPLOYERS: usize = 2;

/// What to do with an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    /// Every check was made and none raised a concern.
    Grant,
    /// Medium concerns only, or a check could not be made.
    AskForDocuments,
    /// A strong concern: control before the permit is granted.
    ReferForControl,
}

impl Recommendation {
    /// The words shown.
    pub fn label(self) -> &'static str {
        match self {
            Recommendation::Grant => "grant",
            Recommendation::AskForDocuments => "ask for documents",
            Recommendation::ReferForControl => "refer for control",
        }
    }
}

impl std::fmt::Display for Recommendation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The recommendation for an application's checks, with its reasons, each
/// starting with the check it comes from (`recruiter: ...`): the strong
/// concerns of a referral; the medium concerns and the checks not made of
/// a request for documents; what each check looked at for a grant.
pub fn recommend(checks: &[Check]) -> (Recommendation, Vec<String>) {
    let concerns = |weight: Weight| -> Vec<String> {
        checks
            .iter()
            .flat_map(|c| {
                c.reasons
                    .iter()
                    .filter(move |r| r.concern == Some(weight))
                    .map(move |r| format!("{}: {}", c.check.name(), r.text))
            })
            .collect()
    };
    let strong = concerns(Weight::Strong);
    if !strong.is_empty() {
        return (Recommendation::ReferForControl, strong);
    }
    let mut ask = concerns(Weight::Medium);
    for c in checks.iter().filter(|c| c.status == Status::Unknown) {
        let why: Vec<&str> = c.reasons.iter().map(|r| r.text.as_str()).collect();
        ask.push(format!(
            "{}: not assessed: {}",
            c.check.name(),
            if why.is_empty() {
                "the registers say nothing".to_string()
            } else {
                why.join("; ")
            }
        ));
    }
    if !ask.is_empty() {
        return (Recommendation::AskForDocuments, ask);
    }
    let clear = checks
        .iter()
        .map(|c| {
            format!(
                "{}: clear: {}",
                c.check.name(),
                c.reasons
                    .first()
                    .map_or("nothing to check", |r| r.text.as_str())
            )
        })
        .collect();
    (Recommendation::Grant, clear)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screen::{CheckKind, Reason};

    fn check(kind: CheckKind, assessed: bool, reasons: Vec<Reason>) -> Check {
        Check::new(kind, assessed, reasons)
    }

    fn clear_checks() -> Vec<Check> {
        [
            CheckKind::Employer,
            CheckKind::Recruiter,
            CheckKind::Housing,
            CheckKind::Pay,
        ]
        .into_iter()
        .map(|k| {
            check(
                k,
                true,
                vec![Reason::note(format!("{} looked at", k.name()))],
            )
        })
        .collect()
    }

    #[test]
    fn every_check_made_and_clear_grants() {
        let checks = clear_checks();
        assert!(checks.iter().all(|c| c.status == Status::Clear));
        let (r, because) = recommend(&checks);
        assert_eq!(r, Recommendation::Grant);
        assert_eq!(because.len(), 4);
        assert_eq!(because[0], "employer: clear: employer looked at");
    }

    #[test]
    fn one_strong_concern_refers_and_names_its_check() {
        let mut checks = clear_checks();
        checks[1] = check(
            CheckKind::Recruiter,
            true,
            vec![
                Reason::note("placed 3 workers at 2 other sites"),
                Reason::concern(Weight::Strong, "retention_of_documents at site 1"),
            ],
        );
        // A medium concern and an unknown check elsewhere do not soften it.
        checks[0] = check(
            CheckKind::Employer,
            false,
            vec![Reason::concern(Weight::Medium, "young company")],
        );
        checks[3] = check(CheckKind::Pay, false, vec![Reason::note("no stated pay")]);
        let (r, because) = recommend(&checks);
        assert_eq!(r, Recommendation::ReferForControl);
        assert_eq!(
            because,
            vec!["recruiter: retention_of_documents at site 1".to_string()]
        );
        // Concerns come first within the check.
        assert_eq!(checks[1].reasons[0].concern, Some(Weight::Strong));
        assert_eq!(checks[1].status, Status::Concern);
        assert_eq!(checks[1].strongest(), Some(Weight::Strong));
    }

    #[test]
    fn medium_concerns_only_ask_for_documents() {
        let mut checks = clear_checks();
        checks[2] = check(
            CheckKind::Housing,
            true,
            vec![Reason::concern(
                Weight::Medium,
                "workers of 3 other employers live there",
            )],
        );
        let (r, because) = recommend(&checks);
        assert_eq!(r, Recommendation::AskForDocuments);
        assert_eq!(
            because,
            vec!["housing: workers of 3 other employers live there".to_string()]
        );
    }

    #[test]
    fn an_unknown_check_asks_for_documents_never_grants() {
        let mut checks = clear_checks();
        checks[0] = check(
            CheckKind::Employer,
            false,
            vec![Reason::note("never inspected: no history to go by")],
        );
        assert_eq!(checks[0].status, Status::Unknown);
        let (r, because) = recommend(&checks);
        assert_eq!(r, Recommendation::AskForDocuments);
        assert_eq!(
            because,
            vec!["employer: not assessed: never inspected: no history to go by".to_string()]
        );
    }
}
