//! The app's side of the relay's HTTP API (see `acquit-relay-protocol`):
//! pull events with a stored cursor, long-poll while the app is open, hand
//! the relay its Stripe webhook secret, publish the state of stable links.
//!
//! The pull token is a bearer secret: it is kept in [`PullToken`], whose
//! `Debug` and `Display` never show it, and never appears in an error.

use std::fmt;
use std::time::Duration;

use acquit_relay_protocol::{ErrorBody, EventsPage, LinkState, WebhookSecretBody, error_code};
use reqwest::StatusCode;

/// Settings (in the store; not secret) naming the relay in use. The pull
/// token is in the keychain.
pub const RELAY_URL_SETTING: &str = "relay.url";
pub const RELAY_INBOX_SETTING: &str = "relay.inbox";

/// The relay's bearer token for one inbox.
#[derive(Clone, PartialEq, Eq)]
pub struct PullToken(String);

impl PullToken {
    /// A token as `acquit-relay inbox create` printed it (surrounding
    /// whitespace removed). Refuses an empty or non-printable token.
    pub fn new(token: &str) -> Result<PullToken, RelayError> {
        let token = token.trim();
        if token.is_empty() || !token.chars().all(|c| c.is_ascii_graphic()) {
            return Err(RelayError::BadToken);
        }
        Ok(PullToken(token.to_owned()))
    }

    /// The token in clear, for the `Authorization` header and the keychain.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PullToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PullToken(…)")
    }
}

impl fmt::Display for PullToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail: String = self
            .0
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        write!(f, "…{tail}")
    }
}

/// The inbox's admin credential (`admin_token` from `acquit-relay inbox
/// create`): the only thing that can replace the webhook secret once set.
/// Masked like [`PullToken`].
#[derive(Clone, PartialEq, Eq)]
pub struct AdminToken(PullToken);

impl AdminToken {
    pub fn new(token: &str) -> Result<AdminToken, RelayError> {
        PullToken::new(token)
            .map(AdminToken)
            .map_err(|_| RelayError::BadAdminToken)
    }

    /// The credential in clear, for the `Authorization` header and the
    /// keychain.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(…)")
    }
}

/// What went wrong talking to the relay, in words that say what to do.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(
        "the relay token is empty or has spaces: paste the token that `acquit-relay inbox create` printed"
    )]
    BadToken,
    #[error(
        "the relay admin credential is empty or has spaces: paste the admin_token that `acquit-relay inbox create` printed"
    )]
    BadAdminToken,
    #[error("\"{0}\" is not a relay URL: give its base, e.g. https://relay.example.com")]
    BadUrl(String),
    #[error(
        "\"{0}\" is not https: the relay carries your payment news and your token, so Acquit reaches it over https only (http only on this machine: 127.0.0.1, ::1, localhost)"
    )]
    InsecureUrl(String),
    #[error(
        "the relay already has a webhook secret for inbox {inbox}, and replacing it needs the inbox's admin credential: give the admin_token that `acquit-relay inbox create` printed on the second line of stdin (`acquit-relay inbox admin-token` makes a new one)"
    )]
    AdminRequired { inbox: String },
    #[error("\"{0}\" is not an inbox id: it starts with ibx_ (from `acquit-relay inbox create`)")]
    BadInbox(String),
    #[error(
        "cannot reach the relay at {url}: {reason}. Check the URL and that the relay is running; payments will sync when it is back"
    )]
    Unreachable { url: String, reason: String },
    #[error(
        "the relay refused the token for inbox {inbox}: run `acquit relay set` again with the token of this inbox"
    )]
    Unauthorized { inbox: String },
    #[error(
        "the relay has no inbox {inbox}: check the inbox id (`acquit-relay inbox create` prints it)"
    )]
    UnknownInbox { inbox: String },
    #[error("the relay answered {status}: {message}")]
    Server { status: u16, message: String },
    #[error("the relay's answer could not be read ({0}): is this URL an Acquit relay?")]
    BadAnswer(String),
}

