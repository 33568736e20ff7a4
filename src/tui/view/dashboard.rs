//! The three panes: today's sessions, open requests, overdue follow-ups.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState};

use crate::dashboard::short_span;
use crate::model::Urgency;
use crate::tui::layout;
use crate::tui::model::{Model, Pane};
use crate::tui::theme::Theme;
use crate::tui::view::text;

/// Below this inner width the requests pane drops its channel and age.
const WIDE: u16 = 80;

pub fn draw(frame: &mut Frame, main: Rect, model: &Model, theme: &Theme) {
    let [sessions_area, requests_area, followups_area] = layout::panes(main);
    sessions(frame, sessions_area, model, theme);
    requests(frame, requests_area, model, theme);
    followups(frame, followups_area, model, theme);
}

fn pane_block<'a>(title: Vec<Span<'a>>, focused: bool, theme: &Theme) -> Block<'a> {
    let mut spans = vec![Span::raw(" ")];
    spans.extend(title);
    spans.push(Span::raw(" "));
    Block::bordered()
        .border_style(theme.border(focused))
        .title(Line::from(spans).style(theme.title(focused)))
}

/// A column of a pane's table: its header and width on a wide pane, and
/// on a narrow one (`None`: not shown there).
struct Column {
    header: &'static str,
    wide: Constraint,
    narrow: Option<Constraint>,
}

impl Column {
    const fn new(header: &'static str, wide: Constraint, narrow: Constraint) -> Column {
        Column {
            header,
            wide,
            narrow: Some(narrow),
        }
    }

    const fn both(header: &'static str, width: Constraint) -> Column {
        Column::new(header, width, width)
    }

    const fn wide_only(header: &'static str, width: Constraint) -> Column {
        Column {
            header,
            wide: width,
            narrow: None,
        }
    }
}

/// The headers and widths of the columns a pane of this width shows.
fn columns(all: &[Column], wide: bool) -> (Vec<&'static str>, Vec<Constraint>) {
    all.iter()
        .filter_map(|c| {
            let width = if wide { Some(c.wide) } else { c.narrow };
            width.map(|w| (c.header, w))
        })
        .unzip()
}

/// Draws a pane's table of `len` rows, or a quiet note when it has none.
/// Only the rows in the window around `selected` are built (`row(i)` for
/// those `i`), so a pane of ten thousand requests costs what a full screen
/// of them does; the column widths come from the constraints, not the
/// rows, so the frame is the same as with every row built.
#[allow(clippy::too_many_arguments)]
fn pane_table<'a>(
    frame: &mut Frame,
    area: Rect,
    block: Block,
    header: Vec<&'static str>,
    widths: Vec<Constraint>,
    len: usize,
    row: impl Fn(usize) -> Row<'a>,
    selected: Option<usize>,
    focused: bool,
    empty: &str,
    theme: &Theme,
) {
    if len == 0 {
        let note =
            Paragraph::new(Line::from(Span::styled(empty.to_string(), theme.muted()))).block(block);
        frame.render_widget(note, area);
        return;
    }
    let highlight = if focused {
        theme.selected()
    } else {
        theme.selected_unfocused()
    };
    let visible = layout::visible_rows(area);
    let window = window(len, selected, visible);
    let rows: Vec<Row> = window.clone().map(row).collect();
    let mut table = Table::new(rows, widths).block(block);
    if layout::has_header(area) {
        table = table.header(Row::new(header).style(theme.header()));
    }
    let table = table.column_spacing(1).row_highlight_style(highlight);
    let mut state = TableState::new();
    if let Some(selected) = selected {
        state = state.with_selected(Some(selected.saturating_sub(window.start)));
    }
    frame.render_stateful_widget(table, area, &mut state);
}

/// The rows a pane of `len` rows shows: from the offset that keeps
/// `selected` in view ([`layout::table_offset`], which mouse clicks are
/// mapped back through), as many as fit.
fn window(len: usize, selected: Option<usize>, visible: usize) -> std::ops::Range<usize> {
    let start = selected
        .map_or(0, |selected| layout::table_offset(selected, visible))
        .min(len);
    start..len.min(start.saturating_add(visible.max(1)))
}

