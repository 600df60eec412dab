//! parse_message on arbitrary bytes; the checks are in checks/parse.rs,
//! shared with the replay test.
#![no_main]

#[path = "../checks/parse.rs"]
mod parse;

libfuzzer_sys::fuzz_target!(|data: &[u8]| parse::check(data));
