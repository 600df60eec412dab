//! The IMAP/SMTP part of the page schema (`rpc::PageRequest::Imap*`): the
//! arguments of connecting any IMAP/SMTP account through the native helper.
//! Closed like the rest of the schema: unknown fields are refused, lengths
//! are capped before anything reads them, and the field-by-field checks that
//! name a form field (`provider::imap::validate_settings`) run in the worker
//! afterwards, so the user sees which field is wrong.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use crate::provider::imap::MailSettings;
use crate::rpc::{Address, Password};

/// Longest server name (DNS limit).
pub const MAX_HOST_LEN: usize = 253;
/// Longest username (an address at most, RFC 5321).
pub const MAX_USERNAME_LEN: usize = 320;

/// A text field with a length cap (host names, usernames).
fn capped(value: &str, max: usize, what: &str) -> Result<(), String> {
    if value.len() > max {
        return Err(format!("the {what} is longer than {max} characters"));
    }
    Ok(())
}

/// The form's settings, read as the one [`MailSettings`] type, then held to
/// the page schema: a field `MailSettings` does not have is refused (named,
/// not ignored), host names and usernames are capped, and the form sends
/// neither sign-in methods nor OAuth endpoints (those come from discovery).
fn page_settings<'de, D: Deserializer<'de>>(d: D) -> Result<MailSettings, D::Error> {
    let mut unknown = None;
    let settings: MailSettings = serde_ignored::deserialize(d, |path| {
        unknown.get_or_insert_with(|| path.to_string());
    })?;
    if let Some(path) = unknown {
        return Err(de::Error::custom(format!("unknown field settings.{path}")));
    }
    for (server, which) in [(&settings.imap, "incoming"), (&settings.smtp, "outgoing")] {
        capped(&server.host, MAX_HOST_LEN, &format!("{which} server name"))
            .and_then(|()| {
                capped(
                    &server.username,
                    MAX_USERNAME_LEN,
                    &format!("{which} username"),
                )
            })
            .map_err(de::Error::custom)?;
        if !server.authentication.is_empty() {
            return Err(de::Error::custom(format!(
                "the {which} server's sign-in methods come from discovery, not from the form"
            )));
        }
    }
    if settings.oauth2.is_some() {
        return Err(de::Error::custom(
            "OAuth endpoints come from discovery, not from the form",
        ));
    }
    Ok(settings)
}

/// A certificate the user reviewed and accepted: the standard base64 of the
/// SHA-256 of its SubjectPublicKeyInfo (what the helper's `pinnedSpki` takes
/// and its `certificate.spkiSha256` reports).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(try_from = "String", into = "String")]
pub struct SpkiPin(String);

impl TryFrom<String> for SpkiPin {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        use base64::Engine;
        let digest = base64::engine::general_purpose::STANDARD.decode(value.as_bytes());
        if value.len() != 44 || digest.map(|d| d.len()) != Ok(32) {
            return Err("a certificate pin must be the base64 of a SHA-256 (44 characters)".into());
        }
        Ok(SpkiPin(value))
    }
}

impl From<SpkiPin> for String {
    fn from(pin: SpkiPin) -> String {
        pin.0
    }
}

