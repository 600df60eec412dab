//! EWS (`POST https://mail.<domain>/EWS/Exchange.asmx`): SOAP 1.1 over Basic auth, written
//! from `messages.xsd`/`types.xsd`. Operations: GetFolder, CreateItem (MIME; a
//! SendAndSaveCopy is a recorded delivery, deferred by 0x3FEF into the Outbox (delivered
//! when the sandbox clock passes its time, unless deleted first: DeleteItem); SaveOnly a
//! draft, deferred time kept), SendItem (a draft delivered once: a second SendItem of the
//! same id finds no draft, `ErrorItemNotFound`), FindItem
//! (IdOnly, indexed paging, several folders, a Message-ID restriction), GetItem (MIME, or
//! the header properties the core's sync asks for),
//! SyncFolderItems. Responses carry the seeded
//! version's `ServerVersionInfo` header; the sandbox's tests validate them with xmllint.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::delivery;
use crate::http::{Request, Response};
use crate::sandbox::Sandbox;
use crate::state::{Account, ExchangeVersion, Provider, State, StoredMessage};
use crate::xml::{self, Element, MESSAGES, SOAP, TYPES, escape};

const ITEM_PREFIX: &str = "inlay-sandbox-item:";
const FOLDER_PREFIX: &str = "inlay-sandbox-folder:";
const SYNC_PREFIX: &str = "inlay-sandbox-sync:v1:";

/// Distinguished folders we model: (EWS id, mailbox label, display name).
const FOLDERS: &[(&str, &str, &str)] = &[
    ("inbox", "INBOX", "Inbox"),
    ("sentitems", "SENT", "Sent Items"),
    ("drafts", "DRAFT", "Drafts"),
    ("deleteditems", "TRASH", "Deleted Items"),
    ("junkemail", "SPAM", "Junk Email"),
    ("outbox", "OUTBOX", "Outbox"),
];

pub fn handle(req: &Request, sandbox: &Sandbox, _domain: &str) -> Response {
    let mut state = sandbox.state();
    let Some(account) = super::exchange::basic_auth(req, &state) else {
        return super::exchange::unauthorized(&req.host);
    };
    let me = account.address.clone();
    let version = account
        .exchange
        .as_ref()
        .map(|x| x.version)
        .unwrap_or(ExchangeVersion::Exchange2016);
    if req.method != "POST" {
        return Response::text(405, "EWS answers POST only\n").with_header("allow", "POST");
    }
    let root = match xml::parse(&req.body) {
        Ok(root) if root.is(SOAP, "Envelope") => root,
        Ok(_) => {
            return fault(
                "ErrorSchemaValidation",
                "The request failed schema validation: the root is not a SOAP 1.1 Envelope.",
            );
        }
        Err(e) => {
            return fault(
                "ErrorSchemaValidation",
                &format!("The request failed schema validation: {e}"),
            );
        }
    };
    let header = root.child(SOAP, "Header");
    let has_version = header
        .and_then(|h| h.child(TYPES, "RequestServerVersion"))
        .and_then(|v| v.attr("Version"))
        .is_some();
    if !has_version {
        return fault(
            "ErrorSchemaValidation",
            "The request failed schema validation: RequestServerVersion is missing.",
        );
    }
    let Some(op) = root.child(SOAP, "Body").and_then(|b| b.children.first()) else {
        return fault(
            "ErrorSchemaValidation",
            "The request failed schema validation: empty Body.",
        );
    };
    let name = op.name.as_str();
    if op.ns != MESSAGES
        || !matches!(
            name,
            "GetFolder"
                | "CreateItem"
                | "SendItem"
                | "DeleteItem"
                | "FindItem"
                | "GetItem"
                | "SyncFolderItems"
        )
    {
        return fault(
            "ErrorInvalidRequest",
            &format!(
                "The request is invalid: the sandbox does not serve {{{}}}{}.",
                op.ns, op.name
            ),
        );
    }

    // Whose mailbox: an impersonated or explicitly named one, else the caller's.
    let target = header
        .and_then(|h| h.child(TYPES, "ExchangeImpersonation"))
        .and_then(|i| i.child(TYPES, "ConnectingSID"))
        .and_then(|c| {
            c.child(TYPES, "PrimarySmtpAddress")
                .or_else(|| c.child(TYPES, "SmtpAddress"))
        })
        .or_else(|| {
            op.find(TYPES, "Mailbox")
                .and_then(|m| m.child(TYPES, "EmailAddress"))
        })
        .map(|e| e.text.trim().to_ascii_lowercase())
        .unwrap_or_else(|| me.clone());
    let tail = match name {
        "GetFolder" => "<m:Folders/>",
        "CreateItem" | "GetItem" => "<m:Items/>",
        _ => "",
    };
    if state.account(Provider::Exchange, &target).is_none() {
        let msg = error(
            name,
            "ErrorNonExistentMailbox",
            "The SMTP address has no mailbox associated with it.",
            tail,
        );
        return soap(version, name, &msg);
    }
    if target != me {
        let msg = error(
            name,
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
            tail,
        );
        return soap(version, name, &msg);
    }

    crate::delivery::deliver_due(&mut state);
    let messages = match name {
        "GetFolder" => get_folder(op, state.account(Provider::Exchange, &me).unwrap()),
        "CreateItem" => create_item(op, &mut state, &me),
        "SendItem" => send_item(op, &mut state, &me),
        "DeleteItem" => delete_item(op, &mut state, &me),
        "FindItem" => match find_item(op, state.account(Provider::Exchange, &me).unwrap()) {
            Ok(m) => m,
            Err(f) => return f,
        },
        "GetItem" => get_item(op, state.account(Provider::Exchange, &me).unwrap()),
        _ => match sync_folder_items(op, state.account(Provider::Exchange, &me).unwrap()) {
            Ok(m) => m,
            Err(f) => return f,
        },
    };
    soap(version, name, &messages)
}

