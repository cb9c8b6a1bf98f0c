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
    let client = acquit_testkit::http();
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
    let client = acquit_testkit::http();
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
        // The fields in order, as serde's derive alone would have read it.
        (
            "array of the fields",
            r#"["evt_array","checkout.session.completed"]"#,
        ),
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

    let metrics = common::metrics_text(&client, &relay).await;
    assert!(
        metrics.contains(r#"acquit_relay_webhooks_rejected_total{reason="bad_signature"} 2"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"acquit_relay_webhooks_rejected_total{reason="malformed_json"} 4"#),
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
    let client = acquit_testkit::http();
    for _ in 0..3 {
        assert_eq!(
            post_signed(&client, &relay, &inbox, SECRET, "evt_same").await,
            200
        );
    }
    let page = pull(&client, &relay, &inbox, "").await;
    assert_eq!(page.events.len(), 1);
    let metrics = common::metrics_text(&client, &relay).await;
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
    let client = acquit_testkit::http();
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
    let client = acquit_testkit::http();
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
    let admin = inbox.admin_token.clone().unwrap();
    let res = client
        .put(relay.url(&format!("/v1/inboxes/{}/webhook-secret", inbox.inbox)))
        .bearer_auth(&admin)
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
        admin.as_str(),
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
    let client = acquit_testkit::http();
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
    let client = acquit_testkit::http();
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
    let client = acquit_testkit::http();
    let admin = inbox.admin_token.clone().unwrap();
    let put = |secret: &str| {
        client
            .put(relay.url(&format!("/v1/inboxes/{}/webhook-secret", inbox.inbox)))
            .bearer_auth(&admin)
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
    let client = acquit_testkit::http();
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
    let client = acquit_testkit::http();
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

// ---- Stable payment links ----

const LINK: &str = "lnk_Q2hhbmdlTWUtMDA0Mg";

fn no_redirects() -> reqwest::Client {
    acquit_testkit::http_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn put_link(
    client: &reqwest::Client,
    relay: &Relay,
    inbox: &InboxCreated,
    token: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    let path = format!("/v1/inboxes/{}/links/{token}", inbox.inbox);
    common::put_json(client, relay, &path, &inbox.token, body).await
}

async fn get_link(client: &reqwest::Client, relay: &Relay, lang: &str) -> reqwest::Response {
    client
        .get(relay.url(&format!("/p/{LINK}")))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap()
}

fn assert_page_headers(res: &reqwest::Response) {
    let h = res.headers();
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe"), "{csp}");
}

#[tokio::test]
async fn an_open_link_redirects_then_shows_paid_and_void_pages_in_french_or_english() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.db");
    let inbox = create_inbox(&db, Some(SECRET));
    let log = dir.path().join("relay.log");
    // fake-stripe's pay URLs, as in the CLI's tests and the demo.
    let relay = Relay::start_logged(&db, &["--allow-pay-host", "127.0.0.1"], "debug", &log);
    let client = no_redirects();

    let pay_url = "https://checkout.stripe.com/c/pay/cs_test_a1#fid=x";
    let open = serde_json::json!({
        "status": "open", "pay_url": pay_url, "invoice_number": "F-2026-0042",
        "amount_due": 120000, "currency": "EUR", "paid_at": null, "seller": "Atelier Dupont"
    });
    assert_eq!(
        put_link(&client, &relay, &inbox, LINK, &open)
            .await
            .status(),
        204
    );
    let res = get_link(&client, &relay, "fr-FR").await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], pay_url);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");

    // A new Stripe URL replaces the old one under the same stable link.
    let renewed = "http://127.0.0.1:12111/pay/plink_2";
    let mut again = open.clone();
    again["pay_url"] = renewed.into();
    assert_eq!(
        put_link(&client, &relay, &inbox, LINK, &again)
            .await
            .status(),
        204
    );
    let res = get_link(&client, &relay, "").await;
    assert_eq!(res.headers()["location"], renewed);

    let paid = serde_json::json!({
        "status": "paid", "pay_url": null, "invoice_number": "F-2026-0042",
        "amount_due": 0, "currency": "EUR", "paid_at": "2026-11-23T09:30:00+01:00",
        "seller": "Atelier Dupont"
    });
    assert_eq!(
        put_link(&client, &relay, &inbox, LINK, &paid)
            .await
            .status(),
        204
    );
    let res = get_link(&client, &relay, "fr-FR,fr;q=0.9,en;q=0.8").await;
    assert_eq!(res.status(), 200);
    assert_page_headers(&res);
    let fr = res.text().await.unwrap();
    assert!(
        fr.contains("Facture F-2026-0042 payée le 23/11/2026"),
        "{fr}"
    );
    assert!(fr.contains("Atelier Dupont"));
    assert!(fr.contains("<html lang=\"fr\">"));
    let res = get_link(&client, &relay, "en-GB,en;q=0.9").await;
    assert_eq!(res.status(), 200);
    let en = res.text().await.unwrap();
    assert!(
        en.contains("Invoice F-2026-0042 paid on 23 Nov 2026"),
        "{en}"
    );
    assert!(en.contains("<html lang=\"en\">"));
    // No header at all: French.
    let plain = client
        .get(relay.url(&format!("/p/{LINK}")))
        .send()
        .await
        .unwrap();
    assert!(plain.text().await.unwrap().contains("payée le 23/11/2026"));

    let void = serde_json::json!({
        "status": "void", "invoice_number": "F-2026-0042", "amount_due": 120000,
        "currency": "EUR", "seller": "Atelier Dupont"
    });
    assert_eq!(
        put_link(&client, &relay, &inbox, LINK, &void)
            .await
            .status(),
        204
    );
    let res = get_link(&client, &relay, "fr").await;
    assert_eq!(res.status(), 410);
    assert_page_headers(&res);
    let fr = res.text().await.unwrap();
    assert!(fr.contains("Ce lien n'est plus valide."), "{fr}");
    assert!(
        fr.contains("Contactez Atelier Dupont pour régler la facture F-2026-0042"),
        "{fr}"
    );
    let en = get_link(&client, &relay, "en").await.text().await.unwrap();
    assert!(en.contains("This link is no longer valid."), "{en}");
    assert!(
        en.contains("Please contact Atelier Dupont to settle invoice F-2026-0042"),
        "{en}"
    );
    drop(relay);

    // The link token is a capability printed on invoices: never logged.
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("/p/…"), "{log}");
    for needle in [LINK, inbox.token.as_str(), "cs_test_a1"] {
        assert!(!log.contains(needle), "the log contains {needle:?}:\n{log}");
    }
}

