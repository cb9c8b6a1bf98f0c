//! E-invoicing in the real window: what the platforms said about an
//! invoice (sent, accepted, refused by the buyer with a reason) appears in
//! its history, in the UI's language (both languages' sentences are the
//! store's tests'). The books are written through the
//! store, as `acquit einvoice send` and `status` would have.

use fantoccini::Locator;
use std::path::Path;

use crate::harness::App;

/// The demo books, plus: the demo's issued invoice to Agence Lumière sent
/// to the platform, accepted by it, then refused by the buyer.
fn sent_and_refused(db: &Path) {
    let mut store = acquit_store::Store::open(db).expect("creating the database");
    store.fill_demo(acquit_store::today()).expect("demo data");
    let number = store
        .list_page(&acquit_store::ListQuery::default())
        .expect("the list")
        .into_iter()
        .filter_map(|i| i.number.clone().filter(|_| i.client == "Agence Lumière"))
        .next()
        .expect("the demo invoices Agence Lumière");
    let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    // The platform's times, as it writes them: just after the send, before
    // the buyer's answer is recorded.
    // (Each step a few milliseconds after the last, as they would be.)
    let now = || {
        std::thread::sleep(std::time::Duration::from_millis(5));
        chrono::Utc::now().to_rfc3339()
    };
    let file = format!("{number}.pdf");
    std::thread::sleep(std::time::Duration::from_millis(5));
    store
        .reserve_einvoice(
            &number,
            acquit_store::FlowKind::Invoice,
            None,
            &number,
            sha,
            &file,
        )
        .expect("reserved");
    store
        .einvoice_submitted(
            &number,
            "flow-e2e-1",
            &now(),
            acquit_store::FlowAck::Pending,
            None,
        )
        .expect("sent");
    store
        .einvoice_acknowledged("flow-e2e-1", acquit_store::FlowAck::Ok, None, &now())
        .expect("accepted");
    std::thread::sleep(std::time::Duration::from_millis(5));
    store
        .record_einvoice_status(&acquit_store::NewStatus {
            number: number.clone(),
            source_flow_id: "lc-e2e-1".into(),
            message_id: "CDAR-e2e-1".into(),
            code: 210,
            label: "Refusée".into(),
            issuer_role: Some("BY".into()),
            reason_code: Some("TX_TVA_ERR".into()),
            reason: Some("Taux de TVA erroné".into()),
            amount: None,
            vat_rate: None,
            issued_at: "20261202100000".into(),
        })
        .expect("refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invoice_history_tells_what_the_platforms_said() {
    let app = App::launch_with(sent_and_refused).await;
    app.choose("[data-testid=language]", "fr").await;
    app.click("[data-testid=nav-invoices]").await;
    app.fill("[data-testid=invoice-search]", "Agence").await;
    app.wait_texts("[data-testid=invoice-row]", |rows| {
        !rows.is_empty() && rows.iter().all(|r| r.contains("Agence"))
    })
    .await;
    let button = app
        .client
        .find(Locator::Css(
            "[data-testid=invoice-row] [data-testid=open-invoice]",
        ))
        .await
        .expect("the invoice's row");
    button.click().await.expect("opening the invoice");
    let history = app
        .wait_texts("[data-testid=timeline-entry]", |entries| {
            entries.iter().any(|e| e.contains("statut 210"))
        })
        .await;
    let all = history.join("\n");
    for said in [
        "e-facture déposée sur la plateforme (flow-e2e-1)",
        "e-facture acceptée par la plateforme",
        "statut 210 « Refusée »",
        "Taux de TVA erroné",
    ] {
        assert!(all.contains(said), "{said} in {history:#?}");
    }
    // The history is below the document's preview: shown as a user
    // scrolling to it would see it.
    app.client
        .execute(
            "document.querySelector('[data-testid=timeline-entry]').scrollIntoView({block: 'center'})",
            vec![],
        )
        .await
        .expect("scrolling to the history");
    app.screenshot("einvoice-timeline-fr").await;
    app.close().await;
}

/// The platform connected in Settings (the secret to a real keychain), an
/// invoice sent from its view, then the platform's checks and the buyer's
/// approval coming back on "Sync now", in French.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_is_connected_in_settings_and_an_invoice_sent_from_its_view() {
    let keyring = crate::keyring::Keyring::start(crate::keyring::Provider::Unlocked);
    let pa = crate::servers::serve_in_background(|listener| {
        fake_pa::serve(listener, fake_pa::Config::default())
    });
    // The demo's Agence Lumière receives through a platform.
    let (code, answer) = crate::servers::post_json(
        &format!("{pa}/_fake/directory"),
        &serde_json::json!({"siren": "443061841", "registered": true}),
    );
    assert!((200..300).contains(&code), "{answer}");
    let app = App::launch_with_env(
        crate::harness::demo,
        &[("DBUS_SESSION_BUS_ADDRESS", keyring.address.clone())],
    )
    .await;
    app.choose("[data-testid=language]", "fr").await;

    app.click("[data-testid=nav-settings]").await;
    app.fill("[data-testid=pa-url]", &pa).await;
    app.fill("[data-testid=pa-client-id]", "acquit").await;
    app.fill("[data-testid=pa-secret]", "not-the-secret").await;
    app.click("[data-testid=pa-connect]").await;
    let refused = app.text("[data-testid=pa-error]").await;
    assert!(
        refused.starts_with("La plateforme a refusé les identifiants"),
        "{refused}"
    );
    assert!(!app.exists("[data-testid=pa-current]").await);
    app.fill("[data-testid=pa-secret]", "fake-pa-secret").await;
    app.click("[data-testid=pa-connect]").await;
    app.find("[data-testid=pa-done]").await;
    assert_eq!(
        keyring.lookup("pa-client-secret:acquit").as_deref(),
        Some("fake-pa-secret")
    );
    let found = app.axe().await;
    assert!(!found.iter().any(|v| v.blocks()), "axe-core: {found:?}");

    app.click("[data-testid=nav-invoices]").await;
    let number = crate::send::open_row(&app, "Agence Lumière", "Émise").await;
    let summary = app.text("[data-testid=einvoice-summary]").await;
    assert_eq!(summary, "Pas encore envoyée");
    app.click("[data-testid=send-einvoice]").await;
    app.wait_texts("[data-testid=einvoice-summary]", |t| {
        t.first()
            .is_some_and(|t| t == "Déposée, en cours de contrôle")
    })
    .await;
    assert!(
        !app.exists("[data-testid=send-einvoice]").await,
        "sent once"
    );

    // The platform's checks pass; the buyer approves; "Sync now".
    for (path, body) in [
        (
            "/_fake/process",
            serde_json::json!({"trackingId": number, "status": "Ok"}),
        ),
        (
            "/_fake/lifecycle",
            serde_json::json!({"trackingId": number, "status": "205"}),
        ),
    ] {
        let (code, answer) = crate::servers::post_json(&format!("{pa}{path}"), &body);
        assert!((200..300).contains(&code), "{path}: {answer}");
    }
    app.click("[data-testid=sync-now]").await;
    let statuses = app
        .wait_texts("[data-testid=einvoice-status]", |t| !t.is_empty())
        .await;
    assert!(statuses[0].contains("(205)"), "{statuses:?}");
    // A platform alone is a sync: the status bar says when it was asked.
    let last = app
        .wait_texts("[data-testid=last-sync]", |t| {
            t.iter().all(|s| s != "jamais")
        })
        .await;
    assert!(!last[0].is_empty(), "{last:?}");
    app.screenshot("einvoice-sent-approved-fr").await;
    app.close().await;
}

