//! Checkout Sessions: a one-off payment page for (part of) an invoice, and
//! the sessions behind a Payment Link.
//!
//! Acquit creates a session when the user asks for a link that expires
//! (`acquit link create --kind checkout --expires-in 24h`): one line item
//! with an inline `price_data`, Acquit's ids in the metadata (also copied to
//! the PaymentIntent, so the Dashboard's payment page shows them), and an
//! `expires_at` that Stripe only takes between 30 minutes and 24 hours after
//! creation — checked here first, so the user hears it before any request.
//!
//! A Payment Link makes one session per visit; after a payment, listing the
//! sessions by `payment_link` finds the one that was paid, and retrieving it
//! with `expand[]=payment_intent.latest_charge.balance_transaction` gives
//! Stripe's fee and the net amount in the same answer.
//!
//! In API version 2026-10-28.endive the payment methods of a session are
//! `allowed_payment_method_types` (the older `payment_method_types` is no
//! longer a parameter of `POST /v1/checkout/sessions`).

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use acquit_core::{Lang, Money};
use serde::Deserialize;

use crate::client::{Client, IdempotencyKey};
use crate::error::{Permission, StripeError};
use crate::form::{Form, Value, percent_encode};
use crate::list::{Expandable, Identified};
use crate::payment_links::{PaymentLink, PaymentMethod};
use crate::payments::{BalanceTransaction, Charge, PaymentIntent};

/// The earliest expiry Stripe takes, in seconds after creation.
pub const MIN_EXPIRY_SECS: i64 = 30 * 60;
/// The latest expiry Stripe takes (and its default), in seconds.
pub const MAX_EXPIRY_SECS: i64 = 24 * 60 * 60;

/// What `retrieve_checkout_session` expands: the fee and net of a paid
/// session come with it.
pub const SESSION_EXPAND: &str = "payment_intent.latest_charge.balance_transaction";

/// A Checkout Session to create for (part of) an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCheckoutSession {
    /// What the client pays: must be positive.
    pub amount: Money,
    /// The line the client sees ("Facture F-2026-0001").
    pub product_name: String,
    /// Acquit's ids, written to the session's and the PaymentIntent's
    /// metadata as `acquit_invoice_id`, `acquit_invoice_number`,
    /// `acquit_link_id`.
    pub invoice_id: String,
    pub invoice_number: String,
    pub link_id: String,
    pub payment_methods: Vec<PaymentMethod>,
    /// Unix time; 30 minutes to 24 hours from now. Store it with the link:
    /// a retry must send the same value, or Stripe sees a different request
    /// under the same idempotency key.
    pub expires_at: i64,
    /// Where the client's browser goes after paying (`success_url`); Stripe
    /// shows its own confirmation when absent.
    pub success_url: Option<String>,
    /// Where the page's back button goes (`cancel_url`); no button if absent.
    pub cancel_url: Option<String>,
    /// The page's language; Stripe follows the browser when absent.
    pub locale: Option<Lang>,
    /// The client's email (`customer_email`): prefilled on the page, and
    /// where Stripe sends its own receipt.
    pub customer_email: Option<String>,
}

/// Why a session cannot be asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NewCheckoutError {
    #[error("a checkout page needs a positive amount")]
    NotPositive,
    #[error("a checkout page needs at least one payment method")]
    NoPaymentMethod,
    #[error(
        "a checkout page must expire between 30 minutes and 24 hours from now, and this one would expire {}: choose an expiry in that range",
        describe_delay(*expires_at - *now)
    )]
    ExpiresAtOutOfRange { expires_at: i64, now: i64 },
}

fn describe_delay(secs: i64) -> String {
    if secs <= 0 {
        return "in the past".to_owned();
    }
    let minutes = secs / 60;
    if minutes < 120 {
        format!("in {minutes} minutes")
    } else {
        format!("in {} hours", minutes / 60)
    }
}

