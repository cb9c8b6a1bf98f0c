//! A client's VAT number confirmed with VIES from the client form: the app
//! asks the fake VIES (served in this process, `ACQUIT_VIES_URL`) after
//! saving, shows the answer next to the number, keeps it on the client's
//! profile, and shows it again when the form opens.

use crate::harness::App;
use crate::harness::demo;

/// The demo books: the seller's own VAT number (FR44732829320) is the
/// requester VIES gives a consultation number to.
/// The fake VIES on its own thread for the whole test.
fn fake_vies() -> String {
    crate::servers::serve_in_background(|listener| {
        fake_vies::serve(listener, fake_vies::Config::default())
    })
}

/// Types a reverse-charge client with `vat` into the open form and saves it.
async fn save_client(app: &App, name: &str, vat: &str) {
    app.click("[data-testid=new-client]").await;
    app.fill("[data-testid=client-name]", name).await;
    app.fill("[data-testid=client-vatNumber]", vat).await;
    app.choose("[data-testid=client-vatExemption]", "reverse-charge")
        .await;
    app.click("[data-testid=save-client]").await;
}

/// Scrolls the form's top into view (saving scrolled to its button) and
/// takes a screenshot.
async fn screenshot(app: &App, name: &str) {
    app.client
        .execute(
            "document.querySelector('[data-testid=client-form]').scrollIntoView()",
            vec![],
        )
        .await
        .expect("scrolling to the form");
    app.screenshot(name).await;
}

/// The VIES status next to the number once it is in `state`.
async fn vies_status(app: &App, state: &str) -> String {
    let css = format!("[data-testid=client-vies][data-state={state}]");
    app.wait_texts(&css, |t| t.len() == 1).await.remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_eu_client_is_confirmed_with_vies_and_an_unknown_number_is_not_registered() {
    let vies = fake_vies();
    let app = App::launch_with_env(demo, &[("ACQUIT_VIES_URL", vies)]).await;
    app.choose("[data-testid=language]", "fr").await;
    app.click("[data-testid=nav-clients]").await;

    save_client(&app, "Kunde GmbH", "DE 136 695 976").await;
    app.find("[data-testid=client-saved]").await;
    let status = vies_status(&app, "confirmed").await;
    let today = acquit_store::today();
    assert!(
        status.contains(&format!(
            "Confirmé par VIES le {}",
            today.format("%d/%m/%Y")
        )),
        "{status}"
    );
    assert!(status.contains("N° de consultation WAPI"), "{status}");
    assert!(status.contains("Vérifier à nouveau"), "{status}");
    screenshot(&app, "client-vies-confirmed-fr").await;

    // The answer is on the client's profile, as `acquit client check-vat` keeps it.
    let store = acquit_store::Store::open(app.db()).expect("reading the database");
    let (_, client) = store
        .clients()
        .unwrap()
        .into_iter()
        .find(|(_, c)| c.name == "Kunde GmbH")
        .expect("saved");
    let check = client.current_vat_check().expect("checked").clone();
    assert!(check.valid);
    assert_eq!(check.checked_on, today);
    let consultation = check.consultation.expect("a consultation number");
    assert!(status.contains(&consultation), "{status}");
    drop(store);

    // A number VIES does not know: saved all the same, with a warning.
    app.click("[data-testid=close-client]").await;
    app.wait_gone("[data-testid=client-form]").await;
    save_client(&app, "Wiener Werkstatt", "ATU13585627").await;
    let status = vies_status(&app, "notRegistered").await;
    assert!(status.contains("Inconnu de VIES le"), "{status}");
    screenshot(&app, "client-vies-not-registered-fr").await;
    // Asked again on demand: the same answer.
    app.click("[data-testid=client-vies-check]").await;
    vies_status(&app, "notRegistered").await;
    app.click("[data-testid=close-client]").await;
    app.wait_texts("[data-testid=client-row] .name", |names| {
        names.iter().any(|n| n == "Wiener Werkstatt")
    })
    .await;

    // The form of a checked client opens with VIES's stored answer, in English too.
    app.choose("[data-testid=language]", "en").await;
    let names = app
        .wait_texts("[data-testid=client-row] .name", |names| {
            names.iter().any(|n| n == "Kunde GmbH")
        })
        .await;
    let row = names.iter().position(|n| n == "Kunde GmbH").unwrap() + 1;
    app.click(&format!(
        "[data-testid=client-row]:nth-child({row}) [data-testid=edit-client]"
    ))
    .await;
    let status = vies_status(&app, "confirmed").await;
    assert!(
        status.contains(&format!("consultation number {consultation}")),
        "{status}"
    );
    assert!(status.contains("Check again"), "{status}");
    screenshot(&app, "client-vies-stored-en").await;
    app.close().await;
}
