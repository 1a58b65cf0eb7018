//! The terminal UI: a lesson list and a lesson screen, driven by keys.
//!
//! The terminal is restored on every way out: normal quit, an error (the guard's Drop), and a
//! panic (`ratatui::init` installs a hook that restores it before the panic message prints).
//! The shell panes' processes end with the app (their Drop), or with boxlab itself
//! (PR_SET_PDEATHSIG) if it is killed.

pub mod app;
pub mod keys;
pub mod resources;
pub mod strings;
pub mod ui;

use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use crossterm::event::{self, Event, KeyEventKind};
use ratatui::layout::Rect;

use crate::ledger::Ledger;
use crate::lesson::{Lang, Lesson};
use app::App;

/// How often the loop looks for a key while shells are open.
const SHELL_POLL: Duration = Duration::from_millis(50);

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
        let size = terminal.size()?;
        app.fit_shells(Rect::new(0, 0, size.width, size.height));
        app.sample_resources();
        // Read before drawing: output that arrives while drawing makes the next round redraw.
        let drawn = app.shell_output();
        let mut most = 0;
        terminal.draw(|frame| most = draw(frame, &app))?;
        // Past the end, ↑ would first have to undo the extra ↓ presses.
        app.limit_scroll(most);
        // A step runs only once the screen says it is running: it can take seconds.
        if app.working() {
            app.perform_pending();
            continue;
        }
        // Without shells or resources, wait for a key. With shells, also wake up when one
        // prints something: look for a key every 50 ms and redraw when there is new output.
        // In a lesson that shows resources, also wake up for each sample (every 500 ms), and
        // redraw when the step on screen shows them.
        loop {
            let due = app.sample_due_in();
            let wait = if app.shells_open() {
                Some(due.map_or(SHELL_POLL, |d| d.min(SHELL_POLL)))
            } else {
                due
            };
            let ready = match wait {
                None => true,
                Some(w) => event::poll(w)?,
            };
            if ready {
                if let Event::Key(key) = event::read()?
                    && key.kind != KeyEventKind::Release
                {
                    app.on_key(key);
                }
                break;
            }
            if app.shell_output() != drawn {
                break;
            }
            if app.sample_due_in() == Some(Duration::ZERO) {
                app.sample_resources();
                if app.resources_shown() {
                    break;
                }
            }
        }
    }
    Ok(())
}

/// Draws the screen; returns how far the lesson screen's scrolled part can scroll.
pub fn draw(frame: &mut ratatui::Frame, app: &App) -> u16 {
    match app.lesson_screen() {
        Some(screen) => ui::draw_lesson(frame, &screen, app.lang, app.help),
        None => {
            ui::draw_list(frame, &app.list_screen(), app.lang, app.help);
            0
        }
    }
}
