//! Payment reminders sent about an invoice (`reminders`, schema in
//! `migrations/0008`), and what a reminder is computed from.
//!
//! One reminder per invoice and step, ever: the table's unique key refuses
//! the second, whichever process tries. A reminder handed to the user's
//! mail client or WhatsApp is recorded sent at once; one sent by Acquit
//! over SMTP is reserved with its Message-ID before the send and marked
//! sent after ([`Store::reminder_sent`]).

use std::str::FromStr;

use acquit_core::reminders::{LateTerms, Tone};
use acquit_core::{InvoiceStatus, Money};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::links::parse_instant;

/// An invoice a reminder may be due for ([`Store::remindable`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remindable {
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    /// The steps (offsets from the due date) already reminded, oldest first.
    pub sent_steps: Vec<i32>,
}
use crate::{ListQuery, PaymentKind, Rejection, Store, StoreError, now_rfc3339};

/// How a reminder went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReminderVia {
    /// Handed to the user's mail client (`mailto:`).
    Email,
    /// Handed to WhatsApp (`https://wa.me/…`).
    Whatsapp,
    /// Sent by Acquit to the user's SMTP server.
    Smtp,
}

impl ReminderVia {
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderVia::Email => "email",
            ReminderVia::Whatsapp => "whatsapp",
            ReminderVia::Smtp => "smtp",
        }
    }
}

impl FromStr for ReminderVia {
    type Err = String;
    fn from_str(s: &str) -> Result<ReminderVia, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "email" => Ok(ReminderVia::Email),
            "whatsapp" => Ok(ReminderVia::Whatsapp),
            "smtp" => Ok(ReminderVia::Smtp),
            other => Err(format!(
                "\"{other}\" is not a way to send: use email, whatsapp or smtp"
            )),
        }
    }
}

fn tone_from_db(s: &str) -> Result<Tone, StoreError> {
    Tone::ALL
        .into_iter()
        .find(|t| t.as_str() == s)
        .ok_or_else(|| StoreError::Decode(format!("reminder tone {s:?}")))
}

/// A reminder about to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReminder {
    /// Days from the due date (see [`acquit_core::reminders::Step`]).
    pub step: i32,
    pub tone: Tone,
    pub via: ReminderVia,
    /// The day it speaks of (penalties are reckoned on it).
    pub reminded_on: NaiveDate,
    pub amount_due: Money,
    pub penalties: Money,
    /// For SMTP: the Message-ID the message carries.
    pub message_id: Option<String>,
}

/// A reminder recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredReminder {
    pub id: i64,
    pub invoice_number: String,
    pub step: i32,
    pub tone: Tone,
    pub via: ReminderVia,
    pub reminded_on: NaiveDate,
    pub amount_due: Money,
    pub penalties: Money,
    pub message_id: Option<String>,
    pub reserved_at: DateTime<Utc>,
    /// `None`: an SMTP send that was interrupted before the server's answer
    /// (whether the client got it is unknown).
    pub sent_at: Option<DateTime<Utc>>,
}

