//! E-invoicing through a plateforme agréée: what was sent about each
//! issued document (`einvoice_flows`) and the lifecycle statuses that came
//! back (`einvoice_statuses`), schema in `migrations/0007`.
//!
//! Sending is two steps, like payment links: [`Store::reserve_einvoice`]
//! writes the document's tracking id (its number) and the SHA-256 of the
//! file before the upload; [`Store::einvoice_submitted`] records the
//! platform's flow id after. After a crash in between, the next attempt
//! finds the reservation, asks the platform for a flow with that tracking
//! id and hash, and records it instead of sending again.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use crate::journal::lower_hex;
use crate::links::parse_instant;
use crate::{PaymentId, Rejection, Store, StoreError, now_rfc3339};

/// What a flow carries about its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlowKind {
    /// The document itself (a Factur-X).
    Invoice,
    /// The seller's status 212 "Encaissée" about it.
    Cashed,
}

impl FlowKind {
    fn db(self) -> &'static str {
        match self {
            FlowKind::Invoice => "invoice",
            FlowKind::Cashed => "cashed",
        }
    }

    fn from_db(text: &str) -> Result<FlowKind, StoreError> {
        match text {
            "invoice" => Ok(FlowKind::Invoice),
            "cashed" => Ok(FlowKind::Cashed),
            other => Err(StoreError::Decode(format!("flow kind {other:?}"))),
        }
    }
}

/// The platform's acknowledgement of a flow (XP Z12-013 `FlowAckStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FlowAck {
    Pending,
    Ok,
    Error,
}

impl FlowAck {
    pub fn as_str(self) -> &'static str {
        match self {
            FlowAck::Pending => "Pending",
            FlowAck::Ok => "Ok",
            FlowAck::Error => "Error",
        }
    }
}

impl FromStr for FlowAck {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<FlowAck, StoreError> {
        match text {
            "Pending" => Ok(FlowAck::Pending),
            "Ok" => Ok(FlowAck::Ok),
            "Error" => Ok(FlowAck::Error),
            other => Err(StoreError::Decode(format!("acknowledgement {other:?}"))),
        }
    }
}

/// One flow sent (or reserved) about a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EInvoiceFlow {
    pub number: String,
    pub kind: FlowKind,
    /// For [`FlowKind::Cashed`]: the payment it reports.
    pub payment: Option<PaymentId>,
    pub tracking_id: String,
    pub sha256: String,
    pub file_name: String,
    pub reserved_at: DateTime<Utc>,
    /// The platform's id, once it answered.
    pub flow_id: Option<String>,
    /// The platform's submission time, as it wrote it.
    pub submitted_at: Option<String>,
    pub ack: Option<FlowAck>,
    /// Why the platform answered `Error` (`CODE: message`).
    pub ack_reason: Option<String>,
    pub updated_at: Option<String>,
}

/// A lifecycle status to record, as read from a CDAR message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStatus {
    /// The document's number.
    pub number: String,
    /// The incoming flow that carried the message.
    pub source_flow_id: String,
    pub message_id: String,
    pub code: u16,
    pub label: String,
    pub issuer_role: Option<String>,
    pub reason_code: Option<String>,
    pub reason: Option<String>,
    pub amount: Option<String>,
    pub vat_rate: Option<String>,
    pub issued_at: String,
}

/// A lifecycle status received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedStatus {
    pub code: u16,
    pub label: String,
    pub issuer_role: Option<String>,
    pub reason_code: Option<String>,
    pub reason: Option<String>,
    pub amount: Option<String>,
    pub vat_rate: Option<String>,
    /// The message's own date (`YYYYMMDDhhmmss`).
    pub issued_at: String,
    pub received_at: DateTime<Utc>,
    pub source_flow_id: String,
}

/// The lowercase hex SHA-256 of `bytes`, as the platforms write it (and
/// the books record a mail's attachment).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    lower_hex(&sha2::Sha256::digest(bytes))
}

