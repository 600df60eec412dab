//! POX (plain old XML) Autodiscover: the request body and what an answer
//! says. Microsoft publishes no schema for it; the element names follow the
//! "POX Autodiscover request/response for Exchange" reference pages.

use serde::{Deserialize, Serialize};

use super::xml::{self, Element};

/// The Outlook response schema we ask for; its answer carries `EwsUrl`.
pub const RESPONSE_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
const REQUEST_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";

/// The request body for `email`.
pub fn request_body(email: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <Autodiscover xmlns=\"{REQUEST_SCHEMA}\">\
         <Request><EMailAddress>{}</EMailAddress>\
         <AcceptableResponseSchema>{RESPONSE_SCHEMA}</AcceptableResponseSchema>\
         </Request></Autodiscover>",
        xml::escape(email)
    )
}

/// Exchange's build, decoded from the POX `ServerVersion` hex value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoxServerVersion {
    pub major: u32,
    pub minor: u32,
    pub build: u32,
}

impl PoxServerVersion {
    /// `ServerVersion` is 32 bits: 4 bits of marker, 6 major, 6 minor, one
    /// flag bit, 15 build (e.g. `738180DA` = 14.1.218, Exchange 2010 SP1).
    pub fn from_hex(hex: &str) -> Option<Self> {
        let v = u32::from_str_radix(hex.trim(), 16).ok()?;
        Some(PoxServerVersion {
            major: (v >> 22) & 0x3f,
            minor: (v >> 16) & 0x3f,
            build: v & 0x7fff,
        })
    }
}

/// What one Autodiscover answer tells us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoxAnswer {
    Settings {
        ews_url: String,
        display_name: Option<String>,
        server_version: Option<PoxServerVersion>,
    },
    /// `settings` without an EWS URL among EXCH/EXPR protocols.
    NoEwsUrl,
    RedirectAddr(String),
    RedirectUrl(String),
    /// `Response/Error` (e.g. 500 "Invalid Request", 600, 601 "Provider
    /// is not available").
    Error {
        code: String,
        message: String,
    },
    /// Not XML, or not an Autodiscover document.
    Unreadable,
}

pub fn read_answer(body: &str) -> PoxAnswer {
    let Some(root) = xml::parse(body) else {
        return PoxAnswer::Unreadable;
    };
    let Some(response) = root
        .child("Response")
        .filter(|_| root.name == "Autodiscover")
    else {
        return PoxAnswer::Unreadable;
    };
    if let Some(error) = response.child("Error") {
        return PoxAnswer::Error {
            code: error.text_at(&["ErrorCode"]).unwrap_or_default(),
            message: error.text_at(&["Message"]).unwrap_or_default(),
        };
    }
    let Some(account) = response.child("Account") else {
        return PoxAnswer::Unreadable;
    };
    match account.text_at(&["Action"]).as_deref() {
        Some("redirectAddr") => account
            .text_at(&["RedirectAddr"])
            .map_or(PoxAnswer::Unreadable, PoxAnswer::RedirectAddr),
        Some("redirectUrl") => account
            .text_at(&["RedirectUrl"])
            .map_or(PoxAnswer::Unreadable, PoxAnswer::RedirectUrl),
        Some("settings") => settings(response, account),
        _ => PoxAnswer::Unreadable,
    }
}

fn settings(response: &Element, account: &Element) -> PoxAnswer {
    // EXCH is the internal (Outlook Anywhere-less) endpoint, EXPR the
    // external one; either EwsUrl works for us, EXCH first as Outlook does.
    let protocol = |kind: &str| {
        account
            .children_named("Protocol")
            .find(|p| p.text_at(&["Type"]).as_deref() == Some(kind))
            .and_then(|p| Some((p.text_at(&["EwsUrl"])?, p)))
    };
    let Some((ews_url, protocol)) = protocol("EXCH").or_else(|| protocol("EXPR")) else {
        return PoxAnswer::NoEwsUrl;
    };
    let server_version = account
        .children_named("Protocol")
        .chain(std::iter::once(protocol))
        .find_map(|p| p.text_at(&["ServerVersion"]))
        .and_then(|hex| PoxServerVersion::from_hex(&hex));
    PoxAnswer::Settings {
        ews_url,
        display_name: response.text_at(&["User", "DisplayName"]),
        server_version,
    }
}
