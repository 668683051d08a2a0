//! The visit form: the data structure a printed checklist, a text editor or
//! a TUI fills in (one [`QuestionAnswer`] per question: yes / no / unknown,
//! the workers it concerns and a note, plus the visit's inspection id,
//! date, agency, trigger, outcome and selection probability), its TOML file
//! (written with every question in the site's checklist order, each with
//! its text as a comment), and the parser that reads a filled form back.
//!
//! Parsing never panics. A value that is not an answer, a workers count
//! that is not a whole number, an unknown key or an unknown question id is
//! an error naming the form file, the line, the question id and what to
//! write instead. A question that is missing or answered `""` is unknown:
//! it produces no record, as "unknown" does.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use super::checklist::{Checklist, Question, SiteContext, indicator_order, status_phrase};
use crate::assess::answers::wrap;
use crate::assess::score::ilo_label;
use crate::data::mapping::toml_quote;
use crate::data::schema::{AGENCIES, OUTCOMES, TRIGGERS};

mod parse;

use parse::{key_lines, parse_answer, parse_visit_field, text_value};

/// The form format this tilsyn writes and reads.
pub const FORM_VERSION: i64 = 1;

/// The largest workers count a finding may carry (the `findings` table's range).
pub const MAX_WORKERS: u32 = 100_000;

/// The allowed values of an answer, for messages.
pub const ALLOWED_ANSWERS: &str = "\"yes\", \"no\" or \"unknown\" (\"\" while not answered)";

/// One answer to one question.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitAnswer {
    /// The indicator is present: records a finding.
    Yes,
    /// Looked for and not found.
    No,
    /// Not looked at, or no clear answer (also a blank answer).
    #[default]
    Unknown,
}

impl VisitAnswer {
    /// All answers, in the order they are offered.
    pub const ALL: [VisitAnswer; 3] = [VisitAnswer::Yes, VisitAnswer::No, VisitAnswer::Unknown];

    /// The value written in a form (`""` for unknown, as in a fresh form).
    pub fn id(self) -> &'static str {
        match self {
            VisitAnswer::Yes => "yes",
            VisitAnswer::No => "no",
            VisitAnswer::Unknown => "unknown",
        }
    }

    /// Parses an answer (case and surrounding spaces ignored; Danish
    /// ja / nej / ved ikke accepted; blank is unknown).
    pub fn from_text(s: &str) -> Option<VisitAnswer> {
        match s.trim().to_lowercase().as_str() {
            "yes" | "y" | "ja" | "j" => Some(VisitAnswer::Yes),
            "no" | "n" | "nej" => Some(VisitAnswer::No),
            "" | "unknown" | "?" | "ved ikke" | "ukendt" => Some(VisitAnswer::Unknown),
            _ => None,
        }
    }
}

/// The answer to one question.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QuestionAnswer {
    /// Yes, no or unknown.
    pub answer: VisitAnswer,
    /// How many workers the answer concerns (0: not counted).
    pub workers: u32,
    /// The inspector's note (free text; masked when recorded).
    pub note: String,
}

/// The visit: what becomes its `inspections` row.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Visit {
    /// The visit's case id: its `inspection_id`.
    pub inspection_id: String,
    /// The day of the visit.
    pub date: Option<NaiveDate>,
    /// Who inspected (one of `AGENCIES`, or blank).
    pub agency: String,
    /// Why (one of `TRIGGERS`, or blank).
    pub trigger: String,
    /// What it led to (one of `OUTCOMES`, or blank).
    pub outcome: String,
    /// The chance the site had of being selected (from the visit plan).
    pub selection_probability: Option<f64>,
}

/// A visit form: the site, the visit and the answers by question id.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Form {
    /// The site visited.
    pub site_id: String,
    /// The visit.
    pub visit: Visit,
    /// Answers by question id; a question without one is unknown.
    pub answers: BTreeMap<String, QuestionAnswer>,
    /// Line of each key in the file it was read from (`visit.date`,
    /// `answers.<id>`, `answers.<id>.answer`), for messages.
    #[serde(skip)]
    pub lines: BTreeMap<String, usize>,
}

