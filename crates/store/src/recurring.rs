//! Recurring invoices (migration 0009): schedules copied from a draft, their
//! pauses as facts, and one invoice per period made (and issued) in the
//! transaction that records the period, so two processes at once, a retry
//! or a kill -9 never bill a period twice, and the numbering stays gapless.

use acquit_core::recurring::Rule;
use acquit_core::{Currency, InvoiceDetails, InvoiceKind, Line};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::invoices::{InvoiceId, issue_in};
use crate::links::parse_instant;
use crate::parties::ClientId;
use crate::{Rejection, Store, StoreError, from_json, now_rfc3339, to_json};

/// Issue each period's invoice, or prepare it as a draft to review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecurringMode {
    Auto,
    Draft,
}

impl RecurringMode {
    pub fn as_str(self) -> &'static str {
        match self {
            RecurringMode::Auto => "auto",
            RecurringMode::Draft => "draft",
        }
    }
}

impl std::str::FromStr for RecurringMode {
    type Err = String;
    fn from_str(s: &str) -> Result<RecurringMode, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(RecurringMode::Auto),
            "draft" => Ok(RecurringMode::Draft),
            other => Err(format!(
                "\"{other}\" is not a way to bill: use auto (issue each invoice) or draft (prepare it to review)"
            )),
        }
    }
}

/// What a schedule does by itself with each invoice it issues (only a
/// schedule that issues, mode auto, does either).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// Mailed to the client by Acquit (SMTP), once its link is made.
    pub mail: bool,
    /// A Stripe payment link for all it asks, reserved in the transaction
    /// that issues it and created on Stripe by the next sync.
    pub link: bool,
}

/// What each period's invoice is made of: a copy of the draft the schedule
/// was made from (its dates are left: each invoice is dated its period's
/// day, due after the seller's payment terms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub currency: Currency,
    pub details: InvoiceDetails,
    pub lines: Vec<Line>,
}

/// A schedule as the books keep it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recurring {
    pub id: i64,
    pub client_id: ClientId,
    pub client: String,
    pub template: Template,
    pub rule: Rule,
    pub mode: RecurringMode,
    /// What it does with each invoice it issues.
    pub delivery: Delivery,
    pub created_at: DateTime<Utc>,
    /// Paused since this day (the last event is a pause).
    pub paused_since: Option<NaiveDate>,
    /// Periods before this day are not made up after a pause.
    pub resumed_on: Option<NaiveDate>,
    /// The periods made, oldest first.
    pub runs: Vec<Run>,
}

/// One period made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    pub period: u32,
    pub period_date: NaiveDate,
    /// The invoice's number once issued; `None` for a draft to review.
    pub number: Option<String>,
    /// The invoice (draft or issued); `None` when the user deleted the
    /// draft made for it.
    pub invoice: Option<InvoiceId>,
}

/// What one period's generation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "made", rename_all = "kebab-case")]
pub enum Made {
    /// Issued as `number`.
    Issued { number: String },
    /// Prepared as draft `draft` (mode draft, or a date the numbering
    /// cannot take any more: `why`).
    Draft { draft: i64, why: Option<String> },
    /// Already made (by another process, or an earlier run).
    Already,
}

