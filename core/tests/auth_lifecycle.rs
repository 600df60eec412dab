//! Token lifecycle: skew, single-flight, proactive refresh, stuck refreshes,
//! failures, and Microsoft's fixed 24 h refresh-token lifetime.

use inlay_core::auth::*;
use inlay_core::auth::{OAuthClient, OAuthProvider, TokenError, TokenSet};
use inlay_core::http::HttpRequest;
use inlay_core::provider::Disposition;

const T0: u64 = 1_800_000_000_000;
const MIN: u64 = 60_000;
const HOUR: u64 = 60 * MIN;

fn google_client() -> OAuthClient {
    OAuthClient {
        client_id: "g".into(),
        client_secret: Some("s".into()),
    }
}

fn ms_client() -> OAuthClient {
    OAuthClient {
        client_id: "m".into(),
        client_secret: None,
    }
}

fn set(access: &str, now: u64, refresh: Option<&str>, rt_expiry: Option<u64>) -> TokenSet {
    TokenSet {
        access_token: access.into(),
        expires_at_ms: now + HOUR,
        refresh_token: refresh.map(str::to_string),
        refresh_token_expires_at_ms: rt_expiry,
        granted_scopes: vec![],
        id_claims: None,
        obtained_at_ms: now,
    }
}

fn google() -> TokenState {
    TokenState::new(
        OAuthProvider::Google,
        set("at1", T0, Some("rt1"), None),
        vec!["openid".into()],
    )
}

fn microsoft() -> TokenState {
    TokenState::new(
        OAuthProvider::Microsoft,
        set("at1", T0, Some("rt1"), Some(T0 + 24 * HOUR)),
        vec!["openid".into(), "offline_access".into(), "Mail.Send".into()],
    )
}

fn used(a: &Access) -> (&str, &Option<BackgroundRenewal>) {
    match a {
        Access::Use {
            access_token,
            background,
        } => (access_token, background),
        other => panic!("expected Use, got {other:?}"),
    }
}

fn refresh_id(a: &Access) -> (u32, &HttpRequest) {
    match a {
        Access::Refresh { id, request } => (*id, request),
        Access::Use {
            background: Some(BackgroundRenewal::Refresh { id, request }),
            ..
        } => (*id, request),
        other => panic!("expected a refresh, got {other:?}"),
    }
}

fn endpoint_error(d: Disposition) -> TokenError {
    TokenError::Endpoint {
        disposition: d,
        message: "m".into(),
    }
}

#[test]
fn fresh_token_is_used_as_is() {
    let mut s = google();
    let a = s.access(&google_client(), T0 + MIN);
    assert_eq!(used(&a), ("at1", &None));
    assert_eq!(s.renewal, None);
}

#[test]
fn clock_skew_treats_the_token_as_expired_60s_early() {
    let mut s = google();
    let expiry = T0 + HOUR;
    assert!(s.access_token_usable(expiry - CLOCK_SKEW_MS - 1));
    assert!(!s.access_token_usable(expiry - CLOCK_SKEW_MS));
    let a = s.access(&google_client(), expiry - 30_000);
    assert!(matches!(a, Access::Refresh { .. }), "{a:?}");
}

#[test]
fn proactive_refresh_in_background_while_still_usable() {
    let mut s = google();
    let now = T0 + HOUR - 4 * MIN;
    let a = s.access(&google_client(), now);
    let (token, background) = used(&a);
    assert_eq!(token, "at1");
    let Some(BackgroundRenewal::Refresh { request, .. }) = background else {
        panic!("{a:?}")
    };
    let body = request.body.as_deref().unwrap();
    assert!(body.contains("grant_type=refresh_token") && body.contains("refresh_token=rt1"));
    assert!(!request.url.contains("rt1"));
    // The next caller just uses the token: one refresh at a time.
    assert_eq!(used(&s.access(&google_client(), now + 1)), ("at1", &None));
}

