//! What the command line prints: aligned text for 80 columns, and the JSON
//! of PRODUCT.md's contract (instants in RFC 3339 with the coach's offset).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::Ctx;
use crate::config::Config;
use crate::dashboard::{DaySheet, short_span};
use crate::domain::when::{rfc3339_in, show_local};
use crate::model::{Client, FollowUp, Partner, Request, Session};

/// JSON text made elsewhere, printed as `print_json` prints.
pub fn print_json_text(text: serde_json::Result<String>) {
    match text {
        Ok(text) => println!("{text}"),
        Err(err) => eprintln!("coachbook: cannot write JSON: {err}"),
    }
}

pub fn print_json(value: &Value) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(err) => eprintln!("coachbook: cannot write JSON: {err}"),
    }
}

pub fn local(at: DateTime<Utc>, tz: Tz) -> String {
    show_local(at, tz)
}

/// Cut to `width` characters on one line, with an ellipsis when cut.
pub use crate::review::words::fit;

/// The terminal's width when standard output is one; `None` when it is
/// piped or redirected, so a script or `grep` gets every value whole.
pub fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    static WIDTH: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    *WIDTH.get_or_init(|| {
        if !std::io::stdout().is_terminal() {
            return None;
        }
        ratatui::crossterm::terminal::size()
            .ok()
            .map(|(w, _)| usize::from(w))
            .filter(|w| *w > 0)
    })
}

