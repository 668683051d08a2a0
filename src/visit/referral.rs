//! The referral summary for Center mod Menneskehandel (CMM): the site and
//! its municipality, the date and agency of the visit, the ILO indicators
//! observed with their Delphi items and strengths (and what the Delphi
//! combination rule makes of them), how many workers the answers concern,
//! the permit holders at the site on the visit date counted per scheme from
//! the permits table, and the contact route from the checklist file.
//!
//! Counts only: the summary holds no person id, pseudonym, name or note.
//! Person ids are read to count distinct permit holders and never leave
//! [`site_facts`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::NaiveDate;
use polars::prelude::{AnyValue, Column, PolarsResult};
use serde::Serialize;

use super::checklist::{Checklist, DelphiItem, ReferralRoute, strength_name};
use super::record::VisitRecord;
use crate::assess::score::ilo_label;
use crate::data::parse::to_days;
use crate::data::reference::ReferenceData;
use crate::data::schema::SCHEMES;
use crate::data::{Dataset, Table};
use crate::indicators::tier::StrengthCounts;
use crate::indicators::{Dimension, Strength, Tier};

/// Permit holders of one scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemeCount {
    /// The scheme id (`None`: not given on the permit).
    pub scheme: Option<String>,
    /// A readable name.
    pub label: String,
    /// Distinct permit holders with a permit of the scheme in force.
    pub holders: usize,
}

/// What the data says of the site, as counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteFacts {
    /// Site id.
    pub site_id: String,
    /// Site name.
    pub name: Option<String>,
    /// Municipality name and code.
    pub municipality: Option<String>,
    /// Whether the data has a permits table.
    pub permits_present: bool,
    /// Distinct permit holders with a permit in force on the date.
    pub permit_holders: usize,
    /// The same per scheme, in the order of the scheme list; not given last.
    pub schemes: Vec<SchemeCount>,
}

fn date_at(c: &Column, i: usize) -> Option<i32> {
    match c.get(i) {
        Ok(AnyValue::Date(d)) => Some(d),
        _ => None,
    }
}

fn scheme_label(id: &str) -> String {
    ReferenceData::bundled()
        .schemes
        .iter()
        .find(|s| s.scheme == id)
        .map_or_else(|| format!("`{id}`"), |s| format!("{} (`{id}`)", s.name_en))
}

/// The site's name, municipality and permit holders on `date` (a permit in
/// force: started on or before it, not ended before it), counted per
/// scheme. `None` when the site is not in the sites table.
pub fn site_facts(ds: &Dataset, site_id: &str, date: NaiveDate) -> PolarsResult<Option<SiteFacts>> {
    let Some(sites) = ds.get(Table::Sites) else {
        return Ok(None);
    };
    let ids = sites.column("site_id")?.str()?;
    let Some(row) = ids.iter().position(|x| x == Some(site_id)) else {
        return Ok(None);
    };
    let name = sites.column("name")?.str()?.get(row).map(str::to_string);
    let municipality = sites
        .column("municipality_code")?
        .i64()?
        .get(row)
        .map(|code| {
            match u16::try_from(code)
                .ok()
                .and_then(|c| ReferenceData::bundled().municipality(c))
            {
                Some(m) => format!("{} ({code})", m.name),
                None => format!("municipality code {code}"),
            }
        });
    let day = to_days(date);
    let mut holders: BTreeSet<&str> = BTreeSet::new();
    let mut by_scheme: BTreeMap<Option<&str>, BTreeSet<&str>> = BTreeMap::new();
    if let Some(p) = ds.get(Table::Permits) {
        let psite = p.column("site_id")?.str()?;
        let person = p.column("person_id")?.str()?;
        let scheme = p.column("scheme")?.str()?;
        let start = p.column("start_date")?;
        let end = p.column("end_date")?;
        for i in 0..p.height() {
            if psite.get(i) != Some(site_id) {
                continue;
            }
            let Some(who) = person.get(i) else {
                continue;
            };
            let started = date_at(start, i).is_some_and(|d| d <= day);
            let ended = date_at(end, i).is_some_and(|d| d < day);
            if !started || ended {
                continue;
            }
            holders.insert(who);
            by_scheme.entry(scheme.get(i)).or_default().insert(who);
        }
    }
    let mut schemes: Vec<SchemeCount> = SCHEMES
        .iter()
        .filter_map(|s| {
            by_scheme.get(&Some(*s)).map(|set| SchemeCount {
                scheme: Some((*s).to_string()),
                label: scheme_label(s),
                holders: set.len(),
            })
        })
        .collect();
    if let Some(set) = by_scheme.get(&None) {
        schemes.push(SchemeCount {
            scheme: None,
            label: "scheme not given".to_string(),
            holders: set.len(),
        });
    }
    Ok(Some(SiteFacts {
        site_id: site_id.to_string(),
        name,
        municipality,
        permits_present: ds.has(Table::Permits),
        permit_holders: holders.len(),
        schemes,
    }))
}

