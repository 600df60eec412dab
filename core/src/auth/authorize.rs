//! The authorization-code flow with PKCE: the authorization URL, and the
//! checks on the final redirect before any code is exchanged.

use serde::{Deserialize, Serialize};
use url::Url;

use super::errors::AuthError;
use super::identity_provider::{Features, OAuthClient, OAuthProvider, normalize_scope, scopes_for};
use super::pkce::Pkce;
use super::token_endpoint::form_post;

/// How long a started sign-in stays valid (codes themselves live minutes).
pub const AUTHORIZATION_TIMEOUT_MS: u64 = 10 * 60 * 1000;

/// What to ask for, apart from the random values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationParams {
    /// Who to sign in with.
    pub provider: OAuthProvider,
    /// The app registration.
    pub client: OAuthClient,
    /// `chrome.identity.getRedirectURL("google" | "microsoft")`.
    pub redirect_uri: String,
    /// The address the user entered; pre-fills the provider's account choice.
    pub login_hint: Option<String>,
    /// Features on, which decide the scopes.
    pub features: Features,
    /// `false` for a silent renewal (`prompt=none`; `launchWebAuthFlow`
    /// with `interactive: false`).
    pub interactive: bool,
    /// Google: the scopes the inbox's stored tokens already hold, when a
    /// feature is added to a connected inbox. Non-empty makes the request
    /// incremental: only the scopes not yet granted are asked (with the
    /// identity ones, for the account check) and `include_granted_scopes`
    /// makes the new grant the union. Empty (the first connect): exactly
    /// the features' scopes. Microsoft asks for the whole list either way;
    /// its consent screen shows only what was not consented yet.
    #[serde(default)]
    pub already_granted: Vec<String>,
}

/// The random values of one sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationSecrets {
    /// PKCE verifier and challenge.
    pub pkce: Pkce,
    /// CSRF `state`.
    pub state: String,
    /// OIDC `nonce`, echoed in the ID token.
    pub nonce: String,
}

impl AuthorizationSecrets {
    /// Builds all three from the caller's random bytes (three separate draws).
    pub fn from_random(verifier: &[u8; 32], state: &[u8; 32], nonce: &[u8; 32]) -> Self {
        AuthorizationSecrets {
            pkce: Pkce::from_random(verifier),
            state: super::pkce::random_value(state),
            nonce: super::pkce::random_value(nonce),
        }
    }
}

/// A sign-in waiting for its redirect. It holds the PKCE verifier, so it is
/// never written to disk: the connect flow keeps it inside its
/// [`crate::connect::Flow`], which the worker holds in memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingAuthorization {
    /// Who was asked.
    pub provider: OAuthProvider,
    /// Expected `state`.
    pub state: String,
    /// Expected ID-token `nonce`.
    pub nonce: String,
    /// PKCE verifier for the token request.
    pub verifier: String,
    /// The exact redirect URI sent.
    pub redirect_uri: String,
    /// The address the user entered, if any.
    pub login_hint: Option<String>,
    /// Scopes requested (to find any the user unticked).
    pub requested_scopes: Vec<String>,
    /// Scopes a feature needs (a subset of `requested_scopes`).
    pub required_scopes: Vec<String>,
    /// When the sign-in started (unix ms).
    pub started_at_ms: u64,
}

/// The URL for `launchWebAuthFlow` and what to keep until it returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationPlan {
    /// The authorization URL.
    pub url: String,
    /// Keep until the redirect.
    pub pending: PendingAuthorization,
}

