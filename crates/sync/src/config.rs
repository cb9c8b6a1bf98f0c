//! Where the online side's configuration lives, for the CLI and the app
//! alike: the Stripe connection record (setting [`CONNECTION_SETTING`],
//! nothing secret), the Stripe key (`ACQUIT_STRIPE_KEY`, else the OS
//! keychain), the relay (settings `relay.url` / `relay.inbox`, its pull
//! token in `ACQUIT_RELAY_TOKEN`, else the keychain).
//!
//! Every error says what to do and carries no secret.

use acquit_secrets::{Keychain, KeychainError, STRIPE_KEY_ENV, Secret};
use acquit_store::{Store, StoreError};
use acquit_stripe::{Client, Config, KeyCheck, KeyKind, Mode, SecretKey, StripeError};
use serde::{Deserialize, Serialize};

/// Re-exported for the app, which reaches the keychain and keys only
/// through this module.
pub use acquit_secrets::{Keychain as OsKeychain, stripe_key_user};
pub use acquit_stripe::{Mode as StripeMode, SecretKey as StripeKey};

use crate::relay::{
    AdminToken, PullToken, RELAY_INBOX_SETTING, RELAY_URL_SETTING, RelayClient, RelayConfig,
    RelayError,
};

/// The setting that records the connected account (JSON, see
/// [`Connection`]); empty once disconnected.
pub const CONNECTION_SETTING: &str = "stripe.connection";

/// Environment override of the relay token, for scripts (like
/// `ACQUIT_STRIPE_KEY`): used, never written anywhere.
pub const RELAY_TOKEN_ENV: &str = "ACQUIT_RELAY_TOKEN";

/// Why the online configuration cannot be read or used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The keychain cannot be reached (its message says what to do).
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error(
        "the Stripe connection recorded in the database is unreadable ({0}): run `acquit stripe connect` again"
    )]
    Unreadable(String),
    #[error(
        "Acquit is not connected to Stripe: run `acquit stripe connect` and paste your secret key (sk_…), or set ACQUIT_STRIPE_KEY"
    )]
    NotConnected,
    #[error("{STRIPE_KEY_ENV} is set but {0}")]
    BadEnvKey(String),
    /// A key typed by the user has the wrong shape.
    #[error("{0}")]
    BadKey(String),
    #[error(
        "the Stripe key of {account_name} ({account_id}) is no longer in the keychain: run `acquit stripe connect` again"
    )]
    KeyMissing {
        account_name: String,
        account_id: String,
    },
    #[error(
        "the keychain holds something that is not a Stripe key for Acquit: run `acquit stripe connect` again"
    )]
    KeychainNotAKey,
    #[error("{0}: fix --stripe-api-base or ACQUIT_STRIPE_API_BASE")]
    BadApiBase(String),
    #[error(
        "the token of relay inbox {inbox} is not in the keychain: run `acquit relay set --url {url} --inbox {inbox}` with the token on stdin"
    )]
    RelayTokenMissing { url: String, inbox: String },
    #[error(transparent)]
    Relay(#[from] RelayError),
    #[error(transparent)]
    Stripe(#[from] StripeError),
}

impl ConfigError {
    /// Input or configuration the user can fix (exit 1 in the CLI), rather
    /// than a failure outside (keychain, network, Stripe itself).
    pub fn is_user_fixable(&self) -> bool {
        match self {
            ConfigError::NotConnected
            | ConfigError::BadEnvKey(_)
            | ConfigError::BadKey(_)
            | ConfigError::KeyMissing { .. }
            | ConfigError::KeychainNotAKey
            | ConfigError::BadApiBase(_)
            | ConfigError::RelayTokenMissing { .. } => true,
            ConfigError::Relay(e) => relay_error_is_user_fixable(e),
            ConfigError::Stripe(e) => matches!(
                e,
                StripeError::InvalidKey { .. } | StripeError::PermissionDenied { .. }
            ),
            ConfigError::Store(_) | ConfigError::Keychain(_) | ConfigError::Unreadable(_) => false,
        }
    }
}

/// Bad relay settings are the user's to fix; the rest is outside.
pub fn relay_error_is_user_fixable(error: &RelayError) -> bool {
    matches!(
        error,
        RelayError::BadToken
            | RelayError::BadUrl(_)
            | RelayError::BadInbox(_)
            | RelayError::BadAdminToken
            | RelayError::InsecureUrl(_)
            | RelayError::AdminRequired { .. }
            | RelayError::Unauthorized { .. }
            | RelayError::UnknownInbox { .. }
    )
}

/// What the database records about the Stripe connection: nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub account_id: String,
    pub account_name: String,
    /// `test` or `live`.
    pub mode: String,
    /// `secret` or `restricted`.
    pub key_kind: String,
    /// The key's mask, `sk_test_…4242`.
    pub key_hint: String,
    /// RFC 3339.
    pub connected_at: String,
}

