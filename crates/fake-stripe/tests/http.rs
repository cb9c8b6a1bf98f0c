//! The fake over real HTTP, as any client sees it: auth, validation errors
//! in Stripe's shape, idempotency, faults, the request log, the binary.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

const KEY: &str = "sk_test_fakeStripeHttpTest4242";
const VERSION: &str = "2026-10-28.endive";
const LINK: &str = "line_items[0][price_data][currency]=eur&line_items[0][price_data][unit_amount]=1000\
    &line_items[0][price_data][product_data][name]=Facture+F-1&line_items[0][quantity]=1";

async fn start(log: Option<std::path::PathBuf>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = fake_stripe::Config {
        log,
        ..Default::default()
    };
    tokio::spawn(fake_stripe::serve(listener, config));
    base
}

async fn post(base: &str, path: &str, key: &str, idem: Option<&str>, body: &str) -> (u16, Value) {
    let mut request = acquit_testkit::http()
        .post(format!("{base}{path}"))
        .header("authorization", format!("Bearer {key}"))
        .header("stripe-version", VERSION)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned());
    if let Some(idem) = idem {
        request = request.header("idempotency-key", idem);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

async fn get(base: &str, path: &str, key: &str) -> (u16, Value) {
    let response = acquit_testkit::http()
        .get(format!("{base}{path}"))
        .header("authorization", format!("Bearer {key}"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap(),
    )
}

#[tokio::test]
async fn auth_accepts_only_test_secret_and_restricted_keys() {
    let base = start(None).await;
    assert_eq!(get(&base, "/v1/account", KEY).await.0, 200);
    assert_eq!(get(&base, "/v1/account", "rk_test_abc123").await.0, 200);
    for key in ["sk_live_abc123456789", "pk_test_abc", "nonsense", ""] {
        let (status, body) = get(&base, "/v1/account", key).await;
        assert_eq!(status, 401, "{key}");
        assert_eq!(body["error"]["type"], "invalid_request_error");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("Invalid API Key provided")
        );
    }
    let response = acquit_testkit::http()
        .get(format!("{base}/v1/account"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
}

#[tokio::test]
async fn parameters_are_judged_by_the_spec() {
    let base = start(None).await;
    let (status, body) = post(
        &base,
        "/v1/payment_links",
        KEY,
        None,
        &format!("{LINK}&colour=red"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "parameter_unknown");
    assert_eq!(body["error"]["param"], "colour");
    assert_eq!(
        body["error"]["message"],
        "Received unknown parameter: colour"
    );
    let (status, body) = post(&base, "/v1/payment_links", KEY, None, "").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("parameter_missing"))
    );
    let (status, body) = post(&base, "/v1/payment_links", KEY, None, LINK).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["id"].as_str().unwrap().starts_with("plink_"));
    assert_eq!(
        body["url"],
        format!("{base}/pay/{}", body["id"].as_str().unwrap())
    );
}

#[tokio::test]
async fn links_can_be_retrieved_and_deactivated() {
    let base = start(None).await;
    let (_, link) = post(&base, "/v1/payment_links", KEY, None, LINK).await;
    let id = link["id"].as_str().unwrap();
    let (status, updated) = post(
        &base,
        &format!("/v1/payment_links/{id}"),
        KEY,
        None,
        "active=false",
    )
    .await;
    assert_eq!((status, &updated["active"]), (200, &Value::Bool(false)));
    let (status, fetched) = get(&base, &format!("/v1/payment_links/{id}"), KEY).await;
    assert_eq!((status, &fetched), (200, &updated));
    let (status, missing) = get(&base, "/v1/payment_links/plink_nope", KEY).await;
    assert_eq!(
        (status, missing["error"]["code"].as_str()),
        (404, Some("resource_missing"))
    );
    let (status, _) = get(&base, "/v1/charges", KEY).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn idempotency_replays_and_conflicts() {
    let base = start(None).await;
    let first = post(&base, "/v1/payment_links", KEY, Some("k1"), LINK).await;
    let again = post(&base, "/v1/payment_links", KEY, Some("k1"), LINK).await;
    assert_eq!(first, again);
    let other = post(&base, "/v1/payment_links", KEY, Some("k2"), LINK).await;
    assert_ne!(first.1["id"], other.1["id"]);
    let (status, body) = post(
        &base,
        "/v1/payment_links",
        KEY,
        Some("k1"),
        &format!("{LINK}&metadata[x]=1"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["type"], "idempotency_error");
    // A request that failed validation stores nothing under its key.
    let (status, _) = post(&base, "/v1/payment_links", KEY, Some("k3"), "bogus=1").await;
    assert_eq!(status, 400);
    let (status, _) = post(&base, "/v1/payment_links", KEY, Some("k3"), LINK).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn injected_faults_then_recovery() {
    let base = start(None).await;
    let response = acquit_testkit::http()
        .post(format!("{base}/_fake/fail"))
        .body(r#"{"path_prefix":"/v1/payment_links","status":500,"count":2}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        post(&base, "/v1/payment_links", KEY, Some("f"), LINK)
            .await
            .0,
        500
    );
    assert_eq!(
        post(&base, "/v1/payment_links", KEY, Some("f"), LINK)
            .await
            .0,
        500
    );
    assert_eq!(get(&base, "/v1/account", KEY).await.0, 200);
    assert_eq!(
        post(&base, "/v1/payment_links", KEY, Some("f"), LINK)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn the_log_has_one_masked_line_per_request() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("requests.jsonl");
    let base = start(Some(path.clone())).await;
    post(&base, "/v1/payment_links", KEY, Some("acquit-link-1"), LINK).await;
    get(&base, "/v1/account?expand[0]=settings", KEY).await;
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains("fakeStripeHttpTest4242"),
        "the key leaked into the log"
    );
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["method"], "POST");
    assert_eq!(lines[0]["path"], "/v1/payment_links");
    assert_eq!(lines[0]["headers"]["stripe-version"], VERSION);
    assert_eq!(lines[0]["headers"]["idempotency-key"], "acquit-link-1");
    assert_eq!(
        lines[0]["headers"]["authorization"],
        "Bearer sk_test_…(masked)"
    );
    assert_eq!(lines[0]["body"], LINK);
    assert_eq!(lines[0]["status"], 200);
    assert_eq!(lines[1]["path"], "/v1/account?expand[0]=settings");
    assert_eq!(lines[1]["status"], 200);
    assert_eq!(lines[1]["headers"]["idempotency-key"], Value::Null);
}

#[test]
fn the_binary_serves_and_prints_its_address() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-stripe"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--sepa-delay",
            "100ms",
            "--webhook-attempts",
            "3",
            "--webhook-backoff",
            "50ms",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("fake-stripe listening on ")
        .unwrap()
        .to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (status, account) = runtime.block_on(get(&base, "/v1/account", KEY));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status, 200);
    assert_eq!(account["object"], "account");
}
