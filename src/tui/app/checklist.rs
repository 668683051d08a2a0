//! The visit checklist of the selected site (`c`): the questions of the
//! bundled checklist in the order the core gives the site (the ILO
//! indicators its ranking flagged first), answered yes / no / unknown with
//! the number of workers concerned and a note, and the visit's case id and
//! agency. The answers live in the core's `visit::form::Form`, one per site
//! for the session: Esc closes the checklist and keeps them, `c` reopens
//! it. `s` writes the form as TOML with the core's writer
//! (`Form::to_toml`) into the visit folder (`--visit-dir`, default the
//! current directory), never into the data folder; `tilsyn visit record`
//! then turns it into records.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{App, Level, Screen};
use crate::data::schema::{AGENCIES, OUTCOMES};
use crate::rank::explanation::explain_with;
use crate::rank::plan::Selection;
use crate::tui::component::{Prompt, PromptKind};
use crate::tui::keymap::Action;
use crate::visit::checklist::{Checklist, SiteContext};
use crate::visit::form::{self, Form, MAX_WORKERS, QuestionAnswer, VisitAnswer};

/// The furthest the question text scrolls (its lines, wrapped narrow).
const SCROLL_LIMIT: u16 = 60;

/// The open checklist of one site.
#[derive(Debug, Clone)]
pub struct ChecklistView {
    /// The site visited.
    pub site_id: String,
    /// Its name.
    pub name: Option<String>,
    /// What the ranking says of it (the order and the flags).
    pub context: SiteContext,
    /// The question ids in the site's order (flagged indicators first).
    pub order: Vec<String>,
    /// How many ILO indicators the ranking flagged.
    pub flagged: usize,
    /// The selected question (position in `order`).
    pub selected: usize,
    /// Scroll position of the selected question's text.
    pub scroll: u16,
    /// Where the form was last saved.
    pub saved: Option<PathBuf>,
    /// Whether an answer changed since it was saved.
    pub dirty: bool,
    /// Where Esc returns to.
    pub back: Screen,
}

/// The checklist (loaded on first use), the forms of the session and the
/// open view.
#[derive(Debug)]
pub struct ChecklistState {
    list: Option<Result<Checklist, String>>,
    forms: HashMap<String, Form>,
    view: Option<ChecklistView>,
    dir: PathBuf,
}

impl Default for ChecklistState {
    fn default() -> ChecklistState {
        ChecklistState {
            list: None,
            forms: HashMap::new(),
            view: None,
            dir: PathBuf::from("."),
        }
    }
}

/// What a key of [`Form::missing_for_record`] means, with the key that fills it.
fn missing_text(key: &str) -> &'static str {
    match key {
        "visit.inspection_id" => "the case id (i)",
        "visit.agency" => "who inspected (a)",
        "visit.date" => "the date (in the file)",
        "answers" => "an answer yes or no",
        _ => "the site id",
    }
}

