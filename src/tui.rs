//! The terminal UI (ratatui + crossterm): a ranked, explained, filterable
//! list of sites, a detail pane per site, a map of Denmark, charts, a
//! visit plan to mark and export, the plan as a joint control plan (team
//! and reasons per agency, day routes), and the visit checklist of a site
//! to fill in and save as a form. A front end only: it shows what the core
//! computed (`rank`, `rank::explanation`, `rank::plan`, `rank::joint`,
//! `visit`) and computes no scores.
//!
//! - [`app`]: the state and the input handling, with no terminal (tested
//!   by key events alone);
//! - [`keymap`]: the one key map that dispatches keys and builds the help
//!   and the footer;
//! - [`table`]: the generic table component that renders only visible rows;
//! - [`ui`]: render functions of the state, one per screen;
//! - [`event`]: the event loop, the background load and terminal restore;
//! - [`assess_screen`]: the employer self-assessment questionnaire
//!   (`tilsyn assess`), a screen of its own with its own loop.
//!
//! [`run`] is the entry the command line calls.

pub mod app;
pub mod assess_screen;
pub mod component;
pub mod event;
pub mod keymap;
pub mod query;
pub mod rows;
pub mod table;
pub mod theme;
pub mod ui;

use std::path::PathBuf;

use crate::pipeline::Scored;

pub use app::{App, AppOptions, Screen};

/// What the background load hands to the UI.
#[derive(Debug)]
pub struct Loaded {
    /// The assessed (and, with a model, scored) data.
    pub scored: Scored,
    /// Notices for the message line (rejected rows, missing model).
    pub notes: Vec<String>,
}

/// Loads and scores the data; runs on a background thread and reports
/// progress through the callback.
pub type Loader = Box<dyn FnOnce(&dyn Fn(&str)) -> anyhow::Result<Loaded> + Send>;

/// What [`run`] needs.
pub struct TuiOptions {
    /// What the header calls the data set.
    pub dataset: String,
    /// Where `e` writes the plan files.
    pub export_dir: PathBuf,
    /// Visits in the plan.
    pub capacity: usize,
    /// Where plan exports are logged, and who decides.
    pub audit: Option<crate::audit::AuditContext>,
    /// The agencies (the first leads) and day routes of the agency view.
    pub joint: crate::rank::joint::JointParams,
    /// Where the checklist saves visit forms (never the data folder).
    pub visit_dir: PathBuf,
    /// Produces the scored data (in the background).
    pub loader: Loader,
}

impl std::fmt::Debug for TuiOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TuiOptions")
            .field("dataset", &self.dataset)
            .field("export_dir", &self.export_dir)
            .field("capacity", &self.capacity)
            .field("audit", &self.audit)
            .field("joint", &self.joint)
            .field("visit_dir", &self.visit_dir)
            .finish_non_exhaustive()
    }
}

/// Opens the terminal UI, loads the data in the background, and runs until
/// the user quits. Fails when stdout is not a terminal or loading fails
/// (the terminal is restored first).
pub fn run(opts: TuiOptions) -> anyhow::Result<()> {
    event::run(opts)
}
