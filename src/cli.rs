//! The command line: clap arguments, one module per subcommand, and the
//! exit-code contract (0 ok, 1 input rejected, 2 usage or internal error; a
//! broken pipe is not an error). Front end only: it resolves arguments into
//! core calls and prints what they return.

pub mod assess;
pub mod audit;
pub mod blind;
pub mod card;
pub mod common;
pub mod evaluate;
pub mod explain;
pub mod fairness;
pub mod generate;
pub mod import;
pub mod indicators;
pub mod mapping;
pub mod network;
pub mod plan;
pub mod progress;
pub mod rank;
pub mod screen;
pub mod shortfall;
pub mod train;
pub mod tui;
pub mod validate;
pub mod visit;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::data::DataError;

/// tilsyn: forced-labour risk screening of workplaces.
#[derive(Debug, Parser)]
#[command(name = "tilsyn", version, about, long_about = None)]
pub struct Cli {
    /// No progress display on stderr (it is shown only on a terminal anyway).
    #[arg(long, global = true)]
    pub quiet: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load a data folder and report rows read, loaded and rejected per table.
    Validate(validate::Args),
    /// Load a data folder once as `validate` does, and write its typed tables as Parquet for fast loads.
    Import(import::Args),
    /// Draft a mapping file (tilsyn.toml) for a folder of agency exports, or list the bundled presets.
    Mapping(mapping::Args),
    /// Write a synthetic data set from the documented latent model.
    Generate(generate::Args),
    /// Rank every site by priority, with its ILO tier, indicator profile and reasons.
    Rank(rank::Args),
    /// Sites with many workers where few of the 11 ILO indicators could be assessed.
    BlindSpots(blind::Args),
    /// Explain one site's rank: indicators, evidence values, source records, missing data.
    Explain(explain::Args),
    /// List the indicator catalogue, grouped by ILO indicator.
    Indicators(indicators::Args),
    /// Make a visit plan within a capacity, with a random exploration share.
    Plan(Box<plan::Args>),
    /// Train the risk model on past inspections and write the model file.
    Train(train::Args),
    /// Evaluate the model on a time split: AUC, precision@k, lift, calibration.
    Evaluate(evaluate::Args),
    /// Open the terminal UI: ranking, detail, map, insights and visit plan.
    Tui(tui::Args),
    /// Employer self-assessment against the employer guide's checklists, and subcontractor screening.
    Assess(assess::Args),
    /// Companies, people, recruiters and addresses linked to a site or company, or the riskiest groups (table, GraphML, CSV).
    Network(network::Args),
    /// Check, list and summarise the audit log: every plan shown, with its scores, reasons and decisions, hash-chained.
    Audit(audit::Args),
    /// Fairness audit of the model's top share by region, municipality, sector, size band and nationality mix, with a proxy check.
    Fairness(fairness::Args),
    /// Write the model card and algorithm-register record (Markdown).
    Card(card::Args),
    /// Pay stated on permits against pay received, per site and worker, with source rows: estimates for the tax authority, police and prosecutors.
    Shortfall(shortfall::Args),
    /// The visit checklist of a site and its form, the visit's record (inspections and findings rows), and the referral summary for CMM.
    Visit(visit::Args),
    /// Screen pending permit applications before they are granted: grant, ask for documents or refer for control, with the reasons.
    Screen(screen::Args),
}

/// An error that maps to exit code 1: the input was rejected.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputRejected(pub String);

/// Runs the binary and returns its exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::from(exit_code_of(&e))
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // The terminal UI shows its own loading screen: stderr is the screen.
    if !matches!(cli.command, Some(Command::Tui(_)) | None) {
        progress::install(cli.quiet);
    }
    match cli.command {
        Some(Command::Validate(a)) => validate::run(a),
        Some(Command::Import(a)) => import::run(a),
        Some(Command::Mapping(a)) => mapping::run(a),
        Some(Command::Generate(a)) => generate::run(a),
        Some(Command::Rank(a)) => rank::run(a),
        Some(Command::BlindSpots(a)) => blind::run(a),
        Some(Command::Explain(a)) => explain::run(a),
        Some(Command::Indicators(a)) => indicators::run(a),
        Some(Command::Plan(a)) => plan::run(*a),
        Some(Command::Train(a)) => train::run(a),
        Some(Command::Evaluate(a)) => evaluate::run(a),
        Some(Command::Tui(a)) => tui::run(a),
        Some(Command::Assess(a)) => assess::run(a),
        Some(Command::Network(a)) => network::run(a),
        Some(Command::Audit(a)) => audit::run(a),
        Some(Command::Fairness(a)) => fairness::run(a),
        Some(Command::Card(a)) => card::run(a),
        Some(Command::Shortfall(a)) => shortfall::run(a),
        Some(Command::Visit(a)) => visit::run(a),
        Some(Command::Screen(a)) => screen::run(a),
        None => tui::run(tui::Args::demo()),
    }
}

/// 1 when the input was rejected, 2 otherwise.
fn exit_code_of(e: &anyhow::Error) -> u8 {
    if e.chain()
        .any(|c| c.is::<DataError>() || c.is::<InputRejected>())
    {
        1
    } else {
        2
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
