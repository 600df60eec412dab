//! Gmail's send (`users.messages.send`) and Sent lookup (`messages.list`,
//! `messages.get`): every class of answer, and every planned request held
//! to the discovery document in ../shared/contracts.

mod support;

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use inlay_core::http::{HttpRequest, HttpResponse, Method, TransportFailure};
use inlay_core::provider::gmail::{
    GMAIL_LOOKUP_MAX_CHECKED, GMAIL_SIMPLE_SEND_BYTES, GmailLookup, GmailSearch, GmailSend,
    GmailTarget,
};
use inlay_core::send::Outgoing;
use inlay_core::send::provider::{
    Answer, Call, LookupRead, LookupSteps, Read, Secret, SendRead, SendSteps,
};
use serde_json::{Value, json};
use support::{contracts, http_response, query};

const TOKEN: Secret<'static> = Secret::Bearer("ya29.token");
const MID: &str = "<k3j4h5.inlay@example.com>";
/// 2026-12-05T12:00:00Z.
const ATTEMPT_MS: u64 = 1_796_472_000_000;

fn target(scopes: &[&str]) -> GmailTarget {
    GmailTarget {
        granted_scopes: scopes.iter().map(|s| s.to_string()).collect(),
    }
}

fn send_only() -> GmailTarget {
    target(&["openid", "https://www.googleapis.com/auth/gmail.send"])
}

fn readonly() -> GmailTarget {
    target(&[
        "https://www.googleapis.com/auth/gmail.send",
        "https://www.googleapis.com/auth/gmail.readonly",
    ])
}

fn outgoing(mime: &[u8], thread: Option<&str>) -> Outgoing {
    Outgoing {
        message_id: MID.into(),
        mime: mime.to_vec(),
        transmitted: None,
        envelope_from: "ann@example.com".into(),
        recipients: vec!["bob@example.org".into()],
        thread_id: thread.map(str::to_string),
        deliver_at_ms: None,
    }
}

const MIME: &str = "From: Ann <ann@example.com>\r\nTo: bob@example.org\r\nBcc: carl@example.net\r\nMessage-ID: <k3j4h5.inlay@example.com>\r\nSubject: Hello\r\n\r\nHi Bob \u{2014} caf\u{e9}\r\n";

fn http(call: Call) -> HttpRequest {
    match call {
        Call::Http(r) => r,
        Call::Helper(h) => panic!("a helper call: {h:?}"),
    }
}

