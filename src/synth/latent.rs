//! The latent model and the per-company, per-site simulation.
//!
//! Companies are planned first (which sites each owns), then simulated in
//! parallel. Each company draws its own attributes from its own random
//! stream; each of its sites then draws its location, size and **hidden
//! state** (none, exploitation, forced labour, with a severity) from the
//! site's own stream, and from that state the observable records: postings
//! here, permits, residences and payroll in [`super::workers`], tips and
//! inspections in [`super::inspect`]. The records are kept compact (no strings built) and
//! with company-local numbers; [`super::write`] turns them into ids.
//!
//! The world preset ([`super::preset`]) changes the hidden state only in a
//! drift world (the sector effects of companies founded after the drift
//! date) and the posting signals through its `permit_signal`; at the
//! baseline every draw is today's.
//!
//! Every parameter is documented with its reason in `docs/synthetic-data.md`.

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::data::schema::{DK_LAT, DK_LON};

use super::inspect::{self, InspOut, SiteFacts, TipOut};
use super::mix;
use super::preset::toward;
use super::tables::{INDICATOR_RATES, STREETS, SURNAMES, business_words, indicator_index};
use super::workers::{self, Addr, AddrKind, PayOut, PermitOut, ResOut, WorkerInputs, draw_rooms};
use super::world::{
    Group, World, add_days, chance, date_between, normal, pick, poisson, sigmoid, uniform,
};

/// Intercept of the hidden-state logit (calibrated to about 4 % exploited sites).
const B0: f64 = -4.9;
/// Logit effect of each sector group, in [`Group::SHARES`] order.
const SECTOR_EFFECT: [f64; 8] = [2.0, 2.2, 1.9, 1.7, 1.5, 1.8, 1.7, 0.0];
/// Probability that a site employs third-country workers, by group.
const P_FOREIGN: [f64; 8] = [0.25, 0.30, 0.40, 0.22, 0.20, 0.30, 0.25, 0.07];
/// Median number of employees, by group.
const MEDIAN_EMPLOYEES: [f64; 8] = [4.0, 5.0, 3.0, 6.0, 5.0, 1.0, 3.0, 4.0];
/// Probability that a site uses foreign service providers (RUT postings), by group.
const P_POSTING: [f64; 8] = [0.20, 0.08, 0.08, 0.01, 0.03, 0.0, 0.02, 0.008];
/// Severity from which an exploited site is in forced labour (about a quarter of them).
const FORCED_FROM: f64 = 0.646;
/// Salt of the company plan's random stream.
const PLAN_SALT: u64 = 0xC0FF_EE00_D15E_A5E5;
/// Salt of the companies' random streams.
const COMPANY_SALT: u64 = 0x5EED_C0DE_0000_0001;

/// A site's hidden state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    None,
    Exploitation,
    ForcedLabour,
}

impl State {
    /// The id written to `truth.csv`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            State::None => "none",
            State::Exploitation => "exploitation",
            State::ForcedLabour => "forced_labour",
        }
    }

    /// Whether workers at the site are exploited (any state but none).
    pub(crate) fn exploited(self) -> bool {
        self != State::None
    }
}

/// Which sites a company owns: `n_sites` consecutive site indices.
pub(crate) struct CompanyPlan {
    pub(crate) index: u32,
    pub(crate) first_site: u32,
    pub(crate) n_sites: u32,
}

/// Splits the sites into companies: 90 % own one site, 10 % own 2–5.
pub(crate) fn plan_companies(sites: usize, seed: u64) -> Vec<CompanyPlan> {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, PLAN_SALT));
    let total = sites as u32;
    let mut plans = Vec::with_capacity(sites);
    let mut next = 0u32;
    while next < total {
        let n: u32 = if chance(&mut rng, 0.10) {
            rng.gen_range(2..=5)
        } else {
            1
        };
        let n = n.min(total - next);
        let index = plans.len() as u32;
        plans.push(CompanyPlan {
            index,
            first_site: next,
            n_sites: n,
        });
        next += n;
    }
    plans
}

