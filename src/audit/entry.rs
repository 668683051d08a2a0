//! One audit entry, the plan record it carries, canonical JSON, and the
//! line format: `canonical(entry without hash)` with `"hash":"<hex>"`
//! added as the last field, where `<hex>` is the SHA-256 of exactly that
//! canonical text. Hashing the text rather than a re-serialisation of
//! parsed values keeps verification exact (no float round-trip).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::sha256_hex;
use crate::rank::decision::{DecidedPlan, DecidedRow, Decision};
use crate::rank::plan::Selection;

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// 1 for the first entry, then +1 per entry.
    pub seq: u64,
    /// When it was written (RFC 3339, UTC).
    pub time: String,
    /// Who ran the command.
    pub user: String,
    /// The command (`plan`, `tui export`).
    pub command: String,
    /// The tilsyn version.
    pub tilsyn_version: String,
    /// SHA-256 of the model file, or null with the rules scorer.
    pub model_sha256: Option<String>,
    /// SHA-256 over the input files and mapping (the load report's fingerprint).
    pub data_fingerprint: Option<String>,
    /// The command's parameters.
    pub parameters: Value,
    /// For plans: the list shown and the decisions.
    pub plan: Option<PlanRecord>,
    /// SHA-256 of the previous entry's line (64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 of this entry's canonical JSON without `hash`.
    pub hash: String,
}

/// What a caller records; the log adds `seq`, `time`, the version and the hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The command.
    pub command: String,
    /// Who ran it.
    pub user: String,
    /// SHA-256 of the model file, if a model scored.
    pub model_sha256: Option<String>,
    /// The data fingerprint.
    pub data_fingerprint: Option<String>,
    /// Parameters.
    pub parameters: Value,
    /// The plan shown and decided, if any.
    pub plan: Option<PlanRecord>,
}

/// A plan as shown and decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanRecord {
    /// The analysis date of the scores.
    pub as_of: String,
    /// `model` or `rules`.
    pub scorer: String,
    /// Visits available.
    pub capacity: usize,
    /// Sites the recommendation was drawn from.
    pub eligible: usize,
    /// Sites recommended.
    pub recommended: usize,
    /// Recommended sites kept.
    pub kept: usize,
    /// Recommended sites removed by a person.
    pub removed: usize,
    /// Sites added by a person.
    pub added: usize,
    /// The exploration draw's selection probability.
    pub exploration_probability: f64,
    /// The exploration draw's seed.
    pub seed: u64,
    /// Every site shown: the recommendation (kept and removed), then the additions.
    pub sites: Vec<ShownSite>,
}

/// One reason as shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShownReason {
    /// Indicator id.
    pub indicator: String,
    /// Weight after decay.
    pub weight: f64,
    /// The sentence with its evidence values.
    pub text: String,
}

/// One site as shown, with the decision on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShownSite {
    /// Site id.
    pub site_id: String,
    /// Rank in the list shown.
    pub rank: usize,
    /// Priority.
    pub priority: f64,
    /// The model's probability, if a model scored.
    pub probability: Option<f64>,
    /// The rules score (sum of indicator weights).
    pub score: f64,
    /// ILO tier id.
    pub tier: String,
    /// The reasons shown.
    pub reasons: Vec<ShownReason>,
    /// The model's largest contributions shown: (feature, value).
    pub contributions: Vec<(String, f64)>,
    /// Whether the tool recommended it.
    pub recommended: bool,
    /// How the recommendation selected it (null when added by a person).
    pub selection: Option<Selection>,
    /// Its selection probability.
    pub selection_probability: f64,
    /// keep, removed or added.
    pub decision: Decision,
    /// Why (required for removed and added).
    pub decision_reason: Option<String>,
    /// Who decided.
    pub decided_by: String,
}

impl ShownSite {
    /// The record of one decided plan row.
    pub fn from_row(r: &DecidedRow) -> ShownSite {
        let s = &r.site;
        ShownSite {
            site_id: s.site_id.clone(),
            rank: s.rank,
            priority: s.priority,
            probability: s.probability,
            score: s.score,
            tier: s.tier.id().to_string(),
            reasons: s
                .reasons
                .iter()
                .map(|x| ShownReason {
                    indicator: x.indicator.clone(),
                    weight: x.weight,
                    text: x.text.clone(),
                })
                .collect(),
            contributions: s
                .contributions
                .iter()
                .map(|c| (c.feature.to_string(), c.value))
                .collect(),
            recommended: r.recommended,
            selection: r.selection,
            selection_probability: r.selection_probability,
            decision: r.decision,
            decision_reason: r.decision_reason.clone(),
            decided_by: r.decided_by.clone(),
        }
    }
}

