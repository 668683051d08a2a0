//! The TUI network view: links with evidence, and Enter on a linked site
//! jumps to it in the ranking.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tilsyn::network::NodeKind;
use tilsyn::tui::app::{App, AppOptions, Screen};
use tilsyn::tui::ui;

use super::scored;
use crate::harness::{fixture, tempdir};

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn screen_text(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::render(f, app)).unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The TUI on the network fixture (and its export folder, kept alive).
fn network_app() -> (tempfile::TempDir, App) {
    let out = tempdir();
    let opts = AppOptions {
        dataset: "network".into(),
        export_dir: out.path().to_path_buf(),
        capacity: 20,
        audit: None,
    };
    let app = App::new(scored(&fixture("network")), opts);
    (out, app)
}

/// Selects a site in the ranking by moving down to it.
fn select_site(app: &mut App, site: &str) {
    let pos = app
        .view()
        .iter()
        .position(|&i| app.rows()[i].site_id == site)
        .unwrap();
    for _ in 0..pos {
        key(app, KeyCode::Down);
    }
    assert_eq!(selected(app), site);
}

fn selected(app: &App) -> String {
    app.selected()
        .map(|r| r.site_id.clone())
        .unwrap_or_default()
}

#[test]
fn the_tui_network_view_lists_links_with_evidence_and_jumps_to_a_linked_site() {
    let (_out, mut app) = network_app();
    select_site(&mut app, "S5");
    key(&mut app, KeyCode::Char('w'));
    // The graph is built on a background thread; the screen stays live.
    assert_eq!(app.screen(), Screen::Ranking);
    app.wait_for_background();
    assert_eq!(app.screen(), Screen::Network);
    let view = app.network().unwrap();
    assert_eq!(view.site_id, "S5");
    assert_eq!(view.lines[0].id, "S5");
    let text = screen_text(&app, 140, 40);
    for needle in [
        "Network of S5",
        "C4",
        "registered at address p0000000000000000614d",
        "S8",
    ] {
        assert!(text.contains(needle), "{needle:?}:\n{text}");
    }
    // The site's community, as `tilsyn network --groups` numbers it.
    let community = view
        .community
        .clone()
        .expect("S5 has strong links: a community");
    assert!(community.sites >= 2);
    let shown = format!("community {} · {} sites", community.id, community.sites);
    assert!(text.contains(&shown), "{shown:?}:\n{text}");
    // Small terminals never panic.
    for (w, h) in [(60, 15), (40, 10), (20, 5)] {
        screen_text(&app, w, h);
    }
    // Enter on a company only says so.
    let company = view
        .lines
        .iter()
        .position(|l| l.kind == NodeKind::Company)
        .unwrap();
    let target = view
        .lines
        .iter()
        .position(|l| l.kind == NodeKind::Site && l.id == "S8")
        .unwrap();
    for _ in 0..company {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Network);
    for _ in company..target {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Ranking);
    assert_eq!(selected(&app), "S8");
    // w again shows S8's network; Esc goes back.
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(app.network().unwrap().site_id, "S8");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Screen::Ranking);
}

