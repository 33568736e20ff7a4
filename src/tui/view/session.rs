//! The session flows drawn: the book/move/cancel form, the clashes to
//! confirm, the note to the client, the result. Every key named comes from
//! the keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::domain::when::parse_when;
use crate::flows::booking::Occurrences;
use crate::tui::action::Command;
use crate::tui::flows::session::{Field, SessionFlow, SessionKind, SessionStep};
use crate::tui::keymap::Scope;
use crate::tui::model::{Loadable, Model};
use crate::tui::theme::Theme;
use crate::tui::view::care::hints_in;
use crate::tui::view::text;

const LABEL: usize = 11;

fn visible(text: &str) -> String {
    crate::text::visible_line(&crate::care::message::one_line(text)).into_owned()
}

fn title(model: &Model, flow: &SessionFlow) -> String {
    let session_line = |s: &crate::model::Session| {
        format!(
            "{}'s session {}",
            visible(&s.client_name),
            text::day_and_clock(s.start, model.tz)
        )
    };
    match &flow.kind {
        SessionKind::Book => " Book a session ".to_string(),
        SessionKind::Move(s) => format!(" Move {} ", session_line(s)),
        SessionKind::Cancel(s) => format!(" Cancel {} ", session_line(s)),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, flow: &SessionFlow, theme: &Theme) {
    let form = Scope::SessionForm;
    // The focused typed field: its line and the cursor's cell in it.
    let mut cursor: Option<(usize, usize)> = None;
    let (lines, bottom) = match &flow.step {
        SessionStep::Editing { error } => {
            let (mut lines, at) = form_lines(model, flow, theme);
            cursor = at;
            if let Some(error) = error {
                lines.push(Line::styled(visible(error), theme.error()));
            }
            let confirm = match flow.kind {
                SessionKind::Cancel(_) => "next",
                _ => "check",
            };
            (
                lines,
                hints_in(
                    model,
                    &[
                        (form, Command::FieldNext, "next field"),
                        (form, Command::FlowNext, "choose"),
                        (form, Command::FlowConfirm, confirm),
                        (form, Command::FlowCancel, "cancel"),
                    ],
                ),
            )
        }
        SessionStep::Checking => (
            vec![Line::styled("checking the calendar…", theme.muted())],
            String::new(),
        ),
        SessionStep::Saving => (vec![Line::styled("saving…", theme.muted())], String::new()),
        SessionStep::Confirm { clashes } => {
            let mut lines = vec![Line::styled(
                "That time is taken:".to_string(),
                theme.warn(),
            )];
            lines.extend(
                clashes
                    .iter()
                    .map(|c| Line::raw(format!("  {}", visible(c)))),
            );
            (
                lines,
                hints_in(
                    model,
                    &[
                        (Scope::Confirm, Command::FlowConfirm, "book anyway"),
                        (Scope::Confirm, Command::FlowCancel, "back to the form"),
                    ],
                ),
            )
        }
        SessionStep::Note { .. } => {
            draw_note(frame, area, model, flow, theme);
            return;
        }
        SessionStep::Done(message) => (
            vec![Line::styled(visible(message), theme.info())],
            hints_in(model, &[(Scope::FlowResult, Command::Back, "close")]),
        ),
        SessionStep::Failed(message) => (
            vec![
                Line::styled("Nothing was changed:", theme.error()),
                Line::raw(visible(message)),
            ],
            hints_in(model, &[(Scope::FlowResult, Command::Back, "close")]),
        ),
    };
    super::form::draw_popup(
        frame,
        area,
        lines,
        cursor,
        title(model, flow),
        bottom,
        theme,
    );
}

/// The form's lines, and where the cursor goes: the focused typed field's
/// line and the cell in it.
fn form_lines(
    model: &Model,
    flow: &SessionFlow,
    theme: &Theme,
) -> (Vec<Line<'static>>, Option<(usize, usize)>) {
    let form = &flow.form;
    let mut lines = Vec::new();
    let mut cursor = None;
    // The keys that step through a field's choices, as the keymap has them.
    let arrows = format!(
        "{}/{}",
        model
            .keymap
            .key_name(&[Scope::SessionForm], Command::FlowPrev),
        model
            .keymap
            .key_name(&[Scope::SessionForm], Command::FlowNext)
    );
    let choice_0 = format!("name; {arrows} choose");
    let choice_1 = format!("{arrows} once, weekly, fortnightly, monthly");
    let choice_2 = format!("{arrows} client or coach");
    let choice_3 = format!("{arrows} this one / and the following");
    let choice_4 = format!("{arrows} yes / no");
    for field in flow.fields() {
        let focused = field == form.field;
        let editor = match field {
            Field::Client => Some(&form.client_query),
            Field::When => Some(&form.when),
            Field::Minutes => Some(&form.minutes),
            Field::Place => Some(&form.place),
            Field::Count => Some(&form.count),
            Field::Reason => Some(&form.reason),
            _ => None,
        };
        if focused && let Some(editor) = editor {
            cursor = Some((lines.len(), LABEL + editor.cursor_width()));
        }
        let (value, hint) = match field {
            Field::Client => (form.client_query.value(), choice_0.as_str()),
            Field::When => (
                form.when.value(),
                "tomorrow 14:00, thu 10:00, 2026-12-03 9:30",
            ),
            Field::Minutes => (form.minutes.value(), "minutes"),
            Field::Place => (form.place.value(), "video link, room…"),
            Field::Repeat => (
                form.repeat.map_or("once".to_string(), |r| r.to_string()),
                choice_1.as_str(),
            ),
            Field::Count => (form.count.value(), "sessions in the series"),
            Field::By => (form.by.to_string(), choice_2.as_str()),
            Field::Reason => (form.reason.value(), "optional"),
            Field::Occurrences => (
                match form.occurrences {
                    Occurrences::This => "just this one".to_string(),
                    Occurrences::Following => "this one and the following".to_string(),
                },
                choice_3.as_str(),
            ),
            Field::Tell => (
                if form.tell {
                    "yes: a note with the calendar update".to_string()
                } else {
                    "no".to_string()
                },
                choice_4.as_str(),
            ),
        };
        let label = if focused { theme.key() } else { theme.label() };
        let marker = if focused { "▸" } else { " " };
        let mut spans = vec![Span::styled(
            format!("{marker}{:<width$}", field.label(), width = LABEL - 1),
            label,
        )];
        if value.is_empty() {
            spans.push(Span::styled(hint.to_string(), theme.muted()));
        } else {
            spans.push(Span::raw(visible(&value)));
            if field == Field::When
                && let Ok(at) = parse_when(&value, model.now, model.tz)
            {
                spans.push(Span::styled(
                    format!("  = {}", text::day_and_clock(at.at, model.tz)),
                    theme.info(),
                ));
            }
            if focused && !field.typed() {
                spans.push(Span::styled(format!("  ({hint})"), theme.muted()));
            }
        }
        lines.push(Line::from(spans));
        if field == Field::Client && !form.client_query.value().trim().is_empty() {
            if form.names == Loadable::Loading && form.matches.is_empty() {
                lines.push(Line::styled(
                    format!("{:LABEL$}loading clients…", ""),
                    theme.muted(),
                ));
            }
            let offset = form.chosen.saturating_sub(2);
            for (n, (_, name)) in form.matches.iter().enumerate().skip(offset).take(3) {
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
            if form.matches.is_empty() && form.names != Loadable::Loading {
                lines.push(Line::styled(
                    format!("{:LABEL$}no client matches", ""),
                    theme.error(),
                ));
            }
        }
    }
    (lines, cursor)
}

fn draw_note(frame: &mut Frame, area: Rect, model: &Model, flow: &SessionFlow, theme: &Theme) {
    let SessionStep::Note {
        editor,
        subject,
        warnings,
        send_anyway,
    } = &flow.step
    else {
        return;
    };
    let note = Scope::SessionNote;
    let popup = area.centered(
        Constraint::Length(area.width.saturating_sub(4).min(90)),
        Constraint::Length(area.height.saturating_sub(2)),
    );
    frame.render_widget(Clear, popup);
    let warn_rows = if warnings.is_empty() {
        0
    } else {
        warnings.len() as u16 + 1
    };
    let send = if *send_anyway {
        "send anyway"
    } else {
        "save and send"
    };
    // One box: the subject, the note, then what the guardrails flag.
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Line::from(title(model, flow)).style(theme.title(true)))
        .title_bottom(
            Line::from(hints_in(
                model,
                &[
                    (note, Command::FlowConfirm, send),
                    (note, Command::EditExternally, "$EDITOR"),
                    (note, Command::FlowCancel, "back"),
                ],
            ))
            .style(theme.muted()),
        );
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [head, body, warn] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(warn_rows),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("Subject: ", theme.label()),
            Span::raw(visible(subject)),
        ])),
        head,
    );
    editor.draw(
        frame,
        body,
        Block::default(),
        ratatui::style::Style::default(),
        true,
    );
    if !warnings.is_empty() {
        let mut lines = vec![Line::styled(
            "Guardrails flag this note:".to_string(),
            theme.warn(),
        )];
        lines.extend(
            warnings
                .iter()
                .map(|w| Line::raw(format!("  {}", visible(w)))),
        );
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), warn);
    }
}
