//! A sent email on the timeline: every recipient who is a contact (and
//! their company and open deals) gets one `emailSent` entry, once per
//! Message-ID; the never-log list and the own-domain default are respected;
//! new recipients become contacts only when the setting says so.

mod crm_store;

use crm_store::{Store, command, saved_id};
use inlay_core::crm::apply::WriteSet;
use inlay_core::crm::sent_email::{
    EMAIL_SENT, SentEmail, log_sent_email, never_log_list, sent_email_lookups, sent_entry_id,
};
use inlay_core::crm::settings::{EmailLogSettings, validate_settings};
use inlay_core::crm::{
    AnyRecord, CrmErrorCode, CrmSettings, DataValue, Found, TimelineEntry, default_settings,
};
use serde_json::json;

const SENT_AT: u64 = 1_790_000_000_000;

fn email(v: serde_json::Value) -> SentEmail {
    let mut base = json!({
        "messageId": "<m1.abc@inlay.example>",
        "inbox": "me@inlay.example",
        "from": "me@inlay.example",
        "subject": "Proposal",
        "snippet": "Hi, here is the proposal.",
        "sentAt": SENT_AT,
    });
    for (k, value) in v.as_object().unwrap() {
        base[k] = value.clone();
    }
    serde_json::from_value(base).unwrap()
}

fn to(addresses: &[&str]) -> serde_json::Value {
    json!(
        addresses
            .iter()
            .map(|a| json!({"address": a}))
            .collect::<Vec<_>>()
    )
}

/// The worker's two reads in one transaction, then the core's decision,
/// applied to the store (which checks every put record has its entry).
fn log(store: &mut Store, email: &SentEmail) -> WriteSet {
    let settings = store.settings();
    let mut found = store.found_for(&sent_email_lookups(email, &settings, None));
    let more = store.found_for(&sent_email_lookups(email, &settings, Some(&found)));
    merge(&mut found, more);
    store.seed = store.seed.wrapping_add(1);
    let w = log_sent_email(email, &found, &settings, store.clock + 1, &[store.seed; 32]).unwrap();
    store.write(&w);
    w
}

fn merge(found: &mut Found, more: Found) {
    for r in more.records {
        if !found.records.iter().any(|x| x.id() == r.id()) {
            found.records.push(r);
        }
    }
    found.timeline.extend(more.timeline);
}

fn save(store: &mut Store, json: &str) -> String {
    saved_id(&store.run(command(json)).unwrap())
}

fn sent_entries(store: &Store, id: &str) -> Vec<TimelineEntry> {
    store
        .timeline_of(id)
        .into_iter()
        .filter(|e| e.kind == EMAIL_SENT)
        .collect()
}

fn text<'e>(e: &'e TimelineEntry, key: &str) -> &'e str {
    match e.data.get(key) {
        Some(DataValue::Text(t)) => t,
        other => panic!("{key}: {other:?}"),
    }
}

fn activity(store: &Store, id: &str) -> Option<u64> {
    match &store.records[id] {
        AnyRecord::Contact(c) => c.last_activity_at,
        AnyRecord::Company(c) => c.last_activity_at,
        AnyRecord::Deal(d) => d.last_activity_at,
        _ => None,
    }
}

struct World {
    store: Store,
    ann: String,
    bob: String,
    acme: String,
    globex: String,
    open_deal: String,
    won_deal: String,
}

/// Ann at Acme (with an open and a won deal), Bob at Globex.
fn world() -> World {
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
    let globex = store.contact(&bob).company_id.unwrap();
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
        globex,
        open_deal,
        won_deal,
    }
}

