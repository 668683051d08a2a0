//! The fixed lookup tables of the latent model: pay thresholds by year,
//! permit schemes and nationalities by sector group, the ILO indicators'
//! base rates with their notes' order, and the Danish names and streets of
//! the synthetic companies.
//!
//! Every table is documented with its reason in `docs/synthetic-data.md`.

use super::world::Group;

/// The annual pay-limit threshold (beløbsordningen) in a year, DKK.
///
/// 2025 and 2026 are from SIRI (docs/sources.md and `schemes.csv`); 2023 and
/// 2024 are the published amounts as remembered (unverified); other years
/// grow or shrink 4.5 % a year from 2025.
pub(crate) fn pay_limit(year: i32) -> f64 {
    match year {
        2023 => 465_000.0,
        2024 => 487_000.0,
        2025 => 514_000.0,
        2026 => 552_000.0,
        y => 514_000.0 * 1.045_f64.powi(y - 2025),
    }
}

/// The annual supplementary pay-limit threshold in a year, DKK (SIRI, docs/sources.md:
/// 375,000 at launch in 2023, 393,000 in 2024, 415,000 in 2025,
/// 446,000 in 2026; 4.5 % a year outside).
pub(crate) fn supplementary_pay_limit(year: i32) -> f64 {
    match year {
        2023 => 375_000.0,
        2024 => 393_000.0,
        2025 => 415_000.0,
        2026 => 446_000.0,
        y => 415_000.0 * 1.045_f64.powi(y - 2025),
    }
}

/// Permit schemes by sector group (ids from `schema::SCHEMES`).
pub(crate) fn schemes(group: Group) -> &'static [(&'static str, f64)] {
    match group {
        Group::Construction => &[
            ("positive_list_skilled", 0.45),
            ("supplementary_pay_limit", 0.2),
            ("pay_limit", 0.15),
            ("trainee", 0.1),
            ("other", 0.1),
        ],
        Group::Cleaning => &[
            ("supplementary_pay_limit", 0.45),
            ("positive_list_skilled", 0.2),
            ("pay_limit", 0.1),
            ("other", 0.25),
        ],
        Group::Agriculture => &[
            ("herdsman_farm_hand", 0.55),
            ("trainee", 0.2),
            ("supplementary_pay_limit", 0.1),
            ("positive_list_skilled", 0.1),
            ("other", 0.05),
        ],
        Group::Hotels => &[
            ("supplementary_pay_limit", 0.35),
            ("positive_list_skilled", 0.3),
            ("pay_limit", 0.15),
            ("other", 0.2),
        ],
        Group::Transport => &[
            ("supplementary_pay_limit", 0.35),
            ("positive_list_skilled", 0.35),
            ("pay_limit", 0.2),
            ("other", 0.1),
        ],
        Group::Domestic => &[("au_pair", 0.85), ("other", 0.15)],
        Group::Fishing => &[
            ("other", 0.5),
            ("supplementary_pay_limit", 0.3),
            ("positive_list_skilled", 0.2),
        ],
        Group::Other => &[
            ("pay_limit", 0.45),
            ("fast_track", 0.25),
            ("positive_list_higher_ed", 0.15),
            ("supplementary_pay_limit", 0.1),
            ("other", 0.05),
        ],
    }
}

/// Nationalities (ISO alpha-3) of permit holders by sector group. The draw
/// depends on the sector only, never on the hidden state: nationality is a
/// protected attribute the tool must not be able to learn from.
pub(crate) fn nationalities(group: Group) -> &'static [(&'static str, f64)] {
    match group {
        Group::Construction => &[
            ("UKR", 0.35),
            ("IND", 0.15),
            ("PHL", 0.1),
            ("SRB", 0.08),
            ("BIH", 0.07),
            ("TUR", 0.1),
            ("VNM", 0.05),
            ("CHN", 0.05),
            ("BRA", 0.05),
        ],
        Group::Cleaning => &[
            ("PHL", 0.25),
            ("UKR", 0.2),
            ("NPL", 0.15),
            ("THA", 0.1),
            ("VNM", 0.1),
            ("BRA", 0.1),
            ("IND", 0.1),
        ],
        Group::Agriculture => &[
            ("UKR", 0.35),
            ("NPL", 0.15),
            ("PHL", 0.1),
            ("VNM", 0.1),
            ("THA", 0.1),
            ("IND", 0.1),
            ("LKA", 0.05),
            ("BLR", 0.05),
        ],
        Group::Hotels => &[
            ("IND", 0.2),
            ("NPL", 0.15),
            ("THA", 0.15),
            ("VNM", 0.15),
            ("CHN", 0.1),
            ("UKR", 0.1),
            ("PHL", 0.1),
            ("BRA", 0.05),
        ],
        Group::Transport => &[
            ("UKR", 0.3),
            ("IND", 0.2),
            ("PHL", 0.15),
            ("BLR", 0.1),
            ("TUR", 0.1),
            ("SRB", 0.1),
            ("UZB", 0.05),
        ],
        Group::Domestic => &[
            ("PHL", 0.75),
            ("THA", 0.08),
            ("UKR", 0.07),
            ("IDN", 0.05),
            ("KEN", 0.05),
        ],
        Group::Fishing => &[
            ("PHL", 0.35),
            ("UKR", 0.25),
            ("IDN", 0.15),
            ("RUS", 0.1),
            ("GHA", 0.15),
        ],
        Group::Other => &[
            ("IND", 0.3),
            ("CHN", 0.12),
            ("USA", 0.1),
            ("GBR", 0.08),
            ("BRA", 0.08),
            ("PHL", 0.06),
            ("UKR", 0.06),
            ("TUR", 0.05),
            ("IRN", 0.05),
            ("PAK", 0.05),
            ("VNM", 0.05),
        ],
    }
}