impl NewCheckoutSession {
    /// A session for `amount` of invoice `invoice_number`, expiring at
    /// `expires_at`: card, plus SEPA Direct Debit in euros, the line named
    /// in `lang`.
    pub fn for_invoice(
        amount: Money,
        invoice_id: impl Into<String>,
        invoice_number: impl Into<String>,
        link_id: impl Into<String>,
        lang: Lang,
        expires_at: i64,
    ) -> NewCheckoutSession {
        let invoice_number = invoice_number.into();
        let mut payment_methods = vec![PaymentMethod::Card];
        if amount.currency().code() == "EUR" {
            payment_methods.push(PaymentMethod::SepaDebit);
        }
        let product_name = match lang {
            Lang::Fr => format!("Facture {invoice_number}"),
            Lang::En => format!("Invoice {invoice_number}"),
        };
        NewCheckoutSession {
            amount,
            product_name,
            invoice_id: invoice_id.into(),
            invoice_number,
            link_id: link_id.into(),
            payment_methods,
            expires_at,
            success_url: None,
            cancel_url: None,
            locale: Some(lang),
            customer_email: None,
        }
    }

    /// Checks the request as of `now` (Unix time).
    pub fn check(&self, now: i64) -> Result<(), NewCheckoutError> {
        if !self.amount.is_positive() {
            return Err(NewCheckoutError::NotPositive);
        }
        if self.payment_methods.is_empty() {
            return Err(NewCheckoutError::NoPaymentMethod);
        }
        let ahead = self.expires_at - now;
        if !(MIN_EXPIRY_SECS..=MAX_EXPIRY_SECS).contains(&ahead) {
            return Err(NewCheckoutError::ExpiresAtOutOfRange {
                expires_at: self.expires_at,
                now,
            });
        }
        Ok(())
    }

    /// The request's parameters, in the order they are sent, checked as of
    /// `now` (Unix time).
    pub fn to_form(&self, now: i64) -> Result<Form, NewCheckoutError> {
        self.check(now)?;
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
        let metadata = Value::map([
            ("acquit_invoice_id", Value::str(&self.invoice_id)),
            ("acquit_invoice_number", Value::str(&self.invoice_number)),
            ("acquit_link_id", Value::str(&self.link_id)),
        ]);
        let mut form = Form::new()
            .with("mode", Value::str("payment"))
            .with(
                "line_items",
                Value::list([Value::map([
                    ("price_data", price_data),
                    ("quantity", Value::str(1)),
                ])]),
            )
            .with(
                "allowed_payment_method_types",
                Value::list(self.payment_methods.iter().map(|m| Value::str(m.as_str()))),
            )
            .with("metadata", metadata.clone())
            .with("payment_intent_data", Value::map([("metadata", metadata)]))
            .with("expires_at", Value::str(self.expires_at));
        if let Some(url) = &self.success_url {
            form.push("success_url", Value::str(url));
        }
        if let Some(url) = &self.cancel_url {
            form.push("cancel_url", Value::str(url));
        }
        if let Some(lang) = self.locale {
            form.push("locale", Value::str(lang.code()));
        }
        if let Some(email) = &self.customer_email {
            form.push("customer_email", Value::str(email));
        }
        Ok(form)
    }
}

/// `open`, `complete` or `expired`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Open,
    Complete,
    Expired,
    /// A status newer than this crate.
    #[serde(other)]
    Other,
}

/// Whether the money is in: `paid` (card at once, SEPA only after the
/// debit cleared), `unpaid`, `no_payment_required`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionPaymentStatus {
    Paid,
    Unpaid,
    NoPaymentRequired,
    #[serde(other)]
    Other,
}

/// Who paid, as they typed it on Stripe's page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CustomerDetails {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// The fields of Stripe's `checkout.session` object that Acquit reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    /// Null only for very old sessions.
    #[serde(default)]
    pub status: Option<SessionStatus>,
    pub payment_status: SessionPaymentStatus,
    #[serde(default)]
    pub amount_total: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    /// The Payment Link the session came from, if any.
    #[serde(default)]
    pub payment_link: Option<Expandable<PaymentLink>>,
    /// Null until a payment is attempted (in payment mode, since
    /// 2022-08-01), an id, or the object when expanded.
    #[serde(default)]
    pub payment_intent: Option<Expandable<PaymentIntent>>,
    #[serde(default)]
    pub metadata: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub customer_details: Option<CustomerDetails>,
    /// The page to send the client to; null once the session is over.
    #[serde(default)]
    pub url: Option<String>,
    pub expires_at: i64,
    pub created: i64,
    #[serde(default)]
    pub livemode: bool,
}

impl Identified for CheckoutSession {
    fn id(&self) -> &str {
        &self.id
    }
}

impl CheckoutSession {
    /// One of Acquit's ids from the metadata (`acquit_link_id`, …).
    pub fn metadata_value(&self, key: &str) -> Option<&str> {
        self.metadata.as_ref()?.get(key).map(String::as_str)
    }

