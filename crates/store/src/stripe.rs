//! Stripe events applied to the store, exactly once and in any order.
//!
//! `crates/sync` reads a Stripe event into a [`StripeFact`] (what happened,
//! in the store's terms) and hands it to [`Store::apply_stripe_fact`], which
//! applies it in one `BEGIN IMMEDIATE` transaction together with the record
//! of the event id in `stripe_events`. An event already recorded as applied,
//! ignored, unmatched or rejected is not applied again
//! ([`ApplyOutcome::AlreadyApplied`]). A page of events is recorded in one
//! transaction by [`Store::record_stripe_events`] (one fsync per page),
//! each event under its own savepoint.
//!
//! # Rules
//!
//! - **Order.** Every fact only adds to what the store knows (a payment, a
//!   refund, a checkout session's furthest state, a link's expiry or
//!   deactivation) and a link's status is derived from all of it (see
//!   `links.rs`), so any order of the same events gives the same books.
//! - **One payment per PaymentIntent.** A second success for the same
//!   `payment_intent` (another event, or the relay and Stripe both) records
//!   nothing more.
//! - **Overpayment.** Money Stripe took is always recorded, even beyond what
//!   is due (two links paid for the same balance, a credit note issued
//!   meanwhile): the invoice then shows it paid with a refund due
//!   (`InvoiceView::refund_due`), and the event's detail says by how much.
//!   Dropping it would make the books disagree with the bank.
//! - **Dates.** A payment or refund is received on the UTC date of the
//!   event's `created` (the moment Stripe recorded it), so the same event
//!   gives the same row whenever and wherever it is synced.
//! - **Refunds.** Stripe reports the *cumulative* amount refunded on a
//!   charge. Listed refunds (`re_…`) not recorded yet are recorded, each at
//!   most once, as long as the total stays within the cumulative amount; any
//!   remainder Stripe did not itemize is recorded as one refund row against
//!   the charge. So the refunded total of a payment always equals the
//!   largest cumulative amount seen, whatever the order. Each refund row
//!   comes with a [`RefundProposal`]: a credit note for the user to issue.
//! - **Unknown links or invoices** give [`ApplyOutcome::Unmatched`]: nothing
//!   changes, the fact and raw event are kept for the reconciliation view
//!   ([`Store::unmatched_events`]).
//! - **A refund before its payment** gives [`ApplyOutcome::Deferred`]: kept,
//!   and applied by [`Store::retry_deferred`] once the payment is recorded.
//! - **Stripe is the truth.** `crates/sync` hands the store only facts read
//!   from Stripe's own copy of an event. An event the relay delivered while
//!   Stripe could not be asked is kept as *unconfirmed*
//!   ([`Store::record_unconfirmed`]); one Stripe does not confirm is
//!   *rejected* ([`Store::record_rejected`]) and never applied.
//! - **One bad fact never stalls sync.** A fact the books refuse (negative
//!   fee, fee above the amount, refund beyond its payment, amount above
//!   [`MAX_STRIPE_MINOR`]) is recorded as rejected with the reason, in its
//!   own transaction after the refused one rolled back.

use acquit_core::{Currency, Money};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::journal::{self, Subject};
use crate::links::{self, LinkKind};
use crate::payments::{PaymentId, StripeMethod};
use crate::{Rejection, Store, StoreError, from_json, invoices, now_rfc3339, to_json};

/// Where an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    /// The user's relay (webhooks).
    Relay,
    /// Stripe's `/v1/events`, asked directly.
    Stripe,
}

impl EventSource {
    pub fn as_str(&self) -> &'static str {
        match self {
            EventSource::Relay => "relay",
            EventSource::Stripe => "stripe",
        }
    }

    fn from_db(s: &str) -> Result<EventSource, StoreError> {
        match s {
            "relay" => Ok(EventSource::Relay),
            "stripe" => Ok(EventSource::Stripe),
            other => Err(StoreError::Decode(format!("event source {other:?}"))),
        }
    }
}

/// What a checkout-related event says about which link and invoice it
/// concerns: Stripe's ids, and the metadata Acquit put on the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutRef {
    /// `cs_…`
    pub checkout_session: String,
    /// `plink_…`, when the session came from a Payment Link.
    pub payment_link: Option<String>,
    /// Metadata `acquit_invoice_id`.
    pub invoice_id: Option<i64>,
    /// Metadata `acquit_invoice_number`.
    pub invoice_number: Option<String>,
    /// Metadata `acquit_link_id`.
    pub link_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StripeRefund {
    /// `re_…`
    pub id: String,
    /// Positive.
    pub amount: Money,
}

/// One domain fact read from a Stripe event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum StripeFact {
    /// Money was taken: record a payment (once per PaymentIntent).
    PaymentSucceeded {
        checkout: CheckoutRef,
        payment_intent: String,
        charge: Option<String>,
        /// Positive.
        amount: Money,
        method: StripeMethod,
        received_on: NaiveDate,
        fee: Option<Money>,
    },
    /// A payment started and awaits its outcome (SEPA Direct Debit).
    PaymentProcessing { checkout: CheckoutRef },
    /// An asynchronous payment failed: nothing is recorded.
    PaymentFailed {
        checkout: CheckoutRef,
        reason: String,
    },
    /// A Checkout Session expired unpaid.
    SessionExpired { checkout: CheckoutRef },
    /// A charge was refunded, in part or in full.
    Refunded {
        charge: String,
        payment_intent: Option<String>,
        /// Cumulative, positive: everything refunded on this charge so far.
        amount_refunded: Money,
        /// The refunds Stripe listed, if it did.
        refunds: Vec<StripeRefund>,
        refunded_on: NaiveDate,
    },
    /// A Payment Link was deactivated (in Stripe's dashboard or by us).
    LinkDeactivated { payment_link: String },
    /// An event Acquit has nothing to do with.
    Ignored { why: String },
}

