//! Words and short figures shared by the text, Markdown and screen forms.

use super::{Review, TargetShare};
use crate::dashboard::short_span;

/// "Monday 23 November 2026" or "9 November – 23 November 2026".
pub fn range_title(review: &Review) -> String {
    let range = review.range;
    if range.is_one_day() {
        return range.from.format("%A %-d %B %Y").to_string();
    }
    let from = if range.from.format("%Y").to_string() == range.to.format("%Y").to_string() {
        range.from.format("%a %-d %B").to_string()
    } else {
        range.from.format("%a %-d %B %Y").to_string()
    };
    format!("{from} – {}", range.to.format("%a %-d %B %Y"))
}

/// A span of minutes, or a dash when there is none.
pub fn span(minutes: Option<i64>) -> String {
    minutes.map_or_else(|| "–".to_string(), short_span)
}

/// "3/4 (75%)", or "none" when nothing was judged.
pub fn share_text(share: &TargetShare) -> String {
    match share.percent() {
        Some(percent) => format!("{}/{} ({percent}%)", share.met, share.total),
        None => "none".to_string(),
    }
}

/// "4 received · 3 answered · 1 still waiting".
pub fn requests_line(review: &Review) -> String {
    format!(
        "{} received · {} answered · {} still waiting",
        review.requests.len(),
        review.answered(),
        review.unanswered.len()
    )
}

/// How the requests received in the range ended, beyond the answered and
/// still-waiting counts of [`requests_line`]: handed off (answered by a
/// delivered hand-off note, counted among the answered) and closed without
/// a reply.
pub fn resolutions_line(review: &Review) -> String {
    use crate::model::Resolution;
    let count = |resolution: Resolution| {
        review
            .requests
            .iter()
            .filter(|o| o.resolution == resolution)
            .count()
    };
    let mut parts: Vec<String> = [Resolution::HandedOff, Resolution::ClosedWithoutReply]
        .iter()
        .map(|&resolution| format!("{} {resolution}", count(resolution)))
        .collect();
    // Imported history mail no reply reached: said only when there is some.
    let never = count(Resolution::NeverAnswered);
    if never > 0 {
        parts.push(format!("{never} never answered (history)"));
    }
    parts.join(" · ")
}

pub fn sessions_line(review: &Review) -> String {
    let s = &review.sessions;
    format!(
        "{} held · {} moved by coach · {} moved by client · {} cancelled · {} no-show",
        s.held, s.rescheduled_by_coach, s.rescheduled_by_client, s.cancelled, s.no_show
    )
}

pub fn promises_line(review: &Review) -> String {
    let p = &review.promises;
    format!(
        "{} kept · {} broken · {} pending",
        p.kept, p.broken, p.pending
    )
}

pub fn followups_line(review: &Review) -> String {
    let f = &review.followups;
    format!(
        "{} done · {} overdue · {} pending",
        f.done, f.overdue, f.pending
    )
}

/// Cut to `width` characters on one line, with an ellipsis when cut.
pub fn fit(text: &str, width: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= width {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
