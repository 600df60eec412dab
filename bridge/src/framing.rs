//! Native-messaging wire format (Chrome and Firefox use the same one): each
//! message is a 4-byte length in the machine's NATIVE byte order, then that
//! many bytes of UTF-8 JSON.
//!
//! Limits: the browser sends at most 64 MiB per message; the host may send at
//! most 1 MB (Chrome's `kMaximumNativeMessageSize` = 1024 * 1024) or the
//! browser drops the port. Bigger replies are therefore split into chunks.
//!
//! # Chunk format (mirror this on the extension's TS side)
//!
//! A reply whose JSON text is longer than [`MAX_OUTBOUND`] is serialised to a
//! string `S`, and `S` is cut into consecutive slices (on char boundaries).
//! Each slice goes out as its own message:
//!
//! ```json
//! {"id": "<request id or null>", "chunk": 0, "of": 3, "data": "<slice of S>"}
//! ```
//!
//! `chunk` is 0-based and `of` is the total count; chunks of one reply are
//! sent consecutively and in order, with nothing interleaved. The receiver
//! concatenates `data` for `chunk` 0..of-1 and `JSON.parse`s the result to get
//! the ordinary reply. A message with a `"chunk"` key is a chunk; every other
//! message is a complete reply (it has `"ok"`). See [`reassemble`].

use serde_json::{Value, json};
use std::fmt;
use std::io::{self, Read, Write};

/// Browser → host limit per message (Chrome; older docs say 4 GB).
pub const MAX_INBOUND: u32 = 64 * 1024 * 1024;
/// Host → browser limit per message.
pub const MAX_OUTBOUND: usize = 1024 * 1024;
/// Budget for a chunk's escaped `data`: leaves ample room for the envelope.
const CHUNK_DATA_BUDGET: usize = 768 * 1024;

#[derive(Debug)]
pub enum FrameError {
    /// The stream ended inside the 4-byte length.
    TruncatedLength(usize),
    /// A zero length: the browser never sends one, so the stream is corrupt.
    Empty,
    /// The length exceeds [`MAX_INBOUND`]; nothing was allocated for it.
    TooLarge(u32),
    /// The stream ended before the announced body was complete.
    TruncatedBody {
        expected: u32,
        got: usize,
    },
    Io(io::Error),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TruncatedLength(n) => write!(f, "stream ended after {n} of 4 length bytes"),
            Self::Empty => write!(f, "zero-length frame"),
            Self::TooLarge(n) => {
                write!(f, "frame of {n} bytes exceeds the {MAX_INBOUND}-byte limit")
            }
            Self::TruncatedBody { expected, got } => {
                write!(f, "stream ended after {got} of {expected} body bytes")
            }
            Self::Io(e) => write!(f, "read error: {e}"),
        }
    }
}

impl std::error::Error for FrameError {}

impl FrameError {
    /// Stable code for error replies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge(_) => "frameTooLarge",
            Self::Empty => "emptyFrame",
            _ => "badFrame",
        }
    }
}

/// Reads one frame. `Ok(None)` is a clean end of stream (the browser closed the
/// port) at a frame boundary.
pub fn read_frame(r: &mut impl Read) -> Result<Option<Vec<u8>>, FrameError> {
    let mut len = [0u8; 4];
    let got = read_full(r, &mut len).map_err(FrameError::Io)?;
    match got {
        0 => return Ok(None),
        4 => {}
        n => return Err(FrameError::TruncatedLength(n)),
    }
    let len = u32::from_ne_bytes(len);
    if len == 0 {
        return Err(FrameError::Empty);
    }
    if len > MAX_INBOUND {
        return Err(FrameError::TooLarge(len));
    }
    // Grow with the data actually received rather than trusting `len` up front:
    // a truncated stream claiming 64 MiB must not cost 64 MiB.
    let mut body = Vec::with_capacity((len as usize).min(64 * 1024));
    r.take(u64::from(len))
        .read_to_end(&mut body)
        .map_err(FrameError::Io)?;
    if body.len() != len as usize {
        return Err(FrameError::TruncatedBody {
            expected: len,
            got: body.len(),
        });
    }
    Ok(Some(body))
}

