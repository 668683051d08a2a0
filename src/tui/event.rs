//! The event loop. One `mpsc` channel carries every [`Event`]: terminal
//! input, a timer tick, progress of the background load, and its result.
//! Loading, scoring and ranking run on a background thread, so the screen
//! shows a spinner and never freezes. The terminal is restored on every
//! way out: normal return, error (a drop guard) and panic (the hook
//! `ratatui::try_init` installs, after ours that releases the mouse).

use std::io::{IsTerminal, stdout};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

use crossterm::event::{
    self as ct, DisableMouseCapture, EnableMouseCapture, KeyCode, KeyEventKind, KeyModifiers,
};
use crossterm::execute;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::{DefaultTerminal, Frame};

use super::app::{App, AppOptions, Level};
use super::keymap::Action;
use super::{Loader, TuiOptions, ui};
use crate::rank::joint::JointParams;

/// How often the input thread ticks when no key arrives.
pub const TICK: Duration = Duration::from_millis(120);

/// Everything the loop reacts to.
pub enum Event {
    /// A key, mouse or resize event from the terminal.
    Input(ct::Event),
    /// Time passed (animates the spinner).
    Tick,
    /// The background load finished.
    Loaded(Result<Box<App>, anyhow::Error>),
    /// The background load reports what it is doing.
    Progress(String),
}

/// What the loop shows.
enum Phase {
    Loading { progress: String, tick: usize },
    Ready(Box<App>),
}

/// Releases the mouse and restores the terminal when dropped.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = execute!(stdout(), DisableMouseCapture);
        ratatui::restore();
    }
}

/// Runs the terminal UI until the user quits.
pub fn run(opts: TuiOptions) -> anyhow::Result<()> {
    if !stdout().is_terminal() {
        anyhow::bail!(
            "the terminal UI needs a terminal; for text output use `tilsyn rank` (csv or json with --format)"
        );
    }
    let TuiOptions {
        dataset,
        export_dir,
        capacity,
        audit,
        joint,
        visit_dir,
        loader,
    } = opts;
    let app_opts = AppOptions {
        dataset: dataset.clone(),
        export_dir,
        capacity,
        audit,
    };

    // Our hook first, so ratatui's (installed by try_init) runs before it.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableMouseCapture);
        previous(info);
    }));
    let mut terminal = ratatui::try_init()?;
    let _restore = Restore;
    execute!(stdout(), EnableMouseCapture)?;

    let (tx, rx) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    spawn_input(tx.clone(), Arc::clone(&stop))?;
    spawn_loader(tx, loader, app_opts, (joint, visit_dir))?;
    let result = event_loop(&mut terminal, &rx, &dataset);
    stop.store(true, Ordering::Relaxed);
    result
}

/// Reads terminal events (polling, so it can stop) and ticks.
fn spawn_input(tx: Sender<Event>, stop: Arc<AtomicBool>) -> std::io::Result<()> {
    thread::Builder::new()
        .name("tilsyn-input".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let ev = match ct::poll(TICK) {
                    Ok(true) => match ct::read() {
                        Ok(ev) => Event::Input(ev),
                        Err(_) => break,
                    },
                    Ok(false) => Event::Tick,
                    Err(_) => break,
                };
                if tx.send(ev).is_err() {
                    break;
                }
            }
        })?;
    Ok(())
}

/// Loads, scores and ranks on a background thread; `field` is the agency
/// view's agencies and the folder visit forms are saved to.
fn spawn_loader(
    tx: Sender<Event>,
    loader: Loader,
    opts: AppOptions,
    field: (JointParams, PathBuf),
) -> std::io::Result<()> {
    thread::Builder::new()
        .name("tilsyn-load".into())
        .spawn(move || {
            let progress_tx = tx.clone();
            let progress = move |msg: &str| {
                let _ = progress_tx.send(Event::Progress(msg.to_string()));
            };
            let result = loader(&progress).map(|loaded| {
                progress("ranking every site");
                let mut app = App::new(loaded.scored, opts);
                let (joint, visit_dir) = field;
                app.set_joint(joint);
                app.set_visit_dir(visit_dir);
                if !loaded.notes.is_empty() {
                    app.notify(loaded.notes.join(" · "), Level::Warn);
                }
                Box::new(app)
            });
            let _ = tx.send(Event::Loaded(result));
        })?;
    Ok(())
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    rx: &Receiver<Event>,
    dataset: &str,
) -> anyhow::Result<()> {
    let mut phase = Phase::Loading {
        progress: "starting".into(),
        tick: 0,
    };
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|f| match &phase {
                Phase::Loading { progress, tick } => render_loading(f, dataset, progress, *tick),
                Phase::Ready(app) => ui::render(f, app),
            })?;
            dirty = false;
        }
        let ev = match rx.recv() {
            Err(_) => return Ok(()),
            Ok(Event::Loaded(Ok(app))) => {
                phase = Phase::Ready(app);
                dirty = true;
                continue;
            }
            Ok(Event::Loaded(Err(e))) => return Err(e),
            Ok(ev) => ev,
        };
        match (&mut phase, ev) {
            (Phase::Ready(app), Event::Input(ct::Event::Key(k))) => {
                if app.handle_key(k) == Action::Quit {
                    return Ok(());
                }
                dirty = true;
            }
            (Phase::Ready(app), Event::Input(ct::Event::Mouse(m))) => {
                app.handle_mouse(m);
                dirty = true;
            }
            (Phase::Loading { .. }, Event::Input(ct::Event::Key(k))) => {
                let ctrl_c =
                    k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
                if k.kind != KeyEventKind::Release
                    && (ctrl_c || matches!(k.code, KeyCode::Char('q') | KeyCode::Esc))
                {
                    return Ok(());
                }
            }
            (_, Event::Input(ct::Event::Resize(..))) => dirty = true,
            (_, Event::Input(_)) => {}
            (Phase::Loading { tick, progress }, Event::Tick) => {
                *tick = tick.wrapping_add(1);
                // The core's innermost running stage, with its rows so far.
                if let Some((label, done)) = crate::progress::running().pop() {
                    *progress = if done > 0 {
                        format!("{label}: {done} rows")
                    } else {
                        label
                    };
                }
                dirty = true;
            }
            (Phase::Ready(app), Event::Tick) => dirty = app.poll_background(),
            (Phase::Loading { progress, .. }, Event::Progress(p)) => {
                *progress = p;
                dirty = true;
            }
            (Phase::Ready(_), Event::Progress(_)) => {}
            (_, Event::Loaded(_)) => {}
        }
    }
}

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// The screen shown while the data loads.
pub fn render_loading(frame: &mut Frame, dataset: &str, progress: &str, tick: usize) {
    let area = frame.area();
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(4),
        Constraint::Fill(1),
    ])
    .areas(area);
    let spinner = SPINNER[tick % SPINNER.len()];
    let text = vec![
        Line::from(Span::styled(
            "tilsyn",
            Style::new().add_modifier(Modifier::BOLD),
        ))
        .centered(),
        Line::from(format!("{spinner} {progress}")).centered(),
        Line::from(Span::styled(
            format!("data: {dataset}"),
            Style::new().fg(Color::DarkGray),
        ))
        .centered(),
        Line::from(Span::styled("q quits", Style::new().fg(Color::DarkGray))).centered(),
    ];
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), middle);
}
