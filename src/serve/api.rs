//! The explorer's HTTP API and the work behind it.
//!
//! | request | answer |
//! |---|---|
//! | `GET /`, `/app.js`, `/app.css` | the page (compiled in) |
//! | `GET /api/scenario` | the scenario and its controls ([`super::controls::describe`]) |
//! | `POST /api/ensemble` `{set, runs, seed, client}` | the statistics, deal-term histograms and per-round series of an ensemble |
//! | `POST /api/compare` `{a, b, runs, seed, client}` | A and B under common random numbers, with the paired differences of every statistic that has one |
//! | `POST /api/story` `{set, seed, run \| ending, within, client}` | one run's story ([`crate::report::story`]) and its per-round series |
//! | `POST /api/export` `{set, runs, seed}` | the settings as a variant file and as a command line |
//! | `GET /api/status` | studies admitted, running, finished, cancelled, refused |
//!
//! `set` is a list of `--set` overrides as written on the command line (`"path=value"`). Every
//! answer is JSON; errors are `{"error": text, "problems": [{"field", "message", "help"}]}`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::outcome::{OutcomeClass, OutcomeKind};
use crate::scenario::{Diagnostics, Loaded, Override, Prepared, Scenario};
use crate::sim::Sim;
use crate::stats::{Series, Statistic};
use crate::study::batch::Aggregate;
use crate::study::compare::Comparison;

/// Studies (ensembles, comparisons, story searches) running at once.
pub const RUNNING: usize = 2;
/// Studies admitted at once, running or waiting for one of the [`RUNNING`] slots; more are
/// refused with a 503.
pub const ADMITTED: usize = 64;
/// The most runs one request may ask for (per variant in a comparison): about two seconds of
/// work on two cores.
pub const MAX_RUNS: u64 = 200_000;
/// The most overrides in one request.
pub const MAX_OVERRIDES: usize = 512;
/// The longest override, client id or outcome name, in bytes.
pub const MAX_TEXT: usize = 512;
/// The largest request body, in bytes.
pub const MAX_BODY: usize = 256 * 1024;
/// Runs when a request does not say.
pub const DEFAULT_RUNS: u64 = 10_000;

/// An answer that is not a success: a status and a JSON body saying why.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    problems: Vec<Value>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            problems: Vec::new(),
        }
    }

    fn bad(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    fn invalid(d: &Diagnostics) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: "the settings are not valid".into(),
            problems: d
                .0
                .iter()
                .map(|d| json!({"field": d.field, "message": d.message, "help": d.help}))
                .collect(),
        }
    }

    fn cancelled() -> Self {
        ApiError::new(
            StatusCode::CONFLICT,
            "cancelled: a newer request from the same page, or the server stopping, replaced it",
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.message, "problems": self.problems});
        (self.status, json_headers(), body.to_string()).into_response()
    }
}

