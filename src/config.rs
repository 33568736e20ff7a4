//! The coach's settings: `config.toml` in the platform config folder,
//! `COACHBOOK_CONFIG` or `--config PATH`. Every key is optional and has a sane
//! default; a missing default file is fine; a bad file is one clear line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveTime;
use chrono_tz::Tz;
use toml::{Table, Value};

use crate::domain::hours::{ReplyClock, ReplyTargets, Target, WorkingHours};
use crate::domain::when::{parse_span, parse_weekday};
use crate::error::BadInput;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub coach_name: String,
    pub signature: String,
    /// The coach's own mail addresses (lower case): mail from them is a reply.
    pub addresses: Vec<String>,
    pub tz: Tz,
    pub hours: WorkingHours,
    pub targets: ReplyTargets,
    pub send_command: Option<String>,
    pub outbox: PathBuf,
    pub templates_folder: PathBuf,
    /// Keymap overrides, key text to action name; checked by the TUI's keymap.
    pub keys: BTreeMap<String, String>,
    pub mouse: bool,
    /// `[reminders] day_before`: remind each client the day before a session.
    pub reminders_day_before: bool,
    /// The vdir (vdirsyncer/khal folder) the dashboard keeps in sync.
    pub vdir: Option<PathBuf>,
    /// Where the settings came from, when a file was read.
    pub source: Option<PathBuf>,
}

impl Config {
    /// The defaults, with the system's time zone.
    pub fn defaults() -> Config {
        let hours = WorkingHours::default();
        Config {
            coach_name: "Your coach".into(),
            signature: "Warmly,\nYour coach".into(),
            addresses: Vec::new(),
            tz: system_time_zone(),
            targets: ReplyTargets::defaults(&hours),
            hours,
            send_command: None,
            outbox: crate::paths::data_dir().join("outbox"),
            templates_folder: crate::paths::config_dir().join("templates"),
            keys: BTreeMap::new(),
            mouse: false,
            reminders_day_before: false,
            vdir: None,
            source: None,
        }
    }

    pub fn reply_clock(&self) -> ReplyClock {
        ReplyClock {
            hours: self.hours.clone(),
            targets: self.targets.clone(),
            tz: self.tz,
        }
    }

    /// Read the settings: `explicit` (from `--config`), else `COACHBOOK_CONFIG`,
    /// else the platform file. Only the platform file may be missing.
    pub fn load(explicit: Option<&Path>) -> Result<Config, BadInput> {
        let from_env = std::env::var_os("COACHBOOK_CONFIG").map(PathBuf::from);
        let (path, must_exist) = match explicit.map(Path::to_path_buf).or(from_env) {
            Some(path) => (path, true),
            None => (crate::paths::config_dir().join("config.toml"), false),
        };
        let read = crate::intake::limits::read_capped(
            &path,
            crate::intake::limits::MAX_CONFIG_BYTES,
            "a config file",
        );
        match read.map(String::from_utf8) {
            Ok(Ok(text)) => Config::parse(&text, &path),
            Ok(Err(_)) => Err(BadInput(format!(
                "config {}: not UTF-8 text",
                path.display()
            ))),
            Err(crate::intake::limits::ReadError::Refused(err)) => {
                Err(BadInput(format!("config: {}", err.0)))
            }
            Err(crate::intake::limits::ReadError::Io(err))
                if err.kind() == std::io::ErrorKind::NotFound && !must_exist =>
            {
                Ok(Config::defaults())
            }
            Err(crate::intake::limits::ReadError::Io(err)) => Err(BadInput(format!(
                "config {}: cannot read it: {err}",
                path.display()
            ))),
        }
    }

    /// Parse a config file's text; `path` only names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, BadInput> {
        let fail = |what: String| BadInput(format!("config {}: {what}", path.display()));
        let table: Table = toml::from_str(text).map_err(|err| {
            let line = err
                .span()
                .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
            let message = err.message().replace('\n', " ");
            match line {
                Some(line) => fail(format!("line {line}: {message}")),
                None => fail(message),
            }
        })?;
        let mut config = Config::defaults();
        config.source = Some(path.to_path_buf());
        apply(&mut config, &table).map_err(fail)?;
        Ok(config)
    }
}

/// Known keys per section; anything else is a typo worth reporting.
const SECTIONS: &[(&str, &[&str])] = &[
    ("coach", &["name", "signature", "addresses", "time_zone"]),
    ("hours", &["days", "start", "end"]),
    ("reply_by", &["crisis", "urgent", "normal", "low"]),
    ("delivery", &["send_command", "outbox"]),
    ("templates", &["folder"]),
    ("ui", &["mouse"]),
    ("reminders", &["day_before"]),
    ("calendar", &["vdir"]),
    ("keys", &[]),
];