impl RelayError {
    /// True for failures worth retrying later (network, relay overloaded).
    pub fn is_transient(&self) -> bool {
        match self {
            RelayError::Unreachable { .. } => true,
            RelayError::Server { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

/// Where the relay is and which inbox is ours.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// Base URL without a trailing slash, e.g. `https://relay.example.com`.
    pub base: String,
    pub inbox: String,
    pub token: PullToken,
}

impl RelayConfig {
    pub fn new(base: &str, inbox: &str, token: PullToken) -> Result<RelayConfig, RelayError> {
        let base = base.trim().trim_end_matches('/');
        let url = reqwest::Url::parse(base).map_err(|_| RelayError::BadUrl(base.to_owned()))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(RelayError::BadUrl(base.to_owned()));
        }
        if url.scheme() == "http"
            && !url
                .host_str()
                .is_some_and(acquit_core::net::is_loopback_host)
        {
            return Err(RelayError::InsecureUrl(base.to_owned()));
        }
        let inbox = inbox.trim();
        if !inbox.starts_with("ibx_")
            || inbox.len() < 5
            || !inbox.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(RelayError::BadInbox(inbox.to_owned()));
        }
        Ok(RelayConfig {
            base: base.to_owned(),
            inbox: inbox.to_owned(),
            token,
        })
    }

    /// The URL Stripe must post webhooks to.
    pub fn webhook_url(&self) -> String {
        format!(
            "{}{}",
            self.base,
            acquit_relay_protocol::webhook_path(&self.inbox)
        )
    }

    /// Its address for the client's links ([`PublicBase`]).
    pub fn public_base(&self) -> PublicBase {
        PublicBase(self.base.clone())
    }

    /// The public stable link for `token`: `https://relay/p/{token}`.
    pub fn public_link(&self, token: &str) -> String {
        self.public_base().link(token)
    }

    /// The invoice page `https://relay/v/{token}#k={key}` (the key, in the
    /// fragment, never reaches the relay).
    pub fn public_document(&self, token: &str, key_base64url: &str) -> String {
        self.public_base().page(token, key_base64url)
    }
}

/// The relay's address as the client's links use it: trimmed, without a
/// trailing slash, never empty. The one place the public URLs are made
/// (`/p/{token}`, its return page, `/v/{token}#k={key}`), whether the base
/// comes from a connected [`RelayConfig`] or from the books' `relay.url`
/// setting (drawing a PDF or a mail needs no token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicBase(String);

impl PublicBase {
    /// None for a blank address (no relay set).
    pub fn new(base: &str) -> Option<PublicBase> {
        let base = base.trim().trim_end_matches('/');
        (!base.is_empty()).then(|| PublicBase(base.to_owned()))
    }

    /// The relay the books are set up with (`relay.url`), if any.
    pub fn of(store: &acquit_store::Store) -> Result<Option<PublicBase>, acquit_store::StoreError> {
        Ok(store
            .setting(RELAY_URL_SETTING)?
            .as_deref()
            .and_then(PublicBase::new))
    }

    /// The stable payment link `…/p/{token}`, printed on invoices.
    pub fn link(&self, token: &str) -> String {
        format!("{}/p/{token}", self.0)
    }

    /// Where Stripe sends the payer back: `…/p/{token}/done`.
    pub fn link_done(&self, token: &str) -> String {
        format!("{}/p/{token}/done", self.0)
    }

    /// The sealed page `…/v/{token}#k={key}` (the key in the fragment,
    /// which browsers never send).
    pub fn page(&self, token: &str, key_base64url: &str) -> String {
        format!("{}/v/{token}#k={key_base64url}", self.0)
    }
}

/// A client of one relay inbox.
#[derive(Debug, Clone)]
pub struct RelayClient {
    config: RelayConfig,
    http: reqwest::Client,
}

impl RelayClient {
    pub fn new(config: RelayConfig) -> Result<RelayClient, RelayError> {
        let http = acquit_http::client()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| RelayError::BadAnswer(e.to_string()))?;
        Ok(RelayClient { config, http })
    }

    pub fn config(&self) -> &RelayConfig {
        &self.config
    }

