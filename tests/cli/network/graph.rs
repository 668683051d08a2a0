//! The entity graph of the fixture: nodes, edges and evidence, point in
//! time; groups with their risk, hubs; neighbourhoods as trees.

use std::collections::BTreeSet;

use tilsyn::data::Table;
use tilsyn::network::{self, HUB_DEGREE, NodeKind, Relation, Risk};

use super::{as_of, date, edge, evidence, load, node, scored};
use crate::harness::fixture;

#[test]
fn the_graph_has_the_expected_nodes_edges_and_evidence() {
    use NodeKind::*;
    let ds = load(&fixture("network"));
    let g = network::build(&ds, Some(as_of())).unwrap();
    let counts: Vec<usize> = NodeKind::ALL.iter().map(|k| g.count(*k)).collect();
    assert_eq!(
        counts,
        vec![9, 8, 7, 1, 1, 4],
        "sites, companies, persons, recruiters, providers, addresses"
    );
    assert_eq!(g.nodes.len(), 30);
    assert_eq!(g.edges.len(), 30);
    let by_relation = |r: Relation| g.edges.iter().filter(|e| e.relation == r).count();
    assert_eq!(by_relation(Relation::SiteOf), 9);
    assert_eq!(
        by_relation(Relation::Owner)
            + by_relation(Relation::Director)
            + by_relation(Relation::Contact),
        11
    );
    assert_eq!(by_relation(Relation::RecruitedBy), 2);
    assert_eq!(by_relation(Relation::PostedBy), 2);
    assert_eq!(by_relation(Relation::HousedAt), 6);

    let e = edge(&g, (Site, "S5"), (Address, "p0000000000000000614d"));
    let ev = evidence(&g, (Site, "S5"), (Address, "p0000000000000000614d"));
    assert_eq!(
        (e.relation, e.table(), e.count),
        (Relation::HousedAt, "residences", 2)
    );
    assert_eq!(
        (e.first, e.last),
        (Some(date(2025, 4, 2)), Some(date(2025, 4, 2)))
    );
    assert_eq!(
        ev,
        "2 permit holders of site S5 and 1 of site S8 registered at address p0000000000000000614d in 2025 (1 room)"
    );
    assert_eq!(
        evidence(&g, (Site, "S8"), (Address, "p0000000000000000614d")),
        "1 permit holder of site S8 and 2 of site S5 registered at address p0000000000000000614d in 2025 (1 room)"
    );
    let e = edge(&g, (Site, "S1"), (Recruiter, "p00000000000000007258"));
    let ev = evidence(&g, (Site, "S1"), (Recruiter, "p00000000000000007258"));
    assert_eq!(
        (e.relation, e.table(), e.count),
        (Relation::RecruitedBy, "permits", 1)
    );
    assert_eq!(
        ev,
        "1 permit holder of site S1 and 1 of site S6 came through recruiter p00000000000000007258 (permits starting in 2024–2025)"
    );
    let ev = evidence(&g, (Site, "S4"), (Provider, "fQ"));
    assert_eq!(
        ev,
        "foreign service provider fQ posted 6 workers to site S4 in 1 posting from 2024-05-01 to 2024-09-30 (RUT); it also posted workers to site S5"
    );
    let e = edge(&g, (Company, "C3"), (Person, "p00000000000000007043"));
    let ev = evidence(&g, (Company, "C3"), (Person, "p00000000000000007043"));
    assert_eq!(
        (e.relation, e.first, e.last),
        (
            Relation::Owner,
            Some(date(2019, 5, 1)),
            Some(date(2025, 2, 1))
        )
    );
    assert_eq!(
        ev,
        "person p00000000000000007043 was owner of company C3 from 2019-05-01 to 2025-02-01 (roles)"
    );
    let e = edge(&g, (Company, "C1"), (Person, "p00000000000000007041"));
    let ev = evidence(&g, (Company, "C1"), (Person, "p00000000000000007041"));
    assert_eq!(
        (e.last, ev.as_str()),
        (
            None,
            "person p00000000000000007041 has been owner of company C1 since 2015-04-01 (roles)"
        )
    );
    assert_eq!(
        edge(&g, (Company, "C2"), (Person, "p00000000000000007045")).relation,
        Relation::Contact
    );
    assert_eq!(
        edge(&g, (Company, "C1"), (Person, "p00000000000000007042")).relation,
        Relation::Director
    );
    assert_eq!(
        evidence(&g, (Site, "S2"), (Company, "C1")),
        "site S2 (Vestegnens Byg ApS afd. Køge) is a workplace of company C1 (sites register)"
    );
    assert_eq!(g.nodes[node(&g, Company, "C1")].label, "Vestegnens Byg ApS");
    assert_eq!(
        g.nodes[node(&g, Person, "p00000000000000007041")].label,
        "p00000000000000007041"
    );

    // Workers are counts on edges, never nodes or names.
    for w in [
        "p00000000000000773131",
        "p00000000000000773331",
        "p00000000000000773531",
        "p00000000000000773532",
        "p00000000000000773631",
        "p00000000000000773731",
        "p00000000000000773831",
    ] {
        assert!(g.nodes.iter().all(|n| n.id != w), "{w} is a node");
        assert!(
            (0..g.edges.len()).all(|i| !g.evidence(i).contains(w)),
            "{w} in evidence"
        );
    }
    // Same data, same graph.
    let again = network::build(&ds, Some(as_of())).unwrap();
    assert_eq!((&again.nodes, &again.edges), (&g.nodes, &g.edges));
}

