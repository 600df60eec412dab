//! Every code a [`super::FlowError`] can carry, as one Rust enum that
//! crosses as its camelCase name (a string union in TypeScript, generated),
//! so no code is a free string on either side of the binding.
//!
//! The flow's own failures name their variant. The parts of the core that
//! still hand codes over as text (the provider layer's `Disposition`, the
//! auth and address errors' `code()`) are read with [`ErrorCode::of`]; a
//! test reads their sources and checks that each code they can give has its
//! variant here.

use serde::{Deserialize, Serialize};

macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, )*) => {
        /// A connect failure's stable code (see the module comment).
        // Written by hand below (one string from a table: the derived writer
        // is a call per variant, 5 KB of module); read back as derived.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* #[serde(rename = $name)] $variant, )*
        }

        impl ErrorCode {
            /// Every code, in the order written here.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as it crosses (camelCase).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                }
            }
        }
    };
}

error_codes! {
    // The flow and its rules.
    /// The user ended it: closed the sign-in window or clicked Cancel.
    Cancelled = "cancelled",
    AddressMismatch = "addressMismatch",
    ProviderMismatch = "providerMismatch",
    NotConnected = "notConnected",
    NotAvailable = "notAvailable",
    ClientNotConfigured = "clientNotConfigured",
    NotEnoughRandom = "notEnoughRandom",
    UnexpectedInput = "unexpectedInput",
    UnexpectedResponse = "unexpectedResponse",
    InvalidTransition = "invalidTransition",
    InteractionRequired = "interactionRequired",
    SignInUnavailable = "signInUnavailable",
    SignInFailed = "signInFailed",
    SignInRequired = "signInRequired",
    NoMailbox = "noMailbox",
    SharedMailbox = "sharedMailbox",
    ExchangeOnline = "exchangeOnline",
    InvalidEwsUrl = "invalidEwsUrl",
    // The worker's refusals (`Refusal`).
    UnknownAccount = "unknownAccount",
    Busy = "busy",
    PasswordNeeded = "passwordNeeded",
    NoTokens = "noTokens",
    NoDiscovery = "noDiscovery",
    UnexpectedAnswer = "unexpectedAnswer",
    PermissionRefused = "permissionRefused",
    // The sign-in (`AuthError`).
    InvalidRedirect = "invalidRedirect",
    RedirectMismatch = "redirectMismatch",
    StateMismatch = "stateMismatch",
    IssuerMismatch = "issuerMismatch",
    Expired = "expired",
    UserDenied = "userDenied",
    AdminBlocked = "adminBlocked",
    AdvancedProtection = "advancedProtection",
    OrgInternal = "orgInternal",
    ConsentRequired = "consentRequired",
    AdminConsentRequired = "adminConsentRequired",
    AccountNotAllowed = "accountNotAllowed",
    ConditionalAccess = "conditionalAccess",
    NotAssigned = "notAssigned",
    ClientMisconfigured = "clientMisconfigured",
    ProviderError = "providerError",
    MissingCode = "missingCode",
    WrongAccount = "wrongAccount",
    // The token answer (`TokenError`).
    Endpoint = "endpoint",
    Malformed = "malformed",
    ScopesNotGranted = "scopesNotGranted",
    InvalidIdToken = "invalidIdToken",
    NonceMismatch = "nonceMismatch",
    AudienceMismatch = "audienceMismatch",
    EmailNotVerified = "emailNotVerified",
    // The address (`AddressError`).
    Empty = "empty",
    MissingAt = "missingAt",
    MultipleAt = "multipleAt",
    MissingLocalPart = "missingLocalPart",
    MissingDomain = "missingDomain",
    ContainsSpace = "containsSpace",
    InvalidCharacter = "invalidCharacter",
    MisplacedDot = "misplacedDot",
    DomainWithoutDot = "domainWithoutDot",
    InvalidDomain = "invalidDomain",
    IpLiteral = "ipLiteral",
    TooLong = "tooLong",
    // The registry and the policy (`RegistryError`).
    InvalidAddress = "invalidAddress",
    ViewOnlySeat = "viewOnlySeat",
    KindNotAllowed = "kindNotAllowed",
    AlreadyConnected = "alreadyConnected",
    IsTeamInbox = "isTeamInbox",
    IsPersonalInbox = "isPersonalInbox",
    AlreadyTeamInbox = "alreadyTeamInbox",
    // The providers' answers (`provider::Disposition`).
    ProviderBusy = "providerBusy",
    RetriesExhausted = "retriesExhausted",
    TokenRejected = "tokenRejected",
    TokenRequestFailed = "tokenRequestFailed",
    GrantInvalid = "grantInvalid",
    TokenRevoked = "tokenRevoked",
    AccountDeleted = "accountDeleted",
    Forbidden = "forbidden",
    MissingScope = "missingScope",
    NotFound = "notFound",
    Rejected = "rejected",
    AccessDenied = "accessDenied",
    CodeExpired = "codeExpired",
    ConsentRevoked = "consentRevoked",
    CredentialsChanged = "credentialsChanged",
    MfaRequired = "mfaRequired",
    RefreshTokenExpired = "refreshTokenExpired",
    RefreshTokenInactive = "refreshTokenInactive",
    // The binding.
    Internal = "internal",
    InvalidArgument = "invalidArgument",
    /// A code given as text that this list lacks (the test below keeps
    /// every code written in the core's sources listed).
    Unknown = "unknown",
}