impl SpkiPin {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The certificates the user accepted for this account, per server (the
/// two servers can be different hosts with different certificates). A
/// server without one must have a certificate the helper can verify.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct PinnedCertificates {
    #[serde(default)]
    pub imap: Option<SpkiPin>,
    #[serde(default)]
    pub smtp: Option<SpkiPin>,
}

/// `{type: "imapConnect", address, automation, settings, password,
/// smtpPassword?, pinnedCertificates}`. There is no "trust any certificate":
/// a certificate the helper cannot verify is shown to the user, and only the
/// one accepted is pinned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(try_from = "RawConnect", rename_all = "camelCase")]
pub struct ImapConnectArg {
    pub address: Address,
    pub automation: bool,
    pub settings: MailSettings,
    pub password: Password,
    /// Only (and always) when `settings.sameCredentials` is false.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub smtp_password: Option<Password>,
    pub pinned_certificates: PinnedCertificates,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawConnect {
    address: Address,
    automation: bool,
    #[serde(deserialize_with = "page_settings")]
    settings: MailSettings,
    password: Password,
    /// Read as text first, so a refusal can say it is the outgoing password.
    #[serde(default)]
    smtp_password: Option<String>,
    pinned_certificates: PinnedCertificates,
}

impl TryFrom<RawConnect> for ImapConnectArg {
    type Error = String;
    fn try_from(raw: RawConnect) -> Result<Self, Self::Error> {
        let same = raw.settings.same_credentials;
        if same && raw.smtp_password.is_some() {
            return Err("smtpPassword is only for outgoing mail with its own credentials".into());
        }
        if !same && raw.smtp_password.is_none() {
            return Err("the outgoing (SMTP) password is missing".into());
        }
        let smtp_password = raw
            .smtp_password
            .map(Password::try_from)
            .transpose()
            .map_err(|why| format!("outgoing mail (SMTP) password: {why}"))?;
        if same && raw.settings.imap.username != raw.settings.smtp.username {
            return Err("with the same credentials, the SMTP username must be the IMAP one".into());
        }
        Ok(ImapConnectArg {
            address: raw.address,
            automation: raw.automation,
            settings: raw.settings,
            password: raw.password,
            smtp_password,
            pinned_certificates: raw.pinned_certificates,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::rpc::{Caller, PageRequest, Request, parse_request};
    use serde_json::{Value, json};

    fn connect() -> Value {
        json!({
            "type": "imapConnect", "address": "alice@imap-test.example", "automation": true,
            "settings": {
                "imap": {"host": "localhost", "port": 993, "security": "implicitTls", "username": "alice"},
                "smtp": {"host": "localhost", "port": 465, "security": "implicitTls", "username": "alice"},
                "sameCredentials": true
            },
            "password": "correct horse", "pinnedCertificates": {"imap": null, "smtp": null}
        })
    }

    fn parse(v: &Value) -> Result<PageRequest, String> {
        match parse_request(Caller::ExtensionPage, &v.to_string()) {
            Ok(Request::ExtensionPage(r)) => Ok(r),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e.message),
        }
    }

    #[test]
    fn accepts_imap_requests_from_pages_only() {
        let Ok(PageRequest::ImapConnect(arg)) = parse(&connect()) else {
            panic!()
        };
        assert_eq!(arg.password.as_str(), "correct horse");
        assert!(arg.smtp_password.is_none());
        for simple in [
            json!({"type": "imapStart", "address": "a@b.example"}),
            json!({"type": "imapDiscover", "address": "a@b.example"}),
            json!({"type": "imapDismissNotice", "address": "a@b.example"}),
        ] {
            assert!(parse(&simple).is_ok(), "{simple}");
            let err = parse_request(Caller::ContentScript, &simple.to_string()).unwrap_err();
            assert_eq!(err.code, "invalidMessage");
        }
        let err = parse_request(Caller::ContentScript, &connect().to_string()).unwrap_err();
        assert_eq!(err.code, "invalidMessage");
        // Dismissing names the inbox and nothing else (no notice text to store).
        for bad in [
            json!({"type": "imapDismissNotice"}),
            json!({"type": "imapDismissNotice", "address": "a@b.example", "notice": "x"}),
        ] {
            assert!(parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn separate_smtp_credentials_need_their_password() {
        let mut v = connect();
        v["settings"]["sameCredentials"] = json!(false);
        v["settings"]["smtp"]["username"] = json!("alice-out");
        assert!(parse(&v).unwrap_err().contains("SMTP) password is missing"));
        // An empty or bad one is named as the outgoing password, never quoted.
        v["smtpPassword"] = json!("");
        let e = parse(&v).unwrap_err();
        assert!(
            e.contains("outgoing mail (SMTP) password: the password is empty"),
            "{e}"
        );
        v["smtpPassword"] = json!("sec\nret");
        let e = parse(&v).unwrap_err();
        assert!(
            e.contains("outgoing mail (SMTP) password: the password contains a line break")
                && !e.contains("sec"),
            "{e}"
        );
        v["smtpPassword"] = json!("other secret");
        let Ok(PageRequest::ImapConnect(arg)) = parse(&v) else {
            panic!()
        };
        assert_eq!(arg.smtp_password.unwrap().as_str(), "other secret");

        let mut same = connect();
        same["smtpPassword"] = json!("x");
        assert!(parse(&same).is_err());
        let mut mismatch = connect();
        mismatch["settings"]["smtp"]["username"] = json!("bob");
        assert!(
            parse(&mismatch)
                .unwrap_err()
                .contains("must be the IMAP one")
        );
    }

    #[test]
    fn refuses_off_schema_connects_without_quoting_the_password() {
        type Change = Box<dyn Fn(&mut Value)>;
        let cases: Vec<Change> = vec![
            Box::new(|v| v["extra"] = json!(1)),
            Box::new(|v| v["settings"]["imap"]["tls"] = json!(true)),
            Box::new(|v| v["settings"]["imap"]["security"] = json!("plain")),
            Box::new(|v| v["settings"]["smtp"]["port"] = json!(70000)),
            Box::new(|v| v["settings"]["smtp"]["port"] = json!("465")),
            Box::new(|v| v["settings"]["imap"]["host"] = json!("h".repeat(254))),
            Box::new(|v| v["settings"]["imap"]["username"] = json!("u".repeat(321))),
            Box::new(|v| v["password"] = json!("correct horse\r\nA1 LOGOUT")),
            Box::new(|v| v["password"] = json!("")),
            Box::new(|v| v["password"] = json!("p".repeat(1025))),
            // No way back to "trust any certificate".
            Box::new(|v| v["trustAnyCertificate"] = json!(true)),
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("pinnedCertificates");
            }),
            Box::new(|v| v["pinnedCertificates"]["imap"] = json!("AAAA")),
            Box::new(|v| v["pinnedCertificates"]["imap"] = json!(format!("{}!", "A".repeat(43)))),
            Box::new(|v| v["pinnedCertificates"]["smtp"] = json!(true)),
            Box::new(|v| v["pinnedCertificates"]["pop"] = json!(null)),
        ];
        for (i, change) in cases.iter().enumerate() {
            let mut v = connect();
            change(&mut v);
            let message = parse(&v).expect_err(&format!("case {i}"));
            assert!(!message.contains("correct horse"), "case {i}: {message}");
        }
    }

    #[test]
    fn the_settings_are_mail_settings_held_to_the_form() {
        let Ok(PageRequest::ImapConnect(arg)) = parse(&connect()) else {
            panic!()
        };
        let expected: crate::provider::imap::MailSettings =
            serde_json::from_value(connect()["settings"].clone()).unwrap();
        assert_eq!(arg.settings, expected);
        // What MailSettings reads but the form never sends, and what it
        // does not read at all, are refused and named.
        let cases = [
            (
                "/settings/imap/tls",
                json!(true),
                "unknown field settings.imap.tls",
            ),
            ("/settings/extra", json!(1), "unknown field settings.extra"),
            (
                "/settings/smtp/authentication",
                json!(["passwordCleartext"]),
                "outgoing server's sign-in methods come from discovery",
            ),
            (
                "/settings/oauth2",
                json!({"issuer": "x", "scope": "y", "authUrl": "https://a.example", "tokenUrl": "https://a.example"}),
                "OAuth endpoints come from discovery",
            ),
            (
                "/settings/smtp/host",
                json!("h".repeat(254)),
                "outgoing server name is longer than 253",
            ),
        ];
        for (path, value, words) in cases {
            let mut v = connect();
            let (parent, key) = path.rsplit_once('/').unwrap();
            v.pointer_mut(parent).unwrap()[key] = value;
            let e = parse(&v).unwrap_err();
            assert!(e.contains(words), "{path}: {e}");
        }
    }

    #[test]
    fn accepted_certificates_are_pinned_per_server() {
        let pin = format!("{}=", "A".repeat(43));
        let mut v = connect();
        v["pinnedCertificates"] = json!({"smtp": pin});
        let Ok(PageRequest::ImapConnect(arg)) = parse(&v) else {
            panic!()
        };
        assert_eq!(arg.pinned_certificates.imap, None);
        assert_eq!(
            arg.pinned_certificates.smtp.as_ref().map(|p| p.as_str()),
            Some(pin.as_str())
        );
        // The worker gets them back under the same names.
        let back = serde_json::to_value(&arg).unwrap();
        assert_eq!(
            back["pinnedCertificates"],
            json!({"imap": null, "smtp": pin})
        );
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let Ok(request) = parse(&connect()) else {
            panic!()
        };
        let debug = format!("{request:?}");
        assert!(!debug.contains("correct horse"), "{debug}");
        assert!(debug.contains("<redacted>"));
    }
}
