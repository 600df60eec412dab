//! The inbox an email is sent through, as the outbox stores it: one variant
//! per provider, each with what its send and Sent lookup need, and
//! [`AnySend`] / [`AnyLookup`] / [`AnyCancel`] wrapping the providers' plans so the outbox
//! machine (`outbox::OutboxMachine<SendTarget>`) is one type for the binding.
//! A provider's variant is added when its `send.rs` and `sent_lookup.rs`
//! exist (`provider/{gmail,graph,ews,imap}/`).

use serde::{Deserialize, Serialize};

use super::Outgoing;
use super::provider::{
    Answer, Call, CancelRead, CancelSteps, LookupRead, LookupSteps, Read, Secret, SendRead,
    SendSteps,
};
use crate::detect::ConnectionKind;
use crate::outbox::Plans;
use crate::provider::ews::{EwsCancel, EwsLookup, EwsSend, EwsTarget};
use crate::provider::gmail::{GmailLookup, GmailSend, GmailTarget};
use crate::provider::graph::{GraphCancel, GraphLookup, GraphSend, GraphTarget};
use crate::provider::imap::{ImapLookup, ImapSend, ImapTarget, MailSettings};
use crate::rpc::imap::PinnedCertificates;

/// The inbox that sends an email, by kind (`ConnectionKind`'s names), with
/// what its provider's send and lookup need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum SendTarget {
    /// Gmail; its token's granted scopes decide how Sent can be searched.
    Google { granted_scopes: Vec<String> },
    /// Microsoft 365 (Graph); `Mail.ReadWrite` allows deferred delivery,
    /// a read scope the Sent lookup.
    Microsoft { granted_scopes: Vec<String> },
    /// Exchange on-premises (EWS): deferred delivery on the item itself.
    Exchange { ews_url: String },
    /// IMAP/SMTP through the native helper: its servers, the certificates
    /// the user accepted, and whether the helper appends the Sent copy.
    Imap {
        settings: MailSettings,
        #[serde(default)]
        pinned_certificates: PinnedCertificates,
        append_to_sent: bool,
    },
}

/// A provider's send plan.
pub enum AnySend {
    Gmail(GmailSend),
    Graph(GraphSend),
    Ews(EwsSend),
    Imap(ImapSend),
}

/// A provider's Sent lookup.
pub enum AnyLookup {
    Gmail(GmailLookup),
    Graph(GraphLookup),
    Ews(EwsLookup),
    Imap(ImapLookup),
}

/// A provider's cancel of an email it holds for its time (Graph, EWS).
pub enum AnyCancel {
    Graph(GraphCancel),
    Ews(EwsCancel),
}

impl CancelSteps for AnyCancel {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, CancelRead> {
        match self {
            AnyCancel::Graph(p) => p.call(secret),
            AnyCancel::Ews(p) => p.call(secret),
        }
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<CancelRead> {
        match self {
            AnyCancel::Graph(p) => p.read(answer),
            AnyCancel::Ews(p) => p.read(answer),
        }
    }
}

impl SendSteps for AnySend {
    fn call(&self, secret: &Secret<'_>, out: &Outgoing) -> Result<Call, SendRead> {
        match self {
            AnySend::Gmail(p) => p.call(secret, out),
            AnySend::Graph(p) => p.call(secret, out),
            AnySend::Ews(p) => p.call(secret, out),
            AnySend::Imap(p) => p.call(secret, out),
        }
    }

