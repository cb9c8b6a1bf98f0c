//! The Acquit desktop app: Tauri setup, plugins and thin commands.
//!
//! Nothing here decides anything about invoices, money or payments: every
//! command translates between the UI and the core crates in `crates/`, in a
//! line or two. The TypeScript bindings in `ui/src/bindings.ts` are generated
//! from [`specta_builder`] (see `tests/bindings.rs`), so the front end never
//! spells a command name or a type by hand.

mod background;
mod backups;
mod books;
mod choices;
mod commands;
mod company;
mod dashboard;
mod declare;
mod editor;
mod einvoice;
mod forms;
mod import;
mod logging;
mod mail;
pub mod menu;
mod messages;
mod notify;
mod payments;
mod preview;
mod quotes;
mod recurring;
mod relay;
mod send;
pub mod update;
mod vies;
mod view;

pub use commands::AppInfo;
use tauri::Manager;

/// Every command the UI may call, with the types they exchange.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            commands::app_info,
            commands::first_rows_shown,
            commands::list_invoices,
            commands::count_invoices,
            commands::set_language,
            commands::use_language,
            commands::today,
            view::invoice_detail,
            view::export_pdf,
            preview::invoice_preview,
            editor::search_clients,
            editor::create_client,
            editor::client_form,
            editor::update_client,
            vies::check_client_vat,
            editor::create_draft,
            editor::update_draft,
            editor::add_line,
            editor::remove_line,
            editor::delete_draft,
            editor::issue_draft,
            editor::preview_totals,
            editor::coming_gaps,
            choices::form_choices,
            company::company_profile,
            company::check_iban,
            company::save_company,
            update::check_update,
            update::install_update,
            menu::set_menu_language,
            backups::backups,
            backups::back_up_now,
            backups::open_backups_folder,
            backups::restore_backup,
            backups::export_everything,
            payments::stripe_status,
            relay::share_invoice,
            relay::revoke_share,
            relay::relay_status,
            relay::setup_relay,
            payments::connect_stripe,
            payments::disconnect_stripe,
            payments::invoice_links,
            payments::create_payment_link,
            payments::deactivate_payment_link,
            payments::qr_svg,
            payments::open_url,
            payments::record_payment,
            payments::reverse_payment,
            payments::invoice_timeline,
            background::sync_status,
            background::sync_now,
            dashboard::dashboard,
            send::send_preview,
            send::send_email,
            send::send_whatsapp,
            send::send_receipt_email,
            send::send_receipt_whatsapp,
            send::send_templates,
            send::set_send_template,
            mail::mail_settings,
            mail::set_mail,
            mail::test_mail,
            mail::forget_mail,
            mail::mail_invoice,
            mail::reminder_preview,
            mail::send_reminder,
            mail::reminders_due,
            notify::notification_settings,
            company::directory_lookup,
            import::preview_client_import,
            import::import_clients,
            quotes::quote_list,
            quotes::quote_detail,
            quotes::quote_preview,
            quotes::issue_draft_as_quote,
            quotes::decide_quote,
            quotes::share_quote,
            quotes::invoice_quote,
            recurring::recurring_list,
            recurring::add_recurring,
            recurring::pause_recurring,
            notify::set_notification,
            books::ledger,
            books::export_ledger_csv,
            books::invoice_id,
            books::credit_notes,
            books::issue_refund_credit_note,
            books::reconcile,
            books::kept_events,
            declare::declaration,
            declare::set_threshold,
            declare::reset_thresholds,
            einvoice::pa_status,
            einvoice::connect_pa,
            einvoice::disconnect_pa,
            einvoice::einvoice_state,
            einvoice::send_einvoice,
            einvoice::received_invoices,
            einvoice::save_received,
            einvoice::answer_reasons,
            einvoice::answer_received
        ])
        .events(tauri_specta::collect_events![
            background::PaymentsApplied,
            background::SyncStatus,
            einvoice::EInvoicesChanged,
            menu::UpdateCheck
        ])
}

/// Builds and runs the app until its last window closes.
pub fn run() {
    commands::started();
    let builder = specta_builder();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .invoke_handler(builder.invoke_handler())
        .register_uri_scheme_protocol(preview::FONT_SCHEME, |_, request| {
            preview::font(request.uri().path())
        })
        .on_menu_event(menu::on_event)
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
            app.manage(update::Pending::default());
            update::check_at_start(app.handle());
            menu::install(app.handle(), menu::startup_language(app.handle()));
            builder.mount_events(app);
            // After mount_events: the sync emits typed events.
            let sync = background::SyncControl::default();
            background::start_sync(
                app.handle().clone(),
                app.state::<commands::Books>().path.clone(),
                &sync,
            );
            app.manage(sync);
            Ok(())
        })
        .run(tauri::generate_context!("tauri.conf.json"));
    if let Err(error) = result {
        tracing::error!(%error, "Acquit stopped on an error");
        eprintln!("Acquit could not start: {error}");
        std::process::exit(1);
    }
}
