//! Optional features and their scopes: what each feature asks of Google and
//! Microsoft, the incremental authorization that adds one to a connected
//! inbox, and the disclosure shown before it.

mod support;

use inlay_core::accounts::ConnectionState;
use inlay_core::auth::*;
use inlay_core::connect::*;
use inlay_core::detect::ConnectionKind;
use inlay_core::machine::{Input, Machine, Moment, NoQuestion};
use serde_json::{Value, json};
use support::{GOOGLE_ID, connect_input, google_client, http_response, ms_client, query};
use url::Url;

const EXT: &str = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/";
const T0: u64 = 1_800_000_000_000;
const SEND: &str = "https://www.googleapis.com/auth/gmail.send";
const SETTINGS: &str = "https://www.googleapis.com/auth/gmail.settings.basic";
const METADATA: &str = "https://www.googleapis.com/auth/gmail.metadata";

fn names(scopes: &[ScopeInfo]) -> Vec<&str> {
    scopes.iter().map(|s| s.scope.as_str()).collect()
}

fn optional(feature: OptionalFeature) -> OptionalFeatures {
    OptionalFeatures::default().with(feature, true)
}

fn features(provider: OAuthProvider, feature: OptionalFeature) -> Features {
    features_with(provider, &optional(feature)).unwrap()
}

/// The scopes of the first connect, as the token state stores them.
fn first_grant(provider: OAuthProvider) -> Vec<String> {
    scopes_for(provider, &features_for(provider))
        .into_iter()
        .map(|s| s.scope)
        .collect()
}

#[test]
fn the_first_connect_asks_for_no_read_or_draft_scope() {
    let google = first_grant(OAuthProvider::Google);
    assert_eq!(google, ["openid", "email", "profile", SEND, SETTINGS]);
    let microsoft = first_grant(OAuthProvider::Microsoft);
    for read in ["Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"] {
        assert!(!microsoft.iter().any(|s| s == read), "{microsoft:?}");
    }
    assert!(microsoft.iter().any(|s| s == "Mail.Send"));
}

#[test]
fn each_feature_adds_its_own_scope() {
    use OptionalFeature::*;
    let g = scopes_for(
        OAuthProvider::Google,
        &features(OAuthProvider::Google, SentCheck),
    );
    let metadata = g
        .iter()
        .find(|s| s.scope == METADATA)
        .expect("gmail.metadata");
    assert_eq!(metadata.google_review, Some(GoogleReview::Restricted));
    assert!(metadata.required_for_feature);
    assert_eq!(g.len(), first_grant(OAuthProvider::Google).len() + 1);

    let m = scopes_for(
        OAuthProvider::Microsoft,
        &features(OAuthProvider::Microsoft, SentCheck),
    );
    assert!(names(&m).contains(&"Mail.ReadBasic"));
    assert!(!names(&m).contains(&"Mail.ReadWrite"));
    let m = scopes_for(
        OAuthProvider::Microsoft,
        &features(OAuthProvider::Microsoft, ScheduledDelivery),
    );
    assert!(names(&m).contains(&"Mail.ReadWrite"));
    assert!(!names(&m).contains(&"Mail.ReadBasic"));

    // Gmail can't deliver later by itself: refused in words, nothing asked.
    let e = features_with(OAuthProvider::Google, &optional(ScheduledDelivery)).unwrap_err();
    assert_eq!(e.code, "notAvailable");
    assert!(e.message.contains("browser is open"), "{}", e.message);
}

