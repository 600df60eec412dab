//! PKCE (RFC 7636, S256) and the random `state` / `nonce` values.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A PKCE verifier and its S256 challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pkce {
    /// 43 unreserved characters: base64url (no padding) of 32 random bytes.
    pub verifier: String,
    /// `BASE64URL(SHA256(verifier))`, sent in the authorization URL.
    pub challenge: String,
}

impl Pkce {
    /// Builds the pair from 32 bytes of the caller's CSPRNG (256 bits).
    pub fn from_random(bytes: &[u8; 32]) -> Pkce {
        let verifier = URL_SAFE_NO_PAD.encode(bytes);
        let challenge = challenge_for(&verifier);
        Pkce {
            verifier,
            challenge,
        }
    }

    /// Always `S256`: the plain method is never used (RFC 7636 §4.2).
    pub const METHOD: &'static str = "S256";
}

/// The S256 challenge of a verifier.
pub fn challenge_for(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A one-time `state` (CSRF) or `nonce` (ID-token replay) value: base64url of
/// 32 random bytes from the caller, i.e. 256 bits (≥ the 128 required).
pub fn random_value(bytes: &[u8; 32]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}
