//! The books screens in the real window: the receipts ledger with its
//! totals and CSV export, the credit notes (and a Stripe refund turned into
//! one), and the reconciliation with the fake Stripe.

use std::path::Path;
use std::time::{Duration, Instant};

use acquit_core::{Lang, Seller};
use acquit_store::{
    CheckoutRef, EventSource, LinkKind, NewLink, NewPayment, PaymentMethod, Store, StripeFact,
    StripeMethod, StripeRefund,
};
use chrono::NaiveDate;
use fantoccini::Locator;

use crate::harness::{App, plain};

use crate::servers::FakeStripe;
use acquit_testkit::books::{self as support, eur};

/// A test key the fake accepts (never a real one).
const KEY: &str = "sk_test_51E2eTestKeyForTheFakeOnly4242";

/// The UI in French, once the window has loaded (choosing does not wait).
async fn french(app: &App) {
    app.find("[data-testid=language]").await;
    app.choose("[data-testid=language]", "fr").await;
}

fn today() -> NaiveDate {
    acquit_store::today()
}

/// Books with a seller and a French client; issues invoices with [`issue`].
fn books(db: &Path) -> Store {
    let mut store = Store::open(db).expect("creating the database");
    store
        .set_seller(&Seller::new(
            "Atelier Durand",
            "12 rue des Lilas\n75011 Paris",
        ))
        .unwrap();
    store
}

/// Issues on `on` an invoice of `minor` (no VAT) to `client`; its number.
fn issue(store: &mut Store, client: &str, minor: i64, on: NaiveDate) -> String {
    support::issue_invoice(store, client, Lang::Fr, minor, on)
}

fn transfer(minor: i64, on: NaiveDate, reference: &str) -> NewPayment {
    NewPayment {
        amount: eur(minor),
        method: PaymentMethod::Transfer,
        received_on: on,
        reference: Some(reference.into()),
        fee: None,
    }
}

/// A day in last year: outside "this month", inside "all".
fn last_year() -> NaiveDate {
    NaiveDate::from_ymd_opt(chrono::Datelike::year(&today()) - 1, 3, 10).unwrap()
}

/// The ledger of this month shows the transfer recorded today with its
/// totals; "all" adds last year's; "Export CSV" writes the export's
/// `ledger.csv`; an invoice opens from its line and "Back" returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ledger_shows_a_manual_payment_with_totals_and_exports_the_csv() {
    let numbers = std::sync::Mutex::new(Vec::new());
    let app = App::launch_with(|db| {
        let mut store = books(db);
        let old = issue(&mut store, "Agence Lumière", 10_000, last_year());
        let new = issue(&mut store, "Boulangerie Martin, Fils", 123_456, today());
        store
            .record_payment(&old, &transfer(10_000, last_year(), "VIR-0001"))
            .unwrap();
        store
            .record_payment(&new, &transfer(123_456, today(), "VIR-0042"))
            .unwrap();
        *numbers.lock().unwrap() = vec![old, new];
    })
    .await;
    let [old, new] = <[String; 2]>::try_from(numbers.into_inner().unwrap()).unwrap();
    french(&app).await;

    app.click("[data-testid=nav-ledger]").await;
    let rows = app
        .wait_texts("[data-testid=ledger-row]", |rows| rows.len() == 1)
        .await;
    let row = plain(&rows[0]);
    for part in [
        new.as_str(),
        "Boulangerie Martin, Fils",
        "Paiement",
        "Virement",
        "1 234,56 €",
        "VIR-0042",
    ] {
        assert!(row.contains(part), "“{part}” is not in the line {row:?}");
    }
    assert_eq!(
        plain(&app.text("[data-testid=total-amount]").await),
        "1 234,56 €"
    );
    assert_eq!(plain(&app.text("[data-testid=total-fee]").await), "0,00 €");
    assert_eq!(
        plain(&app.text("[data-testid=total-net]").await),
        "1 234,56 €"
    );
    app.screenshot("books-1-ledger-this-month").await;

    app.choose("[data-testid=ledger-period]", "all").await;
    let rows = app
        .wait_texts("[data-testid=ledger-row]", |rows| rows.len() == 2)
        .await;
    assert!(rows[0].contains(&old), "oldest first: {rows:?}");
    assert_eq!(
        plain(&app.text("[data-testid=total-amount]").await),
        "1 334,56 €"
    );

    // Export CSV: the save dialog answers <saved>/ledger.csv in tests.
    app.click("[data-testid=export-csv]").await;
    let said = app.text("[data-testid=csv-exported] code").await;
    let path = app.saved_dir().join("ledger.csv");
    assert_eq!(said, path.display().to_string());
    let csv = std::fs::read_to_string(&path).expect("the CSV was written");
    assert_eq!(
        csv,
        format!(
            "date,invoice,client,kind,method,amount,currency,fee,net,reference\r\n\
             {},{old},Agence Lumière,payment,transfer,100.00,EUR,,100.00,VIR-0001\r\n\
             {},{new},\"Boulangerie Martin, Fils\",payment,transfer,1234.56,EUR,,1234.56,VIR-0042\r\n",
            last_year(),
            today()
        )
    );
    // Byte for byte what `acquit export all` writes as ledger.csv.
    let export = tempfile::tempdir().unwrap();
    let store = Store::open(app.db()).unwrap();
    acquit_documents::export::export_all(&store, &export.path().join("all"), &mut |_| {})
        .expect("export all");
    drop(store);
    let exported = std::fs::read_to_string(export.path().join("all/ledger.csv")).unwrap();
    assert_eq!(csv, exported);
    app.screenshot("books-2-ledger-all-exported").await;

    // Custom dates: an inverted period is refused before any query; a
    // valid one shows its lines.
    app.choose("[data-testid=ledger-period]", "custom").await;
    set_date(&app, "[data-testid=ledger-from]", today()).await;
    set_date(&app, "[data-testid=ledger-to]", last_year()).await;
    let refused = app.text("[data-testid=period-inverted]").await;
    assert!(refused.contains("inversez-les"), "{refused}");
    assert!(
        !app.find("[data-testid=export-csv]")
            .await
            .is_enabled()
            .await
            .unwrap()
    );
    set_date(&app, "[data-testid=ledger-to]", today()).await;
    let rows = app
        .wait_texts("[data-testid=ledger-row]", |rows| rows.len() == 1)
        .await;
    assert!(rows[0].contains(&new), "{rows:?}");

    // A line's invoice opens it; "Back" comes back to the ledger.
    app.click("[data-testid=ledger-invoice]").await;
    app.text("[data-testid=doc-status]").await;
    app.click("[data-testid=back]").await;
    app.find("[data-testid=ledger-screen]").await;
    app.close().await;
}