impl Connection {
    /// The connection recorded in `store`, if any.
    pub fn load(store: &Store) -> Result<Option<Connection>, ConfigError> {
        match store.setting(CONNECTION_SETTING)? {
            Some(text) if !text.trim().is_empty() => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| ConfigError::Unreadable(e.to_string())),
            _ => Ok(None),
        }
    }

    /// Whether the account is in test mode (the UI's banner).
    pub fn is_test(&self) -> bool {
        self.mode == "test"
    }
}

pub fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Test => "test",
        Mode::Live => "live",
    }
}

/// The Stripe API's address: `ACQUIT_STRIPE_API_BASE`, else Stripe's.
pub fn stripe_api_base() -> String {
    std::env::var(acquit_stripe::API_BASE_ENV)
        .ok()
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| acquit_stripe::DEFAULT_API_BASE.to_owned())
}

/// A client for `key` against `api_base`.
pub fn stripe_client_for(key: SecretKey, api_base: &str) -> Result<Client, ConfigError> {
    let mut config = Config::new(key);
    config.api_base = api_base.trim().to_owned();
    Client::new(config).map_err(|e| match e {
        StripeError::BadBaseUrl { .. } => ConfigError::BadApiBase(e.to_string()),
        e => ConfigError::Stripe(e),
    })
}

/// The key of `ACQUIT_STRIPE_KEY`, when set (checked for its shape).
pub fn stripe_key_from_env() -> Result<Option<SecretKey>, ConfigError> {
    match acquit_secrets::stripe_key_from_env() {
        Some(secret) => SecretKey::parse(secret.expose())
            .map(Some)
            .map_err(|e| ConfigError::BadEnvKey(e.to_string())),
        None => Ok(None),
    }
}

/// The Stripe client for commands that talk to Stripe: the key of
/// `ACQUIT_STRIPE_KEY` when set, else the connected account's key from the
/// keychain.
pub fn stripe_client_from_env_or_keychain(
    store: &Store,
    api_base: &str,
) -> Result<Client, ConfigError> {
    if let Some(key) = stripe_key_from_env()? {
        return stripe_client_for(key, api_base);
    }
    let Some(connection) = Connection::load(store)? else {
        return Err(ConfigError::NotConnected);
    };
    let keychain = Keychain::open()?;
    let Some(secret) = keychain.stripe_key(&connection.account_id)? else {
        return Err(ConfigError::KeyMissing {
            account_name: connection.account_name,
            account_id: connection.account_id,
        });
    };
    let key = SecretKey::parse(secret.expose()).map_err(|_| ConfigError::KeychainNotAKey)?;
    stripe_client_for(key, api_base)
}

/// The Stripe client when Stripe is connected (or `ACQUIT_STRIPE_KEY` is
/// set), at [`stripe_api_base`]; None when not connected.
pub fn stripe_client(store: &Store) -> Result<Option<Client>, ConfigError> {
    let connected =
        acquit_secrets::stripe_key_from_env().is_some() || Connection::load(store)?.is_some();
    if !connected {
        return Ok(None);
    }
    stripe_client_from_env_or_keychain(store, &stripe_api_base()).map(Some)
}

/// A key typed by the user (`sk_…`, `rk_…`), checked for its shape.
pub fn parse_stripe_key(text: &str) -> Result<SecretKey, ConfigError> {
    SecretKey::parse(text.trim()).map_err(|e| ConfigError::BadKey(e.to_string()))
}

/// Checks `key` with Stripe (`GET /v1/account`): the first half of
/// connecting, done without the database.
pub async fn check_stripe_key(key: &SecretKey, api_base: &str) -> Result<KeyCheck, ConfigError> {
    let client = stripe_client_for(key.clone(), api_base)?;
    Ok(client.retrieve_account().await?)
}

