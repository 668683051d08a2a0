//! Appending to and reading the audit log. An append opens the file in
//! append mode, takes an exclusive lock on it (so two tilsyn processes
//! cannot both chain onto the same entry), reads the last line from the
//! end of the file to chain onto it, and writes the new line with one
//! `write_all` followed by `sync_data`. A log whose last line is damaged
//! (or lacks its newline) is never appended to: that would hide the damage.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use serde_json::Value;

use super::entry::{Entry, Record, seal};
use super::{GENESIS, sha256_hex};

/// What can go wrong with the audit log.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// No flag, no environment variable, no data directory.
    #[error(
        "no audit log path: pass --audit-log PATH or set TILSYN_AUDIT_LOG (no user data folder was found)"
    )]
    NoLogPath,
    /// The file cannot be read or written.
    #[error("audit log {}: {source}", path.display())]
    Io {
        /// The log.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The log's last entry cannot be read, so nothing can chain onto it.
    #[error(
        "audit log {}: {reason}; nothing is appended to a damaged log (run `tilsyn audit verify --audit-log {}`)",
        path.display(),
        path.display()
    )]
    Damaged {
        /// The log.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// An entry on a line does not parse (reading for `show` and `follow-rate`).
    #[error(
        "audit log {}, line {line}: not an audit entry ({message}); run `tilsyn audit verify`",
        path.display()
    )]
    Unreadable {
        /// The log.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// The entry cannot be serialised.
    #[error("audit entry cannot be serialised: {0}")]
    Json(#[from] serde_json::Error),
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> AuditError + '_ {
    move |source| AuditError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The last line of the file (without its newline) and whether the file
/// ends with a newline; `None` for an empty file. Reads backwards in
/// chunks, so long logs are not read whole.
fn last_line(f: &mut File) -> std::io::Result<Option<(Vec<u8>, bool)>> {
    const CHUNK: u64 = 64 * 1024;
    let len = f.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok(None);
    }
    let mut buf: Vec<u8> = Vec::new();
    let mut pos = len;
    loop {
        let start = pos.saturating_sub(CHUNK);
        let mut chunk = vec![0u8; usize::try_from(pos - start).unwrap_or(0)];
        f.seek(SeekFrom::Start(start))?;
        f.read_exact(&mut chunk)?;
        chunk.extend_from_slice(&buf);
        buf = chunk;
        pos = start;
        let newline_end = buf.last() == Some(&b'\n');
        let end = if newline_end {
            buf.len() - 1
        } else {
            buf.len()
        };
        let body = buf.get(..end).unwrap_or_default();
        if let Some(i) = body.iter().rposition(|b| *b == b'\n') {
            return Ok(Some((
                body.get(i + 1..).unwrap_or_default().to_vec(),
                newline_end,
            )));
        }
        if pos == 0 {
            return Ok(Some((body.to_vec(), newline_end)));
        }
    }
}

/// Appends a record to the log at `path` (created with its folder when
/// missing) and returns the entry written.
pub fn append(path: &Path, record: Record) -> Result<Entry, AuditError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(path))?;
    }
    let mut f = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(io(path))?;
    f.lock().map_err(io(path))?;
    let damaged = |reason: String| AuditError::Damaged {
        path: path.to_path_buf(),
        reason,
    };
    let (seq, prev_hash) = match last_line(&mut f).map_err(io(path))? {
        None => (1, GENESIS.to_string()),
        Some((_, false)) => {
            return Err(damaged(
                "the last entry is not terminated by a newline (the file was truncated or edited)"
                    .into(),
            ));
        }
        Some((line, true)) => {
            let v: Value = serde_json::from_slice(&line)
                .map_err(|e| damaged(format!("the last entry is not JSON ({e})")))?;
            let seq = v
                .get("seq")
                .and_then(Value::as_u64)
                .ok_or_else(|| damaged("the last entry has no seq".into()))?;
            (seq + 1, sha256_hex(&line))
        }
    };
    let mut entry = Entry {
        seq,
        time: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        user: record.user,
        command: record.command,
        tilsyn_version: env!("CARGO_PKG_VERSION").to_string(),
        model_sha256: record.model_sha256,
        data_fingerprint: record.data_fingerprint,
        parameters: record.parameters,
        plan: record.plan,
        prev_hash,
        hash: String::new(),
    };
    let mut line = seal(&mut entry)?;
    line.push('\n');
    f.write_all(line.as_bytes()).map_err(io(path))?;
    f.sync_data().map_err(io(path))?;
    Ok(entry)
}

/// Reads every entry (for `show` and `follow-rate`; `verify` checks the chain).
pub fn read_entries(path: &Path) -> Result<Vec<Entry>, AuditError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str::<Entry>(l).map_err(|e| AuditError::Unreadable {
                path: path.to_path_buf(),
                line: i + 1,
                message: e.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(n: u64) -> Record {
        Record {
            command: "test".into(),
            user: "anne".into(),
            model_sha256: None,
            data_fingerprint: None,
            parameters: json!({ "n": n }),
            plan: None,
        }
    }

    #[test]
    fn entries_chain_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("audit.jsonl");
        let a = append(&path, record(1)).unwrap();
        let b = append(&path, record(2)).unwrap();
        assert_eq!((a.seq, b.seq), (1, 2));
        assert_eq!(a.prev_hash, GENESIS);
        let text = std::fs::read_to_string(&path).unwrap();
        let first = text.lines().next().unwrap();
        assert_eq!(b.prev_hash, sha256_hex(first.as_bytes()));
        assert_eq!(read_entries(&path).unwrap(), vec![a, b]);
    }

    #[test]
    fn the_last_line_is_found_across_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let long = "x".repeat(150_000);
        std::fs::write(&path, format!("first\n{long}\n")).unwrap();
        let mut f = File::open(path).unwrap();
        let (line, nl) = last_line(&mut f).unwrap().unwrap();
        assert!(nl);
        assert_eq!(line.len(), 150_000);
    }

    #[test]
    fn a_damaged_log_is_not_appended_to() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        append(&path, record(1)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.trim_end()).unwrap();
        let err = append(&path, record(2)).unwrap_err();
        assert!(matches!(err, AuditError::Damaged { .. }), "{err}");
        std::fs::write(&path, "{not json}\n").unwrap();
        assert!(append(&path, record(2)).is_err());
    }
}