/// Builds the authorization URL. Refuses a client or redirect URI that
/// can't work, before the user sees any consent screen.
pub fn plan_authorization(
    params: &AuthorizationParams,
    secrets: &AuthorizationSecrets,
    now_ms: u64,
) -> Result<AuthorizationPlan, AuthError> {
    let provider = params.provider;
    check_client(provider, &params.client)?;
    check_redirect_uri(provider, &params.redirect_uri)?;
    let scopes = scopes_for(provider, &params.features);
    let incremental = provider == OAuthProvider::Google && !params.already_granted.is_empty();
    let held = |scope: &str| {
        let wanted = normalize_scope(provider, scope);
        params
            .already_granted
            .iter()
            .any(|g| normalize_scope(provider, g) == wanted)
    };
    let requested: Vec<String> = scopes
        .iter()
        .filter(|s| !incremental || !s.required_for_feature || !held(&s.scope))
        .map(|s| s.scope.clone())
        .collect();
    // Every feature's scope, asked now or before: the token must hold them
    // all (an incremental grant that lost `gmail.send` is refused).
    let required: Vec<String> = scopes
        .iter()
        .filter(|s| s.required_for_feature)
        .map(|s| s.scope.clone())
        .collect();
    let scope = requested.join(" ");

    let mut url = Url::parse(provider.authorization_endpoint()).expect("endpoint is a valid URL");
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("client_id", &params.client.client_id)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", &params.redirect_uri)
            .append_pair("scope", &scope)
            .append_pair("state", &secrets.state)
            .append_pair("nonce", &secrets.nonce)
            .append_pair("code_challenge", &secrets.pkce.challenge)
            .append_pair("code_challenge_method", Pkce::METHOD);
        match provider {
            OAuthProvider::Google => {
                // offline + consent: Google returns a refresh token only on a
                // consent screen. At the first connect include_granted_scopes
                // is left out (false), so the grant is exactly the scopes
                // listed here; adding a feature asks for the union.
                q.append_pair("access_type", "offline");
                if incremental {
                    q.append_pair("include_granted_scopes", "true");
                }
                q.append_pair(
                    "prompt",
                    if params.interactive {
                        "consent"
                    } else {
                        "none"
                    },
                );
            }
            OAuthProvider::Microsoft => {
                q.append_pair("response_mode", "query");
                // select_account lets the user pick the hinted account even
                // when the browser is signed in to another one.
                q.append_pair(
                    "prompt",
                    if params.interactive {
                        "select_account"
                    } else {
                        "none"
                    },
                );
            }
        }
        if let Some(hint) = params
            .login_hint
            .as_deref()
            .filter(|h| !h.trim().is_empty())
        {
            q.append_pair("login_hint", hint.trim());
        }
    }
    Ok(AuthorizationPlan {
        url: url.into(),
        pending: PendingAuthorization {
            provider,
            state: secrets.state.clone(),
            nonce: secrets.nonce.clone(),
            verifier: secrets.pkce.verifier.clone(),
            redirect_uri: params.redirect_uri.clone(),
            login_hint: params.login_hint.clone(),
            requested_scopes: requested,
            required_scopes: required,
            started_at_ms: now_ms,
        },
    })
}

fn check_client(provider: OAuthProvider, client: &OAuthClient) -> Result<(), AuthError> {
    if client.client_id.trim().is_empty() {
        return Err(AuthError::client_misconfigured("the client ID is empty"));
    }
    let has_secret = client
        .client_secret
        .as_deref()
        .is_some_and(|s| !s.is_empty());
    match provider {
        OAuthProvider::Google if !has_secret => Err(AuthError::client_misconfigured(
            "Google web-application clients need their client secret for the code exchange",
        )),
        OAuthProvider::Microsoft if has_secret => Err(AuthError::client_misconfigured(
            "a Microsoft single-page-application registration must not send a client secret",
        )),
        _ => Ok(()),
    }
}

/// The redirect URI is https (or Firefox's http loopback) and ends in this
/// provider's own path segment.
fn check_redirect_uri(provider: OAuthProvider, redirect_uri: &str) -> Result<Url, AuthError> {
    let url = Url::parse(redirect_uri).map_err(|_| {
        AuthError::client_misconfigured(format!("redirect URI {redirect_uri:?} is not a URL"))
    })?;
    let loopback = url.scheme() == "http" && url.host_str() == Some("127.0.0.1");
    let last = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or("");
    if !(url.scheme() == "https" || loopback) || last != provider.redirect_segment() {
        return Err(AuthError::client_misconfigured(format!(
            "redirect URI {redirect_uri:?} must be https and end in /{}",
            provider.redirect_segment()
        )));
    }
    Ok(url)
}

