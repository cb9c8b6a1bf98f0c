//! The documents the books produce, and where they go.
//!
//! Built on `acquit-sync` (the relay client, payment links, one sync); the
//! arrow never goes back:
//!
//! - [`documents`]: the PDF input from the store, for the CLI and the app.
//! - [`published`]: one sync, then what it changed republished (the shared
//!   invoice pages) and the clients' answers on their quotes read.
//! - [`share`]: the end-to-end encrypted invoice page on the relay's
//!   `/v/{token}`: seal, publish, republish after a sync, revoke.
//! - [`quote_page`]: a quote's page, and the client's answer on it.
//! - [`send`]: the email and WhatsApp messages from editable templates.
//! - [`mail`]: those messages sent over the user's SMTP server.
//! - [`reminders`]: what is due and the reminder that says so.
//! - [`recurring`]: the invoices a schedule owes, issued and sent.
//! - [`einvoice`]: invoices sent to and received from the user's
//!   platform (PA), their lifecycle, the e-reports.
//! - [`export`]: everything as CSV files and PDFs in one folder.

pub mod documents;
pub mod einvoice;
pub mod export;
pub mod mail;
pub mod published;
pub mod quote_page;
pub mod recurring;
pub mod reminders;
pub mod send;
pub mod share;

pub use documents::{
    DocumentError, Rendering, document, render_pdf, render_quote_pdf, render_quote_svg, render_svg,
};
