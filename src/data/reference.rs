//! The bundled Danish reference tables of `datasets/reference/`: the 98
//! municipalities with their regions and representative points, the postcodes
//! with their main municipality, the DB07 sector classes with the risk-sector
//! flag, the DB07 divisions, and the SIRI permit schemes with their pay
//! thresholds.
//!
//! The CSV files are compiled into the binary and parsed once, on first use,
//! by [`ReferenceData::bundled`]. This module owns every lookup over them:
//! municipality by code or name, region of a municipality, postcode, and
//! sector (with normalisation of the DB07 code forms found in real exports,
//! see [`normalize_sector_code`]) and its [`RiskGroup`].
//!
//! Sources and licences are listed in `datasets/reference/README.md`
//! ("GeoNames", CC BY 4.0; PostNord's postcode table; "Kilde: Danmarks
//! Statistik" for DB07).

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

const MUNICIPALITIES_CSV: &str = include_str!("../../datasets/reference/municipalities.csv");
const POSTCODES_CSV: &str = include_str!("../../datasets/reference/postcodes.csv");
const SECTORS_CSV: &str = include_str!("../../datasets/reference/sectors.csv");
const DIVISIONS_CSV: &str = include_str!("../../datasets/reference/divisions.csv");
const SUBCLASSES_CSV: &str = include_str!("../../datasets/reference/subclasses.csv");
const SCHEMES_CSV: &str = include_str!("../../datasets/reference/schemes.csv");

/// One of the risk sector groups named by Danish authorities.
///
/// The groups follow the sectors named by the Danish Centre against Human
/// Trafficking (CMM) and the authorities, plus fishing and domestic work from
/// CMM's yearly statistics; `datasets/reference/README.md` gives the DB07
/// codes in each group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskGroup {
    /// Building and civil engineering (DB07 divisions 41, 42, 43).
    Construction,
    /// Cleaning of buildings and other cleaning (DB07 81.21, 81.22, 81.29).
    Cleaning,
    /// Agriculture, horticulture, forestry and landscape gardening (DB07
    /// divisions 01, 02 and class 81.30).
    Agriculture,
    /// Accommodation and food service (DB07 divisions 55, 56).
    HotelsRestaurants,
    /// Land transport, warehousing and distribution, postal and courier
    /// services (DB07 divisions 49, 52, 53).
    Transport,
    /// Households as employers and home care (DB07 division 97, class 88.10).
    DomesticWork,
    /// Fishing and aquaculture (DB07 division 03).
    Fishing,
}

impl RiskGroup {
    /// Every risk group, in declaration order.
    pub const ALL: [RiskGroup; 7] = [
        RiskGroup::Construction,
        RiskGroup::Cleaning,
        RiskGroup::Agriculture,
        RiskGroup::HotelsRestaurants,
        RiskGroup::Transport,
        RiskGroup::DomesticWork,
        RiskGroup::Fishing,
    ];

    /// The stable snake_case id used in files and outputs, e.g. `hotels_restaurants`.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskGroup::Construction => "construction",
            RiskGroup::Cleaning => "cleaning",
            RiskGroup::Agriculture => "agriculture",
            RiskGroup::HotelsRestaurants => "hotels_restaurants",
            RiskGroup::Transport => "transport",
            RiskGroup::DomesticWork => "domestic_work",
            RiskGroup::Fishing => "fishing",
        }
    }

    /// Parses an id or a label, ignoring case, surrounding spaces, and the
    /// difference between `_`, `-` and a space (so `hotels_restaurants`,
    /// `Hotels-Restaurants` and `Hotels and restaurants` all work).
    pub fn from_name(s: &str) -> Option<RiskGroup> {
        let wanted = ident_key(s);
        RiskGroup::ALL
            .into_iter()
            .find(|g| g.as_str() == wanted || ident_key(g.label()) == wanted)
    }

    /// A short English label for people, e.g. `Hotels and restaurants`.
    pub fn label(self) -> &'static str {
        match self {
            RiskGroup::Construction => "Construction",
            RiskGroup::Cleaning => "Cleaning",
            RiskGroup::Agriculture => "Agriculture",
            RiskGroup::HotelsRestaurants => "Hotels and restaurants",
            RiskGroup::Transport => "Transport",
            RiskGroup::DomesticWork => "Domestic work",
            RiskGroup::Fishing => "Fishing",
        }
    }
}

