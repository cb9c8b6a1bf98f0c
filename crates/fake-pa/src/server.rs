//! The HTTP side: one handler sees every request, logs it, and routes it
//! by hand, so that every refusal (an unknown path, a wrong method, a
//! missing token) has the files' `Error` shape.
//!
//! Authentication follows the files' security schemes (`BearerAuth` or
//! `OAuth2` client credentials, required on every operation but the health
//! checks, whose answers list no 401): no
//! `Authorization` header is 401 `MISSING_TOKEN`; anything but `Bearer`
//! and a token the fake issued or was configured with is 401
//! `INVALID_TOKEN`; a token past its `expires_in` is 401 `EXPIRED_TOKEN`.
//! A `Request-Id` header, when sent, must be a UUID (its schema's
//! `format: uuid`), else 400.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

use crate::directory::{self, Directory};
use crate::flows::{self, Flows};

/// How the fake runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Bearer tokens accepted as they are (a PA's long-lived API key).
    pub tokens: Vec<String>,
    /// OAuth2 clients `(client_id, client_secret)` the token endpoint knows.
    pub clients: Vec<(String, String)>,
    /// The `expires_in` of the tokens the token endpoint issues.
    pub token_lifetime: Duration,
    /// The largest file `createFlow` takes: the files say "Max size = 100
    /// MB" (taken as 100 × 2²⁰ bytes); a larger one is 413.
    pub max_file_bytes: usize,
    /// When set, a flow still `Pending` this long after its submission is
    /// processed as if `/_fake/process` had said `Ok` (the demo); tests
    /// leave it `None` and call the control.
    pub auto_ack: Option<Duration>,
    /// Append one JSON line per request to this file.
    pub log: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            tokens: vec!["fake-pa-token".to_owned()],
            clients: vec![("acquit".to_owned(), "fake-pa-secret".to_owned())],
            token_lifetime: Duration::from_secs(3600),
            max_file_bytes: 100 * 1024 * 1024,
            auto_ack: None,
            log: None,
        }
    }
}

/// The fake's state, shared by every request.
#[derive(Debug)]
pub(crate) struct Fake {
    pub(crate) config: Config,
    pub(crate) flows: Mutex<Flows>,
    pub(crate) directory: Mutex<Directory>,
    /// Issued tokens and when they expire.
    issued: Mutex<HashMap<String, DateTime<Utc>>>,
    requests: Mutex<Vec<Value>>,
    log: Option<Mutex<std::fs::File>>,
    /// How late `createFlow` answers (`/_fake/stall`).
    pub(crate) stall: Mutex<Duration>,
    /// Flows whose documents the platform no longer hands over
    /// (`/_fake/withhold`).
    pub(crate) withheld: Mutex<std::collections::HashSet<String>>,
}

impl Fake {
    pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        mutex.lock().unwrap_or_else(|e| e.into_inner())
    }
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
    let limit = config.max_file_bytes + 1024 * 1024;
    let fake = Arc::new(Fake {
        config,
        flows: Mutex::new(Flows::default()),
        directory: Mutex::new(Directory::default()),
        issued: Mutex::new(HashMap::new()),
        requests: Mutex::new(Vec::new()),
        log,
        stall: Mutex::new(Duration::ZERO),
        withheld: Mutex::new(std::collections::HashSet::new()),
    });
    Ok(Router::new()
        .fallback(handle)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(fake))
}

/// Serves the fake on `listener` until the future is dropped.
pub async fn serve(listener: TcpListener, config: Config) -> std::io::Result<()> {
    axum::serve(listener, router(config)?).await
}

/// The files' `Error` object.
pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"errorCode": code, "errorMessage": message});
    (status, axum::Json(body)).into_response()
}

/// 400 for a request that breaks a schema of the files.
pub(crate) fn violation(what: &str, v: crate::spec::Violation) -> Response {
    let code = if v.missing {
        "MISSING_REQUIRED_FIELD"
    } else {
        "INVALID_FIELD_VALUE"
    };
    let body = json!({
        "errorCode": code,
        "errorMessage": format!("{what} does not follow the specification"),
        "details": v.message,
    });
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

pub(crate) fn bad_request(code: &str, message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, code, message)
}

fn unauthorized(code: &str, message: &str) -> Response {
    let mut response = error(StatusCode::UNAUTHORIZED, code, message);
    let challenge = if code == "MISSING_TOKEN" {
        "Bearer".to_owned()
    } else {
        format!("Bearer error=\"invalid_token\", error_description=\"{message}\"")
    };
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// What the log keeps of a request body.
#[derive(Debug, Default)]
pub(crate) enum Logged {
    #[default]
    None,
    Json(Value),
    Text(String),
}

/// Whether `headers` say the body is `mime` (parameters ignored).
pub(crate) fn content_type_is(headers: &HeaderMap, mime: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(mime))
}

