//! The housing check: how crowded the worker's housing would be, and how
//! many employers house workers there, as of the as-of date.
//!
//! Which housing: the planned address given with `--housing` (one
//! application); otherwise, when the application states that housing comes
//! with the job, the employer-provided addresses where the employer's
//! permit holders live now. An application that states no employer housing
//! is clear; one that does not say is unknown.
//!
//! Persons per room come from the housing features' own computation
//! ([`crate::features::address_occupancy`] over
//! [`crate::features::residence_intervals`]) and the overcrowding rule is
//! theirs ([`crate::features::CROWDED_PERSONS_PER_ROOM`]), counting the
//! applicant in when not registered there yet. Crowded is a strong concern;
//! workers of [`rule::SHARED_HOUSING_EMPLOYERS`] or more other employers at
//! the address a medium one. Rooms not known make the check unknown.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use super::{Application, Check, CheckKind, Reason, ScreenError, Weight, floats, ints, rule, strs};
use crate::data::load::LINE_COLUMN;
use crate::data::parse::{from_days, to_days};
use crate::data::{Dataset, Table};
use crate::features::{
    AS_OF, CROWDED_PERSONS_PER_ROOM, SITE, YEAR_DAYS, address_occupancy, lives_then,
    residence_intervals, table_lazy,
};
use crate::pipeline::Scored;
use crate::rank::evidence::Record;

/// Permits in force at the as-of date as the features count them: started
/// on or before it and not ended more than a year before it.
fn permit_in_force(start: &str, end: &str) -> Expr {
    col(start).lt_eq(col(AS_OF)).and(
        col(end)
            .is_null()
            .or(col(end).gt_eq(col(AS_OF) - lit(YEAR_DAYS))),
    )
}

/// The employer of a site: its company, or the site itself when the
/// company is not known.
fn employer_of(ds: &Dataset, site: &str) -> String {
    ds.get(Table::Sites)
        .and_then(|df| {
            let sites = df.column(SITE).ok()?.str().ok()?;
            let companies = df.column("company_id").ok()?.str().ok()?;
            let i = sites.iter().position(|s| s == Some(site))?;
            companies.get(i).map(str::to_string)
        })
        .unwrap_or_else(|| format!("site {site}"))
}

