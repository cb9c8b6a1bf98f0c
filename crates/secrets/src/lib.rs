//! Custody of Acquit's secrets: the Stripe API key lives in the OS keychain
//! (or, for scripts and CI, in `ACQUIT_STRIPE_KEY`), never in the database,
//! a log, an error message or the UI.
//!
//! # Stores
//!
//! One real store per platform, chosen at compile time, through the
//! `keyring-core` family (the crates behind `keyring` 4):
//!
//! | OS | store crate | where the key goes |
//! |---|---|---|
//! | Linux | `zbus-secret-service-keyring-store` (pure Rust, zbus) | the Secret Service: GNOME Keyring, KWallet, KeePassXC |
//! | macOS | `apple-native-keyring-store` (`keychain`) | the login keychain |
//! | Windows | `windows-native-keyring-store` | the Credential Manager |
//!
//! There is deliberately no silent in-memory fallback (what `keyring` 3
//! does with its default features): if the keychain cannot be used,
//! [`Keychain::open`] says why, as a [`KeychainError`] whose message tells
//! the user what to do.
//!
//! # Entries
//!
//! Service [`SERVICE`] (`app.acquit.desktop`); the user name is
//! [`STRIPE_KEY_USER`] followed by `:` and the Stripe account id
//! (`stripe-secret-key:acct_1Abc…`), so that several Stripe accounts can be
//! connected one day; [`stripe_key_user`] spells it.
//!
//! # Masking
//!
//! Secrets travel as [`Secret`], whose `Debug` shows nothing of the value;
//! the text is reachable only through [`Secret::expose`]. The errors of
//! this crate never carry a secret: `keyring-core` errors that hold the
//! stored bytes (`BadEncoding`, `BadDataFormat`) are reduced to a sentence.
//!
//! This crate knows nothing of Stripe's key format: `acquit-stripe`'s
//! `SecretKey::parse` checks the shape, and is what talks to Stripe.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry, Error as KeyringError};

/// The keychain service name of every Acquit entry (the app's identifier).
pub const SERVICE: &str = "app.acquit.desktop";

/// The user name of the Stripe key's entry, before `:` and the account id.
pub const STRIPE_KEY_USER: &str = "stripe-secret-key";

/// The environment variable that, when set and not empty, is used instead
/// of the keychain (scripts, CI). It is read, never written.
pub const STRIPE_KEY_ENV: &str = "ACQUIT_STRIPE_KEY";

/// The keychain user name of the Stripe key of `account_id` (`acct_…`).
pub fn stripe_key_user(account_id: &str) -> String {
    format!("{STRIPE_KEY_USER}:{account_id}")
}

/// A secret text. `Debug` shows nothing of it, and there is no `Display`:
/// the value is reachable only through the loudly named [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself: for the keychain, an `Authorization` header, or a
    /// parser that wraps it in its own masked type.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…masked)")
    }
}

/// The Stripe key of `ACQUIT_STRIPE_KEY`, when that is set and not blank
/// (surrounding whitespace dropped).
pub fn stripe_key_from_env() -> Option<Secret> {
    let value = std::env::var(STRIPE_KEY_ENV).ok()?;
    let value = value.trim();
    (!value.is_empty()).then(|| Secret::new(value))
}

/// Why the keychain cannot be used. Each message says what to do; none
/// contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    /// Linux: no D-Bus session bus to reach the Secret Service on.
    #[error(
        "the keychain cannot be reached: there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set, or its bus is gone). Run Acquit from your desktop session; on a server or over SSH, start one with `dbus-run-session -- bash` and unlock a keyring in it (`printf PASSWORD | gnome-keyring-daemon --unlock --components=secrets`); or set {STRIPE_KEY_ENV} for scripts"
    )]
    NoSessionBus,
    /// Linux: a session bus, but nothing serves `org.freedesktop.secrets`.
    #[error(
        "no keychain answers on the D-Bus session bus (the Secret Service, org.freedesktop.secrets): install and start GNOME Keyring (Debian/Ubuntu: `sudo apt install gnome-keyring`), or enable the Secret Service integration of KeePassXC or KWallet; or set {STRIPE_KEY_ENV} for scripts"
    )]
    NoSecretService,
    /// The keychain (Linux: its default collection) is locked, or there is
    /// none yet, and no prompt could unlock it.
    #[error("{}", locked_message())]
    Locked,
    /// Anything else; the text is the platform's, with no secret in it.
    #[error("the keychain failed: {0}")]
    Other(String),
}

