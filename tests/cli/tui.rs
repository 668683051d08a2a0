//! The terminal UI without a terminal: every screen rendered into
//! ratatui's `TestBackend` at 120×40 and 60×15 with the text that must be
//! there, tiny sizes that must not panic, and the app state driven by key
//! and mouse events alone (filter, sort, search, mark, export, empty
//! results, the ends of the list). Data: `tests/fixtures/good/full` (five
//! sites, every table) as of 2026-06-30, and one generated set of 300 sites;
//! the agency view on `tests/fixtures/joint` and the visit checklist on
//! `tests/fixtures/visit` (their READMEs say what each site shows), at
//! 160×45 and 60×15.

use std::path::Path;

use chrono::NaiveDate;
use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tilsyn::indicators::Catalogue;
use tilsyn::pipeline::{Scored, load_and_assess};
use tilsyn::rank::joint::{Bundling, JointParams};
use tilsyn::rank::rows::reasons;
use tilsyn::tui::app::{App, AppOptions, Level, Screen};
use tilsyn::tui::keymap::Action;
use tilsyn::tui::rows::RankCol;
use tilsyn::tui::table::SortOrder;
use tilsyn::tui::ui;

const AS_OF: &str = "2026-06-30";

fn as_of() -> NaiveDate {
    NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap_or_else(|e| panic!("{e}"))
}

fn score_folder(dir: &Path, as_of: NaiveDate) -> Scored {
    let cat =
        Catalogue::bundled().unwrap_or_else(|e| panic!("the bundled catalogue does not load: {e}"));
    let compiled = tilsyn::pipeline::compile(cat)
        .unwrap_or_else(|e| panic!("the catalogue does not compile: {e}"));
    load_and_assess(dir, crate::harness::keyed_options(), compiled, Some(as_of))
        .unwrap_or_else(|e| panic!("{}: cannot load and assess: {e}", dir.display()))
}

/// The app on the five-site fixture, exporting into `export`.
fn app_with(export: &Path, capacity: usize) -> App {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good/full");
    let opts = AppOptions {
        dataset: dir.display().to_string(),
        export_dir: export.to_path_buf(),
        capacity,
        audit: None,
    };
    App::new(score_folder(&dir, as_of()), opts)
}

fn app() -> App {
    app_with(&std::env::temp_dir().join("tilsyn-tui-test-export"), 20)
}

fn press(app: &mut App, code: KeyCode) -> Action {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(app: &mut App, c: char) -> Action {
    press(app, KeyCode::Char(c))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        ch(app, c);
    }
}

/// Opens the filter prompt, types `terms` and applies them.
fn filter(app: &mut App, terms: &str) {
    ch(app, 'f');
    typed(app, terms);
    press(app, KeyCode::Enter);
}

/// The screen as text, one line per row.
fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| match e {});
    t.draw(|f| ui::render(f, app))
        .unwrap_or_else(|e| match e {});
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_shows(app: &App, w: u16, h: u16, needles: &[&str]) {
    let text = screen(app, w, h);
    for n in needles {
        assert!(
            text.contains(n),
            "{:?} at {w}×{h} does not show {n:?}:\n{text}",
            app.screen()
        );
    }
}

fn selected_id(app: &App) -> String {
    app.selected()
        .map(|r| r.site_id.clone())
        .unwrap_or_else(|| panic!("no site selected"))
}

fn shown_ids(app: &App) -> Vec<String> {
    app.view()
        .iter()
        .map(|i| app.rows()[*i].site_id.clone())
        .collect()
}

#[test]
fn every_screen_renders_at_two_sizes_with_the_text_that_matters() {
    let mut app = app();
    assert_eq!(app.rows().len(), 5);
    let first = selected_id(&app);
    for (w, h) in [(120, 40), (60, 15)] {
        assert_eq!(app.screen(), Screen::Ranking);
        assert_shows(&app, w, h, &[AS_OF, &first, "Ranking", "quit"]);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen(), Screen::Detail);
        assert_shows(&app, w, h, &[AS_OF, &first]);
        if w == 120 {
            let tier = app.selected().map(|r| r.tier.label()).unwrap_or_default();
            assert_shows(&app, w, h, &["ILO indicators", tier, "Inspection history"]);
        }
        ch(&mut app, 'm');
        assert_eq!(app.screen(), Screen::Map);
        assert_shows(&app, w, h, &[AS_OF, "priority:", "top 1%"]);
        ch(&mut app, 'i');
        assert_eq!(app.screen(), Screen::Insights);
        assert_shows(&app, w, h, &[AS_OF, "Insights"]);
        if w == 120 {
            assert_shows(
                &app,
                w,
                h,
                &[
                    "forced-labour indication",
                    "no indication",
                    "by sector risk group",
                    "No model",
                ],
            );
        }
        ch(&mut app, 'p');
        assert_eq!(app.screen(), Screen::Plan);
        assert_shows(&app, w, h, &[AS_OF, "3/20"]);
        ch(&mut app, '?');
        assert_eq!(app.screen(), Screen::Help);
        assert_shows(&app, w, h, &[AS_OF, "Everywhere", "quit"]);
        press(&mut app, KeyCode::Esc);
        assert_eq!(
            app.screen(),
            Screen::Plan,
            "Esc closes the help where it was opened"
        );
        ch(&mut app, 'r');
    }
}

