//! Commands the UI calls. Each is a one-liner into a core crate or app state.

use serde::Serialize;
use tauri::State;

use crate::logging::Logs;

/// What the About box and the status bar show.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// "Acquit".
    pub product_name: String,
    /// The app's semantic version, as in Cargo.toml.
    pub version: String,
    /// Where today's log file is written, to point a user at it.
    pub log_dir: String,
    /// True for a debug build (developers, tests).
    pub debug_build: bool,
}

/// The app's name, version and log location.
#[tauri::command]
#[specta::specta]
pub fn app_info(app: tauri::AppHandle, logs: State<'_, Logs>) -> AppInfo {
    AppInfo {
        product_name: app.package_info().name.clone(),
        version: app.package_info().version.to_string(),
        log_dir: logs.dir.display().to_string(),
        debug_build: cfg!(debug_assertions),
    }
}