#[test]
fn a_token_state_reads_its_features_back_from_its_scopes() {
    let tokens = |provider, scopes: Vec<String>| {
        let set = TokenSet {
            access_token: "a".into(),
            expires_at_ms: T0 + 3_600_000,
            refresh_token: Some("r".into()),
            refresh_token_expires_at_ms: None,
            granted_scopes: scopes.clone(),
            id_claims: None,
            obtained_at_ms: T0,
        };
        TokenState::new(provider, set, scopes)
    };
    let plain = tokens(OAuthProvider::Google, first_grant(OAuthProvider::Google)).features();
    assert!(plain.send && !plain.sent_check && !plain.scheduled_delivery);
    let mut with = first_grant(OAuthProvider::Google);
    with.push(METADATA.into());
    let on = tokens(OAuthProvider::Google, with).features();
    assert!(on.sent_check && !on.scheduled_delivery);
    let mut ms = first_grant(OAuthProvider::Microsoft);
    ms.push("https://graph.microsoft.com/Mail.ReadWrite".into());
    let on = tokens(OAuthProvider::Microsoft, ms).features();
    assert!(on.scheduled_delivery && !on.sent_check);
}

fn params(
    provider: OAuthProvider,
    features: Features,
    already: Vec<String>,
) -> AuthorizationParams {
    AuthorizationParams {
        provider,
        client: match provider {
            OAuthProvider::Google => google_client(),
            OAuthProvider::Microsoft => ms_client(),
        },
        redirect_uri: format!("{EXT}{}", provider.redirect_segment()),
        login_hint: Some("ada@example.com".into()),
        features,
        interactive: true,
        already_granted: already,
    }
}

fn secrets() -> AuthorizationSecrets {
    AuthorizationSecrets::from_random(&[1; 32], &[2; 32], &[3; 32])
}

#[test]
fn adding_a_google_feature_asks_only_for_the_new_scope_and_the_union() {
    let f = features(OAuthProvider::Google, OptionalFeature::SentCheck);
    let plan = plan_authorization(
        &params(OAuthProvider::Google, f, first_grant(OAuthProvider::Google)),
        &secrets(),
        T0,
    )
    .unwrap();
    let q = query(&plan.url);
    // The identity scopes (an ID token for the account check) and the new one.
    assert_eq!(q["scope"], format!("openid email profile {METADATA}"));
    assert_eq!(q["include_granted_scopes"], "true");
    assert_eq!(q["access_type"], "offline");
    assert_eq!(q["prompt"], "consent");
    // The new token must still hold what was granted before.
    for scope in [SEND, SETTINGS, METADATA] {
        assert!(
            plan.pending.required_scopes.iter().any(|s| s == scope),
            "{scope}"
        );
    }

    // The first connect: exactly the listed scopes, no union.
    let first = plan_authorization(
        &params(
            OAuthProvider::Google,
            features_for(OAuthProvider::Google),
            vec![],
        ),
        &secrets(),
        T0,
    )
    .unwrap();
    let q = query(&first.url);
    assert!(!q.contains_key("include_granted_scopes"));
    assert_eq!(
        q["scope"],
        format!("openid email profile {SEND} {SETTINGS}")
    );
}

#[test]
fn adding_a_microsoft_feature_asks_for_the_whole_list() {
    let f = features(OAuthProvider::Microsoft, OptionalFeature::ScheduledDelivery);
    let plan = plan_authorization(
        &params(
            OAuthProvider::Microsoft,
            f,
            first_grant(OAuthProvider::Microsoft),
        ),
        &secrets(),
        T0,
    )
    .unwrap();
    let q = query(&plan.url);
    assert!(!q.contains_key("include_granted_scopes"));
    let asked: Vec<&str> = q["scope"].split(' ').collect();
    assert!(asked.contains(&"Mail.Send") && asked.contains(&"Mail.ReadWrite"));
}

