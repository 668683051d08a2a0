//! Group measures from plain per-site inputs (so they can be checked by
//! hand): who was selected, each site's label and truth, and its group
//! under each attribute. One bootstrap per attribute resamples sites and
//! computes every group's ratios from one pass over each resample.

use std::collections::BTreeMap;

use super::{Attribute, AttributeReport, FairnessParams, GroupLine, MEASURES, Measure, Overall};
use crate::model::metrics::bootstrap_many;

/// Per-site inputs of the audit (all vectors have one entry per site).
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Whether the site is in the top k.
    pub selected: Vec<bool>,
    /// Whether an inspection in the label period found exploitation (None: not inspected).
    pub label: Vec<Option<bool>>,
    /// Whether the site is truly exploited (generated data only).
    pub truth: Option<Vec<bool>>,
    /// The site's group under each attribute.
    pub attributes: Vec<(Attribute, Vec<String>)>,
}

/// Counts of one group (or of all sites) on one sample.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    n: usize,
    selected: usize,
    labelled: usize,
    labelled_selected: usize,
    positive_selected: usize,
    positive: usize,
    true_selected: usize,
    true_positive: usize,
}

impl Counts {
    fn add(&mut self, pop: &Population, i: usize) {
        let sel = pop.selected.get(i).copied().unwrap_or(false);
        let label = pop.label.get(i).copied().flatten();
        let truth = pop
            .truth
            .as_ref()
            .and_then(|t| t.get(i).copied())
            .unwrap_or(false);
        self.n += 1;
        self.selected += usize::from(sel);
        if let Some(l) = label {
            self.labelled += 1;
            self.labelled_selected += usize::from(sel);
            self.positive += usize::from(l);
            self.positive_selected += usize::from(l && sel);
        }
        self.true_positive += usize::from(truth);
        self.true_selected += usize::from(truth && sel);
    }

    /// Values in `MEASURES` order.
    fn values(&self, has_truth: bool) -> [Option<f64>; 5] {
        let r = |a: usize, b: usize| {
            if b > 0 {
                Some(a as f64 / b as f64)
            } else {
                None
            }
        };
        [
            r(self.selected, self.n),
            r(self.positive_selected, self.labelled_selected),
            r(self.positive_selected, self.positive),
            if has_truth {
                r(self.true_selected, self.selected)
            } else {
                None
            },
            if has_truth {
                r(self.true_selected, self.true_positive)
            } else {
                None
            },
        ]
    }
}

fn counts(pop: &Population, codes: &[usize], groups: usize, ix: &[usize]) -> (Vec<Counts>, Counts) {
    let mut per = vec![Counts::default(); groups];
    let mut all = Counts::default();
    for &i in ix {
        if let Some(c) = codes.get(i).and_then(|&g| per.get_mut(g)) {
            c.add(pop, i);
        }
        all.add(pop, i);
    }
    (per, all)
}

fn ratio(group: Option<f64>, all: Option<f64>) -> Option<f64> {
    match (group, all) {
        (Some(g), Some(a)) if a > 0.0 => Some(g / a),
        _ => None,
    }
}

/// The measures over all sites, every attribute's groups with their
/// ratios, and the warnings for groups of at least `min_group` sites.
pub fn group_reports(
    pop: &Population,
    params: &FairnessParams,
) -> (Overall, Vec<AttributeReport>, Vec<String>) {
    let n = pop.selected.len();
    let has_truth = pop.truth.is_some();
    let all_ix: Vec<usize> = (0..n).collect();
    let (_, total) = counts(pop, &[], 0, &all_ix);
    let overall = Overall {
        sites: total.n,
        selected: total.selected,
        labelled: total.labelled,
        positives: total.positive,
        values: total.values(has_truth),
    };
    let (lo, hi) = params.band;
    let mut warnings = Vec::new();
    let mut reports = Vec::new();
    for (attribute, names) in &pop.attributes {
        let index: BTreeMap<&str, usize> = names
            .iter()
            .map(String::as_str)
            .collect::<std::collections::BTreeSet<&str>>()
            .into_iter()
            .enumerate()
            .map(|(i, g)| (g, i))
            .collect();
        let codes: Vec<usize> = names
            .iter()
            .map(|g| index.get(g.as_str()).copied().unwrap_or(0))
            .collect();
        let g = index.len();
        let stat = |ix: &[usize]| -> Vec<Option<f64>> {
            let (per, all) = counts(pop, &codes, g, ix);
            let av = all.values(has_truth);
            per.iter()
                .flat_map(|c| {
                    let cv = c.values(has_truth);
                    (0..MEASURES.len()).map(move |m| ratio(cv[m], av[m]))
                })
                .collect()
        };
        let intervals = bootstrap_many(n, params.reps, params.seed, stat);
        let (per, _) = counts(pop, &codes, g, &all_ix);
        let mut lines = Vec::with_capacity(g);
        for (name, &gi) in &index {
            let c = per.get(gi).copied().unwrap_or_default();
            let cv = c.values(has_truth);
            let measure = |m: usize| -> Option<Measure> {
                let value = cv[m]?;
                let ratio = intervals.get(gi * MEASURES.len() + m).copied().flatten();
                let outside = ratio.is_some_and(|r| r.value < lo || r.value > hi);
                Some(Measure {
                    value,
                    ratio,
                    outside,
                })
            };
            let line = GroupLine {
                group: (*name).to_string(),
                sites: c.n,
                selected: c.selected,
                labelled: c.labelled,
                selection_rate: measure(0),
                precision: measure(1),
                recall: measure(2),
                true_precision: measure(3),
                true_recall: measure(4),
            };
            if c.n >= params.min_group {
                for (m, x) in line.measures().into_iter().enumerate() {
                    if let Some(Measure {
                        ratio: Some(r),
                        outside: true,
                        ..
                    }) = x
                    {
                        warnings.push(format!(
                            "{} '{}' ({} sites): {} ratio {:.2} (95% interval {:.2}-{:.2}) is outside {lo:.2}-{hi:.2}",
                            attribute.label(),
                            name,
                            c.n,
                            MEASURES[m],
                            r.value,
                            r.low,
                            r.high
                        ));
                    }
                }
            }
            lines.push(line);
        }
        reports.push(AttributeReport {
            attribute: *attribute,
            groups: lines,
        });
    }
    (overall, reports, warnings)
}