impl Store {
    /// The reminders of an invoice, oldest first.
    pub fn reminders_of(&self, number: &str) -> Result<Vec<StoredReminder>, StoreError> {
        let view = self.invoice(number)?;
        let currency = view.currency;
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, step, tone, via, reminded_on, amount_due, penalties, message_id,
                    reserved_at, sent_at
             FROM reminders WHERE invoice_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([view.id.0], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, step, tone, via, on, due, penalties, message_id, reserved, sent) = row?;
            out.push(StoredReminder {
                id,
                invoice_number: number.to_owned(),
                step,
                tone: tone_from_db(&tone)?,
                via: via.parse().map_err(StoreError::Decode)?,
                reminded_on: on
                    .parse()
                    .map_err(|_| StoreError::Decode(format!("reminder date {on:?}")))?,
                amount_due: Money::new(due, currency),
                penalties: Money::new(penalties, currency),
                message_id,
                reserved_at: parse_instant(&reserved)?,
                sent_at: sent.as_deref().map(parse_instant).transpose()?,
            });
        }
        Ok(out)
    }

    /// Records a reminder of `number`: sent now when handed to the mail
    /// client or WhatsApp, reserved when Acquit sends it (SMTP, then
    /// [`Store::reminder_sent`]). Refused when the invoice was already
    /// reminded at that step, or takes no reminder.
    pub fn record_reminder(
        &mut self,
        number: &str,
        reminder: &NewReminder,
    ) -> Result<StoredReminder, StoreError> {
        let view = self.invoice(number)?;
        if view.kind.is_credit_note() || !view.status.awaits_payment() {
            return Err(Rejection::Invalid(format!(
                "{number} is {}: only an invoice still awaiting payment is reminded",
                view.status.as_str()
            ))
            .into());
        }
        if reminder.amount_due.currency() != view.currency
            || reminder.penalties.currency() != view.currency
        {
            return Err(Rejection::Invalid(format!(
                "a reminder of {number} is in {}",
                view.currency
            ))
            .into());
        }
        if (reminder.via == ReminderVia::Smtp) != reminder.message_id.is_some() {
            return Err(Rejection::Invalid(
                "a reminder sent over SMTP, and only one, carries a Message-ID".into(),
            )
            .into());
        }
        let now = now_rfc3339();
        let sent_at = (reminder.via != ReminderVia::Smtp).then(|| now.clone());
        let inserted = self.write(|tx| {
            let earlier: Option<(String, String)> = tx
                .query_row(
                    "SELECT reminded_on, via FROM reminders WHERE invoice_id = ?1 AND step = ?2",
                    params![view.id.0, reminder.step],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((on, via)) = earlier {
                return Err(Rejection::AlreadyReminded {
                    number: number.to_owned(),
                    on: on
                        .parse()
                        .map_err(|_| StoreError::Decode(format!("reminder date {on:?}")))?,
                    via,
                }
                .into());
            }
            Ok(tx.query_row(
                "INSERT INTO reminders (invoice_id, step, tone, via, reminded_on, amount_due,
                     penalties, message_id, reserved_at, sent_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
                params![
                    view.id.0,
                    reminder.step,
                    reminder.tone.as_str(),
                    reminder.via.as_str(),
                    reminder.reminded_on.to_string(),
                    reminder.amount_due.minor(),
                    reminder.penalties.minor(),
                    reminder.message_id,
                    now,
                    sent_at
                ],
                |r| r.get::<_, i64>(0),
            )?)
        })?;
        self.reminders_of(number)?
            .into_iter()
            .find(|r| r.id == inserted)
            .ok_or_else(|| StoreError::Decode("a recorded reminder vanished".into()))
    }

    /// The SMTP server accepted reminder `id`.
    pub fn reminder_sent(&mut self, id: i64) -> Result<(), StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE reminders SET sent_at = ?2 WHERE id = ?1 AND sent_at IS NULL",
                params![id, now_rfc3339()],
            )?;
            if n == 0 {
                return Err(Rejection::Invalid(format!(
                    "reminder {id} does not wait for its send"
                ))
                .into());
            }
            Ok(())
        })
    }

    /// The SMTP server surely refused reminder `id` (see
    /// `acquit_documents::mail`): its reservation is forgotten, so its step can
    /// be sent once the problem is fixed.
    pub fn reminder_failed(&mut self, id: i64) -> Result<(), StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "DELETE FROM reminders WHERE id = ?1 AND via = 'smtp' AND sent_at IS NULL",
                [id],
            )?;
            if n == 0 {
                return Err(Rejection::Invalid(format!(
                    "reminder {id} does not wait for its send"
                ))
                .into());
            }
            Ok(())
        })
    }

    /// The invoices a reminder may be due for: issued (not credit notes),
    /// waiting for money with nothing in progress (a SEPA debit under way
    /// is not chased), with a due date, to a client who takes reminders.
    /// Numbers, oldest due first.
    pub fn remindable_invoices(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.remindable()?.into_iter().map(|r| r.number).collect())
    }

    /// [`Store::remindable_invoices`] with what deciding a reminder needs
    /// (dates, the steps already sent), in a few queries whatever the
    /// number of invoices: none is read in full.
    pub fn remindable(&self) -> Result<Vec<Remindable>, StoreError> {
        let mut rows = Vec::new();
        for status in [InvoiceStatus::Issued, InvoiceStatus::PartiallyPaid] {
            rows.extend(self.list_page(&ListQuery {
                status: Some(status),
                ..ListQuery::default()
            })?);
        }
        // Invoices of clients who said never, and the steps sent so far.
        let mut never = std::collections::HashSet::new();
        let mut stmt = self.conn().prepare(
            "SELECT i.id FROM invoices i JOIN clients c ON c.id = i.client_id
             WHERE i.number IS NOT NULL
               AND coalesce(json_extract(c.profile, '$.no_reminders'), 0) <> 0",
        )?;
        for id in stmt.query_map([], |r| r.get::<_, i64>(0))? {
            never.insert(id?);
        }
        let mut sent: std::collections::HashMap<i64, Vec<i32>> = Default::default();
        let mut stmt = self
            .conn()
            .prepare("SELECT invoice_id, step FROM reminders ORDER BY id")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i32>(1)?)))? {
            let (invoice, step) = row?;
            sent.entry(invoice).or_default().push(step);
        }
        let mut out: Vec<Remindable> = rows
            .into_iter()
            .filter(|r| !r.kind.is_credit_note() && !never.contains(&r.id.0))
            .filter_map(|r| {
                Some(Remindable {
                    issue_date: r.issue_date?,
                    due_date: r.due_date?,
                    sent_steps: sent.remove(&r.id.0).unwrap_or_default(),
                    number: r.number?,
                })
            })
            .collect();
        out.sort_by(|a, b| (a.due_date, &a.number).cmp(&(b.due_date, &b.number)));
        Ok(out)
    }

    /// What the lateness of `number` is computed from
    /// ([`acquit_core::reminders`]): its total, due date and rate, and
    /// what reduced it by day. A payment reversed (a bounced cheque, a
    /// payment booked by mistake) and its counter-entry never happened;
    /// a refund did. `None` without a due date or seller.
    pub fn late_terms(&self, number: &str) -> Result<Option<LateTerms>, StoreError> {
        let view = self.invoice(number)?;
        let (Some(due_date), Some(seller)) = (view.due_date, view.seller.as_ref()) else {
            return Ok(None);
        };
        let mut settled = Vec::new();
        for p in self.payments(number)? {
            if p.reversed || p.kind == PaymentKind::Reversal {
                continue;
            }
            settled.push((p.received_on, p.amount));
        }
        for credit in &view.credit_notes {
            let note = self.invoice(credit)?;
            if let Some(date) = note.issue_date {
                // A credit note's total is negative; it reduces what is owed.
                settled.push((date, note.totals.total.checked_neg().map_err(decode)?));
            }
        }
        Ok(Some(LateTerms {
            due_date,
            total: view.totals.total,
            settled,
            rate_bp: seller.late_penalty_bp,
            business: view.buyer.business,
        }))
    }
}

