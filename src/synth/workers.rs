//! The third-country workers of a site: their permits (scheme, stated
//! pay and hours, employer housing, employer binding, recruiter,
//! nationality), where they live (private homes, au-pair host homes,
//! employer housing shared across a company's exploited sites, with the
//! rooms that make overcrowding visible), and their monthly payroll, where
//! exploitation shows as underpayment, excessive hours, unpaid months and
//! pay to third-party accounts.
//!
//! The scale and shape options change only what they name, and draw only
//! when set: `--workers-per-site` scales the number of permit holders
//! (stochastic rounding) and their cap, `--recruiter-share` replaces the
//! recruiting rates by group and state, `--recruiter-skew` the uniform
//! recruiter draw ([`World::draw_recruiter`]).
//!
//! The world preset ([`super::preset`]) scales how far exploited sites'
//! records differ from clean ones: `permit_signal` (more permit holders,
//! recruiters, employer binding), `housing_signal` (employer housing,
//! crowding) and `payroll_signal` (pay shortfall, overtime, unpaid months,
//! third-party accounts), the last two per date in a drift world. At the
//! baseline every value and draw is today's; the draws a strength needs
//! happen only when it is not 1.
//!
//! Parameters and their reasons are in `docs/synthetic-data.md`.

use chrono::{Datelike, Months, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::latent::{CompanyCtx, State};
use super::preset::toward;
use super::tables::{indicator_index, nationalities, pay_limit, schemes, supplementary_pay_limit};
use super::world::{
    Group, World, add_days, chance, date_between, normal, pick, poisson, uniform, ym,
};

/// Probability that a permit holder lives in employer housing at a clean site, by group.
const P_HOUSING: [f64; 8] = [0.10, 0.05, 0.45, 0.10, 0.08, 0.95, 0.30, 0.03];

/// A permit; `None` fields are written empty.
pub(crate) struct PermitOut {
    pub(crate) person: u32,
    pub(crate) scheme: &'static str,
    pub(crate) start: NaiveDate,
    pub(crate) end: Option<NaiveDate>,
    pub(crate) pay: Option<f64>,
    pub(crate) hours: Option<f64>,
    pub(crate) housing: Option<bool>,
    pub(crate) bound: Option<bool>,
    pub(crate) recruiter: Option<u32>,
    pub(crate) nationality: Option<&'static str>,
}

/// One person's pay in one month (`ym` = year * 12 + month0).
pub(crate) struct PayOut {
    pub(crate) person: u32,
    pub(crate) ym: u32,
    pub(crate) pay: Option<f64>,
    pub(crate) hours: Option<f64>,
    pub(crate) own_account: Option<bool>,
}

/// A person at a company-local address.
pub(crate) struct ResOut {
    pub(crate) person: u32,
    pub(crate) address: u32,
    /// The company whose local address `address` is (`None`: this one);
    /// set when a planted network shares housing ([`super::network`]).
    pub(crate) host: Option<u32>,
    pub(crate) from: NaiveDate,
    pub(crate) employer_provided: Option<bool>,
    /// The kind of home the worker was first given (kept when a planted
    /// network or a shared national address moves the worker).
    pub(crate) kind: AddrKind,
}

/// What kind of home an address is; decides its number of rooms.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddrKind {
    Private,
    AuPairHome,
    Employer,
    Exploiter,
}

/// A company-local address while its residents are assigned.
pub(crate) struct Addr {
    pub(crate) kind: AddrKind,
    pub(crate) residents: u32,
    pub(crate) crowded: bool,
}

/// What the worker simulation needs to know about the site.
pub(crate) struct WorkerInputs {
    pub(crate) group: Group,
    pub(crate) employees: u32,
    pub(crate) has_foreign: bool,
    pub(crate) share: f64,
    pub(crate) state: State,
    pub(crate) severity: f64,
    pub(crate) profile: [bool; 11],
    pub(crate) active_start: NaiveDate,
}

/// The worker records of one site, in person order.
pub(crate) struct Workers {
    pub(crate) permits: Vec<PermitOut>,
    pub(crate) payroll: Vec<PayOut>,
    pub(crate) residences: Vec<ResOut>,
}

