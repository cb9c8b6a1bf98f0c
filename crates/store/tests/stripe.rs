//! Payment links, Stripe facts applied exactly once and in any order, refund
//! proposals, fees, the timeline, and the migration from schema 2.

use acquit_core::tax::{Discount, LineInput};
use acquit_core::{Client, Currency, InvoiceStatus, Line, Money, Quantity, Seller, VatRate};
use acquit_store::{
    ApplyOutcome, CheckoutRef, EventSource, LinkKind, LinkStatus, NewLink, NewPayment,
    NewStripeEvent, PaymentKind, PaymentMethod, ProposalStatus, Recording, Rejection, Store,
    StoreError, StoredLink, StripeFact, StripeMethod, StripeRefund,
};
use acquit_testkit::books::eur;
use acquit_testkit::books::eur_draft;
use chrono::NaiveDate;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn rejection(result: Result<impl std::fmt::Debug, StoreError>) -> Rejection {
    match result {
        Err(StoreError::Rejected(r)) => r,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

struct Books {
    dir: tempfile::TempDir,
    store: Store,
    events: u32,
}

impl Books {
    fn new() -> Books {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("acquit.db")).unwrap();
        store
            .set_seller(&Seller::new("Atelier Durand", "12 rue des Lilas, Paris"))
            .unwrap();
        Books {
            dir,
            store,
            events: 0,
        }
    }

    /// A new client's empty draft in euros.
    fn draft(&mut self, client: &str) -> acquit_store::InvoiceId {
        let client = self.store.add_client(&Client::new(client)).unwrap();
        self.store.create_draft(&eur_draft(client)).unwrap()
    }

    /// Issues an invoice of 1 000,00 € TTC (833,33 € HT at 20 %).
    fn invoice(&mut self) -> String {
        let id = self.draft("Boulangerie Martin");
        let line = Line {
            description: "Refonte du site".into(),
            input: LineInput {
                quantity: Quantity::ONE,
                unit_price: eur(83_333),
                vat_rate: VatRate::parse("20").unwrap(),
                discount: Discount::None,
            },
            nature: None,
            unit: None,
        };
        self.store.add_line(id, &line).unwrap();
        let n = self.store.issue(id, date("2026-11-02")).unwrap();
        assert_eq!(self.store.invoice(&n).unwrap().totals.total, eur(100_000));
        n
    }

    /// A link created in Stripe as `stripe_id`.
    fn link(
        &mut self,
        n: &str,
        kind: LinkKind,
        amount: Option<i64>,
        stripe_id: &str,
    ) -> StoredLink {
        let link = self
            .store
            .reserve_link(
                n,
                &NewLink {
                    kind,
                    amount: amount.map(eur),
                    expires_at: None,
                },
            )
            .unwrap();
        self.store
            .link_created(
                link.id,
                stripe_id,
                &format!("https://buy.stripe.com/{stripe_id}"),
                None,
            )
            .unwrap()
    }

    fn apply(&mut self, fact: StripeFact) -> ApplyOutcome {
        self.events += 1;
        let id = format!("evt_{}", self.events);
        self.apply_as(&id, fact)
    }

    fn apply_as(&mut self, id: &str, fact: StripeFact) -> ApplyOutcome {
        self.store
            .apply_stripe_fact(id, "test.event", self.now(), EventSource::Relay, &fact)
            .unwrap()
    }

    /// Events happen after the links they are about.
    fn now(&self) -> i64 {
        chrono::Utc::now().timestamp() + i64::from(self.events)
    }

    fn status(&self, n: &str) -> (InvoiceStatus, Money) {
        let v = self.store.invoice(n).unwrap();
        (v.status, v.amount_due)
    }

    fn link_status(&self, stripe_id: &str) -> LinkStatus {
        self.store.find_link(stripe_id).unwrap().unwrap().status
    }

    fn assert_journal_ok(&self) {
        let report = self.store.verify_journal().unwrap();
        assert_eq!(report.problem, None);
    }
}

fn checkout(session: &str, plink: Option<&str>) -> CheckoutRef {
    CheckoutRef {
        checkout_session: session.into(),
        payment_link: plink.map(Into::into),
        invoice_id: None,
        invoice_number: None,
        link_id: None,
    }
}

fn paid(
    session: &str,
    plink: Option<&str>,
    pi: &str,
    minor: i64,
    method: StripeMethod,
) -> StripeFact {
    StripeFact::PaymentSucceeded {
        checkout: checkout(session, plink),
        payment_intent: pi.into(),
        charge: Some(pi.replace("pi_", "ch_")),
        amount: eur(minor),
        method,
        received_on: date("2026-11-20"),
        fee: None,
    }
}

fn refunded(charge: &str, pi: &str, cumulative: i64, refunds: &[(&str, i64)]) -> StripeFact {
    StripeFact::Refunded {
        charge: charge.into(),
        payment_intent: Some(pi.into()),
        amount_refunded: eur(cumulative),
        refunds: refunds
            .iter()
            .map(|(id, a)| StripeRefund {
                id: (*id).into(),
                amount: eur(*a),
            })
            .collect(),
        refunded_on: date("2026-11-25"),
    }
}

#[test]
fn reserving_a_link_checks_the_invoice_and_the_amount() {
    let mut b = Books::new();
    let n = b.invoice();
    let new = |amount: Option<Money>| NewLink {
        kind: LinkKind::PaymentLink,
        amount,
        expires_at: None,
    };
    match rejection(b.store.reserve_link(&n, &new(Some(eur(100_001))))) {
        Rejection::Invalid(message) => assert!(
            message.contains("would ask more than the 1000.00 still due"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        rejection(b.store.reserve_link(&n, &new(Some(eur(0))))),
        Rejection::Invalid(_)
    ));
    assert!(matches!(
        rejection(
            b.store
                .reserve_link(&n, &new(Some(Money::new(500, Currency::USD))))
        ),
        Rejection::Invalid(_)
    ));
    assert!(matches!(
        rejection(b.store.reserve_link("F-2099-0001", &new(None))),
        Rejection::NoSuchInvoice(_)
    ));
    let credit = b
        .store
        .credit_note(&n, Some(eur(10_000)), Some("remise"), date("2026-11-03"))
        .unwrap();
    assert!(matches!(
        rejection(b.store.reserve_link(&credit, &new(None))),
        Rejection::NotAnInvoice { .. }
    ));

    // No amount: all that remains (1000 − 100 credited − 200 paid).
    b.store
        .record_payment(
            &n,
            &NewPayment {
                amount: eur(20_000),
                method: PaymentMethod::Transfer,
                received_on: date("2026-11-04"),
                reference: None,
                fee: None,
            },
        )
        .unwrap();
    let link = b.store.reserve_link(&n, &new(None)).unwrap();
    assert_eq!(link.amount, eur(70_000));
    assert_eq!(link.status, LinkStatus::Pending);
    assert_eq!(link.invoice_number, n);
    assert_eq!(link.token.len(), 32);
    let other = b.store.reserve_link(&n, &new(Some(eur(100)))).unwrap();
    assert_ne!(link.token, other.token);
}

#[test]
fn a_link_is_reserved_then_created_and_a_retry_changes_nothing() {
    let mut b = Books::new();
    let n = b.invoice();
    let link = b
        .store
        .reserve_link(
            &n,
            &NewLink {
                kind: LinkKind::Checkout,
                amount: Some(eur(30_000)),
                expires_at: None,
            },
        )
        .unwrap();
    assert_eq!(b.store.pending_links().unwrap(), vec![link.clone()]);
    assert!(b.store.open_links_of(&n).unwrap().is_empty());

    let expiry = "2026-11-03T10:00:00Z".parse().unwrap();
    let open = b
        .store
        .link_created(
            link.id,
            "cs_test_a1",
            "https://checkout.stripe.com/c/pay/cs_test_a1",
            Some(expiry),
        )
        .unwrap();
    assert_eq!(open.status, LinkStatus::Open);
    assert_eq!(open.stripe_id.as_deref(), Some("cs_test_a1"));
    assert_eq!(open.expires_at, Some(expiry));
    assert!(b.store.pending_links().unwrap().is_empty());
    // The same answer again (a retry after a crash): nothing changes.
    assert_eq!(
        b.store
            .link_created(
                link.id,
                "cs_test_a1",
                "https://checkout.stripe.com/c/pay/cs_test_a1",
                None
            )
            .unwrap(),
        open
    );
    assert!(matches!(
        rejection(
            b.store
                .link_created(link.id, "cs_test_other", "https://x", None)
        ),
        Rejection::Invalid(_)
    ));
    assert_eq!(
        b.store.find_link(&link.id.0.to_string()).unwrap(),
        Some(open.clone())
    );
    assert_eq!(b.store.find_link("cs_test_a1").unwrap(), Some(open.clone()));
    assert_eq!(b.store.find_link("plink_nope").unwrap(), None);
    assert_eq!(b.store.links(&n).unwrap(), vec![open.clone()]);
    assert_eq!(b.store.open_links_of(&n).unwrap(), vec![open]);

    // Only a pending link can fail to be created.
    assert!(matches!(
        rejection(b.store.link_failed(link.id, "card_declined")),
        Rejection::Invalid(_)
    ));
    let refused = b
        .store
        .reserve_link(
            &n,
            &NewLink {
                kind: LinkKind::PaymentLink,
                amount: None,
                expires_at: None,
            },
        )
        .unwrap();
    let failed = b
        .store
        .link_failed(
            refused.id,
            "Your account cannot currently make live charges.",
        )
        .unwrap();
    assert_eq!(failed.status, LinkStatus::Failed);
    assert_eq!(
        failed.failure.as_deref(),
        Some("Your account cannot currently make live charges.")
    );
    assert!(b.store.pending_links().unwrap().is_empty());
}

#[test]
fn the_user_can_only_deactivate_and_never_a_paid_link() {
    let mut b = Books::new();
    let n = b.invoice();
    let l1 = b.link(&n, LinkKind::PaymentLink, Some(40_000), "plink_1");
    let l2 = b.link(&n, LinkKind::PaymentLink, Some(60_000), "plink_2");
    assert!(matches!(
        rejection(b.store.set_link_status(l1.id, LinkStatus::Paid)),
        Rejection::Invalid(_)
    ));
    let off = b
        .store
        .set_link_status(l1.id, LinkStatus::Deactivated)
        .unwrap();
    assert_eq!(off.status, LinkStatus::Deactivated);
    b.apply(paid(
        "cs_2",
        Some("plink_2"),
        "pi_2",
        60_000,
        StripeMethod::Card,
    ));
    assert!(matches!(
        rejection(b.store.set_link_status(l2.id, LinkStatus::Deactivated)),
        Rejection::Invalid(_)
    ));
    assert_eq!(b.store.open_links_of(&n).unwrap(), vec![]);
}

#[test]
fn a_card_payment_is_recorded_once_with_its_link_and_journal_entry() {
    let mut b = Books::new();
    let n = b.invoice();
    b.link(&n, LinkKind::PaymentLink, Some(40_000), "plink_dep");
    let fact = paid(
        "cs_1",
        Some("plink_dep"),
        "pi_1",
        40_000,
        StripeMethod::Card,
    );
    let outcome = b.apply_as("evt_paid", fact.clone());
    assert!(
        matches!(&outcome, ApplyOutcome::Applied { invoice: Some(i), .. } if *i == n),
        "{outcome:?}"
    );
    assert_eq!(
        b.apply_as("evt_paid", fact.clone()),
        ApplyOutcome::AlreadyApplied
    );
    // Another event about the same PaymentIntent records nothing more.
    assert!(matches!(
        b.apply_as("evt_again", fact),
        ApplyOutcome::Applied { .. }
    ));

    let payments = b.store.payments(&n).unwrap();
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0].amount, eur(40_000));
    assert_eq!(payments[0].method, PaymentMethod::Stripe);
    assert_eq!(payments[0].stripe_method, Some(StripeMethod::Card));
    assert_eq!(payments[0].method_label(), "STRIPE card");
    assert_eq!(payments[0].reference.as_deref(), Some("pi_1"));
    assert_eq!(payments[0].received_on, date("2026-11-20"));
    assert_eq!(b.status(&n), (InvoiceStatus::PartiallyPaid, eur(60_000)));
    assert_eq!(b.link_status("plink_dep"), LinkStatus::Paid);
    let ledger = b.store.ledger(None, None).unwrap();
    assert_eq!(ledger[0].method_label(), "STRIPE card");
    assert_eq!(ledger[0].net, None); // the fee is not known yet
    // Stripe money goes back through a Stripe refund, not a counter-entry.
    match b
        .store
        .reverse_payment(payments[0].id, date("2026-11-21"), None)
        .unwrap_err()
    {
        StoreError::Rejected(Rejection::Invalid(message)) => {
            assert!(
                message.contains("refund it in the Stripe Dashboard"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(b.store.payments(&n).unwrap().len(), 1);
    b.assert_journal_ok();
    assert_eq!(b.store.verify_journal().unwrap().entries, 2);
}

#[test]
fn sepa_is_processing_until_it_succeeds_in_either_order() {
    for succeeded_first in [false, true] {
        let mut b = Books::new();
        let n = b.invoice();
        b.link(&n, LinkKind::PaymentLink, None, "plink_all");
        let processing = StripeFact::PaymentProcessing {
            checkout: checkout("cs_s", Some("plink_all")),
        };
        let success = paid(
            "cs_s",
            Some("plink_all"),
            "pi_s",
            100_000,
            StripeMethod::SepaDebit,
        );
        if succeeded_first {
            b.apply(success);
            b.apply(processing);
        } else {
            b.apply(processing);
            assert_eq!(b.link_status("plink_all"), LinkStatus::Processing);
            assert_eq!(b.status(&n), (InvoiceStatus::Processing, eur(100_000)));
            b.apply(success);
        }
        assert_eq!(b.link_status("plink_all"), LinkStatus::Paid);
        assert_eq!(b.status(&n), (InvoiceStatus::Paid, eur(0)));
        assert_eq!(
            b.store.payments(&n).unwrap()[0].method_label(),
            "STRIPE SEPA"
        );
    }
}

#[test]
fn a_failed_payment_records_nothing_and_clears_processing() {
    let mut b = Books::new();
    let n = b.invoice();
    b.link(&n, LinkKind::Checkout, None, "cs_f");
    let failed = StripeFact::PaymentFailed {
        checkout: checkout("cs_f", None),
        reason: "insufficient_funds".into(),
    };
    let processing = StripeFact::PaymentProcessing {
        checkout: checkout("cs_f", None),
    };
    b.apply(processing.clone());
    b.apply(failed.clone());
    assert_eq!(b.link_status("cs_f"), LinkStatus::Failed);
    let link = b.store.find_link("cs_f").unwrap().unwrap();
    assert_eq!(link.failure.as_deref(), Some("insufficient_funds"));
    assert_eq!(b.status(&n), (InvoiceStatus::Issued, eur(100_000)));
    assert!(b.store.payments(&n).unwrap().is_empty());

    // The other order gives the same.
    let mut c = Books::new();
    let m = c.invoice();
    c.link(&m, LinkKind::Checkout, None, "cs_f");
    c.apply(failed);
    c.apply(processing);
    assert_eq!(c.link_status("cs_f"), LinkStatus::Failed);
    assert_eq!(c.status(&m), (InvoiceStatus::Issued, eur(100_000)));
}

#[test]
fn a_checkout_expires_unless_paid_and_a_payment_link_outlives_abandoned_sessions() {
    let mut b = Books::new();
    let n = b.invoice();
    b.link(&n, LinkKind::Checkout, Some(10_000), "cs_exp");
    b.link(&n, LinkKind::Checkout, Some(10_000), "cs_paid");
    b.link(&n, LinkKind::PaymentLink, Some(10_000), "plink_reuse");
    b.apply(StripeFact::SessionExpired {
        checkout: checkout("cs_exp", None),
    });
    assert_eq!(b.link_status("cs_exp"), LinkStatus::Expired);
    b.apply(StripeFact::SessionExpired {
        checkout: checkout("cs_paid", None),
    });
    b.apply(paid("cs_paid", None, "pi_p", 10_000, StripeMethod::Card));
    assert_eq!(b.link_status("cs_paid"), LinkStatus::Paid);
    let outcome = b.apply(StripeFact::SessionExpired {
        checkout: checkout("cs_abandoned", Some("plink_reuse")),
    });
    assert!(
        matches!(outcome, ApplyOutcome::Ignored { .. }),
        "{outcome:?}"
    );
    assert_eq!(b.link_status("plink_reuse"), LinkStatus::Open);
    // Deactivated in Stripe's dashboard.
    b.apply(StripeFact::LinkDeactivated {
        payment_link: "plink_reuse".into(),
    });
    assert_eq!(b.link_status("plink_reuse"), LinkStatus::Deactivated);
}

#[test]
fn money_beyond_what_is_due_is_recorded_and_shown_as_refund_due() {
    let mut b = Books::new();
    let n = b.invoice();
    b.link(&n, LinkKind::PaymentLink, None, "plink_a");
    b.link(&n, LinkKind::PaymentLink, None, "plink_b");
    b.apply(paid(
        "cs_a",
        Some("plink_a"),
        "pi_a",
        100_000,
        StripeMethod::Card,
    ));
    let outcome = b.apply(paid(
        "cs_b",
        Some("plink_b"),
        "pi_b",
        100_000,
        StripeMethod::Card,
    ));
    let ApplyOutcome::Applied { detail, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert!(detail.contains("refund is due"), "{detail}");
    let v = b.store.invoice(&n).unwrap();
    assert_eq!(
        (v.status, v.amount_due, v.refund_due),
        (InvoiceStatus::Paid, eur(0), eur(100_000))
    );
    assert_eq!(b.store.payments(&n).unwrap().len(), 2);
}

#[test]
fn metadata_finds_a_link_whose_creation_was_not_recorded_and_must_agree() {
    let mut b = Books::new();
    let n = b.invoice();
    let link = b
        .store
        .reserve_link(
            &n,
            &NewLink {
                kind: LinkKind::Checkout,
                amount: None,
                expires_at: None,
            },
        )
        .unwrap();
    let invoice_id = b.store.invoice(&n).unwrap().id.0;
    let with_meta = |number: &str| StripeFact::PaymentSucceeded {
        checkout: CheckoutRef {
            checkout_session: "cs_crash".into(),
            payment_link: None,
            invoice_id: Some(invoice_id),
            invoice_number: Some(number.into()),
            link_id: Some(link.id.0),
        },
        payment_intent: "pi_crash".into(),
        charge: None,
        amount: eur(100_000),
        method: StripeMethod::Card,
        received_on: date("2026-11-21"),
        fee: Some(eur(165)),
    };
    // Another database's invoice with the same ids: not ours.
    assert!(matches!(
        b.apply(with_meta("F-1999-0001")),
        ApplyOutcome::Unmatched { .. }
    ));
    assert!(matches!(
        b.apply(with_meta(&n)),
        ApplyOutcome::Applied { .. }
    ));
    assert_eq!(
        b.store
            .find_link(&link.id.0.to_string())
            .unwrap()
            .unwrap()
            .status,
        LinkStatus::Paid
    );
    // The creation is then recorded: the link stays paid.
    let created = b
        .store
        .link_created(
            link.id,
            "cs_crash",
            "https://checkout.stripe.com/c/pay/cs_crash",
            None,
        )
        .unwrap();
    assert_eq!(created.status, LinkStatus::Paid);
    assert_eq!(
        b.store.ledger(None, None).unwrap()[0].net,
        Some(eur(99_835))
    );
}

#[test]
fn unknown_links_are_unmatched_and_kept_for_reconciliation() {
    let mut b = Books::new();
    let n = b.invoice();
    let payload = serde_json::json!({"id": "evt_x", "type": "checkout.session.completed"});
    let outcome = b
        .store
        .apply_stripe_event(
            "evt_x",
            "checkout.session.completed",
            1_795_000_000,
            EventSource::Stripe,
            &paid(
                "cs_x",
                Some("plink_elsewhere"),
                "pi_x",
                5_000,
                StripeMethod::Card,
            ),
            Some(&payload),
        )
        .unwrap();
    assert!(
        matches!(outcome, ApplyOutcome::Unmatched { .. }),
        "{outcome:?}"
    );
    let unmatched = b.store.unmatched_events().unwrap();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].payload, Some(payload));
    assert_eq!(unmatched[0].source, EventSource::Stripe);
    assert!(unmatched[0].fact.is_some());
    assert_eq!(
        b.apply_as(
            "evt_x",
            StripeFact::Ignored {
                why: "again".into()
            }
        ),
        ApplyOutcome::AlreadyApplied
    );
    assert!(b.store.payments(&n).unwrap().is_empty());
    assert!(matches!(
        b.apply(StripeFact::LinkDeactivated {
            payment_link: "plink_elsewhere".into()
        }),
        ApplyOutcome::Unmatched { .. }
    ));
    let ignored = b.apply(StripeFact::Ignored {
        why: "customer.created".into(),
    });
    assert!(matches!(ignored, ApplyOutcome::Ignored { .. }));
    let counts = b.store.stripe_event_counts().unwrap();
    assert_eq!(counts, vec![("ignored".into(), 1), ("unmatched".into(), 2)]);
}

#[test]
fn cumulative_refunds_give_the_same_rows_in_any_order() {
    let first = refunded("ch_1", "pi_1", 20_000, &[("re_a", 20_000)]);
    let second = refunded(
        "ch_1",
        "pi_1",
        50_000,
        &[("re_b", 30_000), ("re_a", 20_000)],
    );
    for order in [[0, 1], [1, 0]] {
        let mut b = Books::new();
        let n = b.invoice();
        b.link(&n, LinkKind::PaymentLink, None, "plink_r");
        b.apply(paid(
            "cs_r",
            Some("plink_r"),
            "pi_1",
            100_000,
            StripeMethod::Card,
        ));
        for i in order {
            b.apply([first.clone(), second.clone()][i].clone());
        }
        b.apply(second.clone()); // a replay under another event id
        let refunds: Vec<_> = b
            .store
            .payments(&n)
            .unwrap()
            .into_iter()
            .filter(|p| p.kind == PaymentKind::Refund)
            .map(|p| p.amount)
            .collect();
        let mut sorted = refunds.clone();
        sorted.sort_by_key(|m| m.minor());
        assert_eq!(sorted, vec![eur(-30_000), eur(-20_000)]);
        assert_eq!(b.status(&n), (InvoiceStatus::PartiallyPaid, eur(50_000)));
        let proposals = b.store.refund_proposals().unwrap();
        assert_eq!(proposals.len(), 2);
        assert!(proposals.iter().all(|p| p.status == ProposalStatus::Open));
        b.assert_journal_ok();
    }
}

#[test]
fn refunds_stripe_did_not_itemize_are_recorded_as_the_remainder() {
    let mut b = Books::new();
    let n = b.invoice();
    b.link(&n, LinkKind::PaymentLink, None, "plink_r");
    b.apply(paid(
        "cs_r",
        Some("plink_r"),
        "pi_1",
        100_000,
        StripeMethod::Card,
    ));
    b.apply(refunded("ch_1", "pi_1", 20_000, &[]));
    b.apply(refunded("ch_1", "pi_1", 50_000, &[]));
    b.apply(refunded("ch_1", "pi_1", 20_000, &[("re_a", 20_000)])); // late, already counted
    let refunded: i64 = b
        .store
        .payments(&n)
        .unwrap()
        .iter()
        .filter(|p| p.kind == PaymentKind::Refund)
        .map(|p| p.amount.minor())
        .sum();
    assert_eq!(refunded, -50_000);
}

#[test]
fn a_fact_the_books_refuse_is_rejected_and_the_next_one_still_applies() {
    let mut b = Books::new();
    let n = b.invoice();
    b.link(&n, LinkKind::PaymentLink, None, "plink_r");
    b.apply(paid(
        "cs_r",
        Some("plink_r"),
        "pi_1",
        40_000,
        StripeMethod::Card,
    ));
    let journal = b.store.verify_journal().unwrap().entries;
    // A refund beyond its payment, a negative fee, an amount out of range:
    // each is recorded as rejected with the reason, and changes nothing.
    let mut negative_fee = paid("cs_f", Some("plink_r"), "pi_f", 10_000, StripeMethod::Card);
    if let StripeFact::PaymentSucceeded { fee, .. } = &mut negative_fee {
        *fee = Some(eur(-25));
    }
    let huge = paid(
        "cs_h",
        Some("plink_r"),
        "pi_h",
        i64::MAX / 2,
        StripeMethod::Card,
    );
    for (id, fact, why) in [
        ("evt_bad_refund", refunded_too_much(), "a refund of"),
        ("evt_bad_fee", negative_fee, "with fee"),
        ("evt_huge", huge, "a Stripe payment of"),
    ] {
        let outcome = b.apply_as(id, fact);
        let ApplyOutcome::Rejected { detail } = &outcome else {
            panic!("{id}: {outcome:?}");
        };
        assert!(detail.starts_with("the books refused it: "), "{detail}");
        assert!(detail.contains(why), "{id}: {detail}");
        let event = b.store.stripe_event(id).unwrap().unwrap();
        assert_eq!(event.outcome, "rejected");
        assert_eq!(event.applied_at, None);
        // Final: the same event again changes nothing.
        assert_eq!(
            b.apply_as(id, refunded_too_much()),
            ApplyOutcome::AlreadyApplied
        );
    }
    assert_eq!(b.status(&n), (InvoiceStatus::PartiallyPaid, eur(60_000)));
    assert_eq!(b.store.verify_journal().unwrap().entries, journal);
    assert_eq!(b.store.rejected_events().unwrap().len(), 3);
    // The good payment after them is applied.
    let outcome = b.apply(paid(
        "cs_g",
        Some("plink_r"),
        "pi_g",
        60_000,
        StripeMethod::Card,
    ));
    assert!(
        matches!(outcome, ApplyOutcome::Applied { .. }),
        "{outcome:?}"
    );
    assert_eq!(b.status(&n), (InvoiceStatus::Paid, eur(0)));
    b.assert_journal_ok();
}

/// A page of events recorded in one transaction gives, event by event,
/// what recording them one at a time gives: a refused fact in the middle is
/// rolled back alone, a refund before its payment is applied once the
/// payment of the same page is, an event twice in a page counts once.
#[test]
fn a_page_in_one_transaction_records_what_one_event_at_a_time_does() {
    let mut negative_fee = paid("cs_f", Some("plink_p"), "pi_f", 10_000, StripeMethod::Card);
    if let StripeFact::PaymentSucceeded { fee, .. } = &mut negative_fee {
        *fee = Some(eur(-25));
    }
    let apply = |id: &str, fact: StripeFact| (id.to_owned(), Recording::Apply(fact));
    let page = [
        apply(
            "evt_refund",
            refunded("ch_p", "pi_p", 10_000, &[("re_p", 10_000)]),
        ),
        apply("evt_bad_fee", negative_fee),
        apply(
            "evt_paid",
            paid("cs_p", Some("plink_p"), "pi_p", 40_000, StripeMethod::Card),
        ),
        apply(
            "evt_paid",
            paid("cs_p", Some("plink_p"), "pi_p", 40_000, StripeMethod::Card),
        ),
        (
            "evt_wait".to_owned(),
            Recording::Unconfirmed("Stripe is down".into()),
        ),
        (
            "evt_forged".to_owned(),
            Recording::Rejected("Stripe does not know it".into()),
        ),
        apply(
            "evt_other",
            StripeFact::Ignored {
                why: "not ours".into(),
            },
        ),
    ];
    let books = || {
        let mut b = Books::new();
        let n = b.invoice();
        b.link(&n, LinkKind::PaymentLink, None, "plink_p");
        (b, n)
    };
    let created = chrono::Utc::now().timestamp() + 10;
    let payload = serde_json::json!({"id": "as received"});

    // One at a time, as a sync did before pages.
    let (mut single, n) = books();
    let mut one_by_one = Vec::new();
    for (id, record) in &page {
        one_by_one.push(match record {
            Recording::Apply(fact) => single
                .store
                .apply_stripe_event(id, "t", created, EventSource::Relay, fact, Some(&payload))
                .unwrap(),
            Recording::Unconfirmed(why) => single
                .store
                .record_unconfirmed(id, "t", created, &payload, why)
                .unwrap(),
            Recording::Rejected(why) => single
                .store
                .record_rejected(id, "t", created, EventSource::Relay, Some(&payload), why)
                .unwrap(),
        });
    }
    assert_eq!(single.store.retry_deferred().unwrap().len(), 1);

    let (mut paged, _) = books();
    let events: Vec<NewStripeEvent> = page
        .iter()
        .map(|(id, record)| NewStripeEvent {
            id: id.clone(),
            event_type: "t".into(),
            created,
            source: EventSource::Relay,
            payload: Some(payload.clone()),
            record: record.clone(),
        })
        .collect();
    let outcomes = paged.store.record_stripe_events(&events).unwrap();

    assert_eq!(outcomes, one_by_one);
    let names: Vec<&str> = outcomes.iter().map(ApplyOutcome::as_str).collect();
    assert_eq!(
        names,
        [
            "deferred",
            "rejected",
            "applied",
            "already-applied",
            "unconfirmed",
            "rejected",
            "ignored"
        ]
    );
    for b in [&single, &paged] {
        // The refund waited for the payment, then applied: 400 € paid,
        // 100 € refunded, 700 € due.
        assert_eq!(b.status(&n), (InvoiceStatus::PartiallyPaid, eur(70_000)));
        assert!(b.store.deferred_events().unwrap().is_empty());
        b.assert_journal_ok();
    }
    assert_eq!(
        paged.store.stripe_event_counts().unwrap(),
        single.store.stripe_event_counts().unwrap()
    );
    for (id, _) in &page {
        let (a, b) = (
            single.store.stripe_event(id).unwrap().unwrap(),
            paged.store.stripe_event(id).unwrap().unwrap(),
        );
        assert_eq!(
            (a.outcome, a.detail, a.payload),
            (b.outcome, b.detail, b.payload),
            "{id}"
        );
    }
    // The whole page again: nothing more.
    let again = paged.store.record_stripe_events(&events).unwrap();
    assert!(
        again
            .iter()
            .enumerate()
            .all(|(i, o)| *o == ApplyOutcome::AlreadyApplied || i == 4),
        "{again:?}"
    );
    assert_eq!(
        paged.status(&n),
        (InvoiceStatus::PartiallyPaid, eur(70_000))
    );
}

/// An event without an id refuses the whole page before anything is
/// written: the caller's cursor has not moved, nothing half-recorded.
#[test]
fn a_page_with_an_event_without_an_id_records_nothing() {
    let mut b = Books::new();
    let n = b.invoice();
    b.link(&n, LinkKind::PaymentLink, None, "plink_e");
    let event = |id: &str| NewStripeEvent {
        id: id.into(),
        event_type: "t".into(),
        created: chrono::Utc::now().timestamp() + 10,
        source: EventSource::Relay,
        payload: None,
        record: Recording::Apply(paid(
            "cs_e",
            Some("plink_e"),
            "pi_e",
            100_000,
            StripeMethod::Card,
        )),
    };
    let refused = b.store.record_stripe_events(&[event("evt_e"), event(" ")]);
    assert!(
        matches!(refused, Err(StoreError::Rejected(_))),
        "{refused:?}"
    );
    assert_eq!(b.store.stripe_event("evt_e").unwrap(), None);
    assert_eq!(b.status(&n), (InvoiceStatus::Issued, eur(100_000)));
}

#[test]
fn an_unconfirmed_event_waits_with_its_payload_then_applies_once() {
    let mut b = Books::new();
    let n = b.invoice();
    b.link(&n, LinkKind::PaymentLink, None, "plink_u");
    let payload = serde_json::json!({"id": "evt_u", "type": "checkout.session.completed"});
    let outcome = b
        .store
        .record_unconfirmed(
            "evt_u",
            "checkout.session.completed",
            7,
            &payload,
            "Stripe down",
        )
        .unwrap();
    assert_eq!(
        outcome,
        ApplyOutcome::Unconfirmed {
            detail: "Stripe down".into()
        }
    );
    assert!(!b.store.stripe_event_decided("evt_u").unwrap());
    let waiting = b.store.unconfirmed_events().unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].payload.as_ref(), Some(&payload));
    assert_eq!(b.status(&n), (InvoiceStatus::Issued, eur(100_000)));
    // Confirmed at the next sync: applied over the waiting record.
    let outcome = b.apply_as(
        "evt_u",
        paid("cs_u", Some("plink_u"), "pi_u", 100_000, StripeMethod::Card),
    );
    assert!(
        matches!(outcome, ApplyOutcome::Applied { .. }),
        "{outcome:?}"
    );
    assert!(b.store.stripe_event_decided("evt_u").unwrap());
    assert!(b.store.unconfirmed_events().unwrap().is_empty());
    let event = b.store.stripe_event("evt_u").unwrap().unwrap();
    assert_eq!((event.outcome.as_str(), event.payload), ("applied", None));
    // A rejection never overrides what was applied.
    let again = b
        .store
        .record_rejected("evt_u", "x", 7, EventSource::Relay, None, "forged")
        .unwrap();
    assert_eq!(again, ApplyOutcome::AlreadyApplied);
    assert_eq!(b.status(&n), (InvoiceStatus::Paid, eur(0)));
}

fn refunded_too_much() -> StripeFact {
    refunded("ch_1", "pi_1", 100_001, &[])
}

#[test]
fn a_refund_before_its_payment_is_deferred_then_applied() {
    let mut b = Books::new();
    let n = b.invoice();
    b.link(&n, LinkKind::PaymentLink, None, "plink_d");
    let outcome = b.apply_as(
        "evt_refund",
        refunded("ch_9", "pi_9", 10_000, &[("re_9", 10_000)]),
    );
    assert!(
        matches!(outcome, ApplyOutcome::Deferred { .. }),
        "{outcome:?}"
    );
    assert_eq!(b.store.deferred_events().unwrap().len(), 1);
    assert!(b.store.retry_deferred().unwrap().is_empty());
    b.apply(paid(
        "cs_9",
        Some("plink_d"),
        "pi_9",
        100_000,
        StripeMethod::Card,
    ));
    let retried = b.store.retry_deferred().unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].0, "evt_refund");
    assert!(b.store.deferred_events().unwrap().is_empty());
    let event = b.store.stripe_event("evt_refund").unwrap().unwrap();
    assert_eq!(event.outcome, "applied");
    assert_eq!((event.fact, event.payload), (None, None));
    assert_eq!(event.invoice_number.as_deref(), Some(n.as_str()));
    assert_eq!(b.status(&n), (InvoiceStatus::PartiallyPaid, eur(10_000)));
    assert_eq!(
        b.apply_as("evt_refund", refunded("ch_9", "pi_9", 10_000, &[])),
        ApplyOutcome::AlreadyApplied
    );
}

