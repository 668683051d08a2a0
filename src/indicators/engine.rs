//! Compiling the catalogue's SQL rules into polars expressions once, checking
//! them against the feature table, evaluating all of them over all sites in
//! one lazy plan, and turning the results into a per-site assessment.

use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;

use super::catalogue::{Catalogue, CatalogueError, Dimension, Kind, ShowsAs, Strength};
use super::explain;
use super::tier::{StrengthCounts, Tier};
use crate::data::{ILO_INDICATORS, Table};
use crate::features::KEY;

/// The column holding each site's rules score (sum of fired weights).
pub const RULE_SCORE: &str = "rule_score";

/// Prefix of the indicator result columns in the evaluated frame.
pub const RULE_PREFIX: &str = "rule:";

/// The status of one ILO indicator at one site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IloStatus {
    /// Data missing: not assessable.
    Unknown,
    /// Assessed, nothing found.
    Clear,
    /// A register signal points to it.
    Signalled,
    /// Evidence records it.
    Observed,
}

impl IloStatus {
    /// A one-character symbol for strips: `●` observed, `◐` signalled, `·` clear, `?` unknown.
    pub fn symbol(self) -> char {
        match self {
            IloStatus::Observed => '●',
            IloStatus::Signalled => '◐',
            IloStatus::Clear => '·',
            IloStatus::Unknown => '?',
        }
    }

    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            IloStatus::Observed => "observed",
            IloStatus::Signalled => "signalled",
            IloStatus::Clear => "clear",
            IloStatus::Unknown => "unknown",
        }
    }
}

/// A checked catalogue with every rule compiled.
#[derive(Debug, Clone)]
pub struct CompiledCatalogue {
    /// The catalogue.
    pub catalogue: Catalogue,
    exprs: Vec<Expr>,
    /// Each indicator's `assessed` condition, where it has one.
    assessed: Vec<Option<Expr>>,
}

/// One site's indicators, ILO profile, dimensions and tier.
#[derive(Debug, Clone, Serialize)]
pub struct SiteAssessment {
    /// Indicators that fired, with the weight they add after decay, heaviest
    /// first. An indicator whose group already counts a heavier one adds 0.
    pub fired: Vec<(usize, f64)>,
    /// Evidence indicators whose rule holds but whose evidence has expired.
    pub expired: Vec<usize>,
    /// Indicators that could not be assessed: data missing, or no source
    /// that could show them was looked at (their `assessed` condition).
    pub unknown: Vec<usize>,
    /// Status of each of the 11 ILO indicators.
    pub ilo: [IloStatus; 11],
    /// How many of the 11 ILO indicators were assessed (not unknown).
    pub coverage: u8,
    /// Positive Delphi dimensions, in `Dimension::ALL` order.
    pub dimensions: [bool; 6],
    /// The ILO tier.
    pub tier: Tier,
    /// Sum over groups of the heaviest fired weight.
    pub rule_score: f64,
}

impl SiteAssessment {
    /// The 11-character indicator strip.
    pub fn strip(&self) -> String {
        self.ilo.iter().map(|s| s.symbol()).collect()
    }
}

/// Indicators evaluated over a set of targets.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// The features and the rule columns (`rule:<id>`), one row per target, sorted by key.
    pub frame: DataFrame,
    /// One assessment per row of `frame`.
    pub sites: Vec<SiteAssessment>,
}

impl CompiledCatalogue {
    /// Compiles every rule and checks it against the feature schema: every
    /// column it uses exists, and it yields a boolean.
    pub fn compile(catalogue: Catalogue, features: &Schema) -> Result<Self, CatalogueError> {
        let empty = DataFrame::empty_with_schema(features);
        let mut exprs = Vec::with_capacity(catalogue.indicators.len());
        let mut assessed = Vec::with_capacity(catalogue.indicators.len());
        for (i, d) in catalogue.indicators.iter().enumerate() {
            let expr = condition(&catalogue, i, &d.rule, &empty, "rule")?;
            for name in explain::placeholders(&d.explain) {
                if features.get(name).is_none() {
                    return Err(catalogue.entry_error(
                        i,
                        format!("explain template uses '{{{name}}}', which is not a feature"),
                    ));
                }
            }
            if let Some(a) = &d.age
                && features.get(a.as_str()).is_none()
            {
                return Err(catalogue.entry_error(i, format!("age '{a}' is not a feature")));
            }
            exprs.push(expr.alias(format!("{RULE_PREFIX}{}", d.id)));
            let cond = match &d.assessed {
                None => None,
                Some(text) => Some(condition(&catalogue, i, text, &empty, "assessed")?),
            };
            assessed.push(cond.map(|e| e.alias(format!("assessed:{}", d.id))));
        }
        Ok(CompiledCatalogue {
            catalogue,
            exprs,
            assessed,
        })
    }

