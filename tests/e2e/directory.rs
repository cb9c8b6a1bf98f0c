//! The first run filled from the company's SIREN: the app asks the fake of
//! the public company directory (`fake-entreprises`, served in this
//! process, `ACQUIT_DIRECTORY_URL`), fills name, legal form, SIREN, VAT
//! number and head office, and says when it cannot (an unknown number).

use crate::harness::App;

/// The fake directory, for the whole test.
fn fake_directory() -> String {
    crate::servers::serve_in_background(|listener| {
        fake_entreprises::serve(listener, fake_entreprises::Config::default())
    })
}

async fn value(app: &App, css: &str) -> String {
    app.find(css)
        .await
        .prop("value")
        .await
        .expect("an input's value")
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_run_is_filled_from_the_siren() {
    let directory = fake_directory();
    let app = App::launch_with_env(|_| {}, &[("ACQUIT_DIRECTORY_URL", directory)]).await;
    app.choose("[data-testid=language]", "fr").await;

    // A number the directory does not know: said, nothing filled.
    app.fill("[data-testid=directory-number]", "123 456 782")
        .await;
    app.click("[data-testid=directory-lookup]").await;
    let unknown = app.text("[data-testid=directory-error]").await;
    assert!(unknown.contains("ne connaît pas ce numéro"), "{unknown}");
    assert_eq!(value(&app, "[data-testid=company-legalName]").await, "");

    app.fill("[data-testid=directory-number]", "552 100 554")
        .await;
    app.click("[data-testid=directory-lookup]").await;
    let note = app.text("[data-testid=directory-note]").await;
    assert!(note.starts_with("Rempli depuis l’annuaire"), "{note}");
    assert_eq!(
        value(&app, "[data-testid=company-legalName]").await,
        "STUDIO PART-DIEU"
    );
    assert_eq!(
        value(&app, "[data-testid=company-siren]").await,
        "552 100 554"
    );
    assert_eq!(
        value(&app, "[data-testid=company-vatNumber]").await,
        "FR96552100554"
    );
    assert_eq!(value(&app, "[data-testid=company-legalForm]").await, "sas");
    assert_eq!(
        value(&app, "[data-testid=company-addressPostcode]").await,
        "69003"
    );
    app.screenshot("first-run-from-siren-fr").await;
    let found = app.axe().await;
    assert!(!found.iter().any(|v| v.blocks()), "axe-core: {found:?}");
    app.close().await;
}

/// A client filled from the SIREN typed in its form: name, VAT number and
/// address from the directory, saved as any client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_is_filled_from_its_siren() {
    let directory = fake_directory();
    let app =
        App::launch_with_env(crate::harness::demo, &[("ACQUIT_DIRECTORY_URL", directory)]).await;
    app.choose("[data-testid=language]", "fr").await;
    app.click("[data-testid=nav-clients]").await;
    app.click("[data-testid=new-client]").await;
    app.fill("[data-testid=client-siren]", "552100554").await;
    app.click("[data-testid=client-directory-lookup]").await;
    let note = app.text("[data-testid=client-directory-note]").await;
    assert!(note.starts_with("Rempli depuis l’annuaire"), "{note}");
    assert_eq!(
        value(&app, "[data-testid=client-name]").await,
        "STUDIO PART-DIEU"
    );
    assert_eq!(
        value(&app, "[data-testid=client-vatNumber]").await,
        "FR96552100554"
    );
    assert_eq!(
        value(&app, "[data-testid=client-addressPostcode]").await,
        "69003"
    );
    let found = app.axe().await;
    assert!(!found.iter().any(|v| v.blocks()), "axe-core: {found:?}");
    app.screenshot("client-from-siren-fr").await;
    app.click("[data-testid=save-client]").await;
    app.wait_texts("[data-testid=client-row]", |rows| {
        rows.iter().any(|r| r.contains("STUDIO PART-DIEU"))
    })
    .await;
    app.close().await;
}
