//! The audit trail (EU AI Act Art. 12 record-keeping, Art. 14 oversight):
//! an append-only JSON Lines file in which every plan a person was shown
//! is recorded with the scores, ranks and reasons the tool gave at that
//! moment, the model and data it came from, the parameters, and what the
//! person decided and why.
//!
//! Each line is one [`Entry`]. Entries are numbered (`seq` 1, 2, ...) and
//! hash-chained: `prev_hash` is the SHA-256 of the previous entry's line
//! (64 zeros for the first), and `hash` is the SHA-256 of the entry's own
//! canonical JSON without `hash` (keys sorted, no whitespace), written as
//! the line's last field. Changing, removing, inserting or reordering any
//! entry breaks the chain at that entry, which [`verify`] names. The last
//! entry's hash (the *head*, printed by `tilsyn audit verify`) can be
//! noted elsewhere, e.g. in a case file, to anchor the whole log.
//!
//! - [`entry`]: the entry, the plan record, canonical JSON and hashing;
//! - [`log`]: appending under a file lock, reading;
//! - [`verify`]: checking the chain;
//! - [`follow`]: how often recommendations were followed (automation bias).
//!
//! The log lives at `--audit-log PATH`, else `$TILSYN_AUDIT_LOG`, else
//! `audit.jsonl` in tilsyn's folder of the user's data directory.

pub mod entry;
pub mod follow;
pub mod log;
pub mod verify;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use entry::{Entry, PlanRecord, Record, ShownReason, ShownSite};
pub use follow::{FollowBy, FollowLine, follow_rate};
pub use log::{AuditError, append, read_entries};
pub use verify::{Broken, Verified, verify, verify_bytes};

/// The environment variable naming the audit log.
pub const LOG_VAR: &str = "TILSYN_AUDIT_LOG";
/// The environment variable naming the user (before `USER` and `USERNAME`).
pub const USER_VAR: &str = "TILSYN_USER";
/// `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The default log: `<data dir>/tilsyn/audit.jsonl` (e.g.
/// `~/.local/share/tilsyn/audit.jsonl` on Linux).
pub fn default_log_path() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("tilsyn").join("audit.jsonl"))
}

/// The log path: the flag, else `TILSYN_AUDIT_LOG`, else the default.
pub fn resolve_log(flag: Option<&Path>) -> Result<PathBuf, AuditError> {
    flag.map(Path::to_path_buf)
        .or_else(|| {
            std::env::var_os(LOG_VAR)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .or_else(default_log_path)
        .ok_or(AuditError::NoLogPath)
}

/// The user: the flag, else `TILSYN_USER`, `USER` or `USERNAME`, else `unknown`.
pub fn resolve_user(flag: Option<&str>) -> String {
    let clean = |s: &str| {
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_string())
    };
    flag.and_then(clean)
        .or_else(|| {
            [USER_VAR, "USER", "USERNAME"]
                .iter()
                .find_map(|v| std::env::var(v).ok().as_deref().and_then(clean))
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// What every entry written by one session shares: where the log is, who
/// is working, and the model file's hash (`None` with the rules scorer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContext {
    /// The log file.
    pub log: PathBuf,
    /// The user.
    pub user: String,
    /// SHA-256 of the model file used, if any.
    pub model_sha256: Option<String>,
}

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Hex SHA-256 of a file's bytes.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    Ok(sha256_hex(&std::fs::read(path)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_and_hashes_are_hex() {
        assert_eq!(
            resolve_log(Some(Path::new("/x/a.jsonl"))).unwrap(),
            PathBuf::from("/x/a.jsonl")
        );
        assert_eq!(resolve_user(Some("  inspektør ")), "inspektør");
        assert!(!resolve_user(Some("   ")).is_empty());
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(GENESIS.len(), 64);
    }
}
