//! Google's part of the connect flow (through [`crate::connect`]'s
//! `SignInSteps`): the ID token names the account, then the send-as list
//! gives its aliases and name; after a failure the grant is revoked.

use crate::auth::OAuthProvider;
use crate::auth::{
    AccountIdentity, AccountType, RevocationPlan, TokenSet, plan_revoke, verify_account,
};
use crate::connect::steps::{Next, SignInSteps, SignedIn, Withdrawal};
use crate::connect::{FlowError, Purpose};
use crate::detect::same_mailbox;
use crate::http::HttpResponse;
use crate::provider::{Api, bearer_get};

use super::{GMAIL_SEND_AS_URL, parse_send_as};

/// Google's connect steps.
pub(crate) struct Steps;

impl SignInSteps for Steps {
    fn api(&self, purpose: Purpose) -> Api {
        match purpose {
            Purpose::TokenExchange | Purpose::Revoke => Api::GoogleToken,
            _ => Api::Gmail,
        }
    }

    fn after_tokens(&self, s: SignedIn<'_>) -> Next {
        let identity = s
            .tokens
            .id_claims
            .as_ref()
            .map(AccountIdentity::from_claims)
            .unwrap_or(AccountIdentity {
                addresses: Vec::new(),
            });
        if let Err(e) = verify_account(s.entered, &identity) {
            return Next::Fail(e.into());
        }
        if s.features.send_as_aliases {
            Next::Request {
                purpose: Purpose::SendAs,
                request: bearer_get(GMAIL_SEND_AS_URL, &s.tokens.access_token),
            }
        } else {
            Next::Connected
        }
    }

    fn on_answer(
        &self,
        purpose: Purpose,
        response: &HttpResponse,
        s: SignedIn<'_>,
    ) -> Option<Next> {
        if purpose != Purpose::SendAs {
            return None;
        }
        let list = parse_send_as(&response.body)?;
        let account = s.account;
        account.aliases = list
            .aliases
            .into_iter()
            .filter(|a| !same_mailbox(a, &account.address))
            .collect();
        account.display_name = list.display_name.or(account.display_name.take());
        Some(Next::Connected)
    }

    /// Revoking the refresh token ends the whole grant.
    fn withdraw(&self, mut error: FlowError, tokens: TokenSet) -> Withdrawal {
        error.message = format!(
            "{} Inlay has withdrawn the access Google just gave it and kept nothing.",
            error.message
        );
        let token = tokens.refresh_token.unwrap_or(tokens.access_token);
        let revoke = match plan_revoke(OAuthProvider::Google, &token, AccountType::Unknown) {
            RevocationPlan::Request { request } => Some(request),
            RevocationPlan::LocalOnly { .. } => None,
        };
        Withdrawal { error, revoke }
    }
}
