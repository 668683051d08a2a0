//! Answers files: a TOML file with an `[answers]` table
//! (`question_id = "yes" | "no" | "partly" | "na" | ""`) and an optional
//! `[company]` table (`name`, `cvr`, `date` of the assessment). Parsing
//! never panics: an unknown question id is an error naming it and its line,
//! a value that is not an answer is an error naming the question, the value
//! and the allowed values, and a question that is missing or `""` is
//! *unknown*. The writer lists every question as a comment with its text
//! and step, so the same format serves as the template, the interactive
//! session's save file and the input of `tilsyn assess --answers`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::questionnaire::{Question, Questionnaire};
use crate::data::mapping::toml_quote;

/// The allowed values of an answer, for messages.
pub const ALLOWED: &str =
    "\"yes\", \"no\", \"partly\", \"na\" (not applicable), or \"\" (not answered yet)";

/// One answer to one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Partly: in some places, for some workers, or sometimes.
    Partly,
    /// Not applicable to this company.
    Na,
}

impl Answer {
    /// All answers, in the order they are offered.
    pub const ALL: [Answer; 4] = [Answer::Yes, Answer::No, Answer::Partly, Answer::Na];

    /// The value written in an answers file.
    pub fn id(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::Partly => "partly",
            Answer::Na => "na",
        }
    }

    /// A readable name.
    pub fn label(self) -> &'static str {
        match self {
            Answer::Yes => "Yes",
            Answer::No => "No",
            Answer::Partly => "Partly",
            Answer::Na => "Not applicable",
        }
    }

    /// Parses a non-empty answer (case and surrounding spaces ignored;
    /// Danish ja / nej / delvis / ikke relevant accepted).
    pub fn from_text(s: &str) -> Option<Answer> {
        match s.trim().to_lowercase().as_str() {
            "yes" | "y" | "ja" => Some(Answer::Yes),
            "no" | "n" | "nej" => Some(Answer::No),
            "partly" | "partially" | "p" | "delvis" => Some(Answer::Partly),
            "na" | "n/a" | "not applicable" | "not_applicable" | "ikke relevant" => {
                Some(Answer::Na)
            }
            _ => None,
        }
    }
}

/// Who is assessed, and when.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Company {
    /// Company name.
    pub name: Option<String>,
    /// CVR number.
    pub cvr: Option<String>,
    /// Date of the assessment (default: the day the report is made).
    pub date: Option<NaiveDate>,
}

/// The answers given; a question without an entry is unknown.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Answers {
    /// The company.
    pub company: Company,
    /// Answers by question id.
    pub given: BTreeMap<String, Answer>,
}

/// An answers file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AnswersError {
    /// The file could not be read, or is not TOML or not the answers format.
    #[error(transparent)]
    File(#[from] crate::tomlfile::TomlFileError),
    /// Answers to questions that do not exist.
    #[error("{file}: {}; `tilsyn assess --template` lists every question id", describe_unknown(.unknown))]
    UnknownQuestions {
        /// The file.
        file: String,
        /// Each unknown id with its line (0 if not found).
        unknown: Vec<(String, usize)>,
    },
    /// A value that is not an answer.
    #[error("{file}: line {line}: question '{id}': {value} is not an answer; use one of {ALLOWED}")]
    InvalidValue {
        /// The file.
        file: String,
        /// The line of the answer.
        line: usize,
        /// The question.
        id: String,
        /// The value as written.
        value: String,
    },
    /// A wrong entry in `[company]`.
    #[error("{file}: line {line}: [company] {field}: {message}")]
    Company {
        /// The file.
        file: String,
        /// The line of the entry.
        line: usize,
        /// The key.
        field: String,
        /// What is wrong.
        message: String,
    },
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
    let noun = if unknown.len() == 1 {
        "question id"
    } else {
        "question ids"
    };
    format!("unknown {noun} {}", items.join(", "))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    company: Option<toml::Table>,
    #[serde(default)]
    answers: Option<toml::Table>,
}

impl Answers {
    /// No answers at all.
    pub fn empty() -> Answers {
        Answers::default()
    }

    /// The answer to a question; `None` is unknown.
    pub fn get(&self, id: &str) -> Option<Answer> {
        self.given.get(id).copied()
    }

    /// Sets (or, with `None`, clears) the answer to a question.
    pub fn set(&mut self, id: &str, answer: Option<Answer>) {
        match answer {
            Some(a) => {
                self.given.insert(id.to_string(), a);
            }
            None => {
                self.given.remove(id);
            }
        }
    }

    /// Reads an answers file.
    pub fn from_file(path: &Path, questionnaire: &Questionnaire) -> Result<Answers, AnswersError> {
        let bytes = std::fs::read(path).map_err(|source| crate::tomlfile::TomlFileError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let file = path.display().to_string();
        let text = String::from_utf8(bytes).map_err(|_| crate::tomlfile::TomlFileError::Parse {
            file: file.clone(),
            message: "the file is not UTF-8 text; save it as UTF-8".to_string(),
        })?;
        Self::parse(&text, &file, questionnaire)
    }

    /// Parses answers-file text.
    pub fn parse(
        text: &str,
        file: &str,
        questionnaire: &Questionnaire,
    ) -> Result<Answers, AnswersError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let raw: RawFile =
            toml::from_str(text).map_err(|e| crate::tomlfile::TomlFileError::Parse {
                file: file.to_string(),
                message: e.to_string(),
            })?;
        let lines = key_lines(text, "answers");
        let line_of = |k: &str| lines.get(k).copied().unwrap_or(0);
        let table = raw.answers.unwrap_or_default();
        let mut unknown: Vec<(String, usize)> = table
            .keys()
            .filter(|k| questionnaire.get(k).is_none())
            .map(|k| (k.clone(), line_of(k)))
            .collect();
        if !unknown.is_empty() {
            unknown.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
            return Err(AnswersError::UnknownQuestions {
                file: file.to_string(),
                unknown,
            });
        }
        let mut entries: Vec<(usize, &String, &toml::Value)> =
            table.iter().map(|(k, v)| (line_of(k), k, v)).collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        let mut given = BTreeMap::new();
        for (line, id, value) in entries {
            let invalid = |value: String| AnswersError::InvalidValue {
                file: file.to_string(),
                line,
                id: id.clone(),
                value,
            };
            match value {
                toml::Value::String(s) if s.trim().is_empty() => {}
                toml::Value::String(s) => match Answer::from_text(s) {
                    Some(a) => {
                        given.insert(id.clone(), a);
                    }
                    None => return Err(invalid(format!("\"{s}\""))),
                },
                other => return Err(invalid(other.to_string())),
            }
        }
        let company = parse_company(raw.company.unwrap_or_default(), text, file)?;
        Ok(Answers { company, given })
    }

