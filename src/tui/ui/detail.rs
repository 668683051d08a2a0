//! The detail pane of the selected site: who and where it is, its rank and
//! priority, the 11 ILO indicators as a grid (status, the catalogue entries
//! behind it, each evidence sentence with its source), the Delphi
//! dimensions and tier, the model's largest contributions as a bar chart,
//! the inspection history, and the data that was missing. The
//! explanation is computed by the app for the selected site only and
//! cached by site id.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, Paragraph, Wrap};

use super::dim;
use crate::rank::Ranked;
use crate::rank::evidence::Record;
use crate::rank::explanation::{Explanation, explain_with};
use crate::tui::app::App;
use crate::tui::rows::last_inspected;
use crate::tui::theme::{compact, status_style, tier_style};

/// Width from which the pane uses two columns and a bar chart.
const WIDE: u16 = 100;

fn heading(text: &str) -> Line<'static> {
    Line::from(Span::styled(
        text.to_string(),
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
    ))
}

/// Draws the detail pane.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(site) = app.selected() else {
        let p = Paragraph::new("No site selected: the filter shows none. Esc clears it.")
            .block(Block::bordered().title(" Detail "))
            .wrap(Wrap { trim: true });
        frame.render_widget(p, area);
        return;
    };
    let title = format!(
        " {} · {} ",
        site.site_id,
        site.name.as_deref().unwrap_or("(no name)")
    );
    let block = Block::bordered().title(Line::from(Span::styled(
        title,
        Style::new().add_modifier(Modifier::BOLD),
    )));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    // The app caches the explanation before drawing; compute it here only
    // when drawn without that step (so rendering never shows stale data).
    let computed;
    let explanation: Result<&Explanation, String> = match app.explanation() {
        Some(Ok(e)) => Ok(e),
        Some(Err(e)) => Err(e.clone()),
        None => {
            computed = explain_with(app.scored(), &site.site_id, app.show_notes());
            computed.as_ref().map_err(|e| format!("{e:#}"))
        }
    };
    let e = match explanation {
        Ok(e) => e,
        Err(msg) => {
            let p = Paragraph::new(format!("cannot explain {}: {msg}", site.site_id))
                .wrap(Wrap { trim: true });
            frame.render_widget(p, inner);
            return;
        }
    };
    let scroll = (app.detail_scroll(), 0);
    let as_of = app.scored().as_of;
    if inner.width < WIDE {
        let mut lines = summary(site, e, as_of);
        lines.extend(ilo_grid(e));
        lines.extend(dimensions(e));
        lines.extend(contribution_lines(site));
        lines.extend(history(e));
        lines.extend(missing(e));
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll(scroll),
            inner,
        );
        return;
    }
    let [top, body] = Layout::vertical([Constraint::Length(4), Constraint::Min(0)]).areas(inner);
    frame.render_widget(
        Paragraph::new(summary(site, e, as_of)).wrap(Wrap { trim: false }),
        top,
    );
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
            .spacing(1)
            .areas(body);
    let mut lines = ilo_grid(e);
    lines.extend(dimensions(e));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll(scroll),
        left,
    );

    let chart_height = if site.contributions.is_empty() {
        0
    } else {
        u16::try_from(site.contributions.len())
            .unwrap_or(u16::MAX)
            .saturating_add(2)
            .min(12)
    };
    let [chart, rest] =
        Layout::vertical([Constraint::Length(chart_height), Constraint::Min(0)]).areas(right);
    if chart_height > 0 {
        render_contributions(frame, chart, site);
    }
    let mut lines = if site.contributions.is_empty() {
        contribution_lines(site)
    } else {
        Vec::new()
    };
    lines.extend(history(e));
    lines.extend(register(e));
    lines.extend(missing(e));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), rest);
}

