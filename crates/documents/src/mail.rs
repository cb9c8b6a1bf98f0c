//! Mail sent by Acquit over the user's SMTP server: the server setting and
//! its password, and sending an invoice, a receipt, a reminder or a test
//! message, each recorded before and after the send so a click twice or a
//! crash mid-send never makes a second copy unseen.
//!
//! The server's settings are the books' (`mail.server`, nothing secret);
//! the password is in the OS keychain, or in `ACQUIT_SMTP_PASSWORD` for
//! scripts (used, never written anywhere). Without a server, sending stays
//! with the user's mail client (`xdg-email`, [`crate::send`]).

use acquit_core::ids::Email;
use acquit_mail::{Attachment, MailError, Outgoing, Server};
use acquit_secrets::{Keychain, KeychainError, Secret};
use acquit_store::{MailKind, NewMail, SentMail, Store, StoreError, StoredReminder};
use serde::{Deserialize, Serialize};

use crate::documents::{DocumentError, Rendering, render_pdf};
use crate::reminders::Reminder;
use crate::send::Message;

/// The setting recording the SMTP server (JSON, [`MailSettings`]); empty
/// once forgotten.
pub const MAIL_SETTING: &str = "mail.server";

/// Environment override of the SMTP password.
pub const SMTP_PASSWORD_ENV: &str = "ACQUIT_SMTP_PASSWORD";

/// What the books record about the mail server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSettings {
    pub server: Server,
    /// RFC 3339: when the login was last checked and saved.
    pub checked_at: String,
}

/// Why a mail was not sent, each saying what to do.
#[derive(Debug, thiserror::Error)]
pub enum SendMailError {
    #[error(
        "no mail server is set: set one with `acquit mail set --host … --port … --user … --security starttls|tls --from …` (password on stdin), or send through your mail client (--via email)"
    )]
    NotSet,
    #[error(
        "the password of {user} at {host} is not in the keychain: run `acquit mail set` again, or set {SMTP_PASSWORD_ENV}"
    )]
    PasswordMissing { user: String, host: String },
    #[error(
        "the mail server recorded in the books is unreadable ({0}): run `acquit mail set` again"
    )]
    Unreadable(String),
    #[error("{client} has no email address: add one (`acquit client edit ID --email …`)")]
    NoEmail { client: String },
    #[error("nothing was received on {number} yet: there is no receipt to send")]
    NoReceipt { number: String },
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error(transparent)]
    Document(#[from] DocumentError),
}

impl SendMailError {
    /// The user's to fix (exit 1), rather than a failure outside.
    pub fn is_user_fixable(&self) -> bool {
        match self {
            SendMailError::Mail(e) => e.is_user_fixable(),
            SendMailError::Store(StoreError::Rejected(_)) => true,
            SendMailError::Store(_)
            | SendMailError::Keychain(_)
            | SendMailError::Document(_)
            | SendMailError::Unreadable(_) => false,
            _ => true,
        }
    }
}

fn password_user(server: &Server) -> String {
    format!("smtp-password:{}@{}", server.user, server.host)
}

fn password_from_env() -> Option<Secret> {
    let value = std::env::var(SMTP_PASSWORD_ENV).ok()?;
    (!value.is_empty()).then(|| Secret::new(value))
}

/// Whether the password comes from `ACQUIT_SMTP_PASSWORD`.
pub fn password_in_env() -> bool {
    password_from_env().is_some()
}

/// The mail server recorded in `store`, if any.
pub fn settings(store: &Store) -> Result<Option<MailSettings>, SendMailError> {
    match store.setting(MAIL_SETTING)? {
        Some(text) if !text.trim().is_empty() => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| SendMailError::Unreadable(e.to_string())),
        _ => Ok(None),
    }
}

/// The server and its password, ready to send.
#[derive(Debug, Clone)]
pub struct Mailer {
    pub server: Server,
    password: Secret,
}