#[test]
fn every_recipient_contact_their_company_and_open_deals_get_one_entry() {
    let mut w = world();
    let e = email(json!({
        "to": [{"address": "Ann@Acme.example", "name": "Ann Lee"}],
        "cc": to(&["bob@eu.globex.example"]),
        "bcc": to(&["carol@nobody.example"]),
        "providerThreadId": "t-9",
        "outboxId": "ob_1",
    }));
    let writes = log(&mut w.store, &e);
    assert_eq!(writes.put.timeline.len(), 1, "{:?}", writes.put.timeline);
    let entry = &writes.put.timeline[0];
    assert_eq!(entry.id, sent_entry_id("m1.abc@inlay.example"));
    assert_eq!(entry.kind, "emailSent");
    assert_eq!(entry.at, SENT_AT);
    assert_eq!(entry.summary, "Email sent: Proposal");
    assert_eq!(text(entry, "to"), "Ann Lee <Ann@Acme.example>");
    assert_eq!(text(entry, "cc"), "bob@eu.globex.example");
    assert_eq!(text(entry, "bcc"), "carol@nobody.example");
    assert_eq!(text(entry, "messageId"), "m1.abc@inlay.example");
    assert_eq!(text(entry, "snippet"), "Hi, here is the proposal.");
    assert_eq!(text(entry, "providerThreadId"), "t-9");
    assert_eq!(text(entry, "outboxId"), "ob_1");
    for id in [&w.ann, &w.bob, &w.acme, &w.globex, &w.open_deal] {
        assert_eq!(sent_entries(&w.store, id).len(), 1, "{id}");
        assert_eq!(activity(&w.store, id), Some(SENT_AT), "{id}");
    }
    // A closed deal is not on it; nobody new became a contact (off by default).
    assert!(sent_entries(&w.store, &w.won_deal).is_empty());
    assert_eq!(w.store.contacts().len(), 2);
    assert_eq!(
        writes.result.message,
        "Logged the email on 2 contacts' timelines."
    );
    assert!(!writes.result.created);
}

#[test]
fn the_same_message_id_is_logged_once() {
    let mut w = world();
    let first = email(json!({"to": to(&["ann@acme.example"])}));
    log(&mut w.store, &first);
    let timeline = w.store.timeline.clone();
    // Again, and with the Message-ID written without its brackets and another
    // recipient list (a retried call after the worker restarted).
    for again in [
        first.clone(),
        email(
            json!({"messageId": " m1.abc@inlay.example ", "to": to(&["ann@acme.example", "bob@eu.globex.example"])}),
        ),
    ] {
        let writes = log(&mut w.store, &again);
        assert_eq!(writes.put, Default::default(), "{:?}", writes.put);
        assert_eq!(
            writes.result.message,
            "This email is already on the timeline."
        );
    }
    assert_eq!(w.store.timeline, timeline);
    assert_eq!(sent_entries(&w.store, &w.ann).len(), 1);
    assert!(sent_entries(&w.store, &w.bob).is_empty());
    // Another Message-ID is another email.
    log(
        &mut w.store,
        &email(json!({"messageId": "<m2@inlay.example>", "to": to(&["ann@acme.example"])})),
    );
    assert_eq!(sent_entries(&w.store, &w.ann).len(), 2);
}

#[test]
fn never_log_addresses_and_domains_are_left_out() {
    let mut w = world();
    w.store.settings = Some(CrmSettings {
        email_log: EmailLogSettings {
            never_log: never_log_list(&["globex.example".into()]).unwrap(),
            ..EmailLogSettings::default()
        },
        ..default_settings()
    });
    // globex.example covers eu.globex.example: only Ann is logged.
    let writes = log(
        &mut w.store,
        &email(json!({"to": to(&["ann@acme.example"]), "cc": to(&["bob@eu.globex.example"])})),
    );
    assert_eq!(sent_entries(&w.store, &w.ann).len(), 1);
    assert!(sent_entries(&w.store, &w.bob).is_empty());
    assert!(sent_entries(&w.store, &w.globex).is_empty());
    assert_eq!(activity(&w.store, &w.bob), None);
    // The entry still says whom it went to (it is the user's own record).
    assert_eq!(text(&writes.put.timeline[0], "cc"), "bob@eu.globex.example");

    // An address on the list (compared as mailbox identities): nothing to log.
    w.store.settings.as_mut().unwrap().email_log.never_log =
        never_log_list(&["ANN@acme.example".into()]).unwrap();
    let writes = log(
        &mut w.store,
        &email(json!({"messageId": "<m2@x>", "to": to(&["ann@acme.example"])})),
    );
    assert!(writes.put.timeline.is_empty());
    assert_eq!(
        writes.result.message,
        "No recipient of this email is a contact, so it was not logged."
    );
    // Nothing was written, so the same email can still be logged once the
    // list changes.
    w.store.settings.as_mut().unwrap().email_log.never_log = vec![];
    log(
        &mut w.store,
        &email(json!({"messageId": "<m2@x>", "to": to(&["ann@acme.example"])})),
    );
    assert_eq!(sent_entries(&w.store, &w.ann).len(), 2);
}

