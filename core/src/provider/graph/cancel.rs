//! Taking back a scheduled email Microsoft 365 holds for its time (deferred
//! delivery: a draft with `PidTagDeferredSendTime` sent with `/send`): it
//! waits in the Outbox until then, and deleting it there is the one way to
//! stop it (features-research §2.2). Found by the Message-ID the core minted
//! (`internetMessageId`; the Graph id of the draft changes once it is
//! sent), then `DELETE /me/messages/{id}`. Only the 204 is "cancelled"; an
//! email no longer in the Outbox, or a 404 of the delete, is "not waiting".

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::{HttpRequest, Method};
use crate::provider::api_reply::{Reply, reply};
use crate::provider::{bearer_get, text_field};
use crate::send::provider::{Answer, Call, CancelRead, CancelSteps, Read, Secret};

use super::send::path_segment;

const OUTBOX_URL: &str = "https://graph.microsoft.com/v1.0/me/mailFolders/outbox/messages";
const MESSAGES_URL: &str = "https://graph.microsoft.com/v1.0/me/messages";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "stage",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
enum Stage {
    Find,
    Delete { id: String },
}

/// The cancel of one deferred email. Serialised between calls without
/// secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphCancel {
    /// With angle brackets, as `internetMessageId` holds it.
    message_id: String,
    stage: Stage,
}

impl GraphCancel {
    pub fn new(message_id: &str) -> Self {
        let bare = message_id
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>');
        GraphCancel {
            message_id: format!("<{bare}>"),
            stage: Stage::Find,
        }
    }

    fn find_url(&self) -> String {
        let filter = format!(
            "internetMessageId eq '{}'",
            self.message_id.replace('\'', "''")
        );
        format!("{OUTBOX_URL}?$filter={}&$select=id", path_segment(&filter))
    }

    fn read_found(&mut self, body: &str) -> Read<CancelRead> {
        let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let Some(list) = v.get("value").and_then(Value::as_array) else {
            return Read::End(failed(
                None,
                "Microsoft 365's answer to Inlay's search of the Outbox could not be read.".into(),
            ));
        };
        match list.iter().find_map(|m| text_field(m, "id")) {
            Some(id) => {
                self.stage = Stage::Delete { id };
                Read::Next
            }
            None => Read::End(CancelRead::NotWaiting),
        }
    }
}

fn failed(retry_after_ms: Option<u64>, message: String) -> CancelRead {
    CancelRead::Failed {
        retry_after_ms,
        message,
    }
}

impl CancelSteps for GraphCancel {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, CancelRead> {
        let Secret::Bearer(token) = secret else {
            return Err(failed(
                None,
                "Inlay was given a password instead of a Microsoft access token; please report this problem.".into(),
            ));
        };
        Ok(Call::Http(match &self.stage {
            Stage::Find => bearer_get(&self.find_url(), token),
            Stage::Delete { id } => HttpRequest {
                method: Method::Delete,
                url: format!("{MESSAGES_URL}/{}", path_segment(id)),
                headers: vec![("Authorization".into(), format!("Bearer {token}"))],
                body: None,
                body_base64: None,
            },
        }))
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<CancelRead> {
        let deleting = matches!(self.stage, Stage::Delete { .. });
        match reply(&answer) {
            Reply::Ok { body } if !deleting => self.read_found(body),
            Reply::Ok { .. } => Read::End(CancelRead::Cancelled),
            Reply::Unauthorized => Read::End(CancelRead::SecretRejected),
            Reply::Refused { status: 404, .. } if deleting => Read::End(CancelRead::NotWaiting),
            Reply::Throttled { retry_after_ms } => Read::End(failed(
                retry_after_ms,
                "Microsoft 365 is limiting requests.".into(),
            )),
            Reply::ServerError { status } => Read::End(failed(
                None,
                format!("Microsoft 365 had a temporary problem (HTTP {status})."),
            )),
            Reply::NoAnswer(_) | Reply::NotHttp => {
                Read::End(failed(None, "Microsoft 365 could not be reached.".into()))
            }
            Reply::Refused {
                status,
                info,
                retry_after_ms,
            } => Read::End(failed(
                retry_after_ms,
                format!("Microsoft 365 refused it (HTTP {status}).{}", info.said()),
            )),
        }
    }
}
