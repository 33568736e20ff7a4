//! The dashboard's calendar sync: with `[calendar] vdir` set, a thread of
//! its own syncs the book with the folder when the dashboard opens and every
//! minute after, on its own connection, so neither the first frame nor a key
//! press waits for it. The loop hears back through a channel: changes and
//! problems become a notice; the book's new data arrives through the usual
//! look at the book (`PRAGMA data_version`).

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::clock::Clock;
use crate::config::Config;
use crate::error::one_line;
use crate::store::Store;
use crate::sync::vdir::sync_vdir;

/// How often the folder is synced while the dashboard is open.
pub const SYNC_EVERY: Duration = Duration::from_secs(60);

/// What one sync said: a line worth showing (nothing when nothing changed),
/// or why it failed.
pub type SyncNews = Result<Option<String>, String>;

pub struct CalendarSync {
    news: Receiver<SyncNews>,
    /// Dropping it tells the thread to stop.
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl CalendarSync {
    /// Start syncing `book` with `config.vdir`, if there is one.
    pub fn start(book: PathBuf, config: &Config, clock: Clock) -> Option<CalendarSync> {
        let folder = config.vdir.clone()?;
        let config = config.clone();
        let (news_tx, news) = mpsc::channel();
        let (stop, stop_rx) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("calendar-sync".into())
            .spawn(move || {
                loop {
                    let result = Store::open(&book)
                        .and_then(|mut store| sync_vdir(&mut store, &folder, &config, clock.now()));
                    let news = match result {
                        Ok(report) => {
                            let quiet = report.to_folder.total() + report.to_book.total() == 0
                                && report.conflicts.is_empty()
                                && report.problems.is_empty();
                            Ok((!quiet).then(|| {
                                let mut line = report.summary_line(&folder);
                                if let Some(first) =
                                    report.conflicts.first().or(report.problems.first())
                                {
                                    line.push_str(&format!(" — {first}"));
                                }
                                line
                            }))
                        }
                        Err(err) => Err(format!("calendar sync: {}", one_line(&err))),
                    };
                    if news_tx.send(news).is_err() {
                        return;
                    }
                    match stop_rx.recv_timeout(SYNC_EVERY) {
                        Err(RecvTimeoutError::Timeout) => continue,
                        _ => return,
                    }
                }
            })
            .ok()?;
        Some(CalendarSync {
            news,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Everything the thread said since the last look.
    pub fn news(&self) -> Vec<SyncNews> {
        self.news.try_iter().collect()
    }
}

impl Drop for CalendarSync {
    fn drop(&mut self) {
        self.stop.take();
        // A sync in progress finishes its transaction; the thread then ends.
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
