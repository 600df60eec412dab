//! Thunderbird's clientConfig v1.1 (autoconfig and ISPDB documents).
//!
//! Only what Inlay can use is kept: IMAP (never POP3) and SMTP servers with
//! TLS (never plaintext), usernames with placeholders substituted, and the
//! provider's OAuth 2 hints.

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use serde::{Deserialize, Serialize};

use super::validate::host_problem;
use super::{Authentication, MailSettings, OAuth2Hint, Security, Server};
use crate::detect::EmailAddress;

/// Larger bodies are not autoconfig documents (the largest ISPDB file is 9 KB).
const MAX_BODY: usize = 256 * 1024;
/// Deeper nesting is not a clientConfig; bounds the parser's stack.
const MAX_DEPTH: usize = 16;
/// Alternatives beyond this are noise in the form.
const MAX_ALTERNATIVES: usize = 5;

/// A usable clientConfig, already specialised to one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientConfig {
    /// `emailProvider id`, e.g. "googlemail.com".
    pub provider_id: String,
    pub display_name: Option<String>,
    /// The `<domain>` entries, lower-case.
    pub domains: Vec<String>,
    /// The best IMAP and SMTP servers (implicit TLS before STARTTLS, then the
    /// document's order).
    pub settings: MailSettings,
    /// Other acceptable combinations, best first.
    pub alternatives: Vec<MailSettings>,
    /// Servers passed over and why (e.g. a plaintext alternative).
    pub notes: Vec<String>,
}

/// Why a document gives no usable settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ConfigError {
    /// Not well-formed XML (often an HTML error page).
    Malformed {
        detail: String,
    },
    /// Well-formed, but not a `<clientConfig>`.
    NotClientConfig {
        root: String,
    },
    NoEmailProvider,
    /// Only POP3 is offered; Inlay needs IMAP.
    Pop3Only,
    /// No IMAP or POP3 at all (e.g. only Exchange/EWS entries).
    NoImap {
        offered: Vec<String>,
    },
    /// IMAP is offered only without encryption.
    ImapPlaintextOnly,
    NoSmtp,
    /// SMTP is offered only without encryption.
    SmtpPlaintextOnly,
    /// Servers were listed but none was usable.
    Unusable {
        role: String,
        reasons: Vec<String>,
    },
}

