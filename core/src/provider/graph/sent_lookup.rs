//! Was this email sent? A search of a Microsoft 365 mailbox for the
//! Message-ID the core minted, after a send whose answer never came
//! (features-research §7).
//!
//! It relies on Exchange keeping the MIME's `Message-ID` as the message's
//! `internetMessageId` (it does for MIME `sendMail` and drafts; the Graph id
//! changes when a draft is sent, the Internet id does not):
//! 1. `GET /me/mailFolders/sentitems/messages?$filter=internetMessageId eq
//!    '<id>'&$select=id,conversationId`: a hit is the email.
//! 2. Else the whole mailbox, `/me/messages` with the same filter, for a
//!    copy moved out of Sent Items (a rule, the user) or held for deferred
//!    delivery: any hit that is not a draft is the email. A draft alone is
//!    one never sent, except for a deferred send: Exchange holds it until
//!    its time and Graph does not say whether it was submitted, so the
//!    user is asked to look (never read as "not sent").
//!
//! `NotFound` is said only after both searches succeeded empty; a failed
//! call is `Failed`, and an inbox without a read permission `CannotLook`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::provider::api_reply::{Reply, reply};
use crate::provider::{ErrorInfo, bearer_get, text_field};
use crate::send::provider::{Answer, Call, LookupRead, LookupSteps, Read, Secret};

use super::send::GraphTarget;

const SENT_ITEMS_URL: &str = "https://graph.microsoft.com/v1.0/me/mailFolders/sentitems/messages";
const MESSAGES_URL: &str = "https://graph.microsoft.com/v1.0/me/messages";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Stage {
    SentItems,
    Mailbox,
}

/// Graph's search of one mailbox for one Message-ID. Serialised between
/// calls without secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphLookup {
    /// With angle brackets, as `internetMessageId` holds it.
    message_id: String,
    can_read: bool,
    /// The send asked Exchange to hold the email until a time.
    deferred: bool,
    stage: Stage,
}

impl GraphLookup {
    /// `message_id` as in the email (`<left@right>`); `deferred` when the
    /// send planned deferred delivery (`Outgoing::deliver_at_ms`).
    pub fn new(target: &GraphTarget, message_id: &str, deferred: bool) -> GraphLookup {
        let bare = message_id
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>');
        GraphLookup {
            message_id: format!("<{bare}>"),
            can_read: target.can_read(),
            deferred,
            stage: Stage::SentItems,
        }
    }

    fn url(&self) -> String {
        // OData doubles a quote inside a string literal.
        let filter = format!(
            "internetMessageId eq '{}'",
            self.message_id.replace('\'', "''")
        );
        let (base, select) = match self.stage {
            Stage::SentItems => (SENT_ITEMS_URL, "id,conversationId"),
            Stage::Mailbox => (MESSAGES_URL, "id,conversationId,isDraft,parentFolderId"),
        };
        format!(
            "{base}?$filter={}&$select={select}",
            super::send::path_segment(&filter)
        )
    }

    fn read_ok(&mut self, body: &str) -> Read<LookupRead> {
        let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let Some(list) = v.get("value").and_then(Value::as_array) else {
            return Read::End(LookupRead::Failed {
                retry_after_ms: None,
                message: "Microsoft 365's answer to Inlay's search of Sent could not be read; Inlay will look again.".into(),
            });
        };
        let sent = list
            .iter()
            .find(|m| m.get("isDraft").and_then(Value::as_bool) != Some(true));
        if let Some(m) = sent {
            return Read::End(LookupRead::Found {
                provider_id: text_field(m, "id"),
                thread_id: text_field(m, "conversationId"),
            });
        }
        match self.stage {
            Stage::SentItems => {
                self.stage = Stage::Mailbox;
                Read::Next
            }
            Stage::Mailbox if !list.is_empty() && self.deferred => {
                Read::End(LookupRead::CannotLook {
                    message: "This email is still a draft in your mailbox, and Microsoft 365 does not say whether it is waiting to go at its time. Look in your Drafts and Outbox folders: if it is there, it will be sent; if not, send it again.".into(),
                })
            }
            Stage::Mailbox => Read::End(LookupRead::NotFound),
        }
    }

    fn refused(status: u16, info: &ErrorInfo, retry_after_ms: Option<u64>) -> LookupRead {
        if status == 403 {
            return LookupRead::CannotLook {
                message: format!(
                    "Microsoft 365 did not let Inlay search this mailbox, so it can't check whether this email left. Look for it in your Sent Items folder.{}",
                    info.said()
                ),
            };
        }
        LookupRead::Failed {
            retry_after_ms,
            message: format!(
                "Microsoft 365 refused Inlay's search of Sent Items (HTTP {status}).{}",
                info.said()
            ),
        }
    }
}

impl LookupSteps for GraphLookup {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, LookupRead> {
        if !self.can_read {
            return Err(LookupRead::CannotLook {
                message: "Inlay may only send from this Microsoft 365 mailbox, not read it, so it can't check whether this email left. Look for it in your Sent Items folder.".into(),
            });
        }
        let Secret::Bearer(token) = secret else {
            return Err(LookupRead::Failed {
                retry_after_ms: None,
                message: "Inlay was given a password instead of a Microsoft access token; please report this problem.".into(),
            });
        };
        Ok(Call::Http(bearer_get(&self.url(), token)))
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<LookupRead> {
        match reply(&answer) {
            Reply::Ok { body } => self.read_ok(body),
            Reply::Unauthorized => Read::End(LookupRead::SecretRejected),
            Reply::Throttled { retry_after_ms } => Read::End(LookupRead::Failed {
                retry_after_ms,
                message: "Microsoft 365 is limiting requests; Inlay will look again.".into(),
            }),
            Reply::ServerError { status } => Read::End(LookupRead::Failed {
                retry_after_ms: None,
                message: format!(
                    "Microsoft 365 had a temporary problem (HTTP {status}); Inlay will look again."
                ),
            }),
            Reply::NoAnswer(_) | Reply::NotHttp => Read::End(LookupRead::Failed {
                retry_after_ms: None,
                message: "Microsoft 365 could not be reached; Inlay will look again.".into(),
            }),
            Reply::Refused {
                status,
                info,
                retry_after_ms,
            } => Read::End(Self::refused(status, &info, retry_after_ms)),
        }
    }
}
