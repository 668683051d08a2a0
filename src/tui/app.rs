//! The state of the terminal UI, with no terminal in it: the ranked sites
//! (computed once), the view of them that filters, sort and search
//! produce (a `Vec<usize>` of indices, so rows are never cloned), the
//! selection, the marked plan, the open screen and prompt, and the message
//! line. [`App::handle_key`] and [`App::handle_mouse`] are the only
//! mutators driven by input; rendering (`tui::ui`) only reads. The agency
//! view of the plan is in [`agency`], the visit checklist in [`checklist`].

pub mod agency;
pub mod checklist;
pub mod communities;
mod decide;
mod export;
pub mod insights;
mod list;
pub mod network;
mod read;

use std::cell::Cell;
use std::collections::BTreeSet;
use std::path::PathBuf;

use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};

pub use insights::Insights;

use super::component::{Component, EventState, InternalEvent, Prompt, PromptKind, Queue};
use super::keymap::{self, Action, Context};
use super::query::Query;
use super::rows::RankCol;
use super::table::DataTable;
use crate::pipeline::Scored;
use crate::rank::explanation::{Explanation, explain_with};
use crate::rank::{Filter, Ranked, rank};

/// Settings of a session.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// What the header calls the data set (usually its folder).
    pub dataset: String,
    /// Where `e` writes `tilsyn-plan-<as_of>.csv` and `.json`.
    pub export_dir: PathBuf,
    /// Visits in the plan (at least 1).
    pub capacity: usize,
    /// Audit log, user and model hash for exports; `None` logs nothing (tests).
    pub audit: Option<crate::audit::AuditContext>,
}

/// A screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The ranked table of sites.
    Ranking,
    /// Everything behind the selected site's rank.
    Detail,
    /// Sites on a map of Denmark.
    Map,
    /// Charts over the shown sites and the model's precision.
    Insights,
    /// The marked sites.
    Plan,
    /// Every key.
    Help,
    /// The entities linked to the selected site (`w`; not a tab).
    Network,
    /// The plan as a joint control plan: team and reasons per agency.
    Agencies,
    /// The visit checklist of the selected site (`c`; not a tab).
    Checklist,
}

impl Screen {
    /// The screens `Tab` cycles through, in order.
    pub const TABS: [Screen; 7] = [
        Screen::Ranking,
        Screen::Detail,
        Screen::Map,
        Screen::Insights,
        Screen::Plan,
        Screen::Agencies,
        Screen::Help,
    ];

    /// The tab title.
    pub fn title(self) -> &'static str {
        match self {
            Screen::Ranking => "Ranking",
            Screen::Detail => "Detail",
            Screen::Map => "Map",
            Screen::Insights => "Insights",
            Screen::Plan => "Plan",
            Screen::Help => "Help",
            Screen::Network => "Network",
            Screen::Agencies => "Agencies",
            Screen::Checklist => "Checklist",
        }
    }
}

/// How a message is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Neutral news.
    Info,
    /// Something did not happen.
    Warn,
    /// Something failed.
    Error,
}

/// The message line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Text.
    pub text: String,
    /// Level.
    pub level: Level,
}

/// Which list of sites the selection refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// The ranking (filtered and sorted view).
    Ranking,
    /// The marked plan.
    Plan,
}

/// The cached explanation of one site.
type DetailCache = (String, Result<Box<Explanation>, String>);

/// The whole state of the terminal UI.
pub struct App {
    scored: Scored,
    opts: AppOptions,
    rows: std::sync::Arc<Vec<Ranked>>,
    coords: Vec<Option<(f64, f64)>>,
    view: Vec<usize>,
    plan_view: Vec<usize>,
    marked: BTreeSet<usize>,
    table: DataTable<RankCol>,
    plan_table: DataTable<RankCol>,
    screen: Screen,
    back: Screen,
    help_back: Screen,
    focus: ListKind,
    query: Query,
    search: Option<String>,
    prompt: Option<Prompt>,
    message: Option<Message>,
    detail: Option<DetailCache>,
    detail_scroll: u16,
    /// Whether the detail pane shows the findings' notes (masked on load).
    show_notes: bool,
    help_scroll: u16,
    insights: Option<Insights>,
    queue: Queue,
    oversight: decide::Oversight,
    network: network::NetworkState,
    agency: agency::AgencyState,
    visit: checklist::ChecklistState,
    /// Lines of the open screen's scrolling pane as last drawn (PgUp/PgDn
    /// move that many); set by the render functions.
    pane_page: Cell<u16>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("sites", &self.rows.len())
            .field("shown", &self.view.len())
            .field("marked", &self.marked.len())
            .field("screen", &self.screen)
            .finish_non_exhaustive()
    }
}

