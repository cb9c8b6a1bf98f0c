//! Payment links (Stripe Payment Links and Checkout Sessions) and the
//! per-invoice timeline.
//!
//! A link is created in two steps so that a crash in between is retried with
//! the same Idempotency-Key (derived from our id): [`Store::reserve_link`]
//! checks the invoice and writes a `pending` row with a random public token
//! (the relay's `/p/{token}`); [`Store::link_created`] records Stripe's id
//! and URL (`open`). A creation Stripe refused ends in `failed`
//! ([`Store::link_failed`]).
//!
//! # Status
//!
//! After creation a link's status is *derived*, never typed in, from facts
//! that only ever accumulate, so Stripe events give the same status in any
//! order (see `stripe.rs`):
//!
//! 1. `paid` if one of its checkout sessions was paid;
//! 2. else `processing` if one is processing (SEPA, days);
//! 3. else `deactivated` if the user or Stripe deactivated it;
//! 4. else `expired` if Stripe expired it;
//! 5. else `failed` if a payment on it failed (or its creation failed);
//! 6. else `open` once Stripe created it, `pending` before.
//!
//! A checkout session only moves processing → paid or failed, never back.

use std::str::FromStr;

use acquit_core::{Currency, Money};

use crate::timeline::TimelineEvent;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::{Rejection, Store, StoreError, invoices, now_rfc3339};

/// Our id of a payment link (the Idempotency-Key is derived from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LinkId(pub i64);

impl std::fmt::Display for LinkId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkKind {
    /// A reusable Stripe Payment Link (`plink_…`).
    PaymentLink,
    /// A Checkout Session (`cs_…`), which expires.
    Checkout,
}

impl LinkKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            LinkKind::PaymentLink => "payment-link",
            LinkKind::Checkout => "checkout",
        }
    }

    fn db(&self) -> &'static str {
        match self {
            LinkKind::PaymentLink => "payment_link",
            LinkKind::Checkout => "checkout",
        }
    }

    fn from_db(s: &str) -> Result<LinkKind, StoreError> {
        match s {
            "payment_link" => Ok(LinkKind::PaymentLink),
            "checkout" => Ok(LinkKind::Checkout),
            other => Err(StoreError::Decode(format!("link kind {other:?}"))),
        }
    }
}

impl FromStr for LinkKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "payment-link" => Ok(LinkKind::PaymentLink),
            "checkout" => Ok(LinkKind::Checkout),
            _ => Err(format!(
                "\"{s}\" is not a kind of link: use payment-link or checkout"
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkStatus {
    Pending,
    Open,
    Processing,
    Paid,
    Expired,
    Deactivated,
    Failed,
}

impl LinkStatus {
    pub const ALL: [LinkStatus; 7] = [
        LinkStatus::Pending,
        LinkStatus::Open,
        LinkStatus::Processing,
        LinkStatus::Paid,
        LinkStatus::Expired,
        LinkStatus::Deactivated,
        LinkStatus::Failed,
    ];

    /// Also the database spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            LinkStatus::Pending => "pending",
            LinkStatus::Open => "open",
            LinkStatus::Processing => "processing",
            LinkStatus::Paid => "paid",
            LinkStatus::Expired => "expired",
            LinkStatus::Deactivated => "deactivated",
            LinkStatus::Failed => "failed",
        }
    }

    fn from_db(s: &str) -> Result<LinkStatus, StoreError> {
        s.parse().map_err(StoreError::Decode)
    }
}

impl std::fmt::Display for LinkStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LinkStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        LinkStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == wanted)
            .ok_or_else(|| format!("\"{s}\" is not a link status"))
    }
}

/// How long a Checkout page may last, in seconds (Stripe's limits); a page
/// asked without a length lasts the longest.
pub const CHECKOUT_SHORTEST_SECS: i64 = 30 * 60;
pub const CHECKOUT_LONGEST_SECS: i64 = 24 * 3600;

