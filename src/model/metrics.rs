//! Held-out metrics an inspectorate can publish: ROC AUC, precision@k and
//! recall@k at plan sizes, lift over random (the inverse-propensity estimate
//! of the population rate) and over the historical selection (the rate the
//! inspections actually made found), and calibration by decile; each with a
//! seeded bootstrap 95% interval.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// A value with a bootstrap 95% interval. A statistic that cannot be
/// computed (an AUC with one class in the test period) is NaN, written as
/// `null` in JSON and read back as NaN.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Point estimate.
    #[serde(with = "nan_as_null")]
    pub value: f64,
    /// 2.5th percentile of the bootstrap.
    #[serde(with = "nan_as_null")]
    pub low: f64,
    /// 97.5th percentile.
    #[serde(with = "nan_as_null")]
    pub high: f64,
}

/// Serialises NaN as `null` and reads `null` back as NaN (JSON has no NaN).
mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else {
            s.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

impl std::fmt::Display for Interval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.3} [{:.3}, {:.3}]", self.value, self.low, self.high)
    }
}

/// ROC AUC with ties counted half (Mann–Whitney). `None` with one class.
pub fn auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]));
    let (mut rank_sum, mut i) = (0.0f64, 0usize);
    let n_pos = labels.iter().filter(|l| **l).count() as f64;
    let n_neg = labels.len() as f64 - n_pos;
    if n_pos == 0.0 || n_neg == 0.0 {
        return None;
    }
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += idx[i..=j].iter().filter(|&&k| labels[k]).count() as f64 * avg_rank;
        i = j + 1;
    }
    Some((rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg))
}

/// Indices ordered by score descending, ties by index (stable).
pub fn order(scores: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b)));
    idx
}

/// Precision and recall in the top k, for each k: one sort for all of them.
pub fn precision_recall_at(scores: &[f64], labels: &[bool], ks: &[usize]) -> Vec<(f64, f64)> {
    let top = order(scores);
    let pos = labels.iter().filter(|l| **l).count();
    ks.iter()
        .map(|&k| {
            let k = k.min(scores.len());
            let hits = top.iter().take(k).filter(|&&i| labels[i]).count() as f64;
            let precision = if k == 0 { 0.0 } else { hits / k as f64 };
            let recall = if pos == 0 { 0.0 } else { hits / pos as f64 };
            (precision, recall)
        })
        .collect()
}

/// Share of positives among the top k.
pub fn precision_at(scores: &[f64], labels: &[bool], k: usize) -> f64 {
    precision_recall_at(scores, labels, &[k])[0].0
}

/// Share of all positives that are in the top k.
pub fn recall_at(scores: &[f64], labels: &[bool], k: usize) -> f64 {
    precision_recall_at(scores, labels, &[k])[0].1
}

/// Weighted positive rate (Horvitz–Thompson with weights `w`).
pub fn weighted_rate(labels: &[bool], w: &[f64]) -> f64 {
    let tot: f64 = w.iter().sum();
    if tot <= 0.0 {
        return 0.0;
    }
    labels
        .iter()
        .zip(w)
        .filter(|(l, _)| **l)
        .map(|(_, w)| w)
        .sum::<f64>()
        / tot
}

/// One calibration bin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// Decile, 1 = lowest predictions.
    pub decile: usize,
    /// Examples in it.
    pub n: usize,
    /// Mean predicted probability.
    pub predicted: f64,
    /// Observed positive rate.
    pub observed: f64,
}

/// Calibration by decile of the prediction, and the expected calibration
/// error (mean |predicted − observed| weighted by bin size).
pub fn calibration(p: &[f64], labels: &[bool]) -> (Vec<CalibrationBin>, f64) {
    let mut idx: Vec<usize> = (0..p.len()).collect();
    idx.sort_by(|a, b| p[*a].total_cmp(&p[*b]).then(a.cmp(b)));
    let n = p.len();
    let mut bins = Vec::new();
    let mut ece = 0.0;
    for d in 0..10 {
        let lo = d * n / 10;
        let hi = (d + 1) * n / 10;
        if hi <= lo {
            continue;
        }
        let part = &idx[lo..hi];
        let predicted = part.iter().map(|&i| p[i]).sum::<f64>() / part.len() as f64;
        let observed = part.iter().filter(|&&i| labels[i]).count() as f64 / part.len() as f64;
        ece += (predicted - observed).abs() * part.len() as f64 / n as f64;
        bins.push(CalibrationBin {
            decile: d + 1,
            n: part.len(),
            predicted,
            observed,
        });
    }
    (bins, ece)
}

