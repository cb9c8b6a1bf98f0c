//! Stripe's own example objects (`tests/fixtures/`, copied from Stripe's
//! published fixtures) read into this crate's types: what Stripe sends, not
//! what the fake sends, so a field we require but Stripe may omit or send
//! as null shows up here.

use acquit_stripe::{
    BalanceTransaction, Charge, CheckoutSession, Deleted, Event, EventKind, Expandable,
    PaymentIntent, Refund, SessionPaymentStatus, SessionStatus, WebhookEndpoint,
};
use serde_json::Value as Json;

fn fixture(name: &str) -> Json {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn read<T: serde::de::DeserializeOwned>(json: Json) -> T {
    serde_json::from_value(json).unwrap()
}

/// The session as `expand[]=payment_intent.latest_charge.balance_transaction`
/// nests it, built from the four fixtures.
fn expanded_session() -> Json {
    let mut charge = fixture("charge");
    charge["balance_transaction"] = fixture("balance_transaction");
    let mut intent = fixture("payment_intent");
    intent["latest_charge"] = charge;
    let mut session = fixture("checkout_session");
    session["payment_intent"] = intent;
    session
}

#[test]
fn a_checkout_session() {
    let session: CheckoutSession = read(fixture("checkout_session"));
    assert_eq!(
        session.id,
        "cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY"
    );
    assert_eq!(session.status, Some(SessionStatus::Open));
    assert_eq!(session.payment_status, SessionPaymentStatus::Unpaid);
    assert_eq!(session.amount_total, None);
    assert_eq!(session.currency, None);
    assert_eq!(session.payment_link_id(), None);
    assert_eq!(
        session.payment_intent_id(),
        Some("pi_1PgafyB7WZ01zgkWSjxsAJo3")
    );
    assert!(matches!(session.payment_intent, Some(Expandable::Id(_))));
    assert_eq!(session.metadata_value("acquit_link_id"), None);
    assert_eq!(
        session.customer_details.as_ref().unwrap().email.as_deref(),
        Some("example@example.com")
    );
    assert!(
        session
            .url
            .as_deref()
            .unwrap()
            .starts_with("https://checkout.stripe.com/")
    );
    assert_eq!(
        (session.expires_at, session.created),
        (1234567890, 1234567890)
    );
    assert!(!session.livemode);
    assert!(session.balance_transaction().is_none());
}

#[test]
fn a_checkout_session_as_a_webhook_or_a_link_would_fill_it() {
    let mut json = fixture("checkout_session");
    json["status"] = "complete".into();
    json["payment_status"] = "paid".into();
    json["amount_total"] = 125_050.into();
    json["currency"] = "eur".into();
    json["payment_link"] = "plink_1".into();
    json["metadata"] = serde_json::json!({"acquit_link_id": "lnk_3"});
    json["url"] = Json::Null;
    json["customer_details"] = Json::Null;
    let session: CheckoutSession = read(json);
    assert_eq!(session.status, Some(SessionStatus::Complete));
    assert_eq!(session.payment_status, SessionPaymentStatus::Paid);
    assert_eq!(session.amount_total, Some(125_050));
    assert_eq!(session.payment_link_id(), Some("plink_1"));
    assert_eq!(session.metadata_value("acquit_link_id"), Some("lnk_3"));
    assert_eq!(session.url, None);
    assert_eq!(session.customer_details, None);

    // Statuses newer than this crate do not break the parse.
    let mut json = fixture("checkout_session");
    json["status"] = "some_future_status".into();
    json["payment_status"] = Json::Null;
    assert!(serde_json::from_value::<CheckoutSession>(json.clone()).is_err());
    json["payment_status"] = "some_future_status".into();
    let session: CheckoutSession = read(json);
    assert_eq!(session.status, Some(SessionStatus::Other));
    assert_eq!(session.payment_status, SessionPaymentStatus::Other);
}

#[test]
fn an_expanded_session_gives_fee_and_net() {
    let session: CheckoutSession = read(expanded_session());
    assert_eq!(
        session.payment_intent_id(),
        Some("pi_1PgafyB7WZ01zgkWSjxsAJo3")
    );
    let charge = session.latest_charge().unwrap();
    assert_eq!(charge.id, "ch_1PgafuB7WZ01zgkWXYmPNZs8");
    let txn = session.balance_transaction().unwrap();
    assert_eq!(txn.id, "txn_1PgaxNB7WZ01zgkWEV3TLf40");
    assert_eq!((txn.amount, txn.fee, txn.net), (100, 0, 100));
    assert_eq!(txn.currency, "usd");
}

#[test]
fn a_payment_intent_charge_and_balance_transaction() {
    let intent: PaymentIntent = read(fixture("payment_intent"));
    assert_eq!(intent.id, "pi_1PgafyB7WZ01zgkWSjxsAJo3");
    assert_eq!((intent.amount, intent.currency.as_str()), (1099, "usd"));
    assert_eq!(intent.status, "requires_payment_method");
    assert!(intent.latest_charge.is_none());

    let charge: Charge = read(fixture("charge"));
    assert_eq!((charge.amount, charge.amount_refunded), (100, 0));
    assert_eq!(
        charge.balance_transaction.as_ref().map(Expandable::id),
        Some("txn_1PgaxNB7WZ01zgkWEV3TLf40")
    );
    assert!(!charge.refunded);
    assert_eq!(charge.status, "succeeded");

    let txn: BalanceTransaction = read(fixture("balance_transaction"));
    assert_eq!((txn.fee, txn.net), (0, 100));

    // A pending SEPA debit: a charge without a balance transaction.
    let mut pending = fixture("charge");
    pending["balance_transaction"] = Json::Null;
    pending["status"] = "pending".into();
    let charge: Charge = read(pending);
    assert!(charge.balance_transaction.is_none());
}

#[test]
fn events() {
    let event: Event = read(fixture("event"));
    assert_eq!(event.id, "evt_1Pgc76B7WZ01zgkWwyRHS12y");
    assert_eq!(event.event_type, "plan.created");
    assert_eq!(event.kind(), EventKind::Other);
    assert_eq!(event.created, 1234567890);
    assert!(!event.livemode);
    assert_eq!(event.data.object["object"], "plan");

    let event: Event = read(fixture("event_checkout_session_completed"));
    assert_eq!(event.kind(), EventKind::CheckoutSessionCompleted);
    let session: CheckoutSession = event.object_as().unwrap();
    assert_eq!(
        session.payment_intent_id(),
        Some("pi_1PgafyB7WZ01zgkWSjxsAJo3")
    );
    // The wrong type says which event it was.
    let error = event.object_as::<Refund>().unwrap_err().to_string();
    assert!(error.contains("evt_1Pgc76B7WZ01zgkWwyRHS12y"), "{error}");
}

#[test]
fn a_refund() {
    let refund: Refund = read(fixture("refund"));
    assert_eq!(refund.id, "re_1Pgc72B7WZ01zgkWqPvrRrPE");
    assert_eq!((refund.amount, refund.currency.as_str()), (100, "usd"));
    assert_eq!(
        refund.charge.as_ref().map(Expandable::id),
        Some("ch_1PgafuB7WZ01zgkWXYmPNZs8")
    );
    assert!(refund.payment_intent.is_none());
    assert_eq!(refund.status.as_deref(), Some("succeeded"));
}

#[test]
fn webhook_endpoints() {
    let endpoint: WebhookEndpoint = read(fixture("webhook_endpoint"));
    assert_eq!(endpoint.id, "we_1Pgc6yB7WZ01zgkWzAudq4eU");
    assert_eq!(
        endpoint.enabled_events,
        ["charge.failed", "charge.succeeded"]
    );
    assert!(endpoint.is_enabled());
    assert!(endpoint.secret.is_none());

    let mut created = fixture("webhook_endpoint");
    created["secret"] = "whsec_fixtureSecret123".into();
    let endpoint: WebhookEndpoint = read(created);
    let secret = endpoint.secret.as_ref().unwrap();
    assert_eq!(secret.expose(), "whsec_fixtureSecret123");
    assert!(!format!("{endpoint:?}").contains("fixtureSecret"));

    let deleted: Deleted = read(fixture("deleted_webhook_endpoint"));
    assert!(deleted.deleted);
    assert_eq!(deleted.id, "we_1Pgc6yB7WZ01zgkWzAudq4eU");
}
