//! A received email on the CRM's timeline (issue 13): the logging rules'
//! verdict ([`crate::sync::rules::decide`]) written in one transaction.
//!
//! - **Received** from (or copied to) a contact: one `emailReceived` entry on
//!   the correspondents' contacts, their companies and open deals, each
//!   touched (last activity). If it answers a sent email
//!   ([`crate::sync::reply`]), the sent email's `emailSent` entry is put
//!   again marked replied, and a [`ReplyNotice`] says who replied.
//! - **Automatic reply** (out of office): an `emailAutoReply` entry on the
//!   sender's contact with the return date when the text states one; the
//!   sent email is not marked replied and nothing is touched.
//! - **Bounce**: an `emailBounced` entry on each failed recipient's contact
//!   with the address and the reason from the report: the contact's address
//!   is bounced from that entry on (the newest such entry is its state, so
//!   no record changes shape).
//! - **From the inbox's Sent folder** (or from the inbox's own address,
//!   seen elsewhere): logged exactly as an email sent from
//!   Inlay ([`super::sent_email`]), whose entry id comes from the same
//!   Message-ID: an email Inlay sent and then saw in Sent is logged once.
//!
//! Once per email: the entry's id comes from the email's dedupe key
//! ([`crate::sync::dedupe::received_entry_id`]), the worker reads it first,
//! and a second log (another inbox, a resumed sync) writes nothing. The
//! never-log list, "create contacts" and the own-domain default are sent
//! email's ([`super::settings::EmailLogSettings`]); timeline kinds are new
//! strings, so stored records need no migration.
//!
//! Two reads, one transaction, like sent email: [`received_email_lookups`]
//! without `found`, then with it; then [`log_received_email`].

use std::collections::BTreeMap;

use serde::Serialize;

use super::apply::{Ctx, WriteSet};
use super::command::{Found, Lookups};
use super::error::CrmResult;
use super::ids::{RecordKind, RecordRef};
use super::model::{AnyRecord, Contact, DataValue, TimelineEntry, contact_title};
use super::sent_email::{
    Recipient, SentEmail, address_lookups, log_sent_email, new_contact, one_line,
    sent_email_lookups, sent_entry_id, touch_found,
};
use super::settings::CrmSettings;
use crate::message::{MessageKind, Participant};
use crate::sync::auto_reply::return_date;
use crate::sync::body::StoredBody;
use crate::sync::dedupe::{MADE_UP_ID_DOMAIN, fingerprint, received_entry_id};
use crate::sync::incoming::Incoming;
use crate::sync::reply::{ReplyNotice, answered, mark_replied, reply_candidates};
use crate::sync::rules::{
    LogKind, LogRules, Verdict, contact_of, correspondents, decide, log_kind,
};

pub const EMAIL_RECEIVED: &str = "emailReceived";
pub const EMAIL_AUTO_REPLY: &str = "emailAutoReply";
pub const EMAIL_BOUNCED: &str = "emailBounced";

const MAX_SUBJECT: usize = 500;
const MAX_SNIPPET: usize = 300;

/// An email of the Sent folder as the send feature would have handed it
/// over. One without a Message-ID is named by its fingerprint, so its copies
/// still share one entry.
pub fn sent_email_of(incoming: &Incoming, now_ms: u64) -> SentEmail {
    let h = &incoming.headers;
    let list = |ps: &[Participant]| {
        ps.iter()
            .map(|p| Recipient {
                address: p.address.clone(),
                name: p.name.clone().unwrap_or_default(),
            })
            .collect()
    };
    SentEmail {
        message_id: h
            .message_id
            .clone()
            .filter(|id| !id.trim().is_empty())
            .unwrap_or_else(|| format!("{}@{MADE_UP_ID_DOMAIN}", fingerprint(h))),
        inbox: incoming.inbox.clone(),
        from: h
            .from
            .first()
            .map(|p| p.address.clone())
            .unwrap_or_default(),
        to: list(&h.to),
        cc: list(&h.cc),
        bcc: list(&h.bcc),
        subject: h.subject.clone().unwrap_or_default(),
        snippet: String::new(),
        sent_at: at_ms(incoming, now_ms),
        provider_thread_id: incoming.thread_id.clone(),
        outbox_id: None,
        // Its thread, so a reply to it from the timeline continues the chain (send::reply).
        references: h.references.clone(),
    }
}

