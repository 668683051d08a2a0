//! The indicator catalogue (`models/indicators.toml`) against feature rows
//! built by hand: every indicator fires, clears and is unknown on the
//! values of `tests/fixtures/indicator_cases.toml`; evidence decays and
//! expires; the Delphi rule and the ILO tier follow from the indicators that
//! fire, counting each Delphi item once; and a broken catalogue is refused
//! with an error that names the indicator and its line.
//!
//! These tests call the library (`tilsyn::...`), not the binary.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use polars::prelude::*;
use serde::Deserialize;
use tilsyn::data::ILO_INDICATORS;
use tilsyn::indicators::catalogue::ShowsAs;
use tilsyn::indicators::engine::RULE_PREFIX;
use tilsyn::indicators::{
    Catalogue, CompiledCatalogue, Dimension, IloStatus, Indicator, Kind, SiteAssessment, Tier,
};

use crate::harness::FIXTURES;

/// Feature values by feature name.
pub type Values = BTreeMap<String, toml::Value>;

/// `tests/fixtures/indicator_cases.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    case: Vec<Case>,
}

/// One indicator's fixture values.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The catalogue id.
    pub indicator: String,
    /// Values that make the rule TRUE.
    pub fires: Values,
    /// Values that make the rule FALSE.
    pub clear: Values,
}

/// The cases by indicator id (two cases for one indicator fail).
pub fn cases() -> BTreeMap<String, Case> {
    let path = Path::new(FIXTURES).join("indicator_cases.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let file: CaseFile =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = BTreeMap::new();
    for c in file.case {
        let id = c.indicator.clone();
        assert!(
            out.insert(id.clone(), c).is_none(),
            "{}: two cases for indicator '{id}'",
            path.display()
        );
    }
    out
}

/// The bundled catalogue, compiled against the feature schema.
pub fn compiled() -> CompiledCatalogue {
    let cat =
        Catalogue::bundled().unwrap_or_else(|e| panic!("the bundled catalogue does not load: {e}"));
    tilsyn::pipeline::compile(cat)
        .unwrap_or_else(|e| panic!("the bundled catalogue does not compile: {e}"))
}

/// The schema of the feature table.
pub fn feature_schema() -> Schema {
    tilsyn::features::schema().unwrap_or_else(|e| panic!("no feature schema: {e}"))
}

/// One value of a case as a one-row column of the feature's type.
fn typed_value(name: &PlSmallStr, dtype: &DataType, v: &toml::Value, context: &str) -> Column {
    let series = match (dtype, v) {
        (DataType::Boolean, toml::Value::Boolean(b)) => Series::new(name.clone(), [*b]),
        (d, toml::Value::Integer(i)) if d.is_integer() => Series::new(name.clone(), [*i]),
        (d, toml::Value::Float(f)) if d.is_float() => Series::new(name.clone(), [*f]),
        (d, toml::Value::Integer(i)) if d.is_float() => Series::new(name.clone(), [*i as f64]),
        _ => panic!("{context}: feature '{name}' is {dtype}, but the case gives {v}"),
    };
    series
        .cast(dtype)
        .unwrap_or_else(|e| panic!("{context}: cannot cast '{name}' = {v} to {dtype}: {e}"))
        .into()
}

/// A one-row feature frame for site `S1`: every column of the schema with
/// its type, null unless `values` gives it.
pub fn feature_row(schema: &Schema, values: &Values, context: &str) -> DataFrame {
    for name in values.keys() {
        assert!(
            schema.get(name).is_some(),
            "{context}: '{name}' is not a feature (see docs/features.md)"
        );
    }
    let columns: Vec<Column> = schema
        .iter()
        .map(|(name, dtype)| {
            let n = name.as_str();
            if n == tilsyn::features::KEY || n == tilsyn::features::SITE {
                return Column::new(name.clone(), vec!["S1"]);
            }
            match values.get(n) {
                Some(v) => typed_value(name, dtype, v, context),
                None => Series::full_null(name.clone(), 1, dtype).into(),
            }
        })
        .collect();
    DataFrame::new(1, columns).unwrap_or_else(|e| panic!("{context}: cannot build the row: {e}"))
}

/// Evaluates the catalogue over one feature row.
pub fn assess_row(
    compiled: &CompiledCatalogue,
    schema: &Schema,
    values: &Values,
    context: &str,
) -> (DataFrame, SiteAssessment) {
    let df = feature_row(schema, values, context);
    let a = compiled
        .assess(df.lazy())
        .unwrap_or_else(|e| panic!("{context}: assessing failed: {e}"));
    assert_eq!(
        a.sites.len(),
        1,
        "{context}: one row in, one assessment out"
    );
    let site = a.sites[0].clone();
    (a.frame, site)
}

/// The value of an indicator's rule column in a one-row frame.
pub fn rule_value(frame: &DataFrame, id: &str) -> Option<bool> {
    let name = format!("{RULE_PREFIX}{id}");
    frame
        .column(&name)
        .unwrap_or_else(|e| panic!("the assessed frame has no column '{name}': {e}"))
        .bool()
        .unwrap_or_else(|e| panic!("'{name}' is not boolean: {e}"))
        .get(0)
}

/// Ids of the indicators that fired, in catalogue order.
fn fired_ids<'a>(compiled: &'a CompiledCatalogue, site: &SiteAssessment) -> Vec<&'a str> {
    let mut idx: Vec<usize> = site.fired.iter().map(|(i, _)| *i).collect();
    idx.sort_unstable();
    idx.into_iter()
        .map(|i| compiled.catalogue.indicators[i].id.as_str())
        .collect()
}

