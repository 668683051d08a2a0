//! Text to typed values, as Danish exports write them: decimal comma and
//! thousands dots, `ja`/`nej`, ISO or `dd-mm-yyyy` dates with an optional
//! time, and case-insensitive codes. Each parser returns the reason a value
//! is wrong, written for the person who has to fix the file.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};

use super::schema::ColType;

/// A parsed cell. Text borrows from the row it was read from where it can
/// (most cells), so that a row is checked without copying its text.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// Missing.
    Null,
    /// Text (also enumeration codes, in canonical spelling).
    Str(Cow<'a, str>),
    /// Whole number.
    Int(i64),
    /// Decimal number.
    Float(f64),
    /// Boolean.
    Bool(bool),
    /// Days since 1970-01-01 (dates and months).
    Date(i32),
}

impl Value<'_> {
    /// The value with its text owned, to keep beyond the row it came from.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
            Value::Int(v) => Value::Int(v),
            Value::Float(v) => Value::Float(v),
            Value::Bool(v) => Value::Bool(v),
            Value::Date(v) => Value::Date(v),
        }
    }

    /// The value as f64 for range checks.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(v) => Some(*v as f64),
            Value::Float(v) => Some(*v),
            _ => None,
        }
    }
}

/// How decimal numbers are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Decimal {
    /// A comma is a decimal comma unless dots are also present (`1.234,5`).
    #[default]
    Auto,
    /// `.` is the decimal point; commas are thousands separators.
    Point,
    /// `,` is the decimal point; dots are thousands separators.
    Comma,
}

/// The Unix epoch as a date.
pub fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Days since the epoch.
pub fn to_days(d: NaiveDate) -> i32 {
    (d - epoch()).num_days() as i32
}

/// The date of a day count.
pub fn from_days(days: i32) -> NaiveDate {
    epoch() + chrono::Duration::days(i64::from(days))
}

/// Parses one cell. An empty or whitespace cell is `Null`.
pub fn parse_value(text: &str, ty: ColType, decimal: Decimal) -> Result<Value<'_>, String> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("na") || t.eq_ignore_ascii_case("null") {
        return Ok(Value::Null);
    }
    match ty {
        ColType::Str => Ok(Value::Str(Cow::Borrowed(t))),
        ColType::Int => parse_int(t).map(Value::Int),
        ColType::Float => parse_float(t, decimal).map(Value::Float),
        ColType::Amount => parse_amount(t, decimal).map(Value::Float),
        ColType::Bool => parse_bool(t).map(Value::Bool),
        ColType::Date => parse_date(t).map(|d| Value::Date(to_days(d))),
        ColType::Month => parse_month(t).map(|d| Value::Date(to_days(d))),
        ColType::Enum(values) => values
            .iter()
            .find(|v| v.eq_ignore_ascii_case(t))
            .map(|v| Value::Str(Cow::Borrowed(*v)))
            .ok_or_else(|| {
                format!(
                    "'{t}' is not one of {}; recode it in tilsyn.toml",
                    values.join(", ")
                )
            }),
    }
}