    fn delivers(&self) -> bool {
        match self {
            AnySend::Gmail(p) => p.delivers(),
            AnySend::Graph(p) => p.delivers(),
            AnySend::Ews(p) => p.delivers(),
            AnySend::Imap(p) => p.delivers(),
        }
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<SendRead> {
        match self {
            AnySend::Gmail(p) => p.read(answer),
            AnySend::Graph(p) => p.read(answer),
            AnySend::Ews(p) => p.read(answer),
            AnySend::Imap(p) => p.read(answer),
        }
    }
}

impl LookupSteps for AnyLookup {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, LookupRead> {
        match self {
            AnyLookup::Gmail(p) => p.call(secret),
            AnyLookup::Graph(p) => p.call(secret),
            AnyLookup::Ews(p) => p.call(secret),
            AnyLookup::Imap(p) => p.call(secret),
        }
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<LookupRead> {
        match self {
            AnyLookup::Gmail(p) => p.read(answer),
            AnyLookup::Graph(p) => p.read(answer),
            AnyLookup::Ews(p) => p.read(answer),
            AnyLookup::Imap(p) => p.read(answer),
        }
    }
}

/// Whether an inbox of `kind` with these granted scopes holds a scheduled
/// email and sends it at its time, browser closed or not: the one rule for
/// the outbox ([`Plans::defers`]) and the inbox list
/// (`connect::inbox_features`). Exchange always (0x3FEF on the EWS item),
/// Microsoft when drafts may be written (`Mail.ReadWrite`, the "deliver with
/// the browser closed" feature); Gmail has no deferred delivery and SMTP
/// none, so Inlay sends those at the time.
pub fn delivers_while_closed(kind: ConnectionKind, granted_scopes: &[String]) -> bool {
    match kind {
        ConnectionKind::Microsoft => graph(granted_scopes).can_write_drafts(),
        ConnectionKind::Exchange => true,
        ConnectionKind::Google | ConnectionKind::Imap => false,
    }
}

fn gmail(granted_scopes: &[String]) -> GmailTarget {
    GmailTarget {
        granted_scopes: granted_scopes.to_vec(),
    }
}

fn graph(granted_scopes: &[String]) -> GraphTarget {
    GraphTarget {
        granted_scopes: granted_scopes.to_vec(),
    }
}

fn imap(
    settings: &MailSettings,
    pinned_certificates: &PinnedCertificates,
    append_to_sent: bool,
) -> ImapTarget {
    ImapTarget {
        settings: settings.clone(),
        pinned_certificates: pinned_certificates.clone(),
        append_to_sent,
    }
}

fn ews(ews_url: &str) -> EwsTarget {
    EwsTarget {
        ews_url: ews_url.to_owned(),
    }
}

impl Plans for SendTarget {
    type Send = AnySend;
    type Lookup = AnyLookup;
    type Cancel = AnyCancel;

    fn send(&self, out: &Outgoing) -> AnySend {
        match self {
            SendTarget::Google { granted_scopes } => {
                AnySend::Gmail(GmailSend::new(&gmail(granted_scopes), out))
            }
            SendTarget::Microsoft { granted_scopes } => {
                AnySend::Graph(GraphSend::new(&graph(granted_scopes), out))
            }
            SendTarget::Exchange { ews_url } => AnySend::Ews(EwsSend::new(&ews(ews_url), out)),
            SendTarget::Imap {
                settings,
                pinned_certificates,
                append_to_sent,
            } => AnySend::Imap(ImapSend::new(
                &imap(settings, pinned_certificates, *append_to_sent),
                out,
            )),
        }
    }

    /// Every provider has a lookup; one that can't search this inbox (no
    /// read scope) says so itself (`CannotLook`).
    fn lookup(&self, out: &Outgoing, left_at_ms: Option<u64>) -> Option<AnyLookup> {
        let id = &out.message_id;
        Some(match self {
            // With the email's opaque X-Inlay-Send-Id too: Gmail may replace a
            // sender's Message-ID, and the id alone would then read as "not
            // sent". The delivering call always sets `left_at_ms`; without it
            // the widest window is the safe one.
            SendTarget::Google { granted_scopes } => AnyLookup::Gmail(GmailLookup::for_outgoing(
                &gmail(granted_scopes),
                out,
                left_at_ms.unwrap_or(0),
            )),
            SendTarget::Microsoft { granted_scopes } => AnyLookup::Graph(GraphLookup::new(
                &graph(granted_scopes),
                id,
                out.deliver_at_ms.is_some(),
            )),
            SendTarget::Exchange { ews_url } => AnyLookup::Ews(EwsLookup::new(&ews(ews_url), id)),
            SendTarget::Imap {
                settings,
                pinned_certificates,
                append_to_sent,
            } => AnyLookup::Imap(ImapLookup::new(
                &imap(settings, pinned_certificates, *append_to_sent),
                id,
            )),
        })
    }

    /// Only the providers that hold an email for its time (`defers`).
    fn cancel(&self, out: &Outgoing) -> Option<AnyCancel> {
        match self {
            SendTarget::Microsoft { .. } => {
                Some(AnyCancel::Graph(GraphCancel::new(&out.message_id)))
            }
            SendTarget::Exchange { ews_url } => {
                Some(AnyCancel::Ews(EwsCancel::new(ews_url, &out.message_id)))
            }
            SendTarget::Google { .. } | SendTarget::Imap { .. } => None,
        }
    }

    fn defers(&self) -> bool {
        let scopes: &[String] = match self {
            SendTarget::Google { granted_scopes } | SendTarget::Microsoft { granted_scopes } => {
                granted_scopes
            }
            SendTarget::Exchange { .. } | SendTarget::Imap { .. } => &[],
        };
        delivers_while_closed(self.kind(), scopes)
    }

    fn kind(&self) -> ConnectionKind {
        match self {
            SendTarget::Google { .. } => ConnectionKind::Google,
            SendTarget::Microsoft { .. } => ConnectionKind::Microsoft,
            SendTarget::Exchange { .. } => ConnectionKind::Exchange,
            SendTarget::Imap { .. } => ConnectionKind::Imap,
        }
    }
}