/// 200 with the SOAP envelope around `<m:{op}Response>`.
fn soap(version: ExchangeVersion, op: &str, messages: &str) -> Response {
    let (major, minor, build, minor_build, v) = version.server_version_info();
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="{SOAP}"><s:Header><h:ServerVersionInfo MajorVersion="{major}" MinorVersion="{minor}" MajorBuildNumber="{build}" MinorBuildNumber="{minor_build}" Version="{v}" xmlns:h="{TYPES}" xmlns="{TYPES}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><m:{op}Response xmlns:m="{MESSAGES}" xmlns:t="{TYPES}"><m:ResponseMessages>{messages}</m:ResponseMessages></m:{op}Response></s:Body></s:Envelope>"#
    );
    Response::new(200, "text/xml; charset=utf-8", body)
}

/// A SOAP fault (HTTP 500), as Exchange sends for requests it cannot process at all.
pub fn fault(code: &str, text: &str) -> Response {
    fault_with(code, text, "")
}

/// Exchange throttling a request before doing any work: `ErrorServerBusy` with the pause
/// it asks for (the fault `ewsServerBusyMs` answers this).
pub fn server_busy(back_off_ms: u64) -> Response {
    fault_with(
        "ErrorServerBusy",
        "The server cannot service this request right now. Try again later.",
        &format!(
            r#"<t:MessageXml xmlns:t="{TYPES}"><t:Value Name="BackOffMilliseconds">{back_off_ms}</t:Value></t:MessageXml>"#
        ),
    )
}

fn fault_with(code: &str, text: &str, message_xml: &str) -> Response {
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="{SOAP}"><s:Body><s:Fault><faultcode xmlns:a="{TYPES}">a:{code}</faultcode><faultstring xml:lang="en-US">{text}</faultstring><detail><e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">{code}</e:ResponseCode><e:Message xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">{text}</e:Message>{message_xml}</detail></s:Fault></s:Body></s:Envelope>"#,
        text = escape(text)
    );
    Response::new(500, "text/xml; charset=utf-8", body)
}

fn success(op: &str, inner: &str) -> String {
    format!(
        r#"<m:{op}ResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>{inner}</m:{op}ResponseMessage>"#
    )
}

fn error(op: &str, code: &str, text: &str, tail: &str) -> String {
    format!(
        r#"<m:{op}ResponseMessage ResponseClass="Error"><m:MessageText>{text}</m:MessageText><m:ResponseCode>{code}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>{tail}</m:{op}ResponseMessage>"#,
        text = escape(text)
    )
}

pub fn item_id(message_id: &str) -> String {
    STANDARD.encode(format!("{ITEM_PREFIX}{message_id}"))
}