/// A visit form that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    /// The file could not be read, or is not TOML or not a visit form.
    #[error(transparent)]
    File(#[from] crate::tomlfile::TomlFileError),
    /// A wrong or missing visit field.
    #[error("{file}: {}{field}: {message}", at(*line))]
    Field {
        /// The file.
        file: String,
        /// The line (0 if not known).
        line: usize,
        /// The key (`visit.date`).
        field: String,
        /// What is wrong and what to write.
        message: String,
    },
    /// A wrong answer.
    #[error("{file}: {}question '{id}': {message}", at(*line))]
    Question {
        /// The file.
        file: String,
        /// The line (0 if not known).
        line: usize,
        /// The question.
        id: String,
        /// What is wrong and what to write.
        message: String,
    },
    /// Answers to questions that do not exist.
    #[error(
        "{file}: {}; `tilsyn visit checklist --site SITE --form FILE` writes a form with every question id",
        describe_unknown(unknown)
    )]
    UnknownQuestions {
        /// The file.
        file: String,
        /// Each unknown id with its line (0 if not found).
        unknown: Vec<(String, usize)>,
    },
}

/// `line N: ` or nothing.
fn at(line: usize) -> String {
    if line > 0 {
        format!("line {line}: ")
    } else {
        String::new()
    }
}

fn describe_unknown(unknown: &[(String, usize)]) -> String {
    let items: Vec<String> = unknown
        .iter()
        .map(|(id, line)| {
            if *line > 0 {
                format!("'{id}' (line {line})")
            } else {
                format!("'{id}'")
            }
        })
        .collect();
    format!("unknown question id(s) {}", items.join(", "))
}

impl Form {
    /// An empty form for a site: every question unknown.
    pub fn new(site_id: &str) -> Form {
        Form {
            site_id: site_id.to_string(),
            ..Form::default()
        }
    }

    /// The answer to a question, if one was given.
    pub fn get(&self, id: &str) -> Option<&QuestionAnswer> {
        self.answers.get(id)
    }

    /// The answer to a question (unknown, 0 workers, no note when none was given).
    pub fn answer(&self, id: &str) -> QuestionAnswer {
        self.answers.get(id).cloned().unwrap_or_default()
    }

    /// Sets the answer to a question.
    pub fn set(&mut self, id: &str, answer: QuestionAnswer) {
        self.answers.insert(id.to_string(), answer);
    }

    /// The line of a key in the file the form was read from (0 if not known).
    pub fn line_of(&self, key: &str) -> usize {
        self.lines.get(key).copied().unwrap_or(0)
    }

