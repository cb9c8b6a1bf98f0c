//! The relay as run on the open internet: slow clients, too many
//! connections, page scrapers, inboxes that grow without end, and
//! `/metrics` kept off the public listener. On the real binary, over
//! loopback only, each test bounded in time.

mod common;

use std::time::{Duration, Instant};

use acquit_relay::server::{Config, DEFAULT_HEADER_TIMEOUT_SECS};
use acquit_relay_protocol::{ErrorBody, InboxCreated};
use common::{Relay, create_inbox, put_json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const LINKS: [&str; 3] = [
    "lnk_quota_000000000001",
    "lnk_quota_000000000002",
    "lnk_quota_000000000003",
];

fn start(extra: &[&str]) -> (tempfile::TempDir, Relay, InboxCreated) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.db");
    let inbox = create_inbox(&db, Some("whsec_open_internet"));
    let relay = Relay::start(&db, extra);
    (dir, relay, inbox)
}

async fn connect(relay: &Relay) -> TcpStream {
    TcpStream::connect(relay.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

#[test]
fn the_default_header_timeout_is_at_most_30_seconds() {
    const { assert!(DEFAULT_HEADER_TIMEOUT_SECS <= 30) };
    assert!(Config::default().header_read_timeout <= Duration::from_secs(30));
    assert!(Config::default().request_timeout <= Duration::from_secs(30));
}

#[tokio::test]
async fn a_client_trickling_its_headers_is_disconnected() {
    let (_dir, relay, _inbox) = start(&["--header-timeout", "2"]);
    let mut stream = connect(&relay).await;
    let started = Instant::now();
    let (mut reader, mut writer) = stream.split();
    let request =
        b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let trickle = async {
        // One byte a second, never finishing the headers.
        for b in request {
            if writer.write_all(&[*b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    };
    let closed = async {
        let mut buf = [0u8; 256];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    };
    tokio::select! {
        () = closed => {}
        () = trickle => panic!("still connected after the whole trickle"),
        () = tokio::time::sleep(Duration::from_secs(10)) => panic!("not disconnected within 10 s"),
    }
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(6),
        "{took:?}"
    );
    // The relay still serves everyone else.
    let ok = acquit_testkit::http()
        .get(relay.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn a_slow_body_gets_408_and_the_long_poll_is_exempt() {
    let (_dir, relay, inbox) = start(&["--request-timeout", "2"]);
    let mut stream = connect(&relay).await;
    let head = format!(
        "PUT /v1/inboxes/{}/links/{} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{",
        inbox.inbox, LINKS[0], inbox.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let (mut reader, mut writer) = stream.split();
    let trickle = async {
        loop {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if writer.write_all(b" ").await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    };
    let answer = async {
        let mut said = Vec::new();
        let mut buf = [0u8; 1024];
        while !String::from_utf8_lossy(&said).contains("\r\n\r\n") {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => said.extend_from_slice(&buf[..n]),
            }
        }
        String::from_utf8_lossy(&said).into_owned()
    };
    let said = tokio::select! {
        said = answer => said,
        () = trickle => unreachable!(),
        () = tokio::time::sleep(Duration::from_secs(8)) => panic!("no answer within 8 s"),
    };
    assert!(said.starts_with("HTTP/1.1 408"), "{said}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // The long-poll may wait longer than the request deadline.
    let started = Instant::now();
    let res = acquit_testkit::http()
        .get(relay.url(&format!("/v1/inboxes/{}/events?wait=3", inbox.inbox)))
        .bearer_auth(&inbox.token)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        started.elapsed() >= Duration::from_millis(2900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_for_a_free_one() {
    let (_dir, relay, _inbox) = start(&["--max-connections", "2"]);
    let idle_a = connect(&relay).await;
    let idle_b = connect(&relay).await;
    // Let the relay accept both.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let waiting = acquit_testkit::http()
        .get(relay.url("/healthz"))
        .timeout(Duration::from_millis(1500))
        .send()
        .await;
    assert!(
        waiting.is_err(),
        "a third connection is not served while two are open: {waiting:?}"
    );
    drop(idle_a);
    let served = acquit_testkit::http()
        .get(relay.url("/healthz"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    drop(idle_b);
}

#[tokio::test]
async fn public_pages_are_rate_limited_per_address() {
    let (_dir, relay, inbox) = start(&["--page-rate", "6", "--page-burst", "3"]);
    let client = acquit_testkit::http();
    let get = |path: &str, forwarded: Option<&str>| {
        let mut req = client.get(relay.url(path));
        if let Some(f) = forwarded {
            req = req.header("x-forwarded-for", f);
        }
        req.send()
    };
    for _ in 0..3 {
        let res = get("/p/lnk_unknown_00000000001", None).await.unwrap();
        assert_eq!(res.status(), 404);
    }
    for path in [
        "/p/lnk_unknown_00000000001",
        "/p/lnk_unknown_00000000001/done",
        "/v/doc_unknown_00000000001",
        "/v/doc_unknown_00000000001/bundle",
    ] {
        // The header is ignored without --trust-forwarded-for.
        let res = get(path, Some("203.0.113.50")).await.unwrap();
        assert_eq!(res.status(), 429, "{path}");
        let retry: u64 = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=10).contains(&retry), "{retry}");
        let body: ErrorBody = res.json().await.unwrap();
        assert_eq!(body.error, "rate_limited");
    }
    // The API is not a public page.
    let pull = client
        .get(relay.url(&format!("/v1/inboxes/{}/events", inbox.inbox)))
        .bearer_auth(&inbox.token)
        .send()
        .await
        .unwrap();
    assert_eq!(pull.status(), 200);
    let metrics = common::metrics_text(&client, &relay).await;
    assert!(
        metrics.contains("acquit_relay_rate_limited_total 4"),
        "{metrics}"
    );
}

#[tokio::test]
async fn behind_a_proxy_the_last_forwarded_hop_is_the_key() {
    let (_dir, relay, _inbox) = start(&[
        "--page-rate",
        "6",
        "--page-burst",
        "2",
        "--trust-forwarded-for",
    ]);
    let client = acquit_testkit::http();
    let status = |forwarded: &'static str| {
        let req = client
            .get(relay.url("/p/lnk_unknown_00000000001"))
            .header("x-forwarded-for", forwarded);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status("203.0.113.1").await, 404);
    assert_eq!(status("198.51.100.9, 203.0.113.1").await, 404);
    assert_eq!(
        status("192.0.2.77, 203.0.113.1").await,
        429,
        "what the client wrote before the proxy's hop changes nothing"
    );
    assert_eq!(
        status("203.0.113.1, 198.51.100.2").await,
        404,
        "another client"
    );
}

#[tokio::test]
async fn metrics_are_served_only_on_their_own_listener() {
    let (_dir, relay, _inbox) = start(&[]);
    let client = acquit_testkit::http();
    let public = client.get(relay.url("/metrics")).send().await.unwrap();
    assert_eq!(public.status(), 404);
    assert_eq!(
        client
            .get(relay.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let metrics = client
        .get(relay.metrics_url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    assert!(
        metrics
            .text()
            .await
            .unwrap()
            .contains("acquit_relay_webhooks_received_total 0")
    );
    let health = client
        .get(relay.metrics_url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(relay.metrics_url("").starts_with("http://127.0.0.1:"));
}

/// A well-formed bundle of `n` bytes.
fn bundle(n: usize, fill: u8) -> Vec<u8> {
    let mut b = vec![fill; n];
    b[0] = acquit_relay_protocol::bundle::VERSION;
    b
}

#[tokio::test]
async fn quotas_refuse_growth_and_change_nothing_but_replacements_go_through() {
    let (_dir, relay, inbox) = start(&[
        "--max-links",
        "2",
        "--max-documents",
        "1",
        "--max-document-bytes",
        "100",
    ]);
    let client = acquit_testkit::http_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let link_path = |t: &str| format!("/v1/inboxes/{}/links/{t}", inbox.inbox);
    let open = serde_json::json!({"status": "open", "pay_url": "https://buy.stripe.com/test_q"});
    for t in &LINKS[..2] {
        let res = put_json(&client, &relay, &link_path(t), &inbox.token, &open).await;
        assert_eq!(res.status(), 204);
    }
    let over = put_json(&client, &relay, &link_path(LINKS[2]), &inbox.token, &open).await;
    assert_eq!(over.status(), 429);
    assert_eq!(
        over.json::<ErrorBody>().await.unwrap().error,
        "quota_exceeded"
    );
    let res = client
        .get(relay.url(&format!("/p/{}", LINKS[2])))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "nothing stored");
    let paid = serde_json::json!({"status": "paid", "invoice_number": "F-1"});
    let res = put_json(&client, &relay, &link_path(LINKS[0]), &inbox.token, &paid).await;
    assert_eq!(res.status(), 204, "replacing a link at the quota");

    let doc_path = |t: &str| format!("/v1/inboxes/{}/documents/{t}", inbox.inbox);
    let put_doc = |t: &str, body: Vec<u8>| {
        client
            .put(relay.url(&doc_path(t)))
            .bearer_auth(&inbox.token)
            .header("content-type", "application/octet-stream")
            .body(body)
            .send()
    };
    let (one, two) = ("doc_quota_000000000001", "doc_quota_000000000002");
    assert_eq!(put_doc(one, bundle(60, 1)).await.unwrap().status(), 204);
    let res = put_doc(two, bundle(40, 2)).await.unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(
        res.json::<ErrorBody>().await.unwrap().error,
        "quota_exceeded"
    );
    let res = put_doc(one, bundle(101, 3)).await.unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(
        res.json::<ErrorBody>().await.unwrap().error,
        "quota_exceeded"
    );
    let served = client
        .get(relay.url(&format!("/v/{one}/bundle")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(served.to_vec(), bundle(60, 1), "nothing changed");
    assert_eq!(
        put_doc(one, bundle(90, 4)).await.unwrap().status(),
        204,
        "replacing a page within the bytes"
    );
}
