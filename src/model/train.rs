//! Training and evaluation on a time split: examples before the split date
//! train, examples on or after it test. Every learner asked for is fitted on
//! the same training rows and compared on the same test rows; the chosen
//! model's held-out metrics (with bootstrap intervals) go into its file.

use chrono::NaiveDate;
use polars::prelude::Column;
use sha2::{Digest, Sha256};

use super::calibrate::Calibration;
use super::examples::{self, Examples, LabelDefinition};
use super::file::{AtK, Comparison, FORMAT, Metrics, ModelFile};
use super::fit::{self, Fitted, ModelKind};
use super::matrix::{self, FeatureSpec, Transform};
use super::metrics::{self, bootstrap_many};
use super::params::{ModelError, ValidModelParams};
use crate::data::Dataset;
use crate::data::parse::{from_days, to_days};
use crate::indicators::CompiledCatalogue;
use crate::indicators::engine::RULE_SCORE;

/// The plan sizes evaluated: fixed visit counts and shares of the test set.
pub const PLAN_SIZES: [usize; 4] = [50, 100, 250, 500];
/// Shares of the list evaluated.
pub const PLAN_SHARES: [f64; 3] = [0.01, 0.05, 0.10];

/// A trained model with its evaluation on the held-out period.
#[derive(Debug, Clone)]
pub struct Trained {
    /// The model file.
    pub file: ModelFile,
    /// The examples (for plots and further reports).
    pub examples: Examples,
    /// Test rows.
    pub test_rows: Vec<usize>,
    /// Model probability per test row.
    pub test_p: Vec<f64>,
}

/// The split date: given, or the date that leaves the last quarter of
/// inspections for testing.
fn split_date(ex: &Examples, given: Option<NaiveDate>) -> i32 {
    if let Some(d) = given {
        return to_days(d);
    }
    let mut d = ex.dates.clone();
    d.sort_unstable();
    d.get(d.len() * 3 / 4).copied().unwrap_or(0)
}