fn parse_int(t: &str) -> Result<i64, String> {
    // Fast path: plain digits (the common case) need no cleaning.
    if let Ok(v) = t.parse::<i64>() {
        return Ok(v);
    }
    let cleaned: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    if let Ok(v) = cleaned.parse::<i64>() {
        return Ok(v);
    }
    // Danish thousands separators: 1.000 or 12.500.000 (groups of three digits).
    if thousands_dots(&cleaned) {
        return cleaned
            .replace('.', "")
            .parse::<i64>()
            .map_err(|_| format!("'{t}' is not a whole number"));
    }
    match parse_float(&cleaned, Decimal::Auto) {
        Ok(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        _ => Err(format!("'{t}' is not a whole number")),
    }
}

/// Whether a number is written with dots as thousands separators only
/// (`1.000`, `12.500.000`): digits, then groups of exactly three digits.
pub fn thousands_dots(t: &str) -> bool {
    let t = t.strip_prefix('-').unwrap_or(t);
    let mut parts = t.split('.');
    let first = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && rest
            .iter()
            .all(|p| p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Parses an amount of money in whole kroner or with decimals: like
/// [`parse_float`], but in `Auto` a dot followed by groups of exactly three
/// digits is a thousands separator (`42.800` is 42,800 DKK, never 42.8).
pub fn parse_amount(t: &str, decimal: Decimal) -> Result<f64, String> {
    if decimal != Decimal::Comma && plain_number(t) {
        if decimal == Decimal::Auto && thousands_dots(t) {
            return parse_float(&t.replace('.', ""), Decimal::Point);
        }
        return finite(t);
    }
    let cleaned: String = t
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    if decimal == Decimal::Auto && !cleaned.contains(',') && thousands_dots(&cleaned) {
        return parse_float(&cleaned.replace('.', ""), Decimal::Point);
    }
    parse_float(t, decimal)
}

/// Parses a decimal number written with a decimal point or a decimal comma.
pub fn parse_float(t: &str, decimal: Decimal) -> Result<f64, String> {
    if decimal != Decimal::Comma && plain_number(t) {
        return finite(t);
    }
    let cleaned: String = t
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    let normalised = match decimal {
        Decimal::Point => cleaned.replace(',', ""),
        Decimal::Comma => cleaned.replace('.', "").replace(',', "."),
        Decimal::Auto => {
            let commas = cleaned.matches(',').count();
            let dots = cleaned.matches('.').count();
            match (commas, dots) {
                (0, _) => cleaned,
                // 1.234,50 (Danish thousands and decimals)
                (1, _) if cleaned.rfind(',') > cleaned.rfind('.') => {
                    cleaned.replace('.', "").replace(',', ".")
                }
                // 1,234.50 (English thousands)
                (_, 1) => cleaned.replace(',', ""),
                (1, 0) => cleaned.replace(',', "."),
                _ => cleaned,
            }
        }
    };
    match normalised.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("'{t}' is not a number")),
    }
}

/// Digits with at most a leading minus and dots: a number that reads the
/// same in every notation but `Decimal::Comma` (no comma, no spaces).
fn plain_number(t: &str) -> bool {
    let b = t.strip_prefix('-').unwrap_or(t).as_bytes();
    !b.is_empty() && b.iter().all(|c| c.is_ascii_digit() || *c == b'.')
}

/// A finite float, or the error every number parser gives.
fn finite(t: &str) -> Result<f64, String> {
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("'{t}' is not a number")),
    }
}

/// `yyyy-mm-dd` exactly, the common case, without splitting or allocating.
fn iso_date(t: &str) -> Option<NaiveDate> {
    let b = t.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

fn parse_bool(t: &str) -> Result<bool, String> {
    match t.to_lowercase().as_str() {
        "true" | "t" | "1" | "yes" | "y" | "ja" | "j" | "sand" | "x" => Ok(true),
        "false" | "f" | "0" | "no" | "n" | "nej" | "falsk" => Ok(false),
        _ => Err(format!(
            "'{t}' is not true/false (ja/nej, 1/0 are also accepted)"
        )),
    }
}

/// Parses a date: `yyyy-mm-dd`, `dd-mm-yyyy`, `dd.mm.yyyy` or `dd/mm/yyyy`,
/// optionally followed by a time (`T…` or ` …`), which is ignored.
pub fn parse_date(t: &str) -> Result<NaiveDate, String> {
    if let Some(d) = iso_date(t) {
        return Ok(d);
    }
    let day_part = t.split(['T', ' ']).next().unwrap_or(t);
    let parts: Vec<&str> = day_part.split(['-', '.', '/']).collect();
    let bad = || format!("'{t}' is not a date (write yyyy-mm-dd or dd-mm-yyyy)");
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let (y, m, d) = if parts[0].len() == 4 {
        (parts[0], parts[1], parts[2])
    } else if parts[2].len() == 4 {
        (parts[2], parts[1], parts[0])
    } else {
        return Err(bad());
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(bad());
    };
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| {
        format!("'{t}' is not a calendar date (day {d} of month {m} in {y} does not exist)")
    })
}

