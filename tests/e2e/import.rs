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
    assert!(
        rows[2].contains("Garage Dupuis") && rows[2].contains("Erreur · email \"pas-un-email\""),
        "{rows:?}"
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
