//! The terminal UI: a lesson list and a lesson screen, driven by keys.
//!
//! The terminal is restored on every way out: normal quit, an error (the guard's Drop), and a
//! panic (`ratatui::init` installs a hook that restores it before the panic message prints).
//! The shell panes' processes end with the app (their Drop), or with boxlab itself
//! (PR_SET_PDEATHSIG) if it is killed. A hangup (the terminal window closed) or a SIGTERM
//! removes what the run made at once, not only at the next start ([`end_on_signal`]).

pub mod app;
pub mod keys;
pub mod resources;
pub mod strings;
pub mod ui;

use std::io::Read;
use std::os::fd::IntoRawFd;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use crossterm::event::{self, Event, KeyEventKind};
use ratatui::layout::Rect;

use crate::lang::Lang;
use crate::ledger::Ledger;
use crate::lesson::Lesson;
use app::App;

/// How often the loop looks for a key while shells are open.
const SHELL_POLL: Duration = Duration::from_millis(50);

/// The write end of the pipe on which [`end_on_signal`]'s handler passes the signal on.
static SIGNAL_PIPE: AtomicI32 = AtomicI32::new(-1);

/// On SIGHUP or SIGTERM: undo this run's ledger, restore the terminal if there is one and
/// exit with 128+signal. The key loop cannot be relied on to see a flag: once the terminal
/// has hung up, crossterm's read of it spins without returning. So the handler only writes
/// the signal's number to a pipe (write(2) is async-signal-safe: signal-safety(7)) and a
/// thread of its own does the rest. Handlers revert to the default at execve(2), so the boxes
/// and shells, which boxlab execs, keep the default.
fn end_on_signal(ledger: &Path) -> std::io::Result<()> {
    use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
    extern "C" fn pass_on(sig: libc::c_int) {
        let byte = sig as u8;
        // Safe: write(2) of one byte from a local to a pipe that stays open.
        unsafe {
            libc::write(
                SIGNAL_PIPE.load(Ordering::Relaxed),
                (&raw const byte).cast(),
                1,
            )
        };
    }
    let (mut rx, tx) = std::io::pipe()?;
    SIGNAL_PIPE.store(tx.into_raw_fd(), Ordering::Relaxed);
    let dir = ledger.to_path_buf();
    std::thread::spawn(move || {
        let mut sig = [0u8];
        if rx.read_exact(&mut sig).is_ok() {
            crate::ledger::undo(&dir);
            // After a hangup there is no terminal to restore: try_restore fails quietly where
            // restore would print (and printing to a hung-up terminal panics).
            let _ = ratatui::try_restore();
            std::process::exit(128 + i32::from(sig[0]));
        }
    });
    let action = SigAction::new(
        SigHandler::Handler(pass_on),
        SaFlags::empty(),
        SigSet::empty(),
    );
    for sig in [Signal::SIGHUP, Signal::SIGTERM] {
        // Safe: the handler only calls write(2).
        unsafe { sigaction(sig, &action) }.map_err(std::io::Error::from)?;
    }
    Ok(())
}

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
    end_on_signal(ledger.dir())?;
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
        let mut scrolled = ui::Scrolled::default();
        terminal.draw(|frame| scrolled = draw(frame, &app))?;
        // Past the end, ↑ would first have to undo the extra ↓ presses.
        app.limit_scroll(scrolled);
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

/// Draws the screen; returns how its scrolled part was drawn.
pub fn draw(frame: &mut ratatui::Frame, app: &App) -> ui::Scrolled {
    match app.lesson_screen() {
        Some(screen) => ui::draw_lesson(frame, &screen, app.lang, app.help),
        None => ui::draw_list(frame, &app.list_screen(), app.lang, app.help),
    }
}
