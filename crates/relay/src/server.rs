//! The HTTP API (INTERFACES.md, "Relay HTTP API") on axum.
//!
//! Order of checks on a webhook, and why: body size (413, before buffering
//! more than the limit), inbox (404), signature on the raw bytes (400; no
//! JSON is parsed before the request is authenticated), JSON (400), then
//! storage; the 200 is sent only after the writer reports the COMMIT done,
//! so Stripe retries anything that is not durable (503 on storage failure).
//!
//! Long-polls subscribe to their inbox's watch channel *before* reading, so
//! an event committed between the read and the wait still wakes them; they
//! also end at once on shutdown so graceful shutdown is not held up for up
//! to a minute.
//!
//! Payment links (`PUT …/links/{token}`, `GET /p/{token}`): the state is
//! validated on `PUT` (see [`crate::links`]) so the public side only ever
//! serves what passed. Link tokens are capabilities printed on invoices, so
//! request spans log `/p/…` and `…/links/…` with the token masked.
//!
//! Invoice pages (`PUT/DELETE …/documents/{token}`, `GET /v/{token}`,
//! `GET /v/{token}/bundle`): the bundle is ciphertext, read with its own
//! limit (`document_limit`, 2 MiB by default; 413 above) and stored as is;
//! tokens are masked in logs the same way (`/v/…`, `…/documents/…`).
//!
//! Replies (`POST /v/{token}/reply`, public, rate-limited like the pages;
//! `GET …/documents/{token}/replies` for the app): the page seals the
//! client's answer to a quote with the page's key, so the relay checks the
//! shape only (size, version byte, IV, tag) and keeps at most
//! [`MAX_REPLIES`] per page: anyone holding the URL can post, and that
//! bounds what they can make the relay store.
//! `GET /p/{token}/done` is the payment links' after-payment redirect: see
//! [`crate::links::payment_seen`] for what it reads and why.
//!
//! On the open internet: every route but the events long-poll has a
//! whole-request deadline (`request_timeout`; the long-poll gets its wait
//! plus that margin), the public pages are rate-limited per client address
//! ([`crate::limits`]), what an inbox may publish is bounded by
//! [`Quotas`], and `/metrics` is only on [`metrics_router`], served on a
//! listener of its own (loopback by default).

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use tokio::sync::watch;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use acquit_relay_protocol::{
    ErrorBody, Event, EventsPage, EventsQuery, LinkState, LinkStatus, MAX_REPLIES, MAX_REPLY_BYTES,
    Reply, ReplyList, WebhookAck, WebhookSecretBody, error_code,
};

use crate::documents;

pub mod openapi;
use crate::limits::{self, RateLimiter};
use crate::links;
use crate::metrics::Metrics;
use crate::signature;
use crate::store::{
    Appended, Document, DocumentPut, DocumentStatus, Inbox, LinkPut, NewEvent, Quotas, ReplyAdd,
    SecretSet, Store, StoreError,
};

/// Default `header_read_timeout`: a client has this long to send a
/// request's headers (slow-header attacks), idle keep-alive included.
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 20;
/// Default `request_timeout` of every route but the events long-poll.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;
/// Default cap on open connections per listener.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// Tunables of the server (from flags and env in `main`).
#[derive(Debug, Clone)]
pub struct Config {
    /// Signature timestamp tolerance, seconds.
    pub tolerance_secs: i64,
    /// Largest accepted webhook body, bytes.
    pub body_limit: usize,
    /// How long a replaced webhook secret stays valid, seconds.
    pub secret_grace_secs: i64,
    /// Longest long-poll, seconds.
    pub max_wait_secs: u64,
    /// Largest accepted encrypted invoice bundle, bytes.
    pub document_limit: usize,
    /// Time a client has to send a request's headers (and longest idle
    /// keep-alive) before the connection is closed.
    pub header_read_timeout: Duration,
    /// Deadline of a whole request (body included) on every route but the
    /// events long-poll, which gets `max_wait_secs` plus this.
    pub request_timeout: Duration,
    /// Open connections per listener; further ones wait in the backlog.
    pub max_connections: usize,
    /// Per-address rate of the public pages (`/p/…`, `/v/…`).
    pub page_rate: limits::Rate,
    /// Key the public pages' rate limit on the last hop of
    /// `X-Forwarded-For` (behind a reverse proxy) instead of the peer.
    pub trust_forwarded_for: bool,
    /// What one inbox may publish.
    pub quotas: Quotas,
    /// Hosts a `pay_url` may point to besides Stripe's.
    pub allow_pay_hosts: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            tolerance_secs: signature::DEFAULT_TOLERANCE_SECS,
            body_limit: 256 * 1024,
            secret_grace_secs: 24 * 3600,
            max_wait_secs: 60,
            document_limit: acquit_relay_protocol::DEFAULT_DOCUMENT_LIMIT,
            header_read_timeout: Duration::from_secs(DEFAULT_HEADER_TIMEOUT_SECS),
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            page_rate: limits::Rate::default(),
            trust_forwarded_for: false,
            quotas: Quotas::default(),
            allow_pay_hosts: Vec::new(),
        }
    }
}

/// Shared state of the handlers: one `Arc`, as axum clones the state for
/// each request, several times (one atomic increment each, where five
/// fields each had theirs; issue 26).
#[derive(Debug)]
pub struct AppState<S>(Arc<Shared<S>>);

/// What [`AppState`] shares.
#[derive(Debug)]
pub struct Shared<S> {
    store: Arc<S>,
    metrics: Metrics,
    config: Config,
    limiter: RateLimiter,
    shutdown: watch::Receiver<bool>,
}

impl<S> Clone for AppState<S> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<S> std::ops::Deref for AppState<S> {
    type Target = Shared<S>;
    fn deref(&self) -> &Shared<S> {
        &self.0
    }
}

