//! "Check this connection now" (`accounts::check`), the token helpers the
//! worker calls after connecting, revocation plans and the DNS-failure
//! detection.

mod support;

use inlay_core::accounts::*;
use inlay_core::auth::{Access, SilentResult, TokenProblem, TokenState};
use inlay_core::auth::{
    AccountType, Features, OAuthClient, OAuthProvider, RevocationPlan, TokenSet, scopes_for,
};
use inlay_core::connect::{features_for, revoke_plan};
use inlay_core::detect::{Confidence, ConnectionKind, Verdict, detect_from_outcome};
use inlay_core::http::{Method, TransportFailure};
use inlay_core::provider::{Attempt, Outcome};
use serde_json::json;
use support::http_response;

const T0: u64 = 1_800_000_000_000;
const HOUR: u64 = 3_600_000;

fn attempt(number: u32, after_refresh: bool) -> Attempt {
    Attempt {
        number,
        after_refresh,
        now_ms: T0,
        jitter: u32::MAX / 2,
    }
}

fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> Outcome {
    Outcome::Response {
        response: http_response(status, headers, body),
    }
}

fn gmail_error(status: u16, reason: &str, message: &str) -> Outcome {
    resp(
        status,
        &[("content-type", "application/json; charset=UTF-8")],
        &json!({"error": {"code": status, "message": message,
            "errors": [{"message": message, "domain": "global", "reason": reason}]}})
        .to_string(),
    )
}

#[test]
fn plans_the_documented_requests() {
    let g = plan_account_check(ConnectionKind::Google, "ya29.tok").unwrap();
    assert_eq!(g.method, Method::Get);
    assert_eq!(
        g.url,
        "https://gmail.googleapis.com/gmail/v1/users/me/settings/sendAs"
    );
    assert!(
        g.headers
            .contains(&("Authorization".into(), "Bearer ya29.tok".into()))
    );
    assert!(g.body.is_none());
    let m = plan_account_check(ConnectionKind::Microsoft, "eyJ0").unwrap();
    assert_eq!(
        m.url,
        "https://graph.microsoft.com/v1.0/me?$select=id,displayName,mail,userPrincipalName,proxyAddresses"
    );
    for kind in [ConnectionKind::Exchange, ConnectionKind::Imap] {
        assert_eq!(
            plan_account_check(kind, "t").unwrap_err().code,
            "notAvailable"
        );
    }
}

#[test]
fn google_ok_lists_usable_aliases() {
    let body = json!({"sendAs": [
        {"sendAsEmail": "ada@corp.example", "displayName": "Ada Lovelace", "isPrimary": true, "isDefault": true},
        {"sendAsEmail": "sales@corp.example", "displayName": "Sales", "treatAsAlias": true},
        {"sendAsEmail": "ada@personal.example", "verificationStatus": "accepted"},
        {"sendAsEmail": "ada@pending.example", "verificationStatus": "pending"},
        {"sendAsEmail": "ADA@corp.example", "verificationStatus": "accepted"}
    ]});
    let r = read_account_check(
        ConnectionKind::Google,
        &resp(200, &[], &body.to_string()),
        &attempt(0, false),
    );
    assert_eq!(
        r,
        CheckVerdict::Ok {
            aliases: vec!["sales@corp.example".into(), "ada@personal.example".into()],
            display_name: Some("Ada Lovelace".into()),
        }
    );
}

#[test]
fn microsoft_ok_lists_secondary_smtp_addresses() {
    // Graph's documented example writes a space after the prefix.
    let body = json!({"id": "87d3", "displayName": "Bob", "mail": "bob@contoso.com",
        "userPrincipalName": "bob@contoso.com",
        "proxyAddresses": ["SMTP: bob@contoso.com", "smtp: bob@sales.contoso.com", "X500:/o=ExchangeLabs/cn=bob"]});
    let r = read_account_check(
        ConnectionKind::Microsoft,
        &resp(200, &[], &body.to_string()),
        &attempt(0, false),
    );
    assert_eq!(
        r,
        CheckVerdict::Ok {
            aliases: vec!["bob@sales.contoso.com".into()],
            display_name: Some("Bob".into()),
        }
    );
}

