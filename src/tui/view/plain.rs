//! A line of plain text drawn without ratatui's grapheme and width tables.
//!
//! `Line`'s own render splits every span into grapheme clusters and looks up
//! each one's display width: most of the cost of drawing the dashboard's
//! panes, whose cells are nearly all printable ASCII, where each byte is one
//! cell. [`render_line`] writes such a line byte by byte and leaves every
//! other line to ratatui; the buffer it leaves is `Line::render`'s, cell for
//! cell (`a_plain_line_is_drawn_as_ratatui_draws_it`).

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Widget as _;

/// `buf.set_style(area, style)`, skipped for the empty style, which would
/// change no cell: ratatui still visits every cell of the area for it (a
/// look-up of each), and most of the dashboard's rows and cells have no
/// style of their own.
pub fn set_style(buf: &mut Buffer, area: Rect, style: Style) {
    if style != Style::default() {
        buf.set_style(area, style);
    }
}

/// Draw `line` into `area` as `Line::render` does.
pub fn render_line(line: &Line, area: Rect, buf: &mut Buffer) {
    let plain = matches!(line.alignment, None | Some(Alignment::Left))
        && line
            .spans
            .iter()
            .all(|span| span.content.bytes().all(|b| (b' '..=b'~').contains(&b)));
    if !plain {
        line.render(area, buf);
        return;
    }
    let area = area.intersection(buf.area);
    // Nothing to draw: ratatui leaves even the line's style unset.
    if area.is_empty() || line.spans.iter().all(|span| span.content.is_empty()) {
        return;
    }
    let area = Rect { height: 1, ..area };
    set_style(buf, area, line.style);
    let (mut x, y, right) = (area.x, area.y, area.right());
    for span in &line.spans {
        let style = Style::default().patch(span.style);
        for byte in span.content.bytes() {
            if x >= right {
                return;
            }
            if let Some(cell) = buf.cell_mut((x, y)) {
                cell.set_char(char::from(byte)).set_style(style);
            }
            x += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};
    use ratatui::text::Span;

    const WORDS: &[&str] = &[
        "",
        " ",
        "a",
        "09:00",
        "Chen Kapoor",
        "booked",
        "⚑ ",
        "→",
        "日本",
        "e\u{301}",
        "tab\there",
        "~",
    ];
    const STYLES: &[Style] = &[
        Style::new(),
        Style::new().fg(Color::Red),
        Style::new()
            .bg(Color::Indexed(236))
            .add_modifier(Modifier::BOLD),
        Style::new()
            .remove_modifier(Modifier::BOLD)
            .fg(Color::Reset),
        Style::new()
            .underline_color(Color::Green)
            .add_modifier(Modifier::UNDERLINED),
    ];

    #[test]
    fn a_plain_line_is_drawn_as_ratatui_draws_it() {
        let mut state: u64 = 7;
        let mut next = move |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            usize::try_from(state >> 33).unwrap_or(0) % n
        };
        for case in 0..5000 {
            let spans: Vec<Span> = (0..next(5))
                .map(|_| {
                    // Mostly plain words, as the panes hold.
                    let word = if next(3) == 0 {
                        WORDS[next(WORDS.len())]
                    } else {
                        WORDS[next(6)]
                    };
                    Span::styled(word, STYLES[next(STYLES.len())])
                })
                .collect();
            let mut line = Line::from(spans).style(STYLES[next(STYLES.len())]);
            if next(4) == 0 {
                line =
                    line.alignment([Alignment::Left, Alignment::Center, Alignment::Right][next(3)]);
            }
            let screen = Rect::new(0, 0, 12, 2);
            let area = Rect::new(
                u16::try_from(next(14)).unwrap(),
                u16::try_from(next(3)).unwrap(),
                u16::try_from(next(16)).unwrap(),
                u16::try_from(next(3)).unwrap(),
            );
            // Over what an earlier row left there.
            let mut before = Buffer::empty(screen);
            before.set_string(0, 0, "xxxxxxxxxxxx", STYLES[next(STYLES.len())]);
            let mut ours = before.clone();
            let mut theirs = before;
            render_line(&line, area, &mut ours);
            (&line).render(area, &mut theirs);
            assert_eq!(ours, theirs, "case {case}: {line:?} in {area:?}");
        }
    }
}
