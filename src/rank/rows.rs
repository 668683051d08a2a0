//! Turning an assessment into ranked rows: the rules priority per site,
//! the filter, the order (priority descending, ties by site id), and each
//! site's reasons with their evidence sentences.

use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;

use super::filter::Filter;
use crate::indicators::explain;
use crate::indicators::{IloStatus, Kind, Tier};
use crate::pipeline::Scored;

/// One reason behind a rank: an indicator that fired, with its sentence.
#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    /// Indicator id.
    pub indicator: String,
    /// Evidence or signal.
    pub kind: Kind,
    /// The ILO indicators it stands for.
    pub ilo: Vec<String>,
    /// Its weight after decay.
    pub weight: f64,
    /// The plain-language sentence with the evidence values.
    pub text: String,
}

/// One of the model's largest contributions.
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    /// Feature name (shared by every row that names it: a national ranking
    /// has millions of contributions and a few dozen feature names).
    pub feature: std::sync::Arc<str>,
    /// Contribution (log-odds for logistic regression, probability for trees).
    pub value: f64,
}

/// One ranked site.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    /// 1-based rank within the filtered list.
    pub rank: usize,
    /// Row in the assessment frame.
    #[serde(skip)]
    pub row: usize,
    /// Site id.
    pub site_id: String,
    /// Company id (CVR).
    pub company_id: Option<String>,
    /// Site name.
    pub name: Option<String>,
    /// Municipality code.
    pub municipality_code: Option<i64>,
    /// Municipality name.
    pub municipality: Option<String>,
    /// Region name.
    pub region: Option<String>,
    /// DB07 code.
    pub sector_code: Option<String>,
    /// Risk group of the sector.
    pub risk_group: Option<String>,
    /// Workers exposed (see the module doc).
    pub workers_exposed: f64,
    /// Whether any table gave a worker count (permits, postings, payroll,
    /// findings, employees); otherwise `workers_exposed` is the floor of 1
    /// and is shown as unknown.
    pub workers_known: bool,
    /// Sum of indicator weights.
    pub score: f64,
    /// Ranking key.
    pub priority: f64,
    /// The model's probability that an inspection would find exploitation.
    pub probability: Option<f64>,
    /// The model's largest contributions.
    pub contributions: Vec<Contribution>,
    /// ILO tier.
    pub tier: Tier,
    /// The 11 ILO statuses.
    pub ilo: [IloStatus; 11],
    /// How many of the 11 were assessed (not unknown).
    pub coverage: u8,
    /// Days since the last inspection.
    pub days_since_inspection: Option<i64>,
    /// The indicators behind the rank, heaviest first.
    pub reasons: Vec<Reason>,
}

fn str_col<'a>(frame: &'a DataFrame, name: &str) -> Option<&'a StringChunked> {
    frame.column(name).ok().and_then(|c| c.str().ok())
}

fn f64_col(frame: &DataFrame, name: &str) -> Vec<Option<f64>> {
    frame
        .column(name)
        .ok()
        .and_then(|c| c.cast(&DataType::Float64).ok())
        .and_then(|c| c.f64().ok().map(|ca| ca.iter().collect()))
        .unwrap_or_else(|| vec![None; frame.height()])
}

/// Workers exposed at each row.
pub fn workers_exposed(frame: &DataFrame) -> Vec<f64> {
    let cols: Vec<Vec<Option<f64>>> = [
        "permit_workers",
        "posted_workers",
        "payroll_workers",
        "findings_workers_affected_max",
    ]
    .iter()
    .map(|c| f64_col(frame, c))
    .collect();
    let employees = f64_col(frame, "employees");
    (0..frame.height())
        .map(|i| {
            let best = cols.iter().filter_map(|c| c[i]).fold(0.0f64, f64::max);
            if best > 0.0 {
                best
            } else {
                employees[i].unwrap_or(1.0).max(1.0)
            }
        })
        .collect()
}

