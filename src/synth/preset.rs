//! World presets of the latent model, chosen with `tilsyn generate --world
//! NAME`: how informative the registers are about the hidden state, how
//! the historical inspections chose the sites they visited, how reliably
//! they recorded what they saw, and whether the pattern shifts during the
//! window.
//!
//! A preset is a plain [`WorldPreset`] of named knobs with one constructor
//! per [`WorldName`]; adding a world is adding a variant, its name and a
//! constructor. [`WorldPreset::baseline`] holds today's constants, and each
//! knob is applied so that its baseline value takes exactly the old path:
//! the same random draws, in the same order, with the same values. A knob
//! that needs a new draw draws only when it differs from the baseline, so
//! `--world baseline` (the default) writes the same bytes as the generator
//! did before presets existed. A non-baseline world is recorded in
//! [`WORLD_FILE`] in the output folder.
//!
//! `docs/synthetic-data.md` ("World presets") gives each preset's values
//! and the reasons for them.

use std::path::Path;

use chrono::{Months, NaiveDate};

use super::params::SynthError;

/// The file that records a non-baseline world in the output folder (a
/// baseline run writes none, and removes a stale one).
pub const WORLD_FILE: &str = "world.toml";

/// The name of a world preset, as on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WorldName {
    /// Today's model, used for the demo data ([`WorldPreset::baseline`]).
    #[default]
    Baseline,
    /// Registers much less informative ([`WorldPreset::faint_signals`]).
    FaintSignals,
    /// Inspections strongly targeted: selection bias ([`WorldPreset::biased_history`]).
    BiasedHistory,
    /// Inspectors miss and misrecord a lot ([`WorldPreset::noisy_findings`]).
    NoisyFindings,
    /// The pattern shifts two thirds into the window ([`WorldPreset::drift`]).
    Drift,
}

impl WorldName {
    /// Every preset, baseline first.
    pub const ALL: [WorldName; 5] = [
        WorldName::Baseline,
        WorldName::FaintSignals,
        WorldName::BiasedHistory,
        WorldName::NoisyFindings,
        WorldName::Drift,
    ];

    /// The name used on the command line and in [`WORLD_FILE`].
    pub fn as_str(self) -> &'static str {
        match self {
            WorldName::Baseline => "baseline",
            WorldName::FaintSignals => "faint-signals",
            WorldName::BiasedHistory => "biased-history",
            WorldName::NoisyFindings => "noisy-findings",
            WorldName::Drift => "drift",
        }
    }

    /// The preset's knobs.
    pub fn preset(self) -> WorldPreset {
        match self {
            WorldName::Baseline => WorldPreset::baseline(),
            WorldName::FaintSignals => WorldPreset::faint_signals(),
            WorldName::BiasedHistory => WorldPreset::biased_history(),
            WorldName::NoisyFindings => WorldPreset::noisy_findings(),
            WorldName::Drift => WorldPreset::drift(),
        }
    }
}

impl std::fmt::Display for WorldName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The knobs of a world. A strength of 1 is today's signal, 0 makes an
/// exploited site look like a clean one in that register, above 1
/// exaggerates the difference (capped where it is a probability).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorldPreset {
    /// Strength of the payroll signals of affected workers at exploited
    /// sites: the pay shortfall (1 − pay factor), the hours above contract
    /// in overtime months, the extra rate of unpaid months (above 0.3 %)
    /// and of pay to third-party accounts (above 1 %). Baseline 1.
    pub payroll_signal: f64,
    /// Strength of the housing signals at exploited sites: the extra
    /// probability of employer housing (+45 points) and the probability
    /// that exploiter housing with abusive conditions is crowded (1); above
    /// 1, exploiter housing without them is crowded with probability
    /// `strength − 1` too. Baseline 1.
    pub housing_signal: f64,
    /// Strength of the other register signals of exploited sites: permit
    /// holders at exploited sites without foreign staff (60 %), recruiter
    /// use (65 % against 25 % / 10 %), bad recruiters (60 %), employer
    /// binding (97 % against 85 %), RUT postings (doubled), bad providers
    /// (50 %) and unnotified postings (35 % against 5 %). Baseline 1.
    pub permit_signal: f64,
    /// Yearly probability of the random arm of the inspection policy. Baseline 0.01.
    pub random_share: f64,
    /// Yearly base probability of the targeted arm. Baseline 0.01.
    pub target_base: f64,
    /// Exponent on the product of the targeting multipliers (sector, size,
    /// smiley, earlier tips, earlier findings, permit holders): 1 is
    /// today's policy, above 1 follows visible risk more steeply. Baseline 1.
    pub targeting: f64,
    /// Targeting multiplier of sites with permit holders (visible in the
    /// permit register). Baseline 1 (none).
    pub permit_target: f64,
    /// Probability that a tip leads to an inspection (also its recorded
    /// selection probability). Baseline 0.35.
    pub tip_follow: f64,
    /// Extra probability that an inspection of an exploited site misses
    /// what it would have detected: the detection probability is
    /// multiplied by `1 − finding_miss`. Baseline 0.
    pub finding_miss: f64,
    /// Probability that a detecting inspection observes each present ILO
    /// indicator. Baseline 0.6.
    pub indicator_seen: f64,
    /// Probability of a lone weak finding at an inspection of a clean site
    /// (a false finding). Baseline 0.03.
    pub false_finding: f64,
    /// Probability of a lone weak finding at an inspection of an exploited
    /// site that did not detect it. Baseline 0.15.
    pub partial_finding: f64,
    /// Probability that an inspection of a clean site is misrecorded as
    /// exploitation (one finding, outcome labour_exploitation, fine or
    /// order): a false positive label. Baseline 0.
    pub false_detection: f64,
    /// A shift of the pattern during the window; baseline none.
    pub drift: Option<Drift>,
}

