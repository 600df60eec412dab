//! What a `401`'s `WWW-Authenticate` offers (RFC 9110 §11.6.1), read only as
//! far as Autodiscover needs: is Basic among the schemes, or only Windows
//! sign-in (NTLM, Negotiate), which Inlay cannot answer with a password.

use crate::http::HttpResponse;

/// The sign-in a `401` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Challenge {
    /// Basic is offered (perhaps beside others): the password may be sent.
    Basic,
    /// Only NTLM and/or Negotiate (Kerberos).
    WindowsOnly,
    /// No challenge, or only schemes Inlay neither speaks nor can explain.
    Other,
}

/// Reads every `www-authenticate` header of `response` (the browser joins
/// repeated headers with commas, tests may pass them apart).
pub(super) fn read(response: &HttpResponse) -> Challenge {
    let schemes: Vec<String> = response
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("www-authenticate"))
        .flat_map(|(_, value)| schemes(value))
        .collect();
    if schemes.iter().any(|s| s == "basic") {
        Challenge::Basic
    } else if !schemes.is_empty() && schemes.iter().all(|s| s == "ntlm" || s == "negotiate") {
        Challenge::WindowsOnly
    } else {
        Challenge::Other
    }
}

/// The auth-scheme names (lower-case) in a challenge list. Elements are split
/// at commas outside quoted strings; an element starting with `name=` is a
/// parameter of the challenge before it, anything else starts a challenge.
fn schemes(value: &str) -> Vec<String> {
    let mut elements = vec![];
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                elements.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    elements.push(&value[start..]);
    elements
        .into_iter()
        .filter_map(|element| {
            let element = element.trim();
            let end = element
                .find(|c: char| c.is_ascii_whitespace() || c == '=')
                .unwrap_or(element.len());
            let (name, rest) = element.split_at(end);
            let is_param = rest.trim_start().starts_with('=');
            (!name.is_empty() && !is_param).then(|| name.to_ascii_lowercase())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(headers: &[&str]) -> HttpResponse {
        HttpResponse {
            status: 401,
            headers: headers
                .iter()
                .map(|v| ("www-authenticate".to_string(), v.to_string()))
                .collect(),
            body: String::new(),
        }
    }

    #[test]
    fn challenges_table() {
        use Challenge::*;
        let cases: &[(&[&str], Challenge)] = &[
            (&["Basic realm=\"mail.contoso.com\""], Basic),
            (&["basic"], Basic),
            // IIS sends one header per scheme; fetch joins them with ", ".
            (&["Negotiate", "NTLM", "Basic realm=\"x\""], Basic),
            (&["Negotiate, NTLM, Basic realm=\"x\""], Basic),
            (&["Negotiate", "NTLM"], WindowsOnly),
            (&["NTLM"], WindowsOnly),
            (&["Negotiate oYH1MIHyoAMKAQ=="], WindowsOnly),
            // A comma or a scheme name inside a quoted realm is no scheme.
            (
                &["Bearer realm=\"a, Basic b\", error=\"invalid_token\""],
                Other,
            ),
            (
                &["Digest realm=\"x\", qop=\"auth\", nonce=\"a\\\"b, Basic\""],
                Other,
            ),
            (&["NTLM, Bearer realm = \"x\""], Other),
            (&[], Other),
            (&[""], Other),
        ];
        for (headers, expected) in cases {
            assert_eq!(read(&with(headers)), *expected, "{headers:?}");
        }
    }

    #[test]
    fn parameters_are_not_schemes() {
        assert_eq!(
            schemes("Basic realm=\"x\", charset = \"UTF-8\", NTLM"),
            ["basic", "ntlm"]
        );
    }
}
