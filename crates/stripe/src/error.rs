//! Stripe's failures as typed errors whose messages a freelancer can act on.
//!
//! Stripe answers an error with an HTTP status and a body
//! `{"error":{"type","code","message","param",…}}`. The callers (CLI, app)
//! need to tell a few cases apart (wrong key, missing permission, currency,
//! rate limit, a conflict of idempotency keys) and show a sentence that says
//! what to do; everything else keeps Stripe's own message, which is written
//! for developers but is the best information available. The API key never
//! appears in any of these messages (Stripe masks it in its own messages too).

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;

/// Stripe's error object (the `error` member of an error response).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ApiErrorBody {
    /// `api_error`, `card_error`, `idempotency_error`, `invalid_request_error`.
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub param: Option<String>,
    #[serde(default)]
    pub decline_code: Option<String>,
    #[serde(default)]
    pub doc_url: Option<String>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ApiErrorBody,
}

/// What went wrong with a Stripe request.
#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    #[error(
        "Stripe refused the API key: check that you pasted the whole secret key (sk_…) or restricted key (rk_…) from the Stripe Dashboard, Developers → API keys, and that it has not been rolled or deleted"
    )]
    InvalidKey { detail: Box<ApiErrorBody> },

    #[error("the restricted Stripe key is not allowed to do this: in the Stripe Dashboard, Developers → API keys, give it write access to Payment Links (and read access to the account), or use a secret key{}", suffix(detail.message.as_deref()))]
    PermissionDenied { detail: Box<ApiErrorBody> },

    /// A restricted key without the permission the request needs, when
    /// Stripe named it (`Having the 'rak_webhook_write' permission would
    /// allow this request to continue`) or the endpoint tells which it is.
    #[error("the restricted Stripe key lacks the permission “{permission}”: in the Stripe Dashboard, Developers → API keys, edit this key and set “{}” to “{}”, or use a secret key", permission.resource, permission.access)]
    MissingPermission {
        permission: Permission,
        detail: Box<ApiErrorBody>,
    },

    #[error("Stripe refused the expiry time of the checkout page{}: it must be between 30 minutes and 24 hours after the page is created; pick an expiry in that range", suffix(detail.message.as_deref()))]
    ExpiresAtOutOfRange { detail: Box<ApiErrorBody> },

    #[error("Stripe refused the refund: it is more than what is left to refund on this payment{}; check in the Stripe Dashboard (Payments) what was already refunded, and refund at most the rest", suffix(detail.message.as_deref()))]
    RefundTooLarge { detail: Box<ApiErrorBody> },

    #[error("Stripe cannot take payments in this currency on this account{}: issue the invoice in a currency your Stripe account supports, or ask for a bank transfer", suffix(detail.message.as_deref()))]
    CurrencyNotSupported { detail: Box<ApiErrorBody> },

    #[error("Stripe does not accept this amount{}: Stripe has a minimum (0.50 EUR) and a maximum per payment", suffix(detail.message.as_deref()))]
    AmountOutOfRange { detail: Box<ApiErrorBody> },

    #[error("Stripe is receiving too many requests from this account: wait a minute and try again")]
    RateLimited { detail: Box<ApiErrorBody> },

    #[error("Stripe has no such object{}: it may belong to another account or to the other mode (test or live)", suffix(detail.message.as_deref()))]
    NotFound { detail: Box<ApiErrorBody> },

    #[error(
        "Stripe saw this request before with different content (idempotency key reused): nothing was changed; this is a bug in Acquit, please report it"
    )]
    IdempotencyConflict { detail: Box<ApiErrorBody> },

    #[error("Stripe rejected the request{}{}", detail.param.as_deref().map(|p| format!(" (parameter {p})")).unwrap_or_default(), suffix(detail.message.as_deref()))]
    InvalidRequest {
        status: u16,
        detail: Box<ApiErrorBody>,
    },

    #[error("Stripe is having trouble (HTTP {status}){}: nothing to fix on your side, try again in a few minutes", suffix(detail.message.as_deref()))]
    Server {
        status: u16,
        detail: Box<ApiErrorBody>,
    },

    #[error("Stripe could not be reached ({reason}): check the internet connection and try again")]
    Network { reason: String },

    #[error(
        "Stripe did not answer in time: check the internet connection and try again; retrying is safe"
    )]
    Timeout,

    #[error("Stripe sent an answer Acquit does not understand (HTTP {status}): {reason}")]
    UnexpectedResponse { status: u16, reason: String },

    #[error("the Stripe API address {url:?} is not usable: {reason}")]
    BadBaseUrl { url: String, reason: String },
}

