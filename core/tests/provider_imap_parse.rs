//! clientConfig edge cases: placeholders, refusals, non-XML bodies.

use inlay_core::detect::parse_address;
use inlay_core::provider::imap::{ClientConfig, ConfigError, Security, parse_client_config};

fn parse(xml: &str) -> Result<ClientConfig, ConfigError> {
    parse_client_config(xml, &parse_address("Jo.Smith@Example.COM").unwrap())
}

fn config(incoming: &str, outgoing: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><clientConfig version="1.1"><emailProvider id="ex">{incoming}{outgoing}</emailProvider></clientConfig>"#
    )
}

fn server(kind: &str, typ: &str, host: &str, port: u16, socket: &str, user: &str) -> String {
    format!(
        "<{kind} type=\"{typ}\"><hostname>{host}</hostname><port>{port}</port><socketType>{socket}</socketType><username>{user}</username></{kind}>"
    )
}

fn imap(socket: &str, user: &str) -> String {
    server(
        "incomingServer",
        "imap",
        "imap.example.com",
        993,
        socket,
        user,
    )
}
fn smtp(socket: &str, user: &str) -> String {
    server(
        "outgoingServer",
        "smtp",
        "smtp.example.com",
        465,
        socket,
        user,
    )
}

#[test]
fn placeholders_are_substituted() {
    for (template, expected) in [
        ("%EMAILADDRESS%", "Jo.Smith@example.com"),
        ("%EMAILLOCALPART%", "Jo.Smith"),
        ("%EMAILLOCALPART%.%EMAILDOMAIN%", "Jo.Smith.example.com"),
        ("fixed-user", "fixed-user"),
    ] {
        let c = parse(&config(&imap("SSL", template), &smtp("SSL", template))).unwrap();
        assert_eq!(c.settings.imap.username, expected);
        assert_eq!(c.settings.smtp.username, expected);
        assert!(c.settings.same_credentials);
    }
    let host = server(
        "incomingServer",
        "imap",
        "mail.%EMAILDOMAIN%",
        993,
        "SSL",
        "u",
    );
    let c = parse(&config(&host, &smtp("SSL", "u"))).unwrap();
    assert_eq!(c.settings.imap.host, "mail.example.com");
}

#[test]
fn a_server_with_an_unknown_placeholder_is_skipped() {
    let both = format!(
        "{}{}",
        imap("SSL", "%EMAILADDRESS"),
        imap("STARTTLS", "%EMAILADDRESS%")
    );
    let c = parse(&config(&both, &smtp("SSL", "u"))).unwrap();
    assert_eq!(c.settings.imap.security, Security::StartTls);
    assert!(
        c.notes.iter().any(|n| n.contains("placeholder")),
        "{:?}",
        c.notes
    );
    let err = parse(&config(&imap("SSL", "%EMAILADDRESS"), &smtp("SSL", "u"))).unwrap_err();
    assert!(matches!(err, ConfigError::Unusable { .. }), "{err:?}");
}

#[test]
fn pop3_only_is_refused_and_says_so() {
    let pop = server("incomingServer", "pop3", "pop.example.com", 995, "SSL", "u");
    let err = parse(&config(&pop, &smtp("SSL", "u"))).unwrap_err();
    assert_eq!(err, ConfigError::Pop3Only);
    assert!(err.message().contains("POP3") && err.message().contains("IMAP"));
    // POP3 alongside IMAP is just ignored.
    let both = format!("{pop}{}", imap("STARTTLS", "u"));
    assert_eq!(
        parse(&config(&both, &smtp("SSL", "u")))
            .unwrap()
            .settings
            .imap
            .port,
        993
    );
}

