//! Invoices issued elsewhere (migration 0012): the invoices a user made in
//! another tool before switching, planned against the books (new, already
//! imported, or in error) and then written in one transaction, each sealed
//! as issued with `origin = 'elsewhere'`, so every reader (ledger,
//! declaration, reminders, dashboard, statuses) counts them as it counts
//! Acquit's own, and the numbering goes on after them.
//!
//! Numbering, the rule that matters: an imported number the invoices'
//! pattern writes exactly (`NumberPattern::read`) continues its series: the
//! series' counter moves to it, so after F-2026-0147 Acquit issues
//! F-2026-0148. That is only sound before Acquit issued in that series
//! (else the numbers would repeat), and only if numbers follow dates
//! within the series (checked with the books' and the file's). Numbers of
//! another shape (the former tool's own series) need a reason, recorded
//! with the last of them (`numbering_breaks`): Acquit's series then starts
//! anew, as the law allows when the break is explained.

use std::collections::BTreeMap;

use acquit_core::import_invoices::{ParsedInvoices, PastInvoice};
use acquit_core::numbering::NumberPattern;
use acquit_core::tax::{LineAmounts, VatBreakdown};
use acquit_core::{Client, Discount, Line, LineInput, Money, Quantity, Totals};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::invoices::{details_json, insert_line, parse_date};
use crate::journal::{self, Subject};
use crate::parties::name_key;
use crate::{Rejection, Store, StoreError, from_json, now_rfc3339, to_json};

/// What happens to one invoice of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum PastOutcome {
    /// Imported when confirmed, for this client (`new_client`: made by the
    /// import, no client of the books has this name or SIREN).
    New {
        client: String,
        new_client: bool,
    },
    /// The same invoice was imported before: left out.
    Already,
    Error {
        errors: Vec<String>,
    },
}

/// One invoice of the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedInvoice {
    /// The lines of its rows in the file.
    pub lines: Vec<usize>,
    pub number: Option<String>,
    /// Total with VAT, as `1234.56`, when read.
    pub total: Option<String>,
    pub paid: Option<String>,
    #[serde(flatten)]
    pub outcome: PastOutcome,
}

/// A series the import continues: after `last`, Acquit issues `next`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Continued {
    pub last: String,
    pub next: String,
}

/// The preview of an invoices file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceImport {
    pub rows: Vec<PlannedInvoice>,
    /// The invoices to write, in the order of their dates.
    pub new: Vec<PastInvoice>,
    pub ignored_columns: Vec<String>,
    /// The columns read: each header and what it is taken for.
    pub columns: Vec<(String, acquit_core::import_invoices::InvoiceColumn)>,
    /// The series the import continues.
    pub continued: Vec<Continued>,
    /// The new invoices whose numbers are not of the pattern: a reason is
    /// needed ([`Store::import_invoices`]), the last of them is recorded.
    pub foreign: Vec<String>,
}

impl InvoiceImport {
    pub fn errors(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.outcome, PastOutcome::Error { .. }))
            .count()
    }
}

/// The books' issued invoices (not credit notes) of each series of the
/// pattern: (place, date, number, made by Acquit).
type Series = BTreeMap<String, Vec<(u64, NaiveDate, String, bool)>>;

