//! Tests of the evidence sentences.

use super::*;

fn share(site: &str, count: u64) -> Share<'_> {
    Share {
        site,
        count,
        first: None,
        last: None,
        extra: None,
    }
}

#[test]
fn other_shares_are_named_largest_first_and_the_rest_counted() {
    let g = vec![
        share("S1", 12),
        share("S2", 7),
        share("S3", 1),
        share("S4", 2),
        share("S5", 2),
    ];
    let d = |s: &Share| format!("{} of site {}", s.count, s.site);
    let o = |g: &[Share], me: usize| others(g, &largest_first(g), me, d);
    assert_eq!(o(&g[..2], 0), " and 7 of site S2");
    assert_eq!(o(&g[..3], 0), ", 7 of site S2 and 1 of site S3");
    assert_eq!(
        o(&g, 0),
        ", 7 of site S2, 2 of site S4, 2 of site S5 and 1 more site"
    );
    // Another share's others: the largest, S1, comes first.
    assert_eq!(
        o(&g, 1),
        ", 12 of site S1, 2 of site S4, 2 of site S5 and 1 more site"
    );
    assert_eq!(o(&g[..1], 0), "");
}

#[test]
fn years_and_labels() {
    let d = |y| NaiveDate::from_ymd_opt(y, 3, 1);
    assert_eq!(years(d(2025), d(2025)), " in 2025");
    assert_eq!(years(d(2023), d(2025)), " in 2023–2025");
    assert_eq!(years(None, None), "");
    assert_eq!(
        company_label("Bæk Gartneri ApS afd. Odense C"),
        "Bæk Gartneri ApS"
    );
    assert_eq!(plural(1, "room", "rooms"), "1 room");
}
