//! What the commands that talk to Stripe or the relay share: the runtime,
//! the clients built from the keychain and the settings, and how their
//! failures map to exit codes.

use std::future::Future;

use acquit_store::Store;
use acquit_stripe::Client;
use acquit_sync::links::LinkError;
use acquit_sync::relay::{PullToken, RelayClient, RelayConfig, RelayError};

use crate::CliError;

/// Settings keys of the relay (the token is in the keychain, never here).
pub use acquit_sync::relay::{RELAY_INBOX_SETTING as RELAY_INBOX, RELAY_URL_SETTING as RELAY_URL};

/// Environment override of the relay token, for scripts (like
/// `ACQUIT_STRIPE_KEY`): used, never written anywhere.
pub const RELAY_TOKEN_ENV: &str = "ACQUIT_RELAY_TOKEN";

/// Which clients a command cannot do without.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Stripe,
    /// Whatever is configured (sync: at least one).
    Any,
}

/// The clients and the runtime they run on.
pub struct Online {
    runtime: tokio::runtime::Runtime,
    pub stripe: Option<Client>,
    pub relay: Option<RelayClient>,
}

impl Online {
    pub fn connect(store: &Store, need: Need) -> Result<Online, CliError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CliError::Outside(format!("could not start the network runtime: {e}")))?;
        let stripe = stripe_client(store)?;
        if need == Need::Stripe && stripe.is_none() {
            return Err(CliError::rejected(
                "Stripe is not connected: run `acquit stripe connect` (the key on stdin), or set ACQUIT_STRIPE_KEY",
            ));
        }
        let relay = relay_client(store)?;
        Ok(Online {
            runtime,
            stripe,
            relay,
        })
    }

    /// Stripe if connected, no relay: for setting the relay up.
    pub fn connect_without_relay(store: &Store) -> Result<Online, CliError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CliError::Outside(format!("could not start the network runtime: {e}")))?;
        Ok(Online {
            runtime,
            stripe: stripe_client(store)?,
            relay: None,
        })
    }

    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

/// The Stripe client when Stripe is connected (or `ACQUIT_STRIPE_KEY` is
/// set), at `ACQUIT_STRIPE_API_BASE` (default Stripe's API).
pub fn stripe_client(store: &Store) -> Result<Option<Client>, CliError> {
    let connected = acquit_secrets::stripe_key_from_env().is_some()
        || crate::stripe::Connection::load(store)?.is_some();
    if !connected {
        return Ok(None);
    }
    let base = std::env::var(acquit_stripe::API_BASE_ENV)
        .ok()
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| acquit_stripe::DEFAULT_API_BASE.to_owned());
    crate::stripe::client_from_env_or_keychain(store, &base).map(Some)
}

/// The keychain entry of a relay inbox's pull token.
fn relay_token_user(inbox: &str) -> String {
    format!("relay-token:{inbox}")
}

/// The pull token of `inbox`, from the keychain.
pub fn relay_token(inbox: &str) -> Result<Option<String>, CliError> {
    let keychain =
        acquit_secrets::Keychain::open().map_err(|e| CliError::Outside(e.to_string()))?;
    Ok(keychain
        .get(&relay_token_user(inbox))
        .map_err(|e| CliError::Outside(e.to_string()))?
        .map(|s| s.expose().to_owned()))
}

/// Keeps the pull token of `inbox` in the keychain.
pub fn set_relay_token(inbox: &str, token: &str) -> Result<(), CliError> {
    let keychain =
        acquit_secrets::Keychain::open().map_err(|e| CliError::Outside(e.to_string()))?;
    keychain
        .set(
            &relay_token_user(inbox),
            &format!("Acquit relay token ({inbox})"),
            &acquit_secrets::Secret::new(token),
        )
        .map_err(|e| CliError::Outside(e.to_string()))
}

/// The relay's base URL, when one is set.
pub fn relay_base(store: &Store) -> Result<Option<String>, CliError> {
    Ok(store.setting(RELAY_URL)?)
}

/// The relay client, when a relay is set and its token is available.
pub fn relay_client(store: &Store) -> Result<Option<RelayClient>, CliError> {
    let (Some(url), Some(inbox)) = (store.setting(RELAY_URL)?, store.setting(RELAY_INBOX)?) else {
        return Ok(None);
    };
    let token = match std::env::var(RELAY_TOKEN_ENV) {
        Ok(token) if !token.trim().is_empty() => token,
        _ => match relay_token(&inbox)? {
            Some(token) => token,
            None => {
                return Err(CliError::rejected(format!(
                    "the token of relay inbox {inbox} is not in the keychain: run `acquit relay set --url {url} --inbox {inbox}` with the token on stdin"
                )));
            }
        },
    };
    let token = PullToken::new(&token).map_err(CliError::rejected)?;
    let config = RelayConfig::new(&url, &inbox, token).map_err(relay_error)?;
    Ok(Some(RelayClient::new(config).map_err(relay_error)?))
}

/// A relay failure: bad settings are the user's to fix (1), the rest is
/// outside (3).
pub fn relay_error(error: RelayError) -> CliError {
    match error {
        RelayError::BadToken
        | RelayError::BadUrl(_)
        | RelayError::BadInbox(_)
        | RelayError::Unauthorized { .. }
        | RelayError::UnknownInbox { .. } => CliError::rejected(error),
        other => CliError::Outside(other.to_string()),
    }
}

/// A Stripe failure: network, Stripe itself and keys are outside (3).
pub fn stripe_error(error: acquit_stripe::StripeError) -> CliError {
    CliError::Outside(error.to_string())
}

pub fn link_error(error: LinkError) -> CliError {
    match error {
        LinkError::Store(e) => CliError::Store(e),
        LinkError::UnknownLink(_) | LinkError::NotOpen { .. } => CliError::rejected(error),
        LinkError::Refused(_) | LinkError::Unfinished(_) => CliError::Outside(error.to_string()),
    }
}
