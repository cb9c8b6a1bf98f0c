//! Mail sent by Acquit itself: a MIME message built from an [`Outgoing`]
//! and handed to the user's SMTP server ([`Server`]) over TLS.
//!
//! - **The message**: `multipart/alternative` text and HTML (the HTML made
//!   from the text, escaped, links clickable), inside `multipart/mixed`
//!   when files are attached, each attached byte for byte (base64). UTF-8
//!   subjects and names are encoded (RFC 2047) by lettre; `Message-ID` is
//!   ours, made before the send ([`message_id`]) so the books can record
//!   it first; `Date` and `Reply-To` are set.
//! - **The connection**: STARTTLS required (no plaintext fallback) or TLS
//!   from the first byte; the certificate is checked against the system's
//!   roots, plus a CA file the user gives for a self-hosted server; the
//!   password is sent only inside TLS. A failure says what to do
//!   ([`MailError`]).

use std::path::PathBuf;
use std::time::Duration;

use acquit_core::ids::Email;
use acquit_secrets::Secret;
use lettre::message::header::ContentType;
use lettre::message::{Attachment as LettreAttachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use serde::{Deserialize, Serialize};

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// A plain connection upgraded with STARTTLS before anything else
    /// (usually port 587); a server that does not offer it is refused.
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl Security {
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Starttls => "starttls",
            Security::Tls => "tls",
        }
    }
}

impl std::str::FromStr for Security {
    type Err = String;
    fn from_str(s: &str) -> Result<Security, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "starttls" => Ok(Security::Starttls),
            "tls" | "ssl" => Ok(Security::Tls),
            other => Err(format!(
                "\"{other}\" is not a way to secure mail: use starttls (port 587) or tls (port 465)"
            )),
        }
    }
}

/// The user's SMTP server: nothing secret (the password is apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub security: Security,
    /// The sender's address.
    pub from: Email,
    /// The sender's name, as the client sees it.
    pub from_name: Option<String>,
    /// A CA certificate (PEM) trusted besides the system's, for a
    /// self-hosted server.
    pub ca_file: Option<PathBuf>,
}

/// A file attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub file_name: String,
    /// `application/pdf`, …
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub to: Email,
    pub to_name: Option<String>,
    pub reply_to: Option<Email>,
    pub subject: String,
    /// The text; the HTML part is made from it.
    pub text: String,
    pub attachments: Vec<Attachment>,
    /// `<…@…>`, from [`message_id`].
    pub message_id: String,
}

/// Why a message was not sent, each saying what to do.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the message cannot be built: {0}")]
    Build(String),
    #[error(
        "the CA file {path} cannot be used ({reason}): give the PEM file of your server's certificate authority"
    )]
    CaFile { path: PathBuf, reason: String },
    #[error(
        "{host}:{port} did not answer ({detail}): check the host and port (587 for starttls, 465 for tls) and your connection"
    )]
    Connect {
        host: String,
        port: u16,
        detail: String,
    },
    #[error(
        "the certificate of {host} is not trusted ({detail}): if it is your own server, give its CA with --ca-file; otherwise check the host name"
    )]
    Untrusted { host: String, detail: String },
    #[error(
        "TLS with {host}:{port} failed ({detail}): check --security (starttls for port 587, tls for port 465)"
    )]
    Tls {
        host: String,
        port: u16,
        detail: String,
    },
    #[error(
        "{host} refused the user name or password ({detail}): check them (`acquit mail set …`, password on stdin); some providers need an app password"
    )]
    Auth { host: String, detail: String },
    #[error(
        "{host} refused to send to {to} ({detail}): check the address; a server that denies relaying wants the sender to be your own account's address"
    )]
    Refused {
        host: String,
        to: String,
        detail: String,
    },
    #[error("{host} could not take the message now ({detail}): try again later")]
    Transient { host: String, detail: String },
    #[error("{host} failed ({detail})")]
    Other { host: String, detail: String },
}

impl MailError {
    /// The user's to fix (wrong settings or address), rather than a
    /// failure outside.
    pub fn is_user_fixable(&self) -> bool {
        !matches!(
            self,
            MailError::Connect { .. } | MailError::Transient { .. } | MailError::Other { .. }
        )
    }
}

/// A new Message-ID at the sender's domain: 128 random bits.
pub fn message_id(from: &Email) -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS random source");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("<{hex}.acquit@{}>", from.domain())
}

fn mailbox(name: Option<&str>, address: &Email) -> Result<Mailbox, MailError> {
    let address = address
        .to_string()
        .parse()
        .map_err(|e| MailError::Build(format!("{address}: {e}")))?;
    Ok(Mailbox::new(
        name.map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
        address,
    ))
}

