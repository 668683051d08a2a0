//! The filter language of the `f` prompt: terms such as
//! `sector:construction`, `region:hovedstaden`, `municipality:Køge`,
//! `tier:3`, `tier>=2`, `indicator:excessive_overtime`, `status:observed`
//! and plain words (matched against site id, name, company and
//! municipality). Values of one key are alternatives (`sector:41,43` or two
//! `sector:` terms); different keys must all hold. Sector, municipality,
//! region and tier are checked by the core's [`Filter`], so a typo fails
//! with its message instead of an empty list. Parsed once, then applied
//! to every row.

use crate::data::ILO_INDICATORS;
use crate::indicators::IloStatus;
use crate::rank::{Filter, Ranked};

/// A parsed, checked filter over ranked rows.
#[derive(Debug, Clone, Default)]
pub struct Query {
    terms: Vec<String>,
    filter: Filter,
    indicators: Vec<usize>,
    statuses: Vec<IloStatus>,
    text: Vec<String>,
    max_coverage: Option<u8>,
}

/// Splits on whitespace, keeping `"quoted values"` together.
fn tokens(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in input.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Resolves an ILO indicator id, or a unique part of one (`overtime`).
fn ilo_index(value: &str) -> Result<usize, String> {
    let v = value.trim().to_lowercase().replace(['-', ' '], "_");
    if let Some(i) = ILO_INDICATORS.iter().position(|x| *x == v) {
        return Ok(i);
    }
    let hits: Vec<usize> = (0..ILO_INDICATORS.len())
        .filter(|i| ILO_INDICATORS[*i].contains(v.as_str()))
        .collect();
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!(
            "indicator '{value}' is not an ILO indicator; use one of: {}",
            ILO_INDICATORS.join(", ")
        )),
        many => Err(format!(
            "indicator '{value}' is ambiguous: {}",
            many.iter()
                .map(|i| ILO_INDICATORS[*i])
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn status(value: &str) -> Result<IloStatus, String> {
    match value.trim().to_lowercase().as_str() {
        "observed" | "evidence" => Ok(IloStatus::Observed),
        "signalled" | "signaled" | "signal" => Ok(IloStatus::Signalled),
        "clear" => Ok(IloStatus::Clear),
        "unknown" | "missing" => Ok(IloStatus::Unknown),
        _ => Err(format!(
            "status '{value}' is not known; use observed, signalled, clear or unknown"
        )),
    }
}

impl Query {
    /// Parses terms; an empty input gives the empty query.
    pub fn parse(input: &str) -> Result<Query, String> {
        let terms = tokens(input);
        let (mut sectors, mut munis, mut regions, mut tiers) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut min_tier: Option<String> = None;
        let mut q = Query::default();
        for term in &terms {
            let (key, value) = if let Some((k, v)) = term.split_once(">=") {
                (format!("{}>=", k.to_lowercase()), v)
            } else if let Some((k, v)) = term.split_once("<=") {
                (format!("{}<=", k.to_lowercase()), v)
            } else if let Some((k, v)) = term.split_once([':', '=']) {
                (k.to_lowercase(), v)
            } else {
                ("text".to_string(), term.as_str())
            };
            let values: Vec<&str> = value
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect();
            if values.is_empty() {
                return Err(format!("'{term}' has no value; e.g. sector:construction"));
            }
            let strings = || values.iter().map(|v| (*v).to_string());
            match key.as_str() {
                "sector" | "sectors" => sectors.extend(strings()),
                "municipality" | "muni" | "kommune" => munis.extend(strings()),
                "region" => regions.extend(strings()),
                "tier" => tiers.extend(strings()),
                "tier>=" | "min_tier" => min_tier = values.last().map(|v| (*v).to_string()),
                "indicator" | "ilo" => {
                    for v in &values {
                        q.indicators.push(ilo_index(v)?);
                    }
                }
                "status" => {
                    for v in &values {
                        q.statuses.push(status(v)?);
                    }
                }
                "text" | "name" | "site" => q.text.extend(values.iter().map(|v| v.to_lowercase())),
                "coverage<=" | "cov<=" => {
                    let v = values.last().copied().unwrap_or_default();
                    q.max_coverage =
                        Some(v.parse::<u8>().ok().filter(|n| *n <= 11).ok_or_else(|| {
                            format!(
                                "coverage<={v}: give how many of the 11 ILO indicators, 0 to 11"
                            )
                        })?);
                }
                _ => {
                    return Err(format!(
                        "'{key}' is not a filter; use sector:, municipality:, region:, tier:, tier>=, indicator:, status:, coverage<= or plain text"
                    ));
                }
            }
        }
        q.filter = Filter::parse(&sectors, &munis, &regions, &tiers, min_tier.as_deref())
            .map_err(|e| e.to_string())?;
        q.terms = terms;
        Ok(q)
    }

    /// This query with more terms added (checked together).
    pub fn with(&self, more: &str) -> Result<Query, String> {
        let mut all = self
            .terms
            .iter()
            .map(|t| quote(t))
            .collect::<Vec<_>>()
            .join(" ");
        all.push(' ');
        all.push_str(more);
        Query::parse(&all)
    }

    /// Whether no term is set.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether a row passes every term.
    pub fn matches(&self, r: &Ranked) -> bool {
        if !self.filter.matches(
            r.sector_code.as_deref(),
            r.risk_group.as_deref(),
            r.municipality_code,
            r.region.as_deref(),
            r.tier,
        ) {
            return false;
        }
        if self.max_coverage.is_some_and(|m| r.coverage > m) {
            return false;
        }
        let wanted = |s: IloStatus| {
            if self.statuses.is_empty() {
                matches!(s, IloStatus::Observed | IloStatus::Signalled)
            } else {
                self.statuses.contains(&s)
            }
        };
        if !self.indicators.is_empty() {
            if !self
                .indicators
                .iter()
                .any(|i| r.ilo.get(*i).is_some_and(|s| wanted(*s)))
            {
                return false;
            }
        } else if !self.statuses.is_empty() && !r.ilo.iter().any(|s| self.statuses.contains(s)) {
            return false;
        }
        self.text.iter().all(|t| {
            let has = |s: Option<&str>| s.is_some_and(|s| s.to_lowercase().contains(t.as_str()));
            r.site_id.to_lowercase().contains(t.as_str())
                || has(r.name.as_deref())
                || has(r.company_id.as_deref())
                || has(r.municipality.as_deref())
        })
    }

    /// Labels of the active terms, for the header's chips.
    pub fn chips(&self) -> Vec<String> {
        let mut out = self.filter.chips();
        out.extend(
            self.indicators
                .iter()
                .map(|i| format!("indicator:{}", ILO_INDICATORS[*i])),
        );
        out.extend(self.statuses.iter().map(|s| format!("status:{}", s.name())));
        out.extend(self.max_coverage.map(|m| format!("coverage<={m}")));
        out.extend(self.text.iter().map(|t| format!("\"{t}\"")));
        out
    }
}

/// Quotes a term that holds a space, so re-parsing keeps it whole.
fn quote(t: &str) -> String {
    if t.contains(char::is_whitespace) {
        format!("\"{t}\"")
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_parse_and_errors_name_the_fix() {
        let q = Query::parse("sector:construction tier>=2 indicator:overtime status:observed køge")
            .unwrap();
        assert_eq!(q.indicators, vec![10]);
        assert_eq!(q.statuses, vec![IloStatus::Observed]);
        assert_eq!(q.text, vec!["køge".to_string()]);
        let chips = q.chips();
        assert!(
            chips.contains(&"sector:construction".to_string()),
            "{chips:?}"
        );
        assert!(
            chips.contains(&"tier>=deception_and_exploitation".to_string()),
            "{chips:?}"
        );
        assert!(
            Query::parse("colour:red")
                .unwrap_err()
                .contains("not a filter")
        );
        assert!(
            Query::parse("indicator:of")
                .unwrap_err()
                .contains("ambiguous")
        );
        assert!(Query::parse("region:Atlantis").is_err());
        assert!(Query::parse("sector:").unwrap_err().contains("no value"));
        assert!(Query::parse("").unwrap().is_empty());
        // Blind spots: at most 3 of the 11 assessed.
        let blind = Query::parse("coverage<=3").unwrap();
        assert!(blind.chips().contains(&"coverage<=3".to_string()));
        assert!(Query::parse("coverage<=12").is_err());
        let more = q.with("region:hovedstaden").unwrap();
        assert_eq!(more.chips().len(), chips.len() + 1);
        assert_eq!(
            tokens("municipality:\"Lyngby-Taarbæk\" x"),
            vec!["municipality:Lyngby-Taarbæk", "x"]
        );
    }
}
