//! The client against the fake Stripe, over real HTTP.
//!
//! `fake-stripe` is a dev-dependency (never a normal one: the two crates
//! share no code, `tests/boundaries.rs` checks it). Every request the client
//! sends is read back from the fake's `--log` and judged against Stripe's
//! published parameter schemas, which the fake carries.

use std::path::PathBuf;
use std::time::Duration;

use acquit_core::{Currency, Money};
use acquit_stripe::{
    Client, Config, CreateLinkError, Form, IdempotencyKey, Mode, NewPaymentLink, SecretKey,
    StripeError, Value,
};
use serde_json::Value as Json;

const KEY: &str = "sk_test_acquitClientTest0000004242";

struct Fake {
    base: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Fake {
    async fn start() -> Fake {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("requests.jsonl");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = fake_stripe::Config {
            log: Some(log.clone()),
            ..Default::default()
        };
        tokio::spawn(fake_stripe::serve(listener, config));
        Fake {
            base,
            log,
            _dir: dir,
        }
    }

    fn client(&self, key: &str) -> Client {
        let mut config = Config::new(SecretKey::parse(key).unwrap());
        config.api_base = self.base.clone();
        config.initial_backoff = Duration::from_millis(10);
        config.max_backoff = Duration::from_millis(40);
        config.timeout = Duration::from_secs(5);
        Client::new(config).unwrap()
    }

    fn requests(&self) -> Vec<Json> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        assert!(
            !text.contains("acquitClientTest"),
            "the API key reached the request log"
        );
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    async fn fail(&self, path_prefix: &str, status: u16, count: u32) {
        self.fail_with(path_prefix, status, count, None).await;
    }

    async fn fail_with(
        &self,
        path_prefix: &str,
        status: u16,
        count: u32,
        should_retry: Option<bool>,
    ) {
        let body = serde_json::json!({
            "path_prefix": path_prefix, "status": status, "count": count, "should_retry": should_retry,
        })
        .to_string();
        let response = reqwest_post(&format!("{}/_fake/fail", self.base), body).await;
        assert_eq!(response, 200);
    }
}

async fn reqwest_post(url: &str, body: String) -> u16 {
    // A test control, not a Stripe endpoint: sent raw, outside the client.
    let client = reqwest::Client::new();
    client
        .post(url)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::from_code("EUR").unwrap())
}

/// What the acceptance of issue 6 asks of every request: the pinned
/// version, an idempotency key on POSTs, a masked key, and parameters that
/// Stripe's schema allows.
fn assert_request_is_valid(request: &Json) {
    let method = request["method"].as_str().unwrap();
    assert_eq!(
        request["headers"]["stripe-version"], "2026-10-28.endive",
        "{request}"
    );
    assert_eq!(
        request["headers"]["authorization"], "Bearer sk_test_…(masked)",
        "{request}"
    );
    let full_path = request["path"].as_str().unwrap();
    let (path, query) = full_path.split_once('?').unwrap_or((full_path, ""));
    let (spec_path, raw) = if method == "POST" {
        assert!(
            request["headers"]["idempotency-key"]
                .as_str()
                .is_some_and(|k| !k.is_empty()),
            "POST without an Idempotency-Key: {request}"
        );
        assert_eq!(
            request["headers"]["content-type"],
            "application/x-www-form-urlencoded"
        );
        (spec_path(path), request["body"].as_str().unwrap())
    } else {
        (spec_path(path), query)
    };
    let params = fake_stripe::params::parse(raw).unwrap();
    if let Err(invalid) =
        fake_stripe::spec::validate(spec_path, &method.to_ascii_lowercase(), &params)
    {
        panic!("{method} {path} is not allowed by the spec: {invalid:?}");
    }
}

fn spec_path(path: &str) -> &'static str {
    match path {
        "/v1/account" => "/v1/account",
        "/v1/payment_links" => "/v1/payment_links",
        p if p.starts_with("/v1/payment_links/") => "/v1/payment_links/{payment_link}",
        other => panic!("no spec path for {other}"),
    }
}

