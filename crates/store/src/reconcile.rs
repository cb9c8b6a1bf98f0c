//! What reconciliation with Stripe reads from the books.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::{Store, StoreError};

impl Store {
    /// Stripe payments recorded (received on or after `since`, when given):
    /// PaymentIntent id → invoice number.
    pub fn stripe_payment_intents(
        &self,
        since: Option<NaiveDate>,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        let mut statement = self.conn().prepare(
            "SELECT p.stripe_payment_intent, i.number
             FROM payments p JOIN invoices i ON i.id = p.invoice_id
             WHERE p.kind = 'payment' AND p.stripe_payment_intent IS NOT NULL
               AND (?1 IS NULL OR p.received_on >= ?1)",
        )?;
        let rows = statement.query_map([since.map(|d| d.to_string())], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
