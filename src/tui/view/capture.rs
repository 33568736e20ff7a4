//! The quick-capture form: one line per field, the client's matches under
//! the client line, and what is wrong (if anything) at the bottom.

use ratatui::Frame;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::tui::action::Command;
use crate::tui::flows::{CaptureField, CaptureForm};
use crate::tui::keymap::{Keymap, Scope};
use crate::tui::model::Loadable;
use crate::tui::theme::Theme;

/// Width of the field labels.
const LABEL: usize = 10;
/// Client matches shown under the client line.
const MATCHES: usize = 3;

pub fn draw(frame: &mut Frame, area: Rect, form: &CaptureForm, keymap: &Keymap, theme: &Theme) {
    let scopes = [Scope::Capture];
    let choose = keymap
        .hint(&scopes, Command::FlowNext, "chooses")
        .map_or_else(|| "name".to_string(), |hint| format!("name; {hint}"));
    let mut lines = Vec::new();
    let mut cursor: Option<(u16, usize)> = None;
    for field in CaptureField::ALL {
        let focused = field == form.field;
        let (value, hint) = match field {
            CaptureField::Client => (form.client_query.value(), choose.as_str()),
            CaptureField::Text => (form.text.value(), "what they said"),
            // Letters typed into the field itself, not keymap commands.
            CaptureField::Channel => (form.channel.to_string(), "space or p/e/t/v/i/o"),
            CaptureField::Urgency => (form.urgency.to_string(), "space or c/u/n/l"),
            CaptureField::Received => (form.received.value(), "now, 20 min ago, 13:45"),
            CaptureField::Phone => (form.phone.value(), "the caller's number (optional)"),
        };
        let label_style = if focused { theme.key() } else { theme.label() };
        let mut spans = vec![Span::styled(
            format!("{:<LABEL$}", field.label()),
            label_style,
        )];
        let typed = !matches!(field, CaptureField::Channel | CaptureField::Urgency);
        if focused && let Some(editor) = form.focused_editor() {
            cursor = Some((lines.len() as u16, LABEL + editor.cursor_width()));
        }
        if value.is_empty() {
            let placeholder = if field == CaptureField::Received {
                "now"
            } else {
                hint
            };
            spans.push(Span::styled(placeholder.to_string(), theme.muted()));
        } else {
            spans.push(Span::raw(value));
            if focused && !typed {
                spans.push(Span::styled(format!("  ({hint})"), theme.muted()));
            }
        }
        lines.push(Line::from(spans));
        if field == CaptureField::Client {
            lines.extend(client_lines(form, theme));
        }
    }
    match form.error() {
        Some(error) => lines.push(Line::from(Span::styled(error.to_string(), theme.error()))),
        None if form.busy() => lines.push(Line::from(Span::styled("saving…", theme.muted()))),
        None => {}
    }
    let width = area.width.saturating_sub(4).min(70);
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Line::from(" New request ").style(theme.title(true)))
        .title_bottom(
            Line::from(keymap.hint_line(
                &scopes,
                &[
                    (Command::FieldNext, "next field"),
                    (Command::FlowConfirm, "saves"),
                    (Command::FlowCancel, "cancels"),
                ],
            ))
            .style(theme.muted()),
        );
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
    if let Some((row, column)) = cursor
        && row < inner.height
        && inner.width > 0
    {
        let x = (inner.x + column as u16).min(inner.right().saturating_sub(1));
        frame.set_cursor_position(Position::new(x, inner.y + row));
    }
}

/// The best matches, the chosen one marked; "new client" when nothing fits.
fn client_lines(form: &CaptureForm, theme: &Theme) -> Vec<Line<'static>> {
    if form.client_query.value().trim().is_empty() {
        return Vec::new();
    }
    if form.names == Loadable::Loading {
        return vec![Line::from(Span::styled(
            format!("{:LABEL$}loading clients…", ""),
            theme.muted(),
        ))];
    }
    let offset = form.chosen.saturating_sub(MATCHES - 1);
    form.matches
        .iter()
        .enumerate()
        .skip(offset)
        .take(MATCHES)
        .map(|(n, choice)| {
            let text = format!(
                "{:LABEL$}{} {}",
                "",
                if n == form.chosen { "▸" } else { " " },
                choice.label()
            );
            if n == form.chosen {
                Line::from(Span::styled(text, theme.selected()))
            } else {
                Line::from(Span::styled(text, theme.muted()))
            }
        })
        .collect()
}