    /// Evaluates all rules over the features in one plan and assesses every
    /// row, taking every table as present.
    pub fn assess(&self, features: LazyFrame) -> PolarsResult<Assessment> {
        self.assess_with_tables(features, &Table::ALL)
    }

    /// Evaluates all rules and assesses every row; an indicator that needs
    /// a table not in `present` is unknown, whatever its rule gives.
    pub fn assess_with_tables(
        &self,
        features: LazyFrame,
        present: &[Table],
    ) -> PolarsResult<Assessment> {
        let mut frame = features
            .with_columns(self.exprs.clone())
            .sort([KEY], SortMultipleOptions::default())
            .collect()?;
        let sites = self.assess_frame(&frame, present)?;
        // The rules score as a column, so the model can build on the baseline.
        let scores: Vec<f64> = sites.iter().map(|s| s.rule_score).collect();
        frame.with_column(Column::new(RULE_SCORE.into(), scores))?;
        Ok(Assessment { frame, sites })
    }

    /// Assesses every row of an evaluated frame.
    pub fn assess_frame(
        &self,
        frame: &DataFrame,
        present: &[Table],
    ) -> PolarsResult<Vec<SiteAssessment>> {
        let cat = &self.catalogue;
        let n = frame.height();
        // Each column read where polars keeps it, as one arrow array (a
        // copy only when it is in pieces), not copied into lists of options.
        let mut rules: Vec<BooleanChunked> = Vec::with_capacity(cat.indicators.len());
        let mut ages: Vec<Option<Float64Chunked>> = Vec::with_capacity(cat.indicators.len());
        for d in &cat.indicators {
            let c = frame.column(&format!("{RULE_PREFIX}{}", d.id))?.bool()?;
            rules.push(c.rechunk().into_owned());
            ages.push(match &d.age {
                Some(a) => {
                    let s = frame.column(a)?.cast(&DataType::Float64)?;
                    Some(s.f64()?.rechunk().into_owned())
                }
                None => None,
            });
        }
        let conds: Vec<Expr> = self.assessed.iter().flatten().cloned().collect();
        let cond_frame = if conds.is_empty() {
            DataFrame::empty()
        } else {
            frame.clone().lazy().select(conds).collect()?
        };
        let mut checked: Vec<Option<BooleanChunked>> = Vec::with_capacity(cat.indicators.len());
        for (d, c) in cat.indicators.iter().zip(&self.assessed) {
            checked.push(match c {
                None => None,
                Some(_) => {
                    let c = cond_frame.column(&format!("assessed:{}", d.id))?.bool()?;
                    Some(c.rechunk().into_owned())
                }
            });
        }
        // Each column in one piece, read by row below.
        let rules: Vec<_> = rules.iter().map(|c| c.downcast_as_array()).collect();
        let ages: Vec<_> = ages
            .iter()
            .map(|c| c.as_ref().map(|c| c.downcast_as_array()))
            .collect();
        let checked: Vec<_> = checked
            .iter()
            .map(|c| c.as_ref().map(|c| c.downcast_as_array()))
            .collect();
        let weights: Vec<f64> = cat.indicators.iter().map(|d| cat.base_weight(d)).collect();
        let groups: Vec<&str> = cat.indicators.iter().map(|d| d.group()).collect();
        let assessable: Vec<bool> = cat
            .indicators
            .iter()
            .map(|d| d.needed_tables().iter().all(|t| present.contains(t)))
            .collect();
        let ilo_idx: Vec<Vec<usize>> = cat.indicators.iter().map(|d| d.ilo_indices()).collect();
        let expire = cat.scoring.expire_days;
        // Each thread works in scratch lists of its own; a site keeps copies
        // of exactly the right size (a million sites would otherwise each
        // grow and shrink their lists).
        type Scratch<'c> = (
            Vec<(usize, f64)>,
            Vec<usize>,
            Vec<usize>,
            Vec<(Dimension, &'c str, Strength)>,
            Vec<&'c str>,
        );
        let scratch = || -> Scratch<'_> { Default::default() };
        Ok((0..n)
            .into_par_iter()
            .map_init(scratch, |buffers, row| {
                let (fired, expired, unknown, items, counted) = buffers;
                fired.clear();
                expired.clear();
                unknown.clear();
                items.clear();
                counted.clear();
                let mut ilo = [IloStatus::Unknown; 11];
                for (i, d) in cat.indicators.iter().enumerate() {
                    let value = if assessable[i] {
                        rules[i].get(row)
                    } else {
                        None
                    };
                    let age = ages[i].as_ref().and_then(|a| a.get(row));
                    let looked = checked[i].as_ref().is_none_or(|c| c.get(row) == Some(true));
                    // Nothing found is "clear" only where a source that
                    // could have shown it was looked at.
                    let not_found = |unknown: &mut Vec<usize>| {
                        if looked {
                            IloStatus::Clear
                        } else {
                            unknown.push(i);
                            IloStatus::Unknown
                        }
                    };
                    let status = match value {
                        None => {
                            unknown.push(i);
                            IloStatus::Unknown
                        }
                        Some(true)
                            if d.kind == Kind::Evidence && age.is_some_and(|a| a > expire) =>
                        {
                            expired.push(i);
                            not_found(unknown)
                        }
                        Some(true) => {
                            fired.push((i, weights[i] * cat.decay(age)));
                            if let (Some(dim), Some(s)) = (d.delphi_dimension, d.strength) {
                                items.push((
                                    dim,
                                    d.delphi_item.as_deref().unwrap_or(d.id.as_str()),
                                    s,
                                ));
                            }
                            match (d.kind, d.shows_as) {
                                (_, Some(ShowsAs::Signalled)) | (Kind::Signal, None) => {
                                    IloStatus::Signalled
                                }
                                _ => IloStatus::Observed,
                            }
                        }
                        Some(false) => not_found(unknown),
                    };
                    for &x in &ilo_idx[i] {
                        ilo[x] = ilo[x].max(status);
                    }
                }
                // Each Delphi item counts once per dimension, at its highest strength.
                items.sort_by(|a, b| (a.0, a.1, b.2).cmp(&(b.0, b.1, a.2)));
                items.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
                let mut counts = [StrengthCounts::default(); 6];
                for (dim, _, s) in items.iter() {
                    counts[dim.index()].add(*s);
                }
                let mut dimensions = [false; 6];
                for (k, c) in counts.iter().enumerate() {
                    dimensions[k] = c.positive();
                }
                fired.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                // One fact counts once: within a group only the heaviest adds.
                for (i, w) in fired.iter_mut() {
                    if counted.contains(&groups[*i]) {
                        *w = 0.0;
                    } else {
                        counted.push(groups[*i]);
                    }
                }
                fired.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                let rule_score = fired.iter().map(|(_, w)| w).sum();
                let coverage = ilo.iter().filter(|s| **s != IloStatus::Unknown).count() as u8;
                SiteAssessment {
                    fired: fired.clone(),
                    expired: expired.clone(),
                    unknown: unknown.clone(),
                    ilo,
                    coverage,
                    dimensions,
                    tier: Tier::from_dimensions(&dimensions),
                    rule_score,
                }
            })
            .collect())
    }

