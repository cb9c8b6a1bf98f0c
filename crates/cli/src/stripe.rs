//! `acquit stripe connect|status|disconnect`: the Stripe API key.
//!
//! The key is read from stdin (never an argument: it would stay in the
//! shell's history and the process list), checked with `GET /v1/account`,
//! and kept in the OS keychain (`acquit-secrets`). The database records only
//! what is not secret, in the setting [`CONNECTION_SETTING`]: the account id
//! and name, test or live mode, and the key's mask (`sk_test_…4242`).
//! `ACQUIT_STRIPE_KEY`, when set, is used instead of the keychain and is
//! never written anywhere.
//!
//! The key never reaches stdout, stderr or the database: only
//! [`acquit_stripe::SecretKey::hint`] is shown, and the errors of both
//! `acquit-stripe` and `acquit-secrets` carry no key.
//!
//! Later commands that talk to Stripe (`link create`, `sync`) build their
//! client with [`client_from_env_or_keychain`].

use std::path::Path;

use acquit_secrets::{Keychain, KeychainError, STRIPE_KEY_ENV};
use acquit_store::Store;
use acquit_stripe::{Client, DEFAULT_API_BASE, SecretKey, StripeError};
use acquit_sync::config;
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::{CliError, open, print, to_json};

/// The setting that records the connected account (JSON, see
/// [`Connection`]); empty once disconnected.
pub use acquit_sync::config::CONNECTION_SETTING;
/// What the database records about the connection: nothing secret.
pub use acquit_sync::config::Connection;

#[derive(Debug, Args)]
pub struct StripeArgs {
    /// The Stripe API's address (the fake's, in tests and the demo)
    #[arg(
        long,
        global = true,
        env = "ACQUIT_STRIPE_API_BASE",
        value_name = "URL",
        default_value = DEFAULT_API_BASE
    )]
    stripe_api_base: String,

    #[command(subcommand)]
    command: StripeCommand,
}

#[derive(Debug, Subcommand)]
pub enum StripeCommand {
    /// Connect your Stripe account: paste the secret key (sk_…) or
    /// restricted key (rk_…) on stdin; it is checked with Stripe, then kept
    /// in the OS keychain (never in the database)
    #[command(
        after_help = "Examples:\n  acquit stripe connect            (then paste the key and press Enter)\n  acquit stripe connect < key.txt"
    )]
    Connect {
        /// Refused: pass the key on stdin, not as an argument
        #[arg(hide = true, value_name = "KEY")]
        key: Option<String>,
        /// Refused: pass the key on stdin, not as an argument
        #[arg(long = "key", hide = true, value_name = "KEY")]
        key_flag: Option<String>,
    },
    /// Show the connected account, the key's mask, and whether the keychain
    /// can be reached
    Status {
        /// Also ask Stripe whether it still accepts the key
        #[arg(long)]
        check: bool,
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
    /// Remove the key from the keychain and forget the account (your
    /// invoices are not touched); does nothing if not connected
    Disconnect,
}

pub fn run(args: StripeArgs, path: &Path) -> Result<String, CliError> {
    let api_base = args.stripe_api_base;
    match args.command {
        StripeCommand::Connect { key, key_flag } => {
            if key.is_some() || key_flag.is_some() {
                return Err(CliError::rejected(
                    "do not give the key as an argument (it would stay in your shell history and be visible to other programs): run `acquit stripe connect` and paste the key, or `acquit stripe connect < key.txt`",
                ));
            }
            connect(&api_base, path)
        }
        StripeCommand::Status { check, json } => status(&api_base, path, check, json),
        StripeCommand::Disconnect => disconnect(path),
    }
}

/// The key the user pasted on stdin, checked for its shape.
fn read_key_from_stdin() -> Result<SecretKey, CliError> {
    let text = crate::stdin::secret_line(
        "Paste your Stripe secret key (sk_…) or restricted key (rk_…) from the Stripe Dashboard, Developers → API keys, then press Enter:",
        "the key (sk_… or rk_…)",
        "no key on stdin: run `acquit stripe connect` and paste your secret key (sk_…) or restricted key (rk_…), or `acquit stripe connect < key.txt`",
    )?;
    SecretKey::parse(&text).map_err(CliError::rejected)
}

/// A client for `key` against `api_base`.
fn client(key: SecretKey, api_base: &str) -> Result<Client, CliError> {
    config::stripe_client_for(key, api_base).map_err(crate::online::config_error)
}

/// Stripe's errors: a key Stripe refuses is the user's input (exit 1);
/// the network and Stripe's own failures are outside (exit 3).
fn stripe_error(error: StripeError) -> CliError {
    match error {
        StripeError::InvalidKey { .. } | StripeError::PermissionDenied { .. } => {
            CliError::Rejected(error.to_string())
        }
        error => CliError::Outside(error.to_string()),
    }
}

