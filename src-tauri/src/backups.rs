//! Settings → Backups and "Export everything": thin commands over the
//! store's backups (`acquit_store::backup`) and the export
//! (`acquit_documents::export`), like `acquit backup`, `acquit restore` and
//! `acquit export all --zip`.
//!
//! Restoring replaces the books under every open connection: the UI's
//! (`Books`, behind its mutex), the background sync's and those of the
//! network commands (`payments`). Those other writers hold [`GATE`] shared
//! while they work; a restore wakes the sync out of its long-poll, then
//! holds the gate exclusively and the UI's connection, so it never lands in
//! the middle of a sync. The other connections then read the restored file
//! (SQLite's backup API writes it through the database's own locks).

use std::path::{Path, PathBuf};
use std::sync::{RwLock, RwLockReadGuard};

use acquit_core::Lang;
use acquit_store::{Store, backups_dir, check_backup, list_backups};
use serde::Serialize;
use tauri::{AppHandle, Manager, State};

use crate::background::SyncControl;
use crate::commands::{Books, CommandError, lang};

/// Shared by whatever writes the books on its own connection; exclusive
/// for a restore.
static GATE: RwLock<()> = RwLock::new(());

/// Held while writing on a connection of one's own (sync, network
/// commands): a restore waits for it.
pub(crate) fn writing() -> RwLockReadGuard<'static, ()> {
    GATE.read().unwrap_or_else(|e| e.into_inner())
}

/// `fr` or `en`, as the UI speaks (`messages::say`).
fn say(fr: String, en: String) -> String {
    crate::messages::say(&fr, &en)
}

/// The backups folder and its backups, newest first.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BackupsView {
    pub folder: String,
    pub backups: Vec<BackupRow>,
    /// How many rotated backups are kept (the oldest are deleted).
    pub kept: u32,
}

/// One backup, ready to show.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BackupRow {
    /// The file, to pass back to [`restore_backup`].
    pub path: String,
    /// Local time, `YYYY-MM-DD HH:MM:SS`.
    pub made: String,
    /// "1,2 Mo" / "1.2 MB".
    pub size: String,
}

fn overview(db: &Path, lang: Lang) -> Result<BackupsView, CommandError> {
    let folder = backups_dir(db);
    let backups =
        list_backups(&folder).map_err(|e| CommandError::new(crate::messages::localize(&e)))?;
    Ok(BackupsView {
        folder: folder.display().to_string(),
        backups: backups
            .into_iter()
            .map(|b| BackupRow {
                path: b.path.display().to_string(),
                made: b.made.format("%Y-%m-%d %H:%M:%S").to_string(),
                size: size(b.bytes, lang),
            })
            .collect(),
        kept: acquit_store::BACKUPS_KEPT as u32,
    })
}

/// A file size in kB or MB (decimal units, one decimal), in `lang`'s
/// writing: "1,2 Mo" with a narrow no-break space, "1.2 MB".
pub fn size(bytes: u64, lang: Lang) -> String {
    let (tenths, unit) = if bytes >= 1_000_000 {
        ((bytes + 50_000) / 100_000, ("Mo", "MB"))
    } else {
        ((bytes + 50) / 100, ("ko", "kB"))
    };
    let (whole, tenth) = (tenths / 10, tenths % 10);
    match lang {
        Lang::Fr => format!("{whole},{tenth}\u{202f}{}", unit.0),
        Lang::En => format!("{whole}.{tenth} {}", unit.1),
    }
}

/// The backups folder and its backups.
#[tauri::command]
#[specta::specta]
pub fn backups(books: State<'_, Books>, lang: String) -> Result<BackupsView, CommandError> {
    overview(&books.path, self::lang(&lang)?)
}

/// Backs up now (online, rotated, checked), as `acquit backup`.
#[tauri::command]
#[specta::specta]
pub fn back_up_now(books: State<'_, Books>, lang: String) -> Result<BackupsView, CommandError> {
    let lang = self::lang(&lang)?;
    let made = books.with(|store| store.backup_rotated(&backups_dir(store.path())))?;
    check_backup(&made).map_err(|e| {
        let (file, e) = (made.display(), crate::messages::localize(&e));
        CommandError::new(say(
            format!("La sauvegarde {file} n'a pas pu être vérifiée ({e})\u{202f}: réessayez, et vérifiez le disque."),
            format!("The backup {file} could not be verified ({e}): try again, and check the disk."),
        ))
    })?;
    tracing::info!(backup = %made.display(), "backed up");
    overview(&books.path, lang)
}

