//! Visit plans: the top sites within a capacity, plus a random exploration
//! share drawn from the rest with a seed. Every site carries the
//! probability with which this plan selected it (1 for a priority pick,
//! m/R for each of the R eligible sites the m exploration visits are drawn
//! from), so next year's outcomes can be weighted by inverse propensity.

use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::rows::Ranked;

/// Why a site is in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// Among the highest priorities.
    Priority,
    /// Drawn at random from the rest (exploration).
    Exploration,
}

/// Unchecked plan parameters.
#[derive(Debug, Clone)]
pub struct PlanParams {
    /// Visits available.
    pub capacity: usize,
    /// Share of the capacity drawn at random (0–1).
    pub explore: f64,
    /// Seed of the exploration draw.
    pub seed: u64,
    /// Draw the exploration share only among blind spots: sites with at
    /// most this many of the 11 ILO indicators assessed (`None`: among all
    /// the rest). Priority picks are unchanged.
    pub explore_blind_spots: Option<u8>,
}

/// A plan parameter out of range.
#[derive(Debug, thiserror::Error)]
#[error("plan parameter {name} = {value}: {reason}")]
pub struct PlanError {
    name: &'static str,
    value: String,
    reason: &'static str,
}

impl PlanParams {
    /// Checks the parameters.
    pub fn check(self) -> Result<PlanParams, PlanError> {
        if self.capacity == 0 {
            return Err(PlanError {
                name: "capacity",
                value: "0".into(),
                reason: "a plan needs at least one visit",
            });
        }
        if !self.explore.is_finite() || !(0.0..=1.0).contains(&self.explore) {
            return Err(PlanError {
                name: "explore",
                value: self.explore.to_string(),
                reason: "must be a share between 0 and 1",
            });
        }
        Ok(self)
    }
}

/// One planned visit.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    /// The site as ranked.
    #[serde(flatten)]
    pub site: Ranked,
    /// Why it is in the plan.
    pub selection: Selection,
    /// The probability this plan selected it with.
    pub selection_probability: f64,
}

/// A visit plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Visits, priority picks first (by rank), then exploration picks (by rank).
    pub rows: Vec<PlanRow>,
    /// Eligible sites (after filters and exclusions).
    pub eligible: usize,
    /// Priority picks.
    pub priority_visits: usize,
    /// Exploration picks.
    pub exploration_visits: usize,
    /// The selection probability of every eligible site not picked by priority.
    pub exploration_probability: f64,
    /// The seed used.
    pub seed: u64,
}

/// Which of `n` eligible sites (in rank order) a plan picks: the priority
/// picks, then the exploration draw among the rest, in rank order.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected {
    /// Picked positions (into the eligible list) with why, in rank order.
    pub picks: Vec<(usize, Selection, f64)>,
    /// Priority picks.
    pub priority_visits: usize,
    /// Exploration picks.
    pub exploration_visits: usize,
    /// The selection probability of every eligible site not picked by priority.
    pub exploration_probability: f64,
}

/// Picks a plan's sites among `n` eligible sites in rank order.
pub fn select(n: usize, params: &PlanParams) -> Selected {
    select_from(n, params, None)
}

/// Picks a plan's sites among `n` eligible sites in rank order; the
/// exploration draw is among the rest that `explorable` marks (all of them
/// when `None`), each with the same probability m/R, and the sites outside
/// the pool have probability 0 of being drawn.
pub fn select_from(n: usize, params: &PlanParams, explorable: Option<&[bool]>) -> Selected {
    let capacity = params.capacity.min(n);
    let explore = ((capacity as f64) * params.explore).round() as usize;
    let explore = explore.min(capacity);
    let top = capacity - explore;
    let pool: Vec<usize> = (top..n)
        .filter(|i| explorable.is_none_or(|m| m.get(*i).copied().unwrap_or(false)))
        .collect();
    let rest = pool.len();
    let explore = explore.min(rest);
    // Capacity the pool cannot fill goes back to priority picks.
    let top = (capacity - explore).min(n);
    let pool: Vec<usize> = pool.into_iter().filter(|i| *i >= top).collect();
    let rest = pool.len();
    let explore = explore.min(rest);
    let p_explore = if rest > 0 {
        explore as f64 / rest as f64
    } else {
        0.0
    };
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let mut drawn: Vec<usize> = sample(&mut rng, rest, explore)
        .into_iter()
        .map(|d| pool[d])
        .collect();
    drawn.sort_unstable();
    let mut picks: Vec<(usize, Selection, f64)> =
        (0..top).map(|i| (i, Selection::Priority, 1.0)).collect();
    picks.extend(
        drawn
            .into_iter()
            .map(|d| (d, Selection::Exploration, p_explore)),
    );
    Selected {
        picks,
        priority_visits: top,
        exploration_visits: explore,
        exploration_probability: p_explore,
    }
}

/// The exploration pool of a list in rank order, when the draw is limited
/// to blind spots.
pub fn explorable<'a>(
    ranked: impl Iterator<Item = &'a Ranked>,
    params: &PlanParams,
) -> Option<Vec<bool>> {
    params
        .explore_blind_spots
        .map(|max| ranked.map(|r| r.coverage <= max).collect())
}

