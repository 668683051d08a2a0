//! Everything behind one site's rank, as data: the site, its priority and
//! how it is made, the ILO profile, the Delphi dimensions, every indicator
//! with its status and evidence sentence, the source records, and the data
//! that was missing. `explain` prints it as text or JSON.

use serde::Serialize;

use super::evidence::{self, Record};
use super::register_evidence;
use super::rows::{exposure, workers_exposed};
use super::{Filter, rank};
use crate::data::parse::to_days;
use crate::data::reference::ReferenceData;
use crate::data::{ILO_INDICATORS, Table};
use crate::indicators::engine::RULE_PREFIX;
use crate::indicators::explain::render;
use crate::indicators::{Dimension, IloStatus, Kind, Strength, Tier};
use crate::pipeline::Scored;

/// One indicator at the site.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorLine {
    /// Indicator id.
    pub id: String,
    /// Evidence or signal.
    pub kind: Kind,
    /// ILO ids.
    pub ilo: Vec<String>,
    /// Delphi dimension.
    pub delphi_dimension: Option<Dimension>,
    /// Delphi strength.
    pub strength: Option<Strength>,
    /// fired, expired, clear or unknown.
    pub status: &'static str,
    /// Weight after decay, when fired.
    pub weight: Option<f64>,
    /// The sentence with the evidence values.
    pub text: String,
    /// Tables it needs.
    pub needs: Vec<String>,
    /// Needed tables that are absent.
    pub missing_tables: Vec<String>,
    /// Source of the indicator.
    pub source: String,
}

impl IndicatorLine {
    /// `[status] id (Kind strength weight 1.00)`: how text outputs head an
    /// indicator.
    pub fn heading(&self) -> String {
        let weight = self
            .weight
            .map_or(String::new(), |w| format!(" weight {w:.2}"));
        let strength = self
            .strength
            .map_or(String::new(), |s| format!(" {s:?}").to_lowercase());
        format!(
            "[{}] {} ({:?}{strength}{weight})",
            self.status, self.id, self.kind
        )
    }
}

/// One ILO indicator's status and the catalogue entries behind it.
#[derive(Debug, Clone, Serialize)]
pub struct IloLine {
    /// ILO id.
    pub id: &'static str,
    /// Status.
    pub status: IloStatus,
    /// Catalogue entries that fired for it.
    pub because: Vec<String>,
}

/// One Delphi dimension.
#[derive(Debug, Clone, Serialize)]
pub struct DimensionLine {
    /// The dimension.
    pub dimension: Dimension,
    /// Readable name.
    pub label: &'static str,
    /// Whether it is positive.
    pub positive: bool,
    /// Fired indicators in it.
    pub indicators: Vec<String>,
}

/// Everything behind one site's rank.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// Site id.
    pub site_id: String,
    /// Site name.
    pub name: Option<String>,
    /// Company id.
    pub company_id: Option<String>,
    /// Municipality.
    pub municipality: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// DB07 code.
    pub sector_code: Option<String>,
    /// DB07 name.
    pub sector_name: Option<String>,
    /// Risk group.
    pub risk_group: Option<String>,
    /// The analysis date.
    pub as_of: String,
    /// Rank among all sites.
    pub rank: usize,
    /// Number of sites.
    pub of: usize,
    /// Sum of indicator weights.
    pub score: f64,
    /// Workers exposed.
    pub workers_exposed: f64,
    /// Exposure factor.
    pub exposure: f64,
    /// Priority (see `docs/model.md`): probability or score × exposure × recency × unacted.
    pub priority: f64,
    /// The model's probability, when a model is used.
    pub probability: Option<f64>,
    /// The model's largest contributions, when a model is used.
    pub contributions: Vec<super::Contribution>,
    /// Which scorer ranked the site (`rules` or `model: <learner> (trained to <date>)`).
    pub scorer: String,
    /// How many of the 11 ILO indicators were assessed (not unknown).
    pub coverage: u8,
    /// ILO tier.
    pub tier: Tier,
    /// Delphi dimensions.
    pub dimensions: Vec<DimensionLine>,
    /// The 11 ILO indicators.
    pub ilo: Vec<IloLine>,
    /// Every catalogue indicator, fired first.
    pub indicators: Vec<IndicatorLine>,
    /// Source records.
    pub records: Vec<Record>,
    /// The register records behind the pay, hours and housing signals:
    /// payroll rows of the 12-month window and the permit holders'
    /// residences (see [`super::register_evidence`]).
    pub register_records: Vec<Record>,
    /// Tables absent from the data.
    pub absent_tables: Vec<String>,
    /// Features with no value at this site.
    pub unknown_features: Vec<String>,
}

/// A site id that is not in the data.
#[derive(Debug, thiserror::Error)]
#[error("site '{0}' is not in the sites table; `tilsyn rank` lists the site ids")]
pub struct UnknownSite(pub String);

/// Explains one site.
pub fn explain(scored: &Scored, site_id: &str) -> anyhow::Result<Explanation> {
    explain_with(scored, site_id, false)
}