#[test]
fn plaintext_is_never_offered() {
    let err = parse(&config(&imap("plain", "u"), &smtp("SSL", "u"))).unwrap_err();
    assert_eq!(err, ConfigError::ImapPlaintextOnly);
    assert!(err.message().contains("without encryption"));
    let err = parse(&config(&imap("SSL", "u"), &smtp("plain", "u"))).unwrap_err();
    assert_eq!(err, ConfigError::SmtpPlaintextOnly);
    // A missing socketType means plain (as in Thunderbird).
    let bare = "<incomingServer type=\"imap\"><hostname>imap.example.com</hostname><port>143</port></incomingServer>";
    assert_eq!(
        parse(&config(bare, &smtp("SSL", "u"))).unwrap_err(),
        ConfigError::ImapPlaintextOnly
    );
    // Plain next to TLS: the plain one is dropped and noted.
    let mixed = format!("{}{}", imap("plain", "u"), imap("STARTTLS", "u"));
    let c = parse(&config(&mixed, &smtp("SSL", "u"))).unwrap();
    assert_eq!(c.settings.imap.security, Security::StartTls);
    assert!(c.alternatives.is_empty());
    assert!(c.notes[0].contains("encryption"));
}

#[test]
fn ssl_is_preferred_over_starttls_whatever_the_order() {
    let incoming = format!("{}{}", imap("STARTTLS", "u"), imap("SSL", "u"));
    let outgoing = format!(
        "{}{}",
        server(
            "outgoingServer",
            "smtp",
            "smtp.example.com",
            587,
            "STARTTLS",
            "u"
        ),
        smtp("SSL", "u")
    );
    let c = parse(&config(&incoming, &outgoing)).unwrap();
    assert_eq!(c.settings.imap.security, Security::ImplicitTls);
    assert_eq!(
        (c.settings.smtp.port, c.settings.smtp.security),
        (465, Security::ImplicitTls)
    );
    assert_eq!(c.alternatives.len(), 3);
}

#[test]
fn no_imap_no_smtp_and_bad_servers() {
    let ews = "<incomingServer type=\"ews\"><url>https://x/ews</url></incomingServer>";
    assert_eq!(
        parse(&config(ews, &smtp("SSL", "u"))).unwrap_err(),
        ConfigError::NoImap {
            offered: vec!["ews".into()]
        }
    );
    assert_eq!(
        parse(&config(&imap("SSL", "u"), "")).unwrap_err(),
        ConfigError::NoSmtp
    );
    let url_host = server(
        "incomingServer",
        "imap",
        "imaps://imap.example.com",
        993,
        "SSL",
        "u",
    );
    assert!(matches!(
        parse(&config(&url_host, &smtp("SSL", "u"))),
        Err(ConfigError::Unusable { .. })
    ));
    let bad_port = server("incomingServer", "imap", "imap.example.com", 0, "SSL", "u");
    assert!(matches!(
        parse(&config(&bad_port, &smtp("SSL", "u"))),
        Err(ConfigError::Unusable { .. })
    ));
}

#[test]
fn non_xml_bodies_are_malformed_or_not_client_config() {
    for body in [
        "",
        "Not Found",
        "<!DOCTYPE html><html><head><meta charset=utf-8></head><body>404</body></html>",
        "<clientConfig><emailProvider>",
        "{\"error\":\"nope\"}",
        "<a/><b/>",
        "<clientConfig>&bogus;</clientConfig>",
    ] {
        assert!(
            matches!(parse(body), Err(ConfigError::Malformed { .. })),
            "{body:?}: {:?}",
            parse(body)
        );
    }
    assert_eq!(
        parse("<html><body>Moved</body></html>").unwrap_err(),
        ConfigError::NotClientConfig {
            root: "html".into()
        }
    );
    assert_eq!(
        parse("<clientConfig/>").unwrap_err(),
        ConfigError::NoEmailProvider
    );
    let huge = format!("<clientConfig>{}</clientConfig>", " ".repeat(300_000));
    assert!(matches!(parse(&huge), Err(ConfigError::Malformed { .. })));
    let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
    assert!(matches!(parse(&deep), Err(ConfigError::Malformed { .. })));
}

#[test]
fn entities_in_text_are_decoded() {
    let user = server(
        "incomingServer",
        "imap",
        "imap.example.com",
        993,
        "SSL",
        "a&amp;b&#x21;",
    );
    let c = parse(&config(&user, &smtp("SSL", "u"))).unwrap();
    assert_eq!(c.settings.imap.username, "a&b!");
}
