//! A loaded table's columns as plain vectors, for the code that walks rows
//! one by one (the entity graph, permit screening): one reader per column
//! type, each casting where the stored type may differ (dates are days
//! since 1970-01-01, whatever the table stored), and the count words of
//! the sentences built from them.

use polars::prelude::*;

/// A string column as owned values.
pub fn strs(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<String>>> {
    Ok(df
        .column(name)?
        .str()?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

/// A text column's values, borrowed from the frame (no copy of each value:
/// for the million rows of a national register).
pub fn str_refs<'a>(df: &'a DataFrame, name: &str) -> PolarsResult<Vec<Option<&'a str>>> {
    Ok(df.column(name)?.str()?.iter().collect())
}

/// A numeric column as decimals.
pub fn floats(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    let c = df.column(name)?.cast(&DataType::Float64)?;
    Ok(c.f64()?.iter().collect())
}

/// An integer column.
pub fn ints(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<i64>>> {
    let c = df.column(name)?.cast(&DataType::Int64)?;
    Ok(c.i64()?.iter().collect())
}

/// A date (or day-count) column as days since 1970-01-01.
pub fn days(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<i32>>> {
    let c = df.column(name)?.cast(&DataType::Int32)?;
    Ok(c.i32()?.iter().collect())
}

/// A boolean column.
pub fn bools(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<bool>>> {
    Ok(df.column(name)?.bool()?.iter().collect())
}

/// "1 permit holder", "3 permit holders".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_cast_and_keep_nulls() {
        let df = df!(
            "s" => [Some("a"), None],
            "i" => [Some(3i32), None],
            "b" => [Some(true), None],
        )
        .unwrap();
        assert_eq!(strs(&df, "s").unwrap(), [Some("a".to_string()), None]);
        assert_eq!(ints(&df, "i").unwrap(), [Some(3), None]);
        assert_eq!(floats(&df, "i").unwrap(), [Some(3.0), None]);
        assert_eq!(days(&df, "i").unwrap(), [Some(3), None]);
        assert_eq!(bools(&df, "b").unwrap(), [Some(true), None]);
        assert!(strs(&df, "missing").is_err());
        assert_eq!(plural(1, "site", "sites"), "1 site");
        assert_eq!(plural(0, "site", "sites"), "0 sites");
    }
}