/// The HTML part: the text escaped, paragraphs kept, URLs as links.
pub fn html_of(text: &str) -> String {
    let mut out = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family:sans-serif;line-height:1.5\">",
    );
    for paragraph in text.split("\n\n") {
        out.push_str("<p>");
        for (i, line) in paragraph.lines().enumerate() {
            if i > 0 {
                out.push_str("<br>");
            }
            for (j, word) in line.split(' ').enumerate() {
                if j > 0 {
                    out.push(' ');
                }
                if word.starts_with("https://") || word.starts_with("http://") {
                    let escaped = escape(word);
                    out.push_str(&format!("<a href=\"{escaped}\">{escaped}</a>"));
                } else {
                    out.push_str(&escape(word));
                }
            }
        }
        out.push_str("</p>");
    }
    out.push_str("</body></html>");
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The message as it goes over the wire.
pub fn build(server: &Server, mail: &Outgoing) -> Result<Message, MailError> {
    let build = |e: lettre::error::Error| MailError::Build(e.to_string());
    let mut builder = Message::builder()
        .from(mailbox(server.from_name.as_deref(), &server.from)?)
        .to(mailbox(mail.to_name.as_deref(), &mail.to)?)
        .subject(mail.subject.replace(['\r', '\n'], " "))
        .message_id(Some(mail.message_id.clone()))
        .date_now()
        .user_agent("Acquit".to_owned());
    if let Some(reply_to) = &mail.reply_to {
        builder = builder.reply_to(mailbox(server.from_name.as_deref(), reply_to)?);
    }
    let alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(mail.text.clone()))
        .singlepart(SinglePart::html(html_of(&mail.text)));
    let message = if mail.attachments.is_empty() {
        builder.multipart(alternative).map_err(build)?
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for file in &mail.attachments {
            let content_type = ContentType::parse(&file.content_type)
                .map_err(|e| MailError::Build(format!("{}: {e}", file.content_type)))?;
            mixed = mixed.singlepart(
                LettreAttachment::new(file.file_name.clone())
                    .body(file.bytes.clone(), content_type),
            );
        }
        builder.multipart(mixed).map_err(build)?
    };
    Ok(message)
}

fn tls_parameters(server: &Server) -> Result<TlsParameters, MailError> {
    let mut builder = TlsParameters::builder(server.host.clone());
    if let Some(path) = &server.ca_file {
        let pem = std::fs::read(path).map_err(|e| MailError::CaFile {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let cert = Certificate::from_pem(&pem).map_err(|e| MailError::CaFile {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        builder = builder.add_root_certificate(cert);
    }
    builder.build_rustls().map_err(|e| MailError::Tls {
        host: server.host.clone(),
        port: server.port,
        detail: e.to_string(),
    })
}

/// The whole chain of `error`'s causes, as one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

fn classify(
    server: &Server,
    to: Option<&Email>,
    error: &lettre::transport::smtp::Error,
) -> MailError {
    let host = server.host.clone();
    let detail = chain(error);
    let lower = detail.to_lowercase();
    if lower.contains("certificate") || lower.contains("unknownissuer") {
        return MailError::Untrusted { host, detail };
    }
    if let Some(code) = error.status() {
        let code = code.to_string();
        if code == "535" || code == "534" || code == "530" && lower.contains("auth") {
            return MailError::Auth { host, detail };
        }
        if error.is_transient() {
            return MailError::Transient { host, detail };
        }
        if code.starts_with("55") {
            return MailError::Refused {
                host,
                to: to.map(ToString::to_string).unwrap_or_default(),
                detail,
            };
        }
        return MailError::Other { host, detail };
    }
    if error.is_tls() || lower.contains("tls") || lower.contains("handshake") {
        return MailError::Tls {
            host,
            port: server.port,
            detail,
        };
    }
    if error.is_timeout() || lower.contains("connection") || lower.contains("network") {
        return MailError::Connect {
            host,
            port: server.port,
            detail,
        };
    }
    MailError::Other { host, detail }
}

/// Sends `mail` through `server`, logging in as its user with `password`.
/// Returns once the server accepted the message (its answer's text).
pub fn send(server: &Server, password: &Secret, mail: &Outgoing) -> Result<String, MailError> {
    let message = build(server, mail)?;
    let response = transport(server, password)?
        .send(&message)
        .map_err(|e| classify(server, Some(&mail.to), &e))?;
    Ok(response.message().collect::<Vec<_>>().join(" "))
}

/// Connects, secures the connection and logs in, without sending
/// anything: the settings work.
pub fn check(server: &Server, password: &Secret) -> Result<(), MailError> {
    match transport(server, password)?.test_connection() {
        Ok(true) => Ok(()),
        Ok(false) => Err(MailError::Other {
            host: server.host.clone(),
            detail: "the connection closed after logging in".into(),
        }),
        Err(e) => Err(classify(server, None, &e)),
    }
}

fn transport(server: &Server, password: &Secret) -> Result<SmtpTransport, MailError> {
    let tls = tls_parameters(server)?;
    Ok(SmtpTransport::builder_dangerous(server.host.clone())
        .port(server.port)
        .tls(match server.security {
            Security::Starttls => Tls::Required(tls),
            Security::Tls => Tls::Wrapper(tls),
        })
        .credentials(Credentials::new(
            server.user.clone(),
            password.expose().to_owned(),
        ))
        .timeout(Some(Duration::from_secs(30)))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_html_part_is_escaped_and_links_are_clickable() {
        let html =
            html_of("Bonjour <Léa> & co,\n\nPayez ici : https://x.example/p/a?b=1&c=2\nMerci");
        assert!(
            html.contains("<p>Bonjour &lt;Léa&gt; &amp; co,</p>"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"https://x.example/p/a?b=1&amp;c=2\">https://x.example/p/a?b=1&amp;c=2</a><br>Merci"),
            "{html}"
        );
    }

    #[test]
    fn message_ids_are_unique_at_the_senders_domain() {
        let from = Email::parse("camille@Nova.Example").unwrap();
        let a = message_id(&from);
        assert!(
            a.starts_with('<') && a.ends_with(".acquit@nova.example>"),
            "{a}"
        );
        assert_ne!(a, message_id(&from));
    }

    #[test]
    fn security_names() {
        assert_eq!("STARTTLS".parse::<Security>(), Ok(Security::Starttls));
        assert_eq!("ssl".parse::<Security>(), Ok(Security::Tls));
        assert!("none".parse::<Security>().unwrap_err().contains("starttls"));
    }
}
