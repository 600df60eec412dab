//! Token lifecycle for one connected account: when to use the access token,
//! refresh it, renew a Microsoft sign-in silently, wait, or ask the user.
//!
//! Single-flight: [`TokenState::access`] marks a renewal as in flight, so of
//! any number of callers only the first is told to renew; the others use the
//! still-valid token or wait. The state is a plain value the service worker
//! persists; `access` and the `on_*` methods are its only mutations.
//!
//! The caller's duties: persist the state after every call that returns a
//! renewal and after every `on_*` call that answers [`RenewalResult::Keep`],
//! and persist a rotated refresh token BEFORE using the new access token (so
//! a worker killed in between can't be left holding only a refresh token the
//! server has already replaced).
//!
//! Disconnect: [`TokenState::disconnect`] turns the state into a marker that
//! holds no token but still knows the renewal in flight. The caller keeps it
//! (in memory) in place of the state; a renewal that finishes afterwards is
//! answered [`RenewalResult::Discard`], so nothing is written back, and its
//! new tokens are revoked where the provider has a revocation endpoint.

use serde::{Deserialize, Serialize};

use crate::auth::{
    AccountType, Features, OAuthClient, OAuthProvider, RevocationPlan, TokenError,
    TokenExpectations, TokenSet, interpret_token_response, plan_refresh, plan_revoke, scopes_for,
};
use crate::backoff::{Backoff, Pause};
use crate::http::HttpRequest;
use crate::machine::Moment;
use crate::provider::{self, Api, Attempt, Disposition, Outcome};

/// Treat an access token as expired this long before its stated expiry.
pub const CLOCK_SKEW_MS: u64 = 60_000;
/// Refresh in the background when the access token is this close to expiry.
pub const PROACTIVE_REFRESH_MS: u64 = 5 * 60_000;
/// A refresh in flight longer than this is presumed lost (the worker died).
pub const STUCK_REFRESH_MS: u64 = 30_000;
/// A silent re-authorization in flight longer than this is presumed lost.
pub const STUCK_SILENT_MS: u64 = 120_000;
/// Microsoft: renew the 24 h sign-in silently this long before it ends (at 23 h).
pub const SILENT_RENEWAL_LEAD_MS: u64 = 60 * 60_000;
/// A caller asks [`TokenState::access_round`] at most this many times for
/// one token (each round follows a renewal or a wait)...
pub const ACCESS_ROUNDS: u32 = 10;
/// ...waits this long for a renewal it can't join (one another worker
/// started, whose end it can't await)...
pub const JOIN_WAIT_MS: u64 = 1_000;
/// ...and after the last round is told to come back this much later.
pub const ACCESS_GIVE_UP_MS: u64 = 60_000;

/// Which renewal is in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RenewalKind {
    /// A refresh-token grant.
    Refresh,
    /// A non-interactive `launchWebAuthFlow` (Microsoft's 24 h limit).
    SilentReauthorize,
}

impl RenewalKind {
    fn stuck_after_ms(self) -> u64 {
        match self {
            RenewalKind::Refresh => STUCK_REFRESH_MS,
            RenewalKind::SilentReauthorize => STUCK_SILENT_MS,
        }
    }
}

/// A renewal in flight; its `id` ties the result to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Renewal {
    /// What kind.
    pub kind: RenewalKind,
    /// Ticket passed back with the result.
    pub id: u32,
    /// When it started (unix ms).
    pub started_at_ms: u64,
}

/// Why tokens can no longer be used without the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum TokenProblem {
    /// The user must sign in again.
    Reauthenticate { code: String, message: String },
    /// Signing in again won't help (e.g. our client is misconfigured).
    Failed { code: String, message: String },
}

/// A renewal to start while the current token keeps working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum BackgroundRenewal {
    /// Send this refresh request; report with `on_refresh_result(id, …)`.
    Refresh { id: u32, request: HttpRequest },
    /// Run `launchWebAuthFlow` with `interactive: false`; report with
    /// `on_silent_reauthorize_result(id, …)`.
    SilentReauthorize { id: u32 },
}

