//! `tilsyn audit verify|show|follow-rate`, and the `--audit-log` and
//! `--user` flags of the commands that write to the audit log (`plan`,
//! `tui`). The log itself is the core's (`crate::audit`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::audit::{self, AuditContext, Entry, FollowBy};

/// Where the audit log is and who is working (for commands that log).
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Audit")]
pub struct AuditArgs {
    /// Audit log (JSON Lines, hash-chained); default $TILSYN_AUDIT_LOG, else tilsyn/audit.jsonl in the user's data folder.
    #[arg(long, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,
    /// Who is deciding (default $TILSYN_USER, else $USER or $USERNAME).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
}

impl AuditArgs {
    /// Resolves the log path and the user; hashes the model file when one scores.
    pub fn context(&self, model: Option<&Path>) -> anyhow::Result<AuditContext> {
        let model_sha256 =
            match model {
                Some(p) => Some(audit::file_sha256(p).map_err(|e| {
                    anyhow::anyhow!("cannot hash the model file {}: {e}", p.display())
                })?),
                None => None,
            };
        Ok(AuditContext {
            log: audit::resolve_log(self.audit_log.as_deref())?,
            user: audit::resolve_user(self.user.as_deref()),
            model_sha256,
        })
    }
}

/// The audit log flag alone (for `tilsyn audit ...`).
#[derive(Debug, Clone, clap::Args)]
pub struct LogArg {
    /// Audit log; default $TILSYN_AUDIT_LOG, else tilsyn/audit.jsonl in the user's data folder.
    #[arg(long, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,
}

impl LogArg {
    fn path(&self) -> anyhow::Result<PathBuf> {
        let p = audit::resolve_log(self.audit_log.as_deref())?;
        if !p.is_file() {
            anyhow::bail!(
                "no audit log at {} (pass --audit-log PATH or set TILSYN_AUDIT_LOG)",
                p.display()
            );
        }
        Ok(p)
    }
}

/// Arguments of `tilsyn audit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do with the log.
    #[command(subcommand)]
    pub command: AuditCommand,
}

/// The audit subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain; names the first broken entry (exit 1 when broken).
    Verify(VerifyArgs),
    /// List the entries.
    Show(ShowArgs),
    /// How often recommendations were followed, per user or per month.
    FollowRate(FollowArgs),
}

/// Arguments of `tilsyn audit verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    /// The log.
    pub log: LogArg,
}

/// Output formats.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// Readable columns.
    Table,
    /// JSON.
    Json,
}

/// Arguments of `tilsyn audit show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    #[command(flatten)]
    /// The log.
    pub log: LogArg,
    /// Only the last N entries.
    #[arg(long, value_name = "N")]
    pub last: Option<usize>,
    /// Output format (json prints the entries whole, with every site shown).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// How to group follow rates.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum By {
    /// Per user.
    User,
    /// Per calendar month.
    Month,
}

/// Arguments of `tilsyn audit follow-rate`.
#[derive(Debug, clap::Args)]
pub struct FollowArgs {
    #[command(flatten)]
    /// The log.
    pub log: LogArg,
    /// Group by user or by month.
    #[arg(long, value_enum, default_value_t = By::User)]
    pub by: By,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs `tilsyn audit`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        AuditCommand::Verify(a) => verify(&a),
        AuditCommand::Show(a) => show(&a),
        AuditCommand::FollowRate(a) => follow(&a),
    }
}

fn verify(a: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let path = a.log.path()?;
    let v = audit::verify(&path)?;
    let mut out = std::io::stdout().lock();
    match &v.broken {
        None => {
            writeln!(
                out,
                "ok: {} entries, the chain is intact; head {}",
                v.entries,
                v.head.as_deref().unwrap_or("(empty log)")
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some(b) => {
            writeln!(
                out,
                "BROKEN: {b}; the {} entries before it are intact",
                v.entries
            )?;
            eprintln!("error: audit log {}: {b}", path.display());
            Ok(ExitCode::from(1))
        }
    }
}

fn plan_summary(e: &Entry) -> String {
    e.plan.as_ref().map_or_else(
        || "-".to_string(),
        |p| {
            format!(
                "{} visits: {} kept, {} removed, {} added",
                p.kept + p.added,
                p.kept,
                p.removed,
                p.added
            )
        },
    )
}

fn short(h: Option<&str>) -> &str {
    h.map_or("-", |h| h.get(..12).unwrap_or(h))
}

fn show(a: &ShowArgs) -> anyhow::Result<ExitCode> {
    let entries = audit::read_entries(&a.log.path()?)?;
    let skip = a.last.map_or(0, |n| entries.len().saturating_sub(n));
    let shown = entries.get(skip..).unwrap_or_default();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, shown)?;
            writeln!(out)?;
        }
        Format::Table => {
            writeln!(
                out,
                "{:>5}  {:<24} {:<14} {:<11} {:<12} {:<12} {:<40} hash",
                "seq", "time", "user", "command", "model", "data", "plan"
            )?;
            for e in shown {
                writeln!(
                    out,
                    "{:>5}  {:<24} {:<14} {:<11} {:<12} {:<12} {:<40} {}",
                    e.seq,
                    e.time,
                    e.user,
                    e.command,
                    short(e.model_sha256.as_deref()),
                    short(e.data_fingerprint.as_deref()),
                    plan_summary(e),
                    short(Some(e.hash.as_str()))
                )?;
                if let Some(p) = &e.plan {
                    for site in p.sites.iter().filter(|s| s.decision_reason.is_some()) {
                        writeln!(
                            out,
                            "       {} {} (rank {}): {} [{}]",
                            site.decision.id(),
                            site.site_id,
                            site.rank,
                            site.decision_reason.as_deref().unwrap_or_default(),
                            site.decided_by
                        )?;
                    }
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn follow(a: &FollowArgs) -> anyhow::Result<ExitCode> {
    let entries = audit::read_entries(&a.log.path()?)?;
    let by = match a.by {
        By::User => FollowBy::User,
        By::Month => FollowBy::Month,
    };
    let lines = audit::follow_rate(&entries, by);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &lines)?;
            writeln!(out)?;
        }
        Format::Table => {
            let pct = |x: Option<f64>| {
                x.map_or_else(|| "-".to_string(), |v| format!("{:.1}%", v * 100.0))
            };
            writeln!(
                out,
                "{:<20} {:>6} {:>12} {:>6} {:>8} {:>6} {:>12} {:>12}",
                match by {
                    FollowBy::User => "user",
                    FollowBy::Month => "month",
                },
                "plans",
                "recommended",
                "kept",
                "removed",
                "added",
                "follow rate",
                "added share"
            )?;
            for l in &lines {
                writeln!(
                    out,
                    "{:<20} {:>6} {:>12} {:>6} {:>8} {:>6} {:>12} {:>12}",
                    l.key,
                    l.plans,
                    l.recommended,
                    l.kept,
                    l.removed,
                    l.added,
                    pct(l.follow_rate),
                    pct(l.added_share)
                )?;
            }
            writeln!(
                out,
                "\nfollow rate = recommended sites kept / recommended; a rate near 100% over many plans may mean the list is followed without being examined (automation bias)."
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
