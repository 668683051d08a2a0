//! The insights screen over the shown sites: the distribution of priority
//! (a bar chart), sites per ILO tier, sites showing each ILO indicator by
//! sector risk group and by region, and the model's held-out precision@k
//! against the rules scorer and random selection, from the model file (or
//! a note when ranking by rules).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, Cell, Paragraph, Row, Table, Wrap};

use super::dim;
use crate::indicators::Tier;
use crate::tui::app::App;
use crate::tui::app::insights::{GroupCounts, Insights};
use crate::tui::theme::{ILO_SHORT, tier_style};

/// Draws the insights screen.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let computed;
    let ins = match app.insights() {
        Some(i) => i,
        None => {
            computed = Insights::compute(app.rows(), app.view());
            &computed
        }
    };
    let [top, groups, regions, precision] = Layout::vertical([
        Constraint::Length(9),
        Constraint::Length(11),
        Constraint::Length(8),
        Constraint::Min(4),
    ])
    .areas(area);
    let [hist, tiers] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(top);
    render_histogram(frame, hist, ins);
    render_tiers(frame, tiers, ins);
    render_counts(
        frame,
        groups,
        " Sites showing each ILO indicator, by sector risk group ",
        &ins.by_group,
    );
    render_counts(frame, regions, " … by region ", &ins.by_region);
    render_precision(frame, precision, app);
}

fn render_histogram(frame: &mut Frame, area: Rect, ins: &Insights) {
    let block = Block::bordered().title(format!(
        " Priority of {} shown sites (log-spaced bins) ",
        ins.sites
    ));
    let inner = block.inner(area);
    let n = u16::try_from(ins.histogram.len()).unwrap_or(1).max(1);
    let width = (inner.width / n).saturating_sub(1).clamp(1, 7);
    let bars: Vec<Bar<'static>> = ins
        .histogram
        .iter()
        .map(|(label, count)| {
            Bar::default()
                .label(Line::from(label.clone()))
                .value(*count)
                .style(Style::new().fg(Color::Cyan))
        })
        .collect();
    let chart = BarChart::vertical(bars)
        .bar_width(width)
        .bar_gap(1)
        .block(block);
    frame.render_widget(chart, area);
}

fn render_tiers(frame: &mut Frame, area: Rect, ins: &Insights) {
    let block = Block::bordered().title(" ILO tier ");
    let inner = block.inner(area);
    let max = ins.tiers.iter().copied().max().unwrap_or(0).max(1);
    let label_width = Tier::ALL.iter().map(|t| t.label().len()).max().unwrap_or(0);
    let room = usize::from(inner.width).saturating_sub(label_width + 9);
    let lines: Vec<Line<'static>> = Tier::ALL
        .iter()
        .rev()
        .zip(ins.tiers.iter().rev())
        .map(|(t, n)| {
            let len = usize::try_from(*n * room as u64 / max).unwrap_or(0);
            Line::from(vec![
                Span::styled(format!("{:<label_width$} ", t.label()), tier_style(*t)),
                Span::raw(format!("{n:>7} ")),
                Span::styled("█".repeat(len), tier_style(*t)),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn render_counts(frame: &mut Frame, area: Rect, title: &str, groups: &[GroupCounts]) {
    let header = Row::new(
        ["", "sites"]
            .into_iter()
            .chain(ILO_SHORT)
            .map(|h| Cell::new(h.to_string()))
            .collect::<Vec<_>>(),
    )
    .style(Style::new().add_modifier(Modifier::BOLD));
    let rows: Vec<Row<'static>> = groups
        .iter()
        .map(|g| {
            let mut cells = vec![
                Cell::new(g.name.clone()),
                Cell::new(format!("{:>6}", g.sites)),
            ];
            cells.extend(g.ilo.iter().map(|c| {
                let style = if *c == 0 {
                    dim()
                } else {
                    Style::new().fg(Color::Yellow)
                };
                Cell::new(format!("{c:>5}")).style(style)
            }));
            Row::new(cells)
        })
        .collect();
    let widths = [Constraint::Length(18), Constraint::Length(6)]
        .into_iter()
        .chain([Constraint::Length(6); 11]);
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .block(Block::bordered().title(title.to_string()));
    frame.render_widget(table, area);
}

fn render_precision(frame: &mut Frame, area: Rect, app: &App) {
    let block =
        Block::bordered().title(" Precision@k on the held-out period: model vs rules vs random ");
    let metrics = app
        .scored()
        .model
        .as_ref()
        .map(|(m, _)| (m, m.metrics.as_ref()));
    let (model, metrics) = match metrics {
        Some((m, Some(x))) => (m, x),
        Some((_, None)) => {
            let p = Paragraph::new("The model file has no held-out metrics (train it with `tilsyn train` to record them).")
                .wrap(Wrap { trim: true })
                .block(block);
            frame.render_widget(p, area);
            return;
        }
        None => {
            let p = Paragraph::new(
                "No model: sites are ranked by the rules scorer (indicator weights × workers exposed). \
                 `tilsyn train` writes models/risk_model.json; its precision@k against rules and random shows here.",
            )
            .wrap(Wrap { trim: true })
            .block(block);
            frame.render_widget(p, area);
            return;
        }
    };
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [note, why, table_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    let rules_auc = metrics
        .rules_auc
        .map(|a| format!(" · rules AUC {a:.2}"))
        .unwrap_or_default();
    let kind = model.kind.name();
    let text = format!(
        "{kind} model · AUC {:.2} [{:.2}–{:.2}]{rules_auc} · test from {} · {} test inspections, {} positive",
        metrics.auc.value,
        metrics.auc.low,
        metrics.auc.high,
        metrics.split_date,
        metrics.n_test,
        metrics.test_positives
    );
    frame.render_widget(Paragraph::new(Span::styled(text, dim())), note);
    // Why this learner ranks: it had to beat the rules score to be used.
    let reason = if model.chosen_because.is_empty() {
        format!("kept {kind} (the file does not say why: retrain to record the comparison)")
    } else {
        format!("kept {}", model.chosen_because)
    };
    frame.render_widget(Paragraph::new(Span::styled(reason, dim())), why);
    let header = Row::new(
        [
            "plan size",
            "k",
            "model",
            "95% interval",
            "rules",
            "random",
            "lift",
        ]
        .map(Cell::new),
    )
    .style(Style::new().add_modifier(Modifier::BOLD));
    let pct = |x: f64| format!("{:>5.1}%", x * 100.0);
    let rows: Vec<Row<'static>> = metrics
        .at_k
        .iter()
        .map(|a| {
            let better = a.precision.value >= a.rules_precision;
            let style = if better {
                Style::new().fg(Color::Green)
            } else {
                Style::new().fg(Color::Yellow)
            };
            Row::new(vec![
                Cell::new(a.label.clone()),
                Cell::new(format!("{:>5}", a.k)),
                Cell::new(pct(a.precision.value)).style(style),
                Cell::new(format!(
                    "{}–{}",
                    pct(a.precision.low).trim(),
                    pct(a.precision.high).trim()
                )),
                Cell::new(pct(a.rules_precision)),
                Cell::new(pct(metrics.population_rate)),
                Cell::new(format!("{:>5.1}×", a.lift_random)),
            ])
        })
        .collect();
    let widths = [12, 6, 7, 15, 7, 7, 7].map(Constraint::Length);
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        table_area,
    );
}