/// Like `read_exact`, but reports how many bytes arrived before EOF.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Writes one frame; refuses bodies the browser would reject.
pub fn write_frame(w: &mut impl Write, body: &[u8]) -> io::Result<()> {
    if body.len() > MAX_OUTBOUND {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "frame over the 1 MB host→browser limit",
        ));
    }
    let len = u32::try_from(body.len()).expect("checked above");
    w.write_all(&len.to_ne_bytes())?;
    w.write_all(body)?;
    w.flush()
}

/// Writes a reply, chunking it when its JSON exceeds [`MAX_OUTBOUND`].
pub fn write_reply(w: &mut impl Write, reply: &Value) -> io::Result<()> {
    for frame in encode_reply(reply) {
        write_frame(w, &frame)?;
    }
    Ok(())
}

/// The frame bodies for one reply: the reply itself, or its chunks.
pub fn encode_reply(reply: &Value) -> Vec<Vec<u8>> {
    let text = reply.to_string();
    if text.len() <= MAX_OUTBOUND {
        return vec![text.into_bytes()];
    }
    let id = reply.get("id").cloned().unwrap_or(Value::Null);
    let slices = split_for_chunks(&text);
    let of = slices.len();
    slices
        .iter()
        .enumerate()
        .map(|(n, data)| {
            json!({"id": id, "chunk": n, "of": of, "data": data})
                .to_string()
                .into_bytes()
        })
        .collect()
}

/// Cuts `text` on char boundaries so each slice, once JSON-escaped, stays
/// within the budget. Escaping can grow a char up to 6 bytes (`\u001f`), so
/// count the escaped size rather than assume a ratio.
fn split_for_chunks(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut cost) = (0, 0);
    for (i, c) in text.char_indices() {
        let c_cost = match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if (c as u32) < 0x20 => 6,
            c => c.len_utf8(),
        };
        if cost + c_cost > CHUNK_DATA_BUDGET {
            out.push(&text[start..i]);
            (start, cost) = (i, 0);
        }
        cost += c_cost;
    }
    out.push(&text[start..]);
    out
}

