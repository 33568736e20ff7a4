//! A year of realistic mail, for measuring imports: `coachbook demo --mbox N
//! --out PATH`. Two thirds of the messages come from the book's clients, a
//! third from senders the book does not know; some are out-of-office
//! auto-replies, some the coach's own answers (`In-Reply-To` an earlier
//! message of the file). Bodies are multipart/alternative (plain text,
//! sometimes quoted-printable, and HTML) or plain; subjects are plain ASCII,
//! RFC 2047 `B` in UTF-8 or `Q` in ISO-8859-1. Dates are spread over the
//! year before now. The same N, clients and clock give the same bytes.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};

use super::Dice;

/// The most messages `--mbox` writes.
pub const MAX_MESSAGES: usize = 200_000;

/// Someone the mail comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sender {
    pub name: String,
    pub email: String,
}

/// What the file holds, as `import mail` should count it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MboxSummary {
    pub messages: usize,
    /// Requests from the book's clients.
    pub from_clients: usize,
    /// Requests from senders the book does not know.
    pub unknown_senders: usize,
    pub auto_replies: usize,
    /// The coach's answers to earlier messages of the file.
    pub coach_replies: usize,
}

impl MboxSummary {
    /// Requests the import records (clients and strangers).
    pub fn requests(&self) -> usize {
        self.from_clients + self.unknown_senders
    }
}

impl std::fmt::Display for MboxSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} messages: {} from clients, {} from unknown senders, {} auto-replies, {} replies by the coach",
            self.messages,
            self.from_clients,
            self.unknown_senders,
            self.auto_replies,
            self.coach_replies
        )
    }
}

/// Subjects as they are meant to read; the writer encodes some of them.
const SUBJECTS: &[&str] = &[
    "Quick question about Thursday",
    "Über unser Gespräch letzte Woche",
    "Rendez-vous déplacé ?",
    "Thoughts after our session",
    "Can we talk before the board meeting?",
    "Señales de agotamiento",
    "来週のセッションについて",
    "The exercise — it worked!",
    "Invoice for this month",
    "Need to move our call",
];
const LINES: &[&str] = &[
    "I tried what we discussed and it went better than I expected.",
    "Could we find a moment this week? Something came up at work.",
    "My manager asked for an answer by Friday and I am not sure yet.",
    "Thank you for the last session; I keep thinking about it.",
    "I would like to talk about my goals for next quarter.",
    "Is there any chance to move our next call to the afternoon?",
    "Ich habe die Übung jeden Morgen gemacht – es hilft.",
    "J'ai enfin eu la conversation difficile. Ça s'est bien passé.",
];
const COACH_LINES: &[&str] = &[
    "Thank you for writing. Let's look at this together on Thursday.",
    "Good to hear. Shall we take it from there next time?",
    "Yes, Thursday at 15:00 works. I have moved our call.",
];

/// Write `count` messages to `out`, from `clients` (and strangers), to and
/// from `coach`, dated over the year before `now`.
pub fn write_mbox(
    out: &mut impl Write,
    clients: &[Sender],
    coach: &Sender,
    now: DateTime<Utc>,
    count: usize,
) -> Result<MboxSummary> {
    let mut dice = Dice(0x6D62_6F78 ^ count as u64);
    let mut summary = MboxSummary::default();
    // The latest messages from clients, for the coach to answer.
    let mut answerable: Vec<(String, Sender, String)> = Vec::new();
    let year = Duration::days(365).num_seconds();
    let step = year / count.max(1) as i64;
    for n in 0..count {
        let at = now - Duration::seconds(year)
            + Duration::seconds(n as i64 * step + dice.below(step.max(1) as u64) as i64);
        let at = at.min(now - Duration::minutes(1));
        let message_id = format!("<m{n}.{count}@mail.demo.example>");
        let roll = dice.below(100);
        let stranger = n % 3 == 2 || clients.is_empty();
        let (from, to, subject, in_reply_to, auto) = if !stranger && roll < 4 {
            let who = dice.pick(clients);
            summary.auto_replies += 1;
            (
                who,
                coach.clone(),
                format!("Out of office: {}", dice.pick(SUBJECTS)),
                None,
                true,
            )
        } else if !stranger && roll < 8 && !answerable.is_empty() {
            let index = dice.below(answerable.len() as u64) as usize;
            let (id, who, subject) = answerable.swap_remove(index);
            summary.coach_replies += 1;
            (
                coach.clone(),
                who,
                format!("Re: {subject}"),
                Some(id),
                false,
            )
        } else if stranger {
            let k = dice.below((count as u64 / 10).max(1));
            let first = dice.pick(super::years::FIRST_NAMES);
            summary.unknown_senders += 1;
            (
                Sender {
                    name: format!("{first} (website form)"),
                    email: format!("prospect{k}@unknown.example"),
                },
                coach.clone(),
                dice.pick(SUBJECTS).to_string(),
                None,
                false,
            )
        } else {
            let who = dice.pick(clients);
            summary.from_clients += 1;
            let subject = dice.pick(SUBJECTS).to_string();
            answerable.push((message_id.clone(), who.clone(), subject.clone()));
            if answerable.len() > 50 {
                answerable.remove(0);
            }
            (who, coach.clone(), subject, None, false)
        };
        let mut message = String::with_capacity(2048);
        let _ = writeln!(
            message,
            "From {} {}",
            from.email,
            at.format("%a %b %e %H:%M:%S %Y")
        );
        let _ = writeln!(message, "From: {}", address(&from, &mut dice));
        let _ = writeln!(message, "To: {}", address(&to, &mut dice));
        let _ = writeln!(message, "Subject: {}", encode_subject(&subject, &mut dice));
        let _ = writeln!(message, "Date: {}", at.to_rfc2822());
        let _ = writeln!(message, "Message-ID: {message_id}");
        if let Some(id) = &in_reply_to {
            let _ = writeln!(message, "In-Reply-To: {id}");
            let _ = writeln!(message, "References: {id}");
        }
        if auto {
            let _ = writeln!(message, "Auto-Submitted: auto-replied");
        } else if dice.chance(5) {
            let _ = writeln!(message, "Importance: high");
        }
        let _ = writeln!(message, "MIME-Version: 1.0");
        let text = if auto {
            "I am away until Monday with limited access to mail.".to_string()
        } else if from == *coach {
            format!("{}\n\n{}", dice.pick(COACH_LINES), coach.name)
        } else {
            format!(
                "Hello,\n\n{}\n{}\n\nBest,\n{}",
                dice.pick(LINES),
                dice.pick(LINES),
                from.name
            )
        };
        write_body(&mut message, &text, n, &mut dice);
        message.push('\n');
        out.write_all(message.as_bytes())?;
        summary.messages += 1;
    }
    Ok(summary)
}

