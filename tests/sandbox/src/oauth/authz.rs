//! An authorization request once validated, and the redirect that answers it.

use super::scenario::Scenario;
use crate::http::{Response, form_encode};
use crate::state::Provider;

/// What a validated authorization request asked for; kept while a consent page waits.
#[derive(Debug, Clone)]
pub struct AuthzRequest {
    pub provider: Provider,
    pub client_id: String,
    pub redirect_uri: String,
    /// Microsoft `response_mode=fragment`: parameters after `#` instead of `?`.
    pub fragment: bool,
    pub state: Option<String>,
    pub nonce: Option<String>,
    /// Scopes as requested (space-separated tokens of `scope`).
    pub scopes: Vec<String>,
    /// The same scopes in the provider's canonical spelling.
    pub canonical_scopes: Vec<String>,
    pub challenge: Option<String>,
    pub prompt: Vec<String>,
    pub login_hint: Option<String>,
    /// Google `access_type=offline`; Microsoft `offline_access` in the scopes.
    pub offline: bool,
    /// Google `include_granted_scopes=true`.
    pub include_granted_scopes: bool,
    /// Microsoft's `{tenant}` path segment ("" for Google).
    pub tenant: String,
    /// Microsoft `client_info=1`.
    pub client_info: bool,
}

impl AuthzRequest {
    pub fn prompts(&self, value: &str) -> bool {
        self.prompt.iter().any(|p| p == value)
    }

    /// The `state` the redirect carries: the request's, unless the scenario replaces or drops it.
    pub fn outgoing_state<'a>(&'a self, scenario: &'a Scenario) -> Option<&'a str> {
        if scenario.omit_state {
            None
        } else {
            scenario.state_override.as_deref().or(self.state.as_deref())
        }
    }
}

/// The space-separated tokens of a parameter (`scope`, Google's `prompt`), empty ones skipped.
pub fn words(value: &str) -> Vec<String> {
    value
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The first non-empty value of a parameter (providers treat `x=` as absent).
pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// A redirect to the client's `redirect_uri` with form-encoded parameters.
pub struct Redirect {
    base: String,
    fragment: bool,
    pairs: Vec<(String, String)>,
}

impl Redirect {
    pub fn to(uri: &str, fragment: bool) -> Self {
        Redirect {
            base: uri.to_owned(),
            fragment,
            pairs: Vec::new(),
        }
    }

    pub fn param(mut self, name: &str, value: &str) -> Self {
        self.pairs.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn param_opt(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.param(name, v),
            None => self,
        }
    }

    pub fn location(&self) -> String {
        if self.pairs.is_empty() {
            return self.base.clone();
        }
        let encoded: Vec<String> = self
            .pairs
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect();
        let separator = if self.fragment {
            '#'
        } else if self.base.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{separator}{}", self.base, encoded.join("&"))
    }

    pub fn response(&self) -> Response {
        Response::redirect(&self.location()).with_header(
            "cache-control",
            "no-cache, no-store, max-age=0, must-revalidate",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_query_and_fragment_redirects() {
        let r = Redirect::to("https://x.chromiumapp.org/google", false)
            .param("state", "a b")
            .param("code", "4/0A")
            .param_opt("hd", None);
        assert_eq!(
            r.location(),
            "https://x.chromiumapp.org/google?state=a+b&code=4%2F0A"
        );
        assert_eq!(r.response().status, 302);
        let f = Redirect::to("https://x/cb?k=1", true).param("code", "c");
        assert_eq!(f.location(), "https://x/cb?k=1#code=c");
        assert_eq!(
            Redirect::to("https://x/cb?k=1", false)
                .param("c", "d")
                .location(),
            "https://x/cb?k=1&c=d"
        );
        assert_eq!(
            Redirect::to("https://x/cb", false).location(),
            "https://x/cb"
        );
    }
}
