//! Counters for `GET /metrics`, in Prometheus' text format.
//!
//! Plain atomics rather than a metrics crate: a handful of counters does not
//! justify a dependency, and the text format is a few lines.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Reasons a webhook POST is rejected (label values of `rejected`).
pub const REJECT_REASONS: [&str; 11] = [
    "missing_signature",
    "malformed_signature",
    "no_v1_signature",
    "stale_signature",
    "future_signature",
    "bad_signature",
    "no_webhook_secret",
    "malformed_json",
    "unknown_inbox",
    "body_too_large",
    "storage_unavailable",
];

/// The relay's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    received: AtomicU64,
    rejected: [AtomicU64; REJECT_REASONS.len()],
    stored: AtomicU64,
    duplicates: AtomicU64,
    pulled: AtomicU64,
    documents_published: AtomicU64,
    documents_revoked: AtomicU64,
    documents_viewed: AtomicU64,
    replies_received: AtomicU64,
    rate_limited: AtomicU64,
}

impl Metrics {
    /// A webhook POST arrived.
    pub fn received(&self) {
        self.received.fetch_add(1, Relaxed);
    }
    /// A webhook POST was refused for `reason` (one of [`REJECT_REASONS`]).
    pub fn rejected(&self, reason: &str) {
        if let Some(i) = REJECT_REASONS.iter().position(|r| *r == reason) {
            self.rejected[i].fetch_add(1, Relaxed);
        }
    }
    /// An event was durably stored.
    pub fn stored(&self) {
        self.stored.fetch_add(1, Relaxed);
    }
    /// A repeated event id was acknowledged without storing.
    pub fn duplicate(&self) {
        self.duplicates.fetch_add(1, Relaxed);
    }
    /// `n` events were handed to a client.
    pub fn pulled(&self, n: u64) {
        self.pulled.fetch_add(n, Relaxed);
    }

    /// An encrypted invoice bundle was stored.
    pub fn document_published(&self) {
        self.documents_published.fetch_add(1, Relaxed);
    }
    /// An invoice page was revoked.
    pub fn document_revoked(&self) {
        self.documents_revoked.fetch_add(1, Relaxed);
    }
    /// An invoice page was served (no token is ever a label).
    pub fn document_viewed(&self) {
        self.documents_viewed.fetch_add(1, Relaxed);
    }

    /// A client's sealed reply to a page was stored.
    pub fn reply_received(&self) {
        self.replies_received.fetch_add(1, Relaxed);
    }

    /// A public page request was refused by the per-address rate limit.
    pub fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Relaxed);
    }

    /// Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let mut counter = |name: &str, help: &str, v: u64| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        counter(
            "acquit_relay_webhooks_received_total",
            "Webhook POSTs received.",
            self.received.load(Relaxed),
        );
        counter(
            "acquit_relay_events_stored_total",
            "Events durably stored.",
            self.stored.load(Relaxed),
        );
        counter(
            "acquit_relay_events_duplicate_total",
            "Repeated event ids acknowledged, not stored.",
            self.duplicates.load(Relaxed),
        );
        counter(
            "acquit_relay_events_pulled_total",
            "Events handed to clients.",
            self.pulled.load(Relaxed),
        );
        counter(
            "acquit_relay_documents_published_total",
            "Encrypted invoice bundles stored.",
            self.documents_published.load(Relaxed),
        );
        counter(
            "acquit_relay_documents_revoked_total",
            "Invoice pages revoked.",
            self.documents_revoked.load(Relaxed),
        );
        counter(
            "acquit_relay_document_views_total",
            "Invoice pages served.",
            self.documents_viewed.load(Relaxed),
        );
        counter(
            "acquit_relay_document_replies_total",
            "Sealed replies to pages (quote answers) stored.",
            self.replies_received.load(Relaxed),
        );
        counter(
            "acquit_relay_rate_limited_total",
            "Public page requests refused by the per-address rate limit.",
            self.rate_limited.load(Relaxed),
        );
        let name = "acquit_relay_webhooks_rejected_total";
        let _ = writeln!(
            s,
            "# HELP {name} Webhook POSTs refused, by reason.\n# TYPE {name} counter"
        );
        for (reason, v) in REJECT_REASONS.iter().zip(&self.rejected) {
            let _ = writeln!(s, "{name}{{reason=\"{reason}\"}} {}", v.load(Relaxed));
        }
        s
    }
}
