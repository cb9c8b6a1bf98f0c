//! A sync as the app and the CLI run it: `acquit_sync::engine`'s (events
//! applied, fees filled, links withdrawn and their states published), then
//! what the documents owe the invoices it changed: their shared pages
//! republished (paid state, stamped PDF) and the clients' answers on their
//! quotes' pages read. The same after a payment recorded by hand.
//!
//! The sync crate knows nothing of documents; it says which invoices it
//! touched ([`SyncReport::touched`]) and this finishes the job.

use acquit_store::{Store, StoreError};
use acquit_sync::engine::{self, EngineError, Republished, SourceChoice, Sources, SyncReport};
use serde::Serialize;

use crate::quote_page::{self, DecidedQuote};
use crate::share;

/// What one sync did, the documents' part included.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Synced {
    #[serde(flatten)]
    pub report: SyncReport,
    /// Quotes the client decided on their page, read in this sync.
    pub quotes_decided: Vec<DecidedQuote>,
}

/// Runs one sync ([`engine::sync`]), then republishes the shared pages of
/// the invoices it touched and reads the answers on the quotes' pages. A
/// relay failure in these steps is a warning: the next sync retries.
pub async fn sync(
    store: &mut Store,
    sources: Sources<'_>,
    choice: SourceChoice,
    wait: u32,
) -> Result<Synced, EngineError> {
    let mut report = engine::sync(store, sources, choice, wait).await?;
    let mut quotes_decided = Vec::new();
    if let Some(relay) = sources.relay {
        let warnings = share::republish(store, relay, &report.touched).await?;
        report.warnings.extend(warnings);
        let read = quote_page::read_replies(store, relay, acquit_store::today()).await?;
        quotes_decided = read.decided;
        report.warnings.extend(read.warnings);
    }
    Ok(Synced {
        report,
        quotes_decided,
    })
}

/// After a payment recorded or reversed by hand, with no network: marks
/// the invoice for everything a synced payment gets ([`engine::mark_changed`]
/// and its shared page), so that the next sync carries it out.
pub fn mark_changed(store: &mut Store, number: &str) -> Result<(), StoreError> {
    engine::mark_changed(store, number)?;
    engine::mark_pending(store, &[share::UNSHARED], number)
}

/// The one call after a payment recorded or reversed by hand: the links'
/// part ([`engine::after_manual_payment`]), then the invoice's shared page
/// republished (the stamped PDF, the new amount due, no "Payer en ligne"
/// when nothing is due). Network failures are warnings, never errors.
pub async fn after_manual_payment(
    store: &mut Store,
    sources: Sources<'_>,
    number: &str,
) -> Result<Republished, StoreError> {
    engine::mark_pending(store, &[share::UNSHARED], number)?;
    let mut done = engine::after_manual_payment(store, sources, number).await?;
    if let Some(relay) = sources.relay {
        let none = Default::default();
        done.warnings
            .extend(share::republish(store, relay, &none).await?);
    }
    Ok(done)
}
