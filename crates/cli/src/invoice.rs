//! `acquit invoice …`: drafts, issuing, and reading invoices back.
//!
//! A draft is named by its id (printed by `invoice new`); an issued invoice
//! by its number (`F-2026-0001`). Commands that take a draft also accept an
//! issued invoice's number or id, so that the store can answer with what to
//! do instead (an issued invoice is locked: issue a credit note).

use std::collections::HashMap;
use std::path::Path;

use acquit_core::tax::VatCategory;
use acquit_core::{
    Currency, Discount, EurRate, InvoiceDetails, InvoiceKind, InvoiceStatus, Lang, Line, LineInput,
    Money, Nature, PaymentMeans, Unit, VatRate, VatRegime,
};
use acquit_store::{
    InvoiceId, InvoiceSummary, InvoiceView, NewDraft, Rejection, Store, StoreError, StoredPayment,
};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use crate::payment::{PaymentJson, payments_table};
use crate::table::{Align, Table, block};
use crate::{CliError, open, parse, to_json};

#[derive(Debug, Subcommand)]
pub enum InvoiceCommand {
    /// Start a draft for a client and print its id
    New(NewArgs),
    /// Add a line to a draft
    AddLine(AddLineArgs),
    /// Issue a draft: number it, lock it for ever, and print the number
    Issue {
        /// The draft's id
        #[arg(value_name = "DRAFT")]
        draft: String,
        /// Issue date, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
    /// Delete a draft (issued invoices are never deleted: credit them)
    Delete {
        /// The draft's id
        #[arg(value_name = "DRAFT")]
        draft: String,
    },
    /// List invoices and drafts, newest first
    List {
        /// Only those with this status
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
    /// Write the PDF of an issued invoice or credit note
    Pdf(crate::pdf::PdfArgs),
    /// Print the e-invoice XML (UN/CEFACT CII, Factur-X EN 16931) of an
    /// issued invoice or credit note: what a platform that takes CII wants
    Xml {
        /// The issued invoice, e.g. F-2026-0001
        #[arg(value_name = "NUMBER")]
        number: String,
    },
    /// Write the Factur-X (PDF/A-3 with its CII XML) of an issued invoice or
    /// credit note, as issued
    Facturx {
        /// The issued invoice, e.g. F-2026-0001
        #[arg(value_name = "NUMBER")]
        number: String,
        /// The PDF file to write
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
    },
    /// Show an invoice (by number, e.g. F-2026-0001) or a draft (by id)
    Show {
        #[arg(value_name = "NUMBER_OR_DRAFT_ID")]
        invoice: String,
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The client's id (see `acquit client list`)
    #[arg(long, value_name = "ID")]
    client: String,
    /// ISO 4217 code of the invoice's currency
    #[arg(long, value_name = "CODE", default_value = "EUR")]
    currency: String,
    /// Due date, YYYY-MM-DD [default: issue date + your payment terms]
    #[arg(long, value_name = "YYYY-MM-DD")]
    due: Option<String>,
    /// Date of the sale or service, YYYY-MM-DD [default: the issue date]
    #[arg(long, value_name = "YYYY-MM-DD")]
    sale_date: Option<String>,
    #[arg(long, value_enum, default_value_t = KindArg::Standard)]
    kind: KindArg,
    /// For a balance invoice: the number of a deposit invoice it deducts (repeat for several)
    #[arg(long = "of", value_name = "NUMBER")]
    deposits: Vec<String>,
    /// The client's purchase order number, printed on the invoice
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    order_ref: Option<String>,
    /// The reference the client asked to see on its invoices (a service code…)
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    buyer_ref: Option<String>,
    /// For an invoice in another currency: how many units of it one euro
    /// buys (the ECB reference rate of the day, e.g. 1.0850 for USD); its
    /// VAT total is printed in euros at this rate
    #[arg(long, value_name = "RATE")]
    eur_rate: Option<String>,
    /// How the client may pay, comma-separated: transfer, card, cheque,
    /// cash [default: transfer when your company has an IBAN]
    #[arg(long, value_name = "LIST")]
    pay_by: Option<String>,
    #[command(flatten)]
    delivery: parse::DeliveryArgs,
}

#[derive(Debug, Args)]
pub struct AddLineArgs {
    /// The draft's id
    #[arg(value_name = "DRAFT")]
    draft: String,
    #[command(flatten)]
    line: LineArgs,
}

/// A line as typed: for an invoice's draft or a quote's.
#[derive(Debug, Args)]
pub struct LineArgs {
    /// What is invoiced
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    desc: String,
    /// Quantity: 1, 2.5, 0,25
    #[arg(long, value_name = "Q", allow_hyphen_values = true)]
    qty: String,
    /// Unit price excluding VAT, in the document's currency: 450, 1 234,50
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    unit_price: String,
    /// VAT rate: 20, 10%, 5.5 [default: 20, or 0 under the VAT franchise]
    #[arg(long, value_name = "RATE%", allow_hyphen_values = true)]
    vat: Option<String>,
    /// Discount on the line: a percentage (10%) or an amount (50)
    #[arg(long, value_name = "10%|AMOUNT", allow_hyphen_values = true)]
    discount: Option<String>,
    /// Goods or a service [default: from your activity (`company set --activity`)]
    #[arg(long, value_name = "NATURE")]
    nature: Option<String>,
    /// What the quantity counts: hour, day, month, unit, kg, m, m2, km, lump-sum
    #[arg(long, value_name = "UNIT")]
    unit: Option<String>,
}

/// The fields of a line read before the document is known: its currency
/// is needed for the amounts ([`Parsed::line`]).
pub(crate) struct Parsed<'a> {
    args: &'a LineArgs,
    quantity: acquit_core::Quantity,
    nature: Option<Nature>,
    unit: Option<Unit>,
    vat_rate: Option<VatRate>,
    percent: Option<Discount>,
}

impl LineArgs {
    /// Checks everything that does not depend on the document, before the
    /// books are opened.
    pub(crate) fn parse(&self) -> Result<Parsed<'_>, CliError> {
        Ok(Parsed {
            args: self,
            quantity: parse::quantity(&self.qty)?,
            nature: parse::id(self.nature.as_deref(), str::parse::<Nature>)?,
            unit: parse::id(self.unit.as_deref(), str::parse::<Unit>)?,
            vat_rate: self.vat.as_deref().map(parse::vat_rate).transpose()?,
            percent: match &self.discount {
                Some(d) if d.trim().ends_with('%') => Some(parse::discount(d, Currency::EUR)?),
                _ => None,
            },
        })
    }
}

impl Parsed<'_> {
    /// The line, priced in `currency` (VAT by default as the seller's
    /// regime wants).
    pub(crate) fn line(&self, store: &Store, currency: Currency) -> Result<Line, CliError> {
        let unit_price = parse::amount(&self.args.unit_price, currency)?;
        let discount = match (self.percent, &self.args.discount) {
            (Some(percent), _) => percent,
            (None, Some(amount)) => parse::discount(amount, currency)?,
            (None, None) => Discount::None,
        };
        let vat_rate = match self.vat_rate {
            Some(rate) => rate,
            None => default_vat_rate(store)?,
        };
        Ok(Line {
            description: self.args.desc.trim().to_owned(),
            input: LineInput {
                quantity: self.quantity,
                unit_price,
                vat_rate,
                discount,
            },
            nature: self.nature,
            unit: self.unit,
        })
    }
}

