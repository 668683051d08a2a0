//! How often recommendations were followed, per user or per month: a
//! guard against automation bias (GDPR Art. 22 and the SCHUFA judgment: a
//! score that is always followed may itself be the decision). From every
//! logged plan: recommended sites kept or removed, and sites added.
//!
//! The follow rate is kept / recommended; the added share is added /
//! visits planned. A follow rate of 100% over many plans is a warning
//! sign, not a success: it may mean the list is not being examined. A plan
//! exported several times counts each time.

use std::collections::BTreeMap;

use serde::Serialize;

use super::entry::Entry;

/// How to group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowBy {
    /// By the user who decided.
    User,
    /// By calendar month (UTC) of the entry.
    Month,
}

/// One group's counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowLine {
    /// The user or the month (`all` for the total).
    pub key: String,
    /// Plans logged.
    pub plans: usize,
    /// Sites recommended.
    pub recommended: usize,
    /// Recommended sites kept.
    pub kept: usize,
    /// Recommended sites removed.
    pub removed: usize,
    /// Sites added that were not recommended.
    pub added: usize,
    /// kept / recommended.
    pub follow_rate: Option<f64>,
    /// added / (kept + added).
    pub added_share: Option<f64>,
}

impl FollowLine {
    fn new(key: String) -> FollowLine {
        FollowLine {
            key,
            plans: 0,
            recommended: 0,
            kept: 0,
            removed: 0,
            added: 0,
            follow_rate: None,
            added_share: None,
        }
    }

    fn finish(mut self) -> FollowLine {
        let ratio = |a: usize, b: usize| {
            if b > 0 {
                Some(a as f64 / b as f64)
            } else {
                None
            }
        };
        self.follow_rate = ratio(self.kept, self.recommended);
        self.added_share = ratio(self.added, self.kept + self.added);
        self
    }
}

/// Follow rates per group (sorted by key), then the total (`all`).
/// Entries without a plan are skipped.
pub fn follow_rate(entries: &[Entry], by: FollowBy) -> Vec<FollowLine> {
    let mut groups: BTreeMap<String, FollowLine> = BTreeMap::new();
    let mut total = FollowLine::new("all".into());
    for e in entries {
        let Some(p) = &e.plan else { continue };
        let key = match by {
            FollowBy::User => e.user.clone(),
            FollowBy::Month => e.time.get(..7).unwrap_or(&e.time).to_string(),
        };
        for line in [
            groups
                .entry(key.clone())
                .or_insert_with(|| FollowLine::new(key)),
            &mut total,
        ] {
            line.plans += 1;
            line.recommended += p.recommended;
            line.kept += p.kept;
            line.removed += p.removed;
            line.added += p.added;
        }
    }
    groups
        .into_values()
        .chain(std::iter::once(total))
        .map(FollowLine::finish)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::entry::PlanRecord;

    fn entry(user: &str, time: &str, rec: usize, kept: usize, added: usize) -> Entry {
        Entry {
            seq: 1,
            time: time.into(),
            user: user.into(),
            command: "plan".into(),
            tilsyn_version: "0".into(),
            model_sha256: None,
            data_fingerprint: None,
            parameters: serde_json::Value::Null,
            plan: Some(PlanRecord {
                as_of: "2026-01-01".into(),
                scorer: "rules".into(),
                capacity: rec,
                eligible: 100,
                recommended: rec,
                kept,
                removed: rec - kept,
                added,
                exploration_probability: 0.0,
                seed: 1,
                sites: Vec::new(),
            }),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn rates_per_user_and_month_with_a_total() {
        let es = [
            entry("anne", "2026-01-05T10:00:00Z", 10, 10, 0),
            entry("bo", "2026-01-20T10:00:00Z", 10, 6, 4),
            entry("anne", "2026-02-02T10:00:00Z", 10, 8, 1),
        ];
        let by_user = follow_rate(&es, FollowBy::User);
        assert_eq!(by_user.len(), 3);
        assert_eq!(by_user[0].key, "anne");
        assert_eq!(by_user[0].follow_rate, Some(0.9));
        assert_eq!(by_user[0].added_share, Some(1.0 / 19.0));
        assert_eq!(by_user[1].follow_rate, Some(0.6));
        assert_eq!(by_user[2].key, "all");
        assert_eq!(by_user[2].kept, 24);
        assert_eq!(by_user[2].follow_rate, Some(0.8));
        let by_month = follow_rate(&es, FollowBy::Month);
        assert_eq!(by_month[0].key, "2026-01");
        assert_eq!(by_month[0].plans, 2);
        assert_eq!(by_month[0].follow_rate, Some(0.8));
        assert_eq!(by_month[1].key, "2026-02");
    }
}
