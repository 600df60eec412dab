//! EWS request planning: envelope, headers, operation bodies, escaping.

use inlay_core::http::{HttpRequest, Method};
use inlay_core::provider::ews::{
    Credentials, Folder, ItemId, Page, find_items, get_mime, send_mime, sync_items,
    verify_connection,
};

const URL: &str = "https://mail.contoso.com/EWS/Exchange.asmx";

fn creds() -> Credentials {
    Credentials::new("ana@contoso.com", "pa<ss>&\"word")
}

fn body(request: &HttpRequest) -> &str {
    request.body.as_deref().unwrap()
}

#[test]
fn every_operation_is_a_soap_post_with_basic_auth() {
    let id = ItemId {
        id: "AAMk1".into(),
        change_key: None,
    };
    let requests = [
        ("GetFolder", verify_connection(URL, &creds())),
        (
            "CreateItem",
            send_mime(URL, &creds(), b"Subject: hi\r\n\r\nhi"),
        ),
        (
            "FindItem",
            find_items(
                URL,
                &creds(),
                Folder::Inbox,
                Page {
                    max_entries: 50,
                    offset: 0,
                    from_end: false,
                },
            ),
        ),
        ("GetItem", get_mime(URL, &creds(), &[id])),
        (
            "SyncFolderItems",
            sync_items(URL, &creds(), Folder::Inbox, None, 512),
        ),
    ];
    for (operation, request) in &requests {
        assert_eq!(request.method, Method::Post, "{operation}");
        assert_eq!(request.url, URL);
        assert_eq!(
            request.headers,
            vec![
                (
                    "Content-Type".to_string(),
                    "text/xml; charset=utf-8".to_string()
                ),
                // base64("ana@contoso.com:pa<ss>&\"word")
                (
                    "Authorization".to_string(),
                    "Basic YW5hQGNvbnRvc28uY29tOnBhPHNzPiYid29yZA==".to_string()
                ),
            ]
        );
        let body = body(request);
        assert!(
            body.contains("<t:RequestServerVersion Version=\"Exchange2010_SP2\"/>"),
            "{operation}"
        );
        assert!(
            body.contains(&format!("<soap:Body><m:{operation}")),
            "{operation}: {body}"
        );
        assert!(!body.contains("pa<ss>"), "{operation}");
    }
}

#[test]
fn operation_bodies() {
    let cases: Vec<(HttpRequest, &[&str])> = vec![
        (
            verify_connection(URL, &creds()),
            &[
                "<m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>",
                "<m:FolderIds><t:DistinguishedFolderId Id=\"inbox\"/></m:FolderIds>",
            ],
        ),
        (
            send_mime(URL, &creds(), b"Subject: hi\r\n\r\nhi"),
            &[
                "<m:CreateItem MessageDisposition=\"SendAndSaveCopy\">",
                "<m:SavedItemFolderId><t:DistinguishedFolderId Id=\"sentitems\"/></m:SavedItemFolderId>",
                "<t:MimeContent CharacterSet=\"UTF-8\">U3ViamVjdDogaGkNCg0KaGk=</t:MimeContent>",
            ],
        ),
        (
            find_items(
                URL,
                &creds(),
                Folder::SentItems,
                Page {
                    max_entries: 25,
                    offset: 75,
                    from_end: true,
                },
            ),
            &[
                "<m:FindItem Traversal=\"Shallow\">",
                "<m:IndexedPageItemView MaxEntriesReturned=\"25\" Offset=\"75\" BasePoint=\"End\"/>",
                "<m:ParentFolderIds><t:DistinguishedFolderId Id=\"sentitems\"/></m:ParentFolderIds>",
            ],
        ),
        (
            get_mime(
                URL,
                &creds(),
                &[
                    ItemId {
                        id: "AA<1>".into(),
                        change_key: Some("C&\"K".into()),
                    },
                    ItemId {
                        id: "BB2".into(),
                        change_key: None,
                    },
                ],
            ),
            &[
                "<t:IncludeMimeContent>true</t:IncludeMimeContent>",
                "<t:ItemId Id=\"AA&lt;1&gt;\" ChangeKey=\"C&amp;&quot;K\"/><t:ItemId Id=\"BB2\"/>",
            ],
        ),
        (
            sync_items(URL, &creds(), Folder::Inbox, Some("H4s<I>"), 100),
            &[
                "<m:SyncFolderId><t:DistinguishedFolderId Id=\"inbox\"/></m:SyncFolderId>",
                "<m:SyncState>H4s&lt;I&gt;</m:SyncState>",
                "<m:MaxChangesReturned>100</m:MaxChangesReturned>",
            ],
        ),
    ];
    for (request, needles) in cases {
        let body = body(&request);
        for needle in needles {
            assert!(body.contains(needle), "missing {needle} in {body}");
        }
    }
}

#[test]
fn sync_state_is_omitted_the_first_time_and_max_changes_is_clamped() {
    let first = sync_items(URL, &creds(), Folder::Inbox, None, 5000);
    assert!(!body(&first).contains("SyncState"));
    assert!(body(&first).contains("<m:MaxChangesReturned>512</m:MaxChangesReturned>"));
    let zero = sync_items(URL, &creds(), Folder::Inbox, None, 0);
    assert!(body(&zero).contains("<m:MaxChangesReturned>1</m:MaxChangesReturned>"));
}
