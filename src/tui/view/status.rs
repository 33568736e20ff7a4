//! The status bar: the clock and the day's counts, then a notice or the key
//! hints for what has the focus.

use ratatui::Frame;
use ratatui::layout::Rect;
#[cfg(test)]
use ratatui::layout::{Constraint, Layout};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::keymap::Scope;
use crate::tui::model::{Model, NoticeKind};
use crate::tui::theme::Theme;
use crate::tui::view::text;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    // One line each, by arithmetic (the solver's `[Length(1), Length(1)]`).
    let counts_area = Rect {
        height: area.height.min(1),
        ..area
    };
    let hints_area = Rect {
        y: area.y + counts_area.height,
        height: (area.height - counts_area.height).min(1),
        ..area
    };
    #[cfg(test)]
    let [counts_area, hints_area] = if crate::tui::layout::SOLVER.get() {
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area)
    } else {
        [counts_area, hints_area]
    };
    let compact = area.width < 90;
    frame.render_widget(Paragraph::new(counts(model, theme, compact)), counts_area);
    let second = match &model.notice {
        Some(notice) => {
            let style = match notice.kind {
                NoticeKind::Error => theme.error(),
                NoticeKind::Info => theme.info(),
            };
            Line::from(Span::styled(notice.text.clone(), style))
        }
        None => hints(model, theme, area.width),
    };
    frame.render_widget(Paragraph::new(second), hints_area);
}

/// `compact` drops the date and shortens the labels for narrow terminals.
fn counts(model: &Model, theme: &Theme, compact: bool) -> Line<'static> {
    let clock = if compact {
        text::clock(model.now, model.tz)
    } else {
        text::day_and_clock(model.now, model.tz)
    };
    let mut spans = vec![Span::styled(clock, theme.label())];
    let Some(sheet) = &model.sheet else {
        return Line::from(spans);
    };
    let sep = || Span::styled(" · ", theme.muted());
    spans.push(Span::raw("  "));
    let day = match (sheet.date == model.today(), compact) {
        (true, true) => String::new(),
        (true, false) => " today".to_string(),
        (false, _) => format!(" {}", text::day(sheet.date)),
    };
    spans.push(Span::raw(format!("{} sessions{day}", sheet.sessions.len())));
    spans.push(sep());
    spans.push(Span::raw(format!("{} open", sheet.request_count())));
    let aside = sheet.snoozed.len() + sheet.waiting.len();
    if aside > 0 {
        spans.push(Span::raw(if compact {
            format!(" +{aside} aside")
        } else {
            format!(
                " ({} snoozed, {} waiting)",
                sheet.snoozed.len(),
                sheet.waiting.len()
            )
        }));
    }
    let overdue = |n: usize, what: &str| {
        let style = if n > 0 { theme.overdue() } else { Style::new() };
        Span::styled(format!("{n} overdue {what}").trim_end().to_string(), style)
    };
    spans.push(sep());
    let (replies, followups) = if compact {
        ("", "f-ups")
    } else {
        ("replies", "follow-ups")
    };
    spans.push(overdue(sheet.overdue_requests(), replies));
    spans.push(sep());
    spans.push(overdue(sheet.overdue_followups(), followups));
    // Replies recorded but not delivered wait for `D` (issue 4).
    let undelivered = model.undelivered.len();
    if undelivered > 0 {
        spans.push(sep());
        let keys = model.keymap.keys_for(
            &[Scope::Dashboard],
            crate::tui::action::Command::RetryDelivery,
        );
        let key = keys.first().map(|k| k.to_string()).unwrap_or_default();
        spans.push(Span::styled(
            format!("{undelivered} undelivered: {key} retries"),
            theme.error(),
        ));
    }
    Line::from(spans)
}

/// As many whole hints as fit in `width` columns.
fn hints(model: &Model, theme: &Theme, width: u16) -> Line<'static> {
    let mut spans = Vec::new();
    let mut used = 0usize;
    // A question without a second choice does not hint at one.
    let no_alternative = matches!(&model.overlay,
        crate::tui::model::Overlay::Confirm(confirm) if confirm.alternative.is_none())
        || matches!(&model.overlay, crate::tui::model::Overlay::Session(_));
    for (key, hint) in model.keymap.hints(&model.scopes()) {
        if no_alternative && hint == crate::tui::action::Command::ConfirmAlternative.hint() {
            continue;
        }
        let gap = if spans.is_empty() { 0 } else { 2 };
        let needed = gap + key.chars().count() + 1 + hint.chars().count();
        if used + needed > width as usize {
            break;
        }
        used += needed;
        if gap > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::styled(format!(" {hint}"), theme.muted()));
    }
    Line::from(spans)
}
