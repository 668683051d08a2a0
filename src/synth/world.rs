//! The fixed world the generator draws from: the sector groups and their
//! shares, the municipalities weighted by population with their postcodes,
//! the DB07 classes of each group, the data window, the recruiter and
//! provider pools, the scale and shape options with their Zipf tables
//! ([`Zipf`]), the world preset's knobs with its drift date, and the small
//! sampling helpers every simulation step uses.
//! The fixed lookup tables are in [`super::tables`].
//!
//! Everything here is built once per run from [`ReferenceData::bundled`] and
//! the checked parameters, then shared read-only by the parallel
//! simulations.

use chrono::{Datelike, Months, NaiveDate, TimeDelta};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::data::reference::{ReferenceData, RiskGroup};

use super::params::ValidGenerateParams;
use super::preset::WorldPreset;

/// The most permits a site has in the standard shape (scaled by `--workers-per-site`).
const PERMIT_CAP: u32 = 40;

/// A sector group of the latent model: the seven risk groups and the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    Construction,
    Cleaning,
    Agriculture,
    Hotels,
    Transport,
    Domestic,
    Fishing,
    Other,
}

impl Group {
    /// Every group with its share of sites (the rest of 1 is `Other`).
    pub(crate) const SHARES: [(Group, f64); 8] = [
        (Group::Construction, 0.08),
        (Group::Cleaning, 0.03),
        (Group::Agriculture, 0.06),
        (Group::Hotels, 0.06),
        (Group::Transport, 0.04),
        (Group::Domestic, 0.005),
        (Group::Fishing, 0.003),
        (Group::Other, 0.722),
    ];

    /// Position in [`Group::SHARES`].
    pub(crate) fn index(self) -> usize {
        match self {
            Group::Construction => 0,
            Group::Cleaning => 1,
            Group::Agriculture => 2,
            Group::Hotels => 3,
            Group::Transport => 4,
            Group::Domestic => 5,
            Group::Fishing => 6,
            Group::Other => 7,
        }
    }

    /// Whether the group is one of the risk sectors named by CMM.
    pub(crate) fn is_risk(self) -> bool {
        self != Group::Other
    }

    /// The group of a reference risk group (`None` is `Other`).
    fn of(risk: Option<RiskGroup>) -> Group {
        match risk {
            Some(RiskGroup::Construction) => Group::Construction,
            Some(RiskGroup::Cleaning) => Group::Cleaning,
            Some(RiskGroup::Agriculture) => Group::Agriculture,
            Some(RiskGroup::HotelsRestaurants) => Group::Hotels,
            Some(RiskGroup::Transport) => Group::Transport,
            Some(RiskGroup::DomesticWork) => Group::Domestic,
            Some(RiskGroup::Fishing) => Group::Fishing,
            None => Group::Other,
        }
    }

    /// A DB07 class used when the reference data has none for the group.
    fn fallback_code(self) -> &'static str {
        match self {
            Group::Construction => "41.20",
            Group::Cleaning => "81.21",
            Group::Agriculture => "01.13",
            Group::Hotels => "56.10",
            Group::Transport => "49.41",
            Group::Domestic => "97.00",
            Group::Fishing => "03.11",
            Group::Other => "62.01",
        }
    }
}

/// Shares of non-risk sites by DB07 section (a rough Danish mix of
/// workplaces: trade, professional services, health, real estate lead).
const SECTION_WEIGHTS: &[(&str, f64)] = &[
    ("A", 0.01),
    ("B", 0.002),
    ("C", 0.06),
    ("D", 0.003),
    ("E", 0.005),
    ("F", 0.02),
    ("G", 0.22),
    ("H", 0.02),
    ("I", 0.01),
    ("J", 0.06),
    ("K", 0.04),
    ("L", 0.08),
    ("M", 0.14),
    ("N", 0.05),
    ("O", 0.01),
    ("P", 0.04),
    ("Q", 0.10),
    ("R", 0.04),
    ("S", 0.06),
];

