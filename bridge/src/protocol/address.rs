//! SMTP path addresses, as `send` accepts them for `from` and `recipients`.

/// An SMTP path address (RFC 5321 Mailbox, no quoted local parts): what
/// goes between `<` and `>`, so no spaces, controls, `<>`, or extra `@`.
pub fn check_address(a: &str) -> Result<(), String> {
    if a.len() > 254 {
        return Err(format!("address is {} bytes; at most 254", a.len()));
    }
    if let Some(c) = a
        .chars()
        .find(|c| c.is_control() || c.is_whitespace() || "<>,;\"\\()".contains(*c))
    {
        return Err(format!("address {a:?} contains {c:?}"));
    }
    let Some((local, domain)) = a.rsplit_once('@') else {
        return Err(format!("address {a:?} has no @"));
    };
    if local.is_empty() || local.len() > 64 || local.contains('@') || local.contains(['[', ']']) {
        return Err(format!(
            "address {a:?}: local part must be 1..=64 bytes without @ or brackets"
        ));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(format!(
            "address {a:?}: dots in the local part must separate words"
        ));
    }
    let literal = domain.starts_with('[') && domain.ends_with(']') && domain.len() > 2;
    let name_ok = !domain.is_empty()
        && !domain.contains(['[', ']'])
        && domain.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if !literal && !name_ok {
        return Err(format!(
            "address {a:?}: domain must be a host name or [address literal]"
        ));
    }
    Ok(())
}
