//! The command line of PRODUCT.md, as clap definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "coachbook",
    version,
    about = "A terminal client book for a solo coach",
    after_help = "With no command, opens the dashboard on the book."
)]
pub struct Cli {
    /// The book file (default: the platform data folder; env COACHBOOK_DB).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The config file (default: the platform config folder; env COACHBOOK_CONFIG).
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
pub enum Command {
    /// Write a demo book with data around today (or a book of N years, or
    /// a file of realistic mail, for measuring).
    Demo {
        /// Replace an existing demo book (or, with --mbox, the --out file).
        #[arg(long)]
        force: bool,
        /// A deterministic book of N years of practice (1-100): 30 clients,
        /// 1,500 sessions, 5,000 requests and 2,000 follow-ups a year.
        #[arg(long, value_name = "N", value_parser = crate::domain::bounds::parse_years,
              conflicts_with = "mbox")]
        years: Option<u32>,
        /// Write N messages (1-200000) of a year of mail from the demo book's
        /// clients and strangers, as an mbox file, to --out.
        #[arg(long, value_name = "N", value_parser = crate::domain::bounds::parse_mbox_count,
              requires = "out")]
        mbox: Option<usize>,
        /// The mbox file to write (with --mbox).
        #[arg(long, value_name = "PATH", requires = "mbox")]
        out: Option<PathBuf>,
    },
    /// Today's sessions, open requests and overdue follow-ups.
    Today {
        /// Another day (2026-11-23, today, yesterday, mon).
        #[arg(long, value_name = "DAY")]
        date: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Clients: add, list, show.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Sessions: add, list, move.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Requests: client messages waiting for an answer.
    #[command(subcommand)]
    Request(RequestCommand),
    /// Follow-ups: action items, promises, chases, check-ins.
    #[command(subcommand)]
    Followup(FollowupCommand),
    /// The coaching agreement's steps: sent, signed (by the client), countersigned.
    Agreement {
        #[arg(value_name = "sent|signed|countersigned")]
        step: String,
        client: String,
        /// When it happened (default: now).
        #[arg(long, value_name = "WHEN")]
        at: Option<String>,
    },
    /// Backup partners who can take a crisis or a referral.
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// Free a session for a crisis: apology with options, calendar update.
    Emergency {
        session_id: String,
        /// The client in crisis: the freed slot becomes their call.
        #[arg(long = "for", value_name = "CLIENT")]
        for_client: Option<String>,
        /// How many new times to offer (1-5).
        #[arg(long, default_value_t = 3, value_parser = crate::domain::bounds::parse_option_count)]
        options: usize,
        /// The apology template.
        #[arg(long, default_value = "emergency_apology")]
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
        /// The change to undo (default: the last one).
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
        /// The reply to deliver again (default: every failed one).
        #[arg(value_name = "REPLY_ID", conflicts_with = "mark_sent")]
        reply_id: Option<String>,
        /// Confirm that a reply in the outbox (or a failed one) went out
        /// through your own mail: from then on it answers its request.
        #[arg(long, value_name = "REPLY_ID")]
        mark_sent: Option<String>,
        /// When it went out (default: now).
        #[arg(long, value_name = "WHEN", requires = "mark_sent")]
        at: Option<String>,
    },
    /// End-of-day review: response times, breaches, sessions, at-risk clients.
    Review(ReviewArgs),
    /// Copy the book consistently to a file.
    Backup {
        /// Write the copy here (never over the book; an existing file only with --force).
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
pub enum SyncCommand {
    /// Two-way sync with a vdir (the folder of .ics files vdirsyncer and
    /// khal share): the book's sessions are written there, and events
    /// moved, cancelled or deleted there update the book.
    Vdir {
        /// The folder (default: `[calendar] vdir` in the config).
        path: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The booked sessions (the last 30 days and all to come) as one
    /// iCalendar file (METHOD:PUBLISH) a calendar can import or subscribe to.
    Ics {
        /// Write to this file (mode 0600) instead of standard output; never
        /// over the book, and over an existing file only with --force.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace an existing --out file (in one step: the old one stays whole if writing fails).
        #[arg(long, requires = "out")]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Add a client.
    Add {
        name: String,
        /// A mail address (repeat for several).
        #[arg(long)]
        email: Vec<String>,
        #[arg(long)]
        phone: Option<String>,
        /// The client's time zone (IANA name; default: the coach's).
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        /// What is at stake for the client now.
        #[arg(long)]
        context: Option<String>,
        /// When the context stops mattering (DAY).
        #[arg(long, value_name = "DAY")]
        until: Option<String>,
    },
    /// List clients.
    List {
        #[arg(long)]
        json: bool,
        /// Only the clients at risk, each with its reasons.
        #[arg(long)]
        at_risk: bool,
    },
    /// Show one client: the whole story.
    Show { name: String },
    /// Part ways: the final note (template `parting`), the reason, a
    /// refund and a referral recorded; the client leaves the dashboard.
    End {
        client: String,
        /// Why you part ways (kept with the client).
        #[arg(long)]
        reason: String,
        /// An amount refunded (e.g. 120 or 120.50).
        #[arg(long, value_name = "AMOUNT")]
        refund: Option<String>,
        /// The partner you refer the client to (name or id).
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
    Reactivate { client: String },
    /// Send the check-in message (template `check_in`); closes the open check-in.
    CheckIn {
        client: String,
        #[arg(long)]
        force: bool,
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Book a session (or a repeating series).
    Add {
        client: String,
        /// When (e.g. "tomorrow 14:00", "mon 9:30", "2026-11-23 14:00").
        #[arg(num_args = 1.., required = true)]
        when: Vec<String>,
        /// Length in minutes (1-1440).
        #[arg(long, default_value_t = 60, allow_negative_numbers = true,
              value_parser = crate::domain::bounds::parse_session_minutes)]
        minutes: i64,
        /// monthly repeats on the first session's weekday of the month ("2nd Tuesday").
        #[arg(long, value_name = "weekly|fortnightly|monthly")]
        repeat: Option<String>,
        #[arg(long, allow_negative_numbers = true)]
        count: Option<i64>,
        #[arg(long)]
        place: Option<String>,
    },
    /// List sessions (default: from today on, two weeks).
    List {
        #[arg(long, value_name = "DAY")]
        from: Option<String>,
        #[arg(long, value_name = "DAY")]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Record how a session went: held, no-show or cancelled.
    Mark {
        id: String,
        #[arg(value_name = "held|no-show|cancelled")]
        outcome: String,
        /// What you note about the session.
        #[arg(long)]
        notes: Option<String>,
        /// An action item: "client: TEXT by DAY" or "coach: TEXT by DAY" (repeat).
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
    },
    /// Move a session to a new time.
    Move {
        id: String,
        #[arg(num_args = 1.., required = true)]
        when: Vec<String>,
        /// Who asked for the move.
        #[arg(long, default_value = "coach", value_name = "coach|client")]
        by: String,
        #[arg(long)]
        reason: Option<String>,
        /// Tell the client: a note with the new time and a calendar update
        /// (template `session_moved`), delivered like every reply.
        #[arg(long)]
        notify: bool,
        /// Send a note the guardrails flagged anyway.
        #[arg(long, requires = "notify")]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RequestCommand {
    /// Log a message from a client.
    Add {
        client: String,
        text: String,
        #[arg(long, default_value = "email")]
        channel: String,
        #[arg(long, default_value = "normal")]
        urgency: String,
        /// When it came in (default: now; e.g. "20 min ago").
        #[arg(long, value_name = "WHEN")]
        at: Option<String>,
    },
    /// List requests (imported old mail shows with status history).
    List {
        /// Only those still waiting for the coach.
        #[arg(long)]
        open: bool,
        /// Only those with this status: open, waiting, snoozed, answered,
        /// closed or history.
        #[arg(long, value_name = "STATUS", conflicts_with = "open")]
        status: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Reply to a request.
    Reply(ReplyArgs),
    /// Put a request aside until a time.
    Snooze {
        id: String,
        #[arg(num_args = 1.., required = true)]
        until: Vec<String>,
        /// Snooze a crisis or urgent request past its reply-by anyway.
        #[arg(long)]
        force: bool,
    },
    /// Close a request.
    Close { id: String },
    /// Mark a request as waiting on the client: its reply-by clock pauses
    /// until the client writes again.
    Wait {
        id: String,
        /// Set a crisis or urgent request waiting anyway.
        #[arg(long)]
        force: bool,
    },
    /// Change a request's urgency; its reply-by follows.
    Urgency { id: String, urgency: String },
    /// Hand a request to a backup partner: a note to the client, a brief to the partner.
    Handoff {
        id: String,
        /// The partner (name or id).
        #[arg(long)]
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
    /// Reply from a template.
    #[arg(long)]
    pub template: Option<String>,
    /// Reply with this text.
    #[arg(long)]
    pub text: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReplyArgs {
    pub id: String,
    #[command(flatten)]
    pub choice: ReplyChoice,
    /// A concrete time you promise to come back by (for acknowledgement);
    /// it becomes a follow-up.
    #[arg(long, value_name = "WHEN")]
    pub promise: Option<String>,
    /// How many free times to offer (for the options template).
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
pub enum FollowupCommand {
    /// Add a follow-up.
    Add {
        client: String,
        /// When it is due (WHEN or DAY; a bare day means the end of that working day).
        due: String,
        text: String,
        #[arg(long, default_value = "coach")]
        owner: String,
        #[arg(long, default_value = "action")]
        kind: String,
    },
    /// List follow-ups.
    List {
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        json: bool,
    },
    /// Mark a follow-up done.
    Done { id: String },
}

#[derive(Debug, Subcommand)]
pub enum PartnerCommand {
    /// Add a backup partner.
    Add {
        name: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
    },
    /// List partners.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// One day (default: today; 2026-11-23, today, yesterday, mon).
    #[arg(long, value_name = "DAY", conflicts_with_all = ["from", "to"])]
    pub date: Option<String>,
    /// First day of a range (default: the --to day).
    #[arg(long, value_name = "DAY")]
    pub from: Option<String>,
    /// Last day of a range (default: today).
    #[arg(long, value_name = "DAY")]
    pub to: Option<String>,
    /// text (80 columns), md (Markdown), csv (one row per request) or json.
    #[arg(long, default_value = "text", value_name = "text|md|csv|json")]
    pub format: String,
}

#[derive(Debug, Subcommand)]
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
        /// One .eml file, a Maildir folder (cur/ and new/) or an mbox file.
        path: PathBuf,
        /// Print the summary (or, with --watch, one line per message) as JSON.
        #[arg(long)]
        json: bool,
        /// After importing, keep watching the Maildir for new mail (Ctrl-C stops).
        #[arg(long)]
        watch: bool,
        /// Mail received before this DAY (default: 14 days ago), and mail your
        /// own imported mail answered, is recorded as history: listed, in the
        /// client's story and the review of its days, never waiting on the
        /// dashboard.
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
        /// The .ics file.
        path: PathBuf,
        /// First day of the window (default: 30 days ago).
        #[arg(long, value_name = "DAY")]
        from: Option<String>,
        /// Last day of the window (default: 90 days from today).
        #[arg(long, value_name = "DAY")]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Import contacts (.vcf, vCard 2.1/3.0/4.0): new clients, or missing
    /// addresses and phone for a client found by address or exact name.
    Contacts {
        /// The .vcf file.
        path: PathBuf,
        #[arg(long)]
        json: bool,
    },
}
