//! Employer self-assessment: the Danish employer guide's quick risk test,
//! checklists A, B and C and red flags as a questionnaire
//! (`models/self_assessment.toml`, data not code), answers files, the
//! scoring that turns answers into the same 11-indicator ILO profile the
//! inspectors see with a risk level and an ordered action list, the reports
//! (text, JSON, Markdown for the CSR report), the interactive session's pure
//! state, and the subcontractor screening that runs the site pipeline over
//! a folder of subcontractors.
//!
//! Unanswered questions are *unknown*, never safe: they keep an ILO
//! indicator unknown and count in a separate unknown share, and a result
//! with more than 30% unknown is never "low". Like the rest of the core,
//! nothing here imports terminal or command-line crates.

pub mod answers;
pub mod questionnaire;
pub mod report;
pub mod score;
pub mod session;
pub mod subcontractors;

pub use answers::{Answer, Answers, AnswersError, Company};
pub use questionnaire::{Question, Questionnaire, QuestionnaireError, Step};
pub use report::Report;
pub use score::{RiskLevel, SelfAssessment, score};
pub use session::Session;
pub use subcontractors::{ScreeningReport, screen};