impl Mailer {
    /// The recorded server with its password (the environment's, else the
    /// keychain's).
    pub fn load(store: &Store) -> Result<Mailer, SendMailError> {
        let settings = settings(store)?.ok_or(SendMailError::NotSet)?;
        let server = settings.server;
        let password = match password_from_env() {
            Some(p) => p,
            None => Keychain::open()?
                .get(&password_user(&server))?
                .ok_or_else(|| SendMailError::PasswordMissing {
                    user: server.user.clone(),
                    host: server.host.clone(),
                })?,
        };
        Ok(Mailer { server, password })
    }

    pub fn new(server: Server, password: Secret) -> Mailer {
        Mailer { server, password }
    }

    /// Connects, secures and logs in, sending nothing.
    pub fn check(&self) -> Result<(), MailError> {
        acquit_mail::check(&self.server, &self.password)
    }
}

/// Checks that `server` takes `password` (connects, secures, logs in),
/// then records both: the password in `keychain` (`None` when it comes
/// from the environment), the rest in the books. Nothing is recorded when
/// the check fails.
pub fn set(
    store: &mut Store,
    mailer: &Mailer,
    keychain: Option<&Keychain>,
) -> Result<MailSettings, SendMailError> {
    acquit_mail::check(&mailer.server, &mailer.password)?;
    let previous = settings(store).ok().flatten();
    if let Some(keychain) = keychain {
        keychain.set(
            &password_user(&mailer.server),
            &format!(
                "Acquit: mail password ({} at {})",
                mailer.server.user, mailer.server.host
            ),
            &mailer.password,
        )?;
    }
    let settings = MailSettings {
        server: mailer.server.clone(),
        checked_at: chrono::Utc::now().to_rfc3339(),
    };
    store.set_setting(
        MAIL_SETTING,
        &serde_json::to_string(&settings).expect("MailSettings serializes"),
    )?;
    if let (Some(previous), Some(keychain)) = (previous, keychain)
        && password_user(&previous.server) != password_user(&mailer.server)
    {
        let _ = keychain.delete(&password_user(&previous.server));
    }
    Ok(settings)
}

/// Forgets the server and its password.
pub fn forget(store: &mut Store) -> Result<Option<MailSettings>, SendMailError> {
    let Some(settings) = settings(store)? else {
        return Ok(None);
    };
    if let Ok(keychain) = Keychain::open() {
        keychain.delete(&password_user(&settings.server))?;
    }
    store.set_setting(MAIL_SETTING, "")?;
    Ok(Some(settings))
}

/// Sends a short message to `to` (the settings work end to end).
pub fn send_test(
    store: &mut Store,
    mailer: &Mailer,
    to: &Email,
) -> Result<SentMail, SendMailError> {
    let subject = "Acquit : message de test / test message".to_owned();
    let text = format!(
        "Bonjour,\n\nCe message de test a été envoyé par Acquit via {host}.\n\
         Vos factures et relances partiront par ce serveur.\n\n\
         Hello,\n\nThis test message was sent by Acquit through {host}.\n\
         Your invoices and reminders will go out through this server.",
        host = mailer.server.host
    );
    deliver(
        store,
        mailer,
        None,
        MailKind::Test,
        to,
        None,
        subject,
        text,
        None,
        false,
    )
}

/// Sends the issued invoice `number` (`receipt`: the receipt of what was
/// paid) to its client, the PDF as `acquit invoice pdf` makes it
/// attached. Unless `again`, refused while a send of it is unfinished or
/// was just done.
pub fn send_invoice(
    store: &mut Store,
    mailer: &Mailer,
    number: &str,
    receipt: bool,
    again: bool,
) -> Result<SentMail, SendMailError> {
    let message = if receipt {
        crate::send::receipt(store, number)?.ok_or_else(|| SendMailError::NoReceipt {
            number: number.to_owned(),
        })?
    } else {
        crate::send::message(store, number)?
    };
    let to = recipient(store, number, &message)?;
    let pdf = render_pdf(store, number, None, Rendering::Current)?;
    let attachment = Attachment {
        file_name: format!("{number}.pdf"),
        content_type: "application/pdf".into(),
        bytes: pdf.bytes,
    };
    let kind = if receipt {
        MailKind::Receipt
    } else {
        MailKind::Invoice
    };
    let name = store.invoice(number)?.buyer.name;
    deliver(
        store,
        mailer,
        Some(number),
        kind,
        &to,
        Some(name),
        message.subject,
        message.body,
        Some(attachment),
        again,
    )
}

