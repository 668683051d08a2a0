//! Ids as integer codes while features are computed. Every id column
//! (sites, companies, persons, recruiters, providers, addresses,
//! inspections) becomes a `UInt32` code, with one dictionary per kind of
//! id, so that the tens of millions of joins and group-bys on ids compare
//! integers instead of hashing text. A kind whose codes an import stored
//! ([`crate::data::codes`]) takes them as they are; the others are coded
//! here. The site columns of the result are turned back into text; the
//! dictionaries borrow the data set's own strings and are freed when the
//! computation ends. The entity graph (`network::build`) codes its tables
//! the same way and numbers its nodes from the codes.

use polars::prelude::*;
use rayon::prelude::*;

use super::{KEY, SITE};
use crate::data::codes::{Dictionary, ID_COLUMNS, decode_with, same_column, text_of_codes};
use crate::data::{Dataset, Table};

/// The kind of an id column: the targets' key is coded with the sites (in
/// a ranking it is the site id; it is only ever compared with itself).
fn kind_of(name: &str) -> Option<&'static str> {
    let name = if name == KEY { SITE } else { name };
    ID_COLUMNS.iter().copied().find(|k| *k == name)
}

/// The text of each code of one kind.
enum Text<'a> {
    /// Coded here: the dictionary's text, by code.
    Coded(Vec<&'a str>),
    /// Stored by the import: the text columns and their codes, read into a
    /// table of text only when a column of the kind is decoded.
    Stored(Vec<(&'a Column, &'a UInt32Chunked)>),
}

/// The text of the codes of one computation, by kind.
pub(crate) struct Codes<'a>(Vec<(&'static str, Text<'a>)>);

impl<'a> Codes<'a> {
    /// The text of every code of a kind (an id column's name), by code;
    /// empty for a kind no table has.
    pub(crate) fn text(&self, kind: &str) -> Vec<&'a str> {
        match self.0.iter().find(|(k, _)| *k == kind) {
            Some((_, Text::Coded(t))) => t.clone(),
            Some((_, Text::Stored(sources))) => text_of_codes(sources),
            None => Vec::new(),
        }
    }

    /// `df` with its coded id columns as text again.
    pub(super) fn decode(&self, mut df: DataFrame) -> PolarsResult<DataFrame> {
        let coded: Vec<(String, &'static str)> = df
            .columns()
            .iter()
            .filter(|c| c.dtype() == &DataType::UInt32)
            .filter_map(|c| Some((c.name().to_string(), kind_of(c.name())?)))
            .collect();
        for (kind, text) in &self.0 {
            let names: Vec<&String> = coded
                .iter()
                .filter(|(_, k)| k == kind)
                .map(|(n, _)| n)
                .collect();
            if names.is_empty() {
                continue;
            }
            let read;
            let text: &[&str] = match text {
                Text::Coded(t) => t,
                Text::Stored(sources) => {
                    read = text_of_codes(sources);
                    &read
                }
            };
            for name in names {
                let column = decode_with(text, df.column(name)?.u32()?);
                df.with_column(column.into_column())?;
            }
        }
        Ok(df)
    }
}

/// Where a coded column goes: a table of the data set, or the targets.
type Place = (Option<Table>, &'static str, UInt32Chunked);

/// A text column of a frame, if it has one by that name.
fn text_column<'a>(df: &'a DataFrame, name: &str) -> Option<&'a Column> {
    df.column(name)
        .ok()
        .filter(|c| c.dtype() == &DataType::String)
}

/// The codes of one kind that the import stored, if they still hold for
/// the data set's tables and the targets' columns of that kind are among
/// the columns they code (a ranking's targets are the sites table's own
/// ids).
fn stored_kind<'a>(
    ds: &'a Dataset,
    targets: &DataFrame,
    kind: &'static str,
) -> Option<(Text<'a>, Vec<Place>)> {
    let stored = ds.codes.valid_kind(kind, &ds.tables)?;
    let mut placed: Vec<Place> = Vec::new();
    for name in [SITE, KEY] {
        if kind_of(name) != Some(kind) {
            continue;
        }
        if let Some(ids) = text_column(targets, name) {
            let (_, _, codes) = stored.iter().find(|(_, text, _)| same_column(text, ids))?;
            placed.push((None, name, (*codes).clone()));
        }
    }
    for (table, _, codes) in &stored {
        placed.push((Some(*table), kind, (*codes).clone()));
    }
    let sources = stored.into_iter().map(|(_, t, c)| (t, c)).collect();
    Some((Text::Stored(sources), placed))
}

