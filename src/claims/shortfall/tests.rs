//! The shortfall of hand-built data sets, computed by hand.

use std::path::Path;

use super::*;
use crate::data::{LoadOptions, load_folder};

fn load(dir: &Path) -> Dataset {
    let rejects = tempfile::tempdir().unwrap();
    let opts = LoadOptions {
        as_of: NaiveDate::from_ymd_opt(2026, 6, 30),
        rejects_dir: Some(rejects.path().to_path_buf()),
        pseudonym_key: Some(crate::data::pseudonym::test_key()),
        ..LoadOptions::default()
    };
    let ds = load_folder(dir, &opts).unwrap();
    assert_eq!(ds.report.total_rejected(), 0, "{}", dir.display());
    ds
}

fn close(got: Option<f64>, want: f64) -> bool {
    got.is_some_and(|g| (g - want).abs() < 1e-6)
}

fn month(y: i32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, 1).unwrap()
}

fn line(w: &WorkerShortfall, m: NaiveDate) -> &MonthLine {
    w.months.iter().find(|l| l.month == m).unwrap()
}

#[test]
fn the_fixture_gives_the_hand_computed_figures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shortfall");
    let s = shortfall(&load(&dir), Some("S1")).unwrap();
    assert_eq!(s.sources.payroll, "payroll.csv");
    let [site] = s.sites.as_slice() else {
        panic!("one site: {s:#?}")
    };
    assert_eq!(site.first_month, Some(month(2025, 1)));
    assert_eq!(site.last_month, Some(month(2025, 4)));
    let [a, b] = site.workers.as_slice() else {
        panic!("two workers: {site:#?}")
    };
    assert_eq!(a.person_id, "p0000000000000000a001");
    let feb = line(a, month(2025, 2));
    assert!(close(feb.shortfall_dkk, 12_000.0), "{feb:?}");
    let mar = line(a, month(2025, 3));
    assert!(close(mar.shortfall_dkk, 10_000.0), "{mar:?}");
    assert_eq!(mar.third_party, Some(true));
    assert!(
        close(mar.hours_over_48, 260.0 - 48.0 * 31.0 / 7.0),
        "{mar:?}"
    );
    assert_eq!(mar.payroll_source, "payroll.csv:4");
    assert_eq!(mar.permit_source.as_deref(), Some("permits.csv:2"));
    assert!(close(Some(a.totals.shortfall_dkk), 22_000.0));

    let feb = line(b, month(2025, 2));
    assert!(close(feb.stated_dkk, 14_000.0), "{feb:?}");
    assert!(close(feb.shortfall_dkk, 4_000.0), "{feb:?}");
    assert!(feb.pro_rated());
    assert_eq!((feb.permit_days, feb.days_in_month), (Some(14), 28));
    let apr = line(b, month(2025, 4));
    assert_eq!(apr.unknown, Some(NoteKind::NoPermit));
    assert_eq!((apr.stated_dkk, apr.shortfall_dkk), (None, None));
    assert_eq!(apr.permit_line, None);
    assert!(close(apr.received_dkk, 15_000.0));

    let t = site.totals;
    assert!(close(Some(t.shortfall_dkk), 26_000.0), "{t:?}");
    assert_eq!((t.months, t.months_known, t.months_unknown), (6, 5, 1));
    assert_eq!((t.months_short, t.third_party_months), (3, 1));
    assert!(close(Some(t.hours_over_48), 260.0 - 48.0 * 31.0 / 7.0));
    assert!(
        site.notes.iter().any(|n| n.kind == NoteKind::NoPermit
            && n.month == Some(month(2025, 4))
            && n.sources == ["payroll.csv:7"]),
        "{:#?}",
        site.notes
    );
}

