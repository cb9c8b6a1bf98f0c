//! The window worked with the keyboard alone: the shortcuts (`?` lists
//! them in a dialog that takes and gives back the focus), the screens by a
//! key, `/` to the search, the invoice list walked with the arrows and an
//! invoice opened with Enter, Escape back; and a whole errand (client,
//! three lines, issue, payment link made and copied, payment, search)
//! without the mouse. No click in these tests: keys go through WebDriver's
//! keyboard actions, as a keyboard's would.

use crate::harness::{App, demo};

/// Presses `keys` as a keyboard does, through WebDriver's actions (not
/// "send keys to an element", which sets a date field's value instead of
/// pressing Tab in it): each key down then up; Ctrl (`\u{e009}`) is held
/// until the null key (`\u{e000}`) or the end.
async fn press(app: &App, keys: &str) {
    use fantoccini::actions::{InputSource as _, KeyAction, KeyActions};
    const CONTROL: char = '\u{e009}';
    const RELEASE: char = '\u{e000}';
    let mut actions = KeyActions::new("keyboard".into());
    let mut held = false;
    for c in keys.chars() {
        actions = match c {
            CONTROL => {
                held = true;
                actions.then(KeyAction::Down { value: c })
            }
            RELEASE if held => {
                held = false;
                actions.then(KeyAction::Up { value: CONTROL })
            }
            RELEASE => actions,
            c => actions
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c }),
        };
    }
    if held {
        actions = actions.then(KeyAction::Up { value: CONTROL });
    }
    app.client
        .perform_actions(actions)
        .await
        .unwrap_or_else(|e| panic!("pressing {keys:?}: {e}"));
}

