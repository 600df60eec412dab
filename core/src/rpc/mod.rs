//! The schema of messages sent to the service worker, checked here.
//!
//! Content scripts run inside Gmail's and Outlook's pages and are treated as
//! less trusted than extension pages: a compromised renderer can forge their
//! messages. Every message is parsed against a closed schema (unknown types
//! and unknown fields are refused) before the worker acts on it, and a
//! content script can only ask for the few things its adapter needs.

pub mod crm;
pub mod imap;
pub mod send;

use serde::{Deserialize, Serialize};

use crate::detect::ConnectionKind;

/// Largest message a content script may send, in bytes of JSON.
pub const MAX_CONTENT_MESSAGE_BYTES: usize = 16 * 1024;
/// Largest message an extension page may send, in bytes of JSON.
pub const MAX_PAGE_MESSAGE_BYTES: usize = 1024 * 1024;

/// Who sent a message, as the worker established it from `MessageSender`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum Caller {
    /// A content script in a webmail tab.
    ContentScript,
    /// One of Inlay's own pages (popup, app, sidebar).
    ExtensionPage,
}

/// The body of a request that takes no arguments. A named struct because
/// serde does not apply an enum's `deny_unknown_fields` to its variants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

/// Requests a content script may make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ContentRequest {
    /// Liveness check; answered with the core's version.
    Ping(NoFields),
}

