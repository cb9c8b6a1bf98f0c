//! The real `acquit` binary on a private database, for the CLI's test
//! binaries. Each test binary uses part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

/// A private database (and a private HOME, so nothing can reach the user's
/// real default database) for one test.
pub struct Acquit {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    /// The day every command takes for today (`ACQUIT_TODAY`), else the
    /// real one.
    pub today: Option<String>,
}

impl Acquit {
    pub fn new() -> Acquit {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("acquit.db");
        Acquit {
            dir,
            db,
            today: None,
        }
    }

    /// The same, living on `day` (YYYY-MM-DD): a test of what the law asks
    /// from a date to come issues documents on that date, which is never
    /// after today.
    pub fn on_day(day: &str) -> Acquit {
        Acquit {
            today: Some(day.to_owned()),
            ..Acquit::new()
        }
    }

    /// `acquit` with `ACQUIT_DB` pointing at this test's database.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_acquit"));
        command
            .args(args)
            .env("ACQUIT_DB", &self.db)
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            // Never the real VIES from a test: a closed port is "offline"
            // (tests/vies.rs points it at the fake).
            .env("ACQUIT_VIES_URL", "http://127.0.0.1:9");
        if let Some(day) = &self.today {
            command.env("ACQUIT_TODAY", day);
        }
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "acquit {args:?} failed: {}",
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// Runs a command that must exit with `code`; returns its stderr.
    pub fn fails(&self, code: i32, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "acquit {args:?}: expected exit {code}; stdout: {}; stderr: {}",
            text(&out.stdout),
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "acquit {args:?} printed on stdout");
        text(&out.stderr)
    }

    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }
}

/// Runs `command` with `stdin` written to it, keeping its output. A command
/// that refuses early may exit before reading: a broken pipe is ignored.
pub fn output_with_stdin(mut command: Command, stdin: &str) -> Output {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

/// `client add` arguments of a UK business invoiced without French VAT
/// (services outside the EU), in London: the e-invoicing tests' client
/// abroad.
pub const UK_CLIENT: &[&str] = &[
    "--name",
    "Thames Digital Ltd",
    "--vat-exemption",
    "services-outside-eu",
    "--street",
    "1 Canada Square",
    "--postcode",
    "E14 5AB",
    "--city",
    "London",
    "--country",
    "GB",
    "--email",
    "ap@thames.example",
];

/// Adds client 1 of the mail and reminder tests: a French business
/// (SIREN, email, Lyon address), VIES not asked.
pub fn lumiere_client(acquit: &Acquit) {
    acquit.ok(&[
        "client",
        "add",
        "--name",
        "Agence Lumière",
        "--siren",
        "732829320",
        "--email",
        "compta@lumiere.example",
        "--address",
        "3 quai Rambaud, 69002 Lyon",
        "--offline",
    ]);
}

/// Issues on `date` a draft made with `invoice new {draft}` and one line
/// `invoice add-line ID {line}`; returns its number.
pub fn issue(acquit: &Acquit, draft: &[&str], line: &[&str], date: &str) -> String {
    let mut args = vec!["invoice", "new"];
    args.extend_from_slice(draft);
    let id = acquit.ok(&args).trim().to_owned();
    let mut args = vec!["invoice", "add-line", &id];
    args.extend_from_slice(line);
    acquit.ok(&args);
    acquit
        .ok(&["invoice", "issue", &id, "--date", date])
        .trim()
        .to_owned()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `company set` of a micro-entrepreneur (EI) under the VAT franchise, in a
/// liberal profession, exempt from registration, in Paris: the e-invoicing
/// tests' seller.
pub fn micro_entrepreneur_company(acquit: &Acquit) {
    acquit.ok(&[
        "company",
        "set",
        "--name",
        "Camille Roux",
        "--legal-form",
        "ei",
        "--siren",
        "732829320",
        "--street",
        "8 rue de la Roquette",
        "--postcode",
        "75011",
        "--city",
        "Paris",
        "--vat-franchise",
        "--activity",
        "liberal-services",
        "--registration",
        "exempt",
        "--iban",
        "FR7630006000011234567890189",
    ]);
}

/// A SASU with everything an e-invoice needs (capital, RCS, SIREN,
/// structured address, bank details), of `activity` (`goods`,
/// `liberal-services`, …) and named `name`.
pub fn sasu_company(acquit: &Acquit, name: &str, activity: &str) {
    sasu_company_with(acquit, name, activity, &[]);
}

/// [`sasu_company`] with more `company set` flags.
pub fn sasu_company_with(acquit: &Acquit, name: &str, activity: &str, extra: &[&str]) {
    let mut args = vec![
        "company",
        "set",
        "--name",
        name,
        "--legal-form",
        "sasu",
        "--share-capital",
        "1000",
        "--registration",
        "RCS Lyon",
        "--siren",
        "552100554",
        "--street",
        "12 rue de la Part-Dieu",
        "--postcode",
        "69003",
        "--city",
        "Lyon",
        "--activity",
        activity,
        "--iban",
        "FR7630006000011234567890189",
        "--bic",
        "AGRIFRPP",
        "--email",
        "compta@nova.example",
    ];
    args.extend_from_slice(extra);
    acquit.ok(&args);
}

/// The text of a PDF, as `pdftotext -raw` reads it (poppler-utils).
pub fn pdf_text(path: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-raw", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext is missing: sudo apt-get install poppler-utils (./x test does)");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        path.display()
    );
    String::from_utf8(out.stdout).unwrap()
}
