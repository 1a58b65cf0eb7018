//! The terminal UI: a lesson list and a lesson screen, driven by keys.
//!
//! The terminal is restored on every way out: normal quit, an error (the guard's Drop), and a
//! panic (`ratatui::init` installs a hook that restores it before the panic message prints).

pub mod app;
pub mod strings;
pub mod ui;

use std::path::PathBuf;
use std::rc::Rc;

use crossterm::event::{self, Event, KeyEventKind};

use crate::ledger::Ledger;
use crate::lesson::{Lang, Lesson};
use app::App;

/// Restores the terminal when dropped, whichever way `run` ends.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// Runs the TUI until the learner quits. `open` opens that lesson directly.
pub fn run(
    lessons: Vec<Lesson>,
    open: Option<usize>,
    rootfs: PathBuf,
    ledger: Rc<Ledger>,
    lang: Lang,
) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    anyhow::ensure!(
        std::io::stdin().is_terminal() && std::io::stdout().is_terminal(),
        "the lessons need a terminal; for plain text, use `boxlab transcript LESSON`"
    );
    let mut app = App::new(lessons, rootfs, ledger, lang);
    let mut terminal = ratatui::try_init()?;
    let _guard = TerminalGuard;
    if let Some(i) = open {
        app.open(i);
    }
    while !app.quit {
        terminal.draw(|frame| draw(frame, &app))?;
        if let Event::Key(key) = event::read()?
            && key.kind == KeyEventKind::Press
        {
            app.on_key(key);
        }
    }
    Ok(())
}

pub fn draw(frame: &mut ratatui::Frame, app: &App) {
    match app.lesson_screen() {
        Some(screen) => ui::draw_lesson(frame, &screen, app.lang, app.help),
        None => ui::draw_list(frame, &app.list_screen(), app.lang, app.help),
    }
}