impl ConfigError {
    /// A sentence for the user.
    pub fn message(&self) -> String {
        match self {
            ConfigError::Malformed { detail } => {
                format!("the answer wasn't a readable settings file ({detail})")
            }
            ConfigError::NotClientConfig { root } => {
                format!("the answer was a <{root}> document, not mail settings")
            }
            ConfigError::NoEmailProvider => "the settings file names no email provider".into(),
            ConfigError::Pop3Only => {
                "this provider only offers POP3, which Inlay doesn't support (it needs IMAP)".into()
            }
            ConfigError::NoImap { offered } => format!(
                "this provider offers no IMAP server (only {})",
                if offered.is_empty() { "nothing".into() } else { offered.join(", ") }
            ),
            ConfigError::ImapPlaintextOnly => {
                "this provider only offers IMAP without encryption; Inlay never sends your password unencrypted".into()
            }
            ConfigError::NoSmtp => "this provider lists no SMTP server for sending".into(),
            ConfigError::SmtpPlaintextOnly => {
                "this provider only offers SMTP without encryption; Inlay never sends your password unencrypted".into()
            }
            ConfigError::Unusable { role, reasons } => {
                format!("no usable {role} server: {}", reasons.join("; "))
            }
        }
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// Parses a clientConfig document for `address`.
pub fn parse_client_config(xml: &str, address: &EmailAddress) -> Result<ClientConfig, ConfigError> {
    let root = parse_tree(xml).map_err(|detail| ConfigError::Malformed { detail })?;
    if root.name != "clientConfig" {
        return Err(ConfigError::NotClientConfig { root: root.name });
    }
    let provider = root
        .child("emailProvider")
        .ok_or(ConfigError::NoEmailProvider)?;
    let mut notes = Vec::new();

    let incoming: Vec<&Element> = provider.children("incomingServer").collect();
    let imap: Vec<&Element> = incoming
        .iter()
        .copied()
        .filter(|e| e.attr("type") == Some("imap"))
        .collect();
    if imap.is_empty() {
        let offered: Vec<String> = incoming
            .iter()
            .filter_map(|e| e.attr("type"))
            .map(str::to_owned)
            .collect();
        return Err(if offered.iter().any(|t| t == "pop3") {
            ConfigError::Pop3Only
        } else {
            ConfigError::NoImap { offered }
        });
    }
    let imaps = usable("IMAP", &imap, address, &mut notes)
        .map_err(|e| e.unwrap_or(ConfigError::ImapPlaintextOnly))?;
    let smtp: Vec<&Element> = provider
        .children("outgoingServer")
        .filter(|e| e.attr("type") == Some("smtp"))
        .collect();
    if smtp.is_empty() {
        return Err(ConfigError::NoSmtp);
    }
    let smtps = usable("SMTP", &smtp, address, &mut notes)
        .map_err(|e| e.unwrap_or(ConfigError::SmtpPlaintextOnly))?;

    let oauth2 = root.child("oAuth2").and_then(|o| {
        Some(OAuth2Hint {
            issuer: o.text_of("issuer")?.to_owned(),
            scope: o.text_of("scope")?.to_owned(),
            auth_url: o.text_of("authURL").map(str::to_owned),
            token_url: o.text_of("tokenURL").map(str::to_owned),
        })
    });
    let mut combos = Vec::new();
    for i in &imaps {
        for s in &smtps {
            let mut settings = MailSettings::new(i.clone(), s.clone());
            settings.oauth2 = oauth2.clone();
            combos.push(settings);
        }
    }
    let settings = combos.remove(0);
    combos.truncate(MAX_ALTERNATIVES);
    Ok(ClientConfig {
        provider_id: provider.attr("id").unwrap_or_default().to_owned(),
        display_name: provider.text_of("displayName").map(str::to_owned),
        domains: provider
            .children("domain")
            .filter_map(|d| d.text())
            .map(str::to_ascii_lowercase)
            .collect(),
        settings,
        alternatives: combos,
        notes,
    })
}

/// The usable servers of one role, best first. `Err(None)`: only plaintext
/// ones were refused; `Err(Some(_))`: refused for other reasons too.
fn usable(
    role: &str,
    elements: &[&Element],
    address: &EmailAddress,
    notes: &mut Vec<String>,
) -> Result<Vec<Server>, Option<ConfigError>> {
    let mut good = Vec::new();
    let mut reasons = Vec::new();
    let mut only_plaintext = true;
    for el in elements {
        match server(el, address) {
            Ok(s) => good.push(s),
            Err(Skip::Plaintext(what)) => {
                notes.push(format!(
                    "Skipped {role} server {what}: it doesn't use encryption."
                ));
                reasons.push(format!("{what} is unencrypted"));
            }
            Err(Skip::Other(why)) => {
                only_plaintext = false;
                notes.push(format!("Skipped an {role} server: {why}."));
                reasons.push(why);
            }
        }
    }
    if good.is_empty() {
        return Err(if only_plaintext {
            None
        } else {
            Some(ConfigError::Unusable {
                role: role.into(),
                reasons,
            })
        });
    }
    // Stable: the document's order breaks ties.
    good.sort_by_key(|s| s.security != Security::ImplicitTls);
    Ok(good)
}

enum Skip {
    Plaintext(String),
    Other(String),
}

fn server(el: &Element, address: &EmailAddress) -> Result<Server, Skip> {
    let host = fill(
        el.text_of("hostname")
            .ok_or(Skip::Other("no hostname".into()))?,
        address,
    );
    if let Some(problem) = host_problem(&host) {
        return Err(Skip::Other(format!("hostname {host:?}: {problem}")));
    }
    let port: u16 = el
        .text_of("port")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p != 0)
        .ok_or_else(|| Skip::Other(format!("{host} has no valid port")))?;
    // Thunderbird treats a missing socketType as plain.
    let security = match el.text_of("socketType").unwrap_or("plain") {
        s if s.eq_ignore_ascii_case("SSL") => Security::ImplicitTls,
        s if s.eq_ignore_ascii_case("STARTTLS") => Security::StartTls,
        s if s.eq_ignore_ascii_case("plain") => {
            return Err(Skip::Plaintext(format!("{host}:{port}")));
        }
        other => {
            return Err(Skip::Other(format!(
                "{host}:{port} has unknown socketType {other:?}"
            )));
        }
    };
    let username = fill(el.text_of("username").unwrap_or("%EMAILADDRESS%"), address);
    if username.contains('%') {
        return Err(Skip::Other(format!(
            "{host}:{port} has an unknown username placeholder ({username})"
        )));
    }
    let mut authentication: Vec<Authentication> = el
        .children("authentication")
        .filter_map(|a| match a.text()? {
            "password-cleartext" | "plain" => Some(Authentication::PasswordCleartext),
            "password-encrypted" | "secure" => Some(Authentication::PasswordEncrypted),
            "OAuth2" => Some(Authentication::OAuth2),
            "none" => Some(Authentication::None),
            _ => None, // NTLM, GSSAPI, client certificates: not offered by Inlay
        })
        .collect();
    if authentication.is_empty() {
        authentication.push(Authentication::PasswordCleartext);
    }
    Ok(Server {
        host: host.to_ascii_lowercase(),
        port,
        security,
        username,
        authentication,
    })
}

/// Substitutes clientConfig placeholders (usernames and hostnames use them).
pub(crate) fn fill(template: &str, address: &EmailAddress) -> String {
    template
        .replace("%EMAILADDRESS%", &address.to_address())
        .replace("%EMAILLOCALPART%", &address.local)
        .replace("%EMAILDOMAIN%", &address.domain)
}

/// A minimal element tree: clientConfig documents are small and flat.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
    }
    /// Trimmed text, `None` when blank.
    fn text(&self) -> Option<&str> {
        Some(self.text.trim()).filter(|t| !t.is_empty())
    }
    fn text_of(&self, child: &str) -> Option<&str> {
        self.child(child)?.text()
    }
}