/// Trains and evaluates.
pub fn train(
    ds: &Dataset,
    catalogue: &CompiledCatalogue,
    catalogue_text: &str,
    label: &LabelDefinition,
    params: &ValidModelParams,
) -> Result<Trained, ModelError> {
    let ex = {
        let _stage = crate::progress::stage("training examples");
        examples::build(ds, catalogue, label)?
    };
    crate::frames::keep(
        "features-examples",
        &ex.frame,
        vec![
            Column::new("label".into(), &ex.labels),
            Column::new("inspection_date".into(), &ex.dates),
            Column::new("selection_probability".into(), &ex.selection_probability),
            Column::new("rules_priority".into(), &ex.rule_priority),
            Column::new("exposure".into(), &ex.exposure),
        ],
    )?;
    let fitting = crate::progress::stage("fitting");
    let split = split_date(&ex, params.split_date);
    let train_rows: Vec<usize> = (0..ex.len()).filter(|&i| ex.dates[i] < split).collect();
    let test_rows: Vec<usize> = (0..ex.len()).filter(|&i| ex.dates[i] >= split).collect();
    if train_rows.is_empty() {
        return Err(ModelError::EmptyTraining(format!(
            "no inspection before the split date {}",
            from_days(split)
        )));
    }
    let features: Vec<(String, Transform)> = match &params.features {
        Some(names) => names
            .iter()
            .map(|n| {
                let col = ex.frame.column(n).map_err(|_| ModelError::FeatureMismatch(format!("feature '{n}' is not in the feature table")))?;
                matrix::transform_for(n, col.dtype())
                    .map(|t| (n.clone(), t))
                    .ok_or_else(|| ModelError::FeatureMismatch(format!("'{n}' cannot be a model feature (an identifier, a description or a protected attribute)")))
            })
            .collect::<Result<_, _>>()?,
        None => matrix::candidate_features(&ex.frame),
    };
    let specs: Vec<FeatureSpec> = matrix::fit_specs(&ex.frame, &train_rows, &features)?;
    let x_train = matrix::matrix(&ex.frame, &specs, Some(&train_rows))?;
    let y_train: Vec<bool> = train_rows.iter().map(|&i| ex.labels[i]).collect();
    let s_train: Vec<Option<f64>> = train_rows
        .iter()
        .map(|&i| ex.selection_probability[i])
        .collect();
    let x_test = matrix::matrix(&ex.frame, &specs, Some(&test_rows))?;
    let y_test: Vec<bool> = test_rows.iter().map(|&i| ex.labels[i]).collect();

    fit::check_classes(&y_train)?;
    // Candidates are fitted on the first four fifths of the training period
    // and compared on the last fifth (the validation slice), which also
    // calibrates the winner; the test period stays untouched by the choice.
    let kinds = fit::kinds(params.learner);
    let rules_feature = specs.iter().position(|s| s.name == RULE_SCORE);
    let mut by_date: Vec<usize> = (0..train_rows.len()).collect();
    by_date.sort_by_key(|&i| (ex.dates[train_rows[i]], i));
    let cut = by_date.len() * 4 / 5;
    let (fit_idx, val_idx) = by_date.split_at(cut);
    let pick = |idx: &[usize]| {
        (
            x_train.select(ndarray::Axis(0), idx),
            idx.iter().map(|&i| y_train[i]).collect::<Vec<bool>>(),
            idx.iter()
                .map(|&i| s_train[i])
                .collect::<Vec<Option<f64>>>(),
        )
    };
    let (xf, yf, sf) = pick(fit_idx);
    let (xv, yv, _) = pick(val_idx);
    let val_rows: Vec<usize> = val_idx.iter().map(|&i| train_rows[i]).collect();
    let candidates: Vec<(ModelKind, Option<Fitted>)> = {
        // Every candidate but the blend is fitted on its own, side by side
        // (each is seeded, so the order they finish in changes nothing);
        // the blend then combines two of them.
        use rayon::prelude::*;
        let mut out: Vec<(ModelKind, Option<Fitted>)> = kinds
            .par_iter()
            .map(|kind| match kind {
                ModelKind::Blend => (*kind, None),
                k => (*k, candidate(params, *k, &xf, &yf, &sf, rules_feature, &[])),
            })
            .collect();
        for i in 0..out.len() {
            if out[i].0 == ModelKind::Blend {
                out[i].1 = candidate(params, ModelKind::Blend, &xf, &yf, &sf, rules_feature, &out);
            }
        }
        out
    };
    let scored_val: Vec<(ModelKind, Option<Vec<f64>>)> = candidates
        .iter()
        .map(|(k, m)| (*k, m.as_ref().map(|m| m.predict(&xv))))
        .collect();
    // Validation examples weigh by inverse propensity (as the learners do),
    // so the slice stands for the sites a plan chooses among, not only for
    // those the historical policy chose to inspect.
    let sv: Vec<Option<f64>> = val_idx.iter().map(|&i| s_train[i]).collect();
    let wv = fit::weights(&yv, &sv, params, false);
    let order_by: Vec<Option<Vec<f64>>> = scored_val
        .iter()
        .map(|(k, p)| p.as_ref().map(|p| ranking_score(*k, p, &val_rows, &ex)))
        .collect();
    // Each candidate's order is sorted once; a resample only changes how
    // many times each example counts.
    let orders: Vec<Option<Vec<usize>>> = order_by
        .iter()
        .map(|s| s.as_ref().map(|s| descending(s)))
        .collect();
    let once = vec![1u32; yv.len()];
    let resamples = resample_counts(yv.len(), CHOICE_RESAMPLES, params.seed);
    let rules_at = kinds.iter().position(|k| *k == ModelKind::Rules);
    let rules_resampled: Option<Vec<f64>> = rules_at.and_then(|r| orders[r].as_ref()).map(|o| {
        resamples
            .iter()
            .map(|m| plan_precision(o, &yv, &wv, m))
            .collect()
    });
    let mut comparison: Vec<Comparison> = scored_val
        .iter()
        .zip(&orders)
        .map(|((kind, p), order)| Comparison {
            kind: *kind,
            validation_auc: p.as_ref().and_then(|p| metrics::auc(p, &yv)),
            validation_precision: order.as_ref().map(|o| plan_precision(o, &yv, &wv, &once)),
            beats_rules: match (order, &rules_resampled) {
                (Some(o), Some(r)) if *kind != ModelKind::Rules => Some(
                    resamples
                        .iter()
                        .zip(r)
                        .filter(|(m, r)| plan_precision(o, &yv, &wv, m) > **r)
                        .count() as f64
                        / resamples.len().max(1) as f64,
                ),
                _ => None,
            },
            auc: None,
            precision_top5: 0.0,
        })
        .collect();
    // A learner is used only where it beats the rules score clearly: higher
    // on the validation slice and in at least 99% of its resamples. Among
    // those (and the rules score), the best validation precision wins; ties
    // go to the simpler candidate (they are listed simplest first).
    let rules_precision = rules_at.and_then(|r| comparison[r].validation_precision);
    let best = comparison
        .iter()
        .enumerate()
        .filter(|(_, c)| c.validation_precision.is_some())
        .filter(|(_, c)| match (c.kind, rules_precision) {
            (ModelKind::Rules, _) | (_, None) => true,
            (_, Some(r)) => {
                c.validation_precision.unwrap_or(0.0) > r
                    && c.beats_rules.unwrap_or(0.0) >= CHOICE_CONFIDENCE
            }
        })
        .max_by(|a, b| {
            a.1.validation_precision
                .unwrap_or(0.0)
                .total_cmp(&b.1.validation_precision.unwrap_or(0.0))
                .then(b.0.cmp(&a.0))
        })
        .map(|(i, _)| i)
        .ok_or_else(|| ModelError::Fit("no candidate could be fitted".into()))?;
    let kind = comparison[best].kind;
    let calibration = scored_val[best]
        .1
        .as_ref()
        .and_then(|p| Calibration::fit(p, &yv));
    let chosen_because = reason(&comparison, best);
    // The model kept is the one fitted on the fit slice, exactly as compared
    // and calibrated on the validation slice (not refitted: a refit would
    // shift the scores the calibration was fitted to).
    let model = candidates[best]
        .1
        .clone()
        .ok_or_else(|| ModelError::Fit(format!("the {} model could not be fitted", kind.name())))?;
    let calibrate = |p: Vec<f64>| match &calibration {
        Some(c) => p.into_iter().map(|v| c.apply(v)).collect(),
        None => p,
    };
    let test_p: Vec<f64> = calibrate(model.predict(&x_test));
    // Every candidate's held-out result, as fitted on the fit slice (reported only).
    let k5 = ((y_test.len() as f64) * 0.05).ceil().max(1.0) as usize;
    for ((_, m), c) in candidates.iter().zip(comparison.iter_mut()) {
        if let Some(m) = m {
            let p = m.predict(&x_test);
            c.auc = metrics::auc(&p, &y_test);
            c.precision_top5 = metrics::precision_at(&p, &y_test, k5);
        }
    }

    drop(fitting);
    let metrics = if test_rows.is_empty() {
        None
    } else {
        let _stage = crate::progress::stage("evaluation");
        Some(evaluate(&ex, &test_rows, &test_p, params, split))
    };
    let period = |rows: &[usize]| -> Option<(String, String)> {
        let lo = rows.iter().map(|&i| ex.dates[i]).min()?;
        let hi = rows.iter().map(|&i| ex.dates[i]).max()?;
        Some((from_days(lo).to_string(), from_days(hi).to_string()))
    };
    let trained_as_of = ds
        .latest_event_date()
        .map_or_else(String::new, |d| d.to_string());
    let file = ModelFile {
        format: FORMAT,
        tilsyn_version: env!("CARGO_PKG_VERSION").to_string(),
        trained_as_of,
        kind,
        features: specs,
        model,
        label: label.clone(),
        training_period: period(&train_rows).unwrap_or_default(),
        test_period: period(&test_rows),
        data_fingerprint: ds.report.fingerprint.clone(),
        catalogue_fingerprint: hex::encode(Sha256::digest(catalogue_text.as_bytes())),
        params: serde_json::json!({
            "learner": params.learner,
            "l2": params.l2,
            "max_depth": params.max_depth,
            "min_leaf_weight": params.min_leaf_weight,
            "max_ipw": params.max_ipw,
            "class_weighting": params.class_weighting,
            "seed": params.seed,
            "bootstrap": params.bootstrap,
        }),
        metrics,
        comparison,
        chosen_because,
        calibration,
    };
    Ok(Trained {
        file,
        examples: ex,
        test_rows,
        test_p,
    })
}

