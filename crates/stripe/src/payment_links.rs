//! Payment Links for one invoice: create, retrieve, deactivate.
//!
//! A link is created with an inline `price_data` (no Product or Price to
//! manage in the user's catalogue), one line item, and
//! `restrictions[completed_sessions][limit]=1` so that it cannot be paid
//! twice. Its metadata carries Acquit's ids, which is how a webhook or a
//! reconciliation finds the invoice again. Links cannot be deleted on
//! Stripe; `active=false` is how a link is withdrawn.

use std::collections::BTreeMap;

use acquit_core::Money;
use serde::Deserialize;

use crate::client::{Client, IdempotencyKey};
use crate::error::StripeError;
use crate::form::{Form, Value};
use crate::secret::Mode;

/// A way to pay that a link offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMethod {
    Card,
    SepaDebit,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Card => "card",
            PaymentMethod::SepaDebit => "sepa_debit",
        }
    }
}

/// A Payment Link to create for (part of) an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPaymentLink {
    /// What the client pays: must be positive.
    pub amount: Money,
    /// The line the client sees on Stripe's page ("Facture F-2026-0001").
    pub product_name: String,
    /// Acquit's ids, written to the link's metadata as `acquit_invoice_id`,
    /// `acquit_invoice_number`, `acquit_link_id` (copied by Stripe to the
    /// Checkout Sessions the link makes, which is what webhooks carry).
    pub invoice_id: String,
    pub invoice_number: String,
    pub link_id: String,
    pub payment_methods: Vec<PaymentMethod>,
    /// Shown on Stripe's page after payment (when no `redirect_url`).
    pub confirmation_message: Option<String>,
    /// Where the client's browser goes after paying instead of Stripe's
    /// confirmation (`after_completion[type]=redirect`), e.g. the relay's
    /// return page.
    pub redirect_url: Option<String>,
}

/// Why a link cannot be asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NewLinkError {
    #[error("a payment link needs a positive amount")]
    NotPositive,
    #[error("a payment link needs at least one payment method")]
    NoPaymentMethod,
}

impl NewPaymentLink {
    /// A link for `amount` of invoice `invoice_number`: card, plus SEPA
    /// Direct Debit when the amount is in euros (SEPA takes only EUR).
    pub fn for_invoice(
        amount: Money,
        invoice_id: impl Into<String>,
        invoice_number: impl Into<String>,
        link_id: impl Into<String>,
    ) -> NewPaymentLink {
        let invoice_number = invoice_number.into();
        let mut payment_methods = vec![PaymentMethod::Card];
        if amount.currency().code() == "EUR" {
            payment_methods.push(PaymentMethod::SepaDebit);
        }
        NewPaymentLink {
            amount,
            product_name: format!("Facture {invoice_number}"),
            confirmation_message: Some(format!(
                "Merci ! Votre paiement de la facture {invoice_number} est bien reçu."
            )),
            invoice_id: invoice_id.into(),
            invoice_number,
            link_id: link_id.into(),
            payment_methods,
            redirect_url: None,
        }
    }

    /// The request's parameters, in the order they are sent.
    pub fn to_form(&self) -> Result<Form, NewLinkError> {
        if !self.amount.is_positive() {
            return Err(NewLinkError::NotPositive);
        }
        if self.payment_methods.is_empty() {
            return Err(NewLinkError::NoPaymentMethod);
        }
        let price_data = Value::map([
            (
                "currency",
                Value::str(self.amount.currency().code().to_ascii_lowercase()),
            ),
            ("unit_amount", Value::str(self.amount.minor())),
            (
                "product_data",
                Value::map([("name", Value::str(&self.product_name))]),
            ),
        ]);
        let mut after_completion = vec![];
        if let Some(url) = &self.redirect_url {
            after_completion.push(("type", Value::str("redirect")));
            after_completion.push(("redirect", Value::map([("url", Value::str(url))])));
        } else {
            after_completion.push(("type", Value::str("hosted_confirmation")));
            if let Some(message) = &self.confirmation_message {
                after_completion.push((
                    "hosted_confirmation",
                    Value::map([("custom_message", Value::str(message))]),
                ));
            }
        }
        Ok(Form::new()
            .with(
                "line_items",
                Value::list([Value::map([
                    ("price_data", price_data),
                    ("quantity", Value::str(1)),
                ])]),
            )
            .with(
                "payment_method_types",
                Value::list(self.payment_methods.iter().map(|m| Value::str(m.as_str()))),
            )
            .with(
                "restrictions",
                Value::map([("completed_sessions", Value::map([("limit", Value::str(1))]))]),
            )
            .with(
                "metadata",
                Value::map([
                    ("acquit_invoice_id", Value::str(&self.invoice_id)),
                    ("acquit_invoice_number", Value::str(&self.invoice_number)),
                    ("acquit_link_id", Value::str(&self.link_id)),
                ]),
            )
            .with("after_completion", Value::map(after_completion)))
    }
}

