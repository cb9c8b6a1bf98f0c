//! "Send" on the invoice screen: email (with the PDF attached through
//! `xdg-email` where it exists), WhatsApp, and the templates in Settings.
//! Everything is decided in `acquit_documents::send`; these commands only run
//! what it says.
//!
//! Debug builds with `ACQUIT_E2E_OPEN_LOG=<file>` append each program and
//! its arguments (one JSON line) to that file instead of running it: the
//! end-to-end tests check what would open without opening a mail client.

use std::io::Write;

use acquit_core::Lang;
use acquit_documents::send::{self, Launch};
use serde::{Deserialize, Serialize};
use tauri::{Manager, State};

use crate::commands::{Books, CommandError};

/// What the Send section shows before anything is sent.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SendPreview {
    /// The client's email, if any (else "Email" is disabled).
    pub email: Option<String>,
    /// The client's phone (E.164), if any (else "WhatsApp" is disabled).
    pub phone: Option<String>,
    pub subject: String,
    pub body: String,
    pub whatsapp_text: String,
    /// The receipt, once money came in (a payment recorded or synced).
    pub receipt: Option<ReceiptPreview>,
}

/// The receipt's message, from the receipt templates.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptPreview {
    pub subject: String,
    pub body: String,
    pub whatsapp_text: String,
}

/// The message for the issued invoice `number`, from the templates.
#[tauri::command]
#[specta::specta]
pub fn send_preview(books: State<'_, Books>, number: String) -> Result<SendPreview, CommandError> {
    let (m, receipt) = books.with(|store| {
        Ok::<_, acquit_store::StoreError>((
            send::message(store, &number)?,
            send::receipt(store, &number)?,
        ))
    })?;
    Ok(SendPreview {
        email: m.email,
        phone: m.phone,
        subject: m.subject,
        body: m.body,
        whatsapp_text: m.whatsapp_text,
        receipt: receipt.map(|r| ReceiptPreview {
            subject: r.subject,
            body: r.body,
            whatsapp_text: r.whatsapp_text,
        }),
    })
}

/// Saves the current PDF to the cache folder and opens the mail client
/// (`xdg-email --attach`, else the `mailto:` URL and the PDF's folder).
/// Returns where the PDF was saved.
#[tauri::command]
#[specta::specta]
pub fn send_email(
    app: tauri::AppHandle,
    books: State<'_, Books>,
    number: String,
) -> Result<String, CommandError> {
    email(&app, &books, &number, |store| {
        send::message(store, &number).map(Some)
    })
}

/// "Send receipt" by email: the current PDF (stamped once paid) attached
/// where `xdg-email` exists, the receipt template's subject and body.
#[tauri::command]
#[specta::specta]
pub fn send_receipt_email(
    app: tauri::AppHandle,
    books: State<'_, Books>,
    number: String,
) -> Result<String, CommandError> {
    email(&app, &books, &number, |store| send::receipt(store, &number))
}

/// "Send receipt" by WhatsApp: the receipt template, with the shared
/// invoice page's link when the invoice is shared.
#[tauri::command]
#[specta::specta]
pub fn send_receipt_whatsapp(books: State<'_, Books>, number: String) -> Result<(), CommandError> {
    let message = books
        .with(|store| send::receipt(store, &number))?
        .ok_or_else(|| CommandError::new(NO_PAYMENT))?;
    whatsapp(&message)
}

const NO_PAYMENT: &str = "no payment was received for this invoice yet: a receipt comes after one";

/// Saves the current PDF to the cache folder and opens the mail client with
/// the message `which` builds.
fn email(
    app: &tauri::AppHandle,
    books: &Books,
    number: &str,
    which: impl FnOnce(&acquit_store::Store) -> Result<Option<send::Message>, acquit_store::StoreError>,
) -> Result<String, CommandError> {
    let dir = app
        .path()
        .app_cache_dir()
        .map_err(|e| CommandError::new(format!("no cache folder: {e}")))?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| CommandError::new(format!("could not create {}: {e}", dir.display())))?;
    let pdf = dir.join(format!("{number}.pdf"));
    let (message, rendered) = books.with(|store| {
        let rendered = acquit_documents::render_pdf(
            store,
            number,
            None,
            acquit_documents::Rendering::Current,
        )?;
        Ok::<_, acquit_documents::DocumentError>((which(store)?, rendered))
    })?;
    let message = message.ok_or_else(|| CommandError::new(NO_PAYMENT))?;
    std::fs::write(&pdf, &rendered.bytes)
        .map_err(|e| CommandError::new(format!("could not save {}: {e}", pdf.display())))?;
    let launches = message
        .email_launches(Some(&pdf), send::on_path("xdg-email"))
        .ok_or_else(|| CommandError::new(no_email(message.lang)))?;
    launches.iter().try_for_each(launch)?;
    tracing::info!(%number, pdf = %pdf.display(), "email opened");
    Ok(pdf.display().to_string())
}