/// What a caller wanting to make an API call should do now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Access {
    /// Use this token; if `background` is set, also start that renewal.
    Use {
        access_token: String,
        background: Option<BackgroundRenewal>,
    },
    /// The token is expired: send this refresh, then call `access` again.
    Refresh { id: u32, request: HttpRequest },
    /// Run a silent re-authorization (Microsoft), then call `access` again.
    SilentReauthorize { id: u32 },
    /// Another caller's renewal is in flight: join it, or, when it can't be
    /// awaited (another worker's), ask again at `until_ms`.
    Wait { until_ms: u64 },
    /// Renewal failed for now; don't try before `at_ms`.
    RetryAt { at_ms: u64, reason: String },
    /// The user must sign in again.
    Reauthenticate { code: String, message: String },
    /// Tokens can't be renewed and signing in won't fix it.
    Failed { code: String, message: String },
    /// The user disconnected the inbox: there are no tokens to use.
    Disconnected { message: String },
}

/// What the caller does with the state after a renewal's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum RenewalResult {
    /// Persist the state (the result was applied, or ignored as stale).
    Keep,
    /// The inbox was disconnected while the renewal ran: persist nothing,
    /// keep the disconnected marker, and send `revoke` if there is one so
    /// the tokens the renewal obtained die too.
    Discard { revoke: Option<HttpRequest> },
}

/// A renewal's result after the part every kind shares ([`TokenState::settle`]).
enum Settled<E> {
    /// Nothing more to do: answer this.
    Done(RenewalResult),
    /// The current renewal failed with this error.
    Failed(E),
}

/// Everything about one account's tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenState {
    /// Who issued the tokens.
    pub provider: OAuthProvider,
    /// Current access token.
    pub access_token: String,
    /// Its expiry (unix ms).
    pub expires_at_ms: u64,
    /// Current refresh token.
    pub refresh_token: Option<String>,
    /// When the refresh token dies, if fixed: Microsoft SPA sign-in + 24 h,
    /// not extended by refreshing.
    pub refresh_token_expires_at_ms: Option<u64>,
    /// Scopes to send with a Microsoft refresh.
    pub scopes: Vec<String>,
    /// The renewal in flight, if any.
    pub renewal: Option<Renewal>,
    /// Consecutive transient renewal failures.
    pub failures: u32,
    /// After a transient failure: no renewal before this time.
    pub retry_not_before_ms: Option<u64>,
    /// Why the last renewal failed (for `RetryAt`).
    pub last_error: Option<String>,
    /// Set when the tokens are unusable without the user.
    pub problem: Option<TokenProblem>,
    /// Next renewal ticket.
    pub next_id: u32,
    /// This sign-in's first ticket: its time in seconds, so that a renewal
    /// started before a disconnect and a new sign-in never passes for one of
    /// the new sign-in's (states stored before this field start at 1).
    #[serde(default = "first_ticket")]
    pub first_id: u32,
    /// Set by [`TokenState::disconnect`]; the state then holds no token.
    #[serde(default)]
    pub disconnected: bool,
}

fn first_ticket() -> u32 {
    1
}

impl TokenState {
    /// State after a completed sign-in. `scopes` are the requested scopes.
    pub fn new(provider: OAuthProvider, tokens: TokenSet, scopes: Vec<String>) -> Self {
        let first_id = ((tokens.obtained_at_ms / 1000) as u32).max(1);
        TokenState {
            provider,
            access_token: tokens.access_token,
            expires_at_ms: tokens.expires_at_ms,
            refresh_token: tokens.refresh_token,
            refresh_token_expires_at_ms: tokens.refresh_token_expires_at_ms,
            scopes,
            renewal: None,
            failures: 0,
            retry_not_before_ms: None,
            last_error: None,
            problem: None,
            next_id: first_id,
            first_id,
            disconnected: false,
        }
    }

