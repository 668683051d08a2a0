//! `tilsyn visit checklist|record|referral`: the printable checklist for one
//! site with its indicators ordered by what the ranking flagged (scored as
//! `tilsyn explain` scores it) and the fillable form; the record of a filled
//! form appended to a data folder as one `inspections` row and one
//! `findings` row per ILO indicator answered yes; and the referral summary
//! for CMM. The core is `crate::visit`; docs/visit.md describes the flow. A
//! bad form, an unknown site or a taken inspection id exits with 1.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::InputRejected;
use super::common::{DataArgs, ScoreArgs};
use crate::assess::score::ilo_label;
use crate::data::Table;
use crate::rank::explanation::explain_with;
use crate::visit::checklist::{self, Checklist, SiteContext};
use crate::visit::form::{Form, FormError, blank_form};
use crate::visit::record::{self, RecordError};
use crate::visit::referral::{self, Referral};

/// Arguments of `tilsyn visit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: VisitCommand,
}

/// The visit subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum VisitCommand {
    /// Print the visit checklist of a site (Markdown), the indicators its ranking flagged first; --form writes the form to fill in.
    Checklist(ChecklistArgs),
    /// Append a filled form to a data folder: one inspections row, and one findings row per ILO indicator answered yes.
    Record(RecordArgs),
    /// Write the referral summary for CMM from a filled form: indicators, worker counts, permit schemes, contact route; no personal data.
    Referral(ReferralArgs),
}

/// Arguments of `tilsyn visit checklist`.
#[derive(Debug, clap::Args)]
pub struct ChecklistArgs {
    /// The site to visit (its site id, the P-number).
    #[arg(long, value_name = "SITE_ID")]
    pub site: String,
    #[command(flatten)]
    /// Data, catalogue, model and scorer (as for `tilsyn explain`).
    pub score: ScoreArgs,
    /// Write the checklist to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the visit form to fill in (TOML, every question unanswered) to
    /// FILE; a file already there (perhaps a filled form) is kept unless
    /// --force is given.
    #[arg(long, value_name = "FILE")]
    pub form: Option<PathBuf>,
    /// Overwrite the --form file if it exists.
    #[arg(long, requires = "form")]
    pub force: bool,
    /// Checklist file (default: the bundled models/visit_checklist.toml).
    #[arg(long, value_name = "FILE")]
    pub checklist: Option<PathBuf>,
}

/// Arguments of `tilsyn visit record`.
#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// The filled visit form.
    #[arg(long, value_name = "FILE")]
    pub form: PathBuf,
    #[command(flatten)]
    /// The data folder the site is in (required; `--as-of` sets the last day a record may have).
    pub data: DataArgs,
    /// Folder to write inspections.csv and findings.csv to (default: the data folder, appending).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Checklist file (default: the bundled models/visit_checklist.toml).
    #[arg(long, value_name = "FILE")]
    pub checklist: Option<PathBuf>,
}

/// Arguments of `tilsyn visit referral`.
#[derive(Debug, clap::Args)]
pub struct ReferralArgs {
    /// The filled visit form.
    #[arg(long, value_name = "FILE")]
    pub form: PathBuf,
    #[command(flatten)]
    /// The data folder the site is in (its sites and permits tables).
    pub data: DataArgs,
    /// Write the summary to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Checklist file (default: the bundled models/visit_checklist.toml).
    #[arg(long, value_name = "FILE")]
    pub checklist: Option<PathBuf>,
}

/// Runs `tilsyn visit`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        VisitCommand::Checklist(a) => run_checklist(&a),
        VisitCommand::Record(a) => run_record(&a),
        VisitCommand::Referral(a) => run_referral(&a),
    }
}

fn load_checklist(path: Option<&Path>) -> anyhow::Result<Checklist> {
    match path {
        None => Ok(Checklist::bundled()?),
        Some(p) => Checklist::from_file(p).map_err(|e| InputRejected(e.to_string()).into()),
    }
}

fn run_checklist(a: &ChecklistArgs) -> anyhow::Result<ExitCode> {
    let list = load_checklist(a.checklist.as_deref())?;
    let scored = a.score.score()?;
    let e = explain_with(&scored, &a.site, false)?;
    let ctx = SiteContext::from_explanation(&e);
    if let Some(path) = &a.form {
        if path.exists() && !a.force {
            return Err(InputRejected(format!(
                "{} exists (a form filled in already, perhaps); choose another file, or add --force to replace it with a blank form",
                path.display()
            ))
            .into());
        }
        std::fs::write(path, blank_form(&list, &ctx))
            .map_err(|err| anyhow::anyhow!("cannot write {}: {err}", path.display()))?;
        eprintln!(
            "wrote {0}: fill it in, then `tilsyn visit record --form {0} --data DIR`",
            path.display()
        );
    }
    super::common::write_out(a.out.as_deref(), checklist::to_markdown(&list, &ctx))?;
    Ok(ExitCode::SUCCESS)
}