/// What applying an event did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ApplyOutcome {
    /// Applied now; `invoice` is the invoice it concerned.
    Applied {
        invoice: Option<String>,
        detail: String,
    },
    Ignored {
        detail: String,
    },
    /// About a link or invoice Acquit does not know: kept for reconciliation.
    Unmatched {
        detail: String,
    },
    /// A refund whose payment is not recorded yet: kept, retried.
    Deferred {
        detail: String,
    },
    /// Received from the relay, not confirmed by Stripe yet (Stripe could
    /// not be asked): kept, confirmed by a later sync, never applied as is.
    Unconfirmed {
        detail: String,
    },
    /// Never applied: Stripe does not confirm it, or the books refused its
    /// fact. `detail` says why.
    Rejected {
        detail: String,
    },
    /// This event id was already applied, ignored, unmatched or rejected.
    AlreadyApplied,
}

impl ApplyOutcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            ApplyOutcome::Applied { .. } => "applied",
            ApplyOutcome::Ignored { .. } => "ignored",
            ApplyOutcome::Unmatched { .. } => "unmatched",
            ApplyOutcome::Deferred { .. } => "deferred",
            ApplyOutcome::Unconfirmed { .. } => "unconfirmed",
            ApplyOutcome::Rejected { .. } => "rejected",
            ApplyOutcome::AlreadyApplied => "already-applied",
        }
    }
}

/// A row of `stripe_events`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StripeEventRecord {
    pub event_id: String,
    pub event_type: String,
    /// Stripe's `created` (Unix seconds).
    pub created: i64,
    pub source: EventSource,
    /// applied, ignored, unmatched, deferred, unconfirmed or rejected.
    pub outcome: String,
    pub invoice_number: Option<String>,
    pub detail: String,
    /// Kept while unmatched or deferred.
    pub fact: Option<StripeFact>,
    /// The raw event, kept while unmatched, deferred or unconfirmed, and
    /// for a rejected event what was received (when given).
    pub payload: Option<serde_json::Value>,
    pub first_seen_at: String,
    pub applied_at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Open,
    Done,
    Dismissed,
}

/// A refund made in Stripe, proposed to the user as a credit note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundProposal {
    pub id: i64,
    pub invoice_number: String,
    /// Positive: the credit note to issue.
    pub amount: Money,
    /// `re_…`, or the charge when Stripe did not itemize the refund.
    pub stripe_ref: String,
    /// The refund row in the payments.
    pub refund_payment: PaymentId,
    pub status: ProposalStatus,
    /// The credit note that settled it.
    pub credit_note: Option<String>,
    pub created_at: String,
}

/// A Stripe payment whose fee is not known yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingFee {
    pub payment: PaymentId,
    pub invoice_number: String,
    pub payment_intent: String,
    pub charge: Option<String>,
}

impl Store {
    /// Applies one Stripe fact and records the event, in one transaction.
    pub fn apply_stripe_fact(
        &mut self,
        event_id: &str,
        event_type: &str,
        created: i64,
        source: EventSource,
        fact: &StripeFact,
    ) -> Result<ApplyOutcome, StoreError> {
        self.apply_stripe_event(event_id, event_type, created, source, fact, None)
    }

    /// [`Store::apply_stripe_fact`], keeping the raw event (`payload`) if
    /// the event ends up unmatched or deferred. A fact the books refuse (a
    /// negative fee, a refund beyond its payment, an amount out of range)
    /// is recorded as [`ApplyOutcome::Rejected`] with the reason, so one bad
    /// event never stalls the events after it.
    pub fn apply_stripe_event(
        &mut self,
        event_id: &str,
        event_type: &str,
        created: i64,
        source: EventSource,
        fact: &StripeFact,
        payload: Option<&serde_json::Value>,
    ) -> Result<ApplyOutcome, StoreError> {
        let head = EventHead::of(event_id, event_type, created, source, payload);
        self.record_alone(&head, &Recording::Apply(fact.clone()))
    }

    /// Records a page of events in **one transaction** (one fsync for the
    /// page, not one per event), in order, then applies again the refunds
    /// that were waiting for a payment of this page. Each event is what
    /// [`Store::apply_stripe_event`], [`Store::record_unconfirmed`] or
    /// [`Store::record_rejected`] would record, with the same outcome: a
    /// fact the books refuse rolls back to a savepoint and is recorded as
    /// rejected, the others stay. Any other error (the disk) records none
    /// of them, so the caller, whose cursor has not moved, fetches the page
    /// again: exactly once either way.
    pub fn record_stripe_events(
        &mut self,
        events: &[NewStripeEvent],
    ) -> Result<Vec<ApplyOutcome>, StoreError> {
        for event in events {
            check_id(&event.id)?;
        }
        self.write(|tx| {
            let mut outcomes = Vec::with_capacity(events.len());
            for event in events {
                outcomes.push(record_one(tx, &event.head(), &event.record)?);
            }
            if outcomes
                .iter()
                .any(|o| matches!(o, ApplyOutcome::Applied { .. }))
            {
                retry_deferred_in(tx)?;
            }
            Ok(outcomes)
        })
    }

    /// Records an event received from the relay that Stripe could not
    /// confirm yet (`why`: what stood in the way). Its payload is kept for
    /// the next sync to confirm; nothing else changes. An event already
    /// decided is left as it is.
    pub fn record_unconfirmed(
        &mut self,
        event_id: &str,
        event_type: &str,
        created: i64,
        payload: &serde_json::Value,
        why: &str,
    ) -> Result<ApplyOutcome, StoreError> {
        let head = EventHead::of(
            event_id,
            event_type,
            created,
            EventSource::Relay,
            Some(payload),
        );
        self.record_alone(&head, &Recording::Unconfirmed(why.to_owned()))
    }

    /// Records an event that must never be applied (`why`: Stripe does not
    /// know it, it is of the other mode, Stripe's object disagrees, the
    /// books refused its fact), keeping what was received. Final. An event
    /// already applied, ignored or unmatched is left as it is.
    pub fn record_rejected(
        &mut self,
        event_id: &str,
        event_type: &str,
        created: i64,
        source: EventSource,
        payload: Option<&serde_json::Value>,
        why: &str,
    ) -> Result<ApplyOutcome, StoreError> {
        let head = EventHead::of(event_id, event_type, created, source, payload);
        self.record_alone(&head, &Recording::Rejected(why.to_owned()))
    }

