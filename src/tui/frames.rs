//! The dashboard's terminal backend: crossterm's, with a draw that writes a
//! frame's text and cursor moves straight into the frame buffer.
//!
//! ratatui's `CrosstermBackend` queues every cell's text and every cursor
//! move as a crossterm command, each formatted through `core::fmt` into the
//! writer: a few hundred instructions a cell, about a third of drawing the
//! first frame. [`FrameBackend`] writes the same bytes (text as it is, the move
//! as `ESC [ row ; column H`) directly, and keeps crossterm's commands for
//! what is rare (colours, attributes): its output is byte for byte
//! `CrosstermBackend`'s (`a_frame_is_written_as_crossterm_writes_it`).

use std::io::{self, Write};

use ratatui::backend::IntoCrossterm as _;
use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::crossterm::cursor::{Hide, MoveTo, Show};
use ratatui::crossterm::style::{
    Attribute, Color as CrosstermColor, Colors, SetAttribute, SetBackgroundColor, SetColors,
    SetForegroundColor, SetUnderlineColor,
};
use ratatui::crossterm::terminal::{self, Clear};
use ratatui::crossterm::{execute, queue};
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};

/// A crossterm backend whose draw writes text and moves directly; the
/// rest is crossterm's commands, as `CrosstermBackend` sends them.
pub struct FrameBackend<W: Write> {
    writer: W,
}

impl<W: Write> FrameBackend<W> {
    pub fn new(writer: W) -> Self {
        FrameBackend { writer }
    }
}

/// `ESC [ row ; column H`, one-based, as crossterm's `MoveTo` writes it.
fn move_to(w: &mut impl Write, x: u16, y: u16) -> io::Result<()> {
    let mut bytes = [0u8; 16];
    let mut at = 0;
    let mut put = |b: u8| {
        if let Some(slot) = bytes.get_mut(at) {
            *slot = b;
            at += 1;
        }
    };
    put(0x1b);
    put(b'[');
    for (n, end) in [(u32::from(y) + 1, b';'), (u32::from(x) + 1, b'H')] {
        let mut digits = [0u8; 5];
        let mut len = 0;
        let mut rest = n;
        loop {
            if let Some(d) = digits.get_mut(len) {
                *d = b'0' + (rest % 10) as u8;
            }
            len += 1;
            rest /= 10;
            if rest == 0 || len == digits.len() {
                break;
            }
        }
        for d in digits.iter().take(len).rev() {
            put(*d);
        }
        put(end);
    }
    w.write_all(bytes.get(..at).unwrap_or_default())
}

/// The attributes that take the cell from `from` to `to`, as ratatui's
/// crossterm backend writes them.
fn modifier_diff(w: &mut impl Write, from: Modifier, to: Modifier) -> io::Result<()> {
    let removed = from - to;
    if removed.contains(Modifier::REVERSED) {
        queue!(w, SetAttribute(Attribute::NoReverse))?;
    }
    let reset_intensity = removed.contains(Modifier::BOLD) || removed.contains(Modifier::DIM);
    if reset_intensity {
        // Normal intensity ends both bold and dim: what stays is set again.
        queue!(w, SetAttribute(Attribute::NormalIntensity))?;
        if to.contains(Modifier::DIM) {
            queue!(w, SetAttribute(Attribute::Dim))?;
        }
        if to.contains(Modifier::BOLD) {
            queue!(w, SetAttribute(Attribute::Bold))?;
        }
    }
    for (modifier, off) in [
        (Modifier::ITALIC, Attribute::NoItalic),
        (Modifier::UNDERLINED, Attribute::NoUnderline),
        (Modifier::CROSSED_OUT, Attribute::NotCrossedOut),
        (Modifier::HIDDEN, Attribute::NoHidden),
    ] {
        if removed.contains(modifier) {
            queue!(w, SetAttribute(off))?;
        }
    }
    if removed.contains(Modifier::SLOW_BLINK) || removed.contains(Modifier::RAPID_BLINK) {
        queue!(w, SetAttribute(Attribute::NoBlink))?;
    }
    let added = to - from;
    for (modifier, on, unless_reset) in [
        (Modifier::REVERSED, Attribute::Reverse, false),
        (Modifier::BOLD, Attribute::Bold, true),
        (Modifier::ITALIC, Attribute::Italic, false),
        (Modifier::UNDERLINED, Attribute::Underlined, false),
        (Modifier::DIM, Attribute::Dim, true),
        (Modifier::CROSSED_OUT, Attribute::CrossedOut, false),
        (Modifier::HIDDEN, Attribute::Hidden, false),
        (Modifier::SLOW_BLINK, Attribute::SlowBlink, false),
        (Modifier::RAPID_BLINK, Attribute::RapidBlink, false),
    ] {
        if added.contains(modifier) && !(unless_reset && reset_intensity) {
            queue!(w, SetAttribute(on))?;
        }
    }
    Ok(())
}

