//! Screening at permit time (`tilsyn screen`): pending work-permit
//! applications scored before they are granted, from the registers of a
//! loaded data folder as of the analysis date.
//!
//! Each application ([`pending`]: a file in the permits layout, loaded with
//! the permits table's checks and pseudonymisation) goes through four
//! checks, each with its reasons, the records behind them (file and line)
//! and a status, *concern*, *clear* or *unknown* (unknown is not low risk):
//!
//! - [`employer`]: the site's rank, ILO tier and fired indicators (the
//!   scoring path and explanation of `explain`), its severe outcomes, its
//!   company's severe outcomes at other sites and the owners' links;
//! - [`recruiter`]: the other sites the recruiter placed workers at, and
//!   what inspections found there after the placement;
//! - [`housing`]: persons per room at the planned or the employer's
//!   housing, and how many employers house workers there;
//! - [`pay`]: the stated pay against the scheme's pay threshold in force on
//!   the permit's start date.
//!
//! The [`rule`] turns the checks into a recommendation, *grant*, *ask for
//! documents* or *refer for control*, with its reasons. Nationality is never
//! read. No person id reaches the result: applications are named by their
//! permit id, addresses and recruiters by what they are. `docs/screen.md`
//! states the checks, the rule and its thresholds.

mod employer;
mod housing;
mod pay;
pub mod pending;
mod recruiter;
pub mod rule;

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::NaiveDate;
use polars::prelude::*;
use serde::Serialize;

use crate::data::DataError;
use crate::data::columns::{bools, days, floats, ints, plural, strs};
use crate::data::rejects::RejectSample;
use crate::pipeline::Scored;
use crate::rank::evidence::Record;
use crate::rank::explanation::Explanation;

pub use pending::{Application, load_pending, planned_address};
pub use rule::{Recommendation, recommend};

/// Why a screening could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ScreenError {
    /// The file of pending applications could not be read at all.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A row of the file of pending applications was rejected: no
    /// application is screened until the file is corrected.
    #[error(
        "{sample}; {rejected} row(s) of the pending applications rejected, none screened{rejects}"
    )]
    Rejected {
        /// The first rejected row: file, line, column and reason.
        sample: RejectSample,
        /// How many rows were rejected.
        rejected: usize,
        /// Where the rejects file is, as a phrase (empty when unknown).
        rejects: String,
    },
    /// The file holds a header and no application.
    #[error("{}: no application in the file (a header and no rows)", .0.display())]
    Empty(PathBuf),
    /// `--housing` names one address, and the file holds several applications.
    #[error(
        "--housing names the planned housing of one application, and the file holds {applications}; screen that application from a file of its own"
    )]
    HousingForSeveral {
        /// Applications in the file.
        applications: usize,
    },
    /// The planned address is blank.
    #[error("--housing: the address id is blank")]
    BlankAddress,
    /// The planned address is a raw identifier and no key is set.
    #[error(
        "--housing: the address id is not a pseudonym (`p` and 20 hex digits); set TILSYN_PSEUDONYM_KEY (the key the residences were loaded with) so that it is replaced by its pseudonym on load, as the residences table's are"
    )]
    RawAddress,
    /// The employer's site could not be explained.
    #[error("explaining the employer's site: {0}")]
    Explain(String),
    /// A dataframe operation failed.
    #[error("screening the applications: {0}")]
    Polars(#[from] polars::error::PolarsError),
}

impl ScreenError {
    /// Whether the error is a wrong command line rather than a wrong input.
    pub fn is_usage(&self) -> bool {
        matches!(self, ScreenError::HousingForSeveral { .. })
    }
}

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// At least one reason raises a concern.
    Concern,
    /// Assessed, and nothing raised a concern.
    Clear,
    /// Not assessed: the registers say too little (never low risk).
    Unknown,
}

impl Status {
    /// The name shown.
    pub fn name(self) -> &'static str {
        match self {
            Status::Concern => "concern",
            Status::Clear => "clear",
            Status::Unknown => "unknown",
        }
    }
}

/// How much a concern weighs in the recommendation ([`rule`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Weight {
    /// Asks for documents.
    Medium,
    /// Refers the application for control.
    Strong,
}

impl Weight {
    /// The name shown.
    pub fn name(self) -> &'static str {
        match self {
            Weight::Medium => "medium",
            Weight::Strong => "strong",
        }
    }
}

/// The four checks of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// The employer's site, company and owners.
    Employer,
    /// The recruiter's placements elsewhere.
    Recruiter,
    /// The housing: crowding and who else houses workers there.
    Housing,
    /// The stated pay against the scheme's threshold.
    Pay,
}

impl CheckKind {
    /// The name shown, as the recommendation's reasons start with it.
    pub fn name(self) -> &'static str {
        match self {
            CheckKind::Employer => "employer",
            CheckKind::Recruiter => "recruiter",
            CheckKind::Housing => "housing",
            CheckKind::Pay => "pay",
        }
    }
}

/// One reason of a check, with the records behind it.
#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    /// What was found, in words.
    pub text: String,
    /// The concern it raises and its weight; none for what was looked at
    /// or what is missing.
    pub concern: Option<Weight>,
    /// The register records behind it (file and line), where known.
    pub evidence: Vec<Record>,
}