#[test]
fn fifty_concurrent_callers_get_exactly_one_refresh() {
    let mut s = google();
    let now = T0 + 2 * HOUR;
    let results: Vec<Access> = (0..50)
        .map(|i| s.access(&google_client(), now + i))
        .collect();
    let refreshes = results
        .iter()
        .filter(|a| matches!(a, Access::Refresh { .. }))
        .count();
    let waits = results
        .iter()
        .filter(|a| matches!(a, Access::Wait { .. }))
        .count();
    assert_eq!((refreshes, waits), (1, 49));
    assert!(matches!(results[0], Access::Refresh { .. }));

    // The refresh lands: everyone uses the new token.
    let (id, _) = refresh_id(&results[0]);
    s.on_refresh_result(id, now + 500, Ok(set("at2", now + 500, None, None)), 0);
    for _ in 0..5 {
        assert_eq!(used(&s.access(&google_client(), now + 600)), ("at2", &None));
    }
    assert_eq!(
        s.refresh_token.as_deref(),
        Some("rt1"),
        "no rotation: the old refresh token stays"
    );
}

#[test]
fn rotated_refresh_token_replaces_the_old_one() {
    let mut s = google();
    let now = T0 + 2 * HOUR;
    let (id, _) = refresh_id(&s.access(&google_client(), now));
    s.on_refresh_result(id, now, Ok(set("at2", now, Some("rt2"), None)), 0);
    assert_eq!(s.refresh_token.as_deref(), Some("rt2"));
    let later = now + 2 * HOUR;
    let a = s.access(&google_client(), later);
    let (_, request) = refresh_id(&a);
    assert!(
        request
            .body
            .as_deref()
            .unwrap()
            .contains("refresh_token=rt2")
    );
}

#[test]
fn stuck_refresh_can_start_again_after_30s() {
    let mut s = google();
    let now = T0 + 2 * HOUR;
    let (first, _) = refresh_id(&s.access(&google_client(), now));
    assert!(matches!(
        s.access(&google_client(), now + STUCK_REFRESH_MS),
        Access::Wait { .. }
    ));
    let again = s.access(&google_client(), now + STUCK_REFRESH_MS + 1);
    let (second, _) = refresh_id(&again);
    assert_ne!(first, second);

    // The lost one fails late: ignored, the new one is in charge.
    let late_error = endpoint_error(Disposition::Reauthenticate {
        code: "grantInvalid".into(),
        message: "x".into(),
    });
    s.on_refresh_result(first, now + 40_000, Err(late_error), 0);
    assert_eq!(s.problem, None);
    assert!(matches!(
        s.access(&google_client(), now + 40_001),
        Access::Wait { .. }
    ));

    // A late success with a newer token is still taken.
    s.on_refresh_result(
        first,
        now + 41_000,
        Ok(set("at-late", now + 41_000, None, None)),
        0,
    );
    assert_eq!(used(&s.access(&google_client(), now + 41_001)).0, "at-late");
    // The current one completes too.
    s.on_refresh_result(
        second,
        now + 42_000,
        Ok(set("at-current", now + 42_000, None, None)),
        0,
    );
    assert_eq!(s.renewal, None);
    assert_eq!(
        used(&s.access(&google_client(), now + 42_001)).0,
        "at-current"
    );
}

#[test]
fn transient_failure_backs_off_then_retries() {
    let mut s = google();
    let now = T0 + 2 * HOUR;
    let (id, _) = refresh_id(&s.access(&google_client(), now));
    let err = endpoint_error(Disposition::RetryAfter {
        after_ms: 5_000,
        reason: "Google is busy".into(),
    });
    s.on_refresh_result(id, now + 100, Err(err), u32::MAX);
    match s.access(&google_client(), now + 200) {
        Access::RetryAt { at_ms, reason } => {
            assert!(at_ms >= now + 100 + 5_000, "Retry-After honoured");
            assert_eq!(reason, "Google is busy");
        }
        other => panic!("{other:?}"),
    }
    let at = s.retry_not_before_ms.unwrap();
    assert!(matches!(
        s.access(&google_client(), at),
        Access::Refresh { .. }
    ));
    assert_eq!(s.failures, 1);
}