fn summary(site: &Ranked, e: &Explanation, as_of: chrono::NaiveDate) -> Vec<Line<'static>> {
    let place = [e.municipality.clone(), e.region.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    let sector = format!(
        "{} {}{}",
        e.sector_code.as_deref().unwrap_or("-"),
        e.sector_name.as_deref().unwrap_or(""),
        e.risk_group
            .as_deref()
            .map(|g| format!(" ({g})"))
            .unwrap_or_default()
    );
    let last = match last_inspected(as_of, site.days_since_inspection) {
        Some(d) => format!("last inspected {d}"),
        None => "never inspected".to_string(),
    };
    let prob = site
        .probability
        .map(|p| format!(" · probability {:.1}%", p * 100.0))
        .unwrap_or_default();
    let positive = e.dimensions.iter().filter(|d| d.positive).count();
    vec![
        Line::from(format!(
            "{place} · {sector} · company {}",
            e.company_id.as_deref().unwrap_or("-")
        )),
        Line::from(format!(
            "rank {} of {} · priority {} · workers exposed {}{prob} · {last}",
            site.rank,
            e.of,
            compact(site.priority),
            crate::rank::rows::workers_text(site.workers_exposed, site.workers_known)
        )),
        Line::from(vec![
            Span::raw("ILO tier: "),
            Span::styled(e.tier.label().to_string(), tier_style(e.tier)),
            Span::styled(
                format!(" · {positive} of 6 Delphi dimensions positive"),
                dim(),
            ),
        ]),
        Line::default(),
    ]
}

/// The 11 ILO indicators: status, catalogue entries, evidence sentences.
fn ilo_grid(e: &Explanation) -> Vec<Line<'static>> {
    let mut out = vec![heading(&format!(
        "ILO indicators of forced labour · {}/11 assessed",
        e.coverage
    ))];
    for l in &e.ilo {
        out.push(Line::from(vec![
            Span::styled(format!("{} ", l.status.symbol()), status_style(l.status)),
            Span::raw(format!("{:<25}", l.id)),
            Span::styled(format!("{:<10}", l.status.name()), status_style(l.status)),
            Span::styled(l.because.join(", "), dim()),
        ]));
        for ind in e
            .indicators
            .iter()
            .filter(|i| i.ilo.iter().any(|x| x == l.id))
        {
            let sub = match ind.status {
                "fired" => format!("    ↳ {} [{}]", ind.text, ind.source),
                "unknown" if !ind.missing_tables.is_empty() => {
                    format!(
                        "    ↳ {}: not assessable, {} absent",
                        ind.id,
                        ind.missing_tables.join(", ")
                    )
                }
                _ => continue,
            };
            let style = if ind.status == "fired" {
                Style::new()
            } else {
                dim()
            };
            out.push(Line::from(Span::styled(sub, style)));
        }
    }
    out.push(Line::default());
    out
}

fn dimensions(e: &Explanation) -> Vec<Line<'static>> {
    let mut out = vec![heading("Delphi dimensions")];
    for d in &e.dimensions {
        let (mark, style) = if d.positive {
            ("+", Style::new().fg(Color::Red))
        } else {
            ("·", dim())
        };
        let list = if d.indicators.is_empty() {
            String::new()
        } else {
            format!(": {}", d.indicators.join(", "))
        };
        out.push(Line::from(vec![
            Span::styled(format!("{mark} {}", d.label), style),
            Span::styled(list, dim()),
        ]));
    }
    out.push(Line::from(vec![
        Span::raw("tier: "),
        Span::styled(e.tier.label().to_string(), tier_style(e.tier)),
    ]));
    out.push(Line::default());
    out
}

/// The model's contributions as text bars (narrow panes, or no model).
fn contribution_lines(site: &Ranked) -> Vec<Line<'static>> {
    let mut out = vec![heading("Model contributions")];
    if site.contributions.is_empty() {
        out.push(Line::from(Span::styled(
            "no model: ranked by the rules scorer (indicator weights × exposure)",
            dim(),
        )));
    }
    let max = site
        .contributions
        .iter()
        .map(|c| c.value.abs())
        .fold(0.0f64, f64::max);
    for c in &site.contributions {
        let n = if max > 0.0 {
            (c.value.abs() / max * 20.0).round() as usize
        } else {
            0
        };
        let color = if c.value > 0.0 {
            Color::Red
        } else {
            Color::Green
        };
        out.push(Line::from(vec![
            Span::raw(format!("{:<28} {:+.2} ", truncate(&c.feature, 28), c.value)),
            Span::styled("█".repeat(n.max(1)), Style::new().fg(color)),
        ]));
    }
    out.push(Line::default());
    out
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n.saturating_sub(1)).chain(['…']).collect()
    }
}

