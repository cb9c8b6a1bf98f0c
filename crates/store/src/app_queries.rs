//! Read queries the desktop app needs on top of the rest of the store: one
//! invoice with everything its screen shows, the client picker's search,
//! and the list of credit notes.
//!
//! They only read, and derive what they show with the same core functions as
//! the list (`InvoiceStatus::is_overdue`, money arithmetic), so the app's
//! commands stay one-liners.

use acquit_core::{Client, Money};
use chrono::NaiveDate;

use crate::invoices::{InvoiceId, InvoiceView};
use crate::parties::ClientId;
use crate::payments::{PaymentMethod, StoredPayment};
use crate::{Store, StoreError, from_json};

/// One invoice (or draft) with its payments and credit notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDetail {
    pub view: InvoiceView,
    /// Unpaid after its due date (judged against the `today` asked for).
    pub overdue: bool,
    /// Oldest first; empty for a draft or a credit note.
    pub payments: Vec<PaymentDetail>,
    /// Issued credit notes against this invoice, oldest first.
    pub credit_notes: Vec<CreditNoteRef>,
    /// Issued elsewhere, and the former tool's PDF is kept.
    pub former_pdf: bool,
}

/// A payment with what was left once the fee was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentDetail {
    pub payment: StoredPayment,
    /// Amount − fee when the fee is known; the amount itself for methods
    /// without fees; unknown for a Stripe payment whose fee is not known yet.
    pub net: Option<Money>,
}

/// A credit note as the corrected invoice lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditNoteRef {
    pub id: InvoiceId,
    pub number: String,
    pub issue_date: Option<NaiveDate>,
    /// Negative: what it takes off the invoice, VAT included.
    pub total: Money,
    pub reason: Option<String>,
}

/// An issued credit note, as the credit notes screen lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditNoteRow {
    pub id: InvoiceId,
    pub number: String,
    pub issue_date: Option<NaiveDate>,
    pub client: String,
    /// The invoice it corrects.
    pub credits_id: InvoiceId,
    pub credits: String,
    /// Negative: what it takes off the invoice, VAT included.
    pub total: Money,
    pub reason: Option<String>,
}

impl Store {
    /// Every issued credit note, newest first (by date, then number order).
    pub fn credit_notes(&self) -> Result<Vec<CreditNoteRow>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT cn.id, cn.number, cn.issue_date, c.name, i.id, i.number, cn.currency,
                    cn.total_minor, cn.reason
             FROM invoices cn
             JOIN invoices i ON i.id = cn.credits_invoice_id
             JOIN clients c ON c.id = cn.client_id
             WHERE cn.kind = 'credit_note' AND cn.number IS NOT NULL
             ORDER BY cn.issue_date DESC, cn.id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })?;
        rows.map(|row| {
            let (id, number, date, client, credits_id, credits, currency, total, reason) = row?;
            let currency = acquit_core::Currency::from_code(&currency)
                .map_err(|e| StoreError::Decode(e.to_string()))?;
            Ok(CreditNoteRow {
                id: InvoiceId(id),
                number,
                issue_date: date
                    .as_deref()
                    .map(|d| {
                        d.parse()
                            .map_err(|e| StoreError::Decode(format!("date {d:?}: {e}")))
                    })
                    .transpose()?,
                client,
                credits_id: InvoiceId(credits_id),
                credits,
                total: Money::new(total, currency),
                reason,
            })
        })
        .collect()
    }

    /// The draft or issued document `id` with its payments and credit notes.
    pub fn invoice_detail(
        &self,
        id: InvoiceId,
        today: NaiveDate,
    ) -> Result<InvoiceDetail, StoreError> {
        let view = self.invoice_by_id(id)?;
        let payments = match &view.number {
            Some(number) if !view.kind.is_credit_note() => self
                .payments(number)?
                .into_iter()
                .map(|payment| {
                    let net = match payment.fee {
                        Some(fee) => Some(
                            payment
                                .amount
                                .checked_sub(fee)
                                .map_err(|e| StoreError::Decode(e.to_string()))?,
                        ),
                        None if payment.method != PaymentMethod::Stripe => Some(payment.amount),
                        None => None,
                    };
                    Ok(PaymentDetail { payment, net })
                })
                .collect::<Result<_, StoreError>>()?,
            _ => Vec::new(),
        };
        let credit_notes = view
            .credit_notes
            .iter()
            .map(|number| {
                let note = self.invoice(number)?;
                Ok(CreditNoteRef {
                    id: note.id,
                    number: number.clone(),
                    issue_date: note.issue_date,
                    total: note.totals.total,
                    reason: note.reason,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let overdue = view
            .status
            .is_overdue(view.amount_due, view.due_date, today);
        let former_pdf = view.elsewhere
            && self.conn().query_row(
                "SELECT EXISTS (SELECT 1 FROM imported_pdfs WHERE invoice_id = ?1)",
                [view.id.0],
                |r| r.get(0),
            )?;
        Ok(InvoiceDetail {
            view,
            overdue,
            payments,
            credit_notes,
            former_pdf,
        })
    }

    /// Clients whose name, email or SIREN contains `term` (all of them for an
    /// empty term), by name; at most `limit`.
    pub fn search_clients(
        &self,
        term: &str,
        limit: usize,
    ) -> Result<Vec<(ClientId, Client)>, StoreError> {
        let term = term.trim();
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, profile FROM clients
             WHERE ?1 = '' OR name LIKE '%' || ?1 || '%'
                OR json_extract(profile, '$.email') LIKE '%' || ?1 || '%'
                OR json_extract(profile, '$.siren') LIKE '%' || ?1 || '%'
             ORDER BY name COLLATE NOCASE, id LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            rusqlite::params![term, i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )?;
        rows.map(|row| {
            let (id, profile) = row?;
            Ok((ClientId(id), from_json(&profile)?))
        })
        .collect()
    }
}
