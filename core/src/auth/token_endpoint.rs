//! Token endpoint requests and responses, ID-token claims, refresh and revoke.

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::authorize::PendingAuthorization;
use super::errors::TokenError;
use super::identity_provider::{Features, OAuthClient, OAuthProvider, normalize_scope, scopes_for};
use crate::backoff::Backoff;
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::provider::graph::MICROSOFT_SPA_REFRESH_LIFETIME_MS;
use crate::provider::{self, Api, Attempt, Disposition, TokenUse};
use crate::provider::{gmail, graph};

/// A form-encoded POST (tokens travel in bodies, never in URLs).
pub(crate) fn form_post(url: &str, pairs: &[(&str, &str)]) -> HttpRequest {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    HttpRequest {
        body_base64: None,
        method: Method::Post,
        url: url.into(),
        headers: vec![
            (
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
            ("Accept".into(), "application/json".into()),
        ],
        body: Some(body),
    }
}

/// Which grant produced a token response (decides which checks apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Grant {
    /// Code exchange after a sign-in: an ID token with our nonce is required.
    AuthorizationCode,
    /// Refresh: the ID token is optional and carries no nonce.
    RefreshToken,
}

/// What a token response must satisfy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenExpectations {
    /// The provider asked.
    pub provider: OAuthProvider,
    /// Our client ID (the ID token's `aud`).
    pub client_id: String,
    /// Code exchange or refresh.
    pub grant: Grant,
    /// The sign-in's nonce (code exchange only).
    pub nonce: Option<String>,
    /// Scopes that features need; any missing from the grant is an error.
    pub required_scopes: Vec<String>,
}

impl TokenExpectations {
    /// For the code exchange of this pending sign-in.
    pub fn for_code(pending: &PendingAuthorization, client: &OAuthClient) -> Self {
        TokenExpectations {
            provider: pending.provider,
            client_id: client.client_id.clone(),
            grant: Grant::AuthorizationCode,
            nonce: Some(pending.nonce.clone()),
            required_scopes: pending.required_scopes.clone(),
        }
    }

    /// For a refresh with the features currently on.
    pub fn for_refresh(provider: OAuthProvider, client: &OAuthClient, features: &Features) -> Self {
        TokenExpectations {
            provider,
            client_id: client.client_id.clone(),
            grant: Grant::RefreshToken,
            nonce: None,
            required_scopes: scopes_for(provider, features)
                .into_iter()
                .filter(|s| s.required_for_feature)
                .map(|s| s.scope)
                .collect(),
        }
    }
}

/// The claims Inlay reads from an ID token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdClaims {
    /// `iss`.
    pub issuer: String,
    /// `sub`: the stable account ID.
    pub subject: String,
    /// `aud` (a string or list in the token).
    pub audience: Vec<String>,
    /// `email`.
    pub email: Option<String>,
    /// `email_verified` (Google).
    pub email_verified: Option<bool>,
    /// `nonce`.
    pub nonce: Option<String>,
    /// `tid` (Microsoft tenant).
    pub tenant_id: Option<String>,
    /// `preferred_username` (Microsoft sign-in name; usually the address).
    pub preferred_username: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `hd` (Google Workspace domain).
    pub hosted_domain: Option<String>,
}

/// Personal or work account, for messages and sign-out advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum AccountType {
    /// Consumer account (gmail.com, outlook.com, …).
    Personal,
    /// Google Workspace or Microsoft Entra (work or school) account.
    WorkOrSchool,
    /// Not known (no ID token).
    Unknown,
}

impl IdClaims {
    /// Personal or work/school, from `tid` (Microsoft) or `hd` (Google).
    pub fn account_type(&self, provider: OAuthProvider) -> AccountType {
        match provider {
            OAuthProvider::Microsoft => graph::account_type(self.tenant_id.as_deref()),
            OAuthProvider::Google => gmail::account_type(self.hosted_domain.as_deref()),
        }
    }
}

/// A usable set of tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenSet {
    /// Bearer token for API calls.
    pub access_token: String,
    /// When the access token expires (unix ms, as the server stated).
    pub expires_at_ms: u64,
    /// Refresh token, if one was issued (a rotated one replaces the old).
    pub refresh_token: Option<String>,
    /// When the refresh token dies, when known (Microsoft SPA: sign-in + 24 h).
    pub refresh_token_expires_at_ms: Option<u64>,
    /// Scopes granted (as the provider reported them).
    pub granted_scopes: Vec<String>,
    /// The ID token's claims, if an ID token came back.
    pub id_claims: Option<IdClaims>,
    /// When this response was interpreted (unix ms).
    pub obtained_at_ms: u64,
}