/// A postcode's point.
pub(crate) struct PostPoint {
    pub(crate) postcode: &'static str,
    pub(crate) town: &'static str,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
}

/// A municipality's point and its postcodes.
pub(crate) struct MuniPoint {
    pub(crate) code: u16,
    pub(crate) name: &'static str,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) postcodes: Vec<PostPoint>,
}

/// The shared, read-only world of one run.
pub(crate) struct World {
    /// The run's seed.
    pub(crate) seed: u64,
    /// First day of the window.
    pub(crate) from: NaiveDate,
    /// Last day of the window (the as-of date).
    pub(crate) as_of: NaiveDate,
    /// Number of years in the window.
    pub(crate) years: u32,
    /// First payroll month (as `year * 12 + month0`).
    pub(crate) pay_start_ym: u32,
    /// Whether values are blanked at realistic rates.
    pub(crate) missing: bool,
    /// Size of the recruiter pool.
    pub(crate) recruiters: u32,
    /// Zipf weights of the recruiters (`None`: uniform, `--recruiter-skew 0`).
    recruiter_zipf: Option<Zipf>,
    /// Probability that a site recruits its permit holders through a
    /// recruiter (`None`: the rates by group and state, section 3 of the doc).
    pub(crate) recruiter_share: Option<f64>,
    /// Multiplier on the permit holders per site (1.0: today's model).
    pub(crate) workers_per_site: f64,
    /// The most permits a site has (40, times `workers_per_site` when set).
    pub(crate) permit_cap: u32,
    /// Concentration of shared addresses (0: none, see [`super::pools`]).
    pub(crate) address_skew: f64,
    /// Zipf weights of the national pool of shared addresses (when `address_skew > 0`).
    pub(crate) address_pool: Option<Zipf>,
    /// Concentration of owners (0: none, see [`super::pools`]).
    pub(crate) owner_skew: f64,
    /// Zipf weights of the national pool of owners (when `owner_skew > 0`).
    pub(crate) owner_pool: Option<Zipf>,
    /// Size of the foreign service provider pool.
    pub(crate) providers: u32,
    /// The world preset's knobs ([`WorldPreset::baseline`]: today's model).
    pub(crate) preset: WorldPreset,
    /// The first day of the drifted pattern (drift worlds only).
    pub(crate) drift_date: Option<NaiveDate>,
    /// The month of the drift date, as [`ym`] (drift worlds only).
    drift_ym: Option<u32>,
    /// Municipalities with their postcodes.
    pub(crate) munis: Vec<MuniPoint>,
    muni_cum: Vec<f64>,
    group_codes: Vec<Vec<&'static str>>,
    other_cum: Vec<f64>,
}

