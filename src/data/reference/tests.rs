//! The bundled reference tables: counts, lookups and code forms.

use super::*;

fn data() -> &'static ReferenceData {
    ReferenceData::bundled()
}

#[test]
fn has_the_98_municipalities_in_5_regions() {
    let d = data();
    assert_eq!(d.municipalities.len(), 98);
    assert_eq!(
        d.regions(),
        [
            "Region Hovedstaden",
            "Region Midtjylland",
            "Region Nordjylland",
            "Region Sjælland",
            "Region Syddanmark",
        ]
    );
    assert_eq!(d.region_of(101), Some("Region Hovedstaden"));
    assert_eq!(d.region_of(851), Some("Region Nordjylland"));
    assert_eq!(d.region_of(9999), None);
    let codes: BTreeSet<u16> = d.municipalities.iter().map(|m| m.code).collect();
    assert_eq!(codes.len(), 98, "municipality codes are unique");
    let region_codes: BTreeSet<u16> = d.municipalities.iter().map(|m| m.region_code).collect();
    assert_eq!(region_codes, (1081..=1085).collect::<BTreeSet<u16>>());
}

#[test]
fn municipalities_lie_in_denmark_and_have_people() {
    for m in &data().municipalities {
        assert!((54.4..=57.9).contains(&m.lat), "{} lat {}", m.name, m.lat);
        assert!((7.9..=15.3).contains(&m.lon), "{} lon {}", m.name, m.lon);
        assert!(m.population > 0, "{} has no population", m.name);
    }
}

#[test]
fn finds_municipalities_by_name() {
    let d = data();
    let code_of = |name: &str| d.municipality_by_name(name).map(|m| m.code);
    assert_eq!(code_of("København"), Some(101));
    assert_eq!(code_of("Københavns Kommune"), Some(101));
    assert_eq!(code_of("  KØBENHAVNS kommune "), Some(101));
    assert_eq!(code_of("Høje Taastrup"), Some(169));
    assert_eq!(code_of("Høje-Taastrup Kommune"), Some(169));
    assert_eq!(code_of("Århus"), Some(751));
    assert_eq!(code_of("Aarhus Kommune"), Some(751));
    assert_eq!(code_of("Bornholms Regionskommune"), Some(400));
    assert_eq!(code_of("Horsens"), Some(615));
    assert_eq!(code_of("Atlantis"), None);
    for m in &data().municipalities {
        assert_eq!(code_of(m.name.as_str()), Some(m.code), "{}", m.name);
    }
    assert_eq!(
        d.municipality(101).map(|m| m.name.as_str()),
        Some("København")
    );
}

#[test]
fn postcodes_keep_leading_zeros_and_point_to_municipalities() {
    let d = data();
    assert_eq!(d.postcodes.len(), 1117);
    let p = d.postcode("0800").expect("postcode 0800 is bundled");
    assert_eq!(p.postcode, "0800");
    assert_eq!(p.town, "Høje Taastrup");
    assert!(d.municipality(p.municipality_code).is_some());
    assert_eq!(d.postcode("800").map(|p| p.postcode.as_str()), Some("0800"));
    assert_eq!(
        d.postcode("DK-8000").map(|p| p.town.as_str()),
        Some("Aarhus C")
    );
    assert_eq!(
        d.postcode("0900").map(|p| p.town.as_str()),
        Some("København C")
    );
    assert!(d.postcode("12345").is_none());
    assert!(d.postcode("").is_none());
    for p in &d.postcodes {
        assert!(
            d.municipality(p.municipality_code).is_some(),
            "postcode {} points to unknown municipality {}",
            p.postcode,
            p.municipality_code
        );
        assert!(
            (54.4..=57.9).contains(&p.lat),
            "postcode {} lat",
            p.postcode
        );
        assert!((7.9..=15.3).contains(&p.lon), "postcode {} lon", p.postcode);
    }
    let copenhagen = d.postcodes_in(101);
    assert!(!copenhagen.is_empty());
    assert!(copenhagen.iter().all(|p| p.municipality_code == 101));
    assert!(d.postcodes_in(9999).is_empty());
}

