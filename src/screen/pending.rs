//! Pending permit applications: a file in the canonical permits layout
//! (`permit_id, person_id, site_id, scheme, start_date, ...`), one row per
//! application, loaded by [`crate::data::load::load_file`] with every check
//! and the pseudonymisation of the `permits` table. Two checks of a
//! folder's load do not apply: an application may start after the as-of
//! date, and may name a site the sites register does not hold (an employer
//! never seen, which the employer check reports as unknown). A rejected row
//! stops the screening with its file, line, column and reason.
//!
//! The planned housing of a single application is given apart
//! (`--housing`, [`planned_address`]) and pseudonymised like the
//! residences' address ids. Nationality is loaded with the permits
//! columns and never read.

use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use super::{ScreenError, bools, days, floats, ints, strs};
use crate::data::Table;
use crate::data::load::{LINE_COLUMN, LoadOptions, load_file};
use crate::data::parse::from_days;
use crate::data::pseudonym::{PseudonymKey, is_pseudonym};

/// One pending application. Its person and recruiter are pseudonyms and
/// are never written out: the application is named by its permit id.
#[derive(Debug, Clone, Serialize)]
pub struct Application {
    /// The application's permit id.
    pub permit_id: String,
    /// The applicant (a pseudonym): never written out.
    #[serde(skip)]
    pub person_id: String,
    /// The employer's site (P-number).
    pub site_id: String,
    /// The SIRI scheme applied under.
    pub scheme: Option<String>,
    /// When the permit would start.
    pub start_date: Option<NaiveDate>,
    /// When it would end.
    pub end_date: Option<NaiveDate>,
    /// The monthly pay stated in the application.
    pub stated_monthly_pay_dkk: Option<f64>,
    /// The weekly hours stated in the application.
    pub stated_weekly_hours: Option<f64>,
    /// Whether housing comes with the job.
    pub employer_housing: Option<bool>,
    /// Whether the permit would be bound to the employer.
    pub employer_bound: Option<bool>,
    /// The recruiter (a pseudonym): never written out.
    #[serde(skip)]
    pub recruiter_id: Option<String>,
    /// Whether the application names a recruiter.
    pub recruiter_named: bool,
    /// The file it was read from (its name).
    pub file: String,
    /// Its line in that file.
    pub line: u64,
}

/// Loads a file of pending applications (CSV, `.csv.gz` or Parquet in the
/// permits layout). A rejected row, or a file without rows, is an error.
pub fn load_pending(path: &Path, opts: &LoadOptions) -> Result<Vec<Application>, ScreenError> {
    let loaded = load_file(Table::Permits, path, opts)?;
    if let Some(first) = loaded.report.samples.first() {
        return Err(ScreenError::Rejected {
            sample: first.clone(),
            rejected: loaded.report.rows_rejected,
            rejects: loaded.rejects_dir.map_or_else(String::new, |d| {
                format!(
                    " (every rejected row is in {} with its line, column and reason)",
                    d.display()
                )
            }),
        });
    }
    let df = &loaded.frame;
    if df.height() == 0 {
        return Err(ScreenError::Empty(path.to_path_buf()));
    }
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let permit = strs(df, "permit_id")?;
    let person = strs(df, "person_id")?;
    let site = strs(df, "site_id")?;
    let scheme = strs(df, "scheme")?;
    let start = days(df, "start_date")?;
    let end = days(df, "end_date")?;
    let pay = floats(df, "stated_monthly_pay_dkk")?;
    let hours = floats(df, "stated_weekly_hours")?;
    let housing = bools(df, "employer_housing")?;
    let bound = bools(df, "employer_bound")?;
    let recruiter = strs(df, "recruiter_id")?;
    let line = ints(df, LINE_COLUMN)?;
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        // Required columns: the loader rejects a row without them.
        let (Some(permit_id), Some(person_id), Some(site_id)) =
            (permit[i].clone(), person[i].clone(), site[i].clone())
        else {
            continue;
        };
        out.push(Application {
            permit_id,
            person_id,
            site_id,
            scheme: scheme[i].clone(),
            start_date: start[i].map(from_days),
            end_date: end[i].map(from_days),
            stated_monthly_pay_dkk: pay[i],
            stated_weekly_hours: hours[i],
            employer_housing: housing[i],
            employer_bound: bound[i],
            recruiter_named: recruiter[i].is_some(),
            recruiter_id: recruiter[i].clone(),
            file: file.clone(),
            line: line[i].and_then(|l| u64::try_from(l).ok()).unwrap_or(0),
        });
    }
    Ok(out)
}

/// The planned housing of the one application in the file, as the
/// residences table's address ids are loaded: a pseudonym as it is; with a
/// key (`TILSYN_PSEUDONYM_KEY`) any other value replaced by its pseudonym;
/// without one, any other value refused.
pub fn planned_address(
    raw: &str,
    key: Option<&PseudonymKey>,
    applications: usize,
) -> Result<String, ScreenError> {
    if applications != 1 {
        return Err(ScreenError::HousingForSeveral { applications });
    }
    let value = raw.trim();
    if value.is_empty() {
        return Err(ScreenError::BlankAddress);
    }
    if is_pseudonym(value) {
        return Ok(value.to_string());
    }
    match key {
        Some(k) => Ok(k.pseudonym(value)),
        None => Err(ScreenError::RawAddress),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_planned_address_is_pseudonymised_like_the_residences() {
        let pseudonym = "p0000000000000000a001";
        assert_eq!(
            planned_address(pseudonym, None, 1).ok().as_deref(),
            Some(pseudonym)
        );
        assert!(matches!(
            planned_address(pseudonym, None, 3),
            Err(ScreenError::HousingForSeveral { applications: 3 })
        ));
        assert!(matches!(
            planned_address("  ", None, 1),
            Err(ScreenError::BlankAddress)
        ));
        assert!(matches!(
            planned_address("Jens Hansen", None, 1),
            Err(ScreenError::RawAddress)
        ));
        let key = PseudonymKey::new(b"a test key of sixteen bytes").ok();
        let hashed = planned_address("Jens Hansen", key.as_ref(), 1).ok();
        assert!(hashed.as_deref().is_some_and(is_pseudonym), "{hashed:?}");
        assert_ne!(hashed.as_deref(), Some("Jens Hansen"));
    }
}
