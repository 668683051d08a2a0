//! The ranking screen: every shown site in the generic table, with its
//! rank, id, name, municipality, sector, workers, priority, probability,
//! tier, 11-cell ILO strip and last inspection.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use super::dim;
use crate::tui::app::App;
use crate::tui::rows::RankedRow;
use crate::tui::table::Column;

/// Draws the ranking table.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let sort = match app.table().sort() {
        Some((c, o)) => format!("sorted by {} {}", c.title(), o.arrow()),
        None => "by priority ↓".to_string(),
    };
    let title = Line::from(vec![
        Span::raw(" Sites "),
        Span::styled(
            format!("{sort} · ● observed ◐ signalled · clear ? unknown "),
            dim(),
        ),
    ]);
    let view = app.view();
    let as_of = app.scored().as_of;
    let row = |i: usize| {
        view.get(i).and_then(|r| {
            app.rows().get(*r).map(|site| RankedRow {
                site,
                marked: app.is_marked(*r),
                as_of,
            })
        })
    };
    app.table().render(
        frame,
        area,
        view.len(),
        row,
        Block::bordered().title(title),
        "no site matches the filter · Esc clears it",
    );
}
