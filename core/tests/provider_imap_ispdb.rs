//! The clientConfig parser over every ISPDB document in the shared contracts
//! (thunderbird/autoconfig's `ispdb/`): each parses or is refused with a
//! stated reason, and no result is ever unencrypted.

use std::path::PathBuf;

use inlay_core::detect::parse_address;
use inlay_core::provider::imap::{
    Authentication, ClientConfig, ConfigError, Security, parse_client_config,
};

#[path = "support/contracts.rs"]
mod contracts;

fn ispdb_dir() -> PathBuf {
    contracts::require(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")).join("ispdb/ispdb")
}

fn load(file: &str) -> String {
    let path = ispdb_dir().join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse(file: &str, address: &str) -> Result<ClientConfig, ConfigError> {
    parse_client_config(&load(file), &parse_address(address).unwrap())
}

#[test]
fn every_ispdb_file_parses_or_is_refused_with_a_reason() {
    let mut files: Vec<_> = std::fs::read_dir(ispdb_dir())
        .expect("shared/contracts/ispdb/ispdb is beside the repository")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 163);
    let (mut ok, mut refused) = (0, 0);
    for path in &files {
        let xml = std::fs::read_to_string(path).unwrap();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let address = parse_address(&format!("jane.doe@{stem}.example")).unwrap();
        // As served: convert.py drops the XML declaration.
        let served = xml.split_once("?>").map_or(xml.as_str(), |(_, rest)| rest);
        let result = parse_client_config(&xml, &address);
        assert_eq!(result, parse_client_config(served, &address), "{stem}");
        match result {
            Ok(config) => {
                ok += 1;
                for s in std::iter::once(&config.settings).chain(&config.alternatives) {
                    for server in [&s.imap, &s.smtp] {
                        assert!(
                            !server.host.is_empty() && !server.host.contains('%'),
                            "{stem}: {server:?}"
                        );
                        assert!(!server.username.contains('%'), "{stem}: {server:?}");
                        assert_ne!(server.port, 0, "{stem}");
                    }
                    let json = serde_json::to_string(s).unwrap();
                    assert!(!json.to_lowercase().contains("plain\""), "{stem}: {json}");
                }
                // The best server is never worse than an alternative.
                for alt in &config.alternatives {
                    if alt.imap.security == Security::ImplicitTls {
                        assert_eq!(
                            config.settings.imap.security,
                            Security::ImplicitTls,
                            "{stem}"
                        );
                    }
                }
                assert!(
                    !config.domains.is_empty() || config.provider_id.starts_with("ox"),
                    "{stem}"
                );
            }
            Err(e) => {
                refused += 1;
                assert!(
                    !matches!(
                        e,
                        ConfigError::Malformed { .. } | ConfigError::NotClientConfig { .. }
                    ),
                    "{stem}: ISPDB files are well-formed clientConfigs: {e}"
                );
                assert!(e.message().len() > 20, "{stem}: {e}");
            }
        }
    }
    eprintln!("ISPDB corpus: {ok} usable, {refused} refused");
    assert_eq!(ok + refused, 163);
    assert!(ok >= 100, "only {ok} usable");
}

#[test]
fn gmail_uses_ssl_everywhere_and_keeps_the_oauth_hint() {
    let c = parse("googlemail.com.xml", "Jane.Doe@gmail.com").unwrap();
    assert_eq!(c.provider_id, "googlemail.com");
    assert!(c.domains.contains(&"gmail.com".to_owned()));
    let s = &c.settings;
    assert_eq!(
        (s.imap.host.as_str(), s.imap.port, s.imap.security),
        ("imap.gmail.com", 993, Security::ImplicitTls)
    );
    assert_eq!(
        (s.smtp.host.as_str(), s.smtp.port, s.smtp.security),
        ("smtp.gmail.com", 465, Security::ImplicitTls)
    );
    assert_eq!(s.imap.username, "Jane.Doe@gmail.com");
    assert!(s.same_credentials);
    assert_eq!(
        s.imap.authentication,
        vec![Authentication::OAuth2, Authentication::PasswordCleartext]
    );
    let oauth = s.oauth2.as_ref().unwrap();
    assert_eq!(oauth.issuer, "accounts.google.com");
    assert!(oauth.scope.starts_with("https://mail.google.com/"));
    assert_eq!(
        oauth.token_url.as_deref(),
        Some("https://www.googleapis.com/oauth2/v3/token")
    );
}

#[test]
fn posteo_prefers_ssl_and_offers_starttls_as_alternatives() {
    let c = parse("posteo.de.xml", "a@posteo.net").unwrap();
    assert_eq!(
        (c.settings.imap.port, c.settings.imap.security),
        (993, Security::ImplicitTls)
    );
    assert_eq!(
        (c.settings.smtp.port, c.settings.smtp.security),
        (465, Security::ImplicitTls)
    );
    assert!(
        c.alternatives
            .iter()
            .any(|a| a.smtp.port == 587 && a.smtp.security == Security::StartTls)
    );
    assert!(
        c.alternatives
            .iter()
            .any(|a| a.imap.port == 143 && a.imap.security == Security::StartTls)
    );
    assert!(c.settings.oauth2.is_none());
}

#[test]
fn well_known_providers() {
    let cases = [
        (
            "yahoo.com.xml",
            "x@yahoo.com",
            "imap.mail.yahoo.com",
            "smtp.mail.yahoo.com",
        ),
        ("gmx.net.xml", "x@gmx.de", "imap.gmx.net", "mail.gmx.net"),
        (
            "hotmail.com.xml",
            "x@outlook.com",
            "outlook.office365.com",
            "smtp-mail.outlook.com",
        ),
        (
            "office365.com.xml",
            "x@contoso.onmicrosoft.com",
            "outlook.office365.com",
            "smtp.office365.com",
        ),
        ("web.de.xml", "x@web.de", "imap.web.de", "smtp.web.de"),
        (
            "me.com.xml",
            "x@icloud.com",
            "imap.mail.me.com",
            "smtp.mail.me.com",
        ),
    ];
    for (file, address, imap, smtp) in cases {
        let c = parse(file, address).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(c.settings.imap.host, imap, "{file}");
        assert_eq!(c.settings.smtp.host, smtp, "{file}");
        assert_eq!(c.settings.imap.security, Security::ImplicitTls, "{file}");
        assert_eq!(c.settings.imap.port, 993, "{file}");
    }
}

#[test]
fn refusals_are_pop3_only_or_plaintext_only() {
    // Japanese ISPs and a few others list POP3 only; some ISPs list IMAP
    // without encryption only. Nothing else is refused.
    let refused_as = |file: &str| {
        let stem = file.trim_end_matches(".xml");
        parse(file, &format!("u@{stem}.example")).unwrap_err()
    };
    assert_eq!(refused_as("ocn.ne.jp.xml"), ConfigError::Pop3Only);
    assert!(refused_as("ocn.ne.jp.xml").message().contains("POP3"));
    for path in std::fs::read_dir(ispdb_dir()).unwrap() {
        let file = path.unwrap().file_name().to_string_lossy().into_owned();
        if let Err(e) = parse(&file, "u@example.org") {
            eprintln!("{file}: {e:?}");
            assert!(
                matches!(
                    e,
                    ConfigError::Pop3Only
                        | ConfigError::ImapPlaintextOnly
                        | ConfigError::SmtpPlaintextOnly
                ),
                "{file}: {e:?}"
            );
        }
    }
}
