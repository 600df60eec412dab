//! A received email on the timeline (issue 13), end to end against the
//! in-memory store: the entry on contact, company and open deals; the sent
//! email marked replied with a notification; an out-of-office noted with its
//! return date; a bounce on the contact with its reason; one entry however
//! often or wherever the email is seen.

mod crm_store;
mod sync_world;

use inlay_core::crm::received_email::{EMAIL_AUTO_REPLY, EMAIL_BOUNCED, EMAIL_RECEIVED};
use inlay_core::crm::sent_email::EMAIL_SENT;
use inlay_core::crm::{AnyRecord, DataValue, TimelineEntry};
use inlay_core::message::parse_message;
use inlay_core::sync::body::stored_body;
use inlay_core::sync::{FolderRole, LogRules, SkipReason, Verdict};
use proptest::prelude::*;
use sync_world::{INBOX, RECEIVED, log, proposal, received, seen, send, world};

fn of_kind(store: &crm_store::Store, id: &str, kind: &str) -> Vec<TimelineEntry> {
    store
        .timeline_of(id)
        .into_iter()
        .filter(|e| e.kind == kind)
        .collect()
}

fn text<'e>(e: &'e TimelineEntry, key: &str) -> &'e str {
    match e.data.get(key) {
        Some(DataValue::Text(t)) => t,
        other => panic!("{key}: {other:?} in {:?}", e.data),
    }
}

fn number(e: &TimelineEntry, key: &str) -> f64 {
    match e.data.get(key) {
        Some(DataValue::Number(n)) => *n,
        other => panic!("{key}: {other:?}"),
    }
}

fn activity(store: &crm_store::Store, id: &str) -> Option<u64> {
    match &store.records[id] {
        AnyRecord::Contact(c) => c.last_activity_at,
        AnyRecord::Company(c) => c.last_activity_at,
        AnyRecord::Deal(d) => d.last_activity_at,
        _ => None,
    }
}

const REPLY: &str = "From: Ann Lee <ann@acme.example>\nTo: me@inlay.example\nSubject: Re: Proposal\n\
Message-ID: <r1@acme.example>\nIn-Reply-To: <s1@inlay.example>\nReferences: <s1@inlay.example>";

#[test]
fn a_reply_goes_on_the_timeline_and_marks_the_sent_email() {
    let mut w = world();
    send(&mut w.store, &proposal());
    let out = log(&mut w.store, &received(REPLY), None, &LogRules::default());
    assert_eq!(
        out.writes.result.message,
        "Logged the reply on 1 contact's timeline."
    );
    let entries = of_kind(&w.store, &w.ann, EMAIL_RECEIVED);
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(entry.summary, "Email received: Re: Proposal");
    assert_eq!(entry.at, RECEIVED as u64);
    assert_eq!(text(entry, "from"), "Ann Lee <ann@acme.example>");
    let on: Vec<&str> = entry.records.iter().map(|r| r.id()).collect();
    assert_eq!(
        on,
        vec![w.ann.as_str(), w.acme.as_str(), w.open_deal.as_str()]
    );
    for id in [&w.ann, &w.acme, &w.open_deal] {
        assert_eq!(activity(&w.store, id), Some(RECEIVED as u64), "{id}");
    }
    assert_ne!(activity(&w.store, &w.won_deal), Some(RECEIVED as u64));
    let sent = &of_kind(&w.store, &w.ann, EMAIL_SENT)[0];
    assert_eq!(number(sent, "repliedAt"), RECEIVED as f64);
    assert_eq!(text(sent, "repliedBy"), "Ann Lee");
    assert_eq!(text(entry, "answers"), sent.id);
    let notice = out.notice.expect("a notification");
    assert_eq!(notice.title, "Ann Lee replied");
    assert_eq!(notice.message, "Re: Proposal");
    assert_eq!(notice.record.id(), w.ann);
    assert_eq!(notice.sent_entry_id, sent.id);
}

#[test]
fn references_newest_first_then_the_provider_thread() {
    let mut w = world();
    send(&mut w.store, &proposal());
    // A reply naming only an unknown parent then the proposal in References.
    let by_refs = received(
        "From: ann@acme.example\nMessage-ID: <r2@acme.example>\nReferences: <s1@inlay.example> <unknown@x>",
    );
    let out = log(&mut w.store, &by_refs, None, &LogRules::default());
    assert!(out.notice.is_some(), "found through References");
    // A client that kept no ids: only Gmail's thread id ties it.
    let mut by_thread =
        received("From: ann@acme.example\nMessage-ID: <r3@acme.example>\nSubject: Re: Proposal");
    by_thread.thread_id = Some("t-42".into());
    by_thread.received_at_ms = Some(RECEIVED + 1000);
    let out = log(&mut w.store, &by_thread, None, &LogRules::default());
    assert!(out.notice.is_some(), "found through the thread");
    let sent = &of_kind(&w.store, &w.ann, EMAIL_SENT)[0];
    assert_eq!(number(sent, "replies"), 2.0);
    // The first reply is the one kept.
    assert_eq!(number(sent, "repliedAt"), RECEIVED as f64);
    // Another inbox's thread of the same id is another conversation.
    let mut elsewhere = seen(
        "other@inlay.example",
        "z",
        FolderRole::Inbox,
        "From: ann@acme.example\nMessage-ID: <r4@acme.example>",
    );
    elsewhere.thread_id = Some("t-42".into());
    assert!(
        log(&mut w.store, &elsewhere, None, &LogRules::default())
            .notice
            .is_none()
    );
}

