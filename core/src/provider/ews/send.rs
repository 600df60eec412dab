//! Sending one email through Exchange for the outbox ([`SendSteps`]): one
//! `CreateItem` with the message's MIME, `SendAndSaveCopy` into Sent Items;
//! for a scheduled email the deferred send time (0x3FEF) is set on that
//! same item, so Exchange delivers it at its time with Inlay closed.
//!
//! The one call delivers, so its answer is read strictly: only a refusal
//! Exchange gives before doing the work (busy, the mailbox store away) may
//! be retried; no answer, a 5xx without such a code, or an answer that
//! can't be read is "unknown" (the outbox looks in Sent Items first).

use serde::{Deserialize, Serialize};

use super::credentials::Credentials;
use super::errors::{self, EwsContext};
use super::operations::send_mime_at;
use super::results::{error_of, host_of, messages};
use super::soap;
use super::xml::{self, Element};
use crate::http::{HttpResponse, TransportFailure};
use crate::provider::{Attempt, Disposition, Outcome};
use crate::send::Outgoing;
use crate::send::provider::{Answer, Call, Read, Secret, SendRead, SendSteps};

/// An Exchange inbox as the outbox reaches it: its EWS URL (the username
/// and password come with each call as [`Secret::Password`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EwsTarget {
    pub ews_url: String,
}

/// The send of one email: a single delivering `CreateItem`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EwsSend {
    ews_url: String,
}

impl EwsSend {
    pub fn new(target: &EwsTarget, _out: &Outgoing) -> Self {
        EwsSend {
            ews_url: target.ews_url.clone(),
        }
    }
}

impl SendSteps for EwsSend {
    fn call(&self, secret: &Secret<'_>, out: &Outgoing) -> Result<Call, SendRead> {
        let credentials = password(secret).ok_or_else(|| SendRead::Permanent {
            code: "wrongSecret".into(),
            message: NO_PASSWORD.into(),
        })?;
        Ok(Call::Http(send_mime_at(
            &self.ews_url,
            &credentials,
            &out.mime,
            out.deliver_at_ms,
        )))
    }

    fn delivers(&self) -> bool {
        true
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<SendRead> {
        Read::End(read_send_answer(&self.ews_url, answer))
    }
}

pub(crate) const NO_PASSWORD: &str =
    "Inlay was handed no password for this Exchange inbox. Reconnect the inbox, then try again.";

/// The username and password of a [`Secret::Password`].
pub(crate) fn password(secret: &Secret<'_>) -> Option<Credentials> {
    match secret {
        Secret::Password { username, password } => Some(Credentials::new(*username, *password)),
        Secret::Bearer(_) | Secret::MailPasswords { .. } => None,
    }
}

/// No pacing here: a failure that may pass stays [`Disposition::Retry`] for
/// the outbox, which decides its waits.
pub(crate) fn unpaced(ews_url: &str) -> EwsContext<'static> {
    // Read only by pacing, which is off.
    const NO_ATTEMPT: Attempt = Attempt {
        number: 0,
        after_refresh: false,
        now_ms: 0,
        jitter: 0,
    };
    EwsContext {
        attempt: &NO_ATTEMPT,
        backoff: None,
        host: host_of(ews_url),
    }
}

/// `Retry-After` (EWS's own pauses come as `BackOffMilliseconds`): seconds,
/// or an HTTP-date against the answer's `Date`, as for Google and Microsoft.
pub(crate) fn retry_after_ms(response: &HttpResponse) -> Option<u64> {
    crate::provider::api_reply::retry_after_header_ms(response)
}

/// `soap:Fault/detail`: its `ResponseCode`, text and `BackOffMilliseconds`.
pub(crate) struct FaultDetail {
    pub code: Option<String>,
    pub text: String,
    pub back_off_ms: Option<u64>,
}

pub(crate) fn fault_of(document: Option<&Element>) -> Option<FaultDetail> {
    let fault = document?.child("Body")?.child("Fault")?;
    let detail = fault.child("detail").or_else(|| fault.child("Detail"));
    Some(FaultDetail {
        code: detail
            .and_then(|d| d.text_at(&["ResponseCode"]))
            .or_else(|| {
                // `faultcode` is `a:ErrorSchemaValidation` when no detail is sent.
                fault
                    .text_at(&["faultcode"])
                    .and_then(|c| c.rsplit(':').next().map(str::to_string))
                    .filter(|c| c.starts_with("Error"))
            }),
        text: detail
            .and_then(|d| d.text_at(&["Message"]))
            .or_else(|| fault.text_at(&["faultstring"]))
            .unwrap_or_default(),
        back_off_ms: detail
            .and_then(|d| d.child("MessageXml"))
            .and_then(errors::back_off_ms),
    })
}

