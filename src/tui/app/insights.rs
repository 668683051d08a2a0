//! Summaries of the shown sites for the insights screen: the distribution
//! of priority, the tier counts, and how many sites show each ILO indicator
//! (observed or signalled) by sector risk group and by region. Computed in
//! one pass over the view when the screen opens and cached until the view
//! changes.

use std::collections::BTreeMap;

use crate::indicators::{IloStatus, Tier};
use crate::rank::Ranked;
use crate::tui::theme::compact;

/// Bins of the priority histogram (besides the bin of priority 0).
pub const BINS: usize = 10;

/// Sites and ILO indicator counts of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupCounts {
    /// Group name (risk group or region).
    pub name: String,
    /// Sites in the group.
    pub sites: u64,
    /// Sites with each ILO indicator observed or signalled.
    pub ilo: [u64; 11],
}

/// What the insights screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Insights {
    /// Sites summarised.
    pub sites: usize,
    /// Priority histogram: `(upper edge label, sites)`, the first bin being priority 0,
    /// the others spaced evenly on a log scale up to the largest priority.
    pub histogram: Vec<(String, u64)>,
    /// Sites per tier, in `Tier::ALL` order.
    pub tiers: [u64; 4],
    /// By sector risk group, most sites first.
    pub by_group: Vec<GroupCounts>,
    /// By region, most sites first.
    pub by_region: Vec<GroupCounts>,
}

fn add(map: &mut BTreeMap<String, GroupCounts>, name: &str, r: &Ranked) {
    let g = map.entry(name.to_string()).or_insert_with(|| GroupCounts {
        name: name.to_string(),
        sites: 0,
        ilo: [0; 11],
    });
    g.sites += 1;
    for (k, s) in r.ilo.iter().enumerate() {
        if matches!(s, IloStatus::Observed | IloStatus::Signalled) {
            g.ilo[k] += 1;
        }
    }
}

fn sorted(map: BTreeMap<String, GroupCounts>) -> Vec<GroupCounts> {
    let mut v: Vec<GroupCounts> = map.into_values().collect();
    v.sort_by(|a, b| b.sites.cmp(&a.sites).then_with(|| a.name.cmp(&b.name)));
    v
}

impl Insights {
    /// Summarises the sites at `view` (indices into `rows`).
    pub fn compute(rows: &[Ranked], view: &[usize]) -> Insights {
        let shown = || view.iter().filter_map(|i| rows.get(*i));
        let positive = shown()
            .map(|r| r.priority)
            .filter(|p| *p > 0.0 && p.is_finite());
        let (lo, hi) = positive.fold((f64::INFINITY, 0.0f64), |(lo, hi), p| {
            (lo.min(p), hi.max(p))
        });
        let mut counts = [0u64; BINS + 1];
        let mut tiers = [0u64; 4];
        let mut by_group = BTreeMap::new();
        let mut by_region = BTreeMap::new();
        let span = if hi > lo { (hi / lo).ln() } else { 0.0 };
        for r in shown() {
            let bin = if r.priority <= 0.0 || !r.priority.is_finite() {
                0
            } else if span <= 0.0 {
                BINS
            } else {
                let x = ((r.priority / lo).ln() / span * BINS as f64).floor();
                1 + (x.max(0.0) as usize).min(BINS - 1)
            };
            counts[bin.min(BINS)] += 1;
            if let Some(t) = Tier::ALL.iter().position(|t| *t == r.tier) {
                tiers[t] += 1;
            }
            add(&mut by_group, r.risk_group.as_deref().unwrap_or("other"), r);
            add(&mut by_region, r.region.as_deref().unwrap_or("unknown"), r);
        }
        let histogram = counts
            .iter()
            .enumerate()
            .map(|(k, n)| {
                let label = if k == 0 {
                    "0".to_string()
                } else if span <= 0.0 {
                    compact(hi)
                } else {
                    compact(lo * (span * k as f64 / BINS as f64).exp())
                };
                (label, *n)
            })
            .filter(|(_, n)| span > 0.0 || *n > 0)
            .collect();
        Insights {
            sites: view.len(),
            histogram,
            tiers,
            by_group: sorted(by_group),
            by_region: sorted(by_region),
        }
    }
}
