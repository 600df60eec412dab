//! Real servers for the integration tests and the mailservers example; each
//! user takes a different subset.
#![allow(dead_code)]

pub mod dovecot;
pub mod smtp;