/// The fields of Stripe's `payment_link` object that Acquit reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PaymentLink {
    pub id: String,
    pub active: bool,
    pub url: String,
    pub livemode: bool,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    #[serde(default)]
    pub payment_method_types: Option<Vec<String>>,
}

impl crate::list::Identified for PaymentLink {
    fn id(&self) -> &str {
        &self.id
    }
}

impl PaymentLink {
    pub fn mode(&self) -> Mode {
        if self.livemode {
            Mode::Live
        } else {
            Mode::Test
        }
    }
}

/// Why creating a link failed: a bad request on our side, or Stripe.
#[derive(Debug, thiserror::Error)]
pub enum CreateLinkError {
    #[error(transparent)]
    Input(#[from] NewLinkError),
    #[error(transparent)]
    Stripe(#[from] StripeError),
}

impl Client {
    /// Creates the link. The same `idempotency_key` (derive it from
    /// `link.link_id`) returns the same link however often it is retried.
    pub async fn create_payment_link(
        &self,
        link: &NewPaymentLink,
        idempotency_key: &IdempotencyKey,
    ) -> Result<PaymentLink, CreateLinkError> {
        let form = link.to_form()?;
        Ok(self
            .post("/v1/payment_links", &form, idempotency_key)
            .await?)
    }

    /// Retrieves a link by Stripe's id (`plink_…`).
    pub async fn retrieve_payment_link(&self, id: &str) -> Result<PaymentLink, StripeError> {
        self.get(
            &format!("/v1/payment_links/{}", path_segment(id)),
            &Form::new(),
        )
        .await
    }

    /// Deactivates a link (`active=false`): it can no longer be paid.
    pub async fn deactivate_payment_link(
        &self,
        id: &str,
        idempotency_key: &IdempotencyKey,
    ) -> Result<PaymentLink, StripeError> {
        let form = Form::new().with("active", Value::str(false));
        self.post(
            &format!("/v1/payment_links/{}", path_segment(id)),
            &form,
            idempotency_key,
        )
        .await
    }
}

/// An id as one path segment: Stripe ids are `[A-Za-z0-9_]`, anything else
/// is percent-encoded so it cannot change the path.
fn path_segment(id: &str) -> String {
    crate::form::percent_encode(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use acquit_core::Currency;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::from_code("EUR").unwrap())
    }

    #[test]
    fn the_form_of_a_link() {
        let link = NewPaymentLink::for_invoice(eur(125_050), "inv_1", "F-2026-0007", "lnk_3");
        let pairs = link.to_form().unwrap().pairs();
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("line_items[0][price_data][currency]", "eur"),
                ("line_items[0][price_data][unit_amount]", "125050"),
                (
                    "line_items[0][price_data][product_data][name]",
                    "Facture F-2026-0007"
                ),
                ("line_items[0][quantity]", "1"),
                ("payment_method_types[0]", "card"),
                ("payment_method_types[1]", "sepa_debit"),
                ("restrictions[completed_sessions][limit]", "1"),
                ("metadata[acquit_invoice_id]", "inv_1"),
                ("metadata[acquit_invoice_number]", "F-2026-0007"),
                ("metadata[acquit_link_id]", "lnk_3"),
                ("after_completion[type]", "hosted_confirmation"),
                (
                    "after_completion[hosted_confirmation][custom_message]",
                    "Merci ! Votre paiement de la facture F-2026-0007 est bien reçu."
                ),
            ]
        );
    }

    #[test]
    fn a_redirect_replaces_the_confirmation() {
        let mut link = NewPaymentLink::for_invoice(eur(100), "i", "F-1", "l");
        link.redirect_url = Some("https://relay.example/p/tok/done".into());
        let pairs = link.to_form().unwrap().pairs();
        let tail: Vec<(&str, &str)> = pairs[pairs.len() - 2..]
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            tail,
            [
                ("after_completion[type]", "redirect"),
                (
                    "after_completion[redirect][url]",
                    "https://relay.example/p/tok/done"
                ),
            ]
        );
    }

    #[test]
    fn no_sepa_outside_euros_and_no_zero_amounts() {
        let usd = Money::new(5000, Currency::from_code("USD").unwrap());
        let link = NewPaymentLink::for_invoice(usd, "i", "n", "l");
        assert_eq!(link.payment_methods, [PaymentMethod::Card]);
        let zero = NewPaymentLink::for_invoice(eur(0), "i", "n", "l");
        assert_eq!(zero.to_form(), Err(NewLinkError::NotPositive));
    }

    #[test]
    fn ids_cannot_escape_their_path_segment() {
        assert_eq!(path_segment("plink_1Abc"), "plink_1Abc");
        assert_eq!(path_segment("../x?y"), "..%2Fx%3Fy");
    }
}