impl World {
    /// Builds the world from the bundled reference data and checked parameters.
    pub(crate) fn new(params: &ValidGenerateParams) -> World {
        let rd = ReferenceData::bundled();
        let mut munis = Vec::with_capacity(rd.municipalities.len());
        let mut muni_cum = Vec::with_capacity(rd.municipalities.len());
        let mut total = 0.0;
        for m in &rd.municipalities {
            let postcodes = rd
                .postcodes_in(m.code)
                .into_iter()
                .map(|p| PostPoint {
                    postcode: &p.postcode,
                    town: &p.town,
                    lat: p.lat,
                    lon: p.lon,
                })
                .collect();
            total += (m.population.max(1)) as f64;
            muni_cum.push(total);
            munis.push(MuniPoint {
                code: m.code,
                name: &m.name,
                lat: m.lat,
                lon: m.lon,
                postcodes,
            });
        }
        let mut group_codes: Vec<Vec<&'static str>> = vec![Vec::new(); Group::SHARES.len()];
        let mut other_cum = Vec::new();
        let mut other_total = 0.0;
        for s in rd.sectors.iter().filter(|s| s.code.len() == 5) {
            let group = Group::of(s.risk_group);
            if group == Group::Other {
                let Some(&(_, w)) = SECTION_WEIGHTS.iter().find(|(sec, _)| *sec == s.section)
                else {
                    continue;
                };
                let in_section = rd
                    .sectors
                    .iter()
                    .filter(|o| {
                        o.code.len() == 5 && o.risk_group.is_none() && o.section == s.section
                    })
                    .count()
                    .max(1);
                other_total += w / in_section as f64;
                other_cum.push(other_total);
            }
            group_codes[group.index()].push(&s.code);
        }
        for (group, _) in Group::SHARES {
            if group_codes[group.index()].is_empty() {
                group_codes[group.index()].push(group.fallback_code());
                if group == Group::Other {
                    other_cum = vec![1.0];
                }
            }
        }
        let sites = params.sites() as u32;
        let from = params.from();
        let as_of = params.as_of();
        let as_of_ym = ym(as_of);
        let pay_start_ym = ym(from).max((as_of_ym + 1).saturating_sub(params.payroll_months()));
        let scale = params.scale();
        let x = scale.workers_per_site;
        // The default path keeps the cap of 40 exactly (no float round trip).
        let permit_cap = if x == 1.0 {
            PERMIT_CAP
        } else {
            ((f64::from(PERMIT_CAP) * x).round() as u32).max(1)
        };
        let zipf = |n: u32, s: f64| (s > 0.0).then(|| Zipf::new(n, s));
        let preset = params.world().preset();
        let drift_date = preset.drift_date(from, params.years());
        World {
            seed: params.seed(),
            from,
            as_of,
            years: params.years(),
            pay_start_ym,
            missing: params.missing_values(),
            recruiters: scale.recruiters,
            recruiter_zipf: zipf(scale.recruiters, scale.recruiter_skew),
            recruiter_share: scale.recruiter_share,
            workers_per_site: x,
            permit_cap,
            address_skew: scale.address_skew,
            address_pool: zipf(
                (sites / super::pools::SITES_PER_SHARED_ADDRESS).max(10),
                scale.address_skew,
            ),
            owner_skew: scale.owner_skew,
            owner_pool: zipf(
                (sites / super::pools::SITES_PER_POOL_OWNER).max(10),
                scale.owner_skew,
            ),
            providers: (sites / 100).max(10),
            preset,
            drift_date,
            drift_ym: drift_date.map(ym),
            munis,
            muni_cum,
            group_codes,
            other_cum,
        }
    }

    /// Draws a sector group by its share of sites.
    pub(crate) fn draw_group(&self, rng: &mut ChaCha8Rng) -> Group {
        pick(&Group::SHARES, rng)
    }

