//! Classifying Gmail, Graph and token-endpoint answers.

mod support;

use inlay_core::backoff::Backoff;
use inlay_core::http::{HttpResponse, TransportFailure};
use inlay_core::provider::{
    Api, Attempt, Disposition, Outcome, classify, classify_response, parse_retry_after,
};
use support::http_response;

/// 2015-10-21T07:28:00Z in unix ms.
const OCT_21_2015: u64 = 1_445_412_480_000;
const NOW: u64 = OCT_21_2015 - 90_000;
const B: Backoff = Backoff {
    base_ms: 1_000,
    max_ms: 32_000,
    max_attempts: 5,
    max_wait_ms: None,
};

fn first() -> Attempt {
    Attempt {
        number: 0,
        after_refresh: false,
        now_ms: NOW,
        jitter: u32::MAX,
    }
}

fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    http_response(status, headers, body)
}

fn c(api: Api, r: &HttpResponse) -> Disposition {
    let d = classify_response(api, r, &first(), &B);
    check_sentences(&d);
    d
}

/// Every Fail / Reauthenticate carries a real sentence; retries a reason.
fn check_sentences(d: &Disposition) {
    match d {
        Disposition::Fail { code, message } | Disposition::Reauthenticate { code, message } => {
            assert!(!code.is_empty());
            assert!(
                message.len() > 30 && message.ends_with(['.', '"']),
                "thin message: {message:?}"
            );
        }
        Disposition::RetryAfter { reason, .. } => assert!(!reason.is_empty()),
        _ => {}
    }
}

fn gmail_error(code: u16, reason: &str, message: &str) -> String {
    serde_json::json!({"error": {"code": code, "message": message, "errors": [{"domain": "usageLimits", "reason": reason, "message": message}]}}).to_string()
}

fn graph_error(code: &str, message: &str) -> String {
    serde_json::json!({"error": {"code": code, "message": message, "innerError": {"date": "2026-01-01T00:00:00", "request-id": "r"}}}).to_string()
}

fn token_error(error: &str, description: &str) -> String {
    serde_json::json!({"error": error, "error_description": description}).to_string()
}

fn retry_ms(d: &Disposition) -> u64 {
    match d {
        Disposition::RetryAfter { after_ms, .. } => *after_ms,
        other => panic!("expected a retry, got {other:?}"),
    }
}

fn fail_code(d: &Disposition) -> &str {
    match d {
        Disposition::Fail { code, .. } => code,
        other => panic!("expected Fail, got {other:?}"),
    }
}

fn reauth_code(d: &Disposition) -> &str {
    match d {
        Disposition::Reauthenticate { code, .. } => code,
        other => panic!("expected Reauthenticate, got {other:?}"),
    }
}

// ---------------------------------------------------------------- Gmail

#[test]
fn gmail_success_statuses() {
    for s in [200, 202, 204] {
        assert_eq!(c(Api::Gmail, &resp(s, &[], "{}")), Disposition::Success);
    }
}

#[test]
fn gmail_401_refreshes_once_then_reauthenticates() {
    let r = resp(
        401,
        &[],
        &gmail_error(401, "authError", "Invalid Credentials"),
    );
    assert_eq!(c(Api::Gmail, &r), Disposition::RefreshToken);
    let after = Attempt {
        after_refresh: true,
        ..first()
    };
    let d = classify_response(Api::Gmail, &r, &after, &B);
    check_sentences(&d);
    assert_eq!(reauth_code(&d), "tokenRejected");
}

#[test]
fn gmail_403_rate_limits_back_off() {
    for reason in [
        "dailyLimitExceeded",
        "userRateLimitExceeded",
        "rateLimitExceeded",
    ] {
        let d = c(
            Api::Gmail,
            &resp(403, &[], &gmail_error(403, reason, "Rate Limit Exceeded")),
        );
        assert!(
            retry_ms(&d) <= B.base_ms,
            "first retry is within the first backoff ceiling"
        );
        let Disposition::RetryAfter { reason: why, .. } = &d else {
            unreachable!()
        };
        assert!(why.contains(reason), "{why}");
    }
}

