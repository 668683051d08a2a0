//! What the ranking says of the site to visit ([`SiteContext`]), the order
//! that puts the indicators the ranking flagged first, and the printable
//! Markdown checklist.

use std::fmt::Write as _;

use serde::Serialize;

use super::Checklist;
use crate::assess::score::ilo_label;
use crate::data::ILO_INDICATORS;
use crate::data::schema::OUTCOMES;
use crate::indicators::{IloStatus, Tier};
use crate::rank::explanation::Explanation;

/// Where the site stood in the ranking the checklist was made from.
#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    /// The analysis date.
    pub as_of: String,
    /// Rank among all sites.
    pub rank: usize,
    /// Number of sites.
    pub of: usize,
    /// Which scorer ranked it.
    pub scorer: String,
    /// ILO tier.
    pub tier: Tier,
    /// How many of the 11 ILO indicators were assessed.
    pub coverage: u8,
}

/// One ILO indicator as the ranking saw it before the visit.
#[derive(Debug, Clone, Serialize)]
pub struct IloContext {
    /// ILO id.
    pub id: &'static str,
    /// Status before the visit.
    pub status: IloStatus,
    /// Catalogue entries that fired for it.
    pub because: Vec<String>,
}

/// What is known of the site before the visit: the context the checklist
/// is ordered by.
#[derive(Debug, Clone, Serialize)]
pub struct SiteContext {
    /// Site id (P-number).
    pub site_id: String,
    /// Site name.
    pub name: Option<String>,
    /// Municipality.
    pub municipality: Option<String>,
    /// Sector code and name.
    pub sector: Option<String>,
    /// The ranking, when the site was scored.
    pub ranking: Option<Ranking>,
    /// The 11 ILO indicators, in the ILO's order.
    pub ilo: Vec<IloContext>,
}

impl SiteContext {
    /// A site not scored: every indicator unknown, the ILO's order.
    pub fn unscored(site_id: &str) -> SiteContext {
        SiteContext {
            site_id: site_id.to_string(),
            name: None,
            municipality: None,
            sector: None,
            ranking: None,
            ilo: ILO_INDICATORS
                .iter()
                .map(|id| IloContext {
                    id,
                    status: IloStatus::Unknown,
                    because: Vec::new(),
                })
                .collect(),
        }
    }

    /// The context from `tilsyn explain`'s explanation of the site.
    pub fn from_explanation(e: &Explanation) -> SiteContext {
        let sector = match (&e.sector_code, &e.sector_name) {
            (Some(c), Some(n)) => Some(format!("{c} {n}")),
            (Some(c), None) => Some(c.clone()),
            _ => None,
        };
        SiteContext {
            site_id: e.site_id.clone(),
            name: e.name.clone(),
            municipality: e.municipality.clone(),
            sector,
            ranking: Some(Ranking {
                as_of: e.as_of.clone(),
                rank: e.rank,
                of: e.of,
                scorer: e.scorer.clone(),
                tier: e.tier,
                coverage: e.coverage,
            }),
            ilo: e
                .ilo
                .iter()
                .map(|l| IloContext {
                    id: l.id,
                    status: l.status,
                    because: l.because.clone(),
                })
                .collect(),
        }
    }

    /// The status of an ILO indicator before the visit (unknown if not listed).
    pub fn status(&self, ilo: &str) -> IloStatus {
        self.ilo
            .iter()
            .find(|l| l.id == ilo)
            .map_or(IloStatus::Unknown, |l| l.status)
    }

    /// The catalogue entries that fired for an ILO indicator.
    pub fn because(&self, ilo: &str) -> &[String] {
        match self.ilo.iter().find(|l| l.id == ilo) {
            Some(l) => l.because.as_slice(),
            None => &[],
        }
    }

    /// The ILO indicators the ranking flagged (observed or signalled), in checklist order.
    pub fn flagged(&self) -> Vec<&'static str> {
        indicator_order(self)
            .into_iter()
            .filter(|id| is_flagged(self.status(id)))
            .collect()
    }
}

/// Whether a status flags the indicator for the visit.
pub fn is_flagged(s: IloStatus) -> bool {
    matches!(s, IloStatus::Observed | IloStatus::Signalled)
}

fn order_key(s: IloStatus) -> u8 {
    match s {
        IloStatus::Observed => 0,
        IloStatus::Signalled => 1,
        IloStatus::Unknown => 2,
        IloStatus::Clear => 3,
    }
}

/// The 11 ILO indicators in checklist order: those the ranking flagged
/// first (observed, then signalled), then those never assessed (unknown),
/// then those assessed clear; the ILO's order within each.
pub fn indicator_order(ctx: &SiteContext) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = ILO_INDICATORS.to_vec();
    ids.sort_by_key(|id| order_key(ctx.status(id)));
    ids
}

/// What a status means before the visit, for headings.
pub fn status_phrase(ctx: &SiteContext, ilo: &str) -> String {
    let because = ctx.because(ilo);
    let from = if because.is_empty() {
        String::new()
    } else {
        format!(": {}", because.join(", "))
    };
    match ctx.status(ilo) {
        IloStatus::Observed => format!("flagged, observed before the visit{from}"),
        IloStatus::Signalled => format!("flagged, signalled before the visit{from}"),
        IloStatus::Unknown => "not assessed before the visit".to_string(),
        IloStatus::Clear => "clear before the visit".to_string(),
    }
}