    /// Draws a DB07 class within a group (uniform within a risk group,
    /// weighted by section for the rest).
    pub(crate) fn draw_sector(&self, group: Group, rng: &mut ChaCha8Rng) -> &'static str {
        let codes = &self.group_codes[group.index()];
        let i = if group == Group::Other {
            pick_cum(&self.other_cum, rng)
        } else {
            rng.gen_range(0..codes.len())
        };
        codes.get(i).copied().unwrap_or(group.fallback_code())
    }

    /// Draws a municipality index, proportional to population.
    pub(crate) fn draw_municipality(&self, rng: &mut ChaCha8Rng) -> usize {
        pick_cum(&self.muni_cum, rng)
    }

    /// Whether a "blank this value" draw at `rate` fires (never when
    /// missing values are off).
    pub(crate) fn blank(&self, rng: &mut ChaCha8Rng, rate: f64) -> bool {
        let u: f64 = rng.r#gen();
        self.missing && u < rate
    }

    /// The first and last day of window year `y` (0-based), the last day
    /// clamped to the as-of date.
    pub(crate) fn year_bounds(&self, y: u32) -> (NaiveDate, NaiveDate) {
        let start = self
            .from
            .checked_add_months(Months::new(12 * y))
            .unwrap_or(self.as_of);
        let end = self
            .from
            .checked_add_months(Months::new(12 * (y + 1)))
            .and_then(|d| d.pred_opt())
            .unwrap_or(self.as_of)
            .min(self.as_of);
        (start, end)
    }

    /// Draws a recruiter of the pool: uniform, or by its Zipf weight when
    /// `--recruiter-skew` is above 0 (one draw either way).
    pub(crate) fn draw_recruiter(&self, rng: &mut ChaCha8Rng) -> u32 {
        match &self.recruiter_zipf {
            Some(z) => z.draw(rng),
            None => rng.gen_range(0..self.recruiters),
        }
    }

    /// Whether `day` is on or after the drift date (never without drift).
    pub(crate) fn drifted(&self, day: NaiveDate) -> bool {
        self.drift_date.is_some_and(|at| day >= at)
    }

    /// Whether payroll month `m` (as [`ym`]) is the drift date's month or
    /// later (never without drift).
    pub(crate) fn drifted_month(&self, m: u32) -> bool {
        self.drift_ym.is_some_and(|at| m >= at)
    }

    /// Strength of the payroll signals in payroll month `m` (as [`ym`]):
    /// the drifted one from the drift month on, else the preset's.
    pub(crate) fn payroll_signal(&self, m: u32) -> f64 {
        match self.preset.drift {
            Some(d) if self.drifted_month(m) => d.payroll_signal,
            _ => self.preset.payroll_signal,
        }
    }

    /// Strength of the housing signals of a permit starting on `start`:
    /// the drifted one from the drift date on, else the preset's.
    pub(crate) fn housing_signal(&self, start: NaiveDate) -> f64 {
        match self.preset.drift {
            Some(d) if self.drifted(start) => d.housing_signal,
            _ => self.preset.housing_signal,
        }
    }

    /// The drifted shift of the sector effect on the hidden state of a
    /// site in `group` whose company was founded on `founded`; `None`
    /// without drift or for companies founded before the drift date.
    pub(crate) fn sector_shift(&self, group: Group, founded: NaiveDate) -> Option<f64> {
        match self.preset.drift {
            Some(d) if self.drifted(founded) => Some(d.sector_shift[group.index()]),
            _ => None,
        }
    }

    /// Draws a "bad" id from a pool of `n` recruiters (or providers): the
    /// bad ones, which serve several exploiters, are every tenth (0, 10, 20, ...).
    pub(crate) fn draw_bad(n: u32, rng: &mut ChaCha8Rng) -> u32 {
        let bad = n.div_ceil(10).max(1);
        (rng.gen_range(0..bad) * 10).min(n.saturating_sub(1))
    }
}

/// Cumulative Zipf weights `1 / (r + 1)^s` over items `0..n`, built once
/// per run; a draw is one uniform and a binary search.
pub(crate) struct Zipf {
    cum: Vec<f64>,
}

impl Zipf {
    /// The table of `n` items (at least 1) with exponent `s` (0: uniform).
    pub(crate) fn new(n: u32, s: f64) -> Zipf {
        let mut total = 0.0;
        let cum = (0..n.max(1))
            .map(|r| {
                total += (f64::from(r) + 1.0).powf(-s);
                total
            })
            .collect();
        Zipf { cum }
    }

    /// Number of items.
    pub(crate) fn size(&self) -> usize {
        self.cum.len()
    }

    /// Draws an item: `r` with probability proportional to `1 / (r + 1)^s`.
    pub(crate) fn draw(&self, rng: &mut ChaCha8Rng) -> u32 {
        pick_cum(&self.cum, rng) as u32
    }
}

/// A month as `year * 12 + month0`, for ordering and arithmetic.
pub(crate) fn ym(d: NaiveDate) -> u32 {
    (d.year().max(0) as u32) * 12 + d.month0()
}

/// Adds days to a date (unchanged if the result would overflow).
pub(crate) fn add_days(d: NaiveDate, days: i64) -> NaiveDate {
    TimeDelta::try_days(days)
        .and_then(|t| d.checked_add_signed(t))
        .unwrap_or(d)
}

