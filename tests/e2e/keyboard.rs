//! The window worked with the keyboard alone: the shortcuts (`?` lists
//! them in a dialog that takes and gives back the focus), the screens by a
//! key, `/` to the search, the invoice list walked with the arrows and an
//! invoice opened with Enter, Escape back. No click in this test.

use crate::harness::{App, demo};

/// Presses `keys` on whatever has the focus.
async fn press(app: &App, keys: &str) {
    app.client
        .active_element()
        .await
        .expect("the focused element")
        .send_keys(keys)
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