impl Store {
    /// Plans importing `parsed` (nothing is written). `today` bounds the
    /// dates: an invoice is imported once issued.
    pub fn plan_invoice_import(
        &self,
        parsed: ParsedInvoices,
        today: NaiveDate,
    ) -> Result<InvoiceImport, StoreError> {
        let pattern = self.number_pattern(false)?;
        let mut series = self.series(&pattern)?;
        let mut rows = Vec::with_capacity(parsed.invoices.len());
        let mut new: Vec<PastInvoice> = Vec::new();
        let mut made_clients: Vec<String> = Vec::new();
        for row in parsed.invoices {
            let mut planned = PlannedInvoice {
                lines: row.lines,
                number: row.number,
                total: None,
                paid: None,
                outcome: PastOutcome::Already,
            };
            let invoice = match row.result {
                Err(errors) => {
                    planned.outcome = PastOutcome::Error { errors };
                    rows.push(planned);
                    continue;
                }
                Ok(invoice) => invoice,
            };
            planned.total = Some(invoice.total().to_decimal_string());
            planned.paid = invoice.paid.map(|p| p.amount.to_decimal_string());
            let mut errors = Vec::new();
            if invoice.issue_date > today {
                errors.push(format!(
                    "dated {}, after today: an invoice is imported once issued",
                    invoice.issue_date
                ));
            }
            if new.iter().any(|n| n.number == invoice.number) {
                errors.push(format!(
                    "{} is in the file twice with different dates or clients: a number is one invoice",
                    invoice.number
                ));
            }
            match self.same_number(&invoice)? {
                Some(true) => {
                    rows.push(planned);
                    continue;
                }
                Some(false) => errors.push(format!(
                    "{} is already in the books, with other figures: a number is used once (rename it in the file if it is another invoice)",
                    invoice.number
                )),
                None => {}
            }
            if let Some((key, place)) = pattern.read(&invoice.number) {
                let others = series.entry(key).or_default();
                if let Some((_, _, number, _)) = others.iter().find(|(_, _, _, acquit)| *acquit) {
                    errors.push(format!(
                        "Acquit has already issued {number} in this series: import your former invoices before issuing any in Acquit, or change the numbering pattern"
                    ));
                }
                for (p, d, number, _) in others.iter() {
                    let wrong = (*p < place && *d > invoice.issue_date)
                        || (*p > place && *d < invoice.issue_date);
                    if wrong {
                        errors.push(format!(
                            "{} dated {} and {number} dated {d} are out of order: numbers follow dates",
                            invoice.number, invoice.issue_date
                        ));
                    }
                }
                if errors.is_empty() {
                    others.push((place, invoice.issue_date, invoice.number.clone(), false));
                }
            }
            if !errors.is_empty() {
                planned.outcome = PastOutcome::Error { errors };
                rows.push(planned);
                continue;
            }
            let (client, new_client) = match self.client_for(&invoice)? {
                Some((_, name)) => (name, false),
                None => {
                    let seen = made_clients.contains(&invoice.client);
                    if !seen {
                        made_clients.push(invoice.client.clone());
                    }
                    (invoice.client.clone(), !seen)
                }
            };
            planned.outcome = PastOutcome::New { client, new_client };
            rows.push(planned);
            new.push(invoice);
        }
        new.sort_by_key(|i| i.issue_date);
        let mut continued = Vec::new();
        let mut foreign = Vec::new();
        for members in series.values() {
            if let Some((place, date, number, _)) = members
                .iter()
                .filter(|(_, _, n, _)| new.iter().any(|i| &i.number == n))
                .max_by_key(|(p, ..)| *p)
            {
                continued.push(Continued {
                    last: number.clone(),
                    next: pattern.format(*date, place + 1),
                });
            }
        }
        for invoice in &new {
            if pattern.read(&invoice.number).is_none() {
                foreign.push(invoice.number.clone());
            }
        }
        Ok(InvoiceImport {
            rows,
            new,
            ignored_columns: parsed.ignored,
            columns: parsed.read,
            continued,
            foreign,
        })
    }