impl Reason {
    /// A reason that raises a concern of this weight.
    pub fn concern(weight: Weight, text: impl Into<String>) -> Reason {
        Reason {
            text: text.into(),
            concern: Some(weight),
            evidence: Vec::new(),
        }
    }

    /// A reason that raises no concern: what was looked at, or what is missing.
    pub fn note(text: impl Into<String>) -> Reason {
        Reason {
            text: text.into(),
            concern: None,
            evidence: Vec::new(),
        }
    }

    /// The reason with these records behind it.
    pub fn with_evidence(mut self, evidence: Vec<Record>) -> Reason {
        self.evidence = evidence;
        self
    }
}

/// One check of one application.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Which check.
    pub check: CheckKind,
    /// What it found.
    pub status: Status,
    /// Its reasons, concerns first.
    pub reasons: Vec<Reason>,
}

impl Check {
    /// A check from its reasons: a concern when any reason raises one;
    /// otherwise clear when the registers allowed the check (`assessed`),
    /// unknown when not.
    pub fn new(check: CheckKind, assessed: bool, mut reasons: Vec<Reason>) -> Check {
        // Strong concerns first, then medium ones, then notes; stable.
        reasons.sort_by_key(|r| std::cmp::Reverse(r.concern));
        let status = if reasons.iter().any(|r| r.concern.is_some()) {
            Status::Concern
        } else if assessed {
            Status::Clear
        } else {
            Status::Unknown
        };
        Check {
            check,
            status,
            reasons,
        }
    }

    /// The heaviest concern the check raises, if any.
    pub fn strongest(&self) -> Option<Weight> {
        self.reasons.iter().filter_map(|r| r.concern).max()
    }
}

/// One application screened.
#[derive(Debug, Clone, Serialize)]
pub struct Screening {
    /// The application (no person id: see [`Application`]).
    pub application: Application,
    /// What to do with it.
    pub recommendation: Recommendation,
    /// Why: each reason starts with the check it comes from.
    pub because: Vec<String>,
    /// The four checks, in the order employer, recruiter, housing, pay.
    pub checks: Vec<Check>,
    /// Everything behind the employer site's rank, as `explain` gives it
    /// (without the person-level register records); none when the site is
    /// not in the sites register.
    pub employer: Option<Explanation>,
}

/// The screening of a file of pending applications.
#[derive(Debug, Clone, Serialize)]
pub struct ScreenResult {
    /// The date the registers were read as of.
    pub as_of: String,
    /// The scorer that ranked the sites.
    pub scorer: String,
    /// One screening per application, in file order.
    pub applications: Vec<Screening>,
}

/// Screens every application against the registers of `scored`, as of
/// its date. `housing` is the planned address of a file with one
/// application (already pseudonymised: [`planned_address`]).
pub fn screen(
    scored: &Scored,
    applications: &[Application],
    housing: Option<&str>,
) -> Result<ScreenResult, ScreenError> {
    let recruiters: Vec<String> = applications
        .iter()
        .filter_map(|a| a.recruiter_id.clone())
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect();
    let placements = {
        let _stage = crate::progress::stage("screen: recruiters");
        recruiter::placements(scored, &recruiters)?
    };
    let _stage = crate::progress::stage("screen: applications");
    let mut out = Vec::with_capacity(applications.len());
    for app in applications {
        let (employer, explanation) = employer::check(scored, app)?;
        let checks = vec![
            employer,
            recruiter::check(scored, app, placements.as_deref())?,
            housing::check(scored, app, housing)?,
            pay::check(app),
        ];
        let (recommendation, because) = recommend(&checks);
        out.push(Screening {
            application: app.clone(),
            recommendation,
            because,
            checks,
            employer: explanation,
        });
    }
    Ok(ScreenResult {
        as_of: scored.as_of.to_string(),
        scorer: scored.scorer_label(),
        applications: out,
    })
}

/// The row of a site in the feature frame.
fn site_row(frame: &DataFrame, site_id: &str) -> PolarsResult<Option<usize>> {
    Ok(frame
        .column(crate::features::SITE)?
        .str()?
        .iter()
        .position(|x| x == Some(site_id)))
}

/// A feature of one row as a number; none when null or not a column.
fn feature(frame: &DataFrame, name: &str, row: usize) -> Option<f64> {
    frame
        .column(name)
        .ok()
        .and_then(|c| c.get(row).ok())
        .and_then(|v| crate::indicators::explain::number(&v))
}

/// Whether a record is dated on or before `as_of` and at most `days` before it.
fn within(r: &Record, as_of: NaiveDate, days: i64) -> bool {
    r.date
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .is_some_and(|d| d <= as_of && (as_of - d).num_days() < days)
}

/// Whether a record is an inspection that ended in a severe outcome
/// (police report, labour exploitation, forced labour).
fn is_severe_inspection(r: &Record) -> bool {
    r.table == "inspections"
        && crate::features::SEVERE_OUTCOMES
            .iter()
            .any(|o| r.summary.ends_with(&format!("outcome {o}")))
}
