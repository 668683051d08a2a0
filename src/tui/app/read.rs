//! What the render functions and tests read from the app: the data, the
//! views, the components, the open screen and prompt, the message line,
//! the cached explanation and insights, and the key-map contexts of the
//! current state.

use super::{App, AppOptions, Insights, Level, Message, Screen};
use crate::pipeline::Scored;
use crate::rank::Ranked;
use crate::rank::explanation::Explanation;
use crate::tui::component::Prompt;
use crate::tui::keymap::Context;
use crate::tui::query::Query;
use crate::tui::rows::RankCol;
use crate::tui::table::DataTable;

impl App {
    /// The scored data.
    pub fn scored(&self) -> &Scored {
        &self.scored
    }

    /// The session settings.
    pub fn options(&self) -> &AppOptions {
        &self.opts
    }

    /// Every site, in rank order.
    pub fn rows(&self) -> &[Ranked] {
        &self.rows
    }

    /// Longitude and latitude per site (same order as [`App::rows`]).
    pub fn coords(&self) -> &[Option<(f64, f64)>] {
        &self.coords
    }

    /// The shown sites: indices into [`App::rows`], filtered and sorted.
    pub fn view(&self) -> &[usize] {
        &self.view
    }

    /// The marked sites: indices into [`App::rows`], in plan order.
    pub fn plan_view(&self) -> &[usize] {
        &self.plan_view
    }

    /// Whether a site (index into [`App::rows`]) is in the plan.
    pub fn is_marked(&self, row: usize) -> bool {
        self.marked.contains(&row)
    }

    /// The ranking table component.
    pub fn table(&self) -> &DataTable<RankCol> {
        &self.table
    }

    /// The plan table component.
    pub fn plan_table(&self) -> &DataTable<RankCol> {
        &self.plan_table
    }

    /// The open screen.
    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// The active filter.
    pub fn query(&self) -> &Query {
        &self.query
    }

    /// The confirmed search text.
    pub fn search(&self) -> Option<&str> {
        self.search.as_deref()
    }

    /// The open prompt.
    pub fn prompt(&self) -> Option<&Prompt> {
        self.prompt.as_ref()
    }

    /// The message line.
    pub fn message(&self) -> Option<&Message> {
        self.message.as_ref()
    }

    /// Sets the message line.
    pub fn notify(&mut self, text: impl Into<String>, level: Level) {
        self.message = Some(Message {
            text: text.into(),
            level,
        });
    }

    /// Whether the detail pane shows the findings' notes (`o`).
    pub fn show_notes(&self) -> bool {
        self.show_notes
    }

    /// Scroll position of the detail pane.
    pub fn detail_scroll(&self) -> u16 {
        self.detail_scroll
    }

    /// Scroll position of the help screen.
    pub fn help_scroll(&self) -> u16 {
        self.help_scroll
    }

    /// The insights over the current view, when computed.
    pub fn insights(&self) -> Option<&Insights> {
        self.insights.as_ref()
    }

    /// The explanation of the selected site, when cached for it.
    pub fn explanation(&self) -> Option<&Result<Box<Explanation>, String>> {
        let id = &self.selected()?.site_id;
        self.detail
            .as_ref()
            .filter(|(d, _)| d == id)
            .map(|(_, e)| e)
    }

    /// `model: logistic (trained to …)` or `rules`.
    pub fn scorer_label(&self) -> String {
        self.scored.scorer_label()
    }

    /// The key-map contexts of the current state, most specific first.
    pub fn contexts(&self) -> &'static [Context] {
        if self.prompt.is_some() {
            return &[Context::Prompt];
        }
        match self.screen {
            Screen::Ranking => &[Context::List, Context::Ranking, Context::Global],
            Screen::Plan => &[Context::List, Context::Plan, Context::Global],
            Screen::Detail => &[Context::Detail, Context::Global],
            Screen::Map => &[Context::Map, Context::Global],
            Screen::Insights => &[Context::Global],
            Screen::Help => &[Context::Help, Context::Global],
            Screen::Network => &[Context::Network, Context::Global],
            Screen::Agencies => &[Context::Agencies, Context::Global],
            Screen::Checklist => &[Context::Checklist, Context::Global],
        }
    }
}
