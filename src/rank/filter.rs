//! Which sites a ranking or plan covers: sectors (risk group, DB07 code or
//! prefix), municipalities (code or name), regions, and ILO tiers. Values
//! are checked against the reference tables when the filter is built, so a
//! typo fails with a message instead of an empty list.

use crate::data::reference::{ReferenceData, RiskGroup};
use crate::indicators::Tier;

/// A checked filter.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Risk groups or DB07 code prefixes (any matches).
    pub sectors: Vec<SectorMatch>,
    /// Municipality codes (any matches).
    pub municipalities: Vec<i64>,
    /// Region names (any matches).
    pub regions: Vec<String>,
    /// Tiers (any matches); empty: all.
    pub tiers: Vec<Tier>,
    /// Lowest tier shown.
    pub min_tier: Option<Tier>,
}

/// One sector criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectorMatch {
    /// A risk group.
    Group(RiskGroup),
    /// A DB07 code prefix (`41`, `41.2`, `41.20`).
    Prefix(String),
}

/// A filter value that matches nothing that exists.
#[derive(Debug, thiserror::Error)]
#[error("{what} '{value}' is not known; {hint}")]
pub struct FilterError {
    /// Which filter.
    pub what: &'static str,
    /// The value.
    pub value: String,
    /// What would work.
    pub hint: String,
}

impl Filter {
    /// Builds a filter from user text, checking each value.
    pub fn parse(
        sectors: &[String],
        municipalities: &[String],
        regions: &[String],
        tiers: &[String],
        min_tier: Option<&str>,
    ) -> Result<Filter, FilterError> {
        let rd = ReferenceData::bundled();
        let mut f = Filter::default();
        for s in sectors {
            let t = s.trim();
            if let Some(g) = RiskGroup::from_name(&t.to_lowercase().replace([' ', '-'], "_")) {
                f.sectors.push(SectorMatch::Group(g));
            } else if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.') {
                f.sectors.push(SectorMatch::Prefix(t.to_string()));
            } else {
                let groups: Vec<&str> = RiskGroup::ALL.iter().map(|g| g.as_str()).collect();
                return Err(FilterError {
                    what: "sector",
                    value: s.clone(),
                    hint: format!(
                        "use a DB07 code or prefix (41, 41.20) or a risk group: {}",
                        groups.join(", ")
                    ),
                });
            }
        }
        for m in municipalities {
            let code = match m.trim().parse::<u16>() {
                Ok(c) if rd.municipality(c).is_some() => Some(c),
                _ => rd.municipality_by_name(m).map(|x| x.code),
            };
            match code {
                Some(c) => f.municipalities.push(i64::from(c)),
                None => {
                    return Err(FilterError {
                        what: "municipality",
                        value: m.clone(),
                        hint: "use a municipality code (101) or name (København); see datasets/reference/municipalities.csv".into(),
                    });
                }
            }
        }
        let known = rd.regions();
        for r in regions {
            let want = r.trim().to_lowercase();
            let hit = known.iter().find(|k| {
                let k = k.to_lowercase();
                k == want || k.trim_start_matches("region ") == want.trim_start_matches("region ")
            });
            match hit {
                Some(k) => f.regions.push((*k).to_string()),
                None => {
                    return Err(FilterError {
                        what: "region",
                        value: r.clone(),
                        hint: format!("use one of: {}", known.join(", ")),
                    });
                }
            }
        }
        let parse_tier = |t: &str| {
            Tier::parse(t).ok_or_else(|| FilterError {
                what: "tier",
                value: t.to_string(),
                hint: "use 0-3 or no_indication, exploitation_signals, deception_and_exploitation, forced_labour_indication".into(),
            })
        };
        for t in tiers {
            f.tiers.push(parse_tier(t)?);
        }
        f.min_tier = min_tier.map(parse_tier).transpose()?;
        Ok(f)
    }

    /// Whether no criterion is set.
    pub fn is_empty(&self) -> bool {
        self.sectors.is_empty()
            && self.municipalities.is_empty()
            && self.regions.is_empty()
            && self.tiers.is_empty()
            && self.min_tier.is_none()
    }

    /// Whether a site passes.
    pub fn matches(
        &self,
        sector_code: Option<&str>,
        risk_group: Option<&str>,
        municipality: Option<i64>,
        region: Option<&str>,
        tier: Tier,
    ) -> bool {
        let sector_ok = self.sectors.is_empty()
            || self.sectors.iter().any(|s| match s {
                SectorMatch::Group(g) => risk_group == Some(g.as_str()),
                SectorMatch::Prefix(p) => sector_code.is_some_and(|c| sector_prefix(c, p)),
            });
        let muni_ok = self.municipalities.is_empty()
            || municipality.is_some_and(|m| self.municipalities.contains(&m));
        let region_ok =
            self.regions.is_empty() || region.is_some_and(|r| self.regions.iter().any(|x| x == r));
        let tier_ok = (self.tiers.is_empty() || self.tiers.contains(&tier))
            && self.min_tier.is_none_or(|m| tier >= m);
        sector_ok && muni_ok && region_ok && tier_ok
    }

    /// Short labels of the active criteria, for headers and chips.
    pub fn chips(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.sectors {
            out.push(match s {
                SectorMatch::Group(g) => format!("sector:{}", g.as_str()),
                SectorMatch::Prefix(p) => format!("sector:{p}"),
            });
        }
        let rd = ReferenceData::bundled();
        for m in &self.municipalities {
            let name = u16::try_from(*m)
                .ok()
                .and_then(|c| rd.municipality(c))
                .map_or(m.to_string(), |x| x.name.clone());
            out.push(format!("municipality:{name}"));
        }
        for r in &self.regions {
            out.push(format!("region:{r}"));
        }
        for t in &self.tiers {
            out.push(format!("tier:{}", t.id()));
        }
        if let Some(t) = self.min_tier {
            out.push(format!("tier>={}", t.id()));
        }
        out
    }
}

