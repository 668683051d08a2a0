//! One table's rows, from source text to checked values: each field mapped
//! onto its canonical column, recoded, pseudonymised and screened for
//! CPR-like values, then parsed and checked. Rows are independent here
//! (the unique-key check, which depends on the rows before, stays with the
//! loader), so the loader runs this on every core, a batch at a time.

use std::borrow::Cow;
use std::path::Path;

use super::DataError;
use super::mapping::{JOIN_SEPARATOR, TableMapping};
use super::parse::{Decimal, Value};
use super::pseudonym::{PseudonymKey, is_pseudonym, looks_like_cpr};
use super::reference::{ReferenceData, SectorMatch};
use super::schema::{ColumnSpec, Table};
use super::validate::{Context, Failure, check_relations, parse_cells};

/// Where a canonical column's text comes from.
pub(super) enum FieldSource {
    /// The source column at this index.
    Index(usize),
    /// Several source columns, their values joined ([`JOIN_SEPARATOR`]).
    Joined(Vec<usize>),
    /// A constant from the mapping file.
    Constant(String),
    /// Nowhere: the column is optional and absent.
    Missing,
}

/// What one row gave.
pub(super) enum RowOut<'r> {
    /// Skipped: a column holds a value the mapping says to ignore.
    Ignored,
    /// Rejected by a cell's check or by its shape: the canonical fields
    /// (for the rejects file) and why.
    Rejected(Vec<Cow<'r, str>>, Failure),
    /// Every cell parsed. `key` is the unique key's text, if the table has
    /// one; `late` a failure of the relation checks, which the loader
    /// reports only if the key is not a duplicate (the order of the checks).
    Parsed {
        /// The parsed values, one per canonical column.
        values: Vec<Value<'r>>,
        /// The unique key's canonical text.
        key: Option<String>,
        /// A failed relation check.
        late: Option<Failure>,
    },
}

/// Everything needed to map and check a row of one table.
pub(super) struct RowChecker<'a> {
    pub(super) table: Table,
    pub(super) path: &'a Path,
    pub(super) specs: &'static [ColumnSpec],
    pub(super) sources: &'a [FieldSource],
    pub(super) tm: &'a TableMapping,
    pub(super) to_hash: &'a [bool],
    pub(super) key: Option<&'a PseudonymKey>,
    pub(super) key_idx: Option<usize>,
    pub(super) ctx: &'a Context,
    /// Fields per row in the header (`None`: Parquet, whose rows cannot be ragged).
    pub(super) n_headers: Option<usize>,
    pub(super) decimal: Decimal,
}

