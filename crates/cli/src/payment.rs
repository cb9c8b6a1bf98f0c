//! `acquit payment add|list|reverse`: money received outside Stripe
//! (transfers, cheques, cash, a card terminal), and counter-entries.
//!
//! Payments are never edited or deleted: a mistake is cancelled by
//! `payment reverse`, which records a negative counter-entry. Stripe
//! payments are not typed in: `acquit sync` records them from Stripe's
//! events, with their fees.

use std::path::Path;

use acquit_core::{Lang, Money};
use acquit_store::{LedgerEntry, NewPayment, PaymentId, PaymentKind, PaymentMethod, StoredPayment};
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use serde::Serialize;

use acquit_documents::published;
use acquit_store::Store;
use acquit_sync::engine::Sources;

use crate::online::{Need, Online};
use crate::table::{Align, Table};
use crate::{CliError, open, parse, to_json};

#[derive(Debug, Subcommand)]
pub enum PaymentCommand {
    /// Record money received for an issued invoice and print the payment's id
    Add {
        /// The invoice's number, e.g. F-2026-0001
        #[arg(value_name = "NUMBER")]
        number: String,
        /// The amount received, in the invoice's currency: 500, 1 234,50
        #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
        amount: String,
        /// How it was paid (Stripe payments are recorded by `acquit sync`)
        #[arg(long, value_enum, ignore_case = true)]
        method: MethodArg,
        /// The day it was received, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        /// Cheque number, transfer label…
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
        reference: Option<String>,
    },
    /// List an invoice's payments and counter-entries, oldest first
    List {
        /// The invoice's number, e.g. F-2026-0001
        #[arg(value_name = "NUMBER")]
        number: String,
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
    /// Cancel a payment recorded by mistake with a counter-entry, and print
    /// the counter-entry's id
    Reverse {
        /// The payment's id (see `acquit payment list NUMBER`)
        #[arg(value_name = "PAYMENT_ID")]
        payment: String,
        /// The counter-entry's date, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        /// Why, e.g. "chèque sans provision" [default: the payment's reference]
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
        reason: Option<String>,
    },
}

/// The methods a person records. `stripe` is known (so that it gets an
/// answer, not a usage error) but refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    Transfer,
    Cheque,
    Cash,
    #[value(alias = "card_terminal")]
    CardTerminal,
    Other,
    #[value(hide = true)]
    Stripe,
}

impl MethodArg {
    fn method(self) -> Result<PaymentMethod, CliError> {
        Ok(match self {
            MethodArg::Transfer => PaymentMethod::Transfer,
            MethodArg::Cheque => PaymentMethod::Cheque,
            MethodArg::Cash => PaymentMethod::Cash,
            MethodArg::CardTerminal => PaymentMethod::CardTerminal,
            MethodArg::Other => PaymentMethod::Other,
            MethodArg::Stripe => {
                return Err(CliError::rejected(
                    "Stripe payments are recorded by `acquit sync`, with their fees, not by hand: \
                     run `acquit sync`; for money received another way use --method transfer, \
                     cheque, cash, card-terminal or other",
                ));
            }
        })
    }
}

pub fn run(command: PaymentCommand, db: &Path) -> Result<String, CliError> {
    match command {
        PaymentCommand::Add {
            number,
            amount,
            method,
            date,
            reference,
        } => {
            let method = method.method()?;
            parse::amount_shape(&amount, "--amount")?;
            let received_on = date
                .map(|d| parse::date(&d, "--date"))
                .transpose()?
                .unwrap_or_else(acquit_store::today);
            let mut store = open(db)?;
            // The amount is in the invoice's currency: read it first.
            let currency = store.invoice(&number)?.currency;
            let payment = NewPayment {
                amount: parse::amount_in(&amount, currency, "--amount")?,
                method,
                received_on,
                reference,
                fee: None,
            };
            let PaymentId(id) = store.record_payment(&number, &payment)?;
            republish(&mut store, &number);
            Ok(format!("{id}\n"))
        }
        PaymentCommand::List { number, json } => {
            let store = open(db)?;
            let invoice = store.invoice(&number)?;
            let payments = store.payments(&number)?;
            Ok(if json {
                to_json(
                    &payments
                        .iter()
                        .map(PaymentListJson::from)
                        .collect::<Vec<_>>(),
                )
            } else {
                list_human(
                    invoice.number.as_deref().unwrap_or(&number),
                    &payments,
                    invoice.amount_due,
                    invoice.buyer.lang,
                )
            })
        }
        PaymentCommand::Reverse {
            payment,
            date,
            reason,
        } => {
            let payment = PaymentId(parse::payment_id(&payment)?);
            let on = date
                .map(|d| parse::date(&d, "--date"))
                .transpose()?
                .unwrap_or_else(acquit_store::today);
            let reason = reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
            let mut store = open(db)?;
            let PaymentId(id) = store.reverse_payment(payment, on, reason)?;
            let number = store.payment_invoice_number(payment)?;
            republish(&mut store, &number);
            Ok(format!("{id}\n"))
        }
    }
}