/// Read or write, as a restricted key's settings in the Dashboard say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Access::Read => "Read",
            Access::Write => "Write",
        })
    }
}

/// A permission of a restricted key, named as the Dashboard names it
/// (Developers → API keys → edit a restricted key): "Webhook Endpoints",
/// "Events", …
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    pub resource: Cow<'static, str>,
    pub access: Access,
}

impl Permission {
    pub const CHECKOUT_SESSIONS_READ: Permission =
        Permission::new("Checkout Sessions", Access::Read);
    pub const CHECKOUT_SESSIONS_WRITE: Permission =
        Permission::new("Checkout Sessions", Access::Write);
    pub const PAYMENT_INTENTS_READ: Permission = Permission::new("PaymentIntents", Access::Read);
    pub const BALANCE_READ: Permission = Permission::new("Balance", Access::Read);
    pub const EVENTS_READ: Permission = Permission::new("Events", Access::Read);
    pub const REFUNDS_READ: Permission = Permission::new("Refunds", Access::Read);
    pub const REFUNDS_WRITE: Permission = Permission::new("Refunds", Access::Write);
    pub const WEBHOOK_ENDPOINTS_READ: Permission =
        Permission::new("Webhook Endpoints", Access::Read);
    pub const WEBHOOK_ENDPOINTS_WRITE: Permission =
        Permission::new("Webhook Endpoints", Access::Write);

    pub const fn new(resource: &'static str, access: Access) -> Permission {
        Permission {
            resource: Cow::Borrowed(resource),
            access,
        }
    }

