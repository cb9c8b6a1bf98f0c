//! The HTTP side: one handler sees every request, records it, and answers
//! as the real service would, in this order:
//!
//! 1. `/_fake/…`: the test controls (not recorded);
//! 2. the path: `/search` (`GET` or `HEAD`), else 404 `{"erreur":
//!    "Ressource non trouvée."}` as the real API's catch-all route does
//!    (`/near_point` is the real API's but not served: 501);
//! 3. the service's state, as the tests set it: unavailable (503), rate
//!    limited (429 with `Retry-After`), or over [`Config::rate_limit`]
//!    requests in the last second (429, `Retry-After: 1`);
//! 4. the query, checked as the real API checks it ([`crate::query`]): 400
//!    `{"erreur": …}`;
//! 5. the answer ([`crate::search`]): 200 `{"results", "total_results",
//!    "page", "per_page", "total_pages"}`.

use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::data::Data;
use crate::query::{self, Strictness};
use crate::search;

/// How the fake runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The companies (default: the embedded `data/companies.json`).
    pub data: Data,
    /// Unknown and repeated parameters refused (default) or ignored as the
    /// real API does.
    pub strictness: Strictness,
    /// When set, more than this many requests to the API within one second
    /// answer 429 with `Retry-After: 1` (the real service allows 7 a second
    /// from one address). Off by default so that tests are not timed.
    pub rate_limit: Option<u32>,
    /// Append one JSON line per request to this file.
    pub log: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            data: Data::seed(),
            strictness: Strictness::Strict,
            rate_limit: None,
            log: None,
        }
    }
}

#[derive(Debug, Default)]
struct Controls {
    /// Answer 503 until then (`/_fake/unavailable`).
    unavailable_until: Option<Instant>,
    /// Answer 429 to this many more requests, with this `Retry-After`
    /// (`/_fake/rate-limit`).
    rate_limited: u32,
    retry_after: u64,
}

#[derive(Debug)]
struct Fake {
    config: Config,
    controls: Mutex<Controls>,
    /// When the last requests came, for [`Config::rate_limit`].
    recent: Mutex<VecDeque<Instant>>,
    requests: Mutex<Vec<Value>>,
    log: Option<Mutex<std::fs::File>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The fake's routes, for embedding in a test's own server. Fails when the
/// log file cannot be opened.
pub fn router(config: Config) -> std::io::Result<Router> {
    let log = match &config.log {
        Some(path) => Some(Mutex::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?,
        )),
        None => None,
    };
    let fake = Arc::new(Fake {
        config,
        controls: Mutex::new(Controls::default()),
        recent: Mutex::new(VecDeque::new()),
        requests: Mutex::new(Vec::new()),
        log,
    });
    Ok(Router::new().fallback(handle).with_state(fake))
}

/// Serves the fake on `listener` until the future is dropped.
pub async fn serve(listener: TcpListener, config: Config) -> std::io::Result<()> {
    axum::serve(listener, router(config)?).await
}

/// The real API's error shape.
fn erreur(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "erreur": message }))).into_response()
}

