//! The one results directory of every study (`run`, `compare` and `sweep` with `--out`, and
//! reference-engine runs): staging, a crash-safe journal, checkpoints, publishing, manifest and
//! resume (docs/architecture.md, "Results directories").
//!
//! While a study runs, its files grow in `DIR/.partial/`:
//!
//! * **journaled files** — the tables written row by row (CSV and Parquet, see
//!   [`TableWriter`]) and text streams such as `traces.jsonl` ([`JournalFile`]);
//! * `checkpoint.json` — written (atomically) after delivered chunks: the study's identity, the
//!   items done, the caller's state (exact aggregates), and for each journaled file its rows,
//!   length and SHA-256 at that point.
//!
//! When the study ends — complete or stopped by a signal — the tables are finished, derived
//! tables are written, every file is moved into `DIR`, the checkpoint becomes `DIR/state.json`
//! and `manifest.json` is written last. A study killed at any moment (SIGKILL, out of memory,
//! a full disk) leaves a checkpoint behind: `--resume` finds each file where it is, checks that
//! it starts with exactly the checkpointed bytes, cuts off the rows in flight, rebuilds the
//! Parquet files from the CSV rows, and goes on. It never duplicates or drops a run, and it
//! refuses (saying why) a directory whose files were changed or that holds another study.
//!
//! Identity is a content hash ([`identity`]) of the resolved study and the detente version,
//! never a path as it was spelled.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value as Json, json};

use super::journal::{FileMark, JournalFile};
use super::table::{Column, TableMark, TableWriter};

/// The files of a study that grow as it runs: tables (name, columns) and text streams (file
/// names).
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// Tables, each written as `<name>.csv` and `<name>.parquet`.
    pub tables: Vec<(String, Vec<Column>)>,
    /// Text streams, each one file.
    pub streams: Vec<String>,
}

