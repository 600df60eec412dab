//! The IMAP/SMTP login checks as machines: what each asks of the native
//! helper and in what order, which refused certificates the user reviews,
//! which are accepted for the other server without a second review, the
//! one-time move of a trust-any account to pins, and what "Check connection"
//! reports for each failure.

use inlay_core::machine::{Input, Machine, Moment, NoQuestion, Step, StepOf};
use inlay_core::provider::imap::{
    AccountCheck, CertificateTrust, CheckOutcome, HelperCall, HelperOp, LoginCheck, MailServerKind,
    MailSettings, Security, Server, ServerCertificate,
};
use inlay_core::rpc::imap::{PinnedCertificates, SpkiPin};
use serde_json::{Value, json};

const KEY: &str = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=";
const OTHER_KEY: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

fn at() -> Moment<'static> {
    Moment {
        now_ms: 1_700_000_000_000,
        random: &[],
    }
}

fn settings() -> MailSettings {
    let server = |host: &str, port| Server {
        host: host.into(),
        port,
        security: Security::ImplicitTls,
        username: "ann".into(),
        authentication: vec![],
    };
    MailSettings::new(
        server("mail.corp.example", 993),
        server("smtp.corp.example", 465),
    )
}

fn pin(key: &str) -> SpkiPin {
    SpkiPin::try_from(key.to_string()).unwrap()
}

fn pins(imap: Option<&str>, smtp: Option<&str>) -> PinnedCertificates {
    PinnedCertificates {
        imap: imap.map(pin),
        smtp: smtp.map(pin),
    }
}

fn certificate(key: &str) -> ServerCertificate {
    ServerCertificate {
        subject: "CN=mail.corp.example".into(),
        issuer: "CN=Corp Private CA".into(),
        not_before: "Fri, 04 Dec 2026 00:00:00 +0000".into(),
        not_after: "Sat, 04 Dec 2027 00:00:00 +0000".into(),
        spki_sha256: key.into(),
    }
}

fn reply(value: Value) -> Input<NoQuestion> {
    Input::HelperReply { reply: value }
}

fn refused(code: &str, detail: &str, certificate: Option<ServerCertificate>) -> Input<NoQuestion> {
    Input::HelperFailed {
        code: code.into(),
        message: detail.into(),
        certificate,
    }
}

/// The helper call of a step (panics on any other step).
fn call<M: Machine>(step: &StepOf<M>) -> &HelperCall
where
    StepOf<M>: std::fmt::Debug,
{
    match step {
        Step::Helper { call, .. } => call,
        other => panic!("expected a helper step, got {other:?}"),
    }
}

