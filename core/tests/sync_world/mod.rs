//! A CRM world and emails for the issue 13 rules' tests: the store answers
//! the core's two rounds of lookups as the worker would.
#![allow(dead_code)]

use crate::crm_store::{Store, command, saved_id};
use inlay_core::crm::received_email::{ReceivedLog, log_received_email, received_email_lookups};
use inlay_core::crm::sent_email::{SentEmail, log_sent_email, sent_email_lookups};
use inlay_core::crm::{Found, Lookups};
use inlay_core::message::summarize_message;
use inlay_core::sync::body::StoredBody;
use inlay_core::sync::{FolderRole, Incoming, LogRules};

pub const INBOX: &str = "me@inlay.example";
/// 2026-12-01T00:00:00Z
pub const RECEIVED: i64 = 1_796_083_200_000;

pub struct World {
    pub store: Store,
    pub ann: String,
    pub bob: String,
    pub acme: String,
    pub open_deal: String,
    pub won_deal: String,
}

pub fn save(store: &mut Store, json: &str) -> String {
    saved_id(&store.run(command(json)).unwrap())
}

/// Ann Lee at Acme (an open and a won deal), Bob at Globex.
pub fn world() -> World {
    let mut store = Store::new();
    let ann = save(
        &mut store,
        r#"{"op":"saveContact","contact":{"emails":["ann@acme.example"],"firstName":"Ann","lastName":"Lee"}}"#,
    );
    let bob = save(
        &mut store,
        r#"{"op":"saveContact","contact":{"emails":["bob@eu.globex.example"],"firstName":"Bob"}}"#,
    );
    let acme = store.contact(&ann).company_id.unwrap();
    let open_deal = save(
        &mut store,
        &format!(
            r#"{{"op":"saveDeal","deal":{{"name":"Renewal","contactIds":["{ann}"],"companyId":"{acme}"}}}}"#
        ),
    );
    let won_deal = save(
        &mut store,
        &format!(
            r#"{{"op":"saveDeal","deal":{{"name":"Pilot","stage":"closedwon","contactIds":["{ann}"]}}}}"#
        ),
    );
    World {
        store,
        ann,
        bob,
        acme,
        open_deal,
        won_deal,
    }
}

/// An email seen in `inbox`'s `folder`, from its header lines.
pub fn seen(inbox: &str, provider_id: &str, folder: FolderRole, headers: &str) -> Incoming {
    let raw = format!("{}\r\n\r\n", headers.trim().replace('\n', "\r\n"));
    Incoming {
        inbox: inbox.into(),
        provider_id: provider_id.into(),
        thread_id: None,
        folder,
        received_at_ms: Some(RECEIVED),
        headers: summarize_message(raw.as_bytes()).unwrap(),
        size: Some(raw.len() as u64),
    }
}

/// Received in the main inbox.
pub fn received(headers: &str) -> Incoming {
    seen(INBOX, "p1", FolderRole::Inbox, headers)
}

fn merge(found: &mut Found, more: Found) {
    for r in more.records {
        if !found.records.iter().any(|x| x.id() == r.id()) {
            found.records.push(r);
        }
    }
    for e in more.timeline {
        if !found.timeline.iter().any(|x| x.id == e.id) {
            found.timeline.push(e);
        }
    }
}

/// Both rounds of reads.
pub fn read(store: &Store, lookups: impl Fn(Option<&Found>) -> Lookups) -> Found {
    let mut found = store.found_for(&lookups(None));
    let more = store.found_for(&lookups(Some(&found)));
    merge(&mut found, more);
    found
}

/// What the worker reads for `incoming`.
pub fn found_for(store: &Store, incoming: &Incoming) -> Found {
    let settings = store.settings();
    read(store, |f| received_email_lookups(incoming, &settings, f))
}

/// The worker's log of one email: reads, decision, write.
pub fn log(
    store: &mut Store,
    incoming: &Incoming,
    body: Option<&StoredBody>,
    rules: &LogRules,
) -> ReceivedLog {
    let found = found_for(store, incoming);
    store.seed = store.seed.wrapping_add(1);
    let out = log_received_email(
        incoming,
        body,
        &found,
        &store.settings(),
        rules,
        store.clock + 1,
        &[store.seed; 32],
    )
    .unwrap();
    store.write(&out.writes);
    out
}

/// An email sent from Inlay, logged as the send feature does.
pub fn send(store: &mut Store, email: &SentEmail) {
    let settings = store.settings();
    let found = read(store, |f| sent_email_lookups(email, &settings, f));
    store.seed = store.seed.wrapping_add(1);
    let w = log_sent_email(email, &found, &settings, store.clock + 1, &[store.seed; 32]).unwrap();
    store.write(&w);
}

pub fn proposal() -> SentEmail {
    serde_json::from_value(serde_json::json!({
        "messageId": "<s1@inlay.example>",
        "inbox": INBOX,
        "from": INBOX,
        "to": [{"address": "ann@acme.example", "name": "Ann Lee"}],
        "subject": "Proposal",
        "sentAt": RECEIVED - 86_400_000,
        "providerThreadId": "t-42",
    }))
    .unwrap()
}