const FLOW_COLUMNS: &str = "i.number, f.kind, f.tracking_id, f.sha256, f.file_name, f.reserved_at,
     f.flow_id, f.submitted_at, f.ack_status, f.ack_reason, f.updated_at, f.payment_id";

fn flow_row(r: &Row<'_>) -> rusqlite::Result<Result<EInvoiceFlow, StoreError>> {
    let kind: String = r.get(1)?;
    let reserved: String = r.get(5)?;
    let ack: Option<String> = r.get(8)?;
    let number: String = r.get(0)?;
    let tracking_id: String = r.get(2)?;
    let sha256: String = r.get(3)?;
    let file_name: String = r.get(4)?;
    let flow_id: Option<String> = r.get(6)?;
    let submitted_at: Option<String> = r.get(7)?;
    let ack_reason: Option<String> = r.get(9)?;
    let updated_at: Option<String> = r.get(10)?;
    let payment: Option<i64> = r.get(11)?;
    Ok((|| {
        Ok(EInvoiceFlow {
            number,
            kind: FlowKind::from_db(&kind)?,
            payment: payment.map(PaymentId),
            tracking_id,
            sha256,
            file_name,
            reserved_at: parse_instant(&reserved)?,
            flow_id,
            submitted_at,
            ack: ack.as_deref().map(FlowAck::from_str).transpose()?,
            ack_reason,
            updated_at,
        })
    })())
}

