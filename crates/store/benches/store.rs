//! `cargo bench -p acquit-store`: the store on a 100,000-invoice database.
//!
//! Prints the median and 95th percentile of: a page of 50 invoices with
//! client name, status and amount due; a search by client name and by
//! number; the dashboard's sums (read at the app's start, beside the
//! list's first page); opening the file (integrity check included);
//! issuing one invoice (the full transaction, fsync included).
//! Targets (2-core machine): < 10 ms, < 30 ms, < 2 ms.
//!
//! The database is generated once through the store's own API (on a tmpfs
//! when /dev/shm exists, so that 400k fsyncs do not take an hour) and kept
//! in `target/bench-data/`; the measures run on a copy on the real disk.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use acquit_core::tax::{Discount, LineInput};
use acquit_core::{Client, Currency, Line, Money, Quantity, Seller, VatRate};
use acquit_store::{ListQuery, NewDraft, NewPayment, PaymentMethod, Store};
use acquit_testkit::books::eur_draft;
use chrono::NaiveDate;

const INVOICES: usize = 100_000;
const CLIENTS: usize = 2_000;

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data");
    std::fs::create_dir_all(&data).unwrap();
    let cached = data.join(format!(
        "acquit-{INVOICES}-v{}.db",
        acquit_store::schema_version()
    ));
    if !cached.exists() {
        generate(&cached);
    }
    let work = data.join("acquit-bench-run.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", work.display()));
    }
    std::fs::copy(&cached, &work).unwrap();
    let mut store = Store::open(&work).unwrap();

    println!(
        "store benchmark: {INVOICES} invoices, {CLIENTS} clients, file {}",
        work.display()
    );
    measure("list: first page of 50", 200, || {
        let page = store
            .list_page(&ListQuery {
                limit: 50,
                ..ListQuery::default()
            })
            .unwrap();
        assert_eq!(page.len(), 50);
    });
    measure("list: page of 50 at offset 1000", 100, || {
        let page = store
            .list_page(&ListQuery {
                limit: 50,
                offset: 1000,
                ..ListQuery::default()
            })
            .unwrap();
        assert_eq!(page.len(), 50);
    });
    measure("search: client name \"Lefèvre 1234\"", 100, || {
        let page = store
            .list_page(&ListQuery {
                search: Some("Lefèvre 1234".into()),
                limit: 50,
                ..ListQuery::default()
            })
            .unwrap();
        assert!(!page.is_empty());
    });
    measure("search: number prefix \"F-2026-0421\"", 200, || {
        let page = store
            .list_page(&ListQuery {
                search: Some("F-2026-0421".into()),
                limit: 50,
                ..ListQuery::default()
            })
            .unwrap();
        assert!(!page.is_empty());
    });
    measure(
        "filter: first page of 50 unpaid (status issued)",
        20,
        || {
            let page = store
                .list_page(&ListQuery {
                    status: Some(acquit_core::InvoiceStatus::Issued),
                    limit: 50,
                    ..ListQuery::default()
                })
                .unwrap();
            assert_eq!(page.len(), 50);
        },
    );
    measure("filter: count of unpaid (status issued)", 5, || {
        let count = store
            .count_page(&ListQuery {
                status: Some(acquit_core::InvoiceStatus::Issued),
                ..ListQuery::default()
            })
            .unwrap();
        assert!(count > 0);
    });
    let today = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    measure("dashboard: due, overdue, processing, paid", 20, || {
        let board = store.dashboard(today).unwrap();
        assert!(board.due_count > 0);
    });
    let mut remindable = 0;
    measure("reminders: the invoices that may be reminded", 5, || {
        remindable = store.remindable().unwrap().len();
    });
    // What deciding reminders cost before `remindable`: every remindable
    // invoice read in full (three times, then), once here, for comparison.
    let numbers: Vec<String> = store.remindable_invoices().unwrap();
    let started = Instant::now();
    for number in &numbers {
        store.invoice(number).unwrap();
    }
    println!(
        "  (for comparison: reading those {remindable} invoices in full once: {:.0} ms)",
        started.elapsed().as_secs_f64() * 1000.0
    );
    // A new modification time makes the open check the whole file again,
    // as the first open of a process does.
    let mut tick = std::time::SystemTime::now();
    measure("open: first in a process (integrity check)", 5, || {
        tick += Duration::from_secs(1);
        std::fs::File::options()
            .write(true)
            .open(&work)
            .unwrap()
            .set_modified(tick)
            .unwrap();
        drop(Store::open(&work).unwrap());
    });
    measure("open: again, file unchanged", 20, || {
        drop(Store::open(&work).unwrap());
    });
    let client = store.clients().unwrap()[0].0;
    let mut drafts = (0..101)
        .map(|_| {
            let id = store.create_draft(&draft(client)).unwrap();
            store.add_line(id, &line(0)).unwrap();
            id
        })
        .collect::<Vec<_>>()
        .into_iter();
    measure("issue one invoice (fsync included)", 100, || {
        store.issue(drafts.next().unwrap(), day(364)).unwrap();
    });
}