fn decode(e: acquit_core::MoneyError) -> StoreError {
    StoreError::Decode(e.to_string())
}

/// What a mail Acquit sent was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MailKind {
    Invoice,
    Receipt,
    /// `acquit mail test`: about no invoice.
    Test,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Invoice => "invoice",
            MailKind::Receipt => "receipt",
            MailKind::Test => "test",
        }
    }

    fn from_db(s: &str) -> Result<MailKind, StoreError> {
        match s {
            "invoice" => Ok(MailKind::Invoice),
            "receipt" => Ok(MailKind::Receipt),
            "test" => Ok(MailKind::Test),
            other => Err(StoreError::Decode(format!("mail kind {other:?}"))),
        }
    }
}

/// A mail about to be sent over SMTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub kind: MailKind,
    /// `<…@…>`.
    pub message_id: String,
    pub recipient: String,
    pub subject: String,
    pub attachment_sha256: Option<String>,
}

/// A mail Acquit sent (or began to send).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentMail {
    pub id: i64,
    pub invoice_number: Option<String>,
    pub kind: MailKind,
    pub message_id: String,
    pub recipient: String,
    pub subject: String,
    pub attachment_sha256: Option<String>,
    pub reserved_at: DateTime<Utc>,
    /// `None`: interrupted before the server answered.
    pub sent_at: Option<DateTime<Utc>>,
    pub answer: Option<String>,
}

/// How long after a send the same document is taken for a second click.
pub const JUST_SENT_SECONDS: i64 = 120;

