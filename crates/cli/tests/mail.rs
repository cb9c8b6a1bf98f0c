//! Mail sent by the real `acquit` binary to a real SMTP server (aiosmtpd,
//! STARTTLS, AUTH, a test CA), the password kept in a real keychain (GNOME
//! Keyring on a private bus): `mail set` checks the login before saving,
//! `mail test`, `send` with the PDF attached byte for byte, `remind --via
//! smtp`, never twice on a second click, and the password in no file,
//! argument or message.

mod common;

use std::process::{Command, Output};

use acquit_testkit::keyring::{Keyring, Provider};
use acquit_testkit::{SmtpMode, SmtpServer};
use common::Acquit;

struct World {
    acquit: Acquit,
    keyring: Keyring,
    smtp: SmtpServer,
}

impl World {
    fn new() -> World {
        let acquit = Acquit::new();
        common::sasu_company(&acquit, "Nova Conseil", "commercial-services");
        common::lumiere_client(&acquit);
        World {
            acquit,
            keyring: Keyring::start(Provider::Unlocked),
            smtp: SmtpServer::start(SmtpMode::Starttls),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = self.acquit.command(args);
        self.keyring.env(&mut command);
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "acquit {args:?}: {}",
            common::text(&out.stderr)
        );
        common::text(&out.stdout)
    }

    fn fails(&self, code: i32, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "acquit {args:?}: {}{}",
            common::text(&out.stdout),
            common::text(&out.stderr)
        );
        common::text(&out.stderr)
    }

    /// `acquit mail set` for the test server, `password` on stdin.
    fn set(&self, password: &str, ca: bool) -> Output {
        let port = self.smtp.port.to_string();
        let ca_file = self.smtp.ca();
        let mut args = vec![
            "mail",
            "set",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--user",
            SmtpServer::USER,
            "--security",
            "starttls",
            "--from",
            "camille@nova.example",
        ];
        if ca {
            args.extend(["--ca-file", ca_file.to_str().unwrap()]);
        }
        common::output_with_stdin(self.command(&args), &format!("{password}\n"))
    }

    fn issue(&self) -> String {
        common::issue(
            &self.acquit,
            &["--client", "1", "--due", "2026-02-14"],
            &[
                "--desc",
                "Audit — « étape 1 »",
                "--qty",
                "1",
                "--unit-price",
                "1028.80",
                "--vat",
                "20",
            ],
            "2026-01-15",
        )
    }
}

