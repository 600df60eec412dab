//! build_message on arbitrary drafts; the checks (and the decoding of bytes
//! into a draft) are in checks/build_message.rs, shared with the replay test.
#![no_main]

#[path = "../checks/build_message.rs"]
mod build_message;

libfuzzer_sys::fuzz_target!(|data: &[u8]| build_message::check(data));
