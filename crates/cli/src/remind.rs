//! `acquit reminders` (what is due today, and the schedule) and `acquit
//! remind NUMBER` (send one): payment reminders with the late-payment
//! penalties accrued and, for a business client, the 40 € indemnity.
//!
//! A reminder is sent by Acquit over SMTP (`--via smtp`, the invoice's PDF
//! attached), or handed to the user's mail client (`--via email`, through
//! `xdg-email` or the `mailto:` URL) or to WhatsApp (`--via whatsapp`), and
//! recorded on the invoice's timeline; one step is never reminded twice
//! (`acquit_store::Store::record_reminder`).

use std::path::Path;

use acquit_core::Money;
use acquit_core::reminders::{Schedule, format_rate};
use acquit_documents::mail::{self, Mailer};
use acquit_documents::reminders::{self, Reminder};
use acquit_store::ReminderVia;
use chrono::NaiveDate;
use clap::Args;
use serde::Serialize;

use crate::mail::{Via, hand_over, mail_error};
use crate::table::{Align, Table};
use crate::{CliError, open, parse, to_json};

#[derive(Debug, Args)]
pub struct RemindersArgs {
    /// The day to look from (YYYY-MM-DD) [default: today]
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
    /// Change the schedule: days from the due date, comma-separated
    /// (negative: before it), e.g. -3,7,15,30; "" sends none by itself
    #[arg(long, value_name = "DAYS", allow_hyphen_values = true)]
    schedule: Option<String>,
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct RemindArgs {
    /// The invoice's number, e.g. F-2027-0007
    #[arg(value_name = "NUMBER")]
    number: String,
    /// How: smtp (Acquit sends it, the PDF attached), email (your mail
    /// client), whatsapp [default: smtp when a mail server is set and the
    /// client has an address, else email, else whatsapp]
    #[arg(long, value_name = "VIA")]
    via: Option<String>,
    /// The day of the reminder (YYYY-MM-DD), penalties reckoned on it
    /// [default: today]
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
    /// Print the message without sending or recording anything
    #[arg(long)]
    dry_run: bool,
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
}

/// One reminder in `--json`: amounts as decimal strings in the invoice's
/// currency (the indemnity in euros).
#[derive(Debug, Serialize)]
struct ReminderJson {
    invoice_number: String,
    client: String,
    due_date: NaiveDate,
    /// Days from the due date of the step.
    step: i32,
    step_date: NaiveDate,
    tone: &'static str,
    days_late: u32,
    currency: String,
    amount_due: String,
    penalties: String,
    /// The annual rate applied, as a decimal percentage.
    penalty_rate: String,
    indemnity: Option<String>,
    legal_rate_assumed: bool,
    email: Option<String>,
    phone: Option<String>,
    subject: String,
    body: String,
    whatsapp: String,
}

impl From<&Reminder> for ReminderJson {
    fn from(r: &Reminder) -> ReminderJson {
        ReminderJson {
            invoice_number: r.number.clone(),
            client: r.client.clone(),
            due_date: r.due_date,
            step: r.step.offset,
            step_date: r.step.date,
            tone: r.step.tone.as_str(),
            days_late: r.charges.days_late,
            currency: r.amount_due.currency().to_string(),
            amount_due: r.amount_due.to_decimal_string(),
            penalties: r.charges.penalties.to_decimal_string(),
            penalty_rate: format_rate(r.charges.rate_bp, acquit_core::Lang::En)
                .trim_end_matches('%')
                .to_owned(),
            indemnity: r.charges.indemnity.map(|m| m.to_decimal_string()),
            legal_rate_assumed: r.charges.legal_rate_assumed,
            email: r.email.clone(),
            phone: r.phone.clone(),
            subject: r.message.subject.clone(),
            body: r.message.body.clone(),
            whatsapp: r.message.whatsapp_text.clone(),
        }
    }
}

fn day(date: Option<&str>) -> Result<NaiveDate, CliError> {
    date.map_or_else(|| Ok(acquit_store::today()), |d| parse::date(d, "--date"))
}

pub fn list(args: RemindersArgs, path: &Path) -> Result<String, CliError> {
    let mut store = open(path)?;
    if let Some(text) = &args.schedule {
        let schedule = Schedule::parse(text).map_err(CliError::rejected)?;
        reminders::set_schedule(&mut store, &schedule)?;
    }
    let today = day(args.date.as_deref())?;
    let due = reminders::due(&store, today)?;
    if args.json {
        let rows: Vec<ReminderJson> = due.iter().map(ReminderJson::from).collect();
        return Ok(to_json(&rows));
    }
    let schedule = reminders::schedule(&store)?;
    let mut out = format!(
        "Schedule: {} (days from the due date)\n",
        if schedule.offsets().is_empty() {
            "none".to_owned()
        } else {
            schedule.to_string()
        }
    );
    if due.is_empty() {
        out.push_str(&format!("No reminder is due on {today}.\n"));
        return Ok(out);
    }
    let mut table = Table::new(&[
        ("Invoice", Align::Left),
        ("Client", Align::Left),
        ("Due", Align::Left),
        ("Step", Align::Left),
        ("Still due", Align::Right),
        ("Penalties", Align::Right),
        ("Indemnity", Align::Right),
    ]);
    let lang = acquit_core::Lang::En;
    for r in &due {
        table.row(vec![
            r.number.clone(),
            r.client.clone(),
            r.due_date.to_string(),
            format!("{:+} ({})", r.step.offset, r.step.tone.as_str()),
            r.amount_due.format(lang),
            r.charges.penalties.format(lang),
            r.charges
                .indemnity
                .map(|m: Money| m.format(lang))
                .unwrap_or_default(),
        ]);
    }
    out.push_str(&table.render());
    out.push_str(&format!(
        "{} reminder(s) due on {today}: send one with `acquit remind NUMBER`.\n",
        due.len()
    ));
    if due.iter().any(|r| r.charges.legal_rate_assumed) {
        out.push_str(
            "Note: the legal interest rate of this half-year is not in this version of Acquit; \
             the penalty floor uses the latest known one.\n",
        );
    }
    Ok(out)
}

pub fn remind(args: RemindArgs, path: &Path) -> Result<String, CliError> {
    let mut store = open(path)?;
    let today = day(args.date.as_deref())?;
    let reminder = reminders::prepare(&store, &args.number, today)?;
    let via = Via::choose(
        args.via.as_deref(),
        &store,
        reminder.email.is_some(),
        reminder.phone.is_some(),
    )?;
    if args.dry_run {
        if args.json {
            return Ok(to_json(&ReminderJson::from(&reminder)));
        }
        return Ok(format!(
            "{}\n\n{}\n",
            reminder.message.subject,
            match via {
                Via::Whatsapp => &reminder.message.whatsapp_text,
                _ => &reminder.message.body,
            }
        ));
    }
    let (stored, to) = match via {
        Via::Smtp => {
            let mailer = Mailer::load(&store).map_err(mail_error)?;
            let stored = mail::send_reminder(&mut store, &mailer, &reminder).map_err(mail_error)?;
            let to = format!(
                "{} by mail ({})",
                reminder.email.clone().unwrap_or_default(),
                stored.message_id.clone().unwrap_or_default()
            );
            (stored, to)
        }
        Via::Email | Via::Whatsapp => {
            let to = hand_over(via, &reminder.message, &reminder.client, None)?;
            let record = match via {
                Via::Whatsapp => ReminderVia::Whatsapp,
                _ => ReminderVia::Email,
            };
            (
                reminders::record(&mut store, &reminder, record, None)?,
                format!("handed to {to}"),
            )
        }
    };
    if args.json {
        return Ok(to_json(&ReminderJson::from(&reminder)));
    }
    Ok(format!(
        "{}: reminder {:+} ({}) {to}; recorded on its timeline (reminder {}).\n",
        reminder.number,
        reminder.step.offset,
        reminder.step.tone.as_str(),
        stored.id
    ))
}