#[test]
fn help_is_built_from_the_key_map() {
    let mut app = app();
    ch(&mut app, '?');
    let text = screen(&app, 120, 120);
    for needle in [
        "quit",
        "q/Ctrl-c",
        "search by name or id",
        "sort by the next column",
        "agency view: team and reasons per agency",
        "visit checklist of the selected site",
        "y/n/u",
        "answer yes/no/unknown",
        "save the form (TOML)",
        "Filter terms",
        "tier>=2",
    ] {
        assert!(
            text.contains(needle),
            "help does not show {needle:?}:\n{text}"
        );
    }
}

#[test]
fn tiny_terminals_never_panic() {
    let mut app = app();
    for key in ['r', 'd', 'm', 'i', 'p', 'a', '?', 'c'] {
        ch(&mut app, key);
        for (w, h) in [
            (1, 1),
            (10, 4),
            (20, 5),
            (39, 9),
            (40, 10),
            (41, 11),
            (200, 6),
        ] {
            let text = screen(&app, w, h);
            if (w, h) == (20, 5) {
                assert!(
                    text.contains("too small"),
                    "20×5 must say the terminal is too small:\n{text}"
                );
            }
        }
    }
}

#[test]
fn filter_by_sector_reduces_the_view_and_shows_a_chip() {
    let mut app = app();
    filter(&mut app, "sector:construction");
    assert!(app.prompt().is_none(), "a valid filter closes the prompt");
    let ids = shown_ids(&app);
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["1000000001", "1000000005"],
        "the two construction sites (DB07 41.20 and 43.99)"
    );
    for i in app.view() {
        assert_eq!(app.rows()[*i].risk_group.as_deref(), Some("construction"));
    }
    assert!(
        app.query()
            .chips()
            .contains(&"sector:construction".to_string())
    );
    assert_shows(
        &app,
        120,
        40,
        &["sector:construction", &format!("{} of 5 sites", ids.len())],
    );
    // A second term narrows further; Esc clears every term.
    filter(&mut app, "municipality:Køge");
    assert!(
        app.query().chips().iter().any(|c| c == "municipality:Køge"),
        "{:?}",
        app.query().chips()
    );
    press(&mut app, KeyCode::Esc);
    assert!(app.query().is_empty());
    assert_eq!(app.view().len(), 5);
}

#[test]
fn a_bad_filter_keeps_the_prompt_open_with_the_reason() {
    let mut app = app();
    filter(&mut app, "colour:red");
    let prompt = app
        .prompt()
        .unwrap_or_else(|| panic!("the prompt closed on a bad filter"));
    assert!(
        prompt
            .error
            .as_deref()
            .is_some_and(|e| e.contains("not a filter")),
        "{:?}",
        prompt.error
    );
    assert_shows(&app, 120, 40, &["not a filter"]);
    press(&mut app, KeyCode::Esc);
    assert!(app.prompt().is_none());
    assert_eq!(app.view().len(), 5);
}

#[test]
fn indicator_and_status_filters_use_the_ilo_grid() {
    let mut app = app();
    filter(&mut app, "indicator:excessive_overtime");
    for i in app.view() {
        let s = app.rows()[*i].ilo[10];
        assert!(matches!(
            s,
            tilsyn::indicators::IloStatus::Observed | tilsyn::indicators::IloStatus::Signalled
        ));
    }
    press(&mut app, KeyCode::Esc);
    filter(&mut app, "status:observed tier>=1");
    for i in app.view() {
        assert!(
            app.rows()[*i]
                .ilo
                .contains(&tilsyn::indicators::IloStatus::Observed)
        );
    }
}

#[test]
fn sort_cycles_columns_and_toggles_direction() {
    let mut app = app();
    ch(&mut app, 's');
    assert_eq!(
        app.table().sort(),
        Some((RankCol::Site, SortOrder::Ascending))
    );
    let ids = shown_ids(&app);
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    ch(&mut app, 'S');
    assert_eq!(
        app.table().sort(),
        Some((RankCol::Site, SortOrder::Descending))
    );
    sorted.reverse();
    assert_eq!(shown_ids(&app), sorted);
    assert_shows(&app, 120, 40, &["site↓"]);
    ch(&mut app, 's');
    assert_eq!(
        app.table().sort(),
        Some((RankCol::Name, SortOrder::Ascending))
    );
}

