//! The three panes: today's sessions, open requests, overdue follow-ups.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

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
    pane_frame(title, focused, theme).block()
}

fn pane_frame<'a>(title: Vec<Span<'a>>, focused: bool, theme: &Theme) -> PaneFrame<'a> {
    let mut spans = vec![Span::raw(" ")];
    spans.extend(title);
    spans.push(Span::raw(" "));
    PaneFrame {
        border: theme.border(focused),
        title: Some(Line::from(spans).style(theme.title(focused))),
    }
}

/// A pane's frame: a plain border all round in `border`'s style, and
/// `title` on its top edge from the left: the block `block` makes, drawn
/// by `render` without the block's pass over every cell of the pane to lay
/// its own style, which a pane's block does not have (a few hundred
/// thousand instructions a frame). `tests::a_pane_frame_is_drawn_as_its_block`
/// holds the two together.
#[derive(Debug, Clone, Default)]
struct PaneFrame<'a> {
    border: Style,
    title: Option<Line<'a>>,
}

impl<'a> PaneFrame<'a> {
    fn block(self) -> Block<'a> {
        let block = Block::bordered().border_style(self.border);
        match self.title {
            Some(title) => block.title(title),
            None => block,
        }
    }

    /// The area inside the border.
    fn inner(area: Rect) -> Rect {
        Block::bordered().inner(area)
    }

    /// Draw the frame as `Block::render` draws `self.block()`: the sides,
    /// then the corners over their ends, then the title.
    fn render(&self, area: Rect, buf: &mut ratatui::buffer::Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let set = ratatui::symbols::border::PLAIN;
        let (left, top) = (area.left(), area.top());
        let right = area.right().saturating_sub(1);
        let bottom = area.bottom().saturating_sub(1);
        let mut put = |x: u16, y: u16, symbol: &str| {
            if let Some(cell) = buf.cell_mut((x, y)) {
                cell.set_symbol(symbol).set_style(self.border);
            }
        };
        for y in top..=bottom {
            put(left, y, set.vertical_left);
        }
        for x in left..=right {
            put(x, top, set.horizontal_top);
        }
        for y in top..=bottom {
            put(right, y, set.vertical_right);
        }
        for x in left..=right {
            put(x, bottom, set.horizontal_bottom);
        }
        put(right, bottom, set.bottom_right);
        put(right, top, set.top_right);
        put(left, bottom, set.bottom_left);
        put(left, top, set.top_left);
        if let Some(title) = &self.title {
            // Between the side borders, as wide as the title.
            let width = u16::try_from(title.width()).unwrap_or(u16::MAX);
            let room = area.width.saturating_sub(2);
            if room > 0 {
                let title_area = Rect::new(left.saturating_add(1), top, width.min(room), 1);
                super::plain::render_line(title, title_area, buf);
            }
        }
    }
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
    pane: PaneFrame,
    header: Vec<&'static str>,
    widths: Vec<Constraint>,
    len: usize,
    row: impl Fn(usize) -> PaneRow<'a>,
    selected: Option<usize>,
    focused: bool,
    empty: &str,
    theme: &Theme,
) {
    if len == 0 {
        let note = Paragraph::new(Line::from(Span::styled(empty.to_string(), theme.muted())))
            .block(pane.block());
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
    let rows: Vec<PaneRow> = window.clone().map(row).collect();
    let header = layout::has_header(area).then(|| PaneRow {
        cells: header.into_iter().map(Line::from).collect(),
        style: theme.header(),
    });
    let selected = selected.map(|selected| selected.saturating_sub(window.start));
    #[cfg(test)]
    if layout::SOLVER.get() {
        tests::draw_with_ratatui(
            frame,
            area,
            pane.block(),
            header,
            widths,
            rows,
            selected,
            highlight,
        );
        return;
    }
    let table = PaneTable {
        pane,
        header,
        widths,
        rows,
        selected,
        highlight,
    };
    table.render(area, frame.buffer_mut());
}

/// A row of a pane's table: one line per cell, and the row's style.
#[derive(Default)]
struct PaneRow<'a> {
    cells: Vec<Line<'a>>,
    style: Style,
}

