//! The command line of PRODUCT.md, as clap definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "coachbook",
    version,
    about = "A terminal client book for a solo coach",
    after_help = "With no command, opens the dashboard on the book.\n\nExamples:\n  coachbook --demo\n  coachbook today\n  coachbook client edit dana --context \"Board vote on Thursday\" --until fri\n  coachbook session add dana \"tomorrow 14:00\" --repeat weekly --count 6\n\nWHEN: 2026-11-23 14:00, tomorrow 14:00, mon 9:30, 2pm, +2h, 20 min ago, now.\nDAY: 2026-11-23, today, yesterday, tomorrow, mon.\nCLIENT: an id, the name, a unique prefix of it or of one of its words, or a fuzzy match.\nExit codes: 0 done, 1 failure, 2 bad input (the book unchanged)."
)]
pub struct Cli {
    /// The book file (default: the platform data folder; env COACHBOOK_DB; e.g. ~/coach/book.sqlite).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The config file (default: the platform config folder; env COACHBOOK_CONFIG; e.g. ~/.config/coachbook/config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Open the dashboard on a freshly generated demo book (never the real one).
    #[arg(long)]
    pub demo: bool,
    /// Let the dashboard use the mouse.
    #[arg(long)]
    pub mouse: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
// Each command's arguments are built only when that command is the one
// given (clap's `defer`): a `today` does not build the arguments of the
// other thirty commands. Help and usage errors build what they show, so
// they read the same. The other command groups below do the same.
#[command(defer = true)]
pub enum Command {
    /// Write a demo book with data around today (or a book of N years, or
    /// a file of realistic mail, for measuring).
    #[command(
        after_help = "Examples:\n  coachbook demo --db /tmp/demo.sqlite\n  coachbook demo --years 10 --db /tmp/ten.sqlite\n  coachbook demo --mbox 10000 --out /tmp/year.mbox"
    )]
    Demo {
        /// Replace an existing demo book (or, with --mbox, the --out file).
        #[arg(long)]
        force: bool,
        /// A deterministic book of N years of practice (1-100): 30 clients,
        /// 1,500 sessions, 5,000 requests and 2,000 follow-ups a year (e.g. 10).
        #[arg(long, value_name = "N", value_parser = crate::domain::bounds::parse_years,
              conflicts_with = "mbox")]
        years: Option<u32>,
        /// Write N messages (1-200000) of a year of mail from the demo book's
        /// clients and strangers, as an mbox file, to --out (e.g. 10000).
        #[arg(long, value_name = "N", value_parser = crate::domain::bounds::parse_mbox_count,
              requires = "out")]
        mbox: Option<usize>,
        /// The mbox file to write (with --mbox; e.g. /tmp/year.mbox).
        #[arg(long, value_name = "PATH", requires = "mbox")]
        out: Option<PathBuf>,
    },
    /// Today's sessions, open requests and overdue follow-ups.
    Today {
        /// Another day (DAY; e.g. 2026-11-23, today, yesterday, mon).
        #[arg(long, value_name = "DAY")]
        date: Option<String>,
        /// Print JSON instead of text (the fields of PRODUCT.md's contract).
        #[arg(long)]
        json: bool,
    },
    /// Clients: add, edit, list, show, end, reactivate, check-in.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Sessions: add, list, mark, move.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Requests: client messages waiting for an answer (add, list, reply, snooze, close, wait, urgency, handoff).
    #[command(subcommand)]
    Request(RequestCommand),
    /// Follow-ups: action items, promises, chases, check-ins (add, list, done).
    #[command(subcommand)]
    Followup(FollowupCommand),
    /// The coaching agreement's steps: sent, signed (by the client), countersigned.
    #[command(after_help = "Example:\n  coachbook agreement signed dana --at \"yesterday 18:00\"")]
    Agreement {
        /// The step that happened.
        #[arg(value_name = "STEP", value_parser = these("agreement step", &["sent", "signed", "countersigned"]))]
        step: String,
        /// The client (CLIENT: an id, a name, a unique prefix or a fuzzy match; e.g. dana, 26).
        client: String,
        /// When it happened (WHEN; default: now; e.g. "yesterday 18:00").
        #[arg(long, value_name = "WHEN")]
        at: Option<String>,
    },
    /// Backup partners who can take a crisis or a referral.
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// Free a session for a crisis: apology with options, calendar update.
    #[command(after_help = "Example:\n  coachbook emergency 219 --for sofia --options 3 --dry-run")]
    Emergency {
        /// The session to free (its id; e.g. 219).
        #[arg(value_name = "SESSION_ID")]
        session_id: String,
        /// The client in crisis: the freed slot becomes their call (CLIENT; e.g. sofia).
        #[arg(long = "for", value_name = "CLIENT")]
        for_client: Option<String>,
        /// How many new times to offer (1-5; e.g. 2).
        #[arg(long, default_value_t = 3, value_parser = crate::domain::bounds::parse_option_count)]
        options: usize,
        /// The apology template (a name in the templates folder; e.g. emergency_apology).
        #[arg(long, default_value = "emergency_apology", value_name = "TEMPLATE")]
        template: String,
        /// Keep the first offered time booked for the moved client.
        #[arg(long)]
        hold: bool,
        /// Print the apology and the plan; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Send an apology or confirmation the guardrails flagged anyway.
        #[arg(long)]
        force: bool,
    },
    /// Undo the last change (or CHANGE_ID). Messages that went out stay
    /// recorded; with --notify the client gets a "please disregard" note.
    Undo {
        /// The change to undo (default: the last one; e.g. 42).
        #[arg(value_name = "CHANGE_ID")]
        change_id: Option<String>,
        /// Tell each client who was told of the change: "please disregard,
        /// our session stands at TIME", with a calendar update.
        #[arg(long)]
        notify: bool,
        /// Send a note the guardrails flagged anyway.
        #[arg(long, requires = "notify")]
        force: bool,
    },
    /// Deliver again the replies whose delivery failed (or one of them).
    Deliver {
        /// The reply to deliver again (default: every failed one; e.g. 143).
        #[arg(value_name = "REPLY_ID", conflicts_with = "mark_sent")]
        reply_id: Option<String>,
        /// Confirm that a reply in the outbox (or a failed one) went out
        /// through your own mail: from then on it answers its request (e.g. 143).
        #[arg(long, value_name = "REPLY_ID")]
        mark_sent: Option<String>,
        /// When it went out (WHEN; default: now; e.g. "today 10:05").
        #[arg(long, value_name = "WHEN", requires = "mark_sent")]
        at: Option<String>,
    },
    /// End-of-day review: response times, breaches, sessions, at-risk clients.
    Review(ReviewArgs),
    /// Copy the book consistently to a file.
    Backup {
        /// Write the copy here (never over the book; an existing file only with --force; e.g. ~/book-2026-11-23.sqlite).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace an existing --out file (in one step: the old one stays whole if the copy fails).
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Check the book's integrity.
    Check,
    /// Bring outside data into the book.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write the book's data for other tools.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Keep the book and the coach's calendar in step, both ways.
    #[command(subcommand)]
    Sync(SyncCommand),
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum SyncCommand {
    /// Two-way sync with a vdir (the folder of .ics files vdirsyncer and
    /// khal share): the book's sessions are written there, and events
    /// moved, cancelled or deleted there update the book.
    Vdir {
        /// The folder (default: `[calendar] vdir` in the config; e.g. ~/.calendars/work).
        path: Option<PathBuf>,
        /// Print JSON instead of text (the fields of PRODUCT.md's contract).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum ExportCommand {
    /// The booked sessions (the last 30 days and all to come) as one
    /// iCalendar file (METHOD:PUBLISH) a calendar can import or subscribe to.
    Ics {
        /// Write to this file (mode 0600) instead of standard output; never
        /// over the book, and over an existing file only with --force (e.g. sessions.ics).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace an existing --out file (in one step: the old one stays whole if writing fails).
        #[arg(long, requires = "out")]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum ClientCommand {
    /// Add a client.
    #[command(
        after_help = "Example:\n  coachbook client add \"Dana Whitfield\" --email dana@example.com --tz America/Chicago --context \"Board vote on Thursday\" --until fri"
    )]
    Add {
        /// The client's name (one line, at most 200 characters; e.g. "Dana Whitfield").
        name: String,
        /// A mail address (repeat for several; e.g. dana@example.com).
        #[arg(long, value_name = "EMAIL")]
        email: Vec<String>,
        /// A phone number (digits, spaces, + - ( ) . /; e.g. "+1 555 0100").
        #[arg(long, value_name = "PHONE")]
        phone: Option<String>,
        /// The client's time zone (IANA name; default: the coach's; e.g. America/Chicago).
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        /// What is at stake for the client now (one line, at most 300 characters; e.g. "Pitch on Friday").
        #[arg(long, value_name = "TEXT")]
        context: Option<String>,
        /// The last day the context matters (DAY; e.g. fri, 2026-11-27).
        #[arg(long, value_name = "DAY")]
        until: Option<String>,
    },
    /// Change a client's details or context note: one change, undone by
    /// `coachbook undo` (or `u` on the dashboard).
    #[command(after_help = "Examples:
  coachbook client edit dana --email dana@work.example --remove-email dana@example.com
  coachbook client edit 26 --phone \"+1 555 0100\" --tz America/Chicago
  coachbook client edit dana --context \"Board vote on Thursday\" --until fri
  coachbook client edit dana --clear-context")]
    Edit(ClientEditArgs),
    /// List clients.
    List {
        /// Print JSON instead of text (the fields of PRODUCT.md's contract).
        #[arg(long)]
        json: bool,
        /// Only the clients at risk, each with its reasons.
        #[arg(long)]
        at_risk: bool,
    },
    /// Show one client: the whole story.
    Show {
        /// The client (CLIENT: an id, a name, a unique prefix or a fuzzy match; e.g. dana, 26).
        #[arg(value_name = "CLIENT")]
        name: String,
    },
    /// Part ways: the final note (template `parting`), the reason, a
    /// refund and a referral recorded; the client leaves the dashboard.
    End {
        /// The client (CLIENT: an id, a name, a unique prefix or a fuzzy match; e.g. dana, 26).
        client: String,
        /// Why you part ways (kept with the client; e.g. "needs a therapist").
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// An amount refunded (e.g. 120 or 120.50).
        #[arg(long, value_name = "AMOUNT")]
        refund: Option<String>,
        /// The partner you refer the client to (name or id; e.g. "Jo Park").
        #[arg(long, value_name = "PARTNER")]
        referral: Option<String>,
        /// Send even if the guardrails flag the note.
        #[arg(long)]
        force: bool,
        /// Print the note; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Work with an ended client again (the parting stays on record).
    Reactivate {
        /// The client (CLIENT: an id, a name, a unique prefix or a fuzzy match; e.g. dana, 26).
        client: String,
    },
    /// Send the check-in message (template `check_in`); closes the open check-in.
    CheckIn {
        /// The client (CLIENT: an id, a name, a unique prefix or a fuzzy match; e.g. dana, 26).
        client: String,
        /// Send even if the guardrails flag the message.
        #[arg(long)]
        force: bool,
        /// Print the message; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Args)]
pub struct ClientEditArgs {
    /// The client: an id, the name, a unique prefix or a fuzzy match (e.g. 26, dana, "Dana W").
    #[arg(value_name = "CLIENT")]
    pub client: String,
    /// A new name (one line, at most 200 characters; e.g. "Dana Whitfield-Moore").
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// A mail address to add (repeat for several; e.g. dana@work.example).
    #[arg(long, value_name = "EMAIL")]
    pub email: Vec<String>,
    /// A mail address to remove (repeat for several; e.g. dana@example.com).
    #[arg(long, value_name = "EMAIL")]
    pub remove_email: Vec<String>,
    /// A new phone number (digits, spaces, + - ( ) . /; e.g. "+49 30 1234567"; "" removes it).
    #[arg(long, value_name = "PHONE")]
    pub phone: Option<String>,
    /// A new time zone (IANA name, e.g. Europe/Berlin, America/Chicago).
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// Replace the notes kept with the client (at most 20,000 characters; "" empties them; e.g. "Prefers mornings").
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
    /// What is at stake for the client now (one line, at most 300 characters; e.g. "Pitch on Friday"); needs --until.
    #[arg(
        long,
        value_name = "TEXT",
        requires = "until",
        conflicts_with = "clear_context"
    )]
    pub context: Option<String>,
    /// The last day the context matters, in your time zone (DAY; e.g. 2026-11-27, fri, tomorrow).
    #[arg(long, value_name = "DAY", requires = "context")]
    pub until: Option<String>,
    /// Remove the context note.
    #[arg(long)]
    pub clear_context: bool,
    /// Print the client after the edit as JSON (shaped like a `client list --json` row).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum SessionCommand {
    /// Book a session (or a repeating series).
    #[command(
        after_help = "Examples:\n  coachbook session add dana \"tomorrow 14:00\"\n  coachbook session add dana mon 9:30 --minutes 90 --repeat fortnightly --count 6 --place \"Zoom\""
    )]
    Add {
        /// The client (CLIENT: an id, a name, a unique prefix or a fuzzy match; e.g. dana, 26).
        client: String,
        /// When (WHEN; e.g. "tomorrow 14:00", "mon 9:30", "2026-11-23 14:00").
        #[arg(num_args = 1.., required = true, value_name = "WHEN")]
        when: Vec<String>,
        /// Length in minutes (1-1440; e.g. 90).
        #[arg(long, default_value_t = 60, allow_negative_numbers = true,
              value_parser = crate::domain::bounds::parse_session_minutes)]
        minutes: i64,
        /// Repeat the session (monthly: on the first session's weekday of the month, "2nd Tuesday"); needs --count.
        #[arg(long, value_name = "REPEAT", value_parser = words::<crate::model::Repeat>())]
        repeat: Option<String>,
        /// How many sessions the series has, the first included (e.g. 6).
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        count: Option<i64>,
        /// Where, or the link (e.g. "Room 2", https://meet.example/sam).
        #[arg(long, value_name = "PLACE")]
        place: Option<String>,
        /// Book even onto another session or a busy block of your calendar.
        #[arg(long)]
        allow_overlap: bool,
        /// Record a session that already happened (a start before now).
        #[arg(long)]
        allow_past: bool,
    },
    /// List sessions (default: from today on, two weeks).
    List {
        /// The first day (DAY; default: today; e.g. mon, 2026-11-23).
        #[arg(long, value_name = "DAY")]
        from: Option<String>,
        /// The last day (DAY; default: two weeks on; e.g. 2026-12-31).
        #[arg(long, value_name = "DAY")]
        to: Option<String>,
        /// Print JSON instead of text (the fields of PRODUCT.md's contract).
        #[arg(long)]
        json: bool,
    },
    /// Record how a session went: held, no-show or cancelled.
    #[command(
        after_help = "Examples:\n  coachbook session mark 216 held --notes \"Worked on the pitch\" --action \"client: Rehearse twice by fri\" --recap\n  coachbook session mark 219 cancelled --notify"
    )]
    Mark {
        /// The session id (as the lists show it; e.g. 12 or #12).
        #[arg(value_name = "ID")]
        id: String,
        /// How it went.
        #[arg(value_name = "OUTCOME", value_parser = these("outcome", &["held", "no-show", "cancelled"]))]
        outcome: String,
        /// What you note about the session (e.g. "Worked on the pitch").
        #[arg(long, value_name = "TEXT")]
        notes: Option<String>,
        /// An action item (repeat; e.g. "client: Rehearse twice by fri", "coach: Send the worksheet by tomorrow").
        #[arg(long = "action", value_name = "OWNER: TEXT by DAY")]
        actions: Vec<String>,
        /// Send the client a recap (template `recap`): their items and the next session.
        #[arg(long)]
        recap: bool,
        /// Cancelled: send the client the cancellation note (template
        /// session_cancelled) with a calendar cancellation.
        #[arg(long)]
        notify: bool,
        /// Send a recap or note the guardrails flagged anyway.
        #[arg(long)]
        force: bool,
        /// Cancelled: this session and every later booked one of its series.
        #[arg(long)]
        following: bool,
    },
    /// Move a session to a new time.
    #[command(
        after_help = "Example:\n  coachbook session move 219 \"thu 15:30\" --by client --notify"
    )]
    Move {
        /// The session id (as the lists show it; e.g. 12 or #12).
        #[arg(value_name = "ID")]
        id: String,
        /// The new time (WHEN; e.g. "thu 15:30", "2026-11-26 09:00").
        #[arg(num_args = 1.., required = true, value_name = "WHEN")]
        when: Vec<String>,
        /// Who asked for the move.
        #[arg(long, default_value = "coach", value_name = "WHO", value_parser = words::<crate::model::MovedBy>())]
        by: String,
        /// Why it moves, kept with the session (e.g. "client travelling").
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
        /// Tell the client: a note with the new time and a calendar update
        /// (template `session_moved`), delivered like every reply.
        #[arg(long)]
        notify: bool,
        /// Send a note the guardrails flagged anyway.
        #[arg(long, requires = "notify")]
        force: bool,
        /// Move even onto another session or a busy block of your calendar.
        #[arg(long)]
        allow_overlap: bool,
        /// Move this session and every later booked one of its series by
        /// the same days, to the same time of day.
        #[arg(long)]
        following: bool,
    },
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum RequestCommand {
    /// Log a message from a client.
    #[command(
        after_help = "Example:\n  coachbook request add dana \"Can we talk before the vote?\" --channel phone --urgency urgent --at \"20 min ago\""
    )]
    Add {
        /// The client (CLIENT: an id, a name, a unique prefix or a fuzzy match; e.g. dana, 26).
        client: String,
        /// What the client said (e.g. "Can we talk before the vote?").
        #[arg(value_name = "TEXT")]
        text: String,
        /// How it came in.
        #[arg(long, default_value = "email", value_name = "CHANNEL", value_parser = words::<crate::model::Channel>())]
        channel: String,
        /// How soon it needs an answer (sets the reply-by).
        #[arg(long, default_value = "normal", value_name = "URGENCY", value_parser = words::<crate::model::Urgency>())]
        urgency: String,
        /// When it came in (WHEN; default: now; e.g. "20 min ago").
        #[arg(long, value_name = "WHEN")]
        at: Option<String>,
    },
    /// List requests (imported old mail shows with status history).
    List {
        /// Only those still waiting for the coach.
        #[arg(long)]
        open: bool,
        /// Only those with this status (history: old mail an import recorded).
        #[arg(long, value_name = "STATUS", conflicts_with = "open",
              value_parser = words::<crate::model::RequestStatus>())]
        status: Option<String>,
        /// Print JSON instead of text (the fields of PRODUCT.md's contract).
        #[arg(long)]
        json: bool,
    },
    /// Reply to a request.
    #[command(
        after_help = "Examples:\n  coachbook request reply 155 --template acknowledgement --promise \"today 17:00\"\n  coachbook request reply 155 --text \"Yes, call me at 16:00.\" --no-send"
    )]
    Reply(ReplyArgs),
    /// Put a request aside until a time.
    #[command(after_help = "Example:\n  coachbook request snooze 152 tomorrow 09:00")]
    Snooze {
        /// The request id (as the lists show it; e.g. 12 or #12).
        #[arg(value_name = "ID")]
        id: String,
        /// Until when (WHEN; e.g. "tomorrow 09:00", +1h).
        #[arg(num_args = 1.., required = true, value_name = "UNTIL")]
        until: Vec<String>,
        /// Snooze a crisis or urgent request past its reply-by anyway.
        #[arg(long)]
        force: bool,
    },
    /// Close a request.
    Close {
        /// The request id (as the lists show it; e.g. 12 or #12).
        #[arg(value_name = "ID")]
        id: String,
    },
    /// Mark a request as waiting on the client: its reply-by clock pauses
    /// until the client writes again.
    Wait {
        /// The request id (as the lists show it; e.g. 12 or #12).
        #[arg(value_name = "ID")]
        id: String,
        /// Set a crisis or urgent request waiting anyway.
        #[arg(long)]
        force: bool,
    },
    /// Change a request's urgency; its reply-by follows.
    #[command(after_help = "Example:\n  coachbook request urgency 152 urgent")]
    Urgency {
        /// The request id (as the lists show it; e.g. 12 or #12).
        #[arg(value_name = "ID")]
        id: String,
        /// The new urgency.
        #[arg(value_name = "URGENCY", value_parser = words::<crate::model::Urgency>())]
        urgency: String,
    },
    /// Hand a request to a backup partner: a note to the client, a brief to the partner.
    #[command(
        after_help = "Example:\n  coachbook request handoff 146 --partner \"Jo Park\" --dry-run"
    )]
    Handoff {
        /// The request id (as the lists show it; e.g. 12 or #12).
        #[arg(value_name = "ID")]
        id: String,
        /// The partner (name or id; e.g. "Jo Park", 2).
        #[arg(long, value_name = "PARTNER")]
        partner: String,
        /// Print both texts; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Send a note or brief the guardrails flagged anyway.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct ReplyChoice {
    /// Reply from a template (e.g. acknowledgement, options, emergency_apology).
    #[arg(long, value_name = "TEMPLATE")]
    pub template: Option<String>,
    /// Reply with this text (e.g. "Yes, call me at 16:00.").
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReplyArgs {
    /// The request id (as the lists show it; e.g. 12 or #12).
    #[arg(value_name = "ID")]
    pub id: String,
    #[command(flatten)]
    pub choice: ReplyChoice,
    /// A concrete time you promise to come back by (for acknowledgement);
    /// it becomes a follow-up (WHEN; e.g. "today 17:00").
    #[arg(long, value_name = "WHEN")]
    pub promise: Option<String>,
    /// How many free times to offer (for the options template; 1-5; e.g. 3).
    #[arg(long, value_name = "N")]
    #[arg(value_parser = crate::domain::bounds::parse_option_count)]
    pub options: Option<usize>,
    /// Record only: you answered by phone or in person, nothing is sent.
    #[arg(long)]
    pub no_send: bool,
    /// Send even if the guardrails flag the text.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum FollowupCommand {
    /// Add a follow-up.
    #[command(
        after_help = "Example:\n  coachbook followup add dana fri \"Send the values worksheet\" --owner coach --kind promise"
    )]
    Add {
        /// The client (CLIENT: an id, a name, a unique prefix or a fuzzy match; e.g. dana, 26).
        client: String,
        /// When it is due (WHEN or DAY, a bare day meaning the end of that working day; e.g. fri, "tomorrow 15:00").
        #[arg(value_name = "DUE")]
        due: String,
        /// What is due (e.g. "Send the values worksheet").
        #[arg(value_name = "TEXT")]
        text: String,
        /// Who owes it.
        #[arg(long, default_value = "coach", value_name = "OWNER", value_parser = words::<crate::model::Owner>())]
        owner: String,
        /// What kind of thing is due.
        #[arg(long, default_value = "action", value_name = "KIND", value_parser = words::<crate::model::FollowUpKind>())]
        kind: String,
    },
    /// List follow-ups.
    List {
        /// Only those past their due time.
        #[arg(long)]
        overdue: bool,
        /// Print JSON instead of text (the fields of PRODUCT.md's contract).
        #[arg(long)]
        json: bool,
    },
    /// Mark a follow-up done.
    Done {
        /// The follow-up id (as the lists show it; e.g. 12 or #12).
        #[arg(value_name = "ID")]
        id: String,
    },
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum PartnerCommand {
    /// Add a backup partner.
    #[command(
        after_help = "Example:\n  coachbook partner add \"Jo Park\" --email jo@example.net --phone \"+49 30 555 0101\""
    )]
    Add {
        /// The partner's name (e.g. "Jo Park").
        #[arg(value_name = "NAME")]
        name: String,
        /// Their mail address (e.g. jo@example.net).
        #[arg(long, value_name = "EMAIL")]
        email: Option<String>,
        /// Their phone (e.g. "+49 30 555 0101").
        #[arg(long, value_name = "PHONE")]
        phone: Option<String>,
    },
    /// List partners.
    List {
        /// Print JSON instead of text (the fields of PRODUCT.md's contract).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// One day (DAY; default: today; e.g. 2026-11-23, today, yesterday, mon).
    #[arg(long, value_name = "DAY", conflicts_with_all = ["from", "to"])]
    pub date: Option<String>,
    /// First day of a range (DAY; default: the --to day; e.g. mon).
    #[arg(long, value_name = "DAY")]
    pub from: Option<String>,
    /// Last day of a range (DAY; default: today; e.g. fri).
    #[arg(long, value_name = "DAY")]
    pub to: Option<String>,
    /// text (80 columns), md (Markdown), csv (one row per request) or json.
    #[arg(long, default_value = "text", value_name = "FORMAT", value_parser = these("format", &["text", "md", "markdown", "csv", "json"]))]
    pub format: String,
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum ImportCommand {
    /// Import mail: client messages become requests, the coach's own mail
    /// becomes replies threaded to them. Re-importing adds nothing twice.
    ///
    /// A sender who is no client becomes a request marked with the address.
    /// Auto-replies are skipped and counted. Mail from the coach's own
    /// addresses (config: coach.addresses) is a reply, threaded by
    /// In-Reply-To and References to the request it answers; one whose
    /// thread is unknown is still a reply to the client it went to. The
    /// Message-ID (or, without one, a hash of the message) makes a second
    /// import a no-op. Received time: the Date header, else the file's
    /// modification time, else now. Urgency: normal, urgent when the sender
    /// marked it important (Importance: high, X-Priority: 1 or 2). A message
    /// that cannot be read is skipped with its reason. Up to 500 messages are
    /// one change of the book; bigger imports are recorded in batches of 500.
    Mail {
        /// One .eml file, a Maildir folder (cur/ and new/) or an mbox file (e.g. ~/Mail/inbox).
        path: PathBuf,
        /// Print the summary (or, with --watch, one line per message) as JSON.
        /// Print JSON instead of text (the fields of PRODUCT.md's contract).
        #[arg(long)]
        json: bool,
        /// After importing, keep watching the Maildir for new mail (Ctrl-C stops).
        #[arg(long)]
        watch: bool,
        /// Mail received before this DAY (default: 14 days ago), and mail your
        /// own imported mail answered, is recorded as history: listed, in the
        /// client's story and the review of its days, never waiting on the
        /// dashboard (e.g. 2026-11-01).
        #[arg(long, value_name = "DAY")]
        since: Option<String>,
    },
    /// Import a calendar export (.ics): occurrences with a client in them
    /// become sessions, the rest busy time that free slots avoid.
    ///
    /// A client is in an occurrence when an ATTENDEE or the ORGANIZER has
    /// one of their addresses, or, failing that, when the SUMMARY names
    /// exactly one client by full name. All-day events (even those marked
    /// free) and events with several clients are busy time; timed events
    /// marked free (TRANSP:TRANSPARENT) are not recorded. Repeating events are expanded inside the window.
    /// Re-importing adds nothing twice. A broken event is skipped with its
    /// reason; the rest is imported in one change of the book.
    Ics {
        /// The .ics file (e.g. ~/Downloads/calendar.ics).
        path: PathBuf,
        /// First day of the window (DAY; default: 30 days ago; e.g. 2026-11-01).
        #[arg(long, value_name = "DAY")]
        from: Option<String>,
        /// Last day of the window (DAY; default: 90 days from today; e.g. 2027-02-28).
        #[arg(long, value_name = "DAY")]
        to: Option<String>,
        /// Print JSON instead of text (the fields of PRODUCT.md's contract).
        #[arg(long)]
        json: bool,
    },
    /// Import contacts (.vcf, vCard 2.1/3.0/4.0): new clients, or missing
    /// addresses and phone for a client found by address or exact name.
    Contacts {
        /// The .vcf file (e.g. ~/contacts.vcf).
        path: PathBuf,
        /// Print JSON instead of text (the fields of PRODUCT.md's contract).
        #[arg(long)]
        json: bool,
    },
}

/// Reads a word as typed into its stored spelling (`model::Word::normalise`).
type Normalise = fn(&str) -> Result<&'static str, crate::error::BadInput>;

/// A value from a closed set of words: clap lists the words in `--help`,
/// and reads them as the book does (any case, `-` and `_` alike), handing
/// on the stored spelling.
#[derive(Clone)]
pub struct WordParser {
    /// What the word names in a refusal ("agreement step").
    what: &'static str,
    words: Vec<&'static str>,
    normalise: Option<Normalise>,
}

/// The parser for one of the book's word sets (`model::Word`).
pub fn words<T: crate::model::Word>() -> WordParser {
    WordParser {
        what: "",
        words: T::words(),
        normalise: Some(T::normalise),
    }
}

/// The parser for a fixed subset of words (e.g. the agreement steps one can
/// record: sent, signed, countersigned).
pub fn these(what: &'static str, words: &'static [&'static str]) -> WordParser {
    WordParser {
        what,
        words: words.to_vec(),
        normalise: None,
    }
}

impl clap::builder::TypedValueParser for WordParser {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        let text = value.to_string_lossy();
        let wanted = text.trim().to_ascii_lowercase().replace('_', "-");
        if let Some(word) = self.words.iter().find(|w| **w == wanted) {
            return Ok((*word).to_string());
        }
        let refusal = match self.normalise.map(|normalise| normalise(&text)) {
            Some(Ok(word)) => return Ok(word.to_string()),
            // The book's own words for it: "unknown urgency 'x' (expected one of: …)".
            Some(Err(err)) => err.0,
            None => {
                let (last, rest) = self
                    .words
                    .split_last()
                    .map_or((&"", &[][..]), |(l, r)| (l, r));
                let list = if rest.is_empty() {
                    (*last).to_string()
                } else {
                    format!("{} or {last}", rest.join(", "))
                };
                format!(
                    "unknown {} {} (expected {list})",
                    self.what,
                    crate::text::quoted(&text)
                )
            }
        };
        Err(clap::Error::raw(
            clap::error::ErrorKind::InvalidValue,
            format!("{refusal}\n"),
        ))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            self.words
                .iter()
                .map(|w| clap::builder::PossibleValue::new(*w)),
        ))
    }
}
