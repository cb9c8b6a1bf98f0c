//! `acquit quote …`: quotes (devis), from draft to the client's decision
//! and the invoices made from an accepted one.
//!
//! A draft quote is named by its id (printed by `quote new`), an issued
//! one by its number (`D-2027-0001`). The state is derived from facts
//! (`acquit_core::quote`): issued, sent, accepted, declined, expired.

use std::path::{Path, PathBuf};

use acquit_core::quote::{DecidedVia, Decision, DepositShare, QuoteStatus};
use acquit_core::{EurRate, InvoiceDetails, Lang};
use acquit_store::{NewQuote, QuoteId, QuoteSummary, QuoteView};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::invoice::{LineArgs, LineJson, VatJson, lines_and_totals, lines_json, vat_json};
use crate::table::{Align, Table, block};
use crate::{CliError, open, parse, to_json};

#[derive(Debug, Subcommand)]
pub enum QuoteCommand {
    /// Start a quote for a client and print its id
    New(NewArgs),
    /// Add a line to a draft quote
    AddLine {
        /// The draft quote's id
        #[arg(value_name = "QUOTE")]
        quote: String,
        #[command(flatten)]
        line: LineArgs,
    },
    /// Remove line N (from 1) of a draft quote
    RemoveLine {
        #[arg(value_name = "QUOTE")]
        quote: String,
        #[arg(value_name = "N")]
        position: i64,
    },
    /// Issue a draft quote: number it (D-2027-0001), lock it, print the number
    Issue {
        #[arg(value_name = "QUOTE")]
        quote: String,
        /// Issue date, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
    /// Delete a draft quote (issued quotes are kept)
    Delete {
        #[arg(value_name = "QUOTE")]
        quote: String,
    },
    /// List quotes, newest first
    List {
        /// Only those in this state: draft, issued, sent, accepted, declined, expired
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
    /// Show a quote (by number, e.g. D-2027-0001) or a draft (by id)
    Show {
        #[arg(value_name = "NUMBER_OR_ID")]
        quote: String,
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
    /// Write the PDF of an issued quote
    Pdf {
        #[arg(value_name = "NUMBER")]
        number: String,
        /// The PDF file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Language of the document [default: the client's]
        #[arg(long, value_enum)]
        lang: Option<crate::client::LangArg>,
    },
    /// Publish the quote's page on your relay, where the client accepts or
    /// declines it from their phone (the next `acquit sync` reads the
    /// answer), and print its URL
    Share {
        #[arg(value_name = "NUMBER")]
        number: String,
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
    /// Record that the client accepted the quote (final)
    Accept(DecideArgs),
    /// Record that the client declined the quote (final)
    Decline(DecideArgs),
    /// Make the invoice of an accepted quote, as a draft: a deposit with
    /// --deposit, else the whole (or the balance after its deposits)
    Invoice {
        #[arg(value_name = "NUMBER")]
        number: String,
        /// A deposit of this share of the quote: 30%
        #[arg(long, value_name = "PERCENT")]
        deposit: Option<String>,
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
    /// ISO 4217 code of the quote's currency
    #[arg(long, value_name = "CODE", default_value = "EUR")]
    currency: String,
    /// Valid until, YYYY-MM-DD [default: issue date + 30 days]
    #[arg(long, value_name = "YYYY-MM-DD")]
    valid_until: Option<String>,
    /// The client's reference, printed on the quote and its invoices
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    buyer_ref: Option<String>,
    /// For a quote in another currency: how many units of it one euro buys
    #[arg(long, value_name = "RATE")]
    eur_rate: Option<String>,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    #[arg(value_name = "NUMBER")]
    number: String,
    /// Who decided: the client's name as they gave it
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    by: String,
    /// The day they decided, YYYY-MM-DD [default: today]
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
    /// What they said, kept with the decision
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    comment: Option<String>,
}

pub fn run(command: QuoteCommand, db: &Path) -> Result<String, CliError> {
    let today = acquit_store::today();
    match command {
        QuoteCommand::New(args) => {
            let quote = NewQuote {
                client: parse::client_id(&args.client)?,
                currency: parse::currency(&args.currency)?,
                valid_until: args
                    .valid_until
                    .map(|d| parse::date(&d, "--valid-until"))
                    .transpose()?,
                details: InvoiceDetails {
                    buyer_ref: args
                        .buyer_ref
                        .map(|r| r.trim().to_owned())
                        .filter(|r| !r.is_empty()),
                    eur_rate: args
                        .eur_rate
                        .as_deref()
                        .map(EurRate::parse)
                        .transpose()
                        .map_err(|e| CliError::rejected(format!("--eur-rate: {e}")))?,
                    ..InvoiceDetails::default()
                },
            };
            let QuoteId(id) = open(db)?.create_quote(&quote)?;
            Ok(format!("{id}\n"))
        }
        QuoteCommand::AddLine { quote, line } => {
            let parsed = line.parse()?;
            let mut store = open(db)?;
            let view = store.quote(&quote, today)?;
            let line = parsed.line(&store, view.currency)?;
            let position = store.quote_add_line(view.id, &line)?;
            let view = store.quote_by_id(view.id, today)?;
            let lang = view.buyer.lang;
            Ok(format!(
                "Line {position} added to quote draft {}; it now totals {} incl. VAT.\n",
                view.id.0,
                view.totals.total.format(lang)
            ))
        }
        QuoteCommand::RemoveLine { quote, position } => {
            let mut store = open(db)?;
            let id = store.quote(&quote, today)?.id;
            store.quote_remove_line(id, position)?;
            Ok(format!(
                "Line {position} removed from quote draft {}.\n",
                id.0
            ))
        }
        QuoteCommand::Issue { quote, date } => {
            let date = parse::issue_date(date.as_deref())?;
            let mut store = open(db)?;
            let id = store.quote(&quote, today)?.id;
            Ok(format!("{}\n", store.issue_quote(id, date)?))
        }
        QuoteCommand::Delete { quote } => {
            let mut store = open(db)?;
            let id = store.quote(&quote, today)?.id;
            store.delete_quote_draft(id)?;
            Ok(format!("Quote draft {} deleted.\n", id.0))
        }
        QuoteCommand::List { status, json } => {
            let status = status
                .as_deref()
                .map(str::parse::<QuoteStatus>)
                .transpose()
                .map_err(CliError::rejected)?;
            let quotes: Vec<QuoteSummary> = open(db)?
                .quotes(today)?
                .into_iter()
                .filter(|q| status.is_none_or(|s| q.status == s))
                .collect();
            Ok(if json {
                to_json(&quotes.iter().map(SummaryJson::new).collect::<Vec<_>>())
            } else {
                list_human(&quotes)
            })
        }
        QuoteCommand::Show { quote, json } => {
            let store = open(db)?;
            let view = store.quote(&quote, today)?;
            Ok(if json {
                to_json(&QuoteJson::new(&view))
            } else {
                show_human(&view)
            })
        }
        QuoteCommand::Pdf { number, out, lang } => {
            let lang = lang.map(Lang::from);
            let store = open(db)?;
            let rendered = acquit_documents::render_quote_pdf(&store, number.trim(), lang)
                .map_err(crate::pdf::document_error)?;
            crate::pdf::write_atomically(&out, &rendered.bytes)?;
            for warning in &rendered.warnings {
                eprintln!("acquit: warning: {warning}");
            }
            Ok(format!("{}\n", out.display()))
        }
        QuoteCommand::Share { number, json } => {
            let mut store = open(db)?;
            // Checked before any network: an unknown number or a draft.
            let view = store.quote(&number, today)?;
            let Some(number) = view.number else {
                return Err(CliError::rejected(format!(
                    "quote draft {} is not issued: issue it first (`acquit quote issue {}`)",
                    view.id.0, view.id.0
                )));
            };
            let online = crate::online::Online::connect(&store, crate::online::Need::Any)?;
            let Some(relay) = online.relay.as_ref() else {
                return Err(CliError::rejected(
                    "no relay is set: the quote's page is served by your relay; set one with `acquit relay set --url URL --inbox ID` (token on stdin)",
                ));
            };
            let shared = online
                .block_on(acquit_documents::quote_page::share_quote(
                    &mut store, relay, &number, today,
                ))
                .map_err(crate::share::share_error)?;
            Ok(if json {
                to_json(&serde_json::json!({ "quote": number, "url": shared.url }))
            } else {
                format!("{}\n", shared.url)
            })
        }
        QuoteCommand::Accept(args) => decide(args, true, db, today),
        QuoteCommand::Decline(args) => decide(args, false, db, today),
        QuoteCommand::Invoice {
            number,
            deposit,
            json,
        } => {
            let deposit = deposit
                .as_deref()
                .map(DepositShare::parse)
                .transpose()
                .map_err(|e| CliError::rejected(format!("--deposit: {e}")))?;
            let mut store = open(db)?;
            let id = store.invoice_quote(&number, deposit, today)?;
            let draft = store.invoice_by_id(id)?;
            Ok(if json {
                to_json(&MadeJson {
                    draft: id.0,
                    kind: draft.kind.as_str().replace('_', "-"),
                    total: draft.totals.total.to_decimal_string(),
                    currency: draft.currency.code().to_owned(),
                })
            } else {
                format!(
                    "Draft {} made ({}, {} incl. VAT): check it with `acquit invoice show {}`, then `acquit invoice issue {}`.\n",
                    id.0,
                    draft.kind.as_str().replace('_', " "),
                    draft.totals.total.format(draft.buyer.lang),
                    id.0,
                    id.0
                )
            })
        }
    }
}

fn decide(
    args: DecideArgs,
    accepted: bool,
    db: &Path,
    today: NaiveDate,
) -> Result<String, CliError> {
    let on = args
        .date
        .map(|d| parse::date(&d, "--date"))
        .transpose()?
        .unwrap_or(today);
    let mut store = open(db)?;
    store.decide_quote(
        &args.number,
        &Decision {
            accepted,
            on,
            by: args.by,
            comment: args.comment,
            via: DecidedVia::Hand,
        },
    )?;
    let number = args.number.trim();
    Ok(if accepted {
        format!(
            "{number} accepted on {on}. Invoice it with `acquit quote invoice {number}` (or --deposit 30% for a deposit first).\n"
        )
    } else {
        format!("{number} declined on {on}.\n")
    })
}

fn date_string(date: Option<NaiveDate>) -> String {
    date.map(|d| d.to_string()).unwrap_or_else(|| "–".into())
}

fn list_human(quotes: &[QuoteSummary]) -> String {
    if quotes.is_empty() {
        return "No quotes: start one with `acquit quote new --client ID`.\n".into();
    }
    let mut table = Table::new(&[
        ("NUMBER", Align::Left),
        ("ISSUED", Align::Left),
        ("VALID UNTIL", Align::Left),
        ("CLIENT", Align::Left),
        ("TOTAL", Align::Right),
        ("STATUS", Align::Left),
        ("INVOICED", Align::Left),
    ]);
    for q in quotes {
        table.row(vec![
            q.number
                .clone()
                .unwrap_or_else(|| format!("draft {}", q.id.0)),
            date_string(q.issue_date),
            date_string(q.valid_until),
            q.client.clone(),
            q.total.format(Lang::Fr),
            q.status.as_str().to_owned(),
            q.invoiced.join(", "),
        ]);
    }
    table.render()
}

fn show_human(v: &QuoteView) -> String {
    let lang = v.buyer.lang;
    let title = match &v.number {
        Some(number) => format!("{number} (quote, {})", v.status.as_str()),
        None => format!(
            "Quote draft {}: issue it with `acquit quote issue {}`",
            v.id.0, v.id.0
        ),
    };
    let mut out = format!("{title}\n\n");
    let decision = v.decision.as_ref().map(|d| {
        let verb = if d.accepted { "Accepted" } else { "Declined" };
        let mut text = format!("{verb} on {} by {} ({})", d.on, d.by, d.via.as_str());
        if let Some(comment) = &d.comment {
            text.push_str(&format!(": \"{comment}\""));
        }
        text
    });
    let invoices: Vec<String> = v
        .invoices
        .iter()
        .map(|i| match &i.number {
            Some(n) => format!("{n} ({})", i.kind.as_str().replace('_', " ")),
            None => format!("draft {} ({})", i.id.0, i.kind.as_str().replace('_', " ")),
        })
        .collect();
    out.push_str(&block(&[
        ("Client", Some(v.buyer.name.clone())),
        ("From", v.seller.as_ref().map(|s| s.legal_name.clone())),
        ("Issued", v.issue_date.map(|d| d.to_string())),
        ("Valid until", v.valid_until.map(|d| d.to_string())),
        ("Sent", v.sent_on.map(|d| d.to_string())),
        ("Decision", decision),
        (
            "Invoices",
            (!invoices.is_empty()).then(|| invoices.join(", ")),
        ),
    ]));
    out.push('\n');
    if v.lines.is_empty() {
        out.push_str(&format!(
            "No lines yet: add one with `acquit quote add-line {} --desc … --qty … --unit-price …`.\n",
            v.id.0
        ));
        return out;
    }
    out.push_str(&lines_and_totals(
        &v.lines,
        &v.totals,
        v.seller.as_ref(),
        lang,
        None,
    ));
    out
}

#[derive(Debug, Serialize)]
struct SummaryJson {
    id: i64,
    number: Option<String>,
    status: &'static str,
    client: String,
    issue_date: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
    total: String,
    currency: String,
    invoiced: Vec<String>,
}

impl SummaryJson {
    fn new(q: &QuoteSummary) -> SummaryJson {
        SummaryJson {
            id: q.id.0,
            number: q.number.clone(),
            status: q.status.as_str(),
            client: q.client.clone(),
            issue_date: q.issue_date,
            valid_until: q.valid_until,
            total: q.total.to_decimal_string(),
            currency: q.total.currency().code().to_owned(),
            invoiced: q.invoiced.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
struct DecisionJson {
    decision: &'static str,
    on: NaiveDate,
    by: String,
    comment: Option<String>,
    via: &'static str,
}

#[derive(Debug, Serialize)]
struct InvoiceMadeJson {
    id: i64,
    number: Option<String>,
    kind: String,
    total: String,
}

#[derive(Debug, Serialize)]
struct QuoteJson {
    id: i64,
    number: Option<String>,
    status: &'static str,
    client_id: i64,
    client: String,
    currency: String,
    issue_date: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
    sent_on: Option<NaiveDate>,
    decision: Option<DecisionJson>,
    lines: Vec<LineJson>,
    vat: Vec<VatJson>,
    net: String,
    vat_total: String,
    total: String,
    invoices: Vec<InvoiceMadeJson>,
}

impl QuoteJson {
    fn new(v: &QuoteView) -> QuoteJson {
        let regime = v.seller.as_ref().map(|s| s.vat_regime).unwrap_or_default();
        QuoteJson {
            id: v.id.0,
            number: v.number.clone(),
            status: v.status.as_str(),
            client_id: v.client_id.0,
            client: v.buyer.name.clone(),
            currency: v.currency.code().to_owned(),
            issue_date: v.issue_date,
            valid_until: v.valid_until,
            sent_on: v.sent_on,
            decision: v.decision.as_ref().map(|d| DecisionJson {
                decision: if d.accepted { "accepted" } else { "declined" },
                on: d.on,
                by: d.by.clone(),
                comment: d.comment.clone(),
                via: d.via.as_str(),
            }),
            lines: lines_json(&v.lines, &v.totals, regime, v.buyer.vat_exemption),
            vat: vat_json(&v.totals),
            net: v.totals.net.to_decimal_string(),
            vat_total: v.totals.vat_total.to_decimal_string(),
            total: v.totals.total.to_decimal_string(),
            invoices: v
                .invoices
                .iter()
                .map(|i| InvoiceMadeJson {
                    id: i.id.0,
                    number: i.number.clone(),
                    kind: i.kind.as_str().replace('_', "-"),
                    total: i.total.to_decimal_string(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
struct MadeJson {
    draft: i64,
    kind: String,
    total: String,
    currency: String,
}
