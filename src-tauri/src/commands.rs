//! Commands the UI calls. Each is a one-liner into a core crate or app
//! state, plus the translation of its result into types the UI can show.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use acquit_core::Lang;
use acquit_store::{InvoiceSummary, ListQuery, Store};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::choices::{InvoiceKindChoice, InvoiceStatusChoice};
use crate::logging::Logs;

/// The open database, or why it could not be opened (shown to the user).
#[derive(Debug)]
pub struct Books {
    pub path: PathBuf,
    /// Filled once, by the thread `open` starts or by the first command
    /// that needs it, whichever comes first; the other waits.
    store: Arc<OnceLock<Result<Mutex<Store>, String>>>,
}

fn open_store(path: &Path) -> Result<Mutex<Store>, String> {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    // The integrity check runs beside the first rows; a write waits for it.
    let store = Store::open_checking_later(path)
        .map(Mutex::new)
        .map_err(crate::messages::localized);
    if let Err(error) = &store {
        tracing::error!(path = %path.display(), %error, "could not open the database");
    }
    store
}

impl Books {
    /// Opens the database at `ACQUIT_DB` or the default path, on a thread
    /// of its own, which then overlaps the window's start instead of
    /// delaying it; the first command waits for it. The integrity check,
    /// which reads the whole file (about 1 s for 100,000 invoices), runs on
    /// yet another thread (`Store::open_checking_later`): the list shows at
    /// once, the first write waits for the check, and a file that fails it
    /// refuses every write with why.
    pub fn open() -> Books {
        let Some(path) = acquit_store::default_db_path() else {
            return Books {
                path: PathBuf::new(),
                store: Arc::new(OnceLock::from(Err(
                    "no data folder found: set ACQUIT_DB to the database file".to_owned(),
                ))),
            };
        };
        let books = Books {
            path,
            store: Arc::default(),
        };
        let (cell, path) = (books.store.clone(), books.path.clone());
        let started = std::thread::Builder::new()
            .name("open-books".into())
            .spawn(move || {
                cell.get_or_init(|| open_store(&path));
            });
        if let Err(error) = started {
            tracing::warn!(%error, "no thread to open the database: the first command will");
        }
        books
    }

    fn store(&self) -> &Result<Mutex<Store>, String> {
        self.store.get_or_init(|| open_store(&self.path))
    }

    /// Runs `f` on the open database; its error becomes the message shown,
    /// in the UI's language.
    pub(crate) fn with<T, E: std::fmt::Display + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, E>,
    ) -> Result<T, CommandError> {
        let store = self
            .store()
            .as_ref()
            .map_err(|e| CommandError::new(e.clone()))?;
        let mut store = store.lock().map_err(|_| {
            CommandError::new("the database is unavailable after an earlier error: restart Acquit")
        })?;
        f(&mut store).map_err(|e| CommandError::new(crate::messages::localize(&e)))
    }
}

/// When the process started its `run`, for the startup time.
static STARTED: OnceLock<std::time::Instant> = OnceLock::new();

/// Notes the start (the first thing `run` does).
pub fn started() {
    STARTED.get_or_init(std::time::Instant::now);
}

/// The window drew its first rows, `page_ms` after its page began to load:
/// logged once with the time since the start (`./x startup` reads it; a
/// user's log says how long it took, and how much of it was the page's).
#[tauri::command]
#[specta::specta]
pub fn first_rows_shown(page_ms: u32) {
    static SAID: OnceLock<()> = OnceLock::new();
    if SAID.set(()).is_ok()
        && let Some(started) = STARTED.get()
    {
        tracing::info!(
            after_ms = started.elapsed().as_millis() as u64,
            page_ms,
            "first rows shown"
        );
    }
}

/// An error the UI shows as is: it says what happened and what to do.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CommandError {
    pub message: String,
    /// Per-field problems of a form, each shown next to its field.
    pub fields: Vec<FieldError>,
}

/// What is wrong with one field of a form.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct FieldError {
    /// The form field's name, as the UI's binding spells it (`email`,
    /// `unitPrice`).
    pub field: String,
    pub message: String,
}

