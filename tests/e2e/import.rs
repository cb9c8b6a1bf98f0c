//! Clients imported from a CSV file in the real window: the preview marks
//! each row (new, already a client, in error) before anything is written,
//! the import waits until the bad row is fixed or skipped, and the preview
//! passes axe-core.

use crate::harness::{App, demo};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_is_previewed_row_by_row_then_imported_without_its_bad_row() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("clients.csv");
    // Semicolons and Windows-1252 (é = 0xE9), as French Excel saves.
    let mut csv = b"Nom;E-mail;SIREN;Adresse;Code postal;Ville\r\n".to_vec();
    csv.extend_from_slice(
        b"Atelier Nova \xc9ditions;contact@nova.example;;12 rue Part-Dieu;69003;Lyon\r\n",
    );
    csv.extend_from_slice(b"Boulangerie Martin SARL;;;;;\r\n");
    csv.extend_from_slice(b"Garage Dupuis;pas-un-email;;1 rue X;75001;Paris\r\n");
    std::fs::write(&file, csv).expect("the file");

    let app = App::launch_with_env(
        demo,
        &[("ACQUIT_E2E_OPEN_FILE", file.display().to_string())],
    )
    .await;
    app.choose("[data-testid=language]", "fr").await;
    app.click("[data-testid=nav-clients]").await;
    let before = app.texts("[data-testid=client-row]").await.len();
    app.click("[data-testid=import-clients]").await;
    let rows = app
        .wait_texts("[data-testid=import-row]", |r| r.len() == 3)
        .await;
    assert!(
        rows[0].contains("Atelier Nova Éditions") && rows[0].contains("Nouveau"),
        "{rows:?}"
    );
    assert!(
        rows[1].contains("Déjà client · Boulangerie Martin SARL"),
        "{rows:?}"
    );
    // Said in French, the field and what it held first.
    let bad = crate::harness::plain(&rows[2]);
    assert!(
        bad.contains("Garage Dupuis") && bad.contains("Erreur · e-mail « pas-un-email » :"),
        "{rows:?}"
    );
    assert!(!bad.contains("An email"), "{bad}");
    // The mapping, said before anything is written.
    let columns = app.text("[data-testid=import-columns]").await;
    assert!(
        columns.contains("Nom → nom") && columns.contains("Code postal → code postal"),
        "{columns}"
    );
    let summary = app.text("[data-testid=import-summary]").await;
    assert!(
        summary.starts_with("1 nouveau(x) client(s), 1 ligne(s) en erreur"),
        "{summary}"
    );
    let confirm = app.find("[data-testid=import-confirm]").await;
    assert!(
        !confirm.is_enabled().await.unwrap(),
        "nothing imported while a row is bad"
    );
    app.screenshot("import-preview-fr").await;
    let found = app.axe().await;
    assert!(
        !found.iter().any(|v| v.blocks()),
        "axe-core on the import preview: {found:?}"
    );

    app.click("[data-testid=import-skip-bad]").await;
    app.click("[data-testid=import-confirm]").await;
    let done = app.text("[data-testid=import-done]").await;
    assert_eq!(done, "1 client(s) importé(s).");
    let after = app
        .wait_texts("[data-testid=client-row]", |r| r.len() == before + 1)
        .await;
    assert!(
        after.iter().any(|r| r.contains("Atelier Nova Éditions")),
        "{after:?}"
    );
    app.close().await;
}

/// The demo books, plus an invoice issued with the former tool (its own
/// series, the reason kept) for a client the import makes.
fn with_an_invoice_issued_elsewhere(db: &std::path::Path) {
    demo(db);
    let mut store = acquit_store::Store::open(db).expect("the books");
    let file = "Numéro;Date;Client;Taux TVA;Montant HT;TVA;Payée\n\
                ANC-0042;2026-01-15;Studio Ancien;20;400,00;80,00;non\n";
    let parsed = acquit_core::import_invoices::invoices(file.as_bytes()).expect("the file");
    let plan = store
        .plan_invoice_import(parsed, acquit_store::today())
        .expect("the plan");
    assert_eq!(plan.errors(), 0, "{:?}", plan.rows);
    store
        .import_invoices(
            &plan,
            Some("Changement de logiciel"),
            &std::collections::BTreeMap::new(),
        )
        .expect("the import");
}

/// An invoice issued elsewhere, opened: its figures, and a notice instead
/// of a drawing Acquit never made; axe-core finds nothing serious.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_issued_elsewhere_says_so_instead_of_being_redrawn() {
    let app = App::launch_with(with_an_invoice_issued_elsewhere).await;
    app.choose("[data-testid=language]", "fr").await;
    let number = crate::send::open_row(&app, "Studio Ancien", "Émise").await;
    assert_eq!(number, "ANC-0042");
    let notice = app.text("[data-testid=issued-elsewhere]").await;
    assert!(
        notice.starts_with("Émise avec votre outil précédent, avant Acquit"),
        "{notice}"
    );
    assert_eq!(
        crate::harness::plain(&app.text("[data-testid=total-gross]").await),
        "480,00 €"
    );
    assert!(!app.exists("[data-testid=preview-page]").await);
    // Nothing to export or send: the former tool's PDF was not given.
    assert!(!app.exists("[data-testid=export-pdf]").await);
    assert!(!app.exists("[data-testid=share-panel]").await);
    // Its money is still taken: a payment recorded by hand, a link.
    assert!(app.exists("[data-testid=links-panel]").await);
    assert!(!app.exists("[data-testid=preview-error]").await);
    let serious: Vec<_> = app
        .axe()
        .await
        .into_iter()
        .filter(crate::harness::AxeViolation::blocks)
        .collect();
    assert!(serious.is_empty(), "{serious:?}");
    app.screenshot("invoice-issued-elsewhere-fr").await;
    app.close().await;
}
