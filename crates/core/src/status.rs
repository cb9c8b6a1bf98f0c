//! The state of an invoice, derived from what happened to it.
//!
//! Nobody types a status in. An issued invoice's status and the amount still
//! due follow from its total, the payments received (net of refunds), the
//! credit notes issued against it and whether a payment is in flight (SEPA
//! takes days):
//!
//! | condition (checked in this order)          | status          |
//! |--------------------------------------------|-----------------|
//! | not issued                                 | draft           |
//! | credit notes cover the whole total         | cancelled       |
//! | payments + credit notes cover the total    | paid            |
//! | some payment received                      | partially paid  |
//! | a payment is processing                    | processing      |
//! | otherwise                                  | issued          |
//!
//! The amount due is total − credited − paid, never below zero; anything
//! paid beyond it is reported as overpaid (to refund or to keep as credit).

use serde::{Deserialize, Serialize};

use crate::Money;
use crate::money::MoneyError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InvoiceStatus {
    Draft,
    Issued,
    Processing,
    PartiallyPaid,
    Paid,
    Cancelled,
}

impl InvoiceStatus {
    pub const ALL: [InvoiceStatus; 6] = [
        InvoiceStatus::Draft,
        InvoiceStatus::Issued,
        InvoiceStatus::Processing,
        InvoiceStatus::PartiallyPaid,
        InvoiceStatus::Paid,
        InvoiceStatus::Cancelled,
    ];

    /// Whether money may still come in: an issued invoice not yet settled
    /// (a payment processing, a part paid). Payment links and payments
    /// recorded by hand are offered only then; a credit note, a draft, a
    /// paid or cancelled invoice take none.
    pub fn takes_payments(&self) -> bool {
        matches!(
            self,
            InvoiceStatus::Issued | InvoiceStatus::Processing | InvoiceStatus::PartiallyPaid
        )
    }

    /// The name used by the CLI and in JSON: `partially-paid`.
    pub fn as_str(&self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::Issued => "issued",
            InvoiceStatus::Processing => "processing",
            InvoiceStatus::PartiallyPaid => "partially-paid",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Cancelled => "cancelled",
        }
    }
}

impl std::str::FromStr for InvoiceStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        InvoiceStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = InvoiceStatus::ALL
                    .iter()
                    .map(InvoiceStatus::as_str)
                    .collect();
                format!("\"{s}\" is not a status: use one of {}", names.join(", "))
            })
    }
}

impl InvoiceStatus {
    /// Whether money is still expected on the invoice.
    pub fn awaits_payment(&self) -> bool {
        matches!(
            self,
            InvoiceStatus::Issued | InvoiceStatus::Processing | InvoiceStatus::PartiallyPaid
        )
    }

    /// Late: money is still due and the due date has passed (the due date
    /// itself is not late).
    pub fn is_overdue(
        &self,
        amount_due: Money,
        due_date: Option<chrono::NaiveDate>,
        today: chrono::NaiveDate,
    ) -> bool {
        self.awaits_payment() && amount_due.is_positive() && due_date.is_some_and(|due| due < today)
    }
}

/// What happened to an issued invoice's money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settlement {
    /// The invoice's total including VAT.
    pub total: Money,
    /// Payments received minus refunds.
    pub paid: Money,
    /// Sum of the credit notes against the invoice, as a positive amount.
    pub credited: Money,
    /// A payment has started and not yet succeeded or failed.
    pub processing: bool,
}

impl Settlement {
    pub fn nothing_yet(total: Money) -> Settlement {
        let zero = Money::zero(total.currency());
        Settlement {
            total,
            paid: zero,
            credited: zero,
            processing: false,
        }
    }

    /// What the client still owes (never negative).
    pub fn amount_due(&self) -> Result<Money, MoneyError> {
        let due = self
            .total
            .checked_sub(self.credited)?
            .checked_sub(self.paid)?;
        Ok(if due.is_negative() {
            Money::zero(due.currency())
        } else {
            due
        })
    }

