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
    /// Values that make the rule FALSE (and give what its `assessed`
    /// condition reads, so it is clear, not unknown).
    pub clear: Values,
    /// Indicators that necessarily fire with it (two readings of one fact).
    #[serde(default)]
    pub also: Vec<String>,
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
    let mut want: BTreeSet<&str> = ids.iter().copied().collect();
    for id in ids {
        want.extend(cases[*id].also.iter().map(String::as_str));
    }
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
        let assessed = d.assessed.as_deref().unwrap_or("");
        let never_clears = assessed.eq_ignore_ascii_case("FALSE");
        for f in rule_features(assessed, &schema) {
            assert!(
                case.clear.contains_key(f),
                "case '{}': `clear` does not give '{f}', which its `assessed` condition `{assessed}` reads",
                d.id
            );
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
        let mut want: Vec<&str> = vec![d.id.as_str()];
        want.extend(case.also.iter().map(String::as_str));
        want.sort_unstable();
        let mut got = fired_ids(&compiled, &site);
        got.sort_unstable();
        assert_eq!(
            got, want,
            "{context}: exactly this indicator (and its `also`) must fire (if another fires, the case's values are not isolated)"
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
        if cat.base_weight(d) > 0.0 {
            assert!(
                site.rule_score > 0.0,
                "{context}: a fired indicator adds to the rules score"
            );
        } else {
            assert_eq!(
                site.rule_score, 0.0,
                "{context}: a context indicator (weight 0) adds nothing"
            );
        }

        // clear: assessed and nothing found (a tip never clears)
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
        assert!(!site.expired.contains(&i), "{context}: not expired");
        if never_clears {
            assert!(
                site.unknown.contains(&i),
                "{context}: its absence is not evidence of nothing, so unknown"
            );
        } else {
            assert!(
                !site.unknown.contains(&i),
                "{context}: assessed, so not unknown"
            );
        }
        for x in d.ilo_indices() {
            let want = if never_clears {
                IloStatus::Unknown
            } else {
                IloStatus::Clear
            };
            assert_eq!(
                site.ilo[x], want,
                "{context}: ILO indicator '{}' (nothing else is assessed in this row)",
                ILO_INDICATORS[x]
            );
        }

        // not looked at: the same values without what `assessed` reads
        if never_clears || assessed.is_empty() {
            continue;
        }
        let mut unseen = case.clear.clone();
        for f in rule_features(assessed, &schema) {
            unseen.remove(f);
        }
        let context = format!(
            "indicator '{}' without what `{assessed}` reads: {unseen:?}",
            d.id
        );
        let (_, site) = assess_row(&compiled, &schema, &unseen, &context);
        assert!(
            site.fired.iter().all(|(j, _)| *j != i) && site.unknown.contains(&i),
            "{context}: not looked at, so unknown, not clear"
        );
        for x in d.ilo_indices() {
            assert_eq!(
                site.ilo[x],
                IloStatus::Unknown,
                "{context}: ILO indicator '{}'",
                ILO_INDICATORS[x]
            );
        }
    }
}

/// A site never inspected, with every finding count 0 (the tables are
/// present, nothing matched): no finding-only ILO indicator is clear there.
#[test]
fn a_site_never_inspected_shows_finding_only_indicators_as_unknown() {
    let compiled = compiled();
    let schema = feature_schema();
    let mut values = Values::new();
    for x in ILO_INDICATORS {
        values.insert(format!("finding_{x}_count"), toml::Value::Integer(0));
        values.insert(format!("tip_{x}_count"), toml::Value::Integer(0));
    }
    values.insert("severe_outcomes_5y".into(), toml::Value::Integer(0));
    values.insert("inspections".into(), toml::Value::Integer(0));
    let (_, never) = assess_row(&compiled, &schema, &values, "never inspected");
    for id in [
        "physical_sexual_violence",
        "intimidation_threats",
        "retention_of_documents",
    ] {
        let x = ILO_INDICATORS.iter().position(|i| *i == id).unwrap_or(99);
        assert_eq!(
            never.ilo.get(x),
            Some(&IloStatus::Unknown),
            "never inspected: {id} must be unknown, not clear"
        );
    }
    assert_eq!(never.coverage, 0, "{:?}", never.ilo);
    // Inspected 100 days ago with nothing found: the same are clear.
    for x in ILO_INDICATORS {
        values.insert(format!("days_since_check_{x}"), toml::Value::Integer(100));
    }
    let (_, seen) = assess_row(&compiled, &schema, &values, "inspected, nothing found");
    assert_eq!(seen.coverage, 11, "{:?}", seen.ilo);
    assert!(seen.ilo.iter().all(|s| *s == IloStatus::Clear));
    // Inspected 6 years ago: too old to say anything now.
    for x in ILO_INDICATORS {
        values.insert(format!("days_since_check_{x}"), toml::Value::Integer(2200));
    }
    let (_, old) = assess_row(&compiled, &schema, &values, "inspected 6 years ago");
    assert_eq!(old.coverage, 0, "{:?}", old.ilo);
}