impl KeychainError {
    /// A short name for `--json` output and logs: `no-session-bus`,
    /// `no-secret-service`, `locked`, `other`.
    pub fn kind(&self) -> &'static str {
        match self {
            KeychainError::NoSessionBus => "no-session-bus",
            KeychainError::NoSecretService => "no-secret-service",
            KeychainError::Locked => "locked",
            KeychainError::Other(_) => "other",
        }
    }
}

fn locked_message() -> String {
    let what = if cfg!(target_os = "macos") {
        "the login keychain is locked: unlock it in Keychain Access (or log in again), then try again"
    } else if cfg!(target_os = "windows") {
        "the Windows Credential Manager refused access: log in to your Windows session, then try again"
    } else {
        "the keychain is locked, or has no default keyring yet: unlock it (log in to your desktop session, or open “Passwords and Keys” / Seahorse and unlock “Login”); on a server, unlock one with `printf PASSWORD | gnome-keyring-daemon --unlock --components=secrets` inside the D-Bus session"
    };
    format!("{what}; or set {STRIPE_KEY_ENV} for scripts")
}

/// The OS keychain, opened and checked.
#[derive(Clone)]
pub struct Keychain {
    store: Arc<CredentialStore>,
    /// Whether the store takes a `label` modifier (the Secret Service shows
    /// it in Seahorse; the mock refuses modifiers).
    labels: bool,
}

impl fmt::Debug for Keychain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keychain")
            .field("store", &self.store.vendor())
            .finish()
    }
}

impl Keychain {
    /// Opens the platform's keychain after [`probe`]: fails with what to do
    /// when it cannot be used (no session bus, no Secret Service, locked).
    pub fn open() -> Result<Keychain, KeychainError> {
        probe()?;
        platform::open()
    }

    /// An in-memory keychain, for tests of code that uses a [`Keychain`].
    /// Never use it in a program: what it holds is gone at exit.
    pub fn in_memory_for_tests() -> Keychain {
        let store: Arc<CredentialStore> =
            keyring_core::mock::Store::new().expect("the mock store always opens");
        Keychain {
            store,
            labels: false,
        }
    }

    /// A short description of the store (its vendor string).
    pub fn describe(&self) -> String {
        self.store.vendor()
    }

    fn entry(&self, user: &str, label: &str) -> Result<Entry, KeychainError> {
        let mut modifiers = HashMap::new();
        if self.labels {
            modifiers.insert("label", label);
        }
        self.store
            .build(SERVICE, user, Some(&modifiers))
            .map_err(classify)
    }

    /// The secret stored under `user`, if any.
    pub fn get(&self, user: &str) -> Result<Option<Secret>, KeychainError> {
        match self.entry(user, user)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    /// Stores `secret` under `user` (replacing any), with `label` for the
    /// keychain's own UI where it has one.
    pub fn set(&self, user: &str, label: &str, secret: &Secret) -> Result<(), KeychainError> {
        self.entry(user, label)?
            .set_password(secret.expose())
            .map_err(classify)
    }

    /// Removes the secret stored under `user`; `Ok(false)` if there was none.
    pub fn delete(&self, user: &str) -> Result<bool, KeychainError> {
        match self.entry(user, user)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(KeyringError::NoEntry) => Ok(false),
            Err(e) => Err(classify(e)),
        }
    }