/// Simulates the permit holders of a site: far more at exploited sites,
/// where their pay, hours, accounts and housing carry the signals.
pub(crate) fn simulate_workers(
    world: &World,
    ctx: &mut CompanyCtx,
    site: &WorkerInputs,
    rng: &mut ChaCha8Rng,
) -> Workers {
    let WorkerInputs {
        group,
        employees,
        has_foreign,
        share,
        state,
        severity,
        profile,
        active_start,
    } = *site;
    let exploited = state.exploited();
    let gi = group.index();
    let has = |id: &str| profile[indicator_index(id)];

    // Permits: third-country workers, far more at exploited sites.
    let mut n_permits = if has_foreign {
        ((share * f64::from(employees.max(1))).round() as u32).max(1)
    } else {
        0
    };
    let signal = world.preset.permit_signal;
    if exploited && (has_foreign || chance(rng, toward(0.0, 0.6, signal))) {
        n_permits = n_permits.max(2 + poisson(rng, 1.0 + 3.0 * severity));
    }
    // Only a set `--workers-per-site` draws here (today's path draws nothing).
    if world.workers_per_site != 1.0 && n_permits > 0 {
        n_permits = scale_count(rng, n_permits, world.workers_per_site);
    }
    if group == Group::Domestic {
        n_permits = n_permits.min(2);
    }
    let n_permits = n_permits.min(world.permit_cap);
    let clean_recruiting = if group.is_risk() { 0.25 } else { 0.10 };
    let p_recruiter = world.recruiter_share.unwrap_or(if exploited {
        toward(clean_recruiting, 0.65, signal)
    } else {
        clean_recruiting
    });
    let uses_recruiter = chance(rng, p_recruiter);
    let recruiter = if exploited && chance(rng, toward(0.0, 0.6, signal)) {
        World::draw_bad(world.recruiters, rng)
    } else {
        world.draw_recruiter(rng)
    };
    let seasonal = !exploited
        && match group {
            Group::Agriculture => chance(rng, 0.25),
            Group::Hotels => chance(rng, 0.10),
            _ => false,
        };
    let in_season = |month0: u32| match group {
        Group::Agriculture => (4..=8).contains(&month0),
        _ => (5..=7).contains(&month0),
    };

    let mut permits = Vec::with_capacity(n_permits as usize);
    let mut payroll = Vec::new();
    let mut residences = Vec::with_capacity(n_permits as usize);
    let mut site_housing: Option<u32> = None;
    let as_of_ym = ym(world.as_of);
    for _ in 0..n_permits {
        let person = ctx.new_person();
        let scheme = pick(schemes(group), rng);
        let start = date_between(rng, active_start, world.as_of);
        let years = match scheme {
            "au_pair" | "herdsman_farm_hand" => 2,
            "trainee" => rng.gen_range(1..=2),
            _ => rng.gen_range(2..=4),
        };
        let end = start
            .checked_add_months(Months::new(12 * years))
            .and_then(|d| d.pred_opt())
            .unwrap_or(start);
        let pay = stated_pay(rng, scheme, start.year());
        let hours = if scheme == "au_pair" || chance(rng, 0.05) {
            30.0
        } else {
            37.0
        };
        let housing_signal = world.housing_signal(start);
        let p_housing = if scheme == "au_pair" {
            0.95
        } else {
            let extra = if exploited {
                toward(0.0, 0.45, housing_signal)
            } else {
                0.0
            };
            (P_HOUSING[gi] + extra).min(0.95)
        };
        let housing = chance(rng, p_housing);
        let p_bound = if exploited {
            toward(0.85, 0.97, signal)
        } else {
            0.85
        };
        let bound = chance(rng, p_bound);
        // With `--recruiter-share`, every permit of a recruiting site names
        // the recruiter; otherwise 85 % do (one draw, as always).
        let recruiter_id = if world.recruiter_share.is_some() {
            uses_recruiter.then_some(recruiter)
        } else {
            (uses_recruiter && chance(rng, 0.85)).then_some(recruiter)
        };
        let nationality = pick(nationalities(group), rng);
        permits.push(PermitOut {
            person,
            scheme,
            start,
            end: (!world.blank(rng, 0.02)).then_some(end),
            pay: (!world.blank(rng, 0.03)).then_some(pay),
            hours: (!world.blank(rng, 0.10)).then_some(hours),
            housing: (!world.blank(rng, 0.03)).then_some(housing),
            bound: (!world.blank(rng, 0.03)).then_some(bound),
            recruiter: recruiter_id,
            nationality: (!world.blank(rng, 0.02)).then_some(nationality),
        });

        // Residence: private, au-pair host home, or employer housing
        // (shared by the company's exploited sites).
        let address = if !housing {
            ctx.new_addr(AddrKind::Private)
        } else if scheme == "au_pair" {
            ctx.new_addr(AddrKind::AuPairHome)
        } else if exploited {
            let a = match ctx.exploiter_housing {
                Some(a) => a,
                None => {
                    let a = ctx.new_addr(AddrKind::Exploiter);
                    ctx.exploiter_housing = Some(a);
                    a
                }
            };
            // Crowded when the site has abusive conditions; a housing
            // strength below 1 keeps that with probability the strength,
            // one above 1 crowds the others with probability strength − 1
            // (each draw only when the strength is not 1).
            let crowded = if has("abusive_conditions") {
                housing_signal >= 1.0 || chance(rng, housing_signal)
            } else {
                housing_signal > 1.0 && chance(rng, (housing_signal - 1.0).min(1.0))
            };
            if crowded {
                ctx.addresses[a as usize].crowded = true;
            }
            a
        } else {
            match site_housing {
                Some(a) => a,
                None => {
                    let a = ctx.new_addr(AddrKind::Employer);
                    site_housing = Some(a);
                    a
                }
            }
        };
        ctx.addresses[address as usize].residents += 1;
        let moved_in = add_days(start, rng.gen_range(0..14)).min(world.as_of);
        residences.push(ResOut {
            person,
            address,
            host: None,
            from: moved_in,
            employer_provided: (!world.blank(rng, 0.03)).then_some(housing),
            kind: ctx.addresses[address as usize].kind,
        });

        // Payroll over the payroll window while the permit runs.
        let affected = exploited && chance(rng, 0.5 + 0.5 * severity);
        let withholding = affected && has("withholding_of_wages");
        let pay_factor = if affected && (has("deception") || withholding) {
            (0.8 - 0.3 * severity + 0.05 * normal(rng)).clamp(0.45, 0.95)
        } else if affected {
            0.92
        } else {
            1.0
        };
        let overtime = affected && has("excessive_overtime") && chance(rng, 0.7);
        let own_account = if withholding {
            !chance(rng, toward(0.01, 0.6, world.preset.payroll_signal))
        } else {
            !chance(rng, 0.01)
        };
        // Drift worlds only: a worker paid to a third party stays so from
        // the drift month with probability the drifted strength (one draw).
        let own_account_late = match world.preset.drift {
            Some(d) if !own_account => !chance(rng, d.payroll_signal.min(1.0)),
            _ => own_account,
        };
        let zero_rate = if withholding {
            0.05 + 0.15 * severity
        } else {
            0.003
        };
        let monthly_hours = hours * 52.0 / 12.0;
        let first = ym(start).max(world.pay_start_ym);
        let last = ym(end).min(as_of_ym);
        for m in first..=last {
            let strength = world.payroll_signal(m);
            let factor = toward(1.0, pay_factor, strength);
            let (mut gross, mut worked) = if overtime {
                let h = (200.0 + 80.0 * severity + 12.0 * normal(rng)).clamp(170.0, 330.0);
                let h = toward(monthly_hours, h, strength);
                (pay * factor * (1.0 + 0.03 * normal(rng)), h)
            } else {
                let season = if seasonal && in_season(m % 12) {
                    uniform(rng, 1.15, 1.35)
                } else {
                    1.0
                };
                let h = monthly_hours * season * (1.0 + 0.03 * normal(rng));
                (pay * factor * season * (1.0 + 0.04 * normal(rng)), h)
            };
            if chance(rng, toward(0.003, zero_rate, strength)) {
                gross = 0.0;
                if !affected {
                    worked = 0.0;
                }
            }
            let own = if world.drifted_month(m) {
                own_account_late
            } else {
                own_account
            };
            payroll.push(PayOut {
                person,
                ym: m,
                pay: (!world.blank(rng, 0.01)).then_some(gross.max(0.0)),
                hours: (!world.blank(rng, 0.02)).then_some(worked.max(0.0)),
                own_account: (!world.blank(rng, 0.02)).then_some(own),
            });
        }
    }
    Workers {
        permits,
        payroll,
        residences,
    }
}

