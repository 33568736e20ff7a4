//! The emergency reschedule, one drawing per step of its state machine.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::compose::client_time_text;
use crate::tui::action::Command;
use crate::tui::flows::emergency::{Draft, Emergency, SlotChoice, Step};
use crate::tui::keymap::Scope;
use crate::tui::layout;
use crate::tui::model::Model;
use crate::tui::theme::Theme;
use crate::tui::view::flow_text::{outcome_lines, plain, when};

pub fn draw(frame: &mut Frame, main: Rect, model: &Model, emergency: &Emergency, theme: &Theme) {
    let title = match &emergency.crisis {
        Some(crisis) => format!(" Emergency · free a session for {} ", crisis.client.name),
        None => " Emergency · free a session ".to_string(),
    };
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Line::from(title).style(theme.title(true)));
    let tz = model.tz;
    if let Step::Apology(draft) = &emergency.step {
        return draw_apology(frame, main, block, model, draft, theme);
    }
    let lines = match &emergency.step {
        Step::Loading => vec![plain("looking in the book…", theme.muted())],
        Step::PickSession { chosen } => {
            // Keep the chosen row in sight below the heading.
            let visible = usize::from(main.height.saturating_sub(3));
            let offset = layout::table_offset(*chosen, visible);
            let width = usize::from(main.width.saturating_sub(2));
            let mut lines = pick_lines(emergency, *chosen, tz, width, theme);
            lines.drain(1..(1 + offset).min(lines.len()));
            lines
        }
        Step::Slots(choice) => slot_lines(choice, tz, theme),
        Step::Rendering(_) => vec![plain("writing the apology…", theme.muted())],
        Step::Apology(_) => Vec::new(),
        Step::Saving => vec![plain("saving and delivering…", theme.muted())],
        Step::Done(outcome) => {
            let mut lines = vec![plain(&outcome.summary, theme.info())];
            if outcome.crisis_booked {
                lines.push(plain(
                    "The crisis call is booked into the freed hour and answers the request.",
                    Style::new(),
                ));
            }
            lines.extend(outcome_lines(std::slice::from_ref(&outcome.sent), theme));
            lines.push(plain("u on the dashboard undoes it.", theme.muted()));
            lines
        }
        Step::Failed(message) => vec![
            plain("Nothing was changed:", theme.error()),
            plain(message, theme.error()),
        ],
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        main,
    );
}

fn pick_lines(
    emergency: &Emergency,
    chosen: usize,
    tz: Tz,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = vec![plain(
        "Which session to free? (soonest first)",
        theme.header(),
    )];
    // One column for the names, as wide as the longest (up to 24).
    let name_width = emergency
        .candidates
        .iter()
        .map(|c| c.session.client_name.chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    for (n, candidate) in emergency.candidates.iter().enumerate() {
        let session = &candidate.session;
        let style = if n == chosen {
            theme.selected()
        } else {
            Style::new()
        };
        let mut spans = vec![
            Span::styled(
                format!(
                    "{} {} ",
                    if n == chosen { ">" } else { " " },
                    when(session.start, tz)
                ),
                style,
            ),
            Span::styled(
                format!(
                    "{:<name_width$}",
                    crate::review::words::fit(&session.client_name, name_width)
                ),
                style,
            ),
            Span::styled(
                format!("  moved {}x/90d", candidate.coach_moves),
                if candidate.coach_moves > 0 {
                    theme.warn()
                } else {
                    theme.muted()
                },
            ),
        ];
        if candidate.first_session {
            spans.push(Span::styled("  FIRST SESSION", theme.warn()));
        }
        // What is at stake for them, cut so the row stays one line.
        if let Some(context) = &candidate.context {
            let used = Line::from(spans.clone()).width() + 4;
            let room = width.saturating_sub(used);
            if room > 1 {
                spans.push(Span::raw("  "));
                spans.push(Span::styled(
                    format!(
                        "◆ {}",
                        crate::text::cut_cells(context, room.saturating_sub(2))
                    ),
                    theme.label(),
                ));
            }
        }
        lines.push(Line::from(spans));
    }
    lines
}

fn slot_lines(choice: &SlotChoice, tz: Tz, theme: &Theme) -> Vec<Line<'static>> {
    let plan = &choice.plan;
    let session = &plan.candidate.session;
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Free ", theme.label()),
            Span::raw(format!(
                "{} · {}",
                plan.client.name,
                when(session.start, tz)
            )),
        ]),
        plain("Times to offer them (their time):", theme.header()),
    ];
    for (n, slot) in choice.offered().iter().enumerate() {
        let style = if n == choice.chosen {
            theme.selected()
        } else {
            Style::new()
        };
        let held = if n == 0 && choice.hold_first_slot {
            "  HELD"
        } else {
            ""
        };
        lines.push(Line::from(Span::styled(
            format!(
                "{} {}. {}{held}",
                if n == choice.chosen { ">" } else { " " },
                n + 1,
                slot_text(*slot, plan.client.tz)
            ),
            style,
        )));
    }
    lines.push(plain(
        &format!(
            "Hold the first time for them: {}",
            if choice.hold_first_slot { "yes" } else { "no" }
        ),
        theme.muted(),
    ));
    lines
}

