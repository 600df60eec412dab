//! The HTTPS front every fake host sits behind (and a plain-HTTP one for the few hosts
//! that have no TLS): for each request recording, fault injection and routing by host,
//! in that order.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rustls::ServerConfig;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_rustls::TlsAcceptor;

use crate::faults::{self, Action};
use crate::hosts;
use crate::http::{Request, Response};
use crate::sandbox::Sandbox;
use crate::wire::{self, Body};

/// Accepts connections until the process ends.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    sandbox: Arc<Sandbox>,
    verbose: bool,
) {
    let acceptor = TlsAcceptor::from(tls);
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Typically EMFILE; back off instead of spinning.
                eprintln!("inlay-sandbox: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let sandbox = sandbox.clone();
        tokio::spawn(async move {
            let stream = match acceptor.accept(tcp).await {
                Ok(stream) => stream,
                Err(e) => return eprintln!("inlay-sandbox: TLS handshake with {peer} failed: {e}"),
            };
            let sni = stream
                .get_ref()
                .1
                .server_name()
                .map(str::to_ascii_lowercase);
            // A "reset" fault fires this; dropping the connection then closes the socket
            // without a byte of response.
            let reset = Arc::new(Notify::new());
            let service = service_fn({
                let reset = reset.clone();
                move |req| respond(req, sandbox.clone(), sni.clone(), reset.clone(), verbose)
            });
            let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                result = connection => {
                    if let Some(e) = result.as_ref().err().filter(|e| verbose && !e.is_incomplete_message()) {
                        eprintln!("inlay-sandbox: connection from {peer}: {e}");
                    }
                }
                () = reset.notified() => {}
            }
        });
    }
}

/// The plain-HTTP front (the hosts in `hosts::http_names`): the same recording, faults
/// and routing, without TLS.
pub async fn serve_plain(listener: TcpListener, sandbox: Arc<Sandbox>, verbose: bool) {
    loop {
        let (tcp, _peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                eprintln!("inlay-sandbox: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let sandbox = sandbox.clone();
        tokio::spawn(async move {
            let reset = Arc::new(Notify::new());
            let service = service_fn({
                let reset = reset.clone();
                move |req| respond(req, sandbox.clone(), None, reset.clone(), verbose)
            });
            let connection = http1::Builder::new().serve_connection(TokioIo::new(tcp), service);
            tokio::select! {
                _ = connection => {}
                () = reset.notified() => {}
            }
        });
    }
}

async fn respond(
    req: hyper::Request<hyper::body::Incoming>,
    sandbox: Arc<Sandbox>,
    sni: Option<String>,
    reset: Arc<Notify>,
    verbose: bool,
) -> Result<hyper::Response<Body>, Infallible> {
    let host = wire::host_of(&req)
        .or_else(|| sni.clone())
        .unwrap_or_default();
    let request = match wire::read_request(req, host).await {
        Ok(request) => request,
        Err(response) => return Ok(wire::to_hyper(response)),
    };
    let applied = sandbox.faults().take_with_body(
        &request.host,
        &request.method,
        &request.path,
        &request.body,
    );
    let seq = sandbox
        .recorder()
        .record(&request, applied.as_ref().map(|a| a.id));

    let mut action = Action::PassThrough;
    // `afterAccept`: the fake serves (and a send is delivered) before the fault acts.
    let mut served = None;
    if let Some(applied) = applied {
        if applied.after_accept {
            served = Some(route(&request, sni.as_deref(), &sandbox));
        }
        if let Some(delay) = applied.delay {
            tokio::time::sleep(delay).await;
        }
        action = applied.action;
    }
    let serve = |served: Option<Response>| {
        served.unwrap_or_else(|| route(&request, sni.as_deref(), &sandbox))
    };
    let response = match action {
        Action::Reset => {
            if verbose {
                eprintln!(
                    "inlay-sandbox: #{seq} {} {}{} -> connection reset (fault)",
                    request.method, request.host, request.path
                );
            }
            reset.notify_one();
            return std::future::pending().await;
        }
        Action::Respond(response) => response,
        Action::Malformed => faults::malform(serve(served)),
        Action::PassThrough => serve(served),
    };
    if verbose {
        eprintln!(
            "inlay-sandbox: #{seq} {} {}{} -> {}",
            request.method, request.host, request.path, response.status
        );
    }
    Ok(wire::to_hyper(response))
}

/// A request whose Host differs from the TLS server name was sent on a connection meant
/// for another host: 421, as real front ends answer.
fn route(request: &Request, sni: Option<&str>, sandbox: &Sandbox) -> Response {
    match sni {
        Some(sni) if sni != request.host => hosts::misdirected(&request.host),
        _ => hosts::dispatch(request, sandbox),
    }
}
