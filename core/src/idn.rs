//! International domain names (IDNA, UTS 46) without Unicode tables in the
//! wasm module.
//!
//! The `url` and `idna` crates turn `bücher.example` into
//! `xn--bcher-kva.example` with ICU's UTS 46 tables, about 49 KB gzip of the
//! module. The browser's WHATWG `URL` parser runs the same domain-to-ASCII
//! algorithm, so the wasm build links `idna_adapter`'s ASCII-only release
//! (pinned in `core/wasm/Cargo.lock`) and hands any URL or host that needs
//! the tables to a [`UrlParser`] the binding installs with
//! [`set_url_parser`]. Native builds (tests, the bridge) keep the crates' own
//! conversion.
//!
//! Every URL and host the core reads from outside goes through here:
//! [`parse_url`], [`join_url`], [`parse_host`] and [`domain_to_ascii`].

use std::sync::OnceLock;
use url::{Host, ParseError, Url};

/// The browser's URL parser: `text` (resolved against `base` if given) as
/// `new URL(text, base).href` serialises it, or `None` if it throws.
pub type UrlParser = fn(text: &str, base: Option<&str>) -> Option<String>;

static URL_PARSER: OnceLock<UrlParser> = OnceLock::new();

/// Installs the parser for URLs and hosts that need IDNA's Unicode tables;
/// the first call wins. Native builds do not need one.
pub fn set_url_parser(parser: UrlParser) {
    let _ = URL_PARSER.set(parser);
}

/// An absolute URL, as [`Url::parse`] reads it.
pub(crate) fn parse_url(text: &str) -> Result<Url, ParseError> {
    resolve(Url::parse(text), text, None)
}

/// `text` resolved against `base`, as [`Url::join`] does.
pub(crate) fn join_url(base: &Url, text: &str) -> Result<Url, ParseError> {
    resolve(base.join(text), text, Some(base.as_str()))
}

/// A host as a URL carries it, as [`Host::parse`] reads it: a domain comes
/// back lower-case ASCII, an international one in its `xn--` form.
pub(crate) fn parse_host(text: &str) -> Result<Host, ParseError> {
    let host = Host::parse(text);
    if !needs_tables(&host) {
        return host;
    }
    // Characters that would end the host inside a URL: the text is then not
    // one host, whatever the browser makes of the rest.
    if text.contains([':', '/', '\\', '?', '#', '@']) {
        return Err(ParseError::IdnaError);
    }
    let url = parse_url(&format!("http://{text}/"))?;
    let alone = url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.port().is_none();
    match url.host() {
        Some(host) if alone => Ok(host.to_owned()),
        _ => Err(ParseError::IdnaError),
    }
}

/// A domain name in lower-case ASCII (`xn--` labels for international ones),
/// or `None` if it isn't a valid one.
pub(crate) fn domain_to_ascii(domain: &str) -> Option<String> {
    match parse_host(domain) {
        Ok(Host::Domain(ascii)) => Some(ascii),
        _ => None,
    }
}

/// The domain of an address in a message being built, in ASCII: UTS 46 with
/// the STD3 rules natively; in the browser its URL parser's answer, which
/// skips those rules (the caller's host-name check refuses the same names).
pub(crate) fn address_domain_to_ascii(domain: &str) -> Option<String> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        idna::domain_to_ascii_cow(domain.as_bytes(), idna::AsciiDenyList::STD3)
            .ok()
            .map(std::borrow::Cow::into_owned)
    }
    #[cfg(target_arch = "wasm32")]
    {
        domain_to_ascii(domain)
    }
}

/// Whether the `url` crate's answer needed UTS 46 data the wasm build leaves
/// out: a non-ASCII host fails with an IDNA error there, and an `xn--` label
/// passes unchecked. Native builds have the data, so never.
fn needs_tables<T>(parsed: &Result<T, ParseError>) -> bool
where
    T: HostOf,
{
    if cfg!(not(target_arch = "wasm32")) {
        return false;
    }
    match parsed {
        Err(ParseError::IdnaError) => true,
        Ok(value) => value.domain().is_some_and(has_punycode_label),
        Err(_) => false,
    }
}

fn has_punycode_label(domain: &str) -> bool {
    domain.split('.').any(|label| {
        label
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("xn--"))
    })
}

/// The URL crate's answer, or the browser's when that needed the tables.
fn resolve(
    parsed: Result<Url, ParseError>,
    text: &str,
    base: Option<&str>,
) -> Result<Url, ParseError> {
    if !needs_tables(&parsed) {
        return parsed;
    }
    let parser = URL_PARSER.get().ok_or(ParseError::IdnaError)?;
    let href = parser(text, base).ok_or(ParseError::IdnaError)?;
    // The browser's answer is ASCII; `url` reads it without the tables.
    Url::parse(&href)
}

/// The domain of a parsed URL or host, if it has one.
trait HostOf {
    fn domain(&self) -> Option<&str>;
}

impl HostOf for Url {
    fn domain(&self) -> Option<&str> {
        Url::domain(self)
    }
}

impl HostOf for Host {
    fn domain(&self) -> Option<&str> {
        match self {
            Host::Domain(d) => Some(d),
            _ => None,
        }
    }
}