fn json_headers() -> [(header::HeaderName, &'static str); 2] {
    [
        (header::CONTENT_TYPE, "application/json"),
        (header::CACHE_CONTROL, "no-store"),
    ]
}

fn ok(v: Value) -> Response {
    (StatusCode::OK, json_headers(), v.to_string()).into_response()
}

/// Counters of the studies the server has seen (`GET /api/status`).
#[derive(Debug, Default)]
struct Counters {
    finished: AtomicU64,
    cancelled: AtomicU64,
    refused: AtomicU64,
    running: AtomicUsize,
}

/// What a study asks while it runs: whether to stop (its request was replaced or dropped, or
/// the server is stopping).
#[derive(Clone)]
struct Stop {
    request: Arc<AtomicBool>,
    server: Arc<AtomicBool>,
}

impl Stop {
    fn stopped(&self) -> bool {
        self.request.load(Ordering::Relaxed) || self.server.load(Ordering::Relaxed)
    }
}

/// Sets its flag when dropped: a request whose future is dropped (its connection closed)
/// stops its study.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The server's state: the scenario read once, the controls made once, and the bookkeeping of
/// running studies.
pub struct App {
    file: PathBuf,
    prepared: Prepared,
    base: Loaded,
    description: String,
    threads: usize,
    slots: tokio::sync::Semaphore,
    admitted: AtomicUsize,
    clients: Mutex<HashMap<String, Arc<AtomicBool>>>,
    shutdown: Arc<AtomicBool>,
    counters: Counters,
}

impl App {
    /// Reads and validates the scenario at `file` (the negotiation model only) and prepares
    /// its controls; studies run on `threads` workers (0: one per core).
    pub fn new(file: &Path, threads: usize) -> Result<App, super::ServeError> {
        let prepared = crate::scenario::prepare(file).map_err(super::ServeError::Invalid)?;
        let base = prepared.load(&[]).map_err(super::ServeError::Invalid)?;
        if base.scenario.engine != crate::scenario::types::Engine::Negotiation {
            return Err(super::ServeError::Other(format!(
                "`serve` explores the negotiation model; `{}` uses the {} engine \
                 (use `detente run` or `story` for it)",
                file.display(),
                base.scenario.engine.name()
            )));
        }
        let description =
            super::controls::describe(&base, &prepared, &file.display().to_string()).to_string();
        Ok(App {
            file: file.to_path_buf(),
            prepared,
            base,
            description,
            threads,
            slots: tokio::sync::Semaphore::new(RUNNING),
            admitted: AtomicUsize::new(0),
            clients: Mutex::new(HashMap::new()),
            shutdown: Arc::new(AtomicBool::new(false)),
            counters: Counters::default(),
        })
    }

    /// The flag that stops every study when set (the server is stopping).
    pub fn shutdown_flag(&self) -> Arc<AtomicBool> {
        self.shutdown.clone()
    }

    /// The validated scenario under `set`, refused unless it runs on the negotiation model.
    fn scenario(&self, set: &[Override]) -> Result<Arc<Scenario>, ApiError> {
        let s = self
            .prepared
            .scenario(set)
            .map_err(|d| ApiError::invalid(&d))?;
        if s.engine != crate::scenario::types::Engine::Negotiation {
            return Err(ApiError::bad(format!(
                "these settings choose the {} engine: the explorer runs the negotiation model",
                s.engine.name()
            )));
        }
        Ok(Arc::new(s))
    }

    /// Runs `work` on a blocking thread once a slot is free, with a [`Stop`] that a newer
    /// request of the same `client`, a dropped connection or the server stopping sets.
    async fn study<T: Send + 'static>(
        self: &Arc<Self>,
        client: Option<String>,
        work: impl FnOnce(&Stop) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        if self.admitted.fetch_add(1, Ordering::SeqCst) >= ADMITTED {
            self.admitted.fetch_sub(1, Ordering::SeqCst);
            self.counters.refused.fetch_add(1, Ordering::Relaxed);
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("the server is busy ({ADMITTED} studies admitted): try again shortly"),
            ));
        }
        struct Admitted<'a>(&'a AtomicUsize);
        impl Drop for Admitted<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let _admitted = Admitted(&self.admitted);
        let flag = Arc::new(AtomicBool::new(false));
        let _guard = CancelOnDrop(flag.clone());
        if let Some(c) = &client {
            let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(old) = clients.insert(c.clone(), flag.clone()) {
                old.store(true, Ordering::Relaxed);
            }
        }
        let stop = Stop {
            request: flag.clone(),
            server: self.shutdown.clone(),
        };
        let result = async {
            let _slot = self
                .slots
                .acquire()
                .await
                .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "stopping"))?;
            if stop.stopped() {
                return Err(ApiError::cancelled());
            }
            self.counters.running.fetch_add(1, Ordering::SeqCst);
            let joined = tokio::task::spawn_blocking(move || work(&stop)).await;
            self.counters.running.fetch_sub(1, Ordering::SeqCst);
            joined.unwrap_or_else(|_| {
                Err(ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error: the study failed (the server goes on); please report it",
                ))
            })
        }
        .await;
        if let Some(c) = &client {
            let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
            if clients.get(c).is_some_and(|f| Arc::ptr_eq(f, &flag)) {
                clients.remove(c);
            }
        }
        let counter = match &result {
            Err(e) if e.status == StatusCode::CONFLICT => &self.counters.cancelled,
            _ => &self.counters.finished,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        result
    }
}

