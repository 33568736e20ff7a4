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
use ratatui::crossterm::{event, execute, terminal};
use std::io::stdout;

use crate::clock::Clock;
use crate::config::Config;
use crate::error::one_line;
use crate::store::Store;
use crate::tui::action::{Action, Effect};
use crate::tui::flows::TriageResult;
use crate::tui::keymap::Keymap;
use crate::tui::model::Model;
use crate::tui::theme::Theme;
use crate::tui::{editor, effects, input, update, view};

/// How often the book is asked whether another process wrote to it.
pub const BOOK_POLL: Duration = Duration::from_secs(1);

pub struct App {
    store: Store,
    config: Config,
    clock: Clock,
    theme: Theme,
    model: Model,
    book_version: Option<i64>,
    next_book_poll: Instant,
    /// Text waiting to be edited in $EDITOR (the loop leaves the screen for it).
    external_edit: Option<String>,
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
            book_version: store.data_version().ok(),
            store,
            config,
            clock,
            theme,
            model,
            next_book_poll: Instant::now() + BOOK_POLL,
            external_edit: None,
        };
        app.dispatch(Action::BookChanged);
        app
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
                if let Effect::EditExternally(text) = effect {
                    self.external_edit = Some(text);
                    continue;
                }
                queue.insert(
                    0,
                    effects::run(effect, &mut self.store, &self.config, self.clock.now()),
                );
            }
        }
    }

    /// Text a flow asked to edit in $EDITOR, if any (taken once).
    pub fn take_external_edit(&mut self) -> Option<String> {
        self.external_edit.take()
    }

    /// Leave the screen, run $EDITOR on `text`, come back and hand the
    /// result (or why it failed) to the flow.
    fn edit_externally<B: Backend>(
        &mut self,
        terminal: &mut Terminal<B>,
        text: &str,
    ) -> Result<()> {
        ratatui::restore();
        let edited = editor::edit_externally(text);
        terminal::enable_raw_mode()?;
        execute!(stdout(), terminal::EnterAlternateScreen)?;
        terminal
            .clear()
            .map_err(|err| anyhow::anyhow!("cannot redraw after $EDITOR: {err}"))?;
        let result = match edited {
            Ok(text) => TriageResult::EditedExternally(text),
            Err(err) => TriageResult::Refused(format!("$EDITOR: {}", one_line(&err))),
        };
        self.dispatch(Action::Triage(result));
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
        let to_poll = self
            .next_book_poll
            .saturating_duration_since(Instant::now());
        to_poll.min(until_next_minute(self.clock.now()))
    }

    pub fn draw<B: Backend>(&self, terminal: &mut Terminal<B>) -> Result<()> {
        terminal
            .draw(|frame| view::draw(frame, &self.model, &self.theme))
            .map_err(|err| anyhow::anyhow!("cannot draw: {err}"))?;
        Ok(())
    }

    /// Until the coach quits.
    pub fn run<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<()> {
        // The first poll installs the resize (SIGWINCH) handler: do it before
        // the first frame so a resize right after it is not lost.
        event::poll(Duration::ZERO)?;
        let mut dirty = true;
        loop {
            if dirty {
                self.draw(terminal)?;
                dirty = false;
                // Keep the model's idea of the size true (mouse hits, scroll
                // limits) even if a resize slipped past the event queue.
                if let Ok(size) = terminal.size()
                    && (size.width, size.height) != self.model.size
                {
                    self.dispatch(Action::Resize(size.width, size.height));
                }
            }
            if self.model.quit {
                return Ok(());
            }
            if event::poll(self.timeout())? {
                let event = event::read()?;
                if let Some(action) = input::action_for(&self.model, &event) {
                    self.dispatch(action);
                    dirty = true;
                }
                if let Some(text) = self.take_external_edit() {
                    self.edit_externally(terminal, &text)?;
                }
            }
            dirty |= self.on_timers();
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
