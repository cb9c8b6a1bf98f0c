//! The HTTP side: headers every request carries, retries, timeouts.
//!
//! Every request carries `Authorization: Bearer KEY` and the pinned
//! `Stripe-Version`, so a change of the account's default version in the
//! Dashboard cannot change what we parse. Every POST carries an
//! `Idempotency-Key` the caller derives from Acquit's own ids: a retry, by
//! us after a timeout or by the user after a crash, then replays Stripe's
//! first answer instead of creating a second link.
//!
//! Retries: network errors, timeouts, 429 and 5xx are retried with
//! exponential backoff, unless Stripe says `Stripe-Should-Retry: false`;
//! `Stripe-Should-Retry: true` makes any status retryable. Retrying a POST is
//! safe only because of the idempotency key, which stays the same across
//! attempts.

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::error::StripeError;
use crate::form::Form;
use crate::secret::{Mode, SecretKey};

/// The API version whose parameters and objects this crate is written for.
pub const STRIPE_VERSION: &str = "2026-10-28.endive";

/// Stripe's production API.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

/// The environment variable that points the client elsewhere (the fake).
pub const API_BASE_ENV: &str = "ACQUIT_STRIPE_API_BASE";

/// An `Idempotency-Key`, derived by the caller from its own ids so that the
/// same intent always gets the same key (`acquit-link-{link_id}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

/// A text that cannot be an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an idempotency key must be 1 to 255 printable ASCII characters")]
pub struct BadIdempotencyKey;

