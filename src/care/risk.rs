//! At-risk clients where the coach looks: the review's rules
//! (`review::at_risk`), asked per client for the dashboard's rows and the
//! client view, and for every active client for the list.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::model::{ClientId, ClientStatus};
use crate::review::{AtRisk, RiskReason, at_risk_clients, client_facts, facts_of, risk_reasons};
use crate::store::{ClientQueries, Queries};

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

/// The reasons of each of `clients` that has any.
pub fn reasons_by_client(
    store: &impl Queries,
    clients: impl IntoIterator<Item = ClientId>,
    now: DateTime<Utc>,
) -> Result<BTreeMap<ClientId, Vec<RiskReason>>> {
    let mut found = BTreeMap::new();
    for id in clients {
        if found.contains_key(&id) {
            continue;
        }
        let reasons = reasons_of(store, id, now)?;
        found.insert(id, reasons);
    }
    found.retain(|_, reasons: &mut Vec<RiskReason>| !reasons.is_empty());
    Ok(found)
}