#[test]
fn transient_failures_keep_retrying_at_the_cap() {
    let mut s = google();
    let mut now = T0 + 2 * HOUR;
    for _ in 0..20 {
        let (id, _) = refresh_id(&s.access(&google_client(), now));
        s.on_refresh_result(
            id,
            now,
            Err(endpoint_error(Disposition::RetryAfter {
                after_ms: 0,
                reason: "offline".into(),
            })),
            u32::MAX,
        );
        let at = s.retry_not_before_ms.unwrap();
        assert!(at - now <= inlay_core::backoff::Backoff::PROVIDER.max_ms);
        now = at;
    }
    assert_eq!(
        s.problem, None,
        "a long outage never turns into a sign-in request"
    );
    // Success resets the failure count.
    let (id, _) = refresh_id(&s.access(&google_client(), now));
    s.on_refresh_result(id, now, Ok(set("at9", now, None, None)), 0);
    assert_eq!((s.failures, s.retry_not_before_ms), (0, None));
}

#[test]
fn failure_while_token_still_usable_keeps_using_it() {
    let mut s = google();
    let now = T0 + HOUR - 4 * MIN;
    let (id, _) = refresh_id(&s.access(&google_client(), now));
    s.on_refresh_result(
        id,
        now,
        Err(endpoint_error(Disposition::RetryAfter {
            after_ms: 60_000,
            reason: "x".into(),
        })),
        0,
    );
    assert_eq!(used(&s.access(&google_client(), now + 1)), ("at1", &None));
}