/// Rebuilds replies from a sequence of frame bodies (what the TS side does).
pub fn reassemble(frames: &[Vec<u8>]) -> Result<Vec<Value>, String> {
    let mut replies = Vec::new();
    let mut pending: Option<(Value, u64, String)> = None; // (id, next chunk, text)
    for f in frames {
        let v: Value = serde_json::from_slice(f).map_err(|e| e.to_string())?;
        let Some(n) = v.get("chunk").and_then(Value::as_u64) else {
            if pending.is_some() {
                return Err("reply interleaved with an unfinished chunked reply".into());
            }
            replies.push(v);
            continue;
        };
        let of = v
            .get("of")
            .and_then(Value::as_u64)
            .ok_or("chunk without `of`")?;
        let data = v
            .get("data")
            .and_then(Value::as_str)
            .ok_or("chunk without `data`")?;
        let (id, next, mut text) = pending
            .take()
            .unwrap_or((v["id"].clone(), 0, String::new()));
        if n != next || id != v["id"] || n >= of {
            return Err(format!("chunk {n}/{of} out of sequence"));
        }
        text.push_str(data);
        if n + 1 == of {
            replies.push(serde_json::from_str(&text).map_err(|e| e.to_string())?);
        } else {
            pending = Some((id, n + 1, text));
        }
    }
    match pending {
        Some(_) => Err("stream ended inside a chunked reply".into()),
        None => Ok(replies),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &[u8]) -> Vec<u8> {
        let mut v = (body.len() as u32).to_ne_bytes().to_vec();
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn round_trip_small() {
        let mut buf = Vec::new();
        write_reply(&mut buf, &json!({"id": "a", "ok": true})).unwrap();
        assert_eq!(&buf[..4], &20u32.to_ne_bytes());
        let mut r = &buf[..];
        let body = read_frame(&mut r).unwrap().unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&body).unwrap(),
            json!({"id": "a", "ok": true})
        );
        assert!(read_frame(&mut r).unwrap().is_none(), "clean EOF");
    }

    #[test]
    fn chunks_large_replies_and_reassembles() {
        // Quotes and control chars exercise the escaping budget; é the char boundaries.
        let big: String = "ab\"\\\u{1}é€\n".repeat(400_000);
        let reply = json!({"id": "r1", "ok": true, "value": {"raw": big}});
        let frames = encode_reply(&reply);
        assert!(frames.len() > 1);
        for (n, f) in frames.iter().enumerate() {
            assert!(f.len() <= MAX_OUTBOUND, "chunk {n} is {} bytes", f.len());
            let v: Value = serde_json::from_slice(f).unwrap();
            assert_eq!(
                (v["id"].as_str(), v["chunk"].as_u64(), v["of"].as_u64()),
                (Some("r1"), Some(n as u64), Some(frames.len() as u64))
            );
        }
        let mut wire = Vec::new();
        write_reply(&mut wire, &json!({"id": "p", "ok": true})).unwrap();
        write_reply(&mut wire, &reply).unwrap();
        let mut r = &wire[..];
        let mut got = Vec::new();
        while let Some(f) = read_frame(&mut r).unwrap() {
            got.push(f);
        }
        assert_eq!(
            reassemble(&got).unwrap(),
            vec![json!({"id": "p", "ok": true}), reply]
        );
    }

    #[test]
    fn reply_of_exactly_the_limit_is_not_chunked() {
        let pad = MAX_OUTBOUND - json!({"v": ""}).to_string().len();
        let reply = json!({"v": "x".repeat(pad)});
        assert_eq!(encode_reply(&reply).len(), 1);
        let reply = json!({"v": "x".repeat(pad + 1)});
        assert_eq!(encode_reply(&reply).len(), 2);
    }

    #[test]
    fn reassemble_rejects_bad_sequences() {
        let c = |n: u64, of: u64| {
            json!({"id": "x", "chunk": n, "of": of, "data": "\"a"})
                .to_string()
                .into_bytes()
        };
        assert!(reassemble(&[c(1, 2)]).is_err(), "starts mid-way");
        assert!(reassemble(&[c(0, 2)]).is_err(), "unfinished");
        assert!(
            reassemble(&[c(0, 2), br#"{"ok":true}"#.to_vec()]).is_err(),
            "interleaved"
        );
    }

    #[test]
    fn hostile_lengths() {
        let mut r: &[u8] = &[1, 2];
        assert!(matches!(
            read_frame(&mut r),
            Err(FrameError::TruncatedLength(2))
        ));
        let mut r: &[u8] = &0u32.to_ne_bytes();
        assert!(matches!(read_frame(&mut r), Err(FrameError::Empty)));
        // u32::MAX and just over the limit: refused before any allocation.
        for len in [u32::MAX, MAX_INBOUND + 1] {
            let mut r: &[u8] = &len.to_ne_bytes();
            assert!(matches!(read_frame(&mut r), Err(FrameError::TooLarge(n)) if n == len));
        }
        // Claims the maximum, delivers 3 bytes.
        let mut wire = MAX_INBOUND.to_ne_bytes().to_vec();
        wire.extend_from_slice(b"{}x");
        let mut r = &wire[..];
        assert!(
            matches!(read_frame(&mut r), Err(FrameError::TruncatedBody { expected, got: 3 }) if expected == MAX_INBOUND)
        );
    }

    #[test]
    fn reads_consecutive_frames_in_native_order() {
        let mut wire = framed(b"{\"a\":1}");
        wire.extend(framed(b"[]"));
        let mut r = &wire[..];
        assert_eq!(read_frame(&mut r).unwrap().unwrap(), b"{\"a\":1}");
        assert_eq!(read_frame(&mut r).unwrap().unwrap(), b"[]");
        assert!(read_frame(&mut r).unwrap().is_none());
    }

    #[test]
    fn writer_refuses_oversized_frame() {
        let mut sink = Vec::new();
        assert!(write_frame(&mut sink, &vec![b' '; MAX_OUTBOUND + 1]).is_err());
        assert!(sink.is_empty());
    }
}
