//! Subcontractor screening (`tilsyn assess --subcontractors DIR`): an
//! employer's folder of canonical tables about its subcontractors is run
//! through the same pipeline the inspectors use (bundled catalogue, rules
//! scorer, no model), every site is ranked, and the sites are grouped by
//! company. For each subcontractor the report gives its sites' highest ILO
//! tier, the ILO profile (the most serious status over its sites), the
//! indicators that fired with their evidence sentences, and the checklist C
//! questions whose indicators or ILO indicators overlap what fired: the
//! items to raise with it. Markdown and JSON.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use super::questionnaire::{Questionnaire, Step};
use super::score::ilo_label;
use crate::data::{ILO_INDICATORS, LoadOptions};
use crate::indicators::{Catalogue, IloStatus, Tier};
use crate::pipeline::{self, PipelineError, Scored};
use crate::rank::{Filter, Ranked, rank};

/// One site of a subcontractor.
#[derive(Debug, Clone, Serialize)]
pub struct SiteLine {
    /// Site id (P-number).
    pub site_id: String,
    /// Site name.
    pub name: Option<String>,
    /// Rank among all sites in the folder.
    pub rank: usize,
    /// ILO tier.
    pub tier: Tier,
    /// Rules priority.
    pub priority: f64,
    /// The 11-character ILO strip.
    pub strip: String,
}

/// One indicator that fired at one of its sites.
#[derive(Debug, Clone, Serialize)]
pub struct FiredLine {
    /// The site.
    pub site_id: String,
    /// Indicator id.
    pub indicator: String,
    /// The ILO indicators it stands for.
    pub ilo: Vec<String>,
    /// Its weight after decay.
    pub weight: f64,
    /// The sentence with the evidence values.
    pub text: String,
}

/// A checklist C question to raise with the subcontractor.
#[derive(Debug, Clone, Serialize)]
pub struct RaiseItem {
    /// Question id.
    pub question: String,
    /// The question.
    pub text: String,
    /// What to ask for or agree.
    pub action: String,
    /// The fired indicators and flagged ILO indicators it overlaps.
    pub because: Vec<String>,
}

/// One ILO indicator's status.
#[derive(Debug, Clone, Serialize)]
pub struct IloCell {
    /// ILO id.
    pub id: &'static str,
    /// Most serious status over the company's sites.
    pub status: IloStatus,
}

/// One subcontractor (company).
#[derive(Debug, Clone, Serialize)]
pub struct Subcontractor {
    /// Company id (CVR); `site <id>` when a site has none.
    pub company_id: String,
    /// The name of its highest-ranked site.
    pub name: Option<String>,
    /// The highest ILO tier among its sites.
    pub tier: Tier,
    /// The highest priority among its sites.
    pub priority: f64,
    /// The 11-character ILO strip of the profile.
    pub strip: String,
    /// The ILO profile: per indicator the most serious status over its sites.
    pub ilo: Vec<IloCell>,
    /// Its sites, highest rank first.
    pub sites: Vec<SiteLine>,
    /// Indicators that fired, by site rank and weight.
    pub indicators: Vec<FiredLine>,
    /// Checklist C items to raise with it.
    pub raise: Vec<RaiseItem>,
}

/// The screening of a folder of subcontractors.
#[derive(Debug, Clone, Serialize)]
pub struct ScreeningReport {
    /// The folder.
    pub data_dir: String,
    /// The analysis date.
    pub as_of: NaiveDate,
    /// Sites in the folder.
    pub sites: usize,
    /// The subcontractors, most serious first (tier, then priority, then id).
    pub subcontractors: Vec<Subcontractor>,
}

/// Loads a folder with the bundled catalogue and screens every company in it.
pub fn screen(
    dir: &Path,
    opts: LoadOptions,
    as_of: Option<NaiveDate>,
    questionnaire: &Questionnaire,
) -> Result<ScreeningReport, PipelineError> {
    let compiled = pipeline::compile(Catalogue::bundled()?)?;
    let scored = pipeline::load_and_assess(dir, opts, compiled, as_of)?;
    Ok(from_scored(&scored, questionnaire))
}