    /// Checks that the relay answers and accepts our token for our inbox
    /// (a pull of zero events, no wait).
    pub async fn check(&self) -> Result<(), RelayError> {
        self.pull(None, 1, 0).await.map(|_| ())
    }

    /// Events after `after` (oldest first); with `wait` > 0 the relay holds
    /// the request until an event arrives or `wait` seconds pass.
    pub async fn pull(
        &self,
        after: Option<&str>,
        limit: u32,
        wait: u32,
    ) -> Result<EventsPage, RelayError> {
        let mut url = self.inbox_url("events");
        {
            let mut q = url.query_pairs_mut();
            if let Some(after) = after {
                q.append_pair("after", after);
            }
            q.append_pair("limit", &limit.to_string());
            q.append_pair("wait", &wait.to_string());
        }
        let response = self
            .http
            .get(url)
            .bearer_auth(self.config.token.expose())
            // The relay holds a long-poll up to `wait`; allow for the trip.
            .timeout(Duration::from_secs(u64::from(wait) + 30))
            .send()
            .await
            .map_err(|e| self.unreachable(&e))?;
        let bytes = self.checked(response).await?;
        serde_json::from_slice(&bytes).map_err(|e| RelayError::BadAnswer(e.to_string()))
    }

    /// Sets the inbox's Stripe webhook signing secret: the first time with
    /// the pull token; replacing it needs the inbox's `admin` credential
    /// ([`RelayError::AdminRequired`] without it).
    pub async fn set_webhook_secret(
        &self,
        secret: &str,
        admin: Option<&AdminToken>,
    ) -> Result<(), RelayError> {
        let bearer = admin.map_or(self.config.token.expose(), AdminToken::expose);
        let response = self
            .http
            .put(self.inbox_url("webhook-secret"))
            .bearer_auth(bearer)
            .timeout(Duration::from_secs(30))
            .json(&WebhookSecretBody {
                secret: secret.to_owned(),
            })
            .send()
            .await
            .map_err(|e| self.unreachable(&e))?;
        self.checked(response).await.map(|_| ())
    }

    /// Publishes the state of the stable link `token` (`GET /p/{token}`).
    pub async fn publish_link(&self, token: &str, state: &LinkState) -> Result<(), RelayError> {
        let response = self
            .http
            .put(self.inbox_url(&format!("links/{token}")))
            .bearer_auth(self.config.token.expose())
            .timeout(Duration::from_secs(30))
            .json(state)
            .send()
            .await
            .map_err(|e| self.unreachable(&e))?;
        self.checked(response).await.map(|_| ())
    }