fn sessions(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let focused = model.focus == Pane::Sessions;
    let today = model.today();
    let mut title = vec![Span::raw("Sessions · "), Span::raw(text::day(model.day))];
    if model.day == today {
        title.push(Span::raw(" (today)"));
    }
    let Some(sheet) = &model.sheet else {
        let block = pane_block(title, focused, theme);
        frame.render_widget(pending(model, theme).block(block), area);
        return;
    };
    title.push(Span::raw(format!(" · {}", sheet.sessions.len())));
    let now_line = model.now_line_at();
    // The now line is a row of its own, between the sessions started and
    // those to come (after the last one too, but never alone).
    let now_line = now_line.filter(|_| !sheet.sessions.is_empty());
    let len = sheet.sessions.len() + usize::from(now_line.is_some());
    let row = |index: usize| -> Row {
        let index = match now_line {
            Some(at) if index == at => return now_row(model, theme),
            Some(at) if index > at => index - 1,
            _ => index,
        };
        let Some(row) = sheet.sessions.get(index) else {
            return Row::default();
        };
        let session = &row.session;
        let in_progress = session.start <= model.now && model.now < session.end();
        let past = session.end() <= model.now;
        let style = if past || !session.occupies_time() {
            theme.muted()
        } else {
            Style::new()
        };
        let mark = if in_progress { "▸" } else { " " };
        let status = session.status_short();
        Row::new(vec![
            Cell::from(mark),
            Cell::from(text::clock(session.start, model.tz)),
            Cell::from(format!("{}m", session.minutes)),
            client_cell(sheet, Some(session.client_id), &session.client_name, theme),
            Cell::from(status),
            warnings_cell(&row.warnings, row.context.as_deref(), theme),
        ])
        .style(style)
    };
    let cursor = model.cursor[Pane::Sessions];
    let selected = (!sheet.sessions.is_empty())
        .then(|| cursor + usize::from(now_line.is_some_and(|at| at <= cursor)));
    let empty = if model.day == today {
        "No sessions today."
    } else {
        "No sessions this day."
    };
    pane_table(
        frame,
        area,
        pane_block(title, focused, theme),
        vec!["", "time", "len", "client", "status", "warnings"],
        vec![
            Constraint::Length(1),
            Constraint::Length(5),
            Constraint::Length(4),
            Constraint::Fill(2),
            Constraint::Length(11),
            Constraint::Fill(3),
        ],
        len,
        row,
        selected,
        focused,
        empty,
        theme,
    );
}

/// The line between the sessions that have started and those to come.
fn now_row(model: &Model, theme: &Theme) -> Row<'static> {
    let rule = "─".repeat(120);
    Row::new(vec![
        Cell::from("─"),
        Cell::from(text::clock(model.now, model.tz)),
        Cell::from("now─"),
        Cell::from(rule.clone()),
        Cell::from(rule.clone()),
        Cell::from(rule),
    ])
    .style(theme.now_line())
}

