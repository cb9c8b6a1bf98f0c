//! The app's home screen: what is owed, late, paid this month and on its
//! way, per currency. Read-only, from the same derived statuses as the list.

use std::collections::BTreeMap;

use acquit_core::{InvoiceStatus, Money};
use chrono::{Datelike, NaiveDate};

use crate::payments::PaymentKind;
use crate::{ListQuery, Store, StoreError};

/// Sums per currency (one entry per currency used, in code order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sums(pub Vec<Money>);

impl Sums {
    fn from_map(map: BTreeMap<String, Money>) -> Sums {
        Sums(map.into_values().collect())
    }
}

/// The home screen's numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dashboard {
    /// Remaining due on issued invoices (not credit notes).
    pub due: Sums,
    pub due_count: usize,
    /// Of which past their due date.
    pub overdue: Sums,
    pub overdue_count: usize,
    /// Received this calendar month (payments less refunds and reversals).
    pub paid_this_month: Sums,
    /// Invoices whose payment is on its way (SEPA Direct Debit…).
    pub processing: Sums,
    pub processing_count: usize,
}

fn add(map: &mut BTreeMap<String, Money>, amount: Money) -> Result<(), StoreError> {
    let entry = map
        .entry(amount.currency().code().to_owned())
        .or_insert_with(|| Money::zero(amount.currency()));
    *entry = entry
        .checked_add(amount)
        .map_err(|e| StoreError::Decode(e.to_string()))?;
    Ok(())
}

impl Store {
    /// The numbers of the home screen as of `today`.
    pub fn dashboard(&self, today: NaiveDate) -> Result<Dashboard, StoreError> {
        let rows = self.list_page(&ListQuery {
            status: None,
            search: None,
            offset: 0,
            limit: 1_000_000,
            today,
        })?;
        let (mut due, mut overdue, mut processing) =
            (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
        let mut board = Dashboard::default();
        for row in rows.iter().filter(|r| !r.kind.is_credit_note()) {
            let open = matches!(
                row.status,
                InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid | InvoiceStatus::Processing
            );
            if !open || !row.amount_due.is_positive() {
                continue;
            }
            add(&mut due, row.amount_due)?;
            board.due_count += 1;
            if row.overdue {
                add(&mut overdue, row.amount_due)?;
                board.overdue_count += 1;
            }
            if row.status == InvoiceStatus::Processing {
                add(&mut processing, row.amount_due)?;
                board.processing_count += 1;
            }
        }
        let first = today.with_day(1).unwrap_or(today);
        let mut paid = BTreeMap::new();
        for entry in self.ledger(Some(first), Some(today))? {
            if matches!(
                entry.kind,
                PaymentKind::Payment | PaymentKind::Refund | PaymentKind::Reversal
            ) {
                add(&mut paid, entry.amount)?;
            }
        }
        board.due = Sums::from_map(due);
        board.overdue = Sums::from_map(overdue);
        board.processing = Sums::from_map(processing);
        board.paid_this_month = Sums::from_map(paid);
        Ok(board)
    }
}