/// The features a rule reads (identifiers of the rule that are features).
fn rule_features<'a>(rule: &'a str, schema: &Schema) -> BTreeSet<&'a str> {
    rule.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty() && schema.get(t).is_some())
        .collect()
}

/// How a fired indicator shows in the ILO grid: tips (shows_as signalled)
/// and signals as signalled, other evidence as observed.
fn fired_status(d: &Indicator) -> IloStatus {
    match (d.shows_as, d.kind) {
        (Some(ShowsAs::Signalled), _) => IloStatus::Signalled,
        (Some(ShowsAs::Observed), _) => IloStatus::Observed,
        (None, Kind::Signal) => IloStatus::Signalled,
        (None, Kind::Evidence) => IloStatus::Observed,
    }
}

/// The merged `fires` values of several cases (they must agree on shared features).
fn fire(cases: &BTreeMap<String, Case>, ids: &[&str]) -> Values {
    let mut v = Values::new();
    for id in ids {
        let case = cases.get(*id).unwrap_or_else(|| {
            panic!("tests/fixtures/indicator_cases.toml has no case for '{id}'")
        });
        for (k, x) in &case.fires {
            if let Some(old) = v.insert(k.clone(), x.clone()) {
                assert_eq!(
                    &old, x,
                    "the cases of {ids:?} disagree on '{k}'; give the shared feature one value in indicator_cases.toml"
                );
            }
        }
    }
    v
}

/// Assesses a row on which exactly the indicators `ids` fire.
fn profile(
    compiled: &CompiledCatalogue,
    schema: &Schema,
    cases: &BTreeMap<String, Case>,
    ids: &[&str],
) -> SiteAssessment {
    let context = format!("firing {ids:?}");
    let (_, site) = assess_row(compiled, schema, &fire(cases, ids), &context);
    let fired = fired_ids(compiled, &site);
    let want: BTreeSet<&str> = ids.iter().copied().collect();
    let got: BTreeSet<&str> = fired.iter().copied().collect();
    assert_eq!(got, want, "{context}: exactly these indicators should fire");
    site
}

fn dim(site: &SiteAssessment, d: Dimension) -> bool {
    site.dimensions[d.index()]
}

