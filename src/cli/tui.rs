//! `tilsyn tui` (and `tilsyn` with no arguments): the terminal UI on a data
//! folder, the bundled demo data by default. Loading and scoring run in the
//! background; notices that other commands print on stderr (rejected rows,
//! no model) go to the UI's message line instead, because stderr is the
//! screen.

use std::path::PathBuf;
use std::process::ExitCode;

use super::audit::AuditArgs;
use super::common::{DataArgs, ScoreArgs, Scorer, default_model};
use crate::tui::{Loaded, TuiOptions};

/// Arguments of `tilsyn tui`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Data folder, catalogue, model and scorer.
    #[command(flatten)]
    /// Data, catalogue, model and scorer.
    pub score: ScoreArgs,
    /// Visits in the plan: marking stops at this many sites.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = parse_capacity)]
    pub capacity: usize,
    /// Folder the plan is exported to (`e`); default the current directory.
    #[arg(long, value_name = "DIR")]
    pub export_dir: Option<PathBuf>,
    #[command(flatten)]
    /// Audit log and user: every export is logged with its decisions.
    pub audit: AuditArgs,
}

/// Parses `--capacity`: a whole number of at least 1.
fn parse_capacity(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "'{s}' is not a number of visits; use a whole number of at least 1, e.g. --capacity 20"
        )),
    }
}

impl Args {
    /// The arguments of `tilsyn` with none given: the demo data, the bundled model.
    pub fn demo() -> Args {
        Args {
            score: ScoreArgs {
                data: DataArgs {
                    data: None,
                    mapping: None,
                    preset: None,
                    as_of: None,
                    rejects: None,
                },
                catalogue: None,
                model: None,
                scorer: Scorer::Model,
                expire_days: None,
            },
            capacity: 20,
            export_dir: None,
            audit: AuditArgs::default(),
        }
    }
}

/// Loads and scores like `ScoreArgs::score`, reporting progress and
/// collecting notices instead of printing them.
fn load(args: &ScoreArgs, progress: &dyn Fn(&str)) -> anyhow::Result<Loaded> {
    progress("compiling the indicator catalogue");
    let compiled = args.catalogue()?;
    let mut opts = args.data.load_options()?;
    opts.as_of = None;
    let dir = args.data.dir();
    progress(&format!(
        "loading {} and computing site features",
        dir.display()
    ));
    let scored = crate::pipeline::load_and_assess(&dir, opts, compiled, args.data.as_of)?;
    let mut notes = Vec::new();
    let rejected = scored.data.report.total_rejected();
    if rejected > 0 {
        let place = scored
            .data
            .report
            .rejects_dir
            .as_ref()
            .map(|d| format!(", listed in {}", d.display()));
        notes.push(format!(
            "{rejected} row(s) rejected on load{}",
            place.unwrap_or_default()
        ));
    }
    if args.scorer == Scorer::Rules {
        return Ok(Loaded { scored, notes });
    }
    let path = args.model.clone().unwrap_or_else(default_model);
    if args.model.is_none() && !path.is_file() {
        notes.push(format!(
            "no model at {}: ranking with the rules scorer (run `tilsyn train`)",
            path.display()
        ));
        return Ok(Loaded { scored, notes });
    }
    progress("scoring every site with the model");
    let model = crate::model::ModelFile::load(&path)?;
    let scored = scored.with_model(model)?;
    Ok(Loaded { scored, notes })
}

/// Runs `tilsyn tui`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let dataset = args.score.data.dir().display().to_string();
    let export_dir = args
        .export_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    let score = args.score.clone();
    let model = (args.score.scorer == Scorer::Model)
        .then(|| args.score.model.clone().unwrap_or_else(default_model))
        .filter(|p| p.is_file());
    let audit = args.audit.context(model.as_deref())?;
    crate::tui::run(TuiOptions {
        dataset,
        export_dir,
        capacity: args.capacity,
        audit: Some(audit),
        loader: Box::new(move |progress: &dyn Fn(&str)| load(&score, progress)),
    })?;
    Ok(ExitCode::SUCCESS)
}