    /// The Stripe key of `account_id`, if stored.
    pub fn stripe_key(&self, account_id: &str) -> Result<Option<Secret>, KeychainError> {
        self.get(&stripe_key_user(account_id))
    }

    /// Stores the Stripe key of `account_id`.
    pub fn set_stripe_key(&self, account_id: &str, key: &Secret) -> Result<(), KeychainError> {
        self.set(
            &stripe_key_user(account_id),
            &format!("Acquit: Stripe API key ({account_id})"),
            key,
        )
    }

    /// Removes the Stripe key of `account_id`; `Ok(false)` if there was none.
    pub fn delete_stripe_key(&self, account_id: &str) -> Result<bool, KeychainError> {
        self.delete(&stripe_key_user(account_id))
    }
}

/// Checks, without writing anything or showing a prompt, that the
/// platform's keychain can be used now. On Linux: a session bus, a Secret
/// Service on it, and an unlocked default collection.
pub fn probe() -> Result<(), KeychainError> {
    platform::probe()
}

/// A `keyring-core` error as a [`KeychainError`], with no secret in it.
fn classify(error: KeyringError) -> KeychainError {
    match error {
        KeyringError::NoStorageAccess(_) => KeychainError::Locked,
        KeyringError::PlatformFailure(inner) => platform::classify_failure(inner.as_ref()),
        // These two carry the stored bytes: never format them.
        KeyringError::BadEncoding(_) => {
            KeychainError::Other("the stored entry is not text; delete it and connect again".into())
        }
        KeyringError::BadDataFormat(_, _) => KeychainError::Other(
            "the stored entry is not in the expected format; delete it and connect again".into(),
        ),
        KeyringError::Ambiguous(entries) => KeychainError::Other(format!(
            "{} keychain entries match (service {SERVICE}); delete the extra ones in the keychain's app",
            entries.len()
        )),
        KeyringError::NoEntry => KeychainError::Other("no such entry".into()),
        KeyringError::BadStoreFormat(m) => KeychainError::Other(m),
        KeyringError::TooLong(what, limit) => KeychainError::Other(format!(
            "{what} is longer than the keychain's limit ({limit})"
        )),
        KeyringError::Invalid(what, why) => KeychainError::Other(format!("{what}: {why}")),
        KeyringError::NoDefaultStore => KeychainError::Other("no keychain store is set".into()),
        KeyringError::NotSupportedByStore(m) => KeychainError::Other(m),
        // `keyring_core::Error` is non-exhaustive.
        other => KeychainError::Other(other.to_string()),
    }
}

#[cfg(target_os = "linux")]
mod platform {
    use std::sync::Arc;

    use secret_service::EncryptionType;
    use secret_service::blocking::SecretService;

    use super::{Keychain, KeychainError};

    pub(super) fn open() -> Result<Keychain, KeychainError> {
        let store = zbus_secret_service_keyring_store::Store::new().map_err(super::classify)?;
        Ok(Keychain {
            store: store as Arc<keyring_core::CredentialStore>,
            labels: true,
        })
    }

    pub(super) fn probe() -> Result<(), KeychainError> {
        let connection = zbus::blocking::Connection::session()
            .map_err(|e| classify_zbus(&e).unwrap_or(KeychainError::NoSessionBus))?;
        let service = SecretService::connect_with_existing(EncryptionType::Dh, connection)
            .map_err(|e| classify_service(&e))?;
        let collection = service.get_default_collection().map_err(|e| match e {
            // No `default` alias: a keyring that was never created or unlocked.
            secret_service::Error::NoResult => KeychainError::Locked,
            e => classify_service(&e),
        })?;
        if collection.is_locked().map_err(|e| classify_service(&e))? {
            return Err(KeychainError::Locked);
        }
        Ok(())
    }

