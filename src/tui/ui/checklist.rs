//! The visit checklist screen: a line with the site, how many questions
//! are answered and the visit's date, agency, case id and where the form
//! was saved; the questions in the site's order (the indicators the
//! ranking flagged first), each with the indicator's status before the
//! visit, the answer, the workers and whether it has a note; and the
//! selected question in full: its answer, its text, what points to a
//! possible victim and what to poor conditions only, how it is asked and
//! its ILO indicator. The list follows the selection and the question
//! scrolls (PgUp/PgDn), so it fits any terminal the UI draws in.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};

use super::dim;
use crate::assess::score::ilo_label;
use crate::tui::app::App;
use crate::tui::theme::status_style;
use crate::visit::checklist::status_phrase;
use crate::visit::form::VisitAnswer;

fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

/// The colour of an answer: yes red (an indicator present), no green.
fn answer_style(a: VisitAnswer) -> Style {
    match a {
        VisitAnswer::Yes => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        VisitAnswer::No => Style::new().fg(Color::Green),
        VisitAnswer::Unknown => dim(),
    }
}

/// An answer in the list: `yes`, `no`, or `·` while unknown.
fn answer_short(a: VisitAnswer) -> &'static str {
    match a {
        VisitAnswer::Yes => "yes",
        VisitAnswer::No => "no",
        VisitAnswer::Unknown => "·",
    }
}

/// A value, or `-` when empty.
fn or_dash(s: &str) -> String {
    if s.is_empty() {
        "-".to_string()
    } else {
        s.to_string()
    }
}

/// Draws the checklist screen.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let (Some(view), Some(list)) = (app.checklist(), app.visit_checklist()) else {
        let p = Paragraph::new("No checklist open: select a site and press c.")
            .block(Block::bordered().title(" Checklist "))
            .wrap(Wrap { trim: true });
        frame.render_widget(p, area);
        return;
    };
    let form = app.visit_form(&view.site_id);
    let answer = |id: &str| form.map(|f| f.answer(id)).unwrap_or_default();
    let [top, questions, pane, hint] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Percentage(45),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);

    let answered = view
        .order
        .iter()
        .filter(|id| answer(id.as_str()).answer != VisitAnswer::Unknown)
        .count();
    let visit = form.map(|f| &f.visit);
    let date = visit
        .and_then(|v| v.date)
        .map_or_else(|| "-".to_string(), |d| d.to_string());
    let agency = or_dash(visit.map_or("", |v| v.agency.as_str()));
    let case = or_dash(visit.map_or("", |v| v.inspection_id.as_str()));
    let outcome = or_dash(visit.map_or("", |v| v.outcome.as_str()));
    let saved = match (&view.saved, view.dirty) {
        (Some(p), false) => format!("saved to {}", p.display()),
        (Some(p), true) => format!("changed since saved to {}", p.display()),
        (None, _) => format!("not saved (s writes to {})", app.visit_dir().display()),
    };
    let line = Line::from(vec![
        Span::styled(format!("Checklist {} ", view.site_id), bold()),
        Span::raw(view.name.clone().unwrap_or_default()),
        Span::raw(format!(
            " · {answered}/{} answered · visit {date} · agency {agency} · case id {case} · outcome {outcome} · ",
            view.order.len()
        )),
        Span::styled(saved, dim()),
    ]);
    frame.render_widget(Paragraph::new(line), top);

    let items: Vec<ListItem> = view
        .order
        .iter()
        .enumerate()
        .map(|(k, id)| {
            let ilo = list.get(id.as_str()).map_or("", |q| q.ilo);
            let status = view.context.status(ilo);
            let a = answer(id.as_str());
            let workers = if a.workers > 0 {
                a.workers.to_string()
            } else {
                String::new()
            };
            let note = if a.note.is_empty() { "" } else { " ✎ note" };
            ListItem::new(Line::from(vec![
                Span::raw(format!("{:>2} ", k + 1)),
                Span::styled(status.symbol().to_string(), status_style(status)),
                Span::raw(" "),
                Span::styled(
                    format!("{:<3}", answer_short(a.answer)),
                    answer_style(a.answer),
                ),
                Span::raw(format!(" {workers:>5} ")),
                Span::styled(format!("{id:<20} "), bold()),
                Span::styled(ilo_label(ilo), dim()),
                Span::raw(note),
            ]))
        })
        .collect();
    let title = format!(
        " {} questions · the {} indicator(s) the ranking flagged first · ● observed ◐ signalled ? unknown · clear · answer · workers ",
        view.order.len(),
        view.flagged
    );
    let mut state = ListState::default().with_selected(Some(view.selected));
    frame.render_stateful_widget(
        List::new(items)
            .block(Block::bordered().title(title))
            .highlight_style(Style::new().add_modifier(Modifier::REVERSED))
            .highlight_symbol("▶ "),
        questions,
        &mut state,
    );

    if let Some(q) = view
        .order
        .get(view.selected)
        .and_then(|id| list.get(id.as_str()))
    {
        let a = answer(q.id.as_str());
        let workers = if a.workers > 0 {
            a.workers.to_string()
        } else {
            "-".to_string()
        };
        let delphi = q
            .delphi
            .as_ref()
            .map_or(String::new(), |d| format!(" · Delphi: {}", d.describe()));
        let lines = vec![
            Line::from(vec![
                Span::styled("Answer: ", bold()),
                Span::styled(a.answer.id(), answer_style(a.answer)),
                Span::raw(format!(
                    " · workers: {workers} · note: {}",
                    or_dash(&a.note)
                )),
            ]),
            Line::from(Span::styled(q.text.clone(), bold())),
            Line::from(vec![
                Span::styled(
                    "Possible victim: ",
                    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
                ),
                Span::raw(q.victim.clone()),
            ]),
            Line::from(vec![
                Span::styled(
                    "Poor conditions only: ",
                    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
                ),
                Span::raw(q.poor_conditions.clone()),
            ]),
            Line::from(Span::styled(
                format!(
                    "{} · ILO indicator: {} ({}){delphi}",
                    q.method.label(),
                    ilo_label(q.ilo),
                    status_phrase(&view.context, q.ilo)
                ),
                dim(),
            )),
        ];
        app.set_pane_page(pane.height.saturating_sub(3));
        let title = format!(
            " {} · {} · {} ",
            q.id,
            ilo_label(q.ilo),
            status_phrase(&view.context, q.ilo)
        );
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((view.scroll, 0))
                .block(Block::bordered().title(title)),
            pane,
        );
    }

    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(
            "y yes · n no · u unknown · 0-9 workers (Backspace deletes) · t note · i case id · a agency · o outcome · s save · Esc closes, answers kept",
            dim(),
        ))),
        hint,
    );
}
