//! Progress on stderr for the command line: one spinner line per running
//! stage (with the rows or sites done where the stage counts them), drawn by
//! indicatif, and only when stderr is a terminal and `--quiet` is not given.
//! Piped or redirected output stays clean.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::progress::{Reporter, set_reporter};

/// Draws the core's stages as spinners on stderr.
struct Bars {
    multi: MultiProgress,
    bars: Mutex<HashMap<u64, ProgressBar>>,
}

impl Reporter for Bars {
    fn begin(&self, id: u64, label: &str) {
        let bar = self.multi.add(ProgressBar::new_spinner());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
            bar.set_style(style);
        }
        bar.set_message(label.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        if let Ok(mut bars) = self.bars.lock() {
            bars.insert(id, bar);
        }
    }

    fn advance(&self, id: u64, done: u64) {
        if let Ok(bars) = self.bars.lock()
            && let Some(bar) = bars.get(&id)
        {
            if bar.position() == 0
                && let Ok(style) =
                    ProgressStyle::with_template("{spinner} {msg} {human_pos} {elapsed}")
            {
                bar.set_style(style);
            }
            bar.set_position(done);
        }
    }

    fn end(&self, id: u64, _label: &str, _elapsed: Duration) {
        if let Ok(mut bars) = self.bars.lock()
            && let Some(bar) = bars.remove(&id)
        {
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
    }
}

/// Installs the stderr progress display unless `quiet` or stderr is not a
/// terminal.
pub fn install(quiet: bool) {
    if quiet || !std::io::stderr().is_terminal() {
        return;
    }
    let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
    set_reporter(Box::new(Bars {
        multi,
        bars: Mutex::new(HashMap::new()),
    }));
}
