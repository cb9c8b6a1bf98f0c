//! Signed self-update through `tauri-plugin-updater`.
//!
//! The plugin fetches the manifest (`latest.json`) from the endpoints in
//! `tauri.conf.json`, downloads the package and verifies its minisign
//! signature against the public key there. With `requireSignedVersion` the
//! signature's trusted comment must also name the version the manifest
//! announces, so a manifest cannot pair a newer version number with an older
//! (validly signed) package. Everything here is the plugin's own code path;
//! this module only adds the backup before installing and turns the
//! plugin's errors into sentences a freelancer can act on ([`message`]).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_updater::{Error, Update, UpdaterExt};

use crate::commands::{Books, CommandError};

/// The setting (`"1"`/`"0"`) that allows checking for an update at start.
/// Unset means yes.
pub const CHECK_AT_START: &str = "app.update.check_at_start";

/// An update the user may install, with its release notes.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOffer {
    pub version: String,
    pub current_version: String,
    pub notes: Option<String>,
    /// RFC 3339, if the manifest has one.
    pub date: Option<String>,
}

impl UpdateOffer {
    pub fn of(update: &Update) -> UpdateOffer {
        UpdateOffer {
            version: update.version.clone(),
            current_version: update.current_version.clone(),
            notes: update.body.clone(),
            date: update
                .raw_json
                .get("pub_date")
                .and_then(|d| d.as_str())
                .map(str::to_owned),
        }
    }
}

/// What went wrong, for the user ([`message`]) and for the log (`detail`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateError {
    pub message: String,
    pub detail: String,
}

impl std::fmt::Display for UpdateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Error> for UpdateError {
    fn from(error: Error) -> UpdateError {
        UpdateError {
            // In the UI's language (English until the UI says otherwise).
            message: match crate::messages::ui_lang() {
                acquit_core::Lang::Fr => crate::messages::localize(&error),
                _ => message(&error),
            },
            detail: format!("{error:?}"),
        }
    }
}

/// The sentence shown for an updater error: what happened, that nothing was
/// installed when that is so, and what to do.
pub fn message(error: &Error) -> String {
    use minisign_verify::Error as Sig;
    const NOTHING: &str = "Nothing was installed and your books are unchanged.";
    match error {
        Error::Minisign(Sig::UnexpectedKeyId) => format!(
            "This update was not signed by Acquit's publisher, so it was refused. {NOTHING} \
             Do not install it by hand; try again later or download Acquit from its website."
        ),
        Error::Minisign(Sig::InvalidSignature) => format!(
            "The downloaded update does not match its signature (it was damaged or altered on the way), \
             so it was refused. {NOTHING} Try again later."
        ),
        Error::Minisign(_) | Error::Base64(_) | Error::SignatureUtf8(_) => format!(
            "The update's signature is unreadable, so the update was refused. {NOTHING} Try again later."
        ),
        Error::SignedVersionMismatch { signed, announced } => format!(
            "The update server announced version {announced}, but the package it offered is signed \
             for version {signed}, so it was refused. {NOTHING} Try again later."
        ),
        Error::MissingSignedVersion => format!(
            "The update's signature does not say which version it is for, so it was refused. {NOTHING} \
             Try again later."
        ),
        Error::Reqwest(_) | Error::Network(_) => {
            "Acquit could not reach the update server. Check your internet connection and try again; \
             Acquit works fully offline meanwhile."
                .into()
        }
        Error::ReleaseNotFound | Error::Serialization(_) | Error::Semver(_) => {
            "The update server's answer could not be read (no valid update description). \
             Try again later; Acquit works as before meanwhile."
                .into()
        }
        Error::TargetNotFound(_) | Error::TargetsNotFound(_) => {
            "The new version is not available for this system yet. Try again later.".into()
        }
        Error::EmptyEndpoints | Error::InsecureTransportProtocol => {
            "Updates are not set up in this build of Acquit (no secure update address). \
             Download new versions from Acquit's website."
                .into()
        }
        Error::AuthenticationFailed => format!(
            "Installing needs your system password, and the request was cancelled. {NOTHING} \
             Choose Install again when ready."
        ),
        Error::DebInstallFailed | Error::PackageInstallFailed | Error::InvalidUpdaterFormat => {
            format!(
                "The system could not install the downloaded package. {NOTHING} \
                 Download the new version from Acquit's website, or try again later."
            )
        }
        other => format!(
            "The update could not be completed ({other}). Acquit keeps running the current version; \
             your books are unchanged."
        ),
    }
}

