//! The fake providers' data: accounts with their mailboxes, and the DNS table.
//!
//! One `State` behind one lock holds everything the fakes read and change, so a request
//! sees a consistent picture. Accounts are keyed by provider and address: the same
//! address may exist at Google and at Microsoft, as in real life.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::oauth::OAuth;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Google,
    Microsoft,
    /// Exchange on-premises (EWS and POX Autodiscover, `hosts::exchange`).
    Exchange,
    /// Plain IMAP/SMTP; no fake serves it yet.
    Imap,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Google => "google",
            Provider::Microsoft => "microsoft",
            Provider::Exchange => "exchange",
            Provider::Imap => "imap",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Account {
    pub provider: Provider,
    /// Lower-cased primary address.
    pub address: String,
    pub display_name: String,
    /// Further addresses the account may send as (Gmail "send mail as", Exchange proxies).
    pub aliases: Vec<String>,
    /// A personal Microsoft account (MSA: outlook.com, hotmail.*, live.* …) rather than a
    /// work or school account. Only Microsoft looks at it.
    pub personal: bool,
    /// A Microsoft 365 shared mailbox: readable through Graph, but nobody signs in as it.
    pub shared: bool,
    /// Whether Entra lets this account sign in. Shared mailboxes are disabled
    /// users by default, but an admin can enable sign-in on one.
    pub sign_in_enabled: bool,
    /// Exchange only: Basic credentials, server version and Autodiscover reachability.
    pub exchange: Option<ExchangeAccount>,
    /// Google: the Gmail fake replaces the Message-ID of a sent message (seed
    /// `gmailRewritesMessageId`; some reports say Gmail does).
    pub gmail_rewrites_message_id: bool,
    pub mailbox: Mailbox,
}

/// What an on-premises Exchange account adds: how it signs in (Basic) and what the
/// server looks like.
#[derive(Debug, Clone)]
pub struct ExchangeAccount {
    /// Lower-cased; defaults to the address (a UPN sign-in).
    pub username: String,
    pub password: String,
    pub version: ExchangeVersion,
    pub autodiscover: AutodiscoverMode,
}

/// The server's version, as seeded by its `RequestServerVersion`-style name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[allow(non_camel_case_types)] // spelled as EWS spells them
pub enum ExchangeVersion {
    Exchange2007_SP1,
    Exchange2010,
    Exchange2010_SP1,
    Exchange2010_SP2,
    Exchange2013,
    Exchange2013_SP1,
    Exchange2016,
    Exchange2019,
}

impl ExchangeVersion {
    /// `(MajorVersion, MinorVersion, MajorBuildNumber, MinorBuildNumber, Version)` of the
    /// `ServerVersionInfo` SOAP header.
    pub fn server_version_info(self) -> (u32, u32, u32, u32, &'static str) {
        use ExchangeVersion::*;
        match self {
            Exchange2007_SP1 => (8, 1, 436, 0, "Exchange2007_SP1"),
            Exchange2010 | Exchange2010_SP1 => (14, 1, 218, 15, "Exchange2010_SP1"),
            Exchange2010_SP2 => (14, 2, 247, 5, "Exchange2010_SP2"),
            Exchange2013 => (15, 0, 516, 32, "V2_6"),
            Exchange2013_SP1 => (15, 0, 847, 32, "V2_11"),
            Exchange2016 => (15, 1, 2507, 6, "V2017_07_11"),
            Exchange2019 => (15, 2, 1118, 7, "V2017_07_11"),
        }
    }
}

/// Where the POX Autodiscover service answers for the account's domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AutodiscoverMode {
    /// `https://<domain>/autodiscover/autodiscover.xml` (default).
    Direct,
    /// Only `https://autodiscover.<domain>/…`.
    Subdomain,
    /// Only the mail server, found through a `_autodiscover._tcp.<domain>` SRV record.
    Srv,
    /// Nowhere: the user must type the EWS URL.
    None,
    /// Only through the unauthenticated `http://autodiscover.<domain>/…` probe, whose
    /// redirect names `https://mail.<domain>/…` (organisations in
    /// `exchange::PROBE_DOMAINS`, whose autodiscover host speaks plain HTTP).
    #[serde(rename = "redirectProbe")]
    RedirectProbe,
    /// `autodiscover.<domain>` answers, but asks only for Windows sign-in (NTLM,
    /// Negotiate), never Basic; EWS on `mail.<domain>` still takes Basic.
    #[serde(rename = "windowsOnly")]
    WindowsOnly,
    /// `https://<domain>/…` (the web site) answers every POST, without asking for
    /// credentials, with settings naming the EWS URL of another organisation's
    /// `mail.<domain>`: the host a careless or hostile web site could name.
    #[serde(rename = "foreignEws")]
    ForeignEws,
}

