//! Mail and reminders in the real window: the mail server set in Settings
//! (the login checked against a real SMTP server, the password into a real
//! keychain), the demo's overdue invoice listed on the home screen, its
//! reminder previewed with the penalties and the indemnity, sent by Acquit
//! over SMTP, received as written, and recorded in its history.

use acquit_testkit::{SmtpMode, SmtpServer};

use crate::harness::demo;
use crate::harness::{App, plain};
use crate::keyring::{Keyring, Provider};
use crate::send::open_row;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overdue_invoice_is_reminded_by_mail_from_acquit() {
    let keyring = Keyring::start(Provider::Unlocked);
    let smtp = SmtpServer::start(SmtpMode::Starttls);
    let app = App::launch_with_env(
        demo,
        &[("DBUS_SESSION_BUS_ADDRESS", keyring.address.clone())],
    )
    .await;
    app.choose("[data-testid=language]", "fr").await;

    // The home screen lists what to remind today: the demo's workshop,
    // 15 days late, never reminded: a first reminder.
    let due = app
        .wait_texts("[data-testid=due-reminder]", |rows| {
            rows.iter()
                .any(|r| r.contains("Association Les Jardins Partagés"))
        })
        .await;
    assert!(
        due.iter().any(|r| r.contains("Première relance")),
        "{due:#?}"
    );
    // In the screen's language: French amounts, not "€607.20".
    assert!(
        due.iter()
            .any(|r| crate::harness::plain(r).contains("607,20 €") && !r.contains("€6")),
        "{due:#?}"
    );

    // Settings › E-mail: a wrong password is refused by the server, nothing
    // saved; the right one is checked and kept in the keychain.
    app.click("[data-testid=nav-settings]").await;
    app.fill("[data-testid=mail-host]", "127.0.0.1").await;
    app.fill("[data-testid=mail-port]", &smtp.port.to_string())
        .await;
    app.fill("[data-testid=mail-user]", SmtpServer::USER).await;
    app.fill("[data-testid=mail-from]", "camille@nova.example")
        .await;
    app.fill("[data-testid=mail-caFile]", smtp.ca().to_str().unwrap())
        .await;
    app.fill("[data-testid=mail-password]", "wrong").await;
    app.click("[data-testid=mail-save]").await;
    let error = app.text("[data-testid=mail-error]").await;
    assert!(
        error.contains("refuse l’identifiant ou le mot de passe"),
        "{error}"
    );
    assert!(app.exists("[data-testid=mail-none]").await);
    app.fill("[data-testid=mail-password]", SmtpServer::PASSWORD)
        .await;
    app.click("[data-testid=mail-save]").await;
    let current = app.text("[data-testid=mail-current]").await;
    assert!(
        current.contains(&format!("127.0.0.1:{}", smtp.port)),
        "{current}"
    );
    let page = app.client.source().await.expect("the page's source");
    assert!(
        !page.contains(SmtpServer::PASSWORD),
        "the password never comes back to the UI"
    );
    assert_eq!(
        keyring
            .lookup(&format!("smtp-password:{}@127.0.0.1", SmtpServer::USER))
            .as_deref(),
        Some(SmtpServer::PASSWORD)
    );
    app.client
        .execute(
            "document.querySelector('[data-testid=mail-settings]').scrollIntoView({block: 'start'})",
            vec![],
        )
        .await
        .expect("scrolling to the mail settings");
    app.screenshot("mail-settings-fr").await;

    // The invoice: its reminder, previewed in the client's language.
    app.click("[data-testid=nav-invoices]").await;
    let number = open_row(
        &app,
        "Association Les Jardins Partagés",
        "Partiellement payée",
    )
    .await;
    let step = app.text("[data-testid=reminder-step]").await;
    assert!(step.contains("Première relance"), "{step}");
    let penalties = app.text("[data-testid=reminder-penalties]").await;
    assert!(penalties.ends_with('€'), "{penalties}");
    let subject = app.text("[data-testid=reminder-subject]").await;
    assert!(subject.contains(&number), "{subject}");
    let body = app.text("[data-testid=reminder-body]").await;
    assert!(
        body.contains("pénalités de retard au taux annuel de 10"),
        "{body}"
    );
    app.client
        .execute(
            "document.querySelector('[data-testid=reminder]').scrollIntoView({block: 'center'})",
            vec![],
        )
        .await
        .expect("scrolling to the reminder");
    app.screenshot("reminder-preview-fr").await;

    // Sent by Acquit: received as previewed, then recorded.
    app.click("[data-testid=reminder-email]").await;
    let done = app.text("[data-testid=reminder-done]").await;
    assert!(done.contains("bureau@jardins.example"), "{done}");
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    let mail = &received[0].parsed;
    // (WebDriver reads no-break spaces as spaces.)
    assert_eq!(plain(mail["subject"].as_str().unwrap()), plain(&subject));
    assert_eq!(mail["to"][0]["address"], "bureau@jardins.example");
    assert_eq!(
        mail["attachments"][0]["filename"],
        format!("{number}.pdf").as_str()
    );
    let blocked = app.text("[data-testid=reminder-blocked]").await;
    assert!(blocked.contains("déjà été relancée"), "{blocked}");
    let history = app
        .wait_texts("[data-testid=timeline-entry]", |entries| {
            entries.iter().any(|e| e.contains("relance 15 jours après"))
        })
        .await;
    assert!(
        history
            .iter()
            .any(|e| e.contains("par e-mail (envoyé par Acquit)")),
        "{history:#?}"
    );
    app.close().await;
}
