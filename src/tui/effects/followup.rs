//! Runs the follow-up flows' work against the book: each change one
//! transaction, so `u` takes it back.

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::domain::when::show_local;
use crate::error::one_line;
use crate::store::{FollowUpQueries, NewFollowUp, Store};
use crate::tui::action::Action;
use crate::tui::flows::followup::{FollowUpResult, FollowUpWork};

pub fn run(work: FollowUpWork, store: &mut Store, config: &Config, now: DateTime<Utc>) -> Action {
    let result: Result<FollowUpResult> = match work {
        FollowUpWork::LoadOpen => store.open_followups().map(|mut list| {
            use crate::tui::visible::MakeVisible;
            list.iter_mut().for_each(MakeVisible::make_visible);
            FollowUpResult::Open(list)
        }),
        FollowUpWork::SetDue {
            followup_id,
            due,
            snoozed,
        } => store
            .change(
                if snoozed {
                    "followup snooze"
                } else {
                    "followup move"
                },
                &format!(
                    "follow-up #{followup_id} due {}",
                    show_local(due, config.tz)
                ),
                now,
                |tx| Ok((tx.change_id, tx.set_followup_due(followup_id, due)?)),
            )
            .map(|(change_id, f)| FollowUpResult::Done {
                change_id,
                message: format!(
                    "follow-up #{followup_id} for {} {} {}",
                    f.client_name,
                    if snoozed { "snoozed until" } else { "now due" },
                    show_local(f.due, config.tz)
                ),
            }),
        FollowUpWork::Add {
            client_id,
            due,
            text,
            owner,
            kind,
        } => store
            .change(
                "followup add",
                "follow-up added on the dashboard",
                now,
                |tx| {
                    let id = tx.add_followup(&NewFollowUp {
                        client_id,
                        request_id: None,
                        due,
                        text: text.clone(),
                        owner,
                        kind,
                        made_by_reply: None,
                        callback: false,
                    })?;
                    Ok((tx.change_id, tx.followup(id)?))
                },
            )
            .map(|(change_id, f)| FollowUpResult::Done {
                change_id,
                message: format!(
                    "added follow-up #{} ({} {}) for {}, due {}",
                    f.id,
                    f.owner,
                    f.kind,
                    f.client_name,
                    show_local(f.due, config.tz)
                ),
            }),
    };
    Action::FollowUp(Box::new(
        result.unwrap_or_else(|err| FollowUpResult::Refused(one_line(&err))),
    ))
}