impl<S: Store> AppState<S> {
    /// State over `store`; long-polls end when `shutdown` becomes true.
    pub fn new(store: Arc<S>, config: Config, shutdown: watch::Receiver<bool>) -> Self {
        Self(Arc::new(Shared {
            store,
            metrics: Metrics::default(),
            limiter: RateLimiter::new(config.page_rate),
            config,
            shutdown,
        }))
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }
}

/// The relay's public routes with tracing (a span per request carrying its
/// `x-request-id`), the body limit, the request deadlines and the public
/// pages' rate limit. No `/metrics`: see [`metrics_router`].
pub fn router<S: Store>(state: AppState<S>) -> Router {
    let limit = state.config.body_limit;
    let deadline = state.config.request_timeout;
    let long_poll = Router::new()
        .route("/v1/inboxes/{inbox}/events", get(events::<S>))
        .layer(from_fn_with_state(
            deadline + Duration::from_secs(state.config.max_wait_secs),
            request_deadline,
        ));
    let pages = Router::new()
        .route("/p/{link_token}", get(show_link::<S>))
        .route("/p/{link_token}/done", get(link_done::<S>))
        .route("/v/{doc_token}", get(show_document::<S>))
        .route("/v/{doc_token}/bundle", get(document_bundle::<S>))
        .route("/v/{doc_token}/reply", post(post_reply::<S>))
        .route_layer(from_fn_with_state(state.clone(), rate_limit::<S>));
    let rest = Router::new()
        .route("/v1/inboxes/{inbox}/stripe", post(webhook::<S>))
        .route(
            "/v1/inboxes/{inbox}/webhook-secret",
            put(set_webhook_secret::<S>),
        )
        .route("/v1/inboxes/{inbox}/links/{link_token}", put(put_link::<S>))
        .route(
            "/v1/inboxes/{inbox}/documents/{doc_token}",
            put(put_document::<S>).delete(revoke_document::<S>),
        )
        .route(
            "/v1/inboxes/{inbox}/documents/{doc_token}/replies",
            get(list_replies::<S>),
        )
        .merge(pages)
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi_json))
        .layer(from_fn_with_state(deadline, request_deadline));
    traced(
        rest.merge(long_poll)
            .fallback(no_route)
            .with_state(state)
            .layer(DefaultBodyLimit::max(limit)),
    )
}

/// `/metrics` (and `/healthz`), for the metrics listener only: the counts
/// say how busy the relay is and are nobody else's business.
pub fn metrics_router<S: Store>(state: AppState<S>) -> Router {
    let deadline = state.config.request_timeout;
    traced(
        Router::new()
            .route("/metrics", get(metrics::<S>))
            .route("/healthz", get(healthz))
            .with_state(state)
            .layer(from_fn_with_state(deadline, request_deadline)),
    )
}

/// Any other path: the API's JSON error, not an empty 404.
async fn no_route() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "no_route",
        "no such route; the API is described at /openapi.json",
    )
}

/// The API's OpenAPI document ([`openapi`]).
async fn openapi_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        openapi::json(),
    )
        .into_response()
}

/// Liveness.
#[utoipa::path(
    get, path = "/healthz", tag = "public",
    responses((status = 200, description = "`ok`", content_type = "text/plain", body = String)),
)]
async fn healthz() -> &'static str {
    "ok\n"
}

/// Answers 408 (and closes the connection) when a request, body included,
/// takes longer than `limit`: a slow body must not hold a slot for ever.
async fn request_deadline(
    State(limit): State<Duration>,
    req: Request<Body>,
    next: Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            let mut res = error(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                format!("the request took longer than {} s", limit.as_secs()),
            );
            res.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
            res
        }
    }
}

/// The public pages' per-address token bucket: 429 with `Retry-After`.
async fn rate_limit<S: Store>(
    State(st): State<AppState<S>>,
    req: Request<Body>,
    next: Next,
) -> Response {
    // Served without connect info (in-process tests): nothing to key on.
    let Some(ip) = limits::client_ip(&req, st.config.trust_forwarded_for) else {
        return next.run(req).await;
    };
    match st.limiter.check(ip, std::time::Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            st.metrics.rate_limited();
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let mut res = error(
                StatusCode::TOO_MANY_REQUESTS,
                error_code::RATE_LIMITED,
                format!("too many requests from your address; retry in {secs} s"),
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs.max(1)));
            link_headers(res.headers_mut());
            res
        }
    }
}

/// Tracing (a span per request with its `x-request-id`) around `router`.
///
/// The span and the line per response are at DEBUG (`RUST_LOG=debug`): at
/// the default INFO they cost nothing, where formatting and writing a line
/// per webhook took a large share of the relay's time under load (issue
/// 26). What an operator needs at INFO is logged anyway: refusals with
/// their reason, failures (5xx at ERROR, by the layer), start and stop.
fn traced(router: Router) -> Router {
    router
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                // Method, path and request id only: never headers, query
                // strings or bodies (tokens, signatures, payloads).
                .make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    let path = log_path(req.uri().path());
                    tracing::debug_span!("request", id, method = %req.method(), path = %path)
                })
                .on_response(DefaultOnResponse::new().level(Level::DEBUG)),
        )
        .layer(SetRequestIdLayer::x_request_id(RequestIds::new()))
}

