//! Reports written to files: PNG charts of a model's evaluation (with
//! plotters and a bundled font, so they render the same on any machine).

pub mod plot;