/// Fits one candidate on a slice; the rules and blend candidates need the
/// rules score among the features, and the blend the fitted logistic and
/// rules candidates before it. `None` when it cannot be fitted there.
fn candidate(
    params: &ValidModelParams,
    kind: ModelKind,
    x: &ndarray::Array2<f64>,
    y: &[bool],
    s: &[Option<f64>],
    rules_feature: Option<usize>,
    before: &[(ModelKind, Option<Fitted>)],
) -> Option<Fitted> {
    let earlier = |k: ModelKind| {
        before
            .iter()
            .find(|(x, _)| *x == k)
            .and_then(|(_, m)| m.clone())
    };
    match kind {
        ModelKind::Rules => fit::fit_rules(params, x, y, s, rules_feature?).ok(),
        ModelKind::Blend => {
            let rules = earlier(ModelKind::Rules)
                .or_else(|| fit::fit_rules(params, x, y, s, rules_feature?).ok())?;
            let learner = earlier(ModelKind::Logistic)
                .or_else(|| fit::fit(params, ModelKind::Logistic, x, y, s).ok())?;
            Some(fit::blend(rules, learner, 0.5))
        }
        k => fit::fit(params, k, x, y, s).ok(),
    }
}

/// Shares of a slice at which candidates are compared: the sizes of plans.
const CHOICE_SHARES: [f64; 3] = [0.05, 0.10, 0.20];
/// Resamples of the validation slice for the paired comparison with the rules score.
const CHOICE_RESAMPLES: usize = 200;
/// Share of those resamples a learner must win to replace the rules score:
/// a one-sided paired test at the 5% level, Bonferroni-corrected for the
/// four learners compared with it (1 − 0.05 / 4, rounded up).
const CHOICE_CONFIDENCE: f64 = 0.99;