impl fmt::Display for RiskGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lower-cases and turns `-` and spaces into `_`, for matching ids.
fn ident_key(s: &str) -> String {
    s.trim().to_lowercase().replace(['-', ' '], "_")
}

/// A Danish municipality (*kommune*) with its region and a representative point.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Municipality {
    /// The official municipality code without leading zeros, e.g. `101` for København.
    pub code: u16,
    /// The short Danish name, e.g. `København` (not `Københavns Kommune`).
    pub name: String,
    /// The region code, 1081 to 1085.
    pub region_code: u16,
    /// The region name, e.g. `Region Hovedstaden`.
    pub region: String,
    /// Latitude (WGS84) of a representative point inside the municipality, not a centroid.
    pub lat: f64,
    /// Longitude (WGS84) of the representative point.
    pub lon: f64,
    /// Population according to GeoNames (mixed years, not official statistics).
    pub population: u64,
}

/// A Danish postcode with its main municipality and an approximate point.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Postcode {
    /// The four-digit postcode with its leading zero kept, e.g. `0800`.
    pub postcode: String,
    /// The postal town name, e.g. `Høje Taastrup`.
    pub town: String,
    /// Code of the municipality holding most of the postcode (many postcodes
    /// cross municipal borders).
    pub municipality_code: u16,
    /// Approximate latitude (WGS84) of the town, about 5 km precision.
    pub lat: f64,
    /// Approximate longitude (WGS84) of the town, about 5 km precision.
    pub lon: f64,
}

/// A DB07 sector class (Danish NACE Rev. 2, four digits).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sector {
    /// The dotted class code, e.g. `41.20`.
    pub code: String,
    /// The Danish title from Danmarks Statistik.
    #[serde(alias = "name_da")]
    pub name: String,
    /// The two-digit division, e.g. `41`.
    pub division: String,
    /// The section letter, e.g. `F`.
    pub section: String,
    /// The risk group the class belongs to, if any.
    pub risk_group: Option<RiskGroup>,
}

/// A SIRI work-permit scheme with its annual pay thresholds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scheme {
    /// The canonical scheme id used in the `permits` table, e.g. `pay_limit`.
    pub scheme: String,
    /// The English name, e.g. `Pay Limit Scheme`.
    pub name_en: String,
    /// The Danish name, e.g. `beløbsordningen`.
    pub name_da: String,
    /// The annual pay threshold in DKK for 2025, where the scheme has one.
    pub pay_threshold_2025_dkk: Option<f64>,
    /// The annual pay threshold in DKK from 1 January 2026, where the scheme has one.
    pub pay_threshold_2026_dkk: Option<f64>,
}

impl Scheme {
    /// The annual pay thresholds with the year from whose 1 January each is
    /// in force, earliest first; empty for a scheme without one.
    pub fn pay_thresholds(&self) -> Vec<(i32, f64)> {
        [
            (2025, self.pay_threshold_2025_dkk),
            (2026, self.pay_threshold_2026_dkk),
        ]
        .into_iter()
        .filter_map(|(year, value)| value.map(|v| (year, v)))
        .collect()
    }

    /// Whether the scheme has an annual pay threshold at all.
    pub fn has_pay_threshold(&self) -> bool {
        !self.pay_thresholds().is_empty()
    }

    /// The annual pay threshold in force on `day`: that of the latest
    /// bundled year whose 1 January is on or before it. `None` for a scheme
    /// without one, and for a day before the first bundled year (2025),
    /// whose threshold is not bundled.
    pub fn pay_threshold_on(&self, day: chrono::NaiveDate) -> Option<f64> {
        use chrono::Datelike;
        self.pay_thresholds()
            .into_iter()
            .rev()
            .find(|(year, _)| *year <= day.year())
            .map(|(_, v)| v)
    }
}

/// One row of `divisions.csv`; only the columns used are read.
#[derive(Debug, Deserialize)]
struct DivisionRow {
    code: String,
    name_da: String,
}

/// One row of `subclasses.csv`: a six-digit DB07 subclass and its class.
#[derive(Debug, Deserialize)]
struct SubclassRow {
    code: String,
    name_da: String,
    class: String,
}

/// What a sector title matched in the DB07 titles ([`ReferenceData::sector_by_name`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectorMatch {
    /// One code: the subclass (`43.32.00`) or class (`43.32`) with that title.
    Found(String),
    /// No DB07 title is, or starts with, the name.
    Unknown,
    /// A cut-off name that begins titles of several classes: their codes.
    Ambiguous(Vec<String>),
}