#[test]
fn invalid_grant_asks_the_user_and_stays_that_way() {
    let mut s = google();
    let now = T0 + 2 * HOUR;
    let (id, _) = refresh_id(&s.access(&google_client(), now));
    let err = endpoint_error(Disposition::Reauthenticate {
        code: "tokenRevoked".into(),
        message: "Google ended Inlay's access.".into(),
    });
    s.on_refresh_result(id, now, Err(err), 0);
    for t in [now, now + HOUR] {
        match s.access(&google_client(), t) {
            Access::Reauthenticate { code, message } => {
                assert_eq!(code, "tokenRevoked");
                assert!(message.contains("ended"));
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn client_misconfiguration_fails_without_reauth() {
    let mut s = google();
    let now = T0 + 2 * HOUR;
    let (id, _) = refresh_id(&s.access(&google_client(), now));
    s.on_refresh_result(
        id,
        now,
        Err(endpoint_error(Disposition::Fail {
            code: "clientMisconfigured".into(),
            message: "m".into(),
        })),
        0,
    );
    assert!(
        matches!(s.access(&google_client(), now), Access::Failed { ref code, .. } if code == "clientMisconfigured")
    );
}

#[test]
fn unusable_refresh_response_requires_sign_in() {
    let mut s = google();
    let now = T0 + 2 * HOUR;
    let (id, _) = refresh_id(&s.access(&google_client(), now));
    let err = TokenError::ScopesNotGranted {
        missing: vec!["x".into()],
        message: "Missing permission.".into(),
    };
    s.on_refresh_result(id, now, Err(err), 0);
    assert!(
        matches!(s.access(&google_client(), now), Access::Reauthenticate { ref code, .. } if code == "scopesNotGranted")
    );
}

#[test]
fn no_refresh_token_means_sign_in_at_expiry() {
    let mut s = TokenState::new(OAuthProvider::Google, set("at1", T0, None, None), vec![]);
    // Near expiry with no way to renew: keep using it.
    assert_eq!(
        used(&s.access(&google_client(), T0 + HOUR - 2 * MIN)),
        ("at1", &None)
    );
    match s.access(&google_client(), T0 + HOUR) {
        Access::Reauthenticate { code, message } => {
            assert_eq!(code, "noRefreshToken");
            assert!(message.contains("Google"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn api_401_forces_a_refresh() {
    let mut s = google();
    assert!(s.invalidate_access_token("at1"));
    assert!(matches!(
        s.access(&google_client(), T0 + MIN),
        Access::Refresh { .. }
    ));
}

#[test]
fn a_late_401_for_an_old_token_does_not_invalidate_the_new_one() {
    let mut s = google();
    // Five requests went out with at1; the first 401 invalidates it...
    assert!(s.invalidate_access_token("at1"));
    let (id, _) = refresh_id(&s.access(&google_client(), T0 + MIN));
    s.on_refresh_result(id, T0 + MIN, Ok(set("at2", T0 + MIN, None, None)), 0);
    // ...and the other four 401s, arriving after the refresh, change nothing.
    for _ in 0..4 {
        assert!(!s.invalidate_access_token("at1"));
    }
    assert_eq!(used(&s.access(&google_client(), T0 + 2 * MIN)).0, "at2");
}

#[test]
fn state_survives_a_worker_restart_mid_refresh() {
    let mut s = google();
    let now = T0 + 2 * HOUR;
    let (id, _) = refresh_id(&s.access(&google_client(), now));
    let saved = serde_json::to_string(&s).unwrap();
    assert!(
        saved.contains("\"renewal\":{\"kind\":\"refresh\""),
        "{saved}"
    );
    let mut restored: TokenState = serde_json::from_str(&saved).unwrap();
    assert!(matches!(
        restored.access(&google_client(), now + 1),
        Access::Wait { .. }
    ));
    restored.on_refresh_result(id, now + 2, Ok(set("at2", now + 2, None, None)), 0);
    assert_eq!(used(&restored.access(&google_client(), now + 3)).0, "at2");
}

// ---------------------------------------------------------------- Microsoft 24 h

#[test]
fn microsoft_refresh_keeps_the_fixed_24h_expiry() {
    let mut s = microsoft();
    let now = T0 + 2 * HOUR;
    let a = s.access(&ms_client(), now);
    let (id, request) = refresh_id(&a);
    assert!(
        request
            .body
            .as_deref()
            .unwrap()
            .contains("scope=openid+offline_access+Mail.Send")
    );
    // The refresh response states no refresh expiry: the original stays.
    s.on_refresh_result(id, now, Ok(set("at2", now, Some("rt2"), None)), 0);
    assert_eq!(s.refresh_token_expires_at_ms, Some(T0 + 24 * HOUR));
    assert_eq!(s.refresh_token.as_deref(), Some("rt2"));
    // Even if a response claimed a later one, it isn't extended.
    let later = now + 2 * HOUR;
    let (id, _) = refresh_id(&s.access(&ms_client(), later));
    s.on_refresh_result(
        id,
        later,
        Ok(set("at3", later, Some("rt3"), Some(later + 24 * HOUR))),
        0,
    );
    assert_eq!(s.refresh_token_expires_at_ms, Some(T0 + 24 * HOUR));
}

#[test]
fn microsoft_silent_reauthorize_before_the_24h_limit() {
    let mut s = microsoft();
    // Just before 23 h: a plain refresh.
    let before = T0 + 23 * HOUR - MIN;
    let a = s.access(&ms_client(), before);
    assert!(matches!(a, Access::Refresh { .. }), "{a:?}");
    let (id, _) = refresh_id(&a);
    s.on_refresh_result(id, before, Ok(set("at-fresh", before, None, None)), 0);
    // At 23 h with a fresh access token: silent re-authorization in the background.
    let at23 = T0 + 23 * HOUR;
    let a = s.access(&ms_client(), at23);
    let (token, background) = used(&a);
    assert_eq!(token, "at-fresh");
    let Some(BackgroundRenewal::SilentReauthorize { id }) = background else {
        panic!("{a:?}")
    };
    let id = *id;
    // Others keep using the token meanwhile; no second renewal.
    assert_eq!(used(&s.access(&ms_client(), at23 + 1)), ("at-fresh", &None));
    // It succeeds: a new 24 h window from the new sign-in.
    s.on_silent_reauthorize_result(
        id,
        Ok(set(
            "at-new",
            at23 + 5_000,
            Some("rt-new"),
            Some(at23 + 5_000 + 24 * HOUR),
        )),
    );
    assert_eq!(
        s.refresh_token_expires_at_ms,
        Some(at23 + 5_000 + 24 * HOUR)
    );
    assert_eq!(s.refresh_token.as_deref(), Some("rt-new"));
    assert_eq!(
        used(&s.access(&ms_client(), at23 + 6_000)),
        ("at-new", &None)
    );
}

#[test]
fn microsoft_silent_reauthorize_blocks_when_the_token_is_expired() {
    let mut s = microsoft();
    let at = T0 + 23 * HOUR + 30 * MIN; // access token long expired
    let a = s.access(&ms_client(), at);
    let Access::SilentReauthorize { id } = a else {
        panic!("{a:?}")
    };
    assert!(matches!(
        s.access(&ms_client(), at + 1),
        Access::Wait { .. }
    ));
    // Failure: only now ask the user.
    s.on_silent_reauthorize_result(id, Err("User interaction required.".into()));
    match s.access(&ms_client(), at + 2) {
        Access::Reauthenticate { code, message } => {
            assert_eq!(code, "silentRenewalFailed");
            assert!(message.contains("24 hours"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.last_error.as_deref(), Some("User interaction required."));
}

#[test]
fn microsoft_after_24h_tries_silent_before_asking() {
    let mut s = microsoft();
    let a = s.access(&ms_client(), T0 + 25 * HOUR);
    assert!(matches!(a, Access::SilentReauthorize { .. }), "{a:?}");
}

#[test]
fn stale_silent_result_is_ignored() {
    let mut s = microsoft();
    let at = T0 + 23 * HOUR + 30 * MIN;
    let Access::SilentReauthorize { id } = s.access(&ms_client(), at) else {
        panic!()
    };
    let a = s.access(&ms_client(), at + STUCK_SILENT_MS + 1);
    let Access::SilentReauthorize { id: id2 } = a else {
        panic!("{a:?}")
    };
    assert_ne!(id, id2);
    s.on_silent_reauthorize_result(id, Err("late".into()));
    assert_eq!(s.problem, None);
}

#[test]
fn access_serde_shape() {
    let mut s = google();
    let v = serde_json::to_value(s.access(&google_client(), T0 + HOUR - 4 * MIN)).unwrap();
    assert_eq!(v["kind"], "use");
    assert_eq!(v["accessToken"], "at1");
    assert_eq!(v["background"]["kind"], "refresh");
    assert!(v["background"]["request"]["url"].is_string());
    let v = serde_json::to_value(Access::RetryAt {
        at_ms: 1,
        reason: "r".into(),
    })
    .unwrap();
    assert_eq!(
        v,
        serde_json::json!({"kind": "retryAt", "atMs": 1, "reason": "r"})
    );
    let v = serde_json::to_value(&s).unwrap();
    assert!(v["expiresAtMs"].is_u64() && v.get("refreshTokenExpiresAtMs").is_some());
}

// ---------------------------------------------------------------- disconnect racing a renewal

/// The disconnected marker holds no token: none of `tokens` appears in it.
fn assert_holds_none(s: &TokenState, tokens: &[&str]) {
    let saved = serde_json::to_string(s).unwrap();
    for t in tokens {
        assert!(!saved.contains(t), "{t} is still in {saved}");
    }
}

#[test]
fn a_refresh_that_finishes_after_disconnect_is_discarded_and_its_google_token_revoked() {
    let mut s = google();
    let now = T0 + 2 * HOUR;
    let (id, _) = refresh_id(&s.access(&google_client(), now));
    s.disconnect();
    assert_holds_none(&s, &["at1", "rt1"]);
    // Google answers the refresh late, with a rotated refresh token.
    let result = s.on_refresh_result(id, now + 5_000, Ok(set("at2", now, Some("rt2"), None)), 0);
    let RenewalResult::Discard {
        revoke: Some(revoke),
    } = result
    else {
        panic!("expected a discard with a revocation, got {result:?}")
    };
    assert_eq!(revoke.url, "https://oauth2.googleapis.com/revoke");
    assert_eq!(
        revoke.body.as_deref(),
        Some("token=rt2"),
        "the refresh token ends the whole grant"
    );
    assert!(!revoke.url.contains("rt2"), "a token never goes in a URL");
    assert_holds_none(&s, &["at1", "rt1", "at2", "rt2"]);
    assert_eq!(s.renewal, None);
    assert!(matches!(
        s.access(&google_client(), now + 6_000),
        Access::Disconnected { .. }
    ));

    // Without a new refresh token, the new access token is the one revoked.
    let mut s = google();
    let (id, _) = refresh_id(&s.access(&google_client(), now));
    s.disconnect();
    let result = s.on_refresh_result(id, now + 1, Ok(set("at2", now, None, None)), 0);
    let RenewalResult::Discard {
        revoke: Some(revoke),
    } = result
    else {
        panic!("{result:?}")
    };
    assert_eq!(revoke.body.as_deref(), Some("token=at2"));
}

#[test]
fn a_refresh_finishing_before_disconnect_is_kept() {
    let mut s = google();
    let now = T0 + 2 * HOUR;
    let (id, _) = refresh_id(&s.access(&google_client(), now));
    let result = s.on_refresh_result(id, now + 1, Ok(set("at2", now, None, None)), 0);
    assert_eq!(result, RenewalResult::Keep);
    assert_eq!(used(&s.access(&google_client(), now + 2)).0, "at2");
}

#[test]
fn a_failed_refresh_after_disconnect_leaves_no_problem_and_revokes_nothing() {
    let mut s = google();
    let now = T0 + 2 * HOUR;
    let (id, _) = refresh_id(&s.access(&google_client(), now));
    s.disconnect();
    let failure = endpoint_error(Disposition::Reauthenticate {
        code: "invalidGrant".into(),
        message: "m".into(),
    });
    let result = s.on_refresh_result(id, now + 1, Err(failure), 0);
    assert_eq!(result, RenewalResult::Discard { revoke: None });
    assert_eq!(s.problem, None);
    assert!(matches!(
        s.access(&google_client(), now + 2),
        Access::Disconnected { .. }
    ));
}

#[test]
fn microsoft_renewals_after_disconnect_are_discarded_with_nothing_to_revoke() {
    // Microsoft has no revocation endpoint: the late tokens are only dropped.
    let mut s = microsoft();
    let now = T0 + 2 * HOUR;
    let (id, _) = refresh_id(&s.access(&ms_client(), now));
    s.disconnect();
    let result = s.on_refresh_result(id, now + 1, Ok(set("at2", now, Some("rt2"), None)), 0);
    assert_eq!(result, RenewalResult::Discard { revoke: None });
    assert_holds_none(&s, &["at2", "rt2"]);

    let mut s = microsoft();
    let at = T0 + 23 * HOUR + 30 * MIN;
    let Access::SilentReauthorize { id } = s.access(&ms_client(), at) else {
        panic!()
    };
    s.disconnect();
    let result =
        s.on_silent_reauthorize_result(id, Ok(set("at3", at, Some("rt3"), Some(at + 24 * HOUR))));
    assert_eq!(result, RenewalResult::Discard { revoke: None });
    assert_holds_none(&s, &["at3", "rt3"]);
    assert!(matches!(
        s.access(&ms_client(), at + 1),
        Access::Disconnected { .. }
    ));
}

#[test]
fn a_state_stored_before_the_disconnect_marker_existed_still_loads() {
    let mut v = serde_json::to_value(google()).unwrap();
    v.as_object_mut().unwrap().remove("disconnected");
    let s: TokenState = serde_json::from_value(v).unwrap();
    assert!(!s.disconnected);
}

#[test]
fn a_refresh_from_before_a_disconnect_and_new_sign_in_never_lands_on_the_new_tokens() {
    // Microsoft: a slow refresh of the old sign-in, then Disconnect, then a new sign-in.
    let mut old = microsoft();
    let now = T0 + 2 * HOUR;
    let (old_id, _) = refresh_id(&old.access(&ms_client(), now));
    old.disconnect();
    let signed_in = now + 10_000;
    let mut new = TokenState::new(
        OAuthProvider::Microsoft,
        set(
            "new-at",
            signed_in,
            Some("new-rt"),
            Some(signed_in + 24 * HOUR),
        ),
        vec!["openid".into(), "offline_access".into(), "Mail.Send".into()],
    );
    // The new sign-in refreshes too, so a renewal is in flight when the old one answers.
    let (new_id, _) = refresh_id(&new.access(&ms_client(), signed_in + 2 * HOUR));
    assert_ne!(new_id, old_id, "tickets of two sign-ins differ");
    // The old refresh's answer reaches the state that is now in place: ignored,
    // even with a later expiry (it belongs to the old sign-in, not a stuck renewal).
    let late = set("old-at2", signed_in + 3 * HOUR, Some("old-rt2"), None);
    assert_eq!(
        new.on_refresh_result(old_id, signed_in + 3 * HOUR, Ok(late), 0),
        RenewalResult::Keep
    );
    assert_holds_none(&new, &["old-at2", "old-rt2"]);
    assert_eq!(new.refresh_token.as_deref(), Some("new-rt"));
    // Its own renewal still applies.
    let own = set("new-at2", signed_in + 3 * HOUR, Some("new-rt2"), None);
    new.on_refresh_result(new_id, signed_in + 3 * HOUR, Ok(own), 0);
    assert_eq!(new.refresh_token.as_deref(), Some("new-rt2"));
}

/// The caller's loop limits are the core's (they were tokens.ts's "10
/// rounds, 1 s wait, 60 s later").
#[test]
fn a_renewal_that_cannot_be_joined_is_asked_about_again_a_second_later() {
    let mut s = google();
    let now = T0 + 2 * HOUR;
    refresh_id(&s.access(&google_client(), now));
    assert_eq!(
        s.access_round(&google_client(), 1, now + 5),
        Access::Wait {
            until_ms: now + 5 + JOIN_WAIT_MS
        }
    );
    assert_eq!(JOIN_WAIT_MS, 1_000);
}

#[test]
fn the_last_round_gives_up_for_a_minute_without_touching_the_state() {
    let mut s = google();
    let now = T0 + 2 * HOUR;
    let before = s.clone();
    let Access::RetryAt { at_ms, reason } = s.access_round(&google_client(), ACCESS_ROUNDS, now)
    else {
        panic!()
    };
    assert_eq!(at_ms, now + ACCESS_GIVE_UP_MS);
    assert_eq!(
        reason,
        "Signing in to Google is taking too long; Inlay will try again shortly."
    );
    assert_eq!(s, before);
    assert_eq!((ACCESS_ROUNDS, ACCESS_GIVE_UP_MS), (10, 60_000));
    // The round before the last still renews.
    refresh_id(&s.access_round(&google_client(), ACCESS_ROUNDS - 1, now));
}
