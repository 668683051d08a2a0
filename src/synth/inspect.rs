//! Tips and inspections of one site: the reporting process, the biased
//! historical inspection policy (with its random share and the recorded
//! selection probability), and the imperfect detection of the hidden state
//! that produces outcomes and ILO findings.
//!
//! The world preset ([`super::preset`]) sets the policy's random share,
//! base rate, steepness and permit-holder multiplier, the share of tips
//! followed up, and the noise of findings (missed detections, indicators
//! seen, lone false findings, misrecorded exploitation). Its baseline
//! values are today's constants, taking today's path and draws.
//!
//! Parameters and their reasons are in `docs/synthetic-data.md`.

use chrono::NaiveDate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::latent::State;
use super::tables::{INDICATOR_RATES, indicator_index};
use super::world::{Group, World, add_days, chance, date_between, pick, poisson, uniform};

/// Probability of a follow-up after an inspection with findings.
const P_FOLLOW_FINDINGS: f64 = 0.6;
/// Probability of a follow-up after an order, prohibition or fine without findings.
const P_FOLLOW_ORDER: f64 = 0.3;

/// Tip channels and their shares.
const CHANNELS: &[(&str, f64)] = &[
    ("hotline", 0.35),
    ("union", 0.25),
    ("police", 0.10),
    ("public", 0.20),
    ("ngo", 0.10),
];
/// What tips about clean sites report, when they name an indicator.
const CLEAN_TIP_INDICATORS: &[(&str, f64)] = &[
    ("excessive_overtime", 0.35),
    ("abusive_conditions", 0.25),
    ("withholding_of_wages", 0.25),
    ("deception", 0.15),
];
/// Outcomes of inspections that find nothing about exploitation.
const CLEAN_OUTCOMES: &[(&str, f64)] = &[
    ("none", 0.55),
    ("guidance", 0.25),
    ("order", 0.14),
    ("prohibition", 0.02),
    ("fine", 0.04),
];

/// Short English notes for findings, in `INDICATOR_RATES` order.
const NOTES: [&str; 11] = [
    "Workers depend on the employer for permit, housing and work.",
    "Pay and conditions differ from the contract shown to the permit authority.",
    "Workers may not leave the housing without a supervisor.",
    "Workers housed at the site with no transport and little outside contact.",
    "Reports of physical violence against workers.",
    "Workers told they would be reported to immigration if they complained.",
    "Passports held by the employer or a supervisor.",
    "Wages paid late, in part or not at all; some pay routed to third-party accounts.",
    "Workers repay recruitment fees and travel costs through deductions.",
    "Overcrowded employer-provided housing with poor sanitation.",
    "Shifts far beyond the agreed hours, without rest days.",
];

/// What the site simulation knows that tips and inspections depend on.
pub(crate) struct SiteFacts {
    pub(crate) group: Group,
    pub(crate) employees: u32,
    pub(crate) smiley: &'static str,
    pub(crate) state: State,
    pub(crate) severity: f64,
    pub(crate) profile: [bool; 11],
    pub(crate) active_start: NaiveDate,
    pub(crate) workers: u32,
}

/// A tip; `by_company` tips name the company instead of the site.
pub(crate) struct TipOut {
    pub(crate) date: NaiveDate,
    pub(crate) indicator: Option<&'static str>,
    pub(crate) channel: &'static str,
    pub(crate) by_company: bool,
}

/// An ILO indicator observed at an inspection.
pub(crate) struct FindingOut {
    pub(crate) indicator: &'static str,
    pub(crate) workers: Option<u32>,
    pub(crate) note: &'static str,
}

/// An inspection with its findings (sorted by indicator).
pub(crate) struct InspOut {
    pub(crate) date: NaiveDate,
    pub(crate) agency: &'static str,
    pub(crate) trigger: &'static str,
    pub(crate) probability: Option<f64>,
    pub(crate) outcome: &'static str,
    pub(crate) findings: Vec<FindingOut>,
}

impl InspOut {
    /// The probability that this inspection leads to a follow-up.
    fn follow_up_probability(&self) -> f64 {
        if !self.findings.is_empty() {
            P_FOLLOW_FINDINGS
        } else if matches!(self.outcome, "order" | "prohibition" | "fine") {
            P_FOLLOW_ORDER
        } else {
            0.0
        }
    }
}

/// The first day a site can have events in window year `y` and the year's
/// last day, with the share of the year it covers; `None` before the site exists.
fn active_year(
    world: &World,
    f: &SiteFacts,
    y: u32,
) -> Option<(NaiveDate, NaiveDate, NaiveDate, f64)> {
    let (year_start, year_end) = world.year_bounds(y);
    let start = year_start.max(f.active_start);
    if start > year_end {
        return None;
    }
    let frac = (((year_end - start).num_days() + 1) as f64 / 365.0).min(1.0);
    Some((year_start, start, year_end, frac))
}

