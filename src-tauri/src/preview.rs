//! The invoice screen's preview: the issued document drawn by the PDF
//! renderer itself, as SVG pages (WebKitGTK cannot show a PDF inline), so
//! what the user sees is what the client receives.

use acquit_store::InvoiceId;
use acquit_sync::Rendering;
use tauri::State;

use crate::commands::{Books, CommandError};

/// One SVG per page of the issued invoice or credit note `id`, from the same
/// `acquit_sync::document` as "Export PDF" and `acquit invoice pdf` (PAID
/// stamp once paid). `lang` None renders in the client's language, like the
/// exported PDF. A draft has no PDF yet: the editor shows it.
#[tauri::command]
#[specta::specta]
pub fn invoice_preview(
    books: State<'_, Books>,
    id: i32,
    lang: Option<String>,
) -> Result<Vec<String>, CommandError> {
    let lang = lang.as_deref().map(crate::commands::lang).transpose()?;
    let number = books
        .with(|store| store.invoice_by_id(InvoiceId(id.into())))?
        .number
        .ok_or_else(|| CommandError::new("a draft has no PDF yet: issue it to see its pages"))?;
    books.with(|store| acquit_sync::render_svg(store, &number, lang, Rendering::Current))
}
