//! The loop: wait for a key, a resize, the next minute or the next look at
//! the book; turn it into actions; run `update` and its effects; draw only
//! when something happened. Idle, it sleeps in `poll` and wakes once a second
//! for one cheap `PRAGMA data_version`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::{DateTime, Utc};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event;

use crate::clock::Clock;
use crate::config::Config;
use crate::error::one_line;
use crate::store::Store;
use std::io::Write as _;

use crate::compose::osc52_copy;
use crate::tui::action::{Action, Effect, TerminalWork};
use crate::tui::calendar_sync::CalendarSync;
use crate::tui::editor::edit_externally;
use crate::tui::keymap::Keymap;
use crate::tui::model::Model;
use crate::tui::theme::Theme;
use crate::tui::{effects, input, update, view};

/// How often the book is asked whether another process wrote to it.
pub const BOOK_POLL: Duration = Duration::from_secs(1);
/// How often the loop looks whether today's backup is done while the first
/// writes wait for it (only during the day's first copy).
const BACKUP_CHECK: Duration = Duration::from_millis(50);

/// After the first frame, how long the rest of the day's loading waits for
/// the terminal to take the frame and show it (the two compete for the
/// CPU: on a 2-core machine the frame reached the terminal up to 4 ms late
/// in one launch of ten, 0.4 ms with the wait). A key ends the wait at
/// once, and is handled after the whole day is loaded, as always.
const FIRST_FRAME_SHOWN: Duration = Duration::from_millis(5);

pub struct App {
    store: Store,
    config: Config,
    clock: Clock,
    theme: Theme,
    model: Model,
    book_version: Option<i64>,
    next_book_poll: Instant,
    /// Work on the terminal that `update` asked for, done by `run`.
    terminal_work: Vec<TerminalWork>,
    /// Today's backup, taken in the background after the first frame.
    backup: DailyBackup,
    /// The first frame's writes (what became due, the calendar sync) wait
    /// for today's backup while it is being copied, so the day's backup is
    /// the book as the day found it.
    writes_wait_for_backup: bool,
    /// The vdir sync in the background, with `[calendar] vdir` set; started
    /// after the first frame (its own connection to the book and its writes
    /// never delay the dashboard's opening).
    calendar_sync: Option<CalendarSync>,
}

/// The daily backup's progress in the TUI: never before the first frame, so
/// a big book opens as fast as a small one.
enum DailyBackup {
    NotStarted,
    Running(std::sync::mpsc::Receiver<Result<bool, String>>),
    Done,
}

impl App {
    /// A dashboard on `store`, with the first day already loaded.
    pub fn new(
        store: Store,
        config: Config,
        clock: Clock,
        keymap: Arc<Keymap>,
        theme: Theme,
        size: (u16, u16),
    ) -> App {
        let model = Model::new(clock.now(), config.tz, size, keymap);
        let mut app = App {
            calendar_sync: None,
            book_version: store.data_version().ok(),
            store,
            config,
            clock,
            theme,
            model,
            next_book_poll: Instant::now() + BOOK_POLL,
            terminal_work: Vec::new(),
            backup: DailyBackup::NotStarted,
            writes_wait_for_backup: false,
        };
        // The first window of the day; the rest after the first frame.
        app.dispatch(Action::Start);
        app
    }

    /// After the first frame: make what became due while the dashboard was
    /// closed (as the minute tick does; what it makes appears a moment
    /// later), then load the whole day if only its first window is loaded.
    /// `run` calls it once, after starting today's backup; a test or bench
    /// driving the app calls it after its first draw. While today's backup
    /// is being copied, the writes (what became due, the calendar sync)
    /// wait for it ([`App::check_daily_backup`]): the copy is the book
    /// before the day's first change, as a command's is.
    pub fn after_first_frame(&mut self) {
        if matches!(self.backup, DailyBackup::Running(_)) {
            self.writes_wait_for_backup = true;
            self.dispatch(Action::LoadRest);
        } else {
            self.first_writes();
            self.dispatch(Action::LoadRest);
        }
    }