/// The `data-testid` of the focused element.
async fn focused(app: &App) -> String {
    app.client
        .execute(
            "return document.activeElement?.dataset?.testid ?? ''",
            vec![],
        )
        .await
        .expect("reading the focus")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_books_are_worked_with_the_keyboard_alone() {
    let app = App::launch_with(demo).await;
    app.choose("[data-testid=language]", "fr").await;
    app.find("[data-testid=invoice-row]").await;
    // The language menu had the focus: leave it as a user would, by Tab.
    press(&app, "\u{e004}").await;

    // `?`: the shortcuts, in a dialog holding the focus; Escape gives it back.
    press(&app, "?").await;
    app.find("[data-testid=shortcuts]").await;
    assert_eq!(focused(&app).await, "shortcuts-close");
    let listed = app.text("[data-testid=shortcuts]").await;
    assert!(
        listed.contains("Nouvelle facture") && listed.contains("Chercher une facture"),
        "{listed}"
    );
    let found = app.axe().await;
    assert!(
        !found.iter().any(|v| v.blocks()),
        "axe-core on the shortcuts: {found:?}"
    );
    press(&app, "\u{e004}").await; // Tab stays in the dialog
    assert_eq!(focused(&app).await, "shortcuts-close");
    press(&app, "\u{e00c}").await; // Escape
    app.wait_gone("[data-testid=shortcuts]").await;

    // One key per screen.
    press(&app, "c").await;
    app.find("[data-testid=clients-screen]").await;
    press(&app, "d").await;
    app.find("[data-testid=quotes]").await;
    press(&app, "n").await;
    app.find("[data-testid=draft-editor]").await;

    // `/`: the list, its search focused; typed, then the rows by arrows.
    app.client
        .execute("document.activeElement?.blur()", vec![])
        .await
        .expect("leaving the editor's field");
    press(&app, "/").await;
    app.find("[data-testid=invoice-search]").await;
    assert_eq!(focused(&app).await, "invoice-search");
    press(&app, "Boulangerie Martin").await;
    app.wait_texts("[data-testid=invoice-row]", |rows| {
        !rows.is_empty() && rows.iter().all(|r| r.contains("Boulangerie Martin"))
    })
    .await;
    // Tab reaches the list's one focusable row, then the arrows move.
    for _ in 0..6 {
        if focused(&app).await == "open-invoice" {
            break;
        }
        press(&app, "\u{e004}").await;
    }
    assert_eq!(focused(&app).await, "open-invoice", "Tab reaches the rows");
    let first = app.focused_text().await;
    press(&app, "\u{e015}").await; // ArrowDown
    let second = app.focused_text().await;
    assert_ne!(first, second, "the arrow moved to the next row");
    press(&app, "\u{e007}").await; // Enter
    app.find("[data-testid=invoice-view]").await;
    press(&app, "\u{e00c}").await; // Escape
    app.find("[data-testid=invoice-search]").await;
    app.close().await;
}

/// Moves the focus with Tab (Shift+Tab when `back`) until the element
/// `testid` has it; fails naming what the focus went through.
async fn tab_to(app: &App, testid: &str) {
    let mut seen = Vec::new();
    for _ in 0..80 {
        let now = focused(app).await;
        if now == testid {
            return;
        }
        seen.push(now);
        press(app, "\u{e004}").await;
    }
    panic!("Tab never reached {testid}; the focus went through {seen:?}");
}

/// Types `text` into the focused field, replacing what it held.
async fn retype(app: &App, text: &str) {
    // Ctrl+A, then the text (the null key releases Ctrl).
    press(app, "\u{e009}a\u{e000}").await;
    press(app, text).await;
}

/// A freelancer's whole errand without the mouse: a new client, a draft
/// of three lines, issued, a payment link made and copied, a payment
/// recorded, the invoice found again by searching. Every step by keys.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_from_client_to_payment_without_the_mouse() {
    let servers = tempfile::tempdir().expect("temp dir");
    let fake = crate::servers::FakeStripe::start(servers.path(), &[]);
    let app = App::launch_with_env(
        demo,
        &[
            (
                "ACQUIT_STRIPE_KEY",
                "sk_test_51E2eTestKeyForTheFakeOnly4242".into(),
            ),
            ("ACQUIT_STRIPE_API_BASE", fake.base.clone()),
        ],
    )
    .await;
    app.choose("[data-testid=language]", "fr").await;
    app.find("[data-testid=invoice-row]").await;
    press(&app, "\u{e004}").await;

    // `n`: a new invoice; a new client from there.
    press(&app, "n").await;
    app.find("[data-testid=create-client]").await;
    tab_to(&app, "create-client").await;
    press(&app, "\u{e007}").await;
    app.find("[data-testid=client-form]").await;
    tab_to(&app, "client-name").await;
    press(&app, "Studio Clavier").await;
    tab_to(&app, "client-email").await;
    press(&app, "compta@studio-clavier.example").await;
    tab_to(&app, "save-client").await;
    press(&app, "\u{e007}").await;
    app.wait_gone("[data-testid=client-form]").await;
    tab_to(&app, "create-draft").await;
    press(&app, "\u{e007}").await;
    let summary = app.text("[data-testid=draft-summary]").await;
    assert!(summary.starts_with("Studio Clavier"), "{summary}");

    // Three lines, each added with Enter in its last field.
    for (n, (what, qty, price)) in [
        ("Audit", "1", "800"),
        ("Ateliers", "3", "250"),
        ("Support", "2", "75,50"),
    ]
    .into_iter()
    .enumerate()
    {
        tab_to(&app, "line-description").await;
        retype(&app, what).await;
        tab_to(&app, "line-quantity").await;
        retype(&app, qty).await;
        tab_to(&app, "line-unitPrice").await;
        retype(&app, price).await;
        press(&app, "\u{e007}").await;
        app.wait_texts("[data-testid=draft-line]", |l| l.len() == n + 1)
            .await;
    }
    // 800 + 750 + 151 = 1 701,00 € HT, 20 %: 2 041,20 €.
    app.wait_texts("[data-testid=live-total]", |t| {
        t.first()
            .is_some_and(|t| crate::harness::plain(t) == "2 041,20 €")
    })
    .await;

    // Issued, behind its confirmation: the dialog holds Tab, Escape
    // closes it and gives the focus back to Issue.
    tab_to(&app, "issue").await;
    press(&app, "\u{e007}").await;
    app.find("[data-testid=issue-dialog]").await;
    for _ in 0..4 {
        press(&app, "\u{e004}").await;
        let at = focused(&app).await;
        assert!(
            at == "issue-cancel" || at == "issue-confirm",
            "Tab left the dialog for {at:?}"
        );
    }
    press(&app, "\u{e00c}").await;
    app.wait_gone("[data-testid=issue-dialog]").await;
    assert_eq!(focused(&app).await, "issue");
    press(&app, "\u{e007}").await;
    app.find("[data-testid=issue-dialog]").await;
    tab_to(&app, "issue-confirm").await;
    press(&app, "\u{e007}").await;
    let number = app.text("[data-testid=issued-number]").await;
    tab_to(&app, "open-issued").await;
    press(&app, "\u{e007}").await;
    assert_eq!(app.text("[data-testid=doc-number]").await, number);

    // A payment link, made and copied.
    tab_to(&app, "create-link").await;
    press(&app, "\u{e007}").await;
    let status = app
        .text("[data-testid=link-row] [data-testid=link-status]")
        .await;
    assert_eq!(status, "Ouvert");
    tab_to(&app, "copy-link").await;
    press(&app, "\u{e007}").await;
    app.wait_texts("[data-testid=copy-link]", |t| {
        t.first().is_some_and(|t| t == "Copié")
    })
    .await;

    // A payment by transfer for what is due (offered), recorded.
    let offered = app
        .find("[data-testid=payment-amount]")
        .await
        .prop("value")
        .await
        .expect("the amount field")
        .unwrap_or_default();
    assert_eq!(crate::harness::plain(&offered), "2 041,20 €");
    tab_to(&app, "payment-reference").await;
    press(&app, "VIR 2026-12").await;
    press(&app, "\u{e007}").await;
    app.wait_texts("[data-testid=doc-status]", |t| {
        t.first().is_some_and(|t| t == "Payée")
    })
    .await;
    app.screenshot("keyboard-journey-paid-fr").await;

    // Back to the list, found again by searching.
    press(&app, "\u{e00c}").await;
    app.find("[data-testid=invoice-row]").await;
    press(&app, "/").await;
    assert_eq!(focused(&app).await, "invoice-search");
    press(&app, "Studio Clavier").await;
    let rows = app
        .wait_texts("[data-testid=invoice-row]", |r| r.len() == 1)
        .await;
    assert!(
        rows[0].contains(&number) && rows[0].contains("Payée"),
        "{rows:?}"
    );
    app.close().await;
}
