//! At-risk clients where the coach looks: the review's rules
//! (`review::at_risk`), asked for the clients on the dashboard's sheet (in
//! one batch), for one client in the client view, and for every active
//! client for the list.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::model::{ClientId, ClientStatus};
use crate::review::{
    AtRisk, RiskReason, at_risk_clients, client_facts, facts_of, facts_of_clients, risk_reasons,
};
use crate::store::{ClientQueries, Queries, RiskFactQueries};

/// Every active client with a reason, most reasons first.
pub fn at_risk(store: &impl Queries, now: DateTime<Utc>) -> Result<Vec<AtRisk>> {
    Ok(at_risk_clients(&client_facts(store, now)?))
}

/// One client's reasons (none for a paused or ended client).
pub fn reasons_of(
    store: &impl Queries,
    client_id: ClientId,
    now: DateTime<Utc>,
) -> Result<Vec<RiskReason>> {
    let client = store.client(client_id)?;
    if client.status != ClientStatus::Active {
        return Ok(Vec::new());
    }
    Ok(risk_reasons(&facts_of(store, client, now)?))
}

/// The reasons of each of `clients` that has any: the facts of all of them
/// in one batch (a few queries in all, not a few per client), so the
/// dashboard's reload stays cheap however many clients are on the sheet.
pub fn reasons_by_client(
    store: &impl Queries,
    clients: impl IntoIterator<Item = ClientId>,
    now: DateTime<Utc>,
) -> Result<BTreeMap<ClientId, Vec<RiskReason>>> {
    let ids: Vec<ClientId> = clients
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    // Only active clients are judged: the others need no queries.
    let active = store
        .clients_to_judge(&ids)?
        .into_iter()
        .filter(|(_, _, status)| *status == ClientStatus::Active)
        .collect();
    Ok(facts_of_clients(store, active, now)?
        .iter()
        .map(|facts| (facts.client_id, risk_reasons(facts)))
        .filter(|(_, reasons)| !reasons.is_empty())
        .collect())
}
