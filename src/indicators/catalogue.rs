//! The indicator catalogue as data: its TOML format, loading, and the checks
//! that every entry refers to real ILO ids, Delphi dimensions, tables and
//! features. Errors name the indicator and the line of the file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::data::{ILO_INDICATORS, Table};

/// The bundled catalogue, for when no file is given.
pub const BUNDLED: &str = include_str!("../../models/indicators.toml");

/// The agencies an indicator's reasons can be for (`agencies` in the
/// catalogue): the inspecting agencies of [`crate::data::schema::AGENCIES`]
/// without `JOINT` (a joint control is several of them at once), and `CMM`,
/// the Centre against Human Trafficking, which inspects nothing but joins a
/// visit to identify and support victims. `docs/plan.md` describes how a
/// joint plan uses them.
pub const ACTING_AGENCIES: &[&str] = &["AT", "SKAT", "SIRI", "POLICE", "CMM"];

/// Evidence (recorded by inspectors, tips, police) or a register signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Recorded by an inspection, a tip or the police; decays with age.
    Evidence,
    /// A proxy derived from registers.
    Signal,
}

/// Delphi strength (ILO/EC 2009).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    /// Weak.
    Weak,
    /// Medium.
    Medium,
    /// Strong.
    Strong,
}

/// The six Delphi dimensions for adults, labour exploitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Deception during recruitment.
    DeceptiveRecruitment,
    /// Coercion during recruitment.
    CoerciveRecruitment,
    /// Recruitment by abuse of vulnerability.
    RecruitmentAbuseOfVulnerability,
    /// Exploitative conditions of work.
    ExploitativeConditions,
    /// Coercion at destination.
    CoercionAtDestination,
    /// Abuse of vulnerability at destination.
    AbuseOfVulnerabilityAtDestination,
}

impl Dimension {
    /// All six, in the Delphi order.
    pub const ALL: [Dimension; 6] = [
        Dimension::DeceptiveRecruitment,
        Dimension::CoerciveRecruitment,
        Dimension::RecruitmentAbuseOfVulnerability,
        Dimension::ExploitativeConditions,
        Dimension::CoercionAtDestination,
        Dimension::AbuseOfVulnerabilityAtDestination,
    ];

    /// Position in [`Dimension::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// A readable name.
    pub fn label(self) -> &'static str {
        match self {
            Dimension::DeceptiveRecruitment => "deceptive recruitment",
            Dimension::CoerciveRecruitment => "coercive recruitment",
            Dimension::RecruitmentAbuseOfVulnerability => "recruitment by abuse of vulnerability",
            Dimension::ExploitativeConditions => "exploitative conditions of work",
            Dimension::CoercionAtDestination => "coercion at destination",
            Dimension::AbuseOfVulnerabilityAtDestination => "abuse of vulnerability at destination",
        }
    }
}

/// Weights of the rules scorer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    /// Weight of a strong indicator.
    pub strong: f64,
    /// Weight of a medium indicator.
    pub medium: f64,
    /// Weight of a weak indicator.
    pub weak: f64,
    /// Weight of an indicator without a Delphi strength.
    pub unrated: f64,
    /// Evidence weighs this many times a signal of the same strength.
    pub evidence_multiplier: f64,
    /// Evidence weight halves every this many days.
    pub half_life_days: f64,
    /// Evidence older than this no longer counts.
    pub expire_days: f64,
}

