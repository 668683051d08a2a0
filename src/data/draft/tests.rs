//! Drafts of the agency fixture and of hand-made folders.

use super::render::clean;
use super::*;
use crate::data::mapping::toml_quote as quote;
use crate::data::mapping::{ColumnSource, Mapping};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

#[test]
fn headers_are_normalised_for_comparison() {
    assert_eq!(normalise(" Månedsløn (kr) "), "maanedsloenkr");
    assert_eq!(normalise(&strip_brackets("Månedsløn (kr)")), "maanedsloen");
    assert_eq!(normalise("P-nummer"), "pnummer");
    assert_eq!(normalise("Besøgs-ID"), "besoegsid");
    assert_eq!(normalise("SMILEY_DATO"), "smileydato");
    assert_eq!(normalise("Længde"), "laengde");
}

#[test]
fn danish_terms_recode_to_canonical_codes() {
    assert_eq!(known_term("smiley", "grøn"), Some("green"));
    assert_eq!(known_term("smiley", "Elite"), Some("crown"));
    assert_eq!(known_term("outcome", "Påbud"), Some("order"));
    assert_eq!(known_term("outcome", "Strakspåbud"), Some("order"));
    assert_eq!(
        known_term("outcome", "Politianmeldelse"),
        Some("police_report")
    );
    assert_eq!(known_term("trigger", "Anmeldelse"), Some("tip"));
    assert_eq!(known_term("trigger", "Opfølgning"), Some("follow_up"));
    assert_eq!(
        known_term("scheme", "Positivlisten (faglært)"),
        Some("positive_list_skilled")
    );
    assert_eq!(known_term("scheme", "Positivlisten"), None);
    assert_eq!(
        known_term("scheme", "Landbrugsordningen"),
        Some("herdsman_farm_hand")
    );
    assert_eq!(known_term("scheme", "Au pair"), Some("au_pair"));
    assert_eq!(known_term("agency", "Arbejdstilsynet"), Some("AT"));
    assert_eq!(known_term("outcome", "Noget helt andet"), None);
    assert_eq!(
        known_term("outcome", "Henvist til Center mod Menneskehandel"),
        Some("referral_cmm")
    );
    assert_eq!(
        known_term("outcome", "Menneskehandel"),
        Some("forced_labour")
    );
    assert_eq!(
        known_term("outcome", "Henvisning til SIRI"),
        Some("referral_siri")
    );
    assert_eq!(known_term("outcome", "referral_cmm"), Some("referral_cmm"));
}

#[test]
fn the_agency_export_drafts_to_a_mapping_that_loads_it_without_rejects() {
    let dir = fixture("good/agency_export");
    let d = draft(&dir).unwrap();
    assert!(
        d.missing_required().is_empty(),
        "{:?}",
        d.missing_required()
    );
    assert!(d.unmatched.is_empty() && d.unreadable.is_empty(), "{d:?}");
    let text = d.to_toml();
    assert!(text.contains("# high:"), "{text}");
    assert!(text.contains("file = \"tilsynsbesoeg.csv\""), "{text}");
    let m = Mapping::from_str(&text, Path::new("draft.toml")).unwrap();
    let sites = m.table(Table::Sites);
    assert_eq!(sites.file, None);
    assert_eq!(
        sites.columns["site_id"],
        ColumnSource::Header("P-nummer".into())
    );
    assert_eq!(sites.columns["lon"], ColumnSource::Header("Længde".into()));
    assert_eq!(sites.recode["smiley"].apply("Elite"), Some("crown"));
    assert_eq!(sites.recode["smiley"].apply("rød"), Some("red"));
    let permits = m.table(Table::Permits);
    assert_eq!(
        permits.columns["stated_monthly_pay_dkk"],
        ColumnSource::Header("Månedsløn (kr)".into())
    );
    assert_eq!(
        permits.columns["person_id"],
        ColumnSource::Header("Person-pseudonym".into())
    );
    assert!(permits.pseudonymise.is_empty());
    assert_eq!(
        permits.recode["scheme"].apply("Beløbsordningen"),
        Some("pay_limit")
    );
    let inspections = m.table(Table::Inspections);
    assert_eq!(inspections.file.as_deref(), Some("tilsynsbesoeg.csv"));
    assert_eq!(inspections.recode["outcome"].apply("Påbud"), Some("order"));
    assert_eq!(
        inspections.recode["trigger"].apply("Stikprøve"),
        Some("random")
    );

    // The draft loads the folder as the hand-written mapping does.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("draft.toml");
    std::fs::write(&path, &text).unwrap();
    let opts = crate::data::LoadOptions {
        mapping: Some(path),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 6, 30),
        rejects_dir: Some(tmp.path().join("rejects")),
        pseudonym_key: Some(crate::data::pseudonym::test_key()),
        ..crate::data::LoadOptions::default()
    };
    let ds = crate::data::load_folder(&dir, &opts).unwrap();
    for (table, rows) in [
        (Table::Sites, 4),
        (Table::Permits, 3),
        (Table::Inspections, 4),
    ] {
        let r = ds.report.table(table).unwrap();
        assert_eq!(
            (r.rows_read, r.rows_loaded, r.rows_rejected),
            (rows, rows, 0),
            "{table}: {:?}",
            r.samples
        );
    }
}

