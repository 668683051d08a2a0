//! PNG charts: precision@k of the model against the rules scorer and random
//! selection, and the calibration of predicted against observed rates.

use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::model::metrics::{CalibrationBin, precision_at};

static FONT: Once = Once::new();
const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

fn register_font() {
    FONT.call_once(|| {
        // The bundled font is known to parse; if registration fails the
        // charts still draw, without text.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT_BYTES);
    });
}

/// A chart could not be drawn or written.
#[derive(Debug, thiserror::Error)]
#[error("{path}: cannot draw the chart: {message}")]
pub struct PlotError {
    path: String,
    message: String,
}

fn err(path: &Path) -> impl Fn(String) -> PlotError + '_ {
    move |message| PlotError {
        path: path.display().to_string(),
        message,
    }
}

/// Precision among the top k test examples for k = 1..n: model, rules, and
/// the random baseline (the population rate).
pub fn precision_curve(
    path: &Path,
    model: &[f64],
    rules: &[f64],
    labels: &[bool],
    random_rate: f64,
    historical_rate: f64,
) -> Result<(), PlotError> {
    register_font();
    let e = err(path);
    let n = labels.len().max(1);
    let root = BitMapBackend::new(path, (1000, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(x.to_string()))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Precision of the top k inspections (held-out period)",
            ("sans-serif", 26),
        )
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(1usize..n, 0f64..1.0)
        .map_err(|x| e(x.to_string()))?;
    chart
        .configure_mesh()
        .x_desc("k: inspections planned, highest score first")
        .y_desc("share that found exploitation")
        .draw()
        .map_err(|x| e(x.to_string()))?;
    let step = (n / 300).max(1);
    let curve = |s: &[f64]| {
        (1..=n)
            .step_by(step)
            .map(|k| (k, precision_at(s, labels, k)))
            .collect::<Vec<_>>()
    };
    chart
        .draw_series(LineSeries::new(curve(model), BLUE.stroke_width(3)))
        .map_err(|x| e(x.to_string()))?
        .label("model")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(3)));
    chart
        .draw_series(LineSeries::new(curve(rules), RED.stroke_width(2)))
        .map_err(|x| e(x.to_string()))?
        .label("rules scorer")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(
            vec![(1, random_rate), (n, random_rate)],
            BLACK.stroke_width(1),
        ))
        .map_err(|x| e(x.to_string()))?
        .label("random (population estimate)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK));
    chart
        .draw_series(LineSeries::new(
            vec![(1, historical_rate), (n, historical_rate)],
            GREEN.stroke_width(1),
        ))
        .map_err(|x| e(x.to_string()))?
        .label("historical selection")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], GREEN));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(|x| e(x.to_string()))?;
    root.present().map_err(|x| e(x.to_string()))
}

/// Predicted against observed rate by decile, with the diagonal.
pub fn calibration(path: &Path, bins: &[CalibrationBin]) -> Result<(), PlotError> {
    register_font();
    let e = err(path);
    let top = bins
        .iter()
        .map(|b| b.predicted.max(b.observed))
        .fold(0.05f64, f64::max)
        * 1.1;
    let top = top.min(1.0);
    let root = BitMapBackend::new(path, (700, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(x.to_string()))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Calibration by decile (held-out period)",
            ("sans-serif", 24),
        )
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(0f64..top, 0f64..top)
        .map_err(|x| e(x.to_string()))?;
    chart
        .configure_mesh()
        .x_desc("mean predicted probability")
        .y_desc("observed rate")
        .draw()
        .map_err(|x| e(x.to_string()))?;
    chart
        .draw_series(LineSeries::new(
            vec![(0.0, 0.0), (top, top)],
            BLACK.mix(0.5),
        ))
        .map_err(|x| e(x.to_string()))?;
    chart
        .draw_series(LineSeries::new(
            bins.iter().map(|b| (b.predicted, b.observed)),
            BLUE.stroke_width(2),
        ))
        .map_err(|x| e(x.to_string()))?;
    chart
        .draw_series(
            bins.iter()
                .map(|b| Circle::new((b.predicted, b.observed), 5, BLUE.filled())),
        )
        .map_err(|x| e(x.to_string()))?;
    root.present().map_err(|x| e(x.to_string()))
}
