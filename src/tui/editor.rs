//! A small multi-line text editor for replies and apologies: plain data
//! (so `update` stays pure and tests can type into it), drawn by `draw`.
//! Flows keep a `TextEditor` in their state, turn key presses into
//! [`EditKey`]s (see `edit_key_for`), and read `text()` on confirm.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

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
}

/// The editing meaning of a key press, if it has one. Keys with Ctrl or Alt
/// are left to the keymap (confirm, cancel, open in $EDITOR).
pub fn edit_key_for(event: &KeyEvent) -> Option<EditKey> {
    if event
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return None;
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEditor {
    lines: Vec<String>,
    /// Cursor: line index and character (not byte) index in that line.
    row: usize,
    col: usize,
}

impl TextEditor {
    pub fn new(text: &str) -> TextEditor {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        TextEditor {
            lines,
            row: 0,
            col: 0,
        }
    }

    /// The text as edited, with a final newline when it has any content.
    pub fn text(&self) -> String {
        let mut text = self.lines.join("\n");
        let trimmed = text.trim_end().len();
        text.truncate(trimmed);
        if !text.is_empty() {
            text.push('\n');
        }
        text
    }

    pub fn cursor(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    fn line_len(&self, row: usize) -> usize {
        self.lines.get(row).map_or(0, |l| l.chars().count())
    }

    fn byte_at(&self, row: usize, col: usize) -> usize {
        self.lines
            .get(row)
            .and_then(|l| l.char_indices().nth(col).map(|(i, _)| i))
            .unwrap_or_else(|| self.lines.get(row).map_or(0, String::len))
    }

    pub fn apply(&mut self, key: EditKey) {
        match key {
            EditKey::Char(c) => {
                let at = self.byte_at(self.row, self.col);
                if let Some(line) = self.lines.get_mut(self.row) {
                    line.insert(at, c);
                    self.col += 1;
                }
            }
            EditKey::Enter => {
                let at = self.byte_at(self.row, self.col);
                let rest = self
                    .lines
                    .get_mut(self.row)
                    .map(|l| l.split_off(at))
                    .unwrap_or_default();
                self.lines.insert(self.row + 1, rest);
                self.row += 1;
                self.col = 0;
            }
            EditKey::Backspace => {
                if self.col > 0 {
                    let at = self.byte_at(self.row, self.col - 1);
                    if let Some(line) = self.lines.get_mut(self.row) {
                        line.remove(at);
                    }
                    self.col -= 1;
                } else if self.row > 0 {
                    let line = self.lines.remove(self.row);
                    self.row -= 1;
                    self.col = self.line_len(self.row);
                    if let Some(previous) = self.lines.get_mut(self.row) {
                        previous.push_str(&line);
                    }
                }
            }
            EditKey::Delete => {
                if self.col < self.line_len(self.row) {
                    let at = self.byte_at(self.row, self.col);
                    if let Some(line) = self.lines.get_mut(self.row) {
                        line.remove(at);
                    }
                } else if self.row + 1 < self.lines.len() {
                    let next = self.lines.remove(self.row + 1);
                    if let Some(line) = self.lines.get_mut(self.row) {
                        line.push_str(&next);
                    }
                }
            }
            EditKey::Left => {
                if self.col > 0 {
                    self.col -= 1;
                } else if self.row > 0 {
                    self.row -= 1;
                    self.col = self.line_len(self.row);
                }
            }
            EditKey::Right => {
                if self.col < self.line_len(self.row) {
                    self.col += 1;
                } else if self.row + 1 < self.lines.len() {
                    self.row += 1;
                    self.col = 0;
                }
            }
            EditKey::Up => {
                self.row = self.row.saturating_sub(1);
                self.col = self.col.min(self.line_len(self.row));
            }
            EditKey::Down => {
                if self.row + 1 < self.lines.len() {
                    self.row += 1;
                }
                self.col = self.col.min(self.line_len(self.row));
            }
            EditKey::Home => self.col = 0,
            EditKey::End => self.col = self.line_len(self.row),
        }
    }

    /// Replace the whole text (after editing it in $EDITOR).
    pub fn set_text(&mut self, text: &str) {
        *self = TextEditor::new(text);
    }

    /// Draw into `area` (inside `block`). Long lines wrap softly, so the
    /// whole text is readable at any width; while `focused` the terminal
    /// cursor is placed and the view scrolls to keep it visible.
    pub fn draw(&self, frame: &mut Frame, area: Rect, block: Block, style: Style, focused: bool) {
        let inner = block.inner(area);
        let (rows, cursor) = self.wrapped(usize::from(inner.width.max(1)));
        let height = usize::from(inner.height.max(1));
        let scroll = if focused {
            (cursor.0 + 1).saturating_sub(height)
        } else {
            0
        };
        let lines: Vec<Line> = rows
            .into_iter()
            .skip(scroll)
            .take(height)
            .map(Line::raw)
            .collect();
        frame.render_widget(Paragraph::new(lines).style(style).block(block), area);
        if focused && inner.width > 0 && inner.height > 0 {
            let x = inner.x + u16::try_from(cursor.1).unwrap_or(0).min(inner.width - 1);
            let y = inner.y + u16::try_from(cursor.0 - scroll).unwrap_or(0);
            frame.set_cursor_position(Position::new(x, y));
        }
    }

    /// The text cut into rows of at most `width` characters (between words
    /// where a row has a space, else mid-word), and the cursor's (row,
    /// column) among them.
    fn wrapped(&self, width: usize) -> (Vec<String>, (usize, usize)) {
        let mut rows = Vec::new();
        let mut cursor = (0, 0);
        for (index, line) in self.lines.iter().enumerate() {
            let chars: Vec<char> = line.chars().collect();
            let starts = row_starts(&chars, width);
            for (n, start) in starts.iter().enumerate() {
                let end = starts.get(n + 1).copied().unwrap_or(chars.len());
                rows.push(chars.get(*start..end).unwrap_or_default().iter().collect());
            }
            if index == self.row {
                let within = starts
                    .iter()
                    .rposition(|start| *start <= self.col)
                    .unwrap_or(0);
                let first = rows.len() - starts.len();
                let row_start = starts.get(within).copied().unwrap_or(0);
                cursor = (first + within, self.col.saturating_sub(row_start));
            }
        }
        (rows, cursor)
    }
}

/// Where each row of a soft-wrapped line starts (at least one row).
fn row_starts(chars: &[char], width: usize) -> Vec<usize> {
    let width = width.max(1);
    let mut starts = vec![0];
    let mut start = 0;
    while let Some(window) = chars.get(start..start + width)
        && chars.len() - start > width
    {
        // Break after the last space in the row, if there is one.
        let cut = match window.iter().rposition(|c| *c == ' ') {
            Some(space) if space > 0 => start + space + 1,
            _ => start + width,
        };
        starts.push(cut);
        start = cut;
    }
    starts
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
    fn long_lines_wrap_and_the_cursor_follows() {
        let mut editor = TextEditor::new("abcdefgh\nxy");
        for _ in 0..5 {
            editor.apply(EditKey::Right);
        }
        let (rows, cursor) = editor.wrapped(3);
        assert_eq!(rows, ["abc", "def", "gh", "xy"]);
        assert_eq!(cursor, (1, 2));
        editor.apply(EditKey::Down);
        assert_eq!(editor.wrapped(3).1, (3, 2));
        // Between words where it can.
        let editor = TextEditor::new("I am so sorry");
        assert_eq!(editor.wrapped(8).0, ["I am so ", "sorry"]);
    }

    #[test]
    fn control_keys_are_left_to_the_keymap() {
        let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(edit_key_for(&ctrl_s), None);
        let a = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
        assert_eq!(edit_key_for(&a), Some(EditKey::Char('a')));
    }
}
