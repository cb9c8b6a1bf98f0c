//! `cargo bench -p acquit-sync --bench loop_latency`: from a customer's
//! payment to the invoice paid in the store, with a long-polling sync
//! running as the app runs it, confirming each event with Stripe.
//!
//! The fake Stripe and a real relay (SQLite, group commit,
//! `synchronous=FULL`) are served on 127.0.0.1; Stripe's webhooks reach the
//! relay signed. A sync loop on its own thread and database connection
//! long-polls the relay (`engine::sync` with `wait`), confirms each event
//! with Stripe (`GET /v1/events/{id}`: the relay is not trusted), applies
//! Stripe's copy, then fetches the fee and withdraws the paid link as the
//! app does. The bench pays 200 invoices one after the other through the
//! fake's test control and measures, for each, the time from the payment
//! (the control's answer, so the webhook's delivery to the relay and the
//! relay's 200 are inside the figure) to the moment the sync reports the
//! invoice paid. Prints p50, p99 and max (target: p99 < 1 s). Databases
//! live under `target/bench-data/` (the real disk, real fsyncs).

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use acquit_core::tax::{Discount, LineInput};
use acquit_core::{Client, Currency, Line, Money, Quantity, Seller, VatRate};
use acquit_store::{LinkKind, NewLink, Store};
use acquit_stripe::{Config as StripeConfig, IdempotencyKey, NewWebhookEndpoint, SecretKey};
use acquit_sync::engine::{self, SourceChoice, Sources};
use acquit_sync::links;
use acquit_sync::relay::{PullToken, RelayClient, RelayConfig};
use acquit_testkit::books::eur_draft;
use acquit_testkit::servers::RelayInProcess;
use chrono::NaiveDate;
use serde_json::json;

const PAYMENTS: usize = 200;

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data/loop");
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).unwrap();
    let books = data.join("acquit.db");
    let numbers = prepare(&books);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (fake, base, inbox, token) = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(fake_stripe::serve(listener, fake_stripe::Config::default()));
        let relay = RelayInProcess::start(&data.join("relay.db"), None).await;
        let (base, inbox, token) = (relay.base.clone(), relay.inbox.clone(), relay.token.clone());
        std::mem::forget(relay); // the relay runs until the bench exits
        (fake, base, inbox, token)
    });
    let stripe = stripe_client(&fake);
    let relay_config = RelayConfig::new(&base, &inbox, PullToken::new(&token).unwrap()).unwrap();
    let pay_urls = runtime.block_on(async {
        // Stripe's webhooks to the relay, as `acquit relay set` does.
        let relay = RelayClient::new(relay_config.clone()).unwrap();
        let endpoint = stripe
            .create_webhook_endpoint(
                &NewWebhookEndpoint::for_relay(relay_config.webhook_url()),
                &IdempotencyKey::new("loop-latency-endpoint").unwrap(),
            )
            .await
            .unwrap();
        relay
            .set_webhook_secret(endpoint.secret.unwrap().expose(), None)
            .await
            .unwrap();
        let mut store = Store::open(&books).unwrap();
        let mut urls = Vec::with_capacity(numbers.len());
        for number in &numbers {
            let new = NewLink {
                kind: LinkKind::PaymentLink,
                amount: None,
                expires_at: None,
            };
            let shared = links::create_link(&mut store, &stripe, None, number, &new)
                .await
                .unwrap();
            urls.push(shared.link.url.unwrap());
        }
        urls
    });

    // The sync loop, as the app runs it: its own connection, long-polls.
    let (paid_tx, paid_rx) = mpsc::channel::<(String, Instant)>();
    {
        let books = books.clone();
        let stripe = stripe.clone();
        let config = relay_config.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let relay = RelayClient::new(config).unwrap();
            let mut store = Store::open(&books).unwrap();
            loop {
                let sources = Sources {
                    relay: Some(&relay),
                    stripe: Some(&stripe),
                };
                // The relay stops when the bench's main thread ends.
                let Ok(report) =
                    rt.block_on(engine::sync(&mut store, sources, SourceChoice::Relay, 25))
                else {
                    return;
                };
                let now = Instant::now();
                for number in report.invoices {
                    if paid_tx.send((number, now)).is_err() {
                        return;
                    }
                }
            }
        });
    }

    let http = acquit_http::client().build().unwrap();
    let mut latencies = Vec::with_capacity(PAYMENTS);
    let start = Instant::now();
    for (number, url) in numbers.iter().zip(&pay_urls) {
        let status = runtime.block_on(async {
            http.post(format!("{fake}/_fake/pay"))
                .json(&json!({"url": url, "card": "4242424242424242"}))
                .send()
                .await
                .unwrap()
                .status()
        });
        let paid_at = Instant::now();
        assert!(
            status.is_success(),
            "the fake refused the payment: {status}"
        );
        loop {
            let (paid, at) = paid_rx
                .recv_timeout(Duration::from_secs(30))
                .expect("the sync applied the payment within 30 s");
            if &paid == number {
                latencies.push(at.saturating_duration_since(paid_at));
                break;
            }
        }
    }
    let total = start.elapsed();
    latencies.sort();
    let pick = |q: usize| latencies[(latencies.len() * q / 100).min(latencies.len() - 1)];
    println!(
        "payment → webhook → relay → confirmed with Stripe → invoice paid, {PAYMENTS} payments one after another ({:.1} s in all):",
        total.as_secs_f64()
    );
    println!(
        "  p50 {:.1} ms   p99 {:.1} ms   max {:.1} ms   (target p99 < 1000 ms)",
        ms(pick(50)),
        ms(pick(99)),
        ms(*latencies.last().unwrap())
    );
    let check = Store::open(&books).unwrap();
    let paid = check
        .list_invoices(Some(acquit_core::InvoiceStatus::Paid))
        .unwrap()
        .len();
    assert_eq!(paid, PAYMENTS, "every invoice is paid");
}

fn stripe_client(base: &str) -> acquit_stripe::Client {
    let key = SecretKey::parse("sk_test_acquitLoopLatencyBench00004242").unwrap();
    let mut config = StripeConfig::new(key);
    config.api_base = base.to_owned();
    acquit_stripe::Client::new(config).unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Books with `PAYMENTS` issued invoices of 120,00 €.
fn prepare(path: &Path) -> Vec<String> {
    let mut store = Store::open(path).unwrap();
    store
        .set_seller(&Seller::new("Atelier Durand", "12 rue des Lilas, Paris"))
        .unwrap();
    let client = store
        .add_client(&Client::new("Boulangerie Martin"))
        .unwrap();
    let line = Line {
        description: "Atelier".into(),
        input: LineInput {
            quantity: Quantity::ONE,
            unit_price: Money::new(10_000, Currency::EUR),
            vat_rate: VatRate::parse("20").unwrap(),
            discount: Discount::None,
        },
        nature: None,
        unit: None,
    };
    (0..PAYMENTS)
        .map(|_| {
            let draft = store.create_draft(&eur_draft(client)).unwrap();
            store.add_line(draft, &line).unwrap();
            store
                .issue(draft, NaiveDate::from_ymd_opt(2026, 11, 2).unwrap())
                .unwrap()
        })
        .collect()
}