    /// What the first frame makes due and the calendar sync (its own
    /// connection, which writes).
    fn first_writes(&mut self) {
        self.dispatch(Action::FirstFrameShown);
        if self.calendar_sync.is_none() {
            self.calendar_sync =
                CalendarSync::start(self.store.path().to_path_buf(), &self.config, self.clock);
        }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn theme(&self) -> &Theme {
        &self.theme
    }

    /// Run an action and every effect it leads to.
    pub fn dispatch(&mut self, action: Action) {
        let mut queue = vec![action];
        while let Some(action) = queue.pop() {
            for effect in update::update(&mut self.model, action) {
                if let Effect::Terminal(work) = effect {
                    self.terminal_work.push(work);
                    continue;
                }
                queue.insert(
                    0,
                    effects::run(effect, &mut self.store, &self.config, self.clock.now()),
                );
            }
        }
    }

    /// Terminal work asked for and not yet done (tests look at it).
    pub fn take_terminal_work(&mut self) -> Vec<TerminalWork> {
        std::mem::take(&mut self.terminal_work)
    }

    /// Do the terminal work: `$EDITOR` outside the alternate screen, OSC 52.
    fn do_terminal_work<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<()> {
        for work in self.take_terminal_work() {
            match work {
                TerminalWork::CopyToClipboard(text) => {
                    let mut out = std::io::stdout();
                    // The clipboard is a courtesy: a terminal without OSC 52
                    // ignores it, and the message is in the outbox anyway.
                    let _ = out.write_all(osc52_copy(&text).as_bytes());
                    let _ = out.flush();
                }
                TerminalWork::EditExternally(text) => {
                    let _ = ratatui::crossterm::execute!(
                        std::io::stdout(),
                        ratatui::crossterm::event::DisableBracketedPaste
                    );
                    ratatui::restore();
                    let edited = edit_externally(&text).map_err(|err| one_line(&err));
                    let _ = ratatui::try_init()?;
                    let _ = ratatui::crossterm::execute!(
                        std::io::stdout(),
                        ratatui::crossterm::event::EnableBracketedPaste
                    );
                    terminal
                        .clear()
                        .map_err(|err| anyhow::anyhow!("cannot redraw: {err}"))?;
                    self.dispatch(Action::EditedExternally(edited));
                }
            }
        }
        Ok(())
    }

    /// The timers: a new minute, and a look at the book. Returns whether
    /// anything was dispatched (and so needs drawing).
    pub fn on_timers(&mut self) -> bool {
        let mut changed = false;
        let now = self.clock.now();
        if minute(now) != minute(self.model.now) {
            self.dispatch(Action::Tick(now));
            changed = true;
        }
        if Instant::now() >= self.next_book_poll {
            self.next_book_poll = Instant::now() + BOOK_POLL;
            let news = self
                .calendar_sync
                .as_ref()
                .map(CalendarSync::news)
                .unwrap_or_default();
            for item in news {
                changed |= !matches!(item, Ok(None));
                self.dispatch(Action::CalendarSynced(item));
            }
            changed |= self.look_at_book();
        }
        changed
    }

    /// Whether another process wrote to the book since the last look; if so,
    /// reload what is on screen.
    pub fn look_at_book(&mut self) -> bool {
        match self.store.data_version() {
            Ok(version) if Some(version) != self.book_version => {
                self.book_version = Some(version);
                self.dispatch(Action::BookChanged);
                true
            }
            Ok(_) => false,
            Err(err) => {
                let text = one_line(&err);
                if self.model.notice.as_ref().map(|n| &n.text) == Some(&text) {
                    return false;
                }
                self.dispatch(Action::Failed(text));
                true
            }
        }
    }

    /// How long to sleep: to the next look at the book or the next minute.
    pub fn timeout(&self) -> Duration {
        let mut to_poll = self
            .next_book_poll
            .saturating_duration_since(Instant::now());
        if self.writes_wait_for_backup {
            // The first writes follow the copy's end closely.
            to_poll = to_poll.min(BACKUP_CHECK);
        }
        to_poll.min(until_next_minute(self.clock.now()))
    }

    pub fn draw<B: Backend>(&self, terminal: &mut Terminal<B>) -> Result<()> {
        terminal
            .draw(|frame| view::draw(frame, &self.model, &self.theme))
            .map_err(|err| anyhow::anyhow!("cannot draw: {err}"))?;
        Ok(())
    }

    /// After the first frame: copy the book in the background, once.
    fn start_daily_backup(&mut self) {
        if !matches!(self.backup, DailyBackup::NotStarted) {
            return;
        }
        let book = self.store.path().to_path_buf();
        let today = crate::domain::when::local_date(self.clock.now(), self.config.tz);
        if !crate::store::backup::daily_due(&book, today) {
            self.backup = DailyBackup::Done;
            return;
        }
        let (send, receive) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("daily-backup".into())
            .spawn(move || {
                let _ =
                    send.send(crate::store::backup::daily(&book, today).map_err(|e| one_line(&e)));
            });
        self.backup = match spawned {
            Ok(_) => DailyBackup::Running(receive),
            Err(_) => DailyBackup::Done,
        };
    }

    /// A failed daily backup is shown, not swallowed; once the copy is done
    /// (or failed), the first writes that waited for it run. Returns whether
    /// anything was dispatched.
    fn check_daily_backup(&mut self) -> bool {
        let DailyBackup::Running(receive) = &self.backup else {
            return false;
        };
        let outcome = match receive.try_recv() {
            Ok(outcome) => outcome,
            Err(std::sync::mpsc::TryRecvError::Empty) => return false,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                Err("the backup stopped unexpectedly".into())
            }
        };
        self.backup = DailyBackup::Done;
        let waited = std::mem::take(&mut self.writes_wait_for_backup);
        if waited {
            self.first_writes();
        }
        match outcome {
            Ok(_) => waited,
            Err(reason) => {
                crate::log::line(&format!("daily backup failed: {reason}"));
                self.dispatch(Action::Failed(format!("today's backup failed: {reason}")));
                true
            }
        }
    }

