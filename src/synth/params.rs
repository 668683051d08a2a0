//! The parameters of `tilsyn generate` and the generator's error type.
//!
//! Parameters follow the linfa convention: [`GenerateParams`] is the
//! unchecked set with a [`Default`] and builder-style setters, and
//! [`GenerateParams::check`] turns it into a [`ValidGenerateParams`] that the
//! generator accepts, or explains which parameter is wrong.

use std::path::PathBuf;

use chrono::{Datelike, Months, NaiveDate};
use thiserror::Error;

/// The largest number of sites the generator makes (site ids have at most 8 digits).
pub const MAX_SITES: usize = 99_999_999;
/// The longest window of data, in years.
pub const MAX_YEARS: u32 = 20;
/// The longest payroll history, in months.
pub const MAX_PAYROLL_MONTHS: u32 = 120;

/// What can go wrong while generating a synthetic data set.
#[derive(Debug, Error)]
pub enum SynthError {
    /// A parameter is outside its allowed range.
    #[error("invalid parameter `{name}` = {value}: {reason}")]
    InvalidParam {
        /// The parameter's name, as on the command line (`sites`, `years`, ...).
        name: &'static str,
        /// The rejected value, printed.
        value: String,
        /// Why the value is rejected and what is allowed.
        reason: String,
    },
    /// Creating the output folder or writing a file failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or folder being written.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The CSV writer failed on a file.
    #[error("cannot write CSV file {}: {source}", path.display())]
    Csv {
        /// The CSV file being written.
        path: PathBuf,
        /// The CSV writer's error.
        #[source]
        source: csv::Error,
    },
}

/// Unchecked parameters of the synthetic data generator.
///
/// Build them with [`GenerateParams::default`] and the setters, then call
/// [`GenerateParams::check`]:
///
/// ```ignore
/// let params = GenerateParams::default().sites(300).seed(7).check()?;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateParams {
    /// Number of workplaces (production units) to generate; default 5,000.
    pub sites: usize,
    /// Seed of every random draw; the same parameters give the same bytes. Default 42.
    pub seed: u64,
    /// First day of the data window; default 2023-01-01.
    pub from: NaiveDate,
    /// Length of the data window in whole years; default 3.
    pub years: u32,
    /// Months of payroll history written, ending with the as-of month
    /// (clamped to the window); default 18.
    pub payroll_months: u32,
    /// Whether to blank values at realistic rates (missing lat/lon,
    /// employees, stated hours, ...); default true.
    pub missing_values: bool,
}

impl Default for GenerateParams {
    fn default() -> Self {
        GenerateParams {
            sites: 5_000,
            seed: 42,
            from: NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default(),
            years: 3,
            payroll_months: 18,
            missing_values: true,
        }
    }
}

impl GenerateParams {
    /// The default parameters (5,000 sites, seed 42, from 2023-01-01, 3 years).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the number of sites.
    pub fn sites(mut self, sites: usize) -> Self {
        self.sites = sites;
        self
    }

    /// Sets the random seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the first day of the data window.
    pub fn from(mut self, from: NaiveDate) -> Self {
        self.from = from;
        self
    }

    /// Sets the length of the data window in years.
    pub fn years(mut self, years: u32) -> Self {
        self.years = years;
        self
    }

    /// Sets the number of payroll months written before the as-of date.
    pub fn payroll_months(mut self, months: u32) -> Self {
        self.payroll_months = months;
        self
    }

    /// Turns the blanking of values at realistic rates on or off.
    pub fn missing_values(mut self, on: bool) -> Self {
        self.missing_values = on;
        self
    }

