//! Sign-in errors: each has a stable `kind` (its code) and a `message` that
//! says what happened and what to do.

use serde::{Deserialize, Serialize};

use crate::provider::Disposition;

/// Why an authorization could not be completed. The serde tag `kind` is the
/// stable code; no token request is planned for any of these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum AuthError {
    /// The final redirect URL could not be parsed, or repeats a parameter.
    InvalidRedirect { message: String },
    /// The redirect came back on another provider's redirect URI (mix-up).
    RedirectMismatch {
        expected: String,
        actual: String,
        message: String,
    },
    /// `state` missing or different (CSRF defence).
    StateMismatch { message: String },
    /// RFC 9207 `iss` names another authorization server (mix-up).
    IssuerMismatch {
        expected: String,
        actual: String,
        message: String,
    },
    /// The sign-in was started too long ago.
    Expired { message: String },
    /// The user pressed Cancel / Deny.
    UserDenied { message: String },
    /// Google Workspace admin blocked the app (`admin_policy_enforced`).
    AdminBlocked { message: String },
    /// Google Advanced Protection blocks third-party access (`policy_enforced`).
    AdvancedProtection { message: String },
    /// The Google app is limited to its own organisation (`org_internal`).
    OrgInternal { message: String },
    /// A silent renewal needs the user (sign-in, MFA, account choice).
    InteractionRequired { message: String },
    /// The user has not consented (AADSTS65001, `consent_required`).
    ConsentRequired { message: String },
    /// The organisation requires an admin to approve the app (AADSTS90094).
    AdminConsentRequired { message: String },
    /// The account is not allowed in this tenant (AADSTS50020).
    AccountNotAllowed { message: String },
    /// A Conditional Access policy blocked the sign-in (AADSTS53003 and kin).
    ConditionalAccess { message: String },
    /// The user is not assigned to the app (AADSTS50105).
    NotAssigned { message: String },
    /// Our app registration is wrong (client ID, secret, redirect URI, scope).
    ClientMisconfigured { detail: String, message: String },
    /// Any other error the provider reported.
    ProviderError {
        error: String,
        description: String,
        message: String,
    },
    /// The redirect carried neither a code nor an error.
    MissingCode { message: String },
    /// The user signed in with another account than the one entered.
    WrongAccount {
        expected: String,
        actual: String,
        message: String,
    },
}

impl AuthError {
    /// The user-facing sentence.
    pub fn message(&self) -> &str {
        use AuthError::*;
        match self {
            InvalidRedirect { message }
            | RedirectMismatch { message, .. }
            | StateMismatch { message }
            | IssuerMismatch { message, .. }
            | Expired { message }
            | UserDenied { message }
            | AdminBlocked { message }
            | AdvancedProtection { message }
            | OrgInternal { message }
            | InteractionRequired { message }
            | ConsentRequired { message }
            | AdminConsentRequired { message }
            | AccountNotAllowed { message }
            | ConditionalAccess { message }
            | NotAssigned { message }
            | ClientMisconfigured { message, .. }
            | ProviderError { message, .. }
            | MissingCode { message }
            | WrongAccount { message, .. } => message,
        }
    }

    /// The stable code (same string as the serde `kind`).
    pub fn code(&self) -> &'static str {
        use AuthError::*;
        match self {
            InvalidRedirect { .. } => "invalidRedirect",
            RedirectMismatch { .. } => "redirectMismatch",
            StateMismatch { .. } => "stateMismatch",
            IssuerMismatch { .. } => "issuerMismatch",
            Expired { .. } => "expired",
            UserDenied { .. } => "userDenied",
            AdminBlocked { .. } => "adminBlocked",
            AdvancedProtection { .. } => "advancedProtection",
            OrgInternal { .. } => "orgInternal",
            InteractionRequired { .. } => "interactionRequired",
            ConsentRequired { .. } => "consentRequired",
            AdminConsentRequired { .. } => "adminConsentRequired",
            AccountNotAllowed { .. } => "accountNotAllowed",
            ConditionalAccess { .. } => "conditionalAccess",
            NotAssigned { .. } => "notAssigned",
            ClientMisconfigured { .. } => "clientMisconfigured",
            ProviderError { .. } => "providerError",
            MissingCode { .. } => "missingCode",
            WrongAccount { .. } => "wrongAccount",
        }
    }

    /// The account signed in is not the one the user entered.
    pub fn wrong_account(expected: &str, actual: &str) -> AuthError {
        AuthError::WrongAccount {
            expected: expected.into(),
            actual: actual.into(),
            message: format!(
                "You signed in as {actual}, but you're connecting {expected}. Sign in again and choose {expected}, or connect {actual} instead."
            ),
        }
    }

    pub(crate) fn client_misconfigured(detail: impl Into<String>) -> AuthError {
        AuthError::ClientMisconfigured {
            detail: detail.into(),
            message: "Inlay's sign-in is set up incorrectly for this provider, so it can't connect right now. Please tell your administrator or Inlay's support.".into(),
        }
    }
}

/// Why a token response could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum TokenError {
    /// The token endpoint answered with an error; `disposition` says whether
    /// to retry, sign in again or give up (from `provider::classify`).
    Endpoint {
        disposition: Disposition,
        message: String,
    },
    /// The body was not the JSON the endpoint documents.
    Malformed { message: String },
    /// The user unticked permissions a feature needs.
    ScopesNotGranted {
        missing: Vec<String>,
        message: String,
    },
    /// An ID token was required and absent, or unreadable.
    InvalidIdToken { message: String },
    /// The ID token's `nonce` is not the one this sign-in sent.
    NonceMismatch { message: String },
    /// The ID token was issued to another client.
    AudienceMismatch { message: String },
    /// The ID token's issuer is not the provider signed in with.
    IssuerMismatch { message: String },
    /// Google says the account's email address is not verified.
    EmailNotVerified { message: String },
}

impl TokenError {
    /// The user-facing sentence.
    pub fn message(&self) -> &str {
        use TokenError::*;
        match self {
            Endpoint { message, .. }
            | Malformed { message }
            | ScopesNotGranted { message, .. }
            | InvalidIdToken { message }
            | NonceMismatch { message }
            | AudienceMismatch { message }
            | IssuerMismatch { message }
            | EmailNotVerified { message } => message,
        }
    }

    /// The stable code (same string as the serde `kind`).
    pub fn code(&self) -> &'static str {
        use TokenError::*;
        match self {
            Endpoint { .. } => "endpoint",
            Malformed { .. } => "malformed",
            ScopesNotGranted { .. } => "scopesNotGranted",
            InvalidIdToken { .. } => "invalidIdToken",
            NonceMismatch { .. } => "nonceMismatch",
            AudienceMismatch { .. } => "audienceMismatch",
            IssuerMismatch { .. } => "issuerMismatch",
            EmailNotVerified { .. } => "emailNotVerified",
        }
    }

    /// Whether retrying the same request later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            TokenError::Endpoint {
                disposition: Disposition::RetryAfter { .. },
                ..
            }
        )
    }
}
