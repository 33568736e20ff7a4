//! The triage popups: choosing a template, a time or an urgency, the reply
//! editor with the guardrails' warnings, and the follow-up's text.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::domain::when::parse_when;
use crate::model::Urgency;
use crate::tui::action::Command;
use crate::tui::flows::picker::TimePicker;
use crate::tui::flows::triage::{ReplyDraft, TimePurpose};
use crate::tui::flows::{TriageFlow, TriageStep};
use crate::tui::keymap::Scope;
use crate::tui::model::{Loadable, Model};
use crate::tui::theme::Theme;
use crate::tui::view::text;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, flow: &TriageFlow, theme: &Theme) {
    if let TriageStep::EditReply(draft) = &flow.step {
        draw_editor(frame, area, model, flow, draft, theme);
        return;
    }
    let (title, mut lines) = match &flow.step {
        TriageStep::ChooseTemplate { names, chosen } => {
            // Room for the list: less the borders, the request line, a gap
            // and the error line.
            let room = usize::from(area.height.saturating_sub(7)).max(1);
            (
                " Reply: choose a template ",
                template_lines(names, *chosen, room, theme),
            )
        }
        TriageStep::ChooseTime { purpose, picker } => {
            let title = match purpose {
                TimePurpose::Acknowledge => " Acknowledge: promise an answer by ",
                TimePurpose::Snooze => " Snooze until ",
                TimePurpose::FollowUp => " Follow-up due ",
            };
            (title, time_lines(model, picker, theme))
        }
        TriageStep::ChooseUrgency { chosen } => {
            (" Set the urgency ", urgency_lines(flow, *chosen, theme))
        }
        TriageStep::FollowUpText { due, text: typed } => (
            " Follow-up text ",
            vec![
                Line::from(format!("due {}", text::day_and_clock(*due, model.tz))),
                Line::from(vec![
                    Span::styled("> ", theme.key()),
                    Span::raw(typed.value()),
                ]),
            ],
        ),
        TriageStep::EditReply(_) => return,
    };
    // The typed WHEN (when chosen) or the follow-up text: the cursor's line
    // (below the two inserted next) and cell, after the "▸ > " or "> ".
    let cursor = match &flow.step {
        TriageStep::ChooseTime { picker, .. } if picker.typing() => lines
            .len()
            .checked_sub(1)
            .map(|line| (line + 2, 4 + picker.typed.cursor_width())),
        TriageStep::FollowUpText { text: typed, .. } => Some((3, 2 + typed.cursor_width())),
        _ => None,
    };
    lines.insert(0, about(flow, theme));
    lines.insert(1, Line::default());
    if let Some(error) = flow.error() {
        lines.push(Line::from(Span::styled(error.to_string(), theme.error())));
    } else if flow.busy() {
        lines.push(Line::from(Span::styled("working…", theme.muted())));
    }
    let width = area.width.saturating_sub(4).min(64);
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Line::from(title).style(theme.title(true)))
        .title_bottom(
            Line::from(model.keymap.hint_line(
                &[Scope::Picker],
                &[
                    (Command::FlowConfirm, "takes"),
                    (Command::FlowCancel, "cancels"),
                ],
            ))
            .style(theme.muted()),
        );
    let inside = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
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
        frame.set_cursor_position(ratatui::layout::Position::new(x, inside.y + row));
    }
}

/// One line naming the request.
fn about(flow: &TriageFlow, theme: &Theme) -> Line<'static> {
    let request = &flow.request;
    Line::from(vec![
        Span::styled(
            format!("#{} {}", request.id, request.client_name),
            theme.label(),
        ),
        Span::styled(
            format!(" · {} · {}: ", request.channel, request.urgency),
            theme.muted(),
        ),
        Span::raw(request.summary()),
    ])
}

fn choice_line(selected: bool, text: String, theme: &Theme) -> Line<'static> {
    if selected {
        Line::from(Span::styled(format!("▸ {text}"), theme.selected()))
    } else {
        Line::from(format!("  {text}"))
    }
}

fn template_lines(
    names: &Loadable<Vec<String>>,
    chosen: usize,
    room: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    match names {
        Loadable::Loading => vec![Line::from(Span::styled(
            "loading templates…",
            theme.muted(),
        ))],
        Loadable::Ready(names) => names
            .iter()
            .enumerate()
            .skip(crate::tui::layout::table_offset(chosen, room))
            .take(room)
            .map(|(n, name)| choice_line(n == chosen, name.clone(), theme))
            .collect(),
    }
}

