//! Reading the values of a filled form: text and code fields, the visit's
//! fields, one question's answer, and the line of every key for the error
//! messages. No message repeats what was written (a note may hold anything).

use std::collections::BTreeMap;

use super::{ALLOWED_ANSWERS, FormError, MAX_WORKERS, QuestionAnswer, Visit, VisitAnswer};
use crate::data::schema::{AGENCIES, OUTCOMES, TRIGGERS};

/// A text value: a string (trimmed), or a whole number written without quotes.
pub(super) fn text_value(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.trim().to_string()),
        toml::Value::Integer(i) => Some(i.to_string()),
        _ => None,
    }
}

/// A code from a fixed list (any case), or blank.
pub(super) fn code(value: &toml::Value, allowed: &[&'static str]) -> Result<String, String> {
    let toml::Value::String(s) = value else {
        return Err(format!(
            "a {} is not text; write it in quotes",
            value.type_str()
        ));
    };
    let s = s.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(s))
        .map(|a| (*a).to_string())
        .ok_or_else(|| format!("'{s}' is not one of {}", allowed.join(", ")))
}

pub(super) fn parse_visit_field(
    visit: &mut Visit,
    key: &str,
    value: &toml::Value,
) -> Result<(), String> {
    match key {
        "inspection_id" => {
            visit.inspection_id = text_value(value)
                .ok_or_else(|| format!("a {} is not text; write it in quotes", value.type_str()))?;
        }
        "date" => {
            let s = match value {
                toml::Value::Datetime(d) => d.to_string(),
                other => text_value(other)
                    .ok_or_else(|| format!("{other} is not a date; write it as \"YYYY-MM-DD\""))?,
            };
            visit.date = if s.is_empty() {
                None
            } else {
                Some(
                    crate::data::parse::parse_date(&s)
                        .map_err(|m| format!("{m}; write the day of the visit as YYYY-MM-DD"))?,
                )
            };
        }
        "agency" => visit.agency = code(value, AGENCIES)?,
        "trigger" => visit.trigger = code(value, TRIGGERS)?,
        "outcome" => visit.outcome = code(value, OUTCOMES)?,
        "selection_probability" => {
            let p = match value {
                toml::Value::String(s) if s.trim().is_empty() => None,
                toml::Value::String(s) => Some(s.trim().parse::<f64>().map_err(|_| {
                    "the text is not a number; write the probability from the plan, e.g. 0.25, or \"\"".to_string()
                })?),
                toml::Value::Float(f) => Some(*f),
                toml::Value::Integer(i) => Some(*i as f64),
                other => {
                    return Err(format!(
                        "a {} is not a number; write the probability from the plan, e.g. 0.25, or \"\"",
                        other.type_str()
                    ));
                }
            };
            // The inspections table's own range, so a recorded visit loads.
            let min = crate::data::schema::Table::Inspections
                .columns()
                .iter()
                .find(|c| c.name == "selection_probability")
                .and_then(|c| c.range)
                .map_or(f64::MIN_POSITIVE, |r| r.min);
            if let Some(p) = p
                && !(p.is_finite() && p >= min && p <= 1.0)
            {
                return Err(format!(
                    "{p} is not a probability from {min:e} to 1; write the one the plan gave, or \"\""
                ));
            }
            visit.selection_probability = p;
        }
        _ => {
            return Err(
                "unknown key; [visit] takes inspection_id, date, agency, trigger, outcome and selection_probability"
                    .to_string(),
            );
        }
    }
    Ok(())
}

pub(super) fn parse_answer(
    id: &str,
    value: &toml::Value,
    lines: &BTreeMap<String, usize>,
    file: &str,
) -> Result<QuestionAnswer, FormError> {
    let base = format!("answers.{id}");
    let line_of = |key: &str| {
        lines
            .get(&format!("{base}.{key}"))
            .or_else(|| lines.get(&base))
            .copied()
            .unwrap_or(0)
    };
    let err = |key: &str, message: String| FormError::Question {
        file: file.to_string(),
        line: line_of(key),
        id: id.to_string(),
        message,
    };
    let answer_of = |s: &str| {
        VisitAnswer::from_text(s).ok_or_else(|| {
            err(
                "answer",
                format!("the answer is not one of {ALLOWED_ANSWERS}; write one of them (the value is not repeated here)"),
            )
        })
    };
    match value {
        toml::Value::String(s) => Ok(QuestionAnswer {
            answer: answer_of(s)?,
            ..QuestionAnswer::default()
        }),
        toml::Value::Table(t) => {
            let mut qa = QuestionAnswer::default();
            for (key, v) in t {
                match key.as_str() {
                    "answer" => {
                        let s = v.as_str().ok_or_else(|| {
                            err(
                                "answer",
                                format!(
                                    "answer is a {}, not text; write {ALLOWED_ANSWERS}",
                                    v.type_str()
                                ),
                            )
                        })?;
                        qa.answer = answer_of(s)?;
                    }
                    "workers" => {
                        let n = v.as_integer().ok_or_else(|| {
                            err(
                                "workers",
                                format!(
                                    "workers is a {}, not a whole number; write how many workers the answer concerns, without quotes (0: not counted)",
                                    v.type_str()
                                ),
                            )
                        })?;
                        qa.workers = u32::try_from(n)
                            .ok()
                            .filter(|n| *n <= MAX_WORKERS)
                            .ok_or_else(|| {
                                err(
                                    "workers",
                                    format!(
                                        "workers = {n}: write a number from 0 to {MAX_WORKERS}"
                                    ),
                                )
                            })?;
                    }
                    "note" => {
                        let s = v.as_str().ok_or_else(|| {
                            err(
                                "note",
                                format!("note is a {}, not text; write it in quotes", v.type_str()),
                            )
                        })?;
                        qa.note = s.trim().to_string();
                    }
                    other => {
                        return Err(err(
                            other,
                            format!(
                                "unknown key '{other}'; an answer takes answer, workers and note"
                            ),
                        ));
                    }
                }
            }
            Ok(qa)
        }
        other => Err(err(
            "answer",
            format!(
                "a {} is not an answer; write [answers.{id}] with answer = {ALLOWED_ANSWERS}",
                other.type_str()
            ),
        )),
    }
}

/// The line (1-based) of every key and table header in TOML text, by its
/// dotted path: `site_id`, `visit`, `visit.date`, `answers.docs_held`,
/// `answers.docs_held.answer`.
pub(super) fn key_lines(text: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    let mut current = String::new();
    // Inside a multi-line string ("""...""" or '''...'''), a line is text,
    // not a key or a table header.
    let mut open: Option<&str> = None;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        let was_open = open.is_some();
        for delim in ["\"\"\"", "'''"] {
            if open.is_none_or(|d| d == delim) && line.matches(delim).count() % 2 == 1 {
                open = if open.is_some() { None } else { Some(delim) };
            }
        }
        if was_open || t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.starts_with('[') {
            let name: String = t
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
                .collect();
            out.entry(name.clone()).or_insert(n + 1);
            current = name;
            continue;
        }
        let Some((k, _)) = t.split_once('=') else {
            continue;
        };
        let k: String = k
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
            .collect();
        let key = if current.is_empty() {
            k
        } else {
            format!("{current}.{k}")
        };
        out.entry(key).or_insert(n + 1);
    }
    out
}
