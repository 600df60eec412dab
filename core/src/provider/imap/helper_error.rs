//! What a failure of the mail helper (`inlay-bridge`, or the worker's port to
//! it) means for the user: a sentence naming the server and what to do, and
//! whether a connection check should ask for the password again, try later,
//! or report a failure. Codes: bridge/README.md, plus the worker's own for
//! its port to the helper: `bridgeDisconnected` (with Chrome's
//! `runtime.lastError` message, sorted here into `bridgeMissing` or
//! `bridgeFailed`), `bridgeTimeout` and `bridgeClosed`. (The notice that an
//! account which trusted any certificate now trusts only the ones it saw is
//! certificates.rs's.)

use serde::{Deserialize, Serialize};

/// Which of the account's two servers failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum MailServerKind {
    Imap,
    Smtp,
}

/// What a connection check does with the failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CheckDisposition {
    /// The password was refused: the inbox needs the user.
    Reauthenticate,
    /// Nothing says the settings are wrong (server or helper unreachable).
    Later,
    /// Something else; reported as a failed check.
    Fail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HelperFailure {
    pub code: String,
    pub message: String,
    pub disposition: CheckDisposition,
}

/// Describes the helper's `code` (with its own `detail`) for `which` server.
pub fn describe_helper_error(
    which: MailServerKind,
    host: &str,
    port: u16,
    code: &str,
    detail: &str,
) -> HelperFailure {
    let imap = which == MailServerKind::Imap;
    let server = if imap {
        "incoming mail (IMAP) server"
    } else {
        "outgoing mail (SMTP) server"
    };
    let at = format!("{host} on port {port}");
    let (code, message) = match code {
        "bridgeDisconnected" => port_closed(detail),
        "bridgeMissing" if detail.is_empty() => (code, MISSING.to_string()),
        "bridgeMissing" | "bridgeFailed" => (code, detail.to_string()),
        "bridgeTimeout" => (
            code,
            "Inlay's mail helper did not answer in time. Try again.".to_string(),
        ),
        "bridgeClosed" => (
            code,
            "The connection to Inlay's mail helper was closed. Try again.".to_string(),
        ),
        "hostNotFound" => (
            code,
            format!("The {server} name {host} was not found. Check the server name under Advanced options."),
        ),
        "connectFailed" => (
            code,
            format!("Inlay couldn't reach the {server} at {at}. Check the server name and port under Advanced options."),
        ),
        "timeout" => (
            code,
            format!(
                "The {server} at {at} didn't answer in time. Check the port and the security (SSL/TLS or STARTTLS) under Advanced options, or try again later."
            ),
        ),
        "tlsFailed" => (
            code,
            format!(
                "Inlay couldn't make a secure connection to the {server} at {at} ({detail}). Check that the security setting (SSL/TLS or STARTTLS) matches the port under Advanced options."
            ),
        ),
        "untrustedCertificate" => (
            code,
            format!(
                "Inlay can't verify the certificate of the {server} at {at} ({detail}), so it sent no password. If the certificate below is your server's (ask your administrator to compare the fingerprint), choose \"Trust this certificate\": Inlay will then accept only this one."
            ),
        ),
        "certificateChanged" => (
            code,
            format!(
                "The {server}'s certificate changed since you connected — this can be an attack; reconnect to review it. Inlay sent no password to {at}."
            ),
        ),
        "starttlsUnavailable" => (
            code,
            format!(
                "The {server} at {at} doesn't offer STARTTLS, so Inlay won't send your password there. Choose SSL/TLS (usually port {}) under Advanced options.",
                if imap { 993 } else { 465 }
            ),
        ),
        "wrongPassword" => (
            code,
            format!(
                "The {server} refused the username or password. Check them{}; some providers need an app password instead of your usual one.",
                if imap {
                    ""
                } else {
                    " (outgoing mail may need its own credentials: untick \"Outgoing mail uses the same credentials as incoming\")"
                }
            ),
        ),
        "loginDisabled" => (
            code,
            format!(
                "The {server} at {at} doesn't allow signing in with a password on this connection. Use SSL/TLS, or ask your provider to allow IMAP access."
            ),
        ),
        "authUnsupported" => (
            code,
            format!(
                "The {server} at {at} offers no sign-in method Inlay can use with a password. Check the port (587 or 465 for outgoing mail) or ask your provider."
            ),
        ),
        "protocolError" => (
            code,
            format!(
                "The {server} at {at} answered in a way Inlay didn't understand; it may not be {} server. Check the server name and port.",
                if imap { "an IMAP" } else { "an SMTP" }
            ),
        ),
        "temporaryFailure" => (
            code,
            format!(
                "The {server} at {at} turned Inlay away for now ({detail}). Nothing is wrong with your settings; Inlay will try again later."
            ),
        ),
        // An older helper does not know the operation.
        "unknownOp" => (
            "bridgeOutdated",
            "Your Inlay mail helper is too old for this. Install the latest inlay-bridge (`inlay-bridge install`), then try again.".to_string(),
        ),
        other => (other, format!("The {server} check failed: {detail}")),
    };
    let disposition = match code {
        // A certificate to review needs the user as much as a password does.
        "wrongPassword" | "certificateChanged" | "untrustedCertificate" => {
            CheckDisposition::Reauthenticate
        }
        "connectFailed" | "timeout" | "hostNotFound" | "temporaryFailure" | "bridgeMissing"
        | "bridgeTimeout" => CheckDisposition::Later,
        _ => CheckDisposition::Fail,
    };
    HelperFailure {
        code: code.to_string(),
        message,
        disposition,
    }
}