/// Rules that restate one fact score once, at the heaviest.
#[test]
fn one_fact_counts_once_in_the_rules_score() {
    let compiled = compiled();
    let cat = &compiled.catalogue;
    let schema = feature_schema();
    let cases = cases();
    let p = |ids: &[&str]| profile(&compiled, &schema, &cases, ids);
    let weight = |id: &str| {
        cat.indicators
            .iter()
            .find(|d| d.id == id)
            .map(|d| cat.base_weight(d))
            .unwrap_or_else(|| panic!("no indicator {id}"))
    };
    for group in [
        &[
            "pay_far_below_stated",
            "many_paid_below_80pct",
            "below_scheme_threshold",
        ][..],
        &["hours_p90_over_48", "hours_mean_over_55"][..],
        &["overcrowded_employer_housing", "overcrowding_any_address"][..],
    ] {
        let s = p(group);
        let heaviest = group.iter().map(|id| weight(id)).fold(0.0, f64::max);
        let sum: f64 = group.iter().map(|id| weight(id)).sum();
        assert!(
            (s.rule_score - heaviest).abs() < 1e-9,
            "{group:?}: one fact scores {heaviest}, not {} (sum {sum})",
            s.rule_score
        );
        assert!(
            sum > heaviest,
            "{group:?}: the test must compare different sums"
        );
    }
    // A finding and a tip about the same indicator: the finding counts.
    let s = p(&["finding_debt_bondage", "tip_debt_bondage"]);
    let finding = p(&["finding_debt_bondage"]).rule_score;
    assert!(finding > p(&["tip_debt_bondage"]).rule_score);
    assert!(
        (s.rule_score - finding).abs() < 1e-9,
        "{} vs {finding}",
        s.rule_score
    );
    // Different facts still add up.
    let s = p(&["hours_p90_over_48", "many_paid_below_80pct"]);
    assert!(
        (s.rule_score - weight("hours_p90_over_48") - weight("many_paid_below_80pct")).abs() < 1e-9
    );
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
        // Nothing in the case says the site was looked at since (no recent
        // inspection, no postings): expired evidence leaves it unknown.
        assert_eq!(
            gone.unknown.contains(&i),
            d.assessed.is_some(),
            "'{}': expired evidence is unknown unless the site was assessed since",
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
                IloStatus::Unknown,
                "'{}': with only expired evidence and nothing looked at since, ILO '{}' is unknown",
                d.id,
                ILO_INDICATORS[x]
            );
        }
        // Looked at since (an inspection 100 days ago, postings at the site)
        // with nothing found: expired evidence leaves it clear.
        if let Some(cond) = d.assessed.as_deref().filter(|c| *c != "FALSE") {
            let mut v = cases[&d.id].fires.clone();
            v.insert(age.to_string(), toml::Value::Integer(expire + 1));
            for (k, x) in &cases[&d.id].clear {
                if rule_features(cond, &schema).contains(k.as_str()) {
                    v.insert(k.clone(), x.clone());
                }
            }
            let (_, seen) = assess_row(
                &compiled,
                &schema,
                &v,
                &format!("'{}' expired, assessed since", d.id),
            );
            assert!(
                seen.expired.contains(&i) && !seen.unknown.contains(&i),
                "'{}'",
                d.id
            );
            for x in d.ilo_indices() {
                assert_eq!(
                    seen.ilo[x],
                    IloStatus::Clear,
                    "'{}': assessed since, nothing current",
                    d.id
                );
            }
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
        checked >= 24,
        "expected the 11 findings, 11 tips, severe_outcome and postings_without_rut; checked {checked}"
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

    // Deception observed by inspectors at a site paying far below what the
    // permits stated and below the scheme's threshold: 3 medium items.
    let observed = [
        "hours_p90_over_48",
        "many_paid_below_80pct",
        "finding_deception",
        "pay_far_below_stated",
        "below_scheme_threshold",
    ];
    let s = p(&observed);
    assert!(dim(&s, DeceptiveRecruitment), "{:?}", s.dimensions);
    assert_eq!(s.tier, Tier::DeceptionAndExploitation);
    // Housing that came with the job, overcrowded, with pay far below the
    // permits and a deception finding: also 3 medium items.
    let housed = [
        "hours_p90_over_48",
        "many_paid_below_80pct",
        "finding_deception",
        "pay_far_below_stated",
        "employer_housing_not_as_promised",
    ];
    assert_eq!(p(&housed).tier, Tier::DeceptionAndExploitation);

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

    // A near-universal fact never moves a site up a tier, nor adds to its score.
    for base in [&nothing[..], &exploit[..], &observed[..], &forced[..]] {
        let mut with = base.to_vec();
        with.push("mostly_employer_bound");
        let (a, b) = (p(base), p(&with));
        assert_eq!(a.tier, b.tier, "{base:?} + mostly_employer_bound");
        assert!((a.rule_score - b.rule_score).abs() < 1e-9, "{base:?}");
    }

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
