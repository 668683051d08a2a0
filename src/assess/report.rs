//! The self-assessment report: the company, the date, the 11-indicator ILO
//! profile, the risk level with its reasons, the actions in order and the
//! unanswered questions as open items. Written as plain text for the
//! terminal, as JSON (serde) for other tools, and as Markdown for the
//! annual CSR report the employer guide recommends. The same answers always
//! give the same report: the date comes from the answers file or the caller.

use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::Serialize;

use super::answers::{Answers, Company, wrap};
use super::questionnaire::Questionnaire;
use super::score::{SelfAssessment, score};
use crate::indicators::IloStatus;

/// A scored self-assessment with who and when.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always "tilsyn self-assessment".
    pub tool: &'static str,
    /// The company assessed.
    pub company: Company,
    /// The date of the assessment.
    pub date: NaiveDate,
    /// The questionnaire file.
    pub questionnaire: String,
    /// Its format version.
    pub questionnaire_version: u32,
    /// The result.
    pub result: SelfAssessment,
}

const METHOD: &str = "tilsyn self-assessment after the Danish employer guide *Managing the Risk of Hidden Forced Labour* (Center mod Menneskehandel, 2014), the ILO employers' handbook on forced labour and the ILO fair recruitment principles";

const LEGEND: &str = "observed = a risky answer that is itself a sign of forced labour; signalled = a risky or partly answer; clear = every question answered safely or not applicable; unknown = a question not answered (never counted as safe)";

impl Report {
    /// Scores the answers; the date is the answers file's, else `today`.
    pub fn new(questionnaire: &Questionnaire, answers: &Answers, today: NaiveDate) -> Report {
        Report {
            tool: "tilsyn self-assessment",
            company: answers.company.clone(),
            date: answers.company.date.unwrap_or(today),
            questionnaire: questionnaire.file.clone(),
            questionnaire_version: questionnaire.version,
            result: score(questionnaire, answers),
        }
    }

    fn company_line(&self) -> String {
        let name = self
            .company
            .name
            .as_deref()
            .unwrap_or("(company not named)");
        match &self.company.cvr {
            Some(cvr) => format!("{name} (CVR {cvr})"),
            None => name.to_string(),
        }
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string_pretty(self)
    }

