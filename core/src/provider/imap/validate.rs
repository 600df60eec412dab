//! Checks for the Advanced options form, with messages naming the field.

use serde::{Deserialize, Serialize};

use super::{MailSettings, Security, Server};

/// What's wrong with one field of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsError {
    /// The form field, e.g. `imap.host` or `smtp.port`.
    pub field: String,
    /// A sentence for the user, starting with the field's label.
    pub message: String,
}

/// Checks every field; the first problem found is returned.
pub fn validate_settings(settings: &MailSettings) -> Result<(), SettingsError> {
    check_server("imap", "Incoming (IMAP) server", &settings.imap)?;
    check_server("smtp", "Outgoing (SMTP) server", &settings.smtp)
}

/// Reads the form's security choice. Plaintext is refused rather than
/// silently upgraded, so the user knows why.
pub fn parse_security(field: &str, value: &str) -> Result<Security, SettingsError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "implicittls" | "ssl" | "tls" | "ssl/tls" => Ok(Security::ImplicitTls),
        "starttls" => Ok(Security::StartTls),
        "plain" | "none" | "" => Err(error(
            field,
            "Security",
            "a connection without encryption isn't allowed: your password would be sent in the clear. Choose SSL/TLS or STARTTLS",
        )),
        _ => Err(error(field, "Security", "choose SSL/TLS or STARTTLS")),
    }
}

fn check_server(prefix: &str, label: &str, server: &Server) -> Result<(), SettingsError> {
    if let Some(problem) = host_problem(&server.host) {
        return Err(error(
            &format!("{prefix}.host"),
            &format!("{label} name"),
            problem,
        ));
    }
    if server.port == 0 {
        return Err(error(
            &format!("{prefix}.port"),
            &format!("{label} port"),
            "must be a number from 1 to 65535",
        ));
    }
    let username = server.username.trim();
    if username.is_empty() {
        return Err(error(
            &format!("{prefix}.username"),
            &format!("{label} username"),
            "is required",
        ));
    }
    if username.chars().any(char::is_control) {
        return Err(error(
            &format!("{prefix}.username"),
            &format!("{label} username"),
            "contains characters that can't be typed",
        ));
    }
    Ok(())
}

fn error(field: &str, label: &str, problem: &str) -> SettingsError {
    SettingsError {
        field: field.into(),
        message: format!("{label}: {problem}."),
    }
}

/// Why `host` isn't a plain server name, if it isn't. Shared with the
/// clientConfig parser so a document can't smuggle in a URL.
pub(crate) fn host_problem(host: &str) -> Option<&'static str> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.trim().is_empty() {
        return Some("is required");
    }
    if host.chars().any(char::is_whitespace) {
        return Some("can't contain spaces");
    }
    if host.contains("://") {
        return Some(
            "enter just the server name (like imap.example.com), without imaps:// or https://",
        );
    }
    if host.contains('/') {
        return Some("enter just the server name (like imap.example.com), without a path");
    }
    if host.contains('@') {
        return Some("enter the server's name, not an email address");
    }
    if host.contains(':') {
        return Some("enter the port in the Port field, not after the server name");
    }
    if !host.is_ascii() {
        return Some("use the xn-- form of an international server name");
    }
    if host.len() > 253 {
        return Some("is too long");
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if !host.split('.').all(label_ok) {
        return Some("isn't a valid server name (letters, digits, hyphens and dots only)");
    }
    None
}