fn apply(config: &mut Config, table: &Table) -> Result<(), String> {
    for (section, value) in table {
        let Some((_, keys)) = SECTIONS.iter().find(|(name, _)| name == section) else {
            return Err(format!("unknown section [{section}]"));
        };
        let Value::Table(inner) = value else {
            return Err(format!("`{section}` must be a table ([{section}])"));
        };
        if *section != "keys"
            && let Some(key) = inner.keys().find(|k| !keys.contains(&k.as_str()))
        {
            return Err(format!("unknown key `{section}.{key}`"));
        }
    }
    let get = |section: &str, key: &str| -> Option<&Value> {
        table.get(section).and_then(|s| s.get(key))
    };

    if let Some(v) = get("coach", "name") {
        config.coach_name = string(v, "coach.name")?;
        config.signature = format!("Warmly,\n{}", config.coach_name);
    }
    if let Some(v) = get("coach", "signature") {
        config.signature = string(v, "coach.signature")?;
    }
    if let Some(v) = get("coach", "addresses") {
        config.addresses = strings(v, "coach.addresses")?
            .into_iter()
            .map(|a| a.trim().to_lowercase())
            .collect();
        if let Some(bad) = config.addresses.iter().find(|a| !a.contains('@')) {
            return Err(format!("`coach.addresses`: '{bad}' is not a mail address"));
        }
    }
    if let Some(v) = get("coach", "time_zone") {
        let name = string(v, "coach.time_zone")?;
        config.tz = name.parse::<Tz>().map_err(|_| {
            format!("`coach.time_zone`: unknown time zone '{name}' (use an IANA name such as Europe/Berlin)")
        })?;
    }
    if let Some(v) = get("hours", "days") {
        let mut days = [false; 7];
        for name in strings(v, "hours.days")? {
            let day = parse_weekday(&name.to_lowercase())
                .ok_or_else(|| format!("`hours.days`: '{name}' is not a weekday (mon..sun)"))?;
            if let Some(slot) = days.get_mut(day.num_days_from_monday() as usize) {
                *slot = true;
            }
        }
        if !days.iter().any(|d| *d) {
            return Err("`hours.days` needs at least one working day".into());
        }
        config.hours.days = days;
    }
    if let Some(v) = get("hours", "start") {
        config.hours.start = clock_time(v, "hours.start")?;
    }
    if let Some(v) = get("hours", "end") {
        config.hours.end = clock_time(v, "hours.end")?;
    }
    if config.hours.end <= config.hours.start {
        return Err(format!(
            "`hours.end` ({}) must be after `hours.start` ({})",
            config.hours.end.format("%H:%M"),
            config.hours.start.format("%H:%M")
        ));
    }
    config.targets = ReplyTargets::defaults(&config.hours);
    let day = config.hours.day_minutes();
    if let Some(v) = get("reply_by", "crisis") {
        config.targets.crisis = Target::Clock(target_minutes(v, "reply_by.crisis", 24 * 60)?);
    }
    if let Some(v) = get("reply_by", "urgent") {
        config.targets.urgent = Target::Working(target_minutes(v, "reply_by.urgent", day)?);
    }
    if let Some(v) = get("reply_by", "normal") {
        config.targets.normal = Target::Working(target_minutes(v, "reply_by.normal", day)?);
    }
    if let Some(v) = get("reply_by", "low") {
        config.targets.low = Target::Working(target_minutes(v, "reply_by.low", day)?);
    }
    if let Some(v) = get("delivery", "send_command") {
        let command = string(v, "delivery.send_command")?;
        config.send_command = (!command.trim().is_empty()).then_some(command);
    }
    if let Some(v) = get("delivery", "outbox") {
        config.outbox = expand_home(&string(v, "delivery.outbox")?);
    }
    if let Some(v) = get("templates", "folder") {
        config.templates_folder = expand_home(&string(v, "templates.folder")?);
    }
    if let Some(v) = get("calendar", "vdir") {
        let folder = string(v, "calendar.vdir")?;
        if folder.trim().is_empty() || folder.len() > 4096 || folder.chars().any(char::is_control) {
            return Err("`calendar.vdir` must be a folder path".into());
        }
        config.vdir = Some(expand_home(folder.trim()));
    }
    if let Some(v) = get("ui", "mouse") {
        config.mouse = v.as_bool().ok_or("`ui.mouse` must be true or false")?;
    }
    if let Some(v) = get("reminders", "day_before") {
        config.reminders_day_before = v
            .as_bool()
            .ok_or("`reminders.day_before` must be true or false")?;
    }
    if let Some(Value::Table(keys)) = table.get("keys") {
        for (key, action) in keys {
            config
                .keys
                .insert(key.clone(), string(action, &format!("keys.{key}"))?);
        }
    }
    Ok(())
}

fn string(value: &Value, key: &str) -> Result<String, String> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("`{key}` must be a string"))
}

fn strings(value: &Value, key: &str) -> Result<Vec<String>, String> {
    let list = value
        .as_array()
        .ok_or_else(|| format!("`{key}` must be a list of strings"))?;
    list.iter().map(|v| string(v, key)).collect()
}

fn clock_time(value: &Value, key: &str) -> Result<NaiveTime, String> {
    let text = string(value, key)?;
    NaiveTime::parse_from_str(&text, "%H:%M")
        .map_err(|_| format!("`{key}`: '{text}' is not a time of day like 09:00"))
}

