//! Free text is personal data until shown otherwise: notes written by
//! inspectors can name people, their CPR numbers, passports, e-mail
//! addresses and phone numbers. Every free-text column is masked for those
//! patterns as it is loaded, so no command can print or write them.

use polars::prelude::*;

use super::schema::Table;

/// The free-text columns of the canonical tables.
pub const FREE_TEXT: [(Table, &str); 1] = [(Table::Findings, "note")];

/// Patterns and what replaces them, in the order they are applied (a CPR
/// number before the shorter phone pattern could take part of it).
pub const PATTERNS: [(&str, &str); 4] = [
    // CPR: ddmmyy-xxxx or ddmmyyxxxx.
    (r"\b\d{6}[- ]?\d{4}\b", "[cpr]"),
    // E-mail addresses.
    (
        r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
        "[e-mail]",
    ),
    // Passport and ID-card numbers: one or two letters and 6 to 9 digits.
    (r"\b[A-Za-z]{1,2}\d{6,9}\b", "[document no.]"),
    // Phone numbers: 8 digits, optionally grouped, with a +45-style prefix.
    (
        r"(\+\d{1,3}[ -]?)?\b\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}\b",
        "[phone]",
    ),
];

/// The expression that masks one text column.
pub fn masked(column: &str) -> Expr {
    let mut e = col(column);
    for (pattern, with) in PATTERNS {
        e = e.str().replace_all(lit(pattern), lit(with), false);
    }
    e.alias(column)
}

/// Masks every free-text column of a table's frame.
pub fn free_text(table: Table, df: DataFrame) -> PolarsResult<DataFrame> {
    let exprs: Vec<Expr> = FREE_TEXT
        .iter()
        .filter(|(t, c)| *t == table && df.column(c).is_ok())
        .map(|(_, c)| masked(c))
        .collect();
    if exprs.is_empty() {
        return Ok(df);
    }
    df.lazy().with_columns(exprs).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(text: &str) -> String {
        let df = df!("note" => [text]).unwrap();
        let out = free_text(Table::Findings, df).unwrap();
        out.column("note")
            .unwrap()
            .str()
            .unwrap()
            .get(0)
            .unwrap()
            .to_string()
    }

    #[test]
    fn identifiers_in_notes_are_masked() {
        assert_eq!(
            mask("Pas nr. AB1234567 hos arbejdsgiver; CPR 010170-1234"),
            "Pas nr. [document no.] hos arbejdsgiver; CPR [cpr]"
        );
        assert_eq!(mask("cpr 0101701234."), "cpr [cpr].");
        assert_eq!(
            mask("ring 12 34 56 78 eller +45 87654321, mail jens.h@firma.dk"),
            "ring [phone] eller [phone], mail [e-mail]"
        );
        // Ordinary numbers in a note stay.
        assert_eq!(
            mask("Arbejdstid over 60 timer/uge, 4 arbejdere, 2024"),
            "Arbejdstid over 60 timer/uge, 4 arbejdere, 2024"
        );
    }

    #[test]
    fn other_tables_are_left_alone() {
        let df = df!("note" => ["0101701234"]).unwrap();
        let out = free_text(Table::Tips, df.clone()).unwrap();
        assert!(out.equals(&df));
    }
}