#[test]
fn unauthorized_refreshes_once_then_asks_the_user() {
    let body = json!({"error": {"code": 401, "message": "Request had invalid authentication credentials.",
        "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError",
            "location": "Authorization", "locationType": "header"}], "status": "UNAUTHENTICATED"}});
    let out = resp(401, &[], &body.to_string());
    assert_eq!(
        read_account_check(ConnectionKind::Google, &out, &attempt(0, false)),
        CheckVerdict::RefreshToken
    );
    let CheckVerdict::Reauthenticate { code, message } =
        read_account_check(ConnectionKind::Google, &out, &attempt(0, true))
    else {
        panic!()
    };
    assert_eq!(code, "tokenRejected");
    assert!(message.contains("Sign in again"));

    let graph = resp(
        401,
        &[],
        r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}}"#,
    );
    assert_eq!(
        read_account_check(ConnectionKind::Microsoft, &graph, &attempt(0, false)),
        CheckVerdict::RefreshToken
    );
}

/// The reading only says "may work if tried again" and what the server asked
/// for; how long to wait and when to stop is the check machine's (below:
/// `throttling_waits_as_asked_and_counts_its_tries`, and the day cap in
/// `backoff.rs`).
#[test]
fn retries_are_read_and_left_to_the_machine() {
    let out = resp(
        429,
        &[("retry-after", "7")],
        r#"{"error":{"code":"ApplicationThrottled","message":"Application is over its MailboxConcurrency limit."}}"#,
    );
    let CheckVerdict::Retry {
        retry_after_ms,
        reason,
    } = read_account_check(ConnectionKind::Microsoft, &out, &attempt(0, false))
    else {
        panic!()
    };
    assert_eq!(retry_after_ms, Some(7_000));
    assert!(reason.contains("ApplicationThrottled"));

    for n in [0, 6, 60] {
        let r = read_account_check(
            ConnectionKind::Google,
            &resp(503, &[], "Service Unavailable"),
            &attempt(n, false),
        );
        assert!(
            matches!(
                r,
                CheckVerdict::Retry {
                    retry_after_ms: None,
                    ..
                }
            ),
            "try {n}: {r:?}"
        );
    }
    assert!(matches!(
        read_account_check(
            ConnectionKind::Google,
            &Outcome::Transport {
                failure: TransportFailure::Network
            },
            &attempt(0, false)
        ),
        CheckVerdict::Retry { .. }
    ));
}

#[test]
fn missing_permission_asks_the_user_and_admin_block_fails() {
    let r = read_account_check(
        ConnectionKind::Google,
        &gmail_error(
            403,
            "insufficientPermissions",
            "Request had insufficient authentication scopes.",
        ),
        &attempt(0, false),
    );
    let CheckVerdict::Reauthenticate { code, .. } = r else {
        panic!("{r:?}")
    };
    assert_eq!(code, "missingScope");
    let r = read_account_check(
        ConnectionKind::Google,
        &gmail_error(
            403,
            "domainPolicy",
            "The domain administrators have disabled Gmail apps.",
        ),
        &attempt(0, false),
    );
    assert!(matches!(r, CheckVerdict::Fail { ref code, .. } if code == "adminBlocked"));
    let r = read_account_check(
        ConnectionKind::Google,
        &gmail_error(403, "userRateLimitExceeded", "User-rate limit exceeded."),
        &attempt(0, false),
    );
    assert!(matches!(r, CheckVerdict::Retry { .. }));
}

#[test]
fn unreadable_success_is_a_failure() {
    let r = read_account_check(
        ConnectionKind::Microsoft,
        &resp(200, &[], "<html>captive portal</html>"),
        &attempt(0, false),
    );
    assert!(matches!(r, CheckVerdict::Fail { ref code, .. } if code == "unexpectedResponse"));
    assert!(matches!(
        read_account_check(ConnectionKind::Imap, &resp(200, &[], "{}"), &attempt(0, false)),
        CheckVerdict::Fail { ref code, .. } if code == "notAvailable"
    ));
}

