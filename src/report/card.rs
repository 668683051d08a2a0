//! The model card and algorithm-register record (`tilsyn card`): one
//! Markdown document, written from the model file alone (plus the
//! fairness audit when data is given), so what it states about data,
//! label, features and accuracy is what the file holds. It covers the AI
//! Act's instructions for use (Art. 13: purpose, accuracy and its limits)
//! and the fields of a public algorithm register entry (the Dutch
//! algoritmeregister: purpose, human intervention, data, legal basis, risk
//! management), with the legal basis left as a placeholder for the
//! deploying authority to fill.

use std::fmt::Write as _;

use crate::fairness::{FairnessReport, render};
use crate::model::ModelFile;
use crate::model::file::Metrics;

/// What the card is written from.
#[derive(Debug, Clone, Copy)]
pub struct CardInput<'a> {
    /// The model file.
    pub model: &'a ModelFile,
    /// Where it was read from.
    pub model_path: &'a str,
    /// SHA-256 of the file's bytes.
    pub model_sha256: &'a str,
    /// The fairness audit, when it was run.
    pub fairness: Option<&'a FairnessReport>,
}

const INTENDED_USE: &str = "\
- **Purpose.** Rank Danish workplaces (production units) by the risk that an inspection would find labour exploitation or forced labour, so that scarce visits by the Working Environment Authority, the tax authority, SIRI and the police go where they matter.
- **Users.** Inspectors planning visits within a fixed capacity; police intelligence analysts prioritising cases; employers screening themselves and their subcontractors (self-assessment mode).
- **Output.** A ranked list of *workplaces*, each with its ILO indicator profile, the evidence and register signals behind it with their dates, the model's largest contributions, and the data that was missing. The list is a recommendation: a person decides which sites are visited, and every removal or addition is recorded with its reason in the audit log (`tilsyn audit`).
- **Exploration.** Every plan keeps a random share of visits (default 10%) with a recorded selection probability, so that next year's outcomes are not only where the model already looked.
";

const NOT_FOR: &str = "\
- **No sanction without a human decision.** A rank is a reason to look, never a finding: no fine, order, permit decision or police measure may rest on the score; it rests on what an inspection establishes.
- **Not a score of persons.** The model scores workplaces. It must not be used to assess, profile or rank natural persons (workers, owners, managers, sole traders) or their risk of offending (AI Act Art. 5(1)(d) and Annex III point 6).
- **No protected attributes.** Nationality, ethnicity, religion, health or place of birth are never model features (training refuses them); nationality is read only by the fairness audit below.
- **Not outside its data.** Not for sectors, regions or periods the training data did not cover, and not after the data it is applied to has drifted from the training data without re-validation.
- **Not as a secret list.** The indicators, weights and this card are public; an affected undertaking can obtain the explanation of its rank (`tilsyn explain`).
";

const LIMITS: &str = "\
- **Selection bias.** Only inspected sites have labels, and past inspections were partly risk-driven. Training weights by inverse selection probability where it is recorded, and the metrics below are measured on inspections, not on all sites; the population estimate uses the same weights.
- **Labels are imperfect.** An inspection that found nothing does not prove there was nothing; forced labour is under-detected, so precision is a lower bound on what visits find and recall is measured only among what inspections found.
- **Intervals.** Every metric carries a bootstrap 95% interval over test inspections; small test periods give wide intervals. Read the interval, not the point.
- **Time.** The test period is the latest one, after every training inspection (no random split). Performance can change as practices and registers change: re-validate at least yearly and after any change in the input data.
- **Evidence expiry.** Recorded evidence older than the catalogue's `expire_days` (default 5 years; `--expire-days`) no longer counts in the rules score and the ILO tier.
- **Calibration.** Probabilities are calibrated on inspected sites; see the expected calibration error below before reading a probability as a frequency.
";