#[tokio::test]
async fn unknown_links_get_a_404_page_in_the_same_style() {
    let (_dir, relay, _inbox) = setup(None, &[]);
    let client = no_redirects();
    for (path, lang, text) in [
        (format!("/p/{LINK}"), "fr", "Lien inconnu"),
        (format!("/p/{LINK}"), "en-US", "Unknown link"),
        ("/p/short".to_owned(), "fr", "Lien inconnu"),
        ("/p/%3Cscript%3E".to_owned(), "en", "Unknown link"),
    ] {
        let res = client
            .get(relay.url(&path))
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{path}");
        assert_page_headers(&res);
        let html = res.text().await.unwrap();
        assert!(html.contains(text), "{html}");
        assert!(!html.contains("<script>"));
    }
}

#[tokio::test]
async fn publishing_a_link_needs_the_token_and_a_valid_body() {
    let (_dir, relay, inbox) = setup(None, &[]);
    let client = no_redirects();
    let open =
        serde_json::json!({"status": "open", "pay_url": "https://checkout.stripe.com/c/pay/cs_x"});
    let url = relay.url(&format!("/v1/inboxes/{}/links/{LINK}", inbox.inbox));

    let anonymous = client.put(&url).json(&open).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let wrong = client
        .put(&url)
        .bearer_auth("not-the-token")
        .json(&open)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(
        get_link(&client, &relay, "fr").await.status(),
        404,
        "nothing was stored"
    );

    let cases: Vec<(String, serde_json::Value, &str)> = vec![
        (
            LINK.into(),
            serde_json::json!({"status": "closed"}),
            "malformed_json",
        ),
        (
            LINK.into(),
            serde_json::json!({"pay_url": "https://checkout.stripe.com/c/pay/cs_x"}),
            "malformed_json",
        ),
        (
            LINK.into(),
            serde_json::json!({"status": "open"}),
            "missing_pay_url",
        ),
        (
            LINK.into(),
            serde_json::json!({"status": "open", "pay_url": "http://pay.example/x"}),
            "bad_pay_url",
        ),
        (
            LINK.into(),
            serde_json::json!({"status": "open", "pay_url": "https://evil.example/"}),
            "bad_pay_url",
        ),
        (
            LINK.into(),
            serde_json::json!({"status": "open", "pay_url": "http://127.0.0.1:1/pay"}),
            "bad_pay_url",
        ),
        (
            LINK.into(),
            serde_json::json!({"status": "open", "pay_url": "javascript:alert(1)"}),
            "bad_pay_url",
        ),
        (
            LINK.into(),
            serde_json::json!({"status": "paid", "paid_at": "last week"}),
            "bad_paid_at",
        ),
        ("tooshort".into(), open.clone(), "bad_link_token"),
        ("a".repeat(65), open.clone(), "bad_link_token"),
        (
            "lnk_with.dots.in.it_0042".into(),
            open.clone(),
            "bad_link_token",
        ),
    ];
    for (token, body, reason) in cases {
        let res = put_link(&client, &relay, &inbox, &token, &body).await;
        assert_eq!(res.status(), 400, "{token} {body}");
        let err: ErrorBody = res.json().await.unwrap();
        assert_eq!(err.error, reason, "{token} {body}: {}", err.message);
        assert!(!err.message.is_empty());
    }
    let not_json = client
        .put(&url)
        .bearer_auth(&inbox.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    assert_eq!(
        not_json.json::<ErrorBody>().await.unwrap().error,
        "malformed_json"
    );
    assert_eq!(get_link(&client, &relay, "fr").await.status(), 404);
}

#[tokio::test]
async fn another_inbox_cannot_take_over_a_link_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.db");
    let owner = create_inbox(&db, None);
    let other = create_inbox(&db, None);
    let relay = Relay::start(&db, &[]);
    let client = no_redirects();
    let open = serde_json::json!({"status": "open", "pay_url": "https://buy.stripe.com/mine"});
    assert_eq!(
        put_link(&client, &relay, &owner, LINK, &open)
            .await
            .status(),
        204
    );
    let hijack = serde_json::json!({"status": "open", "pay_url": "https://buy.stripe.com/theirs"});
    let res = put_link(&client, &relay, &other, LINK, &hijack).await;
    assert_eq!(res.status(), 409);
    assert_eq!(
        res.json::<ErrorBody>().await.unwrap().error,
        "link_token_taken"
    );
    let res = get_link(&client, &relay, "fr").await;
    assert_eq!(res.headers()["location"], "https://buy.stripe.com/mine");
}