/// Whether any table gives a worker count at each row (see
/// [`workers_exposed`]): where none does, the count is unknown, not 1.
pub fn workers_known(frame: &DataFrame) -> Vec<bool> {
    let cols: Vec<Vec<Option<f64>>> = [
        "permit_workers",
        "posted_workers",
        "payroll_workers",
        "findings_workers_affected_max",
        "employees",
    ]
    .iter()
    .map(|c| f64_col(frame, c))
    .collect();
    (0..frame.height())
        .map(|i| cols.iter().any(|c| c[i].is_some_and(|v| v > 0.0)))
        .collect()
}

/// Workers exposed as a reader sees them: the count, or `?` when no table
/// gives one.
pub fn workers_text(workers: f64, known: bool) -> String {
    if known {
        crate::indicators::explain::NoDecimals(workers).to_string()
    } else {
        "?".to_string()
    }
}

/// The exposure factor of the rules priority.
pub fn exposure(workers: f64) -> f64 {
    1.0 + (1.0 + workers.max(0.0)).ln()
}

/// The priority of every row: the model's probability (or, with the rules
/// scorer or a model whose learner is the rules score, the indicator score) × exposure × recency × unacted evidence
/// (see `docs/model.md`). Recency rises from 1 (inspected today) to 1.5
/// (three years or more, or never); a tip newer than the last inspection
/// (or at a site never inspected) multiplies by 1.25.
/// `workers` and `days` (since the last inspection) are per row, as
/// [`workers_exposed`] and the `days_since_inspection` column give them.
pub fn priorities(scored: &Scored, workers: &[f64], days: &[Option<f64>]) -> Vec<f64> {
    let frame = &scored.assessment.frame;
    let tip = f64_col(frame, "last_tip_age_days");
    (0..frame.height())
        .map(|row| {
            let days = days.get(row).copied().flatten();
            let recency = 1.0 + 0.5 * days.map_or(1.0, |d| (d / 1095.0).min(1.0));
            let unacted = match (tip.get(row).copied().flatten(), days) {
                (Some(t), Some(d)) if t < d => 1.25,
                (Some(_), None) => 1.25,
                _ => 1.0,
            };
            // A model whose learner is the rules score ranks as the rules scorer.
            let base = match &scored.model {
                Some((f, m)) if f.kind != crate::model::fit::ModelKind::Rules => m.probability[row],
                _ => scored.assessment.sites[row].rule_score,
            };
            let workers = workers.get(row).copied().unwrap_or(1.0);
            base * exposure(workers) * recency * unacted
        })
        .collect()
}

/// Ranks the assessed sites that pass the filter; `top` limits the rows
/// returned (reasons are built only for those).
pub fn rank(
    scored: &Scored,
    filter: &Filter,
    top: Option<usize>,
    reasons_per_site: usize,
) -> Vec<Ranked> {
    let mut out = Vec::new();
    let detail = Detail {
        reasons: reasons_per_site,
        contributions: true,
    };
    let Ok(()) = rank_in_blocks(scored, filter, top, detail, usize::MAX, |rows| {
        out.extend(rows);
        Ok::<(), std::convert::Infallible>(())
    });
    out
}

/// What each ranked row carries besides its figures: a reader that does
/// not show them does not pay for them (a national ranking has a million
/// rows).
#[derive(Debug, Clone, Copy)]
pub struct Detail {
    /// Reasons per site: its heaviest fired indicators, with sentences.
    pub reasons: usize,
    /// The model's largest contributions (none without a model).
    pub contributions: bool,
}

/// The assessment frame's columns that both the order and the rows read,
/// looked up (and the workers exposed counted) once.
struct Shared<'a> {
    sector: Option<&'a StringChunked>,
    group: Option<&'a StringChunked>,
    region: Option<&'a StringChunked>,
    muni: Option<&'a Int64Chunked>,
    workers: Vec<f64>,
    days: Vec<Option<f64>>,
}

impl<'a> Shared<'a> {
    fn of(frame: &'a DataFrame) -> Self {
        Shared {
            sector: str_col(frame, "sector_code"),
            group: str_col(frame, "risk_group"),
            region: str_col(frame, "region"),
            muni: frame
                .column("municipality_code")
                .ok()
                .and_then(|c| c.i64().ok()),
            workers: workers_exposed(frame),
            days: f64_col(frame, "days_since_inspection"),
        }
    }

