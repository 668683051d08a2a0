//! Matching a file to a table: each header against the synonyms of the
//! canonical columns, each guess checked against a sample of its values.

use super::*;

/// How a header matched a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    /// The header contains the name.
    Within,
    /// The header is the name followed by a note in brackets (a unit).
    Bracketed,
    /// The header is the name.
    Whole,
}

/// A header's match with a column: how sure, how, and why.
#[derive(Debug, Clone)]
pub(super) struct HeaderMatch {
    pub(super) confidence: Confidence,
    pub(super) kind: Kind,
    /// The length of the name matched (a longer name is the more telling).
    pub(super) strength: usize,
    pub(super) why: String,
}

/// The best match of a header (normalised whole and without its bracketed
/// notes) with a column's names.
pub(super) fn header_match(spec: &ColumnSpec, full: &str, bare: &str) -> Option<HeaderMatch> {
    let what = what(spec.name);
    let mut best: Option<HeaderMatch> = None;
    let names = std::iter::once(spec.name).chain(synonyms(spec.name).iter().copied());
    for (i, name) in names.enumerate() {
        let n = normalise(name);
        if n.is_empty() {
            continue;
        }
        let usual = if i == 0 {
            "the canonical name".to_string()
        } else {
            format!("a usual header for {what}")
        };
        let found = if n == full {
            Some((Confidence::High, Kind::Whole, usual))
        } else if n == bare {
            Some((
                Confidence::High,
                Kind::Bracketed,
                format!("{usual}, with a note in brackets"),
            ))
        } else if n.len() >= MIN_WITHIN && full.contains(n.as_str()) {
            Some((
                Confidence::Medium,
                Kind::Within,
                format!("the header contains \"{name}\", a usual name for {what}"),
            ))
        } else {
            None
        };
        if let Some((confidence, kind, why)) = found {
            let m = HeaderMatch {
                confidence,
                kind,
                strength: n.len(),
                why,
            };
            let rank = |m: &HeaderMatch| (m.confidence, m.kind, m.strength);
            if best.as_ref().is_none_or(|b| rank(&m) > rank(b)) {
                best = Some(m);
            }
        }
    }
    best
}

/// The values of a sample that are not blank (as the parser reads blanks).
pub(super) fn filled(values: &[String]) -> Vec<&str> {
    values
        .iter()
        .map(|v| v.trim())
        .filter(|v| {
            !v.is_empty() && !v.eq_ignore_ascii_case("na") && !v.eq_ignore_ascii_case("null")
        })
        .collect()
}

/// What the values of a type are called in the comments.
pub(super) fn type_noun(spec: &ColumnSpec) -> &'static str {
    match (spec.ty, spec.range.is_some()) {
        (ColType::Date, _) => "dates",
        (ColType::Month, _) => "months",
        (ColType::Int, false) => "whole numbers",
        (ColType::Int, true) => "whole numbers in range",
        (ColType::Float, false) => "numbers",
        (ColType::Float, true) => "numbers in range",
        (ColType::Amount, _) => "amounts",
        (ColType::Bool, _) => "true/false (ja/nej)",
        (ColType::Str | ColType::Enum(_), _) => "values",
    }
}

/// Checks a header's match against the column's sampled values: values of
/// the column's type confirm it (a partial match becomes sure), values
/// mostly of another type speak against it.
pub(super) fn check_values(spec: &ColumnSpec, values: &[String], m: &mut HeaderMatch) {
    let values = filled(values);
    let n = values.len();
    let (ok, noun, demote) = match spec.ty {
        ColType::Str => return,
        ColType::Enum(allowed) => {
            let dates = values
                .iter()
                .filter(|v| parse::parse_date(v).is_ok())
                .count();
            if n > 0 && dates * 10 >= n * 8 {
                m.confidence = Confidence::Low;
                m.why
                    .push_str(&format!("; but {dates} of {n} sampled values are dates"));
                return;
            }
            let known = values
                .iter()
                .filter(|v| {
                    allowed.iter().any(|a| a.eq_ignore_ascii_case(v))
                        || known_term(spec.name, v).is_some()
                })
                .count();
            // Unknown codes are expected (a local term): they do not speak
            // against the column, they need a recoding.
            (known, "known codes", false)
        }
        _ => {
            let ok = values
                .iter()
                .filter(|v| {
                    parse::parse_value(v, spec.ty, Decimal::Auto)
                        .is_ok_and(|val| in_range(spec, &val))
                })
                .count();
            (ok, type_noun(spec), true)
        }
    };
    if n == 0 {
        m.why
            .push_str("; the sample holds no values to check it by");
    } else if ok * 10 >= n * 8 {
        if m.confidence == Confidence::Medium {
            m.confidence = Confidence::High;
            m.why.push_str(&format!(
                "; {ok} of {n} sampled values are {noun}, which confirms it"
            ));
        } else {
            m.why
                .push_str(&format!("; {ok} of {n} sampled values are {noun}"));
        }
    } else if demote && ok * 2 < n {
        m.confidence = Confidence::Low;
        m.why.push_str(&format!(
            "; but only {ok} of {n} sampled values are {noun}: check it"
        ));
    } else {
        m.why
            .push_str(&format!("; {ok} of {n} sampled values are {noun}"));
    }
}

