//! Mail and reminders in the app: the SMTP server in Settings (the login
//! checked before saving, the password in the keychain), "Email" sent by
//! Acquit through it once set, and the invoice's payment reminder (its
//! preview, then the send). Everything is decided in `acquit_documents::mail`
//! and `acquit_documents::reminders`, as for `acquit mail|send|remind`; sends
//! run on a blocking thread with their own connection (`on_own_connection`),
//! never under the UI's.

use acquit_core::Lang;
use acquit_core::ids::Email;
use acquit_core::reminders::format_rate;
use acquit_documents::mail::{self, MailSettings, Mailer};
use acquit_documents::reminders;
use acquit_mail::Server;
use acquit_secrets::{Keychain, Secret};
use acquit_store::{Rejection, ReminderVia, StoreError};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::choices::{MailSecurityChoice, ReminderToneChoice, ReminderViaChoice};
use crate::commands::{Books, CommandError};
use crate::forms::Form;
use crate::messages::{localize, say, ui_lang};
use crate::payments::on_own_connection;

/// The mail server form, as typed.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MailForm {
    pub host: String,
    pub port: String,
    pub user: String,
    pub security: MailSecurityChoice,
    pub from: String,
    pub from_name: Option<String>,
    /// A CA certificate (PEM) for a self-hosted server.
    pub ca_file: Option<String>,
}

/// The mail server in use (never the password).
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MailView {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub security: MailSecurityChoice,
    pub from: String,
    pub from_name: Option<String>,
    pub ca_file: Option<String>,
    /// RFC 3339: when the login was checked and saved.
    pub checked_at: String,
    /// The password comes from ACQUIT_SMTP_PASSWORD, not the keychain.
    pub password_in_env: bool,
}

fn view(settings: MailSettings) -> MailView {
    let s = settings.server;
    MailView {
        host: s.host,
        port: s.port,
        user: s.user,
        security: s.security.into(),
        from: s.from.to_string(),
        from_name: s.from_name,
        ca_file: s.ca_file.map(|p| p.display().to_string()),
        checked_at: settings.checked_at,
        password_in_env: mail::password_in_env(),
    }
}

/// The mail server set, if any.
#[tauri::command]
#[specta::specta]
pub fn mail_settings(books: State<'_, Books>) -> Result<Option<MailView>, CommandError> {
    Ok(books.with(|store| mail::settings(store))?.map(view))
}

/// Checks the login with `password`, then keeps the server in the books and
/// the password in the keychain; each wrong field comes back next to it.
#[tauri::command]
#[specta::specta]
pub async fn set_mail(
    books: State<'_, Books>,
    form: MailForm,
    password: String,
) -> Result<MailView, CommandError> {
    let mut f = Form::default();
    let host = f.text(
        "host",
        &form.host,
        &say("Indiquez le serveur", "Give the server"),
    );
    let port = f.required("port", &form.port, |p| {
        p.trim().parse::<u16>().map_err(|_| {
            say(
                "Le port est un nombre : 587 (STARTTLS) ou 465 (TLS)",
                "The port is a number: 587 (STARTTLS) or 465 (TLS)",
            )
        })
    });
    let user = f.text(
        "user",
        &form.user,
        &say("Indiquez l’identifiant", "Give the login"),
    );
    let from = f.required("from", &form.from, Email::parse);
    let ca_file = form
        .ca_file
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(std::path::PathBuf::from);
    if let Some(path) = &ca_file
        && !path.is_file()
    {
        f.error(
            "caFile",
            say(
                "Ce fichier n’existe pas : indiquez le certificat (PEM) de l’autorité de votre serveur",
                "This file does not exist: give the PEM certificate of your server's authority",
            ),
        );
    }
    if password.is_empty() {
        f.error(
            "password",
            say("Indiquez le mot de passe", "Give the password"),
        );
    }
    f.finish()?;
    let (Some(host), Some(port), Some(user), Some(from)) = (host, port, user, from) else {
        return Err(CommandError::new("the form is incomplete"));
    };
    let server = Server {
        host,
        port,
        user,
        security: form.security.into(),
        from,
        from_name: form
            .from_name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
        ca_file,
    };
    let settings = on_own_connection(&books, move |store| {
        let mut server = server;
        if server.from_name.is_none() {
            server.from_name = store.seller().ok().flatten().map(|s| s.printed_name());
        }
        let keychain = if mail::password_in_env() {
            None
        } else {
            Some(Keychain::open().map_err(|e| localize(&e))?)
        };
        mail::set(
            store,
            &Mailer::new(server, Secret::new(password)),
            keychain.as_ref(),
        )
        .map_err(|e| localize(&e))
    })
    .await?;
    Ok(view(settings))
}

