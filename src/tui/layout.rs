//! Where things go on the screen. Pure geometry, shared by the view (to draw)
//! and by `update` (to hit-test mouse clicks and bound scrolling), so the two
//! never disagree.

use ratatui::layout::{Constraint, Rect};

/// Below this the dashboard is replaced by a "terminal too small" note.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// The status bar: counts and notice, then key hints.
pub const STATUS_HEIGHT: u16 = 2;

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

// Tests draw with ratatui's layout solver too, to compare the frames.
#[cfg(test)]
thread_local! {
    pub static SOLVER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The main area and the status bar: what ratatui's layout solver makes of
/// `[Fill(1), Length(STATUS_HEIGHT)]`, by arithmetic (the first frame draws
/// without waiting for the solver; `tests::the_arithmetic_is_the_solvers`).
pub fn screen(area: Rect) -> (Rect, Rect) {
    #[cfg(test)]
    if SOLVER.get() {
        let [main, status] = ratatui::layout::Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(STATUS_HEIGHT),
        ])
        .areas(area);
        return (main, status);
    }
    let status = STATUS_HEIGHT.min(area.height);
    let main = Rect {
        height: area.height - status,
        ..area
    };
    let status = Rect {
        y: area.y + main.height,
        height: status,
        ..area
    };
    (main, status)
}

/// The three panes, stacked so each gets the full width for its text: the
/// solver's `[Fill(3), Fill(4), Fill(3)]`, by arithmetic.
pub fn panes(main: Rect) -> [Rect; 3] {
    #[cfg(test)]
    if SOLVER.get() {
        return ratatui::layout::Layout::vertical([
            Constraint::Fill(3),
            Constraint::Fill(4),
            Constraint::Fill(3),
        ])
        .areas(main);
    }
    let height = u32::from(main.height);
    let first = solver_round(height * 3, 10);
    let second = solver_round(height * 7, 10);
    let row = |from: u16, to: u16| Rect {
        y: main.y + from,
        height: to - from,
        ..main
    };
    [row(0, first), row(first, second), row(second, main.height)]
}

/// `numerator / denominator` rounded as ratatui's solver rounds an edge:
/// to hundredths of a cell, then to a cell, each half away from zero.
fn solver_round(numerator: u32, denominator: u32) -> u16 {
    let denominator = u64::from(denominator.max(1));
    let hundredths = (200 * u64::from(numerator) + denominator) / (2 * denominator);
    u16::try_from((hundredths + 50) / 100).unwrap_or(u16::MAX)
}

/// The columns (x from the table's left edge, width) of a table `width`
/// cells wide whose columns are `Length`s and `Fill`s, `spacing` apart,
/// placed from the start (ratatui's `Table` default): what the solver makes
/// of them, by arithmetic. `None` when the lengths do not fit or another
/// kind of constraint is asked for; the solver decides then.
pub fn columns(widths: &[Constraint], width: u16, spacing: u16) -> Option<Vec<(u16, u16)>> {
    let gaps = u32::from(spacing) * u32::try_from(widths.len().saturating_sub(1)).ok()?;
    let mut lengths = 0u32;
    let mut weights = 0u32;
    for constraint in widths {
        match constraint {
            Constraint::Length(n) => lengths += u32::from(*n),
            Constraint::Fill(w) if *w > 0 => weights += u32::from(*w),
            _ => return None,
        }
    }
    let rest = u32::from(width).checked_sub(lengths + gaps)?;
    if weights == 0 && rest > 0 {
        return None;
    }
    // Edges in cells times `weights` (exact), rounded as the solver rounds.
    let scale = weights.max(1);
    let mut at = 0u32;
    let mut columns = Vec::with_capacity(widths.len());
    for (index, constraint) in widths.iter().enumerate() {
        if index > 0 {
            at += u32::from(spacing) * scale;
        }
        let start = at;
        at += match constraint {
            Constraint::Length(n) => u32::from(*n) * scale,
            Constraint::Fill(w) => rest * u32::from(*w),
            _ => return None,
        };
        let (x, end) = (solver_round(start, scale), solver_round(at, scale));
        columns.push((x, end.saturating_sub(x)));
    }
    Some(columns)
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

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::{Flex, Layout};

    /// Every size a terminal may have (and more): the arithmetic gives the
    /// rectangles ratatui's solver gives, anywhere on the screen.
    #[test]
    fn the_arithmetic_is_the_solvers() {
        for height in 0..=300u16 {
            {
                let area = Rect::new(height % 7, height % 5, 120, height);
                let [main, status] =
                    Layout::vertical([Constraint::Fill(1), Constraint::Length(STATUS_HEIGHT)])
                        .areas(area);
                assert_eq!(screen(area), (main, status), "screen of height {height}");
                let solved: [Rect; 3] = Layout::vertical([
                    Constraint::Fill(3),
                    Constraint::Fill(4),
                    Constraint::Fill(3),
                ])
                .areas(area);
                assert_eq!(panes(area), solved, "panes of height {height}");
            }
        }
    }

    fn solved_columns(widths: &[Constraint], width: u16) -> Vec<(u16, u16)> {
        // As ratatui's Table lays out its columns (no selection column).
        let [_, area] = Layout::horizontal([Constraint::Length(0), Constraint::Fill(0)])
            .areas(Rect::new(0, 0, width, 1));
        Layout::horizontal(widths.to_vec())
            .flex(Flex::Start)
            .spacing(1)
            .split(area)
            .iter()
            .map(|r| (r.x, r.width))
            .collect()
    }

    #[test]
    fn the_columns_are_the_solvers_at_every_width() {
        use Constraint::{Fill, Length};
        let tables: [&[Constraint]; 7] = [
            // sessions; requests wide and narrow; follow-ups wide and narrow
            &[
                Length(1),
                Length(5),
                Length(4),
                Fill(2),
                Length(11),
                Fill(3),
            ],
            &[
                Length(1),
                Length(8),
                Length(7),
                Fill(2),
                Length(9),
                Length(7),
                Fill(5),
            ],
            &[Length(1), Length(8), Length(7), Fill(2), Fill(3)],
            &[
                Length(1),
                Length(10),
                Length(6),
                Length(9),
                Fill(2),
                Fill(4),
            ],
            &[Length(1), Length(10), Length(6), Fill(2), Fill(3)],
            &[Length(4), Fill(1)],
            &[Fill(1), Fill(1), Fill(7)],
        ];
        let mut checked = 0;
        for widths in tables {
            for width in 0..=300u16 {
                if let Some(columns) = columns(widths, width, 1) {
                    assert_eq!(
                        columns,
                        solved_columns(widths, width),
                        "{widths:?} at width {width}"
                    );
                    checked += 1;
                }
            }
        }
        // Only widths too narrow for the lengths are left to the solver.
        assert!(checked > 7 * 260, "{checked}");
        assert_eq!(columns(&[Length(4), Fill(1)], 3, 1), None);
    }
}
