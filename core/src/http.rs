//! Plain request and response values: the core plans requests, the service
//! worker executes them with `fetch` and hands the response back unchanged.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

/// A request the core wants made. The executor adds nothing to it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    /// Header names as the provider documents them; order is kept.
    pub headers: Vec<(String, String)>,
    /// UTF-8 body (JSON, form-encoded or SOAP), if any.
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub body: Option<String>,
    /// Raw bytes, base64-encoded, that the executor decodes and sends as
    /// they are (a Graph upload session's chunk); `body` is then `None`.
    /// Absent from every other request's JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub body_base64: Option<String>,
}

// `Debug` hides the `Authorization` value (a password or a token), so a
// step holding the request can be logged or shown in a failed assertion.
impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let shown = if k.eq_ignore_ascii_case("authorization") {
                    "<redacted>"
                } else {
                    v.as_str()
                };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body)
            .field("body_base64", &self.body_base64.as_ref().map(String::len))
            .finish()
    }
}

/// What came back, as the executor saw it. Network failures that never
/// produced a response are reported as `Transport` by the executor instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct HttpResponse {
    pub status: u16,
    /// Header names lower-cased by the executor.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    /// First header with this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A request that produced no HTTP response at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum TransportFailure {
    /// Connection refused or reset, DNS failure, TLS failure, offline.
    Network,
    /// The executor aborted the request after its deadline.
    Timeout,
}

/// `scheme://host/*` for an http(s) URL: the browser's host-permission pattern
/// (`chrome.permissions` speaks these). `None` for anything else.
pub fn host_pattern(url: &str) -> Option<String> {
    let url = crate::idn::parse_url(url).ok()?;
    let host = url.host_str()?;
    matches!(url.scheme(), "https" | "http").then(|| format!("{}://{host}/*", url.scheme()))
}

/// The distinct host patterns of `urls`, in order (one browser prompt lists
/// each host once).
pub fn host_patterns<'a>(urls: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut patterns: Vec<String> = Vec::new();
    for pattern in urls.into_iter().filter_map(host_pattern) {
        if !patterns.contains(&pattern) {
            patterns.push(pattern);
        }
    }
    patterns
}

#[cfg(test)]
mod host_pattern_tests {
    use super::{host_pattern, host_patterns};

    #[test]
    fn host_patterns_are_listed_once_in_order() {
        assert_eq!(
            host_patterns([
                "https://b.example/x",
                "https://a.example/y",
                "https://B.example:444/z",
                "ftp://c.example/",
                "http://b.example/",
            ]),
            [
                "https://b.example/*",
                "https://a.example/*",
                "http://b.example/*"
            ]
        );
    }

    #[test]
    fn host_patterns_drop_port_path_and_query() {
        assert_eq!(
            host_pattern("https://Autoconfig.X.example:8443/mail/config-v1.1.xml?q=1").as_deref(),
            Some("https://autoconfig.x.example/*")
        );
        assert_eq!(
            host_pattern("http://autodiscover.x.example/a").as_deref(),
            Some("http://autodiscover.x.example/*")
        );
        assert_eq!(host_pattern("ftp://x.example/"), None);
        assert_eq!(host_pattern("not a url"), None);
    }
}