impl IdempotencyKey {
    /// Stripe takes up to 255 characters; we also refuse anything but
    /// printable ASCII so the header is always valid.
    pub fn new(key: impl Into<String>) -> Result<IdempotencyKey, BadIdempotencyKey> {
        let key = key.into();
        if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(BadIdempotencyKey);
        }
        Ok(IdempotencyKey(key))
    }

    /// The key for creating the payment link Acquit knows as `link_id`.
    pub fn for_link_creation(link_id: &str) -> Result<IdempotencyKey, BadIdempotencyKey> {
        IdempotencyKey::new(format!("acquit-link-{link_id}"))
    }

    /// The key for deactivating the link Acquit knows as `link_id`.
    pub fn for_link_deactivation(link_id: &str) -> Result<IdempotencyKey, BadIdempotencyKey> {
        IdempotencyKey::new(format!("acquit-link-{link_id}-deactivate"))
    }

    /// The key for creating the Checkout Session Acquit knows as `link_id`.
    pub fn for_checkout_creation(link_id: &str) -> Result<IdempotencyKey, BadIdempotencyKey> {
        IdempotencyKey::new(format!("acquit-checkout-{link_id}"))
    }

    /// The key for expiring the Checkout Session Acquit knows as `link_id`.
    pub fn for_checkout_expiry(link_id: &str) -> Result<IdempotencyKey, BadIdempotencyKey> {
        IdempotencyKey::new(format!("acquit-checkout-{link_id}-expire"))
    }

    /// The key for the refund Acquit knows as `refund_id` (e.g. the credit
    /// note's id): one refund per credit note, however often it is retried.
    pub fn for_refund(refund_id: &str) -> Result<IdempotencyKey, BadIdempotencyKey> {
        IdempotencyKey::new(format!("acquit-refund-{refund_id}"))
    }

    /// The key for registering the webhook endpoint of `setup_id` (e.g. the
    /// relay inbox). Stripe keeps keys for 24 hours: registering again on
    /// purpose within a day needs a new `setup_id` (add a counter).
    pub fn for_webhook_endpoint_creation(
        setup_id: &str,
    ) -> Result<IdempotencyKey, BadIdempotencyKey> {
        IdempotencyKey::new(format!("acquit-webhook-{setup_id}"))
    }

    /// The key for one update of `object_id`, derived from the object and
    /// the content of the update: the same change retried replays, a
    /// different change is a new request. Always valid, whatever the id.
    pub fn for_update(object_id: &str, form: &Form) -> IdempotencyKey {
        let mut content = object_id.as_bytes().to_vec();
        content.push(b'\n');
        content.extend_from_slice(form.encode().as_bytes());
        IdempotencyKey(format!("acquit-update-{:016x}", fnv1a64(&content)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// FNV-1a, 64 bits: a stable digest (unlike `std`'s hasher, the same
/// across releases and runs) for keys derived from content.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// How the client reaches Stripe.
#[derive(Debug, Clone)]
pub struct Config {
    /// `https://api.stripe.com`, or the fake's `http://127.0.0.1:12111`.
    pub api_base: String,
    pub key: SecretKey,
    /// For the whole of one attempt (connect, send, read the body).
    pub timeout: Duration,
    /// For connecting only.
    pub connect_timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff; doubles per retry, capped at `max_backoff`.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl Config {
    /// Production defaults for `key`: Stripe's own base URL, 30 s per
    /// attempt, 3 retries starting at 0.5 s.
    pub fn new(key: SecretKey) -> Config {
        Config {
            api_base: DEFAULT_API_BASE.to_owned(),
            key,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
        }
    }

    /// [`Config::new`], with the base URL from `ACQUIT_STRIPE_API_BASE` when
    /// that is set and not empty.
    pub fn from_env(key: SecretKey) -> Config {
        let mut config = Config::new(key);
        if let Ok(base) = std::env::var(API_BASE_ENV)
            && !base.trim().is_empty()
        {
            config.api_base = base.trim().to_owned();
        }
        config
    }

    /// The delay before retry number `retry` (0-based).
    fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(16)).unwrap_or(u32::MAX);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// A Stripe API client for one key.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    config: Config,
    base: String,
}

enum Attempt {
    Done(Vec<u8>),
    Retry(StripeError),
    Fail(StripeError),
}

impl Client {
    pub fn new(config: Config) -> Result<Client, StripeError> {
        let base = config.api_base.trim_end_matches('/').to_owned();
        let bad = |reason: &str| StripeError::BadBaseUrl {
            url: config.api_base.clone(),
            reason: reason.to_owned(),
        };
        let url = reqwest::Url::parse(&base).map_err(|_| bad("it is not a URL"))?;
        let Some(host) = url.host_str() else {
            return Err(bad("it has no host"));
        };
        // The key goes in every request's header: a live key only ever to
        // Stripe's own API or this machine (a fake), a test key also to
        // another https host (a proxy a developer runs on purpose).
        let loopback = acquit_core::net::is_loopback_host(host);
        let stripe = url.scheme() == "https" && host == "api.stripe.com";
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => {
                return Err(bad(
                    "it must start with https:// (or http:// for a local fake)",
                ));
            }
        }
        if !stripe && !loopback && config.key.mode() == Mode::Live {
            return Err(bad(
                "a live key is sent only to https://api.stripe.com or to this machine; unset ACQUIT_STRIPE_API_BASE",
            ));
        }
        let http = acquit_http::client()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|e| bad(&format!("the HTTP client could not start: {e}")))?;
        Ok(Client { http, config, base })
    }

    /// The key's test or live mode.
    pub fn key(&self) -> &SecretKey {
        &self.config.key
    }

    /// `GET {path}` with an already encoded query (may be empty).
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &Form,
    ) -> Result<T, StripeError> {
        let query = query.encode();
        let path = if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        };
        let body = self.send(reqwest::Method::GET, &path, None, None).await?;
        parse(&body)
    }

    /// `POST {path}` with `form` as the body and an idempotency key.
    pub async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        form: &Form,
        idempotency_key: &IdempotencyKey,
    ) -> Result<T, StripeError> {
        let body = form.encode();
        let bytes = self
            .send(
                reqwest::Method::POST,
                path,
                Some(body),
                Some(idempotency_key),
            )
            .await?;
        parse(&bytes)
    }

    /// `DELETE {path}`. Stripe takes no idempotency key on DELETE: deleting
    /// twice is harmless (the second answers "no such object").
    pub async fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<T, StripeError> {
        let body = self.send(reqwest::Method::DELETE, path, None, None).await?;
        parse(&body)
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
        idempotency_key: Option<&IdempotencyKey>,
    ) -> Result<Vec<u8>, StripeError> {
        let url = format!("{}{}", self.base, path);
        let mut retry = 0;
        loop {
            let outcome = self
                .attempt(method.clone(), &url, body.clone(), idempotency_key)
                .await;
            match outcome {
                Attempt::Done(bytes) => return Ok(bytes),
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry(error) if retry >= self.config.max_retries => return Err(error),
                Attempt::Retry(error) => {
                    let delay = self.config.backoff(retry);
                    tracing::warn!(%method, path, retry = retry + 1, ?delay, %error, "retrying Stripe request");
                    tokio::time::sleep(delay).await;
                    retry += 1;
                }
            }
        }
    }

    async fn attempt(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<String>,
        idempotency_key: Option<&IdempotencyKey>,
    ) -> Attempt {
        let mut request = self
            .http
            .request(method.clone(), url)
            .bearer_auth(self.config.key.expose_secret())
            .header("Stripe-Version", STRIPE_VERSION);
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key.as_str());
        }
        if let Some(body) = body {
            request = request
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(body);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => return Attempt::Retry(transport_error(&e)),
        };
        let status = response.status().as_u16();
        let should_retry = response
            .headers()
            .get("stripe-should-retry")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.eq_ignore_ascii_case("true"));
        let request_id = response
            .headers()
            .get("request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes.to_vec(),
            Err(e) => return Attempt::Retry(transport_error(&e)),
        };
        tracing::debug!(%method, url, status, request_id, "Stripe answered");
        if (200..300).contains(&status) {
            return Attempt::Done(bytes);
        }
        let error = StripeError::from_response(status, &bytes);
        let retryable = should_retry.unwrap_or(status == 429 || status >= 500);
        if retryable {
            Attempt::Retry(error)
        } else {
            Attempt::Fail(error)
        }
    }
}

