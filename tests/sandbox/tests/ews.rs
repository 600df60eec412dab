//! The Exchange fakes in process: every EWS operation, auth, paging, sync state and
//! errors, with each request and each response body validated against messages.xsd.

#[path = "support/ews_schema.rs"]
mod ews_schema;

use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use inlay_sandbox::hosts::dispatch;
use inlay_sandbox::hosts::ispdb::IspDb;
use inlay_sandbox::http::{Request, Response};
use inlay_sandbox::sandbox::Sandbox;
use serde_json::json;

const ANA: &str = "ana@contoso-exchange.example";
const MAIL: &str = "mail.contoso-exchange.example";
const EWS: &str = "/EWS/Exchange.asmx";

pub fn envelope(version: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><soap:Header><t:RequestServerVersion Version="{version}"/></soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"#
    )
}

fn get_folder(mailbox: Option<&str>) -> String {
    let mb = mailbox
        .map(|a| format!("<t:Mailbox><t:EmailAddress>{a}</t:EmailAddress></t:Mailbox>"))
        .unwrap_or_default();
    envelope(
        "Exchange2013_SP1",
        &format!(
            r#"<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox">{mb}</t:DistinguishedFolderId></m:FolderIds></m:GetFolder>"#
        ),
    )
}

fn create_item(mime: &[u8]) -> String {
    envelope(
        "Exchange2013_SP1",
        &format!(
            r#"<m:CreateItem MessageDisposition="SendAndSaveCopy"><m:SavedItemFolderId><t:DistinguishedFolderId Id="sentitems"/></m:SavedItemFolderId><m:Items><t:Message><t:MimeContent CharacterSet="UTF-8">{}</t:MimeContent></t:Message></m:Items></m:CreateItem>"#,
            STANDARD.encode(mime)
        ),
    )
}

fn find_item(folder: &str, max: usize, offset: usize, base: &str) -> String {
    envelope(
        "Exchange2013_SP1",
        &format!(
            r#"<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:IndexedPageItemView MaxEntriesReturned="{max}" Offset="{offset}" BasePoint="{base}"/><m:ParentFolderIds><t:DistinguishedFolderId Id="{folder}"/></m:ParentFolderIds></m:FindItem>"#
        ),
    )
}