/// Builds a plan from the ranked eligible sites (in rank order).
pub fn plan(ranked: Vec<Ranked>, params: &PlanParams) -> Plan {
    let n = ranked.len();
    let pool = explorable(ranked.iter(), params);
    let s = select_from(n, params, pool.as_deref());
    let mut slots: Vec<Option<Ranked>> = ranked.into_iter().map(Some).collect();
    let rows = s
        .picks
        .iter()
        .filter_map(|&(i, selection, selection_probability)| {
            slots.get_mut(i).and_then(Option::take).map(|site| PlanRow {
                site,
                selection,
                selection_probability,
            })
        })
        .collect();
    Plan {
        rows,
        eligible: n,
        priority_visits: s.priority_visits,
        exploration_visits: s.exploration_visits,
        exploration_probability: s.exploration_probability,
        seed: params.seed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::{IloStatus, Tier};

    fn site(i: usize) -> Ranked {
        Ranked {
            rank: i + 1,
            row: i,
            site_id: format!("S{i:04}"),
            company_id: None,
            name: None,
            municipality_code: None,
            municipality: None,
            region: None,
            sector_code: None,
            risk_group: None,
            workers_exposed: 1.0,
            workers_known: true,
            score: 0.0,
            priority: (1000 - i) as f64,
            probability: None,
            contributions: Vec::new(),
            tier: Tier::NoIndication,
            ilo: [IloStatus::Unknown; 11],
            coverage: 0,
            days_since_inspection: None,
            reasons: Vec::new(),
        }
    }

    #[test]
    fn capacity_exploration_and_probabilities() {
        let ranked: Vec<Ranked> = (0..500).map(site).collect();
        let params = PlanParams {
            capacity: 50,
            explore: 0.1,
            seed: 7,
            explore_blind_spots: None,
        }
        .check()
        .unwrap();
        let p = plan(ranked.clone(), &params);
        assert_eq!(p.rows.len(), 50);
        assert!((p.exploration_visits as i64 - 5).abs() <= 1);
        assert!(
            p.rows[..45]
                .iter()
                .all(|r| r.selection == Selection::Priority)
        );
        // Probabilities over all eligible sites sum to the capacity.
        let total = p.priority_visits as f64
            + p.exploration_probability * (p.eligible - p.priority_visits) as f64;
        assert!((total - 50.0).abs() < 1e-9);
        let again = plan(ranked.clone(), &params);
        let ids = |p: &Plan| {
            p.rows
                .iter()
                .map(|r| r.site.site_id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&p), ids(&again));
        let other = plan(ranked, &PlanParams { seed: 8, ..params });
        assert_ne!(ids(&p), ids(&other));
    }

    #[test]
    fn bad_parameters_and_small_lists() {
        assert!(
            PlanParams {
                capacity: 0,
                explore: 0.1,
                seed: 1,
                explore_blind_spots: None,
            }
            .check()
            .is_err()
        );
        assert!(
            PlanParams {
                capacity: 5,
                explore: 1.5,
                seed: 1,
                explore_blind_spots: None,
            }
            .check()
            .is_err()
        );
        let p = plan(
            (0..3).map(site).collect(),
            &PlanParams {
                capacity: 10,
                explore: 0.5,
                seed: 1,
                explore_blind_spots: None,
            },
        );
        assert_eq!(p.rows.len(), 3);
        let empty = plan(
            Vec::new(),
            &PlanParams {
                capacity: 10,
                explore: 0.1,
                seed: 1,
                explore_blind_spots: None,
            },
        );
        assert!(empty.rows.is_empty());
    }

    #[test]
    fn exploration_can_be_drawn_among_blind_spots_only() {
        // Every third site is a blind spot (coverage 1), the rest covered.
        let ranked: Vec<Ranked> = (0..300)
            .map(|i| Ranked {
                coverage: if i % 3 == 0 { 1 } else { 9 },
                ..site(i)
            })
            .collect();
        let params = PlanParams {
            capacity: 40,
            explore: 0.25,
            seed: 5,
            explore_blind_spots: Some(3),
        }
        .check()
        .unwrap();
        let p = plan(ranked.clone(), &params);
        assert_eq!(p.rows.len(), 40);
        let explored: Vec<&PlanRow> = p
            .rows
            .iter()
            .filter(|r| r.selection == Selection::Exploration)
            .collect();
        assert_eq!(explored.len(), 10);
        assert!(explored.iter().all(|r| r.site.coverage <= 3));
        // The draw is uniform over the blind spots after the priority picks:
        // 100 blind spots in all, 10 of them among the first 30.
        assert!((p.exploration_probability - 10.0 / 90.0).abs() < 1e-12);
        // Without the option the draw reaches covered sites too.
        let open = plan(
            ranked,
            &PlanParams {
                explore_blind_spots: None,
                ..params
            },
        );
        assert!(
            open.rows
                .iter()
                .any(|r| r.selection == Selection::Exploration && r.site.coverage > 3)
        );
    }
}
