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
//!
//! Served under `/v1` (each checked against `spec/params.json`):
//! `GET /account`; `POST /payment_links`, `GET`/`POST /payment_links/{id}`;
//! `GET`/`POST /checkout/sessions`, `GET /checkout/sessions/{id}`,
//! `POST /checkout/sessions/{id}/expire`; `GET /payment_intents/{id}`,
//! `GET /charges/{id}`, `GET /balance_transactions/{id}`;
//! `GET`/`POST /refunds`, `GET /refunds/{id}`; `GET /events`,
//! `GET /events/{id}`; `GET`/`POST /webhook_endpoints`,
//! `GET`/`POST`/`DELETE /webhook_endpoints/{id}`. Retrievals take
//! `expand[]` along id fields (`payment_intent.latest_charge.balance_transaction`).
//! Outside `/v1` (not logged, no key): the test controls under `/_fake/`
//! and the hosted page `/pay/{id}`.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::ledger::{self, ApiError, Followup, Ledger, Payment};
use crate::objects;
use crate::pages;
use crate::params::{self, Param};
use crate::spec;
use crate::webhooks::{Mode, Retry, Sender};

/// How the fake runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Append one JSON line per `/v1` request here (`--log`).
    pub log: Option<PathBuf>,
    /// The base of the URLs the fake hands out (`url` of a payment link);
    /// default `http://{listening address}`.
    pub public_base: Option<String>,
    /// How long a SEPA Direct Debit stays `processing` (`--sepa-delay`,
    /// default 2 s).
    pub sepa_delay: Duration,
    /// How webhook deliveries are retried (`--webhook-attempts`,
    /// `--webhook-backoff`).
    pub webhook_retry: Retry,
    /// How often open Checkout Sessions are checked for expiry.
    pub expiry_tick: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            log: None,
            public_base: None,
            sepa_delay: Duration::from_secs(2),
            webhook_retry: Retry::default(),
            expiry_tick: Duration::from_secs(1),
        }
    }
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
        sepa_delay: config.sepa_delay,
        sender: Arc::new(Sender::new(config.webhook_retry)),
    });
    // Sessions past `expires_at` expire by themselves, as on Stripe.
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        let weak = Arc::downgrade(&shared);
        let tick = config.expiry_tick.max(Duration::from_millis(10));
        runtime.spawn(async move {
            loop {
                tokio::time::sleep(tick).await;
                let Some(shared) = weak.upgrade() else { break };
                let expired = {
                    let mut inner = shared.inner.lock().expect("state lock");
                    let now = inner.ledger.now();
                    inner.ledger.expire_due(now)
                };
                if expired > 0 {
                    shared.flush();
                }
            }
        });
    }
    Ok(Router::new().fallback(handle).with_state(shared))
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) inner: Mutex<Inner>,
    log: Option<Mutex<File>>,
    pub(crate) base: String,
    sepa_delay: Duration,
    sender: Arc<Sender>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) ledger: Ledger,
    /// (API key, Idempotency-Key) → the first request and its answer.
    idempotency: HashMap<(String, String), Stored>,
    faults: Vec<Fault>,
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
        Inner {
            ledger: Ledger::new(),
            idempotency: HashMap::new(),
            faults: Vec::new(),
        }
    }

    /// A Stripe-looking id: prefix and 24 base-62 characters.
    fn new_id(&mut self, prefix: &str) -> String {
        self.ledger.new_id(prefix)
    }
}

impl From<ApiError> for Answer {
    fn from(e: ApiError) -> Answer {
        Answer {
            status: e.status,
            body: e.body(),
            replayed: false,
            should_retry: None,
        }
    }
}

