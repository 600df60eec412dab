//! Inlay's native-messaging host. The extension cannot open TCP sockets, so
//! IMAP/SMTP go through this small binary, started by the browser over stdio.
//! See README.md for install and protocol.

pub mod bcc;
pub mod framing;
pub mod imap;
pub mod install;
pub mod net;
pub mod protocol;
pub mod smtp;
pub mod trust;

#[cfg(test)]
mod scripted;

use std::io::{Read, Write};

/// Serves requests until the browser closes stdin. Returns the process exit
/// code: 0 on a clean close, 2 when the stream is corrupt (a bad length means
/// we can no longer find frame boundaries, so we report once and stop).
///
/// Nothing but frames may reach `output`: stray prints would corrupt the
/// stream, so diagnostics go to stderr.
pub fn serve(input: &mut impl Read, output: &mut impl Write) -> i32 {
    loop {
        let reply = match framing::read_frame(input) {
            Ok(None) => return 0,
            Ok(Some(frame)) => protocol::handle(&frame),
            // A zero length consumed no body, so the next frame is still aligned.
            Err(e @ framing::FrameError::Empty) => protocol::error(None, e.code(), &e.to_string()),
            Err(e) => {
                eprintln!("inlay-bridge: {e}; stopping");
                let _ =
                    framing::write_reply(output, &protocol::error(None, e.code(), &e.to_string()));
                return 2;
            }
        };
        if let Err(e) = framing::write_reply(output, &reply) {
            eprintln!("inlay-bridge: cannot write reply: {e}");
            return 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn frame(body: &[u8]) -> Vec<u8> {
        let mut v = (body.len() as u32).to_ne_bytes().to_vec();
        v.extend_from_slice(body);
        v
    }

    fn replies(out: &[u8]) -> Vec<Value> {
        let mut r = out;
        let mut frames = Vec::new();
        while let Some(f) = framing::read_frame(&mut r).unwrap() {
            frames.push(f);
        }
        framing::reassemble(&frames).unwrap()
    }

    #[test]
    fn keeps_serving_after_bad_requests() {
        let mut input = frame(b"{nope");
        input.extend(0u32.to_ne_bytes());
        input.extend(frame(br#"{"id":"2","op":"ping"}"#));
        let mut out = Vec::new();
        assert_eq!(serve(&mut &input[..], &mut out), 0);
        let r = replies(&out);
        assert_eq!(r.len(), 3);
        assert_eq!(
            (r[0]["id"].clone(), r[0]["error"]["code"].as_str()),
            (Value::Null, Some("badJson"))
        );
        assert_eq!(r[1]["error"]["code"], json!("emptyFrame"));
        assert_eq!(r[2]["ok"], json!(true));
    }

    #[test]
    fn stops_on_corrupt_length() {
        let mut input = frame(br#"{"id":"1","op":"ping"}"#);
        input.extend(u32::MAX.to_ne_bytes());
        input.extend(frame(br#"{"id":"3","op":"ping"}"#));
        let mut out = Vec::new();
        assert_eq!(serve(&mut &input[..], &mut out), 2);
        let r = replies(&out);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1]["error"]["code"], json!("frameTooLarge"));
    }
}
