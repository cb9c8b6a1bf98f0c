//! The Stripe API key, which must never reach a log, an error or the UI.
//!
//! [`SecretKey`] is the only way the client takes a key. Its `Debug` and
//! `Display` show only the prefix (`sk_test_…(masked)`), so a key that ends
//! up in a `tracing` field, a panic message or an error by accident is still
//! masked; the raw text is reachable only through the loudly named
//! [`SecretKey::expose_secret`]. The prefix also tells test from live mode
//! and a full secret key from a restricted one, before any request.

use std::fmt;

/// Test or live mode, as Stripe's key prefixes and `livemode` fields say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Test,
    Live,
}

/// A full secret key (`sk_`) or a restricted key (`rk_`), whose permissions
/// are chosen in the Dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Secret,
    Restricted,
}

/// Why a text is not a Stripe secret or restricted key. Never contains the
/// text itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFormatError {
    #[error(
        "this is a publishable key (pk_…): Acquit needs a secret key (sk_…) or a restricted key (rk_…) from the Stripe Dashboard, Developers → API keys"
    )]
    Publishable,
    #[error(
        "this is not a Stripe API key: it should start with sk_test_, sk_live_, rk_test_ or rk_live_ (Stripe Dashboard, Developers → API keys)"
    )]
    Unrecognized,
}

/// A Stripe secret or restricted API key.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey {
    key: String,
    kind: KeyKind,
    mode: Mode,
}

impl SecretKey {
    /// Checks the shape of a key (surrounding whitespace, as pasted, is
    /// dropped). Whether Stripe accepts it is for `GET /v1/account` to say.
    pub fn parse(text: &str) -> Result<SecretKey, KeyFormatError> {
        let key = text.trim();
        let (kind, mode) = if key.starts_with("sk_test_") {
            (KeyKind::Secret, Mode::Test)
        } else if key.starts_with("sk_live_") {
            (KeyKind::Secret, Mode::Live)
        } else if key.starts_with("rk_test_") {
            (KeyKind::Restricted, Mode::Test)
        } else if key.starts_with("rk_live_") {
            (KeyKind::Restricted, Mode::Live)
        } else if key.starts_with("pk_") {
            return Err(KeyFormatError::Publishable);
        } else {
            return Err(KeyFormatError::Unrecognized);
        };
        let rest = &key[8..];
        if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(KeyFormatError::Unrecognized);
        }
        Ok(SecretKey {
            key: key.to_owned(),
            kind,
            mode,
        })
    }

    /// Test or live, from the prefix.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Secret or restricted, from the prefix.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The prefix alone (`sk_test_`), safe to show.
    pub fn prefix(&self) -> &str {
        &self.key[..8]
    }

    /// A mask for the UI that lets a person recognise their key
    /// (`sk_test_…4242`): the prefix and the last four characters.
    pub fn hint(&self) -> String {
        let tail = &self.key[self.key.len().saturating_sub(4).max(8)..];
        format!("{}…{tail}", self.prefix())
    }

    /// The key itself, for the `Authorization` header and the keychain only.
    pub fn expose_secret(&self) -> &str {
        &self.key
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({}…(masked))", self.prefix())
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}…(masked)", self.prefix())
    }
}

/// A webhook endpoint's signing secret (`whsec_…`): who holds it can forge
/// events, so, like [`SecretKey`], its `Debug` and `Display` show only
/// `whsec_…(masked)`, and the text is reachable through [`expose`] only
/// (to hand it to the relay). Stripe shows it once, when the endpoint is
/// created.
///
/// [`expose`]: WebhookSecret::expose
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

/// A text that is not a webhook signing secret. Never contains the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "this is not a webhook signing secret: it should start with whsec_ (Stripe Dashboard, Developers → Webhooks → the endpoint → Signing secret)"
)]
pub struct WebhookSecretFormatError;