/// The id of the entry this email is logged as.
pub fn entry_id(incoming: &Incoming) -> String {
    match log_kind(incoming) {
        LogKind::Sent => sent_entry_id(&sent_email_of(incoming, 0).message_id),
        _ => received_entry_id(incoming),
    }
}

/// When it arrived (ms): the provider's date, else the Date header, else
/// `now_ms`.
fn at_ms(incoming: &Incoming, now_ms: u64) -> u64 {
    incoming
        .received_at_ms
        .filter(|t| *t >= 0)
        .map(|t| t as u64)
        .or_else(|| {
            incoming
                .headers
                .date
                .filter(|d| *d >= 0)
                .map(|d| (d as u64).saturating_mul(1000))
        })
        .unwrap_or(now_ms)
}

/// What the worker reads for `incoming`: first (`found` = `None`) the
/// correspondents' contacts by address key, their company domains when new
/// correspondents become contacts, the entry itself and the sent emails the
/// email names; then, with what that found, the contacts' companies and
/// deals, and the sender's timeline when only the provider's thread can
/// find the sent email answered.
pub fn received_email_lookups(
    incoming: &Incoming,
    settings: &CrmSettings,
    found: Option<&Found>,
) -> Lookups {
    if log_kind(incoming) == LogKind::Sent {
        // The send time does not change what is read.
        return sent_email_lookups(&sent_email_of(incoming, 0), settings, found);
    }
    let people = correspondents(incoming);
    let mut l = Lookups::default();
    match found {
        None => {
            l = address_lookups(&people, settings.email_log.create_contacts);
            l.timeline_ids.push(received_entry_id(incoming));
            l.timeline_ids.extend(reply_candidates(incoming));
        }
        Some(found) => {
            for (i, (a, _)) in people.iter().enumerate() {
                let Some(c) = contact_of(found, a) else {
                    continue;
                };
                let Some(r) = RecordRef::to(&c.id) else {
                    continue;
                };
                if !l.related_of.contains(&r) {
                    l.related_of.push(r.clone());
                }
                if let Some(company) = c.company_id.as_deref().and_then(RecordRef::to)
                    && !l.ids.contains(&company)
                {
                    l.ids.push(company);
                }
                if i == 0
                    && incoming.thread_id.is_some()
                    && answered(incoming, &found.timeline).is_none()
                {
                    l.timeline_of.push(r);
                }
            }
        }
    }
    l
}

/// The log of one email: the writes (empty when skipped), the verdict that
/// decided them, and a notification when a contact replied.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct ReceivedLog {
    pub writes: WriteSet,
    pub verdict: Verdict,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub notice: Option<ReplyNotice>,
}