/// A uniform date in `[a, b]` (`a` when `b < a`).
pub(crate) fn date_between(rng: &mut ChaCha8Rng, a: NaiveDate, b: NaiveDate) -> NaiveDate {
    let days = (b - a).num_days();
    if days <= 0 {
        a
    } else {
        add_days(a, rng.gen_range(0..=days))
    }
}

/// A uniform float in `[a, b)`.
pub(crate) fn uniform(rng: &mut ChaCha8Rng, a: f64, b: f64) -> f64 {
    a + (b - a) * rng.r#gen::<f64>()
}

/// True with probability `p`.
pub(crate) fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    rng.r#gen::<f64>() < p
}

/// A standard normal draw (Box–Muller).
pub(crate) fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - rng.r#gen::<f64>();
    let u2: f64 = rng.r#gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// A Poisson draw (Knuth's method; for the small means used here).
pub(crate) fn poisson(rng: &mut ChaCha8Rng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    let limit = (-lambda.min(30.0)).exp();
    let mut k = 0;
    let mut p = 1.0;
    loop {
        p *= rng.r#gen::<f64>();
        if p <= limit || k >= 200 {
            return k;
        }
        k += 1;
    }
}

/// Draws from a weighted table (weights need not sum to 1).
pub(crate) fn pick<T: Copy>(table: &[(T, f64)], rng: &mut ChaCha8Rng) -> T {
    let total: f64 = table.iter().map(|(_, w)| w).sum();
    let mut u = rng.r#gen::<f64>() * total;
    for &(item, w) in table {
        if u < w {
            return item;
        }
        u -= w;
    }
    table[table.len() - 1].0
}

/// Draws an index from cumulative weights.
pub(crate) fn pick_cum(cum: &[f64], rng: &mut ChaCha8Rng) -> usize {
    let total = cum.last().copied().unwrap_or(0.0);
    let u = rng.r#gen::<f64>() * total;
    cum.partition_point(|&c| c <= u)
        .min(cum.len().saturating_sub(1))
}

/// Logistic function.
pub(crate) fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_world_has_classes_of_the_right_group_and_weighted_municipalities() {
        let params = super::super::GenerateParams::default()
            .check()
            .expect("valid");
        let world = World::new(&params);
        let rd = ReferenceData::bundled();
        for (group, _) in Group::SHARES {
            assert!(!world.group_codes[group.index()].is_empty());
            for code in &world.group_codes[group.index()] {
                assert_eq!(Group::of(rd.risk_group(code)), group, "{code}");
            }
        }
        assert_eq!(
            world.other_cum.len(),
            world.group_codes[Group::Other.index()].len()
        );
        assert_eq!(world.munis.len(), world.muni_cum.len());
        assert!(
            world
                .munis
                .iter()
                .filter(|m| !m.postcodes.is_empty())
                .count()
                > 90
        );
        // The default shape keeps today's pools, cap and uniform draws.
        assert_eq!(world.recruiters, 5_000 / 150);
        assert_eq!(world.permit_cap, 40);
        assert!(world.recruiter_zipf.is_none() && world.recruiter_share.is_none());
        assert!(world.address_pool.is_none() && world.owner_pool.is_none());
    }

    #[test]
    fn zipf_draws_favour_low_ranks_and_skew_zero_is_uniform() {
        use rand::SeedableRng;
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let skewed = Zipf::new(50, 1.2);
        let flat = Zipf::new(50, 0.0);
        assert_eq!(skewed.size(), 50);
        let (mut a, mut b) = (vec![0u32; 50], vec![0u32; 50]);
        for _ in 0..20_000 {
            a[skewed.draw(&mut rng) as usize] += 1;
            b[flat.draw(&mut rng) as usize] += 1;
        }
        assert!(a[0] > 10 * a[49].max(1), "{a:?}");
        assert!(b.iter().all(|&n| (250..=550).contains(&n)), "{b:?}");
        assert_eq!(Zipf::new(0, 1.0).size(), 1);
    }
}
