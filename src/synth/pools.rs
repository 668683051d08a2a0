//! National pools of shared addresses and owners: the concentration that
//! `--address-skew` and `--owner-skew` add to a synthetic country.
//!
//! In a real register many companies' workers live at a few large
//! addresses (hostels, blocks of flats, student halls) and a few persons
//! own many companies (holding structures, franchise owners). The per-site
//! simulation cannot draw that, since every company is simulated alone, so
//! after the simulation and the planted networks ([`super::network`]) one
//! sequential pass per option, each on its own random stream, moves some
//! records into a national pool whose slots are drawn with Zipf weights
//! `1 / (k + 1)^s` (the tables are built once in `World::new`):
//!
//! - **addresses**: each worker living in a private home (not employer
//!   housing) moves, with probability `0.5 × s / (1 + s)`, to a pool slot;
//!   each slot used becomes a new address of one company (slots are spread
//!   evenly over the companies), with `⌈n / U(1, 2)⌉` rooms for its `n`
//!   residents (a large building, not a crowded one), so existing `A…` ids
//!   are kept and the worker's former private address id goes unused;
//! - **owners**: each clean company whose founding owner is its own takes,
//!   with probability `0.2 × s / (1 + s)`, the founding owner of a pool
//!   slot's company instead (slots are spread evenly over those companies,
//!   which keep their own owner), as the planted serial owners do.
//!
//! Exploited companies and the planted networks are left alone, so
//! `truth.csv` is unchanged in meaning; at skew 0 nothing is drawn.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::latent::CompanyOut;
use super::mix;
use super::network::{exploited, lend_owner, own_owner, owner};
use super::workers::AddrKind;
use super::world::{World, Zipf, chance, uniform};

/// Sites per slot of the shared-address pool (at least 10 slots).
pub(crate) const SITES_PER_SHARED_ADDRESS: u32 = 100;
/// The most workers ever registered at one shared address, so that its
/// rooms stay within the schema's 1,000 and a real hostel's size.
const MAX_RESIDENTS: u32 = 800;
/// Sites per slot of the owner pool (at least 10 slots).
pub(crate) const SITES_PER_POOL_OWNER: u32 = 200;
/// Share of private-home workers moved to shared addresses as the skew grows.
const MAX_ADDRESS_SHARE: f64 = 0.5;
/// Share of clean companies given a pool owner as the skew grows.
const MAX_OWNER_SHARE: f64 = 0.2;
/// Salt of the shared-address pass's random stream.
const ADDRESS_SALT: u64 = 0xADD7_E55E_5000_0001;
/// Salt of the owner pass's random stream.
const OWNER_SALT: u64 = 0x0A4E_7500_1000_0002;

/// The share moved to a pool at skew `s`: `max × s / (1 + s)`.
fn pool_share(max: f64, s: f64) -> f64 {
    max * s / (1.0 + s)
}

/// Slot `k` of `slots` spread evenly over `n` items (an index below `n`).
fn spread(k: usize, slots: usize, n: usize) -> usize {
    let i = (k as u64).saturating_mul(n as u64) / (slots.max(1) as u64);
    (i as usize).min(n.saturating_sub(1))
}

/// Runs the passes whose option is set (none by default).
pub(crate) fn apply(world: &World, cs: &mut [CompanyOut]) {
    if let Some(pool) = &world.address_pool {
        shared_addresses(world, pool, cs);
    }
    if let Some(pool) = &world.owner_pool {
        pool_owners(world, pool, cs);
    }
}

/// Moves some private-home workers to large shared addresses.
fn shared_addresses(world: &World, pool: &Zipf, cs: &mut [CompanyOut]) {
    if cs.is_empty() {
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(mix(world.seed, ADDRESS_SALT));
    let p = pool_share(MAX_ADDRESS_SHARE, world.address_skew);
    let slots = pool.size();
    let mut residents = vec![0u32; slots];
    // (company, site, residence, slot) of every worker moved.
    let mut moves: Vec<(usize, usize, usize, usize)> = Vec::new();
    for (ci, c) in cs.iter().enumerate() {
        for (si, s) in c.sites.iter().enumerate() {
            for (ri, r) in s.residences.iter().enumerate() {
                if r.kind == AddrKind::Private && r.host.is_none() && chance(&mut rng, p) {
                    // A full address passes the worker on to the next one
                    // (a hostel holds hundreds, not thousands).
                    let first = (pool.draw(&mut rng) as usize).min(slots - 1);
                    let Some(k) = (0..slots)
                        .map(|i| (first + i) % slots)
                        .find(|&k| residents[k] < MAX_RESIDENTS)
                    else {
                        continue;
                    };
                    residents[k] += 1;
                    moves.push((ci, si, ri, k));
                }
            }
        }
    }
    // Each slot used becomes a new address of its host company.
    let companies = cs.len();
    let mut address: Vec<Option<(u32, u32)>> = vec![None; slots];
    for (k, &n) in residents.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let host = spread(k, slots, companies);
        let rooms = if world.blank(&mut rng, 0.05) {
            None
        } else {
            Some(((f64::from(n) / uniform(&mut rng, 1.0, 2.0)).ceil() as u32).max(1))
        };
        let c = &mut cs[host];
        address[k] = Some((host as u32, c.rooms.len() as u32));
        c.rooms.push(rooms);
    }
    for (ci, si, ri, k) in moves {
        let Some((host, local)) = address[k] else {
            continue;
        };
        if let Some(r) = cs[ci]
            .sites
            .get_mut(si)
            .and_then(|s| s.residences.get_mut(ri))
        {
            r.host = Some(host);
            r.address = local;
        }
    }
}

/// Gives some clean companies the owner of a pool company.
fn pool_owners(world: &World, pool: &Zipf, cs: &mut [CompanyOut]) {
    let eligible: Vec<usize> = (0..cs.len())
        .filter(|&i| !exploited(&cs[i]) && own_owner(&cs[i]))
        .collect();
    if eligible.is_empty() {
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(mix(world.seed, OWNER_SALT));
    let p = pool_share(MAX_OWNER_SHARE, world.owner_skew);
    let slots = pool.size();
    let hosts: Vec<usize> = (0..slots)
        .map(|k| eligible[spread(k, slots, eligible.len())])
        .collect();
    let mut is_host = vec![false; cs.len()];
    for &h in &hosts {
        is_host[h] = true;
    }
    // Read before any change: a pool owner is a host's own founding owner.
    let owners: Vec<Option<(u32, u32)>> = hosts.iter().map(|&h| owner(&cs[h])).collect();
    for &i in &eligible {
        if is_host[i] || !chance(&mut rng, p) {
            continue;
        }
        let k = (pool.draw(&mut rng) as usize).min(slots - 1);
        if let Some(o) = owners[k] {
            lend_owner(&mut cs[i], o);
        }
    }
}