    /// The rows that pass the filter with their priority, in rank order.
    fn order(&self, scored: &Scored, filter: &Filter) -> Vec<(usize, f64)> {
        let sites = &scored.assessment.sites;
        let priority = priorities(scored, &self.workers, &self.days);
        let mut order: Vec<(usize, f64)> = (0..sites.len())
            .filter(|&i| {
                filter.matches(
                    self.sector.and_then(|c| c.get(i)),
                    self.group.and_then(|c| c.get(i)),
                    self.muni.and_then(|c| c.get(i)),
                    self.region.and_then(|c| c.get(i)),
                    sites[i].tier,
                )
            })
            .map(|i| (i, priority[i]))
            .collect();
        order.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        order
    }
}

/// The rows of the assessment frame that pass the filter, with their
/// priority, in rank order: priority descending, ties by site id (the
/// frame is sorted by id, so by row). Rank k is the k-th (from 1).
pub fn ranking_order(scored: &Scored, filter: &Filter) -> Vec<(usize, f64)> {
    Shared::of(&scored.assessment.frame).order(scored, filter)
}

/// [`rank`], handed over `block` rows at a time in rank order, so that a
/// writer never holds a national ranking's million rows (and their reason
/// sentences) at once. Rows are built on every core; `emit` stops the
/// ranking at its first error.
pub fn rank_in_blocks<E>(
    scored: &Scored,
    filter: &Filter,
    top: Option<usize>,
    detail: Detail,
    block: usize,
    mut emit: impl FnMut(Vec<Ranked>) -> Result<(), E>,
) -> Result<(), E> {
    let a = &scored.assessment;
    let frame = &a.frame;
    let shared = Shared::of(frame);
    let Shared {
        sector,
        group,
        region,
        muni,
        ref workers,
        ref days,
    } = shared;
    let ids = str_col(frame, "site_id");
    let known = workers_known(frame);
    let company = str_col(frame, "company_id");
    let name = str_col(frame, "name");
    let municipality = str_col(frame, "municipality");
    let get = |ca: Option<&StringChunked>, i: usize| ca.and_then(|c| c.get(i)).map(str::to_string);
    let mut order = shared.order(scored, filter);
    let take = top.unwrap_or(order.len()).min(order.len());
    order.truncate(take);
    let row = |k: usize, i: usize, priority: f64| {
        let s = &a.sites[i];
        Ranked {
            rank: k + 1,
            row: i,
            site_id: get(ids, i).unwrap_or_default(),
            company_id: get(company, i),
            name: get(name, i),
            municipality_code: muni.and_then(|c| c.get(i)),
            municipality: get(municipality, i),
            region: get(region, i),
            sector_code: get(sector, i),
            risk_group: get(group, i),
            workers_exposed: workers[i],
            workers_known: known[i],
            score: s.rule_score,
            priority,
            probability: scored.model.as_ref().map(|(_, m)| m.probability[i]),
            contributions: match &scored.model {
                Some((_, m)) if detail.contributions => m.contributions[i]
                    .iter()
                    .map(|(f, v)| Contribution {
                        feature: m.feature_names[*f].clone(),
                        value: *v,
                    })
                    .collect(),
                _ => Vec::new(),
            },
            tier: s.tier,
            ilo: s.ilo,
            coverage: s.coverage,
            days_since_inspection: days[i].map(|d| d as i64),
            reasons: reasons(scored, i, detail.reasons),
        }
    };
    // Each row's reasons are sentences rendered from the frame: on a
    // national register that is millions of them, built on every core
    // (rayon keeps the order).
    let block = block.max(1);
    for (b, chunk) in order.chunks(block).enumerate() {
        let first = b * block;
        let rows: Vec<Ranked> = chunk
            .par_iter()
            .enumerate()
            .map(|(k, &(i, priority))| row(first + k, i, priority))
            .collect();
        emit(rows)?;
    }
    Ok(())
}

