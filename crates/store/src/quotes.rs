//! Quotes (migration 0010): drafts, issuing in their own gapless series,
//! the client's decision as a fact, and the invoices made from an accepted
//! quote (a deposit, then the balance; or the whole).
//!
//! A quote's state is derived ([`acquit_core::quote`]), never stored. Its
//! lines live in `body` as JSON (the [`Template`] recurring schedules copy:
//! currency, references, lines); issuing computes the totals and seals
//! them with the seller's and client's snapshots, as an invoice is sealed.

use acquit_core::numbering::NumberPattern;
use acquit_core::quote::{self, DecidedVia, Decision, DepositShare, QuoteFacts, QuoteStatus};
use acquit_core::tax::{self, Discount, LineInput};
use acquit_core::{
    Category, Client, Currency, InvoiceDetails, InvoiceKind, Lang, Line, Money, Quantity, Seller,
    Totals, VatRegime,
};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::invoices::{InvoiceId, NewDraft, StoredLine, check_client, insert_line, parse_date};
use crate::parties::ClientId;
use crate::recurring::Template;
use crate::{Rejection, Store, StoreError, StoredShare, from_json, now_rfc3339, to_json};

/// A quote's row id (drafts have no number yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct QuoteId(pub i64);

/// What a new quote needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuote {
    pub client: ClientId,
    pub currency: Currency,
    /// Default: the issue date plus the validity setting (30 days).
    pub valid_until: Option<NaiveDate>,
    pub details: InvoiceDetails,
}

/// An invoice made from a quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuoteInvoice {
    pub id: InvoiceId,
    pub kind: InvoiceKind,
    /// `None` while a draft.
    pub number: Option<String>,
    pub total: Money,
}

/// Everything about one quote, draft or issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuoteView {
    pub id: QuoteId,
    pub number: Option<String>,
    pub status: QuoteStatus,
    pub client_id: ClientId,
    pub currency: Currency,
    pub issue_date: Option<NaiveDate>,
    /// For a draft: the date typed, if any.
    pub valid_until: Option<NaiveDate>,
    /// As of issue (for a draft: the current profile, if set).
    pub seller: Option<Seller>,
    /// As of issue (for a draft: the current client).
    pub buyer: Client,
    pub lines: Vec<StoredLine>,
    pub totals: Totals,
    pub details: InvoiceDetails,
    pub category: Option<Category>,
    /// The first day it was shared or mailed.
    pub sent_on: Option<NaiveDate>,
    pub decision: Option<Decision>,
    /// Deposits, then the full or balance invoice, oldest first.
    pub invoices: Vec<QuoteInvoice>,
}

/// A row of the quote list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuoteSummary {
    pub id: QuoteId,
    pub number: Option<String>,
    pub status: QuoteStatus,
    pub client: String,
    pub issue_date: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub total: Money,
    /// Numbers of the invoices issued from it.
    pub invoiced: Vec<String>,
}

impl From<&QuoteView> for QuoteSummary {
    fn from(q: &QuoteView) -> QuoteSummary {
        QuoteSummary {
            id: q.id,
            number: q.number.clone(),
            status: q.status,
            client: q.buyer.name.clone(),
            issue_date: q.issue_date,
            valid_until: q.valid_until,
            total: q.totals.total,
            invoiced: q.invoices.iter().filter_map(|i| i.number.clone()).collect(),
        }
    }
}

const PATTERN_QUOTE: &str = "numbering.quote";
/// Days a quote is valid when no date is given.
pub const VALIDITY_SETTING: &str = "quote.validity_days";
const DEFAULT_VALIDITY_DAYS: u64 = 30;
const DEFAULT_QUOTE_PATTERN: &str = "D-{YYYY}-{NNNN}";

impl Store {
    /// The numbering pattern of quotes (default `D-{YYYY}-{NNNN}`).
    pub fn quote_pattern(&self) -> Result<NumberPattern, StoreError> {
        let text = self
            .setting(PATTERN_QUOTE)?
            .unwrap_or_else(|| DEFAULT_QUOTE_PATTERN.to_owned());
        Ok(NumberPattern::parse(&text).map_err(Rejection::from)?)
    }

