//! The self-hostable webhook relay: receives Stripe webhooks, verifies their
//! signatures, stores them durably and hands them to the app when it syncs.
//!
//! Depends on `acquit-relay-protocol` only, never on the app or its core: it
//! holds no Stripe key and no invoice data beyond the events themselves.
//!
//! - [`signature`]: Stripe's `Stripe-Signature` check, before any parsing.
//! - [`store`]: durable storage behind a trait; SQLite with a group-commit
//!   writer.
//! - [`postgres`]: the same trait on PostgreSQL, for several instances.
//! - [`server`]: the axum routes of the HTTP API (INTERFACES.md).
//! - [`links`]: stable payment links: validation and the payer's pages,
//!   including the return page after payment.
//! - [`documents`]: the end-to-end encrypted invoice or quote page
//!   `/v/{token}`, where a client can also answer a quote (sealed replies).
//! - [`metrics`]: counters for `/metrics` (on a listener of its own).
//! - [`listen`]: the accept loop: header read timeout, connection cap,
//!   graceful shutdown.
//! - [`limits`]: the public pages' per-address rate limit.

pub mod documents;
pub mod limits;
pub mod links;
pub mod listen;
pub mod metrics;
pub mod postgres;
pub mod server;
pub mod signature;
pub mod store;
#[cfg(test)]
mod store_suite;

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Now, RFC 3339 UTC to the second.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Now, Unix seconds.
pub fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}
