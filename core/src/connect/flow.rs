//! The flow's state machine: [`start`], [`resume`], [`cancel`].

use serde::{Deserialize, Serialize};

use super::{
    Advance, ConnectInput, ConnectMode, ConnectedAccount, FlowError, FlowInput, Purpose,
    RANDOM_BYTES, Step, features_for, oauth_provider, redirect_uri,
};
use crate::accounts::{
    AccountRegistry, ConnectPolicy, ConnectionState, Event, InvalidTransition, transition,
};
use crate::auth::TokenState;
use crate::auth::{
    AccountIdentity, AccountType, AuthorizationParams, AuthorizationSecrets, Features, OAuthClient,
    OAuthProvider, PendingAuthorization, RevocationPlan, TokenError, TokenExpectations, TokenSet,
    complete_authorization, interpret_token_response, plan_authorization, plan_revoke,
    verify_account,
};
use crate::backoff::{Backoff, pause_in_words};
use crate::detect::{ConnectionKind, parse_address, same_mailbox};
use crate::http::{HttpRequest, HttpResponse};
use crate::provider::gmail::{GMAIL_SEND_AS_URL, parse_send_as};
use crate::provider::graph::{
    GRAPH_MAILBOX_SETTINGS_URL, GRAPH_ME_URL, parse_graph_me, parse_user_purpose,
};
use crate::provider::{self, Api, Attempt, Disposition, Outcome, bearer_get};

/// Retries inside a connect flow: the user is watching, so fewer and
/// shorter than for background calls. A `Retry-After` still wins.
pub const FLOW_BACKOFF: Backoff = Backoff {
    base_ms: 1_000,
    max_ms: 16_000,
    max_attempts: 4,
    // The flow ends a long pause itself (MAX_FLOW_WAIT_MS), with its own words.
    max_wait_ms: None,
};

/// A provider asking for a longer pause than this ends the flow: the user
/// is better told to try later than left watching a spinner.
pub const MAX_FLOW_WAIT_MS: u64 = 2 * 60_000;

/// One connect flow in progress (or finished). Plain data: the worker keeps
/// it between calls. It holds the PKCE verifier and, after the code
/// exchange, the tokens, so it is never written to disk (the worker keeps
/// it in memory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flow {
    /// The address entered (trimmed).
    pub address: String,
    /// The kind of account.
    pub connect: ConnectionKind,
    /// Connect, reconnect or silent.
    pub mode: ConnectMode,
    /// The app registration used.
    pub client: OAuthClient,
    /// The features requested.
    pub features: Features,
    /// The sign-in waiting for its redirect (state, nonce, verifier, scopes).
    pub pending: PendingAuthorization,
    /// The account's state before the flow; failure and cancel return to it.
    pub previous_state: ConnectionState,
    /// The account's state now.
    pub account_state: ConnectionState,
    /// Tokens from the code exchange, until the flow ends.
    pub tokens: Option<TokenSet>,
    /// What is known so far about the account signed in.
    pub account: Option<ConnectedAccount>,
    /// Where the flow stands.
    pub phase: Phase,
}

/// Where a flow stands: what input it waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Phase {
    /// The sign-in window is open: waits for `redirect` or `authFlowFailed`.
    AwaitingRedirect,
    /// Waits for the `response` (or `transport` failure) to this request.
    AwaitingResponse {
        purpose: Purpose,
        request: HttpRequest,
        /// Retries already made of this request.
        attempt: u32,
    },
    /// Waits for `timer`, then sends `request` again.
    Waiting {
        purpose: Purpose,
        request: HttpRequest,
        attempt: u32,
        until_ms: u64,
        reason: String,
    },
    /// Revoking tokens before reporting `error`, whatever the answer.
    Revoking {
        request: HttpRequest,
        error: FlowError,
    },
    /// Finished; any further call returns `step` again.
    Done { step: Step },
}

impl Flow {
    /// The OAuth provider signed in with.
    pub fn provider(&self) -> OAuthProvider {
        self.pending.provider
    }
}

fn advance(flow: Flow, step: Step) -> Advance {
    let account_state = flow.account_state.clone();
    Advance {
        flow,
        step,
        account_state,
    }
}

