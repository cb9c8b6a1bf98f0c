//! Replies to a page (a quote's answer), on the real binary over TCP:
//! `POST /v/{token}/reply` from the client's page, `GET
//! …/documents/{token}/replies` for the app.

mod common;

use acquit_relay_protocol::{
    ErrorBody, InboxCreated, MAX_REPLIES, MAX_REPLY_BYTES, ReplyList, error_code, replies_path,
};
use common::{Relay, create_inbox};

const DOC: &str = "doc_cXVvdGUtcmVwbGllcy10ZXN0";

/// A well-formed sealed blob (version 1, IV, "ciphertext" and tag) of `n`
/// bytes whose content varies with `seed`.
fn sealed(n: usize, seed: u8) -> Vec<u8> {
    let mut b: Vec<u8> = (0..n.max(29))
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect();
    b[0] = 1;
    b
}

/// Base64url without padding, decoded (strictly: the alphabet's `-` and
/// `_`, no `=`).
fn from_base64url(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => panic!("{:?} is not base64url without padding", char::from(c)),
    };
    let mut out = Vec::new();
    for chunk in s.as_bytes().chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &c)| n | u32::from(value(c)) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

async fn post_reply(client: &reqwest::Client, relay: &Relay, token: &str, body: Vec<u8>) -> u16 {
    post_reply_res(client, relay, token, body)
        .await
        .status()
        .as_u16()
}