/// A JSON body as one object, or the 400 saying what is wrong.
pub(crate) fn json_object(
    headers: &HeaderMap,
    body: &Bytes,
    logged: &mut Logged,
) -> Result<Value, Box<Response>> {
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        *logged = Logged::Json(value.clone());
    } else if !body.is_empty() {
        *logged = Logged::Text(String::from_utf8_lossy(body).into_owned());
    }
    if !content_type_is(headers, "application/json") {
        return Err(Box::new(bad_request(
            "INVALID_REQUEST_FORMAT",
            "the request body must be JSON (Content-Type: application/json)",
        )));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        _ => Err(Box::new(bad_request(
            "INVALID_REQUEST_FORMAT",
            "the request body must be one JSON object",
        ))),
    }
}

async fn handle(State(fake): State<Arc<Fake>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let method = parts.method.clone();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let headers = parts.headers.clone();
    let mut logged = Logged::None;
    let limit = fake.config.max_file_bytes + 1024 * 1024;
    let response = match axum::body::to_bytes(body, limit).await {
        Err(_) => error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "FILE_SIZE_EXCEEDED",
            &format!(
                "the request is larger than the {} bytes a flow may have",
                fake.config.max_file_bytes
            ),
        ),
        Ok(body) => {
            let rebuilt = Request::from_parts(parts, Body::from(body.clone()));
            route(
                &fake,
                &method,
                &path,
                query.as_deref(),
                &headers,
                body,
                rebuilt,
                &mut logged,
            )
            .await
        }
    };
    record(
        &fake,
        &method,
        &path,
        query.as_deref(),
        &headers,
        logged,
        response.status(),
    );
    response
}

/// The log line of a request: `{"method", "path" (with the query),
/// "headers" (content-type, authorization masked, request-id,
/// organization-id), "body", "status"}`; a multipart body is logged as its
/// parts (name, content type, file name, size, sha256, and `flowInfo`'s JSON).
fn record(
    fake: &Fake,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    logged: Logged,
    status: StatusCode,
) {
    let mut kept = serde_json::Map::new();
    for name in [
        "content-type",
        "authorization",
        "request-id",
        "organization-id",
    ] {
        if let Some(value) = headers.get(name).and_then(|v| v.to_str().ok()) {
            let value = if name == "authorization" {
                mask(value)
            } else {
                value.to_owned()
            };
            kept.insert(name.to_owned(), Value::from(value));
        }
    }
    let body = match logged {
        Logged::None => Value::Null,
        Logged::Json(v) => v,
        Logged::Text(t) => Value::from(t),
    };
    let path = match query {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    };
    let line = json!({
        "method": method.as_str(),
        "path": path,
        "headers": kept,
        "body": body,
        "status": status.as_u16(),
    });
    if let Some(log) = &fake.log {
        let mut file = Fake::lock(log);
        let _ = writeln!(file, "{line}");
    }
    Fake::lock(&fake.requests).push(line);
}

/// `Bearer abcd…` keeps its scheme and first 4 characters.
fn mask(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, secret)) => {
            let shown: String = secret.chars().take(4).collect();
            format!("{scheme} {shown}…(masked)")
        }
        None => "(masked)".to_owned(),
    }
}

#[allow(clippy::too_many_arguments)]
async fn route(
    fake: &Fake,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: Bytes,
    request: Request,
    logged: &mut Logged,
) -> Response {
    if let Some(control) = path.strip_prefix("/_fake/") {
        return crate::flows::control(fake, method, control, headers, &body, logged);
    }
    if let Some(rest) = path.strip_prefix("/auth-service/") {
        let mut segments = rest.split('/');
        if let (Some(cust), Some("token"), None) =
            (segments.next(), segments.next(), segments.next())
            && !cust.is_empty()
        {
            if method != Method::POST {
                return not_allowed(path, &Method::POST, method);
            }
            return token(fake, headers, &body, logged);
        }
        return not_found(path);
    }
    let (service, operation) = if let Some(op) = path.strip_prefix("/flow-service") {
        ("flow", op)
    } else if let Some(op) = path.strip_prefix("/directory-service") {
        ("directory", op)
    } else {
        return not_found(path);
    };
    // The health checks list no 401 or 403 among their answers (200,
    // 500, 503 only): they are read as open, unlike every other operation.
    if operation == "/v1/healthcheck" {
        if method != Method::GET {
            return not_allowed(path, &Method::GET, method);
        }
        return StatusCode::OK.into_response();
    }
    if let Err(response) = authorize(fake, headers) {
        return *response;
    }
    if let Some(id) = headers.get("request-id") {
        let ok = id
            .to_str()
            .ok()
            .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok());
        if !ok {
            return bad_request(
                "INVALID_FIELD_VALUE",
                "the Request-Id header must be a UUID (its schema's format: uuid)",
            );
        }
    }
    match service {
        "flow" => {
            flows::route(
                fake, method, operation, query, headers, body, request, logged,
            )
            .await
        }
        _ => directory::route(fake, method, operation, query, headers, &body, logged),
    }
}

