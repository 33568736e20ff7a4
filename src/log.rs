//! The log file: errors and timings, never message bodies or client text.
//! `<data dir>/coachbook/coachbook.log`, 0600, appended to.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::time::Duration;

fn path() -> std::path::PathBuf {
    crate::paths::data_dir().join("coachbook.log")
}

/// Append one line; logging never fails the program.
pub fn line(text: &str) {
    let path = path();
    if let Some(dir) = path.parent()
        && !dir.exists()
    {
        use std::os::unix::fs::DirBuilderExt;
        let _ = std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir);
    }
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&path)
    {
        // One write of the whole line: appends from two processes never
        // interleave, and there is one system call.
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let line = format!("{now} {text}\n");
        let _ = file.write_all(line.as_bytes());
    }
}

/// One line per command: its name, how long it took, and how it ended. An
/// error is logged by kind only (bad input or failure), since its text can
/// quote what the coach typed about a client.
pub fn record(command: &str, took: Duration, code: i32, err: Option<&anyhow::Error>) {
    let outcome = match (code, err) {
        (0, _) => "ok".to_string(),
        (2, _) => "bad-input".to_string(),
        (_, Some(err)) => format!("failure: {}", failure_kind(err)),
        (_, None) => "failure".to_string(),
    };
    line(&format!(
        "command={command} ms={} exit={code} {outcome}",
        took.as_millis()
    ));
}

/// The innermost cause's type of failure, without its text.
fn failure_kind(err: &anyhow::Error) -> String {
    if let Some(sql) = err
        .chain()
        .find_map(|e| e.downcast_ref::<rusqlite::Error>())
    {
        return match sql {
            rusqlite::Error::SqliteFailure(e, _) => format!("sqlite {:?}", e.code),
            _ => "sqlite".into(),
        };
    }
    if let Some(io) = err.chain().find_map(|e| e.downcast_ref::<std::io::Error>()) {
        return format!("io {:?}", io.kind());
    }
    "other".into()
}
