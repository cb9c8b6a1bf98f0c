//! A thin, typed client for the Stripe endpoints Acquit uses.
//!
//! Owns the form encoding in bracket notation ([`form`]), the pinned
//! `Stripe-Version`, idempotency keys, retries ([`client`]), the mapping of
//! Stripe errors to messages a freelancer understands ([`error`]) and the
//! custody of the key in memory ([`secret`]). Shares no code with
//! `fake-stripe`: each is an independent reading of Stripe's spec, so a
//! misreading in one shows up as a failing test against the other.

pub mod account;
pub mod client;
pub mod error;
pub mod form;
pub mod payment_links;
pub mod secret;

pub use account::{Account, KeyCheck};
pub use client::{
    API_BASE_ENV, BadIdempotencyKey, Client, Config, DEFAULT_API_BASE, IdempotencyKey,
    STRIPE_VERSION,
};
pub use error::{ApiErrorBody, StripeError};
pub use form::{Form, Value};
pub use payment_links::{
    CreateLinkError, NewLinkError, NewPaymentLink, PaymentLink, PaymentMethod,
};
pub use secret::{KeyFormatError, KeyKind, Mode, SecretKey};