/// Starts a flow: checks the policy and the registry, refuses what this
/// version can't connect, plans the authorization and moves the account to
/// `authorizing`. Needs [`RANDOM_BYTES`] bytes from a CSPRNG. A refusal
/// changes nothing (the account stays in `input.previous_state`).
pub fn start(input: &ConnectInput, random: &[u8], now_ms: u64) -> Result<Advance, FlowError> {
    let previous = &input.previous_state;
    let address = admit(
        &input.address,
        input.provider,
        input.mode != ConnectMode::Connect,
        previous,
        &input.registry,
        &input.policy,
    )?;
    let provider = oauth_provider(input.provider)?;
    let client = configured_client(input, provider)?;
    if random.len() < RANDOM_BYTES {
        return Err(FlowError::new(
            "notEnoughRandom",
            format!(
                "Inlay couldn't start the sign-in safely (it needs {RANDOM_BYTES} random bytes, got {}). Please report this to Inlay's support.",
                random.len()
            ),
        ));
    }
    let part = |i: usize| {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&random[i * 32..(i + 1) * 32]);
        bytes
    };
    let secrets = AuthorizationSecrets::from_random(&part(0), &part(1), &part(2));
    let features = features_for(provider, input.automation);
    let interactive = input.mode != ConnectMode::Silent;
    let params = AuthorizationParams {
        provider,
        client: client.clone(),
        redirect_uri: redirect_uri(&input.redirect_base, provider),
        login_hint: Some(address.clone()),
        features,
        interactive,
    };
    let plan = plan_authorization(&params, &secrets, now_ms)?;
    let account_state = authorizing(previous, &address, input.provider, input.mode, now_ms)?;
    let flow = Flow {
        address,
        connect: input.provider,
        mode: input.mode,
        client,
        features,
        pending: plan.pending,
        previous_state: previous.clone(),
        account_state,
        tokens: None,
        account: None,
        phase: Phase::AwaitingRedirect,
    };
    Ok(advance(
        flow,
        Step::LaunchAuthFlow {
            url: plan.url,
            interactive,
        },
    ))
}

pub(super) fn check_reconnect(
    previous: &ConnectionState,
    address: &str,
    connect: ConnectionKind,
) -> Result<(), FlowError> {
    match previous {
        ConnectionState::Connected {
            address: known,
            connect: kind,
            ..
        }
        | ConnectionState::NeedsReauthentication {
            address: known,
            connect: kind,
            ..
        } => {
            if !same_mailbox(known, address) {
                return Err(FlowError::new(
                    "addressMismatch",
                    format!(
                        "Inlay was asked to reconnect {address}, but this inbox is {known}. Close this window and reconnect from the inbox's own entry."
                    ),
                ));
            }
            if *kind != connect {
                return Err(FlowError::new(
                    "providerMismatch",
                    format!(
                        "{known} is connected as a {} account. To switch it to {}, disconnect it first, then connect it again.",
                        kind.display_name(),
                        connect.display_name()
                    ),
                ));
            }
            Ok(())
        }
        _ => Err(FlowError::new(
            "notConnected",
            format!(
                "{address} isn't connected, so there's nothing to sign in to again. Connect it instead."
            ),
        )),
    }
}

/// The rules every connect passes before anything is sent, by sign-in or
/// with a password: a valid address, the right inbox when reconnecting, and
/// the policy and registry (seat, allowed kinds, team inboxes, already
/// connected). Returns the address, trimmed.
pub(super) fn admit(
    address: &str,
    provider: ConnectionKind,
    reconnect: bool,
    previous: &ConnectionState,
    registry: &AccountRegistry,
    policy: &ConnectPolicy,
) -> Result<String, FlowError> {
    let address = address.trim().to_string();
    parse_address(&address)?;
    let mut registry = registry.clone();
    if reconnect {
        check_reconnect(previous, &address, provider)?;
        // Connecting this inbox again is not connecting it twice.
        registry
            .personal_inboxes
            .retain(|known| !same_mailbox(known, &address));
    }
    registry.check_personal(&address, provider, policy)?;
    Ok(address)
}