fn item_id_xml(m: &StoredMessage) -> String {
    format!(
        r#"<t:ItemId Id="{}" ChangeKey="CQAAABYAAA{}"/>"#,
        item_id(&m.id),
        &m.id[m.id.len().saturating_sub(6)..]
    )
}

/// The message id inside an item id, or `None` when it is not one of ours.
fn message_id_of(item_id: &str) -> Option<String> {
    let raw = STANDARD.decode(item_id).ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix(ITEM_PREFIX)
        .map(str::to_owned)
}

fn folder_id(label: &str) -> String {
    STANDARD.encode(format!("{FOLDER_PREFIX}{label}"))
}

/// The mailbox label of a `DistinguishedFolderId` or `FolderId` element.
fn folder_label(el: &Element) -> Option<&'static str> {
    let id = el.attr("Id")?;
    if el.is(TYPES, "DistinguishedFolderId") {
        return FOLDERS.iter().find(|f| f.0 == id).map(|f| f.1);
    }
    let raw = String::from_utf8(STANDARD.decode(id).ok()?).ok()?;
    let label = raw.strip_prefix(FOLDER_PREFIX)?;
    FOLDERS.iter().find(|f| f.1 == label).map(|f| f.1)
}

/// The first folder id child of a `…FolderId(s)` container.
fn folder_in(container: Option<&Element>) -> Option<&Element> {
    container?
        .children
        .iter()
        .find(|c| c.is(TYPES, "DistinguishedFolderId") || c.is(TYPES, "FolderId"))
}

fn in_folder<'a>(account: &'a Account, label: &str) -> Vec<&'a StoredMessage> {
    account
        .mailbox
        .messages
        .iter()
        .filter(|m| m.label_ids.iter().any(|l| l == label))
        .collect()
}

fn get_folder(op: &Element, account: &Account) -> String {
    let shape = op
        .path(&[(MESSAGES, "FolderShape"), (TYPES, "BaseShape")])
        .map(|e| e.text.trim())
        .unwrap_or("IdOnly");
    let ids = op.child(MESSAGES, "FolderIds");
    let mut out = String::new();
    for el in ids.into_iter().flat_map(|f| f.children.iter()) {
        match folder_label(el) {
            Some(label) => {
                let name = FOLDERS.iter().find(|f| f.1 == label).unwrap().2;
                let mut props = format!(
                    r#"<t:FolderId Id="{}" ChangeKey="AQAAABYAAAA{label}"/>"#,
                    folder_id(label)
                );
                if shape != "IdOnly" {
                    let count = in_folder(account, label).len();
                    props.push_str(&format!(
                        "<t:FolderClass>IPF.Note</t:FolderClass><t:DisplayName>{name}</t:DisplayName><t:TotalCount>{count}</t:TotalCount><t:ChildFolderCount>0</t:ChildFolderCount><t:UnreadCount>0</t:UnreadCount>"
                    ));
                }
                out.push_str(&success(
                    "GetFolder",
                    &format!("<m:Folders><t:Folder>{props}</t:Folder></m:Folders>"),
                ));
            }
            None => out.push_str(&error(
                "GetFolder",
                "ErrorFolderNotFound",
                "The specified folder could not be found in the store.",
                "<m:Folders/>",
            )),
        }
    }
    out
}

fn create_item(op: &Element, state: &mut State, me: &str) -> String {
    let disposition = op.attr("MessageDisposition").unwrap_or_default().to_owned();
    let items = op.child(MESSAGES, "Items");
    let mut out = String::new();
    for item in items.into_iter().flat_map(|i| i.children.iter()) {
        let mime = item
            .child(TYPES, "MimeContent")
            .map(|m| m.text.split_whitespace().collect::<String>());
        let Some(Ok(raw)) = mime.map(|b64| STANDARD.decode(b64)) else {
            out.push_str(&error(
                "CreateItem",
                "ErrorMimeContentInvalid",
                "The MIME content is not valid.",
                "<m:Items/>",
            ));
            continue;
        };
        if disposition == "SendAndSaveCopy" {
            out.push_str(&send_and_save(item, raw, state, me));
            continue;
        }
        let label = match disposition.as_str() {
            "SaveOnly" => Some("DRAFT"),
            "SendOnly" => None,
            _ => {
                out.push_str(&error(
                    "CreateItem",
                    "ErrorInvalidOperation",
                    "MessageDisposition must be SaveOnly, SendOnly or SendAndSaveCopy for Message items.",
                    "<m:Items/>",
                ));
                continue;
            }
        };
        let id = label.and_then(|l| state.add_message(Provider::Exchange, me, raw, l));
        // Only SaveOnly returns the new item's id; sent items come back empty.
        let inner = match (disposition.as_str(), id) {
            ("SaveOnly", Some(id)) => {
                let account = state.account_mut(Provider::Exchange, me).unwrap();
                let m = account
                    .mailbox
                    .messages
                    .iter_mut()
                    .find(|m| m.id == id)
                    .unwrap();
                // A draft keeps its deferred send time for SendItem.
                m.deferred_until = deferred_send_time(item);
                format!(
                    "<m:Items><t:Message>{}</t:Message></m:Items>",
                    item_id_xml(m)
                )
            }
            _ => "<m:Items/>".to_owned(),
        };
        out.push_str(&success("CreateItem", &inner));
    }
    out
}

