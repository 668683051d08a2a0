//! tilsyn finds the workplaces where people are most likely held in forced
//! labour, so that scarce inspection visits go where they matter.
//!
//! The pipeline flows one way: a folder of agency exports is loaded and
//! validated ([`data`]) into canonical tables; site features are computed as
//! of a date; forced-labour indicators from the catalogue are evaluated over
//! them; a model turns them into a probability; sites are ranked and
//! explained; front ends (the [`cli`], later the TUI) show the result.
//! Financial calculations for claims ([`claims`]: pay stated against pay
//! received, per site and worker) read the same loaded tables, and so does
//! screening at permit time ([`screen`]: pending applications checked
//! against the registers before they are granted). The
//! synthetic data generator ([`synth`]) makes demo and benchmark data from a
//! documented latent model. The core modules know nothing of the terminal or
//! the command line.

pub mod assess;
pub mod audit;
pub mod claims;
pub mod cli;
pub mod data;
pub mod fairness;
pub mod features;
pub mod frames;
pub mod indicators;
pub mod model;
pub mod network;
pub mod pipeline;
pub mod progress;
pub mod rank;
pub mod report;
pub mod screen;
pub mod synth;
pub mod tomlfile;
pub mod tui;
pub mod visit;