impl Store {
    /// Step 1 of sending: reserves the flow of kind `kind` about the
    /// issued document `number` (and, for a status 212, its `payment`).
    /// Reserving again with the same file gives the same row (a retry
    /// resumes it); with another file, an error.
    pub fn reserve_einvoice(
        &mut self,
        number: &str,
        kind: FlowKind,
        payment: Option<PaymentId>,
        tracking_id: &str,
        sha256: &str,
        file_name: &str,
    ) -> Result<EInvoiceFlow, StoreError> {
        let view = self.invoice(number)?;
        let Some(number) = view.number.clone() else {
            return Err(Rejection::Invalid(format!(
                "draft {} is not issued: issue it before sending it to the platform",
                view.id.0
            ))
            .into());
        };
        if view.elsewhere && kind == FlowKind::Invoice {
            return Err(Rejection::Invalid(format!(
                "{number} was issued in another tool: that tool sends it to the platform, not Acquit"
            ))
            .into());
        }
        if tracking_id.is_empty() || tracking_id.chars().count() > 64 {
            return Err(Rejection::Invalid(format!(
                "{tracking_id:?} cannot be a tracking id (1 to 64 characters)"
            ))
            .into());
        }
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Rejection::Invalid(format!("{sha256:?} is not a SHA-256")).into());
        }
        if (kind == FlowKind::Cashed) != payment.is_some() {
            return Err(Rejection::Invalid(
                "a status 212 is about one payment, and only it is".into(),
            )
            .into());
        }
        let payment_id = payment.map(|p| p.0);
        self.write(|tx| {
            let existing: Option<String> = tx
                .query_row(
                    "SELECT sha256 FROM einvoice_flows
                     WHERE invoice_id = ?1 AND kind = ?2 AND COALESCE(payment_id, 0) = COALESCE(?3, 0)",
                    params![view.id.0, kind.db(), payment_id],
                    |r| r.get(0),
                )
                .optional()?;
            match existing {
                Some(known) if known == sha256 => Ok(()),
                Some(_) => Err(Rejection::Invalid(format!(
                    "{number} was already sent to the platform with another file: an issued invoice is sent once, as issued"
                ))
                .into()),
                None => {
                    if let Some(payment) = payment_id {
                        let on: Option<i64> = tx
                            .query_row("SELECT invoice_id FROM payments WHERE id = ?1", [payment], |r| r.get(0))
                            .optional()?;
                        if on != Some(view.id.0) {
                            return Err(Rejection::NoSuchPayment(payment).into());
                        }
                    }
                    tx.execute(
                        "INSERT INTO einvoice_flows (invoice_id, kind, payment_id, tracking_id, sha256, file_name, reserved_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![view.id.0, kind.db(), payment_id, tracking_id, sha256, file_name, now_rfc3339()],
                    )?;
                    Ok(())
                }
            }
        })?;
        self.einvoice_flow_by_tracking(tracking_id)?
            .ok_or_else(|| StoreError::Decode("a reserved flow vanished".into()))
    }

    /// Step 2: the platform took the flow reserved as `tracking_id` and
    /// called it `flow_id`. Recording the same again changes nothing.
    pub fn einvoice_submitted(
        &mut self,
        tracking_id: &str,
        flow_id: &str,
        submitted_at: &str,
        ack: FlowAck,
        ack_reason: Option<&str>,
    ) -> Result<(), StoreError> {
        let flow_id = flow_id.trim();
        if flow_id.is_empty() {
            return Err(Rejection::Invalid("the platform returned no flow id".into()).into());
        }
        self.write(|tx| {
            let known: Option<Option<String>> = tx
                .query_row(
                    "SELECT flow_id FROM einvoice_flows WHERE tracking_id = ?1",
                    [tracking_id],
                    |r| r.get(0),
                )
                .optional()?;
            match known {
                None => {
                    Err(Rejection::Invalid(format!("nothing was reserved as {tracking_id}")).into())
                }
                Some(Some(id)) if id == flow_id => Ok(()),
                Some(Some(id)) => Err(Rejection::Invalid(format!(
                    "{tracking_id} is already the platform's flow {id}, not {flow_id}"
                ))
                .into()),
                Some(None) => {
                    tx.execute(
                        "UPDATE einvoice_flows SET flow_id = ?2, submitted_at = ?3, ack_status = ?4,
                            ack_reason = ?5, updated_at = ?3
                         WHERE tracking_id = ?1",
                        params![tracking_id, flow_id, submitted_at, ack.as_str(), ack_reason],
                    )?;
                    Ok(())
                }
            }
        })
    }

    /// Forgets the reservation `tracking_id` when the platform refused
    /// the upload outright (nothing was received: a 4xx answer); a flow
    /// the platform took is never forgotten (a trigger holds it).
    pub fn cancel_einvoice_reservation(&mut self, tracking_id: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM einvoice_flows WHERE tracking_id = ?1 AND flow_id IS NULL",
                [tracking_id],
            )?;
            tx.execute(
                "DELETE FROM einvoice_answers WHERE tracking_id = ?1 AND flow_id IS NULL",
                [tracking_id],
            )?;
            Ok(())
        })
    }

    /// The platform's acknowledgement of `flow_id` now; `true` if it
    /// changed. An `Ok` or `Error` is final: a later `Pending` is ignored.
    pub fn einvoice_acknowledged(
        &mut self,
        flow_id: &str,
        ack: FlowAck,
        ack_reason: Option<&str>,
        updated_at: &str,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE einvoice_flows SET ack_status = ?2, ack_reason = ?3, updated_at = ?4
                 WHERE flow_id = ?1 AND ack_status = 'Pending' AND ?2 <> 'Pending'",
                params![flow_id, ack.as_str(), ack_reason, updated_at],
            )?;
            Ok(changed > 0)
        })
    }

    /// The flow of the document `number` itself, if one was reserved.
    pub fn einvoice_flow(&self, number: &str) -> Result<Option<EInvoiceFlow>, StoreError> {
        self.one_flow("i.number = ?1 AND f.kind = 'invoice'", number.trim())
    }

    /// Every flow about the document `number` (itself, its 212s), in order.
    pub fn einvoice_flows_of(&self, number: &str) -> Result<Vec<EInvoiceFlow>, StoreError> {
        let sql = format!(
            "SELECT {FLOW_COLUMNS} FROM einvoice_flows f JOIN invoices i ON i.id = f.invoice_id
             WHERE i.number = ?1 ORDER BY f.id"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([number.trim()], flow_row)?;
        rows.map(|r| r.map_err(StoreError::from).and_then(|f| f))
            .collect()
    }

    /// The flow reserved as `tracking_id`.
    pub fn einvoice_flow_by_tracking(
        &self,
        tracking_id: &str,
    ) -> Result<Option<EInvoiceFlow>, StoreError> {
        self.one_flow("f.tracking_id = ?1", tracking_id)
    }

    fn one_flow(&self, condition: &str, value: &str) -> Result<Option<EInvoiceFlow>, StoreError> {
        let sql = format!(
            "SELECT {FLOW_COLUMNS} FROM einvoice_flows f JOIN invoices i ON i.id = f.invoice_id
             WHERE {condition}"
        );
        self.conn()
            .query_row(&sql, [value], flow_row)
            .optional()?
            .transpose()
    }

    /// The documents sent to the platform (their own flow recorded), in
    /// the order they were sent.
    pub fn einvoiced_numbers(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT i.number FROM einvoice_flows f JOIN invoices i ON i.id = f.invoice_id
             WHERE f.kind = 'invoice' AND f.flow_id IS NOT NULL ORDER BY f.id",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Flows not settled yet: reserved but not recorded as sent (a crash),
    /// or sent and still `Pending`. Oldest first.
    pub fn unsettled_einvoice_flows(&self) -> Result<Vec<EInvoiceFlow>, StoreError> {
        let sql = format!(
            "SELECT {FLOW_COLUMNS} FROM einvoice_flows f JOIN invoices i ON i.id = f.invoice_id
             WHERE f.flow_id IS NULL OR f.ack_status = 'Pending' ORDER BY f.id"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([], flow_row)?;
        rows.map(|r| r.map_err(StoreError::from).and_then(|f| f))
            .collect()
    }

    /// Records a lifecycle status about a document Acquit sent; `None`
    /// when it was already recorded (a message read twice).
    pub fn record_einvoice_status(
        &mut self,
        status: &NewStatus,
    ) -> Result<Option<ReceivedStatus>, StoreError> {
        let number = status.number.trim();
        // The table's CHECK would refuse it too, but as a database error,
        // which stops the lifecycle sync at this flow for good; a rejection
        // is skipped with its reason and the next statuses are read.
        if !acquit_core::einvoicing::STATUS_CODES.contains(&status.code) {
            return Err(Rejection::Invalid(format!(
                "a status about {number} with code {}, which is not a lifecycle status (1 to 999)",
                status.code
            ))
            .into());
        }
        let inserted = self.write(|tx| {
            let invoice: Option<i64> = tx
                .query_row(
                    "SELECT i.id FROM invoices i JOIN einvoice_flows f ON f.invoice_id = i.id
                     WHERE i.number = ?1 AND f.kind = 'invoice' AND f.flow_id IS NOT NULL",
                    [number],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(invoice) = invoice else {
                return Err(Rejection::Invalid(format!(
                    "a status about {number}, which Acquit did not send to the platform"
                ))
                .into());
            };
            let n = tx.execute(
                "INSERT INTO einvoice_statuses (invoice_id, source_flow_id, message_id, code, label,
                     issuer_role, reason_code, reason, amount, vat_rate, issued_at, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT (source_flow_id, invoice_id, code) DO NOTHING",
                params![
                    invoice,
                    status.source_flow_id,
                    status.message_id,
                    status.code,
                    status.label,
                    status.issuer_role,
                    status.reason_code,
                    status.reason,
                    status.amount,
                    status.vat_rate,
                    status.issued_at,
                    now_rfc3339()
                ],
            )?;
            Ok(n > 0)
        })?;
        if !inserted {
            return Ok(None);
        }
        Ok(self
            .einvoice_statuses(number)?
            .into_iter()
            .find(|s| s.source_flow_id == status.source_flow_id && s.code == status.code))
    }

    /// The lifecycle statuses received about `number`, in the order they came.
    pub fn einvoice_statuses(&self, number: &str) -> Result<Vec<ReceivedStatus>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT s.code, s.label, s.issuer_role, s.reason_code, s.reason, s.amount, s.vat_rate,
                    s.issued_at, s.received_at, s.source_flow_id
             FROM einvoice_statuses s JOIN invoices i ON i.id = s.invoice_id
             WHERE i.number = ?1 ORDER BY s.id",
        )?;
        let rows = stmt.query_map([number.trim()], |r| {
            let received: String = r.get(8)?;
            let code: i64 = r.get(0)?;
            Ok((
                code,
                received,
                ReceivedStatus {
                    code: 0,
                    label: r.get(1)?,
                    issuer_role: r.get(2)?,
                    reason_code: r.get(3)?,
                    reason: r.get(4)?,
                    amount: r.get(5)?,
                    vat_rate: r.get(6)?,
                    issued_at: r.get(7)?,
                    received_at: DateTime::<Utc>::MIN_UTC,
                    source_flow_id: r.get(9)?,
                },
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (code, received, mut status) = row?;
            status.code = u16::try_from(code)
                .map_err(|_| StoreError::Decode(format!("status code {code}")))?;
            status.received_at = parse_instant(&received)?;
            out.push(status);
        }
        Ok(out)
    }
}

/// A supplier's invoice received through the platform, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReceived {
    pub flow_id: String,
    pub file_name: String,
    /// `Factur-X`, `CII`, `UBL`.
    pub syntax: String,
    pub file: Vec<u8>,
    pub supplier: String,
    pub supplier_siren: Option<String>,
    pub number: String,
    pub type_code: String,
    pub issue_date: chrono::NaiveDate,
    pub due_date: Option<chrono::NaiveDate>,
    pub total: acquit_core::Money,
    pub due: acquit_core::Money,
}

/// A received invoice as listed (the file apart: [`Store::received_file`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Received {
    pub id: i64,
    pub flow_id: String,
    pub file_name: String,
    pub syntax: String,
    pub sha256: String,
    pub supplier: String,
    pub supplier_siren: Option<String>,
    pub number: String,
    pub type_code: String,
    pub issue_date: chrono::NaiveDate,
    pub due_date: Option<chrono::NaiveDate>,
    pub total: acquit_core::Money,
    pub due: acquit_core::Money,
    pub received_at: DateTime<Utc>,
}

impl Store {
    /// Records a received invoice; `false` when its flow was already
    /// recorded (read twice).
    pub fn record_received(&mut self, r: &NewReceived) -> Result<bool, StoreError> {
        if r.total.currency() != r.due.currency() {
            return Err(Rejection::Invalid(
                "a received invoice's amounts are in one currency".into(),
            )
            .into());
        }
        let sha256 = sha256_hex(&r.file);
        self.write(|tx| {
            let n = tx.execute(
                "INSERT INTO einvoice_received (flow_id, file_name, syntax, sha256, file, supplier,
                     supplier_siren, number, type_code, issue_date, due_date, total_minor, due_minor,
                     currency, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                 ON CONFLICT (flow_id) DO NOTHING",
                params![
                    r.flow_id,
                    r.file_name,
                    r.syntax,
                    sha256,
                    r.file,
                    r.supplier,
                    r.supplier_siren,
                    r.number,
                    r.type_code,
                    r.issue_date.to_string(),
                    r.due_date.map(|d| d.to_string()),
                    r.total.minor(),
                    r.due.minor(),
                    r.total.currency().code(),
                    now_rfc3339()
                ],
            )?;
            Ok(n > 0)
        })
    }

    /// Whether the platform's flow `flow_id` was recorded as received.
    pub fn is_received(&self, flow_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM einvoice_received WHERE flow_id = ?1",
                [flow_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// The received invoices, newest first.
    pub fn received(&self) -> Result<Vec<Received>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, flow_id, file_name, syntax, sha256, supplier, supplier_siren, number, type_code,
                    issue_date, due_date, total_minor, due_minor, currency, received_at
             FROM einvoice_received ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                (
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, String>(7)?,
                ),
                (
                    r.get::<_, String>(8)?,
                    r.get::<_, String>(9)?,
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, i64>(11)?,
                    r.get::<_, i64>(12)?,
                    r.get::<_, String>(13)?,
                    r.get::<_, String>(14)?,
                ),
            ))
        })?;
        let date = |t: &str| {
            t.parse::<chrono::NaiveDate>()
                .map_err(|_| StoreError::Decode(format!("date {t:?}")))
        };
        let mut out = Vec::new();
        for row in rows {
            let ((id, flow_id, file_name, syntax, sha256, supplier, supplier_siren, number), rest) =
                row?;
            let (type_code, issue, due_on, total, due, currency, received) = rest;
            let currency = acquit_core::Currency::from_code(&currency)
                .map_err(|e| StoreError::Decode(e.to_string()))?;
            out.push(Received {
                id,
                flow_id,
                file_name,
                syntax,
                sha256,
                supplier,
                supplier_siren,
                number,
                type_code,
                issue_date: date(&issue)?,
                due_date: due_on.as_deref().map(date).transpose()?,
                total: acquit_core::Money::new(total, currency),
                due: acquit_core::Money::new(due, currency),
                received_at: parse_instant(&received)?,
            });
        }
        Ok(out)
    }

    /// The file of received invoice `id`, as the platform handed it over.
    pub fn received_file(&self, id: i64) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT file_name, file FROM einvoice_received WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}