/// Types `day` into the date input `css` (WebDriver cannot type into
/// WebKitGTK's date fields: the value is set and `input` fired, as typing does).
async fn set_date(app: &App, css: &str, day: NaiveDate) {
    let input = app.find(css).await;
    app.client
        .execute(
            "arguments[0].value = arguments[1];
             arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
            vec![
                serde_json::to_value(&input).unwrap(),
                serde_json::json!(day.to_string()),
            ],
        )
        .await
        .unwrap_or_else(|e| panic!("setting `{css}`: {e}"));
}

/// A Stripe card payment on `number` (matched by its metadata), applied as
/// sync would, then refunded in part: an open refund proposal.
fn stripe_paid_then_refunded(store: &mut Store, number: &str, paid: i64, refunded: i64) {
    let invoice = store.invoice(number).unwrap().id.0;
    let now = chrono::Utc::now().timestamp();
    let payment = StripeFact::PaymentSucceeded {
        checkout: CheckoutRef {
            checkout_session: "cs_e2e".into(),
            payment_link: None,
            invoice_id: Some(invoice),
            invoice_number: Some(number.to_owned()),
            link_id: None,
        },
        payment_intent: "pi_e2e".into(),
        charge: Some("ch_e2e".into()),
        amount: eur(paid),
        method: StripeMethod::Card,
        received_on: today(),
        fee: None,
    };
    store
        .apply_stripe_fact(
            "evt_paid",
            "checkout.session.completed",
            now,
            EventSource::Relay,
            &payment,
        )
        .unwrap();
    let refund = StripeFact::Refunded {
        charge: "ch_e2e".into(),
        payment_intent: Some("pi_e2e".into()),
        amount_refunded: eur(refunded),
        refunds: vec![StripeRefund {
            id: "re_e2e".into(),
            amount: eur(refunded),
        }],
        refunded_on: today(),
    };
    store
        .apply_stripe_fact(
            "evt_refund",
            "charge.refunded",
            now + 1,
            EventSource::Relay,
            &refund,
        )
        .unwrap();
}