/// What a new link is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    pub kind: LinkKind,
    /// In the invoice's currency; `None`: all that remains due.
    pub amount: Option<Money>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredLink {
    pub id: LinkId,
    pub invoice_number: String,
    pub kind: LinkKind,
    pub amount: Money,
    /// Random, URL-safe (192 bits): the relay's public `/p/{token}`.
    pub token: String,
    pub stripe_id: Option<String>,
    pub url: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub status: LinkStatus,
    /// Why the creation or the last payment failed.
    pub failure: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One line of an invoice's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    /// `event` in English.
    pub what: String,
    /// What happened, to describe in the reader's language.
    pub event: TimelineEvent,
}

const LINK_COLUMNS: &str = "l.id, i.number, l.kind, l.amount_minor, l.currency, l.token, l.stripe_id, l.url,
     l.expires_at, l.status,
     COALESCE((SELECT s.failure FROM checkout_sessions s WHERE s.link_id = l.id AND s.state = 'failed'
               ORDER BY s.updated_at DESC LIMIT 1), l.failure),
     l.created_at";

impl Store {
    /// Reserves a link for the issued invoice `number` (step 1 of 2): checks
    /// the invoice and amount, and writes a `pending` link with its token.
    pub fn reserve_link(&mut self, number: &str, link: &NewLink) -> Result<StoredLink, StoreError> {
        let view = self.invoice(number)?;
        let number = view.number.clone().unwrap_or_default();
        if view.kind.is_credit_note() {
            return Err(Rejection::NotAnInvoice { number }.into());
        }
        if let Some(amount) = link.amount {
            if amount.currency() != view.currency {
                return Err(Rejection::Invalid(format!(
                    "{number} is in {}, the link in {}: ask for the invoice's currency",
                    view.currency,
                    amount.currency()
                ))
                .into());
            }
            if !amount.is_positive() {
                return Err(Rejection::Invalid(format!(
                    "a payment link is for more than zero, not {amount}"
                ))
                .into());
            }
        }
        if link.kind == LinkKind::Checkout && link.expires_at.is_some_and(|at| at <= Utc::now()) {
            return Err(Rejection::Invalid(
                "the link would expire before it is sent: choose a later expiry".into(),
            )
            .into());
        }
        let token = new_token()?;
        let id = self.write(|tx| insert_link(tx, &number, view.currency, link, &token))?;
        self.link(LinkId(id))
    }

