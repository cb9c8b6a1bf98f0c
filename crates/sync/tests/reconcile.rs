//! Reconciliation compares Stripe's paid sessions with the payments
//! recorded: agreement, a payment Acquit missed, one Stripe does not know,
//! and the events sync could not match.

use acquit_core::tax::{Discount, LineInput};
use acquit_core::{Client, Line, Quantity, Seller, VatRate};
use acquit_store::{CheckoutRef, EventSource, Store, StripeFact, StripeMethod};
use acquit_stripe::Event;
use acquit_sync::reconcile::{FindingKind, compare};
use acquit_testkit::books::eur;
use acquit_testkit::books::eur_draft;
use chrono::NaiveDate;
use serde_json::json;

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Books with two issued invoices of 300,00 € (numbers returned).
fn books() -> (tempfile::TempDir, Store, [String; 2]) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("acquit.db")).unwrap();
    store
        .set_seller(&Seller::new("Atelier Durand", "12 rue des Lilas, Paris"))
        .unwrap();
    let client = store
        .add_client(&Client::new("Boulangerie Martin"))
        .unwrap();
    let mut issue = || {
        let id = store.create_draft(&eur_draft(client)).unwrap();
        let line = Line {
            description: "Atelier".into(),
            input: LineInput {
                quantity: Quantity::ONE,
                unit_price: eur(30_000),
                vat_rate: VatRate::parse("0").unwrap(),
                discount: Discount::None,
            },
            nature: None,
            unit: None,
        };
        store.add_line(id, &line).unwrap();
        store.issue(id, today()).unwrap()
    };
    let numbers = [issue(), issue()];
    (dir, store, numbers)
}

fn checkout(store: &Store, session: &str, number: Option<&str>) -> CheckoutRef {
    CheckoutRef {
        checkout_session: session.into(),
        payment_link: None,
        invoice_id: number.map(|n| store.invoice(n).unwrap().id.0),
        invoice_number: number.map(str::to_owned),
        link_id: None,
    }
}

/// Records the Stripe payment `pi` of 300,00 € on `number` (matched by
/// metadata), or an unmatched event when `number` is None.
fn stripe_payment(store: &mut Store, pi: &str, number: Option<&str>) {
    let fact = StripeFact::PaymentSucceeded {
        checkout: checkout(store, &pi.replace("pi_", "cs_"), number),
        payment_intent: pi.into(),
        charge: None,
        amount: eur(30_000),
        method: StripeMethod::Card,
        received_on: today(),
        fee: None,
    };
    let now = chrono::Utc::now().timestamp();
    store
        .apply_stripe_fact(
            &format!("evt_{pi}"),
            "checkout.session.completed",
            now,
            EventSource::Stripe,
            &fact,
        )
        .unwrap();
}

/// A `checkout.session.completed` event as Stripe lists it.
fn paid_session(pi: &str, number: &str, status: &str) -> Event {
    serde_json::from_value(json!({
        "id": format!("evt_listed_{pi}"),
        "type": "checkout.session.completed",
        "created": chrono::Utc::now().timestamp(),
        "livemode": false,
        "data": {"object": {
            "id": pi.replace("pi_", "cs_"),
            "object": "checkout.session",
            "payment_status": status,
            "payment_intent": pi,
            "amount_total": 30_000,
            "currency": "eur",
            "metadata": {"acquit_invoice_number": number},
        }},
    }))
    .unwrap()
}

#[test]
fn stripe_and_the_books_agree_when_every_paid_session_is_recorded() {
    let (_dir, mut store, [a, _]) = books();
    stripe_payment(&mut store, "pi_a", Some(&a));
    // The same payment twice in the list (completed, then listed again).
    let events = [
        paid_session("pi_a", &a, "paid"),
        paid_session("pi_a", &a, "paid"),
    ];
    let outcome = compare(&store, &events, today()).unwrap();
    assert_eq!(outcome.findings, []);
    assert_eq!(outcome.paid_sessions, 1);
}

#[test]
fn each_disagreement_is_found_with_what_it_concerns() {
    let (_dir, mut store, [a, b]) = books();
    stripe_payment(&mut store, "pi_a", Some(&a));
    stripe_payment(&mut store, "pi_stranger", None);
    let events = [
        // Paid on Stripe, never synced.
        paid_session("pi_b", &b, "paid"),
        // A SEPA debit still pending: not a payment yet.
        paid_session("pi_pending", &b, "unpaid"),
    ];
    let outcome = compare(&store, &events, today()).unwrap();
    let kinds: Vec<FindingKind> = outcome.findings.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            FindingKind::MissingInAcquit,
            FindingKind::UnknownToStripe,
            FindingKind::UnmatchedEvent
        ]
    );
    let missing = &outcome.findings[0];
    assert_eq!(missing.stripe_ref, "pi_b");
    assert_eq!(missing.invoice_number.as_deref(), Some(b.as_str()));
    assert_eq!(missing.amount, Some(eur(30_000)));
    let unknown = &outcome.findings[1];
    assert_eq!(unknown.stripe_ref, "pi_a");
    assert_eq!(unknown.invoice_number.as_deref(), Some(a.as_str()));
    let unmatched = &outcome.findings[2];
    assert_eq!(unmatched.stripe_ref, "evt_pi_stranger");
    assert!(unmatched.detail.as_deref().is_some_and(|d| !d.is_empty()));
    assert_eq!(outcome.paid_sessions, 1);
    assert_eq!(FindingKind::UnknownToStripe.as_str(), "unknown-to-stripe");
}

#[test]
fn a_payment_older_than_the_window_is_not_said_unknown() {
    let (_dir, mut store, [a, _]) = books();
    stripe_payment(&mut store, "pi_a", Some(&a));
    // Judged 40 days later, Stripe no longer lists its event.
    let later = today() + chrono::Days::new(40);
    let outcome = compare(&store, &[], later).unwrap();
    assert_eq!(outcome.findings, []);
}
