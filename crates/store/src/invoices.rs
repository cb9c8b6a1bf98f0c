//! Drafts, issuing, and reading invoices back.
//!
//! # Numbering
//!
//! Issuing runs in one `BEGIN IMMEDIATE` transaction that (1) checks the
//! draft and computes its totals, (2) checks the date is not earlier than
//! the last issued document of the same series class (invoices, or credit
//! notes), (3) takes the next value of the series counter with an atomic
//! upsert, and (4) writes number, dates, snapshots and totals. A crash at any
//! point leaves either the draft or the issued invoice, never a used number
//! without its invoice; SQLite's write lock serializes the app and the CLI,
//! and `UNIQUE (number)` backs it all up.

use acquit_core::PaymentMeans;
use acquit_core::compliance::{self, Gap};
use acquit_core::numbering::NumberPattern;
use acquit_core::tax::{self, Discount, LineInput, Totals};
use acquit_core::{
    Category, Client, Currency, InvoiceDetails, InvoiceKind, InvoiceStatus, Line, Money, Nature,
    Quantity, Seller, Settlement, Unit, VatExemption, VatRate,
};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::journal::{self, Subject};
use crate::parties::ClientId;
use crate::{Rejection, Store, StoreError, from_json, now_rfc3339, to_json};

/// An invoice's row id (drafts have no number yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InvoiceId(pub i64);

/// What a new draft needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDraft {
    pub client: ClientId,
    pub currency: Currency,
    pub kind: InvoiceKind,
    /// Default: the issue date plus the seller's payment terms.
    pub due_date: Option<NaiveDate>,
    /// Date of the sale or service. Default: the issue date.
    pub sale_date: Option<NaiveDate>,
    /// For a balance invoice: the numbers of the deposit invoices it deducts.
    pub deposits: Vec<String>,
    /// Order and buyer references, delivery address, euro rate.
    pub details: InvoiceDetails,
}

/// A line as stored, with its position on the invoice (from 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredLine {
    pub position: i64,
    #[serde(flatten)]
    pub line: Line,
}

/// Everything about one invoice, draft or issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceView {
    pub id: InvoiceId,
    pub kind: InvoiceKind,
    pub number: Option<String>,
    pub status: InvoiceStatus,
    pub client_id: ClientId,
    pub currency: Currency,
    pub issue_date: Option<NaiveDate>,
    pub sale_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    /// The seller as of issue (for a draft: the current profile, if set).
    pub seller: Option<Seller>,
    /// The client as of issue (for a draft: the current client).
    pub buyer: Client,
    pub lines: Vec<StoredLine>,
    pub totals: Totals,
    /// For a balance invoice: the deposits it deducts.
    pub deposits: Vec<String>,
    /// For a credit note: the invoice it corrects.
    pub credits: Option<String>,
    /// For a credit note: why it was issued.
    pub reason: Option<String>,
    /// References, delivery address, euro rate and VAT in euros, the
    /// corrected invoice's date (empty in older books).
    pub details: InvoiceDetails,
    /// Goods, services or both, from the lines' natures (none while a line
    /// has no nature, as in older books).
    pub category: Option<Category>,
    /// Issued credit notes against this invoice.
    pub credit_notes: Vec<String>,
    pub amount_due: Money,
    /// Paid beyond what is due (a credit note after payment, an
    /// overpayment): owed back to the client.
    pub refund_due: Money,
    /// Issued in another tool before Acquit, imported (migration 0012):
    /// its figures count, but Acquit never draws it (its PDF is the
    /// former tool's, `Store::imported_pdf`) nor sends it as an e-invoice.
    pub elsewhere: bool,
}

impl InvoiceView {
    /// Whether payment links and payments recorded by hand are offered: an
    /// invoice (never a credit note) whose status still takes money
    /// ([`acquit_core::InvoiceStatus::takes_payments`]).
    pub fn takes_payments(&self) -> bool {
        !self.kind.is_credit_note() && self.status.takes_payments()
    }
}

/// A row of the invoice list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceSummary {
    pub id: InvoiceId,
    pub kind: InvoiceKind,
    pub number: Option<String>,
    pub status: InvoiceStatus,
    pub client: String,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub total: Money,
    pub amount_due: Money,
    /// Money is still expected and the due date is before `ListQuery::today`.
    pub overdue: bool,
}

const PATTERN_INVOICE: &str = "numbering.invoice";
const PATTERN_CREDIT_NOTE: &str = "numbering.credit_note";

impl Store {
    /// The numbering pattern of invoices (`credit_notes` false) or credit notes.
    pub fn number_pattern(&self, credit_notes: bool) -> Result<NumberPattern, StoreError> {
        let (key, default) = if credit_notes {
            (PATTERN_CREDIT_NOTE, NumberPattern::DEFAULT_CREDIT_NOTE)
        } else {
            (PATTERN_INVOICE, NumberPattern::DEFAULT_INVOICE)
        };
        let text = self.setting(key)?.unwrap_or_else(|| default.to_owned());
        Ok(NumberPattern::parse(&text).map_err(Rejection::from)?)
    }

    pub fn set_number_pattern(
        &mut self,
        credit_notes: bool,
        pattern: &NumberPattern,
    ) -> Result<(), StoreError> {
        let key = if credit_notes {
            PATTERN_CREDIT_NOTE
        } else {
            PATTERN_INVOICE
        };
        self.set_setting(key, pattern.as_str())
    }

    pub fn create_draft(&mut self, draft: &NewDraft) -> Result<InvoiceId, StoreError> {
        self.write(|tx| create_draft_in(tx, draft))
    }

