//! Rendering an indicator's plain-language template with the evidence
//! values of one site: `{feature}` prints the value (whole numbers as such,
//! decimals with up to two places), `{feature:pct}` a 0–1 share as a
//! percentage, `{feature:0}` and `{feature:1}` fixed decimals. A missing
//! value prints as "unknown", so a sentence never hides a gap in the data.

use polars::prelude::*;

/// The feature names a template refers to.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        let inner = &after[..end];
        out.push(inner.split(':').next().unwrap_or(inner).trim());
        rest = &after[end + 1..];
    }
    out
}

/// A feature value as a number, if it is one.
pub fn number(v: &AnyValue<'_>) -> Option<f64> {
    match v {
        AnyValue::Null => None,
        AnyValue::Boolean(b) => Some(f64::from(u8::from(*b))),
        other => other.extract::<f64>(),
    }
}

/// A number with no decimals, exactly as `format!("{x:.0}")` writes it.
/// Whole numbers (counts, the usual case) go through integer formatting:
/// the float formatter's exact mode takes about ten times as long on them,
/// which shows on a million sites. Zero keeps the float path, which writes
/// the sign of -0.
pub struct NoDecimals(pub f64);

impl std::fmt::Display for NoDecimals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let x = self.0;
        if x.fract() == 0.0 && x != 0.0 && x.abs() < 1e15 {
            // Whole and well inside i64: the conversion is exact.
            write!(f, "{}", x as i64)
        } else {
            write!(f, "{x:.0}")
        }
    }
}

/// Formats one value with a format spec (`""`, `pct`, `0`, `1`, `2`).
pub fn format_value(v: &AnyValue<'_>, spec: &str) -> String {
    match v {
        AnyValue::Null => "unknown".into(),
        AnyValue::Boolean(b) => if *b { "yes" } else { "no" }.into(),
        AnyValue::String(s) => (*s).to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        other => match number(other) {
            None => other.to_string(),
            Some(x) => match spec {
                "pct" => format!("{}%", NoDecimals(x * 100.0)),
                "0" => NoDecimals(x).to_string(),
                "1" => format!("{x:.1}"),
                "2" => format!("{x:.2}"),
                _ if x.fract() == 0.0 && x.abs() < 1e15 => NoDecimals(x).to_string(),
                _ => {
                    let s = format!("{x:.2}");
                    s.trim_end_matches('0').trim_end_matches('.').to_string()
                }
            },
        },
    }
}

/// Renders a template for one row of a frame.
pub fn render(template: &str, frame: &DataFrame, row: usize) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = &after[..end];
        let (name, spec) = inner.split_once(':').unwrap_or((inner, ""));
        let value = frame.column(name.trim()).ok().and_then(|c| c.get(row).ok());
        match value {
            Some(v) => out.push_str(&format_value(&v, spec.trim())),
            None => out.push_str("unknown"),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_show_values_and_unknowns() {
        let df = df!(
            "paid" => [Some(84.4f64)],
            "ratio" => [Some(0.612f64)],
            "n" => [Some(3i64)],
            "missing" => [None::<f64>],
        )
        .unwrap();
        let t = "paid {paid:0} DKK/h, {ratio:pct} of stated; {n} workers; {missing} rooms";
        assert_eq!(
            render(t, &df, 0),
            "paid 84 DKK/h, 61% of stated; 3 workers; unknown rooms"
        );
        assert_eq!(placeholders(t), vec!["paid", "ratio", "n", "missing"]);
        assert_eq!(render("{paid}", &df, 0), "84.4");
        assert_eq!(render("{nope} x", &df, 0), "unknown x");
    }

    #[test]
    fn no_decimals_writes_what_the_float_formatter_writes() {
        let mut xs = vec![
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -2.5,
            73.0,
            -73.0,
            99.999,
            1e15,
            -1e15,
            1e15 - 1.0,
            9.007_199_254_740_993e15,
            1e300,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        xs.extend((0..2000).map(|i| f64::from(i) * 0.37 - 300.0));
        xs.extend((0..2000).map(|i| f64::from(i * 7919 % 100_003)));
        for x in xs {
            assert_eq!(NoDecimals(x).to_string(), format!("{x:.0}"), "{x:?}");
        }
    }
}