    /// Records that Stripe created link `id` (step 2 of 2): pending → open.
    /// Calling it again with the same Stripe id (a retry) changes nothing.
    pub fn link_created(
        &mut self,
        id: LinkId,
        stripe_id: &str,
        url: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<StoredLink, StoreError> {
        let (stripe_id, url) = (stripe_id.trim(), url.trim());
        if stripe_id.is_empty() || url.is_empty() {
            return Err(Rejection::Invalid("Stripe returned no link id or URL".into()).into());
        }
        self.write(|tx| {
            let row: Option<(Option<String>, String)> = tx
                .query_row(
                    "SELECT stripe_id, status FROM payment_links WHERE id = ?1",
                    [id.0],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match row {
                None => Err(no_such_link(&id.to_string())),
                Some((Some(known), _)) if known == stripe_id => Ok(()),
                Some((Some(known), _)) => Err(Rejection::Invalid(format!(
                    "link {id} is already Stripe's {known}, not {stripe_id}"
                ))
                .into()),
                Some((None, _)) => {
                    let clash: Option<i64> = tx
                        .query_row(
                            "SELECT id FROM payment_links WHERE stripe_id = ?1",
                            [stripe_id],
                            |r| r.get(0),
                        )
                        .optional()?;
                    if let Some(other) = clash {
                        return Err(Rejection::Invalid(format!(
                            "{stripe_id} is already link {other}"
                        ))
                        .into());
                    }
                    tx.execute(
                        "UPDATE payment_links SET stripe_id = ?2, url = ?3,
                            expires_at = COALESCE(?4, expires_at), failure = NULL, updated_at = ?5
                         WHERE id = ?1",
                        params![id.0, stripe_id, url, expires_at.map(rfc3339), now_rfc3339()],
                    )?;
                    refresh_status(tx, id.0, &now_rfc3339(), None)?;
                    Ok(())
                }
            }
        })?;
        self.link(id)
    }

    /// Stripe refused to create link `id`: pending → failed, with why.
    pub fn link_failed(&mut self, id: LinkId, message: &str) -> Result<StoredLink, StoreError> {
        self.write(|tx| {
            let status = link_status(tx, id)?;
            if status != LinkStatus::Pending {
                return Err(Rejection::Invalid(format!(
                    "link {id} is {status}, not pending: only a link being created can fail to be"
                ))
                .into());
            }
            let now = now_rfc3339();
            tx.execute(
                "UPDATE payment_links SET status = 'failed', failure = ?2, updated_at = ?3 WHERE id = ?1",
                params![id.0, message.trim(), now],
            )?;
            history(tx, id.0, &now, LinkStatus::Failed, Some(message.trim()))?;
            Ok(())
        })?;
        self.link(id)
    }

    /// The user's change of a link's status: only deactivation (from
    /// pending, open, failed or expired). Every other status is Stripe's to
    /// say, through events.
    pub fn set_link_status(
        &mut self,
        id: LinkId,
        status: LinkStatus,
    ) -> Result<StoredLink, StoreError> {
        self.write(|tx| {
            let current = link_status(tx, id)?;
            if current == status {
                return Ok(());
            }
            if status != LinkStatus::Deactivated {
                return Err(Rejection::Invalid(format!(
                    "a link becomes {status} when Stripe says so; you can only deactivate it"
                ))
                .into());
            }
            match current {
                LinkStatus::Paid => Err(Rejection::Invalid(format!(
                    "link {id} is paid: refund the payment in Stripe instead"
                ))
                .into()),
                LinkStatus::Processing => Err(Rejection::Invalid(format!(
                    "a payment through link {id} is processing: wait for Stripe's answer"
                ))
                .into()),
                _ => {
                    let now = now_rfc3339();
                    tx.execute(
                        "UPDATE payment_links SET deactivated_at = COALESCE(deactivated_at, ?2) WHERE id = ?1",
                        params![id.0, now],
                    )?;
                    refresh_status(tx, id.0, &now, Some("by the user"))?;
                    Ok(())
                }
            }
        })?;
        self.link(id)
    }

    /// The links of one invoice, oldest first.
    pub fn links(&self, number: &str) -> Result<Vec<StoredLink>, StoreError> {
        let view = self.invoice(number)?;
        self.query_links("l.invoice_id = ?1 ORDER BY l.id", [view.id.0])
    }

    /// A link by our id ("12") or Stripe's (`plink_…`, `cs_…`).
    pub fn find_link(&self, id: &str) -> Result<Option<StoredLink>, StoreError> {
        let id = id.trim();
        let found = match id.parse::<i64>() {
            Ok(n) => self.query_links("l.id = ?1", [n])?,
            Err(_) => self.query_links("l.stripe_id = ?1", [id])?,
        };
        Ok(found.into_iter().next())
    }

    /// Links reserved but not (yet) created in Stripe: retry these with the
    /// same Idempotency-Key after a crash.
    pub fn pending_links(&self) -> Result<Vec<StoredLink>, StoreError> {
        self.query_links("l.status = 'pending' ORDER BY l.id", [])
    }

    /// The links of an invoice a client can still pay through.
    pub fn open_links_of(&self, number: &str) -> Result<Vec<StoredLink>, StoreError> {
        let view = self.invoice(number)?;
        self.query_links(
            "l.invoice_id = ?1 AND l.status = 'open' ORDER BY l.id",
            [view.id.0],
        )
    }

    pub(crate) fn link(&self, id: LinkId) -> Result<StoredLink, StoreError> {
        self.query_links("l.id = ?1", [id.0])?
            .into_iter()
            .next()
            .ok_or_else(|| no_such_link(&id.to_string()))
    }

    fn query_links(
        &self,
        condition: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<StoredLink>, StoreError> {
        let sql = format!(
            "SELECT {LINK_COLUMNS} FROM payment_links l JOIN invoices i ON i.id = l.invoice_id WHERE {condition}"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(args, link_row)?;
        rows.map(|r| r.map_err(StoreError::from).and_then(|l| l))
            .collect()
    }

    /// What happened to an invoice, oldest first: issued, links and their
    /// statuses, payments, refunds, counter-entries, credit notes, refund
    /// proposals.
    pub fn timeline(&self, number: &str) -> Result<Vec<TimelineEntry>, StoreError> {
        let view = self.invoice(number)?;
        let conn = self.conn();
        let mut out = Vec::new();
        let mut push = |at: String, event: TimelineEvent| -> Result<(), StoreError> {
            out.push(TimelineEntry {
                at: parse_instant(&at)?,
                what: event.describe(acquit_core::Lang::En),
                event,
            });
            Ok(())
        };
        let currency = view.currency;
        let money = |minor: i64| Money::new(minor, currency);
        let issued: Option<String> = conn.query_row(
            "SELECT issued_at FROM invoices WHERE id = ?1",
            [view.id.0],
            |r| r.get(0),
        )?;
        if let Some(at) = issued {
            push(
                at,
                TimelineEvent::Issued {
                    number: number.to_owned(),
                    total: view.totals.total,
                },
            )?;
        }
        let mut stmt = conn.prepare_cached(
            "SELECT h.at, h.link_id, h.status, h.detail, l.kind, l.amount_minor
             FROM payment_link_history h JOIN payment_links l ON l.id = h.link_id
             WHERE l.invoice_id = ?1 ORDER BY h.id",
        )?;
        let rows = stmt.query_map([view.id.0], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        for row in rows {
            let (at, link, status, detail, kind, amount) = row?;
            push(
                at,
                TimelineEvent::Link {
                    kind: LinkKind::from_db(&kind)?,
                    id: link,
                    status: LinkStatus::from_db(&status)?,
                    amount: money(amount),
                    detail,
                },
            )?;
        }
        let mut stmt = conn.prepare_cached(
            "SELECT recorded_at, id, kind, method, amount_minor, received_on, stripe_method, reference
             FROM payments WHERE invoice_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([view.id.0], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })?;
        for row in rows {
            let (at, id, kind, method, amount, on, stripe_method, reference) = row?;
            push(
                at,
                TimelineEvent::Payment {
                    kind,
                    id,
                    amount: money(amount),
                    received_on: on
                        .parse()
                        .map_err(|e| StoreError::Decode(format!("date {on:?}: {e}")))?,
                    method,
                    stripe_method,
                    reference,
                },
            )?;
        }
        let mut stmt = conn.prepare_cached(
            "SELECT issued_at, number, total_minor FROM invoices
             WHERE credits_invoice_id = ?1 AND number IS NOT NULL ORDER BY id",
        )?;
        let rows = stmt.query_map([view.id.0], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (at, credit, total) = row?;
            push(
                at,
                TimelineEvent::CreditNote {
                    number: credit,
                    total: money(total),
                },
            )?;
        }
        let mut stmt = conn.prepare_cached(
            "SELECT created_at, updated_at, id, amount_minor, status, stripe_ref, credit_note
             FROM refund_proposals WHERE invoice_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([view.id.0], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        for row in rows {
            let (created, updated, id, amount, status, stripe_ref, credit) = row?;
            push(
                created,
                TimelineEvent::RefundProposed {
                    id,
                    stripe_ref,
                    amount: money(amount),
                },
            )?;
            match status.as_str() {
                "done" => push(
                    updated,
                    TimelineEvent::RefundDone {
                        id,
                        credit_note: credit.unwrap_or_default(),
                    },
                )?,
                "dismissed" => push(updated, TimelineEvent::RefundDismissed { id })?,
                _ => {}
            }
        }
        // E-invoicing: what was sent, the platform's checks, the statuses.
        for flow in self.einvoice_flows_of(number)? {
            let at = flow.reserved_at.to_rfc3339();
            match flow.kind {
                crate::FlowKind::Invoice => {
                    push(
                        at.clone(),
                        TimelineEvent::EInvoiceSent {
                            flow_id: flow.flow_id.clone(),
                        },
                    )?;
                    if let (
                        Some(ack @ (crate::FlowAck::Ok | crate::FlowAck::Error)),
                        Some(updated),
                    ) = (flow.ack, flow.updated_at.as_deref())
                    {
                        let when = parse_instant(updated).map_or(at, |t| t.to_rfc3339());
                        push(
                            when,
                            TimelineEvent::EInvoiceChecked {
                                accepted: ack == crate::FlowAck::Ok,
                                reason: flow.ack_reason.clone(),
                            },
                        )?;
                    }
                }
                crate::FlowKind::Cashed => {
                    if let (Some(payment), Some(_)) = (flow.payment, &flow.flow_id) {
                        push(
                            at.clone(),
                            TimelineEvent::CashedReported { payment: payment.0 },
                        )?;
                        // Refused by the platform's checks: said as such,
                        // never left to read as reported.
                        if flow.ack == Some(crate::FlowAck::Error) {
                            let when = flow
                                .updated_at
                                .as_deref()
                                .and_then(|u| parse_instant(u).ok())
                                // Never before the report (the platform's
                                // clock is not ours).
                                .filter(|t| *t >= flow.reserved_at)
                                .map_or(at, |t| t.to_rfc3339());
                            push(
                                when,
                                TimelineEvent::CashedRefused {
                                    payment: payment.0,
                                    reason: flow.ack_reason.clone(),
                                },
                            )?;
                        }
                    }
                }
            }
        }
        for status in self.einvoice_statuses(number)? {
            push(
                status.received_at.to_rfc3339(),
                TimelineEvent::EInvoiceStatus {
                    code: status.code,
                    reason: status.reason.or(status.reason_code),
                },
            )?;
        }
        for r in self.reminders_of(number)? {
            push(
                r.sent_at.unwrap_or(r.reserved_at).to_rfc3339(),
                TimelineEvent::Reminded {
                    step: r.step,
                    via: r.via.as_str().to_owned(),
                    penalties: r.penalties,
                    message_id: r.message_id,
                    sent: r.sent_at.is_some(),
                },
            )?;
        }
        for m in self.mails_of(number)? {
            // A send the server surely refused is no event of the invoice.
            if m.sent_at.is_none() && m.answer.is_some() {
                continue;
            }
            push(
                m.sent_at.unwrap_or(m.reserved_at).to_rfc3339(),
                TimelineEvent::Mailed {
                    kind: m.kind.as_str().to_owned(),
                    to: m.recipient,
                    message_id: m.message_id,
                    sent: m.sent_at.is_some(),
                },
            )?;
        }
        out.sort_by_key(|e| e.at);
        Ok(out)
    }
}

/// Recomputes the derived status of link `id` (see the module docs) and
/// records a change in its history. Returns the new status.
pub(crate) fn refresh_status(
    tx: &Transaction<'_>,
    id: i64,
    at: &str,
    detail: Option<&str>,
) -> Result<LinkStatus, StoreError> {
    let (current, stripe_id, failure, expired, deactivated, paid, processing, failed): (
        String,
        Option<String>,
        Option<String>,
        bool,
        bool,
        bool,
        bool,
        bool,
    ) = tx.query_row(
        "SELECT status, stripe_id, failure, expired_at IS NOT NULL, deactivated_at IS NOT NULL,
                EXISTS (SELECT 1 FROM checkout_sessions WHERE link_id = l.id AND state = 'paid'),
                EXISTS (SELECT 1 FROM checkout_sessions WHERE link_id = l.id AND state = 'processing'),
                EXISTS (SELECT 1 FROM checkout_sessions WHERE link_id = l.id AND state = 'failed')
         FROM payment_links l WHERE id = ?1",
        [id],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        },
    )?;
    let current = LinkStatus::from_db(&current)?;
    let status = if paid {
        LinkStatus::Paid
    } else if processing {
        LinkStatus::Processing
    } else if deactivated {
        LinkStatus::Deactivated
    } else if expired {
        LinkStatus::Expired
    } else if failed || (stripe_id.is_none() && failure.is_some()) {
        LinkStatus::Failed
    } else if stripe_id.is_some() {
        LinkStatus::Open
    } else {
        LinkStatus::Pending
    };
    if status != current {
        tx.execute(
            "UPDATE payment_links SET status = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, status.as_str(), now_rfc3339()],
        )?;
        history(tx, id, at, status, detail)?;
    }
    Ok(status)
}

fn history(
    tx: &Transaction<'_>,
    link: i64,
    at: &str,
    status: LinkStatus,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO payment_link_history (link_id, at, status, detail) VALUES (?1, ?2, ?3, ?4)",
        params![link, at, status.as_str(), detail],
    )?;
    Ok(())
}

fn link_status(conn: &Connection, id: LinkId) -> Result<LinkStatus, StoreError> {
    let status: Option<String> = conn
        .query_row(
            "SELECT status FROM payment_links WHERE id = ?1",
            [id.0],
            |r| r.get(0),
        )
        .optional()?;
    match status {
        Some(s) => LinkStatus::from_db(&s),
        None => Err(no_such_link(&id.to_string())),
    }
}

fn no_such_link(id: &str) -> StoreError {
    Rejection::Invalid(format!(
        "there is no payment link {id}: see `acquit link list NUMBER`"
    ))
    .into()
}

fn link_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<StoredLink, StoreError>> {
    let build = || -> Result<StoredLink, StoreError> {
        let currency: String = r.get(4)?;
        let currency =
            Currency::from_code(&currency).map_err(|e| StoreError::Decode(e.to_string()))?;
        Ok(StoredLink {
            id: LinkId(r.get(0)?),
            invoice_number: r.get(1)?,
            kind: LinkKind::from_db(&r.get::<_, String>(2)?)?,
            amount: Money::new(r.get(3)?, currency),
            token: r.get(5)?,
            stripe_id: r.get(6)?,
            url: r.get(7)?,
            expires_at: r
                .get::<_, Option<String>>(8)?
                .as_deref()
                .map(parse_instant)
                .transpose()?,
            status: LinkStatus::from_db(&r.get::<_, String>(9)?)?,
            failure: r.get(10)?,
            created_at: parse_instant(&r.get::<_, String>(11)?)?,
        })
    };
    Ok(build())
}

pub(crate) fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(crate) fn parse_instant(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Decode(format!("instant {text:?}: {e}")))
}

/// 24 random bytes from the OS, base64url without padding (32 characters).
/// Writes a `pending` link for the issued invoice `number` in `tx`, for
/// what is due re-read under the write lock (or `link.amount`, at most
/// that): [`Store::reserve_link`], and a recurring schedule's link reserved
/// in the transaction that issues its invoice.
pub(crate) fn insert_link(
    tx: &Transaction<'_>,
    number: &str,
    currency: Currency,
    link: &NewLink,
    token: &str,
) -> Result<i64, StoreError> {
    // What is due, re-read under the write lock.
    let (invoice_id, total): (i64, i64) = tx.query_row(
        "SELECT id, total_minor FROM invoices WHERE number = ?1",
        [number],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let due = invoices::settlement(tx, invoice_id, Money::new(total, currency))?
        .amount_due()?
        .minor();
    let amount = link.amount.map_or(due, |a| a.minor());
    if due == 0 {
        return Err(Rejection::Invalid(format!(
            "nothing is due on {number}: there is nothing to pay online"
        ))
        .into());
    }
    if amount > due {
        return Err(Rejection::Invalid(format!(
                "a link for {} would ask more than the {} still due on {number}: give at most that amount, or leave --amount out for all that remains",
                Money::new(amount, currency).to_decimal_string(),
                Money::new(due, currency).to_decimal_string(),
            ))
            .into());
    }
    let now = now_rfc3339();
    tx.execute(
            "INSERT INTO payment_links (invoice_id, kind, amount_minor, currency, token, expires_at, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7)",
            params![
                invoice_id,
                link.kind.db(),
                amount,
                currency.code(),
                token,
                link.expires_at.map(rfc3339),
                now
            ],
        )?;
    let id = tx.last_insert_rowid();
    history(tx, id, &now, LinkStatus::Pending, None)?;
    Ok(id)
}

pub(crate) fn new_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Decode(format!("no randomness from the OS: {e}")))?;
    Ok(base64url(&bytes))
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_the_rfc_examples() {
        assert_eq!(base64url(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url(b"fooba"), "Zm9vYmE");
        assert_eq!(base64url(b"foob"), "Zm9vYg");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn tokens_are_long_url_safe_and_different() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn kinds_and_statuses_parse_their_own_spelling() {
        for s in LinkStatus::ALL {
            assert_eq!(s.as_str().parse::<LinkStatus>().unwrap(), s);
        }
        for k in [LinkKind::PaymentLink, LinkKind::Checkout] {
            assert_eq!(k.as_str().parse::<LinkKind>().unwrap(), k);
        }
    }
}
