//! The mapping file (`tilsyn.toml` in the data folder, `--mapping FILE` or
//! a bundled `--preset`): how an agency export maps onto the canonical
//! tables. Per table it can name the source file (a `*` pattern allowed),
//! rename columns or join several into one (`inspection_id = ["workplace",
//! "SMILEY_DATO"]`), recode values (with `*` patterns and a `"*"` default),
//! skip rows by value (`ignore`), fold the rows of one record into one
//! (`fold`), look a sector's DB07 code up by its title (`lookup`), fill
//! constant columns, mark raw personal identifiers for pseudonymisation,
//! and fix the encoding, delimiter and decimal mark when sniffing is not
//! wanted. `docs/data-contract.md` documents every key.
//!
//! ```toml
//! [tables.inspections]
//! file = "smiley_export.csv"
//! encoding = "latin-1"
//! [tables.inspections.columns]      # canonical = "source header"
//! site_id = "workplace"
//! date = "SMILEY_DATO"
//! [tables.inspections.recode.outcome]  # source value = canonical value
//! "Forbud" = "prohibition"
//! [tables.inspections.constants]
//! agency = "AT"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::DataError;
use super::dialect::{Encoding, parse_encoding};
use super::parse::Decimal;
use super::schema::Table;

/// The mapping file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    #[serde(default)]
    defaults: RawFormat,
    #[serde(default)]
    tables: BTreeMap<String, RawTableMapping>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFormat {
    encoding: Option<String>,
    delimiter: Option<String>,
    decimal: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTableMapping {
    file: Option<String>,
    encoding: Option<String>,
    delimiter: Option<String>,
    decimal: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, ColumnSource>,
    #[serde(default)]
    recode: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    constants: BTreeMap<String, String>,
    #[serde(default)]
    pseudonymise: Vec<String>,
    #[serde(default)]
    fold: bool,
    #[serde(default)]
    ignore: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    lookup: BTreeMap<String, String>,
}

/// Where a canonical column's text comes from in the source file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ColumnSource {
    /// One source column, by header.
    Header(String),
    /// Several source columns, their values joined with `|` (a key made of
    /// workplace and date, say).
    Joined(Vec<String>),
}

impl std::fmt::Display for ColumnSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ColumnSource::Header(h) => f.write_str(h),
            ColumnSource::Joined(hs) => f.write_str(&hs.join("\", \"")),
        }
    }
}

/// The separator of the values of a [`ColumnSource::Joined`] column.
pub const JOIN_SEPARATOR: &str = "|";

/// The lookups a mapping can ask for, by canonical column.
pub const LOOKUPS: [(&str, &str); 1] = [("sector_code", "db07_title")];

/// A column's recoding: exact values first (then the same ignoring case),
/// then `*` patterns (the most literal first), then the `"*"` default,
/// which applies to any non-empty value no other key matched.
#[derive(Debug, Clone, Default)]
pub struct Recode {
    exact: BTreeMap<String, String>,
    lower: BTreeMap<String, String>,
    patterns: Vec<(String, String)>,
    default: Option<String>,
}

impl Recode {
    fn new(map: BTreeMap<String, String>) -> Recode {
        let mut r = Recode::default();
        for (from, to) in map {
            if from == "*" {
                r.default = Some(to);
            } else if from.contains('*') {
                r.patterns.push((from, to));
            } else {
                r.lower
                    .entry(from.to_lowercase())
                    .or_insert_with(|| to.clone());
                r.exact.insert(from, to);
            }
        }
        // The most literal pattern first; equal ones by text, so the order
        // never depends on the file's.
        r.patterns.sort_by(|a, b| {
            let lit = |p: &str| p.chars().filter(|c| *c != '*').count();
            lit(&b.0).cmp(&lit(&a.0)).then_with(|| a.0.cmp(&b.0))
        });
        r
    }

    /// The canonical value of a source value, if the recoding names it.
    pub fn apply(&self, raw: &str) -> Option<&str> {
        if let Some(v) = self.exact.get(raw) {
            return Some(v);
        }
        if raw.is_empty() {
            return None;
        }
        let lower = raw.to_lowercase();
        if let Some(v) = self.lower.get(&lower) {
            return Some(v);
        }
        self.patterns
            .iter()
            .find(|(p, _)| glob_match(p, raw))
            .map(|(_, v)| v.as_str())
            .or(self.default.as_deref())
    }