#[test]
fn mail_set_checks_the_login_before_saving_and_keeps_the_password_out_of_the_books() {
    let w = World::new();
    // A wrong password: refused, nothing saved.
    let wrong = w.set("not the password", true);
    assert_eq!(
        wrong.status.code(),
        Some(1),
        "{}",
        common::text(&wrong.stderr)
    );
    assert!(
        common::text(&wrong.stderr).contains("refused the user name or password"),
        "{}",
        common::text(&wrong.stderr)
    );
    let status = w.ok(&["mail", "status", "--json"]);
    assert!(status.contains("\"set\": false"), "{status}");
    // An untrusted certificate (no CA given): refused, says what to do.
    let untrusted = w.set(SmtpServer::PASSWORD, false);
    assert_eq!(untrusted.status.code(), Some(1));
    assert!(
        common::text(&untrusted.stderr).contains("--ca-file"),
        "{}",
        common::text(&untrusted.stderr)
    );
    // The right one.
    let out = w.set(SmtpServer::PASSWORD, true);
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    assert!(common::text(&out.stdout).contains("the login works"));
    let status: serde_json::Value =
        serde_json::from_str(&w.ok(&["mail", "status", "--json"])).unwrap();
    assert_eq!(status["login_ok"], true, "{status}");
    assert_eq!(status["security"], "starttls");

    // A test message arrives, through the keychain's password.
    let out = w.ok(&["mail", "test", "--to", "me@nova.example"]);
    assert!(
        out.contains("Test message sent to me@nova.example"),
        "{out}"
    );
    let received = w.smtp.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].envelope["login"], SmtpServer::USER);
    assert_eq!(received[0].parsed["from"][0]["name"], "Nova Conseil");

    // The password is in no file of the books' folder (database, WAL,
    // logs), and no message.
    let needle = SmtpServer::PASSWORD.as_bytes();
    for entry in walk(w.acquit.dir.path()) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(
            !bytes.windows(needle.len()).any(|win| win == needle),
            "the password is in {}",
            entry.display()
        );
    }
    assert!(
        !received[0]
            .raw
            .windows(needle.len())
            .any(|win| win == needle)
    );

    // Forgotten: the next send says so.
    w.ok(&["mail", "forget"]);
    let err = w.fails(1, &["mail", "test", "--to", "me@nova.example"]);
    assert!(err.contains("no mail server is set"), "{err}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        // The keyring's own files hold the password, as they must.
        if path.components().any(|c| c.as_os_str() == "keyrings") {
            continue;
        }
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn an_invoice_sent_by_mail_carries_the_pdf_byte_for_byte_once() {
    let w = World::new();
    let set = w.set(SmtpServer::PASSWORD, true);
    assert_eq!(set.status.code(), Some(0), "{}", common::text(&set.stderr));
    let number = w.issue();

    // SMTP is the default once a server is set.
    let out = w.ok(&["send", &number]);
    assert!(
        out.contains("invoice sent to compta@lumiere.example"),
        "{out}"
    );
    let received = w.smtp.received();
    assert_eq!(received.len(), 1);
    let mail = &received[0].parsed;
    assert_eq!(mail["defects"], serde_json::json!([]));
    assert_eq!(mail["subject"], format!("Facture {number}").as_str());
    assert_eq!(mail["to"][0]["name"], "Agence Lumière");
    assert_eq!(mail["to"][0]["address"], "compta@lumiere.example");
    assert!(
        mail["text"]
            .as_str()
            .unwrap()
            .contains("1\u{202f}234,56\u{a0}€"),
        "{mail}"
    );
    assert!(mail["html"].as_str().unwrap().contains(&number));
    // The attachment is `acquit invoice pdf`'s file, byte for byte.
    let pdf = w.acquit.dir.path().join("out.pdf");
    w.ok(&["invoice", "pdf", &number, "--out", pdf.to_str().unwrap()]);
    let bytes = std::fs::read(&pdf).unwrap();
    let attachment = &mail["attachments"][0];
    assert_eq!(attachment["filename"], format!("{number}.pdf").as_str());
    assert_eq!(attachment["content_type"], "application/pdf");
    assert_eq!(attachment["size"], bytes.len());
    assert_eq!(attachment["sha256"], acquit_store_sha(&bytes).as_str());

    // A second click: refused, nothing sent; --again sends it.
    let err = w.fails(1, &["send", &number]);
    assert!(
        err.contains("was just sent to compta@lumiere.example"),
        "{err}"
    );
    assert_eq!(w.smtp.received().len(), 1);
    w.ok(&["send", &number, "--again"]);
    assert_eq!(w.smtp.received().len(), 2);
    let both = w.smtp.received();
    assert_ne!(
        both[0].parsed["message_id"], both[1].parsed["message_id"],
        "each send has its own Message-ID"
    );

    // A recipient the server refuses: exit 1 with the reason, and trying
    // again later is no second copy (the refusal is recorded as failed).
    w.ok(&["client", "edit", "1", "--email", "boss@denied.example"]);
    let err = w.fails(1, &["send", &number, "--again"]);
    assert!(
        err.contains("refused to send to boss@denied.example"),
        "{err}"
    );
}

fn acquit_store_sha(bytes: &[u8]) -> String {
    acquit_store::sha256_hex(bytes)
}

#[test]
fn a_reminder_by_smtp_is_recorded_with_its_message_id_once() {
    let w = World::new();
    let set = w.set(SmtpServer::PASSWORD, true);
    assert_eq!(set.status.code(), Some(0), "{}", common::text(&set.stderr));
    let number = w.issue();
    let out = w.ok(&["remind", &number, "--date", "2026-03-31"]);
    assert!(
        out.contains("reminder +30 (reminder) compta@lumiere.example by mail"),
        "{out}"
    );
    let received = w.smtp.received();
    assert_eq!(received.len(), 1);
    let mail = &received[0].parsed;
    assert!(
        mail["subject"].as_str().unwrap().starts_with(&format!(
            "Relance\u{a0}: facture {number} échue le 14/02/2026"
        )),
        "{mail}"
    );
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("15,22\u{a0}€"), "{text}");
    assert!(text.contains("40,00\u{a0}€"), "{text}");
    let shown = w.acquit.json(&["invoice", "show", &number, "--json"]);
    let reminder = &shown["reminders"][0];
    assert_eq!(reminder["via"], "smtp");
    assert_eq!(reminder["sent"], true);
    assert_eq!(reminder["message_id"], mail["message_id"]);
    // The same step again: refused before anything is sent.
    let err = w.fails(1, &["remind", &number, "--date", "2026-03-31"]);
    assert!(err.contains("already reminded at this step"), "{err}");
    assert_eq!(w.smtp.received().len(), 1);
}