/// Screens every company of an assessed data set.
pub fn from_scored(scored: &Scored, questionnaire: &Questionnaire) -> ScreeningReport {
    let rows = rank(scored, &Filter::default(), None, usize::MAX);
    let mut by_company: BTreeMap<String, Vec<&Ranked>> = BTreeMap::new();
    for r in &rows {
        let key = r
            .company_id
            .clone()
            .unwrap_or_else(|| format!("site {}", r.site_id));
        by_company.entry(key).or_default().push(r);
    }
    let checklist_c: Vec<_> = questionnaire.in_step(Step::ChecklistC).collect();
    let mut subcontractors: Vec<Subcontractor> = by_company
        .into_iter()
        .map(|(company_id, sites)| {
            let mut profile = [IloStatus::Unknown; 11];
            let mut indicators = Vec::new();
            for r in &sites {
                for (k, s) in r.ilo.iter().enumerate() {
                    profile[k] = profile[k].max(*s);
                }
                for reason in &r.reasons {
                    indicators.push(FiredLine {
                        site_id: r.site_id.clone(),
                        indicator: reason.indicator.clone(),
                        ilo: reason.ilo.clone(),
                        weight: reason.weight,
                        text: reason.text.clone(),
                    });
                }
            }
            let fired: BTreeSet<&str> = indicators.iter().map(|f| f.indicator.as_str()).collect();
            let flagged: BTreeSet<&str> = ILO_INDICATORS
                .iter()
                .zip(profile.iter())
                .filter(|(_, s)| matches!(s, IloStatus::Observed | IloStatus::Signalled))
                .map(|(id, _)| *id)
                .collect();
            let raise = checklist_c
                .iter()
                .filter_map(|q| {
                    let mut because: Vec<String> = q
                        .indicators
                        .iter()
                        .filter(|x| fired.contains(x.as_str()))
                        .cloned()
                        .collect();
                    because.extend(
                        q.ilo
                            .iter()
                            .filter(|x| flagged.contains(x.as_str()))
                            .cloned(),
                    );
                    (!because.is_empty()).then(|| RaiseItem {
                        question: q.id.clone(),
                        text: q.text.clone(),
                        action: q.action.clone(),
                        because,
                    })
                })
                .collect();
            Subcontractor {
                name: sites.first().and_then(|r| r.name.clone()),
                tier: sites.iter().map(|r| r.tier).max().unwrap_or_default(),
                priority: sites.iter().map(|r| r.priority).fold(0.0, f64::max),
                strip: profile.iter().map(|s| s.symbol()).collect(),
                ilo: ILO_INDICATORS
                    .iter()
                    .zip(profile)
                    .map(|(&id, status)| IloCell { id, status })
                    .collect(),
                sites: sites
                    .iter()
                    .map(|r| SiteLine {
                        site_id: r.site_id.clone(),
                        name: r.name.clone(),
                        rank: r.rank,
                        tier: r.tier,
                        priority: r.priority,
                        strip: r.ilo.iter().map(|s| s.symbol()).collect(),
                    })
                    .collect(),
                indicators,
                raise,
                company_id,
            }
        })
        .collect();
    subcontractors.sort_by(|a, b| {
        b.tier
            .cmp(&a.tier)
            .then_with(|| b.priority.total_cmp(&a.priority))
            .then_with(|| a.company_id.cmp(&b.company_id))
    });
    ScreeningReport {
        data_dir: scored.data.report.data_dir.display().to_string(),
        as_of: scored.as_of,
        sites: rows.len(),
        subcontractors,
    }
}

