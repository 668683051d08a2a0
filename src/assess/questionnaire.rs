//! The self-assessment questionnaire as data: its TOML format, loading, and
//! the checks that every question has a unique id, a known step, a risky
//! answer, a positive weight, and refers to real ILO ids and to indicators
//! that exist in the catalogue. Errors name the question and the line of
//! the file, as the catalogue's do.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::answers::Answer;
use crate::data::ILO_INDICATORS;
use crate::indicators::Catalogue;

/// The bundled questionnaire, for when no file is given.
pub const BUNDLED: &str = include_str!("../../models/self_assessment.toml");

/// The name the bundled questionnaire is reported under.
pub const BUNDLED_NAME: &str = "models/self_assessment.toml";

/// A step of the employer guide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The quick risk test: how exposed the company is.
    QuickTest,
    /// Checklist A: general precautions and policy.
    ChecklistA,
    /// Checklist B: direct recruitment and employment.
    ChecklistB,
    /// Checklist C: subcontractors.
    ChecklistC,
    /// Red flags in recruitment, housing and at the workplace.
    RedFlags,
}

impl Step {
    /// All steps, in the guide's order.
    pub const ALL: [Step; 5] = [
        Step::QuickTest,
        Step::ChecklistA,
        Step::ChecklistB,
        Step::ChecklistC,
        Step::RedFlags,
    ];

    /// The snake_case id used in the questionnaire file.
    pub fn id(self) -> &'static str {
        match self {
            Step::QuickTest => "quick_test",
            Step::ChecklistA => "checklist_a",
            Step::ChecklistB => "checklist_b",
            Step::ChecklistC => "checklist_c",
            Step::RedFlags => "red_flags",
        }
    }

    /// A readable name.
    pub fn label(self) -> &'static str {
        match self {
            Step::QuickTest => "Quick risk test",
            Step::ChecklistA => "Checklist A: general precautions and policy",
            Step::ChecklistB => "Checklist B: direct recruitment and employment",
            Step::ChecklistC => "Checklist C: subcontractors",
            Step::RedFlags => "Red flags: recruitment, housing and the workplace",
        }
    }

    /// Parses an id.
    pub fn from_id(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|x| x.id() == s)
    }
}

/// One question.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    /// Unique id; the key in an answers file.
    pub id: String,
    /// The guide step it belongs to.
    pub step: Step,
    /// The question.
    pub text: String,
    /// The risky answer: `Yes` or `No`.
    pub risky: Answer,
    /// How much a risky answer adds to the risk score.
    pub weight: f64,
    /// The share of the weight a "partly" answer adds (0..1).
    pub partly: f64,
    /// The ILO indicator ids a risky answer points to.
    pub ilo: Vec<String>,
    /// The catalogue indicators the question guards against.
    pub indicators: Vec<String>,
    /// What to do when the answer is the risky one.
    pub action: String,
    /// Where the check comes from.
    pub guide: String,
}

impl Question {
    /// The share of the weight an answer adds: 1 for the risky answer, the
    /// `partly` share for "partly", 0 for the safe answer and "na".
    pub fn risky_share(&self, answer: Answer) -> f64 {
        match answer {
            Answer::Partly => self.partly,
            Answer::Na => 0.0,
            a if a == self.risky => 1.0,
            _ => 0.0,
        }
    }

    /// The safe answer (the opposite of the risky one).
    pub fn safe(&self) -> Answer {
        if self.risky == Answer::Yes {
            Answer::No
        } else {
            Answer::Yes
        }
    }
}

/// The questionnaire.
#[derive(Debug, Clone, Serialize)]
pub struct Questionnaire {
    /// Format version.
    pub version: u32,
    /// The questions, in file order.
    pub questions: Vec<Question>,
    /// Where it was read from.
    #[serde(skip)]
    pub file: String,
    /// Line of each question's `id` in the file (1-based; 0 if not found).
    #[serde(skip)]
    pub lines: Vec<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: u32,
    #[serde(rename = "question", default)]
    questions: Vec<RawQuestion>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    step: String,
    text: String,
    risky: String,
    weight: f64,
    #[serde(default = "default_partly")]
    partly: f64,
    #[serde(default)]
    ilo: Vec<String>,
    #[serde(default)]
    indicators: Vec<String>,
    action: String,
    #[serde(default)]
    guide: String,
}

fn default_partly() -> f64 {
    0.5
}

/// A questionnaire that cannot be used: which file, question and line (or
/// the catalogue its questions refer to).
pub type QuestionnaireError = crate::tomlfile::TomlFileError;

impl Questionnaire {
    /// The questionnaire shipped in `models/self_assessment.toml`, checked
    /// against the bundled catalogue.
    pub fn bundled() -> Result<Questionnaire, QuestionnaireError> {
        let catalogue = Catalogue::bundled()?;
        Self::parse(BUNDLED, BUNDLED_NAME, &catalogue)
    }

