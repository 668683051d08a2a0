//! Fairness figures on a hand-built population, checked against values
//! computed by hand; the proxy check on features built to be (and not to
//! be) associated with a group.

use super::*;

const EPS: f64 = 1e-12;

/// Ten sites in two groups (A: 0-5, B: 6-9):
///
/// | site | group | selected | label | truth |
/// |------|-------|----------|-------|-------|
/// | 0    | A     | yes      | yes   | yes   |
/// | 1    | A     | yes      | no    | no    |
/// | 2    | A     | no       | yes   | yes   |
/// | 3-5  | A     | no       | -     | no    |
/// | 6    | B     | yes      | yes   | yes   |
/// | 7    | B     | no       | -     | yes   |
/// | 8    | B     | no       | no    | no    |
/// | 9    | B     | no       | -     | no    |
fn population() -> Population {
    let t = true;
    let f = false;
    Population {
        selected: vec![t, t, f, f, f, f, t, f, f, f],
        label: vec![
            Some(t),
            Some(f),
            Some(t),
            None,
            None,
            None,
            Some(t),
            None,
            Some(f),
            None,
        ],
        truth: Some(vec![t, f, t, f, f, f, t, t, f, f]),
        attributes: vec![(
            Attribute::SizeBand,
            ["A", "A", "A", "A", "A", "A", "B", "B", "B", "B"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        )],
    }
}

fn params(min_group: usize) -> FairnessParams {
    FairnessParams {
        reps: 0,
        min_group,
        ..FairnessParams::default()
    }
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < EPS, "{a} != {b}");
}

fn ratio(m: &Option<Measure>) -> f64 {
    m.as_ref()
        .and_then(|x| x.ratio)
        .map(|r| {
            assert_eq!((r.low, r.high), (r.value, r.value), "no resamples: a point");
            r.value
        })
        .unwrap_or(f64::NAN)
}

#[test]
fn group_figures_match_hand_computed_values() {
    let (overall, reports, warnings) = group_reports(&population(), &params(1));
    // All sites: 3 of 10 selected; of the 3 selected and labelled, 2 found
    // exploitation; of the 3 labelled positives, 2 selected; of the 3
    // selected, 2 truly exploited; of the 4 truly exploited, 2 selected.
    assert_eq!(
        (
            overall.sites,
            overall.selected,
            overall.labelled,
            overall.positives
        ),
        (10, 3, 5, 3)
    );
    let all = overall.values.map(|v| v.unwrap_or(f64::NAN));
    for (got, want) in all.iter().zip([0.3, 2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0, 0.5]) {
        close(*got, want);
    }
    let groups = &reports[0].groups;
    assert_eq!(groups.len(), 2);
    let (a, b) = (&groups[0], &groups[1]);
    assert_eq!(
        (a.group.as_str(), a.sites, a.selected, a.labelled),
        ("A", 6, 2, 3)
    );
    assert_eq!(
        (b.group.as_str(), b.sites, b.selected, b.labelled),
        ("B", 4, 1, 2)
    );
    // A: selection 2/6, precision 1/2, recall 1/2, true precision 1/2, true recall 1/2.
    let a_values = a
        .measures()
        .map(|m| m.as_ref().map_or(f64::NAN, |x| x.value));
    for (got, want) in a_values.iter().zip([2.0 / 6.0, 0.5, 0.5, 0.5, 0.5]) {
        close(*got, want);
    }
    // Ratios to all sites.
    close(ratio(&a.selection_rate), (2.0 / 6.0) / 0.3);
    close(ratio(&a.precision), 0.5 / (2.0 / 3.0));
    close(ratio(&a.recall), 0.5 / (2.0 / 3.0));
    close(ratio(&a.true_precision), 0.5 / (2.0 / 3.0));
    close(ratio(&a.true_recall), 1.0);
    // B: selection 1/4, precision 1/1, recall 1/1, true precision 1/1, true recall 1/2.
    close(ratio(&b.selection_rate), 0.25 / 0.3);
    close(ratio(&b.precision), 1.5);
    close(ratio(&b.recall), 1.5);
    close(ratio(&b.true_precision), 1.5);
    close(ratio(&b.true_recall), 1.0);
    // 0.75 and 1.5 fall outside 0.8-1.25; 1.11, 0.83 and 1.0 do not.
    assert!(!a.selection_rate.as_ref().is_some_and(|m| m.outside));
    assert!(a.precision.as_ref().is_some_and(|m| m.outside));
    assert!(b.precision.as_ref().is_some_and(|m| m.outside));
    assert!(!b.true_recall.as_ref().is_some_and(|m| m.outside));
    // Six flagged ratios: A precision, recall, true precision; B the same.
    assert_eq!(warnings.len(), 6, "{warnings:#?}");
    assert!(
        warnings[0].contains("'A'") && warnings[0].contains("0.75"),
        "{}",
        warnings[0]
    );
    // Groups under the minimum size raise no warning.
    let (_, _, some) = group_reports(&population(), &params(5));
    assert_eq!(some.len(), 3, "B (4 sites) is under 5: {some:#?}");
    assert!(some.iter().all(|w| w.contains("'A'")));
}

