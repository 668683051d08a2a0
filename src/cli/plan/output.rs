//! Writing a joint plan (`tilsyn plan --agencies`): the shared plan as CSV
//! (stdout, or `--out`) or JSON (`--out` ending in `.json`), one Markdown
//! briefing per visit (`--briefing DIR`), and the summary lines for stderr,
//! where every visit no day could take is named.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::indicators::catalogue::ACTING_AGENCIES;
use crate::pipeline::Scored;
use crate::rank::joint::{self, JointPlan, briefing};

/// Writes the shared plan: JSON when `out` ends in `.json`, else CSV (to
/// stdout without `out`).
pub fn write(plan: &JointPlan, out: Option<&Path>) -> anyhow::Result<()> {
    let create = |path: &Path| {
        std::fs::File::create(path)
            .map(std::io::BufWriter::new)
            .with_context(|| format!("cannot write {}", path.display()))
    };
    match out {
        Some(path)
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json")) =>
        {
            let mut f = create(path)?;
            serde_json::to_writer_pretty(&mut f, plan)?;
            writeln!(f)?;
            f.flush()?;
        }
        Some(path) => joint::write_csv(create(path)?, plan)?,
        None => joint::write_csv(std::io::BufWriter::new(std::io::stdout().lock()), plan)?,
    }
    Ok(())
}

/// Writes one briefing per visit into `dir` (created if needed) and
/// returns how many.
pub fn briefings(scored: &Scored, plan: &JointPlan, dir: &Path) -> anyhow::Result<Briefings> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = std::collections::BTreeSet::new();
    for row in plan.rows.iter().filter(|r| r.visit.is_some()) {
        let text = briefing::briefing(scored, plan, row)?;
        let name = briefing::file_name(row);
        let path = dir.join(&name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        written.insert(name);
    }
    // Briefings of an earlier plan in the same folder are not deleted (they
    // are the user's files) but named, so nobody takes one for this plan's.
    let mut stale: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| is_briefing_name(n) && !written.contains(n))
        .collect();
    stale.sort();
    Ok(Briefings {
        written: written.len(),
        stale,
    })
}

/// What [`briefings`] did.
pub struct Briefings {
    /// Files written.
    pub written: usize,
    /// Briefing files in the folder that this plan did not write.
    pub stale: Vec<String>,
}

/// Whether a file name is one [`briefing::file_name`] makes.
fn is_briefing_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".md") else {
        return false;
    };
    let Some((kind, _site)) = stem.split_once('_') else {
        return false;
    };
    kind == "unscheduled"
        || ["day", "visit"].iter().any(|p| {
            kind.strip_prefix(p)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// The summary of a joint plan, one line each, for stderr: the plan, how
/// many visits each agency joins, and with day routes every day and every
/// visit left without a day.
pub fn summary(plan: &JointPlan) -> Vec<String> {
    let mut lines = vec![format!(
        "joint plan for {} (lead {}): {} visits ({} kept, {} removed, {} added) from {} eligible sites; {} site(s) out of scope (their reasons are for other agencies only); a site is left out when every member of its team visited it in the last {} days",
        plan.agencies.join(", "),
        plan.agencies.first().map_or("-", String::as_str),
        plan.visits(),
        plan.kept,
        plan.removed,
        plan.added,
        plan.eligible,
        plan.out_of_scope,
        plan.exclude_inspected_days
    )];
    let counts: Vec<String> = ACTING_AGENCIES
        .iter()
        .filter_map(|a| {
            let n = plan
                .rows
                .iter()
                .filter(|r| r.visit.is_some() && r.team.iter().any(|m| m.agency == *a))
                .count();
            (n > 0).then(|| format!("{a} {n}"))
        })
        .collect();
    lines.push(format!("visits per agency: {}", counts.join(", ")));
    if let Some(b) = plan.bundling {
        let scheduled: usize = plan.days.iter().map(|d| d.day.site_ids.len()).sum();
        lines.push(format!(
            "days: {} of {} used, at most {} visits a day; {scheduled} of {} visits scheduled",
            plan.days.len(),
            b.days,
            b.visits_per_day,
            plan.visits()
        ));
        for d in &plan.days {
            lines.push(format!(
                "  day {}: {}: {} (team {})",
                d.day.day,
                d.day.label(),
                d.day.site_ids.join(", "),
                d.team.join(", ")
            ));
        }
        if plan.visits() > b.slots() {
            lines.push(format!(
                "warning: {} visits do not fit in {} days of {} visits",
                plan.visits(),
                b.days,
                b.visits_per_day
            ));
        }
        if !plan.unscheduled.is_empty() {
            lines.push(format!(
                "warning: {} visit(s) have no day:",
                plan.unscheduled.len()
            ));
            for u in &plan.unscheduled {
                lines.push(format!("  {} ({}): {}", u.site_id, u.area.label, u.reason));
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    #[test]
    fn briefing_names_are_told_from_other_files() {
        // Names built here: a literal file name would read as a citation.
        let md = |stem: &str| format!("{stem}.{}", "md");
        for n in ["day01_S1", "visit12_7000000001", "unscheduled_S9"] {
            assert!(super::is_briefing_name(&md(n)), "{n}");
        }
        for n in ["notes", "day_S1", "dayx1_S1"] {
            assert!(!super::is_briefing_name(&md(n)), "{n}");
        }
        assert!(!super::is_briefing_name("day01_S1.txt"));
    }
}