/// What the user reads when the helper is not installed.
const MISSING: &str = "Inlay's mail helper is not installed. IMAP accounts need it: install it \
     with `inlay-bridge install`, then try again.";

/// Sorts Chrome's message for a native port that closed (`runtime.lastError`
/// in `onDisconnect`): a host that isn't registered, or that the extension
/// may not use, is a missing helper; one that exited crashed; anything else
/// is named as it is.
fn port_closed(chrome: &str) -> (&'static str, String) {
    let text = chrome.to_lowercase();
    let host_refused = text.contains("host")
        && ["not found", "not installed", "forbidden"]
            .iter()
            .any(|w| text.contains(w));
    if host_refused {
        return ("bridgeMissing", MISSING.to_string());
    }
    if text.contains("exited") {
        return (
            "bridgeFailed",
            "Inlay's mail helper stopped unexpectedly. Reinstall it with `inlay-bridge install`, \
             then try again."
                .to_string(),
        );
    }
    let why = if chrome.trim().is_empty() {
        String::new()
    } else {
        format!(" ({})", chrome.trim())
    };
    (
        "bridgeFailed",
        format!("Inlay's mail helper closed the connection{why}. Try again."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use MailServerKind::{Imap, Smtp};

    #[test]
    fn helper_error_codes_become_sentences_naming_the_server_and_what_to_do() {
        let tls = describe_helper_error(
            Imap,
            "localhost",
            993,
            "tlsFailed",
            "invalid peer certificate: UnknownIssuer",
        );
        assert_eq!(tls.code, "tlsFailed");
        assert!(
            tls.message
                .contains("incoming mail (IMAP) server at localhost on port 993"),
            "{}",
            tls.message
        );
        assert!(!tls.message.contains("Trust any"), "{}", tls.message);
        assert!(tls.message.contains("UnknownIssuer"));
        let review = describe_helper_error(
            Smtp,
            "mail.example",
            465,
            "untrustedCertificate",
            "UnknownIssuer",
        );
        assert!(
            review
                .message
                .contains("outgoing mail (SMTP) server at mail.example on port 465")
                && review.message.contains("sent no password")
                && review.message.contains("Trust this certificate"),
            "{}",
            review.message
        );
        let changed = describe_helper_error(Imap, "mail.example", 993, "certificateChanged", "x");
        assert!(
            changed.message.contains(
                "certificate changed since you connected — this can be an attack; reconnect to review it"
            ) && changed.message.contains("incoming mail (IMAP) server's"),
            "{}",
            changed.message
        );
        let smtp = describe_helper_error(Smtp, "h", 465, "wrongPassword", "");
        assert!(
            smtp.message.contains("outgoing mail (SMTP) server refused"),
            "{}",
            smtp.message
        );
        let reach = describe_helper_error(Imap, "h", 1, "connectFailed", "");
        assert!(
            reach.message.contains("couldn't reach")
                && reach.message.contains("Check the server name and port")
        );
        assert_eq!(
            describe_helper_error(Smtp, "h", 1, "unknownOp", "unknown op imapSync").code,
            "bridgeOutdated"
        );
        let busy = describe_helper_error(Smtp, "h", 587, "temporaryFailure", "454 4.7.0 try later");
        assert!(
            busy.message
                .contains("outgoing mail (SMTP) server at h on port 587")
                && busy.message.contains("454 4.7.0 try later")
                && busy.message.contains("try again later"),
            "{}",
            busy.message
        );
        let gone = describe_helper_error(Imap, "nowhere.example", 993, "hostNotFound", "");
        assert!(
            gone.message.contains("nowhere.example was not found"),
            "{}",
            gone.message
        );
        assert!(
            describe_helper_error(Imap, "h", 1, "somethingNew", "detail")
                .message
                .contains("detail")
        );
        assert!(
            describe_helper_error(Smtp, "h", 587, "starttlsUnavailable", "")
                .message
                .contains("port 465")
        );
    }

    #[test]
    fn a_check_asks_for_the_password_only_when_it_was_refused() {
        let disposition = |code| describe_helper_error(Imap, "h", 993, code, "x").disposition;
        for code in [
            "wrongPassword",
            "certificateChanged",
            "untrustedCertificate",
        ] {
            assert_eq!(
                disposition(code),
                CheckDisposition::Reauthenticate,
                "{code}"
            );
        }
        for code in [
            "connectFailed",
            "timeout",
            "hostNotFound",
            "temporaryFailure",
            "bridgeMissing",
            "bridgeTimeout",
        ] {
            assert_eq!(disposition(code), CheckDisposition::Later, "{code}");
        }
        for code in ["tlsFailed", "protocolError", "somethingNew"] {
            assert_eq!(disposition(code), CheckDisposition::Fail, "{code}");
        }
    }

    #[test]
    fn chromes_disconnect_messages_are_told_apart() {
        let closed = |chrome| describe_helper_error(Imap, "h", 993, "bridgeDisconnected", chrome);
        for chrome in [
            "Specified native messaging host not found.",
            "Access to the specified native messaging host is forbidden.",
        ] {
            let missing = closed(chrome);
            assert_eq!(missing.code, "bridgeMissing", "{chrome}");
            assert!(
                missing.message.contains("mail helper is not installed"),
                "{chrome}"
            );
            assert_eq!(missing.disposition, CheckDisposition::Later);
        }
        let crashed = closed("Native host has exited.");
        assert_eq!(crashed.code, "bridgeFailed");
        assert!(
            crashed.message.contains("stopped unexpectedly"),
            "{}",
            crashed.message
        );
        let other = closed("Error when communicating with the native messaging host.");
        assert_eq!(other.code, "bridgeFailed");
        assert_eq!(
            other.message,
            "Inlay's mail helper closed the connection (Error when communicating with the native \
             messaging host.). Try again."
        );
        assert_eq!(
            closed("").message,
            "Inlay's mail helper closed the connection. Try again."
        );
        let timeout = describe_helper_error(Imap, "h", 993, "bridgeTimeout", "");
        assert_eq!(
            (timeout.message.as_str(), timeout.disposition),
            (
                "Inlay's mail helper did not answer in time. Try again.",
                CheckDisposition::Later
            )
        );
        assert!(
            describe_helper_error(Imap, "h", 993, "bridgeClosed", "")
                .message
                .contains("was closed")
        );
    }
}