    /// Replaces the header of draft `id` (client, kind, currency, dates,
    /// deducted deposits) with `header`, checked as for a new draft. The
    /// currency changes only while the draft has no lines: their prices are
    /// in the old one. An issued invoice is refused (and locked by triggers).
    pub fn update_draft(&mut self, id: InvoiceId, header: &NewDraft) -> Result<(), StoreError> {
        check_new_draft(header)?;
        self.write(|tx| {
            let (currency, _) = editable_draft(tx, id)?;
            check_client(tx, header.client)?;
            if header.currency != currency {
                let lines: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM invoice_lines WHERE invoice_id = ?1",
                    [id.0],
                    |r| r.get(0),
                )?;
                if lines > 0 {
                    return Err(Rejection::Invalid(format!(
                        "draft {} has lines priced in {}: remove them before changing its currency to {}",
                        id.0,
                        currency.code(),
                        header.currency.code()
                    ))
                    .into());
                }
            }
            tx.execute(
                "UPDATE invoices SET kind = ?2, client_id = ?3, currency = ?4, due_date = ?5, sale_date = ?6,
                    details = ?7
                 WHERE id = ?1 AND number IS NULL",
                params![
                    id.0,
                    header.kind.as_str(),
                    header.client.0,
                    header.currency.code(),
                    header.due_date.map(|d| d.to_string()),
                    header.sale_date.map(|d| d.to_string()),
                    details_json(&header.details),
                ],
            )?;
            tx.execute("DELETE FROM balance_deposits WHERE balance_id = ?1", [id.0])?;
            link_deposits(tx, id.0, header)
        })
    }

    /// Appends a line to a draft, after checking the draft still computes.
    pub fn add_line(&mut self, draft: InvoiceId, line: &Line) -> Result<i64, StoreError> {
        if line.description.trim().is_empty() {
            return Err(Rejection::Invalid(
                "the line has no description: say what is invoiced (--desc)".into(),
            )
            .into());
        }
        let seller = self.seller()?;
        // A line without a nature takes the seller's activity's.
        let mut line = line.clone();
        if line.nature.is_none() {
            line.nature = seller
                .as_ref()
                .and_then(|s| s.activity)
                .map(|a| a.default_nature());
        }
        let line = &line;
        self.write(|tx| {
            let (currency, _) = editable_draft(tx, draft)?;
            let mut lines = load_lines(tx, draft.0)?;
            let position = lines.len() as i64 + 1;
            lines.push(StoredLine {
                position,
                line: line.clone(),
            });
            let regime = seller.as_ref().map(|s| s.vat_regime).unwrap_or_default();
            compute_lines(&lines, currency, regime)?;
            insert_line(tx, draft.0, position, line)?;
            Ok(position)
        })
    }

    /// Removes line `position` (from 1) of a draft; the lines after it move
    /// up one place.
    pub fn remove_line(&mut self, draft: InvoiceId, position: i64) -> Result<(), StoreError> {
        self.write(|tx| {
            editable_draft(tx, draft)?;
            let removed = tx.execute(
                "DELETE FROM invoice_lines WHERE invoice_id = ?1 AND position = ?2",
                [draft.0, position],
            )?;
            if removed == 0 {
                return Err(Rejection::Invalid(format!(
                    "draft {} has no line {position}: see `acquit invoice show {}`",
                    draft.0, draft.0
                ))
                .into());
            }
            // Two steps, so the UNIQUE (invoice_id, position) never sees a
            // duplicate mid-update.
            tx.execute(
                "UPDATE invoice_lines SET position = -position WHERE invoice_id = ?1 AND position > ?2",
                [draft.0, position],
            )?;
            tx.execute(
                "UPDATE invoice_lines SET position = -position - 1 WHERE invoice_id = ?1 AND position < 0",
                [draft.0],
            )?;
            Ok(())
        })
    }

    /// Deletes a draft and its lines. Issued invoices cannot be deleted.
    pub fn delete_draft(&mut self, draft: InvoiceId) -> Result<(), StoreError> {
        self.write(|tx| {
            editable_draft(tx, draft)?;
            tx.execute("DELETE FROM invoices WHERE id = ?1", [draft.0])?;
            Ok(())
        })
    }

    /// Issues a draft on `date`: numbers it and locks it for ever. Returns
    /// the number.
    pub fn issue(&mut self, draft: InvoiceId, date: NaiveDate) -> Result<String, StoreError> {
        let seller = self.seller()?.ok_or(Rejection::NoSeller)?;
        let pattern = self.number_pattern(false)?;
        self.write(|tx| issue_in(tx, &seller, &pattern, draft, date))
    }

    /// What the draft lacks that the law will ask for later than `date`:
    /// issuing on `date` works, but the user should complete it (the CLI
    /// and the app show these as warnings). What is due on `date` is
    /// refused by [`Store::issue`] instead.
    pub fn coming_gaps(&self, draft: InvoiceId, date: NaiveDate) -> Result<Vec<Gap>, StoreError> {
        let view = self.invoice_by_id(draft)?;
        let Some(seller) = self.seller()? else {
            return Ok(Vec::new());
        };
        let lines: Vec<Line> = view.lines.into_iter().map(|l| l.line).collect();
        Ok(
            compliance::gaps(&seller, &view.buyer, &lines, &view.details, view.currency)
                .into_iter()
                .filter(|g| !g.blocks_on(date))
                .collect(),
        )
    }

    /// Issues a credit note against the issued invoice `number`, dated
    /// `date`: for `amount` (including VAT), or, without an amount, for the
    /// whole invoice (only if nothing was credited yet). Returns its number.
    pub fn credit_note(
        &mut self,
        number: &str,
        amount: Option<Money>,
        reason: Option<&str>,
        date: NaiveDate,
    ) -> Result<String, StoreError> {
        let invoice = self.invoice(number)?;
        let number = invoice.number.clone().unwrap_or_default();
        if invoice.kind.is_credit_note() {
            return Err(Rejection::NotAnInvoice { number }.into());
        }
        let credited: i64 = invoice
            .credit_notes
            .iter()
            .map(|n| self.invoice(n).map(|c| -c.totals.total.minor()))
            .sum::<Result<i64, StoreError>>()?;
        let creditable = Money::new(invoice.totals.total.minor() - credited, invoice.currency);
        let (totals, lines): (Totals, Vec<Line>) = match amount {
            None if credited == 0 => (
                invoice.totals.full_credit().map_err(Rejection::from)?,
                invoice.lines.iter().map(|l| l.line.clone()).collect(),
            ),
            None => {
                return Err(Rejection::Invalid(format!(
                    "{number} already has credit notes ({}): credit the rest with --amount {}",
                    invoice.credit_notes.join(", "),
                    creditable.to_decimal_string()
                ))
                .into());
            }
            Some(amount) => {
                if amount.currency() != invoice.currency
                    || !amount.is_positive()
                    || amount.minor() > creditable.minor()
                {
                    return Err(Rejection::Invalid(format!(
                        "a credit note on {number} is for more than zero and at most {} {}, not {}",
                        creditable.to_decimal_string(),
                        invoice.currency,
                        amount
                    ))
                    .into());
                }
                let totals = invoice
                    .totals
                    .partial_credit(amount)
                    .map_err(Rejection::from)?;
                let lang = invoice.buyer.lang;
                let lines = totals
                    .vat
                    .iter()
                    .map(|row| Line {
                        description: match lang {
                            acquit_core::Lang::Fr => {
                                format!("Avoir partiel sur la facture {number}")
                            }
                            acquit_core::Lang::En => format!("Partial credit on invoice {number}"),
                        },
                        input: LineInput {
                            quantity: Quantity::ONE,
                            // Positive, as on the invoice (the rate's base
                            // is negated in the credit note's totals): the
                            // document's type carries the sign
                            // (BR-FR-DEC-03).
                            unit_price: Money::new(-row.base.minor(), invoice.currency),
                            vat_rate: row.rate,
                            discount: Discount::None,
                        },
                        nature: None,
                        unit: None,
                    })
                    .collect();
                (totals, lines)
            }
        };
        let seller = self.seller()?.ok_or(Rejection::NoSeller)?;
        let pattern = self.number_pattern(true)?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        self.write(|tx| {
            tx.execute(
                "INSERT INTO invoices (kind, client_id, currency, credits_invoice_id, reason, created_at)
                 VALUES ('credit_note', ?1, ?2, ?3, ?4, ?5)",
                params![invoice.client_id.0, invoice.currency.code(), invoice.id.0, reason, now_rfc3339()],
            )?;
            let id = tx.last_insert_rowid();
            for (i, line) in lines.iter().enumerate() {
                insert_line(tx, id, i as i64 + 1, line)?;
            }
            let credit_number = take_number(tx, &pattern, date, true)?;
            let buyer: String = tx.query_row("SELECT buyer_snapshot FROM invoices WHERE id = ?1", [invoice.id.0], |r| r.get(0))?;
            let details = InvoiceDetails {
                credited_issue_date: invoice.issue_date,
                // A credit note is an e-invoice when its invoice is one.
                facturx: invoice.details.facturx,
                eur_rate: invoice.details.eur_rate,
                vat_total_eur: match invoice.details.eur_rate {
                    Some(rate) => Some(rate.to_eur(totals.vat_total).map_err(|e| StoreError::Decode(e.to_string()))?),
                    None => None,
                },
                ..InvoiceDetails::default()
            };
            let sealed = Sealed { seller: &seller, buyer_json: &buyer, totals: &totals, details: &details };
            seal(tx, id, &credit_number, [date, date, date], sealed)?;
            crate::stripe::credit_note_issued(tx, invoice.id.0, -totals.total.minor(), &credit_number)?;
            Ok(credit_number)
        })
    }

    /// The draft with this id, or the issued invoice with this id.
    pub fn invoice_by_id(&self, id: InvoiceId) -> Result<InvoiceView, StoreError> {
        self.view(id)?
            .ok_or_else(|| Rejection::NoSuchDraft(id.0).into())
    }

    /// The issued invoice or credit note with this number.
    pub fn invoice(&self, number: &str) -> Result<InvoiceView, StoreError> {
        let id: Option<i64> = self
            .conn()
            .query_row(
                "SELECT id FROM invoices WHERE number = ?1",
                [number.trim()],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            Some(id) => self.invoice_by_id(InvoiceId(id)),
            None => Err(Rejection::NoSuchInvoice(number.trim().to_owned()).into()),
        }
    }

    fn view(&self, id: InvoiceId) -> Result<Option<InvoiceView>, StoreError> {
        let conn = self.conn();
        type Row = (
            String,
            i64,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<i64>,
        );
        let row: Option<Row> = conn
            .query_row(
                "SELECT kind, client_id, currency, number, issue_date, sale_date, due_date,
                        seller_snapshot, buyer_snapshot, totals, credits_invoice_id
                 FROM invoices WHERE id = ?1",
                [id.0],
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
                        r.get(8)?,
                        r.get(9)?,
                        r.get(10)?,
                    ))
                },
            )
            .optional()?;
        let Some((
            kind,
            client_id,
            currency,
            number,
            issue,
            sale,
            due,
            seller,
            buyer,
            totals,
            credits,
        )) = row
        else {
            return Ok(None);
        };
        let kind: InvoiceKind = kind.parse().map_err(StoreError::Decode)?;
        let currency =
            Currency::from_code(&currency).map_err(|e| StoreError::Decode(e.to_string()))?;
        let lines = load_lines(conn, id.0)?;
        let (reason, origin): (Option<String>, String) = conn.query_row(
            "SELECT reason, origin FROM invoices WHERE id = ?1",
            [id.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let details = load_details(conn, id.0)?;
        let category = Category::of(&lines.iter().map(|l| l.line.clone()).collect::<Vec<_>>());
        let seller: Option<Seller> = match seller {
            Some(s) => Some(from_json(&s)?),
            None => self.seller()?,
        };
        let buyer: Client = match buyer {
            Some(b) => from_json(&b)?,
            None => self.client(ClientId(client_id))?,
        };
        let totals: Totals = match totals {
            Some(t) => from_json(&t)?,
            // A draft shows what its lines say, whatever the seller's regime
            // is now: a seller who moved to the VAT franchise must still see,
            // edit and delete the drafts written before. Issuing checks the
            // regime and says what to change.
            None => compute_lines(&lines, currency, acquit_core::VatRegime::Standard)?,
        };
        let deposits = numbers(
            conn,
            "SELECT d.number FROM balance_deposits b JOIN invoices d ON d.id = b.deposit_id WHERE b.balance_id = ?1 ORDER BY d.number",
            id.0,
        )?;
        let credit_notes = numbers(
            conn,
            "SELECT number FROM invoices WHERE credits_invoice_id = ?1 AND number IS NOT NULL ORDER BY number",
            id.0,
        )?;
        let credits = match credits {
            Some(c) => conn.query_row("SELECT number FROM invoices WHERE id = ?1", [c], |r| {
                r.get(0)
            })?,
            None => None,
        };
        let zero = Money::zero(currency);
        let (status, amount_due, refund_due) = if number.is_none() {
            (InvoiceStatus::Draft, totals.total, zero)
        } else if kind.is_credit_note() {
            // A credit note is owed to the client, not by them: it is issued
            // and nothing is due on it.
            (InvoiceStatus::Issued, zero, zero)
        } else {
            let settlement = settlement(conn, id.0, totals.total)?;
            (
                settlement.status()?,
                settlement.amount_due()?,
                settlement.overpaid()?,
            )
        };
        Ok(Some(InvoiceView {
            id,
            kind,
            number,
            status,
            client_id: ClientId(client_id),
            currency,
            issue_date: issue.as_deref().map(parse_date).transpose()?,
            sale_date: sale.as_deref().map(parse_date).transpose()?,
            due_date: due.as_deref().map(parse_date).transpose()?,
            seller,
            buyer,
            lines,
            totals,
            deposits,
            credits,
            reason,
            details,
            category,
            credit_notes,
            elsewhere: origin == "elsewhere",
            amount_due,
            refund_due,
        }))
    }

    /// Invoices and drafts, newest first, optionally of one status.
    pub fn list_invoices(
        &self,
        status: Option<InvoiceStatus>,
    ) -> Result<Vec<InvoiceSummary>, StoreError> {
        self.list_page(&ListQuery {
            status,
            ..ListQuery::default()
        })
    }

    /// One page of the invoice list, newest first: what the app's list and
    /// `acquit invoice list` show. Status and amount due are derived per row
    /// with `Settlement`, like everywhere else, from the sums kept in
    /// `invoice_settlements` (migration 0014); a status filter reads that
    /// table's status index, so a page deep in a filter costs an index walk.
    pub fn list_page(&self, query: &ListQuery) -> Result<Vec<InvoiceSummary>, StoreError> {
        let search = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let conn = self.conn();
        let columns = "SELECT i.id, i.kind, i.number, c.name, i.issue_date, i.due_date, i.currency, i.total_minor,
                    s.credited_minor, s.paid_minor, s.processing > 0
             FROM invoices i JOIN clients c ON c.id = i.client_id
             LEFT JOIN invoice_settlements s ON s.invoice_id = i.id";
        // The number prefix in capitals ("f-2026" finds F-2026-0001).
        let terms = search.map(|t| (t.to_owned(), t.to_uppercase()));
        let status = query.status.as_ref().map(InvoiceStatus::as_str);
        let (filter, mut params) = list_filter(terms.as_ref(), status.as_ref());
        // SQLite skips the offset itself, before reading the rows' names
        // and dates: a page deep in 100,000 invoices costs an index walk.
        let (limit, offset) = (
            i64::try_from(query.limit).unwrap_or(i64::MAX),
            i64::try_from(query.offset).unwrap_or(i64::MAX),
        );
        params.push((":limit", &limit));
        params.push((":offset", &offset));
        // Filtered by a kept status, the status index gives the order
        // (`s.invoice_id` is `i.id`), so no sort of all its rows.
        let order = if status.is_some_and(|s| s != "draft") {
            "s.invoice_id"
        } else {
            "i.id"
        };
        let mut stmt = conn.prepare_cached(&format!(
            "{columns} WHERE {filter} ORDER BY {order} DESC LIMIT :limit OFFSET :offset"
        ))?;
        let mut rows = stmt.query(params.as_slice())?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let (id, number, currency): (i64, Option<String>, String) =
                (r.get(0)?, r.get(2)?, r.get(6)?);
            let currency =
                Currency::from_code(&currency).map_err(|e| StoreError::Decode(e.to_string()))?;
            let total = match r.get::<_, Option<i64>>(7)? {
                Some(t) => Money::new(t, currency),
                None => self.invoice_by_id(InvoiceId(id))?.totals.total,
            };
            let kind: InvoiceKind = r.get::<_, String>(1)?.parse().map_err(StoreError::Decode)?;
            let (status, amount_due) = if number.is_none() {
                (InvoiceStatus::Draft, total)
            } else if kind.is_credit_note() {
                (InvoiceStatus::Issued, Money::zero(currency))
            } else {
                let sum = |i| -> Result<Money, StoreError> {
                    let minor: Option<i64> = r.get(i)?;
                    let minor = minor.ok_or_else(|| {
                        StoreError::Decode(format!("{number:?} has no settlement row"))
                    })?;
                    Ok(Money::new(minor, currency))
                };
                let s = Settlement {
                    credited: sum(8)?,
                    paid: sum(9)?,
                    processing: r.get::<_, Option<bool>>(10)?.unwrap_or(false),
                    ..Settlement::nothing_yet(total)
                };
                (s.status()?, s.amount_due()?)
            };
            let due_date = r
                .get::<_, Option<String>>(5)?
                .as_deref()
                .map(parse_date)
                .transpose()?;
            out.push(InvoiceSummary {
                id: InvoiceId(id),
                kind,
                number,
                status,
                client: r.get(3)?,
                issue_date: r
                    .get::<_, Option<String>>(4)?
                    .as_deref()
                    .map(parse_date)
                    .transpose()?,
                due_date,
                total,
                amount_due,
                overdue: status.is_overdue(amount_due, due_date, query.today),
            });
        }
        Ok(out)
    }

    /// The issued documents whose kept settlement (`invoice_settlements`,
    /// what the list and its filters read) differs from what their payments,
    /// credit notes and links add up to now, by number; empty when the
    /// triggers kept every row. For tests and checks: a full scan.
    pub fn settlement_drift(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT i.number FROM invoices i LEFT JOIN invoice_settlements s ON s.invoice_id = i.id
             WHERE i.number IS NOT NULL AND (
                 s.invoice_id IS NULL
                 OR s.credit_note IS NOT (i.kind = 'credit_note')
                 OR s.total_minor IS NOT i.total_minor
                 OR s.credited_minor IS NOT COALESCE((SELECT -SUM(cn.total_minor) FROM invoices cn
                                                      WHERE cn.credits_invoice_id = i.id AND cn.number IS NOT NULL), 0)
                 OR s.paid_minor IS NOT COALESCE((SELECT SUM(p.amount_minor) FROM payments p WHERE p.invoice_id = i.id), 0)
                 OR s.processing IS NOT (SELECT COUNT(*) FROM payment_links l
                                         WHERE l.invoice_id = i.id AND l.status = 'processing'))
             UNION ALL
             SELECT 'draft ' || i.id FROM invoice_settlements s JOIN invoices i ON i.id = s.invoice_id
             WHERE i.number IS NULL
             ORDER BY 1",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many rows `query` lists in all (its offset and limit aside): the
    /// length of the app's scrollable list. One `COUNT` over indexes; a
    /// status without a search counts its entries in the status index.
    pub fn count_page(&self, query: &ListQuery) -> Result<usize, StoreError> {
        let search = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let terms = search.map(|t| (t.to_owned(), t.to_uppercase()));
        let status = query.status.as_ref().map(InvoiceStatus::as_str);
        let (filter, params) = list_filter(terms.as_ref(), status.as_ref());
        let sql = if terms.is_none() && status.is_some_and(|s| s != "draft") {
            "SELECT COUNT(*) FROM invoice_settlements s WHERE s.status = :status".to_owned()
        } else {
            format!(
                "SELECT COUNT(*) FROM invoices i
                 LEFT JOIN invoice_settlements s ON s.invoice_id = i.id WHERE {filter}"
            )
        };
        let count: i64 = self
            .conn()
            .prepare_cached(&sql)?
            .query_row(params.as_slice(), |r| r.get(0))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }
}