/// Why a results directory cannot be used.
#[derive(Debug)]
pub enum ResultsError {
    /// The directory exists and this is not a resume.
    Exists(PathBuf),
    /// The directory holds an interrupted study and this is not a resume.
    Interrupted(PathBuf),
    /// `--resume` on a directory that holds no unfinished study, or another study.
    CannotResume(PathBuf, String),
    /// Reading or writing failed.
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for ResultsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResultsError::Exists(d) => write!(
                f,
                "`{}` already exists: results are never overwritten. Choose another --out \
                 directory or remove this one",
                d.display()
            ),
            ResultsError::Interrupted(d) => write!(
                f,
                "`{}` holds an interrupted study: repeat the command with --resume to finish it, \
                 or choose another --out directory",
                d.display()
            ),
            ResultsError::CannotResume(d, why) => {
                write!(f, "cannot resume `{}`: {why}", d.display())
            }
            ResultsError::Io(p, e) => {
                write!(f, "`{}`: {e}", p.display())?;
                if e.kind() == io::ErrorKind::StorageFull {
                    write!(
                        f,
                        " — the runs finished before are kept: free some space and repeat the \
                         command with --resume"
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ResultsError {}

fn io_at(path: &Path) -> impl Fn(io::Error) -> ResultsError + '_ {
    move |e| ResultsError::Io(path.to_path_buf(), e)
}

/// The identity of a study: SHA-256 of the detente version and `what` (the resolved study:
/// command, scenarios or experiment, overrides, seed, run counts, options), in hex.
pub fn identity(what: &Json) -> String {
    use sha2::Digest;
    let text = serde_json::to_string(&json!({
        "detente_version": env!("CARGO_PKG_VERSION"),
        "study": what,
    }))
    .unwrap_or_default();
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A checkpoint: what a stopped study needs to go on exactly where it was.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Checkpoint {
    identity: String,
    detente_version: String,
    /// Items (runs, points) done.
    done: u64,
    /// Whether the study finished every item.
    complete: bool,
    tables: Vec<(String, TableMark)>,
    streams: Vec<(String, FileMark)>,
    /// The caller's state (its exact aggregates).
    state: Json,
}

/// The marks of a checkpoint: each table's and each stream's.
type Marks = (Vec<(String, TableMark)>, Vec<(String, FileMark)>);

/// Least time between two checkpoints: a killed study loses at most this much work beyond
/// the chunks in flight.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

const CHECKPOINT: &str = "checkpoint.json";
const STATE: &str = "state.json";
const MANIFEST: &str = "manifest.json";

/// An open results directory (see the module documentation).
pub struct ResultsDir {
    dir: PathBuf,
    staging: PathBuf,
    identity: String,
    layout: Layout,
    /// The open tables, in the order of the layout.
    pub tables: Vec<TableWriter>,
    /// The open streams, in the order of the layout.
    pub streams: Vec<JournalFile>,
    last: Option<Instant>,
}

impl std::fmt::Debug for ResultsDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResultsDir")
            .field("dir", &self.dir)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

/// Where a journaled file is: in the staging directory while a study runs, in the directory
/// once published.
fn locate(dir: &Path, staging: &Path, name: &str) -> Option<PathBuf> {
    [staging.join(name), dir.join(name)]
        .into_iter()
        .find(|p| fs::symlink_metadata(p).is_ok())
}

/// Reads a JSON file this module wrote: `None` when there is none; an error when it is not a
/// regular file of at most [`STATE_LIMIT`] bytes holding the expected JSON.
fn read_json<T: DeserializeOwned>(path: &Path) -> Option<Result<T, String>> {
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_file() {
        return Some(Err(format!("{} is not a regular file", path.display())));
    }
    if meta.len() > STATE_LIMIT {
        return Some(Err(format!(
            "{} is larger than a checkpoint can be ({} bytes)",
            path.display(),
            STATE_LIMIT
        )));
    }
    Some(
        fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string())),
    )
}

/// Largest checkpoint read back (the exact aggregates of many variants fit well within it).
const STATE_LIMIT: u64 = 1 << 30;

impl ResultsDir {
    /// Starts a new study in `dir`, which must not exist (its parent is created if needed),
    /// and writes its first checkpoint (nothing done, the caller's `initial` state), so that the
    /// directory is resumable from its first moment.
    pub fn create<S: Serialize>(
        dir: &Path,
        identity: String,
        layout: Layout,
        initial: &S,
    ) -> Result<Self, ResultsError> {
        if fs::symlink_metadata(dir).is_ok() {
            let stopped = dir.join(".partial").exists()
                || matches!(read_json::<Checkpoint>(&dir.join(STATE)), Some(Ok(cp)) if !cp.complete);
            return Err(if stopped {
                ResultsError::Interrupted(dir.to_path_buf())
            } else {
                ResultsError::Exists(dir.to_path_buf())
            });
        }
        fs::create_dir_all(dir).map_err(io_at(dir))?;
        Self::start(dir, identity, layout, initial)
    }

    /// Makes the staging directory with empty journaled files and the first checkpoint.
    fn start<S: Serialize>(
        dir: &Path,
        identity: String,
        layout: Layout,
        initial: &S,
    ) -> Result<Self, ResultsError> {
        let staging = dir.join(".partial");
        fs::create_dir(&staging).map_err(io_at(&staging))?;
        let tables = layout
            .tables
            .iter()
            .map(|(name, columns)| TableWriter::create(&staging, name, columns.clone()))
            .collect::<io::Result<Vec<_>>>()
            .map_err(io_at(&staging))?;
        let streams = layout
            .streams
            .iter()
            .map(|name| JournalFile::create(&staging.join(name)))
            .collect::<io::Result<Vec<_>>>()
            .map_err(io_at(&staging))?;
        let mut created = ResultsDir {
            dir: dir.to_path_buf(),
            staging,
            identity,
            layout,
            tables,
            streams,
            last: None,
        };
        created
            .write_checkpoint(0, initial, false)
            .map_err(io_at(dir))?;
        Ok(created)
    }

    /// Opens the stopped study in `dir` to finish it: returns the directory, the items done
    /// and the caller's state at the last checkpoint. A study killed before its first
    /// checkpoint finished nothing and starts again from `initial`. Refuses a directory without
    /// a study, of another study (identity), complete, or whose files are not what the
    /// checkpoint says.
    pub fn resume<S: Serialize + DeserializeOwned>(
        dir: &Path,
        identity: String,
        layout: Layout,
        initial: S,
    ) -> Result<(Self, u64, S), ResultsError> {
        let fail = |why: String| ResultsError::CannotResume(dir.to_path_buf(), why);
        let staging = dir.join(".partial");
        let in_staging = staging.join(CHECKPOINT);
        let from = if in_staging.exists() {
            in_staging.clone()
        } else {
            dir.join(STATE)
        };
        let cp: Checkpoint = match read_json(&from) {
            None if dir.join(MANIFEST).exists() => {
                return Err(fail(
                    "it holds no checkpoint (state.json): it was written by an older detente \
                     or is not an interrupted study"
                        .into(),
                ));
            }
            None if staging.is_dir() => {
                // Killed while starting: nothing was done, so nothing is lost by starting over.
                fs::remove_dir_all(&staging).map_err(io_at(&staging))?;
                let started = Self::start(dir, identity, layout, &initial)?;
                return Ok((started, 0, initial));
            }
            None => {
                return Err(fail(
                    "there is no interrupted study there (no checkpoint): was it started with --out?"
                        .into(),
                ));
            }
            Some(Err(e)) => return Err(fail(format!("its checkpoint is unreadable: {e}"))),
            Some(Ok(cp)) => cp,
        };
        if cp.identity != identity {
            return Err(fail(format!(
                "it holds another study (written by detente {} with other scenarios, overrides, \
                 seed, run count or options): repeat the original command with --resume, or \
                 choose another --out",
                cp.detente_version
            )));
        }
        // A complete study whose files were not all published yet is published by the resume.
        if cp.complete && from != in_staging {
            return Err(fail(
                "the study there is complete: nothing to resume".into(),
            ));
        }
        let want_tables: Vec<&String> = layout.tables.iter().map(|(n, _)| n).collect();
        let want_streams: Vec<&String> = layout.streams.iter().collect();
        if cp.tables.iter().map(|(n, _)| n).collect::<Vec<_>>() != want_tables
            || cp.streams.iter().map(|(n, _)| n).collect::<Vec<_>>() != want_streams
        {
            return Err(fail(
                "its checkpoint lists other files than this study writes".into(),
            ));
        }
        if !staging.exists() {
            fs::create_dir(&staging).map_err(io_at(&staging))?;
        }
        // Bring every journaled file back into staging; reopening it below checks it against
        // its mark (once: a refused file stays in staging, where the next resume looks first).
        let journaled: Vec<(String, FileMark)> = cp
            .tables
            .iter()
            .map(|(n, m)| (format!("{n}.csv"), m.file.clone()))
            .chain(cp.streams.iter().cloned())
            .collect();
        for (name, _) in &journaled {
            let path = locate(dir, &staging, name)
                .ok_or_else(|| fail(format!("`{name}` is missing, so its runs are lost")))?;
            let to = staging.join(name);
            if path != to {
                fs::rename(&path, &to).map_err(io_at(&path))?;
            }
        }
        if from != in_staging {
            super::write_atomically(
                &in_staging,
                &serde_json::to_vec_pretty(&cp).unwrap_or_default(),
            )
            .map_err(io_at(&in_staging))?;
        }
        // Whatever else the stopped study published is rebuilt.
        for name in [MANIFEST, STATE] {
            remove_if_there(&dir.join(name))?;
        }
        for (name, _) in &layout.tables {
            remove_if_there(&dir.join(format!("{name}.parquet")))?;
        }
        for entry in fs::read_dir(&staging).map_err(io_at(&staging))?.flatten() {
            let name = entry.file_name();
            let keep = name.to_str() == Some(CHECKPOINT)
                || journaled.iter().any(|(n, _)| name.to_str() == Some(n));
            if !keep && entry.file_type().is_ok_and(|t| t.is_file()) {
                remove_if_there(&entry.path())?;
            }
        }
        for entry in fs::read_dir(dir).map_err(io_at(dir))?.flatten() {
            let name = entry.file_name();
            let path = entry.path();
            let journal = journaled.iter().any(|(n, _)| name.to_str() == Some(n));
            if !journal && entry.file_type().is_ok_and(|t| t.is_file()) {
                remove_if_there(&path)?;
            }
        }
        let tables = cp
            .tables
            .iter()
            .zip(&layout.tables)
            .map(|((name, mark), (_, columns))| {
                TableWriter::reopen(&staging, name, columns.clone(), mark)
            })
            .collect::<io::Result<Vec<_>>>()
            .map_err(|e| fail(e.to_string()))?;
        let streams = cp
            .streams
            .iter()
            .map(|(name, mark)| JournalFile::reopen(&staging.join(name), mark))
            .collect::<io::Result<Vec<_>>>()
            .map_err(|e| fail(e.to_string()))?;
        let state = serde_json::from_value(cp.state).map_err(|e| {
            fail(format!(
                "its checkpoint's state does not fit this study: {e}"
            ))
        })?;
        Ok((
            ResultsDir {
                dir: dir.to_path_buf(),
                staging,
                identity,
                layout,
                tables,
                streams,
                last: None,
            },
            cp.done,
            state,
        ))
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Records that `done` items are in the files, with the caller's `state`, unless the last
    /// checkpoint is younger than [`CHECKPOINT_EVERY`].
    pub fn checkpoint<S: Serialize>(&mut self, done: u64, state: &S) -> io::Result<()> {
        if self.last.is_some_and(|t| t.elapsed() < CHECKPOINT_EVERY) {
            return Ok(());
        }
        self.write_checkpoint(done, state, false)
    }

    fn marks(&mut self) -> io::Result<Marks> {
        let tables = self
            .tables
            .iter_mut()
            .zip(&self.layout.tables)
            .map(|(t, (name, _))| Ok((name.clone(), t.mark()?)))
            .collect::<io::Result<Vec<_>>>()?;
        let streams = self
            .streams
            .iter_mut()
            .zip(&self.layout.streams)
            .map(|(s, name)| Ok((name.clone(), s.mark()?)))
            .collect::<io::Result<Vec<_>>>()?;
        Ok((tables, streams))
    }

    fn write_checkpoint<S: Serialize>(
        &mut self,
        done: u64,
        state: &S,
        complete: bool,
    ) -> io::Result<()> {
        let (tables, streams) = self.marks()?;
        let cp = Checkpoint {
            identity: self.identity.clone(),
            detente_version: env!("CARGO_PKG_VERSION").into(),
            done,
            complete,
            tables,
            streams,
            state: serde_json::to_value(state)?,
        };
        let path = self.staging.join(CHECKPOINT);
        let bytes = serde_json::to_vec(&cp)?;
        hook("before-checkpoint");
        super::write_atomically(&path, &bytes)?;
        hook("after-checkpoint");
        self.last = Some(Instant::now());
        Ok(())
    }

    /// Ends the study with `done` items and the caller's `state`: finishes the tables, lets
    /// `derived(staging)` write further files into the staging directory (returning their
    /// names), moves every file into the directory, keeps the checkpoint as `state.json`, and
    /// writes `manifest.json` last: `manifest` plus the study's identity (`study_identity`), the completion and each
    /// file's SHA-256.
    pub fn finish<S: Serialize>(
        mut self,
        done: u64,
        complete: bool,
        state: &S,
        mut manifest: serde_json::Map<String, Json>,
        derived: impl FnOnce(&Path) -> io::Result<Vec<String>>,
    ) -> Result<(), ResultsError> {
        let staging = self.staging.clone();
        self.write_checkpoint(done, state, complete)
            .map_err(io_at(&staging))?;
        let mut files = Vec::new();
        for (t, (name, _)) in std::mem::take(&mut self.tables)
            .into_iter()
            .zip(&self.layout.tables)
        {
            t.finish().map_err(io_at(&staging))?;
            files.push(format!("{name}.csv"));
            files.push(format!("{name}.parquet"));
        }
        for (s, name) in std::mem::take(&mut self.streams)
            .into_iter()
            .zip(&self.layout.streams)
        {
            s.finish().map_err(io_at(&staging))?;
            files.push(name.clone());
        }
        files.extend(derived(&staging).map_err(io_at(&staging))?);
        hook("before-publish");
        let mut sums = serde_json::Map::new();
        for f in &files {
            let to = self.dir.join(f);
            sums.insert(
                f.clone(),
                json!(super::sha256_file(&staging.join(f)).map_err(io_at(&to))?),
            );
            if let Ok(meta) = fs::symlink_metadata(&to)
                && !meta.file_type().is_file()
            {
                return Err(ResultsError::Io(
                    to,
                    io::Error::other("is not a regular file: refusing to replace it"),
                ));
            }
            fs::rename(staging.join(f), &to).map_err(io_at(&to))?;
        }
        let cp = staging.join(CHECKPOINT);
        let text = fs::read(&cp).map_err(io_at(&cp))?;
        super::write_atomically(&self.dir.join(STATE), &text).map_err(io_at(&self.dir))?;
        manifest.insert("study_identity".into(), json!(self.identity));
        manifest.insert("complete".into(), json!(complete));
        manifest.insert("files".into(), json!(files));
        manifest.insert("sha256".into(), Json::Object(sums));
        // The manifest before the staging checkpoint goes: until it is written, a resume finds
        // that checkpoint and publishes again.
        hook("before-manifest");
        super::write_json(&self.dir.join(MANIFEST), &Json::Object(manifest))
            .map_err(io_at(&self.dir))?;
        fs::remove_file(&cp).map_err(io_at(&cp))?;
        fs::remove_dir(&staging).map_err(io_at(&staging))?;
        Ok(())
    }
}

fn remove_if_there(path: &Path) -> Result<(), ResultsError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(ResultsError::Io(path.into(), e)),
        _ => Ok(()),
    }
}

/// A test hook: with `DETENTE_TEST_HOOK=<point>` in the environment, the process kills itself
/// (SIGKILL) when it reaches that point, so that tests can stop a study between any two steps
/// of a checkpoint or of publishing. `<point>:<n>` waits for the n-th time.
fn hook(point: &str) {
    static WANT: std::sync::OnceLock<Option<(String, u64)>> = std::sync::OnceLock::new();
    static SEEN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let want = WANT.get_or_init(|| {
        let v = std::env::var("DETENTE_TEST_HOOK").ok()?;
        let (p, n) = v.split_once(':').unwrap_or((&v, "1"));
        Some((p.to_owned(), n.parse().unwrap_or(1)))
    });
    if let Some((p, n)) = want
        && p == point
        && SEEN.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == *n
    {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &std::process::id().to_string()])
            .status();
        std::process::abort();
    }
}