/// An answer to a received invoice, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub received_id: i64,
    pub code: u16,
    pub reason_code: Option<String>,
    pub reason: Option<String>,
    pub tracking_id: String,
    /// The CDAR message, as written.
    #[serde(skip)]
    pub message: Vec<u8>,
    pub sha256: String,
    pub reserved_at: DateTime<Utc>,
    pub flow_id: Option<String>,
    pub submitted_at: Option<String>,
    pub ack: Option<FlowAck>,
}

const ANSWER_COLUMNS: &str = "received_id, code, reason_code, reason, tracking_id, message, sha256,
     reserved_at, flow_id, submitted_at, ack_status";

fn answer_row(r: &Row<'_>) -> rusqlite::Result<Result<Answer, StoreError>> {
    let code: i64 = r.get(1)?;
    let reserved: String = r.get(7)?;
    let ack: Option<String> = r.get(10)?;
    let answer = Answer {
        received_id: r.get(0)?,
        code: 0,
        reason_code: r.get(2)?,
        reason: r.get(3)?,
        tracking_id: r.get(4)?,
        message: r.get(5)?,
        sha256: r.get(6)?,
        reserved_at: DateTime::<Utc>::MIN_UTC,
        flow_id: r.get(8)?,
        submitted_at: r.get(9)?,
        ack: None,
    };
    Ok((|| {
        Ok(Answer {
            code: u16::try_from(code).map_err(|_| StoreError::Decode(format!("code {code}")))?,
            reserved_at: parse_instant(&reserved)?,
            ack: ack.as_deref().map(FlowAck::from_str).transpose()?,
            ..answer
        })
    })())
}