    /// Every value the recoding can give.
    pub fn targets(&self) -> impl Iterator<Item = &str> {
        self.exact
            .values()
            .chain(self.patterns.iter().map(|(_, v)| v))
            .chain(self.default.iter())
            .map(String::as_str)
    }
}

/// `text` as a TOML string value, quoted and escaped by the `toml` crate
/// (mapping drafts and saved self-assessment answers are TOML).
pub fn toml_quote(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// Whether `text` matches `pattern`, where `*` stands for any run of
/// characters (none included); letters match ignoring case.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    // The classic two-pointer match with backtracking to the last `*`.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && p[i] != '*' && p[i] == t[j] {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

/// How one table's file is read.
#[derive(Debug, Clone, Default)]
pub struct TableMapping {
    /// Source file name relative to the data folder, if not `<table>.csv`.
    pub file: Option<String>,
    /// Forced encoding (`None`: detect).
    pub encoding: Option<Encoding>,
    /// Forced delimiter (`None`: sniff).
    pub delimiter: Option<u8>,
    /// Decimal mark.
    pub decimal: Decimal,
    /// Canonical column name → where it comes from.
    pub columns: BTreeMap<String, ColumnSource>,
    /// Canonical column → its recoding.
    pub recode: BTreeMap<String, Recode>,
    /// Canonical column → source values whose rows are skipped (counted,
    /// not rejected): a problem line left blank, say.
    pub ignore: BTreeMap<String, Vec<String>>,
    /// Rows with the same key are one record: folded into one row instead
    /// of rejected as duplicates.
    pub fold: bool,
    /// `sector_code` holds DB07 titles, looked up in the bundled titles.
    pub sector_from_title: bool,
    /// Canonical column → constant value for every row.
    pub constants: BTreeMap<String, String>,
    /// Canonical columns holding raw personal identifiers to hash on load.
    pub pseudonymise: Vec<String>,
}

/// A checked mapping for all tables.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    /// Where it was read from, if anywhere.
    pub path: Option<PathBuf>,
    tables: BTreeMap<Table, TableMapping>,
}

impl Mapping {
    /// The mapping for a table (empty if the file says nothing of it).
    pub fn table(&self, table: Table) -> TableMapping {
        self.tables.get(&table).cloned().unwrap_or_default()
    }

    /// Reads and checks a mapping file.
    pub fn from_file(path: &Path) -> Result<Mapping, DataError> {
        let text = std::fs::read_to_string(path).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_str(&text, path)
    }

    /// Parses and checks mapping text; `path` is used in messages.
    pub fn from_str(text: &str, path: &Path) -> Result<Mapping, DataError> {
        let err = |message: String| DataError::Mapping {
            path: path.to_path_buf(),
            message,
        };
        let raw: RawMapping =
            toml::from_str(text).map_err(|e| err(format!("not a valid mapping file: {e}")))?;
        let mut tables = BTreeMap::new();
        for (name, t) in raw.tables {
            let table = Table::from_name(&name).ok_or_else(|| {
                let names: Vec<&str> = Table::ALL.iter().map(|t| t.name()).collect();
                err(format!(
                    "[tables.{name}]: unknown table; the tables are {}",
                    names.join(", ")
                ))
            })?;
            let check_col = |col: &str, section: &str| {
                if table.column(col).is_none() {
                    let cols: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
                    return Err(err(format!(
                        "[tables.{name}.{section}]: '{col}' is not a column of `{name}`; its columns are {}",
                        cols.join(", ")
                    )));
                }
                Ok(())
            };
            for (col, src) in &t.columns {
                check_col(col, "columns")?;
                if let ColumnSource::Joined(headers) = src
                    && headers.len() < 2
                {
                    return Err(err(format!(
                        "[tables.{name}.columns] {col}: a list joins two or more source columns; name one column as a string"
                    )));
                }
            }
            for col in t.recode.keys() {
                check_col(col, "recode")?;
            }
            for col in t.ignore.keys() {
                check_col(col, "ignore")?;
            }
            for (col, kind) in &t.lookup {
                check_col(col, "lookup")?;
                if !LOOKUPS.contains(&(col.as_str(), kind.as_str())) {
                    let known: Vec<String> = LOOKUPS
                        .iter()
                        .map(|(c, k)| format!("{c} = \"{k}\""))
                        .collect();
                    return Err(err(format!(
                        "[tables.{name}.lookup] {col} = \"{kind}\": the lookups are {}",
                        known.join(", ")
                    )));
                }
            }
            if t.fold && table.unique_key().is_none() {
                return Err(err(format!(
                    "[tables.{name}] fold: `{name}` has no key to fold rows by; only tables with an id column can fold"
                )));
            }
            for col in t.constants.keys() {
                check_col(col, "constants")?;
            }
            for col in &t.pseudonymise {
                check_col(col, "pseudonymise")?;
            }
            let own = RawFormat {
                encoding: t.encoding,
                delimiter: t.delimiter,
                decimal: t.decimal,
            };
            let (encoding, delimiter, decimal) = resolve_format(&name, &own, &raw.defaults, path)?;
            tables.insert(
                table,
                TableMapping {
                    file: t.file,
                    encoding,
                    delimiter,
                    decimal,
                    columns: t.columns,
                    recode: t
                        .recode
                        .into_iter()
                        .map(|(c, m)| (c, Recode::new(m)))
                        .collect(),
                    ignore: t.ignore,
                    fold: t.fold,
                    sector_from_title: t.lookup.contains_key("sector_code"),
                    constants: t.constants,
                    pseudonymise: t.pseudonymise,
                },
            );
        }
        // Defaults apply to tables the file does not name, too.
        let (encoding, delimiter, decimal) =
            resolve_format("defaults", &RawFormat::default(), &raw.defaults, path)?;
        for t in Table::ALL {
            tables.entry(t).or_insert_with(|| TableMapping {
                encoding,
                delimiter,
                decimal,
                ..TableMapping::default()
            });
        }
        Ok(Mapping {
            path: Some(path.to_path_buf()),
            tables,
        })
    }
}

