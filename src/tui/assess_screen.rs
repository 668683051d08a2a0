//! The self-assessment questionnaire screen: one question at a time with
//! its step, the four answers as a selectable list with y / n / p / a
//! shortcuts, a progress gauge and the keys in the footer. It draws a
//! [`Session`] (the pure state in `crate::assess::session`) and maps keys
//! onto it; every change of an answer is saved to the answers file at
//! once, so an interrupted session resumes where it stopped.

use std::path::{Path, PathBuf};

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Gauge, List, ListItem, ListState, Paragraph, Wrap};

use crate::assess::{Answer, Session};

/// The keys of the screen, for the footer and help.
pub const KEYS: &[(&str, &str)] = &[
    ("y/n/p/a", "answer"),
    ("↑↓ Enter", "choose"),
    ("←→", "back/next"),
    ("u", "first unanswered"),
    ("x", "clear"),
    ("s", "save"),
    ("q", "finish"),
];

/// What the run loop does after a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenAction {
    /// Keep going.
    Continue,
    /// Save and leave the questionnaire.
    Quit,
}

/// The questionnaire screen's state.
#[derive(Debug, Clone)]
pub struct AssessScreen {
    /// The session drawn.
    pub session: Session,
    /// The highlighted answer (index into `Answer::ALL`).
    pub cursor: usize,
    /// Where answers are saved.
    pub save_to: PathBuf,
    /// A one-line message (saved, errors, done).
    pub message: Option<String>,
}

/// The shortcut key of an answer.
fn shortcut(a: Answer) -> char {
    match a {
        Answer::Yes => 'y',
        Answer::No => 'n',
        Answer::Partly => 'p',
        Answer::Na => 'a',
    }
}

impl AssessScreen {
    /// A screen over a session, saving to `save_to`.
    pub fn new(session: Session, save_to: PathBuf) -> AssessScreen {
        let mut s = AssessScreen {
            session,
            cursor: 0,
            save_to,
            message: None,
        };
        s.sync_cursor();
        s
    }

    /// Puts the cursor on the current question's answer (or the first one).
    fn sync_cursor(&mut self) {
        self.cursor = self
            .session
            .current_answer()
            .and_then(|a| Answer::ALL.iter().position(|x| *x == a))
            .unwrap_or(0);
    }

    fn save(&mut self) -> bool {
        match self.session.save(&self.save_to) {
            Ok(()) => true,
            Err(e) => {
                self.message = Some(format!("cannot save to {}: {e}", self.save_to.display()));
                false
            }
        }
    }

    fn answer(&mut self, a: Answer) {
        self.session.answer_and_advance(a);
        self.message = None;
        if self.save() && self.session.is_complete() {
            self.message =
                Some("Every question is answered: press q to see the report.".to_string());
        }
        self.sync_cursor();
    }

    /// Handles one key.
    pub fn handle_key(&mut self, key: KeyEvent) -> ScreenAction {
        if key.kind == KeyEventKind::Release {
            return ScreenAction::Continue;
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            return if matches!(key.code, KeyCode::Char('c') | KeyCode::Char('q')) {
                ScreenAction::Quit
            } else {
                ScreenAction::Continue
            };
        }
        match key.code {
            KeyCode::Char('q') | KeyCode::Esc => return ScreenAction::Quit,
            KeyCode::Char(c)
                if Answer::ALL
                    .iter()
                    .any(|a| shortcut(*a) == c.to_ascii_lowercase()) =>
            {
                let c = c.to_ascii_lowercase();
                if let Some(a) = Answer::ALL.into_iter().find(|a| shortcut(*a) == c) {
                    self.answer(a);
                }
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.cursor = (self.cursor + Answer::ALL.len() - 1) % Answer::ALL.len()
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.cursor = (self.cursor + 1) % Answer::ALL.len()
            }
            KeyCode::Enter | KeyCode::Char(' ') => {
                if let Some(a) = Answer::ALL.get(self.cursor).copied() {
                    self.answer(a);
                }
            }
            KeyCode::Left | KeyCode::Char('h') | KeyCode::BackTab | KeyCode::PageUp => {
                self.session.go_back();
                self.message = None;
                self.sync_cursor();
            }
            KeyCode::Right | KeyCode::Char('l') | KeyCode::Tab | KeyCode::PageDown => {
                self.session.go_next();
                self.message = None;
                self.sync_cursor();
            }
            KeyCode::Home => {
                self.session.go_to(0);
                self.sync_cursor();
            }
            KeyCode::End => {
                self.session.go_to(usize::MAX);
                self.sync_cursor();
            }
            KeyCode::Char('u') => {
                self.message = (!self.session.jump_to_first_unanswered())
                    .then(|| "Every question is answered: press q to see the report.".to_string());
                self.sync_cursor();
            }
            KeyCode::Char('x') | KeyCode::Delete | KeyCode::Backspace => {
                self.session.set_answer(None);
                if self.save() {
                    self.message =
                        Some("Answer cleared: the question counts as unknown.".to_string());
                }
                self.sync_cursor();
            }
            KeyCode::Char('s') if self.save() => {
                self.message = Some(format!("Saved to {}", self.save_to.display()));
            }
            _ => {}
        }
        ScreenAction::Continue
    }