#[tokio::test]
async fn key_check_gives_account_and_mode() {
    let fake = Fake::start().await;
    let check = fake.client(KEY).retrieve_account().await.unwrap();
    assert_eq!(check.mode, Mode::Test);
    assert_eq!(check.account.display_name(), "Fake Stripe test account");
    assert!(check.account.id.starts_with("acct_"));
    for request in fake.requests() {
        assert_request_is_valid(&request);
    }
}

#[tokio::test]
async fn a_refused_key_is_invalid_key() {
    let fake = Fake::start().await;
    // The fake, like test mode, refuses live keys.
    let error = fake
        .client("sk_live_acquitClientTest0000004242")
        .retrieve_account()
        .await
        .unwrap_err();
    assert!(matches!(error, StripeError::InvalidKey { .. }), "{error:?}");
    assert!(!error.to_string().contains("acquitClientTest"));
    assert!(!format!("{error:?}").contains("acquitClientTest"));
}

#[tokio::test]
async fn create_retrieve_and_deactivate_a_link() {
    let fake = Fake::start().await;
    let client = fake.client(KEY);
    let new = NewPaymentLink::for_invoice(eur(125_050), "inv_1", "F-2026-0007", "lnk_3");
    let key = IdempotencyKey::for_link_creation("lnk_3").unwrap();
    let link = client.create_payment_link(&new, &key).await.unwrap();
    assert!(link.id.starts_with("plink_"));
    assert!(link.active);
    assert_eq!(link.mode(), Mode::Test);
    assert_eq!(link.url, format!("{}/pay/{}", fake.base, link.id));
    assert_eq!(link.currency.as_deref(), Some("eur"));
    assert_eq!(link.metadata["invoice_number"], "F-2026-0007");
    assert_eq!(link.metadata["link_id"], "lnk_3");
    assert_eq!(
        link.payment_method_types.as_deref(),
        Some(&["card".to_owned(), "sepa_debit".to_owned()][..])
    );

    let fetched = client.retrieve_payment_link(&link.id).await.unwrap();
    assert_eq!(fetched, link);
    let off = client
        .deactivate_payment_link(
            &link.id,
            &IdempotencyKey::for_link_deactivation("lnk_3").unwrap(),
        )
        .await
        .unwrap();
    assert!(!off.active);

    let requests = fake.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[0]["headers"]["idempotency-key"],
        "acquit-link-lnk_3"
    );
    assert!(
        requests[0]["body"]
            .as_str()
            .unwrap()
            .contains("restrictions%5Bcompleted_sessions%5D%5Blimit%5D=1")
    );
    for request in &requests {
        assert_eq!(request["status"], 200, "{request}");
        assert_request_is_valid(request);
    }
}

