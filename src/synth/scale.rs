//! The scale and shape of a synthetic country: how many permit holders a
//! site has, how recruitment is spread over recruiters, and how strongly
//! addresses and owners are shared across companies.
//!
//! [`GenerateParams`] holds the options as given (each `None` unless set)
//! and a named preset, [`Shape`]; `resolve` checks them and fills every
//! unset option from the preset into a [`Scale`], which the generator reads
//! through [`super::ValidGenerateParams::scale`]. The standard shape is
//! today's model exactly: with no option set, the generator makes the same
//! random draws and writes the same bytes as before the options existed.
//! `docs/synthetic-data.md` ("Scale and shape") documents the presets and
//! what the national one yields.

use super::params::{GenerateParams, SynthError, invalid};

/// The largest multiplier of permit holders per site.
pub const MAX_WORKERS_PER_SITE: f64 = 50.0;
/// The largest recruiter pool.
pub const MAX_RECRUITERS: u32 = 10_000_000;
/// The largest Zipf exponent of the skew options.
pub const MAX_SKEW: f64 = 10.0;

/// A named preset for the scale and shape of the data; options set
/// explicitly override it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shape {
    /// Today's model, used for the demo data: about 0.43 permit holders per
    /// site, a pool of `max(10, sites / 150)` uniformly drawn recruiters
    /// used by 10–65 % of sites (by sector and state), no shared addresses
    /// or owners beyond the planted networks.
    #[default]
    Standard,
    /// A country-sized register: 2.6 times the permit holders per site
    /// (cap 104), 90 % of sites recruiting through a pool of
    /// `max(10, sites / 5,500)` recruiters (about 180 agencies of several
    /// thousand workers each at 1,000,000 sites), and modest sharing of
    /// addresses and owners (skew 0.5 each). Payroll months stay 18.
    National,
}

impl Shape {
    /// The name used on the command line (`standard`, `national`).
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Standard => "standard",
            Shape::National => "national",
        }
    }

    /// The preset's values for `sites` sites.
    fn preset(self, sites: u32) -> Scale {
        match self {
            Shape::Standard => Scale {
                workers_per_site: 1.0,
                recruiters: (sites / 150).max(10),
                recruiter_share: None,
                recruiter_skew: 0.0,
                address_skew: 0.0,
                owner_skew: 0.0,
            },
            Shape::National => Scale {
                workers_per_site: 2.6,
                recruiters: (sites / 5_500).max(10),
                recruiter_share: Some(0.9),
                recruiter_skew: 0.0,
                address_skew: 0.5,
                owner_skew: 0.5,
            },
        }
    }
}

/// The resolved scale and shape options of a run (see [`Shape`] and the
/// fields of [`GenerateParams`] of the same names).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// Multiplier on the permit holders per site and on the cap of 40 per site.
    pub workers_per_site: f64,
    /// Size of the recruiter pool.
    pub recruiters: u32,
    /// Probability that a site's permit holders come through a recruiter
    /// (`None`: 65 % at exploited, 25 % at clean risk-sector, 10 % at other
    /// sites, and 85 % of a recruiting site's permits name the recruiter).
    pub recruiter_share: Option<f64>,
    /// Zipf exponent of the recruiter draw (0: uniform).
    pub recruiter_skew: f64,
    /// Concentration of workers at shared national addresses (0: none).
    pub address_skew: f64,
    /// Concentration of company ownership in a national pool of owners (0: none).
    pub owner_skew: f64,
}

/// Checks the scale and shape options of `p` (whose `sites` is already
/// checked) and fills the unset ones from its [`Shape`].
pub(crate) fn resolve(p: &GenerateParams) -> Result<Scale, SynthError> {
    let sites = u32::try_from(p.sites).unwrap_or(u32::MAX);
    let preset = p.shape.preset(sites);
    let workers_per_site = p.workers_per_site.unwrap_or(preset.workers_per_site);
    if !(workers_per_site.is_finite()
        && workers_per_site > 0.0
        && workers_per_site <= MAX_WORKERS_PER_SITE)
    {
        return Err(invalid(
            "workers_per_site",
            workers_per_site,
            "must be a number above 0 and at most 50",
        ));
    }
    let recruiters = p.recruiters.unwrap_or(preset.recruiters);
    if recruiters == 0 || recruiters > MAX_RECRUITERS {
        return Err(invalid(
            "recruiters",
            recruiters,
            "must be between 1 and 10,000,000",
        ));
    }
    let recruiter_share = p.recruiter_share.or(preset.recruiter_share);
    if let Some(share) = recruiter_share
        && !(0.0..=1.0).contains(&share)
    {
        return Err(invalid(
            "recruiter_share",
            share,
            "must be a probability between 0 and 1",
        ));
    }
    let skew = |name: &'static str, given: Option<f64>, default: f64| {
        let s = given.unwrap_or(default);
        if (0.0..=MAX_SKEW).contains(&s) {
            Ok(s)
        } else {
            Err(invalid(name, s, "must be a number from 0 (no skew) to 10"))
        }
    };
    Ok(Scale {
        workers_per_site,
        recruiters,
        recruiter_share,
        recruiter_skew: skew("recruiter_skew", p.recruiter_skew, preset.recruiter_skew)?,
        address_skew: skew("address_skew", p.address_skew, preset.address_skew)?,
        owner_skew: skew("owner_skew", p.owner_skew, preset.owner_skew)?,
    })
}

#[cfg(test)]
mod tests;