/// A shift of the pattern at a date inside the window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drift {
    /// Where the shift happens, as a share of the window: the drift date is
    /// the window's first day plus `round(at × window months)` months.
    pub at: f64,
    /// [`WorldPreset::payroll_signal`] in payroll months from the drift
    /// month on (the months before keep the preset's).
    pub payroll_signal: f64,
    /// [`WorldPreset::housing_signal`] for permits starting on or after the
    /// drift date.
    pub housing_signal: f64,
    /// Added to the hidden-state logit's sector effect of the sites of
    /// companies founded on or after the drift date, by sector group:
    /// construction, cleaning, agriculture, hotels and restaurants,
    /// transport, domestic work, fishing, other.
    pub sector_shift: [f64; 8],
}

impl Default for WorldPreset {
    fn default() -> Self {
        WorldPreset::baseline()
    }
}

impl WorldPreset {
    /// Today's model: every knob at the constant the generator has always
    /// used (docs/synthetic-data.md, sections 3–9).
    pub fn baseline() -> WorldPreset {
        WorldPreset {
            payroll_signal: 1.0,
            housing_signal: 1.0,
            permit_signal: 1.0,
            random_share: 0.01,
            target_base: 0.01,
            targeting: 1.0,
            permit_target: 1.0,
            tip_follow: 0.35,
            finding_miss: 0.0,
            indicator_seen: 0.6,
            false_finding: 0.03,
            partial_finding: 0.15,
            false_detection: 0.0,
            drift: None,
        }
    }

    /// Registers much less informative: every register signal at 0.3 of
    /// today's strength. The payroll gap between exploited and clean
    /// workers falls from about 0.36 to about 0.11 of the stated hourly
    /// wage, overtime months from 48–65 to about 40–45 hours a week (below
    /// the 48-hour signal, within reach of clean seasonal overtime), the
    /// extra employer housing from 45 to 13.5 points. The hidden state is
    /// the baseline's of the same seed; tips, smileys, inspections and
    /// planted networks follow the baseline's model.
    pub fn faint_signals() -> WorldPreset {
        WorldPreset {
            payroll_signal: 0.3,
            housing_signal: 0.3,
            permit_signal: 0.3,
            ..WorldPreset::baseline()
        }
    }

    /// Inspections strongly targeted: the random arm falls to 0.2 % a year,
    /// the targeted arm follows its multipliers to the power 1.5 with a
    /// base of 0.4 % and doubles at sites with permit holders, and 80 % of
    /// tips are followed up. About as many inspections as baseline, but
    /// about twice the share of exploited sites among the inspected ones
    /// (about 28 % against 13 %, simulated on the demo data), almost all
    /// in risk sectors, at sites with permit holders or after tips: labels
    /// concentrated where the policy already looked, with few random
    /// visits to correct for it.
    pub fn biased_history() -> WorldPreset {
        WorldPreset {
            random_share: 0.002,
            target_base: 0.004,
            targeting: 1.5,
            permit_target: 2.0,
            tip_follow: 0.8,
            ..WorldPreset::baseline()
        }
    }

    /// Inspectors miss and misrecord a lot: detection falls to 0.55 of
    /// today's (about 0.25–0.47 instead of 0.45–0.85), a detecting visit
    /// sees each present indicator with probability 0.35 instead of 0.6,
    /// 12 % of visits to clean sites record a lone weak finding (3 % in
    /// baseline) and 2 % record exploitation outright. Then about a fifth
    /// of the positive labels (outcomes labour_exploitation, forced_labour,
    /// police_report) are at clean sites, and most exploited sites visited
    /// go unlabelled.
    pub fn noisy_findings() -> WorldPreset {
        WorldPreset {
            finding_miss: 0.45,
            indicator_seen: 0.35,
            false_finding: 0.12,
            false_detection: 0.02,
            ..WorldPreset::baseline()
        }
    }

