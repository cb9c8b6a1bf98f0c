//! The connection to a PA: where it is, how Acquit proves who it is, and
//! how a request is retried.
//!
//! Authentication follows the files' two security schemes. `OAuth2`
//! (client credentials, RFC 6749 §4.4): the client id and secret are
//! exchanged at the token URL for a bearer token, kept until 30 s before
//! its `expires_in`, and fetched again once when the PA answers 401 (a
//! token revoked early). `BearerAuth`: a long-lived token given by the PA.
//!
//! Retries: a lost connection, 429 (after `Retry-After` when given, at
//! most [`Config::max_backoff`]) and 500/502/503/504 are retried with
//! exponential backoff; anything else is final. A `createFlow` is retried
//! only through [`Client::submit_flow`], which first asks whether the flow
//! arrived.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use acquit_secrets::Secret;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// How Acquit proves who it is to the PA.
#[derive(Debug, Clone)]
pub enum Auth {
    /// OAuth2 client credentials.
    ClientCredentials {
        /// The token endpoint (the files' `tokenUrl`,
        /// `https://…/auth-service/{custId}/token`).
        token_url: String,
        client_id: String,
        secret: Secret,
    },
    /// A bearer token the PA gave.
    Bearer(Secret),
}

/// Where the PA is and how patient the client is.
#[derive(Debug, Clone)]
pub struct Config {
    /// `https://{sub-domain}.{domain}{base-path}` (no service name).
    pub base_url: String,
    pub auth: Auth,
    /// For one attempt, the upload included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff; doubles per retry, capped at `max_backoff`.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl Config {
    /// Defaults: 60 s per attempt (invoices up to the files' 100 MB), 3
    /// retries from 0.5 s.
    pub fn new(base_url: impl Into<String>, auth: Auth) -> Config {
        Config {
            base_url: base_url.into(),
            auth,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
        }
    }

    /// The default token URL of a PA at `base_url` for `client_id`: the
    /// files' `…/auth-service/{custId}/token` on the same host.
    pub fn default_token_url(base_url: &str, client_id: &str) -> String {
        format!(
            "{}/auth-service/{}/token",
            base_url.trim_end_matches('/'),
            client_id
        )
    }

    fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(16)).unwrap_or(u32::MAX);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// What went wrong talking to the PA, each saying what to do.
#[derive(Debug, thiserror::Error)]
pub enum PaError {
    #[error("the platform's address {url} cannot be used: {reason}")]
    BadUrl { url: String, reason: String },
    #[error(
        "cannot reach the platform at {url}: {detail}. Check the connection, then try again (nothing was recorded as sent)"
    )]
    Unreachable { url: String, detail: String },
    #[error(
        "the platform refused Acquit's credentials ({detail}): run `acquit pa connect` again with the client id and secret your platform gave you"
    )]
    Credentials { detail: String },
    #[error(
        "the platform does not allow this account to {what} (403 {code}): ask your platform to open the e-invoicing API to this client id"
    )]
    Forbidden { what: String, code: String },
    #[error("the platform refused {what} ({status} {code}): {message}")]
    Refused {
        what: String,
        status: u16,
        code: String,
        message: String,
    },
    #[error(
        "the platform is unavailable ({status}) after {attempts} attempts: try again later (nothing was recorded as sent)"
    )]
    Unavailable { status: u16, attempts: u32 },
    #[error(
        "the platform answered {what} with something that does not follow XP Z12-013 ({detail}): tell your platform, and try again later"
    )]
    Malformed { what: String, detail: String },
}

impl PaError {
    /// A final answer about the request itself (nothing to retry later).
    pub fn is_refusal(&self) -> bool {
        matches!(self, PaError::Refused { .. })
    }