/// The longest reply-by target: 90 days of round-the-clock minutes.
const MAX_TARGET_MINUTES: i64 = 90 * 24 * 60;

/// `1h`, `90m`, `1d` (a day is `day_minutes` long), `1d4h`.
fn target_minutes(value: &Value, key: &str, day_minutes: i64) -> Result<i64, String> {
    let text = string(value, key)?;
    let bad = || format!("`{key}`: '{text}' is not a duration like 1h, 90m or 1d");
    let mut total = 0i64;
    for part in text.trim().split_inclusive(['d', 'h', 'm']) {
        let part = part.trim();
        if let Some(days) = part.strip_suffix('d') {
            let days: i64 = days.trim().parse().map_err(|_| bad())?;
            let minutes = days.checked_mul(day_minutes).ok_or_else(bad)?;
            total = total.checked_add(minutes).ok_or_else(bad)?;
        } else {
            let minutes = parse_span(part).ok_or_else(bad)?.num_minutes();
            total = total.checked_add(minutes).ok_or_else(bad)?;
        }
    }
    if total <= 0 {
        return Err(format!("`{key}` must be longer than zero"));
    }
    if total > MAX_TARGET_MINUTES {
        return Err(format!(
            "`{key}`: '{text}' is longer than the longest reply target, 90 days"
        ));
    }
    Ok(total)
}

fn expand_home(text: &str) -> PathBuf {
    match text.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .map(|b| b.home_dir().join(rest))
            .unwrap_or_else(|| PathBuf::from(text)),
        None => PathBuf::from(text),
    }
}

/// `TZ` when it names a zone, else the system's zone, else UTC.
pub fn system_time_zone() -> Tz {
    if let Ok(name) = std::env::var("TZ")
        && let Ok(tz) = name.trim_start_matches(':').parse::<Tz>()
    {
        return tz;
    }
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|name| name.parse::<Tz>().ok())
        .unwrap_or(Tz::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("c.toml")).map_err(|e| e.0)
    }

    #[test]
    fn an_empty_file_means_defaults() {
        let config = parse("").expect("defaults");
        assert_eq!(config.hours, WorkingHours::default());
        assert_eq!(config.targets.crisis, Target::Clock(60));
        assert_eq!(config.targets.normal, Target::Working(8 * 60));
        assert_eq!(config.targets.low, Target::Working(3 * 8 * 60));
    }

    #[test]
    fn reads_the_documented_shape() {
        let config = parse(
            r#"
[coach]
name = "Sam Rivera"
signature = "Warmly,\nSam"
addresses = ["Sam@Example.org"]
time_zone = "Europe/Berlin"
[hours]
days = ["mon", "tue", "wed", "thu"]
start = "08:30"
end = "16:30"
[reply_by]
crisis = "2h"
urgent = "3h"
normal = "1d"
low = "2d"
[delivery]
send_command = "msmtp -t"
[keys]
x = "quit"
"#,
        )
        .expect("valid");
        assert_eq!(config.coach_name, "Sam Rivera");
        assert_eq!(config.addresses, vec!["sam@example.org".to_string()]);
        assert_eq!(config.tz, chrono_tz::Europe::Berlin);
        assert!(!config.hours.days[4]);
        assert_eq!(config.targets.crisis, Target::Clock(120));
        assert_eq!(config.targets.urgent, Target::Working(180));
        assert_eq!(config.targets.low, Target::Working(2 * 8 * 60));
        assert_eq!(config.send_command.as_deref(), Some("msmtp -t"));
        assert_eq!(config.keys.get("x").map(String::as_str), Some("quit"));
    }

    #[test]
    fn bad_values_name_the_key_and_the_problem_in_one_line() {
        let cases = [
            (
                "[coach]\ntime_zone = \"Mars/Olympus\"",
                "`coach.time_zone`: unknown time zone 'Mars/Olympus'",
            ),
            (
                "[hours]\nstart = \"25:00\"",
                "`hours.start`: '25:00' is not a time of day",
            ),
            (
                "[hours]\nstart = \"18:00\"",
                "`hours.end` (17:00) must be after `hours.start` (18:00)",
            ),
            (
                "[hours]\ndays = [\"funday\"]",
                "`hours.days`: 'funday' is not a weekday",
            ),
            (
                "[reply_by]\nurgent = \"soon\"",
                "`reply_by.urgent`: 'soon' is not a duration",
            ),
            ("[coach]\nnmae = \"x\"", "unknown key `coach.nmae`"),
            ("[colour]\nx = 1", "unknown section [colour]"),
            ("[ui]\nmouse = \"yes\"", "`ui.mouse` must be true or false"),
            ("[coach\nname = 1", "line 1:"),
        ];
        for (text, expected) in cases {
            let err = parse(text).expect_err(text);
            assert!(err.contains(expected), "{text:?} gave {err:?}");
            assert!(err.starts_with("config c.toml: "), "{err}");
            assert!(!err.contains('\n'), "{err}");
        }
    }
}