/// What the worker hands the page (`CheckVerdict` stays inside the core).
#[test]
fn check_result_json_shape() {
    let v = serde_json::to_value(CheckResult::NeedsReauthentication {
        code: "tokenRejected".into(),
        message: "x".into(),
    })
    .unwrap();
    assert_eq!(
        v,
        json!({"outcome": "needsReauthentication", "code": "tokenRejected", "message": "x"})
    );
    let v = serde_json::to_value(CheckResult::Ok {
        aliases: Some(vec![]),
        display_name: None,
    })
    .unwrap();
    assert_eq!(
        v,
        json!({"outcome": "ok", "aliases": [], "displayName": null})
    );
    assert_eq!(
        serde_json::to_value(CheckResult::Later {
            message: "y".into()
        })
        .unwrap(),
        json!({"outcome": "later", "message": "y"})
    );
}

// ---- token helpers -------------------------------------------------------

fn google_client() -> OAuthClient {
    OAuthClient {
        client_id: "g".into(),
        client_secret: Some("s".into()),
    }
}

fn requested(provider: OAuthProvider) -> Vec<String> {
    scopes_for(provider, &features_for(provider))
        .into_iter()
        .map(|s| s.scope)
        .collect()
}

fn google_state(refresh: Option<&str>) -> TokenState {
    TokenState::new(
        OAuthProvider::Google,
        TokenSet {
            access_token: "at1".into(),
            expires_at_ms: T0 + HOUR,
            refresh_token: refresh.map(str::to_string),
            refresh_token_expires_at_ms: None,
            granted_scopes: vec![],
            id_claims: None,
            obtained_at_ms: T0,
        },
        requested(OAuthProvider::Google),
    )
}

#[test]
fn features_are_read_back_from_the_requested_scopes() {
    for provider in [OAuthProvider::Google, OAuthProvider::Microsoft] {
        let mut s = google_state(Some("rt"));
        s.provider = provider;
        s.scopes = requested(provider);
        let f = s.features();
        let want = features_for(provider);
        assert_eq!(f.send, want.send, "{provider:?}");
        // What a refresh must grant is what the sign-in requested.
        let required = |f: &Features| -> Vec<String> {
            scopes_for(provider, f)
                .into_iter()
                .filter(|s| s.required_for_feature)
                .map(|s| s.scope)
                .collect()
        };
        assert_eq!(required(&f), required(&want));
    }
}

