//! The flow's state machine: [`ConnectFlow`], a [`Machine`].

use serde::{Deserialize, Serialize};

use super::steps::{Next, SignedIn, steps_for};
use super::{
    ConnectInput, ConnectMode, ConnectedAccount, ErrorCode, FlowError, Purpose, RANDOM_BYTES,
    features_with, oauth_provider, redirect_uri,
};
use crate::accounts::{
    AccountRegistry, ConnectPolicy, ConnectionState, Event, InvalidTransition, transition,
};
use crate::auth::TokenState;
use crate::auth::{
    AccountIdentity, AccountType, AuthorizationParams, AuthorizationSecrets, Features, OAuthClient,
    OAuthProvider, PendingAuthorization, TokenError, TokenExpectations, TokenSet,
    complete_authorization, interpret_token_response, plan_authorization, scopes_for,
};
use crate::backoff::{Backoff, GiveUp, Pause, pause_in_words};
use crate::detect::{ConnectionKind, parse_address, same_mailbox};
use crate::http::{HttpRequest, HttpResponse};
use crate::machine::{self, Input, Machine, Moment, NoQuestion};
use crate::provider::{self, Attempt, Disposition, Outcome};

/// Retries inside a connect flow: the user is watching, so fewer and
/// shorter than for background calls. A `Retry-After` still wins, up to
/// [`MAX_FLOW_WAIT_MS`].
pub const FLOW_BACKOFF: Backoff = Backoff {
    base_ms: 1_000,
    max_ms: 16_000,
    max_attempts: 4,
    max_wait_ms: Some(MAX_FLOW_WAIT_MS),
};

/// A provider asking for a longer pause than this ends the flow: the user
/// is better told to try later than left watching a spinner.
pub const MAX_FLOW_WAIT_MS: u64 = 2 * 60_000;

/// What a connect flow ends with: the account and its first tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connected {
    /// The account connected.
    pub account: ConnectedAccount,
    /// Its token state, to persist.
    pub tokens: Box<TokenState>,
}

/// The connect flow's steps: requests for a [`Purpose`], no question,
/// [`Connected`] or a [`FlowError`].
pub type Step = machine::Step<Purpose, NoQuestion, Connected, FlowError>;

/// The connect flow as a [`Machine`]. Built from its [`ConnectInput`]
/// ([`ConnectFlow::new`]); [`Machine::start`] checks the rules and opens
/// the sign-in. Plain data the worker keeps in memory between calls (it
/// holds the PKCE verifier, then the tokens: never written to disk).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ConnectFlow {
    /// Not started.
    New { input: Box<ConnectInput> },
    /// Refused at the start: nothing was changed.
    Refused {
        error: FlowError,
        account_state: ConnectionState,
    },
    /// Started: the sign-in and the checks after it.
    Running(Box<Flow>),
}

/// Every call's answer as the worker uses it: the machine to keep, the step
/// to execute, and the account's state after this step (the worker stores
/// it so the pages show the progress).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Advance {
    /// Keep this and pass it to the next call.
    pub flow: ConnectFlow,
    /// What to do now.
    pub step: Step,
    /// The account's state after this step.
    pub account_state: ConnectionState,
}

impl ConnectFlow {
    /// A flow for `input`, not started.
    pub fn new(input: ConnectInput) -> Self {
        ConnectFlow::New {
            input: Box::new(input),
        }
    }

    /// The account's state now: before the start and after a refusal the
    /// state it had; then the flow's, computed with [`transition`] only.
    pub fn account_state(&self) -> &ConnectionState {
        match self {
            ConnectFlow::New { input } => &input.previous_state,
            ConnectFlow::Refused { account_state, .. } => account_state,
            ConnectFlow::Running(flow) => &flow.account_state,
        }
    }

    /// The flow after its start.
    pub fn running(&self) -> Option<&Flow> {
        match self {
            ConnectFlow::Running(flow) => Some(flow),
            _ => None,
        }
    }

