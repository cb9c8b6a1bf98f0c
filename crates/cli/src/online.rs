//! What the commands that talk to Stripe or the relay share: the runtime,
//! the clients built from the keychain and the settings, and how their
//! failures map to exit codes.

use std::future::Future;

use acquit_store::Store;
use acquit_stripe::Client;
use acquit_sync::config::{self, ConfigError};
use acquit_sync::links::LinkError;
use acquit_sync::relay::{RelayClient, RelayError};

use crate::CliError;

/// Settings keys of the relay (the token is in the keychain, never here).
pub use acquit_sync::relay::{RELAY_INBOX_SETTING as RELAY_INBOX, RELAY_URL_SETTING as RELAY_URL};

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
    config::stripe_client(store).map_err(config_error)
}

/// The relay client, when a relay is set and its token is available.
pub fn relay_client(store: &Store) -> Result<Option<RelayClient>, CliError> {
    config::relay_client(store).map_err(config_error)
}

/// A configuration failure: what the user can fix exits 1, the rest
/// (keychain, network, Stripe) is outside (3).
pub fn config_error(error: ConfigError) -> CliError {
    match error {
        ConfigError::Store(e) => CliError::Store(e),
        e if e.is_user_fixable() => CliError::rejected(e),
        e => CliError::Outside(e.to_string()),
    }
}

/// A relay failure: bad settings are the user's to fix (1), the rest is
/// outside (3).
pub fn relay_error(error: RelayError) -> CliError {
    if config::relay_error_is_user_fixable(&error) {
        CliError::rejected(error)
    } else {
        CliError::Outside(error.to_string())
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
