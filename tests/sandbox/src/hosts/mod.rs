//! The fake hosts, one module per host family, and the table that routes a request to
//! its fake by host name. The same table gives the certificate's SANs and the ready line.

use crate::http::{Request, Response};
use crate::sandbox::Sandbox;

pub mod autoconfig;
pub mod dns;
pub mod ews;
pub mod exchange;
pub mod gmail;
pub mod gmail_messages;
pub mod gmail_sync;
pub mod google_accounts;
pub mod google_error;
pub mod google_oauth;
pub mod google_revoke;
pub mod google_userinfo;
pub mod graph;
pub mod graph_delta;
pub mod graph_mail;
pub mod graph_upload;
pub mod ispdb;
pub mod microsoft_error;
pub mod microsoft_login;
pub mod microsoft_token;
pub mod oauth_pages;
pub mod webmail;
pub mod webmail_gmail;
pub mod webmail_outlook;

/// A fake: answers one request against the shared sandbox.
pub type Handler = fn(&Request, &Sandbox) -> Response;

pub struct Host {
    pub name: &'static str,
    pub handler: Handler,
}

pub const HOSTS: &[Host] = &[
    Host {
        name: "accounts.google.com",
        handler: google_accounts::handle,
    },
    Host {
        name: "oauth2.googleapis.com",
        handler: google_oauth::handle,
    },
    Host {
        name: "gmail.googleapis.com",
        handler: gmail::handle,
    },
    Host {
        name: "www.googleapis.com",
        handler: google_oauth::handle,
    },
    Host {
        name: "openidconnect.googleapis.com",
        handler: google_oauth::handle,
    },
    Host {
        name: "login.microsoftonline.com",
        handler: microsoft_login::handle,
    },
    Host {
        name: "graph.microsoft.com",
        handler: graph::handle,
    },
    Host {
        name: "dns.google",
        handler: dns::handle,
    },
    Host {
        name: "autoconfig.thunderbird.net",
        handler: ispdb::handle,
    },
    Host {
        name: "mail.google.com",
        handler: webmail_gmail::handle,
    },
    Host {
        name: "outlook.office.com",
        handler: webmail_outlook::handle,
    },
    Host {
        name: "outlook.live.com",
        handler: webmail_outlook::handle,
    },
    Host {
        name: "outlook.office365.com",
        handler: webmail_outlook::handle,
    },
];

/// Every fake host name: the table above plus each Exchange organisation's hosts.
pub fn names() -> Vec<&'static str> {
    HOSTS
        .iter()
        .map(|h| h.name)
        .chain(exchange::host_names().iter().map(String::as_str))
        .chain(autoconfig::host_names().iter().map(String::as_str))
        .collect()
}

/// Host names served on the plain-HTTP port instead (the Autodiscover probe hosts).
pub fn http_names() -> Vec<&'static str> {
    exchange::http_host_names()
        .iter()
        .map(String::as_str)
        .collect()
}

/// Hands the request to the fake for its host; a host we do not fake gets 421, which is
/// what a real front end answers for a name it does not serve on this connection.
pub fn dispatch(req: &Request, sandbox: &Sandbox) -> Response {
    match HOSTS.iter().find(|h| h.name == req.host) {
        Some(host) => (host.handler)(req, sandbox),
        None if exchange::role_of(&req.host).is_some() => exchange::handle(req, sandbox),
        None if autoconfig::domain_of(&req.host).is_some() => autoconfig::handle(req, sandbox),
        None => misdirected(&req.host),
    }
}

pub fn misdirected(host: &str) -> Response {
    Response::text(
        421,
        format!("421 Misdirected Request: this server does not serve {host:?}\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hosts::ispdb::IspDb;

    #[test]
    fn unknown_hosts_are_misdirected() {
        let sb = Sandbox::new(IspDb::default());
        assert_eq!(
            dispatch(&Request::new("GET", "example.com", "/"), &sb).status,
            421
        );
        assert_eq!(
            dispatch(&Request::new("GET", "mail.google.com.evil.test", "/"), &sb).status,
            421
        );
        assert_ne!(
            dispatch(&Request::new("GET", "mail.google.com", "/mail/u/0/"), &sb).status,
            421
        );
    }

    #[test]
    fn every_listed_host_is_routed_and_unique() {
        let sb = Sandbox::new(IspDb::default());
        let mut names = names();
        for name in &names {
            assert_ne!(
                dispatch(&Request::new("GET", name, "/"), &sb).status,
                421,
                "{name}"
            );
        }
        names.sort();
        names.dedup();
        assert_eq!(
            names.len(),
            HOSTS.len() + exchange::host_names().len() + autoconfig::host_names().len()
        );
    }
}
