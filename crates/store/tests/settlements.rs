//! The settlements kept by triggers (`invoice_settlements`, migration 0014)
//! say what `Settlement` derives: the list's status filter and counts read
//! them, so they must agree with the rule in `acquit_core` case by case and
//! with the payments, credit notes and links of books made through the
//! store's own API.

use acquit_core::{InvoiceStatus, Lang, Settlement};
use acquit_store::{
    CheckoutRef, EventSource, LinkKind, ListQuery, NewLink, NewPayment, PaymentMethod, Store,
    StripeFact, StripeMethod,
};
use acquit_testkit::books::{BOOKS_FILE, eur, issue_invoice, with_seller};
use chrono::NaiveDate;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The SQL copy of the status rule gives `Settlement::status` on every
/// combination around its edges (nothing paid, a cent short, exactly, more;
/// credited in part, in full, beyond; a link processing or two).
#[test]
fn the_kept_status_is_the_rule_of_core_on_every_edge() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("acquit.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    // Rows with no invoice behind them: only the generated column is read.
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    let total = 1_000;
    let mut id = 0;
    let mut checked = 0;
    for credit_note in [false, true] {
        for paid in [-100, 0, 1, 400, 999, 1_000, 1_200] {
            for credited in [0, 1, 400, 999, 1_000, 1_100] {
                for processing in [0, 1, 2] {
                    id += 1;
                    conn.execute(
                        "INSERT INTO invoice_settlements (invoice_id, credit_note, total_minor, credited_minor, paid_minor, processing)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        rusqlite::params![id, credit_note, total, credited, paid, processing],
                    )
                    .unwrap();
                    let kept: String = conn
                        .query_row(
                            "SELECT status FROM invoice_settlements WHERE invoice_id = ?1",
                            [id],
                            |r| r.get(0),
                        )
                        .unwrap();
                    let expected = if credit_note {
                        // A credit note is listed as issued.
                        InvoiceStatus::Issued
                    } else {
                        Settlement {
                            total: eur(total),
                            paid: eur(paid),
                            credited: eur(credited),
                            processing: processing > 0,
                        }
                        .status()
                        .unwrap()
                    };
                    assert_eq!(
                        kept,
                        expected.as_str(),
                        "total {total}, paid {paid}, credited {credited}, processing {processing}, credit note {credit_note}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 2 * 7 * 6 * 3);
}

fn checkout(session: &str, plink: &str) -> CheckoutRef {
    CheckoutRef {
        checkout_session: session.into(),
        payment_link: Some(plink.into()),
        invoice_id: None,
        invoice_number: None,
        link_id: None,
    }
}

/// A change made to the books, checked after it is made.
type Step = Box<dyn FnMut(&mut Store)>;

/// Books with one document in each state, made the way the app makes
/// them: the kept sums equal the live ones after every step, the list shows
/// what the invoice itself says, and each status's filter and count find
/// exactly its invoices.
#[test]
fn the_kept_settlements_follow_payments_credit_notes_and_links() {
    let (_dir, mut store) = with_seller();
    let on = date("2026-11-02");
    let invoice = |store: &mut Store, client: &str| -> String {
        let n = issue_invoice(store, client, Lang::Fr, 100_000, on);
        assert_eq!(store.settlement_drift().unwrap(), Vec::<String>::new());
        n
    };
    let pay = |store: &mut Store, n: &str, minor: i64| {
        store
            .record_payment(
                n,
                &NewPayment {
                    amount: eur(minor),
                    method: PaymentMethod::Transfer,
                    received_on: date("2026-11-10"),
                    reference: None,
                    fee: None,
                },
            )
            .unwrap()
    };
    let mut steps: Vec<Step> = Vec::new();
    let unpaid = invoice(&mut store, "Client Issued");
    let part = invoice(&mut store, "Client Part");
    steps.push(Box::new({
        let part = part.clone();
        move |s| {
            pay(s, &part, 40_000);
        }
    }));
    let paid = invoice(&mut store, "Client Paid");
    steps.push(Box::new({
        let paid = paid.clone();
        move |s| {
            pay(s, &paid, 100_000);
        }
    }));
    let reversed = invoice(&mut store, "Client Reversed");
    steps.push(Box::new({
        let reversed = reversed.clone();
        move |s| {
            let payment = pay(s, &reversed, 100_000);
            s.reverse_payment(payment, date("2026-11-12"), Some("cheque returned"))
                .unwrap();
        }
    }));
    let credited = invoice(&mut store, "Client Credited");
    steps.push(Box::new({
        let credited = credited.clone();
        move |s| {
            s.credit_note(&credited, Some(eur(30_000)), Some("remise"), on)
                .unwrap();
            pay(s, &credited, 70_000);
        }
    }));
    let cancelled = invoice(&mut store, "Client Cancelled");
    steps.push(Box::new({
        let cancelled = cancelled.clone();
        move |s| {
            s.credit_note(&cancelled, None, Some("annulée"), on)
                .unwrap();
        }
    }));
    let sepa = invoice(&mut store, "Client Sepa");
    let sepa_paid = invoice(&mut store, "Client Sepa Paid");
    let overpaid = invoice(&mut store, "Client Overpaid");
    for (n, plink) in [
        (&sepa, "plink_a"),
        (&sepa_paid, "plink_b"),
        (&overpaid, "plink_c"),
    ] {
        let link = store
            .reserve_link(
                n,
                &NewLink {
                    kind: LinkKind::PaymentLink,
                    amount: None,
                    expires_at: None,
                },
            )
            .unwrap();
        store
            .link_created(link.id, plink, "https://buy.stripe.com/x", None)
            .unwrap();
    }
    let now = chrono::Utc::now().timestamp() + 60;
    // Each fact's event id is its session's.
    let apply = move |s: &mut Store, fact: StripeFact| {
        let id = match &fact {
            StripeFact::PaymentProcessing { checkout } => {
                format!("evt_p_{}", checkout.checkout_session)
            }
            StripeFact::PaymentSucceeded { checkout, .. } => {
                format!("evt_s_{}", checkout.checkout_session)
            }
            other => panic!("{other:?}"),
        };
        let outcome = s
            .apply_stripe_fact(&id, "t", now, EventSource::Relay, &fact)
            .unwrap();
        assert_eq!(outcome.as_str(), "applied", "{id}");
    };
    steps.push(Box::new({
        let overpaid = overpaid.clone();
        move |s| {
            // Paid by transfer, then through the link too: Stripe's money is
            // recorded all the same (a refund is due).
            pay(s, &overpaid, 60_000);
            apply(
                s,
                StripeFact::PaymentSucceeded {
                    checkout: checkout("cs_c", "plink_c"),
                    payment_intent: "pi_c".into(),
                    charge: None,
                    amount: eur(100_000),
                    method: StripeMethod::Card,
                    received_on: date("2026-11-20"),
                    fee: None,
                },
            );
        }
    }));
    steps.push(Box::new(move |s| {
        apply(
            s,
            StripeFact::PaymentProcessing {
                checkout: checkout("cs_a", "plink_a"),
            },
        );
        apply(
            s,
            StripeFact::PaymentProcessing {
                checkout: checkout("cs_b", "plink_b"),
            },
        );
        apply(
            s,
            StripeFact::PaymentSucceeded {
                checkout: checkout("cs_b", "plink_b"),
                payment_intent: "pi_b".into(),
                charge: None,
                amount: eur(100_000),
                method: StripeMethod::SepaDebit,
                received_on: date("2026-11-20"),
                fee: None,
            },
        );
    }));
    for step in &mut steps {
        step(&mut store);
        assert_eq!(store.settlement_drift().unwrap(), Vec::<String>::new());
    }
    // A draft has no settlement and its own filter.
    let client = store.clients().unwrap()[0].0;
    store
        .create_draft(&acquit_testkit::books::eur_draft(client))
        .unwrap();

    let expected = [
        (&unpaid, InvoiceStatus::Issued),
        (&part, InvoiceStatus::PartiallyPaid),
        (&paid, InvoiceStatus::Paid),
        (&reversed, InvoiceStatus::Issued),
        (&credited, InvoiceStatus::Paid),
        (&cancelled, InvoiceStatus::Cancelled),
        (&sepa, InvoiceStatus::Processing),
        (&sepa_paid, InvoiceStatus::Paid),
        (&overpaid, InvoiceStatus::Paid),
    ];
    let list = store.list_invoices(None).unwrap();
    for (n, status) in expected {
        let view = store.invoice(n).unwrap();
        assert_eq!(view.status, status, "{n}");
        let row = list
            .iter()
            .find(|s| s.number.as_deref() == Some(n.as_str()))
            .unwrap();
        assert_eq!(
            (row.status, row.amount_due),
            (view.status, view.amount_due),
            "{n}"
        );
    }
    // Each filter lists, and counts, exactly the documents of its status,
    // from the first page to the last (offset inside the filter).
    for status in InvoiceStatus::ALL {
        let all: Vec<_> = list.iter().filter(|s| s.status == status).collect();
        let query = ListQuery {
            status: Some(status),
            ..ListQuery::default()
        };
        assert_eq!(store.count_page(&query).unwrap(), all.len(), "{status:?}");
        let filtered = store.list_page(&query).unwrap();
        assert_eq!(
            filtered.iter().map(|s| s.id).collect::<Vec<_>>(),
            all.iter().map(|s| s.id).collect::<Vec<_>>(),
            "{status:?}"
        );
        if all.len() > 1 {
            let second = store
                .list_page(&ListQuery {
                    offset: 1,
                    limit: 1,
                    ..query.clone()
                })
                .unwrap();
            assert_eq!(second[0].id, all[1].id, "{status:?}");
        }
        // With a search, the same through the invoices' indexes.
        let searched = ListQuery {
            search: Some("Client".into()),
            ..query
        };
        assert_eq!(
            store.count_page(&searched).unwrap(),
            all.len(),
            "{status:?}"
        );
    }
    // Credit notes are listed as issued, and count there.
    assert_eq!(
        list.iter()
            .filter(|s| s.kind.is_credit_note() && s.status == InvoiceStatus::Issued)
            .count(),
        2
    );
}

/// A row written behind the triggers' back is found by the drift check.
#[test]
fn a_settlement_changed_by_hand_is_found() {
    let (dir, mut store) = with_seller();
    let path = dir.path().join(BOOKS_FILE);
    let n = issue_invoice(&mut store, "Client", Lang::Fr, 100_000, date("2026-11-02"));
    assert!(store.settlement_drift().unwrap().is_empty());
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute("UPDATE invoice_settlements SET paid_minor = 100000", [])
        .unwrap();
    assert_eq!(store.settlement_drift().unwrap(), vec![n]);
}