    /// The report as plain text for the terminal.
    pub fn to_text(&self) -> String {
        let r = &self.result;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "tilsyn self-assessment · {} · {}",
            self.company_line(),
            self.date
        );
        let _ = writeln!(
            out,
            "Risk level: {}   (risky share {:.0}%, unknown {:.0}%; {} of {} questions answered, {} not applicable)",
            r.level.id().to_uppercase(),
            r.risk_share * 100.0,
            r.unknown_share * 100.0,
            r.answered,
            r.questions,
            r.not_applicable
        );
        for reason in &r.reasons {
            write_wrapped(&mut out, "  - ", "    ", reason);
        }
        let _ = writeln!(
            out,
            "\nILO indicator profile  {}  (● observed ◐ signalled · clear ? unknown)",
            r.strip()
        );
        for line in &r.ilo {
            let because = if !line.risky.is_empty() {
                line.risky.join(", ")
            } else if !line.unanswered.is_empty() {
                format!("unanswered: {}", line.unanswered.join(", "))
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {} {:<38} {:<10} {}",
                line.status.symbol(),
                line.label,
                line.status.name(),
                because
            );
        }
        if r.actions.is_empty() {
            let _ = writeln!(
                out,
                "\nWhat to do: no risky or partly answers. Repeat the assessment every year."
            );
        } else {
            let _ = writeln!(
                out,
                "\nWhat to do, first things first ({} actions):",
                r.actions.len()
            );
            for a in &r.actions {
                let head = format!("{:>3}. ", a.rank);
                write_wrapped(&mut out, &head, "     ", &a.action);
                let why = format!(
                    "[{}, answered \"{}\", lowers the risk score by {:.2}] {}",
                    a.question,
                    a.answer.id(),
                    a.reduction,
                    a.question_text
                );
                write_wrapped(&mut out, "     ", "     ", &why);
            }
        }
        if !r.open.is_empty() {
            let _ = writeln!(
                out,
                "\nOpen items: {} question(s) not answered (unknown, never safe):",
                r.open.len()
            );
            for o in &r.open {
                write_wrapped(
                    &mut out,
                    "  - ",
                    "    ",
                    &format!("{} [{}] {}", o.question, o.step.id(), o.text),
                );
            }
        }
        let _ = writeln!(out, "\nBy step:");
        for s in &r.steps {
            let _ = writeln!(
                out,
                "  {:<52} {:>3}/{:<3} answered, {} risky or partly",
                s.label, s.answered, s.total, s.risky
            );
        }
        out
    }

    /// The report as Markdown, for the annual or CSR report.
    pub fn to_markdown(&self) -> String {
        let r = &self.result;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# Forced-labour risk self-assessment: {}\n",
            md(&self.company_line())
        );
        out.push_str("| | |\n|---|---|\n");
        let _ = writeln!(
            out,
            "| Company | {} |",
            md(self.company.name.as_deref().unwrap_or("(not named)"))
        );
        let _ = writeln!(
            out,
            "| CVR | {} |",
            md(self.company.cvr.as_deref().unwrap_or("–"))
        );
        let _ = writeln!(out, "| Date | {} |", self.date);
        let _ = writeln!(
            out,
            "| Questions answered | {} of {} ({} not applicable) |",
            r.answered, r.questions, r.not_applicable
        );
        let _ = writeln!(out, "| Method | {METHOD} |\n");

        let _ = writeln!(out, "## Risk level: {}\n", r.level.id());
        let _ = writeln!(
            out,
            "Risky answers: {:.0}% of the weight of the questions answered. Unanswered: {:.0}% of the weight.\n",
            r.risk_share * 100.0,
            r.unknown_share * 100.0
        );
        for reason in &r.reasons {
            let _ = writeln!(out, "- {}", md(reason));
        }

        out.push_str("\n## ILO indicator profile\n\n");
        out.push_str("The 11 ILO indicators of forced labour (ILO 2012), with the status the answers imply: the same profile labour inspectors see for a workplace.\n\n");
        out.push_str("| # | ILO indicator | Status | Risky or partly answers | Unanswered |\n|---|---|---|---|---|\n");
        for (i, line) in r.ilo.iter().enumerate() {
            let status = match line.status {
                IloStatus::Observed | IloStatus::Signalled => format!("**{}**", line.status.name()),
                s => s.name().to_string(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                i + 1,
                line.label,
                status,
                code_list(&line.risky),
                code_list(&line.unanswered)
            );
        }
        let _ = writeln!(out, "\nStatus: {LEGEND}.\n");

        out.push_str("## Actions\n\n");
        if r.actions.is_empty() {
            out.push_str("No risky or partly answers: nothing to act on now. Repeat the assessment every year and after every new subcontractor or recruitment channel.\n");
        } else {
            out.push_str("In order of how much each lowers the risk score.\n\n");
            for a in &r.actions {
                let _ = writeln!(
                    out,
                    "{}. **{}** (lowers the risk score by {:.2}; `{}` answered \"{}\"; {})",
                    a.rank,
                    md(&a.action),
                    a.reduction,
                    a.question,
                    a.answer.id(),
                    a.step.label()
                );
                let _ = writeln!(out, "   - Question: {}", md(&a.question_text));
                if !a.guide.is_empty() {
                    let _ = writeln!(out, "   - Source: {}", md(&a.guide));
                }
            }
        }

        out.push_str("\n## Open items\n\n");
        if r.open.is_empty() {
            out.push_str("Every question is answered.\n");
        } else {
            out.push_str("Questions not yet answered. They count as unknown, never as safe.\n\n");
            for o in &r.open {
                let _ = writeln!(
                    out,
                    "- [ ] `{}` ({}): {}",
                    o.question,
                    o.step.label(),
                    md(&o.text)
                );
            }
        }

        out.push_str(
            "\n## Progress by step\n\n| Step | Answered | Risky or partly |\n|---|---|---|\n",
        );
        for s in &r.steps {
            let _ = writeln!(
                out,
                "| {} | {} of {} | {} |",
                s.label, s.answered, s.total, s.risky
            );
        }
        out
    }
}

fn write_wrapped(out: &mut String, first: &str, rest: &str, text: &str) {
    for (i, line) in wrap(text, 92).iter().enumerate() {
        let _ = writeln!(out, "{}{line}", if i == 0 { first } else { rest });
    }
}

/// Escapes text for a Markdown table cell or list item.
fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn code_list(ids: &[String]) -> String {
    if ids.is_empty() {
        "–".to_string()
    } else {
        ids.iter()
            .map(|x| format!("`{x}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::Answer;

    #[test]
    fn reports_name_the_company_profile_actions_and_open_items() {
        let q = Questionnaire::bundled().unwrap_or_else(|e| panic!("{e}"));
        let mut a = Answers::empty();
        a.company.name = Some("Byg | Co ApS".to_string());
        a.company.cvr = Some("12345678".to_string());
        for question in &q.questions {
            a.set(&question.id, Some(question.safe()));
        }
        a.set("b_fees", Some(Answer::Yes));
        a.set("qt_risk_sector", None);
        let day = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default();
        let report = Report::new(&q, &a, day);
        let md = report.to_markdown();
        for needle in [
            "# Forced-labour risk self-assessment: Byg \\| Co ApS (CVR 12345678)",
            "| # | ILO indicator |",
            "| 9 | Debt bondage | **observed** | `b_fees`",
            "## Actions",
            "1. **Pay all recruitment fees",
            "## Open items",
            "- [ ] `qt_risk_sector`",
            "2026-06-30",
        ] {
            assert!(md.contains(needle), "markdown lacks {needle:?}\n{md}");
        }
        let text = report.to_text();
        assert!(text.contains("Risk level: HIGH"), "{text}");
        assert!(text.contains("  1. Pay all recruitment fees"), "{text}");
        let json: serde_json::Value =
            serde_json::from_str(&report.to_json().unwrap_or_default()).unwrap_or_default();
        assert_eq!(json["result"]["level"], "high");
        assert_eq!(json["result"]["profile"][8], "observed");
        assert_eq!(json["date"], "2026-06-30");
        assert_eq!(json["result"]["actions"][0]["question"], "b_fees");
    }
}
