//! Checking the chain: every line is UTF-8 JSON, `seq` runs 1, 2, 3, ...,
//! each `prev_hash` is the SHA-256 of the line before, each `hash` is the
//! SHA-256 of its entry's hashed body, and the file ends with a newline.
//! The first entry that fails is named by its number and line. Since each
//! line's hash covers its exact text and the next line's `prev_hash`
//! covers the whole line, a change to any byte is found at the entry that
//! holds it.

use std::fmt;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::entry::unseal;
use super::log::AuditError;
use super::{GENESIS, sha256_hex};

/// The first broken entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Broken {
    /// The entry's number: the `seq` it should have.
    pub seq: u64,
    /// Its 1-based line in the file.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "entry {} (line {}) is broken: {}",
            self.seq, self.line, self.reason
        )
    }
}

/// The result of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// Entries checked and intact (before the first broken one).
    pub entries: usize,
    /// The SHA-256 of the last intact line: note it elsewhere to anchor the log.
    pub head: Option<String>,
    /// The first broken entry, if any.
    pub broken: Option<Broken>,
}

impl Verified {
    /// Whether the whole log is intact.
    pub fn ok(&self) -> bool {
        self.broken.is_none()
    }
}

/// Checks the log file at `path`.
pub fn verify(path: &Path) -> Result<Verified, AuditError> {
    let bytes = std::fs::read(path).map_err(|source| AuditError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(verify_bytes(&bytes))
}

/// Checks the bytes of a log.
pub fn verify_bytes(bytes: &[u8]) -> Verified {
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let terminated = bytes.last().is_none_or(|b| *b == b'\n');
    if terminated {
        lines.pop(); // the empty piece after the final newline (or of an empty file)
    }
    let mut prev = GENESIS.to_string();
    let mut head = None;
    for (i, raw) in lines.iter().enumerate() {
        let seq = i as u64 + 1;
        let broken = |reason: String| Verified {
            entries: i,
            head: head.clone(),
            broken: Some(Broken {
                seq,
                line: i + 1,
                reason,
            }),
        };
        if let Err(reason) = check_line(raw, seq, &prev) {
            return broken(reason);
        }
        if i + 1 == lines.len() && !terminated {
            return broken(
                "it is not terminated by a newline (the file was truncated or edited)".into(),
            );
        }
        prev = sha256_hex(raw);
        head = Some(prev.clone());
    }
    Verified {
        entries: lines.len(),
        head,
        broken: None,
    }
}

/// Checks one line against the entry number it should have and the hash of
/// the line before.
fn check_line(raw: &[u8], seq: u64, prev: &str) -> Result<(), String> {
    let text = std::str::from_utf8(raw).map_err(|_| "it is not UTF-8 text".to_string())?;
    if text.trim().is_empty() {
        return Err("the line is empty".into());
    }
    let v: Value =
        serde_json::from_str(text).map_err(|e| format!("it is not a JSON entry ({e})"))?;
    let obj = v
        .as_object()
        .ok_or_else(|| "it is not a JSON object".to_string())?;
    let got = obj.get("seq").and_then(Value::as_u64);
    if got != Some(seq) {
        return Err(format!(
            "its seq is {}, {seq} was expected (an entry was removed, inserted, reordered or edited)",
            got.map_or_else(|| "missing".to_string(), |s| s.to_string())
        ));
    }
    if obj.get("prev_hash").and_then(Value::as_str) != Some(prev) {
        return Err(
            "its prev_hash does not match the line before (that line or this entry was altered)"
                .into(),
        );
    }
    let stored = obj.get("hash").and_then(Value::as_str);
    let Some((body, hash)) = unseal(text) else {
        return Err("its hash field is missing or not where the log writes it".into());
    };
    if stored != Some(hash) || sha256_hex(body.as_bytes()) != hash {
        return Err("its hash does not match its content (the entry was altered)".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::entry::Record;
    use super::super::log::append;
    use super::*;

    fn log(n: u64) -> (tempfile::TempDir, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        for i in 0..n {
            append(
                &path,
                Record {
                    command: "test".into(),
                    user: "bo".into(),
                    model_sha256: Some("ff".repeat(32)),
                    data_fingerprint: None,
                    parameters: serde_json::json!({ "i": i, "share": 0.1 * i as f64 }),
                    plan: None,
                },
            )
            .unwrap();
        }
        let bytes = std::fs::read(path).unwrap();
        (dir, bytes)
    }

    #[test]
    fn an_intact_log_verifies_with_its_head() {
        let (_d, bytes) = log(3);
        let v = verify_bytes(&bytes);
        assert!(v.ok(), "{v:?}");
        assert_eq!(v.entries, 3);
        let last = bytes[..bytes.len() - 1]
            .split(|b| *b == b'\n')
            .next_back()
            .unwrap();
        assert_eq!(v.head, Some(sha256_hex(last)));
        assert!(verify_bytes(b"").ok());
    }

    #[test]
    fn every_changed_byte_is_found_at_its_entry() {
        let (_d, bytes) = log(3);
        let starts: Vec<usize> = std::iter::once(0)
            .chain(
                bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        for pos in 0..bytes.len() {
            let mut t = bytes.clone();
            t[pos] = if t[pos] == b'x' { b'y' } else { b'x' };
            let line = starts.iter().filter(|s| **s <= pos).count();
            let v = verify_bytes(&t);
            let b = v
                .broken
                .unwrap_or_else(|| panic!("byte {pos} changed, not found"));
            assert_eq!((b.line, b.seq), (line, line as u64), "byte {pos}: {b}");
        }
    }

    #[test]
    fn removed_and_swapped_entries_are_found() {
        let (_d, bytes) = log(3);
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let dropped = format!("{}\n{}\n", lines[0], lines[2]);
        let b = verify_bytes(dropped.as_bytes()).broken.unwrap();
        assert_eq!(b.seq, 2);
        let swapped = format!("{}\n{}\n{}\n", lines[1], lines[0], lines[2]);
        assert_eq!(verify_bytes(swapped.as_bytes()).broken.unwrap().seq, 1);
        let truncated = format!("{}\n{}", lines[0], lines[1]);
        assert_eq!(verify_bytes(truncated.as_bytes()).broken.unwrap().seq, 2);
    }
}
