//! The proxy check: how strongly each model feature is associated with
//! the nationality groups (see the module doc of `fairness`). Sites
//! without a group, and groups smaller than the minimum, are left out.

use std::collections::BTreeMap;

use super::ProxyLine;

/// Largest |SMD| reported (a constant feature within groups whose means
/// differ has an infinite SMD; JSON has no infinity).
const SMD_CAP: f64 = 99.0;

fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len().max(1) as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var)
}

/// Association of each feature with the groups: η and the largest
/// |standardised mean difference| of one group to the other sites, with
/// `possible_proxy` where it reaches `threshold`. Features come as
/// (name, one value per site); `groups` has one entry per site. Possible
/// proxies first, then by |SMD| descending.
pub fn proxies(
    features: &[(String, Vec<f64>)],
    groups: &[Option<String>],
    min_group: usize,
    threshold: f64,
) -> Vec<ProxyLine> {
    let mut members: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, g) in groups.iter().enumerate() {
        if let Some(g) = g {
            members.entry(g.as_str()).or_default().push(i);
        }
    }
    members.retain(|_, v| v.len() >= min_group.max(2));
    if members.len() < 2 {
        return Vec::new();
    }
    let included: Vec<usize> = members.values().flatten().copied().collect();
    let mut lines: Vec<ProxyLine> = features
        .iter()
        .map(|(name, values)| {
            let at = |i: usize| values.get(i).copied().unwrap_or(0.0);
            let all: Vec<f64> = included.iter().map(|&i| at(i)).collect();
            let (mean, var) = mean_var(&all);
            let total_ss = var * all.len() as f64;
            let mut between = 0.0;
            let mut best: (f64, Option<String>) = (0.0, None);
            for (g, ix) in &members {
                let inside: Vec<f64> = ix.iter().map(|&i| at(i)).collect();
                let (m_in, v_in) = mean_var(&inside);
                between += inside.len() as f64 * (m_in - mean).powi(2);
                // The rest: all included sites minus this group, from sums.
                let n_out = (all.len() - inside.len()) as f64;
                let sum_out = all.iter().sum::<f64>() - inside.iter().sum::<f64>();
                let sq_out = all.iter().map(|x| x * x).sum::<f64>()
                    - inside.iter().map(|x| x * x).sum::<f64>();
                let m_out = sum_out / n_out.max(1.0);
                let v_out = (sq_out / n_out.max(1.0) - m_out * m_out).max(0.0);
                let sd = ((v_in + v_out) / 2.0).sqrt();
                let diff = (m_in - m_out).abs();
                let smd = if sd > 1e-12 {
                    (diff / sd).min(SMD_CAP)
                } else if diff > 1e-12 {
                    SMD_CAP
                } else {
                    0.0
                };
                if smd > best.0 {
                    best = (smd, Some((*g).to_string()));
                }
            }
            let eta = if total_ss > 1e-12 {
                (between / total_ss).clamp(0.0, 1.0).sqrt()
            } else {
                0.0
            };
            ProxyLine {
                feature: name.clone(),
                eta,
                max_smd: best.0,
                group: best.1,
                possible_proxy: best.0 >= threshold,
            }
        })
        .collect();
    lines.sort_by(|a, b| {
        b.possible_proxy
            .cmp(&a.possible_proxy)
            .then(b.max_smd.total_cmp(&a.max_smd))
            .then(a.feature.cmp(&b.feature))
    });
    lines
}