    /// The user disconnected the inbox. The tokens are dropped from this
    /// state (revoke them first, with [`crate::connect::revoke_plan`]); the
    /// renewal in flight is kept so that its result is recognised and
    /// discarded when it arrives.
    pub fn disconnect(&mut self) {
        self.disconnected = true;
        self.access_token.clear();
        self.expires_at_ms = 0;
        self.refresh_token = None;
        self.refresh_token_expires_at_ms = None;
        self.retry_not_before_ms = None;
        self.last_error = None;
        self.problem = None;
    }

    /// A renewal's result after disconnect: nothing is kept, and tokens it
    /// obtained are revoked where the provider allows it (Google; Microsoft
    /// has no revocation endpoint). The refresh token is revoked when there
    /// is one, which ends the grant's access tokens too.
    fn discard(&self, obtained: Option<&TokenSet>) -> RenewalResult {
        let revoke = obtained.and_then(|t| {
            let token = t.refresh_token.as_deref().unwrap_or(&t.access_token);
            match plan_revoke(self.provider, token, AccountType::Unknown) {
                RevocationPlan::Request { request } => Some(request),
                RevocationPlan::LocalOnly { .. } => None,
            }
        });
        RenewalResult::Discard { revoke }
    }

    /// Whether the access token can be used at `now_ms` (with clock skew).
    pub fn access_token_usable(&self, now_ms: u64) -> bool {
        now_ms.saturating_add(CLOCK_SKEW_MS) < self.expires_at_ms
    }

