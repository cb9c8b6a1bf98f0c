//! Refunds: reading those made in the Dashboard, and making one for a
//! credit note.
//!
//! A refund is asked for by PaymentIntent (Stripe finds the charge), for
//! the whole of what is left or for `amount` minor units of the payment's
//! currency. Its idempotency key comes from Acquit's id for the refund (the
//! credit note), so a retry never refunds twice. Stripe refuses a refund
//! larger than what is left on the charge; that refusal is
//! [`StripeError::RefundTooLarge`].

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::client::{Client, IdempotencyKey};
use crate::error::{Permission, StripeError};
use crate::form::{Form, Value};
use crate::list::{Expandable, Identified};
use crate::payments::{Charge, PaymentIntent};

/// The fields of Stripe's `refund` object that Acquit reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Refund {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    /// `pending`, `requires_action`, `succeeded`, `failed` or `canceled`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub charge: Option<Expandable<Charge>>,
    #[serde(default)]
    pub payment_intent: Option<Expandable<PaymentIntent>>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub metadata: Option<BTreeMap<String, String>>,
    pub created: i64,
}

impl Identified for Refund {
    fn id(&self) -> &str {
        &self.id
    }
}

/// Which refunds to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundsOf<'a> {
    PaymentIntent(&'a str),
    Charge(&'a str),
}

/// A refund to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefund {
    /// The payment to refund (`pi_…`).
    pub payment_intent: String,
    /// Minor units of the payment's currency; the whole of what is left
    /// when `None`.
    pub amount: Option<i64>,
    /// Acquit's id for this refund, written to the metadata as
    /// `acquit_refund_id` (and the base of the idempotency key).
    pub refund_id: String,
}

/// Why a refund cannot be asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NewRefundError {
    #[error("a refund needs a positive amount")]
    NotPositive,
}

impl NewRefund {
    pub fn to_form(&self) -> Result<Form, NewRefundError> {
        let mut form = Form::new().with("payment_intent", Value::str(&self.payment_intent));
        if let Some(amount) = self.amount {
            if amount <= 0 {
                return Err(NewRefundError::NotPositive);
            }
            form.push("amount", Value::str(amount));
        }
        form.push(
            "metadata",
            Value::map([("acquit_refund_id", Value::str(&self.refund_id))]),
        );
        Ok(form)
    }
}

/// Why making a refund failed: a bad request on our side, or Stripe.
#[derive(Debug, thiserror::Error)]
pub enum CreateRefundError {
    #[error(transparent)]
    Input(#[from] NewRefundError),
    #[error(transparent)]
    Stripe(#[from] StripeError),
}

impl Client {
    /// Every refund of a payment, newest first (all pages).
    pub async fn list_refunds(&self, of: RefundsOf<'_>) -> Result<Vec<Refund>, StripeError> {
        let query = match of {
            RefundsOf::PaymentIntent(id) => Form::new().with("payment_intent", Value::str(id)),
            RefundsOf::Charge(id) => Form::new().with("charge", Value::str(id)),
        };
        self.list_all("/v1/refunds", &query)
            .await
            .map_err(|e| e.needing(Permission::REFUNDS_READ))
    }

    /// Refunds (part of) a payment. Use
    /// [`IdempotencyKey::for_refund`]`(&refund.refund_id)`.
    pub async fn create_refund(
        &self,
        refund: &NewRefund,
        idempotency_key: &IdempotencyKey,
    ) -> Result<Refund, CreateRefundError> {
        let form = refund.to_form()?;
        self.post("/v1/refunds", &form, idempotency_key)
            .await
            .map_err(|e| CreateRefundError::Stripe(too_large(e).needing(Permission::REFUNDS_WRITE)))
    }
}

/// Stripe's refusal of a refund beyond what is left, as its own error:
/// `amount_too_large` ("Refund amount (€60.00) is greater than unrefunded
/// amount on charge (€50.00)") or `charge_already_refunded`.
fn too_large(error: StripeError) -> StripeError {
    let matches = |detail: &crate::ApiErrorBody| {
        matches!(
            detail.code.as_deref(),
            Some("amount_too_large" | "charge_already_refunded")
        ) || detail
            .message
            .as_deref()
            .is_some_and(|m| m.contains("is greater than"))
    };
    match error {
        StripeError::AmountOutOfRange { detail } | StripeError::InvalidRequest { detail, .. }
            if matches(&detail) =>
        {
            StripeError::RefundTooLarge { detail }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_of_a_refund() {
        let refund = NewRefund {
            payment_intent: "pi_1".to_owned(),
            amount: Some(2500),
            refund_id: "cn_7".to_owned(),
        };
        assert_eq!(
            refund.to_form().unwrap().encode(),
            "payment_intent=pi_1&amount=2500&metadata%5Bacquit_refund_id%5D=cn_7"
        );
        let whole = NewRefund {
            amount: None,
            ..refund.clone()
        };
        assert_eq!(
            whole.to_form().unwrap().encode(),
            "payment_intent=pi_1&metadata%5Bacquit_refund_id%5D=cn_7"
        );
        let zero = NewRefund {
            amount: Some(0),
            ..refund
        };
        assert_eq!(zero.to_form(), Err(NewRefundError::NotPositive));
    }

    #[test]
    fn a_refund_beyond_the_charge_is_typed() {
        for (code, message) in [
            (
                Some("amount_too_large"),
                "Refund amount (€60.00) is greater than unrefunded amount on charge (€50.00)",
            ),
            (
                None,
                "Refund amount (€60.00) is greater than charge amount (€50.00)",
            ),
            (
                Some("charge_already_refunded"),
                "Charge ch_1 has already been refunded.",
            ),
        ] {
            let body = serde_json::json!({"error": {
                "type": "invalid_request_error", "code": code, "param": "amount", "message": message
            }});
            let error = too_large(StripeError::from_response(400, body.to_string().as_bytes()));
            assert!(
                matches!(error, StripeError::RefundTooLarge { .. }),
                "{error:?}"
            );
            assert!(
                error
                    .to_string()
                    .contains("more than what is left to refund")
            );
        }
        let other = serde_json::json!({"error": {
            "type": "invalid_request_error", "code": "resource_missing", "message": "No such payment_intent: 'pi_x'"
        }});
        let error = too_large(StripeError::from_response(
            404,
            other.to_string().as_bytes(),
        ));
        assert!(matches!(error, StripeError::NotFound { .. }), "{error:?}");
    }
}