    /// This machine, `step` and the account's state, as one answer.
    pub fn advance(self, step: Step) -> Advance {
        let account_state = self.account_state().clone();
        Advance {
            flow: self,
            step,
            account_state,
        }
    }

    /// The user cancelled: nothing is kept and the account returns to its
    /// previous state. A finished flow is left as it is.
    pub fn cancel(&mut self) -> Step {
        match self {
            ConnectFlow::Running(flow) => flow.cancel(),
            ConnectFlow::Refused { error, .. } => Step::Failed {
                error: error.clone(),
            },
            ConnectFlow::New { input } => {
                let error = cancelled(&input.address);
                *self = ConnectFlow::Refused {
                    error: error.clone(),
                    account_state: input.previous_state.clone(),
                };
                Step::Failed { error }
            }
        }
    }
}

impl Machine for ConnectFlow {
    type Purpose = Purpose;
    type Question = NoQuestion;
    type Answer = NoQuestion;
    type Result = Connected;
    type Error = FlowError;

    /// Checks the policy and the registry, refuses what this version can't
    /// connect, plans the authorization and moves the account to
    /// `authorizing`. A refusal changes nothing (the account stays in its
    /// previous state).
    fn start(&mut self, at: Moment<'_>) -> Step {
        let input = match self {
            ConnectFlow::New { input } => input,
            ConnectFlow::Running(flow) => return flow.out_of_order("a second start", at.now_ms),
            ConnectFlow::Refused { error, .. } => {
                return Step::Failed {
                    error: error.clone(),
                };
            }
        };
        match Flow::begin(input, at) {
            Ok((flow, step)) => {
                *self = ConnectFlow::Running(Box::new(flow));
                step
            }
            Err(error) => {
                *self = ConnectFlow::Refused {
                    error: error.clone(),
                    account_state: input.previous_state.clone(),
                };
                Step::Failed { error }
            }
        }
    }

    /// An input the flow isn't waiting for ends it (nothing half-done is
    /// kept); a finished flow returns its final step again.
    fn resume(&mut self, input: Input<NoQuestion>, at: Moment<'_>) -> Step {
        match self {
            ConnectFlow::Running(flow) => flow.resume(input, at),
            ConnectFlow::Refused { error, .. } => Step::Failed {
                error: error.clone(),
            },
            ConnectFlow::New { input: connect } => {
                let error = FlowError::new(
                    ErrorCode::UnexpectedInput,
                    format!(
                        "Inlay's connection steps got out of order ({} before the sign-in started), so it stopped to be safe. Please start connecting again.",
                        input_name(&input)
                    ),
                );
                *self = ConnectFlow::Refused {
                    error: error.clone(),
                    account_state: connect.previous_state.clone(),
                };
                Step::Failed { error }
            }
        }
    }
}

/// One connect flow after its start.
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

fn cancelled(address: &str) -> FlowError {
    FlowError::new(
        ErrorCode::Cancelled,
        format!("You cancelled connecting {address}. Nothing was changed."),
    )
}

impl Flow {
    /// The OAuth provider signed in with.
    pub fn provider(&self) -> OAuthProvider {
        self.pending.provider
    }