/// A column of a text list: on one line, cut to `width` with an ellipsis
/// on a terminal, whole when piped.
pub fn col(text: &str, width: usize) -> String {
    match terminal_width() {
        Some(_) => fit(text, width),
        None => text.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// A text list for standard output: each line cut to the terminal's width
/// (by display cells) on a terminal, untouched when piped.
pub fn for_stdout(text: &str) -> std::borrow::Cow<'_, str> {
    match terminal_width() {
        Some(width) => std::borrow::Cow::Owned(cut_lines(text, width)),
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// Every line of `text` cut to `width` display cells, with an ellipsis.
pub fn cut_lines(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        out.push_str(&crate::text::cut_cells(body, width));
        out.push_str(end);
    }
    out
}

/// `today --json` (PRODUCT.md's contract) as printed (pretty, as
/// `print_json` prints): written straight from the sheet into the text, in
/// the shape of `session list`, `request list` and `follow-up list --json`
/// rows with the dashboard's own fields after them (the same text as
/// serde_json writes: `today_json_is_serde_jsons_text_of_the_same_rows`).
pub fn today_json_text(sheet: &DaySheet, tz: Tz) -> serde_json::Result<String> {
    // Each client's reasons as words once, not again for each of their rows.
    let words: RiskWordsByClient = sheet
        .at_risk
        .iter()
        .map(|(id, reasons)| (*id, reasons.iter().map(ToString::to_string).collect()))
        .collect();
    let risk_of = |client_id: Option<crate::model::ClientId>| -> &[String] {
        client_id
            .and_then(|id| words.get(&id))
            .map_or(&[], Vec::as_slice)
    };
    // Every instant in the coach's zone, as `rfc3339_in` writes it, the
    // zone's offset looked up once a day.
    let mut texts = crate::review::json::InstantText::new(tz);
    // About 600 bytes a row.
    let rows = sheet.sessions.len()
        + sheet.requests.len()
        + sheet.snoozed.len()
        + sheet.waiting.len()
        + sheet.followups.len();
    let mut p = crate::json_text::Pretty::with_capacity(1024 + 640 * rows);
    p.begin_object();
    p.key("date").str(&sheet.date.to_string());
    p.key("sessions").begin_array();
    for row in &sheet.sessions {
        let s = &row.session;
        p.item().begin_object();
        p.key("id").int(s.id);
        p.key("client").str(&s.client_name);
        p.key("client_id").int(s.client_id);
        p.key("start").plain_str(texts.of(s.start));
        p.key("minutes").int(s.minutes);
        p.key("status").str(s.status.as_str());
        p.key("warnings").strs(&row.warnings);
        p.key("at_risk").strs(risk_of(Some(s.client_id)));
        p.end_object();
    }
    p.end_array();
    for (pane, rows) in [
        ("requests", &sheet.requests),
        ("snoozed", &sheet.snoozed),
        ("waiting", &sheet.waiting),
    ] {
        p.key(pane).begin_array();
        for row in rows {
            let r = &row.request;
            p.item().begin_object();
            p.key("id").int(r.id);
            p.key("client").str(&r.client_name);
            p.key("received_at").plain_str(texts.of(r.received_at));
            p.key("channel").str(r.channel.as_str());
            p.key("urgency").str(r.urgency.as_str());
            p.key("status").str(r.status.as_str());
            p.key("summary").str(&r.summary());
            p.key("reply_by").plain_str(texts.of(r.reply_by));
            p.key("first_reply_at");
            match r.first_reply_at {
                Some(at) => p.plain_str(texts.of(at)),
                None => p.null(),
            };
            p.key("first_reply_minutes")
                .opt_int(r.first_reply_minutes());
            p.key("unknown_sender").opt_str(r.unknown_sender.as_deref());
            p.key("resolution").str(r.resolution().as_str());
            p.key("undelivered")
                .opt_str(r.undelivered.map(|d| d.as_str()));
            p.key("overdue").bool(row.overdue);
            p.key("minutes_left").int(row.minutes_left);
            p.key("at_risk").strs(risk_of(r.client_id));
            p.end_object();
        }
        p.end_array();
    }
    p.key("followups").begin_array();
    for row in &sheet.followups {
        let f = &row.followup;
        p.item().begin_object();
        p.key("id").int(f.id);
        p.key("client").str(&f.client_name);
        p.key("due").plain_str(texts.of(f.due));
        p.key("text").str(&f.text);
        p.key("owner").str(f.owner.as_str());
        p.key("kind").str(f.kind.as_str());
        p.key("done_at");
        match f.done_at {
            Some(at) => p.plain_str(texts.of(at)),
            None => p.null(),
        };
        p.key("overdue").bool(row.overdue);
        p.key("at_risk").strs(risk_of(Some(f.client_id)));
        p.end_object();
    }
    p.end_array();
    p.end_object();
    Ok(p.into_string())
}

/// The at-risk reasons of the clients on the sheet, as words.
type RiskWordsByClient = std::collections::BTreeMap<crate::model::ClientId, Vec<String>>;

pub fn today_text(sheet: &DaySheet, config: &Config) -> String {
    let tz = config.tz;
    let mut out = String::new();
    let now_local = sheet.now.with_timezone(&tz);
    out.push_str(&format!(
        "{} · now {} ({})\n\n",
        sheet.date.format("%A %-d %B %Y"),
        now_local.format("%H:%M"),
        tz.name()
    ));
    out.push_str(&format!("SESSIONS ({})\n", sheet.sessions.len()));
    if sheet.sessions.is_empty() {
        out.push_str("  none\n");
    }
    let mut now_drawn = sheet.date != crate::domain::when::local_date(sheet.now, tz);
    for row in &sheet.sessions {
        let s = &row.session;
        if !now_drawn && s.start > sheet.now {
            out.push_str(&format!("  ── now {} ──\n", now_local.format("%H:%M")));
            now_drawn = true;
        }
        out.push_str(&format!(
            "  {}  {:>3}m  #{:<4} {:<18} {:<11} {}\n",
            s.start.with_timezone(&tz).format("%H:%M"),
            s.minutes,
            s.id,
            col(&s.client_name, 18),
            s.status.as_str(),
            col(&row.warnings.join(", "), 28)
        ));
    }
    if !now_drawn && !sheet.sessions.is_empty() {
        out.push_str(&format!("  ── now {} ──\n", now_local.format("%H:%M")));
    }
    let overdue = sheet.overdue_requests();
    out.push_str(&format!(
        "\nREQUESTS WAITING ({}, {overdue} overdue; {} snoozed, {} waiting on the client)\n",
        sheet.requests.len(),
        sheet.snoozed.len(),
        sheet.waiting.len()
    ));
    if sheet.requests.is_empty() {
        out.push_str("  none\n");
    }
    for row in &sheet.requests {
        let r = &row.request;
        let mark = if row.overdue {
            "!"
        } else if row.warn() {
            "~"
        } else {
            " "
        };
        out.push_str(&format!(
            " {mark}#{:<4} {:>8}  {:<7} {:<18} {:<9} {}\n",
            r.id,
            short_span(row.minutes_left),
            r.urgency.as_str(),
            col(&r.client_name, 18),
            r.channel.as_str(),
            match r.undelivered {
                Some(state) => format!("[reply {}] {}", state, col(&r.summary(), 12)),
                None => col(&r.summary(), 22),
            }
        ));
    }
    for (label, rows) in [("snoozed", &sheet.snoozed), ("waiting", &sheet.waiting)] {
        for row in rows.iter() {
            let r = &row.request;
            out.push_str(&format!(
                "  #{:<4} {:>8}  {:<7} {:<18} {:<9} {}\n",
                r.id,
                label,
                r.urgency.as_str(),
                col(&r.client_name, 18),
                r.channel.as_str(),
                col(&r.summary(), 22)
            ));
        }
    }
    out.push_str(&format!(
        "\nFOLLOW-UPS ({}, {} overdue)\n",
        sheet.followups.len(),
        sheet.overdue_followups()
    ));
    if sheet.followups.is_empty() {
        out.push_str("  none\n");
    }
    for row in &sheet.followups {
        let f = &row.followup;
        let due = if row.overdue {
            format!("-{}", short_span((sheet.now - f.due).num_minutes()))
        } else {
            f.due.with_timezone(&tz).format("%H:%M").to_string()
        };
        out.push_str(&format!(
            "  #{:<4} {:>8}  {:<6} {:<9} {:<18} {}\n",
            f.id,
            due,
            f.owner.as_str(),
            f.kind.as_str(),
            col(&f.client_name, 18),
            col(&f.text, 24)
        ));
    }
    out
}

pub fn clients_json(clients: &[Client]) -> Value {
    json!(clients.iter().map(client_json).collect::<Vec<_>>())
}

/// One client as `client list --json` has it.
pub fn client_json(c: &Client) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "email": c.emails.first(),
        "emails": c.emails,
        "phone": c.phone,
        "tz": c.tz.name(),
        "status": c.status.as_str(),
        "context": c.context,
        "context_until": c.context_until.map(|d| d.to_string()),
    })
}