#[test]
fn every_indicator_has_a_case_and_fires_clears_and_is_unknown() {
    let compiled = compiled();
    let cat = &compiled.catalogue;
    let schema = feature_schema();
    let cases = cases();

    let ids: BTreeSet<&str> = cat.indicators.iter().map(|d| d.id.as_str()).collect();
    let missing: Vec<&str> = ids
        .iter()
        .filter(|id| !cases.contains_key(**id))
        .copied()
        .collect();
    assert!(
        missing.is_empty(),
        "tests/fixtures/indicator_cases.toml has no case for indicator(s): {}; add a [[case]] with `fires` and `clear` values for each",
        missing.join(", ")
    );
    let strangers: Vec<&str> = cases
        .keys()
        .filter(|k| !ids.contains(k.as_str()))
        .map(String::as_str)
        .collect();
    assert!(
        strangers.is_empty(),
        "tests/fixtures/indicator_cases.toml has cases for indicator(s) not in the catalogue: {}",
        strangers.join(", ")
    );

    // Every feature null (every table absent): every rule is NULL, every
    // indicator unknown, every ILO indicator unknown, nothing scores.
    let (frame, site) = assess_row(&compiled, &schema, &Values::new(), "every feature null");
    for (i, d) in cat.indicators.iter().enumerate() {
        assert_eq!(
            rule_value(&frame, &d.id),
            None,
            "indicator '{}' (rule `{}`): with every feature NULL the rule must be NULL (unknown)",
            d.id,
            d.rule
        );
        assert!(
            site.unknown.contains(&i),
            "indicator '{}': with every feature NULL it must be listed as unknown",
            d.id
        );
    }
    assert!(
        site.fired.is_empty(),
        "every feature null: nothing may fire: {:?}",
        site.fired
    );
    assert!(
        site.expired.is_empty(),
        "every feature null: nothing may be expired"
    );
    for (x, status) in site.ilo.iter().enumerate() {
        assert_eq!(
            *status,
            IloStatus::Unknown,
            "every feature null: ILO '{}'",
            ILO_INDICATORS[x]
        );
    }
    assert_eq!(site.tier, Tier::NoIndication);
    assert_eq!(site.rule_score, 0.0);

    for (i, d) in cat.indicators.iter().enumerate() {
        let case = &cases[&d.id];
        for f in rule_features(&d.rule, &schema) {
            for (which, values) in [("fires", &case.fires), ("clear", &case.clear)] {
                assert!(
                    values.contains_key(f),
                    "case '{}': `{which}` does not give '{f}', which the rule `{}` reads",
                    d.id,
                    d.rule
                );
            }
        }

        // fires
        let context = format!(
            "indicator '{}' (rule `{}`), `fires` {:?}",
            d.id, d.rule, case.fires
        );
        let (frame, site) = assess_row(&compiled, &schema, &case.fires, &context);
        assert_eq!(
            rule_value(&frame, &d.id),
            Some(true),
            "{context}: the rule must be TRUE"
        );
        assert_eq!(
            fired_ids(&compiled, &site),
            vec![d.id.as_str()],
            "{context}: exactly this indicator must fire (if another fires, the case's values are not isolated)"
        );
        assert!(
            !site.unknown.contains(&i),
            "{context}: a fired indicator is not unknown"
        );
        assert!(
            !site.expired.contains(&i),
            "{context}: fresh evidence is not expired"
        );
        let want = fired_status(d);
        for x in d.ilo_indices() {
            assert_eq!(
                site.ilo[x], want,
                "{context}: ILO indicator '{}' must show as {want:?}",
                ILO_INDICATORS[x]
            );
        }
        assert!(
            site.rule_score > 0.0,
            "{context}: a fired indicator adds to the rules score"
        );

        // clear
        let context = format!(
            "indicator '{}' (rule `{}`), `clear` {:?}",
            d.id, d.rule, case.clear
        );
        let (frame, site) = assess_row(&compiled, &schema, &case.clear, &context);
        assert_eq!(
            rule_value(&frame, &d.id),
            Some(false),
            "{context}: the rule must be FALSE"
        );
        assert!(
            site.fired.iter().all(|(j, _)| *j != i),
            "{context}: it must not fire"
        );
        assert!(
            !site.unknown.contains(&i),
            "{context}: assessed, so not unknown"
        );
        assert!(!site.expired.contains(&i), "{context}: not expired");
        for x in d.ilo_indices() {
            assert_eq!(
                site.ilo[x],
                IloStatus::Clear,
                "{context}: ILO indicator '{}' is assessed with nothing found",
                ILO_INDICATORS[x]
            );
        }
    }
}

