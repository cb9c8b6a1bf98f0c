//! Applies payments to invoices, and turns stored invoices into documents.
//!
//! The only crate that ties `store`, `pdf`, `stripe` and `relay-protocol`
//! together. Today it holds [`documents`], which builds the PDF input from
//! the store for the CLI and the app alike; pulling Stripe events from the
//! relay or Stripe and applying each exactly once lands with the sync issue.

pub mod documents;

pub use documents::{DocumentError, Rendering, document, render_pdf};
