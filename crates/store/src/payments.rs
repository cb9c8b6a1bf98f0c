//! Payments, counter-entries and the receipts ledger (registre des recettes).
//!
//! A payment is money received for an issued invoice, by any method. Rows
//! are never changed or deleted: a mistake is cancelled by a counter-entry
//! (a negative row pointing at the one it reverses), as an accountant would.
//! The ledger is every payment, refund and counter-entry in date order.

use acquit_core::{Currency, Money};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::journal::{self, Subject};
use crate::{Rejection, Store, StoreError, invoices, now_rfc3339};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PaymentId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentMethod {
    Stripe,
    Transfer,
    Cheque,
    Cash,
    CardTerminal,
    Other,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 6] = [
        PaymentMethod::Stripe,
        PaymentMethod::Transfer,
        PaymentMethod::Cheque,
        PaymentMethod::Cash,
        PaymentMethod::CardTerminal,
        PaymentMethod::Other,
    ];

    /// As stored in the database.
    pub(crate) fn db(&self) -> &'static str {
        match self {
            PaymentMethod::Stripe => "stripe",
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::Cheque => "cheque",
            PaymentMethod::Cash => "cash",
            PaymentMethod::CardTerminal => "card_terminal",
            PaymentMethod::Other => "other",
        }
    }

    /// As the CLI spells it: `card-terminal`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PaymentMethod::CardTerminal => "card-terminal",
            other => other.db(),
        }
    }

    fn from_db(s: &str) -> Result<PaymentMethod, StoreError> {
        PaymentMethod::ALL
            .into_iter()
            .find(|m| m.db() == s)
            .ok_or_else(|| StoreError::Decode(format!("payment method {s:?}")))
    }
}

impl std::str::FromStr for PaymentMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        PaymentMethod::ALL
            .into_iter()
            .find(|m| m.as_str() == wanted)
            .ok_or_else(|| format!("\"{s}\" is not a payment method: use transfer, cheque, cash, card-terminal or other"))
    }
}

/// How the client paid through Stripe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StripeMethod {
    Card,
    SepaDebit,
}

impl StripeMethod {
    /// As stored, and as Stripe spells it (`payment_method_types`).
    pub fn as_str(&self) -> &'static str {
        match self {
            StripeMethod::Card => "card",
            StripeMethod::SepaDebit => "sepa_debit",
        }
    }

    /// As the ledger shows it after "STRIPE": `card`, `SEPA`.
    pub fn label(&self) -> &'static str {
        match self {
            StripeMethod::Card => "card",
            StripeMethod::SepaDebit => "SEPA",
        }
    }

    pub(crate) fn from_db(s: &str) -> Result<StripeMethod, StoreError> {
        match s {
            "card" => Ok(StripeMethod::Card),
            "sepa_debit" => Ok(StripeMethod::SepaDebit),
            other => Err(StoreError::Decode(format!("Stripe method {other:?}"))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    Payment,
    Refund,
    Reversal,
}

impl PaymentKind {
    fn db(&self) -> &'static str {
        match self {
            PaymentKind::Payment => "payment",
            PaymentKind::Refund => "refund",
            PaymentKind::Reversal => "reversal",
        }
    }

    fn from_db(s: &str) -> Result<PaymentKind, StoreError> {
        [
            PaymentKind::Payment,
            PaymentKind::Refund,
            PaymentKind::Reversal,
        ]
        .into_iter()
        .find(|k| k.db() == s)
        .ok_or_else(|| StoreError::Decode(format!("payment kind {s:?}")))
    }
}

/// A payment received, as the user or sync records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    /// Positive, in the invoice's currency.
    pub amount: Money,
    pub method: PaymentMethod,
    pub received_on: NaiveDate,
    /// Cheque number, transfer reference, …
    pub reference: Option<String>,
    /// Known fee (Stripe), if any.
    pub fee: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredPayment {
    pub id: PaymentId,
    pub invoice_number: String,
    pub kind: PaymentKind,
    pub method: PaymentMethod,
    /// Negative for refunds and counter-entries.
    pub amount: Money,
    pub fee: Option<Money>,
    pub received_on: NaiveDate,
    pub reference: Option<String>,
    pub reverses: Option<PaymentId>,
    pub reversed: bool,
    /// For a Stripe payment or refund: card or SEPA Direct Debit, if known.
    pub stripe_method: Option<StripeMethod>,
}

impl StoredPayment {
    /// `STRIPE card`, `STRIPE SEPA`, `transfer`, …
    pub fn method_label(&self) -> String {
        method_label(self.method, self.stripe_method)
    }
}

fn method_label(method: PaymentMethod, stripe: Option<StripeMethod>) -> String {
    match (method, stripe) {
        (PaymentMethod::Stripe, Some(m)) => format!("STRIPE {}", m.label()),
        (PaymentMethod::Stripe, None) => "STRIPE".to_owned(),
        (other, _) => other.as_str().to_owned(),
    }
}

/// A line of the receipts ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    pub date: NaiveDate,
    pub invoice_number: String,
    pub client: String,
    pub kind: PaymentKind,
    pub method: PaymentMethod,
    pub amount: Money,
    pub fee: Option<Money>,
    /// Amount − fee, when the fee is known.
    pub net: Option<Money>,
    pub reference: Option<String>,
    pub payment_id: PaymentId,
    /// For Stripe: card or SEPA Direct Debit, if known.
    pub stripe_method: Option<StripeMethod>,
}

