//! `detente serve SCENARIO`: a local web explorer of one scenario.
//!
//! The server (axum on a small tokio runtime) serves a page whose assets are compiled into the
//! binary (`assets/`: no CDN, works offline) and a JSON API that runs ensembles, comparisons and
//! single runs of the scenario under `--set`-style overrides through the project's one run
//! pipeline ([`crate::study::executor`], [`crate::study::compare::execute`]). What the page
//! shows is derived from the loaded scenario ([`controls`]) and from the statistics registry
//! ([`crate::stats`]); nothing here names a particular outcome, parameter or actor.
//!
//! Guarantees:
//! * it listens on 127.0.0.1 unless another address is given explicitly with `--listen`
//!   ([`address`]), and prints the address it listens on;
//! * every answer of the API is JSON; a malformed, oversized or out-of-range request gets a
//!   status 4xx and `{"error": ..., "problems": [...]}` saying what is wrong, and never stops
//!   the server (a panic in a request is caught and answered with a 500);
//! * at most [`api::RUNNING`] studies run at once and at most [`api::ADMITTED`] are admitted
//!   (running or waiting); beyond that a request is refused at once with a 503;
//! * a request from a page (`client`) cancels that page's previous request still running, and a
//!   request whose connection is dropped stops its work: no new chunk of runs starts;
//! * Ctrl-C (or SIGTERM) stops it cleanly: running studies are cancelled, open connections are
//!   closed, and the process exits with status 0.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod api;
pub mod cli;
pub mod controls;
pub mod export;

/// Why the server could not start or stopped with an error.
#[derive(Debug)]
pub enum ServeError {
    /// The scenario file is not valid.
    Invalid(crate::scenario::Diagnostics),
    /// Anything else: the address, the port, the engine.
    Other(String),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Invalid(d) => write!(f, "{d}"),
            ServeError::Other(m) => write!(f, "error: {m}"),
        }
    }
}

/// The page and its script and style, compiled into the binary.
mod assets {
    pub const INDEX: &str = include_str!("../../assets/index.html");
    pub const SCRIPT: &str = include_str!("../../assets/app.js");
    pub const STYLE: &str = include_str!("../../assets/app.css");
}

/// The port `serve` listens on when `--port` is not given.
pub const DEFAULT_PORT: u16 = 8765;

/// What `detente serve` is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The scenario file.
    pub file: PathBuf,
    /// The port (0: any free port).
    pub port: u16,
    /// The address to listen on, as given with `--listen` (an IP address, `localhost`, or
    /// `ADDR:PORT`); `None`: 127.0.0.1.
    pub listen: Option<String>,
    /// Worker threads of each study (0: one per core).
    pub threads: usize,
}

/// The address to listen on: 127.0.0.1 and `port` without `listen`; with `listen`, that address
/// (`localhost`, an IP address, or an `ADDR:PORT`, whose port must agree with an explicit
/// `--port`). Returns the address and whether it is reachable from other machines (not
/// loopback); a host name other than `localhost` is refused, since it could resolve to anything.
pub fn address(
    port: u16,
    port_given: bool,
    listen: Option<&str>,
) -> Result<(SocketAddr, bool), String> {
    let Some(text) = listen.map(str::trim) else {
        return Ok((
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            false,
        ));
    };
    let addr = if text.eq_ignore_ascii_case("localhost") {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
    } else if let Ok(ip) = text.parse::<IpAddr>() {
        SocketAddr::new(ip, port)
    } else if let Ok(a) = text.parse::<SocketAddr>() {
        if port_given && a.port() != port {
            return Err(format!(
                "--listen {text} names port {} but --port says {port}: give the port once",
                a.port()
            ));
        }
        a
    } else {
        return Err(format!(
            "--listen `{text}` is not an address: give an IP address (127.0.0.1, ::1, 0.0.0.0), \
             `localhost`, or ADDR:PORT"
        ));
    };
    Ok((addr, !addr.ip().is_loopback()))
}

/// Loads the scenario, binds the address, prints it, and serves until Ctrl-C or SIGTERM.
/// `ready` is told the address once the server accepts connections (the CLI prints it).
pub fn run(
    o: &Options,
    port_given: bool,
    ready: impl FnOnce(SocketAddr, bool),
) -> Result<(), ServeError> {
    let (addr, exposed) =
        address(o.port, port_given, o.listen.as_deref()).map_err(ServeError::Other)?;
    let app = Arc::new(api::App::new(&o.file, o.threads)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(api::ADMITTED + 4)
        .enable_all()
        .build()
        .map_err(|e| ServeError::Other(format!("cannot start the server: {e}")))?;
    runtime
        .block_on(async move {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| bind_error(addr, &e))?;
            let bound = listener
                .local_addr()
                .map_err(|e| format!("cannot read the address listened on: {e}"))?;
            ready(bound, exposed);
            let stopping = app.shutdown_flag();
            axum::serve(listener, api::router(app))
                .with_graceful_shutdown(async move {
                    shutdown_signal().await;
                    stopping.store(true, std::sync::atomic::Ordering::SeqCst);
                })
                .await
                .map_err(|e| format!("the server stopped: {e}"))
        })
        .map_err(ServeError::Other)?;
    // Open keep-alive connections are closed by the graceful shutdown; blocking work still in
    // flight sees the shutdown flag and ends after its current chunk.
    runtime.shutdown_timeout(std::time::Duration::from_secs(5));
    Ok(())
}

fn bind_error(addr: SocketAddr, e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "cannot listen on {addr}: the port is in use (another `detente serve`?): choose \
             another with --port, or --port 0 for any free port"
        ),
        std::io::ErrorKind::PermissionDenied => format!(
            "cannot listen on {addr}: permission denied (ports below 1024 need privileges): \
             choose another with --port"
        ),
        _ => format!("cannot listen on {addr}: {e}"),
    }
}

/// Resolves when the process is asked to stop: Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            // Without a handler, wait forever: the process can still be killed.
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// The file name of `path`, for messages and exported variants.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_by_default() {
        let (a, exposed) = address(8765, false, None).unwrap();
        assert_eq!(a, "127.0.0.1:8765".parse::<SocketAddr>().unwrap());
        assert!(a.ip().is_loopback() && !exposed);
        let (a, _) = address(0, true, None).unwrap();
        assert_eq!(a.port(), 0);
    }

    #[test]
    fn other_addresses_only_when_named_and_flagged() {
        let (a, exposed) = address(9000, true, Some("0.0.0.0")).unwrap();
        assert_eq!(a, "0.0.0.0:9000".parse::<SocketAddr>().unwrap());
        assert!(exposed, "0.0.0.0 is reachable from other machines");
        let (a, exposed) = address(9000, false, Some("localhost")).unwrap();
        assert!(a.ip().is_loopback() && !exposed);
        let (a, exposed) = address(9000, false, Some("::1")).unwrap();
        assert!(a.ip().is_loopback() && !exposed);
        let (a, _) = address(DEFAULT_PORT, false, Some("127.0.0.1:7000")).unwrap();
        assert_eq!(a.port(), 7000);
        assert!(address(9000, true, Some("127.0.0.1:7000")).is_err());
        for bad in ["example.com", "", "1.2.3", "127.0.0.1:99999"] {
            let e = address(9000, false, Some(bad)).unwrap_err();
            assert!(e.contains("not an address"), "{bad}: {e}");
        }
    }
}
