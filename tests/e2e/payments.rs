//! Getting paid, in the real window: Stripe connected from the Settings
//! screen (the key in a real keychain on a private D-Bus), a payment link
//! created in the invoice view and paid on the fake Stripe, the sync
//! turning the invoice PAID; and a payment recorded by hand, then reversed.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::harness::demo;
use crate::harness::{App, artifacts_dir, plain};
use crate::keyring::{Keyring, Provider};
use crate::servers::{FakeStripe, Relay};

/// A test key the fake accepts (never a real one).
const KEY: &str = "sk_test_51E2eTestKeyForTheFakeOnly4242";

/// Pays `stripe_url` by card, as a client on the hosted page would; the
/// fake's answer.
fn pay(fake: &FakeStripe, stripe_url: &str) -> String {
    let body = serde_json::json!({"url": stripe_url, "method": "card", "card": "4242424242424242"});
    fake.control("/_fake/pay", body).1.to_string()
}

/// The Stripe URL of the first payment link of `number`, read from the
/// books (where the link the user sends may be the relay's page).
fn link_stripe_url(app: &App, number: &str) -> String {
    let store = acquit_store::Store::open(app.db()).unwrap();
    store.links(number).unwrap()[0]
        .url
        .clone()
        .expect("Stripe's URL")
}

/// Opens the first issued, unpaid invoice of the list; returns its number.
async fn open_issued(app: &App) -> String {
    app.wait_texts("[data-testid=invoice-row]", |rows| rows.len() == 9)
        .await;
    for row in app
        .client
        .find_all(Locator::Css("[data-testid=invoice-row]"))
        .await
        .expect("rows")
    {
        let badge = row
            .find(Locator::Css("[data-testid=status]"))
            .await
            .expect("status badge");
        if badge.text().await.unwrap() == "Émise" {
            let button = row
                .find(Locator::Css("[data-testid=open-invoice]"))
                .await
                .expect("row button");
            let number = button.text().await.unwrap();
            button.click().await.expect("opening the invoice");
            return number;
        }
    }
    panic!("no issued invoice in the demo list");
}

