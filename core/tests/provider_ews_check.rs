//! The EWS connection check as a machine: GetFolder, its pauses as wait
//! steps counted by the machine, and what "Check connection" reports.

use inlay_core::accounts::CheckResult;
use inlay_core::http::{HttpResponse, TransportFailure};
use inlay_core::machine::{Input, Machine, Moment, Step};
use inlay_core::provider::ews::{CheckError, Credentials, EwsCheck, EwsCheckPurpose};

const URL: &str = "https://mail.contoso.com/EWS/Exchange.asmx";

fn check() -> EwsCheck {
    EwsCheck::new(URL, Credentials::new("CONTOSO\\ana", "s3cret-p@ss"))
}

/// Jitter 0 (no random bytes): a pause is exactly the server's hint.
fn at(now_ms: u64) -> Moment<'static> {
    Moment {
        now_ms,
        random: &[],
    }
}

fn response(
    status: u16,
    headers: &[(&str, &str)],
    body: &str,
) -> Input<inlay_core::machine::NoQuestion> {
    Input::Response {
        response: HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.into(),
        },
    }
}

fn get_folder() -> String {
    let path = format!(
        "{}/tests/fixtures/ews/get-folder-response.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn a_working_password_is_verified_with_the_server_version() {
    let mut c = check();
    let step = c.start(at(0));
    let Step::Http { request, purpose } = &step else {
        panic!("{step:?}")
    };
    assert_eq!(*purpose, EwsCheckPurpose::GetFolder);
    assert_eq!(request.url, URL);
    let Step::Done { result } = c.resume(response(200, &[], &get_folder()), at(0)) else {
        panic!()
    };
    assert_eq!(result.build.as_deref(), Some("15.1.2507"));
}

#[test]
fn a_short_pause_is_a_wait_step_then_the_same_request() {
    let mut c = check();
    let first = c.start(at(1_000));
    let step = c.resume(response(503, &[("retry-after", "5")], ""), at(1_000));
    let Step::Wait { until_ms, reason } = &step else {
        panic!("{step:?}")
    };
    assert_eq!(*until_ms, 6_000);
    assert!(reason.contains("temporary problem (HTTP 503)"), "{reason}");
    // The machine survives the worker's round trip while it waits.
    let mut c: EwsCheck = serde_json::from_value(serde_json::to_value(&c).unwrap()).unwrap();
    assert_eq!(c.resume(Input::Timer, at(6_000)), first);
    assert!(matches!(
        c.resume(response(200, &[], &get_folder()), at(6_000)),
        Step::Done { .. }
    ));
}

#[test]
fn the_machine_counts_its_retries_and_stops_in_words() {
    let mut c = check();
    c.start(at(0));
    let mut waits = 0;
    let error = loop {
        match c.resume(
            Input::Transport {
                failure: TransportFailure::Network,
            },
            at(0),
        ) {
            Step::Wait { .. } => {
                waits += 1;
                c.resume(Input::Timer, at(0));
            }
            Step::Failed { error } => break error,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(waits, 3, "Backoff::INTERACTIVE allows three retries");
    assert_eq!(error.code(), "retriesExhausted");
    assert!(
        error
            .message()
            .contains("mail.contoso.com could not be reached"),
        "{}",
        error.message()
    );
    assert!(matches!(error.check_result(), CheckResult::Failed { .. }));
}

#[test]
fn a_refused_password_needs_the_user_and_a_long_pause_is_later() {
    let mut c = check();
    c.start(at(0));
    let Step::Failed { error } = c.resume(response(401, &[], ""), at(0)) else {
        panic!()
    };
    assert!(matches!(error, CheckError::Refused { .. }));
    assert!(matches!(
        error.check_result(),
        CheckResult::NeedsReauthentication { ref code, .. } if code == "wrongPassword"
    ));
    let mut c = check();
    c.start(at(0));
    let Step::Failed { error } = c.resume(response(503, &[("retry-after", "3600")], ""), at(0))
    else {
        panic!()
    };
    assert_eq!(error.code(), "providerBusy");
    let CheckResult::Later { message } = error.check_result() else {
        panic!()
    };
    assert!(message.contains("wait about 60 minutes"), "{message}");
    // The failure crosses as {code, message}.
    let json = serde_json::to_value(Step::<(), (), (), _>::Failed { error }).unwrap();
    assert_eq!(
        json["error"],
        serde_json::json!({"code": "providerBusy", "message": message, "outcome": "later"})
    );
}

#[test]
fn debug_hides_the_password() {
    let mut c = check();
    let step = c.start(at(0));
    for debug in [format!("{c:?}"), format!("{step:?}")] {
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(!debug.contains("czNjcmV0"), "{debug}");
    }
}
