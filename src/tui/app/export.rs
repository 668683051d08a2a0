//! `e`: the marked sites as a visit plan, written with the core's plan
//! types (`rank::plan`) to `tilsyn-plan-<as_of>.csv` and `.json`, each site
//! with its reasons. A hand-picked plan has no exploration draw: every
//! site is a priority pick with selection probability 1 (`tilsyn plan`
//! makes plans with a random exploration share).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context as _;

use super::{App, Level};
use crate::rank::Ranked;
use crate::rank::plan::{Plan, PlanParams, plan, write_csv};
use crate::rank::rows::reasons;

/// Reasons written per site.
pub const REASONS: usize = 10;

impl App {
    /// The plan of the marked sites, in rank order, each with its reasons.
    pub fn plan(&self) -> Plan {
        let sites: Vec<Ranked> = self
            .marked
            .iter()
            .filter_map(|i| self.rows.get(*i))
            .map(|r| {
                let mut r = r.clone();
                r.reasons = reasons(&self.scored, r.row, REASONS);
                r
            })
            .collect();
        let params = PlanParams {
            capacity: sites.len().max(1),
            explore: 0.0,
            seed: 0,
        };
        plan(sites, &params)
    }

    /// Writes the plan files into the export folder; `None` when nothing is marked.
    pub fn write_plan(&self) -> anyhow::Result<Option<(PathBuf, PathBuf)>> {
        if self.marked.is_empty() {
            return Ok(None);
        }
        let plan = self.plan();
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
        Ok(Some((csv_path, json_path)))
    }

    /// `e`: exports the plan and says where it went.
    pub(super) fn export(&mut self) {
        match self.write_plan() {
            Ok(Some((csv, json))) => {
                let n = self.marked.len();
                self.notify(
                    format!(
                        "exported {n} site(s) to {} and {}",
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