/// One catalogue entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Unique id.
    pub id: String,
    /// Evidence or signal.
    pub kind: Kind,
    /// The ILO indicators it stands for.
    pub ilo: Vec<String>,
    /// Delphi dimension, where one applies.
    #[serde(default)]
    pub delphi_dimension: Option<Dimension>,
    /// The Delphi item it stands for (counted once per dimension).
    #[serde(default)]
    pub delphi_item: Option<String>,
    /// Delphi strength, where one applies.
    #[serde(default)]
    pub strength: Option<Strength>,
    /// The employer-guide item it reflects.
    #[serde(default)]
    pub employer_guide: String,
    /// Tables it needs.
    pub needs: Vec<String>,
    /// SQL boolean expression over the feature table.
    pub rule: String,
    /// Evidence only: the feature holding the evidence's age in days.
    #[serde(default)]
    pub age: Option<String>,
    /// Plain-language template with `{feature}` placeholders.
    pub explain: String,
    /// Where it comes from.
    pub source: String,
    /// Verification status of the source claim.
    #[serde(default)]
    pub verification: String,
    /// Caveats.
    #[serde(default)]
    pub note: String,
    /// How a fired evidence indicator shows in the ILO grid: `observed`
    /// (default for evidence) or `signalled` (e.g. unverified tips).
    #[serde(default)]
    pub shows_as: Option<ShowsAs>,
    /// A weight that replaces the one its strength gives (0: context only,
    /// shown and a model feature, never scored).
    #[serde(default)]
    pub weight: Option<f64>,
    /// The fact it restates: indicators of one group score once, at the
    /// heaviest that fired (default: its own id).
    #[serde(default)]
    pub group: Option<String>,
    /// SQL condition under which a source that could show it was looked at
    /// for the site; where it does not hold, a rule that does not fire is
    /// *unknown*, not clear (default: assessed wherever the rule has a value).
    #[serde(default)]
    pub assessed: Option<String>,
    /// The same in words, for explanations ("an inspection in the last 5 years").
    #[serde(default)]
    pub assessed_by: Option<String>,
    /// The agencies that act on it (codes of [`ACTING_AGENCIES`]), used only
    /// to split a joint plan's reasons by agency; never a part of the score.
    /// Empty: the default of [`Indicator::acting_agencies`].
    #[serde(default)]
    pub agencies: Vec<String>,
}

/// How a fired indicator shows in the 11-indicator grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShowsAs {
    /// As observed (recorded evidence).
    Observed,
    /// As signalled (a proxy or an unverified allegation).
    Signalled,
}

impl Indicator {
    /// The canonical tables it needs.
    pub fn needed_tables(&self) -> Vec<Table> {
        self.needs
            .iter()
            .filter_map(|n| Table::from_name(n))
            .collect()
    }

    /// The group it scores in: its `group`, else its own id.
    pub fn group(&self) -> &str {
        self.group.as_deref().unwrap_or(&self.id)
    }

    /// The agencies that act on it: its `agencies`, or by default the police
    /// for evidence (a recorded finding, tip or outcome) and none for a
    /// signal.
    pub fn acting_agencies(&self) -> Vec<&str> {
        if !self.agencies.is_empty() {
            self.agencies.iter().map(String::as_str).collect()
        } else if self.kind == Kind::Evidence {
            vec!["POLICE"]
        } else {
            Vec::new()
        }
    }

    /// Whether it is context only (`weight = 0`): shown, never scored.
    pub fn context_only(&self) -> bool {
        self.weight == Some(0.0)
    }

    /// Indices (into `ILO_INDICATORS`) of its ILO indicators.
    pub fn ilo_indices(&self) -> Vec<usize> {
        self.ilo
            .iter()
            .filter_map(|x| ILO_INDICATORS.iter().position(|i| i == x))
            .collect()
    }
}

/// The catalogue file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// Format version.
    pub version: u32,
    /// Rules-scorer weights.
    pub scoring: Scoring,
    /// The indicators.
    #[serde(rename = "indicator")]
    pub indicators: Vec<Indicator>,
    /// Where it was read from.
    #[serde(skip)]
    pub path: Option<PathBuf>,
    /// Line of each indicator's `id` in the file.
    #[serde(skip)]
    pub lines: Vec<usize>,
}

/// A catalogue that cannot be used: which file, indicator and line.
pub type CatalogueError = crate::tomlfile::TomlFileError;

impl Catalogue {
    /// The catalogue shipped in `models/indicators.toml`.
    pub fn bundled() -> Result<Catalogue, CatalogueError> {
        Self::parse(BUNDLED, "models/indicators.toml")
    }