impl Shared {
    /// Hands the queued webhook deliveries to the sender.
    pub(crate) fn flush(self: &Arc<Self>) {
        let deliveries = std::mem::take(&mut self.inner.lock().expect("state lock").ledger.outbox);
        let weak = Arc::downgrade(self);
        self.sender.send(
            deliveries,
            Arc::new(move |event_id: &str| {
                if let Some(shared) = weak.upgrade() {
                    shared
                        .inner
                        .lock()
                        .expect("state lock")
                        .ledger
                        .delivered(event_id);
                }
            }),
        );
    }

    /// A customer pays; a SEPA debit settles after the delay.
    pub(crate) fn pay(self: &Arc<Self>, payment: &Payment) -> Result<Value, ApiError> {
        let result = {
            let mut inner = self.inner.lock().expect("state lock");
            inner.ledger.pay(&self.base, payment)
        };
        self.flush();
        let (answer, followup) = result?;
        if let Followup::Sepa { session, succeeds } = followup {
            let shared = Arc::clone(self);
            tokio::spawn(async move {
                tokio::time::sleep(shared.sepa_delay).await;
                shared
                    .inner
                    .lock()
                    .expect("state lock")
                    .ledger
                    .settle_sepa(&session, succeeds);
                shared.flush();
            });
        }
        Ok(answer)
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
    if let Some(id) = path.strip_prefix("/pay/") {
        return pages::page(&shared, &method, id, &body);
    }
    let request_id = shared.inner.lock().expect("state lock").new_id("req_");
    let answer = api_request(&shared, &request_id, &method, &uri, &headers, &body);
    shared.flush();
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or(&path);
    shared.log_request(&method, path_and_query, &headers, &body, answer.status);

    let mut response = (answer.status, axum::Json(answer.body)).into_response();
    let out = response.headers_mut();
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
    request_id: &str,
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
    // Events caused by this request name it, as on Stripe.
    inner.ledger.request = Some(json!({
        "id": request_id,
        "idempotency_key": idempotency_key.as_ref().map(|(_, k)| k),
    }));
    let answer = route.run(&mut inner.ledger, &shared.base, &params);
    inner.ledger.request = None;
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
    ListSessions,
    CreateSession,
    RetrieveSession(String),
    ExpireSession(String),
    RetrievePaymentIntent(String),
    RetrieveCharge(String),
    RetrieveBalanceTransaction(String),
    ListRefunds,
    CreateRefund,
    RetrieveRefund(String),
    ListEvents,
    RetrieveEvent(String),
    ListWebhookEndpoints,
    CreateWebhookEndpoint,
    RetrieveWebhookEndpoint(String),
    UpdateWebhookEndpoint(String),
    DeleteWebhookEndpoint(String),
}

impl Route {
    fn find(method: &Method, path: &str) -> Option<Route> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        if segments.iter().skip(1).any(|s| s.is_empty()) {
            return None;
        }
        let id = |s: &&str| (*s).to_owned();
        Some(match (method.as_str(), segments.as_slice()) {
            ("GET", ["v1", "account"]) => Route::RetrieveAccount,
            ("POST", ["v1", "payment_links"]) => Route::CreatePaymentLink,
            ("GET", ["v1", "payment_links", x]) => Route::RetrievePaymentLink(id(x)),
            ("POST", ["v1", "payment_links", x]) => Route::UpdatePaymentLink(id(x)),
            ("GET", ["v1", "checkout", "sessions"]) => Route::ListSessions,
            ("POST", ["v1", "checkout", "sessions"]) => Route::CreateSession,
            ("GET", ["v1", "checkout", "sessions", x]) => Route::RetrieveSession(id(x)),
            ("POST", ["v1", "checkout", "sessions", x, "expire"]) => Route::ExpireSession(id(x)),
            ("GET", ["v1", "payment_intents", x]) => Route::RetrievePaymentIntent(id(x)),
            ("GET", ["v1", "charges", x]) => Route::RetrieveCharge(id(x)),
            ("GET", ["v1", "balance_transactions", x]) => Route::RetrieveBalanceTransaction(id(x)),
            ("GET", ["v1", "refunds"]) => Route::ListRefunds,
            ("POST", ["v1", "refunds"]) => Route::CreateRefund,
            ("GET", ["v1", "refunds", x]) => Route::RetrieveRefund(id(x)),
            ("GET", ["v1", "events"]) => Route::ListEvents,
            ("GET", ["v1", "events", x]) => Route::RetrieveEvent(id(x)),
            ("GET", ["v1", "webhook_endpoints"]) => Route::ListWebhookEndpoints,
            ("POST", ["v1", "webhook_endpoints"]) => Route::CreateWebhookEndpoint,
            ("GET", ["v1", "webhook_endpoints", x]) => Route::RetrieveWebhookEndpoint(id(x)),
            ("POST", ["v1", "webhook_endpoints", x]) => Route::UpdateWebhookEndpoint(id(x)),
            ("DELETE", ["v1", "webhook_endpoints", x]) => Route::DeleteWebhookEndpoint(id(x)),
            _ => return None,
        })
    }