    /// One event in its own transaction (no deferred refund retried).
    fn record_alone(
        &mut self,
        head: &EventHead<'_>,
        record: &Recording,
    ) -> Result<ApplyOutcome, StoreError> {
        check_id(head.id)?;
        self.write(|tx| record_one(tx, head, record))
    }

    /// Applies again every deferred event, oldest first, until none more
    /// applies. Returns the events applied now.
    pub fn retry_deferred(&mut self) -> Result<Vec<(String, ApplyOutcome)>, StoreError> {
        self.write(retry_deferred_in)
    }

    /// Events about links or invoices Acquit does not know, newest first.
    pub fn unmatched_events(&self) -> Result<Vec<StripeEventRecord>, StoreError> {
        self.events("e.outcome = 'unmatched' ORDER BY e.created DESC, e.event_id")
    }

    /// Events received from the relay and waiting for Stripe's
    /// confirmation, oldest first.
    pub fn unconfirmed_events(&self) -> Result<Vec<StripeEventRecord>, StoreError> {
        self.events("e.outcome = 'unconfirmed' ORDER BY e.created, e.event_id")
    }

    /// Events never applied because Stripe did not confirm them or the
    /// books refused them, newest first.
    pub fn rejected_events(&self) -> Result<Vec<StripeEventRecord>, StoreError> {
        self.events("e.outcome = 'rejected' ORDER BY e.created DESC, e.event_id")
    }

    /// Whether `event_id` is recorded with a final outcome for the relay
    /// (applied, ignored, unmatched or rejected): nothing more is to be
    /// done with the relay's copy of it.
    pub fn stripe_event_decided(&self, event_id: &str) -> Result<bool, StoreError> {
        is_final(self.conn(), event_id, EventSource::Relay)
    }

    /// Refunds waiting for their payment, oldest first.
    pub fn deferred_events(&self) -> Result<Vec<StripeEventRecord>, StoreError> {
        self.events("e.outcome = 'deferred' ORDER BY e.created, e.event_id")
    }

    /// One recorded event.
    pub fn stripe_event(&self, event_id: &str) -> Result<Option<StripeEventRecord>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!("{EVENT_SELECT} WHERE e.event_id = ?1"))?;
        let mut rows = stmt.query_map([event_id], event_row)?;
        rows.next().transpose()?.transpose()
    }

    /// How many events were recorded, per outcome.
    pub fn stripe_event_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT outcome, count(*) FROM stripe_events GROUP BY outcome ORDER BY outcome",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn events(&self, condition: &str) -> Result<Vec<StripeEventRecord>, StoreError> {
        events_in(self.conn(), condition)
    }

    /// Fills the fee of the Stripe payment of `payment_intent`, once (the
    /// balance transaction is known after the payment).
    pub fn set_payment_fee(
        &mut self,
        payment_intent: &str,
        fee: Money,
    ) -> Result<PaymentId, StoreError> {
        self.write(|tx| {
            let row: Option<(i64, String, Option<i64>)> = tx
                .query_row(
                    "SELECT id, currency, fee_minor FROM payments
                     WHERE stripe_payment_intent = ?1 AND kind = 'payment'",
                    [payment_intent],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((id, currency, known)) = row else {
                return Err(Rejection::Invalid(format!(
                    "no payment is recorded for {payment_intent}: sync first"
                ))
                .into());
            };
            if fee.currency().code() != currency || fee.is_negative() {
                return Err(Rejection::Invalid(format!(
                    "a fee is zero or more, in {currency}, not {fee}"
                ))
                .into());
            }
            match known {
                Some(k) if k == fee.minor() => Ok(PaymentId(id)),
                Some(k) => Err(Rejection::Invalid(format!(
                    "the fee of payment {id} is already {}",
                    Money::new(k, fee.currency())
                ))
                .into()),
                None => {
                    tx.execute(
                        "UPDATE payments SET fee_minor = ?2 WHERE id = ?1",
                        params![id, fee.minor()],
                    )?;
                    Ok(PaymentId(id))
                }
            }
        })
    }

    /// Stripe payments whose fee is not known yet, oldest first.
    pub fn payments_missing_fee(&self) -> Result<Vec<MissingFee>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT p.id, i.number, p.stripe_payment_intent, p.stripe_charge
             FROM payments p JOIN invoices i ON i.id = p.invoice_id
             WHERE p.kind = 'payment' AND p.method = 'stripe' AND p.fee_minor IS NULL
               AND p.stripe_payment_intent IS NOT NULL ORDER BY p.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(MissingFee {
                payment: PaymentId(r.get(0)?),
                invoice_number: r.get(1)?,
                payment_intent: r.get(2)?,
                charge: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Refund proposals, newest first (open ones are what the user should
    /// act on).
    pub fn refund_proposals(&self) -> Result<Vec<RefundProposal>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT r.id, i.number, r.amount_minor, r.currency, r.stripe_ref, r.payment_id, r.status, r.credit_note, r.created_at
             FROM refund_proposals r JOIN invoices i ON i.id = r.invoice_id ORDER BY r.id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, String>(8)?,
            ))
        })?;
        rows.map(|row| {
            let (id, number, amount, currency, stripe_ref, payment, status, credit, created) = row?;
            Ok(RefundProposal {
                id,
                invoice_number: number,
                amount: Money::new(amount, currency_of(&currency)?),
                stripe_ref,
                refund_payment: PaymentId(payment),
                status: match status.as_str() {
                    "open" => ProposalStatus::Open,
                    "done" => ProposalStatus::Done,
                    "dismissed" => ProposalStatus::Dismissed,
                    other => return Err(StoreError::Decode(format!("proposal status {other:?}"))),
                },
                credit_note: credit,
                created_at: created,
            })
        })
        .collect()
    }

    /// Issues, dated `date`, the credit note that the open refund proposal
    /// `id` asks for: through [`Store::credit_note`] (numbered and locked
    /// like any other), for the refunded amount, with "Remboursement" or
    /// "Refund" as its reason in the client's language. Settling goes by
    /// amount, as for a credit note issued by hand: the oldest open proposal
    /// of that amount on the invoice is marked done. Returns its number.
    pub fn issue_refund_credit_note(
        &mut self,
        id: i64,
        date: NaiveDate,
    ) -> Result<String, StoreError> {
        let proposal = self
            .refund_proposals()?
            .into_iter()
            .find(|p| p.id == id && p.status == ProposalStatus::Open)
            .ok_or_else(|| {
                Rejection::Invalid(format!(
                    "there is no open refund proposal {id}: its credit note was issued or it was dismissed already"
                ))
            })?;
        let reason = match self.invoice(&proposal.invoice_number)?.buyer.lang {
            acquit_core::Lang::Fr => "Remboursement",
            acquit_core::Lang::En => "Refund",
        };
        self.credit_note(
            &proposal.invoice_number,
            Some(proposal.amount),
            Some(reason),
            date,
        )
    }

    /// The user declines to issue the credit note a refund proposed.
    pub fn dismiss_refund_proposal(&mut self, id: i64) -> Result<(), StoreError> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE refund_proposals SET status = 'dismissed', updated_at = ?2 WHERE id = ?1 AND status = 'open'",
                params![id, now_rfc3339()],
            )?;
            if changed == 0 {
                return Err(
                    Rejection::Invalid(format!("there is no open refund proposal {id}")).into(),
                );
            }
            Ok(())
        })
    }
}

