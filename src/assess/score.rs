//! Scoring a self-assessment: the ILO profile the answers imply (the same
//! 11 indicators and statuses the inspectors see), the risk level with its
//! reasons, the actions ordered by how much each lowers the risk score,
//! and the unanswered questions as open items.
//!
//! * **ILO profile.** For each of the 11 ILO indicators, over the questions
//!   marked for it: *observed* when the risky answer was given to one with
//!   weight ≥ 3 (its risky answer is itself a sign of forced labour);
//!   *signalled* for any other risky or "partly" answer; *unknown* when one
//!   of its questions is unanswered and none is risky (or no question
//!   covers it); *clear* when all were answered safely or not applicable.
//! * **Risk score.** The sum of weight × risky share over the answered
//!   questions (risky answer 1, "partly" the question's `partly` share,
//!   safe answer and "na" 0). The **risk share** divides it by the weight
//!   of the questions answered (na excluded); the **unknown share** is the
//!   weight of unanswered questions over the weight of all applicable ones.
//! * **Risk level.** From the risk share: low below 10%, medium below 25%,
//!   high below 45%, critical from 45%. Raised to at least high when an ILO
//!   indicator is observed, to critical when three or more are (the ILO
//!   says several indicators together point to forced labour), and to at
//!   least medium when more than 30% is unknown: unknown is never safe.
//! * **Actions.** One per risky or partly answer, ordered by the reduction
//!   of the risk score it brings (weight × risky share), ties by question id.

use serde::Serialize;

use super::answers::{Answer, Answers};
use super::questionnaire::{Questionnaire, Step};
use crate::data::ILO_INDICATORS;
use crate::indicators::IloStatus;

/// A risky answer to a question with at least this weight shows as observed.
pub const OBSERVED_WEIGHT: f64 = 3.0;
/// Risk share from which the level is medium.
pub const MEDIUM_FROM: f64 = 0.10;
/// Risk share from which the level is high.
pub const HIGH_FROM: f64 = 0.25;
/// Risk share from which the level is critical.
pub const CRITICAL_FROM: f64 = 0.45;
/// Observed ILO indicators that make the level critical.
pub const CRITICAL_OBSERVED: usize = 3;
/// Above this unknown share the level is never low.
pub const MAX_UNKNOWN_FOR_LOW: f64 = 0.30;

/// The overall risk level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// Few risky answers.
    Low,
    /// Some risky answers, or too much unknown.
    Medium,
    /// Many risky answers, or a forced-labour indicator observed.
    High,
    /// Most answers risky, or several forced-labour indicators observed.
    Critical,
}

impl RiskLevel {
    /// The snake_case id.
    pub fn id(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Critical => "critical",
        }
    }

    /// The level a risk share alone gives.
    pub fn from_share(share: f64) -> RiskLevel {
        if share >= CRITICAL_FROM {
            RiskLevel::Critical
        } else if share >= HIGH_FROM {
            RiskLevel::High
        } else if share >= MEDIUM_FROM {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }
}

impl std::fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// The readable name of an ILO indicator id.
pub fn ilo_label(id: &str) -> &'static str {
    match id {
        "abuse_of_vulnerability" => "Abuse of vulnerability",
        "deception" => "Deception",
        "restriction_of_movement" => "Restriction of movement",
        "isolation" => "Isolation",
        "physical_sexual_violence" => "Physical and sexual violence",
        "intimidation_threats" => "Intimidation and threats",
        "retention_of_documents" => "Retention of identity documents",
        "withholding_of_wages" => "Withholding of wages",
        "debt_bondage" => "Debt bondage",
        "abusive_conditions" => "Abusive working and living conditions",
        "excessive_overtime" => "Excessive overtime",
        _ => "unknown indicator",
    }
}

/// One ILO indicator in the profile.
#[derive(Debug, Clone, Serialize)]
pub struct IloLine {
    /// ILO id.
    pub id: &'static str,
    /// Readable name.
    pub label: &'static str,
    /// The status the answers imply.
    pub status: IloStatus,
    /// Questions for it with a risky or partly answer.
    pub risky: Vec<String>,
    /// Questions for it not answered.
    pub unanswered: Vec<String>,
    /// Questions marked for it.
    pub questions: usize,
}

/// One action, for a risky or partly answer.
#[derive(Debug, Clone, Serialize)]
pub struct Action {
    /// 1-based position: do the first one first.
    pub rank: usize,
    /// The question id.
    pub question: String,
    /// Its step.
    pub step: Step,
    /// The question.
    pub question_text: String,
    /// The answer given.
    pub answer: Answer,
    /// How much taking the action lowers the risk score.
    pub reduction: f64,
    /// What to do.
    pub action: String,
    /// ILO indicators it guards against.
    pub ilo: Vec<String>,
    /// Catalogue indicators it guards against.
    pub indicators: Vec<String>,
    /// Where the check comes from.
    pub guide: String,
}

