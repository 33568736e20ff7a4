//! A one-key question before something that cannot be taken back.

use ratatui::Frame;

use crate::tui::action::Command;
use crate::tui::keymap::{Keymap, Scope};
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::tui::model::Confirm;
use crate::tui::theme::Theme;

/// Stored text (a client's name) never brings control characters along.
fn clean(text: &str) -> String {
    text.chars()
        .map(|ch| if ch.is_control() { ' ' } else { ch })
        .collect()
}

/// A choice's words with the key that takes it, from the keymap. Labels
/// carry no key; one written the old way ("y: …") loses its letter here.
fn choice(keymap: &Keymap, command: Command, label: &str) -> String {
    let label = match label.split_once(": ") {
        Some((key, rest)) if key.chars().count() == 1 => rest,
        _ => label,
    };
    let keys: Vec<String> = keymap
        .keys_for(&[Scope::Confirm], command)
        .iter()
        .map(ToString::to_string)
        .collect();
    if keys.is_empty() {
        return clean(label);
    }
    format!("{}: {}", keys.join(" or "), clean(label))
}

pub fn draw(frame: &mut Frame, area: Rect, confirm: &Confirm, keymap: &Keymap, theme: &Theme) {
    let mut lines = vec![
        Line::styled(clean(&confirm.question), theme.header()),
        Line::styled(
            choice(keymap, Command::FlowConfirm, &confirm.yes.0),
            theme.key(),
        ),
    ];
    if let Some((label, _)) = &confirm.alternative {
        lines.push(Line::styled(
            choice(keymap, Command::ConfirmAlternative, label),
            theme.key(),
        ));
    }
    lines.push(Line::styled(
        choice(keymap, Command::FlowCancel, "leave it as it is"),
        theme.muted(),
    ));
    // Room for the wrapped lines, whatever the size of the terminal.
    let width = area.width.saturating_sub(4).clamp(20, 76);
    let inner = usize::from(width.saturating_sub(2).max(1));
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let height = (rows as u16 + 2).min(area.height);
    let popup = area
        .centered_horizontally(Constraint::Length(width.min(area.width)))
        .centered_vertically(Constraint::Length(height));
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Line::from(" Are you sure? ").style(theme.warn()));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        popup,
    );
}