    /// Draws the screen into the whole frame.
    pub fn render(&self, frame: &mut Frame) {
        let [title, gauge, step, question, answers, message, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(6),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(frame.area());
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let dim = Style::new().fg(Color::DarkGray);
        let company = self
            .session
            .answers()
            .company
            .name
            .clone()
            .unwrap_or_default();
        frame.render_widget(
            Line::from(vec![
                Span::styled("tilsyn self-assessment", bold),
                Span::raw(if company.is_empty() {
                    String::new()
                } else {
                    format!(" · {company}")
                }),
                Span::styled(format!(" · saving to {}", self.save_to.display()), dim),
            ]),
            title,
        );

        let progress = self.session.progress();
        let total = progress.overall.total;
        frame.render_widget(
            Gauge::default()
                .ratio(progress.overall.ratio())
                .label(format!("{}/{} answered", progress.overall.answered, total))
                .gauge_style(Style::new().fg(Color::Green)),
            gauge,
        );

        let Some(q) = self.session.current() else {
            frame.render_widget(
                Paragraph::new("The questionnaire has no questions."),
                question,
            );
            return;
        };
        let (pos, of) = self.session.position_in_step().unwrap_or((0, 0));
        let step_count = progress
            .steps
            .iter()
            .find(|(s, _)| *s == q.step)
            .map(|(_, c)| *c)
            .unwrap_or_default();
        frame.render_widget(
            Line::from(vec![
                Span::styled(q.step.label(), bold.fg(Color::Cyan)),
                Span::raw(format!(
                    " · {pos} of {of} in this step · {}/{} of the step answered",
                    step_count.answered, step_count.total
                )),
            ]),
            step,
        );

        let mut text = vec![
            Line::from(Span::styled(q.text.clone(), bold)),
            Line::raw(""),
        ];
        if !q.guide.is_empty() {
            text.push(Line::from(Span::styled(
                format!("Source: {}", q.guide),
                dim,
            )));
        }
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .block(Block::bordered().title(format!(
                    " Question {} of {total} · {} ",
                    self.session.index() + 1,
                    q.id
                ))),
            question,
        );

        let current = self.session.current_answer();
        let items: Vec<ListItem> = Answer::ALL
            .iter()
            .map(|a| {
                let mark = if current == Some(*a) { "●" } else { "○" };
                ListItem::new(format!("{mark} [{}] {}", shortcut(*a), a.label()))
            })
            .collect();
        let title = match current {
            Some(a) => format!(" Answer: {} ", a.label().to_lowercase()),
            None => " Answer: not answered yet (unknown) ".to_string(),
        };
        let mut state = ListState::default().with_selected(Some(self.cursor));
        frame.render_stateful_widget(
            List::new(items)
                .block(Block::bordered().title(title))
                .highlight_style(Style::new().add_modifier(Modifier::REVERSED))
                .highlight_symbol("▶ "),
            answers,
            &mut state,
        );

        if let Some(m) = &self.message {
            frame.render_widget(
                Line::from(Span::styled(m.clone(), Style::new().fg(Color::Yellow))),
                message,
            );
        }
        let keys: Vec<String> = KEYS.iter().map(|(k, what)| format!("{k} {what}")).collect();
        frame.render_widget(Line::from(Span::styled(keys.join(" · "), dim)), footer);
    }
}

