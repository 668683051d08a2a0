//! The printable briefing of one visit of a joint plan, in Markdown: the
//! site and its day, the team and why each member goes, the reasons per
//! agency, the workers exposed as counts, and the source records behind
//! the reasons by file and line (the same records `tilsyn explain` lists).
//!
//! A briefing names no person. Person ids are pseudonyms already, but a
//! briefing is printed and carried: the register rows that name workers
//! (payroll months, residences) are given as line ranges only, inspectors'
//! notes are never printed, and workers appear only as counts.

use std::collections::HashMap;
use std::fmt::Write as _;

use polars::prelude::PolarsResult;

use super::{JointPlan, JointRow, Role};
use crate::claims::report::md;
use crate::data::parse::to_days;
use crate::indicators::Indicator;
use crate::indicators::explain::number;
use crate::pipeline::Scored;
use crate::rank::evidence::{self, Record};
use crate::rank::register_evidence::register_records;
use crate::rank::rows::{Reason, workers_text};

/// The tables whose records are listed, in this order.
const TABLES: [&str; 5] = ["inspections", "findings", "tips", "payroll", "residences"];

/// Tables whose record summaries name workers by pseudonym: listed by line
/// only.
const NAMING_TABLES: [&str; 2] = ["payroll", "residences"];

/// A site id as a file-name part: letters, digits, `-` and `_` kept, any
/// other character replaced by `_`.
fn file_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The briefing's file name: `day<DD>_<site>` for a scheduled visit,
/// `unscheduled_<site>` for a visit no day could take, `visit<NN>_<site>`
/// in a plan without days (and `removed_<site>` for a removed site), with
/// the Markdown extension.
pub fn file_name(row: &JointRow) -> String {
    let site = file_part(&row.row.site.site_id);
    let stem = match (row.day, row.visit) {
        (Some(d), _) => format!("day{d:02}"),
        (None, Some(_)) if row.unscheduled.is_some() => "unscheduled".to_string(),
        (None, Some(v)) => format!("visit{v:02}"),
        (None, None) => "removed".to_string(),
    };
    format!("{stem}_{site}.md")
}

/// `a-b` ranges of sorted line numbers, each with the file: `payroll.csv:2-10`.
fn line_ranges(file: &str, lines: &[i64]) -> Vec<String> {
    let mut sorted = lines.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = Vec::new();
    let mut k = 0;
    while k < sorted.len() {
        let first = sorted[k];
        let mut last = first;
        while k + 1 < sorted.len() && sorted[k + 1] == last + 1 {
            k += 1;
            last = sorted[k];
        }
        out.push(if first == last {
            format!("`{file}:{first}`")
        } else {
            format!("`{file}:{first}-{last}`")
        });
        k += 1;
    }
    out
}

fn role_text(role: Role) -> &'static str {
    match role {
        Role::Listed => "plan agency",
        Role::CalledIn => "called in",
        Role::Lead => "lead agency",
    }
}

fn reason_line(out: &mut String, r: &Reason, index: &HashMap<&str, &Indicator>) {
    let context = index
        .get(r.indicator.as_str())
        .is_some_and(|d| d.context_only());
    let kind = format!("{:?}", r.kind).to_lowercase();
    let _ = writeln!(
        out,
        "- `{}` ({kind}, weight {:.2}{}): {}",
        r.indicator,
        r.weight,
        if context {
            ", context only: it calls no agency in"
        } else {
            ""
        },
        md(&r.text)
    );
}