impl PlanRecord {
    /// The record of a decided plan.
    pub fn new(p: &DecidedPlan, as_of: &str, scorer: &str) -> PlanRecord {
        PlanRecord {
            as_of: as_of.to_string(),
            scorer: scorer.to_string(),
            capacity: p.capacity,
            eligible: p.eligible,
            recommended: p.recommended,
            kept: p.kept,
            removed: p.removed,
            added: p.added,
            exploration_probability: p.exploration_probability,
            seed: p.seed,
            sites: p.rows.iter().map(ShownSite::from_row).collect(),
        }
    }
}

/// Canonical JSON: object keys sorted, no whitespace, strings escaped as
/// `serde_json` escapes them, numbers as `serde_json` writes them.
pub fn canonical(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut items: Vec<(&String, &Value)> = m.iter().collect();
            items.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, x)) in items.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(x, out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The text that is hashed: the entry's canonical JSON without `hash`.
pub fn hashed_body(entry: &Entry) -> Result<String, serde_json::Error> {
    let mut v = serde_json::to_value(entry)?;
    if let Value::Object(m) = &mut v {
        m.remove("hash");
    }
    Ok(canonical(&v))
}

/// The suffix every line ends with after its body's closing brace.
pub fn hash_suffix(hash: &str) -> String {
    format!(",\"hash\":\"{hash}\"}}")
}

/// Sets the entry's hash and returns its line (without the newline).
pub fn seal(entry: &mut Entry) -> Result<String, serde_json::Error> {
    let body = hashed_body(entry)?;
    entry.hash = sha256_hex(body.as_bytes());
    let open = body.strip_suffix('}').unwrap_or(&body);
    Ok(format!("{open}{}", hash_suffix(&entry.hash)))
}

/// Splits a line into its hashed body (with its closing brace restored)
/// and the stored hash; `None` when the line does not end with the hash
/// field in the sealed form.
pub fn unseal(line: &str) -> Option<(String, &str)> {
    const TAIL: usize = 2; // `"}`
    const KEY: &str = ",\"hash\":\"";
    let n = line.len();
    if n < KEY.len() + 64 + TAIL + 1 || !line.ends_with("\"}") {
        return None;
    }
    let hash = line.get(n - TAIL - 64..n - TAIL)?;
    let key_start = n - TAIL - 64 - KEY.len();
    if line.get(key_start..n - TAIL - 64)? != KEY
        || !hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    Some((format!("{}}}", line.get(..key_start)?), hash))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry() -> Entry {
        Entry {
            seq: 1,
            time: "2026-11-28T12:00:00.000Z".into(),
            user: "anne".into(),
            command: "plan".into(),
            tilsyn_version: "0.1.0".into(),
            model_sha256: None,
            data_fingerprint: Some("ab".into()),
            parameters: json!({"z": 0.1 + 0.2, "a": "æøå \"q\"\n", "m": [1, {"y": 2, "b": null}]}),
            plan: None,
            prev_hash: super::super::GENESIS.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let v = json!({"b": 1, "a": {"d": [true, {"f": 1, "e": 2}], "c": "x"}});
        assert_eq!(
            canonical(&v),
            r#"{"a":{"c":"x","d":[true,{"e":2,"f":1}]},"b":1}"#
        );
    }

    #[test]
    fn sealed_lines_unseal_to_their_hashed_body() {
        let mut e = entry();
        let line = seal(&mut e).unwrap();
        assert!(line.ends_with(&hash_suffix(&e.hash)));
        assert!(!line.contains('\n'));
        let (body, hash) = unseal(&line).unwrap();
        assert_eq!(hash, e.hash);
        assert_eq!(sha256_hex(body.as_bytes()), e.hash);
        assert_eq!(body, hashed_body(&e).unwrap());
        let back: Entry = serde_json::from_str(&line).unwrap();
        assert_eq!(back.hash, e.hash);
        assert_eq!(back.parameters["a"], "æøå \"q\"\n");
        assert!(unseal("{}").is_none());
        assert!(unseal(&line.replace("\"hash\"", "\"hasj\"")).is_none());
    }
}