impl ScreeningReport {
    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string_pretty(self)
    }

    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        out.push_str("# Subcontractor screening\n\n");
        let _ = writeln!(
            out,
            "Data: `{}` · as of {} · {} site(s) of {} subcontractor(s) · rules scorer with the bundled indicator catalogue, the same the labour inspectors use.\n",
            self.data_dir,
            self.as_of,
            self.sites,
            self.subcontractors.len()
        );
        out.push_str("The tier is the highest ILO tier among a subcontractor's sites; the profile shows, per ILO indicator, the most serious status over its sites (● observed ◐ signalled · clear ? unknown: data missing, never counted as safe). Raise the checklist C items listed under each subcontractor with it.\n\n");
        out.push_str("| Company | Name | Sites | Highest tier | ILO profile | Indicators fired | Items to raise |\n|---|---|---|---|---|---|---|\n");
        for s in &self.subcontractors {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | `{}` | {} | {} |",
                md(&s.company_id),
                md(s.name.as_deref().unwrap_or("–")),
                s.sites.len(),
                s.tier.label(),
                s.strip,
                s.indicators.len(),
                s.raise.len()
            );
        }
        for s in &self.subcontractors {
            let _ = writeln!(
                out,
                "\n## {} {}\n",
                md(&s.company_id),
                md(s.name.as_deref().unwrap_or(""))
            );
            let _ = writeln!(
                out,
                "Highest ILO tier: **{}** · {} site(s) · ILO profile `{}`\n",
                s.tier.label(),
                s.sites.len(),
                s.strip
            );
            for status in [
                IloStatus::Observed,
                IloStatus::Signalled,
                IloStatus::Unknown,
            ] {
                let ids: Vec<&str> = s
                    .ilo
                    .iter()
                    .filter(|c| c.status == status)
                    .map(|c| ilo_label(c.id))
                    .collect();
                if !ids.is_empty() {
                    let _ = writeln!(out, "- {}: {}", capitalise(status.name()), ids.join(", "));
                }
            }
            out.push_str("\nSites:\n\n");
            for site in &s.sites {
                let _ = writeln!(
                    out,
                    "- `{}` {}: rank {}, {}, priority {:.1}, ILO `{}`",
                    site.site_id,
                    md(site.name.as_deref().unwrap_or("(no name)")),
                    site.rank,
                    site.tier.label(),
                    site.priority,
                    site.strip
                );
            }
            out.push_str("\nIndicators fired:\n\n");
            if s.indicators.is_empty() {
                out.push_str("- none: no indicator fired at its sites in the data given\n");
            }
            for f in &s.indicators {
                let _ = writeln!(
                    out,
                    "- `{}` at `{}` ({}): {}",
                    f.indicator,
                    f.site_id,
                    if f.ilo.is_empty() {
                        "context".to_string()
                    } else {
                        f.ilo.join(", ")
                    },
                    md(&f.text)
                );
            }
            out.push_str("\nItems to raise with it (checklist C):\n\n");
            if s.raise.is_empty() {
                out.push_str("- none specific to what the data shows; the general checklist C items still apply\n");
            }
            for item in &s.raise {
                let _ = writeln!(
                    out,
                    "- [ ] `{}` {} (because: {})\n  - Action: {}",
                    item.question,
                    md(&item.text),
                    item.because.join(", "),
                    md(&item.action)
                );
            }
        }
        out
    }
}

fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_fixture_lists_its_companies_with_items_to_raise() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good/full");
        let q = Questionnaire::bundled().unwrap_or_else(|e| panic!("{e}"));
        let as_of = NaiveDate::from_ymd_opt(2026, 6, 30);
        let report = screen(
            &dir,
            LoadOptions {
                pseudonym_key: Some(crate::data::pseudonym::test_key()),
                ..LoadOptions::default()
            },
            as_of,
            &q,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.sites, 5);
        let ids: Vec<&str> = report
            .subcontractors
            .iter()
            .map(|s| s.company_id.as_str())
            .collect();
        assert_eq!(ids.len(), 4, "{ids:?}");
        let koege = report
            .subcontractors
            .iter()
            .find(|s| s.company_id == "31000001")
            .expect("31000001");
        assert_eq!(koege.sites.len(), 2);
        // Sorted by tier, then priority.
        for w in report.subcontractors.windows(2) {
            assert!(w[0].tier >= w[1].tier);
        }
        // Whatever fired is explained, and every item to raise is a checklist C question.
        for s in &report.subcontractors {
            for item in &s.raise {
                assert!(item.question.starts_with("c_"), "{}", item.question);
                assert!(!item.because.is_empty());
            }
            for f in &s.indicators {
                assert!(!f.text.is_empty());
            }
        }
        assert!(
            report.subcontractors.iter().any(|s| !s.raise.is_empty()),
            "{}",
            report.to_markdown()
        );
        let md = report.to_markdown();
        assert!(md.contains("## 31000004"), "{md}");
        assert!(md.contains("Items to raise with it"), "{md}");
    }
}