/// The order `rank` would give the validation examples: probability ×
/// exposure, and for the rules candidate the rules priority itself (the
/// order `--scorer rules` gives).
fn ranking_score(kind: ModelKind, p: &[f64], rows: &[usize], ex: &Examples) -> Vec<f64> {
    if kind == ModelKind::Rules {
        rows.iter().map(|&i| ex.rule_priority[i]).collect()
    } else {
        p.iter()
            .zip(rows)
            .map(|(p, &i)| p * ex.exposure[i])
            .collect()
    }
}

/// Positions sorted by score, highest first (ties by position).
fn descending(score: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..score.len()).collect();
    order.sort_by(|a, b| score[*b].total_cmp(&score[*a]).then(a.cmp(b)));
    order
}

/// Mean weighted precision at the plan shares, each example counted
/// `times[i]` times (a resample; 1 for the slice itself): in `order`, the
/// first copies holding each share of the weight, and the weighted share of
/// positives among them.
fn plan_precision(order: &[usize], y: &[bool], w: &[f64], times: &[u32]) -> f64 {
    let total: f64 = order.iter().map(|&i| w[i] * f64::from(times[i])).sum();
    if total <= 0.0 {
        return 0.0;
    }
    CHOICE_SHARES
        .iter()
        .map(|share| {
            let (mut seen, mut hit) = (0.0, 0.0);
            'walk: for &i in order {
                for _ in 0..times[i] {
                    seen += w[i];
                    if y[i] {
                        hit += w[i];
                    }
                    if seen >= share * total {
                        break 'walk;
                    }
                }
            }
            if seen > 0.0 { hit / seen } else { 0.0 }
        })
        .sum::<f64>()
        / CHOICE_SHARES.len() as f64
}

/// Seeded resamples (with replacement) of `n` rows, as how many times each
/// row was drawn.
fn resample_counts(n: usize, count: usize, seed: u64) -> Vec<Vec<u32>> {
    use rand::{Rng, SeedableRng};
    if n == 0 {
        return Vec::new();
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x5E1E_C7ED);
    (0..count)
        .map(|_| {
            let mut times = vec![0u32; n];
            for _ in 0..n {
                times[rng.gen_range(0..n)] += 1;
            }
            times
        })
        .collect()
}

