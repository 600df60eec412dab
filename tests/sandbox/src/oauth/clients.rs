//! The apps registered at each fake identity provider: Inlay's by default, changeable
//! through `POST /oauth/clients`.

use serde::{Deserialize, Serialize};

use crate::state::Provider;

/// The extension id pinned by the manifest `key`; its redirect URIs are
/// `https://<id>.chromiumapp.org/<provider>`.
pub const EXTENSION_ID: &str = "bbimpbbieljienmnelgcbakbkgaiinfn";
pub const GOOGLE_CLIENT_ID: &str = "inlay-sandbox.apps.googleusercontent.com";
/// A "Web application" client's secret, which the extension ships (Google treats it as public).
pub const GOOGLE_CLIENT_SECRET: &str = "sandbox-public-client-secret";
pub const GOOGLE_REDIRECT_URI: &str =
    "https://bbimpbbieljienmnelgcbakbkgaiinfn.chromiumapp.org/google";
pub const MICROSOFT_CLIENT_ID: &str = "6f1c1d1e-5a6b-4c0d-9e8f-0a1b2c3d4e5f";
pub const MICROSOFT_REDIRECT_URI: &str =
    "https://bbimpbbieljienmnelgcbakbkgaiinfn.chromiumapp.org/microsoft";

/// Microsoft's SPA refresh tokens: 24 h from the sign-in, never extended.
pub const SPA_REFRESH_LIFETIME: u64 = 24 * 3600;
/// Other Microsoft public clients: 90 days from each refresh token's issue.
pub const PUBLIC_REFRESH_LIFETIME: u64 = 90 * 24 * 3600;

/// Where a redirect URI is registered, which decides how codes may be redeemed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Google "Web application": a client secret is required at the token endpoint.
    Web,
    /// Microsoft "Single-page application": PKCE, no secret, cross-origin redemption only,
    /// refresh tokens fixed at 24 h.
    Spa,
    /// Microsoft "Mobile and desktop applications": public, no secret, and cross-origin
    /// redemption is refused (AADSTS9002326).
    Mobile,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Client {
    pub provider: Provider,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Compared byte for byte with the request's `redirect_uri`.
    pub redirect_uris: Vec<String>,
    /// Google: `web` (the default and only choice). Microsoft: `spa` (default) or `mobile`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// Name shown on consent pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Google: refresh tokens expire this long after issue (an app in "Testing" status
    /// gets 7 days = 604800); default no expiry. Microsoft SPA: the fixed lifetime from
    /// sign-in (default 24 h), shortened to test silent renewal without waiting a day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_lifetime_seconds: Option<u64>,
}

impl Client {
    pub fn platform(&self) -> Platform {
        self.platform.unwrap_or(match self.provider {
            Provider::Microsoft => Platform::Spa,
            _ => Platform::Web,
        })
    }

    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("Inlay")
    }

    pub fn allows_redirect(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }

    fn validate(&self) -> Result<(), String> {
        if self.client_id.is_empty() || self.redirect_uris.is_empty() {
            return Err("a client needs a clientId and at least one redirect URI".into());
        }
        match (self.provider, self.platform()) {
            (Provider::Google, Platform::Web) if self.client_secret.is_some() => Ok(()),
            (Provider::Google, Platform::Web) => {
                Err("a Google web client needs a clientSecret".into())
            }
            (Provider::Microsoft, Platform::Spa | Platform::Mobile)
                if self.client_secret.is_none() =>
            {
                Ok(())
            }
            (Provider::Microsoft, Platform::Spa | Platform::Mobile) => {
                Err("Microsoft spa/mobile clients are public: no clientSecret".into())
            }
            (provider, platform) => Err(format!(
                "platform {platform:?} is not offered for {}",
                provider.as_str()
            )),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Clients {
    list: Vec<Client>,
}

impl Default for Clients {
    fn default() -> Self {
        Clients {
            list: vec![
                Client {
                    provider: Provider::Google,
                    client_id: GOOGLE_CLIENT_ID.into(),
                    client_secret: Some(GOOGLE_CLIENT_SECRET.into()),
                    redirect_uris: vec![GOOGLE_REDIRECT_URI.into()],
                    platform: Some(Platform::Web),
                    name: None,
                    refresh_token_lifetime_seconds: None,
                },
                Client {
                    provider: Provider::Microsoft,
                    client_id: MICROSOFT_CLIENT_ID.into(),
                    client_secret: None,
                    redirect_uris: vec![MICROSOFT_REDIRECT_URI.into()],
                    platform: Some(Platform::Spa),
                    name: None,
                    refresh_token_lifetime_seconds: None,
                },
            ],
        }
    }
}

impl Clients {
    pub fn find(&self, provider: Provider, client_id: &str) -> Option<&Client> {
        self.list
            .iter()
            .find(|c| c.provider == provider && c.client_id == client_id)
    }

    pub fn list(&self) -> &[Client] {
        &self.list
    }

    /// Adds a registration, replacing one with the same provider and client id.
    pub fn upsert(&mut self, client: Client) -> Result<(), String> {
        client.validate()?;
        self.list
            .retain(|c| !(c.provider == client.provider && c.client_id == client.client_id));
        self.list.push(client);
        Ok(())
    }

    /// Whether any app of `provider` registered this URI (Microsoft's logout accepts a
    /// `post_logout_redirect_uri` only then).
    pub fn registered_anywhere(&self, provider: Provider, uri: &str) -> bool {
        self.list
            .iter()
            .any(|c| c.provider == provider && c.allows_redirect(uri))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let mut c = Clients::default();
        let g = c.find(Provider::Google, GOOGLE_CLIENT_ID).unwrap();
        assert_eq!(g.platform(), Platform::Web);
        assert!(g.allows_redirect(GOOGLE_REDIRECT_URI));
        assert!(!g.allows_redirect(&format!("{GOOGLE_REDIRECT_URI}/")));
        let m = c.find(Provider::Microsoft, MICROSOFT_CLIENT_ID).unwrap();
        assert_eq!(m.platform(), Platform::Spa);
        assert!(c.find(Provider::Google, MICROSOFT_CLIENT_ID).is_none());

        let moved: Client = serde_json::from_value(serde_json::json!({
            "provider":"google","clientId":GOOGLE_CLIENT_ID,"clientSecret":"s2",
            "redirectUris":["https://x.chromiumapp.org/google"]}))
        .unwrap();
        c.upsert(moved).unwrap();
        assert_eq!(c.list().len(), 2);
        assert!(c.registered_anywhere(Provider::Google, "https://x.chromiumapp.org/google"));

        let secretless: Client = serde_json::from_value(serde_json::json!({
            "provider":"google","clientId":"a","redirectUris":["https://a/"]}))
        .unwrap();
        assert!(c.upsert(secretless).is_err());
        let ms_secret: Client = serde_json::from_value(serde_json::json!({
            "provider":"microsoft","clientId":"b","clientSecret":"x","redirectUris":["https://b/"]})).unwrap();
        assert!(c.upsert(ms_secret).is_err());
        assert!(
            serde_json::from_value::<Client>(serde_json::json!({
            "provider":"microsoft","clientId":"b","redirectUri":"https://b/"}))
            .is_err()
        );
    }
}
