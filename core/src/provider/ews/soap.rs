//! The SOAP 1.1 envelope around EWS operations: building it, and reading the
//! answer's header (server version) and body or fault.

use serde::{Deserialize, Serialize};

use super::credentials::Credentials;
use super::errors::{self, EwsContext};
use super::xml::{self, Element};
use crate::http::{HttpRequest, Method};
use crate::provider::{Disposition, Outcome, parse_retry_after};

pub const SOAP_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const TYPES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
pub const MESSAGES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
/// The schema version we speak: the oldest with everything we use.
pub const REQUEST_SERVER_VERSION: &str = "Exchange2010_SP2";

/// A POST of `operation` (an `m:` element) in an envelope to the EWS URL.
pub(crate) fn request(ews_url: &str, credentials: &Credentials, operation: &str) -> HttpRequest {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <soap:Envelope xmlns:soap=\"{SOAP_NS}\" xmlns:t=\"{TYPES_NS}\" xmlns:m=\"{MESSAGES_NS}\">\
         <soap:Header><t:RequestServerVersion Version=\"{REQUEST_SERVER_VERSION}\"/></soap:Header>\
         <soap:Body>{operation}</soap:Body></soap:Envelope>"
    );
    HttpRequest {
        body_base64: None,
        method: Method::Post,
        url: ews_url.to_string(),
        headers: vec![
            ("Content-Type".into(), "text/xml; charset=utf-8".into()),
            ("Authorization".into(), credentials.basic_auth()),
        ],
        body: Some(body),
    }
}

/// `ServerVersionInfo` from the response header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerVersionInfo {
    pub major_version: u32,
    pub minor_version: u32,
    pub major_build_number: u32,
    /// The schema name, e.g. `V2_23` or `Exchange2013_SP1`; absent before 2013.
    pub version: Option<String>,
}

impl ServerVersionInfo {
    fn read(header: &Element) -> Option<Self> {
        let info = header.child("ServerVersionInfo")?;
        let num = |name| info.attr(name).and_then(|v| v.trim().parse().ok());
        Some(ServerVersionInfo {
            major_version: num("MajorVersion")?,
            minor_version: num("MinorVersion")?,
            major_build_number: num("MajorBuildNumber").unwrap_or(0),
            version: info.attr("Version").map(str::to_string),
        })
    }

    /// Exchange 2010 SP2 is 14.2; every later major version qualifies.
    pub fn is_supported(&self) -> bool {
        (self.major_version, self.minor_version) >= (14, 2)
    }
}

/// A successful envelope: the header's version and the body's first element.
#[derive(Debug, Clone)]
pub(crate) struct Envelope {
    pub server: Option<ServerVersionInfo>,
    pub operation: Element,
}

/// Reads any EWS outcome down to the operation's response element, or
/// decides what to do instead (retry, sign in again, fail).
pub(crate) fn read(outcome: &Outcome, ctx: &EwsContext) -> Result<Envelope, Disposition> {
    let response = match outcome {
        Outcome::Transport { failure } => return Err(errors::transport(*failure, ctx)),
        Outcome::Response { response } => response,
    };
    let status = response.status;
    let retry_after = response
        .header("retry-after")
        .and_then(|v| parse_retry_after(v, ctx.attempt.now_ms));
    let document = xml::parse(&response.body).filter(|root| root.name == "Envelope");
    let header = document.as_ref().and_then(|d| d.child("Header"));
    let server = header.and_then(ServerVersionInfo::read);
    if let Some(server) = &server
        && !server.is_supported()
    {
        return Err(errors::too_old());
    }
    // EWS sends faults (schema errors, ErrorServerBusy…) with HTTP 500.
    if let Some(fault) = document
        .as_ref()
        .and_then(|d| d.child("Body"))
        .and_then(|b| b.child("Fault"))
    {
        return Err(errors::fault(fault, retry_after, ctx));
    }
    if !(200..300).contains(&status) {
        return Err(errors::http_status(status, retry_after, ctx));
    }
    let operation = document
        .as_ref()
        .and_then(|d| d.child("Body"))
        .and_then(|b| b.children.first())
        .cloned();
    match operation {
        Some(operation) => Ok(Envelope { server, operation }),
        None => Err(errors::unreadable()),
    }
}
