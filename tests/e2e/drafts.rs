//! Editing a draft's header (client, dates, kind) before issuing it.

use crate::harness::App;
use crate::harness::demo;

/// The draft of Boulangerie Martin goes to Café des Arts, due on a chosen
/// day, then is issued: the invoice carries the new client and due date.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drafts_client_and_due_date_are_changed_then_issued_as_changed() {
    let app = App::launch_with(demo).await;
    app.choose("[data-testid=language]", "fr").await;
    app.open_demo_draft().await;
    let summary = app.text("[data-testid=draft-summary]").await;
    assert!(summary.starts_with("Boulangerie Martin"), "{summary}");

    app.click("[data-testid=edit-header]").await;
    // A bad currency is refused next to its field.
    app.fill("[data-testid=header-currency]", "EUX").await;
    app.click("[data-testid=header-save]").await;
    let error = app.text("[data-testid=header-error-currency]").await;
    assert!(error.contains("EUX"), "{error}");

    app.fill("[data-testid=header-currency]", "EUR").await;
    app.fill("[data-testid=header-client-search]", "Café").await;
    app.wait_texts("[data-testid=header-client-option]", |c| c.len() == 1)
        .await;
    app.click("[data-testid=header-client-option]").await;
    // The date input takes the date as typed in the user's locale; set it
    // as the calendar would.
    let due = acquit_store::today() + chrono::Days::new(45);
    let input = app.find("[data-testid=header-due]").await;
    app.client
        .execute(
            "arguments[0].value = arguments[1];
             arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
            vec![
                serde_json::to_value(&input).unwrap(),
                serde_json::json!(due.to_string()),
            ],
        )
        .await
        .expect("setting the due date");
    app.screenshot("draft-header-fr").await;
    app.click("[data-testid=header-save]").await;
    app.wait_gone("[data-testid=header-form]").await;
    let summary = app.text("[data-testid=draft-summary]").await;
    assert!(summary.starts_with("Café des Arts"), "{summary}");
    assert!(
        summary.contains(&due.format("%d/%m/%Y").to_string()),
        "{summary}"
    );

    app.click("[data-testid=issue]").await;
    app.click("[data-testid=issue-confirm]").await;
    let number = app.text("[data-testid=issued-number]").await;
    app.click("[data-testid=open-issued]").await;
    let client = app.text("[data-testid=doc-client]").await;
    assert!(client.contains("Café des Arts"), "{client}");

    let store = acquit_store::Store::open(app.db()).expect("reading the database");
    let issued = store.invoice(&number).unwrap();
    assert_eq!(issued.buyer.name, "Café des Arts");
    assert_eq!(issued.due_date, Some(due));
    app.close().await;
}
