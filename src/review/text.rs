//! The review as aligned text for an 80-column terminal.

use std::fmt::Write as _;

use super::words::{
    fit, followups_line, promises_line, range_title, requests_line, resolutions_line, share_text,
    span,
};
use super::{RequestOutcome, Review};
use crate::dashboard::short_span;
use crate::domain::when::show_local;

/// The widest bar of the trend chart, in characters.
const TREND_BAR_WIDTH: usize = 40;
/// Room for the at-risk reasons after the name.
const REASONS_WIDTH: usize = 55;

pub fn review_text(review: &Review) -> String {
    let out = untrimmed_text(review);
    let mut trimmed = String::with_capacity(out.len());
    for line in out.lines() {
        trimmed.push_str(line.trim_end());
        trimmed.push('\n');
    }
    trimmed
}

fn untrimmed_text(review: &Review) -> String {
    let mut out = String::new();
    let tz = review.tz;
    let _ = writeln!(out, "REVIEW · {}", range_title(review));
    let _ = writeln!(out, "as of {} ({})", show_local(review.now, tz), tz.name());
    let _ = writeln!(out);
    let _ = writeln!(out, "{:<15}{}", "Requests", requests_line(review));
    let _ = writeln!(out, "{:<15}{}", "Ended", resolutions_line(review));
    for (label, times) in [
        ("First reply", &review.first_reply),
        ("  work hours", &review.first_reply_working),
    ] {
        let _ = writeln!(
            out,
            "{label:<15}median {:<9} p90 {:<9} max {:<9} ({} answered)",
            span(times.median_minutes),
            span(times.p90_minutes),
            span(times.max_minutes),
            times.count
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "WITHIN TARGET");
    for share in &review.within_target {
        let bar = share
            .percent()
            .map(|p| "#".repeat((p as usize).div_ceil(5)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<8} {:<12} {bar}",
            share.urgency.as_str(),
            share_text(share)
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "BREACHES ({})", review.breaches.len());
    if review.breaches.is_empty() {
        let _ = writeln!(out, "  none: every reply-by was met");
    }
    for o in &review.breaches {
        let _ = writeln!(out, "{}", breach_line(o));
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "STILL UNANSWERED, OLDEST FIRST ({})",
        review.unanswered.len()
    );
    if review.unanswered.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for o in &review.unanswered {
        let overdue = if o.overdue_at(review.now) {
            " overdue"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  #{:<5} {:<18} {:<6} since {} waiting {:<8}{overdue}",
            o.id,
            fit(&o.client, 18),
            o.urgency.as_str(),
            super::utc(o.received_at)
                .with_timezone(&tz)
                .format("%d %b %H:%M"),
            span(o.waited_minutes),
        );
    }
    let _ = writeln!(out);
    let s = &review.sessions;
    let _ = writeln!(
        out,
        "{:<15}{} held · moved {} by coach, {} by client · {} cancelled · {} no-show",
        "Sessions", s.held, s.rescheduled_by_coach, s.rescheduled_by_client, s.cancelled, s.no_show
    );
    let _ = writeln!(out, "{:<15}{} sent", "Apologies", review.apologies_sent);
    let _ = writeln!(out, "{:<15}{}", "Promises", promises_line(review));
    let _ = writeln!(out, "{:<15}{}", "Follow-ups", followups_line(review));
    let _ = writeln!(out, "{:<15}{}", "Partings", endings_line(review));
    for e in &review.endings {
        let referral = e
            .referral
            .as_deref()
            .map(|p| format!(", referred to {p}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<22} {}",
            fit(&e.client, 22),
            fit(&format!("{}{referral}", e.reason), REASONS_WIDTH)
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "AT RISK ({})", review.at_risk.len());
    if review.at_risk.is_empty() {
        let _ = writeln!(out, "  nobody");
    }
    for a in &review.at_risk {
        // One reason per line when they do not fit on one.
        let reasons: Vec<String> = a.reasons.iter().map(ToString::to_string).collect();
        let joined = reasons.join("; ");
        let lines = if joined.chars().count() <= REASONS_WIDTH {
            vec![joined]
        } else {
            reasons
        };
        for (n, reasons) in lines.iter().enumerate() {
            let name = if n == 0 {
                fit(&a.client, 22)
            } else {
                String::new()
            };
            let _ = writeln!(out, "  {name:<22} {}", fit(reasons, REASONS_WIDTH));
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "MEDIAN FIRST REPLY, LAST {} DAYS",
        review.daily_medians.len()
    );
    let longest = review
        .daily_medians
        .iter()
        .filter_map(|d| d.median_minutes)
        .max()
        .unwrap_or(0)
        .max(1);
    for day in &review.daily_medians {
        let bar = day
            .median_minutes
            .map(|m| {
                "#".repeat(
                    ((m.max(0) as u64 * TREND_BAR_WIDTH as u64).div_ceil(longest as u64)) as usize,
                )
            })
            .unwrap_or_default();
        let figure = match day.median_minutes {
            Some(m) => format!("{} ({})", short_span(m), day.answered),
            None => "–".to_string(),
        };
        let _ = writeln!(
            out,
            "  {}  {:<w$} {figure}",
            day.date.format("%a %d"),
            bar,
            w = TREND_BAR_WIDTH
        );
    }
    out
}

fn breach_line(o: &RequestOutcome) -> String {
    // Short words to fit 80 columns.
    let how = o.resolution.short();
    format!(
        "  #{:<5} {:<18} {:<6} {how:<8} {:<8} target {:<8} +{}",
        o.id,
        fit(&o.client, 18),
        o.urgency.as_str(),
        span(o.waited_minutes),
        short_span(o.target_minutes),
        short_span(o.late_minutes()),
    )
}

/// "2 (refunds 150.00)" or "none".
pub(crate) fn endings_line(review: &Review) -> String {
    if review.endings.is_empty() {
        return "none".into();
    }
    format!(
        "{} (refunds {})",
        review.endings.len(),
        super::amount(review.refunds_cents())
    )
}