/// Sends a test message to `to` through the server set.
#[tauri::command]
#[specta::specta]
pub async fn test_mail(books: State<'_, Books>, to: String) -> Result<String, CommandError> {
    let to = Email::parse(&to).map_err(|e| CommandError::field("testTo", localize(&e)))?;
    on_own_connection(&books, move |store| {
        let mailer = Mailer::load(store).map_err(|e| localize(&e))?;
        let sent = mail::send_test(store, &mailer, &to).map_err(|e| localize(&e))?;
        Ok(say(
            &format!("Message de test envoyé à {}", sent.recipient),
            &format!("Test message sent to {}", sent.recipient),
        ))
    })
    .await
}

/// Forgets the server and its password: "Email" opens the mail client
/// again.
#[tauri::command]
#[specta::specta]
pub async fn forget_mail(books: State<'_, Books>) -> Result<(), CommandError> {
    on_own_connection(&books, |store| {
        mail::forget(store).map(|_| ()).map_err(|e| localize(&e))
    })
    .await
}

/// "Email" once a mail server is set: Acquit sends the invoice (or its
/// receipt) itself, the current PDF attached; `again` confirms a second
/// send after "just sent" or an interrupted one.
#[tauri::command]
#[specta::specta]
pub async fn mail_invoice(
    books: State<'_, Books>,
    number: String,
    receipt: bool,
    again: bool,
) -> Result<String, CommandError> {
    on_own_connection(&books, move |store| {
        let mailer = Mailer::load(store).map_err(|e| localize(&e))?;
        let sent = mail::send_invoice(store, &mailer, &number, receipt, again)
            .map_err(|e| localize(&e))?;
        Ok(say(
            &format!("Envoyée à {}", sent.recipient),
            &format!("Sent to {}", sent.recipient),
        ))
    })
    .await
}

/// The invoice's payment reminder as the invoice screen shows it.
#[derive(Debug, Clone, Default, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ReminderPreview {
    /// Days from the due date (negative: before it).
    pub step: i32,
    /// None when `blocked`.
    pub tone: Option<ReminderToneChoice>,
    pub days_late: u32,
    /// In the UI's language.
    pub amount_due: String,
    pub penalties: Option<String>,
    pub rate: Option<String>,
    pub indemnity: Option<String>,
    /// The message, in the client's language.
    pub subject: String,
    pub body: String,
    pub whatsapp_text: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// A mail server is set: "Send" goes through it.
    pub smtp: bool,
    /// Why no reminder can go today (already reminded today, at this step,
    /// the client said never), in the UI's language.
    pub blocked: Option<String>,
}

/// The reminder `number` would get today; none for an invoice that takes
/// no reminder (paid, not yet due for one, no due date).
#[tauri::command]
#[specta::specta]
pub fn reminder_preview(
    books: State<'_, Books>,
    number: String,
) -> Result<Option<ReminderPreview>, CommandError> {
    books.with(|store| {
        let view = store.invoice(&number)?;
        // Paid, a credit note, no due date, or a SEPA debit under way:
        // nothing to remind.
        if view.kind.is_credit_note()
            || !view.status.awaits_payment()
            || view.status == acquit_core::InvoiceStatus::Processing
            || view.due_date.is_none()
        {
            return Ok::<_, StoreError>(None);
        }
        let today = acquit_store::today();
        let smtp = mail::settings(store).ok().flatten().is_some();
        let reminder = match reminders::prepare(store, &number, today) {
            Ok(r) => r,
            Err(StoreError::Rejected(r @ Rejection::AlreadyReminded { .. })) => {
                return Ok(Some(blocked(localize(&r), smtp)));
            }
            Err(StoreError::Rejected(Rejection::Invalid(_)))
                if store.client(view.client_id)?.no_reminders =>
            {
                return Ok(Some(blocked(
                    say(
                        "Ce client ne reçoit jamais de relance (voir sa fiche)",
                        "This client never gets reminders (see their profile)",
                    ),
                    smtp,
                )));
            }
            Err(e) => return Err(e),
        };
        let lang = ui_lang();
        let c = &reminder.charges;
        Ok(Some(ReminderPreview {
            step: reminder.step.offset,
            tone: Some(reminder.step.tone.into()),
            days_late: c.days_late,
            amount_due: reminder.amount_due.format(lang),
            penalties: c.penalties.is_positive().then(|| c.penalties.format(lang)),
            rate: c
                .penalties
                .is_positive()
                .then(|| format_rate(c.rate_bp, lang)),
            indemnity: c.indemnity.map(|m| m.format(lang)),
            subject: reminder.message.subject,
            body: reminder.message.body,
            whatsapp_text: reminder.message.whatsapp_text,
            email: reminder.email,
            phone: reminder.phone,
            smtp,
            blocked: None,
        }))
    })
}