impl App {
    /// Ranks every site once and opens the ranking.
    pub fn new(scored: Scored, mut opts: AppOptions) -> App {
        opts.capacity = opts.capacity.max(1);
        let rows = rank(&scored, &Filter::default(), None, 0);
        let oversight = decide::Oversight::new(&rows, opts.capacity);
        let coords = crate::rank::rows::coordinates(&scored, &rows);
        let view = (0..rows.len()).collect();
        App {
            scored,
            opts,
            rows: std::sync::Arc::new(rows),
            coords,
            view,
            plan_view: oversight.recommended.iter().copied().collect(),
            marked: oversight.recommended.clone(),
            table: DataTable::new(RankCol::ALL.to_vec()),
            plan_table: DataTable::new(RankCol::ALL.to_vec()),
            screen: Screen::Ranking,
            back: Screen::Ranking,
            help_back: Screen::Ranking,
            focus: ListKind::Ranking,
            query: Query::default(),
            search: None,
            prompt: None,
            message: None,
            detail: None,
            detail_scroll: 0,
            show_notes: false,
            help_scroll: 0,
            insights: None,
            queue: Queue::default(),
            oversight,
            network: network::NetworkState::default(),
            agency: agency::AgencyState::default(),
            visit: checklist::ChecklistState::default(),
            pane_page: Cell::new(10),
        }
    }

    /// Handles a key and returns the action it triggered (`Action::Quit` ends the program).
    pub fn handle_key(&mut self, key: KeyEvent) -> Action {
        if key.kind == KeyEventKind::Release {
            return Action::None;
        }
        let action = match self.prompt.as_mut() {
            Some(p) => match p.event(&key, &mut self.queue) {
                EventState::Consumed => Action::None,
                EventState::NotConsumed => {
                    keymap::lookup(&[Context::Prompt], &key).unwrap_or(Action::None)
                }
            },
            None => {
                self.message = None;
                keymap::lookup(self.contexts(), &key).unwrap_or(Action::None)
            }
        };
        self.apply(action);
        self.drain();
        self.refresh();
        action
    }

    /// Handles the mouse: the wheel scrolls, a left click selects the row under the pointer.
    pub fn handle_mouse(&mut self, m: MouseEvent) {
        if self.prompt.is_some() {
            return;
        }
        match m.kind {
            MouseEventKind::ScrollDown => self.scroll(3),
            MouseEventKind::ScrollUp => self.scroll(-3),
            MouseEventKind::Down(MouseButton::Left)
                if matches!(self.screen, Screen::Ranking | Screen::Plan) =>
            {
                let k = self.list();
                let len = self.list_view(k).len();
                if let Some(pos) = self.list_table(k).position_at(m.column, m.row, len) {
                    self.list_table_mut(k).select(pos, len);
                }
            }
            _ => {}
        }
        self.drain();
        self.refresh();
    }

    fn scroll(&mut self, delta: i32) {
        match self.screen {
            Screen::Detail => self.detail_scroll = step(self.detail_scroll, delta),
            Screen::Help => self.help_scroll = step(self.help_scroll, delta),
            Screen::Insights | Screen::Network => {}
            Screen::Agencies => self.agency_move(delta as isize),
            Screen::Checklist => self.checklist_move(delta as isize),
            _ => self.move_by(delta as isize),
        }
    }