fn slot_text(slot: DateTime<Utc>, tz: Tz) -> String {
    client_time_text(slot, tz)
}

fn emergency_scopes(draft: &Draft) -> [Scope; 1] {
    if draft.editing {
        [Scope::EmergencyEditor]
    } else {
        [Scope::EmergencyApology]
    }
}

fn draw_apology(
    frame: &mut Frame,
    main: Rect,
    block: Block,
    model: &Model,
    draft: &Draft,
    theme: &Theme,
) {
    let tz = model.tz;
    let keymap = &model.keymap;
    let inner = block.inner(main);
    frame.render_widget(block, main);
    let warnings = draft.flags();
    let plan = &draft.choice.plan;
    // The flags come first, so they are drawn at every size.
    let mut head = Vec::new();
    for warning in &warnings {
        head.push(plain(&format!("! {warning}"), theme.warn()));
    }
    head.push(Line::from(vec![
        Span::styled("To ", theme.label()),
        Span::raw(format!(
            "{} · {} offered{} · {}",
            plan.client.name,
            draft.choice.offered().len(),
            if draft.choice.hold_first_slot {
                ", first held"
            } else {
                ""
            },
            when(plan.candidate.session.start, tz)
        )),
    ]));
    head.push(Line::from(vec![
        Span::styled("Subject ", theme.label()),
        Span::raw(draft.apology.subject.clone()),
    ]));
    if warnings.is_empty() {
        head.push(plain("Guardrails: nothing flagged", theme.muted()));
    }
    let head_height = (head.len() as u16).min(inner.height / 2);
    let [head_area, body_area] =
        Layout::vertical([Constraint::Length(head_height), Constraint::Min(1)]).areas(inner);
    frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: false }), head_area);
    // The title carries the count too: it is drawn even when the head is cut.
    let flagged = match (warnings.len(), draft.send_anyway) {
        (0, _) => String::new(),
        (n, false) => format!("{n} FLAGGED · "),
        (n, true) => format!(
            "{n} FLAGGED · {} again sends anyway · ",
            keymap.key_name(&emergency_scopes(draft), Command::FlowConfirm)
        ),
    };
    let title = if draft.editing {
        let hints = keymap.hint_line(
            &[Scope::EmergencyEditor],
            &[
                (Command::StopEditing, "stops"),
                (Command::FlowConfirm, "sends"),
            ],
        );
        format!(" {flagged}editing ·{hints}")
    } else {
        let hints = keymap.hint_line(
            &[Scope::EmergencyApology],
            &[
                (Command::EditInline, "edits"),
                (Command::FlowConfirm, "sends"),
            ],
        );
        format!(" {flagged}apology ·{hints}")
    };
    let body_block = Block::bordered()
        .border_style(theme.border(draft.editing))
        .title(Line::from(title).style(if warnings.is_empty() {
            theme.muted()
        } else {
            theme.warn()
        }));
    draft
        .editor
        .draw(frame, body_area, body_block, Style::new(), draft.editing);
}