    fn start(&mut self, kind: RenewalKind, now_ms: u64) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        self.renewal = Some(Renewal {
            kind,
            id,
            started_at_ms: now_ms,
        });
        id
    }

    /// Decides what a caller should do now, and marks any renewal it hands
    /// out as in flight (so concurrent callers get `Wait` or `Use`).
    pub fn access(&mut self, client: &OAuthClient, now_ms: u64) -> Access {
        if self.disconnected {
            return Access::Disconnected {
                message: format!(
                    "This {} inbox was disconnected from Inlay. Connect it again to use it.",
                    self.provider.display_name()
                ),
            };
        }
        match &self.problem {
            Some(TokenProblem::Reauthenticate { code, message }) => {
                return Access::Reauthenticate {
                    code: code.clone(),
                    message: message.clone(),
                };
            }
            Some(TokenProblem::Failed { code, message }) => {
                return Access::Failed {
                    code: code.clone(),
                    message: message.clone(),
                };
            }
            None => {}
        }
        if let Some(r) = self.renewal
            && now_ms.saturating_sub(r.started_at_ms) > r.kind.stuck_after_ms()
        {
            self.renewal = None;
        }
        let usable = self.access_token_usable(now_ms);
        let token = self.access_token.clone();
        let use_token = |background| Access::Use {
            access_token: token.clone(),
            background,
        };
        if self.renewal.is_some() {
            return if usable {
                use_token(None)
            } else {
                Access::Wait {
                    until_ms: now_ms.saturating_add(JOIN_WAIT_MS),
                }
            };
        }
        if let Some(at_ms) = self.retry_not_before_ms.filter(|&t| now_ms < t) {
            return if usable {
                use_token(None)
            } else {
                Access::RetryAt {
                    at_ms,
                    reason: self.last_error.clone().unwrap_or_default(),
                }
            };
        }

        let refresh_alive = self.refresh_token.is_some()
            && self
                .refresh_token_expires_at_ms
                .is_none_or(|e| now_ms.saturating_add(CLOCK_SKEW_MS) < e);
        let silent_due = self.provider == OAuthProvider::Microsoft
            && self
                .refresh_token_expires_at_ms
                .is_some_and(|e| now_ms.saturating_add(SILENT_RENEWAL_LEAD_MS) >= e);
        let near_expiry = now_ms.saturating_add(PROACTIVE_REFRESH_MS) >= self.expires_at_ms;
        if usable && !near_expiry && !silent_due {
            return use_token(None);
        }
        let kind = if silent_due {
            Some(RenewalKind::SilentReauthorize)
        } else if refresh_alive {
            Some(RenewalKind::Refresh)
        } else {
            None
        };
        match kind {
            None if usable => use_token(None),
            None => Access::Reauthenticate {
                code: "noRefreshToken".into(),
                message: format!(
                    "Inlay's access to your {} account has ended. Sign in again to reconnect.",
                    self.provider.display_name()
                ),
            },
            Some(RenewalKind::Refresh) => {
                let id = self.start(RenewalKind::Refresh, now_ms);
                let request = plan_refresh(
                    self.provider,
                    client,
                    self.refresh_token.as_deref().unwrap_or_default(),
                    &self.scopes,
                );
                if usable {
                    use_token(Some(BackgroundRenewal::Refresh { id, request }))
                } else {
                    Access::Refresh { id, request }
                }
            }
            Some(RenewalKind::SilentReauthorize) => {
                let id = self.start(RenewalKind::SilentReauthorize, now_ms);
                if usable {
                    use_token(Some(BackgroundRenewal::SilentReauthorize { id }))
                } else {
                    Access::SilentReauthorize { id }
                }
            }
        }
    }

    /// [`Self::access`] for a caller's round number `round` (0 first; one
    /// more after each renewal or wait): after [`ACCESS_ROUNDS`] the caller
    /// stops and is told to try again [`ACCESS_GIVE_UP_MS`] later, so a
    /// renewal that never settles can't hold it forever.
    pub fn access_round(&mut self, client: &OAuthClient, round: u32, now_ms: u64) -> Access {
        if round >= ACCESS_ROUNDS {
            return Access::RetryAt {
                at_ms: now_ms.saturating_add(ACCESS_GIVE_UP_MS),
                reason: format!(
                    "Signing in to {} is taking too long; Inlay will try again shortly.",
                    self.provider.display_name()
                ),
            };
        }
        self.access(client, now_ms)
    }

    /// An API rejected `rejected` (401 → `RefreshToken`): the next `access`
    /// refreshes even if the clock says it is still valid. A rejection of an
    /// older token (a request that was in flight while another caller already
    /// refreshed) changes nothing, so concurrent 401s cause one refresh.
    /// Returns whether the current token was invalidated.
    pub fn invalidate_access_token(&mut self, rejected: &str) -> bool {
        if rejected != self.access_token {
            return false;
        }
        self.expires_at_ms = 0;
        true
    }

    /// Whether `id` is the renewal in flight.
    fn is_current(&self, id: u32) -> bool {
        self.renewal.is_some_and(|r| r.id == id)
    }

    /// Whether this sign-in handed out ticket `id` (tickets count up from
    /// `first_id`, wrapping).
    fn issued(&self, id: u32) -> bool {
        id.wrapping_sub(self.first_id) < self.next_id.wrapping_sub(self.first_id)
    }

    /// Applies new tokens. A refresh keeps the fixed refresh-token expiry;
    /// a fresh sign-in (silent re-authorization) sets a new one.
    fn apply(&mut self, tokens: TokenSet, kind: RenewalKind) {
        self.access_token = tokens.access_token;
        self.expires_at_ms = tokens.expires_at_ms;
        if let Some(rt) = tokens.refresh_token {
            // Rotation: the new refresh token replaces the old one.
            self.refresh_token = Some(rt);
        }
        self.refresh_token_expires_at_ms = match kind {
            RenewalKind::SilentReauthorize => tokens.refresh_token_expires_at_ms,
            RenewalKind::Refresh => match (
                self.refresh_token_expires_at_ms,
                tokens.refresh_token_expires_at_ms,
            ) {
                (Some(old), Some(new)) => Some(old.min(new)),
                (old, new) => old.or(new),
            },
        };
        self.failures = 0;
        self.retry_not_before_ms = None;
        self.last_error = None;
        self.problem = None;
    }

    /// Reports a refresh's result. A success is applied even from a renewal
    /// presumed stuck if it carries a later expiry; a failure from a stale
    /// renewal is ignored (a newer one is in charge). Transient failures
    /// back off with `jitter` and keep retrying at the backoff cap; other
    /// failures require the user. After [`Self::disconnect`] every result
    /// is discarded.
    pub fn on_refresh_result(
        &mut self,
        id: u32,
        now_ms: u64,
        result: Result<TokenSet, TokenError>,
        jitter: u32,
    ) -> RenewalResult {
        let error = match self.settle(id, result, RenewalKind::Refresh) {
            Settled::Done(answer) => return answer,
            Settled::Failed(error) => error,
        };
        match &error {
            TokenError::Endpoint {
                disposition: Disposition::RetryAfter { after_ms, reason },
                ..
            } => {
                self.failures = self.failures.saturating_add(1);
                // Renewal never gives up on a transient failure: it
                // keeps trying at the backoff's last step.
                let backoff = Backoff::PROVIDER;
                let attempt = (self.failures - 1).min(backoff.max_attempts - 1);
                let random = jitter.to_le_bytes();
                let at = Moment {
                    now_ms,
                    random: &random,
                };
                let until_ms = match backoff.next(attempt, Some(*after_ms), at) {
                    Pause::Wait { until_ms, .. } => until_ms,
                    Pause::GiveUp { .. } => now_ms.saturating_add(backoff.max_ms),
                };
                self.retry_not_before_ms = Some(until_ms);
                self.last_error = Some(reason.clone());
            }
            TokenError::Endpoint {
                disposition: Disposition::Fail { code, message },
                ..
            } => {
                self.problem = Some(TokenProblem::Failed {
                    code: code.clone(),
                    message: message.clone(),
                });
            }
            TokenError::Endpoint {
                disposition: Disposition::Reauthenticate { code, message },
                ..
            } => {
                self.problem = Some(TokenProblem::Reauthenticate {
                    code: code.clone(),
                    message: message.clone(),
                });
            }
            other => {
                self.problem = Some(TokenProblem::Reauthenticate {
                    code: other.code().into(),
                    message: other.message().into(),
                });
            }
        }
        RenewalResult::Keep
    }

    /// Reports a silent re-authorization's result (the code exchange after a
    /// non-interactive `launchWebAuthFlow`). Any failure means the user must
    /// sign in interactively; `detail` is kept for diagnostics. After
    /// [`Self::disconnect`] every result is discarded.
    pub fn on_silent_reauthorize_result(
        &mut self,
        id: u32,
        result: Result<TokenSet, String>,
    ) -> RenewalResult {
        let detail = match self.settle(id, result, RenewalKind::SilentReauthorize) {
            Settled::Done(answer) => return answer,
            Settled::Failed(detail) => detail,
        };
        self.last_error = Some(detail);
        self.problem = Some(TokenProblem::Reauthenticate {
            code: "silentRenewalFailed".into(),
            message: "Microsoft needs you to sign in again to keep Inlay connected (browser sign-ins last 24 hours). Click Reconnect.".into(),
        });
        RenewalResult::Keep
    }

    /// What every renewal's result shares. After [`Self::disconnect`] it is
    /// discarded. A success is applied when it is the current renewal's, or a
    /// late one of this sign-in's own renewal (presumed stuck) with a later
    /// expiry; one of an earlier sign-in never counts. A failure of a renewal
    /// no longer current is ignored (a newer one is in charge); the current
    /// one's failure is handed back for the caller to read.
    fn settle<E>(&mut self, id: u32, result: Result<TokenSet, E>, kind: RenewalKind) -> Settled<E> {
        if self.disconnected {
            if self.is_current(id) {
                self.renewal = None;
            }
            return Settled::Done(self.discard(result.as_ref().ok()));
        }
        let current = self.is_current(id);
        if current {
            self.renewal = None;
        }
        match result {
            Ok(tokens) => {
                if current || (self.issued(id) && tokens.expires_at_ms > self.expires_at_ms) {
                    self.apply(tokens, kind);
                }
                Settled::Done(RenewalResult::Keep)
            }
            Err(error) if current => Settled::Failed(error),
            Err(_) => Settled::Done(RenewalResult::Keep),
        }
    }

    /// The features these tokens were requested for, read back from the
    /// requested scopes (what a refresh must still grant).
    pub fn features(&self) -> Features {
        // A feature with no scope of its own at this provider (Gmail has no
        // deferred delivery) is not on.
        let has = |features: Features| {
            let needed: Vec<_> = scopes_for(self.provider, &features)
                .into_iter()
                .filter(|s| s.required_for_feature)
                .collect();
            !needed.is_empty()
                && needed.iter().all(|s| {
                    let wanted = crate::auth::normalize_scope(self.provider, &s.scope);
                    self.scopes
                        .iter()
                        .any(|x| crate::auth::normalize_scope(self.provider, x) == wanted)
                })
        };
        let none = Features {
            send: false,
            send_as_aliases: false,
            mailbox_settings: false,
            sent_check: false,
            scheduled_delivery: false,
        };
        Features {
            send: has(Features { send: true, ..none }),
            send_as_aliases: has(Features {
                send_as_aliases: true,
                ..none
            }),
            mailbox_settings: has(Features {
                mailbox_settings: true,
                ..none
            }),
            sent_check: has(Features {
                sent_check: true,
                ..none
            }),
            scheduled_delivery: has(Features {
                scheduled_delivery: true,
                ..none
            }),
        }
    }

    /// Reports what the refresh request of renewal `id` got: reads the
    /// token response (with [`TokenExpectations::for_refresh`]) or the
    /// transport failure, then applies it with [`Self::on_refresh_result`].
    pub fn on_refresh_outcome(
        &mut self,
        id: u32,
        outcome: &Outcome,
        client: &OAuthClient,
        now_ms: u64,
        jitter: u32,
    ) -> RenewalResult {
        let api = match self.provider {
            OAuthProvider::Google => Api::GoogleToken,
            OAuthProvider::Microsoft => Api::MicrosoftToken,
        };
        let result = match outcome {
            Outcome::Response { response } => {
                let expect =
                    TokenExpectations::for_refresh(self.provider, client, &self.features());
                interpret_token_response(&expect, response, now_ms)
            }
            Outcome::Transport { .. } => {
                let attempt = Attempt {
                    number: 0,
                    after_refresh: false,
                    now_ms,
                    jitter: 0,
                };
                let disposition = provider::classify(api, outcome, &attempt, &Backoff::PROVIDER);
                Err(TokenError::Endpoint {
                    message: format!(
                        "{} couldn't be reached. Inlay will try again shortly.",
                        self.provider.display_name()
                    ),
                    disposition,
                })
            }
        };
        // A server's absurd Retry-After must not push the next try past
        // what JavaScript can hold; a day is long enough.
        let result = result.map_err(|e| match e {
            TokenError::Endpoint {
                disposition: Disposition::RetryAfter { after_ms, reason },
                message,
            } => TokenError::Endpoint {
                disposition: Disposition::RetryAfter {
                    after_ms: after_ms.min(crate::accounts::MAX_RETRY_AFTER_MS),
                    reason,
                },
                message,
            },
            other => other,
        });
        self.on_refresh_result(id, now_ms, result, jitter)
    }

    /// Reports a silent re-authorization's result as the connect flow
    /// gave it: the `connected` step's tokens, or a failure.
    pub fn on_silent_result(&mut self, id: u32, result: SilentResult) -> RenewalResult {
        let result = match result {
            SilentResult::Connected { tokens } => Ok(TokenSet {
                access_token: tokens.access_token,
                expires_at_ms: tokens.expires_at_ms,
                refresh_token: tokens.refresh_token,
                refresh_token_expires_at_ms: tokens.refresh_token_expires_at_ms,
                granted_scopes: tokens.scopes,
                id_claims: None,
                obtained_at_ms: 0,
            }),
            SilentResult::Failed { message } => Err(message),
        };
        self.on_silent_reauthorize_result(id, result)
    }
}

/// The outcome of a silent re-authorization (a connect flow in `silent`
/// mode), for [`TokenState::on_silent_result`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum SilentResult {
    /// The flow's `connected` step: its tokens.
    Connected { tokens: Box<TokenState> },
    /// The flow failed; `message` is kept for diagnostics.
    Failed { message: String },
}
