//! The detail view of one item and the client view: full text, the client's
//! context note and local time, and recent history. Lines are wrapped here
//! (not by the widget) so `update` can bound scrolling with the same count.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::dashboard::short_span;
use crate::tui::layout;
use crate::tui::model::{ClientCard, ClientView, Detail, Item, Loadable, Model, Screen};
use crate::tui::theme::Theme;
use crate::tui::view::text;

/// Width of the label column ("Reply by   ").
const LABEL: usize = 11;

pub fn draw_detail(frame: &mut Frame, main: Rect, model: &Model, detail: &Detail, theme: &Theme) {
    let title = match &detail.item {
        Item::Session(row) => format!(
            " Session #{} · {} ",
            row.session.id, row.session.client_name
        ),
        Item::Request(row) => format!(
            " Request #{} · {} ",
            row.request.id, row.request.client_name
        ),
        Item::FollowUp(row) => format!(
            " Follow-up #{} · {} ",
            row.followup.id, row.followup.client_name
        ),
    };
    let body = layout::detail_body(main);
    let lines = detail_lines(model, detail, theme, body.width as usize);
    draw_scrolled(frame, main, model, title, lines, detail.scroll, theme);
}

pub fn draw_client(frame: &mut Frame, main: Rect, model: &Model, view: &ClientView, theme: &Theme) {
    let title = match &view.card {
        Loadable::Ready(card) => format!(" Client · {} ", card.client.name),
        Loadable::Loading => " Client ".to_string(),
    };
    let body = layout::detail_body(main);
    let lines = client_lines(model, view, theme, body.width as usize);
    draw_scrolled(frame, main, model, title, lines, view.scroll, theme);
}

fn draw_scrolled(
    frame: &mut Frame,
    main: Rect,
    model: &Model,
    title: String,
    lines: Vec<Line<'static>>,
    scroll: u16,
    theme: &Theme,
) {
    let back = model.keymap.hint_line(
        &model.scopes(),
        &[(crate::tui::action::Command::Back, "back")],
    );
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Line::from(title).style(theme.title(true)))
        .title_bottom(Line::from(back).style(theme.muted()));
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), main);
}

/// How far the open detail or client view can scroll at the current size.
pub fn scroll_limit(model: &Model) -> u16 {
    let area = layout::full(model.size);
    let (main, _) = layout::screen(area);
    let body = layout::detail_body(main);
    let theme = Theme::plain();
    let width = body.width as usize;
    let total = match &model.screen {
        Screen::Detail(detail) => detail_lines(model, detail, &theme, width).len(),
        Screen::Client(view) => client_lines(model, view, &theme, width).len(),
        _ => 0,
    };
    total
        .saturating_sub(body.height as usize)
        .try_into()
        .unwrap_or(u16::MAX)
}

/// A label and a value wrapped under itself.
fn field(
    lines: &mut Vec<Line<'static>>,
    label: &str,
    value: &str,
    style: Style,
    theme: &Theme,
    width: usize,
) {
    let wrapped = text::wrap(value, width.saturating_sub(LABEL));
    for (n, part) in wrapped.into_iter().enumerate() {
        let head = if n == 0 {
            format!("{label:<LABEL$}")
        } else {
            " ".repeat(LABEL)
        };
        lines.push(Line::from(vec![
            Span::styled(head, theme.label()),
            Span::styled(part, style),
        ]));
    }
}

fn heading(lines: &mut Vec<Line<'static>>, text: &str, theme: &Theme) {
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        text.to_string(),
        theme.title(false),
    )));
}

fn paragraph(lines: &mut Vec<Line<'static>>, body: &str, width: usize) {
    lines.extend(text::wrap(body, width).into_iter().map(Line::from));
}

