//! The mapping file (`tilsyn.toml` in the data folder, or `--mapping FILE`):
//! how an agency export maps onto the canonical tables. Per table it can
//! name the source file, rename columns, recode values, fill constant
//! columns, mark raw personal identifiers for pseudonymisation, and fix the
//! encoding, delimiter and decimal mark when sniffing is not wanted.
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
    columns: BTreeMap<String, String>,
    #[serde(default)]
    recode: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    constants: BTreeMap<String, String>,
    #[serde(default)]
    pseudonymise: Vec<String>,
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
    /// Canonical column name → source header.
    pub columns: BTreeMap<String, String>,
    /// Canonical column → (source value → canonical value).
    pub recode: BTreeMap<String, BTreeMap<String, String>>,
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
            for col in t.columns.keys() {
                check_col(col, "columns")?;
            }
            for col in t.recode.keys() {
                check_col(col, "recode")?;
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
                    recode: t.recode,
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
        assert_eq!(i.columns["site_id"], "workplace");
        assert_eq!(i.recode["outcome"]["Forbud"], "prohibition");
        assert_eq!(
            m.table(Table::Permits).pseudonymise,
            vec!["person_id".to_string()]
        );
        assert_eq!(m.table(Table::Tips).encoding, Some(Encoding::Windows1252));
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