#[test]
fn sector_titles_give_their_codes() {
    let r = ReferenceData::bundled();
    // A class title, in any case.
    assert_eq!(
        r.sector_by_name("tømrer- og BYGNINGSSNEDKERVIRKSOMHED"),
        SectorMatch::Found("43.32".into())
    );
    // A subclass title gives the subclass.
    assert_eq!(
        r.sector_by_name("Karosseriværksteder og autolakererier"),
        SectorMatch::Found("45.20.20".into())
    );
    // A title cut off at 50 characters, as the smiley register writes it.
    assert_eq!(
        r.sector_by_name("Fremstilling af øvrige maskiner til specielle form"),
        SectorMatch::Found("28.99".into())
    );
    assert_eq!(r.sector_by_name("Rumfart på Mars"), SectorMatch::Unknown);
    assert_eq!(r.sector_by_name(" "), SectorMatch::Unknown);
    match r.sector_by_name("Fremstilling af") {
        SectorMatch::Ambiguous(codes) => assert!(codes.len() > 10, "{codes:?}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn sector_codes_normalise() {
    assert_eq!(normalize_sector_code("41.20").as_deref(), Some("41.20"));
    assert_eq!(normalize_sector_code("4120").as_deref(), Some("41.20"));
    assert_eq!(normalize_sector_code("41.20.00").as_deref(), Some("41.20"));
    assert_eq!(normalize_sector_code("412000").as_deref(), Some("41.20"));
    assert_eq!(
        normalize_sector_code(" 41 20 00 ").as_deref(),
        Some("41.20")
    );
    assert_eq!(normalize_sector_code("11100").as_deref(), Some("01.11"));
    assert_eq!(normalize_sector_code("1.11").as_deref(), Some("01.11"));
    assert_eq!(normalize_sector_code("41,20").as_deref(), Some("41.20"));
    assert_eq!(normalize_sector_code("41").as_deref(), Some("41"));
    assert_eq!(normalize_sector_code("41.9").as_deref(), Some("41.9"));
    assert_eq!(normalize_sector_code("412").as_deref(), Some("41.2"));
    assert_eq!(normalize_sector_code(""), None);
    assert_eq!(normalize_sector_code("F"), None);
    assert_eq!(normalize_sector_code("41.20.000"), None);
    assert_eq!(normalize_sector_code("41..20"), None);
    assert_eq!(normalize_sector_code("4120000"), None);
}

#[test]
fn sectors_and_risk_groups() {
    let d = data();
    assert_eq!(d.sectors.len(), 618);
    for form in ["412000", "41.20", "4120", "41.20.00"] {
        let s = d.sector(form).expect("41.20 is a DB07 class");
        assert_eq!(s.code, "41.20");
        assert_eq!(s.division, "41");
        assert_eq!(s.section, "F");
        assert_eq!(s.risk_group, Some(RiskGroup::Construction));
    }
    assert!(d.sector("41").is_none());
    assert!(d.sector("99.98").is_none());
    assert!(d.sector("byggeri").is_none());
    assert_eq!(d.risk_group("81.21"), Some(RiskGroup::Cleaning));
    assert_eq!(d.risk_group("812900"), Some(RiskGroup::Cleaning));
    assert_eq!(d.risk_group("81.30"), Some(RiskGroup::Agriculture));
    assert_eq!(d.risk_group("62.01"), None);
    assert_eq!(d.sector("62.01").map(|s| s.risk_group), Some(None));
    assert_eq!(d.risk_group("10.11"), None);
    assert_eq!(d.risk_group("41"), Some(RiskGroup::Construction));
    assert_eq!(d.risk_group("41.9"), Some(RiskGroup::Construction));
    assert_eq!(d.risk_group("41.99.00"), Some(RiskGroup::Construction));
    assert_eq!(d.risk_group("81.2"), Some(RiskGroup::Cleaning));
    assert_eq!(d.risk_group("81"), None);
    assert_eq!(d.risk_group("88.1"), Some(RiskGroup::DomesticWork));
    assert_eq!(d.risk_group("970000"), Some(RiskGroup::DomesticWork));
    assert_eq!(d.risk_group("56.10"), Some(RiskGroup::HotelsRestaurants));
    assert_eq!(d.risk_group("03.11"), Some(RiskGroup::Fishing));
    assert_eq!(d.risk_group("49.41"), Some(RiskGroup::Transport));
    assert_eq!(d.risk_group("nonsense"), None);
    for group in RiskGroup::ALL {
        assert!(
            d.sectors.iter().any(|s| s.risk_group == Some(group)),
            "no sector in {group}"
        );
    }
    for s in &d.sectors {
        assert_eq!(s.code.len(), 5, "{}", s.code);
        assert!(s.code.starts_with(&s.division), "{}", s.code);
        assert_eq!(
            d.sector(&s.code).map(|x| x.code.as_str()),
            Some(s.code.as_str())
        );
        assert!(!s.name.is_empty(), "{} has no title", s.code);
    }
}

#[test]
fn division_names() {
    let d = data();
    assert_eq!(d.division_name("41"), Some("Opførelse af bygninger"));
    assert_eq!(d.division_name("41.20"), Some("Opførelse af bygninger"));
    assert_eq!(d.division_name("412000"), Some("Opførelse af bygninger"));
    assert_eq!(d.division_name("04"), None);
    for s in &d.sectors {
        assert!(
            d.division_name(&s.division).is_some(),
            "division {}",
            s.division
        );
    }
}

#[test]
fn schemes_match_the_permit_enumeration() {
    let d = data();
    let ids: Vec<&str> = d.schemes.iter().map(|s| s.scheme.as_str()).collect();
    assert_eq!(ids, super::super::schema::SCHEMES);
    let pay_limit = d
        .schemes
        .iter()
        .find(|s| s.scheme == "pay_limit")
        .expect("pay_limit is bundled");
    assert_eq!(pay_limit.name_da, "beløbsordningen");
    assert_eq!(pay_limit.pay_threshold_2025_dkk, Some(514_000.0));
    assert_eq!(pay_limit.pay_threshold_2026_dkk, Some(552_000.0));
    let au_pair = d
        .schemes
        .iter()
        .find(|s| s.scheme == "au_pair")
        .expect("au_pair is bundled");
    assert_eq!(au_pair.pay_threshold_2025_dkk, None);
}

#[test]
fn the_pay_threshold_in_force_follows_the_start_date() {
    let d = data();
    let day = |y, m, dd| chrono::NaiveDate::from_ymd_opt(y, m, dd).expect("a valid date");
    let pay_limit = d.scheme("pay_limit").expect("pay_limit is bundled");
    assert!(pay_limit.has_pay_threshold());
    assert_eq!(pay_limit.pay_threshold_on(day(2024, 12, 31)), None);
    assert_eq!(pay_limit.pay_threshold_on(day(2025, 1, 1)), Some(514_000.0));
    assert_eq!(
        pay_limit.pay_threshold_on(day(2025, 12, 31)),
        Some(514_000.0)
    );
    assert_eq!(pay_limit.pay_threshold_on(day(2026, 1, 1)), Some(552_000.0));
    assert_eq!(pay_limit.pay_threshold_on(day(2030, 6, 1)), Some(552_000.0));
    let positive = d
        .scheme("positive_list_skilled")
        .expect("positive_list_skilled is bundled");
    assert!(!positive.has_pay_threshold());
    assert_eq!(positive.pay_threshold_on(day(2026, 1, 1)), None);
    assert!(d.scheme("no_such_scheme").is_none());
}

#[test]
fn risk_group_names_round_trip() {
    for group in RiskGroup::ALL {
        assert_eq!(RiskGroup::from_name(group.as_str()), Some(group));
        assert_eq!(RiskGroup::from_name(group.label()), Some(group));
        assert_eq!(group.to_string(), group.as_str());
        let json = serde_json::to_string(&group).expect("serialises");
        assert_eq!(json, format!("\"{}\"", group.as_str()));
    }
    assert_eq!(
        RiskGroup::from_name(" Hotels-Restaurants "),
        Some(RiskGroup::HotelsRestaurants)
    );
    assert_eq!(RiskGroup::from_name("mining"), None);
}