/// Whether a DB07 code starts with a prefix, ignoring dots (`41.20` starts with `412`).
fn sector_prefix(code: &str, prefix: &str) -> bool {
    let c: String = code.chars().filter(char::is_ascii_digit).collect();
    let p: String = prefix.chars().filter(char::is_ascii_digit).collect();
    !p.is_empty() && c.starts_with(&p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_and_match() {
        let f = Filter::parse(
            &["construction".into(), "81.21".into()],
            &["København".into()],
            &[],
            &[],
            Some("1"),
        )
        .unwrap();
        assert!(f.matches(
            Some("41.20"),
            Some("construction"),
            Some(101),
            None,
            Tier::ExploitationSignals
        ));
        assert!(f.matches(
            Some("81.21"),
            None,
            Some(101),
            None,
            Tier::ForcedLabourIndication
        ));
        assert!(!f.matches(
            Some("62.01"),
            None,
            Some(101),
            None,
            Tier::ForcedLabourIndication
        ));
        assert!(!f.matches(
            Some("41.20"),
            Some("construction"),
            Some(147),
            None,
            Tier::ForcedLabourIndication
        ));
        assert!(!f.matches(
            Some("41.20"),
            Some("construction"),
            Some(101),
            None,
            Tier::NoIndication
        ));
        let r = Filter::parse(&[], &[], &["hovedstaden".into()], &[], None).unwrap();
        assert_eq!(r.regions, vec!["Region Hovedstaden".to_string()]);
        assert!(
            Filter::parse(&["bakery stuff".into()], &[], &[], &[], None)
                .unwrap_err()
                .to_string()
                .contains("risk group")
        );
        assert!(Filter::parse(&[], &["Atlantis".into()], &[], &[], None).is_err());
        assert!(
            Filter::parse(&[], &[], &["Nordland".into()], &[], None)
                .unwrap_err()
                .to_string()
                .contains("Region Hovedstaden")
        );
        assert!(Filter::parse(&[], &[], &[], &["5".into()], None).is_err());
    }
}