impl<'a> PaneRow<'a> {
    fn new(cells: Vec<Line<'a>>) -> PaneRow<'a> {
        PaneRow {
            cells,
            style: Style::new(),
        }
    }

    fn style(self, style: Style) -> PaneRow<'a> {
        PaneRow { style, ..self }
    }
}

/// A pane's table: drawn as ratatui's `Table` draws it (one row per item,
/// columns one cell apart, the selected row highlighted), with the columns
/// placed by `layout::columns`' arithmetic instead of the layout solver.
/// `tests::the_pane_table_is_ratatuis_table` holds the two together.
struct PaneTable<'a> {
    pane: PaneFrame<'a>,
    header: Option<PaneRow<'a>>,
    widths: Vec<Constraint>,
    /// The rows shown, from the top of the pane.
    rows: Vec<PaneRow<'a>>,
    /// Which of `rows` is selected.
    selected: Option<usize>,
    highlight: Style,
}

impl PaneTable<'_> {
    fn render(&self, area: Rect, buf: &mut ratatui::buffer::Buffer) {
        self.pane.render(area, buf);
        let inner = PaneFrame::inner(area);
        if inner.is_empty() {
            return;
        }
        let columns = layout::columns(&self.widths, inner.width, 1).unwrap_or_else(|| {
            ratatui::layout::Layout::horizontal(self.widths.clone())
                .flex(ratatui::layout::Flex::Start)
                .spacing(1)
                .split(Rect::new(0, 0, inner.width, 1))
                .iter()
                .map(|r| (r.x, r.width))
                .collect()
        });
        let mut top = inner.y;
        if let Some(header) = &self.header {
            let line = Rect { height: 1, ..inner };
            Self::render_row(header, line, &columns, buf);
            top += 1;
        }
        let rows = Rect {
            y: top,
            height: inner.bottom().saturating_sub(top),
            ..inner
        };
        let selected = self
            .selected
            .map(|at| at.min(self.rows.len().saturating_sub(1)));
        for (at, (row, y)) in self.rows.iter().zip(rows.rows()).enumerate() {
            Self::render_row(row, y, &columns, buf);
            if selected == Some(at) {
                buf.set_style(y, self.highlight);
            }
        }
    }

    fn render_row(
        row: &PaneRow,
        area: Rect,
        columns: &[(u16, u16)],
        buf: &mut ratatui::buffer::Buffer,
    ) {
        super::plain::set_style(buf, area, row.style);
        for (cell, (x, width)) in row.cells.iter().zip(columns) {
            let cell_area = Rect::new(area.x.saturating_add(*x), area.y, *width, area.height);
            super::plain::render_line(cell, cell_area, buf);
        }
    }
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
    let row = |index: usize| -> PaneRow {
        let index = match now_line {
            Some(at) if index == at => return now_row(model, theme),
            Some(at) if index > at => index - 1,
            _ => index,
        };
        let Some(row) = sheet.sessions.get(index) else {
            return PaneRow::default();
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
        PaneRow::new(vec![
            Line::from(mark),
            Line::from(text::clock(session.start, model.tz)),
            Line::from(format!("{}m", session.minutes)),
            client_cell(sheet, Some(session.client_id), &session.client_name, theme),
            Line::from(status),
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
        pane_frame(title, focused, theme),
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
fn now_row(model: &Model, theme: &Theme) -> PaneRow<'static> {
    let rule = "─".repeat(120);
    PaneRow::new(vec![
        Line::from("─"),
        Line::from(text::clock(model.now, model.tz)),
        Line::from("now─"),
        Line::from(rule.clone()),
        Line::from(rule.clone()),
        Line::from(rule),
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
    let row = |index: usize| -> PaneRow {
        let Some(row) = sheet.requests.get(index) else {
            return PaneRow::default();
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
                Line::from(Span::styled(mark, left_style)),
                Line::from(Span::styled(short_span(row.minutes_left), left_style)),
                Line::from(Span::styled(request.urgency.as_str(), urgency_style)),
                client_cell(sheet, request.client_id, &request.client_name, theme),
            ];
            if wide {
                cells.push(Line::from(request.channel.as_str()));
                cells.push(Line::from(short_span(
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
            cells.push(Line::from(text));
            PaneRow::new(cells)
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
        pane_frame(title, focused, theme),
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
    let row = |index: usize| -> PaneRow {
        let Some(row) = sheet.followups.get(index) else {
            return PaneRow::default();
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
                Line::from(Span::styled(mark, style)),
                Line::from(Span::styled(due, style)),
                Line::from(followup.owner.as_str()),
            ];
            if wide {
                cells.push(Line::from(followup.kind.as_str()));
            }
            cells.push(client_cell(
                sheet,
                Some(followup.client_id),
                &followup.client_name,
                theme,
            ));
            cells.push(Line::from(
                followup.text.lines().next().unwrap_or("").to_string(),
            ));
            PaneRow::new(cells)
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
        pane_frame(title, focused, theme),
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
fn warnings_cell(warnings: &[String], context: Option<&str>, theme: &Theme) -> Line<'static> {
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
    Line::from(spans)
}

/// Marks an at-risk client where the coach looks; `A` lists the reasons.
pub const AT_RISK_MARK: &str = "⚑ ";

/// A client's name, marked when they are at risk.
fn client_cell(
    sheet: &crate::dashboard::DaySheet,
    client_id: Option<crate::model::ClientId>,
    name: &str,
    theme: &Theme,
) -> Line<'static> {
    if sheet.risk_of(client_id).is_empty() {
        return Line::from(name.to_string());
    }
    Line::from(vec![
        Span::styled(AT_RISK_MARK, theme.warn()),
        Span::raw(name.to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::{Cell, Row, Table, TableState};

    /// The same rows through ratatui's `Table` and its layout solver: how
    /// the panes were drawn before `PaneTable`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn draw_with_ratatui(
        frame: &mut Frame,
        area: Rect,
        block: Block,
        header: Option<PaneRow>,
        widths: Vec<Constraint>,
        rows: Vec<PaneRow>,
        selected: Option<usize>,
        highlight: Style,
    ) {
        let mut table = Table::new(rows.into_iter().map(ratatui_row), widths).block(block);
        if let Some(header) = header {
            table = table.header(ratatui_row(header));
        }
        let table = table.column_spacing(1).row_highlight_style(highlight);
        let mut state = TableState::new().with_selected(selected);
        frame.render_stateful_widget(table, area, &mut state);
    }

    fn ratatui_row(row: PaneRow) -> Row {
        Row::new(row.cells.into_iter().map(Cell::from)).style(row.style)
    }

    fn item(index: usize) -> PaneRow<'static> {
        PaneRow::new(vec![
            Line::from(format!("{index}")),
            Line::from(vec![
                Span::styled(format!("request {index}"), Style::new().bold()),
                Span::raw(" number ⚑ with a longer text than fits"),
            ]),
        ])
        .style(if index.is_multiple_of(3) {
            Style::new().dim()
        } else {
            Style::new()
        })
    }

    fn widths() -> Vec<Constraint> {
        vec![Constraint::Length(4), Constraint::Fill(1)]
    }

    /// The frame as it was drawn before the window: every row built, the
    /// table scrolled to the same offset.
    fn every_row(frame: &mut Frame, len: usize, selected: Option<usize>, theme: &Theme) {
        let area = frame.area();
        let mut table =
            Table::new((0..len).map(item).map(ratatui_row), widths()).block(Block::bordered());
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

    /// A pane's frame, drawn over what was there, is its block's: in
    /// every size from nothing to wider than the title, with plain and
    /// wide titles, none, and titles wider than the pane.
    #[test]
    fn a_pane_frame_is_drawn_as_its_block() {
        use ratatui::buffer::Buffer;
        use ratatui::widgets::Widget as _;
        let theme = Theme::colored();
        let titles: [Option<Vec<Span>>; 5] = [
            None,
            Some(vec![]),
            Some(vec![Span::raw("Open requests · 12")]),
            Some(vec![Span::raw("日本 ⚑"), Span::styled("x", theme.warn())]),
            Some(vec![Span::raw("a title far wider than any pane here")]),
        ];
        let screen = Rect::new(0, 0, 14, 6);
        for title in &titles {
            for focused in [false, true] {
                for (x, y, width, height) in (0..16u16).flat_map(|w| {
                    (0..8u16).flat_map(move |h| [(0, 0, w, h), (1, 2, w, h), (13, 5, w, h)])
                }) {
                    let pane = match title {
                        Some(title) => pane_frame(title.clone(), focused, &theme),
                        None => PaneFrame::default(),
                    };
                    let area = Rect::new(x, y, width, height);
                    let mut before = Buffer::empty(screen);
                    before.set_string(0, 1, "xxxxxxxxxxxxxx", theme.muted());
                    let mut ours = before.clone();
                    let mut theirs = before;
                    pane.render(area, &mut ours);
                    pane.clone().block().render(area, &mut theirs);
                    assert_eq!(ours, theirs, "{title:?} in {area:?}");
                    assert_eq!(PaneFrame::inner(area), pane.block().inner(area), "{area:?}");
                }
            }
        }
    }

    #[test]
    fn the_window_draws_the_same_frame_as_every_row() {
        let theme = Theme::colored();
        for (width, height) in [(30u16, 3u16), (3, 5), (30, 7), (57, 12), (120, 40), (12, 9)] {
            for len in [1usize, 2, 6, 11, 38, 61] {
                for selected in (0..len).map(Some).chain([None]) {
                    let mut windowed = Terminal::new(TestBackend::new(width, height)).unwrap();
                    windowed
                        .draw(|frame| {
                            let area = frame.area();
                            pane_table(
                                frame,
                                area,
                                PaneFrame::default(),
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
                    let mut reference = Terminal::new(TestBackend::new(width, height)).unwrap();
                    reference
                        .draw(|frame| every_row(frame, len, selected, &theme))
                        .unwrap();
                    assert_eq!(
                        windowed.backend().buffer(),
                        reference.backend().buffer(),
                        "{width}x{height}, {len} rows, selected {selected:?}"
                    );
                }
            }
        }
    }

    /// The demo book's dashboard, drawn by arithmetic and by ratatui's
    /// `Table` and layout solver, is the same frame at every size from
    /// 20x5 to 300x100, whichever pane has the focus and wherever its
    /// cursor is.
    #[test]
    fn the_pane_table_is_ratatuis_table() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::store::Store::open(&dir.path().join("book.sqlite")).unwrap();
        let config = crate::config::Config::parse(
            "[coach]\ntime_zone = \"Europe/Berlin\"\n",
            "t.toml".as_ref(),
        )
        .unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-23T14:20:00+01:00")
            .unwrap()
            .with_timezone(&chrono::Utc);
        crate::demo::generate(&mut store, &config, now).unwrap();
        let date = crate::domain::when::local_date(now, config.tz);
        let sheet = crate::dashboard::load(&store, &config, date, now).unwrap();
        assert!(sheet.requests.len() > 8, "{}", sheet.requests.len());
        let keymap = std::sync::Arc::new(crate::tui::keymap::Keymap::defaults());
        let theme = Theme::colored();
        let widths = [
            20u16, 39, 40, 41, 57, 60, 79, 80, 81, 82, 83, 90, 101, 120, 157, 200, 300,
        ];
        let heights = [5u16, 9, 10, 11, 12, 15, 16, 17, 24, 33, 40, 41, 57, 63, 100];
        let mut drawn = 0;
        for (n, (width, height)) in widths
            .iter()
            .flat_map(|w| heights.iter().map(move |h| (*w, *h)))
            .enumerate()
        {
            let mut model = Model::new(now, config.tz, (width, height), keymap.clone());
            model.sheet = Some(sheet.clone());
            model.focus = Pane::ALL[n % 3];
            model.cursor[Pane::Requests] = n % sheet.requests.len();
            model.cursor[Pane::Sessions] = n % (sheet.sessions.len() + 1);
            let frame_of = |solver: bool| {
                layout::SOLVER.set(solver);
                let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
                terminal
                    .draw(|frame| crate::tui::view::draw(frame, &model, &theme))
                    .unwrap();
                layout::SOLVER.set(false);
                terminal.backend().buffer().clone()
            };
            assert_eq!(frame_of(false), frame_of(true), "{width}x{height}");
            drawn += 1;
        }
        assert_eq!(drawn, widths.len() * heights.len());
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