/// The credit notes screen lists the one issued; a Stripe refund waits
/// for its credit note, issued after a confirmation; a credit note opens
/// in the invoice view.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credit_notes_are_listed_and_a_stripe_refund_gets_its_credit_note() {
    let names = std::sync::Mutex::new(Vec::new());
    let app = App::launch_with(|db| {
        let mut store = books(db);
        let cancelled = issue(&mut store, "Agence Lumière", 50_000, today());
        let refunded = issue(&mut store, "Boulangerie Martin", 30_000, today());
        let note = store
            .credit_note(&cancelled, None, Some("Prestation annulée"), today())
            .unwrap();
        stripe_paid_then_refunded(&mut store, &refunded, 30_000, 12_000);
        *names.lock().unwrap() = vec![cancelled, refunded, note];
    })
    .await;
    let [cancelled, refunded, note] = <[String; 3]>::try_from(names.into_inner().unwrap()).unwrap();
    french(&app).await;

    app.click("[data-testid=nav-credit-notes]").await;
    let rows = app
        .wait_texts("[data-testid=credit-note-row]", |rows| rows.len() == 1)
        .await;
    let row = plain(&rows[0]);
    let total = plain(&eur(-50_000).format(Lang::Fr));
    for part in [
        note.as_str(),
        "Agence Lumière",
        cancelled.as_str(),
        total.as_str(),
        "Prestation annulée",
    ] {
        assert!(row.contains(part), "“{part}” is not in the row {row:?}");
    }
    let proposal = plain(&app.text("[data-testid=refund-proposal]").await);
    assert!(
        proposal.contains(&refunded)
            && proposal.contains("120,00 €")
            && proposal.contains("re_e2e"),
        "{proposal}"
    );
    app.screenshot("books-3-credit-notes-with-refund").await;

    // Numbered and locked: a confirmation first; cancelling issues nothing.
    app.click("[data-testid=issue-refund-credit-note]").await;
    let dialog = plain(&app.text("[data-testid=issue-credit-dialog]").await);
    assert!(
        dialog.contains("120,00 €") && dialog.contains(&refunded),
        "{dialog}"
    );
    app.screenshot("books-4-issue-credit-note-confirm").await;
    app.click("[data-testid=issue-credit-dialog] button.secondary")
        .await;
    app.wait_gone("[data-testid=issue-credit-dialog]").await;
    assert_eq!(
        Store::open(app.db()).unwrap().credit_notes().unwrap().len(),
        1
    );
    app.click("[data-testid=issue-refund-credit-note]").await;
    app.click("[data-testid=confirm-issue-credit-note]").await;
    let issued = app.text("[data-testid=credit-note-issued] strong").await;
    let rows = app
        .wait_texts("[data-testid=credit-note-row]", |rows| rows.len() == 2)
        .await;
    assert!(
        rows[0].contains(&issued) && rows[0].contains(&refunded),
        "{rows:?}"
    );
    assert!(
        !app.exists("[data-testid=refund-proposals]").await,
        "settled"
    );
    let view = Store::open(app.db()).unwrap().invoice(&issued).unwrap();
    assert_eq!(view.totals.total, eur(-12_000));
    assert_eq!(view.reason.as_deref(), Some("Remboursement"));
    app.screenshot("books-5-credit-note-issued").await;

    // A credit note opens in the invoice view; "Back" returns here.
    app.click("[data-testid=open-credit-note]").await;
    app.text("[data-testid=doc-status]").await;
    app.screenshot("books-6-credit-note-view").await;
    app.click("[data-testid=back]").await;
    app.find("[data-testid=credit-notes-screen]").await;
    app.close().await;
}

/// Without Stripe, the reconciliation says so and leads to the settings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciliation_without_stripe_leads_to_the_settings() {
    let app = App::launch_with(|db| drop(books(db))).await;
    french(&app).await;
    app.click("[data-testid=nav-reconcile]").await;
    let notice = app.text("[data-testid=reconcile-needs-stripe]").await;
    assert!(notice.contains("connectez d’abord Stripe"), "{notice}");
    assert!(app.exists("[data-testid=no-unmatched]").await);
    app.screenshot("books-7-reconcile-no-stripe").await;
    app.click("[data-testid=reconcile-settings]").await;
    app.find("[data-testid=stripe-key]").await;
    app.close().await;
}

/// The relay's events Stripe did not confirm are listed as rejected, with
/// the reason; those waiting for Stripe, as waiting. Nothing was booked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciliation_lists_rejected_and_waiting_events() {
    let app = App::launch_with(|db| {
        let mut store = books(db);
        let claimed = serde_json::json!({"id": "evt_forged", "type": "checkout.session.completed"});
        store
            .record_rejected(
                "evt_forged",
                "checkout.session.completed",
                1_790_000_000,
                EventSource::Relay,
                Some(&claimed),
                "Stripe does not know event evt_forged, and does not know cs_test_x either: Stripe never sent it",
            )
            .unwrap();
        store
            .record_unconfirmed(
                "evt_waiting",
                "checkout.session.completed",
                1_790_000_100,
                &claimed,
                "Stripe could not confirm it yet; the next sync asks again",
            )
            .unwrap();
    })
    .await;
    french(&app).await;
    app.click("[data-testid=nav-reconcile]").await;
    let rows = app
        .wait_texts("[data-testid=unmatched-event]", |rows| rows.len() == 2)
        .await;
    assert!(
        rows[0].contains("evt_waiting") && rows[0].contains("En attente de Stripe"),
        "{rows:?}"
    );
    assert!(
        rows[1].contains("evt_forged")
            && rows[1].contains("Rejeté")
            && rows[1].contains("Stripe never sent it"),
        "{rows:?}"
    );
    app.screenshot("books-8-rejected-events").await;
    app.close().await;
}

