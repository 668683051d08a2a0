//! The help screen, generated from the key map (every context and its
//! keys), followed by the filter syntax.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::dim;
use crate::tui::app::App;
use crate::tui::keymap;

/// Lines of the filter syntax section.
const FILTER_HELP: [&str; 8] = [
    "sector:construction   a risk group, or a DB07 code prefix (sector:41, sector:81.21)",
    "municipality:Køge     a municipality name or code (quote names with spaces)",
    "region:hovedstaden    a region",
    "tier:3  tier>=2       an ILO tier (0 none, 1 exploitation, 2 deception, 3 forced labour)",
    "indicator:debt_bondage  sites with that ILO indicator observed or signalled",
    "status:observed       sites with any ILO indicator of that status",
    "anything else         text in the site id, name, company or municipality",
    "Terms add up (and); values of one key are alternatives: sector:cleaning,construction",
];

/// Draws the help screen.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let key_style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
    let head = Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    let mut lines: Vec<Line<'static>> = Vec::new();
    for (ctx, entries) in keymap::help_sections() {
        lines.push(Line::from(Span::styled(ctx.title(), head)));
        for e in entries {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<22}", e.keys), key_style),
                Span::raw(e.help),
            ]));
        }
        lines.push(Line::default());
    }
    lines.push(Line::from(Span::styled("Filter terms (f)", head)));
    for l in FILTER_HELP {
        lines.push(Line::from(Span::raw(format!("  {l}"))));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "Mouse: the wheel scrolls, a click selects a row. ILO strip: ● observed ◐ signalled · clear ? unknown.",
        dim(),
    )));
    let p = Paragraph::new(lines)
        .block(Block::bordered().title(" Help · every key, from the key map · ? or Esc closes "))
        .wrap(Wrap { trim: false })
        .scroll((app.help_scroll(), 0));
    frame.render_widget(p, area);
}