/// After a payment recorded or reversed: what a synced Stripe payment
/// gets (links of a settled invoice withdrawn, link states and the shared
/// invoice page republished). The payment is recorded whatever happens
/// here: a failure is a warning and `acquit sync` retries.
fn republish(store: &mut Store, number: &str) {
    let warn = |what: &dyn std::fmt::Display| {
        eprintln!("acquit: warning: {what} (the payment is recorded; `acquit sync` retries)")
    };
    let online = match Online::connect(store, Need::Any) {
        Ok(online) => online,
        Err(error) => {
            warn(&format!("the relay and Stripe were not told: {error}"));
            if let Err(error) = published::mark_changed(store, number) {
                warn(&error);
            }
            return;
        }
    };
    let sources = Sources {
        relay: online.relay.as_ref(),
        stripe: online.stripe.as_ref(),
    };
    match online.block_on(published::after_manual_payment(store, sources, number)) {
        Ok(done) => done.warnings.iter().for_each(|w| warn(w)),
        Err(error) => warn(&error),
    }
}

/// A payment, refund or counter-entry in `--json` output (`invoice show`,
/// `invoice list`, `payment list`). Amounts are decimal strings in the
/// invoice's currency, negative for refunds and counter-entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentJson {
    pub id: i64,
    pub date: NaiveDate,
    /// `payment`, `refund` or `reversal` (a counter-entry).
    pub kind: &'static str,
    /// `stripe`, `transfer`, `cheque`, `cash`, `card-terminal`, `other`.
    pub method: &'static str,
    pub amount: String,
    /// `null` while unknown (a Stripe fee not reported yet).
    pub fee: Option<String>,
    /// Amount − fee; `null` while the fee is unknown.
    pub net: Option<String>,
    pub reference: Option<String>,
}

impl PaymentJson {
    pub fn from_ledger(e: &LedgerEntry) -> PaymentJson {
        PaymentJson {
            id: e.payment_id.0,
            date: e.date,
            kind: kind_name(e.kind),
            method: e.method.as_str(),
            amount: e.amount.to_decimal_string(),
            fee: e.fee.map(|f| f.to_decimal_string()),
            net: e.net.map(|n| n.to_decimal_string()),
            reference: e.reference.clone(),
        }
    }
}

impl From<&StoredPayment> for PaymentJson {
    fn from(p: &StoredPayment) -> PaymentJson {
        PaymentJson {
            id: p.id.0,
            date: p.received_on,
            kind: kind_name(p.kind),
            method: p.method.as_str(),
            amount: p.amount.to_decimal_string(),
            fee: p.fee.map(|f| f.to_decimal_string()),
            net: net(p).map(|n| n.to_decimal_string()),
            reference: p.reference.clone(),
        }
    }
}

/// `payment list --json`: a payment with what reverses what.
#[derive(Debug, Serialize)]
struct PaymentListJson {
    #[serde(flatten)]
    payment: PaymentJson,
    /// For a counter-entry: the payment it cancels.
    reverses: Option<i64>,
    /// Whether a counter-entry cancels this payment.
    reversed: bool,
}

impl From<&StoredPayment> for PaymentListJson {
    fn from(p: &StoredPayment) -> PaymentListJson {
        PaymentListJson {
            payment: PaymentJson::from(p),
            reverses: p.reverses.map(|r| r.0),
            reversed: p.reversed,
        }
    }
}

/// The ledger's rule (`Store::ledger`): amount − fee when the fee is known;
/// the amount itself for methods without fees; unknown for Stripe until it
/// reports the fee.
fn net(p: &StoredPayment) -> Option<Money> {
    match p.fee {
        Some(fee) => p.amount.checked_sub(fee).ok(),
        None if p.method != PaymentMethod::Stripe => Some(p.amount),
        None => None,
    }
}

pub fn kind_name(kind: PaymentKind) -> &'static str {
    match kind {
        PaymentKind::Payment => "payment",
        PaymentKind::Refund => "refund",
        PaymentKind::Reversal => "reversal",
    }
}

fn list_human(number: &str, payments: &[StoredPayment], due: Money, lang: Lang) -> String {
    if payments.is_empty() {
        return format!(
            "No payments on {number} yet ({} due): record one with `acquit payment add {number} --amount … --method …`.\n",
            due.format(lang)
        );
    }
    let mut out = payments_table(payments, lang);
    out.push_str(&format!("Amount due: {}\n", due.format(lang)));
    out
}

/// The payments of one invoice as a table, amounts in `lang`.
pub fn payments_table(payments: &[StoredPayment], lang: Lang) -> String {
    let mut table = Table::new(&[
        ("ID", Align::Right),
        ("DATE", Align::Left),
        ("KIND", Align::Left),
        ("METHOD", Align::Left),
        ("AMOUNT", Align::Right),
        ("FEE", Align::Right),
        ("REFERENCE", Align::Left),
        ("", Align::Left),
    ]);
    for p in payments {
        let note = match (p.reverses, p.reversed) {
            (Some(PaymentId(of)), _) => format!("cancels {of}"),
            (None, true) => "cancelled".to_owned(),
            (None, false) => String::new(),
        };
        table.row(vec![
            p.id.0.to_string(),
            p.received_on.to_string(),
            kind_name(p.kind).to_owned(),
            p.method.as_str().to_owned(),
            p.amount.format(lang),
            p.fee.map(|f| f.format(lang)).unwrap_or_default(),
            p.reference.clone().unwrap_or_default(),
            note,
        ]);
    }
    table.render()
}
