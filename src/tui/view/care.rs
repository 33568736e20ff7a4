//! The care flows drawn: the notes, recap, check-in and parting editors
//! with the guardrails' warnings, and the at-risk list. Key hints come from
//! the keymap, so they stay true after rebinding.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::tui::action::Command;
use crate::tui::flows::care::{CareFlow, CareStep, ClientPart};
use crate::tui::flows::triage::ReplyDraft;
use crate::tui::keymap::Scope;
use crate::tui::model::{AtRiskView, Loadable, Model};
use crate::tui::theme::Theme;

/// "Ctrl-S next" from the keymap, or nothing when the command has no key.
fn hint(model: &Model, scope: Scope, command: Command, words: &str) -> Option<String> {
    model.keymap.hint(&[scope], command, words)
}

fn hints(model: &Model, scope: Scope, list: &[(Command, &str)]) -> String {
    let scoped: Vec<(Scope, Command, &str)> = list.iter().map(|(c, w)| (scope, *c, *w)).collect();
    hints_in(model, &scoped)
}

pub(crate) fn hints_in(model: &Model, list: &[(Scope, Command, &str)]) -> String {
    let parts: Vec<String> = list
        .iter()
        .filter_map(|(scope, command, words)| hint(model, *scope, *command, words))
        .collect();
    format!(" {} ", parts.join(" · "))
}

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, flow: &CareFlow, theme: &Theme) {
    let scope = Scope::CareEditor;
    let notes_scope = Scope::CareNotes;
    let name =
        crate::text::visible_line(&crate::care::message::one_line(&flow.client_name)).into_owned();
    let (title, bottom) = match &flow.step {
        CareStep::Notes { session_id, .. } => (
            format!(" Session #{session_id} with {name} held: notes and action items "),
            hints_in(
                model,
                &[
                    (scope, Command::FlowConfirm, "next: the recap"),
                    (notes_scope, Command::SaveWithoutRecap, "save, no recap"),
                    (scope, Command::EditExternally, "$EDITOR"),
                    (scope, Command::FlowCancel, "cancel"),
                ],
            ),
        ),
        CareStep::Parting { .. } => (
            format!(" Part ways with {name} "),
            hints(
                model,
                scope,
                &[
                    (Command::FlowConfirm, "next: the final note"),
                    (Command::EditExternally, "$EDITOR"),
                    (Command::FlowCancel, "cancel"),
                ],
            ),
        ),
        CareStep::ClientForm { part, .. } => (
            match part {
                ClientPart::Details => format!(" Edit {name}: details "),
                ClientPart::Context => format!(" {name}: what is at stake now "),
            },
            hints(
                model,
                scope,
                &[
                    (Command::FlowConfirm, "saves"),
                    (Command::EditExternally, "$EDITOR"),
                    (Command::FlowCancel, "cancel"),
                ],
            ),
        ),
        CareStep::Recap { .. } | CareStep::PartingNote { .. } | CareStep::CheckIn { .. } => {
            let what = match &flow.step {
                CareStep::Recap { .. } => "Recap",
                CareStep::PartingNote { .. } => "Final note",
                _ => "Check-in",
            };
            (
                format!(" {what} to {name} "),
                hints(
                    model,
                    scope,
                    &[
                        (Command::FlowConfirm, "sends"),
                        (Command::EditExternally, "$EDITOR"),
                        (Command::FlowCancel, "cancels"),
                    ],
                ),
            )
        }
    };
    let width = area.width.saturating_sub(2).min(100);
    let height = area.height.saturating_sub(2).min(30);
    let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Line::from(title).style(theme.title(true)))
        .title_bottom(Line::from(bottom).style(theme.muted()));
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let draft: Option<&ReplyDraft> = match &flow.step {
        CareStep::Recap { draft, .. }
        | CareStep::PartingNote { draft, .. }
        | CareStep::CheckIn { draft } => Some(draft),
        _ => None,
    };
    let mut notes: Vec<Line> = Vec::new();
    if let Some(draft) = draft {
        notes.extend(
            draft
                .warnings
                .iter()
                .map(|w| Line::from(Span::styled(format!("⚠ {w}"), theme.warn()))),
        );
        if draft.send_anyway {
            let again = hint(model, scope, Command::FlowConfirm, "again sends it anyway")
                .unwrap_or_else(|| "confirm again to send it anyway".into());
            notes.push(Line::from(Span::styled(
                format!("{again}; or keep editing"),
                theme.error(),
            )));
        }
    }
    if flow.discard_armed {
        let again = hint(model, scope, Command::FlowCancel, "again discards them")
            .unwrap_or_else(|| "cancel again to discard them".into());
        notes.push(Line::from(Span::styled(
            format!("the text has changes: {again}"),
            theme.error(),
        )));
    }
    if let Some(error) = &flow.error {
        notes.push(Line::from(Span::styled(error.clone(), theme.error())));
    } else if flow.busy {
        notes.push(Line::from(Span::styled("working…", theme.muted())));
    }
    let cols = usize::from(inner.width.max(1));
    let note_rows: usize = notes.iter().map(|l| l.width().max(1).div_ceil(cols)).sum();
    let notes_height = (note_rows as u16).min(inner.height.saturating_sub(3) / 2 + 1);
    let [subject_area, editor_area, notes_area] = Layout::vertical([
        Constraint::Length(u16::from(draft.is_some())),
        Constraint::Min(1),
        Constraint::Length(notes_height),
    ])
    .areas(inner);
    if let Some(draft) = draft {
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("Subject: ", theme.muted()),
                Span::raw(draft.subject.value()),
            ])),
            subject_area,
        );
    }
    let editor = match &flow.step {
        CareStep::Notes { editor, .. }
        | CareStep::Parting { editor }
        | CareStep::ClientForm { editor, .. } => editor,
        CareStep::Recap { draft, .. }
        | CareStep::PartingNote { draft, .. }
        | CareStep::CheckIn { draft } => &draft.editor,
    };
    editor.draw(
        frame,
        editor_area,
        Block::new()
            .borders(if draft.is_some() {
                ratatui::widgets::Borders::TOP
            } else {
                ratatui::widgets::Borders::NONE
            })
            .border_style(theme.border(false)),
        Style::new(),
        !flow.busy,
    );
    frame.render_widget(Paragraph::new(notes).wrap(Wrap { trim: true }), notes_area);
}