#[tokio::test]
async fn the_same_idempotency_key_gives_the_same_link() {
    let fake = Fake::start().await;
    let client = fake.client(KEY);
    let new = NewPaymentLink::for_invoice(eur(5000), "inv_1", "F-1", "lnk_9");
    let key = IdempotencyKey::for_link_creation("lnk_9").unwrap();
    let first = client.create_payment_link(&new, &key).await.unwrap();
    let second = client.create_payment_link(&new, &key).await.unwrap();
    assert_eq!(first, second);

    let mut other = new.clone();
    other.amount = eur(6000);
    let error = client.create_payment_link(&other, &key).await.unwrap_err();
    assert!(
        matches!(
            error,
            CreateLinkError::Stripe(StripeError::IdempotencyConflict { .. })
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_500_is_retried_and_makes_exactly_one_link() {
    let fake = Fake::start().await;
    fake.fail("/v1/payment_links", 500, 2).await;
    let client = fake.client(KEY);
    let new = NewPaymentLink::for_invoice(eur(5000), "inv_1", "F-1", "lnk_1");
    let key = IdempotencyKey::for_link_creation("lnk_1").unwrap();
    let link = client.create_payment_link(&new, &key).await.unwrap();
    let statuses: Vec<u64> = fake
        .requests()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [500, 500, 200]);
    let keys: Vec<Json> = fake
        .requests()
        .iter()
        .map(|r| r["headers"]["idempotency-key"].clone())
        .collect();
    assert!(keys.iter().all(|k| k == "acquit-link-lnk_1"), "{keys:?}");
    assert!(client.retrieve_payment_link(&link.id).await.is_ok());
}

#[tokio::test]
async fn a_429_is_retried_then_reported_as_rate_limited() {
    let fake = Fake::start().await;
    let client = fake.client(KEY);
    fake.fail("/v1/account", 429, 1).await;
    assert!(client.retrieve_account().await.is_ok());
    // More failures than retries: the typed error comes through.
    fake.fail("/v1/account", 429, 10).await;
    let error = client.retrieve_account().await.unwrap_err();
    assert!(
        matches!(error, StripeError::RateLimited { .. }),
        "{error:?}"
    );
    let statuses: Vec<u64> = fake
        .requests()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [429, 200, 429, 429, 429, 429]);
}

#[tokio::test]
async fn an_unknown_parameter_is_refused_like_stripe_does() {
    let fake = Fake::start().await;
    let client = fake.client(KEY);
    let form = Form::new().with("colour", Value::str("red"));
    let error = client
        .post::<Json>(
            "/v1/payment_links",
            &form,
            &IdempotencyKey::new("raw-1").unwrap(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, StripeError::InvalidRequest { status: 400, .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), Some("parameter_unknown"));
    assert_eq!(error.detail().unwrap().param.as_deref(), Some("colour"));
}

#[tokio::test]
async fn an_unknown_link_is_not_found() {
    let fake = Fake::start().await;
    let error = fake
        .client(KEY)
        .retrieve_payment_link("plink_missing")
        .await
        .unwrap_err();
    assert!(matches!(error, StripeError::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn nothing_listening_is_a_network_error_after_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut config = Config::new(SecretKey::parse(KEY).unwrap());
    config.api_base = base;
    config.initial_backoff = Duration::from_millis(1);
    config.max_retries = 2;
    let error = Client::new(config)
        .unwrap()
        .retrieve_account()
        .await
        .unwrap_err();
    assert!(matches!(error, StripeError::Network { .. }), "{error:?}");
    assert!(!error.to_string().contains("acquitClientTest"));
}

#[tokio::test]
async fn stripe_should_retry_false_stops_retries() {
    let fake = Fake::start().await;
    fake.fail_with("/v1/account", 500, 5, Some(false)).await;
    let error = fake.client(KEY).retrieve_account().await.unwrap_err();
    assert!(
        matches!(error, StripeError::Server { status: 500, .. }),
        "{error:?}"
    );
    assert_eq!(
        fake.requests().len(),
        1,
        "no retry after Stripe-Should-Retry: false"
    );
}

#[tokio::test]
async fn stripe_should_retry_true_retries_a_409() {
    let fake = Fake::start().await;
    fake.fail_with("/v1/account", 409, 1, Some(true)).await;
    fake.client(KEY).retrieve_account().await.unwrap();
    let statuses: Vec<u64> = fake
        .requests()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [409, 200]);
}

/// The request validator itself refuses what the acceptance lists, so a
/// passing `assert_request_is_valid` means something.
#[test]
fn the_request_validator_catches_bad_requests() {
    let good = serde_json::json!({
        "method": "POST",
        "path": "/v1/payment_links/plink_1",
        "headers": {
            "stripe-version": "2026-10-28.endive",
            "idempotency-key": "acquit-link-1-deactivate",
            "authorization": "Bearer sk_test_…(masked)",
            "content-type": "application/x-www-form-urlencoded",
        },
        "body": "active=false",
        "status": 200,
    });
    assert_request_is_valid(&good);
    let spoil = |pointer: &str, value: Json| {
        let mut bad = good.clone();
        *bad.pointer_mut(pointer).unwrap() = value;
        bad
    };
    let bad_ones = [
        spoil("/headers/stripe-version", Json::Null),
        spoil("/headers/stripe-version", "2020-08-27".into()),
        spoil("/headers/idempotency-key", Json::Null),
        spoil(
            "/headers/authorization",
            "Bearer sk_test_acquitClientTest".into(),
        ),
        spoil("/body", "active=false&colour=red".into()),
        spoil("/body", "active=maybe".into()),
        spoil("/path", "/v1/payment_links".into()), // line_items missing
        spoil("/body", "payment_method_types[0]=cheque".into()),
    ];
    for bad in bad_ones {
        let caught = std::panic::catch_unwind(|| assert_request_is_valid(&bad));
        assert!(caught.is_err(), "accepted {bad}");
    }
}
