//! The Advanced options form validator: every rule, with the field named.

use inlay_core::provider::imap::{
    MailSettings, Security, Server, parse_security, validate_settings,
};

fn settings(host: &str, port: u16, username: &str) -> MailSettings {
    let imap = Server {
        host: host.into(),
        port,
        security: Security::ImplicitTls,
        username: username.into(),
        authentication: vec![],
    };
    let smtp = Server {
        host: "smtp.example.com".into(),
        port: 465,
        ..imap.clone()
    };
    MailSettings::new(imap, smtp)
}

/// (host, port, username, expected (field, words in the message)).
type Case = (
    &'static str,
    u16,
    &'static str,
    Option<(&'static str, &'static str)>,
);

#[test]
fn validator_table() {
    let cases: &[Case] = &[
        ("imap.example.com", 993, "jo", None),
        ("imap.example.com.", 993, "jo", None),
        ("IMAP.Example.com", 143, "jo@example.com", None),
        ("xn--bcher-kva.example", 993, "jo", None),
        ("10.0.0.1", 993, "jo", None),
        ("", 993, "jo", Some(("imap.host", "is required"))),
        ("imap example.com", 993, "jo", Some(("imap.host", "spaces"))),
        (
            "imaps://imap.example.com",
            993,
            "jo",
            Some(("imap.host", "without imaps://")),
        ),
        (
            "imap.example.com/mail",
            993,
            "jo",
            Some(("imap.host", "path")),
        ),
        (
            "imap.example.com:993",
            993,
            "jo",
            Some(("imap.host", "Port field")),
        ),
        (
            "jo@example.com",
            993,
            "jo",
            Some(("imap.host", "not an email address")),
        ),
        ("bücher.example", 993, "jo", Some(("imap.host", "xn--"))),
        (
            "-bad.example.com",
            993,
            "jo",
            Some(("imap.host", "valid server name")),
        ),
        ("a..b", 993, "jo", Some(("imap.host", "valid server name"))),
        (
            "imap.example.com",
            0,
            "jo",
            Some(("imap.port", "1 to 65535")),
        ),
        (
            "imap.example.com",
            993,
            "  ",
            Some(("imap.username", "required")),
        ),
        (
            "imap.example.com",
            993,
            "jo\u{0}",
            Some(("imap.username", "characters")),
        ),
    ];
    for (host, port, username, expected) in cases {
        let result = validate_settings(&settings(host, *port, username));
        match (result, expected) {
            (Ok(()), None) => {}
            (Err(e), Some((field, words))) => {
                assert_eq!(e.field, *field, "{host:?}");
                assert!(e.message.contains(words), "{host:?}: {}", e.message);
                assert!(
                    e.message.starts_with("Incoming (IMAP) server"),
                    "{}",
                    e.message
                );
            }
            (got, _) => panic!("{host:?} {port} {username:?}: {got:?}, expected {expected:?}"),
        }
    }
}

#[test]
fn smtp_fields_are_named_too() {
    let mut s = settings("imap.example.com", 993, "jo");
    s.smtp.host = "smtp.example.com smtp2".into();
    let e = validate_settings(&s).unwrap_err();
    assert_eq!(e.field, "smtp.host");
    assert!(
        e.message.starts_with("Outgoing (SMTP) server name:"),
        "{}",
        e.message
    );
}

#[test]
fn security_values() {
    assert_eq!(
        parse_security("imap.security", "implicitTls"),
        Ok(Security::ImplicitTls)
    );
    assert_eq!(
        parse_security("imap.security", "SSL"),
        Ok(Security::ImplicitTls)
    );
    assert_eq!(
        parse_security("smtp.security", "startTls"),
        Ok(Security::StartTls)
    );
    let e = parse_security("smtp.security", "plain").unwrap_err();
    assert_eq!(e.field, "smtp.security");
    assert!(e.message.contains("without encryption"), "{}", e.message);
    assert!(parse_security("imap.security", "rot13").is_err());
    // The form's JSON can't even express plaintext.
    let json = r#"{"host":"h","port":1,"security":"plain","username":"u"}"#;
    assert!(serde_json::from_str::<Server>(json).is_err());
}