fn metrics_section(s: &mut String, m: &Metrics) {
    let _ = writeln!(
        s,
        "Held out: inspections from {} onwards ({} test inspections, {} of which found exploitation; {} training inspections before it).\n",
        m.split_date, m.n_test, m.test_positives, m.n_train
    );
    let _ = writeln!(s, "| metric | value [bootstrap 95% interval] |\n|---|---|");
    let _ = writeln!(s, "| ROC AUC | {} |", m.auc);
    if let Some(r) = m.rules_auc {
        let _ = writeln!(s, "| ROC AUC of the transparent rules scorer | {r:.3} |");
    }
    let _ = writeln!(
        s,
        "| rate found by the historical selection | {:.3} |",
        m.historical_rate
    );
    let _ = writeln!(
        s,
        "| population rate (inverse-propensity estimate) | {:.3} |",
        m.population_rate
    );
    let _ = writeln!(
        s,
        "| expected calibration error | {:.3} |\n",
        m.calibration_error
    );
    let _ = writeln!(
        s,
        "| plan size | k | precision | recall | rules precision | lift over random | lift over historical |\n|---|---:|---|---|---:|---:|---:|"
    );
    for a in &m.at_k {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.3} | {:.2} | {:.2} |",
            a.label,
            a.k,
            a.precision,
            a.recall,
            a.rules_precision,
            a.lift_random,
            a.lift_historical
        );
    }
    let _ = writeln!(s, "\nCalibration by decile of the predicted probability:\n");
    let _ = writeln!(
        s,
        "| decile | inspections | predicted | observed |\n|---:|---:|---:|---:|"
    );
    for b in &m.calibration {
        let _ = writeln!(
            s,
            "| {} | {} | {:.3} | {:.3} |",
            b.decile, b.n, b.predicted, b.observed
        );
    }
    let _ = writeln!(s);
}

/// Writes the card.
pub fn card(input: &CardInput<'_>) -> String {
    let m = input.model;
    let mut s = String::new();
    let kind = m.kind.name();
    let _ = writeln!(
        s,
        "# Model card and algorithm record: tilsyn workplace risk model\n"
    );
    let _ = writeln!(s, "| field | value |\n|---|---|");
    for (k, v) in [
        ("model", format!("{kind} ({} features)", m.features.len())),
        ("file", format!("`{}`", input.model_path)),
        ("file SHA-256", format!("`{}`", input.model_sha256)),
        ("written by", format!("tilsyn {}", m.tilsyn_version)),
        ("format", m.format.to_string()),
        ("data as of", m.trained_as_of.clone()),
        (
            "training data fingerprint (SHA-256)",
            format!("`{}`", m.data_fingerprint),
        ),
        (
            "indicator catalogue fingerprint (SHA-256)",
            format!("`{}`", m.catalogue_fingerprint),
        ),
        ("parameters", format!("`{}`", m.params)),
    ] {
        let _ = writeln!(s, "| {k} | {v} |");
    }
    let _ = writeln!(s, "\n## Intended use and users\n\n{INTENDED_USE}");
    let _ = writeln!(s, "## What it must not be used for\n\n{NOT_FOR}");
    let _ = writeln!(s, "## Data sources and dates\n");
    let _ = writeln!(
        s,
        "- Input tables (the canonical tables of tilsyn's input contract, where present): sites (production units, CVR/P-numbers), work and residence permits (SIRI), postings of foreign service providers (RUT), payroll (eIndkomst), residences, inspections and their findings, tips, and company roles. Identifiers of persons are pseudonyms."
    );
    let _ = writeln!(
        s,
        "- Training inspections: {} to {}.",
        m.training_period.0, m.training_period.1
    );
    match &m.test_period {
        Some((a, b)) => {
            let _ = writeln!(s, "- Test (held-out) inspections: {a} to {b}.");
        }
        None => {
            let _ = writeln!(
                s,
                "- No held-out period: every inspection was used for training."
            );
        }
    }
    let _ = writeln!(
        s,
        "- Latest record in the training data: {}. Features of each training example use only records dated before its inspection.\n",
        m.trained_as_of
    );
    let _ = writeln!(
        s,
        "## Label\n\nAn inspection counts as having found labour exploitation when: {}.\n",
        m.label.describe()
    );
    let _ = writeln!(
        s,
        "## Features\n\n{} features, each standardised on the training inspections:\n",
        m.features.len()
    );
    for f in &m.features {
        let _ = writeln!(s, "- `{}` ({:?})", f.name, f.transform);
    }
    let _ = writeln!(s, "\n## Accuracy on the held-out period\n");
    match &m.metrics {
        Some(x) => metrics_section(&mut s, x),
        None => {
            let _ = writeln!(
                s,
                "The model file holds no held-out metrics: it must not be used for planning until evaluated (`tilsyn evaluate`).\n"
            );
        }
    }
    if !m.comparison.is_empty() {
        let _ = writeln!(
            s,
            "Candidates compared on the same split (the validation slice chooses; a learner must beat the rules score there in 99% of resamples; the test period only reports):\n"
        );
        let _ = writeln!(
            s,
            "| candidate | validation precision, top 5/10/20% | beats the rules score in | validation AUC | held-out AUC | held-out precision, top 5% |\n|---|---|---|---|---|---|"
        );
        let num =
            |x: Option<f64>, d: usize| x.map_or_else(|| "n/a".to_string(), |a| format!("{a:.d$}"));
        for c in &m.comparison {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {:.3} |",
                c.kind.name(),
                num(c.validation_precision, 3),
                c.beats_rules.map_or_else(
                    || "-".to_string(),
                    |b| format!("{:.0}% of resamples", b * 100.0)
                ),
                num(c.validation_auc, 3),
                num(c.auc, 3),
                c.precision_top5
            );
        }
        let _ = writeln!(s);
        if !m.chosen_because.is_empty() {
            let _ = writeln!(s, "Kept {}.\n", m.chosen_because);
        }
    }
    let _ = writeln!(s, "## Limits\n\n{LIMITS}");
    let _ = writeln!(s, "## Fairness\n");
    match input.fairness {
        Some(f) => {
            let _ = writeln!(s, "{}", render::markdown(f));
        }
        None => {
            let _ = writeln!(
                s,
                "The fairness audit was not run for this card (pass `--data DIR` to `tilsyn card`, or run `tilsyn fairness`). Before use, run it on the data the model will score: selection rate, precision and recall by region, municipality, sector risk group, company size and nationality mix, and the proxy check of every feature against nationality.\n"
            );
        }
    }
    register(&mut s, m);
    s
}

