//! Webhook endpoints: where Stripe sends Acquit's events (the relay's
//! inbox).
//!
//! An endpoint is registered for [`ACQUIT_EVENT_TYPES`] only, with
//! `api_version` pinned to [`STRIPE_VERSION`] so that the events it
//! receives are rendered in the version this crate parses, whatever the
//! account's default. Creation is the only time Stripe shows the signing
//! secret: it comes back as a [`WebhookSecret`], masked in logs, to be
//! handed to the relay at once.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::client::{Client, IdempotencyKey, STRIPE_VERSION};
use crate::error::{Permission, StripeError};
use crate::events::ACQUIT_EVENT_TYPES;
use crate::form::{Form, Value, percent_encode};
use crate::list::Identified;
use crate::secret::WebhookSecret;

/// The fields of Stripe's `webhook_endpoint` object that Acquit reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    pub enabled_events: Vec<String>,
    /// `enabled` or `disabled`.
    pub status: String,
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    pub livemode: bool,
    pub created: i64,
    /// Only in the answer to the creation.
    #[serde(default)]
    pub secret: Option<WebhookSecret>,
}

impl WebhookEndpoint {
    pub fn is_enabled(&self) -> bool {
        self.status == "enabled"
    }
}

impl Identified for WebhookEndpoint {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The answer to a DELETE: `{"id":…,"object":…,"deleted":true}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Deleted {
    pub id: String,
    pub deleted: bool,
}

/// An endpoint to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhookEndpoint {
    /// `https://<relay>/v1/inboxes/ibx_…/stripe`.
    pub url: String,
    pub enabled_events: Vec<String>,
    /// Shown in the Dashboard's list of endpoints.
    pub description: Option<String>,
}

impl NewWebhookEndpoint {
    /// An endpoint at `url` for the events Acquit acts on.
    pub fn for_relay(url: impl Into<String>) -> NewWebhookEndpoint {
        NewWebhookEndpoint {
            url: url.into(),
            enabled_events: ACQUIT_EVENT_TYPES.iter().map(|t| (*t).to_owned()).collect(),
            description: Some("Acquit: payments of invoices".to_owned()),
        }
    }

    pub fn to_form(&self) -> Form {
        let mut form = Form::new()
            .with("url", Value::str(&self.url))
            .with(
                "enabled_events",
                Value::list(self.enabled_events.iter().map(Value::str)),
            )
            .with("api_version", Value::str(STRIPE_VERSION));
        if let Some(description) = &self.description {
            form.push("description", Value::str(description));
        }
        form
    }
}

/// A change to an endpoint: only the fields set are sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookEndpointUpdate {
    pub url: Option<String>,
    pub enabled_events: Option<Vec<String>>,
    pub disabled: Option<bool>,
}

impl WebhookEndpointUpdate {
    pub fn to_form(&self) -> Form {
        let mut form = Form::new();
        if let Some(url) = &self.url {
            form.push("url", Value::str(url));
        }
        if let Some(events) = &self.enabled_events {
            form.push("enabled_events", Value::list(events.iter().map(Value::str)));
        }
        if let Some(disabled) = self.disabled {
            form.push("disabled", Value::str(disabled));
        }
        form
    }
}

impl Client {
    /// Registers an endpoint; the answer carries its signing secret. Use
    /// [`IdempotencyKey::for_webhook_endpoint_creation`].
    pub async fn create_webhook_endpoint(
        &self,
        endpoint: &NewWebhookEndpoint,
        idempotency_key: &IdempotencyKey,
    ) -> Result<WebhookEndpoint, StripeError> {
        self.post(
            "/v1/webhook_endpoints",
            &endpoint.to_form(),
            idempotency_key,
        )
        .await
        .map_err(|e| e.needing(Permission::WEBHOOK_ENDPOINTS_WRITE))
    }

    /// Every endpoint of the account (all pages).
    pub async fn list_webhook_endpoints(&self) -> Result<Vec<WebhookEndpoint>, StripeError> {
        self.list_all("/v1/webhook_endpoints", &Form::new())
            .await
            .map_err(|e| e.needing(Permission::WEBHOOK_ENDPOINTS_READ))
    }

    /// Changes an endpoint (`we_…`). The idempotency key is derived from
    /// the endpoint and the change ([`IdempotencyKey::for_update`]).
    pub async fn update_webhook_endpoint(
        &self,
        id: &str,
        update: &WebhookEndpointUpdate,
    ) -> Result<WebhookEndpoint, StripeError> {
        let form = update.to_form();
        let key = IdempotencyKey::for_update(id, &form);
        self.post(
            &format!("/v1/webhook_endpoints/{}", percent_encode(id)),
            &form,
            &key,
        )
        .await
        .map_err(|e| e.needing(Permission::WEBHOOK_ENDPOINTS_WRITE))
    }

    /// Deletes an endpoint: Stripe stops sending to it.
    pub async fn delete_webhook_endpoint(&self, id: &str) -> Result<Deleted, StripeError> {
        self.delete(&format!("/v1/webhook_endpoints/{}", percent_encode(id)))
            .await
            .map_err(|e| e.needing(Permission::WEBHOOK_ENDPOINTS_WRITE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_of_a_new_endpoint() {
        let new = NewWebhookEndpoint::for_relay("https://relay.example/v1/inboxes/ibx_1/stripe");
        assert_eq!(
            new.to_form().encode(),
            "url=https%3A%2F%2Frelay.example%2Fv1%2Finboxes%2Fibx_1%2Fstripe\
             &enabled_events%5B0%5D=checkout.session.completed\
             &enabled_events%5B1%5D=checkout.session.async_payment_succeeded\
             &enabled_events%5B2%5D=checkout.session.async_payment_failed\
             &enabled_events%5B3%5D=checkout.session.expired\
             &enabled_events%5B4%5D=charge.refunded\
             &enabled_events%5B5%5D=payment_link.updated\
             &api_version=2026-10-28.endive\
             &description=Acquit%3A+payments+of+invoices"
        );
    }

    #[test]
    fn the_form_of_an_update() {
        assert_eq!(WebhookEndpointUpdate::default().to_form().encode(), "");
        let update = WebhookEndpointUpdate {
            url: Some("https://r.example/x".to_owned()),
            enabled_events: Some(vec!["charge.refunded".to_owned()]),
            disabled: Some(true),
        };
        assert_eq!(
            update.to_form().encode(),
            "url=https%3A%2F%2Fr.example%2Fx&enabled_events%5B0%5D=charge.refunded&disabled=true"
        );
        let enable = WebhookEndpointUpdate {
            disabled: Some(false),
            ..Default::default()
        };
        assert_eq!(enable.to_form().encode(), "disabled=false");
    }
}