impl AutodiscoverMode {
    /// The seed spelling.
    pub fn name(self) -> &'static str {
        match self {
            AutodiscoverMode::Direct => "direct",
            AutodiscoverMode::Subdomain => "subdomain",
            AutodiscoverMode::Srv => "srv",
            AutodiscoverMode::None => "none",
            AutodiscoverMode::RedirectProbe => "redirectProbe",
            AutodiscoverMode::WindowsOnly => "windowsOnly",
            AutodiscoverMode::ForeignEws => "foreignEws",
        }
    }
}

impl Account {
    /// A stable GUID-shaped id, as Graph and Entra use for users, derived from the address.
    pub fn object_id(&self) -> String {
        crate::ids::guid_from(&format!("{}:{}", self.provider.as_str(), self.address))
    }
}

/// An account's messages. Later fakes (Gmail messages/history, Graph messages/delta, EWS)
/// read and extend this; `history_id` only ever grows, like Gmail's.
#[derive(Debug, Clone, Default)]
pub struct Mailbox {
    pub messages: Vec<StoredMessage>,
    pub history_id: u64,
    /// Every send the fakes accepted from this mailbox (`delivery.rs`).
    pub deliveries: Vec<crate::delivery::Delivery>,
    /// Graph: attachments added to drafts, and upload sessions under way
    /// (`hosts/graph_upload.rs`).
    pub draft_attachments: Vec<crate::hosts::graph_upload::DraftAttachment>,
    /// What changed when, for Gmail history and Graph delta (`sync_log.rs`).
    pub sync_log: crate::sync_log::SyncLog,
}