    /// Reads a form file.
    pub fn from_file(path: &Path, checklist: &Checklist) -> Result<Form, FormError> {
        let bytes = std::fs::read(path).map_err(|source| crate::tomlfile::TomlFileError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let file = path.display().to_string();
        let text = String::from_utf8(bytes).map_err(|_| crate::tomlfile::TomlFileError::Parse {
            file: file.clone(),
            message: "the file is not UTF-8 text; save it as UTF-8".to_string(),
        })?;
        Self::parse(&text, &file, checklist)
    }

    /// Parses form text against a checklist.
    pub fn parse(text: &str, file: &str, checklist: &Checklist) -> Result<Form, FormError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // toml's own message quotes the offending line, which may hold a
        // note: say where and what, never the text.
        let table: toml::Table =
            toml::from_str(text).map_err(|e| crate::tomlfile::TomlFileError::Parse {
                file: file.to_string(),
                message: match e.span() {
                    Some(span) => format!(
                        "line {}: {} (the line is not repeated here: it may hold a note)",
                        text.get(..span.start)
                            .map_or(0, |t| t.matches('\n').count())
                            + 1,
                        e.message()
                    ),
                    None => e.message().to_string(),
                },
            })?;
        let lines = key_lines(text);
        let line_of = |k: &str| lines.get(k).copied().unwrap_or(0);
        let field_err = |field: &str, message: String| FormError::Field {
            file: file.to_string(),
            line: line_of(field),
            field: field.to_string(),
            message,
        };
        let mut form = Form::default();
        for (key, value) in &table {
            match key.as_str() {
                "version" => {
                    if value.as_integer() != Some(FORM_VERSION) {
                        return Err(field_err(
                            "version",
                            format!(
                                "{value} is not supported; this tilsyn reads version = {FORM_VERSION}"
                            ),
                        ));
                    }
                }
                "site_id" => {
                    form.site_id = text_value(value).ok_or_else(|| {
                        field_err(
                            "site_id",
                            format!("a {} is not text; write it in quotes", value.type_str()),
                        )
                    })?;
                }
                "visit" | "answers" => {}
                other => {
                    return Err(field_err(
                        other,
                        "unknown key; a visit form holds version, site_id, [visit] and [answers.<question id>]".to_string(),
                    ));
                }
            }
        }
        if let Some(v) = table.get("visit") {
            let visit = v.as_table().ok_or_else(|| {
                field_err(
                    "visit",
                    "must be a table: write [visit] and its keys below it".to_string(),
                )
            })?;
            for (key, value) in visit {
                let field = format!("visit.{key}");
                parse_visit_field(&mut form.visit, key, value)
                    .map_err(|message| field_err(&field, message))?;
            }
        }
        if let Some(a) = table.get("answers") {
            let answers = a.as_table().ok_or_else(|| {
                field_err(
                    "answers",
                    "must hold one table per question: [answers.<question id>]".to_string(),
                )
            })?;
            let mut unknown: Vec<(String, usize)> = answers
                .keys()
                .filter(|k| checklist.get(k).is_none())
                .map(|k| (k.clone(), line_of(&format!("answers.{k}"))))
                .collect();
            if !unknown.is_empty() {
                unknown.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
                return Err(FormError::UnknownQuestions {
                    file: file.to_string(),
                    unknown,
                });
            }
            let mut entries: Vec<(usize, &String, &toml::Value)> = answers
                .iter()
                .map(|(k, v)| (line_of(&format!("answers.{k}")), k, v))
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
            for (_, id, value) in entries {
                let answer = parse_answer(id, value, &lines, file)?;
                form.answers.insert(id.clone(), answer);
            }
        }
        form.lines = lines;
        Ok(form)
    }

    /// The form as TOML: the visit fields, then every question of the
    /// checklist in the site's order (flagged indicators first), each with
    /// its text, method and what points to a victim as comments, and its
    /// `answer`, `workers` and `note`.
    pub fn to_toml(&self, checklist: &Checklist, ctx: &SiteContext) -> String {
        let mut out = String::new();
        out.push_str(HEADER);
        let _ = writeln!(out, "\nversion = {FORM_VERSION}");
        out.push_str("# The site visited (P-number).\n");
        let _ = writeln!(out, "site_id = {}", toml_quote(&self.site_id));
        out.push_str("\n[visit]\n");
        out.push_str(
            "# The visit's case id; it becomes the inspection_id and must not be in inspections.csv already.\n",
        );
        let _ = writeln!(
            out,
            "inspection_id = {}",
            toml_quote(&self.visit.inspection_id)
        );
        out.push_str("# The day of the visit, YYYY-MM-DD.\n");
        let date = self.visit.date.map(|d| d.to_string()).unwrap_or_default();
        let _ = writeln!(out, "date = {}", toml_quote(&date));
        let _ = writeln!(out, "# Who inspected: {}.", AGENCIES.join(", "));
        let _ = writeln!(out, "agency = {}", toml_quote(&self.visit.agency));
        let _ = writeln!(out, "# Why the site was visited: {}.", TRIGGERS.join(", "));
        let _ = writeln!(out, "trigger = {}", toml_quote(&self.visit.trigger));
        let _ = writeln!(
            out,
            "# What the visit led to, from least to most serious: {}.",
            OUTCOMES.join(", ")
        );
        out.push_str(
            "# referral_siri: referred to SIRI (permit conditions); referral_cmm: a possible victim referred to CMM (docs/visit.md).\n",
        );
        let _ = writeln!(out, "outcome = {}", toml_quote(&self.visit.outcome));
        out.push_str(
            "# The chance the site had of being selected, from the visit plan (plan.csv); \"\" if not known.\n",
        );
        match self.visit.selection_probability {
            Some(p) => {
                let _ = writeln!(out, "selection_probability = {p}");
            }
            None => out.push_str("selection_probability = \"\"\n"),
        }
        for ilo in indicator_order(ctx) {
            let _ = write!(
                out,
                "\n# ==== {} ({}) ====\n",
                ilo_label(ilo),
                status_phrase(ctx, ilo)
            );
            for q in checklist.for_indicator(ilo) {
                out.push('\n');
                write_question_comment(&mut out, q);
                let a = self.answer(&q.id);
                let value = match a.answer {
                    VisitAnswer::Unknown => "",
                    other => other.id(),
                };
                let _ = writeln!(out, "[answers.{}]", q.id);
                let _ = writeln!(out, "answer = {}", toml_quote(value));
                let _ = writeln!(out, "workers = {}", a.workers);
                let _ = writeln!(out, "note = {}", toml_quote(&a.note));
            }
        }
        out
    }

