//! The review screen: a self-contained ratatui widget that draws a computed
//! [`Review`] into any area. It reads the review and its own small state
//! (which breach or unanswered request is selected, how far the list is
//! scrolled) and never touches the book: the TUI turns Enter into "open
//! request N" with [`ReviewViewState::selected_request`].
//!
//! Every chart carries its numbers as text (values on the bars, labels
//! beside them), so it reads the same without colour.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Paragraph, StatefulWidget, Widget, Wrap};

use super::words::{
    fit, followups_line, promises_line, range_title, requests_line, resolutions_line, span,
};
use super::{RequestOutcome, Review};
use crate::domain::when::show_local;

/// Which row of the request list is selected, and the first row shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReviewViewState {
    /// Index into [`request_rows`]: breaches first, then still unanswered.
    pub selected: usize,
    /// The first line of the list pane that is drawn.
    pub offset: usize,
}

/// The rows Enter can open: breaches, then still-unanswered requests (a
/// request past its reply-by and still waiting is in both).
pub fn request_rows(review: &Review) -> Vec<&RequestOutcome> {
    review.breaches.iter().chain(&review.unanswered).collect()
}

impl ReviewViewState {
    pub fn select_next(&mut self, review: &Review) {
        let rows = request_rows(review).len();
        if rows > 0 {
            self.selected = (self.selected + 1).min(rows - 1);
        }
    }

    pub fn select_previous(&mut self) {
        self.selected = self.selected.saturating_sub(1);
    }

    pub fn select_first(&mut self) {
        self.selected = 0;
    }

    pub fn select_last(&mut self, review: &Review) {
        self.selected = request_rows(review).len().saturating_sub(1);
    }

    /// Move the selection by `rows` (a page), either way.
    pub fn select_by(&mut self, review: &Review, rows: isize) {
        let count = request_rows(review).len();
        let target = self.selected.saturating_add_signed(rows);
        self.selected = target.min(count.saturating_sub(1));
    }

    /// The request Enter opens, if the list has any.
    pub fn selected_request(&self, review: &Review) -> Option<i64> {
        request_rows(review).get(self.selected).map(|o| o.id)
    }
}

/// Draw `review` into `area` of the frame.
pub fn draw_review(frame: &mut Frame, area: Rect, review: &Review, state: &mut ReviewViewState) {
    frame.render_stateful_widget(ReviewScreen { review }, area, state);
}

/// The review screen as a widget, for drawing into a buffer directly.
pub struct ReviewScreen<'a> {
    pub review: &'a Review,
}

impl StatefulWidget for ReviewScreen<'_> {
    type State = ReviewViewState;

    fn render(self, area: Rect, buf: &mut Buffer, state: &mut ReviewViewState) {
        let review = self.review;
        let outer = Block::bordered()
            .title(Line::from(format!(" Review · {} ", range_title(review))).bold())
            .title_bottom(Line::from(format!(
                " as of {} ({}) ",
                show_local(review.now, review.tz),
                review.tz.name()
            )));
        let inner = outer.inner(area);
        outer.render(area, buf);

        let [top, trend, bottom] = Layout::vertical([
            Constraint::Length(10),
            Constraint::Length(12),
            Constraint::Fill(1),
        ])
        .areas(inner);
        let [figures, targets] =
            Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(top);
        let [list, risk] =
            Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)])
                .areas(bottom);

        figures_pane(review).render(figures, buf);
        within_target_chart(review, targets, buf);
        trend_chart(review, trend, buf);
        request_list(review, list, buf, state);
        at_risk_pane(review).render(risk, buf);
    }
}

fn pane(title: String) -> Block<'static> {
    Block::bordered().title(Line::from(title).bold())
}

