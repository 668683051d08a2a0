//! Platt scaling: the probability a learner gives is mapped through
//! `σ(a + b · logit(p))`, with `a` and `b` fitted on the validation slice
//! (inspections the learner was not fitted on), so that among sites given
//! 0.3, about 3 in 10 inspections find what the label counts. Learners
//! fitted with class balancing and inverse-propensity weights rank well but
//! are not calibrated to what inspections find; this corrects that.

use serde::{Deserialize, Serialize};

use super::fit::{logit, sigmoid};

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
    fn one_outcome_gives_no_mapping() {
        assert!(Platt::fit(&[0.1, 0.2], &[false, false]).is_none());
    }
}