impl CommandError {
    pub fn new(message: impl Into<String>) -> CommandError {
        CommandError {
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// An error about one form field, shown next to it.
    pub fn field(field: &str, message: String) -> CommandError {
        CommandError {
            message: message.clone(),
            fields: vec![FieldError {
                field: field.to_owned(),
                message,
            }],
        }
    }
}

/// The language the UI asks amounts in: `fr` or `en`.
pub(crate) fn lang(code: &str) -> Result<Lang, CommandError> {
    code.parse().map_err(CommandError::new)
}

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
    /// The database file.
    pub db_path: String,
    /// Why the database could not be opened, if it could not.
    pub db_error: Option<String>,
    /// True for a debug build (developers, tests).
    pub debug_build: bool,
    /// The company profile is set (else the first-run form comes first).
    pub has_company: bool,
    /// The UI language the user chose (`fr`, `en`); None follows the system.
    pub language: Option<String>,
}

/// The app's name, version, log and database locations.
#[tauri::command]
#[specta::specta]
pub fn app_info(app: tauri::AppHandle, logs: State<'_, Logs>, books: State<'_, Books>) -> AppInfo {
    AppInfo {
        product_name: app.package_info().name.clone(),
        version: app.package_info().version.to_string(),
        log_dir: logs.dir.display().to_string(),
        db_path: books.path.display().to_string(),
        db_error: books.store().as_ref().err().cloned(),
        debug_build: cfg!(debug_assertions),
        has_company: books
            .with(|store| store.seller().map(|s| s.is_some()))
            .unwrap_or(false),
        language: books
            .with(|store| store.setting(LANGUAGE))
            .ok()
            .flatten()
            .filter(|l| !l.is_empty()),
    }
}

/// The settings key of the UI language.
const LANGUAGE: &str = "app.language";

/// Remembers the UI language (`fr`, `en`), or to follow the system (None).
#[tauri::command]
#[specta::specta]
pub fn set_language(books: State<'_, Books>, language: Option<String>) -> Result<(), CommandError> {
    let code = match language.as_deref() {
        Some(code) => lang(code)?.code(),
        None => "",
    };
    books.with(|store| store.set_setting(LANGUAGE, code))
}

/// Today on the user's calendar (`YYYY-MM-DD`, local time, as the books
/// date things): the UI's default dates, never the UTC date a browser's
/// `toISOString` gives, which is yesterday in France just after midnight.
#[tauri::command]
#[specta::specta]
pub fn today() -> String {
    acquit_store::today().to_string()
}

/// The language the UI shows now (`fr`, `en`), chosen or the system's: the
/// language of the error messages that follow.
#[tauri::command]
#[specta::specta]
pub fn use_language(language: String) -> Result<(), CommandError> {
    crate::messages::set_ui_lang(lang(&language)?);
    Ok(())
}

/// Which invoices the list shows.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceQuery {
    /// A number prefix or part of a client's name.
    pub search: Option<String>,
    /// None: every status.
    pub status: Option<InvoiceStatusChoice>,
    pub offset: u32,
    pub limit: u32,
    /// The language amounts are written in.
    pub lang: String,
}

/// One row of the invoice list, ready to show.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceRow {
    pub id: i32,
    /// None for a draft.
    pub number: Option<String>,
    pub kind: InvoiceKindChoice,
    pub status: InvoiceStatusChoice,
    pub client: String,
    /// YYYY-MM-DD.
    pub issue_date: Option<String>,
    pub due_date: Option<String>,
    /// Formatted in the requested language: "1 234,56 €".
    pub total: String,
    pub amount_due: String,
    /// Unpaid after its due date.
    pub overdue: bool,
}

/// A page of the invoice list, newest first.
#[tauri::command]
#[specta::specta]
pub fn list_invoices(
    books: State<'_, Books>,
    query: InvoiceQuery,
) -> Result<Vec<InvoiceRow>, CommandError> {
    let lang = lang(&query.lang)?;
    let list = list_query(&query);
    let page = books.with(|store| store.list_page(&list))?;
    Ok(page.into_iter().map(|row| invoice_row(row, lang)).collect())
}

/// How many invoices match the search and filter of `query` (its offset
/// and limit aside): the length of the scrolling list.
#[tauri::command]
#[specta::specta]
pub fn count_invoices(books: State<'_, Books>, query: InvoiceQuery) -> Result<u32, CommandError> {
    let list = list_query(&query);
    let count = books.with(|store| store.count_page(&list))?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

fn list_query(query: &InvoiceQuery) -> ListQuery {
    ListQuery {
        status: query.status.map(Into::into),
        search: query.search.clone(),
        offset: query.offset as usize,
        limit: query.limit.min(500) as usize,
        today: acquit_store::today(),
    }
}

fn invoice_row(row: InvoiceSummary, lang: Lang) -> InvoiceRow {
    InvoiceRow {
        id: i32::try_from(row.id.0).unwrap_or(i32::MAX),
        number: row.number,
        kind: row.kind.into(),
        status: row.status.into(),
        client: row.client,
        issue_date: row.issue_date.map(|d| d.to_string()),
        due_date: row.due_date.map(|d| d.to_string()),
        total: row.total.format(lang),
        amount_due: row.amount_due.format(lang),
        overdue: row.overdue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets};

    /// What the IPC answers `command` called with `args`, in a headless app
    /// whose books cannot open (the arguments are read before they are).
    fn call(command: &str, args: serde_json::Value) -> Result<(), serde_json::Value> {
        let app = mock_builder()
            .invoke_handler(tauri::generate_handler![
                crate::notify::set_notification,
                crate::mail::send_reminder,
            ])
            .manage(Books {
                path: PathBuf::new(),
                store: Arc::new(OnceLock::from(Err("no books in this test".to_owned()))),
            })
            .build(mock_context(noop_assets()))
            .expect("the headless app builds");
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("a headless window");
        get_ipc_response(
            &webview,
            tauri::webview::InvokeRequest {
                cmd: command.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: tauri::ipc::InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_owned(),
            },
        )
        .map(|_| ())
    }

    #[test]
    fn a_value_outside_a_closed_list_is_refused_before_the_command_runs() {
        assert_eq!(
            call("set_notification", json!({ "kind": "sms", "on": true })),
            Err(json!(
                "invalid args `kind` for command `set_notification`: unknown variant `sms`, \
                 expected one of `payments`, `reminders`, `recurring`, `quotes`, `failed`, `platform`"
            ))
        );
        assert_eq!(
            call("send_reminder", json!({ "number": "F-1", "via": "fax" })),
            Err(json!(
                "invalid args `via` for command `send_reminder`: unknown variant `fax`, \
                 expected one of `email`, `whatsapp`, `smtp`"
            ))
        );
        // A value of the list reaches the command (here, books that do not open).
        assert_eq!(
            call("set_notification", json!({ "kind": "quotes", "on": false })),
            Err(json!({ "message": "no books in this test", "fields": [] }))
        );
    }
}