impl Store {
    /// Makes a schedule from draft `draft` (copied now; the draft stays a
    /// draft) and returns its id.
    pub fn add_recurring(
        &mut self,
        draft: InvoiceId,
        rule: &Rule,
        mode: RecurringMode,
        delivery: Delivery,
    ) -> Result<i64, StoreError> {
        if delivery.mail && mode != RecurringMode::Auto {
            return Err(Rejection::Invalid(
                "only an invoice issued by itself is mailed by itself: --issue auto with --send mail"
                    .into(),
            )
            .into());
        }
        if delivery.link && mode != RecurringMode::Auto {
            return Err(Rejection::Invalid(
                "only an invoice issued by itself gets its payment link by itself: --issue auto with --link (a draft gets its link once you issue it)"
                    .into(),
            )
            .into());
        }
        let view = self.invoice_by_id(draft)?;
        if view.number.is_some() {
            return Err(Rejection::Invalid(format!(
                "{} is issued: a schedule is made from a draft (`acquit invoice new`, then `add-line`)",
                view.number.unwrap_or_default()
            ))
            .into());
        }
        if view.kind != InvoiceKind::Standard {
            return Err(Rejection::Invalid(
                "a schedule repeats a standard invoice, not a deposit or balance one".into(),
            )
            .into());
        }
        if view.lines.is_empty() {
            return Err(Rejection::EmptyDraft(draft.0).into());
        }
        let template = Template {
            currency: view.currency,
            details: view.details.clone(),
            lines: view.lines.iter().map(|l| l.line.clone()).collect(),
        };
        let template = to_json(&template);
        let rule = to_json(rule);
        self.write(|tx| {
            tx.execute(
                "INSERT INTO recurring (client_id, template, rule, mode, send, link, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    view.client_id.0,
                    template,
                    rule,
                    mode.as_str(),
                    if delivery.mail { "mail" } else { "none" },
                    delivery.link,
                    now_rfc3339()
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Pauses (`pause` true) or resumes schedule `id` from `on`. Resuming
    /// does not make up the periods of the pause.
    pub fn pause_recurring(
        &mut self,
        id: i64,
        pause: bool,
        on: NaiveDate,
    ) -> Result<(), StoreError> {
        let schedule = self.recurring(id)?;
        if schedule.paused_since.is_some() == pause {
            return Err(Rejection::Invalid(format!(
                "schedule {id} is {} already",
                if pause { "paused" } else { "running" }
            ))
            .into());
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO recurring_events (recurring_id, kind, on_date, at) VALUES (?1, ?2, ?3, ?4)",
                params![
                    id,
                    if pause { "pause" } else { "resume" },
                    on.to_string(),
                    now_rfc3339()
                ],
            )?;
            Ok(())
        })
    }

    /// Every schedule, oldest first.
    pub fn recurring_list(&self) -> Result<Vec<Recurring>, StoreError> {
        let ids: Vec<i64> = self
            .conn()
            .prepare("SELECT id FROM recurring ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        ids.into_iter().map(|id| self.recurring(id)).collect()
    }

    /// Schedule `id`.
    pub fn recurring(&self, id: i64) -> Result<Recurring, StoreError> {
        let conn = self.conn();
        type Row = (i64, String, String, String, String, String, String, bool);
        let row: Option<Row> = conn
            .query_row(
                "SELECT r.client_id, c.name, r.template, r.rule, r.mode, r.created_at, r.send, r.link
                 FROM recurring r JOIN clients c ON c.id = r.client_id WHERE r.id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                    ))
                },
            )
            .optional()?;
        let Some((client_id, client, template, rule, mode, created, send, link)) = row else {
            return Err(Rejection::Invalid(format!(
                "there is no schedule {id}: see `acquit recurring list`"
            ))
            .into());
        };
        let mut paused_since = None;
        let mut resumed_on = None;
        let mut stmt = conn.prepare(
            "SELECT kind, on_date FROM recurring_events WHERE recurring_id = ?1 ORDER BY id",
        )?;
        for event in stmt.query_map([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })? {
            let (kind, on) = event?;
            let on = parse_day(&on)?;
            if kind == "pause" {
                paused_since = Some(on);
            } else {
                paused_since = None;
                resumed_on = Some(on);
            }
        }
        let mut stmt = conn.prepare(
            "SELECT r.period, r.period_date, r.invoice_id, i.number
             FROM recurring_runs r LEFT JOIN invoices i ON i.id = r.invoice_id
             WHERE r.recurring_id = ?1 ORDER BY r.period",
        )?;
        let runs = stmt
            .query_map([id], |r| {
                Ok((
                    r.get::<_, u32>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })?
            .map(|row| {
                let (period, date, invoice, number) = row?;
                Ok(Run {
                    period,
                    period_date: parse_day(&date)?,
                    number,
                    invoice: invoice.map(InvoiceId),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Recurring {
            id,
            client_id: ClientId(client_id),
            client,
            template: from_json(&template)?,
            rule: from_json(&rule)?,
            mode: mode.parse().map_err(StoreError::Decode)?,
            delivery: Delivery {
                mail: send == "mail",
                link,
            },
            created_at: parse_instant(&created)?,
            paused_since,
            resumed_on,
            runs,
        })
    }

    /// Makes period `period` (dated `date`) of schedule `id`, once: its
    /// invoice created, issued (mode auto) and the period recorded in one
    /// transaction. A period already made is left as it is.
    pub fn make_period(
        &mut self,
        id: i64,
        period: u32,
        date: NaiveDate,
    ) -> Result<Made, StoreError> {
        let schedule = self.recurring(id)?;
        let seller = self.seller()?.ok_or(Rejection::NoSeller)?;
        let pattern = self.number_pattern(false)?;
        let issue = schedule.mode == RecurringMode::Auto;
        // Drawn before the transaction: the OS's randomness is not the
        // books', and a retry draws again.
        let token = match issue && schedule.delivery.link {
            true => Some(crate::links::new_token()?),
            false => None,
        };
        let attempt = self.write(|tx| {
            if period_taken(tx, id, period)? {
                return Ok(Made::Already);
            }
            let draft = create_from(tx, &schedule)?;
            let made = if issue {
                let number = issue_in(tx, &seller, &pattern, draft, date)?;
                if let Some(token) = &token {
                    reserve_link_in(tx, &number, schedule.template.currency, token)?;
                }
                Made::Issued { number }
            } else {
                Made::Draft {
                    draft: draft.0,
                    why: None,
                }
            };
            record_run(tx, id, period, date, draft)?;
            Ok(made)
        });
        match attempt {
            // The numbering cannot go back in time (a later invoice was
            // issued meanwhile): the period is prepared as a draft instead,
            // for the user to date and issue.
            Err(StoreError::Rejected(rejection @ Rejection::Chronology { .. })) if issue => {
                let why = rejection.to_string();
                self.write(|tx| {
                    if period_taken(tx, id, period)? {
                        return Ok(Made::Already);
                    }
                    let draft = create_from(tx, &schedule)?;
                    record_run(tx, id, period, date, draft)?;
                    Ok(Made::Draft {
                        draft: draft.0,
                        why: Some(why.clone()),
                    })
                })
            }
            other => other,
        }
    }
}

/// What [`Store::run_recurring`] did: the periods handled, and the
/// schedules stopped by an error (with it).
pub type RunReport = (Vec<PeriodMade>, Vec<(i64, StoreError)>);

/// One period handled by [`Store::run_recurring`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodMade {
    pub recurring_id: i64,
    pub period: u32,
    pub date: NaiveDate,
    #[serde(flatten)]
    pub made: Made,
}

impl Store {
    /// Makes every period due up to `until` (today, or earlier), oldest
    /// first within each schedule: after the laptop was off, each missed
    /// period once, in order, each dated its own day. A paused schedule
    /// makes nothing; once resumed, the periods of the pause are not made
    /// up. A failure stops that schedule (its later periods wait for the
    /// next run) and is returned with what was made before it.
    pub fn run_recurring(&mut self, until: NaiveDate) -> Result<RunReport, StoreError> {
        let mut made = Vec::new();
        let mut failed = Vec::new();
        for schedule in self.recurring_list()? {
            if schedule.paused_since.is_some() {
                continue;
            }
            let from = schedule.runs.last().map_or(0, |r| r.period + 1);
            for (period, date) in schedule.rule.periods_through(from, until) {
                if schedule.resumed_on.is_some_and(|resumed| date < resumed) {
                    continue;
                }
                match self.make_period(schedule.id, period, date) {
                    Ok(m) => made.push(PeriodMade {
                        recurring_id: schedule.id,
                        period,
                        date,
                        made: m,
                    }),
                    Err(e) => {
                        failed.push((schedule.id, e));
                        break;
                    }
                }
            }
        }
        Ok((made, failed))
    }
}

/// The payment link of a schedule's invoice, for all it asks, reserved
/// with the invoice (a zero total asks nothing: no link).
fn reserve_link_in(
    tx: &Transaction<'_>,
    number: &str,
    currency: Currency,
    token: &str,
) -> Result<(), StoreError> {
    let total: i64 = tx.query_row(
        "SELECT total_minor FROM invoices WHERE number = ?1",
        [number],
        |r| r.get(0),
    )?;
    if total > 0 {
        let link = crate::NewLink {
            kind: crate::LinkKind::PaymentLink,
            amount: None,
            expires_at: None,
        };
        crate::links::insert_link(tx, number, currency, &link, token)?;
    }
    Ok(())
}

fn period_taken(tx: &Transaction<'_>, id: i64, period: u32) -> Result<bool, StoreError> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM recurring_runs WHERE recurring_id = ?1 AND period = ?2",
            params![id, period],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn create_from(tx: &Transaction<'_>, schedule: &Recurring) -> Result<InvoiceId, StoreError> {
    let t = &schedule.template;
    let details = crate::invoices::details_json(&t.details);
    tx.execute(
        "INSERT INTO invoices (kind, client_id, currency, due_date, sale_date, details, created_at)
         VALUES ('standard', ?1, ?2, NULL, NULL, ?3, ?4)",
        params![
            schedule.client_id.0,
            t.currency.code(),
            details,
            now_rfc3339()
        ],
    )?;
    let id = tx.last_insert_rowid();
    for (i, line) in t.lines.iter().enumerate() {
        crate::invoices::insert_line(tx, id, i as i64 + 1, line)?;
    }
    Ok(InvoiceId(id))
}

fn record_run(
    tx: &Transaction<'_>,
    id: i64,
    period: u32,
    date: NaiveDate,
    invoice: InvoiceId,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO recurring_runs (recurring_id, period, period_date, invoice_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, period, date.to_string(), invoice.0, now_rfc3339()],
    )?;
    Ok(())
}

fn parse_day(text: &str) -> Result<NaiveDate, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Decode(format!("date {text:?}")))
}