#[test]
fn intervals_are_seeded_and_bracket_the_ratio() {
    let mut pop = population();
    for _ in 0..5 {
        let p = population();
        pop.selected.extend(p.selected);
        pop.label.extend(p.label);
        if let (Some(t), Some(more)) = (pop.truth.as_mut(), p.truth) {
            t.extend(more);
        }
        pop.attributes[0].1.extend(p.attributes[0].1.clone());
    }
    let p = FairnessParams {
        reps: 300,
        seed: 5,
        ..FairnessParams::default()
    };
    let one = group_reports(&pop, &p);
    assert_eq!(one, group_reports(&pop, &p));
    let sel = one.1[0].groups[0].selection_rate.clone().unwrap();
    let r = sel.ratio.unwrap();
    assert!(
        r.low <= r.value && r.value <= r.high && r.high > r.low,
        "{r:?}"
    );
    close(r.value, (2.0 / 6.0) / 0.3);
}

#[test]
fn a_feature_that_tracks_nationality_is_a_possible_proxy() {
    let groups: Vec<Option<String>> = (0..120)
        .map(|i| match i % 4 {
            0 => Some("PHL".to_string()),
            1 => Some("UKR".to_string()),
            2 => Some("IND".to_string()),
            _ => None,
        })
        .collect();
    // Tracks PHL (with noise); alternates with no relation to the groups;
    // tracks a group too small to judge.
    let tracks: Vec<f64> = (0..120)
        .map(|i| f64::from(u8::from(i % 4 == 0)) + 0.1 * f64::from(i % 3))
        .collect();
    let unrelated: Vec<f64> = (0..120).map(|i| f64::from((i / 4) % 2)).collect();
    let features = [
        ("unrelated".to_string(), unrelated),
        ("tracks_phl".to_string(), tracks),
    ];
    let lines = proxies(&features, &groups, 20, PROXY_THRESHOLD);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].feature, "tracks_phl");
    assert!(lines[0].possible_proxy);
    assert_eq!(lines[0].group.as_deref(), Some("PHL"));
    assert!(lines[0].eta > 0.8, "{:?}", lines[0]);
    assert_eq!(lines[1].feature, "unrelated");
    assert!(!lines[1].possible_proxy, "{:?}", lines[1]);
    assert!(lines[1].max_smd < 0.2, "{:?}", lines[1]);
    // With fewer than two groups of the minimum size there is nothing to compare.
    assert!(proxies(&features, &groups, 31, PROXY_THRESHOLD).is_empty());
}

#[test]
fn size_bands() {
    assert_eq!(size_band(Some(0.0)), "0-9");
    assert_eq!(size_band(Some(9.0)), "0-9");
    assert_eq!(size_band(Some(10.0)), "10-49");
    assert_eq!(size_band(Some(249.0)), "50-249");
    assert_eq!(size_band(Some(250.0)), "250+");
    assert_eq!(size_band(None), "(unknown)");
}

#[test]
fn reports_render_as_text_and_markdown() {
    let (overall, attributes, warnings) = group_reports(&population(), &params(1));
    let r = FairnessReport {
        as_of: "2026-01-01".into(),
        scorer: "rules".into(),
        top_share: 0.3,
        k: 3,
        labels: Some("inspections".into()),
        truth: true,
        bootstrap: (0, 42),
        band: BAND,
        overall,
        attributes,
        warnings,
        proxy_threshold: PROXY_THRESHOLD,
        proxies: Vec::new(),
        notes: vec!["a note".into()],
    };
    let t = render::table(&r);
    assert!(
        t.contains("company size band") && t.contains("×0.75") && t.contains(" !"),
        "{t}"
    );
    let m = render::markdown(&r);
    assert!(
        m.contains("### By company size band") && m.contains("| A | 6 | 2 |"),
        "{m}"
    );
}