/// The bundled reference tables with indexes for fast lookups.
#[derive(Debug)]
pub struct ReferenceData {
    /// The 98 municipalities, in the order of the bundled file (by code).
    pub municipalities: Vec<Municipality>,
    /// The postcodes, sorted by postcode.
    pub postcodes: Vec<Postcode>,
    /// The DB07 classes, sorted by code.
    pub sectors: Vec<Sector>,
    /// The SIRI permit schemes, in the order of the `permits.scheme` enumeration.
    pub schemes: Vec<Scheme>,
    municipality_index: HashMap<u16, usize>,
    municipality_names: HashMap<String, usize>,
    postcode_index: HashMap<String, usize>,
    postcodes_by_municipality: HashMap<u16, Vec<usize>>,
    sector_index: HashMap<String, usize>,
    group_risk: HashMap<String, RiskGroup>,
    division_risk: HashMap<String, RiskGroup>,
    division_names: HashMap<String, String>,
    regions: Vec<String>,
    /// Lower-case DB07 titles (classes and subclasses) with their code and class.
    titles: Vec<(String, String, String)>,
}

/// Parses one embedded CSV file into rows.
fn parse_csv<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, csv::Error> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize::<T>()
        .collect()
}

impl ReferenceData {
    /// The tables bundled with tilsyn, parsed on first use and shared afterwards.
    pub fn bundled() -> &'static ReferenceData {
        static BUNDLED: OnceLock<ReferenceData> = OnceLock::new();
        BUNDLED.get_or_init(|| {
            ReferenceData::from_tables(
                parse_csv(MUNICIPALITIES_CSV)
                    .expect("bundled datasets/reference/municipalities.csv must parse"),
                parse_csv(POSTCODES_CSV)
                    .expect("bundled datasets/reference/postcodes.csv must parse"),
                parse_csv(SECTORS_CSV).expect("bundled datasets/reference/sectors.csv must parse"),
                parse_csv(SCHEMES_CSV).expect("bundled datasets/reference/schemes.csv must parse"),
                parse_csv(DIVISIONS_CSV)
                    .expect("bundled datasets/reference/divisions.csv must parse"),
                parse_csv(SUBCLASSES_CSV)
                    .expect("bundled datasets/reference/subclasses.csv must parse"),
            )
        })
    }

    /// Builds the indexes over parsed tables.
    fn from_tables(
        municipalities: Vec<Municipality>,
        postcodes: Vec<Postcode>,
        sectors: Vec<Sector>,
        schemes: Vec<Scheme>,
        divisions: Vec<DivisionRow>,
        subclasses: Vec<SubclassRow>,
    ) -> ReferenceData {
        let mut titles: Vec<(String, String, String)> = sectors
            .iter()
            .map(|s| (s.name.to_lowercase(), s.code.clone(), s.code.clone()))
            .chain(
                subclasses
                    .into_iter()
                    .map(|s| (s.name_da.to_lowercase(), s.code, s.class)),
            )
            .collect();
        titles.sort();
        let municipality_index = municipalities
            .iter()
            .enumerate()
            .map(|(i, m)| (m.code, i))
            .collect();
        let municipality_names = municipalities
            .iter()
            .enumerate()
            .map(|(i, m)| (name_key(&m.name), i))
            .collect();
        let postcode_index = postcodes
            .iter()
            .enumerate()
            .map(|(i, p)| (p.postcode.clone(), i))
            .collect();
        let mut postcodes_by_municipality: HashMap<u16, Vec<usize>> = HashMap::new();
        for (i, p) in postcodes.iter().enumerate() {
            postcodes_by_municipality
                .entry(p.municipality_code)
                .or_default()
                .push(i);
        }
        let sector_index = sectors
            .iter()
            .enumerate()
            .map(|(i, s)| (s.code.clone(), i))
            .collect();
        let group_risk = unanimous_risk(&sectors, |s| s.code.get(..4).unwrap_or(s.code.as_str()));
        let division_risk = unanimous_risk(&sectors, |s| s.division.as_str());
        let division_names = divisions.into_iter().map(|d| (d.code, d.name_da)).collect();
        let regions = municipalities
            .iter()
            .map(|m| m.region.clone())
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect();
        ReferenceData {
            municipalities,
            postcodes,
            sectors,
            schemes,
            municipality_index,
            municipality_names,
            postcode_index,
            postcodes_by_municipality,
            sector_index,
            group_risk,
            division_risk,
            division_names,
            regions,
            titles,
        }
    }

    /// The DB07 code of a sector title, as exports that carry only the
    /// Danish title write it (Arbejdstilsynet's smiley register, say).
    /// Matched case-insensitively against every class and subclass title:
    /// an exact match wins (a subclass's own code when only the subclass
    /// has that title). Registers cut long titles off (the smiley register
    /// at 50 characters), so a name that is no whole title matches the
    /// titles it begins, if they all lie in one class; titles of several
    /// classes make it [`SectorMatch::Ambiguous`].
    pub fn sector_by_name(&self, name: &str) -> SectorMatch {
        let key = name.trim().to_lowercase();
        if key.is_empty() {
            return SectorMatch::Unknown;
        }
        let exact: Vec<&(String, String, String)> =
            self.titles.iter().filter(|t| t.0 == key).collect();
        let candidates = if exact.is_empty() {
            self.titles
                .iter()
                .filter(|t| t.0.starts_with(&key))
                .collect()
        } else {
            exact
        };
        let classes: BTreeSet<&str> = candidates.iter().map(|t| t.2.as_str()).collect();
        match classes.len() {
            0 => SectorMatch::Unknown,
            1 => {
                // The class's own title, or the one subclass matched.
                let class = classes.iter().next().copied().unwrap_or_default();
                let codes: BTreeSet<&str> = candidates.iter().map(|t| t.1.as_str()).collect();
                let code = match codes.len() {
                    1 => codes.iter().next().copied().unwrap_or(class),
                    _ => class,
                };
                SectorMatch::Found(code.to_string())
            }
            _ => SectorMatch::Ambiguous(classes.iter().map(|c| (*c).to_string()).collect()),
        }
    }

    /// The permit scheme with this canonical id (e.g. `pay_limit`), if it exists.
    pub fn scheme(&self, id: &str) -> Option<&Scheme> {
        self.schemes.iter().find(|s| s.scheme == id)
    }

    /// The municipality with this code (e.g. `101`), if it exists.
    pub fn municipality(&self, code: u16) -> Option<&Municipality> {
        self.municipality_index
            .get(&code)
            .and_then(|&i| self.municipalities.get(i))
    }

    /// The municipality with this name, ignoring case, hyphens versus spaces,
    /// `å` versus `aa`, and a trailing ` Kommune` or ` Regionskommune` with
    /// its genitive `s`: `København`, `Københavns Kommune`, `høje taastrup`
    /// and `Århus` all resolve.
    pub fn municipality_by_name(&self, name: &str) -> Option<&Municipality> {
        let key = name_key(name);
        let base = key
            .strip_suffix(" regionskommune")
            .or_else(|| key.strip_suffix(" kommune"))
            .unwrap_or(key.as_str());
        self.municipality_names
            .get(base)
            .or_else(|| {
                base.strip_suffix('s')
                    .and_then(|b| self.municipality_names.get(b))
            })
            .and_then(|&i| self.municipalities.get(i))
    }

    /// The postcode entry for a postcode such as `0800`; a number that lost
    /// its leading zero (`800`) and a `DK-` prefix are accepted.
    pub fn postcode(&self, postcode: &str) -> Option<&Postcode> {
        let trimmed = postcode.trim();
        let digits = trimmed
            .strip_prefix("DK-")
            .or_else(|| trimmed.strip_prefix("dk-"))
            .unwrap_or(trimmed);
        if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let key = format!("{digits:0>4}");
        self.postcode_index
            .get(&key)
            .and_then(|&i| self.postcodes.get(i))
    }

    /// The postcodes whose main municipality is this one, sorted by postcode.
    pub fn postcodes_in(&self, municipality_code: u16) -> Vec<&Postcode> {
        self.postcodes_by_municipality
            .get(&municipality_code)
            .map(|ix| ix.iter().filter_map(|&i| self.postcodes.get(i)).collect())
            .unwrap_or_default()
    }

    /// The names of the five regions, sorted.
    pub fn regions(&self) -> Vec<&str> {
        self.regions.iter().map(String::as_str).collect()
    }

    /// The region name of a municipality, e.g. `Region Hovedstaden` for `101`.
    pub fn region_of(&self, municipality_code: u16) -> Option<&str> {
        self.municipality(municipality_code)
            .map(|m| m.region.as_str())
    }

    /// The DB07 class for a code in any common form (`41.20`, `4120`,
    /// `41.20.00`, `412000`; see [`normalize_sector_code`]); `None` for
    /// unknown codes and for codes above class level (`41`, `41.2`).
    pub fn sector(&self, code: &str) -> Option<&Sector> {
        let normalized = normalize_sector_code(code)?;
        self.sector_index
            .get(&normalized)
            .and_then(|&i| self.sectors.get(i))
    }

    /// The risk group of a sector code: the class's own flag when the class
    /// is known, otherwise the group or division's flag when every class
    /// under it shares one (`41`, `41.9` and `41.99.00` give construction;
    /// `81` gives `None` because only some cleaning classes are flagged).
    pub fn risk_group(&self, code: &str) -> Option<RiskGroup> {
        let normalized = normalize_sector_code(code)?;
        if normalized.len() == 5
            && let Some(sector) = self
                .sector_index
                .get(&normalized)
                .and_then(|&i| self.sectors.get(i))
        {
            return sector.risk_group;
        }
        if let Some(group) = normalized.get(..4)
            && let Some(&risk) = self.group_risk.get(group)
        {
            return Some(risk);
        }
        normalized
            .get(..2)
            .and_then(|division| self.division_risk.get(division))
            .copied()
    }

    /// The Danish title of a DB07 division, from its two digits (`41`) or
    /// any longer code within it (`41.20`, `412000`).
    pub fn division_name(&self, division: &str) -> Option<&str> {
        let normalized = normalize_sector_code(division)?;
        normalized
            .get(..2)
            .and_then(|d| self.division_names.get(d))
            .map(String::as_str)
    }
}

