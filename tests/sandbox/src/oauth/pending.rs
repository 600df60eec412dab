//! Consent pages waiting for a click (scenario `requireClick`). The page's form posts the
//! transaction id back; the request is decided then, as it would have been at once.

use super::CODE_LIFETIME;
use super::authz::AuthzRequest;
use super::scenario::Scenario;
use crate::ids;

#[derive(Debug, Clone)]
pub struct PendingAuthz {
    pub id: String,
    pub expires_at: u64,
    pub request: AuthzRequest,
    /// The account the page signs in (lower-cased address).
    pub account: String,
    pub scenario: Scenario,
}

impl PendingAuthz {
    /// A new transaction with a fresh id, open for `CODE_LIFETIME`.
    pub fn new(request: AuthzRequest, account: String, scenario: Scenario, now: u64) -> Self {
        PendingAuthz {
            id: ids::secret(24),
            expires_at: now + CODE_LIFETIME,
            request,
            account,
            scenario,
        }
    }

    /// The account the consent page shows: the scenario's `signInAs`, else the hinted one.
    pub fn shown_account(&self) -> &str {
        self.scenario.sign_in_as.as_deref().unwrap_or(&self.account)
    }
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
