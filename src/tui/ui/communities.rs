//! The communities in the network view: the ranked list (only the rows on
//! screen are drawn: a national register has a hundred thousand
//! communities) and one community in full, scrolled.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph};

use super::dim;
use crate::data::columns::plural;
use crate::tui::app::App;
use crate::tui::app::network::CommunityLine;

/// The list of communities, riskiest first, the selected one highlighted
/// and the site's own marked.
pub fn render_list(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    selected: usize,
    own: Option<&CommunityLine>,
) {
    let all = app.communities();
    // Each community takes two lines; the rows drawn are a window around
    // the selected one.
    let rows = (usize::from(area.height.saturating_sub(2)) / 2).max(1);
    let start = selected
        .saturating_sub(rows / 2)
        .min(all.len().saturating_sub(rows));
    let items: Vec<ListItem> = all
        .iter()
        .skip(start)
        .take(rows)
        .map(|rc| {
            let c = &rc.community;
            let mine = own.is_some_and(|o| o.id == c.id);
            let mut head = vec![
                Span::styled(
                    format!("community {:>6}", c.id),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(format!(
                    "  score {:.3} · {}, {}, {}",
                    rc.score,
                    plural(c.sites.len() as u64, "site", "sites"),
                    plural(c.companies.len() as u64, "company", "companies"),
                    plural(c.links.len() as u64, "link", "links"),
                )),
            ];
            if mine {
                head.push(Span::styled(
                    " · this site's",
                    Style::new().add_modifier(Modifier::BOLD),
                ));
            }
            let why = rc
                .why
                .iter()
                .take(2)
                .cloned()
                .collect::<Vec<_>>()
                .join(" · ");
            ListItem::new(vec![
                Line::from(head),
                Line::from(Span::styled(format!("    {why}"), dim())),
            ])
        })
        .collect();
    let title = format!(
        " community {} of {} · riskiest first ",
        (selected + 1).min(all.len()),
        all.len()
    );
    let widget = List::new(items)
        .block(Block::bordered().title(title))
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .highlight_symbol("▶ ");
    let mut state = ListState::default().with_selected(Some(selected.saturating_sub(start)));
    frame.render_stateful_widget(widget, area, &mut state);
}

/// One community in full, from line `scroll`.
pub fn render_community(frame: &mut Frame, area: Rect, id: usize, lines: &[String], scroll: usize) {
    let shown: Vec<Line> = lines
        .iter()
        .skip(scroll)
        .take(usize::from(area.height))
        .map(|l| Line::from(l.as_str()))
        .collect();
    let title = format!(
        " community {id} · line {} of {} ",
        (scroll + 1).min(lines.len()),
        lines.len()
    );
    frame.render_widget(
        Paragraph::new(shown).block(Block::bordered().title(title)),
        area,
    );
}
