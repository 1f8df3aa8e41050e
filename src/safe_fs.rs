//! Safe file handling: reading the files users name, and writing outputs, without hanging,
//! exhausting memory, echoing a file's content, or writing through a planted link.
//!
//! * [`read_input`] (and [`read_input_limited`]): every input file (scenarios, what they
//!   `extends`, digests, experiments, imports). Only regular files are read — a FIFO, a device
//!   (`/dev/zero`, `/dev/urandom`), a socket or a directory is refused before it is opened — at
//!   most a documented number of bytes ([`MAX_INPUT_BYTES`], [`MAX_IMPORT_BYTES`]), and the text
//!   must be UTF-8. An [`InputError`] names the file, says what is wrong and what would fix it,
//!   and never contains any of the file's content.
//! * [`write_atomically`] (and [`write_atomically_with`]): an output written completely or not
//!   at all, through a staging file that is created new (never opened through a symlink) and
//!   renamed over the target only if the target is absent or a regular file.
//! * [`create_new_file`]: a new file inside an output directory, never an existing file or a
//!   symlink.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The largest scenario, digest or experiment file read: 16 MiB (the largest shipped scenario is
/// a few tens of KiB).
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

/// The largest file `detente import` reads: 64 MiB (tables of thousands of actors stay far
/// below).
pub const MAX_IMPORT_BYTES: u64 = 64 << 20;

/// Why an input file was not read. Its [`Display`](fmt::Display) names the file, says what is
/// wrong and what would fix it; it never quotes the file's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file named.
    pub path: PathBuf,
    /// 1-based line and column of the problem in the file, when it has a place (invalid UTF-8).
    pub location: Option<(usize, usize)>,
    /// What is wrong, naming the file.
    pub message: String,
    /// What would fix it.
    pub help: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((line, col)) = self.location {
            write!(f, "{}:{line}:{col}: ", self.path.display())?;
        }
        write!(f, "{} ({})", self.message, self.help)
    }
}

impl std::error::Error for InputError {}

impl From<InputError> for crate::scenario::Diagnostic {
    fn from(e: InputError) -> Self {
        let mut d = crate::scenario::Diagnostic::new(e.message).with_help(e.help);
        if e.location.is_some() {
            d.file = Some(e.path);
            d.location = e.location;
        }
        d
    }
}

impl From<InputError> for crate::scenario::Diagnostics {
    fn from(e: InputError) -> Self {
        crate::scenario::Diagnostic::from(e).into()
    }
}

