//! autoconfig.thunderbird.net: Thunderbird's ISPDB, `GET /v1.1/<domain>`.
//!
//! Served from the ISPDB source files in shared/contracts/ispdb/ispdb. The real service
//! publishes one copy of each file per `<domain>` it lists, so every listed domain maps to
//! its file. Difference: the real copies are re-serialised by lxml (no XML declaration,
//! possibly other whitespace/quoting); we only drop the XML declaration and serve the
//! rest byte for byte.

use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::Arc;

use crate::http::{Request, Response};
use crate::sandbox::Sandbox;

#[derive(Debug, Default)]
pub struct IspDb {
    by_domain: HashMap<String, Arc<str>>,
}

impl IspDb {
    /// Loads every `*.xml` of `dir`. Files are read in name order; if two files claim one
    /// domain the first keeps it (and a warning goes to stderr).
    pub fn load(dir: &Path) -> io::Result<Self> {
        let mut files: Vec<_> = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "xml"))
            .collect();
        files.sort();
        let mut db = IspDb::default();
        for file in &files {
            let xml = std::fs::read_to_string(file)?;
            let served: Arc<str> = served_form(&xml).into();
            for domain in domains_of(&xml) {
                if db.by_domain.contains_key(&domain) {
                    if *db.by_domain[&domain] != *served {
                        eprintln!(
                            "inlay-sandbox: ISPDB domain {domain} listed again in {}; keeping the first",
                            file.display()
                        );
                    }
                    continue;
                }
                db.by_domain.insert(domain, served.clone());
            }
        }
        if db.by_domain.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no ISPDB <domain> entries in {}", dir.display()),
            ));
        }
        Ok(db)
    }

    /// The configuration served for a domain (any case).
    pub fn get(&self, domain: &str) -> Option<&str> {
        self.by_domain
            .get(&domain.to_ascii_lowercase())
            .map(|s| &**s)
    }

    pub fn domain_count(&self) -> usize {
        self.by_domain.len()
    }
}

/// Text of every `<domain>` element outside comments, lower-cased.
fn domains_of(xml: &str) -> Vec<String> {
    let mut text = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(start) = rest.find("<!--") {
        text.push_str(&rest[..start]);
        rest = rest[start..]
            .find("-->")
            .map_or("", |end| &rest[start + end + 3..]);
    }
    text.push_str(rest);

    let mut domains = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("<domain>") {
        rest = &rest[start + "<domain>".len()..];
        let Some(end) = rest.find("</domain>") else {
            break;
        };
        domains.push(rest[..end].trim().to_ascii_lowercase());
        rest = &rest[end..];
    }
    domains
}

/// The file without its XML declaration, as the real service serves it.
fn served_form(xml: &str) -> String {
    let xml = xml.trim_start_matches('\u{feff}');
    match xml
        .strip_prefix("<?xml")
        .and_then(|r| r.find("?>").map(|end| &r[end + 2..]))
    {
        Some(rest) => rest.trim_start().to_owned(),
        None => xml.to_owned(),
    }
}

pub fn handle(req: &Request, sandbox: &Sandbox) -> Response {
    let config = req
        .path
        .strip_prefix("/v1.1/")
        .filter(|d| !d.is_empty() && !d.contains('/'))
        .and_then(|d| sandbox.ispdb.get(d));
    match config {
        Some(xml) if req.method == "GET" || req.method == "HEAD" => {
            Response::new(200, "text/xml", xml)
        }
        _ => Response::html(
            404,
            "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_every_domain_outside_comments() {
        let xml = "<?xml version=\"1.0\"?>\n<clientConfig><emailProvider id=\"x\">\n<domain>A.com</domain>\
                   <!-- <domain>hidden.com</domain> --><domain> b.com </domain></emailProvider></clientConfig>\n";
        assert_eq!(domains_of(xml), ["a.com", "b.com"]);
        assert!(served_form(xml).starts_with("<clientConfig>"));
    }

    #[test]
    fn serves_the_shared_contracts() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let dir = crate::contracts::require(&repo).join("ispdb/ispdb");
        let db = IspDb::load(&dir).unwrap();
        assert!(db.domain_count() > 500);
        let gmail = db.get("gmail.com").unwrap();
        assert!(gmail.starts_with("<clientConfig"));
        assert_eq!(Some(gmail), db.get("GoogleMail.com"));
        assert_eq!(db.get("outlook.com"), db.get("hotmail.com"));
        assert!(db.get("onmicrosoft.com").unwrap().contains("office365"));

        let sb = Sandbox::new(db);
        let ok = handle(
            &Request::new("GET", "autoconfig.thunderbird.net", "/v1.1/gmail.com"),
            &sb,
        );
        assert_eq!(
            (ok.status, ok.header("content-type")),
            (200, Some("text/xml"))
        );
        assert_eq!(
            handle(
                &Request::new("GET", "autoconfig.thunderbird.net", "/v1.1/unknown.example"),
                &sb
            )
            .status,
            404
        );
        assert_eq!(
            handle(
                &Request::new("GET", "autoconfig.thunderbird.net", "/v1.1/"),
                &sb
            )
            .status,
            404
        );
    }
}
