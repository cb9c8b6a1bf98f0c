//! One sync: fetch Stripe events from the relay (or Stripe itself), apply
//! each exactly once, then carry out the consequences that need the network
//! (fees from Stripe, withdrawing links of paid invoices, publishing link
//! states to the relay).
//!
//! Cursors are saved only after the events they cover are applied, so a
//! crash re-fetches and re-applies: applying is idempotent (the event id is
//! unique in the store), so nothing is lost and nothing counted twice.
//!
//! The relay is not trusted: each event it hands over that Acquit acts on
//! is confirmed with Stripe first and Stripe's copy is applied
//! ([`crate::confirm`]). An event Stripe cannot confirm yet is kept as
//! unconfirmed (its cursor still moves on: the event is in the books' own
//! file) and asked about again at the start of every sync; one Stripe
//! denies is kept as rejected and never applied.

use std::collections::BTreeSet;

use acquit_store::{
    ApplyOutcome, EventSource, LinkStatus, NewStripeEvent, Recording, Store, StoreError,
};
use acquit_stripe::{ACQUIT_EVENT_TYPES, Client, StripeError};
use serde::Serialize;

use crate::apply::{self, SyncError};
use crate::confirm::{self, Verdict};
use crate::links;
use crate::relay::{RelayClient, RelayError};

/// Settings keys (non-secret) the sync keeps in the store.
pub const RELAY_CURSOR: &str = "sync.relay.cursor";
pub const STRIPE_SINCE: &str = "sync.stripe.since";
pub const LAST_SYNC: &str = "sync.last";
/// When Stripe's events were last listed (Unix seconds).
const STRIPE_CHECKED: &str = "sync.stripe.checked";
/// With a relay, Stripe is still asked this often, as reconciliation.
const RECONCILE_EVERY_SECS: i64 = 24 * 3600;
/// Invoices whose links' state could not be published yet (JSON array).
const UNPUBLISHED: &str = "sync.relay.unpublished";
/// Settled invoices whose open links could not be withdrawn on Stripe yet
/// (JSON array).
const UNWITHDRAWN: &str = "sync.stripe.unwithdrawn";

/// Stripe keeps events for 30 days.
const STRIPE_EVENT_RETENTION_SECS: i64 = 30 * 24 * 3600;
/// Re-read a little before the last event seen: events created in the same
/// second, or listed late, are not missed (re-applying is a no-op).
const STRIPE_OVERLAP_SECS: i64 = 300;
/// Events recorded per transaction when Stripe's own list is read (the
/// relay's pages are 100 too).
const PAGE: usize = 100;

/// Where to fetch events from (`acquit sync --source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SourceChoice {
    /// The relay when configured and reachable, else Stripe.
    #[default]
    Auto,
    Relay,
    Stripe,
}

impl std::str::FromStr for SourceChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(SourceChoice::Auto),
            "relay" => Ok(SourceChoice::Relay),
            "stripe" => Ok(SourceChoice::Stripe),
            other => Err(format!(
                "\"{other}\" is not a source: use auto, relay or stripe"
            )),
        }
    }
}

/// What is configured.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sources<'a> {
    pub relay: Option<&'a RelayClient>,
    pub stripe: Option<&'a Client>,
}

/// What one sync did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// `relay`, `stripe`, or both (a relay failure fell back to Stripe).
    pub sources: Vec<&'static str>,
    pub events: usize,
    pub applied: usize,
    pub already_applied: usize,
    pub ignored: usize,
    pub unmatched: usize,
    pub deferred: usize,
    /// Received from the relay, waiting for Stripe to confirm them.
    pub unconfirmed: usize,
    /// Never applied: Stripe did not confirm them, or the books refused
    /// them (see `acquit reconcile`).
    pub rejected: usize,
    /// Invoices a payment was applied to in this sync.
    pub invoices: Vec<String>,
    /// Debits that failed in this sync (a SEPA mandate refused, funds
    /// short). Nothing was booked; the invoice is due again.
    pub payments_failed: Vec<FailedDebit>,
    /// Invoices whose state changed in this sync (a payment applied, a
    /// link made): what the documents built on them republish
    /// (`acquit_documents::published`).
    #[serde(skip)]
    pub touched: BTreeSet<String>,
    pub fees_filled: usize,
    pub links_resumed: usize,
    pub links_withdrawn: usize,
    pub links_published: usize,
    /// Problems that did not stop the sync (relay down, Stripe refused a
    /// fee lookup…), each saying what happens next.
    pub warnings: Vec<String>,
}

