//! Stripe events from `tests/fixtures/events/` applied to one scenario: each
//! gives its expected outcome, replays change nothing, and any order with
//! any duplicates gives the same books (property test).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use acquit_core::tax::{Discount, LineInput};
use acquit_core::{Client, InvoiceStatus, Line, Money, Quantity, Seller, VatRate};
use acquit_store::{
    ApplyOutcome, EventSource, LinkKind, LinkStatus, NewLink, ProposalStatus, Store,
};
use acquit_sync::apply::{SyncError, apply_event, parse_event};
use acquit_testkit::books::eur;
use acquit_testkit::books::eur_draft;
use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::Value;

const INVOICE: &str = "F-2026-0001";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The events, in file order.
fn events() -> &'static [(String, Value)] {
    static EVENTS: OnceLock<Vec<(String, Value)>> = OnceLock::new();
    EVENTS.get_or_init(|| {
        let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures().join("events"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    serde_json::from_str(&text).unwrap(),
                )
            })
            .collect()
    })
}

/// A scratch folder, in memory when the machine has /dev/shm (the store
/// fsyncs every transaction).
fn scratch() -> tempfile::TempDir {
    match Path::new("/dev/shm").is_dir() {
        true => tempfile::tempdir_in("/dev/shm").unwrap(),
        false => tempfile::tempdir().unwrap(),
    }
}

/// The scenario's database, built once: F-2026-0001 of 1 000,00 € and its
/// five links. Each test works on a copy.
fn scenario() -> (tempfile::TempDir, Store) {
    static TEMPLATE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, template) = TEMPLATE.get_or_init(|| {
        let dir = scratch();
        let path = dir.path().join("template.db");
        let mut store = Store::open(&path).unwrap();
        store
            .set_seller(&Seller::new("Atelier Durand", "12 rue des Lilas, Paris"))
            .unwrap();
        let client = store
            .add_client(&Client::new("Boulangerie Martin"))
            .unwrap();
        let draft = store.create_draft(&eur_draft(client)).unwrap();
        store
            .add_line(
                draft,
                &Line {
                    description: "Refonte du site".into(),
                    input: LineInput {
                        quantity: Quantity::ONE,
                        unit_price: eur(83_333),
                        vat_rate: VatRate::parse("20").unwrap(),
                        discount: Discount::None,
                    },
                    nature: None,
                    unit: None,
                },
            )
            .unwrap();
        let n = store
            .issue(draft, NaiveDate::from_ymd_opt(2026, 11, 2).unwrap())
            .unwrap();
        assert_eq!(n, INVOICE);
        for (kind, amount, stripe_id) in [
            (LinkKind::PaymentLink, 30_000, "plink_1Sdeposit"),
            (LinkKind::PaymentLink, 70_000, "plink_1Sbalance"),
            (LinkKind::Checkout, 70_000, "cs_test_third"),
            (LinkKind::Checkout, 70_000, "cs_test_fourth"),
            (LinkKind::PaymentLink, 70_000, "plink_1Sfifth"),
        ] {
            let link = store
                .reserve_link(
                    INVOICE,
                    &NewLink {
                        kind,
                        amount: Some(eur(amount)),
                        expires_at: None,
                    },
                )
                .unwrap();
            store
                .link_created(
                    link.id,
                    stripe_id,
                    &format!("https://pay.example/{stripe_id}"),
                    None,
                )
                .unwrap();
        }
        drop(store);
        (dir, path)
    });
    let dir = scratch();
    let path = dir.path().join("acquit.db");
    std::fs::copy(template, &path).unwrap();
    let store = Store::open(&path).unwrap();
    (dir, store)
}

/// What must not depend on the order events arrive in.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Books {
    status: InvoiceStatus,
    amount_due: Money,
    refund_due: Money,
    /// kind → (sum, count)
    payments: BTreeMap<String, (i64, usize)>,
    methods: Vec<String>,
    links: Vec<(i64, LinkStatus)>,
    unmatched: usize,
    deferred: usize,
    proposals: Vec<(i64, String)>,
    journal_entries: u64,
}

