//! The ranked sites as table rows: the columns of the ranking and plan
//! tables ([`RankCol`]), how a [`Ranked`] site fills them ([`RankedRow`])
//! and how sites sort by each of them.

use std::cmp::Ordering;

use chrono::{Days, NaiveDate};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::Cell;

use super::table::{Column, DataToCell, SortOrder, SortableRow};
use super::theme::{compact, strip, tier_short, tier_style};
use crate::indicators::IloStatus;
use crate::rank::Ranked;

/// A column of the ranking table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankCol {
    /// Marked for the plan.
    Mark,
    /// Rank among all sites.
    Rank,
    /// Site id (P-number).
    Site,
    /// Site name.
    Name,
    /// Municipality.
    Municipality,
    /// DB07 sector code.
    Sector,
    /// Workers exposed.
    Workers,
    /// Priority.
    Priority,
    /// Model probability.
    Probability,
    /// ILO tier.
    Tier,
    /// The 11-cell ILO strip.
    Ilo,
    /// How many of the 11 were assessed.
    Coverage,
    /// Date of the last inspection.
    LastInspected,
}

impl RankCol {
    /// Every column, in display order.
    pub const ALL: [RankCol; 13] = [
        RankCol::Mark,
        RankCol::Rank,
        RankCol::Site,
        RankCol::Name,
        RankCol::Municipality,
        RankCol::Sector,
        RankCol::Workers,
        RankCol::Priority,
        RankCol::Probability,
        RankCol::Tier,
        RankCol::Ilo,
        RankCol::Coverage,
        RankCol::LastInspected,
    ];
}

impl Column for RankCol {
    fn title(self) -> &'static str {
        match self {
            RankCol::Mark => "",
            RankCol::Rank => "rank",
            RankCol::Site => "site",
            RankCol::Name => "name",
            RankCol::Municipality => "municipality",
            RankCol::Sector => "sector",
            RankCol::Workers => "workers",
            RankCol::Priority => "priority",
            RankCol::Probability => "prob",
            RankCol::Tier => "tier",
            RankCol::Ilo => "ILO 1-11",
            RankCol::Coverage => "cov",
            RankCol::LastInspected => "inspected",
        }
    }

    fn width(self) -> u16 {
        match self {
            RankCol::Mark => 1,
            RankCol::Rank => 7,
            RankCol::Site => 11,
            RankCol::Name => 14,
            RankCol::Municipality => 13,
            RankCol::Sector => 6,
            RankCol::Workers => 7,
            RankCol::Priority => 8,
            RankCol::Probability => 6,
            RankCol::Tier => 9,
            RankCol::Ilo => 11,
            RankCol::Coverage => 5,
            RankCol::LastInspected => 10,
        }
    }

    fn flexible(self) -> bool {
        self == RankCol::Name
    }

    fn keep(self) -> u8 {
        match self {
            RankCol::Mark => 0,
            RankCol::Rank => 1,
            RankCol::Site => 2,
            RankCol::Priority => 3,
            RankCol::Tier => 4,
            RankCol::Ilo => 5,
            RankCol::Municipality => 6,
            RankCol::Sector => 7,
            RankCol::Workers => 8,
            RankCol::Probability => 9,
            RankCol::LastInspected => 10,
            RankCol::Coverage => 11,
            RankCol::Name => 12,
        }
    }

    fn sortable(self) -> bool {
        self != RankCol::Mark
    }

    fn default_order(self) -> SortOrder {
        match self {
            RankCol::Workers
            | RankCol::Priority
            | RankCol::Probability
            | RankCol::Tier
            | RankCol::Ilo
            | RankCol::LastInspected => SortOrder::Descending,
            _ => SortOrder::Ascending,
        }
    }
}

/// Counts of observed and signalled ILO indicators (the strip's sort key).
pub fn ilo_weight(ilo: &[IloStatus; 11]) -> (usize, usize) {
    let n = |s: IloStatus| ilo.iter().filter(|x| **x == s).count();
    (n(IloStatus::Observed), n(IloStatus::Signalled))
}

/// The date of the last inspection, from the days before `as_of`.
pub fn last_inspected(as_of: NaiveDate, days: Option<i64>) -> Option<NaiveDate> {
    days.and_then(|d| u64::try_from(d).ok())
        .and_then(|d| as_of.checked_sub_days(Days::new(d)))
}

