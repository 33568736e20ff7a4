//! The help overlay: every binding in effect, built from the keymap so it
//! stays true after the config rebinds keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::tui::action::Command;
use crate::tui::keymap::{Keymap, Scope};
use crate::tui::layout;
use crate::tui::theme::Theme;

/// Width of the keys column.
const KEYS: usize = 24;

pub fn lines(keymap: &Keymap, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (n, (scope, rows)) in keymap.help_sections().into_iter().enumerate() {
        if n > 0 {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(scope.title(), theme.label())));
        for (keys, description) in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<KEYS$}"), theme.key()),
                Span::raw(description),
            ]));
        }
    }
    // The editor's own keys (in every text field, after the bindings above).
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "In every text field",
        theme.label(),
    )));
    for (keys, description) in crate::tui::editor::EDITING_KEYS {
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<KEYS$}"), theme.key()),
            Span::raw(*description),
        ]));
    }
    lines
}

/// How far the help can scroll in a terminal of `size`.
pub fn scroll_limit(keymap: &Keymap, size: (u16, u16)) -> u16 {
    let popup = layout::help_popup(layout::full(size));
    let visible = popup.height.saturating_sub(2) as usize;
    lines(keymap, &Theme::plain())
        .len()
        .saturating_sub(visible)
        .try_into()
        .unwrap_or(u16::MAX)
}

pub fn draw(frame: &mut Frame, area: Rect, keymap: &Keymap, scroll: u16, theme: &Theme) {
    let popup = layout::help_popup(area);
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Line::from(" Keys ").style(theme.title(true)))
        .title_bottom(
            Line::from(keymap.hint_line(
                &[Scope::HelpOverlay, Scope::Anywhere],
                &[
                    (Command::Down, "down"),
                    (Command::Up, "up"),
                    (Command::Back, "closes"),
                    (Command::Help, "closes"),
                ],
            ))
            .style(theme.muted()),
        );
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines(keymap, theme))
            .block(block)
            .scroll((scroll, 0)),
        popup,
    );
}