/// `SendAndSaveCopy`: the message is handed over and recorded as a delivery (`GET
/// /deliveries`), its copy filed in Sent Items, or in the Outbox while a deferred send
/// time (`PidTagDeferredSendTime`, 0x3FEF) is ahead; Exchange then delivers it at that
/// time, which the fake models by moving it to Sent Items on the next request after it.
fn send_and_save(item: &Element, raw: Vec<u8>, state: &mut State, me: &str) -> String {
    if delivery::recipients(&raw).is_empty() {
        return error(
            "CreateItem",
            "ErrorInvalidRecipients",
            "At least one recipient isn't valid.",
            "<m:Items/>",
        );
    }
    let deferred = deferred_send_time(item);
    let due = delivery::is_due(deferred.as_deref(), delivery::clock_ms(state));
    let account = state.account_mut(Provider::Exchange, me).unwrap();
    let mut stored = delivery::file(account, raw, None, if due { "SENT" } else { "OUTBOX" });
    stored.deferred_until = deferred;
    if let Some(filed) = account
        .mailbox
        .messages
        .iter_mut()
        .find(|m| m.id == stored.id)
    {
        filed.deferred_until = stored.deferred_until.clone();
    }
    // A deferred one is delivered when the clock passes its time (`delivery::deliver_due`).
    if due {
        delivery::record(account, "ews CreateItem", &stored);
    }
    success("CreateItem", "<m:Items/>")
}

/// `SendItem`: each named draft is handed over once, recorded as a delivery (via `ews
/// SendItem`) and moved to Sent Items (`SaveItemToFolder="true"`) or the Outbox while its
/// deferred send time is ahead. An id that names no draft (already sent, or never one)
/// answers `ErrorItemNotFound`, as Exchange does for an item no longer in the store.
fn send_item(op: &Element, state: &mut State, me: &str) -> String {
    let keep = op.attr("SaveItemToFolder").map(str::trim) == Some("true");
    let ids = op.child(MESSAGES, "ItemIds");
    let clock = delivery::clock_ms(state);
    let account = state.account_mut(Provider::Exchange, me).unwrap();
    let mut out = String::new();
    for el in ids.into_iter().flat_map(|i| i.children.iter()) {
        let id = el.attr("Id").and_then(message_id_of);
        let draft =
            account.mailbox.messages.iter().position(|m| {
                Some(&m.id) == id.as_ref() && m.label_ids.iter().any(|l| l == "DRAFT")
            });
        let Some(index) = draft else {
            out.push_str(&error(
                "SendItem",
                "ErrorItemNotFound",
                "The specified object was not found in the store.",
                "",
            ));
            continue;
        };
        if delivery::recipients(&account.mailbox.messages[index].raw).is_empty() {
            out.push_str(&error(
                "SendItem",
                "ErrorInvalidRecipients",
                "At least one recipient isn't valid.",
                "",
            ));
            continue;
        }
        let m = &mut account.mailbox.messages[index];
        let due = delivery::is_due(m.deferred_until.as_deref(), clock);
        m.label_ids = vec![if due { "SENT" } else { "OUTBOX" }.into()];
        let sent = m.clone();
        if due && !keep {
            account.mailbox.messages.remove(index);
        }
        account.mailbox.history_id += 1;
        // A deferred one waits in the Outbox until the clock passes its time.
        if due {
            delivery::record(account, "ews SendItem", &sent);
        }
        out.push_str(&success("SendItem", ""));
    }
    out
}