#[test]
fn a_pin_goes_to_the_helper_as_pinned_spki_never_as_trust_any() {
    let mut check = LoginCheck::new(settings(), "pw", None, pins(None, Some(KEY)));
    let first = check.start(at());
    assert!(matches!(
        first,
        Step::Helper {
            purpose: MailServerKind::Imap,
            ..
        }
    ));
    let imap = call::<LoginCheck>(&first);
    assert_eq!(imap.op, HelperOp::ImapCheck);
    assert_eq!(
        imap.args,
        json!({"host": "mail.corp.example", "port": 993, "security": "implicitTls", "username": "ann", "password": "pw"}),
        "no pin: neither pinnedSpki nor trustAnyCertificate"
    );
    let second = check.resume(reply(json!({"certificatePin": KEY})), at());
    let smtp = call::<LoginCheck>(&second);
    assert_eq!(smtp.op, HelperOp::SmtpCheck);
    assert_eq!(
        smtp.args,
        json!({"host": "smtp.corp.example", "port": 465, "security": "implicitTls", "username": "ann", "password": "pw", "pinnedSpki": KEY})
    );
    match check.resume(reply(Value::Null), at()) {
        Step::Done { result } => {
            assert_eq!(result.pinned_certificates, pins(None, Some(KEY)));
            assert!(
                result.append_to_sent,
                "a server that doesn't file sent mail itself"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        check.resume(reply(Value::Null), at()).is_final(),
        "the end repeats"
    );
}

#[test]
fn a_certificate_the_helper_cant_verify_is_reviewed_in_the_cores_words() {
    let mut check = LoginCheck::new(settings(), "pw", None, pins(None, None));
    check.start(at());
    let end = check.resume(
        refused(
            "untrustedCertificate",
            "invalid peer certificate: UnknownIssuer",
            Some(certificate(KEY)),
        ),
        at(),
    );
    let Step::Failed { error } = end else {
        panic!("{end:?}")
    };
    assert_eq!(error.code, "reviewCertificate");
    assert!(
        error.message.contains("sent no password"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("Trust this certificate"),
        "{}",
        error.message
    );
    let review = error.review.expect("the certificate to review");
    assert_eq!(review.server, MailServerKind::Imap);
    assert_eq!(review.host, "mail.corp.example");
    assert_eq!(review.certificate, certificate(KEY));
    let json = serde_json::to_value(Step::<(), (), (), _>::Failed {
        error: inlay_core::provider::imap::LoginFailure {
            code: "x".into(),
            message: "y".into(),
            review: None,
        },
    })
    .unwrap();
    assert_eq!(
        json,
        json!({"kind": "failed", "error": {"code": "x", "message": "y"}})
    );
}

#[test]
fn a_changed_certificate_is_reviewed_again_and_other_tls_failures_are_plain_errors() {
    let mut check = LoginCheck::new(settings(), "pw", None, pins(None, Some(OTHER_KEY)));
    check.start(at());
    check.resume(reply(json!({})), at());
    let Step::Failed { error } = check.resume(
        refused("certificateChanged", "another key", Some(certificate(KEY))),
        at(),
    ) else {
        panic!()
    };
    assert_eq!(error.code, "reviewCertificate");
    assert!(
        error.message.contains(
            "certificate changed since you connected — this can be an attack; reconnect to review it"
        ),
        "{}",
        error.message
    );
    assert_eq!(error.review.unwrap().server, MailServerKind::Smtp);

    let mut check = LoginCheck::new(settings(), "pw", None, pins(None, None));
    check.start(at());
    let Step::Failed { error } =
        check.resume(refused("tlsFailed", "received corrupt message", None), at())
    else {
        panic!()
    };
    assert_eq!(error.code, "tlsFailed");
    assert!(error.review.is_none());
    assert!(!error.message.contains("Trust any"), "{}", error.message);
    assert!(error.message.contains("received corrupt message"));
}

#[test]
fn a_refusal_code_without_a_certificate_is_not_a_review() {
    let mut check = LoginCheck::new(settings(), "pw", None, pins(None, None));
    check.start(at());
    let Step::Failed { error } = check.resume(refused("untrustedCertificate", "x", None), at())
    else {
        panic!()
    };
    assert_eq!(error.code, "untrustedCertificate");
    assert!(error.review.is_none());
}

#[test]
fn smtp_presenting_the_key_just_accepted_for_imap_is_pinned_without_a_second_review() {
    let mut check = LoginCheck::new(settings(), "pw", None, pins(Some(KEY), None));
    let imap = check.start(at());
    assert_eq!(call::<LoginCheck>(&imap).args["pinnedSpki"], KEY);
    let smtp = check.resume(reply(json!({"certificatePin": KEY})), at());
    assert!(call::<LoginCheck>(&smtp).args.get("pinnedSpki").is_none());
    // Refused unpinned (no password sent), then checked again pinned to exactly that key.
    let again = check.resume(
        refused(
            "untrustedCertificate",
            "UnknownIssuer",
            Some(certificate(KEY)),
        ),
        at(),
    );
    let again = call::<LoginCheck>(&again);
    assert_eq!(again.op, HelperOp::SmtpCheck);
    assert_eq!(again.args["pinnedSpki"], KEY);
    match check.resume(reply(json!({"certificatePin": KEY})), at()) {
        Step::Done { result } => assert_eq!(result.pinned_certificates, pins(Some(KEY), Some(KEY))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn smtp_presenting_another_key_than_imaps_is_reviewed_with_no_second_attempt() {
    let mut check = LoginCheck::new(settings(), "pw", None, pins(Some(KEY), None));
    check.start(at());
    check.resume(reply(json!({})), at());
    let Step::Failed { error } = check.resume(
        refused(
            "untrustedCertificate",
            "UnknownIssuer",
            Some(certificate(OTHER_KEY)),
        ),
        at(),
    ) else {
        panic!()
    };
    let review = error.review.unwrap();
    assert_eq!(review.server, MailServerKind::Smtp);
    assert_eq!(review.certificate.spki_sha256, OTHER_KEY);
    // A second refusal of the key accepted elsewhere, once pinned to it, is reviewed too.
    let mut check = LoginCheck::new(settings(), "pw", None, pins(Some(KEY), None));
    check.start(at());
    check.resume(reply(json!({})), at());
    check.resume(
        refused("untrustedCertificate", "x", Some(certificate(KEY))),
        at(),
    );
    let end = check.resume(
        refused("certificateChanged", "x", Some(certificate(KEY))),
        at(),
    );
    assert!(
        matches!(end, Step::Failed { ref error } if error.code == "reviewCertificate"),
        "{end:?}"
    );
}

#[test]
fn outgoing_mail_with_its_own_credentials_checks_its_own_password_or_asks_for_it() {
    let mut own = settings();
    own.same_credentials = false;
    let mut check = LoginCheck::new(own.clone(), "pw", Some("smtp-pw"), pins(None, None));
    assert_eq!(
        call::<LoginCheck>(&check.start(at())).args["password"],
        "pw"
    );
    let smtp = check.resume(reply(json!({})), at());
    assert_eq!(call::<LoginCheck>(&smtp).args["password"], "smtp-pw");

    // Missing: said after the IMAP login worked, as the form's field.
    let mut check = LoginCheck::new(own, "pw", Some(""), pins(None, None));
    check.start(at());
    let Step::Failed { error } = check.resume(reply(json!({})), at()) else {
        panic!()
    };
    assert_eq!(
        (error.code.as_str(), error.message.as_str()),
        ("invalidSettings", "Outgoing (SMTP) password: is required.")
    );

    // Same credentials: the SMTP password given is ignored.
    let mut check = LoginCheck::new(settings(), "pw", Some("other"), pins(None, None));
    check.start(at());
    assert_eq!(
        call::<LoginCheck>(&check.resume(reply(json!({})), at())).args["password"],
        "pw"
    );
}

#[test]
fn a_helper_failure_is_worded_for_the_server_that_failed() {
    let mut check = LoginCheck::new(settings(), "pw", None, pins(None, None));
    check.start(at());
    check.resume(reply(json!({})), at());
    let Step::Failed { error } = check.resume(refused("wrongPassword", "", None), at()) else {
        panic!()
    };
    assert_eq!(error.code, "wrongPassword");
    assert!(
        error
            .message
            .contains("outgoing mail (SMTP) server refused"),
        "{}",
        error.message
    );
    let mut check = LoginCheck::new(settings(), "pw", None, pins(None, None));
    check.start(at());
    let Step::Failed { error } = check.resume(Input::Timer, at()) else {
        panic!()
    };
    assert_eq!(error.code, "unexpectedInput");
}

const LEGACY: CertificateTrust = CertificateTrust {
    pinned_certificates: PinnedCertificates {
        imap: None,
        smtp: None,
    },
    trust_any_certificate: true,
    notice: None,
};

#[test]
fn an_account_check_logs_in_at_the_pin_and_nothing_more() {
    let trust = CertificateTrust {
        pinned_certificates: pins(Some(KEY), None),
        ..CertificateTrust::default()
    };
    let mut check = AccountCheck::new(settings(), trust, "pw", None);
    let first = check.start(at());
    let imap = call::<AccountCheck>(&first);
    assert_eq!(imap.op, HelperOp::ImapCheck);
    assert_eq!(imap.args["pinnedSpki"], KEY);
    assert!(imap.args.get("trustAnyCertificate").is_none());
    match check.resume(reply(json!({"certificatePin": KEY})), at()) {
        Step::Done { result } => assert_eq!(result.trust, None),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_trust_any_account_pins_only_the_certificate_that_doesnt_verify_and_words_the_notice() {
    let mut check = AccountCheck::new(settings(), LEGACY, "pw", Some("smtp-pw"));
    let imap = check.start(at());
    assert_eq!(
        call::<AccountCheck>(&imap).args["trustAnyCertificate"],
        true
    );
    assert!(call::<AccountCheck>(&imap).args.get("pinnedSpki").is_none());
    let smtp = check.resume(
        reply(json!({"certificatePin": KEY, "certificateVerified": false, "capabilities": []})),
        at(),
    );
    let smtp = call::<AccountCheck>(&smtp);
    assert_eq!(smtp.op, HelperOp::SmtpCheck);
    assert_eq!(smtp.args["trustAnyCertificate"], true);
    assert_eq!(smtp.args["password"], "smtp-pw");
    let Step::Done { result } = check.resume(
        reply(json!({"certificatePin": OTHER_KEY, "certificateVerified": true})),
        at(),
    ) else {
        panic!()
    };
    let trust = result.trust.expect("the move to pins");
    assert_eq!(trust.pinned_certificates, pins(Some(KEY), None));
    assert!(!trust.trust_any_certificate);
    let notice = trust.notice.unwrap();
    assert!(
        notice.starts_with("Inlay no longer accepts any certificate from the incoming mail (IMAP) server at mail.corp.example on port 993:"),
        "{notice}"
    );
    assert!(notice.contains(KEY) && !notice.contains("SMTP"), "{notice}");
}

#[test]
fn a_trust_any_account_whose_certificates_verify_gets_no_pin_and_a_failed_smtp_check_changes_nothing()
 {
    let mut check = AccountCheck::new(settings(), LEGACY, "pw", None);
    check.start(at());
    let smtp = check.resume(
        reply(json!({"certificatePin": KEY, "certificateVerified": true})),
        at(),
    );
    assert_eq!(
        call::<AccountCheck>(&smtp).args["password"],
        "pw",
        "SMTP shares the password"
    );
    let Step::Done { result } = check.resume(
        reply(json!({"certificatePin": OTHER_KEY, "certificateVerified": true})),
        at(),
    ) else {
        panic!()
    };
    assert_eq!(
        result.trust,
        Some(CertificateTrust {
            pinned_certificates: pins(None, None),
            trust_any_certificate: false,
            notice: None
        })
    );

    let mut check = AccountCheck::new(settings(), LEGACY, "pw", None);
    check.start(at());
    check.resume(
        reply(json!({"certificatePin": KEY, "certificateVerified": false})),
        at(),
    );
    match check.resume(refused("connectFailed", "refused", None), at()) {
        Step::Done { result } => assert_eq!(result.trust, None, "the inbox works; no move yet"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_failed_account_check_asks_for_the_user_only_when_it_must() {
    let outcome = |code: &str, detail: &str| {
        let mut check = AccountCheck::new(settings(), CertificateTrust::default(), "pw", None);
        check.start(at());
        match check.resume(refused(code, detail, None), at()) {
            Step::Failed { error } => error,
            other => panic!("{other:?}"),
        }
    };
    let refused_pw = outcome("wrongPassword", "");
    assert_eq!(refused_pw.outcome, CheckOutcome::NeedsReauthentication);
    assert!(
        refused_pw
            .message
            .contains("incoming mail (IMAP) server refused")
    );
    assert_eq!(
        outcome("certificateChanged", "x").outcome,
        CheckOutcome::NeedsReauthentication
    );
    assert_eq!(outcome("connectFailed", "").outcome, CheckOutcome::Later);
    let missing = outcome(
        "bridgeDisconnected",
        "Specified native messaging host not found.",
    );
    assert_eq!(
        (missing.code.as_str(), missing.outcome),
        ("bridgeMissing", CheckOutcome::Later)
    );
    assert_eq!(outcome("tlsFailed", "x").outcome, CheckOutcome::Failed);
    let json = serde_json::to_value(outcome("timeout", "")).unwrap();
    assert_eq!(json["outcome"], "later");
    assert_eq!(
        serde_json::to_value(outcome("wrongPassword", "")).unwrap()["outcome"],
        "needsReauthentication"
    );
}

#[test]
fn helper_steps_and_inputs_cross_as_the_shell_reads_them() {
    let mut check = LoginCheck::new(settings(), "pw", None, pins(None, None));
    let step = serde_json::to_value(check.start(at())).unwrap();
    assert_eq!(step["kind"], "helper");
    assert_eq!(step["purpose"], "imap");
    assert_eq!(step["call"]["op"], "imapCheck");
    let input: Input<NoQuestion> = serde_json::from_value(json!({
        "kind": "helperFailed", "code": "untrustedCertificate", "message": "m",
        "certificate": {"subject": "s", "issuer": "i", "notBefore": "a", "notAfter": "b", "spkiSha256": KEY}
    }))
    .unwrap();
    assert!(
        matches!(input, Input::HelperFailed { certificate: Some(ref c), .. } if c.spki_sha256 == KEY)
    );
    let input: Input<NoQuestion> = serde_json::from_value(
        json!({"kind": "helperFailed", "code": "timeout", "message": "", "certificate": null}),
    )
    .unwrap();
    assert!(matches!(
        input,
        Input::HelperFailed {
            certificate: None,
            ..
        }
    ));
}