/// The demo books with the platform already connected (its secret from
/// ACQUIT_PA_SECRET, as scripts give it), and a supplier's Factur-X
/// waiting on the platform: another set of demo books' invoice.
fn with_a_supplier_invoice_waiting(db: &Path, pa: &str) {
    let mut store = acquit_store::Store::open(db).expect("creating the database");
    store.fill_demo(acquit_store::today()).expect("demo data");
    let secret = acquit_secrets::Secret::new("fake-pa-secret");
    let (connection, _) =
        acquit_documents::einvoice::client_for(pa, "acquit", None, secret.clone())
            .expect("a client");
    acquit_documents::einvoice::record_connection(&mut store, &connection, &secret, None)
        .expect("the connection");

    let supplier_dir = tempfile::tempdir().expect("temp dir");
    let mut supplier =
        acquit_store::Store::open(supplier_dir.path().join("supplier.db")).expect("books");
    supplier
        .fill_demo(acquit_store::today())
        .expect("demo data");
    let number = supplier
        .list_page(&acquit_store::ListQuery::default())
        .expect("the list")
        .into_iter()
        .filter_map(|i| i.number.clone().filter(|_| i.client == "Agence Lumière"))
        .next()
        .expect("an issued invoice");
    let pdf = acquit_documents::render_pdf(
        &supplier,
        &number,
        None,
        acquit_documents::Rendering::AsIssued,
    )
    .expect("its Factur-X")
    .bytes;
    use base64::Engine as _;
    let (code, answer) = crate::servers::post_json(
        &format!("{pa}/_fake/incoming"),
        &serde_json::json!({
            "name": format!("{number}.pdf"),
            "file": base64::engine::general_purpose::STANDARD.encode(pdf),
        }),
    );
    assert_eq!(code, 201, "{answer}");
}

