//! Colours and short labels shared by every screen: ILO status, tier,
//! priority band, and compact number formats.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;

use crate::indicators::{IloStatus, Tier};

/// Short labels of the 11 ILO indicators, in `ILO_INDICATORS` order.
pub const ILO_SHORT: [&str; 11] = [
    "vuln", "decep", "move", "isol", "viol", "threat", "docs", "wages", "debt", "cond", "hours",
];

/// The style of an ILO status.
pub fn status_style(s: IloStatus) -> Style {
    match s {
        IloStatus::Observed => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        IloStatus::Signalled => Style::new().fg(Color::Yellow),
        IloStatus::Clear => Style::new().fg(Color::DarkGray),
        IloStatus::Unknown => Style::new().fg(Color::Blue),
    }
}

/// The 11-cell strip of a site's ILO statuses, coloured.
pub fn strip(ilo: &[IloStatus; 11]) -> Vec<Span<'static>> {
    ilo.iter()
        .map(|s| Span::styled(s.symbol().to_string(), status_style(*s)))
        .collect()
}

/// The style of a tier.
pub fn tier_style(t: Tier) -> Style {
    match t {
        Tier::NoIndication => Style::new().fg(Color::DarkGray),
        Tier::ExploitationSignals => Style::new().fg(Color::Yellow),
        Tier::DeceptionAndExploitation => Style::new().fg(Color::LightRed),
        Tier::ForcedLabourIndication => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
    }
}

/// A short tier label for narrow columns, e.g. `3 forced`.
pub fn tier_short(t: Tier) -> &'static str {
    match t {
        Tier::NoIndication => "0 none",
        Tier::ExploitationSignals => "1 exploit",
        Tier::DeceptionAndExploitation => "2 deceit",
        Tier::ForcedLabourIndication => "3 forced",
    }
}

/// Priority bands for the map: by rank among all sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// The top 1% of sites.
    Top1,
    /// The top 10%.
    Top10,
    /// The top half.
    Top50,
    /// The rest, and every site with priority 0.
    Rest,
}

impl Band {
    /// All bands, lowest first (drawing order: the top band is drawn last, on top).
    pub const ALL: [Band; 4] = [Band::Rest, Band::Top50, Band::Top10, Band::Top1];

    /// The band of a site at 0-based `position` among `n`, with its priority.
    pub fn of(position: usize, n: usize, priority: f64) -> Band {
        if priority <= 0.0 || n == 0 {
            return Band::Rest;
        }
        let share = (position as f64 + 1.0) / n as f64;
        if share <= 0.01 {
            Band::Top1
        } else if share <= 0.10 {
            Band::Top10
        } else if share <= 0.50 {
            Band::Top50
        } else {
            Band::Rest
        }
    }

    /// Its colour.
    pub fn color(self) -> Color {
        match self {
            Band::Top1 => Color::Red,
            Band::Top10 => Color::Yellow,
            Band::Top50 => Color::Green,
            Band::Rest => Color::DarkGray,
        }
    }

    /// Its legend label.
    pub fn label(self) -> &'static str {
        match self {
            Band::Top1 => "top 1%",
            Band::Top10 => "top 10%",
            Band::Top50 => "top 50%",
            Band::Rest => "rest",
        }
    }
}

/// A number in at most about five characters: `0.042`, `3.7`, `120`, `4.5k`, `1.2M`.
pub fn compact(x: f64) -> String {
    let a = x.abs();
    if !x.is_finite() {
        "-".into()
    } else if a == 0.0 {
        "0".into()
    } else if a < 0.1 {
        format!("{x:.3}")
    } else if a < 10.0 {
        format!("{x:.2}")
    } else if a < 1000.0 {
        format!("{x:.0}")
    } else if a < 1_000_000.0 {
        format!("{:.1}k", x / 1000.0)
    } else {
        format!("{:.1}M", x / 1_000_000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_and_numbers() {
        assert_eq!(Band::of(0, 1000, 5.0), Band::Top1);
        assert_eq!(Band::of(50, 1000, 5.0), Band::Top10);
        assert_eq!(Band::of(0, 1000, 0.0), Band::Rest);
        assert_eq!(Band::of(0, 0, 1.0), Band::Rest);
        assert_eq!(compact(0.0421), "0.042");
        assert_eq!(compact(3.74), "3.74");
        assert_eq!(compact(4512.0), "4.5k");
        assert_eq!(compact(f64::NAN), "-");
    }
}