/// The second half of connecting: keeps `key` in `keychain` and records the
/// checked account in `store`; the key of another account connected before
/// is removed from the keychain.
pub fn record_stripe_connection(
    store: &mut Store,
    keychain: &Keychain,
    key: &SecretKey,
    check: &KeyCheck,
) -> Result<Connection, ConfigError> {
    let previous = Connection::load(store).ok().flatten();
    let account = &check.account;
    keychain.set_stripe_key(&account.id, &Secret::new(key.expose_secret()))?;
    let connection = Connection {
        account_id: account.id.clone(),
        account_name: account.display_name().to_owned(),
        mode: mode_name(check.mode).to_owned(),
        key_kind: match key.kind() {
            KeyKind::Secret => "secret",
            KeyKind::Restricted => "restricted",
        }
        .to_owned(),
        key_hint: key.hint(),
        connected_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let recorded = serde_json::to_string(&connection).expect("a connection serializes");
    if let Err(e) = store.set_setting(CONNECTION_SETTING, &recorded) {
        // Leave nothing behind that the database does not know about.
        let _ = keychain.delete_stripe_key(&account.id);
        return Err(e.into());
    }
    // Another account was connected: its key is no longer used.
    if let Some(previous) = previous
        && previous.account_id != connection.account_id
    {
        let _ = keychain.delete_stripe_key(&previous.account_id);
    }
    Ok(connection)
}

/// Removes the connected account's key from the keychain and forgets the
/// account; returns what was connected (None: nothing to do).
pub fn disconnect_stripe(store: &mut Store) -> Result<Option<Connection>, ConfigError> {
    let Some(connection) = Connection::load(store)? else {
        return Ok(None);
    };
    let keychain = Keychain::open()?;
    keychain.delete_stripe_key(&connection.account_id)?;
    store.set_setting(CONNECTION_SETTING, "")?;
    Ok(Some(connection))
}

/// The keychain entry of a relay inbox's pull token.
fn relay_token_user(inbox: &str) -> String {
    format!("relay-token:{inbox}")
}

/// The pull token of `inbox`, from the keychain.
pub fn relay_token(inbox: &str) -> Result<Option<String>, ConfigError> {
    let keychain = Keychain::open()?;
    Ok(keychain
        .get(&relay_token_user(inbox))?
        .map(|s| s.expose().to_owned()))
}

/// Keeps the pull token of `inbox` in the keychain.
pub fn set_relay_token(inbox: &str, token: &str) -> Result<(), ConfigError> {
    let keychain = Keychain::open()?;
    keychain.set(
        &relay_token_user(inbox),
        &format!("Acquit relay token ({inbox})"),
        &Secret::new(token),
    )?;
    Ok(())
}

/// The keychain entry of a relay inbox's admin credential.
fn relay_admin_user(inbox: &str) -> String {
    format!("relay-admin:{inbox}")
}

/// The admin credential of `inbox`, from the keychain, if it was given.
fn relay_admin_token(inbox: &str) -> Result<Option<AdminToken>, ConfigError> {
    let keychain = Keychain::open()?;
    match keychain.get(&relay_admin_user(inbox))? {
        Some(secret) => Ok(Some(AdminToken::new(secret.expose())?)),
        None => Ok(None),
    }
}

/// The relay's base URL and inbox, when both are set.
pub fn relay_settings(store: &Store) -> Result<Option<(String, String)>, ConfigError> {
    Ok(
        match (
            store.setting(RELAY_URL_SETTING)?,
            store.setting(RELAY_INBOX_SETTING)?,
        ) {
            (Some(url), Some(inbox)) if !url.is_empty() && !inbox.is_empty() => Some((url, inbox)),
            _ => None,
        },
    )
}

/// The relay client, when a relay is set; its token from
/// `ACQUIT_RELAY_TOKEN`, else the keychain.
pub fn relay_client(store: &Store) -> Result<Option<RelayClient>, ConfigError> {
    let Some((url, inbox)) = relay_settings(store)? else {
        return Ok(None);
    };
    let token = match std::env::var(RELAY_TOKEN_ENV) {
        Ok(token) if !token.trim().is_empty() => token,
        _ => match relay_token(&inbox)? {
            Some(token) => token,
            None => return Err(ConfigError::RelayTokenMissing { url, inbox }),
        },
    };
    let token = PullToken::new(&token)?;
    let config = RelayConfig::new(&url, &inbox, token)?;
    Ok(Some(RelayClient::new(config)?))
}

/// Hands the webhook secret to the relay: with the admin credential given,
/// else with the pull token, and when the relay wants the admin credential,
/// with the one kept in the keychain by an earlier setup (if any).
async fn hand_secret(
    relay: &RelayClient,
    secret: &str,
    admin: Option<&AdminToken>,
) -> Result<(), ConfigError> {
    match relay.set_webhook_secret(secret, admin).await {
        Err(RelayError::AdminRequired { inbox }) if admin.is_none() => {
            match relay_admin_token(&inbox) {
                Ok(Some(kept)) => Ok(relay.set_webhook_secret(secret, Some(&kept)).await?),
                _ => Err(RelayError::AdminRequired { inbox }.into()),
            }
        }
        other => Ok(other?),
    }
}

/// What [`setup_relay`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelaySetup {
    pub url: String,
    pub inbox: String,
    /// False when the token came from `ACQUIT_RELAY_TOKEN` (not stored).
    pub token_in_keychain: bool,
    /// The Stripe webhook endpoint created for the relay (`we_…`), when
    /// Stripe is connected; the relay then has its signing secret.
    pub webhook_endpoint: Option<String>,
    /// Where Stripe posts the events.
    pub webhook_url: String,
}

