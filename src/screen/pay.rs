//! The pay check: the monthly pay stated on the application, times 12,
//! against the annual pay threshold of its scheme in force on the permit's
//! start date (the bundled SIRI scheme table, `datasets/reference/schemes.csv`,
//! through [`crate::data::reference::Scheme::pay_threshold_on`], the same
//! thresholds the `below_scheme_threshold` feature reads). SIRI compares
//! the pay stated in the contract with the threshold, so the stated pay is
//! compared with it as it is (the payroll feature allows for pension and
//! holiday allowance, which gross pay leaves out; a stated pay does not).
//!
//! Below the threshold is a strong concern. A scheme without a pay
//! threshold says so and is clear (there is nothing to compare); no scheme,
//! no stated pay or a start date before the first bundled year is unknown,
//! and so is pay at or above the last bundled year's threshold for a start
//! in a later year (thresholds are raised every 1 January).

use chrono::Datelike;

use super::{Application, Check, CheckKind, Reason, Weight};
use crate::claims::report::grouped;
use crate::data::reference::ReferenceData;
use crate::rank::evidence::Record;

/// The pay check of one application.
pub(super) fn check(app: &Application) -> Check {
    let evidence = vec![Record {
        table: "permits",
        file: app.file.clone(),
        line: i64::try_from(app.line).unwrap_or(i64::MAX),
        date: app.start_date.map(|d| d.to_string()),
        after_as_of: false,
        summary: format!(
            "application {}: scheme {}, stated pay {} DKK a month",
            app.permit_id,
            app.scheme.as_deref().unwrap_or("not given"),
            app.stated_monthly_pay_dkk
                .map_or_else(|| "not given".to_string(), |p| grouped(p, 0))
        ),
    }];
    let unknown = |text: String| {
        Check::new(
            CheckKind::Pay,
            false,
            vec![Reason::note(text).with_evidence(evidence.clone())],
        )
    };
    let Some(scheme_id) = app.scheme.as_deref() else {
        return unknown("the application names no scheme: its pay threshold is not known".into());
    };
    let Some(scheme) = ReferenceData::bundled().scheme(scheme_id) else {
        return unknown(format!(
            "scheme {scheme_id} is not in the bundled scheme table"
        ));
    };
    if !scheme.has_pay_threshold() {
        return Check::new(
            CheckKind::Pay,
            true,
            vec![
                Reason::note(format!(
                    "the {} ({}) has no pay threshold: pay and terms must match Danish standards, which the application alone cannot show",
                    scheme.name_en, scheme.scheme
                ))
                .with_evidence(evidence.clone()),
            ],
        );
    }
    let Some(start) = app.start_date else {
        return unknown("the application has no start date".into());
    };
    let Some(threshold) = scheme.pay_threshold_on(start) else {
        let first = scheme
            .pay_thresholds()
            .first()
            .map_or_else(String::new, |(y, _)| format!(" (from {y})"));
        return unknown(format!(
            "the {} threshold in force on {start} is not bundled{first}",
            scheme.name_en
        ));
    };
    let Some(monthly) = app.stated_monthly_pay_dkk else {
        return unknown(format!(
            "the application states no monthly pay to compare with the {} threshold of {} DKK a year",
            scheme.name_en,
            grouped(threshold, 0)
        ));
    };
    let annual = monthly * 12.0;
    let comparison = format!(
        "stated pay {} DKK a month = {} DKK a year, against the {} threshold of {} DKK a year in force on {start}",
        grouped(monthly, 0),
        grouped(annual, 0),
        scheme.name_en,
        grouped(threshold, 0)
    );
    let reason = if annual < threshold {
        Reason::concern(
            Weight::Strong,
            format!(
                "{comparison}: {} DKK a year below it",
                grouped(threshold - annual, 0)
            ),
        )
    } else if let Some(last) = scheme
        .pay_thresholds()
        .last()
        .map(|(y, _)| *y)
        .filter(|y| *y < start.year())
    {
        // Thresholds are raised every 1 January: pay below the last bundled
        // one is below the one in force too, pay above it may not be.
        return unknown(format!(
            "{comparison}: at or above it, but that is the {last} threshold; the {} threshold in force on {start} is not bundled, and thresholds are raised every year",
            start.year()
        ));
    } else {
        Reason::note(format!("{comparison}: at or above it"))
    };
    Check::new(
        CheckKind::Pay,
        true,
        vec![reason.with_evidence(evidence.clone())],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screen::Status;
    use chrono::NaiveDate;

    fn app(scheme: Option<&str>, start: (i32, u32, u32), pay: Option<f64>) -> Application {
        Application {
            permit_id: "P1".into(),
            person_id: "p00000000000000000001".into(),
            site_id: "1000000001".into(),
            scheme: scheme.map(str::to_string),
            start_date: NaiveDate::from_ymd_opt(start.0, start.1, start.2),
            end_date: None,
            stated_monthly_pay_dkk: pay,
            stated_weekly_hours: Some(37.0),
            employer_housing: Some(false),
            employer_bound: Some(false),
            recruiter_id: None,
            recruiter_named: false,
            file: "pending.csv".into(),
            line: 2,
        }
    }

    #[test]
    fn pay_below_the_threshold_in_force_on_the_start_date_is_a_strong_concern() {
        // 2026: 552,000 a year = 46,000 a month.
        let low = check(&app(Some("pay_limit"), (2026, 8, 1), Some(45_000.0)));
        assert_eq!(low.status, Status::Concern);
        assert_eq!(low.strongest(), Some(Weight::Strong));
        assert!(low.reasons[0].text.contains("552,000"), "{:?}", low.reasons);
        let enough = check(&app(Some("pay_limit"), (2026, 8, 1), Some(46_000.0)));
        assert_eq!(enough.status, Status::Clear);
        // The same pay started in 2025 meets that year's 514,000.
        let earlier = check(&app(Some("pay_limit"), (2025, 8, 1), Some(43_000.0)));
        assert_eq!(earlier.status, Status::Clear);
        // After the last bundled year: below 2026's is below the raised
        // threshold too; at or above it is not known to be enough.
        let later_low = check(&app(Some("pay_limit"), (2027, 3, 1), Some(45_000.0)));
        assert_eq!(later_low.status, Status::Concern);
        let later = check(&app(Some("pay_limit"), (2027, 3, 1), Some(46_000.0)));
        assert_eq!(later.status, Status::Unknown, "{:?}", later.reasons);
        assert!(
            later.reasons[0].text.contains("2027"),
            "{:?}",
            later.reasons
        );
    }

    #[test]
    fn schemes_without_a_threshold_say_so_and_missing_facts_are_unknown() {
        let positive = check(&app(Some("positive_list_skilled"), (2026, 8, 1), Some(1.0)));
        assert_eq!(positive.status, Status::Clear);
        assert!(positive.reasons[0].text.contains("no pay threshold"));
        for a in [
            app(None, (2026, 8, 1), Some(50_000.0)),
            app(Some("pay_limit"), (2026, 8, 1), None),
            app(Some("pay_limit"), (2024, 8, 1), Some(50_000.0)),
        ] {
            assert_eq!(check(&a).status, Status::Unknown, "{a:?}");
        }
    }
}