/// The briefing of one row of a joint plan.
pub fn briefing(scored: &Scored, plan: &JointPlan, row: &JointRow) -> PolarsResult<String> {
    let s = &row.row.site;
    let cat = &scored.catalogue.catalogue;
    let index: HashMap<&str, &Indicator> =
        cat.indicators.iter().map(|d| (d.id.as_str(), d)).collect();
    let frame = &scored.assessment.frame;
    let feature = |name: &str| {
        frame
            .column(name)
            .ok()
            .and_then(|c| c.get(s.row).ok())
            .and_then(|v| number(&v))
    };
    let mut out = String::new();
    let name = s.name.as_deref().map(md);
    let _ = writeln!(
        out,
        "# Visit briefing: site {}{}\n",
        md(&s.site_id),
        name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
    );

    // The site and the visit.
    out.push_str("| | |\n|---|---|\n");
    let _ = writeln!(
        out,
        "| Site | {} — {} |",
        md(&s.site_id),
        name.as_deref().unwrap_or("(no name)")
    );
    let _ = writeln!(
        out,
        "| Company (CVR) | {} |",
        s.company_id.as_deref().map_or_else(|| "-".to_string(), md)
    );
    let _ = writeln!(
        out,
        "| Area | {}{} |",
        md(&row.area.label),
        s.region
            .as_deref()
            .map(|r| format!(", {}", md(r)))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "| Postcode | {} |",
        super::postcode_of(scored, s)
            .as_deref()
            .map_or_else(|| "-".to_string(), md)
    );
    let _ = writeln!(
        out,
        "| Sector | {}{} |",
        s.sector_code.as_deref().map_or_else(|| "-".to_string(), md),
        s.risk_group
            .as_deref()
            .map(|g| format!(" (risk group {})", md(g)))
            .unwrap_or_default()
    );
    let when = match (row.day, row.stop, &row.unscheduled) {
        (Some(d), Some(k), _) => {
            let in_day = plan
                .days
                .iter()
                .find(|r| r.day.day == d)
                .map_or(0, |r| r.day.site_ids.len());
            format!(
                "day {d} of {}, visit {k} of {in_day} that day",
                plan.days.len()
            )
        }
        (_, _, Some(why)) => format!("not scheduled: {}", md(why)),
        _ if row.visit.is_none() => "not visited: removed from the plan".to_string(),
        _ => "the plan is not bundled into days".to_string(),
    };
    let _ = writeln!(out, "| When | {when} |");
    let _ = writeln!(
        out,
        "| Rank | {} (priority {:.2}, {}) |",
        s.rank,
        s.priority,
        s.tier.label()
    );
    let decision = match (&row.row.decision_reason, row.row.selection) {
        (Some(why), _) => format!(
            "{} by {}: {}",
            row.row.decision.id(),
            md(&row.row.decided_by),
            md(why)
        ),
        (None, Some(sel)) => {
            let how = format!("{sel:?}").to_lowercase();
            format!("recommended ({how} pick)")
        }
        (None, None) => row.row.decision.id().to_string(),
    };
    let _ = writeln!(out, "| Decision | {decision} |");
    let _ = writeln!(
        out,
        "| Plan | {} (lead {}), as of {} |",
        plan.agencies.join(", "),
        plan.agencies.first().map_or("-", String::as_str),
        plan.as_of
    );

    // The team.
    out.push_str("\n## Team\n\n");
    for m in &row.team {
        let _ = writeln!(
            out,
            "- **{}** ({}): {}",
            m.agency,
            role_text(m.role),
            md(&m.why)
        );
    }

    // The reasons per agency.
    out.push_str("\n## Reasons per agency\n");
    for a in &row.reasons_by_agency {
        let _ = writeln!(
            out,
            "\n### {} ({})\n",
            a.agency,
            if a.in_team {
                "in the team"
            } else {
                "not in the team"
            }
        );
        for r in &a.reasons {
            reason_line(&mut out, r, &index);
        }
    }
    if !row.reasons_without_agency.is_empty() {
        out.push_str("\n### No agency\n\n");
        for r in &row.reasons_without_agency {
            reason_line(&mut out, r, &index);
        }
    }
    if row.reasons_by_agency.is_empty() && row.reasons_without_agency.is_empty() {
        out.push_str(
            "\nNo indicator fired at this site: the visit is an exploration pick or a person's choice.\n",
        );
    }

    // The workers, as counts.
    out.push_str("\n## Workers exposed (counts only)\n\n| | count |\n|---|---|\n");
    let count = |v: Option<f64>| v.map_or_else(|| "unknown".to_string(), |x| format!("{x:.0}"));
    let _ = writeln!(
        out,
        "| workers exposed (the largest of the counts below) | {} |",
        workers_text(s.workers_exposed, s.workers_known)
    );
    for (label, feature_name) in [
        ("permit holders", "permit_workers"),
        ("persons on the payroll, last 12 months", "payroll_workers"),
        ("permit holders with a known address", "housed_workers"),
        ("posted workers, last 365 days", "posted_workers"),
        (
            "most workers affected in one finding",
            "findings_workers_affected_max",
        ),
        ("employees in the sites register", "employees"),
    ] {
        let _ = writeln!(out, "| {label} | {} |", count(feature(feature_name)));
    }
    out.push_str("\nThis briefing names no worker: the source rows below hold their pseudonyms.\n");

    // The source records behind the reasons.
    let mut records: Vec<Record> = evidence::records(
        &scored.data,
        &s.site_id,
        s.company_id.as_deref(),
        to_days(scored.as_of),
        false,
    )?;
    records.extend(register_records(&scored.data, &s.site_id, scored.as_of)?);
    records.retain(|r| !r.after_as_of);
    // Which agencies' reasons read each table.
    let mut readers: HashMap<&str, Vec<&str>> = HashMap::new();
    let groups = row
        .reasons_by_agency
        .iter()
        .map(|a| (a.agency.as_str(), a.reasons.as_slice()))
        .chain(std::iter::once((
            "no agency",
            row.reasons_without_agency.as_slice(),
        )));
    for (who, reasons) in groups {
        for r in reasons {
            let needs = index
                .get(r.indicator.as_str())
                .map(|d| d.needs.as_slice())
                .unwrap_or(&[]);
            for t in TABLES {
                if needs.iter().any(|n| n == t) {
                    let list = readers.entry(t).or_default();
                    if !list.contains(&who) {
                        list.push(who);
                    }
                }
            }
        }
    }
    out.push_str("\n## Source records (file:line)\n");
    if records.is_empty() {
        out.push_str("\nNo inspection, finding, tip, payroll or residence record of this site up to the as-of date.\n");
    }
    for t in TABLES {
        let rows: Vec<&Record> = records.iter().filter(|r| r.table == t).collect();
        let Some(first) = rows.first() else {
            continue;
        };
        let behind = match readers.get(t) {
            Some(who) => format!("behind the reasons of {}", who.join(", ")),
            None => "read by no reason here".to_string(),
        };
        let _ = writeln!(out, "\n### {} ({behind})\n", md(&first.file));
        if NAMING_TABLES.contains(&t) {
            let lines: Vec<i64> = rows.iter().map(|r| r.line).collect();
            let dates: Vec<&str> = rows.iter().filter_map(|r| r.date.as_deref()).collect();
            let span = match (dates.iter().min(), dates.iter().max()) {
                (Some(a), Some(b)) if a != b => format!(", {a} to {b}"),
                (Some(a), _) => format!(", {a}"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "- {} ({} row(s){span}; by line only: the rows name workers by pseudonym)",
                line_ranges(&first.file, &lines).join(", "),
                rows.len()
            );
        } else {
            for r in &rows {
                let summary = r.summary.replace(
                    " (note hidden: --show-notes)",
                    " (the inspector's note is not printed)",
                );
                let _ = writeln!(
                    out,
                    "- `{}:{}` ({}): {}",
                    r.file,
                    r.line,
                    r.date.as_deref().unwrap_or("no date"),
                    md(&summary)
                );
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{file_part, line_ranges};

    #[test]
    fn line_ranges_join_consecutive_lines() {
        assert_eq!(
            line_ranges("payroll.csv", &[7, 2, 3, 4, 9, 10, 3]),
            ["`payroll.csv:2-4`", "`payroll.csv:7`", "`payroll.csv:9-10`"]
        );
        assert!(line_ranges("x.csv", &[]).is_empty());
    }

    #[test]
    fn site_ids_become_safe_file_names() {
        assert_eq!(file_part("7000000001"), "7000000001");
        assert_eq!(file_part("../a b/c"), "___a_b_c");
    }
}
