//! The visit checklist as data: its TOML format (`models/visit_checklist.toml`),
//! loading, and the checks that every question has a unique id, observes one
//! of the 11 ILO indicators, says what points to a victim and what to poor
//! conditions only, and names a whole Delphi item (dimension, item, strength)
//! or none; that every ILO indicator has a question; and the referral route.
//! Errors name the file, the question and its line, as the catalogue's do.
//! What the ranking says of the site, the order it gives the questions and
//! the printable Markdown checklist are in [`site`].

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::data::ILO_INDICATORS;
use crate::indicators::{Dimension, Strength};

mod site;

pub use site::{
    IloContext, Ranking, SiteContext, indicator_order, is_flagged, status_phrase, to_markdown,
};

/// The bundled checklist, for when no file is given.
pub const BUNDLED: &str = include_str!("../../models/visit_checklist.toml");

/// The name the bundled checklist is reported under.
pub const BUNDLED_NAME: &str = "models/visit_checklist.toml";

/// How an answer is found at the visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Ask the worker (alone, with an independent interpreter).
    Ask,
    /// Look at the site or the housing.
    Observe,
    /// Check contracts, payslips, time sheets, bank records.
    Records,
}

impl Method {
    /// All methods.
    pub const ALL: [Method; 3] = [Method::Ask, Method::Observe, Method::Records];

    /// The id used in the checklist file.
    pub fn id(self) -> &'static str {
        match self {
            Method::Ask => "ask",
            Method::Observe => "observe",
            Method::Records => "records",
        }
    }

    /// A readable name.
    pub fn label(self) -> &'static str {
        match self {
            Method::Ask => "ask the worker",
            Method::Observe => "observe",
            Method::Records => "check the records",
        }
    }

    /// Parses an id.
    pub fn from_id(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.id() == s)
    }
}

/// The snake_case id of a Delphi dimension, as the catalogue writes it.
pub fn dimension_id(d: Dimension) -> &'static str {
    match d {
        Dimension::DeceptiveRecruitment => "deceptive_recruitment",
        Dimension::CoerciveRecruitment => "coercive_recruitment",
        Dimension::RecruitmentAbuseOfVulnerability => "recruitment_abuse_of_vulnerability",
        Dimension::ExploitativeConditions => "exploitative_conditions",
        Dimension::CoercionAtDestination => "coercion_at_destination",
        Dimension::AbuseOfVulnerabilityAtDestination => "abuse_of_vulnerability_at_destination",
    }
}

/// The lower-case name of a Delphi strength.
pub fn strength_name(s: Strength) -> &'static str {
    match s {
        Strength::Strong => "strong",
        Strength::Medium => "medium",
        Strength::Weak => "weak",
    }
}

fn strength_from_id(s: &str) -> Option<Strength> {
    [Strength::Strong, Strength::Medium, Strength::Weak]
        .into_iter()
        .find(|x| strength_name(*x) == s)
}

/// The Delphi item a question observes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DelphiItem {
    /// The dimension.
    pub dimension: Dimension,
    /// The item, snake_case as in the catalogue.
    pub item: String,
    /// Its strength.
    pub strength: Strength,
}

impl DelphiItem {
    /// `coercion at destination: confiscation of documents (strong)`.
    pub fn describe(&self) -> String {
        format!(
            "{}: {} ({})",
            self.dimension.label(),
            self.item.replace('_', " "),
            strength_name(self.strength)
        )
    }
}

/// One question or observation.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    /// Unique id; the key in a visit form.
    pub id: String,
    /// The ILO indicator a "yes" records.
    pub ilo: &'static str,
    /// How the answer is found.
    pub method: Method,
    /// The question, answered yes (the indicator is present), no or unknown.
    pub text: String,
    /// What points to coercion: a possible victim.
    pub victim: String,
    /// What points to poor conditions only: a breach by an employer the worker is free to leave.
    pub poor_conditions: String,
    /// The Delphi item it observes, where one applies.
    pub delphi: Option<DelphiItem>,
}

/// The contact route printed on the referral summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralRoute {
    /// Who the referral goes to.
    pub to: String,
    /// How it is made.
    pub route: String,
    /// What the user must check before use (contact details).
    pub check: String,
}

/// The checklist.
#[derive(Debug, Clone, Serialize)]
pub struct Checklist {
    /// Format version.
    pub version: u32,
    /// The questions, in file order.
    pub questions: Vec<Question>,
    /// The referral route.
    pub referral: ReferralRoute,
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
    referral: RawReferral,
    #[serde(rename = "question", default)]
    questions: Vec<RawQuestion>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReferral {
    to: String,
    route: String,
    #[serde(default)]
    check: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    ilo: String,
    method: String,
    text: String,
    victim: String,
    poor_conditions: String,
    #[serde(default)]
    delphi_dimension: Option<String>,
    #[serde(default)]
    delphi_item: Option<String>,
    #[serde(default)]
    strength: Option<String>,
}

/// A checklist that cannot be used: which file, question and line.
pub type ChecklistError = crate::tomlfile::TomlFileError;

impl Checklist {
    /// The checklist shipped in `models/visit_checklist.toml`.
    pub fn bundled() -> Result<Checklist, ChecklistError> {
        Self::parse(BUNDLED, BUNDLED_NAME)
    }