fn run_record(a: &RecordArgs) -> anyhow::Result<ExitCode> {
    let Some(dir) = a.data.data.clone() else {
        anyhow::bail!(
            "`tilsyn visit record` needs --data DIR, the data folder the visited site is in (it never writes to the bundled demo data)"
        );
    };
    let list = load_checklist(a.checklist.as_deref())?;
    let file = a.form.display().to_string();
    let form = Form::from_file(&a.form, &list).map_err(rejected_form)?;
    let mut rec = record::to_rows(&form, &list, &file).map_err(rejected_form)?;
    let ds = a.data.load()?;
    record::check_against(&rec, &ds, &file).map_err(rejected)?;
    let out = a.out.clone().unwrap_or_else(|| dir.clone());
    if !same_path(&out, &dir) && record::ids_in(&dir).contains(&rec.inspection.inspection_id) {
        // The load leaves out rejected rows (dated after --as-of, say); the
        // folder's own file still holds the id.
        return Err(InputRejected(format!(
            "{file}: inspection_id '{}' is already in {}; give the visit its own case id",
            rec.inspection.inspection_id,
            dir.join("inspections.csv").display()
        ))
        .into());
    }
    if same_path(&out, &dir) {
        // The folder's own files must be the canonical CSVs tilsyn appends to.
        for t in [Table::Inspections, Table::Findings] {
            let canonical = dir.join(format!("{}.csv", t.name()));
            if let Some(f) = ds.report.table(t).and_then(|r| r.file.as_ref())
                && !same_path(f, &canonical)
            {
                return Err(InputRejected(format!(
                    "{}: the data folder reads `{}` from {} (through its mapping, or in another format); tilsyn appends only to a plain {}.csv in the canonical layout. Nothing was written: write the record to another folder with --out DIR and add its rows to your export",
                    file,
                    t.name(),
                    f.display(),
                    t.name()
                ))
                .into());
            }
        }
    }
    record::mask_notes(&mut rec)?;
    let written = record::append(&out, &rec, &file).map_err(rejected)?;
    let insp = &rec.inspection;
    eprintln!(
        "recorded visit {} at site {} ({}, {}, outcome {}, scope {})",
        insp.inspection_id,
        insp.site_id,
        insp.date,
        insp.agency,
        if insp.outcome.is_empty() {
            "not given"
        } else {
            insp.outcome.as_str()
        },
        insp.scope
    );
    eprintln!("  1 row appended to {}", written.inspections.display());
    let found: Vec<String> = rec
        .findings
        .iter()
        .map(|f| match f.workers_affected {
            Some(w) => format!("{} ({w} workers)", f.indicator),
            None => f.indicator.to_string(),
        })
        .collect();
    eprintln!(
        "  {} row(s) appended to {}{}",
        written.findings_rows,
        written.findings.display(),
        if found.is_empty() {
            String::new()
        } else {
            format!(": {}", found.join(", "))
        }
    );
    if !rec.not_answered.is_empty() {
        let names: Vec<&str> = rec.not_answered.iter().map(|x| ilo_label(x)).collect();
        eprintln!(
            "note: no question about {} was answered yes or no. The visit's scope forced_labour says every indicator was looked for, so these read as looked for and not found (clear) for 5 years; answer their questions if they were looked at (docs/visit.md)",
            names.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn run_referral(a: &ReferralArgs) -> anyhow::Result<ExitCode> {
    let list = load_checklist(a.checklist.as_deref())?;
    let file = a.form.display().to_string();
    let form = Form::from_file(&a.form, &list).map_err(rejected_form)?;
    let rec = record::to_rows(&form, &list, &file).map_err(rejected_form)?;
    let ds = a.data.load()?;
    let Some(facts) = referral::site_facts(&ds, &rec.inspection.site_id, rec.inspection.date)?
    else {
        return Err(rejected(RecordError::UnknownSite {
            form: file,
            site_id: rec.inspection.site_id.clone(),
            dir: a.data.dir(),
        }));
    };
    let summary = Referral::new(&rec, &list, facts);
    super::common::write_out(a.out.as_deref(), summary.to_markdown())?;
    Ok(ExitCode::SUCCESS)
}

/// A bad form is rejected input: exit code 1.
fn rejected_form(e: FormError) -> anyhow::Error {
    InputRejected(e.to_string()).into()
}

/// A record the data refuses is rejected input (exit 1); a failed read or
/// write is not.
fn rejected(e: RecordError) -> anyhow::Error {
    match e {
        RecordError::Io { .. } | RecordError::Csv { .. } | RecordError::Polars(_) => e.into(),
        other => InputRejected(other.to_string()).into(),
    }
}

/// Whether two paths name the same file or folder.
fn same_path(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}
