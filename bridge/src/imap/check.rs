//! `imapCheck`: log in, report the capabilities, log out.

use super::Session;
use crate::net::{Fail, public_roots};
use crate::protocol::CheckArgs;
use rustls::RootCertStore;
use serde_json::{Value, json};

/// Runs `imapCheck` trusting Mozilla's roots and the system's store (or the pin).
pub fn check(args: &CheckArgs) -> Result<Value, Fail> {
    check_with_roots(args, public_roots())
}

pub fn check_with_roots(args: &CheckArgs, roots: RootCertStore) -> Result<Value, Fail> {
    let mut s = Session::open(args, roots)?;
    let caps = std::mem::take(&mut s.caps);
    let (preauth, pin, verified) = (s.preauth, s.pin.take(), s.verified);
    s.logout();
    Ok(json!({"preauth": preauth, "capabilities": caps,
              "certificatePin": pin, "certificateVerified": verified}))
}

#[cfg(test)]
#[path = "../imap_tests.rs"]
mod tests;
