//! Taking back a scheduled email Exchange holds for its time (`SendItem` of
//! a draft with the deferred send time 0x3FEF): it waits in the Outbox until
//! then, and deleting it there stops it. Found by its Message-ID
//! (`FindItem` on `message:InternetMessageId` in the Outbox: its item id may
//! change when Exchange moves it there), then `DeleteItem` `HardDelete`.
//! Only `NoError` of the delete is "cancelled"; nothing in the Outbox, or
//! `ErrorItemNotFound` of the delete, is "not waiting".

use serde::{Deserialize, Serialize};

use super::operations::{Folder, ItemId, delete_item, find_by_message_id};
use super::results::{error_of, host_of, item_id, messages};
use super::send::{NO_PASSWORD, password, retry_after_ms, unpaced};
use super::soap;
use crate::http::TransportFailure;
use crate::provider::{Disposition, Outcome};
use crate::send::provider::{Answer, Call, CancelRead, CancelSteps, Read, Secret};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "stage",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
enum Stage {
    Find,
    Delete { item: ItemId },
}

/// The cancel of one deferred email. Serialised without secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EwsCancel {
    ews_url: String,
    message_id: String,
    stage: Stage,
}

impl EwsCancel {
    pub fn new(ews_url: &str, message_id: &str) -> Self {
        EwsCancel {
            ews_url: ews_url.to_owned(),
            message_id: message_id.to_owned(),
            stage: Stage::Find,
        }
    }

    /// The first item of the answer's one response message, or how it ended.
    fn item(&self, answer: Answer<'_>) -> Result<Option<ItemId>, CancelRead> {
        let host = host_of(&self.ews_url);
        let failed = |retry_after_ms, why: String| CancelRead::Failed {
            retry_after_ms,
            message: format!("{host} {why}."),
        };
        let response = match answer {
            Answer::Response(response) => response,
            Answer::Transport(TransportFailure::Timeout) => {
                return Err(failed(None, "did not answer".into()));
            }
            Answer::Transport(TransportFailure::Network) => {
                return Err(failed(None, "could not be reached".into()));
            }
            Answer::HelperReply(_) | Answer::HelperFailed { .. } => {
                return Err(failed(None, "gave an answer Inlay didn't expect".into()));
            }
        };
        if response.status == 401 {
            return Err(CancelRead::SecretRejected);
        }
        let retry_after = retry_after_ms(response);
        let outcome = Outcome::Response {
            response: response.clone(),
        };
        let envelope = match soap::read(&outcome, &unpaced(&self.ews_url)) {
            Ok(envelope) => envelope,
            Err(Disposition::Retry {
                retry_after_ms,
                reason,
            }) => return Err(failed(retry_after_ms.or(retry_after), reason)),
            Err(Disposition::Reauthenticate { .. } | Disposition::RefreshToken) => {
                return Err(CancelRead::SecretRejected);
            }
            Err(Disposition::Fail { message, .. }) => {
                return Err(CancelRead::Failed {
                    retry_after_ms: None,
                    message,
                });
            }
            Err(other) => return Err(failed(None, format!("failed ({other:?})"))),
        };
        let first = messages(&envelope.operation)
            .ok()
            .and_then(|list| list.first().copied());
        let Some(message) = first else {
            return Err(failed(None, "gave an answer Inlay couldn't read".into()));
        };
        if let Some((code, text)) = error_of(message) {
            if code == "ErrorItemNotFound" || code.starts_with("ErrorInvalidId") {
                return Err(CancelRead::NotWaiting);
            }
            return Err(failed(None, format!("refused it ({code}: {text})")));
        }
        Ok(message
            .child("RootFolder")
            .and_then(|root| root.child("Items"))
            .and_then(|items| items.children.iter().find_map(|i| i.child("ItemId")))
            .and_then(item_id))
    }
}

impl CancelSteps for EwsCancel {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, CancelRead> {
        let credentials = password(secret).ok_or_else(|| CancelRead::Failed {
            retry_after_ms: None,
            message: NO_PASSWORD.into(),
        })?;
        Ok(Call::Http(match &self.stage {
            Stage::Find => find_by_message_id(
                &self.ews_url,
                &credentials,
                &[Folder::Outbox],
                &self.message_id,
            ),
            Stage::Delete { item } => delete_item(&self.ews_url, &credentials, item),
        }))
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<CancelRead> {
        let finding = matches!(self.stage, Stage::Find);
        match (finding, self.item(answer)) {
            (_, Err(read)) => Read::End(read),
            (true, Ok(Some(item))) => {
                self.stage = Stage::Delete { item };
                Read::Next
            }
            (true, Ok(None)) => Read::End(CancelRead::NotWaiting),
            (false, Ok(_)) => Read::End(CancelRead::Cancelled),
        }
    }
}
