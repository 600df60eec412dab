//! `imapCheck` against a scripted IMAP responder on 127.0.0.1 (rcgen cert).

use super::*;
use crate::protocol::Security;
use crate::scripted::{Peer, roots, serve, tls};
use rustls::ServerConfig;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

fn args(port: u16, security: Security, password: &str, trust_any: bool) -> CheckArgs {
    CheckArgs {
        host: "localhost".into(),
        port,
        security,
        username: "u".into(),
        password: password.into(),
        pinned_spki: None,
        trust_any_certificate: trust_any,
    }
}

/// Capabilities, LOGIN (expecting `login`), answer `verdict`, LOGOUT.
fn authenticated_part<S: Read + Write>(p: &mut Peer<S>, login: &str, verdict: &str) {
    assert_eq!(p.hear(), "a1 CAPABILITY");
    p.say("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na1 OK done\r\n");
    assert_eq!(p.hear(), login);
    p.say(&format!("a2 {verdict}\r\n"));
    if verdict.starts_with("OK") {
        assert_eq!(p.hear(), "a3 LOGOUT");
        p.say("* BYE bye\r\na3 OK bye\r\n");
    }
}

/// A TLS server script: greeting, then LOGIN "u" "p" is accepted.
fn tls_login_accepted(tcp: TcpStream, config: Arc<ServerConfig>) {
    let mut p = tls(tcp, config);
    p.say("* OK ready\r\n");
    authenticated_part(&mut p, r#"a2 LOGIN "u" "p""#, "OK");
}

#[test]
fn implicit_tls_login_with_verified_certificate() {
    let s = serve(|tcp, config| {
        let mut p = tls(tcp, config);
        p.say("* OK ready\r\n");
        authenticated_part(&mut p, r#"a2 LOGIN "u" "p\"w\\""#, "OK welcome");
    });
    let v = check_with_roots(
        &args(s.port, Security::ImplicitTls, "p\"w\\", false),
        roots(&s.cert),
    )
    .unwrap();
    let pin = crate::trust::spki_pin(&s.cert);
    assert_eq!(
        v,
        json!({"preauth": false, "capabilities": ["IMAP4REV1", "AUTH=PLAIN"], "certificatePin": pin, "certificateVerified": true})
    );
    s.thread.join().unwrap();
}

#[test]
fn wrong_password() {
    let s = serve(|tcp, config| {
        let mut p = tls(tcp, config);
        p.say("* OK ready\r\n");
        authenticated_part(
            &mut p,
            r#"a2 LOGIN "u" "nope""#,
            "NO [AUTHENTICATIONFAILED] bad",
        );
    });
    let e = check_with_roots(
        &args(s.port, Security::ImplicitTls, "nope", false),
        roots(&s.cert),
    )
    .unwrap_err();
    assert_eq!(e.code, "wrongPassword", "{e:?}");
    s.thread.join().unwrap();
}

#[test]
fn only_a_plain_no_to_login_means_the_password() {
    for (verdict, code) in [
        ("NO [UNAVAILABLE] try later", "temporaryFailure"),
        ("NO [INUSE] mailbox locked", "temporaryFailure"),
        ("BAD what?", "protocolError"),
        ("NO [AUTHENTICATIONFAILED] bad", "wrongPassword"),
    ] {
        let s = serve(move |tcp, config| {
            let mut p = tls(tcp, config);
            p.say("* OK ready\r\n");
            authenticated_part(&mut p, r#"a2 LOGIN "u" "p""#, verdict);
        });
        let e = check_with_roots(
            &args(s.port, Security::ImplicitTls, "p", false),
            roots(&s.cert),
        )
        .unwrap_err();
        assert_eq!(e.code, code, "{verdict}: {e:?}");
        assert!(e.message.contains(verdict), "{e:?}");
        s.thread.join().unwrap();
    }
}

#[test]
fn non_ascii_password_goes_as_a_literal() {
    let s = serve(|tcp, config| {
        let mut p = tls(tcp, config);
        p.say("* OK ready\r\n");
        assert_eq!(p.hear(), "a1 CAPABILITY");
        p.say("* CAPABILITY IMAP4rev1\r\na1 OK\r\n");
        assert_eq!(p.hear(), r#"a2 LOGIN "u" {9}"#);
        p.say("+ go on\r\n");
        assert_eq!(p.hear(), "pässword"); // 9 bytes: ä is 2
        p.say("a2 OK\r\n");
        p.hear();
        p.say("a3 OK\r\n");
    });
    check_with_roots(
        &args(s.port, Security::ImplicitTls, "pässword", false),
        roots(&s.cert),
    )
    .unwrap();
    s.thread.join().unwrap();
}

#[test]
fn untrusted_certificate_is_described_for_review_and_gets_no_login() {
    let s = serve(|tcp, config| {
        let mut p = tls(tcp, config);
        let _ = p.0.fill_buf(); // drive the handshake; the client aborts it
    });
    let e = check(&args(s.port, Security::ImplicitTls, "p", false)).unwrap_err();
    assert_eq!(e.code, "untrustedCertificate", "{e:?}");
    let c = e.certificate.expect("the leaf, to review");
    assert_eq!(c.subject, "CN=rcgen self signed cert");
    assert_eq!(c.issuer, c.subject);
    assert_eq!(c.not_after, "Sun, 01 Jan 4096 00:00:00 +0000");
    assert_eq!(Some(c.spki_sha256), crate::trust::spki_pin(&s.cert));
    s.thread.join().unwrap();
}

#[test]
fn a_pinned_key_is_accepted_whatever_its_name_and_chain() {
    let s = serve(tls_login_accepted);
    let pin = crate::trust::spki_pin(&s.cert).unwrap();
    let mut a = args(s.port, Security::ImplicitTls, "p", false);
    a.host = "127.0.0.1".into(); // not in the certificate either
    a.pinned_spki = Some(pin.clone());
    let v = check(&a).unwrap();
    assert_eq!(v["certificatePin"], json!(pin));
    assert_eq!(v["certificateVerified"], json!(null), "a pin decided");
    s.thread.join().unwrap();
}

#[test]
fn another_key_than_the_pinned_one_fails_closed_before_login() {
    let s = serve(|tcp, config| {
        let mut p = tls(tcp, config);
        // The client aborts the handshake: nothing, least of all LOGIN, follows.
        assert_eq!(p.rest(), "");
    });
    let mut a = args(s.port, Security::ImplicitTls, "p", false);
    a.pinned_spki = Some("A".repeat(43) + "=");
    let e = check(&a).unwrap_err();
    assert_eq!(e.code, "certificateChanged", "{e:?}");
    assert_eq!(
        e.certificate.map(|c| c.spki_sha256),
        crate::trust::spki_pin(&s.cert),
        "the new certificate is described"
    );
    s.thread.join().unwrap();
}

#[test]
fn trust_any_still_connects_once_and_reports_the_pin_to_keep() {
    let s = serve(tls_login_accepted);
    let mut a = args(s.port, Security::ImplicitTls, "p", true);
    a.host = "127.0.0.1".into();
    let v = check(&a).unwrap();
    assert_eq!(v["certificatePin"], json!(crate::trust::spki_pin(&s.cert)));
    assert_eq!(
        v["certificateVerified"],
        json!(false),
        "so it is what to pin"
    );
    s.thread.join().unwrap();

    // A certificate that verifies needs no pin: the reply says so.
    let s = serve(tls_login_accepted);
    let a = args(s.port, Security::ImplicitTls, "p", true);
    let v = check_with_roots(&a, roots(&s.cert)).unwrap();
    assert_eq!(v["certificateVerified"], json!(true));
    s.thread.join().unwrap();
}

#[test]
fn starttls_upgrade_then_login() {
    let s = serve(|tcp, config| {
        let mut p = Peer(BufReader::new(tcp));
        p.say("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] plain\r\n");
        assert_eq!(p.hear(), "s1 CAPABILITY");
        p.say("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\ns1 OK\r\n");
        assert_eq!(p.hear(), "s2 STARTTLS");
        p.say("s2 OK begin TLS\r\n");
        let mut p = tls(p.0.into_inner(), config);
        authenticated_part(&mut p, r#"a2 LOGIN "u" "p""#, "OK");
    });
    let v = check_with_roots(
        &args(s.port, Security::StartTls, "p", false),
        roots(&s.cert),
    )
    .unwrap();
    assert_eq!(
        v["capabilities"],
        json!(["IMAP4REV1", "AUTH=PLAIN"]),
        "pre-TLS capabilities dropped"
    );
    s.thread.join().unwrap();
}

/// Plaintext server: greeting, then (expected command, reply) steps; the
/// client must give up without sending credentials.
fn refuses_plaintext(greeting: &'static str, steps: &'static [(&str, &str)]) {
    let s = serve(move |tcp, _| {
        let mut p = Peer(BufReader::new(tcp));
        p.say(greeting);
        for (cmd, reply) in steps {
            assert_eq!(p.hear(), *cmd);
            p.say(reply);
        }
        let rest = p.rest();
        assert!(
            !rest.contains("LOGIN") && !rest.contains("hunter2"),
            "leaked: {rest:?}"
        );
    });
    let e = check_with_roots(
        &args(s.port, Security::StartTls, "hunter2", false),
        roots(&s.cert),
    )
    .unwrap_err();
    assert_eq!(e.code, "starttlsUnavailable", "{e:?}");
    s.thread.join().unwrap();
}

#[test]
fn starttls_stripping_is_refused() {
    refuses_plaintext(
        "* OK hi\r\n",
        &[("s1 CAPABILITY", "* CAPABILITY IMAP4rev1\r\ns1 OK\r\n")],
    );
    refuses_plaintext("* PREAUTH hi\r\n", &[]);
    refuses_plaintext(
        "* OK hi\r\n",
        &[
            (
                "s1 CAPABILITY",
                "* CAPABILITY IMAP4rev1 STARTTLS\r\ns1 OK\r\n",
            ),
            ("s2 STARTTLS", "s2 NO not today\r\n"),
        ],
    );
}

#[test]
fn plaintext_injected_after_starttls_is_refused() {
    let s = serve(|tcp, _| {
        let mut p = Peer(BufReader::new(tcp));
        p.say("* OK hi\r\n");
        p.hear();
        p.say("* CAPABILITY IMAP4rev1 STARTTLS\r\ns1 OK\r\n");
        p.hear();
        p.say("s2 OK go\r\n* CAPABILITY IMAP4rev1\r\na1 OK\r\n");
        p.rest();
    });
    let e = check_with_roots(
        &args(s.port, Security::StartTls, "p", false),
        roots(&s.cert),
    )
    .unwrap_err();
    // The injected lines came in the same write as the tagged OK, so they
    // are in the plaintext buffer when the upgrade starts: refused there,
    // before any TLS (a `tlsFailed` here would mean the buffer check is gone).
    assert_eq!(e.code, "protocolError", "{e:?}");
    s.thread.join().unwrap();
}

#[test]
fn connection_refused() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut a = args(port, Security::ImplicitTls, "p", false);
    a.host = "127.0.0.1".into();
    assert_eq!(check(&a).unwrap_err().code, "connectFailed");
}

#[test]
fn a_name_that_does_not_resolve_is_not_found_not_unreachable() {
    // .invalid never resolves (RFC 6761), so the user is told to check the name.
    let mut a = args(993, Security::ImplicitTls, "p", false);
    a.host = "imap.nowhere.invalid".into();
    let e = check(&a).unwrap_err();
    assert_eq!(e.code, "hostNotFound", "{e:?}");
    assert!(e.message.contains("imap.nowhere.invalid"), "{e:?}");
}

/// `sentLookup` against a script: login, LIST finds Sent by its attribute,
/// EXAMINE, then the search, answered with `search` (`None`: a NO).
fn lookup_script(search: Option<&'static str>, folders: &'static str) -> crate::scripted::Server {
    serve(move |tcp, config| {
        let mut p = tls(tcp, config);
        p.say("* OK ready\r\n");
        assert_eq!(p.hear(), "a1 CAPABILITY");
        p.say("* CAPABILITY IMAP4rev1\r\na1 OK\r\n");
        assert_eq!(p.hear(), r#"a2 LOGIN "u" "p""#);
        p.say("a2 OK\r\n");
        assert_eq!(p.hear(), "a3 CAPABILITY");
        p.say("* CAPABILITY IMAP4rev1 SPECIAL-USE\r\na3 OK\r\n");
        assert_eq!(p.hear(), r#"a4 LIST "" "*" RETURN (SPECIAL-USE)"#);
        p.say(&format!("{folders}a4 OK\r\n"));
        if !folders.contains("\\Sent") {
            return;
        }
        assert_eq!(p.hear(), r#"a5 EXAMINE "Sent Items""#);
        p.say("* 3 EXISTS\r\n* OK [UIDVALIDITY 9] ok\r\na5 OK [READ-ONLY] done\r\n");
        assert_eq!(
            p.hear(),
            r#"a6 UID SEARCH HEADER Message-ID "<m1.x\"y@inlay.test>""#
        );
        match search {
            Some(line) => p.say(&format!("{line}\r\na6 OK done\r\n")),
            None => p.say("a6 NO [CANNOT] search failed\r\n"),
        }
        if search.is_some() {
            assert_eq!(p.hear(), "a7 LOGOUT");
            p.say("* BYE\r\na7 OK\r\n");
        }
    })
}

const SENT_LIST: &str = "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\r\n";

fn lookup(
    port: u16,
    cert: &rustls::pki_types::CertificateDer<'static>,
) -> Result<Value, crate::net::Fail> {
    let a = crate::protocol::LookupArgs {
        imap: args(port, Security::ImplicitTls, "p", false),
        message_id: "<m1.x\"y@inlay.test>".into(),
    };
    crate::imap::sent_lookup(&a, roots(cert))
}

#[test]
fn sent_lookup_searches_the_sent_folder_for_the_whole_message_id() {
    let s = lookup_script(Some("* SEARCH 12 4"), SENT_LIST);
    let v = lookup(s.port, &s.cert).unwrap();
    assert_eq!(
        v,
        json!({"folder": "Sent Items", "found": true, "uids": [4, 12]})
    );
    s.thread.join().unwrap();

    let s = lookup_script(Some("* SEARCH"), SENT_LIST);
    let v = lookup(s.port, &s.cert).unwrap();
    assert_eq!(
        v,
        json!({"folder": "Sent Items", "found": false, "uids": []})
    );
    s.thread.join().unwrap();
}

#[test]
fn a_search_that_did_not_run_is_an_error_never_not_found() {
    let s = lookup_script(None, SENT_LIST);
    let e = lookup(s.port, &s.cert).unwrap_err();
    assert_eq!(e.code, "protocolError", "{e:?}");
    assert!(e.message.contains("search failed"), "{e:?}");
    s.thread.join().unwrap();

    let s = lookup_script(None, "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n");
    let e = lookup(s.port, &s.cert).unwrap_err();
    assert_eq!(e.code, "noSentFolder", "{e:?}");
    s.thread.join().unwrap();
}