/// The mappings bundled for public export formats: name, what it reads,
/// and the mapping text (the files in `datasets/mappings/`, which a user can
/// copy and edit).
pub const PRESETS: [(&str, &str, &str); 1] = [(
    "at-smiley",
    "Arbejdstilsynet's smiley register (open data): one row per problem found at a visit",
    include_str!("../../datasets/mappings/at-smiley.toml"),
)];

/// A bundled mapping by name: its text and the checked mapping (whose path
/// reads `preset:<name>`).
pub fn preset(name: &str) -> Result<(&'static str, Mapping), DataError> {
    let Some((_, _, text)) = PRESETS.iter().find(|(n, _, _)| *n == name) else {
        let names: Vec<&str> = PRESETS.iter().map(|p| p.0).collect();
        return Err(DataError::Mapping {
            path: PathBuf::from(format!("preset:{name}")),
            message: format!(
                "no bundled preset of this name; the presets are {}",
                names.join(", ")
            ),
        });
    };
    let mapping = Mapping::from_str(text, Path::new(&format!("preset:{name}")))?;
    Ok((text, mapping))
}

/// Reads a table's encoding, delimiter and decimal mark, falling back to the
/// `[defaults]` section.
fn resolve_format(
    name: &str,
    own: &RawFormat,
    defaults: &RawFormat,
    path: &Path,
) -> Result<(Option<Encoding>, Option<u8>, Decimal), DataError> {
    let err = |message: String| DataError::Mapping {
        path: path.to_path_buf(),
        message,
    };
    let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
    let encoding = match pick(&own.encoding, &defaults.encoding) {
        None => None,
        Some(e) => parse_encoding(&e).ok_or_else(|| {
            err(format!(
                "[{name}] encoding '{e}': use auto, utf-8 or latin-1"
            ))
        })?,
    };
    let delimiter = match pick(&own.delimiter, &defaults.delimiter).as_deref() {
        None | Some("auto") => None,
        Some(";") => Some(b';'),
        Some(",") => Some(b','),
        Some("\\t" | "\t" | "tab") => Some(b'\t'),
        Some("|") => Some(b'|'),
        Some(other) => {
            return Err(err(format!(
                "[{name}] delimiter '{other}': use auto, ';', ',', '|' or tab"
            )));
        }
    };
    let decimal = match pick(&own.decimal, &defaults.decimal).as_deref() {
        None | Some("auto") => Decimal::Auto,
        Some(",") => Decimal::Comma,
        Some(".") => Decimal::Point,
        Some(other) => {
            return Err(err(format!(
                "[{name}] decimal '{other}': use auto, ',' or '.'"
            )));
        }
    };
    Ok((encoding, delimiter, decimal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_mapping_parses() {
        let m = Mapping::from_str(
            r#"
[defaults]
encoding = "latin-1"
[tables.inspections]
file = "smiley.csv"
delimiter = ";"
decimal = ","
[tables.inspections.columns]
site_id = "workplace"
[tables.inspections.recode.outcome]
"Forbud" = "prohibition"
[tables.inspections.constants]
agency = "AT"
[tables.permits]
pseudonymise = ["person_id"]
"#,
            Path::new("tilsyn.toml"),
        )
        .unwrap();
        let i = m.table(Table::Inspections);
        assert_eq!(i.file.as_deref(), Some("smiley.csv"));
        assert_eq!(i.delimiter, Some(b';'));
        assert_eq!(i.decimal, Decimal::Comma);
        assert_eq!(i.encoding, Some(Encoding::Windows1252));
        assert_eq!(
            i.columns["site_id"],
            ColumnSource::Header("workplace".into())
        );
        assert_eq!(i.recode["outcome"].apply("Forbud"), Some("prohibition"));
        assert_eq!(
            m.table(Table::Permits).pseudonymise,
            vec!["person_id".to_string()]
        );
        assert_eq!(m.table(Table::Tips).encoding, Some(Encoding::Windows1252));
    }

    #[test]
    fn joined_columns_fold_ignore_lookup_and_patterns_parse() {
        let m = Mapping::from_str(
            r#"
[tables.inspections]
fold = true
[tables.inspections.columns]
inspection_id = ["workplace", "SMILEY_DATO"]
[tables.findings.columns]
indicator = "PROBLEM"
[tables.findings.recode.indicator]
"065*" = "abusive_conditions"
"*hviletid*" = "excessive_overtime"
"065 Vold*" = "intimidation_threats"
"*" = "other"
[tables.findings.ignore]
indicator = [""]
[tables.sites.lookup]
sector_code = "db07_title"
"#,
            Path::new("tilsyn.toml"),
        )
        .unwrap();
        let i = m.table(Table::Inspections);
        assert!(i.fold);
        assert_eq!(
            i.columns["inspection_id"],
            ColumnSource::Joined(vec!["workplace".into(), "SMILEY_DATO".into()])
        );
        let f = m.table(Table::Findings);
        let r = &f.recode["indicator"];
        // The more literal pattern wins over the shorter one.
        assert_eq!(
            r.apply("065 Vold og traumatiske hændelser"),
            Some("intimidation_threats")
        );
        assert_eq!(r.apply("065 Andet"), Some("abusive_conditions"));
        assert_eq!(
            r.apply("121 Hviletid og fridøgn"),
            Some("excessive_overtime")
        );
        assert_eq!(r.apply("094 Fald"), Some("other"));
        // The default never turns a blank into a value.
        assert_eq!(r.apply(""), None);
        assert_eq!(f.ignore["indicator"], vec![String::new()]);
        assert!(m.table(Table::Sites).sector_from_title);
        assert!(!m.table(Table::Permits).fold);
    }

    #[test]
    fn bad_fold_lookup_and_joins_are_named() {
        let e = Mapping::from_str("[tables.findings]\nfold = true\n", Path::new("m.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no key to fold"), "{e}");
        let e = Mapping::from_str(
            "[tables.sites.lookup]\nsector_code = \"nace\"\n",
            Path::new("m.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("db07_title"), "{e}");
        let e = Mapping::from_str(
            "[tables.sites.columns]\nsite_id = [\"a\"]\n",
            Path::new("m.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("two or more"), "{e}");
    }

    #[test]
    fn globs_match_like_file_patterns() {
        assert!(glob_match("*smiley*.csv", "AT_Smiley_fyn.csv"));
        assert!(glob_match("065*", "065 Vold"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
        assert!(!glob_match("065*", "1065"));
        assert!(glob_match("æ*ø", "ÆbløØ"));
    }

    #[test]
    fn unknown_tables_and_columns_are_named() {
        let e = Mapping::from_str("[tables.site]\n", Path::new("m.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("m.toml") && e.contains("unknown table"), "{e}");
        let e = Mapping::from_str(
            "[tables.sites.columns]\nsite = \"x\"\n",
            Path::new("m.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("'site' is not a column of `sites`"), "{e}");
        let e = Mapping::from_str("[tables.sites\n", Path::new("m.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1"), "{e}");
    }
}
