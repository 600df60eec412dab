//! Microsoft Graph's `/me` (User.Read: the mailbox's addresses and name)
//! and `mailboxSettings` (`userPurpose`, how a shared mailbox is
//! recognised). Read by the account check and the connect flow.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::detect::{parse_address, same_mailbox};
use crate::provider::{push_unique_address, text_field};

/// Graph `/me` with what identifies the mailbox and its addresses.
pub const GRAPH_ME_URL: &str = "https://graph.microsoft.com/v1.0/me?$select=id,displayName,mail,userPrincipalName,proxyAddresses";
/// Graph mailbox settings (for `userPurpose`).
pub const GRAPH_MAILBOX_SETTINGS_URL: &str = "https://graph.microsoft.com/v1.0/me/mailboxSettings";

/// What Graph's `/me` says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphProfile {
    /// `id`.
    pub id: Option<String>,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `mail` (null for some personal accounts).
    pub mail: Option<String>,
    /// `userPrincipalName` (the sign-in name).
    pub user_principal_name: Option<String>,
    /// The primary SMTP address: the `SMTP:` proxy address, else `mail`,
    /// else the UPN when it is an address.
    pub primary: Option<String>,
    /// Secondary SMTP addresses (`smtp:` proxy addresses), without the primary.
    pub aliases: Vec<String>,
    /// Every address of the mailbox, primary first (for verification).
    pub addresses: Vec<String>,
}

/// Reads a Graph user body; `None` if it isn't one.
pub fn parse_graph_me(body: &str) -> Option<GraphProfile> {
    let v: Value = serde_json::from_str(body).ok()?;
    if !v.is_object() {
        return None;
    }
    let mail = text_field(&v, "mail");
    let upn = text_field(&v, "userPrincipalName");
    let mut proxy_primary = None;
    let mut secondary: Vec<String> = Vec::new();
    if let Some(list) = v.get("proxyAddresses").and_then(Value::as_array) {
        for p in list.iter().filter_map(Value::as_str) {
            // "SMTP:" (capital) is the primary, "smtp:" the others; Graph's
            // own examples put a space after the colon.
            if let Some(a) = p.strip_prefix("SMTP:") {
                proxy_primary.get_or_insert_with(|| a.trim().to_string());
            } else if let Some(a) = p.strip_prefix("smtp:") {
                push_unique_address(&mut secondary, a.trim());
            }
        }
    }
    let primary = proxy_primary
        .filter(|a| parse_address(a).is_ok())
        .or_else(|| mail.clone().filter(|a| parse_address(a).is_ok()))
        .or_else(|| upn.clone().filter(|a| parse_address(a).is_ok()));
    if let Some(p) = &primary {
        secondary.retain(|a| !same_mailbox(a, p));
    }
    let mut addresses = Vec::new();
    for a in primary.iter().chain(&mail).chain(&upn).chain(&secondary) {
        push_unique_address(&mut addresses, a);
    }
    Some(GraphProfile {
        id: text_field(&v, "id"),
        display_name: text_field(&v, "displayName"),
        mail,
        user_principal_name: upn,
        primary,
        aliases: secondary,
        addresses,
    })
}

/// `userPurpose` from a Graph `mailboxSettings` body (`user`, `shared`, …).
pub fn parse_user_purpose(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    text_field(&v, "userPurpose")
}
