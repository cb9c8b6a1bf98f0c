//! The relay client against the real relay, served in-process on 127.0.0.1.

use std::time::{Duration, Instant};

use acquit_relay::signature;
use acquit_relay_protocol::{LinkState, LinkStatus};
use acquit_sync::relay::{AdminToken, PullToken, RelayClient, RelayConfig, RelayError};
use acquit_testkit::servers::RelayInProcess;

struct Relay {
    base: String,
    inbox: String,
    token: String,
    admin: String,
    _relay: RelayInProcess,
    _dir: tempfile::TempDir,
}

async fn start_relay() -> Relay {
    let dir = tempfile::tempdir().unwrap();
    let relay =
        RelayInProcess::start(&dir.path().join("relay.db"), Some("whsec_test_secret")).await;
    Relay {
        base: relay.base.clone(),
        inbox: relay.inbox.clone(),
        token: relay.token.clone(),
        admin: relay.admin.clone(),
        _relay: relay,
        _dir: dir,
    }
}

fn client(relay: &Relay, token: &str) -> RelayClient {
    let config =
        RelayConfig::new(&relay.base, &relay.inbox, PullToken::new(token).unwrap()).unwrap();
    RelayClient::new(config).unwrap()
}

async fn post_webhook(relay: &Relay, secret: &str, id: &str) -> u16 {
    let body = format!(
        r#"{{"id":"{id}","object":"event","type":"checkout.session.completed","created":1700000000,"data":{{"object":{{}}}}}}"#
    );
    let t = chrono::Utc::now().timestamp();
    acquit_http::client()
        .build()
        .unwrap()
        .post(format!(
            "{}{}",
            relay.base,
            acquit_relay_protocol::webhook_path(&relay.inbox)
        ))
        .header(
            "Stripe-Signature",
            signature::sign(secret, t, body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn pulls_in_order_with_a_cursor_and_long_polls() {
    let relay = start_relay().await;
    let c = client(&relay, &relay.token);
    c.check().await.unwrap();

    assert_eq!(
        post_webhook(&relay, "whsec_test_secret", "evt_1").await,
        200
    );
    assert_eq!(
        post_webhook(&relay, "whsec_test_secret", "evt_2").await,
        200
    );
    let page = c.pull(None, 10, 0).await.unwrap();
    let ids: Vec<_> = page.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["evt_1", "evt_2"]);
    let after = c.pull(Some(&page.next_cursor), 10, 0).await.unwrap();
    assert!(after.events.is_empty());

    // A long-poll returns as soon as the next event is stored.
    let waiting = {
        let c = c.clone();
        let cursor = page.next_cursor.clone();
        tokio::spawn(async move {
            let start = Instant::now();
            let page = c.pull(Some(&cursor), 10, 20).await.unwrap();
            (page, start.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        post_webhook(&relay, "whsec_test_secret", "evt_3").await,
        200
    );
    let (page, waited) = waiting.await.unwrap();
    assert_eq!(page.events.len(), 1);
    assert_eq!(page.events[0].id, "evt_3");
    assert!(waited < Duration::from_secs(5), "long-poll took {waited:?}");
}

#[tokio::test]
async fn rotates_the_webhook_secret_and_publishes_links() {
    let relay = start_relay().await;
    let c = client(&relay, &relay.token);
    // The secret is set: the pull token alone cannot replace it.
    let refused = c.set_webhook_secret("whsec_new_secret", None).await;
    assert!(
        matches!(refused, Err(RelayError::AdminRequired { .. })),
        "{refused:?}"
    );
    assert!(refused.unwrap_err().to_string().contains("admin"));
    assert_eq!(post_webhook(&relay, "whsec_new_secret", "evt_0").await, 400);
    let admin = AdminToken::new(&relay.admin).unwrap();
    c.set_webhook_secret("whsec_new_secret", Some(&admin))
        .await
        .unwrap();
    assert_eq!(post_webhook(&relay, "whsec_new_secret", "evt_a").await, 200);
    assert_eq!(post_webhook(&relay, "whsec_forged", "evt_b").await, 400);

    let state = LinkState {
        status: LinkStatus::Open,
        pay_url: Some("https://checkout.stripe.com/c/pay/cs_test_x".into()),
        invoice_number: Some("F-2026-0001".into()),
        amount_due: Some(12_000),
        currency: Some("EUR".into()),
        paid_at: None,
        seller: Some("Studio".into()),
        stripe_id: None,
    };
    let token = "tok_0123456789abcdef0123456789abcdef";
    c.publish_link(token, &state).await.unwrap();
    let redirect = acquit_http::client()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(c.config().public_link(token))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status().as_u16(), 302);
    assert_eq!(
        redirect.headers()["location"].to_str().unwrap(),
        "https://checkout.stripe.com/c/pay/cs_test_x"
    );
}

#[tokio::test]
async fn errors_say_what_to_do() {
    let relay = start_relay().await;
    let wrong = client(&relay, "not-the-token");
    let err = wrong.check().await.unwrap_err();
    assert!(matches!(err, RelayError::Unauthorized { .. }), "{err:?}");
    assert!(err.to_string().contains("acquit relay set"));
    assert!(!err.is_transient());

    let unknown = RelayClient::new(
        RelayConfig::new(
            &relay.base,
            "ibx_nope",
            PullToken::new(&relay.token).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let err = unknown.check().await.unwrap_err();
    assert!(
        matches!(
            err,
            RelayError::UnknownInbox { .. } | RelayError::Unauthorized { .. }
        ),
        "{err:?}"
    );

    // Nothing listens on this port once the listener is dropped.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let down = RelayClient::new(
        RelayConfig::new(
            &format!("http://127.0.0.1:{port}"),
            &relay.inbox,
            PullToken::new(&relay.token).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let err = down.check().await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(err.to_string().contains("cannot reach the relay"));
    assert!(
        !err.to_string().contains(&relay.token),
        "token leaked: {err}"
    );
}
