//! Applies payments to invoices, and turns stored invoices into documents.
//!
//! The only crate that ties `store`, `pdf`, `stripe` and `relay-protocol`
//! together:
//!
//! - [`apply`]: a raw Stripe event → one store fact, applied exactly once.
//! - [`engine`]: one sync: pull from the relay (or list Stripe's events),
//!   apply, then fees, withdrawn links and published link states.
//! - [`links`]: create a payment link in two crash-safe steps, withdraw it,
//!   and publish its state to the relay's `/p/{token}` page.
//! - [`relay`]: the client of the relay's HTTP API.
//! - [`config`]: the Stripe connection, the Stripe and relay clients from
//!   the settings, the environment and the keychain.
//! - [`documents`]: the PDF input from the store, for the CLI and the app.
//! - [`export`]: everything as CSV files and PDFs in one folder.
//! - [`reconcile`]: what Stripe and the books disagree on (30 days).
//! - [`share`]: the end-to-end encrypted invoice page on the relay's
//!   `/v/{token}`: seal, publish, republish after a sync, revoke.
//! - [`send`]: the email and WhatsApp messages from editable templates.
//! - [`vies`]: a client's VAT number confirmed with VIES, the proof kept.

pub mod apply;
pub mod config;
pub mod confirm;
pub mod directory;
pub mod documents;
pub mod einvoice;
pub mod engine;
pub mod export;
pub mod links;
pub mod mail;
pub mod quote_page;
pub mod reconcile;
pub mod recurring;
pub mod relay;
pub mod reminders;
pub mod scheduler;
pub mod send;
pub mod share;
pub mod vies;

pub use documents::{
    DocumentError, Rendering, document, render_pdf, render_quote_pdf, render_quote_svg, render_svg,
};
