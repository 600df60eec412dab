//! rpc::parse_request (the worker's message schema) on arbitrary text; the
//! checks are in checks/rpc.rs, shared with the replay test.
#![no_main]

#[path = "../checks/rpc.rs"]
mod rpc;

libfuzzer_sys::fuzz_target!(|data: &[u8]| rpc::check(data));