#[test]
fn a_credit_note_of_the_refunded_amount_settles_the_proposal() {
    let mut b = Books::new();
    let n = b.invoice();
    b.link(&n, LinkKind::PaymentLink, None, "plink_c");
    b.apply(paid(
        "cs_c",
        Some("plink_c"),
        "pi_c",
        100_000,
        StripeMethod::Card,
    ));
    b.apply(refunded("ch_c", "pi_c", 30_000, &[("re_c1", 30_000)]));
    b.apply(refunded(
        "ch_c",
        "pi_c",
        40_000,
        &[("re_c1", 30_000), ("re_c2", 10_000)],
    ));
    let credit = b
        .store
        .credit_note(
            &n,
            Some(eur(30_000)),
            Some("remboursement"),
            date("2026-11-26"),
        )
        .unwrap();
    let proposals = b.store.refund_proposals().unwrap();
    let done: Vec<_> = proposals
        .iter()
        .filter(|p| p.status == ProposalStatus::Done)
        .collect();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].credit_note.as_deref(), Some(credit.as_str()));
    assert_eq!(done[0].stripe_ref, "re_c1");
    let open = proposals
        .iter()
        .find(|p| p.status == ProposalStatus::Open)
        .unwrap();
    b.store.dismiss_refund_proposal(open.id).unwrap();
    assert!(b.store.dismiss_refund_proposal(open.id).is_err());
    // Paid 1000 − refunded 400 = 600 net, credited 300: 100 still due.
    assert_eq!(b.status(&n), (InvoiceStatus::PartiallyPaid, eur(10_000)));
    b.assert_journal_ok();
}