impl WebhookSecret {
    /// Checks the shape of a pasted secret (surrounding whitespace dropped).
    pub fn parse(text: &str) -> Result<WebhookSecret, WebhookSecretFormatError> {
        let text = text.trim();
        match text.strip_prefix("whsec_") {
            Some(rest)
                if !rest.is_empty()
                    && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
            {
                Ok(WebhookSecret(text.to_owned()))
            }
            _ => Err(WebhookSecretFormatError),
        }
    }

    /// The secret itself, to verify signatures or give to the relay.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(whsec_…(masked))")
    }
}

impl fmt::Display for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("whsec_…(masked)")
    }
}

/// As Stripe sends it, unchecked: a secret of an unexpected shape is still
/// the secret, and an error here would lose it for good.
impl<'de> serde::Deserialize<'de> for WebhookSecret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(WebhookSecret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_secrets_are_masked() {
        let secret = WebhookSecret::parse(" whsec_Zm9vYmFyc2VjcmV0\n").unwrap();
        assert_eq!(secret.expose(), "whsec_Zm9vYmFyc2VjcmV0");
        let shown = format!("{secret} {secret:?} {:?} {secret:#?}", Some(&secret));
        assert!(!shown.contains("Zm9v"), "{shown}");
        assert_eq!(secret.to_string(), "whsec_…(masked)");
        for bad in ["", "whsec_", "sk_test_abc", "whsec_a b"] {
            assert_eq!(
                WebhookSecret::parse(bad),
                Err(WebhookSecretFormatError),
                "{bad:?}"
            );
        }
        let parsed: WebhookSecret = serde_json::from_str(r#""whsec_x""#).unwrap();
        assert_eq!(parsed.expose(), "whsec_x");
    }

    const KEY: &str = "sk_test_51AbCdEfGhIjKlMnOp4242";

    #[test]
    fn debug_and_display_mask_the_key() {
        let key = SecretKey::parse(KEY).unwrap();
        assert_eq!(key.to_string(), "sk_test_…(masked)");
        assert_eq!(format!("{key:?}"), "SecretKey(sk_test_…(masked))");
        assert_eq!(
            format!("{:?}", Some(&key)),
            "Some(SecretKey(sk_test_…(masked)))"
        );
        assert!(!format!("{key} {key:?} {key:#?}").contains("51AbCd"));
        assert_eq!(key.hint(), "sk_test_…4242");
        assert_eq!(key.expose_secret(), KEY);
    }

    #[test]
    fn prefixes_give_kind_and_mode() {
        let cases = [
            ("sk_test_abc", KeyKind::Secret, Mode::Test),
            ("sk_live_abc", KeyKind::Secret, Mode::Live),
            ("rk_test_abc", KeyKind::Restricted, Mode::Test),
            ("  rk_live_abc\n", KeyKind::Restricted, Mode::Live),
        ];
        for (text, kind, mode) in cases {
            let key = SecretKey::parse(text).unwrap();
            assert_eq!((key.kind(), key.mode()), (kind, mode), "{text:?}");
        }
    }

    #[test]
    fn malformed_keys_are_refused_without_echoing_them() {
        assert_eq!(
            SecretKey::parse("pk_test_abc"),
            Err(KeyFormatError::Publishable)
        );
        for text in [
            "",
            "sk_test_",
            "sk_test_a b",
            "whsec_abc",
            "sk_abc",
            "sk_test_é",
        ] {
            let err = SecretKey::parse(text).unwrap_err();
            assert_eq!(err, KeyFormatError::Unrecognized, "{text:?}");
        }
        let message = SecretKey::parse("xx_secretvalue").unwrap_err().to_string();
        assert!(!message.contains("secretvalue"));
    }

    #[test]
    fn short_key_hint_does_not_overlap_the_prefix() {
        let key = SecretKey::parse("sk_test_ab").unwrap();
        assert_eq!(key.hint(), "sk_test_…ab");
    }
}
