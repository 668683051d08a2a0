//! The Delphi combination rule and the ILO tier.
//!
//! A Delphi dimension is positive with 2 strong indicators, or 1 strong and
//! 1 medium or weak, or 3 medium, or 2 medium and 1 weak; weak ones alone
//! never (ILO/EC 2009). The tier bands the site as the ILO's survey
//! typology does: no indication · exploitation signals · deception and
//! exploitation · forced-labour indication. Forced-labour indication needs
//! exploitative conditions together with a means element: the Delphi adult
//! rule (a recruitment dimension and coercion or abuse of vulnerability at
//! destination) or, as the ICLS 2018 definition has it, coercion (coercive
//! recruitment or coercion at destination).

use serde::Serialize;

use super::catalogue::{Dimension, Strength};

/// Counts of distinct Delphi items by strength within one dimension.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StrengthCounts {
    /// Strong items.
    pub strong: u32,
    /// Medium items.
    pub medium: u32,
    /// Weak items.
    pub weak: u32,
}

impl StrengthCounts {
    /// Adds one item.
    pub fn add(&mut self, s: Strength) {
        match s {
            Strength::Strong => self.strong += 1,
            Strength::Medium => self.medium += 1,
            Strength::Weak => self.weak += 1,
        }
    }

    /// The Delphi rule: is the dimension positive?
    pub fn positive(self) -> bool {
        let StrengthCounts {
            strong: s,
            medium: m,
            weak: w,
        } = self;
        s >= 2 || (s >= 1 && m + w >= 1) || m >= 3 || (m >= 2 && w >= 1)
    }
}

/// The ILO tier of a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// No Delphi dimension is positive.
    #[default]
    NoIndication,
    /// A dimension is positive (typically exploitative conditions only).
    ExploitationSignals,
    /// Deceptive recruitment and exploitative conditions.
    DeceptionAndExploitation,
    /// Exploitative conditions with a means element (coercion, or the Delphi adult rule).
    ForcedLabourIndication,
}

impl Tier {
    /// All tiers, lowest first.
    pub const ALL: [Tier; 4] = [
        Tier::NoIndication,
        Tier::ExploitationSignals,
        Tier::DeceptionAndExploitation,
        Tier::ForcedLabourIndication,
    ];

    /// A readable name.
    pub fn label(self) -> &'static str {
        match self {
            Tier::NoIndication => "no indication",
            Tier::ExploitationSignals => "exploitation signals",
            Tier::DeceptionAndExploitation => "deception and exploitation",
            Tier::ForcedLabourIndication => "forced-labour indication",
        }
    }

    /// The snake_case id.
    pub fn id(self) -> &'static str {
        match self {
            Tier::NoIndication => "no_indication",
            Tier::ExploitationSignals => "exploitation_signals",
            Tier::DeceptionAndExploitation => "deception_and_exploitation",
            Tier::ForcedLabourIndication => "forced_labour_indication",
        }
    }

    /// Parses an id, a label, or a number 0–3.
    pub fn parse(s: &str) -> Option<Tier> {
        let t = s.trim().to_lowercase().replace(['-', ' '], "_");
        Tier::ALL
            .into_iter()
            .find(|x| x.id() == t || x.id().replace('-', "_") == t || (*x as u8).to_string() == t)
    }

    /// The tier from the positive dimensions.
    pub fn from_dimensions(pos: &[bool; 6]) -> Tier {
        let p = |d: Dimension| pos[d.index()];
        let exploit = p(Dimension::ExploitativeConditions);
        let recruitment = p(Dimension::DeceptiveRecruitment)
            || p(Dimension::CoerciveRecruitment)
            || p(Dimension::RecruitmentAbuseOfVulnerability);
        let destination =
            p(Dimension::CoercionAtDestination) || p(Dimension::AbuseOfVulnerabilityAtDestination);
        let coercion = p(Dimension::CoerciveRecruitment) || p(Dimension::CoercionAtDestination);
        if exploit && ((recruitment && destination) || coercion) {
            Tier::ForcedLabourIndication
        } else if exploit && p(Dimension::DeceptiveRecruitment) {
            Tier::DeceptionAndExploitation
        } else if pos.iter().any(|b| *b) {
            Tier::ExploitationSignals
        } else {
            Tier::NoIndication
        }
    }
}

impl std::fmt::Display for Tier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Delphi rule over every combination of 0–3 strong, medium and weak.
    #[test]
    fn delphi_rule_over_all_strength_combinations() {
        for s in 0..=3 {
            for m in 0..=3 {
                for w in 0..=3 {
                    let c = StrengthCounts {
                        strong: s,
                        medium: m,
                        weak: w,
                    };
                    // Oracle: written out pattern by pattern.
                    let expected = matches!((s, m, w), (2.., _, _))
                        || (s == 1 && (m >= 1 || w >= 1))
                        || m >= 3
                        || (m == 2 && w >= 1);
                    assert_eq!(c.positive(), expected, "{c:?}");
                    if s == 0 && m == 0 {
                        assert!(!c.positive(), "weak alone never: {c:?}");
                    }
                }
            }
        }
        assert!(
            !StrengthCounts {
                strong: 1,
                medium: 0,
                weak: 0
            }
            .positive()
        );
        assert!(
            !StrengthCounts {
                strong: 0,
                medium: 2,
                weak: 0
            }
            .positive()
        );
        assert!(
            StrengthCounts {
                strong: 0,
                medium: 2,
                weak: 1
            }
            .positive()
        );
    }

    #[test]
    fn tiers_from_dimensions() {
        use Dimension::*;
        let dims = |ds: &[Dimension]| {
            let mut p = [false; 6];
            for d in ds {
                p[d.index()] = true;
            }
            Tier::from_dimensions(&p)
        };
        assert_eq!(dims(&[]), Tier::NoIndication);
        assert_eq!(dims(&[ExploitativeConditions]), Tier::ExploitationSignals);
        assert_eq!(
            dims(&[AbuseOfVulnerabilityAtDestination]),
            Tier::ExploitationSignals
        );
        assert_eq!(
            dims(&[DeceptiveRecruitment, ExploitativeConditions]),
            Tier::DeceptionAndExploitation
        );
        assert_eq!(
            dims(&[ExploitativeConditions, CoercionAtDestination]),
            Tier::ForcedLabourIndication
        );
        assert_eq!(
            dims(&[
                RecruitmentAbuseOfVulnerability,
                ExploitativeConditions,
                AbuseOfVulnerabilityAtDestination
            ]),
            Tier::ForcedLabourIndication
        );
        assert_eq!(
            dims(&[DeceptiveRecruitment, CoercionAtDestination]),
            Tier::ExploitationSignals
        );
        // Exhaustive: the tier never falls when a dimension is added.
        for mask in 0u32..64 {
            let mut p = [false; 6];
            for (i, b) in p.iter_mut().enumerate() {
                *b = mask & (1 << i) != 0;
            }
            let t = Tier::from_dimensions(&p);
            for i in 0..6 {
                let mut q = p;
                q[i] = true;
                assert!(Tier::from_dimensions(&q) >= t, "{p:?} + {i}");
            }
        }
        assert_eq!(
            Tier::parse("forced-labour indication"),
            Some(Tier::ForcedLabourIndication)
        );
        assert_eq!(Tier::parse("2"), Some(Tier::DeceptionAndExploitation));
    }
}
