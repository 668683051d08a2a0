//! `tilsyn network`: the entities around one site or company, or the
//! communities of linked sites (riskiest first, or one in full), as a readable table, GraphML or node and edge
//! CSV, to stdout or a file. Every person, recruiter and address id printed
//! is the pseudonym already in the data.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::common::ScoreArgs;
use crate::network::{self, Graph, HUB_DEGREE, NodeInfo, NodeKind, Risk, annotate, neighbourhood};

/// Arguments of `tilsyn network`.
#[derive(Debug, clap::Args)]
#[command(group(
    clap::ArgGroup::new("start")
        .required(true)
        .multiple(false)
        .args(["site", "company", "groups", "group"])
))]
pub struct Args {
    #[command(flatten)]
    /// Data, catalogue, model and scorer (for the priorities shown).
    pub score: ScoreArgs,
    /// Show the entities around this site (P-number).
    #[arg(long, value_name = "ID")]
    pub site: Option<String>,
    /// Show the entities around this company (CVR).
    #[arg(long, value_name = "ID")]
    pub company: Option<String>,
    /// List the communities of linked sites (two or more), riskiest first.
    #[arg(long)]
    pub groups: bool,
    /// Show one community: its sites, the links that hold it together and the timeline of its companies.
    #[arg(long, value_name = "ID")]
    pub group: Option<usize>,
    /// Seed of the community detection (the same seed gives the same communities).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// Resolution of the community detection: higher gives smaller, tighter communities.
    #[arg(long, value_name = "X", default_value_t = network::CommunityParams::default().resolution)]
    pub resolution: f64,
    /// Links followed from the site or company.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub depth: usize,
    /// Communities listed (with --groups); 0 lists all.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file (table, graphml) or folder (csv: nodes.csv and edges.csv) instead of stdout.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// A person, recruiter, provider or address with more links than this is a hub: shown, not followed, never merged into a group.
    #[arg(long, value_name = "N", default_value_t = HUB_DEGREE)]
    pub hub_degree: usize,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable tree (or group table).
    Table,
    /// GraphML for Gephi, yEd and Cytoscape.
    Graphml,
    /// Node and edge CSV (i2-style).
    Csv,
}

/// A site or company id that is not in the data.
#[derive(Debug, thiserror::Error)]
#[error("{kind} '{id}' is not in the data; `tilsyn rank` lists the site and company ids")]
pub struct UnknownEntity {
    /// Site or company.
    pub kind: NodeKind,
    /// The id asked for.
    pub id: String,
}

/// Runs `tilsyn network`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut scored = args.score.score()?;
    // The graph reads a few columns of five tables: the rest (the payroll
    // above all) is dropped first, so that a national register never holds
    // features, all its tables and the graph at once.
    scored.data.keep_only_columns(network::GRAPH_COLUMNS)?;
    let want_communities = args.groups || args.group.is_some();
    let params = network::CommunityParams {
        hub_degree: args.hub_degree,
        seed: args.seed,
        resolution: args.resolution,
        ..network::CommunityParams::default()
    };
    // Each site's risk comes from the ranking, the graph from the tables:
    // neither needs the other, so they are found side by side. The ranking
    // and the tables are then dropped before the communities are found.
    let (risk, graph) = rayon::join(
        || {
            let _stage = crate::progress::stage("network: risk of each site");
            Risk::from_scored(&scored)
        },
        || {
            let _stage = crate::progress::stage("network: graph");
            network::build(&scored.data, Some(scored.as_of))
        },
    );
    drop(scored);
    let graph = graph?;
    let found = if want_communities {
        network::communities(&graph, &params)
    } else {
        Vec::new()
    };
    let (sub, info, table) = if want_communities {
        communities_view(&graph, found, &risk, &args)?
    } else {
        let (kind, id) = match (&args.site, &args.company) {
            (Some(s), _) => (NodeKind::Site, s.clone()),
            (None, Some(c)) => (NodeKind::Company, c.clone()),
            (None, None) => anyhow::bail!("give --site ID, --company ID or --groups"),
        };
        let start = graph.find(kind, &id).ok_or(UnknownEntity { kind, id })?;
        let n = neighbourhood(&graph, start, args.depth, args.hub_degree);
        let full_info = annotate(&graph, &risk);
        let mut table: Vec<u8> = Vec::new();
        if args.format == Format::Table {
            network::write_neighbourhood_table(&mut table, &graph, &n, &full_info)?;
        }
        let nodes = n.nodes();
        let sub = graph.subgraph(&nodes);
        let mut info = annotate(&sub, &risk);
        for (i, node) in sub.nodes.iter().enumerate() {
            info[i].depth = graph.find(node.kind, &node.id).and_then(|g| n.depth_of(g));
        }
        (sub, info, table)
    };
    emit(&args, &sub, &info, &table)?;
    Ok(ExitCode::SUCCESS)
}

