//! Fitting with linfa and the fitted models. Logistic regression
//! (linfa-logistic, L2) is fitted on a weighted resample, since linfa's
//! logistic regression takes no sample weights: systematic resampling with a
//! seed draws rows in proportion to their weights (inverse propensity ×
//! class balance), and the intercept is then corrected back to the
//! population's base rate. The decision tree (linfa-trees) takes the weights
//! directly; its leaves then get smoothed, inverse-propensity-weighted
//! probabilities. Fitted models are plain data (coefficients, nodes) that
//! predict and explain themselves.

use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use linfa_trees::{DecisionTree, DecisionTreeParams};
use ndarray::{Array1, Array2, ArrayView1, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::params::{Learner, ModelError, ValidModelParams};

/// The learner of a fitted model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Logistic regression.
    Logistic,
    /// Decision tree.
    Tree,
}

/// A node of a fitted tree: a split (`x[feature] < threshold` goes left) or a leaf.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Split feature (None for a leaf).
    pub feature: Option<usize>,
    /// Split threshold on the standardised feature.
    pub threshold: f64,
    /// Left child index.
    pub left: usize,
    /// Right child index.
    pub right: usize,
    /// Probability at a leaf.
    pub p: f64,
}

/// A fitted model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fitted {
    /// `p = σ(intercept + coef · x)`.
    Logistic {
        /// Intercept (base-rate corrected).
        intercept: f64,
        /// One coefficient per feature (standardised scale).
        coef: Vec<f64>,
    },
    /// A decision tree; node 0 is the root.
    Tree {
        /// The nodes.
        nodes: Vec<Node>,
    },
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Fitted {
    /// The learner.
    pub fn kind(&self) -> ModelKind {
        match self {
            Fitted::Logistic { .. } => ModelKind::Logistic,
            Fitted::Tree { .. } => ModelKind::Tree,
        }
    }

    /// Probability for one row.
    pub fn predict_row(&self, x: ArrayView1<'_, f64>) -> f64 {
        match self {
            Fitted::Logistic { intercept, coef } => {
                sigmoid(intercept + coef.iter().zip(x.iter()).map(|(c, v)| c * v).sum::<f64>())
            }
            Fitted::Tree { nodes } => {
                let mut i = 0usize;
                for _ in 0..=nodes.len() {
                    let Some(n) = nodes.get(i) else { return 0.0 };
                    match n.feature {
                        None => return n.p,
                        Some(f) => {
                            i = if x.get(f).copied().unwrap_or(0.0) < n.threshold {
                                n.left
                            } else {
                                n.right
                            }
                        }
                    }
                }
                0.0
            }
        }
    }

    /// Probabilities for every row.
    pub fn predict(&self, x: &Array2<f64>) -> Vec<f64> {
        x.axis_iter(Axis(0)).map(|r| self.predict_row(r)).collect()
    }

    /// Each feature's contribution for one row. Logistic: its term in the
    /// log-odds (`coef × standardised value`). Tree: the change in
    /// probability when the feature is set to its training mean.
    pub fn contributions(&self, x: ArrayView1<'_, f64>) -> Vec<f64> {
        match self {
            Fitted::Logistic { coef, .. } => {
                coef.iter().zip(x.iter()).map(|(c, v)| c * v).collect()
            }
            Fitted::Tree { .. } => {
                let p = self.predict_row(x);
                let mut row = x.to_owned();
                (0..row.len())
                    .map(|j| {
                        let keep = row[j];
                        row[j] = 0.0;
                        let q = self.predict_row(row.view());
                        row[j] = keep;
                        p - q
                    })
                    .collect()
            }
        }
    }
}

