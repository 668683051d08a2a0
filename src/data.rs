//! Input data: the canonical tables (`schema`), the bundled Danish reference
//! tables (`reference`), and loading a folder of agency exports into typed
//! polars frames without losing a row silently (`load`, with `dialect` for
//! CSV sniffing, `mapping` for `tilsyn.toml`, `parse` for typed values,
//! `pseudonym` for keyed hashing and `rejects` for the rejects files),
//! imported folders (`import`): the loaded frames written once as Parquet
//! with a manifest, and read back without parsing a cell again, and draft
//! mapping files guessed from a folder's headers and values (`draft`).

pub mod codes;
pub mod columns;
pub mod dialect;
pub mod draft;
pub mod error;
mod frame;
pub mod import;
pub mod load;
pub mod mapping;
pub mod mask;
pub mod parse;
pub mod pseudonym;
pub mod reference;
pub mod rejects;
mod rows;
pub mod schema;
mod source;
mod validate;

pub use error::DataError;
pub use load::{Dataset, LoadOptions, LoadReport, TableReport, TableStatus, load_folder};
pub use schema::{ColType, ILO_INDICATORS, SCOPES, Table, scope_covers};
