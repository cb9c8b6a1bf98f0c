//! The HTTP server: auth, idempotency, routing, the request log, faults.
//!
//! One fallback handler sees every request, so that the cross-cutting rules
//! apply to all endpoints in the same order Stripe applies them:
//! injected fault → authentication → API version → route → idempotency
//! lookup → parameter validation → the endpoint → idempotency store → log.
//! As on Stripe, a request that fails validation stores no idempotent
//! result (a corrected retry with the same key may succeed), while a request
//! that executed replays its answer for the same key and body, and a
//! different body under the same key is an `idempotency_error`.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::objects;
use crate::params::{self, Param};
use crate::spec;

/// How the fake runs.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Append one JSON line per `/v1` request here (`--log`).
    pub log: Option<PathBuf>,
    /// The base of the URLs the fake hands out (`url` of a payment link);
    /// default `http://{listening address}`.
    pub public_base: Option<String>,
}

/// Serves the fake Stripe API on `listener` until the future is dropped.
pub async fn serve(listener: TcpListener, config: Config) -> std::io::Result<()> {
    let app = router(listener.local_addr()?, config)?;
    axum::serve(listener, app).await
}

/// The fake as an axum router, for a listener at `addr`.
pub fn router(addr: SocketAddr, config: Config) -> std::io::Result<Router> {
    let log = match &config.log {
        Some(path) => Some(Mutex::new(
            OpenOptions::new().create(true).append(true).open(path)?,
        )),
        None => None,
    };
    let base = config
        .public_base
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let shared = Arc::new(Shared {
        inner: Mutex::new(Inner::new()),
        log,
        base: base.trim_end_matches('/').to_owned(),
    });
    Ok(Router::new().fallback(handle).with_state(shared))
}

#[derive(Debug)]
struct Shared {
    inner: Mutex<Inner>,
    log: Option<Mutex<File>>,
    base: String,
}

#[derive(Debug)]
struct Inner {
    payment_links: BTreeMap<String, Value>,
    /// (API key, Idempotency-Key) → the first request and its answer.
    idempotency: HashMap<(String, String), Stored>,
    faults: Vec<Fault>,
    id_state: u64,
}

#[derive(Debug, Clone)]
struct Stored {
    method: Method,
    path: String,
    body: Bytes,
    status: StatusCode,
    answer: Value,
}

#[derive(Debug, Clone, Deserialize)]
struct Fault {
    path_prefix: String,
    status: u16,
    #[serde(default = "one")]
    count: u32,
    /// Sent back as `Stripe-Should-Retry` when set.
    #[serde(default)]
    should_retry: Option<bool>,
}

fn one() -> u32 {
    1
}

impl Inner {
    fn new() -> Inner {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15);
        Inner {
            payment_links: BTreeMap::new(),
            idempotency: HashMap::new(),
            faults: Vec::new(),
            id_state: seed | 1,
        }
    }

    /// A Stripe-looking id: prefix and 24 base-62 characters.
    fn new_id(&mut self, prefix: &str) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut id = String::from(prefix);
        for _ in 0..24 {
            // xorshift64: unique enough for a test server, no dependency.
            self.id_state ^= self.id_state << 13;
            self.id_state ^= self.id_state >> 7;
            self.id_state ^= self.id_state << 17;
            id.push(ALPHABET[(self.id_state % 62) as usize] as char);
        }
        id
    }
}

/// An answer: status and JSON body.
struct Answer {
    status: StatusCode,
    body: Value,
    replayed: bool,
    should_retry: Option<bool>,
}

impl Answer {
    fn ok(body: Value) -> Answer {
        Answer {
            status: StatusCode::OK,
            body,
            replayed: false,
            should_retry: None,
        }
    }

    fn error(
        status: StatusCode,
        kind: &str,
        code: Option<&str>,
        param: Option<&str>,
        message: String,
    ) -> Answer {
        let mut error = json!({"type": kind, "message": message});
        if let Some(code) = code {
            error["code"] = json!(code);
            error["doc_url"] = json!(format!(
                "https://stripe.com/docs/error-codes/{}",
                code.replace('_', "-")
            ));
        }
        if let Some(param) = param {
            error["param"] = json!(param);
        }
        Answer {
            status,
            body: json!({ "error": error }),
            replayed: false,
            should_retry: None,
        }
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    if let Some(control) = path.strip_prefix("/_fake/") {
        return control_request(&shared, &method, control, &body);
    }
    let answer = api_request(&shared, &method, &uri, &headers, &body);
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or(&path);
    shared.log_request(&method, path_and_query, &headers, &body, answer.status);

    let mut response = (answer.status, axum::Json(answer.body)).into_response();
    let out = response.headers_mut();
    let request_id = shared.inner.lock().expect("state lock").new_id("req_");
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        out.insert("request-id", value);
    }
    out.insert("stripe-version", HeaderValue::from_static(spec_version()));
    if answer.replayed {
        out.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    if let Some(retry) = answer.should_retry {
        out.insert(
            "stripe-should-retry",
            HeaderValue::from_static(if retry { "true" } else { "false" }),
        );
    }
    response
}

fn spec_version() -> &'static str {
    "2026-10-28.endive"
}