    fn begin(input: &ConnectInput, at: Moment<'_>) -> Result<(Flow, Step), FlowError> {
        let previous = &input.previous_state;
        let address = admit(
            &input.address,
            input.connect,
            input.mode != ConnectMode::Connect,
            previous,
            &input.registry,
            &input.policy,
        )?;
        let provider = oauth_provider(input.connect)?;
        let client = configured_client(input, provider)?;
        let random = at.random;
        if random.len() < RANDOM_BYTES {
            return Err(FlowError::new(
                ErrorCode::NotEnoughRandom,
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
        let features = features_with(provider, &input.optional_features)?;
        let interactive = input.mode != ConnectMode::Silent;
        let already_granted = match input.mode {
            ConnectMode::AddFeatures => input.granted_scopes.clone(),
            _ => Vec::new(),
        };
        let params = AuthorizationParams {
            provider,
            client: client.clone(),
            redirect_uri: redirect_uri(&input.redirect_base, provider),
            login_hint: Some(address.clone()),
            features,
            interactive,
            already_granted,
        };
        let plan = plan_authorization(&params, &secrets, at.now_ms)?;
        let account_state = authorizing(previous, &address, input.connect, input.mode, at.now_ms)?;
        let flow = Flow {
            address,
            connect: input.connect,
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
        let step = Step::AuthFlow {
            url: plan.url,
            interactive,
        };
        Ok((flow, step))
    }
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
                    ErrorCode::AddressMismatch,
                    format!(
                        "Inlay was asked to reconnect {address}, but this inbox is {known}. Close this window and reconnect from the inbox's own entry."
                    ),
                ));
            }
            if *kind != connect {
                return Err(FlowError::new(
                    ErrorCode::ProviderMismatch,
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
            ErrorCode::NotConnected,
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
            ErrorCode::ClientNotConfigured,
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
        ConnectMode::Reconnect | ConnectMode::Silent | ConnectMode::AddFeatures => {
            vec![Event::AuthorizationStarted]
        }
    };
    events.iter().try_fold(previous.clone(), |state, event| {
        transition(&state, event, now_ms)
    })
}

impl Flow {
    /// Feeds the result of the last step in and returns the next step.
    fn resume(&mut self, input: Input<NoQuestion>, at: Moment<'_>) -> Step {
        let now_ms = at.now_ms;
        match (self.phase.clone(), input) {
            (Phase::Done { step }, _) => step,
            (Phase::AwaitingRedirect, Input::Redirect { url }) => {
                match complete_authorization(&self.pending, &self.client, &url, now_ms) {
                    Ok(request) => self.send(Purpose::TokenExchange, request, 0),
                    Err(e) => self.fail(e.into(), now_ms),
                }
            }
            (Phase::AwaitingRedirect, Input::AuthFlowFailed { message }) => {
                let error = auth_flow_failed(self.provider(), self.mode, &message);
                self.fail(error, now_ms)
            }
            (
                Phase::AwaitingResponse {
                    purpose,
                    request,
                    attempt,
                },
                Input::Response { response },
            ) => self.on_outcome(
                purpose,
                request,
                attempt,
                Outcome::Response { response },
                at,
            ),
            (
                Phase::AwaitingResponse {
                    purpose,
                    request,
                    attempt,
                },
                Input::Transport { failure },
            ) => self.on_outcome(
                purpose,
                request,
                attempt,
                Outcome::Transport { failure },
                at,
            ),
            (
                Phase::Waiting {
                    until_ms, reason, ..
                },
                Input::Timer,
            ) if now_ms < until_ms => Step::Wait { until_ms, reason },
            (
                Phase::Waiting {
                    purpose,
                    request,
                    attempt,
                    ..
                },
                Input::Timer,
            ) => self.send(purpose, request, attempt),
            // Whatever the revocation answers, the tokens are gone from here.
            (Phase::Revoking { error, .. }, Input::Response { .. } | Input::Transport { .. }) => {
                self.fail(error, now_ms)
            }
            (_, input) => self.out_of_order(input_name(&input), now_ms),
        }
    }

    /// `what` came while the flow waited for something else: it ends (a
    /// finished flow repeats its final step).
    fn out_of_order(&mut self, what: &str, now_ms: u64) -> Step {
        if let Phase::Done { step } = &self.phase {
            return step.clone();
        }
        let error = FlowError::new(
            ErrorCode::UnexpectedInput,
            format!(
                "Inlay's connection steps got out of order ({what} while {}), so it stopped to be safe. Please start connecting again.",
                phase_name(&self.phase)
            ),
        );
        self.fail(error, now_ms)
    }

    /// The user cancelled: nothing is kept and the account returns to its
    /// previous state. A finished flow is left as it is.
    fn cancel(&mut self) -> Step {
        if let Phase::Done { step } = &self.phase {
            return step.clone();
        }
        self.tokens = None;
        self.account = None;
        self.account_state = transition(&self.account_state, &Event::Cancelled, 0)
            .unwrap_or_else(|_| self.previous_state.clone());
        let step = Step::Failed {
            error: cancelled(&self.address),
        };
        self.phase = Phase::Done { step: step.clone() };
        step
    }

    fn send(&mut self, purpose: Purpose, request: HttpRequest, attempt: u32) -> Step {
        self.phase = Phase::AwaitingResponse {
            purpose,
            request: request.clone(),
            attempt,
        };
        Step::Http { request, purpose }
    }

    /// What the provider's steps may read and update (`None` before the
    /// code exchange).
    fn signed_in(&mut self) -> Option<SignedIn<'_>> {
        Some(SignedIn {
            entered: &self.address,
            features: self.features,
            tokens: self.tokens.as_ref()?,
            account: self.account.as_mut()?,
        })
    }

    fn on_outcome(
        &mut self,
        purpose: Purpose,
        request: HttpRequest,
        attempt: u32,
        outcome: Outcome,
        at: Moment<'_>,
    ) -> Step {
        let now_ms = at.now_ms;
        let provider = self.provider();
        let steps = steps_for(provider);
        if let Outcome::Response { response } = &outcome
            && let Some(signed_in) = self.signed_in()
            && let Some(next) = steps.before_reading(purpose, response, signed_in)
        {
            return self.follow(next, now_ms);
        }
        let attempt_info = Attempt {
            number: attempt,
            after_refresh: false,
            now_ms,
            jitter: at.jitter(),
        };
        let disposition = provider::read(steps.api(purpose), &outcome, &attempt_info);
        match (disposition, outcome) {
            (
                Disposition::Retry {
                    retry_after_ms,
                    reason,
                },
                _,
            ) => match FLOW_BACKOFF.next(attempt, retry_after_ms, at) {
                Pause::Wait { until_ms, .. } => {
                    self.phase = Phase::Waiting {
                        purpose,
                        request,
                        attempt: attempt.saturating_add(1),
                        until_ms,
                        reason: reason.clone(),
                    };
                    Step::Wait { until_ms, reason }
                }
                Pause::GiveUp { reason: why } => {
                    let error = match why {
                        GiveUp::TooLong { wait_ms } => FlowError::new(
                            ErrorCode::ProviderBusy,
                            format!(
                                "{reason}, and asked Inlay to wait {}. Please try connecting again later.",
                                pause_in_words(wait_ms)
                            ),
                        ),
                        GiveUp::Exhausted => {
                            match provider::gave_up(steps.api(purpose).name(), &reason, why) {
                                Disposition::Fail { code, message } => {
                                    FlowError::new(ErrorCode::of(&code), message)
                                }
                                _ => unexpected_answer(provider),
                            }
                        }
                    };
                    self.fail_after_tokens(error, now_ms)
                }
            },
            // The token endpoint's errors are read by interpret_token_response.
            (_, Outcome::Response { response }) if purpose == Purpose::TokenExchange => {
                self.on_token_response(&response, now_ms)
            }
            (Disposition::Success, Outcome::Response { response }) => {
                let next = self
                    .signed_in()
                    .and_then(|signed_in| steps.on_answer(purpose, &response, signed_in))
                    .unwrap_or_else(|| Next::Fail(unexpected_answer(provider)));
                self.follow(next, now_ms)
            }
            (Disposition::RefreshToken, _) => {
                let name = provider.display_name();
                let error = FlowError::new(
                    ErrorCode::TokenRejected,
                    format!(
                        "{name} didn't accept the access it had just given Inlay. Please try connecting again."
                    ),
                );
                self.fail_after_tokens(error, now_ms)
            }
            (
                Disposition::Reauthenticate { code, message } | Disposition::Fail { code, message },
                _,
            ) => self.fail_after_tokens(FlowError::new(ErrorCode::of(&code), message), now_ms),
            // read leaves retries to the machine and never calls a missing
            // response a success.
            (Disposition::RetryAfter { .. } | Disposition::Success, _) => {
                self.fail_after_tokens(unexpected_answer(provider), now_ms)
            }
        }
    }

    /// Carries out what the provider's steps decided.
    fn follow(&mut self, next: Next, now_ms: u64) -> Step {
        match next {
            Next::Request { purpose, request } => self.send(purpose, request, 0),
            Next::Connected => self.connected(now_ms),
            Next::Fail(error) => self.fail_after_tokens(error, now_ms),
        }
    }

    fn on_token_response(&mut self, response: &HttpResponse, now_ms: u64) -> Step {
        let provider = self.provider();
        let expect = TokenExpectations::for_code(&self.pending, &self.client);
        let tokens = match interpret_token_response(&expect, response, now_ms) {
            Ok(tokens) => tokens,
            Err(TokenError::Endpoint {
                disposition,
                message,
            }) => {
                // The provider layer gives its codes as text.
                let code = match &disposition {
                    Disposition::Fail { code, .. } | Disposition::Reauthenticate { code, .. } => {
                        ErrorCode::of(code)
                    }
                    _ => ErrorCode::TokenRequestFailed,
                };
                return self.fail(FlowError::new(code, message), now_ms);
            }
            Err(other) => return self.fail(FlowError::new(other.code(), other.message()), now_ms),
        };
        match transition(&self.account_state, &Event::TokensReceived, now_ms) {
            Ok(state) => self.account_state = state,
            Err(e) => return self.fail(e.into(), now_ms),
        }
        let claims = tokens.id_claims.clone();
        let identity =
            claims
                .as_ref()
                .map(AccountIdentity::from_claims)
                .unwrap_or(AccountIdentity {
                    addresses: Vec::new(),
                });
        let account = ConnectedAccount {
            address: matched(&identity.addresses, &self.address),
            connect: self.connect,
            display_name: claims
                .as_ref()
                .and_then(|c| c.name.clone())
                .filter(|n| !n.trim().is_empty()),
            aliases: Vec::new(),
            account_type: claims
                .as_ref()
                .map_or(AccountType::Unknown, |c| c.account_type(provider)),
            notes: Vec::new(),
        };
        self.tokens = Some(tokens);
        self.account = Some(account);
        let next = match self.signed_in() {
            Some(signed_in) => steps_for(provider).after_tokens(signed_in),
            None => Next::Fail(unexpected_answer(provider)),
        };
        self.follow(next, now_ms)
    }

    fn connected(&mut self, now_ms: u64) -> Step {
        let provider = self.provider();
        let (Some(tokens), Some(account)) = (self.tokens.take(), self.account.clone()) else {
            return self.fail(unexpected_answer(provider), now_ms);
        };
        let event = Event::Verified {
            aliases: account.aliases.clone(),
        };
        match transition(&self.account_state, &event, now_ms) {
            Ok(state) => self.account_state = state,
            Err(e) => return self.fail(e.into(), now_ms),
        }
        // Every feature's scope, also those an incremental sign-in didn't ask
        // again (the token endpoint checked the grant holds them all).
        let scopes = scopes_for(provider, &self.features)
            .into_iter()
            .map(|s| s.scope)
            .collect();
        let tokens = TokenState::new(provider, tokens, scopes);
        let step = Step::Done {
            result: Connected {
                account,
                tokens: Box::new(tokens),
            },
        };
        self.phase = Phase::Done { step: step.clone() };
        step
    }

    /// Ends the flow: nothing is kept, the account returns to its previous state.
    fn fail(&mut self, error: FlowError, now_ms: u64) -> Step {
        self.tokens = None;
        let event = Event::Failed {
            code: error.code.as_str().into(),
            message: error.message.clone(),
        };
        self.account_state = transition(&self.account_state, &event, now_ms)
            .unwrap_or_else(|_| self.previous_state.clone());
        let step = Step::Failed { error };
        self.phase = Phase::Done { step: step.clone() };
        step
    }

    /// Ends the flow after tokens were issued: the provider says how they
    /// are given back (Google revokes the grant first, whatever it answers;
    /// Microsoft has no revocation for one grant, so they are dropped).
    fn fail_after_tokens(&mut self, error: FlowError, now_ms: u64) -> Step {
        let Some(tokens) = self.tokens.take() else {
            return self.fail(error, now_ms);
        };
        // Adding a feature to a connected inbox: a Google revocation would
        // withdraw the whole grant, the inbox's sending with it. The new
        // tokens are dropped instead and the stored ones stay (a wrong
        // account's tokens are still revoked: they aren't this inbox's).
        if self.mode == ConnectMode::AddFeatures && error.code != ErrorCode::WrongAccount {
            drop(tokens);
            let mut error = error;
            error.message = format!(
                "{} Your inbox keeps working as before, without the new feature.",
                error.message
            );
            return self.fail(error, now_ms);
        }
        let withdrawal = steps_for(self.provider()).withdraw(error, tokens);
        match withdrawal.revoke {
            Some(request) => {
                self.phase = Phase::Revoking {
                    request: request.clone(),
                    error: withdrawal.error,
                };
                Step::Http {
                    request,
                    purpose: Purpose::Revoke,
                }
            }
            None => self.fail(withdrawal.error, now_ms),
        }
    }
}

fn input_name(input: &Input<NoQuestion>) -> &'static str {
    match input {
        Input::Redirect { .. } => "a sign-in answer",
        Input::AuthFlowFailed { .. } => "a sign-in window failure",
        Input::Response { .. } => "a server answer",
        Input::Transport { .. } => "a network failure",
        Input::Timer => "a timer",
        Input::HelperReply { .. } | Input::HelperFailed { .. } => "a mail helper answer",
        Input::Answer { answer } => match *answer {},
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

fn unexpected_answer(provider: OAuthProvider) -> FlowError {
    FlowError::new(
        ErrorCode::UnexpectedResponse,
        format!(
            "{} sent an answer Inlay couldn't read, so the inbox couldn't be connected. Please try again later.",
            provider.display_name()
        ),
    )
}

/// The provider's spelling of the entered mailbox, or the entered address.
fn matched(addresses: &[String], entered: &str) -> String {
    addresses
        .iter()
        .find(|a| same_mailbox(a, entered))
        .cloned()
        .unwrap_or_else(|| entered.to_string())
}

/// `launchWebAuthFlow` rejected. Chrome's messages: "The user did not
/// approve access." (window closed), "User interaction required." (silent
/// mode needed a page), "Authorization page could not be loaded.".
fn auth_flow_failed(provider: OAuthProvider, mode: ConnectMode, message: &str) -> FlowError {
    let name = provider.display_name();
    let lower = message.to_ascii_lowercase();
    if mode == ConnectMode::Silent || lower.contains("interaction required") {
        return FlowError::new(
            ErrorCode::InteractionRequired,
            format!("{name} needs you to sign in again. Click Reconnect and finish the sign-in."),
        );
    }
    if lower.contains("did not approve") || lower.contains("closed") || lower.contains("cancel") {
        return FlowError::new(
            ErrorCode::Cancelled,
            format!(
                "You closed the {name} sign-in window, so nothing was connected. Connect again whenever you're ready."
            ),
        );
    }
    if lower.contains("could not be loaded") {
        return FlowError::new(
            ErrorCode::SignInUnavailable,
            format!(
                "The {name} sign-in page couldn't be loaded. Check your internet connection, then try again."
            ),
        );
    }
    let detail = message.trim();
    FlowError::new(
        ErrorCode::SignInFailed,
        format!(
            "The {name} sign-in didn't finish (the browser said: \"{detail}\"). Please try again."
        ),
    )
}