    /// Sets the quotes' pattern; one the invoices or credit notes use is
    /// refused (their numbers would read alike).
    pub fn set_quote_pattern(&mut self, pattern: &NumberPattern) -> Result<(), StoreError> {
        for credit_notes in [false, true] {
            if self.number_pattern(credit_notes)?.as_str() == pattern.as_str() {
                return Err(Rejection::Invalid(format!(
                    "{} already numbers the {}: give quotes a pattern of their own, e.g. {DEFAULT_QUOTE_PATTERN}",
                    pattern.as_str(),
                    if credit_notes { "credit notes" } else { "invoices" }
                ))
                .into());
            }
        }
        self.set_setting(PATTERN_QUOTE, pattern.as_str())
    }

    /// Days a quote stays valid when no date is given (default 30).
    pub fn quote_validity_days(&self) -> Result<u64, StoreError> {
        match self.setting(VALIDITY_SETTING)? {
            None => Ok(DEFAULT_VALIDITY_DAYS),
            Some(text) => text
                .trim()
                .parse()
                .map_err(|_| StoreError::Decode(format!("{VALIDITY_SETTING} = {text:?}"))),
        }
    }

    pub fn create_quote(&mut self, quote: &NewQuote) -> Result<QuoteId, StoreError> {
        check_new_quote(quote)?;
        let body = Template {
            currency: quote.currency,
            details: quote.details.clone(),
            lines: Vec::new(),
        };
        self.write(|tx| {
            check_client(tx, quote.client)?;
            tx.execute(
                "INSERT INTO quotes (client_id, currency, body, valid_until, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    quote.client.0,
                    quote.currency.code(),
                    to_json(&body),
                    quote.valid_until.map(|d| d.to_string()),
                    now_rfc3339()
                ],
            )?;
            Ok(QuoteId(tx.last_insert_rowid()))
        })
    }

    /// Changes a draft quote's client, currency, validity or references.
    pub fn update_quote(&mut self, id: QuoteId, header: &NewQuote) -> Result<(), StoreError> {
        check_new_quote(header)?;
        self.write(|tx| {
            let mut body = editable(tx, id)?;
            check_client(tx, header.client)?;
            if header.currency != body.currency && !body.lines.is_empty() {
                return Err(Rejection::Invalid(format!(
                    "quote draft {} has lines priced in {}: remove them before changing its currency to {}",
                    id.0,
                    body.currency.code(),
                    header.currency.code()
                ))
                .into());
            }
            body.currency = header.currency;
            body.details = header.details.clone();
            tx.execute(
                "UPDATE quotes SET client_id = ?2, currency = ?3, valid_until = ?4, body = ?5
                 WHERE id = ?1 AND number IS NULL",
                params![
                    id.0,
                    header.client.0,
                    header.currency.code(),
                    header.valid_until.map(|d| d.to_string()),
                    to_json(&body)
                ],
            )?;
            Ok(())
        })
    }

    /// Appends a line to a draft quote (checked as an invoice's line is).
    pub fn quote_add_line(&mut self, id: QuoteId, line: &Line) -> Result<i64, StoreError> {
        if line.description.trim().is_empty() {
            return Err(Rejection::Invalid(
                "the line has no description: say what is offered (--desc)".into(),
            )
            .into());
        }
        let seller = self.seller()?;
        let mut line = line.clone();
        line.description = line.description.trim().to_owned();
        if line.nature.is_none() {
            line.nature = seller
                .as_ref()
                .and_then(|s| s.activity)
                .map(|a| a.default_nature());
        }
        self.write(|tx| {
            let mut body = editable(tx, id)?;
            body.lines.push(line.clone());
            compute(&body.lines, body.currency, VatRegime::Standard)?;
            save_body(tx, id, &body)?;
            Ok(body.lines.len() as i64)
        })
    }

    /// Removes line `position` (from 1) of a draft quote.
    pub fn quote_remove_line(&mut self, id: QuoteId, position: i64) -> Result<(), StoreError> {
        self.write(|tx| {
            let mut body = editable(tx, id)?;
            let index = usize::try_from(position - 1)
                .ok()
                .filter(|i| *i < body.lines.len())
                .ok_or_else(|| {
                    Rejection::Invalid(format!(
                        "quote draft {} has no line {position}: see `acquit quote show {}`",
                        id.0, id.0
                    ))
                })?;
            body.lines.remove(index);
            save_body(tx, id, &body)
        })
    }

    /// Deletes a draft quote. Issued quotes are kept for ever.
    pub fn delete_quote_draft(&mut self, id: QuoteId) -> Result<(), StoreError> {
        self.write(|tx| {
            editable(tx, id)?;
            tx.execute("DELETE FROM quotes WHERE id = ?1", [id.0])?;
            Ok(())
        })
    }

    /// Issues a draft quote on `date`: numbers it in the quotes' series and
    /// locks it. Returns the number.
    pub fn issue_quote(&mut self, id: QuoteId, date: NaiveDate) -> Result<String, StoreError> {
        let seller = self.seller()?.ok_or(Rejection::NoSeller)?;
        let pattern = self.quote_pattern()?;
        let validity = self.quote_validity_days()?;
        self.write(|tx| issue_quote_in(tx, &seller, &pattern, validity, id, date))
    }

    /// Issues the invoice draft `draft` as a quote instead, on `date` (the
    /// app's editor writes quotes as it writes invoices): the quote made
    /// with the draft's client, currency, references and lines, issued,
    /// and the draft deleted, in one transaction (all or nothing).
    pub fn issue_draft_as_quote(
        &mut self,
        draft: InvoiceId,
        date: NaiveDate,
        valid_until: Option<NaiveDate>,
    ) -> Result<(QuoteId, String), StoreError> {
        let view = self.invoice_by_id(draft)?;
        if let Some(number) = view.number {
            return Err(Rejection::Locked(number).into());
        }
        if view.kind != InvoiceKind::Standard {
            return Err(Rejection::Invalid(
                "a deposit or balance invoice is not a quote: make it a standard invoice first"
                    .into(),
            )
            .into());
        }
        let seller = self.seller()?.ok_or(Rejection::NoSeller)?;
        let pattern = self.quote_pattern()?;
        let validity = self.quote_validity_days()?;
        let body = Template {
            currency: view.currency,
            details: view.details.clone(),
            lines: view.lines.into_iter().map(|l| l.line).collect(),
        };
        self.write(|tx| {
            tx.execute(
                "INSERT INTO quotes (client_id, currency, body, valid_until, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    view.client_id.0,
                    view.currency.code(),
                    to_json(&body),
                    valid_until.map(|d| d.to_string()),
                    now_rfc3339()
                ],
            )?;
            let id = QuoteId(tx.last_insert_rowid());
            let number = issue_quote_in(tx, &seller, &pattern, validity, id, date)?;
            tx.execute(
                "DELETE FROM invoices WHERE id = ?1 AND number IS NULL",
                [draft.0],
            )?;
            Ok((id, number))
        })
    }

    /// The quote with this row id, draft or issued, as of `today`.
    pub fn quote_by_id(&self, id: QuoteId, today: NaiveDate) -> Result<QuoteView, StoreError> {
        let conn = self.conn();
        type Row = (
            i64,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let row: Option<Row> = conn
            .query_row(
                "SELECT client_id, currency, body, valid_until, number, issue_date,
                        seller_snapshot, buyer_snapshot, totals
                 FROM quotes WHERE id = ?1",
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
                    ))
                },
            )
            .optional()?;
        let Some((client_id, currency, body, until, number, issued, seller, buyer, totals)) = row
        else {
            return Err(Rejection::NoSuchQuote(format!("{}", id.0)).into());
        };
        let currency =
            Currency::from_code(&currency).map_err(|e| StoreError::Decode(e.to_string()))?;
        let body: Template = from_json(&body)?;
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
            None => compute(&body.lines, currency, VatRegime::Standard)?,
        };
        let (sent_on, decision) = events(conn, id.0)?;
        let valid_until = until.as_deref().map(parse_date).transpose()?;
        let status = QuoteFacts {
            issued: number.is_some(),
            valid_until,
            sent: sent_on.is_some(),
            decision: decision.as_ref(),
        }
        .status(today);
        let mut stmt = conn.prepare_cached(
            "SELECT i.id, i.kind, i.number, i.total_minor FROM quote_invoices q
             JOIN invoices i ON i.id = q.invoice_id WHERE q.quote_id = ?1 ORDER BY i.id",
        )?;
        let invoices = stmt
            .query_map([id.0], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                ))
            })?
            .map(|row| {
                let (invoice, kind, number, total) = row?;
                let total = match total {
                    Some(t) => Money::new(t, currency),
                    None => self.invoice_by_id(InvoiceId(invoice))?.totals.total,
                };
                Ok(QuoteInvoice {
                    id: InvoiceId(invoice),
                    kind: kind.parse().map_err(StoreError::Decode)?,
                    number,
                    total,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let category = Category::of(&body.lines);
        Ok(QuoteView {
            id,
            number,
            status,
            client_id: ClientId(client_id),
            currency,
            issue_date: issued.as_deref().map(parse_date).transpose()?,
            valid_until,
            seller,
            buyer,
            lines: body
                .lines
                .into_iter()
                .enumerate()
                .map(|(i, line)| StoredLine {
                    position: i as i64 + 1,
                    line,
                })
                .collect(),
            totals,
            details: body.details,
            category,
            sent_on,
            decision,
            invoices,
        })
    }

    /// The issued quote with this number (or a draft by its row id).
    pub fn quote(&self, text: &str, today: NaiveDate) -> Result<QuoteView, StoreError> {
        let text = text.trim();
        let id: Option<i64> = self
            .conn()
            .query_row("SELECT id FROM quotes WHERE number = ?1", [text], |r| {
                r.get(0)
            })
            .optional()?;
        let id = match id {
            Some(id) => id,
            None => match text.parse::<i64>() {
                Ok(id) => id,
                Err(_) => return Err(Rejection::NoSuchQuote(text.to_owned()).into()),
            },
        };
        self.quote_by_id(QuoteId(id), today)
    }

    /// Every quote, newest first, as of `today`.
    pub fn quotes(&self, today: NaiveDate) -> Result<Vec<QuoteSummary>, StoreError> {
        let ids: Vec<i64> = {
            let mut stmt = self.conn().prepare(
                "SELECT id FROM quotes ORDER BY number IS NOT NULL, issue_date DESC, id DESC",
            )?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        ids.into_iter()
            .map(|id| Ok(QuoteSummary::from(&self.quote_by_id(QuoteId(id), today)?)))
            .collect()
    }

    /// Records that the quote reached the client on `on` (shared or
    /// mailed). Only the first time counts; later ones change nothing.
    pub fn quote_sent(&mut self, number: &str, on: NaiveDate) -> Result<(), StoreError> {
        self.write(|tx| {
            let id = issued_id(tx, number)?;
            tx.execute(
                "INSERT INTO quote_events (quote_id, kind, on_date, at)
                 SELECT ?1, 'sent', ?2, ?3
                 WHERE NOT EXISTS (SELECT 1 FROM quote_events WHERE quote_id = ?1 AND kind = 'sent')",
                params![id, on.to_string(), now_rfc3339()],
            )?;
            Ok(())
        })
    }

    /// Records the client's decision on issued quote `number`: once, within
    /// its validity. An accepted quote is then invoiced
    /// ([`Store::invoice_quote`]).
    pub fn decide_quote(&mut self, number: &str, decision: &Decision) -> Result<(), StoreError> {
        let by = decision.by.trim().to_owned();
        let comment = decision
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        self.write(|tx| {
            let (id, issued, until) = tx
                .query_row(
                    "SELECT id, issue_date, valid_until FROM quotes WHERE number = ?1",
                    [number.trim()],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, Option<String>>(1)?,
                            r.get::<_, Option<String>>(2)?,
                        ))
                    },
                )
                .optional()?
                .ok_or_else(|| Rejection::NoSuchQuote(number.trim().to_owned()))?;
            let (_, previous) = events(tx, id)?;
            quote::check_decision(
                issued.as_deref().map(parse_date).transpose()?,
                until.as_deref().map(parse_date).transpose()?,
                previous.as_ref(),
                decision.on,
                &by,
            )
            .map_err(Rejection::from)?;
            tx.execute(
                "INSERT INTO quote_events (quote_id, kind, on_date, by_name, comment, via, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    id,
                    if decision.accepted {
                        "accepted"
                    } else {
                        "declined"
                    },
                    decision.on.to_string(),
                    by,
                    comment,
                    decision.via.as_str(),
                    now_rfc3339()
                ],
            )?;
            Ok(())
        })
    }

    /// Makes the next invoice of accepted quote `number`, as a draft to
    /// review and issue: with `deposit`, a deposit invoice for that share of
    /// each VAT rate's base; without, the invoice of the quote's lines (a
    /// balance invoice deducting the deposits already issued, if any).
    pub fn invoice_quote(
        &mut self,
        number: &str,
        deposit: Option<DepositShare>,
        today: NaiveDate,
    ) -> Result<InvoiceId, StoreError> {
        let quote = self.quote(number, today)?;
        let number = quote.number.clone().unwrap_or_default();
        if quote.status != QuoteStatus::Accepted {
            return Err(Rejection::QuoteNotAccepted {
                number,
                status: quote.status.as_str().to_owned(),
            }
            .into());
        }
        if let Some(draft) = quote.invoices.iter().find(|i| i.number.is_none()) {
            return Err(Rejection::QuoteDraftPending {
                number,
                draft: draft.id.0,
            }
            .into());
        }
        if let Some(done) = quote
            .invoices
            .iter()
            .find(|i| i.kind != InvoiceKind::Deposit)
        {
            return Err(Rejection::QuoteInvoiced {
                number,
                by: done.number.clone().unwrap_or_default(),
            }
            .into());
        }
        let deposits: Vec<String> = quote
            .invoices
            .iter()
            .filter_map(|i| i.number.clone())
            .collect();
        let mut details = quote.details.clone();
        details.quote_ref = Some(number.clone());
        let (kind, lines) = match deposit {
            Some(share) => (InvoiceKind::Deposit, deposit_lines(&quote, &number, share)),
            None if deposits.is_empty() => (
                InvoiceKind::Standard,
                quote.lines.iter().map(|l| l.line.clone()).collect(),
            ),
            None => (
                InvoiceKind::Balance,
                quote.lines.iter().map(|l| l.line.clone()).collect(),
            ),
        };
        let draft = NewDraft {
            client: quote.client_id,
            currency: quote.currency,
            kind,
            due_date: None,
            sale_date: None,
            deposits: if kind == InvoiceKind::Balance {
                deposits
            } else {
                Vec::new()
            },
            details,
        };
        self.write(|tx| {
            let id = crate::invoices::create_draft_in(tx, &draft)?;
            for (i, line) in lines.iter().enumerate() {
                insert_line(tx, id.0, i as i64 + 1, line)?;
            }
            tx.execute(
                "INSERT INTO quote_invoices (quote_id, invoice_id) VALUES (?1, ?2)",
                [quote.id.0, id.0],
            )?;
            Ok(id)
        })
    }
}