#[test]
fn evidence_decays_and_expires() {
    let compiled = compiled();
    let cat = &compiled.catalogue;
    let schema = feature_schema();
    let cases = cases();
    // 730 and 1825 days in the bundled catalogue.
    let half = cat.scoring.half_life_days;
    let expire = cat.scoring.expire_days;
    assert!(
        half.fract() == 0.0 && expire.fract() == 0.0,
        "whole days expected: {half}, {expire}"
    );
    let (half, expire) = (half as i64, expire as i64);

    let mut checked = 0;
    for (i, d) in cat
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == Kind::Evidence)
    {
        let age = d
            .age
            .as_deref()
            .unwrap_or_else(|| panic!("evidence '{}' has no `age`", d.id));
        let at = |days: i64| {
            let mut v = cases[&d.id].fires.clone();
            v.insert(age.to_string(), toml::Value::Integer(days));
            assess_row(
                &compiled,
                &schema,
                &v,
                &format!("'{}' with {age} = {days}", d.id),
            )
            .1
        };
        let weight = |s: &SiteAssessment| s.fired.iter().find(|(j, _)| *j == i).map(|(_, w)| *w);

        let fresh = at(0);
        let w0 = weight(&fresh).unwrap_or_else(|| panic!("'{}' must fire at age 0", d.id));
        assert!(
            (w0 - cat.base_weight(d)).abs() < 1e-9,
            "'{}': weight at age 0 is {w0}, the base weight is {}",
            d.id,
            cat.base_weight(d)
        );
        let old = at(half);
        let w1 = weight(&old).unwrap_or_else(|| panic!("'{}' must still fire at age {half}", d.id));
        assert!(
            (w1 / w0 - 0.5).abs() < 1e-9,
            "'{}': the weight must halve after {half} days: {w0} -> {w1} (ratio {})",
            d.id,
            w1 / w0
        );
        assert!((fresh.rule_score - w0).abs() < 1e-9 && (old.rule_score - w1).abs() < 1e-9);

        let edge = at(expire);
        assert!(
            weight(&edge).is_some(),
            "'{}': evidence exactly {expire} days old still counts",
            d.id
        );

        let gone = at(expire + 1);
        assert!(
            weight(&gone).is_none(),
            "'{}': evidence {} days old is past expire_days = {expire} and must not fire",
            d.id,
            expire + 1
        );
        assert!(
            gone.expired.contains(&i),
            "'{}': expired evidence is listed in `expired`",
            d.id
        );
        assert!(
            !gone.unknown.contains(&i),
            "'{}': expired evidence is not unknown",
            d.id
        );
        assert_eq!(
            gone.rule_score, 0.0,
            "'{}': expired evidence adds nothing",
            d.id
        );
        for x in d.ilo_indices() {
            assert_ne!(
                gone.ilo[x],
                IloStatus::Observed,
                "'{}': expired evidence must not show ILO '{}' as observed",
                d.id,
                ILO_INDICATORS[x]
            );
            assert_eq!(
                gone.ilo[x],
                IloStatus::Clear,
                "'{}': with only expired evidence, ILO '{}' is assessed with nothing current",
                d.id,
                ILO_INDICATORS[x]
            );
        }
        assert_eq!(
            gone.tier,
            Tier::NoIndication,
            "'{}': expired evidence gives no tier",
            d.id
        );
        checked += 1;
    }
    assert!(
        checked >= 23,
        "expected the 11 findings, 11 tips and severe_outcome; checked {checked}"
    );
}