fn configured_client(
    input: &ConnectInput,
    provider: OAuthProvider,
) -> Result<OAuthClient, FlowError> {
    let (client, policy_key, build_var) = match provider {
        OAuthProvider::Google => (
            &input.clients.google,
            "googleClientId",
            "INLAY_GOOGLE_CLIENT_ID",
        ),
        OAuthProvider::Microsoft => (
            &input.clients.microsoft,
            "microsoftClientId",
            "INLAY_MICROSOFT_CLIENT_ID",
        ),
    };
    match client {
        Some(c) if !c.client_id.trim().is_empty() => Ok(c.clone()),
        _ => Err(FlowError::new(
            "clientNotConfigured",
            format!(
                "This build of Inlay has no {} client ID. An admin can set one by policy ({policy_key}), or set {build_var} when building.",
                provider.display_name()
            ),
        )),
    }
}

/// The account's state once the sign-in window opens.
pub(super) fn authorizing(
    previous: &ConnectionState,
    address: &str,
    connect: ConnectionKind,
    mode: ConnectMode,
    now_ms: u64,
) -> Result<ConnectionState, InvalidTransition> {
    let events = match mode {
        // Detection and the disclosure happened in the UI before the flow.
        ConnectMode::Connect => vec![
            Event::StartDetect {
                address: address.into(),
            },
            Event::DetectionDone { connect },
            Event::UserContinued,
        ],
        ConnectMode::Reconnect | ConnectMode::Silent => vec![Event::AuthorizationStarted],
    };
    events.iter().try_fold(previous.clone(), |state, event| {
        transition(&state, event, now_ms)
    })
}

/// Feeds the result of the last step in and returns the next step.
/// An input the flow isn't waiting for ends it (nothing half-done is kept);
/// a finished flow returns its final step again.
pub fn resume(flow: Flow, input: FlowInput, now_ms: u64, jitter: u32) -> Advance {
    match (flow.phase.clone(), input) {
        (Phase::Done { step }, _) => advance(flow, step),
        (Phase::AwaitingRedirect, FlowInput::Redirect { url }) => {
            match complete_authorization(&flow.pending, &flow.client, &url, now_ms) {
                Ok(request) => send(flow, Purpose::TokenExchange, request, 0),
                Err(e) => fail(flow, e.into(), now_ms),
            }
        }
        (Phase::AwaitingRedirect, FlowInput::AuthFlowFailed { message }) => {
            let error = auth_flow_failed(flow.provider(), flow.mode, &message);
            fail(flow, error, now_ms)
        }
        (
            Phase::AwaitingResponse {
                purpose,
                request,
                attempt,
            },
            FlowInput::Response { response },
        ) => on_outcome(
            flow,
            purpose,
            request,
            attempt,
            Outcome::Response { response },
            now_ms,
            jitter,
        ),
        (
            Phase::AwaitingResponse {
                purpose,
                request,
                attempt,
            },
            FlowInput::Transport { failure },
        ) => on_outcome(
            flow,
            purpose,
            request,
            attempt,
            Outcome::Transport { failure },
            now_ms,
            jitter,
        ),
        (
            Phase::Waiting {
                until_ms, reason, ..
            },
            FlowInput::Timer,
        ) if now_ms < until_ms => advance(flow, Step::Wait { until_ms, reason }),
        (
            Phase::Waiting {
                purpose,
                request,
                attempt,
                ..
            },
            FlowInput::Timer,
        ) => send(flow, purpose, request, attempt),
        // Whatever the revocation answers, the tokens are gone from here.
        (
            Phase::Revoking { error, .. },
            FlowInput::Response { .. } | FlowInput::Transport { .. },
        ) => fail(flow, error, now_ms),
        (phase, input) => {
            let error = FlowError::new(
                "unexpectedInput",
                format!(
                    "Inlay's connection steps got out of order ({} while {}), so it stopped to be safe. Please start connecting again.",
                    input_name(&input),
                    phase_name(&phase)
                ),
            );
            fail(flow, error, now_ms)
        }
    }
}

