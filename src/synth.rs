//! The synthetic data generator behind `tilsyn generate --out DIR --sites N
//! --seed S --from DATE --years Y` (and the scale and shape options, such
//! as `--shape national`, and the world presets, `--world NAME`).
//!
//! It writes the nine canonical tables of `src/data/schema.rs` plus `truth.csv` (each
//! site's hidden state) from a documented latent model: every site has a
//! hidden exploitation state drawn from its sector, size, company age and
//! foreign-worker share; observable signals (permits, payroll, residences,
//! postings, tips) are drawn from that state with noise and missing values;
//! inspections follow a biased historical policy with a random share, and
//! detect the hidden state imperfectly. `docs/synthetic-data.md` documents
//! the model and every parameter.
//!
//! Module map:
//! - [`params`]: the parameters ([`GenerateParams`], checked into
//!   [`ValidGenerateParams`]) and [`SynthError`];
//! - [`scale`]: the scale and shape options (permit holders per site,
//!   recruiter pool, share and skew, address and owner skew) and the
//!   [`Shape`] presets, resolved into a [`Scale`];
//! - [`preset`]: the world presets ([`WorldName`], [`WorldPreset`]): how
//!   informative the registers are, how biased the historical inspections,
//!   how noisy their findings, and whether the pattern drifts; a
//!   non-baseline world is recorded in `world.toml`;
//! - `world`: the reference data drawn from (sector groups, DB07 classes,
//!   municipalities and postcodes), the data window and the sampling helpers;
//! - `tables`: the fixed lookup tables (pay thresholds, schemes and
//!   nationalities by sector, ILO indicator rates, names and streets);
//! - `latent`: the company plan, the hidden state and the per-site
//!   simulation (location, size, state, postings);
//! - `workers`: permits, residences and payroll of a site's permit holders;
//! - `inspect`: tips, the inspection policy, outcomes and findings;
//! - `network`: networks planted across companies after the simulation
//!   (shared owners, phoenix successions, bad recruiters, shared crowded
//!   housing), recorded in `truth.csv`;
//! - `pools`: the national pools of shared addresses and owners
//!   (`--address-skew`, `--owner-skew`; nothing happens at skew 0);
//! - `write`: ids, number formats and the CSV files.
//!
//! **Determinism.** Each site draws from its own ChaCha8 stream seeded with
//! a splitmix64 of the seed and the site's index (each company likewise),
//! so sites are simulated in parallel with rayon and the same parameters
//! always give the same bytes, whatever the number of threads.

pub mod params;
pub mod preset;
pub mod scale;

mod inspect;
mod latent;
mod network;
mod pools;
mod tables;
mod workers;
mod world;
mod write;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;

pub use params::{GenerateParams, SynthError, ValidGenerateParams};
pub use preset::{Drift, WORLD_FILE, WorldName, WorldPreset};
pub use scale::{Scale, Shape};
pub use write::Personal;

/// The file names written by [`generate`], in the order of [`GenerateSummary::rows`].
pub const OUTPUT_FILES: [&str; 10] = [
    "sites.csv",
    "permits.csv",
    "postings.csv",
    "payroll.csv",
    "residences.csv",
    "inspections.csv",
    "findings.csv",
    "tips.csv",
    "roles.csv",
    "truth.csv",
];

/// The columns of `truth.csv`: `site_id,exploited,state,severity,planted_network`.
pub const TRUTH_COLUMNS: [&str; 5] = write::TRUTH_COLUMNS;

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateSummary {
    /// Data rows per file, as `(table name, rows)`: the nine canonical
    /// tables in `Table::ALL` order, then `truth`.
    pub rows: Vec<(String, usize)>,
    /// Number of sites whose hidden state is exploitation or forced labour.
    pub exploited_sites: usize,
    /// Number of sites in forced labour (a subset of `exploited_sites`).
    pub forced_labour_sites: usize,
    /// The as-of date of the data set (the window's last day).
    pub as_of: NaiveDate,
}

