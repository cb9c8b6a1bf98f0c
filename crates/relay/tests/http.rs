//! The relay's HTTP API, exercised on the real binary over TCP.

mod common;

use std::time::{Duration, Instant};

use acquit_relay::signature::{sign, v1_hex};
use acquit_relay_protocol::{ErrorBody, EventsPage, InboxCreated};
use common::{Relay, create_inbox, event_body, now, post_signed, post_webhook};

const SECRET: &str = "whsec_integration_secret";

fn setup(secret: Option<&str>, extra: &[&str]) -> (tempfile::TempDir, Relay, InboxCreated) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.db");
    let inbox = create_inbox(&db, secret);
    assert!(inbox.inbox.starts_with("ibx_"));
    assert_eq!(
        inbox.webhook_path,
        format!("/v1/inboxes/{}/stripe", inbox.inbox)
    );
    let relay = Relay::start(&db, extra);
    (dir, relay, inbox)
}

async fn pull(
    client: &reqwest::Client,
    relay: &Relay,
    inbox: &InboxCreated,
    query: &str,
) -> EventsPage {
    let res = client
        .get(relay.url(&format!("/v1/inboxes/{}/events{query}", inbox.inbox)))
        .bearer_auth(&inbox.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn good_events_are_accepted_and_pulled_in_order_with_cursors() {
    let (_dir, relay, inbox) = setup(Some(SECRET), &[]);
    let client = reqwest::Client::new();
    for i in 0..5 {
        assert_eq!(
            post_signed(&client, &relay, &inbox, SECRET, &format!("evt_{i}")).await,
            200
        );
    }
    let page = pull(&client, &relay, &inbox, "?limit=3").await;
    let ids: Vec<_> = page.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["evt_0", "evt_1", "evt_2"]);
    assert_eq!(page.events[0].event_type, "checkout.session.completed");
    assert_eq!(
        page.events[0].payload["data"]["object"]["amount_total"],
        12000
    );
    assert!(
        chrono_like(&page.events[0].received_at),
        "{}",
        page.events[0].received_at
    );
    let cursors: Vec<i64> = page
        .events
        .iter()
        .map(|e| e.cursor.parse().unwrap())
        .collect();
    assert!(cursors.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(page.next_cursor, page.events[2].cursor);

    let rest = pull(
        &client,
        &relay,
        &inbox,
        &format!("?after={}", page.next_cursor),
    )
    .await;
    let ids: Vec<_> = rest.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["evt_3", "evt_4"]);
    let empty = pull(
        &client,
        &relay,
        &inbox,
        &format!("?after={}", rest.next_cursor),
    )
    .await;
    assert!(empty.events.is_empty());
    assert_eq!(
        empty.next_cursor, rest.next_cursor,
        "an empty page keeps the cursor"
    );

    let bad = client
        .get(relay.url(&format!("/v1/inboxes/{}/events?after=abc", inbox.inbox)))
        .bearer_auth(&inbox.token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

fn chrono_like(s: &str) -> bool {
    s.len() == 20 && s.ends_with('Z') && s.as_bytes()[10] == b'T'
}

#[tokio::test]
async fn every_bad_signature_is_rejected_with_400_and_not_stored() {
    let (dir, relay, inbox) = setup(Some(SECRET), &[]);
    let client = reqwest::Client::new();
    let t = now();
    let body = event_body("evt_bad");
    let good_v1 = v1_hex(SECRET, t, body.as_bytes());
    let cases: Vec<(&str, String, Option<String>, &str)> = vec![
        (
            "forged",
            body.clone(),
            Some(sign("whsec_attacker", t, body.as_bytes())),
            "bad_signature",
        ),
        (
            "stale",
            body.clone(),
            Some(sign(SECRET, t - 301, body.as_bytes())),
            "stale_signature",
        ),
        (
            "future",
            body.clone(),
            Some(sign(SECRET, t + 3600, body.as_bytes())),
            "future_signature",
        ),
        (
            "tampered",
            body.replace("12000", "1"),
            Some(format!("t={t},v1={good_v1}")),
            "bad_signature",
        ),
        (
            "v0 only",
            body.clone(),
            Some(format!("t={t},v0={good_v1}")),
            "no_v1_signature",
        ),
        ("missing header", body.clone(), None, "missing_signature"),
        (
            "malformed header",
            body.clone(),
            Some(format!("v1={good_v1}")),
            "malformed_signature",
        ),
        (
            "garbage header",
            body.clone(),
            Some("hello".into()),
            "malformed_signature",
        ),
    ];
    for (name, body, sig, reason) in &cases {
        let res = post_webhook(&client, &relay, &inbox, body, sig.clone()).await;
        assert_eq!(res.status(), 400, "case {name}");
        let err: ErrorBody = res.json().await.unwrap();
        assert_eq!(err.error, *reason, "case {name}");
    }
    // Validly signed but not JSON / not an event.
    for (name, body) in [
        ("not json", "{not json"),
        ("no id", r#"{"type":"x"}"#),
        ("array", "[1,2]"),
    ] {
        let sig = sign(SECRET, t, body.as_bytes());
        let res = post_webhook(&client, &relay, &inbox, body, Some(sig)).await;
        assert_eq!(res.status(), 400, "case {name}");
        assert_eq!(
            res.json::<ErrorBody>().await.unwrap().error,
            "malformed_json",
            "case {name}"
        );
    }
    // An inbox without a webhook secret verifies nothing.
    let bare = create_inbox(&dir.path().join("relay.db"), None);
    let res = post_webhook(
        &client,
        &relay,
        &bare,
        &body,
        Some(sign(SECRET, t, body.as_bytes())),
    )
    .await;
    assert_eq!(res.status(), 400);

    assert!(
        pull(&client, &relay, &inbox, "").await.events.is_empty(),
        "nothing rejected is stored"
    );
    assert_eq!(
        post_signed(&client, &relay, &inbox, SECRET, "evt_bad").await,
        200,
        "the real one still goes in"
    );
    assert_eq!(pull(&client, &relay, &inbox, "").await.events.len(), 1);

    let metrics = client
        .get(relay.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"acquit_relay_webhooks_rejected_total{reason="bad_signature"} 2"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"acquit_relay_webhooks_rejected_total{reason="malformed_json"} 3"#),
        "{metrics}"
    );
    assert!(
        metrics.contains("acquit_relay_events_stored_total 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_repeated_event_id_answers_200_and_is_stored_once() {
    let (_dir, relay, inbox) = setup(Some(SECRET), &[]);
    let client = reqwest::Client::new();
    for _ in 0..3 {
        assert_eq!(
            post_signed(&client, &relay, &inbox, SECRET, "evt_same").await,
            200
        );
    }
    let page = pull(&client, &relay, &inbox, "").await;
    assert_eq!(page.events.len(), 1);
    let metrics = client
        .get(relay.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("acquit_relay_events_duplicate_total 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("acquit_relay_events_pulled_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("acquit_relay_oldest_unpulled_age_seconds "),
        "{metrics}"
    );
}

#[tokio::test]
async fn pulls_without_the_right_token_get_401_and_unknown_inboxes_404() {
    let (dir, relay, inbox) = setup(Some(SECRET), &[]);
    let other = create_inbox(&dir.path().join("relay.db"), Some(SECRET));
    let client = reqwest::Client::new();
    let url = relay.url(&format!("/v1/inboxes/{}/events", inbox.inbox));
    assert_eq!(
        client.get(&url).send().await.unwrap().status(),
        401,
        "no token"
    );
    assert_eq!(
        client
            .get(&url)
            .bearer_auth("wrong")
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "wrong token"
    );
    assert_eq!(
        client
            .get(&url)
            .bearer_auth(&other.token)
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "another inbox's token"
    );
    let basic = client
        .get(&url)
        .header("authorization", format!("Basic {}", inbox.token))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401, "not a bearer token");
    let put = client
        .put(relay.url(&format!("/v1/inboxes/{}/webhook-secret", inbox.inbox)))
        .json(&serde_json::json!({"secret": "whsec_new_secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 401, "secret change without a token");

    let ghost = "/v1/inboxes/ibx_000000000000000000000000";
    let res = client
        .get(relay.url(&format!("{ghost}/events")))
        .bearer_auth(&inbox.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body = event_body("evt_ghost");
    let res = client
        .post(relay.url(&format!("{ghost}/stripe")))
        .header("stripe-signature", sign(SECRET, now(), body.as_bytes()))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(
        client
            .get(relay.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let lower = client
        .get(&url)
        .header("authorization", format!("bearer {}", inbox.token))
        .send()
        .await
        .unwrap();
    assert_eq!(lower.status(), 200, "the auth scheme is case-insensitive");
}

#[tokio::test]
async fn tokens_are_stored_hashed_and_logs_hold_no_token_secret_or_body() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.db");
    let inbox = create_inbox(&db, Some(SECRET));
    let log = dir.path().join("relay.log");
    let relay = Relay::start_logged(&db, &[], "debug", &log);
    let client = reqwest::Client::new();
    assert_eq!(
        post_signed(&client, &relay, &inbox, SECRET, "evt_logged").await,
        200
    );
    let _ = post_webhook(
        &client,
        &relay,
        &inbox,
        &event_body("evt_forged"),
        Some("t=1,v1=00".into()),
    )
    .await;
    assert_eq!(pull(&client, &relay, &inbox, "").await.events.len(), 1);
    let res = client
        .put(relay.url(&format!("/v1/inboxes/{}/webhook-secret", inbox.inbox)))
        .bearer_auth(&inbox.token)
        .json(&serde_json::json!({"secret": "whsec_rotated_secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    drop(relay);

    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("request"), "the log has request spans: {log}");
    for needle in [
        inbox.token.as_str(),
        SECRET,
        "whsec_rotated_secret",
        "cs_test_evt_logged",
        "amount_total",
    ] {
        assert!(!log.contains(needle), "the log contains {needle:?}:\n{log}");
    }
    let mut stored = std::fs::read(&db).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("relay.db-wal")) {
        stored.extend(wal);
    }
    let token = inbox.token.as_bytes();
    assert!(
        !stored.windows(token.len()).any(|w| w == token),
        "the token is stored in clear"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413() {
    let (_dir, relay, inbox) = setup(Some(SECRET), &["--body-limit", "4096"]);
    let client = reqwest::Client::new();
    let body = format!(
        r#"{{"id":"evt_big","type":"x","pad":"{}"}}"#,
        "a".repeat(8192)
    );
    let sig = sign(SECRET, now(), body.as_bytes());
    let res = post_webhook(&client, &relay, &inbox, &body, Some(sig)).await;
    assert_eq!(res.status(), 413);
    assert!(pull(&client, &relay, &inbox, "").await.events.is_empty());
    // The default limit is 256 KiB.
    let (_dir2, relay2, inbox2) = setup(Some(SECRET), &[]);
    let body = format!(
        r#"{{"id":"evt_big","type":"x","pad":"{}"}}"#,
        "a".repeat(300 * 1024)
    );
    let sig = sign(SECRET, now(), body.as_bytes());
    assert_eq!(
        post_webhook(&client, &relay2, &inbox2, &body, Some(sig))
            .await
            .status(),
        413
    );
    let body = format!(
        r#"{{"id":"evt_ok","type":"x","pad":"{}"}}"#,
        "a".repeat(200 * 1024)
    );
    let sig = sign(SECRET, now(), body.as_bytes());
    assert_eq!(
        post_webhook(&client, &relay2, &inbox2, &body, Some(sig))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_long_poll_returns_promptly_after_a_webhook() {
    let (_dir, relay, inbox) = setup(Some(SECRET), &[]);
    let client = reqwest::Client::new();
    let url = relay.url(&format!("/v1/inboxes/{}/events?wait=20", inbox.inbox));
    let poll = {
        let (client, token) = (client.clone(), inbox.token.clone());
        tokio::spawn(async move {
            let res = client.get(url).bearer_auth(token).send().await.unwrap();
            let page: EventsPage = res.json().await.unwrap();
            (Instant::now(), page)
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !poll.is_finished(),
        "the long-poll waits while nothing arrives"
    );
    let sent = Instant::now();
    assert_eq!(
        post_signed(&client, &relay, &inbox, SECRET, "evt_wake").await,
        200
    );
    let acked = Instant::now();
    let (returned, page) = poll.await.unwrap();
    let from_send = returned.saturating_duration_since(sent);
    let from_ack = returned.saturating_duration_since(acked);
    println!(
        "long-poll returned {from_send:?} after the webhook was sent, {from_ack:?} after its 200"
    );
    assert_eq!(page.events.len(), 1);
    // The wake itself is measured from the 200 (the event is durable then);
    // the time from the send includes the commit's fsync, which on this
    // kind of disk swings from a few ms to hundreds under load.
    assert!(from_ack < Duration::from_millis(500), "{from_ack:?}");
    assert!(from_send < Duration::from_secs(5), "{from_send:?}");

    // With nothing arriving, it gives up after `wait`.
    let started = Instant::now();
    let page = pull(
        &client,
        &relay,
        &inbox,
        &format!("?after={}&wait=1", page.next_cursor),
    )
    .await;
    assert!(page.events.is_empty());
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn rotating_the_secret_keeps_the_previous_one_for_the_grace_period() {
    let (_dir, relay, inbox) = setup(Some("whsec_first_secret"), &["--secret-grace", "2"]);
    let client = reqwest::Client::new();
    let put = |secret: &str| {
        client
            .put(relay.url(&format!("/v1/inboxes/{}/webhook-secret", inbox.inbox)))
            .bearer_auth(&inbox.token)
            .json(&serde_json::json!({ "secret": secret }))
            .send()
    };
    assert_eq!(put("not-a-stripe-secret").await.unwrap().status(), 400);
    assert_eq!(put("whsec_second_secret").await.unwrap().status(), 204);
    assert_eq!(
        post_signed(&client, &relay, &inbox, "whsec_second_secret", "evt_new").await,
        200
    );
    assert_eq!(
        post_signed(&client, &relay, &inbox, "whsec_first_secret", "evt_old").await,
        200,
        "previous secret during grace"
    );
    assert_eq!(
        post_signed(&client, &relay, &inbox, "whsec_other", "evt_x").await,
        400
    );
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_eq!(
        post_signed(&client, &relay, &inbox, "whsec_first_secret", "evt_late").await,
        400,
        "previous secret after grace"
    );
    assert_eq!(
        post_signed(&client, &relay, &inbox, "whsec_second_secret", "evt_new2").await,
        200
    );
    let ids: Vec<_> = pull(&client, &relay, &inbox, "")
        .await
        .events
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, ["evt_new", "evt_old", "evt_new2"]);
}

#[tokio::test]
async fn a_storage_failure_answers_503_and_the_retry_succeeds() {
    let (dir, relay, inbox) = setup(Some(SECRET), &[]);
    let client = reqwest::Client::new();
    let db = rusqlite::Connection::open(dir.path().join("relay.db")).unwrap();
    db.execute_batch("CREATE TRIGGER fail BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END;")
        .unwrap();
    assert_eq!(
        post_signed(&client, &relay, &inbox, SECRET, "evt_1").await,
        503
    );
    db.execute_batch("DROP TRIGGER fail;").unwrap();
    assert_eq!(
        post_signed(&client, &relay, &inbox, SECRET, "evt_1").await,
        200
    );
    assert_eq!(pull(&client, &relay, &inbox, "").await.events.len(), 1);
}

#[tokio::test]
async fn sigterm_ends_long_polls_and_exits_cleanly() {
    let (_dir, mut relay, inbox) = setup(Some(SECRET), &[]);
    let client = reqwest::Client::new();
    let url = relay.url(&format!("/v1/inboxes/{}/events?wait=30", inbox.inbox));
    let poll = {
        let (client, token) = (client.clone(), inbox.token.clone());
        tokio::spawn(async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &relay.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(
        poll.await.unwrap(),
        200,
        "the in-flight long-poll is answered"
    );
    let status = relay.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
