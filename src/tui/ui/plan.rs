//! The plan screen: the planned sites (the recommendation with a person's
//! overrides) in the same table component as the ranking, the counter
//! against the capacity, how many recommended sites were removed and how
//! many added, where `e` exports to, and the reasons of the selected site
//! (with the reason for adding it, if it was added).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::dim;
use crate::rank::rows::reasons;
use crate::tui::app::App;
use crate::tui::rows::RankedRow;

/// Draws the plan screen.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let [summary, table, why] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(7),
    ])
    .areas(area);
    let n = app.plan_view().len();
    let cap = app.options().capacity;
    let file = app
        .options()
        .export_dir
        .join(format!("tilsyn-plan-{}.csv", app.scored().as_of));
    let counter_style = if n >= cap {
        Style::new().fg(Color::Yellow)
    } else {
        Style::new().fg(Color::Green)
    };
    let text = vec![
        Line::from(vec![
            Span::styled("Visit plan ", Style::new().add_modifier(Modifier::BOLD)),
            Span::styled(
                format!("{n}/{cap}"),
                counter_style.add_modifier(Modifier::BOLD),
            ),
            Span::raw(" visits · "),
            Span::styled(
                "e",
                Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!(" exports to {} and .json", file.display())),
        ]),
        Line::from(Span::styled(
            {
                let (rec, removed, added) = app.decision_counts();
                format!(
                    "{rec} recommended, {removed} removed, {added} added (each with a reason) · space or x removes the selected site · Enter shows why · a teams per agency · c visit checklist · r back to the ranking"
                )
            },
            dim(),
        )),
    ];
    frame.render_widget(Paragraph::new(text), summary);

    let view = app.plan_view();
    let as_of = app.scored().as_of;
    let row = |i: usize| {
        view.get(i).and_then(|r| {
            app.rows().get(*r).map(|site| RankedRow {
                site,
                marked: true,
                as_of,
            })
        })
    };
    app.plan_table().render(
        frame,
        table,
        n,
        row,
        Block::bordered().title(" Plan "),
        "No sites in the plan yet: on the ranking, space marks the selected site.",
    );

    let mut lines: Vec<Line<'static>> = match app.selected() {
        Some(site) if n > 0 => {
            let rs = reasons(app.scored(), site.row, 5);
            if rs.is_empty() {
                vec![Line::from(Span::styled(
                    "no indicator fired at this site",
                    dim(),
                ))]
            } else {
                rs.into_iter()
                    .map(|r| {
                        Line::from(vec![
                            Span::styled(format!("• {}: ", r.indicator), dim()),
                            Span::raw(r.text),
                        ])
                    })
                    .collect()
            }
        }
        _ => Vec::new(),
    };
    if let Some(why) = app
        .selected_index()
        .filter(|_| n > 0)
        .and_then(|i| app.override_reason(i))
    {
        lines.insert(
            0,
            Line::from(vec![
                Span::styled("• added by you: ", Style::new().fg(Color::Yellow)),
                Span::raw(why.to_string()),
            ]),
        );
    }
    let title = app
        .selected()
        .filter(|_| n > 0)
        .map_or(" Reasons ".to_string(), |s| {
            format!(" Reasons · {} ", s.site_id)
        });
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(title)),
        why,
    );
}