/// The user cancelled: nothing is kept and the account returns to its
/// previous state. A finished flow is left as it is.
pub fn cancel(mut flow: Flow) -> Advance {
    if let Phase::Done { step } = &flow.phase {
        let step = step.clone();
        return advance(flow, step);
    }
    flow.tokens = None;
    flow.account = None;
    flow.account_state = transition(&flow.account_state, &Event::Cancelled, 0)
        .unwrap_or_else(|_| flow.previous_state.clone());
    let step = Step::Failed {
        error: FlowError::new(
            "cancelled",
            format!(
                "You cancelled connecting {}. Nothing was changed.",
                flow.address
            ),
        ),
    };
    flow.phase = Phase::Done { step: step.clone() };
    advance(flow, step)
}

fn input_name(input: &FlowInput) -> &'static str {
    match input {
        FlowInput::Redirect { .. } => "a sign-in answer",
        FlowInput::AuthFlowFailed { .. } => "a sign-in window failure",
        FlowInput::Response { .. } => "a server answer",
        FlowInput::Transport { .. } => "a network failure",
        FlowInput::Timer => "a timer",
    }
}

fn phase_name(phase: &Phase) -> &'static str {
    match phase {
        Phase::AwaitingRedirect => "waiting for the sign-in",
        Phase::AwaitingResponse { .. } => "waiting for a server",
        Phase::Waiting { .. } => "waiting to retry",
        Phase::Revoking { .. } => "withdrawing access",
        Phase::Done { .. } => "finished",
    }
}

/// `launchWebAuthFlow` rejected. Chrome's messages: "The user did not
/// approve access." (window closed), "User interaction required." (silent
/// mode needed a page), "Authorization page could not be loaded.".
fn auth_flow_failed(provider: OAuthProvider, mode: ConnectMode, message: &str) -> FlowError {
    let name = provider.display_name();
    let lower = message.to_ascii_lowercase();
    if mode == ConnectMode::Silent || lower.contains("interaction required") {
        return FlowError::new(
            "interactionRequired",
            format!("{name} needs you to sign in again. Click Reconnect and finish the sign-in."),
        );
    }
    if lower.contains("did not approve") || lower.contains("closed") || lower.contains("cancel") {
        return FlowError::new(
            "cancelled",
            format!(
                "You closed the {name} sign-in window, so nothing was connected. Connect again whenever you're ready."
            ),
        );
    }
    if lower.contains("could not be loaded") {
        return FlowError::new(
            "signInUnavailable",
            format!(
                "The {name} sign-in page couldn't be loaded. Check your internet connection, then try again."
            ),
        );
    }
    let detail = message.trim();
    FlowError::new(
        "signInFailed",
        format!(
            "The {name} sign-in didn't finish (the browser said: \"{detail}\"). Please try again."
        ),
    )
}

fn send(mut flow: Flow, purpose: Purpose, request: HttpRequest, attempt: u32) -> Advance {
    flow.phase = Phase::AwaitingResponse {
        purpose,
        request: request.clone(),
        attempt,
    };
    advance(flow, Step::Http { request, purpose })
}

fn api_for(purpose: Purpose, provider: OAuthProvider) -> Api {
    match (purpose, provider) {
        (Purpose::TokenExchange | Purpose::Revoke, OAuthProvider::Google) => Api::GoogleToken,
        (Purpose::TokenExchange | Purpose::Revoke, OAuthProvider::Microsoft) => Api::MicrosoftToken,
        (Purpose::SendAs, _) => Api::Gmail,
        (Purpose::Profile | Purpose::MailboxSettings, _) => Api::Graph,
    }
}