    /// The PA's `errorCode`, when it refused.
    pub fn code(&self) -> Option<&str> {
        match self {
            PaError::Refused { code, .. } | PaError::Forbidden { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// The files' `Error` object.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    error_code: String,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    details: Option<String>,
}

/// RFC 6749 §5.1 and §5.2.
#[derive(Debug, Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    token_type: Option<String>,
    expires_in: Option<u64>,
    error: Option<String>,
    error_description: Option<String>,
}

/// A body to send.
#[derive(Debug)]
pub(crate) enum Body {
    None,
    Json(serde_json::Value),
    /// `createFlow`'s multipart form, rebuilt for each attempt.
    Flow {
        info: String,
        file: Vec<u8>,
        file_name: String,
        mime: &'static str,
    },
}

impl Body {
    fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Body::None => request,
            Body::Json(value) => request.json(value),
            Body::Flow {
                info,
                file,
                file_name,
                mime,
            } => {
                let info = reqwest::multipart::Part::text(info.clone())
                    .mime_str("application/json")
                    .expect("a constant MIME type");
                let file = reqwest::multipart::Part::bytes(file.clone())
                    .file_name(file_name.clone())
                    .mime_str(mime)
                    .expect("a constant MIME type");
                request.multipart(
                    reqwest::multipart::Form::new()
                        .part("flowInfo", info)
                        .part("file", file),
                )
            }
        }
    }
}

/// Whether a request may be repeated when its outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Reads and searches.
    Safe,
    /// `createFlow`: never repeated here (see [`Client::submit_flow`]).
    Once,
}

/// A PA client for one connection.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    config: Config,
    base: String,
    token: Mutex<Option<(Secret, Instant)>>,
}