    pub(super) fn classify_failure(error: &(dyn std::error::Error + 'static)) -> KeychainError {
        if let Some(e) = error.downcast_ref::<secret_service::Error>() {
            return classify_service(e);
        }
        if let Some(e) = error.downcast_ref::<zbus::Error>()
            && let Some(k) = classify_zbus(e)
        {
            return k;
        }
        KeychainError::Other(error.to_string())
    }

    fn classify_service(error: &secret_service::Error) -> KeychainError {
        use secret_service::Error as E;
        match error {
            E::Locked | E::NoResult | E::Prompt | E::PromptDisconnected => KeychainError::Locked,
            E::Unavailable => {
                if zbus::blocking::Connection::session().is_err() {
                    KeychainError::NoSessionBus
                } else {
                    KeychainError::NoSecretService
                }
            }
            E::Zbus(e) => classify_zbus(e).unwrap_or_else(|| KeychainError::Other(e.to_string())),
            E::ZbusFdo(zbus::fdo::Error::ServiceUnknown(_)) => KeychainError::NoSecretService,
            e => KeychainError::Other(e.to_string()),
        }
    }

    fn classify_zbus(error: &zbus::Error) -> Option<KeychainError> {
        match error {
            zbus::Error::Address(_) | zbus::Error::InputOutput(_) | zbus::Error::Handshake(_) => {
                Some(KeychainError::NoSessionBus)
            }
            zbus::Error::FDO(e) if matches!(**e, zbus::fdo::Error::ServiceUnknown(_)) => {
                Some(KeychainError::NoSecretService)
            }
            zbus::Error::MethodError(name, _, _)
                if name.as_str() == "org.freedesktop.DBus.Error.ServiceUnknown"
                    || name.as_str() == "org.freedesktop.DBus.Error.NameHasNoOwner" =>
            {
                Some(KeychainError::NoSecretService)
            }
            _ => None,
        }
    }
}

#[cfg(target_os = "macos")]
mod platform {
    use std::sync::Arc;

    use super::{Keychain, KeychainError};

    pub(super) fn open() -> Result<Keychain, KeychainError> {
        let store = apple_native_keyring_store::keychain::Store::new().map_err(super::classify)?;
        Ok(Keychain {
            store: store as Arc<keyring_core::CredentialStore>,
            labels: false,
        })
    }

    /// Reads an entry that does not exist: fails only when the keychain
    /// cannot be used.
    pub(super) fn probe() -> Result<(), KeychainError> {
        open()?.get("probe").map(|_| ())
    }

    pub(super) fn classify_failure(error: &(dyn std::error::Error + 'static)) -> KeychainError {
        KeychainError::Other(error.to_string())
    }
}

#[cfg(target_os = "windows")]
mod platform {
    use std::sync::Arc;

    use super::{Keychain, KeychainError};

    pub(super) fn open() -> Result<Keychain, KeychainError> {
        let store = windows_native_keyring_store::Store::new().map_err(super::classify)?;
        Ok(Keychain {
            store: store as Arc<keyring_core::CredentialStore>,
            labels: false,
        })
    }

    /// Reads an entry that does not exist: fails only when the keychain
    /// cannot be used.
    pub(super) fn probe() -> Result<(), KeychainError> {
        open()?.get("probe").map(|_| ())
    }