/// Request ids `<8 hex digits>-<n>`: random per process, then counted. A
/// UUIDv4 per request asked the OS for randomness each time; these are as
/// unique within a process's logs, and a proxy's own `x-request-id` is
/// kept as it comes.
#[derive(Debug, Clone)]
struct RequestIds {
    prefix: Arc<str>,
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl RequestIds {
    fn new() -> Self {
        let mut seed = [0u8; 4];
        // Without randomness the ids are still distinct within the process.
        let _ = getrandom::fill(&mut seed);
        Self {
            prefix: format!("{:08x}", u32::from_le_bytes(seed)).into(),
            next: Arc::new(std::sync::atomic::AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = format!("{}-{n}", self.prefix);
        header::HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// The path as logged: link and document tokens (after `/p/`, `/v/`,
/// `/links/` or `/documents/`) masked.
fn log_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in ["/p/", "/v/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            return format!("{prefix}…{tail}").into();
        }
    }
    for segment in ["/links/", "/documents/"] {
        if let Some(i) = path.find(segment) {
            let head = &path[..i + segment.len()];
            let rest = &path[head.len()..];
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            return format!("{head}…{tail}").into();
        }
    }
    path.into()
}

fn error(status: StatusCode, reason: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(ErrorBody {
            error: reason.to_owned(),
            message: message.into(),
        }),
    )
        .into_response()
}

fn unavailable(e: &StoreError) -> Response {
    tracing::error!(error = %e, "storage failed");
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "storage_unavailable",
        "storage is unavailable; retry later",
    )
}

fn unknown_inbox() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "unknown_inbox",
        "no such inbox; check the URL",
    )
}

/// Beyond the limit, up to this much more is read and discarded before
/// answering 413, so the client has finished sending and reads the answer
/// (closing on an unread body makes the kernel reset the connection and the
/// client sees an I/O error instead of the 413).
const DRAIN_MAX: usize = 4 * 1024 * 1024;

enum BodyError {
    TooLarge,
    Read,
}

/// Reads at most `limit` bytes of `body`.
async fn read_limited(
    headers: &HeaderMap,
    mut body: Body,
    limit: usize,
) -> Result<Bytes, BodyError> {
    use http_body_util::BodyExt as _;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit + DRAIN_MAX) {
        return Err(BodyError::TooLarge);
    }
    let mut buf = Vec::with_capacity(declared.unwrap_or(0).min(limit));
    let mut over = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map_err(|_| BodyError::Read)?.into_data() else {
            continue;
        };
        if over > 0 || buf.len() + data.len() > limit {
            over += data.len();
            if over > DRAIN_MAX {
                break;
            }
        } else {
            buf.extend_from_slice(&data);
        }
    }
    if over > 0 {
        Err(BodyError::TooLarge)
    } else {
        Ok(buf.into())
    }
}

/// Only the fields the relay needs; the rest is kept verbatim.
#[derive(Deserialize)]
struct EventHead {
    id: String,
    #[serde(rename = "type")]
    event_type: String,
}

/// Stripe's webhook: the event is stored, then acknowledged.
#[utoipa::path(
    post, path = "/v1/inboxes/{inbox}/stripe", tag = "stripe",
    params(("inbox" = String, Path, description = "The inbox id, `ibx_…`"), ("Stripe-Signature" = String, Header, description = "Stripe's signature of the raw body (`t=…,v1=…`)")),
    request_body(content = String, content_type = "application/json", description = "A Stripe event, as Stripe sends it"),
    responses(
        (status = 200, description = "Stored (or already stored: `duplicate`)", body = WebhookAck),
        (status = 400, description = "Bad or missing signature, or not a Stripe event", body = ErrorBody),
        (status = 404, description = "No such inbox", body = ErrorBody),
        (status = 408, description = "The request took too long", body = ErrorBody),
        (status = 413, description = "Body over the relay's limit", body = ErrorBody),
        (status = 503, description = "Storage unavailable: Stripe retries", body = ErrorBody),
    ),
)]
async fn webhook<S: Store>(
    State(st): State<AppState<S>>,
    Path(inbox_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    st.metrics.received();
    let reject = |status: StatusCode, reason: &str, message: String| {
        st.metrics.rejected(reason);
        tracing::info!(reason, "webhook rejected");
        error(status, reason, message)
    };
    let body = match read_limited(&headers, body, st.config.body_limit).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            let msg = format!("body larger than {} bytes", st.config.body_limit);
            return reject(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", msg);
        }
        Err(BodyError::Read) => {
            return error(
                StatusCode::BAD_REQUEST,
                "body_read",
                "could not read the body",
            );
        }
    };
    let inbox = match st.store.webhook_inbox(&inbox_id).await {
        Ok(Some(i)) => i,
        Ok(None) => {
            st.metrics.rejected("unknown_inbox");
            return unknown_inbox();
        }
        Err(e) => {
            st.metrics.rejected("storage_unavailable");
            return unavailable(&e);
        }
    };
    let now = crate::now_unix();
    let sig = headers.get("stripe-signature").map(|v| v.as_bytes());
    if let Err(e) = signature::verify(
        sig,
        &body,
        &inbox.secrets(now),
        now,
        st.config.tolerance_secs,
    ) {
        return reject(StatusCode::BAD_REQUEST, e.reason(), e.to_string());
    }
    // Authenticated: now, and only now, parse.
    // An object, as every Stripe event is (serde's derive alone would also
    // read an array of the two fields).
    let head = match serde_json::from_slice::<links::JsonObject<EventHead>>(&body) {
        Ok(links::JsonObject(h)) if !h.id.is_empty() => h,
        Ok(_) => {
            return reject(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                "event id is empty".into(),
            );
        }
        Err(e) => {
            return reject(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("not a Stripe event: {e}"),
            );
        }
    };
    // Vec::from(Bytes) takes the buffer read_limited filled, without a copy.
    let Ok(payload) = String::from_utf8(Vec::from(body)) else {
        return reject(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "body is not UTF-8".into(),
        );
    };
    let event = NewEvent {
        checkout: links::checkout_ref(&head.event_type, payload.as_bytes()),
        inbox: inbox.id,
        id: head.id,
        event_type: head.event_type,
        received_at: crate::now_rfc3339(),
        payload,
    };
    match st.store.append(event).await {
        Ok(Appended::Stored(_)) => {
            st.metrics.stored();
            Json(WebhookAck { duplicate: false }).into_response()
        }
        Ok(Appended::Duplicate) => {
            st.metrics.duplicate();
            Json(WebhookAck { duplicate: true }).into_response()
        }
        Err(e) => {
            st.metrics.rejected("storage_unavailable");
            unavailable(&e)
        }
    }
}

