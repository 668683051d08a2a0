//! Tests of the scale and shape options: their checks and presets, and
//! what each does to a generated data set.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::*;
use crate::synth::{OUTPUT_FILES, generate};

use crate::synth::network::tests::read;

fn generated(params: &GenerateParams) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    generate(params, dir.path()).expect("generate");
    dir
}

/// Permits per recruiter id (`R…`).
fn recruited(dir: &Path) -> HashMap<String, usize> {
    let mut n: HashMap<String, usize> = HashMap::new();
    for p in read(dir, "permits") {
        if !p["recruiter_id"].is_empty() {
            *n.entry(p["recruiter_id"].clone()).or_default() += 1;
        }
    }
    n
}

/// The pool index of a recruiter id (number 1 is 0).
fn pool_index(id: &str) -> u32 {
    let n = crate::synth::Personal::Recruiter
        .number(id)
        .expect("a generated recruiter id");
    u32::try_from(n).expect("recruiter number") - 1
}

#[test]
fn the_standard_shape_is_todays_model() {
    let scale = resolve(&GenerateParams::new().sites(30_000)).expect("valid");
    assert_eq!(
        scale,
        Scale {
            workers_per_site: 1.0,
            recruiters: 200,
            recruiter_share: None,
            recruiter_skew: 0.0,
            address_skew: 0.0,
            owner_skew: 0.0,
        }
    );
    let small = resolve(&GenerateParams::new().sites(300)).expect("valid");
    assert_eq!(small.recruiters, 10);
}

#[test]
fn the_national_preset_fills_unset_options_and_explicit_ones_win() {
    let national = GenerateParams::new()
        .sites(1_000_000)
        .shape(Shape::National);
    let scale = resolve(&national).expect("valid");
    assert_eq!(scale.workers_per_site, 2.6);
    assert_eq!(scale.recruiters, 181);
    assert_eq!(scale.recruiter_share, Some(0.9));
    assert!(scale.address_skew > 0.0 && scale.owner_skew > 0.0);
    let scale = resolve(&national.recruiters(300).recruiter_share(0.5)).expect("valid");
    assert_eq!((scale.recruiters, scale.recruiter_share), (300, Some(0.5)));
    assert_eq!(Shape::National.as_str(), "national");
}

#[test]
fn out_of_range_options_are_rejected_with_their_name() {
    let base = GenerateParams::new().sites(1_000);
    for (params, name) in [
        (base.clone().workers_per_site(0.0), "workers_per_site"),
        (base.clone().workers_per_site(-1.0), "workers_per_site"),
        (base.clone().workers_per_site(f64::NAN), "workers_per_site"),
        (base.clone().workers_per_site(51.0), "workers_per_site"),
        (base.clone().recruiters(0), "recruiters"),
        (base.clone().recruiters(MAX_RECRUITERS + 1), "recruiters"),
        (base.clone().recruiter_share(1.5), "recruiter_share"),
        (base.clone().recruiter_share(-0.1), "recruiter_share"),
        (base.clone().recruiter_share(f64::NAN), "recruiter_share"),
        (base.clone().recruiter_skew(-0.5), "recruiter_skew"),
        (base.clone().recruiter_skew(f64::INFINITY), "recruiter_skew"),
        (base.clone().address_skew(11.0), "address_skew"),
        (base.clone().owner_skew(f64::NAN), "owner_skew"),
    ] {
        match params.check() {
            Err(SynthError::InvalidParam { name: got, .. }) => assert_eq!(got, name),
            other => panic!("expected InvalidParam for {name}, got {other:?}"),
        }
    }
    let err = base.recruiter_share(2.0).check().expect_err("share 2");
    assert!(err.to_string().contains("between 0 and 1"), "{err}");
}

#[test]
fn options_set_to_their_default_values_write_the_same_bytes() {
    let base = GenerateParams::new().sites(800).seed(4);
    let explicit = base
        .clone()
        .workers_per_site(1.0)
        .recruiters(10)
        .recruiter_skew(0.0)
        .address_skew(0.0)
        .owner_skew(0.0);
    let (a, b) = (generated(&base), generated(&explicit));
    for f in OUTPUT_FILES {
        let (x, y) = (
            std::fs::read(a.path().join(f)).expect(f),
            std::fs::read(b.path().join(f)).expect(f),
        );
        assert!(x == y, "{f} differs when defaults are given explicitly");
    }
}

#[test]
fn recruiter_share_one_gives_every_permit_one_of_the_pool() {
    let dir = generated(
        &GenerateParams::new()
            .sites(2_000)
            .seed(3)
            .recruiter_share(1.0)
            .recruiters(5),
    );
    let permits = read(dir.path(), "permits");
    assert!(permits.len() > 100, "{} permits", permits.len());
    let pool: HashSet<String> = (1..=5)
        .map(|i| crate::synth::Personal::Recruiter.id(i))
        .collect();
    for p in &permits {
        assert!(
            pool.contains(&p["recruiter_id"]),
            "{} at {} has recruiter {:?}",
            p["permit_id"],
            p["site_id"],
            p["recruiter_id"]
        );
    }
    let sites: HashSet<&str> = permits.iter().map(|p| p["site_id"].as_str()).collect();
    assert!(sites.len() > 50, "{} sites with permits", sites.len());
}

