//! The explorer in headless Chromium, driven over WebDriver (chromedriver): the baseline page
//! loads, the hawks' influence slider moves the deal share the way `detente compare` says, a
//! pinned comparison shows the paired difference `compare` prints, a strike run's story is told,
//! the exported variant passes `detente check`, and malformed requests leave the server
//! answering. Screenshots of each state go to `target/serve-browser/`.
//!
//! Skips, saying why, only when `chromium` or `chromedriver` is not installed (`.ci/run`
//! installs both).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The baseline's values this test moves, found in the page by their `--set` paths: kept here,
/// in one place, so that a change of the baseline touches only these lines.
const SCENARIO: &str = "scenarios/iran-talks-2025.ron";
const SLIDER: &str = "actors.hawks.influence";
const SLIDER_TO: &str = "0.8";
const PARAMETER: &str = "params.concession_speed";
const PARAMETER_TO: &str = "0.3";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A child process killed when dropped.
struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 request with `Connection: close`; the status and the body.
fn http(addr: &str, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // Read the head, then exactly Content-Length bytes (chromedriver may keep the connection
    // open), or to the end when no length is given.
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break raw.len();
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    loop {
        if length.is_some_and(|n| raw.len() >= head_end + n) {
            break;
        }
        let n = s.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let rest = String::from_utf8_lossy(&raw[head_end..]).into_owned();
    let rest = rest.as_str();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|x| x.parse().ok())
        .unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = String::new();
        let mut rest = rest;
        while let Some((size, tail)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 || tail.len() < n + 2 {
                break;
            }
            out.push_str(&tail[..n]);
            rest = &tail[n + 2..];
        }
        out
    } else {
        rest.to_owned()
    };
    (status, body)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A WebDriver session of headless Chromium.
struct Browser {
    driver: String,
    session: String,
    _chromedriver: Killed,
    _profile: PathBuf,
}

impl Browser {
    fn start() -> Browser {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = format!("127.0.0.1:{port}");
        let start = Instant::now();
        while TcpStream::connect(&driver).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "chromedriver did not listen"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = std::env::temp_dir().join(format!("detente-chromium-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,1800", format!("--user-data-dir={}", profile.display())]}}}});
        let (status, body) = http(&driver, "POST", "/session", Some(&caps.to_string()));
        let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        assert_eq!(status, 200, "new session: {body}");
        let session = v["value"]["sessionId"]
            .as_str()
            .expect("session id")
            .to_owned();
        Browser {
            driver,
            session,
            _chromedriver: Killed(child),
            _profile: profile,
        }
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let (status, text) = http(
            &self.driver,
            method,
            &format!("/session/{}{path}", self.session),
            (!body.is_null()).then(|| body.to_string()).as_deref(),
        );
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert_eq!(status, 200, "{method} {path}: {text}");
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url }));
    }

    /// Runs `script` (a function body) in the page and returns what it returns.
    fn js(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
    }

    /// Waits until `script` returns something other than null or false.
    fn wait(&self, script: &str, what: &str) -> Value {
        let start = Instant::now();
        loop {
            let v = self.js(script);
            if !(v.is_null() || v == json!(false)) {
                return v;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for a render newer than `after` and returns its generation.
    fn next_render(&self, after: u64) -> u64 {
        self.wait(
            &format!(
                "const g = Number(document.getElementById('status').dataset.generation || 0); \
                 return g > {after} && document.body.dataset.busy === 'false' ? g : null;"
            ),
            "the page to update",
        )
        .as_u64()
        .unwrap()
    }

    fn screenshot(&self, name: &str) {
        let data = self.call("GET", "/screenshot", Value::Null);
        let bytes = base64(data.as_str().unwrap_or(""));
        let dir = root().join("target/serve-browser");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), bytes).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(
            &self.driver,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
    }
}

fn base64(text: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter_map(val).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |a, (i, &d)| a | (u32::from(d) << (18 - 6 * i)));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

fn detente(args: &[&str], dir: &Path) -> (bool, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
    )
}