fn figures_pane(review: &Review) -> Paragraph<'static> {
    let times = |label: &'static str, t: &super::ReplyTimes| {
        Line::from(vec![
            Span::styled(format!("{label:<13}"), Style::new().bold()),
            Span::raw(format!(
                "median {:<8} p90 {:<8} max {}",
                span(t.median_minutes),
                span(t.p90_minutes),
                span(t.max_minutes)
            )),
        ])
    };
    let row = |label: &'static str, text: String| {
        Line::from(vec![
            Span::styled(format!("{label:<13}"), Style::new().bold()),
            Span::raw(text),
        ])
    };
    let s = &review.sessions;
    Paragraph::new(vec![
        row("Requests", requests_line(review)),
        row("Ended", resolutions_line(review)),
        times("First reply", &review.first_reply),
        times(" work hours", &review.first_reply_working),
        row(
            "Sessions",
            format!(
                "{} held · moved {} by coach, {} by client",
                s.held, s.rescheduled_by_coach, s.rescheduled_by_client
            ),
        ),
        row(
            "",
            format!(
                "{} cancelled · {} no-show · {} apologies sent",
                s.cancelled, s.no_show, review.apologies_sent
            ),
        ),
        row("Promises", promises_line(review)),
        row("Follow-ups", followups_line(review)),
    ])
    .block(pane(" Figures ".into()))
}

/// Green when most were on time, yellow when some slipped, red below that.
fn share_colour(percent: u64) -> Color {
    match percent {
        90.. => Color::Green,
        75.. => Color::Yellow,
        _ => Color::Red,
    }
}

fn within_target_chart(review: &Review, area: Rect, buf: &mut Buffer) {
    let bars: Vec<Bar> = review
        .within_target
        .iter()
        .map(|share| {
            let (value, text, style) = match share.percent() {
                Some(p) => (
                    p,
                    format!("{p}% ({}/{})", share.met, share.total),
                    Style::new().fg(share_colour(p)),
                ),
                None => (0, "no requests".to_string(), Style::new()),
            };
            Bar::default()
                .label(Line::from(format!("{:<6}", share.urgency.as_str())))
                .value(value)
                .text_value(text)
                .style(style)
                .value_style(Style::new().add_modifier(Modifier::REVERSED))
        })
        .collect();
    BarChart::default()
        .block(pane(" Within target ".into()))
        .direction(Direction::Horizontal)
        .data(BarGroup::default().bars(&bars))
        .bar_width(1)
        .bar_gap(1)
        .max(100)
        .render(area, buf);
}

/// "45m", "2h05", "13h", "1d2h": fits on a bar six cells wide.
fn tiny_span(minutes: i64) -> String {
    match minutes {
        ..60 => format!("{minutes}m"),
        60..600 => format!("{}h{:02}", minutes / 60, minutes % 60),
        600..1440 => format!("{}h", minutes / 60),
        _ => format!("{}d{}h", minutes / 1440, (minutes % 1440) / 60),
    }
}

fn trend_chart(review: &Review, area: Rect, buf: &mut Buffer) {
    let days = review.daily_medians.len().max(1) as u16;
    const GAP: u16 = 2;
    let width = area.width.saturating_sub(2);
    let bar_width = ((width + GAP) / days).saturating_sub(GAP).clamp(3, 8);
    let bars: Vec<Bar> = review
        .daily_medians
        .iter()
        .map(|day| {
            let in_range = review.range.contains(day.date);
            let style = if in_range {
                Style::new().fg(Color::Cyan)
            } else {
                Style::new().fg(Color::Blue)
            };
            let bar = Bar::default()
                .label(Line::from(day.date.format("%a%d").to_string()))
                .style(style)
                .value_style(Style::new().add_modifier(Modifier::REVERSED));
            match day.median_minutes {
                // A zero-minute median still gets a sliver, so it shows its value.
                Some(m) => bar.value(m.max(1) as u64).text_value(tiny_span(m)),
                None => bar.value(0),
            }
        })
        .collect();
    let title = format!(
        " Median first reply per day, last {} days (bars: minutes; no bar: none answered) ",
        review.daily_medians.len()
    );
    BarChart::default()
        .block(pane(title))
        .data(BarGroup::default().bars(&bars))
        .bar_width(bar_width)
        .bar_gap(GAP)
        .render(area, buf);
}

