//! PKCE (RFC 7636): S256 challenges and verifier checks.

use base64::Engine;
use sha2::{Digest, Sha256};

/// `BASE64URL(SHA256(ASCII(verifier)))`, without padding.
pub fn challenge_s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// 43–128 characters of `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"` (RFC 7636 §4.1).
pub fn valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len()) && verifier.bytes().all(unreserved)
}

/// An S256 challenge is the base64url form of 32 bytes: exactly 43 characters.
pub fn valid_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Whether `verifier` answers an S256 `challenge`. This sandbox issues codes for S256
/// challenges only (`plain` is refused at the authorization endpoint).
pub fn verify_s256(challenge: &str, verifier: &str) -> bool {
    valid_verifier(verifier) && challenge_s256(verifier) == challenge
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B: the verifier is the base64url of these 32 octets.
    const OCTETS: [u8; 32] = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc_7636_appendix_b() {
        assert_eq!(
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(OCTETS),
            VERIFIER
        );
        assert_eq!(challenge_s256(VERIFIER), CHALLENGE);
        // A miscopied vector (same 20-character prefixes, other tails) must not pass.
        assert!(!verify_s256(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuwlqSr8YCI",
            "dBjftJeZ4CVP-mJ0kjZ1kTjdGeWBS3A7hpzbwNvOKdM"
        ));
        assert!(verify_s256(CHALLENGE, VERIFIER));
        assert!(valid_s256_challenge(CHALLENGE));
    }

    #[test]
    fn rejects_wrong_and_malformed_verifiers() {
        assert!(!verify_s256(CHALLENGE, &VERIFIER.replace('d', "e")));
        // `plain` would compare the verifier itself; S256 never does.
        assert!(!verify_s256(CHALLENGE, CHALLENGE));
        assert!(!valid_verifier("short"));
        assert!(!valid_verifier(&"a".repeat(129)));
        assert!(valid_verifier(&"a~.-_".repeat(9)));
        assert!(!valid_verifier(&format!("{}+", &VERIFIER[..43])));
        assert!(!valid_s256_challenge(&CHALLENGE[..42]));
        assert!(!valid_s256_challenge(&format!("{}=", &CHALLENGE[..42])));
    }
}
