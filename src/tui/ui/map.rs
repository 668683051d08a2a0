//! The map screen: Denmark on a canvas (longitude 8–15.3, latitude
//! 54.5–57.8), municipality centres as faint points, the shown sites as
//! points coloured by priority band (filters applied), and the selected
//! site highlighted with its id.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Points};
use ratatui::widgets::{Block, Paragraph};

use super::dim;
use crate::data::reference::ReferenceData;
use crate::tui::app::App;
use crate::tui::theme::Band;

/// Longitudes shown.
pub const LON: [f64; 2] = [8.0, 15.3];
/// Latitudes shown.
pub const LAT: [f64; 2] = [54.5, 57.8];

fn band_index(b: Band) -> usize {
    Band::ALL.iter().position(|x| *x == b).unwrap_or(0)
}

/// Draws the map and its legend.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let [map_area, legend] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(area);
    let (rows, coords) = (app.rows(), app.coords());
    let n = rows.len();
    let mut bands: [Vec<(f64, f64)>; 4] = Default::default();
    let mut without = 0usize;
    for &i in app.view() {
        match (coords.get(i).copied().flatten(), rows.get(i)) {
            (Some(c), Some(r)) => bands[band_index(Band::of(i, n, r.priority))].push(c),
            _ => without += 1,
        }
    }
    let centres: Vec<(f64, f64)> = ReferenceData::bundled()
        .municipalities
        .iter()
        .map(|m| (m.lon, m.lat))
        .collect();
    let selected = app.selected_index().and_then(|i| {
        let c = coords.get(i).copied().flatten()?;
        Some((c, rows.get(i)?.site_id.clone()))
    });
    let title = match &selected {
        Some((_, id)) => format!(" Map · {} shown · selected {id} ", app.view().len()),
        None => format!(" Map · {} shown ", app.view().len()),
    };
    let canvas = Canvas::default()
        .block(Block::bordered().title(title))
        .marker(Marker::Braille)
        .x_bounds(LON)
        .y_bounds(LAT)
        .paint(|ctx| {
            ctx.draw(&Points::new(&centres, Color::DarkGray));
            ctx.layer();
            for b in Band::ALL {
                ctx.draw(&Points::new(&bands[band_index(b)], b.color()));
            }
            if let Some(((x, y), id)) = &selected {
                ctx.layer();
                ctx.draw(&Points::new(&[(*x, *y)], Color::White));
                let label = Span::styled(
                    format!("◀ {id}"),
                    Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
                );
                ctx.print(*x + 0.05, *y, Line::from(label));
            }
        });
    frame.render_widget(canvas, map_area);

    let mut spans = vec![Span::styled("priority: ", dim())];
    for b in Band::ALL.iter().rev() {
        spans.push(Span::styled("● ", Style::new().fg(b.color())));
        spans.push(Span::raw(format!("{}  ", b.label())));
    }
    spans.push(Span::styled("· municipality centre", dim()));
    if without > 0 {
        spans.push(Span::styled(
            format!("  ({without} without coordinates)"),
            dim(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), legend);
}