/// A person's role in a company, with company-local person numbers.
pub(crate) struct RoleOut {
    pub(crate) person: u32,
    /// The company whose local person `person` is (`None`: this one); set
    /// when a planted network shares an owner ([`super::network`]).
    pub(crate) lender: Option<u32>,
    pub(crate) role: &'static str,
    pub(crate) from: NaiveDate,
    pub(crate) to: Option<NaiveDate>,
}

/// A posting of a foreign service provider (pool index).
pub(crate) struct PostingOut {
    pub(crate) provider: u32,
    pub(crate) start: NaiveDate,
    pub(crate) end: Option<NaiveDate>,
    pub(crate) workers: Option<u32>,
    pub(crate) rut_notified: Option<bool>,
}

/// Everything generated for one site.
pub(crate) struct SiteOut {
    pub(crate) index: u32,
    pub(crate) municipality: u16,
    pub(crate) postcode: Option<&'static str>,
    pub(crate) town: &'static str,
    pub(crate) lat_lon: Option<(f64, f64)>,
    pub(crate) sector: &'static str,
    pub(crate) employees: Option<u32>,
    pub(crate) smiley: &'static str,
    pub(crate) street: &'static str,
    pub(crate) number: u32,
    pub(crate) state: State,
    pub(crate) severity: f64,
    pub(crate) permits: Vec<PermitOut>,
    pub(crate) payroll: Vec<PayOut>,
    pub(crate) residences: Vec<ResOut>,
    pub(crate) postings: Vec<PostingOut>,
    pub(crate) inspections: Vec<InspOut>,
    pub(crate) tips: Vec<TipOut>,
}

/// Everything generated for one company and its sites.
pub(crate) struct CompanyOut {
    pub(crate) index: u32,
    pub(crate) group: Group,
    /// The employer housing shared by the company's exploited sites.
    pub(crate) exploiter_housing: Option<u32>,
    pub(crate) founded: Option<NaiveDate>,
    pub(crate) legal_form: &'static str,
    pub(crate) show_legal_form: bool,
    pub(crate) surname: &'static str,
    pub(crate) word: &'static str,
    pub(crate) roles: Vec<RoleOut>,
    pub(crate) sites: Vec<SiteOut>,
    /// Number of company-local persons (owners, directors, workers).
    pub(crate) persons: u32,
    /// Rooms of each company-local address (`None` = not recorded).
    pub(crate) rooms: Vec<Option<u32>>,
}

/// The company's state shared by its sites during simulation.
pub(crate) struct CompanyCtx {
    group: Group,
    sector: &'static str,
    founded: NaiveDate,
    age_years: f64,
    effect: f64,
    home_muni: usize,
    persons: u32,
    /// The company's addresses so far (local number = position).
    pub(crate) addresses: Vec<Addr>,
    /// The employer housing shared by the company's exploited sites.
    pub(crate) exploiter_housing: Option<u32>,
}

impl CompanyCtx {
    /// Adds an address and returns its local number.
    pub(crate) fn new_addr(&mut self, kind: AddrKind) -> u32 {
        self.addresses.push(Addr {
            kind,
            residents: 0,
            crowded: false,
        });
        (self.addresses.len() - 1) as u32
    }

    /// A new local person number.
    pub(crate) fn new_person(&mut self) -> u32 {
        self.persons += 1;
        self.persons - 1
    }
}

