//! Path templates (`/gmail/v1/users/{userId}/profile`) and route tables.
//!
//! Fakes declare their routes as data, not as `match` arms, so the contract tests can walk
//! the same table and look every entry up in the published API description.

/// One entry of a fake's route table. `H` is the fake's handler type.
pub struct Route<H> {
    pub method: &'static str,
    /// Segments in `{braces}` capture one path segment each.
    pub template: &'static str,
    pub handler: H,
}

/// Values captured by a template's `{name}` segments, percent-decoded.
#[derive(Debug, Default, PartialEq)]
pub struct Params(Vec<(&'static str, String)>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub enum Lookup<'a, H> {
    Found(&'a Route<H>, Params),
    /// The path exists with another method.
    MethodNotAllowed,
    NotFound,
}

pub fn lookup<'a, H>(routes: &'a [Route<H>], method: &str, path: &str) -> Lookup<'a, H> {
    let mut path_matched = false;
    for route in routes {
        if let Some(params) = match_template(route.template, path) {
            if route.method.eq_ignore_ascii_case(method) {
                return Lookup::Found(route, params);
            }
            path_matched = true;
        }
    }
    if path_matched {
        Lookup::MethodNotAllowed
    } else {
        Lookup::NotFound
    }
}

/// Matches a path against a template segment by segment; a trailing slash is not ignored,
/// as real APIs treat `/me/` and `/me` differently.
pub fn match_template(template: &'static str, path: &str) -> Option<Params> {
    let mut wanted = template.split('/');
    let mut given = path.split('/');
    let mut params = Vec::new();
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return Some(Params(params)),
            (Some(w), Some(g)) => {
                if let Some(name) = w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                    if g.is_empty() {
                        return None;
                    }
                    params.push((name, crate::http::percent_decode(g)));
                } else if w != g {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &[Route<u8>] = &[
        Route {
            method: "GET",
            template: "/a/{id}",
            handler: 1,
        },
        Route {
            method: "POST",
            template: "/a/{id}/send",
            handler: 2,
        },
    ];

    #[test]
    fn captures_and_decodes() {
        let p = match_template("/u/{userId}/sendAs/{email}", "/u/me/sendAs/a%40b.com").unwrap();
        assert_eq!(p.get("userId"), Some("me"));
        assert_eq!(p.get("email"), Some("a@b.com"));
        assert!(match_template("/u/{userId}", "/u/").is_none());
        assert!(match_template("/u/{userId}", "/u/me/").is_none());
        assert!(match_template("/u/{userId}", "/u/me/x").is_none());
    }

    #[test]
    fn lookup_distinguishes_method_and_path() {
        assert!(matches!(lookup(ROUTES, "get", "/a/1"), Lookup::Found(r, _) if r.handler == 1));
        assert!(
            matches!(lookup(ROUTES, "POST", "/a/1/send"), Lookup::Found(r, _) if r.handler == 2)
        );
        assert!(matches!(
            lookup(ROUTES, "DELETE", "/a/1"),
            Lookup::MethodNotAllowed
        ));
        assert!(matches!(lookup(ROUTES, "GET", "/b"), Lookup::NotFound));
    }
}