/// Who a request's bearer token says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bearer {
    /// The pull token: everything but replacing the webhook secret.
    Pull,
    /// The admin credential: replacing the webhook secret, nothing else.
    Admin,
}

/// Looks the inbox up and checks the bearer token against the pull token
/// and, when `admin_ok`, the admin credential: 404, 401 or the inbox.
async fn authenticate_as<S: Store>(
    st: &AppState<S>,
    inbox_id: &str,
    headers: &HeaderMap,
    admin_ok: bool,
) -> Result<(Inbox, Bearer), Response> {
    let inbox = match st.store.inbox(inbox_id).await {
        Ok(Some(i)) => i,
        Ok(None) => return Err(unknown_inbox()),
        Err(e) => return Err(unavailable(&e)),
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            // The scheme is case-insensitive (RFC 9110).
            let (scheme, token) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then_some(token.trim())
        });
    match token {
        Some(t) if inbox.token_matches(t) => Ok((inbox, Bearer::Pull)),
        Some(t) if admin_ok && inbox.admin_matches(t) => Ok((inbox, Bearer::Admin)),
        _ => Err(error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or wrong bearer token for this inbox",
        )),
    }
}

/// [`authenticate_as`] with the pull token only (the admin credential is
/// refused like any wrong token).
async fn authenticate<S: Store>(
    st: &AppState<S>,
    inbox_id: &str,
    headers: &HeaderMap,
) -> Result<Inbox, Response> {
    authenticate_as(st, inbox_id, headers, false)
        .await
        .map(|(inbox, _)| inbox)
}

/// The app's pull of its inbox's events, with an optional long-poll.
#[utoipa::path(
    get, path = "/v1/inboxes/{inbox}/events", tag = "app",
    params(("inbox" = String, Path, description = "The inbox id, `ibx_…`"), EventsQuery),
    security(("pull_token" = [])),
    responses(
        (status = 200, description = "The events after `after`, oldest first", body = EventsPage),
        (status = 400, description = "A query parameter is not one the relay returned or accepts", body = ErrorBody),
        (status = 401, description = "Missing or wrong pull token", body = ErrorBody),
        (status = 404, description = "No such inbox", body = ErrorBody),
        (status = 408, description = "The request took too long", body = ErrorBody),
        (status = 500, description = "A stored event is unreadable", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ),
)]
async fn events<S: Store>(
    State(st): State<AppState<S>>,
    Path(inbox_id): Path<String>,
    headers: HeaderMap,
    query: Result<Query<EventsQuery>, QueryRejection>,
) -> Response {
    let inbox = match authenticate(&st, &inbox_id, &headers).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    // axum's own rejection is plain text; the API answers JSON.
    let Ok(Query(q)) = query else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_query",
            "the query takes `after` (a cursor this relay returned), `limit` and `wait` \
             (whole numbers of events and seconds)",
        );
    };
    let after = match q.after.as_deref() {
        None | Some("") => 0,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n >= 0 => n,
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "bad_cursor",
                    "`after` must be a cursor this relay returned",
                );
            }
        },
    };
    if after > 0 {
        // Asking for what follows `after` confirms the client has it. Not
        // awaited: it only feeds a metric and must not slow the pull.
        let (store, id) = (st.store.clone(), inbox.id.clone());
        tokio::spawn(async move {
            if let Err(e) = store.mark_pulled(&id, after).await {
                tracing::warn!(error = %e, "could not record the pull mark");
            }
        });
    }
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let wait = Duration::from_secs(u64::from(q.wait.unwrap_or(0)).min(st.config.max_wait_secs));
    let deadline = tokio::time::Instant::now() + wait;
    // Subscribe before reading, so a commit in between still wakes us.
    let mut changes = st.store.subscribe(&inbox.id);
    let mut shutdown = st.shutdown.clone();
    let rows = loop {
        let rows = match st.store.events_after(&inbox.id, after, limit).await {
            Ok(r) => r,
            Err(e) => return unavailable(&e),
        };
        if !rows.is_empty() || wait.is_zero() || *shutdown.borrow() {
            break rows;
        }
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { break rows },
            () = tokio::time::sleep_until(deadline) => break rows,
            _ = shutdown.wait_for(|stop| *stop) => break rows,
        }
    };
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let payload = match serde_json::from_str(&r.payload) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(cursor = r.cursor, error = %e, "stored payload is not JSON");
                return error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "corrupt_event",
                    "a stored event is unreadable",
                );
            }
        };
        out.push(Event {
            cursor: r.cursor.to_string(),
            id: r.id,
            event_type: r.event_type,
            received_at: r.received_at,
            payload,
        });
    }
    st.metrics.pulled(out.len() as u64);
    let next_cursor = out
        .last()
        .map_or_else(|| after.to_string(), |e| e.cursor.clone());
    Json(EventsPage {
        events: out,
        next_cursor,
    })
    .into_response()
}

