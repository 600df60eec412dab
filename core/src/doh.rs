//! The shape of a DNS-over-HTTPS JSON answer (`https://dns.google/resolve`),
//! shared by provider detection and mail-settings discovery (MX) and by
//! Autodiscover (SRV). Each reads the records it needs.

use serde::Deserialize;

/// One resource record of the answer.
#[derive(Debug, Deserialize)]
pub(crate) struct DohAnswer {
    /// The RR type number (15 = MX, 33 = SRV).
    #[serde(rename = "type")]
    pub record_type: u16,
    /// The record's data in presentation form, e.g. `10 aspmx.l.google.com.`.
    pub data: String,
}

/// The whole answer: the DNS status (0 = NOERROR, 2 = SERVFAIL, 3 = NXDOMAIN) and its records.
#[derive(Debug, Deserialize)]
pub(crate) struct DohResponse {
    #[serde(rename = "Status")]
    pub status: u32,
    #[serde(rename = "Answer", default)]
    pub answer: Vec<DohAnswer>,
}