impl Client {
    /// Checks the URL: `https://`, or `http://` for this machine (a fake);
    /// the credentials travel with every request.
    pub fn new(config: Config) -> Result<Client, PaError> {
        let base = config.base_url.trim().trim_end_matches('/').to_owned();
        check_url(&base)?;
        if let Auth::ClientCredentials { token_url, .. } = &config.auth {
            check_url(token_url)?;
        }
        let http = acquit_http::client()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|e| PaError::BadUrl {
                url: base.clone(),
                reason: format!("the HTTP client could not start: {e}"),
            })?;
        Ok(Client {
            http,
            config,
            base,
            token: Mutex::new(None),
        })
    }

    /// The base URL, as used.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub(crate) fn url(&self, service: &str, path: &str) -> String {
        format!("{}/{service}{path}", self.base)
    }

    /// A bearer token: the configured one, or one from the token endpoint
    /// (kept until shortly before it expires; `fresh` asks for a new one).
    async fn bearer(&self, fresh: bool) -> Result<Secret, PaError> {
        let (token_url, client_id, secret) = match &self.config.auth {
            Auth::Bearer(token) => return Ok(token.clone()),
            Auth::ClientCredentials {
                token_url,
                client_id,
                secret,
            } => (token_url, client_id, secret),
        };
        if !fresh
            && let Some((token, until)) = self
                .token
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let mut retry = 0;
        let response = loop {
            let attempt = self
                .http
                .post(token_url)
                .basic_auth(client_id, Some(secret.expose()))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await;
            match attempt {
                Ok(r) if !retryable(r.status()) || retry >= self.config.max_retries => break r,
                Ok(r) => {
                    let delay = self.delay(retry, Some(&r));
                    tracing::warn!(
                        status = r.status().as_u16(),
                        ?delay,
                        "retrying the PA's token endpoint"
                    );
                    tokio::time::sleep(delay).await;
                }
                Err(e) if retry >= self.config.max_retries => {
                    return Err(PaError::Unreachable {
                        url: token_url.clone(),
                        detail: transport(&e),
                    });
                }
                Err(_) => tokio::time::sleep(self.delay(retry, None)).await,
            }
            retry += 1;
        };
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| PaError::Unreachable {
            url: token_url.clone(),
            detail: transport(&e),
        })?;
        let answer: Option<TokenAnswer> = serde_json::from_slice(&bytes).ok();
        if status.is_success()
            && let Some(TokenAnswer {
                access_token: Some(token),
                token_type,
                expires_in,
                ..
            }) = answer
        {
            if token_type.is_some_and(|t| !t.eq_ignore_ascii_case("bearer")) {
                return Err(PaError::Malformed {
                    what: "the token request".into(),
                    detail: "the token is not a bearer token".into(),
                });
            }
            let lifetime = Duration::from_secs(expires_in.unwrap_or(300));
            let until = Instant::now() + lifetime.saturating_sub(Duration::from_secs(30));
            let token = Secret::new(token);
            *self.token.lock().unwrap_or_else(|e| e.into_inner()) = Some((token.clone(), until));
            return Ok(token);
        }
        if let Some(TokenAnswer {
            error: Some(error),
            error_description,
            ..
        }) = answer
        {
            return Err(PaError::Credentials {
                detail: match error_description {
                    Some(d) => format!("{error}: {d}"),
                    None => error,
                },
            });
        }
        if retryable(status) {
            return Err(PaError::Unavailable {
                status: status.as_u16(),
                attempts: retry + 1,
            });
        }
        Err(PaError::Credentials {
            detail: format!("the token endpoint answered {}", status.as_u16()),
        })
    }

    fn delay(&self, retry: u32, response: Option<&reqwest::Response>) -> Duration {
        let asked = response
            .and_then(|r| r.headers().get(reqwest::header::RETRY_AFTER))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        match asked {
            Some(asked) => asked.min(self.config.max_backoff),
            None => self.config.backoff(retry),
        }
    }

    /// Sends one request, retrying what may be retried; the body of a 2xx
    /// answer, or the error. `what` names the request in errors ("the
    /// invoice F-2027-0001").
    pub(crate) async fn send(
        &self,
        method: Method,
        url: &str,
        body: &Body,
        repeat: Repeat,
        what: &str,
    ) -> Result<Vec<u8>, PaError> {
        let mut retry = 0;
        let mut renewed = false;
        loop {
            let token = self.bearer(false).await?;
            let request = body.apply(
                self.http
                    .request(method.clone(), url)
                    .bearer_auth(token.expose()),
            );
            let response = match request.send().await {
                Ok(response) => response,
                Err(e) if repeat == Repeat::Safe && retry < self.config.max_retries => {
                    let delay = self.delay(retry, None);
                    tracing::warn!(%method, url, ?delay, error = %transport(&e), "retrying a PA request");
                    tokio::time::sleep(delay).await;
                    retry += 1;
                    continue;
                }
                Err(e) => {
                    return Err(PaError::Unreachable {
                        url: url.to_owned(),
                        detail: transport(&e),
                    });
                }
            };
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED
                && !renewed
                && matches!(self.config.auth, Auth::ClientCredentials { .. })
            {
                // A token revoked or expired early: one new one.
                renewed = true;
                self.bearer(true).await?;
                continue;
            }
            if retryable(status) && repeat == Repeat::Safe && retry < self.config.max_retries {
                let delay = self.delay(retry, Some(&response));
                tracing::warn!(%method, url, status = status.as_u16(), ?delay, "retrying a PA request");
                tokio::time::sleep(delay).await;
                retry += 1;
                continue;
            }
            let bytes = response
                .bytes()
                .await
                .map_err(|e| PaError::Unreachable {
                    url: url.to_owned(),
                    detail: transport(&e),
                })?
                .to_vec();
            if status.is_success() {
                return Ok(bytes);
            }
            return Err(refusal(status, &bytes, what, retry + 1));
        }
    }

    /// [`Client::send`] with a JSON answer.
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: &Body,
        what: &str,
    ) -> Result<T, PaError> {
        let bytes = self.send(method, url, body, Repeat::Safe, what).await?;
        parse(&bytes, what)
    }

    /// `GET /v1/healthcheck` of both services, then a token: what `acquit
    /// pa status` and `connect` show.
    pub async fn check(&self) -> Result<(), PaError> {
        for service in ["flow-service", "directory-service"] {
            let url = self.url(service, "/v1/healthcheck");
            self.send(
                Method::GET,
                &url,
                &Body::None,
                Repeat::Safe,
                "the health check",
            )
            .await?;
        }
        self.bearer(true).await.map(|_| ())
    }
}

pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, PaError> {
    serde_json::from_slice(bytes).map_err(|e| PaError::Malformed {
        what: what.to_owned(),
        detail: e.to_string(),
    })
}

fn retryable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504)
}

fn transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer in time".to_owned()
    } else if e.is_connect() {
        "the connection was refused or could not be made".to_owned()
    } else {
        // reqwest's top message names the URL already; its source says why.
        std::error::Error::source(e)
            .map(ToString::to_string)
            .unwrap_or_else(|| e.to_string())
    }
}

fn refusal(status: StatusCode, bytes: &[u8], what: &str, attempts: u32) -> PaError {
    let body: Option<ErrorBody> = serde_json::from_slice(bytes).ok();
    let code = body
        .as_ref()
        .map(|b| b.error_code.clone())
        .unwrap_or_default();
    let message = body
        .as_ref()
        .map(|b| {
            let mut text = b.error_message.clone().unwrap_or_default();
            if let Some(details) = &b.details {
                if !text.is_empty() {
                    text.push_str(": ");
                }
                text.push_str(details);
            }
            text
        })
        .unwrap_or_default();
    match status.as_u16() {
        401 => PaError::Credentials {
            detail: if code.is_empty() { "401".into() } else { code },
        },
        403 => PaError::Forbidden {
            what: what.to_owned(),
            code,
        },
        s if retryable(status) => PaError::Unavailable {
            status: s,
            attempts,
        },
        s => PaError::Refused {
            what: what.to_owned(),
            status: s,
            code,
            message,
        },
    }
}

fn check_url(url: &str) -> Result<(), PaError> {
    let bad = |reason: &str| PaError::BadUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = reqwest::Url::parse(url).map_err(|_| bad("it is not a URL"))?;
    let Some(host) = parsed.host_str() else {
        return Err(bad("it has no host"));
    };
    let loopback = acquit_core::net::is_loopback_host(host);
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(bad(
            "it must start with https:// (http:// only for a platform on this machine)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_go_only_over_https_or_to_this_machine() {
        assert!(check_url("https://pa.example.fr/api").is_ok());
        assert!(check_url("http://127.0.0.1:12113").is_ok());
        assert!(check_url("http://localhost:8080").is_ok());
        assert!(check_url("http://[::1]:8080").is_ok());
        for bad in [
            "http://pa.example.fr",
            "ftp://127.0.0.1",
            "pa.example.fr",
            "",
        ] {
            assert!(
                matches!(check_url(bad), Err(PaError::BadUrl { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let config = Config::new("https://x", Auth::Bearer(Secret::new("t")));
        assert_eq!(config.backoff(0), Duration::from_millis(500));
        assert_eq!(config.backoff(1), Duration::from_secs(1));
        assert_eq!(config.backoff(5), Duration::from_secs(8));
        assert_eq!(config.backoff(40), Duration::from_secs(8));
    }

    #[test]
    fn a_refusal_keeps_the_platform_s_code_and_message() {
        let body = br#"{"errorCode":"INVALID_FIELD_VALUE","errorMessage":"flowInfo does not follow the specification","details":"sha256"}"#;
        let e = refusal(StatusCode::BAD_REQUEST, body, "the invoice F-1", 1);
        assert_eq!(e.code(), Some("INVALID_FIELD_VALUE"));
        assert_eq!(
            e.to_string(),
            "the platform refused the invoice F-1 (400 INVALID_FIELD_VALUE): flowInfo does not follow the specification: sha256"
        );
        assert!(matches!(
            refusal(StatusCode::UNAUTHORIZED, b"", "x", 1),
            PaError::Credentials { .. }
        ));
        assert!(matches!(
            refusal(StatusCode::SERVICE_UNAVAILABLE, b"", "x", 4),
            PaError::Unavailable { attempts: 4, .. }
        ));
    }
}
