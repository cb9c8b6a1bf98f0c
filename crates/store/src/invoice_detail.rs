//! One invoice (or draft) with everything its screen shows: its view, its
//! payments with what each brought in net of fees, its credit notes,
//! whether it is overdue, whether its former PDF was imported.
//!
//! It only reads, and derives what it shows with the same core functions as
//! the list (`InvoiceStatus::is_overdue`, money arithmetic), so the app's
//! command stays a one-liner.

use acquit_core::Money;
use chrono::NaiveDate;

use crate::invoices::{InvoiceId, InvoiceView};
use crate::payments::{PaymentMethod, StoredPayment};
use crate::{Store, StoreError};

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

impl Store {
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
}
