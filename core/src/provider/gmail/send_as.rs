//! Gmail's send-as list (`settings.sendAs.list`, needs
//! `gmail.settings.basic`): the primary address, its display name and the
//! aliases usable as From. Read by the account check and the connect flow.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::detect::same_mailbox;
use crate::provider::{push_unique_address, text_field};

/// Gmail's send-as list.
pub const GMAIL_SEND_AS_URL: &str =
    "https://gmail.googleapis.com/gmail/v1/users/me/settings/sendAs";

/// What Gmail's send-as list says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendAsList {
    /// The `isPrimary` entry's address.
    pub primary: Option<String>,
    /// The primary entry's display name, when not empty.
    pub display_name: Option<String>,
    /// Other addresses usable as From: `verificationStatus` `accepted`, or
    /// absent (Google sets it only on custom "from" aliases; Workspace
    /// domain aliases have none). `pending` ones are left out.
    pub aliases: Vec<String>,
}

/// Reads a `ListSendAsResponse` body; `None` if it isn't one.
pub fn parse_send_as(body: &str) -> Option<SendAsList> {
    let v: Value = serde_json::from_str(body).ok()?;
    let entries = match v.get("sendAs") {
        Some(Value::Array(list)) => list.as_slice(),
        // An account with no entries at all: Gmail omits the empty list.
        None if v.is_object() => &[],
        _ => return None,
    };
    let mut list = SendAsList {
        primary: None,
        display_name: None,
        aliases: Vec::new(),
    };
    for entry in entries {
        let Some(address) = text_field(entry, "sendAsEmail") else {
            continue;
        };
        if entry.get("isPrimary").and_then(Value::as_bool) == Some(true) {
            list.primary = Some(address);
            list.display_name = text_field(entry, "displayName");
            continue;
        }
        let usable = matches!(
            entry.get("verificationStatus").and_then(Value::as_str),
            None | Some("accepted")
        );
        if usable {
            push_unique_address(&mut list.aliases, &address);
        }
    }
    if let Some(primary) = &list.primary {
        list.aliases.retain(|a| !same_mailbox(a, primary));
    }
    Some(list)
}
