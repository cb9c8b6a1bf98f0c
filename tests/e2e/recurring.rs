//! Recurring invoices in the real app: a monthly schedule that started
//! before the app was opened is caught up by the app's background task by
//! itself (each missed month once, on its own day), and shows in the list.

use acquit_core::recurring::{End, Every, Rule};
use acquit_core::tax::{Discount, LineInput};
use acquit_core::{Client, Currency, InvoiceKind, Line, Money, Quantity, VatRate};

use crate::harness::App;

/// The demo books, plus a monthly schedule for a new client started on
/// the first of the month two months ago (three periods due today).
fn with_schedule(db: &std::path::Path) {
    let mut store = acquit_store::Store::open(db).expect("creating the database");
    let today = acquit_store::today();
    store.fill_demo(today).expect("demo data");
    let client = store
        .add_client(&Client::new("Studio Abonné"))
        .expect("a client");
    let draft = store
        .create_draft(&acquit_store::NewDraft {
            client,
            currency: Currency::EUR,
            kind: InvoiceKind::Standard,
            due_date: None,
            sale_date: None,
            deposits: vec![],
            details: Default::default(),
        })
        .expect("a draft");
    store
        .add_line(
            draft,
            &Line {
                description: "Hébergement et maintenance".into(),
                input: LineInput {
                    quantity: Quantity::ONE,
                    unit_price: Money::new(9_000, Currency::EUR),
                    vat_rate: VatRate::parse("20").unwrap(),
                    discount: Discount::None,
                },
                nature: None,
                unit: None,
            },
        )
        .expect("a line");
    // The demo issued invoices up to today: the schedule's own invoices
    // must follow them in the numbering, so it starts today and two
    // earlier periods are made as drafts to review.
    let start = today
        .checked_sub_months(chrono::Months::new(2))
        .expect("a date");
    let rule = Rule::new(Every::parse("1m").unwrap(), None, start, End::Never).unwrap();
    store
        .add_recurring(draft, &rule, acquit_store::RecurringMode::Auto)
        .expect("the schedule");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_catches_up_a_monthly_schedule_by_itself() {
    let app = App::launch_with(with_schedule).await;
    app.choose("[data-testid=language]", "fr").await;
    app.click("[data-testid=nav-invoices]").await;
    app.fill("[data-testid=invoice-search]", "Studio").await;
    // The draft the schedule was made from, and three periods: the two
    // before the demo's last invoice as drafts to review, today's issued.
    let studio = |rows: &[String]| -> Vec<String> {
        rows.iter()
            .filter(|r| r.contains("Studio Abonné"))
            .cloned()
            .collect()
    };
    let rows = studio(
        &app.wait_texts("[data-testid=invoice-row]", |rows| studio(rows).len() >= 4)
            .await,
    );
    assert_eq!(rows.len(), 4, "{rows:#?}");
    assert_eq!(
        rows.iter().filter(|r| r.ends_with("Brouillon")).count(),
        3,
        "{rows:#?}"
    );
    assert_eq!(
        rows.iter().filter(|r| r.ends_with("Émise")).count(),
        1,
        "{rows:#?}"
    );
    let schedule = {
        let store = acquit_store::Store::open(app.db()).expect("the books");
        store.recurring(1).expect("the schedule")
    };
    assert_eq!(schedule.runs.len(), 3);
    app.close().await;
}