const SHARE_COLUMNS: &str =
    "q.number, s.doc_token, s.key, s.created_at, s.published_at, s.revoked_at";

/// A quote's shared page still waiting for the client's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwaitingReply {
    pub share: StoredShare,
    /// The relay's id of the last reply already read.
    pub replies_seen: i64,
}

impl Store {
    /// The live share of issued quote `number`, if any.
    pub fn live_quote_share(&self, number: &str) -> Result<Option<StoredShare>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT {SHARE_COLUMNS} FROM quote_shares s JOIN quotes q ON q.id = s.quote_id
                     WHERE q.number = ?1 AND s.revoked_at IS NULL"
                ),
                [number.trim()],
                crate::shares::row,
            )
            .optional()?)
    }

    /// The live share of issued quote `number`, made (a new token and key)
    /// when there is none.
    pub fn share_quote(&mut self, number: &str) -> Result<StoredShare, StoreError> {
        let id = {
            let conn = self.conn();
            conn.query_row(
                "SELECT id FROM quotes WHERE number = ?1",
                [number.trim()],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .ok_or_else(|| Rejection::NoSuchQuote(number.trim().to_owned()))?
        };
        if let Some(share) = self.live_quote_share(number)? {
            return Ok(share);
        }
        let token = crate::links::new_token()?;
        let mut key = [0u8; crate::SHARE_KEY_LEN];
        getrandom::fill(&mut key)
            .map_err(|e| StoreError::Decode(format!("no randomness from the OS: {e}")))?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO quote_shares (quote_id, doc_token, key, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![id, token, key.as_slice(), now_rfc3339()],
            )?;
            Ok(())
        })?;
        self.live_quote_share(number)?
            .ok_or_else(|| StoreError::Decode("the share just written is missing".into()))
    }

    /// Records that the relay accepted a bundle of quote share `doc_token`.
    pub fn quote_share_published(&mut self, doc_token: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE quote_shares SET published_at = ?2 WHERE doc_token = ?1",
                params![doc_token, now_rfc3339()],
            )?;
            Ok(())
        })
    }

    /// The live, published shares of quotes with no decision yet and not
    /// long expired on `today`: where a client's answer may be waiting on
    /// the relay (the sync asks the relay for each, so a quote past its
    /// validity by more than a day, which no answer can decide any more,
    /// is left out).
    pub fn quote_shares_awaiting_reply(
        &self,
        today: NaiveDate,
    ) -> Result<Vec<AwaitingReply>, StoreError> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {SHARE_COLUMNS}, s.replies_seen FROM quote_shares s JOIN quotes q ON q.id = s.quote_id
             WHERE s.revoked_at IS NULL AND s.published_at IS NOT NULL
               AND (q.valid_until IS NULL OR q.valid_until >= ?1)
               AND NOT EXISTS (SELECT 1 FROM quote_events e WHERE e.quote_id = q.id
                               AND e.kind IN ('accepted', 'declined'))
             ORDER BY s.id"
        ))?;
        let rows = stmt.query_map([(today - chrono::Days::new(1)).to_string()], |r| {
            Ok(AwaitingReply {
                share: crate::shares::row(r)?,
                replies_seen: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records that the replies of share `doc_token` up to the relay's id
    /// `seen` were read (never goes back).
    pub fn quote_replies_seen(&mut self, doc_token: &str, seen: i64) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE quote_shares SET replies_seen = MAX(replies_seen, ?2) WHERE doc_token = ?1",
                params![doc_token, seen],
            )?;
            Ok(())
        })
    }
}