    /// Reads a catalogue file.
    pub fn from_file(path: &Path) -> Result<Catalogue, CatalogueError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogueError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut c = Self::parse(&text, &path.display().to_string())?;
        c.path = Some(path.to_path_buf());
        Ok(c)
    }

    /// Parses and checks catalogue text (not the rules: see `engine`).
    pub fn parse(text: &str, file: &str) -> Result<Catalogue, CatalogueError> {
        let mut c: Catalogue = toml::from_str(text).map_err(|e| CatalogueError::Parse {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        c.lines = crate::tomlfile::id_lines(
            text,
            &c.indicators
                .iter()
                .map(|d| d.id.as_str())
                .collect::<Vec<_>>(),
        );
        c.path = Some(PathBuf::from(file));
        c.check(file)?;
        Ok(c)
    }

    /// The error for entry `i`.
    pub fn entry_error(&self, i: usize, message: impl Into<String>) -> CatalogueError {
        CatalogueError::Entry {
            kind: "indicator",
            file: self.path.as_ref().map_or_else(
                || "models/indicators.toml".into(),
                |p| p.display().to_string(),
            ),
            line: self.lines.get(i).copied().unwrap_or(0),
            id: self
                .indicators
                .get(i)
                .map_or_else(String::new, |d| d.id.clone()),
            message: message.into(),
        }
    }

    fn check(&self, file: &str) -> Result<(), CatalogueError> {
        let err = |i: usize, message: String| CatalogueError::Entry {
            kind: "indicator",
            file: file.to_string(),
            line: self.lines.get(i).copied().unwrap_or(0),
            id: self.indicators[i].id.clone(),
            message,
        };
        let s = &self.scoring;
        for (name, v) in [
            ("strong", s.strong),
            ("medium", s.medium),
            ("weak", s.weak),
            ("unrated", s.unrated),
            ("evidence_multiplier", s.evidence_multiplier),
            ("half_life_days", s.half_life_days),
            ("expire_days", s.expire_days),
        ] {
            if !v.is_finite() || v <= 0.0 {
                return Err(CatalogueError::Parse {
                    file: file.to_string(),
                    message: format!("[scoring] {name} = {v}: must be a positive number"),
                });
            }
        }
        let mut seen = HashSet::new();
        for (i, d) in self.indicators.iter().enumerate() {
            if d.id.is_empty()
                || !d
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(err(
                    i,
                    "ids are snake_case: lower-case letters, digits and _".into(),
                ));
            }
            if !seen.insert(d.id.as_str()) {
                return Err(err(
                    i,
                    "duplicate id: every indicator needs its own id".into(),
                ));
            }
            if let Some(w) = d.weight
                && (!w.is_finite() || w < 0.0)
            {
                return Err(err(
                    i,
                    format!("weight {w}: must be 0 (context only) or a positive number"),
                ));
            }
            for x in &d.ilo {
                if !ILO_INDICATORS.contains(&x.as_str()) {
                    return Err(err(
                        i,
                        format!(
                            "'{x}' is not an ILO indicator id; use one of {}",
                            ILO_INDICATORS.join(", ")
                        ),
                    ));
                }
            }
            for t in &d.needs {
                if Table::from_name(t).is_none() {
                    return Err(err(
                        i,
                        format!("`needs` names '{t}', which is not a canonical table"),
                    ));
                }
            }
            if d.needs.is_empty() {
                return Err(err(
                    i,
                    "`needs` is empty: name the tables its rule's features come from".into(),
                ));
            }
            if d.kind == Kind::Evidence && d.age.is_none() {
                return Err(err(i, "an evidence indicator needs `age`, the feature holding the evidence's age in days".into()));
            }
            if d.assessed_by.is_some() && d.assessed.is_none() {
                return Err(err(
                    i,
                    "`assessed_by` describes `assessed`: give the condition too".into(),
                ));
            }
            for (k, a) in d.agencies.iter().enumerate() {
                if !ACTING_AGENCIES.contains(&a.as_str()) {
                    return Err(err(
                        i,
                        format!(
                            "`agencies` names '{a}', which is not an agency; use one of {} (upper case)",
                            ACTING_AGENCIES.join(", ")
                        ),
                    ));
                }
                if d.agencies[..k].contains(a) {
                    return Err(err(
                        i,
                        format!("`agencies` names '{a}' twice: name each agency once"),
                    ));
                }
            }
            if d.delphi_dimension.is_some() != d.strength.is_some() {
                return Err(err(
                    i,
                    "give `delphi_dimension` and `strength` together, or neither".into(),
                ));
            }
        }
        Ok(())
    }

    /// The weight of an indicator before decay.
    pub fn base_weight(&self, d: &Indicator) -> f64 {
        let s = &self.scoring;
        let w = if let Some(w) = d.weight {
            w
        } else {
            match d.strength {
                Some(Strength::Strong) => s.strong,
                Some(Strength::Medium) => s.medium,
                Some(Strength::Weak) => s.weak,
                None => s.unrated,
            }
        };
        if d.kind == Kind::Evidence {
            w * s.evidence_multiplier
        } else {
            w
        }
    }

    /// The decay factor for evidence of a given age (1 for signals).
    pub fn decay(&self, age_days: Option<f64>) -> f64 {
        match age_days {
            Some(a) if a > 0.0 => 0.5f64.powf(a / self.scoring.half_life_days),
            _ => 1.0,
        }
    }
}