/// Which part of the request list a row is in: it decides what the row shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ListPart {
    /// Waited and target.
    Breaches,
    /// Since when, how long so far, and whether overdue.
    Unanswered,
}

fn outcome_line(
    o: &RequestOutcome,
    review: &Review,
    part: ListPart,
    selected: bool,
) -> Line<'static> {
    let marker = if selected { "▶ " } else { "  " };
    let detail = match part {
        ListPart::Unanswered => format!(
            "since {}  {:<8}{}",
            super::utc(o.received_at)
                .with_timezone(&review.tz)
                .format("%d %b %H:%M"),
            span(o.waited_minutes),
            if o.overdue_at(review.now) {
                " overdue"
            } else {
                ""
            }
        ),
        ListPart::Breaches => {
            let how = o.resolution.short();
            format!(
                "{how:<8} {:<8} target {}",
                span(o.waited_minutes),
                span(Some(o.target_minutes))
            )
        }
    };
    let text = format!(
        "{marker}#{:<5} {:<18} {:<6} {detail}",
        o.id,
        fit(&o.client, 18),
        o.urgency.as_str()
    );
    let style = if selected {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    } else {
        Style::new()
    };
    Line::styled(text, style)
}

fn request_list(review: &Review, area: Rect, buf: &mut Buffer, state: &mut ReviewViewState) {
    let rows = request_rows(review);
    state.selected = state.selected.min(rows.len().saturating_sub(1));
    let mut lines: Vec<Line> = Vec::new();
    let mut selected_line = 0;
    let header = |text: String| Line::styled(text, Style::new().bold().underlined());
    lines.push(header(format!(
        "Breaches ({}): reply-by missed",
        review.breaches.len()
    )));
    if review.breaches.is_empty() {
        lines.push(Line::from("  none: every reply-by was met"));
    }
    for (index, o) in review.breaches.iter().enumerate() {
        if index == state.selected {
            selected_line = lines.len();
        }
        lines.push(outcome_line(
            o,
            review,
            ListPart::Breaches,
            index == state.selected,
        ));
    }
    lines.push(Line::from(""));
    lines.push(header(format!(
        "Still unanswered ({}), oldest first: received, waiting",
        review.unanswered.len()
    )));
    if review.unanswered.is_empty() {
        lines.push(Line::from("  none"));
    }
    for (n, o) in review.unanswered.iter().enumerate() {
        let index = review.breaches.len() + n;
        if index == state.selected {
            selected_line = lines.len();
        }
        lines.push(outcome_line(
            o,
            review,
            ListPart::Unanswered,
            index == state.selected,
        ));
    }

    let visible = area.height.saturating_sub(2) as usize;
    if selected_line < state.offset {
        state.offset = selected_line;
    } else if visible > 0 && selected_line >= state.offset + visible {
        state.offset = selected_line + 1 - visible;
    }
    state.offset = state.offset.min(lines.len().saturating_sub(visible.max(1)));
    let title = format!(
        " Requests {}/{} ",
        (state.selected + 1).min(rows.len()),
        rows.len()
    );
    Paragraph::new(lines)
        .block(pane(title))
        .scroll((state.offset.min(u16::MAX as usize) as u16, 0))
        .render(area, buf);
}

fn at_risk_pane(review: &Review) -> Paragraph<'static> {
    let mut lines = Vec::new();
    if review.at_risk.is_empty() {
        lines.push(Line::from("nobody"));
    }
    for a in &review.at_risk {
        lines.push(Line::styled(a.client.clone(), Style::new().bold()));
        for reason in &a.reasons {
            lines.push(Line::from(format!("  · {reason}")));
        }
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(pane(format!(" At risk ({}) ", review.at_risk.len())))
}

#[cfg(test)]
#[path = "view_tests.rs"]
mod tests;