#[test]
fn an_out_of_office_is_noted_not_counted() {
    let mut w = world();
    send(&mut w.store, &proposal());
    let raw = "From: Ann Lee <ann@acme.example>\r\nTo: me@inlay.example\r\nSubject: Automatic reply: Proposal\r\n\
In-Reply-To: <s1@inlay.example>\r\nMessage-ID: <oof@acme.example>\r\nAuto-Submitted: auto-replied\r\n\r\n\
I am out of the office and will be back on December 14th. For urgent matters call Bob.\r\n";
    let incoming = received(&raw.split("\r\n\r\n").next().unwrap().replace("\r\n", "\n"));
    let body = stored_body(&parse_message(raw.as_bytes()).unwrap());
    let out = log(&mut w.store, &incoming, Some(&body), &LogRules::default());
    assert!(out.notice.is_none());
    let notes = of_kind(&w.store, &w.ann, EMAIL_AUTO_REPLY);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].summary, "Automatic reply (back on 2026-12-14)");
    assert_eq!(text(&notes[0], "returnDate"), "2026-12-14");
    assert_eq!(notes[0].records.len(), 1, "on the contact only");
    let sent = &of_kind(&w.store, &w.ann, EMAIL_SENT)[0];
    assert!(!sent.data.contains_key("repliedAt"), "not a reply");
    assert_eq!(
        activity(&w.store, &w.ann),
        of_kind(&w.store, &w.ann, EMAIL_SENT)[0].at.into()
    );
}

#[test]
fn a_bounce_marks_the_address_with_the_reason() {
    let mut w = world();
    let dsn = "From: Mail Delivery System <MAILER-DAEMON@mx.inlay.example>\r\nTo: me@inlay.example\r\n\
Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn1@mx.inlay.example>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n\
Reporting-MTA: dns; mx.inlay.example\r\n\r\nFinal-Recipient: rfc822; ann@acme.example\r\nAction: failed\r\n\
Status: 5.1.1\r\n\r\n--b--\r\n";
    let head = dsn.split("\r\n\r\n").next().unwrap().replace("\r\n", "\n");
    let mut incoming = received(&head);
    assert!(
        incoming.headers.delivery_report,
        "the headers say: read the whole report"
    );
    // The worker fetched the report: the full parse's kind replaces the headers'.
    incoming.headers.kind = parse_message(dsn.as_bytes()).unwrap().kind;
    let out = log(&mut w.store, &incoming, None, &LogRules::default());
    assert_eq!(
        out.writes.result.message,
        "Logged the bounce on 1 contact's timeline."
    );
    let bounces = of_kind(&w.store, &w.ann, EMAIL_BOUNCED);
    assert_eq!(bounces.len(), 1);
    assert_eq!(text(&bounces[0], "addresses"), "ann@acme.example");
    assert_eq!(
        text(&bounces[0], "reason"),
        "the address does not exist (5.1.1)"
    );
    assert_eq!(text(&bounces[0], "confidence"), "high");
    assert_eq!(
        bounces[0].summary,
        "Email to ann@acme.example bounced: the address does not exist (5.1.1)"
    );
}

