//! What the app's books screens read: the ledger's totals per currency, the
//! list of credit notes, and a refund proposal turned into a credit note.

use acquit_core::{Lang, Seller};
use acquit_store::{
    CheckoutRef, EventSource, NewPayment, PaymentMethod, ProposalStatus, Rejection, Store,
    StoreError, StripeFact, StripeMethod, StripeRefund, ledger_totals,
};
use chrono::NaiveDate;

use acquit_testkit::books as support;
use acquit_testkit::books::eur;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("acquit.db")).unwrap();
    store
        .set_seller(&Seller::new("Atelier Durand", "12 rue des Lilas, Paris"))
        .unwrap();
    (dir, store)
}

/// Issues, on `on`, an invoice of `minor` (VAT-free line) to a new client.
fn invoice(store: &mut Store, client: &str, lang: Lang, minor: i64, on: &str) -> String {
    support::issue_invoice(store, client, lang, minor, date(on))
}

fn manual(amount: i64, on: &str) -> NewPayment {
    NewPayment {
        amount: eur(amount),
        method: PaymentMethod::Transfer,
        received_on: date(on),
        reference: None,
        fee: None,
    }
}

/// A card payment of `minor` on `n` through Stripe, matched by metadata.
fn stripe_paid(store: &mut Store, n: &str, pi: &str, minor: i64, fee: Option<i64>) {
    let id = store.invoice(n).unwrap().id.0;
    let fact = StripeFact::PaymentSucceeded {
        checkout: CheckoutRef {
            checkout_session: pi.replace("pi_", "cs_"),
            payment_link: None,
            invoice_id: Some(id),
            invoice_number: Some(n.to_owned()),
            link_id: None,
        },
        payment_intent: pi.into(),
        charge: Some(pi.replace("pi_", "ch_")),
        amount: eur(minor),
        method: StripeMethod::Card,
        received_on: date("2026-11-20"),
        fee: fee.map(eur),
    };
    let now = chrono::Utc::now().timestamp();
    store
        .apply_stripe_fact(&format!("evt_{pi}"), "test", now, EventSource::Relay, &fact)
        .unwrap();
}

#[test]
fn ledger_totals_add_amounts_fees_and_known_nets_per_currency() {
    let (_dir, mut store) = open();
    let a = invoice(
        &mut store,
        "Boulangerie Martin",
        Lang::Fr,
        50_000,
        "2026-11-02",
    );
    let b = invoice(&mut store, "Agence Lumière", Lang::Fr, 30_000, "2026-11-03");
    let c = invoice(&mut store, "Café des Arts", Lang::Fr, 20_000, "2026-11-04");
    let paid = store
        .record_payment(&a, &manual(50_000, "2026-11-05"))
        .unwrap();
    stripe_paid(&mut store, &b, "pi_fee", 30_000, Some(450));
    stripe_paid(&mut store, &c, "pi_nofee", 20_000, None);
    store
        .reverse_payment(paid, date("2026-11-06"), Some("erreur"))
        .unwrap();

    let entries = store.ledger(None, None).unwrap();
    assert_eq!(entries.len(), 4);
    let totals = ledger_totals(&entries).unwrap();
    assert_eq!(totals.len(), 1, "{totals:?}");
    let t = &totals[0];
    // 500 − 500 (counter-entry) + 300 + 200.
    assert_eq!(t.amount, eur(50_000));
    assert_eq!(t.fee, eur(450));
    // The Stripe payment whose fee is unknown is left out of the net.
    assert_eq!(t.net, eur(30_000 - 450));
    assert_eq!(t.unknown_net, 1);

    // A period: only what was received in it.
    let early = store
        .ledger(Some(date("2026-11-01")), Some(date("2026-11-05")))
        .unwrap();
    let totals = ledger_totals(&early).unwrap();
    assert_eq!(totals[0].amount, eur(50_000));
    assert_eq!(totals[0].unknown_net, 0);
    assert!(ledger_totals(&[]).unwrap().is_empty());
}

#[test]
fn credit_notes_are_listed_newest_first_with_the_invoice_they_correct() {
    let (_dir, mut store) = open();
    assert!(store.credit_notes().unwrap().is_empty());
    let a = invoice(
        &mut store,
        "Boulangerie Martin",
        Lang::Fr,
        50_000,
        "2026-11-02",
    );
    let b = invoice(&mut store, "Agence Lumière", Lang::Fr, 30_000, "2026-11-03");
    let full = store
        .credit_note(&a, None, Some("Prestation annulée"), date("2026-11-10"))
        .unwrap();
    let partial = store
        .credit_note(&b, Some(eur(10_000)), None, date("2026-11-12"))
        .unwrap();

    let notes = store.credit_notes().unwrap();
    let numbers: Vec<&str> = notes.iter().map(|n| n.number.as_str()).collect();
    assert_eq!(numbers, [partial.as_str(), full.as_str()]);
    let first = &notes[0];
    assert_eq!(first.client, "Agence Lumière");
    assert_eq!(first.credits, b);
    assert_eq!(first.credits_id, store.invoice(&b).unwrap().id);
    assert_eq!(first.total, eur(-10_000));
    assert_eq!(first.issue_date, Some(date("2026-11-12")));
    assert_eq!(first.reason, None);
    assert_eq!(notes[1].reason.as_deref(), Some("Prestation annulée"));
    assert_eq!(notes[1].total, eur(-50_000));
    // The id opens the credit note itself.
    assert_eq!(
        store.invoice_by_id(notes[1].id).unwrap().number.as_deref(),
        Some(full.as_str())
    );
}

#[test]
fn a_refund_proposal_becomes_a_credit_note_once() {
    let (_dir, mut store) = open();
    let n = invoice(
        &mut store,
        "Client anglais",
        Lang::En,
        100_000,
        "2026-11-02",
    );
    stripe_paid(&mut store, &n, "pi_r", 100_000, None);
    let refund = StripeFact::Refunded {
        charge: "ch_r".into(),
        payment_intent: Some("pi_r".into()),
        amount_refunded: eur(25_000),
        refunds: vec![StripeRefund {
            id: "re_1".into(),
            amount: eur(25_000),
        }],
        refunded_on: date("2026-11-21"),
    };
    let now = chrono::Utc::now().timestamp() + 1;
    store
        .apply_stripe_fact("evt_re_1", "test", now, EventSource::Relay, &refund)
        .unwrap();
    let proposal = store.refund_proposals().unwrap().remove(0);
    assert_eq!(proposal.status, ProposalStatus::Open);

    let credit = store
        .issue_refund_credit_note(proposal.id, date("2026-11-22"))
        .unwrap();
    let view = store.invoice(&credit).unwrap();
    assert_eq!(view.credits.as_deref(), Some(n.as_str()));
    assert_eq!(view.totals.total, eur(-25_000));
    assert_eq!(
        view.reason.as_deref(),
        Some("Refund"),
        "the client's language"
    );
    let settled = store.refund_proposals().unwrap().remove(0);
    assert_eq!(settled.status, ProposalStatus::Done);
    assert_eq!(settled.credit_note.as_deref(), Some(credit.as_str()));

    // A second click issues nothing more.
    match store.issue_refund_credit_note(proposal.id, date("2026-11-22")) {
        Err(StoreError::Rejected(Rejection::Invalid(message))) => {
            assert!(message.contains("no open refund proposal"), "{message}")
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(store.credit_notes().unwrap().len(), 1);
    assert!(
        store
            .issue_refund_credit_note(9_999, date("2026-11-22"))
            .is_err()
    );
}