/// The routes of the explorer, with the body limit and JSON answers for unknown paths and
/// methods.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { page(super::assets::INDEX, "text/html; charset=utf-8") }),
        )
        .route(
            "/app.js",
            get(|| async { page(super::assets::SCRIPT, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/app.css",
            get(|| async { page(super::assets::STYLE, "text/css; charset=utf-8") }),
        )
        .route("/api/scenario", get(scenario))
        .route("/api/status", get(status))
        .route("/api/ensemble", post(ensemble))
        .route("/api/compare", post(compare))
        .route("/api/story", post(story))
        .route("/api/export", post(export))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such page or API") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "wrong method: the pages are GET, the studies POST (see the API table in the docs)",
            )
        })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(app)
}

/// A compiled-in asset, with a policy that lets the page load nothing from elsewhere.
fn page(body: &'static str, kind: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'",
            ),
        ],
        body,
    )
        .into_response()
}

async fn scenario(State(app): State<Arc<App>>) -> Response {
    (StatusCode::OK, json_headers(), app.description.clone()).into_response()
}

async fn status(State(app): State<Arc<App>>) -> Response {
    let c = &app.counters;
    ok(json!({
        "admitted": app.admitted.load(Ordering::SeqCst),
        "running": c.running.load(Ordering::SeqCst),
        "finished": c.finished.load(Ordering::Relaxed),
        "cancelled": c.cancelled.load(Ordering::Relaxed),
        "refused": c.refused.load(Ordering::Relaxed),
        "limits": {"running": RUNNING, "admitted": ADMITTED, "runs": MAX_RUNS, "overrides": MAX_OVERRIDES, "body_bytes": MAX_BODY},
    }))
}

/// The body of a POST as `T`, or a 4xx saying what is wrong with it.
fn body<T: serde::de::DeserializeOwned>(b: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let bytes = b.map_err(|r| {
        let status = r.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!("the request is larger than {MAX_BODY} bytes")
        } else {
            format!("cannot read the request: {}", r.body_text())
        };
        ApiError::new(status, message)
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::bad(format!(
            "the request is not the JSON this API takes: {e} (see the API table in the docs)"
        ))
    })
}

/// A set of `--set` overrides as the page sends them, checked against the limits.
fn overrides(set: &[String]) -> Result<Vec<Override>, ApiError> {
    if set.len() > MAX_OVERRIDES {
        return Err(ApiError::bad(format!(
            "{} overrides: at most {MAX_OVERRIDES}",
            set.len()
        )));
    }
    set.iter()
        .map(|text| {
            if text.len() > MAX_TEXT {
                return Err(ApiError::bad(format!(
                    "an override is longer than {MAX_TEXT} bytes"
                )));
            }
            let o: Override = text.parse().map_err(ApiError::bad)?;
            if o.values().len() > 1 {
                return Err(ApiError::bad(format!(
                    "`{text}` is a list: the explorer runs one value per path (compare A and B instead)"
                )));
            }
            Ok(o)
        })
        .collect()
}

fn runs(r: Option<u64>) -> Result<u64, ApiError> {
    match r.unwrap_or(DEFAULT_RUNS) {
        0 => Err(ApiError::bad("at least 1 run")),
        n if n > MAX_RUNS => Err(ApiError::bad(format!(
            "{n} runs: the explorer runs at most {MAX_RUNS} per request (use `detente run` for more)"
        ))),
        n => Ok(n),
    }
}