fn measure(name: &str, runs: usize, mut f: impl FnMut()) {
    f(); // warm the page cache and statement cache
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    let median = times[runs / 2];
    let p95 = times[runs * 95 / 100];
    println!(
        "{name:<45} median {:>8.3} ms   p95 {:>8.3} ms",
        ms(median),
        ms(p95)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(n)
}

fn draft(client: acquit_store::ClientId) -> NewDraft {
    eur_draft(client)
}

fn line(i: usize) -> Line {
    Line {
        description: format!("Prestation de développement, lot {}", i % 97),
        input: LineInput {
            quantity: Quantity::from_thousandths(500 + (i as i64 % 40) * 250).unwrap(),
            unit_price: Money::new(4_500 + (i as i64 % 13) * 1_000, Currency::EUR),
            vat_rate: VatRate::from_basis_points(if i.is_multiple_of(5) { 550 } else { 2000 })
                .unwrap(),
            discount: if i.is_multiple_of(7) {
                Discount::Percent(1000)
            } else {
                Discount::None
            },
        },
        nature: None,
        unit: None,
    }
}

fn generate(dest: &Path) {
    let shm = Path::new("/dev/shm");
    let scratch: PathBuf = if shm.is_dir() {
        shm.join("acquit-bench-gen.db")
    } else {
        dest.with_extension("gen")
    };
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
    }
    let started = Instant::now();
    eprintln!(
        "generating {INVOICES} invoices in {} (once)…",
        scratch.display()
    );
    let mut store = Store::open(&scratch).unwrap();
    store
        .set_seller(&Seller::new(
            "Atelier Durand",
            "12 rue des Lilas\n75011 Paris",
        ))
        .unwrap();
    const NAMES: [&str; 8] = [
        "Martin", "Bernard", "Lefèvre", "Moreau", "Laurent", "Garnier", "Faure", "Rousseau",
    ];
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            store
                .add_client(&Client::new(format!("{} {i}", NAMES[i % NAMES.len()])))
                .unwrap()
        })
        .collect();
    for i in 0..INVOICES {
        let id = store
            .create_draft(&draft(clients[(i * 7919) % CLIENTS]))
            .unwrap();
        for l in 0..1 + i % 3 {
            store.add_line(id, &line(i + l)).unwrap();
        }
        let date = day((i * 364 / INVOICES) as u64);
        let number = store.issue(id, date).unwrap();
        let total = store.invoice(&number).unwrap().totals.total;
        match i % 10 {
            0..=6 => {
                store
                    .record_payment(&number, &payment(total, date))
                    .unwrap();
            }
            7 => {
                store
                    .record_payment(
                        &number,
                        &payment(Money::new(total.minor() / 2, Currency::EUR), date),
                    )
                    .unwrap();
            }
            _ => {}
        }
        if i % 10_000 == 9_999 {
            eprintln!(
                "  {} invoices, {:.0} s",
                i + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    drop(store);
    let tmp = Store::open(&scratch).unwrap();
    tmp.backup(dest).unwrap();
    drop(tmp);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
    }
    eprintln!("generated in {:.0} s", started.elapsed().as_secs_f64());
}

fn payment(amount: Money, date: NaiveDate) -> NewPayment {
    NewPayment {
        amount,
        method: PaymentMethod::Transfer,
        received_on: date,
        reference: None,
        fee: None,
    }
}