#[derive(Deserialize)]
struct RawTokenResponse {
    access_token: Option<String>,
    expires_in: Option<Value>,
    refresh_token: Option<String>,
    refresh_token_expires_in: Option<Value>,
    scope: Option<String>,
    id_token: Option<String>,
}

/// Seconds as a JSON number or numeric string.
fn seconds(v: &Option<Value>) -> Option<u64> {
    match v.as_ref()? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn malformed(what: &str) -> TokenError {
    TokenError::Malformed {
        message: format!(
            "The sign-in server sent an unexpected answer ({what}). Please try again."
        ),
    }
}

const UNSAFE: &str =
    "Sign-in didn't complete safely, so nothing was saved. Please try connecting again.";

/// Interprets a token endpoint response (code exchange or refresh).
///
/// Error statuses are classified by [`provider::classify`]
/// (`invalid_grant` → sign in again, 5xx → retry, …). The ID token's
/// signature is NOT verified: it came straight from the provider's token
/// endpoint over TLS in answer to our own request, which OIDC Core §3.1.3.7
/// allows to stand in for signature checking. Its `aud`, `iss`, `nonce` and
/// `email_verified` are still checked.
pub fn interpret_token_response(
    expect: &TokenExpectations,
    response: &HttpResponse,
    now_ms: u64,
) -> Result<TokenSet, TokenError> {
    let provider = expect.provider;
    if !(200..300).contains(&response.status) {
        let api = match provider {
            OAuthProvider::Google => Api::GoogleToken,
            OAuthProvider::Microsoft => Api::MicrosoftToken,
        };
        // Jitter 0: the delay here is the server's Retry-After (or 0); the
        // token lifecycle adds its own jittered backoff on top.
        let attempt = Attempt {
            number: 0,
            after_refresh: false,
            now_ms,
            jitter: 0,
        };
        let token_use = match expect.grant {
            Grant::AuthorizationCode => TokenUse::CodeExchange,
            Grant::RefreshToken => TokenUse::Renewal,
        };
        let read = provider::read_token_response(api, response, &attempt, token_use);
        let disposition = provider::pace(api, read, &attempt, &Backoff::PROVIDER);
        let message = match &disposition {
            Disposition::RetryAfter { .. } | Disposition::Retry { .. } => format!(
                "{} is busy or unreachable right now. Inlay will try again shortly.",
                provider.display_name()
            ),
            Disposition::Reauthenticate { message, .. } | Disposition::Fail { message, .. } => {
                message.clone()
            }
            Disposition::Success | Disposition::RefreshToken => format!(
                "{} answered the sign-in unexpectedly (HTTP {}). Please try again.",
                provider.display_name(),
                response.status
            ),
        };
        return Err(TokenError::Endpoint {
            disposition,
            message,
        });
    }

    let raw: RawTokenResponse =
        serde_json::from_str(&response.body).map_err(|_| malformed("not JSON"))?;
    let access_token = raw
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| malformed("no access token"))?;
    let expires_in = seconds(&raw.expires_in).ok_or_else(|| malformed("no expiry"))?;

    let granted: Vec<String> = match raw.scope.as_deref() {
        Some(s) => s.split_whitespace().map(str::to_string).collect(),
        // RFC 6749 §5.1: omitted means "as requested".
        None => expect.required_scopes.clone(),
    };
    let granted_norm: Vec<String> = granted
        .iter()
        .map(|s| normalize_scope(provider, s))
        .collect();
    let missing: Vec<String> = expect
        .required_scopes
        .iter()
        .filter(|s| !granted_norm.contains(&normalize_scope(provider, s)))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(scopes_not_granted(provider, missing));
    }

    let id_claims = match raw.id_token.as_deref() {
        Some(jwt) => Some(check_claims(expect, decode_id_token(jwt)?)?),
        None if expect.grant == Grant::AuthorizationCode => {
            return Err(TokenError::InvalidIdToken {
                message: UNSAFE.into(),
            });
        }
        None => None,
    };

    let refresh_token_expires_at_ms = match seconds(&raw.refresh_token_expires_in) {
        Some(s) => Some(now_ms.saturating_add(s.saturating_mul(1000))),
        None if provider == OAuthProvider::Microsoft
            && expect.grant == Grant::AuthorizationCode
            && raw.refresh_token.is_some() =>
        {
            Some(now_ms.saturating_add(MICROSOFT_SPA_REFRESH_LIFETIME_MS))
        }
        None => None,
    };

    Ok(TokenSet {
        access_token,
        expires_at_ms: now_ms.saturating_add(expires_in.saturating_mul(1000)),
        refresh_token: raw.refresh_token.filter(|t| !t.is_empty()),
        refresh_token_expires_at_ms,
        granted_scopes: granted,
        id_claims,
        obtained_at_ms: now_ms,
    })
}