#[derive(Debug, Clone)]
pub struct StoredMessage {
    /// Gmail-style id: 16 lower-case hex digits.
    pub id: String,
    /// Threading is not modelled yet: every message is its own thread.
    pub thread_id: String,
    pub label_ids: Vec<String>,
    /// The RFC 822 message as seeded.
    pub raw: Vec<u8>,
    /// Gmail `internalDate` (unix ms): when a fake filed it; 0 for seeded messages.
    pub internal_date_ms: u64,
    /// Graph: the `PidTagDeferredSendTime` set on a draft, as given.
    pub deferred_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DnsRecord {
    /// Lower-cased, without the trailing dot.
    pub name: String,
    pub rtype: u16,
    pub ttl: u32,
    pub data: String,
}

#[derive(Debug, Default)]
pub struct State {
    pub accounts: Vec<Account>,
    pub dns: Vec<DnsRecord>,
    /// Seeded autoconfig documents by mail domain (`hosts/autoconfig.rs`).
    pub autoconfig: std::collections::HashMap<String, String>,
    /// Sign-in state: registrations, codes, tokens, sessions, scenarios, the clock.
    pub oauth: OAuth,
    /// Source of message ids; never reset, so ids stay unique for the process.
    next_message: u64,
}

impl State {
    pub fn account(&self, provider: Provider, address: &str) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|a| a.provider == provider && a.address.eq_ignore_ascii_case(address))
    }

    pub fn account_mut(&mut self, provider: Provider, address: &str) -> Option<&mut Account> {
        self.accounts
            .iter_mut()
            .find(|a| a.provider == provider && a.address.eq_ignore_ascii_case(address))
    }

    /// The `index`-th seeded account of a provider, as a webmail session `/u/<index>/` shows it.
    pub fn nth_account(&self, provider: Provider, index: usize) -> Option<&Account> {
        self.accounts
            .iter()
            .filter(|a| a.provider == provider)
            .nth(index)
    }

    /// Files a new message (raw RFC 822) in an account's mailbox under one label
    /// (`"SENT"`, `"DRAFT"`, `"INBOX"` …); returns its id, or `None` without the account.
    pub fn add_message(
        &mut self,
        provider: Provider,
        address: &str,
        raw: Vec<u8>,
        label: &str,
    ) -> Option<String> {
        let id = format!("{:016x}", 0x18f0_0000_0000_0000u64 + self.next_message);
        let account = self.account_mut(provider, address)?;
        account.mailbox.messages.push(StoredMessage {
            id: id.clone(),
            thread_id: id.clone(),
            label_ids: vec![label.to_owned()],
            raw,
            internal_date_ms: crate::delivery::now_ms(),
            deferred_until: None,
        });
        account.mailbox.history_id += 1;
        self.next_message += 1;
        Some(id)
    }

    /// Forgets accounts, DNS records and all sign-in state, clock offset included
    /// (message ids and OAuth log sequence numbers keep counting up).
    pub fn clear(&mut self) {
        self.accounts.clear();
        self.dns.clear();
        self.autoconfig.clear();
        self.oauth.reset();
    }

    /// Applies a `POST /seed` body. An account already present (same provider and address)
    /// is replaced; DNS records are appended.
    pub fn seed(&mut self, seed: Seed) -> Result<Value, String> {
        let mut seeded = Vec::new();
        for a in seed.accounts {
            let address = a.address.trim().to_ascii_lowercase();
            if !address.contains('@') {
                return Err(format!("account address {address:?} has no '@'"));
            }
            let mut mailbox = Mailbox::default();
            for raw in a.messages {
                let id = format!("{:016x}", 0x18f0_0000_0000_0000u64 + self.next_message);
                self.next_message += 1;
                mailbox.messages.push(StoredMessage {
                    thread_id: id.clone(),
                    id,
                    label_ids: vec!["INBOX".into()],
                    raw: raw.into_bytes(),
                    internal_date_ms: 0,
                    deferred_until: None,
                });
            }
            // 1001, 1002, … for the seeded messages, in the sync log too.
            mailbox.history_id = 1000;
            crate::sync_log::catch_up(&mut mailbox);
            let domain = address.rsplit('@').next().unwrap_or_default();
            let exchange = match (a.provider, a.password) {
                (Provider::Exchange, Some(password)) => Some(ExchangeAccount {
                    username: a
                        .username
                        .map(|u| u.trim().to_ascii_lowercase())
                        .unwrap_or_else(|| address.clone()),
                    password,
                    version: a.exchange_version.unwrap_or(ExchangeVersion::Exchange2016),
                    autodiscover: a.autodiscover.unwrap_or(AutodiscoverMode::Direct),
                }),
                (Provider::Exchange, None) => {
                    return Err(format!("exchange account {address:?} needs a password"));
                }
                (_, password)
                    if password.is_some()
                        || a.username.is_some()
                        || a.exchange_version.is_some()
                        || a.autodiscover.is_some() =>
                {
                    return Err(format!(
                        "{address:?}: password, username, exchangeVersion and autodiscover are for exchange accounts"
                    ));
                }
                _ => None,
            };
            let account = Account {
                exchange,
                gmail_rewrites_message_id: a.gmail_rewrites_message_id.unwrap_or(false),
                personal: a
                    .personal
                    .unwrap_or_else(|| crate::oauth::identity::consumer_domain(domain)),
                shared: a.mailbox_type == Some(MailboxType::Shared),
                sign_in_enabled: a
                    .sign_in_enabled
                    .unwrap_or(a.mailbox_type != Some(MailboxType::Shared)),
                provider: a.provider,
                display_name: a.display_name.unwrap_or_default(),
                aliases: a
                    .aliases
                    .iter()
                    .map(|s| s.trim().to_ascii_lowercase())
                    .collect(),
                address,
                mailbox,
            };
            seeded.push(json!({
                "provider": account.provider.as_str(),
                "address": account.address,
                "token": crate::tokens::test_token(&account.address),
                "messageIds": account.mailbox.messages.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
            }));
            self.accounts.retain(|old| {
                !(old.provider == account.provider && old.address == account.address)
            });
            self.accounts.push(account);
        }
        for r in seed.dns {
            self.dns.push(r.into_record()?);
        }
        for a in seed.autoconfig {
            let domain = a.domain.trim().to_ascii_lowercase();
            if !crate::hosts::autoconfig::DOMAINS.contains(&domain.as_str()) {
                return Err(format!(
                    "autoconfig domain {domain:?} is not served; use one of {:?}",
                    crate::hosts::autoconfig::DOMAINS
                ));
            }
            self.autoconfig.insert(domain, a.xml);
        }
        Ok(json!({ "accounts": seeded, "dnsRecords": self.dns.len() }))
    }

    /// A debug view for `GET /state`: no message bodies.
    pub fn dump(&self) -> Value {
        json!({
            "accounts": self.accounts.iter().map(|a| json!({
                "provider": a.provider.as_str(),
                "address": a.address,
                "displayName": a.display_name,
                "aliases": a.aliases,
                "personal": a.personal,
                "mailboxType": if a.shared { "shared" } else { "user" },
                "exchange": a.exchange.as_ref().map(|x| json!({
                    "username": x.username,
                    "exchangeVersion": format!("{:?}", x.version),
                    "autodiscover": x.autodiscover.name(),
                })),
                "historyId": a.mailbox.history_id,
                "messages": a.mailbox.messages.iter().map(|m| json!({
                    "id": m.id, "threadId": m.thread_id, "labelIds": m.label_ids, "sizeBytes": m.raw.len(),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "dns": self.dns.iter().map(|r| json!({
                "name": r.name, "type": r.rtype, "TTL": r.ttl, "data": r.data,
            })).collect::<Vec<_>>(),
        })
    }
}

/// Body of `POST /seed`. Unknown fields are refused so a typo in a test fails loudly.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    #[serde(default)]
    pub accounts: Vec<SeedAccount>,
    #[serde(default)]
    pub dns: Vec<SeedDnsRecord>,
    /// A mail domain's autoconfig document (`hosts/autoconfig.rs`), replaced per domain.
    #[serde(default)]
    pub autoconfig: Vec<SeedAutoconfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAutoconfig {
    pub domain: String,
    pub xml: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedAccount {
    pub provider: Provider,
    pub address: String,
    pub display_name: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Raw RFC 822 messages.
    #[serde(default)]
    pub messages: Vec<String>,
    /// Microsoft: a personal account (consumer tenant). Default: true for consumer domains
    /// (outlook.com, hotmail.*, live.*, msn.com …), else false.
    pub personal: Option<bool>,
    /// Microsoft: `"user"` (default) or `"shared"` (a shared mailbox, which cannot sign in).
    pub mailbox_type: Option<MailboxType>,
    /// Microsoft: whether the account may sign in. Default: false for a shared
    /// mailbox (a disabled user in Entra), true otherwise.
    pub sign_in_enabled: Option<bool>,
    /// Exchange: the Basic-auth password (required for exchange accounts).
    pub password: Option<String>,
    /// Exchange: the Basic-auth user name. Default: the address.
    pub username: Option<String>,
    /// Exchange: the server version (`"Exchange2016"` default, `"Exchange2010"` …).
    pub exchange_version: Option<ExchangeVersion>,
    /// Exchange: where Autodiscover answers (`"direct"` default, `"subdomain"`, `"srv"`, `"none"`).
    pub autodiscover: Option<AutodiscoverMode>,
    /// Google: a sent message's Message-ID is replaced by the Gmail fake.
    pub gmail_rewrites_message_id: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailboxType {
    User,
    Shared,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedDnsRecord {
    pub name: String,
    /// A mnemonic (`"MX"`) or a number (`15`).
    #[serde(rename = "type")]
    pub rtype: Value,
    pub data: String,
    #[serde(rename = "TTL", alias = "ttl", default = "default_ttl")]
    pub ttl: u32,
}

fn default_ttl() -> u32 {
    300
}

impl SeedDnsRecord {
    fn into_record(self) -> Result<DnsRecord, String> {
        let rtype = match &self.rtype {
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            Value::String(s) => crate::hosts::dns::type_code(s),
            _ => None,
        }
        .ok_or_else(|| format!("unknown DNS record type {}", self.rtype))?;
        Ok(DnsRecord {
            name: crate::hosts::dns::normalize_name(&self.name),
            rtype,
            ttl: self.ttl,
            data: self.data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(state: &mut State, v: Value) -> Result<Value, String> {
        state.seed(serde_json::from_value(v).map_err(|e| e.to_string())?)
    }

    #[test]
    fn seeding_replaces_same_account_and_keeps_ids_unique() {
        let mut s = State::default();
        let acc = json!({"accounts":[{"provider":"google","address":"Ann@Example.com","messages":["Subject: a\r\n\r\nx"]}]});
        let first = seed(&mut s, acc.clone()).unwrap();
        let second = seed(&mut s, acc).unwrap();
        assert_eq!(s.accounts.len(), 1);
        assert_eq!(
            s.account(Provider::Google, "ann@example.com")
                .unwrap()
                .mailbox
                .messages
                .len(),
            1
        );
        assert_ne!(
            first["accounts"][0]["messageIds"],
            second["accounts"][0]["messageIds"]
        );
        assert_eq!(
            second["accounts"][0]["token"],
            "sandbox-token:ann@example.com"
        );
        assert!(s.account(Provider::Microsoft, "ann@example.com").is_none());
    }

    #[test]
    fn seeding_rejects_typos_and_bad_types() {
        let mut s = State::default();
        assert!(serde_json::from_value::<Seed>(json!({"acounts":[]})).is_err());
        assert!(
            seed(
                &mut s,
                json!({"dns":[{"name":"a.com","type":"BOGUS","data":"x"}]})
            )
            .is_err()
        );
        seed(&mut s, json!({"dns":[{"name":"A.com.","type":"mx","data":"10 mx.a.com."},{"name":"a.com","type":16,"data":"v=spf1"}]}))
            .unwrap();
        assert_eq!(
            s.dns[0],
            DnsRecord {
                name: "a.com".into(),
                rtype: 15,
                ttl: 300,
                data: "10 mx.a.com.".into()
            }
        );
        assert_eq!(s.dns[1].rtype, 16);
    }

    #[test]
    fn object_ids_are_stable_guids() {
        let mut s = State::default();
        seed(
            &mut s,
            json!({"accounts":[{"provider":"microsoft","address":"bo@contoso.com"}]}),
        )
        .unwrap();
        let id = s.accounts[0].object_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id, s.accounts[0].clone().object_id());
    }
}