/// Requests an extension page may make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum PageRequest {
    /// Liveness check; answered with the core's version.
    Ping(NoFields),
    /// Every connected (or half-connected) inbox with its state.
    ListAccounts(NoFields),
    /// What of the admin's policy was ignored for its shape, and why.
    PolicyStatus(NoFields),
    /// Which provider an address needs, with the evidence.
    Detect(AddressArg),
    /// What Inlay will access at a provider, and why, before the user continues.
    Disclosure(DisclosureArg),
    /// Runs the connect flow for an address to the end (or the first error).
    Connect(ConnectArg),
    /// Abandons an unfinished connect flow, leaving no half-made state.
    CancelConnect(AddressArg),
    /// Signs in again to an inbox that needs reauthentication.
    Reconnect(AddressArg),
    /// Revokes at the provider where possible and deletes the inbox's tokens.
    Disconnect(AddressArg),
    /// Turns inbox automation on or off for one inbox.
    SetAutomation(SetAutomationArg),
    /// What turning on an optional feature of a connected inbox asks for, and why.
    FeatureDisclosure(FeatureArg),
    /// Turns an optional feature on (its sign-in for the added scopes) or off.
    SetFeature(SetFeatureArg),
    /// Checks an inbox's connection now (tokens, aliases).
    CheckAccount(AddressArg),
    /// Starts Autodiscover for an Exchange address with its password.
    ExchangeDiscover(ExchangeDiscoverArg),
    /// Continues Autodiscover after the user answered a question it asked.
    ExchangeResume(ExchangeResumeArg),
    /// Verifies the password against an EWS URL and saves the inbox.
    ExchangeConnect(ExchangeConnectArg),
    /// IMAP: is the mail helper installed, admin settings for the domain,
    /// and the origins discovery would read (to ask the user first).
    ImapStart(AddressArg),
    /// IMAP: finds the settings for an address (autoconfig, ISPDB, MX, guesses).
    ImapDiscover(AddressArg),
    /// IMAP: checks the IMAP and SMTP logins through the helper, then saves the inbox.
    ImapConnect(crate::rpc::imap::ImapConnectArg),
    /// IMAP: the user dismissed the notice shown beside the inbox.
    ImapDismissNotice(AddressArg),
    /// CRM: records matching what the user typed, best first.
    CrmSearch(crate::rpc::crm::CrmSearchArg),
    /// CRM: one page of a sorted, filtered list.
    CrmList(Box<crate::rpc::crm::CrmListArg>),
    /// CRM: a record with its associations, first timeline page, tasks and notes.
    CrmGet(crate::rpc::crm::CrmRecordArg),
    /// CRM: an older page of a record's timeline.
    CrmTimeline(crate::rpc::crm::CrmTimelineArg),
    /// CRM: a write (save, delete, undo, merge, move a deal, complete a task).
    CrmSave(Box<crate::rpc::crm::CrmSaveArg>),
    /// CRM: a pipeline's deals by stage.
    CrmBoard(crate::rpc::crm::CrmBoardArg),
    /// CRM: one page of the task list.
    CrmTasks(crate::rpc::crm::CrmTasksArg),
    /// CRM: stages one chunk of a CSV file for import.
    CrmImportChunk(crate::rpc::crm::CrmImportChunkArg),
    /// CRM: the staged file's columns, suggested mapping and sample rows.
    CrmImportPreview(crate::rpc::crm::CrmImportArg),
    /// CRM: imports the staged file with a mapping, in one transaction.
    CrmImportRun(crate::rpc::crm::CrmImportRunArg),
    /// CRM: drops a staged file.
    CrmImportDiscard(crate::rpc::crm::CrmImportArg),
    /// CRM: every record of a kind as CSV.
    CrmExport(crate::rpc::crm::CrmExportArg),
    /// CRM: the settings in force (owners, pipelines, currency).
    CrmSettings(NoFields),
    /// CRM: saves the user's settings.
    CrmSaveSettings(crate::rpc::crm::CrmSaveSettingsArg),
    /// CRM: recently deleted records (undo within 30 days).
    CrmTrash(NoFields),
    /// Send: what the compose dialog offers (From choices, To from the record, templates, signatures).
    SendCompose(crate::rpc::send::SendComposeArg),
    /// Send: saves a draft (new or edited).
    SendSaveDraft(Box<crate::rpc::send::SendDraftArg>),
    /// Send: one draft.
    SendDraft(crate::rpc::send::SendIdArg),
    /// Send: every draft, newest first.
    SendDrafts(NoFields),
    /// Send: deletes a draft and its staged attachments.
    SendDeleteDraft(crate::rpc::send::SendIdArg),
    /// Send: stages one chunk of an attachment.
    SendAttachmentChunk(crate::rpc::send::SendAttachmentChunkArg),
    /// Send: composes a draft into the outbox, now or at a time.
    SendSubmit(Box<crate::rpc::send::SendSubmitArg>),
    /// Send: the outbox, each email's state in words.
    SendOutbox(NoFields),
    /// Send: a scheduled email at another time (or now).
    SendReschedule(crate::rpc::send::SendRescheduleArg),
    /// Send: cancels a scheduled or waiting email.
    SendCancel(crate::rpc::send::SendIdArg),
    /// Send: a scheduled email back to a draft to edit (it is taken off the schedule).
    SendEdit(crate::rpc::send::SendIdArg),
    /// Send: the user's choice about an email that may have been sent.
    SendResolve(crate::rpc::send::SendResolveArg),
    /// Send: the late-send rule and signatures.
    SendSettings(NoFields),
    SendSaveSettings(crate::rpc::send::SendSettingsArg),
    /// Send: templates.
    SendTemplates(NoFields),
    SendSaveTemplate(Box<crate::rpc::send::SendTemplateArg>),
    SendDeleteTemplate(crate::rpc::send::SendIdArg),
}

/// Longest address accepted in a message (RFC 5321's path limit).
pub const MAX_ADDRESS_LEN: usize = 320;

/// An email address argument, length-checked before anything else reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(try_from = "String", into = "String")]
pub struct Address(String);

impl Address {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Address {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err("the email address is empty".into());
        }
        if trimmed.len() > MAX_ADDRESS_LEN {
            return Err(format!(
                "the email address is longer than {MAX_ADDRESS_LEN} characters"
            ));
        }
        Ok(Address(trimmed.to_string()))
    }
}