#[test]
fn every_feature_has_a_disclosure_in_words() {
    use OptionalFeature::*;
    for (kind, feature, scope) in [
        (ConnectionKind::Google, SentCheck, METADATA),
        (ConnectionKind::Microsoft, SentCheck, "Mail.ReadBasic"),
        (
            ConnectionKind::Microsoft,
            ScheduledDelivery,
            "Mail.ReadWrite",
        ),
    ] {
        let d = feature_disclosure(kind, feature).unwrap();
        // Only what the feature adds.
        assert_eq!(names(&d.scopes), [scope], "{kind:?} {feature:?}");
        assert!(d.scopes[0].explanation.len() > 60);
        assert!(!d.title.is_empty() && d.why.len() > 60);
        assert!(d.turning_off.len() > 60);
    }
    let google = feature_disclosure(ConnectionKind::Google, SentCheck).unwrap();
    assert!(
        google.turning_off.contains("all of Inlay's access"),
        "{}",
        google.turning_off
    );
    assert!(google.scopes[0].explanation.contains("never the text"));
    assert_eq!(
        feature_disclosure(ConnectionKind::Google, ScheduledDelivery)
            .unwrap_err()
            .code,
        "notAvailable"
    );
    assert_eq!(
        feature_disclosure(ConnectionKind::Imap, SentCheck)
            .unwrap_err()
            .code,
        "notAvailable"
    );
}

// The flow that adds a feature to a connected Gmail inbox.

fn connected_gmail() -> ConnectInput {
    let mut inp = connect_input(ConnectionKind::Google, "ada.lovelace@gmail.com", EXT);
    inp.mode = ConnectMode::AddFeatures;
    inp.previous_state = ConnectionState::Connected {
        address: "ada.lovelace@gmail.com".into(),
        connect: ConnectionKind::Google,
        aliases: vec![],
        connected_at_ms: 1_700_000_000_000,
    };
    inp.registry.personal_inboxes = vec!["ada.lovelace@gmail.com".into()];
    inp.optional_features = optional(OptionalFeature::SentCheck);
    inp.granted_scopes = first_grant(OAuthProvider::Google);
    inp
}

fn go(flow: &mut ConnectFlow, input: Input<NoQuestion>, now: u64) -> Step {
    flow.resume(
        input,
        Moment {
            now_ms: now,
            random: &[0; 4],
        },
    )
}

