//! Tests of the planted networks.

use std::collections::{HashMap, HashSet};

use crate::synth::{GenerateParams, generate};

/// The rows of a generated table, as header → value maps (shared by the
/// generator's tests).
pub(crate) fn read(dir: &std::path::Path, name: &str) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join(format!("{name}.csv"))).expect("open");
    let h: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            h.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn planted_networks_are_in_the_tables_and_in_the_truth() {
    let dir = tempfile::tempdir().expect("tempdir");
    generate(&GenerateParams::new().sites(6_000).seed(9), dir.path()).expect("generate");
    let truth = read(dir.path(), "truth");
    let roles = read(dir.path(), "roles");
    let sites = read(dir.path(), "sites");
    let company_of: HashMap<&str, &str> = sites
        .iter()
        .map(|s| (s["site_id"].as_str(), s["company_id"].as_str()))
        .collect();
    let mut kinds: HashMap<&str, usize> = HashMap::new();
    for t in &truth {
        let tags = &t["planted_network"];
        if tags.is_empty() {
            continue;
        }
        assert_eq!(
            t["exploited"], "true",
            "only exploited sites are planted: {t:?}"
        );
        for tag in tags.split(';') {
            let (kind, id) = tag.split_once(':').expect("kind:id");
            *kinds.entry(kind).or_default() += 1;
            let company = company_of[t["site_id"].as_str()];
            match kind {
                "owner" => assert!(roles.iter().any(|r| r["company_id"] == company
                    && r["person_id"] == id
                    && r["role"] == "owner")),
                "phoenix" => {
                    // The predecessor is dissolved: every role has ended.
                    let pred: Vec<_> = roles.iter().filter(|r| r["company_id"] == id).collect();
                    assert!(
                        !pred.is_empty() && pred.iter().all(|r| !r["to_date"].is_empty()),
                        "{id}"
                    );
                }
                "recruiter" => assert!(crate::synth::Personal::Recruiter.number(id).is_some()),
                "address" => assert!(crate::synth::Personal::Address.number(id).is_some()),
                other => panic!("unknown tag kind {other}"),
            }
        }
    }
    for k in ["owner", "phoenix", "recruiter", "address"] {
        assert!(
            kinds.get(k).copied().unwrap_or(0) > 0,
            "no {k} tag: {kinds:?}"
        );
    }
    // A planted owner holds roles in several companies.
    let mut companies_of: HashMap<&str, HashSet<&str>> = HashMap::new();
    for r in &roles {
        companies_of
            .entry(&r["person_id"])
            .or_default()
            .insert(&r["company_id"]);
    }
    let owner_tag = truth
        .iter()
        .flat_map(|t| t["planted_network"].split(';'))
        .find_map(|tag| tag.strip_prefix("owner:"))
        .expect("an owner tag");
    assert!(companies_of[owner_tag].len() >= 2);
    // A planted address houses permit holders of several companies.
    let permits = read(dir.path(), "permits");
    let site_of: HashMap<&str, &str> = permits
        .iter()
        .map(|p| (p["person_id"].as_str(), p["site_id"].as_str()))
        .collect();
    let residences = read(dir.path(), "residences");
    let address = truth
        .iter()
        .flat_map(|t| t["planted_network"].split(';'))
        .find_map(|tag| tag.strip_prefix("address:"))
        .expect("an address tag");
    let employers: HashSet<&str> = residences
        .iter()
        .filter(|r| r["address_id"] == address)
        .filter_map(|r| site_of.get(r["person_id"].as_str()))
        .map(|s| company_of[s])
        .collect();
    assert!(employers.len() >= 2, "{address}: {employers:?}");
}