fn recipient(store: &Store, number: &str, message: &Message) -> Result<Email, SendMailError> {
    let client = store.invoice(number)?.buyer.name;
    let email = message
        .email
        .as_deref()
        .ok_or(SendMailError::NoEmail { client })?;
    Email::parse(email).map_err(|e| SendMailError::Store(StoreError::Decode(e.to_string())))
}

/// Sends `reminder` over SMTP, recorded as its step's reminder: reserved
/// with the Message-ID, then marked sent. A send the server surely refused
/// is forgotten, so the step can be sent again once fixed.
pub fn send_reminder(
    store: &mut Store,
    mailer: &Mailer,
    reminder: &Reminder,
) -> Result<StoredReminder, SendMailError> {
    let to = recipient(store, &reminder.number, &reminder.message)?;
    let message_id = acquit_mail::message_id(&mailer.server.from);
    let reserved = crate::reminders::record(
        store,
        reminder,
        acquit_store::ReminderVia::Smtp,
        Some(message_id.clone()),
    )?;
    // An invoice issued elsewhere without its former PDF is reminded of
    // without it: its number, amount and link are in the text.
    let pdf = crate::documents::attachable_pdf(store, &reminder.number)?;
    let outgoing = Outgoing {
        to,
        to_name: Some(reminder.client.clone()),
        reply_to: None,
        subject: reminder.message.subject.clone(),
        text: reminder.message.body.clone(),
        attachments: pdf
            .into_iter()
            .map(|pdf| Attachment {
                file_name: format!("{}.pdf", reminder.number),
                content_type: "application/pdf".into(),
                bytes: pdf.bytes,
            })
            .collect(),
        message_id,
    };
    match acquit_mail::send(&mailer.server, &mailer.password, &outgoing) {
        Ok(_) => {
            store.reminder_sent(reserved.id)?;
            Ok(store
                .reminders_of(&reminder.number)?
                .into_iter()
                .find(|r| r.id == reserved.id)
                .unwrap_or(reserved))
        }
        Err(error) => {
            if surely_not_sent(&error) {
                store.reminder_failed(reserved.id)?;
            }
            Err(error.into())
        }
    }
}

/// Whether the server surely did not take the message: it refused the
/// login or the recipient, could not be reached, or TLS failed before
/// anything was sent. A timeout or an unknown failure may come after the
/// message went out: those stay unfinished, for the user to check.
fn surely_not_sent(error: &MailError) -> bool {
    matches!(
        error,
        MailError::Build(_)
            | MailError::CaFile { .. }
            | MailError::Untrusted { .. }
            | MailError::Tls { .. }
            | MailError::Auth { .. }
            | MailError::Refused { .. }
            | MailError::Transient { .. }
    ) || matches!(error, MailError::Connect { detail, .. } if !detail.to_lowercase().contains("timed out"))
}

#[allow(clippy::too_many_arguments)]
fn deliver(
    store: &mut Store,
    mailer: &Mailer,
    number: Option<&str>,
    kind: MailKind,
    to: &Email,
    to_name: Option<String>,
    subject: String,
    text: String,
    attachment: Option<Attachment>,
    again: bool,
) -> Result<SentMail, SendMailError> {
    let message_id = acquit_mail::message_id(&mailer.server.from);
    let reserved = store.reserve_mail(
        number,
        &NewMail {
            kind,
            message_id: message_id.clone(),
            recipient: to.to_string(),
            subject: subject.clone(),
            attachment_sha256: attachment
                .as_ref()
                .map(|a| acquit_store::sha256_hex(&a.bytes)),
        },
        again,
    )?;
    let outgoing = Outgoing {
        to: to.clone(),
        to_name,
        reply_to: None,
        subject,
        text,
        attachments: attachment.into_iter().collect(),
        message_id,
    };
    match acquit_mail::send(&mailer.server, &mailer.password, &outgoing) {
        Ok(answer) => Ok(store.mail_sent(reserved.id, &answer)?),
        Err(error) => {
            if surely_not_sent(&error) {
                store.mail_failed(reserved.id, &error.to_string())?;
            }
            Err(error.into())
        }
    }
}
