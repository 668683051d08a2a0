//! At the visit and after it: the per-visit checklist built from the ILO
//! indicators of forced labour and the ILO/EC Delphi operational indicators
//! (`models/visit_checklist.toml`, data not code), ordered for one site by
//! what its ranking flagged ([`checklist`]); the fillable visit form that a
//! printed checklist, a text editor or a TUI fills in ([`form`]); the record
//! of the visit that those answers become, one `inspections` row and one
//! `findings` row per ILO indicator answered "yes", appended to a data folder
//! in the canonical layout so the next load counts it ([`record`]); and the
//! referral summary for Center mod Menneskehandel, with counts only and no
//! personal data ([`referral`]).
//!
//! Like the rest of the core, nothing here imports terminal or command-line
//! crates: `tilsyn visit` (`src/cli/visit.rs`) prints what these return.
//! docs/visit.md describes the whole flow.

pub mod checklist;
pub mod form;
pub mod record;
pub mod referral;

pub use checklist::{Checklist, ChecklistError, Method, Question, SiteContext};
pub use form::{Form, FormError, QuestionAnswer, Visit, VisitAnswer};
pub use record::{FindingRow, InspectionRow, RecordError, VisitRecord};
pub use referral::Referral;

#[cfg(test)]
mod tests;