fn render_contributions(frame: &mut Frame, area: Rect, site: &Ranked) {
    let bars: Vec<Bar<'static>> = site
        .contributions
        .iter()
        .map(|c| {
            let color = if c.value > 0.0 {
                Color::Red
            } else {
                Color::Green
            };
            Bar::default()
                .label(Line::from(truncate(&c.feature, 24)))
                .value((c.value.abs() * 1000.0).round() as u64)
                .text_value(format!("{:+.2}", c.value))
                .style(Style::new().fg(color))
        })
        .collect();
    let chart = BarChart::horizontal(bars)
        .bar_gap(0)
        .block(Block::bordered().title(" Model contributions (red raises risk) "));
    frame.render_widget(chart, area);
}

/// How many register records the detail pane lists (`tilsyn explain
/// --format json` has them all).
const REGISTER_RECORDS_SHOWN: usize = 8;

/// One source record: its date, what it says and where it is (file:line).
fn record_line(r: &Record) -> Line<'static> {
    let style = if r.after_as_of { dim() } else { Style::new() };
    let late = if r.after_as_of {
        " (after the as-of date, not used)"
    } else {
        ""
    };
    Line::from(vec![
        Span::styled(
            format!("{} ", r.date.as_deref().unwrap_or("----------")),
            Style::new().fg(Color::Cyan),
        ),
        Span::styled(format!("{}{late}", r.summary), style),
        Span::styled(format!("  {}:{}", r.file, r.line), dim()),
    ])
}

fn history(e: &Explanation) -> Vec<Line<'static>> {
    let mut out = vec![heading("Inspection history and evidence records")];
    if e.records.is_empty() {
        out.push(Line::from(Span::styled(
            "no inspection, finding or tip recorded",
            dim(),
        )));
    }
    out.extend(e.records.iter().map(record_line));
    out.push(Line::default());
    out
}

/// The payroll months and residences behind the pay, hours and housing
/// signals, by pseudonym, the first few on screen.
fn register(e: &Explanation) -> Vec<Line<'static>> {
    let mut out = vec![heading("Register records behind pay, hours and housing")];
    if e.register_records.is_empty() {
        out.push(Line::from(Span::styled(
            "no payroll month or residence behind a signal",
            dim(),
        )));
    }
    out.extend(
        e.register_records
            .iter()
            .take(REGISTER_RECORDS_SHOWN)
            .map(record_line),
    );
    if e.register_records.len() > REGISTER_RECORDS_SHOWN {
        out.push(Line::from(Span::styled(
            format!(
                "… and {} more (all in tilsyn explain {} --format json)",
                e.register_records.len() - REGISTER_RECORDS_SHOWN,
                e.site_id
            ),
            dim(),
        )));
    }
    out.push(Line::default());
    out
}

fn missing(e: &Explanation) -> Vec<Line<'static>> {
    let mut out = vec![heading("Missing data")];
    if e.absent_tables.is_empty() && e.unknown_features.is_empty() {
        out.push(Line::from(Span::styled(
            "none: every table present, every feature known",
            dim(),
        )));
    }
    if !e.absent_tables.is_empty() {
        out.push(Line::from(format!(
            "tables absent: {}",
            e.absent_tables.join(", ")
        )));
    }
    if !e.unknown_features.is_empty() {
        let shown: Vec<&str> = e
            .unknown_features
            .iter()
            .take(12)
            .map(String::as_str)
            .collect();
        let more = e.unknown_features.len().saturating_sub(shown.len());
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        out.push(Line::from(format!(
            "features without a value: {}{tail}",
            shown.join(", ")
        )));
    }
    out
}
