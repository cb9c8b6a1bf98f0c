//! The relay is not trusted: every payment it reports is confirmed with
//! Stripe before it is booked, and what is booked is Stripe's copy.
//!
//! Real servers on 127.0.0.1, served in-process: the fake Stripe (payments
//! made through its test controls, webhooks delivered signed) and the real
//! relay (its SQLite store, its signature check). The books are a real
//! store. The attacker is the relay's operator, who knows the webhook
//! secret and can sign anything.

use std::time::Duration;

use acquit_core::{InvoiceStatus, Lang, Money, Seller};
use acquit_relay::signature;
use acquit_store::{LinkKind, NewLink, Store};
use acquit_stripe::{Client, Config, IdempotencyKey, NewWebhookEndpoint, SecretKey};
use acquit_sync::confirm::{self, Verdict};
use acquit_sync::engine::{self, SourceChoice, Sources, SyncReport};
use acquit_sync::relay::{PullToken, RelayClient, RelayConfig};
use acquit_testkit::servers::RelayInProcess;
use serde_json::{Value, json};

use acquit_testkit::books as support;
use acquit_testkit::books::eur;

const KEY: &str = "sk_test_acquitUntrustedRelay00004242";

struct World {
    fake: String,
    stripe: Client,
    relay: RelayClient,
    secret: String,
    store: Store,
    _served: RelayInProcess,
    _dir: tempfile::TempDir,
}

fn stripe_client(base: &str, key: &str) -> Client {
    let mut config = Config::new(SecretKey::parse(key).unwrap());
    config.api_base = base.to_owned();
    config.initial_backoff = Duration::from_millis(10);
    config.max_backoff = Duration::from_millis(40);
    config.timeout = Duration::from_secs(5);
    Client::new(config).unwrap()
}