#[test]
fn a_subgraph_keeps_the_sentences_of_the_whole_graph() {
    use NodeKind::*;
    let ds = load(&fixture("network"));
    let g = network::build(&ds, Some(as_of())).unwrap();
    let whole = evidence(&g, (Site, "S5"), (Address, "p0000000000000000614d"));
    assert!(whole.contains("and 1 of site S8"), "{whole}");
    // S8 is left out: the sentence still names it, as the whole graph does.
    let sub = g.subgraph(&[
        node(&g, Site, "S5"),
        node(&g, Address, "p0000000000000000614d"),
    ]);
    assert_eq!(sub.edges.len(), 1);
    assert_eq!(sub.evidence(0), whole);
    assert_eq!(sub.edges[0].evidence.as_deref(), Some(whole.as_str()));
    // Every edge's sentence read one by one equals the batch that subgraphs use.
    let all: Vec<usize> = (0..g.edges.len()).collect();
    let batch = g.evidence_of(&all);
    for (i, text) in batch.iter().enumerate() {
        assert_eq!(&g.evidence(i), text);
        assert!(!text.is_empty());
    }
}

#[test]
fn the_graph_is_point_in_time() {
    use NodeKind::*;
    let ds = load(&fixture("network"));
    let g = network::build(&ds, Some(date(2024, 12, 31))).unwrap();
    // C4 was founded, and S1's, S5's and S8's workers came, after 2024-12-31.
    assert!(g.find(Address, "p0000000000000000614d").is_none());
    assert!(
        g.find(Company, "C4").is_some(),
        "C4 is in the sites register"
    );
    assert!(g.find(Person, "p00000000000000007043").is_some());
    let pc = node(&g, Person, "p00000000000000007043");
    assert_eq!(
        g.degree(pc),
        1,
        "p00000000000000007043's role at C4 starts later"
    );
    let e = edge(&g, (Company, "C3"), (Person, "p00000000000000007043"));
    let ev = evidence(&g, (Company, "C3"), (Person, "p00000000000000007043"));
    assert_eq!(
        e.last, None,
        "the role ended after the as-of date: current then"
    );
    assert_eq!(
        ev,
        "person p00000000000000007043 has been owner of company C3 since 2019-05-01 (roles)"
    );
    let ev = evidence(&g, (Site, "S6"), (Recruiter, "p00000000000000007258"));
    assert_eq!(
        ev,
        "1 permit holder of site S6 came through recruiter p00000000000000007258 (permits starting in 2024)"
    );
}