/// A debit Stripe said failed, as a sync learnt it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedDebit {
    pub invoice: String,
    /// Stripe's reason, in its words.
    pub reason: String,
}

/// Why a sync could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(
        "nothing to sync from: connect Stripe (`acquit stripe connect`) or set a relay (`acquit relay set`)"
    )]
    NoSource,
    #[error("no relay is set: `acquit relay set --url URL --inbox ID` (token on stdin)")]
    NoRelay,
    #[error("Stripe is not connected: `acquit stripe connect` (key on stdin) or ACQUIT_STRIPE_KEY")]
    NoStripe,
    #[error(transparent)]
    Relay(#[from] RelayError),
    #[error(transparent)]
    Stripe(#[from] StripeError),
    #[error(transparent)]
    Apply(#[from] SyncError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl EngineError {
    /// Input the user can fix (configuration) rather than an outside failure.
    pub fn is_configuration(&self) -> bool {
        matches!(
            self,
            EngineError::NoSource | EngineError::NoRelay | EngineError::NoStripe
        )
    }
}

/// Runs one sync. With `wait` > 0 and the relay as source, waits up to that
/// many seconds for a first event when none is pending (long-poll).
pub async fn sync(
    store: &mut Store,
    sources: Sources<'_>,
    choice: SourceChoice,
    wait: u32,
) -> Result<SyncReport, EngineError> {
    let mut report = SyncReport::default();
    let mut touched = BTreeSet::new();
    match choice {
        SourceChoice::Relay => {
            let relay = sources.relay.ok_or(EngineError::NoRelay)?;
            from_relay(
                store,
                relay,
                sources.stripe,
                wait,
                &mut report,
                &mut touched,
            )
            .await?;
        }
        SourceChoice::Stripe => {
            let stripe = sources.stripe.ok_or(EngineError::NoStripe)?;
            from_stripe(store, stripe, &mut report, &mut touched).await?;
        }
        SourceChoice::Auto => match (sources.relay, sources.stripe) {
            (None, None) => return Err(EngineError::NoSource),
            (Some(relay), stripe) => {
                match from_relay(store, relay, stripe, wait, &mut report, &mut touched).await {
                    // Reconciliation: once a day, also ask Stripe, in case
                    // a webhook never reached the relay (endpoint disabled
                    // after failures, secret rotated, relay restored from
                    // an old backup).
                    Ok(()) if stripe.is_some() && reconciliation_due(store)? => {
                        // The relay's events are in; Stripe being down only
                        // postpones this look (and their confirmation).
                        match from_stripe(store, stripe.unwrap(), &mut report, &mut touched).await
                        {
                            Err(EngineError::Stripe(error)) => report.warnings.push(format!(
                                "Stripe's own list of events could not be read ({error}); the next sync tries again"
                            )),
                            other => other?,
                        }
                    }
                    Ok(()) => {}
                    Err(EngineError::Relay(error)) if stripe.is_some() => {
                        report
                            .warnings
                            .push(format!("{error}; fetched from Stripe instead"));
                        from_stripe(store, stripe.unwrap(), &mut report, &mut touched).await?;
                    }
                    Err(other) => return Err(other),
                }
            }
            (None, Some(stripe)) => from_stripe(store, stripe, &mut report, &mut touched).await?,
        },
    }
    after_apply(store, sources, &touched, &mut report).await?;
    store.set_setting(LAST_SYNC, &chrono::Utc::now().to_rfc3339())?;
    Ok(report)
}

async fn from_relay(
    store: &mut Store,
    relay: &RelayClient,
    stripe: Option<&Client>,
    wait: u32,
    report: &mut SyncReport,
    touched: &mut BTreeSet<String>,
) -> Result<(), EngineError> {
    report.sources.push("relay");
    let mut confirmer = Confirmer { stripe, down: None };
    // What an earlier sync could not confirm goes first, in order.
    let mut batch = Vec::new();
    for waiting in store.unconfirmed_events()? {
        if let Some(claimed) = &waiting.payload {
            confirmer
                .receive(store, claimed, report, &mut batch)
                .await?;
        }
    }
    record(store, &batch, report, touched)?;
    let mut cursor = store.setting(RELAY_CURSOR)?;
    // Long-poll on the first request only: it returns at once when events
    // are pending, else when the first one arrives or `wait` runs out.
    let mut poll = wait;
    loop {
        let page = relay.pull(cursor.as_deref(), 100, poll).await?;
        poll = 0;
        let mut batch = Vec::with_capacity(page.events.len());
        for event in &page.events {
            confirmer
                .receive(store, &event.payload, report, &mut batch)
                .await?;
        }
        // The page in one transaction, then the cursor: a crash between
        // the two re-pulls a page whose events are then already applied.
        record(store, &batch, report, touched)?;
        if !page.next_cursor.is_empty() && cursor.as_deref() != Some(page.next_cursor.as_str()) {
            store.set_setting(RELAY_CURSOR, &page.next_cursor)?;
            cursor = Some(page.next_cursor);
        }
        if page.events.is_empty() {
            break;
        }
    }
    if let Some(why) = confirmer.down {
        report.warnings.push(format!(
            "{} payment event(s) wait for Stripe's confirmation: {why}",
            store.unconfirmed_events()?.len()
        ));
    }
    Ok(())
}

/// Confirms the relay's events with Stripe, one sync's worth: once Stripe
/// could not be asked, the rest of this sync's events wait without asking
/// again (one timeout per sync, not one per event).
struct Confirmer<'a> {
    stripe: Option<&'a Client>,
    /// Why Stripe could not be asked, once it could not.
    down: Option<String>,
}

impl Confirmer<'_> {
    /// Decides what to record of one event the relay handed over, and adds
    /// it to `batch` (recorded by the caller with its page).
    async fn receive(
        &mut self,
        store: &mut Store,
        claimed: &serde_json::Value,
        report: &mut SyncReport,
        batch: &mut Vec<NewStripeEvent>,
    ) -> Result<(), EngineError> {
        let field = |name: &str| claimed.get(name).and_then(|v| v.as_str());
        let (id, kind) = match (field("id"), field("type")) {
            (Some(id), Some(kind)) if confirm::needs_confirmation(kind) => (id, kind),
            // Nothing to do, and nothing recorded: what the relay says of
            // an event id must never stand in for Stripe's own copy of it.
            known => {
                if known.0.is_none() || known.1.is_none() {
                    report.warnings.push(
                        "the relay handed over an event without an id or a type: skipped".into(),
                    );
                }
                report.events += 1;
                report.ignored += 1;
                return Ok(());
            }
        };
        if store.stripe_event_decided(id)? {
            report.events += 1;
            report.already_applied += 1;
            return Ok(());
        }
        let created = claimed.get("created").and_then(|v| v.as_i64()).unwrap_or(0);
        let undecided = |record| NewStripeEvent {
            id: id.to_owned(),
            event_type: kind.to_owned(),
            created,
            source: EventSource::Relay,
            payload: Some(claimed.clone()),
            record,
        };
        let verdict = match &self.down {
            Some(why) => Verdict::Waiting(why.clone()),
            None => confirm::confirm(self.stripe, claimed).await,
        };
        match verdict {
            Verdict::Confirmed {
                event,
                relay_differed,
            } => {
                if let Some(how) = relay_differed {
                    tracing::warn!(event = id, %how, "the relay's copy of an event differs from Stripe's");
                    report.warnings.push(format!(
                        "the relay's copy of Stripe event {id} differs from Stripe's ({how}): Stripe's was applied; check who runs your relay"
                    ));
                }
                batch.extend(to_record(&event, EventSource::Relay, report));
            }
            Verdict::Rejected(why) => {
                tracing::warn!(event = id, %why, "event rejected");
                report
                    .warnings
                    .push(format!("Stripe event {id} rejected: {why}"));
                batch.push(undecided(Recording::Rejected(why)));
            }
            Verdict::Waiting(why) => {
                batch.push(undecided(Recording::Unconfirmed(why.clone())));
                self.down.get_or_insert(why);
            }
        }
        Ok(())
    }
}