pub fn clients_text(clients: &[Client]) -> String {
    let mut out = String::new();
    for c in clients {
        out.push_str(&format!(
            "#{:<4} {:<24} {:<7} {:<20} {}\n",
            c.id,
            col(&c.name, 24),
            c.status.as_str(),
            c.tz.name(),
            col(c.emails.first().map(String::as_str).unwrap_or(""), 22)
        ));
    }
    if clients.is_empty() {
        out.push_str("no clients yet (coachbook client add NAME)\n");
    }
    out
}

pub fn session_json(s: &Session, tz: Tz) -> Value {
    json!({
        "id": s.id,
        "client": s.client_name,
        "client_id": s.client_id,
        "start": rfc3339_in(s.start, tz),
        "minutes": s.minutes,
        "status": s.status.as_str(),
    })
}

pub fn sessions_json(sessions: &[Session], tz: Tz) -> Value {
    json!(
        sessions
            .iter()
            .map(|s| session_json(s, tz))
            .collect::<Vec<_>>()
    )
}

pub fn sessions_text(sessions: &[Session], tz: Tz) -> String {
    let mut out = String::new();
    for s in sessions {
        out.push_str(&format!(
            "#{:<5} {}  {:>3}m  {:<24} {}\n",
            s.id,
            s.start.with_timezone(&tz).format("%a %Y-%m-%d %H:%M"),
            s.minutes,
            col(&s.client_name, 24),
            s.status_text()
        ));
    }
    if sessions.is_empty() {
        out.push_str("no sessions in that range\n");
    }
    out
}

pub fn requests_json(requests: &[Request], tz: Tz) -> Value {
    json!(
        requests
            .iter()
            .map(|r| request_json(r, tz))
            .collect::<Vec<_>>()
    )
}

/// One request as `request list --json` has it (PRODUCT.md's contract).
pub fn request_json(r: &Request, tz: Tz) -> Value {
    json!({
        "id": r.id,
        "client": r.client_name,
        "received_at": rfc3339_in(r.received_at, tz),
        "channel": r.channel.as_str(),
        "urgency": r.urgency.as_str(),
        "status": r.status.as_str(),
        "summary": r.summary(),
        "reply_by": rfc3339_in(r.reply_by, tz),
        "first_reply_at": r.first_reply_at.map(|at| rfc3339_in(at, tz)),
        "first_reply_minutes": r.first_reply_minutes(),
        "unknown_sender": r.unknown_sender,
        "resolution": r.resolution().as_str(),
        "undelivered": r.undelivered.map(|d| d.as_str()),
    })
}

