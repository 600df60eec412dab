//! Was this email sent? ([`LookupSteps`]): one `FindItem` for its
//! Message-ID (`message:InternetMessageId`) in Sent Items and in the Outbox,
//! where a message with a deferred send time waits until Exchange delivers
//! it. Only an answer in which every folder was searched is "not found".

use serde::{Deserialize, Serialize};

use super::EwsTarget;
use super::operations::{Folder, find_by_message_id};
use super::results::{error_of, host_of, item_id, messages};
use super::send::{NO_PASSWORD, password, retry_after_ms, unpaced};
use super::soap;
use crate::http::TransportFailure;
use crate::provider::{Disposition, Outcome};
use crate::send::provider::{Answer, Call, LookupRead, LookupSteps, Read, Secret};

/// The folders searched, in the request's order.
pub const LOOKUP_FOLDERS: [Folder; 2] = [Folder::SentItems, Folder::Outbox];

/// The search for one Message-ID (`<left@right>`, as in the header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EwsLookup {
    ews_url: String,
    message_id: String,
}

impl EwsLookup {
    pub fn new(target: &EwsTarget, message_id: &str) -> Self {
        EwsLookup {
            ews_url: target.ews_url.clone(),
            message_id: message_id.to_owned(),
        }
    }
}

impl LookupSteps for EwsLookup {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, LookupRead> {
        let credentials = password(secret).ok_or_else(|| LookupRead::CannotLook {
            message: NO_PASSWORD.into(),
        })?;
        Ok(Call::Http(find_by_message_id(
            &self.ews_url,
            &credentials,
            &LOOKUP_FOLDERS,
            &self.message_id,
        )))
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<LookupRead> {
        Read::End(read_lookup_answer(&self.ews_url, answer))
    }
}

fn read_lookup_answer(ews_url: &str, answer: Answer<'_>) -> LookupRead {
    let host = host_of(ews_url);
    let failed = |retry_after_ms, why: String| LookupRead::Failed {
        retry_after_ms,
        message: format!("Inlay couldn't search Sent Items: {why}."),
    };
    let response = match answer {
        Answer::Response(response) => response,
        Answer::Transport(TransportFailure::Timeout) => {
            return failed(None, format!("{host} did not answer"));
        }
        Answer::Transport(TransportFailure::Network) => {
            return failed(None, format!("{host} could not be reached"));
        }
        Answer::HelperReply(_) | Answer::HelperFailed { .. } => {
            return failed(None, "an answer Inlay didn't expect".into());
        }
    };
    if response.status == 401 {
        return LookupRead::SecretRejected;
    }
    let retry_after = retry_after_ms(response);
    let outcome = Outcome::Response {
        response: response.clone(),
    };
    let envelope = match soap::read(&outcome, &unpaced(ews_url)) {
        Ok(envelope) => envelope,
        Err(Disposition::Retry {
            retry_after_ms,
            reason,
        }) => return failed(retry_after_ms.or(retry_after), reason),
        Err(Disposition::Reauthenticate { .. } | Disposition::RefreshToken) => {
            return LookupRead::SecretRejected;
        }
        Err(Disposition::Fail { code, message }) => return not_searched(&code, message),
        Err(other) => return failed(None, format!("{other:?}")),
    };
    let Ok(list) = messages(&envelope.operation) else {
        return failed(None, format!("{host} gave an answer Inlay couldn't read"));
    };
    // One answer per folder asked, each a search that worked: otherwise
    // an absence proves nothing.
    if list.len() != LOOKUP_FOLDERS.len() {
        return failed(None, format!("{host} gave an answer Inlay couldn't read"));
    }
    let mut found = None;
    for message in list {
        if let Some((code, text)) = error_of(message) {
            let back_off = message
                .child("MessageXml")
                .and_then(super::errors::back_off_ms);
            return match super::errors::response_code(&code, &text, back_off, &unpaced(ews_url)) {
                Disposition::Retry {
                    retry_after_ms,
                    reason,
                } => failed(retry_after_ms, reason),
                Disposition::Reauthenticate { .. } => LookupRead::SecretRejected,
                Disposition::Fail { code, message } => not_searched(&code, message),
                other => failed(None, format!("{other:?}")),
            };
        }
        let Some(root) = message.child("RootFolder") else {
            return failed(None, format!("{host} gave an answer Inlay couldn't read"));
        };
        let first = root
            .child("Items")
            .and_then(|items| items.children.iter().find_map(|i| i.child("ItemId")))
            .and_then(item_id);
        if found.is_none() {
            found = first;
        }
    }
    match found {
        Some(item) => LookupRead::Found {
            provider_id: Some(item.id),
            thread_id: None,
        },
        None => LookupRead::NotFound,
    }
}

/// A refusal: a folder Exchange won't let Inlay read can't be searched
/// later either, so the user looks; anything else is tried again.
fn not_searched(code: &str, message: String) -> LookupRead {
    if code == "accessDenied" {
        LookupRead::CannotLook {
            message: format!(
                "{message} Inlay can't tell whether the email was sent: check your Sent Items."
            ),
        }
    } else {
        LookupRead::Failed {
            retry_after_ms: None,
            message: format!("Inlay couldn't search Sent Items: {message}"),
        }
    }
}