    /// Writes the planned invoices in one transaction, all or none: each
    /// sealed as issued elsewhere (its client found or made, its lines one
    /// per VAT rate, its totals as the file gives them, its payment), the
    /// counters of the series it continues moved, and, when some numbers
    /// are not of the pattern, `reason` recorded (required then). `pdfs`:
    /// the former tool's PDF of some of them, by number.
    pub fn import_invoices(
        &mut self,
        plan: &InvoiceImport,
        reason: Option<&str>,
        pdfs: &BTreeMap<String, Vec<u8>>,
    ) -> Result<Vec<String>, StoreError> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if !plan.foreign.is_empty() && reason.is_none() {
            return Err(Rejection::Invalid(format!(
                "{} {} not of your numbering pattern ({}): Acquit's series then starts anew, and the law wants the break explained: give the reason (--new-series \"…\"), or set the pattern to the former tool's so it continues",
                plan.foreign.join(", "),
                if plan.foreign.len() == 1 { "is" } else { "are" },
                self.number_pattern(false)?.as_str()
            ))
            .into());
        }
        for (number, pdf) in pdfs {
            if !pdf.starts_with(b"%PDF-") {
                return Err(
                    Rejection::Invalid(format!("the PDF given for {number} is not a PDF")).into(),
                );
            }
        }
        let seller = self.seller()?.ok_or(Rejection::NoSeller)?;
        let pattern = self.number_pattern(false)?;
        let mut made = Vec::new();
        let mut clients = Vec::new();
        for invoice in &plan.new {
            clients.push(self.client_for(invoice)?.map(|(id, _)| id));
        }
        self.write(|tx| {
            let mut new_clients: BTreeMap<String, i64> = BTreeMap::new();
            for (invoice, client) in plan.new.iter().zip(clients) {
                if tx
                    .query_row(
                        "SELECT 1 FROM invoices WHERE number = ?1",
                        [&invoice.number],
                        |_| Ok(()),
                    )
                    .optional()?
                    .is_some()
                {
                    // Imported meanwhile (another window): the plan is stale.
                    return Err(Rejection::Invalid(format!(
                        "{} was written meanwhile: preview the file again",
                        invoice.number
                    ))
                    .into());
                }
                let client_id = match client {
                    Some(id) => id,
                    None => match new_clients.get(&invoice.client) {
                        Some(id) => *id,
                        None => {
                            let mut c = Client::new(invoice.client.clone());
                            c.siren = invoice.siren.clone();
                            c.derive_business(None);
                            tx.execute(
                                "INSERT INTO clients (name, profile, created_at) VALUES (?1, ?2, ?3)",
                                (c.name.trim(), to_json(&c), now_rfc3339()),
                            )?;
                            let id = tx.last_insert_rowid();
                            new_clients.insert(invoice.client.clone(), id);
                            id
                        }
                    },
                };
                write_one(tx, &seller, client_id, invoice, pdfs.get(&invoice.number))?;
                if let Some((key, place)) = pattern.read(&invoice.number) {
                    tx.execute(
                        "INSERT INTO number_series (series, last_value) VALUES (?1, ?2)
                         ON CONFLICT (series) DO UPDATE SET last_value = max(last_value, ?2)",
                        params![key, i64::try_from(place).unwrap_or(i64::MAX)],
                    )?;
                }
                made.push(invoice.number.clone());
            }
            if let (Some(reason), Some(last)) = (reason, plan.foreign.last()) {
                let last = plan
                    .new
                    .iter()
                    .filter(|i| plan.foreign.contains(&i.number))
                    .max_by_key(|i| i.issue_date)
                    .map_or(last.as_str(), |i| i.number.as_str());
                tx.execute(
                    "INSERT INTO numbering_breaks (at, pattern, previous, reason) VALUES (?1, ?2, ?3, ?4)",
                    params![now_rfc3339(), pattern.as_str(), last, reason],
                )?;
            }
            Ok(())
        })?;
        Ok(made)
    }

    /// The PDF the former tool made of the imported invoice `number`, if
    /// it was given.
    pub fn imported_pdf(&self, number: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT p.pdf FROM imported_pdfs p JOIN invoices i ON i.id = p.invoice_id WHERE i.number = ?1",
                [number],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The as-issued PDF kept for invoice `number` ([`Store::keep_issued_pdf`])
    /// and its page count, if it was drawn before.
    pub fn issued_pdf(&self, number: &str) -> Result<Option<(Vec<u8>, usize)>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT p.pdf, p.pages FROM issued_pdfs p JOIN invoices i ON i.id = p.invoice_id
                 WHERE i.number = ?1",
                [number],
                |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize)),
            )
            .optional()?)
    }

    /// Keeps `pdf` as issued invoice `number`'s original unless one is kept
    /// already, and returns the one kept (the first drawn wins, whoever drew
    /// it). One statement, so `&self` suffices: a second drawer's insert is
    /// ignored.
    pub fn keep_issued_pdf(
        &self,
        number: &str,
        pdf: &[u8],
        pages: usize,
    ) -> Result<(Vec<u8>, usize), StoreError> {
        self.conn().execute(
            "INSERT OR IGNORE INTO issued_pdfs (invoice_id, sha256, pages, pdf)
             SELECT id, ?2, ?3, ?4 FROM invoices WHERE number = ?1 AND number IS NOT NULL",
            rusqlite::params![
                number,
                crate::einvoicing::sha256_hex(pdf),
                pages as i64,
                pdf
            ],
        )?;
        self.issued_pdf(number)?
            .ok_or_else(|| Rejection::NoSuchInvoice(number.to_owned()).into())
    }

    /// The reasons recorded for starting a series anew: (when, pattern,
    /// the former series' last number, why), oldest first.
    pub fn numbering_breaks(&self) -> Result<Vec<(String, String, String, String)>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare("SELECT at, pattern, previous, reason FROM numbering_breaks ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Whether `invoice`'s number is in the books: as this same invoice
    /// imported before (true), as another (false), or not at all.
    fn same_number(&self, invoice: &PastInvoice) -> Result<Option<bool>, StoreError> {
        let row: Option<(String, Option<String>, Option<i64>, String)> = self
            .conn()
            .query_row(
                "SELECT origin, issue_date, total_minor, currency FROM invoices WHERE number = ?1",
                [&invoice.number],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        Ok(row.map(|(origin, date, total, currency)| {
            origin == "elsewhere"
                && date.as_deref() == Some(invoice.issue_date.to_string().as_str())
                && total == Some(invoice.total().minor())
                && currency == invoice.currency.code()
        }))
    }

    /// The client of the books an imported invoice is for: by SIREN when
    /// the file gives one, else by name (case and accents aside).
    fn client_for(&self, invoice: &PastInvoice) -> Result<Option<(i64, String)>, StoreError> {
        let wanted = name_key(&invoice.client);
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id, name, profile FROM clients ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut by_name = None;
        for row in rows {
            let (id, name, profile) = row?;
            let client: Client = from_json(&profile)?;
            if let (Some(a), Some(b)) = (&invoice.siren, &client.siren)
                && a == b
            {
                return Ok(Some((id, name)));
            }
            if by_name.is_none() && name_key(&name) == wanted {
                by_name = Some((id, name));
            }
        }
        Ok(by_name)
    }

    /// The issued invoices of each series of `pattern`.
    fn series(&self, pattern: &NumberPattern) -> Result<Series, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT number, issue_date, origin FROM invoices
             WHERE number IS NOT NULL AND kind <> 'credit_note'",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Series::new();
        for row in rows {
            let (number, date, origin) = row?;
            if let Some((key, place)) = pattern.read(&number) {
                out.entry(key).or_default().push((
                    place,
                    parse_date(&date)?,
                    number,
                    origin == "acquit",
                ));
            }
        }
        Ok(out)
    }
}

