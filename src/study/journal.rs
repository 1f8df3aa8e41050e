//! Append-only files whose every committed prefix can be verified: the journal of a results
//! directory (docs/architecture.md, "Results directories").
//!
//! A [`JournalFile`] counts and hashes (SHA-256) every byte it writes. [`JournalFile::mark`]
//! flushes it and returns a [`FileMark`]: the length of the file so far and the hash of those
//! bytes. A checkpoint stores marks; after a crash, [`JournalFile::reopen`] checks that the file
//! still starts with exactly the marked bytes, cuts off whatever was written after the mark (the
//! work in flight), and appends from there, so the file ends byte-identical to one written
//! without interruption.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A committed prefix of a journal file: its length and the SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileMark {
    /// Bytes.
    pub bytes: u64,
    /// SHA-256 of those bytes, in hex.
    pub sha256: String,
}

/// An append-only file that hashes what it writes (see the module documentation).
pub struct JournalFile {
    path: PathBuf,
    out: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
}

impl std::fmt::Debug for JournalFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JournalFile")
            .field("path", &self.path)
            .field("bytes", &self.bytes)
            .finish_non_exhaustive()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn at(path: &Path) -> impl Fn(io::Error) -> io::Error + '_ {
    move |e| io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

impl JournalFile {
    /// Creates `path`, which must not exist (never follows or replaces a symlink).
    pub fn create(path: &Path) -> io::Result<JournalFile> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(at(path))?;
        Ok(JournalFile {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 16, file),
            hasher: Sha256::new(),
            bytes: 0,
        })
    }

    /// Opens `path` to go on appending after `mark`: the file must be a regular file that starts
    /// with exactly the marked bytes; anything after them is cut off. Errors (`InvalidData`)
    /// when the file is shorter than the mark or its bytes differ.
    pub fn reopen(path: &Path, mark: &FileMark) -> io::Result<JournalFile> {
        let meta = std::fs::symlink_metadata(path).map_err(at(path))?;
        if !meta.file_type().is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is not a regular file", path.display()),
            ));
        }
        if meta.len() < mark.bytes {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} holds {} bytes, fewer than the {} its checkpoint counts",
                    path.display(),
                    meta.len(),
                    mark.bytes
                ),
            ));
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(at(path))?;
        let mut hasher = Sha256::new();
        let mut left = mark.bytes;
        let mut buf = vec![0u8; 1 << 16];
        while left > 0 {
            let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
            let n = file.read(&mut buf[..want]).map_err(at(path))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            left -= n as u64;
        }
        if left > 0 || hex(&hasher.clone().finalize()) != mark.sha256 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the first {} bytes of {} are not the ones its checkpoint recorded \
                     (the file was changed after the study wrote it)",
                    mark.bytes,
                    path.display()
                ),
            ));
        }
        file.set_len(mark.bytes).map_err(at(path))?;
        file.seek(SeekFrom::Start(mark.bytes)).map_err(at(path))?;
        Ok(JournalFile {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 16, file),
            hasher,
            bytes: mark.bytes,
        })
    }

    /// Flushes what was written and returns the mark of everything so far.
    pub fn mark(&mut self) -> io::Result<FileMark> {
        self.out.flush().map_err(at(&self.path))?;
        Ok(self.position())
    }

    /// The mark of everything written so far (in the file once flushed).
    pub fn position(&self) -> FileMark {
        FileMark {
            bytes: self.bytes,
            sha256: hex(&self.hasher.clone().finalize()),
        }
    }

    /// Flushes and closes the file, returning its final mark.
    pub fn finish(mut self) -> io::Result<FileMark> {
        let mark = self.mark()?;
        self.out.get_ref().sync_all().map_err(at(&self.path))?;
        Ok(mark)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Write for JournalFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory, removed when the test ends (pass or fail).
    struct Scratch(PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("detente-journal-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("a scratch directory");
            Scratch(dir)
        }

        fn file(&self) -> PathBuf {
            self.0.join("file")
        }
    }

    #[test]
    fn reopening_cuts_the_tail_and_ends_identical() {
        let (dir, fresh_dir) = (Scratch::new("tail"), Scratch::new("fresh"));
        let path = dir.file();
        let mut j = JournalFile::create(&path).expect("created");
        j.write_all(b"first line\n").expect("written");
        let mark = j.mark().expect("marked");
        j.write_all(b"half of a line that a crash cut")
            .expect("written");
        drop(j);
        let mut j = JournalFile::reopen(&path, &mark).expect("reopened");
        j.write_all(b"second line\n").expect("written");
        let end = j.finish().expect("finished");
        assert_eq!(
            std::fs::read(&path).expect("read"),
            b"first line\nsecond line\n"
        );
        let mut fresh = JournalFile::create(&fresh_dir.file()).expect("created");
        fresh
            .write_all(b"first line\nsecond line\n")
            .expect("written");
        assert_eq!(fresh.finish().expect("finished"), end);
    }

    #[test]
    fn a_shorter_or_changed_file_is_refused() {
        let dir = Scratch::new("changed");
        let path = dir.file();
        let mut j = JournalFile::create(&path).expect("created");
        j.write_all(b"0123456789").expect("written");
        let mark = j.finish().expect("finished");
        std::fs::write(&path, b"01234").expect("shortened");
        let e = JournalFile::reopen(&path, &mark).expect_err("shorter");
        assert!(e.to_string().contains("fewer than the 10"), "{e}");
        std::fs::write(&path, b"0123456780").expect("changed");
        let e = JournalFile::reopen(&path, &mark).expect_err("changed");
        assert!(e.to_string().contains("not the ones"), "{e}");
    }

    #[test]
    fn create_never_follows_a_symlink() {
        let dir = Scratch::new("link");
        let path = dir.file();
        let outside = path.with_file_name("outside");
        std::fs::write(&outside, b"keep").expect("written");
        std::os::unix::fs::symlink(&outside, &path).expect("a symlink");
        assert!(JournalFile::create(&path).is_err());
        assert_eq!(std::fs::read(&outside).expect("read"), b"keep");
    }
}