/// Example weights: inverse propensity (capped) times class balance.
pub fn weights(
    labels: &[bool],
    selection: &[Option<f64>],
    params: &ValidModelParams,
    balance: bool,
) -> Vec<f64> {
    let ipw: Vec<f64> = selection
        .iter()
        .map(|p| match p {
            Some(p) if *p > 0.0 => (1.0 / p).min(params.max_ipw),
            // Chosen with (almost) no chance: as rare as weighting allows.
            Some(_) => params.max_ipw,
            None => 1.0,
        })
        .collect();
    if !balance || !params.class_weighting {
        return ipw;
    }
    let pos: f64 = labels
        .iter()
        .zip(&ipw)
        .filter(|(y, _)| **y)
        .map(|(_, w)| w)
        .sum();
    let neg: f64 = labels
        .iter()
        .zip(&ipw)
        .filter(|(y, _)| !**y)
        .map(|(_, w)| w)
        .sum();
    let (wp, wn) = if pos > 0.0 && neg > 0.0 {
        (0.5 / pos, 0.5 / neg)
    } else {
        (1.0, 1.0)
    };
    labels
        .iter()
        .zip(&ipw)
        .map(|(y, w)| w * if *y { wp } else { wn } * labels.len() as f64)
        .collect()
}

/// Systematic resampling: `m` row indices drawn in proportion to `w`.
pub fn resample(w: &[f64], m: usize, seed: u64) -> Vec<usize> {
    let total: f64 = w.iter().sum();
    if total <= 0.0 || w.is_empty() {
        return (0..w.len()).collect();
    }
    let step = total / m as f64;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut u = rng.r#gen::<f64>() * step;
    let mut out = Vec::with_capacity(m);
    let mut cum = 0.0;
    for (i, wi) in w.iter().enumerate() {
        cum += wi;
        while u < cum && out.len() < m {
            out.push(i);
            u += step;
        }
    }
    out
}

fn check_classes(y: &[bool]) -> Result<(), ModelError> {
    if y.is_empty() {
        return Err(ModelError::EmptyTraining(
            "no inspection falls in the training period".into(),
        ));
    }
    let pos = y.iter().filter(|v| **v).count();
    if pos == 0 {
        return Err(ModelError::SingleClass(
            "no inspection found exploitation".into(),
        ));
    }
    if pos == y.len() {
        return Err(ModelError::SingleClass(
            "every inspection found exploitation".into(),
        ));
    }
    Ok(())
}

/// Fits one learner on a standardised matrix.
pub fn fit(
    params: &ValidModelParams,
    kind: ModelKind,
    x: &Array2<f64>,
    y: &[bool],
    selection: &[Option<f64>],
) -> Result<Fitted, ModelError> {
    check_classes(y)?;
    if x.nrows() != y.len() {
        return Err(ModelError::Fit(format!(
            "{} rows but {} labels",
            x.nrows(),
            y.len()
        )));
    }
    match kind {
        ModelKind::Logistic => fit_logistic(params, x, y, selection),
        ModelKind::Tree => fit_tree(params, x, y, selection),
    }
}

fn fit_logistic(
    params: &ValidModelParams,
    x: &Array2<f64>,
    y: &[bool],
    selection: &[Option<f64>],
) -> Result<Fitted, ModelError> {
    let w = weights(y, selection, params, true);
    // Three draws per example, at least 2,000 and at most 50,000 rows: more
    // rows sharpen the weights little and cost fitting time linearly or worse.
    let m = (3 * y.len()).clamp(2_000, 50_000);
    let idx = resample(&w, m, params.seed);
    let xr = x.select(Axis(0), &idx);
    let yr: Array1<bool> = idx.iter().map(|&i| y[i]).collect();
    check_classes(yr.as_slice().unwrap_or(&[]))?;
    let ds = Dataset::new(xr, yr.clone());
    let model = LogisticRegression::default()
        // The penalty is per original example: resampling m rows from n
        // must not weaken it m/n times.
        .alpha(params.l2 * m as f64 / y.len() as f64)
        .max_iterations(300)
        .fit(&ds)
        .map_err(|e| ModelError::Fit(e.to_string()))?;
    // linfa reports the probability of its "positive" class, which is the
    // more frequent class of the targets, not necessarily `true`.
    let sign = if model.labels().pos.class { 1.0 } else { -1.0 };
    let coef: Vec<f64> = model.params().iter().map(|c| sign * c).collect();
    let mut intercept = sign * model.intercept();
    // Prior correction: from the resample's base rate back to the population's.
    let ipw = weights(y, selection, params, false);
    let pi = y
        .iter()
        .zip(&ipw)
        .filter(|(l, _)| **l)
        .map(|(_, w)| w)
        .sum::<f64>()
        / ipw.iter().sum::<f64>();
    let pi_r = yr.iter().filter(|v| **v).count() as f64 / yr.len() as f64;
    let logit = |p: f64| (p.clamp(1e-6, 1.0 - 1e-6) / (1.0 - p.clamp(1e-6, 1.0 - 1e-6))).ln();
    intercept += logit(pi) - logit(pi_r);
    Ok(Fitted::Logistic { intercept, coef })
}

