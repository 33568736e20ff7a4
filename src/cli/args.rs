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
    /// Write a demo book with data around today.
    Demo {
        /// Replace an existing book at that path.
        #[arg(long)]
        force: bool,
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
    /// Backup partners who can take a crisis or a referral.
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// Copy the book consistently to a file.
    Backup {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Check the book's integrity.
    Check,
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
    },
    /// Show one client.
    Show { name: String },
}

#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Book a session (or a repeating series).
    Add {
        client: String,
        /// When (e.g. "tomorrow 14:00", "mon 9:30", "2026-11-23 14:00").
        #[arg(num_args = 1.., required = true)]
        when: Vec<String>,
        #[arg(long, default_value_t = 60, allow_negative_numbers = true)]
        minutes: i64,
        #[arg(long, value_name = "weekly|fortnightly")]
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
    /// List requests.
    List {
        /// Only those still waiting for the coach.
        #[arg(long)]
        open: bool,
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
    },
    /// Close a request.
    Close { id: String },
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