#[test]
fn a_recurring_schedule_mails_each_invoice_it_issues_once() {
    let w = World::new();
    let set = w.set(SmtpServer::PASSWORD, true);
    assert_eq!(set.status.code(), Some(0), "{}", common::text(&set.stderr));
    let draft = w.ok(&["invoice", "new", "--client", "1"]).trim().to_owned();
    w.ok(&[
        "invoice",
        "add-line",
        &draft,
        "--desc",
        "Maintenance",
        "--qty",
        "1",
        "--unit-price",
        "300",
        "--vat",
        "20",
    ]);
    // Mailing needs the invoices to be issued by themselves.
    let err = w.fails(
        1,
        &[
            "recurring",
            "add",
            "--from",
            &draft,
            "--every",
            "1m",
            "--start",
            "2026-01-15",
            "--issue",
            "draft",
            "--send",
            "mail",
        ],
    );
    assert!(err.contains("--issue auto with --send mail"), "{err}");
    w.ok(&[
        "recurring",
        "add",
        "--from",
        &draft,
        "--every",
        "1m",
        "--start",
        "2026-01-15",
        "--count",
        "3",
        "--send",
        "mail",
    ]);
    let out = w.ok(&["recurring", "run", "--until", "2026-03-31"]);
    for n in 1..=3 {
        assert!(
            out.contains(&format!("F-2026-000{n}: mailed to compta@lumiere.example")),
            "{out}"
        );
    }
    let received = w.smtp.received();
    assert_eq!(received.len(), 3);
    let mut subjects: Vec<String> = received
        .iter()
        .map(|m| m.parsed["subject"].as_str().unwrap().to_owned())
        .collect();
    subjects.sort();
    assert_eq!(
        subjects,
        [
            "Facture F-2026-0001",
            "Facture F-2026-0002",
            "Facture F-2026-0003"
        ]
    );
    assert_eq!(
        received[0].parsed["attachments"][0]["content_type"],
        "application/pdf"
    );
    // Run again: nothing made, nothing mailed twice.
    let again = w.ok(&["recurring", "run", "--until", "2026-03-31"]);
    assert!(!again.contains("mailed"), "{again}");
    assert_eq!(w.smtp.received().len(), 3);
}

/// A schedule that mails and makes links: with Stripe not connected, the
/// link waits for Stripe and so does the mail (the client gets the mail
/// with its link, not before it).
#[test]
fn a_recurring_mail_waits_for_its_payment_link() {
    let w = World::new();
    let set = w.set(SmtpServer::PASSWORD, true);
    assert_eq!(set.status.code(), Some(0), "{}", common::text(&set.stderr));
    let draft = w.ok(&["invoice", "new", "--client", "1"]).trim().to_owned();
    w.ok(&[
        "invoice",
        "add-line",
        &draft,
        "--desc",
        "Maintenance",
        "--qty",
        "1",
        "--unit-price",
        "300",
        "--vat",
        "20",
    ]);
    w.ok(&[
        "recurring",
        "add",
        "--from",
        &draft,
        "--every",
        "1m",
        "--start",
        "2026-01-15",
        "--count",
        "1",
        "--send",
        "mail",
        "--link",
    ]);
    let out = w.run(&["recurring", "run", "--until", "2026-01-31"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    assert!(
        common::text(&out.stdout).contains("issued F-2026-0001"),
        "{}",
        common::text(&out.stdout)
    );
    let err = common::text(&out.stderr);
    assert!(err.contains("payment links wait for Stripe"), "{err}");
    assert!(
        err.contains("F-2026-0001 was not mailed: waiting for its payment link"),
        "{err}"
    );
    assert!(w.smtp.received().is_empty());
    let links = w.ok(&["link", "list", "F-2026-0001", "--json"]);
    let links: serde_json::Value = serde_json::from_str(&links).unwrap();
    assert_eq!(links[0]["status"], "pending", "{links:#}");
}

/// An invoice issued in the former tool, imported without its PDF, is
/// reminded of by mail all the same: the text says what is due, no
/// attachment is invented.
#[test]
fn an_invoice_issued_elsewhere_is_reminded_of_without_a_pdf() {
    let w = World::new();
    let set = w.set(SmtpServer::PASSWORD, true);
    assert_eq!(set.status.code(), Some(0), "{}", common::text(&set.stderr));
    let file = w.acquit.dir.path().join("former.csv");
    std::fs::write(
        &file,
        "Numéro;Date;Client;Échéance;Taux TVA;Montant HT;TVA;Payée\n\
         ANC-0007;2026-01-15;Agence Lumière;2026-02-14;20;1 000,00;200,00;non\n",
    )
    .unwrap();
    w.ok(&[
        "import",
        "invoices",
        file.to_str().unwrap(),
        "--new-series",
        "changement de logiciel",
    ]);
    let out = w.ok(&["remind", "ANC-0007", "--date", "2026-03-31"]);
    assert!(out.contains("by mail"), "{out}");
    let received = w.smtp.received();
    assert_eq!(received.len(), 1);
    let mail = &received[0].parsed;
    assert!(
        mail["subject"].as_str().unwrap().contains("ANC-0007"),
        "{mail}"
    );
    assert!(
        mail["text"]
            .as_str()
            .unwrap()
            .contains("1\u{202f}200,00\u{a0}€"),
        "{mail}"
    );
    assert_eq!(mail["attachments"], serde_json::json!([]), "{mail}");
}