const SITES: &str = "site_id,name,sector_code\nS1,Testgården ApS,01.13\nS2,Andet Byg ApS,41.20\n";
// Workers are pseudonyms (a personal column takes nothing else without a
// key) that end in a letter's hex code: 44 D, 4e N, 4f O, 52 R, 57 W.
const PERMITS: &str = "\
permit_id,person_id,site_id,start_date,end_date,stated_monthly_pay_dkk,stated_weekly_hours
P1,p00000000000000000052,S1,2025-01-01,2025-03-15,31000,37
P2,p00000000000000000052,S1,2025-03-16,,31000,37
P3,p0000000000000000004f,S1,2025-01-01,,30000,
P4,p0000000000000000004f,S1,2025-02-01,,32000,
P5,p0000000000000000004e,S1,2025-01-01,,,37
P6,p00000000000000000057,S1,2025-01-01,2025-02-28,25000,37
P7,p00000000000000000044,S2,2025-01-01,,20000,37
";
const PAYROLL: &str = "\
site_id,person_id,month,gross_pay_dkk,hours_paid,paid_to_own_account
S1,p00000000000000000052,2025-03,20000,160,true
S1,p0000000000000000004f,2025-02,20000,160,true
S1,p0000000000000000004e,2025-01,20000,,true
S2,p00000000000000000044,2025-01,10000,160,true
S2,p00000000000000000044,2025-01,5000,40,true
S1,p00000000000000000052,2025-04,,160,true
";

fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[test]
fn renewals_add_up_and_undecidable_months_are_unknown() {
    let dir = folder(&[
        ("sites.csv", SITES),
        ("permits.csv", PERMITS),
        ("payroll.csv", PAYROLL),
    ]);
    let ds = load(dir.path());
    let s = shortfall(&ds, Some("S1")).unwrap();
    let site = &s.sites[0];
    let ids: Vec<&str> = site.workers.iter().map(|w| w.person_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "p0000000000000000004e",
            "p0000000000000000004f",
            "p00000000000000000052"
        ]
    );
    let r = &site.workers[2];
    // March: 15 days of P1 and 16 of P2, 31,000 a month each.
    let mar = line(r, month(2025, 3));
    assert!(close(mar.stated_dkk, 31_000.0), "{mar:?}");
    assert!(close(mar.shortfall_dkk, 11_000.0), "{mar:?}");
    assert_eq!(mar.permit_line, Some(3), "the permit with most days");
    assert!(!mar.pro_rated());
    assert!(close(mar.stated_hours, 37.0 * 31.0 / 7.0), "{mar:?}");
    assert_eq!(line(r, month(2025, 4)).unknown, Some(NoteKind::NoGrossPay));
    let o = line(&site.workers[1], month(2025, 2));
    assert_eq!(o.unknown, Some(NoteKind::OverlappingPermits));
    assert_eq!(o.stated_dkk, None);
    let n = line(&site.workers[0], month(2025, 1));
    assert_eq!(n.unknown, Some(NoteKind::NoStatedPay));
    assert_eq!(n.hours_over_48, None);
    assert!(close(Some(site.totals.shortfall_dkk), 11_000.0));
    assert_eq!(site.totals.months_unknown, 3);
    let kinds: Vec<(NoteKind, &str)> = site
        .notes
        .iter()
        .map(|n| (n.kind, n.person_id.as_str()))
        .collect();
    assert!(
        kinds.contains(&(NoteKind::PermitWithoutPayroll, "p00000000000000000057")),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(NoteKind::SeveralPermits, "p00000000000000000052")),
        "{kinds:?}"
    );
    let several = site
        .notes
        .iter()
        .find(|n| n.kind == NoteKind::SeveralPermits)
        .unwrap();
    assert_eq!(
        several.sources,
        ["payroll.csv:2", "permits.csv:2", "permits.csv:3"]
    );

    let d = shortfall(&ds, Some("S2")).unwrap();
    let months = &d.sites[0].workers[0].months;
    assert_eq!(months.len(), 2);
    assert!(
        months
            .iter()
            .all(|m| m.unknown == Some(NoteKind::DuplicateRows))
    );

    let all = shortfall(&ds, None).unwrap();
    let ids: Vec<&str> = all.sites.iter().map(|s| s.site_id.as_str()).collect();
    assert_eq!(ids, ["S1", "S2"]);
    assert!(matches!(
        shortfall(&ds, Some("NOPE")),
        Err(ClaimError::UnknownSite(_))
    ));
}

#[test]
fn an_absent_table_is_named() {
    let dir = folder(&[("sites.csv", SITES), ("permits.csv", PERMITS)]);
    let err = shortfall(&load(dir.path()), Some("S1")).unwrap_err();
    assert!(
        matches!(
            err,
            ClaimError::MissingTable {
                table: "payroll",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("needs it"), "{err}");
}
