//! What Gmail's and Google's token endpoint's error answers mean (after
//! the common handling of 429 and 5xx in [`crate::provider`]).

use crate::provider::{
    Api, Attempt, Disposition, ErrorInfo, TokenUse, code_refused, fail, reauth, retry, unauthorized,
};

/// Gmail's reasons for a 403 that is really a rate limit.
const GMAIL_RATE_REASONS: [&str; 3] = [
    "dailyLimitExceeded",
    "userRateLimitExceeded",
    "rateLimitExceeded",
];

pub(crate) fn classify_response(
    status: u16,
    info: &ErrorInfo,
    attempt: &Attempt,
    retry_after: Option<u64>,
) -> Disposition {
    match status {
        401 => unauthorized(Api::Gmail, attempt),
        403 => {
            if let Some(reason) = GMAIL_RATE_REASONS.iter().find(|r| info.has_reason(r)) {
                return retry(
                    retry_after,
                    format!("Gmail is limiting requests ({reason})"),
                );
            }
            if info.has_reason("domainPolicy") {
                return fail(
                    "adminBlocked",
                    "Your Google Workspace administrator has blocked Inlay from using Gmail. Ask them to allow Inlay in the Admin console (Security → API controls).".into(),
                );
            }
            if info.has_reason("insufficientPermissions")
                || info.has_reason("ACCESS_TOKEN_SCOPE_INSUFFICIENT")
            {
                return reauth(
                    "missingScope",
                    "Inlay is missing a Gmail permission it needs. Sign in again and leave every box ticked on Google's permission screen.",
                );
            }
            fail(
                "forbidden",
                format!("Gmail refused the request.{}", info.said()),
            )
        }
        404 => fail(
            "notFound",
            format!(
                "Gmail couldn't find what Inlay asked for; it may have been deleted.{}",
                info.said()
            ),
        ),
        _ => fail(
            "rejected",
            format!("Gmail refused the request (HTTP {status}).{}", info.said()),
        ),
    }
}

/// `invalid_grant` and kin from Google: the refresh token (or code) is no
/// longer usable. `None` when the description says nothing more specific.
pub(crate) fn grant_lost(description: &str, token_use: TokenUse) -> Option<Disposition> {
    if description.contains("expired or revoked") {
        return Some(match token_use {
            TokenUse::Renewal => reauth(
                "tokenRevoked",
                "Google ended Inlay's access. This happens when you remove Inlay from your Google account, change your password, or don't use Inlay for six months. Sign in again to reconnect.",
            ),
            TokenUse::CodeExchange => reauth("tokenRevoked", code_refused("Google")),
        });
    }
    if description.contains("deleted") {
        return Some(reauth(
            "accountDeleted",
            "Google says this account was deleted or disabled. Connect another account.",
        ));
    }
    None
}