/// Asks the configured endpoints for a newer version.
pub async fn check<R: Runtime>(app: &AppHandle<R>) -> Result<Option<Update>, UpdateError> {
    let updater = app.updater()?;
    Ok(updater.check().await?)
}

/// Downloads the package and verifies its signature (and signed version).
/// Returns the verified bytes; nothing is installed.
pub async fn download(update: &Update) -> Result<Vec<u8>, UpdateError> {
    Ok(update.download(|_, _| {}, || {}).await?)
}

/// Backs up the open database into `backups/` next to it and checks the
/// copy (a SQLite file of Acquit's, integrity, journal), before an update
/// is installed. Returns the backup file.
pub fn verified_backup(store: &acquit_store::Store) -> Result<PathBuf, String> {
    let dir = store
        .path()
        .parent()
        .unwrap_or(Path::new("."))
        .join("backups");
    let backup = store
        .backup_rotated(&dir)
        .map_err(|e| format!("the backup before updating failed: {e}"))?;
    acquit_store::check_backup(&backup)
        .map_err(|e| format!("the backup before updating could not be verified: {e}"))?;
    Ok(backup)
}

/// The update found by the last check, waiting for the user's confirmation.
#[derive(Default)]
pub struct Pending(Mutex<Option<Update>>);

impl Pending {
    /// Keeps what a check found (None: nothing to install).
    pub fn set(&self, found: Option<Update>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = found;
    }

    /// The update waiting for the user's confirmation, if any.
    pub fn offer(&self) -> Option<UpdateOffer> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(UpdateOffer::of)
    }
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pending")
    }
}

/// Checks at start when the setting allows it (and not in debug builds,
/// which developers and the end-to-end tests run offline); logs what it
/// found and keeps the update for `install_update`.
pub fn check_at_start<R: Runtime>(app: &AppHandle<R>) {
    if cfg!(debug_assertions) {
        return;
    }
    let allowed = app
        .try_state::<Books>()
        .and_then(|books| books.with(|s| s.setting(CHECK_AT_START)).ok().flatten())
        .is_none_or(|v| v != "0");
    if !allowed {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        match check(&app).await {
            Ok(Some(update)) => {
                tracing::info!(version = %update.version, "an update is available");
                if let Some(pending) = app.try_state::<Pending>() {
                    *pending.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(update);
                }
            }
            Ok(None) => tracing::info!("Acquit is up to date"),
            Err(e) => tracing::warn!(detail = %e.detail, "update check failed: {}", e.message),
        }
    });
}

/// Looks for a newer version (the menu's "Check for updates").
#[tauri::command]
#[specta::specta]
pub async fn check_update(
    app: AppHandle,
    pending: State<'_, Pending>,
) -> Result<Option<UpdateOffer>, CommandError> {
    let found = check(&app).await.map_err(|e| {
        tracing::warn!(detail = %e.detail, "update check failed");
        CommandError::new(e.message)
    })?;
    let offer = found.as_ref().map(UpdateOffer::of);
    *pending.0.lock().unwrap_or_else(|e| e.into_inner()) = found;
    Ok(offer)
}

/// Installs the update found by `check_update`, after a verified backup of
/// the books. Returns what to tell the user (restart Acquit).
#[tauri::command]
#[specta::specta]
pub async fn install_update(
    pending: State<'_, Pending>,
    books: State<'_, Books>,
) -> Result<String, CommandError> {
    let update = pending
        .0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .ok_or_else(|| CommandError::new("No update is waiting: check for updates first."))?;
    let backup = books.with(|store| verified_backup(store))?;
    tracing::info!(backup = %backup.display(), version = %update.version, "backed up before updating");
    let bytes = download(&update).await.map_err(|e| {
        tracing::warn!(detail = %e.detail, "update download refused");
        CommandError::new(e.message)
    })?;
    update.install(bytes).map_err(|e| {
        let e = UpdateError::from(e);
        tracing::warn!(detail = %e.detail, "update install failed");
        CommandError::new(e.message)
    })?;
    Ok(format!(
        "Acquit {} is installed. Restart Acquit to use it; your books were backed up to {}.",
        update.version,
        backup.display()
    ))
}
