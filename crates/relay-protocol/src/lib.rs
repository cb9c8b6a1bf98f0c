//! The wire types of the relay's HTTP API, shared by the relay and the app
//! (see INTERFACES.md, "Relay HTTP API"). Serde types only: no I/O, no Acquit
//! domain types.
//!
//! Why a crate of its own: the relay and `acquit-sync` must agree on these
//! shapes byte for byte, yet the relay may not depend on anything that knows
//! about invoices. Field names here *are* the contract; the round-trip tests
//! against JSON fixtures in `tests/` fail if one drifts.

use serde::{Deserialize, Serialize};

/// The path of an inbox's webhook endpoint, as given to Stripe.
pub fn webhook_path(inbox: &str) -> String {
    format!("/v1/inboxes/{inbox}/stripe")
}

/// Output of `acquit-relay inbox create --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxCreated {
    /// Inbox id, `ibx_…`.
    pub inbox: String,
    /// The pull token, shown once: the relay keeps only its SHA-256.
    pub token: String,
    /// `/v1/inboxes/{inbox}/stripe`, to register with Stripe.
    pub webhook_path: String,
    /// The inbox admin credential, shown once (the relay keeps its
    /// SHA-256): the only bearer that may replace a webhook secret once set.
    /// It authenticates nothing else. Absent from older relays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_token: Option<String>,
}

/// Output of `acquit-relay inbox admin-token --json`: a new admin
/// credential for an existing inbox (replacing any earlier one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminTokenIssued {
    /// Inbox id, `ibx_…`.
    pub inbox: String,
    /// The admin credential, shown once: the relay keeps only its SHA-256.
    pub admin_token: String,
}

/// Body of `PUT /v1/inboxes/{inbox}/webhook-secret`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSecretBody {
    /// Stripe's endpoint secret, `whsec_…`.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^whsec_.{4,}$"))]
    pub secret: String,
}

/// One stored Stripe event, as pulled.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Opaque, monotonic position of this event in its inbox; pass it back
    /// as `after` to get what follows.
    pub cursor: String,
    /// Stripe's event id, `evt_…` (unique per inbox).
    pub id: String,
    /// Stripe's event type, e.g. `checkout.session.completed`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the relay stored it, RFC 3339 UTC.
    pub received_at: String,
    /// The Stripe event object as Stripe sent it.
    pub payload: serde_json::Value,
}

/// Response of `GET /v1/inboxes/{inbox}/events`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventsPage {
    /// Events after the requested cursor, oldest first.
    pub events: Vec<Event>,
    /// The cursor to pass as `after` next time (the request's own `after`
    /// when the page is empty, so a client can always store it).
    pub next_cursor: String,
}

/// Query of `GET /v1/inboxes/{inbox}/events`.
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsQuery {
    /// Return events strictly after this cursor; absent means from the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(pattern = r"^[0-9]{0,18}$"))]
    pub after: Option<String>,
    /// Page size (the relay caps it to 1–1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        param(value_type = Option<u64>, maximum = 4294967295_u64)
    )]
    pub limit: Option<u32>,
    /// Long-poll: seconds to wait for an event when none is pending (the
    /// relay caps it, at 60 by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        param(value_type = Option<u64>, maximum = 4294967295_u64)
    )]
    pub wait: Option<u32>,
}

/// Status of a stable payment link.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkStatus {
    /// Payable: `GET /p/{token}` redirects to `pay_url`.
    Open,
    /// Paid: a page says so.
    Paid,
    /// No longer valid.
    Void,
}

/// Body of `PUT /v1/inboxes/{inbox}/links/{link_token}`: the state of a
/// stable payment link as the app publishes it; `GET /p/{link_token}`
/// serves it (redirect while open, a page once paid or void).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkState {
    /// Open, paid or void.
    pub status: LinkStatus,
    /// Current Stripe payment URL (when open).
    #[serde(default)]
    pub pay_url: Option<String>,
    /// Invoice number as printed, e.g. `F-2026-0042`.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")
    )]
    pub invoice_number: Option<String>,
    /// Amount due in minor units of `currency`.
    #[serde(default)]
    pub amount_due: Option<i64>,
    /// ISO 4217 code.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z]{3}$"))]
    pub currency: Option<String>,
    /// When it was paid, RFC 3339 or a date (when paid).
    #[serde(default)]
    pub paid_at: Option<String>,
    /// Seller's display name, for "contact …".
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")
    )]
    pub seller: Option<String>,
    /// Stripe's id of the link (`plink_…` or `cs_…`), so that the return
    /// page `GET /p/{link_token}/done` can tell a payment the relay has
    /// seen the webhook of, before the app syncs. Absent from older apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_id: Option<String>,
}