/// Resamples drawn at a time: drawn in order from one seeded stream (so the
/// resamples are those a single thread would draw), then evaluated on every
/// core. A block holds `RESAMPLE_BLOCK × n` indices.
const RESAMPLE_BLOCK: usize = 16;

/// `stat` of `reps` bootstrap resamples of `0..n`, in resample order.
fn resampled<T: Send>(
    n: usize,
    reps: usize,
    seed: u64,
    stat: impl Fn(&[usize]) -> T + Sync,
) -> Vec<T> {
    use rayon::prelude::*;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(reps);
    let mut done = 0;
    while done < reps {
        let block = RESAMPLE_BLOCK.min(reps - done);
        let samples: Vec<Vec<usize>> = (0..block)
            .map(|_| (0..n).map(|_| rng.gen_range(0..n)).collect())
            .collect();
        out.extend(samples.par_iter().map(|s| stat(s)).collect::<Vec<T>>());
        done += block;
    }
    out
}

/// A bootstrap interval for a statistic of resampled example indices.
pub fn bootstrap(
    n: usize,
    reps: usize,
    seed: u64,
    stat: impl Fn(&[usize]) -> Option<f64> + Sync,
) -> Option<Interval> {
    let all: Vec<usize> = (0..n).collect();
    let value = stat(&all)?;
    if reps == 0 || n == 0 {
        return Some(Interval {
            value,
            low: value,
            high: value,
        });
    }
    let mut vals: Vec<f64> = resampled(n, reps, seed, |sample| stat(sample))
        .into_iter()
        .flatten()
        .collect();
    if vals.is_empty() {
        return Some(Interval {
            value,
            low: value,
            high: value,
        });
    }
    vals.sort_by(f64::total_cmp);
    let q = |f: f64| vals[((vals.len() - 1) as f64 * f).round() as usize];
    Some(Interval {
        value,
        low: q(0.025),
        high: q(0.975),
    })
}