#[test]
fn the_own_company_domain_is_never_logged_by_default_unless_it_is_free_mail() {
    let mut w = world();
    // Sending from an Acme inbox: Ann is a colleague, Bob a customer.
    let from_acme = json!({"inbox": "me@acme.example", "from": "me@acme.example",
        "to": to(&["ann@acme.example", "bob@eu.globex.example"])});
    log(&mut w.store, &email(from_acme.clone()));
    assert!(sent_entries(&w.store, &w.ann).is_empty());
    assert_eq!(sent_entries(&w.store, &w.bob).len(), 1);
    // A subdomain of the own domain, and an alias's domain (From, with its name) too.
    let writes = log(
        &mut w.store,
        &email(
            json!({"messageId": "<m3@x>", "inbox": "me@mail.acme.example", "from": "Me <me@globex.example>",
            "to": to(&["ann@acme.example", "bob@eu.globex.example"])}),
        ),
    );
    assert!(writes.put.timeline.is_empty(), "{:?}", writes.put.timeline);
    // Turned off: colleagues are logged.
    w.store.settings = Some(CrmSettings {
        email_log: EmailLogSettings {
            never_log_own_domain: false,
            ..EmailLogSettings::default()
        },
        ..default_settings()
    });
    log(
        &mut w.store,
        &email(
            json!({"messageId": "<m4@x>", "inbox": "me@acme.example", "from": "me@acme.example", "to": to(&["ann@acme.example"])}),
        ),
    );
    assert_eq!(sent_entries(&w.store, &w.ann).len(), 1);

    // A free-mail inbox has no company domain: other Gmail users are logged,
    // the sender itself never (Gmail's dots and googlemail.com folded).
    let mut store = Store::new();
    let friend = save(
        &mut store,
        r#"{"op":"saveContact","contact":{"emails":["friend@gmail.com"]}}"#,
    );
    let me = save(
        &mut store,
        r#"{"op":"saveContact","contact":{"emails":["me.self@gmail.com"]}}"#,
    );
    log(
        &mut store,
        &email(
            json!({"inbox": "meself@gmail.com", "from": "meself@gmail.com",
            "to": to(&["friend@gmail.com", "Me.Self@googlemail.com"])}),
        ),
    );
    assert_eq!(sent_entries(&store, &friend).len(), 1);
    assert!(sent_entries(&store, &me).is_empty());
}

#[test]
fn bcc_recipients_are_logged_and_the_entry_keeps_the_bcc_line() {
    let mut w = world();
    let writes = log(
        &mut w.store,
        &email(
            json!({"to": to(&["ann@acme.example"]), "bcc": [{"address": "bob@eu.globex.example", "name": "Bob"}]}),
        ),
    );
    assert_eq!(sent_entries(&w.store, &w.bob).len(), 1);
    assert_eq!(
        sent_entries(&w.store, &w.ann),
        sent_entries(&w.store, &w.bob)
    );
    assert_eq!(
        text(&writes.put.timeline[0], "bcc"),
        "Bob <bob@eu.globex.example>"
    );
}

#[test]
fn new_recipients_become_contacts_only_when_the_setting_says_so() {
    let mut w = world();
    let e = email(json!({
        "to": [{"address": "dee@newco.example", "name": "Ward, Dee"}],
        "cc": [{"address": "sam@gmail.com", "name": "\"Sam\""}, {"address": "ann@acme.example"}],
        "bcc": to(&["not an address", "ops@globex.example"]),
    }));
    w.store.settings = Some(CrmSettings {
        email_log: EmailLogSettings {
            create_contacts: true,
            never_log: never_log_list(&["ops@globex.example".into()]).unwrap(),
            ..EmailLogSettings::default()
        },
        ..default_settings()
    });
    let writes = log(&mut w.store, &e);
    assert!(writes.result.created);
    assert_eq!(
        writes.result.message,
        "Logged the email on 3 contacts' timelines (2 new)."
    );
    let contacts = w.store.contacts();
    let dee = contacts
        .iter()
        .find(|c| c.emails == ["dee@newco.example"])
        .unwrap();
    assert_eq!(
        (dee.first_name.as_str(), dee.last_name.as_str()),
        ("Dee", "Ward")
    );
    assert_eq!(dee.last_activity_at, Some(SENT_AT));
    // Its company from the domain, as for any new contact; none for free mail.
    let newco = dee.company_id.clone().unwrap();
    assert!(matches!(&w.store.records[&newco], AnyRecord::Company(c) if c.name == "Newco"));
    let sam = contacts
        .iter()
        .find(|c| c.emails == ["sam@gmail.com"])
        .unwrap();
    assert_eq!(
        (sam.first_name.as_str(), sam.company_id.as_ref()),
        ("Sam", None)
    );
    // The never-logged and unreadable recipients made nothing.
    assert_eq!(contacts.len(), 4);
    for id in [&dee.id, &sam.id, &newco, &w.ann] {
        assert_eq!(sent_entries(&w.store, id).len(), 1, "{id}");
    }
    assert!(
        w.store
            .timeline_of(&dee.id)
            .iter()
            .any(|e| e.kind == "created")
    );

    // Off (the default): a new recipient stays a stranger.
    let mut store = Store::new();
    let writes = log(
        &mut store,
        &email(json!({"to": to(&["dee@newco.example"])})),
    );
    assert!(store.records.is_empty() && writes.put.timeline.is_empty());
}

