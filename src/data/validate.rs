//! Checking one parsed row: required values, ranges, Denmark's bounding
//! box, dates not after the as-of date, unique ids, references to other
//! tables, period order and indicator ids. A failure names the column and
//! says what to fix; the row then goes to the rejects file.

use std::borrow::Cow;
use std::collections::HashMap;

use polars::prelude::{PlHashMap, PlHashSet};

use chrono::NaiveDate;

use super::parse::{self, Decimal, Value};
use super::reference::ReferenceData;
use super::schema::{ColumnSpec, DK_LAT, ILO_INDICATORS, NON_ILO_FINDING, Table};

/// Ids seen so far, for uniqueness and reference checks.
pub(super) struct Context {
    pub(super) ids: HashMap<Table, PlHashSet<String>>,
    pub(super) company_ids: PlHashSet<String>,
    pub(super) indicators: PlHashSet<String>,
    pub(super) as_of_limit: NaiveDate,
    /// Whether references to other tables are checked (`false` for a file
    /// loaded on its own, such as pending permit applications, which may
    /// name sites the folder does not hold).
    pub(super) check_references: bool,
}

/// A failed check: the column at fault and the reason.
pub(super) type Failure = (String, String);

// A row is checked in this order: each cell ([`parse_cells`]), its unique
// key against the rows before it ([`check_unique`]), then the relations
// ([`check_relations`]). The loader runs the first and last on several
// threads and the key check in line order, so the first failure reported
// is the same as on one thread.

/// The unique key of a row against the keys of the rows loaded before it.
pub(super) fn check_unique(
    specs: &[ColumnSpec],
    fields: &[Cow<'_, str>],
    k: usize,
    seen: &PlHashMap<String, u64>,
) -> Result<(), Failure> {
    match seen.get(fields[k].as_ref()) {
        Some(first) => {
            let key = specs[k].name;
            Err((
                key.to_string(),
                format!("duplicate {key} '{}': already on line {first}", fields[k]),
            ))
        }
        None => Ok(()),
    }
}

/// Parses every cell into `values`: types, required values, ranges, dates
/// not after the as-of date.
pub(super) fn parse_cells<'r>(
    table: Table,
    specs: &[ColumnSpec],
    fields: &[Cow<'r, str>],
    values: &mut [Value<'r>],
    decimal: Decimal,
    ctx: &Context,
) -> Result<(), Failure> {
    let fail = |col: &str, reason: String| Err((col.to_string(), reason));
    for (i, spec) in specs.iter().enumerate() {
        // Text read as it is borrows from the row; text made here (a
        // pseudonym, joined columns) is copied into the value.
        let parsed = match &fields[i] {
            Cow::Borrowed(text) => parse::parse_value(text, spec.ty, decimal),
            Cow::Owned(text) => parse::parse_value(text, spec.ty, decimal).map(Value::into_owned),
        };
        let v = parsed.map_err(|e| (spec.name.to_string(), e))?;
        if spec.required && v == Value::Null {
            return fail(spec.name, format!("a value is required in '{}'", spec.name));
        }
        if let (Some(r), Some(x)) = (spec.range, v.as_f64())
            && (x < r.min || x > r.max)
        {
            let what = if r.min == 0.0 && x < 0.0 {
                format!("{x} is negative; '{}' cannot be below 0", spec.name)
            } else if spec.name == "lat" || spec.name == "lon" {
                format!(
                    "{x} is outside Denmark (latitude {}–{}, longitude {}–{}); check the coordinate order and decimal mark",
                    DK_LAT.min,
                    DK_LAT.max,
                    super::schema::DK_LON.min,
                    super::schema::DK_LON.max
                )
            } else {
                format!("{x} is outside the allowed range {}–{}", r.min, r.max)
            };
            return fail(spec.name, what);
        }
        if let Value::Date(d) = v
            && table.event_date_columns().contains(&spec.name)
            && d > parse::to_days(ctx.as_of_limit)
        {
            return fail(
                spec.name,
                format!(
                    "{} is after the as-of date {}; a record cannot be dated in the future (check the date, or pass a later --as-of)",
                    parse::from_days(d),
                    ctx.as_of_limit
                ),
            );
        }
        values[i] = v;
    }
    Ok(())
}

/// The checks across cells and tables of a parsed row: references to other
/// tables, period order, and each table's own rules.
pub(super) fn check_relations(
    table: Table,
    specs: &[ColumnSpec],
    fields: &[Cow<'_, str>],
    values: &[Value<'_>],
    ctx: &Context,
) -> Result<(), Failure> {
    let fail = |col: &str, reason: String| Err((col.to_string(), reason));
    let get = |name: &str| {
        specs
            .iter()
            .position(|s| s.name == name)
            .map(|i| (&values[i], &fields[i]))
    };
    let references: &[super::schema::Reference] = if ctx.check_references {
        table.references()
    } else {
        &[]
    };
    for r in references {
        if let Some((Value::Str(id), _)) = get(r.column) {
            let known = ctx
                .ids
                .get(&r.table)
                .is_some_and(|ids| ids.contains(id.as_ref()));
            if !known {
                return fail(
                    r.column,
                    format!(
                        "{} '{id}' is not in the {} table (or its row there was rejected)",
                        r.column,
                        r.table.name()
                    ),
                );
            }
        }
    }
    // Period order.
    for (from, to) in [("start_date", "end_date"), ("from_date", "to_date")] {
        if let (Some((Value::Date(a), _)), Some((Value::Date(b), _))) = (get(from), get(to))
            && b < a
        {
            return fail(
                to,
                format!(
                    "{to} {} is before {from} {}",
                    parse::from_days(*b),
                    parse::from_days(*a)
                ),
            );
        }
    }
    match table {
        Table::Tips => {
            let site = get("site_id").map(|(v, _)| v.clone());
            let company = get("company_id").map(|(v, _)| v.clone());
            match (site, company) {
                (Some(Value::Null) | None, Some(Value::Null) | None) => {
                    return fail("site_id", "a tip needs a site_id or a company_id".into());
                }
                (_, Some(Value::Str(c))) if !ctx.company_ids.contains(c.as_ref()) => {
                    return fail(
                        "company_id",
                        format!("company_id '{c}' is not the company of any site"),
                    );
                }
                _ => {}
            }
            check_indicator(get("indicator").map(|(v, _)| v), ctx)?;
        }
        Table::Findings => check_indicator(get("indicator").map(|(v, _)| v), ctx)?,
        Table::Sites => {
            if let Some((Value::Int(code), _)) = get("municipality_code") {
                let known = u16::try_from(*code).ok().is_some_and(|c| {
                    c == 411 || ReferenceData::bundled().municipality(c).is_some()
                });
                if !known {
                    return fail(
                        "municipality_code",
                        format!(
                            "{code} is not a Danish municipality code (see datasets/reference/municipalities.csv)"
                        ),
                    );
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn check_indicator(v: Option<&Value<'_>>, ctx: &Context) -> Result<(), (String, String)> {
    if let Some(Value::Str(id)) = v
        && !ctx.indicators.contains(id.as_ref())
    {
        return Err((
            "indicator".into(),
            format!(
                "'{id}' is not an ILO indicator id ({}), a catalogue id or '{NON_ILO_FINDING}' (a finding that bears on no ILO indicator); recode it in tilsyn.toml",
                ILO_INDICATORS.join(", ")
            ),
        ));
    }
    Ok(())
}