impl Store {
    /// Step 1 of answering received invoice `received_id` with status
    /// `code`: keeps the message as written. Answering again with the same
    /// status gives the row already there (its message, to resume a send
    /// cut off), whatever `message` is now.
    pub fn reserve_answer(
        &mut self,
        received_id: i64,
        code: u16,
        reason: Option<(&str, Option<&str>)>,
        tracking_id: &str,
        message: &[u8],
    ) -> Result<Answer, StoreError> {
        if self.received_file(received_id)?.is_none() {
            return Err(Rejection::Invalid(format!(
                "there is no received invoice {received_id}: see `acquit einvoice inbox`"
            ))
            .into());
        }
        let sha256 = sha256_hex(message);
        self.write(|tx| {
            tx.execute(
                "INSERT INTO einvoice_answers (received_id, code, reason_code, reason, tracking_id,
                     message, sha256, reserved_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (received_id, code) DO NOTHING",
                params![
                    received_id,
                    code,
                    reason.map(|r| r.0),
                    reason.and_then(|r| r.1),
                    tracking_id,
                    message,
                    sha256,
                    now_rfc3339()
                ],
            )?;
            Ok(())
        })?;
        self.answers(received_id)?
            .into_iter()
            .find(|a| a.code == code)
            .ok_or_else(|| StoreError::Decode("a reserved answer vanished".into()))
    }

