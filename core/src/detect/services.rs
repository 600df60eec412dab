//! Who hosts a mailbox: the consumer-domain table and the MX host patterns.
//!
//! Patterns come from providers' published setup instructions (see
//! docs: provider-apis.md §6). Matching is on whole DNS labels, so
//! `evilgoogle.com` never matches `google.com`.

use serde::{Deserialize, Serialize};

use super::ConnectionKind;
use crate::hostname::{self, in_domain};

/// The service that receives a domain's mail, as far as detection can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum MailService {
    /// Consumer Gmail (gmail.com, googlemail.com).
    Gmail,
    /// Google Workspace on the organisation's own domain.
    GoogleWorkspace,
    /// Consumer Outlook.com / Hotmail / Live.
    OutlookCom,
    /// Microsoft 365 (Exchange Online) on the organisation's own domain.
    Microsoft365,
    /// Yahoo Mail, including Yahoo's business mail.
    Yahoo,
    /// AOL Mail.
    Aol,
    /// iCloud Mail.
    ICloud,
    /// GMX.
    Gmx,
    /// WEB.DE.
    WebDe,
    /// IONOS (1&1) hosted mail.
    Ionos,
    /// Zoho Mail.
    Zoho,
    /// Fastmail.
    Fastmail,
    /// Proton Mail.
    Proton,
    /// Tuta (Tutanota).
    Tuta,
    /// Yandex Mail / Yandex 360.
    Yandex,
    /// Mail.ru.
    MailRu,
    /// QQ Mail / Tencent Exmail.
    Tencent,
    /// NetEase (163.com, 126.com).
    NetEase,
    /// GoDaddy Workspace Email.
    GoDaddy,
    /// Rackspace Email.
    Rackspace,
    /// Namecheap Private Email.
    Namecheap,
    /// Amazon SES inbound or Amazon WorkMail (their MX records are identical).
    AmazonSesWorkMail,
    /// Proofpoint (security gateway).
    Proofpoint,
    /// Proofpoint Essentials (security gateway).
    ProofpointEssentials,
    /// Mimecast (security gateway).
    Mimecast,
    /// Cisco Secure Email, formerly IronPort (security gateway).
    CiscoSecureEmail,
    /// Barracuda Email Security (security gateway).
    Barracuda,
    /// Broadcom/Symantec Email Security.cloud, ex-MessageLabs (security gateway).
    SymantecMessageLabs,
    /// Trend Micro Email Security (security gateway).
    TrendMicro,
    /// Sophos Email (security gateway).
    Sophos,
    /// Forcepoint Email Security (security gateway).
    Forcepoint,
    /// Trellix (FireEye) Email Security (security gateway).
    Trellix,
    /// Hornetsecurity (security gateway).
    Hornetsecurity,
    /// SpamExperts (security gateway).
    SpamExperts,
    /// Cloudflare Email Routing (forwards mail elsewhere).
    CloudflareEmailRouting,
    /// ImprovMX (forwards mail elsewhere).
    ImprovMx,
    /// Nothing we recognise: a self-hosted or less common server.
    Unknown,
}

/// What detection concludes from a service, before looking at the others.
pub(crate) enum ServiceRole {
    /// Hosts mailboxes that Inlay connects with this kind of account.
    Mailbox(ConnectionKind),
    /// Hosts mailboxes that Inlay cannot connect to.
    Unsupported,
    /// Filters or forwards mail, hiding the service that holds the mailbox.
    Hides,
}

