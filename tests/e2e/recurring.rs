//! Recurring invoices in the real app: a monthly schedule that started
//! before the app was opened is caught up by the app's background task by
//! itself (each missed month once, on its own day), and shows in the list.

use acquit_core::recurring::{End, Every, Rule};
use acquit_core::tax::{Discount, LineInput};
use acquit_core::{Client, Currency, Line, Money, Quantity, VatRate};

use crate::harness::demo;
use crate::harness::{App, plain};
use acquit_testkit::books::eur_draft;

/// The demo books, plus a monthly schedule for a new client started on
/// the first of the month two months ago (three periods due today).
fn with_schedule(db: &std::path::Path) {
    let mut store = acquit_store::Store::open(db).expect("creating the database");
    let today = acquit_store::today();
    store.fill_demo(today).expect("demo data");
    let client = store
        .add_client(&Client::new("Studio Abonné"))
        .expect("a client");
    let draft = store.create_draft(&eur_draft(client)).expect("a draft");
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
        .add_recurring(
            draft,
            &rule,
            acquit_store::RecurringMode::Auto,
            Default::default(),
        )
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

/// A schedule made from the draft being edited: its first invoice (today)
/// is issued at once, the home screen lists it with its next date, and it
/// is paused from there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_is_made_recurring_from_the_editor_and_paused_from_the_list() {
    let app = App::launch_with(demo).await;
    app.choose("[data-testid=language]", "fr").await;
    app.open_demo_draft().await;
    app.click("[data-testid=repeat] summary").await;
    app.choose("[data-testid=repeat-every]", "1m").await;
    app.fill("[data-testid=repeat-count]", "12").await;
    app.click("[data-testid=repeat-link]").await;
    app.click("[data-testid=repeat-save]").await;
    let done = app.text("[data-testid=repeat-done]").await;
    assert!(done.starts_with("Récurrence n° 1 créée"), "{done}");
    app.screenshot("recurring-from-draft-fr").await;

    app.click("[data-testid=nav-invoices]").await;
    let rows = app
        .wait_texts("[data-testid=recurring-row]", |rows| rows.len() == 1)
        .await;
    let next = acquit_store::today()
        .checked_add_months(chrono::Months::new(1))
        .unwrap()
        .format("%d/%m/%Y")
        .to_string();
    let row = plain(&rows[0]);
    assert!(row.contains("Boulangerie Martin SARL"), "{row}");
    assert!(
        row.contains("Tous les mois · émise automatiquement · lien de paiement"),
        "{row}"
    );
    // Today's invoice has its payment link, reserved with it (Stripe makes
    // it at the next sync: the demo has no Stripe).
    let number = {
        let store = acquit_store::Store::open(app.db()).expect("the books");
        let schedule = store.recurring(1).expect("the schedule");
        let number = schedule.runs[0].number.clone().expect("issued");
        let links = store.links(&number).expect("its links");
        assert_eq!(links.len(), 1, "{links:?}");
        assert_eq!(links[0].status, acquit_store::LinkStatus::Pending);
        number
    };
    assert!(row.contains(&number), "{row}");
    assert!(row.contains(&next), "next {next}: {row}");
    assert!(row.contains("(F-"), "today's invoice issued: {row}");
    app.screenshot("recurring-list-fr").await;
    app.click("[data-testid=recurring-toggle]").await;
    app.wait_texts("[data-testid=recurring-row]", |rows| {
        rows.first().is_some_and(|r| r.contains("en pause"))
    })
    .await;
    app.close().await;
}