/// Sets (pull token, first time) or replaces (admin credential) the
/// inbox's Stripe webhook secret.
#[utoipa::path(
    put, path = "/v1/inboxes/{inbox}/webhook-secret", tag = "app",
    params(("inbox" = String, Path, description = "The inbox id, `ibx_…`")),
    request_body(content = WebhookSecretBody, content_type = "application/json"),
    security(("pull_token" = []), ("admin_token" = [])),
    responses(
        (status = 204, description = "Set"),
        (status = 400, description = "Not a JSON object with a `secret` starting with `whsec_`", body = ErrorBody),
        (status = 401, description = "Missing or wrong token", body = ErrorBody),
        (status = 403, description = "A secret is set: replacing it needs the admin credential", body = ErrorBody),
        (status = 404, description = "No such inbox", body = ErrorBody),
        (status = 408, description = "The request took too long", body = ErrorBody),
        (status = 413, description = "Body over the relay's limit", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ),
)]
async fn set_webhook_secret<S: Store>(
    State(st): State<AppState<S>>,
    Path(inbox_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (inbox, bearer) = match authenticate_as(&st, &inbox_id, &headers, true).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let body: WebhookSecretBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                r#"expected {"secret":"whsec_…"}"#,
            );
        }
    };
    if !body.secret.starts_with("whsec_") || body.secret.len() < 10 {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_secret",
            "a Stripe webhook secret starts with whsec_; copy it from the endpoint's page",
        );
    }
    let until = crate::now_unix() + st.config.secret_grace_secs;
    // The pull token may set the first secret (or send the same one
    // again); replacing it takes the admin credential, so a leaked pull
    // token cannot swap in a secret of its own and forge webhooks.
    let replace = bearer == Bearer::Admin;
    match st
        .store
        .set_webhook_secret(&inbox.id, body.secret, until, replace)
        .await
    {
        Ok(SecretSet::Set) => StatusCode::NO_CONTENT.into_response(),
        Ok(SecretSet::UnknownInbox) => unknown_inbox(),
        Ok(SecretSet::AdminRequired) => error(
            StatusCode::FORBIDDEN,
            error_code::ADMIN_REQUIRED,
            "this inbox already has a webhook secret; replacing it needs the inbox admin \
             credential (Authorization: Bearer ADMIN_TOKEN), printed by `acquit-relay inbox create` \
             or issued by `acquit-relay inbox admin-token`",
        ),
        Err(e) => unavailable(&e),
    }
}

/// Publishes a payment link's state.
#[utoipa::path(
    put, path = "/v1/inboxes/{inbox}/links/{link_token}", tag = "app",
    params(("inbox" = String, Path, description = "The inbox id, `ibx_…`"), ("link_token" = String, Path, description = "The link token printed on the invoice", pattern = r"^[A-Za-z0-9_-]{16,64}$")),
    request_body(content = LinkState, content_type = "application/json"),
    security(("pull_token" = [])),
    responses(
        (status = 204, description = "Published"),
        (status = 400, description = "A malformed token or state (the `error` says which field)", body = ErrorBody),
        (status = 401, description = "Missing or wrong pull token", body = ErrorBody),
        (status = 404, description = "No such inbox", body = ErrorBody),
        (status = 408, description = "The request took too long", body = ErrorBody),
        (status = 409, description = "The token belongs to another inbox", body = ErrorBody),
        (status = 413, description = "Body over the relay's limit", body = ErrorBody),
        (status = 429, description = "The inbox holds as many links as the relay keeps", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ),
)]
async fn put_link<S: Store>(
    State(st): State<AppState<S>>,
    Path((inbox_id, token)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let inbox = match authenticate(&st, &inbox_id, &headers).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    if !links::valid_token(&token) {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_link_token",
            "a link token is 16 to 64 characters among A-Z a-z 0-9 - _",
        );
    }
    let state: LinkState = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!(
                    r#"expected {{"status":"open|paid|void","pay_url":…,"invoice_number":…,"amount_due":…,"currency":…,"paid_at":…,"seller":…}}: {e}"#
                ),
            );
        }
    };
    if let Err(e) = links::validate(&state, &st.config.allow_pay_hosts) {
        return error(StatusCode::BAD_REQUEST, e.reason, e.message);
    }
    let quotas = &st.config.quotas;
    match st.store.put_link(&inbox.id, &token, &state, quotas).await {
        Ok(LinkPut::Stored) => StatusCode::NO_CONTENT.into_response(),
        Ok(LinkPut::Taken) => error(
            StatusCode::CONFLICT,
            "link_token_taken",
            "this link token belongs to another inbox; generate a new one",
        ),
        Ok(LinkPut::OverQuota) => error(
            StatusCode::TOO_MANY_REQUESTS,
            error_code::QUOTA_EXCEEDED,
            format!(
                "this inbox has {} payment links, the most this relay keeps; ask its operator",
                quotas.max_links
            ),
        ),
        Err(e) => unavailable(&e),
    }
}

/// Headers of every answer on `/p/…`: never cached (the state changes),
/// never sniffed, never leaking the token in a Referer.
fn link_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
}

fn link_page(status: StatusCode, html: String) -> Response {
    let mut res = (status, html).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(csp) = header::HeaderValue::from_str(&links::CSP) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    link_headers(h);
    res
}