fn keychain_error(error: KeychainError) -> CliError {
    CliError::Outside(error.to_string())
}

/// Runs one request to Stripe on a small runtime of its own.
pub(crate) fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Outside(format!("could not start the network runtime: {e}")))?;
    Ok(runtime.block_on(future))
}

fn connect(api_base: &str, path: &Path) -> Result<String, CliError> {
    let key = read_key_from_stdin()?;
    let client = client(key.clone(), api_base)?;
    // The keychain first: no point asking Stripe if the key cannot be kept.
    let keychain = Keychain::open().map_err(keychain_error)?;
    let check = block_on(client.retrieve_account())?.map_err(stripe_error)?;
    let mut store = open(path)?;
    let connection = config::record_stripe_connection(&mut store, &keychain, &key, &check)
        .map_err(crate::online::config_error)?;
    Ok(format!(
        "Connected to {} ({} mode) with {}\n",
        connection.account_name, connection.mode, connection.key_hint
    ))
}

#[derive(Debug, Serialize)]
struct StatusReport {
    connected: bool,
    account: Option<AccountReport>,
    /// The mask of the key in use (`sk_test_…4242`).
    key_hint: Option<String>,
    /// `environment` (ACQUIT_STRIPE_KEY), `keychain`, or null: no key.
    key_source: Option<&'static str>,
    keychain: KeychainReport,
    check: Option<CheckReport>,
}

#[derive(Debug, Serialize)]
struct AccountReport {
    id: String,
    name: String,
    mode: String,
    connected_at: String,
}

#[derive(Debug, Serialize)]
struct KeychainReport {
    available: bool,
    /// `no-session-bus`, `no-secret-service`, `locked`, `other`.
    error: Option<&'static str>,
    message: Option<String>,
    /// Whether the connected account's key is in the keychain (null when
    /// unknown: not connected, or the keychain cannot be reached).
    has_key: Option<bool>,
}

#[derive(Debug, Serialize)]
struct CheckReport {
    ok: bool,
    account_id: Option<String>,
    account_name: Option<String>,
    error: Option<String>,
}

fn status(api_base: &str, path: &Path, check: bool, json: bool) -> Result<String, CliError> {
    let store = open(path)?;
    let connection = Connection::load(&store).map_err(crate::online::config_error)?;
    drop(store);
    let env_key = match acquit_secrets::stripe_key_from_env() {
        Some(secret) => Some(
            SecretKey::parse(secret.expose())
                .map_err(|e| CliError::rejected(format!("{STRIPE_KEY_ENV} is set but {e}")))?,
        ),
        None => None,
    };

    let mut keychain_failure = None;
    let (keychain, keychain_report) = match Keychain::open() {
        Ok(keychain) => {
            let has_key = match &connection {
                Some(c) => Some(
                    keychain
                        .stripe_key(&c.account_id)
                        .map_err(keychain_error)?
                        .is_some(),
                ),
                None => None,
            };
            let report = KeychainReport {
                available: true,
                error: None,
                message: None,
                has_key,
            };
            (Some(keychain), report)
        }
        Err(e) => {
            let report = KeychainReport {
                available: false,
                error: Some(e.kind()),
                message: Some(e.to_string()),
                has_key: None,
            };
            keychain_failure = Some(e);
            (None, report)
        }
    };

    // The key in use: the environment's, else the keychain's.
    let (key, key_source) = match (&env_key, &connection, &keychain) {
        (Some(key), _, _) => (Some(key.clone()), Some("environment")),
        (None, Some(c), Some(keychain)) => match keychain.stripe_key(&c.account_id) {
            Ok(Some(secret)) => match SecretKey::parse(secret.expose()) {
                Ok(key) => (Some(key), Some("keychain")),
                Err(_) => (None, None),
            },
            _ => (None, None),
        },
        _ => (None, None),
    };

    let mut check_failure = None;
    let check_report = if check {
        Some(match &key {
            None => CheckReport {
                ok: false,
                account_id: None,
                account_name: None,
                error: Some("no key to check".to_owned()),
            },
            Some(key) => {
                let client = client(key.clone(), api_base)?;
                match block_on(client.retrieve_account())? {
                    Ok(found) => CheckReport {
                        ok: true,
                        account_id: Some(found.account.id.clone()),
                        account_name: Some(found.account.display_name().to_owned()),
                        error: None,
                    },
                    Err(e) => {
                        let report = CheckReport {
                            ok: false,
                            account_id: None,
                            account_name: None,
                            error: Some(e.to_string()),
                        };
                        check_failure = Some(stripe_error(e));
                        report
                    }
                }
            }
        })
    } else {
        None
    };

    let report = StatusReport {
        connected: connection.is_some() || env_key.is_some(),
        account: connection.as_ref().map(|c| AccountReport {
            id: c.account_id.clone(),
            name: c.account_name.clone(),
            mode: c.mode.clone(),
            connected_at: c.connected_at.clone(),
        }),
        key_hint: key.as_ref().map(SecretKey::hint),
        key_source,
        keychain: keychain_report,
        check: check_report,
    };
    let output = if json {
        to_json(&report)
    } else {
        human_status(&report, connection.as_ref())
    };

    // What the user must act on: exit non-zero after printing the report.
    let failure = if let Some(failure) = check_failure {
        Some(failure)
    } else if check && key.is_none() {
        Some(CliError::rejected(
            "there is no key to check: run `acquit stripe connect` (paste your key on stdin), or set ACQUIT_STRIPE_KEY",
        ))
    } else if let (Some(c), None) = (&connection, &env_key) {
        match keychain_failure {
            // The connection cannot be used without the keychain.
            Some(failure) => Some(keychain_error(failure)),
            None if key.is_none() => Some(CliError::rejected(format!(
                "the Stripe key of {} ({}) is no longer in the keychain: run `acquit stripe connect` again",
                c.account_name, c.account_id
            ))),
            None => None,
        }
    } else {
        None
    };
    match failure {
        None => Ok(output),
        Some(failure) => {
            print(&output)?;
            Err(failure)
        }
    }
}