/// Same scheme, host, port and path.
fn same_endpoint(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
        && a.path() == b.path()
}

/// Checks the final redirect URL and, if it is sound, plans the token
/// request. Order: redirect URI (mix-up), `state` (CSRF), age, `iss`
/// (RFC 9207), provider error, code. Any failure plans no request.
pub fn complete_authorization(
    pending: &PendingAuthorization,
    client: &OAuthClient,
    redirect_url: &str,
    now_ms: u64,
) -> Result<crate::http::HttpRequest, AuthError> {
    let provider = pending.provider;
    let url = Url::parse(redirect_url).map_err(|_| AuthError::InvalidRedirect {
        message: "The sign-in window returned an address Inlay couldn't read. Please try connecting again.".into(),
    })?;
    let expected = Url::parse(&pending.redirect_uri)
        .map_err(|_| AuthError::client_misconfigured("the stored redirect URI is not a URL"))?;
    if !same_endpoint(&url, &expected) {
        return Err(AuthError::RedirectMismatch {
            expected: expected.path().into(),
            actual: url.path().into(),
            message: format!(
                "The sign-in answer didn't come back from {} as expected, so Inlay ignored it. Please start connecting again.",
                provider.display_name()
            ),
        });
    }

    let mut params: Vec<(String, String)> = Vec::new();
    for (k, v) in url.query_pairs() {
        if params.iter().any(|(seen, _)| *seen == k) {
            return Err(AuthError::InvalidRedirect {
                message: "The sign-in answer repeated a parameter, so Inlay ignored it. Please try connecting again.".into(),
            });
        }
        params.push((k.into_owned(), v.into_owned()));
    }
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };

    if get("state") != Some(pending.state.as_str()) {
        return Err(AuthError::StateMismatch {
            message: "This sign-in answer doesn't belong to the sign-in Inlay started, so it was ignored for your safety. Please start connecting again.".into(),
        });
    }
    if now_ms.saturating_sub(pending.started_at_ms) > AUTHORIZATION_TIMEOUT_MS {
        return Err(AuthError::Expired {
            message: "The sign-in took too long and has expired. Please start connecting again."
                .into(),
        });
    }
    if let Some(iss) = get("iss")
        && !provider.accepts_issuer(iss, None)
    {
        return Err(AuthError::IssuerMismatch {
            expected: provider.display_name().into(),
            actual: iss.into(),
            message: format!(
                "The sign-in answer came from {iss} instead of {}, so Inlay ignored it. Please start connecting again.",
                provider.display_name()
            ),
        });
    }
    if let Some(error) = get("error") {
        return Err(map_authorization_error(
            provider,
            error,
            get("error_description").unwrap_or(""),
        ));
    }
    let code = get("code")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| AuthError::MissingCode {
            message:
                "The sign-in finished without giving Inlay access. Please try connecting again."
                    .into(),
        })?;

    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", pending.redirect_uri.as_str()),
        ("client_id", client.client_id.as_str()),
        ("code_verifier", pending.verifier.as_str()),
    ];
    let scope = pending.requested_scopes.join(" ");
    match provider {
        // Public per Google's installed-app rules; required by its endpoint.
        OAuthProvider::Google => {
            if let Some(secret) = client.client_secret.as_deref() {
                form.push(("client_secret", secret));
            }
        }
        // No secret (SPA). The browser adds `Origin: chrome-extension://…`
        // itself, which is what makes Microsoft accept an SPA redemption.
        OAuthProvider::Microsoft => form.push(("scope", scope.as_str())),
    }
    Ok(form_post(provider.token_endpoint(), &form))
}

