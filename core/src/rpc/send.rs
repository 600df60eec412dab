//! Sending's page requests: compose, drafts, the outbox and the user's
//! choices about it, checked before the worker acts (closed schema, lengths
//! and counts bounded). What a draft means (templates, sanitising, limits per
//! provider, header injection) is decided by compose (`crate::send`) when the
//! worker builds the email; this only keeps the shapes and sizes honest.

use serde::{Deserialize, Serialize};

use super::{Address, Line};
use crate::crm::ids::RecordRef;

/// Most recipients in To, Cc and Bcc together (Gmail's and Graph's limit is
/// 500; each provider's own limit is compose's to say, in words).
pub const MAX_RECIPIENTS: usize = 500;
/// Longest subject, in characters (RFC 5322's line limit is 998 bytes).
pub const MAX_SUBJECT_CHARS: usize = 998;
/// Largest body or signature HTML, in bytes (under the page's 1 MiB message).
pub const MAX_HTML_BYTES: usize = 768 * 1024;
/// Most Message-IDs in a reply's References (`send::reply` keeps 20).
pub const MAX_REFERENCES: usize = 100;
/// Most attachments on one email.
pub const MAX_ATTACHMENTS: usize = 50;
/// Largest staged attachment chunk (base64 text), in bytes.
pub const MAX_ATTACHMENT_CHUNK: usize = 512 * 1024;
/// Most chunks of one attachment (100 MiB of base64).
pub const MAX_ATTACHMENT_CHUNKS: u32 = 200;

/// A sending id: a two-letter kind, `_`, then 1 to 64 of `[A-Za-z0-9_-]`
/// (`dr_…` draft, `ob_…` outbox entry, `at_…` attachment, `tp_…` template).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(try_from = "String", into = "String")]
pub struct SendId(String);

impl SendId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SendId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let well_formed = value.len() > 3
            && value.len() <= 67
            && value.as_bytes()[..2].iter().all(u8::is_ascii_lowercase)
            && value.as_bytes()[2] == b'_'
            && value[3..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !well_formed {
            return Err(
                "the id is not an id of a draft, an email, an attachment or a template".into(),
            );
        }
        Ok(SendId(value))
    }
}

impl From<SendId> for String {
    fn from(value: SendId) -> String {
        value.0
    }
}

/// A subject as typed (templates allowed), at most [`MAX_SUBJECT_CHARS`].
/// Line breaks are compose's to refuse, in its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(try_from = "String", into = "String")]
pub struct SendSubject(String);

impl TryFrom<String> for SendSubject {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        if value.chars().count() > MAX_SUBJECT_CHARS {
            return Err(format!(
                "the subject is longer than {MAX_SUBJECT_CHARS} characters"
            ));
        }
        Ok(SendSubject(value))
    }
}

impl From<SendSubject> for String {
    fn from(value: SendSubject) -> String {
        value.0
    }
}

/// HTML as the editor gave it (the core sanitises it before it is stored in
/// an email or sent), at most [`MAX_HTML_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(try_from = "String", into = "String")]
pub struct SendHtml(String);

impl SendHtml {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SendHtml {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        if value.len() > MAX_HTML_BYTES {
            return Err(format!(
                "the message is over {} KiB of text",
                MAX_HTML_BYTES / 1024
            ));
        }
        Ok(SendHtml(value))
    }
}

impl From<SendHtml> for String {
    fn from(value: SendHtml) -> String {
        value.0
    }
}

/// One recipient (or the sender): an address and an optional display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct SendRecipient {
    pub address: Address,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub name: Option<Line>,
}

/// An attachment staged with `sendAttachmentChunk`, named by its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SendAttachmentRef {
    pub id: SendId,
    pub name: Line,
    pub content_type: Line,
    /// Bytes, as the page read the file (shown; the worker counts again).
    pub size: u64,
}