/// Whether a parsed value lies in its column's range.
pub(super) fn in_range(spec: &ColumnSpec, value: &Value) -> bool {
    spec.range
        .is_none_or(|r| value.as_f64().is_none_or(|x| (r.min..=r.max).contains(&x)))
}

/// A column guessed for a header.
#[derive(Debug, Clone)]
pub(super) struct Guess {
    /// Index into the table's columns.
    pub(super) column: usize,
    /// Index into the file's headers.
    pub(super) header: usize,
    pub(super) m: HeaderMatch,
}

/// How well one file fits one table.
#[derive(Debug, Clone)]
pub(super) struct Matching {
    /// The guesses, in canonical column order.
    pub(super) guesses: Vec<Guess>,
    /// 2 per required column found, 1 per optional one (low guesses do not count).
    pub(super) score: usize,
    pub(super) required_found: usize,
    pub(super) missing_required: usize,
}

/// Matches a file's headers with a table's columns: every possible pair,
/// then the surest first, each column and each header used once.
pub(super) fn match_table(table: Table, s: &Sample, norm: &[(String, String)]) -> Matching {
    let specs = table.columns();
    let mut candidates: Vec<Guess> = Vec::new();
    for (column, spec) in specs.iter().enumerate() {
        for (header, (full, bare)) in norm.iter().enumerate() {
            if full.is_empty() {
                continue;
            }
            if let Some(mut m) = header_match(spec, full, bare) {
                check_values(spec, &s.values[header], &mut m);
                candidates.push(Guess { column, header, m });
            }
        }
    }
    candidates.sort_by_key(|g| {
        (
            Reverse(g.m.confidence),
            Reverse(g.m.kind),
            Reverse(g.m.strength),
            g.column,
            g.header,
        )
    });
    let mut column_used = vec![false; specs.len()];
    let mut header_used = vec![false; norm.len()];
    let mut guesses = Vec::new();
    for g in candidates {
        if !column_used[g.column] && !header_used[g.header] {
            column_used[g.column] = true;
            header_used[g.header] = true;
            guesses.push(g);
        }
    }
    guesses.sort_by_key(|g| g.column);
    let score: usize = guesses
        .iter()
        .filter(|g| g.m.confidence > Confidence::Low)
        .map(|g| if specs[g.column].required { 2 } else { 1 })
        .sum();
    let required_found = guesses.iter().filter(|g| specs[g.column].required).count();
    let required = specs.iter().filter(|s| s.required).count();
    Matching {
        guesses,
        score,
        required_found,
        missing_required: required - required_found,
    }
}

