//! `e`: the plan as recommended and as decided, written with the core's
//! types (`rank::decision`) to `tilsyn-plan-<as_of>.csv` and `.json`, each
//! site with its reasons, the recommendation and the decision (kept,
//! removed with a reason, added with a reason). Before the files are
//! written, the export is appended to the audit log with the list shown
//! and the decisions; an export that cannot be logged is not written.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context as _;

use super::{App, Level};
use crate::audit::{self, PlanRecord, Record};
use crate::rank::Ranked;
use crate::rank::decision::{DecidedPlan, Override, decide, write_csv};
use crate::rank::rows::reasons;

/// Reasons written per site.
pub const REASONS: usize = 10;

impl App {
    fn with_reasons(&self, r: &Ranked) -> Ranked {
        let mut r = r.clone();
        r.reasons = reasons(&self.scored, r.row, REASONS);
        r
    }

    /// Who decides: the audit user, else the environment's.
    fn decider(&self) -> String {
        self.opts
            .audit
            .as_ref()
            .map_or_else(|| audit::resolve_user(None), |a| a.user.clone())
    }

    /// The recommended plan with the marks and reasons applied.
    pub fn decided_plan(&self) -> anyhow::Result<DecidedPlan> {
        let mut plan = self.oversight.recommendation.plan.clone();
        for row in &mut plan.rows {
            row.site = self.with_reasons(&row.site);
        }
        let reason = |i: &usize| {
            let id = self
                .rows
                .get(*i)
                .map(|r| r.site_id.as_str())
                .unwrap_or_default();
            Override::new(id, self.override_reason(*i).unwrap_or_default())
        };
        let rec = &self.oversight.recommended;
        let remove = rec
            .difference(&self.marked)
            .map(reason)
            .collect::<Result<Vec<_>, _>>()?;
        let add = self
            .marked
            .difference(rec)
            .map(reason)
            .collect::<Result<Vec<_>, _>>()?;
        let pool: Vec<Ranked> = self
            .marked
            .difference(rec)
            .filter_map(|i| self.rows.get(*i))
            .map(|r| self.with_reasons(r))
            .collect();
        Ok(decide(
            plan,
            self.opts.capacity,
            &pool,
            &remove,
            &add,
            &self.decider(),
        )?)
    }

    /// Logs the plan and writes the files into the export folder; `None`
    /// when nothing was recommended or marked.
    pub fn write_plan(&self) -> anyhow::Result<Option<(PathBuf, PathBuf, Option<u64>)>> {
        if self.marked.is_empty() && self.oversight.recommended.is_empty() {
            return Ok(None);
        }
        let plan = self.decided_plan()?;
        let seq = match &self.opts.audit {
            Some(ctx) => {
                let as_of = self.scored.as_of.to_string();
                let scorer = &self.scored.scorer_label();
                let entry = audit::append(
                    &ctx.log,
                    Record {
                        command: "tui export".into(),
                        user: ctx.user.clone(),
                        model_sha256: ctx.model_sha256.clone(),
                        data_fingerprint: Some(self.scored.data.report.fingerprint.clone()),
                        parameters: serde_json::json!({
                            "data": self.opts.dataset,
                            "as_of": as_of,
                            "scorer": scorer,
                            "expire_days": self.scored.catalogue.catalogue.scoring.expire_days,
                            "capacity": self.opts.capacity,
                            "explore": crate::rank::decision::DEFAULT_EXPLORE,
                            "seed": plan.seed,
                            "exclude_inspected_days": crate::rank::decision::DEFAULT_EXCLUDE_INSPECTED_DAYS,
                            "export_dir": self.opts.export_dir.display().to_string(),
                        }),
                        plan: Some(PlanRecord::new(&plan, &as_of, scorer)),
                    },
                )
                .context("the plan was not exported, because it could not be logged")?;
                Some(entry.seq)
            }
            None => None,
        };
        let dir = &self.opts.export_dir;
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the export folder {}", dir.display()))?;
        let stem = format!("tilsyn-plan-{}", self.scored.as_of);
        let csv_path = dir.join(format!("{stem}.csv"));
        let json_path = dir.join(format!("{stem}.json"));
        let file = File::create(&csv_path)
            .with_context(|| format!("cannot write {}", csv_path.display()))?;
        write_csv(BufWriter::new(file), &plan)
            .with_context(|| format!("cannot write {}", csv_path.display()))?;
        let file = File::create(&json_path)
            .with_context(|| format!("cannot write {}", json_path.display()))?;
        let mut out = BufWriter::new(file);
        serde_json::to_writer_pretty(&mut out, &plan)
            .with_context(|| format!("cannot write {}", json_path.display()))?;
        out.flush()
            .with_context(|| format!("cannot write {}", json_path.display()))?;
        Ok(Some((csv_path, json_path, seq)))
    }

    /// `e`: exports the plan and says where it went.
    pub(super) fn export(&mut self) {
        match self.write_plan() {
            Ok(Some((csv, json, seq))) => {
                let n = self.marked.len();
                let (_, removed, added) = self.decision_counts();
                let logged = seq.map_or_else(
                    || " (not logged: no audit log)".to_string(),
                    |s| format!(" · audit entry {s}"),
                );
                self.notify(
                    format!(
                        "exported {n} site(s) ({removed} removed, {added} added) to {} and {}{logged}",
                        csv.display(),
                        json.display()
                    ),
                    Level::Info,
                );
            }
            Ok(None) => self.notify(
                "the plan is empty: mark sites with space first",
                Level::Warn,
            ),
            Err(e) => self.notify(format!("export failed: {e:#}"), Level::Error),
        }
    }
}
