//! Provider detection: consumer domains, address validation, and MX sets.

use inlay_core::detect::{
    AddressError, Confidence, ConnectionKind, DetectStep, Detection, MailService, Verdict,
    activesync_only, detect_from_address, detect_from_mx, parse_address, same_mailbox,
};
use inlay_core::http::{HttpResponse, Method};

fn doh(records: &[(u16, &str)]) -> HttpResponse {
    let answer: Vec<serde_json::Value> = records
        .iter()
        .map(|(pref, host)| {
            serde_json::json!({"name": "example.com.", "type": 15, "TTL": 300, "data": format!("{pref} {host}.")})
        })
        .collect();
    HttpResponse {
        status: 200,
        headers: vec![(
            "content-type".into(),
            "application/x-javascript; charset=UTF-8".into(),
        )],
        body: serde_json::json!({"Status": 0, "TC": false, "Answer": answer}).to_string(),
    }
}

fn raw(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![],
        body: body.into(),
    }
}

fn done(address: &str) -> Detection {
    match detect_from_address(address).unwrap() {
        DetectStep::Done { detection } => detection,
        other => panic!("{address}: expected a decision without DNS, got {other:?}"),
    }
}

// ---------------------------------------------------------------- consumer

#[test]
fn consumer_domains_are_decided_without_dns() {
    use ConnectionKind::*;
    use MailService::*;
    let table: &[(&str, MailService, Option<ConnectionKind>)] = &[
        ("ada@gmail.com", Gmail, Some(Google)),
        ("ada@googlemail.com", Gmail, Some(Google)),
        ("ada@outlook.com", OutlookCom, Some(Microsoft)),
        ("ada@outlook.fr", OutlookCom, Some(Microsoft)),
        ("ada@hotmail.com", OutlookCom, Some(Microsoft)),
        ("ada@hotmail.co.uk", OutlookCom, Some(Microsoft)),
        ("ada@hotmail.de", OutlookCom, Some(Microsoft)),
        ("ada@live.com", OutlookCom, Some(Microsoft)),
        ("ada@live.com.au", OutlookCom, Some(Microsoft)),
        ("ada@msn.com", OutlookCom, Some(Microsoft)),
        ("ada@passport.com", OutlookCom, Some(Microsoft)),
        ("ada@yahoo.com", Yahoo, Some(Imap)),
        ("ada@yahoo.co.uk", Yahoo, Some(Imap)),
        ("ada@yahoo.fr", Yahoo, Some(Imap)),
        ("ada@ymail.com", Yahoo, Some(Imap)),
        ("ada@rocketmail.com", Yahoo, Some(Imap)),
        ("ada@icloud.com", ICloud, Some(Imap)),
        ("ada@me.com", ICloud, Some(Imap)),
        ("ada@mac.com", ICloud, Some(Imap)),
        ("ada@aol.com", Aol, Some(Imap)),
        ("ada@gmx.de", Gmx, Some(Imap)),
        ("ada@gmx.net", Gmx, Some(Imap)),
        ("ada@gmx.at", Gmx, Some(Imap)),
        ("ada@web.de", WebDe, Some(Imap)),
        ("ada@zoho.com", Zoho, Some(Imap)),
        ("ada@fastmail.com", Fastmail, Some(Imap)),
        ("ada@proton.me", Proton, Some(Imap)),
        ("ada@protonmail.com", Proton, Some(Imap)),
        ("ada@yandex.ru", Yandex, Some(Imap)),
        ("ada@yandex.com", Yandex, Some(Imap)),
        ("ada@mail.ru", MailRu, Some(Imap)),
        ("ada@qq.com", Tencent, Some(Imap)),
        ("ada@tuta.com", Tuta, None),
        ("Ada@GMAIL.COM", Gmail, Some(Google)),
    ];
    for (address, service, connect) in table {
        let d = done(address);
        assert_eq!(d.service, *service, "{address}");
        assert_eq!(d.confidence, Confidence::High, "{address}");
        assert!(!d.evidence.is_empty(), "{address}");
        match (connect, &d.verdict) {
            (Some(kind), Verdict::Supported { connect }) => assert_eq!(connect, kind, "{address}"),
            (None, Verdict::Unsupported { reason, suggestion }) => {
                assert!(!reason.is_empty() && !suggestion.is_empty(), "{address}")
            }
            (want, got) => panic!("{address}: wanted {want:?}, got {got:?}"),
        }
        assert!(
            d.choices.is_empty(),
            "{address}: high confidence offers no picker"
        );
    }
}

