//! Keyed pseudonymisation of raw personal identifiers (CPR numbers, passport
//! numbers, names): HMAC-SHA256 with a secret key from `TILSYN_PSEUDONYM_KEY`.
//! The same key and value always give the same pseudonym, so tables join; the
//! raw value cannot be recovered without the key.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::DataError;

/// The environment variable that holds the key.
pub const KEY_VAR: &str = "TILSYN_PSEUDONYM_KEY";

/// A checked pseudonymisation key.
#[derive(Clone)]
pub struct PseudonymKey(Vec<u8>);

impl std::fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.write_str("PseudonymKey(..)")
    }
}

impl PseudonymKey {
    /// Checks a key: at least 16 bytes.
    pub fn new(key: &[u8]) -> Result<Self, DataError> {
        if key.len() < 16 {
            return Err(DataError::PseudonymKeyTooShort { len: key.len() });
        }
        Ok(PseudonymKey(key.to_vec()))
    }

    /// The key from `TILSYN_PSEUDONYM_KEY`, if set.
    pub fn from_env() -> Result<Option<Self>, DataError> {
        match std::env::var(KEY_VAR) {
            Ok(v) if !v.is_empty() => Self::new(v.as_bytes()).map(Some),
            _ => Ok(None),
        }
    }

    /// The pseudonym of a raw value: `p` and 20 hex digits (80 bits) of
    /// HMAC-SHA256. Surrounding whitespace and case do not change it.
    pub fn pseudonym(&self, raw: &str) -> String {
        let normalised = raw.trim().to_lowercase();
        // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.0) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        };
        mac.update(normalised.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut out = String::with_capacity(21);
        out.push('p');
        out.push_str(&hex::encode(&digest[..10]));
        out
    }
}

/// The key unit tests load fixtures with: fixture folders name people in
/// readable ids, which only a key lets through.
#[cfg(test)]
pub(crate) fn test_key() -> PseudonymKey {
    PseudonymKey(b"unit-test-pseudonym-key-0123456789".to_vec())
}

/// Whether a value is in the project's pseudonym format (`p` and 20 hex
/// digits): a value that was already pseudonymised.
pub fn is_pseudonym(value: &str) -> bool {
    value.len() == 21 && value.starts_with('p') && value[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// What a rejects file shows of a personal column's value: the value when it
/// is empty or already a pseudonym, else a placeholder (rejected rows are
/// input rows, and the line number finds the row in the source file).
pub fn shown_in_rejects(value: &str) -> String {
    if value.is_empty() || is_pseudonym(value) {
        value.to_string()
    } else {
        "[personal: withheld]".to_string()
    }
}

/// Whether a value looks like a Danish CPR number (`ddmmyy-xxxx` or ten
/// digits with a valid day and month).
pub fn looks_like_cpr(value: &str) -> bool {
    // No allocation: this runs on every field of every row.
    let v = value.trim();
    if !(10..=12).contains(&v.len()) {
        return false;
    }
    let mut digits = [0u8; 10];
    let mut n = 0usize;
    for b in v.bytes() {
        match b {
            b'0'..=b'9' if n < 10 => {
                digits[n] = b - b'0';
                n += 1;
            }
            b'-' | b' ' => {}
            _ => return false,
        }
    }
    if n != 10 {
        return false;
    }
    let dd = digits[0] * 10 + digits[1];
    let mm = digits[2] * 10 + digits[3];
    (1..=31).contains(&dd) && (1..=12).contains(&mm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_keyed_and_hide_the_value() {
        let k1 = PseudonymKey::new(b"0123456789abcdef").unwrap();
        let k2 = PseudonymKey::new(b"fedcba9876543210").unwrap();
        let a = k1.pseudonym("010190-1234");
        assert_eq!(a, k1.pseudonym(" 010190-1234 "));
        assert_ne!(a, k2.pseudonym("010190-1234"));
        assert_eq!(a.len(), 21);
        assert!(!a.contains("010190"));
        assert!(format!("{k1:?}").contains(".."));
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(matches!(
            PseudonymKey::new(b"short"),
            Err(DataError::PseudonymKeyTooShort { len: 5 })
        ));
    }

    #[test]
    fn only_the_project_format_is_a_pseudonym() {
        assert!(is_pseudonym("p0123456789abcdef0123"));
        for raw in [
            "010190-1234",
            "jens@example.dk",
            "Jens Peter Hansen",
            "XA9876543",
            "W0000135",
            "p0123456789abcdef012",
            "q0123456789abcdef0123",
            "p0123456789abcdefg123",
        ] {
            assert!(!is_pseudonym(raw), "{raw}");
        }
    }

    #[test]
    fn cpr_detection() {
        assert!(looks_like_cpr("010190-1234"));
        assert!(looks_like_cpr("0101901234"));
        assert!(!looks_like_cpr("W0000123"));
        assert!(!looks_like_cpr("9913901234"));
    }
}