fn books(store: &Store) -> Books {
    let view = store.invoice(INVOICE).unwrap();
    let mut payments = BTreeMap::new();
    let mut methods = Vec::new();
    for p in store.payments(INVOICE).unwrap() {
        let e = payments.entry(format!("{:?}", p.kind)).or_insert((0, 0));
        e.0 += p.amount.minor();
        e.1 += 1;
        methods.push(format!("{:?} {}", p.kind, p.method_label()));
    }
    methods.sort();
    let mut proposals: Vec<(i64, String)> = store
        .refund_proposals()
        .unwrap()
        .into_iter()
        .map(|p| (p.amount.minor(), format!("{:?} {}", p.status, p.stripe_ref)))
        .collect();
    proposals.sort();
    let journal = store.verify_journal().unwrap();
    assert_eq!(journal.problem, None);
    Books {
        status: view.status,
        amount_due: view.amount_due,
        refund_due: view.refund_due,
        payments,
        methods,
        links: store
            .links(INVOICE)
            .unwrap()
            .into_iter()
            .map(|l| (l.id.0, l.status))
            .collect(),
        unmatched: store.unmatched_events().unwrap().len(),
        deferred: store.deferred_events().unwrap().len(),
        proposals,
        journal_entries: journal.entries,
    }
}

fn expected_books() -> Books {
    Books {
        // 300 + 700 paid, 120 refunded: 120 due again.
        status: InvoiceStatus::PartiallyPaid,
        amount_due: eur(12_000),
        refund_due: eur(0),
        payments: BTreeMap::from([
            ("Payment".to_owned(), (100_000, 2)),
            ("Refund".to_owned(), (-12_000, 2)),
        ]),
        methods: vec![
            "Payment STRIPE SEPA".into(),
            "Payment STRIPE card".into(),
            "Refund STRIPE card".into(),
            "Refund STRIPE card".into(),
        ],
        links: vec![
            (1, LinkStatus::Paid),
            (2, LinkStatus::Paid),
            (3, LinkStatus::Expired),
            (4, LinkStatus::Failed),
            (5, LinkStatus::Deactivated),
        ],
        unmatched: 1,
        deferred: 0,
        proposals: vec![
            (5_000, "Open re_3Sfirst".into()),
            (7_000, "Open re_3Ssecond".into()),
        ],
        journal_entries: 5,
    }
}

fn fact_name(event: &Value) -> String {
    let fact = parse_event(event).unwrap().fact;
    serde_json::to_value(&fact).unwrap()["fact"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn each_fixture_gives_its_expected_outcome() {
    let table = std::fs::read_to_string(fixtures().join("expected_outcomes.txt")).unwrap();
    let expected: Vec<(String, String, String, String)> = table
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut parts = l.split_whitespace();
            let file = parts.next().unwrap().to_owned();
            let outcome = parts.next().unwrap().to_owned();
            let fact = parts.next().unwrap().to_owned();
            let detail = parts.collect::<Vec<_>>().join(" ");
            (file, outcome, fact, detail)
        })
        .collect();
    let names: Vec<&str> = events().iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        expected.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        names,
        "expected_outcomes.txt lists every fixture, in order"
    );
    let (_dir, mut store) = scenario();
    for ((name, event), (_, outcome, fact, detail)) in events().iter().zip(&expected) {
        assert_eq!(&fact_name(event), fact, "{name}");
        let got = apply_event(&mut store, event, EventSource::Relay).unwrap();
        assert_eq!(got.as_str(), outcome, "{name}: {got:?}");
        let text = match &got {
            ApplyOutcome::Applied { detail, .. }
            | ApplyOutcome::Ignored { detail }
            | ApplyOutcome::Unmatched { detail }
            | ApplyOutcome::Deferred { detail }
            | ApplyOutcome::Unconfirmed { detail }
            | ApplyOutcome::Rejected { detail } => detail.clone(),
            ApplyOutcome::AlreadyApplied => String::new(),
        };
        assert!(
            text.contains(detail.as_str()),
            "{name}: {text:?} lacks {detail:?}"
        );
    }
    assert_eq!(books(&store), expected_books());

    // Receipt dates are the events' UTC dates.
    let payments = store.payments(INVOICE).unwrap();
    let dates: Vec<String> = payments.iter().map(|p| p.received_on.to_string()).collect();
    assert_eq!(
        dates,
        ["2026-11-25", "2026-11-28", "2026-11-29", "2026-11-30"]
    );
    let unmatched = &store.unmatched_events().unwrap()[0];
    assert_eq!(unmatched.event_id, "evt_1SunknownCompleted");
    assert_eq!(unmatched.payload.as_ref(), Some(&events()[6].1));
}

