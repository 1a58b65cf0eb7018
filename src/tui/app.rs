//! The TUI's state and what each key does to it. Drawing is in [`super::ui`].

use std::path::PathBuf;
use std::rc::Rc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::ui::{LessonScreen, ListScreen};
use crate::doctor;
use crate::ledger::Ledger;
use crate::lesson::progress::{self, Progress};
use crate::lesson::types::Text;
use crate::lesson::{Lang, Lesson, Session};

/// One entry of the lesson list with its state.
pub struct Entry {
    pub lesson: Lesson,
    /// Why it cannot run here, with the fix.
    pub unavailable: Option<Text>,
}

pub enum Screen {
    List,
    Lesson {
        session: Box<Session>,
        /// The step being shown (an earlier one after going back).
        shown: usize,
        scroll: u16,
    },
}

pub struct App {
    pub entries: Vec<Entry>,
    pub selected: usize,
    pub progress: Progress,
    pub lang: Lang,
    pub help: bool,
    pub screen: Screen,
    pub quit: bool,
    rootfs: PathBuf,
    ledger: Rc<Ledger>,
}

impl App {
    pub fn new(lessons: Vec<Lesson>, rootfs: PathBuf, ledger: Rc<Ledger>, lang: Lang) -> App {
        let entries = lessons
            .into_iter()
            .map(|lesson| Entry {
                unavailable: doctor::unavailable(&lesson),
                lesson,
            })
            .collect();
        App {
            entries,
            selected: 0,
            progress: progress::load(),
            lang,
            help: false,
            screen: Screen::List,
            quit: false,
            rootfs,
            ledger,
        }
    }

    /// Opens a lesson and performs its first step. Unavailable lessons stay on the list, where
    /// the reason is shown.
    pub fn open(&mut self, index: usize) {
        self.selected = index.min(self.entries.len().saturating_sub(1));
        let Some(entry) = self.entries.get(self.selected) else {
            return;
        };
        if entry.unavailable.is_some() {
            return;
        }
        let mut session = Session::new(
            entry.lesson.clone(),
            self.rootfs.clone(),
            self.ledger.clone(),
        );
        session.perform_next();
        progress::mark_started(&entry.lesson.id);
        self.progress.started.insert(entry.lesson.id.clone());
        self.screen = Screen::Lesson {
            session: Box::new(session),
            shown: 0,
            scroll: 0,
        };
        self.note_progress();
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            self.quit = true;
            return;
        }
        if self.help {
            // Any key closes the help; q still quits.
            self.help = false;
            self.quit = key.code == KeyCode::Char('q');
            return;
        }
        match key.code {
            KeyCode::Char('q') => self.quit = true,
            KeyCode::Char('?') => self.help = true,
            KeyCode::Char('L') => self.lang = self.lang.other(),
            _ => match self.screen {
                Screen::List => self.on_list_key(key.code),
                Screen::Lesson { .. } => self.on_lesson_key(key.code),
            },
        }
    }

    fn on_list_key(&mut self, code: KeyCode) {
        let last = self.entries.len().saturating_sub(1);
        match code {
            KeyCode::Up | KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => self.selected = (self.selected + 1).min(last),
            KeyCode::Home => self.selected = 0,
            KeyCode::End => self.selected = last,
            KeyCode::Enter | KeyCode::Right | KeyCode::Char(' ') => self.open(self.selected),
            KeyCode::Char(c) if c.is_ascii_digit() && c != '0' => {
                let n = c as usize - '1' as usize;
                if n <= last {
                    self.open(n);
                }
            }
            _ => {}
        }
    }

    fn on_lesson_key(&mut self, code: KeyCode) {
        let Screen::Lesson {
            session,
            shown,
            scroll,
        } = &mut self.screen
        else {
            return;
        };
        match code {
            KeyCode::Right | KeyCode::Enter | KeyCode::Char(' ') | KeyCode::Char('n') => {
                if *shown + 1 < session.reports().len() {
                    *shown += 1;
                    *scroll = 0;
                } else if session.perform_next().is_some() {
                    *shown = session.reports().len() - 1;
                    *scroll = 0;
                }
            }
            KeyCode::Left | KeyCode::Backspace | KeyCode::Char('p') | KeyCode::Char('b')
                if *shown > 0 =>
            {
                *shown -= 1;
                *scroll = 0;
            }
            KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => *scroll = scroll.saturating_add(1),
            KeyCode::PageUp => *scroll = scroll.saturating_sub(5),
            KeyCode::PageDown => *scroll = scroll.saturating_add(5),
            KeyCode::Char('r') => {
                session.reset();
                session.perform_next();
                *shown = 0;
                *scroll = 0;
            }
            KeyCode::Esc => self.screen = Screen::List,
            _ => {}
        }
        self.note_progress();
    }

    /// A lesson is done once its last step ran with every check passing.
    fn note_progress(&mut self) {
        if let Screen::Lesson { session, .. } = &self.screen
            && session.finished()
            && session.reports().iter().all(|r| r.passed())
        {
            let id = session.lesson().id.clone();
            progress::mark_done(&id);
            self.progress.done.insert(id);
        }
    }

    pub fn list_screen(&self) -> ListScreen<'_> {
        ListScreen {
            entries: &self.entries,
            selected: self.selected,
            progress: &self.progress,
        }
    }

    pub fn lesson_screen(&self) -> Option<LessonScreen<'_>> {
        match &self.screen {
            Screen::List => None,
            Screen::Lesson {
                session,
                shown,
                scroll,
            } => Some(LessonScreen {
                lesson: session.lesson(),
                reports: session.reports(),
                shown: *shown,
                scroll: *scroll,
            }),
        }
    }
}
