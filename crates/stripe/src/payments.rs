//! PaymentIntents, their charge and its balance transaction: where Stripe's
//! fee and the net amount of a payment are.
//!
//! The fee is on the balance transaction of the PaymentIntent's latest
//! charge. One `GET /v1/payment_intents/{id}` with
//! `expand[]=latest_charge.balance_transaction` reads all three; a SEPA
//! debit still pending has a charge but no balance transaction yet, so
//! "no fee known yet" is an answer ([`None`]), not an error. The balance
//! transaction is in the currency of the account's balance, which is not
//! always the invoice's.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::client::Client;
use crate::error::{Permission, StripeError};
use crate::form::{Form, Value, percent_encode};
use crate::list::{Expandable, Identified};

/// The fields of Stripe's `payment_intent` object that Acquit reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    pub amount: i64,
    #[serde(default)]
    pub amount_received: Option<i64>,
    pub currency: String,
    /// `succeeded`, `processing` (SEPA), `requires_payment_method`, …
    pub status: String,
    #[serde(default)]
    pub latest_charge: Option<Expandable<Charge>>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    #[serde(default)]
    pub livemode: bool,
}

/// The fields of Stripe's `charge` object that Acquit reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Charge {
    pub id: String,
    pub amount: i64,
    pub amount_refunded: i64,
    pub currency: String,
    /// Whether the whole amount was refunded.
    #[serde(default)]
    pub refunded: bool,
    /// `succeeded`, `pending` or `failed`.
    pub status: String,
    /// Null while a SEPA debit is pending.
    #[serde(default)]
    pub balance_transaction: Option<Expandable<BalanceTransaction>>,
    #[serde(default)]
    pub payment_intent: Option<Expandable<PaymentIntent>>,
    pub created: i64,
}

/// The fields of Stripe's `balance_transaction` object that Acquit reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BalanceTransaction {
    pub id: String,
    /// Gross, in the balance's currency (minor units).
    pub amount: i64,
    /// Stripe's fees, positive.
    pub fee: i64,
    /// `amount - fee`.
    pub net: i64,
    /// The balance's currency, lowercase: not necessarily the invoice's.
    pub currency: String,
    #[serde(default)]
    pub available_on: Option<i64>,
    pub created: i64,
}

/// Stripe's fee on a payment and what reaches the balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeAndNet {
    pub fee: i64,
    pub net: i64,
    /// The currency of `fee` and `net` (the balance's), lowercase.
    pub currency: String,
    /// The balance transaction they come from (`txn_…`).
    pub balance_transaction: String,
}

impl From<&BalanceTransaction> for FeeAndNet {
    fn from(txn: &BalanceTransaction) -> FeeAndNet {
        FeeAndNet {
            fee: txn.fee,
            net: txn.net,
            currency: txn.currency.clone(),
            balance_transaction: txn.id.clone(),
        }
    }
}

impl Identified for PaymentIntent {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Identified for Charge {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Identified for BalanceTransaction {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Client {
    /// Retrieves a PaymentIntent (`pi_…`), expanding the fields named in
    /// `expand` (e.g. `latest_charge.balance_transaction`).
    pub async fn retrieve_payment_intent(
        &self,
        id: &str,
        expand: &[&str],
    ) -> Result<PaymentIntent, StripeError> {
        let mut query = Form::new();
        if !expand.is_empty() {
            query.push("expand", Value::list(expand.iter().map(Value::str)));
        }
        self.get(
            &format!("/v1/payment_intents/{}", percent_encode(id)),
            &query,
        )
        .await
        .map_err(|e| e.needing(Permission::PAYMENT_INTENTS_READ))
    }

    /// Retrieves a balance transaction (`txn_…`).
    pub async fn retrieve_balance_transaction(
        &self,
        id: &str,
    ) -> Result<BalanceTransaction, StripeError> {
        self.get(
            &format!("/v1/balance_transactions/{}", percent_encode(id)),
            &Form::new(),
        )
        .await
        .map_err(|e| e.needing(Permission::BALANCE_READ))
    }

    /// Stripe's fee and the net amount of a payment, in one expanded GET;
    /// `None` while there is none yet (no charge, or a pending SEPA debit).
    pub async fn fee_and_net(
        &self,
        payment_intent_id: &str,
    ) -> Result<Option<FeeAndNet>, StripeError> {
        let intent = self
            .retrieve_payment_intent(payment_intent_id, &["latest_charge.balance_transaction"])
            .await?;
        let Some(charge) = intent.latest_charge.as_ref() else {
            return Ok(None);
        };
        let txn = match charge {
            Expandable::Object(charge) => charge.balance_transaction.as_ref(),
            // Stripe always expands what was asked; just in case it did not.
            Expandable::Id(_) => {
                return Err(StripeError::UnexpectedResponse {
                    status: 200,
                    reason: format!("{payment_intent_id}: latest_charge was not expanded"),
                });
            }
        };
        match txn {
            None => Ok(None),
            Some(Expandable::Object(txn)) => Ok(Some(FeeAndNet::from(txn.as_ref()))),
            Some(Expandable::Id(id)) => Ok(Some(FeeAndNet::from(
                &self.retrieve_balance_transaction(id).await?,
            ))),
        }
    }
}