pub(crate) fn not_found(path: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "MISSING_RESOURCE",
        &format!("no {path} here"),
    )
}

/// 405, with the `Allow` header RFC 9110 asks for.
pub(crate) fn not_allowed(path: &str, expected: &Method, method: &Method) -> Response {
    let mut response = error(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        &format!("{path} takes {expected}, not {method}"),
    );
    if let Ok(value) = HeaderValue::from_str(expected.as_str()) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

fn authorize(fake: &Fake, headers: &HeaderMap) -> Result<(), Box<Response>> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(Box::new(unauthorized(
            "MISSING_TOKEN",
            "no Authorization header: send Authorization: Bearer TOKEN",
        )));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(Box::new(unauthorized(
            "INVALID_TOKEN",
            "the Authorization header must be Bearer TOKEN",
        )));
    };
    if fake.config.tokens.iter().any(|t| t == token) {
        return Ok(());
    }
    match Fake::lock(&fake.issued).get(token) {
        Some(expiry) if *expiry > Utc::now() => Ok(()),
        Some(_) => Err(Box::new(unauthorized(
            "EXPIRED_TOKEN",
            "the token has expired: get a new one from the token endpoint",
        ))),
        None => Err(Box::new(unauthorized(
            "INVALID_TOKEN",
            "the token is not known",
        ))),
    }
}

/// RFC 6749's error answer of the token endpoint.
fn oauth_error(status: StatusCode, code: &str, description: &str) -> Response {
    let mut response = (
        status,
        axum::Json(json!({"error": code, "error_description": description})),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"fake-pa\""),
        );
    }
    response
}

/// The client credentials grant (RFC 6749 §4.4, client authentication
/// §2.3.1: HTTP Basic with form-urlencoded id and secret, or both in the
/// body, never both ways at once).
fn token(fake: &Fake, headers: &HeaderMap, body: &Bytes, logged: &mut Logged) -> Response {
    let form: HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
    let mut shown: serde_json::Map<String, Value> = form
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.clone())))
        .collect();
    if shown.contains_key("client_secret") {
        shown.insert("client_secret".to_owned(), Value::from("(masked)"));
    }
    *logged = Logged::Json(Value::Object(shown));
    if !content_type_is(headers, "application/x-www-form-urlencoded") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        );
    }
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only grant_type=client_credentials is served",
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is missing",
            );
        }
    }
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, encoded)| STANDARD.decode(encoded.trim()).ok())
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            let decode = |s: &str| {
                form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
            };
            Some((decode(id)?, decode(secret)?))
        });
    let in_body = match (form.get("client_id"), form.get("client_secret")) {
        (Some(id), Some(secret)) => Some((id.clone(), secret.clone())),
        _ => None,
    };
    let (id, secret) = match (basic, in_body) {
        (Some(_), Some(_)) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "the client authenticated twice (HTTP Basic and the body): use one",
            );
        }
        (Some(pair), None) | (None, Some(pair)) => pair,
        (None, None) => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "no client credentials (HTTP Basic, or client_id and client_secret)",
            );
        }
    };
    if !fake
        .config
        .clients
        .iter()
        .any(|(i, s)| *i == id && *s == secret)
    {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client or wrong secret",
        );
    }
    let lifetime = fake.config.token_lifetime;
    let now = Utc::now();
    let expiry = now + chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::hours(1));
    let token = jwt(&id, now, expiry);
    Fake::lock(&fake.issued).insert(token.clone(), expiry);
    let mut response = axum::Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs(),
    }))
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A token shaped as the files' `bearerFormat: JWT` says (header, claims,
/// a fingerprint in place of a signature: the fake checks tokens by
/// looking them up, not by verifying them).
fn jwt(client: &str, now: DateTime<Utc>, expiry: DateTime<Utc>) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = json!({
        "sub": client,
        "iat": now.timestamp(),
        "exp": expiry.timestamp(),
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signature = URL_SAFE_NO_PAD.encode(Sha256::digest(format!("{header}.{claims}")));
    format!("{header}.{claims}.{signature}")
}

/// Every issued token expires now (`POST /_fake/tokens/expire`).
pub(crate) fn expire_tokens(fake: &Fake) -> usize {
    let past = Utc::now() - chrono::Duration::seconds(1);
    let mut issued = Fake::lock(&fake.issued);
    for expiry in issued.values_mut() {
        *expiry = past;
    }
    issued.len()
}

/// The requests received so far (`GET /_fake/requests`).
pub(crate) fn requests(fake: &Fake) -> Value {
    Value::Array(Fake::lock(&fake.requests).clone())
}