    /// Checks every parameter and computes the window's end and as-of date.
    ///
    /// Rejects 0 sites or more than [`MAX_SITES`], 0 years or more than
    /// [`MAX_YEARS`], 0 payroll months or more than [`MAX_PAYROLL_MONTHS`],
    /// and a start date outside the years 1900–2200.
    pub fn check(self) -> Result<ValidGenerateParams, SynthError> {
        if self.sites == 0 {
            return Err(invalid("sites", self.sites, "must be at least 1"));
        }
        if self.sites > MAX_SITES {
            return Err(invalid(
                "sites",
                self.sites,
                "must be at most 99,999,999 (site ids have at most 8 digits)",
            ));
        }
        if self.years == 0 || self.years > MAX_YEARS {
            return Err(invalid("years", self.years, "must be between 1 and 20"));
        }
        if self.payroll_months == 0 || self.payroll_months > MAX_PAYROLL_MONTHS {
            return Err(invalid(
                "payroll_months",
                self.payroll_months,
                "must be between 1 and 120",
            ));
        }
        if !(1900..=2200).contains(&self.from.year()) {
            return Err(invalid(
                "from",
                self.from,
                "must lie in the years 1900-2200",
            ));
        }
        let end_exclusive = self
            .from
            .checked_add_months(Months::new(12 * self.years))
            .ok_or_else(|| {
                invalid(
                    "years",
                    self.years,
                    "the window ends past the last date chrono supports",
                )
            })?;
        let as_of = end_exclusive
            .pred_opt()
            .ok_or_else(|| invalid("from", self.from, "the window has no last day"))?;
        Ok(ValidGenerateParams {
            params: self,
            end_exclusive,
            as_of,
        })
    }
}

/// Builds an [`SynthError::InvalidParam`].
fn invalid(name: &'static str, value: impl std::fmt::Display, reason: &str) -> SynthError {
    SynthError::InvalidParam {
        name,
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

/// Checked parameters: every value is in range and the window is known.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidGenerateParams {
    params: GenerateParams,
    end_exclusive: NaiveDate,
    as_of: NaiveDate,
}

impl ValidGenerateParams {
    /// The parameters as given.
    pub fn params(&self) -> &GenerateParams {
        &self.params
    }

    /// Number of sites.
    pub fn sites(&self) -> usize {
        self.params.sites
    }

    /// Random seed.
    pub fn seed(&self) -> u64 {
        self.params.seed
    }

    /// First day of the data window.
    pub fn from(&self) -> NaiveDate {
        self.params.from
    }

    /// Length of the window in years.
    pub fn years(&self) -> u32 {
        self.params.years
    }

    /// Months of payroll history written (before clamping to the window).
    pub fn payroll_months(&self) -> u32 {
        self.params.payroll_months
    }

    /// Whether values are blanked at realistic rates.
    pub fn missing_values(&self) -> bool {
        self.params.missing_values
    }

    /// The first day after the window (`from` plus `years` years).
    pub fn end_exclusive(&self) -> NaiveDate {
        self.end_exclusive
    }

    /// The as-of date of the data set: the window's last day. No event is
    /// dated after it (planned permit and posting ends may be).
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_the_as_of_date_is_the_windows_last_day() {
        let valid = GenerateParams::default()
            .check()
            .expect("defaults are valid");
        assert_eq!(valid.sites(), 5_000);
        assert_eq!(valid.seed(), 42);
        assert_eq!(
            valid.from(),
            NaiveDate::from_ymd_opt(2023, 1, 1).expect("date")
        );
        assert_eq!(
            valid.as_of(),
            NaiveDate::from_ymd_opt(2025, 12, 31).expect("date")
        );
        assert_eq!(
            valid.end_exclusive(),
            NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")
        );
    }

    #[test]
    fn check_rejects_out_of_range_values() {
        for (params, name) in [
            (GenerateParams::new().sites(0), "sites"),
            (GenerateParams::new().sites(MAX_SITES + 1), "sites"),
            (GenerateParams::new().years(0), "years"),
            (GenerateParams::new().years(21), "years"),
            (GenerateParams::new().payroll_months(0), "payroll_months"),
        ] {
            match params.check() {
                Err(SynthError::InvalidParam { name: got, .. }) => assert_eq!(got, name),
                other => panic!("expected InvalidParam for {name}, got {other:?}"),
            }
        }
        let err = GenerateParams::new().sites(0).check().expect_err("0 sites");
        assert!(err.to_string().contains("sites"), "{err}");
    }
}