/// Why the winner was kept, in words, with the numbers of the choice.
fn reason(comparison: &[Comparison], best: usize) -> String {
    let c = &comparison[best];
    let pct = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{:.1}%", v * 100.0));
    let rules = comparison
        .iter()
        .find(|x| x.kind == ModelKind::Rules)
        .and_then(|x| x.validation_precision);
    let others: Vec<String> = comparison
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != best)
        .map(|(_, x)| format!("{} {}", x.kind.name(), pct(x.validation_precision)))
        .collect();
    let head = match (c.kind, rules) {
        (ModelKind::Rules, _) => {
            "no learner beat the transparent rules score clearly (higher, and in at least 99% of resamples) on the validation slice".to_string()
        }
        (_, Some(r)) => format!(
            "it beat the rules score ({}) on the validation slice, in {:.0}% of its resamples",
            pct(Some(r)),
            c.beats_rules.unwrap_or(0.0) * 100.0
        ),
        (_, None) => "the rules score was not a candidate".to_string(),
    };
    format!(
        "{}: {} weighted precision at the top 5/10/20% of the validation slice; {head}{}",
        c.kind.name(),
        pct(c.validation_precision),
        if others.is_empty() {
            String::new()
        } else {
            format!(" (others: {})", others.join(", "))
        }
    )
}

/// Held-out metrics of a model's test predictions, against the rules scorer.
fn evaluate(
    ex: &Examples,
    test_rows: &[usize],
    p: &[f64],
    params: &ValidModelParams,
    split: i32,
) -> Metrics {
    let y: Vec<bool> = test_rows.iter().map(|&i| ex.labels[i]).collect();
    let rules: Vec<f64> = test_rows.iter().map(|&i| ex.rule_priority[i]).collect();
    let sel: Vec<Option<f64>> = test_rows
        .iter()
        .map(|&i| ex.selection_probability[i])
        .collect();
    let ipw: Vec<f64> = fit::weights(&y, &sel, params, false);
    let historical = y.iter().filter(|v| **v).count() as f64 / y.len().max(1) as f64;
    let population = metrics::weighted_rate(&y, &ipw);
    let n = y.len();
    let reps = params.bootstrap;
    let seed = params.seed;
    let sub = |ix: &[usize], v: &[f64]| ix.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let suby = |ix: &[usize]| ix.iter().map(|&i| y[i]).collect::<Vec<bool>>();
    let mut sizes: Vec<(String, usize)> = PLAN_SIZES
        .iter()
        .filter(|k| **k < n)
        .map(|k| (format!("{k} visits"), *k))
        .collect();
    for s in PLAN_SHARES {
        sizes.push((
            format!("top {:.0}%", s * 100.0),
            ((n as f64) * s).ceil().max(1.0) as usize,
        ));
    }
    let ks: Vec<usize> = sizes.iter().map(|(_, k)| *k).collect();
    // Every figure from the same resamples, each sorted once: the AUC, then
    // precision and recall at each size.
    let intervals = bootstrap_many(n, reps, seed, |ix| {
        let (pi, yi) = (sub(ix, p), suby(ix));
        std::iter::once(metrics::auc(&pi, &yi))
            .chain(
                metrics::precision_recall_at(&pi, &yi, &ks)
                    .into_iter()
                    .flat_map(|(precision, recall)| [Some(precision), Some(recall)]),
            )
            .collect()
    });
    let nan = metrics::Interval {
        value: f64::NAN,
        low: f64::NAN,
        high: f64::NAN,
    };
    let zero = metrics::Interval {
        value: 0.0,
        low: 0.0,
        high: 0.0,
    };
    let auc = intervals.first().cloned().flatten().unwrap_or(nan);
    let at_k = sizes
        .into_iter()
        .enumerate()
        .map(|(j, (label, k))| {
            let precision = intervals.get(1 + 2 * j).cloned().flatten().unwrap_or(zero);
            let recall = intervals.get(2 + 2 * j).cloned().flatten().unwrap_or(zero);
            let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
            AtK {
                lift_random: ratio(precision.value, population),
                lift_historical: ratio(precision.value, historical),
                rules_precision: metrics::precision_at(&rules, &y, k),
                label,
                k,
                precision,
                recall,
            }
        })
        .collect();
    let (calibration, calibration_error) = metrics::calibration(p, &y);
    Metrics {
        split_date: from_days(split).to_string(),
        n_train: ex.len() - n,
        n_test: n,
        test_positives: y.iter().filter(|v| **v).count(),
        auc,
        rules_auc: metrics::auc(&rules, &y),
        historical_rate: historical,
        population_rate: population,
        at_k,
        calibration,
        calibration_error,
    }
}