/// Bootstrap intervals for several statistics of the same resamples: the
/// same seeded resampling and percentiles as [`bootstrap`] (statistic `j`
/// of `bootstrap_many` equals `bootstrap` of that statistic alone), with
/// one pass over each resample for all of them. `stat` returns one value
/// per statistic (`None` where undefined on that resample).
pub fn bootstrap_many(
    n: usize,
    reps: usize,
    seed: u64,
    stat: impl Fn(&[usize]) -> Vec<Option<f64>> + Sync,
) -> Vec<Option<Interval>> {
    let all: Vec<usize> = (0..n).collect();
    let values = stat(&all);
    let point = |value: f64| Interval {
        value,
        low: value,
        high: value,
    };
    if reps == 0 || n == 0 {
        return values.into_iter().map(|v| v.map(point)).collect();
    }
    let mut vals: Vec<Vec<f64>> = vec![Vec::new(); values.len()];
    for per_rep in resampled(n, reps, seed, &stat) {
        for (slot, v) in vals.iter_mut().zip(per_rep) {
            if let Some(v) = v {
                slot.push(v);
            }
        }
    }
    values
        .into_iter()
        .zip(vals)
        .map(|(value, mut vs)| {
            let value = value?;
            if vs.is_empty() {
                return Some(point(value));
            }
            vs.sort_by(f64::total_cmp);
            let q = |f: f64| vs[((vs.len() - 1) as f64 * f).round() as usize];
            Some(Interval {
                value,
                low: q(0.025),
                high: q(0.975),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_matches_hand_computed_values() {
        assert_eq!(
            auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]),
            Some(0.75)
        );
        assert_eq!(auc(&[0.5, 0.5], &[false, true]), Some(0.5));
        assert_eq!(auc(&[0.5, 0.6], &[true, true]), None);
    }

    #[test]
    fn precision_recall_and_calibration() {
        let s = [0.9, 0.8, 0.7, 0.1];
        let y = [true, false, true, false];
        assert_eq!(precision_at(&s, &y, 2), 0.5);
        assert_eq!(recall_at(&s, &y, 3), 1.0);
        assert_eq!(precision_at(&s, &y, 0), 0.0);
        let (bins, ece) = calibration(&[0.0; 20], &[false; 20]);
        assert_eq!(bins.len(), 10);
        assert_eq!(ece, 0.0);
        assert!((weighted_rate(&[true, false], &[3.0, 1.0]) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn an_undefined_statistic_round_trips_through_json() {
        let i = Interval {
            value: f64::NAN,
            low: f64::NAN,
            high: f64::NAN,
        };
        let text = serde_json::to_string(&i).unwrap();
        assert_eq!(text, r#"{"value":null,"low":null,"high":null}"#);
        let back: Interval = serde_json::from_str(&text).unwrap();
        assert!(back.value.is_nan() && back.low.is_nan() && back.high.is_nan());
    }

    #[test]
    fn bootstrap_is_seeded_and_brackets_the_value() {
        let y: Vec<bool> = (0..200).map(|i| i % 4 == 0).collect();
        let stat =
            |ix: &[usize]| Some(ix.iter().filter(|&&i| y[i]).count() as f64 / ix.len() as f64);
        let a = bootstrap(200, 200, 3, stat).unwrap();
        let b = bootstrap(200, 200, 3, stat).unwrap();
        assert_eq!(a, b);
        assert!(a.low <= a.value && a.value <= a.high && a.high - a.low > 0.01);
    }

    #[test]
    fn bootstrap_many_matches_bootstrap_per_statistic() {
        let y: Vec<bool> = (0..150).map(|i| i % 3 == 0).collect();
        let rate = |ix: &[usize]| ix.iter().filter(|&&i| y[i]).count() as f64 / ix.len() as f64;
        let first = |ix: &[usize]| (!y[ix[0]]).then_some(ix[0] as f64);
        let many = bootstrap_many(150, 100, 9, |ix| vec![Some(rate(ix)), first(ix)]);
        assert_eq!(many[0], bootstrap(150, 100, 9, |ix| Some(rate(ix))));
        assert_eq!(many[1], bootstrap(150, 100, 9, first));
        assert_eq!(bootstrap_many(0, 10, 1, |_| vec![None]), vec![None]);
    }

    /// The resamples evaluated on every core in blocks are the ones one
    /// thread draws from the seed, in order (so intervals did not change).
    #[test]
    fn resamples_in_blocks_are_the_sequential_draws() {
        let n = 37;
        let reps = RESAMPLE_BLOCK * 2 + 5;
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let sequential: Vec<Vec<usize>> = (0..reps)
            .map(|_| (0..n).map(|_| rng.gen_range(0..n)).collect())
            .collect();
        assert_eq!(resampled(n, reps, 11, |s| s.to_vec()), sequential);
    }

    #[test]
    fn precision_and_recall_at_many_sizes_from_one_sort() {
        let scores = [0.9, 0.1, 0.8, 0.8, 0.3, 0.7];
        let labels = [true, false, false, true, true, false];
        // Order: 0 (0.9), 2 and 3 tied at 0.8 (by index), 5, 4, 1.
        let got = precision_recall_at(&scores, &labels, &[0, 1, 2, 3, 6, 10]);
        let want = [
            (0.0, 0.0),
            (1.0, 1.0 / 3.0),
            (0.5, 1.0 / 3.0),
            (2.0 / 3.0, 2.0 / 3.0),
            (0.5, 1.0),
            (0.5, 1.0),
        ];
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g.0 - w.0).abs() < 1e-12 && (g.1 - w.1).abs() < 1e-12,
                "{g:?} vs {w:?}"
            );
        }
        assert_eq!(precision_at(&scores, &labels, 3), got[3].0);
        assert_eq!(recall_at(&scores, &labels, 3), got[3].1);
    }
}