/// One ILO indicator observed at the visit.
#[derive(Debug, Clone, Serialize)]
pub struct ObservedIndicator {
    /// ILO id.
    pub ilo: &'static str,
    /// Readable name.
    pub label: &'static str,
    /// The Delphi items of the questions answered yes, strongest first.
    pub delphi: Vec<DelphiItem>,
    /// The strongest of them.
    pub strength: Option<Strength>,
    /// Workers concerned (the largest count of its "yes" answers).
    pub workers: Option<u32>,
    /// The questions answered yes.
    pub questions: Vec<String>,
}

/// The referral summary.
#[derive(Debug, Clone, Serialize)]
pub struct Referral {
    /// The site.
    pub site: SiteFacts,
    /// The visit's case id.
    pub inspection_id: String,
    /// The day of the visit.
    pub date: NaiveDate,
    /// Who inspected.
    pub agency: String,
    /// The outcome recorded (may be blank).
    pub outcome: String,
    /// The ILO indicators observed, in the ILO's order.
    pub indicators: Vec<ObservedIndicator>,
    /// Workers concerned: the largest count recorded for one indicator.
    pub workers_concerned: Option<u32>,
    /// Delphi dimensions positive on the observations alone.
    pub positive_dimensions: Vec<Dimension>,
    /// The ILO tier of the observations alone.
    pub tier: Tier,
    /// Where the referral goes.
    pub route: ReferralRoute,
}

impl Referral {
    /// Builds the summary from a visit's record, its checklist and the site's facts.
    pub fn new(record: &VisitRecord, checklist: &Checklist, site: SiteFacts) -> Referral {
        let mut items: BTreeMap<(Dimension, String), Strength> = BTreeMap::new();
        let indicators: Vec<ObservedIndicator> = record
            .findings
            .iter()
            .map(|f| {
                let mut delphi: Vec<DelphiItem> = Vec::new();
                for q in f.questions.iter().filter_map(|id| checklist.get(id)) {
                    if let Some(d) = &q.delphi
                        && !delphi.contains(d)
                    {
                        delphi.push(d.clone());
                    }
                }
                delphi.sort_by_key(|d| std::cmp::Reverse(d.strength));
                for d in &delphi {
                    let e = items
                        .entry((d.dimension, d.item.clone()))
                        .or_insert(d.strength);
                    if d.strength > *e {
                        *e = d.strength;
                    }
                }
                ObservedIndicator {
                    ilo: f.indicator,
                    label: ilo_label(f.indicator),
                    strength: delphi.first().map(|d| d.strength),
                    delphi,
                    workers: f.workers_affected,
                    questions: f.questions.clone(),
                }
            })
            .collect();
        let mut counts = [StrengthCounts::default(); 6];
        for ((dimension, _), strength) in &items {
            counts[dimension.index()].add(*strength);
        }
        let mut positive = [false; 6];
        for (p, c) in positive.iter_mut().zip(counts) {
            *p = c.positive();
        }
        let positive_dimensions = Dimension::ALL
            .into_iter()
            .filter(|d| positive[d.index()])
            .collect();
        Referral {
            site,
            inspection_id: record.inspection.inspection_id.clone(),
            date: record.inspection.date,
            agency: record.inspection.agency.clone(),
            outcome: record.inspection.outcome.clone(),
            workers_concerned: indicators.iter().filter_map(|i| i.workers).max(),
            indicators,
            positive_dimensions,
            tier: Tier::from_dimensions(&positive),
            route: checklist.referral.clone(),
        }
    }

    /// The summary as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# Referral to {}", self.route.to);
        out.push('\n');
        out.push_str(
            "Possible victims of trafficking for forced labour, seen at an inspection. This summary holds counts only; the inspection's case file holds the rest.\n\n",
        );
        out.push_str("| | |\n|---|---|\n");
        let site = match &self.site.name {
            Some(n) => format!("{} — {}", self.site.site_id, n),
            None => self.site.site_id.clone(),
        };
        let _ = writeln!(out, "| Site | {} |", cell(&site));
        let _ = writeln!(
            out,
            "| Municipality | {} |",
            cell(self.site.municipality.as_deref().unwrap_or("not known"))
        );
        let _ = writeln!(out, "| Date of the visit | {} |", self.date);
        let _ = writeln!(
            out,
            "| Inspecting agency | {} |",
            agency_label(&self.agency)
        );
        let _ = writeln!(out, "| Inspection | {} |", cell(&self.inspection_id));
        let outcome = if self.outcome.is_empty() {
            "not recorded".to_string()
        } else {
            format!("`{}`", self.outcome)
        };
        let _ = writeln!(out, "| Outcome recorded | {outcome} |");

