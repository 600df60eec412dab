//! Who an account is to each identity provider: Google's numeric `sub` and Workspace `hd`,
//! Microsoft's tenant, object id and Graph user id, and the name claims.

use sha2::{Digest, Sha256};

use crate::ids::guid_from;
use crate::state::Account;

/// The tenant every personal Microsoft account (MSA) belongs to.
pub const CONSUMER_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// Google's `sub`: a stable numeric string (21 digits) per account.
pub fn google_sub(address: &str) -> String {
    let h = Sha256::digest(format!("google-sub:{address}"));
    let n = u64::from_be_bytes(h[..8].try_into().expect("8 bytes"));
    format!("1{:020}", u128::from(n) * 7 % 100_000_000_000_000_000_000)
}

/// The Workspace domain (`hd` claim and redirect parameter) of a Google account: every
/// domain except the consumer ones.
pub fn google_hosted_domain(address: &str) -> Option<&str> {
    let domain = address.rsplit_once('@')?.1;
    (!matches!(domain, "gmail.com" | "googlemail.com")).then_some(domain)
}

/// Domains whose addresses are personal Microsoft accounts by default.
pub fn consumer_domain(domain: &str) -> bool {
    let first = domain.split('.').next().unwrap_or_default();
    matches!(
        first,
        "outlook" | "hotmail" | "live" | "msn" | "passport" | "windowslive"
    )
}

/// The account's Entra tenant: the consumer tenant for personal accounts, else a stable
/// GUID per domain (every work account of a domain shares it).
pub fn tenant_id(account: &Account) -> String {
    if account.personal {
        return CONSUMER_TENANT.to_owned();
    }
    let domain = account.address.rsplit('@').next().unwrap_or_default();
    guid_from(&format!("tenant:{domain}"))
}

/// The id_token `oid`. Work accounts: the directory object id. Personal accounts: the
/// `00000000-0000-0000-` form Microsoft derives from the 64-bit account id.
pub fn object_id(account: &Account) -> String {
    if account.personal {
        let id = graph_id(account);
        return format!("00000000-0000-0000-{}-{}", &id[..4], &id[4..]);
    }
    account.object_id()
}

/// The Graph `user.id`: the object id for work accounts, 16 hex digits for personal ones.
pub fn graph_id(account: &Account) -> String {
    if account.personal {
        return account.object_id().replace('-', "")[..16].to_owned();
    }
    account.object_id()
}

/// Display name, or the local part of the address when none was seeded.
pub fn display_name(account: &Account) -> String {
    if account.display_name.is_empty() {
        account
            .address
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned()
    } else {
        account.display_name.clone()
    }
}

/// (given name, family name) split at the first space.
pub fn name_parts(account: &Account) -> (String, Option<String>) {
    let name = display_name(account);
    match name.split_once(' ') {
        Some((given, family)) => (given.to_owned(), Some(family.to_owned())),
        None => (name, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::State;

    fn account(v: serde_json::Value) -> Account {
        let mut s = State::default();
        s.seed(serde_json::from_value(serde_json::json!({ "accounts": [v] })).unwrap())
            .unwrap();
        s.accounts.remove(0)
    }

    #[test]
    fn google_ids() {
        let sub = google_sub("ann@example.com");
        assert_eq!(sub.len(), 21);
        assert!(sub.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(sub, google_sub("ann@example.com"));
        assert_ne!(sub, google_sub("bob@example.com"));
        assert_eq!(google_hosted_domain("ann@gmail.com"), None);
        assert_eq!(google_hosted_domain("ann@acme.test"), Some("acme.test"));
    }

    #[test]
    fn microsoft_tenants_and_ids() {
        let work = account(serde_json::json!({"provider":"microsoft","address":"bo@contoso.com"}));
        let colleague =
            account(serde_json::json!({"provider":"microsoft","address":"cy@contoso.com"}));
        let msa = account(serde_json::json!({"provider":"microsoft","address":"me@hotmail.co.uk"}));
        let msa_custom = account(
            serde_json::json!({"provider":"microsoft","address":"me@family.test","personal":true}),
        );
        assert!(!work.personal && msa.personal && msa_custom.personal);
        assert_eq!(tenant_id(&work), tenant_id(&colleague));
        assert_ne!(tenant_id(&work), CONSUMER_TENANT);
        assert_eq!(tenant_id(&msa), CONSUMER_TENANT);
        assert_eq!(object_id(&work), work.object_id());
        assert_eq!(graph_id(&msa).len(), 16);
        assert!(object_id(&msa).starts_with("00000000-0000-0000-"));
        assert_eq!(object_id(&msa).len(), 36);
    }
}