#[test]
fn a_stripe_fee_is_filled_once() {
    let mut b = Books::new();
    let n = b.invoice();
    b.link(&n, LinkKind::PaymentLink, None, "plink_f");
    b.apply(paid(
        "cs_f",
        Some("plink_f"),
        "pi_f",
        100_000,
        StripeMethod::Card,
    ));
    let missing = b.store.payments_missing_fee().unwrap();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].payment_intent, "pi_f");
    b.store.set_payment_fee("pi_f", eur(165)).unwrap();
    b.store.set_payment_fee("pi_f", eur(165)).unwrap(); // the same again: fine
    assert!(b.store.set_payment_fee("pi_f", eur(200)).is_err());
    assert!(b.store.set_payment_fee("pi_nope", eur(200)).is_err());
    assert!(b.store.payments_missing_fee().unwrap().is_empty());
    assert_eq!(
        b.store.ledger(None, None).unwrap()[0].net,
        Some(eur(99_835))
    );
    b.assert_journal_ok();

    // The triggers refuse any other change, whoever asks.
    let conn = rusqlite::Connection::open(b.dir.path().join("acquit.db")).unwrap();
    for sql in [
        "UPDATE payments SET stripe_method = 'sepa_debit'",
        "UPDATE payments SET link_id = NULL",
        "UPDATE payments SET stripe_checkout_session = 'cs_other'",
        "DELETE FROM payment_links",
        "UPDATE payment_links SET amount_minor = 1",
    ] {
        assert!(conn.execute(sql, []).is_err(), "{sql}");
    }
}