/// A credit note of `amount` (positive) was issued for `invoice`: the
/// oldest open proposal of that amount is done.
pub(crate) fn credit_note_issued(
    tx: &Transaction<'_>,
    invoice: i64,
    amount: i64,
    number: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE refund_proposals SET status = 'done', credit_note = ?3, updated_at = ?4
         WHERE id = (SELECT id FROM refund_proposals
                     WHERE invoice_id = ?1 AND status = 'open' AND amount_minor = ?2 ORDER BY id LIMIT 1)",
        params![invoice, amount, number, now_rfc3339()],
    )?;
    Ok(())
}

const EVENT_SELECT: &str = "SELECT e.event_id, e.type, e.created, e.source, e.outcome, i.number, e.detail, e.fact, e.payload,
            e.first_seen_at, e.applied_at
     FROM stripe_events e LEFT JOIN invoices i ON i.id = e.invoice_id";

fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<StripeEventRecord, StoreError>> {
    let build = || -> Result<StripeEventRecord, StoreError> {
        Ok(StripeEventRecord {
            event_id: r.get(0)?,
            event_type: r.get(1)?,
            created: r.get(2)?,
            source: EventSource::from_db(&r.get::<_, String>(3)?)?,
            outcome: r.get(4)?,
            invoice_number: r.get(5)?,
            detail: r.get(6)?,
            fact: r
                .get::<_, Option<String>>(7)?
                .as_deref()
                .map(from_json)
                .transpose()?,
            payload: r
                .get::<_, Option<String>>(8)?
                .as_deref()
                .map(from_json)
                .transpose()?,
            first_seen_at: r.get(9)?,
            applied_at: r.get(10)?,
        })
    };
    Ok(build())
}

/// The largest amount a Stripe event may carry, in minor units (Stripe's
/// own limit is 99,999,999): far above any real payment, far enough below
/// `i64::MAX` that sums over millions of rows cannot overflow.
const MAX_STRIPE_MINOR: i64 = 1_000_000_000_000;

/// Whether the event is recorded with a final outcome for what comes now
/// from `source`. 'deferred' and 'unconfirmed' are tried again; and a
/// relay's event rejected on the relay's word alone (its mode, its type, a
/// malformed copy) never blocks Stripe's own copy of the same id, or a
/// relay could bury a real payment under its id.
/// An event to record with [`Store::record_stripe_events`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewStripeEvent {
    pub id: String,
    pub event_type: String,
    /// Stripe's `created` (Unix seconds).
    pub created: i64,
    pub source: EventSource,
    /// The raw event: kept while the event waits (unmatched, deferred,
    /// unconfirmed) and for a rejected one.
    pub payload: Option<serde_json::Value>,
    pub record: Recording,
}

/// What to record of a [`NewStripeEvent`].
#[derive(Debug, Clone, PartialEq)]
pub enum Recording {
    /// A fact read from Stripe's own copy: applied.
    Apply(StripeFact),
    /// Received from the relay, Stripe could not be asked (why).
    Unconfirmed(String),
    /// Never to be applied (why).
    Rejected(String),
}

impl NewStripeEvent {
    fn head(&self) -> EventHead<'_> {
        EventHead::of(
            &self.id,
            &self.event_type,
            self.created,
            self.source,
            self.payload.as_ref(),
        )
    }
}

/// What every recorded event carries.
struct EventHead<'a> {
    id: &'a str,
    event_type: &'a str,
    created: i64,
    source: EventSource,
    payload: Option<&'a serde_json::Value>,
}

impl<'a> EventHead<'a> {
    fn of(
        id: &'a str,
        event_type: &'a str,
        created: i64,
        source: EventSource,
        payload: Option<&'a serde_json::Value>,
    ) -> EventHead<'a> {
        EventHead {
            id,
            event_type,
            created,
            source,
            payload,
        }
    }
}

fn check_id(event_id: &str) -> Result<(), StoreError> {
    if event_id.trim().is_empty() {
        return Err(Rejection::Invalid("a Stripe event without an id".into()).into());
    }
    Ok(())
}

