//! Customers paying, events, webhooks, Checkout Sessions, refunds and the
//! hosted page, over real HTTP.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

const KEY: &str = "sk_test_fakeStripePayments4242";
const VERSION: &str = "2026-10-28.endive";
const LINK: &str = "line_items[0][price_data][currency]=eur&line_items[0][price_data][unit_amount]=1000\
    &line_items[0][price_data][product_data][name]=Facture+F-1&line_items[0][quantity]=1\
    &metadata[invoice]=F-1&metadata[acquit_link]=lnk_1";

async fn start_with(config: fake_stripe::Config) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(fake_stripe::serve(listener, config));
    base
}

async fn start() -> String {
    start_with(fake_stripe::Config {
        sepa_delay: Duration::from_millis(200),
        ..Default::default()
    })
    .await
}

async fn post(base: &str, path: &str, body: &str) -> (u16, Value) {
    let response = acquit_testkit::http()
        .post(format!("{base}{path}"))
        .header("authorization", format!("Bearer {KEY}"))
        .header("stripe-version", VERSION)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap(),
    )
}

async fn get(base: &str, path: &str) -> (u16, Value) {
    let response = acquit_testkit::http()
        .get(format!("{base}{path}"))
        .header("authorization", format!("Bearer {KEY}"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap(),
    )
}

async fn delete(base: &str, path: &str) -> (u16, Value) {
    let response = acquit_testkit::http()
        .delete(format!("{base}{path}"))
        .header("authorization", format!("Bearer {KEY}"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap(),
    )
}

async fn control(base: &str, name: &str, body: Value) -> (u16, Value) {
    let response = acquit_testkit::http()
        .post(format!("{base}/_fake/{name}"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap(),
    )
}

async fn link(base: &str, extra: &str) -> Value {
    let (status, link) = post(base, "/v1/payment_links", &format!("{LINK}{extra}")).await;
    assert_eq!(status, 200, "{link}");
    link
}

async fn events(base: &str, query: &str) -> Vec<Value> {
    let path = if query.is_empty() {
        "/v1/events".to_owned()
    } else {
        format!("/v1/events?{query}")
    };
    let (status, list) = get(base, &path).await;
    assert_eq!(status, 200, "{list}");
    list["data"].as_array().unwrap().clone()
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

/// Polls until `check` holds (or panics after 10 s).
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_card_payment_completes_the_link_with_stripe_france_fees() {
    let base = start().await;
    let link = link(&base, "").await;
    let (status, paid) = control(
        &base,
        "pay",
        json!({"url": link["url"], "method": "card", "card": "4242424242424242",
               "email": "client@example.test", "name": "Client SARL"}),
    )
    .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["status"], "complete");
    assert_eq!(paid["payment_status"], "paid");
    let cs = paid["checkout_session"].as_str().unwrap();
    assert!(cs.starts_with("cs_test_"));

    let (status, sessions) = get(
        &base,
        &format!(
            "/v1/checkout/sessions?payment_link={}",
            link["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(sessions["object"], "list");
    assert_eq!(sessions["data"][0]["id"], cs);

    let (status, session) = get(
        &base,
        &format!(
            "/v1/checkout/sessions/{cs}?expand[]=payment_intent.latest_charge.balance_transaction"
        ),
    )
    .await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["object"], "checkout.session");
    assert_eq!(session["mode"], "payment");
    assert_eq!(session["payment_link"], link["id"]);
    assert_eq!(session["amount_total"], 1000);
    assert_eq!(session["amount_subtotal"], 1000);
    assert_eq!(session["currency"], "eur");
    assert_eq!(
        session["metadata"],
        json!({"invoice": "F-1", "acquit_link": "lnk_1"})
    );
    assert_eq!(session["customer_details"]["email"], "client@example.test");
    assert_eq!(session["customer_details"]["name"], "Client SARL");
    let pi = &session["payment_intent"];
    assert_eq!(pi["object"], "payment_intent");
    assert_eq!(pi["status"], "succeeded");
    assert_eq!(pi["amount_received"], 1000);
    assert_eq!(pi["payment_method_types"], json!(["card"]));
    let charge = &pi["latest_charge"];
    assert_eq!(charge["object"], "charge");
    assert_eq!(charge["paid"], true);
    assert_eq!(charge["amount_refunded"], 0);
    assert_eq!(charge["refunded"], false);
    assert_eq!(charge["payment_intent"], pi["id"]);
    let txn = &charge["balance_transaction"];
    assert_eq!(txn["object"], "balance_transaction");
    assert_eq!(txn["type"], "charge");
    assert_eq!(txn["source"], charge["id"]);
    // 1.5 % of €10.00 = 15 cents, + 25 cents.
    assert_eq!(
        (&txn["amount"], &txn["fee"], &txn["net"]),
        (&json!(1000), &json!(40), &json!(960))
    );
    assert_eq!(txn["fee_details"][0]["type"], "stripe_fee");

    // Unexpanded, the same objects by id.
    let pi_id = paid["payment_intent"].as_str().unwrap();
    let (_, plain) = get(&base, &format!("/v1/payment_intents/{pi_id}")).await;
    assert_eq!(plain["latest_charge"], charge["id"]);
    let (_, expanded) = get(
        &base,
        &format!("/v1/payment_intents/{pi_id}?expand[0]=latest_charge.balance_transaction"),
    )
    .await;
    assert_eq!(expanded["latest_charge"]["balance_transaction"], *txn);
    let (status, fetched) = get(
        &base,
        &format!("/v1/charges/{}", charge["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!((status, &fetched["balance_transaction"]), (200, &txn["id"]));
    let (status, fetched) = get(
        &base,
        &format!("/v1/balance_transactions/{}", txn["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!((status, &fetched), (200, txn));

    let events = events(&base, "").await;
    assert_eq!(types(&events), ["checkout.session.completed"]);
    let event = &events[0];
    assert!(event["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(event["object"], "event");
    assert_eq!(event["api_version"], VERSION);
    assert_eq!(event["livemode"], false);
    assert_eq!(event["pending_webhooks"], 0);
    assert_eq!(
        event["request"],
        json!({"id": null, "idempotency_key": null})
    );
    assert_eq!(event["data"]["object"]["id"], cs);
    assert_eq!(event["data"]["object"]["payment_status"], "paid");
    let (status, one) = get(
        &base,
        &format!("/v1/events/{}", event["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!((status, &one), (200, event));
}

#[tokio::test]
async fn a_declined_card_is_a_402_card_error_and_nothing_happens() {
    let base = start().await;
    let link = link(&base, "").await;
    let (status, body) = control(
        &base,
        "pay",
        json!({"url": link["id"], "method": "card", "card": "4000000000000002"}),
    )
    .await;
    assert_eq!(status, 402);
    assert_eq!(body["error"]["type"], "card_error");
    assert_eq!(body["error"]["code"], "card_declined");
    assert_eq!(body["error"]["decline_code"], "generic_decline");
    assert_eq!(body["error"]["message"], "Your card was declined.");
    assert!(events(&base, "").await.is_empty());
    let (_, sessions) = get(&base, "/v1/checkout/sessions").await;
    assert_eq!(sessions["data"], json!([]));
    let (_, fetched) = get(
        &base,
        &format!("/v1/payment_links/{}", link["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(fetched["active"], true);
}

#[tokio::test]
async fn sepa_debits_complete_unpaid_then_succeed_or_fail() {
    let base = start().await;
    let link = link(&base, "").await;

    let (status, paid) = control(
        &base,
        "pay",
        json!({"url": link["url"], "method": "sepa_debit"}),
    )
    .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["status"], "complete");
    assert_eq!(paid["payment_status"], "unpaid");
    let pi = paid["payment_intent"].as_str().unwrap().to_owned();
    let (_, intent) = get(&base, &format!("/v1/payment_intents/{pi}")).await;
    assert_eq!(intent["status"], "processing");
    assert_eq!(
        types(&events(&base, "").await),
        ["checkout.session.completed"]
    );

    let (status, failing) = control(
        &base,
        "pay",
        json!({"url": link["url"], "method": "sepa_debit", "iban": "AT861904300235473202"}),
    )
    .await;
    assert_eq!(status, 200, "{failing}");
    let failing_pi = failing["payment_intent"].as_str().unwrap().to_owned();

    eventually("both debits settle", || async {
        events(&base, "").await.len() == 4
    })
    .await;
    let all = events(&base, "");
    let all = all.await;
    let succeeded: Vec<&Value> = all
        .iter()
        .filter(|e| e["type"] == "checkout.session.async_payment_succeeded")
        .collect();
    let failed: Vec<&Value> = all
        .iter()
        .filter(|e| e["type"] == "checkout.session.async_payment_failed")
        .collect();
    assert_eq!((succeeded.len(), failed.len()), (1, 1));
    assert_eq!(succeeded[0]["data"]["object"]["payment_status"], "paid");
    assert_eq!(
        succeeded[0]["data"]["object"]["payment_intent"],
        pi.as_str()
    );
    assert_eq!(failed[0]["data"]["object"]["payment_status"], "unpaid");
    assert_eq!(
        failed[0]["data"]["object"]["payment_intent"],
        failing_pi.as_str()
    );

    let (_, intent) = get(
        &base,
        &format!("/v1/payment_intents/{pi}?expand[]=latest_charge.balance_transaction"),
    )
    .await;
    assert_eq!(intent["status"], "succeeded");
    assert_eq!(intent["payment_method_types"], json!(["sepa_debit"]));
    let txn = &intent["latest_charge"]["balance_transaction"];
    assert_eq!((&txn["fee"], &txn["net"]), (&json!(35), &json!(965)));

    let (_, intent) = get(
        &base,
        &format!("/v1/payment_intents/{failing_pi}?expand[]=latest_charge"),
    )
    .await;
    assert_eq!(intent["status"], "requires_payment_method");
    assert_eq!(intent["last_payment_error"]["code"], "insufficient_funds");
    assert_eq!(intent["latest_charge"]["status"], "failed");
    assert_eq!(intent["latest_charge"]["balance_transaction"], Value::Null);
}

#[tokio::test]
async fn a_link_limited_to_one_session_deactivates_after_it() {
    let base = start().await;
    let link = link(&base, "&restrictions[completed_sessions][limit]=1").await;
    let id = link["id"].as_str().unwrap();
    let (status, _) = control(&base, "pay", json!({"url": link["url"], "method": "card"})).await;
    assert_eq!(status, 200);
    let (_, fetched) = get(&base, &format!("/v1/payment_links/{id}")).await;
    assert_eq!(fetched["active"], false);
    assert_eq!(
        fetched["restrictions"]["completed_sessions"],
        json!({"count": 1, "limit": 1})
    );
    let events = events(&base, "").await;
    assert_eq!(
        types(&events),
        ["payment_link.updated", "checkout.session.completed"]
    );
    assert_eq!(events[0]["data"]["object"]["active"], false);
    assert_eq!(events[0]["data"]["previous_attributes"]["active"], true);

    let (status, refused) =
        control(&base, "pay", json!({"url": link["url"], "method": "card"})).await;
    assert_eq!(status, 400);
    assert_eq!(refused["error"]["code"], "payment_link_inactive");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no longer active")
    );

    // A link deactivated by the API is refused too.
    let other = self::link(&base, "").await;
    let other_id = other["id"].as_str().unwrap();
    post(
        &base,
        &format!("/v1/payment_links/{other_id}"),
        "active=false",
    )
    .await;
    let (status, _) = control(&base, "pay", json!({"url": other_id, "method": "card"})).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn events_list_paginates_and_filters() {
    let base = start().await;
    let link = link(&base, "").await;
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut pis = Vec::new();
    for _ in 0..3 {
        let (_, paid) = control(&base, "pay", json!({"url": link["url"]})).await;
        pis.push(paid["payment_intent"].as_str().unwrap().to_owned());
    }
    control(
        &base,
        "refund",
        json!({"payment_intent": pis[0], "amount": 100}),
    )
    .await;
    let all = events(&base, "").await;
    assert_eq!(
        types(&all),
        [
            "charge.refunded",
            "checkout.session.completed",
            "checkout.session.completed",
            "checkout.session.completed"
        ]
    );
    let ids: Vec<&str> = all.iter().map(|e| e["id"].as_str().unwrap()).collect();

    let (_, page) = get(&base, "/v1/events?limit=2").await;
    assert_eq!(page["url"], "/v1/events");
    assert_eq!(page["has_more"], true);
    let page_ids: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(page_ids, ids[..2]);
    let (_, page) = get(
        &base,
        &format!("/v1/events?limit=2&starting_after={}", ids[1]),
    )
    .await;
    assert_eq!(page["has_more"], false);
    assert_eq!(page["data"][0]["id"], ids[2]);
    assert_eq!(page["data"][1]["id"], ids[3]);
    let (_, page) = get(
        &base,
        &format!("/v1/events?limit=1&ending_before={}", ids[2]),
    )
    .await;
    assert_eq!(page["data"][0]["id"], ids[1]);
    assert_eq!(page["has_more"], true);

    assert_eq!(events(&base, "type=charge.refunded").await.len(), 1);
    assert_eq!(events(&base, "type=checkout.session.*").await.len(), 3);
    assert_eq!(
        events(
            &base,
            "types[]=charge.refunded&types[]=checkout.session.completed"
        )
        .await
        .len(),
        4
    );
    assert_eq!(
        events(&base, &format!("created[gte]={before}")).await.len(),
        4
    );
    assert_eq!(
        events(&base, &format!("created[lt]={before}")).await.len(),
        0
    );

    let (status, error) = get(&base, "/v1/events?limit=0").await;
    assert_eq!(
        (status, error["error"]["param"].as_str()),
        (400, Some("limit"))
    );
    let (status, error) = get(&base, "/v1/events?limit=101").await;
    assert_eq!(status, 400, "{error}");
    let (status, error) = get(&base, "/v1/events?colour=red").await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (400, Some("parameter_unknown"))
    );
    let (status, error) = get(&base, "/v1/events?limit=ten").await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (400, Some("parameter_invalid_integer"))
    );
    let (status, error) = get(&base, "/v1/events/evt_nope").await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (404, Some("resource_missing"))
    );
}

/// A webhook receiver that answers 500 to its first `fail_first` requests.
#[derive(Clone, Default)]
struct Receiver {
    fail_first: usize,
    calls: Arc<AtomicUsize>,
    accepted: Arc<Mutex<Vec<(HeaderMap, String)>>>,
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let n = receiver.calls.fetch_add(1, Ordering::SeqCst);
    if n < receiver.fail_first {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    receiver
        .accepted
        .lock()
        .unwrap()
        .push((headers, String::from_utf8(body.to_vec()).unwrap()));
    StatusCode::OK
}

async fn start_receiver(fail_first: usize) -> (String, Receiver) {
    let receiver = Receiver {
        fail_first,
        ..Default::default()
    };
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, receiver)
}

impl Receiver {
    fn accepted(&self) -> Vec<(HeaderMap, Value)> {
        self.accepted
            .lock()
            .unwrap()
            .iter()
            .map(|(h, b)| (h.clone(), serde_json::from_str(b).unwrap()))
            .collect()
    }
}

/// Checks `Stripe-Signature` as Stripe's libraries do.
fn verify(secret: &str, header: &str, body: &str) -> bool {
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value.to_owned()),
            Some(("v1", value)) => v1.push(value.to_owned()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let expected = hex::encode(mac.finalize().into_bytes());
    v1.contains(&expected)
}

#[tokio::test]
async fn webhooks_are_signed_retried_and_managed() {
    let base = start().await;
    let (url, receiver) = start_receiver(2).await;
    let (status, endpoint) = post(
        &base,
        "/v1/webhook_endpoints",
        &format!(
            "url={}&enabled_events[]=checkout.session.completed&enabled_events[]=charge.refunded",
            url.replace(':', "%3A").replace('/', "%2F")
        ),
    )
    .await;
    assert_eq!(status, 200, "{endpoint}");
    let we = endpoint["id"].as_str().unwrap().to_owned();
    assert!(we.starts_with("we_"));
    assert_eq!(endpoint["object"], "webhook_endpoint");
    assert_eq!(endpoint["status"], "enabled");
    assert_eq!(endpoint["url"], url);
    let secret = endpoint["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));

    let (_, listed) = get(&base, "/v1/webhook_endpoints").await;
    assert_eq!(listed["data"][0]["id"], we.as_str());
    assert!(listed["data"][0].get("secret").is_none());
    let (_, fetched) = get(&base, &format!("/v1/webhook_endpoints/{we}")).await;
    assert!(fetched.get("secret").is_none());

    let link = link(&base, "&restrictions[completed_sessions][limit]=1").await;
    control(&base, "pay", json!({"url": link["url"]})).await;
    eventually("the event is delivered after two refusals", || async {
        !receiver.accepted().is_empty()
    })
    .await;
    assert_eq!(receiver.calls.load(Ordering::SeqCst), 3);
    let (headers, event) = receiver.accepted()[0].clone();
    let raw = receiver.accepted.lock().unwrap()[0].1.clone();
    // payment_link.updated is not among enabled_events: not sent.
    assert_eq!(event["type"], "checkout.session.completed");
    assert_eq!(event["object"], "event");
    let signature = headers["stripe-signature"].to_str().unwrap();
    assert!(signature.starts_with("t="), "{signature}");
    assert!(
        verify(&secret, signature, &raw),
        "bad signature {signature}"
    );
    assert!(!verify("whsec_other", signature, &raw));
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert!(
        headers["user-agent"]
            .to_str()
            .unwrap()
            .starts_with("Stripe/")
    );
    let event_id = event["id"].as_str().unwrap().to_owned();
    eventually("pending_webhooks drops to 0", || async {
        get(&base, &format!("/v1/events/{event_id}")).await.1["pending_webhooks"] == 0
    })
    .await;

    // Disabled: nothing sent. Enabled again with "*": everything.
    let (status, updated) = post(
        &base,
        &format!("/v1/webhook_endpoints/{we}"),
        "disabled=true",
    )
    .await;
    assert_eq!((status, &updated["status"]), (200, &json!("disabled")));
    let second = self::link(&base, "").await;
    control(&base, "pay", json!({"url": second["url"]})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.accepted().len(), 1);
    let (_, updated) = post(
        &base,
        &format!("/v1/webhook_endpoints/{we}"),
        "disabled=false&enabled_events[0]=*",
    )
    .await;
    assert_eq!(updated["enabled_events"], json!(["*"]));
    let (_, paid) = control(&base, "pay", json!({"url": second["url"]})).await;
    control(
        &base,
        "refund",
        json!({"payment_intent": paid["payment_intent"]}),
    )
    .await;
    eventually("two more deliveries", || async {
        receiver.accepted().len() == 3
    })
    .await;

    let (status, error) = post(&base, "/v1/webhook_endpoints", "url=http%3A%2F%2Fx").await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (400, Some("parameter_missing"))
    );
    let (status, error) = post(
        &base,
        "/v1/webhook_endpoints",
        "url=http%3A%2F%2Fx&enabled_events[]=no.such.event",
    )
    .await;
    assert_eq!(status, 400, "{error}");
    let (status, deleted) = delete(&base, &format!("/v1/webhook_endpoints/{we}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        deleted,
        json!({"id": we, "object": "webhook_endpoint", "deleted": true})
    );
    let (status, _) = get(&base, &format!("/v1/webhook_endpoints/{we}")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn webhooks_can_be_duplicated_and_reordered() {
    let base = start().await;
    let (url, receiver) = start_receiver(0).await;
    post(
        &base,
        "/v1/webhook_endpoints",
        &format!(
            "url={}&enabled_events[]=*",
            url.replace(':', "%3A").replace('/', "%2F")
        ),
    )
    .await;
    let link = link(&base, "").await;

    let (status, mode) = control(&base, "webhooks", json!({"duplicate": true})).await;
    assert_eq!(
        (status, mode),
        (200, json!({"duplicate": true, "reorder": false}))
    );
    control(&base, "pay", json!({"url": link["url"]})).await;
    eventually("two copies", || async { receiver.accepted().len() == 2 }).await;
    let got = receiver.accepted();
    assert_eq!(got[0].1["id"], got[1].1["id"]);

    control(
        &base,
        "webhooks",
        json!({"duplicate": false, "reorder": true}),
    )
    .await;
    for _ in 0..3 {
        control(&base, "pay", json!({"url": link["url"]})).await;
    }
    eventually("three more", || async { receiver.accepted().len() == 5 }).await;
    let created: Vec<Value> = events(&base, "limit=3")
        .await
        .iter()
        .map(|e| e["id"].clone())
        .collect(); // newest first
    let received: Vec<Value> = receiver.accepted()[2..]
        .iter()
        .map(|(_, e)| e["id"].clone())
        .collect();
    assert_eq!(received, created, "reorder sends newest first");
}

#[tokio::test]
async fn checkout_sessions_by_the_api_expire() {
    let base = start().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let items = "line_items[0][price_data][currency]=eur&line_items[0][price_data][unit_amount]=2500\
        &line_items[0][price_data][product_data][name]=Acompte&line_items[0][quantity]=2\
        &mode=payment&success_url=https%3A%2F%2Fexample.test%2Fok&metadata[invoice]=F-2\
        &allowed_payment_method_types[0]=card";
    for (offset, message) in [
        (10 * 60, "at least 30 minutes"),
        (25 * 3600, "less than 24 hours"),
    ] {
        let (status, error) = post(
            &base,
            "/v1/checkout/sessions",
            &format!("{items}&expires_at={}", now + offset),
        )
        .await;
        assert_eq!(status, 400, "{error}");
        assert_eq!(error["error"]["type"], "invalid_request_error");
        assert_eq!(error["error"]["param"], "expires_at");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains(message)
        );
    }
    let (status, session) = post(
        &base,
        "/v1/checkout/sessions",
        &format!("{items}&expires_at={}", now + 3600),
    )
    .await;
    assert_eq!(status, 200, "{session}");
    let cs = session["id"].as_str().unwrap().to_owned();
    assert!(cs.starts_with("cs_test_"));
    assert_eq!(session["url"], format!("{base}/pay/{cs}"));
    assert_eq!(session["status"], "open");
    assert_eq!(session["payment_status"], "unpaid");
    assert_eq!(session["amount_total"], 5000);
    assert_eq!(session["payment_method_types"], json!(["card"]));
    assert_eq!(session["payment_intent"], Value::Null);
    assert_eq!(session["success_url"], "https://example.test/ok");
    assert_eq!(session["metadata"], json!({"invoice": "F-2"}));
    let (_, fetched) = get(&base, &format!("/v1/checkout/sessions/{cs}")).await;
    assert_eq!(fetched, session);

    // SEPA is not among its methods.
    let (status, _) = control(
        &base,
        "pay",
        json!({"url": session["url"], "method": "sepa_debit"}),
    )
    .await;
    assert_eq!(status, 400);

    let (status, expired) = post(&base, &format!("/v1/checkout/sessions/{cs}/expire"), "").await;
    assert_eq!(status, 200, "{expired}");
    assert_eq!(expired["status"], "expired");
    assert_eq!(
        types(&events(&base, "").await),
        ["checkout.session.expired"]
    );
    let (status, again) = post(&base, &format!("/v1/checkout/sessions/{cs}/expire"), "").await;
    assert_eq!(status, 400, "{again}");
    let (status, refused) = control(&base, "pay", json!({"url": cs})).await;
    assert_eq!(status, 400);
    assert_eq!(refused["error"]["code"], "checkout_session_not_open");

    // Past its expires_at (the fake's clock moved on), a session expires
    // by itself, with the same event.
    let (_, short) = post(
        &base,
        "/v1/checkout/sessions",
        &format!("{items}&expires_at={}", now + 31 * 60),
    )
    .await;
    let (status, clock) = control(&base, "clock", json!({"advance_seconds": 32 * 60})).await;
    assert_eq!(status, 200);
    assert!(clock["now"].as_u64().unwrap() >= now + 32 * 60);
    let expired = events(&base, "type=checkout.session.expired").await;
    assert_eq!(expired.len(), 2);
    assert_eq!(expired[0]["data"]["object"]["id"], short["id"]);
    assert_eq!(expired[0]["data"]["object"]["status"], "expired");

    // An open session is paid by its URL, like a link.
    let (_, open) = post(&base, "/v1/checkout/sessions", items).await;
    assert!(open["expires_at"].as_u64().unwrap() >= now + 32 * 60 + 24 * 3600 - 5);
    let (status, paid) = control(&base, "pay", json!({"url": open["url"]})).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["checkout_session"], open["id"]);
    let (_, done) = get(
        &base,
        &format!("/v1/checkout/sessions/{}", open["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(done["status"], "complete");
    assert_eq!(done["metadata"], json!({"invoice": "F-2"}));

    let (status, error) = post(
        &base,
        "/v1/checkout/sessions",
        &format!("{items}&payment_method_types[0]=card"),
    )
    .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (400, Some("parameter_unknown"))
    );
}

#[tokio::test]
async fn refunds_update_the_charge_and_announce_it() {
    let base = start().await;
    let link = link(&base, "").await;
    let (_, paid) = control(&base, "pay", json!({"url": link["url"]})).await;
    let pi = paid["payment_intent"].as_str().unwrap().to_owned();

    let (status, refund) = control(
        &base,
        "refund",
        json!({"payment_intent": pi, "amount": 300}),
    )
    .await;
    assert_eq!(status, 200, "{refund}");
    assert!(refund["id"].as_str().unwrap().starts_with("re_"));
    assert_eq!(refund["object"], "refund");
    assert_eq!(refund["amount"], 300);
    assert_eq!(refund["status"], "succeeded");
    assert_eq!(refund["payment_intent"], pi.as_str());
    let (_, charge) = get(
        &base,
        &format!("/v1/charges/{}", paid["charge"].as_str().unwrap()),
    )
    .await;
    assert_eq!(
        (&charge["amount_refunded"], &charge["refunded"]),
        (&json!(300), &json!(false))
    );
    let event = &events(&base, "type=charge.refunded").await[0];
    assert_eq!(event["data"]["object"]["object"], "charge");
    assert_eq!(event["data"]["object"]["amount_refunded"], 300);

    let (status, error) = post(
        &base,
        "/v1/refunds",
        &format!("payment_intent={pi}&amount=800"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["type"], "invalid_request_error");
    assert_eq!(error["error"]["param"], "amount");
    let (status, rest) = post(&base, "/v1/refunds", &format!("payment_intent={pi}")).await;
    assert_eq!(status, 200, "{rest}");
    assert_eq!(rest["amount"], 700);
    let (_, charge) = get(
        &base,
        &format!("/v1/charges/{}", charge["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(
        (&charge["amount_refunded"], &charge["refunded"]),
        (&json!(1000), &json!(true))
    );
    let (status, error) = post(
        &base,
        "/v1/refunds",
        &format!("payment_intent={pi}&amount=1"),
    )
    .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (400, Some("charge_already_refunded"))
    );

    let (_, list) = get(&base, &format!("/v1/refunds?payment_intent={pi}")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    assert_eq!(list["data"][0]["id"], rest["id"]);
    let (_, list) = get(&base, "/v1/refunds?payment_intent=pi_other").await;
    assert_eq!(list["data"], json!([]));
    let (_, txn) = get(
        &base,
        &format!(
            "/v1/balance_transactions/{}",
            rest["balance_transaction"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(
        (&txn["type"], &txn["amount"]),
        (&json!("refund"), &json!(-700))
    );
    let (status, _) = control(&base, "refund", json!({"payment_intent": "pi_nope"})).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_hosted_page_escapes_and_pays() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("requests.jsonl");
    let base = start_with(fake_stripe::Config {
        log: Some(log.clone()),
        ..Default::default()
    })
    .await;
    let (_, link) = post(
        &base,
        "/v1/payment_links",
        "line_items[0][price_data][currency]=eur&line_items[0][price_data][unit_amount]=12345\
         &line_items[0][price_data][product_data][name]=%3Cscript%3Ealert(1)%3C%2Fscript%3E&line_items[0][quantity]=1\
         &after_completion[type]=hosted_confirmation\
         &after_completion[hosted_confirmation][custom_message]=Merci+%3Cb%3E",
    )
    .await;
    let url = link["url"].as_str().unwrap();
    let page = acquit_testkit::http().get(url).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("123.45 EUR"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>"));
    assert!(html.contains("Pay with test card 4242"));
    assert!(html.contains("SEPA"));

    let paid = acquit_testkit::http()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("method=card")
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status().as_u16(), 200);
    assert!(
        paid.text()
            .await
            .unwrap()
            .contains("Payment of 123.45 EUR received")
    );
    assert_eq!(
        types(&events(&base, "").await),
        ["checkout.session.completed"]
    );
    let missing = acquit_testkit::http()
        .get(format!("{base}/pay/plink_nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);

    // A session with a success_url redirects there.
    let (_, session) = post(
        &base,
        "/v1/checkout/sessions",
        "line_items[0][price_data][currency]=eur&line_items[0][price_data][unit_amount]=500\
         &line_items[0][price_data][product_data][name]=X&line_items[0][quantity]=1\
         &success_url=https%3A%2F%2Fexample.test%2Fok%3Fcs%3D%7BCHECKOUT_SESSION_ID%7D",
    )
    .await;
    let no_redirects = acquit_testkit::http_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let paid = no_redirects
        .post(session["url"].as_str().unwrap())
        .body("method=sepa_debit")
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status().as_u16(), 303);
    assert_eq!(
        paid.headers()["location"],
        format!(
            "https://example.test/ok?cs={}",
            session["id"].as_str().unwrap()
        )
        .as_str()
    );
    let gone = acquit_testkit::http()
        .get(session["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status().as_u16(), 410);
    assert!(
        gone.text()
            .await
            .unwrap()
            .contains("already been completed")
    );

    // Every /v1 request is in the log, the control and the page are not.
    let text = std::fs::read_to_string(&log).unwrap();
    let paths: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["path"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        paths,
        ["/v1/payment_links", "/v1/events", "/v1/checkout/sessions"]
    );
}
