//! Whole-binary and whole-pipeline tests in one test binary (one link of
//! polars instead of one per file): run the built `tilsyn` on fixture
//! folders and check exit codes, output and files; and drive the library's
//! pipeline, indicators, model and TUI state directly.

// A failed unwrap in a test or its helpers is a failed assertion, not a
// crash a user can meet.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod assess;
mod audit;
mod canary;
mod citations;
mod exports;
mod fuzz;
mod generate;
mod golden;
mod harness;
mod import;
mod indicators;
mod joint;
mod load;
mod mapping;
mod model;
mod network;
mod rank;
mod register_evidence;
mod scale;
mod screen;
mod shortfall;
mod smoke;
mod statuses;
mod tui;
mod visit;