    /// Reads and checks a checklist file.
    pub fn from_file(path: &Path) -> Result<Checklist, ChecklistError> {
        let text = std::fs::read_to_string(path).map_err(|source| ChecklistError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses checklist text and checks every question.
    pub fn parse(text: &str, file: &str) -> Result<Checklist, ChecklistError> {
        let parse_err = |message: String| ChecklistError::Parse {
            file: file.to_string(),
            message,
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| parse_err(e.to_string()))?;
        if raw.version != 1 {
            return Err(parse_err(format!(
                "version {} is not supported; this tilsyn reads version 1",
                raw.version
            )));
        }
        if raw.referral.to.trim().is_empty() || raw.referral.route.trim().is_empty() {
            return Err(parse_err(
                "[referral] needs `to` (who the referral goes to) and `route` (how it is made)"
                    .into(),
            ));
        }
        let ids: Vec<&str> = raw.questions.iter().map(|q| q.id.as_str()).collect();
        let lines = crate::tomlfile::id_lines(text, &ids);
        let mut seen = HashSet::new();
        let mut questions = Vec::with_capacity(raw.questions.len());
        for (i, q) in raw.questions.into_iter().enumerate() {
            let err = |message: String| ChecklistError::Entry {
                kind: "question",
                file: file.to_string(),
                line: lines.get(i).copied().unwrap_or(0),
                id: q.id.clone(),
                message,
            };
            if let Some(problem) = crate::tomlfile::id_problem(&q.id, &mut seen) {
                return Err(err(problem.into()));
            }
            let ilo = ILO_INDICATORS
                .iter()
                .find(|x| **x == q.ilo)
                .copied()
                .ok_or_else(|| {
                    err(format!(
                        "ilo = '{}' is not an ILO indicator id; use one of {}",
                        q.ilo,
                        ILO_INDICATORS.join(", ")
                    ))
                })?;
            let method = Method::from_id(&q.method).ok_or_else(|| {
                err(format!(
                    "method = '{}' is not a method; use ask, observe or records",
                    q.method
                ))
            })?;
            for (field, value) in [
                ("text", &q.text),
                ("victim", &q.victim),
                ("poor_conditions", &q.poor_conditions),
            ] {
                if value.trim().is_empty() {
                    return Err(err(format!(
                        "`{field}` is empty: a question says what it asks, and what answer points to a victim and what to poor conditions only"
                    )));
                }
            }
            let delphi = match (q.delphi_dimension, q.delphi_item, q.strength) {
                (None, None, None) => None,
                (Some(d), Some(item), Some(s)) => {
                    let dimension = Dimension::ALL
                        .into_iter()
                        .find(|x| dimension_id(*x) == d)
                        .ok_or_else(|| {
                            err(format!(
                                "delphi_dimension = '{d}' is not a Delphi dimension; use one of {}",
                                Dimension::ALL
                                    .iter()
                                    .map(|x| dimension_id(*x))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ))
                        })?;
                    let strength = strength_from_id(&s).ok_or_else(|| {
                        err(format!(
                            "strength = '{s}' is not a Delphi strength; use strong, medium or weak"
                        ))
                    })?;
                    if item.trim().is_empty() {
                        return Err(err("`delphi_item` is empty".into()));
                    }
                    Some(DelphiItem {
                        dimension,
                        item,
                        strength,
                    })
                }
                _ => {
                    return Err(err(
                        "delphi_dimension, delphi_item and strength go together: give all three or none"
                            .into(),
                    ));
                }
            };
            questions.push(Question {
                id: q.id,
                ilo,
                method,
                text: q.text,
                victim: q.victim,
                poor_conditions: q.poor_conditions,
                delphi,
            });
        }
        for ilo in ILO_INDICATORS {
            if !questions.iter().any(|q| q.ilo == ilo) {
                return Err(parse_err(format!(
                    "no question observes '{ilo}'; every one of the 11 ILO indicators needs at least one"
                )));
            }
        }
        Ok(Checklist {
            version: raw.version,
            questions,
            referral: ReferralRoute {
                to: raw.referral.to,
                route: raw.referral.route,
                check: raw.referral.check,
            },
            file: file.to_string(),
            lines,
        })
    }

    /// The question with an id.
    pub fn get(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// The questions that observe one ILO indicator, in file order.
    pub fn for_indicator<'a>(&'a self, ilo: &'a str) -> impl Iterator<Item = &'a Question> + 'a {
        self.questions.iter().filter(move |q| q.ilo == ilo)
    }

    /// Every question, grouped by ILO indicator in the site's order (see
    /// [`indicator_order`]), each group in file order.
    pub fn ordered(&self, ctx: &SiteContext) -> Vec<&Question> {
        indicator_order(ctx)
            .into_iter()
            .flat_map(|ilo| self.questions.iter().filter(move |q| q.ilo == ilo))
            .collect()
    }
}
