//! The app's native menu: the standard entries (Quit, Edit for copy and
//! paste in text fields, Window) and "Check for updates…", in the UI's
//! language.
//!
//! The update check from the menu is the same as Settings' button
//! ([`crate::update::check`], the result kept for `install_update`); its
//! result reaches the UI as the typed event [`UpdateCheck`], on which the UI
//! opens Settings → Updates. A native menu cannot be clicked through
//! WebDriver, so the tests call [`check_for_updates`] directly.

use std::sync::atomic::{AtomicU8, Ordering};

use acquit_core::Lang;
use serde::Serialize;
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event as _;

use crate::commands::{Books, CommandError};
use crate::update::{self, Pending, UpdateOffer};

/// The id of the "Check for updates…" entry.
pub const CHECK_UPDATES: &str = "check-updates";
const QUIT: &str = "quit";
const MINIMIZE: &str = "minimize";
const MAXIMIZE: &str = "maximize";
const CLOSE: &str = "close";

/// The menu's own labels (the predefined entries are translated by the
/// system's toolkit where it does so).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labels {
    pub file: &'static str,
    pub edit: &'static str,
    pub window: &'static str,
    pub help: &'static str,
    pub check_updates: &'static str,
    pub quit: &'static str,
    pub cut: &'static str,
    pub copy: &'static str,
    pub paste: &'static str,
    pub select_all: &'static str,
    pub minimize: &'static str,
    pub maximize: &'static str,
    pub close: &'static str,
}

/// The labels in `lang`.
pub fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::Fr => Labels {
            file: "Fichier",
            edit: "Édition",
            window: "Fenêtre",
            help: "Aide",
            check_updates: "Rechercher des mises à jour…",
            quit: "Quitter Acquit",
            cut: "Couper",
            copy: "Copier",
            paste: "Coller",
            select_all: "Tout sélectionner",
            minimize: "Réduire",
            maximize: "Agrandir",
            close: "Fermer la fenêtre",
        },
        Lang::En => Labels {
            file: "File",
            edit: "Edit",
            window: "Window",
            help: "Help",
            check_updates: "Check for updates…",
            quit: "Quit Acquit",
            cut: "Cut",
            copy: "Copy",
            paste: "Paste",
            select_all: "Select all",
            minimize: "Minimize",
            maximize: "Maximize",
            close: "Close window",
        },
    }
}

/// The UI's language before the UI says it: the one chosen in the app
/// (setting `app.language`), else the system's, read like WebKitGTK does
/// for `navigator.languages` (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else
/// English.
pub fn startup_language<R: Runtime>(app: &AppHandle<R>) -> Lang {
    let chosen = app
        .try_state::<Books>()
        .and_then(|books| books.with(|s| s.setting("app.language")).ok().flatten())
        .and_then(|code| code.parse().ok());
    chosen.unwrap_or_else(|| system_language(|name| std::env::var(name).ok()).unwrap_or(Lang::En))
}

/// The first language the environment names that Acquit speaks.
pub fn system_language(var: impl Fn(&str) -> Option<String>) -> Option<Lang> {
    ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(var)
        .find(|v| !v.is_empty())
        .and_then(|value| {
            // LANGUAGE is a list (`fr_FR:en`); the others one locale.
            value.split(':').find_map(|tag| {
                let primary = tag.split(['_', '-', '.', '@']).next()?;
                primary.to_ascii_lowercase().parse().ok()
            })
        })
}

/// Builds the menu in `lang`. Quit and the Window entries are our own
/// items: GTK 3 has no predefined ones (muda leaves them out). Copy, cut,
/// paste and select all are the toolkit's: WebKitGTK handles their
/// shortcuts in text fields, and macOS needs them for those to work at all.
pub fn build<R: Runtime>(app: &AppHandle<R>, lang: Lang) -> tauri::Result<Menu<R>> {
    let l = labels(lang);
    let item = |id: &str, text: &str, accelerator: Option<&str>| {
        MenuItem::with_id(app, id, text, true, accelerator)
    };
    let file = Submenu::with_items(
        app,
        l.file,
        true,
        &[&item(QUIT, l.quit, Some("CmdOrCtrl+Q"))?],
    )?;
    let edit = Submenu::with_items(
        app,
        l.edit,
        true,
        &[
            &PredefinedMenuItem::undo(app, None)?,
            &PredefinedMenuItem::redo(app, None)?,
            &PredefinedMenuItem::separator(app)?,
            &PredefinedMenuItem::cut(app, Some(l.cut))?,
            &PredefinedMenuItem::copy(app, Some(l.copy))?,
            &PredefinedMenuItem::paste(app, Some(l.paste))?,
            &PredefinedMenuItem::select_all(app, Some(l.select_all))?,
        ],
    )?;
    let window = Submenu::with_items(
        app,
        l.window,
        true,
        &[
            &item(MINIMIZE, l.minimize, Some("CmdOrCtrl+M"))?,
            &item(MAXIMIZE, l.maximize, None)?,
            &item(CLOSE, l.close, Some("CmdOrCtrl+W"))?,
        ],
    )?;
    let help = Submenu::with_items(
        app,
        l.help,
        true,
        &[&item(CHECK_UPDATES, l.check_updates, None)?],
    )?;
    Menu::with_items(app, &[&file, &edit, &window, &help])
}