/// Simulates one company and all its sites.
pub(crate) fn simulate_company(world: &World, plan: &CompanyPlan) -> CompanyOut {
    let mut rng =
        ChaCha8Rng::seed_from_u64(mix(mix(world.seed, COMPANY_SALT), u64::from(plan.index)));
    let group = world.draw_group(&mut rng);
    let sector = world.draw_sector(group, &mut rng);
    let founded = draw_founded(&mut rng, world.as_of);
    let age_years = (world.as_of - founded).num_days() as f64 / 365.25;
    let legal_form = draw_legal_form(&mut rng, founded);
    let surname = SURNAMES[rng.gen_range(0..SURNAMES.len())];
    let words = business_words(group);
    let word = words[rng.gen_range(0..words.len())];
    let effect = 0.6 * normal(&mut rng);
    let home_muni = world.draw_municipality(&mut rng);
    let show_founded = !world.blank(&mut rng, 0.02);
    let show_legal_form = !world.blank(&mut rng, 0.01);
    let mut ctx = CompanyCtx {
        group,
        sector,
        founded,
        age_years,
        effect,
        home_muni,
        persons: 0,
        addresses: Vec::new(),
        exploiter_housing: None,
    };
    let roles = draw_roles(&mut rng, world, legal_form, &mut ctx);
    let sites = (0..plan.n_sites)
        .map(|k| simulate_site(world, &mut ctx, plan.first_site + k, k))
        .collect();
    let rooms = ctx
        .addresses
        .iter()
        .map(|a| {
            if world.blank(&mut rng, 0.05) {
                None
            } else {
                Some(draw_rooms(&mut rng, a))
            }
        })
        .collect();
    CompanyOut {
        index: plan.index,
        group,
        exploiter_housing: ctx.exploiter_housing,
        founded: show_founded.then_some(founded),
        legal_form,
        show_legal_form,
        surname,
        word,
        roles,
        sites,
        persons: ctx.persons,
        rooms,
    }
}