/// Maps each key (a class's group or division) to the risk group shared by
/// all the classes under it; keys whose classes differ, or have no group,
/// are left out.
fn unanimous_risk<F>(sectors: &[Sector], key: F) -> HashMap<String, RiskGroup>
where
    F: Fn(&Sector) -> &str,
{
    let mut seen: HashMap<&str, Option<RiskGroup>> = HashMap::new();
    for sector in sectors {
        let risk = sector.risk_group;
        seen.entry(key(sector))
            .and_modify(|shared| {
                if *shared != risk {
                    *shared = None;
                }
            })
            .or_insert(risk);
    }
    seen.into_iter()
        .filter_map(|(k, risk)| risk.map(|r| (k.to_string(), r)))
        .collect()
}

/// Normalises a municipality name for lookup: lower case, hyphens as
/// spaces, single spaces, and `å` spelt `aa`.
fn name_key(name: &str) -> String {
    name.to_lowercase()
        .replace('-', " ")
        .replace('å', "aa")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Normalises a DB07 code to its dotted form at its own level: a division
/// (`41`), a group (`41.2`) or a class (`41.20`).
///
/// Spaces are removed and a comma is read as a dot. Digit-only codes are read
/// by length: 2 digits a division, 3 a group, 4 a class, 6 a subclass
/// (reduced to its class, `412000` gives `41.20`); 1 and 5 digits are taken
/// as numbers that lost their leading zero (`11100` gives `01.11`). Dotted
/// subclasses are reduced to their class (`41.20.00` gives `41.20`).
/// Anything else (letters, section codes, other lengths) gives `None`.
pub fn normalize_sector_code(code: &str) -> Option<String> {
    let cleaned: String = code
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    if cleaned.contains('.') {
        let parts: Vec<&str> = cleaned.split('.').collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        let division = match parts.first() {
            Some(d) if d.len() == 1 => format!("0{d}"),
            Some(d) if d.len() == 2 => (*d).to_string(),
            _ => return None,
        };
        match parts.as_slice() {
            [_, g] if g.len() == 1 => Some(format!("{division}.{g}")),
            [_, c] if c.len() == 2 => Some(format!("{division}.{c}")),
            [_, c, s] if c.len() == 2 && s.len() <= 2 => Some(format!("{division}.{c}")),
            _ => None,
        }
    } else {
        if !cleaned.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits = if cleaned.len() == 1 || cleaned.len() == 5 {
            format!("0{cleaned}")
        } else {
            cleaned
        };
        match digits.len() {
            2 => Some(digits),
            3 => Some(format!("{}.{}", digits.get(..2)?, digits.get(2..)?)),
            4 | 6 => Some(format!("{}.{}", digits.get(..2)?, digits.get(2..4)?)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
