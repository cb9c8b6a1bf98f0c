//! The invoicing domain, in plain Rust with no I/O.
//!
//! Owns money (integer minor units with an ISO 4217 currency), VAT, invoice
//! lines and totals, the invoice lifecycle (draft → issued → paid) and the
//! numbering rules. Depends on no other Acquit crate; everything else depends
//! on it. Empty until the core issue lands.
