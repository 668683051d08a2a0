//! The shortfall as people read it: a table for the terminal (one block
//! per worker with its totals), a Markdown report for a case file (site,
//! period, method, a table per worker, totals, notes and the caveat), and
//! the CSV export, one row per worker-month with its source rows. JSON is
//! the serde form of [`Shortfall`].

use std::fmt::Write as _;

use super::{MAX_WEEKLY_HOURS, MonthLine, Note, Shortfall, SiteShortfall, Totals, month_text};

/// What the figures are and are not; every report ends with it.
pub const CAVEAT: &str = "These figures are estimates from registers (the gross pay reported to eIndkomst and the pay and hours stated on the SIRI permit), not from payslips: gross, not net; overtime supplements and holiday pay are not computed. They must be checked against payslips, timesheets and bank statements before they are used in a claim or a charge.";

/// The method in one paragraph.
pub const METHOD: &str = "Each payroll row (eIndkomst, one person and month at this site) is set against the work permit (SIRI) of that person at this site in force in that month: one that starts on or before the month's last day and ends, if it ends, on or after its first day. The stated pay of the month is the permit's stated monthly pay, pro-rated by the days the permit is in force in the month (a permit in force from 15 February states 14/28 of its monthly pay for February; permits that follow one another in a month each add their share). The estimated shortfall of a month is the stated pay less the gross pay received, or 0 when at least the stated pay was received. Hours above the 48-hour average week of the EU Working Time Directive (arbejdstidsloven) are the hours paid in the month above 48 × (days in the month / 7). A month without a permit in force, or without a stated or a gross pay, is unknown and counts in no total; it is listed in the notes with its source row, as is a permit without payroll.";

/// An amount with thousands separators and two decimals: `26,000.00`.
pub fn amount(x: f64) -> String {
    grouped(x, 2)
}

/// A number with `decimals` decimals and thousands separators
/// (`1,234,567.50`); used wherever amounts are shown.
pub fn grouped(x: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::with_capacity(text.len() + int.len() / 3 + 1);
    if x < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// The header of a worker's block in the table (the widths of its rows).
const TABLE_HEADER: &str =
    "  month        stated    received   shortfall  account       hours over 48h stated h  sources";

fn opt_amount(x: Option<f64>) -> String {
    x.map_or_else(|| "unknown".to_string(), amount)
}

fn hours(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |h| format!("{h:.2}"))
}

fn account(third_party: Option<bool>) -> &'static str {
    match third_party {
        Some(true) => "third party",
        Some(false) => "own",
        None => "-",
    }
}

fn period(s: &SiteShortfall) -> String {
    match (s.first_month, s.last_month) {
        (Some(a), Some(b)) if a == b => format!("payroll month {}", month_text(a)),
        (Some(a), Some(b)) => format!("payroll months {} to {}", month_text(a), month_text(b)),
        _ => "no payroll month".to_string(),
    }
}

/// The source rows of a month, joined with `sep`.
fn sources(m: &MonthLine, sep: &str) -> String {
    match &m.permit_source {
        Some(p) => format!("{}{sep}{p}", m.payroll_source),
        None => m.payroll_source.clone(),
    }
}

fn pro_rating(m: &MonthLine) -> Option<String> {
    m.permit_days
        .filter(|_| m.pro_rated())
        .map(|d| format!("pro-rated: permit in force {d} of {} days", m.days_in_month))
}

fn summary(t: &Totals) -> String {
    format!(
        "estimated shortfall {} DKK in {} of {} month(s) ({} known, {} unknown) · {} month(s) paid to a third-party account · {} hours above the {MAX_WEEKLY_HOURS}-hour week in {} month(s)",
        amount(t.shortfall_dkk),
        t.months_short,
        t.months,
        t.months_known,
        t.months_unknown,
        t.third_party_months,
        hours(Some(t.hours_over_48)),
        t.months_over_48
    )
}

fn note_line(n: &Note) -> String {
    let month = n
        .month
        .map(|m| format!(" {}", month_text(m)))
        .unwrap_or_default();
    format!(
        "{}{month}: {} ({})",
        n.person_id,
        n.text,
        n.sources.join(", ")
    )
}