    fn apply(&mut self, action: Action) {
        if self.screen == Screen::Network && self.network_action(action) {
            return;
        }
        if self.screen == Screen::Agencies && self.agency_action(action) {
            return;
        }
        if self.screen == Screen::Checklist && self.checklist_action(action) {
            return;
        }
        match action {
            Action::None | Action::Quit => {}
            Action::Help => {
                if self.screen == Screen::Help {
                    self.screen = self.help_back;
                } else {
                    self.goto(Screen::Help);
                }
            }
            Action::NextScreen | Action::PrevScreen => {
                let n = Screen::TABS.len();
                let i = Screen::TABS
                    .iter()
                    .position(|s| *s == self.screen)
                    .unwrap_or(0);
                let j = if action == Action::NextScreen {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.goto(Screen::TABS[j]);
            }
            Action::Ranking => self.goto(Screen::Ranking),
            Action::Map => self.goto(Screen::Map),
            Action::Insights => self.goto(Screen::Insights),
            Action::Plan => self.goto(Screen::Plan),
            Action::Network => self.open_network(),
            Action::Agencies => self.goto(Screen::Agencies),
            Action::Checklist => self.open_checklist(),
            Action::Jump
            | Action::Community
            | Action::Communities
            | Action::Answer(_)
            | Action::Digit(_)
            | Action::Erase
            | Action::TypeNote
            | Action::CaseId
            | Action::NextAgency
            | Action::NextOutcome
            | Action::Save => {}
            Action::Detail => {
                if self.screen == Screen::Detail {
                    self.screen = self.back;
                } else {
                    if self.screen == Screen::Help {
                        self.screen = self.help_back;
                    }
                    self.goto(Screen::Detail);
                }
            }
            Action::Back => self.back_out(),
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp | Action::PageDown => {
                let sign = if action == Action::PageUp { -1 } else { 1 };
                match self.screen {
                    Screen::Detail | Screen::Help => self.scroll(sign * 10),
                    _ => {
                        let page = self.list_table(self.list()).page();
                        self.move_by(sign as isize * page as isize);
                    }
                }
            }
            Action::First => self.move_by(isize::MIN / 2),
            Action::Last => self.move_by(isize::MAX / 2),
            Action::ScrollUp => self.scroll(-1),
            Action::ScrollDown => self.scroll(1),
            Action::Search | Action::Filter => {
                let kind = if action == Action::Search {
                    PromptKind::Search
                } else {
                    PromptKind::Filter
                };
                let origin = self
                    .list_table(self.list())
                    .selected(self.list_view(self.list()).len())
                    .unwrap_or(0);
                self.prompt = Some(Prompt::new(kind, origin));
            }
            Action::SearchNext => self.search_step(true),
            Action::SearchPrev => self.search_step(false),
            Action::SortNext | Action::SortReverse => self.sort(action == Action::SortReverse),
            Action::Mark => self.decide_mark(),
            Action::Export => self.export(),
            Action::Notes => {
                self.show_notes = !self.show_notes;
                // Recomputed with or without the notes on the next refresh.
                self.detail = None;
                let state = if self.show_notes {
                    "shown (masked)"
                } else {
                    "hidden"
                };
                self.notify(format!("inspectors' notes {state}"), Level::Info);
            }
            Action::Submit => self.submit(),
            Action::Cancel => {
                if let Some(p) = self.prompt.take()
                    && p.kind == PromptKind::Search
                {
                    let k = self.list();
                    let len = self.list_view(k).len();
                    self.list_table_mut(k).select(p.origin, len);
                }
            }
        }
    }

    /// Opens a screen, remembering where Esc from help or detail returns to.
    fn goto(&mut self, to: Screen) {
        if to == self.screen {
            return;
        }
        match to {
            Screen::Ranking => self.focus = ListKind::Ranking,
            Screen::Plan => self.focus = ListKind::Plan,
            Screen::Help => {
                self.help_back = self.screen;
                self.help_scroll = 0;
            }
            Screen::Detail => {
                if self.screen != Screen::Help {
                    self.back = self.screen;
                    self.focus = match self.screen {
                        Screen::Plan | Screen::Agencies => ListKind::Plan,
                        Screen::Network | Screen::Checklist => self.focus,
                        _ => ListKind::Ranking,
                    };
                }
                self.detail_scroll = 0;
            }
            Screen::Agencies => {
                // The agency view's selection is the plan's.
                self.focus = ListKind::Plan;
                self.agency.scroll = 0;
            }
            Screen::Map | Screen::Insights | Screen::Network | Screen::Checklist => {}
        }
        self.screen = to;
    }

    /// Esc: close help or detail, else clear the search, else the filter, else go to the ranking.
    fn back_out(&mut self) {
        if self.screen == Screen::Help {
            self.screen = self.help_back;
        } else if self.screen == Screen::Detail {
            self.screen = if self.back == Screen::Detail {
                Screen::Ranking
            } else {
                self.back
            };
        } else if self.search.take().is_some() {
            self.notify("search cleared", Level::Info);
        } else if !self.query.is_empty() {
            self.query = Query::default();
            self.refilter();
            self.notify(
                format!("filter cleared: all {} sites shown", self.rows.len()),
                Level::Info,
            );
        } else if self.screen != Screen::Ranking {
            self.goto(Screen::Ranking);
        }
    }

    fn submit(&mut self) {
        let Some(mut p) = self.prompt.take() else {
            return;
        };
        let text = p.text.trim().to_string();
        match p.kind {
            PromptKind::Search if text.is_empty() => self.search = None,
            PromptKind::Search => {
                let count = self.count_matches(&text);
                let level = if count == 0 { Level::Warn } else { Level::Info };
                self.notify(
                    format!("{count} site(s) match \"{text}\" · n/N next/previous · Esc clears"),
                    level,
                );
                self.search = Some(text);
            }
            PromptKind::Filter if text.is_empty() => {}
            PromptKind::Filter => match self.query.with(&text) {
                Ok(q) => {
                    self.query = q;
                    self.refilter();
                    let (n, all) = (self.view.len(), self.rows.len());
                    if n == 0 {
                        self.notify(
                            format!("no site of {all} matches the filter · Esc clears it"),
                            Level::Warn,
                        );
                    } else {
                        self.notify(
                            format!("{n} of {all} sites match · Esc clears the filter"),
                            Level::Info,
                        );
                    }
                }
                Err(e) => {
                    p.error = Some(e);
                    self.prompt = Some(p);
                }
            },
            PromptKind::Reason => self.submit_reason(p, &text),
            PromptKind::Note | PromptKind::CaseId => self.submit_visit_text(&p, &text),
        }
    }

    fn drain(&mut self) {
        while let Some(ev) = self.queue.pop() {
            match ev {
                InternalEvent::PromptChanged(PromptKind::Search, text) => {
                    self.search_incremental(&text)
                }
                InternalEvent::PromptChanged(
                    PromptKind::Filter | PromptKind::Reason | PromptKind::Note | PromptKind::CaseId,
                    _,
                ) => {}
                // The agency view is recomputed from the changed plan.
                InternalEvent::PlanChanged => self.agency.plan = None,
                InternalEvent::ViewChanged => self.insights = None,
            }
        }
    }

    /// Computes what the open screen needs and is not cached yet.
    fn refresh(&mut self) {
        if self.screen == Screen::Detail
            && let Some(site) = self.selected().map(|r| r.site_id.clone())
            && self.detail.as_ref().is_none_or(|(id, _)| *id != site)
        {
            let e = explain_with(&self.scored, &site, self.show_notes)
                .map(Box::new)
                .map_err(|e| format!("{e:#}"));
            self.detail = Some((site, e));
            self.detail_scroll = 0;
        }
        if self.screen == Screen::Insights && self.insights.is_none() {
            self.insights = Some(Insights::compute(&self.rows, &self.view));
        }
        if self.screen == Screen::Agencies {
            self.refresh_joint();
        }
    }
}

/// Adds a signed step to a scroll position, clamped at 0.
fn step(pos: u16, delta: i32) -> u16 {
    u16::try_from((i32::from(pos) + delta).clamp(0, i32::from(u16::MAX))).unwrap_or(0)
}