    pub fn payment_link_id(&self) -> Option<&str> {
        self.payment_link.as_ref().map(Expandable::id)
    }

    pub fn payment_intent_id(&self) -> Option<&str> {
        self.payment_intent.as_ref().map(Expandable::id)
    }

    /// The charge, when the session was retrieved with [`SESSION_EXPAND`]
    /// and a payment was attempted.
    pub fn latest_charge(&self) -> Option<&Charge> {
        self.payment_intent
            .as_ref()?
            .object()?
            .latest_charge
            .as_ref()?
            .object()
    }

    /// The balance transaction (fee, net), when the session was retrieved
    /// with [`SESSION_EXPAND`] and the money reached the balance (a SEPA
    /// debit has none until it clears).
    pub fn balance_transaction(&self) -> Option<&BalanceTransaction> {
        self.latest_charge()?.balance_transaction.as_ref()?.object()
    }
}

/// Why creating a session failed: a bad request on our side, or Stripe.
#[derive(Debug, thiserror::Error)]
pub enum CreateCheckoutError {
    #[error(transparent)]
    Input(#[from] NewCheckoutError),
    #[error(transparent)]
    Stripe(#[from] StripeError),
}

/// The current Unix time.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Client {
    /// Creates the session. The same `idempotency_key` (derive it with
    /// [`IdempotencyKey::for_checkout_creation`]) returns the same session
    /// however often it is retried, provided `session` is the same.
    pub async fn create_checkout_session(
        &self,
        session: &NewCheckoutSession,
        idempotency_key: &IdempotencyKey,
    ) -> Result<CheckoutSession, CreateCheckoutError> {
        let form = session.to_form(unix_now())?;
        self.post("/v1/checkout/sessions", &form, idempotency_key)
            .await
            .map_err(|e| {
                CreateCheckoutError::Stripe(
                    expires_at_error(e).needing(Permission::CHECKOUT_SESSIONS_WRITE),
                )
            })
    }

    /// Retrieves a session (`cs_…`) with its PaymentIntent, charge and
    /// balance transaction expanded ([`SESSION_EXPAND`]).
    pub async fn retrieve_checkout_session(
        &self,
        id: &str,
    ) -> Result<CheckoutSession, StripeError> {
        let query = Form::new().with("expand", Value::list([Value::str(SESSION_EXPAND)]));
        self.get(
            &format!("/v1/checkout/sessions/{}", percent_encode(id)),
            &query,
        )
        .await
        .map_err(|e| e.needing(Permission::CHECKOUT_SESSIONS_READ))
    }

    /// Every session a Payment Link (`plink_…`) made, newest first (all
    /// pages). The PaymentIntents are ids: retrieve the paid session to see
    /// its fee.
    pub async fn list_checkout_sessions_for_link(
        &self,
        payment_link: &str,
    ) -> Result<Vec<CheckoutSession>, StripeError> {
        let query = Form::new().with("payment_link", Value::str(payment_link));
        self.list_all("/v1/checkout/sessions", &query)
            .await
            .map_err(|e| e.needing(Permission::CHECKOUT_SESSIONS_READ))
    }

    /// Expires an open session: its page stops taking payments. Stripe
    /// refuses when the session is no longer open (paid or expired).
    pub async fn expire_checkout_session(
        &self,
        id: &str,
        idempotency_key: &IdempotencyKey,
    ) -> Result<CheckoutSession, StripeError> {
        self.post(
            &format!("/v1/checkout/sessions/{}/expire", percent_encode(id)),
            &Form::new(),
            idempotency_key,
        )
        .await
        .map_err(|e| e.needing(Permission::CHECKOUT_SESSIONS_WRITE))
    }
}

/// Stripe's refusal of `expires_at` as its own error.
fn expires_at_error(error: StripeError) -> StripeError {
    match error {
        StripeError::InvalidRequest { detail, .. }
            if detail.param.as_deref() == Some("expires_at") =>
        {
            StripeError::ExpiresAtOutOfRange { detail }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acquit_core::Currency;

    const NOW: i64 = 1_800_000_000;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::from_code("EUR").unwrap())
    }

    fn session() -> NewCheckoutSession {
        NewCheckoutSession::for_invoice(
            eur(125_050),
            "inv_1",
            "F-2026-0007",
            "lnk_3",
            Lang::Fr,
            NOW + 3600,
        )
    }

    #[test]
    fn the_form_of_a_session() {
        let mut new = session();
        new.success_url = Some("https://pay.example/merci?f=F-2026-0007".to_owned());
        new.customer_email = Some("compta@martin.example".to_owned());
        assert_eq!(
            new.to_form(NOW).unwrap().encode(),
            "mode=payment\
             &line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D=eur\
             &line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D=125050\
             &line_items%5B0%5D%5Bprice_data%5D%5Bproduct_data%5D%5Bname%5D=Facture+F-2026-0007\
             &line_items%5B0%5D%5Bquantity%5D=1\
             &allowed_payment_method_types%5B0%5D=card\
             &allowed_payment_method_types%5B1%5D=sepa_debit\
             &metadata%5Bacquit_invoice_id%5D=inv_1\
             &metadata%5Bacquit_invoice_number%5D=F-2026-0007\
             &metadata%5Bacquit_link_id%5D=lnk_3\
             &payment_intent_data%5Bmetadata%5D%5Bacquit_invoice_id%5D=inv_1\
             &payment_intent_data%5Bmetadata%5D%5Bacquit_invoice_number%5D=F-2026-0007\
             &payment_intent_data%5Bmetadata%5D%5Bacquit_link_id%5D=lnk_3\
             &expires_at=1800003600\
             &success_url=https%3A%2F%2Fpay.example%2Fmerci%3Ff%3DF-2026-0007\
             &locale=fr\
             &customer_email=compta%40martin.example"
        );
    }

    #[test]
    fn an_english_session_in_dollars_with_a_cancel_url() {
        let usd = Money::new(5000, Currency::from_code("USD").unwrap());
        let mut new =
            NewCheckoutSession::for_invoice(usd, "i", "INV-9", "l", Lang::En, NOW + 86_400);
        new.cancel_url = Some("https://x.example/back".to_owned());
        let pairs = new.to_form(NOW).unwrap().pairs();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(
            get("line_items[0][price_data][product_data][name]"),
            Some("Invoice INV-9")
        );
        assert_eq!(get("line_items[0][price_data][currency]"), Some("usd"));
        assert_eq!(get("allowed_payment_method_types[0]"), Some("card"));
        assert_eq!(get("allowed_payment_method_types[1]"), None);
        assert_eq!(get("cancel_url"), Some("https://x.example/back"));
        assert_eq!(get("success_url"), None);
        assert_eq!(get("locale"), Some("en"));
    }

    #[test]
    fn expiry_must_be_30_minutes_to_24_hours_ahead() {
        let at = |expires_at: i64| {
            let mut new = session();
            new.expires_at = expires_at;
            new.to_form(NOW).map(|_| ())
        };
        assert_eq!(at(NOW + MIN_EXPIRY_SECS), Ok(()));
        assert_eq!(at(NOW + MAX_EXPIRY_SECS), Ok(()));
        for bad in [
            NOW - 10,
            NOW,
            NOW + MIN_EXPIRY_SECS - 1,
            NOW + MAX_EXPIRY_SECS + 1,
        ] {
            assert_eq!(
                at(bad),
                Err(NewCheckoutError::ExpiresAtOutOfRange {
                    expires_at: bad,
                    now: NOW
                })
            );
        }
        let message = at(NOW + 600).unwrap_err().to_string();
        assert!(message.contains("in 10 minutes"), "{message}");
        assert!(
            message.contains("between 30 minutes and 24 hours"),
            "{message}"
        );
        let message = at(NOW + 3 * 86_400).unwrap_err().to_string();
        assert!(message.contains("in 72 hours"), "{message}");
    }

    #[test]
    fn zero_amounts_and_no_methods_are_refused() {
        let mut new = session();
        new.amount = eur(0);
        assert_eq!(new.to_form(NOW), Err(NewCheckoutError::NotPositive));
        let mut new = session();
        new.payment_methods.clear();
        assert_eq!(new.to_form(NOW), Err(NewCheckoutError::NoPaymentMethod));
    }

    #[test]
    fn stripes_expires_at_refusal_is_typed() {
        let body = serde_json::json!({"error": {
            "type": "invalid_request_error", "param": "expires_at",
            "message": "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation."
        }});
        let error = expires_at_error(StripeError::from_response(400, body.to_string().as_bytes()));
        assert!(
            matches!(error, StripeError::ExpiresAtOutOfRange { .. }),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .contains("between 30 minutes and 24 hours")
        );
    }
}