fn api_request(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Answer {
    let path = uri.path();
    if let Some(answer) = shared.take_fault(path) {
        return answer;
    }
    let key = match authenticate(headers) {
        Ok(key) => key,
        Err(answer) => return answer,
    };
    if let Some(version) = headers.get("stripe-version") {
        let version = version.to_str().unwrap_or("");
        if version != spec_version() {
            return Answer::error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                None,
                None,
                format!(
                    "Invalid Stripe API version: {version}. fake-stripe speaks only {}.",
                    spec_version()
                ),
            );
        }
    }
    let Some(route) = Route::find(method, path) else {
        return Answer::error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            None,
            None,
            format!(
                "Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."
            ),
        );
    };
    let raw = if *method == Method::GET {
        uri.query().unwrap_or("").to_owned()
    } else {
        String::from_utf8_lossy(body).into_owned()
    };
    let params = match params::parse(&raw) {
        Ok(params) => params,
        Err(e) => {
            return Answer::error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                Some("parameter_invalid"),
                Some(&e.key),
                e.to_string(),
            );
        }
    };

    let idempotency_key = (*method == Method::POST)
        .then(|| headers.get("idempotency-key"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .map(|v| (key.clone(), v.to_owned()));
    let mut inner = shared.inner.lock().expect("state lock");
    if let Some(id_key) = &idempotency_key
        && let Some(stored) = inner.idempotency.get(id_key)
    {
        if stored.method == method && stored.path == path && stored.body == body {
            return Answer {
                status: stored.status,
                body: stored.answer.clone(),
                replayed: true,
                should_retry: None,
            };
        }
        return Answer::error(
            StatusCode::BAD_REQUEST,
            "idempotency_error",
            None,
            None,
            format!(
                "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{}' if you meant to execute a different request.",
                id_key.1
            ),
        );
    }
    if let Err(invalid) = spec::validate(route.spec_path(), route.spec_method(), &params) {
        return Answer::error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Some(invalid.code),
            Some(&invalid.param),
            invalid.message,
        );
    }
    let answer = route.run(&mut inner, &shared.base, &params);
    if let Some(id_key) = idempotency_key {
        inner.idempotency.insert(
            id_key,
            Stored {
                method: method.clone(),
                path: path.to_owned(),
                body: body.clone(),
                status: answer.status,
                answer: answer.body.clone(),
            },
        );
    }
    answer
}

/// `Bearer sk_test_…` or `Bearer rk_test_…`; anything else is a 401 with
/// Stripe's wording (the key is masked in the message, as Stripe does).
fn authenticate(headers: &HeaderMap) -> Result<String, Answer> {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Err(Answer::error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            None,
            None,
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.".to_owned(),
        ));
    };
    let key = value.strip_prefix("Bearer ").unwrap_or("").trim();
    let well_formed = (key.starts_with("sk_test_") || key.starts_with("rk_test_"))
        && key.len() > 8
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !well_formed {
        return Err(Answer::error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            None,
            None,
            format!("Invalid API Key provided: {}", mask_for_message(key)),
        ));
    }
    Ok(key.to_owned())
}

/// Stripe's style: the prefix, stars, the last four characters.
fn mask_for_message(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 12 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..8].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 12))
}

/// The log's form of an `Authorization` header: the scheme and the key's
/// prefix only.
fn mask_authorization(value: &str) -> String {
    let (scheme, key) = value.split_once(' ').unwrap_or(("", value));
    let prefix: String = [
        "sk_test_", "rk_test_", "sk_live_", "rk_live_", "pk_test_", "pk_live_",
    ]
    .iter()
    .find(|p| key.starts_with(*p))
    .map(|p| (*p).to_owned())
    .unwrap_or_default();
    if scheme.is_empty() {
        format!("{prefix}…(masked)")
    } else {
        format!("{scheme} {prefix}…(masked)")
    }
}

/// The endpoints the fake serves.
enum Route {
    RetrieveAccount,
    CreatePaymentLink,
    RetrievePaymentLink(String),
    UpdatePaymentLink(String),
}