pub fn detail_lines(
    model: &Model,
    detail: &Detail,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    let tz = model.tz;
    let plain = Style::new();
    let mut lines = Vec::new();
    if detail.gone {
        lines.push(Line::from(Span::styled(
            "This item has left the dashboard (answered, closed or done elsewhere).",
            theme.warn(),
        )));
    }
    match &detail.item {
        Item::Session(row) => {
            let s = &row.session;
            let when = format!(
                "{}–{} ({}m)",
                text::day_and_clock(s.start, tz),
                text::clock(s.end(), tz),
                s.minutes
            );
            field(&mut lines, "When", &when, plain, theme, width);
            let status = match (s.changed_in_calendar, s.moved_by) {
                (true, _) => s.status_text(),
                (false, Some(by)) => format!("{} (last moved by {by})", s.status),
                (false, None) => s.status.to_string(),
            };
            field(&mut lines, "Status", &status, plain, theme, width);
            if let Some(place) = &s.place {
                field(&mut lines, "Place", place, plain, theme, width);
            }
            if !row.warnings.is_empty() {
                field(
                    &mut lines,
                    "Warnings",
                    &row.warnings.join(", "),
                    theme.warn(),
                    theme,
                    width,
                );
            }
        }
        Item::Request(row) => {
            let r = &row.request;
            let from = match &r.unknown_sender {
                Some(sender) if r.client_id.is_none() => format!("{sender} (no client matched)"),
                _ => r.client_name.clone(),
            };
            field(&mut lines, "From", &from, plain, theme, width);
            let received = format!(
                "{} ({} ago) by {}",
                text::day_and_clock(r.received_at, tz),
                short_span((model.now - r.received_at).num_minutes()),
                r.channel
            );
            field(&mut lines, "Received", &received, plain, theme, width);
            let urgency_style = if r.urgency == crate::model::Urgency::Crisis {
                theme.crisis()
            } else {
                plain
            };
            field(
                &mut lines,
                "Urgency",
                r.urgency.as_str(),
                urgency_style,
                theme,
                width,
            );
            let (left, style) = if row.overdue {
                (
                    format!("overdue by {}", short_span(-row.minutes_left)),
                    theme.overdue(),
                )
            } else if row.warn() {
                (
                    format!(
                        "{} left, {}% of the target used",
                        short_span(row.minutes_left),
                        row.percent_used.unwrap_or_default()
                    ),
                    theme.warn(),
                )
            } else {
                (format!("{} left", short_span(row.minutes_left)), plain)
            };
            let reply_by = format!("{} · {left}", text::day_and_clock(r.reply_by, tz));
            field(&mut lines, "Reply by", &reply_by, style, theme, width);
            field(&mut lines, "Status", r.status.as_str(), plain, theme, width);
            if let Some(subject) = &r.subject {
                field(&mut lines, "Subject", subject, plain, theme, width);
            }
            heading(&mut lines, "Message", theme);
            paragraph(&mut lines, &r.body, width);
        }
        Item::FollowUp(row) => {
            let f = &row.followup;
            let (due, style) = if row.overdue {
                (
                    format!(
                        "{} (overdue by {})",
                        text::day_and_clock(f.due, tz),
                        short_span((model.now - f.due).num_minutes())
                    ),
                    theme.overdue(),
                )
            } else {
                (text::day_and_clock(f.due, tz), plain)
            };
            field(&mut lines, "Due", &due, style, theme, width);
            field(&mut lines, "Owner", f.owner.as_str(), plain, theme, width);
            field(&mut lines, "Kind", f.kind.as_str(), plain, theme, width);
            heading(&mut lines, "What", theme);
            paragraph(&mut lines, &f.text, width);
        }
    }
    match &detail.client {
        None => {}
        Some(Loadable::Loading) => {
            heading(&mut lines, "Client", theme);
            lines.push(Line::from(Span::styled("loading…", theme.muted())));
        }
        Some(Loadable::Ready(card)) => client_card(&mut lines, model, card, theme, width, false),
    }
    lines
}

pub fn client_lines(
    model: &Model,
    view: &ClientView,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    match &view.card {
        Loadable::Loading => lines.push(Line::from(Span::styled("loading…", theme.muted()))),
        Loadable::Ready(card) => client_card(&mut lines, model, card, theme, width, true),
    }
    lines
}

