//! Criterion bench of the terminal UI at scale: handling a key and
//! rendering one frame, and filtering, with N generated sites loaded
//! (N from `TILSYN_BENCH_SITES`, default 1,000,000). Setup (generate, load,
//! score, rank) runs once and is not measured.
//!
//! cargo bench --bench tui
//! TILSYN_BENCH_SITES=100000 cargo bench --bench tui

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tilsyn::data::LoadOptions;
use tilsyn::indicators::Catalogue;
use tilsyn::pipeline::{compile, load_and_assess};
use tilsyn::synth::{GenerateParams, generate};
use tilsyn::tui::app::{App, AppOptions};
use tilsyn::tui::ui;

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn bench(c: &mut Criterion) {
    let sites: usize = std::env::var("TILSYN_BENCH_SITES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    generate(
        &GenerateParams {
            sites,
            seed: 1,
            ..GenerateParams::default()
        },
        dir.path(),
    )
    .expect("generate");
    let compiled = compile(Catalogue::bundled().expect("catalogue")).expect("compile");
    let scored =
        load_and_assess(dir.path(), LoadOptions::default(), compiled, None).expect("score");
    let opts = AppOptions {
        dataset: format!("{sites} generated sites"),
        export_dir: dir.path().to_path_buf(),
        capacity: 20,
        audit: None,
    };
    let mut app = App::new(scored, opts);
    let mut terminal = Terminal::new(TestBackend::new(160, 45)).expect("terminal");

    let mut group = c.benchmark_group(format!("tui_{sites}_sites"));
    group.sample_size(30);
    group.bench_function("key_down_and_render_frame", |b| {
        b.iter(|| {
            key(&mut app, KeyCode::Char('j'));
            terminal
                .draw(|f| ui::render(f, black_box(&app)))
                .expect("draw");
        })
    });
    group.bench_function("filter_sector_construction_and_clear", |b| {
        b.iter(|| {
            key(&mut app, KeyCode::Char('f'));
            for ch in "sector:construction".chars() {
                key(&mut app, KeyCode::Char(ch));
            }
            key(&mut app, KeyCode::Enter);
            black_box(app.view().len());
            key(&mut app, KeyCode::Esc);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
