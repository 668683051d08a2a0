//! Render functions of the state: [`render`] draws the whole screen from
//! an `&App`: a header (data set, as-of date, scorer, counts, filter
//! chips, tabs), the open screen, the message or prompt line, and a footer
//! of the keys that matter here, taken from the key map. Below
//! [`MIN_WIDTH`] × [`MIN_HEIGHT`] it only says the terminal is too small.

mod agency;
mod checklist;
mod communities;
mod detail;
mod help;
mod insights;
mod map;
mod network;
mod plan;
mod ranking;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::app::{App, Level, Screen};
use super::keymap;
use crate::rank::rows::reasons;

/// Narrowest terminal the full UI is drawn in.
pub const MIN_WIDTH: u16 = 40;
/// Shortest terminal the full UI is drawn in.
pub const MIN_HEIGHT: u16 = 10;

/// Draws the whole UI.
pub fn render(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        render_too_small(frame, area);
        return;
    }
    let [header, body, message, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(frame, header, app);
    match app.screen() {
        Screen::Ranking => ranking::render(frame, body, app),
        Screen::Detail => detail::render(frame, body, app),
        Screen::Map => map::render(frame, body, app),
        Screen::Insights => insights::render(frame, body, app),
        Screen::Plan => plan::render(frame, body, app),
        Screen::Help => help::render(frame, body, app),
        Screen::Network => network::render(frame, body, app),
        Screen::Agencies => agency::render(frame, body, app),
        Screen::Checklist => checklist::render(frame, body, app),
    }
    render_message(frame, message, app);
    render_footer(frame, footer, app);
}

/// Shown instead of the UI below the minimum size.
pub fn render_too_small(frame: &mut Frame, area: Rect) {
    let text = format!(
        "terminal too small: {}×{}, tilsyn needs {MIN_WIDTH}×{MIN_HEIGHT} · q quits",
        area.width, area.height
    );
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// The last one or two parts of a path, for the header.
fn short_path(p: &str) -> String {
    let parts: Vec<&str> = p
        .trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .take(2)
        .collect();
    parts.into_iter().rev().collect::<Vec<_>>().join("/")
}

fn render_header(frame: &mut Frame, area: Rect, app: &App) {
    let sep = || Span::styled(" · ", dim());
    let total = app.rows().len();
    let shown = app.view().len();
    let mut line = vec![
        Span::styled("tilsyn", Style::new().add_modifier(Modifier::BOLD)),
        sep(),
        Span::raw(format!("as of {}", app.scored().as_of)),
        sep(),
        Span::raw(if shown == total {
            format!("{total} sites")
        } else {
            format!("{shown} of {total} sites")
        }),
        sep(),
        Span::raw(app.scorer_label()),
    ];
    for chip in app.query().chips() {
        line.push(Span::raw(" "));
        line.push(Span::styled(
            format!(" {chip} "),
            Style::new().fg(Color::Black).bg(Color::Cyan),
        ));
    }
    if let Some(s) = app.search() {
        line.push(Span::raw(" "));
        line.push(Span::styled(
            format!(" /{s} "),
            Style::new().fg(Color::Black).bg(Color::Magenta),
        ));
    }
    line.push(sep());
    line.push(Span::styled(short_path(&app.options().dataset), dim()));

    let mut tabs = Vec::new();
    for s in Screen::TABS {
        let title = match s {
            Screen::Plan => format!(
                " Plan {}/{} ",
                app.plan_view().len(),
                app.options().capacity
            ),
            Screen::Help => " ? Help ".to_string(),
            other => format!(" {} ", other.title()),
        };
        let style = if s == app.screen() {
            Style::new()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        tabs.push(Span::styled(title, style));
        tabs.push(Span::styled("│", dim()));
    }
    tabs.pop();
    frame.render_widget(
        Paragraph::new(vec![Line::from(line), Line::from(tabs)]),
        area,
    );
}

fn render_message(frame: &mut Frame, area: Rect, app: &App) {
    if let Some(p) = app.prompt() {
        let mut spans = vec![Span::styled(
            p.label(),
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        )];
        spans.push(Span::raw(p.text.clone()));
        let label_width =
            u16::try_from(p.label().chars().count() + p.text.chars().count()).unwrap_or(u16::MAX);
        match &p.error {
            Some(e) => spans.push(Span::styled(format!("  {e}"), Style::new().fg(Color::Red))),
            None if p.text.is_empty() => spans.push(Span::styled(format!("  {}", p.hint()), dim())),
            None => {}
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        let x = area
            .x
            .saturating_add(label_width)
            .min(area.right().saturating_sub(1));
        frame.set_cursor_position((x, area.y));
        return;
    }
    let line = match app.message() {
        Some(m) => {
            let style = match m.level {
                Level::Info => Style::new().fg(Color::Green),
                Level::Warn => Style::new().fg(Color::Yellow),
                Level::Error => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            };
            Line::from(Span::styled(m.text.clone(), style))
        }
        // Any key clears a message; this one holds while it is true.
        None if app.network_building() => Line::from(Span::styled(
            "building the network in the background; it opens when ready",
            Style::new().fg(Color::Green),
        )),
        None => match app.selected() {
            Some(r) => {
                let top = reasons(app.scored(), r.row, 1);
                let why = top
                    .first()
                    .map_or("no indicator fired", |x| x.text.as_str());
                Line::from(Span::styled(format!("{} · {why}", r.site_id), dim()))
            }
            None => Line::from(Span::styled("no site shown · Esc clears the filter", dim())),
        },
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn render_footer(frame: &mut Frame, area: Rect, app: &App) {
    let mut spans = Vec::new();
    for e in keymap::footer(app.contexts()) {
        spans.push(Span::styled(
            e.keys,
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(format!(" {}  ", e.help)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_paths() {
        assert_eq!(short_path("/home/x/datasets/demo/"), "datasets/demo");
        assert_eq!(short_path("demo"), "demo");
    }
}