fn transport_error(e: &reqwest::Error) -> StripeError {
    if e.is_timeout() {
        return StripeError::Timeout;
    }
    // reqwest's Display names the URL, never headers: the key cannot leak.
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        reason.push_str(": ");
        reason.push_str(&inner.to_string());
        source = inner.source();
    }
    StripeError::Network { reason }
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StripeError> {
    serde_json::from_slice(bytes).map_err(|e| StripeError::UnexpectedResponse {
        status: 200,
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let mut config = Config::new(SecretKey::parse("sk_test_x").unwrap());
        config.initial_backoff = Duration::from_millis(500);
        config.max_backoff = Duration::from_secs(3);
        let delays: Vec<_> = (0..5).map(|r| config.backoff(r).as_millis()).collect();
        assert_eq!(delays, [500, 1000, 2000, 3000, 3000]);
        assert_eq!(config.backoff(100), Duration::from_secs(3));
    }

    #[test]
    fn idempotency_keys() {
        assert_eq!(
            IdempotencyKey::for_link_creation("lnk_7").unwrap().as_str(),
            "acquit-link-lnk_7"
        );
        assert!(IdempotencyKey::new("").is_err());
        assert!(IdempotencyKey::new("a b").is_err());
        assert!(IdempotencyKey::new("x".repeat(256)).is_err());
        assert!(IdempotencyKey::new("x".repeat(255)).is_ok());
        assert_eq!(
            IdempotencyKey::for_checkout_creation("lnk_7")
                .unwrap()
                .as_str(),
            "acquit-checkout-lnk_7"
        );
        assert_eq!(
            IdempotencyKey::for_checkout_expiry("lnk_7")
                .unwrap()
                .as_str(),
            "acquit-checkout-lnk_7-expire"
        );
        assert_eq!(
            IdempotencyKey::for_refund("cn_2").unwrap().as_str(),
            "acquit-refund-cn_2"
        );
        assert_eq!(
            IdempotencyKey::for_webhook_endpoint_creation("ibx_1")
                .unwrap()
                .as_str(),
            "acquit-webhook-ibx_1"
        );
    }

    #[test]
    fn update_keys_follow_the_content() {
        use crate::form::Value;
        let a = Form::new().with("disabled", Value::str(true));
        let b = Form::new().with("disabled", Value::str(false));
        let key_a = IdempotencyKey::for_update("we_1", &a);
        assert_eq!(key_a, IdempotencyKey::for_update("we_1", &a.clone()));
        assert_ne!(key_a, IdempotencyKey::for_update("we_1", &b));
        assert_ne!(key_a, IdempotencyKey::for_update("we_2", &a));
        assert!(IdempotencyKey::new(IdempotencyKey::for_update("a b\n", &a).0).is_ok());
        // Stable across releases: pinned.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn base_urls() {
        let key = SecretKey::parse("sk_test_x").unwrap();
        let with = |base: &str| {
            let mut config = Config::new(key.clone());
            config.api_base = base.to_owned();
            Client::new(config)
        };
        assert_eq!(
            with("http://127.0.0.1:1/").unwrap().base,
            "http://127.0.0.1:1"
        );
        assert!(with("https://api.stripe.com").is_ok());
        assert!(matches!(
            with("api.stripe.com"),
            Err(StripeError::BadBaseUrl { .. })
        ));
        assert!(matches!(
            with("https://"),
            Err(StripeError::BadBaseUrl { .. })
        ));
        // http only to this machine; a test key may go to another https host.
        assert!(with("http://stripe-proxy.example.org").is_err());
        assert!(with("https://stripe-proxy.example.org").is_ok());
        assert!(with("http://localhost:12111").is_ok());
    }

    #[test]
    fn a_live_key_goes_only_to_stripe_or_this_machine() {
        let live = SecretKey::parse("sk_live_x").unwrap();
        let with = |base: &str| {
            let mut config = Config::new(live.clone());
            config.api_base = base.to_owned();
            Client::new(config)
        };
        assert!(with("https://api.stripe.com/").is_ok());
        assert!(with("http://127.0.0.1:12111").is_ok());
        assert!(with("http://[::1]:12111").is_ok());
        let err = with("https://stripe-proxy.example.org").unwrap_err();
        assert!(
            err.to_string().contains("unset ACQUIT_STRIPE_API_BASE"),
            "{err}"
        );
        assert!(with("https://api.stripe.com.example.org").is_err());
    }

    #[test]
    fn debug_of_a_client_masks_the_key() {
        let client =
            Client::new(Config::new(SecretKey::parse("sk_test_topsecret").unwrap())).unwrap();
        assert!(!format!("{client:?}").contains("topsecret"));
    }
}
