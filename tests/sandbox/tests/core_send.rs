//! The core's own send and Sent-lookup plans (inlay_core::provider::{gmail, graph}) run
//! against the fakes in process: each planned request goes to the fake as the shell
//! would send it, and the fake's answer goes back to the plan. Both sides were written
//! from the published contracts; this shows they meet, and that a send whose answer was
//! lost is found by the lookup instead of sent again.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use inlay_core::http::{HttpRequest, HttpResponse, Method};
use inlay_core::provider::gmail::{GmailLookup, GmailSend, GmailTarget};
use inlay_core::provider::graph::{GraphCancel, GraphLookup, GraphSend, GraphTarget};
use inlay_core::send::Outgoing;
use inlay_core::send::provider::{
    Answer, Call, CancelRead, CancelSteps, LookupRead, LookupSteps, Read, Secret, SendRead,
    SendSteps,
};
use inlay_sandbox::hosts::ispdb::IspDb;
use inlay_sandbox::hosts::{gmail, graph, webmail_outlook};
use inlay_sandbox::http::Request;
use inlay_sandbox::sandbox::Sandbox;
use serde_json::{Value, json};

const ANN: &str = "ann@example.com";
const BO: &str = "bo@contoso.com";

fn sandbox(seed: Value) -> Sandbox {
    let sb = Sandbox::new(IspDb::default());
    sb.state()
        .seed(serde_json::from_value(seed).unwrap())
        .unwrap();
    sb
}

/// The request as the shell's fetch sends it, answered by the fake of its host.
fn exchange(sb: &Sandbox, req: &HttpRequest) -> HttpResponse {
    let url = url::Url::parse(&req.url).unwrap();
    let host = url.host_str().unwrap();
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let method = match req.method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
    };
    let mut r = Request::new(method, host, &path);
    for (k, v) in &req.headers {
        r = r.with_header(k, v);
    }
    if let Some(body) = &req.body {
        r = r.with_body(body.clone());
    }
    if let Some(bytes) = &req.body_base64 {
        r = r.with_body(STANDARD.decode(bytes).unwrap());
    }
    let resp = match host {
        "gmail.googleapis.com" => gmail::handle(&r, sb),
        "graph.microsoft.com" => graph::handle(&r, sb),
        "outlook.office.com" => webmail_outlook::handle(&r, sb),
        other => panic!("no fake for {other}"),
    };
    HttpResponse {
        status: resp.status,
        headers: resp.headers.clone(),
        body: String::from_utf8(resp.body).unwrap(),
    }
}

fn http(call: Call) -> HttpRequest {
    match call {
        Call::Http(r) => r,
        Call::Helper(_) => panic!("a helper call"),
    }
}

fn send(sb: &Sandbox, steps: &mut dyn SendSteps, token: &str, out: &Outgoing) -> SendRead {
    for _ in 0..5 {
        let req = http(steps.call(&Secret::Bearer(token), out).unwrap());
        let resp = exchange(sb, &req);
        if let Read::End(read) = steps.read(Answer::Response(&resp)) {
            return read;
        }
    }
    panic!("more than five calls")
}

fn look(sb: &Sandbox, steps: &mut dyn LookupSteps, token: &str) -> LookupRead {
    for _ in 0..50 {
        let req = http(steps.call(&Secret::Bearer(token)).unwrap());
        let resp = exchange(sb, &req);
        if let Read::End(read) = steps.read(Answer::Response(&resp)) {
            return read;
        }
    }
    panic!("more than fifty calls")
}

fn outgoing(from: &str, message_id: &str, extra: &str, deliver_at_ms: Option<u64>) -> Outgoing {
    let mime = format!(
        "From: {from}\r\nTo: Bob <bob@example.org>\r\nBcc: carl@example.net\r\nMessage-ID: {message_id}\r\n{extra}Subject: Hello\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHi Bob, caf\u{e9}\r\n"
    );
    Outgoing {
        message_id: message_id.into(),
        mime: mime.into_bytes(),
        transmitted: None,
        envelope_from: from.into(),
        recipients: vec!["bob@example.org".into(), "carl@example.net".into()],
        thread_id: None,
        deliver_at_ms,
    }
}