#[test]
fn groups_and_neighbourhoods() {
    use NodeKind::*;
    let s = scored(&fixture("network"));
    let g = network::build(&s.data, Some(s.as_of)).unwrap();
    let risk = Risk::from_scored(&s);
    let groups = network::groups(&g, &risk, HUB_DEGREE, 2);
    assert_eq!(groups.len(), 2, "S9 alone is not a group");
    let sites = |i: usize| {
        groups[i]
            .sites
            .iter()
            .map(String::as_str)
            .collect::<BTreeSet<&str>>()
    };
    let a = (0..2).find(|&i| sites(i).contains("S1")).unwrap();
    let b = 1 - a;
    assert_eq!(sites(a), BTreeSet::from(["S1", "S2", "S3", "S6", "S7"]));
    assert_eq!(sites(b), BTreeSet::from(["S4", "S5", "S8"]));
    let ga = &groups[a];
    assert_eq!(
        (
            ga.companies,
            ga.persons,
            ga.recruiters,
            ga.providers,
            ga.addresses
        ),
        (4, 4, 1, 0, 3)
    );
    assert_eq!((ga.findings, ga.severe_outcomes, ga.inspections), (2, 1, 2));
    let gb = &groups[b];
    assert_eq!(
        (
            gb.companies,
            gb.persons,
            gb.recruiters,
            gb.providers,
            gb.addresses
        ),
        (3, 2, 0, 1, 1)
    );
    assert_eq!((gb.findings, gb.severe_outcomes, gb.inspections), (1, 1, 1));
    assert_eq!(groups[0].rank, 1);
    assert!(groups[0].priority_sum >= groups[1].priority_sum);
    for gr in &groups {
        assert!(gr.priority_max > 0.0 && gr.priority_sum >= gr.priority_max);
        assert_eq!(gr.tiers.iter().sum::<usize>(), gr.sites.len());
    }
    // With a hub threshold of 1 every shared person, recruiter and address
    // is a hub: only C1's two sites still form a group.
    let split = network::groups(&g, &risk, 1, 2);
    assert_eq!(split.len(), 1);
    assert_eq!(split[0].sites.len(), 2);
    assert!(
        split[0]
            .hubs
            .contains(&"person:p00000000000000007041".to_string()),
        "{:?}",
        split[0].hubs
    );

    let start = node(&g, Site, "S5");
    let n = network::neighbourhood(&g, start, 2, HUB_DEGREE);
    let keys: BTreeSet<String> = n.nodes().iter().map(|i| g.nodes[*i].key()).collect();
    let want: BTreeSet<String> = [
        "site:S5",
        "company:C4",
        "provider:fQ",
        "address:p0000000000000000614d",
        "person:p00000000000000007043",
        "site:S4",
        "site:S8",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(keys, want);
    assert_eq!(n.links[0].node, start);
    assert_eq!(
        n.depth_of(node(&g, Person, "p00000000000000007043")),
        Some(2)
    );
    assert_eq!(n.depth_of(node(&g, Company, "C4")), Some(1));
    let s8 = n
        .links
        .iter()
        .find(|l| l.node == node(&g, Site, "S8"))
        .unwrap();
    assert_eq!(s8.parent, Some(node(&g, Address, "p0000000000000000614d")));
    assert!(
        g.evidence(s8.edge.unwrap())
            .contains("registered at address p0000000000000000614d")
    );
    // Tree order: every entity comes after the one it was reached from.
    for (i, l) in n.links.iter().enumerate().skip(1) {
        let p = n
            .links
            .iter()
            .position(|x| Some(x.node) == l.parent)
            .unwrap();
        assert!(p < i);
    }
    // Far enough, the neighbourhood is the whole group and nothing else.
    let all = network::neighbourhood(&g, start, 10, HUB_DEGREE);
    assert_eq!(all.links.len(), groups[b].nodes.len());
}

/// The graph needs only its own tables and columns (`network` drops the rest before
/// building it, to stay within memory at national size), and every node is
/// found by kind and id without an index.
#[test]
fn the_graph_needs_only_its_tables_and_finds_every_node() {
    let ds = load(&fixture("network"));
    let full = tilsyn::network::build(&ds, Some(as_of())).unwrap();
    let mut slim = ds.clone();
    slim.keep_only_columns(tilsyn::network::GRAPH_COLUMNS)
        .unwrap();
    assert!(
        slim.tables.len() < ds.tables.len(),
        "some table was dropped"
    );
    let width = |d: &tilsyn::data::Dataset, t| d.get(t).map_or(0, |f| f.width());
    for t in [Table::Sites, Table::Permits] {
        assert!(width(&slim, t) < width(&ds, t), "{t:?} lost columns");
    }
    let g = tilsyn::network::build(&slim, Some(as_of())).unwrap();
    assert_eq!(g.nodes, full.nodes);
    assert_eq!(g.edges, full.edges);
    for (i, n) in g.nodes.iter().enumerate() {
        assert_eq!(g.find(n.kind, &n.id), Some(i), "{} {}", n.kind, n.id);
    }
    assert_eq!(g.find(NodeKind::Site, "no such site"), None);
    let site = &g.nodes[0];
    assert_eq!(site.kind, NodeKind::Site);
    assert_eq!(g.find(NodeKind::Company, &site.id), None, "the kind counts");
}

#[test]
fn the_risk_read_from_the_assessment_is_the_risk_of_the_ranked_rows() {
    // Two fixtures: every table with shared owners, recruiters and
    // addresses, and the demo (5,000 sites, many equal priorities).
    for dir in [
        fixture("network"),
        std::path::PathBuf::from("datasets/demo"),
    ] {
        let scored = scored(&dir);
        let ranked = tilsyn::rank::rank(&scored, &tilsyn::rank::Filter::default(), None, 0);
        let direct = Risk::from_scored(&scored);
        let via_rows = Risk::from_ranked(&scored.assessment.frame, &ranked);
        assert_eq!(direct.sites.len(), ranked.len(), "{}", dir.display());
        assert_eq!(direct.sites, via_rows.sites, "{}", dir.display());
        assert_eq!(direct.companies, via_rows.companies, "{}", dir.display());
        // Ranks are 1..n, each once.
        let mut ranks: Vec<usize> = direct.sites.values().map(|s| s.rank).collect();
        ranks.sort_unstable();
        assert!(ranks.iter().enumerate().all(|(k, r)| *r == k + 1));
    }
}