/// Records one event inside the caller's transaction, under a savepoint: a
/// fact the books refuse is rolled back alone and recorded as rejected.
fn record_one(
    tx: &Transaction<'_>,
    head: &EventHead<'_>,
    record: &Recording,
) -> Result<ApplyOutcome, StoreError> {
    tx.execute_batch("SAVEPOINT stripe_event")?;
    let recorded = match record {
        Recording::Apply(fact) => apply_fact(tx, head, fact),
        Recording::Unconfirmed(why) => record_undecided(tx, head, "unconfirmed", why),
        Recording::Rejected(why) => record_undecided(tx, head, "rejected", why),
    };
    let outcome = match recorded {
        Err(StoreError::Rejected(why)) => {
            tx.execute_batch("ROLLBACK TO stripe_event")?;
            record_undecided(
                tx,
                head,
                "rejected",
                &format!("the books refused it: {why}"),
            )
        }
        other => other,
    }?;
    tx.execute_batch("RELEASE stripe_event")?;
    Ok(outcome)
}

fn apply_fact(
    tx: &Transaction<'_>,
    head: &EventHead<'_>,
    fact: &StripeFact,
) -> Result<ApplyOutcome, StoreError> {
    if is_final(tx, head.id, head.source)? {
        return Ok(ApplyOutcome::AlreadyApplied);
    }
    let at = event_instant(head.created);
    let (outcome, invoice_id) = apply(tx, fact, &at)?;
    let (name, detail) = match &outcome {
        ApplyOutcome::Applied { detail, .. } => ("applied", detail),
        ApplyOutcome::Ignored { detail } => ("ignored", detail),
        ApplyOutcome::Unmatched { detail } => ("unmatched", detail),
        ApplyOutcome::Deferred { detail } => ("deferred", detail),
        ApplyOutcome::Unconfirmed { .. }
        | ApplyOutcome::Rejected { .. }
        | ApplyOutcome::AlreadyApplied => unreachable!("apply never says so"),
    };
    let waiting = matches!(name, "unmatched" | "deferred");
    let now = now_rfc3339();
    tx.execute(
        "INSERT INTO stripe_events (event_id, type, created, source, outcome, invoice_id, detail, fact, payload, first_seen_at, applied_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (event_id) DO UPDATE SET outcome = excluded.outcome, invoice_id = excluded.invoice_id,
             source = excluded.source, detail = excluded.detail, fact = excluded.fact,
             payload = CASE WHEN excluded.fact IS NULL THEN NULL ELSE COALESCE(excluded.payload, payload) END,
             applied_at = excluded.applied_at",
        params![
            head.id,
            head.event_type,
            head.created,
            head.source.as_str(),
            name,
            invoice_id,
            detail,
            waiting.then(|| to_json(fact)),
            head.payload.filter(|_| waiting).map(to_json),
            now,
            (!waiting).then_some(&now),
        ],
    )?;
    Ok(outcome)
}

fn record_undecided(
    tx: &Transaction<'_>,
    head: &EventHead<'_>,
    outcome: &'static str,
    why: &str,
) -> Result<ApplyOutcome, StoreError> {
    if is_final(tx, head.id, head.source)? {
        return Ok(ApplyOutcome::AlreadyApplied);
    }
    tx.execute(
        "INSERT INTO stripe_events (event_id, type, created, source, outcome, invoice_id, detail, fact, payload, first_seen_at, applied_at)
         VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, NULL, ?7, ?8, NULL)
         ON CONFLICT (event_id) DO UPDATE SET outcome = excluded.outcome, invoice_id = NULL,
             source = excluded.source, detail = excluded.detail, fact = NULL, payload = COALESCE(excluded.payload, payload),
             applied_at = NULL",
        params![
            head.id,
            head.event_type,
            head.created,
            head.source.as_str(),
            outcome,
            why,
            head.payload.map(to_json),
            now_rfc3339(),
        ],
    )?;
    let detail = why.to_owned();
    Ok(match outcome {
        "unconfirmed" => ApplyOutcome::Unconfirmed { detail },
        _ => ApplyOutcome::Rejected { detail },
    })
}

/// [`Store::retry_deferred`] inside the caller's transaction.
fn retry_deferred_in(tx: &Transaction<'_>) -> Result<Vec<(String, ApplyOutcome)>, StoreError> {
    let mut done = Vec::new();
    loop {
        let mut progressed = false;
        for event in events_in(tx, "e.outcome = 'deferred' ORDER BY e.created, e.event_id")? {
            let Some(fact) = event.fact else { continue };
            let head = EventHead::of(
                &event.event_id,
                &event.event_type,
                event.created,
                event.source,
                None,
            );
            let outcome = record_one(tx, &head, &Recording::Apply(fact))?;
            if !matches!(outcome, ApplyOutcome::Deferred { .. }) {
                progressed = true;
                done.push((event.event_id, outcome));
            }
        }
        if !progressed {
            return Ok(done);
        }
    }
}

fn events_in(conn: &Connection, condition: &str) -> Result<Vec<StripeEventRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("{EVENT_SELECT} WHERE {condition}"))?;
    let rows = stmt.query_map([], event_row)?;
    rows.map(|r| r.map_err(StoreError::from).and_then(|e| e))
        .collect()
}

