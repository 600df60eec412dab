//! Reading EWS answers: results from the canned fixtures, and every failure
//! path mapped to a Disposition with a sentence for the user.

use inlay_core::backoff::Backoff;
use inlay_core::http::{HttpResponse, TransportFailure};
use inlay_core::provider::ews::{
    ItemId, SyncChange, read_find, read_mime, read_send, read_sync, read_verify,
};
use inlay_core::provider::{Attempt, Disposition, Outcome};

const URL: &str = "https://mail.contoso.com/EWS/Exchange.asmx";
const BACKOFF: Backoff = Backoff {
    base_ms: 1_000,
    max_ms: 64_000,
    max_attempts: 3,
    max_wait_ms: None,
};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/ews/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn attempt(number: u32) -> Attempt {
    // jitter 0 makes the backoff delay exactly the server's hint (or 0).
    Attempt {
        number,
        after_refresh: false,
        now_ms: 0,
        jitter: 0,
    }
}

fn outcome(status: u16, body: &str) -> Outcome {
    Outcome::Response {
        response: HttpResponse {
            status,
            headers: vec![],
            body: body.into(),
        },
    }
}

fn id(id: &str, key: &str) -> ItemId {
    ItemId {
        id: id.into(),
        change_key: Some(key.into()),
    }
}

#[test]
fn get_folder_verifies_the_connection_and_reads_the_version() {
    let ok = read_verify(
        URL,
        &outcome(200, &fixture("get-folder-response.xml")),
        &attempt(0),
        &BACKOFF,
    )
    .unwrap();
    assert_eq!(ok.inbox, id("AAMkAGInbox=", "AQAAABYAAAInbox"));
    assert_eq!(
        serde_json::to_value(&ok.server).unwrap(),
        serde_json::json!({"majorVersion":15,"minorVersion":1,"majorBuildNumber":2507,"version":"V2017_07_11"})
    );
    assert_eq!(ok.build.as_deref(), Some("15.1.2507"));
}

#[test]
fn create_item_sends() {
    assert_eq!(
        read_send(
            URL,
            &outcome(200, &fixture("create-item-response.xml")),
            &attempt(0),
            &BACKOFF
        ),
        Ok(())
    );
}

#[test]
fn find_item_reads_ids_and_paging() {
    let page = read_find(
        URL,
        &outcome(200, &fixture("find-item-response.xml")),
        &attempt(0),
        &BACKOFF,
    )
    .unwrap();
    assert_eq!(
        page.items,
        vec![id("AAMkItem1=", "CQAAAB1"), id("AAMkItem2=", "CQAAAB2")]
    );
    assert_eq!(page.total_items_in_view, 5);
    assert!(!page.includes_last_item_in_range);
    assert_eq!(page.next_offset, Some(2));
}

#[test]
fn get_item_decodes_mime_and_keeps_per_item_failures() {
    let got = read_mime(
        URL,
        &outcome(200, &fixture("get-item-response.xml")),
        &attempt(0),
        &BACKOFF,
    )
    .unwrap();
    assert_eq!(got.items.len(), 1);
    assert_eq!(got.items[0].item_id, id("AAMkItem1=", "CQAAAB1"));
    let mime = String::from_utf8(got.items[0].mime.clone()).unwrap();
    assert!(
        mime.starts_with("From: Ana <ana@contoso.com>\r\n"),
        "{mime}"
    );
    assert!(mime.contains("Subject: Quote & terms\r\n"));
    assert_eq!(got.failures.len(), 1);
    assert_eq!(got.failures[0].index, 1);
    assert_eq!(got.failures[0].response_code, "ErrorItemNotFound");
}

#[test]
fn sync_folder_items_reads_changes_and_state() {
    let sync = read_sync(
        URL,
        &outcome(200, &fixture("sync-folder-items-response.xml")),
        &attempt(0),
        &BACKOFF,
    )
    .unwrap();
    assert_eq!(sync.sync_state, "H4sIAAAAAAAEAO29B2A=");
    assert!(!sync.includes_last_item_in_range);
    assert_eq!(
        sync.changes,
        vec![
            SyncChange::Create {
                item_id: id("AAMkItem3=", "CQAAAB3")
            },
            SyncChange::Update {
                item_id: id("AAMkItem1=", "CQAAAB4")
            },
            SyncChange::Delete {
                item_id: id("AAMkItem2=", "CQAAAB2")
            },
            SyncChange::ReadFlagChange {
                item_id: id("AAMkItem1=", "CQAAAB5"),
                is_read: true
            },
        ]
    );
    assert_eq!(
        serde_json::to_value(&sync.changes[3]).unwrap(),
        serde_json::json!({"kind":"readFlagChange","itemId":{"id":"AAMkItem1=","changeKey":"CQAAAB5"},"isRead":true})
    );
}

fn fail_code(d: &Disposition) -> &str {
    match d {
        Disposition::Fail { code, .. } | Disposition::Reauthenticate { code, .. } => code,
        Disposition::RetryAfter { .. } => "retryAfter",
        other => panic!("{other:?}"),
    }
}

fn retry_after(status: u16, value: &str) -> Outcome {
    Outcome::Response {
        response: HttpResponse {
            status,
            headers: vec![("retry-after".into(), value.into())],
            body: String::new(),
        },
    }
}

