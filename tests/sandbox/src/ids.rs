//! Unique, unpredictable-enough identifiers: CSP nonces, Graph request ids.
//!
//! A test sandbox needs uniqueness, not cryptographic randomness, so this hashes a
//! process-wide counter with the process's random hasher seed instead of pulling in `rand`.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

fn next_digest() -> [u8; 32] {
    static SEED: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = *SEED.get_or_init(|| RandomState::new().hash_one(std::process::id()));
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    Sha256::new()
        .chain_update(seed.to_le_bytes())
        .chain_update(n.to_le_bytes())
        .finalize()
        .into()
}

/// 22 base64url characters (128 bits), as used for CSP nonces.
pub fn nonce() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&next_digest()[..16])
}

/// `bytes` bytes from the operating system's CSPRNG, base64url without padding: for
/// authorization codes and tokens, which nothing may guess from earlier ones.
pub fn secret(bytes: usize) -> String {
    use base64::Engine;
    use ring::rand::{SecureRandom, SystemRandom};
    let mut buf = vec![0u8; bytes];
    SystemRandom::new()
        .fill(&mut buf)
        .expect("the operating system's random source works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// A GUID made from a stable name (tenant ids, object ids): the same name always gives
/// the same GUID.
pub fn guid_from(name: &str) -> String {
    guid_text(&Sha256::digest(name.as_bytes()))
}

/// A random GUID in the 8-4-4-4-12 form.
pub fn guid() -> String {
    guid_text(&next_digest())
}

/// The first 16 bytes as lower-case hex in the 8-4-4-4-12 form.
fn guid_text(bytes: &[u8]) -> String {
    let x: String = bytes[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn unique() {
        assert_ne!(super::nonce(), super::nonce());
        assert_ne!(super::guid(), super::guid());
        assert_eq!(super::nonce().len(), 22);
        assert_ne!(super::secret(32), super::secret(32));
        assert_eq!(super::secret(32).len(), 43);
        assert_eq!(super::guid_from("a"), super::guid_from("a"));
        assert_ne!(super::guid_from("a"), super::guid_from("b"));
    }
}