impl Route {
    fn find(method: &Method, path: &str) -> Option<Route> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (method.as_str(), segments.as_slice()) {
            ("GET", ["v1", "account"]) => Some(Route::RetrieveAccount),
            ("POST", ["v1", "payment_links"]) => Some(Route::CreatePaymentLink),
            ("GET", ["v1", "payment_links", id]) if !id.is_empty() => {
                Some(Route::RetrievePaymentLink((*id).to_owned()))
            }
            ("POST", ["v1", "payment_links", id]) if !id.is_empty() => {
                Some(Route::UpdatePaymentLink((*id).to_owned()))
            }
            _ => None,
        }
    }

    fn spec_path(&self) -> &'static str {
        match self {
            Route::RetrieveAccount => "/v1/account",
            Route::CreatePaymentLink => "/v1/payment_links",
            Route::RetrievePaymentLink(_) | Route::UpdatePaymentLink(_) => {
                "/v1/payment_links/{payment_link}"
            }
        }
    }

    fn spec_method(&self) -> &'static str {
        match self {
            Route::RetrieveAccount | Route::RetrievePaymentLink(_) => "get",
            Route::CreatePaymentLink | Route::UpdatePaymentLink(_) => "post",
        }
    }

    fn run(&self, inner: &mut Inner, base: &str, params: &BTreeMap<String, Param>) -> Answer {
        match self {
            Route::RetrieveAccount => Answer::ok(objects::account()),
            Route::CreatePaymentLink => {
                let id = inner.new_id("plink_");
                let link = objects::payment_link(&id, &format!("{base}/pay/{id}"), params);
                inner.payment_links.insert(id, link.clone());
                Answer::ok(link)
            }
            Route::RetrievePaymentLink(id) => match inner.payment_links.get(id) {
                Some(link) => Answer::ok(link.clone()),
                None => no_such_link(id),
            },
            Route::UpdatePaymentLink(id) => match inner.payment_links.get_mut(id) {
                Some(link) => {
                    objects::update_payment_link(link, params);
                    Answer::ok(link.clone())
                }
                None => no_such_link(id),
            },
        }
    }
}

fn no_such_link(id: &str) -> Answer {
    Answer::error(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        Some("resource_missing"),
        Some("payment_link"),
        format!("No such payment_link: '{id}'"),
    )
}

impl Shared {
    fn take_fault(&self, path: &str) -> Option<Answer> {
        let mut inner = self.inner.lock().expect("state lock");
        let fault = inner
            .faults
            .iter_mut()
            .find(|f| f.count > 0 && path.starts_with(&f.path_prefix))?;
        fault.count -= 1;
        let should_retry = fault.should_retry;
        let status =
            StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        inner.faults.retain(|f| f.count > 0);
        let mut answer = if status == StatusCode::TOO_MANY_REQUESTS {
            Answer::error(
                status,
                "invalid_request_error",
                Some("rate_limit"),
                None,
                "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.".to_owned(),
            )
        } else {
            Answer::error(
                status,
                "api_error",
                None,
                None,
                "An unknown error occurred (injected by fake-stripe).".to_owned(),
            )
        };
        answer.should_retry = should_retry;
        Some(answer)
    }

    fn log_request(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        body: &Bytes,
        status: StatusCode,
    ) {
        let Some(log) = &self.log else { return };
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let line = json!({
            "method": method.as_str(),
            "path": path,
            "headers": {
                "stripe-version": header("stripe-version"),
                "idempotency-key": header("idempotency-key"),
                "authorization": header("authorization").map(mask_authorization),
                "content-type": header("content-type"),
            },
            "body": String::from_utf8_lossy(body),
            "status": status.as_u16(),
        });
        let mut file = log.lock().expect("log lock");
        if let Err(e) = writeln!(file, "{line}") {
            tracing::error!(error = %e, "cannot write the request log");
        }
    }
}

fn control_request(shared: &Shared, method: &Method, control: &str, body: &Bytes) -> Response {
    match (method.as_str(), control) {
        ("POST", "fail") => match serde_json::from_slice::<Fault>(body) {
            Ok(fault) => {
                let answer = json!({
                    "path_prefix": fault.path_prefix,
                    "status": fault.status,
                    "count": fault.count,
                    "should_retry": fault.should_retry,
                });
                shared.inner.lock().expect("state lock").faults.push(fault);
                (StatusCode::OK, axum::Json(answer)).into_response()
            }
            Err(e) => (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": format!("expected {{\"path_prefix\", \"status\", \"count\"}}: {e}")})),
            )
                .into_response(),
        },
        _ => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": format!("no such test control: {method} /_fake/{control}")})),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(
            mask_authorization("Bearer sk_test_abcdef"),
            "Bearer sk_test_…(masked)"
        );
        assert_eq!(mask_authorization("Bearer whatever"), "Bearer …(masked)");
        assert_eq!(mask_for_message("sk_live_1234567890"), "sk_live_******7890");
        assert_eq!(mask_for_message("short"), "*****");
    }

    #[test]
    fn ids_look_like_stripe_ids() {
        let mut inner = Inner::new();
        let a = inner.new_id("plink_");
        let b = inner.new_id("plink_");
        assert_ne!(a, b);
        assert_eq!(a.len(), 6 + 24);
        assert!(a[6..].bytes().all(|c| c.is_ascii_alphanumeric()));
    }
}
