//! The canonical input tables: their names, columns, types,
//! enumerations, keys and references. Everything that reads, validates,
//! generates or documents input data takes its facts from here, so the
//! contract lives in one place.

use std::fmt;

/// The 11 ILO indicators of forced labour (ILO SAP-FL, 2012), in the ILO's
/// order. These ids are fixed across tables, the catalogue and every output.
pub const ILO_INDICATORS: [&str; 11] = [
    "abuse_of_vulnerability",
    "deception",
    "restriction_of_movement",
    "isolation",
    "physical_sexual_violence",
    "intimidation_threats",
    "retention_of_documents",
    "withholding_of_wages",
    "debt_bondage",
    "abusive_conditions",
    "excessive_overtime",
];

/// The indicator id of a finding that bears on no ILO indicator (a safety
/// breach, say): kept on record, counted by no indicator.
pub const NON_ILO_FINDING: &str = "other";

/// Arbejdstilsynet smiley values.
pub const SMILEYS: &[&str] = &["green", "yellow", "red", "crown", "none"];
/// SIRI permit schemes.
pub const SCHEMES: &[&str] = &[
    "pay_limit",
    "supplementary_pay_limit",
    "positive_list_higher_ed",
    "positive_list_skilled",
    "fast_track",
    "herdsman_farm_hand",
    "trainee",
    "au_pair",
    "other",
];
/// Agencies that inspect.
pub const AGENCIES: &[&str] = &["AT", "SKAT", "POLICE", "SIRI", "JOINT"];
/// What an inspection looked for. Blank means `forced_labour`.
pub const SCOPES: &[&str] = &["forced_labour", "working_environment", "tax", "permit"];

/// The ILO indicators an inspection of a scope looked for, and so can
/// clear when it found nothing. A control against forced labour (the joint
/// controls, the police, or any inspection the export does not qualify)
/// looks for all 11; a working-environment visit (Arbejdstilsynet's smiley
/// register) for working and living conditions and working hours; a tax
/// control for pay and deductions; a permit control for the conditions the
/// permit was granted on and the pay.
pub fn scope_covers(scope: &str, indicator: &str) -> bool {
    match scope {
        "working_environment" => matches!(indicator, "abusive_conditions" | "excessive_overtime"),
        "tax" => matches!(indicator, "withholding_of_wages" | "debt_bondage"),
        "permit" => matches!(indicator, "deception" | "withholding_of_wages"),
        _ => true,
    }
}

/// Why an inspection took place.
pub const TRIGGERS: &[&str] = &["risk", "random", "tip", "follow_up", "campaign"];
/// Inspection outcomes, from least to most serious (a mapping's `fold`
/// keeps the most serious of a record's rows in this order).
/// `referral_siri`: the site was referred to SIRI because the permits'
/// conditions (pay, hours, job) are not kept, an administrative case that
/// can cost the permits, more than a fine, less than a police report.
/// `referral_cmm`: a worker was referred to Center mod Menneskehandel as a
/// possible victim of trafficking, the inspector's judgement that the
/// indicators point to coercion; above a police report (which can follow a
/// plain safety breach), below the findings `labour_exploitation` and
/// `forced_labour` that the police or a court confirm (docs/visit.md).
pub const OUTCOMES: &[&str] = &[
    "none",
    "guidance",
    "order",
    "prohibition",
    "fine",
    "referral_siri",
    "police_report",
    "referral_cmm",
    "labour_exploitation",
    "forced_labour",
];
/// A person's role in a company.
pub const ROLES: &[&str] = &["owner", "director", "contact"];

/// The type of a canonical column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// Free text (UTF-8).
    Str,
    /// Whole number (i64).
    Int,
    /// Decimal number (f64); a decimal comma is accepted in CSV.
    Float,
    /// An amount of money (f64): as `Float`, but `42.800` is read with a
    /// Danish thousands dot as 42,800, never as 42.8.
    Amount,
    /// Boolean; `true/false`, `1/0`, `yes/no`, `ja/nej` are accepted.
    Bool,
    /// Calendar date; ISO `yyyy-mm-dd` or Danish `dd-mm-yyyy` (a time part is ignored).
    Date,
    /// Calendar month `YYYY-MM`, stored as the first day of the month.
    Month,
    /// One of a fixed set of lower-case codes.
    Enum(&'static [&'static str]),
}