impl LedgerEntry {
    /// `STRIPE card`, `STRIPE SEPA`, `transfer`, …
    pub fn method_label(&self) -> String {
        method_label(self.method, self.stripe_method)
    }
}

/// What the ledger's entries add up to, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerTotal {
    /// Received, less refunds and counter-entries.
    pub amount: Money,
    /// The fees known so far.
    pub fee: Money,
    /// The sum of the nets known so far.
    pub net: Money,
    /// Entries left out of `net` because their fee is not known yet (a
    /// Stripe fee not reported): the net total is then incomplete.
    pub unknown_net: usize,
}

/// The totals of `entries`, one per currency (by currency code): amounts
/// of different currencies are never added together.
pub fn ledger_totals(entries: &[LedgerEntry]) -> Result<Vec<LedgerTotal>, StoreError> {
    let mut totals: std::collections::BTreeMap<String, LedgerTotal> =
        std::collections::BTreeMap::new();
    let overflow = |e: acquit_core::MoneyError| StoreError::Decode(e.to_string());
    for e in entries {
        let currency = e.amount.currency();
        let total = totals
            .entry(currency.code().to_owned())
            .or_insert(LedgerTotal {
                amount: Money::zero(currency),
                fee: Money::zero(currency),
                net: Money::zero(currency),
                unknown_net: 0,
            });
        total.amount = total.amount.checked_add(e.amount).map_err(overflow)?;
        if let Some(fee) = e.fee {
            total.fee = total.fee.checked_add(fee).map_err(overflow)?;
        }
        match e.net {
            Some(net) => total.net = total.net.checked_add(net).map_err(overflow)?,
            None => total.unknown_net += 1,
        }
    }
    Ok(totals.into_values().collect())
}

const PAYMENT_COLUMNS: &str =
    "p.id, i.number, p.kind, p.method, p.amount_minor, p.currency, p.fee_minor,
     p.received_on, p.reference, p.reverses_payment_id,
     EXISTS (SELECT 1 FROM payments r WHERE r.reverses_payment_id = p.id), c.name, p.stripe_method";

