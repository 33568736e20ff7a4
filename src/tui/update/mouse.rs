//! Mouse clicks (only with --mouse).

use super::*;

/// A click focuses the pane under it and selects the row; a click on the
/// row already selected opens it.
pub(super) fn click(model: &mut Model, column: u16, row: u16) -> Vec<Effect> {
    if model.overlay != Overlay::None || model.screen != Screen::Dashboard {
        return Vec::new();
    }
    let area = layout::full(model.size);
    if layout::too_small(area) {
        return Vec::new();
    }
    let (main, _) = layout::screen(area);
    let position = ratatui::layout::Position::new(column, row);
    let Some((pane, rect)) = Pane::ALL
        .into_iter()
        .zip(layout::panes(main))
        .find(|(_, rect)| rect.contains(position))
    else {
        return Vec::new();
    };
    model.focus = pane;
    // Rows start below the top border and the header.
    let Some(visual) = row.checked_sub(layout::first_row_y(rect)).map(usize::from) else {
        return Vec::new();
    };
    let visible = layout::visible_rows(rect);
    if visual >= visible {
        return Vec::new();
    }
    let now_line = if pane == Pane::Sessions {
        model.now_line_at()
    } else {
        None
    };
    let cursor = model.cursor[pane];
    let selected_visual = cursor + usize::from(now_line.is_some_and(|at| at <= cursor));
    let offset = layout::table_offset(selected_visual, visible);
    let table_row = offset + visual;
    let index = match now_line {
        Some(at) if table_row == at => return Vec::new(),
        Some(at) if table_row > at => table_row - 1,
        _ => table_row,
    };
    if index >= model.rows(pane) {
        return Vec::new();
    }
    if index == cursor {
        return open(model);
    }
    model.cursor[pane] = index;
    Vec::new()
}