/// Parses a month: `YYYY-MM`, `MM-YYYY`, `YYYYMM`, or a full date.
pub fn parse_month(t: &str) -> Result<NaiveDate, String> {
    let bad = || format!("'{t}' is not a month (write YYYY-MM)");
    // Fast path: `YYYY-MM` exactly.
    let b = t.as_bytes();
    if b.len() == 7
        && b[4] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || c.is_ascii_digit())
        && let (Ok(y), Ok(m)) = (t[..4].parse::<i32>(), t[5..].parse::<u32>())
        && let Some(d) = NaiveDate::from_ymd_opt(y, m, 1)
    {
        return Ok(d);
    }
    if let Ok(d) = parse_date(t) {
        return d.with_day(1).ok_or_else(bad);
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let parts: Vec<&str> = t.split(['-', '/', '.']).collect();
    let (y, m) = match parts.as_slice() {
        [a, b] if a.len() == 4 => (a.parse::<i32>().ok(), b.parse::<u32>().ok()),
        [a, b] if b.len() == 4 => (b.parse::<i32>().ok(), a.parse::<u32>().ok()),
        [_] if digits.len() == 6 && digits == t => {
            (digits[..4].parse().ok(), digits[4..].parse().ok())
        }
        _ => (None, None),
    };
    match (y, m) {
        (Some(y), Some(m)) => NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_danish_and_english_notation() {
        assert_eq!(parse_float("1234,5", Decimal::Auto), Ok(1234.5));
        assert_eq!(parse_float("1.234,50", Decimal::Auto), Ok(1234.5));
        assert_eq!(parse_float("1,234.50", Decimal::Auto), Ok(1234.5));
        assert_eq!(parse_float("42 800", Decimal::Auto), Ok(42800.0));
        assert_eq!(parse_float("1.234", Decimal::Comma), Ok(1234.0));
        assert!(parse_float("abc", Decimal::Auto).is_err());
        assert!(parse_float("NaN", Decimal::Auto).is_err());
        assert_eq!(
            parse_value("12,0", ColType::Int, Decimal::Auto),
            Ok(Value::Int(12))
        );
        assert!(parse_value("12,5", ColType::Int, Decimal::Auto).is_err());
    }

    #[test]
    fn dates_iso_danish_and_with_time() {
        let d = NaiveDate::from_ymd_opt(2022, 9, 2).unwrap();
        assert_eq!(parse_date("2022-09-02"), Ok(d));
        assert_eq!(parse_date("02-09-2022"), Ok(d));
        assert_eq!(parse_date("02.09.2022"), Ok(d));
        assert_eq!(parse_date("02-09-2022 00:00:00"), Ok(d));
        assert_eq!(parse_date("2022-09-02T10:00:00Z"), Ok(d));
        assert!(
            parse_date("31-02-2022")
                .unwrap_err()
                .contains("does not exist")
        );
        assert!(parse_date("2022/13").is_err());
        assert_eq!(from_days(to_days(d)), d);
    }

    #[test]
    fn months_and_booleans_and_codes() {
        let m = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        assert_eq!(parse_month("2024-03"), Ok(m));
        assert_eq!(parse_month("03-2024"), Ok(m));
        assert_eq!(parse_month("202403"), Ok(m));
        assert_eq!(parse_month("2024-03-17"), Ok(m));
        assert_eq!(
            parse_value("Ja", ColType::Bool, Decimal::Auto),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            parse_value("NEJ", ColType::Bool, Decimal::Auto),
            Ok(Value::Bool(false))
        );
        assert_eq!(
            parse_value(" ", ColType::Bool, Decimal::Auto),
            Ok(Value::Null)
        );
        let e = ColType::Enum(&["AT", "SKAT"]);
        assert_eq!(
            parse_value("at", e, Decimal::Auto),
            Ok(Value::Str("AT".into()))
        );
        assert!(
            parse_value("xx", e, Decimal::Auto)
                .unwrap_err()
                .contains("one of AT, SKAT")
        );
    }
}