#[test]
fn one_entry_across_inboxes_to_and_bcc_and_the_sent_folder() {
    let mut w = world();
    // No Message-ID: the fingerprint joins the To copy and the Bcc copy.
    let to_copy = received(
        "From: ann@acme.example\nTo: me@inlay.example\nSubject: Notes\nDate: Tue, 1 Dec 2026 09:00:00 +0000",
    );
    let bcc_copy = seen(
        "two@inlay.example",
        "g-77",
        FolderRole::Inbox,
        "From: ann@acme.example\nTo: me@inlay.example\nBcc: two@inlay.example\nSubject: Notes\nDate: Tue, 1 Dec 2026 09:00:00 +0000",
    );
    log(&mut w.store, &to_copy, None, &LogRules::default());
    let again = log(&mut w.store, &bcc_copy, None, &LogRules::default());
    assert_eq!(
        again.verdict,
        Verdict::Skip {
            reason: SkipReason::Duplicate
        }
    );
    assert!(again.writes.put.timeline.is_empty() && again.writes.put.contacts.is_empty());
    assert_eq!(of_kind(&w.store, &w.ann, EMAIL_RECEIVED).len(), 1);
    // An email Inlay sent, then seen in the inbox's Sent folder: one entry.
    send(&mut w.store, &proposal());
    let in_sent = seen(
        INBOX,
        "s-1",
        FolderRole::Sent,
        "From: me@inlay.example\nTo: ann@acme.example\nMessage-ID: <s1@inlay.example>\nSubject: Proposal",
    );
    let out = log(&mut w.store, &in_sent, None, &LogRules::default());
    assert_eq!(
        out.verdict,
        Verdict::Skip {
            reason: SkipReason::Duplicate
        }
    );
    assert_eq!(of_kind(&w.store, &w.ann, EMAIL_SENT).len(), 1);
    // One sent from the provider's own app is logged as sent.
    let own_app = seen(
        INBOX,
        "s-2",
        FolderRole::Sent,
        "From: me@inlay.example\nTo: ann@acme.example\nMessage-ID: <web1@inlay.example>\nSubject: From my phone",
    );
    log(&mut w.store, &own_app, None, &LogRules::default());
    assert_eq!(of_kind(&w.store, &w.ann, EMAIL_SENT).len(), 2);
    // Its copy to the user's own inbox (a Cc to themselves) is the same email.
    let cc_self = received(
        "From: me@inlay.example\nTo: ann@acme.example\nCc: me@inlay.example\nMessage-ID: <web1@inlay.example>",
    );
    let out = log(&mut w.store, &cc_self, None, &LogRules::default());
    assert_eq!(
        out.verdict,
        Verdict::Skip {
            reason: SkipReason::Duplicate
        }
    );
    assert_eq!(of_kind(&w.store, &w.ann, EMAIL_SENT).len(), 2);
    assert!(of_kind(&w.store, &w.ann, EMAIL_RECEIVED).len() == 1);
}

#[test]
fn the_stored_body_is_sanitised_and_capped() {
    let mut w = world();
    let raw = "From: ann@acme.example\r\nMessage-ID: <h@acme.example>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: text/html\r\n\r\n\
<p onclick=\"x()\">Hi<script>alert(1)</script><img src=\"https://track.example/p.gif\" alt=\"logo\"></p>\r\n\
--m\r\nContent-Type: application/pdf; name=\"quote.pdf\"\r\nContent-Disposition: attachment; filename=\"quote.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nAAAAAAAA\r\n--m--\r\n";
    let body = stored_body(&parse_message(raw.as_bytes()).unwrap());
    let incoming = received(&raw.split("\r\n\r\n").next().unwrap().replace("\r\n", "\n"));
    log(&mut w.store, &incoming, Some(&body), &LogRules::default());
    let e = &of_kind(&w.store, &w.ann, EMAIL_RECEIVED)[0];
    assert_eq!(text(e, "html"), "<p>Hi<img alt=\"logo\"></p>");
    assert_eq!(number(e, "imagesBlocked"), 1.0);
    assert_eq!(
        text(e, "attachments"),
        r#"[{"name":"quote.pdf","contentType":"application/pdf","size":6}]"#
    );
}

proptest! {
    /// However often, in whatever order and through whichever inbox and
    /// folder copies of a reply are logged, it is one entry and one reply.
    #[test]
    fn the_same_email_is_logged_once(
        copies in prop::collection::vec((0usize..3, any::<bool>(), any::<bool>()), 1..8),
        with_id in any::<bool>(),
    ) {
        let mut w = world();
        send(&mut w.store, &proposal());
        let id = if with_id { "Message-ID: <r1@acme.example>\n" } else { "" };
        for (inbox, other_folder, bcc) in copies {
            let inbox = ["me@inlay.example", "two@inlay.example", "ann-watch@inlay.example"][inbox];
            let headers = format!(
                "From: Ann Lee <ann@acme.example>\nTo: me@inlay.example\n{}Subject: Re: Proposal\n{id}\
In-Reply-To: <s1@inlay.example>\nDate: Tue, 1 Dec 2026 09:00:00 +0000",
                if bcc { format!("Bcc: {inbox}\n") } else { String::new() },
            );
            let folder = if other_folder { FolderRole::Other } else { FolderRole::Inbox };
            let e = seen(inbox, &format!("{inbox}-1"), folder, &headers);
            log(&mut w.store, &e, None, &LogRules::default());
        }
        prop_assert_eq!(of_kind(&w.store, &w.ann, EMAIL_RECEIVED).len(), 1);
        let sent = &of_kind(&w.store, &w.ann, EMAIL_SENT)[0];
        prop_assert_eq!(number(sent, "replies"), 1.0);
    }
}