impl<W: Write> Backend for FrameBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let w = &mut self.writer;
        let mut fg = Color::Reset;
        let mut bg = Color::Reset;
        let mut underline = Color::Reset;
        let mut modifier = Modifier::empty();
        let mut last: Option<(u16, u16)> = None;
        for (x, y, cell) in content {
            // Move unless this cell is the one right after the last.
            if !matches!(last, Some((lx, ly)) if lx.checked_add(1) == Some(x) && ly == y) {
                move_to(w, x, y)?;
            }
            last = Some((x, y));
            if cell.modifier != modifier {
                modifier_diff(w, modifier, cell.modifier)?;
                modifier = cell.modifier;
            }
            if cell.fg != fg || cell.bg != bg {
                queue!(
                    w,
                    SetColors(Colors::new(
                        cell.fg.into_crossterm(),
                        cell.bg.into_crossterm()
                    ))
                )?;
                fg = cell.fg;
                bg = cell.bg;
            }
            if cell.underline_color != underline {
                queue!(w, SetUnderlineColor(cell.underline_color.into_crossterm()))?;
                underline = cell.underline_color;
            }
            w.write_all(cell.symbol().as_bytes())?;
        }
        queue!(
            w,
            SetForegroundColor(CrosstermColor::Reset),
            SetBackgroundColor(CrosstermColor::Reset),
            SetUnderlineColor(CrosstermColor::Reset),
            SetAttribute(Attribute::Reset),
        )
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        for _ in 0..n {
            self.writer.write_all(b"\n")?;
        }
        self.writer.flush()
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        execute!(self.writer, Hide)
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        execute!(self.writer, Show)
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        ratatui::crossterm::cursor::position().map(|(x, y)| Position { x, y })
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let Position { x, y } = position.into();
        execute!(self.writer, MoveTo(x, y))
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        use ratatui::crossterm::terminal::ClearType as Of;
        let of = match clear_type {
            ClearType::All => Of::All,
            ClearType::AfterCursor => Of::FromCursorDown,
            ClearType::BeforeCursor => Of::FromCursorUp,
            ClearType::CurrentLine => Of::CurrentLine,
            ClearType::UntilNewLine => Of::UntilNewLine,
        };
        execute!(self.writer, Clear(of))
    }

    fn size(&self) -> io::Result<Size> {
        let (width, height) = terminal::size()?;
        Ok(Size { width, height })
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let terminal::WindowSize {
            columns,
            rows,
            width,
            height,
        } = terminal::window_size()?;
        Ok(WindowSize {
            columns_rows: Size {
                width: columns,
                height: rows,
            },
            pixels: Size { width, height },
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::CrosstermBackend;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::Style;
    use std::cell::RefCell;
    use std::rc::Rc;

    const SYMBOLS: &[&str] = &[
        " ", "a", "Z", "─", "│", "┌", "é", "⚑", "▸", "日", "🙂", "x\u{301}",
    ];
    const COLORS: &[Color] = &[
        Color::Reset,
        Color::Red,
        Color::LightCyan,
        Color::DarkGray,
        Color::Indexed(208),
        Color::Rgb(12, 200, 7),
    ];

    /// A screen of cells drawn from `seed`: symbols, colours and every
    /// mix of attributes.
    fn screen(seed: u64, width: u16, height: u16) -> Buffer {
        let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        let mut next = move |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            usize::try_from(state >> 33).unwrap_or(0) % n
        };
        let mut buf = Buffer::empty(Rect::new(0, 0, width, height));
        for y in 0..height {
            for x in 0..width {
                // Runs of one style, as widgets draw them.
                if next(4) == 0 {
                    continue;
                }
                let style = Style::default()
                    .fg(COLORS[next(COLORS.len())])
                    .bg(COLORS[next(COLORS.len())])
                    .underline_color(COLORS[next(COLORS.len())])
                    .add_modifier(Modifier::from_bits_truncate(
                        u16::try_from(next(1 << 9)).unwrap(),
                    ));
                let symbol = SYMBOLS[next(SYMBOLS.len())];
                // As widgets write: a wide symbol takes two cells, or none
                // at the edge.
                buf.set_string(x, y, symbol, style);
            }
        }
        buf
    }

    /// What a backend made with `backend` writes for `cells`.
    fn bytes_of<B: Backend>(backend: impl Fn(Shared) -> B, cells: &[(u16, u16, &Cell)]) -> String
    where
        B::Error: std::fmt::Debug,
    {
        let out = Shared::default();
        backend(out.clone()).draw(cells.iter().copied()).unwrap();
        String::from_utf8(out.0.borrow().clone()).unwrap()
    }

    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_frame_is_written_as_crossterm_writes_it() {
        for seed in 0..200 {
            let (width, height) = (1 + (seed % 37) as u16, 1 + (seed % 11) as u16);
            let before = screen(seed, width, height);
            let after = screen(seed + 1000, width, height);
            // The first frame (every cell) and a later one (the diff).
            for diff in [
                Buffer::empty(before.area).diff(&before),
                before.diff(&after),
            ] {
                let ours = bytes_of(FrameBackend::new, &diff);
                let theirs = bytes_of(CrosstermBackend::new, &diff);
                assert_eq!(ours, theirs, "seed {seed}");
            }
        }
    }

    #[test]
    fn moves_reach_the_far_corner() {
        for (x, y) in [(0, 0), (9, 9), (10, 99), (65534, 65534)] {
            let mut ours = Vec::new();
            move_to(&mut ours, x, y).unwrap();
            let mut theirs = Vec::new();
            queue!(theirs, MoveTo(x, y)).unwrap();
            assert_eq!(ours, theirs, "{x},{y}");
        }
    }
}
