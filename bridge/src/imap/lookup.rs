//! `sentLookup`: is the message with this Message-ID in the Sent folder?
//! The outbox asks it when a send's answer was lost, so a search that did
//! not run is an error, never "not found".

use super::Session;
use super::folders::from_mutf7;
use super::session::refused;
use super::wire::{MAX_LINE, MAX_SMALL_LITERALS, quote};
use crate::net::{Fail, clip, fail, public_roots};
use crate::protocol::LookupArgs;
use rustls::RootCertStore;
use serde_json::{Value, json};

impl Session {
    fn sent_lookup(&mut self, message_id: &str) -> Result<Value, Fail> {
        let folder = self.find_sent_folder()?.ok_or_else(|| {
            fail(
                "noSentFolder",
                "no folder with the \\Sent attribute or named \"Sent\" to search",
            )
        })?;
        // EXAMINE: read-only, searching changes no flag.
        let mut cmd = b"EXAMINE ".to_vec();
        cmd.extend(quote(&folder)?);
        let name =
            from_mutf7(&folder).unwrap_or_else(|| String::from_utf8_lossy(&folder).into_owned());
        if let Err(text) = self.run(&cmd, MAX_LINE, MAX_SMALL_LITERALS, |_| Ok(()))? {
            return Err(fail(
                "folderNotFound",
                format!("cannot open folder {name:?}: {}", clip(&text)),
            ));
        }
        // HEADER matches a substring of the field; the angle brackets make
        // it the whole id.
        let mut cmd = b"UID SEARCH HEADER Message-ID ".to_vec();
        cmd.extend(quote(message_id.as_bytes())?);
        let mut uids: Vec<u64> = Vec::new();
        let status = self.run(&cmd, MAX_LINE, 0, |resp| {
            let t = resp.text_lossy();
            if let Some(rest) = t.strip_prefix("* SEARCH") {
                uids.extend(
                    rest.split_ascii_whitespace()
                        .filter_map(|n| n.parse::<u64>().ok()),
                );
            }
            Ok(())
        })?;
        refused(status, "UID SEARCH")?;
        uids.sort_unstable();
        uids.dedup();
        Ok(json!({"folder": name, "found": !uids.is_empty(), "uids": uids}))
    }
}

pub fn sent_lookup(a: &LookupArgs, roots: RootCertStore) -> Result<Value, Fail> {
    let mut s = Session::open(&a.imap, roots)?;
    let v = s.sent_lookup(&a.message_id)?;
    s.logout();
    Ok(v)
}

/// `sentLookup` trusting Mozilla's roots and the system's store (or the pin).
pub fn sent_lookup_public(a: &LookupArgs) -> Result<Value, Fail> {
    sent_lookup(a, public_roots())
}
