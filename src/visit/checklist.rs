//! The visit checklist as data: its TOML format (`models/visit_checklist.toml`),
//! loading, and the checks that every question has a unique id, observes one
//! of the 11 ILO indicators, says what points to a victim and what to poor
//! conditions only, and names a whole Delphi item (dimension, item, strength)
//! or none; that every ILO indicator has a question; and the referral route.
//! Also what the ranking says of the site to visit ([`SiteContext`]), the
//! order that puts the indicators the ranking flagged first, and the
//! printable Markdown checklist. Errors name the file, the question and its
//! line, as the catalogue's do.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::assess::score::ilo_label;
use crate::data::ILO_INDICATORS;
use crate::data::schema::OUTCOMES;
use crate::indicators::{Dimension, IloStatus, Strength, Tier};
use crate::rank::explanation::Explanation;

/// The bundled checklist, for when no file is given.
pub const BUNDLED: &str = include_str!("../../models/visit_checklist.toml");

/// The name the bundled checklist is reported under.
pub const BUNDLED_NAME: &str = "models/visit_checklist.toml";

/// How an answer is found at the visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Ask the worker (alone, with an independent interpreter).
    Ask,
    /// Look at the site or the housing.
    Observe,
    /// Check contracts, payslips, time sheets, bank records.
    Records,
}

impl Method {
    /// All methods.
    pub const ALL: [Method; 3] = [Method::Ask, Method::Observe, Method::Records];

    /// The id used in the checklist file.
    pub fn id(self) -> &'static str {
        match self {
            Method::Ask => "ask",
            Method::Observe => "observe",
            Method::Records => "records",
        }
    }

    /// A readable name.
    pub fn label(self) -> &'static str {
        match self {
            Method::Ask => "ask the worker",
            Method::Observe => "observe",
            Method::Records => "check the records",
        }
    }

    /// Parses an id.
    pub fn from_id(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.id() == s)
    }
}

/// The snake_case id of a Delphi dimension, as the catalogue writes it.
pub fn dimension_id(d: Dimension) -> &'static str {
    match d {
        Dimension::DeceptiveRecruitment => "deceptive_recruitment",
        Dimension::CoerciveRecruitment => "coercive_recruitment",
        Dimension::RecruitmentAbuseOfVulnerability => "recruitment_abuse_of_vulnerability",
        Dimension::ExploitativeConditions => "exploitative_conditions",
        Dimension::CoercionAtDestination => "coercion_at_destination",
        Dimension::AbuseOfVulnerabilityAtDestination => "abuse_of_vulnerability_at_destination",
    }
}

/// The lower-case name of a Delphi strength.
pub fn strength_name(s: Strength) -> &'static str {
    match s {
        Strength::Strong => "strong",
        Strength::Medium => "medium",
        Strength::Weak => "weak",
    }
}

fn strength_from_id(s: &str) -> Option<Strength> {
    [Strength::Strong, Strength::Medium, Strength::Weak]
        .into_iter()
        .find(|x| strength_name(*x) == s)
}

/// The Delphi item a question observes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DelphiItem {
    /// The dimension.
    pub dimension: Dimension,
    /// The item, snake_case as in the catalogue.
    pub item: String,
    /// Its strength.
    pub strength: Strength,
}

impl DelphiItem {
    /// `coercion at destination: confiscation of documents (strong)`.
    pub fn describe(&self) -> String {
        format!(
            "{}: {} ({})",
            self.dimension.label(),
            self.item.replace('_', " "),
            strength_name(self.strength)
        )
    }
}

/// One question or observation.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    /// Unique id; the key in a visit form.
    pub id: String,
    /// The ILO indicator a "yes" records.
    pub ilo: &'static str,
    /// How the answer is found.
    pub method: Method,
    /// The question, answered yes (the indicator is present), no or unknown.
    pub text: String,
    /// What points to coercion: a possible victim.
    pub victim: String,
    /// What points to poor conditions only: a breach by an employer the worker is free to leave.
    pub poor_conditions: String,
    /// The Delphi item it observes, where one applies.
    pub delphi: Option<DelphiItem>,
}

/// The contact route printed on the referral summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralRoute {
    /// Who the referral goes to.
    pub to: String,
    /// How it is made.
    pub route: String,
    /// What the user must check before use (contact details).
    pub check: String,
}

/// The checklist.
#[derive(Debug, Clone, Serialize)]
pub struct Checklist {
    /// Format version.
    pub version: u32,
    /// The questions, in file order.
    pub questions: Vec<Question>,
    /// The referral route.
    pub referral: ReferralRoute,
    /// Where it was read from.
    #[serde(skip)]
    pub file: String,
    /// Line of each question's `id` in the file (1-based; 0 if not found).
    #[serde(skip)]
    pub lines: Vec<usize>,
}

