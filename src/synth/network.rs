//! Planted networks across companies, recorded in `truth.csv`'s
//! `planted_network` column.
//!
//! After every company has been simulated (in parallel, each on its own
//! stream), one sequential pass with its own random stream links companies
//! the way exploitation networks link them, in company order:
//!
//! 1. **phoenix successions**: a young exploited company in a risk sector
//!    gets a predecessor, an older exploited company in a risk sector (one
//!    whose inspections found something, when one is drawn) that is
//!    dissolved shortly before: every role of the predecessor ends that
//!    day, its records after that day are dropped, and its owner becomes
//!    the successor's owner (tag `phoenix:C<predecessor>` on both);
//! 2. **owner networks**: groups of 2–4 exploited companies share one
//!    owner (`owner:W<owner>`), recruit through one bad recruiter, and
//!    house their workers at one crowded address (`address:A<address>`);
//! 3. **shared housing**: pairs of other exploited companies in the same
//!    municipality house their workers at one crowded address;
//! 4. **bad recruiters**: every exploited site with a permit from a "bad"
//!    recruiter (one serving several exploiters, see `World::draw_bad`) is
//!    tagged `recruiter:R<recruiter>`;
//!
//! and, untagged, as noise: ordinary successions among clean companies in
//! risk sectors, and clean serial owners holding several companies. Only
//! exploited sites carry tags.
//! Rates and reasons are in `docs/synthetic-data.md` ("Planted networks").

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::latent::CompanyOut;
use super::mix;
use super::world::{World, add_days, chance, uniform, ym};

/// Salt of the planting pass's random stream.
const NETWORK_SALT: u64 = 0x0E7E_C0DE_5EED_0007;
/// Share of young exploited risk-sector companies given a phoenix predecessor.
const P_PHOENIX: f64 = 0.6;
/// Share of young clean risk-sector companies that succeed a closed one (noise).
const P_SUCCESSION: f64 = 0.03;
/// Chance that an exploited company starts an owner network.
const P_OWNER_NETWORK: f64 = 0.2;
/// Chance that two exploited companies of a municipality share housing.
const P_SHARED_HOUSING: f64 = 0.4;
/// Chance that a clean company's owner already owns another company (noise).
const P_SERIAL_OWNER: f64 = 0.03;

/// One planted link of a site.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tag {
    /// Sites of companies sharing this owner (lending company, its local person).
    Owner { company: u32, person: u32 },
    /// A succession; the dissolved predecessor company.
    Phoenix { company: u32 },
    /// An exploited site recruiting through this bad recruiter.
    Recruiter(u32),
    /// Workers at this shared crowded address (host company, its local address).
    Address { company: u32, address: u32 },
}

/// The planted links per site index.
#[derive(Debug, Default)]
pub(crate) struct Planted {
    tags: BTreeMap<u32, Vec<Tag>>,
}

impl Planted {
    fn add(&mut self, site: u32, tag: Tag) {
        let v = self.tags.entry(site).or_default();
        if !v.contains(&tag) {
            v.push(tag);
            v.sort();
        }
    }

    /// The tags of a site, sorted.
    pub(crate) fn of(&self, site: u32) -> &[Tag] {
        self.tags.get(&site).map_or(&[], Vec::as_slice)
    }
}

/// Whether any site of the company is exploited.
pub(super) fn exploited(c: &CompanyOut) -> bool {
    c.sites.iter().any(|s| s.state.exploited())
}

/// Whether the company's first role is its own founding owner.
pub(super) fn own_owner(c: &CompanyOut) -> bool {
    c.roles
        .first()
        .is_some_and(|r| r.role == "owner" && r.lender.is_none())
}

/// The founding date (the founding owner's start).
fn founded(c: &CompanyOut) -> Option<NaiveDate> {
    c.roles.first().map(|r| r.from)
}

/// The founding owner as (lending company, local person).
pub(super) fn owner(c: &CompanyOut) -> Option<(u32, u32)> {
    c.roles
        .first()
        .map(|r| (r.lender.unwrap_or(c.index), r.person))
}

/// Gives company `c` the owner `(lender, person)`.
pub(super) fn lend_owner(c: &mut CompanyOut, (lender, person): (u32, u32)) {
    if let Some(r) = c.roles.first_mut() {
        r.person = person;
        r.lender = Some(lender);
    }
}

/// A recruiter that serves several exploiters (see `World::draw_bad`).
fn is_bad_recruiter(r: u32) -> bool {
    r.is_multiple_of(10)
}

