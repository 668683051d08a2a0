//! The audit as readable text and as Markdown (for the model card). Only
//! measures defined over all sites get a column; a ratio outside the band
//! is marked `!`.

use std::fmt::Write as _;

use super::{FairnessReport, MEASURES, Measure};

fn shown(r: &FairnessReport) -> Vec<usize> {
    (0..MEASURES.len())
        .filter(|&m| r.overall.values[m].is_some())
        .collect()
}

fn cell(m: &Option<Measure>) -> String {
    match m {
        None => "-".to_string(),
        Some(x) => match &x.ratio {
            None => format!("{:.3}", x.value),
            Some(i) => format!(
                "{:.3} ×{:.2} [{:.2}, {:.2}]{}",
                x.value,
                i.value,
                i.low,
                i.high,
                if x.outside { " !" } else { "" }
            ),
        },
    }
}

fn header(r: &FairnessReport) -> Vec<String> {
    let mut out = vec![format!(
        "Scored by {} as of {}; the top {:.1}% of {} sites ({} sites) is the selection.",
        r.scorer,
        r.as_of,
        r.top_share * 100.0,
        r.overall.sites,
        r.k
    )];
    out.push(match &r.labels {
        Some(l) => format!(
            "Labels: {l} ({} sites inspected, {} found exploitation).",
            r.overall.labelled, r.overall.positives
        ),
        None => "Labels: none.".to_string(),
    });
    if r.truth {
        out.push("Truth: truth.csv (generated data).".to_string());
    }
    let overall: Vec<String> = shown(r)
        .into_iter()
        .filter_map(|m| r.overall.values[m].map(|v| format!("{} {v:.3}", MEASURES[m])))
        .collect();
    out.push(format!("All sites: {}.", overall.join(", ")));
    out.push(format!(
        "Each cell: the group's value ×its ratio to all sites [bootstrap 95% interval]; ! marks a ratio outside {:.2}-{:.2}.",
        r.band.0, r.band.1
    ));
    out
}

/// The audit as text.
pub fn table(r: &FairnessReport) -> String {
    let mut s = String::new();
    for line in header(r) {
        let _ = writeln!(s, "{line}");
    }
    let cols = shown(r);
    for a in &r.attributes {
        let _ = writeln!(s, "\n{}", a.attribute.label());
        let _ = write!(s, "  {:<28} {:>6} {:>5}", "group", "sites", "sel");
        for &m in &cols {
            let _ = write!(s, "  {:<30}", MEASURES[m]);
        }
        let _ = writeln!(s);
        for g in &a.groups {
            let _ = write!(s, "  {:<28} {:>6} {:>5}", g.group, g.sites, g.selected);
            let ms = g.measures();
            for &m in &cols {
                let _ = write!(s, "  {:<30}", cell(ms[m]));
            }
            let _ = writeln!(s);
        }
    }
    let _ = writeln!(s, "\nwarnings ({}):", r.warnings.len());
    for w in &r.warnings {
        let _ = writeln!(s, "  ! {w}");
    }
    if r.warnings.is_empty() {
        let _ = writeln!(s, "  none");
    }
    let _ = writeln!(
        s,
        "\nproxy check (possible proxy: largest |standardised mean difference| to the other nationality groups >= {:.2}):",
        r.proxy_threshold
    );
    for p in &r.proxies {
        let _ = writeln!(
            s,
            "  {:<44} eta {:.3}  |SMD| {:>5.2} ({}){}",
            p.feature,
            p.eta,
            p.max_smd,
            p.group.as_deref().unwrap_or("-"),
            if p.possible_proxy {
                "  POSSIBLE PROXY"
            } else {
                ""
            }
        );
    }
    for n in &r.notes {
        let _ = writeln!(s, "note: {n}");
    }
    s
}

/// The audit as Markdown (headings start at `###`).
pub fn markdown(r: &FairnessReport) -> String {
    let mut s = String::new();
    for line in header(r) {
        let _ = writeln!(s, "{line}\n");
    }
    let cols = shown(r);
    for a in &r.attributes {
        let _ = writeln!(s, "### By {}\n", a.attribute.label());
        let _ = write!(s, "| group | sites | selected |");
        for &m in &cols {
            let _ = write!(s, " {} |", MEASURES[m]);
        }
        let _ = write!(s, "\n|---|---:|---:|");
        for _ in &cols {
            let _ = write!(s, "---|");
        }
        let _ = writeln!(s);
        for g in &a.groups {
            let _ = write!(
                s,
                "| {} | {} | {} |",
                g.group.replace('|', "/"),
                g.sites,
                g.selected
            );
            let ms = g.measures();
            for &m in &cols {
                let _ = write!(s, " {} |", cell(ms[m]));
            }
            let _ = writeln!(s);
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "### Warnings\n");
    if r.warnings.is_empty() {
        let _ = writeln!(
            s,
            "No group of at least the minimum size has a ratio outside {:.2}-{:.2}.\n",
            r.band.0, r.band.1
        );
    }
    for w in &r.warnings {
        let _ = writeln!(s, "- {w}");
    }
    let _ = writeln!(
        s,
        "\n### Proxy check\n\nA feature is a possible proxy for nationality when its largest |standardised mean difference| between one nationality group and the others is at least {:.2}.\n",
        r.proxy_threshold
    );
    if r.proxies.is_empty() {
        let _ = writeln!(s, "Not assessed (see the notes).\n");
    } else {
        let _ = writeln!(
            s,
            "| feature | η | max \\|SMD\\| | group | possible proxy |\n|---|---:|---:|---|---|"
        );
        for p in &r.proxies {
            let _ = writeln!(
                s,
                "| {} | {:.3} | {:.2} | {} | {} |",
                p.feature,
                p.eta,
                p.max_smd,
                p.group.as_deref().unwrap_or("-"),
                if p.possible_proxy { "**yes**" } else { "no" }
            );
        }
        let _ = writeln!(s);
    }
    for n in &r.notes {
        let _ = writeln!(s, "- Note: {n}");
    }
    s
}
