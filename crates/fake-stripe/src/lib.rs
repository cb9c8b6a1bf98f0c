//! A local stand-in for the Stripe API, for tests and the demo.
//!
//! Speaks Stripe's wire format (form-encoded bracket parameters in, Stripe
//! JSON objects and error objects out, signed webhooks). Shares no code with
//! `acquit-stripe`, so that the client's mistakes show up against it.