/// Dissolves a company at `d`: every role ends by `d` (later ones go),
/// and its records dated after `d` are dropped.
fn dissolve(c: &mut CompanyOut, d: NaiveDate) {
    c.roles.retain(|r| r.from <= d);
    for r in &mut c.roles {
        r.to = Some(r.to.map_or(d, |t| t.min(d)));
    }
    let last_month = ym(d);
    for s in &mut c.sites {
        s.permits.retain(|p| p.start <= d);
        for p in &mut s.permits {
            p.end = p.end.map(|e| e.min(d));
        }
        let kept: HashSet<u32> = s.permits.iter().map(|p| p.person).collect();
        s.residences.retain(|r| kept.contains(&r.person));
        s.payroll
            .retain(|p| kept.contains(&p.person) && p.ym <= last_month);
        s.postings.retain(|p| p.start <= d);
        for p in &mut s.postings {
            p.end = p.end.map(|e| e.min(d));
        }
        s.inspections.retain(|i| i.date <= d);
        s.tips.retain(|t| t.date <= d);
    }
}

/// Plants every network into the simulated companies.
pub(crate) fn plant(world: &World, cs: &mut [CompanyOut]) -> Planted {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(world.seed, NETWORK_SALT));
    let mut planted = Planted::default();
    let mut used = vec![false; cs.len()];
    phoenix(world, cs, &mut rng, &mut used, &mut planted);
    owner_networks(world, cs, &mut rng, &mut used, &mut planted);
    housing_across(cs, &mut rng, &used, &mut planted);
    serial_owners(cs, &mut rng, &used);
    for c in cs.iter() {
        for s in c.sites.iter().filter(|s| s.state.exploited()) {
            for r in s.permits.iter().filter_map(|p| p.recruiter) {
                if is_bad_recruiter(r) {
                    planted.add(s.index, Tag::Recruiter(r));
                }
            }
        }
    }
    planted
}

/// Phoenix successions (tagged) and ordinary successions (noise).
fn phoenix(
    world: &World,
    cs: &mut [CompanyOut],
    rng: &mut ChaCha8Rng,
    used: &mut [bool],
    planted: &mut Planted,
) {
    let earliest = add_days(world.from, 180);
    let latest = add_days(world.as_of, -30);
    let risky = |c: &CompanyOut| c.group.is_risk() && !c.sites.is_empty() && own_owner(c);
    let preds_bad: Vec<usize> = (0..cs.len())
        .filter(|&i| risky(&cs[i]) && exploited(&cs[i]))
        .collect();
    let preds_clean: Vec<usize> = (0..cs.len())
        .filter(|&i| risky(&cs[i]) && !exploited(&cs[i]))
        .collect();
    for y in 0..cs.len() {
        if used[y] || !risky(&cs[y]) {
            continue;
        }
        let Some(f) = founded(&cs[y]).filter(|f| (earliest..=latest).contains(f)) else {
            continue;
        };
        let bad = exploited(&cs[y]);
        if !chance(rng, if bad { P_PHOENIX } else { P_SUCCESSION }) {
            continue;
        }
        let d = add_days(f, -rng.gen_range(1i64..=60));
        let preds = if bad { &preds_bad } else { &preds_clean };
        let mut pick: Option<usize> = None;
        for _ in 0..12 {
            let Some(&x) = preds.get(rng.gen_range(0..preds.len().max(1))) else {
                break;
            };
            let old_enough = founded(&cs[x]).is_some_and(|fx| fx <= add_days(d, -365));
            if x == y || used[x] || !old_enough {
                continue;
            }
            let noticed = cs[x]
                .sites
                .iter()
                .flat_map(|s| &s.inspections)
                .any(|i| i.date <= d && !i.findings.is_empty());
            if noticed || pick.is_none() {
                pick = Some(x);
            }
            if noticed {
                break;
            }
        }
        let Some(x) = pick else {
            continue;
        };
        dissolve(&mut cs[x], d);
        if let Some(o) = owner(&cs[x]) {
            lend_owner(&mut cs[y], o);
        }
        used[x] = true;
        used[y] = true;
        if bad {
            let tag = Tag::Phoenix {
                company: cs[x].index,
            };
            let both = cs[x].sites.iter().chain(&cs[y].sites);
            for s in both.filter(|s| s.state.exploited()) {
                planted.add(s.index, tag.clone());
            }
        }
    }
}