#[test]
fn search_finds_a_site_and_n_moves_to_the_next_match() {
    let mut app = app();
    ch(&mut app, '/');
    typed(&mut app, "1000000005");
    press(&mut app, KeyCode::Enter);
    assert_eq!(selected_id(&app), "1000000005");
    assert_eq!(app.search(), Some("1000000005"));

    // Two sites are called "Køge Byggeservice"; search ignores case.
    ch(&mut app, 'g');
    ch(&mut app, '/');
    typed(&mut app, "køge");
    press(&mut app, KeyCode::Enter);
    assert!(
        app.message()
            .is_some_and(|m| m.text.starts_with("2 site(s) match")),
        "{:?}",
        app.message()
    );
    let a = selected_id(&app);
    ch(&mut app, 'n');
    let b = selected_id(&app);
    assert_ne!(a, b);
    for id in [&a, &b] {
        assert!(["1000000001", "1000000005"].contains(&id.as_str()), "{id}");
    }
    ch(&mut app, 'n');
    assert_eq!(selected_id(&app), a, "n wraps around");
    ch(&mut app, 'N');
    assert_eq!(selected_id(&app), b);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.search(), None);
}

/// Selects a site of the open list by searching for its id.
fn select(app: &mut App, id: &str) {
    ch(app, '/');
    typed(app, id);
    press(app, KeyCode::Enter);
    assert_eq!(selected_id(app), id, "search selects {id}");
}

/// The ids in the plan.
fn plan_ids(app: &App) -> Vec<String> {
    let mut ids: Vec<String> = app
        .plan_view()
        .iter()
        .map(|i| app.rows()[*i].site_id.clone())
        .collect();
    ids.sort();
    ids
}

/// The sites of the fixture not inspected in the 180 days before 2026-06-30.
const ELIGIBLE: [&str; 3] = ["1000000001", "1000000002", "1000000005"];

#[test]
fn the_plan_opens_with_the_recommendation_and_overrides_need_a_reason() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut app = app_with(dir.path(), 2);
    let planned = plan_ids(&app);
    assert_eq!(
        planned.len(),
        2,
        "the plan opens with the recommended visits"
    );
    assert!(
        planned.iter().all(|id| ELIGIBLE.contains(&id.as_str())),
        "sites inspected in the last 180 days are not recommended: {planned:?}"
    );
    assert_shows(&app, 120, 40, &["Plan 2/2"]);
    // A site that is not recommended cannot be added to a full plan.
    select(&mut app, "1000000004");
    ch(&mut app, ' ');
    assert!(app.prompt().is_none());
    assert!(
        app.message()
            .is_some_and(|m| m.level == Level::Warn && m.text.contains("full")),
        "{:?}",
        app.message()
    );
    // Removing a recommended site asks why: Esc cancels, an empty reason is refused.
    ch(&mut app, 'p');
    let first = selected_id(&app);
    ch(&mut app, 'x');
    assert!(
        app.prompt().is_some_and(|p| p.label().contains(&first)),
        "{:?}",
        app.prompt()
    );
    assert_shows(&app, 120, 40, &["why remove", "required"]);
    press(&mut app, KeyCode::Esc);
    assert!(app.prompt().is_none());
    assert_eq!(app.plan_view().len(), 2, "Esc changes nothing");
    ch(&mut app, 'x');
    typed(&mut app, "   ");
    press(&mut app, KeyCode::Enter);
    assert!(
        app.prompt()
            .is_some_and(|p| p.error.as_deref().is_some_and(|e| e.contains("required"))),
        "an empty reason is refused: {:?}",
        app.prompt()
    );
    assert_eq!(app.plan_view().len(), 2);
    typed(&mut app, "visited by SKAT last week");
    press(&mut app, KeyCode::Enter);
    assert!(app.prompt().is_none());
    assert_eq!(app.plan_view().len(), 1);
    assert!(
        app.message()
            .is_some_and(|m| m.text.contains(&first) && m.text.contains("visited by SKAT")),
        "{:?}",
        app.message()
    );
    assert_shows(&app, 120, 40, &["Plan 1/2", "1 removed"]);
    // Now there is room: adding a site that is not recommended asks why too.
    ch(&mut app, 'r');
    select(&mut app, "1000000004");
    ch(&mut app, ' ');
    assert!(
        app.prompt()
            .is_some_and(|p| p.label().contains("1000000004"))
    );
    typed(&mut app, "tip from the union");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.plan_view().len(), 2);
    let added = app
        .rows()
        .iter()
        .position(|r| r.site_id == "1000000004")
        .unwrap_or_else(|| panic!("no site 1000000004"));
    assert!(app.is_marked(added) && !app.is_recommended(added));
    assert_eq!(app.override_reason(added), Some("tip from the union"));
    assert_eq!(app.decision_counts(), (2, 1, 1));
    // Undoing an override needs no reason.
    ch(&mut app, 'p');
    select(&mut app, "1000000004");
    ch(&mut app, 'x');
    assert!(app.prompt().is_none());
    assert_eq!(app.plan_view().len(), 1);
    assert_eq!(app.override_reason(added), None);
}

