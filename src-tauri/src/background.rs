//! The app's background sync: one thread with its own connection to the
//! books, which makes what recurring schedules owe, sends the reminders'
//! notification, syncs with the relay and Stripe (`acquit_documents::published`)
//! and tells the window (events, notifications). Its rhythm (long-poll,
//! pauses, backoff) is `acquit_sync::scheduler`'s, tested there without a
//! window; this module is the glue.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use acquit_documents::published;
use acquit_store::Store;
use acquit_sync::config;
use acquit_sync::engine::{self, SourceChoice, Sources};
use acquit_sync::scheduler::{Rhythm, Scheduler, Turn};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use tauri_specta::Event as _;

/// Makes the recurring invoices due today (each period once, whatever
/// else runs: `Store::run_recurring`), on each turn of the background
/// loop, with or without Stripe; what it made or could not is logged.
fn make_recurring(app: &AppHandle, store: &mut Store) {
    let gate = crate::backups::writing();
    let result = acquit_documents::recurring::run(store, acquit_store::today());
    drop(gate);
    match result {
        Ok(outcome) => {
            crate::notify::recurring(app, store, &outcome.made);
            for m in outcome.made {
                tracing::info!(schedule = m.recurring_id, period = m.period, date = %m.date, made = ?m.made, "recurring invoice");
            }
            for (schedule, error) in outcome.failed {
                tracing::warn!(schedule, %error, "recurring schedule stopped");
            }
            for (number, to) in outcome.mailed {
                tracing::info!(%number, %to, "recurring invoice mailed");
            }
            for (number, why) in outcome.not_mailed {
                tracing::warn!(%number, %why, "recurring invoice not mailed");
            }
        }
        Err(error) => tracing::warn!(%error, "recurring invoices not made"),
    }
}

/// Sent after a sync applied payments: the UI refreshes and says so.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PaymentsApplied {
    /// The numbers of the invoices paid (or partly paid) by this sync.
    pub invoices: Vec<String>,
    /// Their status now (`paid`, `partially-paid`, `processing`), in
    /// order; None for one that could not be read back.
    pub statuses: Vec<Option<crate::choices::InvoiceStatusChoice>>,
}

impl tauri_specta::Event for PaymentsApplied {
    const NAME: &'static str = "payments-applied";
}

/// Where the background sync stands.
#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// A relay or Stripe is configured.
    pub configured: bool,
    /// RFC 3339 (setting `sync.last`).
    pub last_sync: Option<String>,
    /// The last attempt failed: why, and that it will retry.
    pub error: Option<String>,
}

impl tauri_specta::Event for SyncStatus {
    const NAME: &'static str = "sync-status";
}

/// The background sync's handle: wake it up ("Sync now"), read its state.
#[derive(Debug, Default)]
pub struct SyncControl {
    wake: Arc<tokio::sync::Notify>,
    status: Arc<Mutex<SyncStatus>>,
}