impl ColType {
    /// A short human name for messages ("a date", "a whole number").
    pub fn describe(self) -> String {
        match self {
            ColType::Str => "text".into(),
            ColType::Int => "a whole number".into(),
            ColType::Float => "a number".into(),
            ColType::Amount => "an amount (1234,50 or 1.234,50 or 1234.50)".into(),
            ColType::Bool => "true/false (or ja/nej, 1/0)".into(),
            ColType::Date => "a date as yyyy-mm-dd or dd-mm-yyyy".into(),
            ColType::Month => "a month as YYYY-MM".into(),
            ColType::Enum(values) => format!("one of {}", values.join(", ")),
        }
    }
}

/// A value range check on a numeric column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Smallest allowed value (inclusive).
    pub min: f64,
    /// Largest allowed value (inclusive).
    pub max: f64,
}

/// One canonical column.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Canonical name.
    pub name: &'static str,
    /// Type.
    pub ty: ColType,
    /// Whether the column must be present and every row must have a value.
    pub required: bool,
    /// Allowed range for numbers.
    pub range: Option<Range>,
    /// A pseudonymous identifier (of a person, a recruiter or an address):
    /// a value that looks like a raw CPR number is refused unless the
    /// mapping marks the column for pseudonymisation.
    pub person_id: bool,
}

const fn col(name: &'static str, ty: ColType) -> ColumnSpec {
    ColumnSpec {
        name,
        ty,
        required: false,
        range: None,
        person_id: false,
    }
}
const fn req(name: &'static str, ty: ColType) -> ColumnSpec {
    ColumnSpec {
        name,
        ty,
        required: true,
        range: None,
        person_id: false,
    }
}
const fn ranged(mut c: ColumnSpec, min: f64, max: f64) -> ColumnSpec {
    c.range = Some(Range { min, max });
    c
}
const fn person(mut c: ColumnSpec) -> ColumnSpec {
    c.person_id = true;
    c
}

/// Denmark's bounding box (with a margin for Bornholm and Skagen).
pub const DK_LAT: Range = Range {
    min: 54.4,
    max: 57.9,
};
/// Denmark's bounding box, longitude.
pub const DK_LON: Range = Range {
    min: 7.9,
    max: 15.3,
};

/// Columns of the `sites` table.
const SITES_COLUMNS: &[ColumnSpec] = {
    use ColType::*;
    &[
        req("site_id", Str),
        // Optional: exports such as the smiley register have no CVR number;
        // the company's indicators are then unknown at its sites.
        col("company_id", Str),
        col("name", Str),
        col("address", Str),
        col("postcode", Str),
        col("municipality_code", Int),
        ranged(col("lat", Float), DK_LAT.min, DK_LAT.max),
        ranged(col("lon", Float), DK_LON.min, DK_LON.max),
        req("sector_code", Str),
        ranged(col("employees", Int), 0.0, 1.0e6),
        col("company_founded", Date),
        col("legal_form", Str),
        col("smiley", Enum(SMILEYS)),
    ]
};

/// Columns of the `permits` table.
const PERMITS_COLUMNS: &[ColumnSpec] = {
    use ColType::*;
    &[
        req("permit_id", Str),
        person(req("person_id", Str)),
        req("site_id", Str),
        col("scheme", Enum(SCHEMES)),
        req("start_date", Date),
        col("end_date", Date),
        ranged(col("stated_monthly_pay_dkk", Amount), 0.0, 1.0e7),
        ranged(col("stated_weekly_hours", Float), 0.0, 168.0),
        col("employer_housing", Bool),
        col("employer_bound", Bool),
        person(col("recruiter_id", Str)),
        col("nationality", Str),
    ]
};