impl ErrorCode {
    /// The variant for a code given as text; [`ErrorCode::Unknown`] when the
    /// list lacks it.
    pub fn of(code: &str) -> ErrorCode {
        ErrorCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == code)
            .unwrap_or(ErrorCode::Unknown)
    }
}

impl From<&str> for ErrorCode {
    fn from(code: &str) -> Self {
        ErrorCode::of(code)
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Tests (and logs) compare a code with its name.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sources whose codes can end in a `FlowError`: as literals passed
    /// to `fail`, `reauth`, `FlowError::new`, or returned by a `code()`.
    const SOURCES: &[(&str, &str)] = &[
        ("provider/mod.rs", include_str!("../provider/mod.rs")),
        (
            "provider/gmail/errors.rs",
            include_str!("../provider/gmail/errors.rs"),
        ),
        (
            "provider/gmail/oauth.rs",
            include_str!("../provider/gmail/oauth.rs"),
        ),
        (
            "provider/gmail/connect.rs",
            include_str!("../provider/gmail/connect.rs"),
        ),
        (
            "provider/graph/errors.rs",
            include_str!("../provider/graph/errors.rs"),
        ),
        (
            "provider/graph/oauth.rs",
            include_str!("../provider/graph/oauth.rs"),
        ),
        (
            "provider/graph/connect.rs",
            include_str!("../provider/graph/connect.rs"),
        ),
        (
            "provider/ews/url.rs",
            include_str!("../provider/ews/url.rs"),
        ),
        ("auth/errors.rs", include_str!("../auth/errors.rs")),
        (
            "auth/token_endpoint.rs",
            include_str!("../auth/token_endpoint.rs"),
        ),
        ("detect/address.rs", include_str!("../detect/address.rs")),
        ("connect/mod.rs", include_str!("mod.rs")),
        ("connect/flow.rs", include_str!("flow.rs")),
        ("connect/password.rs", include_str!("password.rs")),
        ("connect/refusal.rs", include_str!("refusal.rs")),
        (
            "accounts/oauth_check.rs",
            include_str!("../accounts/oauth_check.rs"),
        ),
    ];

    /// The camelCase literal right after each `marker` (whitespace between).
    fn literals_after<'a>(source: &'a str, marker: &str) -> Vec<&'a str> {
        source
            .match_indices(marker)
            .filter_map(|(at, _)| {
                let rest = source[at + marker.len()..].trim_start().strip_prefix('"')?;
                let code = &rest[..rest.find('"')?];
                let camel = code.chars().next()?.is_ascii_lowercase()
                    && code.chars().all(|c| c.is_ascii_alphanumeric());
                camel.then_some(code)
            })
            .collect()
    }

    #[test]
    fn every_code_written_in_the_sources_has_its_variant() {
        let mut seen = 0;
        for (path, source) in SOURCES {
            // Only the code itself: its tests may use made-up codes.
            let code = source.split("#[cfg(test)]").next().unwrap_or(source);
            for marker in ["fail(", "reauth(", "FlowError::new(", "=> "] {
                for literal in literals_after(code, marker) {
                    // `=> "x"` is also how names and sentences are written:
                    // only the `code()` methods' arms count.
                    if marker == "=> " && !in_code_fn(code, literal) {
                        continue;
                    }
                    seen += 1;
                    assert_ne!(
                        ErrorCode::of(literal),
                        ErrorCode::Unknown,
                        "{path}: code {literal:?} has no ErrorCode variant"
                    );
                }
            }
        }
        assert!(seen > 60, "the scan found only {seen} codes");
    }

    /// Whether `literal` is an arm of a `fn code(` in `source`.
    fn in_code_fn(source: &str, literal: &str) -> bool {
        source.match_indices("fn code(").any(|(at, _)| {
            let body = &source[at..];
            let end = body.find("\n    }\n").unwrap_or(body.len());
            body[..end].contains(&format!("=> \"{literal}\""))
        })
    }

    #[test]
    fn codes_cross_as_their_names_and_read_back() {
        for &code in ErrorCode::ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str());
            assert_eq!(serde_json::from_value::<ErrorCode>(json).unwrap(), code);
            assert_eq!(ErrorCode::of(code.as_str()), code);
        }
        assert_eq!(ErrorCode::of("noSuchCode"), ErrorCode::Unknown);
    }
}
