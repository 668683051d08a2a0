//! The vocabulary of real exports: the usual Danish and English headers of
//! each canonical column, and the Danish terms of enumeration values.

/// A name for comparing headers: lower case, Danish letters spelt out
/// (æ→ae, ø→oe, å→aa), accents dropped, punctuation and spaces removed.
pub(super) fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().to_lowercase().chars() {
        match c {
            'æ' | 'ä' => out.push_str("ae"),
            'ø' | 'ö' | 'œ' => out.push_str("oe"),
            'å' => out.push_str("aa"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'á' | 'à' | 'â' | 'ã' => out.push('a'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'í' | 'ì' | 'î' | 'ï' => out.push('i'),
            'ó' | 'ò' | 'ô' | 'õ' => out.push('o'),
            'ú' | 'ù' | 'û' => out.push('u'),
            'ç' => out.push('c'),
            'ñ' => out.push('n'),
            c if c.is_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

/// A header without its notes in brackets (`Månedsløn (kr)` → `Månedsløn `).
pub(super) fn strip_brackets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The usual names of a canonical column in agency exports, Danish and
/// English (the canonical name itself is always one).
pub(super) fn synonyms(column: &str) -> &'static [&'static str] {
    match column {
        "site_id" => &[
            "P-nummer",
            "pnr",
            "p_nummer",
            "p-nr",
            "produktionsenhed",
            "produktionsenhedsnummer",
            "p-enhed",
            "workplace",
            "workplace_id",
            "arbejdssted",
            "site",
        ],
        "company_id" => &[
            "CVR-nummer",
            "cvr",
            "cvrnr",
            "cvr-nr",
            "virksomhedsnummer",
            "company",
        ],
        "name" => &[
            "Navn",
            "virksomhedsnavn",
            "firmanavn",
            "arbejdsstedsnavn",
            "produktionsenhedsnavn",
        ],
        "address" => &[
            "Adresse",
            "beliggenhedsadresse",
            "beliggenhed",
            "vejadresse",
        ],
        "postcode" => &["Postnr", "postnummer", "post nr", "postal code", "zip"],
        "municipality_code" => &[
            "Kommunekode",
            "kommunenr",
            "kommunenummer",
            "kommune",
            "municipality",
        ],
        "lat" => &["Bredde", "breddegrad", "latitude"],
        "lon" => &["Længde", "længdegrad", "longitude", "lng"],
        "sector_code" => &[
            "Branchekode",
            "DB07",
            "branche_kode",
            "db07 kode",
            "nace",
            "branche",
            "hovedbranche",
            "sector",
        ],
        "employees" => &[
            "Ansatte",
            "antal ansatte",
            "medarbejdere",
            "antal medarbejdere",
            "beskæftigede",
            "employees",
        ],
        "company_founded" => &[
            "Stiftet",
            "stiftelsesdato",
            "startdato",
            "stiftelsesår",
            "etableret",
            "founded",
        ],
        "legal_form" => &["Virksomhedsform", "selskabsform", "ejerform", "legal form"],
        "smiley" => &["Smiley", "smileystatus"],
        "permit_id" => &[
            "Sagsnr",
            "sagsnummer",
            "tilladelse",
            "tilladelsesnr",
            "tilladelses-id",
            "journalnummer",
            "permit",
        ],
        "person_id" => &[
            "person",
            "personnummer",
            "cpr",
            "cpr-nr",
            "cpr-nummer",
            "pseudonym",
            "Person-pseudonym",
            "person id",
            "udlænding",
            "ansøger",
        ],
        "scheme" => &["Ordning", "ordningstype", "tilladelsestype", "scheme"],
        "start_date" => &[
            "Startdato",
            "fra",
            "gyldig fra",
            "fra dato",
            "start",
            "begyndelsesdato",
        ],
        "end_date" => &[
            "Slutdato",
            "til",
            "gyldig til",
            "til dato",
            "slut",
            "udløbsdato",
            "ophørsdato",
        ],
        "stated_monthly_pay_dkk" => &[
            "Månedsløn",
            "maanedsloen",
            "løn",
            "løn pr måned",
            "månedlig løn",
            "monthly pay",
        ],
        "stated_weekly_hours" => &[
            "Ugentlige timer",
            "timer pr uge",
            "ugentlig arbejdstid",
            "arbejdstid",
            "timer",
            "weekly hours",
        ],
        "employer_housing" => &[
            "Bolig via arbejdsgiver",
            "arbejdsgiverbolig",
            "bolig",
            "employer housing",
        ],
        "employer_bound" => &[
            "Bundet til arbejdsgiver",
            "arbejdsgiverbundet",
            "bundet",
            "employer bound",
        ],
        "recruiter_id" => &[
            "Formidler",
            "rekrutteringsbureau",
            "rekrutterer",
            "recruiter",
        ],
        "nationality" => &[
            "Statsborgerskab",
            "nationalitet",
            "oprindelsesland",
            "citizenship",
        ],
        "posting_id" => &[
            "udstationering",
            "udstationerings-id",
            "anmeldelses-id",
            "anmeldelsesnr",
            "rut-anmeldelse",
            "posting",
        ],
        "provider_id" => &[
            "udenlandsk virksomhed",
            "RUT-nr",
            "rutnr",
            "rut-nummer",
            "tjenesteyder",
            "provider",
        ],
        "workers" => &[
            "antal udstationerede",
            "udstationerede",
            "antal arbejdere",
            "antal medarbejdere",
            "antal",
        ],
        "rut_notified" => &["anmeldt i RUT", "rut anmeldt", "anmeldt", "rut"],
        "month" => &[
            "måned",
            "periode",
            "indkomstmåned",
            "lønperiode",
            "indkomstperiode",
        ],
        "gross_pay_dkk" => &[
            "bruttoløn",
            "A-indkomst",
            "bruttoindkomst",
            "lønbeløb",
            "løn",
            "gross pay",
        ],
        "hours_paid" => &["timer", "antal timer", "løntimer", "arbejdstimer", "hours"],
        "paid_to_own_account" => &[
            "egen konto",
            "udbetalt til egen konto",
            "nemkonto",
            "own account",
        ],
        "address_id" => &["adresse-id", "address", "adresse", "bopæl", "bopælsadresse"],
        "from_date" => &[
            "tilflytningsdato",
            "indflytningsdato",
            "flyttedato",
            "fra",
            "fra dato",
            "gyldig fra",
            "tiltrædelsesdato",
        ],
        "employer_provided" => &[
            "bolig via arbejdsgiver",
            "arbejdsgiverbolig",
            "stillet til rådighed af arbejdsgiver",
        ],
        "rooms" => &["værelser", "antal værelser", "rum"],
        "inspection_id" => &[
            "Besøgs-ID",
            "besøgsid",
            "besøgsnr",
            "tilsynsid",
            "tilsyns-id",
            "kontrol-id",
            "sagsid",
            "sagsnr",
            "inspection",
        ],
        "date" => &[
            "Besøgsdato",
            "dato",
            "tilsynsdato",
            "SMILEY_DATO",
            "kontroldato",
            "modtaget",
            "modtagelsesdato",
            "anmeldelsesdato",
        ],
        "agency" => &["myndighed", "kontrollerende myndighed", "etat", "styrelse"],
        "trigger" => &[
            "Anledning",
            "årsag",
            "udvælgelsesgrund",
            "udvælgelse",
            "baggrund",
        ],
        "selection_probability" => &[
            "Udvælgelsessandsynlighed",
            "sandsynlighed",
            "selection probability",
        ],
        "outcome" => &[
            "Afgørelse",
            "reaktion",
            "reaktionstype",
            "REAKTIONS_TYPE",
            "resultat",
            "udfald",
            "sanktion",
        ],
        "scope" => &["omfang", "tilsynstype", "kontroltype", "fokus"],
        "indicator" => &[
            "indikator",
            "ILO-indikator",
            "problem",
            "arbejdsmiljøproblem",
            "arbejdsmiljøproblemer",
            "overtrædelse",
        ],
        "workers_affected" => &["berørte", "antal berørte", "berørte arbejdere"],
        "note" => &["bemærkning", "notat", "beskrivelse", "kommentar"],
        "tip_id" => &[
            "tip",
            "henvendelse",
            "henvendelses-id",
            "anmeldelses-id",
            "anmeldelsesnr",
            "sagsnr",
        ],
        "channel" => &["kanal", "kilde", "indgang"],
        "role" => &["rolle", "funktion", "stilling"],
        "to_date" => &[
            "til",
            "til dato",
            "fratrædelsesdato",
            "ophørsdato",
            "gyldig til",
        ],
        _ => &[],
    }
}

/// What a canonical column holds, for the comments.
pub(super) fn what(column: &str) -> &'static str {
    match column {
        "site_id" => "the P-number (production unit)",
        "company_id" => "the CVR number",
        "name" => "the workplace's name",
        "address" => "the address",
        "postcode" => "the postcode",
        "municipality_code" => "the municipality code",
        "lat" => "the latitude",
        "lon" => "the longitude",
        "sector_code" => "the DB07 sector code",
        "employees" => "the number of employees",
        "company_founded" => "the company's founding date",
        "legal_form" => "the legal form",
        "smiley" => "Arbejdstilsynet's smiley",
        "permit_id" => "the permit's case number",
        "person_id" => "the person (a pseudonym, or a CPR number to pseudonymise)",
        "scheme" => "the permit scheme",
        "start_date" => "the start date",
        "end_date" => "the end date",
        "stated_monthly_pay_dkk" => "the stated monthly pay",
        "stated_weekly_hours" => "the stated weekly hours",
        "employer_housing" => "housing through the employer",
        "employer_bound" => "a permit bound to the employer",
        "recruiter_id" => "the recruiter",
        "nationality" => "the nationality",
        "posting_id" => "the posting (RUT notification)",
        "provider_id" => "the foreign service provider",
        "workers" => "the number of posted workers",
        "rut_notified" => "whether the posting was notified in RUT",
        "month" => "the income month",
        "gross_pay_dkk" => "the gross pay",
        "hours_paid" => "the hours paid",
        "paid_to_own_account" => "pay into the person's own account",
        "address_id" => "the address (a pseudonym)",
        "from_date" => "the date from which it holds",
        "employer_provided" => "housing provided by the employer",
        "rooms" => "the number of rooms",
        "inspection_id" => "the inspection (visit or case id)",
        "date" => "the date",
        "agency" => "the inspecting agency",
        "trigger" => "why the inspection took place",
        "selection_probability" => "the probability the site was selected",
        "outcome" => "the outcome (the reaction)",
        "scope" => "what the inspection looked for",
        "indicator" => "the indicator found",
        "workers_affected" => "the number of workers affected",
        "note" => "a note",
        "tip_id" => "the tip",
        "channel" => "the channel the tip came by",
        "role" => "the person's role",
        "to_date" => "the date until which it held",
        _ => "this column",
    }
}

/// The canonical code a usual (mostly Danish) term stands for in an
/// enumeration column.
pub(super) fn known_term(column: &str, value: &str) -> Option<&'static str> {
    let v = normalise(value);
    let has = |words: &[&str]| words.iter().any(|w| v.contains(w));
    let is = |words: &[&str]| words.contains(&v.as_str());
    match column {
        "smiley" => {
            let s = v.replace("smiley", "");
            match s.as_str() {
                "groen" | "gron" | "glad" | "green" => Some("green"),
                "gul" | "yellow" => Some("yellow"),
                "roed" | "rod" | "sur" | "red" => Some("red"),
                "elite" | "krone" | "kroner" | "crown" => Some("crown"),
                "ingen" | "intet" | "none" => Some("none"),
                _ => None,
            }
        }
        "scheme" => {
            if has(&["supplerende", "supplementary"]) {
                Some("supplementary_pay_limit")
            } else if has(&["beloeb", "paylimit"]) {
                Some("pay_limit")
            } else if has(&["positivlist", "positivelist"]) {
                if has(&["faglaert", "skilled"]) {
                    Some("positive_list_skilled")
                } else if has(&["hoejtuddann", "videregaaende", "higher"]) {
                    Some("positive_list_higher_ed")
                } else {
                    None
                }
            } else if has(&["fasttrack"]) {
                Some("fast_track")
            } else if has(&["landbrug", "herdsman", "farmhand", "driftsleder"]) {
                Some("herdsman_farm_hand")
            } else if has(&["aupair"]) {
                Some("au_pair")
            } else if has(&["praktikant", "trainee"]) {
                Some("trainee")
            } else if is(&["andet", "anden", "andre", "oevrige"]) {
                Some("other")
            } else {
                None
            }
        }
        "agency" => {
            if has(&["faelles", "samarbejde", "tvaergaaende"]) {
                Some("JOINT")
            } else if has(&["arbejdstilsyn"]) {
                Some("AT")
            } else if has(&["skat", "told"]) {
                Some("SKAT")
            } else if has(&["politi"]) {
                Some("POLICE")
            } else if has(&["rekruttering"]) {
                Some("SIRI")
            } else {
                None
            }
        }
        "trigger" => {
            if has(&["stikproeve", "tilfaeldig"]) {
                Some("random")
            } else if has(&["opfoelg", "genbesoeg"]) {
                Some("follow_up")
            } else if has(&["anmeld", "henvend", "klage"]) {
                Some("tip")
            } else if has(&["risiko", "udpeg"]) {
                Some("risk")
            } else if has(&["kampagne", "aktion", "indsats"]) {
                Some("campaign")
            } else {
                None
            }
        }
        "outcome" => {
            // A referral names its receiver: Center mod Menneskehandel
            // before the trafficking words it contains, SIRI (or the
            // immigration authorities) before a fine.
            if has(&["centermodmenneskehandel", "cmm"]) {
                Some("referral_cmm")
            } else if has(&["tvangsarbejde", "menneskehandel"]) {
                Some("forced_labour")
            } else if has(&["arbejdsudnyttelse"]) {
                Some("labour_exploitation")
            } else if has(&["politianmeld", "politi"]) {
                Some("police_report")
            } else if has(&[
                "siri",
                "styrelsenforinternationalrekruttering",
                "udlaendingestyrelse",
                "immigration",
            ]) {
                Some("referral_siri")
            } else if has(&["boede"]) {
                Some("fine")
            } else if has(&["forbud"]) {
                Some("prohibition")
            } else if has(&["paabud"]) {
                Some("order")
            } else if has(&["vejledning", "raadgivning"]) {
                Some("guidance")
            } else if is(&[
                "ingen",
                "intet",
                "ingenreaktion",
                "ingenbemaerkninger",
                "ingenafgoerelse",
                "ingenovertraedelse",
            ]) {
                Some("none")
            } else {
                None
            }
        }
        "scope" => {
            if has(&["tvangsarbejde", "menneskehandel"]) {
                Some("forced_labour")
            } else if has(&["arbejdsmiljoe"]) {
                Some("working_environment")
            } else if has(&["skat", "told"]) {
                Some("tax")
            } else if has(&["tilladelse", "opholds"]) {
                Some("permit")
            } else {
                None
            }
        }
        "role" => {
            if has(&["direkt"]) {
                Some("director")
            } else if has(&["kontakt"]) {
                Some("contact")
            } else if has(&["ejer", "indehaver", "interessent", "ansvarligdeltager"]) {
                Some("owner")
            } else {
                None
            }
        }
        _ => None,
    }
}
