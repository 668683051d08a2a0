//! Day routes of a joint plan: visits bundled by area (the municipality,
//! or the postcode's first two digits where the municipality is missing)
//! into at most `days` days of at most `visits_per_day` visits each.
//!
//! Greedy and deterministic: visits are taken by priority (highest first,
//! ties by site id); a visit joins the first day already open in its area
//! that has room, else opens a new day while days remain, else it is
//! left unscheduled with the reason. So a day holds one area, the days are
//! numbered in the order of their best visit, and no visit is dropped
//! without a word.

use serde::Serialize;

use super::JointError;

/// Where a visit is, for bundling.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Area {
    /// The grouping key: `municipality:101`, `postcode:80`, or `site:<id>`
    /// for a site with neither (it shares a day with no other site).
    pub key: String,
    /// The area in words: `København (101)`, `postcode 80xx`.
    pub label: String,
}

impl Area {
    /// The area of a site: its municipality, else the first two digits of
    /// its postcode, else the site alone.
    pub fn of_site(
        municipality_code: Option<i64>,
        municipality: Option<&str>,
        postcode: Option<&str>,
        site_id: &str,
    ) -> Area {
        if let Some(code) = municipality_code {
            return Area {
                key: format!("municipality:{code}"),
                label: municipality.map_or_else(
                    || format!("municipality {code}"),
                    |name| format!("{name} ({code})"),
                ),
            };
        }
        let prefix = postcode
            .map(str::trim)
            .filter(|p| p.len() >= 2 && p.bytes().take(2).all(|b| b.is_ascii_digit()))
            .and_then(|p| p.get(..2));
        match prefix {
            Some(p) => Area {
                key: format!("postcode:{p}"),
                label: format!("postcode {p}xx"),
            },
            None => Area {
                key: format!("site:{site_id}"),
                label: "no municipality or postcode".to_string(),
            },
        }
    }
}

/// How many days, and visits a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bundling {
    /// Days available.
    pub days: usize,
    /// Visits a team can make in a day.
    pub visits_per_day: usize,
}

impl Bundling {
    /// Checks that both are at least 1.
    pub fn new(days: usize, visits_per_day: usize) -> Result<Bundling, JointError> {
        if days == 0 {
            return Err(JointError::Bundling { name: "days" });
        }
        if visits_per_day == 0 {
            return Err(JointError::Bundling {
                name: "visits_per_day",
            });
        }
        Ok(Bundling {
            days,
            visits_per_day,
        })
    }

    /// The most visits the days can hold.
    pub fn slots(&self) -> usize {
        self.days.saturating_mul(self.visits_per_day)
    }
}

/// One visit to place.
#[derive(Debug, Clone)]
pub struct Stop {
    /// Site id.
    pub site_id: String,
    /// Its priority (higher first).
    pub priority: f64,
    /// Its area.
    pub area: Area,
}

/// One day's route.
#[derive(Debug, Clone, Serialize)]
pub struct Day {
    /// 1-based day number.
    pub day: usize,
    /// The area of every visit of the day.
    pub area: Area,
    /// The sites in visiting order (by priority).
    pub site_ids: Vec<String>,
}

/// A visit no day could take.
#[derive(Debug, Clone, Serialize)]
pub struct Unscheduled {
    /// Site id.
    pub site_id: String,
    /// Its area.
    pub area: Area,
    /// Why it has no day.
    pub reason: String,
}

/// The days and what is left over.
#[derive(Debug, Clone, Serialize)]
pub struct Bundle {
    /// The days, in order.
    pub days: Vec<Day>,
    /// Visits without a day, by priority.
    pub unscheduled: Vec<Unscheduled>,
}

impl Bundle {
    /// The day and the 1-based position in it of a site's visit.
    pub fn day_of(&self, site_id: &str) -> Option<(usize, usize)> {
        self.days.iter().find_map(|d| {
            d.site_ids
                .iter()
                .position(|s| s == site_id)
                .map(|k| (d.day, k + 1))
        })
    }
}