async fn from_stripe(
    store: &mut Store,
    stripe: &Client,
    report: &mut SyncReport,
    touched: &mut BTreeSet<String>,
) -> Result<(), EngineError> {
    report.sources.push("stripe");
    let now = chrono::Utc::now().timestamp();
    let oldest = now - STRIPE_EVENT_RETENTION_SECS + 60;
    let since = store
        .setting(STRIPE_SINCE)?
        .and_then(|s| s.parse::<i64>().ok())
        .map_or(oldest, |s| (s - STRIPE_OVERLAP_SECS).max(oldest));
    let mut events = stripe.list_events(since, &ACQUIT_EVENT_TYPES).await?;
    // Stripe lists newest first; apply in the order things happened.
    events.reverse();
    let mut latest = since;
    let live = stripe.key().mode() == acquit_stripe::Mode::Live;
    // Recorded a page at a time (one transaction each), the cursor after.
    for page in events.chunks(PAGE) {
        let mut batch = Vec::with_capacity(page.len());
        for event in page {
            let raw = event.to_json();
            // Listed with the key, so of its mode and account; checked
            // anyway, as for the relay's events.
            if event.livemode != live || event.account.is_some() {
                batch.push(NewStripeEvent {
                    id: event.id.clone(),
                    event_type: event.event_type.clone(),
                    created: event.created,
                    source: EventSource::Stripe,
                    payload: Some(raw),
                    record: Recording::Rejected(
                        "an event of the other mode or of another account than the key's".into(),
                    ),
                });
            } else {
                batch.extend(to_record(&raw, EventSource::Stripe, report));
            }
            latest = latest.max(event.created);
        }
        record(store, &batch, report, touched)?;
    }
    store.set_setting(STRIPE_SINCE, &latest.to_string())?;
    store.set_setting(STRIPE_CHECKED, &now.to_string())?;
    Ok(())
}

