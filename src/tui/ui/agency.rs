//! The agency view: the planned visits as one joint control plan. A line
//! says which agencies plan (the first leads) and, with day routes, how
//! many days are used and how many visits have none; a table lists the
//! visits in visiting order (visit number, day and stop, site, the team
//! with each member's role, and from 100 columns the area and the number
//! of reasons per agency); under it the selected visit's place, its team
//! with why each member goes (the core's sentence), and its reasons
//! grouped by the agency that acts on them. The table follows the
//! selection and the pane scrolls (PgUp/PgDn), so it fits any terminal the
//! UI draws in.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState, Wrap};

use super::dim;
use crate::rank::Reason;
use crate::rank::joint::{Basis, JointRow, Member, Role};
use crate::tui::app::App;

/// Width from which the table shows the area and the reasons per agency.
const WIDE: u16 = 100;
/// Width from which it shows the site's name too.
const WIDER: u16 = 140;

fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

fn agency_style() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// A member's role in words.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Listed => "listed",
        Role::CalledIn => "called in",
        Role::Lead => "lead",
    }
}

/// The team in one line: `AT, SKAT, POLICE, CMM (called in)`.
pub fn team_text(team: &[Member]) -> String {
    team.iter()
        .map(|m| match m.role {
            Role::Listed => m.agency.clone(),
            Role::CalledIn => format!("{} (called in)", m.agency),
            Role::Lead => format!("{} (lead)", m.agency),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The number of reasons per agency: `AT 3 · SKAT 3 · POLICE 1`.
fn reason_counts(r: &JointRow) -> String {
    let mut parts: Vec<String> = r
        .reasons_by_agency
        .iter()
        .map(|a| format!("{} {}", a.agency, a.reasons.len()))
        .collect();
    if !r.reasons_without_agency.is_empty() {
        parts.push(format!("no agency {}", r.reasons_without_agency.len()));
    }
    if parts.is_empty() {
        "nothing fired".to_string()
    } else {
        parts.join(" · ")
    }
}

/// The day and stop, `d1.2`; `none` for a visit no day could take.
fn day_text(r: &JointRow) -> String {
    match (r.day, r.stop) {
        (Some(d), Some(s)) => format!("d{d}.{s}"),
        _ if r.unscheduled.is_some() => "none".to_string(),
        _ => "-".to_string(),
    }
}

/// Where the visit is in the plan, in words.
fn place_text(r: &JointRow) -> String {
    match (r.day, r.stop, &r.unscheduled) {
        (Some(d), Some(s), _) => format!("day {d}, stop {s} · {}", r.area.label),
        (_, _, Some(why)) => format!("no day: {why} · {}", r.area.label),
        _ => format!("visit {} · {}", r.visit.unwrap_or(0), r.area.label),
    }
}

fn reason_line(x: &Reason) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("  • {}: ", x.indicator), dim()),
        Span::raw(x.text.clone()),
    ])
}

/// The selected visit's place, team and reasons per agency.
fn detail_lines(r: &JointRow) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::from(Span::styled(place_text(r), dim())),
        Line::from(vec![
            Span::styled("Team: ", bold()),
            Span::styled(team_text(&r.team), agency_style()),
        ]),
    ];
    for m in &r.team {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<7}", m.agency), agency_style()),
            Span::styled(format!("{:<10}", role_label(m.role)), dim()),
            Span::raw(m.why.clone()),
        ]));
    }
    if r.team_basis == Basis::OutOfScope {
        lines.push(Line::from(Span::styled(
            "  every reason here is for agencies outside the plan: a joint plan would not recommend it",
            Style::new().fg(Color::Yellow),
        )));
    }
    lines.push(Line::from(Span::styled("Reasons by agency", bold())));
    if r.reasons_by_agency.is_empty() && r.reasons_without_agency.is_empty() {
        lines.push(Line::from(Span::styled(
            "  no indicator fired at this site",
            dim(),
        )));
    }
    for a in &r.reasons_by_agency {
        let tag = if a.in_team {
            "in the team"
        } else {
            "not in the team"
        };
        lines.push(Line::from(vec![
            Span::styled(a.agency.clone(), agency_style()),
            Span::styled(format!(" ({tag}, {} reason(s))", a.reasons.len()), dim()),
        ]));
        lines.extend(a.reasons.iter().map(reason_line));
    }
    if !r.reasons_without_agency.is_empty() {
        lines.push(Line::from(Span::styled("For no agency", bold())));
        lines.extend(r.reasons_without_agency.iter().map(reason_line));
    }
    lines
}

