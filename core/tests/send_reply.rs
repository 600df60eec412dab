//! A reply from a record to an email on its timeline keeps the thread: the
//! entry `crm::sent_email` writes carries what `send::reply` needs (To,
//! Message-ID, References, thread, inbox and alias), and the reply's own
//! entry continues the chain. Received emails' entries (a later issue) are
//! read by the same names.

mod crm_store;

use std::collections::BTreeMap;

use crm_store::{Store, command, saved_id};
use inlay_core::crm::sent_email::{SentEmail, log_sent_email, sent_email_lookups};
use inlay_core::crm::{DataValue, TimelineEntry};
use inlay_core::send::reply::{MAX_REFERENCES, ReplyDraft, reply_subject, reply_to};
use serde_json::json;

fn own() -> Vec<String> {
    vec!["me@inlay.example".into(), "sales@inlay.example".into()]
}

/// Logs `email` (the worker's two reads, then the core's writes) and
/// returns the entry it wrote.
fn logged(store: &mut Store, email: serde_json::Value) -> TimelineEntry {
    let email: SentEmail = serde_json::from_value(email).unwrap();
    let settings = store.settings();
    let mut found = store.found_for(&sent_email_lookups(&email, &settings, None));
    let more = store.found_for(&sent_email_lookups(&email, &settings, Some(&found)));
    found.records.extend(more.records);
    store.seed = store.seed.wrapping_add(1);
    let writes = log_sent_email(&email, &found, &settings, store.clock + 1, &[store.seed; 32]).unwrap();
    store.write(&writes);
    writes.put.timeline.into_iter().next().expect("an entry")
}

