//! Studies over many runs. [`batch`]: Monte Carlo ensembles of one scenario; [`compare`]: a
//! base and variants under common random numbers.

pub mod batch;
pub mod compare;
pub mod design;
pub mod diagnose;
pub mod executor;
pub mod experiment;
pub mod journal;
pub mod knobs;
pub mod results;
pub mod results_dir;
pub mod sensitivity;
pub mod table;

use std::io;
use std::path::Path;

/// Writes `bytes` to `path` completely or not at all: a staging file beside it, created new,
/// renamed over `path` only if `path` is absent or a regular file (see
/// [`crate::safe_fs::write_atomically_with`] for what is guaranteed).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    crate::safe_fs::write_atomically(path, bytes)
}

/// Writes `value` as pretty JSON to `path`, completely or not at all.
pub fn write_json(path: &Path, value: &serde_json::Value) -> io::Result<()> {
    write_atomically(
        path,
        (serde_json::to_string_pretty(value).expect("json") + "\n").as_bytes(),
    )
}

/// SHA-256 of a file, in hex (manifests record the files a study read and wrote). Only a
/// regular file is read ([`crate::safe_fs::open_regular`]): never a FIFO or a device.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut file = crate::safe_fs::open_regular(path, "file").map_err(|e| {
        let kind = if path.exists() {
            io::ErrorKind::InvalidInput
        } else {
            io::ErrorKind::NotFound
        };
        io::Error::new(kind, e.to_string())
    })?;
    let mut hash = sha2::Sha256::new();
    let mut buf = vec![0; 1 << 16];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hash.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
}
