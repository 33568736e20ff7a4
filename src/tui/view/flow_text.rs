//! Small pieces the flow screens share.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::compose::Delivery;
use crate::tui::flows::work::Sent;
use crate::tui::theme::Theme;

pub fn plain(text: &str, style: Style) -> Line<'static> {
    Line::from(Span::styled(text.to_string(), style))
}

/// The coach's own time: `Mon 23 Nov 15:00`.
pub fn when(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%a %d %b %H:%M").to_string()
}

/// Where each message went, or why it did not.
pub fn outcome_lines(sent: &[Sent], theme: &Theme) -> Vec<Line<'static>> {
    sent.iter()
        .map(|s| match &s.delivery {
            Delivery::Sent { .. } => plain(
                &format!("The {} was {}.", s.what, s.delivery.message()),
                theme.info(),
            ),
            Delivery::Outbox { .. } => plain(
                &format!(
                    "The {} was {} and copied to the clipboard.",
                    s.what,
                    s.delivery.message()
                ),
                theme.info(),
            ),
            Delivery::Failed { .. } => plain(
                &format!(
                    "The {} is recorded but NOT delivered ({}); D on the dashboard retries.",
                    s.what,
                    s.delivery.message()
                ),
                theme.error(),
            ),
        })
        .collect()
}