/// Checks the parameters and writes a synthetic data set into `out_dir`
/// (created if missing; existing files of the same names are replaced).
/// A non-baseline world also writes [`WORLD_FILE`] (not counted in
/// [`GenerateSummary::rows`]).
pub fn generate(params: &GenerateParams, out_dir: &Path) -> Result<GenerateSummary, SynthError> {
    let valid = params.clone().check()?;
    generate_checked(&valid, out_dir)
}

/// Writes a synthetic data set into `out_dir` from checked parameters.
pub fn generate_checked(
    params: &ValidGenerateParams,
    out_dir: &Path,
) -> Result<GenerateSummary, SynthError> {
    std::fs::create_dir_all(out_dir).map_err(|source| SynthError::Io {
        path: PathBuf::from(out_dir),
        source,
    })?;
    let world = world::World::new(params);
    let plans = latent::plan_companies(params.sites(), params.seed());
    let mut companies: Vec<latent::CompanyOut> = plans
        .par_iter()
        .map(|plan| latent::simulate_company(&world, plan))
        .collect();
    let planted = network::plant(&world, &mut companies);
    pools::apply(&world, &mut companies);
    let states = companies
        .iter()
        .flat_map(|c| c.sites.iter().map(|s| s.state));
    let (mut exploited_sites, mut forced_labour_sites) = (0, 0);
    for state in states {
        exploited_sites += usize::from(state.exploited());
        forced_labour_sites += usize::from(state == latent::State::ForcedLabour);
    }
    let rows = write::write_all(
        &companies,
        params.sites(),
        world.providers,
        &planted,
        out_dir,
    )?;
    preset::record(params.world(), world.drift_date, out_dir)?;
    Ok(GenerateSummary {
        rows,
        exploited_sites,
        forced_labour_sites,
        as_of: params.as_of(),
    })
}

