//! Stripe's failures as typed errors whose messages a freelancer can act on.
//!
//! Stripe answers an error with an HTTP status and a body
//! `{"error":{"type","code","message","param",…}}`. The callers (CLI, app)
//! need to tell a few cases apart (wrong key, missing permission, currency,
//! rate limit, a conflict of idempotency keys) and show a sentence that says
//! what to do; everything else keeps Stripe's own message, which is written
//! for developers but is the best information available. The API key never
//! appears in any of these messages (Stripe masks it in its own messages too).

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
            (403, _, _) => StripeError::PermissionDenied { detail },
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
}