    pub(super) fn classify_failure(error: &(dyn std::error::Error + 'static)) -> KeychainError {
        KeychainError::Other(error.to_string())
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
mod platform {
    use super::{Keychain, KeychainError};

    pub(super) fn open() -> Result<Keychain, KeychainError> {
        Err(unsupported())
    }

    pub(super) fn probe() -> Result<(), KeychainError> {
        Err(unsupported())
    }

    pub(super) fn classify_failure(error: &(dyn std::error::Error + 'static)) -> KeychainError {
        KeychainError::Other(error.to_string())
    }

    fn unsupported() -> KeychainError {
        KeychainError::Other(format!(
            "Acquit has no keychain support on this system: set {} instead",
            super::STRIPE_KEY_ENV
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk_test_secretsUnitTest00004242";

    #[test]
    fn secret_debug_shows_nothing() {
        let secret = Secret::new(KEY);
        let shown = format!("{secret:?} {:?} {secret:#?}", Some(&secret));
        assert!(!shown.contains("secretsUnitTest"), "{shown}");
        assert!(!shown.contains("4242"), "{shown}");
        assert_eq!(secret.expose(), KEY);
    }

    #[test]
    fn entry_names() {
        assert_eq!(SERVICE, "app.acquit.desktop");
        assert_eq!(stripe_key_user("acct_1Abc"), "stripe-secret-key:acct_1Abc");
    }

    #[test]
    fn set_get_delete_round_trip_in_memory() {
        let keychain = Keychain::in_memory_for_tests();
        assert_eq!(keychain.stripe_key("acct_1").unwrap(), None);
        keychain
            .set_stripe_key("acct_1", &Secret::new(KEY))
            .unwrap();
        assert_eq!(
            keychain.stripe_key("acct_1").unwrap().unwrap().expose(),
            KEY
        );
        // Scoped by account: another account has no key.
        assert_eq!(keychain.stripe_key("acct_2").unwrap(), None);
        // Replacing keeps one entry.
        keychain
            .set_stripe_key("acct_1", &Secret::new("sk_test_other"))
            .unwrap();
        assert_eq!(
            keychain.stripe_key("acct_1").unwrap().unwrap().expose(),
            "sk_test_other"
        );
        assert!(keychain.delete_stripe_key("acct_1").unwrap());
        assert!(!keychain.delete_stripe_key("acct_1").unwrap(), "idempotent");
        assert_eq!(keychain.stripe_key("acct_1").unwrap(), None);
    }

    #[test]
    fn errors_that_hold_the_secret_are_not_echoed() {
        let bytes = KEY.as_bytes().to_vec();
        for error in [
            KeyringError::BadEncoding(bytes.clone()),
            KeyringError::BadDataFormat(bytes.clone(), "x".into()),
        ] {
            let mapped = classify(error);
            let shown = format!("{mapped} {mapped:?}");
            assert!(!shown.contains("secretsUnitTest"), "{shown}");
            assert_eq!(mapped.kind(), "other");
        }
    }

    #[test]
    fn storage_access_failures_are_locked() {
        let mapped = classify(KeyringError::NoStorageAccess("prompt dismissed".into()));
        assert_eq!(mapped, KeychainError::Locked);
        let message = mapped.to_string();
        assert!(message.contains(STRIPE_KEY_ENV), "{message}");
        assert!(message.contains("unlock"), "{message}");
    }

    #[test]
    fn every_message_says_what_to_do() {
        for error in [
            KeychainError::NoSessionBus,
            KeychainError::NoSecretService,
            KeychainError::Locked,
        ] {
            let message = error.to_string();
            assert!(message.contains(STRIPE_KEY_ENV), "{message}");
            assert!(message.len() > 80, "{message}");
        }
        assert!(
            KeychainError::NoSecretService
                .to_string()
                .contains("apt install gnome-keyring")
        );
        assert!(
            KeychainError::NoSessionBus
                .to_string()
                .contains("dbus-run-session")
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn secret_service_failures_are_classified() {
        use secret_service::Error as E;
        let check = |e: E, want: KeychainError| {
            let mapped = classify(KeyringError::PlatformFailure(Box::new(e)));
            assert_eq!(mapped, want);
        };
        check(E::Locked, KeychainError::Locked);
        check(E::Prompt, KeychainError::Locked);
        check(E::NoResult, KeychainError::Locked);
        check(
            E::ZbusFdo(zbus::fdo::Error::ServiceUnknown(
                "org.freedesktop.secrets".into(),
            )),
            KeychainError::NoSecretService,
        );
        check(
            E::Zbus(zbus::Error::Address("bad".into())),
            KeychainError::NoSessionBus,
        );
    }
}
