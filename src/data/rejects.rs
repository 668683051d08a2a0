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
            create_private_dir(&self.dir).map_err(err)?;
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

/// Creates a folder (and its parents) that only its owner can enter: on
/// Unix mode 0700, also when it already exists, since it will hold rows of
/// the input.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_rejects_folder_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out").join("rejects");
        let mut w = RejectWriter::new(dir.clone());
        let sample = RejectSample {
            file: "sites.csv".into(),
            line: 2,
            column: "lat".into(),
            reason: "not a number".into(),
        };
        w.write(
            Table::Sites,
            &["site_id", "lat"],
            &sample,
            &["S1".into(), "x".into()],
        )
        .unwrap();
        w.finish().unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{mode:o}");
        assert!(dir.join("sites.csv").is_file());
        // An existing folder is made private too.
        let open = tmp.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        create_private_dir(&open).unwrap();
        let mode = std::fs::metadata(&open).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }
}