    /// The pattern shifts two thirds into the window (2025-01-01 with the
    /// default window, so the default 18 payroll months hold 6 months
    /// before and 12 after, and most past inspections predate it):
    /// exploiters move the exploitation out of the payroll (payroll signals
    /// at 0.3 from the drift month) into housing (housing signals at 1.8
    /// for permits starting from the drift date), and companies founded
    /// from the drift date on are exploited less in construction (−1.0 on
    /// the logit), cleaning (−1.0) and agriculture (−0.5) and more in
    /// hotels and restaurants (+0.5), transport (+0.8) and the unflagged
    /// sectors (+0.8): displacement away from the sectors where joint
    /// actions look, a modelling choice.
    pub fn drift() -> WorldPreset {
        WorldPreset {
            drift: Some(Drift {
                at: 2.0 / 3.0,
                payroll_signal: 0.3,
                housing_signal: 1.8,
                sector_shift: [-1.0, -1.0, -0.5, 0.5, 0.8, 0.0, 0.0, 0.8],
            }),
            ..WorldPreset::baseline()
        }
    }

    /// The scalar knobs with their names, in declaration order.
    pub fn knobs(&self) -> [(&'static str, f64); 13] {
        [
            ("payroll_signal", self.payroll_signal),
            ("housing_signal", self.housing_signal),
            ("permit_signal", self.permit_signal),
            ("random_share", self.random_share),
            ("target_base", self.target_base),
            ("targeting", self.targeting),
            ("permit_target", self.permit_target),
            ("tip_follow", self.tip_follow),
            ("finding_miss", self.finding_miss),
            ("indicator_seen", self.indicator_seen),
            ("false_finding", self.false_finding),
            ("partial_finding", self.partial_finding),
            ("false_detection", self.false_detection),
        ]
    }

    /// The first day of the drifted pattern in a window starting `from` of
    /// `years` years; `None` without drift.
    pub fn drift_date(&self, from: NaiveDate, years: u32) -> Option<NaiveDate> {
        let drift = self.drift?;
        let months = (f64::from(12 * years) * drift.at).round().max(0.0) as u32;
        from.checked_add_months(Months::new(months))
    }

    /// The preset as TOML, as written to [`WORLD_FILE`].
    fn toml_text(&self, name: WorldName, drift_date: Option<NaiveDate>) -> String {
        let mut s = format!(
            "# `tilsyn generate --world {name}`: the knobs of the latent model\n\
             # (docs/synthetic-data.md, \"World presets\").\n\
             world = \"{name}\"\n"
        );
        for (key, value) in self.knobs() {
            s.push_str(&format!("{key} = {value:?}\n"));
        }
        if let Some(d) = self.drift {
            s.push_str("\n[drift]\n");
            s.push_str(&format!("at = {:?}\n", d.at));
            if let Some(date) = drift_date {
                s.push_str(&format!("date = {date}\n"));
            }
            s.push_str(&format!("payroll_signal = {:?}\n", d.payroll_signal));
            s.push_str(&format!("housing_signal = {:?}\n", d.housing_signal));
            s.push_str(&format!("sector_shift = {:?}\n", d.sector_shift));
        }
        s
    }
}

/// `base + strength × (signal − base)`: a signal's value at a strength,
/// exactly `signal` at strength 1 (so the baseline keeps today's values).
pub(crate) fn toward(base: f64, signal: f64, strength: f64) -> f64 {
    if strength == 1.0 {
        signal
    } else {
        base + strength * (signal - base)
    }
}

/// Records the world in `dir`: [`WORLD_FILE`] with the preset's knobs for
/// a non-baseline world; for the baseline no file (a stale one from an
/// earlier run into the same folder is removed), so its output is the
/// same set of files as before presets existed.
pub(crate) fn record(
    name: WorldName,
    drift_date: Option<NaiveDate>,
    dir: &Path,
) -> Result<(), SynthError> {
    let path = dir.join(WORLD_FILE);
    if name == WorldName::Baseline {
        return match std::fs::remove_file(&path) {
            Err(source) if source.kind() != std::io::ErrorKind::NotFound => {
                Err(SynthError::Io { path, source })
            }
            _ => Ok(()),
        };
    }
    let text = name.preset().toml_text(name, drift_date);
    std::fs::write(&path, text).map_err(|source| SynthError::Io { path, source })
}

#[cfg(test)]
mod tests;