fn requests(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let focused = model.focus == Pane::Requests;
    let mut title = vec![Span::raw("Open requests")];
    let Some(sheet) = &model.sheet else {
        let block = pane_block(title, focused, theme);
        frame.render_widget(pending(model, theme).block(block), area);
        return;
    };
    title.push(Span::raw(format!(" · {}", sheet.request_count())));
    let overdue = sheet.overdue_requests();
    if overdue > 0 {
        title.push(Span::raw(" · "));
        title.push(Span::styled(format!("{overdue} overdue"), theme.overdue()));
    }
    // Put aside is not forgotten: the title counts them.
    if !sheet.snoozed.is_empty() {
        title.push(Span::raw(format!(" · {} snoozed", sheet.snoozed.len())));
    }
    if !sheet.waiting.is_empty() {
        title.push(Span::raw(format!(" · {} waiting", sheet.waiting.len())));
    }
    let wide = area.width.saturating_sub(2) >= WIDE;
    let row = |index: usize| -> Row {
        let Some(row) = sheet.requests.get(index) else {
            return Row::default();
        };
        {
            let request = &row.request;
            let (mark, left_style) = if row.overdue {
                ("!", theme.overdue())
            } else if row.warn() {
                ("~", theme.warn())
            } else {
                (" ", Style::new())
            };
            let urgency_style = match request.urgency {
                Urgency::Crisis => theme.crisis(),
                Urgency::Urgent => theme.label(),
                _ => Style::new(),
            };
            let mut cells = vec![
                Cell::from(Span::styled(mark, left_style)),
                Cell::from(Span::styled(short_span(row.minutes_left), left_style)),
                Cell::from(Span::styled(request.urgency.as_str(), urgency_style)),
                client_cell(sheet, request.client_id, &request.client_name, theme),
            ];
            if wide {
                cells.push(Cell::from(request.channel.as_str()));
                cells.push(Cell::from(short_span(
                    (model.now - request.received_at).num_minutes(),
                )));
            }
            // A reply that has not reached the client does not answer it.
            let mut text = Vec::new();
            if let Some(state) = request.undelivered {
                text.push(Span::styled(format!("[reply {state}] "), theme.error()));
            }
            // What is at stake for the client comes first: it decides how
            // serious the wait is.
            if let Some(context) = &row.context {
                text.push(Span::styled(
                    format!("{CONTEXT_MARK}{context} · "),
                    theme.label(),
                ));
            }
            text.push(Span::raw(request.summary()));
            cells.push(Cell::from(Line::from(text)));
            Row::new(cells)
        }
    };
    let (header, widths) = columns(
        &[
            Column::both("", Constraint::Length(1)),
            Column::both("left", Constraint::Length(8)),
            Column::both("urgency", Constraint::Length(7)),
            Column::both("client", Constraint::Fill(2)),
            Column::wide_only("channel", Constraint::Length(9)),
            Column::wide_only("age", Constraint::Length(7)),
            Column::new("text", Constraint::Fill(5), Constraint::Fill(3)),
        ],
        wide,
    );
    let selected = (!sheet.requests.is_empty()).then_some(model.cursor[Pane::Requests]);
    pane_table(
        frame,
        area,
        pane_block(title, focused, theme),
        header,
        widths,
        sheet.requests.len(),
        row,
        selected,
        focused,
        "No request is waiting for an answer.",
        theme,
    );
}

fn followups(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let focused = model.focus == Pane::FollowUps;
    let mut title = vec![Span::raw("Follow-ups due")];
    let Some(sheet) = &model.sheet else {
        let block = pane_block(title, focused, theme);
        frame.render_widget(pending(model, theme).block(block), area);
        return;
    };
    title.push(Span::raw(format!(" · {}", sheet.followups.len())));
    let overdue = sheet.overdue_followups();
    if overdue > 0 {
        title.push(Span::raw(" · "));
        title.push(Span::styled(format!("{overdue} overdue"), theme.overdue()));
    }
    let today = model.today();
    let wide = area.width.saturating_sub(2) >= WIDE;
    let row = |index: usize| -> Row {
        let Some(row) = sheet.followups.get(index) else {
            return Row::default();
        };
        {
            let followup = &row.followup;
            let (mark, style) = if row.overdue {
                ("!", theme.overdue())
            } else {
                (" ", Style::new())
            };
            let due = if crate::domain::when::local_date(followup.due, model.tz) == today {
                text::clock(followup.due, model.tz)
            } else {
                followup
                    .due
                    .with_timezone(&model.tz)
                    .format("%a %d %b")
                    .to_string()
            };
            let mut cells = vec![
                Cell::from(Span::styled(mark, style)),
                Cell::from(Span::styled(due, style)),
                Cell::from(followup.owner.as_str()),
            ];
            if wide {
                cells.push(Cell::from(followup.kind.as_str()));
            }
            cells.push(client_cell(
                sheet,
                Some(followup.client_id),
                &followup.client_name,
                theme,
            ));
            cells.push(Cell::from(
                followup.text.lines().next().unwrap_or("").to_string(),
            ));
            Row::new(cells)
        }
    };
    let (header, widths) = columns(
        &[
            Column::both("", Constraint::Length(1)),
            Column::both("due", Constraint::Length(10)),
            Column::both("owner", Constraint::Length(6)),
            Column::wide_only("kind", Constraint::Length(9)),
            Column::both("client", Constraint::Fill(2)),
            Column::new("what", Constraint::Fill(4), Constraint::Fill(3)),
        ],
        wide,
    );
    let selected = (!sheet.followups.is_empty()).then_some(model.cursor[Pane::FollowUps]);
    pane_table(
        frame,
        area,
        pane_block(title, focused, theme),
        header,
        widths,
        sheet.followups.len(),
        row,
        selected,
        focused,
        "Nothing overdue or due today.",
        theme,
    );
}

