//! `explain` lists the register records behind the pay, hours and housing
//! signals: the site's payroll rows of the 12 complete months up to the
//! as-of date and the residences of its permit holders, with file and line.

use std::collections::BTreeSet;

use crate::harness::{AS_OF, fixture, pn, run_tilsyn};

/// Site 1000000001 of `good/full`: payroll.csv lines 2 (2026-04) and 3
/// (2026-05) are its payroll rows (4 and 5 are other sites'); its one
/// permit holder, pa1b2c3d4e5 (permit ended 2026-01-31, within a year of
/// both dates below), lives at residences.csv line 4, address a0c4e1,
/// where pf00d11aa22 (line 2) is registered too.
const SITE: &str = "1000000001";

fn explain(as_of: &str, format: &str) -> crate::harness::Run {
    let data = fixture("good/full").display().to_string();
    let run = run_tilsyn(
        [
            "explain",
            SITE,
            "--data",
            data.as_str(),
            "--as-of",
            as_of,
            "--format",
            format,
        ],
        &[],
    );
    run.assert_code(0);
    run
}

#[test]
fn explain_lists_payroll_rows_of_the_window_and_permit_holders_residences() {
    // (as-of date, payroll lines in the window): on 2026-05-15 May is not
    // complete yet, so only April counts.
    for (as_of, payroll) in [(AS_OF, vec![2, 3]), ("2026-05-15", vec![2])] {
        let run = explain(as_of, "json");
        let json = run.json();
        let records = json["register_records"]
            .as_array()
            .unwrap_or_else(|| panic!("no `register_records` array\n{}", run.context()));
        let got: BTreeSet<String> = records
            .iter()
            .map(|r| {
                format!(
                    "{}:{}",
                    r["file"].as_str().unwrap_or("?"),
                    r["line"].as_i64().unwrap_or(-1)
                )
            })
            .collect();
        let expected: BTreeSet<String> = payroll
            .iter()
            .map(|l| format!("payroll.csv:{l}"))
            .chain(["residences.csv:4".to_string()])
            .collect();
        assert_eq!(got, expected, "as of {as_of}\n{}", run.context());
        let tables: Vec<&str> = records.iter().filter_map(|r| r["table"].as_str()).collect();
        let mut want = vec!["payroll"; payroll.len()];
        want.push("residences");
        assert_eq!(
            tables,
            want,
            "payroll first, then residences\n{}",
            run.context()
        );

        let summaries: Vec<&str> = records
            .iter()
            .filter_map(|r| r["summary"].as_str())
            .collect();
        assert!(
            summaries[0].contains("2026-04: 45,800 DKK gross for 160.33 h (37.0 h/week)")
                && summaries[0].contains("paid to own account"),
            "{}",
            run.context()
        );
        let housing = summaries[summaries.len() - 1];
        for needle in [
            format!("address {}", pn("a0c4e1")).as_str(),
            "from 2024-02-01",
            "(1 room, employer-provided)",
            "2 persons registered at that address in all",
        ] {
            assert!(housing.contains(needle), "{needle:?}\n{}", run.context());
        }
        // Nationality is never shown.
        assert!(
            summaries.iter().all(|s| !s.contains("UKR")),
            "{}",
            run.context()
        );
    }
}

#[test]
fn explain_text_has_the_register_section() {
    let run = explain(AS_OF, "text");
    for needle in [
        "Register records behind the pay, hours and housing signals",
        "payroll.csv:2 2026-04",
        "payroll.csv:3 2026-05",
        "residences.csv:4 2024-02-01",
    ] {
        assert!(run.stdout.contains(needle), "{needle:?}\n{}", run.context());
    }
    assert!(!run.stdout.contains("payroll.csv:4"), "{}", run.context());
}
