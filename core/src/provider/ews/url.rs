//! Checking an Exchange (EWS) URL the user typed or Autodiscover returned,
//! before any password goes to it.

use serde::Serialize;

use crate::connect::FlowError;
use crate::http::host_pattern;

use super::autodiscover::{EXCHANGE_ONLINE, is_exchange_online};

/// A usable EWS endpoint and the host permission it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EwsUrl {
    pub url: String,
    /// `https://host/*`, what `chrome.permissions.request` is asked for.
    pub origin: String,
}

const USUAL: &str = "https://mail.<your domain>/EWS/Exchange.asmx";

fn invalid(why: &str) -> FlowError {
    FlowError::new(
        "invalidEwsUrl",
        format!(
            "{why} The Exchange URL usually looks like {USUAL}; your IT team can tell you yours."
        ),
    )
}

/// Accepts only `https` URLs with a host and no user name or password in them
/// (the password goes in a header, never in a URL). Exchange Online is
/// refused: Basic authentication is retired there.
/// The EWS URL most on-premises servers use for `domain`
/// (`https://mail.<domain>/EWS/Exchange.asmx`): what the form suggests when
/// Autodiscover found nothing.
pub fn suggested_ews_url(domain: &str) -> String {
    format!("https://mail.{domain}/EWS/Exchange.asmx")
}

pub fn check_ews_url(text: &str) -> Result<EwsUrl, FlowError> {
    let url =
        crate::idn::parse_url(text.trim()).map_err(|_| invalid("That isn't a web address."))?;
    if url.scheme() != "https" {
        return Err(invalid(
            "Inlay sends your password only over an encrypted connection, so the address must start with https://.",
        ));
    }
    if url.host_str().is_none() {
        return Err(invalid("The address has no server name."));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "Remove the user name or password from the address; enter them in their own fields.",
        ));
    }
    if is_exchange_online(url.as_str()) {
        return Err(FlowError::new("exchangeOnline", EXCHANGE_ONLINE));
    }
    let mut url = url;
    url.set_fragment(None);
    let origin =
        host_pattern(url.as_str()).ok_or_else(|| invalid("The address has no server name."))?;
    Ok(EwsUrl {
        url: url.into(),
        origin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_usual_url_is_accepted_with_its_origin() {
        let ok = check_ews_url(" https://mail.contoso.example/EWS/Exchange.asmx#x ").unwrap();
        assert_eq!(ok.url, "https://mail.contoso.example/EWS/Exchange.asmx");
        assert_eq!(ok.origin, "https://mail.contoso.example/*");
        let port = check_ews_url("https://Mail.Contoso.example:8443/ews/exchange.asmx").unwrap();
        assert_eq!(port.origin, "https://mail.contoso.example/*");
    }

    #[test]
    fn unsafe_or_wrong_urls_are_refused_with_the_reason() {
        for (text, code, words) in [
            (
                "mail.contoso.example/EWS/Exchange.asmx",
                "invalidEwsUrl",
                "isn't a web address",
            ),
            (
                "http://mail.contoso.example/EWS/Exchange.asmx",
                "invalidEwsUrl",
                "https://",
            ),
            (
                "https://ann:pw@mail.contoso.example/EWS/Exchange.asmx",
                "invalidEwsUrl",
                "Remove the user name",
            ),
            ("ftp://mail.contoso.example/", "invalidEwsUrl", "https://"),
            (
                "https://outlook.office365.com/EWS/Exchange.asmx",
                "exchangeOnline",
                "Microsoft",
            ),
            // Every Exchange Online host Autodiscover knows, not only the two
            // usual ones; a trailing dot is the same host.
            (
                "https://eur.outlook.office365.com/EWS/Exchange.asmx",
                "exchangeOnline",
                "Microsoft",
            ),
            (
                "https://autodiscover-s.outlook.com/EWS/Exchange.asmx",
                "exchangeOnline",
                "Microsoft",
            ),
            (
                "https://outlook.office365.com./EWS/Exchange.asmx",
                "exchangeOnline",
                "Microsoft",
            ),
        ] {
            let e = check_ews_url(text).unwrap_err();
            assert_eq!(e.code, code, "{text}");
            assert!(e.message.contains(words), "{text}: {}", e.message);
        }
        assert!(
            check_ews_url("http://x/")
                .unwrap_err()
                .message
                .contains(USUAL.split('<').next().unwrap())
        );
    }
}