/// Runs the questionnaire in the terminal until the user finishes, saving
/// to `save_to` on every change and at the end; returns the session.
pub fn run_questionnaire(session: Session, save_to: &Path) -> anyhow::Result<Session> {
    let mut screen = AssessScreen::new(session, save_to.to_path_buf());
    let mut terminal = ratatui::try_init()?;
    let result = event_loop(&mut terminal, &mut screen);
    ratatui::restore();
    result?;
    screen
        .session
        .save(save_to)
        .map_err(|e| anyhow::anyhow!("cannot save the answers to {}: {e}", save_to.display()))?;
    Ok(screen.session)
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    screen: &mut AssessScreen,
) -> anyhow::Result<()> {
    loop {
        terminal.draw(|f| screen.render(f))?;
        if let Event::Key(key) = event::read()?
            && screen.handle_key(key) == ScreenAction::Quit
        {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::assess::{Answers, Questionnaire};

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn screen_text(terminal: &Terminal<TestBackend>) -> String {
        let buffer = terminal.backend().buffer();
        let width = usize::from(buffer.area.width).max(1);
        buffer
            .content
            .chunks(width)
            .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn answering_with_keys_going_back_and_saving() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("assessment.toml");
        let q = Questionnaire::bundled().unwrap_or_else(|e| panic!("{e}"));
        let n = q.len();
        let ids: Vec<String> = q.questions.iter().take(3).map(|x| x.id.clone()).collect();
        let mut screen = AssessScreen::new(Session::new(q, Answers::empty()), path.clone());
        let mut terminal = Terminal::new(TestBackend::new(110, 30)).expect("terminal");
        terminal.draw(|f| screen.render(f)).expect("draw");
        let text = screen_text(&terminal);
        assert!(text.contains(&format!("0/{n} answered")), "{text}");
        assert!(text.contains("Quick risk test"), "{text}");
        assert!(
            text.contains("[y] Yes") && text.contains("[a] Not applicable"),
            "{text}"
        );

        for c in ['y', 'n', 'p'] {
            assert_eq!(
                screen.handle_key(key(KeyCode::Char(c))),
                ScreenAction::Continue
            );
        }
        assert_eq!(screen.session.index(), 3);
        assert_eq!(
            screen.handle_key(key(KeyCode::Left)),
            ScreenAction::Continue
        );
        terminal.draw(|f| screen.render(f)).expect("draw");
        let text = screen_text(&terminal);
        assert!(text.contains(&format!("3/{n} answered")), "{text}");
        assert!(
            text.contains(&format!("Question 3 of {n} · {}", ids[2])),
            "{text}"
        );
        assert!(text.contains("Answer: partly"), "{text}");
        assert_eq!(screen.cursor, 2, "the cursor is on the saved answer");

        // Saved on every answer; `s` saves too.
        assert_eq!(
            screen.handle_key(key(KeyCode::Char('s'))),
            ScreenAction::Continue
        );
        terminal.draw(|f| screen.render(f)).expect("draw");
        assert!(screen_text(&terminal).contains("Saved to"));
        let saved = Answers::from_file(&path, screen.session.questionnaire())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(saved.get(&ids[0]), Some(Answer::Yes));
        assert_eq!(saved.get(&ids[1]), Some(Answer::No));
        assert_eq!(saved.get(&ids[2]), Some(Answer::Partly));
        assert_eq!(saved.given.len(), 3);

        // Arrow keys and Enter answer too; `x` clears; `u` jumps back.
        screen.handle_key(key(KeyCode::Down));
        screen.handle_key(key(KeyCode::Enter));
        let saved = Answers::from_file(&path, screen.session.questionnaire())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(saved.get(&ids[2]), Some(Answer::Na));
        screen.handle_key(key(KeyCode::Left));
        screen.handle_key(key(KeyCode::Char('x')));
        screen.handle_key(key(KeyCode::Right));
        screen.handle_key(key(KeyCode::Char('u')));
        assert_eq!(screen.session.index(), 2);
        assert_eq!(screen.session.progress().overall.answered, 2);

        // A tiny terminal does not panic; q finishes.
        let mut tiny = Terminal::new(TestBackend::new(8, 3)).expect("tiny");
        tiny.draw(|f| screen.render(f)).expect("draw tiny");
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(screen.handle_key(ctrl_c), ScreenAction::Quit);
        assert_eq!(
            screen.handle_key(key(KeyCode::Char('q'))),
            ScreenAction::Quit
        );
    }
}
