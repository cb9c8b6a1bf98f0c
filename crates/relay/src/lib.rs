//! The self-hostable webhook relay: receives Stripe webhooks, verifies their
//! signatures, stores them durably and hands them to the app when it syncs.
//!
//! Depends on `acquit-relay-protocol` only, never on the app or its core: it
//! holds no Stripe key and no invoice data beyond the events themselves.