/// The `WHERE` clause (on `invoices i` and its `invoice_settlements s`) of a
/// list query and its parameters. A search takes the matching ids from two
/// index lookups (the number prefix on `invoices.number`, the client on
/// `invoices_client`), not from a scan of every invoice; a status other than
/// draft is the settlement's (`status` as `InvoiceStatus::as_str` says it).
fn list_filter<'a>(
    search: Option<&'a (String, String)>,
    status: Option<&'a &'static str>,
) -> (String, Vec<(&'static str, &'a dyn rusqlite::ToSql)>) {
    let mut clauses = vec!["1"];
    let mut params: Vec<(&'static str, &'a dyn rusqlite::ToSql)> = Vec::new();
    if let Some((term, prefix)) = search {
        clauses.push(
            "i.id IN (
                 SELECT id FROM invoices WHERE number >= :prefix AND number < :prefix || char(1114111)
                 UNION
                 SELECT id FROM invoices WHERE client_id IN
                     (SELECT id FROM clients WHERE name LIKE '%' || :term || '%'))",
        );
        params.push((":term", term));
        params.push((":prefix", prefix));
    }
    match status {
        None => {}
        Some(&"draft") => clauses.push("i.number IS NULL"),
        Some(status) => {
            clauses.push("s.status = :status");
            params.push((":status", status));
        }
    }
    (clauses.join(" AND "), params)
}

