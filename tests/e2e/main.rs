//! End-to-end tests in the real app window: the built `acquit-app`, driven
//! through `tauri-driver` and WebKitWebDriver under a (virtual) display.
//!
//! Run with `xvfb-run -a cargo test --test e2e` (`./x test` does). Without a
//! display or the drivers these tests fail and say what to install: they
//! never pass by skipping.

// axe-core on every screen.
mod a11y;
mod backups;
mod books;
mod client_page;
// The micro-entrepreneur's declaration screen.
mod declaration;
// The first run filled from the SIREN (the fake company directory).
mod directory;
mod drafts;
// What the e-invoicing platforms said, in an invoice's history.
mod einvoice;
mod harness;
// Clients imported from a CSV file, previewed first.
mod import;
// The September 2027 legal data typed in the app.
mod legal;
// The window worked with the keyboard alone.
mod keyboard;
mod list;
mod payments;
// Quotes: issued from the editor, accepted by hand, invoiced.
mod quotes;
// Mail settings, and an overdue invoice reminded over real SMTP.
mod recurring;
mod reminders;
mod screens;
mod send;
// A client's VAT number confirmed with the fake VIES from the client form.
mod vies;
// The private D-Bus + GNOME Keyring session and the real fake-stripe,
// fake-pa and relay binaries, as the CLI's tests have them.
use acquit_testkit::{keyring, servers};

use fantoccini::Locator;
use harness::App;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_window_shows_acquit_and_answers_a_typed_command() {
    let app = App::launch().await;
    let client = &app.client;

    assert_eq!(client.title().await.expect("window title"), "Acquit");
    let heading = app.text("h1").await;
    assert_eq!(heading, "Acquit");

    // The status bar is filled from the typed `appInfo` binding.
    let version = app.text("[data-testid=version]").await;
    assert_eq!(version, env!("CARGO_PKG_VERSION"));

    // The same command, invoked over the IPC the bindings use.
    let info = app.invoke("app_info").await;
    assert_eq!(info["productName"], "Acquit", "app_info answered {info}");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["debugBuild"], cfg!(debug_assertions));
    let log_dir = info["logDir"].as_str().expect("logDir is a string");
    assert!(
        log_dir.starts_with(app.home().to_str().unwrap()),
        "logs go to the app's log dir under the test's own data dir, not {log_dir}"
    );
    assert_eq!(app.text("[data-testid=log-dir]").await, log_dir);
    assert_eq!(
        info["dbPath"],
        app.db().to_str().unwrap(),
        "ACQUIT_DB is the database"
    );
    assert_eq!(info["dbError"], serde_json::Value::Null);

    // The startup was logged to a file in that dir.
    let log = std::fs::read_dir(log_dir)
        .expect("the log dir exists")
        .filter_map(Result::ok)
        .map(|entry| std::fs::read_to_string(entry.path()).unwrap_or_default())
        .collect::<String>();
    assert!(
        log.contains("Acquit started"),
        "log files in {log_dir} hold: {log:?}"
    );

    // French first, English on request.
    app.choose("[data-testid=language]", "fr").await;
    assert_eq!(
        app.text(".tagline").await,
        "Des factures qui se font payer."
    );
    // The database is new, so the company profile comes first.
    assert_eq!(
        app.text("[data-testid=company-form] h2").await,
        "Votre entreprise"
    );
    app.screenshot("main-window-fr").await;
    app.choose("[data-testid=language]", "en").await;
    assert_eq!(app.text(".tagline").await, "Invoices that get paid.");
    assert_eq!(
        client
            .execute("return document.documentElement.lang", vec![])
            .await
            .expect("reading <html lang>"),
        "en"
    );
    app.screenshot("main-window-en").await;

    app.close().await;
}

/// The demo's invoices, listed with their derived status and amounts,
/// searched and filtered in the real window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invoice_list_shows_searches_and_filters_the_books() {
    let app = App::launch_with(|db| {
        let mut store = acquit_store::Store::open(db).expect("creating the database");
        store.fill_demo(acquit_store::today()).expect("demo data");
    })
    .await;
    app.choose("[data-testid=language]", "fr").await;

    // Until the French rows have replaced the first ones read.
    let numbers = app
        .wait_texts("[data-testid=invoice-row] .number", |rows| {
            rows.len() == 9 && rows.iter().any(|n| n.starts_with("Brouillon"))
        })
        .await;
    assert!(
        numbers.iter().any(|n| n.starts_with("AV-")),
        "the credit note is listed: {numbers:?}"
    );
    assert_eq!(
        numbers
            .iter()
            .filter(|n| n.starts_with("Brouillon"))
            .count(),
        2,
        "{numbers:?}"
    );
    let statuses = app.texts("[data-testid=status]").await;
    for expected in [
        "Payée",
        "Partiellement payée",
        "Émise",
        "Annulée",
        "Brouillon",
    ] {
        assert!(
            statuses.iter().any(|s| s == expected),
            "no “{expected}” badge in {statuses:?}"
        );
    }
    // The workshop invoice is partly paid and past its due date (WebDriver
    // reads text as rendered: the marker is set in capitals).
    let late = app.texts("[data-testid=overdue]").await;
    assert_eq!(
        late,
        ["EN RETARD"],
        "exactly one overdue invoice in the demo"
    );
    app.screenshot("invoice-list-fr").await;

    // Search by client name: the deposit and the balance of Agence Lumière.
    let search = app
        .client
        .find(Locator::Css("[data-testid=invoice-search]"))
        .await
        .expect("search box");
    search.send_keys("Lumière").await.expect("typing a search");
    let clients = app
        // Until the last query's rows are read (a row replaced while its
        // text is read reads as empty).
        .wait_texts("[data-testid=invoice-row] [data-testid=client]", |rows| {
            rows.len() == 2 && rows.iter().all(|c| !c.is_empty())
        })
        .await;
    assert!(clients.iter().all(|c| c == "Agence Lumière"), "{clients:?}");
    search.clear().await.expect("clearing the search");

    // Filter by status.
    app.choose("[data-testid=status-filter]", "paid").await;
    let paid = app
        // Until the filtered page has replaced the whole list (a row being
        // re-rendered reads as an empty badge for a moment).
        .wait_texts("[data-testid=status]", |rows| {
            !rows.is_empty() && rows.len() < 9 && rows.iter().all(|s| !s.is_empty())
        })
        .await;
    assert!(paid.iter().all(|s| s == "Payée"), "{paid:?}");
    // Amounts come formatted from Rust: "0,00 €" due on a paid invoice
    // (WebDriver reads the no-break space as a plain one).
    let due = app
        .texts("[data-testid=invoice-row] [data-testid=amount-due]")
        .await;
    assert!(due.iter().all(|d| d == "0,00 €"), "{due:?}");

    app.close().await;
}