/// Stripe unreachable: the screen says so, with what to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciliation_says_when_stripe_cannot_be_reached() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let env = [
        ("ACQUIT_STRIPE_KEY", KEY.to_owned()),
        ("ACQUIT_STRIPE_API_BASE", base),
    ];
    let app = App::launch_with_env(|db| drop(books(db)), &env).await;
    french(&app).await;
    app.click("[data-testid=nav-reconcile]").await;
    // The client retries a refused connection for a few seconds: the
    // screen shows that it is asking Stripe meanwhile.
    let progress = app.text("[data-testid=reconcile-running]").await;
    assert_eq!(progress, "Interrogation de Stripe…");
    let error = app.text("[data-testid=reconcile-error]").await;
    assert!(error.contains("Stripe could not be reached"), "{error}");
    assert!(error.contains("try again"), "{error}");
    app.screenshot("books-8-reconcile-unreachable").await;
    app.close().await;
}

/// A payment link paid on the fake Stripe and synced: the reconciliation
/// finds Stripe and the books in agreement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciliation_agrees_after_a_paid_link_and_a_sync() {
    let servers = tempfile::tempdir().unwrap();
    let fake = FakeStripe::start(servers.path(), &[]);
    let number = std::sync::Mutex::new(String::new());
    let env = [
        ("ACQUIT_STRIPE_KEY", KEY.to_owned()),
        ("ACQUIT_STRIPE_API_BASE", fake.base.clone()),
    ];
    let app = App::launch_with_env(
        |db| {
            let mut store = books(db);
            *number.lock().unwrap() = issue(&mut store, "Boulangerie Martin", 45_000, today());
        },
        &env,
    )
    .await;
    let number = number.into_inner().unwrap();
    french(&app).await;

    // A link created on the fake (as the invoice view's button does), paid.
    let stripe = acquit_sync::config::stripe_client_for(
        acquit_sync::config::parse_stripe_key(KEY).unwrap(),
        &fake.base,
    )
    .unwrap();
    let mut store = Store::open(app.db()).unwrap();
    let link = acquit_sync::links::create_link(
        &mut store,
        &stripe,
        None,
        &number,
        &NewLink {
            kind: LinkKind::PaymentLink,
            amount: None,
            expires_at: None,
        },
    )
    .await
    .expect("a link on the fake Stripe");
    drop(store);
    let url = link.link.url.clone().expect("Stripe's URL");
    let body = serde_json::json!({"url": url, "method": "card", "card": "4242424242424242"});
    let (status, answer) = fake.control("/_fake/pay", body);
    assert_eq!(status, 200, "the fake refused to pay: {answer}");

    // The app's sync applies it.
    app.click("[data-testid=sync-now]").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while Store::open(app.db())
        .unwrap()
        .payments(&number)
        .unwrap()
        .is_empty()
    {
        assert!(
            Instant::now() < deadline,
            "the sync never applied the payment"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    app.click("[data-testid=nav-reconcile]").await;
    let agree = plain(&app.text("[data-testid=reconcile-agree]").await);
    assert!(
        agree.contains("Stripe et Acquit sont d’accord : 1 paiement sur"),
        "{agree}"
    );
    assert!(!app.exists("[data-testid=reconcile-finding]").await);
    app.screenshot("books-9-reconcile-agree").await;

    // Run again, in English: the same agreement.
    app.choose("[data-testid=language]", "en").await;
    app.click("[data-testid=reconcile-run]").await;
    let agree = app
        .wait_texts("[data-testid=reconcile-agree]", |t| {
            t.first().is_some_and(|t| {
                t.contains("Stripe and Acquit agree: 1 payment in the last 30 days")
            })
        })
        .await;
    assert_eq!(agree.len(), 1);
    let rows = app
        .client
        .find_all(Locator::Css("[data-testid=reconcile-finding]"))
        .await
        .unwrap();
    assert!(rows.is_empty());
    app.close().await;
}