/// Which rows of the invoice list to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub status: Option<InvoiceStatus>,
    /// A number prefix ("F-2026-01") or part of a client's name.
    pub search: Option<String>,
    pub offset: usize,
    pub limit: usize,
    /// The day against which `overdue` is judged.
    pub today: NaiveDate,
}

impl Default for ListQuery {
    fn default() -> ListQuery {
        ListQuery {
            status: None,
            search: None,
            offset: 0,
            limit: usize::MAX,
            today: crate::today(),
        }
    }
}

/// What a draft's header must be, before touching the database.
fn check_new_draft(draft: &NewDraft) -> Result<(), StoreError> {
    if draft.kind.is_credit_note() {
        return Err(Rejection::Invalid(
            "credit notes are made from an invoice: `acquit credit-note NUMBER`".into(),
        )
        .into());
    }
    if draft.currency == Currency::EUR && draft.details.eur_rate.is_some() {
        return Err(Rejection::Invalid(
            "the invoice is in euros: it needs no euro rate (leave --eur-rate out)".into(),
        )
        .into());
    }
    if draft.kind != InvoiceKind::Balance && !draft.deposits.is_empty() {
        return Err(Rejection::Invalid(
            "only a balance invoice deducts deposits (--kind balance)".into(),
        )
        .into());
    }
    Ok(())
}