#[test]
fn tier_from_fixture_profiles() {
    let compiled = compiled();
    let schema = feature_schema();
    let cases = cases();
    let p = |ids: &[&str]| profile(&compiled, &schema, &cases, ids);
    use Dimension::*;

    let nothing: [&str; 0] = [];
    let none = p(&nothing);
    assert_eq!(none.tier, Tier::NoIndication);

    // One strong item alone is not enough for a dimension.
    let s = p(&["hours_p90_over_48"]);
    assert!(
        !dim(&s, ExploitativeConditions),
        "one strong item alone is not positive"
    );
    assert_eq!(s.tier, Tier::NoIndication);

    // 1 strong + 1 medium in exploitative conditions.
    let exploit = ["hours_p90_over_48", "many_paid_below_80pct"];
    let s = p(&exploit);
    assert!(
        dim(&s, ExploitativeConditions),
        "1 strong + 1 medium is positive: {:?}",
        s.dimensions
    );
    assert_eq!(
        s.dimensions.iter().filter(|b| **b).count(),
        1,
        "{:?}",
        s.dimensions
    );
    assert_eq!(s.tier, Tier::ExploitationSignals);

    // A medium deception item alone adds no dimension.
    let s = p(&[
        "hours_p90_over_48",
        "many_paid_below_80pct",
        "pay_far_below_stated",
    ]);
    assert!(
        !dim(&s, DeceptiveRecruitment),
        "one medium item alone is not positive"
    );
    assert_eq!(s.tier, Tier::ExploitationSignals);

    // + deceptive recruitment (1 medium + 1 strong).
    let deceive = [
        "hours_p90_over_48",
        "many_paid_below_80pct",
        "pay_far_below_stated",
        "paid_elsewhere",
    ];
    let s = p(&deceive);
    assert!(
        dim(&s, DeceptiveRecruitment) && dim(&s, ExploitativeConditions),
        "{:?}",
        s.dimensions
    );
    assert_eq!(s.tier, Tier::DeceptionAndExploitation);

    // + coercion at destination (2 strong): forced-labour indication.
    let mut forced = exploit.to_vec();
    forced.extend(["finding_retention_of_documents", "finding_debt_bondage"]);
    let s = p(&forced);
    assert!(
        dim(&s, CoercionAtDestination),
        "2 strong items are positive: {:?}",
        s.dimensions
    );
    assert_eq!(s.tier, Tier::ForcedLabourIndication);
    let mut all = deceive.to_vec();
    all.extend(["finding_retention_of_documents", "finding_debt_bondage"]);
    assert_eq!(p(&all).tier, Tier::ForcedLabourIndication);

    // Coercion without exploitative conditions is not a forced-labour indication.
    let s = p(&["finding_retention_of_documents", "finding_debt_bondage"]);
    assert!(dim(&s, CoercionAtDestination));
    assert_eq!(s.tier, Tier::ExploitationSignals);

    // Indicators standing for the same Delphi item count once: the three
    // excessive-hours indicators are one strong item, so not positive...
    let hours = [
        "hours_p90_over_48",
        "hours_mean_over_55",
        "finding_excessive_overtime",
    ];
    let s = p(&hours[..2]);
    assert!(
        !dim(&s, ExploitativeConditions),
        "hours_p90_over_48 and hours_mean_over_55 are one Delphi item (one strong), not two"
    );
    assert_eq!(s.tier, Tier::NoIndication);
    let s = p(&hours);
    assert!(
        !dim(&s, ExploitativeConditions),
        "three indicators of one Delphi item are still one item"
    );
    // ...while one more item of the dimension makes it positive.
    let mut more = hours.to_vec();
    more.push("red_smiley_risk_sector");
    let s = p(&more);
    assert!(
        dim(&s, ExploitativeConditions),
        "1 strong item + 1 medium item is positive"
    );
    assert_eq!(s.tier, Tier::ExploitationSignals);

    // Every group of indicators that share a Delphi item, fired together,
    // is one item: never positive alone.
    let cat = &compiled.catalogue;
    let mut groups: BTreeMap<(Dimension, &str), Vec<&str>> = BTreeMap::new();
    for d in &cat.indicators {
        if let (Some(dm), Some(item)) = (d.delphi_dimension, d.delphi_item.as_deref()) {
            groups.entry((dm, item)).or_default().push(d.id.as_str());
        }
    }
    let shared: Vec<_> = groups.iter().filter(|(_, ids)| ids.len() >= 2).collect();
    assert!(
        shared.len() >= 3,
        "the catalogue should have several shared Delphi items: {groups:?}"
    );
    for ((dm, item), ids) in shared {
        let s = p(ids);
        assert!(
            !dim(&s, *dm),
            "{ids:?} all stand for the Delphi item '{item}' of {}: together they are one item, not {}",
            dm.label(),
            ids.len()
        );
        assert_eq!(s.tier, Tier::NoIndication, "{ids:?}");
    }

    // Tips carry no Delphi item: all of them together score, show as
    // signalled, and never make a dimension positive.
    let tips: Vec<&str> = cat
        .indicators
        .iter()
        .filter(|d| d.id.starts_with("tip_"))
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(tips.len(), 11);
    let s = p(&tips);
    assert!(
        s.dimensions.iter().all(|b| !*b),
        "tips never count in the Delphi rule: {:?}",
        s.dimensions
    );
    assert_eq!(s.tier, Tier::NoIndication);
    assert!(s.rule_score > 0.0);
    for (x, status) in s.ilo.iter().enumerate() {
        assert_eq!(
            *status,
            IloStatus::Signalled,
            "tips are unverified: ILO '{}'",
            ILO_INDICATORS[x]
        );
    }
}