/// Stable `error` codes of [`ErrorBody`] that a client acts on.
pub mod error_code {
    /// `PUT …/webhook-secret` with the pull token while a secret is set:
    /// replacing it needs the inbox admin credential (403).
    pub const ADMIN_REQUIRED: &str = "admin_required";
    /// The inbox holds as many links or documents, or as many document
    /// bytes, as the relay allows (429 for a count, 413 for bytes).
    pub const QUOTA_EXCEEDED: &str = "quota_exceeded";
    /// Too many requests from one address to the public pages (429, with
    /// `Retry-After`).
    pub const RATE_LIMITED: &str = "rate_limited";
    /// The payment URL is not on Stripe's hosts nor on one the relay allows.
    pub const BAD_PAY_URL: &str = "bad_pay_url";
    /// `POST /v/{token}/reply` when the document already holds
    /// [`MAX_REPLIES`](crate::MAX_REPLIES) replies (429, for good: unlike
    /// [`RATE_LIMITED`], waiting does not help).
    pub const TOO_MANY_REPLIES: &str = "too_many_replies";
}

/// Error body of every non-2xx answer: a message that says what to do.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable machine-readable reason, e.g. `stale_signature`.
    pub error: String,
    /// Human-readable explanation.
    pub message: String,
}

/// Body of a 200 answer to a webhook POST.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookAck {
    /// True when this event id was already stored (nothing new written).
    pub duplicate: bool,
}

/// Largest encrypted invoice bundle the relay accepts by default
/// (`PUT /v1/inboxes/{inbox}/documents/{doc_token}`; 413 above).
pub const DEFAULT_DOCUMENT_LIMIT: usize = 2 * 1024 * 1024;

/// The invoice bundle's wire format (the body of `PUT …/documents/{token}`
/// and of `GET /v/{token}/bundle`), shared by the app that seals it and the
/// page's script that opens it. The relay stores and serves it as opaque
/// bytes: it never has the key.
///
/// ```text
/// bundle    = version (1 byte, = BUNDLE_VERSION) || iv (12 bytes) || AES-256-GCM(key, iv, plaintext) (ciphertext || 16-byte tag)
/// plaintext = json length (4 bytes, big-endian) || summary JSON (UTF-8) || the PDF
/// ```
///
/// The key (32 random bytes per invoice) travels only in the URL fragment
/// `#k=…` (base64url, no padding), which browsers never send to a server.
pub mod bundle {
    /// The first byte of every bundle.
    pub const VERSION: u8 = 1;
    /// AES-GCM nonce length (96 bits), fresh for every publication.
    pub const IV_LEN: usize = 12;
    /// AES-GCM tag length.
    pub const TAG_LEN: usize = 16;
    /// AES-256 key length.
    pub const KEY_LEN: usize = 32;
}

/// The path of an inbox's encrypted invoice page `token`.
pub fn document_path(inbox: &str, token: &str) -> String {
    format!("/v1/inboxes/{inbox}/documents/{token}")
}

/// Largest sealed reply `POST /v/{doc_token}/reply` accepts, bytes (413
/// above): a name and a comment, not a file.
pub const MAX_REPLY_BYTES: usize = 4096;

/// Most replies the relay keeps per document; the next one is a 429
/// ([`error_code::TOO_MANY_REPLIES`]). Bounds what an anonymous poster can
/// make the relay store.
pub const MAX_REPLIES: usize = 10;

/// A client's reply to a published document (a quote's acceptance or
/// refusal), as `GET …/documents/{doc_token}/replies` lists it. The relay
/// stores it sealed as the page posted it and cannot read it.
///
/// `sealed` has the [`bundle`] framing, under the document's own key:
///
/// ```text
/// sealed    = version (1 byte, = bundle::VERSION) || iv (12 bytes) || AES-256-GCM(key, iv, plaintext) (ciphertext || tag)
/// plaintext = QuoteReply as JSON (UTF-8), no length prefix
/// ```
///
/// Whoever has the page's URL (hence its key) can post one, so a reply
/// that opens is only as trustworthy as that link; one that does not open
/// was posted by someone without the key and is to be ignored.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// Increasing in the order the relay received them.
    pub id: i64,
    /// When the relay received it, RFC 3339 UTC.
    pub received_at: String,
    /// The bytes as posted, base64url without padding (at most
    /// [`MAX_REPLY_BYTES`] bytes, so 5,462 characters).
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 5462, pattern = r"^[A-Za-z0-9_-]+$")
    )]
    pub sealed: String,
}

/// Response of `GET /v1/inboxes/{inbox}/documents/{doc_token}/replies`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyList {
    /// Oldest first; empty when none (or once the document was revoked);
    /// at most [`MAX_REPLIES`].
    #[cfg_attr(feature = "openapi", schema(max_items = 10))]
    pub replies: Vec<Reply>,
}

/// The plaintext of a [`Reply`] to a quote, written by the page's script
/// in the client's browser (field order as below).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteReply {
    /// Format version, 1.
    pub v: u32,
    /// The quote's number as the page showed it, e.g. `D-2027-0001`.
    pub quote: String,
    /// True for "I accept the quote", false for "I decline".
    pub accepted: bool,
    /// The name the client typed (trimmed, never empty).
    pub name: String,
    /// The client's comment (trimmed), None when left empty.
    pub comment: Option<String>,
    /// The client's local date when answering, `YYYY-MM-DD` (their device's
    /// clock: a claim, not a timestamp; the relay's is `received_at`).
    pub on: String,
}

/// The path the app lists a document's replies at.
pub fn replies_path(inbox: &str, token: &str) -> String {
    format!("{}/replies", document_path(inbox, token))
}