pub fn requests_text(requests: &[Request], ctx: &Ctx) -> String {
    let tz = ctx.config.tz;
    let mut out = String::new();
    for r in requests {
        let answer = match r.first_reply_minutes() {
            Some(m) => format!("answered {}", short_span(m)),
            None => format!("by {}", r.reply_by.with_timezone(&tz).format("%a %H:%M")),
        };
        out.push_str(&format!(
            "#{:<5} {}  {:<7} {:<8} {:<18} {:<16} {}\n",
            r.id,
            r.received_at.with_timezone(&tz).format("%m-%d %H:%M"),
            r.urgency.as_str(),
            r.status.as_str(),
            col(&r.client_name, 18),
            answer,
            col(&r.summary(), 14)
        ));
    }
    if requests.is_empty() {
        out.push_str("no requests\n");
    }
    out
}

pub fn followup_json(f: &FollowUp, tz: Tz) -> Value {
    json!({
        "id": f.id,
        "client": f.client_name,
        "due": rfc3339_in(f.due, tz),
        "text": f.text,
        "owner": f.owner.as_str(),
        "kind": f.kind.as_str(),
        "done_at": f.done_at.map(|at| rfc3339_in(at, tz)),
    })
}

pub fn followups_json(followups: &[FollowUp], tz: Tz) -> Value {
    json!(
        followups
            .iter()
            .map(|f| followup_json(f, tz))
            .collect::<Vec<_>>()
    )
}

pub fn followups_text(followups: &[FollowUp], ctx: &Ctx) -> String {
    let tz = ctx.config.tz;
    let now = ctx.now();
    let mut out = String::new();
    for f in followups {
        let state = match f.done_at {
            Some(_) => "done",
            None if f.due < now => "overdue",
            None => "due",
        };
        out.push_str(&format!(
            "#{:<5} {}  {:<7} {:<6} {:<9} {:<18} {}\n",
            f.id,
            f.due.with_timezone(&tz).format("%m-%d %H:%M"),
            state,
            f.owner.as_str(),
            f.kind.as_str(),
            col(&f.client_name, 18),
            col(&f.text, 14)
        ));
    }
    if followups.is_empty() {
        out.push_str("no follow-ups\n");
    }
    out
}

pub fn partners_json(partners: &[Partner]) -> Value {
    json!(
        partners
            .iter()
            .map(|p| json!({
                "id": p.id, "name": p.name, "email": p.email, "phone": p.phone,
            }))
            .collect::<Vec<_>>()
    )
}

/// Standard output through the sanitizer of `say!` (`text::visible`), for
/// output written piece by piece instead of built whole. A UTF-8 character
/// split between two writes is held back until it is complete.
pub struct VisibleOut<W: std::io::Write> {
    out: W,
    /// The start of a character whose last bytes are still to come.
    partial: Vec<u8>,
}

impl<W: std::io::Write> VisibleOut<W> {
    pub fn new(out: W) -> VisibleOut<W> {
        VisibleOut {
            out,
            partial: Vec::new(),
        }
    }

    fn put(&mut self, text: &str) -> std::io::Result<()> {
        self.out.write_all(crate::text::visible(text).as_bytes())
    }
}

impl<W: std::io::Write> std::io::Write for VisibleOut<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let joined;
        let mut rest: &[u8] = if self.partial.is_empty() {
            bytes
        } else {
            self.partial.extend_from_slice(bytes);
            joined = std::mem::take(&mut self.partial);
            &joined
        };
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    self.put(text)?;
                    break;
                }
                Err(err) => {
                    let (good, after) = rest.split_at(err.valid_up_to());
                    self.put(std::str::from_utf8(good).unwrap_or_default())?;
                    match err.error_len() {
                        // Cut short: wait for the rest of the character.
                        None => {
                            self.partial = after.to_vec();
                            break;
                        }
                        Some(bad) => {
                            let (invalid, tail) = after.split_at(bad);
                            self.put(&String::from_utf8_lossy(invalid))?;
                            rest = tail;
                        }
                    }
                }
            }
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.partial.is_empty() {
            let partial = std::mem::take(&mut self.partial);
            self.put(&String::from_utf8_lossy(&partial))?;
        }
        self.out.flush()
    }
}

/// The writer of `today --json` against serde_json's pretty text of the same
/// rows (the derived serializer it replaced), on the demo book's days in
/// zones with odd offsets and at clock changes, and on rows holding every
/// kind of text JSON must escape.
#[cfg(test)]
mod today_json_tests {
    use chrono::{DateTime, Utc};
    use chrono_tz::Tz;

    use crate::dashboard::DaySheet;

