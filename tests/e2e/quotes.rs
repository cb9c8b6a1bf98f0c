//! Quotes in the real app: a draft written in the editor issued as a
//! quote, accepted by hand on its screen, then invoiced as a 30 % deposit
//! and the balance, which add up to the quote to the cent.

use crate::harness::{App, demo, plain};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quote_is_issued_from_the_editor_accepted_and_invoiced() {
    let app = App::launch_with(demo).await;
    app.choose("[data-testid=language]", "fr").await;
    app.open_demo_draft().await;
    app.click("[data-testid=as-quote] summary").await;
    app.click("[data-testid=as-quote-save]").await;

    // The quote's screen opens on it, its pages drawn by the PDF renderer.
    let year = acquit_store::today().format("%Y").to_string();
    let number = app.text("[data-testid=quote-number]").await;
    assert_eq!(number, format!("D-{year}-0001"));
    assert_eq!(app.text("[data-testid=quote-detail-state]").await, "Émis");
    let pages = app.wait_preview(|t| t.contains("Bon pour accord")).await;
    assert!(pages.contains("DEVIS"), "{pages}");
    assert!(
        !pages.contains("IBAN"),
        "a quote asks for no payment:\n{pages}"
    );
    app.screenshot("quote-issued-fr").await;
    // Its page for the client's phone needs a relay: said so, in French.
    app.click("[data-testid=quote-share-button]").await;
    let no_relay = app.text("[data-testid=quote-error]").await;
    assert!(no_relay.contains("relais"), "{no_relay}");

    // An empty name is refused next to its field; then accepted.
    app.click("[data-testid=quote-accept]").await;
    let refused = app.text("[data-testid=quote-error]").await;
    assert!(refused.contains("nom du client"), "{refused}");
    app.fill("[data-testid=quote-by]", "Léa Martin").await;
    app.click("[data-testid=quote-accept]").await;
    app.wait_texts("[data-testid=quote-detail-state]", |s| {
        s.first().is_some_and(|s| s == "Accepté")
    })
    .await;
    let decision = plain(&app.text("[data-testid=quote-decision]").await);
    assert!(decision.contains("par Léa Martin"), "{decision}");

    // A 30 % deposit: its draft opens in the editor; issued there.
    app.fill("[data-testid=quote-deposit]", "30").await;
    app.click("[data-testid=quote-invoice-deposit]").await;
    app.click("[data-testid=issue]").await;
    app.click("[data-testid=issue-confirm]").await;
    let deposit = app.text("[data-testid=issued-number]").await;

    // Back to the quote: the balance.
    app.click("[data-testid=nav-quotes]").await;
    app.click("[data-testid=quote-row]:first-child [data-testid=quote-open]")
        .await;
    app.wait_texts("[data-testid=quote-invoice]", |s| s.len() == 1)
        .await;
    app.click("[data-testid=quote-invoice-rest]").await;
    app.click("[data-testid=issue]").await;
    app.click("[data-testid=issue-confirm]").await;
    let balance = app.text("[data-testid=issued-number]").await;
    app.click("[data-testid=nav-quotes]").await;
    app.click("[data-testid=quote-row]:first-child [data-testid=quote-open]")
        .await;
    let made = app
        .wait_texts("[data-testid=quote-invoice]", |s| s.len() == 2)
        .await;
    assert!(
        made[0].starts_with(&format!("{deposit} · acompte")),
        "{made:?}"
    );
    assert!(
        made[1].starts_with(&format!("{balance} · solde")),
        "{made:?}"
    );
    app.screenshot("quote-invoiced-fr").await;

    let store = acquit_store::Store::open(app.db()).expect("the books");
    let quote = store
        .quote(&number, acquit_store::today())
        .expect("the quote");
    let deposit = store.invoice(&deposit).expect("the deposit");
    let balance = store.invoice(&balance).expect("the balance");
    assert_eq!(
        deposit.totals.total.minor() + balance.totals.total.minor(),
        quote.totals.total.minor()
    );
    app.close().await;
}
