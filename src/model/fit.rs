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
    /// Bagged decision trees (their probabilities averaged).
    Forest,
    /// The rules score itself, mapped to a probability: the transparent
    /// baseline, which a learner must beat to be used.
    Rules,
    /// The rules score and the logistic regression, averaged in log-odds.
    Blend,
}

impl ModelKind {
    /// The snake_case name used in files and headers.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Logistic => "logistic",
            ModelKind::Tree => "tree",
            ModelKind::Forest => "forest",
            ModelKind::Rules => "rules",
            ModelKind::Blend => "blend",
        }
    }
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
    /// Bagged trees; the probability is their mean.
    Forest {
        /// Each tree's nodes.
        trees: Vec<Vec<Node>>,
    },
    /// `p = σ(intercept + coef · x[feature])` over the rules score alone.
    Rules {
        /// The rules score's position in the feature list.
        feature: usize,
        /// Intercept (base-rate corrected).
        intercept: f64,
        /// Coefficient of the standardised rules score.
        coef: f64,
    },
    /// `p = σ(weight · logit(learner) + (1 − weight) · logit(rules))`.
    Blend {
        /// The rules part.
        rules: Box<Fitted>,
        /// The learned part.
        learner: Box<Fitted>,
        /// Weight of the learned part.
        weight: f64,
    },
}

/// The logistic function.
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Log-odds of a probability, clamped away from 0 and 1.
pub fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-9, 1.0 - 1e-9);
    (p / (1.0 - p)).ln()
}

/// The probability at the leaf a row falls in.
fn tree_predict(nodes: &[Node], x: ArrayView1<'_, f64>) -> f64 {
    nodes.get(leaf_of(nodes, x)).map_or(0.0, |n| n.p)
}

/// A tree's contributions: for each feature on the row's path, the change in
/// probability when it is set to its training mean (0 once standardised);
/// a feature off the path cannot change the leaf, so it contributes 0.
fn tree_contributions(nodes: &[Node], x: ArrayView1<'_, f64>, out: &mut [f64], scale: f64) {
    let p = tree_predict(nodes, x);
    let mut on_path: Vec<usize> = Vec::new();
    let mut i = 0usize;
    for _ in 0..=nodes.len() {
        match nodes.get(i).and_then(|n| n.feature.map(|f| (f, n))) {
            None => break,
            Some((f, n)) => {
                if !on_path.contains(&f) {
                    on_path.push(f);
                }
                i = if x.get(f).copied().unwrap_or(0.0) < n.threshold {
                    n.left
                } else {
                    n.right
                }
            }
        }
    }
    let mut row = x.to_owned();
    for f in on_path {
        let Some(slot) = out.get_mut(f) else { continue };
        let keep = row[f];
        row[f] = 0.0;
        *slot += scale * (p - tree_predict(nodes, row.view()));
        row[f] = keep;
    }
}

impl Fitted {
    /// The learner.
    pub fn kind(&self) -> ModelKind {
        match self {
            Fitted::Logistic { .. } => ModelKind::Logistic,
            Fitted::Tree { .. } => ModelKind::Tree,
            Fitted::Forest { .. } => ModelKind::Forest,
            Fitted::Rules { .. } => ModelKind::Rules,
            Fitted::Blend { .. } => ModelKind::Blend,
        }
    }

    /// Whether every feature index it uses is below `n`.
    pub fn fits_features(&self, n: usize) -> bool {
        let tree_ok = |nodes: &[Node]| nodes.iter().all(|x| x.feature.is_none_or(|f| f < n));
        match self {
            Fitted::Logistic { coef, .. } => coef.len() == n,
            Fitted::Tree { nodes } => tree_ok(nodes),
            Fitted::Forest { trees } => !trees.is_empty() && trees.iter().all(|t| tree_ok(t)),
            Fitted::Rules { feature, .. } => *feature < n,
            Fitted::Blend { rules, learner, .. } => {
                rules.fits_features(n) && learner.fits_features(n)
            }
        }
    }

    /// Probability for one row.
    pub fn predict_row(&self, x: ArrayView1<'_, f64>) -> f64 {
        match self {
            Fitted::Logistic { intercept, coef } => {
                sigmoid(intercept + coef.iter().zip(x.iter()).map(|(c, v)| c * v).sum::<f64>())
            }
            Fitted::Tree { nodes } => tree_predict(nodes, x),
            Fitted::Forest { trees } => {
                trees.iter().map(|t| tree_predict(t, x)).sum::<f64>() / trees.len().max(1) as f64
            }
            Fitted::Rules {
                feature,
                intercept,
                coef,
            } => sigmoid(intercept + coef * x.get(*feature).copied().unwrap_or(0.0)),
            Fitted::Blend {
                rules,
                learner,
                weight,
            } => sigmoid(
                weight * logit(learner.predict_row(x))
                    + (1.0 - weight) * logit(rules.predict_row(x)),
            ),
        }
    }

    /// Probabilities for every row.
    pub fn predict(&self, x: &Array2<f64>) -> Vec<f64> {
        x.axis_iter(Axis(0)).map(|r| self.predict_row(r)).collect()
    }

    /// Each feature's contribution for one row. Logistic and rules: its
    /// term in the log-odds (`coef × standardised value`). Tree: the change
    /// in probability when the feature is set to its training mean; forest:
    /// the mean of that over its trees. Blend: the weighted log-odds terms
    /// of its two parts.
    pub fn contributions(&self, x: ArrayView1<'_, f64>) -> Vec<f64> {
        let mut out = vec![0.0; x.len()];
        self.add_contributions(x, &mut out, 1.0);
        out
    }

