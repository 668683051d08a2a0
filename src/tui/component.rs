//! How parts of the UI take input and talk to each other without holding
//! references to each other: a [`Component`] gets a key first and says
//! whether it consumed it; effects on the rest of the app go into the
//! internal [`Queue`] as [`InternalEvent`]s, which the app drains after
//! every input. The one-line [`Prompt`] (search, filter, the reason for an
//! override, and the checklist's note and case id) is the main component.

use std::collections::VecDeque;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Whether a component used an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventState {
    /// The component used it; nobody else sees it.
    Consumed,
    /// The component ignored it; the key map decides.
    NotConsumed,
}

/// Which prompt is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// `/`: search by site id or name.
    Search,
    /// `f`: add filter terms.
    Filter,
    /// The reason for overriding the recommended plan (required).
    Reason,
    /// The note of a checklist question (origin: the question's position).
    Note,
    /// The visit's case id (its `inspection_id`) in the checklist.
    CaseId,
}

/// A message from one part of the UI to the app.
#[derive(Debug, Clone, PartialEq)]
pub enum InternalEvent {
    /// The prompt's text changed (incremental search).
    PromptChanged(PromptKind, String),
    /// The set of shown sites changed: caches over the view are stale.
    ViewChanged,
    /// The plan changed.
    PlanChanged,
}

/// The internal event queue.
#[derive(Debug, Default)]
pub struct Queue(VecDeque<InternalEvent>);

impl Queue {
    /// Adds an event.
    pub fn push(&mut self, ev: InternalEvent) {
        self.0.push_back(ev);
    }

    /// Takes the oldest event.
    pub fn pop(&mut self) -> Option<InternalEvent> {
        self.0.pop_front()
    }
}

/// A part of the UI that takes keys.
pub trait Component {
    /// Handles a key; effects on others go into `queue`.
    fn event(&mut self, key: &KeyEvent, queue: &mut Queue) -> EventState;
}

/// A one-line text prompt (search, filter, the reason for an override, or
/// a checklist note or case id).
#[derive(Debug, Clone)]
pub struct Prompt {
    /// Which prompt.
    pub kind: PromptKind,
    /// The text typed so far.
    pub text: String,
    /// Selection (view position) when the prompt opened, restored on cancel.
    pub origin: usize,
    /// The last error, shown under the text until the next key.
    pub error: Option<String>,
    /// The question a reason, note or case-id prompt asks (empty for search and filter).
    pub subject: String,
}

impl Prompt {
    /// An empty prompt.
    pub fn new(kind: PromptKind, origin: usize) -> Prompt {
        Prompt {
            kind,
            text: String::new(),
            origin,
            error: None,
            subject: String::new(),
        }
    }

    /// A reason prompt for the site at `row` (index into the rows), asking `subject`.
    pub fn reason(row: usize, subject: String) -> Prompt {
        Prompt {
            subject,
            ..Prompt::new(PromptKind::Reason, row)
        }
    }

    /// A prompt that edits `text` (a checklist note or case id), asking
    /// `subject`, for the item at `origin`.
    pub fn edit(kind: PromptKind, origin: usize, subject: String, text: String) -> Prompt {
        Prompt {
            subject,
            text,
            ..Prompt::new(kind, origin)
        }
    }

    /// The label before the text.
    pub fn label(&self) -> &str {
        match self.kind {
            PromptKind::Search => "/",
            PromptKind::Filter => "filter: ",
            PromptKind::Reason | PromptKind::Note | PromptKind::CaseId => &self.subject,
        }
    }

    /// A hint of what to type.
    pub fn hint(&self) -> &'static str {
        match self.kind {
            PromptKind::Search => {
                "site id or name · Enter keeps it, n/N next/previous · Esc cancels"
            }
            PromptKind::Filter => {
                "sector:construction region:hovedstaden municipality:Køge tier>=2 indicator:excessive_overtime status:observed or text"
            }
            PromptKind::Reason => {
                "a reason is required and is written to the audit log · Enter confirms · Esc cancels"
            }
            PromptKind::Note => {
                "what you saw; no names, CPR, passport, phone or account numbers · Enter keeps it · Esc cancels"
            }
            PromptKind::CaseId => {
                "the visit's case id; it becomes the inspection_id · Enter keeps it · Esc cancels"
            }
        }
    }
}

impl Component for Prompt {
    fn event(&mut self, key: &KeyEvent, queue: &mut Queue) -> EventState {
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match key.code {
            KeyCode::Char(c) if plain => {
                self.text.push(c);
            }
            KeyCode::Char('u') if key.modifiers == KeyModifiers::CONTROL => self.text.clear(),
            KeyCode::Backspace => {
                self.text.pop();
            }
            _ => return EventState::NotConsumed,
        }
        self.error = None;
        queue.push(InternalEvent::PromptChanged(self.kind, self.text.clone()));
        EventState::Consumed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_edits_and_leaves_enter_and_esc_to_the_key_map() {
        let mut q = Queue::default();
        let mut p = Prompt::new(PromptKind::Search, 0);
        for c in "køge".chars() {
            assert_eq!(
                p.event(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), &mut q),
                EventState::Consumed
            );
        }
        p.event(
            &KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE),
            &mut q,
        );
        assert_eq!(p.text, "køg");
        assert_eq!(
            p.event(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), &mut q),
            EventState::NotConsumed
        );
        assert_eq!(
            p.event(
                &KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                &mut q
            ),
            EventState::NotConsumed
        );
        let mut last = None;
        while let Some(ev) = q.pop() {
            last = Some(ev);
        }
        assert_eq!(
            last,
            Some(InternalEvent::PromptChanged(
                PromptKind::Search,
                "køg".into()
            ))
        );
    }
}
