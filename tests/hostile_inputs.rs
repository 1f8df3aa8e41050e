//! Hostile and mistaken paths, run through the real binary: files that are not what they claim
//! (other people's files, the process environment, devices, FIFOs, directories, huge, binary
//! or deeply nested files) and output paths that are links, devices or directories. Each must
//! end within a bounded time, fail with the CLI's error code (not a panic or a signal), name
//! the file, and print nothing of what the file holds.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The exit code of the CLI for invalid input and failed writes (a panic gives 101).
const ERROR_CODE: i32 = 1;

/// The most time any of these commands may take.
const LIMIT: Duration = Duration::from_secs(20);

/// The value planted in the child's environment; `/proc/self/environ` holds it.
const SECRET: &str = "s3cr3t-9f1c2b7e-do-not-print";

/// A scratch directory for one test, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("detente-hostile-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        fs::write(&p, content).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// What a bounded run of the binary ended in.
struct Ended {
    code: Option<i32>,
    stderr: String,
}

/// Runs the binary with `args` (and `DETENTE_SECRET` in its environment), killing it and
/// failing the test if it runs longer than [`LIMIT`].
fn run(scratch: &Scratch, args: &[&str]) -> Ended {
    let out = fs::File::create(scratch.path("stdout.txt")).unwrap();
    let err = fs::File::create(scratch.path("stderr.txt")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(args)
        .env("DETENTE_SECRET", SECRET)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("the binary starts");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`detente {}` still ran after {LIMIT:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ended {
        code: status.code(),
        stderr: fs::read_to_string(scratch.path("stderr.txt")).unwrap_or_default(),
    }
}

/// Asserts that `e` is a clean failure naming `name` and quoting none of `secrets`.
fn refused(e: &Ended, name: &str, secrets: &[&str]) {
    assert_eq!(
        e.code,
        Some(ERROR_CODE),
        "not a clean error (code {:?}):\n{}",
        e.code,
        e.stderr
    );
    assert!(!e.stderr.contains("panicked"), "{}", e.stderr);
    assert!(
        e.stderr.contains(name),
        "stderr does not name `{name}`:\n{}",
        e.stderr
    );
    for s in secrets.iter().chain(&[SECRET]) {
        assert!(!e.stderr.contains(s), "stderr quotes `{s}`:\n{}", e.stderr);
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A scenario that extends `base`.
fn extending(scratch: &Scratch, base: &str) -> PathBuf {
    scratch.write("variant.ron", format!("Scenario(extends: {base:?})\n"))
}

/// The minimal valid scenario citing the digest `digest`.
fn citing(scratch: &Scratch, digest: &str) -> PathBuf {
    let text = fs::read_to_string("tests/data/minimal.ron").unwrap();
    let text = text.replacen(
        "Scenario(",
        &format!("Scenario(\n    digest: {digest:?},"),
        1,
    );
    scratch.write("citing.ron", text)
}

#[test]
fn extends_naming_etc_passwd_prints_none_of_it() {
    let d = Scratch::new("passwd");
    if !Path::new("/etc/passwd").is_file() {
        return;
    }
    let v = extending(&d, "/etc/passwd");
    let e = run(&d, &["check", s(&v)]);
    refused(&e, "/etc/passwd", &["root:"]);
    assert!(
        e.stderr.contains("this is not a scenario file"),
        "{}",
        e.stderr
    );
    assert!(e.stderr.contains("variant.ron"), "{}", e.stderr);
    // Named directly, by every command that reads a scenario or an experiment.
    for cmd in ["check", "run", "explain", "plan"] {
        refused(&run(&d, &[cmd, "/etc/passwd"]), "/etc/passwd", &["root:"]);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn digest_naming_proc_self_environ_prints_no_environment() {
    let d = Scratch::new("environ");
    let c = citing(&d, "/proc/self/environ");
    let e = run(&d, &["check", s(&c)]);
    refused(&e, "/proc/self/environ", &["DETENTE_SECRET"]);
    assert!(
        e.stderr.contains("this is not a digest file"),
        "{}",
        e.stderr
    );
    let v = extending(&d, "/proc/self/environ");
    refused(
        &run(&d, &["explain", s(&v)]),
        "/proc/self/environ",
        &["DETENTE_SECRET"],
    );
}

#[cfg(unix)]
#[test]
fn devices_are_refused_without_reading_them() {
    let d = Scratch::new("devices");
    for dev in ["/dev/zero", "/dev/urandom"] {
        let v = extending(&d, dev);
        let e = run(&d, &["check", s(&v)]);
        refused(&e, dev, &[]);
        assert!(e.stderr.contains("character device"), "{}", e.stderr);
        let c = citing(&d, dev);
        refused(&run(&d, &["run", s(&c), "--runs", "10"]), dev, &[]);
        refused(&run(&d, &["check", dev]), dev, &[]);
        refused(&run(&d, &["plan", dev]), dev, &[]);
        refused(&run(&d, &["import", "ktab", dev]), dev, &[]);
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_blocking() {
    let d = Scratch::new("fifo");
    let fifo = d.path("pipe.ron");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|st| st.success()) {
        return; // no mkfifo here
    }
    let e = run(&d, &["check", s(&fifo)]);
    refused(&e, "pipe.ron", &[]);
    assert!(e.stderr.contains("FIFO"), "{}", e.stderr);
    let v = extending(&d, s(&fifo));
    refused(&run(&d, &["check", s(&v)]), "pipe.ron", &[]);
    let c = citing(&d, s(&fifo));
    refused(&run(&d, &["explain", s(&c)]), "pipe.ron", &[]);
    refused(&run(&d, &["import", "bdm", s(&fifo)]), "pipe.ron", &[]);
}

#[test]
fn a_directory_is_refused() {
    let d = Scratch::new("directory");
    let dir = d.path("scenarios.ron");
    fs::create_dir(&dir).unwrap();
    let e = run(&d, &["check", s(&dir)]);
    refused(&e, "scenarios.ron", &[]);
    assert!(e.stderr.contains("is a directory"), "{}", e.stderr);
    let v = extending(&d, s(&dir));
    refused(&run(&d, &["check", s(&v)]), "scenarios.ron", &[]);
}

#[test]
fn a_file_over_the_limit_is_refused_without_reading_it() {
    let d = Scratch::new("huge");
    let big = d.path("huge.ron");
    fs::File::create(&big)
        .unwrap()
        .set_len(detente::safe_fs::MAX_INPUT_BYTES + 1)
        .unwrap();
    let e = run(&d, &["check", s(&big)]);
    refused(&e, "huge.ron", &[]);
    assert!(e.stderr.contains("more than the 16 MiB"), "{}", e.stderr);
    let v = extending(&d, s(&big));
    refused(&run(&d, &["check", s(&v)]), "huge.ron", &[]);
    let csv = d.path("huge.csv");
    fs::File::create(&csv)
        .unwrap()
        .set_len(detente::safe_fs::MAX_IMPORT_BYTES + 1)
        .unwrap();
    refused(&run(&d, &["import", "bdm", s(&csv)]), "huge.csv", &[]);
}

#[test]
fn non_utf8_and_binary_files_are_refused_and_not_quoted() {
    let d = Scratch::new("binary");
    let bad = d.write("latin1.ron", b"Scenario(name: \"caf\xe9 secret-line\")\n");
    let e = run(&d, &["check", s(&bad)]);
    refused(&e, "latin1.ron:1:20", &["secret-line"]);
    assert!(e.stderr.contains("not UTF-8"), "{}", e.stderr);
    // Every byte value: not UTF-8.
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let bin = d.write("blob.bin", &bytes);
    refused(&run(&d, &["check", s(&bin)]), "blob.bin", &[]);
    // Valid UTF-8 but not text a scenario could be: NULs, escapes, a secret.
    let nul = d.write(
        "blob.ron",
        "\u{0}\u{1b}[2J\u{0}binary-secret-content\u{0}\n".repeat(50),
    );
    let e = run(&d, &["check", s(&nul)]);
    refused(&e, "blob.ron", &["binary-secret-content", "\u{1b}"]);
    let v = extending(&d, s(&nul));
    refused(
        &run(&d, &["check", s(&v)]),
        "blob.ron",
        &["binary-secret-content"],
    );
}

#[test]
fn a_30000_deep_xml_import_is_refused_without_overflowing_the_stack() {
    let d = Scratch::new("deep-xml");
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<Scenario>{}{}</Scenario>\n",
        "<a>".repeat(30_000),
        "</a>".repeat(30_000)
    );
    let f = d.write("deep.xml", xml);
    let e = run(&d, &["import", "ktab", s(&f)]);
    refused(&e, "deep.xml:2:", &[]);
    assert!(e.stderr.contains("nested more than"), "{}", e.stderr);
    // The same nesting without a KTAB root: not KTAB at all.
    let other = d.write("other.xml", "<a>".repeat(30_000));
    let e = run(&d, &["import", "ktab", s(&other)]);
    refused(&e, "other.xml", &[]);
    assert!(e.stderr.contains("not a KTAB XML scenario"), "{}", e.stderr);
}

#[test]
fn imports_with_too_many_columns_or_dimensions_are_refused() {
    let d = Scratch::new("wide-csv");
    let pairs: Vec<String> = (0..1500).map(|i| format!("P{i},S{i}")).collect();
    let wide = d.write(
        "wide.csv",
        format!("Wide,x,2,2,\nActor,Description,Power,{}\n", pairs.join(",")),
    );
    let e = run(&d, &["import", "ktab", s(&wide)]);
    refused(&e, "wide.csv:2:1", &[]);
    assert!(e.stderr.contains("fields, more than"), "{}", e.stderr);
    let many = d.write(
        "many.csv",
        "Many,x,2,1000000000000,\nActor,Description,Power,P1,S1\n",
    );
    let e = run(&d, &["import", "ktab", s(&many)]);
    refused(&e, "many.csv:1:", &[]);
    assert!(e.stderr.contains("at most 1000"), "{}", e.stderr);
}

#[test]
fn imports_of_other_files_quote_nothing() {
    let d = Scratch::new("foreign-import");
    let secret = d.write(
        "notes.csv",
        "private-note,with,commas,in-it\nmore,private,lines,here\n",
    );
    for kind in ["ktab", "bdm"] {
        let e = run(&d, &["import", kind, s(&secret)]);
        refused(&e, "notes.csv", &["private"]);
    }
    let xml = d.write(
        "config.xml",
        "<settings><password>private-pw</password></settings>",
    );
    refused(
        &run(&d, &["import", "ktab", s(&xml)]),
        "config.xml",
        &["private-pw", "settings"],
    );
}

/// A small valid scenario to run.
fn scenario(d: &Scratch) -> PathBuf {
    d.write(
        "minimal.ron",
        fs::read_to_string("tests/data/minimal.ron").unwrap(),
    )
}

fn partials(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect()
}

#[cfg(unix)]
#[test]
fn a_plot_path_that_is_a_symlink_is_refused_and_its_target_untouched() {
    let d = Scratch::new("plot-symlink");
    let sc = scenario(&d);
    let outside = d.write("outside.txt", "precious");
    let plot = d.path("plot.svg");
    std::os::unix::fs::symlink(&outside, &plot).unwrap();
    let e = run(&d, &["run", s(&sc), "--runs", "100", "--plot", s(&plot)]);
    refused(&e, "plot.svg", &[]);
    assert!(e.stderr.contains("symbolic link"), "{}", e.stderr);
    assert_eq!(fs::read_to_string(&outside).unwrap(), "precious");
    assert!(
        fs::symlink_metadata(&plot)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(partials(&d.0).is_empty(), "{:?}", partials(&d.0));
}

#[cfg(unix)]
#[test]
fn a_plot_path_that_is_a_device_is_refused_and_stays_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let d = Scratch::new("plot-device");
    let sc = scenario(&d);
    let e = run(&d, &["run", s(&sc), "--runs", "100", "--plot", "/dev/null"]);
    refused(&e, "/dev/null", &[]);
    assert!(e.stderr.contains("character device"), "{}", e.stderr);
    let m = fs::symlink_metadata("/dev/null").unwrap();
    assert!(m.file_type().is_char_device());
}

#[test]
fn a_plot_path_that_is_a_directory_is_refused() {
    let d = Scratch::new("plot-dir");
    let sc = scenario(&d);
    let plot = d.path("plots");
    fs::create_dir(&plot).unwrap();
    let e = run(&d, &["run", s(&sc), "--runs", "100", "--plot", s(&plot)]);
    refused(&e, "plots", &[]);
    assert!(e.stderr.contains("is a directory"), "{}", e.stderr);
    assert!(plot.is_dir());
    assert!(partials(&d.0).is_empty(), "{:?}", partials(&d.0));
}

#[cfg(unix)]
#[test]
fn a_planted_staging_symlink_does_not_redirect_the_write() {
    let d = Scratch::new("plot-planted");
    let sc = scenario(&d);
    let outside = d.write("outside.txt", "precious");
    let plot = d.path("plot.svg");
    std::os::unix::fs::symlink(&outside, d.path("plot.svg.partial")).unwrap();
    let e = run(&d, &["run", s(&sc), "--runs", "100", "--plot", s(&plot)]);
    assert_eq!(e.code, Some(0), "{}", e.stderr);
    assert_eq!(fs::read_to_string(&outside).unwrap(), "precious");
    let m = fs::symlink_metadata(&plot).unwrap();
    assert!(m.file_type().is_file());
    assert!(fs::read_to_string(&plot).unwrap().contains("<svg"));
}