    /// What [`crate::visit::record::to_rows`] still needs before this form
    /// can be recorded, as the keys to fill in: `site_id`,
    /// `visit.inspection_id`, `visit.date`, `visit.agency`, and `answers`
    /// when no question of the checklist is answered yes or no. Empty when
    /// the form can be recorded.
    pub fn missing_for_record(&self, checklist: &Checklist) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.site_id.is_empty() {
            missing.push("site_id");
        }
        if self.visit.inspection_id.is_empty() {
            missing.push("visit.inspection_id");
        }
        if self.visit.date.is_none() {
            missing.push("visit.date");
        }
        if self.visit.agency.is_empty() {
            missing.push("visit.agency");
        }
        let answered = checklist.questions.iter().any(|q| {
            self.get(&q.id)
                .is_some_and(|a| a.answer != VisitAnswer::Unknown)
        });
        if !answered {
            missing.push("answers");
        }
        missing
    }
}

/// The file name of a site's visit form on a day:
/// `tilsyn-visit-<site>-<YYYY-MM-DD>.toml`, the site id's characters other
/// than letters, digits, `-` and `_` replaced by `_`.
pub fn file_name(site_id: &str, date: NaiveDate) -> String {
    let site: String = site_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("tilsyn-visit-{site}-{date}.toml")
}

/// The empty form of a site, as TOML.
pub fn blank_form(checklist: &Checklist, ctx: &SiteContext) -> String {
    Form::new(&ctx.site_id).to_toml(checklist, ctx)
}

const HEADER: &str = "\
# tilsyn visit form
#
# Fill in at or after the visit; the printed checklist (`tilsyn visit
# checklist`) has the same questions in the same order. Then:
#
#   tilsyn visit record --form THIS_FILE --data DIR     appends the visit to
#       inspections.csv (scope forced_labour) and one findings.csv row per
#       ILO indicator answered \"yes\"
#   tilsyn visit referral --form THIS_FILE --data DIR   the referral summary
#       for CMM: indicators, counts and permit schemes, no personal data
#
# answer   \"yes\": the indicator is present (records a finding);
#          \"no\": looked for and not found; \"unknown\" or \"\": not looked at.
# workers  how many workers the answer concerns (0: not counted).
# note     what you saw, in your own words. Write no names, CPR, passport,
#          phone or account numbers: notes are masked when recorded, but
#          names are not recognised.
#
# docs/visit.md explains how the answers become records.
";

fn write_question_comment(out: &mut String, q: &Question) {
    let delphi = q
        .delphi
        .as_ref()
        .map_or(String::new(), |d| format!(" · Delphi: {}", d.describe()));
    let _ = writeln!(out, "# [{}] {}{delphi}", q.id, q.method.label());
    for line in wrap(&q.text, 74) {
        let _ = writeln!(out, "#   {line}");
    }
    let mut first = true;
    for line in wrap(&format!("possible victim: {}", q.victim), 74) {
        let _ = writeln!(out, "#   {}{line}", if first { "" } else { "  " });
        first = false;
    }
    first = true;
    for line in wrap(&format!("poor conditions only: {}", q.poor_conditions), 74) {
        let _ = writeln!(out, "#   {}{line}", if first { "" } else { "  " });
        first = false;
    }
}