/// Whether the daily look at Stripe's own events is due.
fn reconciliation_due(store: &Store) -> Result<bool, EngineError> {
    let last = store
        .setting(STRIPE_CHECKED)?
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0);
    Ok(chrono::Utc::now().timestamp() - last >= RECONCILE_EVERY_SECS)
}

/// What to record of Stripe's copy of an event; a malformed one is said in
/// a warning (and recorded as ignored when it has an id).
fn to_record(
    raw: &serde_json::Value,
    source: EventSource,
    report: &mut SyncReport,
) -> Option<NewStripeEvent> {
    let (record, malformed) = apply::to_record(raw, source);
    if let Some(error) = malformed {
        report.warnings.push(match error {
            SyncError::Malformed {
                event,
                field,
                problem,
            } => format!("Stripe event {event} skipped: {field} {problem}"),
            other => other.to_string(),
        });
    }
    record
}

/// Records a page of events in one transaction and counts what happened.
fn record(
    store: &mut Store,
    batch: &[NewStripeEvent],
    report: &mut SyncReport,
    touched: &mut BTreeSet<String>,
) -> Result<(), EngineError> {
    if batch.is_empty() {
        return Ok(());
    }
    for (event, outcome) in batch.iter().zip(store.record_stripe_events(batch)?) {
        if let (
            Recording::Apply(acquit_store::StripeFact::PaymentFailed { reason, .. }),
            ApplyOutcome::Applied {
                invoice: Some(number),
                ..
            },
        ) = (&event.record, &outcome)
        {
            report.payments_failed.push(FailedDebit {
                invoice: number.clone(),
                reason: reason.clone(),
            });
        }
        tally(report, touched, &outcome);
    }
    Ok(())
}

fn tally(report: &mut SyncReport, touched: &mut BTreeSet<String>, outcome: &ApplyOutcome) {
    report.events += 1;
    match outcome {
        ApplyOutcome::Applied { invoice, .. } => {
            report.applied += 1;
            if let Some(number) = invoice {
                touched.insert(number.clone());
                if !report.invoices.contains(number) {
                    report.invoices.push(number.clone());
                }
            }
        }
        ApplyOutcome::Ignored { .. } => report.ignored += 1,
        ApplyOutcome::Unmatched { .. } => report.unmatched += 1,
        ApplyOutcome::Deferred { .. } => report.deferred += 1,
        ApplyOutcome::Unconfirmed { .. } => report.unconfirmed += 1,
        ApplyOutcome::Rejected { .. } => report.rejected += 1,
        ApplyOutcome::AlreadyApplied => report.already_applied += 1,
    }
}