    fn spec_path(&self) -> &'static str {
        match self {
            Route::RetrieveAccount => "/v1/account",
            Route::CreatePaymentLink => "/v1/payment_links",
            Route::RetrievePaymentLink(_) | Route::UpdatePaymentLink(_) => {
                "/v1/payment_links/{payment_link}"
            }
            Route::ListSessions | Route::CreateSession => "/v1/checkout/sessions",
            Route::RetrieveSession(_) => "/v1/checkout/sessions/{session}",
            Route::ExpireSession(_) => "/v1/checkout/sessions/{session}/expire",
            Route::RetrievePaymentIntent(_) => "/v1/payment_intents/{intent}",
            Route::RetrieveCharge(_) => "/v1/charges/{charge}",
            Route::RetrieveBalanceTransaction(_) => "/v1/balance_transactions/{id}",
            Route::ListRefunds | Route::CreateRefund => "/v1/refunds",
            Route::RetrieveRefund(_) => "/v1/refunds/{refund}",
            Route::ListEvents => "/v1/events",
            Route::RetrieveEvent(_) => "/v1/events/{id}",
            Route::ListWebhookEndpoints | Route::CreateWebhookEndpoint => "/v1/webhook_endpoints",
            Route::RetrieveWebhookEndpoint(_)
            | Route::UpdateWebhookEndpoint(_)
            | Route::DeleteWebhookEndpoint(_) => "/v1/webhook_endpoints/{webhook_endpoint}",
        }
    }

    fn spec_method(&self) -> &'static str {
        match self {
            Route::CreatePaymentLink
            | Route::UpdatePaymentLink(_)
            | Route::CreateSession
            | Route::ExpireSession(_)
            | Route::CreateRefund
            | Route::CreateWebhookEndpoint
            | Route::UpdateWebhookEndpoint(_) => "post",
            Route::DeleteWebhookEndpoint(_) => "delete",
            _ => "get",
        }
    }

    fn run(&self, ledger: &mut Ledger, base: &str, params: &BTreeMap<String, Param>) -> Answer {
        let expand = objects::param_strings(params.get("expand")).unwrap_or_default();
        let result = self.execute(ledger, base, params);
        match result {
            Ok(mut body) => {
                ledger::expand(ledger, &mut body, &expand);
                Answer::ok(body)
            }
            Err(e) => e.into(),
        }
    }

    fn execute(
        &self,
        ledger: &mut Ledger,
        base: &str,
        params: &BTreeMap<String, Param>,
    ) -> Result<Value, ApiError> {
        let text = |name: &str| objects::param_text(params, &[name]);
        let get = |coll: &ledger::Coll, id: &str, kind: &str, param: &str| {
            coll.get(id)
                .cloned()
                .ok_or_else(|| ApiError::missing(kind, id, param))
        };
        match self {
            Route::RetrieveAccount => Ok(objects::account()),
            Route::CreatePaymentLink => Ok(ledger.create_link(base, params)),
            Route::RetrievePaymentLink(id) => {
                get(&ledger.links, id, "payment_link", "payment_link")
            }
            Route::UpdatePaymentLink(id) => ledger.update_link(id, params),
            Route::ListSessions => ledger::list(
                ledger.sessions.all(),
                "/v1/checkout/sessions",
                params,
                |s| {
                    text("payment_link").is_none_or(|l| s["payment_link"] == l)
                        && text("payment_intent").is_none_or(|p| s["payment_intent"] == p)
                        && text("status").is_none_or(|st| s["status"] == st)
                        && s["created"]
                            .as_i64()
                            .is_some_and(|c| ledger::created_matches(params, c))
                },
            ),
            Route::CreateSession => ledger.create_session(base, params),
            Route::RetrieveSession(id) => get(&ledger.sessions, id, "checkout.session", "session"),
            Route::ExpireSession(id) => ledger.expire_session(id),
            Route::RetrievePaymentIntent(id) => {
                get(&ledger.intents, id, "payment_intent", "intent")
            }
            Route::RetrieveCharge(id) => get(&ledger.charges, id, "charge", "charge"),
            Route::RetrieveBalanceTransaction(id) => {
                get(&ledger.txns, id, "balance_transaction", "id")
            }
            Route::ListRefunds => ledger::list(ledger.refunds.all(), "/v1/refunds", params, |r| {
                text("payment_intent").is_none_or(|p| r["payment_intent"] == p)
                    && text("charge").is_none_or(|c| r["charge"] == c)
                    && r["created"]
                        .as_i64()
                        .is_some_and(|c| ledger::created_matches(params, c))
            }),
            Route::CreateRefund => ledger.refund(params),
            Route::RetrieveRefund(id) => get(&ledger.refunds, id, "refund", "refund"),
            Route::ListEvents => {
                let types = objects::param_strings(params.get("types"));
                if text("type").is_some() && types.is_some() {
                    return Err(ApiError::invalid(
                        None,
                        None,
                        "You may only specify one of these parameters: type, types.".to_owned(),
                    ));
                }
                let oldest = ledger.now() - ledger::EVENT_RETENTION_SECS;
                ledger::list(ledger.events.all(), "/v1/events", params, |e| {
                    let kind = e["type"].as_str().unwrap_or("");
                    e["created"].as_i64().is_some_and(|c| c >= oldest)
                        && text("type").is_none_or(|t| ledger::type_matches(t, kind))
                        && types
                            .as_ref()
                            .is_none_or(|ts| ts.iter().any(|t| ledger::type_matches(t, kind)))
                        && e["created"]
                            .as_i64()
                            .is_some_and(|c| ledger::created_matches(params, c))
                })
            }
            Route::RetrieveEvent(id) => {
                let oldest = ledger.now() - ledger::EVENT_RETENTION_SECS;
                get(&ledger.events, id, "event", "id").and_then(|e| {
                    if e["created"].as_i64().is_some_and(|c| c >= oldest) {
                        Ok(e)
                    } else {
                        // Gone after 30 days, as on Stripe.
                        Err(ApiError::missing("event", id, "id"))
                    }
                })
            }
            Route::ListWebhookEndpoints => ledger::list(
                ledger.endpoints.all(),
                "/v1/webhook_endpoints",
                params,
                |_| true,
            ),
            Route::CreateWebhookEndpoint => Ok(ledger.create_endpoint(params)),
            Route::RetrieveWebhookEndpoint(id) => get(
                &ledger.endpoints,
                id,
                "webhook_endpoint",
                "webhook_endpoint",
            ),
            Route::UpdateWebhookEndpoint(id) => ledger.update_endpoint(id, params),
            Route::DeleteWebhookEndpoint(id) => ledger.delete_endpoint(id),
        }
    }
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

