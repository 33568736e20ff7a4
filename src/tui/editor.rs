//! The one editor for every text the coach types in the dashboard: replies,
//! apologies, session notes and recaps (multi-line), and the one-line fields
//! of quick capture, the pickers and the prompts. Built on
//! `ratatui-textarea`, so the cursor and the soft wrap count display cells
//! (a CJK character or an emoji takes two, a combining mark none), edits can
//! be undone and redone, and words can be jumped over and deleted.
//!
//! Plain data (so `update` stays pure and tests can type into it), drawn by
//! `draw`. Flows keep a `TextEditor` in their state, turn key presses into
//! [`EditKey`]s (see `edit_key_for`), pasted text into [`TextEditor::paste`],
//! and read `text()` (or `value()` for a one-line field) on confirm.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Block, Widget};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};
use unicode_segmentation::UnicodeSegmentation;

/// One editing keystroke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditKey {
    Char(char),
    Enter,
    Backspace,
    Delete,
    Left,
    Right,
    Up,
    Down,
    Home,
    End,
    WordLeft,
    WordRight,
    DeleteWordBack,
    DeleteWordForward,
    Undo,
    Redo,
}

/// What reaches the focused editor: a keystroke or a bracketed paste.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Key(EditKey),
    Paste(String),
}

/// The editing keys, for the help overlay and the README: (keys, what).
/// Bindings in the keymap (send, cancel, `$EDITOR`…) come first, so a
/// `[keys]` override of one of these keys wins over its editing meaning.
pub const EDITING_KEYS: &[(&str, &str)] = &[
    ("ctrl-z", "undo the last edit"),
    ("ctrl-y", "redo"),
    ("ctrl-left, alt-b", "back one word"),
    ("ctrl-right, alt-f", "forward one word"),
    ("ctrl-w, alt-backspace", "delete the word before the cursor"),
    ("alt-d, ctrl-delete", "delete the word after the cursor"),
    ("home, end", "start or end of the line"),
];

/// The editing meaning of a key press, if it has one. Keys the keymap binds
/// (confirm, cancel, open in $EDITOR) never get here.
pub fn edit_key_for(event: &KeyEvent) -> Option<EditKey> {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    let alt = event.modifiers.contains(KeyModifiers::ALT);
    if ctrl || alt {
        return Some(match (event.code, ctrl, alt) {
            (KeyCode::Char('z'), true, false) => EditKey::Undo,
            (KeyCode::Char('y'), true, false) | (KeyCode::Char('Z'), true, false) => EditKey::Redo,
            (KeyCode::Left, ..) | (KeyCode::Char('b'), false, true) => EditKey::WordLeft,
            (KeyCode::Right, ..) | (KeyCode::Char('f'), false, true) => EditKey::WordRight,
            (KeyCode::Char('w'), true, false) | (KeyCode::Backspace, ..) => EditKey::DeleteWordBack,
            (KeyCode::Char('d'), false, true) | (KeyCode::Delete, ..) => EditKey::DeleteWordForward,
            (KeyCode::Char('a'), true, false) => EditKey::Home,
            _ => return None,
        });
    }
    Some(match event.code {
        KeyCode::Char(c) => EditKey::Char(c),
        KeyCode::Enter => EditKey::Enter,
        KeyCode::Backspace => EditKey::Backspace,
        KeyCode::Delete => EditKey::Delete,
        KeyCode::Left => EditKey::Left,
        KeyCode::Right => EditKey::Right,
        KeyCode::Up => EditKey::Up,
        KeyCode::Down => EditKey::Down,
        KeyCode::Home => EditKey::Home,
        KeyCode::End => EditKey::End,
        _ => return None,
    })
}

#[derive(Debug, Clone)]
pub struct TextEditor {
    area: TextArea<'static>,
    /// A one-line field: Enter does nothing and a pasted newline becomes a
    /// space.
    single_line: bool,
}

impl PartialEq for TextEditor {
    fn eq(&self, other: &Self) -> bool {
        self.single_line == other.single_line
            && self.area.lines() == other.area.lines()
            && self.area.cursor() == other.area.cursor()
    }
}

impl Eq for TextEditor {}

impl Default for TextEditor {
    fn default() -> Self {
        TextEditor::single_line("")
    }
}

