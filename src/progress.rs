//! Progress of long stages. The core names the stage it is in and counts
//! the rows it has done; a front end decides whether and how to show it
//! (the command line draws bars on a terminal, see `cli::progress`). With
//! no reporter installed, stages cost one clock read.
//!
//! Front ends that own the screen (the terminal UI) read the running stages
//! with [`running`] instead of installing a reporter.
//!
//! `TILSYN_TIMING=1` also prints each stage's time to stderr when it ends,
//! for profiling at scale (never part of normal output).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Shows stages as they begin, advance and end. Stages may run on several
/// threads at once (tables load in parallel); each has its own id.
pub trait Reporter: Send + Sync {
    /// A stage began.
    fn begin(&self, id: u64, label: &str);
    /// A stage did `done` units of work in all so far (rows read, sites scored).
    fn advance(&self, id: u64, done: u64);
    /// A stage ended after `elapsed`.
    fn end(&self, id: u64, label: &str, elapsed: Duration);
}

static REPORTER: OnceLock<Box<dyn Reporter>> = OnceLock::new();
static NEXT_ID: AtomicU64 = AtomicU64::new(1);
/// The stages running now: id → (label, units done).
static RUNNING: Mutex<BTreeMap<u64, (String, u64)>> = Mutex::new(BTreeMap::new());

/// The stages running now, oldest first, each with the units it has done
/// ("load payroll", 1_048_576).
pub fn running() -> Vec<(String, u64)> {
    RUNNING
        .lock()
        .map(|r| r.values().cloned().collect())
        .unwrap_or_default()
}

/// Installs the process's reporter (once; later calls are ignored and
/// return false).
pub fn set_reporter(reporter: Box<dyn Reporter>) -> bool {
    REPORTER.set(reporter).is_ok()
}

/// A running stage; it ends when dropped.
#[derive(Debug)]
pub struct Stage {
    id: u64,
    label: String,
    start: Instant,
    done: AtomicU64,
}

/// Begins a stage.
pub fn stage(label: impl Into<String>) -> Stage {
    let label = label.into();
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    if let Some(r) = REPORTER.get() {
        r.begin(id, &label);
    }
    if let Ok(mut running) = RUNNING.lock() {
        running.insert(id, (label.clone(), 0));
    }
    Stage {
        id,
        label,
        start: Instant::now(),
        done: AtomicU64::new(0),
    }
}

impl Stage {
    /// Counts `n` more units done.
    pub fn add(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(r) = REPORTER.get() {
            r.advance(self.id, done);
        }
        if let Ok(mut running) = RUNNING.lock()
            && let Some(entry) = running.get_mut(&self.id)
        {
            entry.1 = done;
        }
    }

    /// Units done so far.
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        let elapsed = self.start.elapsed();
        if let Ok(mut running) = RUNNING.lock() {
            running.remove(&self.id);
        }
        if let Some(r) = REPORTER.get() {
            r.end(self.id, &self.label, elapsed);
        }
        if std::env::var_os("TILSYN_TIMING").is_some() {
            eprintln!("timing: {} {:.2} s", self.label, elapsed.as_secs_f64());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_counts_what_it_did() {
        let s = stage("counting");
        s.add(3);
        s.add(4);
        assert_eq!(s.done(), 7);
        assert!(
            running().contains(&("counting".to_string(), 7)),
            "a running stage is listed with its count"
        );
        drop(s);
        assert!(!running().iter().any(|(l, _)| l == "counting"));
    }
}
