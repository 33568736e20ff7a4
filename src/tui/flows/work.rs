//! The flows' work against the book, run by the effects runner, and the
//! events that carry the results back to `update`. Every failure comes back
//! as an event with a one-line message, never a panic.

use crate::compose::{Delivery, Rendered};
use crate::flows::{emergency, handoff};
use crate::model::Partner;
/// How many slots are looked for; the coach offers a few of them.
pub const SLOT_POOL: usize = 5;

#[derive(Debug, Clone, PartialEq)]
pub enum FlowWork {
    /// Sessions that could be freed for the crisis in `request_id`.
    EmergencyCandidates {
        request_id: i64,
    },
    /// The plan for freeing `session_id` (with a pool of slots to offer).
    EmergencyPlan {
        session_id: i64,
        crisis: Option<Box<emergency::Crisis>>,
    },
    /// The apology for the plan's slots, rendered again.
    EmergencyRender {
        plan: Box<emergency::Plan>,
    },
    /// The one transaction, then delivery of the apology.
    EmergencyApply {
        plan: Box<emergency::Plan>,
        body: String,
    },
    HandoffPartners {
        request_id: i64,
    },
    HandoffPlan {
        request_id: i64,
        partner_id: i64,
    },
    HandoffApply {
        plan: Box<handoff::Plan>,
    },
    Undo {
        change_id: i64,
        delivered: bool,
    },
    RetryDeliveries,
    LoadUndelivered,
    /// "Please disregard — our session stands at TIME" to these sessions' clients.
    Reassure {
        session_ids: Vec<i64>,
    },
    /// The coach confirms the request's waiting reply went out.
    MarkSent {
        request_id: i64,
    },
}

/// Where one message went.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub what: String,
    pub delivery: Delivery,
}

impl Sent {
    pub fn delivered(&self) -> bool {
        !matches!(self.delivery, Delivery::Failed { .. })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FlowEvent {
    EmergencyCandidates {
        crisis: Box<emergency::Crisis>,
        candidates: Vec<emergency::Candidate>,
    },
    EmergencyPlanned(Box<emergency::Plan>),
    EmergencyRendered(Rendered),
    /// Saved (and delivery tried). `clipboard` holds an outbox message.
    EmergencyDone {
        change_id: i64,
        crisis_session: Option<i64>,
        sent: Sent,
        clipboard: Option<String>,
        /// How the client in crisis was told (confirmation or call-back).
        crisis_told: Option<String>,
    },
    HandoffPartners {
        request_id: i64,
        partners: Vec<Partner>,
    },
    HandoffPlanned(Box<handoff::Plan>),
    HandoffDone {
        change_id: i64,
        sent: Vec<Sent>,
        clipboard: Option<String>,
    },
    /// A step of a flow was refused or failed; nothing was changed.
    FlowFailed(String),
    Undone {
        summary: String,
        delivered: bool,
        /// Sessions whose client was told of the undone change: (session,
        /// client, time it stands at).
        to_reassure: Vec<(i64, String, String)>,
    },
    /// The "please disregard" notes went (or not).
    Reassured(Vec<Sent>),
    Retried {
        sent: Vec<Sent>,
        clipboard: Option<String>,
    },
    MarkedSent {
        change_id: i64,
        message: String,
    },
    /// Replies recorded but not delivered: (reply id, to whom).
    Undelivered(Vec<(i64, String)>),
}