/// The reasons of one row: fired indicators, heaviest first.
pub fn reasons(scored: &Scored, row: usize, limit: usize) -> Vec<Reason> {
    let cat = &scored.catalogue.catalogue;
    scored.assessment.sites[row]
        .fired
        .iter()
        .take(limit)
        .map(|(i, w)| {
            let d = &cat.indicators[*i];
            Reason {
                indicator: d.id.clone(),
                kind: d.kind,
                ilo: d.ilo.clone(),
                weight: *w,
                text: explain::render(&d.explain, &scored.assessment.frame, row),
            }
        })
        .collect()
}

/// Where each of `rows` is, as (longitude, latitude): the site's own
/// coordinates, else its municipality's representative point (the bundled
/// reference data), else unknown. One rule for the map and the day routes.
pub fn coordinates(scored: &Scored, rows: &[Ranked]) -> Vec<Option<(f64, f64)>> {
    let frame = &scored.assessment.frame;
    let col = |name: &str| -> Option<Vec<Option<f64>>> {
        frame
            .column(name)
            .ok()
            .and_then(|c| c.cast(&DataType::Float64).ok())
            .and_then(|c| c.f64().ok().map(|ca| ca.iter().collect()))
    };
    let (lat, lon) = (col("lat"), col("lon"));
    let at = |v: &Option<Vec<Option<f64>>>, i: usize| {
        v.as_ref().and_then(|v| v.get(i).copied().flatten())
    };
    let rd = crate::data::reference::ReferenceData::bundled();
    rows.iter()
        .map(|r| match (at(&lon, r.row), at(&lat, r.row)) {
            (Some(x), Some(y)) => Some((x, y)),
            _ => r
                .municipality_code
                .and_then(|c| u16::try_from(c).ok())
                .and_then(|c| rd.municipality(c))
                .map(|m| (m.lon, m.lat)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::LoadOptions;
    use crate::indicators::Catalogue;

    fn scored() -> Scored {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/network");
        let rejects = tempfile::tempdir().expect("tempdir");
        let opts = LoadOptions {
            rejects_dir: Some(rejects.path().to_path_buf()),
            pseudonym_key: Some(crate::data::pseudonym::test_key()),
            ..LoadOptions::default()
        };
        let catalogue = Catalogue::bundled().expect("bundled catalogue");
        let compiled = crate::pipeline::compile(catalogue).expect("compiles");
        crate::pipeline::load_and_assess(
            &dir,
            opts,
            compiled,
            chrono::NaiveDate::from_ymd_opt(2026, 6, 30),
        )
        .expect("the network fixture assesses")
    }

    /// The fields a writer shows, reasons included.
    fn shown(r: &Ranked) -> (usize, String, String, Vec<String>) {
        (
            r.rank,
            r.site_id.clone(),
            format!("{:.6}", r.priority),
            r.reasons.iter().map(|x| x.text.clone()).collect(),
        )
    }

    #[test]
    fn a_ranking_in_blocks_is_the_ranking_in_one_piece() {
        let scored = scored();
        let whole: Vec<_> = rank(&scored, &Filter::default(), None, 3)
            .iter()
            .map(shown)
            .collect();
        assert!(whole.len() >= 9, "{}", whole.len());
        for (block, top) in [(1, None), (2, None), (4, Some(7)), (1000, Some(3))] {
            let mut sizes = Vec::new();
            let mut got = Vec::new();
            let detail = Detail {
                reasons: 3,
                contributions: true,
            };
            rank_in_blocks(&scored, &Filter::default(), top, detail, block, |rows| {
                sizes.push(rows.len());
                got.extend(rows.iter().map(shown));
                Ok::<(), ()>(())
            })
            .expect("no error");
            let want: Vec<_> = whole
                .iter()
                .take(top.unwrap_or(usize::MAX))
                .cloned()
                .collect();
            assert_eq!(got, want, "block {block}");
            assert!(
                sizes.iter().all(|s| *s <= block),
                "block {block}: {sizes:?}"
            );
        }
        // An error from the writer stops the ranking.
        let mut calls = 0;
        let detail = Detail {
            reasons: 3,
            contributions: true,
        };
        let stopped = rank_in_blocks(&scored, &Filter::default(), None, detail, 2, |_| {
            calls += 1;
            Err("disk full")
        });
        assert_eq!((stopped, calls), (Err("disk full"), 1));
    }
}
