//! Accessibility checked by a tool nobody here wrote: axe-core (npm)
//! injected into the real window on every screen and state, WCAG 2.0–2.2
//! A and AA rules. A serious or critical violation fails the test, naming
//! the rule and the elements; the minor and moderate ones are printed per
//! screen (`--nocapture`) to be worked down.

use crate::harness::{App, AxeViolation, demo};
use crate::send::open_row;

/// Checks the window as it is now, as screen `name`.
async fn check(app: &App, name: &str, blocking: &mut Vec<String>) {
    let found: Vec<AxeViolation> = app.axe().await;
    let (serious, other): (Vec<_>, Vec<_>) = found.into_iter().partition(AxeViolation::blocks);
    println!(
        "axe {name}: {} serious or critical, {} minor or moderate{}",
        serious.len(),
        other.len(),
        other
            .iter()
            .map(|v| format!(" [{} {}: {}]", v.impact, v.id, v.nodes.join(", ")))
            .collect::<String>()
    );
    for v in serious {
        blocking.push(format!(
            "{name}: {} {} ({}) on {}",
            v.impact,
            v.id,
            v.help,
            v.nodes.join(", ")
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_run_form_has_no_serious_violation() {
    let app = App::launch().await;
    app.choose("[data-testid=language]", "fr").await;
    app.find("[data-testid=company-form]").await;
    let mut blocking = Vec::new();
    check(&app, "first run", &mut blocking).await;
    // The form's errors, shown next to their fields.
    app.click("[data-testid=save-company]").await;
    app.find(".field-error").await;
    check(&app, "first run, errors", &mut blocking).await;
    app.close().await;
    assert!(blocking.is_empty(), "axe-core:\n{}", blocking.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_of_the_books_has_no_serious_violation() {
    let app = App::launch_with(demo).await;
    app.choose("[data-testid=language]", "fr").await;
    let mut blocking = Vec::new();

    app.find("[data-testid=invoice-row]").await;
    check(&app, "invoices and dashboard", &mut blocking).await;

    app.open_demo_draft().await;
    app.find("[data-testid=issue]").await;
    check(&app, "draft editor", &mut blocking).await;
    app.click("[data-testid=issue]").await;
    app.find("[data-testid=issue-dialog]").await;
    check(&app, "issue dialog", &mut blocking).await;
    app.click("[data-testid=issue-cancel]").await;

    app.click("[data-testid=nav-invoices]").await;
    open_row(&app, "Boulangerie Martin SARL", "Payée").await;
    app.wait_preview(|t| t.contains("PAYÉE")).await;
    check(&app, "invoice view (paid)", &mut blocking).await;
    app.click("[data-testid=nav-invoices]").await;
    open_row(&app, "Thames Digital Ltd", "Émise").await;
    app.find("[data-testid=links-panel]").await;
    check(
        &app,
        "invoice view (due): links, send, payments",
        &mut blocking,
    )
    .await;

    for (nav, name) in [
        ("nav-quotes", "quotes"),
        ("nav-clients", "clients"),
        ("nav-ledger", "ledger"),
        ("nav-credit-notes", "credit notes"),
        ("nav-reconcile", "reconciliation"),
        ("nav-declaration", "declaration"),
        ("nav-received", "received invoices"),
        ("nav-settings", "settings and backups"),
    ] {
        app.click(&format!("[data-testid={nav}]")).await;
        // Each screen loads its data after it shows.
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        check(&app, name, &mut blocking).await;
    }
    app.click("[data-testid=nav-clients]").await;
    app.click("[data-testid=new-client]").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    check(&app, "client form", &mut blocking).await;

    // A quote, from the editor, on its own screen.
    app.open_demo_draft().await;
    app.click("[data-testid=as-quote] summary").await;
    app.click("[data-testid=as-quote-save]").await;
    app.wait_preview(|t| t.contains("DEVIS")).await;
    check(&app, "quote", &mut blocking).await;

    app.close().await;
    assert!(blocking.is_empty(), "axe-core:\n{}", blocking.join("\n"));
}

/// At 200 % zoom (WCAG 1.4.4 and 1.4.10 reflow) nothing needs a sideways
/// scroll on the main screens. Measured as the zoom lays pages out: the
/// window at its narrowest, 760 CSS pixels (a 1520-pixel window at 200 %),
/// since CSS `zoom` leaves media queries and WebDriver's clicks at 100 %.
/// Tables may scroll inside themselves (WCAG's exception for data tables).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_200_percent_zoom_nothing_scrolls_sideways() {
    let app = App::launch_with(demo).await;
    app.choose("[data-testid=language]", "fr").await;
    app.find("[data-testid=invoice-row]").await;
    app.client
        .set_window_size(600, 800)
        .await
        .expect("a narrow window");
    let mut wide = Vec::new();
    for (nav, name) in [
        ("nav-invoices", "invoices"),
        ("nav-quotes", "quotes"),
        ("nav-clients", "clients"),
        ("nav-ledger", "ledger"),
        ("nav-credit-notes", "credit notes"),
        ("nav-reconcile", "reconciliation"),
        ("nav-declaration", "declaration"),
        ("nav-settings", "settings"),
    ] {
        app.client
            .execute(
                "document.querySelector(arguments[0]).click()",
                vec![format!("[data-testid={nav}]").into()],
            )
            .await
            .expect("going to the screen");
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        let overflow = app
            .client
            .execute(
                "const e = document.scrollingElement, m = document.querySelector('main');
                 return [Math.max(e.scrollWidth, m.scrollWidth - m.clientWidth + e.clientWidth), e.clientWidth];",
                vec![],
            )
            .await
            .expect("measuring");
        let (scroll, client) = (overflow[0].as_i64().unwrap(), overflow[1].as_i64().unwrap());
        let culprits = app
            .client
            .execute(
                "const w = document.scrollingElement.clientWidth; const out = [];
                 for (const e of document.querySelectorAll('body *')) {
                   const r = e.getBoundingClientRect();
                   if (r.right > w + 1 && !(e.parentElement && e.parentElement.getBoundingClientRect().right > w + 1))
                     out.push(e.tagName + '.' + e.className + '[' + (e.dataset.testid || '') + '] ' + Math.round(r.right));
                 }
                 return out.slice(0, 6);",
                vec![],
            )
            .await
            .expect("finding what is too wide");
        println!(
            "{} px wide, {name}: content {scroll} px in {client} px {culprits}",
            client
        );
        app.screenshot(&format!("narrow-{}", name.replace(' ', "-")))
            .await;
        if scroll > client + 1 {
            wide.push(format!("{name}: {scroll} px of content in {client} px"));
        }
    }
    app.close().await;
    assert!(wide.is_empty(), "a sideways scroll at 200 %: {wide:?}");
}