/// Bundles visits into day routes (see the module doc).
pub fn bundle(stops: &[Stop], b: Bundling) -> Bundle {
    let mut order: Vec<&Stop> = stops.iter().collect();
    order.sort_by(|x, y| {
        y.priority
            .total_cmp(&x.priority)
            .then_with(|| x.site_id.cmp(&y.site_id))
    });
    let mut days: Vec<Day> = Vec::new();
    let mut unscheduled = Vec::new();
    for s in order {
        if let Some(d) = days
            .iter_mut()
            .find(|d| d.area.key == s.area.key && d.site_ids.len() < b.visits_per_day)
        {
            d.site_ids.push(s.site_id.clone());
        } else if days.len() < b.days {
            days.push(Day {
                day: days.len() + 1,
                area: s.area.clone(),
                site_ids: vec![s.site_id.clone()],
            });
        } else {
            let has_day = days.iter().any(|d| d.area.key == s.area.key);
            let reason = if has_day {
                format!(
                    "the day(s) in {} are full ({} visits a day) and all {} days are taken",
                    s.area.label, b.visits_per_day, b.days
                )
            } else {
                format!(
                    "all {} days are taken by areas with visits of higher priority",
                    b.days
                )
            };
            unscheduled.push(Unscheduled {
                site_id: s.site_id.clone(),
                area: s.area.clone(),
                reason,
            });
        }
    }
    Bundle { days, unscheduled }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(k: usize) -> Area {
        Area::of_site(Some(100 + k as i64), Some("Kommune"), None, "x")
    }

    fn stop(id: &str, priority: f64, a: usize) -> Stop {
        Stop {
            site_id: id.to_string(),
            priority,
            area: area(a),
        }
    }

    fn ids(d: &Day) -> Vec<&str> {
        d.site_ids.iter().map(String::as_str).collect()
    }

    #[test]
    fn areas_fall_back_from_municipality_to_postcode_to_the_site() {
        let m = Area::of_site(Some(101), Some("København"), Some("1560"), "S1");
        assert_eq!(
            (m.key.as_str(), m.label.as_str()),
            ("municipality:101", "København (101)")
        );
        let p = Area::of_site(None, None, Some(" 8000 "), "S2");
        assert_eq!(
            (p.key.as_str(), p.label.as_str()),
            ("postcode:80", "postcode 80xx")
        );
        let none = Area::of_site(None, None, Some("x"), "S3");
        assert_eq!(none.key, "site:S3");
        assert_ne!(none, Area::of_site(None, None, None, "S4"));
    }

    #[test]
    fn days_never_exceed_their_capacity_and_nothing_is_dropped() {
        // 40 visits over 7 areas, priorities with many ties.
        let stops: Vec<Stop> = (0..40)
            .map(|i| stop(&format!("S{i:03}"), f64::from((i * 7 % 5) as u32), i % 7))
            .collect();
        for (days, per_day) in [(1, 1), (2, 3), (5, 4), (10, 10), (3, 100)] {
            let b = bundle(&stops, Bundling::new(days, per_day).unwrap());
            assert!(b.days.len() <= days);
            assert!(b.days.iter().all(|d| !d.site_ids.is_empty()));
            assert!(b.days.iter().all(|d| d.site_ids.len() <= per_day));
            let scheduled: usize = b.days.iter().map(|d| d.site_ids.len()).sum();
            assert_eq!(scheduled + b.unscheduled.len(), stops.len());
            assert!(scheduled <= days * per_day);
            // One area a day, and every site placed once.
            for d in &b.days {
                for id in &d.site_ids {
                    let s = stops.iter().find(|s| &s.site_id == id).unwrap();
                    assert_eq!(s.area, d.area);
                }
            }
            let mut all: Vec<&str> = b.days.iter().flat_map(ids).collect();
            all.extend(b.unscheduled.iter().map(|u| u.site_id.as_str()));
            all.sort_unstable();
            all.dedup();
            assert_eq!(all.len(), stops.len());
            assert_eq!(
                b.days.iter().map(|d| d.day).collect::<Vec<_>>(),
                (1..=b.days.len()).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn same_area_visits_share_a_day_in_priority_order() {
        let stops = vec![
            stop("A1", 9.0, 1),
            stop("B1", 8.0, 2),
            stop("A2", 7.0, 1),
            stop("C1", 6.0, 3),
            stop("A3", 5.0, 1),
            stop("B2", 4.0, 2),
        ];
        let b = bundle(&stops, Bundling::new(3, 3).unwrap());
        assert_eq!(b.days.len(), 3);
        assert_eq!(ids(&b.days[0]), ["A1", "A2", "A3"]);
        assert_eq!(ids(&b.days[1]), ["B1", "B2"]);
        assert_eq!(ids(&b.days[2]), ["C1"]);
        assert!(b.unscheduled.is_empty());
        assert_eq!(b.day_of("A3"), Some((1, 3)));
        assert_eq!(b.day_of("C1"), Some((3, 1)));
        // Two visits a day, two days: A3 finds its area's day full, C1 and
        // B2 find no day left; they are reported, in priority order.
        let small = bundle(&stops, Bundling::new(2, 2).unwrap());
        assert_eq!(ids(&small.days[0]), ["A1", "A2"]);
        assert_eq!(ids(&small.days[1]), ["B1", "B2"]);
        let left: Vec<&str> = small
            .unscheduled
            .iter()
            .map(|u| u.site_id.as_str())
            .collect();
        assert_eq!(left, ["C1", "A3"]);
        assert!(small.unscheduled[0].reason.contains("all 2 days are taken"));
        assert!(small.unscheduled[1].reason.contains("full"));
    }

    #[test]
    fn the_input_order_does_not_matter_and_ties_go_by_site_id() {
        let stops = vec![
            stop("S3", 1.0, 3),
            stop("S1", 1.0, 1),
            stop("S2", 1.0, 2),
            stop("S0", 2.0, 4),
        ];
        let mut reversed = stops.clone();
        reversed.reverse();
        let b = Bundling::new(2, 1).unwrap();
        let one = bundle(&stops, b);
        let two = bundle(&reversed, b);
        let days = |x: &Bundle| {
            x.days
                .iter()
                .map(|d| d.site_ids.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(days(&one), days(&two));
        // S0 has the highest priority; of the tied rest, S1 has the lowest id.
        assert_eq!(days(&one), [vec!["S0".to_string()], vec!["S1".to_string()]]);
        let left: Vec<&str> = one.unscheduled.iter().map(|u| u.site_id.as_str()).collect();
        assert_eq!(left, ["S2", "S3"]);
    }

    #[test]
    fn zero_days_or_visits_are_refused() {
        assert!(Bundling::new(0, 3).is_err());
        assert!(Bundling::new(3, 0).is_err());
        assert_eq!(Bundling::new(3, 4).unwrap().slots(), 12);
    }
}
