//! The email's Message-ID, minted by the core before any call: the key the
//! outbox looks for in Sent when it can't know whether a send left.
//!
//! `<32 hex digits@sending domain>`: 128 random bits (the shell's random
//! bytes, sans-IO) make a collision as unlikely as a UUID's; the right side
//! is the From address's domain in ASCII (punycode), so the id says nothing
//! more than the From header already does.

/// Random bytes a Message-ID (and the send id) take.
pub const ID_BYTES: usize = 16;

/// `<hex@domain>` from the first [`ID_BYTES`] of `random` and the domain of
/// `from` (`local@domain`). `None` if there are too few bytes or the address
/// has no valid domain.
pub fn message_id(random: &[u8], from: &str) -> Option<String> {
    let (_, domain) = from.trim().rsplit_once('@')?;
    let domain = if domain.is_ascii() {
        domain.to_ascii_lowercase()
    } else {
        crate::idn::address_domain_to_ascii(domain)?
    };
    let valid = !domain.is_empty()
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if !valid {
        return None;
    }
    Some(format!("<{}@{domain}>", opaque_id(random)?))
}

/// [`ID_BYTES`] of `random` as lower-case hex: an id that carries nothing
/// about the email or its recipients.
pub fn opaque_id(random: &[u8]) -> Option<String> {
    let bytes = random.get(..ID_BYTES)?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_from_random_bytes_and_the_from_domain() {
        let random: Vec<u8> = (0u8..32).collect();
        assert_eq!(
            message_id(&random, "bob@Inlay.Example").as_deref(),
            Some("<000102030405060708090a0b0c0d0e0f@inlay.example>")
        );
        assert_eq!(
            message_id(&[0xff; 16], "bob@bücher.example").as_deref(),
            Some("<ffffffffffffffffffffffffffffffff@xn--bcher-kva.example>")
        );
    }

    #[test]
    fn too_few_bytes_or_no_domain_is_none() {
        assert_eq!(message_id(&[1; 15], "bob@inlay.example"), None);
        assert_eq!(message_id(&[1; 16], "bob"), None);
        assert_eq!(message_id(&[1; 16], "bob@"), None);
        assert_eq!(message_id(&[1; 16], "bob@a..b"), None);
        assert_eq!(message_id(&[1; 16], "bob@a>b"), None);
    }
}
