//! The find-client prompt: type part of a name, pick a match, Enter.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::tui::action::Command;
use crate::tui::keymap::{Keymap, Scope};
use crate::tui::layout;
use crate::tui::model::{FindClient, Loadable};
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, prompt: &FindClient, keymap: &Keymap, theme: &Theme) {
    let popup = layout::prompt_popup(area);
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Line::from(" Find a client ").style(theme.title(true)))
        .title_bottom(
            Line::from(keymap.hint_line(
                &[Scope::Prompt],
                &[
                    (Command::PromptSubmit, "opens"),
                    (Command::PromptCancel, "cancels"),
                ],
            ))
            .style(theme.muted()),
        );
    let inner = block.inner(popup);
    let mut lines = vec![Line::from(vec![
        Span::styled("> ", theme.key()),
        Span::raw(prompt.query.value()),
    ])];
    let room = inner.height.saturating_sub(1) as usize;
    match &prompt.names {
        Loadable::Loading => lines.push(Line::from(Span::styled("loading…", theme.muted()))),
        Loadable::Ready(_) if prompt.matches.is_empty() => {
            lines.push(Line::from(Span::styled("no client matches", theme.muted())));
        }
        Loadable::Ready(_) => {
            let offset = layout::table_offset(prompt.chosen, room);
            for (n, (_, name)) in prompt.matches.iter().enumerate().skip(offset).take(room) {
                let style = if n == prompt.chosen {
                    theme.selected()
                } else {
                    ratatui::style::Style::new()
                };
                lines.push(Line::from(Span::styled(format!("  {name}"), style)));
            }
        }
    }
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
    if inner.width > 0 && inner.height > 0 {
        let typed = u16::try_from(prompt.query.cursor_width()).unwrap_or(u16::MAX);
        let x = (inner.x + 2 + typed).min(inner.right().saturating_sub(1));
        frame.set_cursor_position(Position::new(x, inner.y));
    }
}