fn start_refresh(s: &mut TokenState) -> u32 {
    match s.access(&google_client(), T0 + HOUR) {
        Access::Refresh { id, .. } => id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn refresh_response_is_interpreted_and_applied() {
    let mut s = google_state(Some("rt1"));
    let id = start_refresh(&mut s);
    let body = json!({"access_token": "at2", "expires_in": 3599, "token_type": "Bearer",
        "scope": "https://www.googleapis.com/auth/gmail.send https://www.googleapis.com/auth/gmail.settings.basic openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile"});
    s.on_refresh_outcome(
        id,
        &resp(200, &[], &body.to_string()),
        &google_client(),
        T0 + HOUR,
        0,
    );
    assert_eq!(s.access_token, "at2");
    assert_eq!(s.expires_at_ms, T0 + HOUR + 3_599_000);
    assert_eq!(s.refresh_token.as_deref(), Some("rt1"));
    assert!(s.renewal.is_none() && s.problem.is_none());
}

#[test]
fn refresh_invalid_grant_and_missing_scope_ask_the_user() {
    let mut s = google_state(Some("rt1"));
    let id = start_refresh(&mut s);
    let out = resp(
        400,
        &[],
        r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#,
    );
    s.on_refresh_outcome(id, &out, &google_client(), T0 + HOUR, 0);
    assert!(
        matches!(&s.problem, Some(TokenProblem::Reauthenticate { code, .. }) if code == "tokenRevoked")
    );

    let mut s = google_state(Some("rt1"));
    let id = start_refresh(&mut s);
    let body = json!({"access_token": "at2", "expires_in": 3599, "scope": "openid"});
    s.on_refresh_outcome(
        id,
        &resp(200, &[], &body.to_string()),
        &google_client(),
        T0 + HOUR,
        0,
    );
    assert!(
        matches!(&s.problem, Some(TokenProblem::Reauthenticate { code, .. }) if code == "scopesNotGranted")
    );
}

#[test]
fn refresh_transport_failure_and_huge_retry_after_back_off_safely() {
    let mut s = google_state(Some("rt1"));
    let id = start_refresh(&mut s);
    s.on_refresh_outcome(
        id,
        &Outcome::Transport {
            failure: TransportFailure::Timeout,
        },
        &google_client(),
        T0 + HOUR,
        u32::MAX,
    );
    assert!(s.problem.is_none());
    let at = s.retry_not_before_ms.unwrap();
    assert!(at > T0 + HOUR && at <= T0 + HOUR + 1_000);

    let mut s = google_state(Some("rt1"));
    let id = start_refresh(&mut s);
    s.on_refresh_outcome(
        id,
        &resp(503, &[("retry-after", "99999999999999999999")], ""),
        &google_client(),
        T0 + HOUR,
        0,
    );
    let at = s.retry_not_before_ms.unwrap();
    assert_eq!(at, T0 + HOUR + MAX_RETRY_AFTER_MS);
    assert!(at < (1u64 << 53));
}

#[test]
fn silent_result_is_applied() {
    let mut s = google_state(Some("rt1"));
    s.provider = OAuthProvider::Microsoft;
    s.refresh_token_expires_at_ms = Some(T0 + 24 * HOUR);
    let id = match s.access(&google_client(), T0 + 23 * HOUR) {
        Access::SilentReauthorize { id } => id,
        other => panic!("{other:?}"),
    };
    let mut fresh = google_state(Some("rt2"));
    fresh.provider = OAuthProvider::Microsoft;
    fresh.access_token = "at9".into();
    fresh.expires_at_ms = T0 + 24 * HOUR;
    fresh.refresh_token_expires_at_ms = Some(T0 + 47 * HOUR);
    let result: SilentResult = serde_json::from_value(json!({
        "kind": "connected",
        "account": {"ignored": true},
        "tokens": serde_json::to_value(&fresh).unwrap()
    }))
    .unwrap();
    s.on_silent_result(id, result);
    assert_eq!(s.access_token, "at9");
    assert_eq!(s.refresh_token.as_deref(), Some("rt2"));
    assert_eq!(s.refresh_token_expires_at_ms, Some(T0 + 47 * HOUR));
    assert!(s.renewal.is_none());

    let id = match s.access(&google_client(), T0 + 46 * HOUR + 1) {
        Access::SilentReauthorize { id } => id,
        other => panic!("{other:?}"),
    };
    let failed: SilentResult =
        serde_json::from_value(json!({"kind": "failed", "message": "User interaction required."}))
            .unwrap();
    s.on_silent_result(id, failed);
    assert!(
        matches!(&s.problem, Some(TokenProblem::Reauthenticate { code, .. }) if code == "silentRenewalFailed")
    );
}

#[test]
fn revocation_plans_pick_the_right_token() {
    let s = google_state(Some("rt1"));
    let RevocationPlan::Request { request } =
        revoke_plan(ConnectionKind::Google, &s, AccountType::Personal).unwrap()
    else {
        panic!()
    };
    assert_eq!(request.url, "https://oauth2.googleapis.com/revoke");
    assert_eq!(request.body.as_deref(), Some("token=rt1"));
    let s = google_state(None);
    let RevocationPlan::Request { request } =
        revoke_plan(ConnectionKind::Google, &s, AccountType::Personal).unwrap()
    else {
        panic!()
    };
    assert_eq!(request.body.as_deref(), Some("token=at1"));

    let mut m = google_state(Some("rt1"));
    m.provider = OAuthProvider::Microsoft;
    assert!(matches!(
        revoke_plan(ConnectionKind::Microsoft, &m, AccountType::WorkOrSchool).unwrap(),
        RevocationPlan::LocalOnly { .. }
    ));
    assert_eq!(
        revoke_plan(ConnectionKind::Google, &m, AccountType::Personal)
            .unwrap_err()
            .code,
        "providerMismatch"
    );
    assert_eq!(
        revoke_plan(ConnectionKind::Imap, &m, AccountType::Personal)
            .unwrap_err()
            .code,
        "notAvailable"
    );
}

#[test]
fn dns_lookup_without_a_response_asks_the_user_to_choose() {
    let d = detect_from_outcome(
        "ada@corp.example",
        &Outcome::Transport {
            failure: TransportFailure::Network,
        },
    )
    .unwrap();
    assert_eq!(d.confidence, Confidence::Low);
    assert!(matches!(d.verdict, Verdict::ChooseManually { .. }));
    assert_eq!(d.choices.len(), 4);
    assert!(d.evidence[0].contains("couldn't be reached"));
    let google = json!({"Status": 0, "Answer": [{"name": "corp.example.", "type": 15, "TTL": 300, "data": "1 smtp.google.com."}]});
    let d = detect_from_outcome("ada@corp.example", &resp(200, &[], &google.to_string())).unwrap();
    assert!(matches!(
        d.verdict,
        Verdict::Supported {
            connect: ConnectionKind::Google
        }
    ));
    assert!(detect_from_outcome("nope", &resp(200, &[], "{}")).is_err());
}

#[test]
fn revocation_result_tells_the_user_when_google_did_not_confirm() {
    use inlay_core::http::{HttpResponse, TransportFailure};
    use inlay_core::provider::Outcome;
    use inlay_core::provider::gmail::{GOOGLE_PERMISSIONS_URL, revoke_result};
    let answer = |status: u16, body: &str| Outcome::Response {
        response: HttpResponse {
            status,
            headers: vec![],
            body: body.into(),
        },
    };
    assert!(revoke_result(&answer(200, "{}")).revoked);
    // Already expired or revoked: nothing left to remove.
    assert!(revoke_result(&answer(400, r#"{"error":"invalid_token"}"#)).revoked);
    for outcome in [
        answer(503, "Service Unavailable"),
        answer(429, ""),
        answer(400, r#"{"error":"invalid_request"}"#),
        Outcome::Transport {
            failure: TransportFailure::Network,
        },
    ] {
        let r = revoke_result(&outcome);
        assert!(!r.revoked, "{outcome:?}");
        assert!(
            r.instructions
                .as_deref()
                .unwrap()
                .contains("did not confirm"),
            "{outcome:?}"
        );
        assert_eq!(r.consent_url.as_deref(), Some(GOOGLE_PERMISSIONS_URL));
    }
}

// ---------------------------------------------------------------- the check as a machine

mod machine {
    //! `OAuthCheck`: the attempt counter, the one refresh after a 401 and
    //! the wait limit are the core's (they were checks.ts's loop).
    use super::*;
    use inlay_core::http::HttpResponse;
    use inlay_core::machine::{Input, Machine, Moment, Step};

    fn at(now_ms: u64) -> Moment<'static> {
        Moment {
            now_ms,
            random: &[0xff, 0xff, 0xff, 0x7f],
        }
    }

    fn token(t: &str) -> Input<TokenAnswer> {
        Input::Answer {
            answer: TokenAnswer::Token {
                access_token: t.into(),
            },
        }
    }

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Input<TokenAnswer> {
        let response: HttpResponse = support::http_response(status, headers, body);
        Input::Response { response }
    }

    fn send_as() -> String {
        json!({"sendAs": [{"sendAsEmail": "ada@corp.example", "displayName": "Ada", "isPrimary": true},
            {"sendAsEmail": "sales@corp.example", "treatAsAlias": true}]})
        .to_string()
    }

    fn started(kind: ConnectionKind) -> OAuthCheck {
        let mut check = OAuthCheck::new(kind);
        assert_eq!(
            check.start(at(T0)),
            Step::Ask {
                question: TokenQuestion { rejected: None }
            }
        );
        check
    }

    fn bearer(step: &CheckStep) -> String {
        let Step::Http { request, .. } = step else {
            panic!("{step:?}")
        };
        request
            .headers
            .iter()
            .find(|(k, _)| k == "Authorization")
            .map(|(_, v)| v.clone())
            .unwrap()
    }

    #[test]
    fn a_working_connection_reports_its_aliases_and_name() {
        let mut check = started(ConnectionKind::Google);
        assert_eq!(bearer(&check.resume(token("t1"), at(T0))), "Bearer t1");
        let end = check.resume(answer(200, &[], &send_as()), at(T0 + 1));
        assert_eq!(
            end,
            Step::Done {
                result: CheckResult::Ok {
                    aliases: Some(vec!["sales@corp.example".into()]),
                    display_name: Some("Ada".into()),
                }
            }
        );
        // A finished check repeats its end.
        assert_eq!(check.resume(Input::Timer, at(T0 + 2)), end);
        assert_eq!(
            serde_json::to_value(&end).unwrap()["result"],
            json!({"outcome": "ok", "aliases": ["sales@corp.example"], "displayName": "Ada"})
        );
    }

    #[test]
    fn a_401_refreshes_the_token_once_then_asks_the_user() {
        let mut check = started(ConnectionKind::Microsoft);
        check.resume(token("t1"), at(T0));
        assert_eq!(
            check.resume(answer(401, &[], ""), at(T0 + 1)),
            Step::Ask {
                question: TokenQuestion {
                    rejected: Some("t1".into())
                }
            }
        );
        assert_eq!(bearer(&check.resume(token("t2"), at(T0 + 2))), "Bearer t2");
        let Step::Done {
            result: CheckResult::NeedsReauthentication { code, message },
        } = check.resume(answer(401, &[], ""), at(T0 + 3))
        else {
            panic!()
        };
        assert_eq!(code, "tokenRejected");
        assert!(message.contains("Sign in again"), "{message}");
    }

    #[test]
    fn throttling_waits_as_asked_and_counts_its_tries() {
        let mut check = started(ConnectionKind::Google);
        check.resume(token("t1"), at(T0));
        let mut now = T0;
        for tries in 0..CHECK_BACKOFF.max_attempts {
            let step = check.resume(answer(429, &[("retry-after", "2")], ""), at(now));
            let Step::Wait { until_ms, .. } = step else {
                panic!("try {tries}: {step:?}")
            };
            assert!(until_ms >= now + 2_000);
            // An early timer keeps waiting; the due one sends the check again.
            assert!(matches!(
                check.resume(Input::Timer, at(until_ms - 1)),
                Step::Wait { .. }
            ));
            assert_eq!(
                bearer(&check.resume(Input::Timer, at(until_ms))),
                "Bearer t1"
            );
            now = until_ms;
        }
        let Step::Done {
            result: CheckResult::Later { message },
        } = check.resume(answer(503, &[], ""), at(now))
        else {
            panic!()
        };
        assert!(
            message.contains("Inlay will check again later"),
            "{message}"
        );
    }

    #[test]
    fn a_pause_longer_than_twenty_seconds_is_left_to_a_later_check() {
        let mut check = started(ConnectionKind::Google);
        check.resume(token("t1"), at(T0));
        assert!(matches!(
            check.resume(answer(429, &[("retry-after", "20")], ""), at(T0)),
            Step::Wait { .. }
        ));
        check.resume(Input::Timer, at(T0 + 20_000));
        let end = check.resume(answer(429, &[("retry-after", "21")], ""), at(T0 + 20_001));
        assert_eq!(
            end,
            Step::Done {
                result: CheckResult::Later {
                    message: "Gmail is limiting requests".into()
                }
            }
        );
    }

    #[test]
    fn no_token_ends_the_check_in_the_token_keepers_words() {
        for (answer, want) in [
            (
                TokenAnswer::Reauthenticate {
                    code: "grantInvalid".into(),
                    message: "Sign in again.".into(),
                },
                CheckResult::NeedsReauthentication {
                    code: "grantInvalid".into(),
                    message: "Sign in again.".into(),
                },
            ),
            (
                TokenAnswer::Later {
                    message: "Busy.".into(),
                },
                CheckResult::Later {
                    message: "Busy.".into(),
                },
            ),
            (
                TokenAnswer::Disconnected {
                    message: "Gone.".into(),
                },
                CheckResult::Failed {
                    code: "disconnected".into(),
                    message: "Gone.".into(),
                },
            ),
        ] {
            let mut check = started(ConnectionKind::Google);
            assert_eq!(
                check.resume(Input::Answer { answer }, at(T0)),
                Step::Done { result: want }
            );
        }
    }

    #[test]
    fn an_answer_out_of_order_ends_the_check() {
        let mut check = started(ConnectionKind::Google);
        let Step::Failed { error } = check.resume(Input::Timer, at(T0)) else {
            panic!()
        };
        assert_eq!(error.code, "unexpectedInput");
        let mut twice = started(ConnectionKind::Google);
        assert!(matches!(twice.start(at(T0)), Step::Failed { .. }));
    }
}