pub fn draw_at_risk(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    view: &AtRiskView,
    theme: &Theme,
) {
    let bottom = hints(
        model,
        Scope::AtRiskScreen,
        &[(Command::Open, "opens"), (Command::Back, "back")],
    );
    let lines: Vec<Line> = match &view.clients {
        Loadable::Loading => vec![Line::from(Span::styled("gathering…", theme.muted()))],
        Loadable::Ready(list) if list.is_empty() => {
            vec![Line::from(Span::styled("nobody is at risk", theme.muted()))]
        }
        Loadable::Ready(list) => {
            let title = format!(" At risk ({}) ", list.len());
            let room = usize::from(area.height.saturating_sub(2)).max(1);
            let width = usize::from(area.width.saturating_sub(2));
            let name_width = (width / 3).clamp(8, 24);
            let lines = list
                .iter()
                .enumerate()
                .skip(crate::tui::layout::table_offset(view.chosen, room))
                .take(room)
                .map(|(n, a)| {
                    // Narrow screens get the short words ("silent 24d").
                    let reasons: Vec<String> = if width < 100 {
                        a.reasons.iter().map(|r| r.short()).collect()
                    } else {
                        a.reasons.iter().map(ToString::to_string).collect()
                    };
                    let name = crate::review::words::fit(
                        &crate::text::visible_line(&crate::care::message::one_line(&a.client)),
                        name_width,
                    );
                    let text = crate::review::words::fit(
                        &reasons.join("; "),
                        width.saturating_sub(name_width + 3),
                    );
                    let row = format!("{name:<name_width$}  {text}");
                    if n == view.chosen {
                        Line::from(Span::styled(format!("▸{row}"), theme.selected()))
                    } else {
                        Line::from(vec![
                            Span::raw(" "),
                            Span::styled(format!("{name:<name_width$}  "), theme.label()),
                            Span::styled(text, theme.warn()),
                        ])
                    }
                })
                .collect();
            return draw_list(frame, area, title, bottom, lines, theme);
        }
    };
    draw_list(frame, area, " At risk ".into(), bottom, lines, theme);
}

fn draw_list(
    frame: &mut Frame,
    area: Rect,
    title: String,
    bottom: String,
    lines: Vec<Line<'static>>,
    theme: &Theme,
) {
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Line::from(title).style(theme.title(true)))
        .title_bottom(Line::from(bottom).style(theme.muted()));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
