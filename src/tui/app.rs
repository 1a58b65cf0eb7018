//! The TUI's state and what each key does to it. Drawing is in [`super::ui`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

use super::keys::key_bytes;
use super::resources::{self, History};
use super::strings as s;
use super::ui::{self, Focus, LessonScreen, ListScreen, Scrolled, ShellView, ShellsView};
use crate::agent::shell::Shell;
use crate::doctor;
use crate::kernel::namespaces::Namespace;
use crate::lang::Lang;
use crate::ledger::Ledger;
use crate::lesson::progress::{self, Progress};
use crate::lesson::types::{Row, Text};
use crate::lesson::{Lesson, Session};
use crate::probe::FileId;
use crate::probe::status::{Creds, Walls};

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
        /// `c`: the step's system calls and checks on the whole screen.
        calls: bool,
    },
}

/// A step the learner asked for, performed after the screen says it is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pending {
    Next,
    /// `r`: a fresh box from the first step.
    Reset,
}

/// What a box shell joined: the box's process, its namespaces and its root. The shell joins
/// them once, when it starts (as `docker exec` does); when any of them changes, the shell is
/// restarted into the box as it is now, so what the learner types there matches the panes.
#[derive(Clone, Debug, PartialEq)]
pub struct BoxIdentity {
    pub pid: i32,
    pub namespaces: BTreeMap<Namespace, u64>,
    pub root: Option<FileId>,
    /// The box's uid as the host reads it: it changes when the user lesson maps root.
    pub uid: Option<u32>,
    /// The box's /proc/PID/cgroup as the host reads it: it changes when a cgroup lesson moves
    /// the box into its own cgroup, which the shell must join to count against its limits.
    pub cgroups: Vec<String>,
    /// The box's walls as the host reads them: a shell joins with the same, so it changes
    /// when the box gives some up.
    pub walls: Option<Walls>,
}

impl BoxIdentity {
    /// The running box as the session's latest step left it.
    fn of(session: &Session) -> Option<BoxIdentity> {
        let pid = session.box_pid()?;
        let last = session.reports().last();
        Some(BoxIdentity {
            pid,
            namespaces: last
                .and_then(|r| r.outside.namespaces.as_ref().ok())
                .cloned()
                .unwrap_or_default(),
            root: last
                .and_then(|r| r.boxed.as_ref())
                .and_then(|v| v.root.as_ref().ok())
                .map(|r| r.id),
            uid: last
                .and_then(|r| r.outside.creds.as_ref().ok())
                .map(|c| c.uid),
            cgroups: last
                .and_then(|r| r.outside.cgroups.as_ref().ok())
                .cloned()
                .unwrap_or_default(),
            walls: last
                .and_then(|r| r.outside.creds.as_ref().ok())
                .map(Creds::walls),
        })
    }

    /// The line telling the learner why the box shell restarted.
    fn change_note(old: &BoxIdentity, new: &BoxIdentity, lang: Lang) -> String {
        let pid = (old.pid != new.pid).then_some((old.pid, new.pid));
        let namespaces: Vec<&str> = new
            .namespaces
            .iter()
            .filter(|(ns, id)| old.namespaces.get(ns).is_some_and(|o| o != *id))
            .map(|(ns, _)| ns.proc_name())
            .collect();
        // A new process has a new everything; naming its pid is enough.
        let (namespaces, root) = if pid.is_some() {
            (Vec::new(), false)
        } else {
            (namespaces, old.root != new.root)
        };
        let uid = match (old.uid, new.uid) {
            (Some(a), Some(b)) if a != b && pid.is_none() => Some((a, b)),
            _ => None,
        };
        let cgroup = pid.is_none() && old.cgroups != new.cgroups;
        // A uid change moves the capabilities too; it says enough.
        let walls = pid.is_none() && uid.is_none() && old.walls != new.walls;
        s::box_changed(lang, pid, &namespaces, root, uid, cgroup, walls)
    }
}

/// The shell panes of a lesson, while open: a shell in the box (started through `boxlab
/// __exec`, as `docker exec` does) and one on the host. Dropping it ends both shells.
pub struct Shells {
    pub focus: Focus,
    boxed: Option<Shell>,
    /// The box the box shell joined, compared with the session's box to notice a change.
    joined: Option<BoxIdentity>,
    box_error: Option<String>,
    host: Option<Shell>,
    host_error: Option<String>,
    /// (rows, columns) of the box shell's and the host shell's terminals.
    sizes: [(u16, u16); 2],
}