#[test]
fn a_small_folder_drafts_a_mapping_that_parses_and_names_what_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // No sector code; a header with quotes in it.
    std::fs::write(
        dir.join("sites.csv"),
        "pnr,\"Navn \"\"kort\"\"\",Antal ansatte\n1012345678,Foo ApS,12\n1012345679,Bar I/S,3\n",
    )
    .unwrap();
    // Raw CPR numbers, an unknown scheme.
    std::fs::write(
        dir.join("tilladelser.csv"),
        "Sagsnr;Personnummer;P-nummer;Ordning;Startdato\nS1;010190-1234;1012345678;Beløbsordningen;01-02-2024\nS2;020285-4321;1012345679;Særordning;2024-03-01\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("kontroller.csv"),
        "Besøgs-ID,P-nummer,Dato,Reaktion,Myndighed\nX1,1012345678,2024-01-02,Strakspåbud,Arbejdstilsynet\nX2,1012345679,2024-02-03,Noget andet,SKAT\n",
    )
    .unwrap();
    std::fs::write(dir.join("random.csv"), "foo,bar\n1,2\n").unwrap();
    std::fs::write(dir.join("empty.csv"), "").unwrap();
    std::fs::write(dir.join("notes.txt"), "not a table").unwrap();

    let d = draft(dir).unwrap();
    assert_eq!(d.missing_required(), ["sites.sector_code"]);
    let text = d.to_toml();
    let m = Mapping::from_str(&text, Path::new("draft.toml")).unwrap();

    let sites = m.table(Table::Sites);
    assert_eq!(sites.columns["site_id"], ColumnSource::Header("pnr".into()));
    assert_eq!(
        sites.columns["name"],
        ColumnSource::Header("Navn \"kort\"".into())
    );
    assert!(text.contains("sector_code = \"<header>\""), "{text}");

    let permits = m.table(Table::Permits);
    assert_eq!(permits.file.as_deref(), Some("tilladelser.csv"));
    assert_eq!(permits.pseudonymise, ["person_id"]);
    assert!(text.contains("TILSYN_PSEUDONYM_KEY"), "{text}");
    assert_eq!(permits.recode["scheme"].apply("Særordning"), None);
    assert!(text.contains("# \"Særordning\" = \"\""), "{text}");

    let inspections = m.table(Table::Inspections);
    assert_eq!(inspections.file.as_deref(), Some("kontroller.csv"));
    assert_eq!(
        inspections.columns["date"],
        ColumnSource::Header("Dato".into())
    );
    assert_eq!(
        inspections.recode["outcome"].apply("Strakspåbud"),
        Some("order")
    );
    assert_eq!(
        inspections.recode["agency"].apply("Arbejdstilsynet"),
        Some("AT")
    );
    assert!(text.contains("# \"Noget andet\" = \"\""), "{text}");

    assert_eq!(d.unmatched.len(), 1, "{:?}", d.unmatched);
    assert_eq!(d.unmatched[0].name, "random.csv");
    assert_eq!(d.unreadable.len(), 1, "{:?}", d.unreadable);
    assert!(
        text.contains("random.csv") && text.contains("empty.csv"),
        "{text}"
    );
    assert!(!text.contains("notes.txt"), "{text}");
}

#[test]
fn values_that_contradict_a_header_lower_its_confidence() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("sites.csv"),
        "P-nummer;Branchekode;Stiftet;Ansatte\n1;01.13.00;i fjor;10-49\n2;25.11.00;i år;50-99\n",
    )
    .unwrap();
    let d = draft(tmp.path()).unwrap();
    let sites = &d.tables[0];
    let conf = |col: &str| {
        sites
            .columns
            .iter()
            .find(|c| c.column == col)
            .map(|c| c.confidence)
    };
    assert_eq!(conf("site_id"), Some(Confidence::High));
    assert_eq!(conf("company_founded"), Some(Confidence::Low));
    assert_eq!(conf("employees"), Some(Confidence::Low));
    Mapping::from_str(&d.to_toml(), Path::new("draft.toml")).unwrap();
}

#[test]
fn toml_strings_are_escaped() {
    for text in ["a\"b\\c\nd", "x\u{1}", "Månedsløn (kr)", "it's"] {
        let parsed: toml::Value = toml::from_str(&format!("v = {}", quote(text))).unwrap();
        assert_eq!(parsed["v"].as_str(), Some(text));
    }
    assert_eq!(clean("a\nb"), "a b");
}