    /// What was paid beyond the amount due.
    pub fn overpaid(&self) -> Result<Money, MoneyError> {
        let due = self
            .total
            .checked_sub(self.credited)?
            .checked_sub(self.paid)?;
        Ok(if due.is_negative() {
            due.checked_neg()?
        } else {
            Money::zero(due.currency())
        })
    }

    /// The rule. Its copy for SQLite, the `status` column of the store's
    /// `invoice_settlements` (migration 0014, what the list's filters read),
    /// is kept equal to this by `crates/store/tests/settlements.rs`: change
    /// both, in a new migration.
    pub fn status(&self) -> Result<InvoiceStatus, MoneyError> {
        Ok(if self.credited.minor() >= self.total.minor() {
            InvoiceStatus::Cancelled
        } else if self.amount_due()?.is_zero() {
            InvoiceStatus::Paid
        } else if self.paid.is_positive() {
            InvoiceStatus::PartiallyPaid
        } else if self.processing {
            InvoiceStatus::Processing
        } else {
            InvoiceStatus::Issued
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    #[test]
    fn status_table() {
        use InvoiceStatus::*;
        // (total, paid, credited, processing) → (status, due, overpaid)
        let cases = [
            ((1000, 0, 0, false), (Issued, 1000, 0)),
            ((1000, 0, 0, true), (Processing, 1000, 0)),
            ((1000, 400, 0, false), (PartiallyPaid, 600, 0)),
            ((1000, 400, 0, true), (PartiallyPaid, 600, 0)),
            ((1000, 1000, 0, false), (Paid, 0, 0)),
            ((1000, 1200, 0, false), (Paid, 0, 200)),
            ((1000, 600, 400, false), (Paid, 0, 0)),
            ((1000, 0, 400, false), (Issued, 600, 0)),
            ((1000, 0, 1000, false), (Cancelled, 0, 0)),
            ((1000, 1000, 1000, false), (Cancelled, 0, 1000)),
            ((1000, 0, 0, false), (Issued, 1000, 0)),
        ];
        for ((total, paid, credited, processing), (status, due, overpaid)) in cases {
            let s = Settlement {
                total: eur(total),
                paid: eur(paid),
                credited: eur(credited),
                processing,
            };
            assert_eq!(
                (
                    s.status().unwrap(),
                    s.amount_due().unwrap(),
                    s.overpaid().unwrap()
                ),
                (status, eur(due), eur(overpaid)),
                "{s:?}"
            );
        }
    }

    #[test]
    fn overdue_means_unpaid_after_the_due_date() {
        use InvoiceStatus::*;
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let cases = [
            (Issued, 100, Some(day(10)), day(11), true),
            (Issued, 100, Some(day(10)), day(10), false),
            (PartiallyPaid, 100, Some(day(1)), day(23), true),
            (Processing, 100, Some(day(1)), day(23), true),
            (Paid, 0, Some(day(1)), day(23), false),
            (Cancelled, 0, Some(day(1)), day(23), false),
            (Draft, 100, Some(day(1)), day(23), false),
            (Issued, 100, None, day(23), false),
            // A credit note is issued with nothing due: never late.
            (Issued, 0, Some(day(1)), day(23), false),
        ];
        for (status, due_minor, due, today, overdue) in cases {
            assert_eq!(
                status.is_overdue(eur(due_minor), due, today),
                overdue,
                "{status:?} due {due:?} on {today}"
            );
        }
    }

    #[test]
    fn names_round_trip() {
        for status in InvoiceStatus::ALL {
            assert_eq!(status.as_str().parse::<InvoiceStatus>(), Ok(status));
        }
        assert!(
            "payée"
                .parse::<InvoiceStatus>()
                .unwrap_err()
                .contains("partially-paid")
        );
    }

    #[test]
    fn money_may_come_in_until_settled() {
        let taking: Vec<&str> = InvoiceStatus::ALL
            .iter()
            .filter(|s| s.takes_payments())
            .map(InvoiceStatus::as_str)
            .collect();
        assert_eq!(taking, ["issued", "processing", "partially-paid"]);
    }
}