fn blocked(why: String, smtp: bool) -> ReminderPreview {
    ReminderPreview {
        smtp,
        blocked: Some(why),
        ..ReminderPreview::default()
    }
}

/// Sends today's reminder of `number`: `smtp` (by Acquit), `email` (the
/// mail client) or `whatsapp`; recorded on the invoice's history.
#[tauri::command]
#[specta::specta]
pub async fn send_reminder(
    books: State<'_, Books>,
    number: String,
    via: ReminderViaChoice,
) -> Result<String, CommandError> {
    let via = ReminderVia::from(via);
    on_own_connection(&books, move |store| {
        let today = acquit_store::today();
        let reminder = reminders::prepare(store, &number, today).map_err(|e| localize(&e))?;
        match via {
            ReminderVia::Smtp => {
                let mailer = Mailer::load(store).map_err(|e| localize(&e))?;
                mail::send_reminder(store, &mailer, &reminder).map_err(|e| localize(&e))?;
                let to = reminder.email.unwrap_or_default();
                Ok(say(
                    &format!("Relance envoyée à {to}"),
                    &format!("Reminder sent to {to}"),
                ))
            }
            ReminderVia::Email | ReminderVia::Whatsapp => {
                // The same hand-over as an invoice sent by email
                // (`Message::email_launches`: xdg-email when there is one,
                // else the mailto: URL), without a PDF.
                let launches = match via {
                    ReminderVia::Email => reminder
                        .message
                        .email_launches(None, acquit_documents::send::on_path("xdg-email")),
                    _ => reminder
                        .message
                        .whatsapp()
                        .map(|url| vec![acquit_documents::send::Launch::opening(url)]),
                }
                .ok_or_else(|| {
                    say(
                        "Ce client n’a pas de coordonnée pour ce moyen\u{a0}: complétez sa fiche",
                        "This client has no address for this: complete their profile",
                    )
                })?;
                for launch in &launches {
                    crate::send::launch(launch).map_err(|e| e.message)?;
                }
                reminders::record(store, &reminder, via, None).map_err(|e| localize(&e))?;
                Ok(match via {
                    ReminderVia::Email => say(
                        "Relance ouverte dans votre messagerie",
                        "Reminder opened in your mail client",
                    ),
                    _ => say(
                        "Relance ouverte dans WhatsApp",
                        "Reminder opened in WhatsApp",
                    ),
                })
            }
        }
    })
    .await
}

/// One invoice to remind today, for the home screen.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DueReminder {
    pub number: String,
    pub client: String,
    pub step: i32,
    pub tone: ReminderToneChoice,
    pub amount_due: String,
    pub penalties: Option<String>,
}

/// The reminders due today: how many, and the first few of them.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RemindersDue {
    pub total: u32,
    /// Oldest due date first, at most [`REMINDERS_SHOWN`].
    pub first: Vec<DueReminder>,
}

/// How many due reminders the home screen lists (the rest are counted).
const REMINDERS_SHOWN: usize = 20;

/// The reminders due today (the schedule's latest step not yet sent).
#[tauri::command]
#[specta::specta]
pub fn reminders_due(books: State<'_, Books>, lang: String) -> Result<RemindersDue, CommandError> {
    // The screen's language, asked with the call (as the dashboard's):
    // the app-wide one may not have changed yet when the screen asks.
    let lang: Lang = crate::commands::lang(&lang)?;
    books.with(|store| {
        let (first, total) = reminders::due_first(store, acquit_store::today(), REMINDERS_SHOWN)?;
        Ok::<_, StoreError>(RemindersDue {
            total: u32::try_from(total).unwrap_or(u32::MAX),
            first: first
                .into_iter()
                .map(|r| DueReminder {
                    number: r.number,
                    client: r.client,
                    step: r.step.offset,
                    tone: r.step.tone.into(),
                    amount_due: r.amount_due.format(lang),
                    penalties: r
                        .charges
                        .penalties
                        .is_positive()
                        .then(|| r.charges.penalties.format(lang)),
                })
                .collect(),
        })
    })
}