/// `[scoring]` of a test catalogue.
const SCORING: &str = "version = 1

[scoring]
strong = 3.0
medium = 2.0
weak = 1.0
unrated = 1.0
evidence_multiplier = 2.0
half_life_days = 730.0
expire_days = 1825.0
";

/// One signal entry of a test catalogue.
fn entry(id: &str, ilo: &str, rule: &str, explain: &str) -> String {
    format!(
        "
[[indicator]]
id = \"{id}\"
kind = \"signal\"
ilo = [{ilo}]
needs = [\"permits\", \"payroll\"]
rule = \"{rule}\"
explain = \"{explain}\"
source = \"test\"
"
    )
}

/// A good first entry.
fn good_entry() -> String {
    entry(
        "pay_ok",
        "\"deception\"",
        "payroll_workers > 0 AND pay_ratio_median < 0.7",
        "paid {pay_ratio_median:pct} of stated",
    )
}

/// The error a catalogue text gets, from parsing or from compiling.
fn catalogue_error(text: &str, schema: &Schema) -> String {
    match Catalogue::parse(text, "test.toml") {
        Err(e) => e.to_string(),
        Ok(cat) => match CompiledCatalogue::compile(cat, schema) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("this catalogue should be refused:\n{text}"),
        },
    }
}

#[test]
fn catalogue_errors_name_the_indicator_and_line() {
    let schema = feature_schema();
    let good = format!("{SCORING}{}", good_entry());
    let cat = Catalogue::parse(&good, "test.toml")
        .unwrap_or_else(|e| panic!("the good test catalogue: {e}"));
    CompiledCatalogue::compile(cat, &schema)
        .unwrap_or_else(|e| panic!("the good test catalogue: {e}"));

    let payroll_rule = "payroll_workers > 0 AND pay_ratio_median < 0.7";
    // (what, bad entry, id it must name, a word of the reason)
    let bad: Vec<(&str, String, &str, &str)> = vec![
        (
            "duplicate id",
            entry("pay_ok", "\"deception\"", payroll_rule, "x"),
            "pay_ok",
            "duplicate",
        ),
        (
            "unknown ILO id",
            entry("bad_ilo", "\"slavery\"", payroll_rule, "x"),
            "bad_ilo",
            "slavery",
        ),
        (
            "rule that does not parse",
            entry("bad_parse", "\"deception\"", "payroll_workers >", "x"),
            "bad_parse",
            "SQL",
        ),
        (
            "rule naming an unknown feature",
            entry("bad_feature", "\"deception\"", "no_such_feature > 1", "x"),
            "bad_feature",
            "not a feature",
        ),
        (
            "rule that is not boolean",
            entry("bad_type", "\"deception\"", "payroll_workers + 1", "x"),
            "bad_type",
            "true/false",
        ),
        (
            "explain placeholder naming an unknown feature",
            entry(
                "bad_explain",
                "\"deception\"",
                payroll_rule,
                "paid {no_such_feature:0} DKK",
            ),
            "bad_explain",
            "no_such_feature",
        ),
    ];
    for (what, bad_entry, id, reason) in bad {
        let text = format!("{good}{bad_entry}");
        // The bad entry is the last one: its `id = ` line.
        let line = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.starts_with("id = "))
            .last()
            .map(|(n, _)| n + 1)
            .unwrap_or_else(|| panic!("no id line in:\n{text}"));
        let msg = catalogue_error(&text, &schema);
        for needle in [
            id.to_string(),
            format!("line {line}"),
            "test.toml".to_string(),
            reason.to_string(),
        ] {
            assert!(
                msg.contains(&needle),
                "{what}: the error must contain {needle:?}; it is:\n{msg}\n--- catalogue ---\n{text}"
            );
        }
    }
}
