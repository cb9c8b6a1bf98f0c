//! `acquit mail set|test|status|forget` (the SMTP server Acquit sends
//! through; the password on stdin, kept in the OS keychain) and `acquit
//! send NUMBER` (an invoice, credit note or receipt to its client: by
//! SMTP when a server is set, else handed to the mail client or WhatsApp).

use std::path::{Path, PathBuf};

use acquit_core::ids::Email;
use acquit_documents::mail::{self, Mailer, SMTP_PASSWORD_ENV, SendMailError};
use acquit_documents::send::{Launch, on_path};
use acquit_mail::{Security, Server};
use acquit_secrets::{Keychain, Secret};
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::{CliError, open, parse, to_json};

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Set the SMTP server Acquit sends mail through: the login is checked
    /// before anything is saved; the password on stdin (or in
    /// ACQUIT_SMTP_PASSWORD), kept in the OS keychain
    Set(SetArgs),
    /// Send a test message through the server set
    Test {
        /// Where to send it
        #[arg(long, value_name = "ADDRESS")]
        to: String,
    },
    /// The server set, and whether it takes the login now
    Status {
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
    /// Forget the server and remove its password from the keychain
    Forget,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// The server's host name, e.g. smtp.example.fr
    #[arg(long, value_name = "HOST")]
    host: String,
    /// 587 for starttls, 465 for tls
    #[arg(long, value_name = "PORT")]
    port: u16,
    /// The login
    #[arg(long, value_name = "USER")]
    user: String,
    /// starttls (port 587) or tls (port 465); mail is never sent unencrypted
    #[arg(long, value_name = "MODE")]
    security: String,
    /// The sender's address (your account's, or one it may send as)
    #[arg(long, value_name = "ADDRESS")]
    from: String,
    /// The sender's name as clients see it [default: your company's name]
    #[arg(long, value_name = "NAME")]
    from_name: Option<String>,
    /// A CA certificate (PEM) to trust besides the system's, for a
    /// self-hosted server
    #[arg(long, value_name = "PEM")]
    ca_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The document's number: an invoice or a credit note
    #[arg(value_name = "NUMBER")]
    number: String,
    /// How: smtp (Acquit sends it, the PDF attached), email (your mail
    /// client), whatsapp [default: smtp when a server is set, else email]
    #[arg(long, value_name = "VIA")]
    via: Option<String>,
    /// Send the receipt of what was paid instead of the invoice
    #[arg(long)]
    receipt: bool,
    /// Send even though a send of it was just done or cut off
    #[arg(long)]
    again: bool,
}

pub(crate) fn mail_error(error: SendMailError) -> CliError {
    match error {
        SendMailError::Store(e) => CliError::Store(e),
        e if e.is_user_fixable() => CliError::rejected(e),
        e => CliError::Outside(e.to_string()),
    }
}

fn read_password() -> Result<Secret, CliError> {
    if let Ok(value) = std::env::var(SMTP_PASSWORD_ENV)
        && !value.is_empty()
    {
        return Ok(Secret::new(value));
    }
    crate::stdin::secret_line(
        "Type the mail account's password, then Enter:",
        "the password",
        "no password on stdin: pipe it in (`pass show mail | acquit mail set …`) or type it",
    )
    .map(Secret::new)
}

#[derive(Debug, Serialize)]
struct StatusJson {
    set: bool,
    host: Option<String>,
    port: Option<u16>,
    user: Option<String>,
    security: Option<&'static str>,
    from: Option<String>,
    /// Whether the server took the login just now.
    login_ok: Option<bool>,
    error: Option<String>,
}