/// The readable table: per site a header, one block per worker with its
/// months and totals, and the notes.
pub fn to_table(s: &Shortfall) -> String {
    let mut out = String::new();
    for (i, site) in s.sites.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{} — {}",
            site.site_id,
            site.name.as_deref().unwrap_or("(no name)")
        );
        let _ = writeln!(
            out,
            "{} · {} worker(s) · sources {} and {}",
            period(site),
            site.workers.len(),
            s.sources.payroll,
            s.sources.permits
        );
        let _ = writeln!(out, "{}", summary(&site.totals));
        for w in &site.workers {
            let _ = writeln!(out, "\n{}", w.person_id);
            let _ = writeln!(out, "{TABLE_HEADER}");
            for m in &w.months {
                let _ = writeln!(
                    out,
                    "  {:<7} {:>11} {:>11} {:>11}  {:<11} {:>7} {:>8} {:>8}  {}{}",
                    month_text(m.month),
                    opt_amount(m.stated_dkk),
                    opt_amount(m.received_dkk),
                    opt_amount(m.shortfall_dkk),
                    account(m.third_party),
                    hours(m.hours_paid),
                    hours(m.hours_over_48),
                    hours(m.stated_hours),
                    sources(m, " "),
                    pro_rating(m).map(|p| format!(" ({p})")).unwrap_or_default()
                );
            }
            let t = &w.totals;
            let _ = writeln!(
                out,
                "  total   {:>11} {:>11} {:>11}  {} third-party month(s), {} hours over 48 h/week, {} unknown month(s)",
                amount(t.stated_dkk),
                amount(t.received_dkk),
                amount(t.shortfall_dkk),
                t.third_party_months,
                hours(Some(t.hours_over_48)),
                t.months_unknown
            );
        }
        if site.workers.is_empty() {
            let _ = writeln!(out, "\nno payroll rows at this site");
        }
        if !site.notes.is_empty() {
            let _ = writeln!(out, "\nnotes:");
            for n in &site.notes {
                let _ = writeln!(out, "  - {}", note_line(n));
            }
        }
    }
    if s.sites.is_empty() {
        out.push_str("no site has payroll rows or permits\n");
    }
    let _ = writeln!(out, "\n{CAVEAT} (docs/shortfall.md)");
    out
}

/// Escapes text for a Markdown table cell or list item (also used by the
/// joint plan's visit briefings).
pub fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The report for a case file, in Markdown.
pub fn to_markdown(s: &Shortfall) -> String {
    let mut out = String::new();
    for (i, site) in s.sites.iter().enumerate() {
        if i > 0 {
            out.push_str("\n---\n\n");
        }
        site_markdown(&mut out, s, site);
    }
    if s.sites.is_empty() {
        out.push_str("# Estimated wage shortfall\n\nNo site has payroll rows or permits.\n");
    }
    out
}

fn site_markdown(out: &mut String, s: &Shortfall, site: &SiteShortfall) {
    let name = site.name.as_deref().map(md);
    let _ = writeln!(
        out,
        "# Estimated wage shortfall: site {}{}\n",
        md(&site.site_id),
        name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
    );
    let t = &site.totals;
    out.push_str("| | |\n|---|---|\n");
    let _ = writeln!(
        out,
        "| Site | {} — {} |",
        md(&site.site_id),
        name.as_deref().unwrap_or("(no name)")
    );
    let _ = writeln!(out, "| Period | {} |", period(site));
    let _ = writeln!(
        out,
        "| Workers | {} (pseudonymous ids of the data) |",
        site.workers.len()
    );
    let _ = writeln!(
        out,
        "| Estimated shortfall | **{} DKK** in {} of the {} month(s) with a known figure |",
        amount(t.shortfall_dkk),
        t.months_short,
        t.months_known
    );
    let _ = writeln!(
        out,
        "| Months unknown | {} (see the notes) |",
        t.months_unknown
    );
    let _ = writeln!(
        out,
        "| Months paid to a third-party account | {} |",
        t.third_party_months
    );
    let _ = writeln!(
        out,
        "| Hours above the 48-hour week | {} in {} month(s) |",
        hours(Some(t.hours_over_48)),
        t.months_over_48
    );
    let _ = writeln!(
        out,
        "| Sources | `{}` (payroll, eIndkomst), `{}` (permits, SIRI) |",
        md(&s.sources.payroll),
        md(&s.sources.permits)
    );
    let _ = writeln!(out, "| Records up to | {} |", s.records_up_to);
    let _ = writeln!(out, "| Data fingerprint | `{}` |\n", s.data_fingerprint);
    let _ = writeln!(out, "## Method\n\n{METHOD}\n");

    for w in &site.workers {
        let _ = writeln!(out, "## Worker {}\n", md(&w.person_id));
        out.push_str("| Month | Permit days | Stated pay (DKK) | Received (DKK) | Shortfall (DKK) | Account | Hours paid | Above 48 h/week | Stated hours | Source rows |\n|---|---|---:|---:|---:|---|---:|---:|---:|---|\n");
        for m in &w.months {
            let days = m.permit_days.map_or_else(
                || "none".to_string(),
                |d| format!("{d} of {}", m.days_in_month),
            );
            let _ = writeln!(
                out,
                "| {} | {days} | {} | {} | {} | {} | {} | {} | {} | {} |",
                month_text(m.month),
                opt_amount(m.stated_dkk),
                opt_amount(m.received_dkk),
                match m.shortfall_dkk {
                    Some(x) if x > 0.0 => format!("**{}**", amount(x)),
                    other => opt_amount(other),
                },
                account(m.third_party),
                hours(m.hours_paid),
                hours(m.hours_over_48),
                hours(m.stated_hours),
                md(&sources(m, ", "))
            );
        }
        let wt = &w.totals;
        let _ = writeln!(
            out,
            "| **Total** | | {} | {} | **{}** | {} third-party | | {} | | {} unknown month(s) |\n",
            amount(wt.stated_dkk),
            amount(wt.received_dkk),
            amount(wt.shortfall_dkk),
            wt.third_party_months,
            hours(Some(wt.hours_over_48)),
            wt.months_unknown
        );
    }

    out.push_str("## Totals\n\n| Worker | Months | Known | Unknown | Stated (DKK) | Received (DKK) | Shortfall (DKK) | Third-party months | Hours above 48 h/week |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for w in &site.workers {
        totals_row(out, &md(&w.person_id), &w.totals);
    }
    totals_row(out, "**Site**", t);
    out.push_str(
        "\nStated and received pay are summed over the months whose shortfall is known.\n",
    );

    out.push_str("\n## Notes\n\n");
    if site.notes.is_empty() {
        out.push_str("Every payroll month has a permit in force with a stated pay, and every permit has payroll.\n");
    }
    for n in &site.notes {
        let _ = writeln!(out, "- {}", md(&note_line(n)));
    }
    let _ = writeln!(out, "\n## Caveat\n\n> {CAVEAT}");
}

