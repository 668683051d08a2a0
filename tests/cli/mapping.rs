//! `tilsyn mapping`: a draft for the agency export (its CSV files without
//! their hand-written tilsyn.toml) loads it with the same counts as the
//! hand-written mapping, with a confidence comment on every guess; an
//! existing --out file is not overwritten without --force; a required
//! column the draft cannot find is named; `--presets` lists the bundled
//! presets.

use std::ffi::OsString;
use std::path::Path;

use crate::harness::{Run, copy_files, fixture, run_tilsyn, tempdir, validate};

/// `tilsyn mapping --draft DIR [--out OUT] EXTRA...`.
fn draft(dir: &Path, out: Option<&Path>, extra: &[&str]) -> Run {
    let mut args: Vec<OsString> = vec![
        "mapping".into(),
        "--draft".into(),
        dir.as_os_str().to_os_string(),
    ];
    if let Some(out) = out {
        args.push("--out".into());
        args.push(out.as_os_str().to_os_string());
    }
    args.extend(extra.iter().map(|s| OsString::from(*s)));
    run_tilsyn(args, &[])
}

#[test]
fn a_draft_of_the_agency_export_loads_it_like_the_hand_written_mapping() {
    let data = tempdir();
    copy_files(
        &fixture("good/agency_export"),
        &["sites.csv", "permits.csv", "tilsynsbesoeg.csv"],
        data.path(),
    );
    let draft_path = data.path().join("draft.toml");
    let run = draft(data.path(), Some(&draft_path), &[]);
    run.assert_code(0)
        .assert_stderr_contains(&["next: tilsyn validate --data", "--mapping"]);
    assert!(
        run.stdout.trim().is_empty(),
        "the draft goes to --out, not stdout\n{}",
        run.context()
    );
    let text = std::fs::read_to_string(&draft_path).unwrap();
    for needle in [
        "site_id = \"P-nummer\"",
        "file = \"tilsynsbesoeg.csv\"",
        "\"Påbud\" = \"order\"",
        "# high: ",
    ] {
        assert!(text.contains(needle), "the draft lacks {needle:?}:\n{text}");
    }
    // Every mapped column carries a confidence comment.
    let columns = text
        .lines()
        .skip_while(|l| !l.starts_with("[tables.sites.columns]"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>();
    assert_eq!(columns.len(), 13, "{text}");
    for l in &columns {
        assert!(
            l.contains("# high:") || l.contains("# medium:") || l.contains("# low:"),
            "no confidence comment on {l:?}\n{text}"
        );
    }

    let out = tempdir();
    let mapping = draft_path.to_str().unwrap();
    let run = validate(data.path(), out.path(), &["--mapping", mapping], &[]);
    run.assert_code(0);
    run.assert_rows("sites", 4, 4, 0)
        .assert_rows("permits", 3, 3, 0)
        .assert_rows("inspections", 4, 4, 0);
    assert_eq!(run.json()["mapping"], mapping, "{}", run.context());

    // The draft is not overwritten without --force.
    let again = draft(data.path(), Some(&draft_path), &[]);
    again.assert_code(2).assert_stderr_contains(&["--force"]);
    std::fs::write(&draft_path, "edited").unwrap();
    let forced = draft(data.path(), Some(&draft_path), &["--force"]);
    forced.assert_code(0);
    assert_eq!(std::fs::read_to_string(&draft_path).unwrap(), text);
}

#[test]
fn a_required_column_the_draft_cannot_find_is_named() {
    let data = tempdir();
    std::fs::write(
        data.path().join("sites.csv"),
        "P-nummer;Navn;Ansatte\n1012345678;Foo ApS;12\n",
    )
    .unwrap();
    let run = draft(data.path(), None, &[]);
    run.assert_code(0)
        .assert_stderr_contains(&["sites.sector_code"]);
    assert!(
        run.stdout.contains("site_id = \"P-nummer\""),
        "{}",
        run.context()
    );
    assert!(
        run.stdout.lines().any(|l| l.starts_with('#')
            && l.contains("sector_code = \"<header>\"")
            && l.contains("[tables.sites.columns]")),
        "the draft names the missing sector_code and what to add\n{}",
        run.context()
    );
    assert!(
        !run.stdout.lines().any(|l| l.starts_with("sector_code")),
        "a column not found is not mapped\n{}",
        run.context()
    );
}

#[test]
fn presets_are_listed_and_exactly_one_action_is_given() {
    let run = run_tilsyn(["mapping", "--presets"], &[]);
    run.assert_code(0);
    assert!(run.stdout.contains("at-smiley"), "{}", run.context());
    assert!(
        run.stdout.contains("smiley register"),
        "the description is listed\n{}",
        run.context()
    );

    run_tilsyn(["mapping"], &[]).assert_code(2);
    let dir = tempdir();
    let dir = dir.path().to_str().unwrap();
    run_tilsyn(["mapping", "--presets", "--draft", dir], &[]).assert_code(2);
}
