//! Checking a ranking against the hidden truth of generated data
//! (`truth.csv`): precision and recall of the model's and the rules
//! scorer's top share of all sites, against the base rate. Only synthetic
//! data has a truth; real data is evaluated on past inspections.

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;

use super::{Filter, Ranked, rank};
use crate::model::ModelFile;
use crate::pipeline::{PipelineError, Scored};

/// Precision and recall against `truth.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct TruthCheck {
    /// The date sites were scored as of.
    pub as_of: String,
    /// Sites scored.
    pub sites: usize,
    /// Truly exploited sites.
    pub exploited: usize,
    /// Plan size (the top share of sites).
    pub k: usize,
    /// Share of the model's top k truly exploited.
    pub model_precision: f64,
    /// Share of all exploited sites in the model's top k.
    pub model_recall: f64,
    /// The same for the rules scorer.
    pub rules_precision: f64,
    /// The same for the rules scorer.
    pub rules_recall: f64,
    /// Base rate (the precision of random selection).
    pub base_rate: f64,
}

/// Reads the ids of the exploited sites from a `truth.csv`.
pub fn read_truth(path: &Path) -> Result<HashSet<String>, csv::Error> {
    let mut exploited = HashSet::new();
    let mut rdr = csv::Reader::from_path(path)?;
    let headers = rdr.headers()?.clone();
    let si = headers.iter().position(|h| h == "site_id");
    let ei = headers.iter().position(|h| h == "exploited");
    let (Some(si), Some(ei)) = (si, ei) else {
        return Ok(exploited);
    };
    for rec in rdr.records() {
        let rec = rec?;
        if rec.get(ei) == Some("true") {
            exploited.insert(rec.get(si).unwrap_or_default().to_string());
        }
    }
    Ok(exploited)
}

/// Ranks all sites with the rules scorer and with the model, and checks the
/// top `share` of each against the truth.
pub fn check(
    scored: Scored,
    model: &ModelFile,
    exploited: &HashSet<String>,
    share: f64,
) -> Result<TruthCheck, PipelineError> {
    let as_of = scored.as_of.to_string();
    let mut rules_only = scored;
    rules_only.model = None;
    let rules = rank(&rules_only, &Filter::default(), None, 0);
    let with_model = rules_only.with_model(model.clone())?;
    let ranked = rank(&with_model, &Filter::default(), None, 0);
    let n = ranked.len();
    let k = ((n as f64) * share).ceil() as usize;
    let hits = |r: &[Ranked]| {
        r.iter()
            .take(k)
            .filter(|x| exploited.contains(&x.site_id))
            .count() as f64
    };
    let total = exploited.len().max(1) as f64;
    Ok(TruthCheck {
        as_of,
        sites: n,
        exploited: exploited.len(),
        k,
        model_precision: hits(&ranked) / k.max(1) as f64,
        model_recall: hits(&ranked) / total,
        rules_precision: hits(&rules) / k.max(1) as f64,
        rules_recall: hits(&rules) / total,
        base_rate: exploited.len() as f64 / n.max(1) as f64,
    })
}