/// Google's token answer granting `scope`, the ID token naming Ada.
fn token_answer(nonce: &str, scope: &str) -> Input<NoQuestion> {
    let claims = json!({
        "iss": "https://accounts.google.com", "azp": GOOGLE_ID, "aud": GOOGLE_ID,
        "sub": "110169484474386276334", "email": "ada.lovelace@gmail.com", "email_verified": true,
        "nonce": nonce, "name": "Ada Lovelace", "iat": 1_800_000_000, "exp": 1_800_003_600
    });
    let body: Value = json!({
        "access_token": "ya29.new", "expires_in": 3599, "refresh_token": "1//new",
        "scope": scope, "token_type": "Bearer",
        "id_token": support::jwt_with_header(r#"{"alg":"RS256","kid":"k1"}"#, &claims),
    });
    Input::Response {
        response: http_response(
            200,
            &[("content-type", "application/json")],
            &body.to_string(),
        ),
    }
}

/// Starts the add-feature flow and brings it to the token answer.
fn to_tokens(inp: &ConnectInput) -> (ConnectFlow, String) {
    let mut flow = ConnectFlow::new(inp.clone());
    let random: Vec<u8> = (0..96u8).collect();
    let Step::AuthFlow { url, .. } = flow.start(Moment {
        now_ms: T0,
        random: &random,
    }) else {
        panic!("expected the sign-in window")
    };
    let q = query(&url);
    assert_eq!(q["scope"], format!("openid email profile {METADATA}"));
    assert_eq!(q["include_granted_scopes"], "true");
    let mut back = Url::parse(&q["redirect_uri"]).unwrap();
    back.query_pairs_mut()
        .append_pair("state", &q["state"])
        .append_pair("iss", "https://accounts.google.com")
        .append_pair("code", "4/0canned");
    let step = go(&mut flow, Input::Redirect { url: back.into() }, T0 + 10_000);
    assert!(
        matches!(
            step,
            Step::Http {
                purpose: Purpose::TokenExchange,
                ..
            }
        ),
        "{step:?}"
    );
    (flow, q["nonce"].clone())
}

#[test]
fn the_added_scope_is_stored_with_the_ones_granted_before() {
    let (mut flow, nonce) = to_tokens(&connected_gmail());
    // With include_granted_scopes Google's answer lists the union.
    let union = format!(
        "openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile {SEND} {SETTINGS} {METADATA}"
    );
    let step = go(&mut flow, token_answer(&nonce, &union), T0 + 11_000);
    assert!(
        matches!(
            step,
            Step::Http {
                purpose: Purpose::SendAs,
                ..
            }
        ),
        "{step:?}"
    );
    let body = json!({"sendAs": [{"sendAsEmail": "ada.lovelace@gmail.com", "isPrimary": true}]});
    let step = go(
        &mut flow,
        Input::Response {
            response: http_response(
                200,
                &[("content-type", "application/json")],
                &body.to_string(),
            ),
        },
        T0 + 12_000,
    );
    let Step::Done { result } = step else {
        panic!("expected connected, got {step:?}")
    };
    for scope in [SEND, SETTINGS, METADATA] {
        assert!(result.tokens.scopes.iter().any(|s| s == scope), "{scope}");
    }
    assert!(result.tokens.features().sent_check);
    assert!(matches!(
        flow.account_state(),
        ConnectionState::Connected { .. }
    ));
}

#[test]
fn a_grant_without_the_old_scopes_is_refused_without_revoking_the_inbox() {
    let inp = connected_gmail();
    let (mut flow, nonce) = to_tokens(&inp);
    // Access was removed at Google meanwhile: only the new scope comes back.
    let step = go(
        &mut flow,
        token_answer(&nonce, &format!("openid {METADATA}")),
        T0 + 11_000,
    );
    let Step::Failed { error } = step else {
        panic!("expected a failure, got {step:?}")
    };
    assert_eq!(error.code, "scopesNotGranted");
    assert_eq!(flow.account_state(), &inp.previous_state);
}

#[test]
fn a_failure_after_the_tokens_drops_them_instead_of_revoking_the_grant() {
    let inp = connected_gmail();
    let (mut flow, nonce) = to_tokens(&inp);
    let union = format!("openid email profile {SEND} {SETTINGS} {METADATA}");
    go(&mut flow, token_answer(&nonce, &union), T0 + 11_000);
    // The send-as check is refused: a revocation would end the inbox's grant.
    let step = go(
        &mut flow,
        Input::Response {
            response: http_response(
                403,
                &[("content-type", "application/json")],
                r#"{"error":{"code":403,"message":"Forbidden","status":"PERMISSION_DENIED"}}"#,
            ),
        },
        T0 + 12_000,
    );
    let Step::Failed { error } = step else {
        panic!("expected a failure without a revocation, got {step:?}")
    };
    assert!(
        error.message.contains("keeps working as before"),
        "{}",
        error.message
    );
    assert_eq!(flow.account_state(), &inp.previous_state);
}

fn stored(provider: OAuthProvider, extra: &[&str]) -> TokenState {
    let mut scopes = first_grant(provider);
    scopes.extend(extra.iter().map(|s| s.to_string()));
    let set = TokenSet {
        access_token: "a".into(),
        expires_at_ms: T0 + 3_600_000,
        refresh_token: Some("r".into()),
        refresh_token_expires_at_ms: None,
        granted_scopes: scopes.clone(),
        id_claims: None,
        obtained_at_ms: T0,
    };
    TokenState::new(provider, set, scopes)
}

#[test]
fn which_inboxes_deliver_scheduled_email_with_the_browser_closed() {
    let ms = stored(OAuthProvider::Microsoft, &[]);
    assert!(!inbox_features(ConnectionKind::Microsoft, Some(&ms)).delivers_while_closed);
    let ms = stored(OAuthProvider::Microsoft, &["Mail.ReadWrite"]);
    let f = inbox_features(ConnectionKind::Microsoft, Some(&ms));
    assert!(f.delivers_while_closed && f.on.scheduled_delivery && !f.on.sent_check);
    let g = stored(OAuthProvider::Google, &[METADATA]);
    let f = inbox_features(ConnectionKind::Google, Some(&g));
    assert!(!f.delivers_while_closed && f.on.sent_check);
    assert_eq!(f.available, [OptionalFeature::SentCheck]);
    assert!(inbox_features(ConnectionKind::Exchange, None).delivers_while_closed);
    assert!(!inbox_features(ConnectionKind::Imap, None).delivers_while_closed);
}

#[test]
fn the_inbox_list_and_the_outbox_say_the_same_of_delivery_with_the_browser_closed() {
    use inlay_core::outbox::Plans;
    use inlay_core::send::SendTarget;
    let cases = [
        (
            ConnectionKind::Microsoft,
            stored(OAuthProvider::Microsoft, &[]),
        ),
        (
            ConnectionKind::Microsoft,
            stored(OAuthProvider::Microsoft, &["Mail.ReadWrite"]),
        ),
        (
            ConnectionKind::Microsoft,
            stored(
                OAuthProvider::Microsoft,
                &["https://graph.microsoft.com/Mail.ReadWrite"],
            ),
        ),
        (
            ConnectionKind::Google,
            stored(OAuthProvider::Google, &[METADATA]),
        ),
    ];
    for (kind, tokens) in cases {
        let scopes = tokens.scopes.clone();
        let target = match kind {
            ConnectionKind::Google => SendTarget::Google {
                granted_scopes: scopes,
            },
            _ => SendTarget::Microsoft {
                granted_scopes: scopes,
            },
        };
        assert_eq!(
            inbox_features(kind, Some(&tokens)).delivers_while_closed,
            target.defers(),
            "{kind:?} {:?}",
            tokens.scopes
        );
    }
    let exchange = SendTarget::Exchange {
        ews_url: "https://mail.acme.example/EWS/Exchange.asmx".into(),
    };
    assert!(
        exchange.defers() && inbox_features(ConnectionKind::Exchange, None).delivers_while_closed
    );
}

#[test]
fn turning_a_feature_off_drops_only_its_scopes_from_the_stored_list() {
    let ms = stored(
        OAuthProvider::Microsoft,
        &["Mail.ReadBasic", "Mail.ReadWrite"],
    );
    let off = without_feature(&ms, OptionalFeature::ScheduledDelivery);
    assert!(!off.scopes.iter().any(|s| s == "Mail.ReadWrite"));
    assert!(off.scopes.iter().any(|s| s == "Mail.ReadBasic"));
    assert!(off.scopes.iter().any(|s| s == "Mail.Send"));
    assert!(off.features().sent_check && !off.features().scheduled_delivery);
    assert_eq!(off.access_token, ms.access_token);
    let g = stored(OAuthProvider::Google, &[METADATA]);
    let off = without_feature(&g, OptionalFeature::SentCheck);
    assert_eq!(off.scopes, first_grant(OAuthProvider::Google));
}

#[test]
fn pages_turn_a_feature_on_or_off_by_name_only() {
    use inlay_core::rpc::{Caller, parse_request};
    let ok = parse_request(
        Caller::ExtensionPage,
        r#"{"type":"setFeature","address":"a@b.c","feature":"scheduledDelivery","on":true}"#,
    );
    assert!(ok.is_ok(), "{ok:?}");
    assert!(
        parse_request(
            Caller::ExtensionPage,
            r#"{"type":"featureDisclosure","address":"a@b.c","feature":"sentCheck"}"#,
        )
        .is_ok()
    );
    // Scopes are the core's to choose: a page can't name one.
    for bad in [
        r#"{"type":"setFeature","address":"a@b.c","feature":"readEverything","on":true}"#,
        r#"{"type":"setFeature","address":"a@b.c","feature":"sentCheck","on":true,"scopes":["https://mail.google.com/"]}"#,
    ] {
        assert!(parse_request(Caller::ExtensionPage, bad).is_err(), "{bad}");
    }
    assert!(
        parse_request(
            Caller::ContentScript,
            r#"{"type":"setFeature","address":"a@b.c","feature":"sentCheck","on":true}"#,
        )
        .is_err()
    );
}