#[test]
fn email_text_stays_one_line_of_text() {
    let mut w = world();
    let writes = log(
        &mut w.store,
        &email(json!({
            "subject": "<img src=x onerror=alert(1)>\r\nBcc: evil@x.example",
            "snippet": format!("{}\u{0}end", "word ".repeat(200)),
            "to": [{"address": "ann@acme.example", "name": "<b>Ann</b>\n"}],
        })),
    );
    let entry = &writes.put.timeline[0];
    assert_eq!(
        entry.summary,
        "Email sent: <img src=x onerror=alert(1)> Bcc: evil@x.example"
    );
    assert_eq!(text(entry, "to"), "<b>Ann</b> <ann@acme.example>");
    let snippet = text(entry, "snippet");
    assert!(
        snippet.chars().count() <= 301 && snippet.ends_with('…'),
        "{snippet}"
    );
    assert!(!snippet.contains('\u{0}'));
    // A Message-ID the entry's id cannot be made from is refused in words.
    let settings = default_settings();
    let err = log_sent_email(
        &email(json!({"messageId": "<>"})),
        &Found::default(),
        &settings,
        1,
        &[1; 32],
    )
    .unwrap_err();
    assert_eq!(err.code, CrmErrorCode::InvalidArgument);
    assert!(err.message.contains("Message-ID"), "{}", err.message);
}

#[test]
fn lookups_name_the_recipients_and_the_entry_then_their_companies_and_deals() {
    let w = world();
    let settings = default_settings();
    let e = email(
        json!({"to": to(&["Ann@acme.example", "x@nobody.example"]), "cc": to(&["me@inlay.example"])}),
    );
    let first = sent_email_lookups(&e, &settings, None);
    assert_eq!(first.email_keys, ["ann@acme.example", "x@nobody.example"]);
    assert!(
        first.domains.is_empty(),
        "no new contacts: no companies to read"
    );
    assert_eq!(
        first.timeline_ids,
        [sent_entry_id("<m1.abc@inlay.example>")]
    );
    let found = w.store.found_for(&first);
    let second = sent_email_lookups(&e, &settings, Some(&found));
    assert_eq!(
        second.ids.iter().map(|r| r.id()).collect::<Vec<_>>(),
        [w.acme.as_str()]
    );
    assert_eq!(
        second.related_of.iter().map(|r| r.id()).collect::<Vec<_>>(),
        [w.ann.as_str()]
    );
}

#[test]
fn never_log_entries_are_checked_and_normalised_with_the_settings() {
    let list = never_log_list(&[
        "  @Acme.EXAMPLE ".into(),
        "*.acme.example".into(),
        "".into(),
        "Ann.Lee@Globex.example".into(),
        "mail.big-river.co.uk".into(),
    ])
    .unwrap();
    assert_eq!(
        list,
        [
            "acme.example",
            "ann.lee@globex.example",
            "mail.big-river.co.uk"
        ]
    );
    for bad in ["not a domain", "ann@", "acme"] {
        let err = never_log_list(&[bad.into()]).unwrap_err();
        assert_eq!(err.code, CrmErrorCode::InvalidSettings, "{bad}");
        assert!(err.message.contains("never-log list"), "{}", err.message);
    }
    let many: Vec<String> = (0..1001).map(|i| format!("d{i}.example")).collect();
    assert_eq!(
        never_log_list(&many).unwrap_err().code,
        CrmErrorCode::TooMany
    );
    // Saved with the settings; settings saved before the field existed read
    // as the defaults (own domain never logged, no new contacts).
    let mut settings = default_settings();
    settings.email_log.never_log = vec![" Globex.example".into()];
    assert_eq!(
        validate_settings(settings).unwrap().email_log.never_log,
        ["globex.example"]
    );
    let old: CrmSettings = serde_json::from_value(json!({
        "owners": [], "pipelines": serde_json::to_value(default_settings().pipelines).unwrap(), "currency": "EUR"
    }))
    .unwrap();
    assert_eq!(old.email_log, EmailLogSettings::default());
    assert!(old.email_log.never_log_own_domain && !old.email_log.create_contacts);
}