fn discovery() -> Value {
    let dir = contracts::require(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."));
    let text = std::fs::read_to_string(dir.join("gmail/gmail-v1-discovery.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The request is a call of the discovery document's `method` (under
/// users.messages): its method, URL (`rootUrl` + path with `userId` = `me`,
/// or an upload path), query parameters, and JSON body fields.
fn check_contract(req: &HttpRequest, method: &str) {
    let d = discovery();
    let m = &d["resources"]["users"]["resources"]["messages"]["methods"][method];
    assert!(m.is_object(), "no method {method}");
    assert_eq!(
        serde_json::to_value(req.method).unwrap(),
        m["httpMethod"],
        "{method}"
    );
    let (path, q) = req.url.split_once('?').unwrap_or((&req.url, ""));
    let root = d["rootUrl"].as_str().unwrap();
    let rel = path.strip_prefix(root).expect("under rootUrl");
    let simple = m["path"].as_str().unwrap();
    let upload = m["mediaUpload"]["protocols"]["simple"]["path"]
        .as_str()
        .map(|p| p.trim_start_matches('/'));
    let matches = |template: &str| {
        let t: Vec<&str> = template.split('/').collect();
        let p: Vec<&str> = rel.split('/').collect();
        t.len() == p.len()
            && t.iter().zip(&p).all(|(t, p)| match *t {
                "{userId}" => *p == "me",
                t if t.starts_with('{') => !p.is_empty(),
                t => t == *p,
            })
    };
    let is_upload = upload.is_some_and(matches);
    assert!(matches(simple) || is_upload, "{rel} is not {simple}");
    for (k, _) in url::form_urlencoded::parse(q.as_bytes()) {
        let known = m["parameters"].get(k.as_ref()).is_some()
            || d["parameters"].get(k.as_ref()).is_some()
            || (is_upload && k == "uploadType");
        assert!(known, "{method}: unknown query parameter {k}");
    }
    if let Some(body) = &req.body
        && !is_upload
    {
        let schema = m["request"]["$ref"].as_str().unwrap();
        let props = &d["schemas"][schema]["properties"];
        let v: Value = serde_json::from_str(body).unwrap();
        for k in v.as_object().unwrap().keys() {
            assert!(props.get(k).is_some(), "{schema} has no {k}");
        }
    }
    if is_upload {
        let accept = &m["mediaUpload"]["accept"];
        assert_eq!(accept, &json!(["message/*"]));
        let max: usize = m["mediaUpload"]["maxSize"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(req.body.as_ref().unwrap().len() <= max + 4096);
    }
}

fn respond(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    http_response(status, headers, body)
}

fn google_error(code: u16, reason: &str, message: &str) -> String {
    json!({"error": {"code": code, "message": message,
        "errors": [{"domain": "usageLimits", "reason": reason, "message": message}]}})
    .to_string()
}

fn send_read(status: u16, headers: &[(&str, &str)], body: &str) -> SendRead {
    let out = outgoing(MIME.as_bytes(), None);
    let mut send = GmailSend::new(&send_only(), &out);
    let r = respond(status, headers, body);
    match send.read(Answer::Response(&r)) {
        Read::End(read) => read,
        Read::Next => panic!("a send is one call"),
    }
}

fn assert_words(read: &SendRead) {
    if let SendRead::Permanent { message, .. } | SendRead::Unknown { message } = read {
        assert!(
            message.len() > 30 && message.ends_with(['.', '"']),
            "thin: {message:?}"
        );
    }
}

#[test]
fn a_new_email_is_sent_as_raw_base64url_without_thread() {
    let out = outgoing(MIME.as_bytes(), None);
    let send = GmailSend::new(&send_only(), &out);
    assert!(send.delivers());
    let req = http(send.call(&TOKEN, &out).unwrap());
    assert_eq!(req.method, Method::Post);
    assert_eq!(
        req.url,
        "https://gmail.googleapis.com/gmail/v1/users/me/messages/send"
    );
    assert!(
        req.headers
            .contains(&("Authorization".into(), "Bearer ya29.token".into()))
    );
    let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
    let raw = body["raw"].as_str().unwrap();
    assert!(!raw.contains(['+', '/', '=']), "base64url without padding");
    assert_eq!(URL_SAFE_NO_PAD.decode(raw).unwrap(), MIME.as_bytes());
    assert!(body.get("threadId").is_none());
    check_contract(&req, "send");
}

#[test]
fn a_reply_keeps_its_thread_id() {
    let out = outgoing(MIME.as_bytes(), Some("18f0aa"));
    let req = http(
        GmailSend::new(&send_only(), &out)
            .call(&TOKEN, &out)
            .unwrap(),
    );
    let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["threadId"], "18f0aa");
    check_contract(&req, "send");
}

#[test]
fn a_large_email_goes_through_the_media_upload_with_its_thread() {
    let mut mime = MIME.to_string();
    let line = format!("{}\r\n", "A".repeat(76));
    while mime.len() <= GMAIL_SIMPLE_SEND_BYTES {
        mime.push_str(&line);
    }
    let out = outgoing(mime.as_bytes(), Some("18f0aa"));
    let req = http(
        GmailSend::new(&send_only(), &out)
            .call(&TOKEN, &out)
            .unwrap(),
    );
    assert_eq!(
        req.url,
        "https://gmail.googleapis.com/upload/gmail/v1/users/me/messages/send?uploadType=multipart"
    );
    check_contract(&req, "send");
    let ct = &req
        .headers
        .iter()
        .find(|(k, _)| k == "Content-Type")
        .unwrap()
        .1;
    let boundary = ct.strip_prefix("multipart/related; boundary=").unwrap();
    assert!(!mime.contains(boundary));
    let body = req.body.unwrap();
    let parts: Vec<&str> = body.split(&format!("--{boundary}")).collect();
    assert_eq!(parts.len(), 4, "preamble, metadata, message, close");
    assert_eq!(parts[3], "--\r\n");
    let (head, json_part) = parts[1].split_once("\r\n\r\n").unwrap();
    assert!(head.contains("application/json"));
    assert_eq!(
        serde_json::from_str::<Value>(json_part.trim_end()).unwrap(),
        json!({"threadId": "18f0aa"})
    );
    let (head, message) = parts[2].split_once("\r\n\r\n").unwrap();
    assert!(head.contains("message/rfc822"));
    assert_eq!(message.strip_suffix("\r\n").unwrap(), mime);
}

#[test]
fn too_large_or_a_password_is_refused_before_any_call() {
    let out = outgoing(&vec![b'a'; 36_700_161], None);
    let send = GmailSend::new(&send_only(), &out);
    let refused = send.call(&TOKEN, &out).unwrap_err();
    assert!(
        matches!(&refused, SendRead::Permanent { code, message } if code == "tooLarge" && message.contains("35 MB"))
    );
    let small = outgoing(MIME.as_bytes(), None);
    let err = GmailSend::new(&send_only(), &small)
        .call(
            &Secret::Password {
                username: "a",
                password: "b",
            },
            &small,
        )
        .unwrap_err();
    assert!(matches!(err, SendRead::Permanent { .. }));
}

#[test]
fn send_answers_each_read_as_the_outbox_needs() {
    assert_eq!(
        send_read(
            200,
            &[],
            r#"{"id":"18f1","threadId":"18f0","labelIds":["SENT"]}"#
        ),
        SendRead::Sent {
            provider_id: Some("18f1".into()),
            thread_id: Some("18f0".into())
        }
    );
    assert_eq!(
        send_read(
            401,
            &[],
            &google_error(401, "authError", "Invalid Credentials")
        ),
        SendRead::SecretRejected
    );
    assert_eq!(
        send_read(
            429,
            &[("retry-after", "7")],
            &google_error(429, "rateLimitExceeded", "User-rate limit exceeded")
        ),
        SendRead::Retry {
            retry_after_ms: Some(7_000),
            message: "Gmail is limiting how fast this account sends; Inlay will try again.".into()
        }
    );
    for reason in ["rateLimitExceeded", "userRateLimitExceeded"] {
        let read = send_read(
            403,
            &[("retry-after", "30")],
            &google_error(403, reason, "Rate Limit Exceeded"),
        );
        assert!(
            matches!(
                read,
                SendRead::Retry {
                    retry_after_ms: Some(30_000),
                    ..
                }
            ),
            "{reason}: {read:?}"
        );
    }
    for status in [500, 502, 503, 504] {
        let read = send_read(status, &[], "");
        assert!(matches!(read, SendRead::Unknown { .. }), "{status}");
        assert_words(&read);
    }
    for (status, reason, code) in [
        (400, "invalidArgument", "rejected"),
        (400, "failedPrecondition", "rejected"),
        (403, "dailyLimitExceeded", "dailyLimit"),
        (403, "domainPolicy", "adminBlocked"),
        (403, "insufficientPermissions", "missingScope"),
        (403, "forbidden", "forbidden"),
        (404, "notFound", "threadNotFound"),
        (413, "uploadTooLarge", "tooLarge"),
    ] {
        let read = send_read(
            status,
            &[],
            &google_error(status, reason, "Invalid To header"),
        );
        assert!(
            matches!(&read, SendRead::Permanent { code: c, .. } if c == code),
            "{status} {reason}: {read:?}"
        );
        assert_words(&read);
    }
    let SendRead::Permanent { message, .. } = send_read(
        400,
        &[],
        &google_error(400, "invalidArgument", "Invalid To header"),
    ) else {
        unreachable!()
    };
    assert!(message.contains("Invalid To header"), "{message}");
}

#[test]
fn no_answer_after_the_call_left_is_unknown() {
    let out = outgoing(MIME.as_bytes(), None);
    for failure in [TransportFailure::Timeout, TransportFailure::Network] {
        let mut send = GmailSend::new(&send_only(), &out);
        let Read::End(read) = send.read(Answer::Transport(failure)) else {
            panic!()
        };
        assert!(matches!(read, SendRead::Unknown { .. }), "{failure:?}");
        assert_words(&read);
    }
    // A 200 whose body can't be read still says Gmail took it.
    assert_eq!(
        send_read(200, &[], "{\"id\":"),
        SendRead::Sent {
            provider_id: None,
            thread_id: None
        }
    );
}

#[test]
fn the_plan_survives_a_round_trip_through_json() {
    let out = outgoing(MIME.as_bytes(), Some("t"));
    let send = GmailSend::new(&send_only(), &out);
    let back: GmailSend = serde_json::from_str(&serde_json::to_string(&send).unwrap()).unwrap();
    assert_eq!(back, send);
    let look = GmailLookup::new(&readonly(), MID, ATTEMPT_MS);
    let back: GmailLookup = serde_json::from_str(&serde_json::to_string(&look).unwrap()).unwrap();
    assert_eq!(back, look);
}

// ---- lookup ----

fn lookup_call(look: &GmailLookup) -> HttpRequest {
    http(look.call(&TOKEN).unwrap())
}

fn feed(look: &mut GmailLookup, status: u16, body: Value) -> Read<LookupRead> {
    let r = respond(status, &[], &body.to_string());
    look.read(Answer::Response(&r))
}

fn metadata(id: &str, internal_ms: u64, headers: &[(&str, &str)]) -> Value {
    json!({"id": id, "threadId": format!("t{id}"), "labelIds": ["SENT"], "internalDate": internal_ms.to_string(),
        "payload": {"mimeType": "multipart/alternative",
            "headers": headers.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>()}})
}

#[test]
fn scopes_decide_how_sent_is_searched() {
    assert_eq!(send_only().search(), GmailSearch::None);
    assert_eq!(readonly().search(), GmailSearch::Query);
    assert_eq!(
        target(&["https://mail.google.com/"]).search(),
        GmailSearch::Query
    );
    assert_eq!(target(&["gmail.modify"]).search(), GmailSearch::Query);
    // Google refuses `q` to a token holding gmail.metadata, even beside readonly.
    assert_eq!(
        target(&[
            "https://www.googleapis.com/auth/gmail.readonly",
            "https://www.googleapis.com/auth/gmail.metadata"
        ])
        .search(),
        GmailSearch::Metadata
    );
}

#[test]
fn a_send_only_inbox_cannot_look() {
    let look = GmailLookup::new(&send_only(), MID, ATTEMPT_MS);
    let err = look.call(&TOKEN).unwrap_err();
    assert!(matches!(err, LookupRead::CannotLook { message } if message.contains("Sent folder")));
}

#[test]
fn found_by_rfc822msgid() {
    let mut look = GmailLookup::new(&readonly(), MID, ATTEMPT_MS);
    let req = lookup_call(&look);
    check_contract(&req, "list");
    let q = query(&req.url);
    assert_eq!(q["q"], "rfc822msgid:k3j4h5.inlay@example.com");
    assert_eq!(q["includeSpamTrash"], "true");
    assert_eq!(
        feed(
            &mut look,
            200,
            json!({"messages":[{"id":"18f1","threadId":"18f0"}],"resultSizeEstimate":1})
        ),
        Read::End(LookupRead::Found {
            provider_id: Some("18f1".into()),
            thread_id: Some("18f0".into())
        })
    );
}

#[test]
fn a_rewritten_message_id_is_found_by_its_send_id_in_the_window() {
    let mut look = GmailLookup::new(&readonly(), MID, ATTEMPT_MS);
    assert_eq!(
        feed(&mut look, 200, json!({"resultSizeEstimate":0})),
        Read::Next
    );
    let req = lookup_call(&look);
    check_contract(&req, "list");
    // One hour before the attempt, in seconds.
    assert_eq!(
        query(&req.url)["q"],
        format!("in:sent after:{}", (ATTEMPT_MS - 3_600_000) / 1000)
    );
    assert_eq!(
        feed(
            &mut look,
            200,
            json!({"messages":[{"id":"a","threadId":"ta"},{"id":"b","threadId":"tb"}],"nextPageToken":"p2"})
        ),
        Read::Next
    );
    let req = lookup_call(&look);
    check_contract(&req, "get");
    assert!(
        req.url
            .starts_with("https://gmail.googleapis.com/gmail/v1/users/me/messages/a?")
    );
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(req.url.split_once('?').unwrap().1.as_bytes())
            .into_owned()
            .collect();
    assert!(pairs.contains(&("format".into(), "metadata".into())));
    assert!(pairs.contains(&("metadataHeaders".into(), "Message-ID".into())));
    assert!(pairs.contains(&("metadataHeaders".into(), "X-Inlay-Send-Id".into())));
    assert_eq!(
        feed(
            &mut look,
            200,
            metadata("a", ATTEMPT_MS, &[("Message-Id", "<other@mail.gmail.com>")])
        ),
        Read::Next
    );
    assert!(lookup_call(&look).url.contains("/messages/b?"));
    // Gmail rewrote the Message-ID; our X-Inlay-Send-Id travelled as it was.
    assert_eq!(
        feed(
            &mut look,
            200,
            metadata(
                "b",
                ATTEMPT_MS,
                &[
                    ("Message-Id", "<CAxyz@mail.gmail.com>"),
                    ("X-Inlay-Send-Id", MID)
                ]
            )
        ),
        Read::End(LookupRead::Found {
            provider_id: Some("b".into()),
            thread_id: Some("tb".into())
        })
    );
}

#[test]
fn not_found_only_after_the_whole_window_was_read() {
    let mut look = GmailLookup::new(&readonly(), MID, ATTEMPT_MS);
    assert_eq!(
        feed(&mut look, 200, json!({"resultSizeEstimate":0})),
        Read::Next
    );
    assert_eq!(
        feed(
            &mut look,
            200,
            json!({"messages":[{"id":"a","threadId":"ta"}],"nextPageToken":"p2"})
        ),
        Read::Next
    );
    assert_eq!(
        feed(&mut look, 200, metadata("a", ATTEMPT_MS, &[])),
        Read::Next
    );
    // On to the next page, then a message deleted meanwhile (404) is skipped.
    let req = lookup_call(&look);
    assert_eq!(query(&req.url)["pageToken"], "p2");
    assert_eq!(
        feed(
            &mut look,
            200,
            json!({"messages":[{"id":"c","threadId":"tc"}]})
        ),
        Read::Next
    );
    let gone = respond(
        404,
        &[],
        &google_error(404, "notFound", "Requested entity was not found."),
    );
    assert_eq!(
        look.read(Answer::Response(&gone)),
        Read::End(LookupRead::NotFound)
    );
}

#[test]
fn under_the_metadata_scope_sent_is_read_newest_first_until_the_window() {
    let meta = target(&["https://www.googleapis.com/auth/gmail.metadata"]);
    let mut look = GmailLookup::new(&meta, MID, ATTEMPT_MS);
    let req = lookup_call(&look);
    check_contract(&req, "list");
    let q = query(&req.url);
    assert!(!q.contains_key("q"), "q is refused under gmail.metadata");
    assert_eq!(q["labelIds"], "SENT");
    assert_eq!(
        feed(
            &mut look,
            200,
            json!({"messages":[{"id":"n","threadId":"tn"},{"id":"o","threadId":"to"}],"nextPageToken":"x"})
        ),
        Read::Next
    );
    assert_eq!(
        feed(
            &mut look,
            200,
            metadata("n", ATTEMPT_MS + 5, &[("Message-ID", "<n@x>")])
        ),
        Read::Next
    );
    // Older than the window: nothing further down can be ours.
    assert_eq!(
        feed(&mut look, 200, metadata("o", ATTEMPT_MS - 3_600_001, &[])),
        Read::End(LookupRead::NotFound)
    );
}

#[test]
fn a_token_that_turns_out_to_hold_metadata_switches_to_reading_sent() {
    let mut look = GmailLookup::new(&readonly(), MID, ATTEMPT_MS);
    let r = respond(
        403,
        &[],
        &google_error(
            403,
            "forbidden",
            "Metadata scope does not support 'q' parameter",
        ),
    );
    assert_eq!(look.read(Answer::Response(&r)), Read::Next);
    assert_eq!(query(&lookup_call(&look).url)["labelIds"], "SENT");
}

#[test]
fn a_failed_search_is_never_not_found() {
    let cases: Vec<(HttpResponse, LookupRead)> = vec![
        (
            respond(
                401,
                &[],
                &google_error(401, "authError", "Invalid Credentials"),
            ),
            LookupRead::SecretRejected,
        ),
        (
            respond(
                429,
                &[("retry-after", "12")],
                &google_error(429, "rateLimitExceeded", "x"),
            ),
            LookupRead::Failed {
                retry_after_ms: Some(12_000),
                message: "Gmail is limiting requests; Inlay will look again.".into(),
            },
        ),
    ];
    for (r, want) in cases {
        let mut look = GmailLookup::new(&readonly(), MID, ATTEMPT_MS);
        assert_eq!(look.read(Answer::Response(&r)), Read::End(want));
    }
    for r in [
        respond(500, &[], ""),
        respond(503, &[], ""),
        respond(403, &[], &google_error(403, "userRateLimitExceeded", "x")),
        respond(
            400,
            &[],
            &google_error(400, "invalidArgument", "Invalid query"),
        ),
    ] {
        let mut look = GmailLookup::new(&readonly(), MID, ATTEMPT_MS);
        let read = look.read(Answer::Response(&r));
        assert!(
            matches!(read, Read::End(LookupRead::Failed { .. })),
            "{}: {read:?}",
            r.status
        );
    }
    let mut look = GmailLookup::new(&readonly(), MID, ATTEMPT_MS);
    assert!(matches!(
        look.read(Answer::Transport(TransportFailure::Timeout)),
        Read::End(LookupRead::Failed { .. })
    ));
    let r = respond(
        403,
        &[],
        &google_error(403, "insufficientPermissions", "Insufficient Permission"),
    );
    let mut look = GmailLookup::new(&readonly(), MID, ATTEMPT_MS);
    assert!(matches!(
        look.read(Answer::Response(&r)),
        Read::End(LookupRead::CannotLook { .. })
    ));
}

#[test]
fn a_search_too_long_to_finish_asks_the_user() {
    let mut look = GmailLookup::new(&readonly(), MID, ATTEMPT_MS);
    assert_eq!(feed(&mut look, 200, json!({})), Read::Next);
    let mut ended = None;
    for page in 0..10 {
        let ids: Vec<Value> = (0..50)
            .map(|i| json!({"id": format!("{page}-{i}"), "threadId": "t"}))
            .collect();
        assert_eq!(
            feed(
                &mut look,
                200,
                json!({"messages": ids, "nextPageToken": "more"})
            ),
            Read::Next
        );
        for i in 0..50 {
            match feed(
                &mut look,
                200,
                metadata(&format!("{page}-{i}"), ATTEMPT_MS, &[]),
            ) {
                Read::Next => {}
                Read::End(read) => {
                    ended = Some((page * 50 + i + 1, read));
                    break;
                }
            }
        }
        if ended.is_some() {
            break;
        }
    }
    let (checked, read) = ended.unwrap();
    assert_eq!(checked, GMAIL_LOOKUP_MAX_CHECKED as usize);
    assert!(matches!(read, LookupRead::CannotLook { .. }));
}

#[test]
fn the_send_id_is_read_from_the_message_and_matched_as_it_is() {
    let mime = MIME.replace("Subject:", "X-Inlay-Send-Id: q7Zk2mB4\r\nSubject:");
    let out = outgoing(mime.as_bytes(), None);
    let mut look = GmailLookup::for_outgoing(&readonly(), &out, ATTEMPT_MS);
    assert_eq!(feed(&mut look, 200, json!({})), Read::Next);
    assert_eq!(
        feed(
            &mut look,
            200,
            json!({"messages":[{"id":"a","threadId":"ta"},{"id":"b","threadId":"tb"}]})
        ),
        Read::Next
    );
    // Another email's send id is not ours.
    assert_eq!(
        feed(
            &mut look,
            200,
            metadata(
                "a",
                ATTEMPT_MS,
                &[
                    ("Message-Id", "<x@mail.gmail.com>"),
                    ("X-Inlay-Send-Id", "other")
                ]
            )
        ),
        Read::Next
    );
    assert_eq!(
        feed(
            &mut look,
            200,
            metadata(
                "b",
                ATTEMPT_MS,
                &[
                    ("Message-Id", "<y@mail.gmail.com>"),
                    ("X-Inlay-Send-Id", "q7Zk2mB4")
                ]
            )
        ),
        Read::End(LookupRead::Found {
            provider_id: Some("b".into()),
            thread_id: Some("tb".into())
        })
    );
    // Without the header in the message, only the Message-ID can match.
    let plain =
        GmailLookup::for_outgoing(&readonly(), &outgoing(MIME.as_bytes(), None), ATTEMPT_MS);
    assert_eq!(plain, GmailLookup::new(&readonly(), MID, ATTEMPT_MS));
}

#[test]
fn a_wait_is_read_against_the_servers_own_clock() {
    let date = ("date", "Sat, 05 Dec 2026 21:00:00 GMT");
    // Gmail's sending limit names the time in its message.
    let limit = google_error(
        429,
        "rateLimitExceeded",
        "User-rate limit exceeded.  Retry after 2026-12-05T23:30:00.000Z",
    );
    assert!(matches!(
        send_read(429, &[date], &limit),
        SendRead::Retry {
            retry_after_ms: Some(9_000_000),
            ..
        }
    ));
    // Without the server's Date there is no clock to read it against.
    assert!(matches!(
        send_read(429, &[], &limit),
        SendRead::Retry {
            retry_after_ms: None,
            ..
        }
    ));
    // Retry-After as an HTTP-date, and as seconds (which wins).
    assert!(matches!(
        send_read(
            429,
            &[date, ("retry-after", "Sat, 05 Dec 2026 21:02:00 GMT")],
            "{}"
        ),
        SendRead::Retry {
            retry_after_ms: Some(120_000),
            ..
        }
    ));
    assert!(matches!(
        send_read(
            403,
            &[date, ("retry-after", "5")],
            &google_error(
                403,
                "userRateLimitExceeded",
                "Retry after 2026-12-05T23:30:00.000Z"
            )
        ),
        SendRead::Retry {
            retry_after_ms: Some(5_000),
            ..
        }
    ));
    // A time already past is no wait.
    assert!(matches!(
        send_read(
            429,
            &[date, ("retry-after", "Sat, 05 Dec 2026 20:00:00 GMT")],
            "{}"
        ),
        SendRead::Retry {
            retry_after_ms: Some(0),
            ..
        }
    ));
    let mut look = GmailLookup::new(&readonly(), MID, ATTEMPT_MS);
    let r = respond(429, &[date], &limit);
    assert!(matches!(
        look.read(Answer::Response(&r)),
        Read::End(LookupRead::Failed {
            retry_after_ms: Some(9_000_000),
            ..
        })
    ));
}
