//! The fairness audit (`tilsyn fairness`): does the model's top-k pick
//! some groups of workplaces more often, or more accurately, than others?
//!
//! Sites are scored as of the day before the model's test period (or the
//! data's as-of), and the top `top_share` of all sites is the selection.
//! For each group of each attribute (region, municipality, sector risk
//! group, company size band, and, where permits carry `nationality`, the
//! majority nationality of a site's permit holders) it reports:
//!
//! - **selection rate**: selected / sites (demographic parity);
//! - **precision**: among selected sites inspected in the label period,
//!   the share whose inspection found exploitation (predictive parity);
//! - **recall**: among sites whose inspection found exploitation, the
//!   share selected (equal opportunity);
//! - on generated data, **true precision** and **true recall** against
//!   `truth.csv`;
//!
//! each as a ratio to the same measure over all sites, with a seeded
//! bootstrap 95% interval (sites resampled; [`crate::model::metrics::bootstrap_many`]).
//! A ratio outside 0.8–1.25 (the four-fifths rule and its inverse) is
//! flagged; a warning is raised for groups of at least
//! [`MIN_GROUP`] sites (smaller groups are flagged in the table only).
//!
//! **Proxy check**: nationality is never a model feature (see
//! `model::params::PROTECTED`), but a feature can stand in for it. For every
//! model feature (as the model sees it, transformed and scaled), among
//! sites with permit holders of known nationality, the audit computes the
//! correlation ratio η over the nationality groups and, per group of at
//! least [`MIN_GROUP`] sites, the standardised mean difference to the other
//! sites (difference in means over the pooled standard deviation). A
//! feature whose largest |SMD| reaches [`PROXY_THRESHOLD`] (0.5, a
//! "medium" effect in Cohen's terms) is reported as a possible proxy: it
//! needs a reason to stay in the model. Nationality is used here only.

pub mod groups;
pub mod input;
pub mod proxy;
pub mod render;

use serde::Serialize;

use crate::model::metrics::Interval;

pub use groups::{Population, group_reports};
pub use input::{FairnessError, LabelWindow, audit};
pub use proxy::proxies;

/// Ratios inside this band pass (the four-fifths rule and its inverse).
pub const BAND: (f64, f64) = (0.8, 1.25);
/// |SMD| at or above this marks a possible proxy.
pub const PROXY_THRESHOLD: f64 = 0.5;
/// Groups smaller than this raise no warning and are left out of the
/// proxy check; rarer nationalities are merged into `other`.
pub const MIN_GROUP: usize = 20;

/// An attribute sites are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    /// Region.
    Region,
    /// Municipality.
    Municipality,
    /// Sector risk group (`other sectors` when none).
    SectorRiskGroup,
    /// Company size band by employees (0-9, 10-49, 50-249, 250+).
    SizeBand,
    /// Majority nationality of the site's permit holders (fairness only).
    Nationality,
}

impl Attribute {
    /// A readable name.
    pub fn label(self) -> &'static str {
        match self {
            Attribute::Region => "region",
            Attribute::Municipality => "municipality",
            Attribute::SectorRiskGroup => "sector risk group",
            Attribute::SizeBand => "company size band",
            Attribute::Nationality => "majority nationality of permit holders",
        }
    }
}

/// The measures, in the order of [`GroupLine`]'s fields.
pub const MEASURES: [&str; 5] = [
    "selection rate",
    "precision",
    "recall",
    "true precision",
    "true recall",
];

/// Audit settings.
#[derive(Debug, Clone, PartialEq)]
pub struct FairnessParams {
    /// Share of all sites selected (the plan size as a share).
    pub top_share: f64,
    /// Bootstrap resamples.
    pub reps: usize,
    /// Bootstrap seed.
    pub seed: u64,
    /// Passing band of ratios.
    pub band: (f64, f64),
    /// Proxy threshold on |SMD|.
    pub proxy_threshold: f64,
    /// Smallest group that raises warnings and enters the proxy check.
    pub min_group: usize,
}

