//! `GET /oauth/log`: every call to an authorization, consent, token, revocation, userinfo
//! or logout endpoint, decoded, with the facts tests assert on (PKCE method and length,
//! whether `state`/`nonce` came and were fresh, client authentication, `Origin`, where the
//! revoked token travelled, and the outcome). Raw requests stay in `GET /requests`.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::http::{Request, Response};

/// One log entry: a JSON object built up by the endpoint that handled the call.
#[derive(Debug, Clone)]
pub struct Entry(Map<String, Value>);

impl Entry {
    /// `params`: the decoded query (authorize, logout) or form body (token, revoke).
    pub fn new(req: &Request, provider: &str, endpoint: &str, params: &[(String, String)]) -> Self {
        let mut map = Map::new();
        let mut decoded = Map::new();
        let mut repeated = Vec::new();
        for (k, v) in params {
            if decoded.contains_key(k) {
                repeated.push(json!(k));
            } else {
                decoded.insert(k.clone(), json!(v));
            }
        }
        map.insert("provider".into(), json!(provider));
        map.insert("endpoint".into(), json!(endpoint));
        map.insert("method".into(), json!(req.method));
        map.insert("host".into(), json!(req.host));
        map.insert("path".into(), json!(req.path));
        map.insert("params".into(), Value::Object(decoded));
        if !repeated.is_empty() {
            map.insert("repeatedParams".into(), Value::Array(repeated));
        }
        Entry(map)
    }

    pub fn set(&mut self, key: &str, value: impl Into<Value>) {
        self.0.insert(key.to_owned(), value.into());
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// The facts of a token request's headers: `contentType` (`""` without one) and
    /// `origin` (`null` without one; a browser adds it to cross-origin calls).
    pub fn token_request_headers(&mut self, req: &Request) {
        self.set(
            "contentType",
            req.header("content-type").unwrap_or_default(),
        );
        self.set(
            "origin",
            req.header("origin").map_or(Value::Null, Value::from),
        );
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.0.get("params")?.get(name)?.as_str()
    }

    /// The facts of an authorization request: `statePresent`, `stateLength`,
    /// `stateSeenBefore`, `noncePresent`, `pkceMethod` (`null` without a challenge; `plain`
    /// when a challenge came without a method, as RFC 7636 defaults), `codeChallengeLength`,
    /// `challengeSeenBefore` (within this sandbox run).
    pub fn authorize_facts(&mut self, log: &mut OAuthLog) {
        let state = self.param("state").map(str::to_owned);
        let challenge = self.param("code_challenge").map(str::to_owned);
        let method = self.param("code_challenge_method").map(str::to_owned);
        let nonce = self.param("nonce").is_some();
        self.set("statePresent", state.is_some());
        if let Some(s) = state {
            self.set("stateLength", s.len());
            self.set("stateSeenBefore", !log.states.insert(s));
        }
        self.set("noncePresent", nonce);
        match challenge {
            Some(c) => {
                self.set("pkceMethod", method.unwrap_or_else(|| "plain".into()));
                self.set("codeChallengeLength", c.len());
                self.set("challengeSeenBefore", !log.challenges.insert(c));
            }
            None => self.set("pkceMethod", Value::Null),
        }
    }
}

#[derive(Debug, Default)]
pub struct OAuthLog {
    next_seq: u64,
    entries: Vec<Value>,
    states: HashSet<String>,
    challenges: HashSet<String>,
}

impl OAuthLog {
    /// Stamps the entry with its sequence number and the sandbox time, and keeps it.
    pub fn push(&mut self, entry: Entry, now: u64) {
        self.next_seq += 1;
        let mut map = entry.0;
        map.insert("seq".into(), json!(self.next_seq));
        map.insert("at".into(), json!(now));
        self.entries.push(Value::Object(map));
    }

    /// Adds the response's status (and `location`, for redirects) and keeps the entry.
    pub fn push_response(&mut self, mut entry: Entry, response: &Response, now: u64) {
        entry.set("status", response.status);
        if let Some(location) = response.header("location") {
            entry.set("location", location);
        }
        self.push(entry, now);
    }

    pub fn select(&self, provider: Option<&str>, endpoint: Option<&str>) -> Vec<&Value> {
        self.entries
            .iter()
            .filter(|e| provider.is_none_or(|p| e["provider"] == p))
            .filter(|e| endpoint.is_none_or(|p| e["endpoint"] == p))
            .collect()
    }

    /// Forgets entries and the seen states/challenges; sequence numbers keep counting.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.states.clear();
        self.challenges.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::query_pairs;

    #[test]
    fn authorize_facts_and_freshness() {
        let mut log = OAuthLog::default();
        let req = Request::new(
            "GET",
            "accounts.google.com",
            "/o/oauth2/v2/auth?state=abc&code_challenge=xyz&scope=a&scope=b",
        );
        let params: Vec<_> = query_pairs(&req.query).collect();
        for _ in 0..2 {
            let mut e = Entry::new(&req, "google", "authorize", &params);
            e.authorize_facts(&mut log);
            log.push(e, 5);
        }
        let all = log.select(Some("google"), Some("authorize"));
        assert_eq!(all.len(), 2);
        assert_eq!(all[0]["pkceMethod"], "plain");
        assert_eq!(all[0]["stateSeenBefore"], false);
        assert_eq!(all[1]["stateSeenBefore"], true);
        assert_eq!(all[1]["challengeSeenBefore"], true);
        assert_eq!(all[0]["noncePresent"], false);
        assert_eq!(all[0]["params"]["scope"], "a");
        assert_eq!(all[0]["repeatedParams"], json!(["scope"]));
        assert_eq!(all[1]["seq"], 2);
        log.clear();
        assert!(log.select(None, None).is_empty());
        log.push(Entry::new(&req, "google", "token", &[]), 6);
        assert_eq!(log.select(None, Some("token"))[0]["seq"], 3);
    }
}
