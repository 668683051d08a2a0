//! Calibration: the probability a learner gives is mapped, on the
//! validation slice (inspections the learner was not fitted on), to what
//! inspections found, so that among sites given 0.3 about 3 in 10
//! inspections find what the label counts. Learners fitted with class
//! balancing and inverse-propensity weights rank well but are not
//! calibrated. With enough validation inspections the map is isotonic (pool
//! adjacent violators, blocks of at least [`MIN_BLOCK`] inspections,
//! linear between block centres), which fits any monotone shape; with fewer
//! it is Platt scaling, `σ(a + b · logit(p))`, two parameters.

use serde::{Deserialize, Serialize};

use super::fit::{logit, sigmoid};

/// Validation inspections from which the map is isotonic rather than Platt.
pub const ISOTONIC_FROM: usize = 200;
/// Fewest inspections in an isotonic block.
pub const MIN_BLOCK: usize = 20;

/// A fitted calibration map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Calibration {
    /// Platt scaling.
    Platt(Platt),
    /// An isotonic step map, linear between block centres.
    Isotonic {
        /// Mean raw probability of each block, increasing.
        x: Vec<f64>,
        /// Rate found in each block, non-decreasing.
        y: Vec<f64>,
    },
}

impl Calibration {
    /// Fits the map on raw probabilities and outcomes: isotonic with
    /// [`ISOTONIC_FROM`] inspections or more, else Platt.
    pub fn fit(p: &[f64], y: &[bool]) -> Option<Calibration> {
        if p.len() >= ISOTONIC_FROM {
            isotonic(p, y).or_else(|| Platt::fit(p, y).map(Calibration::Platt))
        } else {
            Platt::fit(p, y).map(Calibration::Platt)
        }
    }

    /// The calibrated probability.
    pub fn apply(&self, p: f64) -> f64 {
        match self {
            Calibration::Platt(c) => c.apply(p),
            Calibration::Isotonic { x, y } => {
                let (Some(&x0), Some(&xn)) = (x.first(), x.last()) else {
                    return p;
                };
                if p <= x0 {
                    return y[0];
                }
                if p >= xn {
                    return y[y.len() - 1];
                }
                let k = x.partition_point(|v| *v <= p);
                let (xa, xb, ya, yb) = (x[k - 1], x[k], y[k - 1], y[k]);
                if xb > xa {
                    ya + (yb - ya) * (p - xa) / (xb - xa)
                } else {
                    ya
                }
            }
        }
    }
}

/// Pool adjacent violators over the examples sorted by raw probability,
/// then merges blocks smaller than [`MIN_BLOCK`] into a neighbour.
fn isotonic(p: &[f64], y: &[bool]) -> Option<Calibration> {
    if p.len() != y.len() || y.iter().all(|v| *v) || y.iter().all(|v| !*v) {
        return None;
    }
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|a, b| p[*a].total_cmp(&p[*b]).then(a.cmp(b)));
    // Blocks as (sum of p, positives, count).
    let mut blocks: Vec<(f64, f64, f64)> = Vec::new();
    for i in order {
        blocks.push((p[i], f64::from(u8::from(y[i])), 1.0));
        while blocks.len() >= 2 {
            let n = blocks.len();
            let (a, b) = (blocks[n - 2], blocks[n - 1]);
            let violates = a.1 / a.2 >= b.1 / b.2;
            let small = a.2 < MIN_BLOCK as f64;
            if !(violates || small) {
                break;
            }
            blocks.truncate(n - 2);
            blocks.push((a.0 + b.0, a.1 + b.1, a.2 + b.2));
        }
    }
    // The last block may be small: merge it into the one before.
    while blocks.len() >= 2 && blocks[blocks.len() - 1].2 < MIN_BLOCK as f64 {
        let b = blocks.pop()?;
        let a = blocks.pop()?;
        blocks.push((a.0 + b.0, a.1 + b.1, a.2 + b.2));
    }
    // Merging small blocks can break the order again: pool once more.
    let mut out: Vec<(f64, f64, f64)> = Vec::new();
    for b in blocks {
        out.push(b);
        while out.len() >= 2 {
            let n = out.len();
            let (a, c) = (out[n - 2], out[n - 1]);
            if a.1 / a.2 < c.1 / c.2 {
                break;
            }
            out.truncate(n - 2);
            out.push((a.0 + c.0, a.1 + c.1, a.2 + c.2));
        }
    }
    let x: Vec<f64> = out.iter().map(|b| b.0 / b.2).collect();
    let y: Vec<f64> = out.iter().map(|b| b.1 / b.2).collect();
    Some(Calibration::Isotonic { x, y })
}

/// A fitted Platt mapping.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Platt {
    /// Intercept.
    pub a: f64,
    /// Slope on the learner's log-odds.
    pub b: f64,
}

