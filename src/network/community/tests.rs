//! Communities on hand-made graphs.

use super::*;
use crate::indicators::Tier;
use crate::network::{HUB_DEGREE, Node, SiteRisk};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Nodes and edges of a hand-made graph.
#[derive(Default)]
struct Build {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

impl Build {
    fn node(&mut self, kind: NodeKind, id: &str) -> usize {
        if let Some(i) = self.nodes.iter().position(|n| n.kind == kind && n.id == id) {
            return i;
        }
        self.nodes.push(Node {
            kind,
            id: id.into(),
            label: id.into(),
        });
        self.nodes.len() - 1
    }

    fn edge(
        &mut self,
        from: usize,
        to: usize,
        relation: Relation,
        count: u64,
        last: Option<NaiveDate>,
    ) {
        self.edges.push(Edge {
            from,
            to,
            relation,
            first: last,
            last,
            count,
            extra: None,
            evidence: Some(format!("{} {from} {to}", relation.name())),
        });
    }

    fn site_of(&mut self, site: &str, company: &str) {
        let s = self.node(NodeKind::Site, site);
        let c = self.node(NodeKind::Company, company);
        self.edge(s, c, Relation::SiteOf, 1, None);
    }

    fn role(&mut self, company: &str, person: &str, relation: Relation) {
        let c = self.node(NodeKind::Company, company);
        let p = self.node(NodeKind::Person, person);
        self.edge(c, p, relation, 1, None);
    }

    fn share(&mut self, kind: NodeKind, id: &str, site: &str, count: u64, last: Option<NaiveDate>) {
        let relation = match kind {
            NodeKind::Recruiter => Relation::RecruitedBy,
            NodeKind::Provider => Relation::PostedBy,
            _ => Relation::HousedAt,
        };
        let s = self.node(NodeKind::Site, site);
        let e = self.node(kind, id);
        self.edge(s, e, relation, count, last);
    }