pub(crate) fn time_lines(model: &Model, picker: &TimePicker, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = picker
        .presets
        .iter()
        .enumerate()
        .map(|(n, (label, at))| {
            let when = text::day_and_clock(*at, model.tz);
            choice_line(n == picker.chosen, format!("{label:<20} {when}"), theme)
        })
        .collect();
    let typed_text = picker.typed.value();
    let typed = if typed_text.is_empty() && !picker.typing() {
        Span::styled("type a time: tomorrow 14:00, +2h, fri 9:30", theme.muted())
    } else {
        Span::raw(typed_text.clone())
    };
    let marker = if picker.typing() { "▸ " } else { "  " };
    let mut typed_line = vec![Span::styled(format!("{marker}> "), theme.key()), typed];
    if picker.typing() && !typed_text.trim().is_empty() {
        let preview = match parse_when(&typed_text, model.now, model.tz) {
            Ok(instant) => Span::styled(
                format!("  = {}", text::day_and_clock(instant.at, model.tz)),
                theme.info(),
            ),
            Err(_) => Span::styled("  (not a time yet)", theme.muted()),
        };
        typed_line.push(preview);
    }
    lines.push(Line::from(typed_line));
    lines
}

/// A command no key reaches, named as in `[keys]`.
fn command_name(command: Command) -> String {
    format!("[{}]", command.name())
}

fn urgency_lines(flow: &TriageFlow, chosen: usize, theme: &Theme) -> Vec<Line<'static>> {
    Urgency::ALL
        .iter()
        .enumerate()
        .map(|(n, urgency)| {
            let now = if *urgency == flow.request.urgency {
                "  (now)"
            } else {
                ""
            };
            choice_line(n == chosen, format!("{urgency}{now}"), theme)
        })
        .collect()
}

fn draw_editor(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    flow: &TriageFlow,
    draft: &ReplyDraft,
    theme: &Theme,
) {
    let scopes = [Scope::ReplyEditor];
    let keymap = &model.keymap;
    let key = |command| {
        keymap
            .keys_for(&scopes, command)
            .first()
            .map_or_else(|| command_name(command), |k| k.to_string())
    };
    let focus_words = if draft.on_subject {
        "the text"
    } else {
        "the subject"
    };
    let width = area.width.saturating_sub(2).min(100);
    let height = area.height.saturating_sub(2).min(30);
    let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(
            Line::from(format!(" Reply to {} ", flow.request.client_name)).style(theme.title(true)),
        )
        .title_bottom(
            Line::from(keymap.hint_line(
                &scopes,
                &[
                    (Command::FlowConfirm, "sends"),
                    (Command::FlowCancel, "cancels"),
                    (Command::FieldNext, focus_words),
                    (Command::EditExternally, "$EDITOR"),
                ],
            ))
            .style(theme.muted()),
        );
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let mut notes: Vec<Line> = draft
        .warnings
        .iter()
        .map(|w| Line::from(Span::styled(format!("⚠ {w}"), theme.warn())))
        .collect();
    if draft.send_anyway {
        notes.push(Line::from(Span::styled(
            format!(
                "{} again sends it anyway; or keep editing",
                key(Command::FlowConfirm)
            ),
            theme.error(),
        )));
    }
    if draft.discard_armed {
        notes.push(Line::from(Span::styled(
            format!(
                "the draft has changes: {} again discards it, {} sends it",
                key(Command::FlowCancel),
                key(Command::FlowConfirm)
            ),
            theme.error(),
        )));
    }
    if let Some(error) = flow.error() {
        notes.push(Line::from(Span::styled(error.to_string(), theme.error())));
    } else if flow.busy() {
        notes.push(Line::from(Span::styled("sending…", theme.muted())));
    }
    // Warnings wrap: count the rows they take at this width.
    let width = usize::from(inner.width.max(1));
    let note_rows: usize = notes.iter().map(|l| l.width().max(1).div_ceil(width)).sum();
    let notes_height = (note_rows as u16).min(inner.height.saturating_sub(3) / 2 + 1);
    let [subject_area, editor_area, notes_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(notes_height),
    ])
    .areas(inner);
    let label = "Subject: ";
    let label_style = if draft.on_subject {
        theme.key()
    } else {
        theme.muted()
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(label, label_style),
            Span::raw(draft.subject.value()),
        ])),
        subject_area,
    );
    if draft.on_subject && !flow.busy() && subject_area.width > 0 {
        let column = label.len() + draft.subject.cursor_width();
        let x = subject_area.x + u16::try_from(column).unwrap_or(u16::MAX);
        frame.set_cursor_position(ratatui::layout::Position::new(
            x.min(subject_area.right().saturating_sub(1)),
            subject_area.y,
        ));
    }
    draft.editor.draw(
        frame,
        editor_area,
        Block::new()
            .borders(ratatui::widgets::Borders::TOP)
            .border_style(theme.border(false)),
        Style::new(),
        !flow.busy() && !draft.on_subject,
    );
    frame.render_widget(Paragraph::new(notes).wrap(Wrap { trim: true }), notes_area);
}
