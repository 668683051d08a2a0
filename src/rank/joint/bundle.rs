//! Day routes of a joint plan: visits bundled by area (the municipality,
//! or the postcode's first two digits where the municipality is missing)
//! into at most `days` days of at most `visits_per_day` visits each.
//!
//! Greedy and deterministic: visits are taken by priority (highest first,
//! ties by site id); a visit joins the first day already open in its area
//! that has room, else opens a new day while days remain, else joins the
//! nearest open day with room whose first visit is within `max_km` (a
//! team drives to a neighbouring municipality rather than leave a slot
//! empty), else it is left unscheduled with the reason. So a day is one
//! area and its neighbours, the days are numbered in the order of their
//! best visit, and no visit is dropped without a word.
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

/// How far (km, straight line) a day's later visit may be from its first
/// when it fills a slot outside the day's area: about half an hour's drive.
pub const DEFAULT_MAX_KM: f64 = 30.0;

/// How many days, visits a day, and how far a day may reach.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bundling {
    /// Days available.
    pub days: usize,
    /// Visits a team can make in a day.
    pub visits_per_day: usize,
    /// How far from the day's first visit a visit of another area may be
    /// to fill a free slot; 0 keeps every day to one area.
    pub max_km: f64,
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
            max_km: DEFAULT_MAX_KM,
        })
    }

    /// The same with another reach; a negative or non-finite one is refused.
    pub fn with_max_km(self, max_km: f64) -> Result<Bundling, JointError> {
        if !(max_km.is_finite() && max_km >= 0.0) {
            return Err(JointError::Bundling { name: "max_km" });
        }
        Ok(Bundling { max_km, ..self })
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
    /// Where it is (longitude, latitude), if known: the site's coordinates,
    /// else its municipality's ([`crate::rank::rows::coordinates`]).
    pub point: Option<(f64, f64)>,
}

/// One day's route.
#[derive(Debug, Clone, Serialize)]
pub struct Day {
    /// 1-based day number.
    pub day: usize,
    /// The area of the day's first visit.
    pub area: Area,
    /// Other areas whose visits filled free slots, nearest first as taken.
    pub nearby: Vec<Area>,
    /// The sites in visiting order (by priority).
    pub site_ids: Vec<String>,
    /// Where the first visit is.
    #[serde(skip)]
    pub point: Option<(f64, f64)>,
}

impl Day {
    /// The day's areas in words: `København (101) + Gladsaxe (159)`.
    pub fn label(&self) -> String {
        std::iter::once(&self.area)
            .chain(&self.nearby)
            .map(|a| a.label.as_str())
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

/// Great-circle distance in km between two (longitude, latitude) points.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lo1, la1) = (a.0.to_radians(), a.1.to_radians());
    let (lo2, la2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
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

/// The open day with room whose first visit is nearest the stop, within
/// the reach; ties go to the earlier day. None when either point is unknown.
fn nearest_with_room<'a>(days: &'a mut [Day], s: &Stop, b: Bundling) -> Option<&'a mut Day> {
    let here = s.point?;
    let mut best: Option<(usize, f64)> = None;
    for (i, d) in days.iter().enumerate() {
        if d.site_ids.len() >= b.visits_per_day {
            continue;
        }
        let Some(there) = d.point else { continue };
        let km = distance_km(here, there);
        if km <= b.max_km && best.is_none_or(|(_, k)| km < k) {
            best = Some((i, km));
        }
    }
    best.map(|(i, _)| &mut days[i])
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
                nearby: Vec::new(),
                site_ids: vec![s.site_id.clone()],
                point: s.point,
            });
        } else if let Some(d) = nearest_with_room(&mut days, s, b) {
            if d.area != s.area && !d.nearby.contains(&s.area) {
                d.nearby.push(s.area.clone());
            }
            d.site_ids.push(s.site_id.clone());
        } else {
            let has_day = days.iter().any(|d| d.area.key == s.area.key);
            let reach = match (b.max_km > 0.0, s.point.is_some()) {
                (false, _) => String::new(),
                (true, true) => {
                    format!(", and no day with room starts within {:.0} km", b.max_km)
                }
                (true, false) => {
                    ", and the site has no coordinates to find a day nearby".to_string()
                }
            };
            let reason = if has_day {
                format!(
                    "the day(s) in {} are full ({} visits a day) and all {} days are taken{reach}",
                    s.area.label, b.visits_per_day, b.days
                )
            } else {
                format!(
                    "all {} days are taken by areas with visits of higher priority{reach}",
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
            // Areas 100 km apart: none is near another.
            point: Some((10.0, 55.0 + a as f64 * 0.9)),
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
            // A day is its area and the neighbours it lists, each within
            // reach of its first visit; every site is placed once.
            for d in &b.days {
                for id in &d.site_ids {
                    let s = stops.iter().find(|s| &s.site_id == id).unwrap();
                    assert!(s.area == d.area || d.nearby.contains(&s.area));
                    let (p, q) = (s.point.unwrap(), d.point.unwrap());
                    assert!(distance_km(p, q) <= DEFAULT_MAX_KM);
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
    fn free_slots_go_to_the_nearest_day_within_reach() {
        let at = |id: &str, priority: f64, a: usize, lat: f64| Stop {
            point: Some((12.5, lat)),
            ..stop(id, priority, a)
        };
        // København (day 1), Aarhus far away (day 2); Gladsaxe 10 km from
        // København fills day 1; Roskilde 30+ km away and Odense find none.
        let stops = vec![
            at("K1", 9.0, 1, 55.68),
            at("A1", 8.0, 2, 56.15),
            at("G1", 7.0, 3, 55.77),
            at("R1", 6.0, 4, 55.30),
        ];
        let b = Bundling::new(2, 3).unwrap();
        let r = bundle(&stops, b);
        assert_eq!(ids(&r.days[0]), ["K1", "G1"]);
        assert_eq!(r.days[0].nearby, [area(3)]);
        assert!(r.days[0].label().contains(" + "));
        assert_eq!(ids(&r.days[1]), ["A1"]);
        assert_eq!(r.unscheduled.len(), 1);
        assert!(
            r.unscheduled[0].reason.contains("within 30 km"),
            "{:?}",
            r.unscheduled
        );
        // A reach of 0 keeps every day to its own area.
        let strict = bundle(&stops, b.with_max_km(0.0).unwrap());
        assert_eq!(ids(&strict.days[0]), ["K1"]);
        assert_eq!(strict.unscheduled.len(), 2);
        // No point, no neighbour.
        let blind: Vec<Stop> = stops
            .iter()
            .map(|s| Stop {
                point: None,
                ..s.clone()
            })
            .collect();
        let blind = bundle(&blind, b);
        assert_eq!(blind.unscheduled.len(), 2);
        assert!(
            blind.unscheduled[0].reason.contains("no coordinates"),
            "{:?}",
            blind.unscheduled
        );
        assert!(b.with_max_km(-1.0).is_err());
        assert!((distance_km((12.57, 55.68), (10.2, 56.15)) - 157.0).abs() < 5.0);
    }

    #[test]
    fn zero_days_or_visits_are_refused() {
        assert!(Bundling::new(0, 3).is_err());
        assert!(Bundling::new(3, 0).is_err());
        assert_eq!(Bundling::new(3, 4).unwrap().slots(), 12);
    }
}
