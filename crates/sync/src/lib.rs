//! Applies payments to invoices: pulls Stripe events from the relay (or from
//! Stripe itself), applies each exactly once, records payments and ledger
//! entries and re-renders the stamped PDF.
//!
//! The only crate that ties `store`, `pdf`, `stripe` and `relay-protocol`
//! together. Empty until the sync issue lands.
