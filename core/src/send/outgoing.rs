//! The email the outbox hands to a provider: its bytes and envelope, built
//! once by compose and kept by the shell beside the outbox entry.

/// One email ready to leave.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outgoing {
    /// `<left@right>`, minted by the core before any call: the key of the
    /// Sent lookup.
    pub message_id: String,
    /// The whole message with its `Bcc` header: what Gmail, Graph and EWS
    /// take (they drop Bcc before delivery) and the copy kept in Sent.
    pub mime: Vec<u8>,
    /// The message without `Bcc`, for SMTP (servers deliver headers as they
    /// are); `None` when there is no Bcc (then `mime` is sent).
    pub transmitted: Option<Vec<u8>>,
    /// SMTP `MAIL FROM`.
    pub envelope_from: String,
    /// Every To, Cc and Bcc address (SMTP `RCPT TO`).
    pub recipients: Vec<String>,
    /// The provider's thread to add a reply to (Gmail `threadId`).
    pub thread_id: Option<String>,
    /// Deferred delivery by the provider (Graph and EWS), Unix ms; `None`
    /// is now.
    pub deliver_at_ms: Option<u64>,
}
