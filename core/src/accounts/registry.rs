//! Which addresses a user may connect as personal inboxes, given the
//! workspace's policy values (passed in; nothing is looked up here).

use serde::{Deserialize, Serialize};

use crate::connect::ErrorCode;
use crate::detect::{ConnectionKind, mailbox_id, parse_address};

/// The user's seat in the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Seat {
    /// Can connect inboxes and send.
    Full,
    /// Can look, not send: connects nothing.
    ViewOnly,
}

/// The workspace policy that applies to this user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectPolicy {
    /// The user's seat.
    pub seat: Seat,
    /// Account kinds the workspace allows; `None` allows every kind.
    pub allowed_kinds: Option<Vec<ConnectionKind>>,
}

/// The addresses already in use, as the caller knows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct AccountRegistry {
    /// Personal inboxes already connected (this user's, and other members' when known).
    pub personal_inboxes: Vec<String>,
    /// Shared team inboxes of the workspace.
    pub team_inboxes: Vec<String>,
}

/// Why an address can't be added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum RegistryError {
    /// The address itself is invalid.
    InvalidAddress { message: String },
    /// View-only seats connect nothing.
    ViewOnlySeat { message: String },
    /// The workspace doesn't allow this kind of account.
    KindNotAllowed {
        connect: ConnectionKind,
        message: String,
    },
    /// The same mailbox is already connected.
    AlreadyConnected { address: String, message: String },
    /// The address is a team inbox, so it can't be personal.
    IsTeamInbox { address: String, message: String },
    /// The address is someone's personal inbox, so it can't be a team inbox.
    IsPersonalInbox { address: String, message: String },
    /// The address is already a team inbox.
    AlreadyTeamInbox { address: String, message: String },
}

impl RegistryError {
    /// The stable code (the serde `kind`).
    pub fn code(&self) -> ErrorCode {
        match self {
            RegistryError::InvalidAddress { .. } => ErrorCode::InvalidAddress,
            RegistryError::ViewOnlySeat { .. } => ErrorCode::ViewOnlySeat,
            RegistryError::KindNotAllowed { .. } => ErrorCode::KindNotAllowed,
            RegistryError::AlreadyConnected { .. } => ErrorCode::AlreadyConnected,
            RegistryError::IsTeamInbox { .. } => ErrorCode::IsTeamInbox,
            RegistryError::IsPersonalInbox { .. } => ErrorCode::IsPersonalInbox,
            RegistryError::AlreadyTeamInbox { .. } => ErrorCode::AlreadyTeamInbox,
        }
    }

    /// The user-facing sentence.
    pub fn message(&self) -> &str {
        match self {
            RegistryError::InvalidAddress { message }
            | RegistryError::ViewOnlySeat { message }
            | RegistryError::KindNotAllowed { message, .. }
            | RegistryError::AlreadyConnected { message, .. }
            | RegistryError::IsTeamInbox { message, .. }
            | RegistryError::IsPersonalInbox { message, .. }
            | RegistryError::AlreadyTeamInbox { message, .. } => message,
        }
    }
}

/// The address in `list` that is the same mailbox as `id` (a [`mailbox_id`]).
fn find<'a>(list: &'a [String], id: &str) -> Option<&'a String> {
    list.iter().find(|a| mailbox_id(a) == id)
}

/// The mailbox id of a valid address; an invalid one is refused in words.
fn canonical(address: &str) -> Result<String, RegistryError> {
    parse_address(address)
        .map(|a| a.canonical())
        .map_err(|e| RegistryError::InvalidAddress {
            message: e.message().into(),
        })
}

impl AccountRegistry {
    /// May this user connect `address` as a personal inbox of this kind?
    /// Same-mailbox comparison is by [`mailbox_id`] (case-insensitive;
    /// Gmail dots ignored).
    pub fn check_personal(
        &self,
        address: &str,
        connect: ConnectionKind,
        policy: &ConnectPolicy,
    ) -> Result<(), RegistryError> {
        if policy.seat == Seat::ViewOnly {
            return Err(RegistryError::ViewOnlySeat {
                message: "Your seat is view-only, so you can't connect an inbox. Ask a workspace admin for a full seat.".into(),
            });
        }
        if let Some(allowed) = &policy.allowed_kinds
            && !allowed.contains(&connect)
        {
            return Err(RegistryError::KindNotAllowed {
                connect,
                message: format!(
                    "Your workspace doesn't allow connecting {} accounts. Ask a workspace admin, or connect another inbox.",
                    connect.display_name()
                ),
            });
        }
        let wanted = canonical(address)?;
        if let Some(team) = find(&self.team_inboxes, &wanted) {
            return Err(RegistryError::IsTeamInbox {
                address: team.clone(),
                message: format!(
                    "{team} is one of your workspace's team inboxes, so it can't also be connected as a personal inbox."
                ),
            });
        }
        if let Some(existing) = find(&self.personal_inboxes, &wanted) {
            return Err(RegistryError::AlreadyConnected {
                address: existing.clone(),
                message: format!("{existing} is already connected."),
            });
        }
        Ok(())
    }

    /// May `address` be added as a team inbox?
    pub fn check_team_inbox(&self, address: &str) -> Result<(), RegistryError> {
        let wanted = canonical(address)?;
        if let Some(personal) = find(&self.personal_inboxes, &wanted) {
            return Err(RegistryError::IsPersonalInbox {
                address: personal.clone(),
                message: format!(
                    "{personal} is connected as a personal inbox, so it can't also be a team inbox. Disconnect it first."
                ),
            });
        }
        if let Some(team) = find(&self.team_inboxes, &wanted) {
            return Err(RegistryError::AlreadyTeamInbox {
                address: team.clone(),
                message: format!("{team} is already a team inbox."),
            });
        }
        Ok(())
    }
}
