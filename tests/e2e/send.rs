//! "Send" on the invoice screen: the buttons say why they are disabled, and
//! "Email" opens the mail client with the invoice's number and amount (a
//! debug build logs what it would open to `ACQUIT_E2E_OPEN_LOG`).

use fantoccini::Locator;

use crate::harness::App;

fn demo(db: &std::path::Path) {
    let mut store = acquit_store::Store::open(db).expect("creating the database");
    store.fill_demo(acquit_store::today()).expect("demo data");
}

fn plain(text: &str) -> String {
    text.replace(['\u{202f}', '\u{a0}'], " ")
}

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
async fn open_row(app: &App, client: &str, status: &str) -> String {
    app.wait_texts("[data-testid=invoice-row]", |rows| rows.len() == 9)
        .await;
    for row in app
        .client
        .find_all(Locator::Css("[data-testid=invoice-row]"))
        .await
        .expect("rows")
    {
        let cell = row.find(Locator::Css("td:nth-child(2)")).await.unwrap();
        let badge = row
            .find(Locator::Css("[data-testid=status]"))
            .await
            .unwrap();
        if cell.text().await.unwrap() == client && badge.text().await.unwrap() == status {
            let number = row
                .find(Locator::Css("[data-testid=open-invoice]"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            cell.click().await.expect("clicking the row");
            return number;
        }
    }
    panic!("no row of {client} with status {status}");
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