    /// Publishes (replaces) the encrypted bundle of the invoice page
    /// `token` (`GET /v/{token}`).
    pub async fn publish_document(&self, token: &str, bundle: Vec<u8>) -> Result<(), RelayError> {
        let response = self
            .http
            .put(self.inbox_url(&format!("documents/{token}")))
            .bearer_auth(self.config.token.expose())
            .timeout(Duration::from_secs(60))
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bundle)
            .send()
            .await
            .map_err(|e| self.unreachable(&e))?;
        self.checked(response).await.map(|_| ())
    }

    /// The replies posted to page `token` (a quote's client's answer),
    /// sealed, oldest first.
    pub async fn document_replies(
        &self,
        token: &str,
    ) -> Result<acquit_relay_protocol::ReplyList, RelayError> {
        let response = self
            .http
            .get(self.inbox_url(&format!("documents/{token}/replies")))
            .bearer_auth(self.config.token.expose())
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map_err(|e| self.unreachable(&e))?;
        let bytes = self.checked(response).await?;
        serde_json::from_slice(&bytes).map_err(|e| RelayError::Server {
            status: 200,
            message: format!("the relay's list of replies could not be read: {e}"),
        })
    }

    /// Revokes the invoice page `token`: it then says the link is no longer
    /// valid, for good.
    pub async fn revoke_document(&self, token: &str) -> Result<(), RelayError> {
        let response = self
            .http
            .delete(self.inbox_url(&format!("documents/{token}")))
            .bearer_auth(self.config.token.expose())
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map_err(|e| self.unreachable(&e))?;
        self.checked(response).await.map(|_| ())
    }

    fn inbox_url(&self, rest: &str) -> reqwest::Url {
        let text = format!(
            "{}/v1/inboxes/{}/{rest}",
            self.config.base, self.config.inbox
        );
        // `new` validated the base and the inbox; `rest` is ours.
        reqwest::Url::parse(&text).expect("relay URL")
    }

    fn unreachable(&self, error: &reqwest::Error) -> RelayError {
        // reqwest's message may carry the URL, never the token.
        let mut reason = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(s) = source {
            reason = format!("{reason}: {s}");
            source = s.source();
        }
        RelayError::Unreachable {
            url: self.config.base.clone(),
            reason,
        }
    }

    async fn checked(&self, response: reqwest::Response) -> Result<Vec<u8>, RelayError> {
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.unreachable(&e))?
            .to_vec();
        if status.is_success() {
            return Ok(bytes);
        }
        let inbox = self.config.inbox.clone();
        let body = serde_json::from_slice::<ErrorBody>(&bytes).ok();
        if status == StatusCode::FORBIDDEN
            && body.as_ref().map(|b| b.error.as_str()) == Some(error_code::ADMIN_REQUIRED)
        {
            return Err(RelayError::AdminRequired { inbox });
        }
        Err(match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => RelayError::Unauthorized { inbox },
            StatusCode::NOT_FOUND => RelayError::UnknownInbox { inbox },
            _ => RelayError::Server {
                status: status.as_u16(),
                message: body
                    .map(|b| b.message)
                    .unwrap_or_else(|| String::from_utf8_lossy(&bytes).chars().take(200).collect()),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_never_shown() {
        let token = PullToken::new(" abcdef0123456789 \n").unwrap();
        assert_eq!(token.expose(), "abcdef0123456789");
        assert_eq!(format!("{token:?}"), "PullToken(…)");
        assert_eq!(token.to_string(), "…6789");
        assert!(matches!(PullToken::new("a b"), Err(RelayError::BadToken)));
        assert!(matches!(PullToken::new("  "), Err(RelayError::BadToken)));
        let admin = AdminToken::new("adm1n5ecret").unwrap();
        assert_eq!(format!("{admin:?}"), "AdminToken(…)");
        assert!(matches!(
            AdminToken::new(""),
            Err(RelayError::BadAdminToken)
        ));
    }

    #[test]
    fn config_is_checked() {
        let t = || PullToken::new("tok").unwrap();
        let c = RelayConfig::new("https://relay.example.com/", "ibx_abc", t()).unwrap();
        assert_eq!(
            c.webhook_url(),
            "https://relay.example.com/v1/inboxes/ibx_abc/stripe"
        );
        assert_eq!(c.public_link("xyz"), "https://relay.example.com/p/xyz");
        assert!(matches!(
            RelayConfig::new("relay.example.com", "ibx_abc", t()),
            Err(RelayError::BadUrl(_))
        ));
        assert!(matches!(
            RelayConfig::new("ftp://relay", "ibx_abc", t()),
            Err(RelayError::BadUrl(_))
        ));
        assert!(matches!(
            RelayConfig::new("http://127.0.0.1:8787", "inbox/../x", t()),
            Err(RelayError::BadInbox(_))
        ));
        // http only to this machine: the token and the payment news travel.
        for base in [
            "http://relay.example.org",
            "http://10.0.0.2:8787",
            "http://localhost.example.org",
        ] {
            let err = RelayConfig::new(base, "ibx_abc", t()).unwrap_err();
            assert!(matches!(err, RelayError::InsecureUrl(_)), "{base}: {err}");
            assert!(err.to_string().contains("https"), "{err}");
        }
        for base in [
            "http://127.0.0.1:8787",
            "http://[::1]:8787",
            "http://localhost:8787",
        ] {
            assert!(RelayConfig::new(base, "ibx_abc", t()).is_ok(), "{base}");
        }
    }
}