#[test]
fn the_timeline_tells_the_invoice_s_story_in_order() {
    let mut b = Books::new();
    let n = b.invoice();
    b.link(&n, LinkKind::PaymentLink, Some(40_000), "plink_t");
    b.apply(StripeFact::PaymentProcessing {
        checkout: checkout("cs_t", Some("plink_t")),
    });
    b.apply(paid(
        "cs_t",
        Some("plink_t"),
        "pi_t",
        40_000,
        StripeMethod::SepaDebit,
    ));
    b.apply(refunded("ch_t", "pi_t", 5_000, &[("re_t", 5_000)]));
    let timeline = b.store.timeline(&n).unwrap();
    let text: Vec<&str> = timeline.iter().map(|e| e.what.as_str()).collect();
    assert!(text[0].starts_with("issued"), "{text:?}");
    for wanted in [
        "reserved",
        "created in Stripe",
        "processing",
        "paid",
        "STRIPE SEPA",
        "credit note proposed",
    ] {
        assert!(
            text.iter().any(|t| t.contains(wanted)),
            "{wanted} not in {text:?}"
        );
    }
    assert!(timeline.windows(2).all(|w| w[0].at <= w[1].at));
}

#[test]
fn a_schema_2_database_opens_migrated_with_its_data_intact() {
    // `fixtures/schema-2.db` was written by Acquit as it was at schema 2
    // (commit 673d51d, the last before migration 0003), with its own CLI:
    //   acquit company set --name "Atelier Durand" --address "12 rue des Lilas, Paris"
    //   acquit client add --name "Boulangerie Martin"
    //   acquit invoice new --client 1
    //   acquit invoice add-line 1 --desc "Refonte du site" --qty 1 --unit-price 833.33 --vat 20
    //   acquit invoice issue 1 --date 2026-11-02
    //   acquit payment add F-2026-0001 --amount 250 --method cheque --date 2026-11-05 --reference "CHQ 1234567"
    // A genuine old file: today's store writes data (schema 6's invoice
    // details, journaled) that no schema-2 file can hold.
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("acquit.db");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-2.db"),
        &old,
    )
    .unwrap();
    let n = "F-2026-0001".to_owned();

    let mut store = Store::open(&old).unwrap();
    assert!(acquit_store::schema_version() >= 3);
    assert!(old.with_extension("before-schema-3.db").exists());
    let invoice = store.invoice(&n).unwrap();
    assert_eq!(invoice.totals.total, eur(100_000));
    assert_eq!(invoice.amount_due, eur(75_000));
    assert_eq!(invoice.status, InvoiceStatus::PartiallyPaid);
    assert_eq!(invoice.buyer.name, "Boulangerie Martin");
    assert_eq!(
        invoice.details,
        Default::default(),
        "older books have no details"
    );
    let payments = store.payments(&n).unwrap();
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0].amount, eur(25_000));
    assert_eq!(payments[0].method, PaymentMethod::Cheque);
    assert_eq!(payments[0].received_on, date("2026-11-05"));
    assert_eq!(payments[0].reference.as_deref(), Some("CHQ 1234567"));
    assert_eq!(store.verify_journal().unwrap().problem, None);
    assert_eq!(store.verify_journal().unwrap().entries, 2);
    // And the new tables work on it.
    let link = store
        .reserve_link(
            &n,
            &NewLink {
                kind: LinkKind::PaymentLink,
                amount: None,
                expires_at: None,
            },
        )
        .unwrap();
    assert_eq!(link.amount, eur(75_000));
    store
        .link_created(link.id, "plink_m", "https://buy.stripe.com/m", None)
        .unwrap();
    store
        .apply_stripe_fact(
            "evt_m",
            "checkout.session.completed",
            1_795_000_000,
            EventSource::Relay,
            &paid("cs_m", Some("plink_m"), "pi_m", 75_000, StripeMethod::Card),
        )
        .unwrap();
    assert_eq!(store.invoice(&n).unwrap().status, InvoiceStatus::Paid);
    assert_eq!(store.verify_journal().unwrap().problem, None);
}

