//! ID tokens: an ES256 (ECDSA P-256, SHA-256) key made at start, JWTs signed with it, and
//! the JWKS that publishes it (Google's `/oauth2/v3/certs`, Microsoft's `discovery/v2.0/keys`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub struct Signer {
    key: EcdsaKeyPair,
    rng: SystemRandom,
    kid: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("kid", &self.kid).finish()
    }
}

impl Signer {
    /// A fresh P-256 key; its `kid` is derived from the public key.
    pub fn generate() -> Self {
        let alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).expect("P-256 key generation");
        let key = EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).expect("our own key");
        let kid: String = Sha256::digest(key.public_key().as_ref())[..10]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Signer { key, rng, kid }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The uncompressed public point (0x04 ‖ X ‖ Y).
    pub fn public_key(&self) -> &[u8] {
        self.key.public_key().as_ref()
    }

    /// A compact JWS: `{"alg":"ES256","kid":…,"typ":"JWT"}` over the claims.
    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({ "alg": "ES256", "kid": self.kid, "typ": "JWT" });
        let input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let sig = self
            .key
            .sign(&self.rng, input.as_bytes())
            .expect("ECDSA signing");
        format!("{input}.{}", B64.encode(sig.as_ref()))
    }

    /// The JSON Web Key Set publishing this key (RFC 7517/7518).
    pub fn jwks(&self) -> Value {
        let pk = self.public_key();
        json!({ "keys": [{
            "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": self.kid,
            "x": B64.encode(&pk[1..33]), "y": B64.encode(&pk[33..65]),
        }]})
    }
}

/// `at_hash`: base64url of the left half of SHA-256 of the access token (OIDC Core §3.1.3.6).
pub fn at_hash(access_token: &str) -> String {
    B64.encode(&Sha256::digest(access_token.as_bytes())[..16])
}

/// The claims of a JWT, without checking anything.
pub fn claims(jwt: &str) -> Option<Value> {
    let payload = jwt.split('.').nth(1)?;
    serde_json::from_slice(&B64.decode(payload).ok()?).ok()
}

/// The claims of an ES256 JWT whose signature verifies with the key of a JWKS (matched by
/// `kid`). What a relying party does; used by the tests.
pub fn verify(jwt: &str, jwks: &Value) -> Option<Value> {
    let mut parts = jwt.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    let header: Value = serde_json::from_slice(&B64.decode(h).ok()?).ok()?;
    if header["alg"] != "ES256" {
        return None;
    }
    let jwk = jwks["keys"]
        .as_array()?
        .iter()
        .find(|k| k["kid"] == header["kid"])?;
    let mut point = vec![4u8];
    point.extend(B64.decode(jwk["x"].as_str()?).ok()?);
    point.extend(B64.decode(jwk["y"].as_str()?).ok()?);
    signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
        .verify(format!("{h}.{p}").as_bytes(), &B64.decode(s).ok()?)
        .ok()?;
    serde_json::from_slice(&B64.decode(p).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_through_the_jwks() {
        let signer = Signer::generate();
        let jwt = signer.sign(&json!({"sub":"1","aud":"x"}));
        assert_eq!(jwt.split('.').count(), 3);
        let jwks = signer.jwks();
        assert_eq!(verify(&jwt, &jwks).unwrap()["sub"], "1");
        assert_eq!(claims(&jwt).unwrap()["aud"], "x");

        let other = Signer::generate();
        assert!(verify(&jwt, &other.jwks()).is_none(), "another key's kid");
        let mut forged = other.jwks();
        forged["keys"][0]["kid"] = json!(signer.kid());
        assert!(verify(&jwt, &forged).is_none(), "another key under our kid");
        let (head, _) = jwt.rsplit_once('.').unwrap();
        let tampered = format!("{head}.{}", B64.encode([0u8; 64]));
        assert!(verify(&tampered, &jwks).is_none());
    }

    #[test]
    fn at_hash_is_the_left_half() {
        assert_eq!(at_hash("ya29.x").len(), 22);
    }
}