/// What a non-regular file is, in words (`None` for a regular file).
fn kind_of(t: fs::FileType) -> Option<&'static str> {
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a directory");
    }
    if t.is_symlink() {
        return Some("a symbolic link");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// A size in bytes, in words (`16 MiB`, `17825792 bytes`).
fn size_words(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

fn unlocated(path: &Path, message: String, help: &str) -> InputError {
    InputError {
        path: path.to_path_buf(),
        location: None,
        message,
        help: help.to_owned(),
    }
}

fn io_error(path: &Path, what: &str, e: io::Error) -> InputError {
    let shown = path.display();
    match e.kind() {
        io::ErrorKind::NotFound => unlocated(
            path,
            format!("cannot read the {what} `{shown}`: it does not exist"),
            "check the path",
        ),
        io::ErrorKind::PermissionDenied => unlocated(
            path,
            format!("cannot read the {what} `{shown}`: permission denied"),
            "make the file readable, or name another one",
        ),
        _ => unlocated(
            path,
            format!("cannot read the {what} `{shown}`: {e}"),
            "check the path",
        ),
    }
}

/// Opens `path` for reading only if it is a regular file (of at most `limit` bytes, as its
/// metadata reports), checked before opening — so a FIFO never blocks and a device is never
/// opened — and again on what was opened, in case the path changed in between. Symlinks to
/// regular files are followed. The size reported may be 0 (files under `/proc`): read through
/// `take`.
pub fn open_regular(path: &Path, what: &str) -> Result<File, InputError> {
    open_checked(path, what, None)
}

fn open_checked(path: &Path, what: &str, limit: Option<u64>) -> Result<File, InputError> {
    let shown = path.display();
    let not_regular = |kind: &str| {
        if kind == "a directory" {
            unlocated(
                path,
                format!("the {what} `{shown}` is a directory, not a file"),
                "name a file, not a directory",
            )
        } else {
            unlocated(
                path,
                format!("the {what} `{shown}` is {kind}, not a regular file"),
                "only regular files are read; save the content to a file and name that",
            )
        }
    };
    // `metadata` follows symlinks: a link to a regular file is read, a link to a FIFO is not.
    let meta = fs::metadata(path).map_err(|e| io_error(path, what, e))?;
    if let Some(kind) = kind_of(meta.file_type()) {
        return Err(not_regular(kind));
    }
    if let Some(limit) = limit
        && meta.len() > limit
    {
        return Err(too_big(path, what, &size_words(meta.len()), limit));
    }
    let file = File::open(path).map_err(|e| io_error(path, what, e))?;
    let opened = file.metadata().map_err(|e| io_error(path, what, e))?;
    if let Some(kind) = kind_of(opened.file_type()) {
        return Err(not_regular(kind));
    }
    Ok(file)
}

fn too_big(path: &Path, what: &str, size: &str, limit: u64) -> InputError {
    unlocated(
        path,
        format!(
            "the {what} `{}` is {size}, more than the {} a {what} may have",
            path.display(),
            size_words(limit)
        ),
        "check that the path names the intended file",
    )
}

/// Reads the `what` (e.g. `"scenario file"`) at `path` as text, at most [`MAX_INPUT_BYTES`].
/// See [`read_input_limited`].
pub fn read_input(path: &Path, what: &str) -> Result<String, InputError> {
    read_input_limited(path, what, MAX_INPUT_BYTES)
}

/// Reads the `what` at `path` as UTF-8 text of at most `limit` bytes.
///
/// Guarantees: the path (after following symlinks) is checked to be a regular file before it
/// is opened, so a FIFO never blocks and a device is never read; the opened file is checked
/// again; at most `limit + 1` bytes are read whatever the file reports as its size (files
/// under `/proc` report 0); invalid UTF-8 is reported at its line and column. The error never
/// contains the file's content.
pub fn read_input_limited(path: &Path, what: &str, limit: u64) -> Result<String, InputError> {
    let err = |message: String, help: &str| unlocated(path, message, help);
    let io_err = |e: io::Error| io_error(path, what, e);

    let file = open_checked(path, what, Some(limit))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(
            path,
            what,
            &format!("more than {}", size_words(limit)),
            limit,
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        // Everything before `at` is valid UTF-8.
        let before = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        InputError {
            location: Some((line, col)),
            ..err(
                format!("the {what} is not UTF-8 text: byte {at} is not valid UTF-8"),
                "save the file as UTF-8 text",
            )
        }
    })
}

/// Refuses a target that exists and is not a regular file (symlink, device, FIFO, socket,
/// directory): replacing it would destroy it or, for a device, lose what was meant for it.
fn check_target(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("cannot write `{}`: {e}", path.display()),
        )),
        Ok(m) => match kind_of(m.file_type()) {
            None => Ok(()),
            Some(kind) => Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "refusing to write `{}`: it is {kind}, not a regular file \
                     (remove it or choose another output path)",
                    path.display()
                ),
            )),
        },
    }
}

/// Distinguishes the staging files of one process.
static STAGING: AtomicU64 = AtomicU64::new(0);

/// A new file at `path`, opened for writing.
///
/// Guarantees: the file did not exist before — an existing file, a symlink (even a dangling
/// one) or anything else at `path` is an error (`create_new`, i.e. `O_CREAT|O_EXCL`), so a
/// planted link never redirects the write. Use it for files inside an output directory. The
/// error names the path.
pub fn create_new_file(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            let why = if e.kind() == io::ErrorKind::AlreadyExists {
                "something already exists there".to_owned()
            } else {
                e.to_string()
            };
            io::Error::new(
                e.kind(),
                format!("cannot create `{}`: {why}", path.display()),
            )
        })
}

