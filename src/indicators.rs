//! Forced-labour indicators: the catalogue (`models/indicators.toml`, data
//! not code), its checking and compilation into polars expressions, the
//! evaluation of every rule over every site in one lazy plan, and the
//! per-site assessment: the status of each of the 11 ILO indicators, the
//! Delphi dimensions that are positive, the ILO tier, and the rules score.

pub mod catalogue;
pub mod engine;
pub mod explain;
pub mod tier;

pub use catalogue::{Catalogue, CatalogueError, Dimension, Indicator, Kind, Strength};
pub use engine::{Assessment, CompiledCatalogue, IloStatus, SiteAssessment};
pub use tier::Tier;