/// The data set and the targets with their id columns (text) as codes,
/// and the text of the codes. A kind whose codes the import stored (and
/// which still hold) takes them as they are; any other kind is coded here,
/// each kind on its own core, within a kind the targets first, then the
/// tables in their fixed order.
pub(crate) fn code<'a>(
    ds: &'a Dataset,
    targets: &'a DataFrame,
) -> PolarsResult<(Dataset, DataFrame, Codes<'a>)> {
    let kinds: Vec<(&'static str, Text<'a>, Vec<Place>)> = ID_COLUMNS
        .par_iter()
        .map(|&kind| {
            if let Some((text, placed)) = stored_kind(ds, targets, kind) {
                return Ok((kind, text, placed));
            }
            let mut dict = Dictionary::default();
            let mut placed: Vec<Place> = Vec::new();
            for name in [SITE, KEY] {
                if kind_of(name) == Some(kind)
                    && let Some(ids) = text_column(targets, name)
                {
                    placed.push((None, name, dict.encode(ids.str()?)?));
                }
            }
            for (table, df) in &ds.tables {
                if let Some(ids) = text_column(df, kind) {
                    placed.push((Some(*table), kind, dict.encode(ids.str()?)?));
                }
            }
            Ok((kind, Text::Coded(dict.into_text()), placed))
        })
        .collect::<PolarsResult<_>>()?;
    let mut tables = ds.tables.clone();
    let mut targets = targets.clone();
    let mut texts = Vec::with_capacity(kinds.len());
    for (kind, text, placed) in kinds {
        for (table, name, codes) in placed {
            let codes = codes.with_name(name.into()).into_column();
            match table.and_then(|t| tables.get_mut(&t)) {
                Some(df) => df.with_column(codes)?,
                None => targets.with_column(codes)?,
            };
        }
        texts.push((kind, text));
    }
    let coded = Dataset {
        tables,
        report: ds.report.clone(),
        codes: Default::default(),
    };
    Ok((coded, targets, Codes(texts)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The network fixture (every table, shared recruiters, addresses and
    /// owners), with the codes an import would store, or none.
    fn network(stored: bool) -> Dataset {
        let rejects = tempfile::tempdir().expect("tempdir");
        let opts = crate::data::LoadOptions {
            rejects_dir: Some(rejects.path().to_path_buf()),
            pseudonym_key: Some(crate::data::pseudonym::test_key()),
            ..Default::default()
        };
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/network");
        let mut ds = crate::data::load_folder(&dir, &opts).expect("the network fixture loads");
        if stored {
            ds.codes = crate::data::codes::StoredCodes::of_tables(&ds.tables).expect("codes");
        }
        ds
    }

    #[test]
    fn stored_codes_are_used_and_give_the_features_coding_gives() -> PolarsResult<()> {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
        let fresh = network(false);
        let stored = network(true);
        let targets = super::super::site_targets(&stored, as_of)?
            .with_row_index("_row", None)
            .collect()?;
        // The ranking's targets are the sites table's own ids: every kind
        // present takes the stored codes, none is coded again.
        for kind in ["site_id", "company_id", "person_id", "address_id"] {
            assert!(stored_kind(&stored, &targets, kind).is_some(), "{kind}");
            assert!(stored_kind(&fresh, &targets, kind).is_none(), "{kind}");
        }
        let a = super::super::for_sites(&fresh, as_of)?;
        let b = super::super::for_sites(&stored, as_of)?;
        assert!(a.height() > 0);
        assert!(a.equals_missing(&b), "coded\n{a}\nstored\n{b}");
        Ok(())
    }

    #[test]
    fn targets_that_are_not_the_tables_own_ids_are_coded_afresh() -> PolarsResult<()> {
        let stored = network(true);
        let sites = stored
            .get(Table::Sites)
            .ok_or_else(|| polars_err!(ComputeError: "sites"))?;
        // Equal ids in other memory (as training targets taken from the
        // inspections are): the site kind is coded here, the others are not.
        let ids: Vec<Option<String>> = sites
            .column(SITE)?
            .str()?
            .iter()
            .map(|s| s.map(str::to_string))
            .collect();
        let targets = df!(KEY => ids.clone(), SITE => ids)?;
        assert!(stored_kind(&stored, &targets, "site_id").is_none());
        assert!(stored_kind(&stored, &targets, "person_id").is_some());
        let (_, coded, codes) = code(&stored, &targets)?;
        let back = codes.decode(coded.clone())?;
        assert!(back.equals_missing(&targets));
        assert_eq!(coded.column(SITE)?.dtype(), &DataType::UInt32);
        Ok(())
    }

    #[test]
    fn the_key_is_coded_with_the_sites_and_other_columns_are_not_ids() {
        assert_eq!(kind_of(KEY), Some(SITE));
        assert_eq!(kind_of("person_id"), Some("person_id"));
        assert_eq!(kind_of("name"), None);
    }
}
