//! Ids as integer codes: one dictionary per kind of id (sites, companies,
//! persons, recruiters, providers, addresses, inspections), a code per
//! distinct text in order of first appearance. The features compute on the
//! codes (see `features::codes`), and `tilsyn import` stores them beside
//! each table (`_code_<column>`), so that a national extract read back from
//! its import is not coded again on every run.
//!
//! Stored codes are used only while a table's id column is still the very
//! column read with them (the same memory): a table filtered or rebuilt
//! since gets its ids coded afresh, so a stale code can never be read.

use std::collections::BTreeMap;

use polars::prelude::*;
use rayon::prelude::*;

use super::schema::Table;

/// The id columns that features join and group on; each is its own kind.
pub const ID_COLUMNS: [&str; 7] = [
    "site_id",
    "company_id",
    "person_id",
    "recruiter_id",
    "provider_id",
    "address_id",
    "inspection_id",
];

/// The prefix of a stored code column: `_code_site_id` holds the codes of
/// `site_id`.
pub const CODE_PREFIX: &str = "_code_";

/// The ids of one kind: a code per distinct text, in order of first
/// appearance (so the codes are the same on every run), and the text of
/// each code.
#[derive(Default)]
pub struct Dictionary<'a> {
    index: PlHashMap<&'a str, u32>,
    text: Vec<&'a str>,
}

impl<'a> Dictionary<'a> {
    /// The codes of a column of ids (null stays null). Registers usually
    /// come grouped (a payroll by employer and person), so a run of equal
    /// ids is looked up once.
    pub fn encode(&mut self, ids: &'a StringChunked) -> PolarsResult<UInt32Chunked> {
        let mut prev: Option<(&'a str, u32)> = None;
        let mut codes = PrimitiveChunkedBuilder::<UInt32Type>::new(ids.name().clone(), ids.len());
        for id in ids.iter() {
            let Some(id) = id else {
                codes.append_null();
                continue;
            };
            let code = match prev {
                Some((p, c)) if p == id => c,
                _ => {
                    let c = self.code(id)?;
                    prev = Some((id, c));
                    c
                }
            };
            codes.append_value(code);
        }
        Ok(codes.finish())
    }

    fn code(&mut self, id: &'a str) -> PolarsResult<u32> {
        if let Some(c) = self.index.get(id) {
            return Ok(*c);
        }
        let c = u32::try_from(self.text.len())
            .map_err(|_| polars_err!(ComputeError: "more than 2^32 distinct ids of one kind"))?;
        self.index.insert(id, c);
        self.text.push(id);
        Ok(c)
    }

    /// The text of each code.
    pub fn decode(&self, codes: &UInt32Chunked) -> StringChunked {
        decode_with(&self.text, codes)
    }

    /// The text of every code so far, by code.
    pub fn into_text(self) -> Vec<&'a str> {
        self.text
    }
}

/// `codes` as text, through a table of the text of each code.
pub fn decode_with(text: &[&str], codes: &UInt32Chunked) -> StringChunked {
    let mut out: StringChunked = codes
        .iter()
        .map(|c| c.and_then(|c| text.get(c as usize).copied()))
        .collect();
    out.rename(codes.name().clone());
    out
}

/// The text of a column, if it is a text column.
fn text_of(column: &Column) -> Option<&StringChunked> {
    match column.dtype() {
        DataType::String => column.str().ok(),
        _ => None,
    }
}

/// Whether two text columns are the same memory (not merely equal): the
/// same chunks, views and text buffers, and as many nulls.
pub fn same_column(a: &Column, b: &Column) -> bool {
    let (Some(a), Some(b)) = (text_of(a), text_of(b)) else {
        return false;
    };
    a.len() == b.len()
        && a.null_count() == b.null_count()
        && a.chunks().len() == b.chunks().len()
        && a.downcast_iter().zip(b.downcast_iter()).all(|(x, y)| {
            x.len() == y.len()
                && x.views().as_ptr() == y.views().as_ptr()
                && x.data_buffers().as_ptr() == y.data_buffers().as_ptr()
        })
}

/// One stored code column: the table, the id column, the text column it
/// was read with, and its codes.
#[derive(Debug, Clone)]
struct Stored {
    table: Table,
    column: &'static str,
    text: Column,
    codes: UInt32Chunked,
}

/// The codes an import stores beside its tables, as read back with them.
#[derive(Debug, Clone, Default)]
pub struct StoredCodes(Vec<Stored>);

