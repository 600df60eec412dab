//! Bindings for connecting an inbox: detection, the disclosure, the connect
//! flow, token use, the account check and revocation. Conversion only:
//! every decision is made by `inlay-core`.
//!
//! Arguments and results are plain JSON-compatible objects (camelCase,
//! tagged unions under `kind`); times are unix milliseconds as JS numbers.
//! Every error is thrown as `{code, message}`.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::convert::{arg, thrown, to_js};
use crate::machine_handle::machine_handle;

use inlay_core::accounts::{self, ConnectionState, Event};
use inlay_core::auth::{AccountType, OAuthClient};
use inlay_core::auth::{RenewalResult, SilentResult, TokenState};
use inlay_core::connect::{self as core_connect, ConnectFlow, FlowError};
use inlay_core::machine::Moment;
use inlay_core::provider::{Outcome, gmail};

/// A JS time (ms, a number) as the core reads it ([`Moment::from_shell`]).
fn ms(value: f64) -> u64 {
    Moment::from_shell(value, &[]).now_ms
}

fn done<T: Serialize, E: Into<FlowError>>(result: Result<T, E>) -> Result<JsValue, JsValue> {
    match result {
        Ok(value) => to_js(&value),
        Err(error) => Err(thrown(error.into())),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Tokens<'a> {
    tokens: &'a TokenState,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokensAndResult<'a> {
    tokens: &'a TokenState,
    result: RenewalResult,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokensAndAccess<'a, A: Serialize> {
    tokens: &'a TokenState,
    access: A,
}

/// `disclosure(connect) -> {providerName, scopes}`: exactly what the
/// connect flow will request. Exchange/IMAP throw `notAvailable`.
#[wasm_bindgen(js_name = disclosure)]
pub fn disclosure(connect: JsValue) -> Result<JsValue, JsValue> {
    let connect = arg(connect, "connect")?;
    done(core_connect::disclosure(connect))
}

/// `featureDisclosure(connect, feature) -> FeatureDisclosure`: what turning
/// on an optional feature (`sentCheck` | `scheduledDelivery`) asks for and
/// why, shown before its sign-in. A feature the kind can't have throws
/// `notAvailable`.
#[wasm_bindgen(js_name = featureDisclosure)]
pub fn feature_disclosure(connect: JsValue, feature: JsValue) -> Result<JsValue, JsValue> {
    let connect = arg(connect, "connect")?;
    let feature = arg(feature, "feature")?;
    done(core_connect::feature_disclosure(connect, feature))
}

/// `inboxFeatures(connect, tokens | null) -> InboxFeatures`: the optional
/// features available and on, and whether scheduled email leaves with the
/// browser closed.
#[wasm_bindgen(js_name = inboxFeatures)]
pub fn inbox_features(connect: JsValue, tokens: JsValue) -> Result<JsValue, JsValue> {
    let connect = arg(connect, "connect")?;
    let tokens: Option<TokenState> = arg(tokens, "tokens")?;
    to_js(&core_connect::inbox_features(connect, tokens.as_ref()))
}

/// `tokenWithoutFeature(tokens, feature) -> {tokens}`: the token state with
/// that feature's scopes out of its list (the feature turned off).
#[wasm_bindgen(js_name = tokenWithoutFeature)]
pub fn token_without_feature(tokens: JsValue, feature: JsValue) -> Result<JsValue, JsValue> {
    let tokens: TokenState = arg(tokens, "tokens")?;
    let feature = arg(feature, "feature")?;
    to_js(&Tokens {
        tokens: &core_connect::without_feature(&tokens, feature),
    })
}

/// `new ConnectMachine(input)`: the connect machine (`connect::ConnectFlow`)
/// as a handle. Its state (with the PKCE verifier) stays inside the module
/// and lives as long as the worker: JS never reads it back, so no code
/// reading a whole flow is built. `start(nowMs, random)` once, then
/// `resume(input, nowMs, random)` with what happened to the last step
/// (`machine::Input`), or `cancel()`; each returns `{step, accountState}`.
/// `random`: `machine::RANDOM_BYTES` bytes from `crypto.getRandomValues`. A
/// refusal (view-only seat, already connected, not available, no client, …)
/// is a `failed` step that changed nothing. The shell calls `free()` once the
/// flow has ended.
#[wasm_bindgen]
pub struct ConnectMachine(ConnectFlow);

/// What each connect call returns: the step and the inbox's state after it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Progress<'a> {
    step: &'a core_connect::Step,
    account_state: &'a ConnectionState,
}

/// `Progress` as a plain JS object: what `start`, `resume` and `cancel` return.
fn progress(flow: &ConnectFlow, step: &core_connect::Step) -> Result<JsValue, JsValue> {
    to_js(&Progress {
        step,
        account_state: flow.account_state(),
    })
}

#[wasm_bindgen]
impl ConnectMachine {
    /// Throws `{code: "invalidArgument", message}` for an unreadable input.
    #[wasm_bindgen(constructor)]
    pub fn new(input: JsValue) -> Result<ConnectMachine, JsValue> {
        let input: core_connect::ConnectInput = arg(input, "input")?;
        Ok(ConnectMachine(ConnectFlow::new(input)))
    }

    pub fn cancel(&mut self) -> Result<JsValue, JsValue> {
        let step = self.0.cancel();
        progress(&self.0, &step)
    }
}

machine_handle!(ConnectMachine, progress);

/// `passwordConnectStart(input, nowMs) -> ConnectionState`: for Exchange and
/// IMAP, checks the same rules as the connect flow and returns the account's
/// `verifying` state; the shell then verifies the password with the server
/// and ends with the `verified` or `failed` transition. input is
/// `{address, connect, policy, registry, previousState}` (a connected
/// previous state means the password is being replaced). Refusals are
/// thrown as `{code, message}`.
#[wasm_bindgen(js_name = passwordConnectStart)]
pub fn password_connect_start(input: JsValue, now_ms: f64) -> Result<JsValue, JsValue> {
    let input: core_connect::PasswordConnect = arg(input, "input")?;
    done(core_connect::password_start(&input, ms(now_ms)))
}

/// `refusal(refusal) -> {code, message}`: the core's words for what the
/// worker refuses before any machine runs (`connect::Refusal`, e.g.
/// `{kind: "busy", address}`).
#[wasm_bindgen(js_name = refusal)]
pub fn refusal(refusal: JsValue) -> Result<JsValue, JsValue> {
    let refusal: core_connect::Refusal = arg(refusal, "refusal")?;
    to_js(&FlowError::from(refusal))
}

/// `tokenAccess(tokens, client, nowMs, round) -> {tokens, access}`: the
/// caller's round `round` (0 first, one more after each renewal or wait;
/// the core ends the rounds). Persist `tokens` whenever `access` hands out
/// a renewal.
#[wasm_bindgen(js_name = tokenAccess)]
pub fn token_access(
    tokens: JsValue,
    client: JsValue,
    now_ms: f64,
    round: u32,
) -> Result<JsValue, JsValue> {
    let mut tokens: TokenState = arg(tokens, "tokens")?;
    let client: OAuthClient = arg(client, "client")?;
    let access = tokens.access_round(&client, round, ms(now_ms));
    to_js(&TokensAndAccess {
        tokens: &tokens,
        access,
    })
}

/// `tokenRefreshed(tokens, id, outcome, client, nowMs, jitter) -> {tokens, result}`:
/// the refresh request's outcome for renewal `id`. `result` is `{kind: "keep"}`
/// or, after `tokenDisconnect`, `{kind: "discard", revoke: HttpRequest | null}`.
#[wasm_bindgen(js_name = tokenRefreshed)]
pub fn token_refreshed(
    tokens: JsValue,
    id: u32,
    outcome: JsValue,
    client: JsValue,
    now_ms: f64,
    jitter: u32,
) -> Result<JsValue, JsValue> {
    let mut tokens: TokenState = arg(tokens, "tokens")?;
    let outcome: Outcome = arg(outcome, "outcome")?;
    let client: OAuthClient = arg(client, "client")?;
    let result = tokens.on_refresh_outcome(id, &outcome, &client, ms(now_ms), jitter);
    to_js(&TokensAndResult {
        tokens: &tokens,
        result,
    })
}

/// `tokenSilentResult(tokens, id, result) -> {tokens, result}` where the
/// argument is a silent flow's `{kind: "connected", tokens}` step or
/// `{kind: "failed", message}`; the answer's `result` as for `tokenRefreshed`.
#[wasm_bindgen(js_name = tokenSilentResult)]
pub fn token_silent_result(tokens: JsValue, id: u32, result: JsValue) -> Result<JsValue, JsValue> {
    let mut tokens: TokenState = arg(tokens, "tokens")?;
    let result: SilentResult = arg(result, "result")?;
    let result = tokens.on_silent_result(id, result);
    to_js(&TokensAndResult {
        tokens: &tokens,
        result,
    })
}

/// `tokenDisconnect(tokens) -> {tokens}`: the disconnected marker, holding
/// no token, that takes the state's place so a late renewal is discarded.
#[wasm_bindgen(js_name = tokenDisconnect)]
pub fn token_disconnect(tokens: JsValue) -> Result<JsValue, JsValue> {
    let mut tokens: TokenState = arg(tokens, "tokens")?;
    tokens.disconnect();
    to_js(&Tokens { tokens: &tokens })
}

/// `tokenInvalidate(tokens, rejectedAccessToken) -> {tokens}`: after a 401
/// for that token; the next `tokenAccess` refreshes unless it was already
/// replaced.
#[wasm_bindgen(js_name = tokenInvalidate)]
pub fn token_invalidate(tokens: JsValue, rejected: &str) -> Result<JsValue, JsValue> {
    let mut tokens: TokenState = arg(tokens, "tokens")?;
    tokens.invalidate_access_token(rejected);
    to_js(&Tokens { tokens: &tokens })
}

/// `new CheckMachine(connect)`: "check this connection now" for a Google or
/// Microsoft inbox (`accounts::OAuthCheck`) as a handle, like
/// [`ConnectMachine`]: `start(nowMs, random)` (its first step asks the worker
/// for a token), then `resume(input, nowMs, random)`; each returns the step.
/// The shell calls `free()` once the check has ended.
#[wasm_bindgen]
pub struct CheckMachine(accounts::OAuthCheck);

#[wasm_bindgen]
impl CheckMachine {
    /// Throws `{code: "invalidArgument", message}` for another kind of inbox.
    #[wasm_bindgen(constructor)]
    pub fn new(connect: JsValue) -> Result<CheckMachine, JsValue> {
        let connect = arg(connect, "connect")?;
        Ok(CheckMachine(accounts::OAuthCheck::new(connect)))
    }
}

machine_handle!(CheckMachine);

/// `revokePlan(connect, tokens, accountType) -> RevocationPlan`.
#[wasm_bindgen(js_name = revokePlan)]
pub fn revoke_plan(
    connect: JsValue,
    tokens: JsValue,
    account_type: JsValue,
) -> Result<JsValue, JsValue> {
    let connect = arg(connect, "connect")?;
    let tokens: TokenState = arg(tokens, "tokens")?;
    let account_type: AccountType = arg(account_type, "accountType")?;
    done(core_connect::revoke_plan(connect, &tokens, account_type))
}

/// `connectionTransition(state, event, nowMs) -> ConnectionState`: the
/// account state machine, for events outside a connect flow (e.g.
/// `{kind: "tokenRejected", code, reason}` after a check says
/// `reauthenticate`, or `{kind: "disconnect"}`). A refused event is thrown
/// as `{code: "invalidTransition", message}`.
#[wasm_bindgen(js_name = connectionTransition)]
pub fn connection_transition(
    state: JsValue,
    event: JsValue,
    now_ms: f64,
) -> Result<JsValue, JsValue> {
    let state: ConnectionState = arg(state, "state")?;
    let event: Event = arg(event, "event")?;
    done(accounts::transition(&state, &event, ms(now_ms)))
}

/// `checkTeamInbox(registry, address) -> null | {code, message}`: whether
/// `address` may be a team inbox (it must not be someone's personal inbox).
/// A problem is returned, not thrown: the caller shows it beside the inbox.
#[wasm_bindgen(js_name = checkTeamInbox)]
pub fn check_team_inbox(registry: JsValue, address: &str) -> Result<JsValue, JsValue> {
    let registry: accounts::AccountRegistry = arg(registry, "registry")?;
    match registry.check_team_inbox(address) {
        Ok(()) => Ok(JsValue::NULL),
        Err(problem) => to_js(&FlowError::from(problem)),
    }
}

/// `revokeResult(outcome) -> {revoked, instructions, consentUrl}`: what to
/// tell the user after Google's revocation request.
#[wasm_bindgen(js_name = revokeResult)]
pub fn revoke_result(outcome: JsValue) -> Result<JsValue, JsValue> {
    let outcome: Outcome = arg(outcome, "outcome")?;
    to_js(&gmail::revoke_result(&outcome))
}