impl Default for FairnessParams {
    fn default() -> Self {
        FairnessParams {
            top_share: 0.05,
            reps: 200,
            seed: 42,
            band: BAND,
            proxy_threshold: PROXY_THRESHOLD,
            min_group: MIN_GROUP,
        }
    }
}

/// A group's value of one measure and its ratio to all sites.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    /// The group's value.
    pub value: f64,
    /// The ratio to the value over all sites, with its bootstrap interval.
    pub ratio: Option<Interval>,
    /// Whether the ratio falls outside the band.
    pub outside: bool,
}

/// One group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupLine {
    /// The group.
    pub group: String,
    /// Sites in it.
    pub sites: usize,
    /// Sites selected.
    pub selected: usize,
    /// Sites with a label (inspected in the label period).
    pub labelled: usize,
    /// Selected / sites.
    pub selection_rate: Option<Measure>,
    /// Found exploitation / labelled selected.
    pub precision: Option<Measure>,
    /// Selected / labelled positives.
    pub recall: Option<Measure>,
    /// Truly exploited / selected (generated data).
    pub true_precision: Option<Measure>,
    /// Selected / truly exploited (generated data).
    pub true_recall: Option<Measure>,
}

impl GroupLine {
    /// The measures in [`MEASURES`] order.
    pub fn measures(&self) -> [&Option<Measure>; 5] {
        [
            &self.selection_rate,
            &self.precision,
            &self.recall,
            &self.true_precision,
            &self.true_recall,
        ]
    }
}

/// Every group of one attribute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributeReport {
    /// The attribute.
    pub attribute: Attribute,
    /// Its groups, by name.
    pub groups: Vec<GroupLine>,
}

/// The measures over all sites.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overall {
    /// Sites.
    pub sites: usize,
    /// Selected.
    pub selected: usize,
    /// Labelled.
    pub labelled: usize,
    /// Labelled positives.
    pub positives: usize,
    /// Values in [`MEASURES`] order (None where undefined).
    pub values: [Option<f64>; 5],
}

/// One feature's association with nationality.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProxyLine {
    /// The model feature.
    pub feature: String,
    /// Correlation ratio η over the nationality groups (0–1).
    pub eta: f64,
    /// The largest |standardised mean difference| of a group to the rest.
    pub max_smd: f64,
    /// The group with it.
    pub group: Option<String>,
    /// Whether it reaches the threshold.
    pub possible_proxy: bool,
}

/// The whole audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FairnessReport {
    /// The date sites were scored as of.
    pub as_of: String,
    /// `model (logistic)`, `model (tree)` or `rules`.
    pub scorer: String,
    /// Share of sites selected.
    pub top_share: f64,
    /// Sites selected.
    pub k: usize,
    /// Where labels come from, if anywhere.
    pub labels: Option<String>,
    /// Whether `truth.csv` was used.
    pub truth: bool,
    /// Bootstrap resamples and seed.
    pub bootstrap: (usize, u64),
    /// The passing band.
    pub band: (f64, f64),
    /// Over all sites.
    pub overall: Overall,
    /// Per attribute.
    pub attributes: Vec<AttributeReport>,
    /// Groups of at least `min_group` sites with a ratio outside the band.
    pub warnings: Vec<String>,
    /// The proxy threshold on |SMD|.
    pub proxy_threshold: f64,
    /// Per model feature, possible proxies first.
    pub proxies: Vec<ProxyLine>,
    /// What could not be assessed, and how to read the results.
    pub notes: Vec<String>,
}

/// A company size band from the number of employees.
pub fn size_band(employees: Option<f64>) -> &'static str {
    match employees {
        None => "(unknown)",
        Some(e) if e < 10.0 => "0-9",
        Some(e) if e < 50.0 => "10-49",
        Some(e) if e < 250.0 => "50-249",
        Some(_) => "250+",
    }
}

#[cfg(test)]
mod tests;
