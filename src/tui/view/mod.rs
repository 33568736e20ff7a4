//! Drawing: reads the model, never writes it. One file per part of the screen.

pub mod capture;
pub mod care;
pub mod confirm;
pub mod dashboard;
pub mod detail;
pub mod emergency;
pub mod flow_text;
pub mod followup;
pub mod form;
pub mod handoff;
pub mod help;
pub mod plain;
pub mod prompt;
pub mod session;
pub mod status;
pub mod text;
pub mod triage;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::layout;
use crate::tui::model::{Model, Overlay, Screen};
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, model: &Model, theme: &Theme) {
    let area = frame.area();
    if layout::too_small(area) {
        too_small(frame, area, &model.keymap, theme);
        return;
    }
    let (main, status_area) = layout::screen(area);
    match &model.screen {
        Screen::Dashboard => dashboard::draw(frame, main, model, theme),
        Screen::Detail(detail) => detail::draw_detail(frame, main, model, detail, theme),
        Screen::Client(view) => detail::draw_client(frame, main, model, view, theme),
        Screen::Review(view) => draw_review(frame, main, view, theme),
        Screen::Emergency(flow) => emergency::draw(frame, main, model, flow, theme),
        Screen::Handoff(flow) => handoff::draw(frame, main, model, flow, theme),
        Screen::AtRisk(view) => care::draw_at_risk(frame, main, model, view, theme),
        Screen::FollowUps(view) => followup::draw_list(frame, main, model, view, theme),
    }
    status::draw(frame, status_area, model, theme);
    match &model.overlay {
        Overlay::None => {}
        Overlay::Help { scroll } => help::draw(frame, area, &model.keymap, *scroll, theme),
        Overlay::FindClient(prompt) => prompt::draw(frame, area, prompt, &model.keymap, theme),
        Overlay::Triage(flow) => triage::draw(frame, area, model, flow, theme),
        Overlay::Capture(form) => capture::draw(frame, area, form, &model.keymap, theme),
        Overlay::Care(flow) => care::draw(frame, area, model, flow, theme),
        Overlay::Confirm(confirm) => confirm::draw(frame, area, confirm, &model.keymap, theme),
        Overlay::Session(flow) => session::draw(frame, area, model, flow, theme),
        Overlay::FollowUp(flow) => followup::draw(frame, area, model, flow, theme),
    }
}

fn draw_review(frame: &mut Frame, area: Rect, view: &crate::tui::model::ReviewView, theme: &Theme) {
    match &view.review {
        crate::tui::model::Loadable::Ready(review) => {
            // The widget keeps the selection in view on its own; a copy of
            // the state is enough, since the view never writes the model.
            let mut state = view.state;
            crate::review::view::draw_review(frame, area, review, &mut state);
        }
        crate::tui::model::Loadable::Loading => frame.render_widget(
            Paragraph::new(format!("Gathering the review of {} …", view.date)).style(theme.muted()),
            area,
        ),
    }
}

fn too_small(frame: &mut Frame, area: Rect, keymap: &crate::tui::keymap::Keymap, theme: &Theme) {
    let text = format!(
        "Terminal too small ({}x{}); coachbook needs {}x{}. {} quits.",
        area.width,
        area.height,
        layout::MIN_WIDTH,
        layout::MIN_HEIGHT,
        keymap.key_name(
            &[crate::tui::keymap::Scope::Anywhere],
            crate::tui::action::Command::Quit
        )
    );
    let height = (text.len() as u16)
        .div_ceil(area.width.max(1))
        .min(area.height);
    let note = area.centered_vertically(Constraint::Length(height));
    frame.render_widget(
        Paragraph::new(text)
            .style(theme.warn())
            .centered()
            .wrap(Wrap { trim: true }),
        note,
    );
}
