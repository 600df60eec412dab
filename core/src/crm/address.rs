//! A contact's addresses: checked, kept as typed, and keyed.
//!
//! The key is the core's one mailbox identity, [`crate::detect::mailbox_id`]'s
//! rule ([`crate::detect::EmailAddress::canonical`]): lower-case, and for
//! consumer Gmail without dots and on gmail.com. Reusing it (rather than a
//! CRM-only lower-casing) means a contact's address and a connected inbox's
//! address compare the same way, so the mail logged later (issues 12-13)
//! lands on the contact whose key the message's address has, and
//! `A.Da@GoogleMail.com` and `ada@gmail.com` are one contact, never two.
//! The syntax check is the same `parse_address` the connect form uses.

use crate::detect::{AddressError, parse_address};

use super::error::{CrmError, CrmErrorCode, CrmResult};
use super::ids::clip;

/// A checked contact address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactAddress {
    /// As typed, trimmed.
    pub typed: String,
    /// The canonical key (unique across contacts).
    pub key: String,
    /// The part before the `@`, as typed.
    pub local: String,
    /// The domain, lower-case ASCII (`xn--` for an international one).
    pub domain: String,
}

/// Checks one address; a refusal says what is wrong with it.
pub fn parse_contact_address(text: &str) -> CrmResult<ContactAddress> {
    let parsed = parse_address(text).map_err(|e| {
        let message = match e {
            AddressError::Empty { .. } => {
                "An email address is empty. Enter it, or remove the empty field.".to_string()
            }
            other => other.message().to_string(),
        };
        CrmError::new(CrmErrorCode::InvalidAddress, message)
    })?;
    Ok(ContactAddress {
        typed: text.trim().to_string(),
        key: parsed.canonical(),
        local: parsed.local,
        domain: parsed.domain,
    })
}

/// The canonical key of an address (see the module comment).
pub fn email_key(text: &str) -> CrmResult<String> {
    parse_contact_address(text).map(|a| a.key)
}

/// Most addresses one contact holds.
pub const MAX_ADDRESSES: usize = 20;

/// A contact's addresses checked together: empty entries dropped, the same
/// address twice (by key) kept once, at most [`MAX_ADDRESSES`].
pub fn parse_contact_addresses(list: &[String]) -> CrmResult<Vec<ContactAddress>> {
    let mut out: Vec<ContactAddress> = vec![];
    for text in list.iter().filter(|t| !t.trim().is_empty()) {
        let address = parse_contact_address(text)?;
        if !out.iter().any(|a| a.key == address.key) {
            out.push(address);
        }
    }
    if out.len() > MAX_ADDRESSES {
        return Err(CrmError::new(
            CrmErrorCode::TooMany,
            format!(
                "A contact can have at most {MAX_ADDRESSES} email addresses; this one has {}.",
                out.len()
            ),
        ));
    }
    Ok(out)
}

/// "ann@example.com" for a sentence, clipped.
pub(crate) fn quoted(text: &str) -> String {
    format!("\"{}\"", clip(text.trim()))
}