#[derive(Debug, Args)]
pub struct CreditNoteArgs {
    /// The issued invoice to correct, e.g. F-2026-0001
    #[arg(value_name = "NUMBER")]
    number: String,
    /// The amount to credit, including VAT, in the invoice's currency
    /// [default: the whole invoice, which cancels it]
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    amount: Option<String>,
    /// Why, shown on the credit note: "Prestation annulée"
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    reason: Option<String>,
    /// The credit note's date, YYYY-MM-DD [default: today]
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Standard,
    Deposit,
    Balance,
}

impl From<KindArg> for InvoiceKind {
    fn from(kind: KindArg) -> InvoiceKind {
        match kind {
            KindArg::Standard => InvoiceKind::Standard,
            KindArg::Deposit => InvoiceKind::Deposit,
            KindArg::Balance => InvoiceKind::Balance,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Draft,
    Issued,
    Processing,
    PartiallyPaid,
    Paid,
    Cancelled,
}

impl From<StatusArg> for InvoiceStatus {
    fn from(status: StatusArg) -> InvoiceStatus {
        match status {
            StatusArg::Draft => InvoiceStatus::Draft,
            StatusArg::Issued => InvoiceStatus::Issued,
            StatusArg::Processing => InvoiceStatus::Processing,
            StatusArg::PartiallyPaid => InvoiceStatus::PartiallyPaid,
            StatusArg::Paid => InvoiceStatus::Paid,
            StatusArg::Cancelled => InvoiceStatus::Cancelled,
        }
    }
}

pub fn run(command: InvoiceCommand, db: &Path) -> Result<String, CliError> {
    match command {
        InvoiceCommand::New(args) => new(args, db),
        InvoiceCommand::AddLine(args) => add_line(args, db),
        InvoiceCommand::Xml { number } => {
            let store = open(db)?;
            let doc = acquit_documents::documents::document(
                &store,
                number.trim(),
                None,
                acquit_documents::documents::Rendering::AsIssued,
            )
            .map_err(crate::pdf::document_error)?;
            Ok(acquit_facturx::cii_xml(&doc))
        }
        InvoiceCommand::Facturx { number, out } => {
            let store = open(db)?;
            let doc = acquit_documents::documents::document(
                &store,
                number.trim(),
                None,
                acquit_documents::documents::Rendering::AsIssued,
            )
            .map_err(crate::pdf::document_error)?;
            let rendered = acquit_facturx::facturx_pdf(&doc, None)
                .map_err(|e| CliError::Outside(format!("the PDF could not be made: {e}")))?;
            crate::pdf::write_atomically(&out, &rendered.bytes)?;
            Ok(format!("{}\n", out.display()))
        }
        InvoiceCommand::Pdf(args) => crate::pdf::invoice_pdf(args, db),
        InvoiceCommand::Issue { draft, date } => {
            let date = parse::issue_date(date.as_deref())?;
            let mut store = open(db)?;
            let id = find(&store, &draft)?.id;
            // What the law will ask for later: said now, issued anyway.
            let coming = store.coming_gaps(id, date)?;
            let number = store.issue(id, date)?;
            // Its original kept as this version draws it. Issued anyway if
            // drawing fails: the first later drawing keeps it.
            if let Err(e) = acquit_documents::documents::keep_original(&store, &number) {
                eprintln!(
                    "acquit: warning: {number} is issued, but its PDF could not be drawn: {e}"
                );
            }
            for gap in coming {
                let from = gap.due_from().map(|d| d.to_string()).unwrap_or_default();
                eprintln!("acquit: warning: from {from}, {gap}");
            }
            Ok(format!("{number}\n"))
        }
        InvoiceCommand::Delete { draft } => {
            let mut store = open(db)?;
            let id = find(&store, &draft)?.id;
            store.delete_draft(id)?;
            Ok(format!("Draft {} deleted.\n", id.0))
        }
        InvoiceCommand::List { status, json } => {
            let store = open(db)?;
            let invoices = store.list_invoices(status.map(InvoiceStatus::from))?;
            Ok(if json {
                // Every payment in one query (the ledger), not one per invoice.
                let mut payments: HashMap<String, Vec<PaymentJson>> = HashMap::new();
                for entry in store.ledger(None, None)? {
                    payments
                        .entry(entry.invoice_number.clone())
                        .or_default()
                        .push(PaymentJson::from_ledger(&entry));
                }
                let rows: Vec<SummaryJson> = invoices
                    .iter()
                    .map(|s| {
                        let paid = s
                            .number
                            .as_ref()
                            .and_then(|n| payments.remove(n))
                            .unwrap_or_default();
                        SummaryJson::new(s, paid)
                    })
                    .collect();
                to_json(&rows)
            } else {
                list_human(&invoices)
            })
        }
        InvoiceCommand::Show { invoice, json } => {
            let store = open(db)?;
            let view = find(&store, &invoice)?;
            let payments = match &view.number {
                Some(number) => store.payments(number)?,
                None => Vec::new(),
            };
            Ok(if json {
                let mut shown = InvoiceJson::new(&view, &payments);
                if let Some(number) = &view.number {
                    shown.reminders = store
                        .reminders_of(number)?
                        .into_iter()
                        .map(|r| ReminderJson {
                            step: r.step,
                            tone: r.tone.as_str(),
                            via: r.via.as_str(),
                            reminded_on: r.reminded_on,
                            amount_due: r.amount_due.to_decimal_string(),
                            penalties: r.penalties.to_decimal_string(),
                            message_id: r.message_id,
                            sent: r.sent_at.is_some(),
                        })
                        .collect();
                    shown.einvoice = Some(
                        acquit_documents::einvoice::state(&store, number, false)
                            .map_err(|e| CliError::Outside(e.to_string()))?,
                    );
                }
                to_json(&shown)
            } else {
                let mut out = show_human(&view, &payments);
                if let Some(number) = &view.number {
                    out.push_str(&online_state(&store, number, view.buyer.lang)?);
                }
                out
            })
        }
    }
}

/// `acquit credit-note NUMBER [--amount A] [--reason R] [--date D]`.
pub fn credit_note(args: CreditNoteArgs, db: &Path) -> Result<String, CliError> {
    if let Some(amount) = &args.amount {
        parse::amount_shape(amount, "--amount")?;
    }
    let date = parse::issue_date(args.date.as_deref())?;
    let mut store = open(db)?;
    let amount = match &args.amount {
        Some(amount) => {
            let currency = store.invoice(&args.number)?.currency;
            Some(parse::amount_in(amount, currency, "--amount")?)
        }
        None => None,
    };
    let number = store.credit_note(&args.number, amount, args.reason.as_deref(), date)?;
    Ok(format!("{number}\n"))
}

/// A typed text, trimmed; nothing when blank.
fn text(input: Option<&str>) -> Option<String> {
    input
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn new(args: NewArgs, db: &Path) -> Result<String, CliError> {
    let draft = NewDraft {
        client: parse::client_id(&args.client)?,
        currency: parse::currency(&args.currency)?,
        kind: args.kind.into(),
        due_date: args.due.map(|d| parse::date(&d, "--due")).transpose()?,
        sale_date: args
            .sale_date
            .map(|d| parse::date(&d, "--sale-date"))
            .transpose()?,
        deposits: args.deposits.iter().map(|n| n.trim().to_owned()).collect(),
        details: InvoiceDetails {
            order_ref: text(args.order_ref.as_deref()),
            buyer_ref: text(args.buyer_ref.as_deref()),
            delivery: args.delivery.parts().apply(None)?.flatten(),
            eur_rate: args
                .eur_rate
                .as_deref()
                .map(EurRate::parse)
                .transpose()
                .map_err(|e| CliError::rejected(format!("--eur-rate: {e}")))?,
            payment_means: args
                .pay_by
                .as_deref()
                .map(PaymentMeans::parse_list)
                .transpose()
                .map_err(|e| CliError::rejected(format!("--pay-by: {e}")))?
                .unwrap_or_default(),
            ..InvoiceDetails::default()
        },
    };
    let InvoiceId(id) = open(db)?.create_draft(&draft)?;
    Ok(format!("{id}\n"))
}

fn add_line(args: AddLineArgs, db: &Path) -> Result<String, CliError> {
    let parsed = args.line.parse()?;
    let mut store = open(db)?;
    let draft = find(&store, &args.draft)?;
    let line = parsed.line(&store, draft.currency)?;
    let position = store.add_line(draft.id, &line)?;

    let draft = store.invoice_by_id(draft.id)?;
    let lang = draft.buyer.lang;
    let net = usize::try_from(position - 1)
        .ok()
        .and_then(|i| draft.totals.lines.get(i))
        .map(|amounts| amounts.net.format(lang))
        .unwrap_or_default();
    Ok(format!(
        "Line {position} added to draft {}: {net} excl. VAT; the draft now totals {} incl. VAT.\n",
        draft.id.0,
        draft.totals.total.format(lang)
    ))
}

/// 20 %, the French standard rate, or 0 under the VAT franchise.
fn default_vat_rate(store: &Store) -> Result<VatRate, CliError> {
    let franchise = store
        .seller()?
        .is_some_and(|s| s.vat_regime == VatRegime::Franchise);
    Ok(if franchise {
        VatRate::ZERO
    } else {
        VatRate::from_basis_points(20 * VatRate::PER_PERCENT).expect("20 % is a rate")
    })
}

/// The invoice named `text`: an issued invoice's number, or a draft's id.
/// A number made only of digits (a custom pattern) wins over an id.
fn find(store: &Store, text: &str) -> Result<InvoiceView, CliError> {
    let text = text.trim();
    let by_number = store.invoice(text);
    match (by_number, text.parse::<i64>()) {
        (Err(StoreError::Rejected(Rejection::NoSuchInvoice(_))), Ok(id)) => {
            Ok(store.invoice_by_id(InvoiceId(id))?)
        }
        (result, _) => Ok(result?),
    }
}

/// A kind as the CLI writes it: `credit-note`, like the statuses.
fn kind_name(kind: InvoiceKind) -> String {
    kind.as_str().replace('_', "-")
}

fn date_string(date: Option<NaiveDate>) -> String {
    date.map(|d| d.to_string()).unwrap_or_else(|| "–".into())
}

/// One row of `invoice list --json`: the fields of `invoice show --json`
/// that a list needs.
#[derive(Debug, Serialize)]
struct SummaryJson {
    id: i64,
    number: Option<String>,
    kind: String,
    status: &'static str,
    client: String,
    currency: String,
    issue_date: Option<NaiveDate>,
    due_date: Option<NaiveDate>,
    total: String,
    amount_due: String,
    payments: Vec<PaymentJson>,
}

impl SummaryJson {
    fn new(s: &InvoiceSummary, payments: Vec<PaymentJson>) -> SummaryJson {
        SummaryJson {
            id: s.id.0,
            number: s.number.clone(),
            kind: kind_name(s.kind),
            status: s.status.as_str(),
            client: s.client.clone(),
            currency: s.total.currency().code().to_owned(),
            issue_date: s.issue_date,
            due_date: s.due_date,
            total: s.total.to_decimal_string(),
            amount_due: s.amount_due.to_decimal_string(),
            payments,
        }
    }
}

/// `invoice show --json`. Amounts are decimal strings in `currency`.
#[derive(Debug, Serialize)]
struct InvoiceJson {
    id: i64,
    /// `null` for a draft.
    number: Option<String>,
    kind: String,
    status: &'static str,
    client_id: i64,
    client: String,
    currency: String,
    issue_date: Option<NaiveDate>,
    due_date: Option<NaiveDate>,
    sale_date: Option<NaiveDate>,
    lines: Vec<LineJson>,
    /// Excluding VAT.
    net: String,
    vat: Vec<VatJson>,
    vat_total: String,
    /// Including VAT.
    total: String,
    amount_due: String,
    payments: Vec<PaymentJson>,
    /// For a balance invoice: the deposit invoices it deducts.
    deposits: Vec<String>,
    /// For a credit note: the invoice it corrects.
    credits: Option<String>,
    /// For a credit note: the corrected invoice's issue date.
    credits_date: Option<NaiveDate>,
    credit_notes: Vec<String>,
    /// The client's purchase order number.
    order_ref: Option<String>,
    /// The client's own reference.
    buyer_ref: Option<String>,
    /// Where the goods go or the service is done, as printed (`\n` between
    /// lines), when not the billing address.
    delivery_address: Option<String>,
    /// `goods`, `services` or `mixed`, from the lines' natures; `null`
    /// while a line has none.
    category: Option<&'static str>,
    /// For an invoice in another currency: units of it per euro.
    eur_rate: Option<String>,
    /// How the client may pay (`transfer`, `card`, `cheque`, `cash`), as
    /// chosen on the draft or set at issue; empty for invoices issued
    /// before Acquit recorded it.
    payment_means: Vec<&'static str>,
    /// Issued, in another currency: its VAT total in euros.
    vat_total_eur: Option<String>,
    /// The seller's legal mentions as printed (form and capital,
    /// registration, debits option).
    seller_mentions: Vec<String>,
    /// Issued: where its e-invoice stands (`einvoice status --json`, from
    /// the books only); `null` for a draft.
    einvoice: Option<acquit_documents::einvoice::EInvoiceState>,
    /// The payment reminders recorded, oldest first.
    reminders: Vec<ReminderJson>,
}

/// A reminder in `invoice show --json`.
#[derive(Debug, Serialize)]
struct ReminderJson {
    /// Days from the due date.
    step: i32,
    tone: &'static str,
    /// `email`, `whatsapp` or `smtp`.
    via: &'static str,
    reminded_on: NaiveDate,
    amount_due: String,
    penalties: String,
    message_id: Option<String>,
    /// `false`: an SMTP send interrupted before the server answered.
    sent: bool,
}

#[derive(Debug, Serialize)]
pub(crate) struct LineJson {
    position: i64,
    description: String,
    quantity: String,
    unit_price: String,
    /// Percent: `"20"`, `"5.5"`.
    vat_rate: String,
    /// Percent for a percentage discount, else `null`.
    discount_percent: Option<String>,
    /// Quantity × unit price.
    amount: String,
    /// The discount as an amount (`"0.00"` when none).
    discount: String,
    /// Amount − discount, excluding VAT.
    net: String,
    /// `goods` or `service`; `null` on lines of older books.
    nature: Option<&'static str>,
    /// `hour`, `day`, … (`null`: a plain number).
    unit: Option<&'static str>,
    /// Its UN/ECE Recommendation 20 code: `HUR`, `DAY`, … (`C62` when none).
    unit_code: &'static str,
    /// EN 16931 VAT category: S, Z, E, AE, K, G, O.
    vat_category: &'static str,
}

#[derive(Debug, Serialize)]
pub(crate) struct VatJson {
    /// Percent: `"20"`.
    rate: String,
    base: String,
    vat: String,
}

/// The VAT breakdown as scripts read it.
pub(crate) fn vat_json(t: &acquit_core::Totals) -> Vec<VatJson> {
    t.vat
        .iter()
        .map(|row| VatJson {
            rate: parse::basis_points_string(row.rate.basis_points()),
            base: row.base.to_decimal_string(),
            vat: row.vat.to_decimal_string(),
        })
        .collect()
}

/// Lines as scripts read them: `invoice show --json`, `quote show --json`.
pub(crate) fn lines_json(
    lines: &[acquit_store::StoredLine],
    t: &acquit_core::Totals,
    regime: VatRegime,
    exemption: acquit_core::VatExemption,
) -> Vec<LineJson> {
    lines
        .iter()
        .enumerate()
        .map(|(i, stored)| {
            let input = &stored.line.input;
            let computed = t.lines.get(i);
            let money = |pick: fn(&acquit_core::tax::LineAmounts) -> Money| {
                computed
                    .map(|c| pick(c).to_decimal_string())
                    .unwrap_or_default()
            };
            LineJson {
                position: stored.position,
                description: stored.line.description.clone(),
                quantity: input.quantity.format(Lang::En),
                unit_price: input.unit_price.to_decimal_string(),
                vat_rate: parse::basis_points_string(input.vat_rate.basis_points()),
                discount_percent: match input.discount {
                    Discount::Percent(bp) => Some(parse::basis_points_string(bp)),
                    _ => None,
                },
                amount: money(|c| c.amount),
                discount: money(|c| c.discount),
                net: money(|c| c.net),
                nature: stored.line.nature.map(Nature::as_str),
                unit: stored.line.unit.map(Unit::as_str),
                unit_code: stored.line.unit.map_or("C62", Unit::rec20),
                vat_category: VatCategory::of(regime, exemption, input.vat_rate).code(),
            }
        })
        .collect()
}

impl InvoiceJson {
    fn new(v: &InvoiceView, payments: &[StoredPayment]) -> InvoiceJson {
        let t = &v.totals;
        let regime = v.seller.as_ref().map(|s| s.vat_regime).unwrap_or_default();
        let home = v
            .seller
            .as_ref()
            .map_or(acquit_core::Country::FR, |s| s.home_country());
        let delivery = v.details.delivery_for(&v.buyer);
        let lines = lines_json(&v.lines, t, regime, v.buyer.vat_exemption);
        InvoiceJson {
            id: v.id.0,
            number: v.number.clone(),
            kind: kind_name(v.kind),
            status: v.status.as_str(),
            client_id: v.client_id.0,
            client: v.buyer.name.clone(),
            currency: v.currency.code().to_owned(),
            issue_date: v.issue_date,
            due_date: v.due_date,
            sale_date: v.sale_date,
            lines,
            net: t.net.to_decimal_string(),
            vat: vat_json(t),
            vat_total: t.vat_total.to_decimal_string(),
            total: t.total.to_decimal_string(),
            amount_due: v.amount_due.to_decimal_string(),
            payments: payments.iter().map(PaymentJson::from).collect(),
            deposits: v.deposits.clone(),
            credits: v.credits.clone(),
            credits_date: v.details.credited_issue_date,
            credit_notes: v.credit_notes.clone(),
            order_ref: v.details.order_ref.clone(),
            buyer_ref: v.details.buyer_ref.clone(),
            delivery_address: delivery.map(|d| d.printed_text(v.buyer.lang, home)),
            category: v.category.map(acquit_core::Category::as_str),
            eur_rate: v.details.eur_rate.map(|r| r.format(Lang::En)),
            payment_means: v.details.payment_means.iter().map(|m| m.as_str()).collect(),
            vat_total_eur: v.details.vat_total_eur.map(|m| m.to_decimal_string()),
            seller_mentions: v
                .seller
                .as_ref()
                .map(|s| s.legal_mentions(v.buyer.lang))
                .unwrap_or_default(),
            einvoice: None,
            reminders: Vec::new(),
        }
    }
}

fn list_human(invoices: &[InvoiceSummary]) -> String {
    if invoices.is_empty() {
        return "No invoices: start one with `acquit invoice new --client ID`.\n".into();
    }
    let mut table = Table::new(&[
        ("NUMBER", Align::Left),
        ("ISSUED", Align::Left),
        ("DUE", Align::Left),
        ("CLIENT", Align::Left),
        ("TOTAL", Align::Right),
        ("AMOUNT DUE", Align::Right),
        ("STATUS", Align::Left),
    ]);
    for s in invoices {
        table.row(vec![
            s.number
                .clone()
                .unwrap_or_else(|| format!("draft {}", s.id.0)),
            date_string(s.issue_date),
            date_string(s.due_date),
            s.client.clone(),
            s.total.format(Lang::Fr),
            s.amount_due.format(Lang::Fr),
            s.status.as_str().to_owned(),
        ]);
    }
    table.render()
}

fn show_human(v: &InvoiceView, payments: &[StoredPayment]) -> String {
    let lang = v.buyer.lang;
    let title = match &v.number {
        Some(number) => format!("{number} ({}, {})", kind_name(v.kind), v.status.as_str()),
        None => format!(
            "Draft {} ({}): issue it with `acquit invoice issue {}`",
            v.id.0,
            kind_name(v.kind),
            v.id.0
        ),
    };
    let mut out = format!("{title}\n\n");
    let list = |numbers: &[String]| (!numbers.is_empty()).then(|| numbers.join(", "));
    out.push_str(&block(&[
        ("Client", Some(v.buyer.name.clone())),
        (
            "From",
            v.seller.as_ref().map(|seller| seller.legal_name.clone()),
        ),
        ("Issued", v.issue_date.map(|d| d.to_string())),
        ("Sale date", v.sale_date.map(|d| d.to_string())),
        ("Due", v.due_date.map(|d| d.to_string())),
        ("Deducts", list(&v.deposits)),
        ("Corrects", v.credits.clone()),
        ("Credit notes", list(&v.credit_notes)),
    ]));
    out.push('\n');

    if v.lines.is_empty() {
        out.push_str(&format!(
            "No lines yet: add one with `acquit invoice add-line {} --desc … --qty … --unit-price …`.\n",
            v.id.0
        ));
        return out;
    }
    out.push_str(&lines_and_totals(
        &v.lines,
        &v.totals,
        v.seller.as_ref(),
        lang,
        Some(("Amount due", v.amount_due)),
    ));
    if !payments.is_empty() {
        out.push_str("\nPayments\n");
        out.push_str(&payments_table(payments, lang));
    }
    out
}

/// A document's lines, then its totals (net, VAT per rate, total, and
/// `extra`, e.g. the amount due): `invoice show` and `quote show`.
pub(crate) fn lines_and_totals(
    lines: &[acquit_store::StoredLine],
    totals: &acquit_core::Totals,
    seller: Option<&acquit_core::Seller>,
    lang: Lang,
    extra: Option<(&str, Money)>,
) -> String {
    let mut table = Table::new(&[
        ("#", Align::Right),
        ("DESCRIPTION", Align::Left),
        ("QTY", Align::Right),
        ("UNIT PRICE", Align::Right),
        ("VAT", Align::Right),
        ("DISCOUNT", Align::Right),
        ("NET", Align::Right),
    ]);
    for (i, stored) in lines.iter().enumerate() {
        let input = &stored.line.input;
        let computed = totals.lines.get(i);
        let discount = match (input.discount, computed) {
            (Discount::None, _) | (_, None) => String::new(),
            (Discount::Percent(bp), Some(c)) => format!(
                "{} ({})",
                c.discount.format(lang),
                VatRate::from_basis_points(bp).map_or_else(|_| String::new(), |r| r.format(lang))
            ),
            (Discount::Amount(_), Some(c)) => c.discount.format(lang),
        };
        table.row(vec![
            stored.position.to_string(),
            stored.line.description.clone(),
            input.quantity.format(lang),
            input.unit_price.format(lang),
            input.vat_rate.format(lang),
            discount,
            computed.map(|c| c.net.format(lang)).unwrap_or_default(),
        ]);
    }
    let mut out = table.render();
    out.push('\n');

    let t = totals;
    let mut rows = Table::new(&[("", Align::Left), ("", Align::Right)]);
    rows.row(vec!["Net (excl. VAT)".into(), t.net.format(lang)]);
    let franchise = seller.is_some_and(|s| s.vat_regime == VatRegime::Franchise);
    if !franchise {
        for row in &t.vat {
            rows.row(vec![
                format!("VAT {} on {}", row.rate.format(lang), row.base.format(lang)),
                row.vat.format(lang),
            ]);
        }
    }
    rows.row(vec!["Total (incl. VAT)".into(), t.total.format(lang)]);
    if let Some((label, amount)) = extra {
        rows.row(vec![label.into(), amount.format(lang)]);
    }
    // The header row of this table is empty: drop it.
    let rendered = rows.render();
    out.push_str(rendered.split_once('\n').map_or("", |(_, rest)| rest));
    if franchise {
        out.push_str("TVA non applicable, art. 293 B du CGI\n");
    }
    out
}

/// Payment links, and refunds made on Stripe that wait for a credit note.
fn online_state(store: &acquit_store::Store, number: &str, lang: Lang) -> Result<String, CliError> {
    let mut out = String::new();
    let links = store.links(number)?;
    if !links.is_empty() {
        out.push_str("\nPayment links (`acquit link list` for their URLs)\n");
        for link in &links {
            let mut line = format!(
                "  {:>4}  {:<10} {:>14}  {}",
                link.id.0,
                link.status.as_str(),
                link.amount.format(lang),
                link.stripe_id.as_deref().unwrap_or("")
            );
            if let Some(failure) = &link.failure {
                line.push_str(&format!("  ({failure})"));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    for proposal in store
        .refund_proposals()?
        .into_iter()
        .filter(|p| p.invoice_number == number && p.status == acquit_store::ProposalStatus::Open)
    {
        out.push_str(&format!(
            "\nStripe refunded {} ({}): issue the matching credit-note with `acquit credit-note {number} --amount {} --reason \"Remboursement\"`\n",
            proposal.amount.format(lang),
            proposal.stripe_ref,
            proposal.amount.to_decimal_string()
        ));
    }
    Ok(out)
}