impl StoredCodes {
    /// Codes every id column of `tables`: per kind a dictionary over the
    /// tables in their fixed order, the kinds on every core.
    pub fn of_tables(tables: &BTreeMap<Table, DataFrame>) -> PolarsResult<StoredCodes> {
        let kinds: Vec<Vec<Stored>> = ID_COLUMNS
            .par_iter()
            .map(|&kind| {
                let mut dict = Dictionary::default();
                let mut out = Vec::new();
                for (table, df) in tables {
                    let Some(column) = df.column(kind).ok() else {
                        continue;
                    };
                    let Some(ids) = text_of(column) else {
                        continue;
                    };
                    out.push(Stored {
                        table: *table,
                        column: kind,
                        text: column.clone(),
                        codes: dict.encode(ids)?,
                    });
                }
                Ok(out)
            })
            .collect::<PolarsResult<_>>()?;
        Ok(StoredCodes(kinds.into_iter().flatten().collect()))
    }

    /// Adds the stored codes of other tables.
    pub fn extend(&mut self, other: StoredCodes) {
        self.0.extend(other.0);
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `df` (the frame of `table`) with its stored code columns added, as
    /// an import writes it.
    pub fn attach(&self, table: Table, df: &DataFrame) -> PolarsResult<DataFrame> {
        let mut out = df.clone();
        for s in self.0.iter().filter(|s| s.table == table) {
            let name = format!("{CODE_PREFIX}{}", s.column);
            out.with_column(s.codes.clone().with_name(name.into()).into_column())?;
        }
        Ok(out)
    }

    /// Takes the stored code columns off a frame read from an import,
    /// keeping them with the id column they code. A code column of a column
    /// that is not an id column of the table, or not `UInt32`, or of
    /// another length, is an error (the file is not what import wrote).
    pub fn split_off(&mut self, table: Table, df: DataFrame) -> Result<DataFrame, String> {
        let names: Vec<String> = df
            .get_column_names()
            .iter()
            .filter(|n| n.starts_with(CODE_PREFIX))
            .map(|n| n.to_string())
            .collect();
        if names.is_empty() {
            return Ok(df);
        }
        for name in &names {
            let id = &name[CODE_PREFIX.len()..];
            let kind = ID_COLUMNS
                .iter()
                .copied()
                .find(|k| *k == id)
                .ok_or_else(|| {
                    format!("column '{name}' codes '{id}', which is not an id column")
                })?;
            let text = df
                .column(kind)
                .map_err(|_| format!("column '{name}' codes '{kind}', which the table lacks"))?;
            // One chunk, as coding builds them: joins and group-bys on a
            // column of many chunks (one per row group) are much slower.
            let codes = df
                .column(name)
                .and_then(|c| c.u32().map(|c| c.rechunk().into_owned()))
                .map_err(|_| format!("column '{name}' does not hold UInt32 codes"))?;
            if text_of(text).is_none() || codes.len() != text.len() {
                return Err(format!("column '{name}' does not match column '{kind}'"));
            }
            self.0.push(Stored {
                table,
                column: kind,
                text: text.clone(),
                codes,
            });
        }
        Ok(df.drop_many(names))
    }

    /// Keeps only the stored codes whose table and column are kept.
    pub fn retain(&mut self, keep: impl Fn(Table, &str) -> bool) {
        self.0.retain(|s| keep(s.table, s.column));
    }

    /// The stored codes of one kind, if they are still valid for `tables`:
    /// every id column of that kind in the tables is the very column the
    /// codes were stored with. Returns (table, codes) per column and the
    /// text columns with their codes, to read codes back as text.
    pub fn valid_kind<'s>(
        &'s self,
        kind: &str,
        tables: &BTreeMap<Table, DataFrame>,
    ) -> Option<Vec<(Table, &'s Column, &'s UInt32Chunked)>> {
        let mut out = Vec::new();
        for (table, df) in tables {
            let Some(column) = df.column(kind).ok() else {
                continue;
            };
            if text_of(column).is_none() {
                continue;
            }
            let stored = self
                .0
                .iter()
                .find(|s| s.table == *table && s.column == kind)?;
            if !same_column(&stored.text, column) {
                return None;
            }
            out.push((*table, &stored.text, &stored.codes));
        }
        (!out.is_empty()).then_some(out)
    }
}

