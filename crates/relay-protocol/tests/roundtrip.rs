//! Every wire type parses its JSON fixture and serializes back to the same
//! JSON value: field names and shapes are the contract with the app.

use acquit_relay_protocol::{
    AdminTokenIssued, EventsPage, EventsQuery, InboxCreated, LinkState, LinkStatus,
    WebhookSecretBody, webhook_path,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

fn round_trip<T: Serialize + DeserializeOwned>(fixture: &str) -> T {
    let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed: T = serde_json::from_str(&text).unwrap();
    let back = serde_json::to_value(&parsed).unwrap();
    let original: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, original, "{fixture} does not round-trip");
    parsed
}

#[test]
fn events_page_round_trips() {
    let page: EventsPage = round_trip("events_page.json");
    assert_eq!(page.events.len(), 2);
    assert_eq!(page.events[0].event_type, "checkout.session.completed");
    assert_eq!(page.events[0].cursor, "41");
    assert_eq!(page.next_cursor, "42");
    assert_eq!(
        page.events[0].payload["data"]["object"]["amount_total"],
        12000
    );
}

#[test]
fn empty_events_page_round_trips() {
    let page: EventsPage = round_trip("events_page_empty.json");
    assert!(page.events.is_empty());
    assert_eq!(page.next_cursor, "0");
}

#[test]
fn inbox_created_round_trips() {
    let created: InboxCreated = round_trip("inbox_created.json");
    assert_eq!(created.webhook_path, webhook_path(&created.inbox));
    assert_ne!(created.admin_token.as_deref(), Some(created.token.as_str()));
    // An older relay prints no admin credential.
    let older: InboxCreated = round_trip("inbox_created_v1.json");
    assert_eq!(older.admin_token, None);
}

#[test]
fn admin_token_round_trips() {
    let issued: AdminTokenIssued = round_trip("admin_token.json");
    assert!(issued.inbox.starts_with("ibx_"));
}

#[test]
fn webhook_secret_body_round_trips_and_rejects_unknown_fields() {
    let body: WebhookSecretBody = round_trip("webhook_secret.json");
    assert_eq!(body.secret, "whsec_test_secret");
    assert!(serde_json::from_str::<WebhookSecretBody>(r#"{"secret":"a","x":1}"#).is_err());
}

#[test]
fn link_states_round_trip() {
    let paid: LinkState = round_trip("link_paid.json");
    assert_eq!(paid.status, LinkStatus::Paid);
    let open: LinkState = round_trip("link_open.json");
    assert_eq!(open.status, LinkStatus::Open);
    assert!(serde_json::from_str::<LinkState>(r#"{"status":"closed"}"#).is_err());
    let void: LinkState = serde_json::from_str(r#"{"status":"void"}"#).unwrap();
    assert_eq!(void.status, LinkStatus::Void);
}

#[test]
fn events_query_omits_absent_fields() {
    let q = EventsQuery {
        after: Some("7".into()),
        limit: None,
        wait: Some(30),
    };
    assert_eq!(
        serde_json::to_string(&q).unwrap(),
        r#"{"after":"7","wait":30}"#
    );
}

#[test]
fn error_body_and_webhook_ack_round_trip() {
    use acquit_relay_protocol::{ErrorBody, WebhookAck};
    let err: ErrorBody = round_trip("error.json");
    assert_eq!(err.error, "stale_signature");
    let ack: WebhookAck = round_trip("webhook_ack.json");
    assert!(ack.duplicate);
}

#[test]
fn reply_lists_round_trip() {
    use acquit_relay_protocol::{ReplyList, replies_path};
    let list: ReplyList = round_trip("replies.json");
    assert_eq!(list.replies.len(), 2);
    assert!(list.replies[0].id < list.replies[1].id, "oldest first");
    assert_eq!(list.replies[0].received_at, "2027-01-20T09:14:02Z");
    // base64url without padding: no '+', '/' or '='.
    for r in &list.replies {
        assert!(!r.sealed.contains(['+', '/', '=']), "{}", r.sealed);
    }
    let empty: ReplyList = round_trip("replies_empty.json");
    assert!(empty.replies.is_empty());
    assert_eq!(
        replies_path("ibx_1", "doc_abc"),
        "/v1/inboxes/ibx_1/documents/doc_abc/replies"
    );
}

#[test]
fn quote_replies_round_trip_with_a_null_comment() {
    use acquit_relay_protocol::QuoteReply;
    let accepted: QuoteReply = round_trip("quote_reply.json");
    assert!(accepted.accepted);
    assert_eq!(accepted.name, "Léa Martin");
    assert_eq!(accepted.comment, None);
    // The page writes exactly this text (serde keeps the field order).
    let fixture = std::fs::read_to_string(format!(
        "{}/tests/fixtures/quote_reply.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert_eq!(
        serde_json::to_string(&accepted).unwrap(),
        fixture.trim_end()
    );
    let declined: QuoteReply = round_trip("quote_reply_declined.json");
    assert!(!declined.accepted);
    assert_eq!(declined.comment.as_deref(), Some("Trop cher.\nMerci"));
}
