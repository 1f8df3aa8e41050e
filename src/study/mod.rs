//! Studies over many runs. [`batch`]: Monte Carlo ensembles of one scenario; [`compare`]: a
//! base and variants under common random numbers.

pub mod batch;
pub mod compare;
pub mod design;
pub mod executor;
pub mod experiment;
pub mod journal;
pub mod results;
pub mod results_dir;
pub mod sensitivity;
pub mod table;

use std::io;
use std::path::Path;

/// Writes `bytes` to `path` completely or not at all: a temporary file beside it, renamed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Writes `value` as pretty JSON to `path`, completely or not at all.
pub fn write_json(path: &Path, value: &serde_json::Value) -> io::Result<()> {
    write_atomically(
        path,
        (serde_json::to_string_pretty(value).expect("json") + "\n").as_bytes(),
    )
}

/// SHA-256 of a file, in hex (manifests record the files a study read).
pub fn sha256_file(path: &Path) -> io::Result<String> {
    use sha2::Digest;
    Ok(sha2::Sha256::digest(std::fs::read(path)?)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}
