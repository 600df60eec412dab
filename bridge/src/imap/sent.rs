//! The Sent copy of `send`: find the Sent folder, APPEND the message.

use super::Session;
use super::folders::choose_sent;
use super::parse::{parse_list, response_code};
use super::session::refused;
use super::wire::{
    MAX_LINE, MAX_SMALL_LITERALS, quote, read_response, send_bytes, tagged_status, until_tagged,
};
use crate::net::{Fail, clip, fail, io_fail};
use std::io::Write;

impl Session {
    /// The folder for sent mail: the `\Sent` SPECIAL-USE attribute (RFC 6154
    /// LIST RETURN, or Gmail's older XLIST), else a folder named "Sent".
    pub fn find_sent_folder(&mut self) -> Result<Option<Vec<u8>>, Fail> {
        self.refresh_capabilities()?;
        let (cmd, verb): (&[u8], &[u8]) = if self.has("SPECIAL-USE") {
            (b"LIST \"\" \"*\" RETURN (SPECIAL-USE)", b"LIST")
        } else if self.has("XLIST") {
            (b"XLIST \"\" \"*\"", b"XLIST")
        } else {
            (b"LIST \"\" \"*\"", b"LIST")
        };
        let mut folders = Vec::new();
        let status = self.run(cmd, MAX_LINE, MAX_SMALL_LITERALS, |resp| {
            if let Some(f) = parse_list(&resp, verb) {
                folders.push(f);
            }
            Ok(())
        })?;
        refused(status, "listing folders")?;
        Ok(choose_sent(&folders))
    }

    /// APPEND with `\Seen`; returns the new UID when the server has UIDPLUS.
    pub fn append(&mut self, folder: &[u8], message: &[u8]) -> Result<Option<u64>, Fail> {
        let tag = self.tag();
        let mut line = format!("{tag} APPEND ").into_bytes();
        line.extend(quote(folder)?);
        line.extend(format!(" (\\Seen) {{{}}}\r\n", message.len()).bytes());
        send_bytes(&mut self.r, &line)?;
        let mut budget = MAX_SMALL_LITERALS;
        loop {
            let resp = read_response(&mut self.r, MAX_LINE, &mut budget)?.text_lossy();
            if resp.starts_with('+') {
                break;
            }
            if let Some((_, text)) = tagged_status(&resp, &tag) {
                return Err(fail(
                    "appendFailed",
                    format!("APPEND refused: {}", clip(&text)),
                ));
            }
        }
        // The literal, then the command's CRLF: no 35 MB copy to append two bytes.
        {
            let w = self.r.get_mut();
            w.write_all(message)
                .map_err(|e| io_fail("connectFailed", e))?;
        }
        send_bytes(&mut self.r, b"\r\n")?;
        let (ok, text) = until_tagged(&mut self.r, &tag, |_| {})?;
        if !ok {
            return Err(fail(
                "appendFailed",
                format!("APPEND refused: {}", clip(&text)),
            ));
        }
        // RFC 4315: "OK [APPENDUID <uidvalidity> <uid>]".
        Ok(response_code(&text, "APPENDUID")
            .and_then(|v| v.split_ascii_whitespace().nth(1)?.parse().ok()))
    }
}