#[test]
fn the_journal_catches_an_edited_stripe_detail() {
    let mut b = Books::new();
    let n = b.invoice();
    b.link(&n, LinkKind::PaymentLink, None, "plink_j");
    b.apply(paid(
        "cs_j",
        Some("plink_j"),
        "pi_j",
        100_000,
        StripeMethod::Card,
    ));
    b.assert_journal_ok();
    let conn = rusqlite::Connection::open(b.dir.path().join("acquit.db")).unwrap();
    conn.execute("DROP TRIGGER payments_locked_update", [])
        .unwrap();
    conn.execute("UPDATE payments SET stripe_method = 'sepa_debit'", [])
        .unwrap();
    let problem = b.store.verify_journal().unwrap().problem.unwrap();
    assert_eq!(problem.subject, "payment:1");
}

/// The home screen's numbers, computed the slow way: from every row of
/// the invoice list, the way the app's list derives status and amount due.
fn dashboard_from_the_list(store: &Store, today: NaiveDate) -> Vec<(String, usize)> {
    let rows = store
        .list_page(&acquit_store::ListQuery {
            limit: usize::MAX,
            today,
            ..Default::default()
        })
        .unwrap();
    let open: Vec<_> = rows
        .iter()
        .filter(|r| !r.kind.is_credit_note())
        .filter(|r| r.status.awaits_payment() && r.amount_due.is_positive())
        .collect();
    let sum = |pick: &dyn Fn(&&&acquit_store::InvoiceSummary) -> bool| {
        let chosen: Vec<_> = open.iter().filter(pick).collect();
        let mut per_currency: std::collections::BTreeMap<String, i64> = Default::default();
        for r in &chosen {
            *per_currency
                .entry(r.amount_due.currency().code().to_owned())
                .or_default() += r.amount_due.minor();
        }
        (format!("{per_currency:?}"), chosen.len())
    };
    vec![
        sum(&|_| true),
        sum(&|r| r.overdue),
        sum(&|r| r.status == InvoiceStatus::Processing),
    ]
}