/// The client's card: who, their local time, what is at stake, history.
fn client_card(
    lines: &mut Vec<Line<'static>>,
    model: &Model,
    card: &ClientCard,
    theme: &Theme,
    width: usize,
    full: bool,
) {
    let client = &card.client;
    let plain = Style::new();
    if !full {
        heading(lines, "Client", theme);
    }
    field(
        lines,
        "Name",
        &format!("{} ({})", client.name, client.status),
        plain,
        theme,
        width,
    );
    let local = format!(
        "{} ({})",
        model.now.with_timezone(&client.tz).format("%a %H:%M"),
        client.tz.name()
    );
    field(lines, "Local time", &local, plain, theme, width);
    match client.current_context(model.today()) {
        Some(context) => {
            let until = client
                .context_until
                .map(|d| format!(" (until {})", text::day(d)))
                .unwrap_or_default();
            field(
                lines,
                "At stake",
                &format!("{context}{until}"),
                theme.warn(),
                theme,
                width,
            );
        }
        None => field(
            lines,
            "At stake",
            "nothing noted",
            theme.muted(),
            theme,
            width,
        ),
    }
    if full || !client.emails.is_empty() {
        let emails = if client.emails.is_empty() {
            "—".to_string()
        } else {
            client.emails.join(", ")
        };
        field(lines, "Email", &emails, plain, theme, width);
    }
    if let Some(phone) = &client.phone {
        field(lines, "Phone", phone, plain, theme, width);
    }
    if full && !client.notes.trim().is_empty() {
        field(lines, "Notes", &client.notes, plain, theme, width);
    }
    if let Some(story) = card.story.as_deref() {
        story_lines(lines, model, story, theme, width, full);
        if full {
            return;
        }
    }
    heading(lines, "Recent history", theme);
    if card.history.is_empty() {
        lines.push(Line::from(Span::styled("nothing yet", theme.muted())));
    }
    for (at, what) in &card.history {
        let when = at
            .with_timezone(&model.tz)
            .format("%d %b %H:%M")
            .to_string();
        let first = what.lines().next().unwrap_or("");
        let wrapped = text::wrap(first, width.saturating_sub(14));
        for (n, part) in wrapped.into_iter().enumerate() {
            let head = if n == 0 {
                format!("{when:<14}")
            } else {
                " ".repeat(14)
            };
            lines.push(Line::from(vec![
                Span::styled(head, theme.muted()),
                Span::raw(part),
            ]));
        }
    }
}

/// The client's story: in the client view every section; in an item's
/// detail the at-risk reasons and the open action items (what the next
/// session should pick up).
fn story_lines(
    lines: &mut Vec<Line<'static>>,
    model: &Model,
    story: &crate::care::story::Story,
    theme: &Theme,
    width: usize,
    full: bool,
) {
    let sections = crate::care::story::sections(story, model.tz, model.now, model.today());
    for section in sections {
        let wanted =
            full || section.title == "At risk" || section.title.starts_with("Open: the client's");
        // The client view shows who they are above; skip the repeat.
        if !wanted || section.title == "Client" && !full {
            continue;
        }
        if section.title == "Client" {
            for row in section
                .rows
                .iter()
                .filter(|r| matches!(r.head.as_str(), "Agreement" | "Parted"))
            {
                let style = if row.warn { theme.warn() } else { Style::new() };
                let text = crate::text::visible_line(&row.text);
                field(lines, &row.head, &text, style, theme, width);
            }
            continue;
        }
        heading(lines, section.title, theme);
        let head_width = section
            .rows
            .iter()
            .map(|r| r.head.chars().count())
            .max()
            .unwrap_or(0)
            .min(18);
        for row in &section.rows {
            let style = if row.warn { theme.warn() } else { Style::new() };
            let text_width = width.saturating_sub(head_width + 1).max(10);
            // Stored text reaches the screen only through the sanitizer.
            let row_text = crate::text::visible_line(&row.text);
            let row_head = crate::text::visible_line(&row.head);
            for (n, part) in text::wrap(&row_text, text_width).into_iter().enumerate() {
                let head = if n == 0 {
                    format!("{:<head_width$} ", row_head)
                } else {
                    " ".repeat(head_width + 1)
                };
                lines.push(Line::from(vec![
                    Span::styled(head, theme.muted()),
                    Span::styled(part, style),
                ]));
            }
        }
    }
}