    /// Until the coach quits.
    pub fn run<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<()> {
        // The first poll installs the resize (SIGWINCH) handler: do it before
        // the first frame so a resize right after it is not lost.
        event::poll(Duration::ZERO)?;
        let mut dirty = true;
        let mut first_frame = true;
        loop {
            if dirty {
                self.draw(terminal)?;
                dirty = false;
                if std::mem::take(&mut first_frame) {
                    // Only waits: the key, if one came, is read below.
                    event::poll(FIRST_FRAME_SHOWN)?;
                    // The copy first: the first writes wait for it.
                    self.start_daily_backup();
                    self.after_first_frame();
                    self.draw(terminal)?;
                    crate::heap::start_up_done();
                }
                self.start_daily_backup();
                // Keep the model's idea of the size true (mouse hits, scroll
                // limits) even if a resize slipped past the event queue.
                if let Ok(size) = terminal.size()
                    && (size.width, size.height) != self.model.size
                {
                    self.dispatch(Action::Resize(size.width, size.height));
                }
            }
            if self.model.quit {
                // Let a copy in progress finish: a coach who only glances
                // at the dashboard still gets the day's backup.
                if let DailyBackup::Running(receive) = &self.backup {
                    let _ = receive.recv_timeout(Duration::from_secs(60));
                }
                return Ok(());
            }
            if event::poll(self.timeout())? {
                let event = event::read()?;
                if let Some(action) = input::action_for(&self.model, &event) {
                    self.dispatch(action);
                    self.do_terminal_work(terminal)?;
                    dirty = true;
                }
            }
            dirty |= self.on_timers();
            dirty |= self.check_daily_backup();
        }
    }
}

fn minute(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(60)
}

/// A few milliseconds past the next minute boundary, so the wake-up lands
/// in the new minute.
fn until_next_minute(now: DateTime<Utc>) -> Duration {
    let into_minute = now.timestamp_millis().rem_euclid(60_000) as u64;
    Duration::from_millis(60_000 - into_minute + 5)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first launch of the day: what became due is made only once
    /// today's backup is copied, so the backup holds the book as the day
    /// found it, and the dashboard still makes it.
    #[test]
    fn the_first_writes_of_the_day_wait_for_the_days_backup() {
        let dir = tempfile::tempdir().expect("temp dir");
        let book = dir.path().join("book.sqlite");
        let config_path = dir.path().join("config.toml");
        let text = "[coach]\ntime_zone = \"Europe/Berlin\"\n";
        let config = Config::parse(text, &config_path).expect("config");
        let now: DateTime<Utc> = "2026-11-23T13:20:00Z".parse().expect("now");
        {
            let mut store = Store::open(&book).expect("book");
            // Made three weeks ago: chases and check-ins are due now.
            let then = now - chrono::Duration::days(21);
            crate::demo::generate(&mut store, &config, then).expect("demo book");
        }
        let changes = |path: &std::path::Path| -> i64 {
            rusqlite::Connection::open(path)
                .expect("open")
                .query_row("SELECT count(*) FROM changes", [], |r| r.get(0))
                .expect("count")
        };
        let before = changes(&book);
        let dashboard = || {
            App::new(
                Store::open(&book).expect("book"),
                config.clone(),
                Clock::Fixed(now),
                Arc::new(Keymap::defaults()),
                Theme::colored(),
                (120, 40),
            )
        };
        let mut app = dashboard();
        app.start_daily_backup();
        assert!(matches!(app.backup, DailyBackup::Running(_)));
        app.after_first_frame();
        assert_eq!(
            changes(&book),
            before,
            "nothing is written while the copy runs"
        );
        let waited = Instant::now();
        while !matches!(app.backup, DailyBackup::Done) {
            app.check_daily_backup();
            assert!(waited.elapsed() < Duration::from_secs(60), "the copy ends");
            std::thread::sleep(Duration::from_millis(5));
        }
        let today = crate::domain::when::local_date(now, config.tz);
        let backup = crate::store::backup::daily_path(&book, today);
        assert_eq!(
            changes(&backup),
            before,
            "the backup is the book before the day's writes"
        );
        assert!(
            changes(&book) > before,
            "what became due was made after the copy"
        );
        // A later launch the same day: nothing to copy, nothing waits.
        let mut later = dashboard();
        later.start_daily_backup();
        assert!(matches!(later.backup, DailyBackup::Done));
        later.after_first_frame();
        assert!(!later.writes_wait_for_backup);
    }

    #[test]
    fn the_next_minute_is_never_further_than_a_minute() {
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|d| d.with_timezone(&Utc))
                .expect("instant")
        };
        assert_eq!(
            until_next_minute(at("2026-11-23T10:00:59.5Z")),
            Duration::from_millis(505)
        );
        assert_eq!(
            until_next_minute(at("2026-11-23T10:00:00Z")),
            Duration::from_millis(60_005)
        );
    }
}