fn on_outcome(
    flow: Flow,
    purpose: Purpose,
    request: HttpRequest,
    attempt: u32,
    outcome: Outcome,
    now_ms: u64,
    jitter: u32,
) -> Advance {
    let provider = flow.provider();
    if purpose == Purpose::MailboxSettings
        && let Outcome::Response { response } = &outcome
    {
        match response.status {
            // Personal accounts and locked-down tenants may not allow it;
            // the check is a safeguard, not a requirement.
            403 => {
                let mut flow = flow;
                if let Some(account) = flow.account.as_mut() {
                    account.notes.push("Microsoft 365 didn't let Inlay read this mailbox's settings, so Inlay couldn't check whether it is a shared mailbox.".into());
                }
                return connected(flow, now_ms);
            }
            404 => {
                let error = FlowError::new(
                    "noMailbox",
                    format!(
                        "Microsoft 365 says {} has no Exchange Online mailbox, so Inlay can't use it. Connect an account with a mailbox, or ask your IT team.",
                        flow.address
                    ),
                );
                return fail_after_tokens(flow, error, now_ms);
            }
            _ => {}
        }
    }
    let attempt_info = Attempt {
        number: attempt,
        after_refresh: false,
        now_ms,
        jitter,
    };
    let disposition = provider::classify(
        api_for(purpose, provider),
        &outcome,
        &attempt_info,
        &FLOW_BACKOFF,
    );
    let response = match (disposition, outcome) {
        (Disposition::RetryAfter { after_ms, reason }, _) => {
            return wait(flow, purpose, request, attempt, after_ms, reason, now_ms);
        }
        (Disposition::Fail { code, message }, _) if code == "retriesExhausted" => {
            return fail_after_tokens(flow, FlowError::new(code, message), now_ms);
        }
        // The token endpoint's errors are read by interpret_token_response.
        (_, Outcome::Response { response }) if purpose == Purpose::TokenExchange => {
            return on_token_response(flow, &response, now_ms);
        }
        (Disposition::Success, Outcome::Response { response }) => response,
        (Disposition::RefreshToken, _) => {
            let name = provider.display_name();
            let error = FlowError::new(
                "tokenRejected",
                format!(
                    "{name} didn't accept the access it had just given Inlay. Please try connecting again."
                ),
            );
            return fail_after_tokens(flow, error, now_ms);
        }
        (
            Disposition::Reauthenticate { code, message } | Disposition::Fail { code, message },
            _,
        ) => {
            return fail_after_tokens(flow, FlowError::new(code, message), now_ms);
        }
        // classify never calls a missing response a success.
        (Disposition::Success, Outcome::Transport { .. }) => {
            return fail_after_tokens(flow, unexpected_answer(provider), now_ms);
        }
    };
    on_success(flow, purpose, &response, now_ms)
}

fn unexpected_answer(provider: OAuthProvider) -> FlowError {
    FlowError::new(
        "unexpectedResponse",
        format!(
            "{} sent an answer Inlay couldn't read, so the inbox couldn't be connected. Please try again later.",
            provider.display_name()
        ),
    )
}

fn wait(
    mut flow: Flow,
    purpose: Purpose,
    request: HttpRequest,
    attempt: u32,
    after_ms: u64,
    reason: String,
    now_ms: u64,
) -> Advance {
    if after_ms > MAX_FLOW_WAIT_MS {
        let error = FlowError::new(
            "providerBusy",
            format!(
                "{reason}, and asked Inlay to wait {}. Please try connecting again later.",
                pause_in_words(after_ms)
            ),
        );
        return fail_after_tokens(flow, error, now_ms);
    }
    let until_ms = now_ms.saturating_add(after_ms);
    flow.phase = Phase::Waiting {
        purpose,
        request,
        attempt: attempt.saturating_add(1),
        until_ms,
        reason: reason.clone(),
    };
    advance(flow, Step::Wait { until_ms, reason })
}