fn scopes_not_granted(provider: OAuthProvider, missing: Vec<String>) -> TokenError {
    let all = Features {
        send: true,
        send_as_aliases: true,
        mailbox_settings: true,
        sent_check: true,
        scheduled_delivery: true,
    };
    let explain: Vec<String> = missing
        .iter()
        .map(|m| {
            scopes_for(provider, &all)
                .into_iter()
                .find(|s| normalize_scope(provider, &s.scope) == normalize_scope(provider, m))
                .map_or_else(|| m.clone(), |s| s.explanation)
        })
        .collect();
    TokenError::ScopesNotGranted {
        message: format!(
            "Inlay wasn't given every permission it needs. Missing: {} Connect again and leave every box ticked on the {} permission screen.",
            explain.join(" "),
            provider.display_name()
        ),
        missing,
    }
}

/// Decodes the payload of a JWT without verifying its signature (see
/// [`interpret_token_response`] for why that is acceptable here).
pub fn decode_id_token(jwt: &str) -> Result<IdClaims, TokenError> {
    let bad = || TokenError::InvalidIdToken {
        message: UNSAFE.into(),
    };
    let parts: Vec<&str> = jwt.split('.').collect();
    if parts.len() != 3 {
        return Err(bad());
    }
    let engine = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let payload = engine.decode(parts[1]).map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&payload).map_err(|_| bad())?;
    let text = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let audience = match v.get("aud") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    };
    let email_verified = match v.get("email_verified") {
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) => Some(s.eq_ignore_ascii_case("true")),
        _ => None,
    };
    Ok(IdClaims {
        issuer: text("iss").ok_or_else(bad)?,
        subject: text("sub").ok_or_else(bad)?,
        audience,
        email: text("email"),
        email_verified,
        nonce: text("nonce"),
        tenant_id: text("tid"),
        preferred_username: text("preferred_username"),
        name: text("name"),
        hosted_domain: text("hd"),
    })
}

fn check_claims(expect: &TokenExpectations, claims: IdClaims) -> Result<IdClaims, TokenError> {
    if !claims.audience.contains(&expect.client_id) {
        return Err(TokenError::AudienceMismatch {
            message: UNSAFE.into(),
        });
    }
    if !expect
        .provider
        .accepts_issuer(&claims.issuer, claims.tenant_id.as_deref())
        || (expect.provider == OAuthProvider::Microsoft && claims.tenant_id.is_none())
    {
        return Err(TokenError::IssuerMismatch {
            message: UNSAFE.into(),
        });
    }
    if let Some(expected) = expect.nonce.as_deref()
        && claims.nonce.as_deref() != Some(expected)
    {
        return Err(TokenError::NonceMismatch {
            message: UNSAFE.into(),
        });
    }
    if claims.email_verified == Some(false) {
        return Err(TokenError::EmailNotVerified {
            message: "Google says this account's email address isn't verified yet. Verify it in your Google account, then connect again.".into(),
        });
    }
    Ok(claims)
}

/// The refresh request. Google needs its (public) client secret; Microsoft
/// gets the scopes again and no secret.
pub fn plan_refresh(
    provider: OAuthProvider,
    client: &OAuthClient,
    refresh_token: &str,
    scopes: &[String],
) -> HttpRequest {
    let scope = scopes.join(" ");
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", client.client_id.as_str()),
    ];
    match provider {
        OAuthProvider::Google => {
            if let Some(secret) = client.client_secret.as_deref() {
                form.push(("client_secret", secret));
            }
        }
        OAuthProvider::Microsoft => {
            if !scope.is_empty() {
                form.push(("scope", scope.as_str()));
            }
        }
    }
    form_post(provider.token_endpoint(), &form)
}

/// How to end a connection at the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum RevocationPlan {
    /// Send this request (Google revokes the whole grant), then delete the
    /// tokens locally whatever the answer.
    Request { request: HttpRequest },
    /// No revocation endpoint (Microsoft): delete the tokens locally, open
    /// `logout_url` to end the session, and show where to remove consent.
    LocalOnly {
        logout_url: String,
        consent_url: String,
        instructions: String,
    },
}

/// Plans revocation. Google: POST the (refresh) token in the form body — a
/// token never goes in a URL. Microsoft has no RFC 7009 endpoint.
pub fn plan_revoke(provider: OAuthProvider, token: &str, account: AccountType) -> RevocationPlan {
    match provider {
        OAuthProvider::Google => RevocationPlan::Request {
            request: gmail::revoke_request(token),
        },
        OAuthProvider::Microsoft => graph::local_revocation(account),
    }
}
