//! Payment reminders through the real `acquit` binary: the schedule's
//! steps at fixed dates, the penalties and indemnity in the message, the
//! hand-over to the mail client and WhatsApp (real processes: scripts on
//! `PATH` in place of `xdg-email` and `xdg-open`, which log what they were
//! given), and never twice the same step.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::Acquit;
use serde_json::Value;

/// A folder of stand-ins for the programs a reminder is handed to; each
/// appends its arguments, one per line, then `--`, to `log`.
struct Programs {
    dir: tempfile::TempDir,
    log: PathBuf,
}

impl Programs {
    fn new() -> Programs {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("launched.log");
        for name in ["xdg-email", "xdg-open"] {
            let path = dir.path().join(name);
            std::fs::write(
                &path,
                format!(
                    "#!/bin/sh\necho {name} >> \"$LAUNCH_LOG\"\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> \"$LAUNCH_LOG\"; done\necho -- >> \"$LAUNCH_LOG\"\n"
                ),
            )
            .unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Programs { dir, log }
    }

    fn launched(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `acquit` with these programs first on `PATH`.
    fn command(&self, acquit: &Acquit, args: &[&str]) -> Command {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![self.dir.path().to_owned()];
        dirs.extend(std::env::split_paths(&path));
        let mut command = acquit.command(args);
        command
            .env("PATH", std::env::join_paths(dirs).unwrap())
            .env("LAUNCH_LOG", &self.log);
        command
    }

    fn ok(&self, acquit: &Acquit, args: &[&str]) -> String {
        let out = self.command(acquit, args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "acquit {args:?}: {}",
            common::text(&out.stderr)
        );
        common::text(&out.stdout)
    }

    fn fails(&self, acquit: &Acquit, args: &[&str]) -> String {
        let out = self.command(acquit, args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "acquit {args:?} should refuse");
        common::text(&out.stderr)
    }
}

/// A SASU whose terms say `penalty`, a business client with an email
/// (client 1) and a consumer with only a phone (client 2).
fn books(penalty: &str) -> Acquit {
    let acquit = Acquit::new();
    common::sasu_company_with(
        &acquit,
        "Nova Conseil",
        "commercial-services",
        &["--late-penalty", penalty],
    );
    common::lumiere_client(&acquit);
    acquit.ok(&[
        "client",
        "add",
        "--name",
        "Léa Martin",
        "--phone",
        "+33 6 12 34 56 78",
        "--address",
        "5 rue Mercière, 69002 Lyon",
    ]);
    acquit
}

/// Issues a 1 234,56 € invoice (1 028,80 + 20 % VAT) to `client` on
/// 2026-01-15, due 2026-02-14; returns its number.
fn invoice(acquit: &Acquit, client: &str) -> String {
    let number = common::issue(
        acquit,
        &["--client", client, "--due", "2026-02-14"],
        &[
            "--desc",
            "Audit",
            "--qty",
            "1",
            "--unit-price",
            "1028.80",
            "--vat",
            "20",
        ],
        "2026-01-15",
    );
    assert_eq!(
        acquit.json(&["invoice", "show", &number, "--json"])["total"],
        "1234.56"
    );
    number
}

fn due(acquit: &Acquit, date: &str) -> Vec<Value> {
    acquit
        .json(&["reminders", "--date", date, "--json"])
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn the_steps_of_the_schedule_at_fixed_dates() {
    let acquit = books("10%");
    let number = invoice(&acquit, "1");
    // Due 2026-02-14; the default schedule is -3, 7, 15, 30.
    assert!(due(&acquit, "2026-02-10").is_empty());
    let courtesy = &due(&acquit, "2026-02-11")[0];
    assert_eq!(courtesy["invoice_number"], number.as_str());
    assert_eq!(
        (courtesy["step"].as_i64(), courtesy["tone"].as_str()),
        (Some(-3), Some("courtesy"))
    );
    assert_eq!(courtesy["days_late"], 0);
    assert_eq!(courtesy["penalties"], "0.00");
    assert!(courtesy["indemnity"].is_null());
    assert!(
        courtesy["subject"].as_str().unwrap().starts_with("Rappel"),
        "{courtesy}"
    );
    // Nothing sent after the due date yet: each step due speaks as a first
    // reminder (a firm one must follow one).
    for (date, step, tone) in [
        ("2026-02-21", 7, "reminder"),
        ("2026-03-01", 15, "reminder"),
        ("2026-03-16", 30, "reminder"),
        // Off for weeks: still the latest step only.
        ("2026-06-30", 30, "reminder"),
    ] {
        let rows = due(&acquit, date);
        assert_eq!(rows.len(), 1, "{date}");
        assert_eq!(
            (rows[0]["step"].as_i64(), rows[0]["tone"].as_str()),
            (Some(step), Some(tone)),
            "{date}"
        );
    }
    // The human list says the same.
    let human = acquit.ok(&["reminders", "--date", "2026-03-01"]);
    assert!(human.contains("Schedule: -3,7,15,30"), "{human}");
    assert!(
        human.contains(&number) && human.contains("+15 (reminder)"),
        "{human}"
    );
    // An edited schedule.
    acquit.ok(&["reminders", "--schedule", "10,40", "--date", "2026-01-01"]);
    assert!(due(&acquit, "2026-02-11").is_empty());
    assert_eq!(due(&acquit, "2026-02-24")[0]["step"], 10);
    let refused = acquit.fails(1, &["reminders", "--schedule", "7,x"]);
    assert!(
        refused.contains("\"x\" is not a number of days"),
        "{refused}"
    );
}

/// The issue's figures: 1 234,56 € 45 days late (2026-03-31) at 10 %, and
/// at three times the legal rate when the terms say less.
#[test]
fn penalties_and_indemnity_45_days_late() {
    let acquit = books("10%");
    let number = invoice(&acquit, "1");
    let row = &due(&acquit, "2026-03-31")[0];
    assert_eq!(row["days_late"], 45);
    assert_eq!(row["penalties"], "15.22");
    assert_eq!(row["penalty_rate"], "10");
    assert_eq!(row["indemnity"], "40.00");
    assert_eq!(row["legal_rate_assumed"], false);
    let body = row["body"].as_str().unwrap();
    assert!(
        body.contains(
            "au taux annuel de 10\u{a0}% courent depuis l’échéance\u{a0}: 15,22\u{a0}€ à ce jour"
        ),
        "{body}"
    );
    assert!(
        body.contains("recouvrement de 40,00\u{a0}€ est due"),
        "{body}"
    );
    assert!(
        body.contains(&format!("la facture {number} échue le 14/02/2026")),
        "{body}"
    );

    // Terms at 5 %: below three times 2.62 % (2026-H1), so 7.86 % applies.
    let low = books("5%");
    invoice(&low, "1");
    let floor = &due(&low, "2026-03-31")[0];
    assert_eq!(floor["penalty_rate"], "7.86");
    assert_eq!(floor["penalties"], "11.96");

    // A consumer owes the terms' rate and no indemnity, and reads neither
    // an indemnity line nor a business rule.
    let consumer = invoice(&acquit, "2");
    let rows = due(&acquit, "2026-03-31");
    let row = rows
        .iter()
        .find(|r| r["invoice_number"] == consumer.as_str())
        .unwrap();
    assert_eq!(row["penalties"], "15.22");
    assert!(row["indemnity"].is_null());
    assert!(
        !row["body"].as_str().unwrap().contains("Indemnité"),
        "{row}"
    );

    // Half paid on 2026-02-24 (10 days late): the interest on that half
    // stops there. (123456 × 10 + 61728 × 35) × 10 % / 365 = 930.15 cents.
    acquit.ok(&[
        "payment",
        "add",
        &number,
        "--amount",
        "617.28",
        "--method",
        "transfer",
        "--date",
        "2026-02-24",
    ]);
    let row = due(&acquit, "2026-03-31")
        .into_iter()
        .find(|r| r["invoice_number"] == number.as_str())
        .unwrap();
    assert_eq!(row["amount_due"], "617.28");
    assert_eq!(row["penalties"], "9.30");
}

#[test]
fn a_reminder_goes_to_the_mail_client_once_per_step() {
    let acquit = books("10%");
    let number = invoice(&acquit, "1");
    let programs = Programs::new();
    // The first reminder after the due date went out at step 7.
    programs.ok(&acquit, &["remind", &number, "--date", "2026-02-21"]);
    assert!(programs.launched().contains("Relance\u{a0}: facture"));
    std::fs::remove_file(&programs.log).unwrap();

    // A dry run shows the message and records nothing.
    let preview = programs.ok(
        &acquit,
        &["remind", &number, "--date", "2026-03-01", "--dry-run"],
    );
    assert!(preview.starts_with("Deuxième relance"), "{preview}");
    assert!(programs.launched().is_empty());

    // Step 15, after the first: firm.
    let out = programs.ok(&acquit, &["remind", &number, "--date", "2026-03-01"]);
    assert!(
        out.contains("reminder +15 (firm) handed to your mail client"),
        "{out}"
    );
    let launched = programs.launched();
    let args: Vec<&str> = launched.lines().collect();
    assert_eq!(args[0], "xdg-email");
    let subject = format!("Deuxième relance\u{a0}: facture {number} impayée");
    assert_eq!(args[1..3], ["--subject", subject.as_str()]);
    assert_eq!(args[3], "--body");
    assert!(launched.contains("impayée depuis 15 jours"), "{launched}");
    assert!(
        launched.contains("\nmailto:compta@lumiere.example\n--"),
        "{launched}"
    );

    // Recorded on the invoice; the same step is refused, nothing launched.
    let shown = acquit.json(&["invoice", "show", &number, "--json"]);
    let reminders = shown["reminders"].as_array().unwrap();
    assert_eq!(reminders.len(), 2);
    assert_eq!(
        (reminders[0]["step"].as_i64(), reminders[0]["tone"].as_str()),
        (Some(7), Some("reminder"))
    );
    assert_eq!(reminders[1]["step"], 15);
    assert_eq!(reminders[1]["via"], "email");
    assert_eq!(reminders[1]["sent"], true);
    // 123456 × 15 days × 10 % / 365 = 507 cents.
    assert_eq!(reminders[1]["penalties"], "5.07");
    let again = programs.fails(&acquit, &["remind", &number, "--date", "2026-03-01"]);
    assert!(
        again.contains("already reminded at this step, on 2026-03-01"),
        "{again}"
    );
    assert_eq!(programs.launched(), launched);
    // Nothing else is due until the next step…
    assert!(due(&acquit, "2026-03-10").is_empty());
    assert_eq!(due(&acquit, "2026-03-16")[0]["step"], 30);
    // …and a reminder by hand in between has its own day.
    programs.ok(&acquit, &["remind", &number, "--date", "2026-03-10"]);
    let shown = acquit.json(&["invoice", "show", &number, "--json"]);
    assert_eq!(shown["reminders"][2]["step"], 24);
    assert_eq!(shown["reminders"][2]["tone"], "firm");
}

#[test]
fn whatsapp_for_a_client_with_a_phone_and_never_a_client_who_said_no() {
    let acquit = books("10%");
    let number = invoice(&acquit, "2");
    let programs = Programs::new();
    // No email: WhatsApp by default.
    programs.ok(&acquit, &["remind", &number, "--date", "2026-02-21"]);
    let launched = programs.launched();
    let url = launched.lines().nth(1).unwrap();
    assert!(url.starts_with("https://wa.me/33612345678?text="), "{url}");
    assert!(url.contains(&number), "{url}");
    let refused = programs.fails(
        &acquit,
        &["remind", &number, "--via", "email", "--date", "2026-03-01"],
    );
    assert!(refused.contains("Léa Martin has no email"), "{refused}");

    // Never remind: left out of the list, refused by hand.
    acquit.ok(&["client", "edit", "2", "--reminders", "off"]);
    assert!(due(&acquit, "2026-03-01").is_empty());
    let refused = programs.fails(&acquit, &["remind", &number, "--date", "2026-03-01"]);
    assert!(refused.contains("set to never be reminded"), "{refused}");
    let clients = acquit.json(&["client", "list", "--json"]);
    assert_eq!(clients[1]["reminders"], false);
    acquit.ok(&["client", "edit", "2", "--reminders", "on"]);
    assert_eq!(due(&acquit, "2026-03-01").len(), 1);

    // Paid: nothing more to remind.
    acquit.ok(&[
        "payment",
        "add",
        &number,
        "--amount",
        "1234.56",
        "--method",
        "transfer",
        "--date",
        "2026-03-02",
    ]);
    assert!(due(&acquit, "2026-03-20").is_empty());
    let refused = programs.fails(&acquit, &["remind", &number, "--date", "2026-03-20"]);
    assert!(
        refused.contains("only an invoice still awaiting payment"),
        "{refused}"
    );
}

/// A stand-in that fails: nothing is recorded, the step stays due.
#[test]
fn a_mail_client_that_fails_records_nothing() {
    let acquit = books("10%");
    let number = invoice(&acquit, "1");
    let programs = Programs::new();
    let failing = programs.dir.path().join("xdg-email");
    std::fs::write(&failing, "#!/bin/sh\nexit 3\n").unwrap();
    let out = programs
        .command(&acquit, &["remind", &number, "--date", "2026-03-01"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(common::text(&out.stderr).contains("nothing was recorded"));
    assert_eq!(due(&acquit, "2026-03-01").len(), 1);
}
