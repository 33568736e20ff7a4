//! A form in a popup: its lines wrapped in a bordered box sized to them,
//! with the terminal cursor on the focused field (the follow-up and session
//! forms).

use ratatui::Frame;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::tui::theme::Theme;

/// Draw `lines` in a box titled `title` with `bottom` hints; `cursor` is
/// (line, display column) of the focused field, if it takes text.
pub fn draw_popup(
    frame: &mut Frame,
    area: Rect,
    lines: Vec<Line<'static>>,
    cursor: Option<(usize, usize)>,
    title: String,
    bottom: String,
    theme: &Theme,
) {
    let width = area.width.saturating_sub(4).min(76);
    let inner = usize::from(width.saturating_sub(2).max(1));
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let height = (rows as u16 + 2).min(area.height.saturating_sub(2));
    let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Line::from(title).style(theme.title(true)))
        .title_bottom(Line::from(bottom).style(theme.muted()));
    let inside = block.inner(popup);
    // Rows taken by the wrapped lines above the focused field.
    let cursor = cursor.map(|(line, column)| {
        let above: usize = lines
            .iter()
            .take(line)
            .map(|l| l.width().max(1).div_ceil(inner))
            .sum();
        (above, column)
    });
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
    if let Some((row, column)) = cursor
        && let Ok(row) = u16::try_from(row)
        && row < inside.height
        && inside.width > 0
    {
        let column = u16::try_from(column).unwrap_or(u16::MAX);
        let x = inside
            .x
            .saturating_add(column)
            .min(inside.right().saturating_sub(1));
        frame.set_cursor_position(Position::new(x, inside.y + row));
    }
}