/// Issues draft `draft` on `date` inside `tx` (see [`Store::issue`]): the
/// recurring invoices issue in the transaction that records their period.
/// `days` after `date`: the due date from the payment terms. Refused
/// rather than overflowing at the end of the calendar (a date typed as
/// `+262142-12-31`, or absurd terms).
pub(crate) fn due_after(date: NaiveDate, days: u32) -> Result<NaiveDate, StoreError> {
    date.checked_add_days(chrono::Days::new(u64::from(days)))
        .ok_or_else(|| {
            Rejection::Invalid(format!(
                "{date} plus the {days} days of your payment terms is beyond the calendar: check the date and your payment terms"
            ))
            .into()
        })
}

pub(crate) fn issue_in(
    tx: &Transaction<'_>,
    seller: &Seller,
    pattern: &NumberPattern,
    draft: InvoiceId,
    date: NaiveDate,
) -> Result<String, StoreError> {
    let (currency, kind) = editable_draft(tx, draft)?;
    let lines = load_lines(tx, draft.0)?;
    if lines.is_empty() {
        return Err(Rejection::EmptyDraft(draft.0).into());
    }
    let mut totals = compute_lines(&lines, currency, seller.vat_regime)?;
    if kind == InvoiceKind::Balance {
        let deposits = deposit_totals(tx, draft.0)?;
        totals = totals.balance_after(&deposits).map_err(Rejection::from)?;
    }
    let (client_id, due, sale): (i64, Option<String>, Option<String>) = tx.query_row(
        "SELECT client_id, due_date, sale_date FROM invoices WHERE id = ?1",
        [draft.0],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let buyer: String = tx.query_row(
        "SELECT profile FROM clients WHERE id = ?1",
        [client_id],
        |r| r.get(0),
    )?;
    let client: Client = from_json(&buyer)?;
    let mut details = load_details(tx, draft.0)?;
    let plain: Vec<Line> = lines.iter().map(|l| l.line.clone()).collect();
    let (gaps, coming): (Vec<Gap>, Vec<Gap>) =
        compliance::gaps(seller, &client, &plain, &details, currency)
            .into_iter()
            .partition(|g| g.blocks_on(date));
    if !gaps.is_empty() {
        return Err(Rejection::Incomplete { date, gaps }.into());
    }
    // A Factur-X only when nothing the e-invoice needs is missing:
    // before September 2027 an incomplete invoice is still issued,
    // as a plain PDF, rather than as an e-invoice the rules refuse.
    details.facturx = coming.is_empty();
    // How it may be paid: as the draft chose, else what the seller offers;
    // a credit note asks for nothing.
    if kind.is_credit_note() {
        details.payment_means.clear();
    } else if details.payment_means.is_empty() {
        details.payment_means = PaymentMeans::offered(seller);
    }
    if details.payment_means.contains(&PaymentMeans::Transfer) && seller.iban.is_none() {
        return Err(Rejection::TransferWithoutIban.into());
    }
    if let Some(rate) = details.eur_rate {
        details.vat_total_eur = Some(
            rate.to_eur(totals.vat_total)
                .map_err(|e| StoreError::Decode(e.to_string()))?,
        );
    }
    if client.vat_exemption != VatExemption::None
        && let Some(line) = lines
            .iter()
            .position(|l| l.line.input.vat_rate != VatRate::ZERO)
    {
        return Err(Rejection::VatOnExemptInvoice {
            client: client.name,
            exemption: client.vat_exemption.as_str().to_owned(),
            line: line + 1,
            rate: lines[line].line.input.vat_rate,
        }
        .into());
    }
    let due_date = match due {
        Some(d) => parse_date(&d)?,
        None => due_after(date, seller.payment_terms_days)?,
    };
    if due_date < date {
        return Err(Rejection::Invalid(format!(
            "the due date {due_date} is before the issue date {date}: change the due date"
        ))
        .into());
    }
    let number = take_number(tx, pattern, date, false)?;
    let sale_date = match sale {
        Some(d) => parse_date(&d)?,
        None => date,
    };
    seal(
        tx,
        draft.0,
        &number,
        [date, sale_date, due_date],
        Sealed {
            seller,
            buyer_json: &buyer,
            totals: &totals,
            details: &details,
        },
    )?;
    Ok(number)
}

/// Creates draft `draft` inside `tx` (see [`Store::create_draft`]): a quote
/// makes its invoice in the transaction that links them.
pub(crate) fn create_draft_in(
    tx: &Transaction<'_>,
    draft: &NewDraft,
) -> Result<InvoiceId, StoreError> {
    check_new_draft(draft)?;
    check_client(tx, draft.client)?;
    tx.execute(
        "INSERT INTO invoices (kind, client_id, currency, due_date, sale_date, details, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            draft.kind.as_str(),
            draft.client.0,
            draft.currency.code(),
            draft.due_date.map(|d| d.to_string()),
            draft.sale_date.map(|d| d.to_string()),
            details_json(&draft.details),
            now_rfc3339()
        ],
    )?;
    let id = tx.last_insert_rowid();
    link_deposits(tx, id, draft)?;
    Ok(InvoiceId(id))
}