/// The public algorithm register record.
fn register(s: &mut String, m: &ModelFile) {
    let _ = writeln!(s, "## Algorithm register record\n");
    let rows = [
        ("Name", "tilsyn: risk-based selection of workplaces for labour inspection".to_string()),
        ("Purpose and impact", "Prioritise inspection visits to workplaces where forced labour and labour exploitation are most likely, so that victims are found sooner with the same capacity. Affects which undertakings are visited; it decides nothing about them.".to_string()),
        ("Human intervention", "The tool recommends a visit plan; an inspector decides. Any recommended site can be removed and any other added, with a reason that is required and logged. Every plan shown, with its scores, ranks, reasons and the decisions, is recorded in a hash-chained audit log; the follow rate of recommendations is monitored (`tilsyn audit follow-rate`) against automation bias. Sanctions follow only from what an inspection establishes.".to_string()),
        ("Data", format!("Registers of workplaces, permits, postings, payroll, residences, inspections, findings, tips and company roles (pseudonymised persons). Training inspections {} to {}; data fingerprint `{}`. Nationality is not a feature; it is used only for the fairness audit.", m.training_period.0, m.training_period.1, m.data_fingerprint)),
        ("Legal basis", "[TO BE FILLED IN by the deploying authority: the national provision for developing and retraining the model, and the separate provision for operating it (cf. Datatilsynet opinion 2023-212-0015); GDPR Art. 6(1)(e) and 6(3); the Law Enforcement Directive (2016/680) where police use it.]".to_string()),
        ("Risk management", "Time-split evaluation with bootstrap intervals; a random exploration share in every plan; inverse-propensity weighting; fairness audit by region, municipality, sector, size and nationality mix with a proxy check; expiry of old evidence; tamper-evident audit log; yearly re-validation. High-risk AI system standards (AI Act Arts. 9-15) are applied regardless of classification.".to_string()),
        ("Technical design", format!("Indicator rules from a public catalogue (ILO indicators of forced labour, Delphi strengths) plus a {:?} model on {} features; explanation of every rank.", m.kind, m.features.len())),
        ("Impact assessment", "[TO BE FILLED IN: DPIA (GDPR Art. 35) and fundamental-rights impact assessment (AI Act Art. 27), with dates and where they are published.]".to_string()),
        ("Status", "[TO BE FILLED IN: in development / in use since DATE / retired.]".to_string()),
        ("Contact", "[TO BE FILLED IN: the responsible unit and how an affected party asks for an explanation or a correction.]".to_string()),
    ];
    let _ = writeln!(s, "| field | entry |\n|---|---|");
    for (k, v) in rows {
        let _ = writeln!(s, "| {k} | {v} |");
    }
}