/// Whether two paths name the same folder.
fn same_dir(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

impl App {
    /// Sets the folder `s` writes visit forms to.
    pub fn set_visit_dir(&mut self, dir: PathBuf) {
        self.visit.dir = dir;
    }

    /// The folder `s` writes visit forms to.
    pub fn visit_dir(&self) -> &Path {
        &self.visit.dir
    }

    /// The open checklist, if any.
    pub fn checklist(&self) -> Option<&ChecklistView> {
        self.visit.view.as_ref()
    }

    /// The visit checklist, once loaded.
    pub fn visit_checklist(&self) -> Option<&Checklist> {
        self.visit.list.as_ref()?.as_ref().ok()
    }

    /// The form filled for a site in this session.
    pub fn visit_form(&self, site_id: &str) -> Option<&Form> {
        self.visit.forms.get(site_id)
    }

    /// A new form for the site at `row`: dated today, the agency when the
    /// view plans for one, and the plan's trigger and selection
    /// probability when the site is in the plan.
    fn new_form(&self, row: usize, site_id: &str) -> Form {
        let mut f = Form::new(site_id);
        f.visit.date = Some(chrono::Local::now().date_naive());
        if let [only] = self.joint_params().agencies.as_slice() {
            f.visit.agency.clone_from(only);
        }
        if self.marked.contains(&row) {
            let rec = self
                .oversight
                .recommendation
                .plan
                .rows
                .iter()
                .find(|r| r.site.site_id == site_id);
            let (trigger, p) = match rec {
                Some(r) => match r.selection {
                    Selection::Priority => ("risk", r.selection_probability),
                    Selection::Exploration => ("random", r.selection_probability),
                },
                // Added by a person: selected for certain.
                None => ("", 1.0),
            };
            f.visit.trigger = trigger.to_string();
            f.visit.selection_probability = Some(p).filter(|p| *p > 0.0 && *p <= 1.0);
        }
        f
    }

    /// `c`: opens the checklist of the selected site (or closes it).
    pub(super) fn open_checklist(&mut self) {
        if self.screen == Screen::Checklist {
            self.close_checklist();
            return;
        }
        let Some(row) = self.selected_index() else {
            self.notify("no site selected", Level::Warn);
            return;
        };
        let Some((site_id, name)) = self
            .rows
            .get(row)
            .map(|r| (r.site_id.clone(), r.name.clone()))
        else {
            return;
        };
        if self.visit.list.is_none() {
            self.visit.list = Some(
                Checklist::bundled().map_err(|e| format!("the visit checklist does not load: {e}")),
            );
        }
        let context = explain_with(&self.scored, &site_id, false)
            .map(|e| SiteContext::from_explanation(&e))
            .unwrap_or_else(|_| SiteContext::unscored(&site_id));
        let order = match &self.visit.list {
            Some(Ok(list)) => Ok(list
                .ordered(&context)
                .iter()
                .map(|q| q.id.clone())
                .collect::<Vec<String>>()),
            Some(Err(e)) => Err(e.clone()),
            None => Err("the visit checklist is not loaded".to_string()),
        };
        let order = match order {
            Ok(o) => o,
            Err(e) => {
                self.notify(e, Level::Error);
                return;
            }
        };
        if !self.visit.forms.contains_key(&site_id) {
            let f = self.new_form(row, &site_id);
            self.visit.forms.insert(site_id.clone(), f);
        }
        let flagged = context.flagged().len();
        let n = order.len();
        self.focus = self.list();
        self.visit.view = Some(ChecklistView {
            site_id: site_id.clone(),
            name,
            context,
            order,
            flagged,
            selected: 0,
            scroll: 0,
            saved: None,
            dirty: false,
            back: self.screen,
        });
        self.screen = Screen::Checklist;
        self.notify(
            format!(
                "checklist of {site_id}: {n} questions, the {flagged} indicator(s) the ranking flagged first · y/n/u answers · digits: workers · t note · s saves"
            ),
            Level::Info,
        );
    }

    /// Leaves the checklist for the screen it was opened from; the answers stay.
    fn close_checklist(&mut self) {
        let (back, unsaved) = self
            .visit
            .view
            .take()
            .map_or((Screen::Ranking, false), |v| (v.back, v.dirty));
        self.screen = if back == Screen::Checklist {
            Screen::Ranking
        } else {
            back
        };
        let how = if unsaved { " without saving" } else { "" };
        self.notify(
            format!(
                "checklist closed{how}: its answers are kept for this session (c reopens it, s in it saves)"
            ),
            Level::Info,
        );
    }

    /// Handles an action on the checklist; true when it was consumed.
    pub(super) fn checklist_action(&mut self, action: Action) -> bool {
        let page = self.pane_page.get().max(1);
        let Some(view) = self.visit.view.as_mut() else {
            return false;
        };
        match action {
            Action::Up | Action::ScrollUp => self.checklist_move(-1),
            Action::Down | Action::ScrollDown => self.checklist_move(1),
            Action::First => self.checklist_move(isize::MIN / 2),
            Action::Last => self.checklist_move(isize::MAX / 2),
            Action::PageUp => view.scroll = view.scroll.saturating_sub(page),
            Action::PageDown => view.scroll = view.scroll.saturating_add(page).min(SCROLL_LIMIT),
            Action::Answer(a) => self.set_answer(a),
            Action::Digit(d) => self.add_digit(d),
            Action::Erase => {
                if let Some((id, qa)) = self.edit_answer(|qa| qa.workers /= 10) {
                    self.notify(
                        format!("{id}: {} worker(s) concerned", qa.workers),
                        Level::Info,
                    );
                }
            }
            Action::TypeNote => self.prompt_note(),
            Action::CaseId => {
                let text = self.current_form().map(|f| f.visit.inspection_id.clone());
                self.prompt = Some(Prompt::edit(
                    PromptKind::CaseId,
                    0,
                    "visit case id (inspection_id): ".to_string(),
                    text.unwrap_or_default(),
                ));
            }
            Action::NextAgency => self.next_agency(),
            Action::NextOutcome => self.next_outcome(),
            Action::Save => self.save_form(),
            Action::Back | Action::Checklist => self.close_checklist(),
            _ => return false,
        }
        true
    }

    /// Moves to another question (clamped).
    pub(super) fn checklist_move(&mut self, delta: isize) {
        if let Some(v) = self.visit.view.as_mut() {
            let last = v.order.len().saturating_sub(1);
            v.selected = v.selected.saturating_add_signed(delta).min(last);
            v.scroll = 0;
        }
    }

    /// The form of the open checklist.
    fn current_form(&self) -> Option<&Form> {
        let v = self.visit.view.as_ref()?;
        self.visit.forms.get(&v.site_id)
    }

    /// The site and question id of the question at `pos` of the open checklist.
    fn question_at(&self, pos: usize) -> Option<(String, String)> {
        let v = self.visit.view.as_ref()?;
        Some((v.site_id.clone(), v.order.get(pos)?.clone()))
    }

    /// Changes the answer to the selected question; returns its id and the answer.
    fn edit_answer(
        &mut self,
        change: impl FnOnce(&mut QuestionAnswer),
    ) -> Option<(String, QuestionAnswer)> {
        let pos = self.visit.view.as_ref()?.selected;
        let (site, id) = self.question_at(pos)?;
        let f = self.visit.forms.get_mut(&site)?;
        let mut qa = f.answer(&id);
        change(&mut qa);
        f.set(&id, qa.clone());
        if let Some(v) = self.visit.view.as_mut() {
            v.dirty = true;
        }
        Some((id, qa))
    }

    fn set_answer(&mut self, a: VisitAnswer) {
        if let Some((id, _)) = self.edit_answer(|qa| qa.answer = a) {
            let more = if a == VisitAnswer::Yes {
                " · type the workers concerned (digits) and t for a note"
            } else {
                ""
            };
            self.notify(
                format!("{id}: {}{more} · ↓ next question", a.id()),
                Level::Info,
            );
        }
    }

    fn add_digit(&mut self, d: u8) {
        let mut over = false;
        let changed = self.edit_answer(|qa| {
            match qa
                .workers
                .checked_mul(10)
                .and_then(|w| w.checked_add(u32::from(d)))
                .filter(|w| *w <= MAX_WORKERS)
            {
                Some(w) => qa.workers = w,
                None => over = true,
            }
        });
        if over {
            self.notify(
                format!("at most {MAX_WORKERS} workers: Backspace deletes a digit"),
                Level::Warn,
            );
        } else if let Some((id, qa)) = changed {
            self.notify(
                format!(
                    "{id}: {} worker(s) concerned · Backspace deletes a digit",
                    qa.workers
                ),
                Level::Info,
            );
        }
    }

    fn prompt_note(&mut self) {
        let Some(pos) = self.visit.view.as_ref().map(|v| v.selected) else {
            return;
        };
        let Some((site, id)) = self.question_at(pos) else {
            return;
        };
        let text = self
            .visit
            .forms
            .get(&site)
            .map(|f| f.answer(&id).note)
            .unwrap_or_default();
        self.prompt = Some(Prompt::edit(
            PromptKind::Note,
            pos,
            format!("note for {id}: "),
            text,
        ));
    }

    /// Enter in the note or case-id prompt: keeps the text in the form.
    pub(super) fn submit_visit_text(&mut self, p: &Prompt, text: &str) {
        let Some(site) = self.visit.view.as_ref().map(|v| v.site_id.clone()) else {
            return;
        };
        let message = match p.kind {
            PromptKind::Note => {
                let Some((_, id)) = self.question_at(p.origin) else {
                    return;
                };
                let Some(f) = self.visit.forms.get_mut(&site) else {
                    return;
                };
                let mut qa = f.answer(&id);
                qa.note = text.to_string();
                f.set(&id, qa);
                format!("note for {id} kept · no names, CPR, passport, phone or account numbers")
            }
            PromptKind::CaseId => {
                let Some(f) = self.visit.forms.get_mut(&site) else {
                    return;
                };
                f.visit.inspection_id = text.to_string();
                format!("case id {text} · it becomes the visit's inspection_id")
            }
            PromptKind::Search | PromptKind::Filter | PromptKind::Reason => return,
        };
        if let Some(v) = self.visit.view.as_mut() {
            v.dirty = true;
        }
        self.notify(message, Level::Info);
    }

    /// `a`: who inspected, the next of the agencies (then none).
    fn next_agency(&mut self) {
        let Some(site) = self.visit.view.as_ref().map(|v| v.site_id.clone()) else {
            return;
        };
        let Some(f) = self.visit.forms.get_mut(&site) else {
            return;
        };
        let next = match AGENCIES.iter().position(|a| *a == f.visit.agency) {
            None => AGENCIES.first().copied().unwrap_or(""),
            Some(i) => AGENCIES.get(i + 1).copied().unwrap_or(""),
        };
        f.visit.agency = next.to_string();
        if let Some(v) = self.visit.view.as_mut() {
            v.dirty = true;
        }
        let text = if next.is_empty() {
            "who inspected: not set (a sets it)".to_string()
        } else {
            format!("who inspected: {next} (a for the next agency)")
        };
        self.notify(text, Level::Info);
    }

    /// `o`: the visit's outcome, the next of the outcome codes from least to
    /// most serious (then none).
    fn next_outcome(&mut self) {
        let Some(site) = self.visit.view.as_ref().map(|v| v.site_id.clone()) else {
            return;
        };
        let Some(f) = self.visit.forms.get_mut(&site) else {
            return;
        };
        let next = match OUTCOMES.iter().position(|o| *o == f.visit.outcome) {
            None => OUTCOMES.first().copied().unwrap_or(""),
            Some(i) => OUTCOMES.get(i + 1).copied().unwrap_or(""),
        };
        f.visit.outcome = next.to_string();
        if let Some(v) = self.visit.view.as_mut() {
            v.dirty = true;
        }
        let text = if next.is_empty() {
            "outcome: not set (o sets it)".to_string()
        } else {
            format!("outcome: {next} (o for the next code)")
        };
        self.notify(text, Level::Info);
    }

    /// `s`: writes the form into the visit folder and says what to run next.
    fn save_form(&mut self) {
        let (Some(view), Some(Ok(list))) = (self.visit.view.as_ref(), self.visit.list.as_ref())
        else {
            return;
        };
        let Some(f) = self.visit.forms.get(&view.site_id) else {
            return;
        };
        let date = f
            .visit
            .date
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let dir = self.visit.dir.clone();
        let path = dir.join(form::file_name(&view.site_id, date));
        let text = f.to_toml(list, &view.context);
        let missing: Vec<&str> = f
            .missing_for_record(list)
            .into_iter()
            .map(missing_text)
            .collect();
        if same_dir(&dir, Path::new(&self.opts.dataset)) {
            self.notify(
                format!(
                    "not saved: {} is the data folder, which the TUI never writes to; start it with --visit-dir DIR",
                    dir.display()
                ),
                Level::Error,
            );
            return;
        }
        let written = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            self.notify(
                format!("not saved: cannot write {}: {e}", path.display()),
                Level::Error,
            );
            return;
        }
        if let Some(v) = self.visit.view.as_mut() {
            v.saved = Some(path.clone());
            v.dirty = false;
        }
        let before = if missing.is_empty() {
            String::new()
        } else {
            format!(" · fill in {} first, then", missing.join(", "))
        };
        self.notify(
            format!(
                "saved {0}{before} · run `tilsyn visit record --form {0} --data DIR` to record the visit",
                path.display()
            ),
            Level::Info,
        );
    }
}
