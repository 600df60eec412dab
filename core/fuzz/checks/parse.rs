//! The checks the `parse` fuzz target runs on each input, shared with the
//! replay test (core/tests/fuzz_regressions.rs): parse_message on arbitrary
//! bytes never panics, never overflows the stack or hangs (libFuzzer's
//! -timeout and -rss_limit_mb catch those), and what it returns respects the
//! input and the limits.

use inlay_core::message::{Limit, Limits, ParseError, parse_message, parse_message_with};

pub fn check(data: &[u8]) {
    check_with(data, &Limits::default());
    // Tight limits are reached on small inputs, so they get exercised.
    let tight = Limits {
        max_bytes: 4096,
        max_depth: 3,
        max_parts: 8,
        max_header_bytes: 512,
        max_work: 1 << 20,
    };
    check_with(data, &tight);
    let _ = parse_message(data);
}

fn check_with(data: &[u8], limits: &Limits) {
    match parse_message_with(data, limits) {
        Ok(message) => {
            assert!(!data.is_empty());
            assert!(data.len() <= limits.max_bytes);
            assert!(message.attachments.len() < limits.max_parts);
            // Sizes are of transfer-decoded bytes, which never grow, of the
            // text parsed: the message as given, or its repaired copy (header
            // rewrites, also inside a forwarded message), held to twice the
            // size limit.
            let parsed_at_most = 2 * limits.max_bytes as u64;
            for attachment in &message.attachments {
                assert!(
                    attachment.size <= parsed_at_most,
                    "{} > {parsed_at_most}",
                    attachment.size
                );
            }
            for header in &message.headers {
                assert!(!header.name.is_empty());
            }
        }
        Err(ParseError::Empty) => assert!(data.is_empty()),
        Err(ParseError::LimitExceeded {
            limit: Limit::MaxBytes,
            max,
        }) => assert!(data.len() as u64 > max),
        Err(_) => {}
    }
}