/// Exchange said no before doing the work: nothing was sent.
fn refused_before_work(code: &str) -> bool {
    matches!(
        code,
        "ErrorServerBusy"
            | "ErrorMailboxStoreUnavailable"
            | "ErrorMailboxMoveInProgress"
            | "ErrorConnectionFailed"
    )
}

/// What `CreateItem`'s answer means for the email.
pub(crate) fn read_send_answer(ews_url: &str, answer: Answer<'_>) -> SendRead {
    let host = host_of(ews_url);
    let may_have_left = |why: &str| SendRead::Unknown {
        message: format!(
            "{host} {why} after Inlay handed it the email, so it may have been sent. Inlay looks \
             in Sent Items before sending it again."
        ),
    };
    let response = match answer {
        Answer::Response(response) => response,
        Answer::Transport(TransportFailure::Timeout) => return may_have_left("did not answer"),
        Answer::Transport(TransportFailure::Network) => {
            return may_have_left("could not be reached or closed the connection");
        }
        Answer::HelperReply(_) | Answer::HelperFailed { .. } => {
            return may_have_left("gave an answer Inlay didn't expect");
        }
    };
    if response.status == 401 {
        return SendRead::SecretRejected;
    }
    let retry_after = retry_after_ms(response);
    let document = xml::parse(&response.body).filter(|root| root.name == "Envelope");
    if let Some(fault) = fault_of(document.as_ref()) {
        return match fault.code {
            Some(code) => by_code(
                ews_url,
                &code,
                &fault.text,
                fault.back_off_ms.or(retry_after),
                &may_have_left,
            ),
            // A fault naming no EWS error says nothing of what was done.
            None => may_have_left(&format!("failed (\"{}\")", fault.text)),
        };
    }
    match response.status {
        200..=299 => {}
        429 => {
            return SendRead::Retry {
                retry_after_ms: retry_after,
                message: format!("{host} is limiting requests"),
            };
        }
        500..=599 => {
            return may_have_left(&format!("had a problem (HTTP {})", response.status));
        }
        status => {
            return match errors::http_status(status, retry_after, &unpaced(ews_url)) {
                Disposition::Fail { code, message } => SendRead::Permanent { code, message },
                Disposition::Reauthenticate { .. } => SendRead::SecretRejected,
                _ => may_have_left(&format!("answered HTTP {status}")),
            };
        }
    }
    let outcome = Outcome::Response {
        response: response.clone(),
    };
    let envelope = match soap::read(&outcome, &unpaced(ews_url)) {
        Ok(envelope) => envelope,
        Err(Disposition::Fail { code, message }) if code == "exchangeTooOld" => {
            return SendRead::Permanent { code, message };
        }
        Err(_) => return may_have_left("gave an answer Inlay couldn't read"),
    };
    let first = messages(&envelope.operation)
        .ok()
        .and_then(|list| list.first().copied());
    let Some(message) = first else {
        return may_have_left("gave an answer Inlay couldn't read");
    };
    match error_of(message) {
        None => SendRead::Sent {
            provider_id: None,
            thread_id: None,
        },
        Some((code, text)) => {
            let back_off = message.child("MessageXml").and_then(errors::back_off_ms);
            by_code(ews_url, &code, &text, back_off, &may_have_left)
        }
    }
}

/// An EWS response code of the delivering call.
fn by_code(
    ews_url: &str,
    code: &str,
    text: &str,
    back_off_ms: Option<u64>,
    may_have_left: &dyn Fn(&str) -> SendRead,
) -> SendRead {
    if matches!(
        code,
        "ErrorInternalServerError" | "ErrorInternalServerTransientError" | "ErrorTimeoutExpired"
    ) {
        // Exchange may have failed after handing the message over.
        return may_have_left(&format!("failed ({code})"));
    }
    match errors::response_code(code, text, back_off_ms, &unpaced(ews_url)) {
        Disposition::Retry {
            retry_after_ms,
            reason,
        } if refused_before_work(code) => SendRead::Retry {
            retry_after_ms,
            message: format!("{reason}; the email was not sent yet"),
        },
        Disposition::Fail { code, message } => SendRead::Permanent { code, message },
        Disposition::Reauthenticate { .. } | Disposition::RefreshToken => SendRead::SecretRejected,
        Disposition::Retry { .. } | Disposition::Success | Disposition::RetryAfter { .. } => {
            may_have_left(&format!("failed ({code})"))
        }
    }
}