impl Store {
    /// Reserves a mail before its send (`number`: the invoice it is about,
    /// none for a test). Unless `again`, refused while a send of the same
    /// document and kind was interrupted (the client may have it) or ended
    /// less than [`JUST_SENT_SECONDS`] ago (a second click).
    pub fn reserve_mail(
        &mut self,
        number: Option<&str>,
        mail: &NewMail,
        again: bool,
    ) -> Result<SentMail, StoreError> {
        let invoice_id = match number {
            Some(number) => Some(self.invoice(number)?.id.0),
            None => None,
        };
        if invoice_id.is_some() == (mail.kind == MailKind::Test) {
            return Err(Rejection::Invalid(
                "a test mail is about no invoice, any other about one".into(),
            )
            .into());
        }
        let now = chrono::Utc::now();
        let id = self.write(|tx| {
            if let (Some(invoice), false) = (invoice_id, again) {
                let last: Option<(String, Option<String>, String)> = tx
                    .query_row(
                        "SELECT reserved_at, sent_at, recipient FROM sent_mail
                         WHERE invoice_id = ?1 AND kind = ?2
                           AND NOT (sent_at IS NULL AND answer IS NOT NULL)
                         ORDER BY id DESC LIMIT 1",
                        params![invoice, mail.kind.as_str()],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                if let Some((reserved, sent, to)) = last {
                    let number = number.unwrap_or_default().to_owned();
                    match sent {
                        None => {
                            return Err(Rejection::MailInterrupted {
                                number,
                                to,
                                at: parse_instant(&reserved)?,
                            }
                            .into());
                        }
                        Some(sent) => {
                            let at = parse_instant(&sent)?;
                            if (now - at).num_seconds() < JUST_SENT_SECONDS {
                                return Err(Rejection::JustMailed { number, to, at }.into());
                            }
                        }
                    }
                }
            }
            Ok(tx.query_row(
                "INSERT INTO sent_mail (invoice_id, kind, message_id, recipient, subject,
                     attachment_sha256, reserved_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                params![
                    invoice_id,
                    mail.kind.as_str(),
                    mail.message_id,
                    mail.recipient,
                    mail.subject,
                    mail.attachment_sha256,
                    now_rfc3339()
                ],
                |r| r.get::<_, i64>(0),
            )?)
        })?;
        self.sent_mail(id)
    }

    /// The server accepted mail `id`, answering `answer`.
    pub fn mail_sent(&mut self, id: i64, answer: &str) -> Result<SentMail, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE sent_mail SET sent_at = ?2, answer = ?3 WHERE id = ?1 AND sent_at IS NULL",
                params![id, now_rfc3339(), answer],
            )?;
            if n == 0 {
                return Err(
                    Rejection::Invalid(format!("mail {id} does not wait for its send")).into(),
                );
            }
            Ok(())
        })?;
        self.sent_mail(id)
    }

    /// The server surely did not take mail `id` (it refused the login,
    /// the recipient, or could not be reached): recorded as failed with
    /// `reason`, so trying again is no second copy. A send cut off after
    /// the message went out stays unfinished instead.
    pub fn mail_failed(&mut self, id: i64, reason: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE sent_mail SET answer = ?2 WHERE id = ?1 AND sent_at IS NULL AND answer IS NULL",
                params![id, format!("failed: {reason}")],
            )?;
            if n == 0 {
                return Err(Rejection::Invalid(format!("mail {id} does not wait for its send")).into());
            }
            Ok(())
        })
    }

    fn sent_mail(&self, id: i64) -> Result<SentMail, StoreError> {
        let mut mails = self.mails_where("m.id = ?1", id)?;
        mails
            .pop()
            .ok_or_else(|| StoreError::Decode(format!("mail {id} vanished")))
    }

    /// The mails sent about invoice `number`, oldest first.
    pub fn mails_of(&self, number: &str) -> Result<Vec<SentMail>, StoreError> {
        let view = self.invoice(number)?;
        self.mails_where("m.invoice_id = ?1", view.id.0)
    }

    fn mails_where(&self, filter: &str, value: i64) -> Result<Vec<SentMail>, StoreError> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT m.id, i.number, m.kind, m.message_id, m.recipient, m.subject,
                    m.attachment_sha256, m.reserved_at, m.sent_at, m.answer
             FROM sent_mail m LEFT JOIN invoices i ON i.id = m.invoice_id
             WHERE {filter} ORDER BY m.id"
        ))?;
        let rows = stmt.query_map([value], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, number, kind, message_id, recipient, subject, sha, reserved, sent, answer) =
                row?;
            out.push(SentMail {
                id,
                invoice_number: number,
                kind: MailKind::from_db(&kind)?,
                message_id,
                recipient,
                subject,
                attachment_sha256: sha,
                reserved_at: parse_instant(&reserved)?,
                sent_at: sent.as_deref().map(parse_instant).transpose()?,
                answer,
            });
        }
        Ok(out)
    }
}