/// Tips about a site: rare at clean sites, frequent at exploited ones.
pub(crate) fn simulate_tips(world: &World, f: &SiteFacts, rng: &mut ChaCha8Rng) -> Vec<TipOut> {
    let rate = if f.state.exploited() {
        0.10 + 0.30 * f.severity
    } else {
        (if f.group.is_risk() { 0.006 } else { 0.002 }) + if f.workers > 0 { 0.004 } else { 0.0 }
    };
    let present: Vec<&'static str> = INDICATOR_RATES
        .iter()
        .zip(f.profile.iter())
        .filter(|(_, on)| **on)
        .map(|((id, _, _), _)| *id)
        .collect();
    let mut tips = Vec::new();
    for y in 0..world.years {
        let Some((_, start, end, frac)) = active_year(world, f, y) else {
            continue;
        };
        for _ in 0..poisson(rng, rate * frac) {
            let date = date_between(rng, start, end);
            let indicator = if chance(rng, 0.45) {
                None
            } else if present.is_empty() {
                Some(pick(CLEAN_TIP_INDICATORS, rng))
            } else {
                Some(present[rng.gen_range(0..present.len())])
            };
            let channel = pick(CHANNELS, rng);
            let by_company = chance(rng, 0.10);
            tips.push(TipOut {
                date,
                indicator,
                channel,
                by_company,
            });
        }
    }
    tips.sort_by_key(|t| t.date);
    tips
}

/// Rounds a probability to the 2 decimals written, within [0.01, 0.9], so
/// the recorded selection probability is exactly the one used.
fn quantize(p: f64) -> f64 {
    ((p * 100.0).round() / 100.0).clamp(0.01, 0.9)
}

/// Agencies by trigger.
fn agencies(trigger: &str) -> &'static [(&'static str, f64)] {
    match trigger {
        "campaign" => &[("JOINT", 0.6), ("AT", 0.2), ("SKAT", 0.2)],
        "tip" => &[
            ("AT", 0.30),
            ("JOINT", 0.25),
            ("POLICE", 0.15),
            ("SIRI", 0.15),
            ("SKAT", 0.15),
        ],
        _ => &[
            ("AT", 0.62),
            ("SKAT", 0.20),
            ("SIRI", 0.08),
            ("JOINT", 0.08),
            ("POLICE", 0.02),
        ],
    }
}

/// Probability that an agency's inspection detects exploitation (before the severity bonus).
fn detection(agency: &str) -> f64 {
    match agency {
        "JOINT" => 0.65,
        "POLICE" => 0.70,
        "SIRI" => 0.50,
        _ => 0.45,
    }
}

