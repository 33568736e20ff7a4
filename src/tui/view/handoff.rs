//! The hand-off, one drawing per step.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::tui::flows::handoff::{Handoff, HandoffStep, flags};
use crate::tui::model::Model;
use crate::tui::theme::Theme;
use crate::tui::view::flow_text::{outcome_lines, plain};

pub fn draw(frame: &mut Frame, main: Rect, _model: &Model, handoff: &Handoff, theme: &Theme) {
    // Flags are counted in the title, which is drawn at every size.
    let flagged = match &handoff.step {
        HandoffStep::Preview {
            plan, send_anyway, ..
        } => match (flags(plan).len(), send_anyway) {
            (0, _) => String::new(),
            (n, false) => format!("· {n} FLAGGED "),
            (n, true) => format!("· {n} FLAGGED · confirm again sends anyway "),
        },
        _ => String::new(),
    };
    let block = Block::bordered().border_style(theme.border(true)).title(
        Line::from(format!(
            " Hand off request #{} {flagged}",
            handoff.request_id
        ))
        .style(if flagged.is_empty() {
            theme.title(true)
        } else {
            theme.warn()
        }),
    );
    let mut scroll = 0;
    let lines = match &handoff.step {
        HandoffStep::Loading => vec![plain("looking in the book…", theme.muted())],
        HandoffStep::PickPartner { chosen } => {
            let mut lines = vec![plain("Hand it to which partner?", theme.header())];
            for (n, partner) in handoff.partners.iter().enumerate() {
                let style = if n == *chosen {
                    theme.selected()
                } else {
                    Style::new()
                };
                let contact = partner
                    .email
                    .clone()
                    .or(partner.phone.clone())
                    .unwrap_or_default();
                lines.push(Line::from(Span::styled(
                    format!(
                        "{} {}  {contact}",
                        if n == *chosen { ">" } else { " " },
                        partner.name
                    ),
                    style,
                )));
            }
            lines
        }
        HandoffStep::Preview {
            plan, scroll: at, ..
        } => {
            scroll = *at;
            let mut lines: Vec<Line> = flags(plan)
                .iter()
                .map(|flag| plain(&format!("! {flag}"), theme.warn()))
                .collect();
            lines.extend([
                plain(
                    &format!("To {} (the client):", plan.client.name),
                    theme.header(),
                ),
                plain(
                    &format!("Subject: {}", plan.note_to_client.subject),
                    theme.label(),
                ),
            ]);
            lines.extend(
                plan.note_to_client
                    .body
                    .lines()
                    .map(|l| plain(l, Style::new())),
            );
            lines.push(Line::from(""));
            lines.push(plain(
                &format!("To {} (the partner):", plan.partner.name),
                theme.header(),
            ));
            lines.push(plain(
                &format!("Subject: {}", plan.brief_to_partner.subject),
                theme.label(),
            ));
            lines.extend(
                plan.brief_to_partner
                    .body
                    .lines()
                    .map(|l| plain(l, Style::new())),
            );
            lines
        }
        HandoffStep::Saving => vec![plain("saving and delivering…", theme.muted())],
        HandoffStep::Done(sent) => {
            let mut lines = vec![plain("Handed off; both messages recorded.", theme.info())];
            lines.extend(outcome_lines(sent, theme));
            lines.push(plain("u on the dashboard undoes it.", theme.muted()));
            lines
        }
        HandoffStep::Failed(message) => vec![
            plain("Nothing was changed:", theme.error()),
            plain(message, theme.error()),
        ],
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        main,
    );
}
