//! `cargo bench -p acquit-sync --bench apply`: applying 10,000 Stripe events.
//!
//! 2,000 issued invoices of 1 000,00 €, each with a deposit payment link, a
//! balance payment link and a Checkout link; per invoice five events: the
//! deposit paid by card, the balance completed unpaid (SEPA) then
//! succeeded, a partial refund of the deposit, the Checkout link expired.
//! Prints the total and per-event median and p95 of applying them one at a
//! time (each one `BEGIN IMMEDIATE` transaction with `synchronous=FULL`, on
//! the real disk under `target/bench-data/`), then of replaying them all
//! (already applied), then of applying them to a fresh copy as a sync does,
//! a page of 100 per transaction (`Store::record_stripe_events`; target
//! ≥ 5,000 events/s). The database is prepared on a tmpfs when /dev/shm
//! exists.

use std::path::Path;
use std::time::{Duration, Instant};

use acquit_core::tax::{Discount, LineInput};
use acquit_core::{Client, Currency, Line, Money, Quantity, Seller, VatRate};
use acquit_store::{EventSource, LinkKind, NewLink, Store};
use acquit_sync::apply::{apply_event, to_record};
use acquit_testkit::books::eur_draft;
use chrono::NaiveDate;
use serde_json::{Value, json};

const INVOICES: usize = 2_000;
const T0: i64 = 1_795_600_000;

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data");
    std::fs::create_dir_all(&data).unwrap();
    let scratch = if Path::new("/dev/shm").is_dir() {
        tempfile::tempdir_in("/dev/shm").unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let prepared = scratch.path().join("prepared.db");
    let start = Instant::now();
    let numbers = prepare(&prepared);
    println!(
        "prepared {INVOICES} invoices and {} links in {:.1} s",
        3 * INVOICES,
        start.elapsed().as_secs_f64()
    );
    let events: Vec<Value> = numbers
        .iter()
        .enumerate()
        .flat_map(|(i, number)| events_for(i, number))
        .collect();
    assert_eq!(events.len(), 5 * INVOICES);

    let work = data.join("acquit-sync-bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", work.display()));
    }
    std::fs::copy(&prepared, &work).unwrap();
    let mut store = Store::open(&work).unwrap();
    println!(
        "apply benchmark: {} events, file {}",
        events.len(),
        work.display()
    );
    measure(
        "apply 10,000 events (fsync each)",
        &mut store,
        &events,
        "applied",
    );
    measure(
        "replay 10,000 events (already applied)",
        &mut store,
        &events,
        "already-applied",
    );
    check(&store);
    drop(store);

    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", work.display()));
    }
    std::fs::copy(&prepared, &work).unwrap();
    let mut store = Store::open(&work).unwrap();
    let start = Instant::now();
    let mut times = Vec::new();
    for page in events.chunks(100) {
        let t = Instant::now();
        let records: Vec<_> = page
            .iter()
            .map(|event| to_record(event, EventSource::Relay).0.unwrap())
            .collect();
        let outcomes = store.record_stripe_events(&records).unwrap();
        assert!(outcomes.iter().all(|o| o.as_str() == "applied"));
        times.push(t.elapsed());
    }
    report(
        "apply 10,000 events, pages of 100 (fsync each page)",
        events.len(),
        start.elapsed(),
        times,
        "page",
    );
    check(&store);
}

/// Every invoice paid less its refund, the journal whole.
fn check(store: &Store) {
    let paid = store
        .list_invoices(Some(acquit_core::InvoiceStatus::PartiallyPaid))
        .unwrap()
        .len();
    assert_eq!(paid, INVOICES, "every invoice is paid less its refund");
    assert_eq!(store.verify_journal().unwrap().problem, None);
}

fn measure(name: &str, store: &mut Store, events: &[Value], expected: &str) {
    let start = Instant::now();
    let times: Vec<Duration> = events
        .iter()
        .map(|event| {
            let t = Instant::now();
            let outcome = apply_event(store, event, EventSource::Relay).unwrap();
            assert_eq!(outcome.as_str(), expected, "{event}");
            t.elapsed()
        })
        .collect();
    report(name, events.len(), start.elapsed(), times, "event");
}