/// `DeleteItem`: each named item leaves the mailbox (any `DeleteType`: the fake keeps no
/// Deleted Items); a deferred message deleted from the Outbox is never delivered. An id
/// that names no item answers `ErrorItemNotFound`.
fn delete_item(op: &Element, state: &mut State, me: &str) -> String {
    let ids = op.child(MESSAGES, "ItemIds");
    let account = state.account_mut(Provider::Exchange, me).unwrap();
    let mut out = String::new();
    for el in ids.into_iter().flat_map(|i| i.children.iter()) {
        let id = el.attr("Id").and_then(message_id_of);
        match account
            .mailbox
            .messages
            .iter()
            .position(|m| Some(&m.id) == id.as_ref())
        {
            Some(index) => {
                account.mailbox.messages.remove(index);
                account.mailbox.history_id += 1;
                out.push_str(&success("DeleteItem", ""));
            }
            None => out.push_str(&error(
                "DeleteItem",
                "ErrorItemNotFound",
                "The specified object was not found in the store.",
                "",
            )),
        }
    }
    out
}

/// The item's `ExtendedProperty` with `PropertyTag` 16367 / 0x3FEF of type SystemTime.
fn deferred_send_time(item: &Element) -> Option<String> {
    item.children_named(TYPES, "ExtendedProperty")
        .find_map(|p| {
            let uri = p.child(TYPES, "ExtendedFieldURI")?;
            let tag = uri.attr("PropertyTag")?.trim().to_ascii_lowercase();
            let is_deferred = tag == "16367" || tag == "0x3fef";
            (is_deferred && uri.attr("PropertyType") == Some("SystemTime"))
                .then(|| p.child(TYPES, "Value").map(|v| v.text.trim().to_owned()))?
        })
}

fn num_attr(el: Option<&Element>, name: &str) -> Option<usize> {
    el?.attr(name)?.trim().parse().ok()
}

/// One `FindItemResponseMessage` per parent folder, as Exchange answers a search of
/// several folders.
fn find_item(op: &Element, account: &Account) -> Result<String, Response> {
    let folders: Vec<&Element> = op
        .child(MESSAGES, "ParentFolderIds")
        .into_iter()
        .flat_map(|f| f.children.iter())
        .filter(|c| c.is(TYPES, "DistinguishedFolderId") || c.is(TYPES, "FolderId"))
        .collect();
    if folders.is_empty() {
        return Err(fault(
            "ErrorSchemaValidation",
            "The request failed schema validation: no folder id.",
        ));
    }
    let wanted = restriction(op)?;
    let mut out = String::new();
    for el in folders {
        match folder_label(el) {
            Some(label) => out.push_str(&find_in(op, account, label, wanted.as_deref())),
            None => out.push_str(&error(
                "FindItem",
                "ErrorFolderNotFound",
                "The specified folder could not be found in the store.",
                "",
            )),
        }
    }
    Ok(out)
}

/// The Message-ID a `Restriction` asks for: only `IsEqualTo` on
/// `message:InternetMessageId` with a constant is modelled (what the outbox's Sent
/// lookup sends); anything else is refused as Exchange refuses a filter it can't run.
fn restriction(op: &Element) -> Result<Option<String>, Response> {
    let Some(r) = op.child(MESSAGES, "Restriction") else {
        return Ok(None);
    };
    let equal = r.child(TYPES, "IsEqualTo");
    let field = equal
        .and_then(|e| e.child(TYPES, "FieldURI"))
        .and_then(|f| f.attr("FieldURI"));
    let value = equal
        .and_then(|e| e.path(&[(TYPES, "FieldURIOrConstant"), (TYPES, "Constant")]))
        .and_then(|c| c.attr("Value"));
    match (field, value) {
        (Some("message:InternetMessageId"), Some(value)) => Ok(Some(value.to_owned())),
        _ => Err(fault(
            "ErrorUnsupportedQueryFilter",
            "The restriction or sort order is too complex for this operation (the sandbox \
             models IsEqualTo on message:InternetMessageId only).",
        )),
    }
}

/// The `Message-ID` header of a stored message, unfolded and trimmed.
fn internet_message_id(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines = head.split("\r\n").peekable();
    while let Some(line) = lines.next() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.trim().eq_ignore_ascii_case("message-id") {
            let mut value = value.trim().to_owned();
            while let Some(next) = lines.next_if(|l| l.starts_with([' ', '\t'])) {
                value.push_str(next.trim());
            }
            return Some(value);
        }
    }
    None
}

