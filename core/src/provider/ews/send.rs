//! Sending one email through Exchange for the outbox ([`SendSteps`]), in
//! two calls: `CreateItem` `SaveOnly` saves the MIME as a draft (with the
//! deferred send time 0x3FEF for a scheduled email, so Exchange delivers
//! it at its time with Inlay closed), then `SendItem` sends that draft.
//!
//! Why not one `CreateItem SendAndSaveCopy`: a browser re-sends a POST on
//! its own when a reused keep-alive connection is reset before any answer
//! byte (Chromium does, whatever the method), so a delivering request that
//! Exchange took and whose answer was lost reached Exchange twice and
//! delivered twice. A repeated `SaveOnly` only leaves a stray draft; a
//! repeated `SendItem` of a draft already sent finds no item.
//!
//! The draft's answer never means "maybe sent": anything but a refusal is
//! retried. `SendItem`'s is read strictly: only a refusal Exchange gives
//! before doing the work (busy, the mailbox store away) may be retried; no
//! answer, a 5xx without such a code, an answer that can't be read, or the
//! draft no longer there (most likely sent by a first copy of the request)
//! is "unknown", and the outbox looks in Sent Items first.

use serde::{Deserialize, Serialize};

use super::credentials::Credentials;
use super::errors::{self, EwsContext};
use super::operations::{ItemId, save_draft, send_item};
use super::results::{error_of, host_of, item_id, messages};
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

/// Where the send of one email stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
enum Stage {
    /// `CreateItem SaveOnly` into Drafts: delivers nothing.
    #[default]
    SaveDraft,
    /// `SendItem` of the saved draft: the delivering call.
    SendDraft { item: ItemId },
}

/// The send of one email: save a draft, then send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EwsSend {
    ews_url: String,
    #[serde(default)]
    stage: Stage,
}

impl EwsSend {
    pub fn new(target: &EwsTarget, _out: &Outgoing) -> Self {
        EwsSend {
            ews_url: target.ews_url.clone(),
            stage: Stage::SaveDraft,
        }
    }

    /// The draft being sent, once saved.
    pub fn draft(&self) -> Option<&ItemId> {
        match &self.stage {
            Stage::SaveDraft => None,
            Stage::SendDraft { item } => Some(item),
        }
    }
}

impl SendSteps for EwsSend {
    fn call(&self, secret: &Secret<'_>, out: &Outgoing) -> Result<Call, SendRead> {
        let credentials = password(secret).ok_or_else(|| SendRead::Permanent {
            code: "wrongSecret".into(),
            message: NO_PASSWORD.into(),
        })?;
        Ok(Call::Http(match &self.stage {
            Stage::SaveDraft => {
                save_draft(&self.ews_url, &credentials, &out.mime, out.deliver_at_ms)
            }
            Stage::SendDraft { item } => send_item(&self.ews_url, &credentials, item),
        }))
    }

