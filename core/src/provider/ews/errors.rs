//! EWS failures turned into [`crate::provider`]'s [`Disposition`]: a response
//! code, a SOAP fault, an HTTP status or no response at all, each with a
//! sentence for the user.

use super::xml::Element;
use crate::backoff::{Backoff, GiveUp, pause_in_words};
use crate::http::TransportFailure;
use crate::provider::{Attempt, Disposition, fail, pace_with, retry as may_pass};

/// Where the request stands in its retries, and the host for messages.
pub(crate) struct EwsContext<'a> {
    pub attempt: &'a Attempt,
    /// `None`: leave a failure that may pass as [`Disposition::Retry`] for
    /// the caller (the outbox decides its own waits).
    pub backoff: Option<&'a Backoff>,
    pub host: String,
}

pub(crate) fn transport(failure: TransportFailure, ctx: &EwsContext) -> Disposition {
    let reason = match failure {
        TransportFailure::Network => format!("{} could not be reached", ctx.host),
        TransportFailure::Timeout => format!("{} did not answer in time", ctx.host),
    };
    retry(ctx, None, reason)
}

pub(crate) fn http_status(status: u16, retry_after: Option<u64>, ctx: &EwsContext) -> Disposition {
    match status {
        401 => Disposition::Reauthenticate {
            code: "wrongPassword".into(),
            message: "Exchange didn't accept your username or password. Check both (the \
                      username may be your address or DOMAIN\\name). If your organization uses \
                      two-factor authentication, create an app password and use it here."
                .into(),
        },
        403 => fail(
            "forbidden",
            format!(
                "{} refused access to Exchange Web Services (HTTP 403). Your administrator may \
                 have turned EWS off for your mailbox.",
                ctx.host
            ),
        ),
        404 => fail(
            "notEws",
            format!(
                "{} has no Exchange Web Services at this address (HTTP 404). Check the EWS URL; \
                 it usually ends in /EWS/Exchange.asmx.",
                ctx.host
            ),
        ),
        429 => retry(
            ctx,
            retry_after,
            format!("{} is limiting requests", ctx.host),
        ),
        500..=599 => retry(
            ctx,
            retry_after,
            format!("{} had a temporary problem (HTTP {status})", ctx.host),
        ),
        _ => fail(
            "unexpectedStatus",
            format!("{} answered with HTTP status {status}.", ctx.host),
        ),
    }
}

/// A `soap:Fault`, whose `detail` may carry an EWS response code.
pub(crate) fn fault(fault: &Element, retry_after: Option<u64>, ctx: &EwsContext) -> Disposition {
    let detail = fault.child("detail").or_else(|| fault.child("Detail"));
    let code = detail.and_then(|d| d.text_at(&["ResponseCode"]));
    let text = detail
        .and_then(|d| d.text_at(&["Message"]))
        .or_else(|| fault.text_at(&["faultstring"]))
        .unwrap_or_default();
    match code {
        Some(code) => {
            let back_off = detail
                .and_then(|d| d.child("MessageXml"))
                .and_then(back_off_ms);
            response_code(&code, &text, back_off.or(retry_after), ctx)
        }
        None => fail(
            "soapFault",
            format!("Exchange rejected the request: {}", quote(&text)),
        ),
    }
}

/// `MessageXml/Value[@Name=BackOffMilliseconds]`, sent with ErrorServerBusy.
pub(crate) fn back_off_ms(message_xml: &Element) -> Option<u64> {
    message_xml
        .children_named("Value")
        .find(|v| v.attr("Name") == Some("BackOffMilliseconds"))
        .and_then(|v| v.text.trim().parse().ok())
}

