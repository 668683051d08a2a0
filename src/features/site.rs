//! Features of the site itself: size, company age, risk sector, smiley, the
//! company's number of sites; and the descriptive columns (name, place,
//! sector, region) that every front end shows next to a score.

use polars::prelude::*;

use super::{AS_OF, SITE};
use crate::data::reference::ReferenceData;
use crate::data::{Dataset, Table};

/// Per site, the risk group of its sector (`None` outside the risk
/// sectors) and whether its sector is a risk sector (`None` when the code
/// is not a known sector). Each distinct code is looked up once: a national
/// register has a million sites and a few hundred codes.
pub(super) fn sector_risk(sector: &StringChunked) -> Vec<(Option<&'static str>, Option<bool>)> {
    let reference = ReferenceData::bundled();
    let mut seen: PlHashMap<&str, (Option<&'static str>, Option<bool>)> = PlHashMap::new();
    sector
        .iter()
        .map(|code| {
            let Some(code) = code else {
                return (None, None);
            };
            *seen.entry(code).or_insert_with(|| {
                let group = reference.risk_group(code);
                let known = reference.sector(code).is_some() || group.is_some();
                (group.map(|g| g.as_str()), known.then_some(group.is_some()))
            })
        })
        .collect()
}

/// Joins the site's own columns and features onto the targets.
pub fn attach_site(ds: &Dataset, targets: LazyFrame) -> PolarsResult<LazyFrame> {
    let sites = ds
        .get(Table::Sites)
        .ok_or_else(|| polars_err!(ComputeError: "the sites table is required"))?;
    let reference = ReferenceData::bundled();

    // Reference lookups (risk group, region) in Rust: a few hundred distinct codes.
    let (risk_group, risk_sector): (Vec<_>, Vec<_>) =
        sector_risk(sites.column("sector_code")?.str()?)
            .into_iter()
            .unzip();
    let muni = sites.column("municipality_code")?.i64()?;
    let region: Vec<Option<&str>> = muni
        .iter()
        .map(|c| {
            c.and_then(|c| u16::try_from(c).ok())
                .and_then(|c| reference.region_of(c))
        })
        .collect();
    let municipality: Vec<Option<&str>> = muni
        .iter()
        .map(|c| {
            c.and_then(|c| u16::try_from(c).ok())
                .and_then(|c| reference.municipality(c))
                .map(|m| m.name.as_str())
        })
        .collect();
    // Row for row with the sites table: added as columns, not joined.
    let extra = [
        Column::new("risk_group".into(), risk_group),
        Column::new("risk_sector".into(), risk_sector),
        Column::new("region".into(), region),
        Column::new("municipality".into(), municipality),
    ];

    let company_sites = sites
        .clone()
        .lazy()
        .group_by([col("company_id")])
        .agg([len().cast(DataType::Int64).alias("company_sites")]);
    let base = sites
        .hstack(&extra)?
        .lazy()
        .select([
            col(SITE),
            col("company_id"),
            col("name"),
            col("postcode"),
            col("municipality_code"),
            col("lat"),
            col("lon"),
            col("sector_code"),
            col("employees"),
            col("company_founded")
                .cast(DataType::Int32)
                .alias("_founded"),
            col("smiley"),
            col("risk_group"),
            col("risk_sector"),
            col("region"),
            col("municipality"),
        ])
        .left_join(company_sites, col("company_id"), col("company_id"));

    Ok(targets
        .left_join(base, col(SITE), col(SITE))
        .with_columns([
            ((col(AS_OF) - col("_founded")).cast(DataType::Float64) / lit(365.25))
                .alias("company_age_years"),
            col("smiley").eq(lit("red")).alias("smiley_red"),
        ])
        .drop(by_name(["_founded"], true, false)))
}
