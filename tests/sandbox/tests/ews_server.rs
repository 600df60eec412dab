//! Exchange over real TLS: Autodiscover → GetFolder → CreateItem → FindItem → GetItem
//! against the `inlay-sandbox` binary, plus recording and a host fault.

#[path = "support/client.rs"]
mod client;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

const ANA: &str = "ana@contoso-exchange.example";

fn soap(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><soap:Header><t:RequestServerVersion Version="Exchange2013_SP1"/></soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"#
    )
}

#[test]
fn autodiscover_then_ews_over_tls() {
    let sb = client::SandboxProcess::start();
    let hosts = sb.ready["hosts"].to_string();
    for h in [
        "\"contoso-exchange.example\"",
        "\"autodiscover.contoso-exchange.example\"",
        "\"mail.contoso-exchange.example\"",
    ] {
        assert!(hosts.contains(h), "{hosts}");
    }
    let seed = json!({"accounts":[{"provider":"exchange","address":ANA,"password":"pw",
        "messages":["From: ben@fabrikam.example\r\nSubject: hi\r\n\r\nhello\r\n"]}]});
    assert_eq!(sb.control("POST", "/seed", Some(&seed)).0, 200);
    let auth = format!("Basic {}", STANDARD.encode(format!("{ANA}:pw")));
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "text/xml; charset=utf-8"),
    ];

    let pox = format!(
        r#"<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>{ANA}</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>"#
    );
    let r = sb
        .https(
            "contoso-exchange.example",
            "POST",
            "/autodiscover/autodiscover.xml",
            &[],
            pox.as_bytes(),
        )
        .unwrap();
    assert_eq!(r.status, 401);
    let r = sb
        .https(
            "contoso-exchange.example",
            "POST",
            "/autodiscover/autodiscover.xml",
            &headers,
            pox.as_bytes(),
        )
        .unwrap();
    let text = String::from_utf8(r.body).unwrap();
    let ews = text
        .split_once("<EwsUrl>")
        .unwrap()
        .1
        .split_once('<')
        .unwrap()
        .0
        .to_owned();
    assert_eq!(
        ews,
        "https://mail.contoso-exchange.example/EWS/Exchange.asmx"
    );
    let (host, path) = ews
        .strip_prefix("https://")
        .unwrap()
        .split_once('/')
        .unwrap();
    let path = format!("/{path}");
    let call = |body: &str| {
        let r = sb
            .https(host, "POST", &path, &headers, soap(body).as_bytes())
            .unwrap();
        assert_eq!(r.status, 200);
        String::from_utf8(r.body).unwrap()
    };

    let text = call(
        r#"<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>"#,
    );
    assert!(
        text.contains("NoError") && text.contains(r#"MajorVersion="15""#),
        "{text}"
    );
    let mime = STANDARD.encode("To: ben@fabrikam.example\r\nSubject: out\r\n\r\nbye\r\n");
    let text = call(&format!(
        r#"<m:CreateItem MessageDisposition="SendAndSaveCopy"><m:Items><t:Message><t:MimeContent CharacterSet="UTF-8">{mime}</t:MimeContent></t:Message></m:Items></m:CreateItem>"#
    ));
    assert!(text.contains("NoError"), "{text}");
    let text = call(
        r#"<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:IndexedPageItemView MaxEntriesReturned="50" Offset="0" BasePoint="Beginning"/><m:ParentFolderIds><t:DistinguishedFolderId Id="sentitems"/></m:ParentFolderIds></m:FindItem>"#,
    );
    let id = text
        .split_once(r#"<t:ItemId Id=""#)
        .unwrap()
        .1
        .split_once('"')
        .unwrap()
        .0
        .to_owned();
    let text = call(&format!(
        r#"<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:IncludeMimeContent>true</t:IncludeMimeContent></m:ItemShape><m:ItemIds><t:ItemId Id="{id}"/></m:ItemIds></m:GetItem>"#
    ));
    assert!(text.contains(&format!(">{mime}</t:MimeContent>")), "{text}");

    let (_, recorded) = sb.control(
        "GET",
        "/requests?host=mail.contoso-exchange.example&pathPrefix=/EWS/",
        None,
    );
    assert_eq!(recorded.as_array().unwrap().len(), 4);
    let fault =
        json!({"host":"mail.contoso-exchange.example","times":1,"status":503,"body":"busy"});
    assert_eq!(sb.control("POST", "/faults", Some(&fault)).0, 200);
    let r = sb
        .https(
            host,
            "POST",
            &path,
            &headers,
            soap("<m:GetFolder/>").as_bytes(),
        )
        .unwrap();
    assert_eq!(r.status, 503);
}

/// Plain HTTP/1.1 GET on the sandbox's HTTP port; returns the raw response text.
fn http_get(port: u64, host: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port as u16)).unwrap();
    write!(
        tcp,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    tcp.read_to_string(&mut text).unwrap();
    text
}

#[test]
fn the_http_probe_host_redirects_without_asking_for_a_password() {
    let sb = client::SandboxProcess::start();
    let probe = "autodiscover.fabrikam-exchange.example";
    assert_eq!(sb.ready["httpHosts"], json!([probe]));
    assert!(
        !sb.ready["hosts"]
            .to_string()
            .contains(&format!("\"{probe}\"")),
        "no TLS name for the probe host"
    );
    let port = sb.ready["httpPort"].as_u64().unwrap();

    // No account in probe mode: the plain web site's 404.
    assert!(http_get(port, probe, "/autodiscover/autodiscover.xml").starts_with("HTTP/1.1 404"));

    let seed = json!({"accounts":[{"provider":"exchange","address":"fay@fabrikam-exchange.example",
        "password":"pw","autodiscover":"redirectProbe"}]});
    assert_eq!(sb.control("POST", "/seed", Some(&seed)).0, 200);
    let answer = http_get(port, probe, "/autodiscover/autodiscover.xml");
    assert!(answer.starts_with("HTTP/1.1 302"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains(
            "location: https://mail.fabrikam-exchange.example/autodiscover/autodiscover.xml"
        ),
        "{answer}"
    );
    assert!(
        !answer.to_ascii_lowercase().contains("www-authenticate"),
        "{answer}"
    );
    assert!(http_get(port, probe, "/other").starts_with("HTTP/1.1 404"));
    // The probe is recorded like every other request.
    let (_, recorded) = sb.control("GET", "/requests", None);
    assert!(recorded.to_string().contains(probe));
}