/// splitmix64 of `seed ^ index`: the seed of one site's (or company's)
/// random stream.
pub(crate) fn mix(seed: u64, index: u64) -> u64 {
    let mut z = (seed ^ index).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::data::schema::{self, ColType, Table};

    type Rows = (Vec<String>, Vec<Vec<String>>);

    fn read(dir: &Path, name: &str) -> Rows {
        let mut r = csv::Reader::from_path(dir.join(format!("{name}.csv"))).expect("open csv");
        let header = r
            .headers()
            .expect("header")
            .iter()
            .map(String::from)
            .collect();
        let rows = r
            .records()
            .map(|rec| rec.expect("record").iter().map(String::from).collect())
            .collect();
        (header, rows)
    }

    fn col(header: &[String], name: &str) -> usize {
        header.iter().position(|h| h == name).expect(name)
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect(s)
    }

    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    }

    #[test]
    fn params_check_rejects_zero_sites() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = generate(&GenerateParams::new().sites(0), dir.path()).expect_err("0 sites");
        assert!(
            matches!(err, SynthError::InvalidParam { name: "sites", .. }),
            "{err}"
        );
    }

    #[test]
    fn same_params_give_identical_bytes_and_another_seed_does_not() {
        let params = GenerateParams::new().sites(300).seed(7);
        let (a, b, c) = (
            tempfile::tempdir().expect("tempdir"),
            tempfile::tempdir().expect("tempdir"),
            tempfile::tempdir().expect("tempdir"),
        );
        let sa = generate(&params, a.path()).expect("generate a");
        let sb = generate(&params, b.path()).expect("generate b");
        generate(&params.clone().seed(8), c.path()).expect("generate c");
        assert_eq!(sa, sb);
        for f in OUTPUT_FILES {
            let (ba, bb) = (
                std::fs::read(a.path().join(f)),
                std::fs::read(b.path().join(f)),
            );
            assert_eq!(
                ba.expect(f),
                bb.expect(f),
                "{f} differs between identical runs"
            );
        }
        let (sites_a, sites_c) = (
            std::fs::read(a.path().join("sites.csv")),
            std::fs::read(c.path().join("sites.csv")),
        );
        assert_ne!(sites_a.expect("a"), sites_c.expect("c"));
    }

    #[test]
    fn files_follow_the_schema_and_no_event_is_dated_outside_the_window() {
        let dir = tempfile::tempdir().expect("tempdir");
        let params = GenerateParams::new().sites(300).seed(11);
        let summary = generate(&params, dir.path()).expect("generate");
        let valid = params.check().expect("valid");
        let (from, as_of) = (valid.from(), valid.as_of());
        assert_eq!(summary.as_of, as_of);
        for (i, t) in Table::ALL.iter().enumerate() {
            let bytes = std::fs::read(dir.path().join(format!("{}.csv", t.name()))).expect("read");
            let text = String::from_utf8(bytes).expect("utf-8");
            assert!(!text.contains('\r'), "{t} has CR line ends");
            let want: Vec<&str> = t.columns().iter().map(|c| c.name).collect();
            assert_eq!(
                text.lines().next(),
                Some(want.join(",").as_str()),
                "{t} header"
            );
            let (header, rows) = read(dir.path(), t.name());
            assert_eq!(summary.rows[i], (t.name().to_string(), rows.len()));
            for spec in t.columns() {
                let c = col(&header, spec.name);
                for row in &rows {
                    let v = row[c].as_str();
                    if spec.required {
                        assert!(!v.is_empty(), "{t}.{} is required", spec.name);
                    }
                    if v.is_empty() {
                        continue;
                    }
                    match spec.ty {
                        ColType::Enum(values) => {
                            assert!(values.contains(&v), "{t}.{} = {v}", spec.name)
                        }
                        ColType::Date => {
                            date(v);
                        }
                        ColType::Month => {
                            date(&format!("{v}-01"));
                        }
                        ColType::Float | ColType::Amount | ColType::Int => {
                            let x: f64 = v.parse().expect(v);
                            if let Some(r) = spec.range {
                                assert!(x >= r.min && x <= r.max, "{t}.{} = {v}", spec.name);
                            }
                            let decimals = v.split('.').nth(1).map_or(0, str::len);
                            assert!(decimals <= 2, "{t}.{} = {v}", spec.name);
                            if spec.ty == ColType::Int {
                                assert!(!v.contains('.'), "{t}.{} = {v}", spec.name);
                            }
                        }
                        ColType::Bool => {
                            assert!(v == "true" || v == "false", "{t}.{} = {v}", spec.name)
                        }
                        ColType::Str => {}
                    }
                }
            }
            for name in t.event_date_columns() {
                let c = col(&header, name);
                for row in rows.iter().filter(|r| !r[c].is_empty()) {
                    let d = if header[c] == "month" {
                        date(&format!("{}-01", row[c]))
                    } else {
                        date(&row[c])
                    };
                    assert!(d <= as_of, "{t}.{name} = {} is after {as_of}", row[c]);
                    if !matches!(t, Table::Sites | Table::Roles) {
                        assert!(d >= from, "{t}.{name} = {} is before {from}", row[c]);
                    }
                }
            }
            if let Some(key) = t.unique_key() {
                let c = col(&header, key);
                assert!(
                    rows.windows(2).all(|w| w[0][c] < w[1][c]),
                    "{t} is not sorted by unique {key}"
                );
            }
        }
        let (header, rows) = read(dir.path(), "truth");
        assert_eq!(header, TRUTH_COLUMNS.to_vec());
        assert_eq!(rows.len(), 300);
        for row in &rows {
            assert_eq!(row[1] == "true", row[2] != "none");
            let severity: f64 = row[3].parse().expect("severity");
            assert!((0.0..=1.0).contains(&severity));
            for tag in row[4].split(';').filter(|t| !t.is_empty()) {
                let (kind, id) = tag.split_once(':').expect("planted_network is kind:id");
                assert!(
                    ["owner", "phoenix", "recruiter", "address"].contains(&kind) && !id.is_empty(),
                    "{tag}"
                );
                assert_eq!(
                    row[1], "true",
                    "only exploited sites carry planted networks"
                );
            }
        }
        // Findings use the 11 ILO ids; every site reference resolves.
        let (h, findings) = read(dir.path(), "findings");
        let ind = col(&h, "indicator");
        assert!(
            findings
                .iter()
                .all(|r| schema::ILO_INDICATORS.iter().any(|x| *x == r[ind]))
        );
        let (h, sites) = read(dir.path(), "sites");
        let site_ids: HashSet<String> = sites
            .iter()
            .map(|r| r[col(&h, "site_id")].clone())
            .collect();
        for t in ["permits", "postings", "payroll", "inspections"] {
            let (h, rows) = read(dir.path(), t);
            let c = col(&h, "site_id");
            assert!(
                rows.iter().all(|r| site_ids.contains(&r[c])),
                "{t} has a dangling site_id"
            );
        }
    }

    #[test]
    fn exploited_share_is_plausible_and_exploited_sites_are_paid_less_per_hour() {
        let dir = tempfile::tempdir().expect("tempdir");
        let summary =
            generate(&GenerateParams::new().sites(3_000).seed(5), dir.path()).expect("generate");
        let share = summary.exploited_sites as f64 / 3_000.0;
        assert!((0.02..=0.08).contains(&share), "exploited share {share}");
        let forced = summary.forced_labour_sites as f64 / summary.exploited_sites.max(1) as f64;
        assert!(
            (0.08..=0.45).contains(&forced),
            "forced-labour share of exploited {forced}"
        );

        let (h, truth) = read(dir.path(), "truth");
        let exploited: HashMap<String, bool> = truth
            .iter()
            .map(|r| {
                (
                    r[col(&h, "site_id")].clone(),
                    r[col(&h, "exploited")] == "true",
                )
            })
            .collect();
        let (h, permits) = read(dir.path(), "permits");
        let (pc, payc, hc) = (
            col(&h, "person_id"),
            col(&h, "stated_monthly_pay_dkk"),
            col(&h, "stated_weekly_hours"),
        );
        let stated_hourly: HashMap<String, f64> = permits
            .iter()
            .filter(|r| !r[payc].is_empty() && !r[hc].is_empty())
            .map(|r| {
                let pay: f64 = r[payc].parse().expect("pay");
                let hours: f64 = r[hc].parse().expect("hours");
                (r[pc].clone(), pay / (hours * 52.0 / 12.0))
            })
            .collect();
        let (h, payroll) = read(dir.path(), "payroll");
        let (sc, pc, gc, hc) = (
            col(&h, "site_id"),
            col(&h, "person_id"),
            col(&h, "gross_pay_dkk"),
            col(&h, "hours_paid"),
        );
        let (mut clean, mut bad) = (Vec::new(), Vec::new());
        for r in &payroll {
            let (Some(stated), Ok(gross), Ok(hours)) = (
                stated_hourly.get(&r[pc]),
                r[gc].parse::<f64>(),
                r[hc].parse::<f64>(),
            ) else {
                continue;
            };
            if hours <= 0.0 {
                continue;
            }
            let ratio = gross / hours / stated;
            if exploited.get(&r[sc]).copied().unwrap_or(false) {
                bad.push(ratio)
            } else {
                clean.push(ratio)
            }
        }
        assert!(
            clean.len() > 100 && bad.len() > 50,
            "{} clean and {} exploited payroll rows",
            clean.len(),
            bad.len()
        );
        let (mc, mb) = (median(clean), median(bad));
        assert!((0.9..=1.1).contains(&mc), "clean median ratio {mc}");
        assert!(
            mb < mc - 0.1,
            "exploited median ratio {mb} is not below clean {mc}"
        );
    }

    #[test]
    fn mix_spreads_neighbouring_indices() {
        assert_ne!(mix(42, 0), mix(42, 1));
        assert_ne!(mix(42, 1), mix(43, 1));
    }
}