/// The body of `POST /_fake/pay`.
#[derive(Debug, Deserialize)]
struct PayRequest {
    url: String,
    #[serde(default = "card")]
    method: String,
    card: Option<String>,
    iban: Option<String>,
    email: Option<String>,
    name: Option<String>,
    amount: Option<i64>,
}

fn card() -> String {
    "card".to_owned()
}

/// The body of `POST /_fake/clock`: moves the fake's clock forward (for
/// expiry), and expires what is then due at once.
#[derive(Debug, Deserialize)]
struct ClockRequest {
    advance_seconds: i64,
}

/// The body of `POST /_fake/refund`.
#[derive(Debug, Deserialize)]
struct RefundRequest {
    payment_intent: String,
    amount: Option<i64>,
    reason: Option<String>,
}

fn json_answer(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn bad_control(expected: &str, e: &serde_json::Error) -> Response {
    json_answer(
        StatusCode::BAD_REQUEST,
        json!({"error": {"type": "invalid_request_error", "message": format!("expected {expected}: {e}")}}),
    )
}

fn control_request(shared: &Arc<Shared>, method: &Method, control: &str, body: &Bytes) -> Response {
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
                json_answer(StatusCode::OK, answer)
            }
            Err(e) => bad_control(r#"{"path_prefix", "status", "count"}"#, &e),
        },
        ("POST", "pay") => match serde_json::from_slice::<PayRequest>(body) {
            Ok(request) => {
                let payment = Payment {
                    target: request.url,
                    method: request.method,
                    card: request.card,
                    iban: request.iban,
                    email: request.email,
                    name: request.name,
                    amount: request.amount,
                };
                match shared.pay(&payment) {
                    Ok(answer) => json_answer(StatusCode::OK, answer),
                    Err(e) => json_answer(e.status, e.body()),
                }
            }
            Err(e) => bad_control(r#"{"url", "method", "card"|"iban"}"#, &e),
        },
        ("POST", "refund") => match serde_json::from_slice::<RefundRequest>(body) {
            Ok(request) => {
                let mut form = form_urlencoded::Serializer::new(String::new());
                form.append_pair("payment_intent", &request.payment_intent);
                if let Some(amount) = request.amount {
                    form.append_pair("amount", &amount.to_string());
                }
                if let Some(reason) = &request.reason {
                    form.append_pair("reason", reason);
                }
                let params = params::parse(&form.finish()).unwrap_or_default();
                let result = shared
                    .inner
                    .lock()
                    .expect("state lock")
                    .ledger
                    .refund(&params);
                shared.flush();
                match result {
                    Ok(refund) => json_answer(StatusCode::OK, refund),
                    Err(e) => json_answer(e.status, e.body()),
                }
            }
            Err(e) => bad_control(r#"{"payment_intent", "amount"}"#, &e),
        },
        ("POST", "clock") => match serde_json::from_slice::<ClockRequest>(body) {
            Ok(request) => {
                let now = {
                    let mut inner = shared.inner.lock().expect("state lock");
                    inner.ledger.clock_offset += request.advance_seconds.max(0);
                    let now = inner.ledger.now();
                    inner.ledger.expire_due(now);
                    now
                };
                shared.flush();
                json_answer(StatusCode::OK, json!({"now": now}))
            }
            Err(e) => bad_control(r#"{"advance_seconds": N}"#, &e),
        },
        ("POST", "webhooks") => match serde_json::from_slice::<Mode>(body) {
            Ok(mode) => {
                *shared.sender.mode.lock().expect("mode lock") = mode;
                json_answer(StatusCode::OK, json!(mode))
            }
            Err(e) => bad_control(r#"{"duplicate": bool, "reorder": bool}"#, &e),
        },
        _ => json_answer(
            StatusCode::NOT_FOUND,
            json!({"error": format!("no such test control: {method} /_fake/{control}")}),
        ),
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
