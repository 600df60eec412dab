//! How the next sign-in(s) go: tests queue scenarios with `POST /oauth/scenario`; a request
//! takes the first one queued for its provider (and account, when the entry names one).
//! Without any, the user consents at once.

use serde::{Deserialize, Serialize};

use crate::state::Provider;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// The user consents (the default).
    #[default]
    Consent,
    /// The user declines.
    Deny,
    /// Google: a Workspace admin blocked the app (`admin_policy_enforced`).
    AdminBlocked,
    /// Google: an Internal app and an account outside its organisation (`org_internal`).
    OrgInternal,
    /// Google: an Advanced Protection account and an app it does not allow (`policy_enforced`).
    AdvancedProtection,
    /// Microsoft: the tenant lets only admins consent (AADSTS90094 / AADSTS65001).
    AdminConsentRequired,
    /// Microsoft: a `prompt=none` request needs interaction (MFA, AADSTS50076) even with a
    /// live session. Only `prompt=none` requests take this scenario.
    InteractionRequired,
}

impl Outcome {
    pub fn offered_by(self, provider: Provider) -> bool {
        match self {
            Outcome::Consent | Outcome::Deny => true,
            Outcome::AdminBlocked | Outcome::OrgInternal | Outcome::AdvancedProtection => {
                provider == Provider::Google
            }
            Outcome::AdminConsentRequired | Outcome::InteractionRequired => {
                provider == Provider::Microsoft
            }
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Scenario {
    #[serde(default)]
    pub outcome: Outcome,
    /// The user signs in as this (seeded) account instead of the hinted one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_as: Option<String>,
    /// Show a consent page with Allow/Cancel buttons instead of deciding at once.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub require_click: bool,
    /// The redirect carries this `state` instead of the request's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_override: Option<String>,
    /// The redirect carries no `state` at all.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub omit_state: bool,
    /// Scopes the user unticked: granted = requested minus these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drop_scopes: Vec<String>,
    /// Policy outcomes: show the provider's error page instead of redirecting.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub error_page: bool,
    /// Google: leave out the `iss` redirect parameter (Google sends it to some users only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub omit_iss: bool,
    /// Flag spellings of the outcome (`{"deny":true}` = `{"outcome":"deny"}`); folded into
    /// `outcome` when the scenario is queued.
    #[serde(default, skip_serializing)]
    pub deny: bool,
    #[serde(default, skip_serializing)]
    pub admin_blocked: bool,
    #[serde(default, skip_serializing)]
    pub org_internal: bool,
    #[serde(default, skip_serializing)]
    pub advanced_protection: bool,
    #[serde(default, skip_serializing)]
    pub admin_consent_required: bool,
    #[serde(default, skip_serializing)]
    pub interaction_required: bool,
}

impl Scenario {
    /// Folds the flag spellings into `outcome`; more than one outcome is an error.
    fn normalize(mut self) -> Result<Self, String> {
        let flags = [
            (self.deny, Outcome::Deny),
            (self.admin_blocked, Outcome::AdminBlocked),
            (self.org_internal, Outcome::OrgInternal),
            (self.advanced_protection, Outcome::AdvancedProtection),
            (self.admin_consent_required, Outcome::AdminConsentRequired),
            (self.interaction_required, Outcome::InteractionRequired),
        ];
        for (set, outcome) in flags {
            if !set {
                continue;
            }
            if self.outcome != Outcome::Consent && self.outcome != outcome {
                return Err(format!(
                    "a scenario has one outcome, not both {:?} and {outcome:?}",
                    self.outcome
                ));
            }
            self.outcome = outcome;
        }
        (self.deny, self.admin_blocked, self.org_internal) = (false, false, false);
        (
            self.advanced_protection,
            self.admin_consent_required,
            self.interaction_required,
        ) = (false, false, false);
        Ok(self)
    }
}

/// `"deny"` is short for `{"outcome":"deny"}`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ScenarioSpec {
    Name(Outcome),
    Full(Scenario),
}

impl From<ScenarioSpec> for Scenario {
    fn from(spec: ScenarioSpec) -> Self {
        match spec {
            ScenarioSpec::Name(outcome) => Scenario {
                outcome,
                ..Scenario::default()
            },
            ScenarioSpec::Full(s) => s,
        }
    }
}

/// Body of `POST /oauth/scenario`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct QueueRequest {
    pub provider: Provider,
    /// Only sign-ins for this account (the `login_hint`, else the default account) take it.
    pub address: Option<String>,
    pub scenario: ScenarioSpec,
    /// How many sign-ins take it (default 1).
    pub times: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Queued {
    pub provider: Provider,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    pub scenario: Scenario,
    pub remaining: u32,
}

#[derive(Debug, Default)]
pub struct Queue {
    entries: Vec<Queued>,
}

impl Queue {
    /// Validates and queues; returns the queue length.
    pub fn push(&mut self, req: QueueRequest) -> Result<usize, String> {
        if !matches!(req.provider, Provider::Google | Provider::Microsoft) {
            return Err("scenarios are for google or microsoft".into());
        }
        let scenario = Scenario::from(req.scenario).normalize()?;
        if !scenario.outcome.offered_by(req.provider) {
            return Err(format!(
                "outcome {:?} is not a {} scenario",
                scenario.outcome,
                req.provider.as_str()
            ));
        }
        let times = req.times.unwrap_or(1);
        if times == 0 {
            return Err("times must be at least 1".into());
        }
        self.entries.push(Queued {
            provider: req.provider,
            address: req.address.map(|a| a.trim().to_ascii_lowercase()),
            scenario,
            remaining: times,
        });
        Ok(self.entries.len())
    }

    /// The scenario for the next sign-in of `address` at `provider`: the first matching
    /// entry (used up by one), else the default.
    pub fn take(&mut self, provider: Provider, address: Option<&str>, silent: bool) -> Scenario {
        let Some(i) = self.entries.iter().position(|e| {
            e.provider == provider
                && e.address
                    .as_deref()
                    .is_none_or(|want| address.is_some_and(|a| a.eq_ignore_ascii_case(want)))
                && (silent || e.scenario.outcome != Outcome::InteractionRequired)
        }) else {
            return Scenario::default();
        };
        let entry = &mut self.entries[i];
        entry.remaining -= 1;
        let scenario = entry.scenario.clone();
        if entry.remaining == 0 {
            self.entries.remove(i);
        }
        scenario
    }

    pub fn list(&self) -> &[Queued] {
        &self.entries
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn push(q: &mut Queue, v: serde_json::Value) -> Result<usize, String> {
        q.push(serde_json::from_value(v).map_err(|e| e.to_string())?)
    }

    #[test]
    fn queue_order_times_and_addresses() {
        let mut q = Queue::default();
        push(
            &mut q,
            json!({"provider":"google","address":"Bob@x.com","scenario":"deny"}),
        )
        .unwrap();
        push(&mut q, json!({"provider":"google","scenario":{"outcome":"adminBlocked","errorPage":true},"times":2})).unwrap();
        let g = Provider::Google;
        assert_eq!(
            q.take(Provider::Microsoft, None, false),
            Scenario::default()
        );
        assert_eq!(
            q.take(g, Some("ann@x.com"), false).outcome,
            Outcome::AdminBlocked
        );
        assert_eq!(q.take(g, Some("bob@x.com"), false).outcome, Outcome::Deny);
        assert!(q.take(g, None, false).error_page);
        assert_eq!(q.take(g, None, false), Scenario::default(), "all used up");
        assert!(q.list().is_empty());
    }

    #[test]
    fn interaction_required_waits_for_a_silent_request() {
        let mut q = Queue::default();
        push(
            &mut q,
            json!({"provider":"microsoft","scenario":"interactionRequired"}),
        )
        .unwrap();
        let m = Provider::Microsoft;
        assert_eq!(q.take(m, None, false).outcome, Outcome::Consent);
        assert_eq!(q.take(m, None, true).outcome, Outcome::InteractionRequired);
    }

    #[test]
    fn validation() {
        let mut q = Queue::default();
        assert!(
            push(
                &mut q,
                json!({"provider":"microsoft","scenario":"adminBlocked"})
            )
            .is_err()
        );
        assert!(
            push(
                &mut q,
                json!({"provider":"google","scenario":"adminConsentRequired"})
            )
            .is_err()
        );
        assert!(push(&mut q, json!({"provider":"imap","scenario":"deny"})).is_err());
        assert!(
            push(
                &mut q,
                json!({"provider":"google","scenario":"deny","times":0})
            )
            .is_err()
        );
        assert!(
            push(
                &mut q,
                json!({"provider":"google","scenario":{"outcom":"deny"}})
            )
            .is_err()
        );
        let n = push(
            &mut q,
            json!({"provider":"google","scenario":{"signInAs":"b@x.com",
            "requireClick":true,"stateOverride":"evil","dropScopes":["email"]}}),
        )
        .unwrap();
        assert_eq!(n, 1);
        let s = q.take(Provider::Google, None, false);
        assert_eq!(s.sign_in_as.as_deref(), Some("b@x.com"));
        assert!(s.require_click);
    }

    #[test]
    fn flag_spellings_of_outcomes() {
        let mut q = Queue::default();
        push(
            &mut q,
            json!({"provider":"google","scenario":{"adminBlocked":true,"errorPage":true}}),
        )
        .unwrap();
        push(
            &mut q,
            json!({"provider":"google","scenario":{"deny":true}}),
        )
        .unwrap();
        let first = q.take(Provider::Google, None, false);
        assert_eq!(first.outcome, Outcome::AdminBlocked);
        assert!(first.error_page);
        assert_eq!(
            serde_json::to_value(&first).unwrap(),
            json!({"outcome":"adminBlocked","errorPage":true})
        );
        assert_eq!(q.take(Provider::Google, None, false).outcome, Outcome::Deny);
        assert!(
            push(
                &mut q,
                json!({"provider":"google","scenario":{"deny":true,"adminBlocked":true}})
            )
            .is_err()
        );
        assert!(
            push(
                &mut q,
                json!({"provider":"google","scenario":{"outcome":"deny","orgInternal":true}})
            )
            .is_err()
        );
        assert!(
            push(
                &mut q,
                json!({"provider":"microsoft","scenario":{"adminBlocked":true}})
            )
            .is_err()
        );
    }
}