    /// Ids of the catalogue's indicators (accepted in `findings.indicator`).
    pub fn ids(&self) -> Vec<String> {
        self.catalogue
            .indicators
            .iter()
            .map(|d| d.id.clone())
            .collect()
    }
}

/// Compiles one SQL condition of entry `i` (its `rule` or `assessed`) and
/// checks that it uses only features and yields true/false.
fn condition(
    catalogue: &Catalogue,
    i: usize,
    text: &str,
    empty: &DataFrame,
    field: &str,
) -> Result<Expr, CatalogueError> {
    let expr = polars::sql::sql_expr(text)
        .map_err(|e| catalogue.entry_error(i, format!("{field} does not parse as SQL: {e}")))?;
    let dtype = empty
        .clone()
        .lazy()
        .select([expr.clone().alias("r")])
        .collect_schema()
        .map_err(|e| {
            catalogue.entry_error(
                i,
                format!(
                    "{field} uses a name that is not a feature ({}): see docs/features.md",
                    short(&e.to_string())
                ),
            )
        })?
        .get("r")
        .cloned();
    if dtype != Some(DataType::Boolean) {
        return Err(catalogue.entry_error(
            i,
            format!(
                "{field} is not a true/false condition (it gives {}); compare with >, <, = ...",
                dtype.map_or("nothing".into(), |t| t.to_string())
            ),
        ));
    }
    Ok(expr)
}

fn short(s: &str) -> String {
    s.lines().next().unwrap_or(s).chars().take(160).collect()
}

/// The ILO indicator id at an index of the profile.
pub fn ilo_id(i: usize) -> &'static str {
    ILO_INDICATORS.get(i).copied().unwrap_or("?")
}
