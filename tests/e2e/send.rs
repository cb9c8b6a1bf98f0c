//! "Send" on the invoice screen: the buttons say why they are disabled, and
//! "Email" opens the mail client with the invoice's number and amount (a
//! debug build logs what it would open to `ACQUIT_E2E_OPEN_LOG`).

use crate::harness::demo;
use crate::harness::{App, plain};

/// Undoes RFC 3986 percent-encoding (UTF-8).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8 once decoded")
}

/// Opens the list row of `client` whose badge reads `status`.
pub(crate) async fn open_row(app: &App, client: &str, status: &str) -> String {
    // Searched first: the list only renders the rows in view. Read and
    // clicked through the DOM, which does not depend on the list's layout.
    app.fill("[data-testid=invoice-search]", client).await;
    let script = "const [client, status] = arguments;
        for (const row of document.querySelectorAll('[data-testid=invoice-row]')) {
          const cell = row.querySelector('td:nth-child(2)');
          const badge = row.querySelector('[data-testid=status]');
          if (cell?.textContent.trim() === client && badge?.textContent.trim() === status) {
            const open = row.querySelector('[data-testid=open-invoice]');
            open.click();
            return open.textContent.trim();
          }
        }
        return null;";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let found = app
            .client
            .execute(script, vec![client.into(), status.into()])
            .await
            .expect("looking for the row");
        if let Some(number) = found.as_str() {
            return number.to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no row of {client} with status {status}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_buttons_say_why_they_are_disabled_and_email_carries_number_and_amount() {
    let logs = tempfile::tempdir().expect("temp dir");
    let log = logs.path().join("opened.jsonl");
    let app =
        App::launch_with_env(demo, &[("ACQUIT_E2E_OPEN_LOG", log.display().to_string())]).await;
    app.choose("[data-testid=language]", "fr").await;

    // Agence Lumière has an email and no phone.
    let number = open_row(&app, "Agence Lumière", "Émise").await;
    assert_eq!(app.text("[data-testid=doc-number]").await, number);
    assert_eq!(
        plain(&app.text("[data-testid=send-whatsapp-reason]").await),
        "Ce client n’a pas de téléphone : ajoutez-le dans Clients"
    );
    let whatsapp = app.find("[data-testid=send-whatsapp]").await;
    assert!(
        !whatsapp.is_enabled().await.expect("reading disabled"),
        "WhatsApp is disabled without a phone"
    );
    let email = app.find("[data-testid=send-email]").await;
    assert!(
        email.is_enabled().await.expect("reading disabled"),
        "Email is enabled: the client has an email"
    );
    assert!(!app.exists("[data-testid=send-email-reason]").await);
    assert!(
        app.text("[data-testid=send-subject]")
            .await
            .contains(&number)
    );

    let amount = plain(&app.text("[data-testid=amount-due]").await);
    app.click("[data-testid=send-email]").await;
    let saved = app.text("[data-testid=send-saved]").await;
    let pdf = std::path::PathBuf::from(
        saved
            .rsplit_once(' ')
            .map(|(_, p)| p.trim())
            .expect("a path in the message"),
    );
    assert!(
        pdf.ends_with(format!("{number}.pdf")) && pdf.starts_with(app.home()),
        "the PDF goes to the app's cache dir: {saved}"
    );
    assert!(
        std::fs::read(&pdf)
            .expect("the saved PDF")
            .starts_with(b"%PDF"),
        "{}",
        pdf.display()
    );

    let opened = std::fs::read_to_string(&log).expect("the open log");
    let launches: Vec<serde_json::Value> = opened
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON line per launch"))
        .collect();
    let mail = launches
        .iter()
        .find(|l| {
            l["program"] == "xdg-email"
                || l["args"][0]
                    .as_str()
                    .is_some_and(|a| a.starts_with("mailto:"))
        })
        .unwrap_or_else(|| panic!("no mail client launched: {opened}"));
    let args = plain(&percent_decode(&mail["args"].to_string()));
    assert!(args.contains(&number), "{args}");
    assert!(args.contains(&amount), "{amount} in {args}");
    assert!(
        args.contains("compta@agence-lumiere.example"),
        "addressed to the client: {args}"
    );
    if mail["program"] == "xdg-email" {
        assert!(args.contains("--attach"), "{args}");
    } else {
        assert!(
            opened.contains(pdf.parent().unwrap().to_str().unwrap()),
            "the PDF's folder is revealed: {opened}"
        );
    }
    app.screenshot("send-fr").await;

    // The templates in Settings: the defaults, edited, then reset.
    app.click("[data-testid=nav-settings]").await;
    let subject = app.find("[data-testid=template-email-subject-fr]").await;
    assert_eq!(
        subject.prop("value").await.expect("value").as_deref(),
        Some("Facture {number}")
    );
    let reset = "[data-testid=template-email-subject-fr-reset]";
    assert!(!app.find(reset).await.is_enabled().await.unwrap());
    app.fill(
        "[data-testid=template-email-subject-fr]",
        "Votre facture {number}",
    )
    .await;
    // `change` fires when the field loses focus.
    app.click("[data-testid=template-email-body-fr]").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !app.find(reset).await.is_enabled().await.unwrap() {
        assert!(
            std::time::Instant::now() < deadline,
            "the template was not saved"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let store = acquit_store::Store::open(app.db()).expect("reading the database");
    assert_eq!(
        store
            .setting("send.template.email.subject.fr")
            .unwrap()
            .as_deref(),
        Some("Votre facture {number}")
    );
    app.screenshot("send-templates-fr").await;

    app.close().await;
}

/// The launches the app logged instead of running them.
fn launches(log: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON line per launch"))
        .collect()
}

/// "Send a receipt" appears once a payment is recorded, and builds the
/// email (to the client, the receipt's subject and thanks) and the wa.me
/// link (the client's number, the same thanks, what is still due).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_is_offered_after_a_recorded_payment_by_email_and_whatsapp() {
    let logs = tempfile::tempdir().expect("temp dir");
    let log = logs.path().join("opened.jsonl");
    let app =
        App::launch_with_env(demo, &[("ACQUIT_E2E_OPEN_LOG", log.display().to_string())]).await;
    app.choose("[data-testid=language]", "fr").await;

    // Thames Digital: English, with an email and a phone; nothing paid yet.
    let number = open_row(&app, "Thames Digital Ltd", "Émise").await;
    assert_eq!(app.text("[data-testid=doc-number]").await, number);
    app.find("[data-testid=send-subject]").await;
    assert!(
        !app.exists("[data-testid=receipt]").await,
        "no receipt before any payment"
    );

    app.choose("[data-testid=payment-method]", "transfer").await;
    app.fill("[data-testid=payment-amount]", "100").await;
    app.fill("[data-testid=payment-reference]", "TR-77").await;
    app.click("[data-testid=record]").await;
    let subject = app.text("[data-testid=receipt-subject]").await;
    assert_eq!(subject, format!("Payment receipt – invoice {number}"));
    app.client
        .execute(
            "document.querySelector('[data-testid=receipt]').scrollIntoView({block: 'center'})",
            vec![],
        )
        .await
        .expect("scrolling to the receipt");
    app.screenshot("send-receipt").await;

    app.click("[data-testid=receipt-email]").await;
    app.text("[data-testid=send-saved]").await;
    let mail = launches(&log)
        .into_iter()
        .find(|l| {
            l["program"] == "xdg-email"
                || l["args"][0]
                    .as_str()
                    .is_some_and(|a| a.starts_with("mailto:"))
        })
        .expect("the mail client was opened");
    let args = plain(&percent_decode(&mail["args"].to_string()));
    assert!(
        args.contains("accounts@thames-digital.example"),
        "to the client: {args}"
    );
    assert!(
        args.contains(&format!("Payment receipt – invoice {number}")),
        "{args}"
    );
    assert!(
        args.contains("We have received your payment of €100.00"),
        "{args}"
    );
    assert!(args.contains("Amount still due:"), "{args}");
    if mail["program"] == "xdg-email" {
        assert!(args.contains("--attach"), "the PDF attached: {args}");
    }

    app.click("[data-testid=receipt-whatsapp]").await;
    app.text("[data-testid=send-opened]").await;
    let wa = launches(&log)
        .into_iter()
        .filter_map(|l| l["args"][0].as_str().map(str::to_owned))
        .find(|a| a.starts_with("https://wa.me/"))
        .expect("wa.me was opened");
    let (to, text) = wa.split_once("?text=").expect("a text");
    assert_eq!(to, "https://wa.me/447700900123");
    let text = plain(&percent_decode(text));
    assert!(
        text.starts_with("Hello, we have received your payment of €100.00"),
        "{text}"
    );
    assert!(
        text.contains(&number) && text.contains("Amount still due:"),
        "{text}"
    );
    app.close().await;
}