fn report(name: &str, events: usize, total: Duration, mut times: Vec<Duration>, per: &str) {
    times.sort();
    println!(
        "{name:<52} total {:>7.2} s   {:>7.0} events/s   per {per}: median {:>6.3} ms   p95 {:>6.3} ms",
        total.as_secs_f64(),
        events as f64 / total.as_secs_f64(),
        ms(times[times.len() / 2]),
        ms(times[times.len() * 95 / 100])
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn prepare(path: &Path) -> Vec<String> {
    let mut store = Store::open(path).unwrap();
    store
        .set_seller(&Seller::new("Atelier Durand", "12 rue des Lilas, Paris"))
        .unwrap();
    let client = store
        .add_client(&Client::new("Boulangerie Martin"))
        .unwrap();
    let line = Line {
        description: "Refonte du site".into(),
        input: LineInput {
            quantity: Quantity::ONE,
            unit_price: Money::new(83_333, Currency::EUR),
            vat_rate: VatRate::parse("20").unwrap(),
            discount: Discount::None,
        },
        nature: None,
        unit: None,
    };
    (0..INVOICES)
        .map(|i| {
            let draft = store.create_draft(&eur_draft(client)).unwrap();
            store.add_line(draft, &line).unwrap();
            let number = store
                .issue(draft, NaiveDate::from_ymd_opt(2026, 11, 2).unwrap())
                .unwrap();
            for (kind, amount, stripe_id) in [
                (LinkKind::PaymentLink, 30_000, format!("plink_dep{i}")),
                (LinkKind::PaymentLink, 70_000, format!("plink_bal{i}")),
                (LinkKind::Checkout, 70_000, format!("cs_third{i}")),
            ] {
                let link = store
                    .reserve_link(
                        &number,
                        &NewLink {
                            kind,
                            amount: Some(Money::new(amount, Currency::EUR)),
                            expires_at: None,
                        },
                    )
                    .unwrap();
                store
                    .link_created(link.id, &stripe_id, "https://pay.example/x", None)
                    .unwrap();
            }
            number
        })
        .collect()
}

fn event(id: String, kind: &str, created: i64, object: Value) -> Value {
    json!({"id": id, "object": "event", "api_version": "2026-10-28.endive", "created": created,
           "livemode": false, "pending_webhooks": 1, "request": {"id": null, "idempotency_key": null},
           "type": kind, "data": {"object": object}})
}

fn session(
    id: String,
    plink: Option<String>,
    amount: i64,
    payment_status: &str,
    pi: Option<String>,
    number: &str,
) -> Value {
    json!({"id": id, "object": "checkout.session", "mode": "payment", "amount_total": amount,
           "amount_subtotal": amount, "currency": "eur", "payment_status": payment_status,
           "status": "complete", "payment_intent": pi, "payment_link": plink,
           "payment_method_types": ["card", "sepa_debit"],
           "metadata": {"acquit_invoice_number": number}})
}

fn events_for(i: usize, number: &str) -> Vec<Value> {
    let t = T0 + i as i64;
    vec![
        event(
            format!("evt_dep{i}"),
            "checkout.session.completed",
            t,
            session(
                format!("cs_dep{i}"),
                Some(format!("plink_dep{i}")),
                30_000,
                "paid",
                Some(format!("pi_dep{i}")),
                number,
            ),
        ),
        event(
            format!("evt_balc{i}"),
            "checkout.session.completed",
            t + 1,
            session(
                format!("cs_bal{i}"),
                Some(format!("plink_bal{i}")),
                70_000,
                "unpaid",
                Some(format!("pi_bal{i}")),
                number,
            ),
        ),
        event(
            format!("evt_bals{i}"),
            "checkout.session.async_payment_succeeded",
            t + 86_400,
            session(
                format!("cs_bal{i}"),
                Some(format!("plink_bal{i}")),
                70_000,
                "paid",
                Some(format!("pi_bal{i}")),
                number,
            ),
        ),
        event(
            format!("evt_ref{i}"),
            "charge.refunded",
            t + 2 * 86_400,
            json!({"id": format!("ch_dep{i}"), "object": "charge", "amount": 30_000, "amount_refunded": 5_000,
                     "currency": "eur", "payment_intent": format!("pi_dep{i}"),
                     "refunds": {"object": "list", "has_more": false,
                                 "data": [{"id": format!("re_dep{i}"), "object": "refund", "amount": 5_000, "status": "succeeded"}]}}),
        ),
        event(
            format!("evt_exp{i}"),
            "checkout.session.expired",
            t + 3 * 86_400,
            session(format!("cs_third{i}"), None, 70_000, "unpaid", None, number),
        ),
    ]
}