fn with_retry_after(mut response: Response, seconds: u64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

async fn handle(
    State(fake): State<Arc<Fake>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    if let Some(control) = path.strip_prefix("/_fake/") {
        return self::control(&fake, &method, control, &body);
    }
    let pairs = query::pairs(uri.query());
    let response = api(&fake, &method, path, &pairs);
    record(&fake, &method, &uri, &pairs, &headers, response.status());
    response
}

fn api(fake: &Fake, method: &Method, path: &str, pairs: &[(String, String)]) -> Response {
    match (path, method.as_str()) {
        ("/search", "GET" | "HEAD") => {}
        ("/near_point", "GET" | "HEAD") => {
            return erreur(
                StatusCode::NOT_IMPLEMENTED,
                "/near_point (recherche géographique) n'est pas servi par le faux.",
            );
        }
        (_, "GET" | "HEAD" | "POST" | "PUT" | "DELETE") => {
            return erreur(StatusCode::NOT_FOUND, "Ressource non trouvée.");
        }
        _ => {
            let body = json!({"detail": "Method Not Allowed"});
            return (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response();
        }
    }
    if let Some(refusal) = state_refusal(fake) {
        return refusal;
    }
    match query::check(pairs, fake.config.strictness) {
        Err(message) => erreur(StatusCode::BAD_REQUEST, &message),
        Ok(search) => axum::Json(search::run(&fake.config.data, &search)).into_response(),
    }
}

/// 503 or 429 when a test or the rate limit says so.
fn state_refusal(fake: &Fake) -> Option<Response> {
    let now = Instant::now();
    {
        let mut controls = lock(&fake.controls);
        if let Some(until) = controls.unavailable_until {
            if until > now {
                let left = (until - now).as_secs_f64().ceil() as u64;
                return Some(with_retry_after(
                    erreur(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Service momentanément indisponible (faux : /_fake/unavailable).",
                    ),
                    left.max(1),
                ));
            }
            controls.unavailable_until = None;
        }
        if controls.rate_limited > 0 {
            controls.rate_limited -= 1;
            return Some(too_many(controls.retry_after));
        }
    }
    if let Some(limit) = fake.config.rate_limit {
        let mut recent = lock(&fake.recent);
        while recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            recent.pop_front();
        }
        if recent.len() >= limit as usize {
            return Some(too_many(1));
        }
        recent.push_back(now);
    }
    None
}

fn too_many(retry_after: u64) -> Response {
    with_retry_after(
        erreur(
            StatusCode::TOO_MANY_REQUESTS,
            "Trop de requêtes : réessayez après le délai de l'en-tête Retry-After.",
        ),
        retry_after,
    )
}

/// What `/_fake/requests` keeps of a request: `{"method", "path", "query"
/// (raw, or null), "params" ([[name, value], …] decoded, in order),
/// "headers" ({"user-agent", "accept"} when sent), "status"}`.
fn record(
    fake: &Fake,
    method: &Method,
    uri: &Uri,
    pairs: &[(String, String)],
    headers: &HeaderMap,
    status: StatusCode,
) {
    let mut kept = serde_json::Map::new();
    for name in ["user-agent", "accept"] {
        if let Some(value) = headers.get(name).and_then(|v| v.to_str().ok()) {
            kept.insert(name.to_owned(), Value::from(value));
        }
    }
    let params: Vec<Value> = pairs.iter().map(|(k, v)| json!([k, v])).collect();
    let line = json!({
        "method": method.as_str(),
        "path": uri.path(),
        "query": uri.query(),
        "params": params,
        "headers": kept,
        "status": status.as_u16(),
    });
    if let Some(log) = &fake.log {
        let _ = writeln!(lock(log), "{line}");
    }
    lock(&fake.requests).push(line);
}

/// The test controls, under `/_fake/`.
fn control(fake: &Fake, method: &Method, control: &str, body: &[u8]) -> Response {
    let answer = match (method.as_str(), control) {
        ("POST", "unavailable") => unavailable(fake, body),
        ("POST", "rate-limit") => rate_limit(fake, body),
        ("GET", "requests") => Ok(Value::Array(lock(&fake.requests).clone())),
        ("POST", "reset") => {
            *lock(&fake.controls) = Controls::default();
            lock(&fake.requests).clear();
            lock(&fake.recent).clear();
            Ok(json!({}))
        }
        (_, "unavailable" | "rate-limit" | "reset") => {
            return erreur(
                StatusCode::METHOD_NOT_ALLOWED,
                &format!("/_fake/{control} takes POST"),
            );
        }
        (_, "requests") => {
            return erreur(StatusCode::METHOD_NOT_ALLOWED, "/_fake/requests takes GET");
        }
        _ => {
            return erreur(
                StatusCode::NOT_FOUND,
                &format!("no control /_fake/{control}"),
            );
        }
    };
    match answer {
        Ok(value) => axum::Json(value).into_response(),
        Err(message) => erreur(StatusCode::BAD_REQUEST, &message),
    }
}

type Fields = serde_json::Map<String, Value>;

/// A control's body: one JSON object (or nothing) with only `keys`.
fn fields(body: &[u8], keys: &[&str]) -> Result<Fields, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Fields::new());
    }
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Err("the body must be one JSON object".to_owned());
    };
    match map.keys().find(|k| !keys.contains(&k.as_str())) {
        Some(k) => Err(format!("{k}: this control takes {keys:?}")),
        None => Ok(map),
    }
}

fn seconds(map: &Fields, key: &str, default: u64) -> Result<u64, String> {
    match map.get(key) {
        None => Ok(default),
        Some(v) => v
            .as_u64()
            .filter(|n| *n <= 86_400)
            .ok_or_else(|| format!("{key}: a whole number of seconds, 0 to 86400")),
    }
}

/// `POST /_fake/unavailable {"seconds": N}`: 503 for N seconds (0: back now).
fn unavailable(fake: &Fake, body: &[u8]) -> Result<Value, String> {
    let map = fields(body, &["seconds"])?;
    if !map.contains_key("seconds") {
        return Err("seconds: required".to_owned());
    }
    let n = seconds(&map, "seconds", 0)?;
    lock(&fake.controls).unavailable_until =
        (n > 0).then(|| Instant::now() + Duration::from_secs(n));
    Ok(json!({ "seconds": n }))
}

/// `POST /_fake/rate-limit {"retry_after"?: S, "requests"?: N}`: the next
/// N requests (1) answer 429 with `Retry-After: S` (1).
fn rate_limit(fake: &Fake, body: &[u8]) -> Result<Value, String> {
    let map = fields(body, &["retry_after", "requests"])?;
    let retry_after = seconds(&map, "retry_after", 1)?;
    let requests = match map.get("requests") {
        None => 1,
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n >= 1)
            .ok_or("requests: a whole number, 1 or more")?,
    };
    let mut controls = lock(&fake.controls);
    controls.rate_limited = requests;
    controls.retry_after = retry_after;
    Ok(json!({ "retry_after": retry_after, "requests": requests }))
}