#[test]
fn export_writes_the_recommendation_and_the_decisions_and_logs_them() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let log = dir.path().join("audit.jsonl");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good/full");
    let opts = AppOptions {
        dataset: fixture.display().to_string(),
        export_dir: dir.path().to_path_buf(),
        capacity: 20,
        audit: Some(tilsyn::audit::AuditContext {
            log: log.clone(),
            user: "inspector-7".into(),
            model_sha256: None,
        }),
    };
    let mut app = App::new(score_folder(&fixture, as_of()), opts);
    assert_eq!(
        plan_ids(&app),
        ELIGIBLE,
        "every eligible site is recommended"
    );
    ch(&mut app, 'p');
    select(&mut app, "1000000001");
    ch(&mut app, 'x');
    typed(&mut app, "closed for the season");
    press(&mut app, KeyCode::Enter);
    ch(&mut app, 'r');
    select(&mut app, "1000000004");
    ch(&mut app, ' ');
    typed(&mut app, "tip from the union");
    press(&mut app, KeyCode::Enter);
    assert_eq!(plan_ids(&app), ["1000000002", "1000000004", "1000000005"]);
    ch(&mut app, 'e');
    let csv_path = dir.path().join(format!("tilsyn-plan-{AS_OF}.csv"));
    let json_path = dir.path().join(format!("tilsyn-plan-{AS_OF}.json"));
    let msg = app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(
        msg.contains("exported 3")
            && msg.contains(&csv_path.display().to_string())
            && msg.contains("audit entry 1"),
        "{msg}"
    );
    assert_shows(&app, 200, 40, &["exported 3"]);

    let mut rdr =
        csv::Reader::from_path(&csv_path).unwrap_or_else(|e| panic!("{}: {e}", csv_path.display()));
    let header = rdr.headers().unwrap_or_else(|e| panic!("{e}")).clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let rows: Vec<csv::StringRecord> = rdr
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let row = |id: &str| {
        rows.iter()
            .find(|r| &r[col("site_id")] == id)
            .unwrap_or_else(|| panic!("no row for {id}"))
    };
    assert_eq!(rows.len(), 4, "three recommended sites and one added");
    for (id, rec, decision, why) in [
        ("1000000001", "true", "removed", "closed for the season"),
        ("1000000002", "true", "keep", ""),
        ("1000000005", "true", "keep", ""),
        ("1000000004", "false", "added", "tip from the union"),
    ] {
        let r = row(id);
        assert_eq!(
            (
                &r[col("recommended")],
                &r[col("decision")],
                &r[col("decision_reason")],
                &r[col("decided_by")]
            ),
            (rec, decision, why, "inspector-7"),
            "{id}"
        );
    }
    assert_eq!(
        &row("1000000001")[col("visit")],
        "",
        "a removed site is not a visit"
    );
    let added = app
        .rows()
        .iter()
        .find(|r| r.site_id == "1000000004")
        .cloned()
        .unwrap_or_else(|| panic!("no site 1000000004"));
    let expected = reasons(app.scored(), added.row, 10)
        .iter()
        .map(|x| format!("{}: {}", x.indicator, x.text))
        .collect::<Vec<_>>()
        .join("; ");
    assert!(
        !expected.is_empty(),
        "the fixture's site 4 has fired indicators"
    );
    assert_eq!(&row("1000000004")[col("reasons")], expected.as_str());

    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&json_path)
            .unwrap_or_else(|e| panic!("{}: {e}", json_path.display())),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let planned = json["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows in {json}"));
    assert_eq!(planned.len(), 4);
    assert_eq!(planned[3]["site_id"], "1000000004");
    assert_eq!(planned[3]["decision"], "added");
    assert!(
        planned[3]["reasons"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );

    // The audit log holds the list shown and the decisions, and verifies.
    let v = tilsyn::audit::verify(&log).unwrap_or_else(|e| panic!("{e}"));
    assert!(v.ok() && v.entries == 1, "{v:?}");
    let entries = tilsyn::audit::read_entries(&log).unwrap_or_else(|e| panic!("{e}"));
    let e = &entries[0];
    assert_eq!(
        (e.command.as_str(), e.user.as_str()),
        ("tui export", "inspector-7")
    );
    let p = e
        .plan
        .as_ref()
        .unwrap_or_else(|| panic!("no plan in the entry"));
    assert_eq!((p.recommended, p.kept, p.removed, p.added), (3, 2, 1, 1));
    let shown = p
        .sites
        .iter()
        .find(|s| s.site_id == "1000000004")
        .unwrap_or_else(|| panic!("site 4 not logged"));
    assert_eq!(shown.decision_reason.as_deref(), Some("tip from the union"));
    assert_eq!(shown.rank, added.rank);
    assert!(!shown.reasons.is_empty());
}