/// Columns of the `postings` table.
const POSTINGS_COLUMNS: &[ColumnSpec] = {
    use ColType::*;
    &[
        req("posting_id", Str),
        req("provider_id", Str),
        req("site_id", Str),
        req("start_date", Date),
        col("end_date", Date),
        ranged(col("workers", Int), 0.0, 1.0e5),
        col("rut_notified", Bool),
    ]
};

/// Columns of the `payroll` table.
const PAYROLL_COLUMNS: &[ColumnSpec] = {
    use ColType::*;
    &[
        req("site_id", Str),
        person(req("person_id", Str)),
        req("month", Month),
        ranged(col("gross_pay_dkk", Amount), 0.0, 1.0e7),
        ranged(col("hours_paid", Float), 0.0, 744.0),
        col("paid_to_own_account", Bool),
    ]
};

/// Columns of the `residences` table.
const RESIDENCES_COLUMNS: &[ColumnSpec] = {
    use ColType::*;
    &[
        person(req("person_id", Str)),
        person(req("address_id", Str)),
        col("from_date", Date),
        col("employer_provided", Bool),
        ranged(col("rooms", Int), 0.0, 1000.0),
    ]
};

/// Columns of the `inspections` table.
const INSPECTIONS_COLUMNS: &[ColumnSpec] = {
    use ColType::*;
    &[
        req("inspection_id", Str),
        req("site_id", Str),
        req("date", Date),
        col("agency", Enum(AGENCIES)),
        col("trigger", Enum(TRIGGERS)),
        ranged(col("selection_probability", Float), 1e-9, 1.0),
        col("outcome", Enum(OUTCOMES)),
        col("scope", Enum(SCOPES)),
    ]
};

/// Columns of the `findings` table.
const FINDINGS_COLUMNS: &[ColumnSpec] = {
    use ColType::*;
    &[
        req("inspection_id", Str),
        req("indicator", Str),
        ranged(col("workers_affected", Int), 0.0, 1.0e5),
        col("note", Str),
    ]
};

/// Columns of the `tips` table.
const TIPS_COLUMNS: &[ColumnSpec] = {
    use ColType::*;
    &[
        req("tip_id", Str),
        col("site_id", Str),
        col("company_id", Str),
        req("date", Date),
        col("indicator", Str),
        col("channel", Str),
    ]
};

/// Columns of the `roles` table.
const ROLES_COLUMNS: &[ColumnSpec] = {
    use ColType::*;
    &[
        req("company_id", Str),
        person(req("person_id", Str)),
        req("role", Enum(ROLES)),
        col("from_date", Date),
        col("to_date", Date),
    ]
};

/// The canonical tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// Workplaces (production units).
    Sites,
    /// Work and residence permits (SIRI).
    Permits,
    /// Postings of foreign service providers (RUT).
    Postings,
    /// Person × month pay (eIndkomst).
    Payroll,
    /// A person at an address.
    Residences,
    /// Inspections and controls.
    Inspections,
    /// Indicators observed at an inspection.
    Findings,
    /// Hotline, union and public reports.
    Tips,
    /// A person's role in a company.
    Roles,
}

/// A foreign-key reference from a column to another table's id column.
#[derive(Debug, Clone, Copy)]
pub struct Reference {
    /// Column in this table.
    pub column: &'static str,
    /// Referenced table.
    pub table: Table,
    /// Referenced column (unique there).
    pub target: &'static str,
}

impl Table {
    /// All tables, in load order (referenced tables before referencing ones).
    pub const ALL: [Table; 9] = [
        Table::Sites,
        Table::Permits,
        Table::Postings,
        Table::Payroll,
        Table::Residences,
        Table::Inspections,
        Table::Findings,
        Table::Tips,
        Table::Roles,
    ];

