//! One table's rows, from source text to checked values: each field mapped
//! onto its canonical column, recoded, pseudonymised and screened for
//! CPR-like values, then parsed and checked. Rows are independent here
//! (the unique-key check, which depends on the rows before, stays with the
//! loader), so the loader runs this on every core, a batch at a time.

use std::path::Path;

use super::DataError;
use super::mapping::TableMapping;
use super::parse::{Decimal, Value};
use super::pseudonym::{PseudonymKey, looks_like_cpr};
use super::schema::{ColumnSpec, Table};
use super::validate::{Context, Failure, check_relations, parse_cells};

/// Where a canonical column's text comes from.
pub(super) enum FieldSource {
    /// The source column at this index.
    Index(usize),
    /// A constant from the mapping file.
    Constant(String),
    /// Nowhere: the column is optional and absent.
    Missing,
}

/// What one row gave.
pub(super) enum RowOut {
    /// Rejected by a cell's check or by its shape: the canonical fields
    /// (for the rejects file) and why.
    Rejected(Vec<String>, Failure),
    /// Every cell parsed. `key` is the unique key's text, if the table has
    /// one; `late` a failure of the relation checks, which the loader
    /// reports only if the key is not a duplicate (the order of the checks).
    Parsed {
        /// The parsed values, one per canonical column.
        values: Vec<Value>,
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
    pub(super) fn fields(
        &self,
        line: u64,
        record: &csv::StringRecord,
    ) -> Result<Vec<String>, DataError> {
        let mut fields = Vec::with_capacity(self.specs.len());
        for (i, (spec, src)) in self.specs.iter().zip(self.sources).enumerate() {
            let raw = match src {
                FieldSource::Index(j) => record.get(*j).unwrap_or(""),
                FieldSource::Constant(c) => c.as_str(),
                FieldSource::Missing => "",
            };
            let raw = raw.trim();
            let recoded = self
                .tm
                .recode
                .get(spec.name)
                .and_then(|m| {
                    m.get(raw).or_else(|| {
                        m.iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case(raw))
                            .map(|(_, v)| v)
                    })
                })
                .map_or(raw, String::as_str);
            let mut text = match (self.key, self.to_hash[i] && !recoded.is_empty()) {
                (Some(key), true) => key.pseudonym(recoded),
                _ => recoded.to_string(),
            };
            // Organisation ids (P-numbers: 10 digits) can look like CPR numbers.
            let org_id = !spec.person_id && spec.name.ends_with("_id");
            if !self.to_hash[i] && !org_id && looks_like_cpr(&text) {
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
                    Some(key) => key.pseudonym(&text),
                    None => "[CPR-like value withheld]".to_string(),
                };
            }
            fields.push(text);
        }
        Ok(fields)
    }

    /// Maps and checks one row, except for its unique key.
    pub(super) fn check(&self, line: u64, record: &csv::StringRecord) -> Result<RowOut, DataError> {
        let fields = self.fields(line, record)?;
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
        let key = self.key_idx.map(|k| fields[k].clone());
        Ok(RowOut::Parsed { values, key, late })
    }
}
