//! Blind spots: sites where many people may work but few of the 11 ILO
//! indicators could be assessed. A ranking puts them low because nothing
//! was looked at, not because nothing is there; "unknown" is not "low
//! risk". This lists them by how much is unseen: the exposure factor times
//! the share of the 11 that are unknown, half as much again in a risk
//! sector, ties by site id.

use serde::Serialize;

use super::rows::{exposure, workers_exposed};
use crate::data::ILO_INDICATORS;
use crate::indicators::IloStatus;
use crate::pipeline::Scored;

/// Coverage at or below which a site is a blind spot, by default.
pub const DEFAULT_MAX_COVERAGE: u8 = 3;

/// One blind spot.
#[derive(Debug, Clone, Serialize)]
pub struct BlindSpot {
    /// 1-based position in the list.
    pub rank: usize,
    /// Row in the assessment frame.
    #[serde(skip)]
    pub row: usize,
    /// Site id.
    pub site_id: String,
    /// Site name.
    pub name: Option<String>,
    /// Municipality name.
    pub municipality: Option<String>,
    /// DB07 code.
    pub sector_code: Option<String>,
    /// Risk group of the sector, if any.
    pub risk_group: Option<String>,
    /// Workers exposed.
    pub workers_exposed: f64,
    /// ILO indicators assessed (of 11).
    pub coverage: u8,
    /// The ILO indicators nobody could assess here.
    pub unknown: Vec<&'static str>,
    /// Days since the last inspection (none: never inspected).
    pub days_since_inspection: Option<i64>,
    /// The sources that would assess the most, missing here.
    pub missing: Vec<&'static str>,
    /// The ordering key: exposure × unknown share × 1.5 in a risk sector.
    pub blind_score: f64,
}

/// The blind spots of an assessment: sites with at most `max_coverage` of
/// the 11 assessed, most unseen exposure first; `top` limits the list.
pub fn blind_spots(scored: &Scored, max_coverage: u8, top: Option<usize>) -> Vec<BlindSpot> {
    let a = &scored.assessment;
    let frame = &a.frame;
    let workers = workers_exposed(frame);
    let text = |name: &str, i: usize| {
        frame
            .column(name)
            .ok()
            .and_then(|c| c.str().ok().and_then(|c| c.get(i).map(str::to_string)))
    };
    let num = |name: &str, i: usize| {
        frame
            .column(name)
            .ok()
            .and_then(|c| c.get(i).ok())
            .and_then(|v| crate::indicators::explain::number(&v))
    };
    // Looked up once: this pass runs over every site.
    let risk_group = frame.column("risk_group").ok().and_then(|c| c.str().ok());
    let mut out: Vec<(usize, f64)> = a
        .sites
        .iter()
        .enumerate()
        .filter(|(_, s)| s.coverage <= max_coverage)
        .map(|(i, s)| {
            let risk = if risk_group.is_some_and(|c| c.get(i).is_some()) {
                1.5
            } else {
                1.0
            };
            let unseen = f64::from(11 - s.coverage.min(11)) / 11.0;
            (i, exposure(workers[i]) * unseen * risk)
        })
        .collect();
    out.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    out.into_iter()
        .take(top.unwrap_or(usize::MAX))
        .enumerate()
        .map(|(k, (i, score))| {
            let s = &a.sites[i];
            let days = num("days_since_inspection", i).map(|d| d as i64);
            let mut missing = Vec::new();
            if days.is_none_or(|d| d > 1825) {
                missing.push("an inspection in the last 5 years");
            }
            if num("payroll_workers", i).is_none_or(|v| v <= 0.0) {
                missing.push("payroll rows");
            }
            if num("housed_workers", i).is_none_or(|v| v <= 0.0) {
                missing.push("addresses of permit holders");
            }
            BlindSpot {
                rank: k + 1,
                row: i,
                site_id: text("site_id", i).unwrap_or_default(),
                name: text("name", i),
                municipality: text("municipality", i),
                sector_code: text("sector_code", i),
                risk_group: text("risk_group", i),
                workers_exposed: workers[i],
                coverage: s.coverage,
                unknown: s
                    .ilo
                    .iter()
                    .zip(ILO_INDICATORS)
                    .filter(|(st, _)| **st == IloStatus::Unknown)
                    .map(|(_, id)| id)
                    .collect(),
                days_since_inspection: days,
                missing,
                blind_score: score,
            }
        })
        .collect()
}