#[test]
fn gmail_403_policy_and_permissions() {
    let d = c(
        Api::Gmail,
        &resp(
            403,
            &[],
            &gmail_error(
                403,
                "domainPolicy",
                "The domain administrators have disabled Gmail apps.",
            ),
        ),
    );
    assert_eq!(fail_code(&d), "adminBlocked");
    let d = c(
        Api::Gmail,
        &resp(
            403,
            &[],
            &gmail_error(403, "insufficientPermissions", "Insufficient Permission"),
        ),
    );
    assert_eq!(reauth_code(&d), "missingScope");
    // The newer google.rpc shape.
    let body = serde_json::json!({"error": {"code": 403, "message": "Request had insufficient authentication scopes.", "status": "PERMISSION_DENIED",
        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com"}]}});
    assert_eq!(
        reauth_code(&c(Api::Gmail, &resp(403, &[], &body.to_string()))),
        "missingScope"
    );
    let d = c(
        Api::Gmail,
        &resp(
            403,
            &[],
            &gmail_error(403, "forbidden", "Delegation denied for ada@example.com"),
        ),
    );
    assert_eq!(fail_code(&d), "forbidden");
    let Disposition::Fail { message, .. } = &d else {
        unreachable!()
    };
    assert!(
        message.contains("Delegation denied"),
        "the provider's message is passed on"
    );
}

#[test]
fn gmail_429_honours_retry_after_seconds_and_dates() {
    let d = c(
        Api::Gmail,
        &resp(
            429,
            &[("retry-after", "120")],
            &gmail_error(429, "rateLimitExceeded", "User-rate limit exceeded."),
        ),
    );
    assert_eq!(
        retry_ms(&d),
        120_000,
        "Retry-After above the jittered delay wins"
    );
    let d = c(
        Api::Gmail,
        &resp(429, &[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")], ""),
    );
    assert_eq!(retry_ms(&d), 90_000);
    // Retry-After beyond the cap is still honoured (Gmail limits can last hours).
    let d = c(Api::Gmail, &resp(429, &[("Retry-After", "7200")], ""));
    assert_eq!(retry_ms(&d), 7_200_000);
    // No header: plain backoff.
    let d = c(Api::Gmail, &resp(429, &[], ""));
    assert!(retry_ms(&d) <= B.ceiling(0));
}

#[test]
fn gmail_5xx_retry_and_other_4xx_fail() {
    for s in [500, 502, 503, 504] {
        retry_ms(&c(Api::Gmail, &resp(s, &[], "")));
    }
    let d = c(
        Api::Gmail,
        &resp(
            400,
            &[],
            &gmail_error(400, "failedPrecondition", "Mail service not enabled"),
        ),
    );
    assert_eq!(fail_code(&d), "rejected");
    let Disposition::Fail { message, .. } = &d else {
        unreachable!()
    };
    assert!(message.contains("Mail service not enabled"));
    assert_eq!(
        fail_code(&c(
            Api::Gmail,
            &resp(
                404,
                &[],
                &gmail_error(404, "notFound", "Requested entity was not found.")
            )
        )),
        "notFound"
    );
    assert_eq!(fail_code(&c(Api::Gmail, &resp(302, &[], ""))), "rejected");
}

// ---------------------------------------------------------------- Graph

#[test]
fn graph_classification() {
    let r = resp(
        401,
        &[],
        &graph_error(
            "InvalidAuthenticationToken",
            "Access token has expired or is not yet valid.",
        ),
    );
    assert_eq!(c(Api::Graph, &r), Disposition::RefreshToken);
    let d = classify_response(
        Api::Graph,
        &r,
        &Attempt {
            after_refresh: true,
            ..first()
        },
        &B,
    );
    assert_eq!(reauth_code(&d), "tokenRejected");

    assert_eq!(
        fail_code(&c(
            Api::Graph,
            &resp(
                403,
                &[],
                &graph_error(
                    "ErrorAccessDenied",
                    "Access is denied. Check credentials and try again."
                )
            )
        )),
        "accessDenied"
    );
    assert_eq!(
        fail_code(&c(
            Api::Graph,
            &resp(
                404,
                &[],
                &graph_error(
                    "ErrorItemNotFound",
                    "The specified object was not found in the store."
                )
            )
        )),
        "notFound"
    );

    let d = c(
        Api::Graph,
        &resp(
            429,
            &[("retry-after", "10")],
            &graph_error(
                "ApplicationThrottled",
                "Application is over its MailboxConcurrency limit.",
            ),
        ),
    );
    assert_eq!(retry_ms(&d), 10_000);
    let Disposition::RetryAfter { reason, .. } = &d else {
        unreachable!()
    };
    assert!(reason.contains("ApplicationThrottled"), "{reason}");
    let d = c(
        Api::Graph,
        &resp(
            429,
            &[("retry-after", "3")],
            &graph_error(
                "MailboxConcurrency",
                "Application is over its MailboxConcurrency limit.",
            ),
        ),
    );
    assert_eq!(retry_ms(&d), 3_000);

    let d = c(Api::Graph, &resp(503, &[("retry-after", "20")], ""));
    assert_eq!(retry_ms(&d), 20_000);
    retry_ms(&c(Api::Graph, &resp(504, &[], "")));

    let d = c(
        Api::Graph,
        &resp(
            400,
            &[],
            &graph_error(
                "ErrorMimeContentInvalidBase64String",
                "Invalid base64 string for MIME content.",
            ),
        ),
    );
    assert_eq!(fail_code(&d), "rejected");
}

// ---------------------------------------------------------------- token endpoints

#[test]
fn token_invalid_grant_reasons() {
    let cases: &[(Api, &str, &str)] = &[
        (
            Api::GoogleToken,
            "Token has been expired or revoked.",
            "tokenRevoked",
        ),
        (
            Api::GoogleToken,
            "Account has been deleted",
            "accountDeleted",
        ),
        (Api::GoogleToken, "Bad Request", "grantInvalid"),
        (
            Api::MicrosoftToken,
            "AADSTS700084: The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended.",
            "refreshTokenExpired",
        ),
        (
            Api::MicrosoftToken,
            "AADSTS700082: The refresh token has expired due to inactivity.",
            "refreshTokenInactive",
        ),
        (
            Api::MicrosoftToken,
            "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed.",
            "credentialsChanged",
        ),
        (
            Api::MicrosoftToken,
            "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication.",
            "mfaRequired",
        ),
        (
            Api::MicrosoftToken,
            "AADSTS50079: Due to a configuration change made by your administrator, you must enroll in multi-factor authentication.",
            "mfaRequired",
        ),
        (
            Api::MicrosoftToken,
            "AADSTS65001: The user or administrator has not consented to use the application.",
            "consentRevoked",
        ),
        (
            Api::MicrosoftToken,
            "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.",
            "codeExpired",
        ),
        (
            Api::MicrosoftToken,
            "AADSTS53003: Access has been blocked by Conditional Access policies.",
            "conditionalAccess",
        ),
        (
            Api::MicrosoftToken,
            "AADSTS999999: something new",
            "grantInvalid",
        ),
    ];
    for (api, description, code) in cases {
        let d = c(
            *api,
            &resp(400, &[], &token_error("invalid_grant", description)),
        );
        assert_eq!(reauth_code(&d), *code, "{description}");
    }
    // error_codes without the code in the text, and interaction_required.
    let body = serde_json::json!({"error": "invalid_grant", "error_description": "expired", "error_codes": [700084]}).to_string();
    assert_eq!(
        reauth_code(&c(Api::MicrosoftToken, &resp(400, &[], &body))),
        "refreshTokenExpired"
    );
    let d = c(
        Api::MicrosoftToken,
        &resp(
            400,
            &[],
            &token_error("interaction_required", "AADSTS50076: MFA"),
        ),
    );
    assert_eq!(reauth_code(&d), "mfaRequired");
}

#[test]
fn token_client_misconfiguration_fails_for_the_admin() {
    let cases = [
        (
            Api::GoogleToken,
            401,
            token_error("invalid_client", "The OAuth client was not found."),
        ),
        (
            Api::GoogleToken,
            400,
            token_error("invalid_request", "client_secret is missing."),
        ),
        (
            Api::GoogleToken,
            400,
            token_error("unauthorized_client", "Unauthorized"),
        ),
        (
            Api::MicrosoftToken,
            400,
            token_error(
                "invalid_request",
                "AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.",
            ),
        ),
        (
            Api::MicrosoftToken,
            400,
            token_error(
                "invalid_client",
                "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            ),
        ),
    ];
    for (api, s, body) in cases {
        let d = c(api, &resp(s, &[], &body));
        assert_eq!(fail_code(&d), "clientMisconfigured", "{body}");
        let Disposition::Fail { message, .. } = &d else {
            unreachable!()
        };
        assert!(message.contains("administrator"));
    }
}

#[test]
fn token_endpoint_transient_and_unknown() {
    retry_ms(&c(Api::GoogleToken, &resp(500, &[], "")));
    retry_ms(&c(
        Api::MicrosoftToken,
        &resp(429, &[("retry-after", "5")], ""),
    ));
    retry_ms(&c(
        Api::MicrosoftToken,
        &resp(
            400,
            &[],
            &token_error("temporarily_unavailable", "AADSTS90033"),
        ),
    ));
    let d = c(
        Api::GoogleToken,
        &resp(
            400,
            &[],
            &token_error("invalid_request", "Missing required parameter: code"),
        ),
    );
    assert_eq!(fail_code(&d), "tokenRequestFailed");
    let d = c(Api::GoogleToken, &resp(400, &[], "not json"));
    assert_eq!(fail_code(&d), "tokenRequestFailed");
}

// ---------------------------------------------------------------- transport and exhaustion

#[test]
fn transport_failures_retry_with_backoff() {
    for failure in [TransportFailure::Network, TransportFailure::Timeout] {
        let o = Outcome::Transport { failure };
        for n in 0..B.max_attempts {
            let a = Attempt {
                number: n,
                ..first()
            };
            let d = classify(Api::Gmail, &o, &a, &B);
            assert_eq!(retry_ms(&d), B.delay(n, u32::MAX, None).unwrap());
        }
        let d = classify(
            Api::Graph,
            &o,
            &Attempt {
                number: B.max_attempts,
                ..first()
            },
            &B,
        );
        check_sentences(&d);
        assert_eq!(fail_code(&d), "retriesExhausted");
    }
    let o = Outcome::Response {
        response: resp(200, &[], ""),
    };
    assert_eq!(classify(Api::Graph, &o, &first(), &B), Disposition::Success);
}

#[test]
fn exhausted_retries_fail_even_with_retry_after() {
    let a = Attempt {
        number: B.max_attempts,
        ..first()
    };
    let d = classify_response(Api::Graph, &resp(429, &[("retry-after", "1")], ""), &a, &B);
    assert_eq!(fail_code(&d), "retriesExhausted");
}

// ---------------------------------------------------------------- Retry-After parsing

#[test]
fn retry_after_formats() {
    assert_eq!(parse_retry_after("0", NOW), Some(0));
    assert_eq!(parse_retry_after(" 5 ", NOW), Some(5_000));
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", NOW),
        Some(90_000)
    );
    // The obsolete forms RFC 9110 still requires recipients to accept.
    assert_eq!(
        parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", NOW),
        Some(90_000)
    );
    assert_eq!(
        parse_retry_after("Wed Oct 21 07:28:00 2015", NOW),
        Some(90_000)
    );
    // A date in the past means "now".
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", OCT_21_2015 + 1),
        Some(0)
    );
    assert_eq!(parse_retry_after("soon", NOW), None);
    assert_eq!(parse_retry_after("-5", NOW), None);
    assert_eq!(parse_retry_after("", NOW), None);
    assert_eq!(
        parse_retry_after("99999999999999999999999", NOW),
        Some(u64::MAX)
    );
}

#[test]
fn disposition_serde_shape() {
    let d = Disposition::RetryAfter {
        after_ms: 5,
        reason: "r".into(),
    };
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"kind": "retryAfter", "afterMs": 5, "reason": "r"})
    );
    assert_eq!(
        serde_json::to_value(Disposition::RefreshToken).unwrap(),
        serde_json::json!({"kind": "refreshToken"})
    );
    let o: Outcome =
        serde_json::from_value(serde_json::json!({"kind": "transport", "failure": "timeout"}))
            .unwrap();
    assert_eq!(
        o,
        Outcome::Transport {
            failure: TransportFailure::Timeout
        }
    );
    let a: Attempt = serde_json::from_value(
        serde_json::json!({"number": 1, "afterRefresh": true, "nowMs": 3, "jitter": 4}),
    )
    .unwrap();
    assert!(a.after_refresh);
}