impl MailService {
    /// The name shown to users.
    pub fn display_name(self) -> &'static str {
        use MailService::*;
        match self {
            Gmail => "Gmail",
            GoogleWorkspace => "Google Workspace",
            OutlookCom => "Outlook.com",
            Microsoft365 => "Microsoft 365",
            Yahoo => "Yahoo Mail",
            Aol => "AOL Mail",
            ICloud => "iCloud Mail",
            Gmx => "GMX",
            WebDe => "WEB.DE",
            Ionos => "IONOS",
            Zoho => "Zoho Mail",
            Fastmail => "Fastmail",
            Proton => "Proton Mail",
            Tuta => "Tuta",
            Yandex => "Yandex Mail",
            MailRu => "Mail.ru",
            Tencent => "QQ Mail / Tencent Exmail",
            NetEase => "NetEase Mail",
            GoDaddy => "GoDaddy Email",
            Rackspace => "Rackspace Email",
            Namecheap => "Namecheap Private Email",
            AmazonSesWorkMail => "Amazon SES / WorkMail",
            Proofpoint => "Proofpoint",
            ProofpointEssentials => "Proofpoint Essentials",
            Mimecast => "Mimecast",
            CiscoSecureEmail => "Cisco Secure Email",
            Barracuda => "Barracuda",
            SymantecMessageLabs => "Broadcom (Symantec) Email Security",
            TrendMicro => "Trend Micro Email Security",
            Sophos => "Sophos Email",
            Forcepoint => "Forcepoint",
            Trellix => "Trellix Email Security",
            Hornetsecurity => "Hornetsecurity",
            SpamExperts => "SpamExperts",
            CloudflareEmailRouting => "Cloudflare Email Routing",
            ImprovMx => "ImprovMX",
            Unknown => "an unrecognised mail server",
        }
    }

    /// A filtering gateway or a forwarder: the mailbox is somewhere else.
    pub fn hides_provider(self) -> bool {
        matches!(self.role(), ServiceRole::Hides)
    }

    /// The account type to connect when this service holds the mailbox.
    pub fn connection_kind(self) -> Option<ConnectionKind> {
        match self.role() {
            ServiceRole::Mailbox(kind) => Some(kind),
            _ => None,
        }
    }

    pub(crate) fn role(self) -> ServiceRole {
        use MailService::*;
        match self {
            Gmail | GoogleWorkspace => ServiceRole::Mailbox(ConnectionKind::Google),
            OutlookCom | Microsoft365 => ServiceRole::Mailbox(ConnectionKind::Microsoft),
            Yahoo | Aol | ICloud | Gmx | WebDe | Ionos | Zoho | Fastmail | Proton | Yandex
            | MailRu | Tencent | NetEase | GoDaddy | Rackspace | Namecheap | Unknown => {
                ServiceRole::Mailbox(ConnectionKind::Imap)
            }
            AmazonSesWorkMail | Tuta => ServiceRole::Unsupported,
            Proofpoint
            | ProofpointEssentials
            | Mimecast
            | CiscoSecureEmail
            | Barracuda
            | SymantecMessageLabs
            | TrendMicro
            | Sophos
            | Forcepoint
            | Trellix
            | Hornetsecurity
            | SpamExperts
            | CloudflareEmailRouting
            | ImprovMx => ServiceRole::Hides,
        }
    }

    /// A forwarder rather than a filtering gateway (changes the wording).
    pub(crate) fn is_forwarder(self) -> bool {
        matches!(
            self,
            MailService::CloudflareEmailRouting | MailService::ImprovMx
        )
    }

    /// Extra advice shown with a detection, when connecting needs it.
    pub(crate) fn note(self) -> Option<&'static str> {
        use MailService::*;
        Some(match self {
            Yahoo | Aol => {
                "Yahoo and AOL accept other apps over IMAP only with an app password created in the account's security settings."
            }
            ICloud => {
                "iCloud Mail accepts other apps over IMAP only with an app-specific password from your Apple Account settings."
            }
            Fastmail => {
                "Fastmail accepts other apps over IMAP with an app password from Fastmail's settings."
            }
            Proton => {
                "Proton Mail works with other apps only through Proton Mail Bridge running on this computer (paid plans)."
            }
            Zoho => {
                "Zoho Mail offers IMAP only when it is turned on in Zoho's settings, and not on every plan."
            }
            Gmx | WebDe => "IMAP access has to be turned on in the mailbox's settings first.",
            _ => return None,
        })
    }
}