impl Store {
    /// Records a payment against the issued invoice `number`. It may not
    /// exceed what is still due.
    pub fn record_payment(
        &mut self,
        number: &str,
        payment: &NewPayment,
    ) -> Result<PaymentId, StoreError> {
        let view = self.invoice(number)?;
        let number = view.number.clone().unwrap_or_default();
        if view.kind.is_credit_note() {
            return Err(Rejection::NotAnInvoice { number }.into());
        }
        if payment.amount.currency() != view.currency {
            return Err(Rejection::Invalid(format!(
                "{number} is in {}, the payment in {}: record it in the invoice's currency",
                view.currency,
                payment.amount.currency()
            ))
            .into());
        }
        if !payment.amount.is_positive() {
            return Err(Rejection::Invalid(format!(
                "a payment is more than zero, not {}: to cancel one, reverse it",
                payment.amount
            ))
            .into());
        }
        if payment
            .fee
            .is_some_and(|f| f.is_negative() || f.currency() != view.currency)
        {
            return Err(Rejection::Invalid(
                "a fee is zero or more, in the invoice's currency".into(),
            )
            .into());
        }
        self.write(|tx| {
            // Re-read what is due inside the write lock: another process
            // may have recorded a payment since.
            let (invoice_id, total): (i64, i64) = tx.query_row(
                "SELECT id, total_minor FROM invoices WHERE number = ?1",
                [&number],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let due = invoices::settlement(tx, invoice_id, Money::new(total, view.currency))?
                .amount_due()?;
            if payment.amount.minor() > due.minor() {
                return Err(Rejection::Overpayment {
                    number: number.clone(),
                    amount: payment.amount.to_decimal_string(),
                    due: due.to_decimal_string(),
                }
                .into());
            }
            tx.execute(
                "INSERT INTO payments (invoice_id, kind, method, amount_minor, currency, fee_minor, received_on, reference, recorded_at)
                 VALUES (?1, 'payment', ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    invoice_id,
                    payment.method.db(),
                    payment.amount.minor(),
                    view.currency.code(),
                    payment.fee.map(|f| f.minor()),
                    payment.received_on.to_string(),
                    payment.reference.as_deref().map(str::trim).filter(|r| !r.is_empty()),
                    now_rfc3339()
                ],
            )?;
            let id = tx.last_insert_rowid();
            journal::append(tx, Subject::Payment(id))?;
            Ok(PaymentId(id))
        })
    }

    /// Cancels a payment recorded by mistake with a counter-entry dated `on`.
    pub fn reverse_payment(
        &mut self,
        payment: PaymentId,
        on: NaiveDate,
        reason: Option<&str>,
    ) -> Result<PaymentId, StoreError> {
        self.write(|tx| {
            let row: Option<PaymentRecord> = tx
                .query_row(
                    "SELECT invoice_id, kind, method, amount_minor, currency, reference, received_on FROM payments WHERE id = ?1",
                    [payment.0],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
                )
                .optional()?;
            let Some((invoice_id, kind, method, amount, currency, reference, received_on)) = row else {
                return Err(Rejection::NoSuchPayment(payment.0).into());
            };
            let reversed: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM payments WHERE reverses_payment_id = ?1)",
                [payment.0],
                |r| r.get(0),
            )?;
            if reversed || kind == "reversal" {
                return Err(Rejection::AlreadyReversed(payment.0).into());
            }
            // Stripe's records are the truth for Stripe money: a counter-entry
            // here would make the books disagree with the bank.
            if method == "stripe" {
                return Err(Rejection::Invalid(format!(
                    "payment {} came through Stripe: to give the money back, refund it in the Stripe Dashboard (Payments → Refund); the next sync records the refund",
                    payment.0
                ))
                .into());
            }
            if on.to_string() < received_on {
                return Err(Rejection::Invalid(format!(
                    "payment {} was received on {received_on}: its counter-entry cannot be dated {on}, earlier",
                    payment.0
                ))
                .into());
            }
            let reference = reason.map(str::to_owned).or(reference);
            tx.execute(
                "INSERT INTO payments (invoice_id, kind, method, amount_minor, currency, received_on, reference, reverses_payment_id, recorded_at)
                 VALUES (?1, 'reversal', ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![invoice_id, method, -amount, currency, on.to_string(), reference, payment.0, now_rfc3339()],
            )?;
            let id = tx.last_insert_rowid();
            journal::append(tx, Subject::Payment(id))?;
            Ok(PaymentId(id))
        })
    }

