//! The follow-up flows drawn (move the due time, snooze, add) and the list
//! of all open follow-ups. Every key named comes from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::tui::action::Command;
use crate::tui::flows::followup::{
    AddField, FollowUpFlow, FollowUpListView, FollowUpStep, FollowUpTask,
};
use crate::tui::keymap::Scope;
use crate::tui::model::{Loadable, Model};
use crate::tui::theme::Theme;
use crate::tui::view::care::hints_in;
use crate::tui::view::text;

const LABEL: usize = 9;

fn visible(text: &str) -> String {
    crate::text::visible_line(&crate::care::message::one_line(text)).into_owned()
}

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, flow: &FollowUpFlow, theme: &Theme) {
    let scope = Scope::FollowUpForm;
    // The focused typed field: its line and the cursor's cell in it.
    let mut cursor: Option<(usize, usize)> = None;
    let (title, mut lines) = match &flow.task {
        FollowUpTask::MoveDue { followup, picker } | FollowUpTask::Snooze { followup, picker } => {
            let verb = if matches!(flow.task, FollowUpTask::Snooze { .. }) {
                "Snooze"
            } else {
                "Move"
            };
            let mut lines = vec![Line::raw(format!(
                "{} · {} · due {}",
                visible(&followup.client_name),
                visible(&followup.text),
                text::day_and_clock(followup.due, model.tz)
            ))];
            lines.extend(crate::tui::view::triage::time_lines(model, picker, theme));
            (format!(" {verb} follow-up #{} ", followup.id), lines)
        }
        FollowUpTask::Add(form) => {
            let mut lines = Vec::new();
            // The keys that step through a field's choices, as the keymap has them.
            let arrows = format!(
                "{}/{}",
                model
                    .keymap
                    .key_name(&[Scope::FollowUpForm], Command::FlowPrev),
                model
                    .keymap
                    .key_name(&[Scope::FollowUpForm], Command::FlowNext)
            );
            let choice_0 = format!("name; {arrows} choose");
            let choice_1 = format!("{arrows} coach / client");
            let choice_2 = format!("{arrows} action / promise");
            for field in AddField::ALL {
                let focused = field == form.field;
                let (value, hint) = match field {
                    AddField::Client => (form.client_query.value(), choice_0.as_str()),
                    AddField::Due => (form.due.value(), "tomorrow 09:00 (or fri 15:00, +2h)"),
                    AddField::Text => (form.text.value(), "what is to be done"),
                    AddField::Owner => (form.owner.to_string(), choice_1.as_str()),
                    AddField::Kind => (form.kind.to_string(), choice_2.as_str()),
                };
                let editor = match field {
                    AddField::Client => Some(&form.client_query),
                    AddField::Due => Some(&form.due),
                    AddField::Text => Some(&form.text),
                    AddField::Owner | AddField::Kind => None,
                };
                if focused && let Some(editor) = editor {
                    cursor = Some((lines.len(), LABEL + editor.cursor_width()));
                }
                let marker = if focused { "▸" } else { " " };
                let mut spans = vec![Span::styled(
                    format!("{marker}{:<width$}", field.label(), width = LABEL - 1),
                    if focused { theme.key() } else { theme.label() },
                )];
                if value.is_empty() {
                    spans.push(Span::styled(hint.to_string(), theme.muted()));
                } else {
                    spans.push(Span::raw(visible(&value)));
                }
                lines.push(Line::from(spans));
                if field == AddField::Client && !form.client_query.value().trim().is_empty() {
                    for (n, (_, name)) in form.matches.iter().enumerate().take(3) {
                        let chosen = n == form.chosen;
                        lines.push(Line::styled(
                            format!(
                                "{:LABEL$}{} {}",
                                "",
                                if chosen { "▸" } else { " " },
                                visible(name)
                            ),
                            if chosen {
                                theme.selected()
                            } else {
                                theme.muted()
                            },
                        ));
                    }
                }
            }
            (" Add a follow-up ".to_string(), lines)
        }
    };
    match &flow.step {
        FollowUpStep::Editing { error: Some(error) } => {
            lines.push(Line::styled(visible(error), theme.error()))
        }
        FollowUpStep::Saving => lines.push(Line::styled("saving…", theme.muted())),
        FollowUpStep::Editing { error: None } => {}
    }
    let bottom = hints_in(
        model,
        &[
            (scope, Command::FieldNext, "next"),
            (scope, Command::FlowConfirm, "save"),
            (scope, Command::FlowCancel, "cancel"),
        ],
    );
    super::form::draw_popup(frame, area, lines, cursor, title, bottom, theme);
}

/// Every open follow-up, soonest first; overdue ones marked.
pub fn draw_list(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    view: &FollowUpListView,
    theme: &Theme,
) {
    let list = Scope::FollowUpList;
    let bottom = hints_in(
        model,
        &[
            (list, Command::FollowUpDone, "done"),
            (list, Command::FollowUpMoveDue, "move due"),
            (list, Command::FollowUpSnooze, "snooze"),
            (list, Command::FollowUpAdd, "add"),
            (list, Command::OpenClient, "client"),
            (list, Command::Back, "back"),
        ],
    );
    let count = view.followups.ready().map_or(0, Vec::len);
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Line::from(format!(" All open follow-ups ({count}) ")).style(theme.title(true)))
        .title_bottom(Line::from(bottom).style(theme.muted()));
    let inner = block.inner(area);
    let room = usize::from(inner.height.max(1));
    let lines: Vec<Line> = match &view.followups {
        Loadable::Loading => vec![Line::styled("loading…", theme.muted())],
        Loadable::Ready(list) if list.is_empty() => {
            vec![Line::styled("no open follow-ups", theme.muted())]
        }
        Loadable::Ready(list) => list
            .iter()
            .enumerate()
            .skip(crate::tui::layout::table_offset(view.chosen, room))
            .take(room)
            .map(|(n, f)| {
                let overdue = f.due < model.now;
                let marker = if n == view.chosen { "▸" } else { " " };
                let due = text::day_and_clock(f.due, model.tz);
                // Narrow terminals keep the due time, the client and the text.
                let row = if inner.width < 90 {
                    format!(
                        "{marker} {due:<16} {:<14} {}",
                        crate::review::words::fit(&visible(&f.client_name), 14),
                        visible(&f.text)
                    )
                } else {
                    format!(
                        "{marker} {due:<16} {:<20} {:<6} {:<9} {}",
                        crate::review::words::fit(&visible(&f.client_name), 20),
                        f.owner.to_string(),
                        f.kind.to_string(),
                        visible(&f.text)
                    )
                };
                let style = if n == view.chosen {
                    theme.selected()
                } else if overdue {
                    theme.overdue()
                } else {
                    ratatui::style::Style::default()
                };
                Line::styled(row, style)
            })
            .collect(),
    };
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
