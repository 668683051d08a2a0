//! The parameters of `tilsyn generate` and the generator's error type.
//!
//! Parameters follow the linfa convention: [`GenerateParams`] is the
//! unchecked set with a [`Default`] and builder-style setters, and
//! [`GenerateParams::check`] turns it into a [`ValidGenerateParams`] that the
//! generator accepts, or explains which parameter is wrong. The scale and
//! shape options (permit holders per site, recruiters, shared addresses and
//! owners, the [`Shape`] preset) are resolved in [`super::scale`]; the
//! world preset ([`WorldName`]: signal strength, inspection bias, finding
//! noise, drift) is in [`super::preset`].

use std::path::PathBuf;

use chrono::{Datelike, Months, NaiveDate};
use thiserror::Error;

use super::preset::WorldName;
use super::scale::{self, Scale, Shape};

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
    /// Named preset for the scale and shape options below; default
    /// [`Shape::Standard`] (today's model). Options set explicitly override it.
    pub shape: Shape,
    /// Multiplier on the number of permit holders per site; when not 1 the
    /// cap of 40 permits per site is scaled too. Above 0, at most 50;
    /// `None`: the shape's (1.0 standard, 2.6 national).
    pub workers_per_site: Option<f64>,
    /// Size of the recruiter pool, 1 to 10,000,000; `None`: the shape's
    /// (`max(10, sites / 150)` standard, `max(10, sites / 5,500)` national).
    pub recruiters: Option<u32>,
    /// Probability in [0, 1] that a site's permit holders come through a
    /// recruiter (then every permit of the site names it), replacing the
    /// rates by sector group and state; `None`: the shape's (group rates
    /// standard, 0.9 national).
    pub recruiter_share: Option<f64>,
    /// Zipf exponent of the recruiter draw, 0 to 10: recruiter `r` is drawn
    /// with weight `1 / (r + 1)^s`, so a few are very large and the tail
    /// long; 0 is uniform. Bad recruiters (every tenth) still serve
    /// exploited sites. `None`: the shape's (0).
    pub recruiter_skew: Option<f64>,
    /// Concentration of addresses, 0 to 10: a share `0.5 × s / (1 + s)` of
    /// the workers living in private homes live instead at one of a
    /// national pool of large shared addresses, drawn with Zipf exponent
    /// `s`; 0 is none. `None`: the shape's (0 standard, 0.5 national).
    pub address_skew: Option<f64>,
    /// Concentration of owners, 0 to 10: a share `0.2 × s / (1 + s)` of the
    /// clean companies get their owner from a national pool of serial
    /// owners, drawn with Zipf exponent `s`; 0 is none. `None`: the shape's
    /// (0 standard, 0.5 national).
    pub owner_skew: Option<f64>,
    /// World preset of the latent model: how informative the registers
    /// are, how biased the historical inspections, how noisy their
    /// findings, and whether the pattern drifts; default
    /// [`WorldName::Baseline`] (today's model).
    pub world: WorldName,
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
            shape: Shape::Standard,
            workers_per_site: None,
            recruiters: None,
            recruiter_share: None,
            recruiter_skew: None,
            address_skew: None,
            owner_skew: None,
            world: WorldName::Baseline,
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

    /// Sets the scale and shape preset (options set explicitly still win).
    pub fn shape(mut self, shape: Shape) -> Self {
        self.shape = shape;
        self
    }

    /// Sets the multiplier on the permit holders per site (and on their cap).
    pub fn workers_per_site(mut self, x: f64) -> Self {
        self.workers_per_site = Some(x);
        self
    }

    /// Sets the size of the recruiter pool.
    pub fn recruiters(mut self, n: u32) -> Self {
        self.recruiters = Some(n);
        self
    }

    /// Sets the probability that a site's permit holders come through a recruiter.
    pub fn recruiter_share(mut self, p: f64) -> Self {
        self.recruiter_share = Some(p);
        self
    }

    /// Sets the Zipf exponent of the recruiter draw (0: uniform).
    pub fn recruiter_skew(mut self, s: f64) -> Self {
        self.recruiter_skew = Some(s);
        self
    }

    /// Sets the concentration of workers at shared addresses (0: none).
    pub fn address_skew(mut self, s: f64) -> Self {
        self.address_skew = Some(s);
        self
    }

    /// Sets the concentration of company ownership in a few persons (0: none).
    pub fn owner_skew(mut self, s: f64) -> Self {
        self.owner_skew = Some(s);
        self
    }

    /// Sets the world preset of the latent model.
    pub fn world(mut self, world: WorldName) -> Self {
        self.world = world;
        self
    }

    /// Checks every parameter and computes the window's end and as-of date.
    ///
    /// Rejects 0 sites or more than [`MAX_SITES`], 0 years or more than
    /// [`MAX_YEARS`], 0 payroll months or more than [`MAX_PAYROLL_MONTHS`],
    /// a start date outside the years 1900–2200, and scale and shape
    /// options out of range: `workers_per_site` not above 0 or above 50,
    /// `recruiters` 0 or above 10,000,000, `recruiter_share` outside
    /// [0, 1], a skew below 0 or above 10 (NaN and infinities included).
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
        let scale = scale::resolve(&self)?;
        Ok(ValidGenerateParams {
            params: self,
            end_exclusive,
            as_of,
            scale,
        })
    }
}

/// Builds an [`SynthError::InvalidParam`].
pub(crate) fn invalid(
    name: &'static str,
    value: impl std::fmt::Display,
    reason: &str,
) -> SynthError {
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
    scale: Scale,
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

    /// The scale and shape options, each set explicitly or from the shape.
    pub fn scale(&self) -> &Scale {
        &self.scale
    }

    /// The world preset of the latent model.
    pub fn world(&self) -> WorldName {
        self.params.world
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
        assert_eq!(valid.world(), WorldName::Baseline);
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
            (GenerateParams::new().payroll_months(121), "payroll_months"),
            (
                GenerateParams::new().workers_per_site(0.0),
                "workers_per_site",
            ),
            (GenerateParams::new().recruiters(0), "recruiters"),
            (
                GenerateParams::new().recruiter_share(1.01),
                "recruiter_share",
            ),
            (GenerateParams::new().recruiter_skew(-1.0), "recruiter_skew"),
            (GenerateParams::new().address_skew(f64::NAN), "address_skew"),
            (GenerateParams::new().owner_skew(-0.1), "owner_skew"),
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
