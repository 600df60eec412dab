//! `imapCheck`: log in, report the capabilities, log out.

use super::Session;
use crate::net::{Fail, public_roots};
use crate::protocol::CheckArgs;
use rustls::RootCertStore;
use serde_json::{Value, json};

/// Runs `imapCheck` against the public web PKI (or any certificate when asked).
pub fn check(args: &CheckArgs) -> Result<Value, Fail> {
    check_with_roots(args, public_roots())
}

pub fn check_with_roots(args: &CheckArgs, roots: RootCertStore) -> Result<Value, Fail> {
    let mut s = Session::open(args, roots)?;
    let caps = std::mem::take(&mut s.caps);
    let preauth = s.preauth;
    s.logout();
    Ok(json!({"preauth": preauth, "capabilities": caps}))
}

#[cfg(test)]
#[path = "../imap_tests.rs"]
mod tests;