impl TextEditor {
    /// A multi-line editor holding `text`, the cursor at its start.
    pub fn new(text: &str) -> TextEditor {
        TextEditor {
            area: text_area(lines_of(text, false)),
            single_line: false,
        }
    }

    /// A one-line field holding `text`, the cursor at its end.
    pub fn single_line(text: &str) -> TextEditor {
        let mut area = text_area(lines_of(text, true));
        area.move_cursor(CursorMove::End);
        TextEditor {
            area,
            single_line: true,
        }
    }

    /// The text as edited, with a final newline when it has any content.
    pub fn text(&self) -> String {
        let mut text = self.area.lines().join("\n");
        let trimmed = text.trim_end().len();
        text.truncate(trimmed);
        if !text.is_empty() {
            text.push('\n');
        }
        text
    }

    /// The text exactly as typed (a one-line field's value).
    pub fn value(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn is_empty(&self) -> bool {
        self.area.lines().iter().all(String::is_empty)
    }

    /// Line index and character (not byte) index in that line.
    pub fn cursor(&self) -> (usize, usize) {
        let cursor = self.area.cursor();
        (cursor.0, cursor.1)
    }

    /// Display cells of the cursor's line before the cursor: where a
    /// one-line field drawn as a span puts the terminal cursor.
    pub fn cursor_width(&self) -> usize {
        let (row, col) = self.cursor();
        let line = self.line(row);
        let before: String = line.chars().take(col).collect();
        Span::raw(before).width()
    }

    fn line(&self, row: usize) -> &str {
        self.area.lines().get(row).map_or("", String::as_str)
    }

    /// Characters in the grapheme before (or after) the cursor on its line;
    /// 0 at the line's start (or end).
    fn grapheme_before(&self) -> usize {
        let (row, col) = self.cursor();
        let line = self.line(row);
        let byte = byte_of(line, col);
        line.get(..byte)
            .and_then(|head| head.graphemes(true).next_back())
            .map_or(0, |g| g.chars().count())
    }

    fn grapheme_after(&self) -> usize {
        let (row, col) = self.cursor();
        let line = self.line(row);
        let byte = byte_of(line, col);
        line.get(byte..)
            .and_then(|tail| tail.graphemes(true).next())
            .map_or(0, |g| g.chars().count())
    }

    /// Keep the cursor off the inside of a grapheme (between a letter and
    /// its combining mark) after a move by rows or words.
    fn snap_to_grapheme(&mut self) {
        let (row, col) = self.cursor();
        let line = self.line(row);
        let byte = byte_of(line, col);
        let start = line
            .grapheme_indices(true)
            .map(|(at, _)| at)
            .take_while(|at| *at <= byte)
            .last()
            .unwrap_or(0);
        if start < byte {
            let col = line.get(..start).map_or(0, |h| h.chars().count());
            self.jump(row, col);
        }
    }

    fn jump(&mut self, row: usize, col: usize) {
        let row = u16::try_from(row).unwrap_or(u16::MAX);
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        self.area.move_cursor(CursorMove::Jump(row, col));
    }

    fn back(&mut self, chars: usize) {
        for _ in 0..chars.max(1) {
            self.area.move_cursor(CursorMove::Back);
        }
    }

    pub fn apply(&mut self, key: EditKey) {
        match key {
            EditKey::Char(c) => match c {
                '\n' | '\r' | '\t' => self.area.insert_char(' '),
                c if c.is_control() => {}
                c => self.area.insert_char(c),
            },
            EditKey::Enter => {
                if !self.single_line {
                    self.area.insert_newline();
                }
            }
            EditKey::Backspace => match self.grapheme_before() {
                0 => {
                    self.area.delete_char();
                }
                chars => {
                    self.back(chars);
                    self.area.delete_str(chars);
                }
            },
            EditKey::Delete => match self.grapheme_after() {
                0 => {
                    self.area.delete_next_char();
                }
                chars => {
                    self.area.delete_str(chars);
                }
            },
            EditKey::Left => {
                let chars = self.grapheme_before();
                self.back(chars);
            }
            EditKey::Right => {
                for _ in 0..self.grapheme_after().max(1) {
                    self.area.move_cursor(CursorMove::Forward);
                }
            }
            EditKey::Up => {
                self.area.move_cursor(CursorMove::Up);
                self.snap_to_grapheme();
            }
            EditKey::Down => {
                self.area.move_cursor(CursorMove::Down);
                self.snap_to_grapheme();
            }
            EditKey::Home => self.area.move_cursor(CursorMove::Head),
            EditKey::End => self.area.move_cursor(CursorMove::End),
            EditKey::WordLeft => {
                self.area.move_cursor(CursorMove::WordBack);
                self.snap_to_grapheme();
            }
            EditKey::WordRight => {
                self.area.move_cursor(CursorMove::WordForward);
                self.snap_to_grapheme();
            }
            EditKey::DeleteWordBack => {
                self.area.delete_word();
            }
            EditKey::DeleteWordForward => {
                self.area.delete_next_word();
            }
            EditKey::Undo => {
                self.area.undo();
            }
            EditKey::Redo => {
                self.area.redo();
            }
        }
    }

    /// A keystroke or a paste.
    pub fn input(&mut self, edit: &Edit) {
        match edit {
            Edit::Key(key) => self.apply(*key),
            Edit::Paste(text) => self.paste(text),
        }
    }

    /// Insert pasted text at the cursor as one edit (one undo step). It is
    /// text, never a key: a newline in it never confirms anything, and in a
    /// one-line field it becomes a space. Other control characters are
    /// dropped so nothing raw reaches the terminal.
    pub fn paste(&mut self, pasted: &str) {
        let text = pasted.replace("\r\n", "\n").replace('\r', "\n");
        let text: String = text
            .chars()
            .filter_map(|c| match c {
                '\n' if self.single_line => Some(' '),
                '\n' => Some('\n'),
                '\t' => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
        if !text.is_empty() {
            self.area.insert_str(text);
        }
    }

    /// Replace the whole text (after editing it in $EDITOR).
    pub fn set_text(&mut self, text: &str) {
        *self = if self.single_line {
            TextEditor::single_line(text)
        } else {
            TextEditor::new(text)
        };
    }

    /// Draw into `area` (inside `block`). Long lines wrap softly between
    /// words (by display cells), so the whole text is readable at any
    /// width; while `focused` the terminal cursor is placed and the view
    /// scrolls to keep it visible.
    pub fn draw(&self, frame: &mut Frame, area: Rect, block: Block, style: Style, focused: bool) {
        let inner = block.inner(area);
        frame.render_widget(block.style(style), area);
        frame.render_widget(&self.area, inner);
        if focused && let Some(position) = self.cursor_position(inner) {
            frame.set_cursor_position(position);
        }
    }

    /// Where the cursor is on screen after the text was drawn into `inner`.
    fn cursor_position(&self, inner: Rect) -> Option<Position> {
        if inner.width == 0 || inner.height == 0 {
            return None;
        }
        let screen = self.area.screen_cursor();
        let (top, left) = self.area.scroll_offset();
        let row = u16::try_from(screen.row).ok()?.checked_sub(top)?;
        let col = u16::try_from(screen.col).ok()?.saturating_sub(left);
        (row < inner.height)
            .then(|| Position::new(inner.x + col.min(inner.width - 1), inner.y + row))
    }

    /// The rows drawn into a `width`×`height` area and the cursor's (row,
    /// column) in display cells among them: what the coach sees.
    pub fn drawn(&self, width: u16, height: u16) -> (Vec<String>, Option<(u16, u16)>) {
        let area = Rect::new(0, 0, width, height);
        let mut buffer = Buffer::empty(area);
        (&self.area).render(area, &mut buffer);
        let rows = (0..height)
            .map(|y| {
                let mut row = String::new();
                let mut skip = 0;
                for x in 0..width {
                    if skip > 0 {
                        skip -= 1;
                        continue;
                    }
                    let symbol = buffer.cell((x, y)).map_or(" ", |c| c.symbol());
                    skip = Span::raw(symbol).width().saturating_sub(1);
                    row.push_str(symbol);
                }
                row.trim_end().to_string()
            })
            .collect();
        let cursor = self.cursor_position(area).map(|p| (p.y, p.x));
        (rows, cursor)
    }
}

fn text_area(lines: Vec<String>) -> TextArea<'static> {
    let mut area = TextArea::new(lines);
    area.set_wrap_mode(WrapMode::WordOrGlyph);
    area.set_cursor_line_style(Style::default());
    // The terminal's own cursor marks the place (set in `draw`).
    area.set_cursor_style(Style::default());
    area.set_max_histories(200);
    area
}

/// The text's lines, without control characters; one line for a one-line
/// field.
fn lines_of(text: &str, single_line: bool) -> Vec<String> {
    let clean = |line: &str| -> String {
        line.chars()
            .filter_map(|c| match c {
                '\t' => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect()
    };
    let mut lines: Vec<String> = if single_line {
        vec![clean(&text.lines().collect::<Vec<_>>().join(" "))]
    } else {
        text.lines().map(clean).collect()
    };
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// The byte offset of character `col` in `line` (its length past the end).
fn byte_of(line: &str, col: usize) -> usize {
    line.char_indices()
        .nth(col)
        .map_or(line.len(), |(at, _)| at)
}

/// Edit `text` in the coach's `$VISUAL` / `$EDITOR` (else `vi`), from a
/// private temporary file. The caller leaves and re-enters the TUI's screen
/// around this call.
pub fn edit_externally(text: &str) -> anyhow::Result<String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".to_string());
    let dir = std::env::temp_dir();
    let path = dir.join(format!(
        "coachbook-{}-{}.txt",
        std::process::id(),
        chrono::Utc::now().timestamp_millis()
    ));
    {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        file.write_all(text.as_bytes())?;
    }
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status();
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path).map_err(anyhow::Error::from),
        Ok(s) => Err(anyhow::anyhow!(
            "{editor} exited with {s}; the text is unchanged"
        )),
        Err(err) => Err(anyhow::anyhow!("cannot start {editor}: {err}")),
    };
    let _ = std::fs::remove_file(&path);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(editor: &mut TextEditor, text: &str) {
        for c in text.chars() {
            editor.apply(if c == '\n' {
                EditKey::Enter
            } else {
                EditKey::Char(c)
            });
        }
    }

    #[test]
    fn typing_moving_and_deleting_edit_the_text() {
        let mut editor = TextEditor::new("Dear Jonas,\n\nSorry.\n");
        editor.apply(EditKey::Down);
        editor.apply(EditKey::Down);
        editor.apply(EditKey::End);
        typed(&mut editor, " Truly.");
        assert_eq!(editor.text(), "Dear Jonas,\n\nSorry. Truly.\n");
        editor.apply(EditKey::Home);
        editor.apply(EditKey::Backspace); // joins with the empty line above
        assert_eq!(editor.text(), "Dear Jonas,\nSorry. Truly.\n");
        editor.apply(EditKey::Delete);
        assert_eq!(editor.text(), "Dear Jonas,\norry. Truly.\n");
    }

    #[test]
    fn multibyte_characters_are_edited_whole() {
        let mut editor = TextEditor::new("Grüße");
        editor.apply(EditKey::End);
        editor.apply(EditKey::Backspace);
        editor.apply(EditKey::Backspace);
        typed(&mut editor, "ss\nLiebe Grüße");
        assert_eq!(editor.text(), "Grüss\nLiebe Grüße\n");
        assert_eq!(editor.cursor(), (1, 11));
    }

    #[test]
    fn the_cursor_column_is_the_display_width_for_cjk_and_emoji() {
        let mut editor = TextEditor::single_line("");
        typed(&mut editor, "日本語");
        assert_eq!(editor.cursor_width(), 6);
        assert_eq!(editor.drawn(20, 1).1, Some((0, 6)));
        typed(&mut editor, "🙂x");
        assert_eq!(editor.cursor_width(), 9);
        assert_eq!(
            editor.drawn(20, 1),
            (vec!["日本語🙂x".to_string()], Some((0, 9)))
        );
        editor.apply(EditKey::Left);
        editor.apply(EditKey::Left);
        assert_eq!(editor.cursor_width(), 6);
        editor.apply(EditKey::Backspace);
        assert_eq!(editor.value(), "日本🙂x");
        assert_eq!(editor.cursor_width(), 4);
    }

    #[test]
    fn a_letter_and_its_combining_mark_are_one_place_for_the_cursor() {
        // "Zoë" with e + U+0308, then "ño" with n + U+0303.
        let mut editor = TextEditor::single_line("Zoe\u{308} n\u{303}o");
        assert_eq!(editor.cursor_width(), 6);
        editor.apply(EditKey::Home);
        for _ in 0..3 {
            editor.apply(EditKey::Right);
        }
        // Past "Zoë": three cells, four characters.
        assert_eq!(editor.cursor(), (0, 4));
        assert_eq!(editor.cursor_width(), 3);
        editor.apply(EditKey::Left);
        assert_eq!(editor.cursor(), (0, 2));
        editor.apply(EditKey::Delete);
        assert_eq!(editor.value(), "Zo n\u{303}o");
        editor.apply(EditKey::End);
        editor.apply(EditKey::Left);
        editor.apply(EditKey::Backspace);
        assert_eq!(editor.value(), "Zo o");
    }

    #[test]
    fn wide_text_wraps_by_display_cells_and_the_cursor_follows() {
        let mut editor = TextEditor::new("日本語の文章です");
        editor.apply(EditKey::End);
        let (rows, cursor) = editor.drawn(6, 4);
        assert_eq!(rows.first().map(String::as_str), Some("日本語"));
        assert_eq!(rows.get(1).map(String::as_str), Some("の文章"));
        assert_eq!(rows.get(2).map(String::as_str), Some("です"));
        assert_eq!(cursor, Some((2, 4)));
        // Between words where it can.
        let editor = TextEditor::new("I am so sorry");
        let rows = editor.drawn(8, 2).0;
        assert_eq!(rows, ["I am so", "sorry"]);
    }

    #[test]
    fn undo_and_redo_walk_the_edits() {
        let mut editor = TextEditor::new("");
        typed(&mut editor, "Hello");
        editor.paste(" there, friend");
        assert_eq!(editor.value(), "Hello there, friend");
        editor.apply(EditKey::Undo);
        assert_eq!(editor.value(), "Hello");
        editor.apply(EditKey::Redo);
        assert_eq!(editor.value(), "Hello there, friend");
        editor.apply(EditKey::DeleteWordBack);
        assert_eq!(editor.value(), "Hello there, ");
        editor.apply(EditKey::Undo);
        assert_eq!(editor.value(), "Hello there, friend");
    }

    #[test]
    fn word_motions_jump_words() {
        let mut editor = TextEditor::single_line("call me back tomorrow");
        editor.apply(EditKey::WordLeft);
        assert_eq!(editor.cursor(), (0, 13));
        editor.apply(EditKey::WordLeft);
        editor.apply(EditKey::WordLeft);
        assert_eq!(editor.cursor(), (0, 5));
        editor.apply(EditKey::WordRight);
        assert_eq!(editor.cursor(), (0, 8));
        // Like Emacs's alt-d: the word goes, the space before the next stays.
        editor.apply(EditKey::DeleteWordForward);
        assert_eq!(editor.value(), "call me  tomorrow");
    }

    #[test]
    fn a_paste_is_text_and_a_one_line_field_keeps_one_line() {
        let mut field = TextEditor::single_line("note: ");
        field.paste("line1\r\nline2\nline3\u{7}");
        assert_eq!(field.value(), "note: line1 line2 line3");
        field.apply(EditKey::Enter);
        assert_eq!(field.value(), "note: line1 line2 line3");
        let mut editor = TextEditor::new("");
        editor.paste("line1\nline2");
        assert_eq!(editor.text(), "line1\nline2\n");
        assert_eq!(editor.cursor(), (1, 5));
    }

    #[test]
    fn control_keys_are_left_to_the_keymap_except_editing_ones() {
        let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(edit_key_for(&ctrl_s), None);
        let a = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
        assert_eq!(edit_key_for(&a), Some(EditKey::Char('a')));
        let ctrl_z = KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL);
        assert_eq!(edit_key_for(&ctrl_z), Some(EditKey::Undo));
        let alt_b = KeyEvent::new(KeyCode::Char('b'), KeyModifiers::ALT);
        assert_eq!(edit_key_for(&alt_b), Some(EditKey::WordLeft));
    }
}