        out.push_str("\n## Indicators observed\n\n");
        if self.indicators.is_empty() {
            out.push_str(
                "No question of the checklist was answered yes. A referral may still be made on the inspector's judgement; say why in the referral.\n",
            );
        } else {
            out.push_str(
                "| ILO indicator (ILO 2012) | Delphi item (ILO/EC 2009), strength | workers concerned | questions answered yes |\n|---|---|---|---|\n",
            );
            for i in &self.indicators {
                let delphi = if i.delphi.is_empty() {
                    "-".to_string()
                } else {
                    i.delphi
                        .iter()
                        .map(DelphiItem::describe)
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    i.label,
                    delphi,
                    i.workers
                        .map_or_else(|| "not counted".to_string(), |w| w.to_string()),
                    i.questions.join(", ")
                );
            }
            out.push('\n');
            if self.positive_dimensions.is_empty() {
                out.push_str(
                    "On these observations alone no Delphi dimension is positive (the rule needs 2 strong items, 1 strong and 1 other, 3 medium, or 2 medium and 1 weak).\n",
                );
            } else {
                let _ = writeln!(
                    out,
                    "On these observations alone the Delphi combination rule marks positive: {}. ILO tier of the observations: {}.",
                    self.positive_dimensions
                        .iter()
                        .map(|d| d.label())
                        .collect::<Vec<_>>()
                        .join(", "),
                    self.tier.label()
                );
            }
            let strongest = self.indicators.iter().filter_map(|i| i.strength).max();
            if let Some(s) = strongest {
                let _ = writeln!(
                    out,
                    "\nStrongest Delphi item observed: {}.",
                    strength_name(s)
                );
            }
        }

        out.push_str("\n## Workers concerned\n\n");
        match self.workers_concerned {
            Some(w) => {
                let _ = writeln!(
                    out,
                    "- At least {w} worker(s) concerned: the largest number recorded for one indicator (the same person may be counted under several)."
                );
            }
            None => out.push_str("- The number of workers concerned was not counted.\n"),
        }
        if !self.site.permits_present {
            out.push_str(
                "- The data has no permits table: the permit schemes of the workers are not known.\n",
            );
        } else {
            let _ = writeln!(
                out,
                "- Permit holders at the site on {} (work and residence permits in force, from the permits register): {}.",
                self.date, self.site.permit_holders
            );
            if !self.site.schemes.is_empty() {
                out.push_str("\n| permit scheme | permit holders |\n|---|---|\n");
                for s in &self.site.schemes {
                    let _ = writeln!(out, "| {} | {} |", cell(&s.label), s.holders);
                }
                out.push_str(
                    "\nA person with permits of two schemes is counted under each, and once in the total.\n",
                );
            }
        }
        out.push_str(
            "\nCounts only: no person is named, numbered or pseudonymised in this summary.\n",
        );

        out.push_str("\n## Contact route\n\n");
        let _ = writeln!(out, "**To:** {}", self.route.to);
        out.push('\n');
        let _ = writeln!(out, "{}", self.route.route);
        if !self.route.check.trim().is_empty() {
            out.push('\n');
            let _ = writeln!(out, "**Check before use:** {}", self.route.check);
        }

        out.push_str("\n## What this summary leaves out\n\n");
        out.push_str(
            "No names, CPR, passport or phone numbers, pseudonyms or inspectors' notes: they stay in the inspection's case file and reach CMM through the contact route above, not through this summary. Made with `tilsyn visit referral` from the visit form (docs/visit.md).\n",
        );
        out
    }
}

/// A readable name of an agency code.
fn agency_label(code: &str) -> String {
    match code {
        "AT" => "Arbejdstilsynet (`AT`, the Working Environment Authority)".to_string(),
        "SKAT" => "Skattestyrelsen (`SKAT`, the tax authority)".to_string(),
        "POLICE" => "the police (`POLICE`)".to_string(),
        "SIRI" => {
            "SIRI (`SIRI`, the Agency for International Recruitment and Integration)".to_string()
        }
        "JOINT" => "a joint control (`JOINT`)".to_string(),
        "" => "not recorded".to_string(),
        other => format!("`{other}`"),
    }
}

/// Text safe in a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "/").replace(['\n', '\r'], " ")
}