impl Platt {
    /// The calibrated probability.
    pub fn apply(&self, p: f64) -> f64 {
        sigmoid(self.a + self.b * logit(p))
    }

    /// Fits the mapping by Newton's method on the log-likelihood, with
    /// Platt's smoothed targets (`(n₊ + 1) / (n₊ + 2)` and `1 / (n₋ + 2)`),
    /// which keep a small validation slice from pushing probabilities to 0
    /// or 1. `None` without both outcomes.
    pub fn fit(p: &[f64], y: &[bool]) -> Option<Platt> {
        let pos = y.iter().filter(|v| **v).count() as f64;
        let neg = y.len() as f64 - pos;
        if pos == 0.0 || neg == 0.0 || p.len() != y.len() {
            return None;
        }
        let hi = (pos + 1.0) / (pos + 2.0);
        let lo = 1.0 / (neg + 2.0);
        let z: Vec<f64> = p.iter().map(|v| logit(*v)).collect();
        let t: Vec<f64> = y.iter().map(|v| if *v { hi } else { lo }).collect();
        let (mut a, mut b) = (logit(pos / (pos + neg)), 1.0);
        // Start from the base rate with the learner's own slope.
        a -= z.iter().sum::<f64>() / z.len() as f64;
        for _ in 0..100 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-9, 0.0, 1e-9);
            for (zi, ti) in z.iter().zip(&t) {
                let q = sigmoid(a + b * zi);
                let d = q - ti;
                let w = q * (1.0 - q);
                ga += d;
                gb += d * zi;
                haa += w;
                hab += w * zi;
                hbb += w * zi * zi;
            }
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-12 {
                break;
            }
            let da = (hbb * ga - hab * gb) / det;
            let db = (haa * gb - hab * ga) / det;
            a -= da;
            b -= db;
            if da.abs() < 1e-10 && db.abs() < 1e-10 {
                break;
            }
        }
        (a.is_finite() && b.is_finite()).then_some(Platt { a, b })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn overconfident_scores_are_pulled_back_to_what_was_found() {
        // True probability q; the learner reports a sharpened version of it.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut p = Vec::new();
        let mut y = Vec::new();
        for _ in 0..20_000 {
            let q: f64 = rng.gen_range(0.02..0.6);
            p.push(sigmoid(3.0 * logit(q) + 1.0));
            y.push(rng.r#gen::<f64>() < q);
        }
        let platt = Platt::fit(&p, &y).expect("both outcomes");
        assert!((platt.b - 1.0 / 3.0).abs() < 0.05, "{platt:?}");
        // In the top tenth, the calibrated mean matches the observed rate.
        let mut order: Vec<usize> = (0..p.len()).collect();
        order.sort_by(|a, b| p[*b].total_cmp(&p[*a]));
        let top = &order[..2000];
        let observed = top.iter().filter(|i| y[**i]).count() as f64 / 2000.0;
        let raw = top.iter().map(|i| p[*i]).sum::<f64>() / 2000.0;
        let cal = top.iter().map(|i| platt.apply(p[*i])).sum::<f64>() / 2000.0;
        assert!((raw - observed).abs() > 0.2, "raw {raw} vs {observed}");
        assert!(
            (cal - observed).abs() < 0.03,
            "calibrated {cal} vs {observed}"
        );
    }

    #[test]
    fn isotonic_fits_a_shape_platt_cannot() {
        // Observed rate rises, then flattens at 0.6 for the highest raw scores.
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let mut p = Vec::new();
        let mut y = Vec::new();
        for _ in 0..5_000 {
            let raw: f64 = rng.gen_range(0.0..1.0);
            let q = (raw * 1.2).min(0.6);
            p.push(raw);
            y.push(rng.r#gen::<f64>() < q);
        }
        let iso = Calibration::fit(&p, &y).expect("both outcomes");
        assert!(matches!(iso, Calibration::Isotonic { .. }));
        for raw in [0.1, 0.3, 0.7, 0.95] {
            let want = (raw * 1.2f64).min(0.6);
            assert!(
                (iso.apply(raw) - want).abs() < 0.06,
                "{raw}: {}",
                iso.apply(raw)
            );
        }
        // Monotone.
        let mut last = 0.0;
        for k in 0..=100 {
            let v = iso.apply(f64::from(k) / 100.0);
            assert!(v >= last - 1e-12);
            last = v;
        }
        // Few inspections: Platt.
        assert!(matches!(
            Calibration::fit(&p[..150], &y[..150]),
            Some(Calibration::Platt(_))
        ));
    }

    #[test]
    fn one_outcome_gives_no_mapping() {
        assert!(Platt::fit(&[0.1, 0.2], &[false, false]).is_none());
    }
}
