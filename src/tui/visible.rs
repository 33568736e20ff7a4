//! Stored text made safe for the dashboard where it enters the TUI: every
//! name, subject, request text and note that an effect loads passes the one
//! sanitizer (`crate::text`), so control characters, ESC, C1 codes, DEL and
//! bidi overrides are drawn as visible escapes (`\x1b`, `\u{202e}`), never
//! sent to the terminal or silently dropped.

use crate::dashboard::{DaySheet, FollowUpRow, RequestRow, SessionRow};
use crate::model::{Client, FollowUp, Request, Session};
use crate::text::{visible, visible_line};

/// Text loaded for the screen, made visible in place.
pub trait MakeVisible {
    fn make_visible(&mut self);
}

fn line(text: &mut String) {
    if let std::borrow::Cow::Owned(clean) = visible_line(text) {
        *text = clean;
    }
}

fn lines(text: &mut String) {
    if let std::borrow::Cow::Owned(clean) = visible(text) {
        *text = clean;
    }
}

fn opt_line(text: &mut Option<String>) {
    if let Some(text) = text {
        line(text);
    }
}

impl MakeVisible for Session {
    fn make_visible(&mut self) {
        line(&mut self.client_name);
        opt_line(&mut self.place);
    }
}

impl MakeVisible for Request {
    fn make_visible(&mut self) {
        line(&mut self.client_name);
        opt_line(&mut self.unknown_sender);
        opt_line(&mut self.subject);
        lines(&mut self.body);
    }
}

impl MakeVisible for FollowUp {
    fn make_visible(&mut self) {
        line(&mut self.client_name);
        lines(&mut self.text);
    }
}

impl MakeVisible for Client {
    fn make_visible(&mut self) {
        line(&mut self.name);
        self.emails.iter_mut().for_each(line);
        opt_line(&mut self.phone);
        lines(&mut self.notes);
        opt_line(&mut self.context);
    }
}

impl MakeVisible for SessionRow {
    fn make_visible(&mut self) {
        self.session.make_visible();
        self.warnings.iter_mut().for_each(line);
        opt_line(&mut self.context);
    }
}

impl MakeVisible for RequestRow {
    fn make_visible(&mut self) {
        self.request.make_visible();
        opt_line(&mut self.context);
    }
}

impl MakeVisible for FollowUpRow {
    fn make_visible(&mut self) {
        self.followup.make_visible();
    }
}

impl MakeVisible for DaySheet {
    fn make_visible(&mut self) {
        self.sessions.iter_mut().for_each(MakeVisible::make_visible);
        self.requests.iter_mut().for_each(MakeVisible::make_visible);
        self.followups
            .iter_mut()
            .for_each(MakeVisible::make_visible);
    }
}

impl MakeVisible for crate::tui::model::ClientCard {
    fn make_visible(&mut self) {
        self.client.make_visible();
        // A history entry is one row: its first line.
        for (_, text) in &mut self.history {
            if let Some((first, _)) = text.split_once(['\n', '\r']) {
                *text = first.to_string();
            }
            line(text);
        }
    }
}

impl MakeVisible for (crate::model::ClientId, String) {
    fn make_visible(&mut self) {
        line(&mut self.1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_name_and_text_are_shown_as_escapes() {
        let mut pair = (1, "Eve\u{1b}]0;pwned\u{7}\u{202e}".to_string());
        pair.make_visible();
        assert_eq!(pair.1, "Eve\\x1b]0;pwned\\x07\\u{202e}");
    }
}