/// The language of the menu in place: 0 none yet, 1 French, 2 English.
static SHOWN: AtomicU8 = AtomicU8::new(0);

/// Sets the app's menu in `lang` (at start, and when the UI's language
/// changes; GTK warns about each replaced menu, so only then).
pub fn install<R: Runtime>(app: &AppHandle<R>, lang: Lang) {
    let code = match lang {
        Lang::Fr => 1,
        Lang::En => 2,
    };
    if SHOWN.swap(code, Ordering::Relaxed) == code {
        return;
    }
    match build(app, lang) {
        Ok(menu) => {
            if let Err(error) = app.set_menu(menu) {
                tracing::warn!(%error, "could not set the menu");
            }
        }
        Err(error) => tracing::warn!(%error, "could not build the menu"),
    }
}

/// Where a check for updates started from the menu stands, for the UI:
/// first `checking`, then the offer (None: up to date) or the error.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCheck {
    pub checking: bool,
    pub offer: Option<UpdateOffer>,
    /// What went wrong, said for the user.
    pub error: Option<String>,
}

impl tauri_specta::Event for UpdateCheck {
    const NAME: &'static str = "update-check";
}

/// Checks for an update as Settings does, keeps what it found for
/// `install_update` and returns what the UI shows.
pub async fn check_for_updates<R: Runtime>(app: &AppHandle<R>) -> UpdateCheck {
    match update::check(app).await {
        Ok(found) => {
            let offer = found.as_ref().map(UpdateOffer::of);
            if let Some(pending) = app.try_state::<Pending>() {
                pending.set(found);
            }
            UpdateCheck {
                checking: false,
                offer,
                error: None,
            }
        }
        Err(e) => {
            tracing::warn!(detail = %e.detail, "update check from the menu failed");
            UpdateCheck {
                checking: false,
                offer: None,
                error: Some(e.message),
            }
        }
    }
}

/// The menu's clicks (the predefined entries act by themselves).
pub fn on_event(app: &AppHandle, event: MenuEvent) {
    let window = || {
        app.webview_windows()
            .into_values()
            .find(|w| w.is_focused().unwrap_or(false))
            .or_else(|| app.get_webview_window("main"))
    };
    let id = event.id().as_ref();
    let done = match id {
        QUIT => {
            app.exit(0);
            Ok(())
        }
        MINIMIZE => window().map_or(Ok(()), |w| w.minimize()),
        MAXIMIZE => window().map_or(Ok(()), |w| {
            if w.is_maximized()? {
                w.unmaximize()
            } else {
                w.maximize()
            }
        }),
        CLOSE => window().map_or(Ok(()), |w| w.close()),
        _ => Ok(()),
    };
    if let Err(error) = done {
        tracing::warn!(%error, entry = id, "menu entry failed");
    }
    if id != CHECK_UPDATES {
        return;
    }
    let _ = UpdateCheck {
        checking: true,
        offer: None,
        error: None,
    }
    .emit(app);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let result = check_for_updates(&app).await;
        if let Err(error) = result.emit(&app) {
            tracing::warn!(%error, "could not tell the UI the update check's result");
        }
    });
}

/// The UI's language changed (or the UI started): the menu follows it.
#[tauri::command]
#[specta::specta]
pub fn set_menu_language(app: AppHandle, lang: String) -> Result<(), CommandError> {
    install(&app, crate::commands::lang(&lang)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn the_system_language_is_read_like_webkitgtk_does() {
        assert_eq!(
            system_language(env(&[("LANG", "fr_FR.UTF-8")])),
            Some(Lang::Fr)
        );
        assert_eq!(
            system_language(env(&[("LANGUAGE", "de_DE:fr"), ("LANG", "en_US.UTF-8")])),
            Some(Lang::Fr)
        );
        assert_eq!(
            system_language(env(&[("LC_ALL", "en_GB.UTF-8"), ("LANG", "fr_FR.UTF-8")])),
            Some(Lang::En)
        );
        assert_eq!(system_language(env(&[("LANG", "C.UTF-8")])), None);
        assert_eq!(system_language(env(&[])), None);
    }

    #[test]
    fn the_update_entry_is_translated() {
        assert_eq!(
            labels(Lang::Fr).check_updates,
            "Rechercher des mises à jour…"
        );
        assert_eq!(labels(Lang::En).check_updates, "Check for updates…");
    }
}