#[test]
fn failures_table() {
    // (outcome, attempt, expected code, expected delay for retries, words in the message)
    let cases: Vec<(Outcome, u32, &str, Option<u64>, &str)> = vec![
        (
            outcome(200, &fixture("get-folder-response-exchange2010-sp1.xml")),
            0,
            "exchangeTooOld",
            None,
            "Exchange 2010 Service Pack 2",
        ),
        (
            outcome(200, &fixture("get-folder-error-nonexistent-mailbox.xml")),
            0,
            "mailboxNotFound",
            None,
            "no mailbox",
        ),
        (
            outcome(200, &fixture("create-item-error-server-busy.xml")),
            0,
            "retryAfter",
            Some(5_000),
            "",
        ),
        (
            outcome(500, &fixture("fault-server-busy.xml")),
            0,
            "retryAfter",
            Some(297_749),
            "",
        ),
        (
            outcome(500, &fixture("fault-server-busy.xml")),
            3,
            "retriesExhausted",
            None,
            "certificate",
        ),
        (
            outcome(500, &fixture("fault-schema-validation.xml")),
            0,
            "soapFault",
            None,
            "schema validation",
        ),
        (
            outcome(
                200,
                &fixture("sync-folder-items-error-invalid-sync-state.xml"),
            ),
            0,
            "syncStateInvalid",
            None,
            "from the start",
        ),
        (outcome(401, ""), 0, "wrongPassword", None, "app password"),
        (outcome(403, ""), 0, "forbidden", None, "mail.contoso.com"),
        (
            outcome(404, "<html/>"),
            0,
            "notEws",
            None,
            "/EWS/Exchange.asmx",
        ),
        (retry_after(503, "7"), 0, "retryAfter", Some(7_000), ""),
        (retry_after(429, "2"), 1, "retryAfter", Some(2_000), ""),
        (outcome(502, "Bad gateway"), 0, "retryAfter", Some(0), ""),
        (
            outcome(200, "<html>login</html>"),
            0,
            "unreadableResponse",
            None,
            "Exchange.asmx",
        ),
        (outcome(418, ""), 0, "unexpectedStatus", None, "418"),
        (
            Outcome::Transport {
                failure: TransportFailure::Network,
            },
            0,
            "retryAfter",
            Some(0),
            "",
        ),
        (
            Outcome::Transport {
                failure: TransportFailure::Timeout,
            },
            3,
            "retriesExhausted",
            None,
            "mail.contoso.com did not answer",
        ),
    ];
    for (i, (outcome, number, code, delay, words)) in cases.iter().enumerate() {
        let d = read_verify(URL, outcome, &attempt(*number), &BACKOFF).unwrap_err();
        assert_eq!(fail_code(&d), *code, "case {i}: {d:?}");
        match &d {
            Disposition::RetryAfter { after_ms, .. } => {
                assert_eq!(Some(*after_ms), *delay, "case {i}")
            }
            Disposition::Fail { message, .. } | Disposition::Reauthenticate { message, .. } => {
                assert!(message.contains(words), "case {i}: {message}")
            }
            _ => {}
        }
    }
}

#[test]
fn a_check_someone_watches_gives_up_on_a_long_pause_in_words() {
    let busy = |seconds: &str| retry_after(503, seconds);
    let interactive = Backoff::INTERACTIVE;
    // A short pause is waited out...
    let d = read_verify(URL, &busy("5"), &attempt(0), &interactive).unwrap_err();
    assert!(
        matches!(
            d,
            Disposition::RetryAfter {
                after_ms: 5_000,
                ..
            }
        ),
        "{d:?}"
    );
    // ...an hour is not: the user is told, in words, when to try again.
    let d = read_verify(URL, &busy("3600"), &attempt(0), &interactive).unwrap_err();
    assert_eq!(fail_code(&d), "providerBusy");
    let Disposition::Fail { message, .. } = &d else {
        panic!("{d:?}")
    };
    assert!(message.contains("wait about 60 minutes"), "{message}");
    // Without a limit (background calls), the pause is the server's to set.
    let d = read_verify(URL, &busy("3600"), &attempt(0), &BACKOFF).unwrap_err();
    assert!(
        matches!(
            d,
            Disposition::RetryAfter {
                after_ms: 3_600_000,
                ..
            }
        ),
        "{d:?}"
    );
}

#[test]
fn response_codes_table() {
    let envelope = |code: &str| {
        fixture("get-folder-error-nonexistent-mailbox.xml").replace("ErrorNonExistentMailbox", code)
    };
    for (code, expected) in [
        ("ErrorAccessDenied", "accessDenied"),
        ("ErrorInvalidIdMalformed", "invalidId"),
        ("ErrorItemNotFound", "itemNotFound"),
        ("ErrorInvalidServerVersion", "exchangeTooOld"),
        ("ErrorMessageSizeExceeded", "messageTooLarge"),
        ("ErrorQuotaExceeded", "mailboxFull"),
        ("ErrorMailboxStoreUnavailable", "retryAfter"),
        ("ErrorSomethingNew", "ewsError"),
    ] {
        let d =
            read_verify(URL, &outcome(200, &envelope(code)), &attempt(0), &BACKOFF).unwrap_err();
        assert_eq!(fail_code(&d), expected, "{code}");
    }
}

#[test]
fn get_item_batch_fails_on_a_busy_server() {
    let body = fixture("get-item-response.xml").replace("ErrorItemNotFound", "ErrorServerBusy");
    let d = read_mime(URL, &outcome(200, &body), &attempt(0), &BACKOFF).unwrap_err();
    assert_eq!(fail_code(&d), "retryAfter");
}
