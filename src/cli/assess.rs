//! `tilsyn assess`: the employer self-assessment. Interactive in the
//! terminal (resuming from and saving to the answers file), or from an
//! answers file to a text, JSON or Markdown report; `--template` prints an
//! answers file to fill in; `--subcontractors DIR` screens a folder of
//! canonical tables about the employer's subcontractors with the same
//! indicators the inspectors use. A bad answers file exits with 1.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;

use super::InputRejected;
use super::common::{parse_date_arg, warn_load};
use crate::assess::answers::template;
use crate::assess::{Answers, AnswersError, Questionnaire, Report, Session, subcontractors};
use crate::data::LoadOptions;
use crate::data::pseudonym::PseudonymKey;
use crate::indicators::Catalogue;
use crate::pipeline::PipelineError;

/// Arguments of `tilsyn assess`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Answers file: the questionnaire resumes from it and saves to it; with --format it is read.
    #[arg(long, value_name = "FILE", default_value = "assessment.toml")]
    pub answers: PathBuf,
    /// Write the report from the answers file in this format, without asking questions.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Write the output to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print an answers file that lists every question, unanswered, to fill in.
    #[arg(long, conflicts_with = "subcontractors")]
    pub template: bool,
    /// Screen a folder of input tables about your subcontractors (sites.csv, permits.csv, ...):
    /// each one's ILO tier, indicators and the checklist C items to raise with it.
    #[arg(long, value_name = "DIR")]
    pub subcontractors: Option<PathBuf>,
    /// Mapping file for --subcontractors (default: tilsyn.toml in the folder, if present).
    #[arg(long, value_name = "FILE", requires = "subcontractors")]
    pub mapping: Option<PathBuf>,
    /// Analysis date for --subcontractors (YYYY-MM-DD; default: the latest event in the data).
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg, requires = "subcontractors")]
    pub as_of: Option<NaiveDate>,
    /// Date of the assessment in the report (default: the answers file's date, else today).
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    pub date: Option<NaiveDate>,
    /// Questionnaire file (default: the bundled models/self_assessment.toml).
    #[arg(long, value_name = "FILE")]
    pub questionnaire: Option<PathBuf>,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable text (for --subcontractors: Markdown).
    Text,
    /// JSON.
    Json,
    /// Markdown, for the annual or CSR report.
    #[value(alias = "md")]
    Markdown,
}

/// Runs `tilsyn assess`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let questionnaire = load_questionnaire(args.questionnaire.as_deref())?;
    if args.template {
        super::common::write_out(args.out.as_deref(), template(&questionnaire))?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(dir) = &args.subcontractors {
        return run_subcontractors(&args, dir, &questionnaire);
    }
    let today = chrono::Local::now().date_naive();
    let interactive =
        args.format.is_none() && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let (questionnaire, mut answers) = if interactive {
        let session = Session::resume(questionnaire, &args.answers).map_err(rejected)?;
        let session = crate::tui::assess_screen::run_questionnaire(session, &args.answers)?;
        eprintln!(
            "answers saved to {0}; `tilsyn assess --answers {0} --format markdown --out report.md` writes the report for your CSR report",
            args.answers.display()
        );
        let questionnaire = session.questionnaire().clone();
        (questionnaire, session.into_answers())
    } else {
        if !args.answers.exists() {
            return Err(InputRejected(format!(
                "{0}: no such answers file; `tilsyn assess --template --out {0}` writes one to fill in, or run `tilsyn assess` in a terminal to answer the questions",
                args.answers.display()
            ))
            .into());
        }
        let answers = Answers::from_file(&args.answers, &questionnaire).map_err(rejected)?;
        (questionnaire, answers)
    };
    if let Some(d) = args.date {
        answers.company.date = Some(d);
    }
    let report = Report::new(&questionnaire, &answers, today);
    let text = match args.format.unwrap_or(Format::Text) {
        Format::Text => report.to_text(),
        Format::Json => {
            let mut s = report.to_json()?;
            s.push('\n');
            s
        }
        Format::Markdown => report.to_markdown(),
    };
    super::common::write_out(args.out.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}

fn run_subcontractors(
    args: &Args,
    dir: &Path,
    questionnaire: &Questionnaire,
) -> anyhow::Result<ExitCode> {
    let opts = LoadOptions {
        mapping: args.mapping.clone(),
        pseudonym_key: PseudonymKey::from_env()?,
        ..LoadOptions::default()
    };
    let compiled = crate::pipeline::compile(Catalogue::bundled()?)?;
    let scored = match crate::pipeline::load_and_assess(dir, opts, compiled, args.as_of) {
        Ok(s) => s,
        // A folder that cannot be loaded is rejected input (exit 1).
        Err(PipelineError::Data(e)) => return Err(e.into()),
        Err(e) => return Err(e.into()),
    };
    warn_load(&scored.data.report);
    let report = subcontractors::from_scored(&scored, questionnaire);
    let text = match args.format.unwrap_or(Format::Markdown) {
        Format::Json => {
            let mut s = report.to_json()?;
            s.push('\n');
            s
        }
        Format::Text | Format::Markdown => report.to_markdown(),
    };
    super::common::write_out(args.out.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}

fn load_questionnaire(path: Option<&Path>) -> anyhow::Result<Questionnaire> {
    match path {
        None => Ok(Questionnaire::bundled()?),
        Some(p) => {
            let catalogue = Catalogue::bundled()?;
            Questionnaire::from_file(p, &catalogue).map_err(|e| InputRejected(e.to_string()).into())
        }
    }
}

/// A bad answers file is rejected input: exit code 1.
fn rejected(e: AnswersError) -> anyhow::Error {
    InputRejected(e.to_string()).into()
}
