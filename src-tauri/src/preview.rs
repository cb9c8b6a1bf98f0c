//! The invoice screen's preview: the issued document drawn by the PDF
//! renderer itself, as SVG pages (WebKitGTK cannot show a PDF inline), so
//! what the user sees is what the client receives.
//!
//! The SVG names "Noto Sans"; its two faces are served to the page from the
//! PDF crate's own bytes under the `acquitfont:` scheme ([`font`]), so the
//! preview draws with the fonts the layout measured with and the binary
//! holds one copy of them (no second one among the UI's assets).

use std::borrow::Cow;

use acquit_documents::Rendering;
use acquit_store::InvoiceId;
use tauri::State;
use tauri::http::{Response, StatusCode, header};

use crate::commands::{Books, CommandError};

/// One SVG per page of the issued invoice or credit note `id`, from the same
/// `acquit_documents::document` as "Export PDF" and `acquit invoice pdf` (PAID
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
    books.with(|store| acquit_documents::render_svg(store, &number, lang, Rendering::Current))
}

/// The URI scheme the UI's `@font-face` rules load the fonts from
/// (`acquitfont://localhost/NAME` on Linux and macOS,
/// `http://acquitfont.localhost/NAME` on Windows; `ui/src/app.css` lists
/// both, the CSP allows both).
pub const FONT_SCHEME: &str = "acquitfont";

/// The answer to `acquitfont://localhost/{name}`: the PDF renderer's font
/// file, or 404. A font is loaded cross-origin (the page is
/// `tauri://localhost`), hence the CORS header; it never changes within a
/// build, hence the long cache.
pub fn font(path: &str) -> Response<Cow<'static, [u8]>> {
    let name = path.strip_prefix('/').unwrap_or(path);
    let answer = match acquit_pdf::font_file(name) {
        Some(bytes) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "font/ttf")
            .header(header::CACHE_CONTROL, "max-age=31536000, immutable")
            .body(Cow::Borrowed(bytes)),
        None => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Cow::Borrowed(&b"no such font"[..])),
    };
    let mut answer = answer.expect("a response from constant parts");
    answer.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::HeaderValue::from_static("*"),
    );
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fonts_are_the_renderers_own_and_nothing_else_is_served() {
        for name in ["NotoSans-Regular.ttf", "NotoSans-Bold.ttf"] {
            let answer = font(&format!("/{name}"));
            assert_eq!(answer.status(), StatusCode::OK);
            assert_eq!(answer.headers()[header::CONTENT_TYPE], "font/ttf");
            assert_eq!(answer.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
            let file = std::fs::read(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("crates/pdf/fonts")
                    .join(name),
            )
            .unwrap();
            assert!(answer.body().as_ref() == file.as_slice(), "{name}");
        }
        for path in [
            "/",
            "/../Cargo.toml",
            "/NotoSans-Italic.ttf",
            "/notosans-regular.ttf",
        ] {
            assert_eq!(font(path).status(), StatusCode::NOT_FOUND, "{path}");
        }
    }
}
