//! A local stand-in for the Stripe API, for tests and the demo.
//!
//! Speaks Stripe's wire format (form-encoded bracket parameters in, Stripe
//! JSON objects and error objects out). Shares no code with
//! `acquit-stripe`, so that the client's mistakes show up against it: its
//! parameter rules come from Stripe's published schemas (`spec/`), not from
//! the client.
//!
//! Served so far: `GET /v1/account`, `POST /v1/payment_links`,
//! `GET`/`POST /v1/payment_links/{id}`, and the test control
//! `POST /_fake/fail`. Embed it with [`serve`]; run it with the
//! `fake-stripe` binary.

mod objects;
pub mod params;
mod server;
pub mod spec;

pub use server::{Config, router, serve};