fn fit_tree(
    params: &ValidModelParams,
    x: &Array2<f64>,
    y: &[bool],
    selection: &[Option<f64>],
) -> Result<Fitted, ModelError> {
    let w = weights(y, selection, params, true);
    let labels: Array1<usize> = y.iter().map(|v| usize::from(*v)).collect();
    let wf: Array1<f32> = w.iter().map(|v| *v as f32).collect();
    let ds = Dataset::new(x.clone(), labels).with_weights(wf);
    let tree: DecisionTree<f64, usize> = DecisionTreeParams::new()
        .max_depth(Some(params.max_depth))
        .min_weight_leaf(params.min_leaf_weight as f32)
        .fit(&ds)
        .map_err(|e| ModelError::Fit(e.to_string()))?;
    let mut nodes = Vec::new();
    flatten(tree.root_node(), &mut nodes);
    // Leaf probabilities from the inverse-propensity weights, smoothed to the base rate.
    let ipw = weights(y, selection, params, false);
    let base = y
        .iter()
        .zip(&ipw)
        .filter(|(l, _)| **l)
        .map(|(_, w)| w)
        .sum::<f64>()
        / ipw.iter().sum::<f64>();
    let mut sums = vec![(0.0f64, 0.0f64); nodes.len()];
    for (i, row) in x.axis_iter(Axis(0)).enumerate() {
        let leaf = leaf_of(&nodes, row);
        sums[leaf].0 += ipw[i] * f64::from(u8::from(y[i]));
        sums[leaf].1 += ipw[i];
    }
    const SMOOTH: f64 = 5.0;
    for (n, (pos, tot)) in nodes.iter_mut().zip(&sums) {
        if n.feature.is_none() {
            n.p = (pos + SMOOTH * base) / (tot + SMOOTH);
        }
    }
    Ok(Fitted::Tree { nodes })
}

fn flatten(node: &linfa_trees::TreeNode<f64, usize>, nodes: &mut Vec<Node>) -> usize {
    let me = nodes.len();
    nodes.push(Node {
        feature: None,
        threshold: 0.0,
        left: 0,
        right: 0,
        p: 0.0,
    });
    if node.is_leaf() {
        return me;
    }
    let (feature, threshold, _) = node.split();
    let children = node.children();
    let (Some(Some(l)), Some(Some(r))) = (
        children.first().map(|c| c.as_ref()),
        children.get(1).map(|c| c.as_ref()),
    ) else {
        return me;
    };
    let left = flatten(l, nodes);
    let right = flatten(r, nodes);
    nodes[me] = Node {
        feature: Some(feature),
        threshold,
        left,
        right,
        p: 0.0,
    };
    me
}

fn leaf_of(nodes: &[Node], x: ArrayView1<'_, f64>) -> usize {
    let mut i = 0usize;
    for _ in 0..=nodes.len() {
        match nodes.get(i).and_then(|n| n.feature.map(|f| (f, n))) {
            None => return i,
            Some((f, n)) => {
                i = if x.get(f).copied().unwrap_or(0.0) < n.threshold {
                    n.left
                } else {
                    n.right
                }
            }
        }
    }
    i
}