#[test]
fn an_empty_filter_result_survives_every_key_and_esc_clears_it() {
    let mut app = app();
    filter(&mut app, "sector:fishing");
    assert!(app.view().is_empty(), "no fishing site in the fixture");
    assert!(app.selected().is_none());
    for code in [
        KeyCode::Char('j'),
        KeyCode::Char('k'),
        KeyCode::Char('G'),
        KeyCode::Char('g'),
    ] {
        press(&mut app, code);
    }
    for code in [
        KeyCode::PageDown,
        KeyCode::PageUp,
        KeyCode::End,
        KeyCode::Home,
        KeyCode::Up,
        KeyCode::Down,
    ] {
        press(&mut app, code);
    }
    for c in [' ', 's', 'S', 'n', 'N', 'e'] {
        ch(&mut app, c);
    }
    ch(&mut app, '/');
    typed(&mut app, "x");
    press(&mut app, KeyCode::Enter);
    ch(&mut app, 'n');
    for c in ['r', 'd', 'm', 'i', 'p', 'a', '?'] {
        ch(&mut app, c);
        screen(&app, 120, 40);
        screen(&app, 60, 15);
    }
    ch(&mut app, 'r');
    assert_shows(&app, 120, 40, &["no site matches the filter"]);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert!(
        app.query().is_empty(),
        "Esc clears the search, then the filter"
    );
    assert_eq!(app.view().len(), 5);
}

#[test]
fn the_ends_of_the_list_and_the_mouse_never_overflow() {
    let mut app = app();
    ch(&mut app, 'k');
    press(&mut app, KeyCode::PageUp);
    assert_eq!(app.selected_index(), app.view().first().copied());
    ch(&mut app, 'G');
    ch(&mut app, 'j');
    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.selected_index(), app.view().last().copied());
    ch(&mut app, 'g');
    // A click on the third data row: header 2 lines, border 1, column titles 1.
    screen(&app, 120, 40);
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 20,
        row: 6,
        modifiers: KeyModifiers::NONE,
    };
    app.handle_mouse(click);
    assert_eq!(app.selected_index(), app.view().get(2).copied());
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 20,
        row: 6,
        modifiers: KeyModifiers::NONE,
    };
    app.handle_mouse(wheel);
    app.handle_mouse(wheel);
    assert_eq!(app.selected_index(), app.view().last().copied());
    let outside = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 5,
        row: 39,
        modifiers: KeyModifiers::NONE,
    };
    app.handle_mouse(outside);
    assert_eq!(app.selected_index(), app.view().last().copied());
    // Key releases (sent on Windows) do nothing.
    let release = KeyEvent::new_with_kind(
        KeyCode::Char('q'),
        KeyModifiers::NONE,
        KeyEventKind::Release,
    );
    assert_eq!(app.handle_key(release), Action::None);
    assert_eq!(ch(&mut app, 'q'), Action::Quit);
    assert_eq!(
        app.handle_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        Action::Quit
    );
}

#[test]
fn tab_cycles_the_screens_and_detail_follows_the_selection() {
    let mut app = app();
    let order: Vec<Screen> = (0..7)
        .map(|_| {
            press(&mut app, KeyCode::Tab);
            app.screen()
        })
        .collect();
    assert_eq!(
        order,
        vec![
            Screen::Detail,
            Screen::Map,
            Screen::Insights,
            Screen::Plan,
            Screen::Agencies,
            Screen::Help,
            Screen::Ranking
        ]
    );
    press(&mut app, KeyCode::BackTab);
    assert_eq!(app.screen(), Screen::Help);
    ch(&mut app, 'r');
    ch(&mut app, 'd');
    let first = selected_id(&app);
    assert!(
        app.explanation()
            .is_some_and(|e| e.as_ref().is_ok_and(|e| e.site_id == first))
    );
    press(&mut app, KeyCode::Right);
    let second = selected_id(&app);
    assert_ne!(first, second);
    assert!(
        app.explanation()
            .is_some_and(|e| e.as_ref().is_ok_and(|e| e.site_id == second))
    );
    assert_shows(&app, 120, 40, &[&second]);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Screen::Ranking);
}

#[test]
fn three_hundred_generated_sites_scroll_and_render_only_the_window() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let params = tilsyn::synth::GenerateParams {
        sites: 300,
        seed: 11,
        ..Default::default()
    };
    let summary =
        tilsyn::synth::generate(&params, dir.path()).unwrap_or_else(|e| panic!("generate: {e}"));
    let scored = score_folder(dir.path(), summary.as_of);
    let opts = AppOptions {
        dataset: "generated".into(),
        export_dir: dir.path().to_path_buf(),
        capacity: 20,
        audit: None,
    };
    let mut app = App::new(scored, opts);
    assert_eq!(app.rows().len(), 300);
    let top = selected_id(&app);
    ch(&mut app, 'G');
    let last = selected_id(&app);
    let text = screen(&app, 120, 40);
    assert!(
        text.contains(&last) && !text.contains(&top),
        "the window follows the selection:\n{text}"
    );
    ch(&mut app, 'g');
    let text = screen(&app, 120, 40);
    assert!(text.contains(&top) && !text.contains(&last), "{text}");
    for c in ['m', 'i'] {
        ch(&mut app, c);
        assert_shows(&app, 120, 40, &[&summary.as_of.to_string()]);
        screen(&app, 60, 15);
    }
}