/// The payment link printed on an invoice: Stripe while open, a page once
/// paid or void.
#[utoipa::path(
    get, path = "/p/{link_token}", tag = "public",
    params(("link_token" = String, Path, description = "The link token printed on the invoice", pattern = r"^[A-Za-z0-9_-]{16,64}$")),
    responses(
        (status = 200, description = "Paid: a page says so", content_type = "text/html", body = String),
        (status = 302, description = "Open: to the Stripe payment page", headers(("Location" = String, description = "The Stripe payment URL"))),
        (status = 404, description = "No such link", content_type = "text/html", body = String),
        (status = 410, description = "Void", content_type = "text/html", body = String),
        (status = 408, description = "The request took too long", body = ErrorBody),
        (status = 429, description = "Too many requests from this address (see Retry-After)", body = ErrorBody),
        (status = 503, description = "Storage unavailable"),
    ),
)]
async fn show_link<S: Store>(
    State(st): State<AppState<S>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = links::negotiate(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let state = match find_public(&token, || st.store.link(&token)).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(state) = state else {
        return link_page(StatusCode::NOT_FOUND, links::not_found_page(lang));
    };
    match state.status {
        LinkStatus::Open => {
            // Validated on PUT, so it is a valid header value.
            let location = state
                .pay_url
                .as_deref()
                .and_then(|u| header::HeaderValue::from_str(u).ok());
            let Some(location) = location else {
                return link_page(StatusCode::NOT_FOUND, links::not_found_page(lang));
            };
            let mut res = StatusCode::FOUND.into_response();
            res.headers_mut().insert(header::LOCATION, location);
            link_headers(res.headers_mut());
            res
        }
        LinkStatus::Paid => link_page(StatusCode::OK, links::paid_page(lang, &state)),
        // 410: the link existed and is gone for good.
        LinkStatus::Void => link_page(StatusCode::GONE, links::void_page(lang, &state)),
    }
}

/// `GET /p/{token}/done`: where Stripe sends the payer after paying. Says
/// "received" as soon as the relay holds the webhook, laptop on or off.
#[utoipa::path(
    get, path = "/p/{link_token}/done", tag = "public",
    params(("link_token" = String, Path, description = "The link token printed on the invoice", pattern = r"^[A-Za-z0-9_-]{16,64}$")),
    responses(
        (status = 200, description = "What the relay knows of the payment", content_type = "text/html", body = String),
        (status = 404, description = "No such link", content_type = "text/html", body = String),
        (status = 408, description = "The request took too long", body = ErrorBody),
        (status = 429, description = "Too many requests from this address (see Retry-After)", body = ErrorBody),
        (status = 503, description = "Storage unavailable"),
    ),
)]
async fn link_done<S: Store>(
    State(st): State<AppState<S>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = accept_lang(&headers);
    let state = match find_public(&token, || st.store.link(&token)).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(state) = state else {
        return link_page(StatusCode::NOT_FOUND, links::not_found_page(lang));
    };
    let seen = match (&state.stripe_id, state.status) {
        (Some(stripe_id), LinkStatus::Open | LinkStatus::Void) => {
            match st
                .store
                .checkout_states_of_link(&token, stripe_id, 200)
                .await
            {
                Ok(events) => links::payment_seen(
                    events
                        .iter()
                        .map(|e| (e.event_type.as_str(), e.payment_status.as_deref())),
                ),
                Err(e) => return page_unavailable(&e),
            }
        }
        _ => links::Seen::Nothing,
    };
    link_page(StatusCode::OK, links::done_page(lang, &state, seen))
}

fn accept_lang(headers: &HeaderMap) -> links::Lang {
    links::negotiate(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

fn page_unavailable(e: &StoreError) -> Response {
    tracing::error!(error = %e, "storage failed");
    let mut res = StatusCode::SERVICE_UNAVAILABLE.into_response();
    link_headers(res.headers_mut());
    res
}

fn bad_document_token() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "bad_document_token",
        "a document token is 16 to 64 characters among A-Z a-z 0-9 - _",
    )
}

/// Publishes (or republishes) an encrypted invoice or quote page.
#[utoipa::path(
    put, path = "/v1/inboxes/{inbox}/documents/{doc_token}", tag = "app",
    params(("inbox" = String, Path, description = "The inbox id, `ibx_…`"), ("doc_token" = String, Path, description = "The page token", pattern = r"^[A-Za-z0-9_-]{16,64}$")),
    request_body(content = openapi::Sealed, content_type = "application/octet-stream", description = "The sealed bundle (the protocol crate's `bundle`)"),
    security(("pull_token" = [])),
    responses(
        (status = 204, description = "Published"),
        (status = 400, description = "A malformed token, or not a sealed bundle", body = ErrorBody),
        (status = 401, description = "Missing or wrong pull token", body = ErrorBody),
        (status = 404, description = "No such inbox", body = ErrorBody),
        (status = 408, description = "The request took too long", body = ErrorBody),
        (status = 409, description = "The token belongs to another inbox", body = ErrorBody),
        (status = 410, description = "This page was revoked", body = ErrorBody),
        (status = 413, description = "Bundle over the limit, or the inbox's pages over their total", body = ErrorBody),
        (status = 429, description = "The inbox holds as many pages as the relay keeps", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ),
)]
async fn put_document<S: Store>(
    State(st): State<AppState<S>>,
    Path((inbox_id, token)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let inbox = match authenticate(&st, &inbox_id, &headers).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    if !links::valid_token(&token) {
        return bad_document_token();
    }
    let limit = st.config.document_limit;
    let bundle = match read_limited(&headers, body, limit).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "document_too_large",
                format!("an invoice bundle is at most {limit} bytes"),
            );
        }
        Err(BodyError::Read) => {
            return error(
                StatusCode::BAD_REQUEST,
                "body_read",
                "could not read the body",
            );
        }
    };
    // The shape only (never the content, which is ciphertext): version
    // byte, IV, tag.
    let min = 1 + acquit_relay_protocol::bundle::IV_LEN + acquit_relay_protocol::bundle::TAG_LEN;
    if bundle.len() < min || bundle[0] != acquit_relay_protocol::bundle::VERSION {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_bundle",
            "not an encrypted invoice bundle (version 1: version byte, 12-byte IV, ciphertext and tag)",
        );
    }
    let quotas = &st.config.quotas;
    match st
        .store
        .put_document(&inbox.id, &token, bundle.to_vec(), quotas)
        .await
    {
        Ok(DocumentPut::Stored) => {
            st.metrics.document_published();
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(DocumentPut::Taken) => error(
            StatusCode::CONFLICT,
            "document_token_taken",
            "this document token belongs to another inbox; generate a new one",
        ),
        Ok(DocumentPut::Revoked) => error(
            StatusCode::GONE,
            "document_revoked",
            "this invoice page was revoked and stays so; share the invoice again for a new link",
        ),
        Ok(DocumentPut::TooMany) => error(
            StatusCode::TOO_MANY_REQUESTS,
            error_code::QUOTA_EXCEEDED,
            format!(
                "this inbox has {} live invoice pages, the most this relay keeps; revoke old ones",
                quotas.max_documents
            ),
        ),
        Ok(DocumentPut::TooManyBytes) => error(
            StatusCode::PAYLOAD_TOO_LARGE,
            error_code::QUOTA_EXCEEDED,
            format!(
                "this inbox's invoice pages would take more than {} bytes, the most this relay \
                 keeps; revoke old ones",
                quotas.max_document_bytes
            ),
        ),
        Err(e) => unavailable(&e),
    }
}