fn is_final(conn: &Connection, event_id: &str, source: EventSource) -> Result<bool, StoreError> {
    let known: Option<(String, String)> = conn
        .query_row(
            "SELECT outcome, source FROM stripe_events WHERE event_id = ?1",
            [event_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(known.is_some_and(|(outcome, from)| match outcome.as_str() {
        "deferred" | "unconfirmed" => false,
        "rejected" => !(from == "relay" && source == EventSource::Stripe),
        _ => true,
    }))
}

fn currency_of(code: &str) -> Result<Currency, StoreError> {
    Currency::from_code(code).map_err(|e| StoreError::Decode(e.to_string()))
}

/// The event's `created` as RFC 3339 (what link history records).
fn event_instant(created: i64) -> String {
    chrono::DateTime::from_timestamp(created, 0)
        .map(links::rfc3339)
        .unwrap_or_else(now_rfc3339)
}

/// An invoice an event resolved to.
struct Target {
    invoice: i64,
    number: String,
    currency: String,
    link: Option<(i64, LinkKind)>,
}

/// Which of our links and invoices `c` is about: a link by Stripe's id (the
/// session for a Checkout link, else the Payment Link), else by the
/// `acquit_link_id` metadata (a link whose creation was not recorded yet),
/// else the invoice by its `acquit_invoice_id` metadata. Metadata must agree
/// with what it points at (invoice number), so events of another Acquit
/// database on the same Stripe account do not match by accident.
fn resolve(tx: &Transaction<'_>, c: &CheckoutRef) -> Result<Option<Target>, StoreError> {
    type Row = (i64, String, i64, String, String, Option<String>);
    let link_sql = "SELECT l.id, l.kind, i.id, i.number, i.currency, l.stripe_id
         FROM payment_links l JOIN invoices i ON i.id = l.invoice_id";
    let row = |r: &rusqlite::Row<'_>| -> rusqlite::Result<Row> {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    };
    let agrees = |number: &str| c.invoice_number.as_deref().is_none_or(|n| n == number);
    let target = |(link, kind, invoice, number, currency, _): Row| -> Result<Target, StoreError> {
        let kind = match kind.as_str() {
            "checkout" => LinkKind::Checkout,
            _ => LinkKind::PaymentLink,
        };
        Ok(Target {
            invoice,
            number,
            currency,
            link: Some((link, kind)),
        })
    };
    for stripe_id in std::iter::once(&c.checkout_session).chain(c.payment_link.as_ref()) {
        let found: Option<Row> = tx
            .query_row(
                &format!("{link_sql} WHERE l.stripe_id = ?1"),
                [stripe_id],
                row,
            )
            .optional()?;
        if let Some(found) = found {
            return target(found).map(Some);
        }
    }
    if let Some(id) = c.link_id {
        let found: Option<Row> = tx
            .query_row(&format!("{link_sql} WHERE l.id = ?1"), [id], row)
            .optional()?;
        // A link Stripe already knows under another id is not this one.
        if let Some(found) = found
            && found.5.is_none()
            && agrees(&found.3)
            && c.invoice_id.is_none_or(|i| i == found.2)
        {
            return target(found).map(Some);
        }
    }
    if let Some(id) = c.invoice_id {
        let found: Option<(i64, String, String)> = tx
            .query_row(
                "SELECT id, number, currency FROM invoices
                 WHERE id = ?1 AND number IS NOT NULL AND kind <> 'credit_note'",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((invoice, number, currency)) = found
            && agrees(&number)
        {
            return Ok(Some(Target {
                invoice,
                number,
                currency,
                link: None,
            }));
        }
    }
    Ok(None)
}

fn describe_ref(c: &CheckoutRef) -> String {
    let mut parts = vec![format!("session {}", c.checkout_session)];
    if let Some(l) = &c.payment_link {
        parts.push(format!("payment link {l}"));
    }
    if let Some(n) = &c.invoice_number {
        parts.push(format!("invoice {n}"));
    } else if let Some(i) = c.invoice_id {
        parts.push(format!("invoice id {i}"));
    }
    if let Some(l) = c.link_id {
        parts.push(format!("link {l}"));
    }
    parts.join(", ")
}

fn unmatched(what: String) -> (ApplyOutcome, Option<i64>) {
    (ApplyOutcome::Unmatched { detail: what }, None)
}

fn applied(t: &Target, detail: String) -> (ApplyOutcome, Option<i64>) {
    (
        ApplyOutcome::Applied {
            invoice: Some(t.number.clone()),
            detail,
        },
        Some(t.invoice),
    )
}

/// Records the furthest state a checkout session reached: processing only
/// if nothing is known yet, paid over anything, failed over processing.
fn session_state(
    tx: &Transaction<'_>,
    session: &str,
    link: i64,
    state: &str,
    failure: Option<&str>,
) -> Result<(), StoreError> {
    let sql = match state {
        "processing" => {
            "INSERT INTO checkout_sessions (id, link_id, state, failure, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO NOTHING"
        }
        "paid" => {
            "INSERT INTO checkout_sessions (id, link_id, state, failure, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET state = 'paid', failure = NULL, updated_at = excluded.updated_at
             WHERE state <> 'paid'"
        }
        _ => {
            "INSERT INTO checkout_sessions (id, link_id, state, failure, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET state = 'failed', failure = excluded.failure, updated_at = excluded.updated_at
             WHERE state = 'processing'"
        }
    };
    tx.execute(sql, params![session, link, state, failure, now_rfc3339()])?;
    Ok(())
}

/// Applies `fact` inside the caller's transaction; returns the outcome and
/// the invoice concerned. One function per kind of fact.
fn apply(
    tx: &Transaction<'_>,
    fact: &StripeFact,
    at: &str,
) -> Result<(ApplyOutcome, Option<i64>), StoreError> {
    match fact {
        StripeFact::Ignored { why } => Ok((
            ApplyOutcome::Ignored {
                detail: why.clone(),
            },
            None,
        )),
        StripeFact::PaymentSucceeded {
            checkout,
            payment_intent,
            charge,
            amount,
            method,
            received_on,
            fee,
        } => payment_succeeded(
            tx,
            Succeeded {
                checkout,
                payment_intent,
                charge: charge.as_deref(),
                amount: *amount,
                method: *method,
                received_on: *received_on,
                fee: *fee,
            },
            at,
        ),
        StripeFact::PaymentProcessing { checkout } => payment_processing(tx, checkout, at),
        StripeFact::PaymentFailed { checkout, reason } => payment_failed(tx, checkout, reason, at),
        StripeFact::SessionExpired { checkout } => session_expired(tx, checkout, at),
        StripeFact::LinkDeactivated { payment_link } => link_deactivated(tx, payment_link, at),
        StripeFact::Refunded {
            charge,
            payment_intent,
            amount_refunded,
            refunds,
            refunded_on,
        } => refunded(
            tx,
            charge,
            payment_intent.as_deref(),
            *amount_refunded,
            refunds,
            *refunded_on,
        ),
    }
}

/// A [`StripeFact::PaymentSucceeded`]'s fields.
struct Succeeded<'a> {
    checkout: &'a CheckoutRef,
    payment_intent: &'a str,
    charge: Option<&'a str>,
    amount: Money,
    method: StripeMethod,
    received_on: NaiveDate,
    fee: Option<Money>,
}

/// Money was taken: a payment recorded once per PaymentIntent (a second
/// event for the same one says so and records nothing), its link's state.
fn payment_succeeded(
    tx: &Transaction<'_>,
    p: Succeeded<'_>,
    at: &str,
) -> Result<(ApplyOutcome, Option<i64>), StoreError> {
    let Succeeded {
        checkout,
        payment_intent,
        charge,
        amount,
        method,
        received_on,
        fee,
    } = p;
    let Some(t) = resolve(tx, checkout)? else {
        return Ok(unmatched(format!(
            "a payment of {amount} ({payment_intent}) for no link or invoice of this database: {}",
            describe_ref(checkout)
        )));
    };
    if amount.currency().code() != t.currency {
        return Ok(unmatched(format!(
            "a payment of {amount} ({payment_intent}) for {}, which is in {}",
            t.number, t.currency
        )));
    }
    if !amount.is_positive()
        || amount.minor() > MAX_STRIPE_MINOR
        || fee.is_some_and(|f| {
            f.is_negative() || f.minor() > amount.minor() || f.currency() != amount.currency()
        })
    {
        return Err(Rejection::Invalid(format!(
            "a Stripe payment of {amount} with fee {fee:?} for {payment_intent}"
        ))
        .into());
    }
    let link = t.link.map(|(id, _)| id);
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM payments WHERE stripe_payment_intent = ?1 AND kind = 'payment'",
            [payment_intent],
            |r| r.get(0),
        )
        .optional()?;
    let detail = match existing {
        Some(id) => format!("{payment_intent} was already recorded as payment {id}"),
        None => {
            tx.execute(
                "INSERT INTO payments (invoice_id, kind, method, amount_minor, currency, fee_minor, received_on,
                     reference, stripe_payment_intent, stripe_charge, recorded_at,
                     link_id, stripe_checkout_session, stripe_method)
                 VALUES (?1, 'payment', 'stripe', ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    t.invoice,
                    amount.minor(),
                    t.currency,
                    fee.map(|f| f.minor()),
                    received_on.to_string(),
                    payment_intent,
                    charge,
                    now_rfc3339(),
                    link,
                    checkout.checkout_session,
                    method.as_str()
                ],
            )?;
            let id = tx.last_insert_rowid();
            journal::append(tx, Subject::Payment(id))?;
            let over = overpaid(tx, t.invoice, amount.currency())?;
            if over.is_positive() {
                format!(
                    "payment {id} of {amount} on {}; paid {over} more than due: a refund is due",
                    t.number,
                )
            } else {
                format!("payment {id} of {amount} on {}", t.number)
            }
        }
    };
    if let Some(link) = link {
        session_state(tx, &checkout.checkout_session, link, "paid", None)?;
        links::refresh_status(tx, link, at, Some(payment_intent))?;
    }
    Ok(applied(&t, detail))
}