/// An unanswered question.
#[derive(Debug, Clone, Serialize)]
pub struct OpenItem {
    /// The question id.
    pub question: String,
    /// Its step.
    pub step: Step,
    /// The question.
    pub text: String,
    /// Its weight.
    pub weight: f64,
}

/// Progress and risky answers in one step.
#[derive(Debug, Clone, Serialize)]
pub struct StepSummary {
    /// The step.
    pub step: Step,
    /// Its readable name.
    pub label: &'static str,
    /// Questions in it.
    pub total: usize,
    /// Questions answered (not applicable included).
    pub answered: usize,
    /// Questions with a risky or partly answer.
    pub risky: usize,
}

/// The result of a self-assessment.
#[derive(Debug, Clone, Serialize)]
pub struct SelfAssessment {
    /// The risk level.
    pub level: RiskLevel,
    /// Why, in plain words.
    pub reasons: Vec<String>,
    /// Sum of weight × risky share over the answered questions.
    pub risk_score: f64,
    /// Weight of the questions answered, not applicable excluded.
    pub answered_weight: f64,
    /// `risk_score / answered_weight` (0 when nothing is answered).
    pub risk_share: f64,
    /// Weight of the unanswered questions.
    pub unknown_weight: f64,
    /// `unknown_weight / (answered_weight + unknown_weight)`.
    pub unknown_share: f64,
    /// Questions in the questionnaire.
    pub questions: usize,
    /// Questions answered (not applicable included).
    pub answered: usize,
    /// Questions answered "na".
    pub not_applicable: usize,
    /// Questions not answered.
    pub unknown: usize,
    /// The 11 statuses, in the ILO order.
    pub profile: [IloStatus; 11],
    /// The 11 indicators with the questions behind each status.
    pub ilo: Vec<IloLine>,
    /// What to do, first things first.
    pub actions: Vec<Action>,
    /// Unanswered questions, in questionnaire order.
    pub open: Vec<OpenItem>,
    /// Per step.
    pub steps: Vec<StepSummary>,
}

impl SelfAssessment {
    /// The 11-character strip (`●` observed, `◐` signalled, `·` clear, `?` unknown).
    pub fn strip(&self) -> String {
        self.profile.iter().map(|s| s.symbol()).collect()
    }
}

