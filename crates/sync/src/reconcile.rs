//! Reconciliation with Stripe (`acquit reconcile`, the app's Reconciliation
//! screen): what Stripe and the books disagree on.
//!
//! - **Missing in Acquit**: a Checkout Session Stripe reports paid in the
//!   last 30 days whose PaymentIntent no recorded payment has.
//! - **Unknown to Stripe**: a Stripe payment recorded in the last 30 days
//!   (received within the last 29, to stay clear of the window's edge)
//!   whose PaymentIntent none of those sessions paid.
//! - **Unmatched event**: an event sync kept because it concerned no link
//!   or invoice of these books.
//! - **Rejected event**: an event the relay delivered that Stripe did not
//!   confirm (unknown to Stripe, the other mode, another account, an object
//!   in another state), or whose fact the books refused: never applied.
//! - **Unconfirmed event**: received from the relay, waiting for Stripe to
//!   be reachable to confirm it; the next sync asks again.
//!
//! Only 30 days can be compared: Stripe keeps events that long. The
//! comparison reads events already fetched ([`compare`]), so it is tested
//! without a network; [`reconcile`] fetches them.

use std::collections::BTreeSet;

use acquit_core::{Currency, Money};
use acquit_store::{Store, StoreError};
use acquit_stripe::{Client, Event, StripeError};
use chrono::NaiveDate;

/// The event types that tell a session was paid.
pub const PAID_EVENT_TYPES: [&str; 2] = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
];

/// How far back Stripe's events go.
pub const WINDOW_DAYS: i64 = 30;

/// What kind of disagreement a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    MissingInAcquit,
    UnknownToStripe,
    UnmatchedEvent,
    RejectedEvent,
    UnconfirmedEvent,
}

impl FindingKind {
    /// As `acquit reconcile --json` writes it.
    pub fn as_str(&self) -> &'static str {
        match self {
            FindingKind::MissingInAcquit => "missing-in-acquit",
            FindingKind::UnknownToStripe => "unknown-to-stripe",
            FindingKind::UnmatchedEvent => "unmatched-event",
            FindingKind::RejectedEvent => "rejected-event",
            FindingKind::UnconfirmedEvent => "unconfirmed-event",
        }
    }
}

/// One difference between Stripe and the books.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    /// The PaymentIntent (`pi_…`), or the event (`evt_…`) for an unmatched one.
    pub stripe_ref: String,
    /// The invoice concerned, when known (for a missing payment: the one
    /// its metadata names, if Acquit made the link).
    pub invoice_number: Option<String>,
    /// The session's amount (missing payments only).
    pub amount: Option<Money>,
    /// For an event kept by sync (unmatched, rejected, unconfirmed): what
    /// sync said about it.
    pub detail: Option<String>,
}

/// The outcome of a reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reconciliation {
    pub findings: Vec<Finding>,
    /// Paid sessions Stripe reported over the window.
    pub paid_sessions: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(transparent)]
    Stripe(#[from] StripeError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Lists Stripe's paid-session events of the last 30 days (before the Unix
/// time `now`) and compares them with the books.
pub async fn reconcile(
    store: &Store,
    stripe: &Client,
    now: i64,
) -> Result<Reconciliation, ReconcileError> {
    // A minute of margin: an event at the very edge may be gone by the time
    // the last page is read.
    let since = now - WINDOW_DAYS * 24 * 3600 + 60;
    let events = stripe.list_events(since, &PAID_EVENT_TYPES).await?;
    Ok(compare(store, &events, acquit_store::today())?)
}

/// Compares `events` (Stripe's, of the last 30 days) with the payments
/// recorded, `today` being the last day of the window.
pub fn compare(
    store: &Store,
    events: &[Event],
    today: NaiveDate,
) -> Result<Reconciliation, StoreError> {
    let recorded = store.stripe_payment_intents(None)?;
    let recent = store.stripe_payment_intents(Some(today - chrono::Days::new(29)))?;
    let mut findings = Vec::new();
    let mut seen = BTreeSet::new();
    for event in events {
        let object = &event.data.object;
        if object["payment_status"] != "paid" {
            continue;
        }
        let Some(intent) = object["payment_intent"]
            .as_str()
            .or_else(|| object["payment_intent"]["id"].as_str())
        else {
            continue;
        };
        if !seen.insert(intent.to_owned()) || recorded.contains_key(intent) {
            continue;
        }
        let amount = object["amount_total"].as_i64().and_then(|minor| {
            let code = object["currency"].as_str()?.to_ascii_uppercase();
            Some(Money::new(minor, Currency::from_code(&code).ok()?))
        });
        findings.push(Finding {
            kind: FindingKind::MissingInAcquit,
            stripe_ref: intent.to_owned(),
            invoice_number: object["metadata"]["acquit_invoice_number"]
                .as_str()
                .map(str::to_owned),
            amount,
            detail: None,
        });
    }
    for (intent, number) in &recent {
        if !seen.contains(intent) {
            findings.push(Finding {
                kind: FindingKind::UnknownToStripe,
                stripe_ref: intent.clone(),
                invoice_number: Some(number.clone()),
                amount: None,
                detail: None,
            });
        }
    }
    let kept = [
        (FindingKind::UnmatchedEvent, store.unmatched_events()?),
        (FindingKind::RejectedEvent, store.rejected_events()?),
        (FindingKind::UnconfirmedEvent, store.unconfirmed_events()?),
    ];
    for (kind, records) in kept {
        for record in records {
            findings.push(Finding {
                kind,
                stripe_ref: record.event_id,
                invoice_number: record.invoice_number,
                amount: None,
                detail: Some(record.detail),
            });
        }
    }
    Ok(Reconciliation {
        findings,
        paid_sessions: seen.len(),
    })
}