fn deliveries(sb: &Sandbox, address: &str) -> usize {
    sb.state()
        .accounts
        .iter()
        .find(|a| a.address == address)
        .unwrap()
        .mailbox
        .deliveries
        .len()
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn gmail_readonly() -> GmailTarget {
    GmailTarget {
        granted_scopes: vec![
            "https://www.googleapis.com/auth/gmail.send".into(),
            "https://www.googleapis.com/auth/gmail.readonly".into(),
        ],
    }
}

#[test]
fn gmail_sends_a_reply_in_its_thread_and_finds_it() {
    let sb = sandbox(json!({"accounts":[{"provider":"google","address":ANN}]}));
    let token = format!("sandbox-token:{ANN}");
    let first = outgoing(ANN, "<g1.inlay@example.com>", "", None);
    let read = send(
        &sb,
        &mut GmailSend::new(&gmail_readonly(), &first),
        &token,
        &first,
    );
    let SendRead::Sent {
        provider_id: Some(id),
        thread_id: Some(thread),
    } = read
    else {
        panic!("{read:?}")
    };
    let mut reply = outgoing(
        ANN,
        "<g2.inlay@example.com>",
        "In-Reply-To: <g1.inlay@example.com>\r\n",
        None,
    );
    reply.thread_id = Some(thread.clone());
    let read = send(
        &sb,
        &mut GmailSend::new(&gmail_readonly(), &reply),
        &token,
        &reply,
    );
    assert!(
        matches!(&read, SendRead::Sent { thread_id: Some(t), .. } if *t == thread),
        "{read:?}"
    );
    assert_eq!(deliveries(&sb, ANN), 2);

    let mut lookup = GmailLookup::new(&gmail_readonly(), "<g1.inlay@example.com>", now_ms());
    assert_eq!(
        look(&sb, &mut lookup, &token),
        LookupRead::Found {
            provider_id: Some(id),
            thread_id: Some(thread)
        }
    );
    let mut never = GmailLookup::new(&gmail_readonly(), "<never@example.com>", now_ms());
    assert_eq!(look(&sb, &mut never, &token), LookupRead::NotFound);
}

#[test]
fn gmail_large_messages_go_through_the_upload() {
    let sb = sandbox(json!({"accounts":[{"provider":"google","address":ANN}]}));
    let mut out = outgoing(ANN, "<big.inlay@example.com>", "", None);
    let line = format!("{}\r\n", "x".repeat(76));
    while out.mime.len() <= inlay_core::provider::gmail::GMAIL_SIMPLE_SEND_BYTES {
        out.mime.extend_from_slice(line.as_bytes());
    }
    let read = send(
        &sb,
        &mut GmailSend::new(&gmail_readonly(), &out),
        &format!("sandbox-token:{ANN}"),
        &out,
    );
    assert!(matches!(read, SendRead::Sent { .. }), "{read:?}");
    let state = sb.state();
    let d = &state.accounts[0].mailbox.deliveries[0];
    assert_eq!(d.via, "gmail messages.send (upload)");
    assert_eq!(d.raw, out.mime, "byte for byte");
}

#[test]
fn a_message_id_rewritten_by_gmail_is_found_by_the_send_id_header() {
    let sb = sandbox(
        json!({"accounts":[{"provider":"google","address":ANN,"gmailRewritesMessageId":true}]}),
    );
    let token = format!("sandbox-token:{ANN}");
    let mid = "<r1.inlay@example.com>";
    // compose writes an opaque send id of its own beside the Message-ID.
    let out = outgoing(ANN, mid, "X-Inlay-Send-Id: Zq81xkT0aa\r\n", None);
    let started = now_ms();
    assert!(matches!(
        send(
            &sb,
            &mut GmailSend::new(&gmail_readonly(), &out),
            &token,
            &out
        ),
        SendRead::Sent { .. }
    ));
    let read = look(
        &sb,
        &mut GmailLookup::for_outgoing(&gmail_readonly(), &out, started),
        &token,
    );
    assert!(
        matches!(
            read,
            LookupRead::Found {
                provider_id: Some(_),
                ..
            }
        ),
        "{read:?}"
    );
    // Without the header nothing ties the message to ours: a complete search says so.
    let bare = outgoing(ANN, "<r2.inlay@example.com>", "", None);
    send(
        &sb,
        &mut GmailSend::new(&gmail_readonly(), &bare),
        &token,
        &bare,
    );
    let read = look(
        &sb,
        &mut GmailLookup::new(&gmail_readonly(), "<r2.inlay@example.com>", started),
        &token,
    );
    assert_eq!(read, LookupRead::NotFound);
}

fn graph_rw() -> GraphTarget {
    GraphTarget {
        granted_scopes: vec!["Mail.Send".into(), "Mail.ReadWrite".into()],
    }
}

#[test]
fn graph_sends_now_and_later_and_finds_both() {
    let sb = sandbox(json!({"accounts":[{"provider":"microsoft","address":BO}]}));
    let token = format!("sandbox-token:{BO}");
    let now = outgoing(BO, "<m1.inlay@contoso.com>", "", None);
    assert_eq!(
        send(&sb, &mut GraphSend::new(&graph_rw(), &now), &token, &now),
        SendRead::Sent {
            provider_id: None,
            thread_id: None
        }
    );
    let later = outgoing(BO, "<m2.inlay@contoso.com>", "", Some(1_900_000_000_000));
    let read = send(
        &sb,
        &mut GraphSend::new(&graph_rw(), &later),
        &token,
        &later,
    );
    assert!(
        matches!(
            read,
            SendRead::Sent {
                provider_id: Some(_),
                ..
            }
        ),
        "{read:?}"
    );
    {
        // Held in the Outbox until its time: not delivered yet.
        let state = sb.state();
        let mailbox = &state.accounts[0].mailbox;
        assert_eq!(mailbox.deliveries.len(), 1);
        let waiting = mailbox
            .messages
            .iter()
            .find(|m| m.label_ids == ["OUTBOX"])
            .expect("waiting in the Outbox");
        assert_eq!(
            waiting.deferred_until.as_deref(),
            Some("2030-03-17T17:46:40Z")
        );
    }
    for (mid, deferred) in [
        ("<m1.inlay@contoso.com>", false),
        ("<m2.inlay@contoso.com>", true),
    ] {
        let read = look(
            &sb,
            &mut GraphLookup::new(&graph_rw(), mid, deferred),
            &token,
        );
        assert!(
            matches!(
                read,
                LookupRead::Found {
                    provider_id: Some(_),
                    thread_id: Some(_)
                }
            ),
            "{mid}: {read:?}"
        );
    }
    let read = look(
        &sb,
        &mut GraphLookup::new(&graph_rw(), "<none@contoso.com>", false),
        &token,
    );
    assert_eq!(read, LookupRead::NotFound);
}

#[test]
fn a_second_send_of_a_sent_draft_reads_as_unknown_and_the_lookup_finds_it() {
    let sb = sandbox(json!({"accounts":[{"provider":"microsoft","address":BO}]}));
    let token = format!("sandbox-token:{BO}");
    let later = outgoing(BO, "<m3.inlay@contoso.com>", "", Some(1_900_000_000_000));
    let mut plan = GraphSend::new(&graph_rw(), &later);
    // Draft, time, then the send: its answer is lost after the fake delivered.
    for _ in 0..2 {
        let req = http(plan.call(&Secret::Bearer(&token), &later).unwrap());
        assert_eq!(
            plan.read(Answer::Response(&exchange(&sb, &req))),
            Read::Next
        );
    }
    let send_req = http(plan.call(&Secret::Bearer(&token), &later).unwrap());
    assert!(plan.delivers());
    let _lost = exchange(&sb, &send_req);
    // Had the same send been made again, the fake's 404 reads as "may have been sent".
    let again = exchange(&sb, &send_req);
    assert_eq!(again.status, 404);
    assert!(matches!(
        plan.read(Answer::Response(&again)),
        Read::End(SendRead::Unknown { .. })
    ));
    // Handed over once: held in the Outbox until its time (2030), not delivered yet.
    assert_eq!(deliveries(&sb, BO), 0);
    let held = sb.state().accounts[0]
        .mailbox
        .messages
        .iter()
        .filter(|m| m.label_ids == ["OUTBOX"])
        .count();
    assert_eq!(held, 1);
    let read = look(
        &sb,
        &mut GraphLookup::new(&graph_rw(), "<m3.inlay@contoso.com>", true),
        &token,
    );
    assert!(matches!(read, LookupRead::Found { .. }), "{read:?}");
}

/// The decoded bytes of the part named `name` in a multipart message with
/// base64 parts.
fn part_bytes(raw: &[u8], name: &str) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(raw);
    let at = text.find(&format!("filename=\"{name}\""))?;
    let body = at + text[at..].find("\r\n\r\n")? + 4;
    let end = body + text[body..].find("\r\n--")?;
    STANDARD.decode(text[body..end].replace("\r\n", "")).ok()
}