fn on_token_response(mut flow: Flow, response: &HttpResponse, now_ms: u64) -> Advance {
    let provider = flow.provider();
    let expect = TokenExpectations::for_code(&flow.pending, &flow.client);
    let tokens = match interpret_token_response(&expect, response, now_ms) {
        Ok(tokens) => tokens,
        Err(TokenError::Endpoint {
            disposition,
            message,
        }) => {
            let code = match &disposition {
                Disposition::Fail { code, .. } | Disposition::Reauthenticate { code, .. } => {
                    code.clone()
                }
                _ => "tokenRequestFailed".into(),
            };
            // These messages speak of an existing connection; a code
            // exchange has none yet.
            let message = if code == "grantInvalid" || code == "tokenRevoked" {
                format!(
                    "{} didn't accept this sign-in; it may have expired or been used already. Please connect again.",
                    provider.display_name()
                )
            } else {
                message
            };
            return fail(flow, FlowError::new(code, message), now_ms);
        }
        Err(other) => return fail(flow, FlowError::new(other.code(), other.message()), now_ms),
    };
    match transition(&flow.account_state, &Event::TokensReceived, now_ms) {
        Ok(state) => flow.account_state = state,
        Err(e) => return fail(flow, e.into(), now_ms),
    }
    let access_token = tokens.access_token.clone();
    let claims = tokens.id_claims.clone();
    flow.tokens = Some(tokens);
    let identity = claims
        .as_ref()
        .map(AccountIdentity::from_claims)
        .unwrap_or(AccountIdentity {
            addresses: Vec::new(),
        });
    let mut account = ConnectedAccount {
        address: matched(&identity.addresses, &flow.address),
        connect: flow.connect,
        display_name: claims.as_ref().and_then(|c| c.name.clone()),
        aliases: Vec::new(),
        account_type: claims
            .as_ref()
            .map_or(AccountType::Unknown, |c| c.account_type(provider)),
        notes: Vec::new(),
    };
    account.display_name = account.display_name.filter(|n| !n.trim().is_empty());
    flow.account = Some(account);
    match provider {
        OAuthProvider::Google => {
            if let Err(e) = verify_account(&flow.address, &identity) {
                return fail_after_tokens(flow, e.into(), now_ms);
            }
            if flow.features.send_as_aliases {
                send(
                    flow,
                    Purpose::SendAs,
                    bearer_get(GMAIL_SEND_AS_URL, &access_token),
                    0,
                )
            } else {
                connected(flow, now_ms)
            }
        }
        // The ID token's names are checked together with the profile's:
        // a work account's sign-in name (UPN) can differ from its mail
        // address, and only the profile lists every address.
        OAuthProvider::Microsoft => send(
            flow,
            Purpose::Profile,
            bearer_get(GRAPH_ME_URL, &access_token),
            0,
        ),
    }
}

/// The provider's spelling of the entered mailbox, or the entered address.
fn matched(addresses: &[String], entered: &str) -> String {
    addresses
        .iter()
        .find(|a| same_mailbox(a, entered))
        .cloned()
        .unwrap_or_else(|| entered.to_string())
}

fn on_success(mut flow: Flow, purpose: Purpose, response: &HttpResponse, now_ms: u64) -> Advance {
    let provider = flow.provider();
    let Some(mut account) = flow.account.take() else {
        return fail_after_tokens(flow, unexpected_answer(provider), now_ms);
    };
    match purpose {
        Purpose::SendAs => {
            let Some(list) = parse_send_as(&response.body) else {
                return fail_after_tokens(flow, unexpected_answer(provider), now_ms);
            };
            account.aliases = list
                .aliases
                .into_iter()
                .filter(|a| !same_mailbox(a, &account.address))
                .collect();
            account.display_name = list.display_name.or(account.display_name);
            flow.account = Some(account);
            connected(flow, now_ms)
        }
        Purpose::Profile => {
            let Some(profile) = parse_graph_me(&response.body) else {
                return fail_after_tokens(flow, unexpected_answer(provider), now_ms);
            };
            let claims = flow
                .tokens
                .as_ref()
                .and_then(|t| t.id_claims.as_ref())
                .map(AccountIdentity::from_claims);
            let mut addresses = profile.addresses.clone();
            for a in claims.iter().flat_map(|c| &c.addresses) {
                if !addresses.iter().any(|x| same_mailbox(x, a)) {
                    addresses.push(a.clone());
                }
            }
            let identity = AccountIdentity { addresses };
            if let Err(e) = verify_account(&flow.address, &identity) {
                flow.account = Some(account);
                return fail_after_tokens(flow, e.into(), now_ms);
            }
            account.address = matched(&identity.addresses, &flow.address);
            account.aliases = profile
                .primary
                .iter()
                .chain(&profile.aliases)
                .filter(|a| !same_mailbox(a, &account.address))
                .cloned()
                .collect();
            account.display_name = profile.display_name.or(account.display_name);
            let access_token = flow
                .tokens
                .as_ref()
                .map(|t| t.access_token.clone())
                .unwrap_or_default();
            flow.account = Some(account);
            if flow.features.mailbox_settings {
                send(
                    flow,
                    Purpose::MailboxSettings,
                    bearer_get(GRAPH_MAILBOX_SETTINGS_URL, &access_token),
                    0,
                )
            } else {
                connected(flow, now_ms)
            }
        }
        Purpose::MailboxSettings => {
            let purpose = parse_user_purpose(&response.body);
            if purpose.as_deref() == Some("shared") {
                let error = FlowError::new(
                    "sharedMailbox",
                    format!(
                        "{} is a Microsoft 365 shared mailbox. Shared mailboxes can't be connected as a personal inbox: connect your own mailbox, and ask an admin to add the shared one as a team inbox.",
                        account.address
                    ),
                );
                flow.account = Some(account);
                return fail_after_tokens(flow, error, now_ms);
            }
            if purpose.is_none() {
                account.notes.push("Microsoft 365 didn't say what kind of mailbox this is, so Inlay couldn't check whether it is a shared mailbox.".into());
            }
            flow.account = Some(account);
            connected(flow, now_ms)
        }
        Purpose::TokenExchange | Purpose::Revoke => {
            flow.account = Some(account);
            fail_after_tokens(flow, unexpected_answer(provider), now_ms)
        }
    }
}

