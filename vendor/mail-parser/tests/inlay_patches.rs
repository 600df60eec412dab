//! Inlay's patches of mail-parser (vendor/PATCHES.md) give the released
//! crate's output: each patched decoder against the released code.

use std::borrow::Cow;

use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::quoted_printable::HEX_MAP;
use mail_parser::parsers::MessageStream;

#[derive(PartialEq, Debug)]
enum QuotedPrintableState {
    None,
    Eq,
    Hex1,
}

/// mail-parser 0.11.9's `MessageStream::decode_quoted_printable_mime`, as
/// released (only `self` became `stream`).
fn released_qp_mime<'x>(stream: &mut MessageStream<'x>, boundary: &[u8]) -> (usize, Cow<'x, [u8]>) {
    let mut buf = Vec::with_capacity(128);

    let mut state = QuotedPrintableState::None;
    let mut hex1 = 0;
    let mut last_ch = 0;
    let mut before_last_ch = 0;
    let mut ws_count = 0;
    let mut end_pos = stream.offset();
    let mut crlf = b"\n".as_ref();

    stream.checkpoint();

    while let Some(&ch) = stream.next() {
        match ch {
            b'=' => {
                if let QuotedPrintableState::None = state {
                    state = QuotedPrintableState::Eq
                } else {
                    stream.restore();
                    return (usize::MAX, b""[..].into());
                }
            }
            b'\n' => {
                end_pos = if last_ch == b'\r' {
                    stream.offset() - 2
                } else {
                    stream.offset() - 1
                };
                if QuotedPrintableState::Eq == state {
                    state = QuotedPrintableState::None;
                } else {
                    if ws_count > 0 {
                        buf.truncate(buf.len() - ws_count);
                    }
                    buf.extend_from_slice(crlf);
                }
                ws_count = 0;
            }
            b'\r' => {
                crlf = b"\r\n".as_ref();
            }
            b'-' if !boundary.is_empty() && last_ch == b'-' && stream.try_skip(boundary) => {
                if before_last_ch == b'\n' {
                    buf.truncate(buf.len() - (crlf.len() + 1));
                } else {
                    buf.truncate(buf.len() - 1);
                    end_pos = stream.offset() - boundary.len() - 2;
                }

                return (end_pos, buf.into());
            }
            _ => match state {
                QuotedPrintableState::None => {
                    if ch.is_ascii_whitespace() {
                        ws_count += 1;
                    } else {
                        ws_count = 0;
                    }
                    buf.push(ch);
                }
                QuotedPrintableState::Eq => {
                    hex1 = HEX_MAP[ch as usize];
                    if hex1 != -1 {
                        state = QuotedPrintableState::Hex1;
                    } else if !ch.is_ascii_whitespace() {
                        state = QuotedPrintableState::None;
                        buf.push(b'=');
                        buf.push(ch);
                        ws_count = 0;
                    }
                }
                QuotedPrintableState::Hex1 => {
                    let hex2 = HEX_MAP[ch as usize];

                    state = QuotedPrintableState::None;
                    if hex2 != -1 {
                        buf.push(((hex1 as u8) << 4) | hex2 as u8);
                        ws_count = 0;
                    } else {
                        buf.push(b'=');
                        buf.push(last_ch);
                        buf.push(ch);
                        ws_count = 0;
                    }
                }
            },
        }

        before_last_ch = last_ch;
        last_ch = ch;
    }

    (
        if boundary.is_empty() {
            stream.offset()
        } else {
            stream.restore();
            usize::MAX
        },
        buf.into(),
    )
}


/// A xorshift generator: the same inputs on every run.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn quoted_printable_reads_as_released() {
    std::panic::set_hook(Box::new(|_| {}));
    let pieces: [&[u8]; 18] = [
        b"plain text", b"a", b" ", b"\t", b"=", b"=3D", b"=C3=A9", b"=\n", b"=\r\n", b"\n",
        b"\r\n", b"-", b"--b", b"--b--", b"==", b"=4", b"\xe9t\xe9", b"longer plain words ",
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..50_000 {
        let mut input = Vec::new();
        for _ in 0..next(&mut seed) % 24 {
            input.extend_from_slice(pieces[(next(&mut seed) % 18) as usize]);
        }
        for boundary in [&b""[..], b"b"] {
            // Both or neither overflow (a boundary right after a soft
            // line break at the start: the released code's `buf.len() - 2`,
            // which wraps in release builds).
            let patched = std::panic::catch_unwind(|| {
                let mut stream = MessageStream::new(&input);
                let (end, bytes) = stream.decode_quoted_printable_mime(boundary);
                (end, bytes.into_owned(), stream.offset())
            });
            let released = std::panic::catch_unwind(|| {
                let mut stream = MessageStream::new(&input);
                let (end, bytes) = released_qp_mime(&mut stream, boundary);
                (end, bytes.into_owned(), stream.offset())
            });
            assert_eq!(
                patched.ok(),
                released.ok(),
                "{:?} boundary {:?}",
                String::from_utf8_lossy(&input),
                boundary
            );
        }
    }
}

#[test]
fn single_byte_charsets_decode_byte_by_byte() {
    let labels = [
        "iso-8859-1", "us-ascii", "iso-8859-2", "iso-8859-3", "iso-8859-4", "iso-8859-5",
        "iso-8859-6", "iso-8859-7", "iso-8859-8", "iso-8859-9", "iso-8859-10", "iso-8859-13",
        "iso-8859-14", "iso-8859-15", "iso-8859-16", "ibm850", "koi8-r", "koi8-u", "tis-620",
        "windows-1250", "windows-1251", "windows-1252", "windows-1253", "windows-1254",
        "windows-1255", "windows-1256", "windows-1257", "windows-1258", "macintosh",
    ];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for label in labels {
        let decode = charset_decoder(label.as_bytes()).expect(label);
        // ASCII reads as itself: what the patch's run copy relies on.
        let ascii: Vec<u8> = (0..128).collect();
        assert_eq!(decode(&ascii).as_bytes(), &ascii[..], "{label}");
        for len in 0..200 {
            // Mostly ASCII with high bytes between, as mail is.
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    let r = next(&mut seed);
                    if r % 5 == 0 { (r >> 8) as u8 | 0x80 } else { (r >> 8) as u8 & 0x7f }
                })
                .collect();
            let one_by_one: String = bytes.iter().map(|b| decode(std::slice::from_ref(b))).collect();
            assert_eq!(decode(&bytes), one_by_one, "{label}");
        }
    }
}