impl From<Address> for String {
    fn from(value: Address) -> String {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct AddressArg {
    pub address: Address,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct DisclosureArg {
    /// The kind of account, named `connect` as in every account record.
    pub connect: ConnectionKind,
    pub automation: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct ConnectArg {
    pub address: Address,
    pub connect: ConnectionKind,
    pub automation: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct SetAutomationArg {
    pub address: Address,
    pub on: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct FeatureArg {
    pub address: Address,
    pub feature: crate::auth::OptionalFeature,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct SetFeatureArg {
    pub address: Address,
    pub feature: crate::auth::OptionalFeature,
    pub on: bool,
}

/// Longest password accepted (the mail helper takes no more either).
pub const MAX_PASSWORD_LEN: usize = 1024;
/// Longest server URL accepted.
pub const MAX_URL_LEN: usize = 2048;

/// A password: never printed, length-checked, no line breaks or NULs (they
/// would end a protocol line). Refusals never quote the value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(try_from = "String", into = "String")]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl TryFrom<String> for Password {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        if value.is_empty() {
            return Err("the password is empty".into());
        }
        if value.len() > MAX_PASSWORD_LEN {
            return Err(format!(
                "the password is longer than {MAX_PASSWORD_LEN} bytes"
            ));
        }
        if value.contains(['\r', '\n', '\0']) {
            return Err("the password contains a line break or NUL character".into());
        }
        Ok(Password(value))
    }
}

impl Password {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Password> for String {
    fn from(value: Password) -> String {
        value.0
    }
}

/// A short single-line text (a user name), trimmed; empty means "not given".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(try_from = "String", into = "String")]
pub struct Line(String);

impl TryFrom<String> for Line {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let trimmed = value.trim();
        if trimmed.len() > MAX_ADDRESS_LEN {
            return Err(format!(
                "a field is longer than {MAX_ADDRESS_LEN} characters"
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err("a field contains a control character".into());
        }
        Ok(Line(trimmed.to_string()))
    }
}

impl From<Line> for String {
    fn from(value: Line) -> String {
        value.0
    }
}

/// A server URL as typed; its meaning is checked where it is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(try_from = "String", into = "String")]
pub struct UrlText(String);

impl TryFrom<String> for UrlText {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let trimmed = value.trim();
        if trimmed.is_empty() || trimmed.len() > MAX_URL_LEN {
            return Err(format!(
                "the server URL must have 1 to {MAX_URL_LEN} characters"
            ));
        }
        Ok(UrlText(trimmed.to_string()))
    }
}

impl From<UrlText> for String {
    fn from(value: UrlText) -> String {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExchangeDiscoverArg {
    pub address: Address,
    pub password: Password,
    /// `DOMAIN\user` or a UPN when it differs from the address.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub username: Option<Line>,
}

/// The user's answer to what Autodiscover asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum ExchangeAnswer {
    /// Whether the browser granted the host permissions asked for.
    Permission { granted: bool },
    /// Whether the user accepted sending the password to a redirected host.
    Confirmed { accepted: bool },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExchangeResumeArg {
    pub address: Address,
    pub answer: ExchangeAnswer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExchangeConnectArg {
    pub address: Address,
    pub password: Password,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub username: Option<Line>,
    pub ews_url: UrlText,
    pub automation: bool,
}

/// A validated request, tagged with the kind of caller it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "caller", content = "request", rename_all = "camelCase")]
pub enum Request {
    ContentScript(ContentRequest),
    ExtensionPage(PageRequest),
}

/// Why a message was refused. The worker answers with it and keeps running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct RpcError {
    pub code: &'static str,
    pub message: String,
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for RpcError {}

/// Largest message `caller` may send, in bytes of JSON.
pub fn max_message_bytes(caller: Caller) -> usize {
    match caller {
        Caller::ContentScript => MAX_CONTENT_MESSAGE_BYTES,
        Caller::ExtensionPage => MAX_PAGE_MESSAGE_BYTES,
    }
}

/// The refusal of a message the worker found over `caller`'s limit before
/// serialising it (it measures a lower bound of the JSON's size, so the
/// exact size is not known).
pub fn too_large(caller: Caller) -> RpcError {
    RpcError {
        code: "tooLarge",
        message: format!(
            "message refused: it is over the {}-byte limit",
            max_message_bytes(caller)
        ),
    }
}

/// Parses `json` as a request from `caller`, refusing anything off-schema.
pub fn parse_request(caller: Caller, json: &str) -> Result<Request, RpcError> {
    let limit = max_message_bytes(caller);
    if json.len() > limit {
        return Err(RpcError {
            code: "tooLarge",
            message: format!(
                "message of {} bytes is over the {limit}-byte limit",
                json.len()
            ),
        });
    }
    let invalid = |e: serde_json::Error| RpcError {
        code: "invalidMessage",
        message: format!("message refused: {e}"),
    };
    // serde also accepts `["ping"]` for a tagged enum; only objects are messages.
    let value: serde_json::Value = serde_json::from_str(json).map_err(invalid)?;
    if !value.is_object() {
        return Err(RpcError {
            code: "invalidMessage",
            message: "message refused: expected a JSON object with a \"type\"".into(),
        });
    }
    let request = match caller {
        Caller::ContentScript => serde_json::from_value(value).map(Request::ContentScript),
        Caller::ExtensionPage => serde_json::from_value(value).map(Request::ExtensionPage),
    }
    .map_err(invalid)?;
    if let Request::ExtensionPage(page) = &request {
        crm::check(page)
            .and_then(|()| send::check(page))
            .map_err(|why| RpcError {
                code: "invalidMessage",
                message: format!("message refused: {why}"),
            })?;
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ping_from_both_callers() {
        assert_eq!(
            parse_request(Caller::ContentScript, r#"{"type":"ping"}"#),
            Ok(Request::ContentScript(ContentRequest::Ping(NoFields {})))
        );
        assert_eq!(
            parse_request(Caller::ExtensionPage, r#"{"type":"ping"}"#),
            Ok(Request::ExtensionPage(PageRequest::Ping(NoFields {})))
        );
    }

    #[test]
    fn refuses_off_schema_messages() {
        for json in [
            r#"{"type":"getTokens"}"#,
            r#"{"type":"ping","extra":1}"#,
            r#"{"type":"ping","__proto__":{"admin":true}}"#,
            r#"{"kind":"ping"}"#,
            r#"["ping"]"#,
            r#""ping""#,
            "null",
            "",
            "{",
        ] {
            let err = parse_request(Caller::ContentScript, json).expect_err(json);
            assert_eq!(err.code, "invalidMessage", "{json}");
        }
    }

    #[test]
    fn content_scripts_cannot_make_page_requests() {
        for json in [
            r#"{"type":"listAccounts"}"#,
            r#"{"type":"policyStatus"}"#,
            r#"{"type":"disconnect","address":"ann@example.com"}"#,
            r#"{"type":"connect","address":"a@b.c","connect":"google","automation":true}"#,
        ] {
            assert_eq!(
                parse_request(Caller::ContentScript, json).unwrap_err().code,
                "invalidMessage",
                "{json}"
            );
            assert!(parse_request(Caller::ExtensionPage, json).is_ok(), "{json}");
        }
    }

    #[test]
    fn page_request_arguments_are_checked() {
        let ok = parse_request(
            Caller::ExtensionPage,
            r#"{"type":"connect","address":" ann@example.com ","connect":"microsoft","automation":false}"#,
        )
        .unwrap();
        let Request::ExtensionPage(PageRequest::Connect(arg)) = ok else {
            panic!("{ok:?}")
        };
        assert_eq!(arg.address.as_str(), "ann@example.com");
        assert_eq!(arg.connect, ConnectionKind::Microsoft);

        let long = format!(
            r#"{{"type":"detect","address":"{}@example.com"}}"#,
            "a".repeat(400)
        );
        for json in [
            r#"{"type":"detect","address":""}"#,
            long.as_str(),
            r#"{"type":"detect","address":42}"#,
            r#"{"type":"detect"}"#,
            r#"{"type":"connect","address":"a@b.c","connect":"yahoo","automation":true}"#,
            r#"{"type":"connect","address":"a@b.c","connect":"google"}"#,
            // The old field name is refused, not read.
            r#"{"type":"connect","address":"a@b.c","provider":"google","automation":true}"#,
            r#"{"type":"setAutomation","address":"a@b.c","on":"yes"}"#,
            r#"{"type":"exchangeDiscover","address":"a@b.c","password":""}"#,
            r#"{"type":"exchangeDiscover","address":"a@b.c","password":"x\r\nA1 LOGOUT"}"#,
            r#"{"type":"exchangeDiscover","address":"a@b.c","password":"p","username":"u\u0007"}"#,
            r#"{"type":"exchangeResume","address":"a@b.c","answer":{"kind":"confirmed"}}"#,
            r#"{"type":"exchangeResume","address":"a@b.c","answer":{"kind":"confirmed","accepted":true,"also":1}}"#,
            r#"{"type":"exchangeConnect","address":"a@b.c","password":"p","ewsUrl":"","automation":true}"#,
            r#"{"type":"exchangeConnect","address":"a@b.c","password":"p","ewsUrl":"https://x/EWS/Exchange.asmx"}"#,
            r#"{"type":"disconnect","address":"a@b.c","everything":true}"#,
        ] {
            let err = parse_request(Caller::ExtensionPage, json).unwrap_err();
            assert_eq!(err.code, "invalidMessage", "{json}");
        }
    }

    #[test]
    fn exchange_requests_parse_and_never_show_the_password() {
        let json = r#"{"type":"exchangeConnect","address":"ann@contoso.example","password":"s3cret-Pa55","username":" CONTOSO\\ann ","ewsUrl":"https://mail.contoso.example/EWS/Exchange.asmx","automation":true}"#;
        let parsed = parse_request(Caller::ExtensionPage, json).unwrap();
        let Request::ExtensionPage(PageRequest::ExchangeConnect(arg)) = &parsed else {
            panic!("{parsed:?}")
        };
        assert_eq!(
            arg.username.clone().map(String::from).as_deref(),
            Some("CONTOSO\\ann")
        );
        assert!(!format!("{parsed:?}").contains("s3cret"), "{parsed:?}");
        assert_eq!(
            parse_request(Caller::ContentScript, json).unwrap_err().code,
            "invalidMessage"
        );

        let resume = r#"{"type":"exchangeResume","address":"a@b.c","answer":{"kind":"permission","granted":false}}"#;
        assert!(parse_request(Caller::ExtensionPage, resume).is_ok());

        // A refusal names the problem without quoting the value.
        let long = format!(
            r#"{{"type":"exchangeDiscover","address":"a@b.c","password":"s3cret{}"}}"#,
            "x".repeat(MAX_PASSWORD_LEN)
        );
        let err = parse_request(Caller::ExtensionPage, &long).unwrap_err();
        assert!(err.message.contains("longer than"), "{}", err.message);
        assert!(!err.message.contains("s3cret"), "{}", err.message);
    }

    #[test]
    fn refuses_oversized_messages_before_parsing() {
        let big = format!(
            r#"{{"type":"ping","pad":"{}"}}"#,
            "x".repeat(MAX_CONTENT_MESSAGE_BYTES)
        );
        assert_eq!(
            parse_request(Caller::ContentScript, &big).unwrap_err().code,
            "tooLarge"
        );
        // Pages get a larger budget, but the schema still refuses the pad field.
        assert_eq!(
            parse_request(Caller::ExtensionPage, &big).unwrap_err().code,
            "invalidMessage"
        );
    }

    #[test]
    fn the_limit_the_worker_checks_first_is_the_one_parsing_applies() {
        for caller in [Caller::ContentScript, Caller::ExtensionPage] {
            let limit = max_message_bytes(caller);
            let pad = |n: usize| format!(r#"{{"type":"ping","p":"{}"}}"#, "x".repeat(n - 22));
            assert_eq!(pad(limit).len(), limit);
            assert_ne!(
                parse_request(caller, &pad(limit)).unwrap_err().code,
                "tooLarge"
            );
            assert_eq!(
                parse_request(caller, &pad(limit + 1)).unwrap_err().code,
                "tooLarge"
            );
            let refusal = too_large(caller);
            assert_eq!(refusal.code, "tooLarge");
            assert!(
                refusal.message.contains(&format!("{limit}-byte limit")),
                "{}",
                refusal.message
            );
        }
    }
}