#[test]
fn notes_are_hidden_in_the_detail_pane_until_o() {
    let mut app = app();
    filter(&mut app, "1000000004");
    assert_eq!(selected_id(&app), "1000000004");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Detail);
    let hidden = screen(&app, 200, 200);
    assert!(hidden.contains("note hidden"), "{hidden}");
    assert!(!hidden.contains("Arbejdstid over 60"), "{hidden}");
    ch(&mut app, 'o');
    assert_shows(
        &app,
        200,
        200,
        &["Arbejdstid over 60", "inspectors' notes shown"],
    );
    ch(&mut app, 'o');
    let again = screen(&app, 200, 200);
    assert!(!again.contains("Arbejdstid over 60"), "{again}");
}

/// The app on `tests/fixtures/<name>` as of 2026-06-30 (rules scorer),
/// exporting into `export`.
fn app_on(name: &str, export: &Path) -> App {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let opts = AppOptions {
        dataset: dir.display().to_string(),
        export_dir: export.to_path_buf(),
        capacity: 20,
        audit: None,
    };
    App::new(score_folder(&dir, as_of()), opts)
}

/// Every screen of the open pane from its top to its end, PgDn by PgDn
/// (then back to the top).
fn scrolled(app: &mut App, w: u16, h: u16) -> String {
    let mut all = Vec::new();
    for _ in 0..60 {
        all.push(screen(app, w, h));
        press(app, KeyCode::PageDown);
    }
    for _ in 0..60 {
        press(app, KeyCode::PageUp);
    }
    all.join("\n")
}

/// Site 7000000001 of the joint fixture: every agency has reasons there.
const J1: &str = "7000000001";

/// Its reasons by the agency that acts on them (tests/fixtures/joint/README.md).
const J1_REASONS: [(&str, &[&str]); 5] = [
    (
        "AT",
        &[
            "overcrowded_employer_housing",
            "employer_housing_not_as_promised",
            "overcrowding_any_address",
        ],
    ),
    (
        "SKAT",
        &[
            "pay_far_below_stated",
            "many_paid_below_80pct",
            "low_absolute_pay",
        ],
    ),
    (
        "SIRI",
        &[
            "bound_housed_recruited",
            "mostly_via_recruiters",
            "mostly_employer_bound",
        ],
    ),
    ("POLICE", &["finding_retention_of_documents"]),
    ("CMM", &["finding_retention_of_documents"]),
];

#[test]
fn the_agency_view_shows_each_visit_s_team_and_its_reasons_per_agency() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut app = app_on("joint", dir.path());
    let agencies: Vec<String> = ["AT", "SKAT", "POLICE"].map(String::from).to_vec();
    let days = Bundling::new(3, 3).unwrap_or_else(|e| panic!("{e}"));
    let params = JointParams::new(&agencies, 180, Some(days)).unwrap_or_else(|e| panic!("{e}"));
    app.set_joint(params);
    ch(&mut app, 'a');
    assert_eq!(app.screen(), Screen::Agencies);
    let plan = match app.joint_plan() {
        Some(Ok(p)) => p.clone(),
        other => panic!("no joint plan: {other:?}"),
    };
    // The highest priority opens day 1; the selection starts on it.
    let first = &plan.rows[0];
    assert_eq!(first.row.site.site_id, J1);
    assert_eq!((first.day, first.stop), (Some(1), Some(1)));
    assert_eq!(app.joint_selected(), Some(0));
    assert_eq!(selected_id(&app), J1);
    let team: Vec<&str> = first.team.iter().map(|m| m.agency.as_str()).collect();
    assert_eq!(team, ["AT", "SKAT", "POLICE", "CMM"]);
    // The police and CMM are called in by a tip at 7000000006.
    let tip = plan
        .rows
        .iter()
        .find(|r| r.row.site.site_id == "7000000006")
        .unwrap_or_else(|| panic!("7000000006 is not planned"));
    let team: Vec<&str> = tip.team.iter().map(|m| m.agency.as_str()).collect();
    assert_eq!(team, ["POLICE", "CMM"]);

    for (w, h) in [(160, 45), (60, 15)] {
        assert_shows(&app, w, h, &[J1, "AT, SKAT, POLICE, CMM", "Joint plan"]);
        let text = scrolled(&mut app, w, h);
        for needle in [
            "Team: AT, SKAT, POLICE, CMM (called in)",
            "CMM: joins to identify",
            "day 1, stop 1",
            "København (101)",
        ] {
            assert!(
                text.contains(needle),
                "the agency view at {w}×{h} does not show {needle:?}:\n{text}"
            );
        }
        for (agency, ids) in J1_REASONS {
            let heading = format!("{agency} (");
            assert!(text.contains(&heading), "{w}×{h}: no {heading:?}:\n{text}");
            for id in ids {
                let reason = format!("• {id}: ");
                assert!(text.contains(&reason), "{w}×{h}: no {reason:?}:\n{text}");
            }
        }
    }
    // The reasons sit under their agency, in the order of the acting
    // agencies; SIRI's are shown although SIRI is not in the plan (a tall
    // terminal shows the whole pane at once).
    let text = screen(&app, 160, 80);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("160×80 does not show {needle:?}:\n{text}"))
    };
    assert!(at("Team: AT, SKAT, POLICE, CMM (called in)") < at("Reasons by agency"));
    let headings: Vec<usize> = J1_REASONS
        .iter()
        .map(|(agency, ids)| {
            let team = if *agency == "SIRI" {
                "not in the team"
            } else {
                "in the team"
            };
            at(&format!("│{agency} ({team}, {} reason(s))", ids.len()))
        })
        .collect();
    let mut sorted = headings.clone();
    sorted.sort_unstable();
    assert_eq!(headings, sorted, "AT, SKAT, SIRI, POLICE, CMM in order");
    for (k, (_, ids)) in J1_REASONS.iter().enumerate() {
        let next = headings.get(k + 1).copied().unwrap_or(usize::MAX);
        for id in *ids {
            // The first time a reason shows after its agency's heading.
            let pos = text[headings[k]..]
                .find(&format!("• {id}: "))
                .map(|p| p + headings[k])
                .unwrap_or_else(|| panic!("{id} is not under its agency:\n{text}"));
            assert!(pos < next, "{id} is not under its agency:\n{text}");
        }
    }
    // Moving walks the visits in visiting order; the pane follows.
    ch(&mut app, 'j');
    assert_eq!(selected_id(&app), plan.rows[1].row.site.site_id);
    ch(&mut app, 'G');
    let last = plan.rows.last().unwrap_or_else(|| panic!("no visits"));
    assert_eq!(selected_id(&app), last.row.site.site_id);
    assert_shows(&app, 160, 45, &[last.row.site.site_id.as_str()]);
    ch(&mut app, 'g');
    assert_eq!(selected_id(&app), J1);
    // Enter explains the selected visit; Esc comes back to the view.
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Detail);
    assert_eq!(selected_id(&app), J1);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Screen::Agencies);
    // Nothing panics on small terminals.
    for (w, h) in [(60, 15), (40, 10), (41, 11), (20, 5)] {
        screen(&app, w, h);
    }
}