#[tokio::test]
async fn a_seller_name_with_markup_is_escaped_on_the_page() {
    let (_dir, relay, inbox) = setup(None, &[]);
    let client = no_redirects();
    let void = serde_json::json!({
        "status": "void", "invoice_number": "F-<i>1</i>",
        "seller": "<script>alert('x')</script> & \"Fils\""
    });
    assert_eq!(
        put_link(&client, &relay, &inbox, LINK, &void)
            .await
            .status(),
        204
    );
    for lang in ["fr", "en"] {
        let html = get_link(&client, &relay, lang).await.text().await.unwrap();
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<i>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Fils&quot;"),
            "{html}"
        );
        assert!(html.contains("F-&lt;i&gt;1&lt;/i&gt;"), "{html}");
    }
}

/// The real binary on PostgreSQL when `ACQUIT_RELAY_TEST_DATABASE_URL` is
/// set (fails if it is set and unreachable): intake, dedup, pull, long-poll
/// and links, end to end.
#[tokio::test]
async fn the_binary_serves_the_same_api_on_postgres() {
    let Some(url) = common::postgres_url() else {
        eprintln!("ACQUIT_RELAY_TEST_DATABASE_URL unset: PostgreSQL API test not run");
        return;
    };
    let inbox = common::create_inbox_postgres(&url, Some(SECRET));
    let relay = Relay::start_postgres(&url, &[]);
    // A second instance on the same database, as behind a load balancer.
    let other = Relay::start_postgres(&url, &[]);
    let client = no_redirects();
    assert_eq!(
        post_signed(&client, &relay, &inbox, SECRET, "evt_pg_1").await,
        200
    );
    assert_eq!(
        post_signed(&client, &other, &inbox, SECRET, "evt_pg_1").await,
        200
    );
    let page = pull(&client, &other, &inbox, "").await;
    assert_eq!(page.events.len(), 1, "stored once across instances");

    // A long-poll on one instance wakes for a webhook on the other.
    let waiter = {
        let (client, base, inbox) = (client.clone(), other.base.clone(), inbox.clone());
        let after = page.next_cursor.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let page: EventsPage = client
                .get(format!(
                    "{base}/v1/inboxes/{}/events?after={after}&wait=10",
                    inbox.inbox
                ))
                .bearer_auth(&inbox.token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (page, started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let posted = Instant::now();
    assert_eq!(
        post_signed(&client, &relay, &inbox, SECRET, "evt_pg_2").await,
        200
    );
    let (page, _) = waiter.await.unwrap();
    assert_eq!(page.events[0].id, "evt_pg_2");
    assert!(
        posted.elapsed() < Duration::from_secs(2),
        "{:?}",
        posted.elapsed()
    );

    let token = format!("lnk_pg_{}", now());
    let open = serde_json::json!({"status": "open", "pay_url": "https://buy.stripe.com/pg"});
    assert_eq!(
        put_link(&client, &relay, &inbox, &token, &open)
            .await
            .status(),
        204
    );
    let res = client
        .get(other.url(&format!("/p/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "https://buy.stripe.com/pg");
}

// ---- Encrypted invoice pages ----

const DOC: &str = "doc_c2VjcmV0LWludm9pY2UtcGFnZQ";

async fn put_document(
    client: &reqwest::Client,
    relay: &Relay,
    inbox: &InboxCreated,
    token: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    client
        .put(relay.url(&format!("/v1/inboxes/{}/documents/{token}", inbox.inbox)))
        .bearer_auth(&inbox.token)
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// A well-formed bundle (version 1, IV, "ciphertext" and tag) of `n` bytes.
fn bundle(n: usize, fill: u8) -> Vec<u8> {
    let mut b = vec![fill; n.max(29)];
    b[0] = 1;
    b
}

#[tokio::test]
async fn an_invoice_page_serves_its_ciphertext_and_says_when_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.db");
    let inbox = create_inbox(&db, Some(SECRET));
    let log = dir.path().join("relay.log");
    let relay = Relay::start_logged(&db, &[], "debug", &log);
    let client = no_redirects();

    // Unknown: a 404 page, and no bundle.
    let res = client
        .get(relay.url(&format!("/v/{DOC}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Lien inconnu"));

    // Bearer token required; the body must look like a bundle.
    let res = client
        .put(relay.url(&format!("/v1/inboxes/{}/documents/{DOC}", inbox.inbox)))
        .body(bundle(100, 7))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = put_document(&client, &relay, &inbox, DOC, b"%PDF-1.7 plain".to_vec()).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<ErrorBody>().await.unwrap().error, "bad_bundle");
    let res = put_document(&client, &relay, &inbox, "short", bundle(100, 7)).await;
    assert_eq!(res.status(), 400);

    // Up to the limit (2 MiB by default), 413 above.
    let big = bundle(acquit_relay_protocol::DEFAULT_DOCUMENT_LIMIT, 3);
    assert_eq!(
        put_document(&client, &relay, &inbox, DOC, big.clone())
            .await
            .status(),
        204
    );
    let mut too_big = big.clone();
    too_big.push(0);
    let res = put_document(&client, &relay, &inbox, DOC, too_big).await;
    assert_eq!(res.status(), 413);
    assert_eq!(
        res.json::<ErrorBody>().await.unwrap().error,
        "document_too_large"
    );

    let v2 = bundle(5000, 9);
    assert_eq!(
        put_document(&client, &relay, &inbox, DOC, v2.clone())
            .await
            .status(),
        204
    );
    let res = client
        .get(relay.url(&format!("/v/{DOC}/bundle")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(
        res.bytes().await.unwrap().to_vec(),
        v2,
        "served byte for byte"
    );

    // The page: the same static document for every token, strict CSP.
    let res = client
        .get(relay.url(&format!("/v/{DOC}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-content-type-options"], "nosniff");
    let csp = h["content-security-policy"].to_str().unwrap().to_owned();
    assert!(
        csp.starts_with("default-src 'none'; script-src 'sha256-"),
        "{csp}"
    );
    assert!(
        csp.contains("connect-src 'self'") && !csp.contains("unsafe"),
        "{csp}"
    );
    let html = res.text().await.unwrap();
    assert_eq!(html, acquit_relay::documents::page());
    assert!(!html.contains(DOC));

    // Another inbox cannot take the token over.
    let other = create_inbox(&db, None);
    assert_eq!(
        put_document(&client, &relay, &other, DOC, bundle(64, 1))
            .await
            .status(),
        409
    );

    // Revoked: the page says so, the bundle is gone, and it stays so.
    let res = client
        .delete(relay.url(&format!("/v1/inboxes/{}/documents/{DOC}", inbox.inbox)))
        .bearer_auth(&inbox.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = client
        .get(relay.url(&format!("/v/{DOC}")))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 410);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Ce lien n'est plus valide.")
    );
    let res = client
        .get(relay.url(&format!("/v/{DOC}")))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("This link is no longer valid.")
    );
    let res = client
        .get(relay.url(&format!("/v/{DOC}/bundle")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 410);
    let res = put_document(&client, &relay, &inbox, DOC, v2).await;
    assert_eq!(res.status(), 410);
    assert_eq!(
        res.json::<ErrorBody>().await.unwrap().error,
        "document_revoked"
    );

    let metrics = common::metrics_text(&client, &relay).await;
    assert!(
        metrics.contains("acquit_relay_documents_published_total 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("acquit_relay_documents_revoked_total 1"),
        "{metrics}"
    );
    drop(relay);

    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains("/v/…") && log.contains("/documents/…"),
        "{log}"
    );
    for needle in [DOC, inbox.token.as_str()] {
        assert!(!log.contains(needle), "the log contains {needle:?}:\n{log}");
    }
}

#[tokio::test]
async fn the_return_page_says_received_once_the_relay_has_the_webhook() {
    let (_dir, relay, inbox) = setup(Some(SECRET), &[]);
    let client = no_redirects();
    let open = serde_json::json!({
        "status": "open", "pay_url": "https://buy.stripe.com/test_1", "invoice_number": "F-2026-0042",
        "amount_due": 120000, "currency": "EUR", "seller": "Atelier Dupont",
        "stripe_id": "plink_return_1"
    });
    assert_eq!(
        put_link(&client, &relay, &inbox, LINK, &open)
            .await
            .status(),
        204
    );
    let done = |lang: &'static str| {
        let (client, url) = (client.clone(), relay.url(&format!("/p/{LINK}/done")));
        async move {
            let res = client
                .get(url)
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            assert_page_headers(&res);
            res.text().await.unwrap()
        }
    };
    let waiting = done("fr").await;
    assert!(waiting.contains("Confirmation du paiement"), "{waiting}");
    assert!(waiting.contains("http-equiv=\"refresh\""));

    // Another link's session does not count.
    let sign_and_post = |body: String| {
        let (client, relay_url) = (client.clone(), relay.url(&inbox.webhook_path));
        async move {
            let sig = acquit_relay::signature::sign(SECRET, now(), body.as_bytes());
            client
                .post(relay_url)
                .header("stripe-signature", sig)
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let session = |evt: &str, link: &str, status: &str| {
        format!(
            r#"{{"id":"{evt}","object":"event","type":"checkout.session.completed","data":{{"object":{{"id":"cs_{evt}","object":"checkout.session","payment_link":"{link}","payment_status":"{status}","metadata":{{"acquit_link_id":"7"}}}}}}}}"#
        )
    };
    assert_eq!(
        sign_and_post(session("evt_other", "plink_other", "paid")).await,
        200
    );
    assert!(done("en").await.contains("Confirming the payment"));
    assert_eq!(
        sign_and_post(session("evt_ours", "plink_return_1", "paid")).await,
        200
    );
    let fr = done("fr").await;
    assert!(fr.contains("Paiement reçu"), "{fr}");
    assert!(fr.contains("facture F-2026-0042"), "{fr}");
    let en = done("en").await;
    assert!(en.contains("Payment received"), "{en}");

    let res = client
        .get(relay.url("/p/lnk_unknown_0123456789/done"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn the_pull_token_sets_the_first_secret_and_only_the_admin_credential_replaces_it() {
    let (dir, relay, inbox) = setup(None, &[]);
    let client = acquit_testkit::http();
    let admin = inbox
        .admin_token
        .clone()
        .expect("inbox create prints an admin token");
    assert_ne!(admin, inbox.token);
    let path = format!("/v1/inboxes/{}/webhook-secret", inbox.inbox);
    let secret = |s: &str| serde_json::json!({ "secret": s });

    let first = common::put_json(
        &client,
        &relay,
        &path,
        &inbox.token,
        &secret("whsec_first_one"),
    )
    .await;
    assert_eq!(first.status(), 204, "the first secret, with the pull token");
    let again = common::put_json(
        &client,
        &relay,
        &path,
        &inbox.token,
        &secret("whsec_first_one"),
    )
    .await;
    assert_eq!(
        again.status(),
        204,
        "sending the same one again changes nothing"
    );
    let swap = common::put_json(
        &client,
        &relay,
        &path,
        &inbox.token,
        &secret("whsec_attacker"),
    )
    .await;
    assert_eq!(swap.status(), 403);
    let body: ErrorBody = swap.json().await.unwrap();
    assert_eq!(body.error, "admin_required");
    assert!(body.message.contains("admin"), "{}", body.message);
    assert_eq!(
        post_signed(&client, &relay, &inbox, "whsec_attacker", "evt_forged").await,
        400,
        "the refused secret signs nothing"
    );
    let rotated =
        common::put_json(&client, &relay, &path, &admin, &secret("whsec_second_one")).await;
    assert_eq!(rotated.status(), 204, "the admin credential replaces it");
    assert_eq!(
        post_signed(&client, &relay, &inbox, "whsec_second_one", "evt_new").await,
        200
    );
    assert_eq!(
        post_signed(&client, &relay, &inbox, "whsec_first_one", "evt_old").await,
        200,
        "the previous secret during the grace period"
    );

    // The admin credential opens nothing else.
    let events = client
        .get(relay.url(&format!("/v1/inboxes/{}/events", inbox.inbox)))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 401);
    let link = serde_json::json!({"status": "open", "pay_url": "https://buy.stripe.com/x"});
    let res = common::put_json(
        &client,
        &relay,
        &format!("/v1/inboxes/{}/links/{LINK}", inbox.inbox),
        &admin,
        &link,
    )
    .await;
    assert_eq!(res.status(), 401);
    let doc_path = format!("/v1/inboxes/{}/documents/{DOC}", inbox.inbox);
    let res = client
        .put(relay.url(&doc_path))
        .bearer_auth(&admin)
        .body(bundle(64, 1))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = client
        .delete(relay.url(&doc_path))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    // The operator issues a new one; the old one stops working.
    let out = common::issue_admin_token(&dir.path().join("relay.db"), &inbox.inbox);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let issued: acquit_relay_protocol::AdminTokenIssued =
        serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(issued.inbox, inbox.inbox);
    let old = common::put_json(&client, &relay, &path, &admin, &secret("whsec_third_one")).await;
    assert_eq!(old.status(), 401, "the replaced credential");
    let new = common::put_json(
        &client,
        &relay,
        &path,
        &issued.admin_token,
        &secret("whsec_third_one"),
    )
    .await;
    assert_eq!(new.status(), 204);
    let ghost =
        common::issue_admin_token(&dir.path().join("relay.db"), "ibx_000000000000000000000000");
    assert!(!ghost.status.success());
    assert!(String::from_utf8_lossy(&ghost.stderr).contains("no inbox"));
}

#[tokio::test]
async fn secrets_can_come_from_files_and_are_never_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.db");
    let secret_file = dir.path().join("whsec");
    std::fs::write(&secret_file, "whsec_from_a_file_0123\n").unwrap();
    let out = std::process::Command::new(common::BIN)
        .args(["inbox", "create", "--json", "--db"])
        .arg(&db)
        .arg("--webhook-secret-file")
        .arg(&secret_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inbox: InboxCreated = serde_json::from_slice(&out.stdout).unwrap();
    let relay = Relay::start(&db, &[]);
    let client = acquit_testkit::http();
    assert_eq!(
        post_signed(
            &client,
            &relay,
            &inbox,
            "whsec_from_a_file_0123",
            "evt_file"
        )
        .await,
        200,
        "signed with the file's secret, newline dropped"
    );

    // A database URL from a file: the error names the file's database
    // trouble, never the URL or its password.
    let url_file = dir.path().join("db-url");
    std::fs::write(
        &url_file,
        "postgres://relay:hunter2secret@127.0.0.1:9/none\n",
    )
    .unwrap();
    let out = std::process::Command::new(common::BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "off",
        ])
        .arg("--database-url-file")
        .arg(&url_file)
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("PostgreSQL"), "{said}");
    assert!(!said.contains("hunter2secret"), "{said}");
    let out = std::process::Command::new(common::BIN)
        .args(["inbox", "create", "--db"])
        .arg(&db)
        .arg("--webhook-secret-file")
        .arg(dir.path().join("missing"))
        .output()
        .unwrap();
    assert!(!out.status.success());
}