/// "Reçues": a supplier's invoice the platform handed over is listed by
/// the background sync, and approved from the window, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplier_s_invoice_is_received_and_approved_from_the_window() {
    let pa = crate::servers::serve_in_background(|listener| {
        fake_pa::serve(listener, fake_pa::Config::default())
    });
    let base = pa.clone();
    let app = App::launch_with_env(
        move |db| with_a_supplier_invoice_waiting(db, &base),
        &[("ACQUIT_PA_SECRET", "fake-pa-secret".into())],
    )
    .await;
    app.choose("[data-testid=language]", "fr").await;
    app.click("[data-testid=nav-received]").await;
    let rows = app
        .wait_texts("[data-testid=received-row]", |rows| rows.len() == 1)
        .await;
    // The supplier (the other books' company), its number, its total.
    let row = crate::harness::plain(&rows[0]);
    assert!(
        row.contains("Camille Roux") && row.contains("F-2026-") && row.contains(" €"),
        "{row}"
    );
    let found = app.axe().await;
    assert!(!found.iter().any(|v| v.blocks()), "axe-core: {found:?}");
    app.click("[data-testid=received-approve]").await;
    let answer = app.text("[data-testid=received-answer]").await;
    assert_eq!(answer, "Approuvée");
    assert!(
        !app.exists("[data-testid=received-approve]").await,
        "answered once"
    );
    // Saved where the dialog says, byte for byte as the platform handed it
    // over, under the platform's own name (a PDF's).
    app.click("[data-testid=received-save]").await;
    let saved = app.text("[data-testid=received-saved]").await;
    let store = acquit_store::Store::open(app.db()).expect("the books");
    let received = store.received().expect("the received invoices");
    let (name, bytes) = store
        .received_file(received[0].id)
        .expect("read")
        .expect("its file");
    let path = app.saved_dir().join(&name);
    assert!(
        name.ends_with(".pdf") && saved.ends_with(&path.display().to_string()),
        "{saved} / {name}"
    );
    assert!(std::fs::read(&path).expect("the saved file") == bytes);
    app.screenshot("received-approved-fr").await;
    app.close().await;
}