#[test]
fn the_agency_view_plans_for_every_inspecting_agency_by_default() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut app = app_on("joint", dir.path());
    assert_eq!(
        app.joint_params().agencies,
        ["AT", "SKAT", "SIRI", "POLICE"]
    );
    ch(&mut app, 'a');
    let plan = match app.joint_plan() {
        Some(Ok(p)) => p.clone(),
        other => panic!("no joint plan: {other:?}"),
    };
    let team: Vec<&str> = plan.rows[0]
        .team
        .iter()
        .map(|m| m.agency.as_str())
        .collect();
    assert_eq!(team, ["AT", "SKAT", "SIRI", "POLICE", "CMM"]);
    assert!(plan.rows.iter().all(|r| r.day.is_none()), "no day routes");
    assert_shows(&app, 160, 45, &["no day routes", "SIRI (in the team"]);
    screen(&app, 60, 15);
}

#[test]
fn the_checklist_asks_the_flagged_indicators_first_and_saves_a_form_the_core_reads() {
    const SITE: &str = "2000000001";
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let forms = out.path().join("forms");
    let mut app = app_on("visit", out.path());
    app.set_visit_dir(forms.clone());
    select(&mut app, SITE);
    ch(&mut app, 'c');
    assert_eq!(app.screen(), Screen::Checklist);
    let list = tilsyn::visit::Checklist::bundled().unwrap_or_else(|e| panic!("{e}"));
    let view = app
        .checklist()
        .cloned()
        .unwrap_or_else(|| panic!("no checklist open"));
    assert_eq!(view.site_id, SITE);
    assert_eq!(view.order.len(), list.questions.len());
    // Observed (excessive overtime), then signalled (documents, wages).
    let mut indicators: Vec<&str> = Vec::new();
    for id in &view.order {
        let ilo = list
            .get(id)
            .map(|q| q.ilo)
            .unwrap_or_else(|| panic!("{id} is not a question"));
        if indicators.last() != Some(&ilo) {
            indicators.push(ilo);
        }
    }
    assert_eq!(
        indicators[..3],
        [
            "excessive_overtime",
            "retention_of_documents",
            "withholding_of_wages"
        ],
        "{indicators:?}"
    );
    assert_eq!(view.flagged, 3);
    let first = view.order[0].clone();
    assert_shows(
        &app,
        160,
        45,
        &[
            "Checklist 2000000001",
            &first,
            "Excessive overtime",
            "Possible victim:",
            "Poor conditions only:",
            "0/",
        ],
    );
    assert_shows(&app, 60, 15, &["Checklist 2000000001", &first]);

    // Answer yes to docs_held for 3 workers, with a note, the case id and the agency.
    let pos = view
        .order
        .iter()
        .position(|id| id == "docs_held")
        .unwrap_or_else(|| panic!("no docs_held"));
    for _ in 0..pos {
        press(&mut app, KeyCode::Down);
    }
    assert_eq!(app.checklist().map(|v| v.selected), Some(pos));
    ch(&mut app, 'y');
    ch(&mut app, '1');
    press(&mut app, KeyCode::Backspace);
    ch(&mut app, '3');
    ch(&mut app, 't');
    assert!(
        app.prompt()
            .is_some_and(|p| p.label().contains("docs_held"))
    );
    typed(&mut app, "passports in the office safe");
    press(&mut app, KeyCode::Enter);
    assert!(app.prompt().is_none());
    ch(&mut app, 'i');
    typed(&mut app, "TUI-V-0001");
    press(&mut app, KeyCode::Enter);
    ch(&mut app, 'a');
    // `o` steps through the outcome codes, least serious first.
    let cmm = tilsyn::data::schema::OUTCOMES
        .iter()
        .position(|o| *o == "referral_cmm")
        .unwrap_or_else(|| panic!("no referral_cmm outcome"));
    for _ in 0..=cmm {
        ch(&mut app, 'o');
    }
    assert_shows(
        &app,
        160,
        45,
        &[
            "1/",
            "yes",
            "docs_held",
            "agency AT",
            "case id TUI-V-0001",
            "outcome referral_cmm",
        ],
    );
    screen(&app, 60, 15);
    ch(&mut app, 's');
    let path = app
        .checklist()
        .and_then(|v| v.saved.clone())
        .unwrap_or_else(|| panic!("not saved: {:?}", app.message()));
    assert!(path.starts_with(&forms), "{}", path.display());
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    assert!(
        name.starts_with("tilsyn-visit-2000000001-") && name.ends_with(".toml"),
        "{name}"
    );
    let msg = app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(
        msg.contains(&path.display().to_string()) && msg.contains("tilsyn visit record --form"),
        "{msg}"
    );

    // The core reads the form back with the answers given.
    let form = tilsyn::visit::Form::from_file(&path, &list).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(form.site_id, SITE);
    let docs = form.answer("docs_held");
    assert_eq!(docs.answer, tilsyn::visit::VisitAnswer::Yes);
    assert_eq!(docs.workers, 3);
    assert_eq!(docs.note, "passports in the office safe");
    assert_eq!(form.visit.inspection_id, "TUI-V-0001");
    assert_eq!(form.visit.agency, "AT");
    assert_eq!(form.visit.outcome, "referral_cmm");
    assert!(form.visit.date.is_some());
    let unanswered = form.answer(&first);
    assert_eq!(unanswered.answer, tilsyn::visit::VisitAnswer::Unknown);
    let record = tilsyn::visit::record::to_rows(&form, &list, &path.display().to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(record.findings.len(), 1);
    assert_eq!(record.findings[0].indicator, "retention_of_documents");
    assert_eq!(record.findings[0].workers_affected, Some(3));

    // Esc closes it; the answers stay for the session.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Screen::Ranking);
    assert!(app.checklist().is_none());
    ch(&mut app, 'c');
    assert_eq!(app.screen(), Screen::Checklist);
    assert_eq!(
        app.visit_form(SITE).map(|f| f.answer("docs_held").workers),
        Some(3)
    );
    ch(&mut app, 'c');
    assert_eq!(app.screen(), Screen::Ranking, "c closes it too");
}

#[test]
fn the_checklist_never_writes_into_the_data_folder() {
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/visit");
    let mut app = app_on("visit", out.path());
    app.set_visit_dir(data.clone());
    select(&mut app, "2000000001");
    ch(&mut app, 'c');
    ch(&mut app, 'y');
    ch(&mut app, 's');
    let written: Vec<_> = std::fs::read_dir(&data)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("tilsyn-visit-"))
        })
        .collect();
    for p in &written {
        let _ = std::fs::remove_file(p);
    }
    assert!(written.is_empty(), "wrote into the fixture: {written:?}");
    assert!(
        app.message()
            .is_some_and(|m| m.level == Level::Error && m.text.contains("data folder")),
        "{:?}",
        app.message()
    );
    assert!(app.checklist().is_some_and(|v| v.saved.is_none()));
}

/// The detail pane lists the register records behind the pay, hours and
/// housing signals, with file and line, as `explain` does (issue #15, part 5).
#[test]
fn the_detail_pane_lists_the_register_records_behind_the_signals() {
    let mut app = app();
    select(&mut app, "1000000001");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Detail);
    let text = screen(&app, 200, 80);
    assert!(
        text.contains("Register records behind pay, hours and housing"),
        "{text}"
    );
    // The site's payroll rows of the window: April to June 2026, lines 2-4.
    for needle in ["payroll.csv:2", "payroll.csv:3", "2026-04"] {
        assert!(text.contains(needle), "{needle}\n{text}");
    }
    // A site with no permit holders has none.
    press(&mut app, KeyCode::Esc);
    select(&mut app, "1000000003");
    press(&mut app, KeyCode::Enter);
    let text = screen(&app, 200, 80);
    assert!(
        text.contains("no payroll month or residence behind a signal"),
        "{text}"
    );
}
