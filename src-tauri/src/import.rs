//! Clients imported from a CSV file in the app: the file chosen, its rows
//! previewed as the books see them (new, already a client, repeated, in
//! error: `Store::plan_client_import`), then the new ones written in one
//! transaction once the user confirms. The CLI's `acquit import clients`
//! shows the same plan.

use std::path::PathBuf;

use acquit_store::ImportOutcome;
use serde::Serialize;
use tauri::State;

use crate::commands::{Books, CommandError};
use crate::messages::say;

/// What happens to a row, as the preview marks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum ImportRowState {
    New,
    Duplicate,
    Repeated,
    Error,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportRowView {
    pub line: u32,
    pub name: Option<String>,
    pub state: ImportRowState,
    /// Why it is left out, in the UI's language where Acquit says it.
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    /// The file, to pass back to [`import_clients`].
    pub path: String,
    pub rows: Vec<ImportRowView>,
    pub new_count: u32,
    pub error_count: u32,
    /// The file's columns Acquit does not use.
    pub ignored_columns: Vec<String>,
    /// The columns read: "Nom → nom", in the UI's language.
    pub columns: Vec<String>,
}

/// What a column is taken for, in the UI's language.
fn column_label(column: acquit_core::import::Column) -> String {
    use acquit_core::import::Column as C;
    let (fr, en) = match column {
        C::Name => ("nom", "name"),
        C::Email => ("e-mail", "email"),
        C::Phone => ("téléphone", "phone"),
        C::Siren => ("SIREN", "SIREN"),
        C::Siret => ("SIRET (son SIREN)", "SIRET (its SIREN)"),
        C::VatNumber => ("n° de TVA", "VAT number"),
        C::Street => ("adresse", "address"),
        C::Street2 => ("complément d’adresse", "address line 2"),
        C::Postcode => ("code postal", "postcode"),
        C::City => ("ville", "city"),
        C::Country => ("pays", "country"),
        C::Lang => ("langue des factures", "invoice language"),
        C::FirstName => ("prénom du contact", "contact's first name"),
        C::LastName => ("nom du contact", "contact's last name"),
    };
    say(fr, en)
}

fn plan(books: &Books, path: &std::path::Path) -> Result<acquit_store::ClientImport, CommandError> {
    let bytes = std::fs::read(path).map_err(|e| {
        CommandError::new(format!(
            "{} {}: {e}",
            say("Impossible de lire", "Could not read"),
            path.display()
        ))
    })?;
    let parsed = acquit_core::import::clients(&bytes).map_err(|e| {
        CommandError::new(match e {
            acquit_core::import::ImportError::Empty => say(
                "Le fichier est vide\u{a0}: exportez vos clients avec une ligne d’en-tête",
                "The file is empty: export your clients with a header line",
            ),
            acquit_core::import::ImportError::NoName(headers) => format!(
                "{} ({headers})",
                say(
                    "Aucune colonne ne donne le nom du client\u{a0}: nommez-en une «\u{a0}Nom\u{a0}»",
                    "No column holds the client's name: name one \"Name\"",
                )
            ),
            acquit_core::import::ImportError::MissingColumn { column, headers } => format!(
                "{} {column} ({headers})",
                say("Il manque la colonne", "Missing column"),
            ),
        })
    })?;
    books.with(|store| store.plan_client_import(parsed))
}

/// Asks for a CSV file (debug builds: `ACQUIT_E2E_OPEN_FILE`, for the
/// end-to-end tests) and previews its import; `None` when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn preview_client_import(
    app: tauri::AppHandle,
    books: State<'_, Books>,
) -> Result<Option<ImportPreview>, CommandError> {
    let Some(path) = crate::view::ask_open_path(&app, "CSV, vCard", &["csv", "txt", "vcf"]) else {
        return Ok(None);
    };
    let plan = plan(&books, &path)?;
    let rows = plan
        .rows
        .iter()
        .map(|row| {
            let (state, detail) = match &row.outcome {
                ImportOutcome::New => (ImportRowState::New, String::new()),
                ImportOutcome::Duplicate { of } => (ImportRowState::Duplicate, of.clone()),
                ImportOutcome::Repeated { line } => (
                    ImportRowState::Repeated,
                    format!("{} {line}", say("comme la ligne", "as line")),
                ),
                ImportOutcome::Error { errors } => (
                    ImportRowState::Error,
                    errors
                        .iter()
                        .map(row_error)
                        .collect::<Vec<_>>()
                        .join(&say("\u{202f}; ", "; ")),
                ),
            };
            ImportRowView {
                line: u32::try_from(row.line).unwrap_or(u32::MAX),
                name: row.name.clone(),
                state,
                detail,
            }
        })
        .collect();
    Ok(Some(ImportPreview {
        path: path.display().to_string(),
        rows,
        new_count: u32::try_from(plan.new.len()).unwrap_or(u32::MAX),
        error_count: u32::try_from(plan.errors()).unwrap_or(u32::MAX),
        ignored_columns: plan.ignored_columns,
        columns: plan
            .columns
            .iter()
            .map(|(header, column)| format!("{header} → {}", column_label(*column)))
            .collect(),
    }))
}

/// What is wrong with a row, in the UI's language: the field and what it
/// held, then the parser's own words (French through `messages`).
fn row_error(error: &acquit_core::import::RowError) -> String {
    use crate::messages::localize;
    use acquit_core::Lang;
    use acquit_core::import::RowError as R;
    if crate::messages::ui_lang() == Lang::En {
        return error.to_string();
    }
    // French typography: guillemets with no-break spaces, a narrow one
    // before the colon.
    let field =
        |name: &str, text: &str, why: String| format!("{name} «\u{a0}{text}\u{a0}»\u{202f}: {why}");
    match error {
        R::NoName => "pas de nom\u{202f}: chaque client en a un".into(),
        R::Country(e) => localize(e),
        R::Email { text, error } => field("e-mail", text, localize(error)),
        R::Phone { text, error } => field("téléphone", text, localize(error)),
        R::Siren { text, error } => field("SIREN", text, localize(error)),
        R::Siret { text, error } => field("SIRET", text, localize(error)),
        R::VatNumber { text, error } => field("n° de TVA", text, localize(error)),
        R::Address(e) => format!("adresse\u{202f}: {}", localize(e)),
        R::Lang(text) => field("langue", text, "écrivez fr ou en".into()),
    }
}

/// Imports the new clients of `path` (read again: the file is the truth),
/// leaving out the rows in error only when `skip_bad`. The number added.
#[tauri::command]
#[specta::specta]
pub fn import_clients(
    books: State<'_, Books>,
    path: String,
    skip_bad: bool,
) -> Result<u32, CommandError> {
    let plan = plan(&books, &PathBuf::from(&path))?;
    if plan.errors() > 0 && !skip_bad {
        return Err(CommandError::new(say(
            "Des lignes ont des erreurs\u{a0}: corrigez le fichier, ou importez les autres lignes",
            "Some rows have errors: fix the file, or import the other rows",
        )));
    }
    let added = books.with(|store| store.add_clients(&plan.new))?;
    Ok(u32::try_from(added.len()).unwrap_or(u32::MAX))
}
