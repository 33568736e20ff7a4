//! The review as Markdown, for a journal or an email to oneself.

use std::fmt::Write as _;

use super::Review;
use super::words::{
    followups_line, promises_line, range_title, requests_line, resolutions_line, sessions_line,
    share_text, span,
};
use crate::domain::when::show_local;

pub fn review_markdown(review: &Review) -> String {
    let tz = review.tz;
    let mut out = String::new();
    let _ = writeln!(out, "# Review · {}\n", range_title(review));
    let _ = writeln!(
        out,
        "_As of {} ({})._\n",
        show_local(review.now, tz),
        tz.name()
    );
    let _ = writeln!(out, "- **Requests:** {}", requests_line(review));
    let _ = writeln!(out, "- **Ended:** {}", resolutions_line(review));
    let _ = writeln!(out, "- **Sessions:** {}", sessions_line(review));
    let _ = writeln!(out, "- **Apologies sent:** {}", review.apologies_sent);
    let _ = writeln!(out, "- **Promises:** {}", promises_line(review));
    let _ = writeln!(out, "- **Follow-ups:** {}\n", followups_line(review));

    let _ = writeln!(out, "## First reply\n");
    let _ = writeln!(out, "| | answered | median | p90 | max |");
    let _ = writeln!(out, "|---|---:|---:|---:|---:|");
    for (label, times) in [
        ("clock time", &review.first_reply),
        ("working hours", &review.first_reply_working),
    ] {
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {} | {} |",
            times.count,
            span(times.median_minutes),
            span(times.p90_minutes),
            span(times.max_minutes)
        );
    }
    let _ = writeln!(out, "\n## Within target\n");
    let _ = writeln!(out, "| urgency | met |");
    let _ = writeln!(out, "|---|---:|");
    for share in &review.within_target {
        let _ = writeln!(out, "| {} | {} |", share.urgency, share_text(share));
    }

    let _ = writeln!(out, "\n## Breaches ({})\n", review.breaches.len());
    if review.breaches.is_empty() {
        let _ = writeln!(out, "None: every reply-by was met.");
    } else {
        let _ = writeln!(
            out,
            "| request | client | urgency | waited | target | resolution |"
        );
        let _ = writeln!(out, "|---:|---|---|---:|---:|---|");
        for o in &review.breaches {
            let still = if o.awaiting_coach {
                " (still waiting)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "| #{} | {} | {} | {}{still} | {} | {} |",
                o.id,
                cell(&o.client),
                o.urgency,
                span(o.waited_minutes),
                span(Some(o.target_minutes)),
                o.resolution
            );
        }
    }

    let _ = writeln!(out, "\n## Still unanswered ({})\n", review.unanswered.len());
    if review.unanswered.is_empty() {
        let _ = writeln!(out, "None.");
    } else {
        let _ = writeln!(out, "| request | client | urgency | received | waiting |");
        let _ = writeln!(out, "|---:|---|---|---|---:|");
        for o in &review.unanswered {
            let _ = writeln!(
                out,
                "| #{} | {} | {} | {} | {} |",
                o.id,
                cell(&o.client),
                o.urgency,
                show_local(super::utc(o.received_at), tz),
                span(o.waited_minutes)
            );
        }
    }

    let _ = writeln!(
        out,
        "\n## Partings: {}\n",
        super::text::endings_line(review)
    );
    for e in &review.endings {
        let referral = e
            .referral
            .as_deref()
            .map(|p| format!("; referred to {}", cell(p)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- **{}**: {}{referral}",
            cell(&e.client),
            cell(&e.reason)
        );
    }

    let _ = writeln!(out, "\n## At risk ({})\n", review.at_risk.len());
    if review.at_risk.is_empty() {
        let _ = writeln!(out, "Nobody.");
    }
    for a in &review.at_risk {
        let reasons: Vec<String> = a.reasons.iter().map(ToString::to_string).collect();
        let _ = writeln!(out, "- **{}**: {}", cell(&a.client), reasons.join("; "));
    }

    let _ = writeln!(
        out,
        "\n## Median first reply, last {} days\n",
        review.daily_medians.len()
    );
    let _ = writeln!(out, "| day | answered | median |");
    let _ = writeln!(out, "|---|---:|---:|");
    for day in &review.daily_medians {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            day.date.format("%a %Y-%m-%d"),
            day.answered,
            span(day.median_minutes)
        );
    }
    out
}

/// Text safe inside a table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}