/// What a pane shows before its day is loaded: "loading…", or why the day
/// cannot be shown.
fn pending<'a>(model: &'a Model, theme: &Theme) -> Paragraph<'a> {
    match &model.day_error {
        None => Paragraph::new("loading…"),
        Some(reason) => Paragraph::new(vec![
            Line::from(Span::styled("cannot show this day:", theme.error())),
            Line::from(crate::text::visible_line(reason).into_owned()),
        ])
        .wrap(ratatui::widgets::Wrap { trim: true }),
    }
}

/// Marks a client's context note ("what is at stake now") on a row.
pub const CONTEXT_MARK: &str = "◆ ";

/// A session's warnings, then what is at stake for the client. The table
/// cuts the cell to its column by display width.
fn warnings_cell(warnings: &[String], context: Option<&str>, theme: &Theme) -> Cell<'static> {
    let mut spans = vec![Span::styled(warnings.join(", "), theme.warn())];
    if let Some(context) = context {
        if !warnings.is_empty() {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(
            format!("{CONTEXT_MARK}{context}"),
            theme.label(),
        ));
    }
    Cell::from(Line::from(spans))
}

/// Marks an at-risk client where the coach looks; `A` lists the reasons.
pub const AT_RISK_MARK: &str = "⚑ ";

/// A client's name, marked when they are at risk.
fn client_cell(
    sheet: &crate::dashboard::DaySheet,
    client_id: Option<crate::model::ClientId>,
    name: &str,
    theme: &Theme,
) -> Cell<'static> {
    if sheet.risk_of(client_id).is_empty() {
        return Cell::from(name.to_string());
    }
    Cell::from(Line::from(vec![
        Span::styled(AT_RISK_MARK, theme.warn()),
        Span::raw(name.to_string()),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn item(index: usize) -> Row<'static> {
        Row::new(vec![
            Cell::from(format!("{index}")),
            Cell::from(format!("request number {index}")),
        ])
    }

    fn widths() -> Vec<Constraint> {
        vec![Constraint::Length(4), Constraint::Fill(1)]
    }

    /// The frame as it was drawn before the window: every row built, the
    /// table scrolled to the same offset.
    fn every_row(frame: &mut Frame, len: usize, selected: Option<usize>, theme: &Theme) {
        let area = frame.area();
        let mut table = Table::new((0..len).map(item), widths()).block(Block::bordered());
        if layout::has_header(area) {
            table = table.header(Row::new(vec!["#", "text"]).style(theme.header()));
        }
        let table = table
            .column_spacing(1)
            .row_highlight_style(theme.selected());
        let mut state = TableState::new();
        if let Some(selected) = selected {
            let offset = layout::table_offset(selected, layout::visible_rows(area));
            state = state.with_offset(offset).with_selected(Some(selected));
        }
        frame.render_stateful_widget(table, area, &mut state);
    }

    #[test]
    fn the_window_draws_the_same_frame_as_every_row() {
        let theme = Theme::colored();
        for height in [3u16, 5, 7, 12, 40] {
            for len in [1usize, 2, 6, 11, 38, 61] {
                for selected in (0..len).map(Some).chain([None]) {
                    let mut windowed = Terminal::new(TestBackend::new(30, height)).unwrap();
                    windowed
                        .draw(|frame| {
                            let area = frame.area();
                            pane_table(
                                frame,
                                area,
                                Block::bordered(),
                                vec!["#", "text"],
                                widths(),
                                len,
                                item,
                                selected,
                                true,
                                "empty",
                                &theme,
                            );
                        })
                        .unwrap();
                    let mut reference = Terminal::new(TestBackend::new(30, height)).unwrap();
                    reference
                        .draw(|frame| every_row(frame, len, selected, &theme))
                        .unwrap();
                    assert_eq!(
                        windowed.backend().buffer(),
                        reference.backend().buffer(),
                        "height {height}, {len} rows, selected {selected:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_window_holds_the_selection_and_fits_the_pane() {
        assert_eq!(window(200, Some(0), 10), 0..10);
        assert_eq!(window(200, Some(9), 10), 0..10);
        assert_eq!(window(200, Some(10), 10), 1..11);
        assert_eq!(window(200, Some(199), 10), 190..200);
        assert_eq!(window(5, Some(4), 10), 0..5);
        assert_eq!(window(5, None, 10), 0..5);
        // A pane with no room still shows the selected row.
        assert_eq!(window(5, Some(3), 0), 3..4);
    }
}