fn cmp_opt_str(a: Option<&str>, b: Option<&str>) -> Ordering {
    // Missing values sort last in ascending order.
    match (a, b) {
        (Some(x), Some(y)) => x
            .chars()
            .flat_map(char::to_lowercase)
            .cmp(y.chars().flat_map(char::to_lowercase)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

impl SortableRow<RankCol> for Ranked {
    fn compare(&self, o: &Self, column: RankCol) -> Ordering {
        match column {
            RankCol::Mark | RankCol::Rank => self.rank.cmp(&o.rank),
            RankCol::Site => self.site_id.cmp(&o.site_id),
            RankCol::Name => cmp_opt_str(self.name.as_deref(), o.name.as_deref()),
            RankCol::Municipality => {
                cmp_opt_str(self.municipality.as_deref(), o.municipality.as_deref())
            }
            RankCol::Sector => cmp_opt_str(self.sector_code.as_deref(), o.sector_code.as_deref()),
            RankCol::Workers => self.workers_exposed.total_cmp(&o.workers_exposed),
            RankCol::Priority => self.priority.total_cmp(&o.priority),
            RankCol::Probability => self
                .probability
                .unwrap_or(-1.0)
                .total_cmp(&o.probability.unwrap_or(-1.0)),
            RankCol::Tier => self.tier.cmp(&o.tier),
            RankCol::Ilo => ilo_weight(&self.ilo).cmp(&ilo_weight(&o.ilo)),
            // Least assessed first, and among those the most workers first:
            // sorted ascending, this is the blind-spots view.
            RankCol::Coverage => self
                .coverage
                .cmp(&o.coverage)
                .then(o.workers_exposed.total_cmp(&self.workers_exposed)),
            // Never inspected counts as the longest ago.
            RankCol::LastInspected => self
                .days_since_inspection
                .unwrap_or(i64::MAX)
                .cmp(&o.days_since_inspection.unwrap_or(i64::MAX)),
        }
    }
}

/// A ranked site as the table shows it.
#[derive(Debug, Clone, Copy)]
pub struct RankedRow<'a> {
    /// The site.
    pub site: &'a Ranked,
    /// Whether it is in the plan.
    pub marked: bool,
    /// The analysis date (for the last-inspection date).
    pub as_of: NaiveDate,
}

impl DataToCell<RankCol> for RankedRow<'_> {
    fn cell(&self, column: RankCol) -> Cell<'static> {
        let r = self.site;
        let dim = Style::new().fg(Color::DarkGray);
        match column {
            RankCol::Mark => {
                if self.marked {
                    Cell::new("✓").style(Style::new().fg(Color::Cyan))
                } else {
                    Cell::new(" ")
                }
            }
            RankCol::Rank => Cell::new(r.rank.to_string()),
            RankCol::Site => Cell::new(r.site_id.clone()),
            RankCol::Name => Cell::new(r.name.clone().unwrap_or_default()),
            RankCol::Municipality => {
                Cell::new(r.municipality.clone().unwrap_or_else(|| "-".into()))
            }
            RankCol::Sector => Cell::new(r.sector_code.clone().unwrap_or_else(|| "-".into())),
            RankCol::Workers => Cell::new(format!(
                "{:>7}",
                crate::rank::rows::workers_text(r.workers_exposed, r.workers_known)
            )),
            RankCol::Priority => Cell::new(format!("{:>8}", compact(r.priority))),
            RankCol::Probability => match r.probability {
                Some(p) => Cell::new(format!("{:>5.1}%", p * 100.0)),
                None => Cell::new("     -").style(dim),
            },
            RankCol::Tier => Cell::new(tier_short(r.tier)).style(tier_style(r.tier)),
            RankCol::Ilo => Cell::new(Line::from(strip(&r.ilo))),
            RankCol::Coverage => Cell::new(format!("{:>2}/11", r.coverage)),
            RankCol::LastInspected => match last_inspected(self.as_of, r.days_since_inspection) {
                Some(d) => Cell::new(d.to_string()),
                None => Cell::new("never").style(dim),
            },
        }
    }
}