fn totals_row(out: &mut String, who: &str, t: &Totals) {
    let _ = writeln!(
        out,
        "| {who} | {} | {} | {} | {} | {} | {} | {} | {} |",
        t.months,
        t.months_known,
        t.months_unknown,
        amount(t.stated_dkk),
        amount(t.received_dkk),
        amount(t.shortfall_dkk),
        t.third_party_months,
        hours(Some(t.hours_over_48))
    );
}

/// The CSV export: one row per worker-month, and one per permit without
/// payroll (no month), each with its source rows.
pub fn write_csv(out: impl std::io::Write, s: &Shortfall) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "site_id",
        "person_id",
        "month",
        "permit_days",
        "days_in_month",
        "stated_dkk",
        "received_dkk",
        "shortfall_dkk",
        "unknown",
        "third_party",
        "hours_paid",
        "hours_over_48",
        "stated_hours",
        "payroll_source",
        "permit_source",
        "note",
    ])?;
    let num = |x: Option<f64>| x.map(|v| format!("{v:.2}")).unwrap_or_default();
    for site in &s.sites {
        for wk in &site.workers {
            for m in &wk.months {
                let note = match m.unknown {
                    Some(k) => k.text().to_string(),
                    None => pro_rating(m).unwrap_or_default(),
                };
                w.write_record([
                    site.site_id.clone(),
                    wk.person_id.clone(),
                    month_text(m.month),
                    m.permit_days.map(|d| d.to_string()).unwrap_or_default(),
                    m.days_in_month.to_string(),
                    num(m.stated_dkk),
                    num(m.received_dkk),
                    num(m.shortfall_dkk),
                    m.unknown.map(|k| k.id().to_string()).unwrap_or_default(),
                    m.third_party.map(|b| b.to_string()).unwrap_or_default(),
                    num(m.hours_paid),
                    num(m.hours_over_48),
                    num(m.stated_hours),
                    m.payroll_source.clone(),
                    m.permit_source.clone().unwrap_or_default(),
                    note,
                ])?;
            }
        }
        for n in site
            .notes
            .iter()
            .filter(|n| n.kind == super::NoteKind::PermitWithoutPayroll)
        {
            let mut rec = vec![String::new(); 16];
            rec[0] = site.site_id.clone();
            rec[1] = n.person_id.clone();
            rec[8] = n.kind.id().to_string();
            rec[14] = n.sources.join(" ");
            rec[15] = n.text.clone();
            w.write_record(&rec)?;
        }
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::amount;

    #[test]
    fn amounts_have_thousands_separators() {
        assert_eq!(amount(26_000.0), "26,000.00");
        assert_eq!(amount(47.428_571), "47.43");
        assert_eq!(amount(1_234_567.891), "1,234,567.89");
        assert_eq!(amount(0.0), "0.00");
        assert_eq!(amount(-999.5), "-999.50");
    }
}
