//! A thin, typed client for the Stripe endpoints Acquit uses.
//!
//! Owns the form encoding in bracket notation ([`form`]), the pinned
//! `Stripe-Version`, idempotency keys, retries ([`client`]), the mapping of
//! Stripe errors to messages a freelancer understands ([`error`]) and the
//! custody of the key and of webhook secrets in memory ([`secret`]). Shares
//! no code with `fake-stripe`: each is an independent reading of Stripe's
//! spec, so a misreading in one shows up as a failing test against the
//! other.
//!
//! Endpoints: the account ([`account`]), Payment Links
//! ([`payment_links`]), Checkout Sessions ([`checkout`]), PaymentIntents,
//! charges and balance transactions for fees ([`payments`]), events
//! ([`events`]), refunds ([`refunds`]) and webhook endpoints
//! ([`webhooks`]). Lists and expandable fields are in [`list`].

pub mod account;
pub mod checkout;
pub mod client;
pub mod error;
pub mod events;
pub mod form;
pub mod list;
pub mod payment_links;
pub mod payments;
pub mod refunds;
pub mod secret;
pub mod webhooks;

pub use account::{Account, KeyCheck};
pub use checkout::{
    CheckoutSession, CreateCheckoutError, CustomerDetails, MAX_EXPIRY_SECS, MIN_EXPIRY_SECS,
    NewCheckoutError, NewCheckoutSession, SESSION_EXPAND, SessionPaymentStatus, SessionStatus,
};
pub use client::{
    API_BASE_ENV, BadIdempotencyKey, Client, Config, DEFAULT_API_BASE, IdempotencyKey,
    STRIPE_VERSION,
};
pub use error::{Access, ApiErrorBody, Permission, StripeError};
pub use events::{ACQUIT_EVENT_TYPES, Event, EventData, EventKind};
pub use form::{Form, Value};
pub use list::{Expandable, Identified, List};
pub use payment_links::{
    CreateLinkError, NewLinkError, NewPaymentLink, PaymentLink, PaymentMethod,
};
pub use payments::{BalanceTransaction, Charge, FeeAndNet, PaymentIntent};
pub use refunds::{CreateRefundError, NewRefund, NewRefundError, Refund, RefundsOf};
pub use secret::{
    KeyFormatError, KeyKind, Mode, SecretKey, WebhookSecret, WebhookSecretFormatError,
};
pub use webhooks::{Deleted, NewWebhookEndpoint, WebhookEndpoint, WebhookEndpointUpdate};
