//! Inlay's end-to-end sandbox: local fakes of the provider hosts the extension talks to
//! (Google, Microsoft, DNS-over-HTTPS, Thunderbird's ISPDB, Gmail and Outlook web pages),
//! served over HTTPS on 127.0.0.1 under their production names, plus a control API for
//! tests to seed data, inject faults and read back what the extension sent.

pub mod cli;
/// The published contracts folder and the one line a checkout without it stops with
/// (one copy for all Rust code, kept with core's tests).
#[path = "../../../core/tests/support/contracts.rs"]
pub mod contracts;
pub mod control;
pub mod control_oauth;
pub mod delivery;
pub mod faults;
pub mod hosts;
pub mod http;
pub mod https;
pub mod ids;
pub mod oauth;
pub mod record;
pub mod route;
pub mod sandbox;
pub mod state;
pub mod sync_log;
pub mod tls;
pub mod tokens;
pub mod wire;
pub mod xml;

use std::error::Error;
use std::io::Write;
use std::sync::Arc;

use serde::Serialize;
use tokio::net::TcpListener;

use crate::cli::Config;
use crate::hosts::ispdb::IspDb;
use crate::sandbox::Sandbox;

/// The one line printed on stdout once both servers listen.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ready {
    pub event: &'static str,
    pub https_port: u16,
    pub control_url: String,
    /// For Chromium's `--ignore-certificate-errors-spki-list=`.
    pub spki: String,
    pub hosts: Vec<&'static str>,
    /// Plain-HTTP port and the host names to map to it (no TLS there).
    pub http_port: u16,
    pub http_hosts: Vec<&'static str>,
}

/// Starts both servers, prints the ready line, and serves until the process is killed.
pub async fn run(config: Config) -> Result<(), Box<dyn Error>> {
    contracts::check(&config.contracts)?;
    let ispdb_dir = config.contracts.join("ispdb/ispdb");
    let ispdb = IspDb::load(&ispdb_dir)
        .map_err(|e| format!("loading the ISPDB from {}: {e}", ispdb_dir.display()))?;
    let discovery = config.contracts.join("gmail/gmail-v1-discovery.json");
    let gmail = oauth::scopes::GmailContract::load(&discovery)
        .map_err(|e| format!("loading {}: {e}", discovery.display()))?;
    let sandbox = Arc::new(Sandbox::new(ispdb).with_gmail(gmail));
    let hosts = hosts::names();
    let identity = tls::Identity::generate(&hosts)?;

    let https = TcpListener::bind(("127.0.0.1", config.https_port)).await?;
    let control = TcpListener::bind(("127.0.0.1", config.control_port)).await?;
    let http = TcpListener::bind(("127.0.0.1", 0)).await?;
    let ready = Ready {
        event: "ready",
        https_port: https.local_addr()?.port(),
        control_url: format!("http://{}", control.local_addr()?),
        spki: identity.spki_sha256.clone(),
        hosts,
        http_port: http.local_addr()?.port(),
        http_hosts: hosts::http_names(),
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", serde_json::to_string(&ready)?)?;
    stdout.flush()?;
    drop(stdout);
    eprintln!(
        "inlay-sandbox: HTTPS on 127.0.0.1:{}, control on {}, {} ISPDB domains",
        ready.https_port,
        ready.control_url,
        sandbox.ispdb.domain_count()
    );

    tokio::join!(
        https::serve(
            https,
            identity.server_config,
            sandbox.clone(),
            config.verbose
        ),
        https::serve_plain(http, sandbox.clone(), config.verbose),
        control::serve(control, sandbox)
    );
    Ok(())
}