/// A community number that is not in the list.
#[derive(Debug, thiserror::Error)]
#[error("community {id} does not exist: there are {count}; `tilsyn network --groups` lists them")]
pub struct UnknownCommunity {
    /// The number asked for.
    pub id: usize,
    /// How many there are.
    pub count: usize,
}

/// The ranked communities (or the one asked for): their table, and their
/// subgraph with the community of each node.
fn communities_view(
    graph: &Graph,
    found: Vec<network::Community>,
    risk: &Risk,
    args: &Args,
) -> anyhow::Result<(Graph, Vec<NodeInfo>, Vec<u8>)> {
    let ranked = {
        let _stage = crate::progress::stage("network: rank the communities");
        network::rank_communities(graph, found, risk)
    };
    let chosen: Vec<&network::RankedCommunity> = match args.group {
        Some(id) => {
            let one = ranked
                .iter()
                .find(|c| c.community.id == id)
                .ok_or(UnknownCommunity {
                    id,
                    count: ranked.len(),
                })?;
            vec![one]
        }
        None if args.top == 0 => ranked.iter().collect(),
        None => ranked.iter().take(args.top).collect(),
    };
    let mut table: Vec<u8> = Vec::new();
    if args.format == Format::Table {
        match chosen.as_slice() {
            [one] if args.group.is_some() => {
                network::write_community_detail(&mut table, graph, one, risk)?;
            }
            _ => network::write_communities_table(&mut table, graph, &chosen, ranked.len())?,
        }
    }
    // Every node of a community: its sites, companies and linking entities.
    let mut community_of: HashMap<String, usize> = HashMap::new();
    let mut nodes = Vec::new();
    for rc in &chosen {
        let c = &rc.community;
        for &i in c.sites.iter().chain(&c.companies).chain(&c.entities) {
            community_of.entry(graph.nodes[i].key()).or_insert(c.id);
            nodes.push(i);
        }
    }
    let sub = graph.subgraph(&nodes);
    let mut info = annotate(&sub, risk);
    for (i, node) in sub.nodes.iter().enumerate() {
        info[i].community = community_of.get(&node.key()).copied();
    }
    Ok((sub, info, table))
}

/// Writes the chosen format to stdout or `--out`.
fn emit(args: &Args, graph: &Graph, info: &[NodeInfo], table: &[u8]) -> anyhow::Result<()> {
    match (args.format, &args.out) {
        (Format::Csv, Some(dir)) => {
            std::fs::create_dir_all(dir)?;
            let nodes = dir.join("nodes.csv");
            let edges = dir.join("edges.csv");
            write_file(&nodes, |w| Ok(network::write_nodes_csv(w, graph, info)?))?;
            write_file(&edges, |w| Ok(network::write_edges_csv(w, graph)?))?;
            eprintln!(
                "wrote {} ({} entities) and {} ({} links)",
                nodes.display(),
                graph.nodes.len(),
                edges.display(),
                graph.edges.len()
            );
        }
        (format, Some(path)) => {
            write_file(path, |w| body(format, w, graph, info, table))?;
            eprintln!(
                "wrote {} ({} entities, {} links)",
                path.display(),
                graph.nodes.len(),
                graph.edges.len()
            );
        }
        (format, None) => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            body(format, &mut out, graph, info, table)?;
            out.flush()?;
        }
    }
    Ok(())
}

/// One format into a writer; CSV to one stream is nodes, a blank line, edges.
fn body(
    format: Format,
    w: &mut dyn Write,
    graph: &Graph,
    info: &[NodeInfo],
    table: &[u8],
) -> anyhow::Result<()> {
    match format {
        Format::Table => w.write_all(table)?,
        Format::Graphml => network::write_graphml(w, graph, info)?,
        Format::Csv => {
            network::write_nodes_csv(w, graph, info)?;
            writeln!(w)?;
            network::write_edges_csv(w, graph)?;
        }
    }
    Ok(())
}

fn write_file(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let file = std::fs::File::create(path)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    f(&mut w)?;
    w.flush()?;
    Ok(())
}