/// Owner networks of exploited companies, with one recruiter and housing.
fn owner_networks(
    world: &World,
    cs: &mut [CompanyOut],
    rng: &mut ChaCha8Rng,
    used: &mut [bool],
    planted: &mut Planted,
) {
    let mut pool: Vec<usize> = (0..cs.len())
        .filter(|&i| !used[i] && exploited(&cs[i]) && own_owner(&cs[i]))
        .collect();
    pool.shuffle(rng);
    let mut k = 0;
    while k + 1 < pool.len() {
        if !chance(rng, P_OWNER_NETWORK) {
            k += 1;
            continue;
        }
        let size = rng.gen_range(2..=4usize).min(pool.len() - k);
        let mut members: Vec<usize> = pool[k..k + size].to_vec();
        members.sort_unstable();
        k += size;
        let head = members[0];
        let Some(shared) = owner(&cs[head]) else {
            continue;
        };
        let recruiter = World::draw_bad(world.recruiters, rng);
        for &m in &members {
            used[m] = true;
            if m != head {
                lend_owner(&mut cs[m], shared);
            }
            for s in cs[m].sites.iter_mut().filter(|s| s.state.exploited()) {
                for p in s.permits.iter_mut().filter(|p| p.recruiter.is_some()) {
                    p.recruiter = Some(recruiter);
                }
            }
        }
        let tag = Tag::Owner {
            company: shared.0,
            person: shared.1,
        };
        for &m in &members {
            for s in cs[m].sites.iter().filter(|s| s.state.exploited()) {
                planted.add(s.index, tag.clone());
            }
        }
        share_housing(cs, rng, &members, planted);
    }
}

/// Moves the exploiter housing of `members` to the first one's address,
/// crowds it, and tags the sites housed there. False when fewer than two
/// of them house workers.
fn share_housing(
    cs: &mut [CompanyOut],
    rng: &mut ChaCha8Rng,
    members: &[usize],
    planted: &mut Planted,
) -> bool {
    let housed: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&m| cs[m].exploiter_housing.is_some())
        .collect();
    let (Some(&host), true) = (housed.first(), housed.len() >= 2) else {
        return false;
    };
    let Some(addr) = cs[host].exploiter_housing else {
        return false;
    };
    let host_id = cs[host].index;
    for &m in &housed[1..] {
        let Some(own) = cs[m].exploiter_housing else {
            continue;
        };
        for s in &mut cs[m].sites {
            for r in s.residences.iter_mut().filter(|r| r.host.is_none()) {
                if r.address == own {
                    r.host = Some(host_id);
                    r.address = addr;
                }
            }
        }
    }
    let mut residents = 0u32;
    let mut sites = Vec::new();
    for &m in &housed {
        let company = cs[m].index;
        for s in &cs[m].sites {
            let here = s
                .residences
                .iter()
                .filter(|r| r.address == addr && r.host.unwrap_or(company) == host_id)
                .count() as u32;
            if here > 0 {
                residents += here;
                sites.push(s.index);
            }
        }
    }
    let rooms = ((f64::from(residents) / uniform(rng, 2.3, 4.0)).floor() as u32).max(1);
    if let Some(slot) = cs[host].rooms.get_mut(addr as usize)
        && slot.is_some()
    {
        *slot = Some(rooms);
    }
    for s in sites {
        planted.add(
            s,
            Tag::Address {
                company: host_id,
                address: addr,
            },
        );
    }
    true
}

/// Pairs of other exploited companies in one municipality sharing housing.
fn housing_across(
    cs: &mut [CompanyOut],
    rng: &mut ChaCha8Rng,
    used: &[bool],
    planted: &mut Planted,
) {
    let mut by_muni: BTreeMap<u16, Vec<usize>> = BTreeMap::new();
    for (i, c) in cs.iter().enumerate() {
        if used[i] || !exploited(c) || c.exploiter_housing.is_none() {
            continue;
        }
        if let Some(s) = c.sites.first() {
            by_muni.entry(s.municipality).or_default().push(i);
        }
    }
    for list in by_muni.values() {
        let mut k = 0;
        while k + 1 < list.len() {
            if chance(rng, P_SHARED_HOUSING) {
                share_housing(cs, rng, &list[k..k + 2], planted);
                k += 2;
            } else {
                k += 1;
            }
        }
    }
}

/// Clean companies whose owner already owns another company (noise).
fn serial_owners(cs: &mut [CompanyOut], rng: &mut ChaCha8Rng, used: &[bool]) {
    let mut earlier: Vec<usize> = Vec::new();
    for i in 0..cs.len() {
        if used[i] || !own_owner(&cs[i]) {
            continue;
        }
        if !exploited(&cs[i]) && !earlier.is_empty() && chance(rng, P_SERIAL_OWNER) {
            let h = earlier[rng.gen_range(0..earlier.len())];
            if let Some(o) = owner(&cs[h]) {
                lend_owner(&mut cs[i], o);
            }
        } else {
            earlier.push(i);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