/// Danish surnames for company names.
pub(crate) const SURNAMES: &[&str] = &[
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Østergaard",
    "Kjær",
    "Dahl",
    "Bæk",
    "Lund",
    "Holm",
    "Skovgaard",
    "Aagaard",
    "Bøgh",
    "Søndergaard",
    "Vestergård",
    "Frølund",
    "Nørgaard",
];

/// Business words for company names, by sector group.
pub(crate) fn business_words(group: Group) -> &'static [&'static str] {
    match group {
        Group::Construction => &[
            "Byg",
            "Tømrer",
            "Murer",
            "Entreprise",
            "Byggeservice",
            "Facadeservice",
        ],
        Group::Cleaning => &[
            "Rengøring",
            "Service",
            "Facility",
            "Vinduespolering",
            "Rengøringsservice",
        ],
        Group::Agriculture => &[
            "Gartneri",
            "Agro",
            "Landbrug",
            "Planteskole",
            "Grønt",
            "Svineproduktion",
        ],
        Group::Hotels => &[
            "Restaurant",
            "Pizzeria",
            "Hotel",
            "Køkken",
            "Café",
            "Grill",
            "Kro",
        ],
        Group::Transport => &[
            "Transport",
            "Logistik",
            "Vognmandsforretning",
            "Kurér",
            "Fragt",
        ],
        Group::Domestic => &["Hjemmeservice", "Husservice", "Hjemmehjælp"],
        Group::Fishing => &["Fiskeri", "Havfiskeri", "Fiskeeksport"],
        Group::Other => &[
            "Handel",
            "Consult",
            "Design",
            "Auto",
            "El-service",
            "VVS",
            "Data",
            "Invest",
            "Holding",
            "Tandklinik",
            "Revision",
            "Ejendomme",
            "Maskinfabrik",
            "Boghandel",
        ],
    }
}

/// Street names for site addresses.
pub(crate) const STREETS: &[&str] = &[
    "Vestergade",
    "Østergade",
    "Nørregade",
    "Søndergade",
    "Industrivej",
    "Håndværkervej",
    "Møllevej",
    "Skovvej",
    "Kirkevej",
    "Stationsvej",
    "Bygaden",
    "Engvej",
    "Åvej",
    "Fabriksvej",
    "Havnegade",
    "Landevejen",
    "Grønnegade",
    "Ålborgvej",
    "Præstevænget",
    "Smedevej",
    "Bøgevej",
    "Æblehaven",
    "Tværvej",
    "Hovedgaden",
];

/// The ILO indicator ids with their base probability of being present at
/// a site in the exploitation state and in the forced-labour state.
/// Coercion indicators cluster in the forced-labour state, which gives the
/// co-occurrence structure (see `docs/synthetic-data.md`).
pub(crate) const INDICATOR_RATES: [(&str, f64, f64); 11] = [
    ("abuse_of_vulnerability", 0.30, 0.65),
    ("deception", 0.45, 0.70),
    ("restriction_of_movement", 0.02, 0.30),
    ("isolation", 0.05, 0.35),
    ("physical_sexual_violence", 0.005, 0.08),
    ("intimidation_threats", 0.08, 0.50),
    ("retention_of_documents", 0.06, 0.50),
    ("withholding_of_wages", 0.50, 0.70),
    ("debt_bondage", 0.12, 0.55),
    ("abusive_conditions", 0.45, 0.65),
    ("excessive_overtime", 0.65, 0.80),
];

/// Position of an indicator id in [`INDICATOR_RATES`] (and `ILO_INDICATORS`).
pub(crate) fn indicator_index(id: &str) -> usize {
    INDICATOR_RATES
        .iter()
        .position(|(name, _, _)| *name == id)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::reference::ReferenceData;
    use crate::data::schema::{ILO_INDICATORS, SCHEMES};

    #[test]
    fn lookup_tables_use_the_schema_ids() {
        let ids: Vec<&str> = INDICATOR_RATES.iter().map(|(id, _, _)| *id).collect();
        assert_eq!(ids, ILO_INDICATORS.to_vec());
        for (group, _) in Group::SHARES {
            for (scheme, _) in schemes(group) {
                assert!(SCHEMES.contains(scheme), "{scheme}");
            }
            for (nat, _) in nationalities(group) {
                assert!(
                    nat.len() == 3 && nat.chars().all(|c| c.is_ascii_uppercase()),
                    "{nat}"
                );
            }
        }
        let share: f64 = Group::SHARES.iter().map(|(_, w)| w).sum();
        assert!((share - 1.0).abs() < 1e-9);
    }

    #[test]
    fn pay_thresholds_match_the_reference_schemes() {
        let rd = ReferenceData::bundled();
        for s in &rd.schemes {
            let (got25, got26) = match s.scheme.as_str() {
                "pay_limit" => (pay_limit(2025), pay_limit(2026)),
                "supplementary_pay_limit" => {
                    (supplementary_pay_limit(2025), supplementary_pay_limit(2026))
                }
                _ => continue,
            };
            assert_eq!(Some(got25), s.pay_threshold_2025_dkk, "{}", s.scheme);
            assert_eq!(Some(got26), s.pay_threshold_2026_dkk, "{}", s.scheme);
        }
    }
}