/// Opens the backups folder in the file manager.
#[tauri::command]
#[specta::specta]
pub fn open_backups_folder(books: State<'_, Books>) -> Result<(), CommandError> {
    let folder = backups_dir(&books.path);
    std::fs::create_dir_all(&folder).map_err(|e| {
        let folder = folder.display();
        CommandError::new(say(
            format!("Impossible de créer le dossier {folder} ({e})."),
            format!("Could not create the folder {folder} ({e})."),
        ))
    })?;
    let launch = acquit_documents::send::Launch::opening(folder.display().to_string());
    let opener = &launch.program;
    launch
        .command()
        .spawn()
        .map(|_| ())
        .map_err(|e| {
            let folder = folder.display();
            CommandError::new(say(
                format!("Impossible d'ouvrir le dossier {folder} ({opener}\u{202f}: {e})\u{202f}: ouvrez-le depuis votre gestionnaire de fichiers."),
                format!("Could not open the folder {folder} ({opener}: {e}): open it from your file manager."),
            ))
        })
}

/// What a restore did.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Restored {
    /// Where the books as they were just before are kept.
    pub previous: String,
}

/// Replaces the books with the backup `path`, after checking it; the books
/// as they were are first saved next to the database (`acquit restore`).
#[tauri::command]
#[specta::specta]
pub async fn restore_backup(
    app: AppHandle,
    books: State<'_, Books>,
    path: String,
) -> Result<Restored, CommandError> {
    let backup = PathBuf::from(&path);
    if backup == books.path {
        return Err(CommandError::new(say(
            "C'est la base de données elle-même\u{202f}: choisissez une sauvegarde dans la liste."
                .into(),
            "This is the database itself: choose a backup from the list.".into(),
        )));
    }
    check_backup(&backup).map_err(|e| {
        let e = crate::messages::localize(&e);
        CommandError::new(say(
            format!("{e}. Rien n'a été modifié\u{202f}: choisissez une autre sauvegarde."),
            format!("{e}. Nothing was changed: choose another backup."),
        ))
    })?;
    // Waiting for the other writers blocks: not on the async runtime.
    let previous = tauri::async_runtime::spawn_blocking(move || {
        let sync = app.state::<SyncControl>();
        // Out of its long-poll, so the gate is free within moments.
        sync.wake();
        let previous = {
            let _exclusive = GATE.write().unwrap_or_else(|e| e.into_inner());
            app.state::<Books>()
                .with(|store| store.restore_from(&backup))
        };
        // Sync again, from the restored books' own cursor.
        sync.wake();
        if let Ok(previous) = &previous {
            tracing::info!(backup = %backup.display(), previous = %previous.display(), "books restored");
        }
        previous
    })
    .await
    .map_err(|e| {
        CommandError::new(say(
            format!("La restauration s'est arrêtée ({e})."),
            format!("The restore stopped ({e})."),
        ))
    })??;
    Ok(Restored {
        previous: previous.display().to_string(),
    })
}

/// Asks where to save, then writes everything (CSVs and PDFs) into one zip
/// (`acquit export all --zip`). Returns the file, or None when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn export_everything(
    app: AppHandle,
    books: State<'_, Books>,
) -> Result<Option<String>, CommandError> {
    let name = format!("acquit-export-{}.zip", acquit_store::today());
    let Some(path) = crate::view::ask_save_path_as(&app, &name, "Zip", &["zip"]) else {
        return Ok(None);
    };
    let db = books.path.clone();
    let written = tauri::async_runtime::spawn_blocking(move || {
        let _gate = writing();
        let store = Store::open(&db).map_err(|e| crate::messages::localize(&e))?;
        // The save dialog has already asked before replacing a file.
        acquit_documents::export::export_zip(&store, &path, true, &mut |step| {
            tracing::debug!(step, "export");
        })
        .map_err(|e| {
            say(
                format!("L'export a échoué, rien n'a été écrit\u{202f}: {e}"),
                format!("The export failed, nothing was written: {e}"),
            )
        })
    })
    .await
    .map_err(|e| {
        CommandError::new(say(
            format!("L'export s'est arrêté ({e})."),
            format!("The export stopped ({e})."),
        ))
    })?
    .map_err(CommandError::new)?;
    tracing::info!(path = %written.dir.display(), pdfs = written.pdfs, "everything exported");
    Ok(Some(written.dir.display().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_written_in_the_ui_language() {
        assert_eq!(size(1_234_567, Lang::Fr), "1,2\u{202f}Mo");
        assert_eq!(size(1_234_567, Lang::En), "1.2 MB");
        assert_eq!(size(98_765, Lang::En), "98.8 kB");
        assert_eq!(size(0, Lang::Fr), "0,0\u{202f}ko");
    }
}