/// How one MX pattern matches a host name (lower-case, no trailing dot).
enum Pattern {
    /// The host is exactly this name.
    Exact(&'static str),
    /// The host is this domain or a subdomain of it.
    Domain(&'static str),
    /// The host's first label starts with `.0` and it is a subdomain of `.1`.
    PrefixIn(&'static str, &'static str),
}

impl Pattern {
    fn matches(&self, host: &str) -> bool {
        match *self {
            Pattern::Exact(name) => host == name,
            Pattern::Domain(domain) => in_domain(host, domain),
            Pattern::PrefixIn(prefix, domain) => {
                in_domain(host, domain) && host.starts_with(prefix) && host.len() > domain.len()
            }
        }
    }
}

/// MX host patterns, most specific first (the first match wins).
const MX_RULES: &[(Pattern, MailService)] = {
    use MailService::*;
    use Pattern::*;
    &[
        // Google: consumer Gmail first, then Workspace and legacy names.
        (Domain("gmail-smtp-in.l.google.com"), Gmail),
        (Domain("aspmx.l.google.com"), GoogleWorkspace),
        (Exact("smtp.google.com"), GoogleWorkspace),
        (PrefixIn("aspmx", "googlemail.com"), GoogleWorkspace),
        (Domain("google.com"), GoogleWorkspace),
        (Domain("googlemail.com"), GoogleWorkspace),
        // Microsoft: consumer Outlook.com before the Microsoft 365 forms.
        (Domain("olc.protection.outlook.com"), OutlookCom),
        (Domain("hotmail.com"), OutlookCom),
        (Domain("mail.protection.outlook.com"), Microsoft365),
        (Domain("protection.outlook.com"), Microsoft365),
        (Domain("mx.microsoft"), Microsoft365),
        (Domain("mail.protection.office365.us"), Microsoft365),
        (Domain("mail.protection.partner.outlook.cn"), Microsoft365),
        // Amazon SES inbound / WorkMail: inbound-smtp.<region>.amazonaws.com.
        (
            PrefixIn("inbound-smtp.", "amazonaws.com"),
            AmazonSesWorkMail,
        ),
        // Zoho, per data centre.
        (Domain("zoho.com"), Zoho),
        (Domain("zoho.eu"), Zoho),
        (Domain("zoho.in"), Zoho),
        (Domain("zoho.com.au"), Zoho),
        (Domain("zoho.jp"), Zoho),
        (Domain("zoho.com.cn"), Zoho),
        (Domain("zoho.sa"), Zoho),
        (Domain("zohocloud.ca"), Zoho),
        (Domain("zohomail.com"), Zoho),
        // Yahoo (consumer, AOL and business all use yahoodns.net).
        (Domain("yahoodns.net"), Yahoo),
        (Domain("biz.mail.yahoo.com"), Yahoo),
        (Domain("mail.yahoo.com"), Yahoo),
        (Domain("mail.icloud.com"), ICloud),
        (Domain("messagingengine.com"), Fastmail),
        (Domain("protonmail.ch"), Proton),
        (Exact("mail.tutanota.de"), Tuta),
        (Domain("gmx.net"), Gmx),
        (Domain("gmx.com"), Gmx),
        (Domain("web.de"), WebDe),
        (Domain("ionos.de"), Ionos),
        (Domain("ionos.com"), Ionos),
        (Domain("ionos.co.uk"), Ionos),
        (Domain("ionos.fr"), Ionos),
        (Domain("ionos.es"), Ionos),
        (Domain("kundenserver.de"), Ionos),
        (Domain("yandex.net"), Yandex),
        (Domain("yandex.ru"), Yandex),
        (Domain("mail.ru"), MailRu),
        (Domain("qq.com"), Tencent),
        (Domain("netease.com"), NetEase),
        (Domain("163.com"), NetEase),
        (Domain("secureserver.net"), GoDaddy),
        (Domain("emailsrvr.com"), Rackspace),
        (Domain("privateemail.com"), Namecheap),
        // Security gateways that sit in front of the real mailbox.
        (Domain("pphosted.com"), Proofpoint),
        (Domain("ppe-hosted.com"), ProofpointEssentials),
        (Domain("mimecast.com"), Mimecast),
        (Domain("mimecast.co.za"), Mimecast),
        (Domain("mimecast-offshore.com"), Mimecast),
        (Domain("iphmx.com"), CiscoSecureEmail),
        (Domain("barracudanetworks.com"), Barracuda),
        (Domain("messagelabs.com"), SymantecMessageLabs),
        (Domain("trendmicro.com"), TrendMicro),
        (Domain("trendmicro.eu"), TrendMicro),
        (Domain("sophos.com"), Sophos),
        (Domain("mailcontrol.com"), Forcepoint),
        (Domain("fireeyecloud.com"), Trellix),
        (Domain("hornetsecurity.com"), Hornetsecurity),
        (Domain("spamexperts.com"), SpamExperts),
        // Forwarders.
        (Domain("mx.cloudflare.net"), CloudflareEmailRouting),
        (Domain("improvmx.com"), ImprovMx),
    ]
};

/// Which service an MX host name belongs to (`Unknown` when none matches).
pub fn service_for_mx_host(host: &str) -> MailService {
    let host = hostname::normalise(host);
    MX_RULES
        .iter()
        .find(|(pattern, _)| pattern.matches(&host))
        .map_or(MailService::Unknown, |(_, service)| *service)
}

/// A consumer domain family: `base` plus any country ending (`hotmail.*`).
enum DomainRule {
    /// Exactly this domain.
    Exact(&'static str),
    /// This first label followed by a country or generic ending only:
    /// `hotmail` matches hotmail.com, hotmail.co.uk, hotmail.fr but not
    /// hotmail.example.com.
    AnyEnding(&'static str),
}

const CONSUMER_DOMAINS: &[(DomainRule, MailService)] = {
    use DomainRule::*;
    use MailService::*;
    &[
        (Exact("gmail.com"), Gmail),
        (Exact("googlemail.com"), Gmail),
        (AnyEnding("outlook"), OutlookCom),
        (AnyEnding("hotmail"), OutlookCom),
        (AnyEnding("live"), OutlookCom),
        (Exact("msn.com"), OutlookCom),
        (Exact("passport.com"), OutlookCom),
        (Exact("windowslive.com"), OutlookCom),
        (AnyEnding("yahoo"), Yahoo),
        (Exact("ymail.com"), Yahoo),
        (Exact("rocketmail.com"), Yahoo),
        (Exact("aol.com"), Aol),
        (Exact("aim.com"), Aol),
        (Exact("icloud.com"), ICloud),
        (Exact("me.com"), ICloud),
        (Exact("mac.com"), ICloud),
        (AnyEnding("gmx"), Gmx),
        (Exact("web.de"), WebDe),
        (Exact("zoho.com"), Zoho),
        (Exact("zohomail.com"), Zoho),
        (Exact("zoho.eu"), Zoho),
        (Exact("fastmail.com"), Fastmail),
        (Exact("fastmail.fm"), Fastmail),
        (Exact("proton.me"), Proton),
        (Exact("protonmail.com"), Proton),
        (Exact("protonmail.ch"), Proton),
        (Exact("pm.me"), Proton),
        (Exact("tuta.com"), Tuta),
        (Exact("tuta.io"), Tuta),
        (Exact("tutanota.com"), Tuta),
        (Exact("tutanota.de"), Tuta),
        (Exact("tutamail.com"), Tuta),
        (Exact("keemail.me"), Tuta),
        (AnyEnding("yandex"), Yandex),
        (Exact("ya.ru"), Yandex),
        (Exact("mail.ru"), MailRu),
        (Exact("inbox.ru"), MailRu),
        (Exact("list.ru"), MailRu),
        (Exact("bk.ru"), MailRu),
        (Exact("qq.com"), Tencent),
        (Exact("163.com"), NetEase),
        (Exact("126.com"), NetEase),
    ]
};

/// Second-level labels used under country endings (co.uk, com.au, …).
const SECOND_LEVELS: &[&str] = &["co", "com", "net", "org", "ne", "or", "ac", "gv"];

/// `rest` looks like a public ending: `fr`, `com`, `co.uk`, `com.br`.
/// An approximation of the Public Suffix List, enough for consumer families.
fn is_public_ending(rest: &str) -> bool {
    let labels: Vec<&str> = rest.split('.').collect();
    let alpha = |l: &str| !l.is_empty() && l.bytes().all(|b| b.is_ascii_lowercase());
    match labels.as_slice() {
        [tld] => alpha(tld),
        [second, cc] => SECOND_LEVELS.contains(second) && cc.len() == 2 && alpha(cc),
        _ => false,
    }
}

/// The consumer service a domain belongs to, decided without DNS.
pub fn consumer_service(domain: &str) -> Option<MailService> {
    CONSUMER_DOMAINS.iter().find_map(|(rule, service)| {
        let hit = match *rule {
            DomainRule::Exact(name) => domain == name,
            DomainRule::AnyEnding(base) => domain
                .strip_prefix(base)
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(is_public_ending),
        };
        hit.then_some(*service)
    })
}