fn parse_tree(xml: &str) -> Result<Element, String> {
    if xml.len() > MAX_BODY {
        return Err(format!("{} bytes is too large", xml.len()));
    }
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let bad = |e: &dyn std::fmt::Display| e.to_string();
    loop {
        match reader.read_event().map_err(|e| bad(&e))? {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err("nested too deeply".into());
                }
                stack.push(element(&e)?);
            }
            Event::Empty(e) => attach(&mut stack, &mut root, element(&e)?)?,
            Event::End(_) => {
                let done = stack.pop().ok_or("unexpected closing tag")?;
                attach(&mut stack, &mut root, done)?;
            }
            Event::Text(t) => {
                let t = t.decode().map_err(|e| bad(&e))?;
                push_text(&mut stack, &t)?;
            }
            Event::CData(t) => {
                let t = t.decode().map_err(|e| bad(&e))?;
                push_text(&mut stack, &t)?;
            }
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref().map_err(|e| bad(&e))? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().map_err(|e| bad(&e))?;
                        resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("unknown entity &{name};"))?
                            .to_owned()
                    }
                };
                push_text(&mut stack, &text)?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("<{}> is never closed", open.name));
    }
    root.ok_or_else(|| "no XML element".into())
}

fn element(e: &BytesStart) -> Result<Element, String> {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
        let value = a.unescape_value().map_err(|e| e.to_string())?.into_owned();
        attrs.push((key, value));
    }
    Ok(Element {
        name,
        attrs,
        ..Element::default()
    })
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, el: Element) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None if root.is_none() => *root = Some(el),
        None => return Err("more than one root element".into()),
    }
    Ok(())
}

/// Text outside the root (other than whitespace) means it isn't XML.
fn push_text(stack: &mut [Element], text: &str) -> Result<(), String> {
    match stack.last_mut() {
        Some(top) => top.text.push_str(text),
        None if text.trim().is_empty() => {}
        None => return Err("text outside any element".into()),
    }
    Ok(())
}
