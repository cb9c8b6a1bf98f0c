//! A thin, typed client for the Stripe endpoints Acquit uses.
//!
//! Owns the form encoding in bracket notation, the pinned `Stripe-Version`,
//! idempotency keys, retries and the mapping of Stripe errors to messages a
//! freelancer understands. Shares no code with `fake-stripe`: each is an
//! independent reading of Stripe's spec. Empty until the Stripe issue lands.
