//! Where things go on the screen. Pure geometry, shared by the view (to draw)
//! and by `update` (to hit-test mouse clicks and bound scrolling), so the two
//! never disagree.

use ratatui::layout::{Constraint, Layout, Rect};

/// Below this the dashboard is replaced by a "terminal too small" note.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// The status bar: counts and notice, then key hints.
pub const STATUS_HEIGHT: u16 = 2;

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// The main area and the status bar.
pub fn screen(area: Rect) -> (Rect, Rect) {
    let [main, status] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(STATUS_HEIGHT)]).areas(area);
    (main, status)
}

/// The three panes, stacked so each gets the full width for its text.
pub fn panes(main: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Fill(3),
        Constraint::Fill(4),
        Constraint::Fill(3),
    ])
    .areas(main)
}

/// Whether a pane is tall enough to spend a row on column headers.
pub fn has_header(pane: Rect) -> bool {
    pane.height >= 7
}

/// Rows of a pane's table that show items: minus borders and the header.
pub fn visible_rows(pane: Rect) -> usize {
    pane.height.saturating_sub(2 + u16::from(has_header(pane))) as usize
}

/// The screen row of the first item in a pane's table.
pub fn first_row_y(pane: Rect) -> u16 {
    pane.y + 1 + u16::from(has_header(pane))
}

/// The first table row shown so that `selected` is visible; the view draws
/// with it and mouse clicks are mapped back through it.
pub fn table_offset(selected: usize, visible: usize) -> usize {
    (selected + 1).saturating_sub(visible.max(1))
}

/// Lines of text visible inside a bordered full-screen view.
pub fn detail_body(main: Rect) -> Rect {
    main.inner(ratatui::layout::Margin::new(1, 1))
}

/// The help popup.
pub fn help_popup(area: Rect) -> Rect {
    let width = area.width.saturating_sub(4).min(72);
    let height = area.height.saturating_sub(2).min(40);
    area.centered(Constraint::Length(width), Constraint::Length(height))
}

/// The find-client prompt.
pub fn prompt_popup(area: Rect) -> Rect {
    let width = area.width.saturating_sub(4).min(50);
    let height = area.height.saturating_sub(2).min(12);
    area.centered(Constraint::Length(width), Constraint::Length(height))
}

/// The whole terminal as a rectangle.
pub fn full(size: (u16, u16)) -> Rect {
    Rect::new(0, 0, size.0, size.1)
}