#[test]
fn graph_sends_an_email_over_4_mb_through_an_upload_session() {
    let sb = sandbox(json!({"accounts":[{"provider":"microsoft","address":BO}]}));
    let token = format!("sandbox-token:{BO}");
    let big: Vec<u8> = (0..5 * 1024 * 1024 + 77)
        .map(|i: u32| i.wrapping_mul(2_654_435_761).to_le_bytes()[3])
        .collect();
    let mut encoded = String::new();
    for line in STANDARD.encode(&big).as_bytes().chunks(76) {
        encoded.push_str(std::str::from_utf8(line).unwrap());
        encoded.push_str("\r\n");
    }
    let mime = format!(
        "From: {BO}\r\nTo: Bob <bob@example.org>\r\nBcc: carl@example.net\r\nMessage-ID: <big.inlay@contoso.com>\r\nSubject: Deck\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe deck.\r\n--b1\r\nContent-Type: application/pdf; name=\"deck.pdf\"\r\nContent-Disposition: attachment; filename=\"deck.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}--b1--\r\n"
    );
    let out = Outgoing {
        message_id: "<big.inlay@contoso.com>".into(),
        mime: mime.into_bytes(),
        ..outgoing(BO, "<big.inlay@contoso.com>", "", None)
    };
    let mut plan = GraphSend::new(&graph_rw(), &out);
    let mut hosts = Vec::new();
    let read = loop {
        let req = http(plan.call(&Secret::Bearer(&token), &out).unwrap());
        hosts.push(format!(
            "{:?} {}",
            req.method,
            url::Url::parse(&req.url).unwrap().host_str().unwrap()
        ));
        let resp = exchange(&sb, &req);
        assert!(
            resp.status < 300,
            "{} {}: {}",
            resp.status,
            req.url,
            resp.body
        );
        if let Read::End(read) = plan.read(Answer::Response(&resp)) {
            break read;
        }
    };
    assert!(matches!(read, SendRead::Sent { .. }), "{read:?}");
    assert_eq!(
        hosts,
        [
            "Post graph.microsoft.com",
            "Post graph.microsoft.com",
            "Put outlook.office.com",
            "Put outlook.office.com",
            "Post graph.microsoft.com"
        ]
    );
    let state = sb.state();
    let list = &state.accounts[0].mailbox.deliveries;
    assert_eq!(list.len(), 1, "delivered once");
    assert_eq!(list[0].via, "graph send (draft)");
    assert_eq!(
        part_bytes(&list[0].raw, "deck.pdf").as_deref(),
        Some(big.as_slice()),
        "the attachment arrives byte-identical"
    );
    assert!(state.accounts[0].mailbox.draft_attachments.is_empty());
}