/// A payment started (SEPA Direct Debit): its link's state.
fn payment_processing(
    tx: &Transaction<'_>,
    checkout: &CheckoutRef,
    at: &str,
) -> Result<(ApplyOutcome, Option<i64>), StoreError> {
    let Some(t) = resolve(tx, checkout)? else {
        return Ok(unmatched(format!(
            "a payment processing for no link or invoice of this database: {}",
            describe_ref(checkout)
        )));
    };
    let Some((link, _)) = t.link else {
        return Ok(applied(&t, "processing, through no link of ours".into()));
    };
    session_state(tx, &checkout.checkout_session, link, "processing", None)?;
    let status = links::refresh_status(tx, link, at, None)?;
    Ok(applied(&t, format!("link {link} is {status}")))
}

/// An asynchronous payment failed: nothing recorded but its link's state.
fn payment_failed(
    tx: &Transaction<'_>,
    checkout: &CheckoutRef,
    reason: &str,
    at: &str,
) -> Result<(ApplyOutcome, Option<i64>), StoreError> {
    let Some(t) = resolve(tx, checkout)? else {
        return Ok(unmatched(format!(
            "a failed payment for no link or invoice of this database: {}",
            describe_ref(checkout)
        )));
    };
    let Some((link, _)) = t.link else {
        return Ok(applied(
            &t,
            format!("a payment failed ({reason}); nothing recorded"),
        ));
    };
    session_state(tx, &checkout.checkout_session, link, "failed", Some(reason))?;
    let status = links::refresh_status(tx, link, at, Some(reason))?;
    Ok(applied(
        &t,
        format!("a payment failed ({reason}); link {link} is {status}"),
    ))
}

/// A Checkout Session expired unpaid: a one-off link is spent, a reusable
/// one stays open.
fn session_expired(
    tx: &Transaction<'_>,
    checkout: &CheckoutRef,
    at: &str,
) -> Result<(ApplyOutcome, Option<i64>), StoreError> {
    let Some(t) = resolve(tx, checkout)? else {
        return Ok(unmatched(format!(
            "an expired session of no link of this database: {}",
            describe_ref(checkout)
        )));
    };
    match t.link {
        Some((link, LinkKind::Checkout)) => {
            tx.execute(
                "UPDATE payment_links SET expired_at = COALESCE(expired_at, ?2) WHERE id = ?1",
                params![link, at],
            )?;
            let status = links::refresh_status(tx, link, at, None)?;
            Ok(applied(&t, format!("link {link} is {status}")))
        }
        // A client who left a Payment Link's page: the link stays open.
        _ => Ok((
            ApplyOutcome::Ignored {
                detail: format!(
                    "an abandoned session ({}) of a reusable link of {}",
                    checkout.checkout_session, t.number
                ),
            },
            Some(t.invoice),
        )),
    }
}

