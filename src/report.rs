//! Reports written to files: PNG charts of a model's evaluation (with
//! plotters and a bundled font, so they render the same on any machine),
//! and the model card with its algorithm-register record (`card`).

pub mod card;
pub mod plot;
