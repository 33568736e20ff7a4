//! The status bar: the clock and the day's counts, then a notice or the key
//! hints for what has the focus.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::model::{Model, NoticeKind};
use crate::tui::theme::Theme;
use crate::tui::view::text;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let [counts_area, hints_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    frame.render_widget(Paragraph::new(counts(model, theme)), counts_area);
    let second = match &model.notice {
        Some(notice) => {
            let style = match notice.kind {
                NoticeKind::Error => theme.error(),
                NoticeKind::Info => theme.info(),
            };
            Line::from(Span::styled(notice.text.clone(), style))
        }
        None => hints(model, theme),
    };
    frame.render_widget(Paragraph::new(second), hints_area);
}

fn counts(model: &Model, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(
        text::day_and_clock(model.now, model.tz),
        theme.label(),
    )];
    let Some(sheet) = &model.sheet else {
        return Line::from(spans);
    };
    let sep = || Span::styled(" · ", theme.muted());
    spans.push(Span::raw("  "));
    let day = if sheet.date == model.today() {
        "today".to_string()
    } else {
        text::day(sheet.date)
    };
    spans.push(Span::raw(format!(
        "{} sessions {day}",
        sheet.sessions.len()
    )));
    spans.push(sep());
    spans.push(Span::raw(format!("{} open", sheet.requests.len())));
    let overdue = |n: usize, what: &str| {
        let style = if n > 0 { theme.overdue() } else { Style::new() };
        Span::styled(format!("{n} overdue {what}"), style)
    };
    spans.push(sep());
    spans.push(overdue(sheet.overdue_requests(), "replies"));
    spans.push(sep());
    spans.push(overdue(sheet.overdue_followups(), "follow-ups"));
    Line::from(spans)
}

fn hints(model: &Model, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (n, (key, hint)) in model.keymap.hints(&model.scopes()).into_iter().enumerate() {
        if n > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::styled(format!(" {hint}"), theme.muted()));
    }
    Line::from(spans)
}