/// The housing check of one application; `planned` is the planned address
/// (already pseudonymised) of a file with one application.
pub(super) fn check(
    scored: &Scored,
    app: &Application,
    planned: Option<&str>,
) -> Result<Check, ScreenError> {
    let ds = &scored.data;
    let unknown = |text: String| Check::new(CheckKind::Housing, false, vec![Reason::note(text)]);
    let from_employer = planned.is_none();
    if from_employer {
        match app.employer_housing {
            Some(false) => {
                return Ok(Check::new(
                    CheckKind::Housing,
                    true,
                    vec![Reason::note(
                        "the application states no employer housing: the worker finds their own",
                    )],
                ));
            }
            None => {
                return Ok(unknown(
                    "the application does not say whether housing comes with the job; give the planned address with --housing".into(),
                ));
            }
            Some(true) => {}
        }
    }
    let Some(res) = table_lazy(ds, Table::Residences) else {
        return Ok(unknown(
            "the data has no residences table: who lives at the housing is not known".into(),
        ));
    };
    let intervals = residence_intervals(res)?;
    let as_of = to_days(scored.as_of);
    let addresses: Vec<String> = match planned {
        Some(a) => vec![a.to_string()],
        None => employer_addresses(ds, &intervals, &app.site_id, as_of)?,
    };
    if addresses.is_empty() {
        return Ok(unknown(
            "the application states employer housing, and none of the employer's permit holders is registered at an employer-provided address: the housing is not known; give the planned address with --housing".into(),
        ));
    }
    let n = addresses.len();
    let addr_dates = DataFrame::new(
        n,
        vec![
            Column::new("address_id".into(), addresses.clone()),
            Column::new(AS_OF.into(), vec![as_of; n]),
        ],
    )?
    .lazy();
    let occupancy = address_occupancy(
        intervals.clone(),
        addr_dates.clone(),
        &[col("address_id"), col(AS_OF)],
    )
    .collect()?;
    let occ_address = strs(&occupancy, "address_id")?;
    let occ_persons = floats(&occupancy, "_persons")?;
    let occ_rooms = floats(&occupancy, "_rooms")?;
    let residents = addr_dates
        .inner_join(intervals, col("address_id"), col("address_id"))
        .filter(lives_then())
        .select([
            col("address_id"),
            col("person_id"),
            col(AS_OF),
            col("from_date"),
            col("employer_provided"),
            col("rooms"),
            col(LINE_COLUMN),
        ])
        .sort(["address_id", LINE_COLUMN], SortMultipleOptions::default())
        .collect()?;
    let employers = residents_employers(ds, &residents)?;
    let own_employer = employer_of(ds, &app.site_id);
    let res_address = strs(&residents, "address_id")?;
    let res_person = strs(&residents, "person_id")?;
    let res_from = super::days(&residents, "from_date")?;
    let res_employer = super::bools(&residents, "employer_provided")?;
    let res_rooms = ints(&residents, "rooms")?;
    let res_line = ints(&residents, LINE_COLUMN)?;
    let file = ds.source_file(Table::Residences);

    let mut reasons = Vec::new();
    let mut assessed = true;
    for (k, address) in addresses.iter().enumerate() {
        let label = match planned {
            Some(_) => "the planned address".to_string(),
            None if n == 1 => "the employer-provided address of its permit holders".to_string(),
            None => format!("employer-provided address {} of {n}", k + 1),
        };
        let at = occ_address
            .iter()
            .position(|a| a.as_deref() == Some(address.as_str()));
        let persons = at.and_then(|i| occ_persons[i]).unwrap_or(0.0);
        let rooms = at.and_then(|i| occ_rooms[i]).filter(|r| *r > 0.0);
        let here: Vec<usize> = (0..residents.height())
            .filter(|&i| res_address[i].as_deref() == Some(address.as_str()))
            .collect();
        let applicant_there = here
            .iter()
            .any(|&i| res_person[i].as_deref() == Some(app.person_id.as_str()));
        let evidence: Vec<Record> = here
            .iter()
            .map(|&i| Record {
                table: "residences",
                file: file.clone(),
                line: res_line[i].unwrap_or(0),
                date: res_from[i]
                    .filter(|d| *d > i32::MIN / 2)
                    .map(|d| from_days(d).to_string()),
                after_as_of: false,
                summary: format!(
                    "a person registered at {label} ({}, {})",
                    match res_employer[i] {
                        Some(true) => "employer-provided",
                        Some(false) => "not employer-provided",
                        None => "provider not known",
                    },
                    res_rooms[i]
                        .map_or_else(|| "rooms not known".to_string(), |r| format!("{r} rooms"))
                ),
            })
            .collect();
        let with_applicant = persons + if applicant_there { 0.0 } else { 1.0 };
        let Some(rooms) = rooms else {
            assessed = false;
            reasons.push(
                Reason::note(if persons < 0.5 {
                    format!(
                        "nobody is registered at {label} on {}: its rooms are not in the register",
                        scored.as_of
                    )
                } else {
                    format!(
                        "{persons:.0} person(s) registered at {label}, its rooms not known: crowding cannot be assessed"
                    )
                })
                .with_evidence(evidence),
            );
            continue;
        };
        let ppr = with_applicant / rooms;
        let text = format!(
            "{label}: {persons:.0} person(s) registered in {rooms:.0} room(s) on {}; with the applicant {ppr:.1} per room",
            scored.as_of
        );
        if ppr > CROWDED_PERSONS_PER_ROOM {
            reasons.push(
                Reason::concern(
                    Weight::Strong,
                    format!(
                        "{text}, above the housing law's {CROWDED_PERSONS_PER_ROOM:.0} per room"
                    ),
                )
                .with_evidence(evidence.clone()),
            );
        } else {
            reasons.push(
                Reason::note(format!(
                    "{text}, within the housing law's {CROWDED_PERSONS_PER_ROOM:.0} per room"
                ))
                .with_evidence(evidence.clone()),
            );
        }
        if !ds.has(Table::Permits) {
            // Without permits nobody's employer is known: unknown, not 0.
            reasons.push(Reason::note(format!(
                "the other employers housing workers at {label} are not known: no permits table"
            )));
            assessed = false;
            continue;
        }
        let others: BTreeSet<&String> = employers
            .get(address)
            .map(|e| e.iter().filter(|x| **x != own_employer).collect())
            .unwrap_or_default();
        let shared = format!(
            "workers of {} other employer(s) than this one are registered at {label}",
            others.len()
        );
        if others.len() >= rule::SHARED_HOUSING_EMPLOYERS {
            reasons.push(Reason::concern(Weight::Medium, shared));
        } else {
            reasons.push(Reason::note(shared));
        }
    }
    Ok(Check::new(CheckKind::Housing, assessed, reasons))
}

