//! `detente serve SCENARIO [--port P] [--listen ADDR] [--threads T]`: the arguments and what the
//! command prints.

use std::io::Write;
use std::path::PathBuf;

/// The arguments of `detente serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Scenario file (the negotiation model).
    pub file: PathBuf,
    /// Port to listen on (default 8765; 0: any free port, printed at start).
    #[arg(long)]
    pub port: Option<u16>,
    /// Listen on this address instead of 127.0.0.1 (an IP address, `localhost`, or ADDR:PORT).
    /// An address other than loopback makes the explorer, which has no login, reachable from
    /// other machines.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Worker threads of each study: 0 (the default) is one per core; more than the cores are
    /// capped to the cores.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// Serves until Ctrl-C; prints the address on `out` once it accepts connections.
pub fn run(a: &ServeArgs, out: &mut impl Write) -> Result<(), crate::cli::CliError> {
    use crate::cli::CliError;
    let (threads, warning) = match a.threads {
        0 => (0, None),
        n => crate::limits::threads(n.min(crate::limits::THREADS), crate::limits::cores()),
    };
    if let Some(w) = warning {
        eprintln!("{w}");
    }
    let o = super::Options {
        file: a.file.clone(),
        port: a.port.unwrap_or(super::DEFAULT_PORT),
        listen: a.listen.clone(),
        threads,
    };
    let mut printed = Ok(());
    let result = super::run(&o, a.port.is_some(), |addr, exposed| {
        if exposed {
            eprintln!(
                "warning: listening on {addr}, reachable from other machines: the explorer has \
                 no login, and anyone who reaches it can run studies on this machine"
            );
        }
        printed = writeln!(
            out,
            "detente serve: {} at http://{addr}/ (Ctrl-C to stop)",
            a.file.display()
        )
        .and_then(|()| out.flush());
    });
    match result {
        Ok(()) => printed.map_err(CliError::Io),
        Err(super::ServeError::Invalid(d)) => Err(CliError::Invalid(d)),
        Err(super::ServeError::Other(m)) => Err(CliError::Usage(m)),
    }
}
