//! The books kept in step with the services outside: payments, links, and
//! the look-ups that vouch for a client.
//!
//! The only crate that ties `store`, `stripe` and `relay-protocol`
//! together; the documents built on it are `acquit-documents`:
//!
//! - [`apply`]: a raw Stripe event → one store fact, applied exactly once.
//! - [`confirm`]: an event the relay handed over, confirmed with Stripe.
//! - [`engine`]: one sync: pull from the relay (or list Stripe's events),
//!   apply, then fees, withdrawn links and published link states.
//! - [`links`]: create a payment link in two crash-safe steps, withdraw it,
//!   and publish its state to the relay's `/p/{token}` page.
//! - [`relay`]: the client of the relay's HTTP API.
//! - [`config`]: the Stripe connection, the Stripe and relay clients from
//!   the settings, the environment and the keychain.
//! - [`reconcile`]: what Stripe and the books disagree on (30 days).
//! - [`scheduler`]: the background sync's rhythm, apart from any window.
//! - [`vies`]: a client's VAT number confirmed with VIES, the proof kept.
//! - [`directory`]: a company looked up in the national directory.

pub mod apply;
pub mod config;
pub mod confirm;
pub mod directory;
pub mod engine;
pub mod links;
pub mod reconcile;
pub mod relay;
pub mod scheduler;
pub mod vies;