#[test]
fn lookalike_and_subdomain_consumer_names_need_dns() {
    for address in [
        "ada@hotmail.example.com",
        "ada@live.mycompany.com",
        "ada@notgmail.com",
        "ada@gmail.com.evil.example",
        "ada@mail.gmail.co",
        "ada@yahoo.mycorp.io",
        "ada@outlookteam.com",
    ] {
        assert!(
            matches!(
                detect_from_address(address).unwrap(),
                DetectStep::NeedsDns { .. }
            ),
            "{address} must not be decided from its name alone"
        );
    }
}

#[test]
fn consumer_notes_explain_app_passwords() {
    let d = done("ada@icloud.com");
    assert!(
        d.evidence
            .iter()
            .any(|e| e.contains("app-specific password")),
        "{:?}",
        d.evidence
    );
    let d = done("ada@proton.me");
    assert!(
        d.evidence.iter().any(|e| e.contains("Bridge")),
        "{:?}",
        d.evidence
    );
}

#[test]
fn other_domains_plan_a_doh_mx_query() {
    match detect_from_address("  Ada@Example.COM ").unwrap() {
        DetectStep::NeedsDns { domain, request } => {
            assert_eq!(domain, "example.com");
            assert_eq!(request.method, Method::Get);
            assert_eq!(
                request.url,
                "https://dns.google/resolve?name=example.com&type=MX"
            );
            assert!(
                request
                    .headers
                    .iter()
                    .any(|(k, v)| k == "Accept" && v == "application/dns-json")
            );
            assert_eq!(request.body, None);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn internationalised_domains_are_queried_in_ascii() {
    match detect_from_address("jörg@bücher.de").unwrap() {
        DetectStep::NeedsDns { domain, request } => {
            assert_eq!(domain, "xn--bcher-kva.de");
            assert!(
                request.url.ends_with("name=xn--bcher-kva.de&type=MX"),
                "{}",
                request.url
            );
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------- addresses

#[test]
fn invalid_addresses_say_what_is_wrong() {
    let long_local = format!("{}@example.com", "a".repeat(65));
    let cases: &[(&str, &str)] = &[
        ("", "empty"),
        ("   ", "empty"),
        ("alice", "missingAt"),
        ("alice.example.com", "missingAt"),
        ("a@b@example.com", "multipleAt"),
        ("@example.com", "missingLocalPart"),
        ("alice@", "missingDomain"),
        ("alice smith@example.com", "containsSpace"),
        ("alice@company", "domainWithoutDot"),
        ("alice@1.2.3.4", "ipLiteral"),
        ("alice@[1.2.3.4]", "ipLiteral"),
        ("al<ice@example.com", "invalidCharacter"),
        ("alice,bob@example.com", "invalidCharacter"),
        ("\"alice\"@example.com", "invalidCharacter"),
        (".alice@example.com", "misplacedDot"),
        ("alice.@example.com", "misplacedDot"),
        ("al..ice@example.com", "misplacedDot"),
        ("alice@exa_mple.com", "invalidDomain"),
        ("alice@-example.com", "invalidDomain"),
        ("alice@example..com", "invalidDomain"),
        ("alice@example.123", "invalidDomain"),
        (&long_local, "tooLong"),
    ];
    for (input, kind) in cases {
        let err = parse_address(input).expect_err(input);
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["kind"], *kind, "{input:?} gave {err:?}");
        assert!(
            err.message().len() > 20,
            "{input:?}: message too thin: {}",
            err.message()
        );
        // detect_from_address surfaces the same error.
        assert_eq!(detect_from_address(input).unwrap_err(), err);
    }
}

#[test]
fn address_errors_name_the_problem_in_the_input() {
    let err = parse_address("alice@company").unwrap_err();
    assert!(matches!(&err, AddressError::DomainWithoutDot { domain, .. } if domain == "company"));
    assert!(err.message().contains("company") && err.message().contains(".com"));
    let err = parse_address("al<ice@example.com").unwrap_err();
    assert!(matches!(&err, AddressError::InvalidCharacter { character, .. } if character == "<"));
    assert!(err.message().contains('<'));
}

#[test]
fn valid_addresses_keep_local_part_and_lowercase_domain() {
    let a = parse_address("O'Brien+crm@Sub.Example.CO.UK.").unwrap();
    assert_eq!(a.local, "O'Brien+crm");
    assert_eq!(a.domain, "sub.example.co.uk");
    assert_eq!(a.to_address(), "O'Brien+crm@sub.example.co.uk");
}

#[test]
fn same_mailbox_rules() {
    assert!(same_mailbox(
        "Ada.Lovelace@gmail.com",
        "adalovelace@googlemail.com"
    ));
    assert!(same_mailbox("a.d.a@GMAIL.com", "ada@gmail.com"));
    assert!(same_mailbox("Ada@Example.com", "ada@example.com"));
    // Workspace and everyone else: dots matter.
    assert!(!same_mailbox(
        "ada.lovelace@example.com",
        "adalovelace@example.com"
    ));
    // Tags are different From addresses.
    assert!(!same_mailbox("ada+crm@gmail.com", "ada@gmail.com"));
    assert!(!same_mailbox("ada@gmail.com", "ada@gmail.co"));
}

// ---------------------------------------------------------------- MX table

#[derive(Debug, Clone, Copy)]
enum Want {
    Connect(ConnectionKind),
    Unsupported,
    Choose,
}

struct Row {
    name: &'static str,
    mx: &'static [(u16, &'static str)],
    service: MailService,
    want: Want,
    confidence: Confidence,
}

const fn row(
    name: &'static str,
    mx: &'static [(u16, &'static str)],
    service: MailService,
    want: Want,
    confidence: Confidence,
) -> Row {
    Row {
        name,
        mx,
        service,
        want,
        confidence,
    }
}

use Confidence::{High, Low, Medium};
use ConnectionKind::{Google, Imap, Microsoft};
use MailService as S;
use Want::{Choose, Connect, Unsupported};

/// Published MX patterns (provider setup guides and well-known domains'
/// records; customer-specific labels are illustrative where the pattern
/// embeds a tenant or customer ID).
#[rustfmt::skip]
const MX_TABLE: &[Row] = &[
    // Google Workspace and Gmail
    row("github.com-style Workspace, classic 5 records", &[(1, "aspmx.l.google.com"), (5, "alt1.aspmx.l.google.com"), (5, "alt2.aspmx.l.google.com"), (10, "alt3.aspmx.l.google.com"), (10, "alt4.aspmx.l.google.com")], S::GoogleWorkspace, Connect(Google), High),
    row("google.com / new Workspace single record", &[(10, "smtp.google.com")], S::GoogleWorkspace, Connect(Google), High),
    row("Workspace with legacy googlemail.com backups", &[(1, "aspmx.l.google.com"), (5, "alt1.aspmx.l.google.com"), (10, "aspmx2.googlemail.com"), (10, "aspmx3.googlemail.com"), (10, "aspmx4.googlemail.com"), (10, "aspmx5.googlemail.com")], S::GoogleWorkspace, Connect(Google), High),
    row("gmail.com's own MX", &[(5, "gmail-smtp-in.l.google.com"), (10, "alt1.gmail-smtp-in.l.google.com"), (20, "alt2.gmail-smtp-in.l.google.com"), (30, "alt3.gmail-smtp-in.l.google.com"), (40, "alt4.gmail-smtp-in.l.google.com")], S::Gmail, Connect(Google), High),
    row("Workspace, upper-case host", &[(1, "ASPMX.L.GOOGLE.COM")], S::GoogleWorkspace, Connect(Google), High),
    row("Workspace, only alt records", &[(5, "alt1.aspmx.l.google.com"), (10, "alt2.aspmx.l.google.com")], S::GoogleWorkspace, Connect(Google), High),
    // Microsoft
    row("microsoft.com on Exchange Online", &[(10, "microsoft-com.mail.protection.outlook.com")], S::Microsoft365, Connect(Microsoft), High),
    row("Microsoft 365 with DNSSEC/DANE (mx.microsoft)", &[(0, "contoso-com.l-v1.mx.microsoft")], S::Microsoft365, Connect(Microsoft), High),
    row("outlook.com's own MX", &[(5, "outlook-com.olc.protection.outlook.com")], S::OutlookCom, Connect(Microsoft), High),
    row("hotmail.com's own MX", &[(2, "hotmail-com.olc.protection.outlook.com")], S::OutlookCom, Connect(Microsoft), High),
    row("Microsoft 365 GCC High", &[(0, "contoso-us.mail.protection.office365.us")], S::Microsoft365, Connect(Microsoft), High),
    row("Microsoft 365 operated by 21Vianet", &[(10, "contoso-cn.mail.protection.partner.outlook.cn")], S::Microsoft365, Connect(Microsoft), High),
    // Amazon
    row("Amazon SES inbound us-east-1", &[(10, "inbound-smtp.us-east-1.amazonaws.com")], S::AmazonSesWorkMail, Unsupported, High),
    row("Amazon WorkMail eu-west-1", &[(10, "inbound-smtp.eu-west-1.amazonaws.com")], S::AmazonSesWorkMail, Unsupported, High),
    row("Amazon WorkMail us-west-2", &[(10, "inbound-smtp.us-west-2.amazonaws.com")], S::AmazonSesWorkMail, Unsupported, High),
    // Zoho, per data centre
    row("zoho.com US data centre", &[(10, "mx.zoho.com"), (20, "mx2.zoho.com"), (50, "mx3.zoho.com")], S::Zoho, Connect(Imap), High),
    row("Zoho EU data centre", &[(10, "mx.zoho.eu"), (20, "mx2.zoho.eu"), (50, "mx3.zoho.eu")], S::Zoho, Connect(Imap), High),
    row("Zoho India data centre", &[(10, "mx.zoho.in"), (20, "mx2.zoho.in"), (50, "mx3.zoho.in")], S::Zoho, Connect(Imap), High),
    row("Zoho Australia data centre", &[(10, "mx.zoho.com.au"), (20, "mx2.zoho.com.au")], S::Zoho, Connect(Imap), High),
    // Yahoo / AOL
    row("yahoo.com", &[(1, "mta5.am0.yahoodns.net"), (1, "mta6.am0.yahoodns.net"), (1, "mta7.am0.yahoodns.net")], S::Yahoo, Connect(Imap), High),
    row("aol.com", &[(10, "mx-aol.mail.gm0.yahoodns.net")], S::Yahoo, Connect(Imap), High),
    row("Yahoo Small Business", &[(10, "mx-biz.mail.am0.yahoodns.net")], S::Yahoo, Connect(Imap), High),
    row("Yahoo business, legacy", &[(10, "mx1.biz.mail.yahoo.com"), (20, "mx5.biz.mail.yahoo.com")], S::Yahoo, Connect(Imap), High),
    // Other mailbox hosts
    row("iCloud+ custom domain", &[(10, "mx01.mail.icloud.com"), (10, "mx02.mail.icloud.com")], S::ICloud, Connect(Imap), High),
    row("fastmail.com", &[(10, "in1-smtp.messagingengine.com"), (20, "in2-smtp.messagingengine.com")], S::Fastmail, Connect(Imap), High),
    row("proton.me", &[(10, "mail.protonmail.ch"), (20, "mailsec.protonmail.ch")], S::Proton, Connect(Imap), High),
    row("tuta.com", &[(10, "mail.tutanota.de")], S::Tuta, Unsupported, High),
    row("GoDaddy Workspace Email", &[(0, "smtp.secureserver.net"), (10, "mailstore1.secureserver.net")], S::GoDaddy, Connect(Imap), High),
    row("Rackspace Email", &[(10, "mx1.emailsrvr.com"), (20, "mx2.emailsrvr.com")], S::Rackspace, Connect(Imap), High),
    row("Namecheap Private Email", &[(10, "mx1.privateemail.com"), (10, "mx2.privateemail.com")], S::Namecheap, Connect(Imap), High),
    row("IONOS", &[(10, "mx00.ionos.de"), (10, "mx01.ionos.de")], S::Ionos, Connect(Imap), High),
    row("gmx.net", &[(10, "mx00.gmx.net"), (10, "mx01.gmx.net")], S::Gmx, Connect(Imap), High),
    row("web.de", &[(100, "mx-ha03.web.de"), (100, "mx-ha02.web.de")], S::WebDe, Connect(Imap), High),
    row("Yandex 360", &[(10, "mx.yandex.net")], S::Yandex, Connect(Imap), High),
    row("mail.ru", &[(10, "mxs.mail.ru")], S::MailRu, Connect(Imap), High),
    row("Tencent Exmail", &[(5, "mxbiz1.qq.com"), (10, "mxbiz2.qq.com")], S::Tencent, Connect(Imap), High),
    row("NetEase enterprise mail", &[(10, "163mx01.mxmail.netease.com"), (10, "163mx02.mxmail.netease.com")], S::NetEase, Connect(Imap), High),
    // Security gateways hiding the provider
    row("ibm.com-style Proofpoint", &[(10, "mx0a-001b2d01.pphosted.com"), (10, "mx0b-001b2d01.pphosted.com")], S::Proofpoint, Choose, Low),
    row("Proofpoint Essentials", &[(10, "mx1-us1.ppe-hosted.com"), (20, "mx2-us1.ppe-hosted.com")], S::ProofpointEssentials, Choose, Low),
    row("Mimecast US", &[(10, "us-smtp-inbound-1.mimecast.com"), (10, "us-smtp-inbound-2.mimecast.com")], S::Mimecast, Choose, Low),
    row("Mimecast EU", &[(10, "eu-smtp-inbound-1.mimecast.com"), (10, "eu-smtp-inbound-2.mimecast.com")], S::Mimecast, Choose, Low),
    row("Mimecast South Africa", &[(10, "za-smtp-inbound-1.mimecast.co.za")], S::Mimecast, Choose, Low),
    row("Cisco Secure Email (IronPort cloud)", &[(10, "mx1.hc4405-13.iphmx.com"), (10, "mx2.hc4405-13.iphmx.com")], S::CiscoSecureEmail, Choose, Low),
    row("Barracuda Email Security", &[(10, "d123456a.ess.barracudanetworks.com"), (10, "d123456b.ess.barracudanetworks.com")], S::Barracuda, Choose, Low),
    row("Broadcom/Symantec Email Security.cloud", &[(10, "cluster1.eu.messagelabs.com"), (20, "cluster1a.eu.messagelabs.com")], S::SymantecMessageLabs, Choose, Low),
    row("Trend Micro Email Security", &[(10, "example-com.in.tmes.trendmicro.com")], S::TrendMicro, Choose, Low),
    row("Sophos Email", &[(10, "mx-01-eu-central-1.prod.hydra.sophos.com"), (20, "mx-02-eu-central-1.prod.hydra.sophos.com")], S::Sophos, Choose, Low),
    row("Forcepoint", &[(10, "cust12345-1.in.mailcontrol.com"), (10, "cust12345-2.in.mailcontrol.com")], S::Forcepoint, Choose, Low),
    row("Trellix (FireEye)", &[(10, "mx1.fireeyecloud.com")], S::Trellix, Choose, Low),
    row("Hornetsecurity", &[(10, "mx01.hornetsecurity.com"), (20, "mx02.hornetsecurity.com")], S::Hornetsecurity, Choose, Low),
    row("Cloudflare Email Routing (forwarder)", &[(13, "route1.mx.cloudflare.net"), (86, "route2.mx.cloudflare.net"), (24, "route3.mx.cloudflare.net")], S::CloudflareEmailRouting, Choose, Low),
    row("ImprovMX (forwarder)", &[(10, "mx1.improvmx.com"), (20, "mx2.improvmx.com")], S::ImprovMx, Choose, Low),
    // Gateways with the real provider listed behind them
    row("Proofpoint in front of Microsoft 365", &[(10, "mx0a-00123401.pphosted.com"), (10, "mx0b-00123401.pphosted.com"), (50, "contoso-com.mail.protection.outlook.com")], S::Microsoft365, Connect(Microsoft), Medium),
    row("Mimecast in front of Google Workspace", &[(10, "us-smtp-inbound-1.mimecast.com"), (20, "aspmx.l.google.com")], S::GoogleWorkspace, Connect(Google), Medium),
    // Mixed sets: lowest preference wins
    row("Google primary, Zoho backup", &[(1, "aspmx.l.google.com"), (20, "mx.zoho.com")], S::GoogleWorkspace, Connect(Google), Medium),
    row("records out of order: Microsoft 365 has the lower preference", &[(20, "mx.zoho.com"), (5, "contoso-com.mail.protection.outlook.com")], S::Microsoft365, Connect(Microsoft), Medium),
    row("Google primary, own backup server", &[(1, "aspmx.l.google.com"), (50, "backup-mx.example.org")], S::GoogleWorkspace, Connect(Google), Medium),
    // Unknown servers
    row("self-hosted server", &[(10, "mail.example.org")], S::Unknown, Connect(Imap), Low),
    row("own filter in front of Google", &[(10, "mx.corp.example"), (20, "aspmx.l.google.com")], S::Unknown, Connect(Imap), Low),
    row("look-alike of Google's host", &[(10, "aspmx.l.google.com.evil.example")], S::Unknown, Connect(Imap), Low),
    row("look-alike domain name", &[(10, "mx.evilgoogle.com")], S::Unknown, Connect(Imap), Low),
    row("look-alike of Amazon's pattern", &[(10, "inbound-smtp.us-east-1.amazonaws.com.example.net")], S::Unknown, Connect(Imap), Low),
];

#[test]
fn mx_table_has_many_real_world_rows() {
    assert!(MX_TABLE.len() >= 40, "only {} rows", MX_TABLE.len());
}

#[test]
fn mx_table() {
    let mut failures = Vec::new();
    for r in MX_TABLE {
        let d = detect_from_mx("ada@example.com", &doh(r.mx)).unwrap();
        let verdict_ok = match (r.want, &d.verdict) {
            (Connect(kind), Verdict::Supported { connect }) => *connect == kind,
            (Unsupported, Verdict::Unsupported { reason, suggestion }) => {
                !reason.is_empty() && !suggestion.is_empty()
            }
            (Choose, Verdict::ChooseManually { reason }) => !reason.is_empty(),
            _ => false,
        };
        if d.service != r.service || !verdict_ok || d.confidence != r.confidence {
            failures.push(format!(
                "{}: got {:?}/{:?}/{:?}, wanted {:?}/{:?}/{:?}",
                r.name, d.service, d.verdict, d.confidence, r.service, r.want, r.confidence
            ));
            continue;
        }
        // Evidence names the winning lowest-preference host first.
        let lowest =
            r.mx.iter()
                .min_by_key(|(p, h)| (*p, h.to_ascii_lowercase()))
                .unwrap()
                .1
                .to_ascii_lowercase();
        if !d.evidence[0].contains(&format!("MX {lowest}")) {
            failures.push(format!(
                "{}: first evidence {:?} doesn't name {lowest}",
                r.name, d.evidence[0]
            ));
        }
        if d.service_name != d.service.display_name() {
            failures.push(format!("{}: service_name mismatch", r.name));
        }
        // A picker is offered exactly when detection isn't sure.
        let picker = !d.choices.is_empty();
        let expect_picker =
            d.confidence != High && !matches!(d.verdict, Verdict::Unsupported { .. });
        if picker != expect_picker {
            failures.push(format!("{}: choices {:?}", r.name, d.choices));
        }
    }
    assert!(
        failures.is_empty(),
        "{} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn mixed_sets_mention_the_other_providers() {
    let d = detect_from_mx(
        "ada@example.com",
        &doh(&[
            (20, "mx.zoho.com"),
            (5, "contoso-com.mail.protection.outlook.com"),
        ]),
    )
    .unwrap();
    assert_eq!(
        d.evidence[0],
        "MX contoso-com.mail.protection.outlook.com is Microsoft 365."
    );
    assert!(
        d.evidence.iter().any(|e| e.starts_with("Also listed:")
            && e.contains("mx.zoho.com (Zoho Mail, preference 20)")),
        "{:?}",
        d.evidence
    );
    assert_eq!(
        d.choices[0], Microsoft,
        "the detected kind is offered first"
    );
}

#[test]
fn gateway_evidence_explains_the_hiding() {
    let d = detect_from_mx(
        "ada@example.com",
        &doh(&[
            (10, "mx0a-001b2d01.pphosted.com"),
            (10, "mx0b-001b2d01.pphosted.com"),
        ]),
    )
    .unwrap();
    assert!(
        d.evidence[0].contains("Proofpoint") && d.evidence[0].contains("security gateway"),
        "{:?}",
        d.evidence
    );
    assert_eq!(d.choices, ConnectionKind::ALL.to_vec());
    let Verdict::ChooseManually { reason } = &d.verdict else {
        panic!()
    };
    assert!(
        reason.contains("example.com") && reason.contains("Proofpoint"),
        "{reason}"
    );

    let d = detect_from_mx(
        "ada@example.com",
        &doh(&[
            (10, "us-smtp-inbound-1.mimecast.com"),
            (20, "aspmx.l.google.com"),
        ]),
    )
    .unwrap();
    assert!(
        d.evidence
            .iter()
            .any(|e| e.contains("aspmx.l.google.com") && e.contains("probably")),
        "{:?}",
        d.evidence
    );
}

#[test]
fn amazon_is_refused_before_sign_in_with_a_suggestion() {
    let d = detect_from_mx(
        "ada@example.com",
        &doh(&[(10, "inbound-smtp.us-east-1.amazonaws.com")]),
    )
    .unwrap();
    let Verdict::Unsupported { reason, suggestion } = &d.verdict else {
        panic!("{d:?}")
    };
    assert!(reason.contains("Amazon"), "{reason}");
    assert!(
        suggestion.contains("Google Workspace") && suggestion.contains("Microsoft 365"),
        "{suggestion}"
    );
}

#[test]
fn unknown_server_suggests_imap_and_mentions_exchange() {
    let d = detect_from_mx("ada@example.com", &doh(&[(10, "mail.example.org")])).unwrap();
    assert_eq!(d.verdict, Verdict::Supported { connect: Imap });
    assert!(d.evidence.iter().any(|e| e.contains("Exchange")));
    assert!(d.choices.contains(&ConnectionKind::Exchange));
}

#[test]
fn activesync_only_is_unsupported_and_points_to_exchange() {
    let d = activesync_only("ada@example.com").unwrap();
    let Verdict::Unsupported { reason, suggestion } = &d.verdict else {
        panic!()
    };
    assert!(reason.contains("ActiveSync"));
    assert!(suggestion.contains("Exchange"));
    assert!(activesync_only("nope").is_err());
}

// ---------------------------------------------------------------- DNS failures

fn assert_manual(label: &str, d: &Detection, reason_has: &str) {
    assert_eq!(d.confidence, Low, "{label}: {d:?}");
    assert_eq!(d.service, MailService::Unknown);
    assert_eq!(d.choices, ConnectionKind::ALL.to_vec());
    let Verdict::ChooseManually { reason } = &d.verdict else {
        panic!("{d:?}")
    };
    assert!(
        reason.contains(reason_has),
        "{reason:?} lacks {reason_has:?}"
    );
    assert!(!d.evidence.is_empty());
}

#[test]
fn dns_failures_offer_a_manual_choice() {
    let lookup = "We couldn't look up example.com's mail servers";
    let cases: Vec<(&str, HttpResponse, &str)> = vec![
        ("HTTP error", raw(500, "oops"), lookup),
        ("HTTP 400", raw(400, "{\"Status\":1}"), lookup),
        (
            "malformed JSON",
            raw(200, "<html>captive portal</html>"),
            lookup,
        ),
        ("empty body", raw(200, ""), lookup),
        ("SERVFAIL", raw(200, r#"{"Status":2,"TC":false}"#), lookup),
        ("REFUSED", raw(200, r#"{"Status":5}"#), lookup),
        (
            "NXDOMAIN",
            raw(200, r#"{"Status":3,"Authority":[]}"#),
            "doesn't exist",
        ),
        ("no answer", raw(200, r#"{"Status":0}"#), "no mail servers"),
        (
            "only a CNAME",
            raw(
                200,
                r#"{"Status":0,"Answer":[{"name":"example.com.","type":5,"TTL":60,"data":"other.example.net."}]}"#,
            ),
            "no mail servers",
        ),
        (
            "garbled MX data",
            raw(
                200,
                r#"{"Status":0,"Answer":[{"name":"example.com.","type":15,"TTL":60,"data":"nonsense"}]}"#,
            ),
            "no mail servers",
        ),
    ];
    for (name, response, reason) in cases {
        let d = detect_from_mx("ada@example.com", &response).unwrap();
        assert_manual(name, &d, reason);
    }
    let d = detect_from_mx("ada@example.com", &raw(503, "")).unwrap();
    assert!(d.evidence[0].contains("503"), "{:?}", d.evidence);
}

#[test]
fn null_mx_means_no_inbox() {
    let d = detect_from_mx(
        "ada@example.com",
        &raw(
            200,
            r#"{"Status":0,"Answer":[{"name":"example.com.","type":15,"TTL":60,"data":"0 ."}]}"#,
        ),
    )
    .unwrap();
    let Verdict::Unsupported { reason, .. } = &d.verdict else {
        panic!("{d:?}")
    };
    assert!(reason.contains("doesn't receive email"), "{reason}");
}

#[test]
fn detect_from_mx_rejects_invalid_address() {
    assert!(matches!(
        detect_from_mx("not-an-address", &doh(&[(10, "aspmx.l.google.com")])),
        Err(AddressError::MissingAt { .. })
    ));
}

// ---------------------------------------------------------------- serde shape

#[test]
fn detection_serde_shape_is_camel_case_and_tagged() {
    let d = detect_from_mx("ada@example.com", &doh(&[(1, "aspmx.l.google.com")])).unwrap();
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(v["service"], "googleWorkspace");
    assert_eq!(v["serviceName"], "Google Workspace");
    assert_eq!(v["confidence"], "high");
    assert_eq!(v["verdict"]["kind"], "supported");
    assert_eq!(v["verdict"]["connect"], "google");
    let back: Detection = serde_json::from_value(v).unwrap();
    assert_eq!(back, d);

    let step = detect_from_address("ada@example.com").unwrap();
    let v = serde_json::to_value(&step).unwrap();
    assert_eq!(v["kind"], "needsDns");
    assert_eq!(v["request"]["method"], "GET");
}

#[test]
fn microsoft_hosted_mailboxes_are_flagged_for_exchange_steering() {
    assert!(done("ada@outlook.com").hosted_by_microsoft());
    assert!(!done("ada@gmail.com").hosted_by_microsoft());
    assert!(!done("ada@yahoo.com").hosted_by_microsoft());
}

mod machine {
    use super::*;
    use inlay_core::detect::{DetectPurpose, Detector};
    use inlay_core::http::TransportFailure;
    use inlay_core::machine::{Input, Machine, Moment, Step};

    const AT: Moment<'static> = Moment {
        now_ms: 0,
        random: &[],
    };

    #[test]
    fn a_consumer_address_is_decided_at_start() {
        let step = Detector::new("ann@gmail.com").start(AT);
        let Step::Done { result } = step else {
            panic!("{step:?}")
        };
        assert_eq!(result.service, MailService::Gmail);
    }

    #[test]
    fn another_domain_asks_for_its_mx_records_then_reads_them() {
        let mut d = Detector::new("ann@example.com");
        let step = d.start(AT);
        let Step::Http { request, purpose } = &step else {
            panic!("{step:?}")
        };
        assert_eq!(*purpose, DetectPurpose::MxLookup);
        assert_eq!(
            request.url,
            "https://dns.google/resolve?name=example.com&type=MX"
        );
        // The machine survives the shell's round trip.
        let mut d: Detector = serde_json::from_value(serde_json::to_value(&d).unwrap()).unwrap();
        let response = doh(&[(10, "aspmx.l.google.com")]);
        let step = d.resume(Input::Response { response }, AT);
        let Step::Done { result } = step else {
            panic!("{step:?}")
        };
        assert_eq!(
            result.verdict,
            Verdict::Supported {
                connect: ConnectionKind::Google
            }
        );
    }

    #[test]
    fn no_answer_asks_the_user_to_choose() {
        for (failure, why) in [
            (TransportFailure::Network, "couldn't be reached"),
            (TransportFailure::Timeout, "didn't answer in time"),
        ] {
            let mut d = Detector::new("ann@example.com");
            d.start(AT);
            let step = d.resume(Input::Transport { failure }, AT);
            let Step::Done { result } = step else {
                panic!("{step:?}")
            };
            assert_eq!(result.confidence, Confidence::Low);
            assert!(result.evidence[0].contains(why), "{:?}", result.evidence);
        }
    }

    #[test]
    fn an_invalid_address_fails_as_code_and_message() {
        let step = Detector::new("ann").start(AT);
        assert_eq!(
            serde_json::to_value(&step).unwrap(),
            serde_json::json!({"kind": "failed", "error": {
                "code": "missingAt",
                "message": "\"ann\" has no @. Enter the full address, like name@company.com."
            }})
        );
    }
}

#[test]
fn address_error_codes_are_their_serde_tags() {
    for input in [
        "",
        "a b@c.com",
        "abc",
        "a@b@c",
        "@c.com",
        "a@",
        "a<@c.com",
        ".a@c.com",
        "a@company",
        "a@-x.com",
        "a@[1.2.3.4]",
    ] {
        let e = parse_address(input).unwrap_err();
        assert_eq!(
            serde_json::to_value(&e).unwrap()["kind"],
            e.code(),
            "{input}"
        );
    }
    let long = format!("{}@c.com", "a".repeat(70));
    let e = parse_address(&long).unwrap_err();
    assert_eq!(serde_json::to_value(&e).unwrap()["kind"], e.code());
}