async fn post_reply_res(
    client: &reqwest::Client,
    relay: &Relay,
    token: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    client
        .post(relay.url(&format!("/v/{token}/reply")))
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn list(
    client: &reqwest::Client,
    relay: &Relay,
    inbox: &InboxCreated,
    token: &str,
    bearer: &str,
) -> reqwest::Response {
    client
        .get(relay.url(&replies_path(&inbox.inbox, token)))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap()
}

async fn put_document(
    client: &reqwest::Client,
    relay: &Relay,
    inbox: &InboxCreated,
    token: &str,
) -> u16 {
    client
        .put(relay.url(&acquit_relay_protocol::document_path(&inbox.inbox, token)))
        .bearer_auth(&inbox.token)
        .header("content-type", "application/octet-stream")
        .body(sealed(200, 0x42))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Every status of both routes, on `relay` where `inbox` and `other` are
/// two inboxes.
async fn the_reply_api(relay: &Relay, inbox: &InboxCreated, other: &InboxCreated) {
    let client = acquit_testkit::http();

    // Unknown page: 404 both ways (a well-formed body, so the token is
    // what is refused).
    assert_eq!(post_reply(&client, relay, DOC, sealed(40, 1)).await, 404);
    assert_eq!(
        post_reply(&client, relay, "short", sealed(40, 1)).await,
        404
    );
    let res = list(&client, relay, inbox, DOC, &inbox.token).await;
    assert_eq!(res.status(), 404);
    assert_eq!(
        res.json::<ErrorBody>().await.unwrap().error,
        "unknown_document"
    );

    assert_eq!(put_document(&client, relay, inbox, DOC).await, 204);

    // The app's listing needs the inbox's pull token.
    let res = client
        .get(relay.url(&replies_path(&inbox.inbox, DOC)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        list(&client, relay, inbox, DOC, "wrong-token")
            .await
            .status(),
        401
    );
    let admin = inbox.admin_token.as_deref().unwrap();
    assert_eq!(
        list(&client, relay, inbox, DOC, admin).await.status(),
        401,
        "the admin credential reads nothing"
    );
    assert_eq!(
        list(&client, relay, inbox, DOC, &other.token)
            .await
            .status(),
        401,
        "another inbox's token"
    );
    assert_eq!(
        list(&client, relay, other, DOC, &other.token)
            .await
            .status(),
        404,
        "another inbox does not have that page"
    );
    let res = list(&client, relay, inbox, DOC, &inbox.token).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({ "replies": [] })
    );

    // Malformed: not the version byte, too short; too large.
    let mut wrong_version = sealed(64, 2);
    wrong_version[0] = 2;
    for (body, what) in [
        (wrong_version, "version 2"),
        (sealed(64, 2)[..28].to_vec(), "28 bytes"),
        (Vec::new(), "empty"),
        (br#"{"accepted":true}"#.to_vec(), "plain JSON"),
    ] {
        let res = post_reply_res(&client, relay, DOC, body).await;
        assert_eq!(res.status(), 400, "{what}");
        assert_eq!(res.json::<ErrorBody>().await.unwrap().error, "bad_reply");
    }
    let res = post_reply_res(&client, relay, DOC, sealed(MAX_REPLY_BYTES + 1, 3)).await;
    assert_eq!(res.status(), 413);
    assert_eq!(
        res.json::<ErrorBody>().await.unwrap().error,
        "reply_too_large"
    );
    let res = post_reply_res(&client, relay, DOC, sealed(1 << 20, 3)).await;
    assert_eq!(res.status(), 413, "a large body is refused too");

    // Up to MAX_REPLIES, the smallest and the largest allowed included.
    let mut posted = vec![sealed(29, 0), sealed(MAX_REPLY_BYTES, 1)];
    posted.extend((2..MAX_REPLIES).map(|i| sealed(100 + i, i as u8)));
    for (i, body) in posted.iter().enumerate() {
        let res = post_reply_res(&client, relay, DOC, body.clone()).await;
        assert_eq!(res.status(), 204, "reply {i}");
        assert_eq!(res.headers()["cache-control"], "no-store");
    }
    let res = post_reply_res(&client, relay, DOC, sealed(50, 99)).await;
    assert_eq!(res.status(), 429, "reply {}", MAX_REPLIES + 1);
    assert_eq!(
        res.json::<ErrorBody>().await.unwrap().error,
        error_code::TOO_MANY_REPLIES
    );

    // Listed oldest first, increasing ids, the bytes as posted.
    let check = |list: &ReplyList| {
        assert_eq!(list.replies.len(), MAX_REPLIES);
        assert!(list.replies.windows(2).all(|w| w[0].id < w[1].id));
        for (reply, body) in list.replies.iter().zip(&posted) {
            assert_eq!(&from_base64url(&reply.sealed), body, "reply {}", reply.id);
            assert!(
                chrono_like(&reply.received_at),
                "{:?} is not RFC 3339 UTC",
                reply.received_at
            );
        }
    };
    let res = list(&client, relay, inbox, DOC, &inbox.token).await;
    assert_eq!(res.status(), 200);
    let before: ReplyList = res.json().await.unwrap();
    check(&before);

    // Republishing keeps them.
    assert_eq!(put_document(&client, relay, inbox, DOC).await, 204);
    let res = list(&client, relay, inbox, DOC, &inbox.token).await;
    let after: ReplyList = res.json().await.unwrap();
    assert_eq!(after, before);

    // Revoking deletes them; a revoked page takes no more.
    let res = client
        .delete(relay.url(&acquit_relay_protocol::document_path(&inbox.inbox, DOC)))
        .bearer_auth(&inbox.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = list(&client, relay, inbox, DOC, &inbox.token).await;
    assert_eq!(res.status(), 200);
    assert!(res.json::<ReplyList>().await.unwrap().replies.is_empty());
    let res = post_reply_res(&client, relay, DOC, sealed(40, 5)).await;
    assert_eq!(res.status(), 410);
    assert_eq!(
        res.json::<ErrorBody>().await.unwrap().error,
        "document_revoked"
    );
}

fn chrono_like(s: &str) -> bool {
    s.len() == 20 && s.ends_with('Z') && s.as_bytes()[10] == b'T'
}

#[tokio::test]
async fn replies_are_posted_capped_listed_kept_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.db");
    let inbox = create_inbox(&db, None);
    let other = create_inbox(&db, None);
    let log = dir.path().join("relay.log");
    let relay = Relay::start_logged(&db, &[], "debug", &log);
    the_reply_api(&relay, &inbox, &other).await;

    let metrics = common::metrics_text(&acquit_testkit::http(), &relay).await;
    assert!(
        metrics.contains(&format!(
            "acquit_relay_document_replies_total {MAX_REPLIES}"
        )),
        "{metrics}"
    );
    drop(relay);
    // The token is masked on both routes; nothing posted is logged.
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("/v/…/reply"), "{log}");
    assert!(log.contains("/documents/…/replies"), "{log}");
    for needle in [DOC, inbox.token.as_str()] {
        assert!(!log.contains(needle), "the log contains {needle:?}:\n{log}");
    }
}

/// The same on PostgreSQL when `ACQUIT_RELAY_TEST_DATABASE_URL` is set.
#[tokio::test]
async fn replies_work_the_same_on_postgres() {
    let Some(url) = common::postgres_url() else {
        eprintln!("ACQUIT_RELAY_TEST_DATABASE_URL unset: PostgreSQL replies test not run");
        return;
    };
    let inbox = common::create_inbox_postgres(&url, None);
    let other = common::create_inbox_postgres(&url, None);
    let relay = Relay::start_postgres(&url, &[]);
    // The database outlives the test: a token of this run's own.
    let token = format!("doc_pg_replies_{}", inbox.inbox);
    let client = acquit_testkit::http();
    assert_eq!(put_document(&client, &relay, &inbox, &token).await, 204);
    for i in 0..MAX_REPLIES {
        assert_eq!(
            post_reply(&client, &relay, &token, sealed(60, i as u8)).await,
            204
        );
    }
    assert_eq!(
        post_reply(&client, &relay, &token, sealed(60, 0)).await,
        429
    );
    let listed: ReplyList = list(&client, &relay, &inbox, &token, &inbox.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.replies.len(), MAX_REPLIES);
    assert_eq!(from_base64url(&listed.replies[3].sealed), sealed(60, 3));
    assert_eq!(
        list(&client, &relay, &other, &token, &other.token)
            .await
            .status(),
        404
    );
    let res = client
        .delete(relay.url(&acquit_relay_protocol::document_path(&inbox.inbox, &token)))
        .bearer_auth(&inbox.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        post_reply(&client, &relay, &token, sealed(60, 0)).await,
        410
    );
    let listed: ReplyList = list(&client, &relay, &inbox, &token, &inbox.token)
        .await
        .json()
        .await
        .unwrap();
    assert!(listed.replies.is_empty());
}

/// The reply route is a public page for the per-address rate limit.
#[tokio::test]
async fn posting_replies_is_rate_limited_per_address() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.db");
    let relay = Relay::start(&db, &["--page-rate", "6", "--page-burst", "2"]);
    let client = acquit_testkit::http();
    for _ in 0..2 {
        assert_eq!(post_reply(&client, &relay, DOC, sealed(40, 1)).await, 404);
    }
    let res = post_reply_res(&client, &relay, DOC, sealed(40, 1)).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(
        res.json::<ErrorBody>().await.unwrap().error,
        error_code::RATE_LIMITED
    );
}
