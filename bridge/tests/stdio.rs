//! Runs the built binary the way the browser does: caller argument, framed
//! JSON on stdin, framed replies on stdout.

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_inlay-bridge");
const ORIGIN: &str = "chrome-extension://bbimpbbieljienmnelgcbakbkgaiinfn/";

fn frame(body: &[u8]) -> Vec<u8> {
    let mut v = (body.len() as u32).to_ne_bytes().to_vec();
    v.extend_from_slice(body);
    v
}

fn run(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The host may exit before reading everything (wrong caller): ignore EPIPE.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

fn replies(mut out: &[u8]) -> Vec<Value> {
    let mut v = Vec::new();
    let mut len = [0u8; 4];
    while out.read_exact(&mut len).is_ok() {
        let mut body = vec![0; u32::from_ne_bytes(len) as usize];
        out.read_exact(&mut body).unwrap();
        v.push(serde_json::from_slice(&body).unwrap());
    }
    v
}

#[test]
fn serves_inlay_over_stdio() {
    let long_id = "i".repeat(65);
    let mut input = Vec::new();
    input.extend(frame(br#"{"id":"1","op":"ping"}"#));
    input.extend(frame(b"{not json"));
    input.extend(frame(br#"{"id":"3","op":"formatDisk"}"#));
    input.extend(frame(
        format!(r#"{{"id":"{long_id}","op":"ping"}}"#).as_bytes(),
    ));
    input.extend(frame(br#"{"id":"5","op":"ping"}"#));
    let out = run(&[ORIGIN], &input);
    assert!(out.status.success(), "{out:?}");
    let r = replies(&out.stdout);
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        r[0],
        json!({"id": "1", "ok": true, "value": {"version": version}})
    );
    assert_eq!(
        (&r[1]["id"], &r[1]["error"]["code"]),
        (&Value::Null, &json!("badJson"))
    );
    assert_eq!(
        (&r[2]["id"], &r[2]["error"]["code"]),
        (&json!("3"), &json!("unknownOp"))
    );
    assert_eq!(
        (&r[3]["id"], &r[3]["error"]["code"]),
        (&Value::Null, &json!("badRequest"))
    );
    assert_eq!(r[4]["ok"], json!(true), "still serving after errors");
    assert_eq!(r.len(), 5);
}

#[test]
fn oversized_frame_is_reported_then_the_host_stops() {
    let mut input = frame(br#"{"id":"1","op":"ping"}"#);
    input.extend((64 * 1024 * 1024 + 1u32).to_ne_bytes());
    input.extend(b"garbage");
    let out = run(&[ORIGIN], &input);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let r = replies(&out.stdout);
    assert_eq!(r.len(), 2);
    assert_eq!(r[1]["error"]["code"], json!("frameTooLarge"));
}

#[test]
fn firefox_caller_is_accepted() {
    let out = run(
        &["/x/com.inlay.bridge.json", "inlay@inlay.invalid"],
        &frame(br#"{"id":"f","op":"ping"}"#),
    );
    assert!(out.status.success());
    assert_eq!(replies(&out.stdout)[0]["ok"], json!(true));
}

#[test]
fn wrong_callers_are_refused() {
    for args in [
        &["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"][..],
        &["/x/com.inlay.bridge.json", "evil@example.com"],
        &[],
    ] {
        let out = run(args, &frame(br#"{"id":"1","op":"ping"}"#));
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "no reply to a refused caller");
        assert!(String::from_utf8_lossy(&out.stderr).contains("inlay-bridge:"));
    }
}

#[test]
fn install_cli_writes_manifest_pointing_at_this_binary() {
    let dir = std::env::temp_dir().join(format!("inlay-bridge-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let profile = dir.join("profile");
    let cmd = |sub: &str| {
        Command::new(BIN)
            .args([sub, "--browser", "chromium", "--user-data-dir"])
            .arg(&profile)
            .env("HOME", &dir)
            .output()
            .unwrap()
    };
    let out = cmd("install");
    assert!(out.status.success(), "{out:?}");
    let path = profile.join("NativeMessagingHosts/com.inlay.bridge.json");
    assert!(String::from_utf8_lossy(&out.stdout).contains(path.to_str().unwrap()));
    let m: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let exe = std::fs::canonicalize(BIN).unwrap();
    assert_eq!(m["path"], json!(exe.to_str().unwrap()));
    assert_eq!(m["allowed_origins"], json!([ORIGIN]));
    assert!(cmd("uninstall").status.success());
    assert!(!path.exists());
    let _ = std::fs::remove_dir_all(&dir);
}