pub fn run(command: MailCommand, path: &Path) -> Result<String, CliError> {
    match command {
        MailCommand::Set(args) => {
            // Everything typed is checked before the password is read.
            let security: Security = args.security.parse().map_err(CliError::rejected)?;
            let from = parse::id(Some(&args.from), Email::parse)?
                .ok_or_else(|| CliError::rejected("--from needs an address"))?;
            if args.host.trim().is_empty() || args.user.trim().is_empty() {
                return Err(CliError::rejected("--host and --user cannot be empty"));
            }
            if let Some(ca) = &args.ca_file
                && !ca.is_file()
            {
                return Err(CliError::rejected(format!(
                    "{} is not a file: give the PEM file of your server's certificate authority",
                    ca.display()
                )));
            }
            let mut store = open(path)?;
            let from_name = args
                .from_name
                .or_else(|| store.seller().ok().flatten().map(|s| s.printed_name()));
            let server = Server {
                host: args.host.trim().to_owned(),
                port: args.port,
                user: args.user.trim().to_owned(),
                security,
                from,
                from_name,
                ca_file: args.ca_file.map(|p| std::path::absolute(&p).unwrap_or(p)),
            };
            let password = read_password()?;
            let keychain = if mail::password_in_env() {
                None
            } else {
                Some(Keychain::open().map_err(|e| CliError::Outside(e.to_string()))?)
            };
            let settings = mail::set(
                &mut store,
                &Mailer::new(server, password),
                keychain.as_ref(),
            )
            .map_err(mail_error)?;
            Ok(format!(
                "Mail goes through {}:{} ({}) as {}, from {}; the login works; the password is in {}.\n",
                settings.server.host,
                settings.server.port,
                settings.server.security.as_str(),
                settings.server.user,
                settings.server.from,
                keychain.map_or_else(
                    || format!("{SMTP_PASSWORD_ENV} (not kept)"),
                    |k| k.describe()
                )
            ))
        }
        MailCommand::Test { to } => {
            let to = parse::id(Some(&to), Email::parse)?
                .ok_or_else(|| CliError::rejected("--to needs an address"))?;
            let mut store = open(path)?;
            let mailer = Mailer::load(&store).map_err(mail_error)?;
            let sent = mail::send_test(&mut store, &mailer, &to).map_err(mail_error)?;
            Ok(format!(
                "Test message sent to {} through {} ({}).\n",
                sent.recipient, mailer.server.host, sent.message_id
            ))
        }
        MailCommand::Status { json } => {
            let store = open(path)?;
            let Some(settings) = mail::settings(&store).map_err(mail_error)? else {
                if json {
                    return Ok(to_json(&StatusJson {
                        set: false,
                        host: None,
                        port: None,
                        user: None,
                        security: None,
                        from: None,
                        login_ok: None,
                        error: None,
                    }));
                }
                return Ok("No mail server is set: invoices and reminders open your mail client. Set one with `acquit mail set …`.\n".into());
            };
            let check = Mailer::load(&store)
                .map_err(|e| e.to_string())
                .and_then(|m| m.check().map_err(|e| e.to_string()));
            let s = settings.server;
            if json {
                return Ok(to_json(&StatusJson {
                    set: true,
                    host: Some(s.host),
                    port: Some(s.port),
                    user: Some(s.user),
                    security: Some(s.security.as_str()),
                    from: Some(s.from.to_string()),
                    login_ok: Some(check.is_ok()),
                    error: check.err(),
                }));
            }
            Ok(format!(
                "Mail goes through {}:{} ({}) as {}, from {}: {}.\n",
                s.host,
                s.port,
                s.security.as_str(),
                s.user,
                s.from,
                match check {
                    Ok(()) => "the login works".to_owned(),
                    Err(e) => format!("it does not work now: {e}"),
                }
            ))
        }
        MailCommand::Forget => {
            let mut store = open(path)?;
            Ok(match mail::forget(&mut store).map_err(mail_error)? {
                Some(s) => format!(
                    "Forgot the mail server {} and its password; invoices and reminders open your mail client again.\n",
                    s.server.host
                ),
                None => "No mail server was set.\n".into(),
            })
        }
    }
}

/// How a message leaves: by Acquit (SMTP) or handed to a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    Smtp,
    Email,
    Whatsapp,
}

impl Via {
    /// `--via` as typed, else SMTP when a server is set and the client has
    /// an email, else the mail client when it has one, else WhatsApp.
    pub(crate) fn choose(
        typed: Option<&str>,
        store: &acquit_store::Store,
        email: bool,
        phone: bool,
    ) -> Result<Via, CliError> {
        match typed.map(|v| v.trim().to_ascii_lowercase()) {
            Some(v) if v == "smtp" => Ok(Via::Smtp),
            Some(v) if v == "email" => Ok(Via::Email),
            Some(v) if v == "whatsapp" => Ok(Via::Whatsapp),
            Some(other) => Err(CliError::rejected(format!(
                "\"{other}\" is not a way to send: use smtp, email or whatsapp"
            ))),
            None if email && mail::settings(store).ok().flatten().is_some() => Ok(Via::Smtp),
            None if email => Ok(Via::Email),
            None if phone => Ok(Via::Whatsapp),
            None => Err(CliError::rejected(
                "the client has no email and no phone: add one (`acquit client edit ID --email …`)",
            )),
        }
    }
}

