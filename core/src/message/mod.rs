//! Building and parsing RFC 5322 messages.