#[test]
fn the_upload_url_refuses_a_token_and_a_range_out_of_order() {
    let sb = sandbox(json!({"accounts":[{"provider":"microsoft","address":BO}]}));
    let token = format!("sandbox-token:{BO}");
    let draft = exchange(
        &sb,
        &HttpRequest {
            method: Method::Post,
            url: "https://graph.microsoft.com/v1.0/me/messages".into(),
            headers: vec![
                ("Authorization".into(), format!("Bearer {token}")),
                ("Content-Type".into(), "text/plain".into()),
            ],
            body: Some(STANDARD.encode(&outgoing(BO, "<d.inlay@contoso.com>", "", None).mime)),
            body_base64: None,
        },
    );
    let id = serde_json::from_str::<Value>(&draft.body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let session = |size: u64| {
        exchange(
            &sb,
            &HttpRequest {
                method: Method::Post,
                url: format!("https://graph.microsoft.com/v1.0/me/messages/{id}/attachments/createUploadSession"),
                headers: vec![("Authorization".into(), format!("Bearer {token}")), ("Content-Type".into(), "application/json".into())],
                body: Some(json!({"AttachmentItem": {"attachmentType": "file", "name": "a.bin", "size": size}}).to_string()),
                body_base64: None,
            },
        )
    };
    assert_eq!(
        session(1000).status,
        400,
        "under 3 MB: one POST, not a session"
    );
    let opened = session(4 * 1024 * 1024);
    assert_eq!(opened.status, 201);
    let url = serde_json::from_str::<Value>(&opened.body).unwrap()["uploadUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    let put = |range: &str, len: usize, auth: bool| {
        let mut headers = vec![("Content-Range".into(), range.to_string())];
        if auth {
            headers.push(("Authorization".into(), format!("Bearer {token}")));
        }
        exchange(
            &sb,
            &HttpRequest {
                method: Method::Put,
                url: url.clone(),
                headers,
                body: None,
                body_base64: Some(STANDARD.encode(vec![7u8; len])),
            },
        )
        .status
    };
    assert_eq!(put("bytes 0-327679/4194304", 327_680, true), 401);
    assert_eq!(
        put("bytes 327680-655359/4194304", 327_680, false),
        416,
        "skips a range"
    );
    assert_eq!(
        put("bytes 0-999/4194304", 1000, false),
        416,
        "not a multiple of 320 KiB"
    );
    assert_eq!(put("bytes 0-327679/4194304", 327_680, false), 200);
}

fn cancel(sb: &Sandbox, steps: &mut dyn CancelSteps, token: &str) -> CancelRead {
    for _ in 0..5 {
        let req = http(steps.call(&Secret::Bearer(token)).unwrap());
        let resp = exchange(sb, &req);
        if let Read::End(read) = steps.read(Answer::Response(&resp)) {
            return read;
        }
    }
    panic!("more than five calls")
}

#[test]
fn graph_a_deferred_email_deleted_from_the_outbox_before_its_time_is_never_delivered() {
    let sb = sandbox(json!({"accounts":[{"provider":"microsoft","address":BO}]}));
    let token = format!("sandbox-token:{BO}");
    let later = now_ms() + 3_600_000;
    let kept = outgoing(BO, "<k1.inlay@contoso.com>", "", Some(later));
    let dropped = outgoing(BO, "<c1.inlay@contoso.com>", "", Some(later));
    for out in [&kept, &dropped] {
        let read = send(&sb, &mut GraphSend::new(&graph_rw(), out), &token, out);
        assert!(matches!(read, SendRead::Sent { .. }), "{read:?}");
    }
    assert_eq!(
        cancel(&sb, &mut GraphCancel::new(&dropped.message_id), &token),
        CancelRead::Cancelled
    );
    assert_eq!(
        cancel(&sb, &mut GraphCancel::new(&dropped.message_id), &token),
        CancelRead::NotWaiting,
        "gone from the Outbox"
    );
    assert_eq!(deliveries(&sb, BO), 0, "nothing delivered before its time");
    // Two hours on: only the one kept is delivered, once, and can no longer be cancelled.
    {
        let mut state = sb.state();
        state.oauth.advance(7_200);
        inlay_sandbox::delivery::deliver_due(&mut state);
    }
    {
        let state = sb.state();
        let list = &state.accounts[0].mailbox.deliveries;
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].via, "graph send (deferred)");
        assert!(String::from_utf8_lossy(&list[0].raw).contains("<k1.inlay@contoso.com>"));
    }
    assert_eq!(
        cancel(&sb, &mut GraphCancel::new(&kept.message_id), &token),
        CancelRead::NotWaiting
    );
}