/// The draft of one table from the file assigned to it.
pub(super) fn build_table(
    table: Table,
    s: &Sample,
    m: &Matching,
    by_name: bool,
    names: &[String],
) -> DraftTable {
    let specs = table.columns();
    let columns: Vec<DraftColumn> = m
        .guesses
        .iter()
        .map(|g| DraftColumn {
            column: specs[g.column].name,
            header: s.headers[g.header].clone(),
            confidence: g.m.confidence,
            why: g.m.why.clone(),
        })
        .collect();

    // Decimal marks of the number columns: a comma set explicitly only when
    // no value reads with a decimal point.
    let mut comma_columns: Vec<&str> = Vec::new();
    let mut point_columns: Vec<&str> = Vec::new();
    for g in &m.guesses {
        let spec = &specs[g.column];
        if !matches!(spec.ty, ColType::Float | ColType::Amount) {
            continue;
        }
        let values = filled(&s.values[g.header]);
        if values.iter().any(|v| has_decimal_comma(v)) {
            comma_columns.push(spec.name);
        }
        if values.iter().any(|v| has_decimal_point(v)) {
            point_columns.push(spec.name);
        }
    }
    let decimal_comma = !comma_columns.is_empty() && point_columns.is_empty();
    let decimal_note = match (comma_columns.is_empty(), point_columns.is_empty()) {
        (false, true) => Some(format!("decimal commas in {}", comma_columns.join(", "))),
        (false, false) => Some(format!(
            "decimal commas in {} and decimal points in {}: left to auto (set decimal = \",\" or \".\" if one is right for the whole file)",
            comma_columns.join(", "),
            point_columns.join(", ")
        )),
        (true, false) => Some(format!("decimal points in {}", point_columns.join(", "))),
        (true, true) => None,
    };

    let mut pseudonymise = Vec::new();
    let mut recodes = Vec::new();
    for g in &m.guesses {
        let spec = &specs[g.column];
        let values = filled(&s.values[g.header]);
        if spec.person_id {
            let cpr = values.iter().filter(|v| looks_like_cpr(v)).count();
            if cpr > 0 {
                pseudonymise.push((
                    spec.name,
                    format!(
                        "{cpr} of {} sampled values look like CPR numbers",
                        values.len()
                    ),
                ));
            }
        }
        if let ColType::Enum(allowed) = spec.ty {
            let mut distinct: Vec<&str> = values
                .into_iter()
                .filter(|v| !allowed.iter().any(|a| a.eq_ignore_ascii_case(v)))
                .collect();
            distinct.sort_unstable();
            distinct.dedup();
            if !distinct.is_empty() {
                recodes.push(DraftRecode {
                    column: spec.name,
                    allowed,
                    values: distinct
                        .into_iter()
                        .map(|v| DraftValue {
                            source: v.to_string(),
                            canonical: known_term(spec.name, v),
                        })
                        .collect(),
                });
            }
        }
    }

    let unmapped_headers = s
        .headers
        .iter()
        .enumerate()
        .filter(|(i, h)| !h.is_empty() && !m.guesses.iter().any(|g| g.header == *i))
        .map(|(_, h)| h.clone())
        .collect();
    let found = |name: &str| columns.iter().any(|c| c.column == name);
    let missing_required = specs
        .iter()
        .filter(|c| c.required && !found(c.name))
        .map(|c| c.name)
        .collect();
    let missing_optional = specs
        .iter()
        .filter(|c| !c.required && !found(c.name))
        .map(|c| c.name)
        .collect();

    let default_name = format!("{}.csv", table.name());
    let other_defaults = [
        format!("{}.csv.gz", table.name()),
        format!("{}.parquet", table.name()),
    ];
    let write_file = s.name != default_name || other_defaults.iter().any(|o| names.contains(o));
    let required = specs.iter().filter(|c| c.required).count();
    let file_why = if by_name {
        format!("named after the table `{}`", table.name())
    } else {
        format!(
            "its headers match {} of the {} columns of `{}`, {} of its {required} required ones",
            columns.len(),
            specs.len(),
            table.name(),
            m.required_found
        )
    };
    DraftTable {
        table,
        file: s.name.clone(),
        write_file,
        file_why,
        encoding: s.encoding,
        delimiter: s.delimiter,
        gzip: s.gzip,
        rows_sampled: s.rows,
        more_rows: s.more_rows,
        decimal_comma,
        decimal_note,
        columns,
        recodes,
        pseudonymise,
        unmapped_headers,
        missing_required,
        missing_optional,
    }
}

/// Whether a number is written with a decimal comma (`0,35`, `1.234,50`).
pub(super) fn has_decimal_comma(v: &str) -> bool {
    match (v.rfind(','), v.rfind('.')) {
        (Some(c), Some(p)) => c > p,
        (Some(_), None) => parse::parse_float(v, Decimal::Comma).is_ok(),
        _ => false,
    }
}

/// Whether a number is written with a decimal point (`0.35`, `1,234.50`),
/// not with thousands dots only (`42.800`).
pub(super) fn has_decimal_point(v: &str) -> bool {
    match (v.rfind(','), v.rfind('.')) {
        (Some(c), Some(p)) => p > c,
        (None, Some(_)) => {
            !parse::thousands_dots(v) && parse::parse_float(v, Decimal::Point).is_ok()
        }
        _ => false,
    }
}
