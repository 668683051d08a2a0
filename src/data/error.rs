//! Errors that stop a load: a file that cannot be used at all. Row-level
//! problems are not errors; they become rejects (see `rejects`).

use std::path::PathBuf;

/// A problem that makes an input file or folder unusable. Every message
/// names the file and says what to change.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// A file could not be read.
    #[error("{}: cannot read", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The data folder does not exist or is not a folder.
    #[error("{}: not a folder of input tables; point --data at a folder holding sites.csv (or .csv.gz/.parquet)", path.display())]
    NotAFolder {
        /// The path given.
        path: PathBuf,
    },
    /// A required table is missing.
    #[error("{}: no `{table}` table: add {table}.csv, {table}.csv.gz or {table}.parquet, or name its file in tilsyn.toml under [tables.{table}] file = \"...\"", dir.display())]
    MissingTable {
        /// The folder.
        dir: PathBuf,
        /// The table.
        table: &'static str,
    },
    /// Two files for one table.
    #[error("{}: the `{table}` table is given twice ({first} and {second}); keep one", dir.display())]
    AmbiguousTable {
        /// The folder.
        dir: PathBuf,
        /// The table.
        table: &'static str,
        /// First file name.
        first: String,
        /// Second file name.
        second: String,
    },
    /// The file is empty.
    #[error("{}: line 1: the file is empty; it needs a header row naming the columns", path.display())]
    EmptyFile {
        /// The file.
        path: PathBuf,
    },
    /// The file has a header but no rows, where rows are required.
    #[error("{}: line 1: the file has a header but no rows; the `{table}` table needs at least one row", path.display())]
    NoRows {
        /// The file.
        path: PathBuf,
        /// The table.
        table: &'static str,
    },
    /// A required column is missing.
    #[error("{}: line 1: required column '{column}' of the `{table}` table is missing (found: {found}). {hint}", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The table.
        table: &'static str,
        /// The missing canonical column.
        column: &'static str,
        /// The columns found, comma separated.
        found: String,
        /// How to fix it.
        hint: String,
    },
    /// The file could not be parsed as a table at all.
    #[error("{}: line {line}: not a readable table: {reason}", path.display())]
    NotATable {
        /// The file.
        path: PathBuf,
        /// Line of the problem.
        line: u64,
        /// What went wrong.
        reason: String,
    },
    /// A Parquet column has a type that cannot hold the canonical type.
    #[error("{}: column '{column}' has type {found}, but the `{table}` table needs {expected}; convert the column or map another one onto '{column}'", path.display())]
    WrongColumnType {
        /// The file.
        path: PathBuf,
        /// The table.
        table: &'static str,
        /// The canonical column.
        column: &'static str,
        /// The type found.
        found: String,
        /// The type needed.
        expected: String,
    },
    /// The mapping file is wrong.
    #[error("{}: {message}", path.display())]
    Mapping {
        /// The mapping file.
        path: PathBuf,
        /// What is wrong, with its line where known.
        message: String,
    },
    /// Raw personal identifiers need a key to be pseudonymised.
    #[error("{}: column(s) {columns} hold raw personal identifiers and must be pseudonymised on load, but TILSYN_PSEUDONYM_KEY is not set; set it to a secret of at least 16 characters (the same key gives the same pseudonyms across loads)", path.display())]
    PseudonymKeyMissing {
        /// The file.
        path: PathBuf,
        /// The columns, quoted and comma separated.
        columns: String,
    },
    /// The key is too short to be a secret.
    #[error(
        "TILSYN_PSEUDONYM_KEY is too short ({len} characters); use a secret of at least 16 characters"
    )]
    PseudonymKeyTooShort {
        /// Its length.
        len: usize,
    },
    /// A personal column holds a value that is not a pseudonym (a CPR
    /// number, a passport number, a name, a source system's id) and no key
    /// is set to pseudonymise it.
    #[error("{}: line {line}: column '{column}' of `{table}` holds personal data, and this value is not a pseudonym (`p` and 20 hex digits); raw personal identifiers (CPR or passport numbers, names, a source system's person ids) are never loaded as they are: set TILSYN_PSEUDONYM_KEY (a secret of at least 16 characters) and tilsyn replaces every value of the column by its pseudonym on load", path.display())]
    RawIdentifier {
        /// The file.
        path: PathBuf,
        /// The table.
        table: &'static str,
        /// Line of the first such value.
        line: u64,
        /// The column.
        column: &'static str,
    },
    /// Writing a rejects file failed.
    #[error("{}: cannot write rejects", path.display())]
    Rejects {
        /// The rejects file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// polars failed while building a frame.
    #[error("{}: cannot build the table", path.display())]
    Polars {
        /// The file being loaded.
        path: PathBuf,
        /// The cause.
        source: polars::error::PolarsError,
    },
    /// The manifest of an imported folder cannot be used.
    #[error("{}: {message}; re-run `tilsyn import` to write the folder again", path.display())]
    ImportManifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A file of an imported folder is not the file `tilsyn import` wrote.
    #[error("{}: {reason}; the imported folder no longer matches what `tilsyn import` wrote: re-run `tilsyn import --data {} --out {}`", path.display(), origin.display(), dir.display())]
    ImportChanged {
        /// The file.
        path: PathBuf,
        /// What differs.
        reason: String,
        /// The folder the import was loaded from.
        origin: PathBuf,
        /// The imported folder.
        dir: PathBuf,
    },
    /// Writing an imported folder failed.
    #[error("{}: cannot write the imported folder", path.display())]
    ImportWrite {
        /// The file or folder being written.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// polars could not write a table as Parquet.
    #[error("{}: cannot write the table as Parquet", path.display())]
    ImportParquet {
        /// The Parquet file.
        path: PathBuf,
        /// The cause.
        source: polars::error::PolarsError,
    },
}