/// What the user composed: the shell's draft, and the input of compose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SendDraft {
    /// None for a new draft (the worker makes its id).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub id: Option<SendId>,
    /// A connected inbox or one of its verified aliases (the worker passes
    /// the allowed list to compose, which checks it).
    pub from: Address,
    pub to: Vec<SendRecipient>,
    #[serde(default)]
    pub cc: Vec<SendRecipient>,
    #[serde(default)]
    pub bcc: Vec<SendRecipient>,
    pub subject: SendSubject,
    pub html: SendHtml,
    #[serde(default)]
    pub attachments: Vec<SendAttachmentRef>,
    /// The record it was composed from (its tokens, its timeline).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub record: Option<RecordRef>,
    /// Whether the From inbox's signature goes under the body.
    #[serde(default = "yes")]
    pub signature: bool,
    /// A reply: the email it answers (Message-ID) and the provider's thread.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub in_reply_to: Option<Line>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub thread_id: Option<Line>,
    /// A reply: the thread's Message-IDs, ending with `in_reply_to`.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    pub references: Vec<Line>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SendComposeArg {
    /// The contact or deal the dialog opens from (To and tokens from it).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub record: Option<RecordRef>,
    /// A reply to this email on the record's timeline (its `tl_` entry id).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub reply: Option<TimelineEntryId>,
}

/// A timeline entry's id (`tl_` and 16 base32 characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(try_from = "String", into = "String")]
pub struct TimelineEntryId(String);

impl TryFrom<String> for TimelineEntryId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        if !crate::crm::ids::is_id(crate::crm::ids::IdKind::Timeline, &value) {
            return Err("the id is not a timeline entry's id".into());
        }
        Ok(TimelineEntryId(value))
    }
}

