//! Sending events to webhook endpoints, as Stripe does: a POST of the event
//! JSON, signed with the endpoint's secret in `Stripe-Signature`
//! (`t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, a fresh `t` on
//! every attempt), retried with a doubling backoff on a non-2xx answer or a
//! connection error. Each delivery is its own tokio task: API answers never
//! wait for a webhook.
//!
//! Test switches (`POST /_fake/webhooks`): `duplicate` sends every
//! delivery twice (Stripe delivers at least once); `reorder` holds
//! deliveries for a short window and sends them newest first (Stripe does
//! not guarantee order).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::ledger::{Delivery, now};

/// How webhooks are retried.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Attempts in all, at least 1.
    pub attempts: u32,
    /// The wait after the first failure; it doubles up to `cap`.
    pub first_backoff: Duration,
    pub cap: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            attempts: 8,
            first_backoff: Duration::from_millis(100),
            cap: Duration::from_secs(5),
        }
    }
}

/// The test switches.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize, serde::Serialize)]
pub struct Mode {
    #[serde(default)]
    pub duplicate: bool,
    #[serde(default)]
    pub reorder: bool,
}

/// `reorder` sends the held deliveries once none has come for this long.
const REORDER_WINDOW: Duration = Duration::from_millis(400);

#[derive(Debug)]
pub struct Sender {
    client: reqwest::Client,
    retry: Retry,
    pub mode: Mutex<Mode>,
    /// `reorder`: the deliveries held, and a count of additions (the
    /// window restarts while deliveries keep coming).
    held: Mutex<(Vec<Delivery>, u64)>,
}

/// Called for each successful delivery (to lower `pending_webhooks`).
pub type OnDelivered = Arc<dyn Fn(&str) + Send + Sync>;

impl Sender {
    pub fn new(retry: Retry) -> Sender {
        // Built with TLS but no provider (a workspace build), reqwest
        // would panic here: ring, as the rest of the workspace.
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        #[allow(clippy::disallowed_methods)] // Its own client, ring installed just above.
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .user_agent("Stripe/1.0 (+https://stripe.com/docs/webhooks)")
            .build()
            .unwrap_or_default();
        Sender {
            client,
            retry,
            mode: Mutex::new(Mode::default()),
            held: Mutex::new((Vec::new(), 0)),
        }
    }

    /// Starts sending `deliveries` (in the background).
    pub fn send(self: &Arc<Self>, deliveries: Vec<Delivery>, on_delivered: OnDelivered) {
        if deliveries.is_empty() {
            return;
        }
        let mode = *self.mode.lock().expect("mode lock");
        let copies = if mode.duplicate { 2 } else { 1 };
        let deliveries: Vec<Delivery> = deliveries
            .into_iter()
            .flat_map(|d| std::iter::repeat_n(d, copies))
            .collect();
        if !mode.reorder {
            for delivery in deliveries {
                self.spawn(delivery, on_delivered.clone());
            }
            return;
        }
        let mut held = self.held.lock().expect("held lock");
        let first = held.0.is_empty();
        held.0.extend(deliveries);
        held.1 += 1;
        drop(held);
        if first {
            let sender = Arc::clone(self);
            tokio::spawn(async move {
                // Hold until the deliveries stop coming for a window.
                let mut seen = u64::MAX;
                let batch = loop {
                    tokio::time::sleep(REORDER_WINDOW).await;
                    let mut held = sender.held.lock().expect("held lock");
                    if held.1 == seen {
                        break std::mem::take(&mut held.0);
                    }
                    seen = held.1;
                };
                // Newest first: each first attempt in turn, so the
                // receiver sees this order; retries run on their own.
                for delivery in batch.into_iter().rev() {
                    if sender.attempt(&delivery, 1).await {
                        on_delivered(&delivery.event_id);
                    } else {
                        let sender = Arc::clone(&sender);
                        let on_delivered = on_delivered.clone();
                        tokio::spawn(async move {
                            tokio::time::sleep(sender.retry.first_backoff).await;
                            if sender.deliver(&delivery, 2).await {
                                on_delivered(&delivery.event_id);
                            }
                        });
                    }
                }
            });
        }
    }

    fn spawn(self: &Arc<Self>, delivery: Delivery, on_delivered: OnDelivered) {
        let sender = Arc::clone(self);
        tokio::spawn(async move {
            if sender.deliver(&delivery, 1).await {
                on_delivered(&delivery.event_id);
            }
        });
    }

    /// Tries from attempt `from` until a 2xx answer or the attempts run out.
    async fn deliver(&self, delivery: &Delivery, from: u32) -> bool {
        let mut backoff = self.retry.first_backoff;
        for _ in 2..=from {
            backoff = (backoff * 2).min(self.retry.cap);
        }
        for attempt in from..=self.retry.attempts.max(1) {
            if self.attempt(delivery, attempt).await {
                return true;
            }
            if attempt < self.retry.attempts {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(self.retry.cap);
            }
        }
        tracing::warn!(url = %delivery.url, event = %delivery.event_id, "webhook given up");
        false
    }

    /// One POST; true on a 2xx answer.
    async fn attempt(&self, delivery: &Delivery, attempt: u32) -> bool {
        let t = now();
        let result = self
            .client
            .post(&delivery.url)
            .header("content-type", "application/json; charset=utf-8")
            .header("cache-control", "no-cache")
            .header("accept", "*/*; q=0.5, application/xml")
            .header(
                "stripe-signature",
                signature_header(&delivery.secret, t, &delivery.body),
            )
            .body(delivery.body.clone())
            .send()
            .await;
        match result {
            Ok(response) if response.status().is_success() => true,
            Ok(response) => {
                tracing::info!(
                    url = %delivery.url, event = %delivery.event_id, attempt,
                    status = response.status().as_u16(), "webhook refused"
                );
                false
            }
            Err(e) => {
                tracing::info!(
                    url = %delivery.url, event = %delivery.event_id, attempt,
                    error = %e, "webhook not delivered"
                );
                false
            }
        }
    }
}
/// `t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn signature_header(secret: &str, t: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripe_signature_vector() {
        // Computed independently: echo -n '12345.{}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            signature_header("whsec_test", 12345, "{}"),
            "t=12345,v1=f7d0d6f2476273381fa231a8ba13a821a0c87029e7b1bfae51e93d0240fb7c32"
        );
    }
}