/// The `AADSTS` number in a Microsoft error description, if any.
pub(crate) fn aadsts_code(description: &str) -> Option<u32> {
    let start = description.find("AADSTS")? + "AADSTS".len();
    let digits: String = description[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// Maps an authorization-endpoint error to a user-facing error.
fn map_authorization_error(provider: OAuthProvider, error: &str, description: &str) -> AuthError {
    let name = provider.display_name();
    if let Some(code) = aadsts_code(description)
        && let Some(mapped) = map_aadsts(code, description)
    {
        return mapped;
    }
    match error {
        "access_denied" => AuthError::UserDenied {
            message: format!("You didn't give Inlay access to your {name} account, so nothing was connected. Connect again whenever you're ready."),
        },
        "admin_policy_enforced" => AuthError::AdminBlocked {
            message: "Your Google Workspace administrator doesn't allow Inlay to access your account. Ask them to allow Inlay in the Admin console (Security → API controls), then connect again.".into(),
        },
        "policy_enforced" => AuthError::AdvancedProtection {
            message: "Your Google account is in Google's Advanced Protection Program, which blocks apps like Inlay from accessing Gmail. Connect another account, or leave Advanced Protection if that's right for you.".into(),
        },
        "org_internal" => AuthError::OrgInternal {
            message: "This version of Inlay's Google sign-in only accepts accounts from the organisation that set it up. Use an account from that organisation, or ask your administrator.".into(),
        },
        "interaction_required" | "login_required" | "account_selection_required" => AuthError::InteractionRequired {
            message: format!("{name} needs you to sign in again. Click Reconnect and finish the sign-in."),
        },
        "consent_required" => consent_required(),
        "invalid_client" | "unauthorized_client" | "unsupported_response_type" | "redirect_uri_mismatch" | "invalid_scope" | "deleted_client" => {
            AuthError::client_misconfigured(format!("{name} rejected the sign-in request: {error} {description}").trim().to_string())
        }
        _ => AuthError::ProviderError {
            error: error.into(),
            description: description.into(),
            message: format!("{name} couldn't complete the sign-in ({error}). Please try again in a few minutes."),
        },
    }
}

fn consent_required() -> AuthError {
    AuthError::ConsentRequired {
        message: "Inlay needs your permission again. Click Reconnect and accept the permissions on the Microsoft screen.".into(),
    }
}

/// Microsoft's AADSTS codes that deserve their own message.
fn map_aadsts(code: u32, description: &str) -> Option<AuthError> {
    Some(match code {
        65001 => consent_required(),
        65004 => AuthError::UserDenied {
            message: "You declined Inlay's permission request, so nothing was connected. Connect again whenever you're ready.".into(),
        },
        90094 | 90095 | 900941 => AuthError::AdminConsentRequired {
            message: "Your organisation requires an administrator to approve Inlay before you can connect. Ask your Microsoft 365 administrator to grant consent, then connect again.".into(),
        },
        50020 => AuthError::AccountNotAllowed {
            message: "That Microsoft account can't sign in to this organisation's apps. Make sure you picked the account for the address you entered.".into(),
        },
        53000..=53003 => AuthError::ConditionalAccess {
            message: "Your organisation's sign-in policy (Conditional Access) blocked this sign-in, for example because of the device or location. Ask your IT team to allow Inlay.".into(),
        },
        50105 => AuthError::NotAssigned {
            message: "Your administrator hasn't given you access to Inlay. Ask them to assign Inlay to your account.".into(),
        },
        50076 | 50079 | 50158 => AuthError::InteractionRequired {
            message: "Microsoft needs you to complete multi-factor sign-in. Click Reconnect and finish the sign-in.".into(),
        },
        50058 => AuthError::InteractionRequired {
            message: "Microsoft needs you to sign in again. Click Reconnect and finish the sign-in.".into(),
        },
        700016 | 50011 | 9002326 | 9002327 | 7000218 => {
            AuthError::client_misconfigured(format!("Microsoft: AADSTS{code} {description}").trim().to_string())
        }
        _ => return None,
    })
}