fn connected(mut flow: Flow, now_ms: u64) -> Advance {
    let provider = flow.provider();
    let (Some(tokens), Some(account)) = (flow.tokens.take(), flow.account.clone()) else {
        return fail(flow, unexpected_answer(provider), now_ms);
    };
    let event = Event::Verified {
        aliases: account.aliases.clone(),
    };
    match transition(&flow.account_state, &event, now_ms) {
        Ok(state) => flow.account_state = state,
        Err(e) => return fail(flow, e.into(), now_ms),
    }
    let tokens = TokenState::new(provider, tokens, flow.pending.requested_scopes.clone());
    let step = Step::Connected {
        account,
        tokens: Box::new(tokens),
    };
    flow.phase = Phase::Done { step: step.clone() };
    advance(flow, step)
}

/// Ends the flow: nothing is kept, the account returns to its previous state.
fn fail(mut flow: Flow, error: FlowError, now_ms: u64) -> Advance {
    flow.tokens = None;
    let event = Event::Failed {
        code: error.code.clone(),
        message: error.message.clone(),
    };
    flow.account_state = transition(&flow.account_state, &event, now_ms)
        .unwrap_or_else(|_| flow.previous_state.clone());
    let step = Step::Failed { error };
    flow.phase = Phase::Done { step: step.clone() };
    advance(flow, step)
}

/// Ends the flow after tokens were issued: they are discarded, and Google's
/// are revoked first (its answer doesn't matter). Microsoft has no
/// revocation endpoint for one grant, so its tokens are only dropped.
fn fail_after_tokens(mut flow: Flow, error: FlowError, now_ms: u64) -> Advance {
    let Some(tokens) = flow.tokens.take() else {
        return fail(flow, error, now_ms);
    };
    let provider = flow.provider();
    let mut error = error;
    match provider {
        OAuthProvider::Google => {
            error.message = format!(
                "{} Inlay has withdrawn the access Google just gave it and kept nothing.",
                error.message
            );
            // Revoking the refresh token ends the whole grant.
            let token = tokens.refresh_token.unwrap_or(tokens.access_token);
            match plan_revoke(provider, &token, AccountType::Unknown) {
                RevocationPlan::Request { request } => {
                    flow.phase = Phase::Revoking {
                        request: request.clone(),
                        error,
                    };
                    advance(
                        flow,
                        Step::Http {
                            request,
                            purpose: Purpose::Revoke,
                        },
                    )
                }
                RevocationPlan::LocalOnly { .. } => fail(flow, error, now_ms),
            }
        }
        OAuthProvider::Microsoft => {
            error.message = format!(
                "{} Inlay discarded the access Microsoft just gave it and kept nothing.",
                error.message
            );
            fail(flow, error, now_ms)
        }
    }
}