impl RowChecker<'_> {
    /// The canonical text of each field: mapped, recoded, pseudonymised,
    /// and CPR-like values masked (or refused in a person column).
    pub(super) fn fields<'r>(
        &'r self,
        line: u64,
        record: &'r csv::StringRecord,
    ) -> Result<Vec<Cow<'r, str>>, DataError> {
        let mut fields = Vec::with_capacity(self.specs.len());
        for (i, (spec, src)) in self.specs.iter().zip(self.sources).enumerate() {
            let raw: Cow<'r, str> = match src {
                FieldSource::Index(j) => Cow::Borrowed(record.get(*j).unwrap_or("").trim()),
                FieldSource::Joined(js) => {
                    let parts: Vec<&str> = js
                        .iter()
                        .map(|j| record.get(*j).unwrap_or("").trim())
                        .collect();
                    if parts.iter().all(|p| p.is_empty()) {
                        Cow::Borrowed("")
                    } else {
                        // Each part is trimmed already, and so is the whole.
                        Cow::Owned(parts.join(JOIN_SEPARATOR))
                    }
                }
                FieldSource::Constant(c) => Cow::Borrowed(c.trim()),
                FieldSource::Missing => Cow::Borrowed(""),
            };
            let recoded: Cow<'r, str> =
                match self.tm.recode.get(spec.name).and_then(|r| r.apply(&raw)) {
                    Some(code) => Cow::Borrowed(code),
                    None => raw,
                };
            // A personal column is pseudonymised whatever the shape of its
            // values (a CPR number, a passport number, a name), unless a
            // value already is a pseudonym; a column the mapping marks too.
            let hash = !recoded.is_empty()
                && (self.to_hash[i] || (spec.person_id && !is_pseudonym(&recoded)));
            let mut text: Cow<'r, str> = match (self.key, hash) {
                (Some(key), true) => Cow::Owned(key.pseudonym(&recoded)),
                _ => recoded,
            };
            let hashed = hash && self.key.is_some();
            // Organisation ids (P-numbers: 10 digits) can look like CPR numbers.
            let org_id = !spec.person_id && spec.name.ends_with("_id");
            // Without a key, a personal column takes pseudonyms only: any
            // other value (a CPR number, a passport number, a name, an id
            // from a source system) is refused, never loaded as it is.
            let raw = if spec.person_id {
                !text.is_empty() && !is_pseudonym(&text)
            } else {
                looks_like_cpr(&text)
            };
            if !hashed && !org_id && raw {
                if spec.person_id {
                    return Err(DataError::RawIdentifier {
                        path: self.path.to_path_buf(),
                        table: self.table.name(),
                        line,
                        column: spec.name,
                    });
                }
                // A CPR-like value in another column (a shifted row, say) is
                // never repeated in a message or a rejects file.
                text = match self.key {
                    Some(key) => Cow::Owned(key.pseudonym(&text)),
                    None => Cow::Borrowed("[CPR-like value withheld]"),
                };
            }
            fields.push(text);
        }
        Ok(fields)
    }

    /// Whether the row holds, in a column the mapping names under `ignore`,
    /// one of the source values to skip (compared trimmed, ignoring case).
    fn ignored(&self, record: &csv::StringRecord) -> bool {
        self.tm.ignore.iter().any(|(column, values)| {
            let Some(i) = self.specs.iter().position(|s| s.name == column) else {
                return false;
            };
            let raw = match &self.sources[i] {
                FieldSource::Index(j) => record.get(*j).unwrap_or("").trim().to_string(),
                FieldSource::Joined(js) => js
                    .iter()
                    .map(|j| record.get(*j).unwrap_or("").trim())
                    .collect::<Vec<_>>()
                    .join(JOIN_SEPARATOR),
                FieldSource::Constant(c) => c.trim().to_string(),
                FieldSource::Missing => String::new(),
            };
            values.iter().any(|v| v.trim().eq_ignore_ascii_case(&raw))
        })
    }

    /// Fills what the bundled reference tables give: a sector's DB07 code
    /// from its title (when the mapping asks for it) and, in `sites`, a
    /// blank municipality code from the postcode.
    fn derive(&self, fields: &mut [Cow<'_, str>]) -> Result<(), Failure> {
        let reference = ReferenceData::bundled();
        let at = |name: &str| self.specs.iter().position(|s| s.name == name);
        if self.tm.sector_from_title
            && let Some(i) = at("sector_code")
            && !fields[i].is_empty()
        {
            let title = fields[i].to_string();
            match reference.sector_by_name(&title) {
                SectorMatch::Found(code) => fields[i] = Cow::Owned(code),
                SectorMatch::Unknown => {
                    return Err((
                        "sector_code".into(),
                        format!(
                            "'{title}' is no DB07 title (Danmarks Statistik's Dansk Branchekode 2007); correct the title, or give the DB07 code instead of the title"
                        ),
                    ));
                }
                SectorMatch::Ambiguous(codes) => {
                    return Err((
                        "sector_code".into(),
                        format!(
                            "'{title}' begins the DB07 titles of {} classes ({}); give the full title or the DB07 code",
                            codes.len(),
                            codes.join(", ")
                        ),
                    ));
                }
            }
        }
        if self.table == Table::Sites
            && let (Some(m), Some(p)) = (at("municipality_code"), at("postcode"))
            && fields[m].is_empty()
            && let Some(found) = reference.postcode(&fields[p])
        {
            fields[m] = Cow::Owned(found.municipality_code.to_string());
        }
        Ok(())
    }

    /// Maps and checks one row, except for its unique key.
    pub(super) fn check<'r>(
        &'r self,
        line: u64,
        record: &'r csv::StringRecord,
    ) -> Result<RowOut<'r>, DataError> {
        if self.ignored(record) {
            return Ok(RowOut::Ignored);
        }
        let mut fields = self.fields(line, record)?;
        if let Err(f) = self.derive(&mut fields) {
            return Ok(RowOut::Rejected(fields, f));
        }
        if let Some(n) = self.n_headers
            && record.len() != n
        {
            let reason = format!(
                "the row has {} fields but the header has {n}; check quoting and the delimiter",
                record.len()
            );
            return Ok(RowOut::Rejected(fields, ("(row)".to_string(), reason)));
        }
        let mut values = vec![Value::Null; self.specs.len()];
        if let Err(f) = parse_cells(
            self.table,
            self.specs,
            &fields,
            &mut values,
            self.decimal,
            self.ctx,
        ) {
            return Ok(RowOut::Rejected(fields, f));
        }
        let late = check_relations(self.table, self.specs, &fields, &values, self.ctx).err();
        let key = self.key_idx.map(|k| fields[k].to_string());
        Ok(RowOut::Parsed { values, key, late })
    }
}
