//! Settings → Backups in the real window: back up, change the books (issue
//! a draft), restore behind the typed confirmation; the change is gone, the
//! books as they were are kept aside, and the app keeps working (the next
//! invoice takes the number again). Also "Export everything" (the zip).
//!
//! The native menu's "Check for updates…" cannot be clicked through
//! WebDriver (a GTK menu, outside the webview): its handler is tested in
//! `tests/updater.rs` (`the_menu_check_offers_the_update_and_keeps_it_for_install`).

use crate::harness::App;
use crate::harness::demo;

/// Opens the Boulangerie Martin draft and issues it; returns its number.
async fn issue_the_draft(app: &App) -> String {
    app.open_demo_draft().await;
    app.click("[data-testid=issue]").await;
    app.click("[data-testid=issue-confirm]").await;
    app.text("[data-testid=issued-number]").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_brings_the_books_back_and_the_app_keeps_working() {
    let app = App::launch_with(demo).await;
    app.choose("[data-testid=language]", "en").await;

    app.click("[data-testid=nav-settings]").await;
    let folder = app.text("[data-testid=backups-folder]").await;
    assert_eq!(
        std::path::Path::new(&folder),
        app.db().parent().unwrap().join("backups")
    );
    assert_eq!(
        app.text("[data-testid=backups-none]").await,
        "No backups yet."
    );
    app.click("[data-testid=backup-now]").await;
    assert_eq!(
        app.text("[data-testid=backup-done]").await,
        "Backed up and verified."
    );
    let rows = app
        .wait_texts("[data-testid=backup-row]", |r| r.len() == 1)
        .await;
    assert!(rows[0].contains("kB") || rows[0].contains("MB"), "{rows:?}");

    // Everything into one zip (the save dialog answers saved/ in tests).
    app.click("[data-testid=export-everything]").await;
    let exported = app.text("[data-testid=export-done] code").await;
    assert!(exported.starts_with(app.saved_dir().to_str().unwrap()));
    let zip = std::fs::read(&exported).expect("the zip is written");
    assert!(zip.starts_with(b"PK\x03\x04"), "a zip file");
    app.screenshot("settings-backups-en").await;

    // The change: a draft becomes an invoice.
    let number = issue_the_draft(&app).await;
    let store = acquit_store::Store::open(app.db()).unwrap();
    assert!(store.invoice(&number).is_ok(), "{number} is issued");
    drop(store);

    // Restore: the confirmation wants the word typed.
    app.click("[data-testid=nav-settings]").await;
    app.click("[data-testid=backup-row] [data-testid=backup-restore]")
        .await;
    let title = app.text("#restore-title").await;
    assert!(title.starts_with("Restore the backup of "), "{title}");
    let confirm = app.find("[data-testid=restore-confirm]").await;
    assert!(!confirm.is_enabled().await.unwrap(), "disabled until typed");
    app.fill("[data-testid=restore-word]", "restore").await;
    assert!(!confirm.is_enabled().await.unwrap(), "the exact word only");
    app.fill("[data-testid=restore-word]", "RESTORE").await;
    app.screenshot("settings-restore-confirm-en").await;
    app.click("[data-testid=restore-confirm]").await;
    let previous = app.text("[data-testid=restore-done] code").await;
    assert!(
        std::path::Path::new(&previous).is_file(),
        "the books before the restore are kept: {previous}"
    );
    let kept = acquit_store::Store::open(&previous).unwrap();
    assert!(kept.invoice(&number).is_ok(), "the copy aside has {number}");
    drop(kept);
    app.screenshot("settings-restored-en").await;

    // The change is gone, in the file and in the window.
    let store = acquit_store::Store::open(app.db()).unwrap();
    assert!(store.invoice(&number).is_err(), "{number} is gone");
    drop(store);
    app.click("[data-testid=nav-invoices]").await;
    let numbers = app
        .wait_texts("[data-testid=invoice-row] .number", |rows| rows.len() == 9)
        .await;
    assert!(!numbers.contains(&number), "{number} listed in {numbers:?}");

    // And the app works on the restored books: the same draft is issued
    // again and takes the same number (the counter was restored too).
    let again = issue_the_draft(&app).await;
    assert_eq!(again, number);
    app.close().await;
}
