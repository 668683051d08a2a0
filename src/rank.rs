//! Ranking: priority per site, filters (sector, municipality, region, tier),
//! ties broken by site id, and the reasons shown next to every rank; visit
//! plans, for one agency or several at once ([`joint`]).
//!
//! The rules scorer's priority is transparent: the sum of the weights of
//! the indicators that fired (strong 3, medium 2, weak 1, evidence doubled
//! and halving every two years), times an exposure factor
//! `1 + ln(1 + workers exposed)`, where workers exposed is the largest of the
//! site's permit holders, posted workers, payroll workers and workers
//! affected in findings, or its employees when none of those is known. The
//! logarithm keeps a large site with one weak signal from outranking a small
//! one with strong evidence, while still preferring visits that reach more
//! people.

pub mod blind;
pub mod decision;
pub mod evidence;
pub mod explanation;
pub mod filter;
pub mod joint;
pub mod plan;
pub mod register_evidence;
pub mod rows;
pub mod truth;

pub use filter::{Filter, FilterError};
pub use rows::{Contribution, Detail, Ranked, Reason, rank, rank_in_blocks, ranking_order};