    /// Step 2: the platform took the answer reserved as `tracking_id`.
    pub fn answer_submitted(
        &mut self,
        tracking_id: &str,
        flow_id: &str,
        submitted_at: &str,
        ack: FlowAck,
        ack_reason: Option<&str>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE einvoice_answers SET flow_id = ?2, submitted_at = ?3, ack_status = ?4, ack_reason = ?5
                 WHERE tracking_id = ?1 AND (flow_id IS NULL OR flow_id = ?2)",
                params![tracking_id, flow_id, submitted_at, ack.as_str(), ack_reason],
            )?;
            if n == 0 {
                return Err(Rejection::Invalid(format!(
                    "no answer {tracking_id} waits for a flow id, or it has another one"
                ))
                .into());
            }
            Ok(())
        })
    }

    /// The answers given to received invoice `received_id`, in order.
    pub fn answers(&self, received_id: i64) -> Result<Vec<Answer>, StoreError> {
        let sql = format!(
            "SELECT {ANSWER_COLUMNS} FROM einvoice_answers WHERE received_id = ?1 ORDER BY id"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([received_id], answer_row)?;
        rows.map(|r| r.map_err(StoreError::from).and_then(|a| a))
            .collect()
    }
}

impl Store {
    /// The issued documents of `period` that are e-reported rather than
    /// e-invoiced (to consumers, to businesses abroad), as the core's
    /// e-reporting reads them.
    pub fn reported_sales(
        &self,
        period: &acquit_core::ereport::ReportPeriod,
    ) -> Result<Vec<acquit_core::ereport::Sale>, StoreError> {
        use acquit_core::einvoicing::Channel;
        use acquit_core::ereport::{Buyer, Sale};
        let numbers: Vec<String> = {
            let mut stmt = self.conn().prepare_cached(
                // An invoice issued elsewhere was the former tool's to
                // report: reporting it again would count it twice.
                "SELECT number FROM invoices WHERE number IS NOT NULL AND origin = 'acquit'
                 AND issue_date BETWEEN ?1 AND ?2 ORDER BY issue_date, id",
            )?;
            let rows = stmt.query_map(
                params![period.first.to_string(), period.last.to_string()],
                |r| r.get(0),
            )?;
            rows.collect::<Result<_, _>>()?
        };
        let mut sales = Vec::new();
        for number in numbers {
            let view = self.invoice(&number)?;
            let buyer = match Channel::of(&view.buyer) {
                Channel::ReportConsumer => Buyer::Consumer,
                Channel::ReportInternational => Buyer::International,
                Channel::EInvoice { .. } | Channel::EInvoiceWithoutSiren => continue,
            };
            let Some(date) = view.issue_date else {
                continue;
            };
            sales.push(Sale {
                number,
                date,
                buyer,
                country: view.buyer.address.as_ref().and_then(|a| a.country),
                totals: view.totals,
            });
        }
        Ok(sales)
    }
}