/// Decides and writes the log of `incoming` from what the worker found (both
/// rounds of [`received_email_lookups`]). `body` is the stored body when the
/// worker fetched the email (only for one the rules keep); for a delivery
/// report, `incoming.headers.kind` is the full parse's kind.
pub fn log_received_email(
    incoming: &Incoming,
    body: Option<&StoredBody>,
    found: &Found,
    settings: &CrmSettings,
    rules: &LogRules,
    now_ms: u64,
    random: &[u8],
) -> CrmResult<ReceivedLog> {
    let id = entry_id(incoming);
    let already = found.timeline.iter().any(|e| e.id == id);
    let verdict = decide(incoming, found, settings, rules, already);
    let Verdict::Log {
        kind,
        contacts: contact_ids,
        new_contacts,
        ..
    } = &verdict
    else {
        let ctx = Ctx::new(found, settings, now_ms, random)?;
        let reason = match &verdict {
            Verdict::Skip { reason } => reason.words(),
            Verdict::Log { .. } => "",
        };
        let writes = ctx.finish(None, false, format!("Not logged: {reason}."));
        return Ok(ReceivedLog {
            writes,
            verdict,
            notice: None,
        });
    };
    if *kind == LogKind::Sent {
        let email = sent_email_of(incoming, now_ms);
        let writes = log_sent_email(&email, found, settings, now_ms, random)?;
        return Ok(ReceivedLog {
            writes,
            verdict,
            notice: None,
        });
    }
    let mut ctx = Ctx::new(found, settings, now_ms, random)?;
    let at = at_ms(incoming, now_ms);
    let mut contacts: Vec<Contact> = contact_ids
        .iter()
        .filter_map(|id| found.contacts_by_email_key.iter().find(|c| &c.id == id))
        .cloned()
        .collect();
    let people = correspondents(incoming);
    let mut created = 0;
    for typed in new_contacts {
        let Some((a, name)) = people.iter().find(|(a, _)| &a.typed == typed) else {
            continue;
        };
        if let Some(c) = new_contact(&mut ctx, a, name, "a received email") {
            created += 1;
            contacts.push(c);
        }
    }
    let mut records: Vec<RecordRef> = vec![];
    let mut add = |r: Option<RecordRef>| {
        if let Some(r) = r
            && !records.contains(&r)
        {
            records.push(r);
        }
    };
    for c in &contacts {
        add(RecordRef::to(&c.id));
    }
    // Companies and deals are where a person's email belongs; a bounce or
    // an automatic reply is about the address alone.
    if *kind == LogKind::Received {
        for c in &contacts {
            add(c.company_id.as_deref().and_then(RecordRef::to));
        }
        if let Verdict::Log { deals, .. } = &verdict {
            for d in deals {
                add(RecordRef::to(d));
            }
        }
    }
    let h = &incoming.headers;
    let subject = one_line(h.subject.as_deref().unwrap_or(""), MAX_SUBJECT);
    let from = h
        .from
        .first()
        .map(|p| match p.name.as_deref().map(|n| one_line(n, 100)) {
            Some(n) if !n.is_empty() => format!("{n} <{}>", one_line(&p.address, 254)),
            _ => one_line(&p.address, 254),
        })
        .unwrap_or_default();
    let mut data: BTreeMap<String, DataValue> = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        if !v.is_empty() {
            data.insert(k.to_string(), DataValue::Text(v));
        }
    };
    put(
        "messageId",
        one_line(h.message_id.as_deref().unwrap_or(""), 998),
    );
    put("inbox", one_line(&incoming.inbox, 254));
    put("providerId", one_line(&incoming.provider_id, 200));
    put(
        "providerThreadId",
        one_line(incoming.thread_id.as_deref().unwrap_or(""), 200),
    );
    put("from", from);
    put("to", participants_line(&h.to));
    put("cc", participants_line(&h.cc));
    put("subject", subject.clone());
    let answers = match kind {
        LogKind::Received | LogKind::AutoReply => answered(incoming, &found.timeline),
        _ => None,
    };
    if let Some(sent) = answers {
        put("answers", sent.id.clone());
    }
    let entry = received_entry_id(incoming);
    let mut notice = None;
    let (entry_kind, summary) = match kind {
        LogKind::Received => {
            for c in contacts.iter().cloned() {
                let touched = Contact {
                    last_activity_at: c.last_activity_at.max(Some(at)),
                    ..c
                };
                ctx.writes.put_record(AnyRecord::Contact(touched));
            }
            touch_found(&mut ctx, &records, at);
            if let Some(body) = body {
                store_body(&mut data, body);
            }
            let replier = contacts.first();
            if let (Some(sent), Some(c)) = (answers, replier) {
                let who = contact_title(c);
                ctx.writes
                    .put
                    .timeline
                    .push(mark_replied(sent, at, &who, &entry));
                notice = RecordRef::to(&c.id).map(|record| ReplyNotice {
                    title: format!("{who} replied"),
                    message: if subject.is_empty() {
                        "Replied to your email".into()
                    } else {
                        subject.clone()
                    },
                    record,
                    sent_entry_id: sent.id.clone(),
                    reply_entry_id: entry.clone(),
                });
            }
            let summary = if subject.is_empty() {
                "Email received (no subject)".to_string()
            } else {
                format!("Email received: {subject}")
            };
            (EMAIL_RECEIVED, summary)
        }
        LogKind::AutoReply => {
            let text = body.and_then(|b| b.text.as_deref()).unwrap_or("");
            let back = return_date(&subject, text, at as i64);
            if let MessageKind::AutoReply { reason } = &h.kind {
                data.insert("reason".into(), DataValue::Text(one_line(reason, 300)));
            }
            let summary = match &back {
                Some(d) => format!("Automatic reply (back on {d})"),
                None => "Automatic reply".to_string(),
            };
            if let Some(d) = back {
                data.insert("returnDate".into(), DataValue::Text(d));
            }
            (EMAIL_AUTO_REPLY, summary)
        }
        _ => {
            let (addresses, status, action, confidence) = match &h.kind {
                MessageKind::Bounce {
                    failed_recipients,
                    status,
                    action,
                    confidence,
                } => (
                    failed_recipients.clone(),
                    status.clone(),
                    action.clone(),
                    Some(*confidence),
                ),
                _ => (vec![], None, None, None),
            };
            let addresses = one_line(&addresses.join(", "), 4000);
            let reason = bounce_reason(status.as_deref());
            data.insert("addresses".into(), DataValue::Text(addresses.clone()));
            data.insert("reason".into(), DataValue::Text(reason.clone()));
            if let Some(s) = status {
                data.insert("status".into(), DataValue::Text(one_line(&s, 20)));
            }
            if let Some(a) = action {
                data.insert("action".into(), DataValue::Text(one_line(&a, 20)));
            }
            if let Some(c) = confidence {
                let c = serde_json::to_value(c)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned));
                data.extend(c.map(|c| ("confidence".to_string(), DataValue::Text(c))));
            }
            (
                EMAIL_BOUNCED,
                format!("Email to {addresses} bounced: {reason}"),
            )
        }
    };
    let on = records
        .iter()
        .filter(|r| r.kind() == RecordKind::Contact)
        .count();
    ctx.writes.put.timeline.push(TimelineEntry {
        id: entry,
        records,
        at,
        kind: entry_kind.into(),
        summary,
        data,
    });
    let what = match kind {
        LogKind::AutoReply => "the automatic reply",
        LogKind::Bounce => "the bounce",
        _ if notice.is_some() => "the reply",
        _ => "the email",
    };
    let on = match on {
        1 => "1 contact's timeline".to_string(),
        n => format!("{n} contacts' timelines"),
    };
    let message = match created {
        0 => format!("Logged {what} on {on}."),
        k => format!("Logged {what} on {on} ({k} new)."),
    };
    Ok(ReceivedLog {
        writes: ctx.finish(None, created > 0, message),
        verdict,
        notice,
    })
}

