//! Ids as integer codes while features are computed. Every id column
//! (sites, companies, persons, recruiters, providers, addresses,
//! inspections) becomes a `UInt32` code, with one dictionary per kind of
//! id, so that the tens of millions of joins and group-bys on ids compare
//! integers instead of hashing text. The site columns of the result are
//! turned back into text; the dictionaries borrow the data set's own
//! strings and are freed when the computation ends.

use polars::prelude::*;
use rayon::prelude::*;

use super::{KEY, SITE};
use crate::data::{Dataset, Table};

/// The id columns that features join and group on; each is its own kind.
pub(super) const ID_COLUMNS: [&str; 7] = [
    "site_id",
    "company_id",
    "person_id",
    "recruiter_id",
    "provider_id",
    "address_id",
    "inspection_id",
];

/// The kind of an id column: the targets' key is coded with the sites (in
/// a ranking it is the site id; it is only ever compared with itself).
fn kind_of(name: &str) -> Option<&'static str> {
    let name = if name == KEY { SITE } else { name };
    ID_COLUMNS.iter().copied().find(|k| *k == name)
}

/// The ids of one kind: a code per distinct text, in order of first
/// appearance (so the codes are the same on every run), and the text of
/// each code.
#[derive(Default)]
struct Dictionary<'a> {
    index: PlHashMap<&'a str, u32>,
    text: Vec<&'a str>,
}

impl<'a> Dictionary<'a> {
    /// The codes of a column of ids (null stays null). Registers usually
    /// come grouped (a payroll by employer and person), so a run of equal
    /// ids is looked up once.
    fn encode(&mut self, ids: &'a StringChunked) -> PolarsResult<UInt32Chunked> {
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
    fn decode(&self, codes: &UInt32Chunked) -> StringChunked {
        let mut out: StringChunked = codes
            .iter()
            .map(|c| c.and_then(|c| self.text.get(c as usize).copied()))
            .collect();
        out.rename(codes.name().clone());
        out
    }
}

/// The dictionaries of one computation, by kind.
pub(super) struct Codes<'a>(Vec<(&'static str, Dictionary<'a>)>);

impl Codes<'_> {
    /// `df` with its coded id columns as text again.
    pub(super) fn decode(&self, mut df: DataFrame) -> PolarsResult<DataFrame> {
        let coded: Vec<(String, &'static str)> = df
            .columns()
            .iter()
            .filter(|c| c.dtype() == &DataType::UInt32)
            .filter_map(|c| Some((c.name().to_string(), kind_of(c.name())?)))
            .collect();
        for (name, kind) in coded {
            let Some((_, dict)) = self.0.iter().find(|(k, _)| *k == kind) else {
                continue;
            };
            let text = dict.decode(df.column(&name)?.u32()?);
            df.with_column(text.into_column())?;
        }
        Ok(df)
    }
}

/// Where a coded column goes: a table of the data set, or the targets.
type Place = (Option<Table>, &'static str, UInt32Chunked);

/// The data set and the targets with their id columns (text) as codes,
/// and the dictionaries to read them back. Each kind is coded on its own
/// core; within a kind the targets come first, then the tables in their
/// fixed order.
pub(super) fn code<'a>(
    ds: &'a Dataset,
    targets: &'a DataFrame,
) -> PolarsResult<(Dataset, DataFrame, Codes<'a>)> {
    let text = |df: &'a DataFrame, name: &str| -> PolarsResult<Option<&'a StringChunked>> {
        match df.column(name) {
            Ok(c) if c.dtype() == &DataType::String => Ok(Some(c.str()?)),
            _ => Ok(None),
        }
    };
    let kinds: Vec<(&'static str, Dictionary<'a>, Vec<Place>)> = ID_COLUMNS
        .par_iter()
        .map(|&kind| {
            let mut dict = Dictionary::default();
            let mut placed: Vec<Place> = Vec::new();
            for name in [SITE, KEY] {
                if kind_of(name) == Some(kind)
                    && let Some(ids) = text(targets, name)?
                {
                    placed.push((None, name, dict.encode(ids)?));
                }
            }
            for (table, df) in &ds.tables {
                if let Some(ids) = text(df, kind)? {
                    placed.push((Some(*table), kind, dict.encode(ids)?));
                }
            }
            Ok((kind, dict, placed))
        })
        .collect::<PolarsResult<_>>()?;
    let mut tables = ds.tables.clone();
    let mut targets = targets.clone();
    let mut dicts = Vec::with_capacity(kinds.len());
    for (kind, dict, placed) in kinds {
        for (table, name, codes) in placed {
            let codes = codes.with_name(name.into()).into_column();
            match table.and_then(|t| tables.get_mut(&t)) {
                Some(df) => df.with_column(codes)?,
                None => targets.with_column(codes)?,
            };
        }
        dicts.push((kind, dict));
    }
    let coded = Dataset {
        tables,
        report: ds.report.clone(),
    };
    Ok((coded, targets, Codes(dicts)))
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

    #[test]
    fn the_key_is_coded_with_the_sites_and_other_columns_are_not_ids() {
        assert_eq!(kind_of(KEY), Some(SITE));
        assert_eq!(kind_of("person_id"), Some("person_id"));
        assert_eq!(kind_of("name"), None);
    }
}