    /// Reads and checks a questionnaire file against a catalogue.
    pub fn from_file(
        path: &Path,
        catalogue: &Catalogue,
    ) -> Result<Questionnaire, QuestionnaireError> {
        let text = std::fs::read_to_string(path).map_err(|source| QuestionnaireError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string(), catalogue)
    }

    /// Parses questionnaire text and checks every question, its ILO ids and
    /// its indicator ids (which must exist in `catalogue`).
    pub fn parse(
        text: &str,
        file: &str,
        catalogue: &Catalogue,
    ) -> Result<Questionnaire, QuestionnaireError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| QuestionnaireError::Parse {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        if raw.version != 1 {
            return Err(QuestionnaireError::Parse {
                file: file.to_string(),
                message: format!(
                    "version {} is not supported; this tilsyn reads version 1",
                    raw.version
                ),
            });
        }
        if raw.questions.is_empty() {
            return Err(QuestionnaireError::Parse {
                file: file.to_string(),
                message: "no [[question]] entries".to_string(),
            });
        }
        let ids: Vec<&str> = raw.questions.iter().map(|q| q.id.as_str()).collect();
        let lines = crate::tomlfile::id_lines(text, &ids);
        let known: HashSet<&str> = catalogue.indicators.iter().map(|d| d.id.as_str()).collect();
        let mut seen = HashSet::new();
        let mut questions = Vec::with_capacity(raw.questions.len());
        for (i, q) in raw.questions.into_iter().enumerate() {
            let err = |message: String| QuestionnaireError::Entry {
                kind: "question",
                file: file.to_string(),
                line: lines.get(i).copied().unwrap_or(0),
                id: q.id.clone(),
                message,
            };
            if let Some(problem) = crate::tomlfile::id_problem(&q.id, &mut seen) {
                return Err(err(problem.into()));
            }
            let step = Step::from_id(&q.step).ok_or_else(|| {
                err(format!(
                    "step '{}' is not a step; use one of {}",
                    q.step,
                    Step::ALL
                        .iter()
                        .map(|s| s.id())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            let risky = match q.risky.as_str() {
                "yes" => Answer::Yes,
                "no" => Answer::No,
                other => {
                    return Err(err(format!(
                        "risky = '{other}': the risky answer is \"yes\" or \"no\""
                    )));
                }
            };
            if !q.weight.is_finite() || q.weight <= 0.0 {
                return Err(err(format!(
                    "weight {}: must be a positive number",
                    q.weight
                )));
            }
            if !q.partly.is_finite() || !(0.0..=1.0).contains(&q.partly) {
                return Err(err(format!(
                    "partly {}: must be a share between 0 and 1",
                    q.partly
                )));
            }
            if q.text.trim().is_empty() {
                return Err(err("`text` is empty: write the question".into()));
            }
            if q.action.trim().is_empty() {
                return Err(err(
                    "`action` is empty: say what to do when the answer is the risky one".into(),
                ));
            }
            for x in &q.ilo {
                if !ILO_INDICATORS.contains(&x.as_str()) {
                    return Err(err(format!(
                        "'{x}' is not an ILO indicator id; use one of {}",
                        ILO_INDICATORS.join(", ")
                    )));
                }
            }
            for x in &q.indicators {
                if !known.contains(x.as_str()) {
                    return Err(err(format!(
                        "indicator '{x}' is not in the catalogue; `tilsyn indicators` lists the ids"
                    )));
                }
            }
            if q.ilo.is_empty() && q.indicators.is_empty() {
                return Err(err(
                    "`ilo` and `indicators` are both empty: name what the question guards against"
                        .into(),
                ));
            }
            questions.push(Question {
                id: q.id,
                step,
                text: q.text,
                risky,
                weight: q.weight,
                partly: q.partly,
                ilo: q.ilo,
                indicators: q.indicators,
                action: q.action,
                guide: q.guide,
            });
        }
        Ok(Questionnaire {
            version: raw.version,
            questions,
            file: file.to_string(),
            lines,
        })
    }

    /// The question with an id.
    pub fn get(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// The position of a question.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.id == id)
    }

    /// The number of questions.
    pub fn len(&self) -> usize {
        self.questions.len()
    }

    /// Whether there are no questions (never true for a parsed file).
    pub fn is_empty(&self) -> bool {
        self.questions.is_empty()
    }

    /// The questions of one step, in file order.
    pub fn in_step(&self, step: Step) -> impl Iterator<Item = &Question> {
        self.questions.iter().filter(move |q| q.step == step)
    }
}

#[cfg(test)]
mod tests;