/// Company age mixture: 15 % under 2 years, 30 % 2–10 years, 55 % older
/// (10 years plus an exponential tail with mean 15 years, at most 100).
fn draw_founded(rng: &mut ChaCha8Rng, as_of: NaiveDate) -> NaiveDate {
    let u: f64 = rng.r#gen();
    let years = if u < 0.15 {
        uniform(rng, 0.0, 2.0)
    } else if u < 0.45 {
        uniform(rng, 2.0, 10.0)
    } else {
        (10.0 - 15.0 * (1.0 - rng.r#gen::<f64>()).ln()).min(100.0)
    };
    add_days(as_of, -((years * 365.25) as i64))
}

/// Legal form; IVS only for companies founded while it existed (2014 to 15 April 2021).
fn draw_legal_form(rng: &mut ChaCha8Rng, founded: NaiveDate) -> &'static str {
    let key = (founded.year(), founded.month(), founded.day());
    if ((2014, 1, 1)..(2021, 4, 15)).contains(&key) {
        pick(
            &[
                ("ApS", 0.52),
                ("A/S", 0.08),
                ("I/S", 0.05),
                ("ENK", 0.28),
                ("IVS", 0.07),
            ],
            rng,
        )
    } else {
        pick(
            &[("ApS", 0.58), ("A/S", 0.07), ("I/S", 0.05), ("ENK", 0.30)],
            rng,
        )
    }
}

/// Owner(s), directors and a contact person, from the founding date.
fn draw_roles(
    rng: &mut ChaCha8Rng,
    world: &World,
    legal_form: &str,
    ctx: &mut CompanyCtx,
) -> Vec<RoleOut> {
    let founded = ctx.founded;
    let mut roles = vec![RoleOut {
        person: ctx.new_person(),
        lender: None,
        role: "owner",
        from: founded,
        to: None,
    }];
    if legal_form == "I/S" && chance(rng, 0.7) {
        roles.push(RoleOut {
            person: ctx.new_person(),
            lender: None,
            role: "owner",
            from: founded,
            to: None,
        });
    }
    let p_director = match legal_form {
        "A/S" => 1.0,
        "ApS" | "IVS" => 0.35,
        _ => 0.0,
    };
    if chance(rng, p_director) {
        let person = ctx.new_person();
        if chance(rng, 0.15) {
            let left = date_between(rng, founded.max(world.from), world.as_of);
            roles.push(RoleOut {
                person,
                lender: None,
                role: "director",
                from: founded,
                to: Some(left),
            });
            if let Some(next) = left.succ_opt()
                && next <= world.as_of
            {
                roles.push(RoleOut {
                    person: ctx.new_person(),
                    lender: None,
                    role: "director",
                    from: next,
                    to: None,
                });
            }
        } else {
            roles.push(RoleOut {
                person,
                lender: None,
                role: "director",
                from: founded,
                to: None,
            });
        }
    }
    if chance(rng, 0.10) {
        roles.push(RoleOut {
            person: ctx.new_person(),
            lender: None,
            role: "contact",
            from: founded,
            to: None,
        });
    }
    roles
}

/// Size effect on the hidden-state logit.
fn size_effect(employees: u32) -> f64 {
    match employees {
        0 => -0.7,
        1..=4 => 0.0,
        5..=49 => 0.35,
        50..=249 => -0.2,
        _ => -0.9,
    }
}

/// Young-company effect on the hidden-state logit.
fn age_effect(age_years: f64) -> f64 {
    if age_years < 2.0 {
        0.9
    } else if age_years < 5.0 {
        0.35
    } else {
        0.0
    }
}

/// Simulates site `index`, the `k`-th site of its company.
fn simulate_site(world: &World, ctx: &mut CompanyCtx, index: u32, k: u32) -> SiteOut {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(world.seed, u64::from(index)));
    let rng = &mut rng;
    let group = ctx.group;
    let gi = group.index();

    // Location: branches stay in the home municipality 60 % of the time.
    let mi = if k == 0 || chance(rng, 0.6) {
        ctx.home_muni
    } else {
        world.draw_municipality(rng)
    };
    let muni = &world.munis[mi];
    let (postcode, town, plat, plon) = if muni.postcodes.is_empty() {
        (None, muni.name, muni.lat, muni.lon)
    } else {
        let p = &muni.postcodes[rng.gen_range(0..muni.postcodes.len())];
        (Some(p.postcode), p.town, p.lat, p.lon)
    };
    let lat = (plat + uniform(rng, -0.03, 0.03)).clamp(DK_LAT.min, DK_LAT.max);
    let lon = (plon + uniform(rng, -0.03, 0.03)).clamp(DK_LON.min, DK_LON.max);
    let lat_lon = if world.blank(rng, 0.03) {
        None
    } else {
        Some((lat, lon))
    };
    let postcode = if world.blank(rng, 0.01) {
        None
    } else {
        postcode
    };
    let street = STREETS[rng.gen_range(0..STREETS.len())];
    let number = rng.gen_range(1..=120);

    // Size: log-normal around the group's median, 7 % with no employees.
    let employees: u32 = if group == Group::Domestic {
        1 + u32::from(chance(rng, 0.2))
    } else if chance(rng, 0.07) {
        0
    } else {
        (MEDIAN_EMPLOYEES[gi].ln() + 1.25 * normal(rng))
            .exp()
            .round()
            .clamp(1.0, 5000.0) as u32
    };

    // Hidden state: logistic in sector, size, company age, foreign workers.
    let has_foreign = chance(rng, P_FOREIGN[gi]);
    let share = if has_foreign {
        uniform(rng, 0.05, 0.5)
    } else {
        0.0
    };
    let z = B0
        + SECTOR_EFFECT[gi]
        + size_effect(employees)
        + age_effect(ctx.age_years)
        + if has_foreign { 0.9 + 1.2 * share } else { 0.0 }
        + ctx.effect;
    // Drift worlds only: companies founded from the drift date on follow
    // the drifted sector effects (no draw; today's `z` otherwise).
    let z = match world.sector_shift(group, ctx.founded) {
        Some(shift) => z + shift,
        None => z,
    };
    let exploited = chance(rng, sigmoid(z));
    let severity = if exploited {
        (rng.r#gen::<f64>() + rng.r#gen::<f64>()) / 2.0
    } else {
        0.0
    };
    let state = match (exploited, severity >= FORCED_FROM) {
        (false, _) => State::None,
        (true, false) => State::Exploitation,
        (true, true) => State::ForcedLabour,
    };
    let profile = draw_profile(rng, state, severity);

    let smiley = if exploited {
        pick(
            &[
                ("none", 0.40),
                ("green", 0.28),
                ("yellow", 0.20),
                ("red", 0.11),
                ("crown", 0.01),
            ],
            rng,
        )
    } else {
        pick(
            &[
                ("none", 0.45),
                ("green", 0.42),
                ("yellow", 0.09),
                ("red", 0.02),
                ("crown", 0.02),
            ],
            rng,
        )
    };
    let active_start = ctx.founded.max(world.from);

    // Third-country workers: permits, residences, payroll.
    let workers = workers::simulate_workers(
        world,
        ctx,
        &WorkerInputs {
            group,
            employees,
            has_foreign,
            share,
            state,
            severity,
            profile,
            active_start,
        },
        rng,
    );
    let n_permits = workers.permits.len() as u32;

    // Postings (RUT): mostly construction, agriculture, cleaning. The
    // exploited sites' differences scale with the world's permit signal.
    let signal = world.preset.permit_signal;
    let mut postings = Vec::new();
    let posting_mult = if exploited {
        toward(1.0, 2.0, signal)
    } else {
        1.0
    };
    let p_posting = P_POSTING[gi] * posting_mult;
    if chance(rng, p_posting) {
        let n = 1 + poisson(rng, 0.7).min(4);
        for _ in 0..n {
            let provider = if exploited && chance(rng, toward(0.0, 0.5, signal)) {
                World::draw_bad(world.providers, rng)
            } else {
                rng.gen_range(0..world.providers)
            };
            let start = date_between(rng, active_start, world.as_of);
            let end = add_days(start, rng.gen_range(14..=300));
            let crew = 1 + poisson(rng, 3.0);
            let notified = !chance(
                rng,
                if exploited {
                    toward(0.05, 0.35, signal)
                } else {
                    0.05
                },
            );
            postings.push(PostingOut {
                provider,
                start,
                end: (!world.blank(rng, 0.05)).then_some(end),
                workers: (!world.blank(rng, 0.03)).then_some(crew),
                rut_notified: Some(notified),
            });
        }
        postings.sort_by_key(|p| p.start);
    }

    let facts = SiteFacts {
        group,
        employees,
        smiley,
        state,
        severity,
        profile,
        active_start,
        workers: n_permits,
    };
    let tips = inspect::simulate_tips(world, &facts, rng);
    let inspections = inspect::simulate_inspections(world, &facts, &tips, rng);

    SiteOut {
        index,
        municipality: muni.code,
        postcode,
        town,
        lat_lon,
        sector: ctx.sector,
        employees: (!world.blank(rng, 0.05)).then_some(employees),
        smiley,
        street,
        number,
        state,
        severity,
        permits: workers.permits,
        payroll: workers.payroll,
        residences: workers.residences,
        postings,
        inspections,
        tips,
    }
}

/// Which ILO indicators are present at an exploited site. Each indicator
/// is present with its state's base rate times `0.5 + severity`; coercion
/// indicators have much higher rates in the forced-labour state, so they
/// appear together there. At least one indicator is always present.
fn draw_profile(rng: &mut ChaCha8Rng, state: State, severity: f64) -> [bool; 11] {
    let mut profile = [false; 11];
    if !state.exploited() {
        return profile;
    }
    let mult = 0.5 + severity;
    for (slot, &(_, p_ex, p_fl)) in profile.iter_mut().zip(INDICATOR_RATES.iter()) {
        let base = if state == State::ForcedLabour {
            p_fl
        } else {
            p_ex
        };
        *slot = chance(rng, (base * mult).min(0.95));
    }
    if !profile.iter().any(|&b| b) {
        let id = if chance(rng, 0.5) {
            "excessive_overtime"
        } else {
            "withholding_of_wages"
        };
        profile[indicator_index(id)] = true;
    }
    profile
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_company_plan_covers_every_site_once_in_order() {
        let plans = plan_companies(1_000, 3);
        let mut next = 0;
        for (i, p) in plans.iter().enumerate() {
            assert_eq!(p.index as usize, i);
            assert_eq!(p.first_site, next);
            assert!((1..=5).contains(&p.n_sites));
            next += p.n_sites;
        }
        assert_eq!(next, 1_000);
        let multi = plans.iter().filter(|p| p.n_sites > 1).count() as f64 / plans.len() as f64;
        assert!((0.05..0.16).contains(&multi), "{multi}");
    }

    #[test]
    fn profiles_are_empty_for_clean_sites_and_never_empty_for_exploited_ones() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..200 {
            assert!(!draw_profile(&mut rng, State::None, 0.0).iter().any(|&b| b));
            assert!(
                draw_profile(&mut rng, State::Exploitation, 0.1)
                    .iter()
                    .any(|&b| b)
            );
            assert!(
                draw_profile(&mut rng, State::ForcedLabour, 0.9)
                    .iter()
                    .any(|&b| b)
            );
        }
    }
}