    /// The answers as an answers file: every question listed in order as a
    /// comment with its step and text, followed by `id = "answer"` (or `""`).
    pub fn to_toml(&self, questionnaire: &Questionnaire) -> String {
        let mut out = String::new();
        out.push_str(HEADER);
        out.push_str("\n[company]\n");
        let _ = writeln!(
            out,
            "name = {}",
            toml_quote(self.company.name.as_deref().unwrap_or(""))
        );
        let _ = writeln!(
            out,
            "cvr = {}",
            toml_quote(self.company.cvr.as_deref().unwrap_or(""))
        );
        out.push_str(
            "# The date of the assessment, YYYY-MM-DD; \"\" means the day the report is made.\n",
        );
        let date = self.company.date.map(|d| d.to_string()).unwrap_or_default();
        let _ = writeln!(out, "date = {}", toml_quote(&date));
        out.push_str("\n[answers]\n");
        let mut step = None;
        for q in &questionnaire.questions {
            if step != Some(q.step) {
                step = Some(q.step);
                let _ = write!(out, "\n# ==== {} ====\n", q.step.label());
            }
            out.push('\n');
            write_question_comment(&mut out, q);
            let value = self.get(&q.id).map_or("", Answer::id);
            let _ = writeln!(out, "{} = {}", q.id, toml_quote(value));
        }
        out
    }
}

/// An answers file listing every question, all unanswered.
pub fn template(questionnaire: &Questionnaire) -> String {
    Answers::empty().to_toml(questionnaire)
}

const HEADER: &str = "\
# tilsyn employer self-assessment: answers
#
# The questions follow the Danish employer guide on hidden forced labour
# (CMM 2014: quick risk test, checklists A, B and C, red flags), the ILO
# employers' handbook and the ILO fair recruitment principles.
#
# Answer each question with \"yes\", \"no\", \"partly\" or \"na\" (not applicable).
# Leave \"\" where you have no answer yet: an unanswered question counts as
# unknown, never as safe.
#
#   tilsyn assess --answers THIS_FILE                      continue in the terminal
#   tilsyn assess --answers THIS_FILE --format markdown    write the report
";

fn write_question_comment(out: &mut String, q: &Question) {
    let mut first = true;
    for line in wrap(&format!("[{}] {}", q.step.id(), q.text), 76) {
        let _ = writeln!(out, "# {}{line}", if first { "" } else { "  " });
        first = false;
    }
    let _ = writeln!(
        out,
        "#   risky answer: {} · weight {}",
        q.risky.id(),
        q.weight
    );
}

/// Word-wraps text to lines of at most `width` characters (longer words stay whole).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn parse_company(table: toml::Table, text: &str, file: &str) -> Result<Company, AnswersError> {
    let lines = key_lines(text, "company");
    let mut company = Company::default();
    for (key, value) in table {
        let line = lines.get(key.as_str()).copied().unwrap_or(0);
        let err = |message: String| AnswersError::Company {
            file: file.to_string(),
            line,
            field: key.clone(),
            message,
        };
        let s = match &value {
            toml::Value::String(s) => s.trim().to_string(),
            toml::Value::Integer(i) if key == "cvr" => i.to_string(),
            other => return Err(err(format!("{other} is not text; write it in quotes"))),
        };
        match key.as_str() {
            "name" => company.name = (!s.is_empty()).then_some(s),
            "cvr" => company.cvr = (!s.is_empty()).then_some(s),
            "date" if s.is_empty() => {}
            "date" => company.date = Some(crate::data::parse::parse_date(&s).map_err(err)?),
            _ => {
                return Err(err(
                    "unknown key; [company] takes name, cvr and date".to_string()
                ));
            }
        }
    }
    Ok(company)
}

/// The line (1-based) of each key of a table in TOML text: keys under a
/// `[table]` header, or dotted `table.key` keys before any header.
fn key_lines(text: &str, table: &str) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    let mut current: Option<String> = None;
    let dotted = format!("{table}.");
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.starts_with('[') {
            let name = t
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim();
            current = Some(name.to_string());
            continue;
        }
        let Some((k, _)) = t.split_once('=') else {
            continue;
        };
        let k = k.trim();
        let key = match current.as_deref() {
            Some(c) if c == table => k,
            None => match k.strip_prefix(&dotted) {
                Some(rest) => rest.trim(),
                None => continue,
            },
            Some(_) => continue,
        };
        let key = key.trim_matches('"').trim_matches('\'');
        out.entry(key.to_string()).or_insert(n + 1);
    }
    out
}

#[cfg(test)]
mod tests;