fn store_with_ann() -> Store {
    let mut store = Store::new();
    saved_id(
        &store
            .run(command(r#"{"op":"saveContact","contact":{"emails":["ann@client.example"],"firstName":"Ann","lastName":"Lee, Jr."}}"#))
            .unwrap(),
    );
    store
}

#[test]
fn a_reply_to_a_sent_email_answers_its_recipients_from_the_same_alias_in_its_thread() {
    let mut store = store_with_ann();
    let first = logged(
        &mut store,
        json!({
            "messageId": "<m1@inlay.example>",
            "inbox": "me@inlay.example",
            "from": "sales@inlay.example",
            // A display name with a comma: the display line can't be split on commas.
            "to": [{"address": "ann@client.example", "name": "Lee, Ann"}],
            "cc": [{"address": "carl@partner.example"}],
            "subject": "Proposal",
            "sentAt": 1_790_000_000_000u64,
            "providerThreadId": "18c2f3a4b5",
        }),
    );
    let reply = reply_to(&first, &own()).unwrap();
    assert_eq!(
        reply,
        ReplyDraft {
            inbox: "me@inlay.example".into(),
            from: "sales@inlay.example".into(),
            to: vec!["ann@client.example".into()],
            subject: "Re: Proposal".into(),
            in_reply_to: Some("<m1@inlay.example>".into()),
            references: vec!["<m1@inlay.example>".into()],
            thread_id: Some("18c2f3a4b5".into()),
        }
    );

    // The reply, sent and logged, continues the chain: a reply to it refers to both.
    let second = logged(
        &mut store,
        json!({
            "messageId": "<m2@inlay.example>",
            "inbox": "me@inlay.example",
            "from": "sales@inlay.example",
            "to": [{"address": "ann@client.example"}],
            "subject": reply.subject,
            "sentAt": 1_790_000_100_000u64,
            "providerThreadId": "18c2f3a4b5",
            "references": reply.references,
        }),
    );
    let again = reply_to(&second, &own()).unwrap();
    assert_eq!(again.subject, "Re: Proposal", "no Re: Re:");
    assert_eq!(again.in_reply_to.as_deref(), Some("<m2@inlay.example>"));
    assert_eq!(again.references, ["<m1@inlay.example>", "<m2@inlay.example>"]);
}

#[test]
fn an_alias_the_inbox_no_longer_has_gives_way_to_the_inbox() {
    let mut store = store_with_ann();
    let entry = logged(
        &mut store,
        json!({"messageId": "m1@inlay.example", "inbox": "me@inlay.example", "from": "old@inlay.example",
               "to": [{"address": "ann@client.example"}], "sentAt": 1u64}),
    );
    let reply = reply_to(&entry, &own()).unwrap();
    assert_eq!(reply.from, "me@inlay.example");
    assert_eq!(reply.subject, "Re:", "an email with no subject");
    assert_eq!(reply.thread_id, None, "no thread stored: Graph, EWS and IMAP thread by the headers");
}

fn entry(kind: &str, data: &[(&str, &str)]) -> TimelineEntry {
    TimelineEntry {
        id: "tl_AAAAAAAAAAAAAAAA".into(),
        records: vec![],
        at: 1,
        kind: kind.into(),
        summary: String::new(),
        data: data
            .iter()
            .map(|(k, v)| (k.to_string(), DataValue::Text(v.to_string())))
            .collect::<BTreeMap<_, _>>(),
    }
}

#[test]
fn entries_logged_before_the_reply_fields_read_to_from_the_display_line() {
    let old = entry(
        "emailSent",
        &[("messageId", "m1@inlay.example"), ("inbox", "me@inlay.example"), ("from", "me@inlay.example"),
          ("to", "Ann Lee <ann@client.example>, bob@client.example, Bob Two <BOB@client.example>"), ("subject", "RE: re[2]: Re : Proposal")],
    );
    let reply = reply_to(&old, &own()).unwrap();
    assert_eq!(reply.to, ["ann@client.example", "bob@client.example"]);
    assert_eq!(reply.subject, "Re: Proposal");
}

#[test]
fn a_received_email_is_answered_to_its_sender_or_reply_to_from_the_address_it_came_to() {
    let received = entry(
        "emailReceived",
        &[("messageId", "<x9@client.example>"), ("inbox", "me@inlay.example"), ("from", "Ann Lee <ann@client.example>"),
          ("toAddresses", "sales@inlay.example"), ("references", "<r1@a> <r2@b>"), ("subject", "Question")],
    );
    let reply = reply_to(&received, &own()).unwrap();
    assert_eq!(reply.to, ["ann@client.example"]);
    assert_eq!(reply.from, "sales@inlay.example");
    assert_eq!(reply.references, ["<r1@a>", "<r2@b>", "<x9@client.example>"]);
    let mut with_reply_to = received.clone();
    with_reply_to.data.insert("replyToAddresses".into(), DataValue::Text("desk@client.example".into()));
    assert_eq!(reply_to(&with_reply_to, &own()).unwrap().to, ["desk@client.example"]);
}

#[test]
fn an_entry_without_a_message_id_has_no_reply_and_long_threads_keep_root_and_latest() {
    assert_eq!(reply_to(&entry("emailSent", &[("subject", "x")]), &own()), None);
    assert_eq!(reply_to(&entry("note", &[("messageId", " <> ")]), &own()), None);
    let bounce = entry("emailBounced", &[("messageId", "<b@mailer.example>"), ("from", "MAILER-DAEMON@mailer.example")]);
    assert_eq!(reply_to(&bounce, &own()), None, "nobody to answer at a mail server");
    let auto = entry("emailAutoReply", &[("messageId", "<o@client.example>"), ("from", "Ann <ann@client.example>")]);
    assert_eq!(reply_to(&auto, &own()).unwrap().to, ["ann@client.example"], "an automatic reply is answered to its sender");
    let refs: Vec<String> = (0..30).map(|i| format!("<r{i}@a>")).collect();
    let long = entry("emailSent", &[("messageId", "<last@a>"), ("references", &refs.join(" "))]);
    let reply = reply_to(&long, &own()).unwrap();
    assert_eq!(reply.references.len(), MAX_REFERENCES);
    assert_eq!(reply.references[0], "<r0@a>", "the thread's root");
    assert_eq!(reply.references[MAX_REFERENCES - 1], "<last@a>");
    assert_eq!(reply.references[MAX_REFERENCES - 2], "<r29@a>");
}

#[test]
fn an_email_logged_without_a_message_id_is_answered_without_pointing_at_the_made_up_one() {
    // crm::received_email names an email that had no Message-ID by its
    // fingerprint under an .invalid domain; nobody else knows that id.
    let made_up = format!("<0a1b2c@{}>", inlay_core::sync::dedupe::MADE_UP_ID_DOMAIN);
    let received = entry(
        "emailReceived",
        &[("messageId", &made_up), ("inbox", "me@inlay.example"), ("from", "Ann <ann@client.example>"),
          ("references", "<r1@a>"), ("subject", "Question")],
    );
    let reply = reply_to(&received, &own()).unwrap();
    assert_eq!(reply.to, ["ann@client.example"]);
    assert_eq!(reply.in_reply_to, None);
    assert_eq!(reply.references, ["<r1@a>"], "its own real References are kept");
}

#[test]
fn subjects_get_one_re() {
    for (subject, want) in [
        ("Proposal", "Re: Proposal"),
        ("Re: Proposal", "Re: Proposal"),
        ("RE: Re: re:Proposal", "Re: Proposal"),
        ("Re[3]: Proposal", "Re: Proposal"),
        ("Re(2): Proposal", "Re: Proposal"),
        ("Rent: due", "Re: Rent: due"),
        ("Reply needed", "Re: Reply needed"),
        ("Fwd: Re: x", "Re: Fwd: Re: x"),
        ("  ", "Re:"),
        ("Ré: x", "Re: Ré: x"),
    ] {
        assert_eq!(reply_subject(subject), want, "{subject}");
    }
}