fn client(c: Option<String>) -> Result<Option<String>, ApiError> {
    match c {
        Some(c) if c.len() > MAX_TEXT => Err(ApiError::bad("the client id is too long")),
        c => Ok(c),
    }
}

/// The ensemble of `s` under `seed`, through the one executor; `None` if stopped.
fn run_ensemble(
    s: &Arc<Scenario>,
    runs: u64,
    seed: u64,
    threads: usize,
    stop: &Stop,
) -> Option<Aggregate> {
    let mut agg = Aggregate::new(s);
    let done = crate::study::executor::execute(
        threads,
        0..runs,
        crate::study::batch::CHUNK,
        || Sim::new(s.clone()),
        |sim, range| {
            let mut part = Aggregate::new(s);
            for i in range {
                part.add(&sim.run(seed, i));
            }
            part
        },
        |_, part| {
            agg.merge(&part);
            Ok::<_, Infallible>(())
        },
        &|_| stop.stopped(),
    );
    let Ok(done) = done;
    (done == runs && !stop.stopped()).then_some(agg)
}

fn num(x: Option<f64>) -> Value {
    x.filter(|x| x.is_finite())
        .map_or(Value::Null, |x| json!(x))
}

/// What kind of statistic, for the page's grouping: `share`, `terms`, `rounds`, `collapse`.
fn family(st: &Statistic) -> &'static str {
    match st {
        Statistic::Share(_) => "share",
        Statistic::TermsMean(_) | Statistic::TermsQuantile(..) => "terms",
        Statistic::RoundsMean | Statistic::DealRoundMean => "rounds",
        Statistic::CollapseCause(_) => "collapse",
    }
}

fn statistic_json(s: &Scenario, st: &Statistic, agg: &Aggregate) -> Value {
    let e = st.estimate(agg);
    json!({
        "name": st.name(s), "label": st.label(s), "unit": st.unit(), "family": family(st),
        "value": num(e.value), "lo": num(e.interval.map(|i| i.0)), "hi": num(e.interval.map(|i| i.1)),
    })
}

/// Bins of 2 points of the deal-term histograms (0.1-point bins) of each issue.
const HIST_BARS: usize = 50;

/// An ensemble's summary: every statistic of the registry, the deal-term histograms, and every
/// per-round series.
pub fn summary(s: &Scenario, agg: &Aggregate) -> Value {
    let stats: Vec<Value> = Statistic::registry(s, &[(s, agg)])
        .iter()
        .map(|st| statistic_json(s, st, agg))
        .collect();
    let terms: Vec<Value> = s
        .issues
        .iter()
        .zip(&agg.terms)
        .map(|(i, counts)| {
            let mut bars = vec![0u64; HIST_BARS];
            for (b, c) in counts.iter().enumerate() {
                bars[(b * HIST_BARS / counts.len().max(1)).min(HIST_BARS - 1)] += c;
            }
            json!({"issue": i.id, "low": i.low, "high": i.high, "status_quo": i.status_quo, "bars": bars})
        })
        .collect();
    json!({
        "runs": agg.runs,
        "deals": agg.deals,
        "statistics": stats,
        "terms": terms,
        "series": series_json(s, agg),
    })
}

