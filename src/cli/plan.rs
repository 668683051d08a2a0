//! `tilsyn plan`: a visit plan within a capacity, with a random exploration
//! share, filters, and the sites inspected recently left out; every row
//! carries its selection probability, reasons and explanation. The plan
//! is a recommendation: `--remove SITE=REASON` and `--add SITE=REASON`
//! record a person's decisions (a reason is required), the export carries
//! both, and every run is written to the audit log before the plan is.
//! With `--agencies` the plan is a joint control plan (`docs/plan.md`):
//! teams per site, reasons per agency, day routes with `--days` and
//! `--visits-per-day`, and a briefing per visit with `--briefing`; the
//! core is `rank::joint`, the writing of its files is in `plan/output.rs`.

mod output;

use std::collections::HashMap;
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
use crate::rank::joint::{self, Bundling, JointParams, LastVisits, PLANNING_AGENCIES, TeamRule};
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

/// Parses one code of `--agencies`: an agency that plans visits, upper case.
pub(super) fn parse_team_agency(s: &str) -> Result<String, String> {
    let up = s.trim().to_uppercase();
    if PLANNING_AGENCIES.contains(&up.as_str()) {
        Ok(up)
    } else {
        Err(format!(
            "'{s}' cannot plan a visit; use one of {} (CMM joins teams by itself where the police is called in)",
            PLANNING_AGENCIES.join(", ")
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
    /// A joint plan for several agencies (comma separated: AT,SKAT,POLICE,SIRI;
    /// the first leads): each site's reasons split by the agency that acts
    /// on them, a team per site (the police and CMM are called in by
    /// coercion findings, tips and severe links), and a site left out only
    /// when every member of its team visited it within the window.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_team_agency, conflicts_with = "agency")]
    pub agencies: Vec<String>,
    /// With --agencies: days available; the visits are bundled into day
    /// routes by municipality (or postcode), highest priority first.
    #[arg(long, value_name = "N", requires_all = ["visits_per_day", "agencies"])]
    pub days: Option<usize>,
    /// With --agencies and --days: visits a team makes in a day.
    #[arg(long, value_name = "N", requires_all = ["days", "agencies"])]
    pub visits_per_day: Option<usize>,
    /// With --days: how far (km) from a day's first visit a visit in another
    /// area may be to fill a free slot that day; 0 keeps a day to one area.
    #[arg(long, value_name = "KM", default_value_t = joint::DEFAULT_MAX_KM, requires = "days")]
    pub max_km: f64,
    /// With --agencies: write a printable Markdown briefing per visit into
    /// this folder (counts of workers only, no person named).
    #[arg(long, value_name = "DIR", requires = "agencies")]
    pub briefing: Option<PathBuf>,
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
    let joint_params = if args.agencies.is_empty() {
        None
    } else {
        let bundling = match (args.days, args.visits_per_day) {
            (Some(days), Some(per_day)) => {
                Some(Bundling::new(days, per_day)?.with_max_km(args.max_km)?)
            }
            _ => None,
        };
        Some(JointParams::new(
            &args.agencies,
            args.exclude_inspected_days,
            bundling,
        )?)
    };
    let filter = args.filter.filter()?;
    // The log path and user first: a plan that cannot be logged is not made.
    let mut ctx = args.audit.context(None)?;
    let scored = args.score.score()?;
    if scored.model.is_some() {
        let path = args.score.model.clone().unwrap_or_else(default_model);
        ctx = args.audit.context(Some(&path))?;
    }
    // A joint plan splits every reason of a site by agency: all of them.
    let reasons_per_site = if joint_params.is_some() {
        usize::MAX
    } else {
        3
    };
    let ranked = rank(&scored, &filter, None, reasons_per_site);
    // A joint plan also gives each site's team, and the sites out of scope.
    let (rec, teams, out_of_scope) = match (&joint_params, &args.agency) {
        (Some(jp), _) => {
            let visits = LastVisits::load(&scored.data, scored.as_of)?;
            let by_site = TeamRule::new(&scored.catalogue.catalogue, jp).teams(&ranked, &visits);
            let r = joint::recommend(&ranked, &by_site, &params, args.exclude_inspected_days);
            (r.recommendation, Some(by_site), r.out_of_scope)
        }
        (None, None) => (
            recommend(&ranked, &params, args.exclude_inspected_days),
            None,
            0,
        ),
        (None, Some(agency)) => {
            let last = days_since_visit_by(&scored.data, agency, scored.as_of)?;
            let r = recommend_for(&ranked, &params, args.exclude_inspected_days, |r| {
                last.get(&r.site_id).copied()
            });
            (r, None, 0)
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
                "agencies": joint_params.as_ref().map(|j| j.agencies.clone()),
                "days": args.days,
                "visits_per_day": args.visits_per_day,
                "max_km": args.days.map(|_| args.max_km),
                "briefing": args.briefing.as_ref().map(|b| b.display().to_string()),
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
    if let (Some(jp), Some(by_site)) = (&joint_params, &teams) {
        let as_of = scored.as_of.to_string();
        let points: HashMap<&str, (f64, f64)> = ranked
            .iter()
            .zip(crate::rank::rows::coordinates(&scored, &ranked))
            .filter_map(|(r, p)| Some((r.site_id.as_str(), p?)))
            .collect();
        let plan = joint::assemble(p, by_site, jp, &as_of, out_of_scope, |r| {
            (
                joint::area_of(&scored, r),
                points.get(r.site_id.as_str()).copied(),
            )
        });
        output::write(&plan, args.out.as_deref())?;
        let briefings = match &args.briefing {
            Some(dir) => Some(output::briefings(&scored, &plan, dir)?),
            None => None,
        };
        for line in output::summary(&plan) {
            eprintln!("{line}");
        }
        if let (Some(b), Some(dir)) = (briefings, &args.briefing) {
            eprintln!("wrote {} briefing(s) to {}", b.written, dir.display());
            if !b.stale.is_empty() {
                eprintln!(
                    "warning: {} briefing(s) in {} are from an earlier plan, not this one: {}; remove them or use a new folder",
                    b.stale.len(),
                    dir.display(),
                    b.stale.join(", ")
                );
            }
        }
        eprintln!(
            "audit entry {} in {}{}",
            entry.seq,
            ctx.log.display(),
            args.out
                .as_ref()
                .map_or(String::new(), |o| format!("; wrote {}", o.display()))
        );
        return Ok(ExitCode::SUCCESS);
    }
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
