//! Mail sent to a real SMTP server (aiosmtpd with STARTTLS or implicit
//! TLS, AUTH, a certificate from a throwaway CA), read back with Python's
//! own `email` package: what a client sees is what was meant, byte for
//! byte; every failure says what it is.

use acquit_core::ids::Email;
use acquit_mail::{Attachment, MailError, Outgoing, Security, Server, message_id, send};
use acquit_secrets::Secret;
use acquit_testkit::{SmtpMode, SmtpServer};

fn server(smtp: &SmtpServer, security: Security) -> Server {
    Server {
        host: "127.0.0.1".into(),
        port: smtp.port,
        user: SmtpServer::USER.into(),
        security,
        from: Email::parse("camille@nova.example").unwrap(),
        from_name: Some("Camille Roux — Nova Conseil".into()),
        ca_file: Some(smtp.ca()),
    }
}

fn password() -> Secret {
    Secret::new(SmtpServer::PASSWORD)
}

/// Every byte value, and more than one base64 line.
fn pdf_bytes() -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..40_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    bytes
}

fn outgoing(to: &str) -> Outgoing {
    let from = Email::parse("camille@nova.example").unwrap();
    Outgoing {
        to: Email::parse(to).unwrap(),
        to_name: Some("Léa Müller « Café Lumière »".into()),
        reply_to: Some(Email::parse("compta@nova.example").unwrap()),
        subject: "Facture F-2027-0007 \u{2013} 1\u{202f}234,56\u{a0}€ à régler avant le 14/02/2027"
            .into(),
        text: "Bonjour,\n\nVeuillez trouver ci-joint la facture F-2027-0007.\n\
               Vous pouvez la payer en ligne : https://relay.example/p/abc?x=1&y=2\n\n\
               Cordialement,"
            .into(),
        attachments: vec![Attachment {
            file_name: "F-2027-0007.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: pdf_bytes(),
        }],
        message_id: message_id(&from),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn assert_received_as_sent(smtp: &SmtpServer, mail: &Outgoing) {
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    let got = &received[0];
    let p = &got.parsed;
    assert_eq!(p["defects"], serde_json::json!([]), "{p}");
    assert_eq!(
        p["raw_ascii"], true,
        "headers and bodies are encoded to 7 bits"
    );
    assert_eq!(p["subject"], mail.subject.as_str());
    assert_eq!(p["from"][0]["name"], "Camille Roux — Nova Conseil");
    assert_eq!(p["from"][0]["address"], "camille@nova.example");
    assert_eq!(p["to"][0]["name"], "Léa Müller « Café Lumière »");
    assert_eq!(p["to"][0]["address"], mail.to.to_string().as_str());
    assert_eq!(p["reply_to"][0]["address"], "compta@nova.example");
    assert_eq!(p["message_id"], mail.message_id.as_str());
    assert!(p["date"].as_str().is_some_and(|d| !d.is_empty()));
    assert_eq!(p["content_type"], "multipart/mixed");
    // Text parts travel in MIME's canonical form, CRLF line ends.
    let text = p["text"].as_str().unwrap().replace("\r\n", "\n");
    assert_eq!(text.trim_end(), mail.text);
    let html = p["html"].as_str().unwrap();
    assert!(
        html.contains("<a href=\"https://relay.example/p/abc?x=1&amp;y=2\">"),
        "{html}"
    );
    let attachment = &p["attachments"][0];
    assert_eq!(attachment["filename"], "F-2027-0007.pdf");
    assert_eq!(attachment["content_type"], "application/pdf");
    assert_eq!(attachment["size"], mail.attachments[0].bytes.len());
    assert_eq!(
        attachment["sha256"],
        sha256_hex(&mail.attachments[0].bytes).as_str()
    );
    // The envelope: logged in as the user, to the one recipient.
    assert_eq!(got.envelope["login"], SmtpServer::USER);
    assert_eq!(
        got.envelope["rcpt_tos"],
        serde_json::json!([mail.to.to_string()])
    );
    // The password never travels in the message.
    let raw = String::from_utf8_lossy(&got.raw);
    assert!(!raw.contains("correct horse"));
}

#[test]
fn a_message_over_starttls_reads_back_as_written() {
    let smtp = SmtpServer::start(SmtpMode::Starttls);
    let mail = outgoing("lea@lumiere.example");
    let answer = send(&server(&smtp, Security::Starttls), &password(), &mail).unwrap();
    assert!(answer.contains("accepted"), "{answer}");
    assert_received_as_sent(&smtp, &mail);
}

#[test]
fn a_message_over_implicit_tls_reads_back_as_written() {
    let smtp = SmtpServer::start(SmtpMode::Tls);
    let mail = outgoing("lea@lumiere.example");
    send(&server(&smtp, Security::Tls), &password(), &mail).unwrap();
    assert_received_as_sent(&smtp, &mail);
}

#[test]
fn each_failure_says_what_it_is_and_nothing_is_sent() {
    let smtp = SmtpServer::start(SmtpMode::Starttls);
    let mail = outgoing("lea@lumiere.example");
    let config = server(&smtp, Security::Starttls);

    acquit_mail::check(&config, &password()).unwrap();
    let refused = acquit_mail::check(&config, &Secret::new("wrong")).unwrap_err();
    assert!(matches!(refused, MailError::Auth { .. }), "{refused:?}");
    let wrong = send(&config, &Secret::new("wrong"), &mail).unwrap_err();
    assert!(matches!(wrong, MailError::Auth { .. }), "{wrong:?}");
    assert!(
        wrong
            .to_string()
            .contains("refused the user name or password"),
        "{wrong}"
    );
    assert!(wrong.is_user_fixable());

    let untrusted = Server {
        ca_file: None,
        ..config.clone()
    };
    let error = send(&untrusted, &password(), &mail).unwrap_err();
    assert!(matches!(error, MailError::Untrusted { .. }), "{error:?}");
    assert!(error.to_string().contains("--ca-file"), "{error}");

    let denied = send(&config, &password(), &outgoing("someone@denied.example")).unwrap_err();
    assert!(matches!(denied, MailError::Refused { .. }), "{denied:?}");
    assert!(
        denied.to_string().contains("someone@denied.example"),
        "{denied}"
    );

    // Implicit TLS spoken to a STARTTLS port.
    let mismatch = Server {
        security: Security::Tls,
        ..config.clone()
    };
    let error = send(&mismatch, &password(), &mail).unwrap_err();
    assert!(
        matches!(error, MailError::Tls { .. } | MailError::Connect { .. }),
        "{error:?}"
    );

    let closed = Server {
        port: 9,
        ..config.clone()
    };
    let error = send(&closed, &password(), &mail).unwrap_err();
    assert!(matches!(error, MailError::Connect { .. }), "{error:?}");
    assert!(!error.is_user_fixable());

    let missing_ca = Server {
        ca_file: Some("/nonexistent/ca.pem".into()),
        ..config
    };
    let error = send(&missing_ca, &password(), &mail).unwrap_err();
    assert!(matches!(error, MailError::CaFile { .. }), "{error:?}");

    assert!(smtp.received().is_empty(), "nothing got through");
    // No error message carries the password.
    for e in [wrong.to_string(), denied.to_string()] {
        assert!(!e.contains("correct horse"), "{e}");
    }
}