fn find_in(op: &Element, account: &Account, label: &str, message_id: Option<&str>) -> String {
    // Newest first, as Exchange's default view of a mail folder.
    let mut all = in_folder(account, label);
    all.reverse();
    if let Some(wanted) = message_id {
        all.retain(|m| internet_message_id(&m.raw).as_deref() == Some(wanted));
    }
    let total = all.len();
    let view = op.child(MESSAGES, "IndexedPageItemView");
    let max = num_attr(view, "MaxEntriesReturned").unwrap_or(usize::MAX);
    let offset = num_attr(view, "Offset").unwrap_or(0);
    let from_end = view.and_then(|v| v.attr("BasePoint")) == Some("End");
    let (start, end) = if from_end {
        let end = total.saturating_sub(offset);
        (end.saturating_sub(max), end)
    } else {
        let start = offset.min(total);
        (start, start.saturating_add(max).min(total))
    };
    let returned = end - start;
    let (next, last) = if from_end {
        (offset + returned, start == 0)
    } else {
        (end, end == total)
    };
    let items: String = all[start..end]
        .iter()
        .map(|m| format!("<t:Message>{}</t:Message>", item_id_xml(m)))
        .collect();
    success(
        "FindItem",
        &format!(
            r#"<m:RootFolder IndexedPagingOffset="{next}" TotalItemsInView="{total}" IncludesLastItemInRange="{last}"><t:Items>{items}</t:Items></m:RootFolder>"#
        ),
    )
}

/// `Ok(None)`: a folder we do not model; `Err`: no folder id at all (a fault).
fn folder_label_or_fault(container: Option<&Element>) -> Result<Option<&'static str>, Response> {
    match folder_in(container) {
        Some(el) => Ok(folder_label(el)),
        None => Err(fault(
            "ErrorSchemaValidation",
            "The request failed schema validation: no folder id.",
        )),
    }
}

fn get_item(op: &Element, account: &Account) -> String {
    let include_mime = op
        .path(&[(MESSAGES, "ItemShape"), (TYPES, "IncludeMimeContent")])
        .is_some_and(|e| matches!(e.text.trim(), "true" | "1"));
    // The core's sync asks for the header properties (`ews/sync.rs`).
    let wants_properties = op
        .path(&[(MESSAGES, "ItemShape"), (TYPES, "AdditionalProperties")])
        .is_some_and(|e| !e.children.is_empty());
    let ids = op.child(MESSAGES, "ItemIds");
    let mut out = String::new();
    for el in ids
        .into_iter()
        .flat_map(|i| i.children_named(TYPES, "ItemId"))
    {
        let id = el.attr("Id").unwrap_or_default();
        let Some(message_id) = message_id_of(id) else {
            out.push_str(&error(
                "GetItem",
                "ErrorInvalidIdMalformed",
                "Id is malformed.",
                "<m:Items/>",
            ));
            continue;
        };
        match account.mailbox.messages.iter().find(|m| m.id == message_id) {
            Some(m) => {
                let mime = if include_mime {
                    format!(
                        r#"<t:MimeContent CharacterSet="UTF-8">{}</t:MimeContent>"#,
                        STANDARD.encode(&m.raw)
                    )
                } else {
                    String::new()
                };
                let props = if wants_properties {
                    header_properties(&m.raw)
                } else {
                    String::new()
                };
                out.push_str(&success(
                    "GetItem",
                    &format!(
                        "<m:Items><t:Message>{mime}{}{props}</t:Message></m:Items>",
                        item_id_xml(m)
                    ),
                ));
            }
            None => out.push_str(&error(
                "GetItem",
                "ErrorItemNotFound",
                "The specified object was not found in the store.",
                "<m:Items/>",
            )),
        }
    }
    out
}

/// The stored message's header fields, unfolded: (name, value).
fn header_fields(raw: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let mut fields: Vec<(String, String)> = vec![];
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = fields.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((n, v)) = line.split_once(':') {
            fields.push((n.trim().to_owned(), v.trim().to_owned()));
        }
    }
    fields
}