fn series_json(s: &Scenario, agg: &Aggregate) -> Vec<Value> {
    Series::all(s)
        .iter()
        .map(|x| {
            json!({"name": x.name, "label": x.label,
                   "values": x.values(agg).into_iter().map(num).collect::<Vec<_>>()})
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnsembleRequest {
    #[serde(default)]
    set: Vec<String>,
    runs: Option<u64>,
    seed: Option<u64>,
    client: Option<String>,
}

async fn ensemble(State(app): State<Arc<App>>, b: Result<Bytes, BytesRejection>) -> Response {
    let go = async {
        let r: EnsembleRequest = body(b)?;
        let set = overrides(&r.set)?;
        let runs = runs(r.runs)?;
        let seed = r.seed.unwrap_or(1);
        let s = app.scenario(&set)?;
        let threads = app.threads;
        let started = Instant::now();
        let agg = app
            .study(client(r.client)?, move |stop| {
                run_ensemble(&s, runs, seed, threads, stop)
                    .map(|agg| (s, agg))
                    .ok_or_else(ApiError::cancelled)
            })
            .await?;
        let (s, agg) = agg;
        let mut v = summary(&s, &agg);
        v["seed"] = json!(seed);
        v["set"] = json!(r.set);
        v["elapsed_ms"] = json!(started.elapsed().as_secs_f64() * 1000.0);
        Ok::<_, ApiError>(v)
    };
    go.await.map_or_else(IntoResponse::into_response, ok)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CompareRequest {
    #[serde(default)]
    a: Vec<String>,
    #[serde(default)]
    b: Vec<String>,
    runs: Option<u64>,
    seed: Option<u64>,
    client: Option<String>,
}

async fn compare(State(app): State<Arc<App>>, b: Result<Bytes, BytesRejection>) -> Response {
    let go = async {
        let r: CompareRequest = body(b)?;
        let (set_a, set_b) = (overrides(&r.a)?, overrides(&r.b)?);
        let runs = runs(r.runs)?;
        let seed = r.seed.unwrap_or(1);
        let scenarios = vec![app.scenario(&set_a)?, app.scenario(&set_b)?];
        let threads = app.threads;
        let started = Instant::now();
        let (scenarios, c) = app
            .study(client(r.client)?, move |stop| {
                let mut c = Comparison::new(&scenarios);
                let done = crate::study::compare::execute(
                    &scenarios,
                    0..runs,
                    seed,
                    threads,
                    &|_| stop.stopped(),
                    &mut c,
                    |_, _, _| (),
                    |_, _| Ok(()),
                )
                .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
                if done < runs || stop.stopped() {
                    return Err(ApiError::cancelled());
                }
                Ok((scenarios, c))
            })
            .await?;
        let (a, b) = (&scenarios[0], &scenarios[1]);
        let (agg_a, agg_b) = (&c.variants[0].agg, &c.variants[1].agg);
        let differences: Vec<Value> = Statistic::registry(a, &[(a, agg_a), (b, agg_b)])
            .iter()
            .filter_map(|st| {
                let d = st.difference(&c, 1)?;
                let mut v = statistic_json(a, st, agg_a);
                v["a"] = v["value"].take();
                v["b"] = num(st.estimate(agg_b).value);
                v["diff"] = num(Some(d.diff));
                v["lo"] = num(Some(d.lo));
                v["hi"] = num(Some(d.hi));
                v["significant"] = json!(d.significant());
                v["paired"] = json!(!matches!(st, Statistic::TermsMean(_)));
                Some(v)
            })
            .collect();
        Ok::<_, ApiError>(json!({
            "runs": runs, "seed": seed, "a_set": r.a, "b_set": r.b,
            "a": summary(a, agg_a), "b": summary(b, agg_b),
            "differences": differences,
            "elapsed_ms": started.elapsed().as_secs_f64() * 1000.0,
        }))
    };
    go.await.map_or_else(IntoResponse::into_response, ok)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoryRequest {
    #[serde(default)]
    set: Vec<String>,
    seed: Option<u64>,
    /// Tell this run.
    run: Option<u64>,
    /// Or the first run that ended in this outcome class (`deal`, `strike`, `strike:<id>`).
    ending: Option<String>,
    /// Look for `ending` among the first this many runs.
    within: Option<u64>,
    client: Option<String>,
}

/// Which run a story request tells.
enum Pick {
    /// This run.
    Run(u64),
    /// The first run that ended in this class.
    Ending(OutcomeClass),
}

async fn story(State(app): State<Arc<App>>, b: Result<Bytes, BytesRejection>) -> Response {
    let go = async {
        let r: StoryRequest = body(b)?;
        let set = overrides(&r.set)?;
        let seed = r.seed.unwrap_or(1);
        let s = app.scenario(&set)?;
        let pick = match (r.run, &r.ending) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad("give `run` or `ending`, not both"));
            }
            (None, None) => return Err(ApiError::bad("give `run` (a run number) or `ending`")),
            (Some(n), None) if n >= crate::limits::ENSEMBLE_RUNS => {
                return Err(ApiError::bad(format!(
                    "run {n}: run numbers go up to {}",
                    crate::limits::ENSEMBLE_RUNS - 1
                )));
            }
            (Some(n), None) => Pick::Run(n),
            (None, Some(name)) => Pick::Ending(OutcomeClass::parse(name, &s).ok_or_else(|| {
                let known: Vec<String> = OutcomeClass::COMMON
                    .iter()
                    .map(|c| c.name(&s))
                    .chain(s.actors.iter().map(|a| format!("strike:{}", a.id)))
                    .collect();
                ApiError::bad(format!(
                    "`{}` is not an outcome of this scenario: one of {}",
                    name.chars().take(64).collect::<String>(),
                    known.join(", ")
                ))
            })?),
        };
        let within = runs(r.within)?;
        let (s, run, text, series, outcome) = app
            .study(client(r.client)?, move |stop| {
                let mut sim = Sim::new(s.clone());
                let n = match pick {
                    Pick::Run(n) => n,
                    Pick::Ending(class) => {
                        let mut found = None;
                        for i in 0..within {
                            if i % 256 == 0 && stop.stopped() {
                                return Err(ApiError::cancelled());
                            }
                            if class.contains(OutcomeKind::of(sim.run(seed, i).outcome)) {
                                found = Some(i);
                                break;
                            }
                        }
                        found.ok_or_else(|| {
                            ApiError::new(
                                StatusCode::NOT_FOUND,
                                format!(
                                    "none of the first {within} runs of seed {seed} ended in `{}`",
                                    class.name(&s)
                                ),
                            )
                        })?
                    }
                };
                let view = sim.run(seed, n);
                let text = crate::report::story::story(&s, seed, n, view.trace, view.outcome);
                let mut one = Aggregate::new(&s);
                one.add(&view);
                let outcome = OutcomeKind::of(view.outcome).name(&s);
                let series = series_json(&s, &one);
                Ok((s, n, text, series, outcome))
            })
            .await?;
        let text = crate::report::story::with_overrides(text, &set);
        Ok::<_, ApiError>(json!({
            "run": run, "seed": seed, "outcome": outcome, "text": format!("Run {run} of seed {seed}\n{text}"),
            "series": series, "rounds": s.rounds.len(),
        }))
    };
    go.await.map_or_else(IntoResponse::into_response, ok)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportRequest {
    #[serde(default)]
    set: Vec<String>,
    runs: Option<u64>,
    seed: Option<u64>,
}

async fn export(State(app): State<Arc<App>>, b: Result<Bytes, BytesRejection>) -> Response {
    let go = async {
        let r: ExportRequest = body(b)?;
        let set = overrides(&r.set)?;
        let runs = runs(r.runs)?;
        let seed = r.seed.unwrap_or(1);
        app.scenario(&set)?;
        let variant = super::export::variant(&app.file, &app.base, &app.prepared, &set)
            .map_err(ApiError::bad)?;
        Ok::<_, ApiError>(json!({
            "file_name": format!("{}-variant.ron", super::export::stem(&app.file)),
            "variant": variant,
            "command": super::export::command_line(&app.file.display().to_string(), &set, runs, seed),
        }))
    };
    go.await.map_or_else(IntoResponse::into_response, ok)
}
