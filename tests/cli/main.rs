//! Whole-binary and whole-pipeline tests in one test binary (one link of
//! polars instead of one per file): run the built `tilsyn` on fixture
//! folders and check exit codes, output and files; and drive the library's
//! pipeline, indicators, model and TUI state directly.

mod assess;
mod harness;
mod indicators;
mod load;
mod rank;
mod tui;