impl Shells {
    fn new() -> Shells {
        Shells {
            focus: Focus::Lesson,
            boxed: None,
            joined: None,
            box_error: None,
            host: None,
            host_error: None,
            sizes: [(0, 0); 2],
        }
    }

    /// Starts, restarts or resizes the shells so they match the box `now` and `sizes`.
    fn fit(&mut self, now: Option<BoxIdentity>, sizes: [(u16, u16); 2], lang: Lang) {
        self.sizes = sizes;
        // A shell that exited is reaped at once: a zombie still counts in the box's pids.
        for shell in [&mut self.boxed, &mut self.host].into_iter().flatten() {
            shell.reap_if_ended();
        }
        let [(box_rows, box_cols), (host_rows, host_cols)] = sizes;
        if now != self.joined {
            // A new box (reset, a fork into a new PID namespace) or the box entered new
            // namespaces or a new root: the shell in the old one ends, a new one joins.
            let banner = match (&self.joined, &now) {
                (Some(old), Some(new)) => {
                    let text =
                        ui::wrap(&BoxIdentity::change_note(old, new, lang), box_cols as usize);
                    format!("\x1b[33m{}\x1b[0m\r\n", text.join("\r\n"))
                }
                _ => String::new(),
            };
            self.boxed = None;
            self.box_error = None;
            self.joined = now;
            if let Some(pid) = self.joined.as_ref().map(|b| b.pid) {
                self.start_box(pid, lang, &banner);
            }
        } else if let Some(shell) = &mut self.boxed {
            shell.resize(box_rows, box_cols);
        }
        match &mut self.host {
            Some(shell) => shell.resize(host_rows, host_cols),
            None if self.host_error.is_none() => self.start_host(),
            None => {}
        }
    }

    fn start_box(&mut self, pid: i32, lang: Lang, banner: &str) {
        let (rows, cols) = self.sizes[0];
        match Shell::in_box(pid, rows, cols, lang == Lang::Ko, banner) {
            Ok(shell) => self.boxed = Some(shell),
            Err(e) => self.box_error = Some(format!("{}: {e}", s::SHELL_FAILED.get(lang))),
        }
    }

    fn start_host(&mut self) {
        let (rows, cols) = self.sizes[1];
        match Shell::host(rows, cols) {
            Ok(shell) => self.host = Some(shell),
            Err(e) => self.host_error = Some(e.to_string()),
        }
    }

    fn focused(&mut self) -> Option<&mut Shell> {
        match self.focus {
            Focus::Lesson => None,
            Focus::BoxShell => self.boxed.as_mut(),
            Focus::HostShell => self.host.as_mut(),
        }
    }

    /// A key while a shell has the focus: Tab and Shift-Tab move the focus, F2 types a tab,
    /// Shift-PageUp and Shift-PageDown scroll the shell's view, as in a terminal emulator,
    /// Enter in a shell that exited starts a new one, everything else is typed into the shell.
    fn on_key(&mut self, key: KeyEvent, lang: Lang) {
        match key.code {
            KeyCode::Tab => self.focus = self.next_focus(),
            KeyCode::BackTab => self.focus = self.previous_focus(),
            KeyCode::F(2) => {
                if let Some(shell) = self.focused() {
                    let _ = shell.write(b"\t");
                }
            }
            KeyCode::PageUp | KeyCode::PageDown if key.modifiers.contains(KeyModifiers::SHIFT) => {
                if let Some(shell) = self.focused() {
                    shell.scroll_page(key.code == KeyCode::PageUp);
                }
            }
            KeyCode::Enter if self.focused().is_some_and(|s| s.ended()) => {
                if self.focus == Focus::BoxShell {
                    self.boxed = None;
                    if let Some(pid) = self.joined.as_ref().map(|b| b.pid) {
                        self.start_box(pid, lang, "");
                    }
                } else {
                    self.host = None;
                    self.start_host();
                }
            }
            _ => {
                if let Some(shell) = self.focused()
                    && let Some(bytes) = key_bytes(key, shell.application_cursor())
                {
                    let _ = shell.write(&bytes);
                }
            }
        }
    }

    fn next_focus(&self) -> Focus {
        match self.focus {
            Focus::Lesson => Focus::BoxShell,
            Focus::BoxShell => Focus::HostShell,
            Focus::HostShell => Focus::Lesson,
        }
    }

