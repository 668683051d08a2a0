//! `tilsyn plan`: a visit plan within a capacity, with a random exploration
//! share, filters, and the sites inspected recently left out; every row
//! carries its selection probability, reasons and explanation. The plan
//! is a recommendation: `--remove SITE=REASON` and `--add SITE=REASON`
//! record a person's decisions (a reason is required), the export carries
//! both, and every run is written to the audit log before the plan is.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::audit::AuditArgs;
use super::common::{ScoreArgs, default_model};
use super::rank::FilterArgs;
use crate::audit::{self, PlanRecord, Record};
use crate::rank::decision::{
    DEFAULT_EXCLUDE_INSPECTED_DAYS, DEFAULT_EXPLORE, DEFAULT_SEED, Override, days_since_visit_by,
    decide, recommend, recommend_for, write_csv,
};
use crate::rank::plan::PlanParams;
use crate::rank::rank;

/// Parses `SITE_ID=REASON`; a missing or empty reason is a usage error.
fn parse_override(s: &str) -> Result<Override, String> {
    Override::parse(s).map_err(|e| e.to_string())
}

/// Parses `--agency`: one of the canonical agencies, upper case.
fn parse_agency(s: &str) -> Result<String, String> {
    let up = s.trim().to_uppercase();
    if crate::data::schema::AGENCIES.contains(&up.as_str()) {
        Ok(up)
    } else {
        Err(format!(
            "'{s}' is not an agency; use one of {}",
            crate::data::schema::AGENCIES.join(", ")
        ))
    }
}

/// Arguments of `tilsyn plan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// Data, catalogue, model and scorer.
    pub score: ScoreArgs,
    #[command(flatten)]
    /// Which sites.
    pub filter: FilterArgs,
    /// Visits available.
    #[arg(long, value_name = "N")]
    pub capacity: usize,
    /// Share of the capacity drawn at random from the rest (exploration).
    #[arg(long, default_value_t = DEFAULT_EXPLORE)]
    pub explore: f64,
    /// Seed of the exploration draw.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Draw the exploration share among blind spots only (sites with at most
    /// --max-coverage of the 11 ILO indicators assessed), where a ranking
    /// cannot see: unknown is not low risk.
    #[arg(long)]
    pub explore_blind_spots: bool,
    /// Coverage at or below which a site is a blind spot.
    #[arg(long, value_name = "N", default_value_t = crate::rank::blind::DEFAULT_MAX_COVERAGE, value_parser = clap::value_parser!(u8).range(0..=10))]
    pub max_coverage: u8,
    /// Plan for this agency (AT, SKAT, POLICE, SIRI): the exclusion window
    /// counts only its own visits and joint controls.
    #[arg(long, value_name = "AGENCY", value_parser = parse_agency)]
    pub agency: Option<String>,
    /// Leave out sites inspected within this many days.
    #[arg(long, value_name = "DAYS", default_value_t = DEFAULT_EXCLUDE_INSPECTED_DAYS)]
    pub exclude_inspected_days: i64,
    /// Take a recommended site out of the plan, with the reason (required, logged). Repeatable.
    #[arg(long, value_name = "SITE_ID=REASON", value_parser = parse_override)]
    pub remove: Vec<Override>,
    /// Put a site the plan does not recommend into it, with the reason (required, logged). Repeatable.
    #[arg(long, value_name = "SITE_ID=REASON", value_parser = parse_override)]
    pub add: Vec<Override>,
    #[command(flatten)]
    /// Audit log and user.
    pub audit: AuditArgs,
    /// Write the plan here (.csv or .json); default CSV on stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Runs `tilsyn plan`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let params = PlanParams {
        capacity: args.capacity,
        explore: args.explore,
        seed: args.seed,
        explore_blind_spots: args.explore_blind_spots.then_some(args.max_coverage),
    }
    .check()?;
    let filter = args.filter.filter()?;
    // The log path and user first: a plan that cannot be logged is not made.
    let mut ctx = args.audit.context(None)?;
    let scored = args.score.score()?;
    if scored.model.is_some() {
        let path = args.score.model.clone().unwrap_or_else(default_model);
        ctx = args.audit.context(Some(&path))?;
    }
    let ranked = rank(&scored, &filter, None, 3);
    let rec = match &args.agency {
        None => recommend(&ranked, &params, args.exclude_inspected_days),
        Some(agency) => {
            let last = days_since_visit_by(&scored.data, agency, scored.as_of)?;
            recommend_for(&ranked, &params, args.exclude_inspected_days, |r| {
                last.get(&r.site_id).copied()
            })
        }
    };
    let p = decide(
        rec.plan,
        params.capacity,
        &ranked,
        &args.remove,
        &args.add,
        &ctx.user,
    )?;
    for w in p.warnings() {
        eprintln!("warning: {w}");
    }
    let scorer = &scored.scorer_label();
    let entry = audit::append(
        &ctx.log,
        Record {
            command: "plan".into(),
            user: ctx.user.clone(),
            model_sha256: ctx.model_sha256.clone(),
            data_fingerprint: Some(scored.data.report.fingerprint.clone()),
            parameters: serde_json::json!({
                "data": args.score.data.dir().display().to_string(),
                "as_of": scored.as_of.to_string(),
                "catalogue": args.score.catalogue.as_ref().map(|c| c.display().to_string()),
                "model": scored.model.as_ref().map(|_| args.score.model.clone().unwrap_or_else(default_model).display().to_string()),
                "scorer": scorer,
                "expire_days": scored.catalogue.catalogue.scoring.expire_days,
                "capacity": params.capacity,
                "explore": params.explore,
                "explore_blind_spots": params.explore_blind_spots,
                "seed": params.seed,
                "exclude_inspected_days": args.exclude_inspected_days,
                "agency": args.agency,
                "sector": args.filter.sector,
                "municipality": args.filter.municipality,
                "region": args.filter.region,
                "tier": args.filter.tier,
                "min_tier": args.filter.min_tier,
                "out": args.out.as_ref().map(|o| o.display().to_string()),
            }),
            plan: Some(PlanRecord::new(&p, &scored.as_of.to_string(), scorer)),
        },
    )?;
    match &args.out {
        Some(path)
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json")) =>
        {
            let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
            serde_json::to_writer_pretty(&mut f, &p)?;
            writeln!(f)?;
            f.flush()?;
        }
        Some(path) => write_csv(std::io::BufWriter::new(std::fs::File::create(path)?), &p)?,
        None => write_csv(std::io::BufWriter::new(std::io::stdout().lock()), &p)?,
    }
    eprintln!(
        "plan: {} visits ({} by priority, {} exploration drawn from {} sites with probability {:.4} each, seed {}); decided: {} kept, {} removed, {} added{}; audit entry {} in {}",
        p.visits(),
        p.priority_visits,
        p.exploration_visits,
        p.eligible - p.priority_visits,
        p.exploration_probability,
        p.seed,
        p.kept,
        p.removed,
        p.added,
        args.out
            .as_ref()
            .map_or(String::new(), |o| format!("; wrote {}", o.display())),
        entry.seq,
        ctx.log.display()
    );
    Ok(ExitCode::SUCCESS)
}
