//! The network screen: the entities within a few links of the selected
//! site as an indented tree (each under the entity it was reached from),
//! with priority and tier for sites and companies, and under each entity
//! the evidence of its link and the table it comes from. The selected line
//! is highlighted; Enter on a site jumps to it in the ranking.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};

use super::{communities, dim};
use crate::data::columns::plural;
use crate::network::NodeKind;
use crate::tui::app::App;
use crate::tui::app::communities::Pane;
use crate::tui::app::network::{NetworkLine, NetworkView};
use crate::tui::theme::{compact, tier_style};

/// The colour of an entity kind.
fn kind_style(kind: NodeKind) -> Style {
    let c = match kind {
        NodeKind::Site => Color::Cyan,
        NodeKind::Company => Color::Green,
        NodeKind::Person => Color::Magenta,
        NodeKind::Recruiter => Color::Yellow,
        NodeKind::Provider => Color::LightBlue,
        NodeKind::Address => Color::LightRed,
    };
    Style::new().fg(c).add_modifier(Modifier::BOLD)
}

/// The two lines of one entity: what it is, then the evidence of its link.
fn item(l: &NetworkLine) -> ListItem<'static> {
    let indent = "  ".repeat(l.depth);
    let mut head = vec![
        Span::raw(indent.clone()),
        Span::styled(format!("{:<9} ", l.kind.name()), kind_style(l.kind)),
        Span::styled(l.id.clone(), Style::new().add_modifier(Modifier::BOLD)),
    ];
    if l.label != l.id {
        head.push(Span::raw(format!(" {}", l.label)));
    }
    if let Some(p) = l.priority {
        head.push(Span::styled(format!(" · priority {}", compact(p)), dim()));
    }
    if let Some(r) = l.rank {
        head.push(Span::styled(format!(" · rank {r}"), dim()));
    }
    if let Some(t) = l.tier {
        head.push(Span::styled(format!(" · {}", t.label()), tier_style(t)));
    }
    if l.hub {
        head.push(Span::styled(
            " · hub (not followed)",
            Style::new().fg(Color::Yellow),
        ));
    }
    let mut lines = vec![Line::from(head)];
    if let Some(e) = &l.evidence {
        lines.push(Line::from(Span::styled(
            format!("{indent}  └ {e} [{}]", l.source.unwrap_or("-")),
            dim(),
        )));
    }
    ListItem::new(lines)
}

/// Draws the network screen.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(view) = app.network() else {
        let p = Paragraph::new("No network open: select a site and press w.")
            .block(Block::bordered().title(" Network "))
            .wrap(Wrap { trim: true });
        frame.render_widget(p, area);
        return;
    };
    let [summary, community, list, hint] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let mut counts = Vec::new();
    for k in NodeKind::ALL {
        let n = view.lines.iter().skip(1).filter(|l| l.kind == k).count();
        if n > 0 {
            counts.push(plural(n as u64, k.name(), k.plural()));
        }
    }
    let text = Line::from(vec![
        Span::styled(
            format!("Network of {} ", view.site_id),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::raw(if counts.is_empty() {
            "· nothing linked".to_string()
        } else {
            format!("· {}", counts.join(", "))
        }),
    ]);
    frame.render_widget(Paragraph::new(text), summary);
    let community_text = match &view.community {
        Some(c) => Line::from(vec![
            Span::styled(
                format!("community {} · {} sites", c.id, c.sites),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!(" · {}", c.why.join(" · "))),
        ]),
        None => Line::from(Span::styled(
            "in no community: no strong link to another site",
            dim(),
        )),
    };
    frame.render_widget(Paragraph::new(community_text), community);

    let hint_text = match &view.pane {
        Pane::Tree => {
            render_tree(frame, list, view);
            "Enter on a site jumps to it in the ranking · o its community · l every community · w or Esc closes · tilsyn network --site exports these links"
        }
        Pane::List { selected } => {
            communities::render_list(frame, list, app, *selected, view.community.as_ref());
            "Enter opens a community · Esc back to the tree · tilsyn network --groups lists them"
        }
        Pane::Community {
            id, lines, scroll, ..
        } => {
            communities::render_community(frame, list, *id, lines, *scroll);
            "↑/↓ PgUp/PgDn scroll · Esc back · tilsyn network --group N prints it, --format graphml exports it"
        }
    };
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(hint_text, dim()))),
        hint,
    );
}

/// The site's neighbourhood as a tree of links.
fn render_tree(frame: &mut Frame, list: Rect, view: &NetworkView) {
    let items: Vec<ListItem> = view.lines.iter().map(item).collect();
    let title = format!(
        " {} of {} · evidence under each link ",
        view.selected.saturating_add(1).min(view.lines.len()),
        view.lines.len()
    );
    let widget = List::new(items)
        .block(Block::bordered().title(title))
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .highlight_symbol("▶ ");
    let mut state = ListState::default().with_selected(Some(view.selected));
    frame.render_stateful_widget(widget, list, &mut state);
}
