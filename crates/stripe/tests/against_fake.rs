//! The client against the fake Stripe, over real HTTP.
//!
//! `fake-stripe` is a dev-dependency (never a normal one: the two crates
//! share no code, `tests/boundaries.rs` checks it). Every request the client
//! sends is read back from the fake's `--log` and judged against Stripe's
//! published parameter schemas, which the fake carries.

use std::path::PathBuf;
use std::time::Duration;

use acquit_core::Lang;
use acquit_stripe::{
    ACQUIT_EVENT_TYPES, CheckoutSession, Client, Config, CreateCheckoutError, CreateLinkError,
    CreateRefundError, EventKind, Form, IdempotencyKey, Mode, NewCheckoutError, NewCheckoutSession,
    NewPaymentLink, NewRefund, NewWebhookEndpoint, PaymentLink, Permission, RefundsOf, SecretKey,
    SessionPaymentStatus, SessionStatus, StripeError, Value, WebhookEndpointUpdate,
};
use acquit_testkit::books::eur;
use serde_json::Value as Json;

const KEY: &str = "sk_test_acquitClientTest0000004242";

struct Fake {
    base: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Fake {
    async fn start() -> Fake {
        Fake::start_with(fake_stripe::Config::default()).await
    }

    async fn start_with(config: fake_stripe::Config) -> Fake {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("requests.jsonl");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = fake_stripe::Config {
            log: Some(log.clone()),
            ..config
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
    let client = acquit_http::client().build().unwrap();
    client
        .post(url)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
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
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments[..] {
        ["v1", "account"] => "/v1/account",
        ["v1", "payment_links"] => "/v1/payment_links",
        ["v1", "payment_links", _] => "/v1/payment_links/{payment_link}",
        ["v1", "checkout", "sessions"] => "/v1/checkout/sessions",
        ["v1", "checkout", "sessions", _] => "/v1/checkout/sessions/{session}",
        ["v1", "checkout", "sessions", _, "expire"] => "/v1/checkout/sessions/{session}/expire",
        ["v1", "payment_intents", _] => "/v1/payment_intents/{intent}",
        ["v1", "balance_transactions", _] => "/v1/balance_transactions/{id}",
        ["v1", "events"] => "/v1/events",
        ["v1", "events", _] => "/v1/events/{id}",
        ["v1", "refunds"] => "/v1/refunds",
        ["v1", "webhook_endpoints"] => "/v1/webhook_endpoints",
        ["v1", "webhook_endpoints", _] => "/v1/webhook_endpoints/{webhook_endpoint}",
        _ => panic!("no spec path for {path}"),
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
    assert_eq!(link.metadata["acquit_invoice_number"], "F-2026-0007");
    assert_eq!(link.metadata["acquit_link_id"], "lnk_3");
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

// ---------------------------------------------------------------------------
// Checkout, payments, events, refunds and webhook endpoints.

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Pays `url` (a link's or a session's) as a customer would, by card.
async fn pay(fake: &Fake, url: &str) {
    let body = serde_json::json!({"url": url, "method": "card", "card": "4242424242424242"});
    let status = reqwest_post(&format!("{}/_fake/pay", fake.base), body.to_string()).await;
    assert_eq!(status, 200, "paying {url}");
}

/// A link for `minor` cents of invoice F-1, paid by card.
async fn paid_link(fake: &Fake, client: &Client, link_id: &str, minor: i64) -> PaymentLink {
    let new = NewPaymentLink::for_invoice(eur(minor), "inv_1", "F-1", link_id);
    let key = IdempotencyKey::for_link_creation(link_id).unwrap();
    let link = client.create_payment_link(&new, &key).await.unwrap();
    pay(fake, &link.url).await;
    link
}

/// The one paid session of a link, as Acquit finds it after a payment.
async fn paid_session_of(client: &Client, link: &PaymentLink) -> CheckoutSession {
    let sessions = client
        .list_checkout_sessions_for_link(&link.id)
        .await
        .unwrap();
    let paid: Vec<_> = sessions
        .iter()
        .filter(|s| s.payment_status == SessionPaymentStatus::Paid)
        .collect();
    assert_eq!(paid.len(), 1, "{sessions:?}");
    assert!(
        sessions
            .iter()
            .all(|s| s.payment_link_id() == Some(link.id.as_str()))
    );
    paid[0].clone()
}

fn assert_all_requests_valid(fake: &Fake) {
    for request in fake.requests() {
        assert!(request["status"].as_u64().unwrap() < 500, "{request}");
        assert_request_is_valid(&request);
    }
}

#[tokio::test]
async fn create_retrieve_and_expire_a_checkout_session() {
    let fake = Fake::start().await;
    let client = fake.client(KEY);
    let mut new = NewCheckoutSession::for_invoice(
        eur(125_050),
        "inv_1",
        "F-2026-0007",
        "lnk_4",
        Lang::Fr,
        now() + 3600,
    );
    new.success_url = Some("https://acquit.example/merci".to_owned());
    new.customer_email = Some("compta@martin.example".to_owned());
    let key = IdempotencyKey::for_checkout_creation("lnk_4").unwrap();
    let session = client.create_checkout_session(&new, &key).await.unwrap();
    assert!(session.id.starts_with("cs_test_"), "{}", session.id);
    assert_eq!(session.status, Some(SessionStatus::Open));
    assert_eq!(session.payment_status, SessionPaymentStatus::Unpaid);
    assert_eq!(session.amount_total, Some(125_050));
    assert_eq!(session.currency.as_deref(), Some("eur"));
    assert_eq!(session.expires_at, new.expires_at);
    assert_eq!(session.metadata_value("acquit_invoice_id"), Some("inv_1"));
    assert_eq!(
        session.metadata_value("acquit_invoice_number"),
        Some("F-2026-0007")
    );
    assert_eq!(session.metadata_value("acquit_link_id"), Some("lnk_4"));
    assert!(session.url.is_some());
    assert!(!session.livemode);

    // The same key replays the same session.
    let again = client.create_checkout_session(&new, &key).await.unwrap();
    assert_eq!(again.id, session.id);

    let fetched = client.retrieve_checkout_session(&session.id).await.unwrap();
    assert_eq!(fetched.id, session.id);
    assert!(fetched.balance_transaction().is_none());

    let expired = client
        .expire_checkout_session(
            &session.id,
            &IdempotencyKey::for_checkout_expiry("lnk_4").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(expired.status, Some(SessionStatus::Expired));

    let requests = fake.requests();
    assert_eq!(
        requests[0]["headers"]["idempotency-key"],
        "acquit-checkout-lnk_4"
    );
    assert!(
        requests[0]["body"]
            .as_str()
            .unwrap()
            .contains("allowed_payment_method_types%5B1%5D=sepa_debit")
    );
    // The client's email: Stripe prefills it and sends its receipt there.
    assert!(
        requests[0]["body"]
            .as_str()
            .unwrap()
            .contains("customer_email=compta%40martin.example"),
        "{}",
        requests[0]["body"]
    );
    assert!(requests.iter().any(|r| {
        r["path"]
            .as_str()
            .unwrap()
            .contains("expand%5B0%5D=payment_intent.latest_charge.balance_transaction")
    }));
    assert_all_requests_valid(&fake);
}

#[tokio::test]
async fn an_expiry_out_of_range_is_refused_before_any_request() {
    let fake = Fake::start().await;
    let client = fake.client(KEY);
    let new =
        NewCheckoutSession::for_invoice(eur(5000), "inv_1", "F-1", "lnk_5", Lang::En, now() + 600);
    let key = IdempotencyKey::for_checkout_creation("lnk_5").unwrap();
    let error = client
        .create_checkout_session(&new, &key)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            CreateCheckoutError::Input(NewCheckoutError::ExpiresAtOutOfRange { .. })
        ),
        "{error:?}"
    );
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn a_paid_link_gives_its_session_fee_and_net() {
    let fake = Fake::start().await;
    let client = fake.client(KEY);
    let link = paid_link(&fake, &client, "lnk_6", 125_050).await;
    let listed = paid_session_of(&client, &link).await;
    assert_eq!(listed.status, Some(SessionStatus::Complete));
    assert_eq!(listed.amount_total, Some(125_050));
    let intent_id = listed
        .payment_intent_id()
        .expect("a paid session has a PaymentIntent");
    assert!(intent_id.starts_with("pi_"), "{intent_id}");

    let session = client.retrieve_checkout_session(&listed.id).await.unwrap();
    let charge = session.latest_charge().expect("expanded charge");
    assert_eq!((charge.amount, charge.amount_refunded), (125_050, 0));
    let txn = session
        .balance_transaction()
        .expect("expanded balance transaction");
    assert!(txn.id.starts_with("txn_"), "{}", txn.id);
    assert_eq!(txn.amount, 125_050);
    assert!(txn.fee > 0, "a card payment has a fee: {txn:?}");
    assert_eq!(txn.net, txn.amount - txn.fee);

    let fee = client
        .fee_and_net(intent_id)
        .await
        .unwrap()
        .expect("settled");
    assert_eq!((fee.fee, fee.net), (txn.fee, txn.net));
    assert_eq!(fee.currency, "eur");
    assert_eq!(fee.balance_transaction, txn.id);

    let intent = client
        .retrieve_payment_intent(intent_id, &[])
        .await
        .unwrap();
    assert_eq!(intent.status, "succeeded");
    assert_eq!(
        intent.latest_charge.as_ref().map(|c| c.id()),
        Some(charge.id.as_str())
    );
    let fetched = client.retrieve_balance_transaction(&txn.id).await.unwrap();
    assert_eq!(&fetched, txn);

    assert_all_requests_valid(&fake);
}

#[tokio::test]
async fn events_after_a_payment() {
    let fake = Fake::start().await;
    let client = fake.client(KEY);
    let since = now() - 5;
    let link = paid_link(&fake, &client, "lnk_7", 5000).await;
    let events = client
        .list_events(since, &ACQUIT_EVENT_TYPES)
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .all(|e| ACQUIT_EVENT_TYPES.contains(&e.event_type.as_str()))
    );
    assert!(
        events.windows(2).all(|w| w[0].created >= w[1].created),
        "newest first"
    );
    let completed = events
        .iter()
        .find(|e| e.kind() == EventKind::CheckoutSessionCompleted)
        .expect("checkout.session.completed after a card payment");
    assert!(completed.id.starts_with("evt_"));
    assert!(!completed.livemode);
    let session: CheckoutSession = completed.object_as().unwrap();
    assert_eq!(session.payment_link_id(), Some(link.id.as_str()));
    assert_eq!(session.payment_status, SessionPaymentStatus::Paid);

    let fetched = client.retrieve_event(&completed.id).await.unwrap();
    assert_eq!(&fetched, completed);

    // Only the types asked for.
    let only = client
        .list_events(since, &["checkout.session.expired"])
        .await
        .unwrap();
    assert!(only.is_empty(), "{only:?}");
    assert_all_requests_valid(&fake);
}

#[tokio::test]
async fn refunds_of_a_payment() {
    let fake = Fake::start().await;
    let client = fake.client(KEY);
    let link = paid_link(&fake, &client, "lnk_8", 10_000).await;
    let session = paid_session_of(&client, &link).await;
    let intent = session.payment_intent_id().unwrap().to_owned();

    let new = NewRefund {
        payment_intent: intent.clone(),
        amount: Some(2500),
        refund_id: "cn_1".to_owned(),
    };
    let key = IdempotencyKey::for_refund("cn_1").unwrap();
    let refund = client.create_refund(&new, &key).await.unwrap();
    assert!(refund.id.starts_with("re_"), "{}", refund.id);
    assert_eq!((refund.amount, refund.currency.as_str()), (2500, "eur"));
    assert_eq!(
        refund.payment_intent.as_ref().map(|p| p.id()),
        Some(intent.as_str())
    );
    let again = client.create_refund(&new, &key).await.unwrap();
    assert_eq!(again.id, refund.id, "the same key refunds once");

    // A refund made in the Dashboard shows up too.
    let body = serde_json::json!({"payment_intent": intent, "amount": 1000});
    assert_eq!(
        reqwest_post(&format!("{}/_fake/refund", fake.base), body.to_string()).await,
        200
    );
    let refunds = client
        .list_refunds(RefundsOf::PaymentIntent(&intent))
        .await
        .unwrap();
    let mut amounts: Vec<i64> = refunds.iter().map(|r| r.amount).collect();
    amounts.sort();
    assert_eq!(amounts, [1000, 2500]);
    let charge = refund
        .charge
        .as_ref()
        .expect("a refund names its charge")
        .id()
        .to_owned();
    let by_charge = client
        .list_refunds(RefundsOf::Charge(&charge))
        .await
        .unwrap();
    assert_eq!(by_charge.len(), 2);

    // 6 500 left: 7 000 is too much.
    let too_much = NewRefund {
        payment_intent: intent.clone(),
        amount: Some(7000),
        refund_id: "cn_2".to_owned(),
    };
    let error = client
        .create_refund(&too_much, &IdempotencyKey::for_refund("cn_2").unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            CreateRefundError::Stripe(StripeError::RefundTooLarge { .. })
        ),
        "{error:?}"
    );

    // The rest, then charge.refunded events.
    let rest = NewRefund {
        payment_intent: intent.clone(),
        amount: None,
        refund_id: "cn_3".to_owned(),
    };
    let last = client
        .create_refund(&rest, &IdempotencyKey::for_refund("cn_3").unwrap())
        .await
        .unwrap();
    assert_eq!(last.amount, 6500);
    let events = client.list_events(0, &["charge.refunded"]).await.unwrap();
    assert_eq!(events.len(), 3, "one charge.refunded per refund");
    assert!(events.iter().all(|e| e.kind() == EventKind::ChargeRefunded));
    let charge: acquit_stripe::Charge = events[0].object_as().unwrap();
    assert_eq!(
        charge.amount_refunded, 10_000,
        "newest first: the full refund"
    );
    assert!(charge.refunded);
    assert_all_requests_valid(&fake);
}

#[tokio::test]
async fn lists_follow_the_pages() {
    // More refunds than one page (100) holds.
    let fake = Fake::start().await;
    let client = fake.client(KEY);
    let link = paid_link(&fake, &client, "lnk_9", 20_000).await;
    let session = paid_session_of(&client, &link).await;
    let intent = session.payment_intent_id().unwrap().to_owned();
    for i in 0..105 {
        let new = NewRefund {
            payment_intent: intent.clone(),
            amount: Some(1),
            refund_id: format!("cn_{i}"),
        };
        let key = IdempotencyKey::for_refund(&new.refund_id).unwrap();
        client.create_refund(&new, &key).await.unwrap();
    }
    let refunds = client
        .list_refunds(RefundsOf::PaymentIntent(&intent))
        .await
        .unwrap();
    assert_eq!(refunds.len(), 105);
    let mut ids: Vec<&str> = refunds.iter().map(|r| r.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 105, "no refund twice across pages");
    let events = client.list_events(0, &["charge.refunded"]).await.unwrap();
    assert_eq!(events.len(), 105);

    let pages: Vec<Json> = fake
        .requests()
        .into_iter()
        .filter(|r| r["method"] == "GET" && r["path"].as_str().unwrap().starts_with("/v1/refunds"))
        .collect();
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(
        pages[1]["path"]
            .as_str()
            .unwrap()
            .contains("starting_after=re_")
    );
    assert_all_requests_valid(&fake);
}

#[tokio::test]
async fn webhook_endpoints_create_list_update_delete() {
    let fake = Fake::start().await;
    let client = fake.client(KEY);
    let url = "https://relay.example/v1/inboxes/ibx_1/stripe";
    let key = IdempotencyKey::for_webhook_endpoint_creation("ibx_1").unwrap();
    let endpoint = client
        .create_webhook_endpoint(&NewWebhookEndpoint::for_relay(url), &key)
        .await
        .unwrap();
    assert!(endpoint.id.starts_with("we_"), "{}", endpoint.id);
    assert_eq!(endpoint.url, url);
    assert_eq!(endpoint.enabled_events, ACQUIT_EVENT_TYPES);
    assert!(endpoint.is_enabled());
    assert_eq!(endpoint.api_version.as_deref(), Some("2026-10-28.endive"));
    let secret = endpoint
        .secret
        .as_ref()
        .expect("the secret comes with the creation");
    assert!(secret.expose().starts_with("whsec_"));
    assert!(!format!("{endpoint:?}").contains(&secret.expose()[6..]));

    let listed = client.list_webhook_endpoints().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, endpoint.id);
    assert!(listed[0].secret.is_none(), "Stripe shows the secret once");

    let off = client
        .update_webhook_endpoint(
            &endpoint.id,
            &WebhookEndpointUpdate {
                disabled: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(!off.is_enabled());
    let moved = client
        .update_webhook_endpoint(
            &endpoint.id,
            &WebhookEndpointUpdate {
                url: Some("https://relay2.example/v1/inboxes/ibx_1/stripe".to_owned()),
                enabled_events: Some(vec!["charge.refunded".to_owned()]),
                disabled: Some(false),
            },
        )
        .await
        .unwrap();
    assert!(moved.is_enabled());
    assert_eq!(moved.url, "https://relay2.example/v1/inboxes/ibx_1/stripe");
    assert_eq!(moved.enabled_events, ["charge.refunded"]);

    let deleted = client.delete_webhook_endpoint(&endpoint.id).await.unwrap();
    assert!(deleted.deleted);
    assert_eq!(deleted.id, endpoint.id);
    assert!(client.list_webhook_endpoints().await.unwrap().is_empty());

    let requests = fake.requests();
    assert!(
        requests
            .iter()
            .all(|r| !r.to_string().contains(&secret.expose()[6..]))
    );
    let delete = requests.iter().find(|r| r["method"] == "DELETE").unwrap();
    assert!(delete["headers"]["idempotency-key"].is_null(), "{delete}");
    assert_all_requests_valid(&fake);
}

#[tokio::test]
async fn a_403_names_the_permission_the_endpoint_needs() {
    let fake = Fake::start().await;
    let client = fake.client("rk_test_acquitClientTest0000004242");
    fake.fail("/v1/webhook_endpoints", 403, 1).await;
    let error = client
        .create_webhook_endpoint(
            &NewWebhookEndpoint::for_relay("https://relay.example/x"),
            &IdempotencyKey::for_webhook_endpoint_creation("ibx_2").unwrap(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&error, StripeError::MissingPermission { permission, .. } if *permission == Permission::WEBHOOK_ENDPOINTS_WRITE),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("set “Webhook Endpoints” to “Write”"),
        "{error}"
    );
    fake.fail("/v1/events", 403, 1).await;
    let error = client
        .list_events(0, &ACQUIT_EVENT_TYPES)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("set “Events” to “Read”"),
        "{error}"
    );
    assert_eq!(fake.requests().len(), 2, "a 403 is not retried");
}

#[tokio::test]
async fn a_pending_sepa_debit_has_no_fee_until_it_clears() {
    let fake = Fake::start_with(fake_stripe::Config {
        sepa_delay: Duration::from_millis(800),
        ..Default::default()
    })
    .await;
    let client = fake.client(KEY);
    let since = now() - 5;
    let new = NewPaymentLink::for_invoice(eur(30_000), "inv_2", "F-2", "lnk_10");
    let link = client
        .create_payment_link(&new, &IdempotencyKey::for_link_creation("lnk_10").unwrap())
        .await
        .unwrap();
    let body = serde_json::json!({"url": link.url, "method": "sepa_debit"});
    assert_eq!(
        reqwest_post(&format!("{}/_fake/pay", fake.base), body.to_string()).await,
        200
    );
    let sessions = client
        .list_checkout_sessions_for_link(&link.id)
        .await
        .unwrap();
    let session = sessions
        .iter()
        .find(|s| s.status == Some(SessionStatus::Complete))
        .expect("a completed session");
    assert_eq!(
        session.payment_status,
        SessionPaymentStatus::Unpaid,
        "not cleared yet"
    );
    let intent = session
        .payment_intent_id()
        .expect("a PaymentIntent")
        .to_owned();
    assert_eq!(client.fee_and_net(&intent).await.unwrap(), None);

    let mut fee = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        fee = client.fee_and_net(&intent).await.unwrap();
        if fee.is_some() {
            break;
        }
    }
    let fee = fee.expect("the debit cleared");
    assert_eq!(fee.fee + fee.net, 30_000);
    let kinds: Vec<EventKind> = client
        .list_events(since, &ACQUIT_EVENT_TYPES)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind())
        .collect();
    assert!(
        kinds.contains(&EventKind::CheckoutSessionCompleted),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&EventKind::CheckoutSessionAsyncPaymentSucceeded),
        "{kinds:?}"
    );
    assert_all_requests_valid(&fake);
}