/// The printable checklist for one site, in Markdown: the site, what the
/// ranking flagged, how to use it, every question in the site's order with
/// what points to a victim and what to poor conditions, and what to do
/// after the visit.
pub fn to_markdown(checklist: &Checklist, ctx: &SiteContext) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Visit checklist: site {}{}",
        ctx.site_id,
        ctx.name
            .as_deref()
            .map_or(String::new(), |n| format!(" — {n}"))
    );
    out.push('\n');
    let mut facts: Vec<String> = Vec::new();
    if let Some(m) = &ctx.municipality {
        facts.push(m.clone());
    }
    if let Some(s) = &ctx.sector {
        facts.push(format!("sector {s}"));
    }
    match &ctx.ranking {
        Some(r) => {
            facts.push(format!(
                "rank {} of {} as of {} ({})",
                r.rank, r.of, r.as_of, r.scorer
            ));
            facts.push(format!("ILO tier: {}", r.tier.label()));
            facts.push(format!("{}/11 ILO indicators assessed", r.coverage));
        }
        None => facts.push("not ranked".to_string()),
    }
    let _ = writeln!(out, "{}", facts.join(" · "));
    out.push('\n');
    let flagged = ctx.flagged();
    if flagged.is_empty() {
        out.push_str(
            "**Flagged by the ranking:** nothing. Every indicator is asked, in the ILO's order.\n",
        );
    } else {
        let items: Vec<String> = flagged
            .iter()
            .map(|id| format!("{} ({})", ilo_label(id), status_phrase(ctx, id)))
            .collect();
        let _ = writeln!(
            out,
            "**Flagged by the ranking (asked first):** {}.",
            items.join("; ")
        );
    }
    let unknown: Vec<&str> = indicator_order(ctx)
        .into_iter()
        .filter(|id| ctx.status(id) == IloStatus::Unknown)
        .map(ilo_label)
        .collect();
    if !unknown.is_empty() {
        out.push('\n');
        let _ = writeln!(
            out,
            "**Not assessed before the visit (unknown, not low risk):** {}.",
            unknown.join(", ")
        );
    }
    out.push_str(HOW_TO_USE);
    for (n, ilo) in indicator_order(ctx).into_iter().enumerate() {
        out.push('\n');
        let _ = writeln!(
            out,
            "## {}. {} ({})",
            n + 1,
            ilo_label(ilo),
            status_phrase(ctx, ilo)
        );
        for q in checklist.for_indicator(ilo) {
            out.push('\n');
            let delphi = q
                .delphi
                .as_ref()
                .map_or(String::new(), |d| format!(" · Delphi: {}", d.describe()));
            let _ = writeln!(out, "**{}** · {}{delphi}", q.id, q.method.label());
            out.push('\n');
            let _ = writeln!(out, "{}", q.text);
            out.push('\n');
            out.push_str("- [ ] yes   [ ] no   [ ] unknown   · workers concerned: ______\n");
            let _ = writeln!(out, "- *Possible victim:* {}", q.victim);
            let _ = writeln!(out, "- *Poor conditions only:* {}", q.poor_conditions);
            out.push_str("- Note: ____________________________________________________________\n");
        }
    }
    out.push_str("\n## After the visit\n\n");
    out.push_str(
        "1. Copy the answers into the visit form (`tilsyn visit checklist --site SITE --form FILE` writes it, with every question in this order): `answer` yes, no or unknown, `workers`, `note`, and the visit's `inspection_id`, `date`, `agency`, `trigger` and `outcome`.\n",
    );
    out.push_str(
        "2. `tilsyn visit record --form FILE --data DIR` appends the visit to `inspections.csv` (scope `forced_labour`) and one row per ILO indicator answered yes to `findings.csv`, so the next ranking and the next training count it.\n",
    );
    out.push_str(
        "3. For a possible victim, `tilsyn visit referral --form FILE --data DIR` writes the referral summary for CMM: the indicators observed, the number of workers concerned and their permit schemes, and the contact route; no personal data.\n",
    );
    let _ = writeln!(
        out,
        "\nOutcome codes, from least to most serious: {}.",
        OUTCOMES
            .iter()
            .map(|o| format!("`{o}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        out,
        "\nQuestions from {} (ILO indicators of forced labour 2012; ILO/EC Delphi indicators 2009); docs/visit.md.",
        checklist.file
    );
    out
}

const HOW_TO_USE: &str = "
## How to use it

- Talk to each worker alone, away from the employer, supervisors, recruiters and fellow workers who speak for others, with an interpreter the employer did not choose. Say who you are and that you are not there to deport anyone.
- Answer every question **yes** (the indicator is present), **no** (looked for and not found) or **unknown** (not looked at, or no clear answer). Only a yes records a finding; write how many workers it concerns.
- A yes alone does not tell a victim from a worker in a poor job. Under each question, *possible victim* says what points to coercion, *poor conditions only* what points to a breach of labour, tax or housing law by an employer the worker is free to leave. Behind them all: can the worker refuse, complain and leave without losing more than the job?
- Write no names, CPR, passport, phone or account numbers in the notes.
";