/// Revokes a page for good (its replies go with it).
#[utoipa::path(
    delete, path = "/v1/inboxes/{inbox}/documents/{doc_token}", tag = "app",
    params(("inbox" = String, Path, description = "The inbox id, `ibx_…`"), ("doc_token" = String, Path, description = "The page token", pattern = r"^[A-Za-z0-9_-]{16,64}$")),
    security(("pull_token" = [])),
    responses(
        (status = 204, description = "Revoked (or never published)"),
        (status = 400, description = "A malformed token", body = ErrorBody),
        (status = 401, description = "Missing or wrong pull token", body = ErrorBody),
        (status = 404, description = "No such inbox", body = ErrorBody),
        (status = 408, description = "The request took too long", body = ErrorBody),
        (status = 409, description = "The token belongs to another inbox", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ),
)]
async fn revoke_document<S: Store>(
    State(st): State<AppState<S>>,
    Path((inbox_id, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let inbox = match authenticate(&st, &inbox_id, &headers).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    if !links::valid_token(&token) {
        return bad_document_token();
    }
    match st.store.revoke_document(&inbox.id, &token).await {
        Ok(true) => {
            st.metrics.document_revoked();
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(false) => error(
            StatusCode::CONFLICT,
            "document_token_taken",
            "this document token belongs to another inbox",
        ),
        Err(e) => unavailable(&e),
    }
}

/// Looks a public page's token up with `find`, unless it is malformed
/// (None, without a query); a storage failure is the 503 page.
async fn find_public<T, F>(token: &str, find: impl FnOnce() -> F) -> Result<Option<T>, Response>
where
    F: std::future::Future<Output = Result<Option<T>, StoreError>>,
{
    if !links::valid_token(token) {
        return Ok(None);
    }
    find().await.map_err(|e| page_unavailable(&e))
}

fn document_page(status: StatusCode, html: String, csp: &str) -> Response {
    let mut res = link_page(status, html);
    if let Ok(csp) = header::HeaderValue::from_str(csp) {
        res.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    res
}

/// The page that opens a sealed document in the browser (the key is in the
/// URL's fragment, never sent).
#[utoipa::path(
    get, path = "/v/{doc_token}", tag = "public",
    params(("doc_token" = String, Path, description = "The page token", pattern = r"^[A-Za-z0-9_-]{16,64}$")),
    responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
        (status = 404, description = "No such page", content_type = "text/html", body = String),
        (status = 410, description = "Revoked", content_type = "text/html", body = String),
        (status = 408, description = "The request took too long", body = ErrorBody),
        (status = 429, description = "Too many requests from this address (see Retry-After)", body = ErrorBody),
        (status = 503, description = "Storage unavailable"),
    ),
)]
async fn show_document<S: Store>(
    State(st): State<AppState<S>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = accept_lang(&headers);
    // The page is the same for every token: only whether it is live
    // matters, so the bundle is not read here.
    let status = match find_public(&token, || st.store.document_status(&token)).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match status {
        Some(DocumentStatus::Live) => {
            st.metrics.document_viewed();
            document_page(StatusCode::OK, documents::page(), &documents::CSP)
        }
        Some(DocumentStatus::Revoked) => link_page(StatusCode::GONE, documents::revoked_page(lang)),
        None => link_page(StatusCode::NOT_FOUND, documents::not_found_page(lang)),
    }
}

/// The sealed bundle the page opens.
#[utoipa::path(
    get, path = "/v/{doc_token}/bundle", tag = "public",
    params(("doc_token" = String, Path, description = "The page token", pattern = r"^[A-Za-z0-9_-]{16,64}$")),
    responses(
        (status = 200, description = "The sealed bundle", content_type = "application/octet-stream", body = openapi::Sealed),
        (status = 404, description = "No such page"),
        (status = 410, description = "Revoked"),
        (status = 408, description = "The request took too long", body = ErrorBody),
        (status = 429, description = "Too many requests from this address (see Retry-After)", body = ErrorBody),
        (status = 503, description = "Storage unavailable"),
    ),
)]
async fn document_bundle<S: Store>(
    State(st): State<AppState<S>>,
    Path(token): Path<String>,
) -> Response {
    let status = match find_public(&token, || st.store.document(&token)).await {
        Err(r) => return r,
        Ok(Some(Document::Live(bundle))) => {
            let mut res = (StatusCode::OK, bundle).into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("application/octet-stream"),
            );
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                header::HeaderValue::from_static("default-src 'none'; sandbox"),
            );
            link_headers(h);
            return res;
        }
        Ok(Some(Document::Revoked)) => StatusCode::GONE,
        Ok(None) => StatusCode::NOT_FOUND,
    };
    let mut res = status.into_response();
    link_headers(res.headers_mut());
    res
}