/// Issues draft quote `id` on `date` inside `tx` (see [`Store::issue_quote`]).
fn issue_quote_in(
    tx: &Transaction<'_>,
    seller: &Seller,
    pattern: &NumberPattern,
    validity: u64,
    id: QuoteId,
    date: NaiveDate,
) -> Result<String, StoreError> {
    let body = editable(tx, id)?;
    if body.lines.is_empty() {
        return Err(Rejection::Invalid(format!(
            "quote draft {} has no lines: add one with `acquit quote add-line {} …` before issuing",
            id.0, id.0
        ))
        .into());
    }
    let totals = compute(&body.lines, body.currency, seller.vat_regime)?;
    let (client_id, until): (i64, Option<String>) = tx.query_row(
        "SELECT client_id, valid_until FROM quotes WHERE id = ?1",
        [id.0],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let valid_until = match until {
        Some(d) => parse_date(&d)?,
        None => date
            .checked_add_days(chrono::Days::new(validity))
            .ok_or_else(|| {
                Rejection::Invalid(format!("{date} is too far in the future: check the date"))
            })?,
    };
    if valid_until < date {
        return Err(Rejection::ValidityBeforeIssue { valid_until, date }.into());
    }
    let buyer: String = tx.query_row(
        "SELECT profile FROM clients WHERE id = ?1",
        [client_id],
        |r| r.get(0),
    )?;
    let number = take_quote_number(tx, pattern, date)?;
    tx.execute(
        "UPDATE quotes SET number = ?2, issue_date = ?3, valid_until = ?4, seller_snapshot = ?5,
            buyer_snapshot = ?6, total_minor = ?7, totals = ?8, issued_at = ?9, logo = ?10
         WHERE id = ?1 AND number IS NULL",
        params![
            id.0,
            number,
            date.to_string(),
            valid_until.to_string(),
            to_json(seller),
            buyer,
            totals.total.minor(),
            to_json(&totals),
            now_rfc3339(),
            crate::parties::seal_logo(tx)?
        ],
    )?;
    Ok(number)
}

/// One line per VAT rate: "Acompte de 30 % sur le devis D-2027-0001", the
/// share of that rate's base (see [`acquit_core::quote`]), the nature the
/// quote's lines at that rate have when they agree.
fn deposit_lines(quote: &QuoteView, number: &str, share: DepositShare) -> Vec<Line> {
    let lang = quote.buyer.lang;
    let description = match lang {
        Lang::Fr => format!("Acompte de {} sur le devis {number}", share.format(lang)),
        Lang::En => format!("Deposit of {} on quote {number}", share.format(lang)),
    };
    let bases = share.bases(&quote.totals);
    let several = bases.len() > 1;
    bases
        .into_iter()
        .map(|(rate, base)| {
            let mut natures = quote
                .lines
                .iter()
                .filter(|l| l.line.input.vat_rate == rate)
                .map(|l| l.line.nature);
            let first = natures.next().flatten();
            let nature = if natures.all(|n| n == first) {
                first
            } else {
                None
            };
            Line {
                // One line per rate: each says which.
                description: if several {
                    match lang {
                        Lang::Fr => format!("{description} (TVA {})", rate.format(lang)),
                        Lang::En => format!("{description} (VAT {})", rate.format(lang)),
                    }
                } else {
                    description.clone()
                },
                input: LineInput {
                    quantity: Quantity::ONE,
                    unit_price: base,
                    vat_rate: rate,
                    discount: Discount::None,
                },
                nature,
                unit: None,
            }
        })
        .collect()
}

fn check_new_quote(quote: &NewQuote) -> Result<(), StoreError> {
    if quote.currency == Currency::EUR && quote.details.eur_rate.is_some() {
        return Err(Rejection::Invalid(
            "the quote is in euros: it needs no euro rate (leave --eur-rate out)".into(),
        )
        .into());
    }
    Ok(())
}

/// The body of draft quote `id`; an issued one is refused.
fn editable(tx: &Transaction<'_>, id: QuoteId) -> Result<Template, StoreError> {
    let row: Option<(String, Option<String>)> = tx
        .query_row(
            "SELECT body, number FROM quotes WHERE id = ?1",
            [id.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match row {
        None => Err(Rejection::NoSuchQuote(format!("{}", id.0)).into()),
        Some((_, Some(number))) => Err(Rejection::QuoteLocked(number).into()),
        Some((body, None)) => from_json(&body),
    }
}

fn save_body(tx: &Transaction<'_>, id: QuoteId, body: &Template) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE quotes SET body = ?2 WHERE id = ?1 AND number IS NULL",
        params![id.0, to_json(body)],
    )?;
    Ok(())
}

fn compute(lines: &[Line], currency: Currency, regime: VatRegime) -> Result<Totals, StoreError> {
    let inputs: Vec<LineInput> = lines.iter().map(|l| l.input.clone()).collect();
    Ok(tax::compute(&inputs, currency, regime).map_err(Rejection::from)?)
}

fn issued_id(tx: &Transaction<'_>, number: &str) -> Result<i64, StoreError> {
    tx.query_row(
        "SELECT id FROM quotes WHERE number = ?1",
        [number.trim()],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| Rejection::NoSuchQuote(number.trim().to_owned()).into())
}

/// The first day sent, and the decision, of quote `id`.
fn events(
    conn: &rusqlite::Connection,
    id: i64,
) -> Result<(Option<NaiveDate>, Option<Decision>), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, on_date, by_name, comment, via FROM quote_events WHERE quote_id = ?1 ORDER BY id",
    )?;
    let mut sent = None;
    let mut decision = None;
    let rows = stmt.query_map([id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    for row in rows {
        let (kind, on, by, comment, via) = row?;
        let on = parse_date(&on)?;
        match kind.as_str() {
            "sent" => {
                sent.get_or_insert(on);
            }
            accepted => {
                decision = Some(Decision {
                    accepted: accepted == "accepted",
                    on,
                    by: by.unwrap_or_default(),
                    comment,
                    via: via
                        .as_deref()
                        .unwrap_or("hand")
                        .parse::<DecidedVia>()
                        .map_err(StoreError::Decode)?,
                });
            }
        }
    }
    Ok((sent, decision))
}

/// The next number of the quotes' series `date` falls in: dates never go
/// back (as for invoices), the counter is the quotes' own.
fn take_quote_number(
    tx: &Transaction<'_>,
    pattern: &NumberPattern,
    date: NaiveDate,
) -> Result<String, StoreError> {
    let last: Option<(String, String)> = tx
        .query_row(
            "SELECT number, issue_date FROM quotes WHERE number IS NOT NULL
             ORDER BY issue_date DESC, id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    crate::invoices::next_number(
        tx,
        last,
        format!("quote:{}", pattern.series_key(date)),
        pattern,
        date,
    )
}