fn get_item(ids: &[&str]) -> String {
    let ids: String = ids
        .iter()
        .map(|i| format!(r#"<t:ItemId Id="{i}"/>"#))
        .collect();
    envelope(
        "Exchange2013_SP1",
        &format!(
            r#"<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:IncludeMimeContent>true</t:IncludeMimeContent></m:ItemShape><m:ItemIds>{ids}</m:ItemIds></m:GetItem>"#
        ),
    )
}

fn sync(state: Option<&str>, max: usize) -> String {
    let state = state
        .map(|s| format!("<m:SyncState>{s}</m:SyncState>"))
        .unwrap_or_default();
    envelope(
        "Exchange2013_SP1",
        &format!(
            r#"<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="inbox"/></m:SyncFolderId>{state}<m:MaxChangesReturned>{max}</m:MaxChangesReturned></m:SyncFolderItems>"#
        ),
    )
}

fn msg(n: usize) -> String {
    format!(
        "From: Ben <ben@fabrikam.example>\r\nTo: {ANA}\r\nSubject: Message {n}\r\nMessage-ID: <{n}@fabrikam.example>\r\n\r\nBody {n}.\r\n"
    )
}

/// A sandbox with Ana (3 inbox messages) and a recorder of every request and response.
struct Harness {
    sb: Sandbox,
    docs: Mutex<Vec<(String, String)>>,
}

impl Harness {
    fn new(version: &str) -> Self {
        let sb = Sandbox::new(IspDb::default());
        sb.state()
            .seed(serde_json::from_value(json!({"accounts":[
                {"provider":"exchange","address":ANA,"displayName":"Ana Lima","password":"pw","exchangeVersion":version,
                 "messages":[msg(1), msg(2), msg(3)]},
                {"provider":"exchange","address":"ben@contoso-exchange.example","password":"pw2"}]}))
            .unwrap())
            .unwrap();
        Harness {
            sb,
            docs: Mutex::new(Vec::new()),
        }
    }

    fn raw(&self, body: &str, auth: Option<(&str, &str)>) -> Response {
        let mut req = Request::new("POST", MAIL, EWS)
            .with_header("content-type", "text/xml; charset=utf-8")
            .with_body(body.to_owned());
        if let Some((u, p)) = auth {
            req = req.with_header(
                "authorization",
                &format!("Basic {}", STANDARD.encode(format!("{u}:{p}"))),
            );
        }
        dispatch(&req, &self.sb)
    }

    /// Posts as Ana; records request and response for schema validation.
    fn call(&self, name: &str, body: &str) -> (u16, String) {
        let r = self.raw(body, Some((ANA, "pw")));
        let text = String::from_utf8(r.body.clone()).unwrap();
        assert_eq!(r.header("content-type"), Some("text/xml; charset=utf-8"));
        let mut docs = self.docs.lock().unwrap();
        let n = docs.len();
        docs.push((format!("{n:02}-request-{name}"), body.to_owned()));
        docs.push((format!("{n:02}-response-{name}"), text.clone()));
        (r.status, text)
    }

    fn validate(&self, tag: &str) {
        ews_schema::validate(tag, &self.docs.lock().unwrap());
    }
}

fn attr_values(text: &str, attr: &str) -> Vec<String> {
    text.split(&format!(" {attr}=\""))
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect()
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    text.split_once(open)
        .unwrap()
        .1
        .split_once(close)
        .unwrap()
        .0
}

#[test]
fn auth_is_basic_of_a_seeded_account() {
    let h = Harness::new("Exchange2016");
    for auth in [
        None,
        Some((ANA, "nope")),
        Some(("nobody@contoso-exchange.example", "pw")),
    ] {
        let r = h.raw(&get_folder(None), auth);
        assert_eq!(r.status, 401);
        assert_eq!(
            r.header("www-authenticate"),
            Some("Basic realm=\"mail.contoso-exchange.example\"")
        );
    }
    // EWS lives on the mail host only.
    let req = Request::new("POST", "contoso-exchange.example", EWS).with_body(get_folder(None));
    assert_eq!(dispatch(&req, &h.sb).status, 404);
}

#[test]
fn every_operation_and_its_errors_validate_against_messages_xsd() {
    let h = Harness::new("Exchange2016");
    let (status, text) = h.call("get-folder", &get_folder(None));
    assert_eq!(status, 200, "{text}");
    assert!(
        text.contains(r#"MajorVersion="15" MinorVersion="1""#),
        "{text}"
    );
    assert!(text.contains("<t:TotalCount>3</t:TotalCount>"), "{text}");
    assert!(text.contains("<m:ResponseCode>NoError</m:ResponseCode>"));

    let (_, text) = h.call(
        "get-folder-unknown-mailbox",
        &get_folder(Some("ghost@contoso-exchange.example")),
    );
    assert!(text.contains("ErrorNonExistentMailbox"), "{text}");
    let (_, text) = h.call(
        "get-folder-other-mailbox",
        &get_folder(Some("ben@contoso-exchange.example")),
    );
    assert!(text.contains("ErrorAccessDenied"), "{text}");

    let sent = b"From: Ana <ana@contoso-exchange.example>\r\nTo: ben@fabrikam.example\r\nSubject: Caf\xc3\xa9 & <tea>\r\n\r\nhi\r\n";
    let (_, text) = h.call("create-item", &create_item(sent));
    assert!(
        text.contains(r#"ResponseClass="Success""#) && text.contains("<m:Items/>"),
        "{text}"
    );
    {
        let st = h.sb.state();
        let ana = &st.accounts[0];
        let stored = ana.mailbox.messages.last().unwrap();
        assert_eq!(stored.raw, sent);
        assert_eq!(stored.label_ids, ["SENT"]);
    }
    let (_, text) = h.call(
        "find-item-sent",
        &find_item("sentitems", 10, 0, "Beginning"),
    );
    assert_eq!(attr_values(&text, "Id").len(), 1, "{text}");

    let (_, text) = h.call("find-item", &find_item("inbox", 2, 0, "Beginning"));
    assert!(
        text.contains(
            r#"IndexedPagingOffset="2" TotalItemsInView="3" IncludesLastItemInRange="false""#
        ),
        "{text}"
    );
    let first = attr_values(&text, "Id");
    let (_, text) = h.call("find-item-page-2", &find_item("inbox", 2, 2, "Beginning"));
    assert!(
        text.contains(
            r#"IndexedPagingOffset="3" TotalItemsInView="3" IncludesLastItemInRange="true""#
        ),
        "{text}"
    );
    let second = attr_values(&text, "Id");
    assert_eq!((first.len(), second.len()), (2, 1));
    let (_, text) = h.call("find-item-end", &find_item("inbox", 1, 0, "End"));
    assert_eq!(
        attr_values(&text, "Id"),
        second,
        "End counts from the oldest"
    );
    let (_, text) = h.call("find-item-past-end", &find_item("inbox", 5, 9, "Beginning"));
    assert!(
        text.contains(r#"IncludesLastItemInRange="true""#) && attr_values(&text, "Id").is_empty()
    );

    // Newest first: the first page starts with message 3.
    let (_, text) = h.call(
        "get-item",
        &get_item(&[&first[0], &second[0], "AAMkbm9wZQ==", "%%%"]),
    );
    let mime = STANDARD
        .decode(between(
            &text,
            "<t:MimeContent CharacterSet=\"UTF-8\">",
            "<",
        ))
        .unwrap();
    assert_eq!(mime, msg(3).as_bytes());
    assert!(
        text.matches("ResponseClass=\"Success\"").count() == 2,
        "{text}"
    );
    assert!(text.contains("ErrorInvalidIdMalformed"), "{text}");

    let (_, text) = h.call("sync-first", &sync(None, 2));
    assert_eq!(text.matches("<t:Create>").count(), 2, "{text}");
    assert!(text.contains("<m:IncludesLastItemInRange>false<"));
    let state = between(&text, "<m:SyncState>", "<").to_owned();
    let (_, text) = h.call("sync-next", &sync(Some(&state), 2));
    assert_eq!(text.matches("<t:Create>").count(), 1, "{text}");
    assert!(text.contains("<m:IncludesLastItemInRange>true<"));
    let state = between(&text, "<m:SyncState>", "<").to_owned();
    let (_, text) = h.call("sync-idle", &sync(Some(&state), 512));
    assert!(
        text.contains("<m:Changes/>") || text.contains("<m:Changes></m:Changes>"),
        "{text}"
    );
    h.sb.state()
        .seed(serde_json::from_value(json!({})).unwrap())
        .unwrap();
    // A new inbox message shows up as one Create after the saved state.
    {
        let mut st = h.sb.state();
        st.add_message(
            inlay_sandbox::state::Provider::Exchange,
            ANA,
            msg(4).into_bytes(),
            "INBOX",
        )
        .unwrap();
    }
    let (_, text) = h.call("sync-new", &sync(Some(&state), 512));
    assert_eq!(text.matches("<t:Create>").count(), 1, "{text}");
    let (_, text) = h.call("sync-garbage", &sync(Some("H4sIAAAAgarbage"), 10));
    assert!(text.contains("ErrorInvalidSyncStateData"), "{text}");

    h.validate("ews-all");
}

#[test]
fn faults_for_unknown_operations_and_missing_version() {
    let h = Harness::new("Exchange2016");
    let (status, text) = h.call(
        "unknown-op",
        &envelope("Exchange2013_SP1", r#"<m:GetUserOofSettingsRequest><t:Mailbox><t:Address>ana@contoso-exchange.example</t:Address></t:Mailbox></m:GetUserOofSettingsRequest>"#),
    );
    assert_eq!(status, 500);
    assert!(
        text.contains("<s:Fault>") && text.contains("a:ErrorInvalidRequest"),
        "{text}"
    );
    let no_version = get_folder(None).replace(
        r#"<t:RequestServerVersion Version="Exchange2013_SP1"/>"#,
        "",
    );
    let r = h.raw(&no_version, Some((ANA, "pw")));
    assert_eq!(r.status, 500);
    let text = String::from_utf8(r.body).unwrap();
    assert!(text.contains("a:ErrorSchemaValidation"), "{text}");
    // Only the response is checked: the first request is deliberately an op we do not serve.
    ews_schema::validate(
        "ews-faults",
        &[
            ("fault-1".into(), h.docs.lock().unwrap()[1].1.clone()),
            ("fault-2".into(), text),
        ],
    );
}

#[test]
fn the_seeded_version_goes_in_server_version_info() {
    let h = Harness::new("Exchange2010");
    let (_, text) = h.call("get-folder-2010", &get_folder(None));
    assert!(
        text.contains(r#"MajorVersion="14" MinorVersion="1""#),
        "{text}"
    );
    h.validate("ews-2010");
}