/// Draws the agency view.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let plan = match app.joint_plan() {
        Some(Ok(p)) => p,
        Some(Err(e)) => {
            let p = Paragraph::new(format!("No agency view: {e}"))
                .block(Block::bordered().title(" Agencies "))
                .wrap(Wrap { trim: true });
            frame.render_widget(p, area);
            return;
        }
        None => {
            let p = Paragraph::new("Computing the teams of the planned visits…")
                .block(Block::bordered().title(" Agencies "));
            frame.render_widget(p, area);
            return;
        }
    };
    let params = app.joint_params();
    let n = plan.rows.len();
    let rows_h = u16::try_from(n).unwrap_or(u16::MAX).saturating_add(3);
    let table_h = rows_h.min(area.height.saturating_sub(1) / 2).max(3);
    let [summary, table_area, pane] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(table_h),
        Constraint::Min(0),
    ])
    .areas(area);

    let mut spans = vec![
        Span::styled("Joint plan ", bold()),
        Span::styled(params.agencies.join(", "), agency_style()),
        Span::raw(format!(" (lead {}) · {n} visit(s)", params.lead())),
    ];
    match params.bundling {
        Some(b) => {
            let without = plan.rows.iter().filter(|r| r.unscheduled.is_some()).count();
            spans.push(Span::raw(format!(
                " · {} of {} day(s) of {} visits used, {without} visit(s) without a day",
                plan.days.len(),
                b.days,
                b.visits_per_day
            )));
        }
        None => spans.push(Span::styled(
            " · no day routes (tilsyn tui --days N --visits-per-day N)",
            dim(),
        )),
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), summary);

    if n == 0 {
        let p = Paragraph::new("No visits in the plan: on the ranking, space marks a site.")
            .block(Block::bordered().title(" Visits "))
            .wrap(Wrap { trim: true });
        frame.render_widget(p, table_area);
        return;
    }
    let bundled = params.bundling.is_some();
    let (wide, wider) = (area.width >= WIDE, area.width >= WIDER);
    let mut header = vec!["#"];
    let mut widths = vec![Constraint::Length(3)];
    if bundled {
        header.push("day");
        widths.push(Constraint::Length(5));
    }
    header.push("site");
    widths.push(Constraint::Length(10));
    if wider {
        header.push("name");
        widths.push(Constraint::Length(22));
    }
    header.push("team");
    if wide {
        widths.push(Constraint::Length(40));
        header.extend(["area", "reasons by agency"]);
        widths.extend([Constraint::Length(20), Constraint::Min(10)]);
    } else {
        widths.push(Constraint::Min(8));
    }
    let rows: Vec<Row<'static>> = plan
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![Cell::from(
                r.visit.map(|v| v.to_string()).unwrap_or_default(),
            )];
            if bundled {
                cells.push(Cell::from(day_text(r)));
            }
            cells.push(Cell::from(r.row.site.site_id.clone()));
            if wider {
                cells.push(Cell::from(r.row.site.name.clone().unwrap_or_default()));
            }
            cells.push(Cell::from(team_text(&r.team)));
            if wide {
                cells.push(Cell::from(r.area.label.clone()));
                cells.push(Cell::from(reason_counts(r)));
            }
            Row::new(cells)
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(bold().add_modifier(Modifier::UNDERLINED)))
        .column_spacing(1)
        .block(
            Block::bordered()
                .title(" Visits · team per site (a member called in joins by its reasons) "),
        )
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let selected = app.joint_selected();
    let mut state = TableState::new().with_selected(selected);
    frame.render_stateful_widget(table, table_area, &mut state);

    let Some(r) = selected.and_then(|i| plan.rows.get(i)) else {
        return;
    };
    // PgUp/PgDn move the pane's height, less a line kept for context.
    app.set_pane_page(pane.height.saturating_sub(3));
    let title = format!(
        " {} {} · team and reasons per agency · PgUp/PgDn scroll ",
        r.row.site.site_id,
        r.row.site.name.as_deref().unwrap_or("")
    );
    frame.render_widget(
        Paragraph::new(detail_lines(r))
            .wrap(Wrap { trim: false })
            .scroll((app.agency_scroll(), 0))
            .block(Block::bordered().title(title)),
        pane,
    );
}