    fn delivers(&self) -> bool {
        matches!(self.stage, Stage::SendDraft { .. })
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<SendRead> {
        match &self.stage {
            Stage::SaveDraft => match read_answer(&self.ews_url, answer, false) {
                Ok(Some(item)) => {
                    self.stage = Stage::SendDraft { item };
                    Read::Next
                }
                Ok(None) => Read::End(SendRead::Retry {
                    retry_after_ms: None,
                    message: format!(
                        "{} saved the email as a draft but did not say which",
                        host_of(&self.ews_url)
                    ),
                }),
                Err(read) => Read::End(read),
            },
            Stage::SendDraft { .. } => Read::End(match read_answer(&self.ews_url, answer, true) {
                Ok(_) => SendRead::Sent {
                    provider_id: None,
                    thread_id: None,
                },
                Err(read) => read,
            }),
        }
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

/// `SendItem` found no item under the draft's id.
fn draft_gone(code: &str) -> bool {
    code == "ErrorItemNotFound" || code.starts_with("ErrorInvalidId")
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

/// What an answer means for the email: the first item's id when the call
/// worked, else how the send ends. `delivers`: the call was `SendItem`, so
/// an answer that says nothing sure is "unknown"; for the draft it is a
/// retry (at worst a stray draft is left).
fn read_answer(
    ews_url: &str,
    answer: Answer<'_>,
    delivers: bool,
) -> Result<Option<ItemId>, SendRead> {
    let host = host_of(ews_url);
    let may_have_left = |why: &str| {
        if delivers {
            SendRead::Unknown {
                message: format!(
                    "{host} {why} after Inlay asked it to send the email, so it may have been \
                     sent. Inlay looks in Sent Items before sending it again."
                ),
            }
        } else {
            SendRead::Retry {
                retry_after_ms: None,
                message: format!("{host} {why} while Inlay saved the email as a draft"),
            }
        }
    };
    read_answer_with(ews_url, answer, delivers, &may_have_left)
}

fn read_answer_with(
    ews_url: &str,
    answer: Answer<'_>,
    delivers: bool,
    may_have_left: &dyn Fn(&str) -> SendRead,
) -> Result<Option<ItemId>, SendRead> {
    let host = host_of(ews_url);
    let response = match answer {
        Answer::Response(response) => response,
        Answer::Transport(TransportFailure::Timeout) => {
            return Err(may_have_left("did not answer"));
        }
        Answer::Transport(TransportFailure::Network) => {
            return Err(may_have_left(
                "could not be reached or closed the connection",
            ));
        }
        Answer::HelperReply(_) | Answer::HelperFailed { .. } => {
            return Err(may_have_left("gave an answer Inlay didn't expect"));
        }
    };
    if response.status == 401 {
        return Err(SendRead::SecretRejected);
    }
    let retry_after = retry_after_ms(response);
    let document = xml::parse(&response.body).filter(|root| root.name == "Envelope");
    if let Some(fault) = fault_of(document.as_ref()) {
        return Err(match fault.code {
            Some(code) => by_code(
                ews_url,
                &code,
                &fault.text,
                fault.back_off_ms.or(retry_after),
                delivers,
                may_have_left,
            ),
            // A fault naming no EWS error says nothing of what was done.
            None => may_have_left(&format!("failed (\"{}\")", fault.text)),
        });
    }
    match response.status {
        200..=299 => {}
        429 => {
            return Err(SendRead::Retry {
                retry_after_ms: retry_after,
                message: format!("{host} is limiting requests"),
            });
        }
        500..=599 => {
            return Err(may_have_left(&format!(
                "had a problem (HTTP {})",
                response.status
            )));
        }
        status => {
            return Err(
                match errors::http_status(status, retry_after, &unpaced(ews_url)) {
                    Disposition::Fail { code, message } => SendRead::Permanent { code, message },
                    Disposition::Reauthenticate { .. } => SendRead::SecretRejected,
                    _ => may_have_left(&format!("answered HTTP {status}")),
                },
            );
        }
    }
    let outcome = Outcome::Response {
        response: response.clone(),
    };
    let envelope = match soap::read(&outcome, &unpaced(ews_url)) {
        Ok(envelope) => envelope,
        Err(Disposition::Fail { code, message }) if code == "exchangeTooOld" => {
            return Err(SendRead::Permanent { code, message });
        }
        Err(_) => return Err(may_have_left("gave an answer Inlay couldn't read")),
    };
    let first = messages(&envelope.operation)
        .ok()
        .and_then(|list| list.first().copied());
    let Some(message) = first else {
        return Err(may_have_left("gave an answer Inlay couldn't read"));
    };
    match error_of(message) {
        None => Ok(message
            .child("Items")
            .and_then(|items| items.children.first())
            .and_then(|item| item.child("ItemId"))
            .and_then(item_id)),
        Some((code, text)) => {
            let back_off = message.child("MessageXml").and_then(errors::back_off_ms);
            Err(by_code(
                ews_url,
                &code,
                &text,
                back_off,
                delivers,
                may_have_left,
            ))
        }
    }
}

/// An EWS response code of either call.
fn by_code(
    ews_url: &str,
    code: &str,
    text: &str,
    back_off_ms: Option<u64>,
    delivers: bool,
    may_have_left: &dyn Fn(&str) -> SendRead,
) -> SendRead {
    if delivers && draft_gone(code) {
        // The draft is no longer there to send: a first copy of this
        // request (re-sent by the browser) most likely sent it.
        return SendRead::Unknown {
            message: format!(
                "{} no longer has the email's draft ({code}), most likely because it was just \
                 sent. Inlay looks in Sent Items before sending it again.",
                host_of(ews_url)
            ),
        };
    }
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