/// A checklist that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ChecklistError {
    /// The file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// TOML or structure error.
    #[error("{file}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A question is wrong.
    #[error("{file}: line {line}: question '{id}': {message}")]
    Entry {
        /// The file.
        file: String,
        /// Line of the question's id.
        line: usize,
        /// The question.
        id: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: u32,
    referral: RawReferral,
    #[serde(rename = "question", default)]
    questions: Vec<RawQuestion>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReferral {
    to: String,
    route: String,
    #[serde(default)]
    check: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    ilo: String,
    method: String,
    text: String,
    victim: String,
    poor_conditions: String,
    #[serde(default)]
    delphi_dimension: Option<String>,
    #[serde(default)]
    delphi_item: Option<String>,
    #[serde(default)]
    strength: Option<String>,
}

impl Checklist {
    /// The checklist shipped in `models/visit_checklist.toml`.
    pub fn bundled() -> Result<Checklist, ChecklistError> {
        Self::parse(BUNDLED, BUNDLED_NAME)
    }

    /// Reads and checks a checklist file.
    pub fn from_file(path: &Path) -> Result<Checklist, ChecklistError> {
        let text = std::fs::read_to_string(path).map_err(|source| ChecklistError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses checklist text and checks every question.
    pub fn parse(text: &str, file: &str) -> Result<Checklist, ChecklistError> {
        let parse_err = |message: String| ChecklistError::Parse {
            file: file.to_string(),
            message,
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| parse_err(e.to_string()))?;
        if raw.version != 1 {
            return Err(parse_err(format!(
                "version {} is not supported; this tilsyn reads version 1",
                raw.version
            )));
        }
        if raw.referral.to.trim().is_empty() || raw.referral.route.trim().is_empty() {
            return Err(parse_err(
                "[referral] needs `to` (who the referral goes to) and `route` (how it is made)"
                    .into(),
            ));
        }
        let ids: Vec<&str> = raw.questions.iter().map(|q| q.id.as_str()).collect();
        let lines = id_lines(text, &ids);
        let mut seen = HashSet::new();
        let mut questions = Vec::with_capacity(raw.questions.len());
        for (i, q) in raw.questions.into_iter().enumerate() {
            let err = |message: String| ChecklistError::Entry {
                file: file.to_string(),
                line: lines.get(i).copied().unwrap_or(0),
                id: q.id.clone(),
                message,
            };
            if q.id.is_empty()
                || !q
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(err(
                    "ids are snake_case: lower-case letters, digits and _".into()
                ));
            }
            if !seen.insert(q.id.clone()) {
                return Err(err("duplicate id: every question needs its own id".into()));
            }
            let ilo = ILO_INDICATORS
                .iter()
                .find(|x| **x == q.ilo)
                .copied()
                .ok_or_else(|| {
                    err(format!(
                        "ilo = '{}' is not an ILO indicator id; use one of {}",
                        q.ilo,
                        ILO_INDICATORS.join(", ")
                    ))
                })?;
            let method = Method::from_id(&q.method).ok_or_else(|| {
                err(format!(
                    "method = '{}' is not a method; use ask, observe or records",
                    q.method
                ))
            })?;
            for (field, value) in [
                ("text", &q.text),
                ("victim", &q.victim),
                ("poor_conditions", &q.poor_conditions),
            ] {
                if value.trim().is_empty() {
                    return Err(err(format!(
                        "`{field}` is empty: a question says what it asks, and what answer points to a victim and what to poor conditions only"
                    )));
                }
            }
            let delphi = match (q.delphi_dimension, q.delphi_item, q.strength) {
                (None, None, None) => None,
                (Some(d), Some(item), Some(s)) => {
                    let dimension = Dimension::ALL
                        .into_iter()
                        .find(|x| dimension_id(*x) == d)
                        .ok_or_else(|| {
                            err(format!(
                                "delphi_dimension = '{d}' is not a Delphi dimension; use one of {}",
                                Dimension::ALL
                                    .iter()
                                    .map(|x| dimension_id(*x))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ))
                        })?;
                    let strength = strength_from_id(&s).ok_or_else(|| {
                        err(format!(
                            "strength = '{s}' is not a Delphi strength; use strong, medium or weak"
                        ))
                    })?;
                    if item.trim().is_empty() {
                        return Err(err("`delphi_item` is empty".into()));
                    }
                    Some(DelphiItem {
                        dimension,
                        item,
                        strength,
                    })
                }
                _ => {
                    return Err(err(
                        "delphi_dimension, delphi_item and strength go together: give all three or none"
                            .into(),
                    ));
                }
            };
            questions.push(Question {
                id: q.id,
                ilo,
                method,
                text: q.text,
                victim: q.victim,
                poor_conditions: q.poor_conditions,
                delphi,
            });
        }
        for ilo in ILO_INDICATORS {
            if !questions.iter().any(|q| q.ilo == ilo) {
                return Err(parse_err(format!(
                    "no question observes '{ilo}'; every one of the 11 ILO indicators needs at least one"
                )));
            }
        }
        Ok(Checklist {
            version: raw.version,
            questions,
            referral: ReferralRoute {
                to: raw.referral.to,
                route: raw.referral.route,
                check: raw.referral.check,
            },
            file: file.to_string(),
            lines,
        })
    }

    /// The question with an id.
    pub fn get(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// The questions that observe one ILO indicator, in file order.
    pub fn for_indicator<'a>(&'a self, ilo: &'a str) -> impl Iterator<Item = &'a Question> + 'a {
        self.questions.iter().filter(move |q| q.ilo == ilo)
    }

    /// Every question, grouped by ILO indicator in the site's order (see
    /// [`indicator_order`]), each group in file order.
    pub fn ordered(&self, ctx: &SiteContext) -> Vec<&Question> {
        indicator_order(ctx)
            .into_iter()
            .flat_map(|ilo| self.questions.iter().filter(move |q| q.ilo == ilo))
            .collect()
    }
}

/// The line of each question's `id = "..."` in the text (1-based; 0 if not found).
fn id_lines(text: &str, ids: &[&str]) -> Vec<usize> {
    let all: Vec<&str> = text.lines().collect();
    let mut lines = Vec::with_capacity(ids.len());
    let mut from = 0usize;
    for id in ids {
        let needle = format!("\"{id}\"");
        let found = all.iter().enumerate().skip(from).find(|(_, l)| {
            let t = l.trim_start();
            t.strip_prefix("id")
                .is_some_and(|rest| rest.trim_start().starts_with('='))
                && t.contains(&needle)
        });
        match found {
            Some((n, _)) => {
                lines.push(n + 1);
                from = n + 1;
            }
            None => lines.push(0),
        }
    }
    lines
}

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