/// `t:Mailbox` elements of an address list (a naive split: enough for seeded mail).
fn mailboxes(value: &str) -> String {
    value
        .split(',')
        .filter_map(|part| {
            let (name, address) = match part.split_once('<') {
                Some((n, a)) => (n.trim().trim_matches('"'), a.trim_end().trim_end_matches('>')),
                None => ("", part.trim()),
            };
            (!address.is_empty()).then(|| {
                let name = if name.is_empty() {
                    String::new()
                } else {
                    format!("<t:Name>{}</t:Name>", escape(name))
                };
                format!(
                    "<t:Mailbox>{name}<t:EmailAddress>{}</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType></t:Mailbox>",
                    escape(address)
                )
            })
        })
        .collect()
}

/// Subject, the header block, To/Cc, From and Message-ID, in `types.xsd`'s order (no
/// received date: seeded messages have none).
fn header_properties(raw: &[u8]) -> String {
    let fields = header_fields(raw);
    let get = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let mut out = String::new();
    if let Some(subject) = get("Subject") {
        out.push_str(&format!("<t:Subject>{}</t:Subject>", escape(subject)));
    }
    out.push_str("<t:InternetMessageHeaders>");
    for (n, v) in &fields {
        out.push_str(&format!(
            r#"<t:InternetMessageHeader HeaderName="{}">{}</t:InternetMessageHeader>"#,
            escape(n),
            escape(v)
        ));
    }
    out.push_str("</t:InternetMessageHeaders>");
    for (header, element) in [("To", "ToRecipients"), ("Cc", "CcRecipients")] {
        if let Some(v) = get(header) {
            out.push_str(&format!("<t:{element}>{}</t:{element}>", mailboxes(v)));
        }
    }
    if let Some(v) = get("From") {
        out.push_str(&format!("<t:From>{}</t:From>", mailboxes(v)));
    }
    if let Some(v) = get("Message-ID") {
        out.push_str(&format!(
            "<t:InternetMessageId>{}</t:InternetMessageId>",
            escape(v)
        ));
    }
    out
}

/// An opaque sync state: the folder and how many of its items (in arrival order) the
/// client has seen.
pub fn sync_state(label: &str, position: usize) -> String {
    STANDARD.encode(format!("{SYNC_PREFIX}{label}:{position}"))
}

fn parse_sync_state(state: &str, label: &str, count: usize) -> Option<usize> {
    let raw = String::from_utf8(STANDARD.decode(state.trim()).ok()?).ok()?;
    let (l, pos) = raw.strip_prefix(SYNC_PREFIX)?.rsplit_once(':')?;
    let pos: usize = pos.parse().ok()?;
    (l == label && pos <= count).then_some(pos)
}

fn sync_folder_items(op: &Element, account: &Account) -> Result<String, Response> {
    let Some(label) = folder_label_or_fault(op.child(MESSAGES, "SyncFolderId"))? else {
        return Ok(error(
            "SyncFolderItems",
            "ErrorFolderNotFound",
            "The specified folder could not be found in the store.",
            "",
        ));
    };
    let max = op
        .child(MESSAGES, "MaxChangesReturned")
        .and_then(|e| e.text.trim().parse::<usize>().ok())
        .filter(|n| (1..=512).contains(n))
        .ok_or_else(|| {
            fault(
                "ErrorSchemaValidation",
                "The request failed schema validation: MaxChangesReturned must be 1 to 512.",
            )
        })?;
    let items = in_folder(account, label);
    let position = match op.child(MESSAGES, "SyncState").map(|e| e.text.trim()) {
        None | Some("") => 0,
        Some(s) => match parse_sync_state(s, label, items.len()) {
            Some(p) => p,
            None => {
                return Ok(error(
                    "SyncFolderItems",
                    "ErrorInvalidSyncStateData",
                    "Synchronization state data is corrupt or otherwise invalid.",
                    "",
                ));
            }
        },
    };
    let end = (position + max).min(items.len());
    let creates: String = items[position..end]
        .iter()
        .map(|m| {
            format!(
                "<t:Create><t:Message>{}</t:Message></t:Create>",
                item_id_xml(m)
            )
        })
        .collect();
    Ok(success(
        "SyncFolderItems",
        &format!(
            "<m:SyncState>{}</m:SyncState><m:IncludesLastItemInRange>{}</m:IncludesLastItemInRange><m:Changes>{creates}</m:Changes>",
            sync_state(label, end),
            end == items.len()
        ),
    ))
}