/// `Name <addr>`, the name RFC 2047-encoded when it is not ASCII.
fn address(who: &Sender, dice: &mut Dice) -> String {
    if who.name.is_ascii() {
        format!("\"{}\" <{}>", who.name.replace('"', ""), who.email)
    } else {
        format!("{} <{}>", encode_subject(&who.name, dice), who.email)
    }
}

/// Plain, `=?UTF-8?B?…?=` or `=?ISO-8859-1?Q?…?=` (when Latin-1 holds it).
fn encode_subject(subject: &str, dice: &mut Dice) -> String {
    let latin1: Option<Vec<u8>> = subject
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect();
    match (subject.is_ascii(), dice.below(3), latin1) {
        (true, 0 | 1, _) => subject.to_string(),
        (_, 2, Some(bytes)) => {
            let mut q = String::from("=?ISO-8859-1?Q?");
            for b in bytes {
                match b {
                    b' ' => q.push('_'),
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b',' | b'-' => {
                        q.push(char::from(b))
                    }
                    _ => {
                        let _ = write!(q, "={b:02X}");
                    }
                }
            }
            q.push_str("?=");
            q
        }
        _ => format!("=?UTF-8?B?{}?=", base64(subject.as_bytes())),
    }
}

/// A plain-text part (sometimes quoted-printable) and its HTML twin, or
/// plain text alone.
fn write_body(message: &mut String, text: &str, n: usize, dice: &mut Dice) {
    let quoted = dice.chance(40);
    let plain_headers = if quoted {
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n"
    } else {
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n"
    };
    let plain = if quoted {
        quoted_printable(text)
    } else {
        text.to_string()
    };
    if dice.chance(25) {
        let _ = write!(message, "{plain_headers}\n{plain}\n");
        return;
    }
    let boundary = format!("=_alt_{n:08x}");
    let html: String = text
        .split("\n\n")
        .map(|p| {
            let p = p
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('\n', "<br>");
            format!("<p>{p}</p>")
        })
        .collect();
    let _ = write!(
        message,
        "Content-Type: multipart/alternative; boundary=\"{boundary}\"\n\n\
         --{boundary}\n{plain_headers}\n{plain}\n\
         --{boundary}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n\
         <html><body>{html}</body></html>\n--{boundary}--\n"
    );
}

fn quoted_printable(text: &str) -> String {
    let mut out = String::new();
    for line in text.split('\n') {
        let mut width = 0;
        for b in line.bytes() {
            let piece = match b {
                b'=' => "=3D".to_string(),
                b' ' | b'!'..=b'~' => char::from(b).to_string(),
                _ => format!("={b:02X}"),
            };
            if width + piece.len() > 75 {
                out.push_str("=\n");
                width = 0;
            }
            width += piece.len();
            out.push_str(&piece);
        }
        out.push('\n');
    }
    out.trim_end_matches('\n').to_string()
}

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                let index = ((n >> shift) & 63) as usize;
                out.push(char::from(TABLE.get(index).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_examples() {
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn encoded_subjects_decode_back() {
        let mut dice = Dice(7);
        for subject in SUBJECTS {
            for _ in 0..6 {
                let header = format!("Subject: {}\n\n", encode_subject(subject, &mut dice));
                let (headers, _) = mailparse::parse_headers(header.as_bytes()).unwrap();
                use mailparse::MailHeaderMap;
                assert_eq!(
                    headers.get_first_value("Subject").as_deref(),
                    Some(*subject)
                );
            }
        }
    }

    #[test]
    fn quoted_printable_keeps_lines_short_and_decodes_back() {
        let text = "Ich habe die Übung jeden Morgen gemacht – es hilft. ".repeat(4);
        let encoded = quoted_printable(&text);
        assert!(encoded.lines().all(|l| l.len() <= 76));
        let decoded = mailparse::parse_mail(
            format!("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n{encoded}").as_bytes(),
        )
        .unwrap()
        .get_body()
        .unwrap();
        assert_eq!(decoded.trim_end(), text.trim_end());
    }
}