/// The consequences that need Stripe or the relay. Each failure is a
/// warning, and each step is retried by the next sync.
async fn after_apply(
    store: &mut Store,
    sources: Sources<'_>,
    touched: &BTreeSet<String>,
    report: &mut SyncReport,
) -> Result<(), EngineError> {
    // The invoices whose link was just made are published with the others.
    let mut touched = touched.clone();
    if let Some(stripe) = sources.stripe {
        match links::resume_pending(store, stripe).await {
            Ok(made) => {
                report.links_resumed = made.len();
                touched.extend(made.into_iter().map(|l| l.invoice_number));
            }
            Err(error) => report.warnings.push(error.to_string()),
        }
        fill_fees(store, stripe, report).await?;
        withdraw_links_of_settled(store, stripe, &touched, report).await?;
    }
    if let Some(relay) = sources.relay {
        publish_links(store, relay, &touched, report).await?;
    }
    report.touched = touched;
    Ok(())
}

async fn fill_fees(
    store: &mut Store,
    stripe: &Client,
    report: &mut SyncReport,
) -> Result<(), EngineError> {
    for missing in store.payments_missing_fee()? {
        match stripe.fee_and_net(&missing.payment_intent).await {
            Ok(Some(fee)) => {
                let currency = store.invoice(&missing.invoice_number)?.currency;
                // The fee is in the Stripe balance's currency; the ledger
                // keeps fees in the invoice's, so a converted payment's fee
                // is left for the Stripe Dashboard rather than mixed.
                if !fee.currency.eq_ignore_ascii_case(currency.code()) {
                    report.warnings.push(format!(
                        "the Stripe fee of {} is in {}, not {}: see it in the Stripe Dashboard",
                        missing.invoice_number,
                        fee.currency.to_ascii_uppercase(),
                        currency.code()
                    ));
                    continue;
                }
                let fee = acquit_core::Money::new(fee.fee, currency);
                match store.set_payment_fee(&missing.payment_intent, fee) {
                    Ok(_) => report.fees_filled += 1,
                    // A fee the books refuse (negative, another already
                    // recorded) must not stop the rest of the sync.
                    Err(StoreError::Rejected(why)) => report.warnings.push(format!(
                        "the Stripe fee of {} was not recorded: {why}",
                        missing.invoice_number
                    )),
                    Err(other) => return Err(other.into()),
                }
            }
            // Not settled yet (SEPA): the next sync asks again.
            Ok(None) => {}
            Err(error) => {
                report.warnings.push(format!(
                    "fee of {} not known yet: {error}",
                    missing.invoice_number
                ));
                if matches!(error, StripeError::Network { .. } | StripeError::Timeout) {
                    break;
                }
            }
        }
    }
    Ok(())
}

/// Nothing left to pay, or less than a link asks: the invoice's open links
/// must not take a second payment or more than is due.
async fn withdraw_links_of_settled(
    store: &mut Store,
    stripe: &Client,
    touched: &BTreeSet<String>,
    report: &mut SyncReport,
) -> Result<(), EngineError> {
    let mut pending = pending(store, UNWITHDRAWN)?;
    pending.extend(touched.iter().cloned());
    let mut failed = BTreeSet::new();
    for number in &pending {
        let due = match store.invoice(number) {
            Ok(view) => view.amount_due,
            Err(StoreError::Rejected(_)) => continue,
            Err(other) => return Err(other.into()),
        };
        for link in store.open_links_of(number)? {
            // Nothing due: no link may take a second payment. Part paid (a
            // deposit, a transfer recorded by hand): an open link for more
            // than what remains would overcharge the client.
            let overcharges = link.status == LinkStatus::Open && link.amount.minor() > due.minor();
            if due.is_positive() && !overcharges {
                continue;
            }
            match links::withdraw_on_stripe(stripe, &link).await {
                Ok(()) => {
                    store.set_link_status(link.id, LinkStatus::Deactivated)?;
                    report.links_withdrawn += 1;
                }
                Err(error) => {
                    failed.insert(number.clone());
                    report.warnings.push(format!(
                        "link {} of {number} is still open on Stripe: {error}",
                        link.id.0
                    ));
                }
            }
        }
    }
    save_pending(store, UNWITHDRAWN, &failed)?;
    Ok(())
}

