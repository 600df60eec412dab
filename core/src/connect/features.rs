//! Optional features of a connected inbox (the Sent check, Microsoft's
//! deferred delivery): the scopes each adds, the disclosure shown before its
//! incremental sign-in ([`super::ConnectMode::AddFeatures`]), which are on
//! (read back from the stored token state's scopes, which the outbox reads
//! too), and turning one off.

use serde::{Deserialize, Serialize};

use super::{ErrorCode, FlowError, features_for, oauth_provider};
use crate::auth::{
    Features, OAuthProvider, OptionalFeature, OptionalFeatures, ScopeInfo, TokenState, scopes_for,
};
use crate::detect::ConnectionKind;

/// The features (hence scopes) of a connection with these optional
/// features on. Refuses one the provider can't do: Gmail has no deferred
/// delivery, so scheduled emails from Gmail need the browser open.
pub fn features_with(
    provider: OAuthProvider,
    optional: &OptionalFeatures,
) -> Result<Features, FlowError> {
    if provider == OAuthProvider::Google && optional.scheduled_delivery {
        return Err(FlowError::new(
            ErrorCode::NotAvailable,
            "Gmail can't hold an email and send it later by itself, so scheduled emails from a Gmail inbox go out only while your browser is open. Nothing was changed.",
        ));
    }
    Ok(features_for(provider).with_optional(optional))
}

/// What turning on one optional feature asks for, shown before its sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct FeatureDisclosure {
    /// "Google" or "Microsoft".
    pub provider_name: String,
    /// The feature.
    pub feature: OptionalFeature,
    /// Its name in the settings.
    pub title: String,
    /// What it does for the user and why it needs more access.
    pub why: String,
    /// Only the scopes this feature adds, each explained.
    pub scopes: Vec<ScopeInfo>,
    /// What turning it off later does (and doesn't) give back.
    pub turning_off: String,
}

/// The disclosure for turning `feature` on for an inbox of `kind`.
pub fn feature_disclosure(
    kind: ConnectionKind,
    feature: OptionalFeature,
) -> Result<FeatureDisclosure, FlowError> {
    let provider = oauth_provider(kind)?;
    let on = OptionalFeatures::default().with(feature, true);
    let with = features_with(provider, &on)?;
    let base: Vec<String> = scopes_for(provider, &features_for(provider))
        .into_iter()
        .map(|s| s.scope)
        .collect();
    let scopes = scopes_for(provider, &with)
        .into_iter()
        .filter(|s| !base.contains(&s.scope))
        .collect();
    let (title, why) = match feature {
        OptionalFeature::SentCheck => (
            "Check Sent when a send's outcome is unknown",
            "When the connection drops just as an email is being sent, Inlay can't tell whether it left. With this on, Inlay looks for it in your Sent folder: if it's there, it's marked sent; if not, it's sent then. Without it, Inlay never sends it again by itself and asks you to check your Sent folder.",
        ),
        OptionalFeature::ScheduledDelivery => (
            "Deliver scheduled email with the browser closed",
            "With this on, Inlay hands a scheduled email to Microsoft as soon as you schedule it, and Microsoft sends it at its time even if your browser is closed. Without it, scheduled emails go out only while your browser is open (late ones when it opens again).",
        ),
    };
    let turning_off = match provider {
        OAuthProvider::Google => {
            "Turning it off stops Inlay using this permission at once. Google can't take back one permission of an app: the only way to withdraw it at Google is to remove all of Inlay's access (myaccount.google.com/permissions), which disconnects the inbox."
        }
        OAuthProvider::Microsoft => {
            "Turning it off stops Inlay using this permission, and Inlay's next access tokens no longer carry it. Microsoft keeps your consent until you remove Inlay at myapps.microsoft.com (work or school) or account.live.com/consent/Manage (personal), which removes all of its access."
        }
    };
    Ok(FeatureDisclosure {
        provider_name: provider.display_name().into(),
        feature,
        title: title.into(),
        why: why.into(),
        scopes,
        turning_off: turning_off.into(),
    })
}

/// What the inbox settings show for one inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct InboxFeatures {
    /// The optional features this kind of inbox can have.
    pub available: Vec<OptionalFeature>,
    /// Those on (the stored tokens hold their scopes).
    pub on: OptionalFeatures,
    /// A scheduled email leaves at its time with the browser closed:
    /// Exchange always (deferred send on EWS), Microsoft with deferred
    /// delivery on; Gmail and IMAP only while the browser runs.
    pub delivers_while_closed: bool,
}

/// The optional features of an inbox of `kind` whose token state is
/// `tokens` (none for Exchange and IMAP, which connect with a password).
pub fn inbox_features(kind: ConnectionKind, tokens: Option<&TokenState>) -> InboxFeatures {
    let features = tokens
        .map(TokenState::features)
        .unwrap_or_else(|| Features {
            send: false,
            ..Features::default()
        });
    let on = OptionalFeatures {
        sent_check: features.sent_check,
        scheduled_delivery: features.scheduled_delivery,
    };
    let available = match kind {
        ConnectionKind::Google => vec![OptionalFeature::SentCheck],
        ConnectionKind::Microsoft => vec![
            OptionalFeature::SentCheck,
            OptionalFeature::ScheduledDelivery,
        ],
        ConnectionKind::Exchange | ConnectionKind::Imap => Vec::new(),
    };
    // The outbox's own rule, from the same stored scopes.
    let scopes = tokens.map_or(&[][..], |t| &t.scopes[..]);
    InboxFeatures {
        available,
        on,
        delivers_while_closed: crate::send::delivers_while_closed(kind, scopes),
    }
}

/// The token state with `feature` off: its scopes leave the stored list,
/// so the outbox stops using them at once and a Microsoft refresh no
/// longer asks for them. A scope another feature that is on still needs
/// stays. The grant itself is not narrowed (Google can only revoke it all).
pub fn without_feature(tokens: &TokenState, feature: OptionalFeature) -> TokenState {
    let provider = tokens.provider;
    let current = tokens.features();
    let optional = OptionalFeatures {
        sent_check: current.sent_check,
        scheduled_delivery: current.scheduled_delivery,
    }
    .with(feature, false);
    let keep: Vec<String> = scopes_for(provider, &features_for(provider).with_optional(&optional))
        .into_iter()
        .map(|s| s.scope)
        .collect();
    let dropped: Vec<String> = scopes_for(
        provider,
        &features_for(provider).with_optional(&OptionalFeatures::default().with(feature, true)),
    )
    .into_iter()
    .map(|s| s.scope)
    .filter(|s| !keep.contains(s))
    .collect();
    let same = |a: &str, b: &str| {
        crate::auth::normalize_scope(provider, a) == crate::auth::normalize_scope(provider, b)
    };
    let mut next = tokens.clone();
    next.scopes.retain(|s| !dropped.iter().any(|d| same(s, d)));
    next
}
