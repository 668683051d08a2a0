//! `tilsyn tui` (and `tilsyn` with no arguments): the terminal UI on a data
//! folder, the bundled demo data by default. Loading and scoring run in the
//! background; notices that other commands print on stderr (rejected rows,
//! no model) go to the UI's message line instead, because stderr is the
//! screen. `--agencies`, `--days` and `--visits-per-day` set the agency
//! view's joint plan (as `tilsyn plan --agencies` makes it); `--visit-dir`
//! is where the visit checklist saves its forms.

use std::path::PathBuf;
use std::process::ExitCode;

use super::audit::AuditArgs;
use super::common::{DataArgs, ScoreArgs, Scorer, default_model};
use crate::rank::decision::DEFAULT_EXCLUDE_INSPECTED_DAYS;
use crate::rank::joint::{Bundling, JointParams, PLANNING_AGENCIES};
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
    /// Agencies of the agency view (`a`), comma separated (AT,SKAT,POLICE,SIRI;
    /// the first leads): each planned visit's team and its reasons per
    /// agency. Default: all four.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = super::plan::parse_team_agency)]
    pub agencies: Vec<String>,
    /// Days available: the agency view bundles the planned visits into day
    /// routes by area, highest priority first.
    #[arg(long, value_name = "N", requires = "visits_per_day")]
    pub days: Option<usize>,
    /// With --days: visits a team makes in a day.
    #[arg(long, value_name = "N", requires = "days")]
    pub visits_per_day: Option<usize>,
    /// Folder the visit checklist (`c`, then `s`) saves filled forms to, for
    /// `tilsyn visit record`; default the current directory. Never the data folder.
    #[arg(long, value_name = "DIR")]
    pub visit_dir: Option<PathBuf>,
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
            agencies: Vec::new(),
            days: None,
            visits_per_day: None,
            visit_dir: None,
            audit: AuditArgs::default(),
        }
    }

    /// The agency view's joint plan: `--agencies` (all inspecting agencies
    /// when none is given), with day routes when `--days` is given.
    fn joint(&self) -> anyhow::Result<JointParams> {
        let agencies: Vec<String> = if self.agencies.is_empty() {
            PLANNING_AGENCIES.iter().map(|a| (*a).to_string()).collect()
        } else {
            self.agencies.clone()
        };
        let bundling = match (self.days, self.visits_per_day) {
            (Some(days), Some(per_day)) => Some(Bundling::new(days, per_day)?),
            _ => None,
        };
        Ok(JointParams::new(
            &agencies,
            DEFAULT_EXCLUDE_INSPECTED_DAYS,
            bundling,
        )?)
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
    let joint = args.joint()?;
    let visit_dir = args.visit_dir.clone().unwrap_or_else(|| PathBuf::from("."));
    crate::tui::run(TuiOptions {
        dataset,
        export_dir,
        capacity: args.capacity,
        audit: Some(audit),
        joint,
        visit_dir,
        loader: Box::new(move |progress: &dyn Fn(&str)| load(&score, progress)),
    })?;
    Ok(ExitCode::SUCCESS)
}
