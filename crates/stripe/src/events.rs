//! Events: what happened on the account, read back when webhooks could not
//! reach Acquit (`acquit sync --source stripe`).
//!
//! `GET /v1/events` answers **newest first**, and [`Client::list_events`]
//! keeps that order across pages; a caller applying events in the order
//! they happened reverses the list. Stripe keeps events for 30 days.
//!
//! An event's `data.object` is the object as it was when the event
//! happened, rendered in the API version of the account (or of the webhook
//! endpoint that received it): it is kept as JSON, and
//! [`Event::object_as`] reads it as one of this crate's types.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{Permission, StripeError};
use crate::form::{Form, Value, percent_encode};
use crate::list::Identified;

/// The event types Acquit acts on, for `types[]` and a webhook endpoint's
/// `enabled_events`.
pub const ACQUIT_EVENT_TYPES: [&str; 6] = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "charge.refunded",
    "payment_link.updated",
];

/// The event types Acquit acts on; anything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A session was paid, or (SEPA) the debit was initiated: look at the
    /// session's `payment_status`.
    CheckoutSessionCompleted,
    /// A delayed payment (SEPA) cleared.
    CheckoutSessionAsyncPaymentSucceeded,
    /// A delayed payment (SEPA) failed.
    CheckoutSessionAsyncPaymentFailed,
    CheckoutSessionExpired,
    ChargeRefunded,
    PaymentLinkUpdated,
    Other,
}

impl EventKind {
    pub fn from_type(event_type: &str) -> EventKind {
        match event_type {
            "checkout.session.completed" => EventKind::CheckoutSessionCompleted,
            "checkout.session.async_payment_succeeded" => {
                EventKind::CheckoutSessionAsyncPaymentSucceeded
            }
            "checkout.session.async_payment_failed" => EventKind::CheckoutSessionAsyncPaymentFailed,
            "checkout.session.expired" => EventKind::CheckoutSessionExpired,
            "charge.refunded" => EventKind::ChargeRefunded,
            "payment_link.updated" => EventKind::PaymentLinkUpdated,
            _ => EventKind::Other,
        }
    }

    /// Stripe's name for the type; `None` for `Other`.
    pub fn as_str(self) -> Option<&'static str> {
        Some(match self {
            EventKind::CheckoutSessionCompleted => "checkout.session.completed",
            EventKind::CheckoutSessionAsyncPaymentSucceeded => {
                "checkout.session.async_payment_succeeded"
            }
            EventKind::CheckoutSessionAsyncPaymentFailed => "checkout.session.async_payment_failed",
            EventKind::CheckoutSessionExpired => "checkout.session.expired",
            EventKind::ChargeRefunded => "charge.refunded",
            EventKind::PaymentLinkUpdated => "payment_link.updated",
            EventKind::Other => return None,
        })
    }
}

/// `data` of an event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EventData {
    /// The object the event is about, as it was then.
    pub object: serde_json::Value,
    /// For `*.updated` events: the fields that changed, with their old values.
    #[serde(default)]
    pub previous_attributes: Option<serde_json::Value>,
}

/// The fields of Stripe's `event` object that Acquit reads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Event {
    pub id: String,
    /// Stripe's type name (`checkout.session.completed`); see [`Event::kind`].
    #[serde(rename = "type")]
    pub event_type: String,
    pub created: i64,
    pub data: EventData,
    pub livemode: bool,
    /// The connected account an event of a Connect platform is about;
    /// absent for the account's own events (the only ones Acquit acts on).
    #[serde(default)]
    pub account: Option<String>,
    /// The API version `data.object` is rendered in.
    #[serde(default)]
    pub api_version: Option<String>,
}

impl Event {
    pub fn kind(&self) -> EventKind {
        EventKind::from_type(&self.event_type)
    }

    /// `data.object` read as `T` (a [`crate::CheckoutSession`] for the
    /// `checkout.session.*` events, a [`crate::Charge`] for
    /// `charge.refunded`, a [`crate::PaymentLink`] for `payment_link.updated`).
    pub fn object_as<T: DeserializeOwned>(&self) -> Result<T, StripeError> {
        T::deserialize(&self.data.object).map_err(|e| StripeError::UnexpectedResponse {
            status: 200,
            reason: format!("event {} ({}): {e}", self.id, self.event_type),
        })
    }
}

impl Event {
    /// The event as the JSON object Stripe sends in a webhook, with the
    /// fields this type keeps: what `acquit-sync` applies, whether the
    /// event was listed or retrieved.
    pub fn to_json(&self) -> serde_json::Value {
        let mut event = serde_json::json!({
            "id": self.id,
            "object": "event",
            "type": self.event_type,
            "created": self.created,
            "livemode": self.livemode,
            "data": { "object": self.data.object },
        });
        if let Some(account) = &self.account {
            event["account"] = account.clone().into();
        }
        event
    }
}

impl Identified for Event {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The filter of [`Client::list_events`] (pagination adds `limit` and
/// `starting_after`).
fn events_query(since: i64, types: &[&str]) -> Form {
    let mut query = Form::new().with("created", Value::map([("gte", Value::str(since))]));
    if !types.is_empty() {
        query.push("types", Value::list(types.iter().map(Value::str)));
    }
    query
}

impl Client {
    /// Every event created at or after `since` (Unix time) whose type is one
    /// of `types` (all types when empty), following the pages. **Newest
    /// first**, as Stripe lists them.
    pub async fn list_events(&self, since: i64, types: &[&str]) -> Result<Vec<Event>, StripeError> {
        self.list_all("/v1/events", &events_query(since, types))
            .await
            .map_err(|e| e.needing(Permission::EVENTS_READ))
    }

    /// Retrieves one event (`evt_…`).
    pub async fn retrieve_event(&self, id: &str) -> Result<Event, StripeError> {
        self.get(&format!("/v1/events/{}", percent_encode(id)), &Form::new())
            .await
            .map_err(|e| e.needing(Permission::EVENTS_READ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for name in ACQUIT_EVENT_TYPES {
            let kind = EventKind::from_type(name);
            assert_ne!(kind, EventKind::Other, "{name}");
            assert_eq!(kind.as_str(), Some(name));
        }
        assert_eq!(EventKind::from_type("plan.created"), EventKind::Other);
        assert_eq!(EventKind::Other.as_str(), None);
    }

    #[test]
    fn the_query_of_a_listing() {
        assert_eq!(
            events_query(1_800_000_000, &ACQUIT_EVENT_TYPES[..2]).encode(),
            "created%5Bgte%5D=1800000000\
             &types%5B0%5D=checkout.session.completed\
             &types%5B1%5D=checkout.session.async_payment_succeeded"
        );
        assert_eq!(events_query(5, &[]).encode(), "created%5Bgte%5D=5");
    }
}
