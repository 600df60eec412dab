//! Scopes: which exist, how each provider spells them back, and which Gmail methods accept
//! which (straight from the discovery document's per-method `scopes`).

use std::path::Path;

use serde_json::Value;

pub const OPENID: &str = "openid";
pub const GOOGLE_EMAIL: &str = "https://www.googleapis.com/auth/userinfo.email";
pub const GOOGLE_PROFILE: &str = "https://www.googleapis.com/auth/userinfo.profile";

/// One Gmail API method as the discovery document describes it.
#[derive(Debug, Clone)]
pub struct GmailMethod {
    /// `gmail.users.getProfile`.
    pub id: String,
    pub http: String,
    /// `/` + servicePath + path, e.g. `/gmail/v1/users/{userId}/profile`.
    pub path: String,
    /// Any one of these lets a token call the method.
    pub scopes: Vec<String>,
}

/// What the fakes take from the Gmail discovery document: the OAuth scopes it defines and
/// each method's accepted scopes.
#[derive(Debug, Clone, Default)]
pub struct GmailContract {
    pub scopes: Vec<String>,
    /// (scope, description) as the document words them, for consent pages.
    pub descriptions: Vec<(String, String)>,
    pub methods: Vec<GmailMethod>,
}

impl GmailContract {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        let doc: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        Ok(Self::from_discovery(&doc))
    }

    pub fn from_discovery(doc: &Value) -> Self {
        fn walk(resources: &Value, service_path: &str, out: &mut Vec<GmailMethod>) {
            for resource in resources.as_object().into_iter().flat_map(|o| o.values()) {
                for method in resource
                    .get("methods")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|o| o.values())
                {
                    let scopes: Vec<String> = method["scopes"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect();
                    let mut paths: Vec<String> = ["path", "flatPath"]
                        .iter()
                        .filter_map(|key| method.get(*key).and_then(Value::as_str))
                        .map(|path| format!("/{service_path}{path}"))
                        .collect();
                    // The media upload path (`/upload/…`) is the same method.
                    if let Some(upload) = method
                        .pointer("/mediaUpload/protocols/simple/path")
                        .and_then(Value::as_str)
                    {
                        paths.push(upload.to_owned());
                    }
                    for path in paths {
                        out.push(GmailMethod {
                            id: method["id"].as_str().unwrap_or_default().to_owned(),
                            http: method["httpMethod"].as_str().unwrap_or_default().to_owned(),
                            path,
                            scopes: scopes.clone(),
                        });
                    }
                }
                if let Some(children) = resource.get("resources") {
                    walk(children, service_path, out);
                }
            }
        }
        let mut methods = Vec::new();
        walk(
            &doc["resources"],
            doc["servicePath"].as_str().unwrap_or_default(),
            &mut methods,
        );
        let descriptions: Vec<(String, String)> = doc
            .pointer("/auth/oauth2/scopes")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                let text = v["description"].as_str().unwrap_or_default();
                (k.clone(), text.to_owned())
            })
            .collect();
        GmailContract {
            scopes: descriptions.iter().map(|(k, _)| k.clone()).collect(),
            descriptions,
            methods,
        }
    }

    /// The method a route template serves.
    pub fn method(&self, http: &str, template: &str) -> Option<&GmailMethod> {
        self.methods
            .iter()
            .find(|m| m.http.eq_ignore_ascii_case(http) && m.path == template)
    }
}

/// Google's canonical spelling: `email` and `profile` are aliases of the userinfo scopes.
pub fn google_canonical(scope: &str) -> String {
    match scope {
        "email" => GOOGLE_EMAIL.into(),
        "profile" => GOOGLE_PROFILE.into(),
        other => other.into(),
    }
}

/// Whether Google knows a (canonical) scope: the OpenID ones and the Gmail document's.
pub fn google_known(canonical: &str, gmail: &GmailContract) -> bool {
    matches!(canonical, OPENID | GOOGLE_EMAIL | GOOGLE_PROFILE)
        || gmail.scopes.iter().any(|s| s == canonical)
}

/// The `scope` of Google's redirect: each granted scope in its canonical form, preceded by
/// the short alias (`email`, `profile`) where the request used it.
pub fn google_redirect_scope(requested: &[String], granted: &[String]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for (alias, long) in [("email", GOOGLE_EMAIL), ("profile", GOOGLE_PROFILE)] {
        if requested.iter().any(|r| r == alias) && granted.iter().any(|g| g == long) {
            out.push(alias);
        }
    }
    out.extend(granted.iter().map(String::as_str));
    out.join(" ")
}

pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com/";
/// The OpenID Connect scopes Microsoft's v2.0 endpoint takes alongside resource scopes.
pub const MS_OIDC: &[&str] = &["openid", "profile", "email", "offline_access"];
/// Delegated Microsoft Graph permissions this fake knows, in their documented spelling.
pub const GRAPH_DELEGATED: &[&str] = &[
    "User.Read",
    "User.ReadWrite",
    "User.ReadBasic.All",
    "User.Read.All",
    "Directory.Read.All",
    "Mail.Read",
    "Mail.ReadBasic",
    "Mail.ReadWrite",
    "Mail.Send",
    "Mail.Read.Shared",
    "Mail.ReadWrite.Shared",
    "Mail.Send.Shared",
    "MailboxSettings.Read",
    "MailboxSettings.ReadWrite",
    "Contacts.Read",
    "Contacts.ReadWrite",
    "Calendars.Read",
    "Calendars.ReadWrite",
    "People.Read",
];

/// Microsoft's canonical spelling of a requested scope: OIDC scopes lower-case, Graph
/// permissions (bare or `https://graph.microsoft.com/`-qualified, any case) as documented.
/// `None` for a scope Microsoft would call invalid.
pub fn microsoft_canonical(scope: &str) -> Option<String> {
    if let Some(oidc) = MS_OIDC.iter().find(|s| s.eq_ignore_ascii_case(scope)) {
        return Some((*oidc).to_owned());
    }
    let bare = scope
        .get(..GRAPH_RESOURCE.len())
        .filter(|p| p.eq_ignore_ascii_case(GRAPH_RESOURCE))
        .map_or(scope, |_| &scope[GRAPH_RESOURCE.len()..]);
    GRAPH_DELEGATED
        .iter()
        .find(|s| s.eq_ignore_ascii_case(bare))
        .map(|s| (*s).to_owned())
}

/// The `scope` of Microsoft's token response: the OIDC scopes granted (not
/// `offline_access`), then the Graph permissions, resource-qualified.
pub fn microsoft_token_scope(granted: &[String]) -> String {
    let mut oidc: Vec<&str> = granted
        .iter()
        .map(String::as_str)
        .filter(|s| MS_OIDC.contains(s) && *s != "offline_access")
        .collect();
    oidc.sort_unstable();
    let graph = granted
        .iter()
        .filter(|s| !MS_OIDC.contains(&s.as_str()))
        .map(|s| format!("{GRAPH_RESOURCE}{s}"));
    oidc.into_iter()
        .map(str::to_owned)
        .chain(graph)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_spellings() {
        assert_eq!(google_canonical("email"), GOOGLE_EMAIL);
        let gmail = GmailContract {
            scopes: vec!["https://www.googleapis.com/auth/gmail.send".into()],
            ..GmailContract::default()
        };
        assert!(google_known(GOOGLE_PROFILE, &gmail));
        assert!(google_known(
            "https://www.googleapis.com/auth/gmail.send",
            &gmail
        ));
        assert!(!google_known(
            "https://www.googleapis.com/auth/drive",
            &gmail
        ));
        let granted = vec![GOOGLE_EMAIL.to_owned(), OPENID.to_owned()];
        assert_eq!(
            google_redirect_scope(&["email".into(), "openid".into()], &granted),
            format!("email {GOOGLE_EMAIL} openid")
        );
    }

    #[test]
    fn microsoft_spellings() {
        assert_eq!(microsoft_canonical("OpenID").as_deref(), Some("openid"));
        assert_eq!(
            microsoft_canonical("user.read").as_deref(),
            Some("User.Read")
        );
        assert_eq!(
            microsoft_canonical("https://graph.microsoft.com/mail.send").as_deref(),
            Some("Mail.Send")
        );
        assert_eq!(microsoft_canonical("Mail.Fly"), None);
        assert_eq!(
            microsoft_canonical("https://outlook.office.com/Mail.Send"),
            None
        );
        let granted: Vec<String> = ["offline_access", "User.Read", "openid", "email"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            microsoft_token_scope(&granted),
            "email openid https://graph.microsoft.com/User.Read"
        );
    }
}