/// The employer-provided addresses where the site's permit holders are
/// registered at the as-of date, sorted.
fn employer_addresses(
    ds: &Dataset,
    intervals: &LazyFrame,
    site_id: &str,
    as_of: i32,
) -> Result<Vec<String>, ScreenError> {
    let Some(permits) = table_lazy(ds, Table::Permits) else {
        return Ok(Vec::new());
    };
    let holders = permits
        .with_columns([lit(as_of).alias(AS_OF)])
        .filter(
            col(SITE)
                .eq(lit(site_id))
                .and(permit_in_force("start_date", "end_date")),
        )
        .select([col("person_id"), col(AS_OF)])
        .unique(None, UniqueKeepStrategy::Any);
    let df = holders
        .inner_join(intervals.clone(), col("person_id"), col("person_id"))
        .filter(lives_then().and(col("employer_provided").fill_null(lit(false))))
        .select([col("address_id")])
        .unique(None, UniqueKeepStrategy::Any)
        .sort(["address_id"], SortMultipleOptions::default())
        .collect()?;
    Ok(strs(&df, "address_id")?.into_iter().flatten().collect())
}

/// The employers (companies, or sites without a company) of the persons
/// registered at each address, through their permits in force at the
/// as-of date.
fn residents_employers(
    ds: &Dataset,
    residents: &DataFrame,
) -> Result<BTreeMap<String, BTreeSet<String>>, ScreenError> {
    let (Some(permits), Some(sites)) =
        (table_lazy(ds, Table::Permits), table_lazy(ds, Table::Sites))
    else {
        return Ok(BTreeMap::new());
    };
    let df = residents
        .clone()
        .lazy()
        .select([col("address_id"), col("person_id"), col(AS_OF)])
        .inner_join(
            permits.select([
                col("person_id").alias("_permit_person"),
                col(SITE).alias("_emp_site"),
                col("start_date").alias("_ps"),
                col("end_date").alias("_pe"),
            ]),
            col("person_id"),
            col("_permit_person"),
        )
        .filter(permit_in_force("_ps", "_pe"))
        .left_join(
            sites.select([
                col(SITE).alias("_s"),
                col("company_id").alias("_emp_company"),
            ]),
            col("_emp_site"),
            col("_s"),
        )
        .select([col("address_id"), col("_emp_site"), col("_emp_company")])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?;
    let address = strs(&df, "address_id")?;
    let site = strs(&df, "_emp_site")?;
    let company = strs(&df, "_emp_company")?;
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for i in 0..df.height() {
        let (Some(a), Some(s)) = (address[i].clone(), site[i].clone()) else {
            continue;
        };
        let employer = company[i].clone().unwrap_or_else(|| format!("site {s}"));
        out.entry(a).or_default().insert(employer);
    }
    Ok(out)
}
