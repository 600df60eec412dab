//! What Microsoft Graph's and the identity platform's error answers mean
//! (after the common handling of 429 and 5xx in [`crate::provider`]),
//! including the `AADSTS` numbers of the token endpoint.

use crate::provider::{Api, Attempt, Disposition, ErrorInfo, fail, reauth, unauthorized};

pub(crate) fn classify_response(status: u16, info: &ErrorInfo, attempt: &Attempt) -> Disposition {
    match status {
        401 => unauthorized(Api::Graph, attempt),
        403 => fail(
            "accessDenied",
            format!(
                "Microsoft 365 denied access to this mailbox. Your organisation may not allow Inlay, or the mailbox isn't yours.{}",
                info.said()
            ),
        ),
        404 => fail(
            "notFound",
            format!(
                "Microsoft 365 couldn't find what Inlay asked for; it may have been deleted or moved.{}",
                info.said()
            ),
        ),
        _ => fail(
            "rejected",
            format!(
                "Microsoft 365 refused the request (HTTP {status}).{}",
                info.said()
            ),
        ),
    }
}

/// `AADSTS` numbers of an `invalid_request` that mean Inlay's registration
/// is wrong (redirect URI, client type, unknown app), not the user's input.
pub(crate) const CLIENT_MISCONFIGURED_AADSTS: [u32; 5] = [9002326, 9002327, 90023, 700016, 50011];

/// `invalid_grant` and kin from Microsoft: the refresh token (or code) is no
/// longer usable, and the `AADSTS` number says why. `None` for a number
/// with nothing more specific to say.
pub(crate) fn grant_lost(aadsts: Option<u32>) -> Option<Disposition> {
    Some(match aadsts? {
        700084 => reauth(
            "refreshTokenExpired",
            "Microsoft limits a browser sign-in to 24 hours, and Inlay couldn't renew it in the background. Sign in again to keep sending.",
        ),
        700082 => reauth(
            "refreshTokenInactive",
            "Your Microsoft sign-in for Inlay expired because it wasn't used for a while. Sign in again to reconnect.",
        ),
        50173 => reauth(
            "credentialsChanged",
            "Your Microsoft password or sign-in details changed, which ended Inlay's access. Sign in again to reconnect.",
        ),
        50076 | 50079 => reauth(
            "mfaRequired",
            "Microsoft now requires multi-factor authentication for this account. Sign in again to complete it.",
        ),
        65001 => reauth(
            "consentRevoked",
            "Inlay's permission to your Microsoft account was removed. Sign in again and accept the permissions.",
        ),
        53000..=53003 => reauth(
            "conditionalAccess",
            "Your organisation's sign-in policy (Conditional Access) now blocks Inlay. Sign in again, or ask your IT team to allow Inlay.",
        ),
        70008 | 54005 => reauth(
            "codeExpired",
            "The sign-in took too long or was already used. Please connect again.",
        ),
        _ => return None,
    })
}