/// Hands a message to the user's mail client (`xdg-email` with the PDF
/// attached when given and the program is there, else the `mailto:` URL)
/// or to WhatsApp, and waits for the program to take it.
pub(crate) fn hand_over(
    via: Via,
    message: &acquit_documents::send::Message,
    client: &str,
    pdf: Option<&Path>,
) -> Result<&'static str, CliError> {
    let launches = match via {
        Via::Email => message
            .email_launches(pdf, on_path("xdg-email"))
            .ok_or_else(|| {
                CliError::rejected(format!(
                    "{client} has no email: add one with `acquit client edit ID --email …`, or use --via whatsapp"
                ))
            })?,
        Via::Whatsapp => vec![Launch::opening(message.whatsapp().ok_or_else(|| {
            CliError::rejected(format!(
                "{client} has no phone number: add one with `acquit client edit ID --phone …`, or use --via email"
            ))
        })?)],
        Via::Smtp => unreachable!("SMTP is sent by Acquit, not handed over"),
    };
    for launch in &launches {
        run_launch(launch)?;
    }
    Ok(match via {
        Via::Whatsapp => "WhatsApp",
        _ => "your mail client",
    })
}

/// Runs `launch` and waits for the program to take the message.
fn run_launch(launch: &Launch) -> Result<(), CliError> {
    let status = launch.command().status().map_err(|e| {
        CliError::Outside(format!(
            "could not start {} ({e}): install a mail client, or set a mail server (`acquit mail set`); nothing was recorded",
            launch.program
        ))
    })?;
    if !status.success() {
        return Err(CliError::Outside(format!(
            "{} failed ({status}): nothing was recorded; try again, or use another --via",
            launch.program
        )));
    }
    Ok(())
}

pub fn send(args: SendArgs, path: &Path) -> Result<String, CliError> {
    let mut store = open(path)?;
    let view = store.invoice(&args.number)?;
    let number = view.number.clone().unwrap_or_else(|| args.number.clone());
    let via = Via::choose(
        args.via.as_deref(),
        &store,
        view.buyer.email.is_some(),
        view.buyer.phone.is_some(),
    )?;
    if via == Via::Smtp {
        let mailer = Mailer::load(&store).map_err(mail_error)?;
        let sent = mail::send_invoice(&mut store, &mailer, &number, args.receipt, args.again)
            .map_err(mail_error)?;
        return Ok(format!(
            "{number}: {} sent to {} ({}).\n",
            if args.receipt { "receipt" } else { "invoice" },
            sent.recipient,
            sent.message_id
        ));
    }
    let message = if args.receipt {
        acquit_documents::send::receipt(&store, &number)?.ok_or_else(|| {
            CliError::rejected(format!(
                "nothing was received on {number} yet: there is no receipt to send"
            ))
        })?
    } else {
        acquit_documents::send::message(&store, &number)?
    };
    // The mail client attaches the PDF from a file: beside the books, so
    // it is still there when the message is sent.
    let pdf = if via == Via::Email {
        let rendered = acquit_documents::render_pdf(
            &store,
            &number,
            None,
            acquit_documents::Rendering::Current,
        )
        .map_err(crate::pdf::document_error)?;
        let dir = path.parent().unwrap_or(Path::new(".")).join("outbox");
        acquit_store::private::create_dir_all(&dir)
            .map_err(|e| CliError::Outside(format!("could not create {}: {e}", dir.display())))?;
        let file = dir.join(format!("{number}.pdf"));
        crate::pdf::write_atomically(&file, &rendered.bytes)?;
        Some(file)
    } else {
        None
    };
    let to = hand_over(via, &message, &view.buyer.name, pdf.as_deref())?;
    Ok(format!("{number}: handed to {to}.\n"))
}
