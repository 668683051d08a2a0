//! The rejects files: every row that could not be loaded is written to
//! `rejects/<table>.csv` with its source line, the column at fault and the
//! reason, followed by the row's canonical fields (personal identifiers
//! already pseudonymised), so that nothing is lost without a trace.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::DataError;
use super::schema::Table;

/// One rejected row, as shown in messages.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RejectSample {
    /// Source file name.
    pub file: String,
    /// Line in the source file where the row starts (row number for Parquet).
    pub line: u64,
    /// Canonical column at fault (`(row)` when the whole row is wrong).
    pub column: String,
    /// What is wrong and how to fix it.
    pub reason: String,
}

impl std::fmt::Display for RejectSample {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: line {}: column '{}': {}",
            self.file, self.line, self.column, self.reason
        )
    }
}

/// Writes rejects files lazily: a table's file is created on its first reject.
pub struct RejectWriter {
    dir: PathBuf,
    writers: BTreeMap<Table, csv::Writer<BufWriter<File>>>,
}

impl RejectWriter {
    /// A writer into `dir` (created when the first reject arrives).
    pub fn new(dir: PathBuf) -> Self {
        RejectWriter {
            dir,
            writers: BTreeMap::new(),
        }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether any reject was written.
    pub fn any(&self) -> bool {
        !self.writers.is_empty()
    }

    /// Writes one rejected row.
    pub fn write(
        &mut self,
        table: Table,
        columns: &[&str],
        sample: &RejectSample,
        fields: &[String],
    ) -> Result<(), DataError> {
        let path = self.dir.join(format!("{}.csv", table.name()));
        let err = |source: std::io::Error| DataError::Rejects {
            path: path.clone(),
            source,
        };
        if !self.writers.contains_key(&table) {
            std::fs::create_dir_all(&self.dir).map_err(err)?;
            let file = File::create(&path).map_err(err)?;
            let mut w = csv::Writer::from_writer(BufWriter::new(file));
            let mut header = vec!["line", "column", "reason"];
            header.extend_from_slice(columns);
            w.write_record(&header).map_err(|e| err(e.into()))?;
            self.writers.insert(table, w);
        }
        if let Some(w) = self.writers.get_mut(&table) {
            let line = sample.line.to_string();
            let mut record: Vec<&str> = vec![&line, &sample.column, &sample.reason];
            record.extend(fields.iter().map(String::as_str));
            w.write_record(&record).map_err(|e| err(e.into()))?;
        }
        Ok(())
    }

    /// Flushes every file.
    pub fn finish(mut self) -> Result<(), DataError> {
        for (table, w) in &mut self.writers {
            let path = self.dir.join(format!("{}.csv", table.name()));
            w.flush()
                .map_err(|source| DataError::Rejects { path, source })?;
        }
        Ok(())
    }
}