/// A Payment Link deactivated in Stripe.
fn link_deactivated(
    tx: &Transaction<'_>,
    payment_link: &str,
    at: &str,
) -> Result<(ApplyOutcome, Option<i64>), StoreError> {
    let found: Option<(i64, i64, String)> = tx
        .query_row(
            "SELECT l.id, i.id, i.number FROM payment_links l JOIN invoices i ON i.id = l.invoice_id
             WHERE l.stripe_id = ?1",
            [payment_link],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((link, invoice, number)) = found else {
        return Ok(unmatched(format!(
            "payment link {payment_link} is not one of this database's"
        )));
    };
    tx.execute(
        "UPDATE payment_links SET deactivated_at = COALESCE(deactivated_at, ?2) WHERE id = ?1",
        params![link, at],
    )?;
    let status = links::refresh_status(tx, link, at, Some("in Stripe"))?;
    Ok((
        ApplyOutcome::Applied {
            invoice: Some(number),
            detail: format!("link {link} is {status}"),
        },
        Some(invoice),
    ))
}

/// What was paid on `invoice` beyond what it asks (its currency is the
/// payment's: checked before the payment was written).
fn overpaid(tx: &Transaction<'_>, invoice: i64, currency: Currency) -> Result<Money, StoreError> {
    let total: i64 = tx.query_row(
        "SELECT total_minor FROM invoices WHERE id = ?1",
        [invoice],
        |r| r.get(0),
    )?;
    Ok(invoices::settlement(tx, invoice, Money::new(total, currency))?.overpaid()?)
}

/// id, invoice id, invoice number, currency, amount, PaymentIntent, link,
/// Stripe method of a Stripe payment.
type PaymentFound = (
    i64,
    i64,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
);

fn refunded(
    tx: &Transaction<'_>,
    charge: &str,
    payment_intent: Option<&str>,
    cumulative: Money,
    refunds: &[StripeRefund],
    on: NaiveDate,
) -> Result<(ApplyOutcome, Option<i64>), StoreError> {
    let payment: Option<PaymentFound> = tx
        .query_row(
            "SELECT p.id, p.invoice_id, i.number, p.currency, p.amount_minor, p.stripe_payment_intent, p.link_id, p.stripe_method
             FROM payments p JOIN invoices i ON i.id = p.invoice_id
             WHERE p.kind = 'payment' AND p.method = 'stripe'
               AND (p.stripe_payment_intent = ?1 OR p.stripe_charge = ?2)
             ORDER BY p.id LIMIT 1",
            params![payment_intent, charge],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
        )
        .optional()?;
    let Some((payment, invoice, number, currency, paid, intent, link, method)) = payment else {
        return Ok((
            ApplyOutcome::Deferred {
                detail: format!(
                    "a refund of {cumulative} on {charge} ({}) whose payment is not recorded yet",
                    payment_intent.unwrap_or("no PaymentIntent")
                ),
            },
            None,
        ));
    };
    let target = Target {
        invoice,
        number,
        currency,
        link: None,
    };
    if cumulative.currency().code() != target.currency
        || refunds
            .iter()
            .any(|r| r.amount.currency() != cumulative.currency())
    {
        return Ok(unmatched(format!(
            "a refund of {cumulative} on {charge}, whose payment {payment} is in {}",
            target.currency
        )));
    }
    if !cumulative.is_positive()
        || cumulative.minor() > paid
        || refunds
            .iter()
            .any(|r| !r.amount.is_positive() || r.amount.minor() > cumulative.minor())
    {
        return Err(Rejection::Invalid(format!(
            "a refund of {cumulative} on {charge}, whose payment {payment} is of {}",
            Money::new(paid, cumulative.currency())
        ))
        .into());
    }
    let refunded_so_far = |tx: &Transaction<'_>| -> rusqlite::Result<i64> {
        tx.query_row(
            "SELECT COALESCE(-SUM(amount_minor), 0) FROM payments
             WHERE kind = 'refund' AND invoice_id = ?1 AND (stripe_payment_intent IS ?2 AND ?2 IS NOT NULL OR stripe_charge = ?3)",
            params![invoice, intent, charge],
            |r| r.get(0),
        )
    };
    let mut total = refunded_so_far(tx)?;
    let mut recorded = Vec::new();
    let mut insert = |tx: &Transaction<'_>,
                      refund: Option<&str>,
                      amount: i64|
     -> Result<(), StoreError> {
        let reference = refund.map_or_else(|| format!("refund on {charge}"), str::to_owned);
        tx.execute(
            "INSERT INTO payments (invoice_id, kind, method, amount_minor, currency, received_on, reference,
                 stripe_payment_intent, stripe_charge, recorded_at, link_id, stripe_refund, stripe_method)
             VALUES (?1, 'refund', 'stripe', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                invoice,
                -amount,
                target.currency,
                on.to_string(),
                reference,
                intent,
                charge,
                now_rfc3339(),
                link,
                refund,
                method
            ],
        )?;
        let id = tx.last_insert_rowid();
        journal::append(tx, Subject::Payment(id))?;
        let now = now_rfc3339();
        tx.execute(
            "INSERT INTO refund_proposals (invoice_id, payment_id, amount_minor, currency, stripe_ref, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6, ?6)",
            params![invoice, id, amount, target.currency, refund.unwrap_or(charge), now],
        )?;
        recorded.push(format!(
            "refund {id} of {}",
            Money::new(amount, cumulative.currency())
        ));
        Ok(())
    };
    let mut listed: Vec<&StripeRefund> = refunds.iter().collect();
    listed.sort_by(|a, b| a.id.cmp(&b.id));
    for refund in listed {
        let known: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM payments WHERE stripe_refund = ?1)",
            [&refund.id],
            |r| r.get(0),
        )?;
        let Some(after) = total.checked_add(refund.amount.minor()) else {
            return Err(Rejection::Invalid(format!("the refunds of {charge} overflow")).into());
        };
        if !known && after <= cumulative.minor() {
            insert(tx, Some(&refund.id), refund.amount.minor())?;
            total = after;
        }
    }
    if total < cumulative.minor() {
        insert(tx, None, cumulative.minor() - total)?;
    }
    let detail = if recorded.is_empty() {
        format!("{cumulative} refunded on {charge} was already recorded")
    } else {
        format!(
            "{} on {} (payment {payment}); a credit note is proposed",
            recorded.join(", "),
            target.number
        )
    };
    Ok(applied(&target, detail))
}