/// Writes `bytes` to `path` completely or not at all. See [`write_atomically_with`].
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomically_with(path, |w| w.write_all(bytes))
}

/// Writes to `path` what `fill` writes, completely or not at all.
///
/// Guarantees: `path` is refused (an error naming it, nothing written) when it exists and is
/// not a regular file (symlink, device, FIFO, socket, directory), checked before writing and
/// again before the rename. The content goes to a staging file beside it,
/// `<path>.<pid>.<n>.partial`, created new ([`create_new_file`]: never through a planted
/// symlink), flushed to disk, then renamed over `path`. On any error the staging file is
/// removed and `path` is untouched. (The directories on the way to `path` are trusted.)
pub fn write_atomically_with(
    path: &Path,
    fill: impl FnOnce(&mut io::BufWriter<&File>) -> io::Result<()>,
) -> io::Result<()> {
    check_target(path)?;
    let mut staging = path.as_os_str().to_owned();
    staging.push(format!(
        ".{}.{}.partial",
        std::process::id(),
        STAGING.fetch_add(1, Ordering::Relaxed)
    ));
    let staging = PathBuf::from(staging);
    let file = create_new_file(&staging)?;
    let written = (|| {
        let mut w = io::BufWriter::new(&file);
        fill(&mut w)?;
        w.flush()?;
        drop(w);
        file.sync_all()?;
        check_target(path)?;
        fs::rename(&staging, path).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot write `{}`: {e}", path.display()))
        })
    })();
    if written.is_err() {
        let _ = fs::remove_file(&staging);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory under the system's temporary directory, removed on drop.
    struct Dir(PathBuf);

    impl Dir {
        fn new(name: &str) -> Dir {
            let p = std::env::temp_dir().join(format!(
                "detente-safe-fs-{name}-{}-{}",
                std::process::id(),
                STAGING.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = fs::remove_dir_all(&p);
            fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".partial"))
            .collect()
    }

    #[test]
    fn reads_a_regular_file_and_a_symlink_to_one() {
        let d = Dir::new("read");
        let f = d.0.join("a.ron");
        fs::write(&f, "Scenario()").unwrap();
        assert_eq!(read_input(&f, "scenario file").unwrap(), "Scenario()");
        #[cfg(unix)]
        {
            let l = d.0.join("link.ron");
            std::os::unix::fs::symlink(&f, &l).unwrap();
            assert_eq!(read_input(&l, "scenario file").unwrap(), "Scenario()");
        }
    }

    #[test]
    fn refuses_a_missing_file_and_a_directory() {
        let d = Dir::new("missing");
        let e = read_input(&d.0.join("nope.ron"), "scenario file").unwrap_err();
        assert!(e.message.contains("does not exist"), "{e}");
        let e = read_input(&d.0, "scenario file").unwrap_err();
        assert!(e.message.contains("is a directory"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_devices_without_reading_them() {
        for dev in ["/dev/zero", "/dev/urandom", "/dev/null"] {
            let p = Path::new(dev);
            if p.exists() {
                let e = read_input(p, "digest").unwrap_err();
                assert!(e.message.contains("character device"), "{e}");
                assert!(e.message.contains(dev), "{e}");
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_fifo_without_blocking() {
        let d = Dir::new("fifo");
        let p = d.0.join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&p).status();
        if made.is_ok_and(|s| s.success()) {
            let e = read_input(&p, "scenario file").unwrap_err();
            assert!(e.message.contains("FIFO"), "{e}");
        }
    }

    #[test]
    fn refuses_a_file_over_the_limit_by_its_size_and_by_what_it_holds() {
        let d = Dir::new("big");
        let p = d.0.join("big.ron");
        File::create(&p)
            .unwrap()
            .set_len(MAX_INPUT_BYTES + 1)
            .unwrap();
        let e = read_input(&p, "scenario file").unwrap_err();
        assert!(e.message.contains("more than the 16 MiB"), "{e}");
        fs::write(&p, "x".repeat(11)).unwrap();
        let e = read_input_limited(&p, "scenario file", 10).unwrap_err();
        assert!(e.message.contains("more than the 10 bytes"), "{e}");
        assert_eq!(read_input_limited(&p, "f", 11).unwrap().len(), 11);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn proc_files_are_read_bounded_although_they_report_size_zero() {
        let p = Path::new("/proc/self/status");
        if p.exists() {
            let e = read_input_limited(p, "digest", 8).unwrap_err();
            assert!(e.message.contains("more than 8 bytes"), "{e}");
        }
    }

    #[test]
    fn locates_invalid_utf8_without_quoting_the_file() {
        let d = Dir::new("utf8");
        let p = d.0.join("bad.ron");
        fs::write(&p, b"secret one\nsecret \xff two\n").unwrap();
        let e = read_input(&p, "scenario file").unwrap_err();
        assert_eq!(e.location, Some((2, 8)));
        assert!(e.message.contains("byte 18"), "{e}");
        assert!(!e.to_string().contains("secret"), "{e}");
    }

    #[test]
    fn writes_atomically_and_replaces_a_regular_file() {
        let d = Dir::new("write");
        let p = d.0.join("out.svg");
        write_atomically(&p, b"one").unwrap();
        write_atomically(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert!(leftovers(&d.0).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn refuses_to_replace_a_symlink_and_leaves_its_target_alone() {
        let d = Dir::new("symlink");
        let outside = d.0.join("outside.txt");
        fs::write(&outside, "keep").unwrap();
        let p = d.0.join("out.svg");
        std::os::unix::fs::symlink(&outside, &p).unwrap();
        let e = write_atomically(&p, b"new").unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(fs::read(&outside).unwrap(), b"keep");
        assert!(fs::symlink_metadata(&p).unwrap().file_type().is_symlink());
        assert!(leftovers(&d.0).is_empty());
    }

    #[test]
    fn refuses_to_replace_a_directory() {
        let d = Dir::new("dir");
        let p = d.0.join("out");
        fs::create_dir(&p).unwrap();
        let e = write_atomically(&p, b"new").unwrap_err();
        assert!(e.to_string().contains("is a directory"), "{e}");
        assert!(p.is_dir());
        assert!(leftovers(&d.0).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn refuses_to_replace_a_device() {
        use std::os::unix::fs::FileTypeExt;
        let p = Path::new("/dev/null");
        let e = write_atomically(p, b"new").unwrap_err();
        assert!(e.to_string().contains("character device"), "{e}");
        assert!(fs::metadata(p).unwrap().file_type().is_char_device());
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_staging_symlink_does_not_redirect_the_write() {
        let d = Dir::new("planted");
        let outside = d.0.join("outside.txt");
        fs::write(&outside, "keep").unwrap();
        let p = d.0.join("out.svg");
        // The old fixed staging name, and the next name this process would use.
        let mut old = p.as_os_str().to_owned();
        old.push(".partial");
        std::os::unix::fs::symlink(&outside, &old).unwrap();
        let mut next = p.as_os_str().to_owned();
        next.push(format!(
            ".{}.{}.partial",
            std::process::id(),
            STAGING.load(Ordering::Relaxed)
        ));
        std::os::unix::fs::symlink(&outside, &next).unwrap();
        // Either the guessed name was taken (refused) or another was used: never the link.
        let _ = write_atomically(&p, b"new");
        assert_eq!(fs::read(&outside).unwrap(), b"keep");
    }

    #[test]
    fn create_new_file_refuses_anything_already_there() {
        let d = Dir::new("create");
        let p = d.0.join("t.csv");
        create_new_file(&p).unwrap();
        let e = create_new_file(&p).unwrap_err();
        assert!(e.to_string().contains("already exists"), "{e}");
        #[cfg(unix)]
        {
            let l = d.0.join("dangling");
            std::os::unix::fs::symlink(d.0.join("nowhere"), &l).unwrap();
            assert!(create_new_file(&l).is_err());
            assert!(!d.0.join("nowhere").exists());
        }
    }
}