#[test]
fn replaying_every_event_changes_nothing() {
    let (_dir, mut store) = scenario();
    for (_, event) in events() {
        apply_event(&mut store, event, EventSource::Relay).unwrap();
    }
    let once = books(&store);
    for (name, event) in events() {
        let outcome = apply_event(&mut store, event, EventSource::Stripe).unwrap();
        assert_eq!(outcome, ApplyOutcome::AlreadyApplied, "{name}");
    }
    assert_eq!(books(&store), once);
}

#[test]
fn a_refund_before_its_payment_waits_then_applies() {
    let (_dir, mut store) = scenario();
    let by_name = |n: &str| &events().iter().find(|(f, _)| f.starts_with(n)).unwrap().1;
    let outcome = apply_event(&mut store, by_name("05_"), EventSource::Relay).unwrap();
    assert_eq!(outcome.as_str(), "deferred");
    assert_eq!(store.deferred_events().unwrap().len(), 1);
    apply_event(&mut store, by_name("01_"), EventSource::Relay).unwrap();
    assert!(store.deferred_events().unwrap().is_empty());
    let refunded: i64 = store
        .payments(INVOICE)
        .unwrap()
        .iter()
        .filter(|p| p.amount.is_negative())
        .map(|p| p.amount.minor())
        .sum();
    assert_eq!(refunded, -12_000);
}

#[test]
fn a_malformed_event_changes_nothing_and_names_the_field() {
    let (_dir, mut store) = scenario();
    let before = books(&store);
    let mut event = events()[0].1.clone();
    event["data"]["object"]
        .as_object_mut()
        .unwrap()
        .remove("amount_total");
    let err = apply_event(&mut store, &event, EventSource::Relay).unwrap_err();
    assert!(matches!(err, SyncError::Malformed { .. }));
    assert_eq!(
        err.to_string(),
        "Stripe event evt_1SdepositCompleted: data.object.amount_total is missing or not an integer; the event was not applied"
    );
    let mut event = events()[3].1.clone();
    event["data"]["object"]["refunds"]["data"][0]["amount"] = Value::from("fifty");
    let err = apply_event(&mut store, &event, EventSource::Relay).unwrap_err();
    assert!(
        err.to_string()
            .contains("data.object.refunds.data[0].amount"),
        "{err}"
    );
    let mut event = events()[0].1.clone();
    event["data"]["object"]["currency"] = Value::from("xyz");
    assert!(apply_event(&mut store, &event, EventSource::Relay).is_err());
    assert_eq!(books(&store), before);
    assert_eq!(store.stripe_event("evt_1SdepositCompleted").unwrap(), None);
    // The good event still applies afterwards.
    let ok = apply_event(&mut store, &events()[0].1, EventSource::Relay).unwrap();
    assert_eq!(ok.as_str(), "applied");
}

#[test]
fn a_credit_note_for_a_refund_settles_its_proposal() {
    let (_dir, mut store) = scenario();
    for (_, event) in events() {
        apply_event(&mut store, event, EventSource::Relay).unwrap();
    }
    store
        .credit_note(
            INVOICE,
            Some(eur(7_000)),
            Some("Remboursement partiel"),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        )
        .unwrap();
    let proposals = store.refund_proposals().unwrap();
    let done: Vec<_> = proposals
        .iter()
        .filter(|p| p.status == ProposalStatus::Done)
        .collect();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].stripe_ref, "re_3Ssecond");
}

fn order() -> impl Strategy<Value = Vec<usize>> {
    let n = events().len();
    proptest::collection::vec(0..n, 0..12).prop_flat_map(move |duplicates| {
        let mut all: Vec<usize> = (0..n).collect();
        all.extend(duplicates);
        Just(all).prop_shuffle()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_order_with_any_duplicates_gives_the_same_books(order in order()) {
        let (_dir, mut store) = scenario();
        let mut seen = std::collections::HashSet::new();
        for &i in &order {
            let (name, event) = &events()[i];
            let outcome = apply_event(&mut store, event, EventSource::Relay).unwrap();
            if !seen.insert(i) {
                prop_assert!(
                    matches!(outcome, ApplyOutcome::AlreadyApplied | ApplyOutcome::Deferred { .. }),
                    "{name} applied twice: {outcome:?}"
                );
            }
        }
        prop_assert_eq!(books(&store), expected_books());
    }
}