/// `Ann Lee <ann@acme.com>, bob@acme.com`, clipped.
fn participants_line(list: &[Participant]) -> String {
    let line = list
        .iter()
        .map(|p| {
            let address = one_line(&p.address, 254);
            match p.name.as_deref().map(|n| one_line(n, 100)) {
                Some(n) if !n.is_empty() => format!("{n} <{address}>"),
                _ => address,
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    one_line(&line, 4000)
}

/// The stored body in the entry's data: text, sanitised HTML, a snippet,
/// and the attachments as a JSON list of names, types and sizes.
fn store_body(data: &mut BTreeMap<String, DataValue>, body: &StoredBody) {
    if let Some(text) = &body.text {
        data.insert(
            "snippet".into(),
            DataValue::Text(one_line(text, MAX_SNIPPET)),
        );
        data.insert("text".into(), DataValue::Text(text.clone()));
    }
    if let Some(html) = &body.html {
        data.insert("html".into(), DataValue::Text(html.clone()));
    }
    if body.images_blocked > 0 {
        data.insert(
            "imagesBlocked".into(),
            DataValue::Number(body.images_blocked as f64),
        );
    }
    if body.truncated {
        data.insert("truncated".into(), DataValue::Bool(true));
    }
    if !body.attachments.is_empty()
        && let Ok(list) = serde_json::to_string(&body.attachments)
    {
        data.insert("attachments".into(), DataValue::Text(list));
    }
}

/// The report's status in words (RFC 3463 codes the common servers use).
fn bounce_reason(status: Option<&str>) -> String {
    let words = match status.unwrap_or("") {
        "5.1.1" | "5.1.0" | "5.1.10" => "the address does not exist",
        "5.1.2" => "the domain does not exist or takes no email",
        "5.2.1" => "the mailbox is disabled",
        "5.2.2" | "4.2.2" => "the mailbox is full",
        "5.2.3" | "5.3.4" => "the message is too large for the recipient",
        "5.4.1" => "the recipient's server refused it (no such address or relay denied)",
        "5.7.1" | "5.7.0" => "refused by the recipient's server policy (spam or not allowed)",
        "5.7.26" | "5.7.25" | "5.7.23" => {
            "refused: the sender's domain failed authentication (SPF/DKIM/DMARC)"
        }
        s if s.starts_with('4') => "delivery is delayed; the server is still trying",
        s if s.starts_with('5') => "permanent delivery failure",
        _ => "the recipient's server could not deliver it",
    };
    match status {
        Some(s) if !s.is_empty() => format!("{words} ({s})"),
        _ => words.to_string(),
    }
}
