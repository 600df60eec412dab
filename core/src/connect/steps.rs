//! What the connect flow asks of a provider: the one small interface
//! between the flow's phases (here) and the provider's own requests and
//! answer reading ([`crate::provider::gmail::connect`],
//! [`crate::provider::graph::connect`]).

use super::{ConnectedAccount, FlowError, Purpose};
use crate::auth::{Features, OAuthProvider, TokenSet};
use crate::http::{HttpRequest, HttpResponse};
use crate::provider::{Api, gmail, graph};

/// What the provider decides after the tokens, or after an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Next {
    /// Make this request; its answer comes back to [`SignInSteps::on_answer`].
    Request {
        purpose: Purpose,
        request: HttpRequest,
    },
    /// Every check is made: the account is connected.
    Connected,
    /// Stop with this error (the flow withdraws the tokens).
    Fail(FlowError),
}

/// What the provider's steps may read and update.
pub(crate) struct SignedIn<'a> {
    /// The address the user entered.
    pub entered: &'a str,
    /// The features requested.
    pub features: Features,
    /// The tokens from the code exchange (ID-token claims included).
    pub tokens: &'a TokenSet,
    /// The account as known so far.
    pub account: &'a mut ConnectedAccount,
}

/// How the flow withdraws tokens after a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Withdrawal {
    /// The error, its sentence completed with what happened to the access.
    pub error: FlowError,
    /// The revocation to send first (its answer doesn't matter), if any.
    pub revoke: Option<HttpRequest>,
}

/// One provider's part of the connect flow.
pub(crate) trait SignInSteps {
    /// The API answering a request made for `purpose`.
    fn api(&self, purpose: Purpose) -> Api;
    /// The first check after the code exchange.
    fn after_tokens(&self, signed_in: SignedIn<'_>) -> Next;
    /// An answer the provider reads before the common error handling
    /// (a status that means something particular for this request).
    fn before_reading(
        &self,
        _purpose: Purpose,
        _response: &HttpResponse,
        _signed_in: SignedIn<'_>,
    ) -> Option<Next> {
        None
    }
    /// A successful answer to a request made for `purpose`; `None` when it
    /// can't be read.
    fn on_answer(
        &self,
        purpose: Purpose,
        response: &HttpResponse,
        signed_in: SignedIn<'_>,
    ) -> Option<Next>;
    /// How to give the tokens back after `error`.
    fn withdraw(&self, error: FlowError, tokens: TokenSet) -> Withdrawal;
}

/// The provider's steps.
pub(crate) fn steps_for(provider: OAuthProvider) -> &'static dyn SignInSteps {
    match provider {
        OAuthProvider::Google => &gmail::connect::Steps,
        OAuthProvider::Microsoft => &graph::connect::Steps,
    }
}