fn as_compared(board: &acquit_store::dashboard::Dashboard) -> Vec<(String, usize)> {
    let sums = |s: &acquit_store::dashboard::Sums| {
        let map: std::collections::BTreeMap<String, i64> =
            s.0.iter()
                .map(|m| (m.currency().code().to_owned(), m.minor()))
                .collect();
        format!("{map:?}")
    };
    vec![
        (sums(&board.due), board.due_count),
        (sums(&board.overdue), board.overdue_count),
        (sums(&board.processing), board.processing_count),
    ]
}

#[test]
fn the_dashboard_sums_what_is_due_late_paid_and_on_its_way() {
    let mut b = Books::new();
    // Each invoice is 1 000,00 €, issued 2026-11-02, due 2026-12-02.
    let _untouched = b.invoice();
    let sepa = b.invoice();
    b.link(&sepa, LinkKind::PaymentLink, None, "plink_sepa");
    b.apply(StripeFact::PaymentProcessing {
        checkout: checkout("cs_sepa", Some("plink_sepa")),
    });
    let partly = b.invoice();
    b.store
        .record_payment(
            &partly,
            &NewPayment {
                amount: eur(40_000),
                method: PaymentMethod::Transfer,
                received_on: date("2026-11-10"),
                reference: None,
                fee: None,
            },
        )
        .unwrap();
    let card = b.invoice();
    b.link(&card, LinkKind::PaymentLink, None, "plink_card");
    b.apply(paid(
        "cs_card",
        Some("plink_card"),
        "pi_card",
        100_000,
        StripeMethod::Card,
    ));
    let cancelled = b.invoice();
    b.store
        .credit_note(&cancelled, None, Some("annulée"), date("2026-11-05"))
        .unwrap();
    let half_credited = b.invoice();
    b.store
        .credit_note(&half_credited, Some(eur(25_000)), None, date("2026-11-05"))
        .unwrap();
    // A draft owes nothing yet.
    b.draft("Brouillon SA");

    let before_due = b.store.dashboard(date("2026-11-25")).unwrap();
    // Untouched 1000 + processing 1000 + partly paid 600 + credited 750.
    assert_eq!(before_due.due.0, vec![eur(335_000)]);
    assert_eq!(before_due.due_count, 4);
    assert_eq!(before_due.overdue_count, 0);
    assert!(before_due.overdue.0.is_empty());
    assert_eq!(before_due.processing.0, vec![eur(100_000)]);
    assert_eq!(before_due.processing_count, 1);
    // November's money: the transfer and the card payment.
    assert_eq!(before_due.paid_this_month.0, vec![eur(140_000)]);
    assert_eq!(
        as_compared(&before_due),
        dashboard_from_the_list(&b.store, date("2026-11-25"))
    );

    let late = b.store.dashboard(date("2026-12-05")).unwrap();
    assert_eq!(late.overdue.0, vec![eur(335_000)]);
    assert_eq!(late.overdue_count, 4);
    assert!(late.paid_this_month.0.is_empty(), "nothing in December yet");
    assert_eq!(
        as_compared(&late),
        dashboard_from_the_list(&b.store, date("2026-12-05"))
    );
}
