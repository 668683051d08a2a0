//! The interactive questionnaire's state, with no terminal in it: one
//! question at a time, next and back, setting or clearing an answer,
//! jumping to the first unanswered question, progress overall and per
//! step, and saving to and resuming from an answers file in the same TOML
//! format `tilsyn assess --answers` reads. The TUI screen draws this state
//! and maps keys onto these calls.

use std::path::Path;

use super::answers::{Answer, Answers, AnswersError};
use super::questionnaire::{Question, Questionnaire, Step};

/// Answered and total questions, overall or in one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Count {
    /// Questions answered (not applicable included).
    pub answered: usize,
    /// Questions in all.
    pub total: usize,
}

impl Count {
    /// The answered share (0 when there are no questions).
    pub fn ratio(self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            (self.answered as f64 / self.total as f64).clamp(0.0, 1.0)
        }
    }
}

/// Progress through the questionnaire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Overall.
    pub overall: Count,
    /// Per step, in the guide's order (steps without questions left out).
    pub steps: Vec<(Step, Count)>,
}

/// One run through the questionnaire.
#[derive(Debug, Clone)]
pub struct Session {
    questionnaire: Questionnaire,
    answers: Answers,
    index: usize,
    dirty: bool,
}

impl Session {
    /// A session over `answers`, at the first unanswered question (or the
    /// first question when all are answered).
    pub fn new(questionnaire: Questionnaire, answers: Answers) -> Session {
        let mut s = Session {
            questionnaire,
            answers,
            index: 0,
            dirty: false,
        };
        s.jump_to_first_unanswered();
        s
    }

    /// Resumes from an answers file, or starts empty when it does not exist.
    pub fn resume(questionnaire: Questionnaire, path: &Path) -> Result<Session, AnswersError> {
        let answers = if path.exists() {
            Answers::from_file(path, &questionnaire)?
        } else {
            Answers::empty()
        };
        Ok(Session::new(questionnaire, answers))
    }

    /// Writes the answers file (all questions, answered or not).
    pub fn save(&mut self, path: &Path) -> std::io::Result<()> {
        std::fs::write(path, self.answers.to_toml(&self.questionnaire))?;
        self.dirty = false;
        Ok(())
    }

    /// The questionnaire.
    pub fn questionnaire(&self) -> &Questionnaire {
        &self.questionnaire
    }

    /// The answers so far.
    pub fn answers(&self) -> &Answers {
        &self.answers
    }

    /// The answers, for setting the company.
    pub fn answers_mut(&mut self) -> &mut Answers {
        self.dirty = true;
        &mut self.answers
    }

    /// Takes the answers out.
    pub fn into_answers(self) -> Answers {
        self.answers
    }

    /// Whether there are changes not yet saved.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// The position of the current question (0-based).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The current question (`None` only for an empty questionnaire).
    pub fn current(&self) -> Option<&Question> {
        self.questionnaire.questions.get(self.index)
    }

    /// The answer to the current question; `None` is unknown.
    pub fn current_answer(&self) -> Option<Answer> {
        self.current().and_then(|q| self.answers.get(&q.id))
    }

