//! Network analysis on `tests/fixtures/network` (see its README): the
//! entity graph (nodes, edges and their evidence, point in time), groups
//! and neighbourhoods, the four network features where they are planted
//! and nowhere else and unknown without the tables they need, GraphML that
//! parses and round-trips, the CSV exports and `tilsyn network`, the TUI
//! network view; and on generated data, the recall of the planted network
//! sites with and without the network features.

mod exports;
mod features;
mod graph;
mod recall;
mod tui;

use std::path::Path;

use chrono::NaiveDate;
use tilsyn::data::{Dataset, LoadOptions, load_folder};
use tilsyn::indicators::Catalogue;
use tilsyn::network::{Edge, Graph, NodeKind};
use tilsyn::pipeline::{self, Scored, compile};

use super::harness::{AS_OF, copy_files, fixture, tempdir};

pub const FEATURES: [&str; 4] = [
    "network_linked_severe",
    "network_phoenix",
    "network_recruiter_findings",
    "network_shared_overcrowded",
];
pub const TABLES: [&str; 7] = [
    "sites.csv",
    "roles.csv",
    "permits.csv",
    "residences.csv",
    "postings.csv",
    "inspections.csv",
    "findings.csv",
];

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn as_of() -> NaiveDate {
    NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap()
}

pub fn load(dir: &Path) -> Dataset {
    let ds = load_folder(
        dir,
        &LoadOptions {
            as_of: Some(as_of()),
            pseudonym_key: Some(super::harness::test_key()),
            ..LoadOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        ds.report.total_rejected(),
        0,
        "{}: the fixture loads without rejects",
        dir.display()
    );
    ds
}

pub fn scored(dir: &Path) -> Scored {
    let compiled = compile(Catalogue::bundled().unwrap()).unwrap();
    pipeline::load_and_assess(
        dir,
        crate::harness::keyed_options(),
        compiled,
        Some(as_of()),
    )
    .unwrap()
}

/// The fixture without some of its files.
pub fn fixture_without(drop: &[&str]) -> tempfile::TempDir {
    let dir = tempdir();
    let keep: Vec<&str> = TABLES
        .iter()
        .copied()
        .filter(|t| !drop.contains(t))
        .collect();
    copy_files(&fixture("network"), &keep, dir.path());
    dir
}

pub fn node(g: &Graph, kind: NodeKind, id: &str) -> usize {
    g.find(kind, id)
        .unwrap_or_else(|| panic!("no {kind} {id} in the graph"))
}

/// The index of the edge between two nodes (either direction).
pub fn edge_index(g: &Graph, a: (NodeKind, &str), b: (NodeKind, &str)) -> usize {
    let (x, y) = (node(g, a.0, a.1), node(g, b.0, b.1));
    g.edges
        .iter()
        .position(|e| (e.from == x && e.to == y) || (e.from == y && e.to == x))
        .unwrap_or_else(|| panic!("no edge between {a:?} and {b:?}"))
}

/// The edge between two nodes (either direction).
pub fn edge<'a>(g: &'a Graph, a: (NodeKind, &str), b: (NodeKind, &str)) -> &'a Edge {
    &g.edges[edge_index(g, a, b)]
}

/// The evidence sentence of the edge between two nodes.
pub fn evidence(g: &Graph, a: (NodeKind, &str), b: (NodeKind, &str)) -> String {
    g.evidence(edge_index(g, a, b)).into_owned()
}