    /// The permission a Stripe 403 message names (`… Having the
    /// 'rak_webhook_write' permission would allow this request to
    /// continue.`), if it names one.
    pub fn from_stripe_message(message: &str) -> Option<Permission> {
        let start = message.find("rak_")? + "rak_".len();
        let name: String = message[start..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        let (resource, access) = if let Some(r) = name.strip_suffix("_write") {
            (r, Access::Write)
        } else if let Some(r) = name.strip_suffix("_read") {
            (r, Access::Read)
        } else {
            return None;
        };
        let known = match resource {
            "webhook" | "webhook_endpoint" => Some("Webhook Endpoints"),
            "event" => Some("Events"),
            "checkout_session" => Some("Checkout Sessions"),
            "payment_link" => Some("Payment Links"),
            "payment_intent" => Some("PaymentIntents"),
            "charge" => Some("Charges"),
            "refund" => Some("Refunds"),
            "balance" | "balance_transaction_source" => Some("Balance"),
            _ => None,
        };
        let resource = match known {
            Some(name) => Cow::Borrowed(name),
            None if resource.is_empty() => return None,
            // Unknown to us: the words of Stripe's name, capitalised.
            None => Cow::Owned(
                resource
                    .split('_')
                    .filter(|w| !w.is_empty())
                    .map(|w| {
                        let mut chars = w.chars();
                        chars
                            .next()
                            .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                            .unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        };
        Some(Permission { resource, access })
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.resource, self.access)
    }
}

fn suffix(message: Option<&str>) -> String {
    match message {
        Some(m) if !m.is_empty() => format!(" (Stripe says: {m})"),
        _ => String::new(),
    }
}

impl StripeError {
    /// The error Stripe's answer with `status` and `body` stands for.
    pub fn from_response(status: u16, body: &[u8]) -> StripeError {
        let detail = match serde_json::from_slice::<ErrorEnvelope>(body) {
            Ok(envelope) => Box::new(envelope.error),
            Err(_) if status >= 500 => Box::default(),
            Err(e) => {
                return StripeError::UnexpectedResponse {
                    status,
                    reason: format!("no Stripe error object in the body ({e})"),
                };
            }
        };
        let code = detail.code.as_deref().unwrap_or("");
        let param = detail.param.as_deref().unwrap_or("");
        match (status, detail.kind.as_str(), code) {
            (401, _, _) => StripeError::InvalidKey { detail },
            (403, _, _) => match detail
                .message
                .as_deref()
                .and_then(Permission::from_stripe_message)
            {
                Some(permission) => StripeError::MissingPermission { permission, detail },
                None => StripeError::PermissionDenied { detail },
            },
            (429, _, _) | (_, _, "rate_limit") => StripeError::RateLimited { detail },
            (_, "idempotency_error", _) => StripeError::IdempotencyConflict { detail },
            (404, _, _) | (_, _, "resource_missing") => StripeError::NotFound { detail },
            (_, _, "amount_too_small" | "amount_too_large") => {
                StripeError::AmountOutOfRange { detail }
            }
            // Stripe has no dedicated code: an unsupported currency is an
            // invalid value of a `currency` parameter.
            (400, _, "currency_not_supported" | "parameter_invalid_string" | "")
                if param == "currency" || param.ends_with("[currency]") =>
            {
                StripeError::CurrencyNotSupported { detail }
            }
            (s, _, _) if s >= 500 => StripeError::Server { status: s, detail },
            (s, _, _) => StripeError::InvalidRequest { status: s, detail },
        }
    }

    /// Stripe's error object, when Stripe sent one.
    pub fn detail(&self) -> Option<&ApiErrorBody> {
        match self {
            StripeError::InvalidKey { detail }
            | StripeError::PermissionDenied { detail }
            | StripeError::MissingPermission { detail, .. }
            | StripeError::ExpiresAtOutOfRange { detail }
            | StripeError::RefundTooLarge { detail }
            | StripeError::CurrencyNotSupported { detail }
            | StripeError::AmountOutOfRange { detail }
            | StripeError::RateLimited { detail }
            | StripeError::NotFound { detail }
            | StripeError::IdempotencyConflict { detail }
            | StripeError::InvalidRequest { detail, .. }
            | StripeError::Server { detail, .. } => Some(detail.as_ref()),
            _ => None,
        }
    }

    /// Stripe's error `code` (`parameter_unknown`, …), if any.
    pub fn code(&self) -> Option<&str> {
        self.detail().and_then(|d| d.code.as_deref())
    }

    /// Names the permission the endpoint needs when Stripe refused a
    /// restricted key without saying which (a 403 that named one keeps
    /// Stripe's word). Other errors pass through.
    pub(crate) fn needing(self, permission: Permission) -> StripeError {
        match self {
            StripeError::PermissionDenied { detail } => {
                StripeError::MissingPermission { permission, detail }
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(kind: &str, code: Option<&str>, param: Option<&str>, message: &str) -> Vec<u8> {
        serde_json::json!({"error": {"type": kind, "code": code, "param": param, "message": message}})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn mapping_table() {
        type Check = fn(&StripeError) -> bool;
        let cases: Vec<(u16, Vec<u8>, Check)> = vec![
            (
                401,
                body(
                    "invalid_request_error",
                    None,
                    None,
                    "Invalid API Key provided: sk_test_****4242",
                ),
                |e| matches!(e, StripeError::InvalidKey { .. }),
            ),
            (
                403,
                body(
                    "invalid_request_error",
                    None,
                    None,
                    "The provided key 'rk_test_***' does not have the required permissions for this endpoint",
                ),
                |e| matches!(e, StripeError::PermissionDenied { .. }),
            ),
            (
                429,
                body(
                    "invalid_request_error",
                    Some("rate_limit"),
                    None,
                    "Too many requests",
                ),
                |e| matches!(e, StripeError::RateLimited { .. }),
            ),
            (
                400,
                body(
                    "idempotency_error",
                    None,
                    None,
                    "Keys for idempotent requests can only be used with the same parameters",
                ),
                |e| matches!(e, StripeError::IdempotencyConflict { .. }),
            ),
            (
                404,
                body(
                    "invalid_request_error",
                    Some("resource_missing"),
                    Some("id"),
                    "No such payment_link: 'plink_x'",
                ),
                |e| matches!(e, StripeError::NotFound { .. }),
            ),
            (
                400,
                body(
                    "invalid_request_error",
                    Some("amount_too_small"),
                    Some("line_items[0][price_data][unit_amount]"),
                    "Amount must be at least €0.50 eur",
                ),
                |e| matches!(e, StripeError::AmountOutOfRange { .. }),
            ),
            (
                400,
                body(
                    "invalid_request_error",
                    None,
                    Some("line_items[0][price_data][currency]"),
                    "Invalid currency: xts",
                ),
                |e| matches!(e, StripeError::CurrencyNotSupported { .. }),
            ),
            (
                400,
                body(
                    "invalid_request_error",
                    Some("parameter_unknown"),
                    Some("foo"),
                    "Received unknown parameter: foo",
                ),
                |e| {
                    matches!(e, StripeError::InvalidRequest { status: 400, .. })
                        && e.code() == Some("parameter_unknown")
                },
            ),
            (
                500,
                body("api_error", None, None, "An unknown error occurred"),
                |e| matches!(e, StripeError::Server { status: 500, .. }),
            ),
            (502, b"<html>Bad gateway</html>".to_vec(), |e| {
                matches!(e, StripeError::Server { status: 502, .. })
            }),
            (400, b"not json".to_vec(), |e| {
                matches!(e, StripeError::UnexpectedResponse { status: 400, .. })
            }),
        ];
        for (status, body, check) in cases {
            let error = StripeError::from_response(status, &body);
            assert!(
                check(&error),
                "{status} {} gave {error:?}",
                String::from_utf8_lossy(&body)
            );
        }
    }

    #[test]
    fn messages_say_what_to_do() {
        let error =
            StripeError::from_response(401, &body("invalid_request_error", None, None, "x"));
        assert!(error.to_string().contains("Developers → API keys"));
        let error = StripeError::from_response(
            400,
            &body(
                "invalid_request_error",
                Some("parameter_missing"),
                Some("line_items"),
                "Missing required param: line_items.",
            ),
        );
        assert_eq!(
            error.to_string(),
            "Stripe rejected the request (parameter line_items) (Stripe says: Missing required param: line_items.)"
        );
    }

    #[test]
    fn a_403_that_names_the_permission_says_which_to_grant() {
        let message = "The provided key 'rk_test_***1234' does not have the required permissions for this endpoint on account 'acct_1'. Having the 'rak_webhook_write' permission would allow this request to continue.";
        let error =
            StripeError::from_response(403, &body("invalid_request_error", None, None, message));
        let StripeError::MissingPermission { permission, .. } = &error else {
            panic!("{error:?}");
        };
        assert_eq!(*permission, Permission::WEBHOOK_ENDPOINTS_WRITE);
        assert_eq!(
            error.to_string(),
            "the restricted Stripe key lacks the permission “Webhook Endpoints: Write”: in the Stripe Dashboard, Developers → API keys, edit this key and set “Webhook Endpoints” to “Write”, or use a secret key"
        );
    }

    #[test]
    fn permission_names_from_stripe_messages() {
        let cases = [
            (
                "Having the 'rak_event_read' permission",
                Some(("Events", Access::Read)),
            ),
            (
                "rak_checkout_session_write",
                Some(("Checkout Sessions", Access::Write)),
            ),
            ("rak_refund_write.", Some(("Refunds", Access::Write))),
            (
                "'rak_subscription_read'",
                Some(("Subscription", Access::Read)),
            ),
            ("'rak_tax_rate_write'", Some(("Tax Rate", Access::Write))),
            ("no hint at all", None),
            ("rak_", None),
            ("rak_webhook", None),
        ];
        for (message, expected) in cases {
            let found = Permission::from_stripe_message(message);
            assert_eq!(
                found.as_ref().map(|p| (p.resource.as_ref(), p.access)),
                expected,
                "{message}"
            );
        }
    }

    #[test]
    fn an_endpoint_names_the_permission_when_stripe_does_not() {
        let error = StripeError::from_response(
            403,
            &body("invalid_request_error", None, None, "not allowed"),
        )
        .needing(Permission::EVENTS_READ);
        assert!(
            matches!(&error, StripeError::MissingPermission { permission, .. } if *permission == Permission::EVENTS_READ),
            "{error:?}"
        );
        assert!(error.to_string().contains("set “Events” to “Read”"));
        // Stripe's own word wins, and other errors pass through.
        let named = StripeError::from_response(
            403,
            &body(
                "invalid_request_error",
                None,
                None,
                "… 'rak_webhook_read' …",
            ),
        )
        .needing(Permission::EVENTS_READ);
        assert!(
            matches!(&named, StripeError::MissingPermission { permission, .. } if *permission == Permission::WEBHOOK_ENDPOINTS_READ)
        );
        let other = StripeError::from_response(
            404,
            &body("invalid_request_error", Some("resource_missing"), None, "x"),
        )
        .needing(Permission::EVENTS_READ);
        assert!(matches!(other, StripeError::NotFound { .. }));
    }
}