/// Starts `detente serve` on a free port; its address.
fn serve(file: &Path) -> (Killed, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(["serve", file.to_str().unwrap(), "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut line = Vec::new();
    let mut b = [0u8];
    while out.read(&mut b).unwrap_or(0) == 1 && b[0] != b'\n' {
        line.push(b[0]);
    }
    let line = String::from_utf8_lossy(&line).into_owned();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in `{line}`"))
        .to_owned();
    assert!(
        addr.starts_with("127.0.0.1:"),
        "loopback by default: {line}"
    );
    (Killed(child), addr)
}

/// The deal share the page shows (the registry's first share statistic of the deal class).
const DEAL_SHARE: &str = "const r = document.querySelector('#shares-table tr[data-stat=\"share:deal\"]'); \
     return r ? Number(r.dataset.value) : null;";

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

#[test]
fn the_explorer_in_headless_chromium() {
    for tool in ["chromium", "chromedriver"] {
        if Command::new(tool).arg("--version").output().is_err() {
            println!(
                "SKIPPED: `{tool}` is not installed (apt-get install chromium chromium-driver; .ci/run does)"
            );
            return;
        }
    }
    // A copy of the scenarios and their digest, so that the exported variant is saved beside
    // the served file without writing into the repository.
    let work = std::env::temp_dir().join(format!("detente-serve-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    for sub in ["scenarios", "seeds"] {
        std::fs::create_dir_all(work.join(sub)).unwrap();
        for e in std::fs::read_dir(root().join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                std::fs::copy(&p, work.join(sub).join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    let file = work.join(SCENARIO);
    let (_server, addr) = serve(&file);
    let b = Browser::start();
    b.go(&format!("http://{addr}/"));
    let first = b.next_render(0);
    let base_share = b.wait(DEAL_SHARE, "the deal share").as_f64().unwrap();
    b.screenshot("1-baseline");

    // The slider, found by its path; the direction `compare` gives.
    let slider = format!("document.querySelector('[data-path=\"{SLIDER}\"] input[type=range]')");
    assert_eq!(
        b.js(&format!("return !!{slider};")),
        json!(true),
        "no slider for {SLIDER}"
    );
    let (ok, cli) = detente(
        &[
            "compare",
            SCENARIO,
            "--set",
            &format!("{SLIDER}={SLIDER_TO}"),
            "--format",
            "json",
        ],
        &root(),
    );
    assert!(ok, "{cli}");
    let cli: Value = serde_json::from_str(&cli).unwrap();
    let cli_diff = cli["variants"][1]["outcomes"]["deal"]["difference"]["diff"]
        .as_f64()
        .unwrap();
    let mut latencies = Vec::new();
    let mut generation = first;
    for (i, v) in ["0.5", "0.6", "0.7", "0.45", SLIDER_TO].iter().enumerate() {
        b.js(&format!(
            "const s = {slider}; s.value = '{v}'; s.dispatchEvent(new Event('input', {{bubbles: true}}));"
        ));
        generation = b.next_render(generation);
        let ms: f64 = b
            .js("return document.getElementById('status').dataset.latency;")
            .as_str()
            .and_then(|x| x.parse().ok())
            .unwrap_or(f64::NAN);
        if i > 0 {
            latencies.push(ms);
        }
    }
    let moved = b.wait(DEAL_SHARE, "the deal share").as_f64().unwrap();
    assert_eq!(
        (moved - base_share).signum(),
        cli_diff.signum(),
        "page: {base_share} → {moved}; compare says {cli_diff}"
    );
    println!(
        "slider → updated page: median {:.0} ms over {} moves (10,000 runs, {DEBOUNCE} ms debounce included): {latencies:?}",
        median(latencies.clone()),
        latencies.len(),
        DEBOUNCE = 100
    );
    b.screenshot("2-slider-moved");

    // Back to the file, pin A, change a parameter: the paired difference equals compare's.
    b.js("document.getElementById('reset').click();");
    generation = b.next_render(generation);
    b.js("document.getElementById('pin').click();");
    generation = b.next_render(generation);
    b.js(&format!(
        "const n = document.querySelector('[data-path=\"{PARAMETER}\"] input[type=number]'); \
         n.value = '{PARAMETER_TO}'; n.dispatchEvent(new Event('change', {{bubbles: true}}));"
    ));
    b.next_render(generation);
    let shown = b.wait(
        "const r = document.querySelector('#diff-table tr[data-stat=\"share:deal\"]'); \
             return r ? [Number(r.dataset.diff), r.lastChild.textContent] : null;",
        "the paired difference",
    );
    let (ok, cli) = detente(
        &[
            "compare",
            SCENARIO,
            "--set",
            &format!("{PARAMETER}={PARAMETER_TO}"),
            "--format",
            "json",
        ],
        &root(),
    );
    assert!(ok, "{cli}");
    let cli: Value = serde_json::from_str(&cli).unwrap();
    let d = &cli["variants"][1]["outcomes"]["deal"]["difference"];
    assert_eq!(
        shown[0].as_f64(),
        d["diff"].as_f64(),
        "the page's paired difference is compare's"
    );
    let text = shown[1].as_str().unwrap();
    assert!(
        text.starts_with(&format!("{:+.1}", 100.0 * d["diff"].as_f64().unwrap())),
        "{text}"
    );
    b.screenshot("3-compare");

    // A strike run's story.
    // A strike run's story, under the file's settings (a faster concession leaves none).
    let rendered = b.next_render(0);
    b.js("document.getElementById('unpin').click(); document.getElementById('reset').click();");
    b.next_render(rendered + 1);
    b.js("const s = document.getElementById('story-ending'); s.value = 'strike'; document.getElementById('story-find').click();");
    let outcome = b.wait(
        "const t = document.getElementById('story-text'); return t.dataset.outcome || null;",
        "the story",
    );
    assert!(outcome.as_str().unwrap().starts_with("strike"), "{outcome}");
    let story = b.js("return document.getElementById('story-text').textContent;");
    assert!(
        story.as_str().unwrap().contains("strikes in round"),
        "{story}"
    );
    b.screenshot("4-story");

    // Export the variant (the slider moved again) and check it with `detente check`.
    b.js(&format!(
        "const s = {slider}; s.value = '{SLIDER_TO}'; s.dispatchEvent(new Event('input', {{bubbles: true}})); document.getElementById('export-btn').click();"
    ));
    let variant = b.wait(
        "const t = document.getElementById('variant').textContent; return t ? t : null;",
        "the variant file",
    );
    let variant_path = file.with_file_name("exported-variant.ron");
    std::fs::write(&variant_path, variant.as_str().unwrap()).unwrap();
    let (ok, out) = detente(&["check", variant_path.to_str().unwrap()], &work);
    assert!(ok, "detente check of the exported variant: {out}");
    let command = b.js("return document.getElementById('command').textContent;");
    assert!(
        command
            .as_str()
            .unwrap()
            .contains(&format!("--set {SLIDER}={SLIDER_TO}")),
        "{command}"
    );
    b.screenshot("5-export");

    // Malformed and out-of-range requests get JSON errors; the server goes on answering.
    for (path, body, want) in [
        ("/api/ensemble", "{not json", 400),
        (
            "/api/ensemble",
            "{\"set\": [\"actors.nobody.influence=1\"]}",
            400,
        ),
        (
            "/api/ensemble",
            &format!("{{\"set\": [\"{SLIDER}=7\"]}}"),
            400,
        ),
        ("/api/ensemble", "{\"runs\": 1000000000}", 400),
        ("/api/story", "{\"ending\": \"peace\"}", 400),
        ("/api/nothing", "{}", 404),
    ] {
        let (status, text) = http(&addr, "POST", path, Some(body));
        assert_eq!(status, want, "{path} {body}: {text}");
        let v: Value = serde_json::from_str(&text).expect("a JSON error");
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{text}");
    }
    let mut raw = TcpStream::connect(&addr).unwrap();
    raw.write_all(b"\x00\x01garbage\r\n\r\n").unwrap();
    drop(raw);
    let (status, _) = http(&addr, "GET", "/api/status", None);
    assert_eq!(status, 200, "the server still answers");
    // And the page shows an out-of-range value's error.
    b.js(&format!(
        "const n = document.querySelector('[data-path=\"{SLIDER}\"] input[type=number]'); \
         n.value = '7'; n.dispatchEvent(new Event('change', {{bubbles: true}}));"
    ));
    let shown = b.wait(
        "const e = document.getElementById('error'); return e.hidden ? null : e.textContent;",
        "the error in the page",
    );
    assert!(shown.as_str().unwrap().contains("out of range"), "{shown}");
    b.screenshot("6-error");
    let _ = std::fs::remove_dir_all(&work);
}
