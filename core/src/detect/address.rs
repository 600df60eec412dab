//! Email address checks and mailbox equivalence.

use serde::{Deserialize, Serialize};

/// A syntactically valid address split at its `@`; the domain is lower-case
/// ASCII (an internationalised domain is converted to its `xn--` form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailAddress {
    /// Everything before the `@`, as typed (case kept).
    pub local: String,
    /// The domain, lower-case ASCII, without a trailing dot.
    pub domain: String,
}

impl EmailAddress {
    /// `local@domain`, with the normalised domain.
    pub fn to_address(&self) -> String {
        format!("{}@{}", self.local, self.domain)
    }

    /// The form two addresses of the same mailbox share: lower-case, and for
    /// consumer Gmail (gmail.com, googlemail.com) without dots in the local
    /// part and on `gmail.com`, because Gmail ignores dots and treats
    /// googlemail.com as gmail.com. Google Workspace and every other provider
    /// keep dots significant. `+tags` are kept: a tagged address is a
    /// different From address even when it lands in the same inbox.
    pub fn canonical(&self) -> String {
        let local = self.local.to_lowercase();
        if self.domain == "gmail.com" || self.domain == "googlemail.com" {
            format!("{}@gmail.com", local.replace('.', ""))
        } else {
            format!("{local}@{}", self.domain)
        }
    }
}

/// Why an address was refused, with a sentence saying what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum AddressError {
    /// Nothing was typed.
    Empty { message: String },
    /// No `@` at all.
    MissingAt { message: String },
    /// More than one `@`.
    MultipleAt { message: String },
    /// Nothing before the `@`.
    MissingLocalPart { message: String },
    /// Nothing after the `@`.
    MissingDomain { message: String },
    /// Spaces or control characters inside the address.
    ContainsSpace { message: String },
    /// A character that cannot appear in an address (e.g. `<`, `,`).
    InvalidCharacter { character: String, message: String },
    /// Dots at the start or end of the local part, or two in a row.
    MisplacedDot { message: String },
    /// A domain without a dot, like `alex@company`.
    DomainWithoutDot { domain: String, message: String },
    /// A domain that isn't a valid host name.
    InvalidDomain { domain: String, message: String },
    /// An IP address instead of a domain.
    IpLiteral { message: String },
    /// Longer than the 64 (local part) or 254 (whole address) limits.
    TooLong { message: String },
}

impl AddressError {
    /// The stable camelCase code (the serde tag), e.g. `missingAt`.
    pub fn code(&self) -> &'static str {
        match self {
            AddressError::Empty { .. } => "empty",
            AddressError::MissingAt { .. } => "missingAt",
            AddressError::MultipleAt { .. } => "multipleAt",
            AddressError::MissingLocalPart { .. } => "missingLocalPart",
            AddressError::MissingDomain { .. } => "missingDomain",
            AddressError::ContainsSpace { .. } => "containsSpace",
            AddressError::InvalidCharacter { .. } => "invalidCharacter",
            AddressError::MisplacedDot { .. } => "misplacedDot",
            AddressError::DomainWithoutDot { .. } => "domainWithoutDot",
            AddressError::InvalidDomain { .. } => "invalidDomain",
            AddressError::IpLiteral { .. } => "ipLiteral",
            AddressError::TooLong { .. } => "tooLong",
        }
    }

    /// The user-facing sentence.
    pub fn message(&self) -> &str {
        match self {
            AddressError::Empty { message }
            | AddressError::MissingAt { message }
            | AddressError::MultipleAt { message }
            | AddressError::MissingLocalPart { message }
            | AddressError::MissingDomain { message }
            | AddressError::ContainsSpace { message }
            | AddressError::InvalidCharacter { message, .. }
            | AddressError::MisplacedDot { message }
            | AddressError::DomainWithoutDot { message, .. }
            | AddressError::InvalidDomain { message, .. }
            | AddressError::IpLiteral { message }
            | AddressError::TooLong { message } => message,
        }
    }
}

/// Characters RFC 5322 allows unquoted in a local part besides letters,
/// digits and dots. Non-ASCII is accepted too (RFC 6531 addresses).
const LOCAL_SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";

