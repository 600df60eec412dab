//! dns.google: Google Public DNS's JSON API (`GET /resolve?name=&type=`), answered from the
//! records tests seed with `POST /seed {"dns":[…]}`. Nothing is resolved for real.
//!
//! Data is served exactly as seeded (Google strips the quotes of TXT strings; seed it so).
//! A name with no records at all is NXDOMAIN (Status 3); a name with records of other
//! types only is NOERROR with no Answer, as a real resolver says.

use serde_json::json;

use crate::http::{Request, Response};
use crate::sandbox::Sandbox;

/// Record types by mnemonic (RFC 1035 and successors).
const TYPES: &[(&str, u16)] = &[
    ("A", 1),
    ("NS", 2),
    ("CNAME", 5),
    ("SOA", 6),
    ("PTR", 12),
    ("MX", 15),
    ("TXT", 16),
    ("AAAA", 28),
    ("SRV", 33),
    ("DS", 43),
    ("DNSKEY", 48),
    ("HTTPS", 65),
    ("ANY", 255),
    ("CAA", 257),
];

/// The numeric type of a mnemonic (any case) or of a decimal number.
pub fn type_code(s: &str) -> Option<u16> {
    s.parse().ok().or_else(|| {
        TYPES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|&(_, c)| c)
    })
}

/// Lower case, no trailing dot: how names are stored and compared.
pub fn normalize_name(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

pub fn handle(req: &Request, sandbox: &Sandbox) -> Response {
    if req.path != "/resolve" {
        return super::google_error::not_found_page(&req.path);
    }
    if req.method != "GET" && req.method != "HEAD" {
        return Response::text(405, "405 Method Not Allowed: the JSON API is GET only\n")
            .with_header("allow", "GET, HEAD");
    }
    let Some(name) = req.query_param("name").filter(|n| !n.trim().is_empty()) else {
        return Response::json(
            400,
            &json!({ "error": "Required parameter 'name' is missing." }),
        );
    };
    let type_param = req.query_param("type").unwrap_or_else(|| "A".into());
    let Some(rtype) = type_code(&type_param) else {
        return Response::json(
            400,
            &json!({ "error": format!("Invalid type: {type_param}") }),
        );
    };
    let wanted = normalize_name(&name);
    let checking_disabled = matches!(req.query_param("cd").as_deref(), Some("1" | "true"));

    let state = sandbox.state();
    let known = state.dns.iter().any(|r| r.name == wanted);
    let answers: Vec<_> = state
        .dns
        .iter()
        .filter(|r| r.name == wanted && (r.rtype == rtype || rtype == 255))
        .map(|r| json!({ "name": format!("{}.", r.name), "type": r.rtype, "TTL": r.ttl, "data": r.data }))
        .collect();

    let mut body = json!({
        "Status": if known { 0 } else { 3 },
        "TC": false,
        "RD": true,
        "RA": true,
        "AD": false,
        "CD": checking_disabled,
        "Question": [{ "name": format!("{wanted}."), "type": rtype }],
    });
    if !answers.is_empty() {
        body["Answer"] = json!(answers);
    }
    Response::json(200, &body).with_header("access-control-allow-origin", "*")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hosts::ispdb::IspDb;

    fn sandbox() -> Sandbox {
        let sb = Sandbox::new(IspDb::default());
        let seed = json!({"dns":[
            {"name":"example.com","type":"MX","data":"10 aspmx.l.google.com."},
            {"name":"example.com","type":"MX","data":"20 alt1.aspmx.l.google.com."},
            {"name":"example.com","type":"TXT","data":"v=spf1 include:_spf.google.com ~all"}]});
        sb.state()
            .seed(serde_json::from_value(seed).unwrap())
            .unwrap();
        sb
    }

    fn resolve(sb: &Sandbox, q: &str) -> serde_json::Value {
        let r = handle(
            &Request::new("GET", "dns.google", &format!("/resolve?{q}")),
            sb,
        );
        assert_eq!(r.status, 200);
        r.json_body().unwrap()
    }

    #[test]
    fn answers_seeded_records() {
        let sb = sandbox();
        let mx = resolve(&sb, "name=Example.COM.&type=MX");
        assert_eq!(mx["Status"], 0);
        assert_eq!(mx["Question"], json!([{"name":"example.com.","type":15}]));
        assert_eq!(
            mx["Answer"][0],
            json!({"name":"example.com.","type":15,"TTL":300,"data":"10 aspmx.l.google.com."})
        );
        assert_eq!(mx["Answer"].as_array().unwrap().len(), 2);
        assert_eq!(
            resolve(&sb, "name=example.com&type=16")["Answer"][0]["type"],
            16
        );
    }

    #[test]
    fn nodata_and_nxdomain() {
        let sb = sandbox();
        let nodata = resolve(&sb, "name=example.com&type=AAAA");
        assert_eq!(nodata["Status"], 0);
        assert!(nodata.get("Answer").is_none());
        assert_eq!(resolve(&sb, "name=nope.example&type=MX")["Status"], 3);
    }

    #[test]
    fn bad_queries() {
        let sb = sandbox();
        assert_eq!(
            handle(&Request::new("GET", "dns.google", "/resolve"), &sb).status,
            400
        );
        assert_eq!(
            handle(
                &Request::new("GET", "dns.google", "/resolve?name=a&type=WAT"),
                &sb
            )
            .status,
            400
        );
        assert_eq!(
            handle(&Request::new("GET", "dns.google", "/dns-query"), &sb).status,
            404
        );
        assert_eq!(
            handle(&Request::new("POST", "dns.google", "/resolve?name=a"), &sb).status,
            405
        );
    }
}
