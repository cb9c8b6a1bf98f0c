//! A local stand-in for the Stripe API, for tests and the demo.
//!
//! Speaks Stripe's wire format (form-encoded bracket parameters in, Stripe
//! JSON objects and error objects out). Shares no code with
//! `acquit-stripe`, so that the client's mistakes show up against it: its
//! parameter rules come from Stripe's published schemas (`spec/`), not from
//! the client.
//!
//! Served: the account, payment links, Checkout Sessions, PaymentIntents,
//! charges, balance transactions, refunds, events and webhook endpoints
//! (see `server.rs` for the list), the hosted page `GET /pay/{id}`, and
//! the test controls `POST /_fake/pay`, `/_fake/refund`, `/_fake/webhooks`
//! and `/_fake/fail`. Every state change creates an event, delivered
//! signed to the matching webhook endpoints. Embed it with [`serve`]; run
//! it with the `fake-stripe` binary.

mod ledger;
mod objects;
mod pages;
pub mod params;
mod server;
pub mod spec;
mod webhooks;

pub use ledger::fee;
pub use server::{Config, router, serve};
pub use webhooks::{Retry, signature_header};