/// The text of every code of a kind, from the text columns and their codes
/// (each code's text taken from its first row).
pub fn text_of_codes<'a>(sources: &[(&'a Column, &'a UInt32Chunked)]) -> Vec<&'a str> {
    let size = sources
        .iter()
        .filter_map(|(_, c)| c.max())
        .max()
        .map_or(0, |m| m as usize + 1);
    let mut text: Vec<Option<&'a str>> = vec![None; size];
    let mut missing = size;
    for (column, codes) in sources {
        if missing == 0 {
            break;
        }
        let Some(ids) = text_of(column) else {
            continue;
        };
        for (id, code) in ids.iter().zip(codes.iter()) {
            if let (Some(id), Some(code)) = (id, code)
                && let Some(slot) = text.get_mut(code as usize)
                && slot.is_none()
            {
                *slot = Some(id);
                missing -= 1;
            }
        }
    }
    text.into_iter().map(Option::unwrap_or_default).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_first_appearance_and_read_back() -> PolarsResult<()> {
        let ids = StringChunked::new(
            "person_id".into(),
            [Some("b"), Some("b"), None, Some("a"), Some("b")],
        );
        let mut dict = Dictionary::default();
        let codes = dict.encode(&ids)?;
        let got: Vec<Option<u32>> = codes.iter().collect();
        assert_eq!(got, vec![Some(0), Some(0), None, Some(1), Some(0)]);
        let decoded = dict.decode(&codes);
        let back: Vec<Option<&str>> = decoded.iter().collect();
        assert_eq!(back, vec![Some("b"), Some("b"), None, Some("a"), Some("b")]);
        Ok(())
    }

    fn tables() -> PolarsResult<BTreeMap<Table, DataFrame>> {
        let sites = df!("site_id" => ["s1", "s2", "s3"], "company_id" => ["c1", "c1", "c2"])?;
        let permits = df!(
            "site_id" => [Some("s2"), None, Some("s9")],
            "person_id" => ["p1", "p2", "p1"],
        )?;
        Ok(BTreeMap::from([
            (Table::Sites, sites),
            (Table::Permits, permits),
        ]))
    }

    #[test]
    fn stored_codes_survive_the_round_trip_through_a_frame() -> PolarsResult<()> {
        let tables = tables()?;
        let stored = StoredCodes::of_tables(&tables)?;
        let mut back = StoredCodes::default();
        let mut read = BTreeMap::new();
        for (t, df) in &tables {
            let written = stored.attach(*t, df)?;
            assert!(written.column("_code_site_id").is_ok());
            let df = back
                .split_off(*t, written)
                .map_err(|e| polars_err!(ComputeError: "{e}"))?;
            assert_eq!(
                &df,
                tables
                    .get(t)
                    .ok_or_else(|| polars_err!(ComputeError: "table"))?
            );
            read.insert(*t, df);
        }
        let sites = back
            .valid_kind("site_id", &read)
            .ok_or_else(|| polars_err!(ComputeError: "not valid"))?;
        let codes: Vec<Vec<Option<u32>>> =
            sites.iter().map(|(_, _, c)| c.iter().collect()).collect();
        assert_eq!(
            codes,
            vec![
                vec![Some(0), Some(1), Some(2)],
                vec![Some(1), None, Some(3)]
            ]
        );
        let sources: Vec<(&Column, &UInt32Chunked)> =
            sites.iter().map(|(_, t, c)| (*t, *c)).collect();
        assert_eq!(text_of_codes(&sources), vec!["s1", "s2", "s3", "s9"]);
        Ok(())
    }

    #[test]
    fn a_table_changed_since_it_was_read_is_not_given_stale_codes() -> PolarsResult<()> {
        let mut tables = tables()?;
        let stored = StoredCodes::of_tables(&tables)?;
        assert!(stored.valid_kind("person_id", &tables).is_some());
        // Equal text, other memory: the codes are not trusted.
        let permits = tables
            .get(&Table::Permits)
            .ok_or_else(|| polars_err!(ComputeError: "t"))?;
        let rebuilt = df!(
            "site_id" => [Some("s2"), None, Some("s9")],
            "person_id" => ["p1", "p2", "p1"],
        )?;
        assert_eq!(permits, &rebuilt);
        tables.insert(Table::Permits, rebuilt);
        assert!(stored.valid_kind("person_id", &tables).is_none());
        assert!(stored.valid_kind("site_id", &tables).is_none());
        // The sites' companies were not touched.
        assert!(stored.valid_kind("company_id", &tables).is_some());
        Ok(())
    }

    #[test]
    fn a_code_column_of_a_column_that_is_not_an_id_is_refused() -> PolarsResult<()> {
        let df = df!("site_id" => ["s1"], "_code_name" => [0u32])?;
        let err = StoredCodes::default().split_off(Table::Sites, df);
        assert!(err.is_err_and(|e| e.contains("_code_name")));
        Ok(())
    }
}
