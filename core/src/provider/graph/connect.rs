//! Microsoft's part of the connect flow (through [`crate::connect`]'s
//! `SignInSteps`): `/me` names the mailbox (with the ID token's names: a
//! work account's sign-in name can differ from its address), then the
//! mailbox settings say whether it is a shared mailbox, which can't be
//! connected. Microsoft has no revocation for one grant: after a failure
//! the tokens are only dropped.

use crate::auth::{AccountIdentity, TokenSet, verify_account};
use crate::connect::steps::{Next, SignInSteps, SignedIn, Withdrawal};
use crate::connect::{FlowError, Purpose};
use crate::detect::same_mailbox;
use crate::http::HttpResponse;
use crate::provider::{Api, bearer_get};

use super::{GRAPH_MAILBOX_SETTINGS_URL, GRAPH_ME_URL, parse_graph_me, parse_user_purpose};

/// Microsoft's connect steps.
pub(crate) struct Steps;

impl SignInSteps for Steps {
    fn api(&self, purpose: Purpose) -> Api {
        match purpose {
            Purpose::TokenExchange | Purpose::Revoke => Api::MicrosoftToken,
            _ => Api::Graph,
        }
    }

    fn after_tokens(&self, s: SignedIn<'_>) -> Next {
        Next::Request {
            purpose: Purpose::Profile,
            request: bearer_get(GRAPH_ME_URL, &s.tokens.access_token),
        }
    }

    fn before_reading(
        &self,
        purpose: Purpose,
        response: &HttpResponse,
        s: SignedIn<'_>,
    ) -> Option<Next> {
        if purpose != Purpose::MailboxSettings {
            return None;
        }
        match response.status {
            // Personal accounts and locked-down tenants may not allow it;
            // the check is a safeguard, not a requirement.
            403 => {
                s.account.notes.push("Microsoft 365 didn't let Inlay read this mailbox's settings, so Inlay couldn't check whether it is a shared mailbox.".into());
                Some(Next::Connected)
            }
            404 => Some(Next::Fail(FlowError::new(
                "noMailbox",
                format!(
                    "Microsoft 365 says {} has no Exchange Online mailbox, so Inlay can't use it. Connect an account with a mailbox, or ask your IT team.",
                    s.entered
                ),
            ))),
            _ => None,
        }
    }

    fn on_answer(
        &self,
        purpose: Purpose,
        response: &HttpResponse,
        s: SignedIn<'_>,
    ) -> Option<Next> {
        match purpose {
            Purpose::Profile => {
                let profile = parse_graph_me(&response.body)?;
                let claims = s
                    .tokens
                    .id_claims
                    .as_ref()
                    .map(AccountIdentity::from_claims);
                let mut addresses = profile.addresses.clone();
                for a in claims.iter().flat_map(|c| &c.addresses) {
                    if !addresses.iter().any(|x| same_mailbox(x, a)) {
                        addresses.push(a.clone());
                    }
                }
                let identity = AccountIdentity { addresses };
                if let Err(e) = verify_account(s.entered, &identity) {
                    return Some(Next::Fail(e.into()));
                }
                let account = s.account;
                account.address = identity
                    .addresses
                    .iter()
                    .find(|a| same_mailbox(a, s.entered))
                    .cloned()
                    .unwrap_or_else(|| s.entered.to_string());
                account.aliases = profile
                    .primary
                    .iter()
                    .chain(&profile.aliases)
                    .filter(|a| !same_mailbox(a, &account.address))
                    .cloned()
                    .collect();
                account.display_name = profile.display_name.or(account.display_name.take());
                Some(if s.features.mailbox_settings {
                    Next::Request {
                        purpose: Purpose::MailboxSettings,
                        request: bearer_get(GRAPH_MAILBOX_SETTINGS_URL, &s.tokens.access_token),
                    }
                } else {
                    Next::Connected
                })
            }
            Purpose::MailboxSettings => {
                let purpose = parse_user_purpose(&response.body);
                if purpose.as_deref() == Some("shared") {
                    return Some(Next::Fail(FlowError::new(
                        "sharedMailbox",
                        format!(
                            "{} is a Microsoft 365 shared mailbox. Shared mailboxes can't be connected as a personal inbox: connect your own mailbox, and ask an admin to add the shared one as a team inbox.",
                            s.account.address
                        ),
                    )));
                }
                if purpose.is_none() {
                    s.account.notes.push("Microsoft 365 didn't say what kind of mailbox this is, so Inlay couldn't check whether it is a shared mailbox.".into());
                }
                Some(Next::Connected)
            }
            _ => None,
        }
    }

    fn withdraw(&self, mut error: FlowError, _tokens: TokenSet) -> Withdrawal {
        error.message = format!(
            "{} Inlay discarded the access Microsoft just gave it and kept nothing.",
            error.message
        );
        Withdrawal {
            error,
            revoke: None,
        }
    }
}