impl SyncControl {
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Where the background sync stands now.
#[tauri::command]
#[specta::specta]
pub fn sync_status(sync: State<'_, SyncControl>) -> SyncStatus {
    sync.status.lock().map(|s| s.clone()).unwrap_or_default()
}

/// Syncs now instead of at the next turn.
#[tauri::command]
#[specta::specta]
pub fn sync_now(sync: State<'_, SyncControl>) {
    sync.wake();
}

/// Starts the background sync on its own thread and database connection.
pub fn start_sync(app: AppHandle, path: PathBuf, control: &SyncControl) {
    let wake = control.wake.clone();
    let status = control.status.clone();
    let spawned = std::thread::Builder::new()
        .name("acquit-sync".into())
        .spawn(move || sync_loop(&app, &path, &wake, &status));
    if let Err(error) = spawned {
        tracing::error!(%error, "could not start the background sync");
    }
}

fn sync_loop(
    app: &AppHandle,
    path: &std::path::Path,
    wake: &tokio::sync::Notify,
    status: &Mutex<SyncStatus>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(%error, "no runtime for the background sync");
            return;
        }
    };
    let pause = |time: Duration| {
        runtime.block_on(async {
            let _ = tokio::time::timeout(time, wake.notified()).await;
        })
    };
    // The rhythm (long-poll, pauses, backoff) is the sync crate's.
    let mut scheduler = Scheduler::new(Rhythm::default());
    let mut store = loop {
        match Store::open(path) {
            Ok(store) => break store,
            Err(error) => {
                tracing::warn!(%error, "background sync: cannot open the database");
                pause(scheduler.rhythm().backoff_max);
            }
        }
    };
    let pause_for = |turn: Turn, scheduler: &mut Scheduler| {
        if let Some(time) = scheduler.after(turn) {
            pause(time);
        }
    };
    loop {
        let publish = |update: SyncStatus| {
            if let Ok(mut s) = status.lock() {
                *s = update.clone();
            }
            let _ = update.emit(app);
        };
        make_recurring(app, &mut store);
        crate::notify::reminders_due(app, &mut store);
        let relay = config::relay_client(&store);
        let stripe = config::stripe_client(&store);
        let (relay, stripe) = match (relay, stripe) {
            (Ok(relay), Ok(stripe)) => (relay, stripe),
            (Err(e), _) | (_, Err(e)) => {
                publish(SyncStatus {
                    configured: true,
                    last_sync: last_sync(&store),
                    error: Some(crate::messages::localize(&e)),
                });
                pause_for(Turn::Failed, &mut scheduler);
                continue;
            }
        };
        if relay.is_none() && stripe.is_none() {
            let gate = crate::backups::writing();
            ask_platform(app, &mut store, &runtime);
            drop(gate);
            publish(SyncStatus {
                // A platform alone is something to sync ("Sync now" asks it).
                configured: acquit_documents::einvoice::PaConnection::load(&store)
                    .ok()
                    .flatten()
                    .is_some(),
                last_sync: last_sync(&store),
                error: None,
            });
            pause_for(Turn::NotConfigured, &mut scheduler);
            continue;
        }
        let wait = scheduler.relay_wait_secs(relay.is_some());
        let sources = Sources {
            relay: relay.as_ref(),
            stripe: stripe.as_ref(),
        };
        // A restore wakes this loop, then waits for the gate (`backups`).
        let gate = crate::backups::writing();
        let outcome = runtime.block_on(async {
            tokio::select! {
                result = published::sync(&mut store, sources, SourceChoice::Auto, wait) => Some(result),
                _ = wake.notified() => None,
            }
        });
        ask_platform(app, &mut store, &runtime);
        drop(gate);
        let turn = match outcome {
            // "Sync now" during a long-poll: start over without waiting.
            None => Turn::Woken,
            Some(Ok(synced)) => {
                let report = &synced.report;
                for warning in &report.warnings {
                    tracing::warn!(%warning, "sync");
                }
                if !report.invoices.is_empty() {
                    tracing::info!(invoices = ?report.invoices, applied = report.applied, "payments applied");
                    let statuses = report
                        .invoices
                        .iter()
                        .map(|n| store.invoice(n).ok().map(|v| v.status.into()))
                        .collect();
                    let _ = PaymentsApplied {
                        invoices: report.invoices.clone(),
                        statuses,
                    }
                    .emit(app);
                    crate::notify::payments(app, &store, &report.invoices);
                }
                crate::notify::quotes(app, &store, &synced.quotes_decided);
                crate::notify::payments_failed(app, &store, &report.payments_failed);
                publish(SyncStatus {
                    configured: true,
                    last_sync: last_sync(&store),
                    error: report.warnings.first().cloned(),
                });
                Turn::Synced {
                    relay: relay.is_some(),
                }
            }
            Some(Err(error)) => {
                tracing::warn!(%error, "sync failed");
                publish(SyncStatus {
                    configured: true,
                    last_sync: last_sync(&store),
                    error: Some(crate::messages::localize(&error)),
                });
                Turn::Failed
            }
        };
        pause_for(turn, &mut scheduler);
    }
}

/// What the platform said since the last turn, when one is connected
/// (with or without a relay or Stripe); the window refreshes the invoices
/// it changed.
fn ask_platform(app: &AppHandle, store: &mut Store, runtime: &tokio::runtime::Runtime) {
    let Some(refreshed) = crate::einvoice::refresh(store, runtime) else {
        return;
    };
    let changed = crate::einvoice::changed(&refreshed);
    if !changed.is_empty() {
        let _ = crate::einvoice::EInvoicesChanged { invoices: changed }.emit(app);
    }
    crate::notify::platform(app, store, &refreshed);
}

/// The last time Acquit heard from anything it syncs with: the payments'
/// sources, or the e-invoicing platform alone (both RFC 3339 UTC, so the
/// later sorts last).
fn last_sync(store: &Store) -> Option<String> {
    [engine::LAST_SYNC, acquit_documents::einvoice::LAST_REFRESH]
        .into_iter()
        .filter_map(|key| store.setting(key).ok().flatten())
        .filter(|s| !s.is_empty())
        .max()
}