impl From<TimelineEntryId> for String {
    fn from(value: TimelineEntryId) -> String {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct SendDraftArg {
    pub draft: SendDraft,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct SendIdArg {
    pub id: SendId,
}

/// Send a draft now (`at` none) or at a time (Unix ms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct SendSubmitArg {
    pub draft: SendDraft,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub at: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct SendRescheduleArg {
    pub id: SendId,
    /// The new time (Unix ms); a time already past sends now.
    pub at: u64,
}

/// The user's choice about an email that may have been sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum SendResolution {
    /// They found it in their Sent folder.
    MarkSent,
    /// They did not: send it again, knowingly.
    SendAgain,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct SendResolveArg {
    pub id: SendId,
    pub choice: SendResolution,
}

/// What happens to a scheduled email whose time passed while the browser was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum SendLateRule {
    /// Send it at once and say it went late.
    SendLate,
    /// Keep it until the user sends or reschedules it.
    HoldForReview,
}

/// One inbox's signature (HTML, sanitised by the core when used).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct SendSignature {
    pub inbox: Address,
    pub html: SendHtml,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SendSettingsArg {
    pub late: SendLateRule,
    #[serde(default)]
    pub signatures: Vec<SendSignature>,
}

/// A saved template: a name, a subject and a body with `{{tokens}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct SendTemplate {
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub id: Option<SendId>,
    pub name: Line,
    pub subject: SendSubject,
    pub html: SendHtml,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct SendTemplateArg {
    pub template: SendTemplate,
}

/// One chunk of an attachment, base64, staged before the email is composed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SendAttachmentChunkArg {
    /// None for the first chunk (the worker makes the id).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub attachment_id: Option<SendId>,
    pub index: u32,
    /// Standard base64 of the chunk's bytes.
    pub data: String,
}

/// Checks what serde's shapes cannot: counts of recipients and attachments,
/// a draft with nobody to send to, chunk sizes and indexes, base64.
pub(crate) fn check(request: &super::PageRequest) -> Result<(), String> {
    use super::PageRequest;
    match request {
        PageRequest::SendSaveDraft(a) => check_draft(&a.draft, false),
        PageRequest::SendSubmit(a) => check_draft(&a.draft, true),
        PageRequest::SendAttachmentChunk(a) => {
            if a.index >= MAX_ATTACHMENT_CHUNKS {
                return Err(format!(
                    "an attachment has at most {MAX_ATTACHMENT_CHUNKS} chunks"
                ));
            }
            if a.index > 0 && a.attachment_id.is_none() {
                return Err("a chunk after the first needs the attachment id".into());
            }
            if a.data.len() > MAX_ATTACHMENT_CHUNK {
                return Err(format!(
                    "a chunk of an attachment is over {} KiB",
                    MAX_ATTACHMENT_CHUNK / 1024
                ));
            }
            if !is_base64(&a.data) {
                return Err("a chunk of an attachment is not base64".into());
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn check_draft(draft: &SendDraft, sending: bool) -> Result<(), String> {
    let recipients = draft.to.len() + draft.cc.len() + draft.bcc.len();
    if recipients > MAX_RECIPIENTS {
        return Err(format!("an email has at most {MAX_RECIPIENTS} recipients"));
    }
    if sending && recipients == 0 {
        return Err("the email has no recipient: add one in To, Cc or Bcc".into());
    }
    if draft.references.len() > MAX_REFERENCES {
        return Err(format!(
            "a reply refers to at most {MAX_REFERENCES} earlier emails"
        ));
    }
    if draft.attachments.len() > MAX_ATTACHMENTS {
        return Err(format!(
            "an email has at most {MAX_ATTACHMENTS} attachments"
        ));
    }
    Ok(())
}

/// Standard base64 with padding (what `FileReader`/`btoa` give).
fn is_base64(text: &str) -> bool {
    text.len() % 4 == 0
        && text
            .trim_end_matches('=')
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        && text.len() - text.trim_end_matches('=').len() <= 2
}

#[cfg(test)]
mod tests {
    use super::super::{Caller, PageRequest, Request, parse_request};
    use super::*;

    fn page(json: &str) -> Result<PageRequest, String> {
        match parse_request(Caller::ExtensionPage, json) {
            Ok(Request::ExtensionPage(r)) => Ok(r),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e.message),
        }
    }

    const DRAFT: &str = r#"{"from":"me@acme.example","to":[{"address":"ann@client.example","name":"Ann"}],"subject":"Hi {{contact.firstname | there}}","html":"<p>Hello</p>"}"#;

    #[test]
    fn a_draft_parses_with_its_defaults() {
        let r = page(&format!(r#"{{"type":"sendSubmit","draft":{DRAFT}}}"#)).unwrap();
        let PageRequest::SendSubmit(arg) = r else {
            panic!("{r:?}")
        };
        assert_eq!(arg.at, None);
        assert!(arg.draft.signature, "the signature is on unless turned off");
        assert!(arg.draft.cc.is_empty() && arg.draft.attachments.is_empty());
        let scheduled = page(&format!(
            r#"{{"type":"sendSubmit","draft":{DRAFT},"at":1800000000000}}"#
        ))
        .unwrap();
        let PageRequest::SendSubmit(scheduled) = scheduled else {
            panic!("{scheduled:?}")
        };
        assert_eq!(scheduled.at, Some(1_800_000_000_000));
    }

    #[test]
    fn send_requests_are_closed_and_bounded() {
        let many = format!(
            r#"{{"type":"sendSubmit","draft":{{"from":"me@a.example","to":[{}],"subject":"","html":""}}}}"#,
            vec![r#"{"address":"x@b.example"}"#; MAX_RECIPIENTS + 1].join(",")
        );
        let long_subject = format!(
            r#"{{"type":"sendSaveDraft","draft":{{"from":"me@a.example","to":[],"subject":"{}","html":""}}}}"#,
            "s".repeat(MAX_SUBJECT_CHARS + 1)
        );
        for (json, why) in [
            (format!(r#"{{"type":"sendSubmit","draft":{DRAFT},"extra":1}}"#), "unknown field"),
            (DRAFT.replace(r#""html""#, r#""script":1,"html""#).replace("{\"from", "{\"type\":\"sendSaveDraft\",\"draft\":{\"from") + "}", "unknown field"),
            (r#"{"type":"sendSubmit","draft":{"from":"me@a.example","to":[],"subject":"","html":""}}"#.into(), "no recipient"),
            (many, "at most 500 recipients"),
            (long_subject, "longer than 998"),
            (r#"{"type":"sendCancel","id":"ob_"}"#.into(), "not an id"),
            (r#"{"type":"sendCancel","id":"ob_a b"}"#.into(), "not an id"),
            (r#"{"type":"sendCancel","id":"OB_abc"}"#.into(), "not an id"),
            (r#"{"type":"sendResolve","id":"ob_abc","choice":"resend"}"#.into(), "unknown variant"),
            (r#"{"type":"sendSaveSettings","late":"sometimes"}"#.into(), "unknown variant"),
            (r#"{"type":"sendAttachmentChunk","index":1,"data":"AAAA"}"#.into(), "needs the attachment id"),
            (r#"{"type":"sendAttachmentChunk","index":0,"data":"AA A"}"#.into(), "not base64"),
            (r#"{"type":"sendAttachmentChunk","attachmentId":"at_x","index":200,"data":""}"#.into(), "at most 200 chunks"),
            (r#"{"type":"sendSaveDraft","draft":{"from":"me@a.example","to":[{"address":"a@b.example","name":"A\r\nBcc: x@evil.example"}],"subject":"","html":""}}"#.into(), "control character"),
        ] {
            let err = page(&json).expect_err(&json);
            assert!(err.contains(why), "{json}: {err}");
        }
        // A draft may be saved with nobody to send to yet.
        assert!(page(r#"{"type":"sendSaveDraft","draft":{"from":"me@a.example","to":[],"subject":"","html":""}}"#).is_ok());
        assert!(
            page(
                r#"{"type":"sendAttachmentChunk","attachmentId":"at_x1-_","index":3,"data":"AAE="}"#
            )
            .is_ok()
        );
        assert!(page(r#"{"type":"sendResolve","id":"ob_abc","choice":"markSent"}"#).is_ok());
        assert!(page(r#"{"type":"sendOutbox"}"#).is_ok());
    }

    #[test]
    fn a_reply_names_its_timeline_entry_and_carries_its_references() {
        let r = page(r#"{"type":"sendCompose","record":"contact:ct_aaaaaaaaaaaaaaaa","reply":"tl_abcdefghijklmnop"}"#).unwrap();
        let PageRequest::SendCompose(arg) = r else { panic!("{r:?}") };
        assert_eq!(arg.reply.map(String::from).as_deref(), Some("tl_abcdefghijklmnop"));
        for bad in ["ct_abcdefghijklmnop", "tl_short", "tl_ABCDEFGHIJKLMNOP", "tl_abcdefghijklmnop2"] {
            let err = page(&format!(r#"{{"type":"sendCompose","reply":"{bad}"}}"#)).unwrap_err();
            assert!(err.contains("timeline entry"), "{bad}: {err}");
        }
        let reply = DRAFT.replace(r#""html""#, r#""inReplyTo":"<m1@a.example>","references":["<r@a.example>","<m1@a.example>"],"threadId":"18c","html""#);
        let r = page(&format!(r#"{{"type":"sendSubmit","draft":{reply}}}"#)).unwrap();
        let PageRequest::SendSubmit(arg) = r else { panic!("{r:?}") };
        assert_eq!(arg.draft.references.len(), 2);
        let many = DRAFT.replace(
            r#""html""#,
            &format!(r#""references":[{}],"html""#, vec![r#""<r@a>""#; MAX_REFERENCES + 1].join(",")),
        );
        let err = page(&format!(r#"{{"type":"sendSaveDraft","draft":{many}}}"#)).unwrap_err();
        assert!(err.contains("at most 100 earlier emails"), "{err}");
    }

    #[test]
    fn content_scripts_cannot_send() {
        for json in [
            format!(r#"{{"type":"sendSubmit","draft":{DRAFT}}}"#),
            r#"{"type":"sendOutbox"}"#.to_string(),
            r#"{"type":"sendResolve","id":"ob_abc","choice":"sendAgain"}"#.to_string(),
        ] {
            assert_eq!(
                parse_request(Caller::ContentScript, &json)
                    .unwrap_err()
                    .code,
                "invalidMessage"
            );
        }
    }

    #[test]
    fn base64_is_checked_as_the_page_writes_it() {
        for ok in ["", "AAAA", "AAE=", "AA==", "+/+/"] {
            assert!(is_base64(ok), "{ok}");
        }
        for bad in ["A", "AAA", "A===", "AA=A", "AA-_", "AA\nA"] {
            assert!(!is_base64(bad), "{bad}");
        }
    }
}