    fn graph(self) -> Graph {
        Graph::from_parts(self.nodes, self.edges)
    }
}

/// Two companies of five sites each, joined by one address with one
/// permit holder of each, and a lone site.
fn two_cliques(b: &mut Build) {
    for i in 1..=5 {
        b.site_of(&format!("A{i}"), "CA");
        b.site_of(&format!("B{i}"), "CB");
    }
    b.share(NodeKind::Address, "X", "A1", 1, None);
    b.share(NodeKind::Address, "X", "B1", 1, None);
    b.site_of("Z1", "CZ");
}

/// Sites `prefix000`.. in a chain (or a ring), each two neighbours
/// sharing an address with one permit holder each.
fn chain(b: &mut Build, prefix: &str, n: usize, ring: bool) {
    let links = if ring { n } else { n - 1 };
    for i in 0..links {
        let address = format!("{prefix}addr{i:03}");
        b.share(
            NodeKind::Address,
            &address,
            &format!("{prefix}{i:03}"),
            1,
            None,
        );
        b.share(
            NodeKind::Address,
            &address,
            &format!("{prefix}{:03}", (i + 1) % n),
            1,
            None,
        );
    }
}

/// Four sites of four companies with one owner, one recruiter and one
/// address.
fn tight_group(b: &mut Build) {
    for i in 1..=4 {
        let (site, company) = (format!("G{i}"), format!("GC{i}"));
        b.site_of(&site, &company);
        b.role(&company, "P9", Relation::Owner);
        b.share(NodeKind::Recruiter, "R12", &site, 3, None);
        b.share(NodeKind::Address, "A7", &site, 2, None);
    }
}

fn mixed() -> Graph {
    let mut b = Build::default();
    two_cliques(&mut b);
    tight_group(&mut b);
    chain(&mut b, "W", 200, true);
    chain(&mut b, "C", 30, false);
    b.graph()
}

fn site(g: &Graph, id: &str) -> usize {
    g.find(NodeKind::Site, id).unwrap()
}

fn ids(g: &Graph, c: &Community) -> Vec<String> {
    c.sites.iter().map(|&s| g.nodes[s].id.clone()).collect()
}

fn risk(entries: &[(String, f64, i64)]) -> Risk {
    let mut r = Risk::default();
    for (i, (id, priority, findings)) in entries.iter().enumerate() {
        r.sites.insert(
            id.clone(),
            SiteRisk {
                rank: i + 1,
                priority: *priority,
                tier: Tier::NoIndication,
                inspections: 1,
                findings: *findings,
                severe_outcomes: 0,
            },
        );
    }
    r
}

/// Whether a community's own links connect all its sites.
fn connected(c: &Community) -> bool {
    let mut seen = vec![c.sites[0]];
    let mut stack = vec![c.sites[0]];
    while let Some(u) = stack.pop() {
        for l in &c.links {
            let v = if l.a == u {
                l.b
            } else if l.b == u {
                l.a
            } else {
                continue;
            };
            if !seen.contains(&v) {
                seen.push(v);
                stack.push(v);
            }
        }
    }
    seen.len() == c.sites.len()
}

#[test]
fn two_dense_groups_joined_by_one_weak_tie_stay_apart() {
    let mut b = Build::default();
    two_cliques(&mut b);
    let g = b.graph();
    let p = project(&g, HUB_DEGREE);
    // Five sites of one company: 3 / 4 per pair.
    assert_eq!(p.weight(site(&g, "A1"), site(&g, "A2")), Some(0.75));
    // One address, one permit holder each: 1 · log2(2) / 2.
    assert_eq!(p.weight(site(&g, "A1"), site(&g, "B1")), Some(0.5));
    assert_eq!(p.links.len(), 10 + 10 + 1);

    let cs = communities(&g, &CommunityParams::default());
    let names: Vec<Vec<String>> = cs.iter().map(|c| ids(&g, c)).collect();
    assert_eq!(
        names,
        [
            ["A1", "A2", "A3", "A4", "A5"],
            ["B1", "B2", "B3", "B4", "B5"]
        ]
    );
    assert_eq!(cs[0].id, 1);
    assert_eq!(cs[1].id, 2);
    assert!(
        cs.iter()
            .all(|c| c.links.iter().all(|l| l.relations == [Relation::SiteOf]))
    );
    assert_eq!(cs[0].companies, [g.find(NodeKind::Company, "CA").unwrap()]);
    assert_eq!(community_of_site(&cs, site(&g, "A3")), Some(1));
    assert_eq!(community_of_site(&cs, site(&g, "B1")), Some(2));
    assert_eq!(community_of_site(&cs, site(&g, "Z1")), None);
}

#[test]
fn a_hub_recruiter_links_nothing() {
    let mut b = Build::default();
    for i in 0..60 {
        b.share(NodeKind::Recruiter, "R1", &format!("S{i:02}"), 1, None);
    }
    let g = b.graph();
    assert!(project(&g, HUB_DEGREE).links.is_empty());
    assert!(communities(&g, &CommunityParams::default()).is_empty());
    // Not a hub at 100: 60 sites are more than a clique may hold, so
    // they are linked as a ring of 60 pairs at half weight.
    let p = project(&g, 100);
    assert_eq!(p.links.len(), 60);
    assert!(
        p.links
            .iter()
            .all(|l| l.weight == 0.5 && l.relations == [Relation::RecruitedBy])
    );
}

#[test]
fn an_owner_links_sites_of_different_companies_only() {
    let mut b = Build::default();
    b.site_of("S1", "C1");
    b.site_of("S2", "C1");
    b.site_of("S3", "C2");
    b.role("C1", "P1", Relation::Owner);
    b.role("C2", "P1", Relation::Director);
    b.role("C2", "P2", Relation::Contact);
    let g = b.graph();
    let (s1, s2, s3) = (site(&g, "S1"), site(&g, "S2"), site(&g, "S3"));
    let p = project(&g, HUB_DEGREE);
    assert_eq!(p.links.len(), 3);
    let l12 = p.link(s1, s2).unwrap();
    assert_eq!(l12.weight, 3.0);
    assert_eq!(l12.relations, [Relation::SiteOf]);
    let l13 = p.link(s3, s1).unwrap();
    // One person over three sites: 2 / 2 per pair.
    assert_eq!(l13.weight, 1.0);
    assert_eq!(l13.relations, [Relation::Owner, Relation::Director]);

    let cs = communities(&g, &CommunityParams::default());
    assert_eq!(cs.len(), 1);
    assert_eq!(cs[0].companies.len(), 2);
    let link = cs[0].links.iter().find(|l| (l.a, l.b) == (s1, s3)).unwrap();
    assert_eq!(
        link.evidence(&g),
        "share owner and director person:P1 (of company:C1 and company:C2)"
    );
    assert!(!link.weak);
}

#[test]
fn old_links_weigh_half() {
    let mut b = Build::default();
    b.share(NodeKind::Recruiter, "R1", "S1", 2, Some(day(2015, 1, 1)));
    b.share(NodeKind::Recruiter, "R1", "S2", 1, Some(day(2015, 6, 1)));
    b.share(NodeKind::Recruiter, "R2", "S3", 3, Some(day(2025, 1, 1)));
    b.share(NodeKind::Recruiter, "R2", "S4", 5, Some(day(2025, 4, 1)));
    let g = b.graph();
    let p = project(&g, HUB_DEGREE);
    assert_eq!(p.weight(site(&g, "S1"), site(&g, "S2")), Some(0.5));
    assert_eq!(p.weight(site(&g, "S3"), site(&g, "S4")), Some(1.0));

    // The old pair is a single weak tie: no community; the recent one is.
    let cs = communities(&g, &CommunityParams::default());
    assert_eq!(cs.len(), 1);
    assert!(!cs[0].links[0].weak);
    assert_eq!(
        cs[0].links[0].evidence(&g),
        "share recruiter recruiter:R2 (3 and 5 permit holders, last 2025-01-01 and 2025-04-01)"
    );
}

#[test]
fn the_projection_is_the_same_whatever_the_blocks_it_is_listed_in() {
    let g = mixed();
    let whole = project(&g, HUB_DEGREE);
    assert!(whole.links.len() > 200);
    // Blocks of one node, of a few, of many: the weights are summed in the
    // same order, so they are equal to the bit.
    for block in [1, 7, 64] {
        assert_eq!(project_in_blocks(&g, HUB_DEGREE, block), whole, "{block}");
    }
}

#[test]
fn louvain_by_component_splits_inside_components_and_never_across() {
    // Two 5-cliques joined by one link (one component, two communities), a
    // pair apart, and a site with no link.
    let mut adj: Vec<Vec<(usize, f64)>> = vec![Vec::new(); 13];
    let mut link = |a: usize, b: usize| {
        adj[a].push((b, 1.0));
        adj[b].push((a, 1.0));
    };
    for base in [0, 5] {
        for i in base..base + 5 {
            for j in i + 1..base + 5 {
                link(i, j);
            }
        }
    }
    link(4, 5);
    link(10, 11);
    for seed in [0, 1, 2, 3] {
        let member = louvain_by_component(&adj, 1.0, seed);
        assert_eq!(member, louvain_by_component(&adj, 1.0, seed));
        // Numbered by first node.
        assert_eq!(
            member,
            vec![0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 3],
            "{seed}"
        );
    }
}

#[test]
fn the_same_input_and_seed_give_the_same_communities() {
    let g = mixed();
    let params = CommunityParams {
        seed: 7,
        ..CommunityParams::default()
    };
    let x = communities(&g, &params);
    let y = communities(&g, &params);
    assert!(!x.is_empty());
    assert_eq!(x, y);
    let r = risk(&[("G1".to_string(), 0.5, 1)]);
    assert_eq!(rank_communities(&g, x, &r), rank_communities(&g, y, &r));
}

#[test]
fn a_dense_risky_group_ranks_above_loose_low_priority_ones() {
    let mut b = Build::default();
    tight_group(&mut b);
    chain(&mut b, "C", 30, false);
    for i in 0..400 {
        b.node(NodeKind::Site, &format!("L{i:03}"));
    }
    let g = b.graph();
    let mut entries: Vec<(String, f64, i64)> = vec![
        ("G1".into(), 0.5, 1),
        ("G2".into(), 0.5, 2),
        ("G3".into(), 0.75, 0),
        ("G4".into(), 0.25, 0),
    ];
    for i in 0..30 {
        entries.push((format!("C{i:03}"), 0.1, 0));
    }
    for i in 0..400 {
        entries.push((format!("L{i:03}"), 0.1, 0));
    }
    let r = risk(&entries);

    let mut cs = communities(&g, &CommunityParams::default());
    // 400 low-priority sites in a chain of single weak address ties,
    // made by hand.
    let loose: Vec<usize> = (0..400).map(|i| site(&g, &format!("L{i:03}"))).collect();
    let links: Vec<CommunityLink> = loose
        .windows(2)
        .map(|w| CommunityLink {
            a: w[0],
            b: w[1],
            weight: 0.5,
            relations: vec![Relation::HousedAt],
            via: Vec::new(),
            shared: 0,
            weak: true,
        })
        .collect();
    cs.push(Community {
        id: 0,
        sites: loose,
        companies: Vec::new(),
        entities: Vec::new(),
        links,
        weight: 199.5,
    });
    let ranked = rank_communities(&g, cs, &r);
    let top = &ranked[0];
    assert_eq!(ids(&g, &top.community), ["G1", "G2", "G3", "G4"]);
    assert_eq!(top.community.id, 1);
    assert!(ranked.iter().skip(1).all(|x| x.score < top.score));
    assert!(ranked.iter().any(|x| x.community.sites.len() == 400));
    assert_eq!(
        top.why,
        [
            "4 sites linked by owner, recruiter and address ties",
            "its sites stand on average in the top 1% of the ranking; the best is ranked 1",
            "3 findings at 2 of 4 sites",
        ]
    );
    assert_eq!(top.link_types, 3);
    let numbers: Vec<usize> = ranked.iter().map(|x| x.community.id).collect();
    assert_eq!(numbers, (1..=ranked.len()).collect::<Vec<usize>>());
}

#[test]
fn every_community_is_connected_and_sites_are_in_one_at_most() {
    let g = mixed();
    for seed in 0..3 {
        let cs = communities(
            &g,
            &CommunityParams {
                seed,
                ..CommunityParams::default()
            },
        );
        let mut all: Vec<usize> = cs.iter().flat_map(|c| c.sites.clone()).collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
        for c in &cs {
            assert!(c.sites.len() >= 2);
            assert!(connected(c), "community {} is not connected", c.id);
        }
    }
}

#[test]
fn a_disconnected_community_is_split() {
    // 0–1 and 2–3 with no link between them: one label, two parts.
    let adj: [Vec<(usize, f64)>; 4] = [
        vec![(1, 1.0)],
        vec![(0, 1.0)],
        vec![(3, 1.0)],
        vec![(2, 1.0)],
    ];
    assert_eq!(
        split_connected(&adj, vec![vec![0, 1, 2, 3]]),
        [vec![0, 1], vec![2, 3]]
    );
}

#[test]
fn the_size_guard_caps_a_long_ring() {
    // A ring of 200 sites, each pair sharing an address with 3 permit
    // holders each (a full-weight tie, not a weak one).
    let mut b = Build::default();
    for i in 0..200 {
        let address = format!("Waddr{i:03}");
        b.share(NodeKind::Address, &address, &format!("W{i:03}"), 3, None);
        b.share(
            NodeKind::Address,
            &address,
            &format!("W{:03}", (i + 1) % 200),
            3,
            None,
        );
    }
    let g = b.graph();
    let params = CommunityParams {
        max_share: 0.02,
        ..CommunityParams::default()
    };
    let cs = communities(&g, &params);
    assert!(cs.len() >= 4);
    for c in &cs {
        assert!(c.sites.len() <= 50, "community of {} sites", c.sites.len());
        assert!(connected(c));
    }
}

#[test]
fn a_chain_of_weak_ties_makes_no_community() {
    // 100 sites, each sharing an address with one permit holder with the
    // next: every link is a weak tie, and weak ties never merge.
    let mut b = Build::default();
    chain(&mut b, "L", 100, false);
    let g = b.graph();
    assert!(project(&g, HUB_DEGREE).links.len() >= 99);
    assert!(communities(&g, &CommunityParams::default()).is_empty());
}