    /// The at-risk reasons of the clients on the sheet, as words.
    type RiskWordsByClient = std::collections::BTreeMap<crate::model::ClientId, Vec<String>>;

    #[derive(serde::Serialize)]
    struct TodayJson<'a> {
        date: String,
        sessions: Vec<SessionRowJson<'a>>,
        requests: Vec<RequestRowJson<'a>>,
        snoozed: Vec<RequestRowJson<'a>>,
        waiting: Vec<RequestRowJson<'a>>,
        followups: Vec<FollowUpRowJson<'a>>,
    }

    /// A row's client's at-risk reasons, as words (none: an empty list).
    type RiskWords<'a> = &'a [String];

    #[derive(serde::Serialize)]
    struct SessionRowJson<'a> {
        id: i64,
        client: &'a str,
        client_id: i64,
        start: String,
        minutes: i64,
        status: &'a str,
        warnings: &'a [String],
        at_risk: RiskWords<'a>,
    }

    #[derive(serde::Serialize)]
    struct RequestRowJson<'a> {
        id: i64,
        client: &'a str,
        received_at: String,
        channel: &'a str,
        urgency: &'a str,
        status: &'a str,
        summary: String,
        reply_by: String,
        first_reply_at: Option<String>,
        first_reply_minutes: Option<i64>,
        unknown_sender: Option<&'a str>,
        resolution: &'a str,
        undelivered: Option<&'a str>,
        overdue: bool,
        minutes_left: i64,
        at_risk: RiskWords<'a>,
    }

    #[derive(serde::Serialize)]
    struct FollowUpRowJson<'a> {
        id: i64,
        client: &'a str,
        due: String,
        text: &'a str,
        owner: &'a str,
        kind: &'a str,
        done_at: Option<String>,
        overdue: bool,
        at_risk: RiskWords<'a>,
    }

    impl<'a> TodayJson<'a> {
        fn of(sheet: &'a DaySheet, words: &'a RiskWordsByClient, tz: Tz) -> TodayJson<'a> {
            let risk_of = |client_id: Option<crate::model::ClientId>| -> RiskWords<'a> {
                client_id
                    .and_then(|id| words.get(&id))
                    .map_or(&[], Vec::as_slice)
            };
            // Every instant in the coach's zone, as `rfc3339_in` writes it, the
            // zone's offset looked up once a day.
            let mut texts = crate::review::json::InstantText::new(tz);
            let mut text = |at| String::from_utf8_lossy(texts.of(at)).into_owned();
            let sessions = sheet
                .sessions
                .iter()
                .map(|row| {
                    let s = &row.session;
                    SessionRowJson {
                        id: s.id,
                        client: &s.client_name,
                        client_id: s.client_id,
                        start: text(s.start),
                        minutes: s.minutes,
                        status: s.status.as_str(),
                        warnings: &row.warnings,
                        at_risk: risk_of(Some(s.client_id)),
                    }
                })
                .collect();
            let mut requests =
                |rows: &'a [crate::dashboard::RequestRow]| -> Vec<RequestRowJson<'a>> {
                    rows.iter()
                        .map(|row| {
                            let r = &row.request;
                            RequestRowJson {
                                id: r.id,
                                client: &r.client_name,
                                received_at: text(r.received_at),
                                channel: r.channel.as_str(),
                                urgency: r.urgency.as_str(),
                                status: r.status.as_str(),
                                summary: r.summary(),
                                reply_by: text(r.reply_by),
                                first_reply_at: r.first_reply_at.map(&mut text),
                                first_reply_minutes: r.first_reply_minutes(),
                                unknown_sender: r.unknown_sender.as_deref(),
                                resolution: r.resolution().as_str(),
                                undelivered: r.undelivered.map(|d| d.as_str()),
                                overdue: row.overdue,
                                minutes_left: row.minutes_left,
                                at_risk: risk_of(r.client_id),
                            }
                        })
                        .collect()
                };
            let (awaiting, snoozed, waiting) = (
                requests(&sheet.requests),
                requests(&sheet.snoozed),
                requests(&sheet.waiting),
            );
            let followups = sheet
                .followups
                .iter()
                .map(|row| {
                    let f = &row.followup;
                    FollowUpRowJson {
                        id: f.id,
                        client: &f.client_name,
                        due: text(f.due),
                        text: &f.text,
                        owner: f.owner.as_str(),
                        kind: f.kind.as_str(),
                        done_at: f.done_at.map(&mut text),
                        overdue: row.overdue,
                        at_risk: risk_of(Some(f.client_id)),
                    }
                })
                .collect();
            TodayJson {
                date: sheet.date.to_string(),
                sessions,
                requests: awaiting,
                snoozed,
                waiting,
                followups,
            }
        }
    }

    fn serde_text(sheet: &DaySheet, tz: Tz) -> String {
        let words: RiskWordsByClient = sheet
            .at_risk
            .iter()
            .map(|(id, reasons)| (*id, reasons.iter().map(ToString::to_string).collect()))
            .collect();
        serde_json::to_string_pretty(&TodayJson::of(sheet, &words, tz)).expect("serde")
    }

    #[test]
    fn today_json_is_serde_jsons_text_of_the_same_rows() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = crate::store::Store::open(&dir.path().join("book.sqlite")).expect("opens");
        let made: DateTime<Utc> = "2026-11-23T13:20:00Z".parse().expect("instant");
        let berlin = crate::config::Config::parse(
            "[coach]\ntime_zone = \"Europe/Berlin\"\n",
            &dir.path().join("config.toml"),
        )
        .expect("config");
        crate::demo::generate(&mut store, &berlin, made).expect("demo book");
        let mut compared = 0;
        for zone in [
            "Europe/Berlin",
            "America/Santiago",
            "Australia/Lord_Howe",
            "Asia/Kathmandu",
        ] {
            let config = crate::config::Config::parse(
                &format!("[coach]\ntime_zone = \"{zone}\"\n"),
                &dir.path().join("config.toml"),
            )
            .expect("config");
            for now in [
                "2026-11-23T13:20:00Z",
                "2026-10-25T01:30:00Z",
                "2026-04-05T04:45:00.5Z",
            ] {
                let now: DateTime<Utc> = now.parse().expect("instant");
                let date = crate::domain::when::local_date(now, config.tz);
                let mut sheet = store
                    .snapshot(|book| crate::dashboard::load(book, &config, date, now))
                    .expect("sheet");
                assert_eq!(
                    super::today_json_text(&sheet, config.tz).expect("text"),
                    serde_text(&sheet, config.tz)
                );
                // Text that must be escaped, and values that are absent.
                let odd = "say \"hi\"\\ \u{1}\u{1b}[31m\ttab\u{7f} Zoë ☃\u{2028}";
                for row in sheet.sessions.iter_mut() {
                    row.session.client_name = odd.to_string();
                    row.warnings.push(odd.to_string());
                }
                for row in sheet
                    .requests
                    .iter_mut()
                    .chain(sheet.snoozed.iter_mut())
                    .chain(sheet.waiting.iter_mut())
                {
                    row.request.client_name = odd.to_string();
                    row.request.body = format!("\n  \n{odd}\nmore");
                    row.request.unknown_sender = Some(odd.to_string());
                    row.request.first_reply_at = None;
                    row.minutes_left = -row.minutes_left - 1;
                }
                for row in sheet.followups.iter_mut() {
                    row.followup.text = odd.to_string();
                    row.followup.done_at = Some(now);
                }
                assert_eq!(
                    super::today_json_text(&sheet, config.tz).expect("text"),
                    serde_text(&sheet, config.tz)
                );
                compared += sheet.sessions.len() + sheet.requests.len() + sheet.followups.len();
            }
        }
        assert!(compared > 50, "the demo days hold too few rows: {compared}");
    }
}

#[cfg(test)]
mod visible_out_tests {
    use std::io::Write as _;

    use super::VisibleOut;

    #[test]
    fn pieces_come_out_as_the_whole_would() {
        let text = "Zoë\u{1b}[2J naïve \u{202e}€ end\n";
        let whole = crate::text::visible(text).into_owned();
        // Every way of cutting the bytes in two, mid-character included.
        for cut in 0..=text.len() {
            let mut out = VisibleOut::new(Vec::new());
            let (a, b) = text.as_bytes().split_at(cut);
            out.write_all(a).unwrap();
            out.write_all(b).unwrap();
            out.flush().unwrap();
            assert_eq!(String::from_utf8(out.out).unwrap(), whole, "cut at {cut}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::cut_lines;

    #[test]
    fn lines_are_cut_by_display_cells() {
        assert_eq!(cut_lines("abcdef\nab\n", 4), "abc…\nab\n");
        // Wide characters take two cells each.
        assert_eq!(cut_lines("日本語テキスト", 7), "日本語…");
        assert_eq!(cut_lines("short", 80), "short");
    }
}