    /// The number of the invoice a payment (or counter-entry) belongs to.
    pub fn payment_invoice_number(&self, payment: PaymentId) -> Result<String, StoreError> {
        self.conn()
            .query_row(
                "SELECT i.number FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE p.id = ?1",
                [payment.0],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .ok_or_else(|| Rejection::NoSuchPayment(payment.0).into())
    }

    /// The payments of one invoice, oldest first.
    pub fn payments(&self, number: &str) -> Result<Vec<StoredPayment>, StoreError> {
        let view = self.invoice(number)?;
        let sql = format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments p JOIN invoices i ON i.id = p.invoice_id
             JOIN clients c ON c.id = i.client_id WHERE p.invoice_id = ?1 ORDER BY p.received_on, p.id"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([view.id.0], payment_row)?;
        rows.map(|r| r.map_err(StoreError::from).and_then(|(p, _)| p))
            .collect()
    }

    /// The receipts ledger between two dates (inclusive), in date order.
    pub fn ledger(
        &self,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        let sql = format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments p JOIN invoices i ON i.id = p.invoice_id
             JOIN clients c ON c.id = i.client_id
             WHERE (?1 IS NULL OR p.received_on >= ?1) AND (?2 IS NULL OR p.received_on <= ?2)
             ORDER BY p.received_on, p.id"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(
            params![from.map(|d| d.to_string()), to.map(|d| d.to_string())],
            payment_row,
        )?;
        rows.map(|r| {
            let (p, client) = r?;
            let p = p?;
            Ok(LedgerEntry {
                date: p.received_on,
                invoice_number: p.invoice_number,
                client,
                kind: p.kind,
                method: p.method,
                amount: p.amount,
                fee: p.fee,
                net: match p.fee {
                    Some(fee) => Some(
                        p.amount
                            .checked_sub(fee)
                            .map_err(|e| StoreError::Decode(e.to_string()))?,
                    ),
                    None if p.method != PaymentMethod::Stripe => Some(p.amount),
                    None => None,
                },
                reference: p.reference,
                payment_id: p.id,
                stripe_method: p.stripe_method,
            })
        })
        .collect()
    }
}

/// invoice id, kind, method, amount, currency, reference, received on.
type PaymentRecord = (i64, String, String, i64, String, Option<String>, String);

type PaymentRow = (Result<StoredPayment, StoreError>, String);

fn payment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PaymentRow> {
    let currency: String = r.get(5)?;
    let build = || -> Result<StoredPayment, StoreError> {
        let currency =
            Currency::from_code(&currency).map_err(|e| StoreError::Decode(e.to_string()))?;
        let date: String = r.get(7)?;
        Ok(StoredPayment {
            id: PaymentId(r.get(0)?),
            invoice_number: r.get(1)?,
            kind: PaymentKind::from_db(&r.get::<_, String>(2)?)?,
            method: PaymentMethod::from_db(&r.get::<_, String>(3)?)?,
            amount: Money::new(r.get(4)?, currency),
            fee: r.get::<_, Option<i64>>(6)?.map(|f| Money::new(f, currency)),
            received_on: date
                .parse()
                .map_err(|e| StoreError::Decode(format!("date {date:?}: {e}")))?,
            reference: r.get(8)?,
            reverses: r.get::<_, Option<i64>>(9)?.map(PaymentId),
            reversed: r.get(10)?,
            stripe_method: r
                .get::<_, Option<String>>(12)?
                .as_deref()
                .map(StripeMethod::from_db)
                .transpose()?,
        })
    };
    Ok((build(), r.get(11)?))
}