/// A failed `ResponseClass="Error"` message or fault response code.
pub(crate) fn response_code(
    code: &str,
    text: &str,
    back_off: Option<u64>,
    ctx: &EwsContext,
) -> Disposition {
    match code {
        "ErrorServerBusy" => retry(ctx, back_off, "Exchange is busy".into()),
        "ErrorTimeoutExpired"
        | "ErrorInternalServerTransientError"
        | "ErrorMailboxStoreUnavailable"
        | "ErrorMailboxMoveInProgress"
        | "ErrorConnectionFailed" => {
            retry(ctx, back_off, format!("Exchange is unavailable ({code})"))
        }
        "ErrorInvalidServerVersion" => too_old(),
        "ErrorNonExistentMailbox" => fail(
            "mailboxNotFound",
            "Exchange has no mailbox for this account. Check the address, or ask your \
             administrator whether your mailbox is on this server."
                .into(),
        ),
        "ErrorAccessDenied" => fail(
            "accessDenied",
            "Exchange denied access to this mailbox or folder.".into(),
        ),
        "ErrorInvalidIdMalformed" | "ErrorInvalidIdNotAnItemAttachmentId" => fail(
            "invalidId",
            "Exchange didn't recognize a message id Inlay sent; the message list will refresh."
                .into(),
        ),
        "ErrorItemNotFound" => fail(
            "itemNotFound",
            "That message no longer exists in the mailbox (it was moved or deleted).".into(),
        ),
        "ErrorInvalidSyncStateData" => fail(
            "syncStateInvalid",
            "Exchange no longer accepts Inlay's sync position; the mailbox will sync again \
             from the start."
                .into(),
        ),
        "ErrorMessageSizeExceeded" => fail(
            "messageTooLarge",
            "Exchange refused the message because it is too large.".into(),
        ),
        "ErrorSendAsDenied" => fail(
            "sendAsDenied",
            "Exchange refused to send from this address: your mailbox may not send as it. \
             Choose another From address, or ask your administrator for Send As permission."
                .into(),
        ),
        "ErrorInvalidRecipients"
        | "ErrorMissingRecipients"
        | "ErrorRecipientNotFound"
        | "ErrorMailRecipientNotFound" => fail(
            "recipientRefused",
            format!(
                "Exchange refused the recipients ({code}): {}. Check the addresses.",
                quote(text)
            ),
        ),
        "ErrorExceededMaxRecipientLimit" => fail(
            "tooManyRecipients",
            "Exchange refused the message because it has more recipients than your mailbox \
             may send to at once. Send it to fewer people."
                .into(),
        ),
        "ErrorMimeContentConversionFailed"
        | "ErrorMimeContentInvalid"
        | "ErrorUnsupportedMimeConversion" => fail(
            "messageUnreadable",
            format!(
                "Exchange couldn't read the message Inlay built ({code}): {}.",
                quote(text)
            ),
        ),
        "ErrorAttachmentSizeLimitExceeded" => fail(
            "messageTooLarge",
            "Exchange refused the message because an attachment is too large.".into(),
        ),
        "ErrorMessageSubmissionBlocked" => fail(
            "sendingBlocked",
            "Exchange has blocked sending from your mailbox (often after many messages in a \
             short time). Ask your administrator to unblock it."
                .into(),
        ),
        "ErrorSubmissionQuotaExceeded" => fail(
            "sendingLimit",
            "Your mailbox reached Exchange's limit on messages sent; Exchange sends no more \
             for now. Try again later (often the next day)."
                .into(),
        ),
        "ErrorQuotaExceeded" => fail(
            "mailboxFull",
            "Your mailbox is full, so Exchange can't save the sent message. Free some space \
             and try again."
                .into(),
        ),
        _ => fail(
            "ewsError",
            format!("Exchange refused the request ({code}): {}", quote(text)),
        ),
    }
}

pub(crate) fn too_old() -> Disposition {
    fail(
        "exchangeTooOld",
        "This Exchange server is too old. Inlay needs Exchange 2010 Service Pack 2 or later \
         (version 14.2); ask your administrator to update it."
            .into(),
    )
}

pub(crate) fn unreadable() -> Disposition {
    fail(
        "unreadableResponse",
        "Exchange's answer couldn't be read. Check that the URL points to Exchange Web \
         Services (…/EWS/Exchange.asmx)."
            .into(),
    )
}

/// A failure that may pass: the one rule for waiting ([`Backoff::next`])
/// decides between a pause and giving up, in words.
fn retry(ctx: &EwsContext, retry_after: Option<u64>, reason: String) -> Disposition {
    let failure = may_pass(retry_after, reason);
    let Some(backoff) = ctx.backoff else {
        return failure;
    };
    pace_with(failure, ctx.attempt, backoff, |reason, why| match why {
        // Someone is watching this check: a long pause is theirs to decide.
        GiveUp::TooLong { wait_ms } => fail("providerBusy", too_long(wait_ms, reason)),
        GiveUp::Exhausted => fail(
            "retriesExhausted",
            format!(
                "Exchange kept failing ({reason}). Check the server address and your network; \
                 a self-signed or untrusted certificate also makes the connection fail, and \
                 the browser offers no way around it."
            ),
        ),
    })
}

/// Exchange asked for a pause longer than the caller holds on for.
pub(crate) fn too_long(wait_ms: u64, reason: &str) -> String {
    format!(
        "Exchange asked Inlay to wait {} before trying again ({reason}). Please try again after \
         that.",
        pause_in_words(wait_ms)
    )
}

fn quote(text: &str) -> String {
    if text.is_empty() {
        "no details given".into()
    } else {
        format!("\"{text}\"")
    }
}