/// A set of invoice numbers kept in a setting (JSON array).
fn pending(store: &Store, key: &str) -> Result<BTreeSet<String>, StoreError> {
    Ok(store
        .setting(key)?
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

fn save_pending(
    store: &mut Store,
    key: &str,
    numbers: &BTreeSet<String>,
) -> Result<(), StoreError> {
    if numbers.is_empty() && store.setting(key)?.is_none() {
        return Ok(());
    }
    store.set_setting(
        key,
        &serde_json::to_string(numbers).expect("a set of strings"),
    )
}

/// After a payment recorded or reversed by hand (`acquit payment
/// add|reverse`, the app's "Record a payment"): marks the invoice for the
/// consequences a synced Stripe payment gets here (its open links withdrawn
/// on Stripe when nothing is left to pay, their state republished on the
/// relay), so that the next sync carries them out if they cannot be done
/// now; its shared page is the documents' part (`acquit_documents::published`,
/// which callers use). No network; the payment is already recorded.
pub fn mark_changed(store: &mut Store, number: &str) -> Result<(), StoreError> {
    mark_pending(store, &[UNWITHDRAWN, UNPUBLISHED], number)
}

/// Adds `number` to the invoice sets kept under `keys` (settings holding a
/// JSON array each), for the next sync to carry out what they stand for.
pub fn mark_pending(store: &mut Store, keys: &[&str], number: &str) -> Result<(), StoreError> {
    for &key in keys {
        let mut numbers = pending(store, key)?;
        if numbers.insert(number.to_owned()) {
            save_pending(store, key, &numbers)?;
        }
    }
    Ok(())
}

/// What [`after_manual_payment`] could not do yet: each is retried by the
/// next sync.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Republished {
    pub links_withdrawn: usize,
    pub links_published: usize,
    /// Problems (relay or Stripe unreachable), each saying what is behind.
    pub warnings: Vec<String>,
}

/// The one call after a payment recorded or reversed by hand: marks the
/// invoice ([`mark_changed`]) then, with whatever is configured, withdraws
/// the links of a settled invoice and republishes the link states (the
/// shared invoice page is the documents' part: callers use
/// `acquit_documents::published::after_manual_payment`). Network failures
/// are warnings, never errors: the payment stands and the next sync retries.
pub async fn after_manual_payment(
    store: &mut Store,
    sources: Sources<'_>,
    number: &str,
) -> Result<Republished, StoreError> {
    mark_changed(store, number)?;
    let mut report = SyncReport::default();
    let none = BTreeSet::new();
    if let Some(stripe) = sources.stripe {
        match withdraw_links_of_settled(store, stripe, &none, &mut report).await {
            Ok(()) => {}
            Err(EngineError::Store(e)) => return Err(e),
            Err(other) => report.warnings.push(other.to_string()),
        }
    }
    if let Some(relay) = sources.relay {
        match publish_links(store, relay, &none, &mut report).await {
            Ok(()) => {}
            Err(EngineError::Store(e)) => return Err(e),
            Err(other) => report.warnings.push(other.to_string()),
        }
    }
    Ok(Republished {
        links_withdrawn: report.links_withdrawn,
        links_published: report.links_published,
        warnings: report.warnings,
    })
}

async fn publish_links(
    store: &mut Store,
    relay: &RelayClient,
    touched: &BTreeSet<String>,
    report: &mut SyncReport,
) -> Result<(), EngineError> {
    let mut pending = pending(store, UNPUBLISHED)?;
    pending.extend(touched.iter().cloned());
    let mut failed = BTreeSet::new();
    for number in &pending {
        let links = match store.links(number) {
            Ok(links) => links,
            Err(StoreError::Rejected(_)) => continue,
            Err(other) => return Err(other.into()),
        };
        for link in links.iter().filter(|l| l.stripe_id.is_some()) {
            match links::publish(store, relay, link).await {
                Ok(()) => report.links_published += 1,
                Err(error) => {
                    if failed.insert(number.clone()) {
                        report.warnings.push(format!(
                            "the payment page of {number} is not updated yet: {error}"
                        ));
                    }
                }
            }
        }
    }
    save_pending(store, UNPUBLISHED, &failed)?;
    Ok(())
}