/// One-step relay setup, for `acquit relay set` and the app's settings:
/// checks the relay with the token and, when Stripe is connected, creates
/// the webhook endpoint for the inbox and hands its signing secret to the
/// relay; then keeps the token (and the inbox's `admin` credential, when
/// given) in the keychain, unless `ACQUIT_RELAY_TOKEN` holds it, and
/// records the relay in the settings.
///
/// Stripe shows an endpoint's secret only when it is created, so a new
/// endpoint is made each time. The relay takes the first secret with the
/// pull token; replacing it needs the admin credential (given now, or kept
/// from an earlier setup). The new endpoint is created first and the old
/// ones for the same URL deleted only once the relay has the new secret,
/// so a refusal leaves Stripe and the books as they were.
pub async fn setup_relay(
    store: &mut Store,
    url: &str,
    inbox: &str,
    token: &str,
    admin: Option<&str>,
    stripe: Option<&Client>,
) -> Result<RelaySetup, ConfigError> {
    let token = PullToken::new(token)?;
    let given_admin = admin
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(AdminToken::new)
        .transpose()?;
    let relay = RelayClient::new(RelayConfig::new(url, inbox, token.clone())?)?;
    relay.check().await?;
    let config = relay.config().clone();
    let webhook_url = config.webhook_url();
    let webhook_endpoint = match stripe {
        None => None,
        Some(stripe) => {
            let older: Vec<String> = stripe
                .list_webhook_endpoints()
                .await?
                .into_iter()
                .filter(|e| e.url == webhook_url)
                .map(|e| e.id)
                .collect();
            // A new key each time (retries of this request reuse it): a
            // deliberate re-setup within Stripe's 24 h idempotency window,
            // even in the same second, must create a new endpoint.
            let nonce = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
            let setup = format!("{}-{nonce}", config.inbox);
            let key = acquit_stripe::IdempotencyKey::for_webhook_endpoint_creation(&setup)
                .expect("an inbox id and digits make a valid key");
            let endpoint = stripe
                .create_webhook_endpoint(
                    &acquit_stripe::NewWebhookEndpoint::for_relay(&webhook_url),
                    &key,
                )
                .await?;
            let handed = match endpoint.secret.as_ref() {
                Some(secret) => hand_secret(&relay, secret.expose(), given_admin.as_ref()).await,
                None => Err(ConfigError::Stripe(StripeError::UnexpectedResponse {
                    status: 200,
                    reason: "the webhook endpoint came without its signing secret: try again"
                        .into(),
                })),
            };
            if let Err(error) = handed {
                // Best effort: the old endpoint still feeds the relay.
                let _ = stripe.delete_webhook_endpoint(&endpoint.id).await;
                return Err(error);
            }
            for id in older.iter().filter(|id| **id != endpoint.id) {
                stripe.delete_webhook_endpoint(id).await?;
            }
            Some(endpoint.id)
        }
    };
    // A token from the environment (scripts, the demo) is used, never
    // written anywhere; nor is the admin credential given with it.
    let from_env = std::env::var(RELAY_TOKEN_ENV).is_ok_and(|t| t.trim() == token.expose());
    if !from_env {
        set_relay_token(&config.inbox, token.expose())?;
        if let Some(admin) = &given_admin {
            Keychain::open()?.set(
                &relay_admin_user(&config.inbox),
                &format!("Acquit relay admin credential ({})", config.inbox),
                &Secret::new(admin.expose()),
            )?;
        }
    }
    let previous = store.setting(RELAY_INBOX_SETTING)?;
    store.set_setting(RELAY_URL_SETTING, &config.base)?;
    store.set_setting(RELAY_INBOX_SETTING, &config.inbox)?;
    if previous.as_deref() != Some(config.inbox.as_str()) {
        // Another inbox: its cursor means nothing here.
        store.set_setting(crate::engine::RELAY_CURSOR, "")?;
    }
    Ok(RelaySetup {
        url: config.base,
        inbox: config.inbox,
        token_in_keychain: !from_env,
        webhook_endpoint,
        webhook_url,
    })
}