#[test]
fn the_network_is_built_in_the_background_and_opens_only_where_it_was_asked_for() {
    let (_out, mut app) = network_app();
    let message = |app: &App| app.message().map(|m| m.text.clone()).unwrap_or_default();
    // `w` returns at once: the screen stays, and says what is under way.
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(app.screen(), Screen::Ranking);
    assert!(
        message(&app).contains("building the network"),
        "{}",
        message(&app)
    );
    // A second `w` while it builds starts nothing new.
    key(&mut app, KeyCode::Char('w'));
    assert!(
        message(&app).contains("still building"),
        "{}",
        message(&app)
    );
    // Other keys clear messages; the status line still says it is building.
    key(&mut app, KeyCode::Down);
    assert!(app.message().is_none());
    let text = screen_text(&app, 140, 40);
    assert!(text.contains("building the network"), "{text}");
    // The user went on to the map: the finished build does not pull them
    // back, it says that `w` now opens the view.
    key(&mut app, KeyCode::Char('m'));
    assert_eq!(app.screen(), Screen::Map);
    app.wait_for_background();
    assert_eq!(app.screen(), Screen::Map);
    assert!(
        message(&app).contains("network is ready"),
        "{}",
        message(&app)
    );
    assert!(!app.poll_background(), "nothing is left to take");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('r'));
    let site = selected(&app);
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(app.screen(), Screen::Network, "{}", message(&app));
    assert_eq!(app.network().map(|v| v.site_id.clone()), Some(site));

    // In a fresh app the event loop's polling opens the view where `w` was
    // pressed once the build ends.
    let (_out, mut app) = network_app();
    key(&mut app, KeyCode::Char('w'));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !app.poll_background() {
        assert!(
            std::time::Instant::now() < deadline,
            "the build never ended"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(app.screen(), Screen::Network);
}

#[test]
fn the_network_view_lists_the_communities_and_shows_one_in_full() {
    use tilsyn::tui::app::communities::Pane;
    let (_out, mut app) = network_app();
    select_site(&mut app, "S5");
    key(&mut app, KeyCode::Char('w'));
    app.wait_for_background();
    let own = app
        .network()
        .unwrap()
        .community
        .clone()
        .expect("S5's community");
    let count = app.communities().len();
    assert!(count >= 1);

    // `o`: S5's community in full, as `tilsyn network --group N` prints it.
    key(&mut app, KeyCode::Char('o'));
    let Some(Pane::Community { id, lines, .. }) = app.network().map(|v| v.pane.clone()) else {
        panic!("o opens the community");
    };
    assert_eq!(id, own.id);
    assert!(lines.iter().any(|l| l.trim_start().starts_with("S5")));
    let text = screen_text(&app, 140, 40);
    for needle in [
        format!("community {}  score", own.id),
        "links".to_string(),
        "share".to_string(),
        "timeline of the companies' owners and directors".to_string(),
    ] {
        assert!(text.contains(&needle), "{needle:?}:\n{text}");
    }
    // It scrolls, and Esc goes back to the tree (not out of the view).
    key(&mut app, KeyCode::Down);
    assert!(matches!(
        app.network().map(|v| &v.pane),
        Some(Pane::Community { scroll: 1, .. })
    ));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Screen::Network);
    assert_eq!(app.network().map(|v| v.pane.clone()), Some(Pane::Tree));

    // `l`: every community, riskiest first, starting at S5's.
    key(&mut app, KeyCode::Char('l'));
    assert_eq!(
        app.network().map(|v| v.pane.clone()),
        Some(Pane::List {
            selected: own.id - 1
        })
    );
    let text = screen_text(&app, 140, 40);
    assert!(text.contains("riskiest first"), "{text}");
    assert!(text.contains("this site's"), "{text}");
    let first = &app.communities()[0];
    assert!(
        text.contains(&format!(
            "{} sites, {} companies",
            first.community.sites.len(),
            first.community.companies.len()
        )),
        "{text}"
    );
    // Enter opens the selected one; Esc returns to the list, then the tree.
    key(&mut app, KeyCode::Home);
    key(&mut app, KeyCode::Enter);
    assert!(matches!(
        app.network().map(|v| &v.pane),
        Some(Pane::Community {
            id: 1,
            from_list: true,
            ..
        })
    ));
    key(&mut app, KeyCode::Esc);
    assert_eq!(
        app.network().map(|v| v.pane.clone()),
        Some(Pane::List { selected: 0 })
    );
    // `o` from the list opens the site's own community; Esc comes back to
    // the list, at that community.
    key(&mut app, KeyCode::Char('o'));
    assert!(matches!(
        app.network().map(|v| &v.pane),
        Some(Pane::Community { id, from_list: true, .. }) if *id == own.id
    ));
    key(&mut app, KeyCode::Esc);
    assert_eq!(
        app.network().map(|v| v.pane.clone()),
        Some(Pane::List {
            selected: own.id - 1
        })
    );
    for (w, h) in [(160, 45), (60, 15), (20, 5)] {
        screen_text(&app, w, h);
    }
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.network().map(|v| v.pane.clone()), Some(Pane::Tree));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Screen::Ranking);
}