/// Scores answers against a questionnaire.
pub fn score(questionnaire: &Questionnaire, answers: &Answers) -> SelfAssessment {
    let mut ilo: Vec<IloLine> = ILO_INDICATORS
        .iter()
        .map(|&id| IloLine {
            id,
            label: ilo_label(id),
            status: IloStatus::Unknown,
            risky: Vec::new(),
            unanswered: Vec::new(),
            questions: 0,
        })
        .collect();
    let mut observed = [false; 11];
    let mut signalled = [false; 11];
    let (mut risk_score, mut answered_weight, mut unknown_weight) = (0.0f64, 0.0f64, 0.0f64);
    let (mut answered, mut not_applicable) = (0usize, 0usize);
    let mut actions = Vec::new();
    let mut open = Vec::new();
    let mut steps: Vec<StepSummary> = Step::ALL
        .iter()
        .map(|s| StepSummary {
            step: *s,
            label: s.label(),
            total: 0,
            answered: 0,
            risky: 0,
        })
        .collect();

    for q in &questionnaire.questions {
        let idx: Vec<usize> = q
            .ilo
            .iter()
            .filter_map(|x| ILO_INDICATORS.iter().position(|i| i == x))
            .collect();
        for &k in &idx {
            ilo[k].questions += 1;
        }
        let step = Step::ALL.iter().position(|s| *s == q.step).unwrap_or(0);
        steps[step].total += 1;
        let Some(answer) = answers.get(&q.id) else {
            unknown_weight += q.weight;
            for &k in &idx {
                ilo[k].unanswered.push(q.id.clone());
            }
            open.push(OpenItem {
                question: q.id.clone(),
                step: q.step,
                text: q.text.clone(),
                weight: q.weight,
            });
            continue;
        };
        answered += 1;
        steps[step].answered += 1;
        if answer == Answer::Na {
            not_applicable += 1;
            continue;
        }
        answered_weight += q.weight;
        let share = q.risky_share(answer);
        if share <= 0.0 {
            continue;
        }
        steps[step].risky += 1;
        let reduction = q.weight * share;
        risk_score += reduction;
        let full = answer == q.risky && q.weight >= OBSERVED_WEIGHT;
        for &k in &idx {
            ilo[k].risky.push(q.id.clone());
            if full {
                observed[k] = true;
            } else {
                signalled[k] = true;
            }
        }
        actions.push(Action {
            rank: 0,
            question: q.id.clone(),
            step: q.step,
            question_text: q.text.clone(),
            answer,
            reduction,
            action: q.action.clone(),
            ilo: q.ilo.clone(),
            indicators: q.indicators.clone(),
            guide: q.guide.clone(),
        });
    }

    let mut profile = [IloStatus::Unknown; 11];
    for (k, line) in ilo.iter_mut().enumerate() {
        line.status = if observed[k] {
            IloStatus::Observed
        } else if signalled[k] {
            IloStatus::Signalled
        } else if line.questions == 0 || !line.unanswered.is_empty() {
            IloStatus::Unknown
        } else {
            IloStatus::Clear
        };
        profile[k] = line.status;
    }
    actions.sort_by(|a, b| {
        b.reduction
            .total_cmp(&a.reduction)
            .then_with(|| a.question.cmp(&b.question))
    });
    for (i, a) in actions.iter_mut().enumerate() {
        a.rank = i + 1;
    }

    let risk_share = if answered_weight > 0.0 {
        risk_score / answered_weight
    } else {
        0.0
    };
    let applicable = answered_weight + unknown_weight;
    let unknown_share = if applicable > 0.0 {
        unknown_weight / applicable
    } else {
        0.0
    };
    let (level, reasons) = level_and_reasons(
        &ilo,
        risk_score,
        answered_weight,
        risk_share,
        unknown_share,
        open.len(),
    );

    SelfAssessment {
        level,
        reasons,
        risk_score,
        answered_weight,
        risk_share,
        unknown_weight,
        unknown_share,
        questions: questionnaire.questions.len(),
        answered,
        not_applicable,
        unknown: open.len(),
        profile,
        ilo,
        actions,
        open,
        steps,
    }
}

fn level_and_reasons(
    ilo: &[IloLine],
    risk_score: f64,
    answered_weight: f64,
    risk_share: f64,
    unknown_share: f64,
    unanswered: usize,
) -> (RiskLevel, Vec<String>) {
    let mut reasons = Vec::new();
    let mut level = RiskLevel::from_share(risk_share);
    if answered_weight > 0.0 {
        reasons.push(format!(
            "risky answers make up {:.0}% of the weight of the questions answered ({:.1} of {:.1}); that share alone gives {}",
            risk_share * 100.0,
            risk_score,
            answered_weight,
            level
        ));
    } else {
        reasons.push("no question has been answered other than \"not applicable\"".to_string());
    }
    let with = |status: IloStatus| -> Vec<&'static str> {
        ilo.iter()
            .filter(|l| l.status == status)
            .map(|l| l.id)
            .collect()
    };
    let observed = with(IloStatus::Observed);
    if observed.len() >= CRITICAL_OBSERVED {
        level = RiskLevel::Critical;
        reasons.push(format!(
            "{} ILO indicators of forced labour are observed ({}): answers that are themselves signs of forced labour, and several together point to it, so the level is critical",
            observed.len(),
            observed.join(", ")
        ));
    } else if !observed.is_empty() {
        level = level.max(RiskLevel::High);
        reasons.push(format!(
            "{} ILO indicator(s) of forced labour observed ({}): an answer that is itself a sign of forced labour makes the level at least high",
            observed.len(),
            observed.join(", ")
        ));
    }
    let signalled = with(IloStatus::Signalled);
    if !signalled.is_empty() {
        reasons.push(format!(
            "{} ILO indicator(s) signalled by risky or partly answers ({})",
            signalled.len(),
            signalled.join(", ")
        ));
    }
    if unanswered > 0 {
        let mut r = format!(
            "{unanswered} question(s) unanswered, {:.0}% of the weight: unanswered questions are unknown, never safe",
            unknown_share * 100.0
        );
        if unknown_share > MAX_UNKNOWN_FOR_LOW {
            if level == RiskLevel::Low {
                r.push_str(&format!(
                    "; with more than {:.0}% unknown the level cannot be low",
                    MAX_UNKNOWN_FOR_LOW * 100.0
                ));
            }
            level = level.max(RiskLevel::Medium);
        }
        reasons.push(r);
    }
    (level, reasons)
}

#[cfg(test)]
mod tests;
