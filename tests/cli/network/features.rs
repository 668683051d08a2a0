//! The four network features and their catalogue entries: fired where
//! planted, clear elsewhere, unknown without the tables they need.

use std::collections::BTreeMap;

use polars::prelude::*;
use tilsyn::pipeline::Scored;

use super::{FEATURES, as_of, date, fixture_without, load, scored};
use crate::harness::fixture;

/// A feature per site id.
fn feature(f: &DataFrame, name: &str) -> BTreeMap<String, Option<i64>> {
    let ids = f.column("site_id").unwrap().str().unwrap();
    let v = f.column(name).unwrap().cast(&DataType::Int64).unwrap();
    ids.iter()
        .zip(v.i64().unwrap().iter())
        .map(|(s, x)| (s.unwrap().to_string(), x))
        .collect()
}

fn expect(ones: &[&str]) -> BTreeMap<String, Option<i64>> {
    (1..=9)
        .map(|i| format!("S{i}"))
        .map(|s| (s.clone(), Some(i64::from(ones.contains(&s.as_str())))))
        .collect()
}

#[test]
fn network_features_fire_where_planted_and_are_unknown_without_their_tables() {
    let f = tilsyn::features::for_sites(&load(&fixture("network")), as_of()).unwrap();
    assert_eq!(
        feature(&f, FEATURES[0]),
        expect(&["S1", "S2", "S5"]),
        "{}",
        FEATURES[0]
    );
    assert_eq!(feature(&f, FEATURES[1]), expect(&["S5"]), "{}", FEATURES[1]);
    assert_eq!(feature(&f, FEATURES[2]), expect(&["S1"]), "{}", FEATURES[2]);
    assert_eq!(
        feature(&f, FEATURES[3]),
        expect(&["S5", "S8"]),
        "{}",
        FEATURES[3]
    );

    // Point in time: before C4 existed and before S5's and S8's workers came.
    let early = tilsyn::features::for_sites(&load(&fixture("network")), date(2025, 1, 10)).unwrap();
    for name in [FEATURES[1], FEATURES[3]] {
        assert_eq!(
            feature(&early, name),
            expect(&[]),
            "{name} as of 2025-01-10"
        );
    }

    // Without roles the owner features are unknown; the others still count.
    let no_roles = fixture_without(&["roles.csv"]);
    let f = tilsyn::features::for_sites(&load(no_roles.path()), as_of()).unwrap();
    for name in [FEATURES[0], FEATURES[1]] {
        assert!(
            feature(&f, name).values().all(Option::is_none),
            "{name} without roles"
        );
    }
    assert_eq!(feature(&f, FEATURES[2]), expect(&["S1"]));
    assert_eq!(feature(&f, FEATURES[3]), expect(&["S5", "S8"]));
    // Without residences, the housing feature is unknown.
    let no_res = fixture_without(&["residences.csv"]);
    let f = tilsyn::features::for_sites(&load(no_res.path()), as_of()).unwrap();
    assert!(feature(&f, FEATURES[3]).values().all(Option::is_none));
    assert_eq!(feature(&f, FEATURES[1]), expect(&["S5"]));

    // The row of a site in the assessed frame.
    let row_of = |s: &Scored, site: &str| -> usize {
        let ids = s
            .assessment
            .frame
            .column("site_id")
            .unwrap()
            .str()
            .unwrap()
            .clone();
        ids.iter().position(|x| x == Some(site)).unwrap()
    };
    // Permit holders of a site with a known address.
    let housed = |s: &Scored, site: &str| -> i64 {
        s.assessment
            .frame
            .column("housed_workers")
            .unwrap()
            .i64()
            .unwrap()
            .get(row_of(s, site))
            .unwrap_or(0)
    };
    // The catalogue entries: fired, clear or unknown per site.
    let status = |s: &Scored, site: &str, id: &str| -> &'static str {
        let row = row_of(s, site);
        let i = s
            .catalogue
            .catalogue
            .indicators
            .iter()
            .position(|d| d.id == id)
            .unwrap();
        let a = &s.assessment.sites[row];
        if a.fired.iter().any(|(j, _)| *j == i) {
            "fired"
        } else if a.unknown.contains(&i) {
            "unknown"
        } else {
            "clear"
        }
    };
    let full = scored(&fixture("network"));
    for (id, on) in [
        (FEATURES[0], vec!["S1", "S2", "S5"]),
        (FEATURES[1], vec!["S5"]),
        (FEATURES[2], vec!["S1"]),
        (FEATURES[3], vec!["S5", "S8"]),
    ] {
        for i in 1..=9 {
            let site = format!("S{i}");
            let want = if on.contains(&site.as_str()) {
                "fired"
            } else if id == FEATURES[3] && housed(&full, &site) == 0 {
                // Shared housing is looked at only where the site has
                // permit holders with a known address.
                "unknown"
            } else {
                "clear"
            };
            assert_eq!(status(&full, &site, id), want, "{id} at {site}");
        }
    }
    let partial = scored(no_roles.path());
    for i in 1..=9 {
        let site = format!("S{i}");
        assert_eq!(
            status(&partial, &site, FEATURES[0]),
            "unknown",
            "{site} without roles"
        );
        assert_eq!(
            status(&partial, &site, FEATURES[1]),
            "unknown",
            "{site} without roles"
        );
    }
    assert_eq!(status(&partial, "S5", FEATURES[3]), "fired");
    assert_eq!(status(&partial, "S1", FEATURES[2]), "fired");
}