    /// The file stem (`sites` for `sites.csv`).
    pub fn name(self) -> &'static str {
        match self {
            Table::Sites => "sites",
            Table::Permits => "permits",
            Table::Postings => "postings",
            Table::Payroll => "payroll",
            Table::Residences => "residences",
            Table::Inspections => "inspections",
            Table::Findings => "findings",
            Table::Tips => "tips",
            Table::Roles => "roles",
        }
    }

    /// Looks a table up by its file stem.
    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether a folder must have this table.
    pub fn required(self) -> bool {
        matches!(self, Table::Sites)
    }

    /// What one row is.
    pub fn row_meaning(self) -> &'static str {
        match self {
            Table::Sites => "workplace (production unit, P-number)",
            Table::Permits => "work/residence permit (SIRI)",
            Table::Postings => "foreign service provider posting (RUT)",
            Table::Payroll => "person x month (eIndkomst)",
            Table::Residences => "person at an address",
            Table::Inspections => "visit or control",
            Table::Findings => "indicator observed at an inspection",
            Table::Tips => "hotline / union / public report",
            Table::Roles => "person's role in a company",
        }
    }

    /// The canonical columns.
    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            Table::Sites => SITES_COLUMNS,
            Table::Permits => PERMITS_COLUMNS,
            Table::Postings => POSTINGS_COLUMNS,
            Table::Payroll => PAYROLL_COLUMNS,
            Table::Residences => RESIDENCES_COLUMNS,
            Table::Inspections => INSPECTIONS_COLUMNS,
            Table::Findings => FINDINGS_COLUMNS,
            Table::Tips => TIPS_COLUMNS,
            Table::Roles => ROLES_COLUMNS,
        }
    }

    /// Looks a column up by its canonical name.
    pub fn column(self, name: &str) -> Option<&'static ColumnSpec> {
        self.columns().iter().find(|c| c.name == name)
    }

    /// The column whose values must be unique, if any.
    pub fn unique_key(self) -> Option<&'static str> {
        match self {
            Table::Sites => Some("site_id"),
            Table::Permits => Some("permit_id"),
            Table::Postings => Some("posting_id"),
            Table::Inspections => Some("inspection_id"),
            Table::Tips => Some("tip_id"),
            Table::Payroll | Table::Residences | Table::Findings | Table::Roles => None,
        }
    }

    /// Columns that must resolve to an id in another table.
    pub fn references(self) -> &'static [Reference] {
        const TO_SITE: Reference = Reference {
            column: "site_id",
            table: Table::Sites,
            target: "site_id",
        };
        const TO_INSPECTION: Reference = Reference {
            column: "inspection_id",
            table: Table::Inspections,
            target: "inspection_id",
        };
        match self {
            Table::Permits
            | Table::Postings
            | Table::Payroll
            | Table::Inspections
            | Table::Tips => &[TO_SITE],
            Table::Findings => &[TO_INSPECTION],
            Table::Sites | Table::Residences | Table::Roles => &[],
        }
    }

    /// Date columns that must not lie after the as-of date (records of the
    /// future are data errors; planned end dates are allowed).
    pub fn event_date_columns(self) -> &'static [&'static str] {
        match self {
            Table::Permits => &["start_date"],
            Table::Postings => &["start_date"],
            Table::Payroll => &["month"],
            Table::Residences => &["from_date"],
            Table::Inspections => &["date"],
            Table::Tips => &["date"],
            Table::Roles => &["from_date"],
            Table::Sites => &["company_founded"],
            Table::Findings => &[],
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_its_required_columns_and_a_round_trip_name() {
        for t in Table::ALL {
            assert_eq!(Table::from_name(t.name()), Some(t));
            assert!(
                t.columns().iter().any(|c| c.required),
                "{t} has no required column"
            );
            if let Some(key) = t.unique_key() {
                assert!(t.column(key).is_some_and(|c| c.required), "{t}.{key}");
            }
            for r in t.references() {
                assert!(t.column(r.column).is_some(), "{t}.{}", r.column);
                assert_eq!(r.table.unique_key(), Some(r.target));
            }
        }
    }
}