/// Opens WhatsApp (wa.me) with the message for the client's phone.
#[tauri::command]
#[specta::specta]
pub fn send_whatsapp(books: State<'_, Books>, number: String) -> Result<(), CommandError> {
    let message = books.with(|store| send::message(store, &number))?;
    whatsapp(&message)
}

fn whatsapp(message: &send::Message) -> Result<(), CommandError> {
    let url = message
        .whatsapp()
        .ok_or_else(|| CommandError::new("this client has no phone number: add it in Clients"))?;
    launch(&Launch {
        program: send::opener().into(),
        args: vec![url],
    })
}

/// A template Settings edits, named as its settings key spells it
/// ([`send::KINDS`]): the invoice's, then the receipt's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub enum TemplateKind {
    #[serde(rename = "email.subject")]
    EmailSubject,
    #[serde(rename = "email.body")]
    EmailBody,
    #[serde(rename = "whatsapp")]
    Whatsapp,
    #[serde(rename = "receipt.email.subject")]
    ReceiptEmailSubject,
    #[serde(rename = "receipt.email.body")]
    ReceiptEmailBody,
    #[serde(rename = "receipt.whatsapp")]
    ReceiptWhatsapp,
}

impl TemplateKind {
    /// In [`send::KINDS`]'s order (a test holds it).
    pub const ALL: [TemplateKind; 6] = [
        TemplateKind::EmailSubject,
        TemplateKind::EmailBody,
        TemplateKind::Whatsapp,
        TemplateKind::ReceiptEmailSubject,
        TemplateKind::ReceiptEmailBody,
        TemplateKind::ReceiptWhatsapp,
    ];

    /// Its name in `acquit_documents::send` and in its setting's key.
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateKind::EmailSubject => "email.subject",
            TemplateKind::EmailBody => "email.body",
            TemplateKind::Whatsapp => "whatsapp",
            TemplateKind::ReceiptEmailSubject => "receipt.email.subject",
            TemplateKind::ReceiptEmailBody => "receipt.email.body",
            TemplateKind::ReceiptWhatsapp => "receipt.whatsapp",
        }
    }
}

/// One template as Settings edits it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TemplateView {
    pub kind: TemplateKind,
    /// `fr`, `en`.
    pub lang: String,
    pub text: String,
    pub default_text: String,
}

/// Every template, in both languages.
#[tauri::command]
#[specta::specta]
pub fn send_templates(books: State<'_, Books>) -> Result<Vec<TemplateView>, CommandError> {
    books.with(|store| {
        let mut out = Vec::new();
        for lang in [Lang::Fr, Lang::En] {
            for kind in TemplateKind::ALL {
                let default_text = send::default_template(kind.as_str(), lang);
                out.push(TemplateView {
                    kind,
                    lang: lang.code().to_owned(),
                    text: send::template(store, kind.as_str(), lang)?,
                    default_text,
                });
            }
        }
        Ok::<_, acquit_store::StoreError>(out)
    })
}

/// Saves one template; an empty text puts the default back.
#[tauri::command]
#[specta::specta]
pub fn set_send_template(
    books: State<'_, Books>,
    kind: TemplateKind,
    lang: String,
    text: String,
) -> Result<(), CommandError> {
    let lang = crate::commands::lang(&lang)?;
    books.with(|store| store.set_setting(&send::setting_key(kind.as_str(), lang), &text))
}

fn no_email(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Ce client n'a pas d'e-mail : ajoutez-le dans Clients",
        Lang::En => "This client has no email: add it in Clients",
    }
}

/// Runs `l`, or, in a debug build with `ACQUIT_E2E_OPEN_LOG` set, appends it
/// to that file instead.
pub(crate) fn launch(l: &Launch) -> Result<(), CommandError> {
    if cfg!(debug_assertions)
        && let Some(path) = std::env::var_os("ACQUIT_E2E_OPEN_LOG")
    {
        let line = serde_json::to_string(l).map_err(|e| CommandError::new(e.to_string()))?;
        return std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| writeln!(f, "{line}"))
            .map_err(|e| CommandError::new(format!("could not log the launch: {e}")));
    }
    l.command()
        .spawn()
        .map(|_| ())
        .map_err(|e| CommandError::new(format!("could not run {}: {e}", l.program)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_kinds_are_the_sync_crates() {
        let names = TemplateKind::ALL.map(TemplateKind::as_str);
        assert_eq!(names, send::KINDS);
        for kind in TemplateKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }
}