pub(crate) fn check_client(tx: &Transaction<'_>, client: ClientId) -> Result<(), StoreError> {
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM clients WHERE id = ?1)",
        [client.0],
        |r| r.get(0),
    )?;
    if !exists {
        return Err(Rejection::NoSuchClient(client.0).into());
    }
    Ok(())
}

/// Records the deposits a balance invoice deducts: issued deposit invoices
/// of the same client and currency.
fn link_deposits(tx: &Transaction<'_>, id: i64, draft: &NewDraft) -> Result<(), StoreError> {
    for number in &draft.deposits {
        let deposit: Option<(i64, String, i64, String)> = tx
            .query_row(
                "SELECT id, kind, client_id, currency FROM invoices WHERE number = ?1",
                [number],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        match deposit {
            Some((deposit_id, kind, client, currency))
                if kind == "deposit"
                    && client == draft.client.0
                    && currency == draft.currency.code() =>
            {
                tx.execute(
                    "INSERT INTO balance_deposits (balance_id, deposit_id) VALUES (?1, ?2)",
                    [id, deposit_id],
                )?;
            }
            _ => return Err(Rejection::NotADeposit(number.clone()).into()),
        }
    }
    Ok(())
}

/// Checks `draft` exists and is not issued; returns its currency and kind.
fn editable_draft(
    tx: &Transaction<'_>,
    draft: InvoiceId,
) -> Result<(Currency, InvoiceKind), StoreError> {
    let row: Option<(String, String, Option<String>)> = tx
        .query_row(
            "SELECT currency, kind, number FROM invoices WHERE id = ?1",
            [draft.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match row {
        None => Err(Rejection::NoSuchDraft(draft.0).into()),
        Some((_, _, Some(number))) => Err(Rejection::Locked(number).into()),
        Some((currency, kind, None)) => Ok((
            Currency::from_code(&currency).map_err(|e| StoreError::Decode(e.to_string()))?,
            kind.parse().map_err(StoreError::Decode)?,
        )),
    }
}

fn load_lines(conn: &rusqlite::Connection, invoice: i64) -> Result<Vec<StoredLine>, StoreError> {
    let currency: String = conn.query_row(
        "SELECT currency FROM invoices WHERE id = ?1",
        [invoice],
        |r| r.get(0),
    )?;
    let currency = Currency::from_code(&currency).map_err(|e| StoreError::Decode(e.to_string()))?;
    let mut stmt = conn.prepare_cached(
        "SELECT position, description, quantity_milli, unit_price_minor, vat_bp, discount_kind, discount_value,
                nature, unit
         FROM invoice_lines WHERE invoice_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([invoice], |r| {
        Ok((
            (
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, u32>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
            ),
            r.get::<_, Option<String>>(7)?,
            r.get::<_, Option<String>>(8)?,
        ))
    })?;
    rows.map(|row| {
        let ((position, description, qty, price, vat, discount_kind, discount_value), nature, unit) =
            row?;
        let bad = |what: &str| {
            StoreError::Decode(format!("line {position} of invoice {invoice}: {what}"))
        };
        let discount = match discount_kind.as_str() {
            "none" => Discount::None,
            "percent" => {
                Discount::Percent(u32::try_from(discount_value).map_err(|_| bad("discount"))?)
            }
            "amount" => Discount::Amount(discount_value),
            _ => return Err(bad("discount kind")),
        };
        Ok(StoredLine {
            position,
            line: Line {
                description,
                input: LineInput {
                    quantity: Quantity::from_thousandths(qty).map_err(|_| bad("quantity"))?,
                    unit_price: Money::new(price, currency),
                    vat_rate: VatRate::from_basis_points(vat).map_err(|_| bad("VAT rate"))?,
                    discount,
                },
                nature: nature
                    .map(|n| n.parse::<Nature>())
                    .transpose()
                    .map_err(|_| bad("nature"))?,
                unit: unit
                    .map(|u| u.parse::<Unit>())
                    .transpose()
                    .map_err(|_| bad("unit"))?,
            },
        })
    })
    .collect()
}

/// Issues the draft `id` as `number`: writes its dates (issue, sale, due),
/// the seller and buyer as they are today and its totals, then journals it.
/// The `number IS NULL` guard and the triggers make this happen once.
/// What issuing writes once and for ever besides the number and dates.
struct Sealed<'a> {
    seller: &'a Seller,
    /// The client's profile as stored, copied as is.
    buyer_json: &'a str,
    totals: &'a Totals,
    details: &'a InvoiceDetails,
}

fn seal(
    tx: &Transaction<'_>,
    id: i64,
    number: &str,
    [issue, sale, due]: [NaiveDate; 3],
    Sealed {
        seller,
        buyer_json,
        totals,
        details,
    }: Sealed<'_>,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE invoices SET number = ?2, issue_date = ?3, sale_date = ?4, due_date = ?5,
            seller_snapshot = ?6, buyer_snapshot = ?7, net_minor = ?8, vat_minor = ?9,
            total_minor = ?10, totals = ?11, issued_at = ?12, details = ?13, logo = ?14
         WHERE id = ?1 AND number IS NULL",
        params![
            id,
            number,
            issue.to_string(),
            sale.to_string(),
            due.to_string(),
            to_json(seller),
            buyer_json,
            totals.net.minor(),
            totals.vat_total.minor(),
            totals.total.minor(),
            to_json(totals),
            now_rfc3339(),
            details_json(details),
            crate::parties::seal_logo(tx)?
        ],
    )?;
    journal::append(tx, Subject::Document(id))
}

pub(crate) fn insert_line(
    tx: &Transaction<'_>,
    invoice: i64,
    position: i64,
    line: &Line,
) -> Result<(), StoreError> {
    let (discount_kind, discount_value) = match line.input.discount {
        Discount::None => ("none", 0),
        Discount::Percent(bp) => ("percent", i64::from(bp)),
        Discount::Amount(minor) => ("amount", minor),
    };
    tx.execute(
        "INSERT INTO invoice_lines
           (invoice_id, position, description, quantity_milli, unit_price_minor, vat_bp, discount_kind, discount_value,
            nature, unit)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            invoice,
            position,
            line.description.trim(),
            line.input.quantity.thousandths(),
            line.input.unit_price.minor(),
            line.input.vat_rate.basis_points(),
            discount_kind,
            discount_value,
            line.nature.map(Nature::as_str),
            line.unit.map(Unit::as_str)
        ],
    )?;
    Ok(())
}

/// The details column: NULL when there is nothing in it, as in older books.
pub(crate) fn details_json(details: &InvoiceDetails) -> Option<String> {
    (!details.is_empty()).then(|| to_json(details))
}

fn load_details(conn: &rusqlite::Connection, invoice: i64) -> Result<InvoiceDetails, StoreError> {
    let json: Option<String> = conn.query_row(
        "SELECT details FROM invoices WHERE id = ?1",
        [invoice],
        |r| r.get(0),
    )?;
    json.map_or_else(|| Ok(InvoiceDetails::default()), |j| from_json(&j))
}

fn compute_lines(
    lines: &[StoredLine],
    currency: Currency,
    regime: acquit_core::VatRegime,
) -> Result<Totals, StoreError> {
    let inputs: Vec<LineInput> = lines.iter().map(|l| l.line.input.clone()).collect();
    Ok(tax::compute(&inputs, currency, regime).map_err(Rejection::from)?)
}

fn deposit_totals(tx: &Transaction<'_>, balance: i64) -> Result<Vec<Totals>, StoreError> {
    let mut stmt = tx.prepare(
        "SELECT d.totals FROM balance_deposits b JOIN invoices d ON d.id = b.deposit_id WHERE b.balance_id = ?1",
    )?;
    let rows = stmt.query_map([balance], |r| r.get::<_, String>(0))?;
    rows.map(|t| from_json(&t?)).collect()
}

/// Takes the next number of the series `date` falls in, refusing a date
/// earlier than the last issued document of the same class.
fn take_number(
    tx: &Transaction<'_>,
    pattern: &NumberPattern,
    date: NaiveDate,
    credit_notes: bool,
) -> Result<String, StoreError> {
    let last: Option<(String, String)> = tx
        .query_row(
            "SELECT number, issue_date FROM invoices
             WHERE number IS NOT NULL AND (kind = 'credit_note') = ?1
             ORDER BY issue_date DESC, id DESC LIMIT 1",
            [credit_notes],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    next_number(tx, last, pattern.series_key(date), pattern, date)
}

/// The next number of series `series` for a document dated `date`, after
/// the class's `last` (number, issue date): a date earlier than the last
/// one is refused, numbers follow dates. The counter moves in `tx`.
pub(crate) fn next_number(
    tx: &Transaction<'_>,
    last: Option<(String, String)>,
    series: String,
    pattern: &NumberPattern,
    date: NaiveDate,
) -> Result<String, StoreError> {
    if let Some((number, last_date)) = last
        && parse_date(&last_date)? > date
    {
        return Err(Rejection::Chronology {
            number,
            last: last_date,
            date: date.to_string(),
        }
        .into());
    }
    let sequence: i64 = tx.query_row(
        "INSERT INTO number_series (series, last_value) VALUES (?1, 1)
         ON CONFLICT (series) DO UPDATE SET last_value = last_value + 1
         RETURNING last_value",
        [series],
        |r| r.get(0),
    )?;
    Ok(pattern.format(
        date,
        u64::try_from(sequence).expect("counters are positive"),
    ))
}

/// What an issued invoice's credit notes and payments come to, read from
/// the tables: the store's one reading of "what is still due" (callers ask
/// `Settlement::amount_due`/`overpaid`), under whatever transaction holds
/// `conn`, so a check made under the write lock sees every payment.
pub(crate) fn settlement(
    conn: &rusqlite::Connection,
    invoice: i64,
    total: Money,
) -> Result<Settlement, StoreError> {
    let (credited, paid, processing): (i64, i64, bool) = conn.query_row(
        "SELECT COALESCE((SELECT -SUM(total_minor) FROM invoices WHERE credits_invoice_id = ?1 AND number IS NOT NULL), 0),
                COALESCE((SELECT SUM(amount_minor) FROM payments WHERE invoice_id = ?1), 0),
                EXISTS (SELECT 1 FROM payment_links WHERE invoice_id = ?1 AND status = 'processing')",
        [invoice],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok(Settlement {
        credited: Money::new(credited, total.currency()),
        paid: Money::new(paid, total.currency()),
        processing,
        ..Settlement::nothing_yet(total)
    })
}

fn numbers(conn: &rusqlite::Connection, sql: &str, id: i64) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([id], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Decode(format!("date {text:?}: {e}")))
}

/// An issued credit note, as the credit notes screen lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditNoteRow {
    pub id: InvoiceId,
    pub number: String,
    pub issue_date: Option<NaiveDate>,
    pub client: String,
    /// The invoice it corrects.
    pub credits_id: InvoiceId,
    pub credits: String,
    /// Negative: what it takes off the invoice, VAT included.
    pub total: Money,
    pub reason: Option<String>,
}

impl Store {
    /// Every issued credit note, newest first (by date, then number order).
    pub fn credit_notes(&self) -> Result<Vec<CreditNoteRow>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT cn.id, cn.number, cn.issue_date, c.name, i.id, i.number, cn.currency,
                    cn.total_minor, cn.reason
             FROM invoices cn
             JOIN invoices i ON i.id = cn.credits_invoice_id
             JOIN clients c ON c.id = cn.client_id
             WHERE cn.kind = 'credit_note' AND cn.number IS NOT NULL
             ORDER BY cn.issue_date DESC, cn.id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })?;
        rows.map(|row| {
            let (id, number, date, client, credits_id, credits, currency, total, reason) = row?;
            let currency = acquit_core::Currency::from_code(&currency)
                .map_err(|e| StoreError::Decode(e.to_string()))?;
            Ok(CreditNoteRow {
                id: InvoiceId(id),
                number,
                issue_date: date
                    .as_deref()
                    .map(|d| {
                        d.parse()
                            .map_err(|e| StoreError::Decode(format!("date {d:?}: {e}")))
                    })
                    .transpose()?,
                client,
                credits_id: InvoiceId(credits_id),
                credits,
                total: Money::new(total, currency),
                reason,
            })
        })
        .collect()
    }
}