fn human_status(report: &StatusReport, connection: Option<&Connection>) -> String {
    let mut out = String::new();
    match (connection, report.key_source) {
        (Some(c), _) => out.push_str(&format!(
            "Stripe:   connected to {} ({}), {} mode\n",
            c.account_name, c.account_id, c.mode
        )),
        (None, Some("environment")) => {
            out.push_str("Stripe:   no account connected; using the key of ACQUIT_STRIPE_KEY\n")
        }
        (None, _) => out.push_str(
            "Stripe:   not connected (connect with `acquit stripe connect`, key on stdin)\n",
        ),
    }
    match (&report.key_hint, report.key_source) {
        (Some(hint), Some("environment")) => out.push_str(&format!(
            "Key:      {hint}, from ACQUIT_STRIPE_KEY (overrides the keychain)\n"
        )),
        (Some(hint), _) => out.push_str(&format!("Key:      {hint}, in the keychain\n")),
        (None, _) if connection.is_some() => out.push_str(&format!(
            "Key:      {} is missing from the keychain: run `acquit stripe connect` again\n",
            connection.map(|c| c.key_hint.as_str()).unwrap_or_default()
        )),
        (None, _) => {}
    }
    match &report.keychain.message {
        None => out.push_str("Keychain: available\n"),
        Some(message) => out.push_str(&format!("Keychain: unavailable: {message}\n")),
    }
    if let Some(check) = &report.check {
        match (&check.error, &check.account_name) {
            (None, Some(name)) => out.push_str(&format!(
                "Check:    Stripe accepts the key ({name}, {})\n",
                check.account_id.as_deref().unwrap_or_default()
            )),
            (Some(error), _) => out.push_str(&format!("Check:    failed: {error}\n")),
            _ => {}
        }
    }
    out
}

fn disconnect(path: &Path) -> Result<String, CliError> {
    let mut store = open(path)?;
    let note = if acquit_secrets::stripe_key_from_env().is_some() {
        "\nNote: ACQUIT_STRIPE_KEY is still set in your environment, and is still used; unset it too.\n"
    } else {
        ""
    };
    let Some(connection) =
        config::disconnect_stripe(&mut store).map_err(crate::online::config_error)?
    else {
        return Ok(format!("Not connected to Stripe: nothing to do.\n{note}"));
    };
    Ok(format!(
        "Disconnected from {} ({}): the key {} was removed from the keychain. Your invoices are unchanged.\n{note}",
        connection.account_name, connection.account_id, connection.key_hint
    ))
}

/// The Stripe client for commands that talk to Stripe (`link create`,
/// `sync`): the key of `ACQUIT_STRIPE_KEY` when set, else the connected
/// account's key from the keychain. Errors say what to do: not connected
/// or a malformed `ACQUIT_STRIPE_KEY` (exit 1), the keychain cannot be
/// reached (exit 3).
pub fn client_from_env_or_keychain(store: &Store, api_base: &str) -> Result<Client, CliError> {
    config::stripe_client_from_env_or_keychain(store, api_base).map_err(crate::online::config_error)
}