/// Explains one site; with `show_notes` the findings' notes (masked on
/// load) are in their records.
pub fn explain_with(
    scored: &Scored,
    site_id: &str,
    show_notes: bool,
) -> anyhow::Result<Explanation> {
    let frame = &scored.assessment.frame;
    let ids = frame.column("site_id")?.str()?;
    let row = ids
        .iter()
        .position(|x| x == Some(site_id))
        .ok_or_else(|| UnknownSite(site_id.to_string()))?;
    let all = rank(scored, &Filter::default(), None, 0);
    let me = all.iter().find(|r| r.row == row);
    let position = me.map_or(0, |r| r.rank);
    let s = &scored.assessment.sites[row];
    let cat = &scored.catalogue.catalogue;
    let get_str = |name: &str| {
        frame
            .column(name)
            .ok()
            .and_then(|c| c.str().ok().and_then(|c| c.get(row).map(str::to_string)))
    };
    let workers = workers_exposed(frame)[row];

    let mut indicators: Vec<IndicatorLine> = cat
        .indicators
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let fired = s.fired.iter().find(|(j, _)| *j == i);
            let status = if fired.is_some() {
                "fired"
            } else if s.expired.contains(&i) {
                "expired"
            } else if s.unknown.contains(&i) {
                "unknown"
            } else {
                "clear"
            };
            let missing_tables: Vec<String> = d
                .needed_tables()
                .into_iter()
                .filter(|t| !scored.data.has_rows(*t))
                .map(|t| t.name().to_string())
                .collect();
            let mut text = render(&d.explain, frame, row);
            if status == "expired" {
                text = format!(
                    "{text} (expired: older than {:.0} days, no longer counted)",
                    cat.scoring.expire_days
                );
            }
            if status == "unknown" && missing_tables.is_empty() {
                text = format!(
                    "not assessed here: that needs {}",
                    d.assessed_by
                        .as_deref()
                        .or(d.assessed.as_deref())
                        .unwrap_or("data this site does not have")
                );
            }
            if let Some((_, w)) = fired
                && *w == 0.0
                && let Some(first) = s
                    .fired
                    .iter()
                    .find(|(j, v)| *v > 0.0 && cat.indicators[*j].group() == d.group())
            {
                text = format!(
                    "{text} (the same fact as {}, which counts for both)",
                    cat.indicators[first.0].id
                );
            }
            IndicatorLine {
                id: d.id.clone(),
                kind: d.kind,
                ilo: d.ilo.clone(),
                delphi_dimension: d.delphi_dimension,
                strength: d.strength,
                status,
                weight: fired.map(|(_, w)| *w),
                text,
                needs: d.needs.clone(),
                missing_tables,
                source: d.source.clone(),
            }
        })
        .collect();
    let order = |st: &str| match st {
        "fired" => 0,
        "expired" => 1,
        "unknown" => 3,
        _ => 2,
    };
    indicators.sort_by(|a, b| {
        order(a.status)
            .cmp(&order(b.status))
            .then(b.weight.unwrap_or(0.0).total_cmp(&a.weight.unwrap_or(0.0)))
    });

    let ilo = ILO_INDICATORS
        .iter()
        .enumerate()
        .map(|(k, id)| IloLine {
            id,
            status: s.ilo[k],
            because: s
                .fired
                .iter()
                .filter(|(i, _)| cat.indicators[*i].ilo.iter().any(|x| x == id))
                .map(|(i, _)| cat.indicators[*i].id.clone())
                .collect(),
        })
        .collect();
    let dimensions = Dimension::ALL
        .iter()
        .map(|d| DimensionLine {
            dimension: *d,
            label: d.label(),
            positive: s.dimensions[d.index()],
            indicators: s
                .fired
                .iter()
                .filter(|(i, _)| cat.indicators[*i].delphi_dimension == Some(*d))
                .map(|(i, _)| cat.indicators[*i].id.clone())
                .collect(),
        })
        .collect();
    let absent_tables: Vec<String> = Table::ALL
        .iter()
        .filter(|t| !scored.data.has_rows(**t))
        .map(|t| t.name().to_string())
        .collect();
    let unknown_features: Vec<String> = frame
        .columns()
        .iter()
        .filter(|c| !c.name().starts_with(RULE_PREFIX) && !c.name().starts_with('_'))
        .filter(|c| c.get(row).is_ok_and(|v| v.is_null()))
        .map(|c| c.name().to_string())
        .collect();
    let company = get_str("company_id");
    let records = evidence::records(
        &scored.data,
        site_id,
        company.as_deref(),
        to_days(scored.as_of),
        show_notes,
    )?;
    let register_records =
        register_evidence::register_records(&scored.data, site_id, scored.as_of)?;
    let sector = get_str("sector_code");
    Ok(Explanation {
        site_id: site_id.to_string(),
        name: get_str("name"),
        company_id: company,
        municipality: get_str("municipality"),
        region: get_str("region"),
        sector_name: sector
            .as_deref()
            .and_then(|c| ReferenceData::bundled().sector(c))
            .map(|x| x.name.clone()),
        sector_code: sector,
        risk_group: get_str("risk_group"),
        as_of: scored.as_of.to_string(),
        rank: position,
        of: all.len(),
        score: s.rule_score,
        workers_exposed: workers,
        exposure: exposure(workers),
        priority: me.map_or(0.0, |r| r.priority),
        probability: me.and_then(|r| r.probability),
        contributions: me.map_or_else(Vec::new, |r| {
            let limit = 5.min(
                scored
                    .model
                    .as_ref()
                    .map_or(0, |(_, m)| m.contributions[row].len()),
            );
            let mut c = r.contributions.clone();
            c.truncate(limit);
            c
        }),
        scorer: scored.scorer_label(),
        coverage: s.coverage,
        tier: s.tier,
        dimensions,
        ilo,
        indicators,
        records,
        register_records,
        absent_tables,
        unknown_features,
    })
}