async fn post(url: &str, body: Value) -> (u16, Value) {
    let response = acquit_http::client()
        .build()
        .unwrap()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

impl World {
    /// A fake Stripe, a relay whose inbox Stripe's webhooks reach, and books
    /// with a company, a client and no invoice yet.
    async fn start() -> World {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(fake_stripe::serve(listener, fake_stripe::Config::default()));
        let stripe = stripe_client(&fake, KEY);

        let served = RelayInProcess::start(&dir.path().join("relay.db"), None).await;
        let relay = RelayClient::new(
            RelayConfig::new(
                &served.base,
                &served.inbox,
                PullToken::new(&served.token).unwrap(),
            )
            .unwrap(),
        )
        .unwrap();
        let endpoint = stripe
            .create_webhook_endpoint(
                &NewWebhookEndpoint::for_relay(relay.config().webhook_url()),
                &IdempotencyKey::new("untrusted-relay-endpoint").unwrap(),
            )
            .await
            .unwrap();
        let secret = endpoint.secret.unwrap().expose().to_owned();
        relay.set_webhook_secret(&secret, None).await.unwrap();

        let mut store = Store::open(dir.path().join("acquit.db")).unwrap();
        store
            .set_seller(&Seller::new("Atelier Durand", "12 rue des Lilas, Paris"))
            .unwrap();
        World {
            fake,
            stripe,
            relay,
            secret,
            store,
            _served: served,
            _dir: dir,
        }
    }

    /// Issues an invoice of `minor` cents (no VAT) and creates a Payment
    /// Link for it on Stripe; returns the number and the link's URL.
    async fn invoice_with_link(&mut self, minor: i64) -> (String, String) {
        let number = support::issue_invoice(
            &mut self.store,
            "Boulangerie Martin",
            Lang::Fr,
            minor,
            acquit_store::today(),
        );
        let shared = acquit_sync::links::create_link(
            &mut self.store,
            &self.stripe,
            None,
            &number,
            &NewLink {
                kind: LinkKind::PaymentLink,
                amount: None,
                expires_at: None,
            },
        )
        .await
        .unwrap();
        (number, shared.link.url.unwrap())
    }

    /// A customer pays `url` by card, as on Stripe's page.
    async fn pay(&self, url: &str) {
        let (status, body) = post(
            &format!("{}/_fake/pay", self.fake),
            json!({"url": url, "card": "4242424242424242"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }

    /// Stripe's `checkout.session.completed` for the invoice `number`.
    async fn stripe_event_for(&self, number: &str) -> Value {
        let events = self
            .stripe
            .list_events(0, &["checkout.session.completed"])
            .await
            .unwrap();
        events
            .iter()
            .find(|e| e.data.object["metadata"]["acquit_invoice_number"] == number)
            .unwrap_or_else(|| panic!("no event for {number}"))
            .to_json()
    }

    /// The relay's operator signs and posts `event` as Stripe would.
    async fn forge(&self, event: &Value) {
        let body = event.to_string();
        let t = chrono::Utc::now().timestamp();
        let response = acquit_http::client()
            .build()
            .unwrap()
            .post(self.relay.config().webhook_url())
            .header(
                "Stripe-Signature",
                signature::sign(&self.secret, t, body.as_bytes()),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status().as_u16(),
            200,
            "the relay took the forgery"
        );
    }

    /// Waits until the relay holds `n` events (the fake delivers webhooks
    /// in the background).
    async fn relay_holds(&self, n: usize) {
        for _ in 0..200 {
            if self.relay.pull(None, 100, 0).await.unwrap().events.len() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the relay never held {n} events");
    }

    async fn sync_with(&mut self, stripe: &Client) -> SyncReport {
        let sources = Sources {
            relay: Some(&self.relay),
            stripe: Some(stripe),
        };
        engine::sync(&mut self.store, sources, SourceChoice::Relay, 0)
            .await
            .unwrap()
    }

    async fn sync(&mut self) -> SyncReport {
        let stripe = self.stripe.clone();
        self.sync_with(&stripe).await
    }

    fn status(&self, number: &str) -> (InvoiceStatus, Money, usize) {
        let view = self.store.invoice(number).unwrap();
        let payments = self.store.payments(number).unwrap().len();
        (view.status, view.amount_due, payments)
    }
}

/// A checkout.session.completed for invoice `number`'s link, cloned from a
/// real one (`real`) under a new id: what an operator with the secret can
/// make up.
fn forgery(real: &Value, store: &Store, number: &str, id: &str) -> Value {
    let link = &store.links(number).unwrap()[0];
    let view = store.invoice(number).unwrap();
    let mut forged = real.clone();
    forged["id"] = json!(id);
    let session = &mut forged["data"]["object"];
    session["id"] = json!("cs_test_forged0000000000000000");
    session["payment_link"] = json!(link.stripe_id);
    session["payment_intent"] = json!("pi_forged000000000000000000");
    session["amount_total"] = json!(view.totals.total.minor());
    session["metadata"]["acquit_invoice_number"] = json!(number);
    session["metadata"]["acquit_link_id"] = json!(link.id.0.to_string());
    forged
}

#[tokio::test]
async fn an_operator_s_forged_payment_is_rejected_and_a_real_one_applied() {
    let mut w = World::start().await;
    let (paid, paid_url) = w.invoice_with_link(45_000).await;
    let (target, _) = w.invoice_with_link(120_000).await;
    w.pay(&paid_url).await;
    let real = w.stripe_event_for(&paid).await;
    w.relay_holds(1).await;
    let journal = w.store.verify_journal().unwrap().entries;

    w.forge(&forgery(
        &real,
        &w.store,
        &target,
        "evt_forged_by_the_operator",
    ))
    .await;
    let report = w.sync().await;

    assert_eq!(w.status(&paid).0, InvoiceStatus::Paid);
    assert_eq!(
        w.status(&target),
        (InvoiceStatus::Issued, eur(120_000), 0),
        "the forged payment was booked"
    );
    // The real payment's events (the session, the link's count) applied;
    // the forged one rejected.
    assert_eq!(report.rejected, 1, "{report:?}");
    assert_eq!(report.invoices, std::slice::from_ref(&paid), "{report:?}");
    // One journal entry: the real payment's.
    assert_eq!(w.store.verify_journal().unwrap().entries, journal + 1);
    assert!(
        w.store
            .ledger(None, None)
            .unwrap()
            .iter()
            .all(|e| e.invoice_number != target)
    );
    let rejected = w.store.rejected_events().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].event_id, "evt_forged_by_the_operator");
    assert!(
        rejected[0].detail.contains("Stripe does not know event"),
        "{}",
        rejected[0].detail
    );
    assert!(report.warnings.iter().any(|w| w.contains("rejected")));
    // The reconciliation lists it.
    let findings = acquit_sync::reconcile::compare(&w.store, &[], acquit_store::today())
        .unwrap()
        .findings;
    assert!(findings.iter().any(|f| {
        f.kind == acquit_sync::reconcile::FindingKind::RejectedEvent
            && f.stripe_ref == "evt_forged_by_the_operator"
    }));
    // The link of the target is still open on Stripe's side and ours.
    assert_eq!(
        w.store.links(&target).unwrap()[0].status,
        acquit_store::LinkStatus::Open
    );
    // Sending it again changes nothing.
    w.forge(&forgery(
        &real,
        &w.store,
        &target,
        "evt_forged_by_the_operator_2",
    ))
    .await;
    w.sync().await;
    assert_eq!(w.status(&target).2, 0);
}

#[tokio::test]
async fn what_is_applied_is_stripe_s_copy_not_the_relay_s() {
    let mut w = World::start().await;
    let (number, url) = w.invoice_with_link(30_000).await;
    w.pay(&url).await;
    let real = w.stripe_event_for(&number).await;
    // The relay hands over the real event id with a larger amount.
    let mut tampered = real.clone();
    tampered["data"]["object"]["amount_total"] = json!(90_000);
    match confirm::confirm(Some(&w.stripe), &tampered).await {
        Verdict::Confirmed {
            event,
            relay_differed,
        } => {
            assert_eq!(event["data"]["object"]["amount_total"], 30_000);
            let how = relay_differed.expect("the difference is reported");
            assert!(how.contains("900,00") || how.contains("900.00"), "{how}");
        }
        other => panic!("{other:?}"),
    }
    // The untouched copy is confirmed with nothing to report.
    match confirm::confirm(Some(&w.stripe), &real).await {
        Verdict::Confirmed { relay_differed, .. } => assert_eq!(relay_differed, None),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_test_mode_event_is_rejected_by_live_books_without_asking() {
    let w = World::start().await;
    // A live key pointed at the fake (loopback): no request may be needed
    // to refuse a test-mode event, and none is made.
    let live = stripe_client(&w.fake, "sk_live_acquitUntrustedRelay00004242");
    let event = json!({"id": "evt_test_mode", "object": "event", "type": "checkout.session.completed",
        "created": 1_790_000_000, "livemode": false, "data": {"object": {"id": "cs_test_x"}}});
    match confirm::confirm(Some(&live), &event).await {
        Verdict::Rejected(why) => assert!(why.contains("test-mode event"), "{why}"),
        other => panic!("{other:?}"),
    }
    // And the reverse: a live event against test books.
    let mut live_event = event.clone();
    live_event["livemode"] = json!(true);
    match confirm::confirm(Some(&w.stripe), &live_event).await {
        Verdict::Rejected(why) => assert!(why.contains("live-mode event"), "{why}"),
        other => panic!("{other:?}"),
    }
    // An event of a connected account is not the user's own.
    let mut connect = event.clone();
    connect["account"] = json!("acct_someone_else");
    assert!(matches!(
        confirm::confirm(Some(&w.stripe), &connect).await,
        Verdict::Rejected(_)
    ));
}

#[tokio::test]
async fn while_stripe_cannot_be_reached_the_event_waits_then_is_confirmed() {
    let mut w = World::start().await;
    let (number, url) = w.invoice_with_link(25_000).await;
    w.pay(&url).await;
    w.relay_holds(1).await;

    // Stripe answers 500 to every event lookup (the client retries thrice).
    let (status, _) = post(
        &format!("{}/_fake/fail", w.fake),
        json!({"path_prefix": "/v1/events/", "status": 500, "count": 4}),
    )
    .await;
    assert_eq!(status, 200);
    let report = w.sync().await;
    let waiting = w.store.unconfirmed_events().unwrap();
    assert_eq!(report.applied, 0, "{report:?}");
    assert!(!waiting.is_empty());
    assert_eq!(report.unconfirmed, waiting.len(), "{report:?}");
    assert!(
        waiting
            .iter()
            .any(|e| e.event_type == "checkout.session.completed"),
        "{waiting:?}"
    );
    assert_eq!(w.status(&number), (InvoiceStatus::Issued, eur(25_000), 0));
    assert!(
        waiting[0].detail.contains("the next sync asks again"),
        "{}",
        waiting[0].detail
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("wait for Stripe")),
        "{:?}",
        report.warnings
    );

    // No key at all: the event waits too, nothing is applied.
    let sources = Sources {
        relay: Some(&w.relay),
        stripe: None,
    };
    let report = engine::sync(&mut w.store, sources, SourceChoice::Relay, 0)
        .await
        .unwrap();
    assert_eq!(
        (report.applied, report.unconfirmed),
        (0, waiting.len()),
        "{report:?}"
    );

    // Stripe is back: the next sync confirms it, though the relay's cursor
    // has moved past it.
    let report = w.sync().await;
    assert_eq!(
        (report.applied, report.unconfirmed),
        (waiting.len(), 0),
        "{report:?}"
    );
    assert_eq!(w.status(&number), (InvoiceStatus::Paid, eur(0), 1));
    assert!(w.store.unconfirmed_events().unwrap().is_empty());
}

#[tokio::test]
async fn an_event_older_than_stripe_keeps_is_confirmed_by_its_object() {
    let mut w = World::start().await;
    let (number, url) = w.invoice_with_link(18_000).await;
    let (other, _) = w.invoice_with_link(9_000).await;
    w.pay(&url).await;
    let real = w.stripe_event_for(&number).await;
    w.relay_holds(1).await;
    // 31 days later (the laptop was off): Stripe no longer has the event.
    let (status, _) = post(
        &format!("{}/_fake/clock", w.fake),
        json!({"advance_seconds": 31 * 24 * 3600}),
    )
    .await;
    assert_eq!(status, 200);
    let old = real["id"].as_str().unwrap();
    assert!(w.stripe.retrieve_event(old).await.is_err());

    // A made-up event about a session Stripe does not have is refused.
    let mut forged = forgery(&real, &w.store, &other, "evt_old_forgery");
    forged["data"]["object"]["id"] = json!("cs_test_unknown_to_stripe_0000");
    match confirm::confirm(Some(&w.stripe), &forged).await {
        Verdict::Rejected(why) => assert!(why.contains("Stripe never sent it"), "{why}"),
        other => panic!("{other:?}"),
    }

    // The real one is confirmed through Stripe's session, paid.
    match confirm::confirm(Some(&w.stripe), &real).await {
        Verdict::Confirmed { event, .. } => {
            assert_eq!(event["data"]["object"]["payment_status"], "paid");
            assert_eq!(event["id"], real["id"]);
        }
        other => panic!("{other:?}"),
    }
    // Through the relay, the same: booked once.
    let report = w.sync().await;
    assert_eq!(report.rejected, 0, "{report:?}");
    assert_eq!(report.invoices, std::slice::from_ref(&number), "{report:?}");
    assert_eq!(w.status(&number), (InvoiceStatus::Paid, eur(0), 1));
    assert_eq!(w.status(&other).2, 0);
}

#[test]
fn only_the_types_acquit_acts_on_need_confirming() {
    assert!(confirm::needs_confirmation("checkout.session.completed"));
    assert!(confirm::needs_confirmation("charge.refunded"));
    assert!(!confirm::needs_confirmation("customer.created"));
}

#[tokio::test]
async fn a_relay_cannot_bury_a_real_payment_under_its_id() {
    let mut w = World::start().await;
    let (number, url) = w.invoice_with_link(52_000).await;
    w.pay(&url).await;
    let real = w.stripe_event_for(&number).await;
    // The relay hands over the real id with the mode flipped: rejected on
    // the relay's word, without asking Stripe.
    let mut flipped = real.clone();
    flipped["livemode"] = json!(true);
    let Verdict::Rejected(why) = confirm::confirm(Some(&w.stripe), &flipped).await else {
        panic!("a live-mode claim against a test key is rejected");
    };
    let id = real["id"].as_str().unwrap();
    w.store
        .record_rejected(
            id,
            "checkout.session.completed",
            0,
            acquit_store::EventSource::Relay,
            Some(&flipped),
            &why,
        )
        .unwrap();
    // Stripe's own list still books it: the relay's verdict on an id never
    // stands in for Stripe's copy.
    let sources = Sources {
        relay: Some(&w.relay),
        stripe: Some(&w.stripe.clone()),
    };
    let report = engine::sync(&mut w.store, sources, SourceChoice::Stripe, 0)
        .await
        .unwrap();
    assert_eq!(report.invoices, std::slice::from_ref(&number), "{report:?}");
    assert_eq!(w.status(&number), (InvoiceStatus::Paid, eur(0), 1));
    let event = w.store.stripe_event(id).unwrap().unwrap();
    assert_eq!(
        (event.outcome.as_str(), event.source),
        ("applied", acquit_store::EventSource::Stripe)
    );
}