/// `n × x` rounded stochastically (up with probability the fraction), so
/// the expected number of permit holders scales exactly by `x`.
fn scale_count(rng: &mut ChaCha8Rng, n: u32, x: f64) -> u32 {
    let m = f64::from(n) * x;
    let whole = m.floor();
    (whole as u32).saturating_add(u32::from(chance(rng, m - whole)))
}

/// Rooms of an address, given its kind and residents.
pub(crate) fn draw_rooms(rng: &mut ChaCha8Rng, a: &Addr) -> u32 {
    let n = f64::from(a.residents.max(1));
    let rooms: f64 = match a.kind {
        AddrKind::Private => pick(
            &[
                (1.0, 0.15),
                (2.0, 0.35),
                (3.0, 0.30),
                (4.0, 0.15),
                (5.0, 0.05),
            ],
            rng,
        ),
        AddrKind::AuPairHome => f64::from(rng.gen_range(4u32..=7)),
        AddrKind::Employer => {
            // A few clean employers crowd workers too (seasonal barracks).
            if a.residents >= 3 && chance(rng, 0.04) {
                (n / 3.0).floor()
            } else {
                (n / uniform(rng, 1.0, 2.0)).ceil()
            }
        }
        AddrKind::Exploiter => {
            if a.crowded {
                (n / uniform(rng, 2.2, 4.5)).round()
            } else {
                (n / uniform(rng, 1.2, 2.0)).ceil()
            }
        }
    };
    rooms.max(1.0) as u32
}

/// The monthly pay a permit states, by scheme and year (DKK, to the nearest 100).
fn stated_pay(rng: &mut ChaCha8Rng, scheme: &str, year: i32) -> f64 {
    let pay = match scheme {
        "pay_limit" | "fast_track" => pay_limit(year) / 12.0 * uniform(rng, 1.0, 1.35),
        "supplementary_pay_limit" => supplementary_pay_limit(year) / 12.0 * uniform(rng, 1.0, 1.2),
        "positive_list_higher_ed" => uniform(rng, 40_000.0, 55_000.0),
        "positive_list_skilled" | "herdsman_farm_hand" => uniform(rng, 28_000.0, 35_000.0),
        "trainee" => uniform(rng, 20_000.0, 26_000.0),
        "au_pair" => uniform(rng, 4_850.0, 5_300.0),
        _ => uniform(rng, 26_000.0, 40_000.0),
    };
    (pay / 100.0).round() * 100.0
}