    fn previous_focus(&self) -> Focus {
        match self.focus {
            Focus::Lesson => Focus::HostShell,
            Focus::BoxShell => Focus::Lesson,
            Focus::HostShell => Focus::BoxShell,
        }
    }

    /// Grows whenever either shell printed something.
    fn output_count(&self) -> u64 {
        [&self.boxed, &self.host]
            .iter()
            .filter_map(|s| s.as_ref())
            .map(Shell::output_count)
            .sum()
    }

    fn view(&self, lang: Lang) -> ShellsView {
        let show = |shell: &Option<Shell>, error: &Option<String>, missing: String| match shell {
            Some(shell) => ShellView::Screen {
                screen: shell.screen(),
                ended: shell.ended(),
            },
            None => ShellView::Message(error.clone().unwrap_or(missing)),
        };
        let no_box = if self.joined.is_none() {
            s::NO_BOX_YET.get(lang).to_string()
        } else {
            String::new()
        };
        ShellsView {
            focus: self.focus,
            boxed: show(&self.boxed, &self.box_error, no_box),
            host: show(&self.host, &self.host_error, String::new()),
            box_pid: self.joined.as_ref().map(|b| b.pid),
        }
    }
}

pub struct App {
    pub entries: Vec<Entry>,
    pub selected: usize,
    /// The first lesson the list showed at the last draw.
    list_top: usize,
    pub progress: Progress,
    pub lang: Lang,
    pub help: bool,
    pub screen: Screen,
    /// The shell panes, while open (only on a lesson screen).
    pub shells: Option<Shells>,
    pub quit: bool,
    /// A step waiting to be performed: the screen first says so, since a step can take seconds
    /// (a measurement, a memory hog running into its limit).
    pending: Option<Pending>,
    /// Resource samples of the open lesson, when its steps show resources, timed from
    /// `epoch`; `sampled` is when the last one was taken.
    resources: History,
    epoch: Instant,
    sampled: Option<Instant>,
    /// How many lines the scrolled part showed in the last draw: PgUp/PgDn's step.
    page: u16,
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
            list_top: 0,
            progress: progress::load(),
            lang,
            help: false,
            screen: Screen::List,
            shells: None,
            quit: false,
            pending: None,
            resources: History::new(),
            epoch: Instant::now(),
            sampled: None,
            page: 1,
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
            calls: false,
        };
        self.forget_resources();
        self.note_progress();
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        // A shell with the focus gets every key (Ctrl-C too) but the ones that leave it.
        if let Some(shells) = &mut self.shells
            && shells.focus != Focus::Lesson
        {
            shells.on_key(key, self.lang);
            return;
        }
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

    /// Whether a step waits to be performed (the screen shows "running").
    pub fn working(&self) -> bool {
        self.pending.is_some()
    }

    /// Performs the step that waits, if any (see [`App::working`]).
    pub fn perform_pending(&mut self) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        let Screen::Lesson {
            session,
            shown,
            scroll,
            ..
        } = &mut self.screen
        else {
            return;
        };
        match pending {
            Pending::Next => {
                if session.perform_next().is_some() {
                    *shown = session.reports().len() - 1;
                    *scroll = 0;
                }
            }
            Pending::Reset => {
                session.reset();
                session.perform_next();
                *shown = 0;
                *scroll = 0;
                self.forget_resources();
            }
        }
        self.note_progress();
    }

    /// Keeps the lesson screen's scroll as far as the last draw could scroll, and its page;
    /// keeps where the list's view began.
    pub fn limit_scroll(&mut self, drawn: Scrolled) {
        self.page = drawn.page.max(1);
        match &mut self.screen {
            Screen::List => self.list_top = drawn.top,
            Screen::Lesson { scroll, .. } => *scroll = (*scroll).min(drawn.most),
        }
    }

    fn on_lesson_key(&mut self, code: KeyCode) {
        let Screen::Lesson {
            session,
            shown,
            scroll,
            calls,
        } = &mut self.screen
        else {
            return;
        };
        match code {
            KeyCode::Right | KeyCode::Enter | KeyCode::Char(' ') | KeyCode::Char('n') => {
                if *shown + 1 < session.reports().len() {
                    *shown += 1;
                    *scroll = 0;
                } else if !session.finished() {
                    self.pending = Some(Pending::Next);
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
            // A screenful less one line, so that the last line read stays in view.
            KeyCode::PageUp => *scroll = scroll.saturating_sub(self.page.saturating_sub(1).max(1)),
            KeyCode::PageDown => {
                *scroll = scroll.saturating_add(self.page.saturating_sub(1).max(1))
            }
            KeyCode::Home => *scroll = 0,
            // To the end: the next draw brings it back to the last screenful.
            KeyCode::End => *scroll = u16::MAX,
            KeyCode::Char('r') => self.pending = Some(Pending::Reset),
            KeyCode::Char('c') => {
                *calls = !*calls;
                *scroll = 0;
            }
            KeyCode::Esc if *calls => *calls = false,
            KeyCode::Esc => {
                self.screen = Screen::List;
                self.shells = None;
                self.forget_resources();
            }
            KeyCode::Char('s') => {
                self.shells = match self.shells {
                    Some(_) => None,
                    None => Some(Shells::new()),
                }
            }
            KeyCode::Tab | KeyCode::BackTab => {
                if let Some(shells) = &mut self.shells {
                    // The c view hides the shells: the focus goes where it can be seen.
                    *calls = false;
                    shells.focus = if code == KeyCode::Tab {
                        Focus::BoxShell
                    } else {
                        Focus::HostShell
                    };
                }
            }
            _ => {}
        }
        self.note_progress();
    }

    /// Sizes the shells for a terminal of `area` and keeps the box shell in the session's
    /// current box; starts them the first time. Called before every draw.
    pub fn fit_shells(&mut self, area: Rect) {
        if self.shells.is_none() {
            return;
        }
        let Some(sizes) = self
            .lesson_screen()
            .map(|screen| ui::shell_sizes(area, &screen, self.lang))
        else {
            self.shells = None;
            return;
        };
        let Screen::Lesson { session, .. } = &self.screen else {
            return;
        };
        if let Some(shells) = &mut self.shells {
            shells.fit(BoxIdentity::of(session), sizes, self.lang);
        }
    }

    /// The open lesson shows resources in some step: the app samples them every
    /// [`resources::INTERVAL`], so the graph has a history when such a step comes.
    fn samples_resources(&self) -> bool {
        match &self.screen {
            Screen::Lesson { session, .. } => {
                let lesson = session.lesson();
                (0..lesson.steps.len()).any(|i| lesson.rows(i).contains(&Row::Resources))
            }
            Screen::List => false,
        }
    }

    /// The step on screen shows the live resource display: a new sample means a redraw.
    pub fn resources_shown(&self) -> bool {
        match &self.screen {
            Screen::Lesson { session, shown, .. } => session
                .reports()
                .get(*shown)
                .is_some_and(|r| session.lesson().rows(r.index).contains(&Row::Resources)),
            Screen::List => false,
        }
    }

    /// How long until the next resource sample is due; None when the lesson takes none.
    pub fn sample_due_in(&self) -> Option<Duration> {
        if !self.samples_resources() {
            return None;
        }
        Some(self.sampled.map_or(Duration::ZERO, |at| {
            resources::INTERVAL.saturating_sub(at.elapsed())
        }))
    }

    /// Takes a resource sample (the host's totals, the box's cgroup) when one is due.
    pub fn sample_resources(&mut self) {
        if self.sample_due_in() != Some(Duration::ZERO) {
            return;
        }
        let Screen::Lesson { session, .. } = &self.screen else {
            return;
        };
        let now = Instant::now();
        self.resources.push(now - self.epoch, session.sample());
        self.sampled = Some(now);
    }

    /// A new box (reset) or no lesson: its samples go; the next one is taken at once.
    fn forget_resources(&mut self) {
        self.resources.clear();
        self.sampled = None;
    }

    pub fn shells_open(&self) -> bool {
        self.shells.is_some()
    }

    /// Grows whenever a shell printed something: the screen needs drawing again.
    pub fn shell_output(&self) -> u64 {
        self.shells.as_ref().map_or(0, Shells::output_count)
    }

    /// A lesson is done once its last step ran with no check failing (a skipped one does not).
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
            top: self.list_top,
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
                calls,
            } => Some(LessonScreen {
                lesson: session.lesson(),
                reports: session.reports(),
                shown: *shown,
                scroll: *scroll,
                calls: *calls,
                shells: self.shells.as_ref().map(|s| s.view(self.lang)),
                resources: Some(&self.resources),
                working: self.pending.is_some(),
            }),
        }
    }
}
