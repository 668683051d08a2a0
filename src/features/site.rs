//! Features of the site itself: size, company age, risk sector, smiley, the
//! company's number of sites; and the descriptive columns (name, place,
//! sector, region) that every front end shows next to a score.

use polars::prelude::*;

use super::{AS_OF, SITE};
use crate::data::reference::ReferenceData;
use crate::data::{Dataset, Table};

/// Joins the site's own columns and features onto the targets.
pub fn attach_site(ds: &Dataset, targets: LazyFrame) -> PolarsResult<LazyFrame> {
    let sites = ds
        .get(Table::Sites)
        .ok_or_else(|| polars_err!(ComputeError: "the sites table is required"))?;
    let reference = ReferenceData::bundled();

    // Reference lookups (risk group, region) in Rust: a few hundred distinct codes.
    let sector = sites.column("sector_code")?.str()?;
    let mut risk_group: Vec<Option<&'static str>> = Vec::with_capacity(sites.height());
    let mut risk_sector: Vec<Option<bool>> = Vec::with_capacity(sites.height());
    for code in sector.iter() {
        let known = code.and_then(|c| reference.sector(c)).is_some()
            || code.is_some_and(|c| reference.risk_group(c).is_some());
        let group = code.and_then(|c| reference.risk_group(c));
        risk_group.push(group.map(|g| g.as_str()));
        risk_sector.push(known.then_some(group.is_some()));
    }
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