/// Inspections of a site over the window under the biased historical policy.
pub(crate) fn simulate_inspections(
    world: &World,
    f: &SiteFacts,
    tips: &[TipOut],
    rng: &mut ChaCha8Rng,
) -> Vec<InspOut> {
    let sector_mult = if f.group.is_risk() { 3.0 } else { 1.0 };
    let size_mult = match f.employees {
        0 => 0.5,
        1..=9 => 1.0,
        10..=49 => 1.6,
        _ => 2.5,
    };
    let smiley_mult = match f.smiley {
        "red" => 2.5,
        "yellow" => 1.4,
        _ => 1.0,
    };
    let policy = &world.preset;
    let mut done: Vec<InspOut> = Vec::new();
    for y in 0..world.years {
        let Some((year_start, start, end, frac)) = active_year(world, f, y) else {
            continue;
        };
        let tip_mult = if tips.iter().any(|t| t.date < year_start) {
            2.5
        } else {
            1.0
        };
        let finding_mult = if done
            .iter()
            .any(|i| i.date < year_start && !i.findings.is_empty())
        {
            2.0
        } else {
            1.0
        };
        let p_target = if policy.targeting != 1.0 || policy.permit_target != 1.0 {
            // Biased worlds only: a multiplier for sites with permit
            // holders, and the product raised to the targeting exponent.
            let permit_mult = if f.workers > 0 {
                policy.permit_target
            } else {
                1.0
            };
            let mult =
                sector_mult * size_mult * smiley_mult * tip_mult * finding_mult * permit_mult;
            policy.target_base * mult.powf(policy.targeting)
        } else {
            policy.target_base * sector_mult * size_mult * smiley_mult * tip_mult * finding_mult
        };
        let p_year = 1.0 - (1.0 - policy.random_share) * (1.0 - p_target.min(0.9));
        let p = quantize(p_year * frac);
        let mut scheduled: Vec<(NaiveDate, &'static str, f64)> = Vec::new();
        if chance(rng, p) {
            let trigger = if chance(rng, policy.random_share / p_year) {
                "random"
            } else if f.group.is_risk() && chance(rng, 0.3) {
                "campaign"
            } else {
                "risk"
            };
            scheduled.push((date_between(rng, start, end), trigger, p));
        }
        for t in tips.iter().filter(|t| t.date >= start && t.date <= end) {
            if chance(rng, policy.tip_follow) {
                let date = add_days(t.date, rng.gen_range(7..=90));
                if date <= world.as_of {
                    scheduled.push((date, "tip", policy.tip_follow));
                }
            }
        }
        scheduled.sort_by_key(|s| s.0);
        for (date, trigger, p) in scheduled {
            let agency = pick(agencies(trigger), rng);
            let first = inspect(world, f, rng, date, agency, trigger, p);
            let p_follow = first.follow_up_probability();
            done.push(first);
            if p_follow > 0.0 && chance(rng, p_follow) {
                let date = add_days(date, rng.gen_range(30..=180));
                if date <= world.as_of {
                    let agency = if chance(rng, 0.8) { agency } else { "JOINT" };
                    done.push(inspect(world, f, rng, date, agency, "follow_up", p_follow));
                }
            }
        }
    }
    done.sort_by_key(|i| i.date);
    done
}

/// One inspection: detects the hidden state imperfectly and records the
/// outcome and findings.
fn inspect(
    world: &World,
    f: &SiteFacts,
    rng: &mut ChaCha8Rng,
    date: NaiveDate,
    agency: &'static str,
    trigger: &'static str,
    p: f64,
) -> InspOut {
    let noise = &world.preset;
    let present: Vec<usize> = (0..f.profile.len()).filter(|&i| f.profile[i]).collect();
    let mut findings = Vec::new();
    let p_detect = (detection(agency) + 0.15 * f.severity).min(0.95);
    let p_detect = if noise.finding_miss > 0.0 {
        p_detect * (1.0 - noise.finding_miss)
    } else {
        p_detect
    };
    let detected = f.state.exploited() && !present.is_empty() && chance(rng, p_detect);
    let outcome = if detected {
        let mut seen: Vec<usize> = Vec::with_capacity(present.len());
        for &i in &present {
            if chance(rng, noise.indicator_seen) {
                seen.push(i);
            }
        }
        if seen.is_empty() {
            seen.push(present[rng.gen_range(0..present.len())]);
        }
        while seen.len() > 4 {
            let drop = rng.gen_range(0..seen.len());
            seen.remove(drop);
        }
        let exposed = f64::from(f.workers.max(f.employees / 2).max(1));
        for i in seen {
            let workers = (exposed * uniform(rng, 0.3, 1.0)).round().max(1.0) as u32;
            findings.push(FindingOut {
                indicator: INDICATOR_RATES[i].0,
                workers: (!world.blank(rng, 0.10)).then_some(workers),
                note: NOTES[i],
            });
        }
        if f.state == State::ForcedLabour {
            pick(
                &[
                    ("forced_labour", 0.45),
                    ("police_report", 0.35),
                    ("labour_exploitation", 0.20),
                ],
                rng,
            )
        } else {
            pick(
                &[
                    ("labour_exploitation", 0.55),
                    ("police_report", 0.15),
                    ("fine", 0.20),
                    ("order", 0.10),
                ],
                rng,
            )
        }
    } else if !f.state.exploited()
        && noise.false_detection > 0.0
        && chance(rng, noise.false_detection)
    {
        // Noisy worlds only: a clean site misrecorded as exploitation.
        let indicator = pick(CLEAN_TIP_INDICATORS, rng);
        let workers = rng.gen_range(1..=3u32);
        findings.push(FindingOut {
            indicator,
            workers: (!world.blank(rng, 0.10)).then_some(workers),
            note: NOTES[indicator_index(indicator)],
        });
        pick(
            &[
                ("labour_exploitation", 0.60),
                ("fine", 0.25),
                ("order", 0.15),
            ],
            rng,
        )
    } else {
        // A partial glimpse at an exploited site, or a false positive at a clean one.
        let p_lone = if f.state.exploited() {
            noise.partial_finding
        } else {
            noise.false_finding
        };
        if chance(rng, p_lone) {
            let (indicator, note) = if chance(rng, 0.5) {
                (
                    "excessive_overtime",
                    "Overtime above the agreed limit in a busy period; no other indicators.",
                )
            } else {
                (
                    "abusive_conditions",
                    "Shortcomings in welfare facilities; no other indicators.",
                )
            };
            let workers = rng.gen_range(1..=2u32);
            findings.push(FindingOut {
                indicator,
                workers: (!world.blank(rng, 0.10)).then_some(workers),
                note,
            });
            pick(&[("guidance", 0.5), ("order", 0.5)], rng)
        } else {
            pick(CLEAN_OUTCOMES, rng)
        }
    };
    findings.sort_by_key(|x| x.indicator);
    InspOut {
        date,
        agency,
        trigger,
        probability: (!world.blank(rng, 0.08)).then_some(p),
        outcome,
        findings,
    }
}
