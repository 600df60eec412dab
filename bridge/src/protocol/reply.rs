//! Reply building: `{"id", "ok": true, "value"}` or
//! `{"id", "ok": false, "error": {"code", "message"}}`.

use serde_json::{Value, json};

const MAX_MESSAGE_LEN: usize = 300;

pub fn ok(id: Option<&str>, value: Value) -> Value {
    json!({"id": id, "ok": true, "value": value})
}

pub fn error(id: Option<&str>, code: &str, message: &str) -> Value {
    // Serde messages can quote input; keep replies bounded.
    let message: String = message.chars().take(MAX_MESSAGE_LEN).collect();
    json!({"id": id, "ok": false, "error": {"code": code, "message": message}})
}

/// A failed operation; a refused certificate travels with it, for review.
pub fn failure(id: Option<&str>, f: &crate::net::Fail) -> Value {
    let mut reply = error(id, f.code, &f.message);
    if let Some(c) = &f.certificate {
        reply["error"]["certificate"] = json!(c);
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::handle;

    #[test]
    fn error_messages_are_bounded() {
        let reply = error(Some("1"), "badRequest", &"z".repeat(10_000));
        assert_eq!(
            reply["error"]["message"].as_str().unwrap().len(),
            MAX_MESSAGE_LEN
        );
        // And through the dispatcher, where serde quotes a long unknown field.
        let field = "z".repeat(10_000);
        let reply = handle(format!(r#"{{"id":"1","op":"ping","{field}":1}}"#).as_bytes());
        assert!(
            reply["error"]["message"].as_str().unwrap().len() <= MAX_MESSAGE_LEN,
            "{reply}"
        );
    }
}
