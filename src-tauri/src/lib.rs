//! The Acquit desktop app: Tauri setup, plugins and thin commands.
//!
//! Nothing here decides anything about invoices, money or payments: every
//! command translates between the UI and the core crates in `crates/`, in a
//! line or two. The TypeScript bindings in `ui/src/bindings.ts` are generated
//! from [`specta_builder`] (see `tests/bindings.rs`), so the front end never
//! spells a command name or a type by hand.

mod commands;
mod company;
mod editor;
mod forms;
mod logging;
mod view;

pub use commands::AppInfo;
use tauri::Manager;

/// Every command the UI may call, with the types they exchange.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new().commands(tauri_specta::collect_commands![
        commands::app_info,
        commands::list_invoices,
        commands::set_language,
        view::invoice_detail,
        view::export_pdf,
        editor::search_clients,
        editor::create_client,
        editor::create_draft,
        editor::add_line,
        editor::remove_line,
        editor::delete_draft,
        editor::issue_draft,
        editor::preview_totals,
        company::company_profile,
        company::check_iban,
        company::save_company
    ])
}

/// Builds and runs the app until its last window closes.
pub fn run() {
    let builder = specta_builder();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            let log_dir = app.path().app_log_dir()?;
            let logs = logging::init(&log_dir)?;
            tracing::info!(
                version = env!("CARGO_PKG_VERSION"),
                log_dir = %log_dir.display(),
                "Acquit started"
            );
            app.manage(logs);
            app.manage(commands::Books::open());
            builder.mount_events(app);
            Ok(())
        })
        .run(tauri::generate_context!("tauri.conf.json"));
    if let Err(error) = result {
        tracing::error!(%error, "Acquit stopped on an error");
        eprintln!("Acquit could not start: {error}");
        std::process::exit(1);
    }
}