#[test]
fn recruiter_skew_makes_a_few_recruiters_large_and_bad_ones_still_serve_exploiters() {
    let dir = generated(
        &GenerateParams::new()
            .sites(6_000)
            .seed(9)
            .recruiter_share(1.0)
            .recruiters(50)
            .recruiter_skew(1.5),
    );
    // Ordinary recruiters only: bad ones (every tenth) also serve exploiters.
    let counts = recruited(dir.path());
    let mut ordinary: Vec<usize> = (0..50u32)
        .filter(|r| !r.is_multiple_of(10))
        .map(|r| {
            counts
                .get(&crate::synth::Personal::Recruiter.id(u64::from(r) + 1))
                .copied()
                .unwrap_or(0)
        })
        .collect();
    ordinary.sort_unstable();
    let (median, top) = (ordinary[ordinary.len() / 2], ordinary[ordinary.len() - 1]);
    assert!(
        top > 4 * median.max(1),
        "top {top}, median {median}: {ordinary:?}"
    );
    let bad_tags = read(dir.path(), "truth")
        .iter()
        .flat_map(|t| {
            t["planted_network"]
                .split(';')
                .filter_map(|tag| tag.strip_prefix("recruiter:"))
                .map(pool_index)
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>();
    assert!(
        !bad_tags.is_empty(),
        "no exploited site names a bad recruiter"
    );
    assert!(
        bad_tags.iter().all(|r| r.is_multiple_of(10)),
        "{bad_tags:?}"
    );
}

#[test]
fn workers_per_site_scales_the_permit_holders_and_their_cap() {
    let base = GenerateParams::new().sites(3_000).seed(5);
    let (a, b) = (
        generated(&base),
        generated(&base.clone().workers_per_site(2.5)),
    );
    let (pa, pb) = (read(a.path(), "permits"), read(b.path(), "permits"));
    let ratio = pb.len() as f64 / pa.len().max(1) as f64;
    assert!((2.2..=2.8).contains(&ratio), "{} vs {}", pb.len(), pa.len());
    let mut per_site: HashMap<&str, usize> = HashMap::new();
    for p in &pb {
        *per_site.entry(p["site_id"].as_str()).or_default() += 1;
    }
    assert!(per_site.values().all(|&n| n <= 100), "cap 40 x 2.5");
    let payroll = read(b.path(), "payroll").len() as f64 / pb.len() as f64;
    assert!(
        (8.0..=15.0).contains(&payroll),
        "{payroll} payroll rows per permit"
    );
}

#[test]
fn address_skew_puts_many_companies_workers_at_a_few_large_addresses() {
    let dir = generated(&GenerateParams::new().sites(6_000).seed(2).address_skew(2.0));
    let sites = read(dir.path(), "sites");
    let company_of: HashMap<&str, &str> = sites
        .iter()
        .map(|s| (s["site_id"].as_str(), s["company_id"].as_str()))
        .collect();
    let permits = read(dir.path(), "permits");
    let company_of_person: HashMap<&str, &str> = permits
        .iter()
        .map(|p| (p["person_id"].as_str(), company_of[p["site_id"].as_str()]))
        .collect();
    let residences = read(dir.path(), "residences");
    let mut at: HashMap<&str, (HashSet<&str>, usize, Option<u64>)> = HashMap::new();
    for r in &residences {
        let e = at.entry(r["address_id"].as_str()).or_default();
        e.0.insert(company_of_person[r["person_id"].as_str()]);
        e.1 += 1;
        e.2 = r["rooms"].parse().ok();
    }
    let (top, (employers, residents, rooms)) = at
        .iter()
        .max_by_key(|(id, v)| (v.1, **id))
        .expect("an address");
    assert!(employers.len() >= 5, "{top}: {employers:?}");
    // A large building, not a crowded one: at most 2 persons per room.
    if let Some(rooms) = rooms {
        assert!(
            2 * rooms >= *residents as u64,
            "{top}: {residents} in {rooms}"
        );
    }
}

#[test]
fn owner_skew_makes_a_few_persons_own_many_companies() {
    let owned = |params: &GenerateParams| {
        let dir = generated(params);
        let mut companies: HashMap<String, HashSet<String>> = HashMap::new();
        for r in read(dir.path(), "roles") {
            if r["role"] == "owner" {
                companies
                    .entry(r["person_id"].clone())
                    .or_default()
                    .insert(r["company_id"].clone());
            }
        }
        companies.values().map(HashSet::len).max().unwrap_or(0)
    };
    let base = GenerateParams::new().sites(6_000).seed(2);
    let (flat, skewed) = (owned(&base), owned(&base.clone().owner_skew(2.0)));
    assert!(flat <= 8, "{flat} companies for one owner by default");
    assert!(skewed >= 20, "{skewed} companies for the largest owner");
}

#[test]
fn a_shared_address_never_outgrows_a_hostel_or_the_schema() {
    // Nearly every moved worker draws the first address; it fills at 800
    // and passes the rest on, so no address needs more than 1,000 rooms.
    let dir = generated(
        &GenerateParams::new()
            .sites(3_000)
            .seed(4)
            .workers_per_site(20.0)
            .address_skew(10.0),
    );
    let mut at: HashMap<String, (usize, Option<u64>)> = HashMap::new();
    for r in &read(dir.path(), "residences") {
        let e = at.entry(r["address_id"].clone()).or_default();
        e.0 += 1;
        e.1 = r["rooms"].parse().ok();
    }
    let (residents, rooms) = at
        .values()
        .max_by_key(|v| v.0)
        .copied()
        .expect("an address");
    assert!(
        residents >= 700,
        "the largest address has {residents} residents"
    );
    assert!(
        residents <= 800,
        "the largest address has {residents} residents"
    );
    assert!(rooms.is_none_or(|r| r <= 1_000), "{rooms:?} rooms");
}