/// Checks a typed address and splits it. Leading and trailing whitespace is
/// ignored; quoted local parts and IP-literal domains are refused because no
/// mailbox provider Inlay connects to issues them.
pub fn parse_address(input: &str) -> Result<EmailAddress, AddressError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(AddressError::Empty {
            message: "Enter the email address of the inbox you want to connect.".into(),
        });
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AddressError::ContainsSpace {
            message: format!("\"{text}\" contains a space. An email address has no spaces."),
        });
    }
    let ats = text.matches('@').count();
    if ats == 0 {
        return Err(AddressError::MissingAt {
            message: format!("\"{text}\" has no @. Enter the full address, like name@company.com."),
        });
    }
    if ats > 1 {
        return Err(AddressError::MultipleAt {
            message: format!("\"{text}\" has more than one @. An email address has exactly one."),
        });
    }
    let (local, domain) = text.split_once('@').expect("one @ was counted");
    if local.is_empty() {
        return Err(AddressError::MissingLocalPart {
            message: format!(
                "\"{text}\" has nothing before the @. Enter the full address, like name@{domain}."
            ),
        });
    }
    if domain.is_empty() {
        return Err(AddressError::MissingDomain {
            message: format!(
                "\"{text}\" has nothing after the @. Add the domain, like {local}@company.com."
            ),
        });
    }
    if let Some(bad) = local.chars().find(|&c| {
        c.is_ascii() && !c.is_ascii_alphanumeric() && c != '.' && !LOCAL_SPECIALS.contains(c)
    }) {
        return Err(AddressError::InvalidCharacter {
            character: bad.to_string(),
            message: format!(
                "\"{text}\" contains \"{bad}\", which can't be part of an email address."
            ),
        });
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(AddressError::MisplacedDot {
            message: format!(
                "\"{text}\" has a dot at the start or end of the name, or two dots in a row, which email addresses don't allow."
            ),
        });
    }
    if local.len() > 64 || text.len() > 254 {
        return Err(AddressError::TooLong {
            message: "That address is too long to be a real email address (at most 64 characters before the @ and 254 in all).".into(),
        });
    }
    let domain = parse_domain(domain)?;
    Ok(EmailAddress {
        local: local.to_string(),
        domain,
    })
}

/// Validates a domain and returns it as lower-case ASCII.
fn parse_domain(raw: &str) -> Result<String, AddressError> {
    let trimmed = raw.strip_suffix('.').unwrap_or(raw);
    if trimmed.starts_with('[') {
        return Err(ip_literal());
    }
    let invalid = || AddressError::InvalidDomain {
        domain: raw.to_string(),
        message: format!("\"{raw}\" isn't a valid domain. Check the part after the @ for typos."),
    };
    let ascii = match crate::idn::parse_host(trimmed) {
        Ok(url::Host::Domain(d)) => d,
        Ok(_) => return Err(ip_literal()),
        Err(_) => return Err(invalid()),
    };
    if !ascii.contains('.') {
        return Err(AddressError::DomainWithoutDot {
            domain: raw.to_string(),
            message: format!(
                "\"{raw}\" is missing its ending, like .com or .org. Enter the full domain after the @."
            ),
        });
    }
    let labels_ok = ascii.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    let tld_ok = ascii
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.bytes().any(|b| b.is_ascii_alphabetic()));
    if !labels_ok || !tld_ok || ascii.len() > 253 {
        return Err(invalid());
    }
    Ok(ascii)
}

fn ip_literal() -> AddressError {
    AddressError::IpLiteral {
        message: "Use the address's domain (like company.com), not an IP address.".into(),
    }
}

/// The one id of the mailbox an address reaches: [`EmailAddress::canonical`]
/// (`A.Da@GoogleMail.com` and `ada@gmail.com` give `ada@gmail.com`).
/// Unparseable input (a record from before a rule changed) falls back to the
/// trimmed, lower-cased text, so every string has an id. The shell keys its
/// stored inboxes by it, so one mailbox is one record.
pub fn mailbox_id(address: &str) -> String {
    parse_address(address).map_or_else(|_| address.trim().to_lowercase(), |a| a.canonical())
}

/// Whether two typed addresses reach the same mailbox: the same
/// [`mailbox_id`].
pub fn same_mailbox(a: &str, b: &str) -> bool {
    mailbox_id(a) == mailbox_id(b)
}
