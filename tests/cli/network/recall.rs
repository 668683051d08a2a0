//! On generated data: the network features raise the model's recall of
//! the planted network sites.

use std::collections::HashSet;

use tilsyn::data::{LoadOptions, load_folder};
use tilsyn::indicators::Catalogue;
use tilsyn::indicators::catalogue::BUNDLED;
use tilsyn::model::train::train;
use tilsyn::model::{LabelDefinition, ModelParams};
use tilsyn::pipeline::{self, compile};
use tilsyn::rank::{Filter, rank};
use tilsyn::synth::{GenerateParams, generate};

use crate::harness::tempdir;

/// Quality on generated data (not timed): the recall of the planted network
/// sites in the model's top 5% of all sites, scored as of the day before
/// the test period, is higher with the network features than without them.
#[test]
fn network_features_raise_the_recall_of_planted_network_sites() {
    let dir = tempdir();
    generate(
        &GenerateParams {
            sites: 8_000,
            seed: 4242,
            ..GenerateParams::default()
        },
        dir.path(),
    )
    .unwrap();
    let compiled = compile(Catalogue::bundled().unwrap()).unwrap();
    let opts = LoadOptions {
        extra_indicators: compiled.ids(),
        ..LoadOptions::default()
    };
    let ds = load_folder(dir.path(), &opts).unwrap();
    let fit = |features: Option<Vec<String>>| {
        let p = ModelParams {
            bootstrap: 20,
            features,
            ..ModelParams::default()
        }
        .check()
        .unwrap();
        train(&ds, &compiled, BUNDLED, &LabelDefinition::default(), &p).unwrap()
    };
    let with = fit(None);
    let all = tilsyn::model::matrix::candidate_features(&with.examples.frame);
    let network: Vec<&String> = all
        .iter()
        .map(|(n, _)| n)
        .filter(|n| n.contains("network_"))
        .collect();
    // The four network rule columns are model features (the counts behind
    // them duplicate the rules and are left out of the default features).
    assert!(network.len() >= 4, "the network rule columns: {network:?}");
    let without_names: Vec<String> = all
        .iter()
        .map(|(n, _)| n.clone())
        // The rules score sums every rule, network ones included: leave it out too.
        .filter(|n| {
            !n.starts_with("network_") && !n.starts_with("rule:network_") && n != "rule_score"
        })
        .collect();
    let without = fit(Some(without_names));
    let (mw, mo) = (
        with.file.metrics.clone().unwrap(),
        without.file.metrics.clone().unwrap(),
    );
    assert_eq!(mw.split_date, mo.split_date);
    assert!(
        without
            .file
            .features
            .iter()
            .all(|f| !f.name.contains("network_"))
    );

    let mut planted = HashSet::new();
    let mut exploited = HashSet::new();
    let mut rdr = csv::Reader::from_path(dir.path().join("truth.csv")).unwrap();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if !rec[4].is_empty() {
            planted.insert(rec[0].to_string());
        }
        if &rec[1] == "true" {
            exploited.insert(rec[0].to_string());
        }
    }
    assert!(
        planted.len() >= 50,
        "{} planted network sites",
        planted.len()
    );

    let as_of =
        tilsyn::data::parse::parse_date(&mw.split_date).unwrap() - chrono::Duration::days(1);
    let scored = pipeline::assess(ds.clone(), compiled.clone(), Some(as_of)).unwrap();
    let top = |file: &tilsyn::model::ModelFile| {
        let s = scored.clone().with_model(file.clone()).unwrap();
        let ranked = rank(&s, &Filter::default(), None, 0);
        let k = ((ranked.len() as f64) * 0.05).ceil() as usize;
        let ids: Vec<String> = ranked.into_iter().take(k).map(|r| r.site_id).collect();
        let recall = |set: &HashSet<String>| {
            ids.iter().filter(|i| set.contains(*i)).count() as f64 / set.len().max(1) as f64
        };
        (recall(&planted), recall(&exploited), k)
    };
    let (pw, ew, k) = top(&with.file);
    let (po, eo, _) = top(&without.file);
    eprintln!(
        "network recall check, 8000 sites as of {as_of}, top 5% = {k} sites: recall of the {} planted network sites {pw:.3} with the network features, {po:.3} without; recall of all {} exploited sites {ew:.3} with, {eo:.3} without; held-out AUC {:?} with, {:?} without",
        planted.len(),
        exploited.len(),
        mw.auc.value,
        mo.auc.value
    );
    assert!(
        pw > po,
        "adding the network features must raise the recall of planted network sites: {pw:.3} with, {po:.3} without"
    );
}

/// Communities recover the planted networks of a generated world (truth
/// read from `truth.csv`, not from tilsyn): on average over the networks of
/// two or more sites, most of a network's sites fall in one community
/// (recall) and most of that community is the network (precision); no
/// community holds more than 2% of the sites; the same seed gives the same
/// communities.
#[test]
fn communities_recover_the_planted_networks_of_a_generated_world() {
    use std::collections::{BTreeMap, BTreeSet, HashMap};
    use tilsyn::network::{self, CommunityParams, NodeKind};

    let dir = tempdir();
    generate(
        &GenerateParams {
            sites: 6_000,
            seed: 77,
            ..GenerateParams::default()
        },
        dir.path(),
    )
    .unwrap();
    let ds = load_folder(dir.path(), &LoadOptions::default()).unwrap();
    let graph = network::build(&ds, None).unwrap();
    let params = CommunityParams::default();
    let found = network::communities(&graph, &params);
    assert_eq!(
        found,
        network::communities(&graph, &params),
        "deterministic"
    );
    let mut community_of: HashMap<String, usize> = HashMap::new();
    let mut size: BTreeMap<usize, usize> = BTreeMap::new();
    for c in &found {
        for &s in &c.sites {
            assert_eq!(graph.nodes[s].kind, NodeKind::Site);
            community_of.insert(graph.nodes[s].id.clone(), c.id);
        }
        size.insert(c.id, c.sites.len());
    }
    let largest = size.values().copied().max().unwrap_or(0);
    assert!(largest * 50 <= 6_000, "largest community {largest} sites");

    let mut networks: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut truth = csv::Reader::from_path(dir.path().join("truth.csv")).unwrap();
    for r in truth.deserialize::<HashMap<String, String>>() {
        let r = r.unwrap();
        for tag in r["planted_network"].split(';').filter(|t| !t.is_empty()) {
            networks
                .entry(tag.to_string())
                .or_default()
                .insert(r["site_id"].clone());
        }
    }
    let (mut recall, mut precision, mut n) = (0.0, 0.0, 0usize);
    for members in networks.values().filter(|m| m.len() >= 2) {
        let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
        for s in members {
            if let Some(&c) = community_of.get(s) {
                *counts.entry(c).or_default() += 1;
            }
        }
        if let Some((&best, &k)) = counts
            .iter()
            .max_by_key(|(c, k)| (**k, std::cmp::Reverse(**c)))
        {
            recall += k as f64 / members.len() as f64;
            precision += k as f64 / size[&best] as f64;
        }
        n += 1;
    }
    assert!(n >= 30, "{n} planted networks");
    let (recall, precision) = (recall / n as f64, precision / n as f64);
    assert!(recall >= 0.8, "recall {recall:.3} over {n} networks");
    assert!(
        precision >= 0.5,
        "precision {precision:.3} over {n} networks"
    );
}