    /// Moves to the next question; false at the last one.
    pub fn go_next(&mut self) -> bool {
        if self.index + 1 < self.questionnaire.questions.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    /// Moves to the previous question; false at the first one.
    pub fn go_back(&mut self) -> bool {
        if self.index > 0 {
            self.index -= 1;
            true
        } else {
            false
        }
    }

    /// Moves to a question by position (clamped to the last one).
    pub fn go_to(&mut self, index: usize) {
        self.index = index.min(self.questionnaire.questions.len().saturating_sub(1));
    }

    /// Sets (or, with `None`, clears) the current question's answer.
    pub fn set_answer(&mut self, answer: Option<Answer>) {
        if let Some(id) = self.current().map(|q| q.id.clone())
            && self.answers.get(&id) != answer
        {
            self.answers.set(&id, answer);
            self.dirty = true;
        }
    }

    /// Answers the current question and moves on: to the next question, or
    /// when this was the last one, to the first unanswered one (if any).
    pub fn answer_and_advance(&mut self, answer: Answer) {
        self.set_answer(Some(answer));
        if !self.go_next() {
            self.jump_to_first_unanswered();
        }
    }

    /// Moves to the first unanswered question; false when all are answered.
    pub fn jump_to_first_unanswered(&mut self) -> bool {
        match self.first_unanswered() {
            Some(i) => {
                self.index = i;
                true
            }
            None => false,
        }
    }

    /// The position of the first unanswered question.
    pub fn first_unanswered(&self) -> Option<usize> {
        self.questionnaire
            .questions
            .iter()
            .position(|q| self.answers.get(&q.id).is_none())
    }

    /// Whether every question is answered.
    pub fn is_complete(&self) -> bool {
        self.first_unanswered().is_none()
    }

    /// Progress overall and per step.
    pub fn progress(&self) -> Progress {
        let mut overall = Count::default();
        let mut steps: Vec<(Step, Count)> =
            Step::ALL.iter().map(|s| (*s, Count::default())).collect();
        for q in &self.questionnaire.questions {
            let answered = usize::from(self.answers.get(&q.id).is_some());
            overall.total += 1;
            overall.answered += answered;
            if let Some((_, c)) = steps.iter_mut().find(|(s, _)| *s == q.step) {
                c.total += 1;
                c.answered += answered;
            }
        }
        steps.retain(|(_, c)| c.total > 0);
        Progress { overall, steps }
    }

    /// The current question's position within its step (1-based) and the step's size.
    pub fn position_in_step(&self) -> Option<(usize, usize)> {
        let q = self.current()?;
        let in_step: Vec<&Question> = self.questionnaire.in_step(q.step).collect();
        let pos = in_step.iter().position(|x| x.id == q.id)?;
        Some((pos + 1, in_step.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session::new(
            Questionnaire::bundled().unwrap_or_else(|e| panic!("{e}")),
            Answers::empty(),
        )
    }

    #[test]
    fn next_back_answer_and_progress() {
        let mut s = session();
        let n = s.questionnaire().len();
        assert_eq!(s.index(), 0);
        assert!(!s.go_back());
        s.answer_and_advance(Answer::Yes);
        s.answer_and_advance(Answer::No);
        assert_eq!(s.index(), 2);
        assert!(s.go_back());
        assert_eq!(s.current_answer(), Some(Answer::No));
        s.set_answer(None);
        assert_eq!(s.current_answer(), None);
        assert_eq!(
            s.progress().overall,
            Count {
                answered: 1,
                total: n
            }
        );
        assert_eq!(s.progress().steps[0].0, Step::QuickTest);
        assert_eq!(s.progress().steps[0].1.answered, 1);
        assert!(s.jump_to_first_unanswered());
        assert_eq!(s.index(), 1);
        s.go_to(usize::MAX);
        assert_eq!(s.index(), n - 1);
        assert!(!s.go_next());
        // Answering the last question wraps to the first unanswered one.
        s.answer_and_advance(Answer::Na);
        assert_eq!(s.index(), 1);
        assert_eq!(
            s.position_in_step(),
            Some((2, s.questionnaire().in_step(Step::QuickTest).count()))
        );
        assert!(s.is_dirty());
    }

    #[test]
    fn save_and_resume() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("answers.toml");
        let q = Questionnaire::bundled().unwrap_or_else(|e| panic!("{e}"));
        let mut s = Session::resume(q.clone(), &path).expect("a missing file starts empty");
        assert_eq!(s.progress().overall.answered, 0);
        s.answers_mut().company.name = Some("Test ApS".to_string());
        s.answer_and_advance(Answer::Partly);
        s.answer_and_advance(Answer::Yes);
        s.save(&path).expect("save");
        assert!(!s.is_dirty());
        let r = Session::resume(q, &path).expect("resume");
        assert_eq!(r.answers(), s.answers());
        assert_eq!(r.index(), 2, "resumes at the first unanswered question");
        // A broken file is an error, not a panic.
        std::fs::write(&path, "[answers]\nnot_a_question = \"yes\"\n").expect("write");
        let q = Questionnaire::bundled().unwrap_or_else(|e| panic!("{e}"));
        assert!(Session::resume(q, &path).is_err());
    }
}