/// The learners to try for a `Learner` choice.
pub fn kinds(learner: Learner) -> Vec<ModelKind> {
    match learner {
        Learner::Logistic => vec![ModelKind::Logistic],
        Learner::Tree => vec![ModelKind::Tree],
        Learner::Best => vec![ModelKind::Logistic, ModelKind::Tree],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::ModelParams;

    fn toy(n: usize) -> (Array2<f64>, Vec<bool>) {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut x = Array2::zeros((n, 2));
        let mut y = Vec::with_capacity(n);
        for i in 0..n {
            let a: f64 = rng.gen_range(-2.0..2.0);
            let b: f64 = rng.gen_range(-2.0..2.0);
            x[[i, 0]] = a;
            x[[i, 1]] = b;
            y.push(rng.r#gen::<f64>() < sigmoid(2.0 * a - 3.0));
        }
        (x, y)
    }

    #[test]
    fn logistic_probability_is_for_true_and_ranks_the_signal() {
        let p = ModelParams {
            l2: 1.0,
            ..ModelParams::default()
        }
        .check()
        .unwrap();
        let (x, y) = toy(2000);
        let m = fit(&p, ModelKind::Logistic, &x, &y, &vec![None; y.len()]).unwrap();
        let Fitted::Logistic { coef, .. } = &m else {
            panic!()
        };
        assert!(coef[0] > 1.0, "{coef:?}");
        assert!(coef[1].abs() < 0.5, "{coef:?}");
        // Positives are a minority here: linfa's positive class is `false`; the mapping must flip it.
        let hi = m.predict_row(ndarray::arr1(&[2.0, 0.0]).view());
        let lo = m.predict_row(ndarray::arr1(&[-2.0, 0.0]).view());
        assert!(hi > 0.5 && lo < 0.05, "{hi} {lo}");
        // Base-rate correction keeps the mean prediction near the observed rate.
        let mean: f64 = m.predict(&x).iter().sum::<f64>() / x.nrows() as f64;
        let rate = y.iter().filter(|v| **v).count() as f64 / y.len() as f64;
        assert!((mean - rate).abs() < 0.05, "{mean} vs {rate}");
    }

    #[test]
    fn tree_learns_and_leaves_are_probabilities() {
        let p = ModelParams::default().check().unwrap();
        let (x, y) = toy(2000);
        let m = fit(&p, ModelKind::Tree, &x, &y, &vec![None; y.len()]).unwrap();
        let hi = m.predict_row(ndarray::arr1(&[2.0, 0.0]).view());
        let lo = m.predict_row(ndarray::arr1(&[-2.0, 0.0]).view());
        assert!(hi > lo + 0.3, "{hi} {lo}");
        assert!((0.0..=1.0).contains(&hi));
    }

    #[test]
    fn single_class_and_empty_are_refused_before_fitting() {
        let p = ModelParams::default().check().unwrap();
        let x = Array2::zeros((3, 1));
        assert!(matches!(
            fit(&p, ModelKind::Logistic, &x, &[false; 3], &[None; 3]),
            Err(ModelError::SingleClass(_))
        ));
        let x0 = Array2::zeros((0, 1));
        assert!(matches!(
            fit(&p, ModelKind::Tree, &x0, &[], &[]),
            Err(ModelError::EmptyTraining(_))
        ));
    }

    #[test]
    fn resampling_follows_weights_deterministically() {
        let idx = resample(&[1.0, 3.0], 4000, 9);
        assert_eq!(idx, resample(&[1.0, 3.0], 4000, 9));
        let ones = idx.iter().filter(|i| **i == 1).count();
        assert!((2990..=3010).contains(&ones), "{ones}");
    }
}