/// Writes one imported invoice, sealed: a row without number, its lines
/// (one per rate: a line of an issued invoice cannot be added), then the
/// number, snapshots and the file's totals; its payment; the journal.
fn write_one(
    tx: &Transaction<'_>,
    seller: &acquit_core::Seller,
    client_id: i64,
    invoice: &PastInvoice,
    pdf: Option<&Vec<u8>>,
) -> Result<(), StoreError> {
    let currency = invoice.currency;
    let details = acquit_core::InvoiceDetails::default();
    tx.execute(
        "INSERT INTO invoices (kind, client_id, currency, details, created_at, origin)
         VALUES ('standard', ?1, ?2, ?3, ?4, 'elsewhere')",
        params![
            client_id,
            currency.code(),
            details_json(&details),
            now_rfc3339()
        ],
    )?;
    let id = tx.last_insert_rowid();
    let mut amounts = Vec::new();
    let mut vat = Vec::new();
    for (i, row) in invoice.rates.iter().enumerate() {
        let description = row.description.clone().unwrap_or_else(|| {
            format!(
                "Montant HT au taux de {} % (facture émise avant Acquit)",
                row.rate.to_decimal_string().replace('.', ",")
            )
        });
        let line = Line {
            description,
            input: LineInput {
                quantity: Quantity::ONE,
                unit_price: row.net,
                vat_rate: row.rate,
                discount: Discount::None,
            },
            nature: row.nature,
            unit: None,
        };
        insert_line(tx, id, i64::try_from(i).unwrap_or(i64::MAX), &line)?;
        amounts.push(LineAmounts {
            amount: row.net,
            discount: Money::zero(currency),
            net: row.net,
            vat_rate: row.rate,
        });
        vat.push(VatBreakdown {
            rate: row.rate,
            base: row.net,
            vat: row.vat,
        });
    }
    let totals = Totals {
        currency,
        lines: amounts,
        vat,
        net: invoice.net(),
        vat_total: invoice.vat(),
        total: invoice.total(),
    };
    let buyer: String = tx.query_row(
        "SELECT profile FROM clients WHERE id = ?1",
        [client_id],
        |r| r.get(0),
    )?;
    let due = match invoice.due_date {
        Some(due) => due,
        None => crate::invoices::due_after(invoice.issue_date, seller.payment_terms_days)?,
    };
    tx.execute(
        "UPDATE invoices SET number = ?2, issue_date = ?3, sale_date = ?3, due_date = ?4,
            seller_snapshot = ?5, buyer_snapshot = ?6, net_minor = ?7, vat_minor = ?8,
            total_minor = ?9, totals = ?10, issued_at = ?11
         WHERE id = ?1 AND number IS NULL",
        params![
            id,
            invoice.number,
            invoice.issue_date.to_string(),
            due.to_string(),
            to_json(seller),
            buyer,
            totals.net.minor(),
            totals.vat_total.minor(),
            totals.total.minor(),
            to_json(&totals),
            now_rfc3339(),
        ],
    )?;
    journal::append(tx, Subject::Document(id))?;
    if let Some(paid) = invoice.paid {
        tx.execute(
            "INSERT INTO payments (invoice_id, kind, method, amount_minor, currency, received_on, reference, recorded_at)
             VALUES (?1, 'payment', 'other', ?2, ?3, ?4, ?5, ?6)",
            params![
                id,
                paid.amount.minor(),
                currency.code(),
                paid.on.to_string(),
                "reçu avant Acquit",
                now_rfc3339()
            ],
        )?;
        journal::append(tx, Subject::Payment(tx.last_insert_rowid()))?;
    }
    if let Some(pdf) = pdf {
        tx.execute(
            "INSERT INTO imported_pdfs (invoice_id, sha256, pdf) VALUES (?1, ?2, ?3)",
            params![id, crate::einvoicing::sha256_hex(pdf), pdf],
        )?;
    }
    Ok(())
}