/// An error of the public reply route: the API's JSON error body, with the
/// pages' headers (never cached, never sniffed).
fn reply_error(status: StatusCode, reason: &str, message: &str) -> Response {
    let mut res = error(status, reason, message);
    link_headers(res.headers_mut());
    res
}

/// `POST /v/{token}/reply`: a client's sealed answer to the page. Checks,
/// in order: size (413, before buffering more than the limit), shape
/// (400), then the page (404 unknown, 410 revoked, 429 full) in the same
/// transaction as the write.
#[utoipa::path(
    post, path = "/v/{doc_token}/reply", tag = "public",
    params(("doc_token" = String, Path, description = "The page token", pattern = r"^[A-Za-z0-9_-]{16,64}$")),
    request_body(content = openapi::SealedReply, content_type = "application/octet-stream", description = "The reply sealed with the page's key"),
    responses(
        (status = 204, description = "Kept"),
        (status = 400, description = "Not a sealed reply", body = ErrorBody),
        (status = 404, description = "No such page", body = ErrorBody),
        (status = 408, description = "The request took too long", body = ErrorBody),
        (status = 410, description = "Revoked", body = ErrorBody),
        (status = 413, description = "Over the reply limit", body = ErrorBody),
        (status = 429, description = "Too many requests from this address, or the page holds as many replies as it can", body = ErrorBody),
        (status = 503, description = "Storage unavailable"),
    ),
)]
async fn post_reply<S: Store>(
    State(st): State<AppState<S>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    use acquit_relay_protocol::bundle;
    let sealed = match read_limited(&headers, body, MAX_REPLY_BYTES).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            return reply_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "reply_too_large",
                &format!("a reply is at most {MAX_REPLY_BYTES} bytes"),
            );
        }
        Err(BodyError::Read) => {
            return reply_error(
                StatusCode::BAD_REQUEST,
                "body_read",
                "could not read the body",
            );
        }
    };
    if sealed.len() < 1 + bundle::IV_LEN + bundle::TAG_LEN || sealed[0] != bundle::VERSION {
        return reply_error(
            StatusCode::BAD_REQUEST,
            "bad_reply",
            "not a sealed reply (version byte 1, 12-byte IV, ciphertext and tag)",
        );
    }
    let unknown = || {
        reply_error(
            StatusCode::NOT_FOUND,
            "unknown_document",
            "no such page; check the link",
        )
    };
    if !links::valid_token(&token) {
        return unknown();
    }
    match st
        .store
        .add_reply(&token, sealed.to_vec(), MAX_REPLIES as u64)
        .await
    {
        Ok(ReplyAdd::Stored(_)) => {
            st.metrics.reply_received();
            let mut res = StatusCode::NO_CONTENT.into_response();
            link_headers(res.headers_mut());
            res
        }
        Ok(ReplyAdd::Unknown) => unknown(),
        Ok(ReplyAdd::Revoked) => reply_error(
            StatusCode::GONE,
            "document_revoked",
            "this link is no longer valid; contact the sender",
        ),
        Ok(ReplyAdd::TooMany) => reply_error(
            StatusCode::TOO_MANY_REQUESTS,
            error_code::TOO_MANY_REPLIES,
            "this page has received as many replies as it can take; contact the sender",
        ),
        Err(e) => page_unavailable(&e),
    }
}

/// `GET …/documents/{token}/replies`: the page's sealed replies, for the
/// app that holds the key.
#[utoipa::path(
    get, path = "/v1/inboxes/{inbox}/documents/{doc_token}/replies", tag = "app",
    params(("inbox" = String, Path, description = "The inbox id, `ibx_…`"), ("doc_token" = String, Path, description = "The page token", pattern = r"^[A-Za-z0-9_-]{16,64}$")),
    security(("pull_token" = [])),
    responses(
        (status = 200, description = "The page's sealed replies, oldest first", body = ReplyList),
        (status = 400, description = "A malformed token", body = ErrorBody),
        (status = 401, description = "Missing or wrong pull token", body = ErrorBody),
        (status = 404, description = "No such inbox, or no page under this token", body = ErrorBody),
        (status = 408, description = "The request took too long", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ),
)]
async fn list_replies<S: Store>(
    State(st): State<AppState<S>>,
    Path((inbox_id, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let inbox = match authenticate(&st, &inbox_id, &headers).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    if !links::valid_token(&token) {
        return bad_document_token();
    }
    match st.store.replies(&inbox.id, &token).await {
        Ok(Some(replies)) => Json(ReplyList {
            replies: replies
                .into_iter()
                .map(|r| Reply {
                    id: r.id,
                    received_at: r.received_at,
                    sealed: links::base64url(&r.sealed),
                })
                .collect(),
        })
        .into_response(),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "unknown_document",
            "this inbox has published no page under this token",
        ),
        Err(e) => unavailable(&e),
    }
}

async fn metrics<S: Store>(State(st): State<AppState<S>>) -> Response {
    let mut text = st.metrics.render();
    // Age of the oldest event the app has not confirmed pulling: the alarm
    // for "the laptop has not synced for days" (0 when all are pulled).
    match st.store.oldest_unpulled().await {
        Ok(oldest) => {
            let age = oldest
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
                .map_or(0, |t| {
                    (chrono::Utc::now().timestamp() - t.timestamp()).max(0)
                });
            let name = "acquit_relay_oldest_unpulled_age_seconds";
            text.push_str(&format!(
                "# HELP {name} Age of the oldest event not yet pulled.
# TYPE {name} gauge
{name} {age}
"
            ));
        }
        Err(e) => tracing::warn!(error = %e, "metrics: oldest unpulled unavailable"),
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