    fn add_contributions(&self, x: ArrayView1<'_, f64>, out: &mut [f64], scale: f64) {
        match self {
            Fitted::Logistic { coef, .. } => {
                for ((o, c), v) in out.iter_mut().zip(coef).zip(x.iter()) {
                    *o += scale * c * v;
                }
            }
            Fitted::Tree { nodes } => tree_contributions(nodes, x, out, scale),
            Fitted::Forest { trees } => {
                let each = scale / trees.len().max(1) as f64;
                for t in trees {
                    tree_contributions(t, x, out, each);
                }
            }
            Fitted::Rules { feature, coef, .. } => {
                if let Some(o) = out.get_mut(*feature) {
                    *o += scale * coef * x.get(*feature).copied().unwrap_or(0.0);
                }
            }
            Fitted::Blend {
                rules,
                learner,
                weight,
            } => {
                learner.add_contributions(x, out, scale * weight);
                rules.add_contributions(x, out, scale * (1.0 - weight));
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

pub(crate) fn check_classes(y: &[bool]) -> Result<(), ModelError> {
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
        ModelKind::Forest => fit_forest(params, x, y, selection),
        ModelKind::Rules | ModelKind::Blend => Err(ModelError::Fit(format!(
            "the {} candidate is built from the rules score: see fit_rules and blend",
            kind.name()
        ))),
    }
}

/// The rules candidate: a logistic regression on the rules score alone
/// (column `feature` of `x`), so its probability rises with the score.
pub fn fit_rules(
    params: &ValidModelParams,
    x: &Array2<f64>,
    y: &[bool],
    selection: &[Option<f64>],
    feature: usize,
) -> Result<Fitted, ModelError> {
    check_classes(y)?;
    let column = x.select(Axis(1), &[feature]);
    match fit_logistic(params, &column, y, selection)? {
        Fitted::Logistic { intercept, coef } => Ok(Fitted::Rules {
            feature,
            intercept,
            // A rules score that does not rise with the outcome still
            // ranks by the score: the baseline is the score's order.
            coef: coef.first().copied().unwrap_or(0.0).max(1e-6),
        }),
        _ => Err(ModelError::Fit("the rules candidate did not fit".into())),
    }
}

/// Trees in a forest.
pub const FOREST_TREES: usize = 30;
/// Rows drawn (with replacement) for each tree, at most.
const FOREST_ROWS: usize = 20_000;

/// Bagging: each tree is fitted, as a single tree is, on a bootstrap sample
/// drawn with its own seed (so the forest is the same on every run); the
/// forest's probability is the mean of theirs. linfa-ensemble predicts by
/// majority vote and takes no sample weights, so the trees are bagged here.
fn fit_forest(
    params: &ValidModelParams,
    x: &Array2<f64>,
    y: &[bool],
    selection: &[Option<f64>],
) -> Result<Fitted, ModelError> {
    use rayon::prelude::*;
    let n = y.len();
    let m = n.min(FOREST_ROWS);
    let fitted: Vec<Option<Vec<Node>>> = (0..FOREST_TREES)
        .into_par_iter()
        .map(|b| {
            let seed = params
                .seed
                .wrapping_add((b as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let idx: Vec<usize> = (0..m).map(|_| rng.gen_range(0..n)).collect();
            let yb: Vec<bool> = idx.iter().map(|&i| y[i]).collect();
            if check_classes(&yb).is_err() {
                return Ok(None);
            }
            let xb = x.select(Axis(0), &idx);
            let sb: Vec<Option<f64>> = idx.iter().map(|&i| selection[i]).collect();
            match fit_tree(params, &xb, &yb, &sb)? {
                Fitted::Tree { nodes } => Ok(Some(nodes)),
                _ => Ok(None),
            }
        })
        .collect::<Result<_, ModelError>>()?;
    let trees: Vec<Vec<Node>> = fitted.into_iter().flatten().collect();
    if trees.is_empty() {
        return Err(ModelError::Fit(
            "no bootstrap sample held both outcomes".into(),
        ));
    }
    Ok(Fitted::Forest { trees })
}

/// The blend of the rules candidate and a learner, in log-odds.
pub fn blend(rules: Fitted, learner: Fitted, weight: f64) -> Fitted {
    Fitted::Blend {
        rules: Box::new(rules),
        learner: Box::new(learner),
        weight: weight.clamp(0.0, 1.0),
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
    // linfa-trees asserts on some weighted samples (seen on a 1,000,000-site
    // set: "n_samples > 0.0") instead of returning an error; a failed tree
    // is a candidate that could not be fitted, not a crash of `train`.
    let fitted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        DecisionTreeParams::new()
            .max_depth(Some(params.max_depth))
            .min_weight_leaf(params.min_leaf_weight as f32)
            .fit(&ds)
    }))
    .map_err(|_| ModelError::Fit("linfa-trees stopped on an internal assertion".into()))?;
    let tree: DecisionTree<f64, usize> = fitted.map_err(|e| ModelError::Fit(e.to_string()))?;
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
        Learner::Forest => vec![ModelKind::Forest],
        Learner::Rules => vec![ModelKind::Rules],
        Learner::Blend => vec![ModelKind::Blend],
        Learner::Best => vec![
            ModelKind::Rules,
            ModelKind::Logistic,
            ModelKind::Tree,
            ModelKind::Forest,
            ModelKind::Blend,
        ],
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
