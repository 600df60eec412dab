//! Consent pages waiting for a click (scenario `requireClick`). The page's form posts the
//! transaction id back; the request is decided then, as it would have been at once.

use super::authz::AuthzRequest;
use super::scenario::Scenario;

#[derive(Debug, Clone)]
pub struct PendingAuthz {
    pub id: String,
    pub expires_at: u64,
    pub request: AuthzRequest,
    /// The account the page signs in (lower-cased address).
    pub account: String,
    pub scenario: Scenario,
}

#[derive(Debug, Default)]
pub struct Pending {
    list: Vec<PendingAuthz>,
}

impl Pending {
    pub fn add(&mut self, p: PendingAuthz) {
        self.list.push(p);
    }

    /// Removes and returns a transaction; `None` when unknown, already answered or expired.
    pub fn take(&mut self, id: &str, now: u64) -> Option<PendingAuthz> {
        let i = self.list.iter().position(|p| p.id == id)?;
        let p = self.list.remove(i);
        (now < p.expires_at).then_some(p)
    }
}