async fn wait_status(app: &App, status: &str, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let now = app
            .client
            .find(Locator::Css("[data-testid=doc-status]"))
            .await
            .ok();
        let text = match now {
            Some(e) => e.text().await.unwrap_or_default(),
            None => String::new(),
        };
        if text == status {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the invoice never showed “{status}” (last: “{text}”)"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-raw"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext is missing: sudo apt-get install poppler-utils");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Connect Stripe in Settings → create a link in the invoice view → the
/// client pays on the fake → "Sync now" → PAID in the view and in the PDF.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stripe_connected_in_settings_a_link_paid_turns_the_invoice_paid() {
    let keyring = Keyring::start(Provider::Unlocked);
    let servers = tempfile::tempdir().unwrap();
    let fake = FakeStripe::start(servers.path(), &[]);
    let app = App::launch_with_env(
        demo,
        &[
            ("DBUS_SESSION_BUS_ADDRESS", keyring.address.clone()),
            ("ACQUIT_STRIPE_API_BASE", fake.base.clone()),
        ],
    )
    .await;
    app.choose("[data-testid=language]", "fr").await;
    assert!(!app.exists("[data-testid=test-mode]").await);

    // Settings: the key in a password field, checked with the fake Stripe.
    app.click("[data-testid=nav-settings]").await;
    assert_eq!(
        app.find("[data-testid=stripe-key]")
            .await
            .attr("type")
            .await
            .unwrap()
            .as_deref(),
        Some("password")
    );
    app.fill("[data-testid=stripe-key]", KEY).await;
    app.click("[data-testid=stripe-connect]").await;
    let hint = app.text("[data-testid=stripe-key-hint]").await;
    assert_eq!(hint, "sk_test_…4242", "only the mask is shown");
    assert!(
        app.exists("[data-testid=test-mode]").await,
        "test-mode banner"
    );
    let page = app.client.source().await.expect("the page's source");
    assert!(!page.contains(KEY), "the key never reaches the UI");
    // In the real keychain (read with libsecret's own tool).
    let info = app.invoke("stripe_status").await;
    let account = info["accountId"]
        .as_str()
        .expect("an account id")
        .to_owned();
    assert_eq!(
        keyring
            .lookup(&acquit_sync::config::stripe_key_user(&account))
            .as_deref(),
        Some(KEY)
    );
    app.screenshot("payments-1-stripe-connected").await;

    // The invoice view: create a lasting link for what remains due.
    app.click("[data-testid=nav-invoices]").await;
    let number = open_issued(&app).await;
    wait_status(&app, "Émise", Duration::from_secs(10)).await;
    app.click("[data-testid=create-link]").await;
    let status = app
        .text("[data-testid=link-row] [data-testid=link-status]")
        .await;
    assert_eq!(status, "Ouvert");
    assert!(
        app.exists("[data-testid=link-qr] svg").await,
        "the QR code is shown"
    );
    let url = app.text("[data-testid=link-url]").await;
    assert!(url.starts_with(&fake.base), "{url}");
    app.screenshot("payments-2-link-created").await;

    // The client pays on Stripe's page (the fake's test control).
    let stripe_url = link_stripe_url(&app, &number);
    let answer = pay(&fake, &stripe_url);
    assert!(
        !answer.contains("\"error\""),
        "the fake refused to pay: {answer}"
    );

    // "Sync now": Stripe's events are listed, the payment applied.
    app.click("[data-testid=sync-now]").await;
    wait_status(&app, "Payée", Duration::from_secs(20)).await;
    // … and a screen reader hears that the sync it asked for is done.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let said = app
            .client
            .execute(
                "return document.querySelector('[data-testid=sync-announce]').textContent",
                vec![],
            )
            .await
            .expect("the live region");
        if said.as_str() == Some("Synchronisation faite.") {
            break;
        }
        assert!(Instant::now() < deadline, "the live region says {said}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The preview (the PDF's pages, in the client's language: Thames
    // Digital reads English) is drawn again, stamped.
    let preview = app.wait_preview(|t| t.contains("\nPAID\n")).await;
    assert!(preview.contains("Card (Stripe)"), "{preview}");
    let toast = app.text("[data-testid=toast] span").await;
    assert_eq!(toast, format!("{number} payée"));
    assert_eq!(plain(&app.text("[data-testid=amount-due]").await), "0,00 €");
    assert_ne!(app.text("[data-testid=last-sync]").await, "jamais");
    app.screenshot("payments-3-paid-links").await;
    app.client
        .execute(
            "document.querySelector('[data-testid=preview-page] g').scrollIntoView({block: 'center'})",
            vec![],
        )
        .await
        .expect("scrolling to the stamp");
    app.screenshot("payments-3-paid-stamp").await;

    // The PDF has the stamp.
    app.click("[data-testid=export-pdf]").await;
    app.text("[data-testid=exported]").await;
    let pdf = app.saved_dir().join(format!("{number}.pdf"));
    let text = pdf_text(&pdf);
    // The demo's first issued invoice is in English: its PDF says PAID.
    assert!(text.contains("PAID") || text.contains("PAYÉE"), "{text}");
    assert!(
        text.contains("Card (Stripe)") || text.contains("Carte (Stripe)"),
        "{text}"
    );
    let _ = std::fs::copy(&pdf, artifacts_dir().join("payments-paid.pdf"));

    app.close().await;
}

/// "Record a payment" for a transfer settles the invoice; reversing it
/// reopens it; a bad amount is refused with a message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_recorded_by_hand_pays_the_invoice_and_can_be_reversed() {
    let app = App::launch_with(demo).await;
    app.choose("[data-testid=language]", "fr").await;
    // The home's numbers come from Rust: the demo has one overdue invoice
    // (asked again in French once the language changed).
    let due_before = plain(
        &app.wait_texts("[data-testid=dash-due]", |t| {
            t.first().is_some_and(|t| plain(t).ends_with(" €"))
        })
        .await[0],
    );
    assert!(
        due_before.ends_with(" €") && due_before != "0,00 €",
        "{due_before}"
    );
    assert_ne!(
        plain(&app.text("[data-testid=dash-overdue]").await),
        "0,00 €"
    );
    app.screenshot("payments-0-home-dashboard").await;
    let number = open_issued(&app).await;
    wait_status(&app, "Émise", Duration::from_secs(10)).await;
    assert!(app.exists("[data-testid=stripe-needed]").await);

    app.fill("[data-testid=payment-amount]", "douze").await;
    app.click("[data-testid=record]").await;
    let error = app.text("[data-testid=payment-error]").await;
    assert!(!error.is_empty());

    // More than is due: refused by the store, said in French.
    app.fill("[data-testid=payment-amount]", "999999").await;
    app.click("[data-testid=record]").await;
    let error = app
        .wait_texts("[data-testid=payment-error]", |t| {
            t.first().is_some_and(|e| e.contains("999"))
        })
        .await;
    assert!(
        error[0].contains("encore dus sur") && error[0].contains("enregistrez au plus"),
        "{error:?}"
    );

    let due = plain(&app.text("[data-testid=amount-due]").await);
    app.choose("[data-testid=payment-method]", "transfer").await;
    app.fill(
        "[data-testid=payment-amount]",
        due.trim_end_matches(" €").trim(),
    )
    .await;
    app.fill("[data-testid=payment-reference]", "VIR-0042")
        .await;
    app.click("[data-testid=record]").await;
    wait_status(&app, "Payée", Duration::from_secs(10)).await;
    let rows = app.texts("[data-testid=payment-row]").await;
    assert!(rows.iter().any(|r| r.contains("VIR-0042")), "{rows:?}");
    let history = app.texts("[data-testid=timeline-entry]").await;
    assert!(history.len() >= 2, "{history:?}");
    app.screenshot("payments-4-manual-paid").await;
    app.click("[data-testid=back]").await;
    let due_after = plain(&app.text("[data-testid=dash-due]").await);
    assert_ne!(due_after, due_before, "the home's amount due went down");
    let mut reopened = false;
    for button in app
        .client
        .find_all(Locator::Css("[data-testid=open-invoice]"))
        .await
        .expect("rows")
    {
        if button.text().await.unwrap() == number {
            button.click().await.expect("reopening the invoice");
            reopened = true;
            break;
        }
    }
    assert!(reopened, "{number} is in the list");
    wait_status(&app, "Payée", Duration::from_secs(10)).await;

    app.click("[data-testid=reverse-payment]").await;
    wait_status(&app, "Émise", Duration::from_secs(10)).await;
    app.screenshot("payments-5-reversed").await;
    app.close().await;
}

/// With a relay set up (`acquit relay set`, as `./x run` does), the app's
/// background sync long-polls it: a payment made on the fake reaches the
/// relay by webhook and the open invoice turns PAID with no click; the
/// window being hidden, a native notification says so (seen on a private
/// session bus by `dbus-monitor`, as the desktop's notification service
/// would receive it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_relay_the_background_sync_applies_a_payment_by_itself() {
    let servers = tempfile::tempdir().unwrap();
    let fake = FakeStripe::start(servers.path(), &[]);
    let relay = Relay::start(servers.path());
    // A session bus of the test's own, where monitoring is allowed.
    let bus = Keyring::start(Provider::Nothing);
    let watched = servers.path().join("notifications.log");
    let mut monitor = Command::new("dbus-monitor")
        .args([
            "--address",
            &bus.address,
            "interface='org.freedesktop.Notifications'",
        ])
        .stdout(std::fs::File::create(&watched).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("dbus-monitor is missing: sudo apt-get install dbus-bin");
    let env = [
        ("ACQUIT_STRIPE_KEY", KEY.to_owned()),
        ("ACQUIT_STRIPE_API_BASE", fake.base.clone()),
        ("ACQUIT_RELAY_TOKEN", relay.token.clone()),
        ("DBUS_SESSION_BUS_ADDRESS", bus.address.clone()),
    ];
    let app = App::launch_with_env(demo, &env).await;
    app.choose("[data-testid=language]", "fr").await;
    assert!(
        app.exists("[data-testid=test-mode]").await,
        "test key from ACQUIT_STRIPE_KEY"
    );

    // The one-step relay setup in the settings: checked, registered with
    // Stripe (the fake now posts webhooks to the relay), secret handed over.
    app.click("[data-testid=nav-settings]").await;
    app.fill("[data-testid=relay-url]", &relay.base).await;
    app.fill("[data-testid=relay-inbox]", &relay.inbox).await;
    app.fill("[data-testid=relay-token]", "not-the-token").await;
    app.click("[data-testid=relay-save]").await;
    let refused = app.text("[data-testid=relay-error]").await;
    assert!(refused.contains("refused the token"), "{refused}");
    app.fill("[data-testid=relay-token]", &relay.token).await;
    app.click("[data-testid=relay-save]").await;
    assert_eq!(
        app.text("[data-testid=relay-done]").await,
        "Relais vérifié et déclaré à Stripe : les paiements arriveront tout seuls."
    );
    app.screenshot("payments-6-relay-settings").await;
    app.click("[data-testid=nav-invoices]").await;

    let number = open_issued(&app).await;
    wait_status(&app, "Émise", Duration::from_secs(10)).await;
    app.click("[data-testid=create-link]").await;
    let url = app.text("[data-testid=link-url]").await;
    assert!(
        url.starts_with(&format!("{}/p/", relay.base)),
        "with a relay, the link to send is its stable page: {url}"
    );
    let stripe_url = link_stripe_url(&app, &number);
    // The window hidden, as when the user works elsewhere.
    window(&app, "hide").await;
    let answer = pay(&fake, &stripe_url);
    assert!(
        !answer.contains("\"error\""),
        "the fake refused to pay: {answer}"
    );

    // No click: the long-poll returns with the webhook's event.
    wait_status(&app, "Payée", Duration::from_secs(20)).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let seen = std::fs::read_to_string(&watched).unwrap_or_default();
        if seen.contains("member=Notify") && seen.contains(&format!("{number} payée")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no notification of the payment on the session bus:\n{seen}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    window(&app, "show").await;
    assert_eq!(
        app.text("[data-testid=toast] span").await,
        format!("{number} payée")
    );
    app.screenshot("payments-6-relay-background-paid").await;
    assert!(
        !app.exists("[data-testid=reverse-payment]").await,
        "a Stripe payment is refunded in Stripe, not reversed here"
    );

    // The client's private page: published on the relay, key in the
    // fragment only; revoking makes the relay answer 410.
    app.click("[data-testid=share-invoice]").await;
    let page = app.text("[data-testid=share-url]").await;
    let (address, key) = page.split_once("#k=").expect("the key in the fragment");
    assert!(address.starts_with(&format!("{}/v/", relay.base)), "{page}");
    assert_eq!(key.len(), 43, "a 256-bit key, base64url: {page}");
    let bundle = format!("{address}/bundle");
    assert_eq!(http_status(&bundle), 200);
    app.screenshot("payments-7-shared").await;
    app.click("[data-testid=revoke-share]").await;
    app.wait_gone("[data-testid=share-url]").await;
    assert_eq!(http_status(&bundle), 410);

    // A debit that fails while the window is hidden is said too: the bank
    // refuses fake-stripe's failing IBAN after its SEPA delay.
    app.click("[data-testid=nav-invoices]").await;
    let second = open_issued(&app).await;
    app.click("[data-testid=create-link]").await;
    app.wait_texts("[data-testid=link-url]", |t| !t.is_empty())
        .await;
    let stripe_url = link_stripe_url(&app, &second);
    window(&app, "hide").await;
    let body = serde_json::json!({"url": stripe_url, "method": "sepa_debit", "iban": "AT861904300235473202"});
    let (_, answer) = fake.control("/_fake/pay", body);
    assert!(answer.get("error").is_none(), "the fake refused: {answer}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let seen = std::fs::read_to_string(&watched).unwrap_or_default();
        if seen
            .lines()
            .any(|l| l.contains(&second) && l.contains("le prélèvement a échoué"))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no notification of the failed debit of {second} on the session bus:\n{seen}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = monitor.kill();
    let _ = monitor.wait();
    window(&app, "show").await;
    app.close().await;
}

/// Hides or shows the main window through Tauri's own window commands.
async fn window(app: &App, action: &str) {
    let script = "const done = arguments[arguments.length - 1];
        window.__TAURI_INTERNALS__.invoke('plugin:window|' + arguments[0], { label: 'main' })
          .then(() => done('ok'), (error) => done(String(error)));";
    let answer = app
        .client
        .execute_async(script, vec![action.into()])
        .await
        .unwrap_or_else(|e| panic!("window {action}: {e}"));
    assert_eq!(answer, "ok", "window {action}: {answer}");
}

/// The HTTP status of a GET (curl: independent of the code under test).
fn http_status(url: &str) -> u16 {
    let out = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", url])
        .output()
        .expect("curl is missing: sudo apt-get install curl");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

/// Settings → Updates, offline (as on this machine): the check says it
/// could not reach the update server, and nothing is offered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checking_for_updates_offline_says_so() {
    let app = App::launch_with(demo).await;
    app.choose("[data-testid=language]", "fr").await;
    app.click("[data-testid=nav-settings]").await;
    app.click("[data-testid=update-check]").await;
    let message = app.text("[data-testid=update-error]").await;
    // In the UI's language (the updater's errors are said in French here).
    assert!(
        message.contains("n’a pas pu joindre le serveur de mises à jour"),
        "{message}"
    );
    assert!(!app.exists("[data-testid=update-install]").await);
    app.screenshot("settings-updates-offline").await;
    app.close().await;
}

/// "Record a payment" proposes today on the user's calendar, not UTC's
/// (which is still yesterday in France just after midnight): the app is
/// started in a zone whose day differs from UTC's at this hour.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_payment_form_proposes_the_local_day() {
    use chrono::Timelike as _;
    let now = chrono::Utc::now();
    // POSIX zones name the offset backwards: Etc/GMT-14 is UTC+14.
    let (zone, hours) = if now.hour() >= 12 {
        ("Etc/GMT-14", 14)
    } else {
        ("Etc/GMT+12", -12)
    };
    let local_day = (now + chrono::Duration::hours(hours)).date_naive();
    assert_ne!(
        local_day,
        now.date_naive(),
        "the zone must be on another day"
    );
    let app = App::launch_with_env(demo, &[("TZ", zone.to_owned())]).await;
    app.choose("[data-testid=language]", "fr").await;
    open_issued(&app).await;
    let field = app.find("[data-testid=payment-date]").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut value = String::new();
    while Instant::now() < deadline {
        value = field.prop("value").await.unwrap().unwrap_or_default();
        if !value.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(value, local_day.to_string());
    app.close().await;
}
